//! The category page's test hold in a real browser, by keyboard alone, against the fake ARI and
//! AMI: Tab to the disclosure, open it with Enter, choose the server, type the destination, submit
//! with Enter; the new page says in words that Asterisk started the class. Also: a file dropped
//! beside the upload zone is caught by the page instead of making the browser leave it.

use fantoccini::key::Key;
use serde_json::json;

use super::keyboard::{assert_focus_visible, press, tab_to, type_text};
use super::{js, mark_page, new_page, sign_in};
use crate::moh::ADMIN_PW;
use crate::on_both_backends;
use crate::push::{Rig, Setup};
use crate::support::Backend;
use crate::support::browser::Browser;

on_both_backends!(test_hold_by_keyboard_and_stray_drops_stay_on_the_page);

/// Fires dragover and drop carrying a file at the page heading (outside the upload zone); returns
/// whether the page cancelled each (a cancelled drop is not opened by the browser).
const STRAY_DROP: &str = r#"
const dt = new DataTransfer();
dt.items.add(new File([new Uint8Array([1, 2, 3])], "stray.wav", { type: "audio/wav" }));
const at = document.querySelector("main h1");
const fire = (type) => !at.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
return { over: fire("dragover"), drop: fire("drop"), effect: dt.dropEffect };
"#;

async fn test_hold_by_keyboard_and_stray_drops_stay_on_the_page(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    rig.wait_in_sync().await;
    rig.app.add_user("admin", ringside::auth::Role::Admin, ADMIN_PW).await;
    let jazz = ringside::moh::CategoryInput { name: Some("jazz".into()), ..Default::default() };
    rig.app.app().state.moh.create(&ringside::audit::Actor::system(), &jazz).await.expect("category jazz");
    let browser = Browser::start().await;
    browser.emulate_focus().await;
    let b = &browser.client;
    sign_in(b, &rig.app, "/moh/jazz").await;

    let stray = js(b, STRAY_DROP, vec![]).await;
    assert_eq!(stray, json!({ "over": true, "drop": true, "effect": "none" }), "stray drops are caught");

    tab_to(b, "#test-hold > summary", false).await;
    assert_focus_visible(b, "#test-hold > summary").await;
    press(b, Key::Enter).await;
    tab_to(b, "#th-server", false).await;
    assert_focus_visible(b, "#th-server").await;
    tab_to(b, "#th-destination", false).await;
    type_text(b, "1001@from-internal").await;
    mark_page(b).await;
    press(b, Key::Enter).await;
    new_page(b, "the category page with the test hold result").await;
    let status =
        js(b, "return document.querySelector('#test-hold-result [role=status]').textContent;", vec![]).await;
    assert!(
        status.as_str().unwrap_or_default().contains("Asterisk reported MusicOnHoldStart with class jazz"),
        "{status}"
    );
    browser.close().await;
    rig.app.stop().await;
}
