/* The state directory as a hostile local user sees it (issue 13, case 6):
 * a directory another user made first, one anybody may write to, links
 * planted under svcd.log or a rotated name, and a user-mode svcd with no
 * HOME and no passwd entry. The real svcd and svcclient binaries. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts.h"
#include "proc.h"
#include "tmpdir.h"

static char dir[256], state[320], sock[320], victim[320], svcd_log[320];
static char user[40];
static pid_t svcd_pid = -1;

#define VICTIM_TEXT "the victim's own content\n"

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(sock, sizeof(sock), "%s/svcd.sock", dir);
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    snprintf(svcd_log, sizeof(svcd_log), "%s/svcd.out", dir);
    cr_assert_eq(tmpdir_write(dir, "victim", VICTIM_TEXT, strlen(VICTIM_TEXT)), 0);
}

static void teardown(void)
{
    if (svcd_pid > 0)
        proc_stop(svcd_pid, SIGTERM, 5000);
    svcd_pid = -1;
    accounts_user_del(user);
    tmpdir_remove(dir);
}

TestSuite(statedir, .init = setup, .fini = teardown, .timeout = 120);

/* svcd run on `state`, to its end (it is expected to refuse). */
static void run_svcd(struct proc_result *r)
{
    char *argv[] = {SVCD_BIN, "run", "--endpoint", sock, "--state-dir", state, NULL};

    cr_assert_eq(proc_run(argv, NULL, 10000, r), 0);
}

static void start_svcd(void)
{
    char *argv[] = {SVCD_BIN, "run",        "--endpoint", sock, "--state-dir",
                    state,    "--interval", "100ms",      NULL};

    svcd_pid = proc_spawn(argv, NULL, svcd_log);
    cr_assert_gt(svcd_pid, 0);
    cr_assert_eq(proc_wait_connect(sock, 5000), 0, "svcd did not start: see %s", svcd_log);
}

static void client(struct proc_result *r, const char *a1, const char *a2, const char *a3,
                   const char *a4)
{
    char *argv[] = {SVCCLIENT_BIN, "--endpoint", sock,       (char *)a1,
                    (char *)a2,    (char *)a3,   (char *)a4, NULL};

    cr_assert_eq(proc_run(argv, NULL, 10000, r), 0);
}

static void assert_victim_untouched(void)
{
    size_t len = 0;
    char *text = tmpdir_read(dir, "victim", &len);

    cr_assert_not_null(text);
    cr_assert_str_eq(text, VICTIM_TEXT, "the file the link points to was written: '%s'", text);
    free(text);
}

static void plant_log_link(void)
{
    char link[400];

    snprintf(link, sizeof(link), "%s/svcd.log", state);
    cr_assert_eq(symlink(victim, link), 0);
}

/* /tmp/x made first by another user, with svcd.log -> a root file: a root
 * svcd refuses the directory, names its owner and the fix, and has
 * written nothing in it nor through the link. */
Test(statedir, a_directory_another_user_made_first_is_refused_naming_its_owner)
{
    struct proc_result r;
    char lock[400];
    struct stat st;

    accounts_require();
    accounts_name(user, sizeof(user), "svcdt-sq");
    accounts_user_add(user, NULL);
    cr_assert_eq(mkdir(state, 0777), 0);
    cr_assert_eq(chmod(state, 0777), 0);
    cr_assert_eq(chown(state, (uid_t)accounts_uid(user), (gid_t)-1), 0);
    plant_log_link();
    run_svcd(&r);
    cr_assert_neq(r.exit_code, 0, "svcd ran in another user's directory: %s", r.err);
    cr_assert(strstr(r.err, "refusing the state directory"), "unclear error: %s", r.err);
    cr_assert(strstr(r.err, state), "the path is not named: %s", r.err);
    cr_assert(strstr(r.err, user), "the owner is not named: %s", r.err);
    cr_assert(strstr(r.err, "--state-dir"), "no way out is given: %s", r.err);
    assert_victim_untouched();
    snprintf(lock, sizeof(lock), "%s/svcd.lock", state);
    cr_assert_neq(lstat(lock, &st), 0, "svcd made a file in the refused directory");
}

/* A directory of root's that anybody may write to (0777, not sticky) is
 * refused with the chmod that fixes it; sticky and ours (like /tmp) is
 * fine, as for the endpoint's directory. */
Test(statedir, a_world_writable_directory_is_refused_and_a_sticky_one_accepted)
{
    struct proc_result r;

    accounts_require();
    cr_assert_eq(mkdir(state, 0700), 0);
    cr_assert_eq(chmod(state, 0777), 0);
    run_svcd(&r);
    cr_assert_neq(r.exit_code, 0, "svcd ran in a world-writable directory: %s", r.err);
    cr_assert(strstr(r.err, "refusing the state directory"), "unclear error: %s", r.err);
    cr_assert(strstr(r.err, "writable by others"), "the fault is not named: %s", r.err);
    cr_assert(strstr(r.err, "chmod go-w"), "no fix is given: %s", r.err);
    cr_assert_eq(chmod(state, 01777), 0);
    start_svcd();
    cr_assert_eq(proc_stop(svcd_pid, SIGTERM, 5000), 0);
    svcd_pid = -1;
}

/* In a directory of root's, svcd.log -> another file: svcd never writes
 * through it and says what to do. */
Test(statedir, a_link_planted_as_svcd_log_is_refused_and_its_target_untouched)
{
    struct proc_result r;

    cr_assert_eq(mkdir(state, 0700), 0);
    plant_log_link();
    run_svcd(&r);
    cr_assert_neq(r.exit_code, 0, "svcd started on a linked svcd.log: %s", r.err);
    cr_assert(strstr(r.err, "symbolic link"), "unclear error: %s", r.err);
    cr_assert(strstr(r.err, "remove it"), "no fix is given: %s", r.err);
    assert_victim_untouched();
}

/* A link under a rotated name, to a file of forged entries: readers never
 * serve it, and svcd's log says so (once). */
Test(statedir, a_link_under_a_rotated_name_is_not_served_to_readers)
{
    static const char forged[] =
        "{\"seq\":1,\"time\":\"2026-01-01T00:00:00.000000Z\",\"level\":\"notice\","
        "\"source\":\"audit\",\"msg\":\"FORGED pause by root: granted\"}\n";
    struct proc_result r;
    char link[400], target[400];
    int said = 0;

    cr_assert_eq(mkdir(state, 0700), 0);
    cr_assert_eq(tmpdir_write(dir, "forged", forged, strlen(forged)), 0);
    snprintf(target, sizeof(target), "%s/forged", dir);
    snprintf(link, sizeof(link), "%s/svcd.log.000000000001", state);
    cr_assert_eq(symlink(target, link), 0);
    start_svcd();
    client(&r, "logs", "--tail", "all", "--json");
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "started (pid"), "the log itself is served: %s", r.out);
    cr_assert_null(strstr(r.out, "FORGED"), "a linked file was served: %s", r.out);
    /* The warning goes in at svcd's next path check (once a second). */
    for (int i = 0; i < 100 && !said; i++) {
        client(&r, "logs", "--tail", "all", NULL);
        said = strstr(r.out, "is a symbolic link or not a regular file") != NULL;
        if (!said)
            usleep(100000);
    }
    cr_assert(said, "svcd's log does not say what it skipped: %s", r.out);
    cr_assert(strstr(r.out, link), "the link is not named: %s", r.out);
    char *once = strstr(r.out, "is a symbolic link or not a regular file");
    cr_assert_null(strstr(once + 1, "is a symbolic link or not a regular file"), "said twice");
}

/* A uid with no passwd entry free above `from`. */
static long unused_uid(long from)
{
    for (long uid = from; uid < from + 1000; uid++)
        if (getpwuid((uid_t)uid) == NULL)
            return uid;
    cr_skip_test("no unused uid from %ld", from);
    return -1;
}

static void remove_tree(const char *path)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    cr_assert_eq(system(cmd), 0);
}

/* HOME unset and no passwd entry (a container's or setpriv's uid): user
 * mode must not fall back to /tmp/.local/state, which anyone may make
 * first, but to the user's own /tmp/svcd-<uid>/state, made 0700. */
Test(statedir, user_mode_without_home_or_passwd_entry_uses_tmp_svcd_uid_state)
{
    char bin[400], top[64], want[128], reuid[32], regid[32], cmd[900];
    struct stat st;
    long uid;

    accounts_require();
    uid = unused_uid(61000);
    snprintf(top, sizeof(top), "/tmp/svcd-%ld", uid);
    snprintf(want, sizeof(want), "%s/state", top);
    remove_tree(top);
    /* The binary where an unknown uid may run it. */
    cr_assert_eq(chmod(dir, 0755), 0);
    snprintf(bin, sizeof(bin), "%s/svcd", dir);
    snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 0755 %s", SVCD_BIN, bin, bin);
    cr_assert_eq(system(cmd), 0);
    snprintf(reuid, sizeof(reuid), "--reuid=%ld", uid);
    snprintf(regid, sizeof(regid), "--regid=%ld", uid);
    char *argv[] = {"/usr/bin/setpriv",
                    reuid,
                    regid,
                    "--clear-groups",
                    "/usr/bin/env",
                    "-u",
                    "HOME",
                    "-u",
                    "XDG_STATE_HOME",
                    "-u",
                    "XDG_RUNTIME_DIR",
                    bin,
                    "run",
                    "--interval",
                    "100ms",
                    NULL};
    char endpoint[128], log[160];
    snprintf(endpoint, sizeof(endpoint), "%s/svcd.sock", top);
    snprintf(log, sizeof(log), "%s/svcd.log", want);
    svcd_pid = proc_spawn(argv, NULL, svcd_log);
    cr_assert_gt(svcd_pid, 0);
    int up = proc_wait_path(log, 5000);
    size_t len = 0;
    char *out = tmpdir_read(dir, "svcd.out", &len);
    proc_stop(svcd_pid, SIGTERM, 5000);
    svcd_pid = -1;
    int in_want = stat(want, &st) == 0;
    struct stat dot;
    remove_tree(top);
    if (lstat("/tmp/.local", &dot) == 0 && dot.st_uid == (uid_t)uid)
        remove_tree("/tmp/.local"); /* where the old code put it */
    cr_assert_eq(up, 0, "no log in %s: %s", want, out ? out : "");
    free(out);
    cr_assert(in_want);
    cr_assert_eq(st.st_uid, (uid_t)uid, "%s is not the user's", want);
    cr_assert_eq(st.st_mode & 07777, 0700, "%s is not private: %o", want, st.st_mode & 07777);
}
