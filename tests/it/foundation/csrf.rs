//! Every state-changing route refuses a missing or wrong CSRF token and a foreign origin, with a 403
//! and no change in the store.

use crate::on_both_backends;
use crate::support::{Backend, Client, TestApp};
use ringside::auth::Role;

on_both_backends!(state_changing_routes_refuse_forged_requests);

/// How a forged request differs from a genuine one.
#[derive(Debug, Clone, Copy)]
enum Forgery {
    NoToken,
    WrongToken,
    ForeignOrigin,
    CrossSiteFetch,
}

/// A state-changing route: method, path, and a JSON body for API routes (None = form).
const ROUTES: &[(&str, &str, Option<&str>)] = &[
    ("POST", "/users", None),
    ("POST", "/users/bob/role", None),
    ("POST", "/users/bob/password", None),
    ("POST", "/users/bob/remove", None),
    ("POST", "/logout", None),
    ("POST", "/api/v1/users", Some(r#"{"username":"eve","role":"admin","password":"forged password"}"#)),
    ("PATCH", "/api/v1/users/bob", Some(r#"{"role":"admin"}"#)),
    ("DELETE", "/api/v1/users/bob", Some("")),
];

async fn send(
    client: &Client,
    csrf: &str,
    method: &str,
    path: &str,
    json: Option<&str>,
    forgery: Forgery,
) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.http.request(method, client.url(path));
    let token = match forgery {
        Forgery::NoToken => None,
        Forgery::WrongToken => Some("0123456789abcdef0123456789abcdef".to_string()),
        Forgery::ForeignOrigin | Forgery::CrossSiteFetch => Some(csrf.to_string()),
    };
    request = match forgery {
        Forgery::ForeignOrigin => request.header("Origin", "http://evil.example"),
        Forgery::CrossSiteFetch => {
            request.header("Sec-Fetch-Site", "cross-site").header("Origin", client.origin())
        }
        _ => request.header("Origin", client.origin()).header("Sec-Fetch-Site", "same-origin"),
    };
    request = match json {
        Some(body) => {
            let r = request.header("content-type", "application/json").body(body.to_string());
            match &token {
                Some(t) => r.header("X-CSRF-Token", t),
                None => r,
            }
        }
        None => {
            let mut fields = vec![
                ("username", "eve".to_string()),
                ("role", "admin".to_string()),
                ("password", "forged password".to_string()),
            ];
            if let Some(t) = token {
                fields.push(("csrf", t));
            }
            request.form(&fields)
        }
    };
    request.send().await.expect("send").status().as_u16()
}

/// What the store holds that any of these routes could change.
async fn snapshot(app: &TestApp) -> Vec<(String, String, String)> {
    app.store()
        .list_users()
        .await
        .expect("users")
        .into_iter()
        .map(|u| (u.username, u.role, u.password_hash))
        .collect()
}

async fn state_changing_routes_refuse_forged_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.add_user("alice", Role::Admin, "alice passphrase").await;
    app.add_user("bob", Role::Viewer, "bob passphrase!").await;
    let client = app.signed_in("alice", "alice passphrase").await;
    let csrf = client.csrf_from("/users").await;
    let before = snapshot(&app).await;

    for &(method, path, json) in ROUTES {
        for forgery in
            [Forgery::NoToken, Forgery::WrongToken, Forgery::ForeignOrigin, Forgery::CrossSiteFetch]
        {
            let status = send(&client, &csrf, method, path, json, forgery).await;
            assert_eq!(status, 403, "{method} {path} with {forgery:?}");
            assert_eq!(snapshot(&app).await, before, "{method} {path} with {forgery:?} changed the store");
        }
    }
    // Still signed in: the forged logouts ended nothing.
    assert_eq!(client.get("/api/v1/me").await.status(), 200);

    // The genuine request works, proving the 403s came from the CSRF check.
    let ok = client.post_form("/users/bob/role", &csrf, &[("role", "admin")]).await;
    assert_eq!(ok.status(), 303);
    assert_ne!(snapshot(&app).await, before);

    // Sign-in itself is protected too (login CSRF).
    let anonymous = app.client();
    let response = anonymous
        .http
        .post(anonymous.url("/login"))
        .header("Origin", anonymous.origin())
        .form(&[("username", "alice"), ("password", "alice passphrase")])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 403);
    app.stop().await;
}
