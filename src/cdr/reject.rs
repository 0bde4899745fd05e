//! Why a Master.csv record or AMI event was not turned into a CDR.
//!
//! Owns the reject value that the collector stores (raw bytes + reason) instead of dropping the
//! input. Every reason names the column or key concerned so an admin can fix the source.

use crate::cdr::csvline::SplitError;
use crate::cdr::text::CdrText;

/// An input that could not be parsed, kept with its raw text so nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Why it was rejected.
    pub reason: RejectReason,
    /// The raw input (CSV record bytes incl. terminator, or the AMI event as `Key: Value` lines).
    pub raw: CdrText,
    /// Byte offset of the record in its file, when it came from a file.
    pub offset: Option<u64>,
}

/// The precise reason for a reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    /// The CSV record is malformed at the byte level.
    #[error("malformed CSV: {0}")]
    Split(#[from] SplitError),
    /// The column count fits no Master.csv layout.
    #[error("{found} columns; Master.csv records have 16 to 21")]
    ColumnCount {
        /// Columns found.
        found: usize,
    },
    /// The column count differs from the layout configured for this source.
    #[error("{found} columns but this source is configured for {expected}")]
    ShapeMismatch {
        /// Columns found.
        found: usize,
        /// Layout configured (e.g. `18`, `17u`).
        expected: String,
    },
    /// A time field is not `YYYY-MM-DD HH:MM:SS`.
    #[error("{field} is not a YYYY-MM-DD HH:MM:SS time: {value:?}")]
    BadTime {
        /// Column or key name.
        field: &'static str,
        /// The offending value.
        value: CdrText,
    },
    /// The start time is empty (it is part of the record's identity).
    #[error("start time is empty")]
    MissingStart,
    /// A numeric field is not a decimal integer.
    #[error("{field} is not an integer: {value:?}")]
    BadInteger {
        /// Column or key name.
        field: &'static str,
        /// The offending value.
        value: CdrText,
    },
    /// A local time does not exist in the configured zone's supported range.
    #[error("time conversion failed: {0}")]
    TimeConversion(String),
    /// A record grew beyond the follower's limit without ending (Asterisk writes at most 1 KiB).
    #[error("record longer than {max} bytes without an end")]
    TooLong {
        /// The limit in bytes.
        max: usize,
    },
    /// Bytes at the end of a rotated or truncated file that never became a complete record.
    #[error("incomplete final record in a file that was rotated or truncated")]
    IncompleteAtRotation,
    /// The AMI message is not an `Event: Cdr`.
    #[error("AMI event is {0:?}, not Cdr")]
    NotCdrEvent(CdrText),
    /// A key `cdr_manager` always sends is missing.
    #[error("AMI Cdr event lacks the {0} key")]
    MissingKey(&'static str),
    /// A standard key appears twice with different meanings.
    #[error("AMI Cdr event repeats the {0} key")]
    DuplicateKey(&'static str),
}

impl Reject {
    /// A reject for raw bytes without a file offset.
    pub fn new(reason: RejectReason, raw: &[u8]) -> Self {
        Self { reason, raw: CdrText::from_bytes(raw), offset: None }
    }
}
