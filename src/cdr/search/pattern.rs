//! Asterisk dialplan patterns (`_2XXX`, `_NXX.`) for src/dst search.
//!
//! Owns parsing one pattern and three renderings: an exact matcher (post-filter), an SQLite
//! `GLOB` pattern and an anchored PostgreSQL regular expression; all three accept the same set.
//! Pure; the SQL renderer binds the rendered string as a parameter, never splices it.
//!
//! ```text
//! _        starts a pattern            X  0-9     Z  1-9     N  2-9  (letters case-insensitive)
//! [15-7]   one of 1,5,6,7              .  one or more chars (last only)   !  zero or more (last only)
//! -        ignored outside brackets (readability, as in Asterisk)   other  literal (0-9 A-Z a-z * # +)
//! ```

/// One element of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Element {
    Literal(char),
    /// Inclusive character ranges.
    Set(Vec<(char, char)>),
    OneOrMore,
    ZeroOrMore,
}

/// A validated Asterisk pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsteriskPattern {
    source: String,
    elements: Vec<Element>,
}

/// Why a pattern is invalid (shown next to the search field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Does not start with `_`.
    #[error("a pattern starts with _")]
    NoUnderscore,
    /// `[` without `]`, or an empty or malformed set.
    #[error("bad character set at position {0}")]
    BadSet(usize),
    /// `.` or `!` before the end.
    #[error("'.' and '!' may only end a pattern")]
    WildcardNotLast,
    /// A character patterns cannot contain.
    #[error("character {0:?} is not allowed in a pattern")]
    BadChar(char),
    /// Nothing after `_`.
    #[error("the pattern is empty")]
    Empty,
}

fn literal_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '*' | '#' | '+')
}

impl AsteriskPattern {
    /// Parses `_...`.
    pub fn parse(s: &str) -> Result<Self, PatternError> {
        let body = s.strip_prefix('_').ok_or(PatternError::NoUnderscore)?;
        let chars: Vec<char> = body.chars().collect();
        let mut elements = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if matches!(elements.last(), Some(Element::OneOrMore | Element::ZeroOrMore)) {
                return Err(PatternError::WildcardNotLast);
            }
            let c = chars[i];
            match c.to_ascii_uppercase() {
                'X' => elements.push(Element::Set(vec![('0', '9')])),
                'Z' => elements.push(Element::Set(vec![('1', '9')])),
                'N' => elements.push(Element::Set(vec![('2', '9')])),
                '.' => elements.push(Element::OneOrMore),
                '!' => elements.push(Element::ZeroOrMore),
                '-' => {}
                '[' => {
                    let close = chars[i..].iter().position(|&c| c == ']').ok_or(PatternError::BadSet(i))?;
                    elements.push(Element::Set(parse_set(&chars[i + 1..i + close], i)?));
                    i += close;
                }
                _ if literal_ok(c) => elements.push(Element::Literal(c)),
                _ => return Err(PatternError::BadChar(c)),
            }
            i += 1;
        }
        if elements.is_empty() {
            return Err(PatternError::Empty);
        }
        Ok(Self { source: s.to_owned(), elements })
    }

    /// The pattern as typed.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Literal characters before the first class or wildcard (usable as an index prefix).
    pub fn literal_prefix(&self) -> String {
        self.elements
            .iter()
            .map_while(|e| if let Element::Literal(c) = e { Some(*c) } else { None })
            .collect()
    }

    /// Whether `text` matches, with Asterisk's semantics.
    pub fn matches(&self, text: &str) -> bool {
        let mut chars = text.chars();
        for e in &self.elements {
            match e {
                Element::OneOrMore => return chars.next().is_some(),
                Element::ZeroOrMore => return true,
                Element::Literal(l) => {
                    if chars.next() != Some(*l) {
                        return false;
                    }
                }
                Element::Set(ranges) => match chars.next() {
                    Some(c) if ranges.iter().any(|&(a, b)| (a..=b).contains(&c)) => {}
                    _ => return false,
                },
            }
        }
        chars.next().is_none()
    }

    /// An SQLite `GLOB` pattern accepting the same strings.
    pub fn to_glob(&self) -> String {
        let mut g = String::new();
        for e in &self.elements {
            match e {
                Element::Literal('*') => g.push_str("[*]"),
                Element::Literal(c) => g.push(*c),
                Element::Set(r) => push_set(&mut g, r),
                Element::OneOrMore => g.push_str("?*"),
                Element::ZeroOrMore => g.push('*'),
            }
        }
        g
    }

    /// A PostgreSQL regular expression (`~`) accepting the same strings.
    pub fn to_regex(&self) -> String {
        let mut r = String::from("^");
        for e in &self.elements {
            match e {
                Element::Literal(c) if c.is_ascii_alphanumeric() => r.push(*c),
                Element::Literal(c) => {
                    r.push('\\');
                    r.push(*c);
                }
                Element::Set(ranges) => push_set(&mut r, ranges),
                Element::OneOrMore => r.push_str(".+"),
                Element::ZeroOrMore => r.push_str(".*"),
            }
        }
        r.push('$');
        r
    }
}

fn parse_set(inner: &[char], at: usize) -> Result<Vec<(char, char)>, PatternError> {
    let mut ranges = Vec::new();
    let mut j = 0;
    while j < inner.len() {
        let a = inner[j];
        if !a.is_ascii_alphanumeric() {
            return Err(PatternError::BadSet(at));
        }
        if inner.get(j + 1) == Some(&'-') {
            let b = *inner.get(j + 2).ok_or(PatternError::BadSet(at))?;
            if !b.is_ascii_alphanumeric() || b < a {
                return Err(PatternError::BadSet(at));
            }
            ranges.push((a, b));
            j += 3;
        } else {
            ranges.push((a, a));
            j += 1;
        }
    }
    if ranges.is_empty() {
        return Err(PatternError::BadSet(at));
    }
    Ok(ranges)
}

fn push_set(out: &mut String, ranges: &[(char, char)]) {
    out.push('[');
    for &(a, b) in ranges {
        out.push(a);
        if a != b {
            out.push('-');
            out.push(b);
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_glob_and_regex_agree_on_examples() -> Result<(), PatternError> {
        let p = AsteriskPattern::parse("_2XXX")?;
        assert_eq!((p.to_glob().as_str(), p.to_regex().as_str()), ("2[0-9][0-9][0-9]", "^2[0-9][0-9][0-9]$"));
        assert!(p.matches("2001") && !p.matches("200") && !p.matches("20011") && !p.matches("3001"));
        let p = AsteriskPattern::parse("_+49-[3-4]Z.")?;
        assert_eq!(p.to_glob(), "+49[3-4][1-9]?*");
        assert_eq!(p.to_regex(), "^\\+49[3-4][1-9].+$");
        assert_eq!(p.literal_prefix(), "+49");
        assert!(p.matches("+49311") && p.matches("+493123") && !p.matches("+4931") && !p.matches("+49301"));
        assert!(AsteriskPattern::parse("_00!")?.matches("00"));
        Ok(())
    }

    #[test]
    fn hostile_or_broken_patterns_are_refused() {
        assert_eq!(AsteriskPattern::parse("2XXX"), Err(PatternError::NoUnderscore));
        assert_eq!(AsteriskPattern::parse("_"), Err(PatternError::Empty));
        assert_eq!(AsteriskPattern::parse("_2.X"), Err(PatternError::WildcardNotLast));
        assert_eq!(AsteriskPattern::parse("_[12"), Err(PatternError::BadSet(0)));
        assert_eq!(AsteriskPattern::parse("_[9-1]"), Err(PatternError::BadSet(0)));
        assert_eq!(AsteriskPattern::parse("_' OR 1=1--"), Err(PatternError::BadChar('\'')));
        assert_eq!(AsteriskPattern::parse("_%"), Err(PatternError::BadChar('%')));
    }
}
