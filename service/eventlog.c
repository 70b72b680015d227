/* The platform-independent part of the event log: which class each kind
 * belongs to, and the `eventlog` config value. */
#include "eventlog.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} class_names[] = {
    {"lifecycle", EVENTLOG_CLASS_LIFECYCLE},
    {"audit", EVENTLOG_CLASS_AUDIT},
    {"failures", EVENTLOG_CLASS_FAILURES},
    {"clients", EVENTLOG_CLASS_CLIENTS},
};
#define N_CLASSES (sizeof(class_names) / sizeof(class_names[0]))

enum eventlog_class eventlog_class_of(enum eventlog_kind kind)
{
    switch (kind) {
    case EVENTLOG_STARTED:
    case EVENTLOG_STOPPING:
    case EVENTLOG_STOPPED:
    case EVENTLOG_PAUSED:
    case EVENTLOG_RESUMED:
        return EVENTLOG_CLASS_LIFECYCLE;
    case EVENTLOG_DENIED:
        return EVENTLOG_CLASS_AUDIT;
    case EVENTLOG_CUT_OFF:
        return EVENTLOG_CLASS_CLIENTS;
    default:
        return EVENTLOG_CLASS_FAILURES;
    }
}

static int bad_value(const char *word, size_t len, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "unknown class '%.*s' (a comma-separated list of lifecycle, audit, "
             "failures, clients; or all, or none)",
             (int)len, word);
    return ERR_INVAL;
}

int eventlog_parse_classes(const char *text, unsigned *mask, char *err, size_t errlen)
{
    const char *p = text;
    unsigned m = 0;
    int words = 0, alone = 0;

    for (;;) {
        const char *e = p + strcspn(p, ",");
        const char *s = p, *t = e;
        size_t i;

        while (s < t && (*s == ' ' || *s == '\t'))
            s++;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (s == t) {
            snprintf(err, errlen, "empty class in '%s' (for no events: none)", text);
            return ERR_INVAL;
        }
        words++;
        if ((size_t)(t - s) == 3 && strncmp(s, "all", 3) == 0) {
            m = EVENTLOG_CLASSES_ALL;
            alone = 1;
        } else if ((size_t)(t - s) == 4 && strncmp(s, "none", 4) == 0) {
            alone = 1;
        } else {
            for (i = 0; i < N_CLASSES; i++)
                if (strlen(class_names[i].name) == (size_t)(t - s) &&
                    strncmp(s, class_names[i].name, (size_t)(t - s)) == 0)
                    break;
            if (i == N_CLASSES)
                return bad_value(s, (size_t)(t - s), err, errlen);
            m |= class_names[i].bit;
        }
        if (*e == '\0')
            break;
        p = e + 1;
    }
    if (alone && words > 1) {
        snprintf(err, errlen, "'all' and 'none' stand alone, not in a list ('%s')", text);
        return ERR_INVAL;
    }
    *mask = m;
    return 0;
}

void eventlog_format_classes(unsigned mask, char *buf, size_t n)
{
    size_t off = 0;

    if (n == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < N_CLASSES; i++) {
        if (!(mask & class_names[i].bit) || off >= n)
            continue;
        off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? "," : "", class_names[i].name);
    }
    if (buf[0] == '\0')
        snprintf(buf, n, "none");
}
