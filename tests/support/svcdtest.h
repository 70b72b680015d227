/* The real svcd for a suite of integration tests: a private folder with
 * its endpoint, state directory and output, `svcd run` on them, and its
 * clean stop. */
#ifndef SVCD_TEST_SVCDTEST_H
#define SVCD_TEST_SVCDTEST_H

#include <sys/types.h>

#define SVCDTEST_DIR_MAX  256
#define SVCDTEST_PATH_MAX 320

struct svcdtest {
    char dir[SVCDTEST_DIR_MAX];
    char sock[SVCDTEST_PATH_MAX];  /* dir/svcd.sock */
    char state[SVCDTEST_PATH_MAX]; /* dir/state, made 0755 */
    char log[SVCDTEST_PATH_MAX];   /* dir/svcd.out: svcd's stdout and stderr */
    pid_t pid;                     /* -1 when not running */
};

/* Makes the folder and fills the paths (asserts). */
void svcdtest_prepare(struct svcdtest *t);

/* Starts `svcd run --endpoint sock --state-dir state` with the further
 * arguments `extra` (NULL-terminated, may be NULL) and waits until it
 * listens and says it runs (asserts). */
void svcdtest_start(struct svcdtest *t, const char *const extra[]);

/* Stops svcd, which must exit cleanly within `timeout_ms` (asserts), and
 * removes the folder. */
void svcdtest_finish(struct svcdtest *t, int timeout_ms);

#endif
