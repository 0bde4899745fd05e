//! Foundation: first-run setup, sign-in, throttling, CSRF, roles, sessions, tokens, headers, CLI,
//! schema versioning — each on SQLite and PostgreSQL — and one end-to-end run in a real browser.

mod browser;
mod cli;
mod csrf;
mod login;
mod ops;
mod roles;
mod sessions;
mod setup;
