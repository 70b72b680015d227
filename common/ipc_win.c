/* Named-pipe endpoint: overlapped I/O on an I/O completion port, so one
 * thread serves every client and a slow one blocks nobody. One instance of
 * the pipe is always waiting for the next client, so the name never lapses. */
#include "ipc.h"
#include "ipc_conn.h"
#include "ipc_win.h"
#include "err.h"
#include "ipcverify.h"
#include "security.h"
#include "winutil.h"

#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IPC_READ_CHUNK  65536
#define IPC_PIPE_BUFFER 65536
#define WAKE_KEY        0
#define MAX_EVENTS      64
/* How long identify() waits for an account name not cached yet. */
#define IDENTIFY_NAME_WAIT_MS 250

enum op_kind { OP_CONNECT, OP_READ, OP_WRITE };

struct op {
    OVERLAPPED ov;
    enum op_kind kind;
};

struct ipc_conn {
    struct ipc_conn_common base; /* first: see ipc_conn.h */
    HANDLE h;
    struct op rd; /* connect, then reads */
    struct op wr;
    int rd_pending, wr_pending;
    int identified;
    uint8_t rbuf[IPC_READ_CHUNK];
    struct ipc_buf wbuf; /* handed to WriteFile: must not move until it completes */
    struct ipc_conn *next;
};

struct ipc_server {
    HANDLE iocp;
    wchar_t *name;
    PSECURITY_DESCRIPTOR sd;
    struct ipc_conn *pending;   /* the instance waiting for a client */
    struct ipc_conn *cancelled; /* the one ipc_server_close cancelled */
    struct ipc_conn *spare;     /* an unarmed instance holding the name (see rearm) */
    struct ipc_conn *conns;
    size_t nconns;
    struct ipc_handlers h;
};

struct ipc_client {
    HANDLE h;
    HANDLE ev;
};

static void mark_dead(ipc_conn *c, int err)
{
    if (c->base.dead)
        return;
    c->base.dead = 1;
    c->base.dead_err = err;
    CancelIoEx(c->h, NULL); /* pending operations complete as aborted */
}

int ipc_win_pipe_sd(int system_mode, PSECURITY_DESCRIPTOR *sd)
{
    wchar_t sddl[512];
    char sid[IPC_SID_MAX], name[IPC_NAME_MAX];
    wchar_t *wsid;
    HANDLE tok;
    int rc;

    if (system_mode) {
        wcscpy(sddl, SECURITY_PIPE_SDDL_SYSTEM);
    } else {
        if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
            return err_last_os();
        rc = win_token_user(tok, sid, sizeof(sid), name, sizeof(name));
        CloseHandle(tok);
        if (rc < 0)
            return rc;
        wsid = win_wide(sid);
        if (wsid == NULL)
            return ERR_NOMEM;
        _snwprintf(sddl, sizeof(sddl) / sizeof(sddl[0]), SECURITY_PIPE_SDDL_USER_FMT, wsid, wsid,
                   wsid);
        sddl[sizeof(sddl) / sizeof(sddl[0]) - 1] = 0;
        free(wsid);
    }
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, sd, NULL))
        return err_last_os();
    return 0;
}

static void on_connected(ipc_server *s, ipc_conn *c);
static int new_instance(ipc_server *s, int first);

/* Output may be written now, or must wait for on_round_end. */
static int may_write(const ipc_server *s)
{
    return s->h.hold_output == NULL || !s->h.hold_output(s->h.ctx);
}

static void start_read(ipc_conn *c)
{
    if (c->base.dead || c->rd_pending || !c->base.reading || c->base.closing)
        return;
    memset(&c->rd.ov, 0, sizeof(c->rd.ov));
    c->rd.kind = OP_READ;
    if (!ReadFile(c->h, c->rbuf, sizeof(c->rbuf), NULL, &c->rd.ov) &&
        GetLastError() != ERROR_IO_PENDING) {
        mark_dead(c, GetLastError() == ERROR_BROKEN_PIPE ? 0 : err_last_os());
        return;
    }
    c->rd_pending = 1; /* a completion packet comes either way */
}

/* Writes what is pending in the in-flight buffer. */
static void write_pending(ipc_conn *c)
{
    memset(&c->wr.ov, 0, sizeof(c->wr.ov));
    c->wr.kind = OP_WRITE;
    if (!WriteFile(c->h, c->wbuf.p + c->wbuf.off, (DWORD)ipc_buf_pending(&c->wbuf), NULL,
                   &c->wr.ov) &&
        GetLastError() != ERROR_IO_PENDING) {
        mark_dead(c, err_last_os());
        return;
    }
    c->wr_pending = 1; /* a completion packet comes either way */
}

static void start_write(ipc_conn *c)
{
    struct ipc_buf tmp;

    if (c->base.dead || c->wr_pending || ipc_buf_pending(&c->base.out) == 0)
        return;
    /* Hand the queue over; new sends go to the other (empty) buffer. */
    tmp = c->wbuf;
    c->wbuf = c->base.out;
    c->base.out = tmp;
    write_pending(c);
}

/* Records who the client is, and keeps its token for access checks. The
 * impersonation lasts only long enough to open the token; if it cannot be
 * reverted the process must not go on. */
static void identify(ipc_conn *c)
{
    ULONG pid = 0;
    HANDLE tok = NULL;
    BOOL opened;

    c->identified = 1;
    memset(&c->base.peer, 0, sizeof(c->base.peer));
    c->base.peer.pid = c->base.peer.uid = c->base.peer.gid = -1;
    snprintf(c->base.peer.name, sizeof(c->base.peer.name), "unknown");
    if (GetNamedPipeClientProcessId(c->h, &pid))
        c->base.peer.pid = (long)pid;
    if (!ImpersonateNamedPipeClient(c->h))
        return;
    opened = OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &tok);
    if (!RevertToSelf())
        abort(); /* running on as the client would be a privilege leak */
    if (!opened)
        return;
    /* Bounded: this is the one I/O thread (see win_token_user_wait). */
    win_token_user_wait(tok, c->base.peer.sid, sizeof(c->base.peer.sid), c->base.peer.name,
                        sizeof(c->base.peer.name), IDENTIFY_NAME_WAIT_MS);
    c->base.peer.token = tok; /* for the service's AccessCheck on each request */
}

static void read_done(ipc_server *s, ipc_conn *c, BOOL ok, DWORD bytes)
{
    c->rd_pending = 0;
    if (c->base.dead)
        return;
    if (!ok) {
        DWORD e = GetLastError();
        mark_dead(c,
                  (e != ERROR_BROKEN_PIPE && e != ERROR_PIPE_NOT_CONNECTED) ? err_from_os(e) : 0);
        return;
    }
    if (bytes == 0) { /* a zero-length write: nothing to read, no error, not the end */
        start_read(c);
        return;
    }
    if (!c->identified)
        identify(c);
    s->h.on_data(s->h.ctx, c, c->rbuf, bytes);
    if (may_write(s)) /* else kick_all writes it, after on_round_end */
        start_write(c);
    start_read(c);
}

static void write_done(ipc_server *s, ipc_conn *c, BOOL ok, DWORD bytes)
{
    c->wr_pending = 0;
    if (c->base.dead)
        return;
    if (!ok) {
        mark_dead(c, err_last_os());
        return;
    }
    ipc_buf_consume(&c->wbuf, bytes);
    c->base.sent += bytes;
    if (ipc_buf_pending(&c->wbuf) > 0) { /* a short write: send the rest */
        write_pending(c);
        return;
    }
    if (ipc_buf_pending(&c->base.out) == 0 && c->base.closing) {
        mark_dead(c, 0);
        return;
    }
    if (ipc_buf_pending(&c->base.out) == 0 && s->h.on_drain)
        s->h.on_drain(s->h.ctx, c);
    if (may_write(s)) /* else kick_all writes it, after on_round_end */
        start_write(c);
}

static void free_instance(ipc_conn *c)
{
    CloseHandle(c->h);
    free(c);
}

/* Makes c the instance waiting for a client: ConnectNamedPipe on it. A
 * client that came and went before the wait (ERROR_NO_DATA) is dropped and
 * the wait retried on the same instance. Returns 0, or an ERR_ code with c
 * left to the caller. */
static int arm_instance(ipc_server *s, ipc_conn *c)
{
    for (int tries = 0;; tries++) {
        memset(&c->rd.ov, 0, sizeof(c->rd.ov));
        c->rd.kind = OP_CONNECT;
        s->pending = c;
        if (ConnectNamedPipe(c->h, &c->rd.ov)) {
            c->rd_pending = 1; /* completed at once; its packet is queued */
            return 0;
        }
        switch (GetLastError()) {
        case ERROR_IO_PENDING:
            c->rd_pending = 1;
            return 0;
        case ERROR_PIPE_CONNECTED: /* a client came before we waited: no packet */
            on_connected(s, c);
            return 0;
        case ERROR_NO_DATA:
            s->pending = NULL;
            if (tries < 3 && DisconnectNamedPipe(c->h))
                continue;
            return ERR_CLOSED;
        default: {
            int rc = err_last_os();
            s->pending = NULL;
            return rc;
        }
        }
    }
}

/* The waiting instance `c` lost its client before the connection was made:
 * wait on it again. If that fails, the next instance is made BEFORE c is
 * closed, so the pipe name never lapses (another process could take it). */
static void rearm_instance(ipc_server *s, ipc_conn *c)
{
    s->pending = NULL;
    if (DisconnectNamedPipe(c->h) && arm_instance(s, c) == 0)
        return;
    if (new_instance(s, 0) == 0) {
        free_instance(c);
        return;
    }
    /* Kept, unarmed, only to hold the name until a next instance exists. */
    if (s->spare)
        free_instance(s->spare);
    s->spare = c;
}

/* Creates the next instance and waits for a client on it. */
static int new_instance(ipc_server *s, int first)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), s->sd, FALSE};
    ipc_conn *c = calloc(1, sizeof(*c));
    DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
    int rc;

    if (c == NULL)
        return ERR_NOMEM;
    if (first)
        open_mode |= FILE_FLAG_FIRST_PIPE_INSTANCE;
    c->h = CreateNamedPipeW(s->name, open_mode,
                            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT |
                                PIPE_REJECT_REMOTE_CLIENTS,
                            PIPE_UNLIMITED_INSTANCES, IPC_PIPE_BUFFER, IPC_PIPE_BUFFER, 0, &sa);
    if (c->h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        free(c);
        /* The first instance failing means someone else holds the name. */
        if (first && (e == ERROR_ACCESS_DENIED || e == ERROR_PIPE_BUSY))
            return ERR_INUSE;
        return err_from_os(e);
    }
    if (CreateIoCompletionPort(c->h, s->iocp, (ULONG_PTR)c, 0) == NULL) {
        rc = err_last_os();
        free_instance(c);
        return rc;
    }
    c->base.reading = 1;
    rc = arm_instance(s, c);
    if (rc < 0)
        free_instance(c); /* never waited: the instances that exist keep the name */
    return rc;
}

static void on_connected(ipc_server *s, ipc_conn *c)
{
    s->pending = NULL;
    c->next = s->conns;
    s->conns = c;
    s->nconns++;
    if (s->h.on_accept)
        s->h.on_accept(s->h.ctx, c);
    start_read(c);
    new_instance(s, 0); /* on failure retried at the next round */
}

int ipc_server_open(const char *endpoint, const struct ipc_server_opts *opts,
                    const struct ipc_handlers *h, ipc_server **out)
{
    ipc_server *s = calloc(1, sizeof(*s));
    int rc;

    if (s == NULL)
        return ERR_NOMEM;
    s->h = *h;
    s->name = win_wide(endpoint);
    if (s->name == NULL) {
        rc = ERR_INVAL;
        goto free_server;
    }
    rc = ipc_win_pipe_sd(opts->system_mode, &s->sd);
    if (rc < 0)
        goto free_name;
    s->iocp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (s->iocp == NULL) {
        rc = err_last_os();
        goto free_sd;
    }
    rc = new_instance(s, 1);
    if (rc < 0)
        goto close_iocp;
    *out = s;
    return 0;

close_iocp:
    CloseHandle(s->iocp);
free_sd:
    LocalFree(s->sd);
free_name:
    free(s->name);
free_server:
    free(s);
    return rc;
}

/* Frees dead connections whose operations have all completed. */
static void sweep_dead(ipc_server *s)
{
    struct ipc_conn **pp = &s->conns;

    while (*pp) {
        struct ipc_conn *c = *pp;
        if (!c->base.dead || c->rd_pending || c->wr_pending) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        s->nconns--;
        if (s->h.on_close)
            s->h.on_close(s->h.ctx, c, c->base.dead_err);
        DisconnectNamedPipe(c->h);
        CloseHandle(c->h);
        if (c->base.peer.token)
            CloseHandle(c->base.peer.token);
        ipc_buf_free(&c->base.out);
        ipc_buf_free(&c->wbuf);
        free(c);
    }
}

static void dispatch_event(ipc_server *s, OVERLAPPED_ENTRY *e)
{
    ipc_conn *c = (ipc_conn *)e->lpCompletionKey;
    struct op *op = (struct op *)e->lpOverlapped;
    DWORD bytes = 0;
    BOOL ok;

    if (e->lpCompletionKey == WAKE_KEY || op == NULL)
        return;
    ok = GetOverlappedResult(c->h, &op->ov, &bytes, FALSE);
    switch (op->kind) {
    case OP_CONNECT:
        c->rd_pending = 0;
        if (c == s->cancelled) /* cancelled while closing: ipc_server_close frees it */
            break;
        if (c != s->pending) {
            free_instance(c);
        } else if (ok || GetLastError() == ERROR_PIPE_CONNECTED) {
            on_connected(s, c);
        } else {
            rearm_instance(s, c); /* a client that gave up */
        }
        break;
    case OP_READ:
        read_done(s, c, ok, bytes);
        break;
    case OP_WRITE:
        write_done(s, c, ok, bytes);
        break;
    }
}

/* Starts the I/O that code outside the completion callbacks asked for
 * (sends queued by a follower's pump, reads switched back on, closes). */
static void kick_all(ipc_server *s)
{
    for (ipc_conn *c = s->conns; c; c = c->next) {
        start_write(c);
        start_read(c);
    }
    sweep_dead(s);
}

int ipc_server_run_once(ipc_server *s, int timeout_ms)
{
    OVERLAPPED_ENTRY ev[MAX_EVENTS];
    ULONG n = 0;

    if (s->pending == NULL && new_instance(s, 0) == 0 && s->spare) {
        free_instance(s->spare);
        s->spare = NULL;
    }
    kick_all(s); /* before waiting, or a queued send would wait for an unrelated event */
    if (!GetQueuedCompletionStatusEx(s->iocp, ev, MAX_EVENTS, &n,
                                     timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms, FALSE)) {
        DWORD e = GetLastError();
        if (e != WAIT_TIMEOUT)
            return err_from_os(e);
        n = 0; /* a timeout is a round too: on_round_end runs */
    }
    for (ULONG i = 0; i < n; i++)
        dispatch_event(s, &ev[i]);
    if (s->h.on_round_end)
        s->h.on_round_end(s->h.ctx);
    kick_all(s);
    return 0;
}

void ipc_server_wake(ipc_server *s)
{
    PostQueuedCompletionStatus(s->iocp, 0, WAKE_KEY, NULL);
}

void ipc_server_close(ipc_server *s)
{
    if (s == NULL)
        return;
    for (ipc_conn *c = s->conns; c; c = c->next)
        mark_dead(c, ERR_CLOSED);
    /* The waiting instance is freed here for sure, not by its aborted packet,
     * which may come after the rounds below end; its wait must be over first
     * (the kernel writes its OVERLAPPED until then). */
    ipc_conn *p = s->pending;
    s->pending = NULL;
    if (p) {
        DWORD n;
        CancelIoEx(p->h, &p->rd.ov);
        if (!GetOverlappedResultEx(p->h, &p->rd.ov, &n, 2000, FALSE) &&
            GetLastError() == WAIT_TIMEOUT)
            p = NULL; /* still in flight: leaked rather than freed under the kernel */
        s->cancelled = p;
    }
    /* Let every cancelled operation report back before memory goes. */
    for (int round = 0; round < 50; round++) {
        OVERLAPPED_ENTRY ev[MAX_EVENTS];
        ULONG n = 0;
        sweep_dead(s);
        if (!GetQueuedCompletionStatusEx(s->iocp, ev, MAX_EVENTS, &n, 20, FALSE)) {
            if (s->conns == NULL)
                break;
            continue;
        }
        for (ULONG i = 0; i < n; i++)
            dispatch_event(s, &ev[i]);
    }
    CloseHandle(s->iocp); /* drops any packet of p still queued */
    if (p)
        free_instance(p);
    if (s->spare)
        free_instance(s->spare);
    LocalFree(s->sd);
    free(s->name);
    free(s);
}

size_t ipc_server_conn_count(const ipc_server *s)
{
    return s->nconns;
}

int ipc_server_set_groups(ipc_server *s, const struct ipc_server_opts *opts)
{
    (void)s;
    (void)opts; /* the pipe's DACL is fixed; the policy decides per request */
    return 0;
}

int ipc_server_explain_access(const char *endpoint, char *buf, size_t n)
{
    /* A pipe name has no directory whose owner could be named: the pipe's
     * own ERR_ACCESS (someone holds the first instance) says it all. */
    (void)endpoint;
    if (n > 0)
        buf[0] = '\0';
    return ERR_NOENT;
}

int ipc_conn_peer_update(ipc_conn *c)
{
    (void)c;
    return 0;
}

size_t ipc_conn_pending(const ipc_conn *c)
{
    return ipc_buf_pending(&c->base.out) + ipc_buf_pending(&c->wbuf);
}

void ipc_conn_close(ipc_conn *c, int after_flush)
{
    if (after_flush && ipc_conn_pending(c) > 0)
        c->base.closing = 1;
    else
        mark_dead(c, 0);
}

/* --- client ------------------------------------------------------------- */

/* The SID of the current user, for the owner check; caller frees. */
static PSID current_user_sid(void)
{
    union {
        TOKEN_USER tu;
        char raw[512];
    } info;
    DWORD len = 0;
    HANDLE tok;
    PSID copy = NULL;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return NULL;
    if (GetTokenInformation(tok, TokenUser, &info, sizeof(info), &len)) {
        DWORD n = GetLengthSid(info.tu.User.Sid);
        copy = malloc(n);
        if (copy)
            CopySid(n, copy, info.tu.User.Sid);
    }
    CloseHandle(tok);
    return copy;
}

static enum ipc_owner classify_owner(PSID owner)
{
    SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
    PSID admins = NULL, me;
    enum ipc_owner kind = IPC_OWNER_OTHER;

    if (owner == NULL)
        return IPC_OWNER_OTHER;
    if (win_sid_is_system(owner))
        return IPC_OWNER_SYSTEM;
    me = current_user_sid();
    if (me && EqualSid(owner, me))
        kind = IPC_OWNER_SELF;
    else if (AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS,
                                      0, 0, 0, 0, 0, 0, &admins)) {
        if (EqualSid(owner, admins))
            kind = IPC_OWNER_ADMINS;
        FreeSid(admins);
    }
    free(me);
    return kind;
}

/* Checks, before a byte is sent, that the pipe belongs to whom we expect. */
static int verify_server(HANDLE h, const struct ipc_client_opts *o)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    PSID owner = NULL;
    enum ipc_owner kind;
    ULONG pid = 0;
    int rc;

    if (o == NULL || o->expect == IPC_EXPECT_ANY)
        return 0;
    if (GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL,
                        &sd) != ERROR_SUCCESS)
        return ERR_UNTRUSTED;
    kind = classify_owner(owner);
    if (!GetNamedPipeServerProcessId(h, &pid))
        pid = 0;
    rc = ipc_verify(o, kind, (long)pid);
    if (rc == ERR_UNTRUSTED && o->seen && o->seen_len > 0) {
        char name[IPC_NAME_MAX];
        if (owner == NULL || win_sid_name(owner, name, sizeof(name), 2000) < 0)
            snprintf(name, sizeof(name), "an unknown owner");
        snprintf(o->seen, o->seen_len, "%s (pid %lu)", name, (unsigned long)pid);
    }
    LocalFree(sd);
    return rc;
}

static DWORD ms_left(ULONGLONG deadline)
{
    ULONGLONG now = GetTickCount64();
    return now >= deadline ? 0 : (DWORD)(deadline - now);
}

int ipc_client_connect(const char *endpoint, const struct ipc_client_opts *o, int timeout_ms,
                       ipc_client **out)
{
    ULONGLONG deadline = GetTickCount64() + (ULONGLONG)(timeout_ms < 0 ? 0x7fffffff : timeout_ms);
    wchar_t *name = win_wide(endpoint);
    ipc_client *c;
    HANDLE h;
    int rc;

    if (name == NULL)
        return ERR_INVAL;
    for (;;) {
        /* SECURITY_IDENTIFICATION: the service may learn who we are, never act
         * as us. */
        h = CreateFileW(name, SECURITY_PIPE_CLIENT_ACCESS, 0, NULL, OPEN_EXISTING,
                        FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                        NULL);
        if (h != INVALID_HANDLE_VALUE)
            break;
        if (GetLastError() != ERROR_PIPE_BUSY) {
            rc = err_last_os();
            goto free_name;
        }
        /* Every instance taken: the server is busy, not gone. Wait for one
         * within the timeout; ERR_AGAIN, as for a full listen queue on
         * POSIX, when none came. */
        if (ms_left(deadline) == 0 ||
            (!WaitNamedPipeW(name, ms_left(deadline)) && GetLastError() == ERROR_SEM_TIMEOUT)) {
            rc = ERR_AGAIN;
            goto free_name;
        }
    }
    rc = verify_server(h, o);
    if (rc < 0)
        goto close_pipe;
    c = calloc(1, sizeof(*c));
    if (c == NULL || (c->ev = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL) {
        free(c);
        rc = ERR_NOMEM;
        goto close_pipe;
    }
    c->h = h;
    free(name);
    *out = c;
    return 0;

close_pipe:
    CloseHandle(h);
free_name:
    free(name);
    return rc;
}

/* Waits for an overlapped operation within timeout_ms; cancels it on time-out. */
static int finish_io(ipc_client *c, OVERLAPPED *ov, BOOL started, DWORD *bytes, int timeout_ms)
{
    if (!started && GetLastError() != ERROR_IO_PENDING)
        return GetLastError() == ERROR_BROKEN_PIPE ? ERR_CLOSED : err_last_os();
    if (WaitForSingleObject(c->ev, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms) == WAIT_TIMEOUT) {
        CancelIoEx(c->h, ov);
        GetOverlappedResult(c->h, ov, bytes, TRUE);
        return ERR_TIMEDOUT;
    }
    if (!GetOverlappedResult(c->h, ov, bytes, FALSE))
        return GetLastError() == ERROR_BROKEN_PIPE ? ERR_CLOSED : err_last_os();
    return 0;
}

int ipc_client_send(ipc_client *c, const void *data, size_t n, int timeout_ms)
{
    const uint8_t *p = data;

    while (n > 0) {
        OVERLAPPED ov;
        DWORD wrote = 0;
        memset(&ov, 0, sizeof(ov));
        ov.hEvent = c->ev;
        ResetEvent(c->ev);
        BOOL started = WriteFile(c->h, p, (DWORD)n, NULL, &ov);
        int rc = finish_io(c, &ov, started, &wrote, timeout_ms);
        if (rc < 0)
            return rc;
        p += wrote;
        n -= wrote;
    }
    return 0;
}

int ipc_client_recv(ipc_client *c, void *buf, size_t cap, size_t *got, int timeout_ms)
{
    OVERLAPPED ov;
    DWORD r = 0;
    int rc;

    *got = 0;
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = c->ev;
    ResetEvent(c->ev);
    BOOL started = ReadFile(c->h, buf, (DWORD)cap, NULL, &ov);
    rc = finish_io(c, &ov, started, &r, timeout_ms);
    if (rc < 0)
        return rc;
    if (r == 0)
        return ERR_CLOSED;
    *got = r;
    return 0;
}

void ipc_client_close(ipc_client *c)
{
    if (c == NULL)
        return;
    CloseHandle(c->h);
    CloseHandle(c->ev);
    free(c);
}
