//! `ringside cdr import`: thin wrapper over [`crate::collector::import`].

use super::CdrImportArgs;
use crate::collector::import::ImportJob;
use crate::config::Config;
use crate::store::cdr::InsertCounts;

pub async fn import(config: &Config, args: CdrImportArgs) -> anyhow::Result<()> {
    let server = match &args.server {
        Some(name) => name.clone(),
        None => match config.asterisk.as_slice() {
            [only] => only.name.clone(),
            _ => anyhow::bail!(
                "several or no [[asterisk]] servers are configured: say which with --server NAME"
            ),
        },
    };
    let configured = config.asterisk.iter().find(|s| s.name == server);
    let timezone = args.timezone.as_deref().or(configured.and_then(|s| s.cdr_timezone.as_deref()));
    let columns = args.columns.as_deref().or(configured.and_then(|s| s.cdr_columns.as_deref()));
    let source = crate::collector::source_from(timezone, columns)?;
    let store = crate::store::open(&config.database_url(), config.database.max_connections).await?;
    let job = ImportJob { store: store.as_ref(), server: &server, source, progress: !args.quiet };
    let mut totals = InsertCounts::default();
    for file in &args.files {
        totals += job.import_file(file).await?;
    }
    store.close().await;
    println!("inserted {}, duplicates {}, rejected {}", totals.inserted, totals.duplicates, totals.rejected);
    Ok(())
}
