//! The sandboxed transcode worker: the service runs each untrusted decode in a child process
//! of its own binary, with an address-space limit, a CPU-time limit and a wall-clock timeout,
//! so a crafted file can at worst kill the child — never the service.
//!
//! Owns: the parent side ([`transcode_sandboxed`]: spawn, limits, timeout, mapping deaths to
//! errors, removing a dead worker's temp files) and the child side ([`run_worker_from_stdio`],
//! the body of the hidden `ringside __transcode-worker` subcommand). Must not: decode anything
//! in the parent process.
//!
//! ```text
//! parent -> child stdin:  one JSON TranscodeJob, then EOF
//! child -> parent stdout: one JSON object per line
//!   {"type":"progress","value":0.42}
//!   {"type":"done","value":{"Ok":{...Report...}}}    or  {"type":"done","value":{"Err":{...AudioError...}}}
//! child stderr: diagnostics only (first 64 KiB kept; "memory allocation of N bytes failed" = out of memory)
//! ```

use std::io::{BufRead, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::audio::atomic::temp_path_for;
use crate::audio::error::AudioError;
use crate::audio::pipeline::{TranscodeJob, transcode};
use crate::audio::report::Report;
use crate::audio::spool::spool_name;

/// The hidden subcommand that runs [`run_worker_from_stdio`].
pub const WORKER_SUBCOMMAND: &str = "__transcode-worker";
/// Largest job description accepted on stdin.
const MAX_JOB_BYTES: u64 = 1 << 20;
/// Stderr kept for diagnosis.
const MAX_STDERR: usize = 64 * 1024;

/// Resource limits for one worker process.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WorkerLimits {
    /// RLIMIT_AS in bytes.
    pub address_space_bytes: u64,
    /// RLIMIT_CPU in seconds.
    pub cpu_secs: u64,
    /// Wall-clock timeout in seconds; the worker is killed after it.
    pub wall_secs: u64,
}

impl Default for WorkerLimits {
    fn default() -> Self {
        WorkerLimits { address_space_bytes: 1 << 30, cpu_secs: 300, wall_secs: 600 }
    }
}

/// One line of worker output.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum WorkerMessage {
    /// Fraction done.
    Progress(f32),
    /// The final outcome (boxed: a report is much larger than a progress value).
    Done(Box<Result<Report, AudioError>>),
}

fn emit(out: &mut impl Write, message: &WorkerMessage) {
    if let Ok(line) = serde_json::to_string(message) {
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// The child side: reads a job from stdin, runs it, reports on stdout. Returns the exit code.
pub fn run_worker_from_stdio() -> i32 {
    let mut input = String::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let job = std::io::stdin()
        .lock()
        .take(MAX_JOB_BYTES)
        .read_to_string(&mut input)
        .map_err(|e| AudioError::InvalidJob(e.to_string()))
        .and_then(|_| {
            serde_json::from_str::<TranscodeJob>(&input).map_err(|e| AudioError::InvalidJob(e.to_string()))
        });
    let result = job.and_then(|job| {
        let mut progress = |p: f32| emit(&mut std::io::stdout().lock(), &WorkerMessage::Progress(p));
        catch_unwind(AssertUnwindSafe(|| transcode(&job, &mut progress)))
            .unwrap_or_else(|_| Err(AudioError::WorkerCrashed("the decoder panicked".into())))
    });
    let code = i32::from(result.is_err());
    emit(&mut out, &WorkerMessage::Done(Box::new(result)));
    code
}

/// Runs `job` in a child process of `exe` (`exe __transcode-worker`) under `limits`.
pub async fn transcode_sandboxed(
    exe: &Path,
    job: TranscodeJob,
    limits: WorkerLimits,
    mut progress: impl FnMut(f32),
) -> Result<Report, AudioError> {
    job.validate()?;
    let payload = serde_json::to_vec(&job).map_err(|e| AudioError::InvalidJob(e.to_string()))?;
    let mut child = spawn_limited(exe, &limits)?;
    let pid = child.id().unwrap_or(0);
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let stderr_task = tokio::spawn(collect_stderr(stderr));
    let conversation = async {
        if let Some(mut stdin) = stdin {
            // A worker that dies before reading its job is reported from its exit status.
            let _ = stdin.write_all(&payload).await;
        }
        let mut outcome = None;
        let mut garbled = 0usize;
        if let Some(stdout) = stdout {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                match serde_json::from_str::<WorkerMessage>(&line) {
                    Ok(WorkerMessage::Progress(p)) => progress(p),
                    Ok(WorkerMessage::Done(result)) => outcome = Some(*result),
                    Err(_) => garbled += 1,
                }
            }
        }
        if outcome.is_none() && garbled > 0 {
            outcome = Some(Err(AudioError::WorkerCrashed(format!(
                "the worker wrote {garbled} unreadable result line(s)"
            ))));
        }
        (outcome, child.wait().await)
    };
    let timed = tokio::time::timeout(Duration::from_secs(limits.wall_secs), conversation).await;
    let result = match timed {
        Err(_elapsed) => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            Err(AudioError::WorkerTimeout { limit_secs: limits.wall_secs })
        }
        Ok((Some(outcome), _status)) => outcome,
        Ok((None, status)) => {
            let stderr = stderr_task.await.unwrap_or_default();
            Err(classify_death(status.ok(), &stderr, &limits))
        }
    };
    if result.is_err() {
        remove_worker_temps(&job, pid);
    }
    result
}

fn spawn_limited(exe: &Path, limits: &WorkerLimits) -> Result<tokio::process::Child, AudioError> {
    let mut command = tokio::process::Command::new(exe);
    command
        .arg(WORKER_SUBCOMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let (address_space, cpu) = (limits.address_space_bytes, limits.cpu_secs);
    // SAFETY: the closure runs between fork and exec and only calls setrlimit, which is
    // async-signal-safe; it allocates nothing and touches no locks.
    unsafe {
        command.pre_exec(move || {
            set_limit(libc::RLIMIT_AS, address_space)?;
            set_limit(libc::RLIMIT_CPU, cpu)
        });
    }
    command.spawn().map_err(|e| AudioError::io(format!("starting {}", exe.display()), &e))
}

fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let limit = libc::rlimit { rlim_cur: value, rlim_max: value };
    // SAFETY: plain syscall with a valid pointer to a stack value.
    if unsafe { libc::setrlimit(resource, &limit) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

async fn collect_stderr(stderr: Option<tokio::process::ChildStderr>) -> String {
    let Some(mut stderr) = stderr else {
        return String::new();
    };
    let mut kept = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stderr.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let room = MAX_STDERR.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..n.min(room)]);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

fn classify_death(
    status: Option<std::process::ExitStatus>,
    stderr: &str,
    limits: &WorkerLimits,
) -> AudioError {
    let oom = AudioError::WorkerOutOfMemory { limit_mib: limits.address_space_bytes >> 20 };
    if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
        return oom;
    }
    let Some(status) = status else {
        return AudioError::WorkerCrashed("could not wait for the worker".into());
    };
    match status.signal() {
        Some(libc::SIGXCPU) => AudioError::WorkerCpuLimit { limit_secs: limits.cpu_secs },
        Some(libc::SIGKILL) => {
            AudioError::WorkerCrashed("killed (possibly by the system's out-of-memory killer)".into())
        }
        Some(signal) => AudioError::WorkerCrashed(format!("terminated by signal {signal}")),
        None => {
            let last_line = stderr.lines().last().unwrap_or("no diagnostic output");
            AudioError::WorkerCrashed(format!("exited with {status} without a result: {last_line}"))
        }
    }
}

/// Removes the temp files a worker with `pid` may have left (its own clean-up did not run).
fn remove_worker_temps(job: &TranscodeJob, pid: u32) {
    let dir = &job.out_dir;
    let finals = job.formats.iter().map(|f| f.path_in(dir, &job.base_name));
    let spools = job.rates().into_iter().map(|r| spool_name(dir, &job.base_name, r));
    for path in finals.chain(spools) {
        let _ = std::fs::remove_file(temp_path_for(&path, pid));
    }
}

/// Reads worker output lines synchronously (for tools that run the worker without tokio).
pub fn parse_worker_output(output: impl BufRead) -> Option<Result<Report, AudioError>> {
    output
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<WorkerMessage>(&line).ok())
        .find_map(|message| match message {
            WorkerMessage::Done(result) => Some(*result),
            WorkerMessage::Progress(_) => None,
        })
}
