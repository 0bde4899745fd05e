//! Master.csv column layouts and how one is chosen for a record.
//!
//! Owns the mapping from `cdr.conf` `[csv]` options to column counts and the per-line detection
//! rule. Pure; knows nothing about field values beyond what detection needs.
//!
//! ```text
//! columns  loguniqueid  loguserfield  newcdrcolumns   optional columns after amaflags
//! 16       no           no            no              -
//! 17       yes          no            no              uniqueid            <- ambiguous
//! 17u      no           yes           no              userfield           <- ambiguous
//! 18       yes          yes           no              uniqueid,userfield  (Asterisk's sample cdr.conf)
//! 19       no           no            yes             peeraccount,linkedid,sequence
//! 20       yes          no            yes             uniqueid,peeraccount,linkedid,sequence  <- ambiguous
//! 20u      no           yes           yes             userfield,peeraccount,linkedid,sequence <- ambiguous
//! 21       yes          yes           yes             uniqueid,userfield,peeraccount,linkedid,sequence
//! ```
//!
//! **The 17/20-column ambiguity.** Both layouts of 17 (and of 20) columns carry one quoted string
//! in column 17, either the uniqueid or the userfield; the bytes alone cannot always say which.
//! In `auto` mode a line is read as the uniqueid layout when column 17 looks like an Asterisk
//! uniqueid (`[<systemname>-]<digits>.<digits>`, what `ast_channel` generates), otherwise as the
//! userfield layout (an empty value is therefore a userfield: uniqueids are never empty). A
//! userfield that happens to look like `1234.5`, or a uniqueid set by an originator to free text,
//! is misread; sources with such data should set the layout explicitly (`--columns 17u` etc.).

use std::fmt;
use std::str::FromStr;

/// Which optional columns a Master.csv record has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ColumnShape {
    /// `loguniqueid=yes`
    pub uniqueid: bool,
    /// `loguserfield=yes`
    pub userfield: bool,
    /// `newcdrcolumns=yes` (peeraccount, linkedid, sequence)
    pub new_columns: bool,
}

/// How a source's layout is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShapeConfig {
    /// Detect per record from the column count (and column 17 for 17/20 columns).
    #[default]
    Auto,
    /// Every record must have exactly this layout.
    Fixed(ColumnShape),
}

/// A `--columns` / config value that is not a known layout name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown column layout {0:?}: use auto, 16, 17, 17u, 18, 19, 20, 20u or 21")]
pub struct UnknownShape(pub String);

impl ColumnShape {
    /// Number of base columns every layout starts with.
    pub const BASE: usize = 16;

    /// Total number of columns in this layout.
    pub fn columns(self) -> usize {
        Self::BASE
            + usize::from(self.uniqueid)
            + usize::from(self.userfield)
            + 3 * usize::from(self.new_columns)
    }

    /// Chooses the layout for a record with `count` columns whose column 17 is `col17`.
    pub fn detect(count: usize, col17: Option<&[u8]>) -> Option<Self> {
        let looks_unique = col17.is_some_and(looks_like_uniqueid);
        let shape = |uniqueid, userfield, new_columns| Some(Self { uniqueid, userfield, new_columns });
        match count {
            16 => shape(false, false, false),
            17 => shape(looks_unique, !looks_unique, false),
            18 => shape(true, true, false),
            19 => shape(false, false, true),
            20 => shape(looks_unique, !looks_unique, true),
            21 => shape(true, true, true),
            _ => None,
        }
    }
}

impl ShapeConfig {
    /// The layout to use for a record, or `None` when the count fits no (or not the forced) layout.
    pub fn resolve(self, count: usize, col17: Option<&[u8]>) -> Option<ColumnShape> {
        match self {
            Self::Auto => ColumnShape::detect(count, col17),
            Self::Fixed(shape) => (shape.columns() == count).then_some(shape),
        }
    }
}

/// True for `[<systemname>-]<digits>.<digits>`.
pub fn looks_like_uniqueid(v: &[u8]) -> bool {
    let tail = match v.iter().rposition(|&b| b == b'-') {
        Some(dash) if dash > 0 => &v[dash + 1..],
        Some(_) => return false,
        None => v,
    };
    let Some(dot) = tail.iter().position(|&b| b == b'.') else {
        return false;
    };
    let (secs, rest) = (&tail[..dot], &tail[dot + 1..]);
    !secs.is_empty() && !rest.is_empty() && secs.iter().chain(rest).all(u8::is_ascii_digit)
}

impl fmt::Display for ColumnShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.columns();
        let suffix = if self.userfield && !self.uniqueid { "u" } else { "" };
        write!(f, "{n}{suffix}")
    }
}

impl FromStr for ShapeConfig {
    type Err = UnknownShape;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shape = |uniqueid, userfield, new_columns| {
            Ok(Self::Fixed(ColumnShape { uniqueid, userfield, new_columns }))
        };
        match s.trim() {
            "auto" => Ok(Self::Auto),
            "16" => shape(false, false, false),
            "17" => shape(true, false, false),
            "17u" => shape(false, true, false),
            "18" => shape(true, true, false),
            "19" => shape(false, false, true),
            "20" => shape(true, false, true),
            "20u" => shape(false, true, true),
            "21" => shape(true, true, true),
            other => Err(UnknownShape(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_layout_round_trips_and_counts() -> Result<(), UnknownShape> {
        for (name, n) in
            [("16", 16), ("17", 17), ("17u", 17), ("18", 18), ("19", 19), ("20", 20), ("20u", 20), ("21", 21)]
        {
            let ShapeConfig::Fixed(shape) = name.parse()? else {
                panic!("{name} must be a fixed layout");
            };
            assert_eq!(shape.columns(), n);
            assert_eq!(shape.to_string(), name);
        }
        assert!("22".parse::<ShapeConfig>().is_err());
        Ok(())
    }

    #[test]
    fn column_17_decides_between_uniqueid_and_userfield() {
        let d = |v: &[u8]| ColumnShape::detect(17, Some(v)).map(|s| s.uniqueid);
        assert_eq!(d(b"1796413654.5"), Some(true));
        assert_eq!(d(b"pbx-a-1796413654.5"), Some(true));
        assert_eq!(d(b"acceptance"), Some(false));
        assert_eq!(d(b""), Some(false));
        assert_eq!(d(b"-1.2"), Some(false));
        assert_eq!(ColumnShape::detect(15, None), None);
        assert_eq!(ColumnShape::detect(22, None), None);
    }

    #[test]
    fn fixed_layout_refuses_other_counts() {
        let fixed = ShapeConfig::Fixed(ColumnShape { uniqueid: true, userfield: true, new_columns: false });
        assert!(fixed.resolve(18, None).is_some());
        assert_eq!(fixed.resolve(21, None), None);
    }
}
