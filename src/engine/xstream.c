/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xstream.c - xstreams: one thread, one loop (interface in xstream.h).
 *
 * The loop, per turn: run the posted messages, run the timers due, poll the I/O queue,
 * run libuv without waiting, then give the fabric context the rest of the turn. When a
 * turn did nothing, net_progress() sleeps (after a short spin) until the fabric, the
 * message eventfd, the I/O queue's eventfd or libuv's backend fd wakes it, or until the
 * next timer; without a fabric context the thread sleeps in poll() on the same fds.
 *
 * Message queue (Vyukov's intrusive MPSC list): producers swap themselves in as the
 * head and then link the previous head to themselves; the consumer walks from the tail.
 * Between a producer's swap and its link the list looks cut; the consumer then stops
 * and is woken again by that producer. A producer writes the eventfd only when it is the
 * first to set @signalled since the consumer last cleared it; the consumer clears it
 * before draining, so a message is never left behind with nobody to wake the thread.
 */
#define D_LOGFAC DD_FAC(engine)

#include "engine/xstream.h"

#include <errno.h>
#include <gurt/common.h>
#include <gurt/list.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct eng_msg {
	struct eng_msg *_Atomic next;
	eng_fn fn;
	void *arg;
};

struct eng_timer {
	d_list_t link; /* xs->timers, sorted by @due */
	uint64_t due;
	eng_fn fn;
	void *arg;
};

struct eng_xs {
	struct eng_xs_attr attr;
	pthread_t thread;
	struct net_ctx *net;
	struct bio_ioq *ioq;
	uv_loop_t uv;
	bool uv_ok;
	int efd;

	/* message queue */
	struct eng_msg *_Atomic head;
	struct eng_msg *tail;
	struct eng_msg stub;
	atomic_int signalled;
	atomic_bool stopping;

	d_list_t timers;

	/* start-up handshake */
	sem_t started;
	int start_rc;
};

static __thread struct eng_xs *xs_self;

uint64_t
eng_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- message queue --- */

static void
mq_push(struct eng_xs *xs, struct eng_msg *m)
{
	struct eng_msg *prev;

	atomic_store_explicit(&m->next, NULL, memory_order_relaxed);
	prev = atomic_exchange_explicit(&xs->head, m, memory_order_acq_rel);
	atomic_store_explicit(&prev->next, m, memory_order_release);
}

/* The oldest message, or NULL if none is (completely) queued. */
static struct eng_msg *
mq_pop(struct eng_xs *xs)
{
	struct eng_msg *tail = xs->tail;
	struct eng_msg *next = atomic_load_explicit(&tail->next, memory_order_acquire);

	if (tail == &xs->stub) {
		if (next == NULL)
			return NULL;
		xs->tail = next;
		tail = next;
		next = atomic_load_explicit(&next->next, memory_order_acquire);
	}
	if (next != NULL) {
		xs->tail = next;
		return tail;
	}
	if (tail != atomic_load_explicit(&xs->head, memory_order_acquire))
		return NULL; /* a producer is between its swap and its link */
	mq_push(xs, &xs->stub);
	next = atomic_load_explicit(&tail->next, memory_order_acquire);
	if (next != NULL) {
		xs->tail = next;
		return tail;
	}
	return NULL;
}

static void
wake(struct eng_xs *xs)
{
	uint64_t one = 1;

	if (atomic_exchange(&xs->signalled, 1) == 0 && write(xs->efd, &one, sizeof(one)) < 0)
		D_ERROR("xstream %u: cannot wake: %s", xs->attr.idx, strerror(errno));
}

int
eng_xs_post(struct eng_xs *xs, eng_fn fn, void *arg)
{
	struct eng_msg *m;

	if (atomic_load(&xs->stopping)) {
		D_ERROR("xstream %u is stopping: message dropped", xs->attr.idx);
		return -DER_SHUTDOWN;
	}
	m = d_malloc(sizeof(*m));
	if (m == NULL)
		return -DER_NOMEM;
	m->fn = fn;
	m->arg = arg;
	mq_push(xs, m);
	wake(xs);
	return 0;
}

/* Run what is queued; the number of messages run. */
static int
mq_drain(struct eng_xs *xs)
{
	struct eng_msg *m;
	uint64_t val;
	int n = 0;

	atomic_store(&xs->signalled, 0);
	if (read(xs->efd, &val, sizeof(val)) < 0 && errno != EAGAIN)
		D_ERROR("xstream %u: eventfd read: %s", xs->attr.idx, strerror(errno));
	while ((m = mq_pop(xs)) != NULL) {
		eng_fn fn = m->fn;
		void *arg = m->arg;

		d_free(m);
		fn(arg);
		n++;
	}
	return n;
}

struct exec_arg {
	eng_fn fn;
	void *arg;
	sem_t done;
};

static void
exec_run(void *arg)
{
	struct exec_arg *ea = arg;

	ea->fn(ea->arg);
	sem_post(&ea->done);
}

int
eng_xs_exec(struct eng_xs *xs, eng_fn fn, void *arg)
{
	struct exec_arg ea = { .fn = fn, .arg = arg };
	int rc;

	D_ASSERT(xs_self != xs);
	sem_init(&ea.done, 0, 0);
	rc = eng_xs_post(xs, exec_run, &ea);
	if (rc == 0)
		while (sem_wait(&ea.done) != 0 && errno == EINTR)
			;
	sem_destroy(&ea.done);
	return rc;
}

/* --- timers --- */

int
eng_timer_add(struct eng_xs *xs, uint64_t delay_ms, eng_fn fn, void *arg, struct eng_timer **out)
{
	struct eng_timer *t = d_malloc(sizeof(*t));
	struct eng_timer *pos;

	D_ASSERT(xs_self == xs);
	if (t == NULL)
		return -DER_NOMEM;
	t->due = eng_now_ms() + delay_ms;
	t->fn = fn;
	t->arg = arg;
	/* Keep the list sorted; equal due times fire in the order they were added. */
	d_list_for_each_entry_reverse(pos, &xs->timers, link) {
		if (pos->due <= t->due)
			break;
	}
	d_list_add(&t->link, &pos->link);
	if (out != NULL)
		*out = t;
	return 0;
}

void
eng_timer_cancel(struct eng_xs *xs, struct eng_timer *t)
{
	D_ASSERT(xs_self == xs);
	d_list_del(&t->link);
	d_free(t);
}

static struct eng_timer *
timer_first(struct eng_xs *xs)
{
	return d_list_empty(&xs->timers) ? NULL
					 : d_list_entry(xs->timers.next, struct eng_timer, link);
}

static int
timers_run(struct eng_xs *xs, uint64_t now)
{
	struct eng_timer *t;
	int n = 0;

	while ((t = timer_first(xs)) != NULL && t->due <= now) {
		eng_fn fn = t->fn;
		void *arg = t->arg;

		d_list_del(&t->link);
		d_free(t);
		fn(arg);
		n++;
	}
	return n;
}

/* Milliseconds until the next timer, capped at @max. */
static int
timers_wait(struct eng_xs *xs, int max)
{
	struct eng_timer *t = timer_first(xs);
	uint64_t now;

	if (t == NULL)
		return max;
	now = eng_now_ms();
	return t->due <= now ? 0 : (int)D_MIN((uint64_t)max, t->due - now);
}

/* --- the loop --- */

static void
pin(struct eng_xs *xs)
{
	static atomic_bool warned;
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (xs->attr.cpu < 0)
		return;
	if (xs->attr.cpu >= ncpu || xs->attr.cpu >= CPU_SETSIZE) {
		if (!atomic_exchange(&warned, true))
			D_WARN("xstream %u: core %d does not exist (%ld online): not pinned",
			       xs->attr.idx, xs->attr.cpu, ncpu);
		return;
	}
	CPU_ZERO(&set);
	CPU_SET(xs->attr.cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		D_WARN("xstream %u: cannot pin to core %d", xs->attr.idx, xs->attr.cpu);
}

/* Sleep without a fabric context: poll our fds until one is readable or @ms pass. */
static void
sleep_fds(struct eng_xs *xs, int ms)
{
	struct pollfd pfd[3];
	nfds_t nr = 0;

	pfd[nr++] = (struct pollfd){ .fd = xs->efd, .events = POLLIN };
	if (xs->ioq != NULL)
		pfd[nr++] = (struct pollfd){ .fd = bio_ioq_eventfd(xs->ioq), .events = POLLIN };
	if (xs->uv_ok)
		pfd[nr++] = (struct pollfd){ .fd = uv_backend_fd(&xs->uv), .events = POLLIN };
	poll(pfd, nr, ms);
}

static void
xs_loop(struct eng_xs *xs)
{
	for (;;) {
		int n = mq_drain(xs);
		int wait;

		if (atomic_load(&xs->stopping)) {
			/* Run what was posted before the stop, then leave. */
			mq_drain(xs);
			break;
		}
		n += timers_run(xs, eng_now_ms());
		if (xs->ioq != NULL) {
			int rc = bio_ioq_poll(xs->ioq, 0);

			if (rc > 0)
				n += rc;
		}
		/* libuv's backend fd wakes the loop when its handles have work. */
		if (xs->uv_ok)
			uv_run(&xs->uv, UV_RUN_NOWAIT);
		/* work queued on memory devices is ready without a signal (bio_ioq_ready) */
		wait = n > 0 || (xs->ioq != NULL && bio_ioq_ready(xs->ioq)) ? 0
									    : timers_wait(xs, 1000);
		if (xs->uv_ok && wait > 0) {
			int uvt = uv_backend_timeout(&xs->uv);

			if (uvt >= 0 && uvt < wait)
				wait = uvt;
		}
		if (xs->net != NULL) {
			int rc = net_progress(xs->net, wait);

			if (rc < 0)
				D_ERROR("xstream %u: fabric progress failed: " DF_RC, xs->attr.idx,
					DP_RC(rc));
		} else if (wait > 0) {
			sleep_fds(xs, wait);
		}
	}
}

static int
xs_setup(struct eng_xs *xs)
{
	int rc;

	if (xs->attr.net != NULL) {
		rc = net_ctx_create(xs->attr.net, &xs->net);
		if (rc != 0)
			return rc;
		rc = net_ctx_watch_fd(xs->net, xs->efd);
		if (rc != 0)
			return rc;
	}
	if (xs->attr.ioq_depth > 0) {
		rc = bio_ioq_create(xs->attr.ioq_depth, &xs->ioq);
		if (rc != 0)
			return rc;
		if (xs->net != NULL && (rc = net_ctx_watch_fd(xs->net, bio_ioq_eventfd(xs->ioq))))
			return rc;
	}
	if (xs->attr.uv) {
		if (uv_loop_init(&xs->uv) != 0)
			return -DER_NOMEM;
		xs->uv_ok = true;
		if (xs->net != NULL && (rc = net_ctx_watch_fd(xs->net, uv_backend_fd(&xs->uv))))
			return rc;
	}
	return 0;
}

static void
xs_teardown(struct eng_xs *xs)
{
	struct eng_timer *t;

	while ((t = d_list_pop_entry(&xs->timers, struct eng_timer, link)) != NULL)
		d_free(t);
	if (xs->uv_ok) {
		/* Let closing handles finish; the owner closed its handles in fini. */
		uv_run(&xs->uv, UV_RUN_NOWAIT);
		if (uv_loop_close(&xs->uv) != 0)
			D_ERROR("xstream %u: libuv handles left open", xs->attr.idx);
		xs->uv_ok = false;
	}
	if (xs->ioq != NULL) {
		bio_ioq_destroy(xs->ioq);
		xs->ioq = NULL;
	}
	if (xs->net != NULL) {
		net_ctx_destroy(xs->net);
		xs->net = NULL;
	}
}

static void *
xs_main(void *arg)
{
	struct eng_xs *xs = arg;
	char name[16];
	int rc;

	xs_self = xs;
	snprintf(name, sizeof(name), xs->attr.idx == 0 ? "daos_sys" : "daos_tgt%u",
		 xs->attr.idx - 1);
	pthread_setname_np(pthread_self(), name);
	pin(xs);
	rc = xs_setup(xs);
	if (rc == 0 && xs->attr.init != NULL)
		rc = xs->attr.init(xs, xs->attr.arg);
	xs->start_rc = rc;
	if (rc != 0) {
		xs_teardown(xs);
		sem_post(&xs->started);
		return NULL;
	}
	sem_post(&xs->started);
	xs_loop(xs);
	if (xs->attr.fini != NULL)
		xs->attr.fini(xs, xs->attr.arg);
	xs_teardown(xs);
	return NULL;
}

int
eng_xs_start(const struct eng_xs_attr *attr, struct eng_xs **out)
{
	struct eng_xs *xs = d_calloc(1, sizeof(*xs));
	int rc;

	if (xs == NULL)
		return -DER_NOMEM;
	xs->attr = *attr;
	xs->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (xs->efd < 0) {
		d_free(xs);
		return -DER_NOMEM;
	}
	atomic_store(&xs->head, &xs->stub);
	xs->tail = &xs->stub;
	D_INIT_LIST_HEAD(&xs->timers);
	sem_init(&xs->started, 0, 0);
	rc = pthread_create(&xs->thread, NULL, xs_main, xs);
	if (rc != 0) {
		D_ERROR("xstream %u: cannot create its thread: %s", attr->idx, strerror(rc));
		rc = -DER_MISC;
		goto fail;
	}
	while (sem_wait(&xs->started) != 0 && errno == EINTR)
		;
	rc = xs->start_rc;
	if (rc != 0) {
		pthread_join(xs->thread, NULL);
		D_ERROR("xstream %u did not start: " DF_RC, attr->idx, DP_RC(rc));
		goto fail;
	}
	*out = xs;
	return 0;
fail:
	sem_destroy(&xs->started);
	close(xs->efd);
	d_free(xs);
	return rc;
}

void
eng_xs_stop(struct eng_xs *xs)
{
	struct eng_msg *m;
	uint64_t one = 1;

	if (xs == NULL)
		return;
	atomic_store(&xs->stopping, true);
	if (write(xs->efd, &one, sizeof(one)) < 0)
		D_ERROR("xstream %u: cannot wake: %s", xs->attr.idx, strerror(errno));
	pthread_join(xs->thread, NULL);
	/* Messages posted while the loop was ending never ran. */
	while ((m = mq_pop(xs)) != NULL) {
		D_ERROR("xstream %u stopped: a message was dropped", xs->attr.idx);
		d_free(m);
	}
	sem_destroy(&xs->started);
	close(xs->efd);
	d_free(xs);
}

struct eng_xs *
eng_xs_self(void)
{
	return xs_self;
}

unsigned int
eng_xs_idx(const struct eng_xs *xs)
{
	return xs->attr.idx;
}

struct net_ctx *
eng_xs_net(struct eng_xs *xs)
{
	return xs->net;
}

struct bio_ioq *
eng_xs_ioq(struct eng_xs *xs)
{
	return xs->ioq;
}

uv_loop_t *
eng_xs_uv(struct eng_xs *xs)
{
	return xs->uv_ok ? &xs->uv : NULL;
}
