#include "level.h"
#include "err.h"

#include <string.h>

static const char *const names[] = {"", "debug", "info", "notice", "warning", "error"};

const char *level_name(int level)
{
    return (level >= LEVEL_DEBUG && level <= LEVEL_ERROR) ? names[level] : "info";
}

int level_parse(const char *s, size_t n, int *level)
{
    for (int i = LEVEL_DEBUG; i <= LEVEL_ERROR; i++) {
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) {
            *level = i;
            return 0;
        }
    }
    return ERR_INVAL;
}

/* syslog's order, 0 emerg to 7 debug, and the svcd level of each */
static const struct {
    const char *name;
    int level;
} prio[] = {
    {"emerg", LEVEL_ERROR}, {"alert", LEVEL_ERROR},     {"crit", LEVEL_ERROR},
    {"err", LEVEL_ERROR},   {"warning", LEVEL_WARNING}, {"notice", LEVEL_NOTICE},
    {"info", LEVEL_INFO},   {"debug", LEVEL_DEBUG},
};

const char *level_priority_name(size_t i)
{
    return i < sizeof(prio) / sizeof(prio[0]) ? prio[i].name : NULL;
}

int level_from_priority(const char *s, int *level)
{
    for (int i = 0; i < (int)(sizeof(prio) / sizeof(prio[0])); i++) {
        if (strcmp(s, prio[i].name) == 0 || (s[0] == '0' + i && s[1] == '\0')) {
            *level = prio[i].level;
            return 0;
        }
    }
    return level_parse(s, strlen(s), level); /* svcd's own names: error */
}
