//! Typed views of the AMI events Ringside acts on; every other event stays a generic [`Message`].
//!
//! Must not drop unknown events: `Cdr` and anything Ringside does not model pass through as
//! [`AmiEvent::Other`] so consumers (the CDR collector, logs) still see them.
//!
//! ```text
//! Event: MusicOnHoldStart          Event: MusicOnHoldStop
//! Channel: Local/s@moh-test-...;2  Channel: ...
//! Uniqueid: 1796413654.11          Uniqueid: ...
//! Linkedid: 1796413654.10          Linkedid: ...
//! Class: demo                      (no Class)
//! ```

use super::proto::Message;

/// Music on hold started on a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MohStart {
    pub channel: String,
    pub uniqueid: String,
    pub linkedid: String,
    pub class: String,
}

/// Music on hold stopped on a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MohStop {
    pub channel: String,
    pub uniqueid: String,
    pub linkedid: String,
}

/// One event from the AMI stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmiEvent {
    MusicOnHoldStart(MohStart),
    MusicOnHoldStop(MohStop),
    /// `FullyBooted`: Asterisk (re)started or we just logged in; state must be re-read.
    FullyBooted(Message),
    /// Any other event, `Cdr` included, with all its fields in order.
    Other(Message),
}

impl AmiEvent {
    /// Classifies an event frame. A MoH event missing a required key stays generic rather than
    /// being invented with empty fields.
    pub fn from_message(message: Message) -> Self {
        let name = message.event_name().unwrap_or_default();
        if name.eq_ignore_ascii_case("MusicOnHoldStart") {
            if let Some(start) = moh_start(&message) {
                return Self::MusicOnHoldStart(start);
            }
        } else if name.eq_ignore_ascii_case("MusicOnHoldStop") {
            if let Some(stop) = moh_stop(&message) {
                return Self::MusicOnHoldStop(stop);
            }
        } else if name.eq_ignore_ascii_case("FullyBooted") {
            return Self::FullyBooted(message);
        }
        Self::Other(message)
    }

    /// The `Event:` name.
    pub fn name(&self) -> &str {
        match self {
            Self::MusicOnHoldStart(_) => "MusicOnHoldStart",
            Self::MusicOnHoldStop(_) => "MusicOnHoldStop",
            Self::FullyBooted(_) => "FullyBooted",
            Self::Other(m) => m.event_name().unwrap_or_default(),
        }
    }
}

fn moh_start(m: &Message) -> Option<MohStart> {
    Some(MohStart {
        channel: m.get("Channel")?.to_owned(),
        uniqueid: m.get("Uniqueid")?.to_owned(),
        linkedid: m.get("Linkedid").unwrap_or_default().to_owned(),
        class: m.get("Class")?.to_owned(),
    })
}

fn moh_stop(m: &Message) -> Option<MohStop> {
    Some(MohStop {
        channel: m.get("Channel")?.to_owned(),
        uniqueid: m.get("Uniqueid")?.to_owned(),
        linkedid: m.get("Linkedid").unwrap_or_default().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asterisk::ami::proto::{Decoded, Decoder};

    fn events() -> Vec<AmiEvent> {
        let mut buf = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/asterisk/ami/events-calls.bin"
        ))
        .to_vec();
        let mut decoder = Decoder::default();
        let mut out = Vec::new();
        while let Decoded::Message(m) = decoder.decode(&mut buf) {
            out.push(AmiEvent::from_message(m));
        }
        out
    }

    #[test]
    fn moh_start_and_stop_from_capture() {
        let all = events();
        let start = all.iter().find_map(|e| match e {
            AmiEvent::MusicOnHoldStart(s) => Some(s.clone()),
            _ => None,
        });
        assert_eq!(
            start,
            Some(MohStart {
                channel: "Local/s@moh-test-00000005;2".into(),
                uniqueid: "1796413654.11".into(),
                linkedid: "1796413654.10".into(),
                class: "demo".into(),
            })
        );
        let stop = all.iter().find_map(|e| match e {
            AmiEvent::MusicOnHoldStop(s) => Some(s.uniqueid.clone()),
            _ => None,
        });
        assert_eq!(stop.as_deref(), Some("1796413654.11"));
    }

    #[test]
    fn cdr_passes_through_generic_with_all_fields() {
        let all = events();
        let cdrs: Vec<_> = all.iter().filter(|e| e.name() == "Cdr").collect();
        assert_eq!(cdrs.len(), 8);
        let AmiEvent::Other(first) = cdrs[0] else {
            panic!("Cdr must stay generic");
        };
        assert!(first.get("Disposition").is_some());
        assert_eq!(first.fields()[0], ("Event".into(), "Cdr".into()));
    }

    #[test]
    fn moh_start_without_class_stays_generic() {
        let m = Message::from_fields(vec![
            ("Event".into(), "MusicOnHoldStart".into()),
            ("Channel".into(), "x".into()),
            ("Uniqueid".into(), "1.1".into()),
        ]);
        assert!(matches!(AmiEvent::from_message(m), AmiEvent::Other(_)));
    }
}
