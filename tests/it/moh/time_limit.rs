//! The request time limit (`web.request_timeout_secs`, here 1 s) and uploads: an upload whose
//! request takes longer than that is not cut (uploads get `audio.worker_timeout_secs` on top), while
//! ordinary requests — including posts under `…/files/{id}/` that carry no audio — are answered
//! 408 at the normal limit and change nothing.
//!
//! Deterministic without a slow machine: the client paces the request body over 2.4 s, so each
//! request is guaranteed to outlast 1 s; the upload then also transcodes inside the request
//! (synchronous API upload). The pauses pace the body on purpose; they wait for nothing.

use std::time::{Duration, Instant};

use ringside::auth::{Role, TokenName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::sine_wav;
use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(slow_uploads_are_not_cut_but_other_slow_requests_are);

/// Sends `head` and `body` (in `pieces` parts, `gap` apart, never the last one if `stall`) over a
/// fresh connection; returns the status code, the response text and how long the answer took.
async fn paced(
    app: &TestApp,
    head: &str,
    body: &[u8],
    pieces: usize,
    stall: bool,
) -> (u16, String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    let size = body.len().div_ceil(pieces);
    let parts: Vec<&[u8]> = body.chunks(size).collect();
    let send = if stall { &parts[..parts.len() - 1] } else { &parts[..] };
    let (mut reader, mut writer) = stream.into_split();
    let sender = async {
        for (i, part) in send.iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(600)).await;
            }
            if writer.write_all(part).await.is_err() {
                return; // the server answered and closed: stop sending
            }
        }
    };
    let receiver = async {
        let mut answer = Vec::new();
        let _ = reader.read_to_end(&mut answer).await;
        (String::from_utf8_lossy(&answer).into_owned(), started.elapsed())
    };
    let guard = Duration::from_secs(60);
    let ((), (text, took)) =
        tokio::time::timeout(guard, async { tokio::join!(sender, receiver) }).await.expect("an answer");
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text, took)
}

fn head(method: &str, path: &str, token: &str, content_type: &str, length: usize) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: ringside\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
}

async fn slow_uploads_are_not_cut_but_other_slow_requests_are(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.web.request_timeout_secs = 1;
        c.moh.max_upload_bytes = 4 << 20;
    })
    .await;
    let name = TokenName::parse("slow").expect("name");
    let (_, token) = ringside::auth::tokens::create(app.store(), &name, Role::Admin).await.expect("token");
    let http = reqwest::Client::new();
    let created = http
        .post(app.url("/api/v1/moh/categories"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "name": "slow", "mode": "files", "sort": "alpha" }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);

    let boundary = "rs-slow-boundary";
    let mut upload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.wav\"\r\n\
         Content-Type: audio/wav\r\n\r\n"
    )
    .into_bytes();
    upload.extend_from_slice(&sine_wav(44_100, 2, 3.0, 330.0));
    upload.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let upload_head = head(
        "POST",
        "/api/v1/moh/categories/slow/files",
        &token,
        &format!("multipart/form-data; boundary={boundary}"),
        upload.len(),
    );
    let (status, text, took) = paced(&app, &upload_head, &upload, 5, false).await;
    assert_eq!(status, 201, "{text}");
    assert!(took >= Duration::from_millis(2400), "the upload request really lasted {took:?}");
    assert!(text.contains("\"display_name\":\"slow.wav\""), "the report comes back: {text}");
    let files = app.app().state.moh.category("slow").await.expect("category").files;
    assert_eq!(files.len(), 1);
    assert!((2_950..=3_050).contains(&files[0].duration_ms), "transcoded: {}", files[0].duration_ms);
    let id = files[0].id;

    // A JSON rename and a page-form rename (a post under …/files/{id}/) stall after part of their
    // body: both are cut at the normal limit, not the upload one, and change nothing.
    let json = br#"{"display_name":"renamed by a slow client"}"#;
    let api_path = format!("/api/v1/moh/categories/slow/files/{id}");
    let api_head = head("PATCH", &api_path, &token, "application/json", json.len());
    let form = b"display_name=renamed+by+a+slow+form";
    let page_path = format!("/moh/slow/files/{id}/rename");
    let page_head = head("POST", &page_path, &token, "application/x-www-form-urlencoded", form.len());
    let (api, page) =
        tokio::join!(paced(&app, &api_head, json, 2, true), paced(&app, &page_head, form, 2, true));
    for (what, (status, text, took)) in [("API rename", api), ("page rename", page)] {
        assert_eq!(status, 408, "{what}: {text}");
        assert!(
            (Duration::from_millis(950)..Duration::from_secs(5)).contains(&took),
            "{what} cut after {took:?}"
        );
    }
    let files = app.app().state.moh.category("slow").await.expect("category").files;
    assert_eq!(files[0].display_name, "slow.wav", "nothing was renamed");
    app.stop().await;
}
