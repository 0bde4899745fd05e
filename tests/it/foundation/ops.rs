//! Security headers, health and readiness, metrics on their own listener, body limits, and refusing
//! a database whose schema is newer than this binary.

use crate::on_both_backends;
use crate::support::{Backend, TestApp, fresh_database};

on_both_backends!(a_newer_schema_is_refused);

#[tokio::test]
async fn headers_health_and_metrics() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.metrics.listen = Some("127.0.0.1:0".parse().expect("addr"))
    })
    .await;
    let client = app.client();
    let login = client.get("/login").await;
    let headers = login.headers();
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));

    assert_eq!(client.get("/healthz").await.status(), 200);
    assert_eq!(client.get("/readyz").await.status(), 200);
    assert_eq!(client.get("/metrics").await.status(), 404, "metrics are not on the console listener");

    let metrics_addr = app.app().metrics_addr.expect("metrics listener");
    let text = reqwest::get(format!("http://{metrics_addr}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    assert!(text.contains("ringside_http_requests_total{class=\"2xx\"}"), "{text}");
    assert!(text.contains("ringside_logins_total"), "{text}");

    // A body over the limit is refused before it is processed.
    let big = "x".repeat(2 << 20);
    let response = client
        .http
        .post(client.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .expect("send");
    assert!(response.status().is_client_error(), "{}", response.status());

    // So are oversized headers.
    let response = client
        .http
        .get(client.url("/healthz"))
        .header("x-padding", "y".repeat(20_000))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 431);
    app.stop().await;
}

#[tokio::test]
async fn readyz_reports_an_unreachable_database() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.store().close().await;
    assert_eq!(app.client().get("/readyz").await.status(), 503);
}

async fn a_newer_schema_is_refused(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(backend, dir.path()).await;
    let store = ringside::store::open(&url, None).await.expect("first open migrates");
    store.close().await;
    {
        use sqlx::Connection;
        let insert = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                      VALUES (99990101000000, 'from the future', TRUE, X'00', 0)";
        match backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("connect");
                sqlx::query(insert).execute(&mut conn).await.expect("insert");
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
                let pg = insert.replace("X'00'", "'\\x00'::bytea");
                sqlx::query(sqlx::AssertSqlSafe(pg)).execute(&mut conn).await.expect("insert");
            }
        }
    }
    let err = match ringside::store::open(&url, None).await {
        Ok(_) => panic!("a newer schema must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("99990101000000") && err.contains("newer"), "{err}");
}
