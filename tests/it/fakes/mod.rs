//! Fake Asterisk peers reproducing `tests/fixtures/asterisk/` byte for byte.
pub mod ami;
pub mod ari;
