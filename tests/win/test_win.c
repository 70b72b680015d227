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
#include "fsguard_win.h"
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

/* A reader without FILE_SHARE_DELETE makes a rename fail with a sharing
 * violation: the log's rotation reports it as ERR_BUSY ("held open"). */
static void test_sharing_violation_is_busy(void)
{
    CHECK(err_from_os(ERROR_SHARING_VIOLATION) == ERR_BUSY, "sharing violation: busy");
    CHECK(err_from_os(ERROR_LOCK_VIOLATION) == ERR_BUSY, "lock violation: busy");
    CHECK(strcmp(err_str(ERR_BUSY), "held open by another process") == 0, "err_str(ERR_BUSY)");
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

/* fsguard_check_sd on real descriptors built from SDDL: who may change a
 * file or folder the LocalSystem service trusts (its config, its folders).
 * Under Wine a folder's DACL cannot be set on disk, so this is where the
 * rule is proven on descriptors; tests/wine/suite.sh proves the refusal end
 * to end with a config file that Everyone may write. */
static int judged(const wchar_t *sddl, char *why, size_t n)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    int rc;

    why[0] = '\0';
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
        return 1;
    rc = fsguard_check_sd(sd, why, n);
    LocalFree(sd);
    return rc;
}

static void test_fsguard_descriptors(void)
{
    char why[FSGUARD_WHY_MAX], me[192], name[64], sddl_me[256];
    wchar_t wsddl[300];
    HANDLE tok;
    int rc;

    rc = judged(L"O:S-1-5-21-1-2-3-1001D:P(A;;FA;;;S-1-5-21-1-2-3-1001)(A;;FA;;;SY)", why,
                sizeof(why));
    CHECK(rc == ERR_ACCESS && strstr(why, "is owned by S-1-5-21-1-2-3-1001, who can always change "
                                          "its permissions"),
          "a standard user as owner (with a write ACE): refused, got %d '%s'", rc, why);
    rc = judged(L"O:SYD:P(A;;FA;;;SY)(A;;FA;;;BA)", why, sizeof(why));
    CHECK(rc == 0, "SYSTEM and Administrators only: accepted, got %d '%s'", rc, why);
    rc = judged(L"O:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)(A;;0x1200a9;;;WD)", why, sizeof(why));
    CHECK(rc == 0, "owner Administrators, Users and Everyone read only: accepted, got %d '%s'", rc,
          why);
    rc = judged(L"O:SYD:P(A;;FA;;;SY)(A;;0x1301ff;;;WD)", why, sizeof(why));
    CHECK(rc == ERR_ACCESS && strstr(why, "can be changed by Everyone (S-1-1-0), who may write (or "
                                          "add files), append (or add folders), delete"),
          "Everyone may write: refused and named, got %d '%s'", rc, why);
    rc = judged(L"O:SYD:P(A;;FA;;;SY)(A;OICIIO;FA;;;CO)(A;OICIIO;FA;;;BU)(A;;0x1200a9;;;BU)", why,
                sizeof(why));
    CHECK(rc == 0, "inherit-only ACEs (CREATOR OWNER, Users) do not apply: accepted, got %d '%s'",
          rc, why);
    rc = judged(L"O:SYD:(A;OICI;FA;;;SY)(A;CI;0x116;;;BU)", why, sizeof(why));
    CHECK(rc == ERR_ACCESS && strstr(why, "Users (S-1-5-32-545)"),
          "Users may add files and folders (as in ProgramData): refused, got %d '%s'", rc, why);
    rc = judged(L"O:SYD:(A;;GW;;;AU)", why, sizeof(why));
    CHECK(rc == ERR_ACCESS && strstr(why, "S-1-5-11"),
          "GENERIC_WRITE to Authenticated Users: "
          "refused, got %d '%s'",
          rc, why);
    /* A NULL DACL built by hand (Wine parses D:NO_ACCESS_CONTROL as an
     * empty DACL, which grants nothing). */
    SECURITY_DESCRIPTOR null_dacl;
    InitializeSecurityDescriptor(&null_dacl, SECURITY_DESCRIPTOR_REVISION);
    SetSecurityDescriptorOwner(&null_dacl, well_known(WinLocalSystemSid), FALSE);
    SetSecurityDescriptorDacl(&null_dacl, TRUE, NULL, FALSE);
    rc = fsguard_check_sd(&null_dacl, why, sizeof(why));
    CHECK(rc == ERR_ACCESS && strstr(why, "has no DACL"), "a NULL DACL: refused, got %d '%s'", rc,
          why);
    rc = judged(L"O:SYD:", why, sizeof(why));
    CHECK(rc == 0, "an empty DACL grants nobody anything: accepted, got %d '%s'", rc, why);
    rc = judged(L"O:SYD:P(D;;FA;;;WD)(A;;FA;;;SY)", why, sizeof(why));
    CHECK(rc == 0, "a deny ACE grants nothing: accepted, got %d '%s'", rc, why);
    rc = judged(L"O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464D:P(A;;FA;;;SY)",
                why, sizeof(why));
    CHECK(rc == 0, "owner TrustedInstaller (Program Files): accepted, got %d '%s'", rc, why);
    /* The account the service runs as (LocalSystem when installed) is
     * trusted with its own files. */
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
        if (win_token_user(tok, me, sizeof(me), name, sizeof(name)) == 0) {
            snprintf(sddl_me, sizeof(sddl_me), "O:%sD:P(A;;FA;;;%s)", me, me);
            MultiByteToWideChar(CP_UTF8, 0, sddl_me, -1, wsddl, 300);
            rc = judged(wsddl, why, sizeof(why));
            CHECK(rc == 0, "the service's own account: accepted, got %d '%s'", rc, why);
        }
        CloseHandle(tok);
    }
    /* What fs_win.c gives the service's folders, from the same constants:
     * the owner (set first), then the protected log-directory DACL. */
    PSECURITY_DESCRIPTOR dir_sd = NULL;
    SECURITY_DESCRIPTOR dir_abs;
    BOOL present = FALSE, defaulted = FALSE;
    PACL dir_dacl = NULL;
    if (ConvertStringSecurityDescriptorToSecurityDescriptorW(SECURITY_LOGDIR_SDDL, SDDL_REVISION_1,
                                                             &dir_sd, NULL) &&
        GetSecurityDescriptorDacl(dir_sd, &present, &dir_dacl, &defaulted)) {
        InitializeSecurityDescriptor(&dir_abs, SECURITY_DESCRIPTOR_REVISION);
        SetSecurityDescriptorOwner(&dir_abs, well_known(SECURITY_SERVICE_DIR_OWNER), FALSE);
        SetSecurityDescriptorDacl(&dir_abs, TRUE, dir_dacl, FALSE);
        rc = fsguard_check_sd(&dir_abs, why, sizeof(why));
        CHECK(rc == 0, "the data and log folders' owner and DACL pass the check, got %d '%s'", rc,
              why);
        SetSecurityDescriptorOwner(&dir_abs, NULL, FALSE);
        rc = fsguard_check_sd(&dir_abs, why, sizeof(why));
        CHECK(rc == ERR_ACCESS && strstr(why, "has no owner"),
              "the DACL alone, owner unknown: refused, got %d '%s'", rc, why);
        CHECK(EqualSid(well_known(SECURITY_SERVICE_DIR_OWNER), well_known(WinLocalSystemSid)),
              "the service's folders are given to SYSTEM");
    } else {
        CHECK(0, "the log directory SDDL parses");
    }
    if (dir_sd)
        LocalFree(dir_sd);
}

int main(void)
{
    test_pipe_sddl_system();
    test_pipe_sddl_user();
    test_logdir_sddl();
    test_utf8_boundary();
    test_error_translation();
    test_default_paths();
    test_sharing_violation_is_busy();
    test_fsguard_descriptors();
    test_codec_on_windows();
    test_control_sddl();
    printf("test_win: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
