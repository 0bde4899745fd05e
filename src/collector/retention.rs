//! Daily retention: deletes CDRs older than `[cdr] retention_days` and audits each sweep.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::audit::{self, Actor, Outcome};
use crate::store::Store;

const DAY: Duration = Duration::from_secs(86_400);

/// Sweeps now and then once a day until stopped.
pub async fn run(store: Arc<dyn Store>, days: u32, stop: CancellationToken) {
    loop {
        sweep(store.as_ref(), days).await;
        if super::follow::pause(&stop, DAY).await {
            return;
        }
    }
}

/// One sweep: delete and audit (failures audited too).
pub async fn sweep(store: &dyn Store, days: u32) {
    let cutoff = super::now_ms() - i64::from(days) * 86_400_000;
    let object = format!("cdr older than {days} days");
    match store.purge_cdrs(cutoff).await {
        Ok(n) => {
            tracing::info!(deleted = n, days, "CDR retention applied");
            audit::record(
                store,
                &Actor::system(),
                "cdr.retention",
                &object,
                Outcome::Success,
                &format!("{n} records deleted"),
            )
            .await;
        }
        Err(e) => {
            tracing::warn!(error = %e, "CDR retention failed");
            audit::record(
                store,
                &Actor::system(),
                "cdr.retention",
                &object,
                Outcome::Failure,
                &e.to_string(),
            )
            .await;
        }
    }
}
