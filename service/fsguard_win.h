/* Windows: reading the descriptors that fsguard.c judges. */
#ifndef SVCD_FSGUARD_WIN_H
#define SVCD_FSGUARD_WIN_H

#include <stddef.h>
#include <windows.h>

#include "fsguard.h"

#define FSGUARD_WHY_MAX 512

/* Judges a security descriptor with the trusted SIDs: SYSTEM, Administrators,
 * TrustedInstaller, the account this process runs as (the service's own,
 * LocalSystem when installed) and svcd's service SID (NT SERVICE\svcd) where
 * the system resolves it. Returns 0; ERR_ACCESS with `why` completing
 * "<path> ..." (e.g. "can be changed by Everyone (S-1-1-0), who may write
 * (or add files), delete"); or ERR_NOMEM. */
int fsguard_check_sd(PSECURITY_DESCRIPTOR sd, char *why, size_t n);

/* fsguard_check_sd of the owner and DACL of the file or folder at `path`,
 * opened without following a link. Returns 0; ERR_ACCESS with `why` (also
 * for a junction or symbolic link, and for a descriptor SYSTEM may not
 * read); or the error of opening it (ERR_NOENT when it does not exist). */
int fsguard_check_path(const char *path, char *why, size_t n);

#endif
