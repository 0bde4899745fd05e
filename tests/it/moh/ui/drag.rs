//! Drag and drop: several real audio files dropped on the upload zone at once (each with its own
//! progress bar, then its transcode report), and a file dragged onto another to reorder.

use base64::Engine;
use fantoccini::Client;
use serde_json::json;

use super::{assert_disk_follows, js, mark_page, new_page, shown_order, stored_order, until};
use crate::moh::fixture;
use crate::support::TestApp;

/// Builds `File`s from base64 bytes in the page and fires dragenter, dragover and drop at the
/// upload zone. Returns whether the page accepted each event (cancelled it) and highlighted.
const DROP_FILES: &str = r#"
const [files] = arguments;
const dt = new DataTransfer();
for (const f of files) {
  const text = atob(f.base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  dt.items.add(new File([bytes], f.name, { type: f.type }));
}
// Record every status each progress row goes through.
window.rsSeen = {};
new MutationObserver(() => {
  for (const li of document.querySelectorAll('#moh-progress li')) {
    const name = li.querySelector('span').textContent;
    const status = li.querySelector('.upload-status').textContent.split(':')[0];
    const seen = (window.rsSeen[name] ||= []);
    if (seen[seen.length - 1] !== status) seen.push(status);
  }
}).observe(document.getElementById('moh-progress'), { subtree: true, childList: true, characterData: true });
const zone = document.getElementById('moh-upload');
const fire = (type) => !zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
const enter = fire('dragenter');
const over = fire('dragover');
const highlighted = zone.classList.contains('dragging');
const drop = fire('drop');
return { enter, over, highlighted, drop, after: zone.classList.contains('dragging') };
"#;

/// On the category page (one file shown): drops three fixture files on the upload zone.
pub async fn drop_several_files(b: &Client, app: &TestApp) {
    let b64 = |name: &str| base64::engine::general_purpose::STANDARD.encode(fixture(name));
    let files = json!([
        { "name": "Drop one.mp3", "type": "audio/mpeg", "base64": b64("tone-44k1-stereo.mp3") },
        { "name": "Drop two.ogg", "type": "audio/ogg", "base64": b64("tone-44k1-stereo.ogg") },
        { "name": "Drop three.flac", "type": "audio/flac", "base64": b64("tone-48k-mono-24bit.flac") },
    ]);
    let events = js(b, DROP_FILES, vec![files]).await;
    assert_eq!(
        events,
        json!({ "enter": true, "over": true, "highlighted": true, "drop": true, "after": false }),
        "the drop zone accepts the drag, highlights, and takes the drop"
    );
    let bars = js(
        b,
        "return [...document.querySelectorAll('#moh-progress li progress')].map(p => p.getAttribute('aria-label'));",
        vec![],
    )
    .await;
    assert_eq!(
        bars,
        json!(["Progress of Drop one.mp3", "Progress of Drop two.ogg", "Progress of Drop three.flac"]),
        "one progress bar per dropped file, at once"
    );
    until(
        b,
        "three transcode reports",
        60,
        "return document.querySelectorAll('#moh-progress li.upload-done').length === 3;",
    )
    .await;
    let rows = js(
        b,
        "return [...document.querySelectorAll('#moh-progress li')].map(li =>\
           ({ text: li.textContent, bar: li.querySelector('progress').value }));",
        vec![],
    )
    .await;
    for (row, name) in
        rows.as_array().expect("rows").iter().zip(["Drop one.mp3", "Drop two.ogg", "Drop three.flac"])
    {
        let text = row["text"].as_str().unwrap_or_default();
        assert!(text.starts_with(name) && text.contains("done: 0:01") && text.contains("LUFS →"), "{text}");
        assert_eq!(row["bar"], json!(100), "{name}");
    }
    let seen = js(b, "return window.rsSeen;", vec![]).await;
    for name in ["Drop one.mp3", "Drop two.ogg", "Drop three.flac"] {
        assert_eq!(seen[name], json!(["uploading…", "transcoding…", "done"]), "{name}: {seen}");
    }
    let stored = stored_order(app, "kbd").await;
    let mut names: Vec<&str> = stored.iter().map(|(d, _)| d.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Drop one.mp3", "Drop three.flac", "Drop two.ogg", "Keyboard tune.wav"]);
}

/// Fires dragstart on the file shown at `from`, dragenter/dragover/drop on the one at `to`, then
/// dragend, as a mouse drag would. Returns whether the target was marked and the drop accepted.
const DRAG_FILE: &str = r#"
const [from, to] = arguments;
const items = document.querySelectorAll('li.moh-file');
const dt = new DataTransfer();
const fire = (el, type) => !el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
fire(items[from], 'dragstart');
const enter = fire(items[to].querySelector('.file-head'), 'dragenter');
const over = fire(items[to].querySelector('.file-head'), 'dragover');
const marked = items[to].classList.contains('drop-target');
const drop = fire(items[to].querySelector('img'), 'drop');
fire(items[from], 'dragend');
return { enter, over, marked, drop, carried: dt.getData('text/plain') === items[from].dataset.id };
"#;

/// Drags the first file onto the third: the order is stored and the names on disk follow.
pub async fn reorder_by_drag(b: &Client, app: &TestApp, category: &str) {
    b.goto(&app.url(&format!("/moh/{category}"))).await.expect("open");
    let before = shown_order(b).await;
    assert_eq!(before.len(), 4);
    mark_page(b).await;
    let events = js(b, DRAG_FILE, vec![json!(0), json!(2)]).await;
    assert_eq!(
        events,
        json!({ "enter": true, "over": true, "marked": true, "drop": true, "carried": true }),
        "the list takes the drag"
    );
    new_page(b, "the page after the drag").await;
    let expected = [&before[1], &before[2], &before[0], &before[3]];
    assert_eq!(shown_order(b).await, expected.map(String::as_str));
    // A fresh load (not the redirect's) shows the same order: it is stored.
    b.goto(&app.url(&format!("/moh/{category}"))).await.expect("reload");
    assert_eq!(shown_order(b).await, expected.map(String::as_str));
    let stored = stored_order(app, category).await;
    let shown: Vec<&str> = stored.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(shown, expected.map(String::as_str));
    assert_disk_follows(app, category, &stored);
}
