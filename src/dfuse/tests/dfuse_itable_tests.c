/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_itable_tests.c - the inode table (dfuse_itable.c): one inode per object id,
 * node ids never reused, lookups and forgets counted, the object released exactly once
 * when the last reference goes, and threads adding and forgetting at once.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "common/test.h"
#include "dfuse/dfuse_int.h"

static atomic_int nr_released;

static void
release(struct dfuse_inode *ie)
{
	if (ie->obj == NULL)
		return;
	nr_released++;
	d_free(ie->obj);
}

static void *
new_obj(void)
{
	void *p = d_calloc(1, 8);

	assert_non_null(p);
	return p;
}

static daos_obj_id_t
oid_of(uint64_t hi, uint64_t lo)
{
	daos_obj_id_t oid = { .lo = lo, .hi = hi };

	return oid;
}

/* The root is node 1; others count up from 2; one inode per object id. */
static void
add_find_forget(void **state)
{
	struct dfuse_itable t;
	struct dfuse_inode *root, *a, *a2, *b;
	void *dup;
	bool existed;

	(void)state;
	TEST_ALLOC_MARK();
	nr_released = 0;
	assert_int_equal(dfuse_itable_init(&t, 10, release), 0);
	assert_int_equal(t.nr_buckets, 16);
	assert_int_equal(
		dfuse_itable_add(&t, NULL, oid_of(1, 0), new_obj(), S_IFDIR, true, &root, &existed),
		0);
	assert_false(existed);
	assert_int_equal(root->ino, 1);
	assert_int_equal(
		dfuse_itable_add(&t, NULL, oid_of(5, 7), new_obj(), S_IFREG, false, &a, &existed),
		0);
	assert_int_equal(a->ino, 2);
	/* A second lookup of the same object: same inode, the caller keeps its object. */
	dup = new_obj();
	assert_int_equal(
		dfuse_itable_add(&t, NULL, oid_of(5, 7), dup, S_IFREG, false, &a2, &existed), 0);
	assert_true(existed);
	assert_ptr_equal(a, a2);
	assert_int_equal(a->ref, 2);
	d_free(dup);
	assert_int_equal(
		dfuse_itable_add(&t, NULL, oid_of(5, 8), new_obj(), S_IFREG, false, &b, &existed),
		0);
	assert_int_equal(b->ino, 3);
	assert_int_equal(dfuse_itable_count(&t), 3);

	assert_ptr_equal(dfuse_itable_get(&t, 2), a);
	assert_int_equal(a->ref, 3);
	dfuse_itable_put(&t, a);
	assert_ptr_equal(dfuse_itable_find(&t, NULL, oid_of(5, 8)), b);
	dfuse_itable_put(&t, b);
	assert_null(dfuse_itable_get(&t, 99));
	assert_null(dfuse_itable_find(&t, NULL, oid_of(9, 9)));

	/* The kernel forgets both lookups of a: gone, released once. */
	dfuse_itable_forget(&t, 2, 2);
	assert_int_equal(nr_released, 1);
	assert_null(dfuse_itable_get(&t, 2));
	assert_null(dfuse_itable_find(&t, NULL, oid_of(5, 7)));
	/* Unknown nodes and over-forgetting are harmless. */
	dfuse_itable_forget(&t, 2, 1);
	dfuse_itable_forget(&t, 3, 10);
	assert_int_equal(nr_released, 2);
	/* The same object looked up again gets a new node id, never a reused one. */
	assert_int_equal(
		dfuse_itable_add(&t, NULL, oid_of(5, 7), new_obj(), S_IFREG, false, &a, &existed),
		0);
	assert_int_equal(a->ino, 4);
	dfuse_itable_fini(&t);
	assert_int_equal(nr_released, 4);
	TEST_ALLOC_CHECK();
}

/* An operation in progress keeps a forgotten inode alive until it puts it. */
static void
ref_outlives_forget(void **state)
{
	struct dfuse_itable t;
	struct dfuse_inode *a, *held;
	bool existed;

	(void)state;
	TEST_ALLOC_MARK();
	nr_released = 0;
	assert_int_equal(dfuse_itable_init(&t, 4, release), 0);
	assert_int_equal(
		dfuse_itable_add(&t, NULL, oid_of(3, 3), new_obj(), S_IFREG, false, &a, &existed),
		0);
	held = dfuse_itable_get(&t, a->ino);
	dfuse_itable_forget(&t, a->ino, 1);
	assert_int_equal(nr_released, 0);
	dfuse_itable_put(&t, held);
	assert_int_equal(nr_released, 1);
	assert_int_equal(dfuse_itable_count(&t), 0);
	dfuse_itable_fini(&t);
	TEST_ALLOC_CHECK();
}

/* The same object id in two containers (a pool mount) is two inodes. */
static void
namespaces_apart(void **state)
{
	struct dfuse_itable t;
	struct dfuse_inode *a, *b, *again;
	int ns_a, ns_b;
	bool existed;

	(void)state;
	TEST_ALLOC_MARK();
	nr_released = 0;
	assert_int_equal(dfuse_itable_init(&t, 4, release), 0);
	assert_int_equal(
		dfuse_itable_add(&t, &ns_a, oid_of(1, 2), new_obj(), S_IFREG, false, &a, &existed),
		0);
	assert_false(existed);
	assert_int_equal(
		dfuse_itable_add(&t, &ns_b, oid_of(1, 2), new_obj(), S_IFREG, false, &b, &existed),
		0);
	assert_false(existed);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(a->ns, &ns_a);
	assert_ptr_equal(dfuse_itable_find(&t, &ns_b, oid_of(1, 2)), b);
	dfuse_itable_put(&t, b);
	assert_null(dfuse_itable_find(&t, NULL, oid_of(1, 2)));
	/* Objects-less inodes (the directories a pool mount makes up) are allowed. */
	assert_int_equal(
		dfuse_itable_add(&t, &ns_b, oid_of(0, 0), NULL, S_IFDIR, false, &again, &existed),
		0);
	assert_int_equal(dfuse_itable_count(&t), 3);
	dfuse_itable_fini(&t);
	assert_int_equal(nr_released, 2);
	TEST_ALLOC_CHECK();
}

#define NR_THREADS 4
#define NR_ROUNDS 2000

static void *
churn(void *arg)
{
	struct dfuse_itable *t = arg;
	int i;

	for (i = 0; i < NR_ROUNDS; i++) {
		struct dfuse_inode *ie;
		bool existed;
		void *obj = d_calloc(1, 8);

		assert_int_equal(dfuse_itable_add(t, NULL, oid_of(7, (uint64_t)(i % 37)), obj,
						  S_IFREG, false, &ie, &existed),
				 0);
		if (existed)
			d_free(obj);
		dfuse_itable_forget(t, ie->ino, 1);
	}
	return NULL;
}

/* Threads looking up and forgetting the same objects leave an empty table. */
static void
concurrent_churn(void **state)
{
	struct dfuse_itable t;
	pthread_t th[NR_THREADS];
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	nr_released = 0;
	assert_int_equal(dfuse_itable_init(&t, 64, release), 0);
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, churn, &t), 0);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(dfuse_itable_count(&t), 0);
	dfuse_itable_fini(&t);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_find_forget),
		cmocka_unit_test(ref_outlives_forget),
		cmocka_unit_test(namespaces_apart),
		cmocka_unit_test(concurrent_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
