/* `svcd configure`: the file I/O around confedit.c, then the startup. */
#include "configure.h"
#include "term.h"
#include "err.h"
#include "fs.h"
#include "paths.h"
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const startup_names[] = {"auto", "delayed", "manual", "disabled"};

int configure_startup_from_name(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, startup_names[i]) == 0)
            return i;
    return -1;
}

const char *configure_startup_name(int startup)
{
    return startup >= 0 && startup < 4 ? startup_names[startup] : "unknown";
}

int configure_read_file(const char *path, char **text, size_t *n)
{
    fs_file *f;
    uint64_t size;
    size_t got = 0;
    char *buf = NULL;
    int rc;

    rc = fs_open_read(path, &f);
    if (rc < 0)
        return rc;
    rc = fs_size(f, &size);
    if (rc == 0 && size > CONFIG_FILE_MAX)
        rc = ERR_TOOBIG;
    if (rc == 0 && (buf = malloc((size_t)size + 1)) == NULL)
        rc = ERR_NOMEM;
    if (rc == 0)
        rc = fs_read_at(f, buf, (size_t)size, 0, &got);
    fs_close(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[got] = '\0';
    *text = buf;
    *n = got;
    return 0;
}

void configure_read_error(const char *path, int rc, char *buf, size_t n)
{
    const char *kind = rc == ERR_NOENT ? NULL : fs_kind(path);

    if (kind)
        snprintf(buf, n, "config file %s is %s, not a regular file", path, kind);
    else if (rc == ERR_TOOBIG)
        snprintf(buf, n, "config file %s is larger than %d bytes", path, CONFIG_FILE_MAX);
    else
        snprintf(buf, n, "cannot read config file %s: %s", path, err_str(rc));
}

/* What an edit replaced, to put it back when the service then fails to
 * start with it. */
struct previous {
    char *text; /* NULL: there was no file */
    size_t n;
    int startup; /* -1: not changed */
};

/* Edits the file: reads it (the packaged default when missing), applies
 * the sets, checks the result, writes it; the old text goes to `prev`.
 * Returns an exit status. */
static int edit_file(const char *path, const struct configure_opts *o, struct previous *prev)
{
    static struct config parsed;
    char err[CONFIGURE_ERR_MAX];
    struct sbuf out;
    char *text = NULL;
    size_t n = 0;
    int rc, created = 0, status = SVCMGR_EXIT_OK;

    rc = configure_check_file(path, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "svcd: configure: refusing to edit %s (nothing was changed)\n", err);
        return SVCMGR_EXIT_FAILED;
    }
    rc = configure_read_file(path, &text, &n);
    if (rc == ERR_NOENT) {
        created = 1;
        rc = 0;
    } else if (rc < 0) {
        configure_read_error(path, rc, err, sizeof(err));
        fprintf(stderr, "svcd: configure: %s\n", err);
        return rc == ERR_ACCESS ? SVCMGR_EXIT_DENIED : SVCMGR_EXIT_FAILED;
    }
    sbuf_init(&out, CONFIG_FILE_MAX + 4096);
    rc = confedit_apply_parsed(created ? configure_default_text() : text,
                               created ? strlen(configure_default_text()) : n, o->sets, o->nsets,
                               path, &out, &parsed, err, sizeof(err));
    if (rc == 0)
        rc = configure_check(&parsed, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "svcd: configure: %s (nothing was changed)\n", err);
        status = SVCMGR_EXIT_USAGE;
        goto free_text;
    }
    rc = fs_replace(path, out.p, out.len);
    if (rc < 0) {
        fprintf(stderr, "svcd: configure: cannot write %s: %s (nothing was changed)\n", path,
                err_str(rc));
        status = rc == ERR_ACCESS ? SVCMGR_EXIT_DENIED : SVCMGR_EXIT_FAILED;
        goto free_text;
    }
    for (size_t i = 0; i < o->nsets; i++)
        term_printf(stdout, "svcd: %s: %s = %s\n", path, o->sets[i].key, o->sets[i].value);
    if (created)
        term_printf(stdout, "svcd: %s: created from the default configuration\n", path);
    prev->text = text;
    prev->n = n;
    text = NULL;
free_text:
    sbuf_free(&out);
    free(text);
    return status;
}

/* Puts back what a failed configure changed. */
static void restore(const char *path, const struct configure_opts *o, struct previous *prev)
{
    struct sbuf old;
    int rc = 0;

    if (o->nsets > 0 && prev->text) {
        sbuf_init(&old, 0);
        sbuf_add(&old, prev->text, prev->n);
        rc = fs_replace(path, old.p, old.len);
        sbuf_free(&old);
    } else if (o->nsets > 0) {
        rc = fs_remove(path);
    }
    if (rc < 0)
        fprintf(stderr, "svcd: configure: cannot restore %s: %s\n", path, err_str(rc));
    else if (o->nsets > 0)
        fprintf(stderr, "svcd: configure: %s restored as it was\n", path);
    if (prev->startup >= 0 && configure_set_startup(prev->startup) == 0)
        fprintf(stderr, "svcd: configure: startup restored to %s\n",
                configure_startup_name(prev->startup));
}

/* Starts the service when its startup is auto or delayed, as an install
 * does. */
static int start_if_automatic(void)
{
    int startup, rc = configure_get_startup(&startup);

    if (rc < 0) {
        fprintf(stderr, "svcd: configure: cannot read the service's startup: %s\n", err_str(rc));
        return rc == ERR_NOENT ? SVCMGR_EXIT_NOT_INSTALLED : SVCMGR_EXIT_FAILED;
    }
    if (startup == SVCMGR_MANUAL || startup == SVCMGR_DISABLED) {
        printf("svcd: not started: its startup is %s\n", configure_startup_name(startup));
        return SVCMGR_EXIT_OK;
    }
    return svcmgr_start();
}

int configure_run(const struct configure_opts *o)
{
    struct previous prev = {NULL, 0, -1};
    char path[PATHS_MAX];
    const char *file = o->config_file;
    int rc, status = SVCMGR_EXIT_OK, old;

    if (file == NULL) {
        if (configure_default_path(path, sizeof(path)) < 0) {
            fprintf(stderr, "svcd: configure: cannot find the default config file; give "
                            "--config\n");
            return SVCMGR_EXIT_USAGE;
        }
        file = path;
    }
    if (o->nsets > 0 && (status = edit_file(file, o, &prev)) != SVCMGR_EXIT_OK)
        return status;
    if (o->startup >= 0) {
        if (configure_get_startup(&old) == 0 && old != o->startup)
            prev.startup = old;
        rc = configure_set_startup(o->startup);
        if (rc < 0) {
            fprintf(stderr, "svcd: configure: cannot set the startup to %s: %s\n",
                    configure_startup_name(o->startup), err_str(rc));
            status = rc == ERR_NOENT         ? SVCMGR_EXIT_NOT_INSTALLED
                     : rc == ERR_ACCESS      ? SVCMGR_EXIT_DENIED
                     : rc == ERR_UNSUPPORTED ? SVCMGR_EXIT_USAGE
                                             : SVCMGR_EXIT_FAILED;
            prev.startup = -1;
            goto restore_prev;
        }
        printf("svcd: startup %s\n", configure_startup_name(o->startup));
    }
    if (o->start)
        status = start_if_automatic();
restore_prev:
    /* All or nothing: an installer that fails on our exit status must not
     * leave a configuration behind that the service cannot start with. */
    if (status != SVCMGR_EXIT_OK)
        restore(file, o, &prev);
    free(prev.text);
    return status;
}
