//! The generated docs. The man pages and completion scripts committed under
//! `man/` and `completions/` are snapshots of what the binary generates now;
//! `SOCKCAT_BLESS=1 cargo test docs` rewrites them. The pages must pass
//! groff's warnings and name every flag; the shells must accept the scripts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use sockcat::cli::Cli;

use crate::support::{Sockcat, TIMEOUT, TempDir, require, run_command};

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
        let out = run_command(
            Command::new("groff")
                .args(["-man", "-ww", "-z"])
                .arg(dir.path().join("man").join(name)),
            TIMEOUT,
        );
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "groff on {name}:{out}"
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
        let out = run_command(Command::new(shell).arg("-n").arg(path(script)), TIMEOUT);
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{shell} -n {script}:{out}"
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
    let out = run_command(
        Command::new("bash")
            .args(["--norc", "--noprofile", "-c", BASH_COMPLETE, "bash"])
            .arg(script)
            .arg(line),
        TIMEOUT,
    );
    assert!(out.status.success(), "bash completion of {line:?}:{out}");
    let mut words: Vec<String> = out
        .stdout_str()
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
        let out = run_command(
            Command::new("fish")
                .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
                .arg(&script)
                .arg(line),
            TIMEOUT,
        );
        let stdout = out.stdout_str();
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

/// The prose must not teach a flag the binary rejects, since it is written
/// by hand and can run ahead of `cli.rs`. On every page:
///
/// - a `sockcat` command in an example (an `.EX` block or a `.B` line, as in
///   the nc and socat table) must parse as written;
/// - any other bold `sockcat VERB ...`, or `VERB -f` as in `listen -w`, may
///   name only flags of that verb;
/// - a bold flag on its own, as in `\fB-q\fR \fIDUR\fR`, must be one of the
///   page's verb (on sockcat(1): of sockcat itself or of any verb).
///
/// Bold text that starts with another program (`nc -l`, `logger -u`), and a
/// flag right after a possessive (`nc's \fB-N\fR`), belong to other tools.
#[test]
fn pages_teach_only_flags_the_binary_accepts() {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut problems = Vec::new();
    let verbs = root.get_subcommands().map(|sub| Some(sub.get_name()));
    for verb in std::iter::once(None).chain(verbs) {
        let (name, context) = match verb {
            None => ("sockcat.1".to_owned(), Flags::any(&root)),
            Some(verb) => (
                format!("sockcat-{verb}.1"),
                Flags(vec![root.find_subcommand(verb).expect("verb")]),
            ),
        };
        let page = sockcat::docs::man_page(verb).expect("render page");
        let page = String::from_utf8(page).expect("pages are ASCII");
        for problem in check_page(&root, &context, &page) {
            problems.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        problems.is_empty(),
        "the pages name flags the binary rejects:\n{}",
        problems.join("\n")
    );
}

/// What a page's `.EX` blocks, `.B` lines, bold arguments of `.BR` and
/// its kin, and `\fB` spans ask of the parser.
fn check_page(root: &clap::Command, context: &Flags, page: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut in_example = false;
    for (number, line) in (1..).zip(page.lines()) {
        let before = problems.len();
        match line {
            ".EX" => in_example = true,
            ".EE" => in_example = false,
            // Example output (`--- 127.0.0.1 ping statistics ---`) is not
            // checked: only the sockcat commands in it.
            _ if in_example => {
                for words in shell_commands(&plain(line)) {
                    problems.extend(parses(&words));
                }
            }
            _ => {
                if let Some(text) = line.strip_prefix(".B ") {
                    for words in shell_commands(&plain(text)) {
                        match sockcat_words(&words) {
                            Some(_) => problems.extend(parses(&words)),
                            None => problems.extend(names_flags(root, context, &words)),
                        }
                    }
                } else if let Some((first, args)) = alternating_fonts(line) {
                    for span in roff_args(args).iter().skip(first).step_by(2) {
                        for words in shell_commands(span) {
                            problems.extend(names_flags(root, context, &words));
                        }
                    }
                } else if !line.starts_with('.') {
                    for (before, span) in bold_spans(line) {
                        if before.trim_end().ends_with("'s") {
                            continue;
                        }
                        for words in shell_commands(&span) {
                            problems.extend(names_flags(root, context, &words));
                        }
                    }
                }
            }
        }
        for problem in &mut problems[before..] {
            *problem = format!("line {number}: {problem}");
        }
    }
    problems
}

/// For `.BR` and its kin, which of the arguments is the first bold one, and
/// the arguments.
fn alternating_fonts(line: &str) -> Option<(usize, &str)> {
    [(".BR ", 0), (".BI ", 0), (".RB ", 1), (".IB ", 1)]
        .iter()
        .find_map(|(macro_, first)| Some((*first, line.strip_prefix(macro_)?)))
}

/// A macro's arguments: split at spaces, `"` quoting, escapes undone.
fn roff_args(args: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in plain(args).chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.get_or_insert_default();
            }
            ' ' if !quoted => words.extend(word.take()),
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    words
}

/// A whole `sockcat` command line must parse, as a reader would type it.
fn parses(words: &[String]) -> Option<String> {
    let words = sockcat_words(words)?;
    let err = Cli::command().try_get_matches_from(words).err()?;
    match err.kind() {
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => None,
        _ => Some(format!(
            "`{}`: {}",
            words.join(" "),
            err.to_string().lines().next().unwrap_or_default()
        )),
    }
}

/// The flags of a bold fragment: of sockcat and its verb for `sockcat ...`,
/// of the verb for `VERB -f ...`, of the page for a fragment that starts
/// with a flag; anything else is another program's.
fn names_flags(root: &clap::Command, context: &Flags, words: &[String]) -> Vec<String> {
    if let Some(words) = sockcat_words(words) {
        let rest = &words[1..];
        let Some(at) = rest.iter().position(|w| !is_flag(w)) else {
            return Flags(vec![root]).unknown(words, rest);
        };
        let mut problems = Flags(vec![root]).unknown(words, &rest[..at]);
        let flags = match rest[at].as_str() {
            // `sockcat ... | head`: any verb.
            "..." => Flags::any(root),
            verb => match root.find_subcommand(verb) {
                Some(sub) => Flags(vec![sub]),
                None => {
                    problems.push(format!("`{}`: no verb {verb}", words.join(" ")));
                    return problems;
                }
            },
        };
        problems.extend(flags.unknown(words, &rest[at + 1..]));
        return problems;
    }
    match words {
        [first, ..] if is_flag(first) => context.unknown(words, words),
        [verb, second, ..] if is_flag(second) => match root.find_subcommand(verb) {
            Some(sub) => Flags(vec![sub]).unknown(words, &words[1..]),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The words from `sockcat` on, if this command runs sockcat.
fn sockcat_words(words: &[String]) -> Option<&[String]> {
    let start = words.iter().position(|w| w != "sudo")?;
    (words[start] == "sockcat").then(|| &words[start..])
}

fn is_flag(word: &str) -> bool {
    let name = word.strip_prefix("--").or_else(|| word.strip_prefix('-'));
    name.and_then(|name| name.chars().next())
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The commands whose flags a fragment may use: one verb, or (on sockcat(1),
/// which speaks of every verb) sockcat itself and all of them.
struct Flags<'a>(Vec<&'a clap::Command>);

impl<'a> Flags<'a> {
    fn any(root: &'a clap::Command) -> Self {
        Flags(
            std::iter::once(root)
                .chain(root.get_subcommands())
                .collect(),
        )
    }

    /// Whether some command has this flag, and if so whether it takes a value.
    fn find(&self, flag: &str) -> Option<bool> {
        let is_it = |arg: &&clap::Arg| match flag.strip_prefix("--") {
            Some(long) => {
                arg.get_long() == Some(long)
                    || arg.get_all_aliases().is_some_and(|all| all.contains(&long))
            }
            None => {
                let short = flag.chars().nth(1);
                arg.get_short() == short
                    || arg
                        .get_all_short_aliases()
                        .is_some_and(|all| short.is_some_and(|c| all.contains(&c)))
            }
        };
        let mut args = self.0.iter().flat_map(|cmd| cmd.get_arguments());
        args.find(is_it).map(|arg| arg.get_action().takes_values())
    }

    /// The flags among `words`, part of `fragment`, that no command of these
    /// has. A value that follows a flag is skipped; `-uv` is `-u -v`.
    fn unknown(&self, fragment: &[String], words: &[String]) -> Vec<String> {
        let mut unknown = Vec::new();
        let mut words = words.iter();
        while let Some(word) = words.next() {
            if word == "--" {
                break;
            }
            if !is_flag(word) {
                continue;
            }
            let flags: Vec<String> = match word.strip_prefix("--") {
                Some(long) => vec![format!("--{}", long.split('=').next().unwrap_or(long))],
                None => word[1..].chars().map(|c| format!("-{c}")).collect(),
            };
            for (i, flag) in flags.iter().enumerate() {
                match self.find(flag) {
                    None => {
                        unknown.push(format!("`{}`: no flag {flag}", fragment.join(" ")));
                        break;
                    }
                    // The value is the rest of the word or the next word.
                    Some(true) => {
                        if i + 1 == flags.len() && !word.contains('=') {
                            words.next();
                        }
                        break;
                    }
                    Some(false) => {}
                }
            }
        }
        unknown
    }
}

/// A roff line as the reader sees it: font changes dropped, escapes undone.
fn plain(roff: &str) -> String {
    ["\\fB", "\\fI", "\\fR", "\\fP", "\\&"]
        .iter()
        .fold(roff.to_owned(), |text, escape| text.replace(escape, ""))
        .replace("\\-", "-")
        .replace("\\*(Aq", "'")
        .replace("\\(aq", "'")
        .replace("\\e", "\\")
}

/// Each bold run of a text line (through italics, to the next `\fR`), with
/// the plain text before it.
fn bold_spans(line: &str) -> Vec<(String, String)> {
    let mut spans = Vec::new();
    let mut rest = line;
    let mut before = String::new();
    while let Some(start) = rest.find("\\fB") {
        before.push_str(&rest[..start]);
        let run = &rest[start + 3..];
        let end = ["\\fR", "\\fP"]
            .iter()
            .filter_map(|close| run.find(close))
            .min()
            .unwrap_or(run.len());
        spans.push((plain(&before), plain(&run[..end])));
        before.push_str(&run[..end]);
        rest = run.get(end + 3..).unwrap_or_default();
    }
    spans
}

/// The simple commands of a shell line, as words, quotes removed:
/// `echo 'a|b' | sockcat connect -u x:1 > out` is `echo a|b` and
/// `sockcat connect -u x:1`. A redirection drops its target; `#` ends the line.
fn shell_commands(line: &str) -> Vec<Vec<String>> {
    let mut words = ShellWords::default();
    let mut quote = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => chars.next().into_iter().for_each(|c| words.push(c)),
            (Some(_), c) => words.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                words.word.get_or_insert_default();
            }
            (None, '\\') => chars.next().into_iter().for_each(|c| words.push(c)),
            (None, '#') if words.word.is_none() => break,
            (None, c) if c.is_whitespace() => words.finish_word(),
            (None, '|' | '&' | ';' | '(' | ')') => words.finish_command(),
            (None, '<' | '>') => {
                words.finish_word();
                words.redirect = true;
            }
            (None, c) => words.push(c),
        }
    }
    words.finish_command();
    words.commands
}

#[derive(Default)]
struct ShellWords {
    commands: Vec<Vec<String>>,
    current: Vec<String>,
    word: Option<String>,
    /// The next word is a redirection's target.
    redirect: bool,
}

impl ShellWords {
    fn push(&mut self, c: char) {
        self.word.get_or_insert_default().push(c);
    }

    fn finish_word(&mut self) {
        if let Some(word) = self.word.take()
            && !std::mem::take(&mut self.redirect)
        {
            self.current.push(word);
        }
    }

    fn finish_command(&mut self) {
        self.finish_word();
        if !self.current.is_empty() {
            self.commands.push(std::mem::take(&mut self.current));
        }
    }
}

#[test]
fn shell_commands_split_like_a_shell() {
    let words = |line| shell_commands(line);
    assert_eq!(
        words("echo 'hits:1|c' | sockcat connect -u 127.0.0.1:8125"),
        [
            vec!["echo", "hits:1|c"],
            vec!["sockcat", "connect", "-u", "127.0.0.1:8125"]
        ]
    );
    assert_eq!(
        words("sockcat completions zsh > ~/.zfunc/_sockcat && echo ok # done"),
        [vec!["sockcat", "completions", "zsh"], vec!["echo", "ok"]]
    );
    assert_eq!(
        words(r#"sockcat send -n x:1 "say \"hi\"" &"#),
        [vec!["sockcat", "send", "-n", "x:1", r#"say "hi""#]]
    );
}

#[test]
fn the_flag_check_sees_what_a_reader_sees() {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let listen = Flags(vec![root.find_subcommand("listen").expect("listen")]);
    let page = [
        r"\fB-w\fR \fIDUR\fR, \fB--backlog\fR and \fB-K\fR/\fB--keep-forever\fR",
        r"nc's \fB-N\fR, \fBlogger -u\fR, \fBsend -z\fR, \fBsockcat ... | head\fR",
        r"\fBecho x | sockcat -v connect -Zq 1s \fIADDR\fR, \fBsockcat lisen\fR",
        ".B nc -lk 8080",
        ".BR nc (1),",
        r#".BR -K " or " --deframe"#,
        ".B sockcat listen -K 8080",
        ".EX",
        "--- not a flag ---",
        "printf 'a|b' | sudo sockcat listen -w 5x 8080 | jq .",
        ".EE",
    ]
    .join("\n")
    .replace('-', "\\-");
    let problems = check_page(&root, &listen, &page);
    let expected = [
        "line 1: `-K`: no flag -K",
        "line 1: `--keep-forever`: no flag --keep-forever",
        "line 2: `send -z`: no flag -z",
        "line 3: `sockcat -v connect -Zq 1s ADDR`: no flag -Z",
        "line 3: `sockcat lisen`: no verb lisen",
        "line 6: `-K`: no flag -K",
        "line 6: `--deframe`: no flag --deframe",
        "line 7: `sockcat listen -K 8080`: error: unexpected argument '-K' found",
        "line 10: `sockcat listen -w 5x 8080`: error: invalid value '5x' for \
         '--timeout <DUR>': not a duration (expected seconds, as in 5 or 0.5, \
         or a number with a unit: 500ms, 2s, 1m)",
    ];
    assert_eq!(problems, expected);
}
