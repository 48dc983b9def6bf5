/* The fast ends of bench/run's forward scenarios: the clients and echo
 * servers around the forwarder, the same for every tool. bench/run compiles
 * this with cc into its temporary directory (and falls back to its own
 * Python versions, which cost the two cores of a small machine more than
 * sockcat does, when there is no cc). One program, four modes:
 *
 *   echo-stream KIND WHERE        echo every byte on every connection, many
 *                                 at once (epoll); close after the peer's EOF
 *   conn-loop KIND WHERE START SECONDS INFLIGHT
 *                                 from START (Unix time) for SECONDS keep
 *                                 INFLIGHT connections going: connect, send a
 *                                 line, read it back, close; prints
 *                                 {"count", "errors", "first_error"}
 *   pingpong-server KIND WHERE    send each byte back, one connection at a time
 *   pingpong-client KIND WHERE SECONDS
 *                                 one byte out, the same byte back, for
 *                                 SECONDS; prints {"count", "seconds", "error"}
 *   relay KIND WHERE TKIND TWHERE the least a forwarder can be, as a yardstick
 *                                 for the rates: one epoll loop, level-
 *                                 triggered, read and write through 16 KiB
 *                                 a direction, half-closes passed on, no
 *                                 options, reports or checks
 *
 * KIND is tcp (WHERE a port on 127.0.0.1) or unix (WHERE a path). */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static socklen_t address(const char *kind, const char *where, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (strcmp(kind, "tcp") == 0) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((unsigned short)atoi(where));
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof *in;
    }
    struct sockaddr_un *un = (struct sockaddr_un *)ss;
    un->sun_family = AF_UNIX;
    if (strlen(where) >= sizeof un->sun_path) {
        fprintf(stderr, "path too long: %s\n", where);
        exit(2);
    }
    strcpy(un->sun_path, where);
    return sizeof *un;
}

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int listen_on(const char *kind, const char *where, int flags)
{
    struct sockaddr_storage ss;
    socklen_t len = address(kind, where, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM | flags, 0);
    int one = 1;
    if (fd < 0)
        die("socket");
    if (ss.ss_family == AF_INET)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0)
        die("bind");
    if (listen(fd, 4096) < 0)
        die("listen");
    return fd;
}

/* An epoll set watching the listener `lfd`, its events' pointer NULL. */
static int epoll_on(int lfd)
{
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
        die("epoll");
    return ep;
}

struct conn {
    int fd, eof;
    unsigned want;
    size_t len, off;
    char buf[65536];
};

static _Noreturn void echo_stream(const char *kind, const char *where)
{
    int lfd = listen_on(kind, where, SOCK_NONBLOCK);
    int ep = epoll_on(lfd);
    for (;;) {
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    c = calloc(1, sizeof *c);
                    if (!c)
                        die("calloc");
                    c->fd = fd;
                    c->want = EPOLLIN;
                    struct epoll_event add = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &add);
                }
                continue;
            }
            unsigned want = 0;
            for (;;) {
                if (c->off < c->len) {
                    ssize_t w = write(c->fd, c->buf + c->off, c->len - c->off);
                    if (w < 0) {
                        if (errno == EAGAIN) {
                            want = EPOLLOUT;
                            break;
                        }
                        c->eof = 1, c->off = c->len;
                    } else {
                        c->off += w;
                    }
                    continue;
                }
                if (c->eof)
                    break;
                c->off = c->len = 0;
                ssize_t r = read(c->fd, c->buf, sizeof c->buf);
                if (r > 0) {
                    c->len = r;
                } else if (r < 0 && errno == EAGAIN) {
                    want = EPOLLIN;
                    break;
                } else {
                    c->eof = 1;
                }
            }
            if (!want) {
                close(c->fd);
                free(c);
            } else if (want != c->want) {
                c->want = want;
                struct epoll_event mod = {.events = want, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &mod);
            }
        }
    }
}

struct slot {
    int fd, connected;
    size_t got;
    double since;
    char buf[16];
};

static const char LINE[] = "hello\n";
static long count, errors;
static char first_error[200];

static void failed(const char *why, int err)
{
    errors++;
    if (!first_error[0] && err)
        snprintf(first_error, sizeof first_error, "%s: %s", why, strerror(err));
    else if (!first_error[0])
        snprintf(first_error, sizeof first_error, "%s", why);
}

static void open_slot(int ep, struct slot *s, struct sockaddr_storage *ss, socklen_t len)
{
    memset(s, 0, sizeof *s);
    s->fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (s->fd < 0)
        die("socket");
    s->since = monotonic();
    if (connect(s->fd, (struct sockaddr *)ss, len) < 0 && errno != EINPROGRESS) {
        failed("connect", errno);
        close(s->fd);
        s->fd = -1;
        usleep(1000);
        return;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = s};
    epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
}

static void close_slot(struct slot *s)
{
    close(s->fd);
    s->fd = -1;
}

static int conn_loop(const char *kind, const char *where, double start, double seconds, int inflight)
{
    struct sockaddr_storage ss;
    socklen_t len = address(kind, where, &ss);
    struct slot *slots = calloc(inflight, sizeof *slots);
    int ep = epoll_create1(0);
    if (!slots || ep < 0)
        die("setup");
    while (wall() < start)
        usleep(1000);
    double end = monotonic() + seconds;
    for (int i = 0; i < inflight; i++)
        open_slot(ep, &slots[i], &ss, len);
    while (monotonic() < end) {
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            struct slot *s = evs[i].data.ptr;
            if (!s->connected) {
                int err = 0;
                socklen_t l = sizeof err;
                getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l);
                if (err) {
                    failed("connect", err);
                } else if (write(s->fd, LINE, sizeof LINE - 1) != sizeof LINE - 1) {
                    failed("send", errno);
                } else {
                    s->connected = 1;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
                    epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
                    continue;
                }
            } else {
                ssize_t r = read(s->fd, s->buf + s->got, sizeof s->buf - s->got);
                if (r < 0 && errno == EAGAIN)
                    continue;
                if (r > 0)
                    s->got += r;
                if (r > 0 && s->got < sizeof LINE - 1)
                    continue;
                if (r < 0)
                    failed("receive", errno);
                else if (s->got != sizeof LINE - 1 || memcmp(s->buf, LINE, s->got) != 0)
                    failed("a wrong reply, or none", 0);
                else if (monotonic() < end)
                    count++;
            }
            close_slot(s);
            if (monotonic() < end)
                open_slot(ep, s, &ss, len);
        }
        double now = monotonic();
        for (int i = 0; i < inflight; i++) {
            struct slot *s = &slots[i];
            if (now < end && (s->fd < 0 || now - s->since > 5)) {
                if (s->fd >= 0) {
                    failed("no reply within 5 s", 0);
                    close_slot(s);
                }
                open_slot(ep, s, &ss, len);
            }
        }
    }
    printf("{\"count\": %ld, \"errors\": %ld, \"first_error\": %s%s%s}\n", count, errors,
           first_error[0] ? "\"" : "", first_error[0] ? first_error : "null", first_error[0] ? "\"" : "");
    return 0;
}

static _Noreturn void pingpong_server(const char *kind, const char *where)
{
    int lfd = listen_on(kind, where, 0);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        char b;
        if (fd < 0)
            continue;
        while (read(fd, &b, 1) == 1 && write(fd, &b, 1) == 1)
            ;
        close(fd);
    }
}

static int pingpong_client(const char *kind, const char *where, double seconds)
{
    struct sockaddr_storage ss;
    socklen_t len = address(kind, where, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
        die("connect");
    long n = 0;
    const char *error = NULL;
    double start = monotonic(), end = start + seconds;
    while (!error && monotonic() < end) {
        for (int i = 0; i < 64; i++) {
            char out = 'a' + (i & 3), in = 0;
            if (write(fd, &out, 1) != 1) {
                error = "send failed";
                break;
            }
            if (read(fd, &in, 1) != 1 || in != out) {
                error = "a different byte, or none, came back";
                break;
            }
            n++;
        }
    }
    double elapsed = monotonic() - start;
    printf("{\"count\": %ld, \"seconds\": %.6f, \"error\": %s%s%s}\n", n, elapsed, error ? "\"" : "",
           error ? error : "null", error ? "\"" : "");
    return 0;
}

/* The yardstick forwarder: per pair, a buffer each way; the epoll interest
 * of each socket is changed only when what it waits for changes, so a
 * steady exchange costs one epoll_wait, one read and one write a hop. */
struct side {
    struct pair *pair;
    int fd, index;
    unsigned events;
};

struct pair {
    struct side side[2];
    char buf[2][16384]; /* buf[i]: read from side i, for the other */
    size_t len[2], off[2];
    int eof[2], dead;
    struct pair *next_dead;
};

static void watch(int ep, struct side *s, unsigned events)
{
    if (events == s->events)
        return;
    struct epoll_event ev = {.events = events, .data.ptr = s};
    epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
    s->events = events;
}

/* What each side waits for now; 0 when the pair is done. */
static int settle_pair(int ep, struct pair *p)
{
    int done = 1;
    for (int i = 0; i < 2; i++) {
        int o = 1 - i;
        unsigned want = 0;
        if (!p->eof[i] && p->len[i] == 0)
            want |= EPOLLIN;
        if (p->off[o] < p->len[o])
            want |= EPOLLOUT;
        if (!p->eof[i] || p->len[i])
            done = 0;
        watch(ep, &p->side[i], want);
    }
    return !done;
}

/* Write what side i's buffer holds to the other side; -1 on an error. */
static int flush(struct pair *p, int i)
{
    int o = 1 - i;
    while (p->off[i] < p->len[i]) {
        ssize_t n = write(p->side[o].fd, p->buf[i] + p->off[i], p->len[i] - p->off[i]);
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        p->off[i] += (size_t)n;
    }
    p->len[i] = p->off[i] = 0;
    if (p->eof[i])
        shutdown(p->side[o].fd, SHUT_WR);
    return 0;
}

/* Closed at once, freed after the batch of events: another event of the
 * batch may be for its other side. */
static struct pair *graveyard;

static void end_pair(struct pair *p)
{
    close(p->side[0].fd);
    close(p->side[1].fd);
    p->dead = 1;
    p->next_dead = graveyard;
    graveyard = p;
}

static _Noreturn void relay(const char *kind, const char *where, const char *tkind, const char *twhere)
{
    struct sockaddr_storage target;
    socklen_t tlen = address(tkind, twhere, &target);
    int lfd = listen_on(kind, where, SOCK_NONBLOCK);
    int ep = epoll_on(lfd);
    for (;;) {
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int e = 0; e < n; e++) {
            struct side *s = evs[e].data.ptr;
            if (!s) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int up = socket(target.ss_family, SOCK_STREAM, 0);
                    if (up < 0 || connect(up, (struct sockaddr *)&target, tlen) < 0) {
                        close(fd);
                        if (up >= 0)
                            close(up);
                        continue;
                    }
                    fcntl(up, F_SETFL, O_NONBLOCK);
                    struct pair *p = calloc(1, sizeof *p);
                    if (!p)
                        die("calloc");
                    int fds[2] = {fd, up};
                    for (int i = 0; i < 2; i++) {
                        p->side[i] = (struct side){.pair = p, .fd = fds[i], .index = i, .events = EPOLLIN};
                        struct epoll_event add = {.events = EPOLLIN, .data.ptr = &p->side[i]};
                        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &add);
                    }
                }
                continue;
            }
            struct pair *p = s->pair;
            int i = s->index, broken = 0;
            if (p->dead)
                continue;
            if ((evs[e].events & EPOLLOUT) && flush(p, 1 - i) < 0)
                broken = 1;
            if (!broken && (evs[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !p->eof[i] && p->len[i] == 0) {
                ssize_t r = read(s->fd, p->buf[i], sizeof p->buf[i]);
                if (r > 0) {
                    p->len[i] = (size_t)r;
                    broken = flush(p, i) < 0;
                } else if (r == 0) {
                    p->eof[i] = 1;
                    shutdown(p->side[1 - i].fd, SHUT_WR);
                } else if (errno != EAGAIN) {
                    broken = 1;
                }
            }
            if (broken || !settle_pair(ep, p))
                end_pair(p);
        }
        while (graveyard) {
            struct pair *p = graveyard;
            graveyard = p->next_dead;
            free(p);
        }
    }
}

int main(int argc, char **argv)
{
    /* A peer gone mid-write is an error to handle, not a reason to die. */
    signal(SIGPIPE, SIG_IGN);
    if (argc == 4 && strcmp(argv[1], "echo-stream") == 0)
        echo_stream(argv[2], argv[3]);
    if (argc == 7 && strcmp(argv[1], "conn-loop") == 0)
        return conn_loop(argv[2], argv[3], atof(argv[4]), atof(argv[5]), atoi(argv[6]));
    if (argc == 4 && strcmp(argv[1], "pingpong-server") == 0)
        pingpong_server(argv[2], argv[3]);
    if (argc == 6 && strcmp(argv[1], "relay") == 0)
        relay(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 5 && strcmp(argv[1], "pingpong-client") == 0)
        return pingpong_client(argv[2], argv[3], atof(argv[4]));
    fprintf(stderr, "usage: see the comment at the top of forward-helpers.c\n");
    return 2;
}
