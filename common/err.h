/* Error codes shared by every module.
 *
 * Functions return 0 on success or one of these negative codes. OS error
 * numbers (errno on POSIX, GetLastError() values on Windows) are translated in
 * exactly one function per platform: err_from_os in err_posix.c / err_win.c. */
#ifndef SVCD_ERR_H
#define SVCD_ERR_H

enum {
    ERR_OK = 0,
    ERR_NOMEM = -1,        /* out of memory */
    ERR_INVAL = -2,        /* invalid argument or value */
    ERR_IO = -3,           /* other I/O error */
    ERR_NOENT = -4,        /* no such file, endpoint or service */
    ERR_EXIST = -5,        /* already exists */
    ERR_ACCESS = -6,       /* permission denied */
    ERR_TIMEDOUT = -7,     /* a wait ran out */
    ERR_CONNREFUSED = -8,  /* nobody listens on the endpoint */
    ERR_CLOSED = -9,       /* the peer closed the connection */
    ERR_TOOBIG = -10,      /* over a size limit */
    ERR_PROTO = -11,       /* malformed frame or message */
    ERR_AGAIN = -12,       /* would block; try later */
    ERR_INUSE = -13,       /* the endpoint is held by a live process */
    ERR_NOSPC = -14,       /* no space left on device */
    ERR_INTR = -15,        /* interrupted */
    ERR_NAMETOOLONG = -16, /* a path does not fit */
    ERR_UNTRUSTED = -17,   /* the endpoint (or svcd.lock) is not whose or what it should be */
    ERR_UNSUPPORTED = -18, /* not available on this platform */
    ERR_BUSY = -19,        /* another process holds the file (a sharing violation) */
    ERR_NOTDIR = -20,      /* a link or a file where a folder must be */
    ERR_NOTSOCK = -21,     /* something other than a socket at an endpoint path (POSIX) */
    ERR_LOOP = -22         /* a path goes through too many symbolic links (a loop) */
};

/* Returns a short lower-case description of an ERR_ code, never NULL. */
const char *err_str(int err);

/* Translates an OS error number (errno / a Win32 error code) into an ERR_
 * code: the platform's single translation point. */
int err_from_os(unsigned long code);

/* err_from_os of the calling thread's last OS error. */
int err_last_os(void);

#endif
