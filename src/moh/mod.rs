//! Music on Hold: categories (Asterisk classes), their files on disk and the generated
//! `musiconhold_ringside.conf`.
//!
//! Owns: the typed model ([`model`], [`name`]), the pure config renderer ([`conf`]), the on-disk
//! layout ([`disk`]), what the push to Asterisk delivers ([`desired`]: the one desired-state type
//! and its source trait, rendered per server by the same [`conf`] renderer), the operations that
//! keep database rows, files and config in step ([`service`], [`upload`]), upload progress ([`jobs`]) and the shipped `default` category
//! ([`seed`]). Every committed change rewrites the config and bumps `AppState::moh_changes`.
//! Must not: talk to Asterisk (the push area deploys what this module writes) or render HTML.

pub mod conf;
pub mod desired;
pub mod disk;
pub mod jobs;
pub mod model;
pub mod name;
pub mod seed;
pub mod service;
pub mod upload;

pub use model::{Category, CategoryInput, CategorySettings, MohFile};
pub use name::MohClassName;
pub use service::Moh;

use crate::audio::AudioError;
use crate::store::StoreError;
use model::FieldErrors;

/// Everything a Music on Hold operation can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum MohError {
    #[error("{0}")]
    BadName(String),
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    #[error("no category named {0:?}")]
    NoCategory(String),
    #[error("no file {0} in this category")]
    NoFile(i64),
    #[error("{0}")]
    Conflict(String),
    #[error("the category was changed by someone else (now version {current}); reload and try again")]
    Stale { current: i64 },
    #[error("the upload is larger than the {limit} byte limit")]
    TooLarge { limit: u64 },
    #[error("{0}")]
    BadUpload(String),
    #[error("{0}")]
    Audio(AudioError),
    #[error("storage error: {0}")]
    Io(String),
    #[error(transparent)]
    Conf(#[from] conf::ConfError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MohError {
    /// The HTTP status this error deserves.
    pub fn status(&self) -> u16 {
        match self {
            MohError::BadName(_) | MohError::Invalid(_) | MohError::BadUpload(_) => 400,
            MohError::NoCategory(_) | MohError::NoFile(_) => 404,
            MohError::Conflict(_) | MohError::Stale { .. } => 409,
            MohError::Store(StoreError::Conflict(_)) => 409,
            MohError::TooLarge { .. } => 413,
            MohError::Audio(AudioError::InputTooLarge { .. } | AudioError::TooLong { .. }) => 413,
            MohError::Audio(
                AudioError::UnknownFormat(_)
                | AudioError::Decode(_)
                | AudioError::Empty
                | AudioError::TooManyChannels { .. }
                | AudioError::BadSampleRate { .. },
            ) => 422,
            MohError::Audio(_) | MohError::Io(_) | MohError::Conf(_) | MohError::Store(_) => 500,
        }
    }
}
