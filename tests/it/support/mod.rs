//! Test harness: the real Ringside server on port 0 with a temporary data folder, on SQLite or on a
//! fresh PostgreSQL database, plus an HTTP client that behaves like a browser (cookies, CSRF token).
//!
//! PostgreSQL tests need `RS_TEST_POSTGRES` (an admin URL allowed to create databases), which
//! `./test.sh` sets up. Without it they fail with a message saying so, never silently pass.

pub mod browser;
pub mod process;

use ringside::app::App;
use ringside::config::Config;
use std::net::SocketAddr;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generate `sqlite` and `postgres` test functions that run `$test(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$test($crate::support::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$test($crate::support::Backend::Postgres).await
                }
            }
        )*
    };
}

/// A fresh, empty database URL for `backend`.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("ringside.db").display()),
        Backend::Postgres => fresh_postgres().await,
    }
}

async fn fresh_postgres() -> String {
    use sqlx::Connection;
    let admin = std::env::var("RS_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "RS_TEST_POSTGRES is not set: run the suite with ./test.sh, which starts PostgreSQL \
             and sets it (e.g. postgres://ringside_test:ringside_test@127.0.0.1/postgres)"
        )
    });
    let name = format!("rs_test_{}", ringside::auth::random_token(9).to_lowercase().replace(['-', '_'], "x"));
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to the PostgreSQL admin URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).expect("admin URL ends with /database");
    format!("{base}/{name}")
}

/// A running server and what a test needs to poke it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub app: Option<App>,
    /// For suites that inspect the database directly.
    #[allow(dead_code)]
    pub database_url: String,
    #[allow(dead_code)]
    pub backend: Backend,
    /// Holds the temporary data folder for the app's lifetime.
    pub dir: tempfile::TempDir,
}

impl TestApp {
    /// Start Ringside on 127.0.0.1:0 with a temporary data folder and a fresh database.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`spawn`](Self::spawn), letting the test adjust the configuration first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(backend, dir.path()).await;
        let mut config = Config { data_dir: dir.path().join("data"), ..Config::default() };
        config.web.listen = "127.0.0.1:0".parse().expect("addr");
        config.database.url = Some(database_url.clone());
        config.agi.bind = "127.0.0.1:0".parse().expect("addr");
        // Transcodes run in the real binary, as in production (the test binary is no worker).
        config.audio.worker_exe = Some(env!("CARGO_BIN_EXE_ringside").into());
        adjust(&mut config);
        let app = ringside::app::start(config).await.expect("Ringside starts");
        Self { addr: app.web_addr, app: Some(app), database_url, backend, dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The app's data folder.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    pub fn app(&self) -> &App {
        self.app.as_ref().expect("app running")
    }

    pub fn store(&self) -> &dyn ringside::store::Store {
        self.app().state.store.as_ref()
    }

    /// Create a user straight in the store (as `ringside user add` would).
    pub async fn add_user(&self, name: &str, role: ringside::auth::Role, password: &str) {
        let username = ringside::auth::Username::parse(name).expect("valid name");
        let password = ringside::auth::Password::parse(password).expect("valid password");
        ringside::auth::accounts::add(
            self.store(),
            &self.app().state.hasher,
            &ringside::audit::Actor::cli(),
            &username,
            role,
            &password,
        )
        .await
        .expect("add user");
    }

    /// A browser-like client (cookie jar, same-origin headers) not yet signed in.
    pub fn client(&self) -> Client {
        Client::new(self.addr)
    }

    /// A client signed in as `name`.
    pub async fn signed_in(&self, name: &str, password: &str) -> Client {
        let client = self.client();
        let response = client.login(name, password).await;
        assert_eq!(response.status(), 303, "login as {name} should redirect");
        client
    }

    /// Stop the server and wait for it.
    pub async fn stop(mut self) {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
    }
}

/// A cookie-keeping HTTP client that sends the headers a same-origin browser form post sends.
pub struct Client {
    pub http: reqwest::Client,
    pub addr: SocketAddr,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self { http, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    /// The CSRF token of a page's forms (the first `name="csrf"` field).
    pub async fn csrf_from(&self, path: &str) -> String {
        let html = self.get(path).await.text().await.expect("body");
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf field on {path}"))
    }

    /// POST a form the way a same-origin browser does, with the given CSRF token.
    pub async fn post_form(&self, path: &str, csrf: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf", csrf));
        self.http
            .post(self.url(path))
            .header("Origin", self.origin())
            .header("Sec-Fetch-Site", "same-origin")
            .form(&body)
            .send()
            .await
            .expect("POST")
    }

    /// Sign in through the login page; returns the response to the form post.
    pub async fn login(&self, name: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf_from("/login").await;
        self.post_form("/login", &csrf, &[("username", name), ("password", password), ("next", "/")]).await
    }
}

/// Find `name="csrf" value="…"` in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[at..].find('"')?;
    Some(html[at..at + end].to_string())
}
