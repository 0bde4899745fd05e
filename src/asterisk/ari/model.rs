//! Serde types mirroring Asterisk's ARI api-docs JSON (`rest-api/api-docs/asterisk.json`,
//! `channels.json`, `events.json`), limited to what Ringside reads, plus event parsing.
//!
//! Must not do I/O. Optional fields default instead of failing, since Asterisk versions add and
//! omit fields; unknown event types are kept as generic JSON.
//!
//! ```text
//! GET /asterisk/info -> {"build":{...},"system":{"version":"22.10.1","entity_id":"02:fc:00:00:00:01"},
//!                        "config":{...},"status":{"startup_time":"2026-12-04T19:47:16.641+0000",...}}
//! event (WebSocket text frame) -> {"type":"StasisStart","timestamp":"...","args":["arg1"],
//!                        "channel":{...},"asterisk_id":"02:fc:00:00:00:01","application":"acc-app"}
//! ```

use serde::{Deserialize, Serialize};

/// `GET /asterisk/info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AsteriskInfo {
    #[serde(default)]
    pub build: Option<BuildInfo>,
    #[serde(default)]
    pub system: Option<SystemInfo>,
    #[serde(default)]
    pub status: Option<StatusInfo>,
}

impl AsteriskInfo {
    /// What identifies one Asterisk run: a change means it restarted (or is another host).
    pub fn identity(&self) -> AsteriskIdentity {
        AsteriskIdentity {
            entity_id: self.system.as_ref().map(|s| s.entity_id.clone()),
            startup_time: self.status.as_ref().map(|s| s.startup_time.clone()),
        }
    }
}

/// `entity_id` plus `startup_time`, compared after every reconnect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AsteriskIdentity {
    pub entity_id: Option<String>,
    pub startup_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BuildInfo {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub kernel: String,
    #[serde(default)]
    pub machine: String,
    #[serde(default)]
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SystemInfo {
    pub version: String,
    pub entity_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StatusInfo {
    pub startup_time: String,
    #[serde(default)]
    pub last_reload_time: String,
}

/// `CallerID` in api-docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CallerId {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub number: String,
}

/// `DialplanCEP` in api-docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DialplanCep {
    #[serde(default)]
    pub context: String,
    #[serde(default)]
    pub exten: String,
    #[serde(default)]
    pub priority: i64,
    #[serde(default)]
    pub app_name: String,
    #[serde(default)]
    pub app_data: String,
}

/// `Channel` in api-docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Channel {
    pub id: String,
    pub name: String,
    pub state: String,
    #[serde(default)]
    pub protocol_id: String,
    #[serde(default)]
    pub caller: CallerId,
    #[serde(default)]
    pub connected: CallerId,
    #[serde(default)]
    pub accountcode: String,
    #[serde(default)]
    pub dialplan: DialplanCep,
    #[serde(default)]
    pub creationtime: String,
    #[serde(default)]
    pub language: String,
}

/// ARI's error body: `{"message":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: String,
}

/// One event from the events WebSocket: the common fields plus a typed body.
#[derive(Debug, Clone, PartialEq)]
pub struct AriEvent {
    /// The `type` field.
    pub kind: String,
    pub timestamp: String,
    pub asterisk_id: Option<String>,
    pub application: String,
    pub body: AriEventBody,
}

/// The event bodies Ringside acts on; anything else is kept as raw JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type")]
pub enum AriEventBody {
    StasisStart {
        #[serde(default)]
        args: Vec<String>,
        channel: Channel,
    },
    StasisEnd {
        channel: Channel,
    },
    ChannelHangupRequest {
        #[serde(default)]
        cause: Option<i64>,
        #[serde(default)]
        soft: Option<bool>,
        channel: Channel,
    },
    ChannelHold {
        channel: Channel,
        #[serde(default)]
        musicclass: Option<String>,
    },
    ChannelUnhold {
        channel: Channel,
    },
    /// A channel joined a bridge (for a Stasis channel: it is still controllable).
    ChannelEnteredBridge {
        channel: Channel,
    },
    ChannelDestroyed {
        #[serde(default)]
        cause: i64,
        #[serde(default)]
        cause_txt: String,
        channel: Channel,
    },
    #[serde(skip)]
    Other(serde_json::Value),
}

/// Why an event text was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventParseError {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("event has no string `type`")]
    NoType,
}

#[derive(Deserialize)]
struct Common {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    asterisk_id: Option<String>,
    #[serde(default)]
    application: String,
}

/// Parses one WebSocket text frame. Unknown types (and known types whose body does not match
/// the model) become [`AriEventBody::Other`] with the full JSON.
pub fn parse_event(text: &str) -> Result<AriEvent, EventParseError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| EventParseError::Json(e.to_string()))?;
    let common: Common = serde_json::from_value(value.clone()).map_err(|_| EventParseError::NoType)?;
    let body = match AriEventBody::deserialize(&value) {
        Ok(body) => body,
        Err(_) => AriEventBody::Other(value),
    };
    Ok(AriEvent {
        kind: common.kind,
        timestamp: common.timestamp,
        asterisk_id: common.asterisk_id,
        application: common.application,
        body,
    })
}

#[cfg(test)]
mod tests;
