/* Arguments the decoded message cannot show, against the real svcd: a grep
 * with a NUL byte inside (protobuf-c's C string would cut it there), a
 * level over 32 bits (protobuf-c's int32 would wrap or cut it), and a
 * --config that names something other than a regular file. Each is refused
 * with an error that says what was sent, and svcd goes on serving. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "proc.h"
#include "svcdtest.h"
#include "raw.h"
#include "tmpdir.h"

static struct svcdtest t;

static void setup(void)
{
    svcdtest_prepare(&t);
    svcdtest_start(&t, (const char *[]){"--interval", "50ms", "--control-group", "root", NULL});
}

static void teardown(void)
{
    svcdtest_finish(&t, 5000);
}

/* Sends a Request payload holding one logs command with `body` as its
 * LogsRequest bytes, and expects a BAD_REQUEST whose text is `want`; the
 * same connection then still answers status. */
static void refused(const uint8_t *body, size_t blen, const char *want)
{
    uint8_t payload[256] = {0x08, 0x01, 0x10, 0x07, 0x6a}; /* version 1, id 7, logs = */
    size_t n = 5;
    int fd = raw_connect(t.sock);

    cr_assert_geq(fd, 0, "connect: %s", strerror(errno));
    cr_assert_lt(blen, 128);
    payload[n++] = (uint8_t)blen;
    memcpy(payload + n, body, blen);
    n += blen;
    cr_assert_eq(raw_send_payload(fd, payload, (uint32_t)n), 0);
    Svcd__Response *r = raw_recv_resp(fd, 5000);
    cr_assert_not_null(r, "an error reply");
    cr_assert_eq(r->id, 7);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_BAD_REQUEST, "result %d (%s)", r->result,
                 r->error);
    cr_assert_str_eq(r->error, want);
    svcd__response__free_unpacked(r, NULL);
    Svcd__Request st = raw_status_req(8);
    cr_assert_eq(raw_send_req(fd, &st), 0);
    r = raw_recv_resp(fd, 5000);
    cr_assert_not_null(r, "status after the refusal");
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_OK);
    svcd__response__free_unpacked(r, NULL);
    close(fd);
}

TestSuite(hostile_args, .init = setup, .fini = teardown, .timeout = 60);

Test(hostile_args, a_grep_with_a_nul_byte_is_refused_not_cut)
{
    /* tail 10, grep "heart\0beat" (10 bytes): cut at the NUL it would match
     * every heartbeat, which is not what was asked. */
    const uint8_t body[] = {0x08, 0x0a, 0x32, 0x0a, 'h', 'e', 'a',
                            'r',  't',  0x00, 'b',  'e', 'a', 't'};
    refused(body, sizeof(body),
            "grep text contains a NUL byte (at byte 5 of 10); log messages never do, so search "
            "for the text around it");
}

Test(hostile_args, a_level_of_2_to_the_31_is_reported_as_sent)
{
    const uint8_t body[] = {0x28, 0x80, 0x80, 0x80, 0x80, 0x08}; /* min_level 2^31 */
    refused(body, sizeof(body), "unknown level 2147483648 (1 debug to 5 error)");
}

Test(hostile_args, a_level_of_2_to_the_32_plus_1_is_not_taken_for_debug)
{
    const uint8_t body[] = {0x28, 0x81, 0x80, 0x80, 0x80, 0x10}; /* min_level 2^32 + 1 */
    refused(body, sizeof(body), "unknown level 4294967297 (1 debug to 5 error)");
}

Test(hostile_args, a_negative_level_sent_properly_is_reported_as_sent)
{
    /* -3 as proto3 sends an int32: sign-extended to ten bytes */
    const uint8_t body[] = {0x28, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    refused(body, sizeof(body), "unknown level -3 (1 debug to 5 error)");
}

/* svcd run --config `path`: it must fail at once (never hang on a FIFO)
 * with exit 2 and `want` in its error. */
static void bad_config(const char *path, const char *want)
{
    char st[400], ep[400];
    struct proc_result r;

    snprintf(st, sizeof(st), "%s/state2", t.dir);
    snprintf(ep, sizeof(ep), "%s/other.sock", t.dir);
    char *argv[] = {SVCD_BIN,     "run", "--config",        (char *)path, "--state-dir", st,
                    "--endpoint", ep,    "--control-group", "root",       NULL};
    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 2, "exit %d, stderr: %s", r.exit_code, r.err);
    cr_assert(strstr(r.err, want), "stderr '%s', expected '%s'", r.err, want);
}

Test(hostile_args, a_config_that_is_a_fifo_is_refused_at_once)
{
    char fifo[400], want[500];

    snprintf(fifo, sizeof(fifo), "%s/svcd.conf", t.dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    snprintf(want, sizeof(want), "config file %s is a FIFO, not a regular file", fifo);
    bad_config(fifo, want);
}

Test(hostile_args, a_config_that_is_a_device_is_refused)
{
    bad_config("/dev/zero", "config file /dev/zero is a character device, not a regular file");
}

Test(hostile_args, a_config_that_is_a_directory_is_refused)
{
    char want[400];

    snprintf(want, sizeof(want), "config file %s is a directory, not a regular file", t.state);
    bad_config(t.state, want);
}

Test(hostile_args, a_config_reached_through_a_symlink_is_read)
{
    char conf[400], link[400];
    struct proc_result r;

    cr_assert_eq(tmpdir_write(t.dir, "real.conf", "interval = 10x\n", 15), 0);
    snprintf(conf, sizeof(conf), "%s/real.conf", t.dir);
    snprintf(link, sizeof(link), "%s/link.conf", t.dir);
    cr_assert_eq(symlink(conf, link), 0);
    /* read through the link: the bad value in it is what is reported */
    char *argv[] = {SVCD_BIN, "run", "--config", link, NULL};
    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 2, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "interval: '10x' is not a duration"), "%s", r.err);
}
