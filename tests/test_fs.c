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

/* The state directory's check: the endpoint's rule for the directory
 * itself (no group or other write unless sticky), other write for its
 * parents, and the path at fault named. */
Test(fs, dir_check_refuses_what_others_may_write_and_names_it, .init = setup, .fini = teardown)
{
    struct fs_dir_problem p;
    char sub[320], msg[2048];

    cr_assert_eq(fs_dir_check(dir, &p), 0, "a private directory of ours");
    cr_assert_eq(chmod(dir, 0777), 0);
    cr_assert_eq(fs_dir_check(dir, &p), ERR_UNTRUSTED);
    cr_assert_eq(p.fault, FS_DIR_WRITABLE);
    cr_assert_str_eq(p.path, dir);
    fs_dir_explain(&p, msg, sizeof(msg));
    cr_assert(strstr(msg, "chmod go-w"), "%s", msg);
    cr_assert_eq(chmod(dir, 0770), 0);
    cr_assert_eq(fs_dir_check(dir, &p), ERR_UNTRUSTED, "its group may write: refused too");
    cr_assert_eq(chmod(dir, 01777), 0);
    cr_assert_eq(fs_dir_check(dir, &p), 0, "sticky and ours, like /tmp");
    snprintf(sub, sizeof(sub), "%s/state", dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    cr_assert_eq(chmod(dir, 0777), 0);
    cr_assert_eq(fs_dir_check(sub, &p), ERR_UNTRUSTED, "a parent anybody may rename it in");
    cr_assert_str_eq(p.path, dir);
    cr_assert_eq(chmod(dir, 0775), 0);
    cr_assert_eq(fs_dir_check(sub, &p), 0, "a group-writable parent (/var/log) is fine");
    cr_assert_eq(chmod(dir, 0700), 0);
}

Test(fs, dir_check_names_the_owner_of_a_directory_another_user_made, .init = setup,
     .fini = teardown)
{
    struct fs_dir_problem p;
    char msg[2048];

    if (geteuid() != 0)
        cr_skip_test("needs root to give a directory to another uid");
    cr_assert_eq(chown(dir, 54321, (gid_t)-1), 0);
    cr_assert_eq(fs_dir_check(dir, &p), ERR_UNTRUSTED);
    cr_assert_eq(p.fault, FS_DIR_OWNER);
    cr_assert_eq(p.uid, 54321);
    fs_dir_explain(&p, msg, sizeof(msg));
    cr_assert(strstr(msg, "uid 54321"), "%s", msg);
    cr_assert_eq(chown(dir, 0, (gid_t)-1), 0);
}

/* A link of root's whose target goes through another user's link: that
 * user could repoint the state directory at any directory of root's later
 * (the review found the middle of a chain unchecked). */
Test(fs, dir_check_follows_a_chain_of_links_checking_each, .init = setup, .fini = teardown)
{
    struct fs_dir_problem p;
    char real[400], theirs[400], ours[400];

    if (geteuid() != 0)
        cr_skip_test("needs root to give a link to another uid");
    snprintf(real, sizeof(real), "%s/real", dir);
    snprintf(theirs, sizeof(theirs), "%s/theirs", dir);
    snprintf(ours, sizeof(ours), "%s/ours", dir);
    cr_assert_eq(mkdir(real, 0700), 0);
    cr_assert_eq(symlink("real", theirs), 0);
    cr_assert_eq(symlink(theirs, ours), 0);
    cr_assert_eq(fs_dir_check(ours, &p), 0, "every link of the chain is root's");
    cr_assert_eq(lchown(theirs, 54321, (gid_t)-1), 0);
    cr_assert_eq(fs_dir_check(ours, &p), ERR_UNTRUSTED, "the middle link is another user's");
    cr_assert_eq(p.fault, FS_DIR_LINK_OWNER);
    cr_assert_str_eq(p.path, theirs);
    cr_assert_eq(p.uid, 54321);
}

/* A state directory behind a chain of links longer than the kernel would
 * follow (or a loop) is refused as such: it once gave a bare "invalid
 * argument". */
Test(fs, dir_check_names_a_chain_of_links_too_long_to_follow, .init = setup, .fini = teardown)
{
    struct fs_dir_problem p;
    char from[400], to[400];

    snprintf(to, sizeof(to), "%s/l0", dir);
    cr_assert_eq(mkdir(to, 0700), 0);
    for (int i = 1; i <= 41; i++) {
        snprintf(from, sizeof(from), "%s/l%d", dir, i);
        snprintf(to, sizeof(to), "l%d", i - 1);
        cr_assert_eq(symlink(to, from), 0);
    }
    snprintf(from, sizeof(from), "%s/l40", dir);
    cr_assert_eq(fs_dir_check(from, &p), 0, "40 links are followed");
    snprintf(from, sizeof(from), "%s/l41", dir);
    cr_assert_eq(fs_dir_check(from, &p), ERR_LOOP);
    cr_assert(strstr(err_str(ERR_LOOP), "symbolic links") != NULL);
    snprintf(from, sizeof(from), "%s/loop", dir);
    cr_assert_eq(symlink("loop", from), 0);
    cr_assert_eq(fs_dir_check(from, &p), ERR_LOOP, "a link to itself");
}

/* A state directory to be made inside another user's directory is refused
 * before anything is made there. */
Test(fs, a_missing_dir_is_checked_where_it_would_be_made, .init = setup, .fini = teardown)
{
    struct fs_dir_problem p;
    char theirs[400], want[450];

    if (geteuid() != 0)
        cr_skip_test("needs root to give a directory to another uid");
    snprintf(theirs, sizeof(theirs), "%s/theirs", dir);
    snprintf(want, sizeof(want), "%s/state/sub", theirs);
    cr_assert_eq(mkdir(theirs, 0755), 0);
    cr_assert_eq(fs_dir_check_missing(want, &p), 0, "root's own: fine");
    cr_assert_eq(chown(theirs, 54321, (gid_t)-1), 0);
    cr_assert_eq(fs_dir_check_missing(want, &p), ERR_UNTRUSTED);
    cr_assert_eq(p.fault, FS_DIR_OWNER);
    cr_assert_str_eq(p.path, theirs);
    cr_assert_eq(chown(theirs, 0, (gid_t)-1), 0);
    cr_assert_eq(chmod(theirs, 0757), 0);
    cr_assert_eq(fs_dir_check_missing(want, &p), ERR_UNTRUSTED, "anybody may write in it");
    cr_assert_eq(p.fault, FS_DIR_WRITABLE);
    cr_assert_eq(chmod(theirs, 0775), 0);
    cr_assert_eq(fs_dir_check_missing(want, &p), 0, "a group-writable parent is fine");
}

struct seen {
    int plain, other;
};

static void count_entry(void *ctx, const char *name, int plain)
{
    struct seen *s = ctx;

    (void)name;
    if (plain)
        s->plain++;
    else
        s->other++;
}

/* Links are never followed: a listing tells them apart, a read or an
 * append through one is refused, a second name of a file is not written,
 * a directory others may write to holds nothing of ours, and a link put in
 * the place of the open file is another file. */
Test(fs, files_of_the_log_are_never_reached_through_a_link, .init = setup, .fini = teardown)
{
    char lnk[320], hard[320], sub[320], in_sub[400];
    struct seen seen = {0, 0};
    fs_file *f = NULL;

    snprintf(lnk, sizeof(lnk), "%s/svcd.log.000000000001", dir);
    cr_assert_eq(symlink(path, lnk), 0);
    cr_assert_eq(fs_list(dir, "svcd.", count_entry, &seen), 0);
    cr_assert_eq(seen.plain, 1, "svcd.conf");
    cr_assert_eq(seen.other, 1, "the link");
    cr_assert_eq(fs_open_read_nofollow(lnk, &f), ERR_UNTRUSTED);
    cr_assert_eq(fs_open_read_nofollow(path, &f), 0);
    fs_close(f);
    snprintf(hard, sizeof(hard), "%s/svcd.log", dir);
    cr_assert_eq(link(path, hard), 0);
    cr_assert_eq(fs_open_append(hard, &f), ERR_UNTRUSTED, "a second name of another file");
    cr_assert_eq(unlink(hard), 0);
    cr_assert_eq(fs_open_append(hard, &f), 0);
    cr_assert_eq(rename(hard, lnk), 0);
    cr_assert_eq(symlink(lnk, hard), 0);
    cr_assert_eq(fs_path_state(f, hard), FS_PATH_REPLACED, "a link to it is not it");
    fs_close(f);
    snprintf(sub, sizeof(sub), "%s/open", dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    cr_assert_eq(chmod(sub, 0777), 0);
    snprintf(in_sub, sizeof(in_sub), "%s/svcd.log", sub);
    cr_assert_eq(fs_open_append(in_sub, &f), ERR_UNTRUSTED, "a directory anybody may write to");
}
