/* Why the service last failed, kept for the CLI: the Windows SCM passes on
 * only a number (dwServiceSpecificExitCode, a run_exit code), so the service
 * also writes the reason's text to a small file in its data folder
 * (%ProgramData%\svcd\last-failure.txt, which inherits the folder's DACL:
 * SYSTEM and Administrators write, Users read), and removes it once it runs.
 * `svcd start|restart|status` print it when the SCM reports that very code.
 *
 * The file holds one line: "<code> <text>". */
#ifndef SVCD_FAILNOTE_H
#define SVCD_FAILNOTE_H

#include <stddef.h>

#define FAILNOTE_NAME     "last-failure.txt"
#define FAILNOTE_TEXT_MAX 2048

/* The service's data folder: the parent of the system-wide default state
 * directory. Returns 0 or ERR_NAMETOOLONG / ERR_INVAL. */
int failnote_dir(char *buf, size_t n);

/* Pure: the file's content for (code, text), and back. `text` is cut at its
 * first line break. failnote_parse returns 0, or ERR_INVAL when the bytes
 * are not such a line. */
void failnote_format(int code, const char *text, char *buf, size_t n);
int failnote_parse(const char *data, size_t len, int *code, char *text, size_t n);

/* Replaces the note in `dir` (written to a temporary name, then renamed, so
 * a reader never sees half of it). Returns 0 or an ERR_ code. */
int failnote_write(const char *dir, int code, const char *text);

/* Reads the note for `code`: 0 with its text, or ERR_NOENT when there is
 * none or it is about another code (a stale note is never shown). */
int failnote_read(const char *dir, int code, char *text, size_t n);

/* Removes the note; 0 also when there was none. */
int failnote_clear(const char *dir);

#endif
