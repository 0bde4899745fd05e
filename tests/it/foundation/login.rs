//! Failed sign-ins: one generic message, growing delays, and every attempt in the audit log.

use crate::on_both_backends;
use crate::support::{Backend, TestApp};
use ringside::auth::Role;
use ringside::store::AuditFilter;

on_both_backends!(wrong_password_is_generic_throttled_and_audited);

async fn wrong_password_is_generic_throttled_and_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.add_user("alice", Role::Admin, "the right passphrase").await;
    let client = app.client();

    let unknown = client.login("nobody", "whatever it is").await;
    assert_eq!(unknown.status(), 401);
    let unknown_body = unknown.text().await.expect("body");
    for _ in 0..2 {
        let wrong = client.login("alice", "the wrong passphrase").await;
        assert_eq!(wrong.status(), 401);
        let body = wrong.text().await.expect("body");
        assert!(body.contains("Invalid username or password."), "{body}");
        assert!(unknown_body.contains("Invalid username or password."));
    }
    // The third failure for alice starts the lock-out: even the right password is refused now.
    assert_eq!(client.login("alice", "the wrong passphrase").await.status(), 401);
    let locked = client.login("alice", "the right passphrase").await;
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().contains_key("retry-after"));
    assert!(locked.text().await.expect("body").contains("Too many failed attempts"));

    let store = app.store();
    let failures = store
        .list_audit(&AuditFilter {
            action: "login".into(),
            outcome: "failure".into(),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(failures.len(), 4, "three for alice, one for nobody");
    assert!(failures.iter().all(|r| r.source == "127.0.0.1"));
    let denied = store
        .list_audit(&AuditFilter {
            action: "login".into(),
            outcome: "denied".into(),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(denied.len(), 1);
    let everything =
        store.list_audit(&AuditFilter { limit: 1000, ..Default::default() }).await.expect("audit");
    for row in &everything {
        let line = format!("{} {} {} {}", row.actor, row.object, row.detail, row.action);
        assert!(!line.contains("passphrase"), "a secret reached the audit log: {line}");
    }
    app.stop().await;
}
