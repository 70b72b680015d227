/* Unit tests of the Windows-only code, run under Wine (and on Windows).
 * Wine does not enforce pipe DACLs or FILE_FLAG_FIRST_PIPE_INSTANCE, so the
 * descriptors are checked here as data: they parse, and grant exactly the
 * access masks README documents. */
#include <windows.h>

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "codec.h"
#include "config.h"
#include "err.h"
#include "paths.h"
#include "security.h"
#include "winutil.h"

/* For the command line, console, shutdown and pipe-server checks. */
#include <fcntl.h>
#include <io.h>
#include <shellapi.h>

#include "cmdline.h"
#include "cmdline_cases.h"
#include "host_win.h"
#include "ipc.h"
#include "term.h"

static int passed, failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

static PSID well_known(WELL_KNOWN_SID_TYPE type)
{
    static BYTE bufs[8][SECURITY_MAX_SID_SIZE];
    static int next;
    DWORD size = SECURITY_MAX_SID_SIZE;
    PSID sid = bufs[next++ % 8];
    return CreateWellKnownSid(type, NULL, sid, &size) ? sid : NULL;
}

/* The mask of the single allow ACE for `sid`, or 0 (and *count of ACEs). */
static DWORD mask_for(PACL dacl, PSID sid, BYTE *flags)
{
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        ACCESS_ALLOWED_ACE *ace;
        if (!GetAce(dacl, i, (LPVOID *)&ace) || ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE)
            continue;
        if (EqualSid((PSID)&ace->SidStart, sid)) {
            if (flags)
                *flags = ace->Header.AceFlags;
            return ace->Mask;
        }
    }
    return 0;
}

static PSECURITY_DESCRIPTOR parse(const wchar_t *sddl, PACL *dacl, PSID *owner, int *protected_)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    SECURITY_DESCRIPTOR_CONTROL ctl = 0;
    DWORD rev;

    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
        return NULL;
    GetSecurityDescriptorDacl(sd, &present, dacl, &defaulted);
    *owner = NULL;
    GetSecurityDescriptorOwner(sd, owner, &defaulted);
    GetSecurityDescriptorControl(sd, &ctl, &rev);
    *protected_ = (ctl & SE_DACL_PROTECTED) != 0;
    return sd;
}

static void test_pipe_sddl_system(void)
{
    PACL dacl = NULL;
    PSID owner;
    int prot;
    PSECURITY_DESCRIPTOR sd = parse(SECURITY_PIPE_SDDL_SYSTEM, &dacl, &owner, &prot);

    CHECK(sd != NULL, "service pipe SDDL parses (error %lu)", GetLastError());
    if (sd == NULL)
        return;
    CHECK(owner && EqualSid(owner, well_known(WinLocalSystemSid)), "owner is SYSTEM");
    CHECK(prot, "DACL is protected (nothing inherited)");
    CHECK(dacl && dacl->AceCount == 3, "exactly three ACEs, got %u", dacl ? dacl->AceCount : 0);
    CHECK(mask_for(dacl, well_known(WinLocalSystemSid), NULL) == GENERIC_ALL, "SYSTEM: full");
    CHECK(mask_for(dacl, well_known(WinBuiltinAdministratorsSid), NULL) == GENERIC_ALL,
          "Administrators: full");
    DWORD au = mask_for(dacl, well_known(WinAuthenticatedUserSid), NULL);
    CHECK(au == SECURITY_PIPE_USER_MASK, "Authenticated Users: 0x%lx, want 0x12019b",
          (unsigned long)au);
    CHECK((au & SECURITY_FILE_CREATE_PIPE_INSTANCE) == 0,
          "users may not create pipe instances (no rogue server)");
    CHECK((au & (FILE_GENERIC_READ | FILE_GENERIC_WRITE)) ==
              ((FILE_GENERIC_READ | FILE_GENERIC_WRITE) & ~SECURITY_FILE_CREATE_PIPE_INSTANCE),
          "users may read and write");
    CHECK(mask_for(dacl, well_known(WinWorldSid), NULL) == 0, "Everyone gets nothing");
    CHECK(mask_for(dacl, well_known(WinAnonymousSid), NULL) == 0, "Anonymous gets nothing");
    LocalFree(sd);
}

static void test_pipe_sddl_user(void)
{
    const wchar_t *sid = L"S-1-5-21-1-2-3-1001";
    wchar_t sddl[256];
    PACL dacl = NULL;
    PSID owner, user = NULL;
    int prot;

    _snwprintf(sddl, 256, SECURITY_PIPE_SDDL_USER_FMT, sid, sid);
    PSECURITY_DESCRIPTOR sd = parse(sddl, &dacl, &owner, &prot);
    CHECK(sd != NULL, "console pipe SDDL parses");
    if (sd == NULL)
        return;
    ConvertStringSidToSidW(sid, &user);
    CHECK(owner && EqualSid(owner, user), "owner is the user");
    CHECK(prot && dacl->AceCount == 2, "protected, two ACEs");
    CHECK(mask_for(dacl, user, NULL) == GENERIC_ALL, "the user: full");
    CHECK(mask_for(dacl, well_known(WinAuthenticatedUserSid), NULL) == 0, "other users: nothing");
    LocalFree(user);
    LocalFree(sd);
}

static void test_logdir_sddl(void)
{
    PACL dacl = NULL;
    PSID owner;
    BYTE flags = 0;
    int prot;
    PSECURITY_DESCRIPTOR sd = parse(SECURITY_LOGDIR_SDDL, &dacl, &owner, &prot);

    CHECK(sd != NULL, "log directory SDDL parses");
    if (sd == NULL)
        return;
    CHECK(prot && dacl->AceCount == 3, "protected, three ACEs");
    CHECK(mask_for(dacl, well_known(WinLocalSystemSid), &flags) == FILE_ALL_ACCESS, "SYSTEM: full");
    CHECK(flags == (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE), "inherited by files and dirs");
    CHECK(mask_for(dacl, well_known(WinBuiltinAdministratorsSid), NULL) == FILE_ALL_ACCESS,
          "Administrators: full");
    DWORD users = mask_for(dacl, well_known(WinBuiltinUsersSid), NULL);
    CHECK(users == (FILE_GENERIC_READ | FILE_GENERIC_EXECUTE), "Users: read and list, 0x%lx",
          (unsigned long)users);
    CHECK((users & (FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE)) == 0, "Users cannot write");
    LocalFree(sd);
}

static void test_utf8_boundary(void)
{
    const char *ko = "구동중 1번 째 로그";
    char back[64];
    wchar_t *w = win_wide(ko);

    CHECK(w != NULL && wcslen(w) == 11, "UTF-8 to UTF-16");
    CHECK(w && win_utf8(w, back, sizeof(back)) == 0 && strcmp(back, ko) == 0,
          "and back, byte for byte");
    CHECK(w && win_utf8(w, back, 5) == ERR_NAMETOOLONG, "a short buffer is an error, not a cut");
    free(w);
    CHECK(win_wide("\xff\xfe") == NULL, "invalid UTF-8 is refused");
}

static void test_error_translation(void)
{
    CHECK(err_from_os(ERROR_FILE_NOT_FOUND) == ERR_NOENT, "file not found");
    CHECK(err_from_os(ERROR_ACCESS_DENIED) == ERR_ACCESS, "access denied");
    CHECK(err_from_os(ERROR_BROKEN_PIPE) == ERR_CLOSED, "broken pipe");
    CHECK(err_from_os(ERROR_PIPE_BUSY) == ERR_AGAIN, "pipe busy");
    CHECK(err_from_os(ERROR_SERVICE_EXISTS) == ERR_EXIST, "service exists");
    CHECK(err_from_os(ERROR_SERVICE_DOES_NOT_EXIST) == ERR_NOENT, "no such service");
    CHECK(err_from_os(ERROR_DISK_FULL) == ERR_NOSPC, "disk full");
    CHECK(err_from_os(12345) == ERR_IO, "anything else");
}

static void test_default_paths(void)
{
    char buf[PATHS_MAX];

    paths_default_endpoint(1, buf, sizeof(buf));
    CHECK(strcmp(buf, "\\\\.\\pipe\\ProtectedPrefix\\Administrators\\svcd\\control") == 0,
          "service pipe name: %s", buf);
    paths_default_endpoint(0, buf, sizeof(buf));
    CHECK(strncmp(buf, "\\\\.\\pipe\\svcd-", 14) == 0 && strchr(buf + 14, '\\') == NULL,
          "console pipe name: %s", buf);
    paths_default_state_dir(1, buf, sizeof(buf));
    size_t n = strlen(buf);
    CHECK(n > 10 && strcmp(buf + n - 10, "\\svcd\\logs") == 0, "service logs: %s", buf);
    paths_join("C:\\x", "svcd.log", buf, sizeof(buf));
    CHECK(strcmp(buf, "C:\\x\\svcd.log") == 0, "join: %s", buf);
}

static void test_codec_on_windows(void)
{
    Svcd__Request req = SVCD__REQUEST__INIT, *back = NULL;
    Svcd__StatusRequest st = SVCD__STATUS_REQUEST__INIT;
    uint8_t *frame;
    size_t len;

    req.version = 1;
    req.id = 0x0102030405060708ULL;
    req.command_case = SVCD__REQUEST__COMMAND_STATUS;
    req.status = &st;
    CHECK(codec_frame(&req.base, &frame, &len) == 0, "frame");
    CHECK(frame[0] == 0 && frame[3] == len - 4, "big-endian length on Windows too");
    CHECK(codec_unpack_request(frame + 4, len - 4, &back) == 0 && back->id == req.id, "round trip");
    protobuf_c_message_free_unpacked(&back->base, NULL);
    free(frame);
}

/* cmdline.c, which svcclient.exe and svcd.exe use instead of SHELL32, splits
 * every line of the table as CommandLineToArgvW does, and the table says
 * what CommandLineToArgvW says. */
static void test_cmdline_as_shell32(void)
{
    for (size_t i = 0; i < sizeof(cmdline_cases) / sizeof(cmdline_cases[0]); i++) {
        const struct cmdline_case *c = &cmdline_cases[i];
        wchar_t *wline = win_wide(c->line);
        LPWSTR *ref = NULL;
        char **ours = NULL, got[512];
        int nref = 0, nours = -1, want = 0;

        while (want < CMDLINE_ARGS_MAX && c->args[want])
            want++;
        ref = wline ? CommandLineToArgvW(wline, &nref) : NULL;
        CHECK(ref != NULL, "CommandLineToArgvW [%s]", c->line);
        CHECK(cmdline_split(c->line, &nours, &ours) == 0, "cmdline_split [%s]", c->line);
        if (ref == NULL || ours == NULL)
            goto next;
        CHECK(nref == want, "[%s]: CommandLineToArgvW gives %d arguments, the table %d", c->line,
              nref, want);
        CHECK(nours == nref, "[%s]: cmdline_split gives %d arguments, CommandLineToArgvW %d",
              c->line, nours, nref);
        for (int k = 0; k < nref && k < nours; k++) {
            win_utf8(ref[k], got, sizeof(got));
            CHECK(strcmp(ours[k], got) == 0, "[%s] argument %d: ours [%s], shell32 [%s]", c->line,
                  k, ours[k], got);
            CHECK(k >= want || strcmp(c->args[k], got) == 0, "[%s] argument %d: table [%s]",
                  c->line, k, c->args[k]);
        }
    next:
        LocalFree(ref);
        free(ours);
        free(wline);
    }
}

/* Collapses what ReadConsoleOutputCharacterW gives for wide (two-cell)
 * characters: some consoles return them once per cell. */
static void collapse_cells(wchar_t *w)
{
    wchar_t *d = w;
    for (wchar_t *s = w; *s; s++)
        if (!(s > w && *s >= 0x1100 && *s == s[-1] && d > w && d[-1] == *s))
            *d++ = *s;
    *d = 0;
}

/* Row y of the console buffer, wide characters collapsed. */
static void console_row(HANDLE con, SHORT y, wchar_t *row, DWORD cap)
{
    DWORD n = 0;
    memset(row, 0, cap * sizeof(wchar_t));
    ReadConsoleOutputCharacterW(con, row, cap - 1, (COORD){0, y}, &n);
    row[n < cap ? n : cap - 1] = 0;
    collapse_cells(row);
}

/* term_write on a real console shows the text itself, whatever the code
 * page (437 here, which has no Hangul), and leaves the code page alone;
 * the same bytes through plain stdio are mojibake, which is what the test
 * would see without WriteConsoleW. Needs a console (a terminal): the Wine
 * suite runs it under script(1). */
static void test_console_writer(void)
{
    static const char text[] = "로그 1번 째 é ✓\nnext";
    static const wchar_t want0[] = L"로그 1번 째 é ✓", want1[] = L"next";
    wchar_t row[200];
    HANDLE buf;
    FILE *f;
    UINT cp;
    int fd;

    buf =
        CreateConsoleScreenBuffer(GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                  NULL, CONSOLE_TEXTMODE_BUFFER, NULL);
    CHECK(buf != INVALID_HANDLE_VALUE, "a console screen buffer: %lu", GetLastError());
    if (buf == INVALID_HANDLE_VALUE)
        return;
    cp = GetConsoleOutputCP();
    SetConsoleOutputCP(437);
    fd = _open_osfhandle((intptr_t)buf, _O_WRONLY | _O_TEXT);
    f = fd >= 0 ? _fdopen(fd, "w") : NULL;
    CHECK(f != NULL, "a FILE on the console buffer");
    if (f == NULL)
        goto close_buf;
    CHECK(term_write(f, text, strlen(text)) == 0, "term_write to the console");
    console_row(buf, 0, row, 200);
    CHECK(wcsncmp(row, want0, wcslen(want0)) == 0, "the console shows the Korean line as written");
    console_row(buf, 1, row, 200);
    CHECK(wcsncmp(row, want1, wcslen(want1)) == 0, "\\n starts the next line at its start");
    CHECK(GetConsoleOutputCP() == 437, "the console code page is left as it was: %u",
          GetConsoleOutputCP());
    fwrite("\n\xeb\xa1\x9c\xea\xb7\xb8\n", 1, 8, f); /* "로그" as bytes, through stdio */
    fflush(f);
    console_row(buf, 2, row, 200);
    CHECK(wcsncmp(row, L"로그", 2) != 0, "control: plain stdio bytes are not shown as Korean");
    fclose(f); /* closes buf too */
    buf = INVALID_HANDLE_VALUE;
close_buf:
    if (buf != INVALID_HANDLE_VALUE)
        CloseHandle(buf);
    SetConsoleOutputCP(cp);
}

/* Runs `cmdline` on this console under code pages 949, 437 and 65001: each
 * time the console must show `expect` (UTF-8) and keep its code page. */
static void test_console_program(const char *expect, const char *cmdline)
{
    static const UINT cps[] = {949, 437, 65001};
    SECURITY_ATTRIBUTES inherit = {sizeof(inherit), NULL, TRUE};
    HANDLE con = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
    wchar_t *wexpect = win_wide(expect), *wcmd = win_wide(cmdline), row[400];
    UINT cp0 = GetConsoleOutputCP();

    CHECK(con != INVALID_HANDLE_VALUE && wexpect && wcmd, "the console and the arguments");
    if (con == INVALID_HANDLE_VALUE || !wexpect || !wcmd)
        goto free_args;
    for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
        CONSOLE_SCREEN_BUFFER_INFO bi;
        STARTUPINFOW si;
        PROCESS_INFORMATION pi;
        DWORD n, code = 1;
        int seen = 0;

        memset(&si, 0, sizeof(si));
        si.cb = sizeof(si);
        si.dwFlags = STARTF_USESTDHANDLES; /* the console, whatever our own output is */
        si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
        si.hStdOutput = si.hStdError = con;
        GetConsoleScreenBufferInfo(con, &bi);
        FillConsoleOutputCharacterW(con, L' ', (DWORD)bi.dwSize.X * (DWORD)bi.dwSize.Y,
                                    (COORD){0, 0}, &n);
        SetConsoleCursorPosition(con, (COORD){0, 0});
        CHECK(SetConsoleOutputCP(cps[i]), "SetConsoleOutputCP(%u)", cps[i]);
        if (!CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
            CHECK(0, "cannot run %s: %lu", cmdline, GetLastError());
            break;
        }
        WaitForSingleObject(pi.hProcess, 30000);
        GetExitCodeProcess(pi.hProcess, &code);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
        GetConsoleScreenBufferInfo(con, &bi);
        for (SHORT y = 0; y <= bi.dwCursorPosition.Y && !seen; y++) {
            console_row(con, y, row, 400);
            seen = wcsstr(row, wexpect) != NULL;
        }
        CHECK(seen, "code page %u: the console shows [%s] (exit %lu)", cps[i], expect,
              (unsigned long)code);
        CHECK(GetConsoleOutputCP() == cps[i], "code page %u is kept after the program exits: %u",
              cps[i], GetConsoleOutputCP());
    }
    SetConsoleOutputCP(cp0);
free_args:
    if (con != INVALID_HANDLE_VALUE)
        CloseHandle(con);
    free(wexpect);
    free(wcmd);
}

/* The SCM control handler's decisions (host_win.c): Wine never sends
 * SHUTDOWN or PRESHUTDOWN, so they are checked here, not end to end. */
static void test_shutdown_controls(void)
{
    const DWORD settled = SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
                          SERVICE_ACCEPT_PRESHUTDOWN | SERVICE_ACCEPT_PAUSE_CONTINUE;
    const char *why;

    CHECK(host_win_controls_accepted(SERVICE_RUNNING) == settled,
          "RUNNING accepts stop, pause/continue, shutdown and preshutdown: 0x%lx",
          (unsigned long)host_win_controls_accepted(SERVICE_RUNNING));
    CHECK(host_win_controls_accepted(SERVICE_PAUSED) == settled, "so does PAUSED");
    CHECK(host_win_controls_accepted(SERVICE_START_PENDING) == 0, "START_PENDING accepts none");
    CHECK(host_win_controls_accepted(SERVICE_STOP_PENDING) == 0, "STOP_PENDING accepts none");
    why = host_win_stop_reason(SERVICE_CONTROL_PRESHUTDOWN);
    CHECK(why && strcmp(why, "system shutdown") == 0, "PRESHUTDOWN stops: %s", why ? why : "-");
    why = host_win_stop_reason(SERVICE_CONTROL_SHUTDOWN);
    CHECK(why && strncmp(why, "system shutdown", 15) == 0, "SHUTDOWN stops: %s", why ? why : "-");
    why = host_win_stop_reason(SERVICE_CONTROL_STOP);
    CHECK(why && strstr(why, "service control manager"), "STOP stops: %s", why ? why : "-");
    CHECK(host_win_stop_reason(SERVICE_CONTROL_PAUSE) == NULL, "PAUSE does not stop");
    CHECK(host_win_stop_reason(SERVICE_CONTROL_INTERROGATE) == NULL, "INTERROGATE does not stop");
}

/* win_token_user asks LookupAccountSidW once per SID, then answers from
 * its cache (the service's I/O thread calls it for every client). */
static void test_account_name_cache(void)
{
    char sid[IPC_SID_MAX], name[IPC_NAME_MAX], sid2[IPC_SID_MAX], name2[IPC_NAME_MAX];
    HANDLE tok;
    long before;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
        CHECK(0, "OpenProcessToken: %lu", GetLastError());
        return;
    }
    CHECK(win_token_user(tok, sid, sizeof(sid), name, sizeof(name)) == 0, "first lookup");
    before = win_account_lookups();
    for (int i = 0; i < 3; i++)
        CHECK(win_token_user(tok, sid2, sizeof(sid2), name2, sizeof(name2)) == 0 &&
                  strcmp(sid, sid2) == 0 && strcmp(name, name2) == 0,
              "the same SID and name again: %s %s", sid2, name2);
    CHECK(win_account_lookups() == before, "from the cache: %ld lookups more",
          win_account_lookups() - before);
    CHECK(win_token_user(tok, sid2, sizeof(sid2), name2, 2) == ERR_NAMETOOLONG,
          "a short buffer is still an error, not a cut");
    CloseHandle(tok);

    /* Not waited for (0 ms): the lookup goes on on a pool thread, the
     * caller gets the SID or the name at once, and the name comes from the
     * cache once it is known, looked up once in all. */
    PSID ls = well_known(WinLocalServiceSid);
    before = win_account_lookups();
    CHECK(win_sid_name(ls, name, sizeof(name), 0) == 0, "a name without waiting: %s", name);
    for (int i = 0; i < 300 && strncmp(name, "S-1-", 4) == 0; i++) {
        Sleep(10);
        win_sid_name(ls, name, sizeof(name), 0);
    }
    CHECK(strncmp(name, "S-1-", 4) != 0, "then the account name, from the pool thread: %s", name);
    CHECK(win_account_lookups() == before + 1, "looked up once: %ld",
          win_account_lookups() - before);
}

struct pipe_probe {
    char got[64];
    size_t n;
    int closed, close_err;
};

static void probe_data(void *ctx, ipc_conn *c, const uint8_t *data, size_t n)
{
    struct pipe_probe *p = ctx;
    (void)c;
    if (p->n + n < sizeof(p->got)) {
        memcpy(p->got + p->n, data, n);
        p->n += n;
    }
}

static void probe_close(void *ctx, ipc_conn *c, int err)
{
    struct pipe_probe *p = ctx;
    (void)c;
    p->closed++;
    p->close_err = err;
}

/* The pipe server (ipc_win.c): a zero-length write does not cut the client
 * off, the client's end is an orderly close, and after ipc_server_close the
 * name is gone (the waiting instance is closed). Wine completes no read for
 * a zero-length write, so read_done's "ok with 0 bytes" branch itself is not
 * reached here. */
static void test_pipe_server_edges(void)
{
    struct pipe_probe probe;
    struct ipc_handlers h = {&probe, NULL, probe_data, NULL, probe_close};
    struct ipc_server_opts o = {0, -1, -1};
    char name[96];
    wchar_t *wname;
    ipc_server *s = NULL;
    HANDLE cl;
    DWORD put;

    memset(&probe, 0, sizeof(probe));
    snprintf(name, sizeof(name), "\\\\.\\pipe\\svcd-test-win-%lu", GetCurrentProcessId());
    wname = win_wide(name);
    CHECK(ipc_server_open(name, &o, &h, &s) == 0, "a pipe server on %s", name);
    if (s == NULL || wname == NULL)
        goto free_name;
    cl = CreateFileW(wname, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(cl != INVALID_HANDLE_VALUE, "a client: %lu", GetLastError());
    if (cl == INVALID_HANDLE_VALUE)
        goto close_server;
    CHECK(WriteFile(cl, "", 0, &put, NULL), "a zero-length write");
    for (int i = 0; i < 20; i++)
        ipc_server_run_once(s, 10);
    CHECK(WriteFile(cl, "hello", 5, &put, NULL) && put == 5, "then five bytes");
    for (int i = 0; i < 200 && probe.n < 5; i++)
        ipc_server_run_once(s, 10);
    CHECK(probe.n == 5 && memcmp(probe.got, "hello", 5) == 0 && probe.closed == 0,
          "they arrive on the same connection (%zu bytes, %d closes)", probe.n, probe.closed);
    CloseHandle(cl);
    for (int i = 0; i < 200 && probe.closed == 0; i++)
        ipc_server_run_once(s, 10);
    CHECK(probe.closed == 1 && probe.close_err == 0, "the client's close is orderly: %d, %s",
          probe.closed, err_str(probe.close_err));
close_server:
    ipc_server_close(s);
    cl = CreateFileW(wname, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(cl == INVALID_HANDLE_VALUE && GetLastError() == ERROR_FILE_NOT_FOUND,
          "after ipc_server_close the pipe name is gone: %lu", GetLastError());
    if (cl != INVALID_HANDLE_VALUE)
        CloseHandle(cl);
free_name:
    free(wname);
}

/* term_write off a console: the UTF-8 bytes with "\n" as "\r\n" (what text
 * mode wrote before; now in one WriteFile, not one per byte as Wine's msvcrt
 * does), after whatever stdio still held. */
static void test_term_file_bytes(void)
{
    static const char want[] = "p\xeb\xa1\x9c\xea\xb7\xb8\r\nx\r\n";
    char path[MAX_PATH], dir[MAX_PATH], got[64];
    size_t n = 0;
    FILE *f;

    GetTempPathA(sizeof(dir), dir);
    GetTempFileNameA(dir, "svt", 0, path);
    f = fopen(path, "w");
    CHECK(f != NULL, "a text-mode file");
    if (f == NULL)
        return;
    fputs("p", f); /* buffered by stdio: must come first */
    CHECK(term_write(f, "로그\nx\n", strlen("로그\nx\n")) == 0, "term_write to a file");
    fclose(f);
    f = fopen(path, "rb");
    if (f) {
        n = fread(got, 1, sizeof(got), f);
        fclose(f);
    }
    CHECK(n == sizeof(want) - 1 && memcmp(got, want, n) == 0,
          "the file holds the UTF-8 bytes, CRLF line ends, in order (%zu bytes)", n);
    DeleteFileA(path);
}

/* test_win.exe console [EXPECT COMMANDLINE], read from the wide command line
 * by cmdline.c: the console checks only, on the terminal it runs in.
 * Returns the exit status, or -1 when not asked for. */
static int console_mode(void)
{
    const wchar_t *w = GetCommandLineW();
    char line[4096], **argv = NULL;
    int argc = 0;

    if (win_utf8(w, line, sizeof(line)) < 0 || cmdline_split(line, &argc, &argv) < 0)
        return -1;
    if (argc < 2 || strcmp(argv[1], "console") != 0) {
        free(argv);
        return -1;
    }
    test_console_writer();
    if (argc == 4)
        test_console_program(argv[2], argv[3]);
    free(argv);
    printf("test_win console: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* An impersonation token of this process, with `disable` SIDs turned into
 * deny-only ones (CreateRestrictedToken): stand-ins for users who lack
 * those groups, made without any privilege. */
static HANDLE token_without(PSID *disable, DWORD n)
{
    SID_AND_ATTRIBUTES sids[4];
    HANDLE proc, restricted = NULL, imp = NULL;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &proc))
        return NULL;
    for (DWORD i = 0; i < n; i++) {
        sids[i].Sid = disable[i];
        sids[i].Attributes = 0;
    }
    if (!CreateRestrictedToken(proc, 0, n, n ? sids : NULL, 0, NULL, 0, NULL, &restricted))
        restricted = NULL;
    CloseHandle(proc);
    if (restricted && !DuplicateToken(restricted, SecurityIdentification, &imp))
        imp = NULL;
    if (restricted)
        CloseHandle(restricted);
    return imp;
}

static unsigned rights_with(const char *sddl, HANDLE token)
{
    struct config cfg;
    struct authz *a = NULL;
    struct ipc_peer p;
    char err[AUTHZ_ERR_MAX];
    unsigned r;

    config_defaults(&cfg, 1);
    snprintf(cfg.control_sddl, sizeof(cfg.control_sddl), "%s", sddl);
    if (authz_open(&cfg, 1, &a, err, sizeof(err)) < 0) {
        printf("  authz_open(%s): %s\n", sddl, err);
        return 0xdead;
    }
    memset(&p, 0, sizeof(p));
    p.token = token;
    r = authz_rights(a, &p);
    authz_close(a);
    return r;
}

/* The control descriptor: the default parses and grants by group exactly
 * as README's table says; bad ones are start-up errors with the reason. */
static void test_control_sddl(void)
{
    PSID admins = well_known(WinBuiltinAdministratorsSid);
    PSID interactive = well_known(WinInteractiveSid);
    PSID authenticated = well_known(WinAuthenticatedUserSid);
    PSID system = well_known(WinLocalSystemSid);
    PSID user_only[] = {admins, interactive};
    PSID nobody[] = {admins, interactive, authenticated};
    HANDLE full = token_without(NULL, 0);
    HANDLE reader = token_without(user_only, 2);
    HANDLE stranger = token_without(nobody, 3);
    struct config cfg;
    struct authz *a = NULL;
    char err[AUTHZ_ERR_MAX];
    PACL dacl = NULL;
    PSID owner = NULL;
    int prot = 0;
    wchar_t wsddl[CONFIG_TEXT_MAX];

    CHECK(full && reader && stranger, "cannot make test tokens: %lu", GetLastError());
    MultiByteToWideChar(CP_UTF8, 0, CONFIG_DEFAULT_SDDL, -1, wsddl, CONFIG_TEXT_MAX);
    PSECURITY_DESCRIPTOR sd = parse(wsddl, &dacl, &owner, &prot);
    CHECK(sd != NULL, "default control SDDL does not parse");
    if (sd) {
        CHECK(mask_for(dacl, system, NULL) == AUTHZ_ALL, "SYSTEM: both rights");
        CHECK(mask_for(dacl, admins, NULL) == AUTHZ_ALL, "Administrators: both rights");
        CHECK(mask_for(dacl, interactive, NULL) == AUTHZ_ALL, "interactive users: both rights");
        CHECK(mask_for(dacl, authenticated, NULL) == AUTHZ_READ, "authenticated users: read");
        LocalFree(sd);
    }
    /* AccessCheck through authz_rights, on real tokens. */
    CHECK(rights_with(CONFIG_DEFAULT_SDDL, full) == AUTHZ_ALL, "an admin at the console: %u",
          rights_with(CONFIG_DEFAULT_SDDL, full));
    CHECK(rights_with(CONFIG_DEFAULT_SDDL, reader) == AUTHZ_READ,
          "neither admin nor interactive (a service, a network logon): read only, got %u",
          rights_with(CONFIG_DEFAULT_SDDL, reader));
    CHECK(rights_with(CONFIG_DEFAULT_SDDL, stranger) == 0, "not even authenticated: none, got %u",
          rights_with(CONFIG_DEFAULT_SDDL, stranger));
    CHECK(rights_with("O:SYG:SYD:(A;;GA;;;WD)", reader) == AUTHZ_ALL,
          "generic rights in the config map to ours");
    CHECK(rights_with("O:SYG:SYD:(D;;0x2;;;WD)(A;;0x3;;;WD)", full) == AUTHZ_READ,
          "a deny ACE wins");
    CHECK(rights_with("O:SYG:SYD:(A;;0x3;;;SY)", full) == 0, "only SYSTEM: none for us");
    {
        struct ipc_peer p;
        memset(&p, 0, sizeof(p));
        config_defaults(&cfg, 1);
        CHECK(authz_open(&cfg, 1, &a, err, sizeof(err)) == 0, "default: %s", err);
        CHECK(a && authz_rights(a, &p) == 0, "a caller that could not be identified: none");
        authz_close(a);
    }
    snprintf(cfg.control_sddl, sizeof(cfg.control_sddl), "D:(A;;0x3;;;WD)");
    CHECK(authz_open(&cfg, 1, &a, err, sizeof(err)) == ERR_INVAL &&
              strstr(err, "control_sddl must have an owner (O:), a group (G:) and a DACL (D:)"),
          "no owner: %s", err);
    snprintf(cfg.control_sddl, sizeof(cfg.control_sddl), "O:SYG:SYD:(A;;0x3;;;NOPE)");
    CHECK(authz_open(&cfg, 1, &a, err, sizeof(err)) == ERR_INVAL &&
              strncmp(err, "control_sddl is not valid SDDL", 30) == 0,
          "bad SDDL: %s", err);
    if (full)
        CloseHandle(full);
    if (reader)
        CloseHandle(reader);
    if (stranger)
        CloseHandle(stranger);
}

int main(void)
{
    int console = console_mode();

    if (console >= 0)
        return console;
    test_cmdline_as_shell32();
    test_term_file_bytes();
    test_shutdown_controls();
    test_account_name_cache();
    test_pipe_server_edges();
    test_pipe_sddl_system();
    test_pipe_sddl_user();
    test_logdir_sddl();
    test_utf8_boundary();
    test_error_translation();
    test_default_paths();
    test_codec_on_windows();
    test_control_sddl();
    printf("test_win: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
