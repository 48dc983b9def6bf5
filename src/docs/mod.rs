//! Man pages and shell completions, both generated from `Cli::command()`, the
//! definition the parser uses, so neither can list a flag the binary lacks.
//! clap_mangen renders NAME, SYNOPSIS, DESCRIPTION, the verb list and OPTIONS;
//! the prose clap cannot know (addresses, exit status, examples, the nc and
//! socat table) is roff in `text`, placed after them. Nothing reads the clock,
//! so the same code always gives the same bytes: the files committed under
//! `man/` and `completions/` are snapshots, checked by tests/integration/docs.rs.

mod text;

use std::io::{self, Write};
use std::path::Path;

use anyhow::Result;
use clap::{CommandFactory, ValueEnum};
use clap_complete::{Generator, Shell};
use clap_mangen::Man;
use nix::errno::Errno;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::{Failure, quote};
use crate::usage;

const BIN: &str = "sockcat";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A date would need the clock. roff drops an empty `.TH` argument, which
/// would move the source into the date's place, so the slot holds `""`.
const NO_DATE: &str = "\"\"";

/// The roff crate starts every section it renders with this; a page needs it once.
const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

/// `sockcat(1)`, or `sockcat-VERB(1)` for a verb. An unknown verb is a usage
/// error that names the verbs.
pub fn man_page(verb: Option<&str>) -> Result<Vec<u8>> {
    let root = man_command();
    let Some(name) = verb else {
        return render(
            Man::new(root.clone()).source(source()).date(NO_DATE),
            true,
            text::prose(None).unwrap_or_default(),
        );
    };
    let Some(sub) = root.find_subcommand(name) else {
        let verbs = verbs(&root).collect::<Vec<_>>().join(", ");
        return Err(usage!(
            "no man page for verb {}; the verbs are {verbs}",
            quote(name.as_bytes())
        ));
    };
    let name = sub.get_name();
    let man = Man::new(sub.clone())
        .title(format!("{BIN}-{name}"))
        .source(source())
        .date(NO_DATE);
    render(man, false, text::prose(Some(name)).unwrap_or_default())
}

/// The `.TH` source: the crate version alone. `--version` also names the
/// commit, which would change the committed pages on every commit.
fn source() -> String {
    format!("{BIN} {VERSION}")
}

/// The completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut script);
    if shell == Shell::Fish {
        script.extend_from_slice(fish_positional_values(&cmd).as_bytes());
    }
    script
}

/// clap_complete's fish script completes no positional argument (a limit it
/// documents), so the values of one, such as the shell of `completions`, are
/// added here from the same definition.
fn fish_positional_values(cmd: &clap::Command) -> String {
    let mut lines = String::new();
    for sub in cmd.get_subcommands() {
        for arg in sub.get_positionals() {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|value| !value.is_hide_set())
                .map(|value| value.get_name().to_owned())
                .collect();
            if !values.is_empty() {
                let (verb, values) = (sub.get_name(), values.join(" "));
                lines += &format!(
                    "complete -c {BIN} -n \"__fish_seen_subcommand_from {verb}\" -f -a \"{values}\"\n"
                );
            }
        }
    }
    lines
}

/// `sockcat man [VERB]` and `sockcat man --dir DIR`.
pub fn run_man(args: &ManArgs) -> Result<u8> {
    let Some(dir) = &args.dir else {
        return print(&man_page(args.verb.as_deref())?);
    };
    let verbs: Vec<String> = verbs(&man_command()).map(str::to_owned).collect();
    save(dir, &format!("{BIN}.1"), &man_page(None)?)?;
    for verb in &verbs {
        save(dir, &format!("{BIN}-{verb}.1"), &man_page(Some(verb))?)?;
    }
    Ok(0)
}

/// `sockcat completions SHELL` and `sockcat completions --dir DIR`.
pub fn run_completions(args: &CompletionsArgs) -> Result<u8> {
    match (&args.dir, args.shell) {
        (Some(dir), _) => {
            for shell in Shell::value_variants() {
                save(dir, &shell.file_name(BIN), &completion(*shell))?;
            }
            Ok(0)
        }
        (None, Some(shell)) => print(&completion(shell)),
        (None, None) => Err(usage!("completions needs a SHELL or --dir DIR")),
    }
}

/// The command as the pages describe it: built, so each verb knows its
/// `sockcat VERB` usage and carries the global flags, and without clap's
/// `help` verb, which has no page of its own. The SYNOPSIS is the usage line
/// of `--help`; clap_mangen's own lists every flag again, without values.
fn man_command() -> clap::Command {
    let mut cmd = Cli::command()
        .disable_help_subcommand(true)
        .subcommand_help_heading("VERBS")
        .subcommand_value_name("VERB");
    cmd.build();
    for sub in cmd.get_subcommands_mut() {
        *sub = sub.clone().override_usage(usage(sub));
    }
    let usage = usage(&mut cmd);
    cmd.override_usage(usage)
}

fn usage(cmd: &mut clap::Command) -> String {
    let usage = cmd.render_usage().to_string();
    usage.strip_prefix("Usage: ").unwrap_or(&usage).to_owned()
}

fn verbs(cmd: &clap::Command) -> impl Iterator<Item = &str> {
    cmd.get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name())
}

/// clap_mangen's sections, then our prose. sockcat(1) lists the verbs before
/// OPTIONS, where its reader looks first.
fn render(man: Man, with_verbs: bool, prose: &str) -> Result<Vec<u8>> {
    let mut generated = Vec::new();
    man.render_title(&mut generated)?;
    man.render_name_section(&mut generated)?;
    man.render_synopsis_section(&mut generated)?;
    man.render_description_section(&mut generated)?;
    if with_verbs {
        man.render_subcommands_section(&mut generated)?;
    }
    man.render_options_section(&mut generated)?;
    let generated = String::from_utf8(generated)?.replace(PREAMBLE, "");
    let generated: Vec<String> = generated.lines().map(literals).collect();
    let page = format!("{}\n{}", generated.join("\n"), escape(prose));
    Ok(format!("{PREAMBLE}{}", ascii(&page)).into_bytes())
}

/// Help text may hold any character (`udp:…`); groff reads only ASCII unless
/// preconv runs first, so the rest become `\[uXXXX]` escapes, as preconv would.
fn ascii(page: &str) -> String {
    page.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\[u{:04X}]", u32::from(c))
            }
        })
        .collect()
}

/// Help text marks literals with backticks, as Markdown does; in a page they
/// are bold, since groff would print a backtick as an opening quote.
fn literals(line: &str) -> String {
    if line.starts_with('.') || !line.matches('`').count().is_multiple_of(2) {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len() + 16);
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            out.push_str(if i % 2 == 1 { "\\fB" } else { "\\fR" });
        }
        out.push_str(part);
    }
    out
}

/// Our prose is roff written with plain `-` and `'`. Every `-` becomes `\-` so
/// that commands copied from the page keep ASCII hyphen-minus, and every `'`
/// becomes the straight apostrophe the preamble defines, as the roff crate
/// does for clap's text. No macro or escape we use has either character.
fn escape(prose: &str) -> String {
    prose.replace('-', "\\-").replace('\'', "\\*(Aq")
}

/// A closed stdout (`sockcat man | head`) ends the run quietly, as it should.
fn print(bytes: &[u8]) -> Result<u8> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            Err(io_failure("write", "stdout", err))
        }
        _ => Ok(0),
    }
}

fn save(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|err| io_failure("create", dir.display(), err))?;
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|err| io_failure("write", path.display(), err))
}

fn io_failure(op: &'static str, target: impl std::fmt::Display, err: io::Error) -> anyhow::Error {
    match err.raw_os_error() {
        Some(errno) => Failure::new(op, target, Errno::from_raw(errno)).into(),
        None => anyhow::Error::new(err).context(format!("{op} {target}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verb_has_prose_with_three_examples() {
        for verb in verbs(&man_command()) {
            let prose =
                text::prose(Some(verb)).unwrap_or_else(|| panic!("no prose for sockcat-{verb}(1)"));
            let examples = prose.split(".SH EXAMPLES\n").nth(1).unwrap_or_default();
            let examples = examples.split("\n.SH ").next().unwrap_or_default();
            assert!(
                examples.matches("\n.EX\n").count() >= 3,
                "sockcat-{verb}(1) needs three examples"
            );
        }
    }

    #[test]
    fn unknown_verb_is_usage_naming_the_verbs() {
        let err = man_page(Some("lisen")).unwrap_err();
        assert_eq!(crate::error::exit_status(&err), 2);
        assert!(
            err.to_string().contains("connect, listen, forward, send"),
            "{err}"
        );
    }

    #[test]
    fn backticks_become_bold() {
        assert_eq!(
            literals("prefixed `sockcat: `."),
            "prefixed \\fBsockcat: \\fR."
        );
        assert_eq!(literals("a ` b"), "a ` b");
    }

    #[test]
    fn prose_needs_no_hand_escaping() {
        for verb in std::iter::once(None).chain(verbs(&man_command()).map(Some)) {
            let prose = text::prose(verb).unwrap_or_default();
            assert!(
                !prose.contains("\\-") && !prose.contains("\\(aq"),
                "{verb:?}: write plain - and '"
            );
        }
    }
}
