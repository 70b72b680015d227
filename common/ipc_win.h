/* Internal to ipc_win.c, and exported for tests/win/test_win.c: the
 * descriptor the server gives its pipe, so the tests run AccessCheck on
 * exactly what the server builds. */
#ifndef SVCD_IPC_WIN_H
#define SVCD_IPC_WIN_H

#include <windows.h>

/* Builds the pipe's security descriptor from security.h's SDDL: the
 * service's (system_mode) or the one of the user running a console svcd.
 * Returns 0 and *sd (free with LocalFree), or an ERR_ code when the token
 * or the SDDL cannot be read. */
int ipc_win_pipe_sd(int system_mode, PSECURITY_DESCRIPTOR *sd);

#endif
