/* SPDX-License-Identifier: Apache-2.0 */
/* alloc_tests.c - the allocator wrappers: zeroing, overflow, counting, fail-Nth. */
#define D_LOGFAC DD_FAC(tests)

#include "common/freelist.h"
#include "common/test.h"

static void
calloc_zeroes_and_counts(void **state)
{
	TEST_ALLOC_MARK();
	uint8_t *p;
	size_t i;

	(void)state;
	p = d_calloc(100, 8);
	assert_non_null(p);
	for (i = 0; i < 800; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(d_alloc_nr_live(), test_alloc_mark__ + 1);
	assert_true(d_alloc_bytes_live() >= 800);
	d_free(p);
	d_free(NULL);
	TEST_ALLOC_CHECK();
}

/* The per-thread count follows this thread's allocations and frees, reallocs included. */
static void
thread_bytes(void **state)
{
	int64_t before = d_alloc_thread_bytes();
	char *p;

	(void)state;
	p = d_malloc(1000);
	assert_true(d_alloc_thread_bytes() - before >= 1000);
	p = d_realloc(p, 100000);
	assert_true(d_alloc_thread_bytes() - before >= 100000);
	d_free(p);
	assert_int_equal(d_alloc_thread_bytes(), before);
}

static void
aligned(void **state)
{
	TEST_ALLOC_MARK();
	void *p = d_aligned_alloc(4096, 10000);

	(void)state;
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_int_equal(d_alloc_nr_live(), test_alloc_mark__ + 1);
	memset(p, 1, 10000);
	d_free(p);
	TEST_ALLOC_CHECK();
}

static void
overflow_is_refused(void **state)
{
	TEST_ALLOC_MARK();

	(void)state;
	assert_null(d_calloc(SIZE_MAX / 2, 4));
	assert_null(d_reallocarray(NULL, SIZE_MAX / 2, 4));
	TEST_ALLOC_CHECK();
}

static void
realloc_keeps_data(void **state)
{
	TEST_ALLOC_MARK();
	char *p;
	char *q;

	(void)state;
	p = d_realloc(NULL, 4);
	assert_non_null(p);
	memcpy(p, "abc", 4);
	q = d_realloc(p, 1 << 20);
	assert_non_null(q);
	assert_string_equal(q, "abc");
	assert_int_equal(d_alloc_nr_live(), test_alloc_mark__ + 1);
	d_free(q);
	TEST_ALLOC_CHECK();
}

static void
strings(void **state)
{
	TEST_ALLOC_MARK();
	char *s;
	int len;

	(void)state;
	s = d_strndup("abcdef", 3);
	assert_string_equal(s, "abc");
	d_free(s);
	s = d_strdup("xyz");
	assert_string_equal(s, "xyz");
	d_free(s);
	len = d_asprintf(&s, "%d-%s", 42, "x");
	assert_int_equal(len, 4);
	assert_string_equal(s, "42-x");
	D_FREE(s);
	assert_null(s);
	TEST_ALLOC_CHECK();
}

/* The Nth call fails once; earlier and later calls succeed. */
static void
fail_nth(void **state)
{
	TEST_ALLOC_MARK();
	void *a;
	void *b;
	void *c;
	void *d;

	(void)state;
	d_alloc_fail_nth(3);
	a = d_malloc(16);
	b = d_calloc(1, 16);
	assert_int_equal(d_alloc_fail_pending(), 1);
	c = d_strdup("x");
	assert_int_equal(d_alloc_fail_pending(), 0);
	d = d_malloc(16);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(c);
	assert_non_null(d);
	d_free(a);
	d_free(b);
	d_free(d);
	TEST_ALLOC_CHECK();
}

/* A function with several allocations, walked call by call as error-path tests do. */
static int
make_three(char ***out)
{
	char **v = d_calloc(3, sizeof(*v));
	int i;

	if (v == NULL)
		return -DER_NOMEM;
	for (i = 0; i < 3; i++) {
		v[i] = d_strdup("item");
		if (v[i] == NULL)
			goto out_free;
	}
	*out = v;
	return 0;

out_free:
	while (i-- > 0)
		d_free(v[i]);
	d_free(v);
	return -DER_NOMEM;
}

static void
fail_each_call_in_turn(void **state)
{
	TEST_ALLOC_MARK();
	char **v = NULL;
	uint64_t k;
	int rc;
	int i;

	(void)state;
	for (k = 1;; k++) {
		d_alloc_fail_nth(k);
		rc = make_three(&v);
		if (d_alloc_fail_pending() != 0)
			break; /* the Nth call was never reached: the walk is complete */
		assert_int_equal(rc, -DER_NOMEM);
		TEST_ALLOC_CHECK();
	}
	d_alloc_fail_nth(0);
	assert_int_equal(rc, 0);
	assert_int_equal(k, 5);
	for (i = 0; i < 3; i++)
		d_free(v[i]);
	d_free(v);
	TEST_ALLOC_CHECK();
}

static void
gurt_macros(void **state)
{
	TEST_ALLOC_MARK();
	struct {
		int a;
		int b;
	} * p;
	int *arr;
	char *s;

	(void)state;
	D_ALLOC_PTR(p);
	assert_non_null(p);
	assert_int_equal(p->a + p->b, 0);
	D_ALLOC_ARRAY(arr, 10);
	assert_non_null(arr);
	D_REALLOC_ARRAY(arr, arr, 10, 20);
	assert_non_null(arr);
	D_ASPRINTF(s, "%s", "hi");
	assert_string_equal(s, "hi");
	D_FREE(s);
	D_FREE(arr);
	D_FREE(p);
	assert_null(p);
	TEST_ALLOC_CHECK();
}

/* A free list reuses what it keeps (zeroed), frees beyond its bound, and drains. */
static void
freelist_reuse(void **state)
{
	TEST_ALLOC_MARK();
	struct d_freelist fl = { 0 };
	uint8_t *a;
	uint8_t *b;
	uint8_t *c;
	size_t i;

	(void)state;
	a = d_freelist_get(&fl, 64);
	b = d_freelist_get(&fl, 64);
	c = d_freelist_get(&fl, 64);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	memset(a, 0xab, 64);
	d_freelist_put(&fl, a, 2);
	d_freelist_put(&fl, b, 2);
	d_freelist_put(&fl, c, 2); /* over the bound: freed */
	assert_int_equal(fl.nr, 2);
	assert_int_equal(d_alloc_nr_live(), test_alloc_mark__ + 2);
	/* last in, first out, zeroed again */
	assert_ptr_equal(d_freelist_get(&fl, 64), b);
	c = d_freelist_get(&fl, 64);
	assert_ptr_equal(c, a);
	for (i = 0; i < 64; i++)
		assert_int_equal(c[i], 0);
	assert_int_equal(fl.nr, 0);
	d_freelist_put(&fl, a, 2);
	d_freelist_put(&fl, b, 2);
	d_freelist_put(&fl, NULL, 2);
	d_freelist_drain(&fl);
	assert_null(fl.head);
	assert_int_equal(fl.nr, 0);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calloc_zeroes_and_counts),
		cmocka_unit_test(freelist_reuse),
		cmocka_unit_test(thread_bytes),
		cmocka_unit_test(aligned),
		cmocka_unit_test(overflow_is_refused),
		cmocka_unit_test(realloc_keeps_data),
		cmocka_unit_test(strings),
		cmocka_unit_test(fail_nth),
		cmocka_unit_test(fail_each_call_in_turn),
		cmocka_unit_test(gurt_macros),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
