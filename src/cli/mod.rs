//! The command line: one clap derive that feeds the parser, the man pages and
//! the shell completions. Addresses arrive as raw strings; each verb parses
//! them with `addr::parse` once it knows `-u`, `-U` and whether it listens.
//! Every DUR flag reads its value with `parse_duration`; `options` turns
//! the parsed structs into the library's plain option types; `nc` answers a
//! command line written the nc way with its sockcat form.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

pub mod nc;
pub mod options;

/// Pipe bytes between stdin/stdout and TCP, UDP or Unix sockets.
///
/// sockcat opens, accepts and pipes TCP, UDP and Unix-domain sockets (stream,
/// datagram and seqpacket, filesystem and abstract addresses), sends one-shot
/// messages and pings over ICMP. Data goes to stdout untouched; everything
/// else goes to stderr, prefixed `sockcat: `.
#[derive(Debug, Parser)]
#[command(
    name = "sockcat",
    version = env!("SOCKCAT_VERSION"),
    help_expected = true,
    propagate_version = true
)]
pub struct Cli {
    /// Report each step on stderr (listening, accepted, connected, closed).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Report every step as one JSON object per line on stderr instead (no -v needed).
    #[arg(long, value_name = "FORMAT", value_enum, global = true)]
    pub events: Option<EventsFormat>,

    #[command(subcommand)]
    pub verb: Verb,
}

impl Cli {
    /// How this run reports its steps.
    pub fn reporter(&self) -> crate::report::Reporter {
        crate::report::Reporter::new(self.verbose, self.events.is_some())
    }
}

/// The machine-readable forms of `--events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventsFormat {
    /// One JSON object per line: `event`, `time`, then the event's fields.
    Json,
}

// Deferred: a run builds the arguments of its own verb only, not of all six
// (a third of the start-up of `sockcat connect`, see bench/run's exchange).
// So each verb's help text is here, where the top-level help can see it,
// and not on its arguments' struct. Nor may a struct those flatten have a doc
// comment: clap would apply it as the verb's help text, after this one.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Verb {
    /// Open ADDR and pipe it both ways: stdin to the socket, the socket to stdout.
    ///
    /// On a stream, stdin's end half-closes the socket and sockcat reads on until
    /// the peer closes. A peer's EOF ends only what the peer sends: stdin goes on
    /// to it until stdin ends (a terminal's session ends with its peer). On a
    /// datagram socket each read of stdin is one datagram, and after stdin ends
    /// sockcat waits for replies until `-q` (default 1s) of silence.
    Connect(ConnectArgs),

    /// Bind ADDR, wait for one peer and pipe it to stdin/stdout.
    ///
    /// A datagram listener takes the first sender as its peer and, after stdin
    /// ends, keeps receiving until interrupted (or until `-q` of silence). A Unix
    /// socket file the listener created is removed when it exits, on SIGINT and
    /// SIGTERM too.
    /// With `-k` it keeps accepting and serves peers concurrently on one event
    /// loop; `-e`/`-c` give each peer a program of its own, `--broker` relays
    /// peers to each other, and `--allow`/`--deny`/`--allow-uid`/`--allow-gid`
    /// decide who is served.
    Listen(ListenArgs),

    /// Accept peers on LISTEN and pipe each one to a connection of its own to TARGET.
    ///
    /// socat's `TCP-LISTEN:…,fork UNIX-CONNECT:…` without a process per peer:
    /// every pair runs on one event loop. TARGET is opened as soon as a peer is
    /// accepted; each direction ends on its own (an end of file becomes a
    /// half-close on the other side), a reset is passed on as a reset, and a
    /// target that refuses closes only that peer. Datagram sockets are forwarded
    /// as a session per sender. With `-x` both directions of
    /// every pair are dumped, so `forward -x unix:/tmp/spy.sock
    /// unix:/run/app.sock` shows what a client and a service say.
    Forward(ForwardArgs),

    /// Send one message to ADDR and exit.
    ///
    /// The payload is DATA joined by single spaces, the file of `-f`, or stdin. A
    /// stream gets it all and a half-close; a datagram socket gets exactly one
    /// datagram holding all of it (or one per line with `--lines`).
    Send(SendArgs),

    /// Send ICMP (IPv4) or ICMPv6 echo requests to HOST and print the replies.
    ///
    /// The output follows iputils ping, so scripts that parse `ping` keep working.
    Ping(PingArgs),

    /// Print the completion script for SHELL on stdout.
    ///
    /// With `--dir DIR` it writes the script of every shell instead: sockcat.bash,
    /// _sockcat (zsh), sockcat.fish, sockcat.elv and _sockcat.ps1 (PowerShell).
    Completions(CompletionsArgs),

    /// Print sockcat(1), or sockcat-VERB(1) when a verb is named, as roff.
    ///
    /// With `--dir DIR` it writes every page instead: sockcat.1 and one
    /// sockcat-VERB.1 per verb.
    Man(ManArgs),
}

// How a bare address is read, shared by every verb that opens a socket.
#[derive(Debug, Args, Clone, Default)]
pub struct AddrFlags {
    /// Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path.
    #[arg(short = 'u', long = "udp")]
    pub udp: bool,

    /// Read a bare argument as a Unix socket path.
    #[arg(short = 'U', long = "unix")]
    pub unix: bool,

    /// Use IPv4 addresses only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Use IPv6 addresses only.
    #[arg(short = '6')]
    pub ipv6: bool,
}

// Socket options, meaning the same on every verb that opens a socket.
#[derive(Debug, Args, Clone, Default)]
pub struct SockFlags {
    /// Disable Nagle's algorithm (TCP_NODELAY); TCP only.
    #[arg(long)]
    pub nodelay: bool,

    /// Enable TCP keepalive probes (SO_KEEPALIVE); TCP only.
    #[arg(long)]
    pub keepalive: bool,

    /// Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent.
    #[arg(long, value_name = "BYTES")]
    pub sndbuf: Option<usize>,

    /// Receive buffer size in bytes (SO_RCVBUF).
    #[arg(long, value_name = "BYTES")]
    pub rcvbuf: Option<usize>,
}

// How an outgoing connection is made: by `connect` and `send`.
#[derive(Debug, Args, Clone, Default)]
pub struct DialFlags {
    /// Bind this local address before connecting (a Unix datagram client's reply address).
    #[arg(short = 's', long = "source", value_name = "ADDR", value_hint = ValueHint::AnyPath)]
    pub source: Option<String>,

    /// Bind this local port before connecting.
    #[arg(short = 'p', long = "source-port", value_name = "PORT")]
    pub source_port: Option<String>,

    /// Give up a connect that takes longer than DUR.
    #[arg(short = 'w', long = "timeout", value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub timeout: Option<Duration>,

    /// Retry a connect refused because the service is not up yet, for up to DUR.
    #[arg(long, value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub retry: Option<Duration>,
}

// `-x`: a hex dump of the traffic, on every verb that moves data.
#[derive(Debug, Args, Clone, Default)]
pub struct DumpFlags {
    /// Write a hex+ASCII dump of all traffic to stderr: each chunk headed by
    /// its direction (> sent, < received), byte offset, peer and time.
    #[arg(short = 'x', long)]
    pub hexdump: bool,

    /// Append the hex dump to FILE instead of stderr (implies -x).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub hexdump_file: Option<PathBuf>,
}

// How a session between stdin/stdout and one socket runs and ends.
#[derive(Debug, Args, Clone, Default)]
pub struct SessionFlags {
    /// End the session after DUR with no data in either direction (exit 1).
    #[arg(short = 'i', long = "idle-timeout", value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub idle_timeout: Option<Duration>,

    // `listen` words this for itself (`listen_quit_after`): a listener has no default.
    /// Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence, default 1s).
    #[arg(short = 'q', long = "quit-after", value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub quit_after: Option<Duration>,

    /// Keep the socket's write side open when stdin ends (no half-close).
    #[arg(long)]
    pub no_shutdown: bool,

    /// End the session when the peer's EOF arrives, even if stdin has more.
    ///
    /// Without it a peer's EOF ends only what the peer sends: sockcat goes on
    /// sending stdin until stdin ends, unless stdin is a terminal or a Unix
    /// peer is gone altogether.
    #[arg(long)]
    pub exit_on_peer_eof: bool,

    /// Do not read stdin; the socket's write side stays open.
    #[arg(short = 'd', long = "no-stdin", conflicts_with_all = ["send_only", "recv_only"])]
    pub no_stdin: bool,

    /// Only send stdin; never read from the socket, exit once stdin is sent.
    #[arg(long, conflicts_with = "recv_only")]
    pub send_only: bool,

    /// Only receive; half-close the socket at once and never read stdin.
    #[arg(long)]
    pub recv_only: bool,

    /// Turn LF into CRLF on the way to the socket.
    #[arg(short = 'C', long)]
    pub crlf: bool,

    /// Datagrams: send one datagram per input line, without its newline, and
    /// write each datagram received followed by a newline unless it ends with one.
    #[arg(long)]
    pub lines: bool,

    /// Streams: send each line of stdin as one message behind a length prefix
    /// (len:1, len:2, len:4, len:8, len:2le, len:4le, len:8le, varint or
    /// netstring) and write each message received on a line of its own.
    #[arg(long, value_name = "FORMAT", value_parser = crate::frame::Format::parse, conflicts_with_all = ["crlf", "lines"])]
    pub frame: Option<crate::frame::Format>,

    /// The largest message --frame sends or accepts, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::frame::DEFAULT_MAX, requires = "frame")]
    pub max_frame: usize,
}

// The help text of `sockcat connect` is on `Verb::Connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Where to connect: tcp:HOST:PORT, udp:HOST:PORT, unix:PATH, unix-dgram:PATH,
    /// unix-seqpacket:PATH, @NAME, HOST:PORT, PATH or fd:N.
    #[arg(value_name = "ADDR", value_hint = ValueHint::AnyPath)]
    pub addr: String,

    /// Probe without sending data: ADDR's port may be a list and ranges (host:22,80,8000-8010).
    ///
    /// One line per open port on stdout (`tcp:HOST:PORT open`), closed ones
    /// with -v on stderr; exit 0 if any port is open. A UDP port counts as
    /// closed only when an ICMP port-unreachable says so.
    #[arg(short = 'z', long = "zero-io")]
    pub zero_io: bool,

    #[command(flatten)]
    pub addr_flags: AddrFlags,

    #[command(flatten)]
    pub dial: DialFlags,

    #[command(flatten)]
    pub session: SessionFlags,

    #[command(flatten)]
    pub sock: SockFlags,

    #[command(flatten)]
    pub dump: DumpFlags,
}

// The help text of `sockcat listen` is on `Verb::Listen`. `-q` is shared
// with `connect`, but only `connect` has a default for datagrams.
#[derive(Debug, Args)]
#[command(mut_args(listen_quit_after))]
pub struct ListenArgs {
    /// Where to listen: tcp:HOST:PORT, :PORT, PORT, udp:…, unix:PATH, unix-dgram:PATH,
    /// unix-seqpacket:PATH, @NAME, PATH or fd:N.
    #[arg(value_name = "ADDR", value_hint = ValueHint::AnyPath, required_unless_present = "exec")]
    pub addr: Option<String>,

    /// Keep accepting after the first peer, serving peers concurrently.
    ///
    /// stdin goes to every connected peer (it is not read while none is) and
    /// each read from a peer reaches stdout whole. stdin is read at the pace
    /// of the fastest peer; a peer more than 4 MiB behind it is dropped and
    /// reported with -v. When stdin ends each peer's write side is shut down
    /// (not with --no-shutdown) and the listener goes on serving; a peer is
    /// closed as soon as its own EOF arrives. Datagram
    /// listeners print every sender's datagrams and send stdin to the latest
    /// sender (-v names it). The soft limit on open files is raised to the
    /// hard one; when it is reached anyway, accepting pauses until a peer
    /// leaves. The listener runs until SIGINT or SIGTERM (or until stdout is
    /// closed); -i and -q apply to the one-peer session only.
    #[arg(short = 'k', long = "keep-open")]
    pub keep_open: bool,

    #[command(flatten)]
    pub serve: ServeFlags,

    /// Run PROG with ARGS for each peer, the socket as its stdin and stdout (no shell).
    ///
    /// Every word after `-e` belongs to the command, so give it last; when ADDR
    /// was not given before `-e`, the last word is ADDR (`-e cat unix:/x`).
    /// stderr stays sockcat's. The child finds SOCKCAT_PEER and SOCKCAT_LOCAL
    /// (canonical addresses: the peer's, and the local one it reached) in its
    /// environment and, for Unix peers,
    /// SOCKCAT_PEER_PID, SOCKCAT_PEER_UID and SOCKCAT_PEER_GID. When the child
    /// exits its peer is closed; when the peer leaves, the child reads EOF.
    /// Children are reaped as they exit. Without `-k` one peer is served.
    #[arg(
        short = 'e',
        long = "exec",
        value_name = "PROG",
        num_args = 1..,
        allow_hyphen_values = true,
        value_hint = ValueHint::CommandName,
        conflicts_with_all = ["sh_exec", "broker"]
    )]
    pub exec: Option<Vec<String>>,

    /// Run CMD through `/bin/sh -c` for each peer, as `-e` does.
    #[arg(
        short = 'c',
        long = "sh-exec",
        value_name = "CMD",
        conflicts_with = "broker"
    )]
    pub sh_exec: Option<String>,

    /// Relay what each peer sends to every other peer (implies -k).
    ///
    /// stdin still goes to every peer and what peers send is printed too. A
    /// peer that falls more than 4 MiB behind is dropped (reported with -v),
    /// so no peer can stall the others.
    #[arg(long)]
    pub broker: bool,

    #[command(flatten)]
    pub addr_flags: AddrFlags,

    /// Give up if no peer arrives within DUR (exit 1).
    #[arg(short = 'w', long = "timeout", value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub timeout: Option<Duration>,

    #[command(flatten)]
    pub bind: BindFlags,

    #[command(flatten)]
    pub session: SessionFlags,

    #[command(flatten)]
    pub sock: SockFlags,

    #[command(flatten)]
    pub dump: DumpFlags,
}

// How a listening socket is bound: `listen` and `forward`.
#[derive(Debug, Args, Clone, Default)]
pub struct BindFlags {
    /// Queue of connections not yet accepted (the kernel caps it at net.core.somaxconn).
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub backlog: i32,

    /// Mode of the Unix socket file, set before listen(2) (octal, e.g. 660).
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode)]
    pub mode: Option<u32>,

    /// Owner of the Unix socket file (user name or uid), set before listen(2).
    #[arg(long, value_name = "USER")]
    pub owner: Option<String>,

    /// Group of the Unix socket file (group name or gid), set before listen(2).
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,

    /// Remove a stale socket file (one nobody accepts on) at the path first.
    #[arg(long)]
    pub unlink: bool,
}

// The help text of `sockcat forward` is on `Verb::Forward`.
#[derive(Debug, Args)]
pub struct ForwardArgs {
    /// Where to accept peers: the forms of `listen` (stream, seqpacket or datagram).
    #[arg(value_name = "LISTEN", value_hint = ValueHint::AnyPath)]
    pub listen: String,

    /// Where to connect for each peer: the forms of `connect`, of the same type as LISTEN.
    #[arg(value_name = "TARGET", value_hint = ValueHint::AnyPath)]
    pub target: String,

    #[command(flatten)]
    pub serve: ServeFlags,

    #[command(flatten)]
    pub addr_flags: AddrFlags,

    #[command(flatten)]
    pub dial: DialFlags,

    /// Close a pair after DUR with no data either way (default: never).
    #[arg(short = 'i', long = "idle-timeout", value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub idle_timeout: Option<Duration>,

    #[command(flatten)]
    pub bind: BindFlags,

    #[command(flatten)]
    pub sock: SockFlags,

    #[command(flatten)]
    pub dump: DumpFlags,
}

// Who is served and how many at once: `listen` and `forward`.
#[derive(Debug, Args, Clone, Default)]
pub struct ServeFlags {
    /// Serve at most N peers at once; the next waits in the backlog until one leaves.
    ///
    /// With --refuse-extra it is accepted and closed at once instead (reported
    /// with -v).
    #[arg(short = 'm', long = "max-conns", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_conns: Option<u32>,

    /// Close peers past --max-conns at once instead of leaving them in the backlog.
    #[arg(long, requires = "max_conns")]
    pub refuse_extra: bool,

    /// Serve only IP peers in CIDR (v4 or v6; repeatable; a bare address is one host).
    ///
    /// An IPv4 peer on a dual-stack listener (::ffff:a.b.c.d) is matched as IPv4.
    /// A refused peer is closed before any byte is read from it; -v says why.
    #[arg(long, value_name = "CIDR", value_parser = parse_net)]
    pub allow: Vec<ipnet::IpNet>,

    /// Refuse IP peers in CIDR (repeatable); --deny wins over --allow.
    #[arg(long, value_name = "CIDR", value_parser = parse_net)]
    pub deny: Vec<ipnet::IpNet>,

    /// Serve only Unix peers of this uid (repeatable), as the kernel reports it.
    ///
    /// SO_PEERCRED for stream and seqpacket; for unix-dgram the credentials
    /// the kernel attaches to each datagram (SO_PASSCRED), and datagrams from
    /// others are dropped (each drop reported with -v). A peer passes when its
    /// uid or its gid is admitted.
    #[arg(long, value_name = "UID")]
    pub allow_uid: Vec<u32>,

    /// Serve only Unix peers whose primary gid is GID (repeatable).
    #[arg(long, value_name = "GID")]
    pub allow_gid: Vec<u32>,
}

// The help text of `sockcat send` is on `Verb::Send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Where to send: the same forms as `connect`.
    #[arg(value_name = "ADDR", value_hint = ValueHint::AnyPath)]
    pub addr: String,

    /// The payload, joined by single spaces.
    #[arg(value_name = "DATA", conflicts_with = "file")]
    pub data: Vec<String>,

    /// Send the contents of FILE (`-` is stdin).
    #[arg(short = 'f', long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: Option<PathBuf>,

    /// Interpret \n \r \t \\ \0 \xHH in DATA.
    #[arg(short = 'E', long)]
    pub escapes: bool,

    /// Append a newline to the payload.
    #[arg(short = 'n', long)]
    pub newline: bool,

    /// Datagrams: send one datagram per line, without its newline.
    #[arg(long)]
    pub lines: bool,

    /// Streams: send the payload as one message behind a length prefix (with
    /// --lines, one per line); with -r, print the first whole message back.
    #[arg(long, value_name = "FORMAT", value_parser = crate::frame::Format::parse)]
    pub frame: Option<crate::frame::Format>,

    /// The largest message --frame sends or accepts, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::frame::DEFAULT_MAX, requires = "frame")]
    pub max_frame: usize,

    /// Wait for the reply and print it (stream: until the peer closes; datagram: one).
    #[arg(short = 'r', long)]
    pub reply: bool,

    /// Give up waiting for the reply after DUR (exit 1).
    #[arg(short = 'W', long = "wait", value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub wait: Option<Duration>,

    /// Send the message N times.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub count: u64,

    /// Pause DUR between repeated sends.
    #[arg(long, value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub interval: Option<Duration>,

    #[command(flatten)]
    pub addr_flags: AddrFlags,

    #[command(flatten)]
    pub dial: DialFlags,

    #[command(flatten)]
    pub sock: SockFlags,

    #[command(flatten)]
    pub dump: DumpFlags,
}

/// Which ICMP socket `ping` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum PingSocket {
    /// Raw when permitted (root or CAP_NET_RAW), else the unprivileged datagram socket.
    #[default]
    Auto,
    /// A raw ICMP socket (needs root or CAP_NET_RAW).
    Raw,
    /// The unprivileged ICMP datagram socket (needs net.ipv4.ping_group_range).
    Dgram,
}

// The help text of `sockcat ping` is on `Verb::Ping`.
#[derive(Debug, Args)]
pub struct PingArgs {
    /// The host to ping: a name, an IPv4 address or an IPv6 address.
    #[arg(value_name = "HOST", value_hint = ValueHint::Hostname)]
    pub host: String,

    /// Stop after sending N requests (with -w: after N replies, or at the deadline).
    #[arg(short = 'c', long, value_name = "N")]
    pub count: Option<u64>,

    /// Wait DUR between requests (below 2ms only when privileged).
    #[arg(short = 'i', long, value_name = "DUR", default_value = "1s", value_parser = parse_duration, allow_negative_numbers = true)]
    pub interval: Duration,

    /// After the last request, how long to wait when no reply has come (default 10s).
    #[arg(short = 'W', long = "timeout", value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub timeout: Option<Duration>,

    /// Stop after DUR, whatever has been sent or received.
    #[arg(short = 'w', long, value_name = "DUR", value_parser = parse_duration, allow_negative_numbers = true)]
    pub deadline: Option<Duration>,

    /// Bytes of payload in each request.
    #[arg(short = 's', long, value_name = "BYTES", default_value_t = 56)]
    pub size: usize,

    /// Time to live (IPv4) or hop limit (IPv6) of the requests.
    #[arg(short = 't', long, value_name = "N")]
    pub ttl: Option<u8>,

    /// Print only the summary.
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Use IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Use IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,

    /// Send from this interface or source address (needed for IPv6 link-local).
    #[arg(short = 'I', long, value_name = "IFACE|ADDR")]
    pub interface: Option<String>,

    /// Print one JSON object per reply and one for the summary.
    #[arg(long)]
    pub json: bool,

    /// Which ICMP socket to open.
    #[arg(long, value_enum, default_value_t = PingSocket::Auto)]
    pub socket: PingSocket,
}

// The help text of `sockcat completions` is on `Verb::Completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, required_unless_present = "dir")]
    pub shell: Option<clap_complete::Shell>,

    /// Write the script of every shell under DIR instead.
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath, conflicts_with = "shell")]
    pub dir: Option<PathBuf>,
}

// The help text of `sockcat man` is on `Verb::Man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The verb whose page to print; without it, sockcat(1).
    #[arg(value_name = "VERB")]
    pub verb: Option<String>,

    /// Write every page under DIR instead.
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath, conflicts_with = "verb")]
    pub dir: Option<PathBuf>,
}

/// `listen -q`: a datagram listener keeps receiving after stdin ends, as
/// a listener should, unless `-q` is given; only `connect` waits 1s.
/// (`mut_args`, not `mut_arg`, which would move `-q` to the end of the
/// list the completions are generated from.)
fn listen_quit_after(arg: clap::Arg) -> clap::Arg {
    if arg.get_id() != "quit_after" {
        return arg;
    }
    arg.help(
        "Exit DUR after stdin ends, whatever the peer does \
         (datagrams: DUR of silence; without -q a datagram listener keeps receiving)",
    )
    .long_help(None)
}

/// The longest DUR taken, 100 of humantime's years (365.25 days): far past
/// any real wait, and short enough that a deadline `Instant::now() + DUR`
/// can never overflow (which would panic).
const MAX_DURATION: Duration = Duration::from_secs(100 * 36525 * 24 * 60 * 60 / 100);

/// Every DUR flag's value: a bare number of seconds (`5`, `0.5`), as nc's
/// `-w` and timeout(1) read it, else a humantime duration (`500ms`, `2s`,
/// `1h30m`). Negative, non-finite and absurdly long values are refused.
/// Each DUR flag has `allow_negative_numbers`, so that `-w -5` reaches this
/// function and is refused as negative instead of being read as a flag.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const EXPECTED: &str =
        "not a duration (expected seconds, as in 5 or 0.5, or a number with a unit: 500ms, 2s, 1m)";
    const TOO_LONG: &str = "too long a duration (at most 100 years)";
    let word = text
        .trim()
        .trim_start_matches(['+', '-'])
        .to_ascii_lowercase();
    let duration = match bare_seconds(text) {
        Some(duration) => duration,
        None if text.trim_start().starts_with('-') => {
            return Err("a duration cannot be negative".into());
        }
        None if word == "inf" || word == "infinity" => return Err(TOO_LONG.into()),
        None => match humantime::parse_duration(text) {
            Ok(duration) => duration,
            Err(humantime::DurationError::NumberOverflow) => return Err(TOO_LONG.into()),
            Err(_) => return Err(EXPECTED.into()),
        },
    };
    if duration > MAX_DURATION {
        return Err(TOO_LONG.into());
    }
    Ok(duration)
}

/// `5`, `0.5`, `.5` or `5.` as seconds; `None` when `text` is not such a
/// number. Digits past nanoseconds are dropped; a whole part too large for
/// a u64 saturates, to be refused as too long.
fn bare_seconds(text: &str) -> Option<Duration> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let secs = if whole.is_empty() {
        0
    } else {
        whole.parse::<u64>().unwrap_or(u64::MAX)
    };
    let fraction = &fraction[..fraction.len().min(9)];
    let nanos = format!("{fraction:0<9}").parse::<u32>().unwrap_or(0);
    Some(Duration::new(secs, nanos))
}

/// A CIDR, or a bare address meaning that one host.
fn parse_net(text: &str) -> Result<ipnet::IpNet, String> {
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("'{text}' is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)"))
}

fn parse_mode(text: &str) -> Result<u32, String> {
    let digits = text.strip_prefix("0o").unwrap_or(text);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o7777 => Ok(mode),
        _ => Err(format!(
            "'{text}' is not an octal file mode (expected e.g. 660)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exec_takes_every_word_after_it() {
        let cli = Cli::try_parse_from(["sockcat", "listen", "-k", ":0", "-e", "grep", "-i", "x"])
            .expect("parses");
        let Verb::Listen(args) = cli.verb else {
            panic!("listen")
        };
        assert_eq!(args.addr.as_deref(), Some(":0"));
        assert_eq!(args.exec.unwrap(), ["grep", "-i", "x"]);
        let cli = Cli::try_parse_from(["sockcat", "listen", "-k", "-e", "cat", "unix:/x"])
            .expect("parses");
        let Verb::Listen(args) = cli.verb else {
            panic!("listen")
        };
        assert_eq!(args.addr, None);
        assert_eq!(args.exec.unwrap(), ["cat", "unix:/x"]);
    }

    #[test]
    fn nets_are_cidrs_or_hosts() {
        assert_eq!(parse_net("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_net("::1").unwrap().to_string(), "::1/128");
        assert!(parse_net("10.0.0.0/33").is_err());
    }

    #[test]
    fn durations_are_bare_seconds_or_humantime() {
        let ms = Duration::from_millis;
        for (text, want) in [
            ("5", ms(5000)),
            ("0", ms(0)),
            ("0.5", ms(500)),
            (".25", ms(250)),
            ("2.", ms(2000)),
            ("007", ms(7000)),
            ("0.1", ms(100)),
            ("1.000000001", Duration::new(1, 1)),
            ("1.0000000019", Duration::new(1, 1)),
            ("500ms", ms(500)),
            ("2s", ms(2000)),
            ("1m", ms(60_000)),
            ("1h30m", ms(5_400_000)),
            ("100years", MAX_DURATION),
            ("3155760000", MAX_DURATION),
        ] {
            assert_eq!(parse_duration(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn bad_durations_say_why() {
        for (text, why) in [
            ("-5", "cannot be negative"),
            ("-0.5", "cannot be negative"),
            ("-1s", "cannot be negative"),
            ("nan", "not a duration"),
            ("NaN", "not a duration"),
            ("inf", "too long"),
            ("-inf", "cannot be negative"),
            ("+Infinity", "too long"),
            ("3155760001", "too long"),
            ("3155760000.5", "too long"),
            ("99999999999999999999999", "too long"),
            ("101years", "too long"),
            ("99999999999999999999999s", "too long"),
            ("", "not a duration"),
            (".", "not a duration"),
            ("1.2.3", "not a duration"),
            ("1e3", "not a duration"),
            ("5x", "not a duration"),
            ("s", "not a duration"),
            ("0x10", "not a duration"),
        ] {
            let err = parse_duration(text).expect_err(text);
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn every_dur_flag_takes_bare_seconds() {
        let parse =
            |args: &[&str]| Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let s = Duration::from_secs;
        let cli = parse(&[
            "sockcat", "connect", "-w", "5", "--retry", "30", "-i", "30", "-q", "0.5", "h:1",
        ]);
        let Verb::Connect(args) = cli.verb else {
            panic!("connect")
        };
        assert_eq!(args.dial.timeout, Some(s(5)));
        assert_eq!(args.dial.retry, Some(s(30)));
        assert_eq!(args.session.idle_timeout, Some(s(30)));
        assert_eq!(args.session.quit_after, Some(Duration::from_millis(500)));
        let cli = parse(&["sockcat", "listen", "-w", "2", "-q", "1", "-i", "3", ":0"]);
        let Verb::Listen(args) = cli.verb else {
            panic!("listen")
        };
        assert_eq!(args.timeout, Some(s(2)));
        assert_eq!(args.session.quit_after, Some(s(1)));
        assert_eq!(args.session.idle_timeout, Some(s(3)));
        let cli = parse(&[
            "sockcat",
            "send",
            "-W",
            "2",
            "--interval",
            "0.1",
            "-w",
            "1",
            "--retry",
            "4",
            "h:1",
        ]);
        let Verb::Send(args) = cli.verb else {
            panic!("send")
        };
        assert_eq!(args.wait, Some(s(2)));
        assert_eq!(args.interval, Some(Duration::from_millis(100)));
        assert_eq!(
            (args.dial.timeout, args.dial.retry),
            (Some(s(1)), Some(s(4)))
        );
        let cli = parse(&["sockcat", "ping", "-i", "0.2", "-W", "1", "-w", "10", "h"]);
        let Verb::Ping(args) = cli.verb else {
            panic!("ping")
        };
        assert_eq!(args.interval, Duration::from_millis(200));
        assert_eq!((args.timeout, args.deadline), (Some(s(1)), Some(s(10))));
        let cli = parse(&["sockcat", "ping", "h"]);
        let Verb::Ping(args) = cli.verb else {
            panic!("ping")
        };
        assert_eq!(args.interval, s(1));
    }

    proptest::proptest! {
        #[test]
        fn parse_duration_never_panics(text in "\\PC*") {
            let _ = parse_duration(&text);
        }

        #[test]
        fn parse_duration_never_panics_on_numbers(text in "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?[a-z]{0,3}") {
            if let Ok(duration) = parse_duration(&text) {
                proptest::prop_assert!(duration <= MAX_DURATION);
            }
        }

        #[test]
        fn seconds_and_millis_read_exactly(secs in 0u64..1_000_000, millis in 0u32..1000) {
            let want = Duration::new(secs, millis * 1_000_000);
            proptest::prop_assert_eq!(parse_duration(&format!("{secs}.{millis:03}")), Ok(want));
            proptest::prop_assert_eq!(parse_duration(&format!("{secs}s{millis}ms")), Ok(want));
        }
    }

    #[test]
    fn modes_are_octal() {
        assert_eq!(parse_mode("660"), Ok(0o660));
        assert_eq!(parse_mode("0o600"), Ok(0o600));
        assert!(parse_mode("999").is_err());
        assert!(parse_mode("17777").is_err());
    }
}
