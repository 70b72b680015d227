#include "fs.h"
#include "err.h"
#include "security.h"
#include "winutil.h"

#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATHS_MAX_FS 1024

struct fs_file {
    HANDLE h;
};

/* Turns on a privilege the process token holds (LocalSystem holds both used
 * here, not always enabled). Failure is not reported: the call that needs
 * it then fails and says so. */
static void enable_privilege(const wchar_t *name)
{
    TOKEN_PRIVILEGES tp = {1, {{{0, 0}, SE_PRIVILEGE_ENABLED}}};
    HANDLE tok;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES, &tok))
        return;
    if (LookupPrivilegeValueW(NULL, name, &tp.Privileges[0].Luid))
        AdjustTokenPrivileges(tok, FALSE, &tp, 0, NULL, NULL);
    CloseHandle(tok);
}

/* Gives an existing service directory the owner SYSTEM, then the service's
 * protected DACL. The owner first: whoever created the folder (a standard
 * user can create %ProgramData%\svcd before svcd is installed) would keep
 * WRITE_DAC as its owner whatever the DACL says, and once SYSTEM owns it,
 * the DACL can be written even if the old one shut SYSTEM out. Taking
 * ownership needs SeTakeOwnershipPrivilege (or SeRestorePrivilege) when the
 * DACL grants no WRITE_OWNER. */
static int protect_existing(const wchar_t *path, PACL dacl)
{
    BYTE system[SECURITY_MAX_SID_SIZE];
    BY_HANDLE_FILE_INFORMATION info;
    DWORD size = sizeof(system), e;
    HANDLE pin;
    int rc = 0;

    enable_privilege(L"SeTakeOwnershipPrivilege");
    enable_privilege(L"SeRestorePrivilege");
    enable_privilege(L"SeBackupPrivilege");
    if (!CreateWellKnownSid(SECURITY_SERVICE_DIR_OWNER, NULL, system, &size))
        return err_last_os();
    /* The folder itself, never a link's target: a junction a user put at
     * this path would hand any folder to SYSTEM and the DACL below. Opened
     * with data access (FILE_LIST_DIRECTORY, so its share mode counts) and
     * without FILE_SHARE_DELETE, it cannot be renamed or replaced until the
     * calls by path below are done; backup semantics and SeBackupPrivilege
     * open it whatever DACL a hostile owner left. */
    pin = CreateFileW(path, FILE_READ_ATTRIBUTES | FILE_LIST_DIRECTORY,
                      FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                      FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (pin == INVALID_HANDLE_VALUE)
        return err_last_os();
    if (!GetFileInformationByHandle(pin, &info)) {
        rc = err_last_os();
        goto unpin;
    }
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ||
        !(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
        rc = ERR_NOTDIR;
        goto unpin;
    }
    e = SetNamedSecurityInfoW((LPWSTR)path, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, system,
                              NULL, NULL, NULL);
    if (e == ERROR_SUCCESS)
        e = SetNamedSecurityInfoW((LPWSTR)path, SE_FILE_OBJECT,
                                  DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                  NULL, NULL, dacl, NULL);
    if (e != ERROR_SUCCESS)
        rc = err_from_os(e);
unpin:
    CloseHandle(pin);
    return rc;
}

/* Creates one directory; in FS_DIR_SERVICE mode with the service's DACL, which
 * an existing directory is given too (and the owner SYSTEM), so the
 * service's directories end up protected alike whoever created them (an
 * installer, an older version, a user who got there first). */
static int make_dir(const wchar_t *path, enum fs_dir_mode mode)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE};
    PSECURITY_DESCRIPTOR sd = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    int rc = 0;

    if (mode == FS_DIR_SERVICE && !ConvertStringSecurityDescriptorToSecurityDescriptorW(
                                      SECURITY_LOGDIR_SDDL, SDDL_REVISION_1, &sd, NULL))
        return err_last_os();
    sa.lpSecurityDescriptor = sd;
    if (!CreateDirectoryW(path, sd ? &sa : NULL)) {
        if (GetLastError() != ERROR_ALREADY_EXISTS)
            rc = err_last_os();
        else if (sd && GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted))
            rc = protect_existing(path, dacl);
    }
    if (sd)
        LocalFree(sd);
    return rc;
}

int fs_mkdir_p(const char *path, enum fs_dir_mode mode)
{
    wchar_t *w = win_wide(path);
    size_t len;
    DWORD attr;
    int rc = 0;

    if (w == NULL)
        return ERR_INVAL;
    len = wcslen(w);
    /* Parents first: stop at each separator after the drive or UNC prefix. */
    for (size_t i = 3; i < len && rc == 0; i++) {
        if (w[i] != L'\\' && w[i] != L'/')
            continue;
        wchar_t saved = w[i];
        w[i] = 0;
        attr = GetFileAttributesW(w);
        if (attr == INVALID_FILE_ATTRIBUTES)
            rc = make_dir(w, mode == FS_DIR_PRIVATE ? FS_DIR_PRIVATE : FS_DIR_SHARED);
        w[i] = saved;
    }
    if (rc == 0)
        rc = make_dir(w, mode); /* also when it exists: FS_DIR_SERVICE sets its DACL */
    attr = GetFileAttributesW(w);
    if (rc == 0 && (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_DIRECTORY)))
        rc = attr == INVALID_FILE_ATTRIBUTES ? err_last_os() : ERR_EXIST;
    free(w);
    return rc;
}

static int open_file(const char *path, DWORD access, DWORD disposition, fs_file **out)
{
    wchar_t *w = win_wide(path);
    fs_file *f;
    HANDLE h;

    if (w == NULL)
        return ERR_INVAL;
    /* Others may read, rename and delete while we hold it (rotation, tail). */
    h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    disposition, FILE_ATTRIBUTE_NORMAL, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return err_last_os();
    /* A pipe or a device (\\.\pipe\x, NUL, CON) is no log or config
     * file: reading one may wait forever or never end. */
    if (GetFileType(h) != FILE_TYPE_DISK) {
        CloseHandle(h);
        return ERR_UNTRUSTED;
    }
    f = malloc(sizeof(*f));
    if (f == NULL) {
        CloseHandle(h);
        return ERR_NOMEM;
    }
    f->h = h;
    *out = f;
    return 0;
}

int fs_open_append(const char *path, fs_file **out)
{
    return open_file(path, GENERIC_READ | GENERIC_WRITE, OPEN_ALWAYS, out);
}

int fs_open_read(const char *path, fs_file **out)
{
    return open_file(path, GENERIC_READ, OPEN_EXISTING, out);
}

/* The service's folder has its own DACL (fs_mkdir_p): nobody else plants
 * a name in it, so a read is a read. */
int fs_open_read_nofollow(const char *path, fs_file **out)
{
    return fs_open_read(path, out);
}

int fs_dir_check(const char *dir, struct fs_dir_problem *p)
{
    (void)dir;
    memset(p, 0, sizeof(*p));
    return 0;
}

int fs_dir_check_missing(const char *dir, struct fs_dir_problem *p)
{
    return fs_dir_check(dir, p);
}

int fs_append(fs_file *f, const void *data, size_t n)
{
    LARGE_INTEGER zero = {0};
    const char *p = data;

    if (!SetFilePointerEx(f->h, zero, NULL, FILE_END))
        return err_last_os();
    while (n > 0) {
        DWORD chunk = n > 0x40000000 ? 0x40000000 : (DWORD)n, wrote = 0;
        if (!WriteFile(f->h, p, chunk, &wrote, NULL))
            return err_last_os();
        p += wrote;
        n -= wrote;
    }
    return 0;
}

int fs_sync(fs_file *f)
{
    return FlushFileBuffers(f->h) ? 0 : err_last_os();
}

int fs_size(fs_file *f, uint64_t *size)
{
    LARGE_INTEGER li;

    if (!GetFileSizeEx(f->h, &li))
        return err_last_os();
    *size = (uint64_t)li.QuadPart;
    return 0;
}

int fs_identity(fs_file *f, struct fs_id *id)
{
    BY_HANDLE_FILE_INFORMATION info;

    if (!GetFileInformationByHandle(f->h, &info))
        return err_last_os();
    /* The file index alone: it is unique within a volume, and the files
     * compared (the log's) share one directory. The volume serial number
     * would be more, but Wine reports 0 for it once an open file has been
     * renamed, which is exactly the rotated file a reader still holds. */
    id->dev = 0;
    id->ino = ((uint64_t)info.nFileIndexHigh << 32) | info.nFileIndexLow;
    return 0;
}

int fs_read_at(fs_file *f, void *buf, size_t n, uint64_t off, size_t *got)
{
    OVERLAPPED ov;
    DWORD r = 0;

    memset(&ov, 0, sizeof(ov));
    ov.Offset = (DWORD)off;
    ov.OffsetHigh = (DWORD)(off >> 32);
    if (n > 0x40000000)
        n = 0x40000000;
    if (!ReadFile(f->h, buf, (DWORD)n, &r, &ov) && GetLastError() != ERROR_HANDLE_EOF)
        return err_last_os();
    *got = r;
    return 0;
}

int fs_truncate(fs_file *f, uint64_t size)
{
    LARGE_INTEGER li;

    li.QuadPart = (LONGLONG)size;
    if (!SetFilePointerEx(f->h, li, NULL, FILE_BEGIN) || !SetEndOfFile(f->h))
        return err_last_os();
    return 0;
}

int fs_keep_owner(fs_file *f, const char *like)
{
    (void)f;
    (void)like;
    return 0;
}

void fs_close(fs_file *f)
{
    if (f == NULL)
        return;
    CloseHandle(f->h);
    free(f);
}

int fs_rename(const char *from, const char *to)
{
    wchar_t *wf = win_wide(from), *wt = win_wide(to);
    int rc = 0;

    if (wf == NULL || wt == NULL)
        rc = ERR_INVAL;
    else if (!MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        rc = err_last_os();
    free(wf);
    free(wt);
    return rc;
}

int fs_rename_noreplace(const char *from, const char *to)
{
    wchar_t *wf = win_wide(from), *wt = win_wide(to);
    int rc = 0;

    /* Without MOVEFILE_REPLACE_EXISTING an existing `to` fails the move with
     * ERROR_ALREADY_EXISTS (ERR_EXIST). */
    if (wf == NULL || wt == NULL)
        rc = ERR_INVAL;
    else if (!MoveFileExW(wf, wt, MOVEFILE_WRITE_THROUGH))
        rc = err_last_os();
    free(wf);
    free(wt);
    return rc;
}

/* The identity of the file at `path`, opened for attributes only and
 * sharing everything, so that looking never blocks a rename or a delete. */
static int path_info(const char *path, BY_HANDLE_FILE_INFORMATION *info, DWORD *err)
{
    wchar_t *w = win_wide(path);
    HANDLE h;
    BOOL ok;

    *err = 0;
    if (w == NULL)
        return ERR_INVAL;
    h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        *err = GetLastError();
        return err_from_os(*err);
    }
    ok = GetFileInformationByHandle(h, info);
    if (!ok)
        *err = GetLastError();
    CloseHandle(h);
    return ok ? 0 : err_from_os(*err);
}

int fs_path_state(fs_file *f, const char *path)
{
    BY_HANDLE_FILE_INFORMATION mine, there;
    FILE_STANDARD_INFO std;
    DWORD e;
    int rc;

    /* A file deleted while others hold it open stays, delete pending, until
     * the last handle closes; its name may still show (older Windows). */
    if (GetFileInformationByHandleEx(f->h, FileStandardInfo, &std, sizeof(std)) &&
        std.DeletePending)
        return FS_PATH_DELETED;
    if (!GetFileInformationByHandle(f->h, &mine))
        return err_last_os();
    rc = path_info(path, &there, &e);
    if (rc < 0) {
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
            return mine.nNumberOfLinks == 0 ? FS_PATH_DELETED : FS_PATH_MOVED;
        if (e == ERROR_DELETE_PENDING)
            return FS_PATH_DELETED;
        return rc;
    }
    if (mine.dwVolumeSerialNumber != there.dwVolumeSerialNumber ||
        mine.nFileIndexHigh != there.nFileIndexHigh || mine.nFileIndexLow != there.nFileIndexLow)
        return FS_PATH_REPLACED;
    return FS_PATH_SAME;
}

int fs_remove(const char *path)
{
    wchar_t *w = win_wide(path);
    int rc = 0;

    if (w == NULL)
        return ERR_INVAL;
    if (!DeleteFileW(w))
        rc = err_last_os();
    free(w);
    return rc;
}

int fs_mtime(const char *path, int64_t *us)
{
    WIN32_FILE_ATTRIBUTE_DATA a;
    wchar_t *w = win_wide(path);
    ULARGE_INTEGER t;
    BOOL ok;

    if (w == NULL)
        return ERR_INVAL;
    ok = GetFileAttributesExW(w, GetFileExInfoStandard, &a);
    free(w);
    if (!ok)
        return err_last_os();
    t.LowPart = a.ftLastWriteTime.dwLowDateTime;
    t.HighPart = a.ftLastWriteTime.dwHighDateTime;
    *us = (int64_t)(t.QuadPart / 10) - 11644473600000000LL;
    return 0;
}

int fs_list(const char *dir, const char *prefix, void (*fn)(void *ctx, const char *name, int plain),
            void *ctx)
{
    char pattern[PATHS_MAX_FS], name[PATHS_MAX_FS];
    WIN32_FIND_DATAW fd;
    wchar_t *w;
    HANDLE h;

    if (snprintf(pattern, sizeof(pattern), "%s\\%s*", dir, prefix) >= (int)sizeof(pattern))
        return ERR_NAMETOOLONG;
    w = win_wide(pattern);
    if (w == NULL)
        return ERR_INVAL;
    h = FindFirstFileW(w, &fd);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError() == ERROR_FILE_NOT_FOUND ? 0 : err_last_os();
    do {
        if (win_utf8(fd.cFileName, name, sizeof(name)) == 0)
            fn(ctx, name, 1);
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return 0;
}

int fs_group_id(const char *name, long *gid)
{
    (void)name;
    (void)gid;
    return ERR_UNSUPPORTED;
}

int fs_open_append_shared(const char *path, long gid, fs_file **out)
{
    (void)gid;
    return fs_open_append(path, out);
}

int fs_share_with_group(const char *path, long gid, int is_dir)
{
    (void)path;
    (void)gid;
    (void)is_dir;
    return ERR_UNSUPPORTED;
}

/* --- lock files (fs.h) ---------------------------------------------------- */

/* Refuses a lock file that is not a plain file with one name: a reparse
 * point (opened as itself, never followed), a folder, or a hard link to
 * some other file that writing the owner's pid would overwrite. */
static int check_lock_file(HANDLE h)
{
    BY_HANDLE_FILE_INFORMATION info;

    if (!GetFileInformationByHandle(h, &info))
        return err_last_os();
    if ((info.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) ||
        info.nNumberOfLinks != 1)
        return ERR_UNTRUSTED;
    return 0;
}

int fs_lock_open(const char *path, int protect, fs_file **out)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE};
    PSECURITY_DESCRIPTOR sd = NULL;
    wchar_t *w = NULL;
    fs_file *f;
    HANDLE h;
    int rc;

    if (protect && !ConvertStringSecurityDescriptorToSecurityDescriptorW(
                       SECURITY_LOCKFILE_SDDL, SDDL_REVISION_1, &sd, NULL))
        return err_last_os();
    sa.lpSecurityDescriptor = sd;
    w = win_wide(path);
    if (w == NULL) {
        rc = ERR_INVAL;
        goto free_sd;
    }
    /* No FILE_SHARE_DELETE: while anyone holds it open, nobody can delete or
     * replace it and lock another file of that name. */
    h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE | (sd ? WRITE_DAC : 0),
                    FILE_SHARE_READ | FILE_SHARE_WRITE, sd ? &sa : NULL, OPEN_ALWAYS,
                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        rc = err_last_os();
        goto free_sd;
    }
    rc = check_lock_file(h);
    if (rc < 0)
        goto close_handle;
    /* A file an earlier console `svcd run` made has the folder's inherited
     * DACL, which lets Users open it and take the lock first: the service
     * gives it its own DACL every time, not only when it creates it. */
    if (sd) {
        BOOL present = FALSE, defaulted = FALSE;
        PACL dacl = NULL;
        if (GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) &&
            SetSecurityInfo(h, SE_FILE_OBJECT,
                            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, NULL,
                            NULL, dacl, NULL) != ERROR_SUCCESS) {
            rc = ERR_ACCESS;
            goto close_handle;
        }
    }
    f = malloc(sizeof(*f));
    if (f == NULL) {
        rc = ERR_NOMEM;
        goto close_handle;
    }
    f->h = h;
    *out = f;
    goto free_sd;

close_handle:
    CloseHandle(h);
free_sd:
    free(w);
    if (sd)
        LocalFree(sd);
    return rc;
}

int fs_lock_try(fs_file *f)
{
    OVERLAPPED ov;

    memset(&ov, 0, sizeof(ov));
    ov.Offset = (DWORD)FS_LOCK_OFFSET;
    ov.OffsetHigh = (DWORD)(FS_LOCK_OFFSET >> 32);
    if (LockFileEx(f->h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov))
        return 0;
    /* ERROR_LOCK_VIOLATION: another handle holds the byte (ERR_BUSY). */
    return err_last_os();
}

const char *fs_kind(const char *path)
{
    wchar_t *w = win_wide(path);
    const char *kind = NULL;
    DWORD attrs;
    HANDLE h;

    if (w == NULL)
        return NULL;
    attrs = GetFileAttributesW(w);
    if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        free(w);
        return "a directory";
    }
    /* No access asked: only the type is read. */
    h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, 0, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    switch (GetFileType(h)) {
    case FILE_TYPE_DISK:
        break;
    case FILE_TYPE_CHAR:
        kind = "a character device";
        break;
    case FILE_TYPE_PIPE:
        kind = "a pipe";
        break;
    default:
        kind = "not a file";
        break;
    }
    CloseHandle(h);
    return kind;
}
