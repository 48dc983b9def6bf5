//! The generated docs. The man pages and completion scripts committed under
//! `man/` and `completions/` are snapshots of what the binary generates now;
//! `SOCKCAT_BLESS=1 cargo test docs` rewrites them. The pages must pass
//! groff's warnings and name every flag; the shells must accept the scripts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use sockcat::cli::Cli;

use crate::support::{Sockcat, TIMEOUT, TempDir, require};

const BLESS: &str = "run `SOCKCAT_BLESS=1 cargo test docs`";

/// Runs `sockcat KIND --dir` (KIND is `man` or `completions`) into a fresh
/// directory and returns it with the files it holds.
fn generate(kind: &str) -> (TempDir, BTreeMap<String, Vec<u8>>) {
    let dir = TempDir::new();
    Sockcat::run([kind, "--dir", &dir.join(kind)], b"", TIMEOUT).assert_success();
    let files = read_dir(&dir.path().join(kind));
    (dir, files)
}

fn read_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|entry| {
            let path = entry.expect("read_dir").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read"))
        })
        .collect()
}

/// Compares the committed files under `subdir` with what `sockcat KIND --dir`
/// writes now, or rewrites them under `SOCKCAT_BLESS=1`.
fn check_snapshots(kind: &str, subdir: &str) {
    let (_tmp, generated) = generate(kind);
    let committed_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(subdir);
    let committed = read_dir(&committed_dir);
    let bless = std::env::var_os("SOCKCAT_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, bytes) in &generated {
        match committed.get(name) {
            Some(old) if old == bytes => continue,
            Some(_) => stale.push(format!("{subdir}/{name} is out of date; {BLESS}")),
            None => stale.push(format!("{subdir}/{name} is missing; {BLESS}")),
        }
        if bless {
            std::fs::create_dir_all(&committed_dir).expect("create snapshot dir");
            std::fs::write(committed_dir.join(name), bytes).expect("write snapshot");
        }
    }
    for name in committed
        .keys()
        .filter(|name| !generated.contains_key(*name))
    {
        stale.push(format!("{subdir}/{name} is no longer generated; {BLESS}"));
        if bless {
            std::fs::remove_file(committed_dir.join(name)).expect("remove snapshot");
        }
    }
    if bless {
        stale.iter().for_each(|line| eprintln!("blessed: {line}"));
    } else {
        assert!(stale.is_empty(), "{}", stale.join("\n"));
    }
}

#[test]
fn man_pages_are_up_to_date() {
    check_snapshots("man", "man");
}

#[test]
fn completions_are_up_to_date() {
    check_snapshots("completions", "completions");
}

#[test]
fn stdout_gets_the_same_bytes_as_the_files() {
    let (_man_dir, pages) = generate("man");
    let (_completions_dir, scripts) = generate("completions");
    let out = Sockcat::run(["man"], b"", TIMEOUT);
    assert_eq!(out.assert_success().stdout, pages["sockcat.1"]);
    let out = Sockcat::run(["man", "listen"], b"", TIMEOUT);
    assert_eq!(out.assert_success().stdout, pages["sockcat-listen.1"]);
    let out = Sockcat::run(["completions", "zsh"], b"", TIMEOUT);
    assert_eq!(out.assert_success().stdout, scripts["_sockcat"]);
}

#[test]
fn unknown_verb_is_exit_2_naming_the_verbs() {
    let out = Sockcat::run(["man", "lisen"], b"", TIMEOUT);
    out.assert_code(2);
    assert!(
        out.stderr.starts_with("sockcat: ") && out.stderr.contains("connect, listen"),
        "{out}"
    );
}

#[test]
fn pages_have_no_groff_warnings() {
    if !require("groff") {
        return;
    }
    let (dir, pages) = generate("man");
    assert!(pages.len() > 1, "no pages generated");
    for name in pages.keys() {
        let out = Command::new("groff")
            .args(["-man", "-ww", "-z"])
            .arg(dir.path().join("man").join(name))
            .output()
            .expect("run groff");
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && warnings.is_empty(),
            "groff on {name}:\n{warnings}"
        );
    }
}

#[test]
fn pages_name_every_flag() {
    let (_dir, pages) = generate("man");
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut commands = vec![("sockcat.1".to_owned(), &root)];
    commands.extend(
        root.get_subcommands()
            .map(|sub| (format!("sockcat-{}.1", sub.get_name()), sub)),
    );
    for (page_name, cmd) in commands {
        let page = String::from_utf8_lossy(
            pages
                .get(&page_name)
                .unwrap_or_else(|| panic!("no {page_name}")),
        );
        for arg in cmd
            .get_arguments()
            .filter(|arg| !arg.is_hide_set() && !arg.is_positional())
        {
            let flags = arg
                .get_long()
                .map(|long| format!("--{long}"))
                .into_iter()
                .chain(arg.get_short().map(|s| format!("-{s}")));
            for flag in flags {
                let roff = flag.replace('-', "\\-");
                assert!(
                    page.contains(&format!("\\fB{roff}\\fR")),
                    "{page_name} does not name {flag}"
                );
            }
        }
    }
}

#[test]
fn shells_accept_the_scripts() {
    let (dir, scripts) = generate("completions");
    let path = |name: &str| -> PathBuf {
        assert!(scripts.contains_key(name), "no {name}");
        dir.path().join("completions").join(name)
    };
    for (shell, script) in [
        ("bash", "sockcat.bash"),
        ("zsh", "_sockcat"),
        ("fish", "sockcat.fish"),
    ] {
        if !require(shell) {
            continue;
        }
        let out = Command::new(shell)
            .arg("-n")
            .arg(path(script))
            .output()
            .expect("run shell");
        let errors = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && errors.is_empty(),
            "{shell} -n {script}:\n{errors}"
        );
    }
}

/// Sources the bash script, sets COMP_* as readline would for `line` (the
/// cursor at its end) and calls the function `complete -p sockcat` names.
const BASH_COMPLETE: &str = r#"
script=$1 line=$2
source "$script"
COMP_LINE=$line
COMP_POINT=${#line}
read -ra COMP_WORDS <<< "$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
set -- $(complete -p sockcat)
while [[ $# -gt 0 && $1 != -F ]]; do shift; done
"$2" sockcat "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;

fn bash_complete(script: &Path, line: &str) -> Vec<String> {
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", BASH_COMPLETE, "bash"])
        .arg(script)
        .arg(line)
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash completion of {line:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut words: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    words.sort();
    words
}

#[test]
fn bash_completes_verbs_flags_values_and_paths() {
    if !require("bash") {
        return;
    }
    let (dir, _) = generate("completions");
    let script = dir.path().join("completions").join("sockcat.bash");
    assert_eq!(bash_complete(&script, "sockcat li"), ["listen"]);
    assert_eq!(
        bash_complete(&script, "sockcat connect --no-s"),
        ["--no-shutdown", "--no-stdin"]
    );
    assert_eq!(
        bash_complete(&script, "sockcat ping --socket "),
        ["auto", "dgram", "raw"]
    );
    assert_eq!(bash_complete(&script, "sockcat completions z"), ["zsh"]);

    let payload = dir.join("payload.bin");
    std::fs::write(&payload, b"x").expect("write payload");
    assert_eq!(
        bash_complete(&script, &format!("sockcat send -f {}", dir.join("pay"))),
        [payload.as_str()]
    );
    assert_eq!(
        bash_complete(&script, &format!("sockcat connect -s {}", dir.join("pay"))),
        [payload.as_str()]
    );
    // An ADDR gets no words from the function, so readline's own filename
    // completion (`complete -o default`) offers the paths.
    assert!(bash_complete(&script, &format!("sockcat connect {}", dir.join("pay"))).is_empty());
    let script = std::fs::read_to_string(&script).expect("read script");
    assert!(
        script.contains("-o default sockcat"),
        "bash falls back to file names"
    );
}

#[test]
fn fish_completes_verbs_values_and_shells() {
    if !require("fish") {
        return;
    }
    let (dir, _) = generate("completions");
    let script = dir.path().join("completions").join("sockcat.fish");
    let complete = |line: &str| -> Vec<String> {
        let out = Command::new("fish")
            .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
            .arg(&script)
            .arg(line)
            .output()
            .expect("run fish");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut words: Vec<String> = stdout
            .lines()
            .filter_map(|l| l.split('\t').next())
            .map(str::to_owned)
            .collect();
        words.sort();
        words
    };
    assert_eq!(complete("sockcat li"), ["listen"]);
    assert_eq!(complete("sockcat ping --socket d"), ["dgram"]);
    assert_eq!(complete("sockcat completions z"), ["zsh"]);
}
