/* fs_replace as an administrator's file sees it: the content changes, the
 * permissions chosen for it do not. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fs.h"
#include "tmpdir.h"

static char dir[256], path[300];

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/svcd.conf", dir);
    cr_assert_eq(tmpdir_write(dir, "svcd.conf", "interval = 1s\n", 14), 0);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

Test(fs, replace_keeps_the_mode_of_the_file_it_replaces, .init = setup, .fini = teardown)
{
    struct stat st;
    size_t len;

    cr_assert_eq(chmod(path, 0604), 0);
    cr_assert_eq(fs_replace(path, "interval = 2s\n", 14), 0);
    char *got = tmpdir_read(dir, "svcd.conf", &len);
    cr_assert_str_eq(got, "interval = 2s\n");
    free(got);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0604, "mode %o, expected 0604 as before", st.st_mode & 07777);
}

Test(fs, replace_keeps_owner_and_group_when_root, .init = setup, .fini = teardown)
{
    struct stat st;
    gid_t gid = 1; /* "daemon" on Debian; any group root is not the primary of */

    if (geteuid() != 0)
        cr_skip_test("needs root to give the file another group");
    cr_assert_eq(chown(path, 2, gid), 0);
    cr_assert_eq(chmod(path, 0640), 0);
    cr_assert_eq(fs_replace(path, "interval = 2s\n", 14), 0);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_gid, gid, "group %u, expected %u as before", st.st_gid, gid);
    cr_assert_eq(st.st_uid, 2u, "owner %u, expected 2 as before", st.st_uid);
    cr_assert_eq(st.st_mode & 07777, 0640);
}

Test(fs, replace_creates_a_missing_file, .init = setup, .fini = teardown)
{
    char other[320];
    struct stat st;

    snprintf(other, sizeof(other), "%s/new.conf", dir);
    cr_assert_eq(fs_replace(other, "x\n", 2), 0);
    cr_assert_eq(stat(other, &st), 0);
    cr_assert_eq(st.st_size, 2);
}
