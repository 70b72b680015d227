#define _GNU_SOURCE
#include "fs.h"
#include "err.h"

#include <errno.h>
#include <limits.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
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

static int open_fd(const char *path, int flags, fs_file **out)
{
    fs_file *f;
    struct stat st;
    /* O_NONBLOCK: a FIFO planted under a log name must not hang the
     * service at open; it is refused below, like anything not a file. */
    int fd = open(path, flags | O_CLOEXEC | O_NONBLOCK, 0640);

    if (fd < 0)
        return err_last_os();
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        int rc = S_ISDIR(st.st_mode) ? ERR_EXIST : ERR_UNTRUSTED;
        close(fd);
        return rc;
    }
    /* Back to blocking: reads and writes of a regular file never wait. */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        int rc = err_last_os();
        close(fd);
        return rc;
    }
    f = malloc(sizeof(*f));
    if (f == NULL) {
        close(fd);
        return ERR_NOMEM;
    }
    f->fd = fd;
    *out = f;
    return 0;
}

int fs_open_append(const char *path, fs_file **out)
{
    /* What the service writes as root is never reached through a link. */
    return open_fd(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW, out);
}

int fs_open_read(const char *path, fs_file **out)
{
    return open_fd(path, O_RDONLY, out);
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

    if (stat(like, &st) < 0)
        return errno == ENOENT ? 0 : err_last_os();
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

int fs_rename(const char *from, const char *to)
{
    return rename(from, to) < 0 ? err_last_os() : 0;
}

int fs_rename_noreplace(const char *from, const char *to)
{
    struct stat st;
    int rc;

    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return err_last_os(); /* EEXIST among them */
    /* The file system has no RENAME_NOREPLACE: a hard link fails on an
     * existing name just the same, and for a moment two names are harmless. */
    if (link(from, to) == 0) {
        if (unlink(from) == 0)
            return 0;
        rc = err_last_os();
        unlink(to);
        return rc;
    }
    if (errno != EPERM && errno != ENOTSUP)
        return err_last_os();
    /* No hard links either (vfat): look, then rename. Only svcd renames in
     * its state directory, and one svcd at a time. */
    if (lstat(to, &st) == 0)
        return ERR_EXIST;
    return fs_rename(from, to);
}

int fs_path_state(fs_file *f, const char *path)
{
    struct stat open_st, path_st;

    if (fstat(f->fd, &open_st) < 0)
        return err_last_os();
    if (stat(path, &path_st) < 0) {
        if (errno != ENOENT && errno != ENOTDIR) /* ENOTDIR: a file where the directory was */
            return err_last_os();
        return open_st.st_nlink == 0 ? FS_PATH_DELETED : FS_PATH_MOVED;
    }
    if (open_st.st_dev != path_st.st_dev || open_st.st_ino != path_st.st_ino)
        return FS_PATH_REPLACED;
    return FS_PATH_SAME;
}

int fs_remove(const char *path)
{
    return unlink(path) < 0 ? err_last_os() : 0;
}

int fs_mtime(const char *path, int64_t *us)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return err_last_os();
    *us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
    return 0;
}

int fs_list(const char *dir, const char *prefix, void (*fn)(void *ctx, const char *name), void *ctx)
{
    size_t plen = strlen(prefix);
    struct dirent *de;
    DIR *d = opendir(dir);

    if (d == NULL)
        return err_last_os();
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, plen) == 0 && strcmp(de->d_name, ".") != 0 &&
            strcmp(de->d_name, "..") != 0)
            fn(ctx, de->d_name);
    closedir(d);
    return 0;
}

int fs_group_id(const char *name, long *gid)
{
    struct group gr, *res = NULL;
    char buf[16384];

    if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
        return ERR_NOENT;
    *gid = (long)gr.gr_gid;
    return 0;
}

int fs_share_with_group(const char *path, long gid, int is_dir)
{
    struct stat st;
    mode_t mode;
    int rc = 0;
    /* Changed through a descriptor of what was opened, never by name: a
     * link planted under a log name must not hand its target to the group. */
    int fd =
        open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (is_dir ? O_DIRECTORY : 0));

    if (fd < 0)
        return err_last_os();
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

int fs_open_append_shared(const char *path, long gid, fs_file **out)
{
    char tmp[PATH_MAX];
    fs_file *f;
    int rc;

    if (access(path, F_OK) == 0 || errno != ENOENT)
        goto existing;
    if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
        return ERR_NAMETOOLONG;
    unlink(tmp); /* a leftover of a crash in the middle of this */
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_last_os();
    /* Not fatal, as sharing is not: the log comes first. */
    if (fchown(fd, (uid_t)-1, (gid_t)gid) == 0)
        (void)fchmod(fd, 0640);
    if (link(tmp, path) < 0) {
        /* Made meanwhile (that one is the log), or a file system without
         * hard links: opened the plain way and shared right after. */
        close(fd);
        unlink(tmp);
        goto existing;
    }
    unlink(tmp);
    f = malloc(sizeof(*f));
    if (f == NULL) {
        close(fd);
        return ERR_NOMEM;
    }
    f->fd = fd;
    *out = f;
    return 0;

existing:
    rc = fs_open_append(path, out);
    if (rc == 0)
        (void)fs_share_with_group(path, gid, 0); /* not fatal: the log comes first */
    return rc;
}

/* --- lock files (fs.h) ---------------------------------------------------- */

/* Why a lock file could not be opened: a name that is not a plain file (a
 * link, a FIFO, a folder) is untrusted, whatever errno the open gave. */
static int lock_open_error(const char *path)
{
    int rc = err_last_os();
    struct stat st;

    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return ERR_UNTRUSTED;
    return rc;
}

int fs_lock_open(const char *path, int protect, fs_file **out)
{
    struct stat st;
    fs_file *f;
    int fd, rc;

    (void)protect; /* every lock file is 0600: read access alone would let others take it */
    /* O_NONBLOCK: a FIFO planted here must not hang the open; it is refused below. */
    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0)
        return lock_open_error(path);
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
