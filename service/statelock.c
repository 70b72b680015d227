#include "statelock.h"
#include "err.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

void statelock_format(long pid, const char *endpoint, char *buf, size_t n)
{
    snprintf(buf, n, "%ld\n%.*s\n", pid, (int)strcspn(endpoint, "\r\n"), endpoint);
}

int statelock_parse(const char *data, size_t len, long *pid, char *endpoint, size_t n)
{
    unsigned long long p = 0;
    size_t i = 0, start;

    while (i < len && i < 19 && data[i] >= '0' && data[i] <= '9')
        p = p * 10 + (unsigned long long)(data[i++] - '0');
    if (i == 0 || p == 0 || p > LONG_MAX || i >= len || data[i] != '\n')
        return ERR_INVAL;
    start = ++i;
    for (; i < len && data[i] != '\n'; i++)
        if ((unsigned char)data[i] < 0x20)
            return ERR_INVAL;
    /* The final newline too: a holder caught between its truncate and its
     * write has not said who it is yet. */
    if (i >= len || i == start || i - start >= n)
        return ERR_INVAL;
    memcpy(endpoint, data + start, i - start);
    endpoint[i - start] = '\0';
    *pid = (long)p;
    return 0;
}

/* Reads who holds the lock from its file; pid 0 when it does not say. */
static void read_owner(struct statelock *sl, fs_file *f)
{
    char text[STATELOCK_TEXT_MAX];
    size_t got = 0;

    sl->owner_pid = 0;
    sl->owner_endpoint[0] = '\0';
    if (fs_read_at(f, text, sizeof(text), 0, &got) < 0 ||
        statelock_parse(text, got, &sl->owner_pid, sl->owner_endpoint, sizeof(sl->owner_endpoint)) <
            0)
        sl->owner_pid = 0;
}

/* Replaces the file's content with ours. Stale text from a holder that is
 * gone may be longer: cut first, then write. */
static int write_owner(fs_file *f, long pid, const char *endpoint)
{
    char text[STATELOCK_TEXT_MAX];
    int rc;

    statelock_format(pid, endpoint, text, sizeof(text));
    rc = fs_truncate(f, 0);
    if (rc == 0)
        rc = fs_append(f, text, strlen(text));
    return rc;
}

/* statelock_take without recording its failure. */
static int take(struct statelock *sl, const char *dir, int system_mode, long pid,
                const char *endpoint)
{
    char path[PATHS_MAX];
    fs_file *f;
    int rc;

    if (paths_join(dir, STATELOCK_FILE, path, sizeof(path)) < 0)
        return ERR_NAMETOOLONG;
    /* Before anything is made: a missing directory is not made inside
     * another user's one (a --state-dir under their /tmp/x). */
    rc = fs_dir_check_missing(dir, &sl->dir_problem);
    if (rc == ERR_UNTRUSTED)
        sl->dir_untrusted = 1;
    if (rc < 0)
        return rc;
    rc = fs_mkdir_p(dir, system_mode ? FS_DIR_SERVICE : FS_DIR_PRIVATE);
    if (rc < 0)
        return rc;
    /* Before any file is opened in it: one that another user made first
     * (a --state-dir under /tmp) may hold links planted for us to follow. */
    rc = fs_dir_check(dir, &sl->dir_problem);
    if (rc == ERR_UNTRUSTED)
        sl->dir_untrusted = 1;
    if (rc < 0)
        return rc;
    memcpy(sl->path, path, sizeof(path)); /* set once the directory is there */
    rc = fs_lock_open(sl->path, system_mode, &f);
    if (rc < 0)
        return rc;
    rc = fs_lock_try(f);
    if (rc < 0) {
        if (rc == ERR_BUSY) {
            sl->busy = 1;
            read_owner(sl, f);
        }
        fs_close(f);
        return rc;
    }
    sl->f = f;
    sl->write_error = write_owner(f, pid, endpoint);
    return 0;
}

int statelock_take(struct statelock *sl, const char *dir, int system_mode, long pid,
                   const char *endpoint)
{
    memset(sl, 0, sizeof(*sl));
    sl->error = take(sl, dir, system_mode, pid, endpoint);
    return sl->error;
}

int statelock_probe(const char *dir, long *pid)
{
    struct statelock sl;
    int64_t t;
    fs_file *f;
    int rc;

    memset(&sl, 0, sizeof(sl));
    *pid = 0;
    if (paths_join(dir, STATELOCK_FILE, sl.path, sizeof(sl.path)) < 0)
        return ERR_NAMETOOLONG;
    rc = fs_mtime(sl.path, &t); /* fs_lock_open would make a missing one */
    if (rc == ERR_NOENT)
        return 0;
    if (rc < 0)
        return rc;
    rc = fs_lock_open(sl.path, 0, &f);
    if (rc < 0)
        return rc;
    rc = fs_lock_try(f);
    if (rc == ERR_BUSY)
        read_owner(&sl, f);
    fs_close(f); /* drops the lock when it was ours for a moment */
    *pid = sl.owner_pid;
    return rc == ERR_BUSY ? 1 : rc < 0 ? rc : 0;
}

void statelock_release(struct statelock *sl)
{
    fs_close(sl->f);
    sl->f = NULL;
}

void statelock_explain(const struct statelock *sl, const char *dir, int err, char *buf, size_t n)
{
    if (sl->busy && sl->owner_pid > 0)
        snprintf(buf, n,
                 "state directory %s is in use by svcd pid %ld (endpoint %s); stop it first or "
                 "use another --state-dir",
                 dir, sl->owner_pid, sl->owner_endpoint);
    else if (sl->busy)
        snprintf(buf, n,
                 "state directory %s is in use by another svcd (starting: it has not written its "
                 "pid to %s yet); stop it first or use another --state-dir",
                 dir, sl->path);
    else if (sl->dir_untrusted) {
        char why[sizeof(sl->dir_problem.path) * 2 + 300];
        fs_dir_explain(&sl->dir_problem, why, sizeof(why));
        snprintf(buf, n, "refusing the state directory %s: %s", dir, why);
    } else if (err == ERR_UNTRUSTED)
        snprintf(buf, n,
                 "cannot lock the state directory %s: %s is a link, not a regular file, has "
                 "another name or is not ours; remove it (svcd creates its own)",
                 dir, sl->path);
    else if (sl->path[0])
        snprintf(buf, n,
                 "cannot open the log in %s: %s: %s (check the directory or use --state-dir)", dir,
                 sl->path, err_str(err));
    else /* the directory itself */
        snprintf(buf, n, "cannot open the log in %s: %s (check the directory or use --state-dir)",
                 dir, err_str(err));
}
