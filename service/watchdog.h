/* systemd's watchdog (WatchdogSec=): when the manager asks, the loop sends
 * WATCHDOG=1 at half the interval, and systemd restarts a svcd whose loop
 * stopped turning. Pure: the caller passes the environment and the time;
 * host_posix.c reads the one and sends through sdnotify. */
#ifndef SVCD_WATCHDOG_H
#define SVCD_WATCHDOG_H

#include <stdint.h>

struct watchdog {
    uint64_t every_us; /* between keep-alives; 0: no watchdog */
    uint64_t next;     /* monotonic µs of the next keep-alive */
};

/* From the values of $WATCHDOG_USEC and $WATCHDOG_PID (NULL or "" when
 * unset) and our pid, sets *interval_us to the watchdog interval asked of
 * us, 0 when none is (no WATCHDOG_USEC, or WATCHDOG_PID names another
 * process, as when a child inherited the variables). Returns 0, or ERR_INVAL
 * when a value is not a positive decimal number (then *interval_us is 0). */
int watchdog_parse(const char *usec, const char *pid, long self, uint64_t *interval_us);

/* The keep-alives' shortest period: a WatchdogSec= under twice this cannot
 * be kept, and the loop does not wake more often for it. */
#define WATCHDOG_MIN_EVERY_US 10000

/* Arms `w` for `interval_us` (0: disarmed), the first keep-alive at once,
 * then every half interval (at least WATCHDOG_MIN_EVERY_US). */
void watchdog_init(struct watchdog *w, uint64_t interval_us, uint64_t now);

/* Returns 1 when a keep-alive is due at `now`, and schedules the next one
 * half an interval later; 0 when not due or disarmed. */
int watchdog_due(struct watchdog *w, uint64_t now);

/* Microseconds until the next keep-alive (0 when overdue), or -1 when
 * disarmed: the loop must wake by then. */
int64_t watchdog_wait_us(const struct watchdog *w, uint64_t now);

#endif
