//! Every operation the served OpenAPI document lists answers at its path (with real ids), and
//! the async upload's job events stream progress and the stored file.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Api, sine_wav, spawn};
use crate::on_both_backends;
use crate::support::Backend;

on_both_backends!(every_documented_operation_answers);

async fn every_documented_operation_answers(backend: Backend) {
    let app = spawn(backend).await;
    let api = Api::admin(&app).await;
    assert_eq!(api.send(Method::POST, "/api/v1/moh/categories", Some(json!({"name": "docs"}))).await.0, 201);
    // An async upload: 202 with a job, whose events end with the stored file.
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(sine_wav(8000, 1, 1.0, 300.0)).file_name("a.wav"));
    let response = api
        .client
        .http
        .post(api.client.url("/api/v1/moh/categories/docs/files?async=1"))
        .header("X-CSRF-Token", &api.csrf)
        .header("Origin", api.client.origin())
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 202);
    let jobs: Value = response.json().await.expect("json");
    let events_path = jobs["jobs"][0]["events"].as_str().expect("events").to_string();
    let events = api.client.get(&events_path).await.text().await.expect("stream ends after done");
    assert!(events.contains("event: done") && events.contains("\"display_name\":\"a.wav\""), "{events}");
    let id = api.get("/api/v1/moh/categories/docs/files").await.1[0]["id"].as_i64().expect("id");

    let (status, spec) = api.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    // The servers part of the document is exercised in `push::console`.
    let paths: serde_json::Map<String, Value> = spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/moh"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(paths.len(), 7);
    let job_id = events_path.split('/').nth(5).expect("job id").to_string();
    for (path, ops) in &paths {
        for method in ops.as_object().expect("ops").keys() {
            let real = path
                .replace("{name}", "docs")
                .replace("{id}/events", &format!("{job_id}/events"))
                .replace("{id}", &id.to_string())
                .replace("{ext}", "wav");
            if method == "get" {
                let response = api.client.get(&real).await;
                assert_eq!(response.status(), 200, "GET {real}");
            } else {
                // Changes are tried on a category that does not exist: the MoH handler answers
                // (its own 404 message), not the router's fallback.
                let missing = real.replacen("/docs", "/missing", 1);
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let fields =
                    if missing.contains("/files/") { json!({"position": 1}) } else { json!({"version": 1}) };
                let body = (method == Method::POST || method == Method::PATCH).then_some(fields);
                let (status, answer) = if method == Method::POST && missing.contains("/files") {
                    api.upload_to(&missing, &[("x.wav", vec![1])]).await
                } else {
                    api.send(method.clone(), &missing, body).await
                };
                let text = answer["error"].as_str().unwrap_or_default().to_string();
                let ok = (status == 404 && text.contains("no category named"))
                    || (missing == "/api/v1/moh/categories" && status == 400);
                assert!(ok, "{method} {missing}: {status} {answer}");
            }
        }
    }
    app.stop().await;
}
