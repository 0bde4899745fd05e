//! Command encoding. A [`Command`] exists only if its whole line is safe to write: CR, LF and NUL are
//! refused in every part before any byte is produced, and the line fits Asterisk's read buffer.

use super::ProtoError;

/// Asterisk reads a command with `fgets` into `char buf[AGI_BUF_LEN]` (2048): at most 2047 bytes
/// including the `\n`. Anything longer would be executed as two commands.
pub const MAX_COMMAND_LINE: usize = 2047;

/// `MAX_ARGS` in res_agi.c is 128 words, the verb words included.
const MAX_WORDS: usize = 127;

/// One encoded command line, terminated by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    line: Vec<u8>,
}

impl Command {
    /// Encodes `verb` (one or more space-separated words, e.g. `SET VARIABLE`) followed by `args`, each
    /// argument quoted when needed so Asterisk's `parse_args` reads it back as exactly one word.
    pub fn new(verb: &str, args: &[&str]) -> Result<Self, ProtoError> {
        let verb_ok = verb.split(' ').all(|w| !w.is_empty() && w.bytes().all(is_bare));
        if !verb_ok {
            return Err(ProtoError::ForbiddenByte);
        }
        if verb.split(' ').count() + args.len() > MAX_WORDS {
            return Err(ProtoError::TooManyArguments { limit: MAX_WORDS });
        }
        if args.iter().any(|a| a.bytes().any(is_forbidden)) {
            return Err(ProtoError::ForbiddenByte);
        }
        let mut line = Vec::with_capacity(verb.len() + 1 + args.iter().map(|a| a.len() + 3).sum::<usize>());
        line.extend_from_slice(verb.as_bytes());
        for arg in args {
            line.push(b' ');
            push_word(&mut line, arg);
        }
        line.push(b'\n');
        if line.len() > MAX_COMMAND_LINE {
            return Err(ProtoError::CommandTooLong { len: line.len(), limit: MAX_COMMAND_LINE });
        }
        Ok(Self { line })
    }

    /// `SET VARIABLE <name> <value>`.
    pub fn set_variable(name: &str, value: &str) -> Result<Self, ProtoError> {
        Self::new("SET VARIABLE", &[name, value])
    }

    /// `VERBOSE "<message>" <level>`: the message is always quoted, as Asterisk's own examples do.
    pub fn verbose(message: &str, level: u8) -> Result<Self, ProtoError> {
        let level = level.to_string();
        let mut cmd = Self::new("VERBOSE", &[message, &level])?;
        if !message.is_empty() && message.bytes().all(is_bare) {
            let mut line = b"VERBOSE \"".to_vec();
            line.extend_from_slice(message.as_bytes());
            line.extend_from_slice(b"\" ");
            line.extend_from_slice(level.as_bytes());
            line.push(b'\n');
            if line.len() > MAX_COMMAND_LINE {
                return Err(ProtoError::CommandTooLong { len: line.len(), limit: MAX_COMMAND_LINE });
            }
            cmd.line = line;
        }
        Ok(cmd)
    }

    /// `NOOP`.
    pub fn noop() -> Self {
        Self { line: b"NOOP\n".to_vec() }
    }

    /// The exact bytes to write, `\n` included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.line
    }
}

fn is_forbidden(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | 0)
}

/// A byte that may appear in an unquoted word.
fn is_bare(b: u8) -> bool {
    !is_forbidden(b) && !matches!(b, b' ' | b'\t' | b'"' | b'\\')
}

/// Writes `word` bare when that is unambiguous, else inside `"…"` with `"` and `\` backslash-escaped.
fn push_word(out: &mut Vec<u8>, word: &str) {
    if !word.is_empty() && word.bytes().all(is_bare) {
        out.extend_from_slice(word.as_bytes());
        return;
    }
    out.push(b'"');
    for b in word.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}
