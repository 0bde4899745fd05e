//! FastAGI load generator: plays Asterisk's side with the captured environment block
//! (`tests/fixtures/asterisk/agi/session-env.bin`) against Ringside's server and, in the same run,
//! against a Python peer (panoramisk's FastAGI server, `benches/agi_peer.py`) making the same `moh`
//! decision over the same 50 rules and one schedule. Prints sessions/s and p50/p99 per concurrency
//! level, the ratio, and Ringside's memory with 10,000 sessions held open.
//!
//! Each server runs in its own process (this binary re-executed with `--serve`, or python3), so the
//! memory figures are the server's alone. Run with `benches/agi.sh` (release build).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ringside::asterisk::agi::{AgiConfig, AgiServer, RuleBookScripts};
use ringside::flows::{RuleBook, RuleBookSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ENV: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/agi/session-env.bin"));
const LEVELS: [usize; 3] = [1, 100, 1000];
const RUN_FOR: Duration = Duration::from_secs(3);
const HELD_SESSIONS: usize = 10_000;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        return serve(args.get(i + 1).ok_or("--serve needs the rules path")?);
    }
    let rules = std::env::temp_dir().join("ringside-agi-bench-rules.json");
    std::fs::write(&rules, rule_book_json())?;
    let rules = rules.to_string_lossy().into_owned();
    let client = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;

    let exe = std::env::current_exe()?;
    let mut ours = Peer::start(Command::new(&exe).args(["--serve", &rules]))?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/agi_peer.py");
    let mut peer = Peer::start(Command::new(python).args([script, &rules]))?;

    client.block_on(async {
        for (name, addr) in [("ringside", ours.addr), ("panoramisk", peer.addr)] {
            let (_, commands) = one_session(addr).await?;
            println!("{name:<10} answer: {}", commands.join(" | ").replace('\n', ""));
            run_level(addr, 10, Duration::from_millis(500)).await; // warm-up
        }
        println!("\nsessions/s and latency (closed loop: the load generator shares the 2 cores with the server)");
        println!(
            "{:>5} | {:>10} {:>7} {:>7} {:>11} | {:>10} {:>7} {:>7} {:>11} | {:>6} {:>9}",
            "conc", "ringside/s", "p50 ms", "p99 ms", "usr+sys µs", "python/s", "p50 ms", "p99 ms", "usr+sys µs", "ratio", "usr ratio"
        );
        for level in LEVELS {
            let r = measure(&ours, level).await;
            let p = measure(&peer, level).await;
            println!(
                "{level:>5} | {:>10.0} {:>7.3} {:>7.3} {:>5.1}+{:<5.1} | {:>10.0} {:>7.3} {:>7.3} {:>5.1}+{:<5.1} | {:>5.1}x {:>8.1}x  (errors {}/{})",
                r.rate, r.p50, r.p99, r.user_us, r.sys_us, p.rate, p.p50, p.p99, p.user_us, p.sys_us,
                r.rate / p.rate, p.user_us / r.user_us, r.errors, p.errors
            );
        }
        let (r, p) = (run_paced(ours.addr, 100, 1000.0).await, run_paced(peer.addr, 100, 1000.0).await);
        println!(
            "paced: 100 concurrent callers, 1000 sessions/s offered | ringside {:.0}/s p50 {:.3} ms p99 {:.3} ms | python {:.0}/s p50 {:.3} ms p99 {:.3} ms",
            r.rate, r.p50, r.p99, p.rate, p.p50, p.p99
        );
        println!("usr+sys µs = server process CPU per session (user + kernel); usr ratio = python user CPU / ringside user CPU");
        Ok::<_, BoxError>(())
    })?;
    ours.stop();
    peer.stop();

    let mut fresh = Peer::start(Command::new(&exe).args(["--serve", &rules]))?;
    let baseline = proc_status_kib(fresh.child.id(), "VmRSS:").unwrap_or(0);
    let held = client.block_on(hold_sessions(fresh.addr, HELD_SESSIONS));
    let rss = proc_status_kib(fresh.child.id(), "VmRSS:").unwrap_or(0);
    let hwm = proc_status_kib(fresh.child.id(), "VmHWM:").unwrap_or(0);
    drop(held);
    fresh.stop();
    println!(
        "\nringside memory with {HELD_SESSIONS} sessions held mid-script: RSS {:.1} MiB (peak {:.1} MiB, idle server {:.1} MiB, {:.2} KiB/session)",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0,
        baseline as f64 / 1024.0,
        rss.saturating_sub(baseline) as f64 / HELD_SESSIONS as f64
    );
    Ok(())
}

/// 49 rules that miss the captured call (dialled `s`, no caller, queue `sales`, context `agi-test`)
/// after checking patterns, queues and the schedule, then the rule that matches.
fn rule_book_json() -> String {
    let mut rules: Vec<String> = (0..49)
        .map(|i| {
            let when = match i % 4 {
                0 => format!(r#"{{"dialled":"_8{i:02}XX"}}"#),
                1 => format!(r#"{{"caller":"_0171{i:02}."}}"#),
                2 => format!(r#"{{"queue":"q{i}","context":"agi-test"}}"#),
                _ => r#"{"schedule":{"name":"office","state":"holiday"},"dialled":"_9XXX"}"#.to_owned(),
            };
            format!(r#"{{"name":"rule-{i}","class":"class-{i}","when":{when}}}"#)
        })
        .collect();
    rules.push(
        r#"{"name":"sales-queue","class":"sales","when":{"queue":"sales","context":"agi-test"}}"#.to_owned(),
    );
    format!(
        r#"{{"timezone":"Europe/Berlin","fallback":"default","rules":[{}],
            "schedules":[{{"name":"office","timezone":"Europe/Berlin",
              "weekly":{{"mon":["09:00-12:00","13:00-17:00"],"tue":["09:00-17:00"],"wed":["09:00-17:00"],"thu":["09:00-17:00"],"fri":["09:00-15:00"]}},
              "holidays":[{{"name":"xmas","kind":"yearly","month":12,"day":25}},{{"name":"summer","kind":"range","from":"2026-08-01","to":"2026-08-14"}}]}}]}}"#,
        rules.join(",")
    )
}

/// Server mode: Ringside's AGI server on 127.0.0.1:0 until stdin closes.
fn serve(rules_path: &str) -> Result<(), BoxError> {
    let spec: RuleBookSpec = serde_json::from_str(&std::fs::read_to_string(rules_path)?)?;
    let scripts = Arc::new(RuleBookScripts::new(RuleBook::new(spec)?));
    let config = AgiConfig {
        max_sessions: 20_000,
        env_timeout_ms: 60_000,
        idle_timeout_ms: 60_000,
        ..AgiConfig::default()
    };
    // RINGSIDE_BENCH_RUNTIME=current runs the server on a current-thread runtime, for comparison.
    let runtime = match std::env::var("RINGSIDE_BENCH_RUNTIME").as_deref() {
        Ok("current") => tokio::runtime::Builder::new_current_thread().enable_all().build()?,
        _ => tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?,
    };
    runtime.block_on(async {
        let listener = ringside::asterisk::agi::server::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        println!("PORT {}", listener.local_addr()?.port());
        let shutdown = tokio_util::sync::CancellationToken::new();
        let stop = shutdown.clone();
        std::thread::spawn(move || {
            let _ = std::io::stdin().lines().count();
            stop.cancel();
        });
        AgiServer::new(config, scripts).serve(listener, shutdown).await;
        Ok(())
    })
}

/// A server child process we started; stopped by closing its stdin, then killed by handle.
struct Peer {
    child: Child,
    addr: SocketAddr,
}

impl Peer {
    fn start(cmd: &mut Command) -> Result<Self, BoxError> {
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port: u16 =
            line.trim().strip_prefix("PORT ").ok_or_else(|| format!("bad banner {line:?}"))?.parse()?;
        Ok(Self { child, addr: SocketAddr::from(([127, 0, 0, 1], port)) })
    }

    fn stop(&mut self) {
        drop(self.child.stdin.take());
        std::thread::sleep(Duration::from_millis(200));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One full FastAGI session; returns its latency and the commands received.
async fn one_session(addr: SocketAddr) -> std::io::Result<(Duration, Vec<String>)> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    stream.write_all(ENV).await?;
    let (mut buf, mut commands) = ([0u8; 1024], Vec::new());
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok((started.elapsed(), commands));
        }
        for line in buf[..n].split_inclusive(|&b| b == b'\n').filter(|l| l.ends_with(b"\n")) {
            commands.push(String::from_utf8_lossy(line).into_owned());
            stream.write_all(b"200 result=1\n").await?;
        }
    }
}

/// One level against one server, with the server's CPU time per completed session.
async fn measure(peer: &Peer, level: usize) -> LevelResult {
    let before = proc_cpu_ticks(peer.child.id()).unwrap_or_default();
    let mut result = run_level(peer.addr, level, RUN_FOR).await;
    let after = proc_cpu_ticks(peer.child.id()).unwrap_or_default();
    let sessions = (result.rate * RUN_FOR.as_secs_f64()).max(1.0);
    // Linux reports utime/stime in USER_HZ = 100 ticks per second.
    let per_session = |a: u64, b: u64| a.saturating_sub(b) as f64 * 10_000.0 / sessions;
    result.user_us = per_session(after.0, before.0);
    result.sys_us = per_session(after.1, before.1);
    result
}

/// (utime, stime) of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat).
fn proc_cpu_ticks(pid: u32) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    Some((fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?))
}

struct LevelResult {
    user_us: f64,
    sys_us: f64,
    rate: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

async fn run_level(addr: SocketAddr, concurrency: usize, run_for: Duration) -> LevelResult {
    let started = Instant::now();
    let deadline = started + run_for;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            tokio::spawn(async move {
                let (mut lat, mut errors) = (Vec::new(), 0usize);
                while Instant::now() < deadline {
                    match one_session(addr).await {
                        Ok((d, cmds)) if cmds.len() == 3 => lat.push(d.as_micros() as u32),
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    collect(workers, started).await
}

type WorkerResult = tokio::task::JoinHandle<(Vec<u32>, usize)>;

async fn collect(workers: Vec<WorkerResult>, started: Instant) -> LevelResult {
    let (mut all, mut errors) = (Vec::new(), 0);
    for w in workers {
        if let Ok((lat, e)) = w.await {
            all.extend(lat);
            errors += e;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        let i = ((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1));
        all.get(i).map_or(f64::NAN, |us| *us as f64 / 1000.0)
    };
    LevelResult {
        user_us: 0.0,
        sys_us: 0.0,
        rate: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        errors,
    }
}

/// Open loop: `workers` callers each starting a session every `workers / rate` seconds.
async fn run_paced(addr: SocketAddr, workers: usize, rate: f64) -> LevelResult {
    let period = Duration::from_secs_f64(workers as f64 / rate);
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|i| {
            tokio::spawn(async move {
                let first = tokio::time::Instant::now() + period.mul_f64(i as f64 / workers as f64);
                let mut ticks = tokio::time::interval_at(first, period);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let (mut lat, mut errors) = (Vec::new(), 0usize);
                while started.elapsed() < RUN_FOR {
                    ticks.tick().await;
                    match one_session(addr).await {
                        Ok((d, cmds)) if cmds.len() == 3 => lat.push(d.as_micros() as u32),
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    collect(tasks, started).await
}

/// Opens `n` sessions that stop after the first command (never replying), and keeps them open.
async fn hold_sessions(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let ready = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(256));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (ready, gate) = (Arc::clone(&ready), Arc::clone(&gate));
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.ok()?;
                let mut s = TcpStream::connect(addr).await.ok()?;
                s.write_all(ENV).await.ok()?;
                let mut first = [0u8; 64];
                let got = s.read(&mut first).await.ok()?;
                (got > 0).then(|| ready.fetch_add(1, Ordering::Relaxed))?;
                Some(s)
            })
        })
        .collect();
    let mut held = Vec::with_capacity(n);
    for t in tasks {
        if let Ok(Some(s)) = t.await {
            held.push(s);
        }
    }
    println!("held {} of {n} sessions", ready.load(Ordering::Relaxed));
    held
}

fn proc_status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
