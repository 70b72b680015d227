/* svcd_msica.dll: the MSI's one custom action DLL, kept in its Binary table
 * (never installed). It runs before anything is changed, so a bad public
 * property fails the install with its reason in the msiexec log and leaves
 * the machine (and a previous version) as it was. The change itself is made
 * later by the installed svcd.exe (`svcd configure`, a deferred action run
 * as LocalSystem), from the command line prepared here. */
#include "confedit.h"
#include "configure.h"
#include "err.h"
#include "sbuf.h"
#include "winutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include <msi.h>
#include <msiquery.h>

#define PROP_MAX 1024

__declspec(dllexport) UINT __stdcall SvcdPrepareConfigure(MSIHANDLE h);

/* The public properties that are config keys. */
static const struct {
    const wchar_t *prop;
    const char *name; /* the property, for messages */
    const char *key;
    const char *flag;
} props[] = {
    {L"INTERVAL", "INTERVAL", "interval", "--interval"},
    {L"CONTROL_SDDL", "CONTROL_SDDL", "control_sddl", "--control-sddl"},
    {L"STATE_DIR", "STATE_DIR", "state_dir", "--state-dir"},
};
#define NPROPS (sizeof(props) / sizeof(props[0]))

/* One line in the msiexec log (INSTALLMESSAGE_INFO), or an error the user
 * sees (INSTALLMESSAGE_ERROR: a message box with full UI, the log with /qn).
 * The text goes in as a field, so brackets in it are not formatted. */
static void say(MSIHANDLE h, INSTALLMESSAGE kind, const char *fmt, ...)
{
    char line[2 * PROP_MAX];
    wchar_t *w;
    MSIHANDLE rec;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    w = win_wide(line);
    rec = MsiCreateRecord(1);
    if (w && rec) {
        MsiRecordSetStringW(rec, 0, L"svcd: [1]");
        MsiRecordSetStringW(rec, 1, w);
        MsiProcessMessage(h, kind | (kind == INSTALLMESSAGE_ERROR ? MB_OK | MB_ICONERROR : 0), rec);
    }
    if (rec)
        MsiCloseHandle(rec);
    free(w);
}

/* A property as UTF-8 ("" when unset). Returns 0 or ERR_TOOBIG. */
static int get_prop(MSIHANDLE h, const wchar_t *name, char *buf, size_t n)
{
    wchar_t w[PROP_MAX];
    DWORD len = PROP_MAX;

    if (MsiGetPropertyW(h, name, w, &len) != ERROR_SUCCESS)
        return ERR_TOOBIG;
    return win_utf8(w, buf, n);
}

/* Whether this is maintenance of the installed product (Installed is set:
 * a repair or a change), not an install or an upgrade by a new package. */
static int maintenance(MSIHANDLE h)
{
    char installed[64];

    return get_prop(h, L"Installed", installed, sizeof(installed)) == 0 && installed[0] != '\0';
}

/* A path the service can use whatever its working directory: "C:\..." or
 * "\\server\share\...". */
static int is_absolute(const char *p)
{
    return (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':' &&
            (p[2] == '\\' || p[2] == '/')) ||
           (p[0] == '\\' && p[1] == '\\');
}

/* Reads and checks the properties into `o`. Returns 0, or -1 after saying
 * which one is wrong and why. */
static int read_props(MSIHANDLE h, char values[NPROPS][PROP_MAX], struct configure_opts *o)
{
    static char scratch_text[1];
    char startup[64], err[CONFIG_ERR_MAX];
    struct sbuf scratch;

    for (size_t i = 0; i < NPROPS; i++) {
        if (get_prop(h, props[i].prop, values[i], PROP_MAX) < 0) {
            say(h, INSTALLMESSAGE_ERROR, "%s is longer than %d characters", props[i].name,
                PROP_MAX - 1);
            return -1;
        }
        if (values[i][0] == '\0')
            continue;
        o->sets[o->nsets].key = props[i].key;
        o->sets[o->nsets].value = values[i];
        /* On its own first, so the reason names the property. */
        sbuf_init(&scratch, 0);
        int rc = confedit_apply(scratch_text, 0, &o->sets[o->nsets], 1, props[i].name, &scratch,
                                err, sizeof(err));
        sbuf_free(&scratch);
        if (rc == 0 && strcmp(props[i].key, "state_dir") == 0 && !is_absolute(values[i])) {
            snprintf(err, sizeof(err), "'%s' is not an absolute path (example: D:\\svcd\\logs)",
                     values[i]);
            rc = ERR_INVAL;
        }
        if (rc < 0) {
            say(h, INSTALLMESSAGE_ERROR,
                "%s=%s is not valid: %s. Nothing was installed or changed.", props[i].name,
                values[i], err);
            return -1;
        }
        o->nsets++;
    }
    if (get_prop(h, L"STARTUP", startup, sizeof(startup)) < 0 ||
        (startup[0] && (o->startup = configure_startup_from_name(startup)) < 0)) {
        say(h, INSTALLMESSAGE_ERROR,
            "STARTUP=%s is not valid: it must be auto, delayed, manual or disabled. Nothing was "
            "installed or changed.",
            startup);
        return -1;
    }
    return 0;
}

/* The file as it will be: the edits on the current file (or the packaged
 * default), parsed and checked as the service will. Returns 0 or -1 after
 * saying why. A file we may not read is left to `svcd configure`. */
static int check_file(MSIHANDLE h, const char *path, const struct configure_opts *o)
{
    static struct config parsed;
    char err[CONFIGURE_ERR_MAX];
    struct sbuf out;
    char *text = NULL;
    size_t n = 0;
    int rc = configure_check_file(path, err, sizeof(err));

    if (rc < 0) {
        say(h, INSTALLMESSAGE_ERROR, "refusing to edit %s. Nothing was installed or changed.", err);
        return -1;
    }
    rc = configure_read_file(path, &text, &n);
    if (rc < 0 && rc != ERR_NOENT) {
        say(h, INSTALLMESSAGE_INFO, "cannot read %s (%s); it is checked when it is written", path,
            err_str(rc));
        return 0;
    }
    sbuf_init(&out, CONFIG_FILE_MAX + 4096);
    rc = confedit_apply_parsed(text ? text : configure_default_text(),
                               text ? n : strlen(configure_default_text()), o->sets, o->nsets, path,
                               &out, &parsed, err, sizeof(err));
    if (rc == 0)
        rc = configure_check(&parsed, err, sizeof(err));
    sbuf_free(&out);
    free(text);
    if (rc < 0) {
        say(h, INSTALLMESSAGE_ERROR,
            "the configuration would not let the service start: %s. Nothing was installed or "
            "changed.",
            err);
        return -1;
    }
    return 0;
}

/* `configure --config "<path>" [--KEY "<value>"]... --startup MODE --start`:
 * svcd.exe's arguments for the deferred action, each quoted for
 * CommandLineToArgvW. */
static int build_command(const char *path, const struct configure_opts *o, struct sbuf *cmd)
{
    sbuf_adds(cmd, "configure --config ");
    confedit_quote_arg(cmd, path);
    for (size_t i = 0; i < o->nsets; i++)
        for (size_t p = 0; p < NPROPS; p++)
            if (strcmp(props[p].key, o->sets[i].key) == 0) {
                sbuf_printf(cmd, " %s ", props[p].flag);
                confedit_quote_arg(cmd, o->sets[i].value);
            }
    sbuf_printf(cmd, " --startup %s --start", configure_startup_name(o->startup));
    return cmd->failed ? ERR_NOMEM : 0;
}

/* Immediate, before InstallValidate. Reads SVCD_CONFIG (the file the
 * service is registered with), INTERVAL, CONTROL_SDDL, STATE_DIR and
 * STARTUP; sets SVCD_CONFIGURE, the deferred action's command line. With
 * no STARTUP the installed service's startup is kept (an upgrade recreates
 * the service as automatic), and a new service is automatic. Returns
 * ERROR_SUCCESS or ERROR_INSTALL_FAILURE. */
UINT __stdcall SvcdPrepareConfigure(MSIHANDLE h)
{
    static char values[NPROPS][PROP_MAX];
    static struct configure_opts o;
    char path[PROP_MAX];
    struct sbuf cmd;
    wchar_t *w = NULL;
    UINT rc = ERROR_INSTALL_FAILURE;

    memset(&o, 0, sizeof(o));
    o.startup = -1;
    if (get_prop(h, L"SVCD_CONFIG", path, sizeof(path)) < 0 || path[0] == '\0') {
        say(h, INSTALLMESSAGE_ERROR, "internal error: SVCD_CONFIG is not set");
        return ERROR_INSTALL_FAILURE;
    }
    if (maintenance(h)) {
        /* A repair of the installed product, which a standard user may
         * start and pass these properties to: they must not reach a file
         * SYSTEM writes. They apply at install and upgrade only. */
        say(h, INSTALLMESSAGE_INFO,
            "a repair or change of the installed svcd: public properties are ignored (they "
            "apply at install and upgrade; change an installed svcd with 'svcd configure' from "
            "an elevated prompt)");
    } else if (read_props(h, values, &o) < 0) {
        return ERROR_INSTALL_FAILURE;
    }
    if (check_file(h, path, &o) < 0)
        return ERROR_INSTALL_FAILURE;
    if (o.startup < 0) {
        int kept;
        o.startup = configure_get_startup(&kept) == 0 ? kept : SVCMGR_AUTO;
        say(h, INSTALLMESSAGE_INFO, "startup %s (%s)", configure_startup_name(o.startup),
            "STARTUP not given: the installed service's, or auto");
    }
    sbuf_init(&cmd, 0);
    if (build_command(path, &o, &cmd) == 0 && (w = win_wide(sbuf_str(&cmd))) != NULL &&
        MsiSetPropertyW(h, L"SVCD_CONFIGURE", w) == ERROR_SUCCESS) {
        say(h, INSTALLMESSAGE_INFO, "svcd.exe %s", sbuf_str(&cmd));
        rc = ERROR_SUCCESS;
    } else {
        say(h, INSTALLMESSAGE_ERROR, "internal error: cannot prepare svcd.exe's command line");
    }
    free(w);
    sbuf_free(&cmd);
    return rc;
}
