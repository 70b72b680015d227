/* The POSIX authorization rule and the audit rate limit, as pure logic. The
 * same rule with real users and sockets is in test_integration.c. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "authz.h"
#include "config.h"
#include "err.h"
#include "ratelimit.h"

static const struct authz_unix_rule sys = {1, 0, 500, 600};

Test(authz, root_has_every_right)
{
    cr_assert_eq(authz_unix_decide(&sys, 0, NULL, 0), AUTHZ_ALL);
}

Test(authz, control_group_members_have_both_rights_read_group_members_read)
{
    long control[] = {100, 500}, reader[] = {600}, both[] = {600, 500}, none[] = {100, 101};

    cr_assert_eq(authz_unix_decide(&sys, 1000, control, 2), AUTHZ_ALL);
    cr_assert_eq(authz_unix_decide(&sys, 1001, reader, 1), AUTHZ_READ);
    cr_assert_eq(authz_unix_decide(&sys, 1002, both, 2), AUTHZ_ALL);
    cr_assert_eq(authz_unix_decide(&sys, 1003, none, 2), 0);
    cr_assert_eq(authz_unix_decide(&sys, 1004, NULL, 0), 0);
}

Test(authz, without_a_read_group_only_the_control_group_counts)
{
    struct authz_unix_rule r = {1, 0, 500, -1};
    long g[] = {-1, 600};

    cr_assert_eq(authz_unix_decide(&r, 1000, g, 2), 0, "gid -1 never matches 'no group'");
}

Test(authz, user_mode_serves_only_its_own_uid_and_root)
{
    struct authz_unix_rule r = {0, 1000, -1, -1};
    long g[] = {500};

    cr_assert_eq(authz_unix_decide(&r, 1000, NULL, 0), AUTHZ_ALL);
    cr_assert_eq(authz_unix_decide(&r, 1001, g, 1), 0);
    cr_assert_eq(authz_unix_decide(&r, 0, NULL, 0), AUTHZ_ALL);
}

Test(authz, a_missing_group_is_a_clear_error_in_system_mode_only)
{
    struct config cfg;
    struct authz *a = NULL;
    char err[AUTHZ_ERR_MAX];

    config_defaults(&cfg, 1);
    snprintf(cfg.control_group, sizeof(cfg.control_group), "svcd-no-such-group");
    cr_assert_eq(authz_open(&cfg, 1, &a, err, sizeof(err)), ERR_INVAL);
    cr_assert_str_eq(err, "control_group 'svcd-no-such-group' does not exist: create it "
                          "(groupadd --system svcd-no-such-group) or name another group with "
                          "control_group in the config");
    cr_assert_eq(authz_open(&cfg, 0, &a, err, sizeof(err)), 0, "user mode has no groups");
    authz_close(a);

    snprintf(cfg.control_group, sizeof(cfg.control_group), "root");
    snprintf(cfg.read_group, sizeof(cfg.read_group), "svcd-no-such-reader");
    cr_assert_eq(authz_open(&cfg, 1, &a, err, sizeof(err)), ERR_INVAL);
    cr_assert_str_eq(err, "read_group 'svcd-no-such-reader' does not exist: create it "
                          "(groupadd --system svcd-no-such-reader) or name another group with "
                          "read_group in the config");
}

Test(ratelimit, allows_a_burst_per_window_then_counts)
{
    struct ratelimit r;
    int allowed = 0;

    ratelimit_init(&r, 1000, 3);
    for (int i = 0; i < 10; i++)
        allowed += ratelimit_allow(&r, 5000 + (uint64_t)i);
    cr_assert_eq(allowed, 3);
    cr_assert_eq(ratelimit_take_suppressed(&r, 5500), 0, "the window has not ended");
    cr_assert_eq(ratelimit_due_in(&r, 5500), 500);
    cr_assert_eq(ratelimit_take_suppressed(&r, 6000), 7);
    cr_assert_eq(ratelimit_take_suppressed(&r, 6001), 0, "reported once");
    cr_assert_eq(ratelimit_due_in(&r, 6001), -1, "nothing waits to be reported");
    cr_assert(ratelimit_allow(&r, 6002), "a new window allows again");
}

Test(ratelimit, quiet_windows_reset_by_themselves)
{
    struct ratelimit r;

    ratelimit_init(&r, 1000, 2);
    cr_assert(ratelimit_allow(&r, 100));
    cr_assert(ratelimit_allow(&r, 200));
    cr_assert_not(ratelimit_allow(&r, 300));
    cr_assert_eq(ratelimit_take_suppressed(&r, 1100), 1);
    cr_assert(ratelimit_allow(&r, 5000));
    cr_assert(ratelimit_allow(&r, 5001));
    cr_assert_not(ratelimit_allow(&r, 5002));
}
