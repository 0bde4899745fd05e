//! In a real headless Chromium: create a category, upload through the file picker with the
//! progress bar, read the transcode report, play the preview, delete the file and the category.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use super::{ADMIN_PW, moh_root, sine_wav, spawn, tree};
use crate::on_both_backends;
use crate::support::Backend;
use crate::support::browser::Browser;

on_both_backends!(console_upload_preview_and_delete);

async fn console_upload_preview_and_delete(backend: Backend) {
    let app = spawn(backend).await;
    app.add_user("admin", ringside::auth::Role::Admin, ADMIN_PW).await;
    let browser = Browser::start().await;
    let b = &browser.client;
    super::ui::sign_in(b, &app, "/moh").await;
    b.wait().for_element(Locator::Id("moh-create")).await.expect("MoH page");

    // A bad name is refused next to the field, then a good one is created.
    b.find(Locator::Id("f-name")).await.expect("name").send_keys("Lobby").await.expect("type");
    b.find(Locator::Css("#moh-create button[type=submit]"))
        .await
        .expect("create")
        .click()
        .await
        .expect("click");
    // The page is replaced by the answer; poll until the message is there (the old field is empty).
    let deadline = Instant::now() + Duration::from_secs(10);
    let message = loop {
        let text = b
            .execute("const e = document.getElementById('e-name'); return e ? e.textContent : '';", vec![])
            .await
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        if !text.is_empty() {
            break text;
        }
        assert!(Instant::now() < deadline, "no inline error next to the name field");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(message.contains("the rule is"), "{message}");
    let field = b.find(Locator::Id("f-name")).await.expect("name");
    field.clear().await.expect("clear");
    field.send_keys("lobby").await.expect("type");
    b.find(Locator::Css("#moh-create button[type=submit]"))
        .await
        .expect("create")
        .click()
        .await
        .expect("click");
    b.wait().for_element(Locator::Id("moh-upload")).await.expect("category page");

    // Upload through the picker: a progress bar, then the report.
    let wav = app.dir.path().join("Welcome tune.wav");
    std::fs::write(&wav, sine_wav(44_100, 2, 2.0, 330.0)).expect("write wav");
    let input = b.find(Locator::Id("moh-upload-input")).await.expect("picker");
    input.send_keys(&wav.display().to_string()).await.expect("choose file");
    b.wait().for_element(Locator::Css("#moh-progress progress")).await.expect("progress bar");
    let done = b
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#moh-progress li.upload-done"))
        .await
        .expect("upload finished");
    let report = done.text().await.expect("report");
    assert!(
        report.contains("Welcome tune.wav") && report.contains("done: 0:02") && report.contains("LUFS →"),
        "{report}"
    );
    let bar = b
        .execute("return document.querySelector('#moh-progress progress').value", vec![])
        .await
        .expect("value");
    assert_eq!(bar.as_f64(), Some(100.0));

    // The list shows the file; its preview loads, reports its duration and plays.
    b.goto(&app.url("/moh/lobby")).await.expect("reload");
    b.find(Locator::Css("main h1")).await.expect("h1").click().await.expect("user gesture");
    let duration = b
        .execute_async(
            "const done = arguments[arguments.length - 1]; const a = document.querySelector('li.moh-file audio');\
             if (a.readyState >= 1) { done(a.duration); } else {\
               a.addEventListener('loadedmetadata', () => done(a.duration)); a.addEventListener('error', () => done(-1)); a.load(); }",
            vec![],
        )
        .await
        .expect("duration");
    let secs = duration.as_f64().expect("number");
    assert!((1.9..2.1).contains(&secs), "preview duration {secs}");
    let played = b
        .execute_async(
            "const done = arguments[arguments.length - 1]; const a = document.querySelector('li.moh-file audio');\
             a.play().then(() => done('playing')).catch((e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("play");
    assert_eq!(played.as_str(), Some("playing"));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let t = b
            .execute("return document.querySelector('li.moh-file audio').currentTime", vec![])
            .await
            .expect("time");
        if t.as_f64().unwrap_or(0.0) > 0.0 {
            break;
        }
        assert!(Instant::now() < deadline, "the preview never advanced");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waveform = b.find(Locator::Css("img.waveform")).await.expect("waveform");
    let loaded = b
        .execute("return arguments[0].naturalWidth", vec![serde_json::to_value(&waveform).expect("el")])
        .await
        .expect("w");
    assert!(loaded.as_f64().unwrap_or(0.0) > 0.0, "waveform picture loads");

    // Delete with confirmation, keyboard style: open the disclosure, press the button.
    b.find(Locator::Css("li.moh-file details:last-of-type summary"))
        .await
        .expect("delete…")
        .click()
        .await
        .expect("open");
    b.find(Locator::Css("li.moh-file button.danger")).await.expect("confirm").click().await.expect("delete");
    b.wait().for_element(Locator::Css("p.notice")).await.expect("deleted");
    assert!(b.find_all(Locator::Css("li.moh-file")).await.expect("files").is_empty());
    b.find(Locator::XPath("//summary[contains(., 'Delete this category')]"))
        .await
        .expect("summary")
        .click()
        .await
        .expect("open");
    b.find(Locator::XPath("//button[contains(., 'Delete category')]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("delete");
    b.wait().for_element(Locator::Id("moh-create")).await.expect("back on the list");
    assert!(!moh_root(&app).join("lobby").exists());
    assert!(!tree(&moh_root(&app)).iter().any(|p| p.starts_with("lobby")));
    browser.close().await;
    app.stop().await;
}
