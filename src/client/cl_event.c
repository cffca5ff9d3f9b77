/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_event.c - events, event queues, and the operation an event runs.
 *
 * An EQ owns one network context and a mutex. Whatever touches the context or the
 * EQ's events happens under that mutex: launching an operation (its first sends), and
 * progress (daos_eq_poll, daos_event_test), inside which reply callbacks run and
 * operations complete. So several threads may launch on and poll one EQ, as DAOS
 * allows; a poll holds the mutex for short slices so that launches get in.
 *
 * Events initialised without an EQ run on a hidden one (cl_g.noeq); blocking calls (no
 * event) use a private event on the caller's stack and the thread's own context, and
 * take no lock.
 *
 * Event states are DAOS's: READY (initialised or reaped), RUNNING (launched),
 * COMPLETED (done, waiting to be reaped by a poll or a test, which make it READY
 * again). A child event (initialised with a parent) never shows in its EQ: it counts
 * in its parent, which completes once its own operation (or barrier) and all its
 * children are done; its ev_error is its own, else its first failed child's.
 *
 * The private part of daos_event_t (struct cl_event) is checked to fit at compile time.
 */
#define D_LOGFAC DD_FAC(client)

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "client/cl_ext.h"
#include "client/client_int.h"

#define CL_EV_MAGIC 0xdae7e117u

struct cl_eq {
	struct cl_hlink hl;
	pthread_mutex_t lock;
	struct cl_ctx *ctx;
	int wake_fd;          /* eventfd its context watches: a launcher wakes a poller */
	atomic_uint waiters;  /* threads waiting for the lock to launch or test */
	atomic_bool sleeping; /* a poller waits in the context (holding the lock) */
	atomic_bool woken;    /* wake_fd was written since the poller last drained it */
	d_list_t running;     /* launched top-level events */
	d_list_t comp;        /* completed, not reaped */
	uint32_t nr_running;
	uint32_t nr_comp;
	bool destroyed;
};

enum {
	CL_EVF_BARRIER = 1,  /* parent launched as a barrier */
	CL_EVF_OWN_DONE = 2, /* parent: its own operation has ended */
	CL_EVF_PRIVATE = 4,  /* a blocking call's stack event */
};

struct cl_event {
	uint32_t magic;
	uint8_t state; /* daos_ev_status_t */
	uint8_t flags; /* CL_EVF_* */
	uint16_t nchild;
	uint32_t nchild_running;
	int own_rc;
	struct cl_eq *eq;   /* reference; NULL for private events */
	struct cl_ctx *ctx; /* private events */
	daos_event_t *parent;
	d_list_t eq_link;    /* in eq->running or eq->comp */
	d_list_t children;   /* struct cl_event of children */
	d_list_t child_link; /* in the parent's children */
	daos_event_comp_cb_t cb;
	void *cb_arg;
};

_Static_assert(sizeof(struct cl_event) <= sizeof(((daos_event_t *)0)->ev_private),
	       "struct cl_event must fit in daos_event_t.ev_private");

static inline struct cl_event *
evx(daos_event_t *ev)
{
	return (struct cl_event *)(void *)&ev->ev_private;
}

static inline daos_event_t *
evx2ev(struct cl_event *e)
{
	return container_of((void *)e, daos_event_t, ev_private);
}

/* The EQ an event reports to: a child's is its parent's. */
static struct cl_eq *
ev_eq(struct cl_event *e)
{
	return e->parent != NULL ? evx(e->parent)->eq : e->eq;
}

static bool
ev_is_valid(daos_event_t *ev)
{
	return ev != NULL && evx(ev)->magic == CL_EV_MAGIC;
}

static void
eq_lock(struct cl_eq *eq)
{
	uint64_t one = 1;

	if (eq == NULL)
		return;
	/*
	 * A poller holds the lock while it waits in the context: say we want it, and wake
	 * it if it sleeps; it lets go at once and gives way until we have had our turn.
	 */
	atomic_fetch_add(&eq->waiters, 1);
	if (atomic_load(&eq->sleeping) && !atomic_exchange(&eq->woken, true) &&
	    write(eq->wake_fd, &one, sizeof(one)) < 0)
		D_DEBUG(DB_TRACE, "eq wake: %s", strerror(errno));
	pthread_mutex_lock(&eq->lock);
	atomic_fetch_sub(&eq->waiters, 1);
}

static void
eq_unlock(struct cl_eq *eq)
{
	if (eq != NULL)
		pthread_mutex_unlock(&eq->lock);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- EQs ---- */

static void
eq_free(struct cl_hlink *hl)
{
	struct cl_eq *eq = container_of(hl, struct cl_eq, hl);

	if (eq->ctx != NULL)
		cl_ctx_destroy(eq->ctx);
	if (eq->wake_fd >= 0)
		close(eq->wake_fd);
	pthread_mutex_destroy(&eq->lock);
	d_free(eq);
}

static int
eq_create(struct cl_eq **out)
{
	struct cl_eq *eq;
	int rc;

	eq = d_calloc(1, sizeof(*eq));
	if (eq == NULL)
		return -DER_NOMEM;
	cl_hlink_init(&eq->hl, DAOS_HTYPE_EQ, eq_free);
	pthread_mutex_init(&eq->lock, NULL);
	D_INIT_LIST_HEAD(&eq->running);
	D_INIT_LIST_HEAD(&eq->comp);
	eq->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rc = eq->wake_fd < 0 ? daos_errno2der(errno) : cl_ctx_create(&eq->ctx);
	if (rc == 0)
		rc = net_ctx_watch_fd(eq->ctx->net, eq->wake_fd);
	if (rc != 0) {
		cl_hlink_put(&eq->hl);
		return rc;
	}
	*out = eq;
	return 0;
}

D_EXPORT int
daos_eq_create(daos_handle_t *eqh)
{
	struct cl_eq *eq;
	int rc;

	if (eqh == NULL)
		return -DER_INVAL;
	rc = cl_check_init();
	if (rc != 0)
		return rc;
	rc = eq_create(&eq);
	if (rc != 0)
		return rc;
	rc = cl_hdl_insert(&eq->hl, eqh);
	cl_hlink_put(&eq->hl);
	return rc;
}

static struct cl_eq *
eq_lookup(daos_handle_t eqh)
{
	struct cl_hlink *hl = cl_hdl_lookup(eqh, DAOS_HTYPE_EQ);

	return hl == NULL ? NULL : container_of(hl, struct cl_eq, hl);
}

D_EXPORT int
daos_eq_destroy(daos_handle_t eqh, int flags)
{
	struct cl_eq *eq;
	struct cl_ctx *ctx;
	struct cl_event *e;
	struct cl_event *tmp;

	eq = eq_lookup(eqh);
	if (eq == NULL)
		return -DER_NO_HDL;
	pthread_mutex_lock(&eq->lock);
	if ((eq->nr_running > 0 || eq->nr_comp > 0) && !(flags & DAOS_EQ_DESTROY_FORCE)) {
		pthread_mutex_unlock(&eq->lock);
		cl_hlink_put(&eq->hl);
		return -DER_BUSY;
	}
	eq->destroyed = true;
	/* Closing the context ends what is in flight with -DER_CANCELED, here. */
	ctx = eq->ctx;
	eq->ctx = NULL;
	if (ctx != NULL)
		cl_ctx_destroy(ctx);
	d_list_for_each_entry_safe(e, tmp, &eq->comp, eq_link) {
		d_list_del_init(&e->eq_link);
		e->state = DAOS_EVS_READY;
	}
	eq->nr_comp = 0;
	pthread_mutex_unlock(&eq->lock);
	cl_hdl_remove(&eq->hl);
	cl_hlink_put(&eq->hl);
	return 0;
}

int
cl_eq_init_noeq(void)
{
	return eq_create(&cl_g.noeq);
}

void
cl_eq_fini_noeq(void)
{
	struct cl_eq *eq = cl_g.noeq;

	if (eq == NULL)
		return;
	pthread_mutex_lock(&eq->lock);
	eq->destroyed = true;
	if (eq->ctx != NULL)
		cl_ctx_destroy(eq->ctx);
	eq->ctx = NULL;
	pthread_mutex_unlock(&eq->lock);
	cl_g.noeq = NULL;
	cl_hlink_put(&eq->hl);
}

/* ---- completion (EQ lock held) ---- */

static void ev_complete(struct cl_event *e, int rc);

/* A parent whose own part is done completes when its last launched child has. */
static void
parent_check(struct cl_event *p)
{
	struct cl_event *c;
	int rc = p->own_rc;

	if (p->state != DAOS_EVS_RUNNING || !(p->flags & CL_EVF_OWN_DONE) || p->nchild_running > 0)
		return;
	/* every child, launched or not yet, must have completed (DAOS's rule) */
	d_list_for_each_entry(c, &p->children, child_link) {
		if (c->state != DAOS_EVS_COMPLETED)
			return;
	}
	d_list_for_each_entry(c, &p->children, child_link) {
		if (rc == 0 && evx2ev(c)->ev_error != 0)
			rc = evx2ev(c)->ev_error;
	}
	ev_complete(p, rc);
}

static void
ev_complete(struct cl_event *e, int rc)
{
	daos_event_t *ev = evx2ev(e);

	if (!d_list_empty(&e->children) && !(e->flags & CL_EVF_OWN_DONE)) {
		/* a parent's own operation ended: wait for its children */
		e->flags |= CL_EVF_OWN_DONE;
		e->own_rc = rc;
		parent_check(e);
		return;
	}
	ev->ev_error = rc;
	if (e->cb != NULL) {
		daos_event_comp_cb_t cb = e->cb;
		int crc;

		/* one completion, one call, as in DAOS: a later launch registers again */
		e->cb = NULL;
		crc = cb(e->cb_arg, ev, rc);
		if (crc != 0 && ev->ev_error == 0)
			ev->ev_error = crc;
	}
	e->state = DAOS_EVS_COMPLETED;
	if (e->parent != NULL) {
		struct cl_event *p = evx(e->parent);

		p->nchild_running--;
		parent_check(p);
		return;
	}
	if (e->eq != NULL) {
		d_list_del(&e->eq_link);
		d_list_add_tail(&e->eq_link, &e->eq->comp);
		e->eq->nr_running--;
		e->eq->nr_comp++;
	}
}

/* ---- events ---- */

D_EXPORT int
daos_event_init(daos_event_t *ev, daos_handle_t eqh, daos_event_t *parent)
{
	struct cl_event *e;
	struct cl_event *p = NULL;
	struct cl_eq *eq;
	int rc;

	if (ev == NULL)
		return -DER_INVAL;
	rc = cl_check_init();
	if (rc != 0)
		return rc;
	if (parent != NULL) {
		if (!ev_is_valid(parent))
			return -DER_INVAL;
		p = evx(parent);
		if (p->parent != NULL || p->state != DAOS_EVS_READY)
			return -DER_INVAL; /* one level of children, DAOS's rule */
		eq = p->eq;
		cl_hlink_get(&eq->hl);
	} else if (daos_handle_is_valid(eqh)) {
		eq = eq_lookup(eqh);
		if (eq == NULL)
			return -DER_NO_HDL;
	} else {
		eq = cl_g.noeq;
		cl_hlink_get(&eq->hl);
	}
	memset(ev, 0, sizeof(*ev));
	e = evx(ev);
	e->magic = CL_EV_MAGIC;
	e->state = DAOS_EVS_READY;
	e->eq = eq;
	D_INIT_LIST_HEAD(&e->eq_link);
	D_INIT_LIST_HEAD(&e->children);
	D_INIT_LIST_HEAD(&e->child_link);
	if (p != NULL) {
		eq_lock(eq);
		e->parent = parent;
		d_list_add_tail(&e->child_link, &p->children);
		p->nchild++;
		eq_unlock(eq);
	}
	return 0;
}

D_EXPORT int
daos_event_fini(daos_event_t *ev)
{
	struct cl_event *e;
	struct cl_eq *eq;
	int rc = 0;

	if (!ev_is_valid(ev))
		return -DER_INVAL;
	e = evx(ev);
	eq = e->eq;
	eq_lock(eq);
	if (e->state == DAOS_EVS_RUNNING) {
		rc = -DER_BUSY;
		goto out_unlock;
	}
	/* Children go first, as DAOS does; a running child keeps its parent. */
	while (!d_list_empty(&e->children)) {
		struct cl_event *c = d_list_entry(e->children.next, struct cl_event, child_link);

		if (c->state == DAOS_EVS_RUNNING) {
			rc = -DER_BUSY;
			goto out_unlock;
		}
		d_list_del_init(&c->child_link);
		c->magic = 0;
		c->parent = NULL;
		cl_hlink_put(&c->eq->hl);
		c->eq = NULL;
	}
	if (e->parent != NULL) {
		struct cl_event *p = evx(e->parent);

		d_list_del_init(&e->child_link);
		p->nchild--;
	}
	if (e->state == DAOS_EVS_COMPLETED && !d_list_empty(&e->eq_link)) {
		d_list_del_init(&e->eq_link);
		eq->nr_comp--;
	}
	e->magic = 0;
	e->eq = NULL;
out_unlock:
	eq_unlock(eq);
	if (rc == 0 && eq != NULL)
		cl_hlink_put(&eq->hl);
	return rc;
}

D_EXPORT daos_event_t *
daos_event_next(daos_event_t *parent, daos_event_t *child)
{
	struct cl_event *p;
	d_list_t *next;

	if (!ev_is_valid(parent))
		return NULL;
	p = evx(parent);
	next = child == NULL ? p->children.next : evx(child)->child_link.next;
	if (next == &p->children)
		return NULL;
	return evx2ev(d_list_entry(next, struct cl_event, child_link));
}

D_EXPORT int
daos_event_register_comp_cb(daos_event_t *ev, daos_event_comp_cb_t cb, void *arg)
{
	struct cl_event *e;

	if (!ev_is_valid(ev) || cb == NULL)
		return -DER_INVAL;
	e = evx(ev);
	if (e->state == DAOS_EVS_RUNNING)
		return -DER_BUSY;
	e->cb = cb;
	e->cb_arg = arg;
	return 0;
}

D_EXPORT int
daos_event_abort(daos_event_t *ev)
{
	/* As in DAOS: operations run to their end (or their timeout). */
	return ev_is_valid(ev) ? 0 : -DER_INVAL;
}

/* Launch @e (EQ lock held). -DER_NO_PERM unless it is READY. */
static int
ev_launch(struct cl_event *e)
{
	if (e->state != DAOS_EVS_READY)
		return -DER_NO_PERM;
	if (e->eq != NULL && e->eq->destroyed)
		return -DER_NO_HDL;
	e->state = DAOS_EVS_RUNNING;
	e->flags &= ~(CL_EVF_OWN_DONE | CL_EVF_BARRIER);
	e->own_rc = 0;
	evx2ev(e)->ev_error = 0;
	if (e->parent != NULL) {
		evx(e->parent)->nchild_running++;
	} else if (e->eq != NULL) {
		d_list_add_tail(&e->eq_link, &e->eq->running);
		e->eq->nr_running++;
	}
	return 0;
}

D_EXPORT int
daos_event_parent_barrier(daos_event_t *ev)
{
	struct cl_event *e;
	int rc;

	if (!ev_is_valid(ev))
		return -DER_INVAL;
	e = evx(ev);
	if (d_list_empty(&e->children))
		return -DER_INVAL;
	eq_lock(e->eq);
	rc = ev_launch(e);
	if (rc == 0) {
		e->flags |= CL_EVF_BARRIER | CL_EVF_OWN_DONE;
		parent_check(e);
	}
	eq_unlock(e->eq);
	return rc;
}

/* Progress @ctx for at most @wait_ms (the EQ lock, if any, held). */
static int
ctx_progress(struct cl_ctx *ctx, int wait_ms)
{
	int rc;

	if (ctx == NULL)
		return -DER_NO_HDL;
	rc = net_progress(ctx->net, wait_ms);
	return rc < 0 ? rc : 0;
}

/*
 * Progress @eq's context (lock held) for up to @wait_ms, marked as sleeping so that a
 * launcher (eq_lock) wakes it through wake_fd; returns at once if one is waiting.
 */
static int
eq_progress(struct cl_eq *eq, int wait_ms, bool sleep, int fd)
{
	uint64_t v;
	int rc;

	if (eq->ctx == NULL)
		return -DER_NO_HDL;
	if (atomic_load(&eq->waiters) > 0)
		wait_ms = 0;
	atomic_store(&eq->sleeping, wait_ms > 0);
	/* one that came before it saw sleeping would not write: then do not sleep */
	if (wait_ms > 0 && atomic_load(&eq->waiters) > 0)
		wait_ms = 0;
	if (sleep) {
		rc = net_progress_sleep(eq->ctx->net, wait_ms, fd);
		rc = rc < 0 ? rc : 0;
	} else {
		rc = ctx_progress(eq->ctx, wait_ms);
	}
	atomic_store(&eq->sleeping, false);
	if (atomic_exchange(&eq->woken, false) && read(eq->wake_fd, &v, sizeof(v)) < 0 &&
	    errno != EAGAIN)
		D_DEBUG(DB_TRACE, "eq wake drain: %s", strerror(errno));
	return rc;
}

/* The wait for one slice of a poll: never more than 10 ms, so that launches get in. */
static int
slice_ms(int64_t timeout, uint64_t deadline)
{
	uint64_t now;

	if (timeout == DAOS_EQ_NOWAIT)
		return 0;
	if (timeout < 0)
		return 10;
	now = now_us();
	if (now >= deadline)
		return 0;
	return (int)D_MIN((deadline - now + 999) / 1000, 10);
}

/* If @e has completed, take it off @eq's completed list, ready again; under eq_lock. */
static bool
ev_take_done(struct cl_event *e, struct cl_eq *eq, bool *flag)
{
	if (e->state != DAOS_EVS_COMPLETED)
		return false;
	if (eq != NULL && !d_list_empty(&e->eq_link)) {
		d_list_del_init(&e->eq_link);
		eq->nr_comp--;
	}
	e->state = DAOS_EVS_READY;
	*flag = true;
	return true;
}

D_EXPORT int
daos_event_test(daos_event_t *ev, int64_t timeout, bool *flag)
{
	struct cl_event *e;
	struct cl_eq *eq;
	uint64_t deadline;
	int rc = 0;

	if (!ev_is_valid(ev) || flag == NULL)
		return -DER_INVAL;
	e = evx(ev);
	if (e->parent != NULL) {
		D_ERROR("a child event is waited for through its parent");
		return -DER_NO_PERM;
	}
	eq = e->eq;
	deadline = timeout > 0 ? now_us() + (uint64_t)timeout : 0;
	*flag = false;
	for (;;) {
		eq_lock(eq);
		if (ev_take_done(e, eq, flag)) {
			eq_unlock(eq);
			return 0;
		}
		if (e->state != DAOS_EVS_RUNNING) {
			/* never launched (or already reaped): nothing to wait for */
			eq_unlock(eq);
			return 0;
		}
		rc = eq != NULL ? eq_progress(eq, slice_ms(timeout, deadline), false, -1)
				: ctx_progress(e->ctx, slice_ms(timeout, deadline));
		eq_unlock(eq);
		if (rc != 0)
			return rc;
		if (timeout == DAOS_EQ_NOWAIT || (timeout > 0 && now_us() >= deadline))
			break;
	}
	/* one more look after the last slice */
	eq_lock(eq);
	ev_take_done(e, eq, flag);
	eq_unlock(eq);
	return 0;
}

/* Reap completed events of @eq into @events[@n...] (lock held); the new count. */
static int
eq_take_comp(struct cl_eq *eq, int n, unsigned int nevents, daos_event_t **events)
{
	while (n < (int)nevents && !d_list_empty(&eq->comp)) {
		struct cl_event *e = d_list_entry(eq->comp.next, struct cl_event, eq_link);

		d_list_del_init(&e->eq_link);
		eq->nr_comp--;
		e->state = DAOS_EVS_READY;
		events[n++] = evx2ev(e);
	}
	return n;
}

/*
 * daos_eq_poll, and with @sleep daos_eq_poll_fd: wait without spinning, and stop once @fd
 * (if >= 0) is readable.
 */
static int
eq_poll(daos_handle_t eqh, int wait_running, int64_t timeout, bool sleep, int fd,
	unsigned int nevents, daos_event_t **events)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct cl_eq *eq;
	uint64_t deadline;
	int n = 0;
	int rc = 0;

	if (nevents == 0 || events == NULL)
		return -DER_INVAL;
	eq = eq_lookup(eqh);
	if (eq == NULL)
		return -DER_NO_HDL;
	deadline = timeout > 0 ? now_us() + (uint64_t)timeout : 0;
	for (;;) {
		pthread_mutex_lock(&eq->lock);
		n = eq_take_comp(eq, n, nevents, events);
		if (n > 0 || (wait_running && eq->nr_running == 0) || timeout == DAOS_EQ_NOWAIT ||
		    (timeout > 0 && now_us() >= deadline)) {
			if (n == 0 && timeout == DAOS_EQ_NOWAIT && eq->nr_running > 0) {
				/* NOWAIT still progresses once */
				rc = ctx_progress(eq->ctx, 0);
				if (rc == 0)
					n = eq_take_comp(eq, n, nevents, events);
			}
			pthread_mutex_unlock(&eq->lock);
			break;
		}
		rc = eq_progress(eq, slice_ms(timeout, deadline), sleep, fd);
		if (rc == 0)
			n = eq_take_comp(eq, n, nevents, events);
		pthread_mutex_unlock(&eq->lock);
		if (rc != 0 || n > 0 || (fd >= 0 && poll(&pfd, 1, 0) > 0))
			break;
		/* launchers first: they wait for the lock we just let go */
		while (atomic_load(&eq->waiters) > 0)
			sched_yield();
	}
	cl_hlink_put(&eq->hl);
	return rc != 0 ? rc : n;
}

D_EXPORT int
daos_eq_poll(daos_handle_t eqh, int wait_running, int64_t timeout, unsigned int nevents,
	     daos_event_t **events)
{
	return eq_poll(eqh, wait_running, timeout, false, -1, nevents, events);
}

D_EXPORT int
daos_eq_poll_fd(daos_handle_t eqh, int fd, int64_t timeout, unsigned int nevents,
		daos_event_t **events)
{
	if (timeout < 0)
		return -DER_INVAL;
	return eq_poll(eqh, 1, timeout, true, fd, nevents, events);
}

D_EXPORT int
daos_eq_query(daos_handle_t eqh, daos_eq_query_t query, unsigned int nevents, daos_event_t **events)
{
	struct cl_eq *eq;
	struct cl_event *e;
	unsigned int n = 0;

	if ((query & DAOS_EQR_ALL) == 0)
		return -DER_INVAL;
	eq = eq_lookup(eqh);
	if (eq == NULL)
		return -DER_NO_HDL;
	pthread_mutex_lock(&eq->lock);
	if (query & DAOS_EQR_COMPLETED) {
		d_list_for_each_entry(e, &eq->comp, eq_link) {
			if (events != NULL && n < nevents)
				events[n] = evx2ev(e);
			n++;
		}
	}
	if (query & DAOS_EQR_WAITING) {
		d_list_for_each_entry(e, &eq->running, eq_link) {
			if (events != NULL && n < nevents)
				events[n] = evx2ev(e);
			n++;
		}
	}
	pthread_mutex_unlock(&eq->lock);
	cl_hlink_put(&eq->hl);
	if (events != NULL && n > nevents)
		n = nevents;
	return (int)n;
}

/* ---- operations ---- */

static void op_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len);

/* @op is over: free it and complete its event, or end it as its parent's request. */
static void
op_end(struct cl_op *op, int rc)
{
	struct cl_op *parent = op->parent;
	daos_event_t *ev = op->ev;
	uint32_t idx = op->idx;

	op->ops->fini(op);
	if (parent != NULL)
		op_reply(parent, idx, rc, NULL, 0);
	else
		ev_complete(evx(ev), rc);
}

/*
 * Nothing of @op is in flight and it is not inside start() or done(): ask done() what
 * next. A sub-operation started by done() may end at once, so done() is asked again
 * until something is in flight or it gives a result.
 */
static void
op_settle(struct cl_op *op)
{
	uint32_t started;
	int rc;

	do {
		started = op->nr_started;
		op->busy = true;
		rc = op->ops->done(op);
		op->busy = false;
		/* "sent more" without sending: a bug of the op, not a reason to spin */
		if (rc == 1 && op->nr_started == started)
			rc = -DER_PROTO;
	} while (rc == 1 && op->nr_inflight == 0);
	if (rc == 1)
		return;
	if (op->nr_inflight > 0) {
		/* done() failed after starting something: report once that has ended */
		op->rc = rc;
		return;
	}
	op_end(op, rc);
}

/* One request or sub-operation of @op ended. */
static void
op_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	D_ASSERT(op->nr_inflight > 0);
	op->nr_inflight--;
	op->ops->reply(op, idx, status, body, len);
	if (op->nr_inflight > 0 || op->busy)
		return;
	op_settle(op);
}

static void
op_req_cb(void *arg, int status, const void *body, size_t len)
{
	struct cl_op *op = *(struct cl_op **)arg;
	uint32_t idx = *(uint32_t *)((char *)arg + sizeof(struct cl_op *));

	d_free(arg);
	op_reply(op, idx, status, body, len);
}

int
cl_op_send(struct cl_op *op, d_rank_t rank, uint32_t tag, uint32_t opc, const void *body,
	   size_t len, uint32_t idx)
{
	struct net_peer *peer;
	void *arg;
	int rc;

	rc = net_group_peer(cl_g.grp, op->ctx->net, rank, tag, &peer);
	if (rc != 0) {
		D_ERROR("no address for rank %u tag %u: " DF_RC, rank, tag, DP_RC(rc));
		return rc == -DER_OOG ? -DER_UNREACH : rc;
	}
	arg = d_malloc(sizeof(struct cl_op *) + sizeof(uint32_t));
	if (arg == NULL)
		return -DER_NOMEM;
	memcpy(arg, &op, sizeof(op));
	memcpy((char *)arg + sizeof(op), &idx, sizeof(idx));
	rc = net_req_send(op->ctx->net, peer, opc, body, len, cl_g.timeout_ms, op_req_cb, arg);
	if (rc != 0) {
		d_free(arg);
		return rc;
	}
	op->nr_inflight++;
	op->nr_started++;
	return 0;
}

/* Start @op (its event launched, the EQ lock held). */
static void
op_start(struct cl_op *op)
{
	int rc;

	op->busy = true;
	rc = op->ops->start(op);
	op->busy = false;
	if (rc == 0) {
		if (op->nr_inflight == 0)
			op_settle(op);
		return;
	}
	if (op->nr_inflight > 0) {
		/* some requests left already: let them end, then report */
		op->rc = rc;
		return;
	}
	op_end(op, rc);
}

void
cl_op_sub(struct cl_op *parent, struct cl_op *child, uint32_t idx)
{
	D_ASSERT(parent->busy && child->ops != NULL);
	child->parent = parent;
	child->idx = idx;
	child->ctx = parent->ctx;
	child->ev = NULL;
	parent->nr_inflight++;
	parent->nr_started++;
	op_start(child);
}

int
cl_op_run(struct cl_op *op, const struct cl_op_ops *ops, daos_event_t *ev)
{
	daos_event_t priv;
	struct cl_event *e;
	struct cl_ctx *ctx;
	int rc;

	op->ops = ops;
	if (ev == NULL) {
		rc = cl_thread_ctx(&ctx);
		if (rc != 0) {
			ops->fini(op);
			return rc;
		}
		memset(&priv, 0, sizeof(priv));
		e = evx(&priv);
		e->magic = CL_EV_MAGIC;
		e->state = DAOS_EVS_RUNNING;
		e->flags = CL_EVF_PRIVATE;
		e->ctx = ctx;
		D_INIT_LIST_HEAD(&e->eq_link);
		D_INIT_LIST_HEAD(&e->children);
		D_INIT_LIST_HEAD(&e->child_link);
		op->ev = &priv;
		op->ctx = ctx;
		op_start(op);
		/* Every request has a timeout, so this ends even if no engine answers. */
		while (e->state == DAOS_EVS_RUNNING) {
			rc = net_progress(ctx->net, 100);
			if (rc < 0)
				D_ERROR("progress failed: " DF_RC, DP_RC(rc));
		}
		return priv.ev_error;
	}

	if (!ev_is_valid(ev)) {
		ops->fini(op);
		return -DER_INVAL;
	}
	e = evx(ev);
	{
		struct cl_eq *eq = ev_eq(e);

		eq_lock(eq);
		rc = ev_launch(e);
		if (rc != 0) {
			eq_unlock(eq);
			ops->fini(op);
			return rc;
		}
		op->ev = ev;
		op->ctx = eq->ctx;
		op_start(op);
		eq_unlock(eq);
	}
	return 0;
}

int
cl_op_local(daos_event_t *ev, int rc)
{
	int lrc;

	if (ev == NULL)
		return rc;
	lrc = daos_event_launch(ev);
	if (lrc == 0)
		daos_event_complete(ev, rc);
	return lrc;
}

/*
 * DAOS's libdaos exports these two for its in-tree libraries (they are not in the
 * public headers): an operation that completes without the network, through @ev.
 */
D_EXPORT int
daos_event_launch(daos_event_t *ev)
{
	struct cl_event *e;
	struct cl_eq *eq;
	int rc;

	if (!ev_is_valid(ev))
		return -DER_INVAL;
	e = evx(ev);
	eq = ev_eq(e);
	eq_lock(eq);
	rc = ev_launch(e);
	eq_unlock(eq);
	return rc;
}

D_EXPORT void
daos_event_complete(daos_event_t *ev, int rc)
{
	struct cl_event *e;
	struct cl_eq *eq;

	if (!ev_is_valid(ev))
		return;
	e = evx(ev);
	eq = ev_eq(e);
	eq_lock(eq);
	if (e->state == DAOS_EVS_RUNNING)
		ev_complete(e, rc);
	eq_unlock(eq);
}
