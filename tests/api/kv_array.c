/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kv_array.c - conformance of the flat KV API (daos_kv.h) and the array API
 * (daos_array.h): put/get/remove with their conditions and size queries, listing,
 * destroy; array create/open/open_with_attr, reads and writes over several chunks and
 * iovs, sizes after sparse writes, set_size both ways, punch, stat and destroy.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api_test.h"

/* Put, get, overwrite and remove, with the size queries and the conditions. */
static void
kv_put_get_remove(void **state)
{
	daos_obj_id_t oid = api_oid(DAOS_OT_KV_HASHED, OC_S1);
	daos_handle_t oh = DAOS_HDL_INVAL;
	unsigned char big[4097], out[4097 + 16];
	daos_size_t size;

	(void)state;
	assert_success(daos_kv_open(api.coh, oid, DAOS_OO_RW, &oh, NULL));
	api_fill(big, sizeof(big), 11);
	assert_success(daos_kv_put(oh, DAOS_TX_NONE, 0, "alpha", 10, "0123456789", NULL));
	assert_success(daos_kv_put(oh, DAOS_TX_NONE, 0, "beta", sizeof(big), big, NULL));

	/* NULL buffer: only the size. */
	size = 0;
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, 0, "alpha", &size, NULL, NULL));
	assert_int_equal(size, 10);
	size = DAOS_REC_ANY;
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, 0, "beta", &size, out, NULL));
	assert_int_equal(size, sizeof(big));

	/* Room enough: the value. */
	memset(out, 0, sizeof(out));
	size = sizeof(out);
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, 0, "beta", &size, out, NULL));
	assert_int_equal(size, sizeof(big));
	assert_memory_equal(out, big, sizeof(big));

	/* Too little room: REC2BIG and the size needed. */
	size = 5;
	assert_rc_equal(daos_kv_get(oh, DAOS_TX_NONE, 0, "alpha", &size, out, NULL), -DER_REC2BIG);
	assert_int_equal(size, 10);

	/* Overwrite: the latest value, at its own size. */
	assert_success(daos_kv_put(oh, DAOS_TX_NONE, 0, "alpha", 3, "xyz", NULL));
	size = sizeof(out);
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, 0, "alpha", &size, out, NULL));
	assert_int_equal(size, 3);
	assert_memory_equal(out, "xyz", 3);

	/* A missing key has size 0, unless the get is conditional. */
	size = sizeof(out);
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, 0, "gamma", &size, out, NULL));
	assert_int_equal(size, 0);
	size = sizeof(out);
	assert_rc_equal(daos_kv_get(oh, DAOS_TX_NONE, DAOS_COND_KEY_GET, "gamma", &size, out, NULL),
			-DER_NONEXIST);

	/* Conditional put. */
	assert_rc_equal(daos_kv_put(oh, DAOS_TX_NONE, DAOS_COND_KEY_INSERT, "alpha", 1, "a", NULL),
			-DER_EXIST);
	assert_rc_equal(daos_kv_put(oh, DAOS_TX_NONE, DAOS_COND_KEY_UPDATE, "gamma", 1, "g", NULL),
			-DER_NONEXIST);
	assert_success(daos_kv_put(oh, DAOS_TX_NONE, DAOS_COND_KEY_INSERT, "gamma", 1, "g", NULL));
	assert_success(daos_kv_put(oh, DAOS_TX_NONE, DAOS_COND_KEY_UPDATE, "gamma", 2, "gg", NULL));
	size = sizeof(out);
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, DAOS_COND_KEY_GET, "gamma", &size, out, NULL));
	assert_int_equal(size, 2);
	assert_memory_equal(out, "gg", 2);

	/* An empty value is not a value. */
	assert_rc_equal(daos_kv_put(oh, DAOS_TX_NONE, 0, "empty", 0, "", NULL), -DER_INVAL);

	/* Remove, and conditional remove of what is gone. */
	assert_success(daos_kv_remove(oh, DAOS_TX_NONE, 0, "alpha", NULL));
	size = sizeof(out);
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, 0, "alpha", &size, out, NULL));
	assert_int_equal(size, 0);
	assert_rc_equal(daos_kv_remove(oh, DAOS_TX_NONE, DAOS_COND_KEY_REMOVE, "alpha", NULL),
			-DER_NONEXIST);
	assert_success(daos_kv_remove(oh, DAOS_TX_NONE, DAOS_COND_KEY_REMOVE, "gamma", NULL));

	/* beta is untouched by all that. */
	size = sizeof(out);
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, 0, "beta", &size, out, NULL));
	assert_int_equal(size, sizeof(big));
	assert_memory_equal(out, big, sizeof(big));
	assert_success(daos_kv_close(oh, NULL));

	/* A KV open needs a KV object type. */
	oid = api_oid(DAOS_OT_MULTI_HASHED, OC_S1);
	assert_rc_equal(daos_kv_open(api.coh, oid, DAOS_OO_RW, &oh, NULL), -DER_INVAL);
}

/* 500 keys, 10 removed: listing 16 at a time gives the other 490 once each; then destroy. */
static void
kv_list_and_destroy(void **state)
{
	enum { NR_KEYS = 500 };
	daos_obj_id_t oid = api_oid(DAOS_OT_KV_HASHED, OC_SX);
	daos_handle_t oh = DAOS_HDL_INVAL;
	unsigned char seen[NR_KEYS] = { 0 };
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_size_t size;
	char key[16];
	int count = 0;
	int calls = 0;
	int i;

	(void)state;
	assert_success(daos_kv_open(api.coh, oid, DAOS_OO_RW, &oh, NULL));
	for (i = 0; i < NR_KEYS; i++) {
		snprintf(key, sizeof(key), "key-%04d", i);
		assert_success(daos_kv_put(oh, DAOS_TX_NONE, 0, key, strlen(key), key, NULL));
	}
	for (i = 0; i < NR_KEYS; i += 50) {
		snprintf(key, sizeof(key), "key-%04d", i);
		assert_success(daos_kv_remove(oh, DAOS_TX_NONE, 0, key, NULL));
	}

	while (!daos_anchor_is_eof(&anchor)) {
		daos_key_desc_t kds[16];
		char buf[16 * 8];
		d_iov_t iov;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
		uint32_t nr = 16;
		size_t off = 0;
		uint32_t k;

		assert_true(++calls < 2 * NR_KEYS);
		d_iov_set(&iov, buf, sizeof(buf));
		assert_success(daos_kv_list(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL));
		assert_true(nr <= 16);
		for (k = 0; k < nr; k++) {
			int n;

			assert_int_equal(kds[k].kd_key_len, 8);
			memcpy(key, buf + off, 8);
			key[8] = '\0';
			off += 8;
			assert_int_equal(sscanf(key, "key-%4d", &n), 1);
			assert_true(n >= 0 && n < NR_KEYS && n % 50 != 0);
			assert_false(seen[n]);
			seen[n] = 1;
			count++;
		}
	}
	assert_int_equal(count, NR_KEYS - NR_KEYS / 50);

	/* Destroy removes every key; the handle stays to be closed. */
	assert_success(daos_kv_destroy(oh, DAOS_TX_NONE, NULL));
	size = sizeof(key);
	assert_success(daos_kv_get(oh, DAOS_TX_NONE, 0, "key-0001", &size, key, NULL));
	assert_int_equal(size, 0);
	assert_success(daos_kv_close(oh, NULL));
}

/* Create stores the sizes (once), open reads them back, a missing array is NONEXIST. */
static void
array_create_and_open(void **state)
{
	daos_obj_id_t oid = { .lo = api.next_lo++ };
	daos_obj_id_t attr_oid = { .lo = api.next_lo++ };
	daos_handle_t oh = DAOS_HDL_INVAL, oh2 = DAOS_HDL_INVAL;
	daos_size_t cell = 0, chunk = 0;

	(void)state;
	assert_success(daos_array_generate_oid(api.coh, &oid, true, OC_SX, 0, 0));
	assert_int_equal(daos_obj_id2type(oid), DAOS_OT_ARRAY);
	assert_success(daos_array_generate_oid(api.coh, &attr_oid, false, OC_S1, 0, 0));
	assert_int_equal(daos_obj_id2type(attr_oid), DAOS_OT_ARRAY_ATTR);

	/* Not created yet. */
	assert_rc_equal(
		daos_array_open(api.coh, oid, DAOS_TX_NONE, DAOS_OO_RW, &cell, &chunk, &oh, NULL),
		-DER_NONEXIST);

	assert_success(daos_array_create(api.coh, oid, DAOS_TX_NONE, 4, 1024, &oh, NULL));
	assert_success(daos_array_get_attr(oh, &chunk, &cell));
	assert_int_equal(cell, 4);
	assert_int_equal(chunk, 1024);
	assert_rc_equal(daos_array_create(api.coh, oid, DAOS_TX_NONE, 8, 64, &oh2, NULL),
			-DER_EXIST);
	assert_success(daos_array_close(oh, NULL));

	cell = chunk = 0;
	assert_success(
		daos_array_open(api.coh, oid, DAOS_TX_NONE, DAOS_OO_RW, &cell, &chunk, &oh, NULL));
	assert_int_equal(cell, 4);
	assert_int_equal(chunk, 1024);
	assert_success(daos_array_close(oh, NULL));

	/* The type decides which open applies. */
	assert_rc_equal(daos_array_open_with_attr(api.coh, oid, DAOS_TX_NONE, DAOS_OO_RW, 4, 1024,
						  &oh, NULL),
			-DER_INVAL);
	assert_rc_equal(daos_array_open(api.coh, attr_oid, DAOS_TX_NONE, DAOS_OO_RW, &cell, &chunk,
					&oh, NULL),
			-DER_INVAL);
	assert_rc_equal(daos_array_open_with_attr(api.coh, attr_oid, DAOS_TX_NONE, DAOS_OO_RW, 0,
						  1024, &oh, NULL),
			-DER_INVAL);
}

/* Ranges over several chunks from an sgl of uneven iovs, read back into one. */
static void
array_write_read(void **state)
{
	enum { CELL = 4, CHUNK = 1000, NR = 10000 };
	daos_obj_id_t oid = { .lo = api.next_lo++ };
	daos_handle_t oh = DAOS_HDL_INVAL;
	unsigned char *in = api_alloc(NR * CELL);
	unsigned char *out = api_alloc(NR * CELL);
	daos_range_t rg = { .rg_idx = 0, .rg_len = NR };
	daos_range_t rgs[3] = { { 5, 5 }, { 2000, 5 }, { 9990, 10 } };
	daos_array_iod_t iod = { .arr_nr = 1, .arr_rgs = &rg };
	d_iov_t iovs[3];
	d_sg_list_t sgl = { .sg_nr = 3, .sg_iovs = iovs };
	unsigned char small[20 * CELL];
	daos_size_t size = 0;

	(void)state;
	assert_success(daos_array_generate_oid(api.coh, &oid, true, OC_SX, 0, 0));
	assert_success(daos_array_create(api.coh, oid, DAOS_TX_NONE, CELL, CHUNK, &oh, NULL));

	api_fill(in, NR * CELL, 21);
	/* Iovs of whole cells, not of whole chunks. */
	d_iov_set(&iovs[0], in, 8);
	d_iov_set(&iovs[1], in + 8, 20000);
	d_iov_set(&iovs[2], in + 20008, NR * CELL - 20008);
	assert_success(daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, NULL));

	memset(out, 0, NR * CELL);
	sgl.sg_nr = 1;
	d_iov_set(&iovs[0], out, NR * CELL);
	assert_success(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	api_check_fill(out, NR * CELL, 21, 0);
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, NR);

	/* Three ranges in one read. */
	iod.arr_nr = 3;
	iod.arr_rgs = rgs;
	d_iov_set(&iovs[0], small, sizeof(small));
	assert_success(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_memory_equal(small, in + 5 * CELL, 5 * CELL);
	assert_memory_equal(small + 5 * CELL, in + 2000 * CELL, 5 * CELL);
	assert_memory_equal(small + 10 * CELL, in + 9990 * CELL, 10 * CELL);

	/* The sgl must hold exactly the cells of the ranges. */
	d_iov_set(&iovs[0], small, sizeof(small) - 1);
	assert_rc_equal(daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, NULL), -DER_INVAL);
	assert_rc_equal(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL), -DER_INVAL);

	assert_success(daos_array_close(oh, NULL));
	free(in);
	free(out);
}

/* The size is one past the highest cell written; set_size shrinks and grows it. */
static void
array_sizes(void **state)
{
	enum { CELL = 1, CHUNK = 100 };
	daos_obj_id_t oid = { .lo = api.next_lo++ };
	daos_handle_t oh = DAOS_HDL_INVAL;
	unsigned char buf[100], out[20];
	daos_range_t rg;
	daos_array_iod_t iod = { .arr_nr = 1, .arr_rgs = &rg };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
	daos_array_stbuf_t st = { 0 };
	daos_size_t size = 12345;

	(void)state;
	assert_success(daos_array_generate_oid(api.coh, &oid, true, OC_SX, 0, 0));
	assert_success(daos_array_create(api.coh, oid, DAOS_TX_NONE, CELL, CHUNK, &oh, NULL));
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, 0);

	/* One cell far out. */
	rg = (daos_range_t){ .rg_idx = 5000, .rg_len = 1 };
	d_iov_set(&iov, "z", 1);
	assert_success(daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, 5001);

	/* Below it: no change. */
	api_fill(buf, sizeof(buf), 31);
	rg = (daos_range_t){ .rg_idx = 100, .rg_len = 100 };
	d_iov_set(&iov, buf, 100);
	assert_success(daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, 5001);
	assert_success(daos_array_stat(oh, DAOS_TX_NONE, &st, NULL));
	assert_int_equal(st.st_size, 5001);
	assert_true(st.st_max_epoch != 0);
	/* The epoch of the last change: reads do not move it, a write does. */
	{
		daos_array_stbuf_t st2;

		usleep(2000);
		assert_success(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
		assert_success(daos_array_stat(oh, DAOS_TX_NONE, &st2, NULL));
		assert_int_equal(st2.st_max_epoch, st.st_max_epoch);
		assert_success(daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
		assert_success(daos_array_stat(oh, DAOS_TX_NONE, &st2, NULL));
		assert_true(st2.st_max_epoch > st.st_max_epoch);
	}

	/* Shrink into the written range: what is below stays. */
	assert_success(daos_array_set_size(oh, DAOS_TX_NONE, 150, NULL));
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, 150);
	rg = (daos_range_t){ .rg_idx = 140, .rg_len = 10 };
	d_iov_set(&iov, out, 10);
	assert_success(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_memory_equal(out, buf + 40, 10);

	/* Grow: the size only, across many empty chunks. */
	assert_success(daos_array_set_size(oh, DAOS_TX_NONE, 100000, NULL));
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, 100000);
	assert_success(daos_array_stat(oh, DAOS_TX_NONE, &st, NULL));
	assert_int_equal(st.st_size, 100000);
	rg = (daos_range_t){ .rg_idx = 140, .rg_len = 10 };
	assert_success(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_memory_equal(out, buf + 40, 10);

	/* To nothing. */
	assert_success(daos_array_set_size(oh, DAOS_TX_NONE, 0, NULL));
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, 0);
	assert_success(daos_array_close(oh, NULL));
}

/* Punched cells no longer hold their data; their neighbours and the size are unchanged. */
static void
array_punch(void **state)
{
	daos_obj_id_t oid = { .lo = api.next_lo++ };
	daos_handle_t oh = DAOS_HDL_INVAL;
	unsigned char out[100];
	daos_range_t rg = { .rg_idx = 0, .rg_len = 100 };
	daos_range_t hole = { .rg_idx = 10, .rg_len = 10 };
	daos_array_iod_t iod = { .arr_nr = 1, .arr_rgs = &rg };
	daos_array_iod_t punch = { .arr_nr = 1, .arr_rgs = &hole };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
	daos_size_t size = 0;
	int i;

	(void)state;
	assert_success(daos_array_generate_oid(api.coh, &oid, true, OC_S1, 0, 0));
	assert_success(daos_array_create(api.coh, oid, DAOS_TX_NONE, 1, 64, &oh, NULL));
	memset(out, 'A', sizeof(out));
	d_iov_set(&iov, out, sizeof(out));
	assert_success(daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_success(daos_array_punch(oh, DAOS_TX_NONE, &punch, NULL));

	memset(out, '.', sizeof(out));
	assert_success(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	api_check_byte(out, 10, 'A');
	for (i = 10; i < 20; i++)
		if (out[i] == 'A')
			fail_msg("cell %d still holds its data after the punch", i);
	api_check_byte(out + 20, 80, 'A');
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, 100);
	assert_success(daos_array_close(oh, NULL));
}

/* An array whose sizes the caller keeps: no metadata, the same data through any open. */
static void
array_open_with_attr(void **state)
{
	enum { CELL = 8, CHUNK = 64, NR = 300 };
	daos_obj_id_t oid = { .lo = api.next_lo++ };
	daos_handle_t oh = DAOS_HDL_INVAL;
	unsigned char in[NR * CELL], out[NR * CELL];
	daos_range_t rg = { .rg_idx = 0, .rg_len = NR };
	daos_array_iod_t iod = { .arr_nr = 1, .arr_rgs = &rg };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
	daos_size_t size = 0, cell = 0, chunk = 0;

	(void)state;
	assert_success(daos_array_generate_oid(api.coh, &oid, false, OC_SX, 0, 0));
	assert_success(daos_array_open_with_attr(api.coh, oid, DAOS_TX_NONE, DAOS_OO_RW, CELL,
						 CHUNK, &oh, NULL));
	assert_success(daos_array_get_attr(oh, &chunk, &cell));
	assert_int_equal(cell, CELL);
	assert_int_equal(chunk, CHUNK);
	api_fill(in, sizeof(in), 41);
	d_iov_set(&iov, in, sizeof(in));
	assert_success(daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_success(daos_array_close(oh, NULL));

	assert_success(daos_array_open_with_attr(api.coh, oid, DAOS_TX_NONE, DAOS_OO_RW, CELL,
						 CHUNK, &oh, NULL));
	memset(out, 0, sizeof(out));
	d_iov_set(&iov, out, sizeof(out));
	assert_success(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_memory_equal(out, in, sizeof(in));
	assert_success(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL));
	assert_int_equal(size, NR);
	assert_success(daos_array_close(oh, NULL));
}

/* Destroy punches the data and the sizes: the array can no longer be opened. */
static void
array_destroy(void **state)
{
	daos_obj_id_t oid = { .lo = api.next_lo++ };
	daos_handle_t oh = DAOS_HDL_INVAL;
	daos_range_t rg = { .rg_idx = 0, .rg_len = 4 };
	daos_array_iod_t iod = { .arr_nr = 1, .arr_rgs = &rg };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
	daos_size_t cell, chunk;

	(void)state;
	assert_success(daos_array_generate_oid(api.coh, &oid, true, OC_S1, 0, 0));
	assert_success(daos_array_create(api.coh, oid, DAOS_TX_NONE, 1, 16, &oh, NULL));
	d_iov_set(&iov, "data", 4);
	assert_success(daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, NULL));
	assert_success(daos_array_destroy(oh, DAOS_TX_NONE, NULL));
	assert_success(daos_array_close(oh, NULL));
	assert_rc_equal(
		daos_array_open(api.coh, oid, DAOS_TX_NONE, DAOS_OO_RW, &cell, &chunk, &oh, NULL),
		-DER_NONEXIST);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kv_put_get_remove),     cmocka_unit_test(kv_list_and_destroy),
		cmocka_unit_test(array_create_and_open), cmocka_unit_test(array_write_read),
		cmocka_unit_test(array_sizes),           cmocka_unit_test(array_punch),
		cmocka_unit_test(array_open_with_attr),  cmocka_unit_test(array_destroy),
	};

	return cmocka_run_group_tests_name("kv_array", tests, api_group_setup, api_group_teardown);
}
