/* One writer per state directory: an exclusive lock on <state_dir>/svcd.lock
 * (fs_lock_open/fs_lock_try), taken before the log is opened and held for
 * the life of the process, so a second svcd on the same directory (a
 * `svcd run` started for debugging while the service runs) stops before it
 * writes anything. The OS drops the lock however its holder ends (a stop,
 * a crash, kill -9). The file is never removed: a svcd that removed it on
 * its way out could leave a starting one holding a lock on a name nobody
 * else sees. Its content, the holder's pid and endpoint, is information
 * only ("<pid>\n<endpoint>\n", rewritten once the lock is held): the stale
 * text a killed svcd leaves behind blocks nobody. */
#ifndef SVCD_STATELOCK_H
#define SVCD_STATELOCK_H

#include <stddef.h>

#include "fs.h"
#include "paths.h"

#define STATELOCK_FILE     "svcd.lock"
#define STATELOCK_TEXT_MAX (PATHS_MAX + 32)

struct statelock {
    fs_file *f; /* open and locked while held, else NULL */
    char path[PATHS_MAX];
    int error;      /* why the last take failed (ERR_), 0 when it succeeded */
    int busy;       /* it failed because another process holds the lock */
    long owner_pid; /* then the holder's, as its file says (0: not written yet) */
    char owner_endpoint[PATHS_MAX];
    int write_error;   /* held, but the pid and endpoint could not be written (ERR_) */
    int dir_untrusted; /* it failed because the directory is not safe: */
    struct fs_dir_problem dir_problem; /* why (fs_dir_check) */
};

/* Takes the lock of `dir` (created first if missing, as the log store would:
 * the service's folder in system mode, else private, then checked with
 * fs_dir_check: dir_untrusted and dir_problem say why not) for this process,
 * serving `endpoint`, and writes both into the lock file. Never waits.
 * Returns 0 (held; write_error says if the content could not be written,
 * which is not fatal), ERR_BUSY when another process holds it (busy is set,
 * owner_pid and owner_endpoint say who, from its file), ERR_UNTRUSTED when
 * the directory is not safe (dir_untrusted) or svcd.lock is a link, not a
 * regular file or not ours, or the error of
 * making the directory or opening the file. */
int statelock_take(struct statelock *sl, const char *dir, int system_mode, long pid,
                   const char *endpoint);

/* Finds the svcd that holds `dir`'s lock (for `svcd reload`), creating
 * nothing: returns 1 when one does (its pid in *pid, 0 while it has not
 * written it yet), 0 when none does (no lock file, or nobody holds it), or
 * the error of opening the file (ERR_UNTRUSTED: not ours, e.g. root's seen
 * by a user; ERR_ACCESS). */
int statelock_probe(const char *dir, long *pid);

/* Drops the lock (the file stays). Harmless when not held. */
void statelock_release(struct statelock *sl);

/* One line saying why statelock_take(dir) failed with `err`: the user's
 * message, naming the holder when busy. */
void statelock_explain(const struct statelock *sl, const char *dir, int err, char *buf, size_t n);

/* Pure: the lock file's content for (pid, endpoint), and back.
 * statelock_parse returns 0, or ERR_INVAL when the bytes are not a
 * complete content (empty, cut short, not a pid). */
void statelock_format(long pid, const char *endpoint, char *buf, size_t n);
int statelock_parse(const char *data, size_t len, long *pid, char *endpoint, size_t n);

#endif
