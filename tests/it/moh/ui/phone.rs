//! A phone-sized window (390×844 CSS pixels): the category list, a category page and an upload fit
//! the width (nothing scrolls sideways) and the controls a thumb needs are visible and at least
//! 40 px tall.

use fantoccini::{Client, Locator};
use serde_json::json;

use super::{js, mark_page, new_page, until};
use crate::moh::sine_wav;
use crate::support::TestApp;

/// The worst real name: 63 characters without a break opportunity.
const LONG: &str = "a_very_long_category_name_that_never_breaks_on_a_small_screen_9";

/// Measures the page: sideways overflow, and every element of each selector (must exist, be
/// inside the viewport's width and at least 40 px tall). Returns a list of problems.
const MEASURE: &str = r#"
const [selectors] = arguments;
const doc = document.documentElement;
const width = doc.clientWidth;
const problems = [];
if (doc.scrollWidth > width) {
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
  problems.push('page is ' + doc.scrollWidth + ' px wide for ' + width + ': ' + wide.slice(0, 6).join(', '));
}
for (const wrap of document.querySelectorAll('.table-wrap')) {
  if (wrap.scrollWidth > wrap.clientWidth) problems.push('table scrolls sideways: ' + wrap.scrollWidth);
}
for (const sel of selectors) {
  const found = document.querySelectorAll(sel);
  if (found.length === 0) problems.push(sel + ': missing');
  for (const e of found) {
    const r = e.getBoundingClientRect();
    const hidden = getComputedStyle(e).visibility !== 'visible' || r.width === 0;
    if (hidden) problems.push(sel + ': not visible');
    if (r.left < 0 || r.right > width + 0.5) problems.push(sel + ': outside ' + r.left + '..' + r.right);
    if (r.height < 40) problems.push(sel + ': ' + r.height + ' px tall');
  }
}
return problems;
"#;

async fn assert_fits(b: &Client, page: &str, selectors: &[&str]) {
    let problems = js(b, MEASURE, vec![json!(selectors)]).await;
    assert_eq!(problems, json!([]), "{page} on a phone");
}

pub async fn usable_on_a_phone(b: &Client, app: &TestApp, category: &str) {
    b.set_window_size(390, 844).await.expect("phone size");
    b.goto(&app.url("/moh")).await.expect("open");
    let width = js(b, "return document.documentElement.clientWidth;", vec![]).await;
    assert!(width.as_f64().is_some_and(|w| w <= 390.0), "the viewport is phone-sized: {width}");

    // Create a category with the longest name from the phone.
    b.find(Locator::Id("f-name")).await.expect("name").send_keys(LONG).await.expect("type");
    mark_page(b).await;
    b.find(Locator::Css("#moh-create button[type=submit]"))
        .await
        .expect("create")
        .click()
        .await
        .expect("tap");
    new_page(b, "the long category's page").await;
    b.goto(&app.url("/moh")).await.expect("list");
    let list = ["header nav a", "#moh-categories a", "#f-name", "#moh-create button[type=submit]"];
    assert_fits(b, "the category list", &list).await;

    // Upload from the phone into the long category; the report fits too.
    b.goto(&app.url(&format!("/moh/{LONG}"))).await.expect("open");
    let upload = ["#moh-upload-input", "#moh-upload button[type=submit]", "#moh-edit button[type=submit]"];
    assert_fits(b, "an empty category page", &upload).await;
    let wav = app.dir.path().join("A_phone_upload_with_a_long_name_and_no_spaces_at_all_0123456789.wav");
    std::fs::write(&wav, sine_wav(8_000, 1, 1.0, 440.0)).expect("write wav");
    let input = b.find(Locator::Id("moh-upload-input")).await.expect("picker");
    input.send_keys(&wav.display().to_string()).await.expect("pick");
    until(
        b,
        "the phone upload's report",
        60,
        "return document.querySelector('#moh-progress li.upload-done');",
    )
    .await;
    assert_fits(b, "the upload report", &[]).await;

    // A category page full of files: every file's controls are usable.
    for name in [LONG, category] {
        b.goto(&app.url(&format!("/moh/{name}"))).await.expect("open");
        let controls = [
            "li.moh-file button.move-up",
            "li.moh-file button.move-down",
            "li.moh-file summary",
            "li.moh-file audio",
            "#moh-upload-input",
            "#moh-upload button[type=submit]",
        ];
        assert_fits(b, &format!("the page of {name}"), &controls).await;
    }
    b.set_window_size(1280, 900).await.expect("desktop size");
}
