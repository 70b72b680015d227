/* Writes a svcd log history for the benchmarks: JSON Lines exactly as svcd
 * writes them, one entry a second ending now, split into rotated files
 * svcd.log.<first seq> of `file_mib` MiB plus the current svcd.log. Every
 * millionth message contains "needle" for the grep benchmark.
 *   bench_genlog DIR TOTAL_MIB FILE_MIB
 *   bench_genlog --export TOTAL_MIB   the same entries in journal export format
 *                                     on stdout, for systemd-journal-remote */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* The same entries as main() writes, as a journal export stream. */
static int export_stream(unsigned long long total)
{
    unsigned long long count = total / 130;
    int64_t now = clock_wall_us();

    for (unsigned long long seq = 1; seq <= count; seq++)
        printf("__REALTIME_TIMESTAMP=%lld\n__MONOTONIC_TIMESTAMP=%llu\n"
               "_BOOT_ID=0123456789abcdef0123456789abcdef\nPRIORITY=6\n"
               "SYSLOG_IDENTIFIER=svcd\nMESSAGE=heartbeat %llu%s\n\n",
               (long long)(now - (int64_t)(count - seq) * CLOCK_US_PER_SEC), seq, seq,
               seq % 1000000 == 0 ? " needle" : " of the bench run");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--export") == 0)
        return export_stream(strtoull(argv[2], NULL, 10) << 20);
    if (argc != 4) {
        fprintf(stderr, "usage: bench_genlog DIR TOTAL_MIB FILE_MIB\n");
        return 2;
    }
    const char *dir = argv[1];
    unsigned long long total = strtoull(argv[2], NULL, 10) << 20;
    unsigned long long per_file = strtoull(argv[3], NULL, 10) << 20;
    unsigned long long line_len = 130; /* about what one entry takes */
    unsigned long long count = total / line_len, seq, written = 0, in_file = 0;
    int64_t now = clock_wall_us();
    char path[4096], stamp[CLOCK_UTC_LEN], line[512];
    FILE *f = NULL;

    for (seq = 1; seq <= count; seq++) {
        if (f == NULL || in_file >= per_file) {
            if (f)
                fclose(f);
            int last = written + per_file >= total;
            if (last)
                snprintf(path, sizeof(path), "%s/svcd.log", dir);
            else
                snprintf(path, sizeof(path), "%s/svcd.log.%012llu", dir, seq);
            f = fopen(path, "w");
            if (f == NULL) {
                perror(path);
                return 1;
            }
            in_file = 0;
        }
        clock_format_utc(now - (int64_t)(count - seq) * CLOCK_US_PER_SEC, stamp);
        int n = snprintf(line, sizeof(line),
                         "{\"seq\":%llu,\"time\":\"%s\",\"level\":\"info\",\"logger\":\"worker\","
                         "\"msg\":\"heartbeat %llu%s\"}\n",
                         seq, stamp, seq, seq % 1000000 == 0 ? " needle" : " of the bench run");
        fwrite(line, 1, (size_t)n, f);
        in_file += (unsigned long long)n;
        written += (unsigned long long)n;
    }
    fclose(f);
    printf("%llu entries, %.0f MiB\n", count, written / 1048576.0);
    return 0;
}
