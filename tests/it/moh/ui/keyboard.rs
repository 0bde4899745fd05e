//! Keyboard only: every control is reached with Tab / Shift+Tab and operated with Enter or Space,
//! the focused control shows a visible outline, and after a move the focus stays on the moved
//! file's button. Picking a file is WebDriver's stand-in for the OS dialog (`send_keys` on the
//! focused file input), the one step a keyboard user does outside the page.

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::json;

use super::{assert_disk_follows, js, mark_page, new_page, shown_order, stored_order, until};
use crate::moh::sine_wav;
use crate::support::TestApp;

/// Presses `keys` together (each down in order, then up in reverse), like Shift+Tab.
pub(super) async fn chord(b: &Client, keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".into());
    for k in keys {
        actions = actions.then(KeyAction::Down { value: *k });
    }
    for k in keys.iter().rev() {
        actions = actions.then(KeyAction::Up { value: *k });
    }
    b.perform_actions(actions).await.expect("key press");
}

pub(super) async fn press(b: &Client, key: Key) {
    chord(b, &[key.into()]).await;
}

pub(super) async fn type_text(b: &Client, text: &str) {
    for c in text.chars() {
        chord(b, &[c]).await;
    }
}

/// Presses Tab (or Shift+Tab) until the focused element matches `selector`.
pub(super) async fn tab_to(b: &Client, selector: &str, backwards: bool) {
    let check = "return document.activeElement && document.activeElement.matches(arguments[0]);";
    for _ in 0..250 {
        if backwards {
            chord(b, &[Key::Shift.into(), Key::Tab.into()]).await;
        } else {
            press(b, Key::Tab).await;
        }
        if js(b, check, vec![json!(selector)]).await == json!(true) {
            return;
        }
    }
    panic!("{selector} cannot be reached with the Tab key");
}

/// The focused element matches `selector`, is `:focus-visible` (or focused by `autofocus` after a
/// post, which browsers never count as such) and draws a real outline.
pub(super) async fn assert_focus_visible(b: &Client, selector: &str) {
    let state = js(
        b,
        "const e = document.activeElement; const s = getComputedStyle(e);\
         return { matches: e.matches(arguments[0]), visible: e.matches(':focus-visible') || e.hasAttribute('autofocus'),\
                  style: s.outlineStyle, width: parseFloat(s.outlineWidth), what: e.outerHTML.slice(0, 120) };",
        vec![json!(selector)],
    )
    .await;
    assert_eq!(state["matches"], true, "focus is on {selector}, not {}", state["what"]);
    assert_eq!(state["visible"], true, "focus on {selector} is :focus-visible: {state}");
    assert!(state["style"] != "none" && state["width"].as_f64().unwrap_or(0.0) >= 2.0, "outline: {state}");
}

/// On `/moh`: the name field, typing, the create button, Enter.
pub async fn create_category(b: &Client, name: &str) {
    tab_to(b, "#f-name", false).await;
    assert_focus_visible(b, "#f-name").await;
    type_text(b, name).await;
    tab_to(b, "#moh-create button[type=submit]", false).await;
    assert_focus_visible(b, "#moh-create button[type=submit]").await;
    mark_page(b).await;
    press(b, Key::Enter).await;
    new_page(b, "the new category's page").await;
    let h1 = js(b, "return document.querySelector('main h1').textContent;", vec![]).await;
    assert!(h1.as_str().unwrap_or_default().starts_with(name), "{h1}");
}

/// On the category page: Tab to the file input, pick a file, follow the report's link by Enter.
pub async fn upload_with_picker(b: &Client, app: &TestApp) {
    let wav = app.dir.path().join("Keyboard tune.wav");
    std::fs::write(&wav, sine_wav(44_100, 1, 1.0, 440.0)).expect("write wav");
    tab_to(b, "#moh-upload-input", false).await;
    assert_focus_visible(b, "#moh-upload-input").await;
    b.active_element().await.expect("focused").send_keys(&wav.display().to_string()).await.expect("pick");
    until(
        b,
        "the keyboard upload's report",
        60,
        "return document.querySelector('#moh-progress li.upload-done');",
    )
    .await;
    let report = js(b, "return document.querySelector('#moh-progress li').textContent;", vec![]).await;
    assert!(report.as_str().unwrap_or_default().contains("Keyboard tune.wav"), "{report}");
    tab_to(b, "#moh-progress a", false).await;
    assert_focus_visible(b, "#moh-progress a").await;
    mark_page(b).await;
    press(b, Key::Enter).await;
    new_page(b, "the list with the upload").await;
    assert_eq!(shown_order(b).await, ["Keyboard tune.wav"]);
}

/// The id of the file shown at `index`.
async fn file_id(b: &Client, index: usize) -> String {
    let id = js(
        b,
        "return document.querySelectorAll('li.moh-file')[arguments[0]].dataset.id;",
        vec![json!(index)],
    );
    id.await.as_str().expect("id").to_string()
}

/// Presses `key` on the focused move button; the page comes back with `order` and the focus on
/// `focus` (a selector).
async fn move_by_key(b: &Client, key: Key, order: &[&str], focus: &str) {
    mark_page(b).await;
    press(b, key).await;
    new_page(b, "the page after a move").await;
    assert_eq!(shown_order(b).await, order);
    assert_focus_visible(b, focus).await;
}

/// Four files are shown; moves the first down twice and up twice by keyboard, renames it, deletes it.
pub async fn move_rename_and_delete(b: &Client, app: &TestApp, category: &str) {
    b.goto(&app.url(&format!("/moh/{category}"))).await.expect("open");
    let start = shown_order(b).await;
    let names: Vec<&str> = start.iter().map(String::as_str).collect();
    let [first, second, third, fourth] = names[..] else { panic!("four files expected: {names:?}") };
    let id = file_id(b, 0).await;
    let (down, up) = (format!("#file-{id} button.move-down"), format!("#file-{id} button.move-up"));

    tab_to(b, &down, false).await;
    assert_focus_visible(b, &down).await;
    move_by_key(b, Key::Enter, &[second, first, third, fourth], &down).await;
    move_by_key(b, Key::Space, &[second, third, first, fourth], &down).await;
    tab_to(b, &up, true).await;
    move_by_key(b, Key::Enter, &[second, first, third, fourth], &up).await;
    // Now at the top its Up button is disabled: the focus moves to its Down button.
    move_by_key(b, Key::Enter, &[first, second, third, fourth], &down).await;
    assert_disk_follows(app, category, &stored_order(app, category).await);

    // Rename: open the disclosure with Enter, replace the text, submit with Enter.
    let rename = format!("#file-{id} details:nth-of-type(1) summary");
    tab_to(b, &rename, false).await;
    assert_focus_visible(b, &rename).await;
    press(b, Key::Enter).await;
    tab_to(b, &format!("#rn-{id}"), false).await;
    chord(b, &[Key::Control.into(), 'a']).await;
    type_text(b, "Renamed by keys").await;
    mark_page(b).await;
    press(b, Key::Enter).await;
    new_page(b, "the page after the rename").await;
    assert_eq!(shown_order(b).await, ["Renamed by keys", second, third, fourth]);

    // Delete with confirmation: Space opens "Delete…", Tab reaches the button, Enter confirms.
    b.goto(&app.url(&format!("/moh/{category}"))).await.expect("open");
    let delete = format!("#file-{id} details:last-of-type summary");
    tab_to(b, &delete, false).await;
    press(b, Key::Space).await;
    let confirm = format!("#file-{id} button.danger");
    tab_to(b, &confirm, false).await;
    assert_focus_visible(b, &confirm).await;
    mark_page(b).await;
    press(b, Key::Enter).await;
    new_page(b, "the page after the delete").await;
    assert_eq!(shown_order(b).await, [second, third, fourth]);
    let stored = stored_order(app, category).await;
    assert_eq!(stored.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>(), [second, third, fourth]);
    assert_disk_follows(app, category, &stored);
}
