/* pager.h on Windows: the pager is a child process on an anonymous pipe
 * that replaces stdout. No pager unless SYSTEMD_PAGER or PAGER names one
 * (e.g. less from Git for Windows): more.com neither quits at the end of a
 * short output nor shows colours. */
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
#include <windows.h>

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

static HANDLE pager_proc;
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
    if (redirect(w) < 0) {
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
    WaitForSingleObject(pager_proc, INFINITE); /* we end when the pager does */
    CloseHandle(pager_proc);
    pager_proc = NULL;
    SetConsoleCtrlHandler(on_ctrl, FALSE);
}
