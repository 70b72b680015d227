/* Who can change what a LocalSystem service trusts: its configuration file,
 * the folders of that file, of its log and of its program. A standard user
 * who could write svcd.conf would choose control_sddl, state_dir and the
 * endpoint of a service running as SYSTEM; one who owns a folder keeps
 * WRITE_DAC over it whatever its DACL says.
 *
 * fsguard.c is the judgement alone, from a descriptor given as data, so it is
 * tested without Windows (tests/test_fsguard.c) and with real descriptors
 * built from SDDL (tests/win/test_win.c). fsguard_win.h reads the real
 * descriptor of a path. */
#ifndef SVCD_FSGUARD_H
#define SVCD_FSGUARD_H

#include <stddef.h>
#include <stdint.h>

/* The rights that change an object or what it holds (Windows access mask
 * bits): write data / add a file, append / add a subfolder, delete a child,
 * delete, change the DACL, take ownership, and the generic rights that
 * include them. Reading, executing and writing attributes or extended
 * attributes are not among them. */
#define FSGUARD_WRITE_DATA    0x00000002u
#define FSGUARD_APPEND_DATA   0x00000004u
#define FSGUARD_DELETE_CHILD  0x00000040u
#define FSGUARD_DELETE        0x00010000u
#define FSGUARD_WRITE_DAC     0x00040000u
#define FSGUARD_WRITE_OWNER   0x00080000u
#define FSGUARD_GENERIC_ALL   0x10000000u
#define FSGUARD_GENERIC_WRITE 0x40000000u
#define FSGUARD_CHANGE_MASK                                                                        \
    (FSGUARD_WRITE_DATA | FSGUARD_APPEND_DATA | FSGUARD_DELETE_CHILD | FSGUARD_DELETE |            \
     FSGUARD_WRITE_DAC | FSGUARD_WRITE_OWNER | FSGUARD_GENERIC_ALL | FSGUARD_GENERIC_WRITE)

struct fsguard_ace {
    int allow;        /* an access-allowed ACE; deny ACEs only ever take rights away */
    int inherit_only; /* applies to children created later, not to this object */
    uint32_t mask;
    const char *sid; /* "S-1-1-0" */
};

struct fsguard_sd {
    const char *owner; /* SID string; NULL when the descriptor names none */
    int has_dacl;      /* 0: a NULL DACL, which grants everyone everything */
    const struct fsguard_ace *aces;
    size_t n;
};

enum fsguard_problem {
    FSGUARD_OK = 0,
    FSGUARD_NO_DACL,         /* NULL DACL: everyone has full control */
    FSGUARD_NO_OWNER,        /* the owner is unknown */
    FSGUARD_UNTRUSTED_OWNER, /* an owner may always change the DACL */
    FSGUARD_UNTRUSTED_ACE,   /* an allow ACE gives a change right to someone else */
};

struct fsguard_verdict {
    enum fsguard_problem problem;
    const char *sid; /* the owner or the ACE's SID (points into the descriptor) */
    uint32_t rights; /* FSGUARD_UNTRUSTED_ACE: the change rights it grants */
};

/* Judges whether only the `trusted` SIDs (a NULL-terminated list) can change
 * the object: its owner is trusted, its DACL is not NULL, and no allow ACE
 * that applies to the object itself grants a right of FSGUARD_CHANGE_MASK to
 * another SID. Inherit-only ACEs (such as CREATOR OWNER's on a folder) are
 * left out: they apply to children, which are judged on their own. CREATOR
 * OWNER and CREATOR GROUP in an ACE that does apply match no caller, and
 * OWNER RIGHTS (S-1-3-4) is the owner, judged as such. Returns 0 when safe,
 * else ERR_ACCESS with *v saying the first problem found. */
int fsguard_judge(const struct fsguard_sd *sd, const char *const *trusted,
                  struct fsguard_verdict *v);

/* Names the rights of a mask of FSGUARD_CHANGE_MASK bits: "write, append,
 * delete, change permissions". Returns 0 or ERR_NAMETOOLONG. */
int fsguard_rights_text(uint32_t rights, char *buf, size_t n);

#endif
