#include <criterion/criterion.h>
#include <string.h>

#include "err.h"
#include "worker.h"

#define SEC 1000000ULL

Test(worker, first_heartbeat_is_due_at_start_then_every_interval)
{
    struct worker w;

    worker_init(&w, SEC);
    cr_assert_eq(w.state, WORKER_STARTING);
    cr_assert_not(worker_due(&w, 100));
    worker_start(&w, 100);
    cr_assert(worker_due(&w, 100));
    worker_beat(&w, 100);
    cr_assert_eq(w.beats, 1);
    cr_assert_not(worker_due(&w, 100 + SEC - 1));
    cr_assert_eq(worker_wait_us(&w, 100), (int64_t)SEC);
    cr_assert(worker_due(&w, 100 + SEC));
}

Test(worker, a_stall_does_not_cause_a_burst)
{
    struct worker w;

    worker_init(&w, SEC);
    worker_start(&w, 0);
    worker_beat(&w, 0);
    worker_beat(&w, 10 * SEC); /* woke up 10 s late */
    cr_assert_eq(w.next_due, 11 * SEC);
    cr_assert_not(worker_due(&w, 10 * SEC + 1));
}

Test(worker, pause_stops_heartbeats_and_is_idempotent)
{
    struct worker w;

    worker_init(&w, SEC);
    worker_start(&w, 0);
    cr_assert_eq(worker_pause(&w, 1234, "alice (uid 1000, pid 1)"), 1);
    cr_assert_eq(w.state, WORKER_PAUSED);
    cr_assert_eq(w.paused_since_us, 1234);
    cr_assert_str_eq(w.paused_by, "alice (uid 1000, pid 1)");
    cr_assert_not(worker_due(&w, 100 * SEC));
    cr_assert_eq(worker_wait_us(&w, 0), -1);
    cr_assert_eq(worker_pause(&w, 9999, "bob"), 0);
    cr_assert_str_eq(w.paused_by, "alice (uid 1000, pid 1)", "a repeat pause keeps who paused");
    cr_assert_eq(w.paused_since_us, 1234);
}

Test(worker, resume_restarts_one_interval_later_and_is_idempotent)
{
    struct worker w;

    worker_init(&w, SEC);
    worker_start(&w, 0);
    cr_assert_eq(worker_resume(&w, 5), 0, "resuming a running worker changes nothing");
    worker_pause(&w, 1, "x");
    cr_assert_eq(worker_resume(&w, 50 * SEC), 1);
    cr_assert_eq(w.state, WORKER_RUNNING);
    cr_assert_eq(w.paused_since_us, 0);
    cr_assert_str_eq(w.paused_by, "");
    cr_assert_not(worker_due(&w, 50 * SEC));
    cr_assert(worker_due(&w, 51 * SEC));
}

Test(worker, no_changes_once_stopping)
{
    struct worker w;

    worker_init(&w, SEC);
    cr_assert_eq(worker_pause(&w, 1, "x"), ERR_INVAL, "cannot pause before start");
    worker_start(&w, 0);
    worker_stop(&w);
    cr_assert_eq(worker_pause(&w, 1, "x"), ERR_INVAL);
    cr_assert_eq(worker_resume(&w, 1), ERR_INVAL);
    cr_assert_not(worker_due(&w, 100 * SEC));
}

Test(worker, heartbeat_text_substitutes_the_count)
{
    struct sbuf b;

    sbuf_init(&b, 0);
    worker_heartbeat_text("구동중 {n}번 째 로그", 12, &b);
    cr_assert_str_eq(b.p, "구동중 12번 째 로그");
    sbuf_reset(&b);
    worker_heartbeat_text("{n}/{n} {x}", 3, &b);
    cr_assert_str_eq(b.p, "3/3 {x}");
    sbuf_reset(&b);
    worker_heartbeat_text("no count", 3, &b);
    cr_assert_str_eq(b.p, "no count");
    sbuf_free(&b);
}

Test(worker, a_new_interval_counts_from_the_last_heartbeat)
{
    struct worker w;

    worker_init(&w, 1000000);
    worker_start(&w, 0);
    worker_beat(&w, 0); /* next at 1 s */
    worker_set_interval(&w, 3000000, 500000);
    cr_assert_not(worker_due(&w, 2999999));
    cr_assert(worker_due(&w, 3000000), "3 s after the last one");
    worker_beat(&w, 3000000);
    worker_set_interval(&w, 100000, 3500000); /* 0.1 s after it has passed: at once */
    cr_assert(worker_due(&w, 3500000));
    cr_assert_eq(w.interval_us, 100000);
}

Test(worker, a_new_interval_while_paused_applies_from_the_resume)
{
    struct worker w;

    worker_init(&w, 1000000);
    worker_start(&w, 0);
    cr_assert_eq(worker_pause(&w, 0, "x"), 1);
    worker_set_interval(&w, 2000000, 10);
    cr_assert_eq(worker_resume(&w, 100), 1);
    cr_assert_not(worker_due(&w, 2000099));
    cr_assert(worker_due(&w, 2000100));
}
