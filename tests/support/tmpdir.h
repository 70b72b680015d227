/* Throw-away directories for tests. */
#ifndef SVCD_TEST_TMPDIR_H
#define SVCD_TEST_TMPDIR_H

#include <stddef.h>

/* Creates a fresh private directory and writes its path into buf. Returns 0. */
int tmpdir_make(char *buf, size_t n);

/* Removes a directory tree made by tmpdir_make. */
void tmpdir_remove(const char *path);

/* Writes `len` bytes to dir/name (created or truncated). Returns 0. */
int tmpdir_write(const char *dir, const char *name, const void *data, size_t len);

/* Reads dir/name into a malloc'd NUL-terminated buffer; *len gets its size. */
char *tmpdir_read(const char *dir, const char *name, size_t *len);

#endif
