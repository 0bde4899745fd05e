//! Live holds: which calls hear music on hold right now, and in which class, from AMI
//! `MusicOnHoldStart` / `MusicOnHoldStop` (and `Hangup`, in case a stop was missed).
//!
//! The consumer only touches memory: it never awaits the database or anything slow, so the AMI
//! client's bounded queue drains as fast as events arrive and the socket reader never waits.
//! Starts are also broadcast so a test hold can see whether Asterisk played the class it asked for,
//! and the events other areas need from the same session ([`SHARED_EVENTS`]: `Cdr` for the CDR
//! collector) are broadcast as [`ServerEvent`]s, so each server has one AMI session, not one per area.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::link::{ServerLink, lock};
use super::status::LiveHold;
use crate::asterisk::ami::{AmiEvent, AmiEvents, Message, MohStart};
use crate::asterisk::ari::AriEvents;

/// Events passed on to other areas (case-insensitive `Event:` names).
pub const SHARED_EVENTS: [&str; 1] = ["Cdr"];

/// How many shared events may wait for a slow subscriber before it lags (and counts the loss).
pub const SHARED_QUEUE: usize = 10_000;

/// An AMI event from one server, for subscribers outside the push.
#[derive(Debug, Clone)]
pub struct ServerEvent {
    pub server: String,
    pub message: Message,
}

/// A `MusicOnHoldStart` seen on one server.
#[derive(Debug, Clone)]
pub struct HoldStarted {
    pub server: String,
    pub start: MohStart,
}

/// Calls on hold now, across servers.
pub struct LiveHolds {
    holds: Mutex<BTreeMap<(String, String), LiveHold>>,
    starts: broadcast::Sender<HoldStarted>,
}

impl Default for LiveHolds {
    fn default() -> Self {
        Self { holds: Mutex::default(), starts: broadcast::channel(256).0 }
    }
}

impl LiveHolds {
    /// Every call on hold, oldest first.
    pub fn list(&self) -> Vec<LiveHold> {
        let mut all: Vec<LiveHold> = lock(&self.holds).values().cloned().collect();
        all.sort_by_key(|h| h.since_ms);
        all
    }

    /// Hold starts from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<HoldStarted> {
        self.starts.subscribe()
    }

    fn apply(&self, server: &str, event: AmiEvent) {
        match event {
            AmiEvent::MusicOnHoldStart(start) => {
                let hold = LiveHold {
                    server: server.to_owned(),
                    channel: start.channel.clone(),
                    uniqueid: start.uniqueid.clone(),
                    linkedid: start.linkedid.clone(),
                    class: start.class.clone(),
                    since_ms: crate::auth::now_ms(),
                };
                lock(&self.holds).insert((server.to_owned(), start.uniqueid.clone()), hold);
                let _ = self.starts.send(HoldStarted { server: server.to_owned(), start });
            }
            AmiEvent::MusicOnHoldStop(stop) => {
                lock(&self.holds).remove(&(server.to_owned(), stop.uniqueid));
            }
            AmiEvent::FullyBooted(_) => {
                // A new session: stops during the gap were missed, so start over.
                lock(&self.holds).retain(|(s, _), _| s != server);
            }
            AmiEvent::Other(message) if message.event_name() == Some("Hangup") => {
                if let Some(id) = message.get("Uniqueid") {
                    lock(&self.holds).remove(&(server.to_owned(), id.to_owned()));
                }
            }
            AmiEvent::Other(_) => {}
        }
    }
}

/// Consumes one server's AMI events until cancelled or the client stops.
pub async fn follow_ami(
    link: Arc<ServerLink>,
    mut events: AmiEvents,
    holds: Arc<LiveHolds>,
    shared: broadcast::Sender<ServerEvent>,
    stop: CancellationToken,
) {
    loop {
        let event = tokio::select! {
            _ = stop.cancelled() => return,
            event = events.recv() => match event {
                Some(event) => event,
                None => return,
            },
        };
        if let AmiEvent::FullyBooted(message) = &event {
            let uptime = message.get("Uptime").and_then(|u| u.parse::<i64>().ok());
            *lock(&link.booted) = uptime.map(|u| (u, Instant::now()));
            tracing::info!(server = %link.name, "AMI: Asterisk fully booted");
        }
        if let AmiEvent::Other(message) = &event
            && message.event_name().is_some_and(|n| SHARED_EVENTS.iter().any(|s| n.eq_ignore_ascii_case(s)))
        {
            // No subscriber, or one lagging, never holds up this loop.
            let _ = shared.send(ServerEvent { server: link.name.clone(), message: message.clone() });
        }
        holds.apply(&link.name, event);
    }
}

/// Drains the ARI events queue (the events task counts malformed and dropped events itself).
pub async fn drain_ari(mut events: AriEvents, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            event = events.events.recv() => if event.is_none() { return },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asterisk::ami::{Message, MohStop};

    #[test]
    fn start_then_stop_then_hangup() {
        let holds = LiveHolds::default();
        let start = |id: &str| {
            AmiEvent::MusicOnHoldStart(MohStart {
                channel: format!("PJSIP/{id}"),
                uniqueid: id.into(),
                linkedid: id.into(),
                class: "jazz".into(),
            })
        };
        holds.apply("pbx1", start("1.1"));
        holds.apply("pbx1", start("1.2"));
        assert_eq!(holds.list().len(), 2);
        holds.apply(
            "pbx1",
            AmiEvent::MusicOnHoldStop(MohStop {
                channel: "x".into(),
                uniqueid: "1.1".into(),
                linkedid: String::new(),
            }),
        );
        assert_eq!(holds.list()[0].uniqueid, "1.2");
        let hangup =
            Message::from_fields(vec![("Event".into(), "Hangup".into()), ("Uniqueid".into(), "1.2".into())]);
        holds.apply("pbx1", AmiEvent::Other(hangup));
        assert!(holds.list().is_empty());
    }
}
