#include "logtest.h"

#include <string.h>

int logtest_append(struct logstore *ls, const char *msg, int durable, uint64_t now)
{
    struct log_entry e;

    memset(&e, 0, sizeof(e));
    e.level = LOG_INFO;
    strcpy(e.source, "worker");
    e.msg = msg;
    e.msg_len = strlen(msg);
    e.uid = e.pid = -1;
    return logstore_append(ls, &e, durable, now);
}
