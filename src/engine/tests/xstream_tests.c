/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xstream_tests.c - xstreams: messages from many threads run once each and in order per
 * producer; exec waits; timers fire in due order and can be cancelled; I/O queue posts,
 * libuv timers and messages all wake an xstream that sleeps in its fabric context;
 * init failures are reported; a stop runs what was posted before it.
 */
#define D_LOGFAC DD_FAC(tests)

#include <pthread.h>
#include <stdatomic.h>

#include "common/test.h"
#include "engine/xstream.h"

#define NR_PRODUCERS 4
#define NR_MSGS 50000

struct counter {
	uint64_t total;
	uint64_t last[NR_PRODUCERS]; /* last sequence number seen per producer */
	bool order_ok;
};

struct msg {
	struct counter *c;
	unsigned int producer;
	uint64_t seq;
};

static void
count_msg(void *arg)
{
	struct msg *m = arg;

	if (m->seq != m->c->last[m->producer] + 1)
		m->c->order_ok = false;
	m->c->last[m->producer] = m->seq;
	m->c->total++;
	d_free(m);
}

struct producer {
	struct eng_xs *xs;
	struct counter *c;
	unsigned int idx;
};

static void *
produce(void *arg)
{
	struct producer *p = arg;
	uint64_t i;

	for (i = 1; i <= NR_MSGS; i++) {
		struct msg *m = d_malloc(sizeof(*m));

		assert_non_null(m);
		m->c = p->c;
		m->producer = p->idx;
		m->seq = i;
		assert_int_equal(eng_xs_post(p->xs, count_msg, m), 0);
	}
	return NULL;
}

static void
read_counter(void *arg)
{
	uint64_t *out = arg;
	struct counter *c = (struct counter *)out[1];

	out[0] = c->total;
}

static void
many_producers(void **state)
{
	struct eng_xs_attr attr = { .idx = 1, .cpu = -1 };
	struct counter c = { .order_ok = true };
	struct producer p[NR_PRODUCERS];
	pthread_t th[NR_PRODUCERS];
	struct eng_xs *xs;
	uint64_t out[2] = { 0, (uint64_t)(uintptr_t)&c };
	unsigned int i;

	(void)state;
	assert_int_equal(eng_xs_start(&attr, &xs), 0);
	for (i = 0; i < NR_PRODUCERS; i++) {
		p[i] = (struct producer){ .xs = xs, .c = &c, .idx = i };
		assert_int_equal(pthread_create(&th[i], NULL, produce, &p[i]), 0);
	}
	for (i = 0; i < NR_PRODUCERS; i++)
		pthread_join(th[i], NULL);
	/* exec runs after everything posted before it */
	assert_int_equal(eng_xs_exec(xs, read_counter, out), 0);
	assert_int_equal(out[0], (uint64_t)NR_PRODUCERS * NR_MSGS);
	assert_true(c.order_ok);
	eng_xs_stop(xs);
}

/* --- timers --- */

struct tstate {
	struct eng_xs *xs;
	int order[8];
	int nr;
	uint64_t start;
	uint64_t at[8];
	struct eng_timer *cancel_me;
	atomic_int done;
};

static struct tstate ts;

static void
timer_fired(void *arg)
{
	int id = (int)(intptr_t)arg;

	ts.at[ts.nr] = eng_now_ms() - ts.start;
	ts.order[ts.nr++] = id;
	if (id == 30)
		atomic_store(&ts.done, 1);
}

static void
add_timers(void *arg)
{
	(void)arg;
	ts.start = eng_now_ms();
	assert_int_equal(eng_timer_add(ts.xs, 30, timer_fired, (void *)30, NULL), 0);
	assert_int_equal(eng_timer_add(ts.xs, 10, timer_fired, (void *)10, NULL), 0);
	assert_int_equal(eng_timer_add(ts.xs, 20, timer_fired, (void *)20, NULL), 0);
	assert_int_equal(eng_timer_add(ts.xs, 20, timer_fired, (void *)21, NULL), 0);
	assert_int_equal(eng_timer_add(ts.xs, 15, timer_fired, (void *)15, &ts.cancel_me), 0);
	eng_timer_cancel(ts.xs, ts.cancel_me);
	/* Left pending at stop: freed without firing */
	assert_int_equal(eng_timer_add(ts.xs, 100000, timer_fired, (void *)99, NULL), 0);
}

static void
timers(void **state)
{
	TEST_ALLOC_MARK();
	struct eng_xs_attr attr = { .idx = 2, .cpu = 0 };

	(void)state;
	memset(&ts, 0, sizeof(ts));
	assert_int_equal(eng_xs_start(&attr, &ts.xs), 0);
	assert_int_equal(eng_xs_post(ts.xs, add_timers, NULL), 0);
	while (!atomic_load(&ts.done))
		usleep(1000);
	eng_xs_stop(ts.xs);
	assert_int_equal(ts.nr, 4);
	assert_int_equal(ts.order[0], 10);
	assert_int_equal(ts.order[1], 20);
	assert_int_equal(ts.order[2], 21);
	assert_int_equal(ts.order[3], 30);
	assert_true(ts.at[0] >= 10);
	assert_true(ts.at[3] >= 30);
	TEST_ALLOC_CHECK();
}

/* --- wake-ups while sleeping in the fabric context --- */

struct wake_state {
	struct eng_xs *xs;
	atomic_int ioq_done;
	atomic_int uv_done;
	uv_timer_t timer;
};

static void
ioq_cb(void *arg, int status)
{
	struct wake_state *w = arg;

	assert_int_equal(status, 0);
	atomic_store(&w->ioq_done, 1);
}

static void
post_ioq(void *arg)
{
	struct wake_state *w = arg;

	assert_ptr_equal(eng_xs_self(), w->xs);
	assert_int_equal(bio_ioq_post(eng_xs_ioq(w->xs), ioq_cb, w), 0);
}

static void
uv_fired(uv_timer_t *t)
{
	struct wake_state *w = t->data;

	atomic_store(&w->uv_done, 1);
	uv_close((uv_handle_t *)t, NULL);
}

static void
start_uv_timer(void *arg)
{
	struct wake_state *w = arg;

	assert_int_equal(uv_timer_init(eng_xs_uv(w->xs), &w->timer), 0);
	w->timer.data = w;
	assert_int_equal(uv_timer_start(&w->timer, uv_fired, 50, 0), 0);
}

static void
noop(void *arg)
{
	(void)arg;
}

static uint64_t
wait_flag(atomic_int *flag)
{
	uint64_t start = eng_now_ms();

	while (!atomic_load(flag))
		usleep(200);
	return eng_now_ms() - start;
}

static void
wakeups(void **state)
{
	struct net_ctx_attr net = { .provider = "ofi+tcp", .host = "127.0.0.1" };
	struct eng_xs_attr attr = { .idx = 0, .cpu = -1, .net = &net, .ioq_depth = 64, .uv = true };
	struct wake_state w = { 0 };
	uint64_t start;
	int i;

	(void)state;
	assert_int_equal(eng_xs_start(&attr, &w.xs), 0);
	assert_non_null(eng_xs_net(w.xs));
	assert_non_null(eng_xs_uv(w.xs));
	assert_int_equal(eng_xs_idx(w.xs), 0);
	assert_null(eng_xs_self());

	/* Messages reach an idle xstream quickly (it sleeps up to 1 s otherwise) */
	usleep(20000);
	start = eng_now_ms();
	for (i = 0; i < 100; i++)
		assert_int_equal(eng_xs_exec(w.xs, noop, NULL), 0);
	assert_true(eng_now_ms() - start < 500);

	assert_int_equal(eng_xs_exec(w.xs, post_ioq, &w), 0);
	assert_true(wait_flag(&w.ioq_done) < 500);

	assert_int_equal(eng_xs_exec(w.xs, start_uv_timer, &w), 0);
	assert_true(wait_flag(&w.uv_done) < 800);
	eng_xs_stop(w.xs);
}

/* --- start failures, stop --- */

static int
init_fails(struct eng_xs *xs, void *arg)
{
	(void)xs;
	(void)arg;
	return -DER_INVAL;
}

static int
init_ok(struct eng_xs *xs, void *arg)
{
	int *calls = arg;

	assert_ptr_equal(eng_xs_self(), xs);
	calls[0]++;
	return 0;
}

static void
fini_ok(struct eng_xs *xs, void *arg)
{
	int *calls = arg;

	assert_ptr_equal(eng_xs_self(), xs);
	calls[1]++;
}

static void
bump(void *arg)
{
	int *calls = arg;

	usleep(100);
	calls[2]++;
}

static void
start_stop(void **state)
{
	TEST_ALLOC_MARK();
	struct net_ctx_attr bad_net = { .provider = "ofi+nonesuch", .host = "127.0.0.1" };
	struct eng_xs_attr attr = { .idx = 3, .cpu = 100000, .init = init_fails };
	struct eng_xs *xs;
	int calls[3] = { 0 };
	int i;

	(void)state;
	assert_int_equal(eng_xs_start(&attr, &xs), -DER_INVAL);
	attr.init = NULL;
	attr.net = &bad_net;
	assert_int_not_equal(eng_xs_start(&attr, &xs), 0);

	/* A core that does not exist is skipped; init and fini run on the thread */
	attr = (struct eng_xs_attr){
		.idx = 3, .cpu = 100000, .init = init_ok, .fini = fini_ok, .arg = calls
	};
	assert_int_equal(eng_xs_start(&attr, &xs), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(eng_xs_post(xs, bump, calls), 0);
	eng_xs_stop(xs);
	assert_int_equal(calls[0], 1);
	assert_int_equal(calls[1], 1);
	assert_int_equal(calls[2], 100);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(many_producers),
		cmocka_unit_test(timers),
		cmocka_unit_test(wakeups),
		cmocka_unit_test(start_stop),
	};

	d_log_init();
	return cmocka_run_group_tests_name("xstream", tests, NULL, NULL);
}
