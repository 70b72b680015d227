/* Throw-away local users and groups for tests that need real OS identities
 * (peer credentials, group membership): made with the shadow tools, removed
 * again, and named after the test's pid so a run that was killed leaves
 * nothing that the next run trips over. Root only: accounts_require() skips
 * the test with the reason otherwise (Criterion's cr_skip_test). */
#ifndef SVCD_TEST_ACCOUNTS_H
#define SVCD_TEST_ACCOUNTS_H

#include <stddef.h>

/* Skips the calling test unless it runs as root with setpriv available. */
void accounts_require(void);

/* Runs an administration tool (argv NULL-terminated, at most 30 s).
 * Returns its exit status; asserts that it could be run at all. */
int accounts_admin(char *const argv[]);

/* "<prefix><pid % 100000>" into buf: short enough for useradd (32). */
void accounts_name(char *buf, size_t len, const char *prefix);

/* Makes a group / a system user without home or shell, first removing a
 * leftover of the same name; `group` (may be NULL) is a supplementary group.
 * Asserts success. */
void accounts_group_add(const char *name);
void accounts_user_add(const char *name, const char *group);

/* Removes the user / group if it exists (names may be empty: no-op). */
void accounts_user_del(const char *name);
void accounts_group_del(const char *name);

/* The uid of `user` / gid of `group`; asserts they exist. */
long accounts_uid(const char *user);
long accounts_gid(const char *group);

/* Fills out[] (room for `cap` pointers) with setpriv's argv that runs
 * argv[] as `user` with its own groups, or argv[] itself when user is NULL
 * (root). The strings live in `room` (at least 128 bytes). Returns out. */
char **accounts_as(const char *user, char *const argv[], char **out, size_t cap, char *room,
                   size_t room_len);

#endif
