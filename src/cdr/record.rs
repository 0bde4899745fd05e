//! The parsed CDR: one typed value per call record, whatever path it came by.
//!
//! Owns [`CdrRecord`] and its small value types. Records are built only by
//! [`crate::cdr::parse_csv`] (a Master.csv record) and [`crate::cdr::parse_ami`] (an AMI
//! `Event: Cdr`); code behind them trusts the type. This module does no I/O and no SQL.
//!
//! Field order and names follow `cdr_csv.c` (columns) and `cdr_manager.c` (AMI keys):
//!
//! ```text
//! #   Master.csv column   AMI key              CdrRecord field
//! 1   accountcode         AccountCode          accountcode
//! 2   src                 Source               src
//! 3   dst                 Destination          dst
//! 4   dcontext            DestinationContext   dcontext
//! 5   clid                CallerID             clid
//! 6   channel             Channel              channel
//! 7   dstchannel          DestinationChannel   dstchannel
//! 8   lastapp             LastApplication      lastapp
//! 9   lastdata            LastData             lastdata
//! 10  start               StartTime            start   (UTC)
//! 11  answer              AnswerTime           answer  (UTC, None if empty)
//! 12  end                 EndTime              end     (UTC)
//! 13  duration            Duration             duration
//! 14  billsec             BillableSeconds      billsec
//! 15  disposition         Disposition          disposition
//! 16  amaflags            AMAFlags             amaflags
//! 17? uniqueid            UniqueID             uniqueid     (loguniqueid=yes)
//! 18? userfield           UserField            userfield    (loguserfield=yes)
//! 19? peeraccount         [mappings] only      peeraccount  (newcdrcolumns=yes)
//! 20? linkedid            [mappings] only      linkedid     (newcdrcolumns=yes)
//! 21? sequence            [mappings] only      sequence     (newcdrcolumns=yes, unquoted int)
//! ```

use jiff::Timestamp;

use crate::cdr::shape::ColumnShape;
use crate::cdr::text::CdrText;

/// One call detail record, parsed once at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdrRecord {
    /// Account code of the channel.
    pub accountcode: CdrText,
    /// Caller ID number.
    pub src: CdrText,
    /// Destination extension.
    pub dst: CdrText,
    /// Destination context.
    pub dcontext: CdrText,
    /// Full caller ID (`"Name" <number>`).
    pub clid: CdrText,
    /// Channel name (party A).
    pub channel: CdrText,
    /// Destination channel name (party B), empty when none.
    pub dstchannel: CdrText,
    /// Last dialplan application.
    pub lastapp: CdrText,
    /// Arguments of the last application.
    pub lastdata: CdrText,
    /// Start of the CDR, UTC.
    pub start: Timestamp,
    /// Answer time, UTC; `None` when never answered.
    pub answer: Option<Timestamp>,
    /// End time, UTC; `None` only in malformed-but-accepted records with an empty end field.
    pub end: Option<Timestamp>,
    /// Seconds from start to end, as Asterisk computed it.
    pub duration: i64,
    /// Seconds from answer to end, as Asterisk computed it.
    pub billsec: i64,
    /// Call outcome.
    pub disposition: Disposition,
    /// AMA flags (`DOCUMENTATION`, `BILLING`, `OMIT`, ...), kept as text.
    pub amaflags: CdrText,
    /// Channel unique ID, when the source carries it.
    pub uniqueid: Option<CdrText>,
    /// User field, when the source carries it.
    pub userfield: Option<CdrText>,
    /// Peer account (newcdrcolumns / AMI mapping).
    pub peeraccount: Option<CdrText>,
    /// Linked ID grouping the legs of one call (newcdrcolumns / AMI mapping).
    pub linkedid: Option<CdrText>,
    /// Per-boot CDR sequence number (newcdrcolumns / AMI mapping); restarts at 0 on boot.
    pub sequence: Option<i64>,
    /// Other AMI `[mappings]` keys and values, in arrival order.
    pub extras: Vec<(CdrText, CdrText)>,
    /// Which path and layout produced the record.
    pub origin: CdrOrigin,
}

/// What follows the sixteen columns every CDR source shares; it differs by source.
pub(crate) struct TailColumns {
    pub uniqueid: Option<CdrText>,
    pub userfield: Option<CdrText>,
    pub peeraccount: Option<CdrText>,
    pub linkedid: Option<CdrText>,
    pub sequence: Option<i64>,
    pub extras: Vec<(CdrText, CdrText)>,
    pub origin: CdrOrigin,
}

impl CdrRecord {
    /// Assemble a record from the sixteen columns Master.csv lines and AMI events share, in
    /// `cdr_csv` order (`text(i)` reads column `i`; the times and numbers come parsed), plus the tail.
    pub(crate) fn from_columns(
        text: impl Fn(usize) -> CdrText,
        utc: crate::cdr::times::UtcTimes,
        (duration, billsec): (i64, i64),
        disposition: &[u8],
        tail: TailColumns,
    ) -> Self {
        CdrRecord {
            accountcode: text(0),
            src: text(1),
            dst: text(2),
            dcontext: text(3),
            clid: text(4),
            channel: text(5),
            dstchannel: text(6),
            lastapp: text(7),
            lastdata: text(8),
            start: utc.start,
            answer: utc.answer,
            end: utc.end,
            duration,
            billsec,
            disposition: Disposition::from_bytes(disposition),
            amaflags: text(15),
            uniqueid: tail.uniqueid,
            userfield: tail.userfield,
            peeraccount: tail.peeraccount,
            linkedid: tail.linkedid,
            sequence: tail.sequence,
            extras: tail.extras,
            origin: tail.origin,
        }
    }
}

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CdrOrigin {
    /// A Master.csv record with the given column layout.
    Csv(ColumnShape),
    /// An AMI `Event: Cdr`.
    Ami,
}

/// The CDR disposition as printed by `ast_cdr_disp2str`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// `ANSWERED`
    Answered,
    /// `NO ANSWER`
    NoAnswer,
    /// `BUSY`
    Busy,
    /// `FAILED`
    Failed,
    /// `CONGESTION`
    Congestion,
    /// `CANCEL` (only with `congestion`/`unanswered` options in cdr.conf)
    Cancel,
    /// Anything else (e.g. `UNKNOWN`), kept verbatim.
    Other(CdrText),
}

impl Disposition {
    /// The known dispositions, in the order a search form lists them.
    pub const KNOWN: [Disposition; 6] = [
        Disposition::Answered,
        Disposition::NoAnswer,
        Disposition::Busy,
        Disposition::Failed,
        Disposition::Congestion,
        Disposition::Cancel,
    ];

    /// Parses the exact text Asterisk writes; unknown text becomes [`Disposition::Other`].
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match bytes {
            b"ANSWERED" => Self::Answered,
            b"NO ANSWER" => Self::NoAnswer,
            b"BUSY" => Self::Busy,
            b"FAILED" => Self::Failed,
            b"CONGESTION" => Self::Congestion,
            b"CANCEL" => Self::Cancel,
            other => Self::Other(CdrText::from_bytes(other)),
        }
    }

    /// The text Asterisk writes (escaped form for [`Disposition::Other`]).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Answered => "ANSWERED",
            Self::NoAnswer => "NO ANSWER",
            Self::Busy => "BUSY",
            Self::Failed => "FAILED",
            Self::Congestion => "CONGESTION",
            Self::Cancel => "CANCEL",
            Self::Other(t) => t.as_escaped(),
        }
    }
}

impl CdrRecord {
    /// The record's text fields that both Master.csv and AMI always carry, in column order.
    pub fn base_text_fields(&self) -> [(&'static str, &CdrText); 10] {
        [
            ("accountcode", &self.accountcode),
            ("src", &self.src),
            ("dst", &self.dst),
            ("dcontext", &self.dcontext),
            ("clid", &self.clid),
            ("channel", &self.channel),
            ("dstchannel", &self.dstchannel),
            ("lastapp", &self.lastapp),
            ("lastdata", &self.lastdata),
            ("amaflags", &self.amaflags),
        ]
    }

    /// The caller-ID name part of `clid` (`"Zoë" <123>` gives `Zoë`), for display and search.
    pub fn caller_name(&self) -> String {
        let clid = self.clid.to_display();
        match clid.rfind(" <") {
            Some(cut) if clid.ends_with('>') => clid[..cut].trim_matches('"').replace("\\\"", "\""),
            _ => clid,
        }
    }
}
