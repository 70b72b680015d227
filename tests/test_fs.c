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

/* What a root service opens or hands to a group under a log name is the
 * file itself: a planted link or FIFO is refused, never followed, never
 * waited on. */
Test(fs, planted_links_and_fifos_are_refused, .init = setup, .fini = teardown)
{
    char link[320], fifo[320], target[320];
    struct stat st;
    fs_file *f = NULL;

    snprintf(target, sizeof(target), "%s/target", dir);
    cr_assert_eq(tmpdir_write(dir, "target", "secret\n", 7), 0);
    cr_assert_eq(chmod(target, 0600), 0);
    snprintf(link, sizeof(link), "%s/svcd.log.000000000007", dir);
    cr_assert_eq(symlink(target, link), 0);
    cr_assert_lt(fs_share_with_group(link, 1, 0), 0, "a link is not shared");
    cr_assert_eq(stat(target, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0600, "its target keeps its mode");
    cr_assert_lt(fs_open_append(link, &f), 0, "nor appended to");
    snprintf(fifo, sizeof(fifo), "%s/svcd.log.000000000009", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_eq(fs_open_read(fifo, &f), ERR_UNTRUSTED, "a FIFO is no log (and no wait)");
    cr_assert_eq(fs_open_append(fifo, &f), ERR_UNTRUSTED);
}

/* A folder everyone may search keeps its group (log_group on /var/log must
 * not take it from syslog); a private one is given to the group. */
Test(fs, sharing_a_folder_changes_only_what_the_group_needs, .init = setup, .fini = teardown)
{
    char sub[320];
    struct stat st;

    if (geteuid() != 0)
        cr_skip_test("needs root to give a folder another group");
    snprintf(sub, sizeof(sub), "%s/shared", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    cr_assert_eq(fs_share_with_group(sub, 1, 1), 0);
    cr_assert_eq(stat(sub, &st), 0);
    cr_assert_eq(st.st_gid, 0u, "a shared folder keeps its group");
    cr_assert_eq(chmod(sub, 0700), 0);
    cr_assert_eq(fs_share_with_group(sub, 1, 1), 0);
    cr_assert_eq(stat(sub, &st), 0);
    cr_assert_eq(st.st_gid, 1u);
    cr_assert_eq(st.st_mode & 07777, 0750);
}

/* A new log for log_group's group appears with its group and mode already
 * (made aside and linked into place), and nothing is left beside it. */
Test(fs, a_shared_log_is_born_readable_by_the_group, .init = setup, .fini = teardown)
{
    char logp[320], tmp[330];
    struct stat st;
    fs_file *f;

    if (geteuid() != 0)
        cr_skip_test("needs root to give a file another group");
    snprintf(logp, sizeof(logp), "%s/svcd.log", dir);
    cr_assert_eq(fs_open_append_shared(logp, 1, &f), 0);
    cr_assert_eq(fs_append(f, "x\n", 2), 0);
    cr_assert_eq(stat(logp, &st), 0);
    cr_assert_eq(st.st_gid, 1u);
    cr_assert_eq(st.st_mode & 07777, 0640);
    cr_assert_eq(st.st_nlink, 1u, "the temporary name is gone");
    snprintf(tmp, sizeof(tmp), "%s.new", logp);
    cr_assert_neq(access(tmp, F_OK), 0);
    fs_close(f);
    cr_assert_eq(fs_open_append_shared(logp, 1, &f), 0, "an existing one is opened");
    fs_close(f);
}
