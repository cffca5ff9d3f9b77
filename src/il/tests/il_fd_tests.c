/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il_fd_tests.c - the fd table of the interception libraries (il_pure.c): fds map to
 * shared, counted files; replacing or clearing an fd drops its reference; the file is
 * released exactly once, when the last fd and the last caller let go.
 */
#include "common/test.h"
#include "il/il.h"

static int nr_released;

static void
release(struct il_file *f)
{
	nr_released++;
	pthread_mutex_destroy(&f->lock);
	d_free(f);
}

static const struct il_file_ops ops = { .release = release };

static struct il_file *
new_file(void)
{
	struct il_file *f = d_calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ref = 1;
	pthread_mutex_init(&f->lock, NULL);
	return f;
}

/* dup'd fds share one file; it goes when the last fd and the creator's reference go. */
static void
dup_shares_one_file(void **state)
{
	struct il_fdtable t;
	struct il_file *f, *got, *old;
	bool cloexec = false;

	(void)state;
	TEST_ALLOC_MARK();
	nr_released = 0;
	assert_int_equal(il_fdtable_init(&t, 4096, &ops), 0);
	assert_true(il_fdtable_is_empty(&t));
	f = new_file();
	assert_int_equal(il_fdtable_set(&t, 3, f, false), 0);
	assert_int_equal(il_fdtable_set(&t, 2050, f, true), 0);
	il_file_put(&t, f);
	assert_false(il_fdtable_is_empty(&t));
	got = il_fdtable_get(&t, 2050, &cloexec);
	assert_ptr_equal(got, f);
	assert_true(cloexec);
	il_file_put(&t, got);
	assert_null(il_fdtable_get(&t, 4, NULL));
	assert_null(il_fdtable_get(&t, 1 << 20, NULL));
	il_fdtable_clear(&t, 3, &old);
	assert_ptr_equal(old, f);
	il_file_put(&t, old);
	assert_int_equal(nr_released, 0);
	il_fdtable_clear(&t, 2050, &old);
	il_file_put(&t, old);
	assert_int_equal(nr_released, 1);
	assert_true(il_fdtable_is_empty(&t));
	il_fdtable_fini(&t);
	TEST_ALLOC_CHECK();
}

/* Setting an fd that holds another file (dup2 over it) releases the old one. */
static void
set_replaces(void **state)
{
	struct il_fdtable t;
	struct il_file *a, *b;

	(void)state;
	TEST_ALLOC_MARK();
	nr_released = 0;
	assert_int_equal(il_fdtable_init(&t, 100, &ops), 0);
	a = new_file();
	b = new_file();
	assert_int_equal(il_fdtable_set(&t, 5, a, false), 0);
	il_file_put(&t, a);
	assert_int_equal(il_fdtable_set(&t, 5, b, false), 0);
	il_file_put(&t, b);
	assert_int_equal(nr_released, 1);
	assert_int_equal(il_fdtable_set(&t, -1, b, false), -DER_INVAL);
	assert_int_equal(il_fdtable_set_cloexec(&t, 5, true), 0);
	assert_int_equal(il_fdtable_set_cloexec(&t, 6, true), -DER_NONEXIST);
	/* fini drops what fds still hold. */
	il_fdtable_fini(&t);
	assert_int_equal(nr_released, 2);
	TEST_ALLOC_CHECK();
}

static void
count_cb(int fd, struct il_fd_slot *s, void *arg)
{
	int *n = arg;

	(void)s;
	*n += fd;
}

/* for_each visits every recorded fd once. */
static void
for_each_visits_all(void **state)
{
	struct il_fdtable t;
	struct il_file *f;
	int sum = 0;

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(il_fdtable_init(&t, 5000, &ops), 0);
	f = new_file();
	il_fdtable_set(&t, 1, f, false);
	il_fdtable_set(&t, 1030, f, false);
	il_fdtable_set(&t, 4000, f, false);
	il_file_put(&t, f);
	il_fdtable_for_each(&t, count_cb, &sum);
	assert_int_equal(sum, 1 + 1030 + 4000);
	il_fdtable_fini(&t);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dup_shares_one_file),
		cmocka_unit_test(set_replaces),
		cmocka_unit_test(for_each_visits_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
