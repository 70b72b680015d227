#define _GNU_SOURCE
#include "svcdtest.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "tmpdir.h"

void svcdtest_prepare(struct svcdtest *t)
{
    cr_assert_eq(tmpdir_make(t->dir, sizeof(t->dir)), 0);
    snprintf(t->sock, sizeof(t->sock), "%s/svcd.sock", t->dir);
    snprintf(t->state, sizeof(t->state), "%s/state", t->dir);
    snprintf(t->log, sizeof(t->log), "%s/svcd.out", t->dir);
    cr_assert_eq(mkdir(t->state, 0755), 0);
    t->pid = -1;
}

void svcdtest_start(struct svcdtest *t, const char *const extra[])
{
    char *argv[32] = {SVCD_BIN, "run", "--endpoint", t->sock, "--state-dir", t->state};
    size_t n = 6;

    for (size_t i = 0; extra && extra[i]; i++) {
        cr_assert_lt(n + 1, sizeof(argv) / sizeof(argv[0]), "too many svcd arguments");
        argv[n++] = (char *)extra[i];
    }
    argv[n] = NULL;
    t->pid = proc_spawn(argv, NULL, t->log);
    cr_assert_gt(t->pid, 0);
    cr_assert_eq(proc_wait_connect(t->sock, 5000), 0, "svcd did not start");
    /* svcd listens before it takes the state directory's lock and opens the
     * log: "running" on its stderr says both are done, so `svcd reload`
     * (which finds it by that lock) and the first requests see it whole. */
    for (int i = 0; i < 2000; i++) {
        size_t len;
        char *out = tmpdir_read(t->dir, "svcd.out", &len);
        int ready = out && strstr(out, " running (pid ") != NULL;
        free(out);
        if (ready)
            return;
        usleep(10000);
    }
    cr_assert_fail("svcd listens but never said it runs (see %s)", t->log);
}

void svcdtest_finish(struct svcdtest *t, int timeout_ms)
{
    if (t->pid > 0) {
        kill(t->pid, SIGCONT); /* a test may have stopped it */
        cr_assert_eq(proc_stop(t->pid, SIGTERM, timeout_ms), 0, "svcd must stop cleanly");
    }
    t->pid = -1;
    tmpdir_remove(t->dir);
}
