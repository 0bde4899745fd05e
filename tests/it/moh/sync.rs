//! Per-server sync badges on the Music on Hold pages and API, against the fake ARI and AMI: a
//! category Asterisk took reads `in sync`; one it lost after the reload reads `failed` with
//! Asterisk's reason as visible text and tooltip. Without servers there is no badge at all.

use std::time::{Duration, Instant};

use ringside::config::AsteriskServerConfig;

use super::Api;
use crate::fakes::ami::FakeAmi;
use crate::fakes::ari::FakeAri;
use crate::on_both_backends;
use crate::push::{AMI_SECRET, AMI_USER, ARI_PASSWORD, ARI_USER, SERVER};
use crate::support::{Backend, TestApp};

on_both_backends!(pages_show_each_servers_sync_state);

/// The `<ul class="sync-badges">` of `category` on the page, or "" if there is none.
fn badges_of<'a>(page: &'a str, category: &str) -> &'a str {
    let marker = format!("data-moh-status=\"{category}\"");
    let Some(at) = page.find(&marker) else { return "" };
    let end = page[at..].find("</ul>").map_or(page.len(), |e| at + e);
    &page[at..end]
}

/// Polls `path` until the badges of `category` contain `text` (deadline 20 s).
async fn page_until(api: &Api, path: &str, category: &str, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = api.client.get(path).await.text().await.expect("page");
        if badges_of(&page, category).contains(text) {
            return page;
        }
        assert!(Instant::now() < deadline, "{path} never showed {text:?} for {category}:\n{page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn pages_show_each_servers_sync_state(backend: Backend) {
    let asterisk = tempfile::tempdir().expect("temp dir");
    let conf = asterisk.path().join("musiconhold_ringside.conf");
    let ami = FakeAmi::new(AMI_USER, AMI_SECRET);
    ami.load_conf_on_reload(&conf);
    let ami_addr = ami.listen().await;
    let ari = FakeAri::start(ARI_USER, ARI_PASSWORD).await;
    let reload = ami.clone();
    ari.on_reload(move || reload.reload_moh());
    let server = AsteriskServerConfig {
        name: SERVER.into(),
        enabled: true,
        ari_url: Some(ari.base_url()),
        ari_user: Some(ARI_USER.into()),
        ari_password: Some(ARI_PASSWORD.into()),
        ami_host: Some("127.0.0.1".into()),
        ami_port: ami_addr.port(),
        ami_user: Some(AMI_USER.into()),
        ami_secret: Some(AMI_SECRET.into()),
        moh_root: Some(asterisk.path().join("moh")),
        conf_path: Some(conf.clone()),
        cdr_csv_path: None,
        cdr_timezone: None,
        cdr_columns: None,
    };
    let app = TestApp::spawn_with(backend, |c| c.asterisk = vec![server]).await;
    let api = Api::admin(&app).await;
    let (status, _) = api
        .send(reqwest::Method::POST, "/api/v1/moh/categories", Some(serde_json::json!({ "name": "lobby" })))
        .await;
    assert_eq!(status, 201);

    // Asterisk took it: the category page and the list say so in words.
    let page = page_until(&api, "/moh/lobby", "lobby", "pbx1: in sync").await;
    assert!(badges_of(&page, "lobby").contains("class=\"badge sync-in_sync\""), "{page}");
    let list = page_until(&api, "/moh", "lobby", "pbx1: in sync").await;
    assert!(list.contains("<th scope=\"col\">Status</th>"), "the list has a status column");
    let (_, shown) = api.get("/api/v1/moh/categories/lobby").await;
    assert_eq!(
        shown["category"]["sync"],
        serde_json::json!([{
            "server": "pbx1", "state": "in_sync", "label": "in sync", "icon": "✓", "detail": ""
        }])
    );

    // Asterisk loses the next new class on reload: `failed`, with its reason visible and as a tooltip.
    ami.lose_class_on_reload("queue");
    let (status, _) = api
        .send(reqwest::Method::POST, "/api/v1/moh/categories", Some(serde_json::json!({ "name": "queue" })))
        .await;
    assert_eq!(status, 201);
    let page = page_until(&api, "/moh/queue", "queue", "pbx1: failed").await;
    let badge = badges_of(&page, "queue");
    let reason = "class &#39;queue&#39; is missing";
    assert!(badge.contains(&format!("title=\"{reason}")), "reason as tooltip: {badge}");
    assert!(badge.contains(&format!("<span class=\"sync-detail\">— {reason}")), "reason as text: {badge}");
    let list = page_until(&api, "/moh", "queue", "pbx1: failed").await;
    assert!(badges_of(&list, "queue").contains(&format!("title=\"{reason}")), "{list}");
    app.stop().await;
}

/// With no Asterisk server configured, the pages carry no badge, no status column and no test hold.
pub async fn assert_no_badges(api: &Api) {
    for path in ["/moh", "/moh/default"] {
        let page = api.client.get(path).await.text().await.expect("page");
        assert!(!page.contains("sync-badges") && !page.contains(">Status</th>"), "{path}: {page}");
        assert!(!page.contains("Test hold on Asterisk"), "no server, no test hold: {page}");
    }
}
