#include "term.h"
#include "winutil.h"

#include <io.h>
#include <shellapi.h>
#include <stdlib.h>
#include <windows.h>

void term_init(void)
{
    /* UTF-8 inside: the console must render our bytes as UTF-8. */
    SetConsoleOutputCP(CP_UTF8);
}

void term_args_utf8(int *argc, char ***argv)
{
    int n = 0;
    LPWSTR *w = CommandLineToArgvW(GetCommandLineW(), &n);
    char **out;

    if (w == NULL)
        return;
    out = calloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; out && i < n; i++) {
        int len = WideCharToMultiByte(CP_UTF8, 0, w[i], -1, NULL, 0, NULL, NULL);
        out[i] = len > 0 ? malloc((size_t)len) : NULL;
        if (out[i] == NULL || win_utf8(w[i], out[i], (size_t)len) < 0) {
            LocalFree(w);
            return; /* keep the C runtime's argv; the strings live for the process */
        }
    }
    LocalFree(w);
    if (out) {
        *argc = n;
        *argv = out;
    }
}

int term_is_tty(FILE *f)
{
    return _isatty(_fileno(f));
}
