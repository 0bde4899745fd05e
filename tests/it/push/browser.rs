//! In a real headless Chromium: the servers page shows a call put on hold without a reload
//! (servers.js polls the holds API), "Apply now" works from the button, and a server added with
//! the form reaches `in sync` (a bad value is shown next to its field).

use std::time::Duration;

use fantoccini::Locator;

use super::{AMI_SECRET, ARI_PASSWORD, Rig, SERVER, Setup};
use crate::fakes::ami::moh_start_frame;
use crate::on_both_backends;
use crate::support::Backend;
use crate::support::browser::Browser;

on_both_backends!(
    live_holds_update_without_reload_and_apply_now_works,
    a_server_added_with_the_form_reaches_in_sync
);

/// Starts a browser signed in as an admin.
async fn signed_in_browser(rig: &Rig) -> Browser {
    rig.app.add_user("alice", ringside::auth::Role::Admin, "alice passphrase").await;
    let browser = Browser::start().await;
    let b = &browser.client;
    b.goto(&rig.app.url("/login")).await.expect("open");
    b.find(Locator::Id("username")).await.expect("username").send_keys("alice").await.expect("type");
    b.find(Locator::Id("password")).await.expect("pw").send_keys("alice passphrase").await.expect("type");
    click(b, "button[type=submit]").await;
    b.wait().for_element(Locator::Css("form.logout")).await.expect("signed in");
    browser
}

async fn click(b: &fantoccini::Client, css: &str) {
    b.find(Locator::Css(css)).await.expect(css).click().await.expect("click");
}

async fn fill(b: &fantoccini::Client, field: &str, value: &str) {
    let input = b.find(Locator::Id(&format!("f-{field}"))).await.expect(field);
    input.clear().await.expect("clear");
    input.send_keys(value).await.expect("type");
}

async fn a_server_added_with_the_form_reaches_in_sync(backend: Backend) {
    let rig = Rig::start(backend, Setup { from_console: true, ..Setup::default() }).await;
    let browser = signed_in_browser(&rig).await;
    let b = &browser.client;
    b.goto(&rig.app.url("/servers")).await.expect("servers page");
    b.find(Locator::LinkText("Add a server")).await.expect("add link").click().await.expect("click");
    b.wait().for_element(Locator::Id("server-form")).await.expect("form");
    let s = &rig.server;
    let path = |p: &Option<std::path::PathBuf>| p.as_ref().map(|p| p.display().to_string()).expect("path");
    let fields = [
        ("name", SERVER.to_string()),
        ("ari_url", s.ari_url.clone().expect("url")),
        ("ari_user", s.ari_user.clone().expect("user")),
        ("ari_password", ARI_PASSWORD.to_string()),
        ("ami_host", "a b".to_string()),
        ("ami_port", s.ami_port.to_string()),
        ("ami_user", s.ami_user.clone().expect("user")),
        ("ami_secret", AMI_SECRET.to_string()),
        ("moh_root", path(&s.moh_root)),
        ("conf_path", path(&s.conf_path)),
    ];
    for (field, value) in &fields {
        fill(b, field, value).await;
    }
    click(b, "#server-form button[type=submit]").await;
    let refused = Locator::XPath("//small[@id='e-ami_host'][contains(., 'host name or IP address')]");
    b.wait().for_element(refused).await.expect("the message next to the field");
    assert!(rig.app.app().state.push.snapshots().is_empty(), "nothing added");
    // The typed values are kept (secrets are typed again).
    fill(b, "ami_host", "127.0.0.1").await;
    fill(b, "ari_password", ARI_PASSWORD).await;
    fill(b, "ami_secret", AMI_SECRET).await;
    click(b, "#server-form button[type=submit]").await;
    b.wait().for_element(Locator::Css("p.notice")).await.expect("added notice");
    rig.wait_in_sync().await;
    b.refresh().await.expect("reload");
    let page = b.source().await.expect("source");
    assert!(page.contains("added in the console") && page.contains("in sync"), "{page}");
    assert!(!page.contains(AMI_SECRET) && !page.contains(ARI_PASSWORD));
    browser.close().await;
    rig.app.stop().await;
}

async fn live_holds_update_without_reload_and_apply_now_works(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    let before = rig.wait_in_sync().await;
    let browser = signed_in_browser(&rig).await;
    let b = &browser.client;
    b.goto(&rig.app.url("/servers")).await.expect("servers page");
    let table = Locator::Css("table[data-live-holds] tbody");
    let text = b.find(table).await.expect("holds").text().await.expect("text");
    assert!(text.contains("No call is on hold"), "{text}");

    rig.ami.push_raw(&moh_start_frame("1796413654.99", "jazz"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let text = b.find(table).await.expect("holds").text().await.expect("text");
        if text.contains("jazz") && text.contains("Local/s@moh-test-00000005;2") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "live holds did not update: {text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    click(b, "section.server form[action$='/apply'] button").await;
    b.wait().for_element(Locator::Css("p.notice")).await.expect("queued notice");
    rig.wait_for("apply now deployed", |s| s.deploys > before.deploys).await;
    browser.close().await;
    rig.app.stop().await;
}
