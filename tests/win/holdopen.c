/* A test helper that holds a file open the way PowerShell's Get-Content -Wait
 * does, sharing read and write but not delete, so nobody can rename it:
 *   holdopen FILE FLAG   hold FILE open while the file FLAG exists (at most
 *                        120 s), then close it and exit 0
 * Prints "holding FILE" once the handle is open. Exit 1 when FILE cannot be
 * opened. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

#include "winutil.h"

int main(int argc, char **argv)
{
    wchar_t *path, *flag;
    HANDLE h;

    if (argc != 3) {
        fprintf(stderr, "usage: holdopen FILE FLAG\n");
        return 2;
    }
    path = win_wide(argv[1]);
    flag = win_wide(argv[2]);
    if (path == NULL || flag == NULL)
        return 2;
    h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        printf("cannot open %s: Win32 error %lu\n", argv[1], (unsigned long)GetLastError());
        return 1;
    }
    printf("holding %s\n", argv[1]);
    fflush(stdout);
    for (int i = 0; i < 2400 && GetFileAttributesW(flag) != INVALID_FILE_ATTRIBUTES; i++)
        Sleep(50);
    CloseHandle(h);
    printf("released %s\n", argv[1]);
    free(path);
    free(flag);
    return 0;
}
