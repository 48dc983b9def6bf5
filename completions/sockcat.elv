
use builtin;
use str;

set edit:completion:arg-completer[sockcat] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'sockcat'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'sockcat'= {
            cand --events 'Report every step as one JSON object per line on stderr instead (no -v needed)'
            cand -v 'Report each step on stderr (listening, accepted, connected, closed)'
            cand --verbose 'Report each step on stderr (listening, accepted, connected, closed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand connect 'Open ADDR and pipe it both ways: stdin to the socket, the socket to stdout'
            cand listen 'Bind ADDR, wait for one peer and pipe it to stdin/stdout'
            cand send 'Send one message to ADDR and exit'
            cand ping 'Send ICMP (IPv4) or ICMPv6 echo requests to HOST and print the replies'
            cand completions 'Print the completion script for SHELL on stdout'
            cand man 'Print sockcat(1), or sockcat-VERB(1) when a verb is named, as roff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sockcat;connect'= {
            cand --events 'Report every step as one JSON object per line on stderr instead (no -v needed)'
            cand -s 'Bind this local address before connecting (a Unix datagram client''s reply address)'
            cand --source 'Bind this local address before connecting (a Unix datagram client''s reply address)'
            cand -p 'Bind this local port before connecting'
            cand --source-port 'Bind this local port before connecting'
            cand -w 'Give up a connect that takes longer than DUR'
            cand --timeout 'Give up a connect that takes longer than DUR'
            cand --retry 'Retry a connect refused because the service is not up yet, for up to DUR'
            cand -i 'End the session after DUR with no data in either direction (exit 1)'
            cand --idle-timeout 'End the session after DUR with no data in either direction (exit 1)'
            cand -q 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence, default 1s)'
            cand --quit-after 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence, default 1s)'
            cand --sndbuf 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent'
            cand --rcvbuf 'Receive buffer size in bytes (SO_RCVBUF)'
            cand --hexdump-file 'Append the hex dump to FILE instead of stderr (implies -x)'
            cand -v 'Report each step on stderr (listening, accepted, connected, closed)'
            cand --verbose 'Report each step on stderr (listening, accepted, connected, closed)'
            cand -z 'Probe without sending data: ADDR''s port may be a list and ranges (host:22,80,8000-8010)'
            cand --zero-io 'Probe without sending data: ADDR''s port may be a list and ranges (host:22,80,8000-8010)'
            cand -u 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
            cand --udp 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
            cand -U 'Read a bare argument as a Unix socket path'
            cand --unix 'Read a bare argument as a Unix socket path'
            cand -4 'Use IPv4 addresses only'
            cand -6 'Use IPv6 addresses only'
            cand --no-shutdown 'Keep the socket''s write side open when stdin ends (no half-close)'
            cand --exit-on-peer-eof 'End the session when the peer''s EOF arrives, even if stdin has more'
            cand -d 'Do not read stdin; the socket''s write side stays open'
            cand --no-stdin 'Do not read stdin; the socket''s write side stays open'
            cand --send-only 'Only send stdin; never read from the socket, exit once stdin is sent'
            cand --recv-only 'Only receive; half-close the socket at once and never read stdin'
            cand -C 'Turn LF into CRLF on the way to the socket'
            cand --crlf 'Turn LF into CRLF on the way to the socket'
            cand --lines 'Datagrams: send one datagram per input line, without its newline, and write each datagram received followed by a newline unless it ends with one'
            cand --nodelay 'Disable Nagle''s algorithm (TCP_NODELAY); TCP only'
            cand --keepalive 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only'
            cand -x 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
            cand --hexdump 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sockcat;listen'= {
            cand --events 'Report every step as one JSON object per line on stderr instead (no -v needed)'
            cand -m 'Serve at most N peers at once; the next waits in the backlog until one leaves'
            cand --max-conns 'Serve at most N peers at once; the next waits in the backlog until one leaves'
            cand --allow 'Serve only IP peers in CIDR (v4 or v6; repeatable; a bare address is one host)'
            cand --deny 'Refuse IP peers in CIDR (repeatable); --deny wins over --allow'
            cand --allow-uid 'Serve only Unix peers of this uid (repeatable), as the kernel reports it'
            cand --allow-gid 'Serve only Unix peers whose primary gid is GID (repeatable)'
            cand -e 'Run PROG with ARGS for each peer, the socket as its stdin and stdout (no shell)'
            cand --exec 'Run PROG with ARGS for each peer, the socket as its stdin and stdout (no shell)'
            cand -c 'Run CMD through `/bin/sh -c` for each peer, as `-e` does'
            cand --sh-exec 'Run CMD through `/bin/sh -c` for each peer, as `-e` does'
            cand -w 'Give up if no peer arrives within DUR (exit 1)'
            cand --timeout 'Give up if no peer arrives within DUR (exit 1)'
            cand --backlog 'Queue of connections not yet accepted (the kernel caps it at net.core.somaxconn)'
            cand --mode 'Mode of the Unix socket file, set before listen(2) (octal, e.g. 660)'
            cand --owner 'Owner of the Unix socket file (user name or uid), set before listen(2)'
            cand --group 'Group of the Unix socket file (group name or gid), set before listen(2)'
            cand -i 'End the session after DUR with no data in either direction (exit 1)'
            cand --idle-timeout 'End the session after DUR with no data in either direction (exit 1)'
            cand -q 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence; without -q a datagram listener keeps receiving)'
            cand --quit-after 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence; without -q a datagram listener keeps receiving)'
            cand --sndbuf 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent'
            cand --rcvbuf 'Receive buffer size in bytes (SO_RCVBUF)'
            cand --hexdump-file 'Append the hex dump to FILE instead of stderr (implies -x)'
            cand -v 'Report each step on stderr (listening, accepted, connected, closed)'
            cand --verbose 'Report each step on stderr (listening, accepted, connected, closed)'
            cand -k 'Keep accepting after the first peer, serving peers concurrently'
            cand --keep-open 'Keep accepting after the first peer, serving peers concurrently'
            cand --refuse-extra 'Close peers past --max-conns at once instead of leaving them in the backlog'
            cand --broker 'Relay what each peer sends to every other peer (implies -k)'
            cand -u 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
            cand --udp 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
            cand -U 'Read a bare argument as a Unix socket path'
            cand --unix 'Read a bare argument as a Unix socket path'
            cand -4 'Use IPv4 addresses only'
            cand -6 'Use IPv6 addresses only'
            cand --unlink 'Remove a stale socket file (one nobody accepts on) at the path first'
            cand --no-shutdown 'Keep the socket''s write side open when stdin ends (no half-close)'
            cand --exit-on-peer-eof 'End the session when the peer''s EOF arrives, even if stdin has more'
            cand -d 'Do not read stdin; the socket''s write side stays open'
            cand --no-stdin 'Do not read stdin; the socket''s write side stays open'
            cand --send-only 'Only send stdin; never read from the socket, exit once stdin is sent'
            cand --recv-only 'Only receive; half-close the socket at once and never read stdin'
            cand -C 'Turn LF into CRLF on the way to the socket'
            cand --crlf 'Turn LF into CRLF on the way to the socket'
            cand --lines 'Datagrams: send one datagram per input line, without its newline, and write each datagram received followed by a newline unless it ends with one'
            cand --nodelay 'Disable Nagle''s algorithm (TCP_NODELAY); TCP only'
            cand --keepalive 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only'
            cand -x 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
            cand --hexdump 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sockcat;send'= {
            cand --events 'Report every step as one JSON object per line on stderr instead (no -v needed)'
            cand -f 'Send the contents of FILE (`-` is stdin)'
            cand --file 'Send the contents of FILE (`-` is stdin)'
            cand -W 'Give up waiting for the reply after DUR (exit 1)'
            cand --wait 'Give up waiting for the reply after DUR (exit 1)'
            cand --count 'Send the message N times'
            cand --interval 'Pause DUR between repeated sends'
            cand -s 'Bind this local address before connecting (a Unix datagram client''s reply address)'
            cand --source 'Bind this local address before connecting (a Unix datagram client''s reply address)'
            cand -p 'Bind this local port before connecting'
            cand --source-port 'Bind this local port before connecting'
            cand -w 'Give up a connect that takes longer than DUR'
            cand --timeout 'Give up a connect that takes longer than DUR'
            cand --retry 'Retry a connect refused because the service is not up yet, for up to DUR'
            cand --sndbuf 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent'
            cand --rcvbuf 'Receive buffer size in bytes (SO_RCVBUF)'
            cand --hexdump-file 'Append the hex dump to FILE instead of stderr (implies -x)'
            cand -v 'Report each step on stderr (listening, accepted, connected, closed)'
            cand --verbose 'Report each step on stderr (listening, accepted, connected, closed)'
            cand -E 'Interpret \n \r \t \\ \0 \xHH in DATA'
            cand --escapes 'Interpret \n \r \t \\ \0 \xHH in DATA'
            cand -n 'Append a newline to the payload'
            cand --newline 'Append a newline to the payload'
            cand --lines 'Datagrams: send one datagram per line, without its newline'
            cand -r 'Wait for the reply and print it (stream: until the peer closes; datagram: one)'
            cand --reply 'Wait for the reply and print it (stream: until the peer closes; datagram: one)'
            cand -u 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
            cand --udp 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
            cand -U 'Read a bare argument as a Unix socket path'
            cand --unix 'Read a bare argument as a Unix socket path'
            cand -4 'Use IPv4 addresses only'
            cand -6 'Use IPv6 addresses only'
            cand --nodelay 'Disable Nagle''s algorithm (TCP_NODELAY); TCP only'
            cand --keepalive 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only'
            cand -x 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
            cand --hexdump 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sockcat;ping'= {
            cand --events 'Report every step as one JSON object per line on stderr instead (no -v needed)'
            cand -c 'Stop after sending N requests (with -w: after N replies, or at the deadline)'
            cand --count 'Stop after sending N requests (with -w: after N replies, or at the deadline)'
            cand -i 'Wait DUR between requests (below 2ms only when privileged)'
            cand --interval 'Wait DUR between requests (below 2ms only when privileged)'
            cand -W 'After the last request, how long to wait when no reply has come (default 10s)'
            cand --timeout 'After the last request, how long to wait when no reply has come (default 10s)'
            cand -w 'Stop after DUR, whatever has been sent or received'
            cand --deadline 'Stop after DUR, whatever has been sent or received'
            cand -s 'Bytes of payload in each request'
            cand --size 'Bytes of payload in each request'
            cand -t 'Time to live (IPv4) or hop limit (IPv6) of the requests'
            cand --ttl 'Time to live (IPv4) or hop limit (IPv6) of the requests'
            cand -I 'Send from this interface or source address (needed for IPv6 link-local)'
            cand --interface 'Send from this interface or source address (needed for IPv6 link-local)'
            cand --socket 'Which ICMP socket to open'
            cand -v 'Report each step on stderr (listening, accepted, connected, closed)'
            cand --verbose 'Report each step on stderr (listening, accepted, connected, closed)'
            cand -q 'Print only the summary'
            cand --quiet 'Print only the summary'
            cand -4 'Use IPv4 only'
            cand -6 'Use IPv6 only'
            cand --json 'Print one JSON object per reply and one for the summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sockcat;completions'= {
            cand --events 'Report every step as one JSON object per line on stderr instead (no -v needed)'
            cand --dir 'Write the script of every shell under DIR instead'
            cand -v 'Report each step on stderr (listening, accepted, connected, closed)'
            cand --verbose 'Report each step on stderr (listening, accepted, connected, closed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sockcat;man'= {
            cand --events 'Report every step as one JSON object per line on stderr instead (no -v needed)'
            cand --dir 'Write every page under DIR instead'
            cand -v 'Report each step on stderr (listening, accepted, connected, closed)'
            cand --verbose 'Report each step on stderr (listening, accepted, connected, closed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sockcat;help'= {
            cand connect 'Open ADDR and pipe it both ways: stdin to the socket, the socket to stdout'
            cand listen 'Bind ADDR, wait for one peer and pipe it to stdin/stdout'
            cand send 'Send one message to ADDR and exit'
            cand ping 'Send ICMP (IPv4) or ICMPv6 echo requests to HOST and print the replies'
            cand completions 'Print the completion script for SHELL on stdout'
            cand man 'Print sockcat(1), or sockcat-VERB(1) when a verb is named, as roff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sockcat;help;connect'= {
        }
        &'sockcat;help;listen'= {
        }
        &'sockcat;help;send'= {
        }
        &'sockcat;help;ping'= {
        }
        &'sockcat;help;completions'= {
        }
        &'sockcat;help;man'= {
        }
        &'sockcat;help;help'= {
        }
    ]
    $completions[$command]
}
