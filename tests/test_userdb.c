/* Name-service lookups are cached per uid (idcache.c, userdb_posix.c): the
 * pure cache's lifetimes, bounds and failures with a fake lookup and clock
 * (inline and asynchronous), then the real server loop answering 100
 * connections of one throw-away user with one lookup, a new lookup once the
 * lifetime is over, and a name service that hangs or fails: lookups run
 * off the loop (another client is answered meanwhile), a user whose groups
 * do not come is refused "try again" (never granted), and a failed lookup
 * keeps the good answer. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accounts.h"
#include "authz.h"
#include "err.h"
#include "fs.h"
#include "idcache.h"
#include "raw.h"
#include "server.h"
#include "svc.h"
#include "tmpdir.h"
#include "userdb.h"

/* --- the cache alone ----------------------------------------------------- */

/* getpwuid_r answers ERANGE for a buffer smaller than this (0: never), as
 * for an entry with a long gecos or a directory's big record. */
static size_t erange_below;
/* getgrnam_r fails with this (0: never), as a group database that cannot
 * be asked does. */
static int grnam_error;

static unsigned fake_calls[1000];
static int fake_down; /* the database cannot be asked: lookups fail */

/* uids below 500 exist, named u<uid>, in group 100 + uid; others do not. */
static int fake_lookup(void *ctx, long uid, struct idcache_user *u)
{
    (void)ctx;
    fake_calls[uid]++;
    if (fake_down) {
        u->found = 1; /* what a failed lookup leaves must not count */
        snprintf(u->name, sizeof(u->name), "garbage");
        return -5;
    }
    if (uid >= 500)
        return 0;
    u->found = 1;
    snprintf(u->name, sizeof(u->name), "u%ld", uid);
    u->gids[0] = 100 + uid;
    u->ngids = 1;
    return 0;
}

static struct idcache c;
static long fake_asked[16];
static size_t fake_nasked;

/* The async request: only noted (the test answers with idcache_put). */
static int fake_request(void *ctx, long uid)
{
    (void)ctx;
    if (fake_nasked == sizeof(fake_asked) / sizeof(fake_asked[0]))
        return -12;
    fake_asked[fake_nasked++] = uid;
    return 0;
}

static void cache_setup(void)
{
    memset(fake_calls, 0, sizeof(fake_calls));
    fake_down = 0;
    fake_nasked = 0;
    idcache_init(&c, 60, 5, fake_lookup, NULL);
}

TestSuite(idcache, .init = cache_setup);

Test(idcache, a_found_user_is_looked_up_once_per_lifetime)
{
    for (uint64_t t = 1000; t < 1060; t++) {
        const struct idcache_user *u = idcache_get(&c, 7, t);
        cr_assert(u->found);
        cr_assert_str_eq(u->name, "u7");
        cr_assert_eq(u->gids[0], 107);
    }
    cr_assert_eq(fake_calls[7], 1);
    idcache_get(&c, 7, 1060); /* the lifetime is over: asked again */
    cr_assert_eq(fake_calls[7], 2);
    cr_assert_eq(c.lookups, 2);
}

Test(idcache, an_unknown_uid_is_asked_again_sooner)
{
    cr_assert_eq(idcache_get(&c, 600, 1000)->found, 0);
    cr_assert_eq(idcache_get(&c, 600, 1004)->found, 0);
    cr_assert_eq(fake_calls[600], 1);
    idcache_get(&c, 600, 1005);
    cr_assert_eq(fake_calls[600], 2);
}

Test(idcache, uids_do_not_share_an_answer)
{
    cr_assert_str_eq(idcache_get(&c, 1, 0)->name, "u1");
    cr_assert_str_eq(idcache_get(&c, 2, 0)->name, "u2");
    cr_assert_str_eq(idcache_get(&c, 1, 0)->name, "u1");
    cr_assert_eq(fake_calls[1], 1);
    cr_assert_eq(fake_calls[2], 1);
}

Test(idcache, it_stays_bounded_and_gives_up_what_expires_first)
{
    /* uid 0 first, at t=0 (expires at 60); then more uids than slots, each
     * later, so uid 0's entry is the first to go */
    idcache_get(&c, 0, 0);
    for (long uid = 1; uid < IDCACHE_SLOTS; uid++)
        idcache_get(&c, uid, (uint64_t)uid % 10 + 10);
    idcache_get(&c, 0, 20);
    cr_assert_eq(fake_calls[0], 1, "still held: the cache has room for all of them");
    idcache_get(&c, 400, 20); /* one more than fits: evicts the earliest expiry, uid 0 */
    cr_assert_eq(fake_calls[400], 1);
    idcache_get(&c, 0, 21);
    cr_assert_eq(fake_calls[0], 2, "evicted, so looked up again");
    for (long uid = 1; uid < 300; uid++)
        idcache_get(&c, uid, 30);
    size_t used = 0;
    for (size_t i = 0; i < IDCACHE_SLOTS; i++)
        used += c.slots[i].used;
    cr_assert_eq(used, IDCACHE_SLOTS);
}

Test(idcache, an_expired_entry_is_given_up_before_a_live_one)
{
    for (long uid = 0; uid < IDCACHE_SLOTS; uid++)
        idcache_get(&c, uid, uid == 5 ? 0 : 100); /* uid 5 expires at 60, the rest at 160 */
    idcache_get(&c, 450, 120);
    idcache_get(&c, 6, 120);
    cr_assert_eq(fake_calls[6], 1, "a live entry was kept");
    idcache_get(&c, 5, 120);
    cr_assert_eq(fake_calls[5], 2, "the expired one made room");
}

Test(idcache, clear_forgets_everything)
{
    idcache_get(&c, 3, 0);
    idcache_clear(&c);
    idcache_get(&c, 3, 1);
    cr_assert_eq(fake_calls[3], 2);
}

Test(idcache, a_failed_lookup_keeps_the_good_answer_and_is_retried_soon)
{
    cr_assert_str_eq(idcache_get(&c, 7, 0)->name, "u7");
    fake_down = 1;
    const struct idcache_user *u = idcache_get(&c, 7, 60); /* expired: asked, and it fails */
    cr_assert_eq(fake_calls[7], 2);
    cr_assert(u->found, "a failed lookup replaced the good answer");
    cr_assert_not(u->unknown);
    cr_assert_str_eq(u->name, "u7");
    cr_assert_eq(u->ngids, 1);
    cr_assert_eq(u->gids[0], 107);
    idcache_get(&c, 7, 64);
    cr_assert_eq(fake_calls[7], 2, "within the short lifetime the old answer is served");
    fake_down = 0;
    idcache_get(&c, 7, 65);
    cr_assert_eq(fake_calls[7], 3, "asked again after the short lifetime, not the long one");
    cr_assert_eq(c.failures, 1);
}

Test(idcache, a_failed_first_lookup_is_unknown_not_an_answer)
{
    fake_down = 1;
    const struct idcache_user *u = idcache_get(&c, 8, 0);
    cr_assert_not(u->found);
    cr_assert(u->unknown, "a lookup that could not ask the database is not \"no such user\"");
    cr_assert_str_eq(u->name, "");
    fake_down = 0;
    u = idcache_get(&c, 600, 0);
    cr_assert_not(u->found);
    cr_assert_not(u->unknown, "no entry is an answer");
}

Test(idcache, async_a_miss_only_asks_and_the_answer_comes_later)
{
    struct idcache_user ans = {.found = 1, .name = "u9", .gids = {109}, .ngids = 1};

    idcache_set_async(&c, fake_request, NULL);
    const struct idcache_user *u = idcache_get(&c, 9, 0);
    cr_assert_eq(fake_calls[9], 0, "the lookup ran on the caller's thread");
    cr_assert_eq(fake_nasked, 1);
    cr_assert(u->unknown && u->pending && !u->found);
    u = idcache_get(&c, 9, 10);
    cr_assert_eq(fake_nasked, 1, "asked again while the request is young");
    cr_assert(u->pending);
    u = idcache_get(&c, 9, IDCACHE_WAIT_US);
    cr_assert_not(u->pending, "past IDCACHE_WAIT_US it is not worth waiting for");
    cr_assert(u->unknown);
    cr_assert_eq(fake_nasked, 2, "asked again, once per IDCACHE_WAIT_US");
    u = idcache_get(&c, 9, IDCACHE_WAIT_US + 10);
    cr_assert_not(u->pending, "a repeated ask does not make it worth waiting again");
    cr_assert_eq(fake_nasked, 2);
    idcache_put(&c, 9, 0, &ans, IDCACHE_WAIT_US + 20);
    u = idcache_get(&c, 9, IDCACHE_WAIT_US + 30);
    cr_assert(u->found && !u->unknown && !u->pending);
    cr_assert_str_eq(u->name, "u9");
    cr_assert_eq(fake_nasked, 2);
}

Test(idcache, async_an_expired_answer_is_served_while_asking_and_kept_on_failure)
{
    struct idcache_user ans = {.found = 1, .name = "u9", .gids = {109}, .ngids = 1}, junk = {0};

    idcache_set_async(&c, fake_request, NULL);
    idcache_get(&c, 9, 0);
    idcache_put(&c, 9, 0, &ans, 0);
    const struct idcache_user *u = idcache_get(&c, 9, 60); /* expired */
    cr_assert_eq(fake_nasked, 2);
    cr_assert(u->found && u->pending, "the expired answer is served, the fresh one awaited");
    cr_assert_str_eq(u->name, "u9");
    idcache_put(&c, 9, -5, &junk, 61);
    u = idcache_get(&c, 9, 62);
    cr_assert(u->found && !u->pending && !u->unknown, "a failed lookup replaced the good answer");
    cr_assert_str_eq(u->name, "u9");
    cr_assert_eq(u->gids[0], 109);
    cr_assert_eq(fake_nasked, 2, "retried after the short lifetime only");
    idcache_get(&c, 9, 66);
    cr_assert_eq(fake_nasked, 3);
}

Test(idcache, a_failing_directory_keeps_a_good_answer_for_one_more_lifetime_only)
{
    cr_assert_str_eq(idcache_get(&c, 7, 0)->name, "u7");
    fake_down = 1;
    for (uint64_t t = 60; t < 120; t += 5)
        cr_assert(idcache_get(&c, 7, t)->found, "at %llu the good answer is kept",
                  (unsigned long long)t);
    const struct idcache_user *u = idcache_get(&c, 7, 119);
    cr_assert(u->found && u->gids[0] == 107);
    u = idcache_get(&c, 7, 120);
    cr_assert(u->unknown && !u->found,
              "two lifetimes after the last answer, failed lookups stop granting its groups");
    cr_assert_eq(u->ngids, 0);
    cr_assert_str_eq(u->name, "");
    fake_down = 0;
    u = idcache_get(&c, 7, 125);
    cr_assert(u->found && !u->unknown, "once the directory answers, the user is known again");
}

Test(idcache, async_a_hung_lookup_keeps_a_good_answer_for_one_more_lifetime_only)
{
    struct idcache_user ans = {.found = 1, .name = "u9", .gids = {109}, .ngids = 1};

    idcache_set_async(&c, fake_request, NULL);
    idcache_get(&c, 9, 0);
    idcache_put(&c, 9, 0, &ans, 0);
    cr_assert(idcache_get(&c, 9, 60)->found, "expired: asked again, the old answer served");
    const struct idcache_user *u = idcache_get(&c, 9, 119); /* the answer never comes */
    cr_assert(u->found && u->gids[0] == 109);
    u = idcache_get(&c, 9, 120);
    cr_assert(u->unknown && !u->found && u->ngids == 0,
              "a lookup that hangs does not keep granting the old groups forever");
    idcache_put(&c, 9, 0, &ans, 130);
    u = idcache_get(&c, 9, 131);
    cr_assert(u->found && !u->unknown && u->gids[0] == 109);
}

Test(idcache, an_entry_bigger_than_the_first_buffer_is_an_answer_not_an_outage)
{
    struct idcache_user u;

    erange_below = 200000;
    memset(&u, 0, sizeof(u));
    int rc = userdb_lookup_nss(NULL, 0, &u);
    erange_below = 0;
    cr_assert_eq(rc, 0, "ERANGE is retried with a bigger buffer, not taken for an outage");
    cr_assert(u.found);
    cr_assert_str_eq(u.name, "root");
}

Test(idcache, a_group_bigger_than_the_first_buffer_is_found_not_missing)
{
    long gid = -1;

    erange_below = 200000; /* a group with thousands of members */
    int rc = fs_group_id("root", &gid);
    erange_below = 0;
    cr_assert_eq(rc, 0, "ERANGE is retried with a bigger buffer, not \"no such group\"");
    cr_assert_eq(gid, 0);
    cr_assert_eq(fs_group_id("no-such-group-for-svcd", &gid), ERR_NOENT);
}

Test(idcache, a_group_database_that_cannot_be_asked_is_not_reported_as_a_missing_group)
{
    struct config cfg;
    struct authz *a = NULL;
    char err[AUTHZ_ERR_MAX] = "";

    config_defaults(&cfg, 1);
    snprintf(cfg.control_group, sizeof(cfg.control_group), "root");
    grnam_error = EIO;
    int rc = authz_open(&cfg, 1, &a, err, sizeof(err));
    grnam_error = 0;
    cr_assert_lt(rc, 0);
    cr_assert_null(strstr(err, "does not exist"), "an outage is not a missing group: %s", err);
    cr_assert(strstr(err, "cannot look up control_group 'root'") &&
                  strstr(err, "getent group root"),
              "%s", err);
    cr_assert_eq(authz_open(&cfg, 1, &a, err, sizeof(err)), 0, "%s", err);
    authz_close(a);
}

/* --- the real loop, one throw-away user ---------------------------------- */

static char dir[256], endpoint[320], user[40], group[40];
static uint64_t fake_now = 1000000;
static atomic_uint user_lookups;
static long user_uid = -2;
static struct svc s;
static struct authz *az;
static struct server sv;

/* Every call the service makes to the name service for the test's user,
 * counted below any seam: these wrap the C library's own functions, so
 * they count what any version of the code asks, cached or not. */
static atomic_uint nss_calls;

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t n, struct passwd **res)
{
    static int (*real)(uid_t, struct passwd *, char *, size_t, struct passwd **);

    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "getpwuid_r");
    if ((long)uid == user_uid)
        nss_calls++;
    if (n < erange_below) {
        *res = NULL;
        return ERANGE;
    }
    return real(uid, pw, buf, n, res);
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t n, struct group **res)
{
    static int (*real)(const char *, struct group *, char *, size_t, struct group **);

    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "getgrnam_r");
    if (n < erange_below) {
        *res = NULL;
        return ERANGE;
    }
    if (grnam_error) {
        *res = NULL;
        return grnam_error;
    }
    return real(name, gr, buf, n, res);
}

int getgrouplist(const char *name, gid_t primary, gid_t *groups, int *ngroups)
{
    static int (*real)(const char *, gid_t, gid_t *, int *);

    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "getgrouplist");
    if (strcmp(name, user) == 0)
        nss_calls++;
    return real(name, primary, groups, ngroups);
}

static uint64_t now_fake(void)
{
    return fake_now;
}

/* How the test's user's lookups behave (set before the loop serves):
 * `hang` makes them wait for a byte on hang_release (at most 20 s) after
 * writing one to hang_started; `fail` makes them fail as an unreachable
 * directory does. They run where the service runs them: the loop thread
 * on old code, the resolver thread now. */
static atomic_int hang, fail;
static atomic_uint user_lookups_done; /* lookups of the test's user that returned */
static int hang_started[2] = {-1, -1}, hang_release[2] = {-1, -1};

/* The real lookup, counted for the test's user. */
static int counting_lookup(void *ctx, long uid, struct idcache_user *u)
{
    if (uid != user_uid)
        return userdb_lookup_nss(ctx, uid, u);
    user_lookups++;
    if (atomic_load(&hang)) {
        struct pollfd p = {.fd = hang_release[0], .events = POLLIN};
        char b;
        /* no cr_assert here: this may be the resolver thread */
        if (write(hang_started[1], "s", 1) == 1 && poll(&p, 1, 20000) == 1 &&
            read(hang_release[0], &b, 1) != 1)
            return -5;
    }
    int rc = atomic_load(&fail) ? -5 /* ERR_IO: the directory could not be asked */
                                : userdb_lookup_nss(ctx, uid, u);
    user_lookups_done++;
    return rc;
}

static void loop_setup(void)
{
    struct config cfg;
    char err[AUTHZ_ERR_MAX];

    accounts_require();
    accounts_name(group, sizeof(group), "svcdt-ug");
    accounts_name(user, sizeof(user), "svcdt-uu");
    accounts_group_add(group);
    accounts_user_add(user, group);
    user_uid = accounts_uid(user);
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(chmod(dir, 0711), 0, "the user must reach the endpoint's directory");
    snprintf(endpoint, sizeof(endpoint), "%s/run/svcd.sock", dir);
    config_defaults(&cfg, 1);
    snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/state", dir);
    snprintf(cfg.endpoint, sizeof(cfg.endpoint), "%s", endpoint);
    snprintf(cfg.control_group, sizeof(cfg.control_group), "%s", group);
    cr_assert_eq(authz_open(&cfg, 1, &az, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(server_open(&sv, &s, az, endpoint, 1), 0);
    /* Anyone may reach the socket, so only authz_posix.c (and the groups it
     * is given) decides what the user may do. */
    snprintf(err, sizeof(err), "%s/run", dir);
    cr_assert_eq(chmod(err, 0755), 0);
    cr_assert_eq(chmod(endpoint, 0666), 0);
    cr_assert_eq(svc_start(&s, &cfg, 0), 0);
    cr_assert_eq(pipe(hang_started), 0);
    cr_assert_eq(pipe(hang_release), 0);
    atomic_store(&hang, 0);
    atomic_store(&fail, 0);
    user_lookups_done = 0;
    userdb_set_seam(counting_lookup, NULL, now_fake);
}

static void loop_teardown(void)
{
    atomic_store(&hang, 0);
    if (hang_release[1] >= 0) /* a lookup still hanging ends */
        cr_assert_eq(write(hang_release[1], "r", 1), 1);
    userdb_set_seam(NULL, NULL, NULL);
    if (az) {
        server_close(&sv);
        svc_finish(&s);
        authz_close(az);
        az = NULL;
    }
    if (dir[0])
        tmpdir_remove(dir);
    dir[0] = '\0';
    accounts_user_del(user);
    accounts_group_del(group);
}

/* What became of a child's requests: its exit status. */
enum {
    ALL_OK = 0,
    DENIED = 1,
    OTHER_RESULT = 2,
    NO_REPLY = 3,
    NO_CONNECT = 4,
    NOT_USER = 5,
    BUSY = 6,
    NO_START = 7
};

/* In a child running as the test's user: `n` connections one after the
 * other, each asking for status once. Exits with ALL_OK, or what went
 * wrong with the first request that failed. */
static void client_as_user(int n)
{
    struct passwd *pw = getpwnam(user);

    if (pw == NULL || initgroups(user, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
        setuid(pw->pw_uid) < 0)
        _exit(NOT_USER);
    for (int i = 0; i < n; i++) {
        Svcd__Request req = raw_status_req((uint64_t)i + 1);
        int fd = raw_connect(endpoint);
        if (fd < 0 || raw_send_req(fd, &req) < 0)
            _exit(NO_CONNECT);
        Svcd__Response *r = raw_recv_resp(fd, 10000);
        if (r == NULL)
            _exit(NO_REPLY);
        if (r->result == SVCD__RESULT__RESULT_BUSY)
            _exit(strstr(r->error, "try again") ? BUSY : OTHER_RESULT);
        if (r->result != SVCD__RESULT__RESULT_OK)
            _exit(r->result == SVCD__RESULT__RESULT_DENIED ? DENIED : OTHER_RESULT);
        svcd__response__free_unpacked(r, NULL);
        close(fd);
    }
    _exit(ALL_OK);
}

/* Serves until child `pid` exits; returns its exit status (-1: killed,
 * or still running after the rounds). */
static int serve_until_exit(pid_t pid)
{
    int status = 0;

    /* bounded by rounds, not time: each round waits at most 50 ms */
    for (int round = 0; round < 2000; round++) {
        server_run_once(&sv, 50);
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* Serves while a child makes `n` requests as the user; returns its exit. */
static int serve_user_requests(int n)
{
    pid_t pid = fork();

    cr_assert_geq(pid, 0);
    if (pid == 0)
        client_as_user(n);
    return serve_until_exit(pid);
}

/* A child, as root, that waits until the user's lookup has begun (a byte
 * on hang_started), then asks for status once, waiting 10 s at most for
 * the reply (the hung lookup lasts 20 s). */
static pid_t root_client_after_hang(void)
{
    pid_t pid = fork();

    cr_assert_geq(pid, 0);
    if (pid > 0)
        return pid;
    struct pollfd p = {.fd = hang_started[0], .events = POLLIN};
    Svcd__Request req = raw_status_req(1);
    if (poll(&p, 1, 30000) != 1)
        _exit(NO_START);
    int fd = raw_connect(endpoint);
    if (fd < 0 || raw_send_req(fd, &req) < 0)
        _exit(NO_CONNECT);
    Svcd__Response *r = raw_recv_resp(fd, 10000);
    _exit(r == NULL ? NO_REPLY : r->result == SVCD__RESULT__RESULT_OK ? ALL_OK : OTHER_RESULT);
}

TestSuite(userdb_loop, .init = loop_setup, .fini = loop_teardown, .timeout = 120);

Test(userdb_loop, one_lookup_answers_a_hundred_connections_of_one_user)
{
    int rc = serve_user_requests(100);

    cr_assert_eq(rc, ALL_OK, "the user's requests failed: %d", rc);
    cr_assert_eq(nss_calls, 2,
                 "%u name-service calls for 100 connections of one uid, not 2 (one getpwuid_r, one "
                 "getgrouplist)",
                 nss_calls);
    cr_assert_eq(user_lookups, 1, "%u lookups for 100 accepts and 100 requests of one uid",
                 user_lookups);
    /* within the lifetime: still the cached answer */
    fake_now += IDCACHE_TTL_US - 1;
    cr_assert_eq(serve_user_requests(1), 0);
    cr_assert_eq(user_lookups, 1);
    /* past it: asked again, so a group change is seen within the lifetime */
    fake_now += 1;
    cr_assert_eq(serve_user_requests(1), 0);
    cr_assert_eq(user_lookups, 2);
    cr_assert_eq(nss_calls, 4);
}

Test(userdb_loop, a_group_removal_takes_effect_once_the_lifetime_is_over)
{
    cr_assert_eq(serve_user_requests(1), ALL_OK, "a member of control_group reads status");
    char *argv[] = {"/usr/bin/gpasswd", "-d", user, group, NULL};
    cr_assert_eq(accounts_admin(argv), 0);
    cr_assert_eq(serve_user_requests(1), ALL_OK, "within the lifetime the cached groups hold");
    fake_now += IDCACHE_TTL_US;
    cr_assert_eq(serve_user_requests(1), DENIED, "then the removal is seen: status is denied");
}

Test(userdb_loop, a_hung_name_service_does_not_delay_another_clients_status)
{
    atomic_store(&hang, 1);
    pid_t root_child = root_client_after_hang();
    pid_t user_child = fork();
    cr_assert_geq(user_child, 0);
    if (user_child == 0)
        client_as_user(1);
    int rc = serve_until_exit(root_child);
    cr_assert_eq(rc, ALL_OK,
                 "root's status was not answered while the user's lookup hung (%d): the lookup "
                 "blocks the loop",
                 rc);
    cr_assert_eq(write(hang_release[1], "r", 1), 1);
    rc = serve_until_exit(user_child);
    cr_assert(rc == ALL_OK || rc == BUSY, "the user's request, once its lookup came: %d", rc);
}

Test(userdb_loop, groups_that_do_not_come_are_refused_try_again_never_granted)
{
    atomic_store(&hang, 1);
    cr_assert_eq(serve_user_requests(1), BUSY,
                 "a member whose groups the database did not tell in time is answered busy, "
                 "\"try again\"");
    atomic_store(&hang, 0);
    cr_assert_eq(write(hang_release[1], "r", 1), 1);
    cr_assert_eq(serve_user_requests(1), ALL_OK, "once the database answered, the member reads");
}

/* A member whose lookups start to fail or hang (`broken`, set to 1) keeps
 * its groups for one more lifetime, then is answered "try again": one
 * removed from control_group during an outage must not keep its rights for
 * as long as the outage lasts. */
static void old_groups_expire_while(atomic_int *broken)
{
    cr_assert_eq(serve_user_requests(1), ALL_OK);
    atomic_store(broken, 1);
    fake_now += IDCACHE_TTL_US;
    cr_assert_eq(serve_user_requests(1), ALL_OK, "within one more lifetime the old groups hold");
    fake_now += IDCACHE_TTL_US;
    cr_assert_eq(serve_user_requests(1), BUSY,
                 "two lifetimes after the last answer the member is answered \"try again\"");
}

Test(userdb_loop, a_directory_that_stays_down_stops_granting_the_old_groups)
{
    old_groups_expire_while(&fail);
    atomic_store(&fail, 0);
    fake_now += IDCACHE_NEG_TTL_US;
    cr_assert_eq(serve_user_requests(1), ALL_OK, "once the directory answers, the member reads");
}

Test(userdb_loop, a_name_service_that_stays_hung_stops_granting_the_old_groups)
{
    old_groups_expire_while(&hang);
}

/* An answer the resolver gave while nobody asked (the loop was quiet)
 * counts from when it was given, not from when the loop took it: it must
 * not restart the lifetime, nor how long it outlives an outage. */
Test(userdb_loop, an_answer_that_waited_to_be_taken_is_as_old_as_its_lookup)
{
    atomic_store(&hang, 1);
    cr_assert_eq(serve_user_requests(1), BUSY, "the lookup hangs: \"try again\"");
    unsigned done = user_lookups_done;
    atomic_store(&hang, 0);
    cr_assert_eq(write(hang_release[1], "r", 1), 1);
    for (int i = 0; i < 2000 && user_lookups_done == done; i++)
        usleep(5000); /* the answer comes while the loop serves nobody */
    cr_assert_gt(user_lookups_done, done, "the hung lookup returned");
    atomic_store(&fail, 1);
    fake_now += 2 * IDCACHE_TTL_US;
    cr_assert_eq(serve_user_requests(1), BUSY,
                 "an answer two lifetimes old, taken only now, granted the groups");
}

/* In a child as the test's user: one connection, status once (must be
 * granted), then a byte on `ready`, a byte from `go`, and status again on
 * the same connection. Exits with what became of the second. */
static void client_across_a_reload(int ready, int go)
{
    struct passwd *pw = getpwnam(user);
    Svcd__Request req = raw_status_req(1);
    char b;

    if (pw == NULL || initgroups(user, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
        setuid(pw->pw_uid) < 0)
        _exit(NOT_USER);
    int fd = raw_connect(endpoint);
    if (fd < 0 || raw_send_req(fd, &req) < 0)
        _exit(NO_CONNECT);
    Svcd__Response *r = raw_recv_resp(fd, 10000);
    if (r == NULL || r->result != SVCD__RESULT__RESULT_OK)
        _exit(OTHER_RESULT);
    svcd__response__free_unpacked(r, NULL);
    if (write(ready, "r", 1) != 1 || read(go, &b, 1) != 1)
        _exit(NO_START);
    req = raw_status_req(2);
    if (raw_send_req(fd, &req) < 0)
        _exit(NO_CONNECT);
    r = raw_recv_resp(fd, 10000);
    if (r == NULL)
        _exit(NO_REPLY);
    _exit(r->result == SVCD__RESULT__RESULT_OK       ? ALL_OK
          : r->result == SVCD__RESULT__RESULT_DENIED ? DENIED
                                                     : OTHER_RESULT);
}

/* An administrator takes control_group away by a reload: a connection the
 * member opened before is judged by the new policy at its next request. */
Test(userdb_loop, a_reload_that_takes_the_group_away_applies_to_open_connections)
{
    int ready[2], go[2];
    struct config cfg;
    struct authz *naz = NULL;
    char err[AUTHZ_ERR_MAX];
    struct pollfd p;

    cr_assert_eq(pipe(ready), 0);
    cr_assert_eq(pipe(go), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        client_across_a_reload(ready[1], go[0]);
    p.fd = ready[0];
    p.events = POLLIN;
    for (int round = 0; round < 400 && poll(&p, 1, 0) == 0; round++)
        server_run_once(&sv, 50);
    cr_assert_eq(poll(&p, 1, 0), 1, "the member's first status was answered");
    config_defaults(&cfg, 1);
    snprintf(cfg.control_group, sizeof(cfg.control_group), "root");
    cr_assert_eq(authz_open(&cfg, 1, &naz, err, sizeof(err)), 0, "%s", err);
    server_set_authz(&sv, naz, az);
    az = naz;
    cr_assert_eq(write(go[1], "g", 1), 1);
    cr_assert_eq(serve_until_exit(pid), DENIED,
                 "the connection kept the rights it was accepted with");
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
}

Test(userdb_loop, a_failed_lookup_keeps_the_good_groups)
{
    cr_assert_eq(serve_user_requests(1), ALL_OK);
    atomic_store(&fail, 1);
    fake_now += IDCACHE_TTL_US; /* expired: asked again, and the directory is down */
    cr_assert_eq(serve_user_requests(1), ALL_OK, "the failed lookup replaced the good answer");
    cr_assert_eq(user_lookups, 2);
    cr_assert_eq(serve_user_requests(1), ALL_OK);
    cr_assert_eq(user_lookups, 2, "retried within the short lifetime");
    fake_now += IDCACHE_NEG_TTL_US;
    atomic_store(&fail, 0);
    cr_assert_eq(serve_user_requests(1), ALL_OK);
    cr_assert_eq(user_lookups, 3, "retried after the short lifetime");
}
