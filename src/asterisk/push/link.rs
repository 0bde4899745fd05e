//! One managed Asterisk server as the push sees it: its resolved paths and the ARI/AMI clients,
//! plus the three things the deploy asks of Asterisk — reload `res_musiconhold`, read back the
//! classes and files, and tell who it is (version, start time).
//!
//! Errors are sorted into [`Trouble::Unreachable`] (retry later: `pending`) and
//! [`Trouble::Refused`] (Asterisk said no: `failed`, with its words). Never logs secrets.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::status::{LinkCounters, LinkStatus};
use crate::asterisk::ami::client::AmiConnectionState;
use crate::asterisk::ami::{AmiClient, AmiError};
use crate::asterisk::ari::events::AriEventStats;
use crate::asterisk::ari::{AriClient, AriConnectionState, AriError, AriResync, AsteriskInfo};
use crate::asterisk::moh_readback::{
    Difference, ExpectedClass, ReportedClass, ReportedFiles, compare, parse_show_classes, parse_show_files,
};

/// The module every deploy reloads.
pub const MOH_MODULE: &str = "res_musiconhold.so";

/// Why a step against Asterisk did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// Could not get an answer (down, timeout, credentials refused, busy): retry with backoff.
    Unreachable(String),
    /// Asterisk answered no: show its words.
    Refused(String),
}

impl Trouble {
    pub fn message(&self) -> &str {
        match self {
            Self::Unreachable(m) | Self::Refused(m) => m,
        }
    }
}

impl From<AriError> for Trouble {
    fn from(e: AriError) -> Self {
        match e {
            AriError::NotFound { .. } | AriError::Decode(_) | AriError::InvalidInput(_) => {
                Self::Refused(format!("ARI: {e}"))
            }
            AriError::Status { status, .. } if status < 500 => Self::Refused(format!("ARI: {e}")),
            other => Self::Unreachable(format!("ARI: {other}")),
        }
    }
}

impl From<AmiError> for Trouble {
    fn from(e: AmiError) -> Self {
        match &e {
            AmiError::ActionFailed { output, .. } if !output.is_empty() => {
                Self::Refused(format!("AMI: {e}: {}", output.join(" / ")))
            }
            AmiError::ActionFailed { .. } | AmiError::InvalidInput(_) => Self::Refused(format!("AMI: {e}")),
            _ => Self::Unreachable(format!("AMI: {e}")),
        }
    }
}

/// ARI side of a server: REST client plus the events task's watches.
pub struct AriLink {
    pub client: AriClient,
    pub state: watch::Receiver<AriConnectionState>,
    pub resync: watch::Receiver<AriResync>,
    pub stats: Arc<AriEventStats>,
}

/// What `moh show classes` / `moh show files` said, parsed and compared.
#[derive(Debug, Clone, Default)]
pub struct ReadBack {
    pub differences: Vec<Difference>,
    /// The raw output lines, for the admin when something differs.
    pub output: Vec<String>,
    pub classes: Vec<ReportedClass>,
    pub files: Vec<ReportedFiles>,
}

/// One server.
pub struct ServerLink {
    pub name: String,
    pub enabled: bool,
    pub moh_root: PathBuf,
    pub conf_path: PathBuf,
    pub ari: Option<AriLink>,
    /// Why ARI is configured but unusable (e.g. an `https://` URL), if so.
    pub ari_unusable: Option<String>,
    pub ami: Option<AmiClient>,
    pub info: Mutex<Option<AsteriskInfo>>,
    /// `FullyBooted`'s `Uptime` and when it arrived, for servers without ARI.
    pub booted: Mutex<Option<(i64, std::time::Instant)>>,
}

impl ServerLink {
    /// Reloads `res_musiconhold`: through ARI when configured, else (or when ARI cannot be
    /// reached) through AMI `Action: Reload`. Returns which path worked.
    pub async fn reload(&self) -> Result<&'static str, Trouble> {
        let mut trouble = Trouble::Unreachable("neither ARI nor AMI is configured".into());
        if let Some(ari) = &self.ari {
            tracing::info!(server = %self.name, module = MOH_MODULE, "reloading through ARI");
            match ari.client.reload_module(MOH_MODULE).await {
                Ok(()) => return Ok("ARI"),
                Err(e) => trouble = e.into(),
            }
            if matches!(trouble, Trouble::Refused(_)) || self.ami.is_none() {
                return Err(trouble);
            }
        }
        if let Some(ami) = &self.ami {
            tracing::info!(server = %self.name, module = MOH_MODULE, "reloading through AMI");
            return ami.reload_module(MOH_MODULE).await.map(|()| "AMI").map_err(Trouble::from);
        }
        Err(trouble)
    }

    /// Runs `moh show classes` and `moh show files` through AMI and compares with `expected`.
    /// `Ok(None)` when no AMI is configured (nothing can be verified).
    pub async fn read_back(&self, expected: &[ExpectedClass]) -> Result<Option<ReadBack>, Trouble> {
        let Some(ami) = &self.ami else { return Ok(None) };
        tracing::info!(server = %self.name, "reading back: moh show classes, moh show files");
        let class_lines = ami.command("moh show classes").await?;
        let file_lines = ami.command("moh show files").await?;
        let output: Vec<String> = class_lines.iter().chain(&file_lines).cloned().collect();
        let parsed = parse_show_classes(&class_lines).and_then(|c| Ok((c, parse_show_files(&file_lines)?)));
        let (classes, files) =
            parsed.map_err(|e| Trouble::Refused(format!("{e}; Asterisk said: {}", output.join(" / "))))?;
        let differences = compare(expected, &classes, &files);
        Ok(Some(ReadBack { differences, output, classes, files }))
    }

    /// Refreshes version and start time from ARI `GET /asterisk/info` (quietly skipped without ARI).
    pub async fn refresh_info(&self) {
        let Some(ari) = &self.ari else { return };
        match ari.client.info().await {
            Ok(info) => *lock(&self.info) = Some(info),
            Err(e) => tracing::debug!(server = %self.name, error = %e, "asterisk/info unavailable"),
        }
    }

    pub fn ari_status(&self) -> LinkStatus {
        if let Some(reason) = &self.ari_unusable {
            return LinkStatus {
                configured: true,
                state: "unusable".into(),
                last_error: Some(reason.clone()),
            };
        }
        let Some(ari) = &self.ari else { return LinkStatus::not_configured() };
        let (state, last_error) = match &*ari.state.borrow() {
            AriConnectionState::Connected { .. } => ("connected", None),
            AriConnectionState::Connecting { last_error, .. } => ("connecting", last_error.clone()),
            AriConnectionState::AuthFailed { message } => ("credentials refused", Some(message.clone())),
        };
        LinkStatus { configured: true, state: state.into(), last_error }
    }

    pub fn ami_status(&self) -> LinkStatus {
        let Some(ami) = &self.ami else { return LinkStatus::not_configured() };
        let (state, last_error) = match &*ami.state().borrow() {
            AmiConnectionState::Connected { .. } => ("connected", None),
            AmiConnectionState::Connecting { last_error, .. } => ("connecting", last_error.clone()),
            AmiConnectionState::AuthFailed { message } => ("credentials refused", Some(message.clone())),
            AmiConnectionState::Stopped => ("stopped", None),
        };
        LinkStatus { configured: true, state: state.into(), last_error }
    }

    pub fn counters(&self) -> LinkCounters {
        use std::sync::atomic::Ordering::Relaxed;
        let mut c = LinkCounters::default();
        if let Some(ami) = &self.ami {
            let s = ami.stats();
            c.ami_malformed_frames = s.malformed_frames.load(Relaxed);
            c.ami_events_dropped = s.events_dropped.load(Relaxed);
            c.ami_connect_attempts = s.connect_attempts.load(Relaxed);
            c.ami_auth_failures = s.auth_failures.load(Relaxed);
        }
        if let Some(ari) = &self.ari {
            c.ari_malformed_events = ari.stats.malformed.load(Relaxed);
            c.ari_events_dropped = ari.stats.dropped.load(Relaxed);
            c.ari_connects = ari.stats.connects.load(Relaxed);
        }
        c
    }

    /// Version, start time and uptime in seconds, as far as known.
    pub fn identity(&self) -> (Option<String>, Option<String>, Option<i64>) {
        let info = lock(&self.info).clone();
        let version = info.as_ref().and_then(|i| i.system.as_ref()).map(|s| s.version.clone());
        let startup = info.as_ref().and_then(|i| i.status.as_ref()).map(|s| s.startup_time.clone());
        let uptime = startup.as_deref().and_then(uptime_from_startup).or_else(|| {
            lock(&self.booted).map(|(uptime, at)| uptime + i64::try_from(at.elapsed().as_secs()).unwrap_or(0))
        });
        (version, startup, uptime)
    }
}

/// Seconds since ARI's `startup_time` (`2026-12-04T19:47:16.641+0000`).
fn uptime_from_startup(text: &str) -> Option<i64> {
    let started = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", text).ok()?.to_timestamp().ok()?;
    Some(jiff::Timestamp::now().as_second() - started.as_second())
}

/// Locks a mutex whose data stays valid even if a holder panicked (plain values, no invariants).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_time_in_asterisk_format_gives_an_uptime() {
        let uptime = uptime_from_startup("2026-12-04T19:47:16.641+0000").unwrap();
        assert!(uptime > -10 * 365 * 86400);
        assert!(uptime_from_startup("yesterday").is_none());
    }

    #[test]
    fn errors_sort_into_retry_or_refusal() {
        assert!(matches!(Trouble::from(AriError::Timeout), Trouble::Unreachable(_)));
        assert!(matches!(
            Trouble::from(AriError::Unauthorized { message: "x".into() }),
            Trouble::Unreachable(_)
        ));
        assert!(matches!(Trouble::from(AriError::NotFound { message: "x".into() }), Trouble::Refused(_)));
        assert!(matches!(
            Trouble::from(AmiError::NotConnected { last_error: None }),
            Trouble::Unreachable(_)
        ));
    }
}
