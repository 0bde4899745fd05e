//! The bad-input table: each refusal has a precise status and changes nothing (rows, files on
//! disk, generated config, the change counter).

use reqwest::Method;
use serde_json::json;

use super::{Api, moh_root, sine_wav, snapshot, tree};
use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(
    hostile_category_names_change_nothing,
    bad_uploads_change_nothing,
    hostile_file_names_are_harmless
);

async fn hostile_category_names_change_nothing(backend: Backend) {
    let app = super::spawn(backend).await;
    let api = Api::admin(&app).await;
    let before = snapshot(&app, &api).await;
    let long = "a".repeat(80);
    let cases: Vec<(&str, u16)> = vec![
        ("a\nb", 400),
        ("a]", 400),
        ("a;b", 400),
        ("#include x", 400),
        ("../x", 400),
        (&long, 400),
        ("general", 400),
        ("Default", 400),
        ("", 400),
        ("default", 409),
    ];
    for (name, status) in cases {
        let (got, body) =
            api.send(Method::POST, "/api/v1/moh/categories", Some(json!({ "name": name }))).await;
        assert_eq!(got, status, "{name:?}: {body}");
        let error = body["error"].as_str().expect("error message");
        if status == 400 {
            assert!(error.contains("the rule is"), "{name:?}: {error}");
        }
        assert_eq!(snapshot(&app, &api).await, before, "{name:?} changed something");
    }
    // Field values: each refused with the field named, nothing changed.
    for (body, field) in [
        (json!({"name": "ok1", "mode": "custom"}), "mode"),
        (json!({"name": "ok1", "sort": "shuffle"}), "sort"),
        (json!({"name": "ok1", "digit": "12"}), "digit"),
        (json!({"name": "ok1", "digit": ";"}), "digit"),
        (json!({"name": "ok1", "announcement": 1}), "announcement"),
        (json!({"name": "ok1", "application": "/bin/sh"}), "application"),
    ] {
        let (got, answer) = api.send(Method::POST, "/api/v1/moh/categories", Some(body.clone())).await;
        assert_eq!(got, 400, "{body}: {answer}");
        assert!(answer["error"].as_str().expect("error").contains(field), "{answer}");
        assert_eq!(snapshot(&app, &api).await, before, "{body} changed something");
    }
    // Unknown category or file.
    for (method, path) in [
        (Method::GET, "/api/v1/moh/categories/nope"),
        (Method::PATCH, "/api/v1/moh/categories/nope"),
        (Method::DELETE, "/api/v1/moh/categories/nope"),
        (Method::DELETE, "/api/v1/moh/categories/default/files/999999"),
        (Method::PATCH, "/api/v1/moh/categories/default/files/999999"),
        (Method::GET, "/api/v1/moh/categories/default/files/999999/audio.wav"),
        (Method::GET, "/api/v1/moh/categories/default/files/1/audio.mp3"),
    ] {
        let patch = if path.contains("/files/") { json!({"position": 1}) } else { json!({"version": 1}) };
        let body = (method == Method::PATCH).then_some(patch);
        let (got, answer) = api.send(method.clone(), path, body).await;
        assert_eq!(got, 404, "{method} {path}: {answer}");
        assert_eq!(snapshot(&app, &api).await, before, "{path} changed something");
    }
    // A viewer may look but not change.
    app.add_user("viewer", ringside::auth::Role::Viewer, "viewer passphrase").await;
    let viewer = app.signed_in("viewer", "viewer passphrase").await;
    assert_eq!(viewer.get("/api/v1/moh/categories").await.status(), 200);
    let csrf = viewer.csrf_from("/moh").await;
    let refused = viewer
        .http
        .post(viewer.url("/api/v1/moh/categories"))
        .header("X-CSRF-Token", csrf)
        .header("Origin", viewer.origin())
        .json(&json!({"name": "mine"}))
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 403);
    assert_eq!(snapshot(&app, &api).await, before);
    app.stop().await;
}

async fn bad_uploads_change_nothing(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.audio.worker_exe = Some(env!("CARGO_BIN_EXE_ringside").into());
        c.moh.max_upload_bytes = 1 << 20;
        c.moh.max_duration_secs = 3;
    })
    .await;
    let api = Api::admin(&app).await;
    assert_eq!(api.send(Method::POST, "/api/v1/moh/categories", Some(json!({"name": "sales"}))).await.0, 201);
    let good = sine_wav(16_000, 1, 1.0, 500.0);
    assert_eq!(api.upload("sales", &[("good.wav", good.clone())]).await.0, 201);
    let before = snapshot(&app, &api).await;

    let mut truncated = sine_wav(44_100, 2, 1.0, 300.0);
    truncated.truncate(40);
    let mut riff_garbage = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    riff_garbage.extend(std::iter::repeat_n(0xFFu8, 2000));
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("text.wav", b"this is not audio at all, just text pretending".repeat(20), 422, "unrecognised"),
        ("truncated.wav", truncated, 422, ""),
        ("garbage.wav", riff_garbage, 422, ""),
        ("long.wav", sine_wav(8_000, 1, 5.0, 400.0), 413, "longer than"),
        ("huge.wav", sine_wav(44_100, 2, 6.0, 400.0), 413, "byte limit"),
        ("again.wav", good, 409, "already in sales"),
        ("empty.wav", Vec::new(), 400, "empty"),
    ];
    for (name, bytes, status, needle) in cases {
        let (got, body) = api.upload("sales", &[(name, bytes)]).await;
        assert_eq!(got, status, "{name}: {body}");
        assert!(body["error"].as_str().expect("error").contains(needle), "{name}: {body}");
        assert_eq!(snapshot(&app, &api).await, before, "{name} changed something");
        let staging = tree(&moh_root(&app).join(".staging"));
        assert!(staging.is_empty(), "{name} left staging files: {staging:?}");
    }
    // Unknown category and a part not named "file".
    assert_eq!(api.upload("nope", &[("x.wav", sine_wav(8000, 1, 0.5, 300.0))]).await.0, 404);
    let form = reqwest::multipart::Form::new()
        .part("upload", reqwest::multipart::Part::bytes(vec![1, 2, 3]).file_name("x.wav"));
    let wrong = api
        .client
        .http
        .post(api.client.url("/api/v1/moh/categories/sales/files"))
        .header("X-CSRF-Token", &api.csrf)
        .header("Origin", api.client.origin())
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status(), 400);
    assert_eq!(snapshot(&app, &api).await, before);
    app.stop().await;
}

async fn hostile_file_names_are_harmless(backend: Backend) {
    let app = super::spawn(backend).await;
    let api = Api::admin(&app).await;
    assert_eq!(api.send(Method::POST, "/api/v1/moh/categories", Some(json!({"name": "names"}))).await.0, 201);
    let long = format!("{}.wav", "x".repeat(4096));
    let names = [
        "$(id).wav",
        "../../x.wav",
        "a\0b.wav",
        "cr\r\nlf.wav",
        long.as_str(),
        "..",
        "<script>alert(1)</script>.wav",
    ];
    let mut stored_count = 0;
    for (i, name) in names.iter().enumerate() {
        let before = snapshot(&app, &api).await;
        let (status, body) =
            api.upload("names", &[(name, sine_wav(8000, 1, 0.5, 300.0 + 50.0 * i as f64))]).await;
        if name.contains(['\0', '\r', '\n']) && status == 400 {
            // A control character in the part's headers: the multipart parser refuses the request.
            assert!(body["error"].as_str().expect("error").contains("unreadable upload"), "{body}");
            assert_eq!(snapshot(&app, &api).await, before, "{name:?} changed something");
            continue;
        }
        assert_eq!(status, 201, "{name:?}: {body}");
        stored_count += 1;
        let file = &body["files"][0]["file"];
        let stored = file["stored_name"].as_str().expect("stored");
        assert!(stored.len() <= 45 && stored[..5].ends_with('-'), "{stored}");
        assert!(
            stored.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{stored}"
        );
        let shown = file["display_name"].as_str().expect("display");
        assert!(!shown.chars().any(char::is_control) && shown.chars().count() <= 200, "{shown:?}");
    }
    // Nothing outside the category folder, and the page escapes what it shows.
    let outside: Vec<String> = tree(&app.data_dir())
        .into_iter()
        .filter(|p| {
            !p.starts_with("moh")
                && !p.starts_with("ringside.db")
                && p != "musiconhold_ringside.conf"
                && p != "cdr-cursor.key"
        })
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    assert_eq!(tree(&moh_root(&app).join("names")).len(), stored_count * 5);
    assert!(stored_count >= 5, "only the control-character names may be refused");
    let page = api.client.get("/moh/names").await.text().await.expect("page");
    assert!(page.contains("alert(1)") && !page.contains("<script>alert(1)"), "shown, escaped");
    app.stop().await;
}
