//! `sockcat ping` against loopback, and inside network namespaces the tests
//! create: no packet leaves for anywhere but 127.0.0.0/8, ::1 or a
//! namespace of our own. Output is held to the same line patterns that
//! real iputils `ping` output matches, and, where the installed `ping` is
//! iputils 20221126, to its very output, times masked, run side by side
//! (names from an /etc/hosts of the test's own, in a mount namespace).

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::support::{self, Output, Proc, Sockcat, TIMEOUT, TempDir};

/// The lines of an iputils ping run. `{n}` is digits, `{d}` a decimal
/// number, `{w}` a word without spaces, `{_}` an optional space (iputils
/// 20221126 prints `PING ::1(::1)`, later releases `PING ::1 (::1)`), `{*}`
/// anything. A host given by name brings `name (addr)` forms.
const LINES: &[&str] = &[
    "PING {w}{_}({w}) {n}({n}) bytes of data.",
    "PING {w}{_}({w}) {n} data bytes",
    "{n} bytes from {w}: icmp_seq={n} ttl={n} time={d} ms",
    "From {w} icmp_seq={n} {*}",
    "",
    "--- {w} ping statistics ---",
    "{n} packets transmitted, {n} received, {d}% packet loss, time {n}ms",
    "{n} packets transmitted, {n} received, +{n} errors, {d}% packet loss, time {n}ms",
    "rtt min/avg/max/mdev = {d}/{d}/{d}/{d} ms",
    "PING {w}{_}({w} ({w})) {n} data bytes",
    "{n} bytes from {w} ({w}): icmp_seq={n} ttl={n} time={d} ms",
    "From {w} ({w}) icmp_seq={n} {*}",
];
const REPLY: &str = "{n} bytes from {w}: icmp_seq={n} ttl={n} time={d} ms";
const NAMED_REPLY: &str = "{n} bytes from {w} ({w}): icmp_seq={n} ttl={n} time={d} ms";

/// Whether `line` matches `pattern` (see `LINES`), by backtracking.
fn matches(pattern: &str, line: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        let run = |ok: fn(u8) -> bool| s.iter().take_while(|&&c| ok(c)).count();
        if p.is_empty() {
            return s.is_empty();
        }
        match &p[..p.len().min(3)] {
            b"{n}" => (1..=run(|c| c.is_ascii_digit())).any(|k| go(&p[3..], &s[k..])),
            b"{d}" => (1..=run(|c| c.is_ascii_digit() || c == b'.')).any(|k| {
                let number = &s[..k];
                number[0].is_ascii_digit()
                    && number[k - 1].is_ascii_digit()
                    && number.iter().filter(|&&c| c == b'.').count() <= 1
                    && go(&p[3..], &s[k..])
            }),
            b"{w}" => (1..=run(|c| !c.is_ascii_whitespace())).any(|k| go(&p[3..], &s[k..])),
            b"{_}" => go(&p[3..], s) || (s.first() == Some(&b' ') && go(&p[3..], &s[1..])),
            b"{*}" => (0..=s.len()).any(|k| go(&p[3..], &s[k..])),
            _ => s.first() == p.first() && go(&p[1..], &s[1..]),
        }
    }
    go(pattern.as_bytes(), line.as_bytes())
}

#[track_caller]
fn assert_iputils_lines(stdout: &str, what: &str) {
    for line in stdout.lines() {
        assert!(
            LINES.iter().any(|p| matches(p, line)),
            "{what}: line {line:?} matches no iputils pattern in:\n{stdout}"
        );
    }
}

fn replies(stdout: &str) -> usize {
    let reply = |l: &&str| matches(REPLY, l) || matches(NAMED_REPLY, l);
    stdout.lines().filter(reply).count()
}

/// The iputils release whose output sockcat's is, word for word.
const IPUTILS: &str = "20221126";

/// How the side-by-side tests hold sockcat to the installed `ping`: to its
/// very output when it is that iputils release, else (another release
/// words a few lines differently) to the line patterns both match. `None`
/// when there is no `ping` (the test skips, saying so).
fn installed_iputils() -> Option<Exact> {
    if !support::require("ping") {
        return None;
    }
    let version = support::run_command(Command::new("ping").arg("-V"), TIMEOUT).stdout_str();
    if version.contains(&format!("iputils {IPUTILS}")) {
        return Some(Exact(true));
    }
    let version = version.lines().next().unwrap_or("no version");
    eprintln!("ping is not iputils {IPUTILS} ({version}): comparing line patterns only");
    Some(Exact(false))
}

/// Whether outputs are compared line for line (else by pattern).
#[derive(Clone, Copy)]
struct Exact(bool);

/// `stdout` with what changes from run to run masked: round trips and
/// the elapsed time.
fn masked(stdout: &str) -> String {
    let mask = |line: &str, start: &str, end: &str| -> String {
        let Some(at) = line.find(start).map(|at| at + start.len()) else {
            return line.to_string();
        };
        match line[at..].find(end) {
            Some(len) => format!("{}T{}", &line[..at], &line[at + len..]),
            None => line.to_string(),
        }
    };
    let lines: Vec<String> = stdout
        .lines()
        .map(|line| {
            let line = mask(line, " time=", " ms");
            let line = mask(&line, ", time ", "ms");
            mask(&line, "rtt min/avg/max/mdev = ", " ms")
        })
        .collect();
    lines.join("\n")
}

/// Runs iputils ping and `sockcat ping` with `args`, each through `run`
/// (the program, then its arguments), and holds sockcat's output to
/// iputils', times masked.
#[track_caller]
fn side_by_side(exact: Exact, args: &[&str], run: &dyn Fn(&str, &[&str]) -> Output) {
    let real = run("ping", args);
    real.assert_success();
    let mut ours = vec!["ping"];
    ours.extend_from_slice(args);
    let out = run(support::bin(), &ours);
    out.assert_success();
    assert_iputils_lines(&out.stdout_str(), "sockcat");
    assert_iputils_lines(&real.stdout_str(), "iputils");
    if exact.0 {
        assert_eq!(
            masked(&out.stdout_str()),
            masked(&real.stdout_str()),
            "sockcat and iputils differ for ping {}:{out}{real}",
            args.join(" ")
        );
    }
}

fn run_here(program: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args);
    Proc::spawn_with(&mut cmd, Stdio::null()).wait(TIMEOUT)
}

fn has_ipv6_loopback() -> bool {
    std::fs::read_to_string("/proc/net/if_inet6")
        .is_ok_and(|t| t.lines().any(|l| l.starts_with(&"0".repeat(31))))
}

/// Runs a shell script inside a fresh network namespace (`unshare -n`),
/// where `$SOCKCAT` is the binary under test.
fn in_netns(script: &str) -> Output {
    let mut cmd = Command::new("unshare");
    cmd.args(["-n", "sh", "-c", script])
        .env("SOCKCAT", support::bin());
    Proc::spawn_with(&mut cmd, Stdio::null()).wait(TIMEOUT)
}

fn netns_ready() -> bool {
    support::require_root()
        && support::require("unshare")
        && support::require("ip")
        && support::require("sysctl")
}

fn run_ping(args: &[&str]) -> Output {
    let mut all = vec!["ping"];
    all.extend_from_slice(args);
    Sockcat::run(all, b"", TIMEOUT)
}

#[test]
fn ping_ipv4_loopback_like_iputils() {
    if !support::require_root() {
        return;
    }
    let out = run_ping(&["-c", "2", "-i", "20ms", "127.0.0.1"]);
    out.assert_success();
    let stdout = out.stdout_str();
    assert!(
        stdout.starts_with("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n"),
        "{out}"
    );
    assert_eq!(replies(&stdout), 2, "{out}");
    assert!(stdout.contains("\n--- 127.0.0.1 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time "));
    assert_iputils_lines(&stdout, "sockcat");
    if support::require("ping") {
        let mut cmd = Command::new("ping");
        cmd.args(["-c", "2", "-i", "0.2", "127.0.0.1"]);
        let real = Proc::spawn_with(&mut cmd, Stdio::null()).wait(TIMEOUT);
        real.assert_success();
        assert_eq!(replies(&real.stdout_str()), 2, "{real}");
        assert_iputils_lines(&real.stdout_str(), "iputils");
    }
}

#[test]
fn ping_ipv6_loopback_like_iputils() {
    if !support::require_root() {
        return;
    }
    if !has_ipv6_loopback() {
        support::skip("no IPv6 on loopback");
        return;
    }
    let out = run_ping(&["-c", "2", "-i", "20ms", "::1"]);
    out.assert_success();
    let stdout = out.stdout_str();
    assert!(stdout.starts_with("PING ::1(::1) 56 data bytes\n"), "{out}");
    assert_eq!(replies(&stdout), 2, "{out}");
    assert_iputils_lines(&stdout, "sockcat");
    if support::require("ping") {
        let mut cmd = Command::new("ping");
        cmd.args(["-6", "-c", "2", "-i", "0.2", "::1"]);
        let real = Proc::spawn_with(&mut cmd, Stdio::null()).wait(TIMEOUT);
        real.assert_success();
        assert_iputils_lines(&real.stdout_str(), "iputils");
    }
}

#[test]
fn ping_prints_what_iputils_prints() {
    if !support::require_root() {
        return;
    }
    let Some(exact) = installed_iputils() else {
        return;
    };
    let mut hosts = vec!["127.0.0.1", "127.1", "localhost"];
    if has_ipv6_loopback() {
        hosts.push("::1");
    } else {
        support::skip("no IPv6 on loopback for ::1");
    }
    for host in hosts {
        side_by_side(exact, &["-c", "2", "-i", "0.2", host], &run_here);
    }
    side_by_side(exact, &["-c", "1", "-s", "100", "127.0.0.1"], &run_here);
}

/// Names from an /etc/hosts of the test's own: ::1 is ip6-localhost (alias
/// ip6-loopback) and 127.0.0.1 is localhost, which v4alias also names, as
/// an alias of v4alias-canon.
const HOSTS: &str = "127.0.0.1 localhost\n::1 ip6-localhost ip6-loopback\n\
                     127.0.0.1 v4alias-canon v4alias\n";

#[test]
fn ping_by_name_prints_what_iputils_prints() {
    if !support::require_root() || !support::require("unshare") || !support::require("mount") {
        return;
    }
    let Some(exact) = installed_iputils() else {
        return;
    };
    let dir = TempDir::new();
    let hosts = dir.join("hosts");
    fs::write(&hosts, HOSTS).expect("write hosts");
    // The bind mount lives in a mount namespace of its own: the machine's
    // /etc/hosts is never touched.
    let with_hosts = |program: &str, args: &[&str]| {
        let mut cmd = Command::new("unshare");
        cmd.args([
            "-m",
            "sh",
            "-c",
            r#"mount --bind "$0" /etc/hosts && exec "$@""#,
        ])
        .arg(&hosts)
        .arg(program)
        .args(args);
        Proc::spawn_with(&mut cmd, Stdio::null()).wait(TIMEOUT)
    };
    let probe = with_hosts("true", &[]);
    if probe.code() != Some(0) {
        support::skip(&format!("cannot bind-mount /etc/hosts: {}", probe.stderr));
        return;
    }
    // IPv4: the canonical name heads the run, and replies are named by
    // their reverse lookup.
    side_by_side(exact, &["-c", "2", "-i", "0.2", "v4alias"], &with_hosts);
    side_by_side(exact, &["-c", "1", "localhost"], &with_hosts);
    let named = with_hosts(support::bin(), &["ping", "-c", "1", "v4alias"]);
    assert!(
        named
            .stdout_str()
            .starts_with("PING v4alias-canon (127.0.0.1) 56(84) bytes of data.\n64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl="),
        "{named}"
    );
    if has_ipv6_loopback() {
        // IPv6: the name as typed, and the target as its replies show it.
        side_by_side(
            exact,
            &["-c", "2", "-i", "0.2", "ip6-loopback"],
            &with_hosts,
        );
        side_by_side(exact, &["-6", "-c", "1", "ip6-localhost"], &with_hosts);
        side_by_side(exact, &["-q", "-c", "1", "ip6-loopback"], &with_hosts);
        let named = with_hosts(support::bin(), &["ping", "-c", "1", "ip6-loopback"]);
        assert!(
            named.stdout_str().starts_with(
                "PING ip6-loopback(ip6-localhost (::1)) 56 data bytes\n\
                 64 bytes from ip6-localhost (::1): icmp_seq=1 ttl="
            ),
            "{named}"
        );
    } else {
        support::skip("no IPv6 on loopback for the IPv6 names");
    }
}

/// An /etc/hosts whose names are not UTF-8 (Latin-1, as old files have
/// them): 127.0.0.1 is `rev\xff-name` to a reverse lookup (its first line)
/// and `caf\xe9-canon` is the canonical name of v4x; ::1 is `six\xfe-name`,
/// which v6x also names.
const LATIN1_HOSTS: &[u8] = b"127.0.0.1 rev\xff-name\n127.0.0.1 caf\xe9-canon v4x\n\
                              ::1 six\xfe-name v6x\n";

/// iputils prints such names as they are, bytes and all; sockcat prints
/// them in the same places with those bytes escaped (`\xe9`), as it
/// prints every name it did not make. Neither a canonical name nor a
/// reverse name that is not UTF-8 may stop the run.
#[test]
fn ping_names_that_are_not_utf8_are_printed_escaped() {
    let nsswitch = support::HOSTS_FILE_ONLY;
    let files = [
        ("/etc/hosts", LATIN1_HOSTS),
        (nsswitch.0, nsswitch.1.as_bytes()),
    ];
    let Some(ns) = support::Netns::new(&files) else {
        return;
    };
    // iputils' output with the bytes that are not ASCII escaped as
    // sockcat escapes them.
    let escaped = |out: &Output| -> String {
        out.stdout
            .iter()
            .map(|&b| match b {
                0x80.. => format!("\\x{b:02x}"),
                _ => char::from(b).to_string(),
            })
            .collect()
    };
    let exact = installed_iputils();
    let v6 = ns
        .run("cat", &["/proc/net/if_inet6"])
        .stdout_str()
        .lines()
        .any(|l| l.starts_with(&"0".repeat(31)));
    let mut rows = vec![(
        "v4x",
        "PING caf\\xe9-canon (127.0.0.1) 56(84) bytes of data.\n\
         64 bytes from rev\\xff-name (127.0.0.1): icmp_seq=1 ttl=",
        "--- caf\\xe9-canon ping statistics ---",
    )];
    if v6 {
        rows.push((
            "v6x",
            "PING v6x(six\\xfe-name (::1)) 56 data bytes\n\
             64 bytes from six\\xfe-name (::1): icmp_seq=1 ttl=",
            "--- v6x ping statistics ---",
        ));
    } else {
        support::skip("no IPv6 on the namespace's loopback for the IPv6 name");
    }
    for (host, head, summary) in rows {
        let out = ns.run(support::bin(), &["ping", "-c", "1", host]);
        out.assert_success();
        let text = out.stdout_str();
        assert!(text.is_ascii(), "{out}");
        assert!(text.starts_with(head), "{out}");
        assert!(text.contains(&format!("\n{summary}\n")), "{out}");
        assert_iputils_lines(&text, "sockcat");
        if let Some(Exact(true)) = exact {
            let real = ns.run("ping", &["-c", "1", host]);
            real.assert_success();
            assert_eq!(
                masked(&text),
                masked(&escaped(&real)),
                "sockcat and iputils (escaped) differ for ping {host}:{out}{real}"
            );
        }
    }
}

#[test]
fn ping_size_counts_the_headers() {
    if !support::require_root() {
        return;
    }
    let out = run_ping(&["-c", "1", "-s", "100", "127.0.0.1"]);
    out.assert_success();
    let stdout = out.stdout_str();
    assert!(
        stdout.contains("PING 127.0.0.1 (127.0.0.1) 100(128) bytes of data."),
        "{out}"
    );
    assert!(
        stdout.contains("\n108 bytes from 127.0.0.1: icmp_seq=1 ttl="),
        "{out}"
    );
}

#[test]
fn ping_json_lines_parse() {
    if !support::require_root() {
        return;
    }
    let out = run_ping(&["--json", "-c", "2", "-i", "20ms", "127.0.0.1"]);
    out.assert_success();
    let lines: Vec<serde_json::Value> = out
        .stdout_str()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}{out}")))
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    for (reply, seq) in lines[..2].iter().zip(1..) {
        assert_eq!(reply["type"], "reply", "{out}");
        assert_eq!(reply["icmp_seq"], seq, "{out}");
        assert_eq!(reply["bytes"], 64, "{out}");
        assert!(reply["time_ms"].as_f64().is_some_and(|t| t >= 0.0), "{out}");
    }
    let summary = &lines[2];
    assert_eq!(summary["type"], "summary", "{out}");
    assert_eq!(
        (
            summary["transmitted"].as_u64(),
            summary["received"].as_u64()
        ),
        (Some(2), Some(2)),
        "{out}"
    );
    assert_eq!(summary["loss_percent"], 0.0, "{out}");
    assert!(summary["rtt_avg_ms"].is_number(), "{out}");
}

#[test]
fn ping_quiet_prints_the_summary_only() {
    if !support::require_root() {
        return;
    }
    let out = run_ping(&["-q", "-c", "2", "-i", "20ms", "127.0.0.1"]);
    out.assert_success();
    let stdout = out.stdout_str();
    assert_eq!(replies(&stdout), 0, "{out}");
    assert!(
        stdout.contains("2 packets transmitted, 2 received"),
        "{out}"
    );
}

#[test]
fn ping_refuses_what_cannot_work() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["-c", "0", "127.0.0.1"],
            "sockcat: ping 127.0.0.1: -c 0: the count must be at least 1",
        ),
        (&["-t", "0", "127.0.0.1"], "the TTL must be 1 to 255"),
        (&["-s", "65508", "127.0.0.1"], "at most 65507 bytes"),
        (&["-4", "::1"], "sockcat: ping ::1: no IPv4 address"),
        (
            &["-6", "127.0.0.1"],
            "sockcat: ping 127.0.0.1: no IPv6 address",
        ),
        (
            &["-I", "nosuchif0", "127.0.0.1"],
            "sockcat: ping 127.0.0.1: -I nosuchif0: no such interface",
        ),
        (
            &["-I", "::1", "127.0.0.1"],
            "source ::1 is IPv6 but 127.0.0.1 is IPv4",
        ),
        (
            &["fe80::1"],
            "sockcat: ping fe80::1: a link-local address needs an interface",
        ),
        (&["-4", "-6", "::1"], "cannot be used with"),
    ];
    for (args, fragment) in cases {
        let out = run_ping(args);
        out.assert_code(2);
        assert!(out.stderr.contains(fragment), "expected {fragment:?}{out}");
        assert!(out.stdout.is_empty(), "{out}");
    }
}

/// A name the resolver says does not exist, and one it cannot look up
/// now (no name server answers), both looked up where no query can leave
/// the machine. Either is exit 2 for ping, as for iputils, which could not
/// start; the words say which.
#[test]
fn ping_unknown_host_and_a_resolver_that_cannot_answer_are_exit_2() {
    let rows = [
        (
            vec![support::HOSTS_FILE_ONLY],
            "unknown host",
            "Name or service not known",
        ),
        (
            support::NO_NAME_SERVER.to_vec(),
            "temporary failure in name resolution",
            "Temporary failure in name resolution",
        ),
    ];
    for (files, ours, theirs) in rows {
        let Some(ns) = support::Netns::new(&files) else {
            return;
        };
        let out = ns.run(support::bin(), &["ping", "-c", "1", "no-such-host.invalid"]);
        out.assert_code(2);
        assert_eq!(
            out.stderr.trim(),
            format!("sockcat: ping no-such-host.invalid: {ours}"),
            "{out}"
        );
        assert!(out.stdout.is_empty(), "{out}");
        if support::require("ping") {
            let real = ns.run("ping", &["-c", "1", "no-such-host.invalid"]);
            real.assert_code(2);
            assert!(real.stderr.ends_with(theirs), "{real}");
        }
    }
}

#[test]
fn ping_silence_is_total_loss_by_the_deadline() {
    if !netns_ready() {
        return;
    }
    let started = Instant::now();
    let out = in_netns(
        r#"ip link set lo up && sysctl -qw net.ipv4.icmp_echo_ignore_all=1 &&
           exec "$SOCKCAT" ping -c 2 -i 200ms -w 1s 127.0.0.1"#,
    );
    let took = started.elapsed();
    out.assert_code(1);
    let stdout = out.stdout_str();
    assert!(
        stdout.contains(" 0 received, 100% packet loss, time "),
        "{out}"
    );
    assert_eq!(replies(&stdout), 0, "{out}");
    assert_iputils_lines(&stdout, "sockcat");
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "took {took:?}{out}"
    );
}

/// With `-w`, ping wants `-c` replies by the deadline: fewer is exit 1
/// though some came back, as iputils has it; all of them end the run at
/// once, with 0.
#[test]
fn ping_fewer_replies_than_the_count_by_the_deadline_is_exit_1() {
    if !support::require_root() {
        return;
    }
    let started = Instant::now();
    let out = run_ping(&["-c", "5", "-i", "300ms", "-w", "700ms", "127.0.0.1"]);
    let took = started.elapsed();
    out.assert_code(1);
    let stdout = out.stdout_str();
    // Requests at 0, 300 and 600ms (a slow machine may miss the last).
    let got = replies(&stdout);
    assert!((2..=3).contains(&got), "{out}");
    assert!(
        stdout.contains(&format!(
            "\n{got} packets transmitted, {got} received, 0% packet loss, time "
        )),
        "{out}"
    );
    assert!(took >= Duration::from_millis(700), "took {took:?}{out}");
    assert_iputils_lines(&stdout, "sockcat");

    let started = Instant::now();
    let out = run_ping(&["-c", "2", "-i", "100ms", "-w", "10s", "127.0.0.1"]);
    out.assert_success();
    assert_eq!(replies(&out.stdout_str()), 2, "{out}");
    assert!(started.elapsed() < Duration::from_secs(5), "{out}");

    // iputils 20221126 takes whole seconds for -w.
    if support::require("ping") {
        for args in [
            ["-c", "5", "-i", "0.3", "-w", "1", "127.0.0.1"],
            ["-c", "2", "-i", "0.1", "-w", "10", "127.0.0.1"],
        ] {
            let real = run_here("ping", &args);
            let mut ours = vec!["ping"];
            ours.extend_from_slice(&args);
            let out = run_here(support::bin(), &ours);
            assert_eq!(out.code(), real.code(), "{}:{out}{real}", args.join(" "));
        }
    }
}

/// The setup for an unprivileged run: `nobody` with no groups and no
/// capabilities, inside a namespace whose ping_group_range is `range`.
fn as_nobody(range: &str, args: &str) -> Output {
    in_netns(&format!(
        r#"ip link set lo up && sysctl -qw net.ipv4.ping_group_range='{range}' &&
           exec setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKCAT" {args}"#
    ))
}

#[test]
fn ping_unprivileged_uses_the_datagram_socket() {
    if !netns_ready() || !support::require("setpriv") {
        return;
    }
    let out = as_nobody("0 2147483647", "ping -v -c 2 -i 20ms 127.0.0.1");
    out.assert_success();
    assert!(
        out.stderr
            .contains("ping 127.0.0.1: ICMP datagram socket, identifier "),
        "{out}"
    );
    assert_eq!(replies(&out.stdout_str()), 2, "{out}");
    assert_iputils_lines(&out.stdout_str(), "sockcat");
    // Without privilege, a flood is refused before anything is sent.
    let out = as_nobody("0 2147483647", "ping -c 2 -i 1ms 127.0.0.1");
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("-i 1ms: an interval below 2ms needs root or CAP_NET_RAW"),
        "{out}"
    );
    if has_ipv6_loopback() {
        let out = as_nobody("0 2147483647", "ping -v -c 2 -i 20ms ::1");
        out.assert_success();
        assert!(out.stderr.contains("ICMP datagram socket"), "{out}");
        assert_eq!(replies(&out.stdout_str()), 2, "{out}");
    } else {
        support::skip("no IPv6 on loopback for the ICMPv6 datagram socket");
    }
}

#[test]
fn ping_without_any_permission_says_how_to_get_it() {
    if !netns_ready() || !support::require("setpriv") {
        return;
    }
    let out = as_nobody("1 0", "ping -c 1 127.0.0.1");
    out.assert_code(2);
    assert_eq!(
        out.stderr.trim(),
        "sockcat: ping 127.0.0.1: no permission for ICMP sockets (run as root or with CAP_NET_RAW, \
         or admit your group in net.ipv4.ping_group_range)",
        "{out}"
    );
    let out = as_nobody("1 0", "ping --socket raw -c 1 127.0.0.1");
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("no permission for raw ICMP sockets (run as root or with CAP_NET_RAW)"),
        "{out}"
    );
}

/// A namespace with a veth pair whose far end has no address, so every
/// neighbour lookup fails fast and the kernel answers with "unreachable".
const UNANSWERED: &str = r#"ip link set lo up &&
    ip link add name va type veth peer name vb || exit 77
    ip addr add 10.9.0.1/24 dev va && ip -6 addr add fd00:9::1/64 dev va nodad &&
    ip link set va up && ip link set vb up &&
    sysctl -qw net.ipv4.neigh.va.retrans_time_ms=100 net.ipv4.neigh.va.mcast_solicit=1 \
        net.ipv4.neigh.va.app_solicit=0 net.ipv6.neigh.va.retrans_time_ms=100 \
        net.ipv6.neigh.va.mcast_solicit=1 net.ipv6.neigh.va.app_solicit=0 \
        net.ipv4.ping_group_range='0 2147483647' || exit 1
"#;

#[test]
fn ping_reports_unreachable_like_iputils() {
    if !netns_ready() || !support::require("setpriv") {
        return;
    }
    let nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";
    let cases = [
        (
            "",
            "10.9.0.2",
            "From 10.9.0.1 icmp_seq=1 Destination Host Unreachable",
        ),
        (
            nobody,
            "10.9.0.2",
            "From 10.9.0.1 icmp_seq=1 Destination Host Unreachable",
        ),
        (
            "",
            "fd00:9::2",
            "From fd00:9::1 icmp_seq=1 Destination unreachable: Address unreachable",
        ),
        (
            nobody,
            "fd00:9::2",
            "From fd00:9::1 icmp_seq=1 Destination unreachable: Address unreachable",
        ),
    ];
    for (prefix, target, line) in cases {
        let out = in_netns(&format!(
            r#"{UNANSWERED} exec {prefix} "$SOCKCAT" ping -c 2 -i 200ms -w 5s {target}"#
        ));
        if out.code() == Some(77) {
            support::skip("no veth support");
            return;
        }
        out.assert_code(1);
        let stdout = out.stdout_str();
        assert!(stdout.lines().any(|l| l == line), "expected {line:?}{out}");
        // With a deadline, as in iputils, the first error ends the run.
        assert!(
            stdout.contains(" 0 received, +1 errors, 100% packet loss"),
            "{out}"
        );
        assert_iputils_lines(&stdout, "sockcat");
    }
    if support::require("ping") {
        let real = in_netns(&format!("{UNANSWERED} exec ping -c 2 -i 0.2 -w 5 10.9.0.2"));
        real.assert_code(1);
        assert!(
            real.stdout_str()
                .contains("From 10.9.0.1 icmp_seq=1 Destination Host Unreachable"),
            "{real}"
        );
        assert_iputils_lines(&real.stdout_str(), "iputils");
    }
}

/// A running ping whose stdout is read line by line, so that the test can
/// act on a reply as soon as it is printed.
struct Live {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Live {
    fn spawn(args: &[&str]) -> Live {
        let mut child = Command::new(support::bin())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sockcat");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Live {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    fn wait_for_line(&mut self, pattern: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.seen.last().is_some_and(|l| matches(pattern, l)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no line like {pattern:?}; saw {:?}", self.seen),
            }
        }
    }

    fn signal(&self, signal: Signal) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, signal).expect("kill");
    }

    /// Everything printed until stdout closed, and the exit code.
    fn finish(mut self) -> (String, Option<i32>) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("still running; saw {:?}", self.seen)
                }
            }
        }
        let status = self.child.wait().expect("wait");
        (self.seen.join("\n"), status.code())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn ping_interrupted_prints_the_summary() {
    if !support::require_root() {
        return;
    }
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let mut live = Live::spawn(&["ping", "-i", "20ms", "127.0.0.1"]);
        live.wait_for_line(REPLY);
        live.signal(signal);
        let (stdout, code) = live.finish();
        assert_eq!(code, Some(0), "{signal}: {stdout}");
        assert!(
            stdout.contains("\n--- 127.0.0.1 ping statistics ---\n"),
            "{signal}: {stdout}"
        );
        assert!(
            stdout
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("rtt min/avg/max/mdev = ")),
            "{signal}: {stdout}"
        );
        assert_iputils_lines(&stdout, "sockcat");
    }
}

#[test]
fn pattern_matcher_knows_iputils_lines() {
    assert!(matches(
        REPLY,
        "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms"
    ));
    assert!(matches(
        REPLY,
        "64 bytes from ::1: icmp_seq=12 ttl=64 time=12 ms"
    ));
    assert!(!matches(
        REPLY,
        "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms (DUP!)"
    ));
    assert!(!matches(
        REPLY,
        "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=. ms"
    ));
    assert!(matches(LINES[1], "PING ::1(::1) 56 data bytes"));
    assert!(matches(LINES[1], "PING ::1 (::1) 56 data bytes"));
    assert!(matches(
        LINES[9],
        "PING ip6-loopback(ip6-localhost (::1)) 56 data bytes"
    ));
    assert!(matches(
        NAMED_REPLY,
        "64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=1.23 ms"
    ));
    assert_eq!(
        masked(
            "64 bytes from ::1: icmp_seq=1 ttl=64 time=0.045 ms\n\
                1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\
                rtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms"
        ),
        "64 bytes from ::1: icmp_seq=1 ttl=64 time=T ms\n\
         1 packets transmitted, 1 received, 0% packet loss, time Tms\n\
         rtt min/avg/max/mdev = T ms"
    );
    assert!(matches(
        LINES[6],
        "3 packets transmitted, 2 received, 33.3333% packet loss, time 2003ms"
    ));
}
