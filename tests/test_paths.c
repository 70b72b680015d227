#define _POSIX_C_SOURCE 200809L
/* Default locations, resolved the same way by svcd and svcclient. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "paths.h"

Test(paths, a_client_tries_its_own_endpoint_then_the_system_one)
{
    char c[PATHS_CANDIDATES_MAX][PATHS_MAX];

    setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    int n = paths_client_endpoints(c);
    if (geteuid() == 0) {
        cr_assert_eq(n, 1, "root's own endpoint is the system one, tried once");
        cr_assert_str_eq(c[0], "/run/svcd/svcd.sock");
    } else {
        cr_assert_eq(n, 2);
        cr_assert_str_eq(c[0], "/run/user/4242/svcd/svcd.sock");
        cr_assert_str_eq(c[1], "/run/svcd/svcd.sock");
    }
}

Test(paths, user_defaults_follow_xdg_and_ignore_relative_values)
{
    char buf[PATHS_MAX];

    setenv("XDG_RUNTIME_DIR", "relative/dir", 1);
    cr_assert_eq(paths_default_endpoint(0, buf, sizeof(buf)), 0);
    cr_assert(strncmp(buf, "/tmp/svcd-", 10) == 0, "a relative XDG value is ignored: %s", buf);
    setenv("XDG_STATE_HOME", "/home/x/.state", 1);
    cr_assert_eq(paths_default_state_dir(0, buf, sizeof(buf)), 0);
    cr_assert_str_eq(buf, "/home/x/.state/svcd");
    cr_assert_eq(paths_default_state_dir(1, buf, sizeof(buf)), 0);
    cr_assert_str_eq(buf, "/var/log/svcd");
}

Test(paths, join_refuses_to_cut)
{
    char small[8];

    cr_assert_eq(paths_join("/a", "b", small, sizeof(small)), 0);
    cr_assert_str_eq(small, "/a/b");
    cr_assert_eq(paths_join("/abcdef", "ghi", small, sizeof(small)), ERR_NAMETOOLONG);
}
