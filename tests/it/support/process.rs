//! `ringside serve` as a real child process: started on a free port, its log drained on a thread
//! (so it never writes into a closed pipe) and kept for assertions, stopped by SIGTERM or `kill -9`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

pub struct ServeProcess {
    pub child: Child,
    /// `host:port` the server logged it listens on.
    pub addr: String,
    log: Arc<Mutex<String>>,
}

impl ServeProcess {
    /// Run `ringside --data-dir DIR --database-url URL serve --listen LISTEN EXTRA…` and wait until it
    /// logs its address.
    pub fn start(dir: &std::path::Path, database_url: &str, listen: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ringside"))
            .args(["--data-dir", &dir.display().to_string(), "--database-url", database_url])
            .args(["serve", "--listen", listen])
            .args(extra)
            .env("RUST_LOG", "info")
            // Parallel tests each run a server: the default FastAGI port 4573 would collide.
            .env("RINGSIDE_AGI__BIND", "127.0.0.1:0")
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ringside serve");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(rest.split('/').next().unwrap_or_default().to_string());
                }
                let mut log = sink.lock().unwrap_or_else(|p| p.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(60)).expect("the server logs its address");
        Self { child, addr, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Everything logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `kill -9` and reap.
    pub fn kill9(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reap");
    }

    /// SIGTERM and wait for the exit.
    pub fn sigterm(mut self) -> (ExitStatus, String) {
        let pid = i32::try_from(self.child.id()).expect("pid fits");
        // SAFETY: sends a signal to our own child process; no memory is involved.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM delivered");
        let status = self.child.wait().expect("wait");
        // The drain thread ends at EOF; give it a moment to append the last lines.
        std::thread::sleep(Duration::from_millis(50));
        (status, self.log())
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
