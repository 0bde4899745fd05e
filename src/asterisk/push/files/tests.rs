use super::*;
use crate::moh::desired::folder_file;
use crate::moh::model::{Category, CategorySettings};

fn moh(source: &Path, classes: &[(&str, &[&str])]) -> DesiredMoh {
    let categories = classes
        .iter()
        .map(|(name, bases)| CategoryFiles {
            category: Category {
                id: 0,
                name: MohClassName::parse(name).unwrap(),
                settings: CategorySettings::default(),
                version: 0,
            },
            files: bases.iter().zip(1..).map(|(b, p)| folder_file(b.to_string(), p)).collect(),
        })
        .collect();
    DesiredMoh { source_dir: source.to_owned(), categories }
}

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn sync_copies_once_then_prune_removes_only_unwanted() {
    let src = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    put(&src.path().join("jazz"), "a.wav", b"aaaa");
    put(&src.path().join("jazz"), "b.wav", b"bb");
    let both = moh(src.path(), &[("jazz", &["a", "b"])]);
    assert_eq!(sync_classes(&both, root.path()).unwrap().copied, 2);
    assert_eq!(sync_classes(&both, root.path()).unwrap(), SyncReport { copied: 0, unchanged: 2, removed: 0 });
    put(&root.path().join("jazz"), "notes.txt", b"admin's");
    put(&root.path().join("old"), "x.wav", b"x");
    let only_a = moh(src.path(), &[("jazz", &["a"])]);
    assert_eq!(prune(&only_a, root.path()).unwrap(), 2);
    assert!(root.path().join("jazz/a.wav").exists());
    assert!(!root.path().join("jazz/b.wav").exists());
    assert!(root.path().join("jazz/notes.txt").exists(), "files Ringside did not write stay");
    assert!(!root.path().join("old").exists());
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_root_are_never_written_through() {
    let src = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    put(&src.path().join("jazz"), "a.wav", b"new");
    std::os::unix::fs::symlink(outside.path(), root.path().join("jazz")).unwrap();
    assert!(sync_classes(&moh(src.path(), &[("jazz", &["a"])]), root.path()).is_err());
    assert!(!outside.path().join("a.wav").exists());
    fs::remove_file(root.path().join("jazz")).unwrap();
    put(&root.path().join("jazz"), "x", b"");
    put(outside.path(), "victim.wav", b"keep");
    std::os::unix::fs::symlink(outside.path().join("victim.wav"), root.path().join("jazz/a.wav")).unwrap();
    assert!(sync_classes(&moh(src.path(), &[("jazz", &["a"])]), root.path()).is_err());
    assert_eq!(fs::read(outside.path().join("victim.wav")).unwrap(), b"keep");
}

#[test]
fn write_atomic_leaves_no_temp_and_replaces_whole() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("musiconhold_ringside.conf");
    write_atomic(&conf, b"one").unwrap();
    write_atomic(&conf, b"two").unwrap();
    assert_eq!(fs::read(&conf).unwrap(), b"two");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    assert!(write_atomic(&dir.path().join("missing/x.conf"), b"x").is_err());
}
