//! The happy paths: deploy at start, read back, store rows on both backends, change → redeploy
//! with coalescing, stale files removed only after the new ones are in place.

use ringside::asterisk::push::SyncState;

use super::{Rig, SERVER, Setup, put_source};
use crate::on_both_backends;
use crate::support::Backend;

on_both_backends!(
    deploys_at_start_reads_back_and_stores_the_verdict,
    burst_of_changes_is_one_reload,
    an_upload_in_the_console_reaches_asterisk
);

/// The production path: the MoH store is the source, its renderer writes the server's conf.
async fn an_upload_in_the_console_reaches_asterisk(backend: Backend) {
    let rig = Rig::start(backend, Setup { moh_store: true, ..Setup::default() }).await;
    let api = crate::moh::Api::admin(&rig.app).await;
    // The seeded `default` category would clash with the fake's stock `[default]` class.
    let (status, _) = api.send(reqwest::Method::DELETE, "/api/v1/moh/categories/default", None).await;
    assert_eq!(status, 204);
    let (status, _) = api
        .send(reqwest::Method::POST, "/api/v1/moh/categories", Some(serde_json::json!({"name": "lobby"})))
        .await;
    assert_eq!(status, 201);
    let (status, stored) =
        api.upload("lobby", &[("Lobby Song.wav", crate::moh::sine_wav(8000, 1, 1.0, 440.0))]).await;
    assert_eq!(status, 201, "{stored}");
    let after = rig
        .wait_for("lobby in sync", |s| {
            let delivered = std::fs::read_dir(rig.root.join("lobby"))
                .is_ok_and(|d| d.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".wav")));
            delivered
                && s.last_deploy.as_ref().is_some_and(|d| d.result == SyncState::InSync)
                && s.classes.iter().any(|c| c.class == "lobby" && c.state == SyncState::InSync)
        })
        .await;
    // One more deploy whose read-back certainly saw the uploaded file.
    assert!(rig.app.app().state.push.apply_now(SERVER));
    let after = rig
        .wait_for("a verified deploy", |s| {
            s.deploys > after.deploys && s.last_deploy.as_ref().is_some_and(|d| d.result == SyncState::InSync)
        })
        .await;
    assert!(after.differences.is_empty(), "{after:#?}");
    let conf = std::fs::read_to_string(&rig.conf).expect("conf");
    assert!(
        conf.contains(&format!("[lobby]\nmode=files\ndirectory={}/lobby\n", rig.root.display())),
        "{conf}"
    );
    let copied: Vec<String> = std::fs::read_dir(rig.root.join("lobby"))
        .expect("lobby folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        copied.iter().any(|n| n.ends_with("-lobby-song.wav")) && copied.iter().any(|n| n.ends_with(".ulaw")),
        "{copied:?}"
    );
    rig.app.stop().await;
}

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
