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
