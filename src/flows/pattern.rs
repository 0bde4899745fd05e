//! Asterisk dialplan extension patterns (`_2XXX`, `_0800.`, `_NXX[1-5]!`, or an exact number).
//!
//! Semantics follow `_extension_match_core` in Asterisk's `main/pbx.c` for a complete number:
//!
//! ```text
//! _        starts a pattern; without it the text must equal the number exactly
//! X Z N    one digit 0-9 / 1-9 / 2-9 (case-insensitive)
//! [1-5a]   one character from the set; ranges allowed
//! .        one or more characters, then the match succeeds (nothing may follow it)
//! !        zero or more characters, then the match succeeds (nothing may follow it)
//! -        ignored inside a pattern (`_1-800-XXX`)
//! other    that character literally
//! ```
//!
//! Owns parsing and matching only; no I/O. A pattern is parsed once into [`DialPattern`] and trusted after.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a pattern string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("pattern is empty")]
    Empty,
    #[error("unclosed `[` in pattern")]
    UnclosedSet,
    #[error("empty or reversed `[...]` set in pattern")]
    BadSet,
    #[error("nothing may follow `.` or `!` in a pattern")]
    TrailingAfterWildcard,
    #[error("pattern longer than 80 characters")]
    TooLong,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// Inclusive ranges.
    Set(Vec<(char, char)>),
    OneOrMore,
    ZeroOrMore,
}

/// A parsed dialplan pattern. Serialises as the text the admin typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DialPattern {
    source: String,
    /// `None` for an exact (non-`_`) pattern.
    tokens: Option<Vec<Token>>,
}

impl DialPattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        if text.chars().count() > 80 {
            return Err(PatternError::TooLong);
        }
        let tokens = match text.strip_prefix('_') {
            Some(body) => Some(tokenize(body)?),
            None => None,
        };
        Ok(Self { source: text.to_owned(), tokens })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Does the whole `number` match?
    pub fn matches(&self, number: &str) -> bool {
        match &self.tokens {
            None => self.source == number,
            Some(tokens) => match_tokens(tokens, number),
        }
    }
}

impl fmt::Display for DialPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl TryFrom<String> for DialPattern {
    type Error = PatternError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DialPattern> for String {
    fn from(p: DialPattern) -> Self {
        p.source
    }
}

fn tokenize(body: &str) -> Result<Vec<Token>, PatternError> {
    let mut tokens = Vec::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if matches!(tokens.last(), Some(Token::OneOrMore | Token::ZeroOrMore)) {
            return Err(PatternError::TrailingAfterWildcard);
        }
        let token = match c.to_ascii_uppercase() {
            '-' => continue,
            'X' => Token::Set(vec![('0', '9')]),
            'Z' => Token::Set(vec![('1', '9')]),
            'N' => Token::Set(vec![('2', '9')]),
            '.' => Token::OneOrMore,
            '!' => Token::ZeroOrMore,
            '[' => Token::Set(parse_set(&mut chars)?),
            _ => Token::Literal(c),
        };
        tokens.push(token);
    }
    Ok(tokens)
}

/// Reads up to the closing `]`: single characters and `a-b` ranges.
fn parse_set(chars: &mut std::str::Chars<'_>) -> Result<Vec<(char, char)>, PatternError> {
    let mut members: Vec<char> = Vec::new();
    let mut ranges = Vec::new();
    loop {
        match chars.next() {
            None => return Err(PatternError::UnclosedSet),
            Some(']') => break,
            Some('-') if !members.is_empty() => {
                let start = members.pop().ok_or(PatternError::BadSet)?;
                let end = chars.next().ok_or(PatternError::UnclosedSet)?;
                if end == ']' || end < start {
                    return Err(PatternError::BadSet);
                }
                ranges.push((start, end));
            }
            Some(c) => members.push(c),
        }
    }
    ranges.extend(members.into_iter().map(|c| (c, c)));
    if ranges.is_empty() {
        return Err(PatternError::BadSet);
    }
    Ok(ranges)
}

fn match_tokens(tokens: &[Token], number: &str) -> bool {
    let mut chars = number.chars();
    for token in tokens {
        match token {
            Token::OneOrMore => return chars.next().is_some(),
            Token::ZeroOrMore => return true,
            Token::Literal(want) => {
                if chars.next() != Some(*want) {
                    return false;
                }
            }
            Token::Set(ranges) => match chars.next() {
                Some(c) if ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c)) => {}
                _ => return false,
            },
        }
    }
    chars.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, number: &str) -> bool {
        DialPattern::parse(pattern).unwrap().matches(number)
    }

    #[test]
    fn digit_classes() {
        assert!(m("_2XXX", "2000") && m("_2XXX", "2999"));
        assert!(!m("_2XXX", "3000") && !m("_2XXX", "200") && !m("_2XXX", "20000"));
        assert!(m("_NXX", "200") && !m("_NXX", "100") && !m("_NXX", "099"));
        assert!(m("_ZX", "10") && !m("_ZX", "01"));
        assert!(m("_nxx", "299"), "letters are case-insensitive");
    }

    #[test]
    fn wildcards() {
        assert!(m("_0800.", "08001234") && m("_0800.", "08009"));
        assert!(!m("_0800.", "0800"), "`.` needs at least one more character");
        assert!(m("_0800!", "0800") && m("_0800!", "0800123"));
        assert!(!m("_0800!", "080"));
        assert_eq!(DialPattern::parse("_0800.X"), Err(PatternError::TrailingAfterWildcard));
    }

    #[test]
    fn sets_and_dashes() {
        assert!(m("_[1-5]00", "300") && !m("_[1-5]00", "600"));
        assert!(m("_[135-7]", "6") && !m("_[135-7]", "4"));
        assert!(m("_1-800-NXX", "1800555"));
        assert_eq!(DialPattern::parse("_[12"), Err(PatternError::UnclosedSet));
        assert_eq!(DialPattern::parse("_[]"), Err(PatternError::BadSet));
        assert_eq!(DialPattern::parse("_[9-1]"), Err(PatternError::BadSet));
    }

    #[test]
    fn exact_and_serde() {
        assert!(m("2001", "2001") && !m("2001", "20011") && !m("2001", "_2001"));
        assert!(m("+4930123", "+4930123"), "non-digits compare literally");
        assert_eq!(DialPattern::parse("  "), Err(PatternError::Empty));
        let p: DialPattern = serde_json::from_str("\"_2XXX\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"_2XXX\"");
        assert!(serde_json::from_str::<DialPattern>("\"_[\"").is_err());
    }
}
