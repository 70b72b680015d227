#define _GNU_SOURCE
#include "userdb.h"
#include "clock.h"
#include "err.h"
#include "json.h"

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Uids asked for and answers not yet taken by the loop, at most this many
 * each: a request past it is refused (asked again later), an answer past
 * it dropped (the loop takes answers at every get, so that takes a burst
 * of more than this many new uids inside one loop round). */
#define RESOLVE_MAX 64

struct answer {
    long uid;
    int rc;
    uint64_t at; /* when the lookup returned: an answer is as old as that */
    struct idcache_user u;
};

static struct idcache cache;
static int cache_ready;
static uint64_t (*now_fn)(void) = clock_mono_us;

/* The resolver thread's side, under `mu`: what it is asked, what it
 * answered, which lookup it runs (the seam may change it), and whom it
 * wakes. `gen` counts seam changes: an answer of an older one is dropped. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t asked_cv = PTHREAD_COND_INITIALIZER;
static long asked[RESOLVE_MAX];
static size_t nasked;
static struct answer answers[RESOLVE_MAX];
static size_t nanswers;
static atomic_int answered; /* nanswers > 0, read without the lock */
static int resolver_running;
static unsigned gen;
static idcache_lookup_fn resolver_lookup = userdb_lookup_nss;
static void *resolver_ctx;
static void (*wake_fn)(void *);
static void *wake_ctx;

/* getpwuid_r into a buffer that grows while the entry does not fit
 * (ERANGE: a long gecos or a directory's big record is an answer, not an
 * outage), up to 1 MiB. Returns getpwuid_r's result; *bufp is the caller's
 * to free. */
static int getpw_grow(uid_t uid, struct passwd *pw, char **bufp, struct passwd **res)
{
    size_t n = 16384;
    int rc;

    for (;;) {
        char *b = realloc(*bufp, n);
        if (b == NULL)
            return ENOMEM;
        *bufp = b;
        rc = getpwuid_r(uid, pw, b, n, res);
        if (rc != ERANGE || n >= 1024 * 1024)
            return rc;
        n *= 4;
    }
}

int userdb_lookup_nss(void *ctx, long uid, struct idcache_user *u)
{
    struct passwd pw, *res = NULL;
    gid_t gids[IDCACHE_GROUPS_MAX];
    int ng = IDCACHE_GROUPS_MAX, rc;
    char *buf = NULL;

    (void)ctx;
    if (uid < 0)
        return 0;
    rc = getpw_grow((uid_t)uid, &pw, &buf, &res);
    /* these say "no such user" (getpwuid_r(3)); any other error is an
     * outage of the database, not an answer */
    if (rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
        goto free_buf;
    if (rc != 0) {
        rc = err_from_os((unsigned long)rc);
        goto free_buf;
    }
    if (res == NULL)
        goto free_buf;
    u->found = 1;
    json_utf8_fit(u->name, sizeof(u->name), pw.pw_name, strlen(pw.pw_name));
    if (getgrouplist(pw.pw_name, pw.pw_gid, gids, &ng) < 0)
        ng = IDCACHE_GROUPS_MAX; /* more than fit: the first ones still count */
    for (int i = 0; i < ng && i < IDCACHE_GROUPS_MAX; i++)
        u->gids[u->ngids++] = (long)gids[i];
free_buf:
    free(buf);
    return rc < 0 ? rc : 0;
}

/* The resolver thread: one lookup at a time, off the loop, so a name
 * service that hangs holds up only the uids waiting behind it (their
 * requests are answered "try again" once IDCACHE_WAIT_US is over), never
 * the loop. Each answer wakes the loop, which takes it at its next get. */
static void *resolve(void *arg)
{
    static struct answer a; /* only this thread uses it */

    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (nasked == 0)
            pthread_cond_wait(&asked_cv, &mu);
        idcache_lookup_fn lookup = resolver_lookup;
        uint64_t (*now)(void) = now_fn;
        void *ctx = resolver_ctx;
        unsigned asked_gen = gen;
        memset(&a, 0, sizeof(a));
        a.uid = asked[0];
        pthread_mutex_unlock(&mu);
        a.rc = lookup(ctx, a.uid, &a.u);
        a.at = now();
        pthread_mutex_lock(&mu);
        /* taken off the queue only now: asking again meanwhile is a no-op */
        if (nasked > 0 && asked[0] == a.uid && asked_gen == gen)
            memmove(asked, asked + 1, --nasked * sizeof(asked[0]));
        if (asked_gen != gen || nanswers == RESOLVE_MAX)
            continue;
        answers[nanswers++] = a;
        atomic_store(&answered, 1);
        if (wake_fn)
            wake_fn(wake_ctx);
    }
    return NULL;
}

/* Starts the resolver thread with every signal blocked: signals stay the
 * loop thread's (host_posix.c's handler relies on running there). Returns
 * 0 or ERR_AGAIN. */
static int start_resolver(void)
{
    sigset_t all, old;
    pthread_t t;
    int rc;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&t, NULL, resolve, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return ERR_AGAIN;
    pthread_detach(t);
    return 0;
}

/* idcache's request: queues uid for the resolver (started at the first
 * request). Returns 0, or ERR_AGAIN when the queue is full or no thread
 * can be started (the uid stays unknown and is asked again later). */
static int request(void *ctx, long uid)
{
    int rc = 0;

    (void)ctx;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nasked; i++)
        if (asked[i] == uid)
            goto unlock;
    if (nasked == RESOLVE_MAX) {
        rc = ERR_AGAIN;
        goto unlock;
    }
    if (!resolver_running) {
        if (start_resolver() < 0) {
            rc = ERR_AGAIN;
            goto unlock;
        }
        resolver_running = 1;
    }
    asked[nasked++] = uid;
    pthread_cond_signal(&asked_cv);
unlock:
    pthread_mutex_unlock(&mu);
    return rc;
}

/* Stores the answers the resolver has given since the last call, each as
 * of when it was given: one that waited for a quiet loop to take it is not
 * fresher for that (its lifetime, and how long it outlives an outage, count
 * from the lookup). */
static void take_answers(uint64_t now)
{
    if (!atomic_load(&answered))
        return;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nanswers; i++)
        idcache_put(&cache, answers[i].uid, answers[i].rc, &answers[i].u,
                    answers[i].at < now ? answers[i].at : now);
    nanswers = 0;
    atomic_store(&answered, 0);
    pthread_mutex_unlock(&mu);
}

/* (Re)starts the cache, asynchronous, looking up through `lookup`;
 * answers of the previous lookup still under way are dropped. */
static void reset(idcache_lookup_fn lookup, void *ctx)
{
    pthread_mutex_lock(&mu);
    gen++;
    nasked = nanswers = 0;
    atomic_store(&answered, 0);
    resolver_lookup = lookup;
    resolver_ctx = ctx;
    idcache_init(&cache, IDCACHE_TTL_US, IDCACHE_NEG_TTL_US, lookup, ctx);
    idcache_set_async(&cache, request, NULL);
    cache_ready = 1;
    pthread_mutex_unlock(&mu);
}

const struct idcache_user *userdb_get(long uid)
{
    uint64_t now = now_fn();

    if (!cache_ready)
        reset(userdb_lookup_nss, NULL);
    take_answers(now);
    return idcache_get(&cache, uid, now);
}

void userdb_set_wake(void (*fn)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&mu);
    wake_fn = fn;
    wake_ctx = ctx;
    pthread_mutex_unlock(&mu);
}

void userdb_set_seam(idcache_lookup_fn lookup, void *ctx, uint64_t (*now)(void))
{
    pthread_mutex_lock(&mu); /* the resolver reads it */
    now_fn = now ? now : clock_mono_us;
    pthread_mutex_unlock(&mu);
    reset(lookup ? lookup : userdb_lookup_nss, ctx);
}

uint64_t userdb_lookups(void)
{
    return cache.lookups;
}
