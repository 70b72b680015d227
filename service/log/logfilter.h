/* Which log entries a query wants. Pure. */
#ifndef SVCD_LOGFILTER_H
#define SVCD_LOGFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "logline.h"

#define LOGFILTER_GREP_MAX 256

struct logfilter {
    int64_t since_us; /* 0: no lower bound */
    int64_t until_us; /* 0: no upper bound */
    int min_level;    /* 0: every level */
    int max_level;    /* 0: no upper bound */
    char grep[LOGFILTER_GREP_MAX];
    size_t grep_len;
    int ignore_case; /* ASCII letters only; other bytes compare as they are */
};

/* True when the filter lets everything through (the fast tail path). */
int logfilter_is_all(const struct logfilter *f);

/* False only when a raw log line cannot match: the grep text is plain
 * (nothing JSON would escape), so a matching line holds it verbatim. Lets a
 * reader skip most lines without parsing them. */
int logfilter_line_may_match(const struct logfilter *f, const char *line, size_t len);

/* True when the entry passes every bound. */
int logfilter_match(const struct logfilter *f, const struct log_entry *e);

#endif
