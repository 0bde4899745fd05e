//! Session cookies: flags, a fresh ID at every sign-in, server-side logout and expiry.

use crate::on_both_backends;
use crate::support::{Backend, Client, TestApp};
use ringside::auth::{Role, secret_digest};

on_both_backends!(cookie_flags_fixation_logout_and_expiry);

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rs_session="))
        .map(str::to_string)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.trim_start_matches("rs_session=").split(';').next().unwrap_or_default().to_string()
}

/// A client that sends exactly this session cookie (no jar), to replay old IDs.
async fn status_with_cookie(app: &TestApp, value: &str) -> u16 {
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let response = http
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("rs_session={value}"))
        .send()
        .await
        .expect("send");
    response.status().as_u16()
}

async fn cookie_flags_fixation_logout_and_expiry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.add_user("alice", Role::Admin, "alice passphrase").await;
    let client = app.client();

    let first = client.login("alice", "alice passphrase").await;
    let set = session_cookie(&first).expect("session cookie on sign-in");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(flag), "{set} lacks {flag}");
    }
    assert!(!set.contains("Secure"), "plain-HTTP loopback cookies cannot be Secure: {set}");
    let first_id = cookie_value(&set);

    // Signing in again with a session already in the browser yields a different ID and kills the old.
    let second = client.login("alice", "alice passphrase").await;
    let second_id = cookie_value(&session_cookie(&second).expect("new cookie"));
    assert_ne!(first_id, second_id);
    assert_eq!(status_with_cookie(&app, &first_id).await, 401, "pre-login ID must be dead");
    assert_eq!(status_with_cookie(&app, &second_id).await, 200);

    // Logout ends the session on the server: replaying the cookie does not work.
    let csrf = client.csrf_from("/moh").await;
    assert_eq!(client.post_form("/logout", &csrf, &[]).await.status(), 303);
    assert_eq!(status_with_cookie(&app, &second_id).await, 401, "logged-out ID must be dead");
    assert!(app.store().session(&secret_digest(&second_id)).await.expect("lookup").is_none());

    // Idle expiry: a session last seen 31 minutes ago is gone.
    let idle = Client::new(app.addr);
    let response = idle.login("alice", "alice passphrase").await;
    let id = cookie_value(&session_cookie(&response).expect("cookie"));
    let stale = ringside::auth::now_ms() - 31 * 60 * 1000;
    app.store().touch_session(&secret_digest(&id), stale).await.expect("age the session");
    assert_eq!(status_with_cookie(&app, &id).await, 401, "idle session must expire");
    app.stop().await;
}

#[tokio::test]
async fn https_public_url_makes_cookies_secure() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, |c| c.web.public_url = Some("https://pbx.example".into())).await;
    app.add_user("alice", Role::Admin, "alice passphrase").await;
    let client = app.client();
    let response = client.login("alice", "alice passphrase").await;
    let set = session_cookie(&response).expect("cookie");
    assert!(set.contains("; Secure"), "{set}");
    app.stop().await;
}
