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
use ringside::routing::scripts::{Decider, StoreScripts};
use ringside::routing::{AnyClass, DecisionLog};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ENV: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/agi/session-env.bin"));
const LEVELS: [usize; 3] = [1, 100, 1000];
const RUN_FOR: Duration = Duration::from_secs(3);
const HELD_SESSIONS: usize = 10_000;
/// Offered rates for the open-loop latency runs (100 callers each).
const PACED_RATES: [f64; 2] = [1000.0, 3000.0];

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        return serve(args.get(i + 1).ok_or("--serve needs the rules path")?);
    }
    if args.iter().any(|a| a == "--serve-floor") {
        return serve_floor();
    }
    let rules = std::env::temp_dir().join("ringside-agi-bench-rules.json");
    std::fs::write(&rules, rule_book_json())?;
    let rules = rules.to_string_lossy().into_owned();
    let client = client_runtime()?;
    println!("load average before: {}", load_average());

    let exe = std::env::current_exe()?;
    let mut ours = Peer::start(Command::new(&exe).args(["--serve", &rules]))?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/agi_peer.py");
    let mut peer = Peer::start(Command::new(python).args([script, &rules]))?;
    let mut floor = Peer::start(Command::new(&exe).arg("--serve-floor"))?;

    client.block_on(async {
        for (name, addr) in [("ringside", ours.addr), ("panoramisk", peer.addr)] {
            let mut commands = Vec::new();
            one_session(addr, Some(&mut commands)).await?;
            println!("{name:<10} answer: {}", commands.join(" | ").replace('\n', ""));
            run_level(addr, 10, Duration::from_millis(500)).await; // warm-up
        }
        println!("\nsessions/s and latency (closed loop: the load generator shares the 2 cores with the server)");
        println!(
            "{:>5} | {:>10} {:>7} {:>7} {:>11} {:>6} | {:>10} {:>7} {:>7} {:>11} {:>6} | {:>6} {:>9}",
            "conc", "ringside/s", "p50 ms", "p99 ms", "usr+sys µs", "gen µs", "python/s", "p50 ms", "p99 ms", "usr+sys µs", "gen µs", "ratio", "cpu ratio"
        );
        let mut python_at_100 = f64::NAN;
        for level in LEVELS {
            let r = measure(&ours, level).await;
            let p = measure(&peer, level).await;
            if level == 100 {
                python_at_100 = p.rate;
            }
            println!(
                "{level:>5} | {:>10.0} {:>7.3} {:>7.3} {:>5.1}+{:<5.1} {:>6.1} | {:>10.0} {:>7.3} {:>7.3} {:>5.1}+{:<5.1} {:>6.1} | {:>5.1}x {:>8.1}x  (errors {}/{})",
                r.rate, r.p50, r.p99, r.user_us, r.sys_us, r.gen_us, p.rate, p.p50, p.p99, p.user_us, p.sys_us, p.gen_us,
                r.rate / p.rate, (p.user_us + p.sys_us) / (r.user_us + r.sys_us), r.errors, p.errors
            );
        }
        for rate in PACED_RATES {
            let (r, p) = (run_paced(ours.addr, 100, rate).await, run_paced(peer.addr, 100, rate).await);
            println!(
                "paced: 100 concurrent callers, {rate:.0} sessions/s offered | ringside {:.0}/s p50 {:.3} ms p99 {:.3} ms | python {:.0}/s p50 {:.3} ms p99 {:.3} ms",
                r.rate, r.p50, r.p99, p.rate, p.p50, p.p99
            );
        }
        let f = measure(&floor, 100).await;
        println!(
            "floor: a server that only does the TCP exchange (no parsing, no decision), 100 concurrent: {:.0}/s = {:.1}x python, server {:.1}+{:.1} µs, gen {:.1} µs",
            f.rate, f.rate / python_at_100, f.user_us, f.sys_us, f.gen_us
        );
        println!("usr+sys µs = server process CPU per session (user + kernel); gen µs = load generator CPU per session;");
        println!("cpu ratio = python CPU per session / ringside CPU per session. Closed loop: latency = concurrency / rate.");
        Ok::<_, BoxError>(())
    })?;
    ours.stop();
    peer.stop();
    floor.stop();

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
    println!("load average after: {}", load_average());
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

/// Server mode: Ringside's AGI server on 127.0.0.1:0 until stdin closes, exactly as `serve` runs
/// it: on its own current-thread runtime ([`AgiServer::spawn_dedicated`]), deciding through the
/// production [`StoreScripts`] (live rule book + decision-log queue). The queue is drained by a task
/// that counts and discards (the database insert is not part of the call's path and not measured).
/// `RINGSIDE_BENCH_RUNTIME=multi` serves on a 2-worker multi-thread runtime instead, for comparison.
fn serve(rules_path: &str) -> Result<(), BoxError> {
    let spec: RuleBookSpec = serde_json::from_str(&std::fs::read_to_string(rules_path)?)?;
    let (log, mut decisions) = DecisionLog::new();
    let live = Arc::new(RuleBookScripts::new(RuleBook::new(spec)?));
    let scripts = Arc::new(StoreScripts::new(Decider::new(live, Arc::new(AnyClass), log)));
    let config = AgiConfig {
        max_sessions: 20_000,
        env_timeout_ms: 60_000,
        idle_timeout_ms: 60_000,
        ..AgiConfig::default()
    };
    let multi = std::env::var("RINGSIDE_BENCH_RUNTIME").as_deref() == Ok("multi");
    let runtime = if multi {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?
    } else {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    };
    runtime.block_on(async {
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(256);
            while decisions.recv_many(&mut batch, 256).await > 0 {
                batch.clear();
            }
        });
        let listener = ringside::asterisk::agi::server::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        println!("PORT {}", listener.local_addr()?.port());
        let shutdown = tokio_util::sync::CancellationToken::new();
        let stop = shutdown.clone();
        std::thread::spawn(move || {
            let _ = std::io::stdin().lines().count();
            stop.cancel();
        });
        let server = AgiServer::new(config, scripts);
        if multi {
            server.serve(listener, shutdown).await;
        } else {
            server.spawn_dedicated(listener, shutdown)?.await;
        }
        Ok(())
    })
}

/// Floor mode: the least a FastAGI server can do per session on this machine — accept, read up to
/// the blank line, send three fixed commands each after the previous reply, close — on one
/// current-thread runtime. No parsing, limits or decision: the kernel's TCP cost plus a minimal task.
fn serve_floor() -> Result<(), BoxError> {
    const COMMANDS: [&[u8]; 3] = [
        b"SET VARIABLE CHANNEL(musicclass) sales\n",
        b"SET VARIABLE RINGSIDE_MOH sales\n",
        b"SET VARIABLE RINGSIDE_RULE sales-queue\n",
    ];
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = ringside::asterisk::agi::server::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        println!("PORT {}", listener.local_addr()?.port());
        loop {
            let (mut stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                stream.set_nodelay(true)?;
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(2).any(|w| w == b"\n\n") {
                    let n = stream.read(&mut buf).await?;
                    if n == 0 {
                        return Ok::<_, std::io::Error>(());
                    }
                    seen.extend_from_slice(&buf[..n]);
                }
                for cmd in COMMANDS {
                    stream.write_all(cmd).await?;
                    if stream.read(&mut buf).await? == 0 {
                        return Ok(());
                    }
                }
                stream.shutdown().await
            });
        }
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

/// One full FastAGI session: answers every command with `200 result=1` until the server closes.
/// Returns the latency and the number of commands; `commands` (if given) receives their text.
async fn one_session(
    addr: SocketAddr,
    mut commands: Option<&mut Vec<String>>,
) -> std::io::Result<(Duration, usize)> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    stream.write_all(ENV).await?;
    let (mut buf, mut count) = ([0u8; 1024], 0);
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok((started.elapsed(), count));
        }
        for line in buf[..n].split_inclusive(|&b| b == b'\n').filter(|l| l.ends_with(b"\n")) {
            if let Some(commands) = commands.as_deref_mut() {
                commands.push(String::from_utf8_lossy(line).into_owned());
            }
            count += 1;
            stream.write_all(b"200 result=1\n").await?;
        }
    }
}

/// The load generator's runtime: `AGI_BENCH_CLIENT_THREADS` workers (default 1, a current-thread
/// runtime, so a single-threaded server and the generator each get one of the 2 cores).
fn client_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let threads: usize =
        std::env::var("AGI_BENCH_CLIENT_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(1);
    if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
    }
}

/// `/proc/loadavg`'s first three fields (1, 5, 15 minutes) and the core count.
fn load_average() -> String {
    let avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{} on {cores} cores", avg.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// One level against one server, with the server's CPU time per completed session.
async fn measure(peer: &Peer, level: usize) -> LevelResult {
    let before = proc_cpu_ticks(peer.child.id()).unwrap_or_default();
    let gen_before = proc_cpu_ticks(std::process::id()).unwrap_or_default();
    let mut result = run_level(peer.addr, level, RUN_FOR).await;
    let after = proc_cpu_ticks(peer.child.id()).unwrap_or_default();
    let gen_after = proc_cpu_ticks(std::process::id()).unwrap_or_default();
    let sessions = (result.rate * RUN_FOR.as_secs_f64()).max(1.0);
    // Linux reports utime/stime in USER_HZ = 100 ticks per second.
    let per_session = |a: u64, b: u64| a.saturating_sub(b) as f64 * 10_000.0 / sessions;
    result.user_us = per_session(after.0, before.0);
    result.sys_us = per_session(after.1, before.1);
    result.gen_us = per_session(gen_after.0 + gen_after.1, gen_before.0 + gen_before.1);
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
    gen_us: f64,
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
                    match one_session(addr, None).await {
                        Ok((d, 3)) => lat.push(d.as_micros() as u32),
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
        gen_us: 0.0,
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
                    match one_session(addr, None).await {
                        Ok((d, 3)) => lat.push(d.as_micros() as u32),
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
