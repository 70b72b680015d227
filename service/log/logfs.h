/* The file operations the log store makes, behind one table so that tests
 * can put a faulty file system under the real writer (EIO, ENOSPC, a short
 * write, a failed rename) at any call. Production code never changes it. */
#ifndef SVCD_LOGFS_H
#define SVCD_LOGFS_H

#include <stddef.h>
#include <stdint.h>

#include "fs.h"

struct logfs {
    int (*open_append)(const char *path, fs_file **out);
    int (*open_read)(const char *path, fs_file **out);
    int (*append)(fs_file *f, const void *data, size_t n);
    int (*sync)(fs_file *f);
    int (*size)(fs_file *f, uint64_t *size);
    int (*truncate)(fs_file *f, uint64_t size);
    int (*rename)(const char *from, const char *to);
    int (*rename_noreplace)(const char *from, const char *to);
    int (*path_state)(fs_file *f, const char *path);
    int (*replace)(const char *path, const void *data, size_t n);
    int (*remove)(const char *path);
    int (*mtime)(const char *path, int64_t *us);
    int (*mkdir_p)(const char *path, enum fs_dir_mode mode);
    int (*list)(const char *dir, const char *prefix,
                void (*fn)(void *ctx, const char *name, int plain), void *ctx);
};

/* The fs.h functions themselves. */
extern const struct logfs logfs_real;

/* What the log store calls: &logfs_real unless a test swapped it. */
extern const struct logfs *logfs;

#endif
