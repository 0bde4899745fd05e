//! The ARI Stasis application `ringside`: `Stasis(ringside,hold[,queue])` gets Music on Hold with
//! the class the same rules choose, stopped when the channel leaves the application.
//!
//! ```text
//! StasisStart args=[hold, queue?] ─▶ decide (live book, known classes, logged) ─▶ POST /channels/{id}/moh?mohClass=
//! ChannelEnteredBridge (held)     ─▶ DELETE /channels/{id}/moh (still in Stasis: takes effect)
//! StasisEnd (a channel we hold)   ─▶ DELETE /channels/{id}/moh (404/422: gone or back in dialplan)
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
    let mut app = HoldApp { server, client, decider, stats, holding: HashSet::new() };
    loop {
        let event = tokio::select! {
            () = shutdown.cancelled() => break,
            event = events.events.recv() => match event { Some(e) => e, None => break },
        };
        match event.body {
            AriEventBody::StasisStart { args, channel } => app.start(&args, channel).await,
            AriEventBody::ChannelEnteredBridge { channel } => app.stop(&channel.id, "entered a bridge").await,
            AriEventBody::StasisEnd { channel } => app.stop(&channel.id, "left the application").await,
            _ => {}
        }
    }
}

/// The channels this server's application holds, and what it needs to start and stop their MoH.
struct HoldApp {
    server: String,
    client: AriClient,
    decider: Decider,
    stats: Arc<StasisStats>,
    holding: HashSet<String>,
}

impl HoldApp {
    async fn start(&mut self, args: &[String], channel: Channel) {
        let server = &self.server;
        let Some(queue) = hold_request(args) else {
            self.stats.ignored.fetch_add(1, Ordering::Relaxed);
            tracing::info!(%server, channel = %channel.id, ?args, "Stasis(ringside) without `hold`, ignored");
            return;
        };
        let decision = self.decider.decide(&channel_facts(&channel, queue, Timestamp::now()));
        match self.client.start_channel_moh(&channel.id, decision.class.as_str()).await {
            Ok(()) => {
                self.stats.holds_started.fetch_add(1, Ordering::Relaxed);
                self.holding.insert(channel.id);
            }
            Err(e) => {
                self.stats.ari_errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%server, channel = %channel.id, error = %e, "could not start hold music");
            }
        }
    }

    /// Ends the hold of a channel we hold. Joining a bridge (an agent picked the call up) happens
    /// while the channel is still in Stasis, so the stop takes effect. After `StasisEnd` Asterisk
    /// no longer takes commands for the channel (404 once hung up, where the music ended with it;
    /// 422 when it went back to the dialplan, which should then run `StopMusicOnHold()`): the stop
    /// is still sent, and its refusal only logged at debug level.
    async fn stop(&mut self, channel_id: &str, why: &str) {
        if !self.holding.remove(channel_id) {
            return;
        }
        self.stats.holds_stopped.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = self.client.stop_channel_moh(channel_id).await {
            tracing::debug!(server = %self.server, channel = channel_id, error = %e, why, "stop hold music");
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
