//! AMI (Asterisk Manager Interface, TCP 5038) client.
//!
//! `proto` is the pure codec, `connection` reads/writes frames on any async stream, `client` is the
//! reconnecting actor with ActionID correlation, and `event` gives typed views of the few events
//! Ringside acts on. Nothing here decides deploy policy or touches the store.
pub mod client;
pub mod connection;
pub mod event;
pub mod proto;

pub use client::{
    AmiClient, AmiConfig, AmiConnectionState, AmiError, AmiEvents, AmiStats, Backoff, Connector, TcpConnector,
};
pub use event::{AmiEvent, MohStart, MohStop};
pub use proto::{Action, Message};
