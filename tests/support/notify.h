/* A stand-in for systemd's notify socket (sd_notify(3)): tests give its
 * path to svcd as NOTIFY_SOCKET and read what svcd reports. */
#ifndef SVCD_TEST_NOTIFY_H
#define SVCD_TEST_NOTIFY_H

#include <stddef.h>

/* A datagram socket bound at `path` ("@name": abstract). Returns the fd
 * (asserts). */
int notify_listener(const char *path);

/* The next notification into buf (NUL-terminated), within 5 s (asserts). */
void notify_next(int fd, char *buf, size_t cap);

#endif
