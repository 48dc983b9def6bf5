//! Sets `SOCKCAT_VERSION` for `sockcat --version`: the crate version, plus the
//! short commit when the crate is built from its own git checkout
//! (`0.1.0 (abc1234)`). Without git, or from a crate tarball, it is just the
//! crate version. The man pages keep using `CARGO_PKG_VERSION`, so the
//! committed pages do not change with every commit.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    println!("cargo:rerun-if-changed=build.rs");
    let version = match commit(&manifest_dir) {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=SOCKCAT_VERSION={version}");
    link_unwinder_statically();
}

/// Link the unwinder from `libgcc_eh.a` instead of loading `libgcc_s.so.1`:
/// it saves every run the loading, relocating and constructor of a shared
/// library, part of the start-up that bench/run's short exchange measures.
/// (The release binary never unwinds, `panic = "abort"`; std keeps the
/// unwinder for backtraces. Test builds unwind through the same code.)
fn link_unwinder_statically() {
    if std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu") {
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    }
}

/// The short commit of HEAD, if `dir` is the top of a git work tree. Asks cargo
/// to run this again when HEAD moves: HEAD itself (a branch switch) and the
/// branch it points to (a commit), wherever git keeps them, which in a linked
/// worktree is not `.git/`.
fn commit(dir: &Path) -> Option<String> {
    let toplevel = git(dir, &["rev-parse", "--show-toplevel"])?;
    // A crate unpacked inside some other checkout (`cargo package`) is not it.
    if Path::new(&toplevel).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let git_dir = PathBuf::from(git(dir, &["rev-parse", "--absolute-git-dir"])?);
    watch(&git_dir.join("HEAD"));
    if let Some(common) = git(dir, &["rev-parse", "--git-common-dir"]) {
        let common = dir.join(common);
        watch(&common.join("packed-refs"));
        if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
            let loose = common.join(&branch);
            // A packed branch gets a loose file on its next commit; the
            // directory it appears in changes then.
            watch(if loose.exists() {
                &loose
            } else {
                loose.parent()?
            });
        }
    }
    git(dir, &["rev-parse", "--short", "HEAD"])
}

/// Only paths that exist: cargo reruns the script on every build for a
/// missing one.
fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}
