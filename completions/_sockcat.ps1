
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'sockcat' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'sockcat'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'sockcat' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Report every step as one JSON object per line on stderr instead (no -v needed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Open ADDR and pipe it both ways: stdin to the socket, the socket to stdout')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Bind ADDR, wait for one peer and pipe it to stdin/stdout')
            [CompletionResult]::new('forward', 'forward', [CompletionResultType]::ParameterValue, 'Accept peers on LISTEN and pipe each one to a connection of its own to TARGET')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send one message to ADDR and exit')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Send ICMP (IPv4) or ICMPv6 echo requests to HOST and print the replies')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for SHELL on stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print sockcat(1), or sockcat-VERB(1) when a verb is named, as roff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sockcat;connect' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Report every step as one JSON object per line on stderr instead (no -v needed)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Bind this local address before connecting (a Unix datagram client''s reply address)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Bind this local address before connecting (a Unix datagram client''s reply address)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Bind this local port before connecting')
            [CompletionResult]::new('--source-port', '--source-port', [CompletionResultType]::ParameterName, 'Bind this local port before connecting')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Give up a connect that takes longer than DUR')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up a connect that takes longer than DUR')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Retry a connect refused because the service is not up yet, for up to DUR')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'End the session after DUR with no data in either direction (exit 1)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'End the session after DUR with no data in either direction (exit 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence, default 1s)')
            [CompletionResult]::new('--quit-after', '--quit-after', [CompletionResultType]::ParameterName, 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence, default 1s)')
            [CompletionResult]::new('--frame', '--frame', [CompletionResultType]::ParameterName, 'Streams: send each line of stdin as one message behind a length prefix (len:1, len:2, len:4, len:8, len:2le, len:4le, len:8le, varint or netstring) and write each message received on a line of its own')
            [CompletionResult]::new('--max-frame', '--max-frame', [CompletionResultType]::ParameterName, 'The largest message --frame sends or accepts, in bytes')
            [CompletionResult]::new('--sndbuf', '--sndbuf', [CompletionResultType]::ParameterName, 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent')
            [CompletionResult]::new('--rcvbuf', '--rcvbuf', [CompletionResultType]::ParameterName, 'Receive buffer size in bytes (SO_RCVBUF)')
            [CompletionResult]::new('--hexdump-file', '--hexdump-file', [CompletionResultType]::ParameterName, 'Append the hex dump to FILE instead of stderr (implies -x)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Probe without sending data: ADDR''s port may be a list and ranges (host:22,80,8000-8010)')
            [CompletionResult]::new('--zero-io', '--zero-io', [CompletionResultType]::ParameterName, 'Probe without sending data: ADDR''s port may be a list and ranges (host:22,80,8000-8010)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path')
            [CompletionResult]::new('-U', '-U ', [CompletionResultType]::ParameterName, 'Read a bare argument as a Unix socket path')
            [CompletionResult]::new('--unix', '--unix', [CompletionResultType]::ParameterName, 'Read a bare argument as a Unix socket path')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Use IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Use IPv6 addresses only')
            [CompletionResult]::new('--no-shutdown', '--no-shutdown', [CompletionResultType]::ParameterName, 'Keep the socket''s write side open when stdin ends (no half-close)')
            [CompletionResult]::new('--exit-on-peer-eof', '--exit-on-peer-eof', [CompletionResultType]::ParameterName, 'End the session when the peer''s EOF arrives, even if stdin has more')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Do not read stdin; the socket''s write side stays open')
            [CompletionResult]::new('--no-stdin', '--no-stdin', [CompletionResultType]::ParameterName, 'Do not read stdin; the socket''s write side stays open')
            [CompletionResult]::new('--send-only', '--send-only', [CompletionResultType]::ParameterName, 'Only send stdin; never read from the socket, exit once stdin is sent')
            [CompletionResult]::new('--recv-only', '--recv-only', [CompletionResultType]::ParameterName, 'Only receive; half-close the socket at once and never read stdin')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Turn LF into CRLF on the way to the socket')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'Turn LF into CRLF on the way to the socket')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Datagrams: send one datagram per input line, without its newline, and write each datagram received followed by a newline unless it ends with one')
            [CompletionResult]::new('--nodelay', '--nodelay', [CompletionResultType]::ParameterName, 'Disable Nagle''s algorithm (TCP_NODELAY); TCP only')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time')
            [CompletionResult]::new('--hexdump', '--hexdump', [CompletionResultType]::ParameterName, 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sockcat;listen' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Report every step as one JSON object per line on stderr instead (no -v needed)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Serve at most N peers at once; the next waits in the backlog until one leaves')
            [CompletionResult]::new('--max-conns', '--max-conns', [CompletionResultType]::ParameterName, 'Serve at most N peers at once; the next waits in the backlog until one leaves')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Serve only IP peers in CIDR (v4 or v6; repeatable; a bare address is one host)')
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Refuse IP peers in CIDR (repeatable); --deny wins over --allow')
            [CompletionResult]::new('--allow-uid', '--allow-uid', [CompletionResultType]::ParameterName, 'Serve only Unix peers of this uid (repeatable), as the kernel reports it')
            [CompletionResult]::new('--allow-gid', '--allow-gid', [CompletionResultType]::ParameterName, 'Serve only Unix peers whose primary gid is GID (repeatable)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run PROG with ARGS for each peer, the socket as its stdin and stdout (no shell)')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run PROG with ARGS for each peer, the socket as its stdin and stdout (no shell)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Run CMD through `/bin/sh -c` for each peer, as `-e` does')
            [CompletionResult]::new('--sh-exec', '--sh-exec', [CompletionResultType]::ParameterName, 'Run CMD through `/bin/sh -c` for each peer, as `-e` does')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Give up if no peer arrives within DUR (exit 1)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up if no peer arrives within DUR (exit 1)')
            [CompletionResult]::new('--backlog', '--backlog', [CompletionResultType]::ParameterName, 'Queue of connections not yet accepted (the kernel caps it at net.core.somaxconn)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Mode of the Unix socket file, set before listen(2) (octal, e.g. 660)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Owner of the Unix socket file (user name or uid), set before listen(2)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Group of the Unix socket file (group name or gid), set before listen(2)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'End the session after DUR with no data in either direction (exit 1)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'End the session after DUR with no data in either direction (exit 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence; without -q a datagram listener keeps receiving)')
            [CompletionResult]::new('--quit-after', '--quit-after', [CompletionResultType]::ParameterName, 'Exit DUR after stdin ends, whatever the peer does (datagrams: DUR of silence; without -q a datagram listener keeps receiving)')
            [CompletionResult]::new('--frame', '--frame', [CompletionResultType]::ParameterName, 'Streams: send each line of stdin as one message behind a length prefix (len:1, len:2, len:4, len:8, len:2le, len:4le, len:8le, varint or netstring) and write each message received on a line of its own')
            [CompletionResult]::new('--max-frame', '--max-frame', [CompletionResultType]::ParameterName, 'The largest message --frame sends or accepts, in bytes')
            [CompletionResult]::new('--sndbuf', '--sndbuf', [CompletionResultType]::ParameterName, 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent')
            [CompletionResult]::new('--rcvbuf', '--rcvbuf', [CompletionResultType]::ParameterName, 'Receive buffer size in bytes (SO_RCVBUF)')
            [CompletionResult]::new('--hexdump-file', '--hexdump-file', [CompletionResultType]::ParameterName, 'Append the hex dump to FILE instead of stderr (implies -x)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep accepting after the first peer, serving peers concurrently')
            [CompletionResult]::new('--keep-open', '--keep-open', [CompletionResultType]::ParameterName, 'Keep accepting after the first peer, serving peers concurrently')
            [CompletionResult]::new('--refuse-extra', '--refuse-extra', [CompletionResultType]::ParameterName, 'Close peers past --max-conns at once instead of leaving them in the backlog')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Relay what each peer sends to every other peer (implies -k)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path')
            [CompletionResult]::new('-U', '-U ', [CompletionResultType]::ParameterName, 'Read a bare argument as a Unix socket path')
            [CompletionResult]::new('--unix', '--unix', [CompletionResultType]::ParameterName, 'Read a bare argument as a Unix socket path')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Use IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Use IPv6 addresses only')
            [CompletionResult]::new('--unlink', '--unlink', [CompletionResultType]::ParameterName, 'Remove a stale socket file (one nobody accepts on) at the path first')
            [CompletionResult]::new('--no-shutdown', '--no-shutdown', [CompletionResultType]::ParameterName, 'Keep the socket''s write side open when stdin ends (no half-close)')
            [CompletionResult]::new('--exit-on-peer-eof', '--exit-on-peer-eof', [CompletionResultType]::ParameterName, 'End the session when the peer''s EOF arrives, even if stdin has more')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Do not read stdin; the socket''s write side stays open')
            [CompletionResult]::new('--no-stdin', '--no-stdin', [CompletionResultType]::ParameterName, 'Do not read stdin; the socket''s write side stays open')
            [CompletionResult]::new('--send-only', '--send-only', [CompletionResultType]::ParameterName, 'Only send stdin; never read from the socket, exit once stdin is sent')
            [CompletionResult]::new('--recv-only', '--recv-only', [CompletionResultType]::ParameterName, 'Only receive; half-close the socket at once and never read stdin')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Turn LF into CRLF on the way to the socket')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'Turn LF into CRLF on the way to the socket')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Datagrams: send one datagram per input line, without its newline, and write each datagram received followed by a newline unless it ends with one')
            [CompletionResult]::new('--nodelay', '--nodelay', [CompletionResultType]::ParameterName, 'Disable Nagle''s algorithm (TCP_NODELAY); TCP only')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time')
            [CompletionResult]::new('--hexdump', '--hexdump', [CompletionResultType]::ParameterName, 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sockcat;forward' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Report every step as one JSON object per line on stderr instead (no -v needed)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Serve at most N peers at once; the next waits in the backlog until one leaves')
            [CompletionResult]::new('--max-conns', '--max-conns', [CompletionResultType]::ParameterName, 'Serve at most N peers at once; the next waits in the backlog until one leaves')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Serve only IP peers in CIDR (v4 or v6; repeatable; a bare address is one host)')
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Refuse IP peers in CIDR (repeatable); --deny wins over --allow')
            [CompletionResult]::new('--allow-uid', '--allow-uid', [CompletionResultType]::ParameterName, 'Serve only Unix peers of this uid (repeatable), as the kernel reports it')
            [CompletionResult]::new('--allow-gid', '--allow-gid', [CompletionResultType]::ParameterName, 'Serve only Unix peers whose primary gid is GID (repeatable)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Bind this local address before connecting (a Unix datagram client''s reply address)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Bind this local address before connecting (a Unix datagram client''s reply address)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Bind this local port before connecting')
            [CompletionResult]::new('--source-port', '--source-port', [CompletionResultType]::ParameterName, 'Bind this local port before connecting')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Give up a connect that takes longer than DUR')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up a connect that takes longer than DUR')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Retry a connect refused because the service is not up yet, for up to DUR')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Close a pair after DUR with no data either way (default: never)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a pair after DUR with no data either way (default: never)')
            [CompletionResult]::new('--backlog', '--backlog', [CompletionResultType]::ParameterName, 'Queue of connections not yet accepted (the kernel caps it at net.core.somaxconn)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Mode of the Unix socket file, set before listen(2) (octal, e.g. 660)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Owner of the Unix socket file (user name or uid), set before listen(2)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Group of the Unix socket file (group name or gid), set before listen(2)')
            [CompletionResult]::new('--sndbuf', '--sndbuf', [CompletionResultType]::ParameterName, 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent')
            [CompletionResult]::new('--rcvbuf', '--rcvbuf', [CompletionResultType]::ParameterName, 'Receive buffer size in bytes (SO_RCVBUF)')
            [CompletionResult]::new('--hexdump-file', '--hexdump-file', [CompletionResultType]::ParameterName, 'Append the hex dump to FILE instead of stderr (implies -x)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--refuse-extra', '--refuse-extra', [CompletionResultType]::ParameterName, 'Close peers past --max-conns at once instead of leaving them in the backlog')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path')
            [CompletionResult]::new('-U', '-U ', [CompletionResultType]::ParameterName, 'Read a bare argument as a Unix socket path')
            [CompletionResult]::new('--unix', '--unix', [CompletionResultType]::ParameterName, 'Read a bare argument as a Unix socket path')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Use IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Use IPv6 addresses only')
            [CompletionResult]::new('--unlink', '--unlink', [CompletionResultType]::ParameterName, 'Remove a stale socket file (one nobody accepts on) at the path first')
            [CompletionResult]::new('--nodelay', '--nodelay', [CompletionResultType]::ParameterName, 'Disable Nagle''s algorithm (TCP_NODELAY); TCP only')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time')
            [CompletionResult]::new('--hexdump', '--hexdump', [CompletionResultType]::ParameterName, 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sockcat;send' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Report every step as one JSON object per line on stderr instead (no -v needed)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Send the contents of FILE (`-` is stdin)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send the contents of FILE (`-` is stdin)')
            [CompletionResult]::new('--frame', '--frame', [CompletionResultType]::ParameterName, 'Streams: send the payload as one message behind a length prefix (with --lines, one per line); with -r, print the first whole message back')
            [CompletionResult]::new('--max-frame', '--max-frame', [CompletionResultType]::ParameterName, 'The largest message --frame sends or accepts, in bytes')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Give up waiting for the reply after DUR (exit 1)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Give up waiting for the reply after DUR (exit 1)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Send the message N times')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Pause DUR between repeated sends')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Bind this local address before connecting (a Unix datagram client''s reply address)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Bind this local address before connecting (a Unix datagram client''s reply address)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Bind this local port before connecting')
            [CompletionResult]::new('--source-port', '--source-port', [CompletionResultType]::ParameterName, 'Bind this local port before connecting')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Give up a connect that takes longer than DUR')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up a connect that takes longer than DUR')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Retry a connect refused because the service is not up yet, for up to DUR')
            [CompletionResult]::new('--sndbuf', '--sndbuf', [CompletionResultType]::ParameterName, 'Send buffer size in bytes (SO_SNDBUF); for Unix sockets also the largest message that can be sent')
            [CompletionResult]::new('--rcvbuf', '--rcvbuf', [CompletionResultType]::ParameterName, 'Receive buffer size in bytes (SO_RCVBUF)')
            [CompletionResult]::new('--hexdump-file', '--hexdump-file', [CompletionResultType]::ParameterName, 'Append the hex dump to FILE instead of stderr (implies -x)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('-E', '-E ', [CompletionResultType]::ParameterName, 'Interpret \n \r \t \\ \0 \xHH in DATA')
            [CompletionResult]::new('--escapes', '--escapes', [CompletionResultType]::ParameterName, 'Interpret \n \r \t \\ \0 \xHH in DATA')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Append a newline to the payload')
            [CompletionResult]::new('--newline', '--newline', [CompletionResultType]::ParameterName, 'Append a newline to the payload')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Datagrams: send one datagram per line, without its newline')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Wait for the reply and print it (stream: until the peer closes; datagram: one)')
            [CompletionResult]::new('--reply', '--reply', [CompletionResultType]::ParameterName, 'Wait for the reply and print it (stream: until the peer closes; datagram: one)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Use datagrams: UDP for HOST:PORT, unix-dgram for a bare path')
            [CompletionResult]::new('-U', '-U ', [CompletionResultType]::ParameterName, 'Read a bare argument as a Unix socket path')
            [CompletionResult]::new('--unix', '--unix', [CompletionResultType]::ParameterName, 'Read a bare argument as a Unix socket path')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Use IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Use IPv6 addresses only')
            [CompletionResult]::new('--nodelay', '--nodelay', [CompletionResultType]::ParameterName, 'Disable Nagle''s algorithm (TCP_NODELAY); TCP only')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Enable TCP keepalive probes (SO_KEEPALIVE); TCP only')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time')
            [CompletionResult]::new('--hexdump', '--hexdump', [CompletionResultType]::ParameterName, 'Write a hex+ASCII dump of all traffic to stderr: each chunk headed by its direction (> sent, < received), byte offset, peer and time')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sockcat;ping' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Report every step as one JSON object per line on stderr instead (no -v needed)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after sending N requests (with -w: after N replies, or at the deadline)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after sending N requests (with -w: after N replies, or at the deadline)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Wait DUR between requests (below 2ms only when privileged)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Wait DUR between requests (below 2ms only when privileged)')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'After the last request, how long to wait when no reply has come (default 10s)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'After the last request, how long to wait when no reply has come (default 10s)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Stop after DUR, whatever has been sent or received')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Stop after DUR, whatever has been sent or received')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Bytes of payload in each request')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Bytes of payload in each request')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Time to live (IPv4) or hop limit (IPv6) of the requests')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Time to live (IPv4) or hop limit (IPv6) of the requests')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Send from this interface or source address (needed for IPv6 link-local)')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Send from this interface or source address (needed for IPv6 link-local)')
            [CompletionResult]::new('--socket', '--socket', [CompletionResultType]::ParameterName, 'Which ICMP socket to open')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the summary')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Use IPv4 only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Use IPv6 only')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per reply and one for the summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sockcat;completions' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Report every step as one JSON object per line on stderr instead (no -v needed)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the script of every shell under DIR instead')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sockcat;man' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Report every step as one JSON object per line on stderr instead (no -v needed)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write every page under DIR instead')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report each step on stderr (listening, accepted, connected, closed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sockcat;help' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Open ADDR and pipe it both ways: stdin to the socket, the socket to stdout')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Bind ADDR, wait for one peer and pipe it to stdin/stdout')
            [CompletionResult]::new('forward', 'forward', [CompletionResultType]::ParameterValue, 'Accept peers on LISTEN and pipe each one to a connection of its own to TARGET')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send one message to ADDR and exit')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Send ICMP (IPv4) or ICMPv6 echo requests to HOST and print the replies')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for SHELL on stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print sockcat(1), or sockcat-VERB(1) when a verb is named, as roff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sockcat;help;connect' {
            break
        }
        'sockcat;help;listen' {
            break
        }
        'sockcat;help;forward' {
            break
        }
        'sockcat;help;send' {
            break
        }
        'sockcat;help;ping' {
            break
        }
        'sockcat;help;completions' {
            break
        }
        'sockcat;help;man' {
            break
        }
        'sockcat;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
