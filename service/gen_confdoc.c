/* gen_confdoc: writes svcd.conf(5), or docs/configuration.md with its table
 * of keys regenerated, from service/config.c's key table (confdoc.h). Run
 * by the build (the man page) and by the confdoc target and test (the
 * markdown); never installed.
 *
 *   gen_confdoc man VERSION OUT
 *   gen_confdoc markdown IN OUT      (IN and OUT may be the same file) */
#include "confdoc.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IN_MAX (1024 * 1024)

/* Reads all of `path` (at most IN_MAX bytes) into `b`. Returns 0 or -1,
 * having said why. */
static int read_all(const char *path, struct sbuf *b)
{
    char chunk[8192];
    size_t got;
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        perror(path);
        return -1;
    }
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (sbuf_add(b, chunk, got) < 0)
            break;
    if (ferror(f) || b->failed) {
        fprintf(stderr, "gen_confdoc: cannot read %s (or it is over %d bytes)\n", path, IN_MAX);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

/* Writes `b` to `path` ("-": stdout). Returns 0 or -1, having said why. */
static int write_all(const char *path, const struct sbuf *b)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");

    if (f == NULL) {
        perror(path);
        return -1;
    }
    if (fwrite(b->p, 1, b->len, f) != b->len || (f != stdout ? fclose(f) : fflush(f)) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sbuf in, out;
    char err[512];
    int rc = 1;

    sbuf_init(&in, IN_MAX);
    sbuf_init(&out, 0);
    if (argc == 4 && strcmp(argv[1], "man") == 0) {
        if (confdoc_man(&out, argv[2]) < 0)
            fprintf(stderr, "gen_confdoc: a key's help in service/config.c does not end in "
                            "'(default: ...)'\n");
        else if (write_all(argv[3], &out) == 0)
            rc = 0;
    } else if (argc == 4 && strcmp(argv[1], "markdown") == 0) {
        if (read_all(argv[2], &in) < 0)
            goto free_bufs;
        if (confdoc_markdown(&out, in.p ? in.p : "", in.len, err, sizeof(err)) < 0)
            fprintf(stderr, "gen_confdoc: %s: %s\n", argv[2], err);
        else if (write_all(argv[3], &out) == 0)
            rc = 0;
    } else {
        fprintf(stderr, "usage: gen_confdoc man VERSION OUT | gen_confdoc markdown IN OUT\n");
        rc = 2;
    }
free_bufs:
    sbuf_free(&in);
    sbuf_free(&out);
    return rc;
}
