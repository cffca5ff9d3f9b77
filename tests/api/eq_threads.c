/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eq_threads.c - conformance of event queues and events (daos_event.h) and of several
 * threads sharing one pool and container handle: 64 updates and 64 fetches in flight on
 * one queue, daos_event_test, blocking calls beside queued ones, parent and child
 * events with a completion callback, a queue that is busy until reaped, and four
 * threads each writing and reading its own object, with its own queue.
 *
 * An asynchronous call reads its arguments until it completes, so everything it is
 * given lives in a struct op that outlives the call.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_test.h"

/* One asynchronous single-value update or fetch and all it points to. */
struct op {
	daos_event_t ev;
	char dkey_buf[16];
	daos_key_t dkey;
	daos_iod_t iod;
	d_iov_t iov;
	d_sg_list_t sgl;
	unsigned char *data;
	size_t len;
	int reaped;
};

/* Point @op at (dkey "@tag-@i", akey "v") with @len bytes of data. */
static void
op_prepare(struct op *op, const char *tag, int i, size_t len)
{
	snprintf(op->dkey_buf, sizeof(op->dkey_buf), "%s-%d", tag, i);
	d_iov_set(&op->dkey, op->dkey_buf, strlen(op->dkey_buf));
	memset(&op->iod, 0, sizeof(op->iod));
	d_iov_set(&op->iod.iod_name, "v", 1);
	op->iod.iod_type = DAOS_IOD_SINGLE;
	op->iod.iod_nr = 1;
	op->iod.iod_size = len;
	if (op->data == NULL)
		op->data = api_alloc(len);
	op->len = len;
	d_iov_set(&op->iov, op->data, len);
	op->sgl = (d_sg_list_t){ .sg_nr = 1, .sg_iovs = &op->iov };
	op->reaped = 0;
}

static void
op_update(struct op *op, daos_handle_t oh)
{
	assert_success(
		daos_obj_update(oh, DAOS_TX_NONE, 0, &op->dkey, 1, &op->iod, &op->sgl, &op->ev));
}

static void
op_fetch(struct op *op, daos_handle_t oh)
{
	op->iod.iod_size = DAOS_REC_ANY;
	assert_success(daos_obj_fetch(oh, DAOS_TX_NONE, 0, &op->dkey, 1, &op->iod, &op->sgl, NULL,
				      &op->ev));
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Poll @eqh until all @nr ops have completed, each reaped exactly once and with
 * ev_error 0. Fails after 60 seconds.
 */
static void
reap_all(daos_handle_t eqh, struct op *ops, int nr)
{
	daos_event_t *evs[16];
	double deadline = now_sec() + 60;
	int done = 0;

	while (done < nr) {
		int n, i;

		if (now_sec() > deadline)
			fail_msg("%d of %d events completed after 60 s", done, nr);
		n = daos_eq_poll(eqh, 1, 1000 * 1000, 16, evs);
		if (n < 0)
			fail_msg("daos_eq_poll: %s (%d)", d_errstr(n), n);
		for (i = 0; i < n; i++) {
			uintptr_t at = (uintptr_t)evs[i];
			struct op *op;

			/* ev is the first member of struct op. */
			if (at < (uintptr_t)ops || at >= (uintptr_t)(ops + nr) ||
			    (at - (uintptr_t)ops) % sizeof(*ops) != 0)
				fail_msg("daos_eq_poll returned an event that is not ours");
			op = (struct op *)evs[i];
			if (op->reaped)
				fail_msg("event of %s reaped twice", op->dkey_buf);
			op->reaped = 1;
			if (op->ev.ev_error != 0)
				fail_msg("%s failed: %s (%d)", op->dkey_buf,
					 d_errstr(op->ev.ev_error), op->ev.ev_error);
			done++;
		}
	}
}

/* 64 updates in flight on one queue, then 64 fetches: every event completes once, all data right.
 */
static void
sixty_four_in_flight(void **state)
{
	enum { NR = 64 };
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_SX));
	daos_handle_t eqh = DAOS_HDL_INVAL;
	struct op *ops = calloc(NR, sizeof(*ops));
	daos_event_t *none[1];
	int i;

	(void)state;
	assert_non_null(ops);
	assert_success(daos_eq_create(&eqh));
	for (i = 0; i < NR; i++) {
		op_prepare(&ops[i], "eq", i, 4096 + (size_t)i * 97);
		api_fill(ops[i].data, ops[i].len, (uint32_t)i + 500);
		assert_success(daos_event_init(&ops[i].ev, eqh, NULL));
		op_update(&ops[i], oh);
	}
	reap_all(eqh, ops, NR);
	/* Nothing left: nothing running, nothing to reap. */
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_ALL, 0, NULL), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_NOWAIT, 1, none), 0);

	/* Fetch them back the same way, into cleared buffers. */
	for (i = 0; i < NR; i++) {
		assert_success(daos_event_fini(&ops[i].ev));
		assert_success(daos_event_init(&ops[i].ev, eqh, NULL));
		memset(ops[i].data, 0, ops[i].len);
		op_prepare(&ops[i], "eq", i, ops[i].len);
		op_fetch(&ops[i], oh);
	}
	reap_all(eqh, ops, NR);
	for (i = 0; i < NR; i++) {
		assert_int_equal(ops[i].iod.iod_size, ops[i].len);
		api_check_fill(ops[i].data, ops[i].len, (uint32_t)i + 500, 0);
		assert_success(daos_event_fini(&ops[i].ev));
		free(ops[i].data);
	}
	free(ops);
	assert_success(daos_eq_destroy(eqh, 0));
	assert_success(daos_obj_close(oh, NULL));
}

/* daos_event_test waits for one event, on a queue or on none; it then leaves the queue. */
static void
event_test(void **state)
{
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_S1));
	daos_handle_t eqh = DAOS_HDL_INVAL;
	struct op op = { 0 };
	daos_event_t *evp[1];
	bool done = false;

	(void)state;
	assert_success(daos_eq_create(&eqh));
	op_prepare(&op, "test", 0, 1000);
	api_fill(op.data, op.len, 77);
	assert_success(daos_event_init(&op.ev, eqh, NULL));
	op_update(&op, oh);
	assert_success(daos_event_test(&op.ev, DAOS_EQ_WAIT, &done));
	assert_true(done);
	assert_int_equal(op.ev.ev_error, 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, evp), 0);
	assert_success(daos_event_fini(&op.ev));
	assert_success(daos_eq_destroy(eqh, 0));

	/* An event on no queue. */
	memset(op.data, 0, op.len);
	op_prepare(&op, "test", 0, op.len);
	assert_success(daos_event_init(&op.ev, DAOS_HDL_INVAL, NULL));
	op_fetch(&op, oh);
	done = false;
	assert_success(daos_event_test(&op.ev, DAOS_EQ_WAIT, &done));
	assert_true(done);
	assert_int_equal(op.ev.ev_error, 0);
	assert_int_equal(op.iod.iod_size, 1000);
	api_check_fill(op.data, op.len, 77, 0);
	assert_success(daos_event_fini(&op.ev));
	free(op.data);
	assert_success(daos_obj_close(oh, NULL));
}

/*
 * A NULL event blocks: the call returns the result, with the data in place. Blocking
 * calls made while a queue has work do not take that queue's events; and a queue with
 * an event not yet reaped cannot be destroyed.
 */
static void
null_event_blocks(void **state)
{
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_S1));
	daos_handle_t eqh = DAOS_HDL_INVAL;
	struct op op = { 0 };
	daos_event_t *evp[2];
	unsigned char buf[300];
	int n;

	(void)state;
	api_fill(buf, sizeof(buf), 88);
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "blocking", "v", buf, sizeof(buf)));
	api_sv_expect(oh, DAOS_TX_NONE, "blocking", "v", buf, sizeof(buf));

	assert_success(daos_eq_create(&eqh));
	op_prepare(&op, "queued", 0, 200);
	api_fill(op.data, op.len, 89);
	assert_success(daos_event_init(&op.ev, eqh, NULL));
	op_update(&op, oh);
	/* Running or completed, it is not reaped: the queue is busy. */
	assert_rc_equal(daos_eq_destroy(eqh, 0), -DER_BUSY);
	/* Blocking calls in between. */
	api_sv_expect(oh, DAOS_TX_NONE, "blocking", "v", buf, sizeof(buf));
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "blocking2", "v", "x", 1));
	/* The queued event is still there, once. */
	n = daos_eq_poll(eqh, 1, 60 * 1000 * 1000, 2, evp);
	assert_int_equal(n, 1);
	assert_ptr_equal(evp[0], &op.ev);
	assert_int_equal(op.ev.ev_error, 0);
	api_sv_expect(oh, DAOS_TX_NONE, "queued-0", "v", op.data, op.len);
	assert_success(daos_event_fini(&op.ev));
	free(op.data);
	assert_rc_equal(daos_eq_poll(eqh, 1, 0, 0, evp), -DER_INVAL);
	assert_success(daos_eq_destroy(eqh, 0));
	assert_success(daos_obj_close(oh, NULL));
}

static int comp_calls;
static int comp_rc = -1;

static int
count_completion(void *arg, daos_event_t *ev, int rc)
{
	(void)ev;
	comp_calls++;
	comp_rc = rc;
	*(int *)arg = 1;
	return 0;
}

/*
 * Children of a parent event: the queue returns only the parent, once all children
 * have completed; daos_event_next walks the children in order.
 */
static void
parent_and_children(void **state)
{
	enum { NR = 8 };
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_SX));
	daos_handle_t eqh = DAOS_HDL_INVAL;
	daos_event_t parent;
	struct op *ops = calloc(NR, sizeof(*ops));
	daos_event_t *evp[4];
	daos_event_t *child;
	double deadline;
	bool flag = false;
	int cb_flag = 0;
	int n = 0;
	int i;

	(void)state;
	assert_non_null(ops);
	assert_success(daos_eq_create(&eqh));
	assert_success(daos_event_init(&parent, eqh, NULL));
	/* A barrier needs children. */
	assert_rc_equal(daos_event_parent_barrier(&parent), -DER_INVAL);
	for (i = 0; i < NR; i++) {
		op_prepare(&ops[i], "child", i, 512);
		api_fill(ops[i].data, ops[i].len, (uint32_t)i + 900);
		assert_success(daos_event_init(&ops[i].ev, DAOS_HDL_INVAL, &parent));
	}
	i = 0;
	for (child = daos_event_next(&parent, NULL); child != NULL;
	     child = daos_event_next(&parent, child)) {
		assert_true(i < NR);
		assert_ptr_equal(child, &ops[i].ev);
		i++;
	}
	assert_int_equal(i, NR);

	comp_calls = 0;
	assert_success(daos_event_register_comp_cb(&parent, count_completion, &cb_flag));
	for (i = 0; i < NR; i++)
		op_update(&ops[i], oh);
	assert_success(daos_event_parent_barrier(&parent));

	deadline = now_sec() + 60;
	while (n == 0) {
		if (now_sec() > deadline)
			fail_msg("the parent event did not complete in 60 s");
		n = daos_eq_poll(eqh, 1, 1000 * 1000, 4, evp);
		assert_true(n >= 0);
	}
	assert_int_equal(n, 1);
	assert_ptr_equal(evp[0], &parent);
	assert_int_equal(parent.ev_error, 0);
	assert_int_equal(comp_calls, 1);
	assert_int_equal(comp_rc, 0);
	assert_int_equal(cb_flag, 1);
	for (i = 0; i < NR; i++)
		assert_int_equal(ops[i].ev.ev_error, 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 4, evp), 0);
	/* A child is waited for through its parent only. */
	assert_rc_equal(daos_event_test(&ops[0].ev, DAOS_EQ_NOWAIT, &flag), -DER_NO_PERM);

	/* Finishing the parent finishes the children. */
	assert_success(daos_event_fini(&parent));
	for (i = 0; i < NR; i++) {
		api_sv_expect(oh, DAOS_TX_NONE, ops[i].dkey_buf, "v", ops[i].data, ops[i].len);
		free(ops[i].data);
	}
	free(ops);
	assert_success(daos_eq_destroy(eqh, 0));
	assert_success(daos_obj_close(oh, NULL));
}

/* What one I/O thread is given and reports. */
struct worker {
	pthread_t thread;
	daos_obj_id_t oid;
	int id;
	int errors; /* failed calls or wrong data */
	char first_error[160];
};

static void
worker_error(struct worker *w, const char *what, int rc)
{
	if (w->errors++ == 0)
		snprintf(w->first_error, sizeof(w->first_error), "thread %d: %s: %s (%d)", w->id,
			 what, d_errstr(rc), rc);
}

/*
 * One thread: 100 blocking updates of 1..50 KiB and their fetches, then 16 updates
 * through its own queue, all on its own object. No cmocka assertions here: they must
 * not jump across threads.
 */
static void *
worker_main(void *arg)
{
	enum { NR_SYNC = 100, NR_ASYNC = 16 };
	struct worker *w = arg;
	daos_handle_t oh = DAOS_HDL_INVAL;
	daos_handle_t eqh = DAOS_HDL_INVAL;
	unsigned char *in = malloc(50 * 1024);
	unsigned char *out = malloc(50 * 1024 + 1);
	daos_event_t evs[NR_ASYNC];
	daos_key_t dkeys[NR_ASYNC];
	char names[NR_ASYNC][16];
	daos_iod_t iods[NR_ASYNC];
	d_iov_t iovs[NR_ASYNC];
	d_sg_list_t sgls[NR_ASYNC];
	int done;
	int rc;
	int i;

	if (in == NULL || out == NULL) {
		worker_error(w, "malloc", -DER_NOMEM);
		goto out_free;
	}
	rc = daos_obj_open(api.coh, w->oid, DAOS_OO_RW, &oh, NULL);
	if (rc != 0) {
		worker_error(w, "daos_obj_open", rc);
		goto out_free;
	}
	for (i = 0; i < NR_SYNC; i++) {
		size_t len = 1024 + (size_t)((i * 7919 + w->id * 104729) % (49 * 1024));
		char dkey[16];
		daos_size_t size = DAOS_REC_ANY;

		snprintf(dkey, sizeof(dkey), "k%d", i);
		api_fill(in, len, (uint32_t)(w->id * 1000 + i));
		rc = api_sv_put(oh, DAOS_TX_NONE, 0, dkey, "v", in, len);
		if (rc != 0) {
			worker_error(w, "update", rc);
			continue;
		}
		rc = api_sv_get(oh, DAOS_TX_NONE, 0, dkey, "v", out, len + 1, &size, NULL);
		if (rc != 0) {
			worker_error(w, "fetch", rc);
			continue;
		}
		if (size != len || memcmp(in, out, len) != 0)
			worker_error(w, "fetched data differs", 0);
	}

	rc = daos_eq_create(&eqh);
	if (rc != 0) {
		worker_error(w, "daos_eq_create", rc);
		goto out_close;
	}
	for (i = 0; i < NR_ASYNC; i++) {
		snprintf(names[i], sizeof(names[i]), "async%d", i);
		d_iov_set(&dkeys[i], names[i], strlen(names[i]));
		memset(&iods[i], 0, sizeof(iods[i]));
		d_iov_set(&iods[i].iod_name, "v", 1);
		iods[i].iod_type = DAOS_IOD_SINGLE;
		iods[i].iod_nr = 1;
		iods[i].iod_size = strlen(names[i]);
		d_iov_set(&iovs[i], names[i], strlen(names[i]));
		sgls[i] = (d_sg_list_t){ .sg_nr = 1, .sg_iovs = &iovs[i] };
		rc = daos_event_init(&evs[i], eqh, NULL);
		if (rc == 0)
			rc = daos_obj_update(oh, DAOS_TX_NONE, 0, &dkeys[i], 1, &iods[i], &sgls[i],
					     &evs[i]);
		if (rc != 0) {
			/* Nothing more is in flight past this one; reap what is. */
			worker_error(w, "async update", rc);
			break;
		}
	}
	for (done = 0; done < i;) {
		daos_event_t *evp[NR_ASYNC];
		int n = daos_eq_poll(eqh, 1, 60 * 1000 * 1000, NR_ASYNC, evp);
		int k;

		if (n <= 0) {
			worker_error(w, "daos_eq_poll", n == 0 ? -DER_TIMEDOUT : n);
			break;
		}
		for (k = 0; k < n; k++)
			if (evp[k]->ev_error != 0)
				worker_error(w, "async update completion", evp[k]->ev_error);
		done += n;
	}
	for (i = 0; i < done; i++)
		daos_event_fini(&evs[i]);
	rc = daos_eq_destroy(eqh, 0);
	if (rc != 0)
		worker_error(w, "daos_eq_destroy", rc);
out_close:
	rc = daos_obj_close(oh, NULL);
	if (rc != 0)
		worker_error(w, "daos_obj_close", rc);
out_free:
	free(in);
	free(out);
	return NULL;
}

/* Four threads at once through the shared handles, each on its own object. */
static void
threads_share_handles(void **state)
{
	enum { NR_THREADS = 4 };
	struct worker workers[NR_THREADS];
	int i;

	(void)state;
	memset(workers, 0, sizeof(workers));
	for (i = 0; i < NR_THREADS; i++) {
		workers[i].id = i;
		workers[i].oid = api_oid(DAOS_OT_MULTI_HASHED, i % 2 ? OC_SX : OC_S1);
	}
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]),
				 0);
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(workers[i].thread, NULL), 0);
	for (i = 0; i < NR_THREADS; i++)
		if (workers[i].errors != 0)
			fail_msg("%d errors, first: %s", workers[i].errors, workers[i].first_error);

	/* What each wrote, seen from this thread. */
	for (i = 0; i < NR_THREADS; i++) {
		daos_handle_t oh = api_obj_open(workers[i].oid);

		api_sv_expect(oh, DAOS_TX_NONE, "async15", "v", "async15", 7);
		assert_success(daos_obj_close(oh, NULL));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sixty_four_in_flight),  cmocka_unit_test(event_test),
		cmocka_unit_test(null_event_blocks),     cmocka_unit_test(parent_and_children),
		cmocka_unit_test(threads_share_handles),
	};

	return cmocka_run_group_tests_name("eq_threads", tests, api_group_setup,
					   api_group_teardown);
}
