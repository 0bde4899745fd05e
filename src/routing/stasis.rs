//! The ARI Stasis application `ringside`: `Stasis(ringside,hold[,queue])` gets Music on Hold with
//! the class the same rules choose, stopped when the channel leaves the application.
//!
//! ```text
//! StasisStart args=[hold, queue?] ─▶ decide (live book, known classes, logged) ─▶ POST /channels/{id}/moh?mohClass=
//! StasisEnd (a channel we hold)   ─▶ DELETE /channels/{id}/moh (404: already gone, fine)
//! ```
//!
//! Registration is the events WebSocket's `?app=ringside`; `spawn_events` reconnects with backoff,
//! which re-registers the application. Events are handled in order, one at a time, so a StasisEnd
//! never overtakes its StasisStart. Must not originate or hang up calls.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use tokio_util::sync::CancellationToken;

use super::scripts::Decider;
use crate::asterisk::ari::{AriClient, AriEventBody, AriEvents, Channel};
use crate::flows::CallFacts;

/// The application name dialplans pass to `Stasis()`.
pub const APP: &str = "ringside";

#[derive(Debug, Default)]
pub struct StasisStats {
    pub holds_started: AtomicU64,
    pub holds_stopped: AtomicU64,
    pub ignored: AtomicU64,
    pub ari_errors: AtomicU64,
}

/// `Some(queue)` when the Stasis arguments ask for hold music.
pub fn hold_request(args: &[String]) -> Option<Option<String>> {
    match args.first().map(String::as_str) {
        Some("hold") => Some(args.get(1).map(|q| q.trim().to_owned()).filter(|q| !q.is_empty())),
        _ => None,
    }
}

/// What the rules see about a channel entering the application.
pub fn channel_facts(channel: &Channel, queue: Option<String>, at: Timestamp) -> CallFacts {
    let known = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
    CallFacts {
        uniqueid: channel.id.clone(),
        dialled: channel.dialplan.exten.clone(),
        caller_number: channel.caller.number.clone(),
        caller_name: channel.caller.name.clone(),
        context: channel.dialplan.context.clone(),
        queue,
        account_code: known(&channel.accountcode),
        at,
    }
}

/// Runs the application for one server until `shutdown`.
pub async fn run(
    server: String,
    client: AriClient,
    mut events: AriEvents,
    decider: Decider,
    stats: Arc<StasisStats>,
    shutdown: CancellationToken,
) {
    let mut holding = HashSet::new();
    loop {
        let event = tokio::select! {
            () = shutdown.cancelled() => break,
            event = events.events.recv() => match event { Some(e) => e, None => break },
        };
        match event.body {
            AriEventBody::StasisStart { args, channel } => match hold_request(&args) {
                Some(queue) => {
                    let facts = channel_facts(&channel, queue, Timestamp::now());
                    let decision = decider.decide(&facts);
                    match client.start_channel_moh(&channel.id, decision.class.as_str()).await {
                        Ok(()) => {
                            stats.holds_started.fetch_add(1, Ordering::Relaxed);
                            holding.insert(channel.id);
                        }
                        Err(e) => {
                            stats.ari_errors.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(%server, channel = %channel.id, error = %e, "could not start hold music");
                        }
                    }
                }
                None => {
                    stats.ignored.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(%server, channel = %channel.id, ?args, "Stasis(ringside) without `hold`, ignored");
                }
            },
            AriEventBody::StasisEnd { channel } if holding.remove(&channel.id) => {
                stats.holds_stopped.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = client.stop_channel_moh(&channel.id).await {
                    tracing::debug!(%server, channel = %channel.id, error = %e, "stop hold music after StasisEnd");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_arguments() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(hold_request(&args(&["hold", "sales"])), Some(Some("sales".into())));
        assert_eq!(hold_request(&args(&["hold"])), Some(None));
        assert_eq!(hold_request(&args(&["hold", " "])), Some(None));
        assert_eq!(hold_request(&args(&["arg1"])), None);
        assert_eq!(hold_request(&[]), None);
    }
}
