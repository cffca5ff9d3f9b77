/* SPDX-License-Identifier: Apache-2.0 */
/* iov_tests.c - d_iov_t and d_sg_list_t helpers: init, fini, sizes, copies. */
#define D_LOGFAC DD_FAC(tests)

#include "common/test.h"

static void
iov_set(void **state)
{
	TEST_ALLOC_MARK();
	char *heap = d_malloc(16);
	d_iov_t iov;

	(void)state;
	d_iov_set(&iov, heap, 16);
	assert_ptr_equal(iov.iov_buf, heap);
	assert_int_equal(iov.iov_len, 16);
	assert_int_equal(iov.iov_buf_len, 16);
	/* A heap buffer passes the stack check. */
	d_iov_set_safe(&iov, heap, 8);
	assert_int_equal(iov.iov_len, 8);
	assert_int_equal(iov.iov_buf_len, 8);
	d_iov_set_safe(&iov, NULL, 0);
	assert_null(iov.iov_buf);
	d_free(heap);
	TEST_ALLOC_CHECK();
}

static void
sgl_init_fini(void **state)
{
	TEST_ALLOC_MARK();
	d_sg_list_t sgl;
	uint32_t i;

	(void)state;
	assert_int_equal(d_sgl_init(&sgl, 0), 0);
	assert_int_equal(sgl.sg_nr, 0);
	assert_null(sgl.sg_iovs);
	assert_int_equal(d_sgl_buf_size(&sgl), 0);
	d_sgl_fini(&sgl, true);

	assert_int_equal(d_sgl_init(&sgl, 4), 0);
	assert_int_equal(sgl.sg_nr, 4);
	assert_int_equal(sgl.sg_nr_out, 0);
	for (i = 0; i < 4; i++) {
		assert_null(sgl.sg_iovs[i].iov_buf);
		d_iov_set(&sgl.sg_iovs[i], d_calloc(1, 100 + i), 100 + i);
		assert_non_null(sgl.sg_iovs[i].iov_buf);
	}
	assert_int_equal(d_sgl_buf_size(&sgl), 406);
	/* free_iovs also frees each buffer. */
	d_sgl_fini(&sgl, true);
	assert_null(sgl.sg_iovs);
	assert_int_equal(sgl.sg_nr, 0);
	TEST_ALLOC_CHECK();

	/* Without free_iovs the buffers stay the caller's. */
	{
		char buf[8];

		assert_int_equal(d_sgl_init(&sgl, 1), 0);
		d_iov_set(&sgl.sg_iovs[0], buf, sizeof(buf));
		d_sgl_fini(&sgl, false);
		d_sgl_fini(&sgl, false);
		d_sgl_fini(NULL, true);
	}
	TEST_ALLOC_CHECK();
}

static void
sgl_init_out_of_memory(void **state)
{
	TEST_ALLOC_MARK();
	d_sg_list_t sgl;

	(void)state;
	d_alloc_fail_nth(1);
	assert_int_equal(d_sgl_init(&sgl, 3), -DER_NOMEM);
	d_alloc_fail_nth(0);
	assert_int_equal(sgl.sg_nr, 0);
	assert_null(sgl.sg_iovs);
	d_sgl_fini(&sgl, true);
	TEST_ALLOC_CHECK();
}

static void
sgl_buf_copy(void **state)
{
	TEST_ALLOC_MARK();
	char a[4] = "abc";
	char b[6] = "hello";
	char x[8] = { 0 };
	char y[8] = { 0 };
	d_sg_list_t src;
	d_sg_list_t dst;

	(void)state;
	assert_int_equal(d_sgl_init(&src, 2), 0);
	assert_int_equal(d_sgl_init(&dst, 3), 0);
	d_iov_set(&src.sg_iovs[0], a, sizeof(a));
	d_iov_set(&src.sg_iovs[1], b, sizeof(b));
	src.sg_iovs[1].iov_len = 2;
	d_iov_set(&dst.sg_iovs[0], x, sizeof(x));
	d_iov_set(&dst.sg_iovs[1], y, sizeof(y));
	d_sgl_buf_copy(&dst, &src);
	assert_string_equal(x, "abc");
	assert_string_equal(y, "hello");
	assert_int_equal(dst.sg_iovs[0].iov_len, 4);
	assert_int_equal(dst.sg_iovs[1].iov_len, 2);
	assert_int_equal(dst.sg_iovs[1].iov_buf_len, 6);
	d_sgl_fini(&src, false);
	d_sgl_fini(&dst, false);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iov_set),
		cmocka_unit_test(sgl_init_fini),
		cmocka_unit_test(sgl_init_out_of_memory),
		cmocka_unit_test(sgl_buf_copy),
	};

	return cmocka_run_group_tests_name("iov", tests, NULL, NULL);
}
