//! The `default` category that exists from the first start, with the hold music shipped in
//! `sounds/` (CC0, see `sounds/LICENSE`) compiled into the binary and transcoded on first start.
//!
//! Owns: creating `default` once. Must not: recreate it after an admin deleted its files (only a
//! missing category is seeded).

use crate::audit::Actor;
use crate::moh::{CategoryInput, Moh, MohError};

/// The shipped piece.
const SHIPPED: &[u8] = include_bytes!("../../sounds/ringside-hold.flac");
const SHIPPED_NAME: &str = "Ringside hold.flac";

/// Creates `default` with the shipped audio if there is no such category yet, then writes the
/// config. A failed transcode leaves `default` empty (logged), never stops the service.
pub async fn ensure_default(moh: &Moh) -> Result<(), MohError> {
    if moh.store.moh_category("default").await?.is_none() {
        let actor = Actor::system();
        let input = CategoryInput {
            name: Some("default".into()),
            label: Some("Default".into()),
            description: Some("Created on first start with the music shipped with Ringside.".into()),
            ..CategoryInput::default()
        };
        moh.create(&actor, &input).await?;
        let mut incoming = moh.incoming(SHIPPED_NAME)?;
        incoming.write(SHIPPED)?;
        if let Err(e) = moh.add_file(&actor, "default", incoming, |_| {}).await {
            tracing::warn!(error = %e, "could not add the shipped hold music to the default category");
        }
    }
    moh.write_conf().await
}
