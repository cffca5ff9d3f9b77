/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine/xstream.h - the engine's service threads ("xstreams", DAOS's word).
 *
 * An xstream is one thread running one loop, to completion, never blocking: its fabric
 * context (net_progress), its I/O queue (bio_ioq_poll), its message queue, its timers
 * and, for the system xstream, a libuv loop (dRPC). Xstream 0 is the system xstream
 * (pool services, dRPC, engine-to-engine control; fabric tag 0); xstreams 1..N are the
 * targets (fabric tag = index, one VOS per target). A target's state is touched only by
 * its own thread: other threads send it work with eng_xs_post().
 *
 * Message queue: multi-producer single-consumer, lock free (an intrusive list with a
 * stub node); a producer wakes the consumer through an eventfd only when the consumer
 * may be asleep, so a busy target takes no syscall per message.
 *
 * Threads: eng_xs_post() and eng_xs_exec() may be called from any thread; everything
 * else from the xstream's own thread, except start/stop (the creator).
 */
#ifndef ENGINE_XSTREAM_H
#define ENGINE_XSTREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "bio/bio.h"
#include "net/net.h"

struct eng_xs;
struct eng_timer;

typedef void (*eng_fn)(void *arg);

struct eng_xs_attr {
	unsigned int idx;               /* 0: system xstream; 1..N: targets */
	int cpu;                        /* core to pin the thread to; -1: none */
	const struct net_ctx_attr *net; /* fabric context to open; NULL: none */
	unsigned int ioq_depth;         /* I/O queue depth; 0: no queue */
	bool uv;                        /* run a libuv loop in this xstream */
	/* Called on the thread before its loop starts; a non-zero result fails the start. */
	int (*init)(struct eng_xs *xs, void *arg);
	/* Called on the thread after its loop ends (only if init succeeded). */
	void (*fini)(struct eng_xs *xs, void *arg);
	void *arg;
};

/*
 * Start an xstream and wait until its init has run. Returns 0, init's result, or
 * -DER_HG (fabric context), -DER_IO (I/O queue), -DER_NOMEM, -DER_MISC (thread).
 * Pinning to a core that does not exist is logged once and skipped.
 */
int eng_xs_start(const struct eng_xs_attr *attr, struct eng_xs **out);

/*
 * Stop @xs: its loop ends after the messages already posted have run; fini runs; the
 * thread is joined and everything freed. Messages posted later are dropped (logged).
 */
void eng_xs_stop(struct eng_xs *xs);

/* Run @fn(@arg) on @xs's thread, soon. Any thread. 0, -DER_NOMEM or -DER_SHUTDOWN. */
int eng_xs_post(struct eng_xs *xs, eng_fn fn, void *arg);

/*
 * Run @fn(@arg) on @xs's thread and wait for it to return (from a thread that is not an
 * xstream: dRPC setup, tests). Returns 0 or as eng_xs_post().
 */
int eng_xs_exec(struct eng_xs *xs, eng_fn fn, void *arg);

/* The xstream running this thread, or NULL. */
struct eng_xs *eng_xs_self(void);
unsigned int eng_xs_idx(const struct eng_xs *xs);
struct net_ctx *eng_xs_net(struct eng_xs *xs);
struct bio_ioq *eng_xs_ioq(struct eng_xs *xs);
uv_loop_t *eng_xs_uv(struct eng_xs *xs);

/*
 * Run @fn(@arg) on this xstream after @delay_ms (0: at the next turn of the loop). The
 * timer is freed once it has fired or been cancelled. Returns 0 or -DER_NOMEM.
 */
int eng_timer_add(struct eng_xs *xs, uint64_t delay_ms, eng_fn fn, void *arg,
		  struct eng_timer **out);
/* Cancel a timer that has not fired yet. */
void eng_timer_cancel(struct eng_xs *xs, struct eng_timer *t);

/* Monotonic milliseconds. */
uint64_t eng_now_ms(void);

#endif /* ENGINE_XSTREAM_H */
