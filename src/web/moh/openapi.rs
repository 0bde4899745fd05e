//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the Music on Hold API, hand-written
//! next to the routes it describes (a test calls every operation listed here).

use axum::Json;
use serde_json::{Value, json};

pub(crate) fn op(summary: &str, role: &str, responses: &[(&str, &str)]) -> Value {
    let mut r = serde_json::Map::new();
    for (code, text) in responses {
        r.insert((*code).into(), json!({ "description": text }));
    }
    json!({ "summary": summary, "x-role": role, "responses": r })
}

pub(crate) fn with_body(mut operation: Value, content_type: &str, schema: Value) -> Value {
    operation["requestBody"] = json!({ "required": true, "content": { content_type: { "schema": schema } } });
    operation
}

fn category_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": { "type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,62}$", "description": "Asterisk class name; not 'general'; unique ignoring case; cannot change" },
            "label": { "type": "string", "maxLength": 200 },
            "description": { "type": "string", "maxLength": 2000 },
            "mode": { "enum": ["files", "playlist"] },
            "sort": { "enum": ["alpha", "random", "randstart"] },
            "announcement": { "type": ["integer", "null"], "description": "id of one of the category's files" },
            "digit": { "type": ["string", "null"], "pattern": "^[0-9*#]$" },
            "loop_last": { "type": "boolean" },
            "answeredonly": { "type": "boolean" },
            "version": { "type": "integer", "description": "required on PATCH: the version edited; a newer stored version answers 409" }
        }
    })
}

/// The document.
pub fn spec() -> Value {
    let cat = "/api/v1/moh/categories/{name}";
    let file = "/api/v1/moh/categories/{name}/files/{id}";
    let common = [("401", "not signed in"), ("403", "needs the admin role")];
    let mut paths = serde_json::Map::new();
    paths.insert("/api/v1/moh/categories".into(), json!({
        "get": op("List categories with file count, total duration and, with Asterisk servers configured, `sync`: per server {server, state in_sync|pending|failed, label, icon, detail}", "viewer", &[("200", "categories")]),
        "post": with_body(op("Create a category", "admin", &[("201", "created"), ("400", "invalid field; the message names it"), ("409", "name exists ignoring case")]), "application/json", category_schema()),
    }));
    paths.insert(cat.into(), json!({
        "get": op("A category and its files", "viewer", &[("200", "category and files"), ("404", "no such category")]),
        "patch": with_body(op("Change options (send version)", "admin", &[("200", "changed"), ("400", "invalid field"), ("404", "no such category"), ("409", "changed by someone else")]), "application/json", category_schema()),
        "delete": op("Delete the category, its files and folder", "admin", &[("204", "deleted"), ("404", "no such category")]),
    }));
    paths.insert(format!("{cat}/files"), json!({
        "get": op("Files in play order", "viewer", &[("200", "files"), ("404", "no such category")]),
        "post": with_body(op("Upload one or more files (parts named file); ?async=1 answers 202 with job ids", "admin", &[("201", "stored, with transcode reports"), ("202", "jobs started"), ("400", "no file part"), ("409", "same audio already in the category"), ("413", "over the size or duration limit"), ("422", "not audio, or corrupt")]), "multipart/form-data", json!({ "type": "object", "properties": { "file": { "type": "array", "items": { "type": "string", "format": "binary" } } } })),
    }));
    paths.insert(file.into(), json!({
        "patch": with_body(op("Rename (display_name) and/or move (position, 1-based)", "admin", &[("200", "the category's files"), ("404", "no such file")]), "application/json", json!({ "type": "object", "properties": { "display_name": { "type": "string" }, "position": { "type": "integer" } } })),
        "delete": op("Delete a file in every format", "admin", &[("204", "deleted"), ("404", "no such file")]),
        "post": with_body(op("Replace a file's audio (one part named file), keeping its position", "admin", &[("200", "replaced, with the transcode report"), ("404", "no such file"), ("409", "same audio already in the category"), ("413", "over a limit"), ("422", "not audio")]), "multipart/form-data", json!({ "type": "object", "properties": { "file": { "type": "string", "format": "binary" } } })),
    }));
    paths.insert(format!("{file}/audio.{{ext}}"), json!({
        "get": op("Download a rendition: ext is wav, wav16, sln16, ulaw or alaw", "viewer", &[("200", "audio"), ("404", "no such file or format")]),
    }));
    paths.insert(format!("{file}/waveform.svg"), json!({
        "get": op("Waveform picture of the 16 kHz rendition", "viewer", &[("200", "SVG"), ("404", "no such file")]),
    }));
    paths.insert("/api/v1/moh/jobs/{id}/events".into(), json!({
        "get": op("Server-sent events of an async upload: progress, then done or failed", "viewer", &[("200", "text/event-stream"), ("404", "unknown or expired job")]),
    }));
    paths.extend(crate::web::servers_openapi::paths());
    for item in paths.values_mut() {
        if let Some(ops) = item.as_object_mut() {
            for operation in ops.values_mut() {
                for (code, text) in common {
                    operation["responses"][code] = json!({ "description": text });
                }
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Ringside Music on Hold API", "version": env!("CARGO_PKG_VERSION") },
        "components": { "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } } },
        "security": [{ "bearer": [] }],
        "paths": paths,
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
