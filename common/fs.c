/* What the log's callers build on fs_posix.c / fs_win.c, the same on both. */
#include "fs.h"
#include "paths.h"
#include "sbuf.h"

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
