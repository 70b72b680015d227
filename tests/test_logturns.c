/* Long log scans share the loop in turns against the real svcd: each pauses
 * after a slice, and the loop goes on with one paused scan per turn, each in
 * its turn, so a short scan started first is not held behind a long one
 * started after it. Ordering only: no timed assertion. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <poll.h>
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

#define ENTRIES   400000 /* some 160 slices of 2 500 lines to search through */
#define NEEDLE_AT (ENTRIES - 40000)

static struct svcdtest t;

static void write_history(void)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/svcd.log", t.state);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (int i = 1; i <= ENTRIES; i++)
        fprintf(f,
                "{\"seq\":%d,\"time\":\"2026-11-24T%02d:%02d:%02d.000000Z\",\"level\":\"info\","
                "\"source\":\"worker\",\"msg\":\"history entry %d%s\"}\n",
                i, (i / 3600) % 24, (i / 60) % 60, i % 60, i, i == NEEDLE_AT ? " needle" : "");
    cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
    svcdtest_prepare(&t);
    write_history();
    svcdtest_start(&t, (const char *[]){"--control-group", "root", "--rotate-size", "1G", NULL});
}

static void teardown(void)
{
    svcdtest_finish(&t, 5000);
}

TestSuite(logturns, .init = setup, .fini = teardown, .timeout = 120);

/* `logs --tail 1 --grep TEXT` on a new connection. */
static int search(const char *text, uint64_t id)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    int fd = raw_connect(t.sock);

    cr_assert_geq(fd, 0);
    lr.tail = 1;
    lr.grep = (char *)text;
    Svcd__Request req = raw_logs_req(id, &lr);
    cr_assert_eq(raw_send_req(fd, &req), 0);
    return fd;
}

/* A search that finds its match 40 000 lines back, then one through all
 * 400 000 lines for a text that is nowhere: the short one ends first, with
 * its match, though the long one is the newer stream. */
Test(logturns, a_short_scan_is_not_held_behind_a_longer_newer_one)
{
    int fds[2], ended[2] = {0, 0}, order = 0, found = 0;
    struct pollfd pf[2];

    fds[0] = search("needle", 1);
    fds[1] = search("no-such-text-anywhere", 2);
    for (int i = 0; i < 2; i++)
        pf[i] = (struct pollfd){fds[i], POLLIN, 0};
    while (!ended[0] || !ended[1]) {
        cr_assert_gt(poll(pf, 2, 60000), 0, "no answer for 60 s");
        for (int i = 0; i < 2; i++) {
            if (ended[i] || !pf[i].revents)
                continue;
            Svcd__Response *r = raw_recv_resp(fds[i], 10000);
            cr_assert_not_null(r, "stream %d broke", i + 1);
            if (r->body_case == SVCD__RESPONSE__BODY_LOG_CHUNK && i == 0)
                for (size_t k = 0; k < r->log_chunk->n_entries; k++)
                    found += strstr(r->log_chunk->entries[k]->message, "needle") != NULL;
            if (r->body_case == SVCD__RESPONSE__BODY_LOG_END)
                ended[i] = ++order;
            svcd__response__free_unpacked(r, NULL);
        }
    }
    cr_assert_eq(found, 1, "the short search finds its match");
    cr_assert_eq(ended[0], 1, "the short search (40 000 lines) ends before the long one (400 000)");
    close(fds[0]);
    close(fds[1]);
}
