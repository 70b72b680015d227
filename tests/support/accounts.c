#define _GNU_SOURCE
#include "accounts.h"

#include <criterion/criterion.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

void accounts_require(void)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to create throw-away users and groups (CI runs as root); "
                     "run scripts/test as root to include it");
    if (access("/usr/bin/setpriv", X_OK) != 0)
        cr_skip_test("needs setpriv (util-linux) to run a program as another user");
}

int accounts_admin(char *const argv[])
{
    struct proc_result r;

    cr_assert_eq(proc_run(argv, NULL, 30000, &r), 0, "cannot run %s", argv[0]);
    return r.exit_code;
}

void accounts_name(char *buf, size_t len, const char *prefix)
{
    snprintf(buf, len, "%s%ld", prefix, (long)getpid() % 100000);
}

void accounts_user_del(const char *name)
{
    if (name[0] && getpwnam(name))
        accounts_admin((char *[]){"/usr/sbin/userdel", (char *)name, NULL});
}

void accounts_group_del(const char *name)
{
    if (name[0] && getgrnam(name))
        accounts_admin((char *[]){"/usr/sbin/groupdel", (char *)name, NULL});
}

void accounts_group_add(const char *name)
{
    accounts_group_del(name);
    cr_assert_eq(accounts_admin((char *[]){"/usr/sbin/groupadd", (char *)name, NULL}), 0,
                 "groupadd %s", name);
}

void accounts_user_add(const char *name, const char *group)
{
    accounts_user_del(name);
    cr_assert_eq(accounts_admin((char *[]){"/usr/sbin/useradd", "--system", "--no-create-home",
                                           "--shell", "/usr/sbin/nologin", (char *)name, NULL}),
                 0, "useradd %s", name);
    if (group)
        cr_assert_eq(accounts_admin((char *[]){"/usr/sbin/usermod", "-a", "-G", (char *)group,
                                               (char *)name, NULL}),
                     0, "usermod -a -G %s %s", group, name);
}

long accounts_uid(const char *user)
{
    struct passwd *pw = getpwnam(user);
    cr_assert_not_null(pw, "no user %s", user);
    return (long)pw->pw_uid;
}

long accounts_gid(const char *group)
{
    struct group *gr = getgrnam(group);
    cr_assert_not_null(gr, "no group %s", group);
    return (long)gr->gr_gid;
}

char **accounts_as(const char *user, char *const argv[], char **out, size_t cap, char *room,
                   size_t room_len)
{
    size_t n = 0, half = room_len / 2;

    if (user) {
        cr_assert_geq(room_len, 128);
        snprintf(room, half, "--reuid=%s", user);
        snprintf(room + half, room_len - half, "--regid=%s", user);
        out[n++] = "/usr/bin/setpriv";
        out[n++] = room;
        out[n++] = room + half;
        out[n++] = "--init-groups";
        out[n++] = "--";
    }
    for (size_t i = 0; argv[i]; i++) {
        cr_assert_lt(n + 1, cap, "accounts_as: argv too long");
        out[n++] = argv[i];
    }
    cr_assert_lt(n, cap);
    out[n] = NULL;
    return out;
}
