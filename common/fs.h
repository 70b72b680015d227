/* Files and directories, as the log needs them: fs_posix.c / fs_win.c.
 * On POSIX every call that names a file (all but fs_open_read, fs_mkdir_p
 * and fs_dir_check) works relative to a descriptor of the file's directory,
 * opened and checked (root's or ours, not writable by others unless sticky)
 * for the call, and never follows a symbolic link in the last component:
 * fs_mtime and fs_path_state look at a link itself, and what the service
 * writes as root is never reached through one. */
#ifndef SVCD_FS_H
#define SVCD_FS_H

#include <stddef.h>
#include <stdint.h>

typedef struct fs_file fs_file;

enum fs_dir_mode {
    FS_DIR_PRIVATE, /* the owner only (0700) */
    FS_DIR_SHARED,  /* readable by everyone (0755; inherited ACL on Windows) */
    FS_DIR_SERVICE, /* the service's own: 0755 root; on Windows the explicit
                       DACL of security.h (SYSTEM, Administrators full; Users read) */
};

/* Creates a directory and its missing parents; the last one gets `mode`,
 * parents FS_DIR_SHARED (FS_DIR_PRIVATE if the last one is private).
 * Existing directories are left as they are, except that on Windows an
 * existing last directory in FS_DIR_SERVICE mode is given its DACL too, and
 * the owner SYSTEM.
 * Returns 0, ERR_ACCESS,
 * ERR_NAMETOOLONG, ERR_EXIST (a component is a file), or ERR_IO. */
int fs_mkdir_p(const char *path, enum fs_dir_mode mode);

/* Why fs_dir_check refused a directory. */
enum fs_dir_fault {
    FS_DIR_TRUSTED = 0,
    FS_DIR_OWNER,     /* belongs to another user than root or us */
    FS_DIR_WRITABLE,  /* others (or its group) may write to it, and it is not sticky */
    FS_DIR_NOT_DIR,   /* a file, not a directory */
    FS_DIR_LINK_OWNER /* a symbolic link on the way belongs to another user */
};

#define FS_DIR_PATH_MAX 1024

struct fs_dir_problem {
    int fault;                  /* enum fs_dir_fault */
    char path[FS_DIR_PATH_MAX]; /* the directory or link at fault (`dir` or a parent) */
    long uid;                   /* its owner */
    char owner[64];             /* the owner's name, or "uid N" */
    unsigned mode;              /* its permission bits */
};

/* Whether `dir` (existing) is safe to keep files in that others must not
 * change, checked as the endpoint's directory is (ipc_posix.c): it belongs
 * to root or to us, and neither its group nor others may write to it unless
 * it is sticky. Its parents, on the path as given and on the path it
 * resolves to, belong to root or us and are not writable by others unless
 * sticky (a group-writable /var/log is fine); a link on the way belongs to
 * root or us. POSIX; on Windows always 0 (fs_mkdir_p gives the service's
 * folder its DACL). Returns 0, ERR_UNTRUSTED with `p` filled, or the error
 * of looking (ERR_NOENT...). */
int fs_dir_check(const char *dir, struct fs_dir_problem *p);

/* Before a missing `dir` is made: the deepest part of its path that exists
 * (and the way to it) held to fs_dir_check's rule for parents, so nothing
 * is created inside another user's directory or through their link. 0 when
 * `dir` exists already (fs_dir_check judges it) or on Windows; else as
 * fs_dir_check. */
int fs_dir_check_missing(const char *dir, struct fs_dir_problem *p);

/* One clause for a fs_dir_check refusal: what is wrong with which path, who
 * owns it, and what to do about it (fs.c). */
void fs_dir_explain(const struct fs_dir_problem *p, char *buf, size_t n);

/* Opens for appending, creating the file (owner read/write, group read).
 * POSIX: relative to a descriptor of its directory, which must belong to
 * root or us and not be writable by others unless sticky; never through a
 * symbolic link; only a regular file of ours (or root's) with no other name
 * (a hard link would make us write to another file). ERR_UNTRUSTED
 * otherwise. */
int fs_open_append(const char *path, fs_file **out);

/* Opens for reading. ERR_NOENT when missing. Follows links (a config file
 * may be one); files of the log use fs_open_read_nofollow. */
int fs_open_read(const char *path, fs_file **out);

/* fs_open_read for the files of the state directory (the log, svcd.seq):
 * POSIX: relative to a descriptor of its trusted directory as
 * fs_open_append, never through a symbolic link, and only a regular file of
 * ours or root's: ERR_UNTRUSTED otherwise. Windows: fs_open_read. */
int fs_open_read_nofollow(const char *path, fs_file **out);

/* Writes all of data at the end of the file. ERR_NOSPC, ERR_IO... */
int fs_append(fs_file *f, const void *data, size_t n);

/* Flushes written data to stable storage. */
int fs_sync(fs_file *f);

int fs_size(fs_file *f, uint64_t *size);

/* What tells open files apart: two handles on the same file have the same
 * id, whatever name the file has now. */
struct fs_id {
    uint64_t dev, ino;
};

/* The open file's id (device and inode; on Windows the file index, unique
 * within one volume, with dev 0). Returns 0 or an error. */
int fs_identity(fs_file *f, struct fs_id *id);

/* Reads up to n bytes at offset; *got is 0 at end of file. */
int fs_read_at(fs_file *f, void *buf, size_t n, uint64_t off, size_t *got);

/* Cuts the file to `size` bytes. */
int fs_truncate(fs_file *f, uint64_t size);

/* Renames a file, replacing `to` if it exists (atomically where the OS
 * can). */
int fs_rename(const char *from, const char *to);

/* Renames a file, never replacing one: ERR_EXIST when `to` exists (a file
 * or a directory). Atomic where the OS can (Linux renameat2
 * RENAME_NOREPLACE, or link + unlink where the file system has no such
 * rename; Windows MoveFileExW without MOVEFILE_REPLACE_EXISTING). */
int fs_rename_noreplace(const char *from, const char *to);

/* What became of the file an open handle was opened from. */
enum fs_path_state {
    FS_PATH_SAME = 0, /* `path` still names the open file */
    FS_PATH_DELETED,  /* the open file was deleted (no name left, or delete pending) */
    FS_PATH_MOVED,    /* nothing at `path`, the open file lives on under another name */
    FS_PATH_REPLACED, /* another file is at `path` now */
};

/* Compares the open file with the file at `path` (POSIX: device and inode,
 * and the link count; Windows: volume serial and file index, and whether a
 * delete is pending). Returns an fs_path_state (>= 0), or the error of
 * looking (not ERR_NOENT: a missing path is FS_PATH_DELETED or _MOVED). */
int fs_path_state(fs_file *f, const char *path);

/* Removes a file. */
int fs_remove(const char *path);

/* Replaces the file at `path` with `n` bytes of data, written and synced to
 * `path`.new first and renamed over it, so a reader sees the old file or the
 * new one, never a part. An existing file's mode, owner and group are kept
 * (an administrator's 0640 root:svcd stays so). Returns 0, or the error of
 * the step that failed (then `path` is untouched and no .new file is left). */
int fs_replace(const char *path, const void *data, size_t n);

/* Gives `f` the permissions of the existing file at `like`: on POSIX its mode
 * bits, owner and group (the owner only where the caller may chown); on
 * Windows nothing, since a new file there inherits its folder's DACL like
 * the old one did. Returns 0 (also when `like` does not exist) or an error. */
int fs_keep_owner(fs_file *f, const char *like);

/* The last modification time, microseconds since the epoch. */
int fs_mtime(const char *path, int64_t *us);

/* Calls fn for each entry of `dir` whose name starts with `prefix` (names
 * only; "." and ".." never); `plain` is 1 for a regular file, 0 for
 * anything else (a symbolic link, a directory, a FIFO; POSIX only: on
 * Windows always 1). Returns 0 or the listing's error. */
int fs_list(const char *dir, const char *prefix, void (*fn)(void *ctx, const char *name, int plain),
            void *ctx);

/* The id of the group named `name`. Returns 0, ERR_NOENT when there is no
 * such group, the error of a group database that could not be asked (an
 * LDAP or SSSD outage) or ERR_NOMEM, or ERR_UNSUPPORTED on Windows (no
 * POSIX groups; the log folder's DACL, security.h, lets Users read the
 * log). */
int fs_group_id(const char *name, long *gid);

/* Lets group `gid` read `path` (POSIX): the group becomes `gid`, and a file
 * gets mode 0640, a directory the group's read and search bits (g+rx) on
 * top of its own, unless everyone may read and search it already (then a
 * shared folder such as /var/log keeps its group). Reached through a
 * descriptor, never a link; a file that is not a plain file with one link
 * (or a directory) is ERR_UNTRUSTED. Returns 0, ERR_ACCESS (not the owner,
 * nor root, nor a member of the group), ERR_NOENT, ERR_UNTRUSTED, or
 * ERR_UNSUPPORTED on Windows. */
int fs_share_with_group(const char *path, long gid, int is_dir);

/* fs_open_append for a file group `gid` must read from its first moment (a
 * shipper watching the folder opens a new svcd.log at once and may give up
 * on one it cannot read): a missing file is made under a temporary name,
 * given the group and mode 0640, then linked into place, never over a file
 * that appeared meanwhile (that one is opened and shared instead). POSIX;
 * on Windows the same as fs_open_append. Returns 0 or an error. */
int fs_open_append_shared(const char *path, long gid, fs_file **out);

void fs_close(fs_file *f);

/* What `path` names when that is not a regular file, as words for an error
 * message: "a FIFO", "a directory", "a character device"... (following
 * symbolic links, as opening it does). NULL when it is a regular file, or
 * when it cannot be looked at (then the open's own error says why). Never
 * opens a FIFO, so it never waits for a writer. */
const char *fs_kind(const char *path);

/* --- Lock files (one writer per directory: service/statelock.c) ---------
 * A lock held through an open file: exclusive, never waited for, and
 * released by the OS however the holder ends (fs_close, exit, kill -9), so
 * a stale file never blocks anyone. POSIX: flock(2), which belongs to the
 * open file description: two opens conflict even in one process, closing
 * another descriptor of the same file does not drop it (fcntl's record
 * locks would be dropped by any close in the process, and never conflict
 * within it), and O_CLOEXEC keeps programs we start from inheriting it.
 * Windows: LockFileEx on one byte at FS_LOCK_OFFSET, past any content, so
 * the holder's lock does not stop others from reading what it wrote there. */
#define FS_LOCK_OFFSET 0x100000000ull

/* Opens (creating it if missing) a lock file for reading and writing,
 * without taking the lock and without changing its content. POSIX: never
 * through a symbolic link (O_NOFOLLOW), 0600, and only a regular file of
 * ours with no other name (a hard link would make us write to another
 * file); an existing one open to others is made 0600. Windows: never
 * through a reparse point; created with `protect` set, it gets a protected
 * DACL of SYSTEM and Administrators only (the service folder's inherited
 * one lets Users read, and a read handle is enough to take the lock); others
 * may open it to read and to try the lock, never to delete or rename it.
 * Returns 0, ERR_UNTRUSTED (a link, not a regular file, another owner or
 * name), or the open's error (ERR_ACCESS, ERR_NOENT...). */
int fs_lock_open(const char *path, int protect, fs_file **out);

/* Takes the exclusive lock on a file from fs_lock_open, without waiting.
 * Returns 0, ERR_BUSY when another open file holds it (any process, this
 * one included), or another error. It is held until fs_close. */
int fs_lock_try(fs_file *f);

#endif
