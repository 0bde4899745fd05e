//! The `/api/v1/servers…` part of the OpenAPI document served at `/api/v1/openapi.json`
//! (merged into the Music on Hold document by `web::moh::openapi::spec`).

use serde_json::{Map, Value, json};

use super::moh::openapi::{op, with_body};

fn server_schema() -> Value {
    let text = |description: &str| json!({ "type": "string", "description": description });
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "name": { "type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,31}$", "description": "required on POST; cannot change" },
            "enabled": { "type": "boolean" },
            "ari_url": text("http:// or https:// URL without credentials, query or fragment; \"\" clears ARI"),
            "ari_user": text("no control characters, no ':'"),
            "ari_password": text("write-only; \"\" or absent keeps the stored one"),
            "ami_host": text("host name or IP address; \"\" clears AMI"),
            "ami_port": { "type": ["integer", "string"], "minimum": 1, "maximum": 65535 },
            "ami_user": text("no control characters"),
            "ami_secret": text("write-only; \"\" or absent keeps the stored one"),
            "moh_root": text("absolute path; \"\" uses [moh] root"),
            "conf_path": text("absolute path; \"\" uses [moh] conf_path"),
            "cdr_csv_path": text("absolute path of Master.csv (applies at the next start)"),
            "cdr_timezone": text("IANA zone of CDR times (applies at the next start)"),
        }
    })
}

/// The server operations, keyed by path.
pub fn paths() -> Map<String, Value> {
    let mut paths = Map::new();
    let invalid = ("400", "a value was refused; the message names the field and the reason");
    paths.insert("/api/v1/servers".into(), json!({
        "get": op("Every server's state (connections, last deploy, classes); never a secret", "viewer", &[("200", "servers")]),
        "post": with_body(op("Add a server in the console; it is connected and deployed to at once", "admin", &[("201", "its settings (secrets only as *_set)"), invalid, ("409", "the name is taken (config file or console)")]), "application/json", server_schema()),
    }));
    paths.insert("/api/v1/servers/{name}".into(), json!({
        "get": op("One server's state", "viewer", &[("200", "the server"), ("404", "no such server")]),
        "patch": with_body(op("Change a console server (absent fields keep their value); its links restart", "admin", &[("200", "its settings"), invalid, ("404", "no such server"), ("409", "the server comes from the config file")]), "application/json", server_schema()),
        "delete": op("Delete a console server; its tasks stop", "admin", &[("204", "deleted"), ("404", "no such server"), ("409", "the server comes from the config file")]),
    }));
    paths.insert("/api/v1/servers/{name}/settings".into(), json!({
        "get": op("One server's settings, secrets left out", "viewer", &[("200", "settings"), ("404", "no such server")]),
    }));
    paths.insert("/api/v1/servers/{name}/apply".into(), json!({
        "post": op("Deploy to the server now", "admin", &[("202", "queued"), ("404", "no such enabled server")]),
    }));
    paths.insert(
        "/api/v1/servers/status".into(),
        json!({
            "get": op("Per category, its sync state on every server", "viewer", &[("200", "classes")]),
        }),
    );
    paths.insert(
        "/api/v1/servers/holds".into(),
        json!({
            "get": op("Calls on hold right now", "viewer", &[("200", "holds")]),
        }),
    );
    paths
}
