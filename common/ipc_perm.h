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

/* 1 when `dir` holds nothing but `keep` (or nothing): a directory svcd may
 * take over. Shared directories such as /tmp are left as they are. */
int ipc_perm_dir_is_ours(const char *dir, const char *keep);

#endif
