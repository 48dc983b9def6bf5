//! The command line as people type it: durations as bare seconds, and nc's
//! own command lines, which get the sockcat form in their usage error.

use std::time::{Duration, Instant};

use crate::support::{Sockcat, TIMEOUT};

#[test]
fn a_bare_number_is_seconds() {
    for (dur, at_least) in [("0.3", 300), ("1", 1000)] {
        let start = Instant::now();
        let out = Sockcat::run(["listen", "-w", dur, "tcp:127.0.0.1:0"], b"", TIMEOUT);
        let took = start.elapsed();
        out.assert_code(1);
        assert!(out.stderr.starts_with("sockcat: listen "), "{out}");
        assert!(
            took >= Duration::from_millis(at_least) && took < Duration::from_secs(10),
            "-w {dur} gave up after {took:?}: {out}"
        );
    }
}

#[test]
fn bad_durations_are_exit_2_saying_why() {
    let cases = [
        ("connect -w -5 tcp:127.0.0.1:9", "cannot be negative"),
        ("connect -q=-0.5 tcp:127.0.0.1:9", "cannot be negative"),
        ("send --interval nan tcp:127.0.0.1:9", "not a duration"),
        ("listen -w inf :0", "too long a duration"),
        ("ping -W 1000years 127.0.0.1", "too long a duration"),
        (
            "connect --retry 99999999999999999999 tcp:127.0.0.1:9",
            "too long",
        ),
        ("connect -i 5x tcp:127.0.0.1:9", "expected seconds"),
    ];
    for (args, fragment) in cases {
        let out = Sockcat::run(args.split(' '), b"", TIMEOUT);
        out.assert_code(2);
        assert!(out.stderr.contains(fragment), "expected {fragment:?}{out}");
        assert!(!out.stderr.contains("panicked"), "{out}");
    }
}

/// The text `-q` gets in `text` (help or roff): from its flag to the next
/// blank line or roff request.
fn quit_after_help(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            l.contains("-q, --quit-after") || l.contains(r"\fB\-q\fR, \fB\-\-quit\-after")
        })
        .unwrap_or_else(|| panic!("no -q in:\n{text}"));
    lines[at..]
        .iter()
        .skip(1)
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('.'))
        .chain(std::iter::once(&lines[at]))
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn quit_after_help_says_what_each_verb_does_on_datagrams() {
    for how in [["listen", "--help"], ["man", "listen"]] {
        let out = Sockcat::run(how, b"", TIMEOUT);
        out.assert_success();
        let help = quit_after_help(&out.stdout_str());
        assert!(!help.contains("default 1s"), "{how:?}: {help}");
        assert!(help.contains("keeps receiving"), "{how:?}: {help}");
    }
    let out = Sockcat::run(["listen", "-h"], b"", TIMEOUT);
    assert!(!out.stdout_str().contains("default 1s"), "{out}");
    for how in [["connect", "--help"], ["man", "connect"]] {
        let out = Sockcat::run(how, b"", TIMEOUT);
        out.assert_success();
        let help = quit_after_help(&out.stdout_str());
        assert!(help.contains("default 1s"), "{how:?}: {help}");
    }
}

#[test]
fn nc_command_lines_get_the_sockcat_form() {
    let listen = "(listen is nc's -l, and takes one address)";
    let cases = [
        (
            "connect localhost 80",
            "write it as localhost:80 (sockcat connect localhost:80)",
        ),
        (
            "connect -u host 53",
            "write it as host:53 (sockcat connect -u host:53)",
        ),
        (
            "connect -w 5 127.0.0.1 9",
            "write it as 127.0.0.1:9 (sockcat connect -w 5 127.0.0.1:9)",
        ),
        ("listen -l -p 8080", "write it as sockcat listen 8080 "),
        ("listen -p 8080", "write it as sockcat listen 8080 "),
        ("listen -lp 8080", "write it as sockcat listen 8080 "),
        ("listen -l 8080", "write it as sockcat listen 8080 "),
        ("listen -u -l -p 53", "write it as sockcat listen -u 53 "),
        ("listen -lvnp 4444", "write it as sockcat listen -v 4444 "),
    ];
    for (line, hint) in cases {
        let out = Sockcat::run(line.split(' '), b"", TIMEOUT);
        out.assert_code(2);
        assert!(out.stdout.is_empty(), "{out}");
        let tip = format!("tip: {hint}");
        assert!(out.stderr.contains(&tip), "expected {tip:?}{out}");
        if line.starts_with("listen") {
            assert!(out.stderr.contains(listen), "{out}");
        }
        // clap's own tip for `-p` would only mislead.
        assert!(!out.stderr.contains("as a value, use '--"), "{out}");
    }
}

#[test]
fn other_usage_errors_keep_clap_s_own_tip() {
    let out = Sockcat::run(["listen", "-p", "8080", "9090"], b"", TIMEOUT);
    out.assert_code(2);
    assert!(!out.stderr.contains("write it as"), "{out}");
    let out = Sockcat::run(["connect", "--nodelya", "h:1"], b"", TIMEOUT);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("tip: a similar argument exists: '--nodelay'"),
        "{out}"
    );
}
