#define _POSIX_C_SOURCE 200809L
#include "paths.h"
#include "err.h"
#include "sbuf.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SYSTEM_ENDPOINT  "/run/svcd/svcd.sock"
#define SYSTEM_STATE_DIR "/var/log/svcd"

int paths_system_mode(void)
{
    return geteuid() == 0;
}

/* Absolute value of an environment variable, or NULL: relative XDG values are
 * invalid by the spec and must be ignored. */
static const char *abs_env(const char *name)
{
    const char *v = getenv(name);
    return (v && v[0] == '/') ? v : NULL;
}

int paths_default_endpoint(int system_mode, char *buf, size_t n)
{
    const char *rt;

    if (system_mode)
        return sbuf_fmt(buf, n, "%s", SYSTEM_ENDPOINT);
    rt = abs_env("XDG_RUNTIME_DIR");
    if (rt)
        return sbuf_fmt(buf, n, "%s/svcd/svcd.sock", rt);
    return sbuf_fmt(buf, n, "/tmp/svcd-%ld/svcd.sock", (long)geteuid());
}

/* $HOME, or the passwd entry's home; NULL when neither is an absolute path
 * (a uid with no passwd entry, as containers and setpriv give). */
static const char *home_dir(void)
{
    const char *h = abs_env("HOME");
    struct passwd *pw;

    if (h)
        return h;
    pw = getpwuid(geteuid());
    return (pw && pw->pw_dir && pw->pw_dir[0] == '/') ? pw->pw_dir : NULL;
}

int paths_default_state_dir(int system_mode, char *buf, size_t n)
{
    const char *st, *home;

    if (system_mode)
        return sbuf_fmt(buf, n, "%s", SYSTEM_STATE_DIR);
    st = abs_env("XDG_STATE_HOME");
    if (st)
        return sbuf_fmt(buf, n, "%s/svcd", st);
    home = home_dir();
    if (home)
        return sbuf_fmt(buf, n, "%s/.local/state/svcd", home);
    /* Never /tmp/.local/state, which anyone may make first: the user's own
     * directory beside the endpoint's, made 0700 and checked like it. */
    return sbuf_fmt(buf, n, "/tmp/svcd-%ld/state", (long)geteuid());
}

long paths_pid(void)
{
    return (long)getpid();
}

int paths_hostname(char *buf, size_t n)
{
    if (n == 0)
        return ERR_INVAL;
    if (gethostname(buf, n) < 0)
        return err_last_os();
    buf[n - 1] = '\0'; /* POSIX leaves a cut name unterminated */
    return 0;
}

int paths_service_pid(long *pid)
{
    *pid = 0;
    return ERR_UNSUPPORTED;
}

int paths_join(const char *dir, const char *name, char *buf, size_t n)
{
    return sbuf_fmt(buf, n, "%s/%s", dir, name);
}

const char *paths_start_hint(void)
{
    return "start it with 'sudo systemctl start svcd' (the installed service) or 'svcd run'";
}

const char *paths_access_hint(void)
{
    return "only root and the members of svcd's control_group (default 'svcd') or read_group "
           "may connect: ask an administrator to add you, or run svcclient as root";
}
