//! ARI (Asterisk REST Interface) client: typed models, the REST client, and the events
//! WebSocket task. Owns HTTP/WebSocket transport and restart detection only; must not decide
//! deploy policy or touch the store.
pub mod events;
pub mod model;
pub mod rest;

pub use events::{AriConnectionState, AriEvents, AriEventsConfig, AriResync, AriResyncReason, spawn_events};
pub use model::{AriEvent, AriEventBody, AsteriskIdentity, AsteriskInfo, Channel};
pub use rest::{AriClient, AriConfig, AriError, OriginateLocal};
