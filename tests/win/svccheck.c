/* A test helper that runs, from a console, the set-up and the permission
 * check `svcd service` runs before it serves (svcmgr_service_setup, then
 * svcmgr_service_check with the system-wide default log folder), so the
 * Wine suite can read the refusal's diagnostic line and trace the calls:
 *   svccheck CONFIG   exit 0 when svcd would start on these files, else 1
 * The program folder checked is this helper's own, as svcd.exe's is
 * svcd's. */
#include <stdio.h>

#include "diag.h"
#include "paths.h"
#include "svcmgr.h"

int main(int argc, char **argv)
{
    char state_dir[PATHS_MAX];

    if (argc != 2) {
        fprintf(stderr, "usage: svccheck CONFIG\n");
        return 2;
    }
    diag_init("svcd", DIAG_INFO, 0);
    if (paths_default_state_dir(1, state_dir, sizeof(state_dir)) < 0)
        return 2;
    svcmgr_service_setup(argv[1]);
    return svcmgr_service_check(argv[1], state_dir) < 0 ? 1 : 0;
}
