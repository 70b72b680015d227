/* Whose endpoint is it: with throw-away users, a victim and a squatter.
 * - root may use a user's own user-mode svcd, but not a squatter's;
 * - a user whose /tmp/svcd-<uid> another user made first is warned and
 *   served by the system svcd, and their own svcd says who holds the name;
 * - a root svcd never changes a directory it reaches through a symlink to
 *   another user's directory.
 * Needs root (skipped with the reason otherwise). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts.h"
#include "proc.h"
#include "tmpdir.h"

#define SYSTEM_SOCK "/run/svcd/svcd.sock"

static char dir[256], client_bin[300], svcd_bin[300];
static char u_victim[32], u_squat[32], g_svcd[32];
static char squat_dir[64]; /* /tmp/svcd-<victim uid> */
static pid_t pids[4];
static int npids, made_run_dir;

static void setup(void)
{
    char cmd[2048];

    accounts_require();
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(chmod(dir, 0755), 0, "the users must reach their directories here");
    accounts_name(g_svcd, sizeof(g_svcd), "svcdt-eg");
    accounts_name(u_victim, sizeof(u_victim), "svcdt-vi");
    accounts_name(u_squat, sizeof(u_squat), "svcdt-sq");
    accounts_group_add(g_svcd);
    accounts_user_add(u_victim, g_svcd);
    accounts_user_add(u_squat, NULL);
    snprintf(squat_dir, sizeof(squat_dir), "/tmp/svcd-%ld", accounts_uid(u_victim));
    snprintf(client_bin, sizeof(client_bin), "%s/svcclient", dir);
    snprintf(svcd_bin, sizeof(svcd_bin), "%s/svcd", dir);
    snprintf(cmd, sizeof(cmd), "cp %s %s && cp %s %s && chmod 0755 %s %s", SVCCLIENT_BIN,
             client_bin, SVCD_BIN, svcd_bin, client_bin, svcd_bin);
    cr_assert_eq(system(cmd), 0);
}

static void teardown(void)
{
    char cmd[128];

    for (int i = 0; i < npids; i++)
        proc_stop(pids[i], SIGTERM, 5000);
    npids = 0;
    if (made_run_dir)
        rmdir("/run/svcd");
    made_run_dir = 0;
    if (squat_dir[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf %s", squat_dir);
        cr_assert_eq(system(cmd), 0);
    }
    tmpdir_remove(dir);
    accounts_user_del(u_victim);
    accounts_user_del(u_squat);
    accounts_group_del(g_svcd);
}

TestSuite(endpoint_trust, .init = setup, .fini = teardown, .timeout = 120);

/* argv as `user` (NULL: root), at most 15 s, with env extras. */
static void run_as(const char *user, char *const argv[], char *const env[], struct proc_result *r)
{
    char *as[32], room[160];

    cr_assert_eq(proc_run(accounts_as(user, argv, as, 32, room, sizeof(room)), env, 15000, r), 0);
}

/* svcd in the background as `user`; waits until it listens on `sock`. */
static void start_as(const char *user, char *const argv[], char *const env[], const char *sock)
{
    char *as[32], room[160], log[320];

    snprintf(log, sizeof(log), "%s/svcd-%d.out", dir, npids);
    cr_assert_lt(npids, 4);
    pids[npids] = proc_spawn(accounts_as(user, argv, as, 32, room, sizeof(room)), env, log);
    cr_assert_gt(pids[npids], 0);
    npids++;
    cr_assert_eq(proc_wait_connect(sock, 5000), 0, "svcd as %s did not start on %s",
                 user ? user : "root", sock);
}

/* dir/name, made and given to `user`, mode 0700. */
static void user_dir(const char *user, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", dir, name);
    cr_assert_eq(mkdir(out, 0700), 0, "%s: %s", out, strerror(errno));
    cr_assert_eq(chown(out, (uid_t)accounts_uid(user), (gid_t)-1), 0);
}

/* A user-mode svcd run by `user` on `sock`, its state in `state`. */
static void start_user_svcd(const char *user, const char *sock, const char *state)
{
    char *argv[] = {svcd_bin,      "run",         "--endpoint", (char *)sock,
                    "--state-dir", (char *)state, NULL};
    start_as(user, argv, NULL, sock);
}

/* Another user makes /tmp/svcd-<victim uid> first and serves a svcd there. */
static void squat(char *sock, size_t n)
{
    char home[320], state[340];

    cr_assert_eq(mkdir(squat_dir, 0755), 0, "%s: %s (left over?)", squat_dir, strerror(errno));
    cr_assert_eq(chown(squat_dir, (uid_t)accounts_uid(u_squat), (gid_t)-1), 0);
    snprintf(sock, n, "%s/svcd.sock", squat_dir);
    user_dir(u_squat, "squat", home, sizeof(home));
    snprintf(state, sizeof(state), "%s/state", home);
    start_user_svcd(u_squat, sock, state);
}

Test(endpoint_trust, root_may_use_a_users_own_svcd)
{
    char home[320], sock[340], state[340];
    struct proc_result r;

    user_dir(u_victim, "victim", home, sizeof(home));
    snprintf(sock, sizeof(sock), "%s/run/svcd.sock", home);
    snprintf(state, sizeof(state), "%s/state", home);
    start_user_svcd(u_victim, sock, state);

    char *status[] = {client_bin, "--endpoint", sock, "status", NULL};
    run_as(NULL, status, NULL, &r);
    cr_assert_eq(r.exit_code, 0,
                 "docs/security.md: a user-mode svcd serves that user (and root): %s", r.err);
    char *pause[] = {client_bin, "--endpoint", sock, "pause", NULL};
    run_as(NULL, pause, NULL, &r);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
}

Test(endpoint_trust, root_refuses_a_squatter_on_a_users_endpoint)
{
    char sock[128], want[512];
    struct proc_result r;

    squat(sock, sizeof(sock));
    char *status[] = {client_bin, "--endpoint", sock, "status", NULL};
    run_as(NULL, status, NULL, &r);
    cr_assert_eq(r.exit_code, 3, "%s", r.err);
    snprintf(want, sizeof(want),
             "svcclient: cannot reach svcd at %s (served by an unexpected owner): refusing to "
             "talk to it: the endpoint is not served by the svcd service but by %s (uid %ld, pid ",
             sock, u_squat, accounts_uid(u_squat));
    cr_assert(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
}

Test(endpoint_trust, a_squatted_user_endpoint_is_passed_over_for_the_system_one)
{
    char sock[128], want[512], state[320];
    struct proc_result r;
    struct stat st;
    int have_system = 0;

    squat(sock, sizeof(sock));
    /* The system svcd, when none runs here already: the victim may read. */
    if (lstat(SYSTEM_SOCK, &st) != 0) {
        char *argv[] = {svcd_bin, "run", "--state-dir", state, "--control-group", g_svcd, NULL};
        made_run_dir = lstat("/run/svcd", &st) != 0;
        snprintf(state, sizeof(state), "%s/system-state", dir);
        start_as(NULL, argv, NULL, SYSTEM_SOCK);
        have_system = 1;
    }

    char *status[] = {client_bin, "status", NULL};
    char *env[] = {"XDG_RUNTIME_DIR=", "SVCD_ENDPOINT=", NULL};
    /* The squatter's socket is 0600: the victim cannot even connect. */
    run_as(u_victim, status, env, &r);
    snprintf(want, sizeof(want),
             "svcclient: warning: not using %s: permission denied, so it is not yours (another "
             "user may hold its directory); trying " SYSTEM_SOCK "\n",
             sock);
    cr_assert(strncmp(r.err, want, strlen(want)) == 0, "the victim is told: %s", r.err);
    if (have_system)
        cr_assert_eq(r.exit_code, 0, "the system svcd serves the victim: %s", r.err);

    /* Open to all, as a squatter would make it: served by the wrong user. */
    cr_assert_eq(chmod(sock, 0666), 0);
    run_as(u_victim, status, env, &r);
    snprintf(want, sizeof(want),
             "svcclient: warning: not using %s: it is served by %s (uid %ld, pid ", sock, u_squat,
             accounts_uid(u_squat));
    cr_assert(strncmp(r.err, want, strlen(want)) == 0, "the victim is told: %s", r.err);
    cr_assert(strstr(r.err, "not by you or root (another user may hold the name to catch your "
                            "requests); trying " SYSTEM_SOCK "\n"),
              "%s", r.err);
    if (have_system) {
        cr_assert_eq(r.exit_code, 0, "the system svcd serves the victim: %s", r.err);
        cr_assert(strstr(r.out, SYSTEM_SOCK), "%s", r.out);
    } else {
        cr_log_info("a system svcd of someone else's runs on %s: only the fallback is checked",
                    SYSTEM_SOCK);
        cr_assert(strstr(r.err, "nor at " SYSTEM_SOCK), "%s", r.err);
    }
}

Test(endpoint_trust, a_users_svcd_names_who_squats_its_directory)
{
    char sock[128], home[320], state[340], want[512];
    struct proc_result r;

    squat(sock, sizeof(sock));
    user_dir(u_victim, "victim", home, sizeof(home));
    snprintf(state, sizeof(state), "%s/state", home);
    char *argv[] = {svcd_bin, "run", "--state-dir", state, NULL};
    char *env[] = {"XDG_RUNTIME_DIR=", NULL};
    run_as(u_victim, argv, env, &r);
    cr_assert_eq(r.exit_code, 1, "%s", r.err);
    snprintf(want, sizeof(want),
             "cannot listen on %s: the directory %s belongs to %s (uid %ld), not to you (uid "
             "%ld) or root: another user may have made it to catch your clients; ask an "
             "administrator to remove it, or point XDG_RUNTIME_DIR or --endpoint at a directory "
             "of your own",
             sock, squat_dir, u_squat, accounts_uid(u_squat), accounts_uid(u_victim));
    cr_assert(strstr(r.err, want), "%s", r.err);
}

/* --endpoint dir/link/... where link -> a victim's empty directory. */
static void check_link_untouched(const char *below)
{
    char victim[320], link[320], sock[400], state[320], want[2048];
    struct proc_result r;
    struct stat st;

    user_dir(u_victim, "victim", victim, sizeof(victim));
    snprintf(link, sizeof(link), "%s/link", dir);
    cr_assert_eq(symlink(victim, link), 0);
    snprintf(sock, sizeof(sock), "%s%s/svcd.sock", link, below);
    snprintf(state, sizeof(state), "%s/state", dir);
    char *argv[] = {svcd_bin,          "run",  "--endpoint", sock, "--state-dir", state,
                    "--control-group", g_svcd, NULL};
    run_as(NULL, argv, NULL, &r);
    cr_assert_eq(r.exit_code, 1, "a root svcd must not serve from another user's directory: %s",
                 r.err);
    snprintf(want, sizeof(want),
             "cannot listen on %s: the directory %s (a link to %s) belongs to %s (uid %ld), not "
             "to root: that user could replace the endpoint, so svcd changes nothing there; use "
             "an --endpoint in a directory of root's",
             sock, link, victim, u_victim, accounts_uid(u_victim));
    cr_assert(strstr(r.err, want), "%s", r.err);
    cr_assert_eq(stat(victim, &st), 0);
    cr_assert_eq((long)st.st_uid, accounts_uid(u_victim), "the victim's directory was chowned");
    cr_assert_eq(st.st_mode & 07777, 0700, "its mode was changed to %o",
                 (unsigned)(st.st_mode & 07777));
    char inside[400];
    snprintf(inside, sizeof(inside), "%s%s", victim, below[0] ? below : "/svcd.sock");
    cr_assert_neq(lstat(inside, &st), 0, "%s was created in the victim's directory", inside);
}

Test(endpoint_trust, a_root_svcd_leaves_a_linked_users_directory_alone)
{
    check_link_untouched("");
}

Test(endpoint_trust, a_root_svcd_creates_nothing_below_a_linked_users_directory)
{
    check_link_untouched("/sub");
}
