#define _GNU_SOURCE
#include "fs.h"
#include "err.h"

#include <errno.h>
#include <limits.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct fs_file {
    int fd;
};

int fs_mkdir_p(const char *path, enum fs_dir_mode dir_mode)
{
    char buf[4096];
    size_t len = strlen(path);
    mode_t mode = dir_mode == FS_DIR_PRIVATE ? 0700 : 0755;
    struct stat st;

    if (len == 0)
        return ERR_INVAL;
    if (len >= sizeof(buf))
        return ERR_NAMETOOLONG;
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return err_last_os();
        *p = saved;
        if (saved == '\0')
            break;
    }
    if (stat(path, &st) < 0)
        return err_last_os();
    return S_ISDIR(st.st_mode) ? 0 : ERR_EXIST;
}

/* Whether a directory with these attributes may hold files that others
 * must not change: it belongs to root or us, and no one it `forbidden`
 * bits name (0002 others, 0022 group and others) may write to it, unless
 * it is sticky (then only a file's owner may rename or remove the file). */
static int dir_trusted(const struct stat *st, mode_t forbidden)
{
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return 0;
    return !(st->st_mode & forbidden) || (st->st_mode & S_ISVTX);
}

/* --- the state directory's check (fs.h) ------------------------------------ */

static int dir_fault(struct fs_dir_problem *p, int fault, const char *path, const struct stat *st)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    p->fault = fault;
    snprintf(p->path, sizeof(p->path), "%s", path);
    p->uid = (long)st->st_uid;
    p->mode = (unsigned)(st->st_mode & 07777);
    p->owner[0] = '\0';
    if (getpwuid_r(st->st_uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
        snprintf(p->owner, sizeof(p->owner), "%s", pw.pw_name);
    return ERR_UNTRUSTED;
}

/* Links followed while checking one path, at most (as the kernel's own
 * limit on a lookup, about). */
#define CHECK_LINKS_MAX 40

static int check_path(const char *path, int last, int *links, struct fs_dir_problem *p);

/* The directory a link at `path` names, as a path: its target, relative to
 * the link's own directory unless absolute. Returns 0 or an ERR_ code. */
static int link_target(const char *path, char *out, size_t n)
{
    char t[PATH_MAX];
    const char *slash = strrchr(path, '/');
    ssize_t len = readlink(path, t, sizeof(t) - 1);

    if (len < 0)
        return err_last_os();
    t[len] = '\0';
    if (t[0] == '/' || slash == NULL)
        return snprintf(out, n, "%s", t) < (int)n ? 0 : ERR_NAMETOOLONG;
    return snprintf(out, n, "%.*s/%s", (int)(slash - path), path, t) < (int)n ? 0 : ERR_NAMETOOLONG;
}

/* One directory of the path: `last` is the state directory itself (held
 * to the endpoint's rule: no group or other write unless sticky), else a
 * parent (no other write unless sticky). A link on the way must be root's
 * or ours, since whoever owns it may point it elsewhere, and so must every
 * link and directory its target goes through: the target is checked as a
 * path of its own, not only where the whole chain ends. */
static int check_one(const char *path, int last, int *links, struct fs_dir_problem *p)
{
    char target[PATH_MAX];
    struct stat st;
    int rc;

    if (lstat(path, &st) < 0)
        return err_last_os();
    if (S_ISLNK(st.st_mode)) {
        if (st.st_uid != 0 && st.st_uid != geteuid())
            return dir_fault(p, FS_DIR_LINK_OWNER, path, &st);
        if (++*links > CHECK_LINKS_MAX)
            return ERR_LOOP;
        rc = link_target(path, target, sizeof(target));
        return rc < 0 ? rc : check_path(target, last, links, p);
    }
    if (!S_ISDIR(st.st_mode))
        return dir_fault(p, FS_DIR_NOT_DIR, path, &st);
    if (st.st_uid != 0 && st.st_uid != geteuid())
        return dir_fault(p, FS_DIR_OWNER, path, &st);
    if (!dir_trusted(&st, last ? 0022 : 0002))
        return dir_fault(p, FS_DIR_WRITABLE, path, &st);
    return 0;
}

/* check_one for "/" (when absolute) and each prefix of `path`; the last
 * component by the rule `last` names. */
static int check_path(const char *path, int last, int *links, struct fs_dir_problem *p)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);
    int rc;

    while (len > 1 && path[len - 1] == '/')
        len--;
    if (len == 0)
        return ERR_INVAL;
    if (len >= sizeof(buf))
        return ERR_NAMETOOLONG;
    memcpy(buf, path, len);
    buf[len] = '\0';
    if (buf[0] == '/' && (rc = check_one("/", last && len == 1, links, p)) < 0)
        return rc;
    for (size_t i = 1; i <= len; i++) {
        if ((i < len && buf[i] != '/') || buf[i - 1] == '/')
            continue; /* inside a component, or an empty one */
        char saved = buf[i];
        buf[i] = '\0';
        rc = check_one(buf, last && i == len, links, p);
        buf[i] = saved;
        if (rc < 0)
            return rc;
    }
    return 0;
}

int fs_dir_check(const char *dir, struct fs_dir_problem *p)
{
    char real[PATH_MAX];
    int rc;

    memset(p, 0, sizeof(*p));
    /* The names as given (nobody else may rename or repoint one), then the
     * directories they lead to (nobody else may change what is in them). */
    int links = 0;
    rc = check_path(dir, 1, &links, p);
    if (rc < 0)
        return rc;
    if (realpath(dir, real) == NULL)
        return err_last_os();
    links = 0;
    return check_path(real, 1, &links, p);
}

int fs_dir_check_missing(const char *dir, struct fs_dir_problem *p)
{
    char buf[PATH_MAX], real[PATH_MAX];
    struct stat st;
    size_t len = strlen(dir);
    int links = 0, rc;

    memset(p, 0, sizeof(*p));
    if (lstat(dir, &st) == 0)
        return 0;
    if (len >= sizeof(buf))
        return ERR_NAMETOOLONG;
    memcpy(buf, dir, len + 1);
    for (;;) { /* up to the deepest part that exists */
        char *slash = strrchr(buf, '/');
        if (slash == NULL) { /* relative, and nothing of it exists: made in "." */
            snprintf(buf, sizeof(buf), ".");
            break;
        }
        *(slash == buf ? slash + 1 : slash) = '\0';
        if (lstat(buf, &st) == 0)
            break;
    }
    rc = check_path(buf, 0, &links, p);
    if (rc < 0)
        return rc;
    if (realpath(buf, real) == NULL)
        return err_last_os();
    links = 0;
    return check_path(real, 0, &links, p);
}

/* A file named relative to a descriptor of its directory. */
struct at {
    int dfd;
    const char *base; /* the last component, in the caller's path */
};

/* Opens the directory of `path` (the directory part may go through links:
 * fs_dir_check vetted it at start) and finds the file's name in it.
 * Returns 0, ERR_INVAL (no name, or "." or ".."), ERR_UNTRUSTED (the
 * directory is another user's, or writable by others and not sticky), or
 * the error of opening it. */
static int at_open(const char *path, struct at *a)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t len = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    struct stat st;

    a->base = slash ? slash + 1 : path;
    if (a->base[0] == '\0' || strcmp(a->base, ".") == 0 || strcmp(a->base, "..") == 0)
        return ERR_INVAL;
    if (len >= sizeof(dir))
        return ERR_NAMETOOLONG;
    memcpy(dir, slash ? path : ".", len);
    dir[len] = '\0';
    a->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (a->dfd < 0)
        return err_last_os();
    if (fstat(a->dfd, &st) == 0 && dir_trusted(&st, 0002))
        return 0;
    close(a->dfd);
    return ERR_UNTRUSTED;
}

/* Why an open with O_NOFOLLOW failed: a name that is not a plain file (a
 * link, a FIFO; a directory too unless `dir_ok`) is untrusted, whatever
 * errno the open gave. */
static int nofollow_error(const struct at *a, int dir_ok)
{
    int rc = errno == ELOOP ? ERR_UNTRUSTED : err_last_os();
    struct stat st;

    if (fstatat(a->dfd, a->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
        !(dir_ok && S_ISDIR(st.st_mode)))
        return ERR_UNTRUSTED;
    return rc;
}

/* Wraps an open descriptor, or closes it: only a regular file (a directory
 * is ERR_EXIST, anything else ERR_UNTRUSTED); with `mine`, also only one of
 * ours or root's, and, `mine` > 1 (written to), with no other name. */
static int adopt_fd(int fd, int mine, fs_file **out)
{
    fs_file *f = NULL;
    struct stat st;
    int rc = 0;

    if (fstat(fd, &st) < 0)
        rc = err_last_os();
    else if (!S_ISREG(st.st_mode))
        rc = S_ISDIR(st.st_mode) ? ERR_EXIST : ERR_UNTRUSTED;
    else if (mine && st.st_uid != geteuid() && st.st_uid != 0)
        rc = ERR_UNTRUSTED; /* planted in a sticky directory by someone else */
    else if (mine > 1 && st.st_nlink > 1)
        rc = ERR_UNTRUSTED; /* a hard link to a file elsewhere */
    /* Back to blocking: reads and writes of a regular file never wait. */
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
        rc = err_last_os();
    else if ((f = malloc(sizeof(*f))) == NULL)
        rc = ERR_NOMEM;
    if (rc < 0) {
        close(fd);
        return rc;
    }
    f->fd = fd;
    *out = f;
    return 0;
}

/* Opens `path` relative to its trusted directory, never through a link.
 * O_NONBLOCK: a FIFO planted under a log name must not hang the service
 * at open; it is refused, like anything not a file. */
static int open_at(const char *path, int flags, int mine, fs_file **out)
{
    struct at a;
    int fd, rc = at_open(path, &a);

    if (rc < 0)
        return rc;
    fd = openat(a.dfd, a.base, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0640);
    rc = fd < 0 ? nofollow_error(&a, 1) : 0;
    close(a.dfd);
    return rc < 0 ? rc : adopt_fd(fd, mine, out);
}

int fs_open_append(const char *path, fs_file **out)
{
    /* What the service writes as root is never reached through a link. */
    return open_at(path, O_RDWR | O_CREAT | O_APPEND, 2, out);
}

int fs_open_read_nofollow(const char *path, fs_file **out)
{
    return open_at(path, O_RDONLY, 1, out);
}

int fs_open_read(const char *path, fs_file **out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0)
        return err_last_os();
    return adopt_fd(fd, 0, out);
}

int fs_append(fs_file *f, const void *data, size_t n)
{
    const char *p = data;

    while (n > 0) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return err_last_os();
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int fs_sync(fs_file *f)
{
    return fdatasync(f->fd) < 0 ? err_last_os() : 0;
}

int fs_size(fs_file *f, uint64_t *size)
{
    struct stat st;

    if (fstat(f->fd, &st) < 0)
        return err_last_os();
    *size = (uint64_t)st.st_size;
    return 0;
}

int fs_identity(fs_file *f, struct fs_id *id)
{
    struct stat st;

    if (fstat(f->fd, &st) < 0)
        return err_last_os();
    id->dev = (uint64_t)st.st_dev;
    id->ino = (uint64_t)st.st_ino;
    return 0;
}

int fs_read_at(fs_file *f, void *buf, size_t n, uint64_t off, size_t *got)
{
    ssize_t r;

    do {
        r = pread(f->fd, buf, n, (off_t)off);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return err_last_os();
    *got = (size_t)r;
    return 0;
}

int fs_truncate(fs_file *f, uint64_t size)
{
    return ftruncate(f->fd, (off_t)size) < 0 ? err_last_os() : 0;
}

int fs_keep_owner(fs_file *f, const char *like)
{
    struct stat st;
    struct at a;
    int rc = at_open(like, &a);

    if (rc < 0)
        return rc == ERR_NOENT ? 0 : rc;
    rc = fstatat(a.dfd, a.base, &st, AT_SYMLINK_NOFOLLOW) < 0 ? err_last_os() : 0;
    close(a.dfd);
    if (rc < 0)
        return rc == ERR_NOENT ? 0 : rc;
    if (!S_ISREG(st.st_mode))
        return 0; /* a link's target is not ours to copy from */
    if (fchmod(f->fd, st.st_mode & 07777) < 0)
        return err_last_os();
    /* Only root may give a file away; anyone may keep a group they are in. */
    if (fchown(f->fd, geteuid() == 0 ? st.st_uid : (uid_t)-1, st.st_gid) < 0 && errno != EPERM)
        return err_last_os();
    return 0;
}

void fs_close(fs_file *f)
{
    if (f == NULL)
        return;
    close(f->fd);
    free(f);
}

/* Opens the directories of both names; on failure neither is open. */
static int at_open2(const char *from, const char *to, struct at *a, struct at *b)
{
    int rc = at_open(from, a);

    if (rc < 0)
        return rc;
    rc = at_open(to, b);
    if (rc < 0)
        close(a->dfd);
    return rc;
}

static void at_close2(struct at *a, struct at *b)
{
    close(a->dfd);
    close(b->dfd);
}

int fs_rename(const char *from, const char *to)
{
    struct at a, b;
    int rc = at_open2(from, to, &a, &b);

    if (rc < 0)
        return rc;
    rc = renameat(a.dfd, a.base, b.dfd, b.base) < 0 ? err_last_os() : 0;
    at_close2(&a, &b);
    return rc;
}

/* fs_rename_noreplace in opened directories. */
static int rename_noreplace_at(const struct at *a, const struct at *b)
{
    struct stat st;
    int rc;

    if (renameat2(a->dfd, a->base, b->dfd, b->base, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return err_last_os(); /* EEXIST among them */
    /* The file system has no RENAME_NOREPLACE: a hard link fails on an
     * existing name just the same, and for a moment two names are harmless.
     * linkat without AT_SYMLINK_FOLLOW links a link itself, never its target. */
    if (linkat(a->dfd, a->base, b->dfd, b->base, 0) == 0) {
        if (unlinkat(a->dfd, a->base, 0) == 0)
            return 0;
        rc = err_last_os();
        unlinkat(b->dfd, b->base, 0);
        return rc;
    }
    if (errno != EPERM && errno != ENOTSUP)
        return err_last_os();
    /* No hard links either (vfat): look, then rename. Only svcd renames in
     * its state directory, and one svcd at a time. */
    if (fstatat(b->dfd, b->base, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return ERR_EXIST;
    return renameat(a->dfd, a->base, b->dfd, b->base) < 0 ? err_last_os() : 0;
}

int fs_rename_noreplace(const char *from, const char *to)
{
    struct at a, b;
    int rc = at_open2(from, to, &a, &b);

    if (rc < 0)
        return rc;
    rc = rename_noreplace_at(&a, &b);
    at_close2(&a, &b);
    return rc;
}

/* fstatat of `path` itself (a link is not followed), relative to its
 * trusted directory. Returns 0 or an error (ERR_NOENT...). */
static int lstat_at(const char *path, struct stat *st)
{
    struct at a;
    int rc = at_open(path, &a);

    if (rc < 0)
        return rc;
    rc = fstatat(a.dfd, a.base, st, AT_SYMLINK_NOFOLLOW) < 0 ? err_last_os() : 0;
    close(a.dfd);
    return rc;
}

int fs_path_state(fs_file *f, const char *path)
{
    struct stat open_st, path_st;
    int rc;

    if (fstat(f->fd, &open_st) < 0)
        return err_last_os();
    /* ERR_NOENT also for ENOTDIR: a file where the directory was. */
    rc = lstat_at(path, &path_st);
    if (rc == ERR_NOENT)
        return open_st.st_nlink == 0 ? FS_PATH_DELETED : FS_PATH_MOVED;
    if (rc < 0)
        return rc;
    /* A link to the open file is another file: it is never written through. */
    if (open_st.st_dev != path_st.st_dev || open_st.st_ino != path_st.st_ino)
        return FS_PATH_REPLACED;
    return FS_PATH_SAME;
}

int fs_remove(const char *path)
{
    struct at a;
    int rc = at_open(path, &a);

    if (rc < 0)
        return rc;
    rc = unlinkat(a.dfd, a.base, 0) < 0 ? err_last_os() : 0;
    close(a.dfd);
    return rc;
}

int fs_mtime(const char *path, int64_t *us)
{
    struct stat st;
    int rc = lstat_at(path, &st);

    if (rc < 0)
        return rc;
    *us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
    return 0;
}

/* Whether the entry is a regular file, never following a link: the type
 * readdir gave, or, where the file system does not say, fstatat's. */
static int entry_plain(int dfd, const struct dirent *de)
{
    struct stat st;

    if (de->d_type != DT_UNKNOWN)
        return de->d_type == DT_REG;
    return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int fs_list(const char *dir, const char *prefix, void (*fn)(void *ctx, const char *name, int plain),
            void *ctx)
{
    size_t plen = strlen(prefix);
    struct dirent *de;
    struct stat st;
    DIR *d;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return err_last_os();
    if (fstat(fd, &st) < 0 || !dir_trusted(&st, 0002)) {
        close(fd);
        return ERR_UNTRUSTED; /* its names could be anybody's */
    }
    d = fdopendir(fd);
    if (d == NULL) {
        int rc = err_last_os();
        close(fd);
        return rc;
    }
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, plen) == 0 && strcmp(de->d_name, ".") != 0 &&
            strcmp(de->d_name, "..") != 0)
            fn(ctx, de->d_name, entry_plain(fd, de));
    closedir(d);
    return 0;
}

int fs_group_id(const char *name, long *gid)
{
    struct group gr, *res = NULL;
    size_t n = 16384;
    char *buf = NULL;
    int rc;

    /* a group with many members (common in a directory) does not fit the
     * first buffer: ERANGE asks for a bigger one, it is not "no such group" */
    for (;;) {
        char *b = realloc(buf, n);
        if (b == NULL) {
            free(buf);
            return ERR_NOMEM;
        }
        buf = b;
        rc = getgrnam_r(name, &gr, buf, n, &res);
        if (rc != ERANGE || n >= 16 * 1024 * 1024)
            break;
        n *= 4;
    }
    if (rc == 0 && res != NULL)
        *gid = (long)gr.gr_gid;
    free(buf);
    if (rc == 0)
        return res != NULL ? 0 : ERR_NOENT;
    /* these say "no such group" (getgrnam_r(3)); anything else is the
     * group database failing, which an administrator must not be told to
     * fix with groupadd */
    if (rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
        return ERR_NOENT;
    return err_from_os((unsigned long)rc);
}

int fs_share_with_group(const char *path, long gid, int is_dir)
{
    struct stat st;
    mode_t mode;
    int rc = 0;
    struct at a;
    int fd;

    /* Changed through a descriptor of what was opened, never by name: a
     * link planted under a log name must not hand its target to the group.
     * A file is opened in its trusted directory; the state directory itself
     * by its name (its parent, such as /var/log, may be group-writable). */
    if (is_dir) {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_DIRECTORY);
        if (fd < 0)
            return err_last_os();
    } else {
        rc = at_open(path, &a);
        if (rc < 0)
            return rc;
        fd = openat(a.dfd, a.base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        rc = fd < 0 ? nofollow_error(&a, 1) : 0;
        close(a.dfd);
        if (rc < 0)
            return rc;
    }
    if (fstat(fd, &st) < 0)
        rc = err_last_os();
    else if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
        rc = ERR_UNTRUSTED;
    else if (!is_dir && st.st_nlink > 1)
        rc = ERR_UNTRUSTED; /* a hard link to a file elsewhere */
    else if (is_dir && (st.st_mode & 0005) == 0005) {
        close(fd); /* everyone may search it already: a shared folder (/var/log) keeps its group */
        return 0;
    }
    if (rc == 0 && st.st_gid != (gid_t)gid && fchown(fd, (uid_t)-1, (gid_t)gid) < 0)
        rc = err_last_os();
    mode = is_dir ? (st.st_mode & 07777) | 0050 : 0640;
    if (rc == 0 && (st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
        rc = err_last_os();
    close(fd);
    return rc;
}

/* fs_open_append_shared's new file, in the opened directory: made as
 * <name>.new, shared, then linked to the name. Returns 0 with the file,
 * ERR_EXIST when the name was taken meanwhile (or links are not
 * supported: then the caller opens the plain way), or another error. */
static int create_shared(const struct at *a, long gid, fs_file **out)
{
    char tmp[NAME_MAX + 1];
    int fd, rc;

    if (snprintf(tmp, sizeof(tmp), "%s.new", a->base) >= (int)sizeof(tmp))
        return ERR_NAMETOOLONG;
    unlinkat(a->dfd, tmp, 0); /* a leftover of a crash in the middle of this */
    fd = openat(a->dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_last_os();
    /* Not fatal, as sharing is not: the log comes first. */
    if (fchown(fd, (uid_t)-1, (gid_t)gid) == 0)
        (void)fchmod(fd, 0640);
    rc = linkat(a->dfd, tmp, a->dfd, a->base, 0) < 0 ? ERR_EXIST : 0;
    unlinkat(a->dfd, tmp, 0);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return adopt_fd(fd, 2, out);
}

int fs_open_append_shared(const char *path, long gid, fs_file **out)
{
    struct stat st;
    struct at a;
    int rc = at_open(path, &a);

    if (rc < 0)
        return rc;
    if (fstatat(a.dfd, a.base, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
        rc = create_shared(&a, gid, out);
    else
        rc = ERR_EXIST;
    close(a.dfd);
    if (rc != ERR_EXIST)
        return rc;
    /* There already (that one is the log), made meanwhile, or a file system
     * without hard links: opened the plain way and shared right after. */
    rc = fs_open_append(path, out);
    if (rc == 0)
        (void)fs_share_with_group(path, gid, 0); /* not fatal: the log comes first */
    return rc;
}

/* --- lock files (fs.h) ---------------------------------------------------- */

int fs_lock_open(const char *path, int protect, fs_file **out)
{
    struct stat st;
    struct at a;
    fs_file *f;
    int fd, rc;

    (void)protect; /* every lock file is 0600: read access alone would let others take it */
    rc = at_open(path, &a);
    if (rc < 0)
        return rc;
    /* O_NONBLOCK: a FIFO planted here must not hang the open; it is refused below. */
    fd = openat(a.dfd, a.base, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    rc = fd < 0 ? nofollow_error(&a, 0) : 0;
    close(a.dfd);
    if (rc < 0)
        return rc;
    if (fstat(fd, &st) < 0) {
        rc = err_last_os();
        goto close_fd;
    }
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid()) {
        rc = ERR_UNTRUSTED;
        goto close_fd;
    }
    if ((st.st_mode & 077) && fchmod(fd, 0600) < 0) {
        rc = err_last_os();
        goto close_fd;
    }
    f = malloc(sizeof(*f));
    if (f == NULL) {
        rc = ERR_NOMEM;
        goto close_fd;
    }
    f->fd = fd;
    *out = f;
    return 0;

close_fd:
    close(fd);
    return rc;
}

int fs_lock_try(fs_file *f)
{
    int r;

    do {
        r = flock(f->fd, LOCK_EX | LOCK_NB);
    } while (r < 0 && errno == EINTR);
    if (r == 0)
        return 0;
    return errno == EWOULDBLOCK ? ERR_BUSY : err_last_os();
}

const char *fs_kind(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0 || S_ISREG(st.st_mode))
        return NULL;
    if (S_ISDIR(st.st_mode))
        return "a directory";
    if (S_ISFIFO(st.st_mode))
        return "a FIFO";
    if (S_ISCHR(st.st_mode))
        return "a character device";
    if (S_ISBLK(st.st_mode))
        return "a block device";
    if (S_ISSOCK(st.st_mode))
        return "a socket";
    return "not a file";
}
