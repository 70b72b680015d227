/* Unit tests of the Windows-only code, run under Wine (and on Windows).
 * Wine does not enforce pipe DACLs, so the descriptors are checked here as
 * data (they parse, and grant exactly the masks README documents) and by
 * AccessCheck, which Wine implements, for tokens standing in for the
 * callers of a real machine. */
#include <windows.h>

#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "codec.h"
#include "config.h"
#include "err.h"
#include "ipc.h"
#include "ipc_win.h"
#include "paths.h"
#include "security.h"
#include "winutil.h"

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

    _snwprintf(sddl, 256, SECURITY_PIPE_SDDL_USER_FMT, sid, sid, sid);
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

/* --- Who may open the pipe: AccessCheck on real tokens -------------------
 *
 * Wine runs everyone as an administrator and enforces no pipe DACL, so these
 * tokens stand in for the callers of a real Windows machine. All are made
 * from this process's token without any privilege: CreateRestrictedToken
 * turns groups into deny-only ones, which is exactly how UAC filters an
 * administrator's token, and strips privileges. */
enum caller {
    CALLER_ADMIN,          /* (a) an elevated administrator */
    CALLER_FILTERED_ADMIN, /* (b) an administrator in an ordinary (UAC-filtered) prompt */
    CALLER_OTHER_USER,     /* (c) another interactive, non-admin user */
    CALLER_NONINTERACTIVE, /* (d) a non-admin service, batch or network logon */
    CALLER_ANONYMOUS,      /* not authenticated: only Everyone is left */
    CALLER_COUNT
};

static const char *const caller_names[CALLER_COUNT] = {"full admin", "UAC-filtered admin",
                                                       "interactive non-admin (another user)",
                                                       "non-interactive non-admin", "anonymous"};

static PSID token_user_sid(HANDLE tok)
{
    static union {
        TOKEN_USER tu;
        BYTE raw[512];
    } info;
    DWORD len = 0;
    return GetTokenInformation(tok, TokenUser, &info, sizeof(info), &len) ? info.tu.User.Sid : NULL;
}

/* An impersonation token of this process as `who`. The anonymous caller
 * keeps only Everyone: Wine has no ImpersonateAnonymousToken, and a real
 * anonymous token has no other group our descriptors name. */
static HANDLE caller_token(enum caller who)
{
    SID_AND_ATTRIBUTES deny[8];
    DWORD n = 0, flags = who == CALLER_ADMIN ? 0 : DISABLE_MAX_PRIVILEGE;
    HANDLE proc, restricted = NULL, imp = NULL;
    WELL_KNOWN_SID_TYPE groups[] = {
        WinBuiltinAdministratorsSid, WinInteractiveSid, WinAuthenticatedUserSid,
        WinBuiltinUsersSid,          WinLocalSid,       WinAccountDomainUsersSid};
    size_t ngroups = who == CALLER_ANONYMOUS        ? 6
                     : who == CALLER_NONINTERACTIVE ? 2
                     : who == CALLER_ADMIN          ? 0
                                                    : 1;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &proc))
        return NULL;
    for (size_t i = 0; i < ngroups; i++) {
        deny[n].Sid = well_known(groups[i]);
        deny[n].Attributes = 0;
        if (deny[n].Sid)
            n++;
    }
    /* Another user (and anonymous) must not pass as the user running this. */
    if (who == CALLER_OTHER_USER || who == CALLER_ANONYMOUS) {
        deny[n].Sid = token_user_sid(proc);
        deny[n].Attributes = 0;
        if (deny[n].Sid)
            n++;
    }
    if (!CreateRestrictedToken(proc, flags, n, n ? deny : NULL, 0, NULL, 0, NULL, &restricted))
        restricted = NULL;
    CloseHandle(proc);
    if (restricted && !DuplicateToken(restricted, SecurityIdentification, &imp))
        imp = NULL;
    if (restricted)
        CloseHandle(restricted);
    return imp;
}

static HANDLE callers[CALLER_COUNT];

static void open_callers(void)
{
    for (int i = 0; i < CALLER_COUNT; i++) {
        callers[i] = caller_token((enum caller)i);
        CHECK(callers[i] != NULL, "cannot make the %s token: error %lu", caller_names[i],
              GetLastError());
    }
}

static void close_callers(void)
{
    for (int i = 0; i < CALLER_COUNT; i++)
        if (callers[i])
            CloseHandle(callers[i]);
}

/* 1 when AccessCheck grants `token` all of `want` (generic bits mapped as
 * the kernel maps them for a file or pipe), 0 when it denies it, -1 when the
 * check itself failed. */
static int file_access_granted(PSECURITY_DESCRIPTOR sd, HANDLE token, DWORD want)
{
    GENERIC_MAPPING map = {FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                           FILE_ALL_ACCESS};
    union {
        PRIVILEGE_SET ps;
        BYTE raw[256];
    } privs;
    DWORD plen = sizeof(privs), granted = 0;
    BOOL status = FALSE;

    if (token == NULL)
        return -1;
    MapGenericMask(&want, &map);
    if (!AccessCheck(sd, token, want, &map, &privs.ps, &plen, &granted, &status))
        return -1;
    return status && (granted & want) == want;
}

/* The security descriptor of a live pipe, read back from a client handle
 * the way svcclient reads the owner. */
static PSECURITY_DESCRIPTOR live_pipe_sd(int system_mode, const char *name)
{
    struct ipc_server_opts opts = {system_mode, -1, -1};
    struct ipc_handlers h;
    ipc_server *srv = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    wchar_t *w = win_wide(name);
    HANDLE c;

    memset(&h, 0, sizeof(h));
    if (w == NULL || ipc_server_open(name, &opts, &h, &srv) < 0) {
        free(w);
        return NULL;
    }
    c = CreateFileW(w, READ_CONTROL, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (c != INVALID_HANDLE_VALUE) {
        if (GetSecurityInfo(c, SE_KERNEL_OBJECT,
                            OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
                                DACL_SECURITY_INFORMATION,
                            NULL, NULL, NULL, NULL, &sd) != ERROR_SUCCESS)
            sd = NULL;
        CloseHandle(c);
    }
    ipc_server_close(srv);
    free(w);
    return sd;
}

/* The service's pipe: every local, authenticated caller may talk to svcd
 * with the access svcclient asks for; nobody but SYSTEM and an elevated
 * administrator may create an instance of it; anonymous gets nothing. */
static void check_system_pipe_sd(PSECURITY_DESCRIPTOR sd, const char *which)
{
    static const DWORD old_client_mask = GENERIC_READ | GENERIC_WRITE;

    for (int i = 0; i < CALLER_COUNT; i++) {
        int want = i != CALLER_ANONYMOUS;
        int got = file_access_granted(sd, callers[i], SECURITY_PIPE_CLIENT_ACCESS);
        CHECK(got == want, "%s pipe: svcclient's access 0x%lx %s to the %s (AccessCheck: %d)",
              which, (unsigned long)SECURITY_PIPE_CLIENT_ACCESS, want ? "granted" : "denied",
              caller_names[i], got);
        if (i == CALLER_ADMIN)
            continue;
        got = file_access_granted(sd, callers[i], SECURITY_FILE_CREATE_PIPE_INSTANCE);
        CHECK(got == 0, "%s pipe: FILE_CREATE_PIPE_INSTANCE denied to the %s (AccessCheck: %d)",
              which, caller_names[i], got);
        /* The mask svcclient asked for before: it includes FILE_APPEND_DATA,
         * so every non-admin was refused on real Windows. */
        got = file_access_granted(sd, callers[i], old_client_mask);
        CHECK(got == 0, "%s pipe: GENERIC_READ|GENERIC_WRITE is denied to the %s (got %d)", which,
              caller_names[i], got);
    }
    CHECK(file_access_granted(sd, callers[CALLER_ADMIN], SECURITY_FILE_CREATE_PIPE_INSTANCE) == 1,
          "%s pipe: an elevated administrator may create instances", which);
    CHECK(file_access_granted(sd, callers[CALLER_ANONYMOUS], READ_CONTROL) == 0,
          "%s pipe: anonymous may not even read its descriptor", which);
}

/* A console svcd's pipe: the user who runs it, elevated or not, in any
 * logon. (The restricted tokens all keep this user's SID: Wine's AccessCheck
 * ignores a deny-only user SID, so other users are checked against the
 * pipe of another user instead, below.) */
static void check_user_pipe_sd(PSECURITY_DESCRIPTOR sd, const char *which)
{
    static const enum caller same_user[] = {CALLER_ADMIN, CALLER_FILTERED_ADMIN,
                                            CALLER_NONINTERACTIVE};

    for (size_t i = 0; i < sizeof(same_user) / sizeof(same_user[0]); i++) {
        int got = file_access_granted(sd, callers[same_user[i]], SECURITY_PIPE_CLIENT_ACCESS);
        CHECK(got == 1,
              "%s console pipe: svcclient's access granted to its own user as the %s "
              "(AccessCheck: %d)",
              which, caller_names[same_user[i]], got);
    }
}

/* Another user's console svcd: nobody of ours gets in, not even an elevated
 * administrator (the DACL names only SYSTEM and that user). */
static void test_other_users_console_pipe(void)
{
    const wchar_t *sid = L"S-1-5-21-1-2-3-1001";
    PSECURITY_DESCRIPTOR sd = NULL;
    wchar_t sddl[256];

    _snwprintf(sddl, 256, SECURITY_PIPE_SDDL_USER_FMT, sid, sid, sid);
    CHECK(ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL),
          "another user's console pipe SDDL parses");
    for (int i = 0; sd && i < CALLER_COUNT; i++) {
        int got = file_access_granted(sd, callers[i], SECURITY_PIPE_CLIENT_ACCESS);
        CHECK(got == 0, "another user's console pipe: denied to the %s (AccessCheck: %d)",
              caller_names[i], got);
    }
    LocalFree(sd);
}

static void test_pipe_access(void)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    char name[128];

    CHECK(SECURITY_PIPE_CLIENT_ACCESS == (GENERIC_READ | FILE_WRITE_DATA),
          "the client asks for GENERIC_READ | FILE_WRITE_DATA, nothing more");
    CHECK(ipc_win_pipe_sd(1, &sd) == 0, "the service pipe's descriptor is built");
    if (sd) {
        check_system_pipe_sd(sd, "built service");
        LocalFree(sd);
    }
    sd = NULL;
    CHECK(ipc_win_pipe_sd(0, &sd) == 0, "the console pipe's descriptor is built");
    if (sd) {
        check_user_pipe_sd(sd, "built");
        LocalFree(sd);
    }
    snprintf(name, sizeof(name), "\\\\.\\pipe\\svcd-test-acl-%lu-s",
             (unsigned long)GetCurrentProcessId());
    sd = live_pipe_sd(1, name);
    CHECK(sd != NULL, "a live service-mode pipe's descriptor is read back from a client handle");
    if (sd) {
        PSID owner = NULL;
        BOOL defaulted;
        GetSecurityDescriptorOwner(sd, &owner, &defaulted);
        CHECK(owner && EqualSid(owner, well_known(WinLocalSystemSid)),
              "the live pipe is owned by SYSTEM");
        check_system_pipe_sd(sd, "live service");
        LocalFree(sd);
    }
    snprintf(name, sizeof(name), "\\\\.\\pipe\\svcd-test-acl-%lu-u",
             (unsigned long)GetCurrentProcessId());
    sd = live_pipe_sd(0, name);
    CHECK(sd != NULL, "a live console-mode pipe's descriptor is read back");
    if (sd) {
        check_user_pipe_sd(sd, "live");
        LocalFree(sd);
    }
    test_other_users_console_pipe();
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

/* The default control_sddl with the same callers as the pipe: whoever sits
 * at the machine may control svcd, any other authenticated caller may read,
 * anonymous nothing (README, "Who may do what"). */
static void test_control_rights_by_caller(void)
{
    static const unsigned want[CALLER_COUNT] = {AUTHZ_ALL, AUTHZ_ALL, AUTHZ_ALL, AUTHZ_READ, 0};

    for (int i = 0; i < CALLER_COUNT; i++) {
        unsigned got = callers[i] ? rights_with(CONFIG_DEFAULT_SDDL, callers[i]) : 0xdead;
        CHECK(got == want[i], "default control_sddl: the %s gets rights %u, want %u",
              caller_names[i], got, want[i]);
    }
}

int main(void)
{
    test_pipe_sddl_system();
    test_pipe_sddl_user();
    test_logdir_sddl();
    test_utf8_boundary();
    test_error_translation();
    test_default_paths();
    test_codec_on_windows();
    test_control_sddl();
    open_callers();
    test_pipe_access();
    test_control_rights_by_caller();
    close_callers();
    printf("test_win: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
