//! Dialplan-free test hold: originate `Local/{exten}@{context}` into Ringside's Stasis app over
//! ARI, start MoH with a class on that channel, and report whether Asterisk *actually* started
//! that class — proven by the AMI `MusicOnHoldStart` event for that channel carrying that
//! `Class` (an unknown class still gets ARI's 204 and plays `default`).
//!
//! Every value is typed and checked before any request is built (no control characters, no
//! `@`/`/` smuggling). The test call is hung up after `listen_secs`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::hub::{PushHub, STASIS_APP};
use crate::asterisk::ari::{AriError, OriginateLocal};
use crate::moh::MohClassName;

/// The admin's request.
#[derive(Debug, Clone, Deserialize)]
pub struct TestHoldRequest {
    pub class: String,
    /// `exten@context`, e.g. `1001@from-internal`.
    pub destination: String,
    /// How long the test call stays up after hold starts (default 20 s, at most 300).
    #[serde(default)]
    pub listen_secs: Option<u64>,
}

/// What happened.
#[derive(Debug, Clone, Serialize)]
pub struct TestHoldReport {
    pub server: String,
    pub class: String,
    pub destination: String,
    pub channel_id: String,
    /// Asterisk reported `MusicOnHoldStart` with this class on this channel.
    pub started: bool,
    /// The class Asterisk reported, if it reported one.
    pub reported_class: Option<String>,
    pub message: String,
}

/// Why a test hold could not run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestHoldError {
    #[error("no enabled Asterisk server is named {0:?}")]
    UnknownServer(String),
    #[error("{0}")]
    Invalid(String),
    #[error("server {0} needs both ARI (to place the call) and AMI (to see the music start)")]
    NotConfigured(String),
    #[error("Asterisk refused the test call: {0}")]
    Asterisk(String),
}

/// `exten@context`, each part from a conservative character set.
fn parse_destination(text: &str) -> Result<(String, String), TestHoldError> {
    let invalid =
        || TestHoldError::Invalid("destination must be exten@context, e.g. 1001@from-internal".into());
    let (exten, context) = text.split_once('@').ok_or_else(invalid)?;
    let exten_ok = !exten.is_empty()
        && exten.len() <= 80
        && exten.bytes().all(|b| b.is_ascii_alphanumeric() || b"*#+_.-".contains(&b));
    let context_ok = !context.is_empty()
        && context.len() <= 79
        && context.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b));
    if exten_ok && context_ok { Ok((exten.to_owned(), context.to_owned())) } else { Err(invalid()) }
}

impl PushHub {
    /// Runs one test hold on server `name`.
    pub async fn test_hold(
        &self,
        name: &str,
        request: &TestHoldRequest,
    ) -> Result<TestHoldReport, TestHoldError> {
        let class = MohClassName::parse(&request.class).map_err(|e| TestHoldError::Invalid(e.to_string()))?;
        let (exten, context) = parse_destination(&request.destination)?;
        let link = self
            .link(name)
            .filter(|l| l.enabled)
            .ok_or_else(|| TestHoldError::UnknownServer(name.to_owned()))?;
        let (Some(ari), Some(_)) = (&link.ari, &link.ami) else {
            return Err(TestHoldError::NotConfigured(name.to_owned()));
        };
        let mut starts = self.holds().subscribe();
        let originate = OriginateLocal {
            exten,
            context,
            app: STASIS_APP.into(),
            app_args: "test-hold".into(),
            channel_id: Some(format!("ringside-test-{}", crate::auth::random_token(8))),
        };
        tracing::info!(server = name, class = %class, destination = %request.destination, "test hold: originating");
        let channel = ari
            .client
            .originate_local(&originate)
            .await
            .map_err(|e| TestHoldError::Asterisk(e.to_string()))?;
        let deadline = Instant::now() + self.settings.test_hold_timeout;
        start_moh_when_in_stasis(&ari.client, &channel.id, class.as_str(), deadline).await?;
        tracing::info!(server = name, channel = %channel.id, class = %class, "test hold: MoH requested");
        let reported = loop {
            let next = tokio::time::timeout_at(deadline, starts.recv()).await;
            match next {
                Ok(Ok(s))
                    if s.server == name
                        && (s.start.uniqueid == channel.id || s.start.channel == channel.name) =>
                {
                    break Some(s.start.class);
                }
                Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(_)) | Err(_) => break None,
            }
        };
        let listen = Duration::from_secs(request.listen_secs.unwrap_or(20).min(300));
        let (client, id) = (ari.client.clone(), channel.id.clone());
        tokio::spawn(async move {
            tokio::time::sleep(listen).await;
            if let Err(e) = client.hangup(&id).await {
                tracing::debug!(channel = %id, error = %e, "test hold: hangup");
            }
        });
        Ok(report(name, class.as_str(), request, channel.id, reported))
    }
}

/// A channel originated with `app=` enters Stasis only once answered; until then ARI refuses
/// MoH on it (409/412), so retry until the deadline.
async fn start_moh_when_in_stasis(
    client: &crate::asterisk::ari::AriClient,
    channel: &str,
    class: &str,
    deadline: Instant,
) -> Result<(), TestHoldError> {
    loop {
        match client.start_channel_moh(channel, class).await {
            Ok(()) => return Ok(()),
            Err(AriError::Conflict { .. } | AriError::Status { status: 412, .. })
                if Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => return Err(TestHoldError::Asterisk(e.to_string())),
        }
    }
}

fn report(
    server: &str,
    class: &str,
    request: &TestHoldRequest,
    channel_id: String,
    reported: Option<String>,
) -> TestHoldReport {
    let started = reported.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(class));
    let message = match &reported {
        Some(_) if started => format!("Asterisk started class '{class}' on the test call."),
        Some(other) => format!(
            "Asterisk played class '{other}' instead of '{class}': the class is not loaded there (check `moh show classes`)."
        ),
        None => format!(
            "Asterisk accepted the request but reported no MusicOnHoldStart for the test call: class '{class}' did not start."
        ),
    };
    TestHoldReport {
        server: server.to_owned(),
        class: class.to_owned(),
        destination: request.destination.clone(),
        channel_id,
        started,
        reported_class: reported,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_exten_at_context_without_control_characters() {
        assert_eq!(parse_destination("1001@from-internal").unwrap(), ("1001".into(), "from-internal".into()));
        for bad in ["1001", "@ctx", "1001@", "10\r\n01@ctx", "1001@ctx/x", "a@b@c", "1 1@ctx"] {
            assert!(parse_destination(bad).is_err(), "{bad:?}");
        }
    }
}
