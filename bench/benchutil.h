/* What the bench programs share: the clock, frames, and the svcd under
 * test (connecting is raw_connect, from tests/support/raw.h). Errors end the benchmark with a
 * message. */
#ifndef SVCD_BENCHUTIL_H
#define SVCD_BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

double bench_now_us(void);

/* A listening socket at `path` for a baseline server (exits on failure). */
int bench_listen(const char *path);

/* Waits until `path` accepts connections (at most 5 s, else exits). */
void bench_wait_ready(const char *path);

/* Reads exactly n bytes: 0, or -1 at end of stream or on an error. */
int bench_read_full(int fd, void *buf, size_t n);

/* Writes all n bytes (blocking): 0, or -1 on an error. */
int bench_write_full(int fd, const void *buf, size_t n);

/* Reads one frame (header and payload) into buf: the payload length, or -1. */
int bench_read_frame(int fd, uint8_t *buf, size_t cap);

/* A framed status request (free with free). Exits when it cannot be built. */
uint8_t *bench_status_frame(size_t *len);

/* Starts svcd on `sock` with its log in `state` (output discarded; root's
 * group as control_group, so it needs no svcd group; no per-user limit in
 * the way), and waits until it listens. Returns its pid. BENCH_SVCD=path
 * starts another svcd build instead (to compare two back to back). */
pid_t bench_start_svcd(const char *sock, const char *state);

/* Latencies in microseconds, kept to read percentiles from. */
struct bench_samples {
    double *v;
    int n, cap;
};

/* Adds one (exits when out of memory). */
void bench_sample(struct bench_samples *s, double us);

/* The p-th quantile (0.5 median, 0.99 p99), by sorting; 0 with none. */
double bench_pct(struct bench_samples *s, double p);

/* Stops a child (signal, then wait). */
void bench_stop(pid_t pid, int sig);

#endif
