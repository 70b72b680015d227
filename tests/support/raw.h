/* A raw protocol client for tests that must send what svcclient never
 * would, or many requests at once: blocking sockets, every wait bounded. */
#ifndef SVCD_TEST_RAW_H
#define SVCD_TEST_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/* Connects to the Unix socket at `path`; returns the fd or -1. */
int raw_connect(const char *path);

/* Writes all n bytes; returns 0 or -1. */
int raw_send_all(int fd, const void *p, size_t n);

/* Frames and sends a request; returns 0 or -1. */
int raw_send_req(int fd, Svcd__Request *req);

/* Sends n payload bytes as one frame (any n, even 0); returns 0 or -1. */
int raw_send_payload(int fd, const void *payload, uint32_t n);

/* The next response, or NULL when the connection ended, nothing came within
 * timeout_ms, or the reply was not valid protocol. */
Svcd__Response *raw_recv_resp(int fd, int timeout_ms);

/* 1 when the server closes the connection within timeout_ms (reading and
 * dropping whatever comes first). */
int raw_closed_within(int fd, int timeout_ms);

/* A status request / a logs request (lr owned by the caller) with id. */
Svcd__Request raw_status_req(uint64_t id);
Svcd__Request raw_logs_req(uint64_t id, Svcd__LogsRequest *lr);

#endif
