//! Before any admin exists nothing signs in; the setup token creates the first admin, then dies.

use crate::on_both_backends;
use crate::support::{Backend, TestApp, csrf_in};

on_both_backends!(no_default_credentials_and_setup_token_creates_the_first_admin);

async fn no_default_credentials_and_setup_token_creates_the_first_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert!(app.data_dir().is_dir(), "the data folder is created at start");
    assert!(app.store().list_users().await.expect("list").is_empty(), "no account after install");

    let client = app.client();
    for (name, password) in
        [("admin", "admin"), ("admin", ""), ("root", "root"), ("admin", "password"), ("ringside", "ringside")]
    {
        let response = client.login(name, password).await;
        assert_eq!(response.status(), 401, "{name}/{password} must not sign in");
        let body = response.text().await.expect("body");
        assert!(body.contains("Invalid username or password."), "{body}");
    }
    assert_eq!(client.get("/api/v1/me").await.status(), 401);

    // The admin reads the token from the log; the gate is what printed it.
    let token = app.app().state.setup.peek().expect("setup token while no admin exists");
    let setup_form = client.get("/setup").await.text().await.expect("setup page");
    let csrf = csrf_in(&setup_form).expect("csrf on setup page");
    let fields = |t: &'static str| {
        vec![
            ("token", t),
            ("username", "alice"),
            ("password", "a long passphrase"),
            ("confirm", "a long passphrase"),
        ]
    };
    let wrong = client.post_form("/setup", &csrf, &fields("not-the-token")).await;
    assert_eq!(wrong.status(), 403);
    assert!(app.store().list_users().await.expect("list").is_empty(), "a wrong token creates nothing");

    let token: &'static str = Box::leak(token.into_boxed_str());
    let created = client.post_form("/setup", &csrf, &fields(token)).await;
    assert_eq!(created.status(), 303, "setup with the right token signs the new admin in");
    let users = app.store().list_users().await.expect("list");
    assert_eq!(users.len(), 1);
    assert_eq!((users[0].username.as_str(), users[0].role.as_str()), ("alice", "admin"));
    let me: serde_json::Value = client.get("/api/v1/me").await.json().await.expect("me");
    assert_eq!(me["role"], "admin");

    // The token is dead now, for everyone.
    let other = app.client();
    assert_eq!(other.get("/setup").await.status(), 303, "setup page redirects once an admin exists");
    let csrf = other.csrf_from("/login").await;
    let mut again = fields(token);
    again[1] = ("username", "mallory");
    assert_eq!(other.post_form("/setup", &csrf, &again).await.status(), 403);
    assert_eq!(app.store().list_users().await.expect("list").len(), 1);
    assert!(app.app().state.setup.peek().is_none());
    app.stop().await;
}
