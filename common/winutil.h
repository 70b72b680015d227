/* Helpers for the *_win.c files only: UTF-8 inside, UTF-16 at the Win32
 * boundary, and SID/account lookups. */
#ifndef SVCD_WINUTIL_H
#define SVCD_WINUTIL_H

#include <stddef.h>
#include <windows.h>

/* UTF-8 -> new UTF-16 string (free with free), or NULL. */
wchar_t *win_wide(const char *utf8);

/* UTF-16 -> UTF-8 into buf. Returns 0 or ERR_NAMETOOLONG / ERR_INVAL. */
int win_utf8(const wchar_t *w, char *buf, size_t n);

/* The SID of the token's user as a string ("S-1-5-18") and the account name
 * ("NT AUTHORITY\SYSTEM" shortened to "SYSTEM"; the SID itself when it has
 * none). Names are cached per SID for 10 minutes, so a slow lookup (a domain
 * controller far away) stalls no caller twice. Returns 0 or an ERR_ code. */
int win_token_user(HANDLE token, char *sid, size_t sidlen, char *name, size_t namelen);

/* win_token_user that waits at most wait_ms for a name not cached yet: a
 * slower lookup goes on on a pool thread and fills the cache, and the name is
 * the SID string this time (INFINITE: wait, on this thread). For the
 * service's I/O thread. */
int win_token_user_wait(HANDLE token, char *sid, size_t sidlen, char *name, size_t namelen,
                        DWORD wait_ms);

/* The account name of `sid` as win_token_user_wait finds it. */
int win_sid_name(PSID sid, char *name, size_t namelen, DWORD wait_ms);

/* How many times LookupAccountSidW was asked (the rest came from the
 * cache): for tests. */
long win_account_lookups(void);

/* True when the SID is LocalSystem (S-1-5-18). */
int win_sid_is_system(PSID sid);

#endif
