/* Security descriptors of svcd's Windows objects, as SDDL, in one place so
 * they are documented (docs/windows.md, docs/security.md), built (ipc_win.c, fs_win.c) and tested
 * (tests/win) from the same text.
 *
 * Pipe, service mode: owner SYSTEM; protected DACL (nothing inherited);
 * SYSTEM and Administrators full control; Authenticated Users read/write
 * without FILE_CREATE_PIPE_INSTANCE (0x12019b = FILE_GENERIC_READ |
 * FILE_GENERIC_WRITE minus 0x4), so no user can start a rogue instance of
 * our pipe name.
 *
 * Pipe, console mode: only SYSTEM and the user running svcd (each %ls is the
 * user's SID string: owner, group and the ACE; AccessCheck needs an owner
 * and a group).
 *
 * Log directory, service mode: SYSTEM and Administrators full control,
 * Users read and list, inherited by the files in it.
 *
 * The state directory's lock file (svcd.lock), service mode: SYSTEM and
 * Administrators only, protected: a user who could open it for reading
 * could take the lock first and keep the service from starting. */
#ifndef SVCD_SECURITY_H
#define SVCD_SECURITY_H

#define SECURITY_PIPE_SDDL_SYSTEM   L"O:SYG:SYD:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x12019b;;;AU)"
#define SECURITY_PIPE_SDDL_USER_FMT L"O:%lsG:%lsD:P(A;;GA;;;SY)(A;;GA;;;%ls)"
#define SECURITY_LOGDIR_SDDL        L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"
#define SECURITY_LOCKFILE_SDDL      L"D:P(A;;FA;;;SY)(A;;FA;;;BA)"
/* The owner fs_win.c gives an existing service directory before its DACL
 * (a WELL_KNOWN_SID_TYPE): whoever created it must not keep WRITE_DAC. */
#define SECURITY_SERVICE_DIR_OWNER WinLocalSystemSid

/* Access masks the tests check the descriptors grant. */
#define SECURITY_PIPE_USER_MASK            0x12019bu
#define SECURITY_FILE_CREATE_PIPE_INSTANCE 0x4u

/* What svcclient asks for when it opens the pipe, and all it needs: read
 * replies, write requests, and READ_CONTROL (in GENERIC_READ) for the owner
 * check. Not GENERIC_WRITE: that maps to FILE_GENERIC_WRITE, whose
 * FILE_APPEND_DATA is the same bit as FILE_CREATE_PIPE_INSTANCE, which the
 * DACL rightly denies every non-admin (and an admin in a UAC-filtered
 * prompt). tests/win/test_win.c runs AccessCheck of exactly this mask
 * against the live pipe's descriptor for such tokens. */
#define SECURITY_PIPE_CLIENT_ACCESS (0x80000000u /* GENERIC_READ */ | 0x2u /* FILE_WRITE_DATA */)

#endif
