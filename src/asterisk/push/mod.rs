//! Push to Asterisk: deliver the Music on Hold model to every managed server, prove Asterisk took
//! it, and say so plainly when it did not.
//!
//! - What to deliver comes from the MoH area: [`DesiredMoh`] and the [`DesiredSource`] trait
//!   (`moh::desired`, plus [`FolderSource`], a plain folder of `<class>/<base>.<ext>`); the conf
//!   is rendered by `moh::conf::render` against each server's own root.
//! - [`files`] — atomic file and conf writes inside a server's MoH root; never follows symlinks.
//! - [`link`] — one server's ARI/AMI clients: reload, read back, identity.
//! - [`deploy`] — one deploy: files → conf → prune → reload → read back → verdict.
//! - [`worker`] — when to deploy: start, change (coalesced), "Apply now", restart, retry.
//! - [`holds`] — live holds from AMI `MusicOnHoldStart`/`Stop`, never blocking the reader.
//! - [`hub`] — the object the app starts and the web layer asks; starts, restarts and stops
//!   each server's tasks live.
//! - [`registry`] — the server list: `[[asterisk]]` entries (read-only) plus servers added,
//!   edited and deleted in the console (stored), every value checked, secrets write-only.
//! - [`test_hold`] — dialplan-free test hold, verified by `MusicOnHoldStart`.
//!
//! Uses the protocol layers in `asterisk::{ami, ari, moh_readback}`; must not render HTML or
//! know about HTTP. Every action on Asterisk is logged with `tracing` at info level; secrets never.

pub mod deploy;
pub mod files;
pub mod holds;
pub mod hub;
pub mod link;
pub mod registry;
pub mod status;
pub mod test_hold;
pub mod worker;

use std::time::Duration;

use crate::asterisk::backoff::Backoff;

pub use crate::moh::desired::{DesiredError, DesiredMoh, DesiredSource, FolderSource};
pub use holds::ServerEvent;
pub use hub::{PushDeps, PushHub};
pub use registry::{PortInput, ServerError, ServerInput, ServerSettings};
pub use status::{Origin, ServerSnapshot, SyncState};
pub use test_hold::{TestHoldError, TestHoldReport, TestHoldRequest};

/// Timing of the push (defaults for production; tests shorten them).
#[derive(Debug, Clone, Copy)]
pub struct PushSettings {
    /// Changes arriving within this window after the first become one deploy.
    pub coalesce: Duration,
    /// Retry schedule while a server is `pending`.
    pub retry: Backoff,
    /// Reconnect schedule of the AMI client and ARI events task.
    pub connect_backoff: Backoff,
    /// One ARI request or AMI action.
    pub action_timeout: Duration,
    /// How long a test hold waits for the call to enter Stasis and the music to start.
    pub test_hold_timeout: Duration,
}

impl Default for PushSettings {
    fn default() -> Self {
        Self {
            coalesce: worker::DEFAULT_COALESCE,
            retry: Backoff {
                initial: Duration::from_secs(2),
                max: Duration::from_secs(60),
                reset_after: Duration::from_secs(60),
            },
            connect_backoff: Backoff::default(),
            action_timeout: Duration::from_secs(10),
            test_hold_timeout: Duration::from_secs(45),
        }
    }
}
