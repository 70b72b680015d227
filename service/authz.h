/* Who may do what: two rights, read (status, logs) and control (pause,
 * resume), decided from what the OS says of the caller (uid and groups on
 * POSIX, the client's token on Windows), never from what it sends.
 * authz_posix.c and authz_win.c hold each platform's rule; the table in
 * docs/security.md says the same in words. */
#ifndef SVCD_AUTHZ_H
#define SVCD_AUTHZ_H

#include <stddef.h>

#include "config.h"
#include "ipc.h"

#define AUTHZ_READ    0x1u
#define AUTHZ_CONTROL 0x2u
#define AUTHZ_ALL     (AUTHZ_READ | AUTHZ_CONTROL)

#define AUTHZ_ERR_MAX  512
#define AUTHZ_HINT_MAX 256

struct authz;

/* Builds the policy from the configuration. System mode: POSIX looks up
 * control_group and read_group, which must exist; Windows parses
 * control_sddl. User mode: only the user running svcd (and root/SYSTEM).
 * Returns 0, ERR_INVAL with one actionable line in `err`, or ERR_NOMEM. */
int authz_open(const struct config *cfg, int system_mode, struct authz **out, char *err,
               size_t errlen);

/* The rights `p` holds (AUTHZ_* bits; 0 for none). */
unsigned authz_rights(const struct authz *a, const struct ipc_peer *p);

/* Whether authz_rights is the whole truth for `p` now. POSIX system mode
 * decides from a peer's groups, which come from the user database through
 * a cache that never blocks (userdb.h): AUTHZ_WAIT when they were asked for
 * a moment ago and the answer is worth waiting for (the caller may hold
 * the request a little, never the loop), AUTHZ_UNKNOWN when the database
 * has not answered (down, or slow), so a right authz_rights does not show
 * must be refused with "try again", never granted, and not reported as a
 * missing membership. Windows: always AUTHZ_KNOWN (the token holds the
 * groups). */
enum authz_known { AUTHZ_KNOWN, AUTHZ_WAIT, AUTHZ_UNKNOWN };
enum authz_known authz_known(const struct authz *a, const struct ipc_peer *p);

/* How `p` could be given `right`, as one clause for an error message, e.g.
 * "ask an administrator to add bob to group 'svcd' (control_group), or run
 * as root". */
void authz_hint(const struct authz *a, const struct ipc_peer *p, unsigned right, char *buf,
                size_t n);

/* Fills in who the endpoint itself lets in (POSIX groups; Windows: nothing,
 * the pipe DACL is fixed). */
void authz_endpoint(const struct authz *a, struct ipc_server_opts *o);

void authz_close(struct authz *a);

/* The POSIX rule on its own, so it is tested without real users: root has
 * every right; in user mode the uid running svcd has every right and
 * nobody else any; in system mode a member of the control group (primary
 * or supplementary gid) has both, of the read group read. gid -1: none. */
struct authz_unix_rule {
    int system_mode;
    long self_uid;
    long control_gid;
    long read_gid;
};
unsigned authz_unix_decide(const struct authz_unix_rule *r, long uid, const long *gids,
                           size_t ngids);

#endif
