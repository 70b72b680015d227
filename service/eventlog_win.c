/* The Windows Application event log, source "svcd". The message table is
 * compiled into svcd.exe (service/svcd_events.mc), and the source's
 * registry key points at svcd.exe, so Event Viewer shows each event's text
 * (never "the description for Event ID ... cannot be found").
 *
 * Under Wine, ReportEventW only traces (WINEDEBUG=+eventlog): the suite
 * checks the reports that way and the message table with FormatMessageW
 * (tests/win/test_win.c). */
#include "eventlog.h"
#include "diag.h"
#include "err.h"
#include "winutil.h"

#include <stdlib.h>
#include <windows.h>

#include "svcd_events.h"

#define SOURCE     L"svcd"
#define SOURCE_KEY L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\svcd"

static HANDLE source;
static volatile LONG classes = EVENTLOG_CLASSES_DEFAULT;

/* One ID per kind, from the generated header: a kind missing from the .mc
 * does not compile, and one missing here is 0, which test_win.c fails. */
static const DWORD ids[EVENTLOG_KINDS] = {
    [EVENTLOG_STARTED] = SVCD_MSG_STARTED,           [EVENTLOG_STOPPING] = SVCD_MSG_STOPPING,
    [EVENTLOG_STOPPED] = SVCD_MSG_STOPPED,           [EVENTLOG_PAUSED] = SVCD_MSG_PAUSED,
    [EVENTLOG_RESUMED] = SVCD_MSG_RESUMED,           [EVENTLOG_DENIED] = SVCD_MSG_DENIED,
    [EVENTLOG_START_FAILED] = SVCD_MSG_START_FAILED, [EVENTLOG_FAILED] = SVCD_MSG_FAILED,
    [EVENTLOG_DEGRADED] = SVCD_MSG_DEGRADED,         [EVENTLOG_RECOVERED] = SVCD_MSG_RECOVERED,
    [EVENTLOG_WARNING] = SVCD_MSG_WARNING,           [EVENTLOG_CUT_OFF] = SVCD_MSG_CUT_OFF,
};

static WORD type_of(enum eventlog_kind kind)
{
    switch (kind) {
    case EVENTLOG_START_FAILED:
    case EVENTLOG_FAILED:
    case EVENTLOG_DEGRADED:
        return EVENTLOG_ERROR_TYPE;
    case EVENTLOG_DENIED:
    case EVENTLOG_WARNING:
    case EVENTLOG_CUT_OFF:
        return EVENTLOG_WARNING_TYPE;
    default:
        return EVENTLOG_INFORMATION_TYPE;
    }
}

void eventlog_open(void)
{
    if (source == NULL)
        source = RegisterEventSourceW(NULL, SOURCE);
}

void eventlog_set_classes(unsigned mask)
{
    InterlockedExchange(&classes, (LONG)mask);
}

void eventlog_report(enum eventlog_kind kind, const char *text)
{
    const wchar_t *strings[1];
    char clean[8192]; /* room for every control character escaped */
    wchar_t *w;

    if (source == NULL || (unsigned)kind >= EVENTLOG_KINDS ||
        !((unsigned)classes & (unsigned)eventlog_class_of(kind)))
        return;
    diag_escape(text, clean, sizeof(clean));
    w = win_wide(clean);
    strings[0] = w ? w : L"(the text is not valid UTF-8)";
    ReportEventW(source, type_of(kind), 0, ids[kind], NULL, 1, 0, strings, NULL);
    free(w);
}

void eventlog_close(void)
{
    if (source)
        DeregisterEventSource(source);
    source = NULL;
}

unsigned long eventlog_message_id(enum eventlog_kind kind)
{
    return (unsigned)kind < EVENTLOG_KINDS ? ids[kind] : 0;
}

int eventlog_install(void)
{
    wchar_t exe[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH),
          types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    HKEY key;
    LONG rc;

    if (n == 0 || n >= MAX_PATH)
        return n == 0 ? err_last_os() : ERR_NAMETOOLONG;
    rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, SOURCE_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key,
                         NULL);
    if (rc != ERROR_SUCCESS)
        return err_from_os((unsigned long)rc);
    rc = RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)exe,
                        (n + 1) * sizeof(wchar_t));
    if (rc == ERROR_SUCCESS)
        rc = RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types,
                            sizeof(types));
    RegCloseKey(key);
    return rc == ERROR_SUCCESS ? 0 : err_from_os((unsigned long)rc);
}

int eventlog_uninstall(void)
{
    LONG rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, SOURCE_KEY);

    if (rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND)
        return 0;
    return err_from_os((unsigned long)rc);
}
