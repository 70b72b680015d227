/* The judgement of who can change a file a LocalSystem service trusts, from
 * descriptors given as data (tests/win/test_win.c does the same with real
 * descriptors built from SDDL). */
#include <criterion/criterion.h>
#include <string.h>

#include "err.h"
#include "fsguard.h"

#define SYSTEM "S-1-5-18"
#define ADMINS "S-1-5-32-544"
#define USERS  "S-1-5-32-545"
#define BOB    "S-1-5-21-1-2-3-1001"
#define FA     0x001f01ffu /* FILE_ALL_ACCESS */
#define FR     0x00120089u /* FILE_GENERIC_READ */
#define RX     0x001200a9u /* read and execute */

static const char *const trusted[] = {SYSTEM, ADMINS, NULL};

static int judge(const char *owner, const struct fsguard_ace *aces, size_t n,
                 struct fsguard_verdict *v)
{
    struct fsguard_sd sd = {owner, 1, aces, n};
    return fsguard_judge(&sd, trusted, v);
}

Test(fsguard, system_and_administrators_only_is_safe)
{
    struct fsguard_ace aces[] = {{1, 0, FA, SYSTEM}, {1, 0, FA, ADMINS}};
    struct fsguard_verdict v;

    cr_assert_eq(judge(SYSTEM, aces, 2, &v), 0);
    cr_assert_eq(v.problem, FSGUARD_OK);
    cr_assert_eq(judge(ADMINS, aces, 2, &v), 0, "Administrators may own it too");
}

Test(fsguard, users_may_read_and_execute)
{
    struct fsguard_ace aces[] = {{1, 0, FA, SYSTEM}, {1, 0, RX, USERS}, {1, 0, FR, "S-1-1-0"}};
    struct fsguard_verdict v;

    cr_assert_eq(judge(SYSTEM, aces, 3, &v), 0);
}

Test(fsguard, a_user_owner_is_refused_whatever_the_dacl)
{
    struct fsguard_ace aces[] = {{1, 0, FA, SYSTEM}};
    struct fsguard_verdict v;

    cr_assert_eq(judge(BOB, aces, 1, &v), ERR_ACCESS);
    cr_assert_eq(v.problem, FSGUARD_UNTRUSTED_OWNER, "an owner keeps WRITE_DAC");
    cr_assert_str_eq(v.sid, BOB);
}

Test(fsguard, a_write_ace_for_anyone_else_is_refused_with_its_rights)
{
    struct fsguard_ace aces[] = {{1, 0, FA, SYSTEM}, {1, 0, FR | FSGUARD_APPEND_DATA, USERS}};
    struct fsguard_verdict v;
    char text[200];

    cr_assert_eq(judge(SYSTEM, aces, 2, &v), ERR_ACCESS);
    cr_assert_eq(v.problem, FSGUARD_UNTRUSTED_ACE);
    cr_assert_str_eq(v.sid, USERS);
    cr_assert_eq(v.rights, FSGUARD_APPEND_DATA, "only the change rights are named");
    cr_assert_eq(fsguard_rights_text(v.rights, text, sizeof(text)), 0);
    cr_assert_str_eq(text, "append (or add folders)");
}

Test(fsguard, each_change_right_alone_is_refused)
{
    const uint32_t rights[] = {FSGUARD_WRITE_DATA,  FSGUARD_APPEND_DATA,  FSGUARD_DELETE_CHILD,
                               FSGUARD_DELETE,      FSGUARD_WRITE_DAC,    FSGUARD_WRITE_OWNER,
                               FSGUARD_GENERIC_ALL, FSGUARD_GENERIC_WRITE};
    struct fsguard_verdict v;

    for (size_t i = 0; i < sizeof(rights) / sizeof(rights[0]); i++) {
        struct fsguard_ace ace = {1, 0, rights[i], BOB};
        cr_assert_eq(judge(SYSTEM, &ace, 1, &v), ERR_ACCESS, "right 0x%x", rights[i]);
    }
    struct fsguard_ace attrs = {1, 0, 0x110u | FR, BOB}; /* write attributes and EAs */
    cr_assert_eq(judge(SYSTEM, &attrs, 1, &v), 0, "attributes are not content");
}

Test(fsguard, inherit_only_and_creator_owner_aces_do_not_apply_to_the_object)
{
    struct fsguard_ace aces[] = {
        {1, 0, FA, SYSTEM},
        {1, 1, FA, "S-1-3-0"}, /* CREATOR OWNER, inherit-only (a folder's usual) */
        {1, 1, FA, USERS},     /* inherited by children only; they are judged on their own */
        {1, 0, FA, "S-1-3-0"}, /* applies, but matches no caller */
        {1, 0, FA, "S-1-3-4"}, /* OWNER RIGHTS: the owner, who is trusted */
    };
    struct fsguard_verdict v;

    cr_assert_eq(judge(SYSTEM, aces, 5, &v), 0);
}

Test(fsguard, deny_aces_grant_nothing)
{
    struct fsguard_ace aces[] = {{1, 0, FA, SYSTEM}, {0, 0, FA, BOB}};
    struct fsguard_verdict v;

    cr_assert_eq(judge(SYSTEM, aces, 2, &v), 0);
}

Test(fsguard, a_null_dacl_or_no_owner_is_refused)
{
    struct fsguard_sd sd = {SYSTEM, 0, NULL, 0};
    struct fsguard_verdict v;

    cr_assert_eq(fsguard_judge(&sd, trusted, &v), ERR_ACCESS);
    cr_assert_eq(v.problem, FSGUARD_NO_DACL, "a NULL DACL grants everyone everything");
    sd.has_dacl = 1;
    cr_assert_eq(fsguard_judge(&sd, trusted, &v), 0, "an empty DACL grants nobody anything");
    sd.owner = NULL;
    cr_assert_eq(fsguard_judge(&sd, trusted, &v), ERR_ACCESS);
    cr_assert_eq(v.problem, FSGUARD_NO_OWNER);
}

Test(fsguard, rights_are_named_in_order)
{
    char text[200];

    cr_assert_eq(fsguard_rights_text(FSGUARD_WRITE_DATA | FSGUARD_DELETE | FSGUARD_WRITE_DAC, text,
                                     sizeof(text)),
                 0);
    cr_assert_str_eq(text, "write (or add files), delete, change permissions");
    cr_assert_eq(fsguard_rights_text(FSGUARD_CHANGE_MASK, text, 10), ERR_NAMETOOLONG);
}
