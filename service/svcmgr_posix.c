#include "svcmgr.h"
#include "diag.h"

static int not_yet(const char *verb)
{
    diag(DIAG_ERROR,
         "%s: managing an installed service is not available on this platform yet; run "
         "'svcd run' in the foreground and control it with svcclient",
         verb);
    return SVCMGR_EXIT_FAILED;
}

int svcmgr_install(const struct svcmgr_install_opts *o)
{
    (void)o;
    return not_yet("install");
}

int svcmgr_remove(void)
{
    return not_yet("remove");
}

int svcmgr_start(void)
{
    return not_yet("start");
}

int svcmgr_stop(void)
{
    return not_yet("stop");
}

int svcmgr_restart(void)
{
    return not_yet("restart");
}

int svcmgr_status(void)
{
    return not_yet("status");
}
