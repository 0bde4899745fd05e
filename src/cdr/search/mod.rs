//! CDR search: query parameters -> a validated, backend-neutral search description.
//!
//! Owns the parameter grammar of the Calls page, `/api/v1/cdrs` and exports, and every reason a
//! request is refused (HTTP 400, shown next to the field). Pure: `now`, the viewer's zone and the
//! cursor key are passed in; nothing here touches the database. [`sql`] renders the result to
//! SQL with bind parameters for SQLite and PostgreSQL; values are never spliced into SQL.
//!
//! ```text
//! range=today|yesterday|last7days|thismonth      (viewer's zone; not together with from/to)
//! from=2026-12-01 | 2026-12-01T08:00[:SS] | 2026-12-01T08:00:00+01:00   inclusive
//! to=  same forms; a plain date includes that whole day                  exclusive otherwise
//! src=, dst=      2001 exact · 20* prefix · _2XXX Asterisk pattern
//! name=           caller name text (substring of clid, case-insensitive)
//! disposition=    ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, CANCEL; repeat or comma-separate
//! min_duration=, max_duration=   seconds, 0..=10000000
//! accountcode=, userfield=       exact text        server=   exact, repeatable
//! sort=start|-start|duration|-duration|billsec|-billsec|src|-src|dst|-dst  ('-' = descending)
//! cursor=         opaque `next` value of the previous page (tamper-checked, bound to the filters)
//! limit=          1..=500 (larger values are clamped to 500), default 50
//! ```
//!
//! `offset=` is refused: pagination is by keyset cursor only, which stays fast deep into results.

pub mod cursor;
mod parse;
pub mod pattern;
pub mod sql;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::cdr::record::Disposition;

pub use cursor::{CursorCodec, SortValue};
pub use parse::parse_search;
pub use pattern::AsteriskPattern;

/// Largest page size.
pub const MAX_LIMIT: u32 = 500;
/// Page size when none is given.
pub const DEFAULT_LIMIT: u32 = 50;
/// Longest accepted value of any parameter, in bytes.
pub const MAX_VALUE_LEN: usize = 256;

/// A parameter that cannot be accepted: maps to HTTP 400 with `param` naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct SearchError {
    /// The offending query parameter.
    pub param: String,
    /// What is wrong, fit to show next to the field.
    pub message: String,
}

impl SearchError {
    pub(crate) fn new(param: &str, message: impl Into<String>) -> Self {
        Self { param: param.to_owned(), message: message.into() }
    }
}

/// What the parser needs besides the parameters.
#[derive(Debug, Clone, Copy)]
pub struct SearchContext<'a> {
    /// The current instant (for presets).
    pub now: Timestamp,
    /// The viewer's zone (presets and zone-less from/to).
    pub timezone: &'a TimeZone,
    /// Verifies cursors.
    pub cursors: &'a CursorCodec,
    /// Parameter names the caller handles itself (e.g. `format`), ignored here.
    pub extra_params: &'a [&'a str],
}

/// Half-open UTC interval `[from, to)`; either side may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// Inclusive lower bound.
    pub from: Option<Timestamp>,
    /// Exclusive upper bound.
    pub to: Option<Timestamp>,
}

/// How a number field is matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberMatch {
    /// Equal to.
    Exact(String),
    /// Starts with.
    Prefix(String),
    /// Asterisk pattern.
    Pattern(AsteriskPattern),
}

/// Sortable columns (the allowlist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortColumn {
    /// CDR start time.
    Start,
    /// Duration in seconds.
    Duration,
    /// Billable seconds.
    Billsec,
    /// Caller number.
    Src,
    /// Destination.
    Dst,
}

impl SortColumn {
    /// All sortable columns with their parameter names.
    pub const ALL: [(&'static str, SortColumn); 5] = [
        ("start", SortColumn::Start),
        ("duration", SortColumn::Duration),
        ("billsec", SortColumn::Billsec),
        ("src", SortColumn::Src),
        ("dst", SortColumn::Dst),
    ];

    /// Stable code used inside cursors.
    pub fn code(self) -> u8 {
        match self {
            Self::Start => 1,
            Self::Duration => 2,
            Self::Billsec => 3,
            Self::Src => 4,
            Self::Dst => 5,
        }
    }
}

/// Sort order; ties are always broken by the row id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// Column.
    pub column: SortColumn,
    /// Descending when true.
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self { column: SortColumn::Start, descending: true }
    }
}

/// Keyset position: the sort value and id of the last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    /// Sort-column value of the last row.
    pub value: SortValue,
    /// Row id of the last row.
    pub id: i64,
}

/// A validated search.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CdrSearch {
    /// Start-time interval.
    pub range: TimeRange,
    /// Caller number filter.
    pub src: Option<NumberMatch>,
    /// Destination filter.
    pub dst: Option<NumberMatch>,
    /// Caller name substring (case-insensitive).
    pub caller_name: Option<String>,
    /// Allowed dispositions (empty = all).
    pub dispositions: Vec<Disposition>,
    /// Minimum duration in seconds.
    pub min_duration: Option<i64>,
    /// Maximum duration in seconds.
    pub max_duration: Option<i64>,
    /// Exact account code.
    pub accountcode: Option<String>,
    /// Exact user field.
    pub userfield: Option<String>,
    /// Allowed servers (empty = all).
    pub servers: Vec<String>,
    /// Sort order.
    pub sort: Sort,
    /// Keyset position from the cursor.
    pub after: Option<After>,
    /// Page size (fetch `limit + 1` rows to know whether there is a next page).
    pub limit: u32,
}
