//! Pure AMI codec: the banner line, incremental decoding of `Key: Value` frames, and action encoding.
//!
//! Owns the byte-level wire format only. It must not touch sockets, clocks or tasks: the connection
//! layer owns the buffer and feeds it here; the client owns correlation, retries and timeouts.
//!
//! ```text
//! Asterisk Call Manager/11.0.0\r\n            <- banner, once, right after connect
//! Response: Success\r\n                        <- a frame: `Key: Value` lines ...
//! ActionID: cmd-1\r\n
//! Message: Command output follows\r\n
//! Output: Class: default\r\n                   <- repeated keys keep their order
//! Output: \tMode: files\r\n
//! \r\n                                         <- ... ended by one empty line
//! Event: MusicOnHoldStart\r\n
//! Privilege: call,all\r\n
//! Class: demo\r\n
//! \r\n
//! ```
//!
//! The value is everything after the first `:` with one separating space removed (a tab that
//! belongs to the value, as in `Output: \tMode: files`, is kept). A bare `\n` line end is accepted
//! too. A frame with a line without a colon, an empty key, a line over [`Limits::max_line`] or more
//! than [`Limits::max_frame`] bytes is reported as [`Decoded::Malformed`] and skipped up to its
//! empty line; decoding then goes on with the next frame.

mod decoder;
mod encode;
mod message;

pub use decoder::{Decoded, Decoder, FrameError, Limits, parse_banner};
pub use encode::{Action, EncodeError};
pub use message::{Message, MessageKind};

#[cfg(test)]
mod tests;
