//! nc's command lines, answered with their sockcat form. Habit types
//! `sockcat connect localhost 80` and `sockcat listen -l -p 8080`, and clap
//! can only say "unexpected argument". `hint` reads the words clap refused,
//! knowing from the same definition which flags take a value, and when they
//! have nc's shape (HOST PORT as two words; `-l`, `-p PORT`, `-n`) returns
//! the command line as sockcat wants it; `with_hint` makes that clap's tip.
//! Pure functions of the argv: nothing here opens or resolves anything.

use std::borrow::Cow;
use std::ffi::OsString;
use std::net::Ipv6Addr;

use clap::CommandFactory;
use clap::error::{ContextKind, ContextValue};

use super::Cli;

/// clap's error for `args`, with the sockcat form of the command line as
/// its tip when `args` was written the nc way; clap's own tip (`to pass
/// '-p' as a value, use '-- -p'`) would only mislead then.
pub fn with_hint(mut err: clap::Error, args: &[OsString]) -> clap::Error {
    if !err.use_stderr() {
        return err;
    }
    if let Some(hint) = hint(args) {
        err.remove(ContextKind::SuggestedArg);
        err.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![hint.into()]),
        );
    }
    err
}

/// The sockcat form of `args` (the whole argv) when it has nc's shape:
/// `connect localhost 80` gives "write it as localhost:80 (sockcat connect
/// localhost:80)", `listen -l -p 8080` gives "write it as sockcat listen
/// 8080 (…)". Other flags are kept as typed, quoted for the shell.
pub fn hint(args: &[OsString]) -> Option<String> {
    let words: Vec<&str> = args
        .iter()
        .skip(1)
        .map(|arg| arg.to_str())
        .collect::<Option<_>>()?;
    let mut root = Cli::command();
    root.build();
    // Global flags may come before the verb; `--events` takes a value.
    let mut at = 0;
    while let Some(word) = words.get(at).filter(|w| w.starts_with('-')) {
        at += if *word == "--events" { 2 } else { 1 };
    }
    let verb = *words.get(at)?;
    if verb != "connect" && verb != "listen" {
        return None;
    }
    let cmd = root.find_subcommand(verb)?;
    let line = Line::read(cmd, &words[at + 1..], verb == "listen");
    let addr = if verb == "connect" {
        match line.positionals[..] {
            [host, port] if is_port(port) && !has_port(host) => join(host, port),
            _ => return None,
        }
    } else {
        match (line.port, &line.positionals[..]) {
            (Some(port), []) => port.to_string(),
            (Some(port), [host]) if !host.bytes().all(|b| b.is_ascii_digit()) => join(host, port),
            (None, [host, port]) if is_port(port) && !has_port(host) => join(host, port),
            (None, [addr]) if line.dropped => addr.to_string(),
            _ => return None,
        }
    };
    let command: Vec<String> = std::iter::once("sockcat")
        .chain(words[..=at].iter().copied())
        .chain(line.kept.iter().map(|w| w.as_ref()))
        .chain([addr.as_str()])
        .chain(line.rest.iter().copied())
        .map(|w| shell_word(w).into_owned())
        .collect();
    let command = command.join(" ");
    Some(if verb == "connect" {
        format!("write it as {addr} ({command})")
    } else {
        format!("write it as {command} (listen is nc's -l, and takes one address)")
    })
}

/// The words after the verb, sorted into what nc meant.
#[derive(Default)]
struct Line<'a> {
    /// Flags sockcat knows, with their values, as typed (a cluster of short
    /// flags keeps its form, less nc's letters).
    kept: Vec<Cow<'a, str>>,
    positionals: Vec<&'a str>,
    /// nc's `-p PORT` on a listener.
    port: Option<&'a str>,
    /// nc's `-l` or `-n` was dropped.
    dropped: bool,
    /// `-e PROG ARGS…` and everything after it, which belongs to PROG.
    rest: &'a [&'a str],
}

impl<'a> Line<'a> {
    fn read(cmd: &clap::Command, words: &'a [&'a str], listen: bool) -> Line<'a> {
        let mut line = Line::default();
        let takes_value = |arg: &clap::Arg| arg.get_action().takes_values();
        let mut at = 0;
        while let Some(&word) = words.get(at) {
            at += 1;
            if word == "--" {
                line.positionals.extend(&words[at..]);
                break;
            }
            if let Some(long) = word.strip_prefix("--") {
                let (name, inline) = long
                    .split_once('=')
                    .map_or((long, false), |(n, _)| (n, true));
                let arg = cmd.get_arguments().find(|a| a.get_long() == Some(name));
                if arg.is_some_and(|a| a.get_id() == "exec") {
                    line.rest = &words[at - 1..];
                    break;
                }
                line.kept.push(word.into());
                if !inline && arg.is_some_and(takes_value) {
                    line.kept.extend(words.get(at).map(|&w| Cow::Borrowed(w)));
                    at += 1;
                }
                continue;
            }
            let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) else {
                line.positionals.push(word);
                continue;
            };
            if shorts.starts_with('e') && listen {
                line.rest = &words[at - 1..];
                break;
            }
            let mut cluster = String::from("-");
            let mut value = None;
            for (i, c) in shorts.char_indices() {
                let after = &shorts[i + c.len_utf8()..];
                let inline = (!after.is_empty()).then_some(after);
                if c == 'n' || (listen && c == 'l') {
                    line.dropped = true;
                    continue;
                }
                if listen && c == 'p' {
                    line.dropped = true;
                    line.port = inline.or_else(|| {
                        at += 1;
                        words.get(at - 1).copied()
                    });
                    break;
                }
                cluster.push(c);
                let arg = cmd.get_arguments().find(|a| a.get_short() == Some(c));
                if arg.is_some_and(takes_value) {
                    match inline {
                        Some(inline) => cluster.push_str(inline),
                        None => {
                            value = words.get(at).copied();
                            at += 1;
                        }
                    }
                    break;
                }
            }
            if cluster.len() > 1 {
                line.kept.push(cluster.into());
            }
            line.kept.extend(value.map(Cow::Borrowed));
        }
        line
    }
}

/// HOST and PORT as one address; an IPv6 literal gets its brackets.
fn join(host: &str, port: &str) -> String {
    let bare = host.split('%').next().unwrap_or(host);
    if bare.parse::<Ipv6Addr>().is_ok() {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Whether HOST already ends in a port (`host:80`, `[::1]:80`), so that a
/// second word cannot be its port.
fn has_port(host: &str) -> bool {
    let bare = host.split('%').next().unwrap_or(host);
    bare.parse::<Ipv6Addr>().is_err()
        && host
            .rsplit_once(':')
            .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
}

/// A port as nc takes it: a number, a list or range of them (`-z`), or a
/// service name.
fn is_port(text: &str) -> bool {
    let numeric = text.starts_with(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '-');
    let service = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    numeric || service
}

/// `word` as a shell reads it back: quoted when it has to be.
fn shell_word(word: &str) -> Cow<'_, str> {
    // Not `[`, `]` or `*`: a shell would try them as a glob.
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint_for(line: &str) -> Option<String> {
        let args: Vec<OsString> = std::iter::once("sockcat")
            .chain(line.split(' '))
            .map(OsString::from)
            .collect();
        hint(&args)
    }

    #[test]
    fn host_port_becomes_one_address() {
        for (line, hint) in [
            (
                "connect localhost 80",
                "write it as localhost:80 (sockcat connect localhost:80)",
            ),
            (
                "connect -u host 53",
                "write it as host:53 (sockcat connect -u host:53)",
            ),
            (
                "-v connect -w 5 -u host 53",
                "write it as host:53 (sockcat -v connect -w 5 -u host:53)",
            ),
            (
                "connect -z host 20-30",
                "write it as host:20-30 (sockcat connect -z host:20-30)",
            ),
            (
                "connect -nv 10.0.0.1 80",
                "write it as 10.0.0.1:80 (sockcat connect -v 10.0.0.1:80)",
            ),
            (
                "connect ::1 80",
                "write it as [::1]:80 (sockcat connect '[::1]:80')",
            ),
            (
                "connect -p 5000 host http",
                "write it as host:http (sockcat connect -p 5000 host:http)",
            ),
            (
                "connect tcp:host 80",
                "write it as tcp:host:80 (sockcat connect tcp:host:80)",
            ),
            (
                "connect -w5 --events json host 80",
                "write it as host:80 (sockcat connect -w5 --events json host:80)",
            ),
        ] {
            assert_eq!(hint_for(line).as_deref(), Some(hint), "{line}");
        }
    }

    #[test]
    fn nc_listen_flags_become_the_verb_and_its_address() {
        let tail = " (listen is nc's -l, and takes one address)";
        for (line, command) in [
            ("listen -l -p 8080", "sockcat listen 8080"),
            ("listen -p 8080", "sockcat listen 8080"),
            ("listen -lp 8080", "sockcat listen 8080"),
            ("listen -lp8080", "sockcat listen 8080"),
            ("listen -l 8080", "sockcat listen 8080"),
            ("listen -lvnp 4444", "sockcat listen -v 4444"),
            ("listen -u -l -p 53", "sockcat listen -u 53"),
            ("listen -lk 8080", "sockcat listen -k 8080"),
            ("listen -l 127.0.0.1 8080", "sockcat listen 127.0.0.1:8080"),
            ("listen -l -p 8080 -m 4 -k", "sockcat listen -m 4 -k 8080"),
            (
                "listen -w 5 -l -p 80 -c echo",
                "sockcat listen -w 5 -c echo 80",
            ),
            (
                "listen -l -p 8080 -e /bin/cat -l",
                "sockcat listen 8080 -e /bin/cat -l",
            ),
            ("listen -l unix:/tmp/x", "sockcat listen unix:/tmp/x"),
        ] {
            assert_eq!(
                hint_for(line),
                Some(format!("write it as {command}{tail}")),
                "{line}"
            );
        }
    }

    #[test]
    fn words_are_quoted_for_the_shell() {
        let args: Vec<OsString> = ["sockcat", "listen", "-c", "echo hi", "-lp", "80"]
            .into_iter()
            .map(OsString::from)
            .collect();
        let hint = hint(&args).expect("hint");
        assert!(
            hint.contains(r"write it as sockcat listen -c 'echo hi' 80 ("),
            "{hint}"
        );
    }

    #[test]
    fn other_mistakes_get_no_hint() {
        for line in [
            "connect localhost",
            "connect localhost:80",
            "connect a b c",
            "connect host 80/tcp",
            "connect host:1 80",
            "connect [::1]:1 80",
            "listen -l host:1 80",
            "listen 8080",
            "listen -k",
            "listen -l",
            "listen -x 8080 9090 1",
            "listen -p 8080 9090",
            "send host 80",
            "ping host 80",
            "conect host 80",
            "",
        ] {
            assert_eq!(hint_for(line), None, "{line}");
        }
    }

    #[test]
    fn ports_are_numbers_lists_ranges_or_names() {
        for port in ["80", "20-30", "22,80,8000-8010", "http", "x11-ssh"] {
            assert!(is_port(port), "{port}");
        }
        for port in ["", "-1", ":80", "80/tcp", "h:80", "/x"] {
            assert!(!is_port(port), "{port}");
        }
    }

    proptest::proptest! {
        #[test]
        fn hint_never_panics(words in proptest::collection::vec("[-a-z0-9:=@/.\\[\\] ]{0,8}", 0..8)) {
            let args: Vec<OsString> = std::iter::once("sockcat".to_string())
                .chain(words)
                .map(OsString::from)
                .collect();
            let _ = hint(&args);
        }

        #[test]
        fn hint_never_panics_after_a_verb(
            verb in "(connect|listen)",
            words in proptest::collection::vec("-?-?[a-z0-9=]{0,6}", 0..8),
        ) {
            let args: Vec<OsString> = ["sockcat".to_string(), verb]
                .into_iter()
                .chain(words)
                .map(OsString::from)
                .collect();
            let _ = hint(&args);
        }
    }
}
