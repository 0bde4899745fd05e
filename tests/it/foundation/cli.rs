//! The command line, run as the real binary: accounts, tokens, check-config, --help, and committed
//! writes surviving `kill -9` of a running server.

use crate::on_both_backends;
use crate::support::process::ServeProcess;
use crate::support::{Backend, fresh_database};
use std::io::Write;
use std::process::{Command, Output, Stdio};

on_both_backends!(users_and_tokens_from_the_shell);

fn ringside(url: &str, dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(["--data-dir", &dir.display().to_string(), "--database-url", url])
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ringside");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn users_and_tokens_from_the_shell(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(backend, dir.path()).await;
    let run = |args: &[&str], stdin: &str| ringside(&url, dir.path(), args, stdin);

    let added = run(&["user", "add", "alice", "--role", "admin", "--password-stdin"], "alice passphrase\n");
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("added admin alice"));

    let again =
        run(&["user", "add", "alice", "--role", "viewer", "--password-stdin"], "another passphrase\n");
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));

    let short = run(&["user", "add", "bob", "--role", "viewer", "--password-stdin"], "short\n");
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("at least 10"), "{}", text(&short.stderr));

    let bad_name =
        run(&["user", "add", "Bob;rm", "--role", "viewer", "--password-stdin"], "long enough pass\n");
    assert!(!bad_name.status.success());

    let list = run(&["user", "list"], "");
    assert!(text(&list.stdout).contains("alice") && text(&list.stdout).contains("admin"));

    let last = run(&["user", "remove", "alice"], "");
    assert!(!last.status.success());
    assert!(text(&last.stderr).contains("last admin"), "{}", text(&last.stderr));

    let created = run(&["token", "create", "deploy", "--role", "admin"], "");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let stdout = text(&created.stdout);
    let secret = stdout.lines().last().expect("token line").to_string();
    assert!(
        secret.starts_with("rs_") && !secret.contains(' '),
        "last line must be the token alone: {stdout}"
    );

    let store = ringside::store::open(&url, None).await.expect("open");
    let row = ringside::auth::tokens::resolve(store.as_ref(), &secret).await.expect("resolve");
    assert_eq!(row.expect("token is live").role, "admin");
    let listed = run(&["token", "list"], "");
    assert!(text(&listed.stdout).contains("deploy"));
    assert!(!text(&listed.stdout).contains(&secret), "token list must not show secrets");
    assert!(run(&["token", "revoke", "deploy"], "").status.success());
    assert!(ringside::auth::tokens::resolve(store.as_ref(), &secret).await.expect("resolve").is_none());
    let unknown = run(&["token", "revoke", "nosuch"], "");
    assert!(!unknown.status.success());
    store.close().await;
}

#[test]
fn check_config_reports_the_bad_key_and_redacts_secrets() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[web]\nlisten = \"not an address\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(["--config", &bad.display().to_string(), "check-config"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("web.listen"), "{}", text(&out.stderr));

    let good = dir.path().join("good.toml");
    std::fs::write(&good, "[database]\nurl = \"postgres://ringside:s3cret@db/ringside\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(["--config", &good.display().to_string(), "check-config"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("listen = \"127.0.0.1:8080\"") && !shown.contains("s3cret"), "{shown}");
}

#[test]
fn help_lists_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_ringside")).arg("--help").output().expect("run");
    let help = text(&out.stdout);
    for command in ["serve", "user", "token", "check-config"] {
        assert!(help.contains(command), "{help}");
    }
}

/// Start `ringside serve`, create a user through the API, `kill -9` it, and find the user on disk.
#[tokio::test]
async fn committed_writes_survive_kill_9() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("ringside.db").display());
    let token = ringside(&url, dir.path(), &["token", "create", "t", "--role", "admin"], "");
    let secret = text(&token.stdout).lines().last().expect("token").to_string();

    let server = ServeProcess::start(dir.path(), &url, "127.0.0.1:0", &[]);
    let created = reqwest::Client::new()
        .post(server.url("/api/v1/users"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"username": "durable", "role": "viewer", "password": "durable passphrase"}))
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), 201);
    server.kill9();

    let store = ringside::store::open(&url, None).await.expect("reopen after kill");
    assert!(store.user_by_name("durable").await.expect("lookup").is_some(), "a committed user was lost");
    store.close().await;
}

/// SIGTERM stops `ringside serve` cleanly (exit 0, "stopped" logged); a non-loopback listener
/// without TLS logs the warning at start.
#[test]
fn sigterm_stops_cleanly_and_exposure_is_warned() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("ringside.db").display());
    let (status, log) = ServeProcess::start(dir.path(), &url, "0.0.0.0:0", &[]).sigterm();
    assert!(status.success(), "exit status {status:?}\n{log}");
    assert!(log.contains("non-loopback address without TLS"), "{log}");
    assert!(log.contains("stopped"), "{log}");
}
