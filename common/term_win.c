#include "term.h"
#include "cmdline.h"
#include "err.h"
#include "winutil.h"

#include <io.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

/* UTF-16 units per WriteConsoleW call: older consoles refuse big writes. */
#define CONSOLE_CHUNK 4096

/* Parsed here (cmdline.c) rather than by CommandLineToArgvW: loading SHELL32
 * for it would cost a short-lived client a good part of its run time. */
void term_args_utf8(int *argc, char ***argv)
{
    const wchar_t *w = GetCommandLineW();
    int len = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *line = len > 0 ? malloc((size_t)len) : NULL;
    char **out;
    int n;

    if (line == NULL)
        return; /* keep the C runtime's argv */
    if (win_utf8(w, line, (size_t)len) < 0 || cmdline_split(line, &n, &out) < 0 || n == 0) {
        free(line);
        return;
    }
    free(line);
    *argc = n;
    *argv = out; /* lives for the process */
}

int term_is_tty(FILE *f)
{
    return _isatty(_fileno(f));
}

int term_stderr_is_journal(void)
{
    return 0; /* no journald: Windows services report through the Event Log */
}

/* The console behind f, or NULL when f is a file or a pipe. */
static HANDLE console_of(FILE *f)
{
    HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
    DWORD mode;

    return h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode) ? h : NULL;
}

/* Writes w[0..n) to the console in chunks that never split a surrogate pair. */
static int console_write(HANDLE h, const wchar_t *w, size_t n)
{
    while (n > 0) {
        DWORD k = n > CONSOLE_CHUNK ? CONSOLE_CHUNK : (DWORD)n, put = 0;
        if (k < n && w[k - 1] >= 0xD800 && w[k - 1] <= 0xDBFF)
            k--;
        if (!WriteConsoleW(h, w, k, &put, NULL) || put == 0)
            return ERR_IO;
        w += put;
        n -= put;
    }
    return 0;
}

/* Writes n bytes to a file or pipe with one WriteFile, each "\n" as "\r\n"
 * as the C runtime's text mode would: msvcrt (Wine's at least) otherwise
 * writes unbuffered text one byte per system call. */
static int file_write(HANDLE h, const char *p, size_t n)
{
    size_t lf = 0, k = 0;
    char *out;
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        lf += p[i] == '\n';
    out = malloc(n + lf);
    if (out == NULL)
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            out[k++] = '\r';
        out[k++] = p[i];
    }
    for (size_t off = 0; off < k;) {
        DWORD put = 0, want = k - off > 1u << 30 ? 1u << 30 : (DWORD)(k - off);
        if (!WriteFile(h, out + off, want, &put, NULL) || put == 0) {
            rc = ERR_IO;
            break;
        }
        off += put;
    }
    free(out);
    return rc;
}

/* UTF-8 -> UTF-16 with each "\n" as "\r\n", as text mode would write it.
 * Invalid bytes become U+FFFD rather than losing the line. */
static wchar_t *console_text(const char *utf8, size_t n, size_t *wn)
{
    int len = n < (1u << 28) ? MultiByteToWideChar(CP_UTF8, 0, utf8, (int)n, NULL, 0) : 0;
    wchar_t *w, *out;
    size_t k = 0;

    if (len <= 0) /* invalid bytes are replaced, so only an absurd size fails */
        return NULL;
    w = malloc((size_t)len * sizeof(wchar_t));
    out = malloc((size_t)len * 2 * sizeof(wchar_t));
    if (w == NULL || out == NULL || MultiByteToWideChar(CP_UTF8, 0, utf8, (int)n, w, len) != len) {
        free(w);
        free(out);
        return NULL;
    }
    for (int i = 0; i < len; i++) {
        if (w[i] == L'\n' && (i == 0 || w[i - 1] != L'\r'))
            out[k++] = L'\r';
        out[k++] = w[i];
    }
    free(w);
    *wn = k;
    return out;
}

int term_write(FILE *f, const char *utf8, size_t n)
{
    HANDLE h = (HANDLE)_get_osfhandle(_fileno(f)), con;
    wchar_t *w;
    size_t wn = 0;
    int rc;

    if (n == 0)
        return 0;
    fflush(f); /* what stdio still holds goes first */
    con = console_of(f);
    if (con == NULL)
        return h == INVALID_HANDLE_VALUE ? ERR_IO : file_write(h, utf8, n);
    w = console_text(utf8, n, &wn);
    if (w == NULL)
        return ERR_IO;
    rc = console_write(con, w, wn);
    free(w);
    return rc;
}
