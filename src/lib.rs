//! Ringside: a companion service for the Asterisk PBX.
//!
//! One binary with three jobs: a Music on Hold console that transcodes uploads and pushes them to
//! Asterisk, a FastAGI/ARI bridge that picks the hold music for each call, and a collector of call
//! detail records. This crate is the whole service; `main.rs` only parses the command line.
//!
//! # Layout
//!
//! - [`cli`] — the command line (`serve`, `user`, `token`, `check-config`).
//! - [`config`] — one typed configuration: defaults < TOML file < environment < flags.
//! - [`app`] — start-up and graceful shutdown of the listeners and background tasks.
//! - [`auth`] — accounts, Argon2id passwords, sessions, API tokens, CSRF, login throttling.
//! - [`audit`] — the append-only audit trail.
//! - [`store`] — the `Store` trait with SQLite (default) and PostgreSQL backends.
//! - [`web`] — the console (askama templates in `web/templates`) and the `/api/v1` JSON API.
//! - [`metrics`] — counters rendered for Prometheus.
//! - [`moh`] — Music on Hold categories, files on disk and the generated musiconhold config.
//! - [`audio`] — decode, downmix, resample, normalise and encode uploads; the sandboxed worker.
//! - [`asterisk`] — FastAGI server, AMI and ARI clients, MoH read-back parsers; `asterisk::push`
//!   delivers Music on Hold to every server (files, conf, reload, read-back, status, test hold).
//! - [`flows`] — call logic: dial patterns, schedules, holidays, MoH rules and their explanations.
//! - [`routing`] — the store-backed rule book, decision log, FastAGI deciders and the Stasis app.
//! - [`cdr`] — call detail records: parsing, Master.csv following, search specs, CSV/XLSX export.
//! - [`collector`] — the CDR tasks of `serve` (follower, AMI, retention) and `cdr import`.

pub mod app;
pub mod asterisk;
pub mod audio;
pub mod audit;
pub mod auth;
pub mod cdr;
pub mod cli;
pub mod collector;
pub mod config;
pub mod flows;
pub mod metrics;
pub mod moh;
pub mod routing;
pub mod store;
pub mod web;
