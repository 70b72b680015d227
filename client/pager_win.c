/* pager.h on Windows: the pager is a child process on an anonymous pipe,
 * fed by the spooler (pager.h: two threads here, one reading what
 * svcclient writes to the pipe that replaces stdout, one writing to the
 * pager). No pager unless SYSTEMD_PAGER or PAGER names one (e.g. less from
 * Git for Windows): more.com neither quits at the end of a short output nor
 * shows colours. */
/* Lean: the full windows.h includes <rpc.h>, which here would be
 * client/rpc.h (the client's folder is on the include path). */
#define WIN32_LEAN_AND_MEAN
#include "pager.h"
#include "err.h"
#include "winutil.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

/* The spooler's state, shared by its two threads under `lock`. */
struct spool {
    SRWLOCK lock;
    CONDITION_VARIABLE changed; /* bytes came, bytes went, the input ended, the pager left */
    struct pager_spool sp;
    int eof;  /* svcclient closed its end: write the rest, then end */
    int gone; /* the pager quit: what comes is dropped */
    HANDLE in, out;
    HANDLE reader, writer;
};

static HANDLE pager_proc;
static struct spool spool;
static int saved_out = -1, saved_err = -1;
static volatile LONG stopped;

const char *pager_default(void)
{
    return NULL;
}

int pager_color_ready(void)
{
    HANDLE h = (HANDLE)_get_osfhandle(_fileno(stdout));
    DWORD mode;

    if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
        return 0; /* a file or a pipe: the bytes go as they are */
    if (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING)
        return 0;
    return SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) ? 0 : ERR_UNSUPPORTED;
}

/* Ctrl-C and Ctrl-Break while paging end the output, not the process. */
static BOOL WINAPI on_ctrl(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE;
    InterlockedExchange(&stopped, 1);
    return TRUE;
}

/* LESS for the pager, in our environment, which it inherits. */
static void set_less(void)
{
    const char *v = pager_less_value(getenv("SYSTEMD_LESS"), getenv("LESS"));
    wchar_t *w = win_wide(v);

    if (w != NULL)
        SetEnvironmentVariableW(L"LESS", w);
    free(w);
}

/* The spooler's reading thread: takes what svcclient writes as it comes,
 * into the spool (waiting only when PAGER_SPOOL_MAX is held), until
 * svcclient closes its end. */
static DWORD WINAPI spool_reader(void *arg)
{
    struct spool *s = arg;
    static char chunk[PAGER_SPOOL_CHUNK]; /* only this thread uses it */

    for (;;) {
        DWORD n = 0;
        if (!ReadFile(s->in, chunk, sizeof(chunk), &n, NULL) || n == 0)
            break; /* ERROR_BROKEN_PIPE: svcclient is done */
        AcquireSRWLockExclusive(&s->lock);
        while (!s->gone && pager_spool_room(&s->sp) < 0) {
            if (s->sp.head == s->sp.len) { /* no memory even for one read */
                s->gone = 1;
                pager_write_failed();
                break;
            }
            SleepConditionVariableSRW(&s->changed, &s->lock, INFINITE, 0);
        }
        if (!s->gone) {
            memcpy(s->sp.buf + s->sp.len, chunk, n);
            s->sp.len += n;
        }
        WakeAllConditionVariable(&s->changed);
        ReleaseSRWLockExclusive(&s->lock);
    }
    AcquireSRWLockExclusive(&s->lock);
    s->eof = 1;
    WakeAllConditionVariable(&s->changed);
    ReleaseSRWLockExclusive(&s->lock);
    return 0;
}

/* Writes n bytes to the pager. Returns 0, or -1 when it is gone. */
static int write_all(HANDLE h, const char *p, DWORD n)
{
    while (n > 0) {
        DWORD w = 0;
        if (!WriteFile(h, p, n, &w, NULL))
            return -1;
        p += w;
        n -= w;
    }
    return 0;
}

/* The spooler's writing thread: hands the pager what the spool holds, as
 * fast as it reads, until the input ended and all is written, or the pager
 * quit (then svcclient's output stops: pager_write_failed). Closes the
 * pager's pipe, so the pager sees the end. */
static DWORD WINAPI spool_writer(void *arg)
{
    struct spool *s = arg;
    static char chunk[PAGER_SPOOL_CHUNK]; /* only this thread uses it */

    for (;;) {
        DWORD n;
        AcquireSRWLockExclusive(&s->lock);
        while (s->sp.head == s->sp.len && !s->eof)
            SleepConditionVariableSRW(&s->changed, &s->lock, INFINITE, 0);
        n = (DWORD)(s->sp.len - s->sp.head < sizeof(chunk) ? s->sp.len - s->sp.head
                                                           : sizeof(chunk));
        memcpy(chunk, s->sp.buf + s->sp.head, n);
        s->sp.head += n;
        WakeAllConditionVariable(&s->changed);
        ReleaseSRWLockExclusive(&s->lock);
        if (n == 0)
            break; /* the input ended and everything is written */
        if (write_all(s->out, chunk, n) < 0) {
            AcquireSRWLockExclusive(&s->lock);
            s->gone = 1;
            WakeAllConditionVariable(&s->changed);
            ReleaseSRWLockExclusive(&s->lock);
            pager_write_failed();
            break;
        }
    }
    CloseHandle(s->out);
    s->out = NULL;
    return 0;
}

/* Puts the spooler between `*w` (the pager's pipe, taken over) and us: on
 * success *w becomes the write end of the spooler's input. Without it (no
 * pipe or thread left), *w stays the pager's pipe: the output still works,
 * only without the spooler's patience. */
static void spool_start(HANDLE *w)
{
    HANDLE r, sw;

    memset(&spool, 0, sizeof(spool));
    InitializeSRWLock(&spool.lock);
    InitializeConditionVariable(&spool.changed);
    if (!CreatePipe(&r, &sw, NULL, 0)) /* neither end inherited */
        return;
    spool.in = r;
    spool.out = *w;
    spool.writer = CreateThread(NULL, 0, spool_writer, &spool, 0, NULL);
    if (spool.writer == NULL)
        goto close_pipe;
    spool.reader = CreateThread(NULL, 0, spool_reader, &spool, 0, NULL);
    if (spool.reader == NULL) {
        /* the writer waits for input that never comes: end it, but keep
         * the pager's pipe (it closes s->out at its end) */
        spool.out = NULL;
        AcquireSRWLockExclusive(&spool.lock);
        spool.eof = 1;
        WakeAllConditionVariable(&spool.changed);
        ReleaseSRWLockExclusive(&spool.lock);
        WaitForSingleObject(spool.writer, INFINITE);
        CloseHandle(spool.writer);
        spool.writer = NULL;
        goto close_pipe;
    }
    *w = sw;
    return;
close_pipe:
    CloseHandle(r);
    CloseHandle(sw);
    spool.in = NULL;
}

/* Waits for the spooler to hand the pager the rest (its input is closed
 * by now) and end. */
static void spool_stop(void)
{
    if (spool.reader) {
        WaitForSingleObject(spool.reader, INFINITE);
        CloseHandle(spool.reader);
    }
    if (spool.writer) {
        WaitForSingleObject(spool.writer, INFINITE);
        CloseHandle(spool.writer);
    }
    if (spool.in)
        CloseHandle(spool.in);
    pager_spool_free(&spool.sp);
    memset(&spool, 0, sizeof(spool));
}

/* The pager started on `in`, its output and errors where ours go now.
 * Returns the process handle, or NULL. */
static HANDLE spawn(const char *cmd, HANDLE in)
{
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *line = win_wide(cmd);
    BOOL ok;

    if (line == NULL)
        return NULL;
    ZeroMemory(&si, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in;
    si.hStdOutput = (HANDLE)_get_osfhandle(_fileno(stdout));
    si.hStdError = (HANDLE)_get_osfhandle(_fileno(stderr));
    set_less();
    /* CreateProcess finds the program on PATH (adding .exe), as a shell
     * would; no cmd.exe, so a missing one is known and we print directly */
    ok = CreateProcessW(NULL, line, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
    free(line);
    if (!ok)
        return NULL;
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

/* stdout (and a console stderr) onto the pipe's write end `w` (taken over).
 * Returns 0 or -1 (nothing changed, w closed). */
static int redirect(HANDLE w)
{
    int fd = _open_osfhandle((intptr_t)w, _O_WRONLY | _O_BINARY);
    DWORD mode;

    if (fd < 0) {
        CloseHandle(w);
        return -1;
    }
    saved_out = _dup(_fileno(stdout));
    if (saved_out < 0 || _dup2(fd, _fileno(stdout)) < 0) {
        if (saved_out >= 0)
            _close(saved_out);
        saved_out = -1;
        _close(fd);
        return -1;
    }
    if (GetConsoleMode((HANDLE)_get_osfhandle(_fileno(stderr)), &mode)) {
        saved_err = _dup(_fileno(stderr));
        if (saved_err >= 0 && _dup2(fd, _fileno(stderr)) < 0) {
            _close(saved_err);
            saved_err = -1;
        }
    }
    _close(fd);
    setvbuf(stdout, NULL, _IONBF, 0);
    return 0;
}

int pager_start(const char *cmd)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    HANDLE r, w, proc;

    if (pager_proc != NULL)
        return 1;
    if (!CreatePipe(&r, &w, &sa, 0))
        return 0;
    /* only the read end goes to the pager: it must see our end close */
    if (!SetHandleInformation(w, HANDLE_FLAG_INHERIT, 0)) {
        CloseHandle(r);
        CloseHandle(w);
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    proc = spawn(cmd, r);
    CloseHandle(r);
    if (proc == NULL) {
        CloseHandle(w);
        return 0;
    }
    spool_start(&w);
    if (redirect(w) < 0) {
        spool_stop();
        WaitForSingleObject(proc, INFINITE); /* its input is closed: it ends */
        CloseHandle(proc);
        return 0;
    }
    pager_proc = proc;
    InterlockedExchange(&stopped, 0);
    SetConsoleCtrlHandler(on_ctrl, TRUE);
    return 1;
}

int pager_active(void)
{
    return pager_proc != NULL;
}

int pager_stopped(void)
{
    return InterlockedCompareExchange(&stopped, 0, 0) != 0;
}

void pager_write_failed(void)
{
    InterlockedExchange(&stopped, 1);
}

void pager_finish(void)
{
    if (pager_proc == NULL)
        return;
    fflush(stdout);
    fflush(stderr);
    _dup2(saved_out, _fileno(stdout)); /* closes our end of the pipe: its EOF */
    _close(saved_out);
    saved_out = -1;
    if (saved_err >= 0) {
        _dup2(saved_err, _fileno(stderr));
        _close(saved_err);
        saved_err = -1;
    }
    clearerr(stdout);
    clearerr(stderr);
    spool_stop();                              /* it hands the pager the rest, then ends */
    WaitForSingleObject(pager_proc, INFINITE); /* we end when the pager does */
    CloseHandle(pager_proc);
    pager_proc = NULL;
    SetConsoleCtrlHandler(on_ctrl, FALSE);
}
