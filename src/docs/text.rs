//! The prose of every page: roff that follows clap_mangen's OPTIONS section,
//! one `const` per page. Write `-` and `'` plainly (`escape` in the parent
//! module makes them the characters a reader can copy) and a backslash as
//! `\e`. Examples are `.EX` blocks under `.SH EXAMPLES`; a test counts them.

/// The prose after OPTIONS for sockcat(1) (`None`) or a verb's page.
pub fn prose(verb: Option<&str>) -> Option<&'static str> {
    Some(match verb {
        None => SOCKCAT,
        Some("connect") => CONNECT,
        Some("listen") => LISTEN,
        Some("send") => SEND,
        Some("forward") => FORWARD,
        Some("ping") => PING,
        Some("completions") => COMPLETIONS,
        Some("man") => MAN,
        Some(_) => return None,
    })
}

const SOCKCAT: &str = r#".SH ADDRESSES
Every verb takes the same address syntax.
Schemes are case-insensitive and may also be written with
\fB//\fR, as in \fBtcp://localhost:8080\fR.
.TP
\fBtcp:\fIHOST\fB:\fIPORT\fR, \fBtcp4:\fR..., \fBtcp6:\fR...
TCP stream; \fBtcp4\fR and \fBtcp6\fR restrict the address family.
.TP
\fBudp:\fIHOST\fB:\fIPORT\fR, \fBudp4:\fR..., \fBudp6:\fR...
UDP datagrams.
.TP
\fBunix:\fIPATH\fR
Unix stream socket at \fIPATH\fR.
.TP
\fBunix-dgram:\fIPATH\fR
Unix datagram socket.
.TP
\fBunix-seqpacket:\fIPATH\fR
Unix seqpacket socket: a connection that keeps message boundaries.
.TP
\fBunix:@\fINAME\fR, \fB@\fINAME\fR
Linux abstract namespace (a name that starts with a NUL byte and has no file).
Any unix scheme takes \fB@\fINAME\fR; the bare form is a stream socket.
.TP
\fIHOST\fB:\fIPORT\fR, \fB[\fIV6ADDR\fB]:\fIPORT\fR
TCP, or UDP with \fB-u\fR.
.TP
\fB:\fIPORT\fR, \fIPORT\fR
\fBlisten\fR only: all interfaces, dual-stack where the system allows.
.TP
\fIPATH\fR
A bare argument containing \fB/\fR is a Unix stream path, or a Unix datagram
path with \fB-u\fR.
.TP
\fBfd:\fIN\fR
A socket the process inherited as descriptor \fIN\fR (socat's \fBFD:\fR, a
parent's or a service manager's socket).
Its family and type are read from the socket itself (\fBSO_DOMAIN\fR,
\fBSO_TYPE\fR), and \fBlisten\fR accepts on it when it is already listening.
A descriptor that is not open, or is open on something other than a socket
(a file, a pipe, a terminal), is exit 2.
.PP
\fIHOST\fR is a name, an IPv4 address or a bracketed IPv6 address
(\fB[::1]\fR, also with a zone: \fB[fe80::1%eth0]\fR).
\fIPORT\fR is 0 to 65535 or a service name from \fI/etc/services\fR; port 0
on \fBlisten\fR binds an ephemeral port.
A name that resolves to several addresses is tried in order until one
connects; \fB-4\fR and \fB-6\fR filter them.
.PP
\fB-u\fR/\fB--udp\fR turns stream into datagram for the bare forms, and
\fB-U\fR/\fB--unix\fR reads a bare argument as a Unix path even without a
\fB/\fR.
\fB-u\fR beside a scheme that is already a datagram one (\fBudp:\fR,
\fBunix-dgram:\fR) is accepted; beside one that contradicts it (\fBtcp:\fR,
\fBunix:\fR) it is a usage error (exit 2).
.PP
A Unix path longer than \fBsun_path\fR allows (107 bytes) still works:
sockcat reaches it through its directory instead of truncating it.
The one exception is a Unix datagram client's reply address (\fB-s\fR): the
kernel would know the socket by its directory's descriptor, a name no peer can
send back to, so a longer \fB-s\fR path is a usage error (exit 2).
.PP
A Unix path or abstract name reads backslash escapes: \fB\e\e\fR is a
backslash and \fB\ex\fIHH\fR any byte (also \fB\en \er \et \e0\fR), so
that a name that is not UTF-8, or an abstract name holding NUL bytes, can be
typed.
Any other backslash is a usage error (exit 2).
.PP
Whenever sockcat prints an address it uses the canonical form, so a printed
address can be pasted back: the scheme, then a numeric address, as in
\fBtcp:127.0.0.1:41234\fR, \fBudp:[::1]:53\fR, \fBunix:/run/x.sock\fR or
\fBunix-dgram:@name\fR.
Bytes of a Unix name that are not printable ASCII, and backslashes, are
printed as the escapes above; a file whose name starts with \fB@\fR prints
as \fB\ex40\fR, which is not an abstract name.
A printed address never needs \fB4\fR or \fB6\fR in its scheme:
\fBtcp6:[::1]:0\fR is printed \fBtcp:[::1]:41234\fR.
A Unix peer that has no address prints as its scheme with an empty path
(\fBunix:\fR); its pid, uid and gid say who it is.
.SH DURATIONS
Every \fIDUR\fR is a bare number of seconds, as nc and \fBtimeout\fR(1)
read it (\fB5\fR, \fB0.5\fR), or a number with a unit, as in \fB250ms\fR,
\fB5s\fR, \fB2m\fR or \fB1h30m\fR.
A negative duration, or one longer than 100 years, is exit 2.
.SH OUTPUT
Data goes to stdout, untouched.
Everything else goes to stderr, prefixed \fBsockcat:\fR, and nothing is
printed on success without \fB-v\fR.
.PP
Errors are one line: what was attempted, on what, and why, with a hint when
there is one:
.IP
.EX
sockcat: connect unix:/run/app.sock: no such file (is the service running?)
.EE
.PP
\fB-v\fR reports each step on stderr.
Each failure is reported once: a connect attempt that failed is shown when
another attempt follows it (the name's next address, or a \fB--retry\fR),
and the one that ends the run is only its error line.
A listener prints exactly one \fBlistening on \fIADDR\fR line, in canonical
form and with the real port when port 0 was asked for, once it accepts
connections; scripts wait for that line.
A Unix peer accepted on a stream or seqpacket socket is shown with its pid,
uid and gid (\fBSO_PEERCRED\fR), and so is a Unix datagram sender that
becomes a listener's peer: a Unix datagram listener asks the kernel for
each sender's credentials (\fBSO_PASSCRED\fR) before it binds.
.PP
\fB-x\fR (\fB--hexdump\fR) on \fBconnect\fR, \fBlisten\fR and \fBsend\fR
writes a dump of all traffic to stderr, or appends it to the
\fB--hexdump-file\fR \fIFILE\fR.
Each chunk is headed by its direction (\fB>\fR sent, \fB<\fR received),
its byte offset within that direction, the peer and an RFC 3339 time, then
comes as the rows of \fBhexdump -C\fR:
.IP
.EX
> 0 tcp:127.0.0.1:8080 2026-11-25T18:26:34.703388Z
00000000  68 65 6c 6c 6f 0a                                 |hello.|
.EE
.PP
Without \fB-x\fR the bytes are never looked at; with it they go through
sockcat's memory rather than being spliced.
.SH EVENTS
\fB--events json\fR prints every step that \fB-v\fR reports as one JSON
object per line on stderr instead (no \fB-v\fR needed), and the error that
ends a failing run as one more object.
Every object has \fB"event"\fR, one of the names below, and \fB"time"\fR
(RFC 3339, UTC).
Addresses are canonical strings.
.TP
.B listening
\fB"local"\fR: the address a listener accepts on.
.TP
.B accepted
\fB"peer"\fR; for a Unix stream or seqpacket peer also \fB"pid"\fR,
\fB"uid"\fR and \fB"gid"\fR from \fBSO_PEERCRED\fR.
.TP
.B connected
\fB"peer"\fR: an outgoing connection is up.
.TP
.B closed
\fB"peer"\fR, \fB"rx"\fR and \fB"tx"\fR (bytes received from and sent
to it; null for a peer served by \fB-e\fR or \fB-c\fR, whose bytes go
to the child without passing through sockcat) and \fB"duration_ms"\fR: a
session ended, cleanly or not; with \fB--frame\fR also
\fB"rx_messages"\fR and \fB"tx_messages"\fR, the whole messages each way.
.TP
.B relayed
\fB"peer"\fR, \fB"to_peer"\fR and \fB"from_peer"\fR: the route each
direction of a session took as it ended, \fB"splice"\fR (through a kernel
pipe) or \fB"copy"\fR (through sockcat's memory), or null for a direction
that never ran.
.TP
.B probe
\fB"target"\fR, \fB"open"\fR (true or false) and, for a closed port,
\fB"message"\fR: one result of \fBconnect -z\fR.
.TP
.B notice
\fB"message"\fR: something worth knowing that stops nothing, such as a
datagram from a sender replies cannot reach.
.TP
.B error
\fB"message"\fR, with \fB"target"\fR when one connect attempt failed and
another follows (the name's next address, or a \fB--retry\fR), or
\fB"status"\fR (the exit status) when the run ends.
The failure that ends the run is that last object alone.
.TP
.B timeout
\fB"message"\fR and \fB"status"\fR: the run ended because \fB-w\fR,
\fB-i\fR or \fBsend\fR's \fB-W\fR ran out.
.SH "EXIT STATUS"
.TP
.B 0
Success.
A closed stdout (\fBsockcat ... | head\fR) also ends sockcat quietly with 0.
.TP
.B 1
A run-time failure: refused, timed out, unreachable, reset, no reply, or
no name server answering a lookup (which may succeed later).
.TP
.B 2
The command line cannot be satisfied as written: a bad flag, a malformed
address, an unknown host (one the resolver says does not exist), a path or \fBfd:\fIN\fR that is not a socket, a
flag that cannot apply to the address (\fB--mode\fR on a TCP listener,
\fB--nodelay\fR on a Unix socket).
.TP
.BR 130 ", " 143
Interrupted by SIGINT or SIGTERM.
sockcat first removes the socket files it created, then exits as shells
expect.
\fBping\fR instead prints its summary and exits as iputils ping does.
.SH ENVIRONMENT
.TP
.B SOCKCAT_RELAY
\fBcopy\fR or \fBsplice\fR forces the route of a session's bytes, for
tests and measurements; any other value is status 2.
Without it sockcat splices between a stream socket and anything but a
terminal, and copies through its memory where it must see the bytes
(\fB-x\fR, \fB-C\fR, \fB--lines\fR, datagrams, seqpacket records).
\fB-v\fR reports the route each direction took (\fBrelayed\fR).
On either route TCP urgent data (\fBMSG_OOB\fR, telnet's interrupt) is
not part of the stream: the urgent byte is dropped, as \fBnc\fR and
\fBsocat\fR drop it, and the bytes after it are carried on.
.PP
A service name in \fIPORT\fR is looked up in \fI/etc/services\fR.
Host names are resolved by the C library (\fBgetaddrinfo\fR(3)), so
\fI/etc/hosts\fR, \fI/etc/nsswitch.conf\fR, \fI/etc/resolv.conf\fR and the
variables described in \fBresolv.conf\fR(5) apply as they do to other
programs.
.SH EXAMPLES
Talk to a daemon's control socket from the terminal:
.IP
.EX
sockcat connect unix:/run/app/control.sock
.EE
.PP
Ask a UDP service and print its reply (sockcat waits a second of silence
for it after stdin ends):
.IP
.EX
echo stats | sockcat connect -u 127.0.0.1:8125
.EE
.PP
Serve one TCP client on port 8080 of every interface:
.IP
.EX
sockcat listen 8080
.EE
.PP
Tell systemd that a service is ready:
.IP
.EX
sockcat send unix-dgram:/run/systemd/notify READY=1
.EE
.PP
Wait up to 30 seconds for a daemon to create its socket, then ask it for
its status:
.IP
.EX
echo status | sockcat connect --retry 30s unix:/run/app/control.sock
.EE
.PP
Copy a file to the host \fBreceiver\fR: start the listener there, then send
from here:
.IP
.EX
sockcat listen 9000 > backup.tar
sockcat connect receiver:9000 < backup.tar
.EE
.SH "COMING FROM NC, NCAT OR SOCAT"
sockcat takes one address where nc takes a host and a port, and a verb
instead of nc's \fB-l\fR.
Durations are seconds, as in nc, unless they carry a unit.
On a stream, stdin's end half-closes the socket by default (nc's \fB-N\fR).
.SS "nc (OpenBSD netcat)"
.TP
.B nc host 80
.B sockcat connect host:80
.TP
.B nc -l 8080
.B sockcat listen 8080
.TP
.B nc -l -p 8080
\fBsockcat listen 8080\fR (traditional netcat's form, also \fI-lp 8080\fR)
.TP
.B nc -l 127.0.0.1 8080
.B sockcat listen 127.0.0.1:8080
.TP
.B nc -u host 53
.B sockcat connect -u host:53
.TP
.B nc -U /run/x.sock
\fBsockcat connect /run/x.sock\fR (an argument with a \fB/\fR is a Unix path)
.TP
.B nc -lU /tmp/x.sock
\fBsockcat listen /tmp/x.sock\fR (and the socket file is removed on exit)
.TP
.B nc -uU /run/x.sock
\fBsockcat connect -u /run/x.sock\fR (its reply address is abstract, so no
file is left behind)
.TP
.B nc -w 5 host 80
.B sockcat connect -w 5 host:80
.TP
.B nc -q 1 host 80
.B sockcat connect -q 1 host:80
.TP
.B nc -N host 80
\fBsockcat connect host:80\fR (\fB--no-shutdown\fR for nc's default)
.TP
.B nc -d host 80
.B sockcat connect -d host:80
.TP
.B nc -lk 8080
.B sockcat listen -k 8080
.TP
.B nc -z host 20-30
.B sockcat connect -z host:20-30
.TP
.B nc -x ...
\fBsockcat connect -x\fR is a hex dump, not a proxy
.PP
A command line typed the nc way is exit 2, and the error's tip gives its
sockcat form: \fIsockcat connect localhost 80\fR gets "write it as
localhost:80", and \fIsockcat listen -l -p 8080\fR (or with \fI-lp\fR,
\fI-p\fR alone, or \fI-l\fR and a port) gets \fBsockcat listen 8080\fR.
nc's \fB-n\fR (no DNS) is left out of it: a numeric address needs no
lookup in sockcat either.
.SS ncat
.TP
.B ncat --send-only host 80
.B sockcat connect --send-only host:80
.TP
.B ncat --recv-only host 80
.B sockcat connect --recv-only host:80
.TP
.B ncat -C host 25
.B sockcat connect -C host:25
.TP
.B ncat -i 30s host 80
.B sockcat connect -i 30s host:80
.TP
.B ncat -l -k --broker 8080
.B sockcat listen --broker 8080
.TP
.B ncat -l -k -e /bin/cat 8080
.B sockcat listen -k -e /bin/cat 8080
.TP
.B ncat -l -k --sh-exec 'echo hi' 8080
.B sockcat listen -k -c 'echo hi' 8080
.TP
.B ncat -l --allow 10.0.0.0/8 8080
.B sockcat listen --allow 10.0.0.0/8 8080
.TP
.B ncat --hex-dump FILE host 80
.B sockcat connect --hexdump-file FILE host:80
.SS socat
.TP
.B socat - TCP:host:80
.B sockcat connect host:80
.TP
.B socat - TCP-LISTEN:8080
.B sockcat listen 8080
.TP
.B socat - UNIX-CONNECT:/x
.B sockcat connect unix:/x
.TP
.B socat - ABSTRACT-CONNECT:name
.B sockcat connect @name
.TP
.B socat - UDP:host:53
.B sockcat connect udp:host:53
.TP
.B socat - UNIX-SENDTO:/x
.B sockcat connect unix-dgram:/x
.TP
.B echo msg | socat - UNIX-SENDTO:/x
.B sockcat send unix-dgram:/x msg
.TP
.B socat UNIX-LISTEN:/x,fork EXEC:cat
.B sockcat listen -k -e cat unix:/x
.TP
.B socat -x - TCP:host:80
.B sockcat connect -x host:80
.TP
.B socat UNIX-LISTEN:/x,mode=660,unlink-early -
.B sockcat listen --mode 660 --unlink unix:/x
.PP
Unlike socat's \fBunlink-early\fR, \fB--unlink\fR removes only a stale
socket, never a live one or a file that is not a socket; a TCP listener
always sets \fBSO_REUSEADDR\fR.
.SH "SEE ALSO"
.BR nc (1),
.BR ncat (1),
.BR socat (1),
.BR ping (8),
.BR unix (7),
.BR ip (7),
.BR tcp (7),
.BR udp (7)
"#;

const CONNECT: &str = r#".SH STREAMS
stdin goes to the socket and the socket to stdout, at once: neither
direction can block the other.
When stdin ends, sockcat half-closes the socket (\fBshutdown\fR(2) with
\fBSHUT_WR\fR), so the peer reads end of file, and keeps reading until the
peer closes; then it exits 0.
There is no hidden linger timer: a reply that comes a minute later is still
delivered.
\fB--no-shutdown\fR keeps the write side open instead, and
\fB-q\fR \fIDUR\fR exits \fIDUR\fR after stdin ends whatever the peer does.
.PP
A peer's end of file ends only what the peer sends: sockcat writes out
what arrived and goes on sending stdin until stdin ends, so a file sent to a
receiver whose own stdin is \fI/dev/null\fR, or who runs
\fB--recv-only\fR, arrives whole and both sides exit 0:
.PP
.EX
sockcat listen tcp:127.0.0.1:9000 </dev/null >copy &
sockcat connect tcp:127.0.0.1:9000 <file
.EE
.PP
The session ends at the peer's end of file, with status 0, only when
nothing more of stdin can be meant for it: stdin is a terminal (an
interactive session ends with its peer, as telnet's does), the peer is
gone altogether where the kernel shows it (a Unix stream or seqpacket peer
that closed), or \fB--exit-on-peer-eof\fR asks for it.
Data is never dropped quietly: a send that fails because the peer has gone
(\fBEPIPE\fR, \fBECONNRESET\fR) is status 1, naming the peer.
The same holds for \fBlisten\fR with one peer; a keep-open listener (\fBlisten -k\fR) closes
a peer as soon as that peer's end of file arrives.
.PP
\fB-d\fR reads no stdin and keeps the write side open; \fB--send-only\fR
never reads the socket and exits once stdin is sent; \fB--recv-only\fR
half-closes at once and never reads stdin.
.SH "MESSAGE FRAMING"
A stream carries bytes, not messages: two writes may arrive as one read and
one write as two.
Many local services therefore put a length before each message, and
\fB--frame\fR \fIFORMAT\fR speaks such a protocol: each line of stdin,
without its newline, is sent as one message (a \fB\er\fR stays, an empty
line is an empty message, a last line without a newline is a message too),
and each whole message received is written followed by a newline.
\fIFORMAT\fR is one of:
.TP
\fBlen:1\fR, \fBlen:2\fR, \fBlen:4\fR, \fBlen:8\fR
an N-byte big-endian length before each message (at most 255, 65535 and
4294967295 bytes in the first three).
\fBlen:4\fR is the 4-byte big-endian length of many RPC and IPC protocols:
\fBhello\fR goes as \fB00 00 00 05\fR then \fBhello\fR; in \fBlen:1\fR the
prefix is \fB05\fR, in \fBlen:2\fR \fB00 05\fR, in \fBlen:8\fR seven
\fB00\fR bytes then \fB05\fR.
.TP
\fBlen:2le\fR, \fBlen:4le\fR, \fBlen:8le\fR
the same, little-endian: \fBhello\fR in \fBlen:2le\fR is \fB05 00\fR then
\fBhello\fR, in \fBlen:4le\fR \fB05 00 00 00\fR then \fBhello\fR.
.TP
.B varint
protobuf's base-128 length prefix, the framing of delimited protobuf
streams (Java's \fBwriteDelimitedTo\fR and \fBparseDelimitedFrom\fR, C++'s
\fBSerializeDelimitedToOstream\fR): seven bits a byte, the low ones first,
the top bit set on every byte but the last.
\fBhello\fR goes as \fB05\fR then \fBhello\fR; a 300-byte message is
announced as \fBac 02\fR.
.TP
.B netstring
digits, a colon, the message and a comma: \fBhello\fR is \fB5:hello,\fR,
the empty message \fB0:,\fR (no leading zeros).
.PP
A line too long for its prefix or over \fB--max-frame\fR \fIBYTES\fR
(default 16 MiB) is status 1 naming it, and none of it is sent: stdin ends
there, the lines before it are sent, and the peer is heard until it
closes.
A length over \fB--max-frame\fR, a malformed prefix, or a message cut short
by the end of the stream ends the session with status 1, naming the byte
offset and what was wrong (\fBtruncated message at byte 4096: 12 of 40
bytes\fR); a bad prefix is caught at the first byte that makes it bad, and
whole messages before it are written, nothing half-decoded is.
(A keep-open listener ends only that peer; see
.BR sockcat-listen (1).)
\fB-x\fR dumps one message per chunk, its length in the chunk's header,
and \fB--events json\fR counts whole messages each way.
A message is held in memory once, whole, before it is written, and while
it waits for a slow reader nothing more is read: a slow peer stops the
reading of stdin, a slow stdout the reading of the peer.
On datagram and seqpacket sockets \fB--frame\fR is status 2: they keep
message boundaries already.
A message sent from stdin cannot hold a newline; a binary one (a
serialized protobuf) goes from a file with
.BR sockcat-send (1).
.PP
Ask a service that frames JSON with a 4-byte big-endian length for its
status, and print each reply on its line:
.IP
.EX
printf '{"cmd":"status"}\en' | sockcat connect --frame len:4 unix:/run/app.sock
.EE
.PP
Send each line of a file as one varint-delimited message and print the
replies:
.IP
.EX
sockcat connect --frame varint tcp:127.0.0.1:9000 <requests.txt
.EE
.SH DATAGRAMS
With \fBudp:\fR, \fBunix-dgram:\fR or \fB-u\fR, each read of stdin becomes
one datagram (\fB--lines\fR: one datagram per input line, without its
newline).
Every datagram received is written to stdout as it came; a datagram the
kernel reports truncated (\fBMSG_TRUNC\fR) is an error, never silently cut.
With \fB--lines\fR each datagram received is written followed by a newline
unless it ends with one, so replies print one a line.
.PP
After stdin ends sockcat keeps receiving until \fB-q\fR \fIDUR\fR (default
1s) has passed since the later of stdin's end and the last datagram
received, so that \fBecho cmd | sockcat connect -u host:port\fR prints the
reply.
.PP
A Unix datagram client binds an address of its own so that replies can
reach it: an abstract one the kernel picks, which leaves no file, or the
\fIPATH\fR of \fB-s\fR, which sockcat removes on exit.
.SH "PORT PROBES"
\fB-z\fR probes without sending data.
\fIPORT\fR may then be a list and ranges, as in
\fBsockcat connect -z localhost:22,80,8000-8010\fR; a range that runs
backwards is exit 2.
Up to 128 probes are in flight at once, each bounded by \fB-w\fR \fIDUR\fR
(2s without it); under a descriptor limit too low for that, fewer.
A port is never reported closed because sockcat had no socket to spare:
a sweep that cannot open even one socket is exit 1, naming the reason.
Results come in port order: one \fBtcp:\fIHOST\fB:\fIPORT\fB open\fR line
on stdout per open port, and with \fB-v\fR the closed ones on stderr.
Exit 0 if any port is open, 1 if none is.
.PP
A UDP probe (\fB-u -z\fR) sends an empty datagram and counts the port closed
only when an ICMP port-unreachable comes back; silence may mean an open port
or a firewall, and is reported as open.
A Unix socket path is probed by connecting to it.
With \fB--retry\fR \fIDUR\fR, probing repeats until a port is open or
\fIDUR\fR has passed, so a script can wait for a service.
.SH "TIMEOUTS AND RETRIES"
\fB-w\fR \fIDUR\fR bounds the connect.
\fB-i\fR \fIDUR\fR ends the session after \fIDUR\fR with no data in either
direction (exit 1; a session that ended cleanly before it fired exits 0).
.PP
\fB--retry\fR \fIDUR\fR keeps retrying a connect that fails because the
service is not up yet (no such socket file, connection refused, or
\fBEAGAIN\fR on a full Unix backlog), pausing 50 ms at first and doubling
the pause up to 1 s, until \fIDUR\fR has passed; then it fails with the last
error.
.SH "EXIT STATUS"
0 when the session ended cleanly (either side closed), 1 when it failed at
run time (refused, timed out, reset, \fB-i\fR fired), 2 when the command line
cannot work as written; see
.BR sockcat (1).
.SH EXAMPLES
Type at a daemon's control socket:
.IP
.EX
sockcat connect unix:/run/app/control.sock
.EE
.PP
Ask Docker for its version over its Unix socket:
.IP
.EX
printf 'GET /version HTTP/1.0\er\en\er\en' | sockcat connect /var/run/docker.sock
.EE
.PP
Send a statsd metric and print any reply that comes within a second:
.IP
.EX
echo 'hits:1|c' | sockcat connect -u 127.0.0.1:8125
.EE
.PP
Wait up to 30 seconds for a daemon to create its socket, then ask it for
its status:
.IP
.EX
echo status | sockcat connect --retry 30s unix:/run/app/control.sock
.EE
.PP
Fetch a page over HTTP, with the CRLF line ends the protocol wants:
.IP
.EX
printf 'GET / HTTP/1.0\enHost: example.com\en\en' | sockcat connect -C example.com:80
.EE
.PP
Wait up to 30 seconds for PostgreSQL to accept connections:
.IP
.EX
sockcat connect -z --retry 30s tcp:127.0.0.1:5432 && psql
.EE
.PP
See which of a few local ports are open, dumping nothing:
.IP
.EX
sockcat connect -z -v 127.0.0.1:22,80,8000-8010
.EE
.PP
Watch the bytes of an exchange as a hex dump on stderr:
.IP
.EX
echo ping | sockcat connect -x -u 127.0.0.1:8125
.EE
.PP
Talk to a service in the abstract namespace, five seconds at most:
.IP
.EX
sockcat connect -w 5s -i 5s @myservice
.EE
.SH "SEE ALSO"
.BR sockcat (1),
.BR sockcat-listen (1),
.BR sockcat-send (1),
.BR nc (1),
.BR socat (1),
.BR shutdown (2),
.BR unix (7),
.BR tcp (7),
.BR udp (7)
"#;

const LISTEN: &str = r#".SH PEERS
Without \fB-k\fR, sockcat serves one peer and exits when that session
ends, as
.BR sockcat-connect (1)
describes.
Once a stream or seqpacket listener has accepted its peer it closes the
listening socket, so later clients are refused rather than left waiting in
the queue.
\fB-w\fR \fIDUR\fR gives up if no peer arrives within \fIDUR\fR (exit 1).
.PP
\fB-k\fR (\fB--keep-open\fR) keeps accepting and serves peers
concurrently, on one event loop with no thread or process per peer, until
it is interrupted.
What is read from stdin goes to every connected peer; a peer that falls
more than 4 MiB behind is dropped (and reported with \fB-v\fR), so no
peer can stall the others.
What a peer sends reaches stdout whole per read, never interleaved with
another peer's.
With \fB--frame\fR the unit is the message (see MESSAGE FRAMING).
\fB-m\fR \fIN\fR (\fB--max-conns\fR) serves at most \fIN\fR peers at
once: the next one waits in the listen queue until a slot frees, or, with
\fB--refuse-extra\fR, is accepted and closed at once.
\fB-i\fR and \fB-q\fR do not apply with \fB-k\fR.
.PP
\fB-e\fR \fIPROG\fR [\fIARGS\fR...] (\fB--exec\fR) runs \fIPROG\fR for each
peer with the socket as its stdin and stdout, never through a shell;
\fB-c\fR \fICMD\fR (\fB--sh-exec\fR) does the same through
\fB/bin/sh -c\fR.
stderr stays sockcat's.
A child's exit closes its peer; a peer that leaves closes the child's
stdin.
Children are reaped as they exit, and on SIGINT or SIGTERM they get SIGTERM
(then SIGKILL after 2 seconds).
Without \fB-k\fR the first peer is served and sockcat exits 0 when its
child does.
.PP
\fB--broker\fR (which implies \fB-k\fR) relays what one peer sends to
every other peer, and to stdout.
.PP
\fB--frame\fR does not combine with \fB-e\fR or \fB-c\fR (status 2): the
child reads and writes the socket itself, so sockcat never sees the
messages; let the child speak the frames.
.PP
With \fB-v\fR, sockcat reports each peer it accepts or refuses and each
session it closes; a Unix stream or seqpacket peer comes with the pid, uid
and gid the kernel reports for it (\fBSO_PEERCRED\fR).
.SH "MESSAGE FRAMING"
\fB--frame\fR \fIFORMAT\fR takes the formats of
.BR sockcat-connect (1).
Without \fB-k\fR the one peer's session is framed as there.
With \fB-k\fR each line of stdin is framed once and sent to every
connected peer as one message, and each peer's messages are printed whole,
one a line, each peer's stream decoded on its own.
A message of one peer is never printed with part of another's inside: a
message still arriving waits until it is whole, and one being written to a
slow stdout is finished before the next peer's begins.
A peer holds at most one whole message while stdout is busy and is not
read meanwhile, so a slow stdout slows the peers rather than filling
memory.
A message longer than the 4 MiB a peer may fall behind still goes to a
peer with nothing else queued.
.PP
A peer whose framing goes wrong (a length over \fB--max-frame\fR, a
malformed prefix, a message cut short by its end of file) ends alone: its
whole messages before the fault are printed, then it is closed, and one
line on stderr names it, the byte offset in its stream and what was wrong:
.IP
.EX
sockcat: receive from tcp:127.0.0.1:40312: truncated message at byte 4096: 12 of 40 bytes
.EE
.PP
(With \fB-v\fR or \fB--events json\fR the peer's \fBclosed\fR event
carries it instead.)
The listener and its other peers go on: a peer's bytes are its own to get
wrong, its lost boundaries say nothing about the others', and a listener
that one client's bad prefix could stop would serve every client only as
long as the worst of them allowed.
Without \fB-k\fR the same fault ends the session with status 1, as for
\fBconnect\fR.
A line of stdin too long for its prefix or over \fB--max-frame\fR is
sockcat's own input gone wrong: status 1, with or without \fB-k\fR.
.PP
With \fB--broker\fR a peer's message is relayed, whole and framed again,
to every other peer as it is printed.
.SH "ACCESS RULES"
\fB--allow\fR \fICIDR\fR and \fB--deny\fR \fICIDR\fR (repeatable) admit
IP peers by address; \fB--deny\fR wins, and an IPv4 peer on a dual-stack
listener (\fB::ffff:a.b.c.d\fR) is matched and printed as IPv4.
\fB--allow-uid\fR \fIUID\fR and \fB--allow-gid\fR \fIGID\fR admit Unix
peers by the credentials the kernel reports: \fBSO_PEERCRED\fR for stream
and seqpacket, and for \fBunix-dgram:\fR the credentials attached to each
datagram (\fBSO_PASSCRED\fR), dropping datagrams from others.
A refused peer is closed before any byte is read from it, and \fB-v\fR says
why.
.SH ENVIRONMENT
A child of \fB-e\fR or \fB-c\fR finds in its environment
\fBSOCKCAT_PEER\fR, the peer's canonical address, and \fBSOCKCAT_LOCAL\fR,
the local address the peer reached: for TCP the connection's own, so that
on a wildcard listener (\fB:8080\fR) it is the address the peer connected
to (\fBtcp:127.0.0.1:8080\fR, an IPv4 peer as IPv4), and for Unix the
listener's.
Bytes that are not printable ASCII are written as \fB\exHH\fR.
For Unix peers there are also \fBSOCKCAT_PEER_PID\fR,
\fBSOCKCAT_PEER_UID\fR and \fBSOCKCAT_PEER_GID\fR.
.SH "SOCKET FILES"
\fB--mode\fR, \fB--owner\fR and \fB--group\fR set the socket file's mode and
ownership before \fBlisten\fR(2), so no peer can ever connect while they are
wrong.
They and \fB--unlink\fR are about a file sockcat creates, so they need a Unix
socket path: on a TCP or UDP address, an abstract name or \fBfd:\fIN\fR they
are exit 2, before anything is bound.
.PP
A file already at \fIPATH\fR is an error, unless \fB--unlink\fR is given and
it is a stale socket, one that nobody accepts on.
A file that is not a socket is exit 2 and is never touched.
A live socket, or a stale one without \fB--unlink\fR, is exit 1; the stale
case says to use \fB--unlink\fR.
.PP
sockcat removes the socket file it created when it exits, on SIGINT and
SIGTERM too, and never removes a file it did not create.
An abstract address (\fB@\fINAME\fR) has no file and vanishes with the
socket.
.SH DATAGRAMS
On \fBudp:\fR and \fBunix-dgram:\fR without \fB-k\fR the first sender becomes the peer:
later datagrams from others are ignored, and stdin goes to that first
sender.
sockcat reads no stdin until it has a peer to send it to.
It keeps receiving until it is interrupted, unless \fB-q\fR \fIDUR\fR of
silence after stdin ends (exit 0) or \fB-i\fR \fIDUR\fR with no data either
way (exit 1) ends the session first.
There is no default \fB-q\fR here: the 1s that \fBsockcat connect\fR waits
for replies after stdin ends is a client's, and a listener whose stdin has
ended is still there for its sender.
.PP
With \fB-k\fR, datagrams from every sender are printed and stdin goes to
the latest sender (\fB-v\fR names it).
.PP
A Unix datagram sender with no address of its own (as \fBlogger -u\fR and
\fBsystemd-cat\fR send) is still received and printed; \fB-v\fR warns once
that replies cannot reach it, and the first sender with an address becomes
the peer.
A datagram that has arrived is always printed: a sender that is already
gone (a one-shot \fBsockcat send\fR, a script that sent and closed) cannot
become the peer, which \fB-v\fR reports, and costs at most the replies
meant for it; the next sender is tried.
With \fB-k\fR a reply that cannot reach the latest sender is reported
with \fB-v\fR and dropped, and the listener goes on.
.PP
\fB--lines\fR writes each datagram on a line of its own (followed by a
newline unless it ends with one), as a syslog-style receiver shows
messages:
.IP
.EX
sockcat listen --lines unix-dgram:/tmp/log.sock
.EE
.SH TCP
A TCP listener sets \fBSO_REUSEADDR\fR, so a restarted listener binds at
once.
\fB--backlog\fR \fIN\fR sets the queue of connections not yet accepted; the
kernel caps it at \fBnet.core.somaxconn\fR.
\fB:\fIPORT\fR or a bare \fIPORT\fR listens on all interfaces, dual-stack
where the system allows; port 0 binds an ephemeral port, which \fB-v\fR
prints in its \fBlistening on\fR line.
.SH EXAMPLES
Serve one TCP client on port 8080 and print what it sends:
.IP
.EX
sockcat listen 8080
.EE
.PP
Listen on an ephemeral loopback port and print which one:
.IP
.EX
sockcat listen -v 127.0.0.1:0
.EE
.PP
Receive one file on port 9000 (the sender runs
\fBsockcat connect\fR \fIHOST\fB:9000 < backup.tar\fR):
.IP
.EX
sockcat listen 9000 > backup.tar
.EE
.PP
A control socket only the \fBapp\fR group may use, replacing a stale one left
by a crash:
.IP
.EX
sockcat listen --mode 660 --group app --unlink unix:/run/app/control.sock
.EE
.PP
An echo server, one \fBcat\fR per client, as many clients as come:
.IP
.EX
sockcat listen -k -e cat unix:/tmp/echo.sock
.EE
.PP
Tell each client which uid the kernel says it has:
.IP
.EX
sockcat listen -k -c 'echo "uid $SOCKCAT_PEER_UID"' unix:/tmp/whoami.sock
.EE
.PP
A chat room on port 9000, loopback clients only:
.IP
.EX
sockcat listen --broker --allow 127.0.0.0/8 9000
.EE
.PP
Serve every client of a protocol with 4-byte big-endian lengths, print
each message any of them sends on its own line, and send each line typed
to all of them as one message:
.IP
.EX
sockcat listen -k --frame len:4 unix:/tmp/app.sock
.EE
.PP
Catch what \fBlogger\fR sends to a datagram socket:
.IP
.EX
sockcat listen unix-dgram:/tmp/log.sock &
logger -u /tmp/log.sock hello
.EE
.SH "SEE ALSO"
.BR sockcat (1),
.BR sockcat-connect (1),
.BR nc (1),
.BR ncat (1),
.BR socat (1),
.BR listen (2),
.BR unix (7),
.BR tcp (7),
.BR udp (7)
"#;

const FORWARD: &str = r#".SH PAIRS
Each peer accepted on \fILISTEN\fR gets a connection of its own to
\fITARGET\fR, opened at once (so protocols where the server speaks first
work), and the two sockets are pumped into each other: a pair.
Every pair runs on one event loop; there is no process or thread per peer.
Both sides are stream sockets (TCP v4 or v6, Unix, abstract), or both
seqpacket (each record passed on whole); any other mix is status 2.
Both datagram (\fBudp:\fR, \fBunix-dgram:\fR) works too, as sessions:
each sender gets an upstream socket of its own, connected to
\fITARGET\fR (a Unix one autobinds, so no file is left), and the target's
replies on it go back to that sender from the listening address.
A session expires after \fB-i\fR \fIDUR\fR of silence (default 60s); at
most \fB-m\fR \fIN\fR sessions live at once (default 1024), and past that
the longest idle one is dropped for the new sender.
Datagrams from a sender with no address (\fBlogger -u\fR) are forwarded,
and replies to them are dropped.
.PP
The listening side takes the options of \fBlisten -k\fR: \fB-m\fR,
\fB--refuse-extra\fR, \fB--allow\fR/\fB--deny\fR,
\fB--allow-uid\fR/\fB--allow-gid\fR, \fB--mode\fR/\fB--owner\fR/\fB--group\fR,
\fB--unlink\fR and \fB--backlog\fR; a peer refused by a rule is closed
before any byte is read and \fITARGET\fR is never opened for it.
The target side takes those of \fBconnect\fR: \fB-w\fR, \fB--retry\fR,
\fB-s\fR, \fB-p\fR, \fB--nodelay\fR, \fB--keepalive\fR.
.PP
A host name in \fITARGET\fR is looked up once, before \fILISTEN\fR is
bound: a lookup blocks, and one per peer would hold up every pair on the
loop. A name that does not resolve is an error at start (status 2, or 1
when the resolver does not answer), and a change of its address
afterwards is seen only by a new \fBforward\fR. A Unix path is taken
anew for each peer, so a service that recreates its socket is found.
.SH ENDINGS
Each direction ends on its own: the end of what one side sends becomes a
half-close (\fBshutdown\fR(2) with \fBSHUT_WR\fR) on the other, and the
pair closes when both directions have ended, or after \fB-i\fR \fIDUR\fR
with no data either way (there is no idle limit for streams by default).
A reset or a failure on one side is passed on as a reset on the other
(\fBSO_LINGER\fR 0), never as a clean close.
A target that refuses or does not answer within \fB-w\fR closes that one
peer, said with \fB-v\fR; the listener goes on serving.
.SH WATCHING
\fB-v\fR reports each peer accepted, each target connected and each pair
closed, with its number, the bytes each way (\fBup\fR: peer to target,
\fBdown\fR: back) and how long it lasted; \fB--events json\fR reports
the same as \fBaccepted\fR, \fBconnected\fR and \fBclosed\fR objects, the
last with \fB"pair"\fR, \fB"target"\fR, \fB"up"\fR, \fB"down"\fR and
\fB"duration_ms"\fR.
\fB-x\fR dumps both directions of every pair, each chunk headed by the
pair's number, the direction (\fB>\fR peer to target, \fB<\fR target to
peer), its offset in that direction and the peer's address:
.IP
.EX
#1 > 0 unix: 2026-12-06T21:58:01.113456Z
00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|
.EE
.PP
Without \fB-x\fR a stream pair's bytes are spliced through a 64 KiB kernel
pipe each way (grown to 1 MiB for a pair that keeps it full) and never
enter sockcat's memory; the empty pipes of closed pairs are kept (up to
32) for new ones.
.SH EXAMPLES
Expose a Unix socket on a TCP port of loopback
(socat: \fBTCP-LISTEN:8080,fork,reuseaddr UNIX-CONNECT:/run/app.sock\fR):
.IP
.EX
sockcat forward tcp:127.0.0.1:8080 unix:/run/app.sock
.EE
.PP
The reverse, a TCP service as a Unix socket only one group may use
(socat: \fBUNIX-LISTEN:/run/db.sock,fork,mode=660 TCP:127.0.0.1:5432\fR):
.IP
.EX
sockcat forward --mode 660 --group db unix:/run/db.sock tcp:127.0.0.1:5432
.EE
.PP
Watch what a client and a local service say to each other: point the
client at \fI/tmp/spy.sock\fR
(socat: \fB-x UNIX-LISTEN:/tmp/spy.sock,fork UNIX-CONNECT:/run/app.sock\fR):
.IP
.EX
sockcat forward -x unix:/tmp/spy.sock unix:/run/app.sock
.EE
.PP
IPv4 clients to an IPv6-only service
(socat: \fBTCP4-LISTEN:9000,fork TCP6:[::1]:9000\fR):
.IP
.EX
sockcat forward tcp4:0.0.0.0:9000 tcp6:[::1]:9000
.EE
.SH "SEE ALSO"
.BR sockcat (1),
.BR sockcat-listen (1),
.BR sockcat-connect (1),
.BR socat (1)
"#;

const SEND: &str = r#".SH PAYLOAD
The payload is the \fIDATA\fR arguments joined by single spaces, or the file
of \fB-f\fR \fIFILE\fR (\fB-\fR is stdin), or stdin when neither is given.
Nothing is added: \fBsockcat send \fIADDR\fB hello\fR sends five bytes, and
\fB-n\fR appends a newline.
.PP
\fB-E\fR/\fB--escapes\fR interprets these in \fIDATA\fR:
\fB\en\fR, \fB\er\fR, \fB\et\fR, \fB\e\e\fR, \fB\e0\fR and \fB\ex\fIHH\fR.
Any other backslash sequence, or a trailing backslash, is exit 2 naming it,
and nothing is sent.
.SH "MESSAGE FRAMING"
\fB--frame\fR \fIFORMAT\fR on a stream sends the whole payload as one
message behind a length prefix (with \fB--lines\fR, one message per line),
in the formats of \fBsockcat-connect\fR(1).
With \fB-r\fR the write side stays open until one whole message has come
back, and exactly that message is printed, followed by a newline; \fB-W\fR
bounds the wait.
A payload that cannot be framed (too long for its prefix, or over
\fB--max-frame\fR) is status 1 and nothing is sent, not even a connection
opened.
.IP
.EX
sockcat send --frame len:4 -r -W 2s unix:/run/app.sock '{"cmd":"status"}'
.EE
.PP
A delimited protobuf request (varint-framed, as Java's
\fBwriteDelimitedTo\fR writes it) made with \fBprotoc\fR, and its one
reply decoded; \fBhead\fR drops the newline sockcat prints after the
message:
.IP
.EX
protoc --encode=Request api.proto <request.txt >request.bin
sockcat send --frame varint -r -W 2s -f request.bin tcp:127.0.0.1:9000 |
  head -c -1 | protoc --decode=Response api.proto
.EE
.SH DELIVERY
On a stream sockcat connects, writes all of the payload, half-closes and
closes.
On a datagram socket exactly one datagram holds the whole payload
(\fB--lines\fR: one per line, without its newline); a payload larger than
the socket can carry is an error naming the limit, and nothing is sent,
never a truncated datagram.
.PP
\fB-r\fR/\fB--reply\fR then waits for the answer and writes it to stdout: on
a stream until the peer closes, on a datagram socket until the first
datagram arrives.
\fB-W\fR/\fB--wait\fR \fIDUR\fR bounds that wait.
.PP
Before it closes a TCP connection, sockcat waits until the peer has
acknowledged every byte: closing earlier could let a late answer reset the
connection and drop what the kernel had not yet sent.
Without \fB-r\fR an answer is read and dropped, so a peer that echoes cannot
stall the send.
With \fB-r\fR, a stream peer that closes without a word is exit 1, and on
UDP the port-unreachable of a host with no receiver comes back as exit 1
(without \fB-r\fR nothing comes back to say so: exit 0).
\fB-W\fR counts from the half-close.
.PP
A UDP datagram can carry 65507 bytes over IPv4 and 65527 over IPv6; a Unix
datagram or seqpacket record what the send buffer holds, which
\fB--sndbuf\fR raises.
\fB-E\fR without \fIDATA\fR, \fB--lines\fR on a stream, \fB--count 0\fR
and \fB-W\fR without \fB-r\fR are exit 2.
.PP
\fB--count\fR \fIN\fR and \fB--interval\fR \fIDUR\fR repeat the send (a new
connection each time), and
\fB--retry\fR \fIDUR\fR waits for a service that is not up yet, as on
.BR sockcat-connect (1).
.SH "EXIT STATUS"
.TP
.B 0
The whole payload was handed to the kernel (and, with \fB-r\fR, a reply
arrived).
.TP
.B 1
A refused connection, a missing socket file, a datagram socket with no
receiver, or no reply within \fB-W\fR.
.TP
.B 2
A bad escape, a malformed address, or anything else that cannot work as
written.
.SH EXAMPLES
Tell systemd that a service is ready, as \fBsystemd-notify --ready\fR does:
.IP
.EX
sockcat send unix-dgram:/run/systemd/notify READY=1
.EE
.PP
Ask Redis for a PONG:
.IP
.EX
sockcat send -r -E tcp:127.0.0.1:6379 'PING\er\en'
.EE
.PP
Log a syslog message (priority 13, user.notice) over UDP:
.IP
.EX
sockcat send udp:127.0.0.1:514 '<13>hello'
.EE
.PP
Send a JSON request from a file and print the answer, waiting at most 2
seconds for it:
.IP
.EX
sockcat send -r -W 2s -f request.json unix:/run/app/control.sock
.EE
.PP
A heartbeat datagram every 10 seconds, six times:
.IP
.EX
sockcat send --count 6 --interval 10s -u 127.0.0.1:9999 alive
.EE
.SH "SEE ALSO"
.BR sockcat (1),
.BR sockcat-connect (1),
.BR logger (1),
.BR systemd-notify (1),
.BR unix (7),
.BR udp (7)
"#;

const PING: &str = r#".SH PRIVILEGES
sockcat opens a raw ICMP socket when the process may (root, or the
\fBCAP_NET_RAW\fR capability); otherwise the unprivileged ICMP datagram
socket, which Linux allows when \fBnet.ipv4.ping_group_range\fR admits the
caller's group (the same setting covers ICMPv6); otherwise it fails with an
error that names both ways to get permission.
\fB--socket raw\fR or \fB--socket dgram\fR forces one.
.PP
To admit every group to the datagram socket:
.IP
.EX
sysctl -w net.ipv4.ping_group_range='0 2147483647'
.EE
.SH OUTPUT
The output follows iputils ping, so scripts that parse \fBping\fR keep
working:
.IP
.EX
PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms
\&...
--- 127.0.0.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 2003ms
rtt min/avg/max/mdev = 0.031/0.040/0.045/0.006 ms
.EE
.PP
Replies are matched by identifier and sequence number and checked
(checksum, type, length); anything else is ignored, never printed as a
reply.
Duplicates are marked \fB(DUP!)\fR, and late replies still count in the
totals.
\fB-q\fR prints only the summary; \fB--json\fR prints one JSON object per
line instead, each with \fB"type"\fR first:
\fBreply\fR (host, from, bytes, icmp_seq, ttl, time_ms, duplicate),
\fBerror\fR (host, from, icmp_seq, icmp_type, icmp_code, message) and
\fBsummary\fR (host, address, transmitted, received, duplicates, corrupted,
errors, loss_percent, time_ms and the rtt_min_ms, rtt_avg_ms, rtt_max_ms and
rtt_mdev_ms of the rtt line, null when nothing came back).
.PP
An ICMP error about one of our requests prints as iputils prints it
(\fBFrom 10.9.0.1 icmp_seq=1 Destination Host Unreachable\fR), and the
statistics line then adds \fB+N errors\fR (likewise \fB+N duplicates\fR and
\fB+N corrupted\fR for replies with a bad checksum, never shown as replies).
.PP
A \fIHOST\fR given as an address gets numbers only, as in iputils, which
then behaves as if given ping's \fB-n\fR.
A \fIHOST\fR given by name gets names, as iputils 20221126 prints them: on
IPv4 the header and the summary use its canonical name, and every line
about an address names it by reverse lookup
(\fB64 bytes from localhost (127.0.0.1): icmp_seq=1 ...\fR); on IPv6 the
header shows the target that way too
(\fBPING localhost(localhost (::1)) 56 data bytes\fR).
A name is printed where iputils prints it, but bytes of it that are not
printable ASCII (an /etc/hosts in Latin-1), and backslashes, are printed
as \fB\ex\fIHH\fR and \fB\e\e\fR, where iputils writes them raw:
\fBPING caf\exe9-canon (127.0.0.1) 56(84) bytes of data.\fR
Each address is looked up once; \fB--json\fR has addresses only.
Round-trip times come from the monotonic clock, in milliseconds, rounded as
iputils rounds them: three decimals below 1 ms, fewer above
(\fB0.045\fR, \fB1.23\fR, \fB12.3\fR, \fB123\fR).
.SH TIMING
Requests leave every \fB-i\fR \fIDUR\fR (default 1s) on a fixed schedule,
so a slow reply never delays the next request.
With \fB-c\fR \fIN\fR alone, sockcat sends \fIN\fR requests, then waits for
replies: \fB-W\fR \fIDUR\fR (default 10s) when none has come, else twice the
slowest round trip.
\fB-w\fR \fIDUR\fR ends the run after \fIDUR\fR, or once \fIN\fR replies
have come with \fB-c\fR.
.PP
As in iputils, a bare number is seconds (\fB-i 0.2\fR, \fB-W 2\fR); a
unit may be given too (\fB-i 200ms\fR).
An interval below 2 ms needs a raw socket's privileges, as in iputils.
\fB-I\fR names the interface or source address, which an IPv6 link-local
\fIHOST\fR needs.
.SH "EXIT STATUS"
.TP
.B 0
At least one reply came back.
.TP
.B 1
No reply came back, or fewer than \fB-c\fR by the \fB-w\fR deadline.
.TP
.B 2
Any other error, such as an unknown host or no permission for ICMP sockets.
.PP
SIGINT (Ctrl-C) prints the summary and exits by the same rules.
.SH EXAMPLES
Three echo requests to the loopback address:
.IP
.EX
sockcat ping -c 3 127.0.0.1
.EE
.PP
Is a host up? One request, one second to answer:
.IP
.EX
sockcat ping -q -c 1 -W 1s example.com && echo up
.EE
.PP
A link-local IPv6 neighbour through eth0:
.IP
.EX
sockcat ping -6 -I eth0 fe80::1
.EE
.PP
Ten requests a fifth of a second apart, summary only, without privileges:
.IP
.EX
sockcat ping --socket dgram -q -c 10 -i 200ms ::1
.EE
.PP
Round-trip times as JSON, for \fBjq\fR:
.IP
.EX
sockcat ping --json -c 3 127.0.0.1 | jq .
.EE
.SH "SEE ALSO"
.BR sockcat (1),
.BR ping (8),
.BR capabilities (7),
.BR icmp (7),
.BR ipv6 (7)
"#;

const COMPLETIONS: &str = r#".SH "WHAT IS COMPLETED"
Verbs, flags, the values of \fBping --socket\fR, shell names, and file paths
where an address, a file or a directory goes.
The scripts come from the same definition as the parser, so they offer
exactly the flags this binary accepts.
.SH EXAMPLES
bash, for one user (bash-completion loads it the first time
\fBsockcat\fR is completed):
.IP
.EX
mkdir -p ~/.local/share/bash-completion/completions
sockcat completions bash > ~/.local/share/bash-completion/completions/sockcat
.EE
.PP
zsh, into a directory on \fBfpath\fR before \fBcompinit\fR runs in
\fI~/.zshrc\fR:
.IP
.EX
mkdir -p ~/.zfunc
sockcat completions zsh > ~/.zfunc/_sockcat
# in ~/.zshrc: fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit
.EE
.PP
fish:
.IP
.EX
sockcat completions fish > ~/.config/fish/completions/sockcat.fish
.EE
.PP
elvish, in \fI~/.config/elvish/rc.elv\fR:
.IP
.EX
eval (sockcat completions elvish | slurp)
.EE
.PP
PowerShell, in \fB$PROFILE\fR:
.IP
.EX
sockcat completions powershell | Out-String | Invoke-Expression
.EE
.PP
Every script at once, under the names each shell looks for:
.IP
.EX
sockcat completions --dir completions
.EE
.SH "SEE ALSO"
.BR sockcat (1),
.BR sockcat-man (1),
.BR bash (1),
.BR zsh (1),
.BR fish (1)
"#;

const MAN: &str = r#".SH NOTES
The pages come from the same definition as the parser, so they list exactly
the flags this binary accepts.
An unknown \fIVERB\fR is exit 2, with the list of verbs.
.SH EXAMPLES
Read sockcat(1) without installing it:
.IP
.EX
sockcat man | man -l -
.EE
.PP
Read the page of one verb:
.IP
.EX
sockcat man listen | man -l -
.EE
.PP
Install every page for one user (\fBman\fR searches
\fI~/.local/share/man\fR when \fI~/.local/bin\fR is on \fBPATH\fR):
.IP
.EX
sockcat man --dir ~/.local/share/man/man1
.EE
.PP
Install them for everyone:
.IP
.EX
sudo sockcat man --dir /usr/local/share/man/man1 && sudo mandb -q
.EE
.SH "SEE ALSO"
.BR sockcat (1),
.BR sockcat-completions (1),
.BR man (1)
"#;
