//! The console beyond the happy path of `moh::browser`, in one real headless Chromium session per
//! backend (one browser start, one server): keyboard-only use, drag-and-drop upload of several
//! files, drag reordering, and a phone-sized window. `hold` adds the category page's test hold by
//! keyboard against the fake Asterisk (its own server and browser).
//!
//! The drag tests dispatch real `DragEvent`s carrying a `DataTransfer` (with `File`s built in the
//! page from fixture bytes) at the page's own handlers: WebDriver cannot drive a native OS drag, and
//! this is the closest honest substitute — the page code under test is exactly what runs on a drop.
//! Everything else is real key presses and real form posts.

mod drag;
mod hold;
mod keyboard;
mod phone;

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::Value;

use super::{ADMIN_PW, spawn};
use crate::on_both_backends;
use crate::support::browser::Browser;
use crate::support::{Backend, TestApp};

on_both_backends!(console_by_keyboard_drag_and_phone);

async fn console_by_keyboard_drag_and_phone(backend: Backend) {
    let app = spawn(backend).await;
    app.add_user("admin", ringside::auth::Role::Admin, ADMIN_PW).await;
    let browser = Browser::start().await;
    browser.emulate_focus().await;
    let b = &browser.client;
    sign_in(b, &app, "/moh").await;

    // Create a category and upload into it with the keyboard alone; then drop three more files on
    // the upload zone and drag one to another place; then move, rename and delete by keyboard.
    keyboard::create_category(b, "kbd").await;
    keyboard::upload_with_picker(b, &app).await;
    drag::drop_several_files(b, &app).await;
    drag::reorder_by_drag(b, &app, "kbd").await;
    keyboard::move_rename_and_delete(b, &app, "kbd").await;
    phone::usable_on_a_phone(b, &app, "kbd").await;

    browser.close().await;
    app.stop().await;
}

/// Signs in as the admin through the login form and waits for `next`.
pub async fn sign_in(b: &Client, app: &TestApp, next: &str) {
    b.goto(&app.url(&format!("/login?next={next}"))).await.expect("open");
    b.find(Locator::Id("username")).await.expect("user").send_keys("admin").await.expect("type");
    b.find(Locator::Id("password")).await.expect("pw").send_keys(ADMIN_PW).await.expect("type");
    b.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("sign in");
    b.wait().for_element(Locator::Css("form.logout")).await.expect("signed in");
}

/// Runs `script` in the page and returns its value.
pub async fn js(b: &Client, script: &str, args: Vec<Value>) -> Value {
    b.execute(script, args).await.unwrap_or_else(|e| panic!("script failed ({e}): {script}"))
}

/// Polls `script` until it returns something truthy (deadline `secs`); returns that value.
pub async fn until(b: &Client, what: &str, secs: u64, script: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        // A navigation in progress makes the script fail; that is "not yet".
        if let Ok(v) = b.execute(script, vec![]).await
            && !matches!(v, Value::Null | Value::Bool(false))
            && v != Value::String(String::new())
        {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Marks the current document so [`new_page`] can tell when it was replaced.
pub async fn mark_page(b: &Client) {
    js(b, "window.rsOldPage = true; return true;", vec![]).await;
}

/// Waits until the marked document was replaced by a fully loaded new one.
pub async fn new_page(b: &Client, what: &str) {
    until(b, what, 30, "return window.rsOldPage !== true && document.readyState === 'complete';").await;
}

/// The display names of the category page's files, in the order shown.
pub async fn shown_order(b: &Client) -> Vec<String> {
    let names = js(
        b,
        "return [...document.querySelectorAll('li.moh-file .display-name')].map(e => e.textContent);",
        vec![],
    )
    .await;
    serde_json::from_value(names).expect("names")
}

/// The category's files from the API as `(display name, stored name)`, by position.
pub async fn stored_order(app: &TestApp, category: &str) -> Vec<(String, String)> {
    let mut files = app.app().state.moh.category(category).await.expect("category").files;
    files.sort_by_key(|f| f.position);
    files.into_iter().map(|f| (f.display_name, f.stored_name)).collect()
}

/// Asserts that every file's stored name starts with its `NNNN` position and that every format of
/// it is on disk under that name (and nothing else is in the folder).
pub fn assert_disk_follows(app: &TestApp, category: &str, stored: &[(String, String)]) {
    let folder = super::moh_root(app).join(category);
    let mut expected = Vec::new();
    for (i, (_, name)) in stored.iter().enumerate() {
        assert!(name.starts_with(&format!("{:04}-", i + 1)), "{name} is not at position {}", i + 1);
        for ext in ["alaw", "sln16", "ulaw", "wav", "wav16"] {
            expected.push(format!("{name}.{ext}"));
        }
    }
    expected.sort();
    assert_eq!(super::tree(&folder), expected, "files on disk follow the order");
}
