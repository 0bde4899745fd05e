//! Every route checks its role: viewers get 403 on admin actions, anonymous pages redirect to the
//! login page, the anonymous API gets 401, and a revoked token stops working.

use crate::on_both_backends;
use crate::support::{Backend, TestApp};
use ringside::auth::{Role, TokenName, tokens};

on_both_backends!(
    viewers_are_refused_admin_actions,
    anonymous_requests_are_refused,
    api_tokens_and_revocation
);

const ADMIN_PAGES: &[&str] = &["/users", "/audit"];
const ADMIN_API_GETS: &[&str] = &["/api/v1/users", "/api/v1/audit"];
const VIEWER_PAGES: &[&str] = &["/moh", "/calls", "/servers"];

async fn viewers_are_refused_admin_actions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.add_user("alice", Role::Admin, "alice passphrase").await;
    app.add_user("victor", Role::Viewer, "victor passphrase").await;
    let viewer = app.signed_in("victor", "victor passphrase").await;
    let csrf = viewer.csrf_from("/moh").await;
    for page in VIEWER_PAGES {
        assert_eq!(viewer.get(page).await.status(), 200, "viewer reads {page}");
    }
    for path in ADMIN_PAGES.iter().chain(ADMIN_API_GETS) {
        assert_eq!(viewer.get(path).await.status(), 403, "viewer GET {path}");
    }
    let before = app.store().list_users().await.expect("users").len();
    for path in ["/users", "/users/alice/role", "/users/alice/password", "/users/alice/remove"] {
        let status = viewer
            .post_form(path, &csrf, &[("username", "x"), ("role", "viewer"), ("password", "0123456789ab")])
            .await
            .status();
        assert_eq!(status, 403, "viewer POST {path}");
    }
    for (method, path) in
        [("POST", "/api/v1/users"), ("PATCH", "/api/v1/users/alice"), ("DELETE", "/api/v1/users/alice")]
    {
        let response = viewer
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), viewer.url(path))
            .header("X-CSRF-Token", &csrf)
            .header("Sec-Fetch-Site", "same-origin")
            .json(&serde_json::json!({"username": "x", "role": "viewer", "password": "0123456789ab"}))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 403, "viewer {method} {path}");
    }
    let users = app.store().list_users().await.expect("users");
    assert_eq!(users.len(), before);
    assert!(users.iter().any(|u| u.username == "alice" && u.role == "admin"));
    app.stop().await;
}

async fn anonymous_requests_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let anonymous = app.client();
    for page in VIEWER_PAGES.iter().chain(ADMIN_PAGES).chain(&["/"]) {
        let response = anonymous.get(page).await;
        assert_eq!(response.status(), 303, "anonymous GET {page}");
        let location = response.headers()["location"].to_str().expect("location");
        assert!(location.starts_with("/login"), "{page} → {location}");
    }
    for path in ADMIN_API_GETS.iter().chain(&["/api/v1/me"]) {
        let response = anonymous.get(path).await;
        assert_eq!(response.status(), 401, "anonymous GET {path}");
        let body: serde_json::Value = response.json().await.expect("json error");
        assert!(body["error"].is_string());
    }
    app.stop().await;
}

async fn api_tokens_and_revocation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = app.store();
    let (_, viewer_secret) = tokens::create(store, &TokenName::parse("reports").expect("name"), Role::Viewer)
        .await
        .expect("token");
    let (_, admin_secret) =
        tokens::create(store, &TokenName::parse("deploy").expect("name"), Role::Admin).await.expect("token");
    let http = reqwest::Client::new();
    let get = |path: &str, secret: &str| http.get(app.url(path)).bearer_auth(secret).send();

    let me: serde_json::Value =
        get("/api/v1/me", &viewer_secret).await.expect("me").json().await.expect("json");
    assert_eq!(me["name"], "token:reports");
    assert_eq!(get("/api/v1/users", &viewer_secret).await.expect("send").status(), 403);
    assert_eq!(get("/api/v1/users", &admin_secret).await.expect("send").status(), 200);

    // Bearer requests carry no cookies, so they need no CSRF token.
    let created = http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin_secret)
        .json(&serde_json::json!({"username": "carol", "role": "viewer", "password": "carol passphrase"}))
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), 201);

    assert!(store.revoke_token("reports", ringside::auth::now_ms()).await.expect("revoke"));
    assert_eq!(get("/api/v1/me", &viewer_secret).await.expect("send").status(), 401);
    assert_eq!(get("/api/v1/me", "rs_not-a-real-token").await.expect("send").status(), 401);
    app.stop().await;
}
