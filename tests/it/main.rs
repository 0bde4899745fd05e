//! The one integration-test binary; one module per area.

mod agi;
mod ami;
mod ari;
mod audio;
mod cdr;
mod fakes;
mod flows;
mod foundation;
mod moh;
mod push;
mod support;
