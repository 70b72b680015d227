/* One writer per state directory: the lock on <state_dir>/svcd.lock, through
 * the real file system (flock on this platform). */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "statelock.h"
#include "tmpdir.h"

static char dir[256], lockpath[300];

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(lockpath, sizeof(lockpath), "%s/%s", dir, STATELOCK_FILE);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(statelock, .init = setup, .fini = teardown, .timeout = 30);

static char *lock_text(void)
{
    size_t len;
    char *text = tmpdir_read(dir, STATELOCK_FILE, &len);
    cr_assert_not_null(text, "%s exists", lockpath);
    return text;
}

Test(statelock, content_round_trips_and_a_partial_one_names_nobody)
{
    char buf[STATELOCK_TEXT_MAX], ep[PATHS_MAX];
    long pid = 0;

    statelock_format(1234, "/run/svcd/svcd.sock", buf, sizeof(buf));
    cr_assert_str_eq(buf, "1234\n/run/svcd/svcd.sock\n");
    cr_assert_eq(statelock_parse(buf, strlen(buf), &pid, ep, sizeof(ep)), 0);
    cr_assert_eq(pid, 1234);
    cr_assert_str_eq(ep, "/run/svcd/svcd.sock");
    statelock_format(7, "\\\\.\\pipe\\svcd\nforged", buf, sizeof(buf));
    cr_assert_str_eq(buf, "7\n\\\\.\\pipe\\svcd\n", "a line break never forges a line");
    /* what a reader may find while a holder starts, or left by hand */
    const char *bad[] = {"",           "1234",    "1234\n", "1234\n/run/svcd/svcd.sock",
                         "x\n/a\n",    "0\n/a\n", "12\n\n", "99999999999999999999\n/a\n",
                         "12\n/a\tb\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(statelock_parse(bad[i], strlen(bad[i]), &pid, ep, sizeof(ep)), ERR_INVAL,
                     "'%s' is no owner", bad[i]);
    cr_assert_eq(statelock_parse("12\n/aaaa\n", 9, &pid, ep, 5), ERR_INVAL, "too long to keep");
}

Test(statelock, a_second_lock_fails_naming_the_owner_until_it_is_released)
{
    struct statelock a, b;
    char msg[STATELOCK_TEXT_MAX + 2 * PATHS_MAX], want[2 * PATHS_MAX];
    struct stat st;

    cr_assert_eq(statelock_take(&a, dir, 0, 1234, "/run/svcd/svcd.sock"), 0);
    char *text = lock_text();
    cr_assert_str_eq(text, "1234\n/run/svcd/svcd.sock\n");
    free(text);
    cr_assert_eq(stat(lockpath, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "owner only: mode %o", st.st_mode & 0777);

    /* in this very process, through another open: still refused */
    cr_assert_eq(statelock_take(&b, dir, 0, 5678, "/tmp/x"), ERR_BUSY);
    cr_assert(b.busy);
    cr_assert_eq(b.owner_pid, 1234);
    cr_assert_str_eq(b.owner_endpoint, "/run/svcd/svcd.sock");
    statelock_explain(&b, dir, ERR_BUSY, msg, sizeof(msg));
    snprintf(want, sizeof(want),
             "state directory %s is in use by svcd pid 1234 (endpoint /run/svcd/svcd.sock); stop "
             "it first or use another --state-dir",
             dir);
    cr_assert_str_eq(msg, want);
    text = lock_text();
    cr_assert_str_eq(text, "1234\n/run/svcd/svcd.sock\n", "the refused one wrote nothing");
    free(text);

    /* closing some other descriptor of the file keeps the lock (fcntl's
     * record locks would be gone now) */
    int fd = open(lockpath, O_RDONLY);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(statelock_take(&b, dir, 0, 5678, "/tmp/x"), ERR_BUSY);

    statelock_release(&a);
    cr_assert_eq(statelock_take(&b, dir, 0, 5678, "/tmp/x"), 0, "free once released");
    cr_assert_not(b.busy);
    text = lock_text();
    cr_assert_str_eq(text, "5678\n/tmp/x\n");
    free(text);
    statelock_release(&b);
    statelock_release(&b); /* harmless twice */
}

Test(statelock, stale_content_left_by_a_killed_holder_blocks_nobody)
{
    struct statelock held, sl;
    int ready[2];
    char c;

    /* a real holder in another process, killed with SIGKILL */
    cr_assert_eq(pipe(ready), 0);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        close(ready[0]);
        if (statelock_take(&held, dir, 0, (long)getpid(), "/run/child.sock") == 0)
            (void)!write(ready[1], "k", 1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    cr_assert_eq(read(ready[0], &c, 1), 1, "the child took the lock");
    close(ready[0]);
    cr_assert_eq(statelock_take(&sl, dir, 0, 42, "/run/me.sock"), ERR_BUSY);
    cr_assert_eq(sl.owner_pid, (long)child, "names the other process: %ld", sl.owner_pid);
    cr_assert_str_eq(sl.owner_endpoint, "/run/child.sock");
    kill(child, SIGKILL);
    cr_assert_eq(waitpid(child, NULL, 0), child);

    char *text = lock_text();
    cr_assert(strstr(text, "/run/child.sock"), "the dead holder's text is still there: %s", text);
    free(text);
    cr_assert_eq(statelock_take(&sl, dir, 0, 42, "/run/me.sock"), 0, "the OS dropped its lock");
    text = lock_text();
    cr_assert_str_eq(text, "42\n/run/me.sock\n", "stale text replaced, nothing of it left");
    free(text);
    statelock_release(&sl);

    /* longer stale text written by hand, no holder at all */
    const char *stale = "99999\n/a/much/longer/endpoint/than/ours/svcd.sock\ngarbage\n";
    cr_assert_eq(tmpdir_write(dir, STATELOCK_FILE, stale, strlen(stale)), 0);
    cr_assert_eq(statelock_take(&sl, dir, 0, 43, "/s"), 0);
    text = lock_text();
    cr_assert_str_eq(text, "43\n/s\n");
    free(text);
    statelock_release(&sl);
}

Test(statelock, a_holder_that_has_not_written_yet_is_still_a_holder)
{
    struct statelock a, b;
    char msg[STATELOCK_TEXT_MAX + 2 * PATHS_MAX];

    cr_assert_eq(statelock_take(&a, dir, 0, 1234, "/run/a.sock"), 0);
    cr_assert_eq(truncate(lockpath, 0), 0); /* as between its truncate and its write */
    cr_assert_eq(statelock_take(&b, dir, 0, 5678, "/tmp/x"), ERR_BUSY);
    cr_assert_eq(b.owner_pid, 0);
    statelock_explain(&b, dir, ERR_BUSY, msg, sizeof(msg));
    cr_assert(strstr(msg, "is in use by another svcd (starting: it has not written its pid to "),
              "%s", msg);
    statelock_release(&a);
}

Test(statelock, the_directory_is_made_private_when_missing)
{
    struct statelock sl;
    char sub[320];
    struct stat st;

    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    cr_assert_eq(statelock_take(&sl, sub, 0, 1, "/e"), 0);
    cr_assert_eq(stat(sub, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700);
    statelock_release(&sl);
}

Test(statelock, an_existing_file_open_to_others_is_made_owner_only)
{
    struct statelock sl;
    struct stat st;

    cr_assert_eq(tmpdir_write(dir, STATELOCK_FILE, "", 0), 0);
    cr_assert_eq(chmod(lockpath, 0666), 0);
    cr_assert_eq(statelock_take(&sl, dir, 0, 1, "/e"), 0);
    cr_assert_eq(stat(lockpath, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
    statelock_release(&sl);
}

/* Someone who can write the directory plants a name: svcd must neither
 * follow it nor write the pid into another file. */
Test(statelock, a_planted_link_fifo_or_hard_link_is_refused_and_left_alone)
{
    struct statelock sl;
    char target[320], msg[STATELOCK_TEXT_MAX + 2 * PATHS_MAX];
    size_t len;

    snprintf(target, sizeof(target), "%s/precious", dir);
    cr_assert_eq(tmpdir_write(dir, "precious", "keep me\n", 8), 0);

    cr_assert_eq(symlink(target, lockpath), 0);
    cr_assert_eq(statelock_take(&sl, dir, 0, 1, "/e"), ERR_UNTRUSTED);
    cr_assert_not(sl.busy);
    statelock_explain(&sl, dir, ERR_UNTRUSTED, msg, sizeof(msg));
    cr_assert(strstr(msg, "cannot lock the state directory ") && strstr(msg, "is a link"), "%s",
              msg);
    char *text = tmpdir_read(dir, "precious", &len);
    cr_assert_str_eq(text, "keep me\n");
    free(text);
    cr_assert_eq(unlink(lockpath), 0);

    /* a dangling link would otherwise create the file it names */
    snprintf(target, sizeof(target), "%s/created-through-link", dir);
    cr_assert_eq(symlink(target, lockpath), 0);
    cr_assert_eq(statelock_take(&sl, dir, 0, 1, "/e"), ERR_UNTRUSTED);
    cr_assert_eq(access(target, F_OK), -1, "nothing created through the link");
    cr_assert_eq(unlink(lockpath), 0);

    snprintf(target, sizeof(target), "%s/precious", dir);
    cr_assert_eq(link(target, lockpath), 0);
    cr_assert_eq(statelock_take(&sl, dir, 0, 1, "/e"), ERR_UNTRUSTED);
    text = tmpdir_read(dir, "precious", &len);
    cr_assert_str_eq(text, "keep me\n", "a hard link's other name is untouched");
    free(text);
    cr_assert_eq(unlink(lockpath), 0);

    cr_assert_eq(mkfifo(lockpath, 0600), 0);
    cr_assert_eq(statelock_take(&sl, dir, 0, 1, "/e"), ERR_UNTRUSTED, "a FIFO: refused, no hang");
    cr_assert_eq(unlink(lockpath), 0);

    cr_assert_eq(mkdir(lockpath, 0700), 0);
    cr_assert_eq(statelock_take(&sl, dir, 0, 1, "/e"), ERR_UNTRUSTED, "a folder: refused");
    cr_assert_eq(rmdir(lockpath), 0);

    cr_assert_eq(statelock_take(&sl, dir, 0, 1, "/e"), 0, "and a plain file is made again");
    statelock_release(&sl);
}

Test(statelock, a_directory_that_cannot_be_made_is_a_log_error)
{
    struct statelock sl;
    char sub[320], msg[STATELOCK_TEXT_MAX + 2 * PATHS_MAX], want[800];

    cr_assert_eq(tmpdir_write(dir, "file", "x", 1), 0);
    snprintf(sub, sizeof(sub), "%s/file/state", dir);
    int rc = statelock_take(&sl, sub, 0, 1, "/e");
    cr_assert_lt(rc, 0);
    cr_assert_eq(sl.error, rc);
    cr_assert_not(sl.busy);
    statelock_explain(&sl, sub, rc, msg, sizeof(msg));
    /* Found before anything is made: a file where a folder must be. */
    snprintf(want, sizeof(want),
             "refusing the state directory %s: %s/file is not a directory; choose another "
             "--state-dir",
             sub, dir);
    cr_assert_str_eq(msg, want);
}

/* A full disk (here: a file size limit of 1 byte) must not stop svcd from
 * starting, nor let a second one in: the lock is held without its text. */
Test(statelock, a_lock_whose_text_cannot_be_written_still_holds)
{
    struct statelock held, sl;
    int ready[2];
    char c;

    cr_assert_eq(pipe(ready), 0);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        struct rlimit one = {1, 1};
        close(ready[0]);
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &one);
        c = statelock_take(&held, dir, 0, (long)getpid(), "/run/child.sock") == 0 &&
                    held.write_error == ERR_TOOBIG
                ? 'y'
                : 'n';
        (void)!write(ready[1], &c, 1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    cr_assert_eq(read(ready[0], &c, 1), 1);
    close(ready[0]);
    cr_expect_eq(c, 'y', "taken, with write_error ERR_TOOBIG");
    cr_expect_eq(statelock_take(&sl, dir, 0, 42, "/run/me.sock"), ERR_BUSY);
    cr_expect_eq(sl.owner_pid, 0, "a cut text names nobody");
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
}

/* A --state-dir whose parent another user made first: refused before
 * anything is made inside it. */
Test(statelock, nothing_is_made_inside_another_users_directory)
{
    struct statelock sl;
    char theirs[400], want[450];
    struct stat st;

    if (geteuid() != 0)
        cr_skip_test("needs root to give a directory to another uid");
    snprintf(theirs, sizeof(theirs), "%s/theirs", dir);
    snprintf(want, sizeof(want), "%s/state", theirs);
    cr_assert_eq(mkdir(theirs, 0755), 0);
    cr_assert_eq(chown(theirs, 54321, (gid_t)-1), 0);
    cr_assert_eq(statelock_take(&sl, want, 1, 42, "/run/me.sock"), ERR_UNTRUSTED);
    cr_assert_neq(stat(want, &st), 0, "no state directory was made in it");
}
