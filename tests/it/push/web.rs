//! The servers page, the JSON API and the test hold, as a viewer and as an admin.

use ringside::asterisk::push::SyncState;

use super::{AMI_SECRET, ARI_PASSWORD, Rig, SERVER, Setup};
use crate::on_both_backends;
use crate::support::Backend;

on_both_backends!(servers_page_api_and_apply_now, test_hold_reports_what_asterisk_played);

async fn servers_page_api_and_apply_now(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    let before = rig.wait_in_sync().await;
    let admin = rig.admin().await;
    let page = admin.get("/servers").await.text().await.expect("page");
    for expected in ["pbx1", "22.10.1", "in sync", "Apply now", "Live holds", "jazz", "/static/servers.js"] {
        assert!(page.contains(expected), "servers page shows {expected}");
    }
    let api: serde_json::Value = admin.get("/api/v1/servers").await.json().await.expect("json");
    let server = &api["servers"][0];
    assert_eq!(server["name"], SERVER);
    assert_eq!(server["ari"]["state"], "connected");
    assert_eq!(server["ami"]["state"], "connected");
    assert_eq!(server["asterisk_version"], "22.10.1");
    assert_eq!(server["last_deploy"]["result"], "in_sync");
    let text = api.to_string() + &page;
    assert!(!text.contains(AMI_SECRET) && !text.contains(ARI_PASSWORD), "no secret in page or API");
    let status: serde_json::Value = admin.get("/api/v1/servers/status").await.json().await.expect("json");
    assert_eq!(status["classes"]["jazz"][0]["server"], SERVER);
    assert_eq!(status["classes"]["jazz"][0]["state"], "in_sync");

    let csrf = admin.csrf_from("/servers").await;
    let response = admin.post_form(&format!("/servers/{SERVER}/apply"), &csrf, &[]).await;
    assert_eq!(response.status(), 303);
    rig.wait_for("apply now deployed", |s| s.deploys > before.deploys).await;
    let response = admin
        .http
        .post(admin.url(&format!("/api/v1/servers/{SERVER}/apply")))
        .header("X-CSRF-Token", &csrf)
        .header("Origin", admin.origin())
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 202);
    let nope = admin.post_form("/servers/nosuch/apply", &csrf, &[]).await;
    assert_eq!(nope.status(), 404);
    let no_csrf = admin.post_form(&format!("/servers/{SERVER}/apply"), "forged", &[]).await;
    assert_eq!(no_csrf.status(), 403);
    let audit = rig
        .app
        .store()
        .list_audit(&ringside::store::AuditFilter {
            action: "push.apply".into(),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert!(audit.len() >= 3, "every apply is audited: {audit:?}");

    rig.app.add_user("val", ringside::auth::Role::Viewer, "correct horse battery").await;
    let viewer = rig.app.signed_in("val", "correct horse battery").await;
    let page = viewer.get("/servers").await.text().await.expect("page");
    assert!(page.contains("pbx1") && !page.contains("Apply now"), "viewers see state, not the button");
    let csrf = viewer.csrf_from("/servers").await;
    assert_eq!(viewer.post_form(&format!("/servers/{SERVER}/apply"), &csrf, &[]).await.status(), 403);
    rig.app.stop().await;
}

async fn test_hold_reports_what_asterisk_played(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    rig.wait_in_sync().await;
    let admin = rig.admin().await;
    let csrf = admin.csrf_from("/servers").await;
    let hold = |class: &'static str| {
        admin
            .http
            .post(admin.url(&format!("/api/v1/servers/{SERVER}/test-hold")))
            .header("X-CSRF-Token", &csrf)
            .header("Origin", admin.origin())
            .json(&serde_json::json!({"class": class, "destination": "1001@from-internal", "listen_secs": 0}))
            .send()
    };
    let played: serde_json::Value = hold("jazz").await.expect("POST").json().await.expect("json");
    assert_eq!(played["started"], true, "{played}");
    assert_eq!(played["reported_class"], "jazz");
    let requests = rig.ari.as_ref().expect("ari").requests();
    let originate = requests.iter().find(|r| r.starts_with("POST /ari/channels?")).expect("originated");
    assert!(
        originate.contains("endpoint=Local%2F1001%40from-internal") && originate.contains("app=ringside"),
        "{originate}"
    );
    let live = rig.app.app().state.push.live_holds();
    assert!(live.iter().any(|h| h.class == "jazz"), "the test call shows in live holds: {live:?}");

    let fallback: serde_json::Value = hold("nosuch").await.expect("POST").json().await.expect("json");
    assert_eq!(fallback["started"], false, "ARI's 204 is not proof: {fallback}");
    assert_eq!(fallback["reported_class"], "default");

    let form = admin
        .post_form(
            &format!("/servers/{SERVER}/test-hold"),
            &csrf,
            &[("class", "jazz"), ("destination", "1001@from-internal")],
        )
        .await;
    assert_eq!(form.status(), 200);
    assert!(form.text().await.expect("page").contains("Asterisk started class"));
    let holds: serde_json::Value = admin.get("/api/v1/servers/holds").await.json().await.expect("json");
    assert!(holds["holds"].as_array().is_some_and(|h| !h.is_empty()));
    assert_eq!(rig.snapshot().last_deploy.map(|d| d.result), Some(SyncState::InSync));
    rig.app.stop().await;
}
