//! The test hold on a category page, through the real server against the fake ARI and AMI: the
//! plain form places a Local call into the Stasis app and the page says, in words, whether Asterisk
//! reported `MusicOnHoldStart` with this category's class — not just that ARI answered 204. Bad
//! input is refused with 400 and its reason, and nothing is originated.

use super::Api;
use crate::on_both_backends;
use crate::push::{Rig, SERVER, Setup};
use crate::support::{Backend, Client};
use ringside::auth::Role;

on_both_backends!(category_page_test_hold_reports_what_asterisk_played);

/// Posts the category page's test-hold form; the status and the page.
async fn hold(admin: &Client, csrf: &str, category: &str, server: &str, destination: &str) -> (u16, String) {
    let fields = [("server", server), ("destination", destination)];
    let response = admin.post_form(&format!("/moh/{category}/test-hold"), csrf, &fields).await;
    (response.status().as_u16(), response.text().await.expect("page"))
}

/// How many calls the fake ARI was asked to originate.
fn originated(rig: &Rig) -> usize {
    let requests = rig.ari.as_ref().expect("ari").requests();
    requests.iter().filter(|r| r.starts_with("POST /ari/channels?")).count()
}

async fn category_page_test_hold_reports_what_asterisk_played(backend: Backend) {
    // The fake Asterisk loads the folder source's class `jazz`; Ringside also has a `nosuch`
    // category that never reaches Asterisk, so Asterisk falls back to `default` for it.
    let rig = Rig::start(backend, Setup::default()).await;
    rig.wait_in_sync().await;
    let admin = rig.admin().await;
    let csrf = admin.csrf_from("/moh").await;
    let api = Api { client: admin, csrf };
    for name in ["jazz", "nosuch"] {
        let body = serde_json::json!({ "name": name });
        let (status, _) = api.send(reqwest::Method::POST, "/api/v1/moh/categories", Some(body)).await;
        assert_eq!(status, 201, "create {name}");
    }
    let (admin, csrf) = (&api.client, api.csrf.as_str());
    let page = admin.get("/moh/jazz").await.text().await.expect("page");
    assert!(page.contains("<summary>Test hold on Asterisk</summary>"), "{page}");
    assert!(page.contains(&format!("<option value=\"{SERVER}\"")), "enabled servers to choose from: {page}");

    let (status, page) = hold(admin, csrf, "jazz", SERVER, "1001@from-internal").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Test hold on pbx1: started"), "{page}");
    assert!(
        page.contains("role=\"status\">✓ Asterisk reported MusicOnHoldStart with class <code>jazz</code>")
    );
    assert!(page.contains("<details id=\"test-hold\" open>"), "the form stays open with the values");
    let requests = rig.ari.as_ref().expect("ari").requests();
    let call = requests.iter().find(|r| r.starts_with("POST /ari/channels?")).expect("originated");
    assert!(
        call.contains("endpoint=Local%2F1001%40from-internal") && call.contains("app=ringside"),
        "{call}"
    );

    // Asterisk played another class: ARI's 204 is no proof, the page says it did not start.
    let (status, page) = hold(admin, csrf, "nosuch", SERVER, "1001@from-internal").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Test hold on pbx1: did not start"), "{page}");
    assert!(page.contains("role=\"alert\">✗ Asterisk did not start class <code>nosuch</code>"), "{page}");
    assert!(page.contains("class reported by Asterisk: <code>default</code>"), "{page}");

    // Bad input: refused with its reason on the page, and nothing is originated.
    let before = originated(&rig);
    let (status, page) = hold(admin, csrf, "jazz", SERVER, "1001\r\nAction: Originate@ctx").await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains(
        "role=\"alert\" id=\"test-hold-error\">Test hold not placed: destination must be exten@context"
    ));
    let (status, page) = hold(admin, csrf, "jazz", "pbx9", "1001@from-internal").await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("no enabled Asterisk server is named &#34;pbx9&#34;"), "{page}");
    assert_eq!(hold(admin, csrf, "gone", SERVER, "1001@from-internal").await.0, 404);
    assert_eq!(originated(&rig), before, "bad input places no call");

    // Asterisk never reports MusicOnHoldStart: after the (test) timeout the page says so.
    rig.ari.as_ref().expect("ari").on_moh(|_, _| {});
    let (status, page) = hold(admin, csrf, "jazz", SERVER, "1001@from-internal").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Test hold on pbx1: did not start"), "{page}");
    assert!(page.contains("reported no MusicOnHoldStart"), "{page}");

    let filter =
        ringside::store::AuditFilter { action: "push.test_hold".into(), limit: 20, ..Default::default() };
    let audit = rig.app.store().list_audit(&filter).await.expect("audit");
    assert!(audit.iter().any(|a| a.object == "pbx1/jazz" && a.outcome == "success"), "{audit:?}");
    assert!(audit.iter().filter(|a| a.outcome == "failure").count() >= 4, "failures audited too: {audit:?}");

    // Viewers see neither the form nor may post it.
    rig.app.add_user("val", Role::Viewer, "correct horse battery").await;
    let viewer = rig.app.signed_in("val", "correct horse battery").await;
    let page = viewer.get("/moh/jazz").await.text().await.expect("page");
    assert!(!page.contains("Test hold on Asterisk"), "{page}");
    let viewer_csrf = viewer.csrf_from("/moh").await;
    assert_eq!(hold(&viewer, &viewer_csrf, "jazz", SERVER, "1001@from-internal").await.0, 403);
    rig.app.stop().await;
}
