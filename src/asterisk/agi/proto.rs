//! FastAGI wire codec: pure functions over bytes, no sockets, clocks or database.
//!
//! Owns: parsing the environment block Asterisk sends first, encoding the commands Ringside sends, and
//! parsing Asterisk's replies. Must not: do I/O, allocate from lengths the peer claims, or panic on any
//! input. The session layer (`session.rs`) owns buffers and deadlines and feeds bytes in here.
//!
//! Facts from Asterisk's `res/res_agi.c` (22.x) and the captures in `tests/fixtures/asterisk/agi/`:
//!
//! ```text
//! Asterisk -> Ringside, once, on connect (setup_env: "agi_%s: %s\n" per line, then an empty line):
//!   agi_network: yes
//!   agi_network_script: moh?queue=sales        path after "host:port/", query string kept verbatim
//!   agi_request: agi://127.0.0.1:4573/moh?queue=sales
//!   agi_channel: Local/s@agi-test-00000000;2
//!   agi_uniqueid: 1796413638.1 ... agi_callerid: unknown   agi_calleridname: unknown   (caller-controlled)
//!   agi_dnid: unknown   agi_context: agi-test   agi_extension: s   agi_accountcode:      (value may be empty)
//!   agi_arg_1: arg1                             one line per dialplan argument, N from 1
//!   <empty line>
//!
//! Ringside -> Asterisk, one command per line (read with fgets into a 2048-byte buffer: a longer line is
//! silently cut into two commands). parse_args splits on space/tab, `"` toggles grouping, `\` escapes the
//! next byte. There is no escape for CR/LF: one inside a value would start a second command.
//!   SET VARIABLE CHANNEL(musicclass) demo
//!   VERBOSE "chose class demo" 1
//!
//! Asterisk -> Ringside, one reply per command:
//!   200 result=<int> [(<data>)] [endpos=<int>]
//!   510 Invalid or unknown command
//!   511 Command Not Permitted on a dead channel[ or intercept routine]
//!   520 Invalid command syntax.  Proper usage not available.          (one line)
//!   520-Invalid command syntax.  Proper usage follows:                  (or a block ...)
//!   <usage text lines>
//!   520 End of proper usage.                                            (... ending here)
//!   HANGUP          sent on its own line whenever the channel hangs up, including in place of a reply;
//!                   every later command on the dead channel gets 511.
//! ```
//!
//! Lines end with `\n`; a `\r` before it is tolerated and dropped.

mod command;
mod env;
mod reply;

pub use command::{Command, MAX_COMMAND_LINE};
pub use env::{AgiEnv, EnvLimits, EnvParser, EnvProgress, ScriptRequest};
pub use reply::{Reply, ReplyParser};

/// Everything that can be wrong with bytes crossing the FastAGI wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtoError {
    #[error("environment larger than {limit} bytes")]
    EnvTooLarge { limit: usize },
    #[error("environment has more than {limit} lines")]
    TooManyEnvLines { limit: usize },
    #[error("line longer than {limit} bytes")]
    LineTooLong { limit: usize },
    #[error("environment line {line} is not `agi_<name>: <value>`")]
    MalformedEnvLine { line: usize },
    #[error("a command value contains CR, LF or NUL")]
    ForbiddenByte,
    #[error("command line of {len} bytes exceeds Asterisk's {limit}-byte buffer")]
    CommandTooLong { len: usize, limit: usize },
    #[error("command has more than {limit} arguments")]
    TooManyArguments { limit: usize },
    #[error("reply larger than {limit} bytes")]
    ReplyTooLarge { limit: usize },
    #[error("unrecognised reply line")]
    MalformedReply,
}

/// Splits `buf[from..]` at the next `\n`; returns the index of that `\n`.
fn find_newline(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?.iter().position(|&b| b == b'\n').map(|i| from + i)
}

/// The line content without its terminator: drops one trailing `\r`.
fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests;
