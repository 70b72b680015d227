/* `svcd configure` on Linux: the file is /etc/svcd/svcd.conf; the startup
 * belongs to systemd (systemctl enable|disable svcd), not to us. */
#include "configure.h"
#include "err.h"
#include "sbuf.h"

#include "svcd_conf.h"

int configure_default_path(char *buf, size_t n)
{
    return sbuf_copy(buf, n, "/etc/svcd/svcd.conf");
}

const char *configure_default_text(void)
{
    return svcd_conf_text;
}

int configure_check(const struct config *cfg, char *err, size_t errlen)
{
    (void)cfg;
    (void)err;
    (void)errlen;
    return 0; /* the groups are looked up when the service starts, as root */
}

int configure_get_startup(int *startup)
{
    (void)startup;
    return ERR_UNSUPPORTED;
}

int configure_set_startup(int startup)
{
    (void)startup;
    return ERR_UNSUPPORTED;
}

int configure_check_file(const char *path, char *err, size_t errlen)
{
    (void)path;
    (void)err;
    (void)errlen;
    return 0;
}
