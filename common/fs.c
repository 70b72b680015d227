/* What the log's callers build on fs_posix.c / fs_win.c, the same on both. */
#include "fs.h"
#include "paths.h"
#include "sbuf.h"

#include <stdio.h>

int fs_replace(const char *path, const void *data, size_t n)
{
    char tmp[PATHS_MAX];
    fs_file *f;
    int rc;

    rc = sbuf_fmt(tmp, sizeof(tmp), "%s.new", path);
    if (rc < 0)
        return rc;
    fs_remove(tmp); /* a leftover of an interrupted run */
    rc = fs_open_append(tmp, &f);
    if (rc < 0)
        return rc;
    rc = fs_truncate(f, 0);
    if (rc == 0)
        rc = fs_keep_owner(f, path);
    if (rc == 0 && n > 0)
        rc = fs_append(f, data, n);
    if (rc == 0)
        rc = fs_sync(f);
    fs_close(f);
    if (rc == 0)
        rc = fs_rename(tmp, path);
    if (rc < 0)
        fs_remove(tmp);
    return rc;
}

void fs_dir_explain(const struct fs_dir_problem *p, char *buf, size_t n)
{
    char who[96];

    if (p->owner[0])
        snprintf(who, sizeof(who), "user '%s' (uid %ld)", p->owner, p->uid);
    else
        snprintf(who, sizeof(who), "uid %ld", p->uid);
    switch (p->fault) {
    case FS_DIR_OWNER:
        snprintf(buf, n,
                 "%s belongs to %s, not to root or to the user svcd runs as: whoever made it "
                 "first can plant links and files in it; remove it (svcd makes its own) or "
                 "choose another --state-dir",
                 p->path, who);
        break;
    case FS_DIR_WRITABLE:
        snprintf(buf, n,
                 "%s, owned by %s, is writable by %s (mode %04o) and not sticky: they can "
                 "plant links and files in it; run 'chmod go-w %s' or choose another --state-dir",
                 p->path, who, (p->mode & 0002) ? "others" : "its group", p->mode, p->path);
        break;
    case FS_DIR_LINK_OWNER:
        snprintf(buf, n,
                 "%s is a symbolic link that belongs to %s, who can point it elsewhere; replace "
                 "it by a directory or a link of root's, or choose another --state-dir",
                 p->path, who);
        break;
    case FS_DIR_NOT_DIR:
        snprintf(buf, n, "%s is not a directory; choose another --state-dir", p->path);
        break;
    default:
        snprintf(buf, n, "%s is not trusted", p->path);
        break;
    }
}
