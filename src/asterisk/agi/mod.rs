//! FastAGI bridge: Asterisk's dialplan connects here to ask which hold music (or schedule state) a call gets.
//!
//! # Layout
//! - [`proto`]: pure wire codec (environment block, command encoding, replies). No I/O.
//! - [`session`]: one connection, generic over `AsyncRead + AsyncWrite`; owns the buffer and deadlines.
//! - [`scripts`]: the `moh` and `schedule` scripts, and the [`scripts::AgiScripts`] trait they ask.
//! - [`server`]: accept loop with allowlist, session cap, timeouts and graceful shutdown.
//! - [`config`]: the `[agi]` configuration section.
//!
//! Must not: decide anything itself (that is `crate::flows` behind `AgiScripts`), touch SQL, or let a
//! fault in one session affect another.

pub mod config;
pub mod proto;
pub mod scripts;
pub mod server;
pub mod session;

pub use config::{AgiConfig, IpCidr};
pub use scripts::{AgiScripts, DecideError, RuleBookScripts, ScriptOutcome};
pub use server::{AgiServer, ServerStats};
pub use session::{AgiSession, CallEnd, SessionError, SessionLimits};
