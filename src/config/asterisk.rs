//! The `[moh]`, `[cdr]` and `[[asterisk]]` sections: where hold music goes, how long call records are
//! kept, and the Asterisk servers Ringside manages.
//!
//! ```toml
//! [moh]
//! root = "/var/lib/asterisk/moh/ringside"
//! conf_path = "/etc/asterisk/musiconhold_ringside.conf"
//!
//! [[asterisk]]
//! name = "pbx1"
//! ari_url = "http://127.0.0.1:8088/ari"
//! ari_user = "ringside"
//! ari_password = "…"
//! ami_host = "127.0.0.1"
//! ami_port = 5038
//! ami_user = "ringside"
//! ami_secret = "…"
//! cdr_csv_path = "/var/log/asterisk/cdr-csv/Master.csv"
//! cdr_timezone = "Europe/Berlin"
//! ```

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `[moh]`: where category folders and the generated config are written, what uploads become.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MohConfig {
    /// Folder holding one sub-folder per category. Unset: `<data_dir>/moh`.
    #[serde(default)]
    pub root: Option<PathBuf>,
    /// The generated `musiconhold_ringside.conf`. Unset: `<data_dir>/musiconhold_ringside.conf`.
    #[serde(default)]
    pub conf_path: Option<PathBuf>,
    /// Renditions written for every upload (`wav16` is always added: the browser preview plays it).
    #[serde(default = "moh_formats")]
    pub formats: Vec<crate::audio::OutputFormat>,
    /// Largest accepted upload, in bytes (refused with 413 while it streams in).
    #[serde(default = "moh_max_upload_bytes")]
    pub max_upload_bytes: u64,
    /// Longest accepted audio, in seconds.
    #[serde(default = "moh_max_duration_secs")]
    pub max_duration_secs: u64,
}

fn moh_formats() -> Vec<crate::audio::OutputFormat> {
    crate::audio::OutputFormat::ALL.to_vec()
}

fn moh_max_upload_bytes() -> u64 {
    200 << 20
}

fn moh_max_duration_secs() -> u64 {
    60 * 60
}

impl Default for MohConfig {
    fn default() -> Self {
        MohConfig {
            root: None,
            conf_path: None,
            formats: moh_formats(),
            max_upload_bytes: moh_max_upload_bytes(),
            max_duration_secs: moh_max_duration_secs(),
        }
    }
}

impl MohConfig {
    pub fn root(&self, data_dir: &Path) -> PathBuf {
        self.root.clone().unwrap_or_else(|| data_dir.join("moh"))
    }

    pub fn conf_path(&self, data_dir: &Path) -> PathBuf {
        self.conf_path.clone().unwrap_or_else(|| data_dir.join("musiconhold_ringside.conf"))
    }

    /// The formats to write, `wav16` included, without repeats.
    pub fn output_formats(&self) -> Vec<crate::audio::OutputFormat> {
        let mut formats = self.formats.clone();
        formats.push(crate::audio::OutputFormat::Wav16);
        formats.sort_unstable();
        formats.dedup();
        formats
    }
}

/// `[audio]`: the transcode worker and the hard caps on what it accepts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AudioConfig {
    /// The program run as the sandboxed worker (`<exe> __transcode-worker`). Unset: this binary.
    #[serde(default)]
    pub worker_exe: Option<PathBuf>,
    /// Most channels an upload may have.
    #[serde(default = "audio_max_channels")]
    pub max_channels: u32,
    /// Highest sample rate an upload may have, in Hz.
    #[serde(default = "audio_max_sample_rate")]
    pub max_sample_rate: u32,
    /// Address space the worker may use, in MiB (RLIMIT_AS).
    #[serde(default = "audio_worker_memory_mib")]
    pub worker_memory_mib: u64,
    /// CPU seconds the worker may use (RLIMIT_CPU).
    #[serde(default = "audio_worker_cpu_secs")]
    pub worker_cpu_secs: u64,
    /// Wall-clock seconds after which the worker is killed.
    #[serde(default = "audio_worker_timeout_secs")]
    pub worker_timeout_secs: u64,
}

fn audio_max_channels() -> u32 {
    8
}
fn audio_max_sample_rate() -> u32 {
    192_000
}
fn audio_worker_memory_mib() -> u64 {
    1024
}
fn audio_worker_cpu_secs() -> u64 {
    300
}
fn audio_worker_timeout_secs() -> u64 {
    600
}

impl Default for AudioConfig {
    fn default() -> Self {
        Self {
            worker_exe: None,
            max_channels: audio_max_channels(),
            max_sample_rate: audio_max_sample_rate(),
            worker_memory_mib: audio_worker_memory_mib(),
            worker_cpu_secs: audio_worker_cpu_secs(),
            worker_timeout_secs: audio_worker_timeout_secs(),
        }
    }
}

impl AudioConfig {
    pub fn worker_exe(&self) -> PathBuf {
        self.worker_exe
            .clone()
            .or_else(|| std::env::current_exe().ok())
            .unwrap_or_else(|| PathBuf::from("ringside"))
    }

    /// The resource limits the sandboxed worker runs under.
    pub fn worker_limits(&self) -> crate::audio::worker::WorkerLimits {
        crate::audio::worker::WorkerLimits {
            address_space_bytes: self.worker_memory_mib.saturating_mul(1 << 20),
            cpu_secs: self.worker_cpu_secs,
            wall_secs: self.worker_timeout_secs,
        }
    }
}

/// `[cdr]`: collector-wide settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CdrConfig {
    /// Delete call records older than this many days (daily, audited). Unset: keep forever.
    #[serde(default)]
    pub retention_days: Option<u32>,
}

/// One `[[asterisk]]` server.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AsteriskServerConfig {
    /// A short name: `^[a-z0-9][a-z0-9_-]{0,31}$`, unique.
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// ARI base URL, e.g. `http://127.0.0.1:8088/ari`.
    #[serde(default)]
    pub ari_url: Option<String>,
    #[serde(default)]
    pub ari_user: Option<String>,
    #[serde(default)]
    pub ari_password: Option<String>,
    #[serde(default)]
    pub ami_host: Option<String>,
    #[serde(default = "ami_port")]
    pub ami_port: u16,
    #[serde(default)]
    pub ami_user: Option<String>,
    #[serde(default)]
    pub ami_secret: Option<String>,
    /// Overrides `[moh] root` for this server.
    #[serde(default)]
    pub moh_root: Option<PathBuf>,
    /// Overrides `[moh] conf_path` for this server.
    #[serde(default)]
    pub conf_path: Option<PathBuf>,
    /// Master.csv to follow, e.g. `/var/log/asterisk/cdr-csv/Master.csv`.
    #[serde(default)]
    pub cdr_csv_path: Option<PathBuf>,
    /// The zone Asterisk writes local CDR times in (`UTC` for `usegmtime=yes`). Default `UTC`.
    #[serde(default)]
    pub cdr_timezone: Option<String>,
    /// Master.csv column layout: `auto` (default), `16` … `21`, `17u`, `20u`.
    #[serde(default)]
    pub cdr_columns: Option<String>,
}

fn yes() -> bool {
    true
}

fn ami_port() -> u16 {
    5038
}

impl std::fmt::Debug for AsteriskServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsteriskServerConfig")
            .field("name", &self.name)
            .field("enabled", &self.enabled)
            .field("ari_url", &self.ari_url)
            .field("ari_user", &self.ari_user)
            .field("ari_password", &self.ari_password.as_ref().map(|_| "<redacted>"))
            .field("ami_host", &self.ami_host)
            .field("ami_port", &self.ami_port)
            .field("ami_user", &self.ami_user)
            .field("ami_secret", &self.ami_secret.as_ref().map(|_| "<redacted>"))
            .field("cdr_csv_path", &self.cdr_csv_path)
            .finish_non_exhaustive()
    }
}

impl AsteriskServerConfig {
    /// A copy safe to show: secrets replaced.
    pub fn redacted(&self) -> Self {
        let mut shown = self.clone();
        let hide = |s: &Option<String>| s.as_ref().map(|_| "<redacted>".to_string());
        shown.ari_password = hide(&self.ari_password);
        shown.ami_secret = hide(&self.ami_secret);
        shown
    }

    /// Check what types cannot; `index` names the entry in messages (`asterisk[0].name`).
    pub fn validate(&self, index: usize) -> Result<(), (String, String)> {
        match self.problems().into_iter().next() {
            Some((field, message)) => Err((format!("asterisk[{index}].{field}"), message)),
            None => Ok(()),
        }
    }

    /// Every value that would reach a URL, a path, an AMI action or the generated conf, checked
    /// field by field: `(field, message)` for each problem, in form order.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !server_name_ok(&self.name) {
            out.push(("name", "must match ^[a-z0-9][a-z0-9_-]{0,31}$".into()));
        }
        if let Some(url) = &self.ari_url
            && let Err(message) = check_ari_url(url)
        {
            out.push(("ari_url", message));
        }
        let texts = [
            ("ari_user", &self.ari_user, 128),
            ("ari_password", &self.ari_password, 256),
            ("ami_host", &self.ami_host, 253),
            ("ami_user", &self.ami_user, 128),
            ("ami_secret", &self.ami_secret, 256),
        ];
        for (field, value, max) in texts {
            if let Some(message) = value.as_deref().and_then(|v| text_problem(v, max)) {
                out.push((field, message));
            }
        }
        if self.ari_user.as_deref().is_some_and(|u| u.contains(':')) {
            out.push(("ari_user", "must not contain ':' (HTTP Basic auth splits on it)".into()));
        }
        if let Some(host) = &self.ami_host
            && !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'_'))
        {
            out.push((
                "ami_host",
                "must be a host name or IP address (letters, digits, '.', '-', ':')".into(),
            ));
        }
        if self.ari_url.is_some() && (self.ari_user.is_none() || self.ari_password.is_none()) {
            out.push(("ari_user", "ari_url needs ari_user and ari_password".into()));
        }
        if self.ami_host.is_some() && (self.ami_user.is_none() || self.ami_secret.is_none()) {
            out.push(("ami_user", "ami_host needs ami_user and ami_secret".into()));
        }
        if self.ami_port == 0 {
            out.push(("ami_port", "must be between 1 and 65535".into()));
        }
        let paths = [
            ("moh_root", &self.moh_root),
            ("conf_path", &self.conf_path),
            ("cdr_csv_path", &self.cdr_csv_path),
        ];
        for (field, path) in paths {
            if let Some(message) = path.as_deref().and_then(path_problem) {
                out.push((field, message));
            }
        }
        if let Some(tz) = &self.cdr_timezone
            && jiff::tz::TimeZone::get(tz).is_err()
        {
            out.push((
                "cdr_timezone",
                format!("unknown time zone {tz:?}; use an IANA name such as Europe/Berlin or UTC"),
            ));
        }
        out
    }
}

/// `^[a-z0-9][a-z0-9_-]{0,31}$`.
pub fn server_name_ok(name: &str) -> bool {
    let b = name.as_bytes();
    b.first().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.len() <= 32
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

fn text_problem(value: &str, max: usize) -> Option<String> {
    if value.is_empty() {
        Some("must not be empty".into())
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters (CR, LF, …)".into())
    } else if value.len() > max {
        Some(format!("at most {max} bytes"))
    } else {
        None
    }
}

/// An `http://` or `https://` URL with a host, without credentials, query or fragment.
fn check_ari_url(url: &str) -> Result<(), String> {
    if let Some(message) = text_problem(url, 2048) {
        return Err(message);
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || !url.contains("://") {
        return Err("must start with http:// or https://".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not carry credentials: use ari_user and ari_password".into());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() || url.contains(['?', '#']) {
        return Err("must not have a query or fragment".into());
    }
    Ok(())
}

/// A path that may be written into Asterisk config and opened: UTF-8, absolute, without control
/// characters, `;` (a conf comment) or `\\`.
fn path_problem(path: &Path) -> Option<String> {
    let Some(text) = path.to_str() else { return Some("must be UTF-8".into()) };
    if !path.is_absolute() {
        Some("must be an absolute path (starting with /)".into())
    } else if text.chars().any(|c| c.is_control() || c == ';' || c == '\\') {
        Some("must not contain control characters, ';' or '\\'".into())
    } else if text.len() > 1024 {
        Some("at most 1024 bytes".into())
    } else {
        None
    }
}
