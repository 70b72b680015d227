/* Internal to svcmgr_win.c and the other Windows SCM callers (configure_win.c):
 * every SCM call retried while the service database is locked (1055; the
 * SCM holds it while it starts services, e.g. during a boot-time GPO
 * install), within one verb's time. */
#ifndef SVCD_SVCMGR_WIN_H
#define SVCD_SVCMGR_WIN_H

#include <windows.h>

/* Starts a verb's time (SVCMGR_WAIT_MS) for the retries below. */
void svcmgr_win_verb_begin(void);

/* After an SCM call failed: 1 (after a short sleep) when it should be
 * retried, i.e. the database was locked and the verb has time left; else 0.
 * The last error is kept for the caller either way. */
int svcmgr_win_locked_retry(void);

/* Opens the SCM with scm_access and svcd with access, both retried while
 * the database is locked. Returns the service handle (and *scm), or NULL
 * with the last error set and *scm closed. */
SC_HANDLE svcmgr_win_open(SC_HANDLE *scm, DWORD scm_access, DWORD access);

/* ChangeServiceConfig2W, retried while the SCM database is locked like the
 * calls above. Returns its BOOL with the last error kept. */
BOOL svcmgr_win_change_config2(SC_HANDLE svc, DWORD level, void *info);

#endif
