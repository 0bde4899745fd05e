//! FastAGI bridge end to end: a real `AgiServer` on port 0 and fake Asterisk clients that replay the
//! captured bytes from `tests/fixtures/asterisk/agi/` byte for byte.

pub mod fake;
mod faults;
mod scripts;
mod shutdown;
