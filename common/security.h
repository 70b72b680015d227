/* Security descriptors of svcd's Windows objects, as SDDL, in one place so
 * they are documented (README), built (ipc_win.c, fs_win.c) and tested
 * (tests/win) from the same text.
 *
 * Pipe, service mode: owner SYSTEM; protected DACL (nothing inherited);
 * SYSTEM and Administrators full control; Authenticated Users read/write
 * without FILE_CREATE_PIPE_INSTANCE (0x12019b = FILE_GENERIC_READ |
 * FILE_GENERIC_WRITE minus 0x4), so no user can start a rogue instance of
 * our pipe name.
 *
 * Pipe, console mode: only SYSTEM and the user running svcd (the %ls is the
 * user's SID string).
 *
 * Log directory, service mode: SYSTEM and Administrators full control,
 * Users read and list, inherited by the files in it. */
#ifndef SVCD_SECURITY_H
#define SVCD_SECURITY_H

#define SECURITY_PIPE_SDDL_SYSTEM   L"O:SYG:SYD:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x12019b;;;AU)"
#define SECURITY_PIPE_SDDL_USER_FMT L"O:%lsD:P(A;;GA;;;SY)(A;;GA;;;%ls)"
#define SECURITY_LOGDIR_SDDL        L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"
/* The owner fs_win.c gives an existing service directory before its DACL
 * (a WELL_KNOWN_SID_TYPE): whoever created it must not keep WRITE_DAC. */
#define SECURITY_SERVICE_DIR_OWNER WinLocalSystemSid

/* Access masks the tests check the descriptors grant. */
#define SECURITY_PIPE_USER_MASK            0x12019bu
#define SECURITY_FILE_CREATE_PIPE_INSTANCE 0x4u

#endif
