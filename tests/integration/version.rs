//! `sockcat --version`: the crate version, and the commit when built from a
//! git checkout. The man pages must not carry the commit (they are committed
//! snapshots; see docs.rs).

use std::path::Path;
use std::process::Command;

use crate::support::{Sockcat, TIMEOUT, run_command, which};

#[test]
fn version_names_the_crate_version_and_the_commit() {
    let out = Sockcat::run(["--version"], b"", TIMEOUT);
    out.assert_success();
    let line = out.stdout_str();
    let version = concat!("sockcat ", env!("CARGO_PKG_VERSION"));
    let rest = line
        .strip_prefix(version)
        .unwrap_or_else(|| panic!("{line:?} does not start with {version:?}"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // (No git, or no checkout: the version has no commit.)
    let head = which("git")
        .map(|git| {
            let mut cmd = Command::new(git);
            cmd.arg("-C")
                .arg(dir)
                .args(["rev-parse", "--short", "HEAD"]);
            run_command(&mut cmd, TIMEOUT)
        })
        .filter(|out| out.status.success())
        .map(|out| out.stdout_str().trim().to_owned());
    match head {
        Some(head) => assert_eq!(rest, format!(" ({head})\n"), "{line:?}"),
        None => assert_eq!(rest, "\n", "{line:?}"),
    }
}

#[test]
fn man_pages_carry_only_the_crate_version() {
    for args in [&["man"][..], &["man", "listen"]] {
        let out = Sockcat::run(args, b"", TIMEOUT);
        out.assert_success();
        let page = out.stdout_str();
        let th = page.lines().find(|l| l.starts_with(".TH ")).expect(".TH");
        let source = concat!("\"sockcat ", env!("CARGO_PKG_VERSION"), "\"");
        assert_eq!(
            th.split_once(" \"\" ").map(|(_, s)| s.trim_end()),
            Some(source),
            "{th:?}"
        );
    }
}
