//! The collector end to end on SQLite and PostgreSQL: follower in `serve` (rotation, truncation,
//! partial lines, database unavailable), AMI + CSV stored once, the import CLI killed with -9.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use ringside::config::AsteriskServerConfig;

use super::{AMI_CALLS, GMT_18};
use crate::fakes::ami::FakeAmi;
use crate::on_both_backends;
use crate::support::{Backend, TestApp, fresh_database};

/// One 18-column Master.csv line with a unique uniqueid; the caller name has a comma and quotes.
pub fn csv_line(i: usize) -> String {
    let src = 2000 + i % 900;
    let disposition = ["ANSWERED", "NO ANSWER", "BUSY", "FAILED"][i % 4];
    format!(
        "\"acc{a}\",\"{src}\",\"{dst}\",\"from-internal\",\"\"\"Caller {i}, \"\"Q\"\"\"\" <{src}>\",\"PJSIP/{src}-{i:08x}\",\"PJSIP/{dst}-{i:08x}\",\"Dial\",\"PJSIP/{dst},30\",\"2026-12-04 10:{m:02}:{s:02}\",\"\",\"2026-12-04 10:{m:02}:{s:02}\",{d},0,\"{disposition}\",\"DOCUMENTATION\",\"1796400000.{i}\",\"\"\n",
        a = i % 7,
        dst = 3000 + i % 50,
        m = (i / 60) % 60,
        s = i % 60,
        d = i % 300,
    )
}

pub fn append(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("open for append");
    f.write_all(bytes).expect("append");
}

pub fn server(name: &str, extra: &str) -> AsteriskServerConfig {
    toml::from_str(&format!("name = \"{name}\"\n{extra}")).expect("server config")
}

/// Polls the row count until it equals `want` (deadline 60 s); returns the last count.
pub async fn wait_rows(store: &dyn ringside::store::Store, want: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (rows, _) = store.cdr_counts().await.unwrap_or((-1, -1));
        if rows == want || Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn follower_rotation_truncation_and_partial_lines(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("Master.csv");
    let path = csv.display().to_string();
    let app = TestApp::spawn_with(backend, |c| {
        c.asterisk = vec![server("pbx1", &format!("cdr_csv_path = {path:?}\ncdr_timezone = \"UTC\""))]
    })
    .await;
    let lines = |r: std::ops::Range<usize>| r.map(csv_line).collect::<String>();
    append(&csv, lines(0..300).as_bytes());
    assert_eq!(wait_rows(app.store(), 300).await, 300);
    // Rename-and-create rotation while appends continue on both files.
    append(&csv, lines(300..350).as_bytes());
    std::fs::rename(&csv, dir.path().join("Master.csv.1")).expect("rotate");
    append(&dir.path().join("Master.csv.1"), lines(350..360).as_bytes());
    append(&csv, lines(360..400).as_bytes());
    assert_eq!(wait_rows(app.store(), 400).await, 400);
    // copytruncate-style truncation, then new records.
    std::fs::write(&csv, b"").expect("truncate");
    tokio::time::sleep(Duration::from_millis(600)).await;
    append(&csv, lines(400..420).as_bytes());
    assert_eq!(wait_rows(app.store(), 420).await, 420);
    // A partial last line is not consumed until it completes.
    let line = csv_line(420);
    let (head, tail) = line.as_bytes().split_at(line.len() / 2);
    append(&csv, head);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.store().cdr_counts().await.expect("count"), (420, 0), "half a line is held back");
    append(&csv, tail);
    assert_eq!(wait_rows(app.store(), 421).await, 421);
    // Column count changing mid-file (18 → 21 columns) and Latin-1/emoji names.
    let mut odd = super::LOCAL_21.to_vec();
    odd.extend_from_slice(
        b"\"\",\"1\",\"2\",\"c\",\"\"\"M\xfcller \xf0\x9f\x98\x80\"\" <1>\",\"SIP/x-1\",\"\",\"Dial\",\"\",\"2026-12-04 11:00:00\",\"\",\"2026-12-04 11:00:01\",1,0,\"BUSY\",\"DOCUMENTATION\",\"1796400999.1\",\"\"\n",
    );
    append(&csv, &odd);
    let want =
        421 + super::parse_all(&odd, jiff::tz::TimeZone::UTC).iter().filter(|r| r.is_ok()).count() as i64;
    assert_eq!(wait_rows(app.store(), want).await, want);
    app.stop().await;
}

async fn same_cdr_via_ami_and_csv_is_stored_once(backend: Backend) {
    let fake = FakeAmi::new("ringside", "secret");
    let addr = fake.listen().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("Master.csv");
    let path = csv.display().to_string();
    let app = TestApp::spawn_with(backend, |c| {
        let extra = format!(
            "ami_host = \"127.0.0.1\"\nami_port = {}\nami_user = \"ringside\"\nami_secret = \"secret\"\ncdr_csv_path = {path:?}\ncdr_timezone = \"UTC\"",
            addr.port()
        );
        c.asterisk = vec![server("pbx1", &extra)]
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    // The push to Asterisk holds the one AMI session to the server; the collector reads its
    // events. Wait for the login, so the events below reach it.
    while fake.logins.load(std::sync::atomic::Ordering::Relaxed) < 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(AMI_CALLS.len() > 100);
    fake.flood(1);
    let events = super::ami_cdr_events().len() as i64;
    assert_eq!(wait_rows(app.store(), events).await, events, "every AMI Cdr event stored");
    assert_eq!(
        fake.logins.load(std::sync::atomic::Ordering::Relaxed),
        1,
        "one AMI session per server, shared by the push and the collector"
    );
    append(&csv, GMT_18);
    let records =
        super::parse_all(GMT_18, jiff::tz::TimeZone::UTC).iter().filter(|r| r.is_ok()).count() as i64;
    assert_eq!(
        wait_rows(app.store(), records).await,
        records,
        "CSV twins of AMI records are not stored again"
    );
    fake.flood(1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.store().cdr_counts().await.expect("count").0, records);
    app.stop().await;
}

/// Makes the database refuse work for a while: PostgreSQL refuses new connections and existing
/// ones are terminated; SQLite is held under an exclusive lock.
async fn block_database(backend: Backend, url: &str, for_how_long: Duration) {
    use sqlx::Connection;
    match backend {
        Backend::Postgres => {
            let admin = std::env::var("RS_TEST_POSTGRES").expect("RS_TEST_POSTGRES");
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("admin connect");
            let db = url.rsplit('/').next().expect("db name").to_owned();
            let sql = |s: String| sqlx::query(sqlx::AssertSqlSafe(s));
            sql(format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"))
                .execute(&mut conn)
                .await
                .expect("block");
            let end = Instant::now() + for_how_long;
            while Instant::now() < end {
                sql(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()"))
                    .execute(&mut conn)
                    .await
                    .expect("terminate");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            sql(format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"))
                .execute(&mut conn)
                .await
                .expect("unblock");
        }
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(url).await.expect("sqlite connect");
            sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await.expect("lock");
            tokio::time::sleep(for_how_long).await;
            sqlx::query("ROLLBACK").execute(&mut conn).await.expect("unlock");
        }
    }
}

async fn database_unavailable_then_follower_catches_up(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("Master.csv");
    let path = csv.display().to_string();
    let app = TestApp::spawn_with(backend, |c| {
        c.asterisk = vec![server("pbx1", &format!("cdr_csv_path = {path:?}"))]
    })
    .await;
    append(&csv, (0..100).map(csv_line).collect::<String>().as_bytes());
    assert_eq!(wait_rows(app.store(), 100).await, 100);
    let writer = {
        let csv = csv.clone();
        std::thread::spawn(move || {
            for chunk in 1..20 {
                append(&csv, (chunk * 100..chunk * 100 + 100).map(csv_line).collect::<String>().as_bytes());
                std::thread::sleep(Duration::from_millis(150));
            }
        })
    };
    block_database(backend, &app.database_url, Duration::from_secs(3)).await;
    writer.join().expect("writer");
    assert_eq!(wait_rows(app.store(), 2000).await, 2000, "nothing lost, nothing twice");
    app.stop().await;
}

fn ringside() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_ringside"))
}

fn random_ms(lo: u64, hi: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("random");
    lo + u64::from_le_bytes(b) % (hi - lo)
}

async fn import_killed_with_sigkill_resumes_exactly(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fresh_database(backend, dir.path()).await;
    let csv = dir.path().join("big.csv");
    const N: usize = 60_000;
    std::fs::write(&csv, (0..N).map(csv_line).collect::<String>()).expect("write csv");
    let import = || {
        let mut cmd = ringside();
        cmd.current_dir(dir.path()).arg("--database-url").arg(&url).arg("--data-dir").arg(dir.path());
        cmd.args(["cdr", "import", "--server", "pbx1", "--quiet"]).arg(&csv);
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        cmd
    };
    for _ in 0..3 {
        let mut child = import().spawn().expect("spawn import");
        std::thread::sleep(Duration::from_millis(random_ms(300, 1500)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let out = import().output().expect("final import");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let last = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().to_owned();
    assert!(
        last.starts_with("inserted ") && last.contains(", duplicates ") && last.ends_with(", rejected 0"),
        "{last}"
    );
    let store = ringside::store::open(&url, Some(2)).await.expect("open store");
    assert_eq!(store.cdr_counts().await.expect("count"), (N as i64, 0), "rows == records, no duplicates");
    store.close().await;
    let again = import().output().expect("re-import");
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), "inserted 0, duplicates 0, rejected 0");
}

async fn serve_killed_with_sigkill_while_tailing_loses_nothing(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fresh_database(backend, dir.path()).await;
    let csv = dir.path().join("Master.csv");
    let config = dir.path().join("ringside.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n[web]\nlisten = \"127.0.0.1:0\"\n[agi]\nbind = \"127.0.0.1:0\"\n[database]\nurl = {url:?}\n[[asterisk]]\nname = \"pbx1\"\ncdr_csv_path = {:?}\n",
            dir.path().join("data").display().to_string(),
            csv.display().to_string()
        ),
    )
    .expect("config");
    const N: usize = 6_000;
    let writer = {
        let csv = csv.clone();
        std::thread::spawn(move || {
            for chunk in 0..N / 200 {
                append(&csv, (chunk * 200..chunk * 200 + 200).map(csv_line).collect::<String>().as_bytes());
                std::thread::sleep(Duration::from_millis(40));
            }
        })
    };
    let serve = || {
        ringside()
            .current_dir(dir.path())
            .arg("-c")
            .arg(&config)
            .arg("serve")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn serve")
    };
    for _ in 0..4 {
        let mut child = serve();
        std::thread::sleep(Duration::from_millis(random_ms(200, 900)));
        let _ = child.kill();
        let _ = child.wait();
    }
    writer.join().expect("writer");
    let mut child = serve();
    let store = ringside::store::open(&url, Some(2)).await.expect("open store");
    let rows = wait_rows(store.as_ref(), N as i64).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(rows, N as i64, "rows == records in the file after kill -9 during tailing");
    store.close().await;
}

on_both_backends!(
    follower_rotation_truncation_and_partial_lines,
    same_cdr_via_ami_and_csv_is_stored_once,
    database_unavailable_then_follower_catches_up,
    import_killed_with_sigkill_resumes_exactly,
    serve_killed_with_sigkill_while_tailing_loses_nothing,
);
