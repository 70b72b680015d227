/* What `svcd install` writes on Linux: the packaged unit, started from the
 * running binary. (The verbs themselves need systemd as PID 1; where it is
 * not, test_integration checks their refusal.) */
#include <criterion/criterion.h>
#include <string.h>

#include "sbuf.h"
#include "svcmgr.h"

Test(svcmgr, the_installed_unit_is_the_packaged_one_with_this_binary)
{
    struct sbuf out;

    sbuf_init(&out, 65536);
    cr_assert_eq(svcmgr_unit_text("/opt/svcd/bin/svcd", NULL, &out), 0);
    cr_assert(strstr(sbuf_str(&out),
                     "\nExecStart=/opt/svcd/bin/svcd run --config /etc/svcd/svcd.conf\n"));
    cr_assert(strstr(sbuf_str(&out), "\nType=notify\n"));
    cr_assert(strstr(sbuf_str(&out), "\nExecReload=/bin/kill -HUP $MAINPID\n"),
              "systemctl reload sends the SIGHUP that svcd reloads on");
    cr_assert_null(strstr(sbuf_str(&out), "/usr/bin/svcd"), "only ExecStart changes");
    sbuf_reset(&out);
    cr_assert_eq(svcmgr_unit_text("/usr/bin/svcd", "/srv/svcd.conf", &out), 0);
    cr_assert(strstr(sbuf_str(&out), "\nExecStart=/usr/bin/svcd run --config /srv/svcd.conf\n"));
    sbuf_free(&out);
}
