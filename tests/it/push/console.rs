//! Servers managed in the console: added with the form it reaches `in sync` against the fakes
//! without a restart; edited with blank secrets it keeps them; disabled its sessions close;
//! deleted it is gone with its results. Hostile values are refused with the reason and nothing is
//! stored; config-file servers are read-only; secrets never appear in a page, the API or the audit.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::{AMI_SECRET, ARI_PASSWORD, Rig, SERVER, Setup};
use crate::on_both_backends;
use crate::support::{Backend, Client};

on_both_backends!(
    a_console_server_is_added_edited_disabled_and_deleted_live,
    hostile_or_clashing_servers_are_refused
);

async fn api(client: &Client, csrf: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = client
        .http
        .request(method, client.url(path))
        .header("X-CSRF-Token", csrf)
        .header("Origin", client.origin());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Polls `done` with a deadline of 20 s.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn a_console_server_is_added_edited_disabled_and_deleted_live(backend: Backend) {
    let rig = Rig::start(backend, Setup { from_console: true, ..Setup::default() }).await;
    let admin = rig.admin().await;
    assert!(rig.app.app().state.push.snapshots().is_empty());
    let csrf = admin.csrf_from("/servers/new").await;
    let s = &rig.server;
    let port = s.ami_port.to_string();
    let fields = [
        ("name", SERVER),
        ("enabled", "true"),
        ("ari_url", s.ari_url.as_deref().expect("ari url")),
        ("ari_user", s.ari_user.as_deref().expect("ari user")),
        ("ari_password", ARI_PASSWORD),
        ("ami_host", "127.0.0.1"),
        ("ami_port", port.as_str()),
        ("ami_user", s.ami_user.as_deref().expect("ami user")),
        ("ami_secret", AMI_SECRET),
        ("moh_root", s.moh_root.as_ref().and_then(|p| p.to_str()).expect("root")),
        ("conf_path", s.conf_path.as_ref().and_then(|p| p.to_str()).expect("conf")),
    ];
    let added = admin.post_form("/servers/new", &csrf, &fields).await;
    assert_eq!(added.status(), 303, "{:?}", added.text().await);
    let first = rig.wait_in_sync().await;
    assert!(rig.conf.exists() && rig.root.join("jazz/intro.wav").exists(), "deployed to the new server");

    let page = admin.get("/servers").await.text().await.expect("page");
    assert!(page.contains("added in the console") && page.contains(&format!("/servers/{SERVER}/edit")));
    let form = admin.get(&format!("/servers/{SERVER}/edit")).await.text().await.expect("edit page");
    assert!(form.contains("set — leave blank to keep it") && form.contains("127.0.0.1"));
    let (status, settings) =
        api(&admin, &csrf, Method::GET, &format!("/api/v1/servers/{SERVER}/settings"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (settings["ari_password_set"].clone(), settings["origin"].clone()),
        (json!(true), json!("console"))
    );
    let listed = admin.get("/api/v1/servers").await.text().await.expect("list");
    for shown in [&page, &form, &settings.to_string(), &listed] {
        assert!(!shown.contains(AMI_SECRET) && !shown.contains(ARI_PASSWORD), "a secret was shown: {shown}");
    }

    // Edit with blank secrets: the stored ones stay, the links restart and deploy again.
    let logins = rig.ami.logins.load(Ordering::Relaxed);
    let mut edited: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| *k != "name").copied().collect();
    edited.retain(|(k, _)| !matches!(*k, "ari_password" | "ami_secret"));
    edited.extend([("ari_password", ""), ("ami_secret", ""), ("cdr_timezone", "Europe/Berlin")]);
    let saved = admin.post_form(&format!("/servers/{SERVER}/edit"), &csrf, &edited).await;
    assert_eq!(saved.status(), 303, "{:?}", saved.text().await);
    let row = rig.app.store().list_servers().await.expect("rows").pop().expect("row");
    assert_eq!(
        (row.ari_password.as_deref(), row.ami_secret.as_deref()),
        (Some(ARI_PASSWORD), Some(AMI_SECRET))
    );
    assert_eq!(row.cdr_timezone.as_deref(), Some("Europe/Berlin"));
    rig.wait_for("a fresh login and deploy after the edit", |snap| {
        snap.deploys > first.deploys && snap.ami.state == "connected"
    })
    .await;
    assert!(rig.ami.logins.load(Ordering::Relaxed) > logins, "AMI logged in again with the kept secret");
    rig.wait_in_sync().await;

    // Disable: the sessions close; delete: the server and its results are gone.
    let off = admin.post_form(&format!("/servers/{SERVER}/enabled"), &csrf, &[("enabled", "false")]).await;
    assert_eq!(off.status(), 303);
    assert!(!rig.snapshot().enabled);
    eventually("the AMI session to close", || rig.ami.live.load(Ordering::Relaxed) == 0).await;
    let gone = admin.post_form(&format!("/servers/{SERVER}/delete"), &csrf, &[]).await;
    assert_eq!(gone.status(), 303);
    assert!(rig.app.app().state.push.snapshot(SERVER).is_none());
    assert!(rig.app.store().list_servers().await.expect("rows").is_empty());
    assert!(rig.app.store().push_deploys().await.expect("deploys").is_empty(), "results deleted too");

    let audit = rig
        .app
        .store()
        .list_audit(&ringside::store::AuditFilter { limit: 100, ..Default::default() })
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for action in ["server.add", "server.edit", "server.disable", "server.delete"] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }
    let edit = audit.iter().find(|a| a.action == "server.edit").expect("edit line");
    assert_eq!(edit.detail, "changed: cdr_timezone");
    let all = format!("{audit:?}");
    assert!(!all.contains(AMI_SECRET) && !all.contains(ARI_PASSWORD));
    rig.app.stop().await;
}

async fn hostile_or_clashing_servers_are_refused(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    let admin = rig.admin().await;
    let csrf = admin.csrf_from("/servers").await;
    let base = json!({"name": "pbx9", "ami_host": "127.0.0.1", "ami_user": "u", "ami_secret": "s"});
    let hostile = [
        ("ari_url", json!("http://127.0.0.1:8088/ari\r\nX-Injected: 1"), "ari_url"),
        ("ari_url", json!("file:///etc/passwd"), "ari_url"),
        ("ari_url", json!("http://user:pw@127.0.0.1/ari"), "ari_url"),
        ("ami_host", json!("127.0.0.1\r\nAction: Originate"), "ami_host"),
        ("ami_user", json!("u\r\nAction: Originate"), "ami_user"),
        ("ami_port", json!(0), "ami_port"),
        ("moh_root", json!("moh/relative"), "moh_root"),
        ("conf_path", json!("/etc/asterisk/x.conf\n#include evil"), "conf_path"),
        ("name", json!("../etc"), "name"),
    ];
    for (field, value, named) in hostile {
        let mut body = base.clone();
        body[field] = value.clone();
        let (status, answer) = api(&admin, &csrf, Method::POST, "/api/v1/servers", Some(body)).await;
        let reason = answer["error"].as_str().unwrap_or_default();
        assert_eq!(status, 400, "{field}={value}: {answer}");
        assert!(reason.contains(named), "{field}={value}: the reason names the field: {reason}");
    }
    let (status, _) =
        api(&admin, &csrf, Method::POST, "/api/v1/servers", Some(json!({"name": "x", "extra": 1}))).await;
    assert_eq!(status, 400, "unknown fields are refused");
    // The form shows the message next to the field and keeps what was typed (never a secret).
    let page = admin
        .post_form(
            "/servers/new",
            &csrf,
            &[("name", "pbx9"), ("ami_host", "a b"), ("ami_user", "u"), ("ami_secret", "typed-secret")],
        )
        .await;
    assert_eq!(page.status(), 400);
    let html = page.text().await.expect("page");
    assert!(html.contains("must be a host name or IP address") && html.contains("value=\"a b\""), "{html}");
    assert!(!html.contains("typed-secret"));
    assert!(rig.app.store().list_servers().await.expect("rows").is_empty(), "nothing stored");

    // The config file's server: its name is taken, and it is read-only here.
    let (status, _) =
        api(&admin, &csrf, Method::POST, "/api/v1/servers", Some(json!({"name": SERVER}))).await;
    assert_eq!(status, 409);
    let (status, answer) = api(
        &admin,
        &csrf,
        Method::PATCH,
        &format!("/api/v1/servers/{SERVER}"),
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert!(answer["error"].as_str().unwrap_or_default().contains("config file"));
    let (status, _) = api(&admin, &csrf, Method::DELETE, &format!("/api/v1/servers/{SERVER}"), None).await;
    assert_eq!(status, 409);
    assert!(rig.snapshot().enabled);

    // A valid add through the API answers 201 without secrets; a viewer may not add.
    let (status, added) = api(&admin, &csrf, Method::POST, "/api/v1/servers", Some(base.clone())).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["ami_secret_set"], true);
    assert!(added.get("ami_secret").is_none());
    let (status, _) =
        api(&admin, &csrf, Method::PATCH, "/api/v1/servers/pbx9", Some(json!({"ami_port": 70000}))).await;
    assert_eq!(status, 400);
    rig.app.add_user("val", ringside::auth::Role::Viewer, "correct horse battery").await;
    let viewer = rig.app.signed_in("val", "correct horse battery").await;
    let viewer_csrf = viewer.csrf_from("/servers").await;
    let (status, _) =
        api(&viewer, &viewer_csrf, Method::POST, "/api/v1/servers", Some(json!({"name": "pbx8"}))).await;
    assert_eq!(status, 403);
    let (status, _) = api(&viewer, &viewer_csrf, Method::DELETE, "/api/v1/servers/pbx9", None).await;
    assert_eq!(status, 403);
    let spec: Value = admin.get("/api/v1/openapi.json").await.json().await.expect("spec");
    for path in ["/api/v1/servers", "/api/v1/servers/{name}", "/api/v1/servers/{name}/settings"] {
        assert!(spec["paths"].get(path).is_some(), "{path} documented");
    }
    rig.app.stop().await;
}
