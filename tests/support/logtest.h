/* The log store's tests: one way to make an entry. */
#ifndef SVCD_TEST_LOGTEST_H
#define SVCD_TEST_LOGTEST_H

#include <stdint.h>

#include "logstore.h"

/* Appends a "worker" info entry with message `msg` (no user) at monotonic
 * time `now`; returns what logstore_append returns. */
int logtest_append(struct logstore *ls, const char *msg, int durable, uint64_t now);

#endif
