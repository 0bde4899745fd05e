//! The FastAGI scripts Ringside answers, routed by the path of `agi_network_script`:
//!
//! ```text
//! moh        SET VARIABLE CHANNEL(musicclass) <class>; RINGSIDE_MOH=<class>; RINGSIDE_RULE=<rule|fallback>
//! schedule   RINGSIDE_SCHEDULE=open|closed|holiday; RINGSIDE_SCHEDULE_NAME=<name>   (?name=<name> or arg 1)
//! other      RINGSIDE_MOH=<fallback class>, logged
//! ```
//!
//! Owns turning the environment into [`CallFacts`] (the edge where caller-controlled bytes become
//! clean text) and the command sequence per script. Must not decide: it asks an [`AgiScripts`]
//! implementation (the lead's, backed by the store; [`RuleBookScripts`] for a fixed rule book).
//! A failed or slow decision never leaves the call without an answer: the fallback class is set.

use std::future::Future;
use std::sync::{Arc, RwLock};

use jiff::Timestamp;

use super::config::AgiConfig;
use super::proto::{AgiEnv, Command, Reply};
use super::session::{AgiSession, SessionError};
use crate::flows::{CallFacts, Decision, MohClass, RuleBook, ScheduleState};

/// Why a decision could not be made. Any of these leads to the fallback class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecideError {
    #[error("unknown schedule `{0}`")]
    UnknownSchedule(String),
    #[error("rules unavailable: {0}")]
    Unavailable(String),
}

/// What the scripts ask. Implementations record each [`Decision`] themselves (without blocking the
/// call: e.g. hand it to a batching writer) and should answer from memory.
pub trait AgiScripts: Send + Sync + 'static {
    /// The class for this call.
    fn decide_moh(&self, call: &CallFacts) -> impl Future<Output = Result<Decision, DecideError>> + Send;
    /// The state of the named schedule at `at`.
    fn schedule_state(
        &self,
        name: &str,
        at: Timestamp,
    ) -> impl Future<Output = Result<ScheduleState, DecideError>> + Send;
}

/// [`AgiScripts`] over an in-memory [`RuleBook`] that can be swapped when rules change.
#[derive(Debug)]
pub struct RuleBookScripts {
    book: RwLock<Arc<RuleBook>>,
}

impl RuleBookScripts {
    pub fn new(book: RuleBook) -> Self {
        Self { book: RwLock::new(Arc::new(book)) }
    }

    pub fn replace(&self, book: RuleBook) {
        let mut guard = self.book.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard = Arc::new(book);
    }

    /// The book in force now (later swaps do not affect the returned copy).
    pub fn book(&self) -> Arc<RuleBook> {
        Arc::clone(&self.book.read().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

impl AgiScripts for RuleBookScripts {
    async fn decide_moh(&self, call: &CallFacts) -> Result<Decision, DecideError> {
        Ok(self.book().decide(call))
    }

    async fn schedule_state(&self, name: &str, at: Timestamp) -> Result<ScheduleState, DecideError> {
        let book = self.book();
        let schedule = book.schedule(name).ok_or_else(|| DecideError::UnknownSchedule(name.to_owned()))?;
        Ok(schedule.state_at(at))
    }
}

/// What a session ended up telling the dialplan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptOutcome {
    Moh {
        class: MohClass,
        rule: Option<String>,
    },
    Schedule {
        name: String,
        state: ScheduleState,
    },
    /// The fallback class was set because of `reason`.
    Fallback {
        reason: String,
    },
}

/// Runs the script the environment asks for.
pub async fn run_script<S, I>(
    session: &mut AgiSession<I>,
    env: &AgiEnv,
    scripts: &S,
    config: &AgiConfig,
    at: Timestamp,
) -> Result<ScriptOutcome, SessionError>
where
    S: AgiScripts,
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let request = env.script().unwrap_or_default();
    let limit = config.decision_timeout();
    let reason = match request.path.as_str() {
        "moh" => {
            let facts = call_facts(env, at);
            match tokio::time::timeout(limit, scripts.decide_moh(&facts)).await {
                Ok(Ok(decision)) => return apply_moh(session, decision).await,
                Ok(Err(e)) => format!("moh decision failed: {e}"),
                Err(_) => "moh decision timed out".to_owned(),
            }
        }
        "schedule" => {
            let name = request.param("name").map(str::to_owned).or_else(|| env.arg(1).map(clean_text));
            match name.filter(|n| !n.is_empty()) {
                None => "schedule script without ?name=".to_owned(),
                Some(name) => match tokio::time::timeout(limit, scripts.schedule_state(&name, at)).await {
                    Ok(Ok(state)) => return apply_schedule(session, name, state).await,
                    Ok(Err(e)) => format!("schedule failed: {e}"),
                    Err(_) => "schedule decision timed out".to_owned(),
                },
            }
        }
        other => format!("unknown script `{other}`"),
    };
    tracing::warn!(uniqueid = %env.text("uniqueid").unwrap_or_default(), %reason, "AGI fallback");
    set_variable(session, "RINGSIDE_MOH", config.fallback_class.as_str()).await?;
    Ok(ScriptOutcome::Fallback { reason })
}

async fn apply_moh<I>(session: &mut AgiSession<I>, decision: Decision) -> Result<ScriptOutcome, SessionError>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let class = decision.class.as_str();
    set_variable(session, "CHANNEL(musicclass)", class).await?;
    set_variable(session, "RINGSIDE_MOH", class).await?;
    set_variable(session, "RINGSIDE_RULE", decision.rule_label()).await?;
    Ok(ScriptOutcome::Moh { class: decision.class, rule: decision.rule })
}

async fn apply_schedule<I>(
    session: &mut AgiSession<I>,
    name: String,
    state: ScheduleState,
) -> Result<ScriptOutcome, SessionError>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    set_variable(session, "RINGSIDE_SCHEDULE", state.as_str()).await?;
    set_variable(session, "RINGSIDE_SCHEDULE_NAME", &name).await?;
    Ok(ScriptOutcome::Schedule { name, state })
}

/// Sets one variable. A value that cannot be encoded or a 510/520 reply is logged and skipped so
/// the remaining variables still reach the dialplan; `HANGUP`/`511`/I/O errors end the session.
async fn set_variable<I>(session: &mut AgiSession<I>, name: &str, value: &str) -> Result<(), SessionError>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let cmd = match Command::set_variable(name, value) {
        Ok(cmd) => cmd,
        Err(e) => {
            tracing::warn!(variable = name, error = %e, "AGI value not sendable, skipped");
            return Ok(());
        }
    };
    match session.execute(&cmd).await? {
        Reply::Success { .. } => {}
        other => tracing::warn!(variable = name, reply = ?other, "AGI SET VARIABLE refused"),
    }
    Ok(())
}

/// The edge where caller-controlled bytes become domain text (see [`clean_text`]).
pub fn call_facts(env: &AgiEnv, at: Timestamp) -> CallFacts {
    let field = |key: &str| env.raw(key).map(clean_text).unwrap_or_default();
    let known = |key: &str| Some(field(key)).filter(|v| !v.is_empty() && v != "unknown");
    let queue = env
        .script()
        .and_then(|r| r.param("queue").map(str::to_owned))
        .or_else(|| env.arg(1).map(clean_text))
        .filter(|q| !q.is_empty());
    CallFacts {
        uniqueid: field("uniqueid"),
        dialled: known("dnid").unwrap_or_else(|| field("extension")),
        caller_number: known("callerid").unwrap_or_default(),
        caller_name: known("calleridname").unwrap_or_default(),
        context: field("context"),
        queue,
        account_code: known("accountcode"),
        at,
    }
}

/// Lossy UTF-8 with control characters (NUL, CR, LF, ESC…) replaced by U+FFFD, so stored decisions
/// and logs never carry them (PostgreSQL `text` refuses NUL). The raw bytes stay in [`AgiEnv`].
pub fn clean_text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .chars()
        .map(|c| if c.is_control() { char::REPLACEMENT_CHARACTER } else { c })
        .collect()
}
