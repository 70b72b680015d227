/* The bounded memory buffer that holds entries while the log cannot be written. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "holdq.h"

static struct log_entry entry(const char *msg)
{
    struct log_entry e;
    memset(&e, 0, sizeof(e));
    e.level = LOG_INFO;
    e.msg = msg;
    e.msg_len = strlen(msg);
    return e;
}

Test(holdq, first_in_first_out_with_private_copies)
{
    struct holdq q;
    char buf[8] = "one";
    struct log_entry e = entry(buf);

    holdq_init(&q, 4, 1024);
    cr_assert_null(holdq_front(&q));
    cr_assert_eq(holdq_push(&q, &e), 0);
    strcpy(buf, "two");
    e = entry(buf);
    cr_assert_eq(holdq_push(&q, &e), 0);
    strcpy(buf, "xxx"); /* the caller's buffer changes; the held copies do not */
    cr_assert_eq(strncmp(holdq_front(&q)->msg, "one", 3), 0);
    holdq_pop(&q);
    cr_assert_eq(strncmp(holdq_front(&q)->msg, "two", 3), 0);
    holdq_pop(&q);
    cr_assert_null(holdq_front(&q));
    holdq_free(&q);
}

Test(holdq, bounded_by_count_and_bytes_and_counts_what_it_refuses)
{
    struct holdq q;
    struct log_entry e = entry("0123456789");

    holdq_init(&q, 3, 25);
    cr_assert_eq(holdq_push(&q, &e), 0);
    cr_assert_eq(holdq_push(&q, &e), 0);
    cr_assert_eq(holdq_push(&q, &e), ERR_TOOBIG, "30 bytes would pass the 25-byte bound");
    cr_assert_eq(q.lost, 1);
    holdq_pop(&q);
    cr_assert_eq(holdq_push(&q, &e), 0, "room again after a pop");
    e = entry("x");
    cr_assert_eq(holdq_push(&q, &e), 0);
    cr_assert_eq(holdq_push(&q, &e), ERR_TOOBIG, "three items at most");
    cr_assert_eq(q.lost, 2);
    cr_assert_eq(q.n, 3);
    holdq_free(&q);
}

Test(holdq, wraps_around_its_ring)
{
    struct holdq q;
    char m[16];

    holdq_init(&q, 3, 1024);
    for (int i = 0; i < 10; i++) {
        snprintf(m, sizeof(m), "m%d", i);
        struct log_entry e = entry(m);
        cr_assert_eq(holdq_push(&q, &e), 0);
        if (q.n == 3) {
            snprintf(m, sizeof(m), "m%d", i - 2);
            cr_assert_str_eq(holdq_front(&q)->msg, m);
            holdq_pop(&q);
        }
    }
    holdq_free(&q);
}
