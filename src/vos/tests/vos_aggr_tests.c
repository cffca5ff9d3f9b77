/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_aggr_tests.c - aggregation keeps exactly what the snapshots and the newest epoch
 * need, in bounded steps, durably; discard removes an epoch range.
 */
#define D_LOGFAC DD_FAC(tests)

#include <sys/wait.h>

#include "vos/tests/vos_test.h"

#define MiB (1024ULL * 1024)
#define OT_HASHED 0
#define OT_ARRAY_BYTE 13

static struct tpool tp;

static int
setup(void **state)
{
	(void)state;
	tpool_setup(&tp, 128 * MiB, 8 * MiB, 32 * MiB, 64 * MiB);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tpool_teardown(&tp);
	return 0;
}

/* Run aggregation to the end; returns the number of steps. */
static int
aggregate_all(uint64_t epoch, const uint64_t *snaps, uint32_t nr, uint32_t budget)
{
	int steps = 0;
	int rc;

	while ((rc = vos_aggregate(tp.cont, epoch, snaps, nr, budget)) == 1)
		steps++;
	assert_int_equal(rc, 0);
	return steps;
}

/* The version a value was written at: its first 8 bytes. */
static uint64_t
sv_version_at(struct vos_oid oid, const char *dkey, uint64_t epoch)
{
	char buf[2000];
	uint64_t v = 0;
	uint64_t got;

	assert_int_equal(t_get(tp.cont, oid, epoch, 0, dkey, "a", buf, sizeof(buf), &got), 0);
	if (got >= sizeof(v))
		memcpy(&v, buf, sizeof(v));
	return got == 0 ? 0 : v;
}

/* Versions 1..100; snapshots at 10 and 50; aggregation at 80 keeps what they see. */
static void
single_value_snapshots(void **state)
{
	struct vos_oid oid = toid(1, OT_HASHED);
	uint64_t snaps[2] = { 10, 50 };
	struct vos_pool_info before;
	struct vos_pool_info after;
	uint64_t e;
	char big[1000];

	(void)state;
	memset(big, 'b', sizeof(big));
	for (e = 1; e <= 100; e++) {
		if (e % 7 == 3) {
			/* Some versions are bigger, so memory visibly drops. */
			memcpy(big, &e, sizeof(e));
			assert_int_equal(t_put(tp.cont, oid, e, 0, "d", "a", big, sizeof(big)), 0);
		} else {
			assert_int_equal(t_put(tp.cont, oid, e, 0, "d", "a", &e, sizeof(e)), 0);
		}
	}
	vos_pool_query(tp.pool, &before);
	aggregate_all(80, snaps, 2, 1000);
	vos_pool_query(tp.pool, &after);
	assert_true(after.mem_used < before.mem_used);
	/* What the read points see is unchanged. */
	assert_int_equal(sv_version_at(oid, "d", 10), 10);
	assert_int_equal(sv_version_at(oid, "d", 50), 50);
	assert_int_equal(sv_version_at(oid, "d", 80), 80);
	assert_int_equal(sv_version_at(oid, "d", 95), 95);
	/* Reads between read points now see the version kept below them. */
	assert_int_equal(sv_version_at(oid, "d", 30), 10);
	assert_int_equal(sv_version_at(oid, "d", 79), 50);
}

/* A reference model of an array at each read point survives aggregation. */
static void
array_snapshots(void **state)
{
	enum { LEN = 512, NR = 200 };
	struct vos_oid oid = toid(2, OT_ARRAY_BYTE);
	static uint8_t model[NR + 1][LEN];
	uint64_t snaps[3] = { 40, 100, 150 };
	uint64_t dkey = 1;
	uint8_t data[LEN];
	uint8_t out[LEN];
	unsigned int seed = 99;
	uint64_t e;
	int i;
	uint32_t s;

	(void)state;
	memset(model[0], 0, LEN);
	for (e = 1; e <= NR; e++) {
		uint64_t idx = rand_r(&seed) % LEN;
		uint64_t nr = 1 + rand_r(&seed) % (LEN - idx);

		memcpy(model[e], model[e - 1], LEN);
		for (i = 0; i < (int)nr; i++)
			data[i] = (uint8_t)(e * 3 + i) | 1;
		memcpy(model[e] + idx, data, nr);
		assert_int_equal(t_write(tp.cont, oid, e, &dkey, 8, "a", idx, nr, 1, data), 0);
	}
	aggregate_all(180, snaps, 3, 10000);
	for (s = 0; s < 3; s++) {
		memset(out, 0, LEN);
		assert_int_equal(
			t_read(tp.cont, oid, snaps[s], &dkey, 8, "a", 0, LEN, 1, out, NULL), 0);
		assert_memory_equal(out, model[snaps[s]], LEN);
	}
	for (e = 180; e <= NR; e++) {
		memset(out, 0, LEN);
		assert_int_equal(t_read(tp.cont, oid, e, &dkey, 8, "a", 0, LEN, 1, out, NULL), 0);
		assert_memory_equal(out, model[e], LEN);
	}
	/* Without snapshots, only the newest state stays (and what is above 190). */
	aggregate_all(190, NULL, 0, 10000);
	memset(out, 0, LEN);
	assert_int_equal(t_read(tp.cont, oid, 195, &dkey, 8, "a", 0, LEN, 1, out, NULL), 0);
	assert_memory_equal(out, model[195], LEN);
}

/* Punched keys and objects that nobody can see go away entirely. */
static void
punched_disappear(void **state)
{
	struct vos_oid oid = toid(3, OT_HASHED);
	struct vos_anchor anchor = { 0 };
	struct vos_key_desc descs[8];
	char keys[256];
	uint32_t nr = 8;
	d_iov_t dk;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		char name[8];

		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(t_put(tp.cont, oid, 10 + i, 0, name, "a", "x", 1), 0);
	}
	d_iov_set(&dk, "p2", 2);
	assert_int_equal(vos_obj_punch_sync(tp.cont, &oid, 30, 0, &dk, 0, NULL), 0);
	aggregate_all(40, NULL, 0, 1000);
	assert_int_equal(
		vos_key_list(tp.cont, &oid, NULL, 40, &anchor, descs, &nr, keys, sizeof(keys)), 0);
	assert_int_equal(nr, 4);
	/* The whole object punched and aggregated: no record is left. */
	assert_int_equal(vos_obj_punch_sync(tp.cont, &oid, 50, 0, NULL, 0, NULL), 0);
	aggregate_all(60, NULL, 0, 1000);
	{
		struct vos_oid oids[64];
		uint32_t n = 64;
		uint32_t k;

		memset(&anchor, 0, sizeof(anchor));
		assert_int_equal(vos_obj_list(tp.cont, 1000, &anchor, oids, &n), 0);
		for (k = 0; k < n; k++)
			assert_false(oids[k].lo == 3 && oids[k].hi == 0);
	}
}

/* Small budgets: many steps, the same result. */
static void
bounded_steps(void **state)
{
	struct vos_oid oid = toid(4, OT_HASHED);
	int steps;
	int i;
	uint64_t v;

	(void)state;
	for (i = 0; i < 2000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "b%d", i);
		v = 1;
		assert_int_equal(t_put(tp.cont, oid, 100, 0, name, "a", &v, sizeof(v)), 0);
		v = 2;
		assert_int_equal(t_put(tp.cont, oid, 200, 0, name, "a", &v, sizeof(v)), 0);
	}
	steps = aggregate_all(300, NULL, 0, 50);
	print_message("%d steps\n", steps);
	assert_true(steps > 40);
	for (i = 0; i < 2000; i += 97) {
		char name[16];

		snprintf(name, sizeof(name), "b%d", i);
		assert_int_equal(sv_version_at(oid, name, 300), 2);
		assert_int_equal(sv_version_at(oid, name, 150), 0); /* not a read point */
	}
}

/* Aggregation is logged: after a crash and replay the same entries are gone. */
static void
durable_and_frees_space(void **state)
{
	struct vos_oid oid = toid(5, OT_HASHED);
	static uint8_t big[64 * 1024];
	struct vos_pool_info before;
	struct vos_pool_info after;
	pid_t pid;
	uint64_t e;

	(void)state;
	for (e = 1; e <= 40; e++) {
		memset(big, (int)e, sizeof(big));
		assert_int_equal(t_put(tp.cont, oid, e, 0, "big", "a", big, sizeof(big)), 0);
	}
	vos_pool_query(tp.pool, &before);
	tpool_close(&tp);
	pid = fork();
	if (pid == 0) {
		struct vos_pool_attr attr = tp.attr;
		struct vos_pool *pool;
		struct vos_cont *cont;

		if (bio_ioq_create(64, &attr.ioq) != 0 || vos_pool_open(&attr, &pool) != 0 ||
		    vos_cont_open(pool, tp.cuuid, &cont) != 0)
			_exit(1);
		while (vos_aggregate(cont, 100, NULL, 0, 5) == 1)
			;
		/*
		 * An update waits for its batch; aggregation records queued before it are
		 * durable then too. Then "crash": replay must run the steps again.
		 */
		if (t_put(cont, toid(9, OT_HASHED), 200, 0, "sync", "a", "s", 1) != 0)
			_exit(2);
		_exit(0);
	}
	{
		int status;

		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	tpool_open(&tp, false);
	vos_pool_query(tp.pool, &after);
	/* 39 of 40 large versions freed: space back in the data blob after replay. */
	assert_true(after.data_free >= before.data_free + 38 * sizeof(big));
	{
		static uint8_t out[64 * 1024];
		uint64_t got;

		assert_int_equal(t_get(tp.cont, oid, 100, 0, "big", "a", out, sizeof(out), &got),
				 0);
		assert_int_equal(got, sizeof(out));
		assert_int_equal(out[0], 40);
	}
}

/* Discard drops everything in an epoch range: reads see the state before it. */
static void
discard_range(void **state)
{
	struct vos_oid oid = toid(6, OT_HASHED);
	uint64_t e;
	uint64_t got;
	char buf[8];

	(void)state;
	for (e = 1; e <= 10; e++)
		assert_int_equal(t_put(tp.cont, oid, e, 0, "d", "a", &e, sizeof(e)), 0);
	assert_int_equal(t_put(tp.cont, oid, 7, 0, "new", "a", "n", 1), 0);
	assert_int_equal(vos_discard(tp.cont, 5, 10), 0);
	assert_int_equal(sv_version_at(oid, "d", 100), 4);
	assert_int_equal(t_get(tp.cont, oid, 100, 0, "new", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	/* Also after reopening (replayed or checkpointed). */
	tpool_close(&tp);
	tpool_open(&tp, false);
	assert_int_equal(sv_version_at(oid, "d", 100), 4);
	assert_int_equal(vos_discard(tp.cont, 5, 4), -DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_value_snapshots),  cmocka_unit_test(array_snapshots),
		cmocka_unit_test(punched_disappear),       cmocka_unit_test(bounded_steps),
		cmocka_unit_test(durable_and_frees_space), cmocka_unit_test(discard_range),
	};

	d_log_init();
	return cmocka_run_group_tests_name("vos_aggr", tests, setup, teardown);
}
