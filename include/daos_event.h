/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_event.h - event queues and events. Every DAOS call that may block takes an
 * event as last argument: NULL runs it to completion; an event makes it return once
 * submitted (the return value then only reports submission errors) and its result
 * arrives in ev->ev_error, seen through daos_eq_poll() or daos_event_test().
 */
#ifndef DAOS_EVENT_H
#define DAOS_EVENT_H

#include <daos_errno.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called when an event completes, with the argument given at registration and rc. */
typedef int (*daos_event_comp_cb_t)(void *arg, daos_event_t *ev, int rc);

/* Create an event queue in *eqh. */
int daos_eq_create(daos_handle_t *eqh);

/* daos_eq_destroy(): destroy even if events are still in flight. */
#define DAOS_EQ_DESTROY_FORCE 1

/* Destroy an event queue; -DER_BUSY while events remain, unless forced. */
int daos_eq_destroy(daos_handle_t eqh, int flags);

/*
 * Progress the queue and return up to @nevents completed events in @events: the count
 * or a negative error. @wait_running: wait only while some event is running.
 * @timeout: microseconds, DAOS_EQ_NOWAIT or DAOS_EQ_WAIT.
 */
int daos_eq_poll(daos_handle_t eqh, int wait_running, int64_t timeout, unsigned int nevents,
		 daos_event_t **events);

/*
 * Count the queue's events of the kinds in @query (DAOS_EQR_*), storing up to
 * @nevents of them in @events if not NULL. They stay the queue's.
 */
int daos_eq_query(daos_handle_t eqh, daos_eq_query_t query, unsigned int nevents,
		  daos_event_t **events);

/*
 * Prepare @ev for use on queue @eqh (DAOS_HDL_INVAL: none). With a @parent, @ev is
 * its child: the parent completes when all its children have.
 */
int daos_event_init(daos_event_t *ev, daos_handle_t eqh, daos_event_t *parent);

/* Release @ev (and its children); only once it has completed and been reaped. */
int daos_event_fini(daos_event_t *ev);

/* The child of @parent after @child (the first if @child is NULL); NULL at the end. */
daos_event_t *daos_event_next(daos_event_t *parent, daos_event_t *child);

/*
 * Wait up to @timeout microseconds (or DAOS_EQ_NOWAIT / DAOS_EQ_WAIT) for @ev; *flag
 * tells whether it is done. A completed event leaves its queue.
 */
int daos_event_test(daos_event_t *ev, int64_t timeout, bool *flag);

/* Launch @ev as a barrier: it completes after all its children. */
int daos_event_parent_barrier(daos_event_t *ev);

/* Ask for the operation of @ev (and its children) to stop. */
int daos_event_abort(daos_event_t *ev);

/* Call @cb with @arg when @ev completes. */
int daos_event_register_comp_cb(daos_event_t *ev, daos_event_comp_cb_t cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_EVENT_H */
