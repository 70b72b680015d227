#include "failnote.h"
#include "err.h"
#include "fs.h"
#include "paths.h"

#include <stdio.h>
#include <string.h>

int failnote_dir(char *buf, size_t n)
{
    char *sep;
    int rc = paths_default_state_dir(1, buf, n);

    if (rc < 0)
        return rc;
    sep = strrchr(buf, '\\');
    if (sep == NULL || (strrchr(buf, '/') && strrchr(buf, '/') > sep))
        sep = strrchr(buf, '/');
    if (sep == NULL || sep == buf)
        return ERR_INVAL;
    *sep = '\0';
    return 0;
}

void failnote_format(int code, const char *text, char *buf, size_t n)
{
    snprintf(buf, n, "%d %.*s\n", code, (int)strcspn(text, "\r\n"), text);
}

int failnote_parse(const char *data, size_t len, int *code, char *text, size_t n)
{
    size_t i = 0, end;
    int c = 0;

    while (i < len && i < 6 && data[i] >= '0' && data[i] <= '9')
        c = c * 10 + (data[i++] - '0');
    if (i == 0 || i >= len || data[i] != ' ')
        return ERR_INVAL;
    i++;
    for (end = i; end < len && data[end] != '\n' && data[end] != '\r' && data[end] != '\0'; end++)
        ;
    if (end == i || end - i >= n)
        return ERR_INVAL;
    memcpy(text, data + i, end - i);
    text[end - i] = '\0';
    *code = c;
    return 0;
}

int failnote_write(const char *dir, int code, const char *text)
{
    char path[PATHS_MAX], line[FAILNOTE_TEXT_MAX + 16];

    if (paths_join(dir, FAILNOTE_NAME, path, sizeof(path)) < 0)
        return ERR_NAMETOOLONG;
    failnote_format(code, text, line, sizeof(line));
    return fs_replace(path, line, strlen(line));
}

int failnote_read(const char *dir, int code, char *text, size_t n)
{
    char path[PATHS_MAX], data[FAILNOTE_TEXT_MAX + 16];
    size_t got = 0;
    fs_file *f;
    int rc, found;

    if (paths_join(dir, FAILNOTE_NAME, path, sizeof(path)) < 0)
        return ERR_NAMETOOLONG;
    rc = fs_open_read(path, &f);
    if (rc < 0)
        return rc == ERR_NOENT ? ERR_NOENT : rc;
    rc = fs_read_at(f, data, sizeof(data), 0, &got);
    fs_close(f);
    if (rc < 0)
        return rc;
    if (failnote_parse(data, got, &found, text, n) < 0 || found != code)
        return ERR_NOENT;
    return 0;
}

int failnote_clear(const char *dir)
{
    char path[PATHS_MAX];
    int rc;

    if (paths_join(dir, FAILNOTE_NAME, path, sizeof(path)) < 0)
        return ERR_NAMETOOLONG;
    rc = fs_remove(path);
    return rc == ERR_NOENT ? 0 : rc;
}
