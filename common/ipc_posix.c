/* Unix domain socket endpoint: an epoll loop over non-blocking sockets (each
 * connection registered once, its interest changed only when it changes),
 * and a self-pipe so signal handlers and other threads can wake it. The
 * client side waits with poll(). */
#define _GNU_SOURCE
#include "ipc.h"
#include "ipc_conn.h"
#include "ipc_perm.h"
#include "clock.h"
#include "diag.h"
#include "err.h"
#include "fs.h"
#include "ipcverify.h"
#include "json.h"
#include "userdb.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define IPC_READ_CHUNK 65536
/* Events taken from the kernel per epoll_wait. */
#define IPC_MAX_EVENTS 256
/* Out of descriptors: accept is tried again at least this often even when
 * no connection of ours closed (ENFILE is the whole system's), and the
 * warning is repeated no more often than IPC_FD_WARN_US. */
#define IPC_FD_RETRY_US 1000000ull
#define IPC_FD_WARN_US  (60ull * 1000000ull)
/* Descriptors kept free of connections, for the log store (a rotation opens
 * a new file) and the queries that read the log: connections stop being
 * accepted once a new one's number reaches the soft limit minus this. */
#define IPC_FD_HEADROOM 16
#define STR_(x)         #x
#define STR(x)          STR_(x)
#define IPC_BACKLOG     SOMAXCONN /* the kernel caps it at net.core.somaxconn */

struct ipc_conn {
    struct ipc_conn_common base; /* first: see ipc_conn.h */
    int fd;
    uint32_t events; /* what epoll watches for it now */
    int peer_known;  /* the user database answered for the peer: nothing more to update */
    struct ipc_conn *next;
};

struct ipc_server {
    int lfd;
    int wake_r, wake_w;
    int epfd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    dev_t dev;
    ino_t ino;
    struct ipc_handlers h;
    struct ipc_conn *conns;
    size_t nconns;
    /* accept failed for want of descriptors (EMFILE/ENFILE): the listener is
     * not watched until a connection closes or accept_retry_mono passes, so
     * a readable listener that cannot be accepted does not spin the loop. */
    int accept_paused;
    uint64_t accept_retry_mono;
    uint64_t fd_warned_mono; /* the last "out of descriptors" warning; 0: never */
    int fd_warned;           /* this episode was reported */
    long fd_bar;             /* a connection's descriptor at or past this pauses accepting */
};

struct ipc_client {
    int fd;
};

static int set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return err_last_os();
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return err_last_os();
    return 0;
}

static int make_addr(const char *path, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa->sun_path))
        return ERR_NAMETOOLONG;
    strcpy(sa->sun_path, path);
    return 0;
}

/* Waits for `events` on fd for at most timeout_ms (-1: forever). Returns 0 when
 * ready, ERR_TIMEDOUT, or an error. */
static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n;

    do {
        n = poll(&p, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return err_last_os();
    return n == 0 ? ERR_TIMEDOUT : 0;
}

/* "mallory (uid 1004, pid 77)": who serves a refused endpoint, for the
 * client's message. */
static void describe_server(const struct ucred *cr, const struct ipc_client_opts *o)
{
    struct ipc_peer p;

    if (o->seen == NULL || o->seen_len == 0)
        return;
    ipc_perm_peer_of((long)cr->uid, (long)cr->pid, &p);
    ipc_peer_describe(&p, 1, o->seen, o->seen_len);
}

/* The uid whose user-mode endpoint this is, or -1: read from the socket and
 * its directory (lstat, so a link leads nowhere), judged by
 * ipc_endpoint_user. Only root asks: for anyone else "another user" is never
 * the owner it expects. */
static long endpoint_user(const char *endpoint)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    const char *slash = strrchr(endpoint, '/');
    struct stat sock, d;

    if (slash == NULL || slash == endpoint || (size_t)(slash - endpoint) >= sizeof(dir))
        return -1;
    memcpy(dir, endpoint, (size_t)(slash - endpoint));
    dir[slash - endpoint] = '\0';
    if (lstat(endpoint, &sock) < 0 || !S_ISSOCK(sock.st_mode))
        return -1;
    if (lstat(dir, &d) < 0 || !S_ISDIR(d.st_mode))
        return -1;
    return ipc_endpoint_user(endpoint, (long)sock.st_uid, (long)d.st_uid, (unsigned)d.st_mode);
}

/* Checks the server's credentials against what the client expects. Returns
 * 0, ERR_UNTRUSTED (and says who serves it in o->seen), or the error of
 * asking. */
static int verify_server(int fd, const char *endpoint, const struct ipc_client_opts *o)
{
    struct ucred cr;
    socklen_t len = sizeof(cr);
    enum ipc_owner owner = IPC_OWNER_OTHER;
    int rc;

    if (o == NULL || o->expect == IPC_EXPECT_ANY)
        return 0;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
        return err_last_os();
    if (cr.uid == 0)
        owner = IPC_OWNER_SYSTEM;
    else if (cr.uid == geteuid())
        owner = IPC_OWNER_SELF;
    else if (geteuid() == 0 && endpoint_user(endpoint) == (long)cr.uid)
        owner = IPC_OWNER_ENDPOINT_USER;
    rc = ipc_verify(o, owner, (long)cr.pid);
    if (rc == ERR_UNTRUSTED)
        describe_server(&cr, o);
    return rc;
}

/* One connect on a fresh socket. Returns 0 with the connected socket in
 * *out, ERR_AGAIN when the listener's queue is full (Linux fails a
 * non-blocking connect at once then; the socket is not connected and
 * must not be read as if it were), or another connect error. */
static int connect_once(const struct sockaddr_un *sa, int timeout_ms, int *out)
{
    int soerr = 0, rc, fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    socklen_t sl = sizeof(soerr);

    if (fd < 0)
        return err_last_os();
    if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0) {
        *out = fd;
        return 0;
    }
    if (errno != EINPROGRESS) {
        rc = err_last_os(); /* EAGAIN becomes ERR_AGAIN */
        goto close_fd;
    }
    rc = wait_fd(fd, POLLOUT, timeout_ms);
    if (rc < 0)
        goto close_fd;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
        rc = err_from_os((unsigned long)(soerr ? soerr : errno));
        goto close_fd;
    }
    *out = fd;
    return 0;

close_fd:
    close(fd);
    return rc;
}

static int ms_left(uint64_t deadline_us)
{
    uint64_t now = clock_mono_us();
    return now >= deadline_us ? 0 : (int)((deadline_us - now + 999) / 1000);
}

/* Connects, retrying while the listener's queue is full: a busy svcd
 * accepts in a moment, so the client waits its timeout out like a pipe
 * client in WaitNamedPipe, sleeping 1, 2, 4 ... 50 ms between tries.
 * Returns what connect_once does; ERR_AGAIN when the queue stayed full for
 * the whole timeout. */
static int connect_retrying(const struct sockaddr_un *sa, int timeout_ms, int *out)
{
    uint64_t deadline = clock_mono_us() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000;
    int pause_ms = 1, rc;

    for (;;) {
        int left = timeout_ms < 0 ? -1 : ms_left(deadline);
        rc = connect_once(sa, left, out);
        if (rc != ERR_AGAIN)
            return rc;
        left = timeout_ms < 0 ? pause_ms : ms_left(deadline);
        if (left == 0)
            return ERR_AGAIN;
        poll(NULL, 0, pause_ms < left ? pause_ms : left);
        pause_ms = pause_ms * 2 > 50 ? 50 : pause_ms * 2;
    }
}

/* Linux refuses a connect to a regular file (or a folder) as it does one to
 * a socket nobody listens on; the fix differs, so tell them apart. Returns
 * ERR_NOTSOCK when the path holds something other than a socket, else
 * ERR_CONNREFUSED. */
static int refused_why(const char *endpoint)
{
    struct stat st;

    /* stat: a link to a socket nobody listens on is a refused socket. */
    if (stat(endpoint, &st) == 0 && !S_ISSOCK(st.st_mode))
        return ERR_NOTSOCK;
    return ERR_CONNREFUSED;
}

int ipc_client_connect(const char *endpoint, const struct ipc_client_opts *o, int timeout_ms,
                       ipc_client **out)
{
    struct sockaddr_un sa;
    ipc_client *c;
    int rc, fd = -1;

    rc = make_addr(endpoint, &sa);
    if (rc < 0)
        return rc;
    rc = connect_retrying(&sa, timeout_ms, &fd);
    if (rc == ERR_CONNREFUSED)
        return refused_why(endpoint);
    if (rc < 0)
        return rc;
    rc = verify_server(fd, endpoint, o);
    if (rc < 0)
        goto close_fd;
    c = malloc(sizeof(*c));
    if (c == NULL) {
        rc = ERR_NOMEM;
        goto close_fd;
    }
    c->fd = fd;
    *out = c;
    return 0;

close_fd:
    close(fd);
    return rc;
}

int ipc_client_send(ipc_client *c, const void *data, size_t n, int timeout_ms)
{
    const uint8_t *p = data;

    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return err_last_os();
        int rc = wait_fd(c->fd, POLLOUT, timeout_ms);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int ipc_client_recv(ipc_client *c, void *buf, size_t cap, size_t *got, int timeout_ms)
{
    *got = 0;
    for (;;) {
        ssize_t r = recv(c->fd, buf, cap, 0);
        if (r > 0) {
            *got = (size_t)r;
            return 0;
        }
        if (r == 0)
            return ERR_CLOSED;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return err_last_os();
        int rc = wait_fd(c->fd, POLLIN, timeout_ms);
        if (rc < 0)
            return rc;
    }
}

void ipc_client_close(ipc_client *c)
{
    if (c == NULL)
        return;
    close(c->fd);
    free(c);
}

/* A stale socket file answers connect() with ECONNREFUSED; a live one accepts.
 * Returns 0 when the path may be replaced, ERR_INUSE when a process answers,
 * ERR_EXIST when the path is not a socket at all. */
static int probe_existing(const char *path)
{
    struct stat st;
    ipc_client *c;
    int rc;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : err_last_os();
    if (!S_ISSOCK(st.st_mode))
        return ERR_EXIST;
    rc = ipc_client_connect(path, NULL, 1000, &c);
    if (rc == 0 || rc == ERR_AGAIN) { /* ERR_AGAIN: alive, its queue full */
        if (rc == 0)
            ipc_client_close(c);
        return ERR_INUSE;
    }
    if (rc == ERR_CONNREFUSED || rc == ERR_NOENT) {
        if (unlink(path) < 0 && errno != ENOENT)
            return err_last_os();
        return 0;
    }
    return rc;
}

/* bind -> chown/chmod/ACL -> listen: the socket accepts nobody before its
 * permissions are set. */
static int bind_and_listen(ipc_server *s, const struct sockaddr_un *sa,
                           const struct ipc_server_opts *o)
{
    struct stat st;
    int rc;

    if (bind(s->lfd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
        return err_last_os();
    if (o->system_mode)
        rc = ipc_perm_apply(s->path, 0660, o->group, o->read_group);
    else
        rc = chmod(s->path, 0600) < 0 ? err_last_os() : 0;
    if (rc == 0 && (stat(s->path, &st) < 0 || listen(s->lfd, IPC_BACKLOG) < 0))
        rc = err_last_os();
    if (rc < 0) {
        unlink(s->path);
        return rc;
    }
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    return 0;
}

static int open_wake_pipe(ipc_server *s)
{
    int p[2];

    if (pipe(p) < 0)
        return err_last_os();
    s->wake_r = p[0];
    s->wake_w = p[1];
    if (set_nonblock_cloexec(p[0]) < 0 || set_nonblock_cloexec(p[1]) < 0)
        return err_last_os();
    return 0;
}

/* The listener and the wake pipe are told apart from connections by these
 * addresses in the event's data. */
static char wake_tag, listen_tag;

/* Creates the epoll set with the wake pipe and the listener in it. */
static int open_epoll(ipc_server *s)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &wake_tag};

    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0)
        return err_last_os();
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wake_r, &ev) < 0)
        return err_last_os();
    ev.data.ptr = &listen_tag;
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev) < 0)
        return err_last_os();
    return 0;
}

/* Splits off the endpoint's directory. Returns 0 with it in `dir` (room
 * for a sun_path), 1 when the endpoint has no directory part, or
 * ERR_NAMETOOLONG. */
static int endpoint_dir(const char *endpoint, char *dir, size_t n)
{
    const char *slash = strrchr(endpoint, '/');

    if (slash == NULL || slash == endpoint)
        return 1;
    if ((size_t)(slash - endpoint) >= n)
        return ERR_NAMETOOLONG;
    memcpy(dir, endpoint, (size_t)(slash - endpoint));
    dir[slash - endpoint] = '\0';
    return 0;
}

/* Creates the endpoint's directory if missing, and refuses one where another
 * user could replace our socket (ipc_perm_check_path), checking before
 * anything is created or changed. In system mode a directory that holds
 * nothing but our socket becomes 0750 root:group, so only the groups can
 * even reach the socket; a shared one, or one reached through a symlink, is
 * left alone and the socket's own permissions decide. */
static int prepare_dir(const char *endpoint, const struct ipc_server_opts *o)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int rc = endpoint_dir(endpoint, dir, sizeof(dir));

    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = ipc_perm_check_path(dir, NULL, 0);
    if (rc < 0)
        return rc;
    rc = fs_mkdir_p(dir, o->system_mode ? FS_DIR_SHARED : FS_DIR_PRIVATE);
    if (rc < 0)
        return rc;
    return ipc_perm_take_dir(dir, strrchr(endpoint, '/') + 1, o->system_mode ? o->group : -1,
                             o->read_group);
}

int ipc_server_set_groups(ipc_server *s, const struct ipc_server_opts *o)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int rc;

    if (!o->system_mode)
        return 0;
    rc = ipc_perm_apply(s->path, 0660, o->group, o->read_group);
    if (rc == 0 && endpoint_dir(s->path, dir, sizeof(dir)) == 0)
        rc = ipc_perm_take_dir(dir, strrchr(s->path, '/') + 1, o->group, o->read_group);
    return rc;
}

int ipc_server_explain_access(const char *endpoint, char *buf, size_t n)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];

    if (n > 0)
        buf[0] = '\0';
    if (endpoint_dir(endpoint, dir, sizeof(dir)) != 0 || n == 0)
        return ERR_NOENT;
    return ipc_perm_check_path(dir, buf, n) == ERR_ACCESS ? 0 : ERR_NOENT;
}

static void wake_from_userdb(void *ctx)
{
    ipc_server_wake(ctx);
}

int ipc_server_open(const char *endpoint, const struct ipc_server_opts *opts,
                    const struct ipc_handlers *h, ipc_server **out)
{
    struct sockaddr_un sa;
    ipc_server *s;
    int rc;

    rc = make_addr(endpoint, &sa);
    if (rc < 0)
        return rc;
    rc = prepare_dir(endpoint, opts);
    if (rc < 0)
        return rc;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return ERR_NOMEM;
    s->wake_r = s->wake_w = s->epfd = -1;
    s->h = *h;
    strcpy(s->path, endpoint);
    s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->lfd < 0) {
        rc = err_last_os();
        goto free_server;
    }
    rc = open_wake_pipe(s);
    if (rc < 0)
        goto close_fds;
    rc = bind_and_listen(s, &sa, opts);
    if (rc == ERR_INUSE) {
        rc = probe_existing(endpoint);
        if (rc == 0)
            rc = bind_and_listen(s, &sa, opts);
    }
    if (rc < 0)
        goto close_fds;
    rc = open_epoll(s);
    if (rc < 0)
        goto unlink_path;
    userdb_set_wake(wake_from_userdb, s); /* a peer's groups came: take up its request */
    *out = s;
    return 0;

unlink_path:
    unlink(s->path);
close_fds:
    if (s->epfd >= 0)
        close(s->epfd);
    close(s->lfd);
    if (s->wake_r >= 0)
        close(s->wake_r);
    if (s->wake_w >= 0)
        close(s->wake_w);
free_server:
    free(s);
    return rc;
}

static void fill_peer(int fd, struct ipc_peer *p)
{
    struct ucred cr;
    socklen_t len = sizeof(cr);
    const struct idcache_user *u;

    memset(p, 0, sizeof(*p));
    p->pid = p->uid = p->gid = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
        return;
    p->pid = cr.pid;
    p->uid = (long)cr.uid;
    p->gid = (long)cr.gid;
    /* Cached, and asked off the loop (userdb.h): a slow name service must
     * not cost every accept, nor hold the loop; a name still unknown is
     * filled in at the request (ipc_conn_peer_update). */
    u = userdb_get(p->uid);
    if (u->found)
        snprintf(p->name, sizeof(p->name), "%s", u->name);
    else
        snprintf(p->name, sizeof(p->name), "uid %ld", p->uid);
}

/* The descriptor number past which connections are not accepted: the soft
 * RLIMIT_NOFILE less IPC_FD_HEADROOM (no bar when unlimited or unknown). */
static long fd_bar(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > (rlim_t)0x7fffffff)
        return 0x7fffffff;
    return (long)rl.rlim_cur > 2 * IPC_FD_HEADROOM ? (long)rl.rlim_cur - IPC_FD_HEADROOM
                                                   : (long)rl.rlim_cur;
}

/* Stops watching the listener after accept failed for want of descriptors
 * (`err`; 0: the headroom was reached), and says so (once per episode, at
 * most once per IPC_FD_WARN_US): clients wait in the backlog until a
 * connection closes, instead of the loop spinning on a listener it cannot
 * empty. */
static void pause_accept(ipc_server *s, int err)
{
    struct epoll_event ev = {.events = 0, .data.ptr = &listen_tag};
    uint64_t now = clock_mono_us();

    s->accept_paused = 1;
    s->accept_retry_mono = now + IPC_FD_RETRY_US;
    (void)epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->lfd, &ev); /* cannot fail: lfd is in the set */
    if (s->fd_warned || (s->fd_warned_mono && now - s->fd_warned_mono < IPC_FD_WARN_US))
        return;
    s->fd_warned = 1;
    s->fd_warned_mono = now;
    diag(DIAG_WARN,
         "cannot accept connections: %s (%zu connections open, open-file limit %ld); new "
         "clients wait until one closes (raise the limit, e.g. LimitNOFILE=, or lower "
         "max_connections)",
         err ? err_str(err)
             : "the last " STR(IPC_FD_HEADROOM) " descriptors are kept for the log and its readers",
         s->nconns, s->fd_bar + IPC_FD_HEADROOM);
}

static void resume_accept(ipc_server *s)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listen_tag};

    if (!s->accept_paused)
        return;
    s->accept_paused = 0;
    (void)epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->lfd, &ev);
}

/* Takes a new connection into the set, watched for input. Returns 0 or an
 * ERR_ code (the descriptor is then closed). */
static int add_conn(ipc_server *s, int fd)
{
    struct ipc_conn *c = calloc(1, sizeof(*c));
    struct epoll_event ev = {.events = EPOLLIN};

    if (c == NULL) {
        close(fd);
        return ERR_NOMEM;
    }
    c->fd = fd;
    c->events = EPOLLIN;
    c->base.reading = 1;
    ev.data.ptr = c;
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int rc = err_last_os();
        close(fd);
        free(c);
        return rc;
    }
    fill_peer(fd, &c->base.peer);
    c->next = s->conns;
    s->conns = c;
    s->nconns++;
    if (s->h.on_accept)
        s->h.on_accept(s->h.ctx, c);
    return 0;
}

static void accept_all(ipc_server *s)
{
    s->fd_bar = fd_bar(); /* the limit may have been changed (prlimit) */
    for (;;) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE)
                pause_accept(s, err_last_os());
            else if (errno == EAGAIN || errno == EWOULDBLOCK)
                s->fd_warned = 0; /* emptied: a later shortage is a new episode */
            return;               /* or a transient error, retried next round */
        }
        if (add_conn(s, fd) < 0)
            return;
        if (fd >= s->fd_bar) { /* kept, but the next ones wait */
            pause_accept(s, 0);
            s->accept_retry_mono = UINT64_MAX; /* until a connection closes */
            return;
        }
    }
}

static void mark_dead(ipc_conn *c, int err)
{
    if (!c->base.dead) {
        c->base.dead = 1;
        c->base.dead_err = err;
    }
}

/* Writes as much of the queue as the socket takes. Returns 1 when it was
 * all written, 0 when some is left (or the connection died). */
static int write_out(ipc_conn *c)
{
    while (ipc_buf_pending(&c->base.out) > 0) {
        ssize_t w = send(c->fd, c->base.out.p + c->base.out.off, ipc_buf_pending(&c->base.out),
                         MSG_NOSIGNAL);
        if (w > 0) {
            ipc_buf_consume(&c->base.out, (size_t)w);
            c->base.sent += (uint64_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        mark_dead(c, err_last_os());
        return 0;
    }
    return 1;
}

/* Writes the queue; once it is empty, a closing connection ends and an open
 * one hears on_drain (which may queue more, written next round). */
static void flush_out(ipc_server *s, ipc_conn *c)
{
    if (!write_out(c))
        return;
    if (c->base.closing) {
        mark_dead(c, 0);
        return;
    }
    if (s->h.on_drain)
        s->h.on_drain(s->h.ctx, c);
}

/* Output may be written now, or must wait for on_round_end. */
static int may_write(const ipc_server *s)
{
    return s->h.hold_output == NULL || !s->h.hold_output(s->h.ctx);
}

/* One read. Its answers are written at once when nothing holds them, else
 * after the round's input is all handled (write_round): see on_round_end. */
static void read_in(ipc_server *s, ipc_conn *c)
{
    uint8_t buf[IPC_READ_CHUNK];
    ssize_t r;

    do {
        r = recv(c->fd, buf, sizeof(buf), 0);
    } while (r < 0 && errno == EINTR);
    if (r > 0) {
        s->h.on_data(s->h.ctx, c, buf, (size_t)r);
        if (!c->base.dead && ipc_buf_pending(&c->base.out) > 0 && may_write(s))
            flush_out(s, c);
        return;
    }
    if (r == 0)
        mark_dead(c, 0);
    else if (errno != EAGAIN && errno != EWOULDBLOCK)
        mark_dead(c, err_last_os());
}

static void sweep_dead(ipc_server *s)
{
    struct ipc_conn **pp = &s->conns;
    size_t before = s->nconns;

    while (*pp) {
        struct ipc_conn *c = *pp;
        if (!c->base.dead) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        s->nconns--;
        if (s->h.on_close)
            s->h.on_close(s->h.ctx, c, c->base.dead_err);
        /* Out of the epoll set first: close alone leaves it there while
         * another process (a fork) still holds the same open socket, and
         * its events would then name this freed connection. */
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        ipc_buf_free(&c->base.out);
        free(c);
    }
    if (s->nconns < before)
        resume_accept(s); /* a descriptor is free again */
}

/* Tells epoll what each connection waits for now, where that changed:
 * input while it reads, output space while output is queued. */
static void update_interest(ipc_server *s)
{
    for (ipc_conn *c = s->conns; c; c = c->next) {
        uint32_t want = 0;
        if (c->base.dead)
            continue;
        if (c->base.reading && !c->base.closing)
            want |= EPOLLIN;
        if (ipc_buf_pending(&c->base.out) > 0)
            want |= EPOLLOUT;
        if (want == c->events)
            continue;
        struct epoll_event ev = {.events = want, .data.ptr = c};
        if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
            mark_dead(c, err_last_os());
        else
            c->events = want;
    }
}

static void handle_conn(ipc_server *s, ipc_conn *c, uint32_t re)
{
    if (c->base.dead)
        return;
    if (re & EPOLLOUT)
        flush_out(s, c);
    if (!c->base.dead && (re & EPOLLIN) && c->base.reading)
        read_in(s, c);
    if (!c->base.dead && (re & (EPOLLERR | EPOLLHUP)) && !(re & EPOLLIN))
        mark_dead(c, (re & EPOLLHUP) ? 0 : ERR_IO);
}

/* The round's answers, written once every input of the round was handled
 * and on_round_end has run (the server makes its log entries durable
 * there, so no reply leaves before what it reports is on disk). */
static void write_round(ipc_server *s)
{
    for (ipc_conn *c = s->conns; c; c = c->next)
        if (!c->base.dead && ipc_buf_pending(&c->base.out) > 0)
            flush_out(s, c);
}

/* How long to wait at most: a paused listener is tried again in time. */
static int wait_ms(const ipc_server *s, int timeout_ms)
{
    uint64_t now;
    int left;

    if (!s->accept_paused || s->accept_retry_mono == UINT64_MAX)
        return timeout_ms;
    now = clock_mono_us();
    left = now >= s->accept_retry_mono ? 0 : (int)((s->accept_retry_mono - now + 999) / 1000);
    return timeout_ms < 0 || left < timeout_ms ? left : timeout_ms;
}

int ipc_server_run_once(ipc_server *s, int timeout_ms)
{
    struct epoll_event ev[IPC_MAX_EVENTS];
    int ready;

    if (s->accept_paused && clock_mono_us() >= s->accept_retry_mono)
        resume_accept(s);
    /* Output queued outside a round (a follower's pump for a new entry) is
     * written now, not after an EPOLLOUT round trip: for 100 followers
     * that is 100 sends, not 200 epoll_ctl and 100 more events per entry. */
    if (may_write(s))
        write_round(s);
    update_interest(s);
    ready = epoll_wait(s->epfd, ev, IPC_MAX_EVENTS, wait_ms(s, timeout_ms));
    if (ready < 0 && errno != EINTR)
        return err_last_os();
    for (int i = 0; i < ready; i++) {
        if (ev[i].data.ptr == &wake_tag) {
            char drain[64];
            while (read(s->wake_r, drain, sizeof(drain)) > 0)
                ;
        } else if (ev[i].data.ptr == &listen_tag) {
            accept_all(s);
        } else {
            handle_conn(s, ev[i].data.ptr, ev[i].events);
        }
    }
    if (s->h.on_round_end)
        s->h.on_round_end(s->h.ctx);
    write_round(s);
    sweep_dead(s);
    return 0;
}

void ipc_server_wake(ipc_server *s)
{
    int saved = errno; /* may run in a signal handler */
    ssize_t r = write(s->wake_w, "w", 1);
    (void)r; /* a full pipe already guarantees a wake-up */
    errno = saved;
}

void ipc_server_close(ipc_server *s)
{
    struct stat st;

    if (s == NULL)
        return;
    userdb_set_wake(NULL, NULL);
    for (ipc_conn *c = s->conns; c; c = c->next)
        mark_dead(c, ERR_CLOSED);
    sweep_dead(s);
    /* Remove the endpoint only if it is still the one we created. */
    if (stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
        unlink(s->path);
    close(s->epfd);
    close(s->lfd);
    close(s->wake_r);
    close(s->wake_w);
    free(s);
}

size_t ipc_server_conn_count(const ipc_server *s)
{
    return s->nconns;
}

int ipc_conn_peer_update(ipc_conn *c)
{
    struct ipc_peer *p = &c->base.peer;
    const struct idcache_user *u;

    if (p->uid < 0 || c->peer_known) /* a connection's peer is looked up once */
        return 0;
    u = userdb_get(p->uid);
    if (u->found && strcmp(p->name, u->name) != 0) /* came after the accept */
        snprintf(p->name, sizeof(p->name), "%s", u->name);
    c->peer_known = !u->pending && !u->unknown;
    return u->pending;
}

size_t ipc_conn_pending(const ipc_conn *c)
{
    return ipc_buf_pending(&c->base.out);
}

void ipc_conn_close(ipc_conn *c, int after_flush)
{
    if (after_flush && ipc_buf_pending(&c->base.out) > 0)
        c->base.closing = 1;
    else
        mark_dead(c, 0);
}
