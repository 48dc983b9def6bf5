# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sockcat_global_optspecs
    string join \n v/verbose events= h/help V/version
end

function __fish_sockcat_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sockcat_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sockcat_using_subcommand
    set -l cmd (__fish_sockcat_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sockcat -n "__fish_sockcat_needs_command" -l events -d 'Report every step as one JSON object per line on stderr instead (no -v needed)' -r -f -a "json\t'One JSON object per line: `event`, `time`, then the event\'s fields'"
complete -c sockcat -n "__fish_sockcat_needs_command" -s v -l verbose -d 'Report each step on stderr (listening, accepted, connected, closed)'
complete -c sockcat -n "__fish_sockcat_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockcat -n "__fish_sockcat_needs_command" -s V -l version -d 'Print version'
complete -c sockcat -n "__fish_sockcat_needs_command" -f -a "connect" -d 'Open ADDR and pipe it both ways: stdin to the socket, the socket to stdout'
complete -c sockcat -n "__fish_sockcat_needs_command" -f -a "listen" -d 'Bind ADDR, wait for one peer and pipe it to stdin/stdout'
complete -c sockcat -n "__fish_sockcat_needs_command" -f -a "forward" -d 'Accept peers on LISTEN and pipe each one to a connection of its own to TARGET'
complete -c sockcat -n "__fish_sockcat_needs_command" -f -a "send" -d 'Send one message to ADDR and exit'
complete -c sockcat -n "__fish_sockcat_needs_command" -f -a "ping" -d 'Send ICMP (IPv4) or ICMPv6 echo requests to HOST and print the replies'
complete -c sockcat -n "__fish_sockcat_needs_command" -f -a "completions" -d 'Print the completion script for SHELL on stdout'
complete -c sockcat -n "__fish_sockcat_needs_command" -f -a "man" -d 'Print sockcat(1), or sockcat-VERB(1) when a verb is named, as roff'
complete -c sockcat -n "__fish_sockcat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l events -d 'Report every step as one JSON object per line on stderr instead (no -v needed)' -r -f -a "json\t'One JSON object per line: `event`, `time`, then the event\'s fields'"
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s s -l source -d 'Bind this local address before connecting (a Unix datagram client\'s reply address)' -r -F
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s p -l source-port -d 'Bind this local port before connecting' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s w -l timeout -d 'Give up a connect that takes longer than DUR' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l retry -d 'Retry a connect refused because the service is not up yet, for up to DUR' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s i -l idle-timeout -d 'End the session after DUR with no data in either direction (exit 1)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s q -l quit-after -d 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence, default 1s)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l frame -d 'Streams: send each line of stdin as one message behind a length prefix (len:1, len:2, len:4, len:8, len:2le, len:4le, len:8le, varint or netstring) and write each message received on a line of its own' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l max-frame -d 'The largest message --frame sends or accepts, in bytes' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l sndbuf -d 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l rcvbuf -d 'Receive buffer size in bytes (SO_RCVBUF)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l hexdump-file -d 'Append the hex dump to FILE instead of stderr (implies -x)' -r -F
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s v -l verbose -d 'Report each step on stderr (listening, accepted, connected, closed)'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s z -l zero-io -d 'Probe without sending data: ADDR\'s port may be a list and ranges (host:22,80,8000-8010)'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s u -l udp -d 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s U -l unix -d 'Read a bare argument as a Unix socket path'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s 4 -d 'Use IPv4 addresses only'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s 6 -d 'Use IPv6 addresses only'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l no-shutdown -d 'Keep the socket\'s write side open when stdin ends (no half-close)'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l exit-on-peer-eof -d 'End the session when the peer\'s EOF arrives, even if stdin has more'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s d -l no-stdin -d 'Do not read stdin; the socket\'s write side stays open'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l send-only -d 'Only send stdin; never read from the socket, exit once stdin is sent'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l recv-only -d 'Only receive; half-close the socket at once and never read stdin'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s C -l crlf -d 'Turn LF into CRLF on the way to the socket'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l lines -d 'Datagrams: send one datagram per input line, without its newline, and write each datagram received followed by a newline unless it ends with one'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l nodelay -d 'Disable Nagle\'s algorithm (TCP_NODELAY); TCP only'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -l keepalive -d 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s x -l hexdump -d 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockcat -n "__fish_sockcat_using_subcommand connect" -s V -l version -d 'Print version'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l events -d 'Report every step as one JSON object per line on stderr instead (no -v needed)' -r -f -a "json\t'One JSON object per line: `event`, `time`, then the event\'s fields'"
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s m -l max-conns -d 'Serve at most N peers at once; the next waits in the backlog until one leaves' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l allow -d 'Serve only IP peers in CIDR (v4 or v6; repeatable; a bare address is one host)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l deny -d 'Refuse IP peers in CIDR (repeatable); --deny wins over --allow' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l allow-uid -d 'Serve only Unix peers of this uid (repeatable), as the kernel reports it' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l allow-gid -d 'Serve only Unix peers whose primary gid is GID (repeatable)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s e -l exec -d 'Run PROG with ARGS for each peer, the socket as its stdin and stdout (no shell)' -r -f -a "(__fish_complete_command)"
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s c -l sh-exec -d 'Run CMD through `/bin/sh -c` for each peer, as `-e` does' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s w -l timeout -d 'Give up if no peer arrives within DUR (exit 1)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l backlog -d 'Queue of connections not yet accepted (the kernel caps it at net.core.somaxconn)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l mode -d 'Mode of the Unix socket file, set before listen(2) (octal, e.g. 660)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l owner -d 'Owner of the Unix socket file (user name or uid), set before listen(2)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l group -d 'Group of the Unix socket file (group name or gid), set before listen(2)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s i -l idle-timeout -d 'End the session after DUR with no data in either direction (exit 1)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s q -l quit-after -d 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence; without -q a datagram listener keeps receiving)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l frame -d 'Streams: send each line of stdin as one message behind a length prefix (len:1, len:2, len:4, len:8, len:2le, len:4le, len:8le, varint or netstring) and write each message received on a line of its own' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l max-frame -d 'The largest message --frame sends or accepts, in bytes' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l sndbuf -d 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l rcvbuf -d 'Receive buffer size in bytes (SO_RCVBUF)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l hexdump-file -d 'Append the hex dump to FILE instead of stderr (implies -x)' -r -F
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s v -l verbose -d 'Report each step on stderr (listening, accepted, connected, closed)'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s k -l keep-open -d 'Keep accepting after the first peer, serving peers concurrently'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l refuse-extra -d 'Close peers past --max-conns at once instead of leaving them in the backlog'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l broker -d 'Relay what each peer sends to every other peer (implies -k)'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s u -l udp -d 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s U -l unix -d 'Read a bare argument as a Unix socket path'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s 4 -d 'Use IPv4 addresses only'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s 6 -d 'Use IPv6 addresses only'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l unlink -d 'Remove a stale socket file (one nobody accepts on) at the path first'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l no-shutdown -d 'Keep the socket\'s write side open when stdin ends (no half-close)'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l exit-on-peer-eof -d 'End the session when the peer\'s EOF arrives, even if stdin has more'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s d -l no-stdin -d 'Do not read stdin; the socket\'s write side stays open'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l send-only -d 'Only send stdin; never read from the socket, exit once stdin is sent'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l recv-only -d 'Only receive; half-close the socket at once and never read stdin'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s C -l crlf -d 'Turn LF into CRLF on the way to the socket'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l lines -d 'Datagrams: send one datagram per input line, without its newline, and write each datagram received followed by a newline unless it ends with one'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l nodelay -d 'Disable Nagle\'s algorithm (TCP_NODELAY); TCP only'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -l keepalive -d 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s x -l hexdump -d 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockcat -n "__fish_sockcat_using_subcommand listen" -s V -l version -d 'Print version'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l events -d 'Report every step as one JSON object per line on stderr instead (no -v needed)' -r -f -a "json\t'One JSON object per line: `event`, `time`, then the event\'s fields'"
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s m -l max-conns -d 'Serve at most N peers at once; the next waits in the backlog until one leaves' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l allow -d 'Serve only IP peers in CIDR (v4 or v6; repeatable; a bare address is one host)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l deny -d 'Refuse IP peers in CIDR (repeatable); --deny wins over --allow' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l allow-uid -d 'Serve only Unix peers of this uid (repeatable), as the kernel reports it' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l allow-gid -d 'Serve only Unix peers whose primary gid is GID (repeatable)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s s -l source -d 'Bind this local address before connecting (a Unix datagram client\'s reply address)' -r -F
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s p -l source-port -d 'Bind this local port before connecting' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s w -l timeout -d 'Give up a connect that takes longer than DUR' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l retry -d 'Retry a connect refused because the service is not up yet, for up to DUR' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s i -l idle-timeout -d 'Close a pair after DUR with no data either way (default: never)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l backlog -d 'Queue of connections not yet accepted (the kernel caps it at net.core.somaxconn)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l mode -d 'Mode of the Unix socket file, set before listen(2) (octal, e.g. 660)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l owner -d 'Owner of the Unix socket file (user name or uid), set before listen(2)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l group -d 'Group of the Unix socket file (group name or gid), set before listen(2)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l sndbuf -d 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l rcvbuf -d 'Receive buffer size in bytes (SO_RCVBUF)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l hexdump-file -d 'Append the hex dump to FILE instead of stderr (implies -x)' -r -F
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s v -l verbose -d 'Report each step on stderr (listening, accepted, connected, closed)'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l refuse-extra -d 'Close peers past --max-conns at once instead of leaving them in the backlog'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s u -l udp -d 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s U -l unix -d 'Read a bare argument as a Unix socket path'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s 4 -d 'Use IPv4 addresses only'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s 6 -d 'Use IPv6 addresses only'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l unlink -d 'Remove a stale socket file (one nobody accepts on) at the path first'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l nodelay -d 'Disable Nagle\'s algorithm (TCP_NODELAY); TCP only'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -l keepalive -d 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s x -l hexdump -d 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockcat -n "__fish_sockcat_using_subcommand forward" -s V -l version -d 'Print version'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l events -d 'Report every step as one JSON object per line on stderr instead (no -v needed)' -r -f -a "json\t'One JSON object per line: `event`, `time`, then the event\'s fields'"
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s f -l file -d 'Send the contents of FILE (`-` is stdin)' -r -F
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l frame -d 'Streams: send the payload as one message behind a length prefix (with --lines, one per line); with -r, print the first whole message back' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l max-frame -d 'The largest message --frame sends or accepts, in bytes' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s W -l wait -d 'Give up waiting for the reply after DUR (exit 1)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l count -d 'Send the message N times' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l interval -d 'Pause DUR between repeated sends' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s s -l source -d 'Bind this local address before connecting (a Unix datagram client\'s reply address)' -r -F
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s p -l source-port -d 'Bind this local port before connecting' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s w -l timeout -d 'Give up a connect that takes longer than DUR' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l retry -d 'Retry a connect refused because the service is not up yet, for up to DUR' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l sndbuf -d 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l rcvbuf -d 'Receive buffer size in bytes (SO_RCVBUF)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l hexdump-file -d 'Append the hex dump to FILE instead of stderr (implies -x)' -r -F
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s v -l verbose -d 'Report each step on stderr (listening, accepted, connected, closed)'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s E -l escapes -d 'Interpret \\n \\r \\t \\\\ \\0 \\xHH in DATA'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s n -l newline -d 'Append a newline to the payload'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l lines -d 'Datagrams: send one datagram per line, without its newline'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s r -l reply -d 'Wait for the reply and print it (stream: until the peer closes; datagram: one)'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s u -l udp -d 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s U -l unix -d 'Read a bare argument as a Unix socket path'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s 4 -d 'Use IPv4 addresses only'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s 6 -d 'Use IPv6 addresses only'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l nodelay -d 'Disable Nagle\'s algorithm (TCP_NODELAY); TCP only'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -l keepalive -d 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s x -l hexdump -d 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockcat -n "__fish_sockcat_using_subcommand send" -s V -l version -d 'Print version'
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -l events -d 'Report every step as one JSON object per line on stderr instead (no -v needed)' -r -f -a "json\t'One JSON object per line: `event`, `time`, then the event\'s fields'"
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s c -l count -d 'Stop after sending N requests (with -w: after N replies, or at the deadline)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s i -l interval -d 'Wait DUR between requests (below 2ms only when privileged)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s W -l timeout -d 'After the last request, how long to wait when no reply has come (default 10s)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s w -l deadline -d 'Stop after DUR, whatever has been sent or received' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s s -l size -d 'Bytes of payload in each request' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s t -l ttl -d 'Time to live (IPv4) or hop limit (IPv6) of the requests' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s I -l interface -d 'Send from this interface or source address (needed for IPv6 link-local)' -r
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -l socket -d 'Which ICMP socket to open' -r -f -a "auto\t'Raw when permitted (root or CAP_NET_RAW), else the unprivileged datagram socket'
raw\t'A raw ICMP socket (needs root or CAP_NET_RAW)'
dgram\t'The unprivileged ICMP datagram socket (needs net.ipv4.ping_group_range)'"
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s v -l verbose -d 'Report each step on stderr (listening, accepted, connected, closed)'
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s q -l quiet -d 'Print only the summary'
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s 4 -d 'Use IPv4 only'
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s 6 -d 'Use IPv6 only'
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -l json -d 'Print one JSON object per reply and one for the summary'
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockcat -n "__fish_sockcat_using_subcommand ping" -s V -l version -d 'Print version'
complete -c sockcat -n "__fish_sockcat_using_subcommand completions" -l events -d 'Report every step as one JSON object per line on stderr instead (no -v needed)' -r -f -a "json\t'One JSON object per line: `event`, `time`, then the event\'s fields'"
complete -c sockcat -n "__fish_sockcat_using_subcommand completions" -l dir -d 'Write the script of every shell under DIR instead' -r -f -a "(__fish_complete_directories)"
complete -c sockcat -n "__fish_sockcat_using_subcommand completions" -s v -l verbose -d 'Report each step on stderr (listening, accepted, connected, closed)'
complete -c sockcat -n "__fish_sockcat_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockcat -n "__fish_sockcat_using_subcommand completions" -s V -l version -d 'Print version'
complete -c sockcat -n "__fish_sockcat_using_subcommand man" -l events -d 'Report every step as one JSON object per line on stderr instead (no -v needed)' -r -f -a "json\t'One JSON object per line: `event`, `time`, then the event\'s fields'"
complete -c sockcat -n "__fish_sockcat_using_subcommand man" -l dir -d 'Write every page under DIR instead' -r -f -a "(__fish_complete_directories)"
complete -c sockcat -n "__fish_sockcat_using_subcommand man" -s v -l verbose -d 'Report each step on stderr (listening, accepted, connected, closed)'
complete -c sockcat -n "__fish_sockcat_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockcat -n "__fish_sockcat_using_subcommand man" -s V -l version -d 'Print version'
complete -c sockcat -n "__fish_sockcat_using_subcommand help; and not __fish_seen_subcommand_from connect listen forward send ping completions man help" -f -a "connect" -d 'Open ADDR and pipe it both ways: stdin to the socket, the socket to stdout'
complete -c sockcat -n "__fish_sockcat_using_subcommand help; and not __fish_seen_subcommand_from connect listen forward send ping completions man help" -f -a "listen" -d 'Bind ADDR, wait for one peer and pipe it to stdin/stdout'
complete -c sockcat -n "__fish_sockcat_using_subcommand help; and not __fish_seen_subcommand_from connect listen forward send ping completions man help" -f -a "forward" -d 'Accept peers on LISTEN and pipe each one to a connection of its own to TARGET'
complete -c sockcat -n "__fish_sockcat_using_subcommand help; and not __fish_seen_subcommand_from connect listen forward send ping completions man help" -f -a "send" -d 'Send one message to ADDR and exit'
complete -c sockcat -n "__fish_sockcat_using_subcommand help; and not __fish_seen_subcommand_from connect listen forward send ping completions man help" -f -a "ping" -d 'Send ICMP (IPv4) or ICMPv6 echo requests to HOST and print the replies'
complete -c sockcat -n "__fish_sockcat_using_subcommand help; and not __fish_seen_subcommand_from connect listen forward send ping completions man help" -f -a "completions" -d 'Print the completion script for SHELL on stdout'
complete -c sockcat -n "__fish_sockcat_using_subcommand help; and not __fish_seen_subcommand_from connect listen forward send ping completions man help" -f -a "man" -d 'Print sockcat(1), or sockcat-VERB(1) when a verb is named, as roff'
complete -c sockcat -n "__fish_sockcat_using_subcommand help; and not __fish_seen_subcommand_from connect listen forward send ping completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sockcat -n "__fish_seen_subcommand_from completions" -f -a "bash elvish fish powershell zsh"
