//! Call detail records: parse once, follow Master.csv, export, and describe searches.
//!
//! Owns everything about CDRs that does not need the database or the web layer: the typed
//! [`CdrRecord`] built from a Master.csv record or an AMI `Cdr` event, the dedupe key, the
//! Master.csv follower core (positions, rotation, truncation), streaming CSV/XLSX export and the
//! backend-neutral search specification. It must not open database connections, render HTML or
//! talk to Asterisk over the network; the collector task and the store wire these pieces.
//!
//! # Layout
//! - [`text`]: lossless escaped text for arbitrary bytes.
//! - [`csvline`]: RFC 4180 record boundaries and field splitting.
//! - [`shape`]: the 16–21 column layouts and their detection.
//! - [`times`]: civil time parsing and DST-aware conversion to UTC.
//! - [`record`], [`parse_csv`], [`parse_ami`], [`reject`]: the parsed record and its two parsers.
//! - [`key`]: the exactly-once identity.
//! - [`follower`], [`reader`]: reading complete records from a growing, rotating file.
//! - [`export`]: streaming CSV and XLSX writers.
//! - [`search`]: query parameters to a validated, backend-neutral filter (and SQL rendering).

pub mod csvline;
pub mod export;
pub mod follower;
pub mod key;
pub mod parse_ami;
pub mod parse_csv;
pub mod position;
pub mod reader;
pub mod record;
pub mod reject;
pub mod search;
pub mod shape;
pub mod text;
pub mod times;

pub use key::{DedupeKey, KeyKind, dedupe_key};
pub use parse_ami::parse_ami;
pub use parse_csv::{CsvRecordParser, CsvSource};
pub use record::{CdrOrigin, CdrRecord, Disposition};
pub use reject::{Reject, RejectReason};
pub use shape::{ColumnShape, ShapeConfig};
pub use text::CdrText;
