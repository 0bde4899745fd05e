//! Everything that speaks an Asterisk protocol: FastAGI (Asterisk is our client), AMI and ARI (we are
//! Asterisk's client), plus pure parsers for the MoH read-back (`moh show classes` / `moh show files`).
//!
//! Each protocol keeps its pure codec (`proto`) apart from its I/O. This module owns wire formats and
//! connections only; it must not decide deploy policy, touch the store, or render anything — except `push`, which is the deploy
//! policy built on the protocol layers (see its module docs).

pub mod agi;
pub mod ami;
pub mod ari;
pub mod backoff;
pub mod moh_readback;
pub mod push;
