/* The decisions of host_win.c's SCM control handler, as pure functions so
 * tests/win/test_win.c can check them: Wine's SCM never sends SHUTDOWN or
 * PRESHUTDOWN (ControlService refuses both), so the handler cannot be driven
 * there. Windows only. */
#ifndef SVCD_HOST_WIN_H
#define SVCD_HOST_WIN_H

#include <windows.h>

/* The SERVICE_ACCEPT_* flags svcd reports in `state`: none while starting or
 * stopping; else stop, pause/continue, shutdown and preshutdown. */
DWORD host_win_controls_accepted(DWORD state);

/* Why svcd stops on SCM control `ctl` (its "stopping (...)" log entry), or
 * NULL when `ctl` does not stop it. */
const char *host_win_stop_reason(DWORD ctl);

#endif
