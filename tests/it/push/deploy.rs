//! The happy paths: deploy at start, read back, store rows on both backends, change → redeploy
//! with coalescing, stale files removed only after the new ones are in place.

use ringside::asterisk::push::SyncState;

use super::{Rig, SERVER, Setup, put_source};
use crate::on_both_backends;
use crate::support::Backend;

on_both_backends!(deploys_at_start_reads_back_and_stores_the_verdict, burst_of_changes_is_one_reload);

async fn deploys_at_start_reads_back_and_stores_the_verdict(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    let snapshot = rig.wait_in_sync().await;
    assert_eq!(snapshot.classes.len(), 1);
    assert_eq!(snapshot.classes[0].class, "jazz");
    assert_eq!(snapshot.classes[0].state, SyncState::InSync);
    assert!(snapshot.differences.is_empty());
    for name in ["intro.wav", "intro.ulaw"] {
        assert!(rig.root.join("jazz").join(name).is_file(), "{name} copied into the server's root");
    }
    let conf = std::fs::read_to_string(&rig.conf).expect("conf written");
    assert!(conf.contains(&format!("[jazz]\nmode=files\ndirectory={}/jazz\n", rig.root.display())), "{conf}");
    let ari = rig.ari.as_ref().expect("ari");
    assert!(ari.requests().iter().any(|r| r == "PUT /ari/asterisk/modules/res_musiconhold.so"));
    let actions = rig.ami.actions_seen();
    assert!(actions.iter().filter(|a| *a == "command").count() >= 2, "read back through AMI: {actions:?}");
    let deploys = rig.app.store().push_deploys().await.expect("deploys");
    assert_eq!(deploys.len(), 1);
    assert_eq!((deploys[0].server.as_str(), deploys[0].result.as_str()), (SERVER, "in_sync"));
    let classes = rig.app.store().push_classes().await.expect("classes");
    assert_eq!(classes.len(), 1);
    assert_eq!((classes[0].class.as_str(), classes[0].status.as_str()), ("jazz", "in_sync"));
    rig.app.stop().await;
}

async fn burst_of_changes_is_one_reload(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    let before = rig.wait_in_sync().await;
    let reloads = rig.ami.reloads();
    put_source(&rig.source, "jazz", "second.wav", b"two");
    put_source(&rig.source, "rock", "riff.g722", b"g722");
    std::fs::remove_file(rig.source.join("jazz/intro.ulaw")).expect("rm");
    for _ in 0..25 {
        rig.bump_change();
    }
    let after = rig
        .wait_for("one more deploy, in sync", |s| {
            s.deploys > before.deploys
                && s.last_deploy.as_ref().is_some_and(|d| d.result == SyncState::InSync)
        })
        .await;
    assert_eq!(after.classes.len(), 2, "{after:#?}");
    // Nothing else is queued: another coalescing window later there is still one deploy more.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let settled = rig.snapshot();
    assert_eq!(settled.deploys, before.deploys + 1, "25 changes must coalesce into one deploy");
    assert_eq!(rig.ami.reloads(), reloads + 1, "and one reload");
    assert!(rig.root.join("jazz/second.wav").is_file());
    assert!(rig.root.join("rock/riff.g722").is_file());
    assert!(!rig.root.join("jazz/intro.ulaw").exists(), "files no longer wanted are removed");
    assert!(rig.root.join("jazz/intro.wav").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(rig.root.join("jazz"))
        .expect("list")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left: {leftovers:?}");
    rig.app.stop().await;
}
