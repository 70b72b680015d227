#include "logfilter.h"

#include <stddef.h>
#include <string.h>

int logfilter_is_all(const struct logfilter *f)
{
    return f->since_us == 0 && f->until_us == 0 && f->min_level == 0 && f->max_level == 0 &&
           f->grep_len == 0;
}

static char fold(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int contains(const char *hay, size_t n, const char *needle, size_t m, int icase)
{
    if (m == 0)
        return 1;
    if (!icase) {
        const char *p = hay, *end = hay + n;
        while (end - p >= (ptrdiff_t)m && (p = memchr(p, needle[0], (size_t)(end - p - m + 1)))) {
            if (memcmp(p, needle, m) == 0)
                return 1;
            p++;
        }
        return 0;
    }
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && (icase ? fold(hay[i + j]) == fold(needle[j]) : hay[i + j] == needle[j]))
            j++;
        if (j == m)
            return 1;
    }
    return 0;
}

int logfilter_match(const struct logfilter *f, const struct log_entry *e)
{
    if (f->since_us && e->time_us < f->since_us)
        return 0;
    if (f->until_us && e->time_us > f->until_us)
        return 0;
    if (f->min_level && (int)e->level < f->min_level)
        return 0;
    if (f->max_level && (int)e->level > f->max_level)
        return 0;
    return contains(e->msg, e->msg_len, f->grep, f->grep_len, f->ignore_case);
}

int logfilter_line_may_match(const struct logfilter *f, const char *line, size_t len)
{
    for (size_t i = 0; i < f->grep_len; i++) {
        unsigned char ch = (unsigned char)f->grep[i];
        if (ch == '"' || ch == '\\' || ch < 0x20 || ch == 0x7f)
            return 1; /* escaped in the file: only a parse can tell */
    }
    return contains(line, len, f->grep, f->grep_len, f->ignore_case);
}
