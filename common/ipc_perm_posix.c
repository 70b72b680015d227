#define _GNU_SOURCE
#include "ipc_perm.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The kernel's ACL xattr (linux/posix_acl_xattr.h): a version word, then
 * entries of tag, permissions and id, little-endian, sorted by tag. Written
 * by hand so svcd needs no libacl. */
#define ACL_XATTR        "system.posix_acl_access"
#define ACL_VERSION      2u
#define ACL_USER_OBJ     0x01u
#define ACL_GROUP_OBJ    0x04u
#define ACL_GROUP        0x08u
#define ACL_MASK         0x10u
#define ACL_OTHER        0x20u
#define ACL_UNDEFINED_ID 0xffffffffu

static uint8_t *put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v & 0xff);
    p[1] = (uint8_t)((v >> 8) & 0xff);
    return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p = put16(p, v & 0xffff);
    return put16(p, v >> 16);
}

static uint8_t *put_entry(uint8_t *p, unsigned tag, unsigned perm, uint32_t id)
{
    p = put16(p, tag);
    p = put16(p, perm);
    return put32(p, id);
}

/* Owner and group keep the mode's bits; `extra_gid` gets the group's bits
 * too; others get nothing. */
static int set_group_acl(const char *path, unsigned mode, long extra_gid)
{
    uint8_t buf[4 + 5 * 8], *p = buf;
    unsigned user = (mode >> 6) & 7, group = (mode >> 3) & 7;

    p = put32(p, ACL_VERSION);
    p = put_entry(p, ACL_USER_OBJ, user, ACL_UNDEFINED_ID);
    p = put_entry(p, ACL_GROUP_OBJ, group, ACL_UNDEFINED_ID);
    p = put_entry(p, ACL_GROUP, group, (uint32_t)extra_gid);
    p = put_entry(p, ACL_MASK, group, ACL_UNDEFINED_ID);
    p = put_entry(p, ACL_OTHER, 0, ACL_UNDEFINED_ID);
    if (setxattr(path, ACL_XATTR, buf, (size_t)(p - buf), 0) < 0)
        return errno == ENOTSUP ? ERR_UNSUPPORTED : err_last_os();
    return 0;
}

int ipc_perm_apply(const char *path, unsigned mode, long group, long read_group)
{
    uid_t owner = geteuid() == 0 ? 0 : (uid_t)-1;

    if (group >= 0 && chown(path, owner, (gid_t)group) < 0)
        return err_last_os();
    if (chmod(path, (mode_t)mode) < 0)
        return err_last_os();
    if (read_group >= 0 && read_group != group)
        return set_group_acl(path, mode, read_group);
    if (removexattr(path, ACL_XATTR) < 0 && errno != ENODATA && errno != ENOTSUP)
        return err_last_os(); /* an old ACL must not outlive its read_group */
    return 0;
}

int ipc_perm_dir_is_ours(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int ours = 1;

    if (d == NULL)
        return 0;
    while (ours && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, keep))
            ours = 0;
    }
    closedir(d);
    return ours;
}
