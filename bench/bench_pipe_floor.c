/* The floor for a Windows client process: open the named pipe, write one
 * status request frame, read the whole reply frame, exit. What any client
 * must do; svcclient.exe status is measured against it (bench/wine_status.sh).
 * Usage: bench_pipe_floor PIPE_NAME. Exits 0 when a reply came. */
#include <windows.h>

#include <stdio.h>

/* svcd.Request{version: 1, id: 1, status: {}}, framed (4-byte big-endian
 * length first). */
static const unsigned char status_frame[] = {0, 0, 0, 6, 0x08, 0x01, 0x10, 0x01, 0x52, 0x00};

static int read_all(HANDLE h, unsigned char *p, DWORD n)
{
    while (n > 0) {
        DWORD got = 0;
        if (!ReadFile(h, p, n, &got, NULL) || got == 0)
            return -1;
        p += got;
        n -= got;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static unsigned char body[1 << 20];
    unsigned char hdr[4];
    DWORD put = 0, len;
    HANDLE h;

    if (argc != 2)
        return 2;
    h = CreateFileA(argv[1], GENERIC_READ | FILE_WRITE_DATA, 0, NULL, OPEN_EXISTING,
                    SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return 1;
    if (!WriteFile(h, status_frame, sizeof(status_frame), &put, NULL) ||
        put != sizeof(status_frame) || read_all(h, hdr, 4) < 0)
        return 1;
    len = (DWORD)hdr[0] << 24 | (DWORD)hdr[1] << 16 | (DWORD)hdr[2] << 8 | hdr[3];
    if (len > sizeof(body) || read_all(h, body, len) < 0)
        return 1;
    CloseHandle(h);
    return 0;
}
