//! In a real headless Chromium: the servers page shows a call put on hold without a reload
//! (servers.js polls the holds API), and "Apply now" works from the button.

use std::time::Duration;

use fantoccini::Locator;

use super::{Rig, Setup};
use crate::fakes::ami::moh_start_frame;
use crate::on_both_backends;
use crate::support::Backend;
use crate::support::browser::Browser;

on_both_backends!(live_holds_update_without_reload_and_apply_now_works);

async fn live_holds_update_without_reload_and_apply_now_works(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    let before = rig.wait_in_sync().await;
    rig.app.add_user("alice", ringside::auth::Role::Admin, "alice passphrase").await;
    let browser = Browser::start().await;
    let b = &browser.client;
    b.goto(&rig.app.url("/login")).await.expect("open");
    b.find(Locator::Id("username")).await.expect("username").send_keys("alice").await.expect("type");
    b.find(Locator::Id("password")).await.expect("pw").send_keys("alice passphrase").await.expect("type");
    b.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("submit");
    b.wait().for_element(Locator::Css("form.logout")).await.expect("signed in");
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

    b.find(Locator::Css("section.server form[action$='/apply'] button"))
        .await
        .expect("apply")
        .click()
        .await
        .expect("click");
    b.wait().for_element(Locator::Css("p.notice")).await.expect("queued notice");
    rig.wait_for("apply now deployed", |s| s.deploys > before.deploys).await;
    browser.close().await;
    rig.app.stop().await;
}
