/* A thread for one call, its end reported through a pipe the loop reads
 * (worker.h). */
#include "common/worker.h"
#include "common/util.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    void (*work)(void *);
    void (*done)(void *);
    void *arg;
    int wake[2];
    struct event *ev;
} worker;

static void *run(void *p)
{
    worker *w = p;
    w->work(w->arg);
    char b = 1;
    while (write(w->wake[1], &b, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

static void worker_free(worker *w)
{
    if (w->ev)
        event_free(w->ev); /* before its fd is closed */
    for (int i = 0; i < 2; i++)
        if (w->wake[i] >= 0)
            close(w->wake[i]);
    free(w);
}

static void on_wake(evutil_socket_t fd, short what, void *p)
{
    (void)fd;
    (void)what;
    worker *w = p;
    w->done(w->arg);
    worker_free(w);
}

int vr_worker_run(struct event_base *base, void (*work)(void *), void (*done)(void *), void *arg)
{
    worker *w = vr_calloc(1, sizeof(*w));
    *w = (worker){.work = work, .done = done, .arg = arg, .wake = {-1, -1}};
    if (pipe2(w->wake, O_CLOEXEC) < 0) {
        int e = errno;
        worker_free(w);
        return -e;
    }
    /* The event first: once the thread runs, its byte may come at once. */
    w->ev = event_new(base, w->wake[0], EV_READ, on_wake, w);
    pthread_t t;
    int rc = w->ev ? pthread_create(&t, NULL, run, w) : ENOMEM;
    if (rc != 0) {
        worker_free(w);
        return -rc;
    }
    pthread_detach(t);
    event_add(w->ev, NULL);
    return 0;
}
