/* Internal to ipc_posix.c: who may reach a POSIX endpoint. The socket and
 * its directory belong to root and one group; a second group can be given
 * the same access through a POSIX ACL entry, so a read-only group works
 * without adding its members to the control group. */
#ifndef SVCD_IPC_PERM_H
#define SVCD_IPC_PERM_H

/* Sets owner root (when we are root) and `group`, mode `mode` (0750 for the
 * directory, 0660 for the socket) and, when read_group >= 0, an ACL giving
 * read_group the group's permissions. Returns 0, or ERR_UNSUPPORTED when the
 * file system has no ACLs, or the error from chown/chmod. */
int ipc_perm_apply(const char *path, unsigned mode, long group, long read_group);

#include <stddef.h>

#define IPC_PERM_USER_MAX 160 /* "name (uid N)" */

struct ipc_peer;
/* Fills *p for `uid` and `pid` (-1: unknown) with the user database's name
 * for uid ("uid N" when it has none), for ipc_peer_describe: the client's
 * view of a server and the owner of a refused directory, looked up at once
 * (these run once per connect or start, not on the service's loop). */
void ipc_perm_peer_of(long uid, long pid, struct ipc_peer *p);

/* Before anything on the way to the endpoint's directory `dir` is created or
 * changed: the deepest part of it that exists (the directory itself when it
 * does), with symlinks followed, must belong to us or root and be writable
 * by others only when sticky; else another user could swap what svcd builds
 * there. Returns 0, or ERR_ACCESS with the reason, naming the directory and
 * its owner, in `why` (NULL: not wanted), or the error of looking. */
int ipc_perm_check_path(const char *dir, char *why, size_t n);

/* Checks the existing directory `dir` the same way, on an open descriptor,
 * and when `group` >= 0 and it holds nothing but `keep` (a directory svcd
 * may take over, unlike a shared one such as /tmp), makes it 0750 root:group
 * (and read_group's ACL) through that descriptor, so what was checked is
 * what changes. A symlink is judged by its target and never changed.
 * Returns 0, ERR_ACCESS, or the error of a step. */
int ipc_perm_take_dir(const char *dir, const char *keep, long group, long read_group);

#endif
