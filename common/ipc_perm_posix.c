#define _GNU_SOURCE
#include "ipc_perm.h"
#include "ipc.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The kernel's ACL xattr (linux/posix_acl_xattr.h): a version word, then
 * entries of tag, permissions and id, little-endian, sorted by tag. Written
 * by hand so svcd needs no libacl. */
#define ACL_XATTR        "system.posix_acl_access"
#define ACL_VERSION      2u
#define ACL_USER_OBJ     0x01u
#define ACL_GROUP_OBJ    0x04u
#define ACL_GROUP        0x08u
#define ACL_MASK         0x10u
#define ACL_OTHER        0x20u
#define ACL_UNDEFINED_ID 0xffffffffu

static uint8_t *put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v & 0xff);
    p[1] = (uint8_t)((v >> 8) & 0xff);
    return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p = put16(p, v & 0xffff);
    return put16(p, v >> 16);
}

static uint8_t *put_entry(uint8_t *p, unsigned tag, unsigned perm, uint32_t id)
{
    p = put16(p, tag);
    p = put16(p, perm);
    return put32(p, id);
}

/* Owner and group keep the mode's bits; `extra_gid` gets the group's bits
 * too; others get nothing. Written to `fd` when >= 0, else to `path`. */
static int set_group_acl(int fd, const char *path, unsigned mode, long extra_gid)
{
    uint8_t buf[4 + 5 * 8], *p = buf;
    unsigned user = (mode >> 6) & 7, group = (mode >> 3) & 7;
    int rc;

    p = put32(p, ACL_VERSION);
    p = put_entry(p, ACL_USER_OBJ, user, ACL_UNDEFINED_ID);
    p = put_entry(p, ACL_GROUP_OBJ, group, ACL_UNDEFINED_ID);
    p = put_entry(p, ACL_GROUP, group, (uint32_t)extra_gid);
    p = put_entry(p, ACL_MASK, group, ACL_UNDEFINED_ID);
    p = put_entry(p, ACL_OTHER, 0, ACL_UNDEFINED_ID);
    rc = fd >= 0 ? fsetxattr(fd, ACL_XATTR, buf, (size_t)(p - buf), 0)
                 : setxattr(path, ACL_XATTR, buf, (size_t)(p - buf), 0);
    if (rc < 0)
        return errno == ENOTSUP ? ERR_UNSUPPORTED : err_last_os();
    return 0;
}

/* ipc_perm_apply on `fd` when >= 0 (a directory already checked: no name
 * lookup between the check and the change), else on `path`. */
static int apply(int fd, const char *path, unsigned mode, long group, long read_group)
{
    uid_t owner = geteuid() == 0 ? 0 : (uid_t)-1;
    int rc;

    if (group >= 0) {
        rc = fd >= 0 ? fchown(fd, owner, (gid_t)group) : chown(path, owner, (gid_t)group);
        if (rc < 0)
            return err_last_os();
    }
    if ((fd >= 0 ? fchmod(fd, (mode_t)mode) : chmod(path, (mode_t)mode)) < 0)
        return err_last_os();
    if (read_group >= 0 && read_group != group)
        return set_group_acl(fd, path, mode, read_group);
    rc = fd >= 0 ? fremovexattr(fd, ACL_XATTR) : removexattr(path, ACL_XATTR);
    if (rc < 0 && errno != ENODATA && errno != ENOTSUP)
        return err_last_os(); /* an old ACL must not outlive its read_group */
    return 0;
}

int ipc_perm_apply(const char *path, unsigned mode, long group, long read_group)
{
    return apply(-1, path, mode, group, read_group);
}

/* 1 when the directory open at `fd` holds nothing but `keep` (or nothing):
 * a directory svcd may take over. Shared directories such as /tmp are left
 * as they are. */
static int dir_is_ours(int fd, const char *keep)
{
    int dup_fd = dup(fd);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    struct dirent *e;
    int ours = 1;

    if (d == NULL) {
        if (dup_fd >= 0)
            close(dup_fd);
        return 0;
    }
    while (ours && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, keep))
            ours = 0;
    }
    closedir(d);
    return ours;
}

void ipc_perm_peer_of(long uid, long pid, struct ipc_peer *p)
{
    struct passwd pw, *res = NULL;
    char room[1024];

    memset(p, 0, sizeof(*p));
    p->uid = uid;
    p->pid = pid;
    p->gid = -1;
    if (uid >= 0 && getpwuid_r((uid_t)uid, &pw, room, sizeof(room), &res) == 0 && res != NULL)
        snprintf(p->name, sizeof(p->name), "%s", pw.pw_name);
    else
        snprintf(p->name, sizeof(p->name), "uid %ld", uid);
}

/* "alice (uid 1001)", or "uid 1001" for a uid without a name. */
static void user_phrase(uid_t uid, char *buf, size_t n)
{
    struct ipc_peer p;

    ipc_perm_peer_of((long)uid, -1, &p);
    ipc_peer_describe(&p, 0, buf, n);
}

/* Judges the directory `path` (with `st`, symlinks followed): an endpoint
 * may live there when it belongs to us or root and others may write to it
 * only when it is sticky (like /tmp), so nobody else can replace the
 * socket. Returns 0, or ERR_ACCESS with the reason and the fix in `why`
 * (NULL: not wanted). */
static int judge_dir(const char *path, const struct stat *st, char *why, size_t n)
{
    char name[PATH_MAX + 32], target[PATH_MAX], owner[IPC_PERM_USER_MAX];
    struct stat lst;
    int root = geteuid() == 0;

    if ((st->st_uid == geteuid() || st->st_uid == 0) &&
        (!(st->st_mode & 022) || (st->st_mode & S_ISVTX)))
        return 0;
    if (why == NULL || n == 0)
        return ERR_ACCESS;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && realpath(path, target) != NULL)
        snprintf(name, sizeof(name), "%s (a link to %s)", path, target);
    else
        snprintf(name, sizeof(name), "%s", path);
    if (st->st_uid != geteuid() && st->st_uid != 0) {
        user_phrase(st->st_uid, owner, sizeof(owner));
        if (root)
            snprintf(why, n,
                     "the directory %s belongs to %s, not to root: that user could replace the "
                     "endpoint, so svcd changes nothing there; use an --endpoint in a directory "
                     "of root's",
                     name, owner);
        else
            snprintf(why, n,
                     "the directory %s belongs to %s, not to you (uid %ld) or root: another user "
                     "may have made it to catch your clients; ask an administrator to remove it, "
                     "or point XDG_RUNTIME_DIR or --endpoint at a directory of your own",
                     name, owner, (long)geteuid());
        return ERR_ACCESS;
    }
    snprintf(why, n,
             "the directory %s is writable by others (mode %04o) and not sticky, so anyone could "
             "replace the endpoint: remove their write access (chmod go-w %s) or use another "
             "--endpoint",
             name, (unsigned)(st->st_mode & 07777), path);
    return ERR_ACCESS;
}

int ipc_perm_check_path(const char *dir, char *why, size_t n)
{
    char p[PATH_MAX];
    struct stat st;
    size_t len = strlen(dir);

    if (len == 0 || len >= sizeof(p))
        return len == 0 ? 0 : ERR_NAMETOOLONG;
    memcpy(p, dir, len + 1);
    while (stat(p, &st) < 0) {
        char *slash = strrchr(p, '/');
        if (errno != ENOENT)
            return errno == ENOTDIR ? 0 : err_last_os(); /* fs_mkdir_p names a file */
        if (slash == NULL)
            return 0; /* relative and missing: created under the working directory */
        if (slash == p)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    return judge_dir(p, &st, why, n);
}

int ipc_perm_take_dir(const char *dir, const char *keep, long group, long read_group)
{
    int linked = 0, rc, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;

    if (fd < 0 && errno == ELOOP) {
        /* A link: judged by where it leads, and never changed, since what
         * it leads to need not be svcd's. */
        linked = 1;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0)
        return err_last_os();
    if (fstat(fd, &st) < 0) {
        rc = err_last_os();
        goto close_fd;
    }
    rc = judge_dir(dir, &st, NULL, 0);
    if (rc == 0 && !linked && group >= 0 && dir_is_ours(fd, keep))
        rc = apply(fd, dir, 0750, group, read_group);

close_fd:
    close(fd);
    return rc;
}
