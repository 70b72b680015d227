/* Running the real binaries from tests: capture output and exit status,
 * always bounded in time. */
#ifndef SVCD_TEST_PROC_H
#define SVCD_TEST_PROC_H

#include <stddef.h>
#include <sys/types.h>

struct proc_result {
    int exit_code; /* -1 when killed for the timeout or by a signal */
    long pid;      /* of the process that ran */
    char out[65536];
    char err[8192];
};

/* Runs argv (NULL-terminated) with extra "NAME=value" environment entries
 * (NULL-terminated, may be NULL) and waits at most timeout_ms. */
int proc_run(char *const argv[], char *const env_extra[], int timeout_ms, struct proc_result *r);

/* Starts argv in the background with stdout/stderr sent to `log_path`.
 * Returns the pid or -1. */
pid_t proc_spawn(char *const argv[], char *const env_extra[], const char *log_path);

/* Sends `sig` and waits at most timeout_ms for the exit. Returns the exit
 * status (as from waitpid's WEXITSTATUS), or -1 if it had to be killed. */
int proc_stop(pid_t pid, int sig, int timeout_ms);

/* Waits until `path` exists, at most timeout_ms. Returns 0 or -1. */
int proc_wait_path(const char *path, int timeout_ms);

/* Waits until a Unix socket at `path` accepts connections, at most
 * timeout_ms: a service is ready when it listens, not when its file exists.
 * Returns 0 or -1. */
int proc_wait_connect(const char *path, int timeout_ms);

#endif
