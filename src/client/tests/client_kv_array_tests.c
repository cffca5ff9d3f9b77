/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_kv_array_tests.c - the KV (daos_kv.h) and array (daos_array.h) APIs end to end
 * through libdaos.so only, against the fake agent and engine of fake_server.h: 1000
 * keys put, listed in batches and removed; size queries and -DER_REC2BIG; arrays over
 * many chunks inline and by RMA, sparse sizes, set_size both ways (and into a hole),
 * punches that empty the last chunk, stat, byte-array holes, handle sharing, and 16
 * asynchronous writes on one EQ.
 */
#include <daos.h>

#include "client/tests/fake_server.h"
#include "common/test.h"
#include "rpc/rpc.h"

static daos_handle_t poh;
static daos_handle_t coh;
static uint64_t next_lo = 1;

static int
setup(void **state)
{
	(void)state;
	if (fake_start() != 0 || daos_init() != 0)
		return -1;
	if (daos_pool_connect(FAKE_POOL_LABEL, NULL, DAOS_PC_RW, &poh, NULL, NULL) != 0)
		return -1;
	if (daos_cont_create_with_label(poh, "kvarray", NULL, NULL, NULL) != 0)
		return -1;
	return daos_cont_open(poh, "kvarray", DAOS_COO_RW, &coh, NULL, NULL) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	daos_cont_close(coh, NULL);
	daos_pool_disconnect(poh, NULL);
	daos_fini();
	fake_stop();
	return 0;
}

static daos_obj_id_t
new_oid(enum daos_otype_t type, daos_oclass_id_t cid)
{
	daos_obj_id_t oid = { .lo = next_lo++ };

	assert_int_equal(daos_obj_generate_oid(coh, &oid, type, cid, 0, 0), 0);
	return oid;
}

static void
fill(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 8)) & 0xff);
}

/* Write (or read) @nr cells from @idx through one iov of @buf. */
static int
arr_io(daos_handle_t oh, bool write, uint64_t idx, uint64_t nr, size_t cell, void *buf,
       daos_array_iod_t *iod_out, daos_event_t *ev)
{
	static daos_range_t rg;
	static daos_array_iod_t iod;
	static d_iov_t iov;
	static d_sg_list_t sgl;

	rg.rg_idx = idx;
	rg.rg_len = nr;
	iod.arr_nr = 1;
	iod.arr_rgs = &rg;
	d_iov_set(&iov, buf, nr * cell);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	if (write)
		return daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, ev);
	if (iod_out != NULL) {
		*iod_out = iod;
		return daos_array_read(oh, DAOS_TX_NONE, iod_out, &sgl, ev);
	}
	return daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, ev);
}

static daos_size_t
arr_size(daos_handle_t oh)
{
	daos_size_t size = 12345;

	assert_int_equal(daos_array_get_size(oh, DAOS_TX_NONE, &size, NULL), 0);
	return size;
}

/* ---- KV ---- */

static void
kv_thousand_keys(void **state)
{
	enum { NR = 1000, BATCH = 37 };
	daos_obj_id_t oid = new_oid(DAOS_OT_KV_HASHED, OC_S2);
	daos_anchor_t anchor = { 0 };
	uint8_t seen[NR] = { 0 };
	daos_handle_t oh;
	char key[32];
	char val[64];
	daos_size_t size;
	int count = 0;
	int i;

	(void)state;
	assert_int_equal(daos_kv_open(coh, oid, DAOS_OO_RW, &oh, NULL), 0);
	for (i = 0; i < NR; i++) {
		snprintf(key, sizeof(key), "key.%04d", i);
		snprintf(val, sizeof(val), "value of %d", i * 3);
		assert_int_equal(daos_kv_put(oh, DAOS_TX_NONE, 0, key, strlen(val) + 1, val, NULL),
				 0);
	}
	/* every tenth goes */
	for (i = 0; i < NR; i += 10) {
		snprintf(key, sizeof(key), "key.%04d", i);
		assert_int_equal(daos_kv_remove(oh, DAOS_TX_NONE, DAOS_COND_KEY_REMOVE, key, NULL),
				 0);
	}
	while (!daos_anchor_is_eof(&anchor)) {
		daos_key_desc_t kds[BATCH];
		char buf[BATCH * 8];
		d_iov_t iov;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
		uint32_t nr = BATCH;
		size_t off = 0;
		uint32_t k;

		d_iov_set(&iov, buf, sizeof(buf));
		assert_int_equal(daos_kv_list(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL), 0);
		assert_true(nr <= BATCH);
		for (k = 0; k < nr; k++) {
			int n;

			assert_int_equal(kds[k].kd_key_len, 8);
			memcpy(key, buf + off, 8);
			key[8] = '\0';
			off += 8;
			assert_int_equal(sscanf(key, "key.%4d", &n), 1);
			assert_true(n >= 0 && n < NR && n % 10 != 0 && !seen[n]);
			seen[n] = 1;
			count++;
		}
	}
	assert_int_equal(count, NR - NR / 10);
	/* a sample read back, by size query then value */
	for (i = 1; i < NR; i += 97) {
		char out[64] = "";

		snprintf(key, sizeof(key), "key.%04d", i);
		snprintf(val, sizeof(val), "value of %d", i * 3);
		size = DAOS_REC_ANY;
		assert_int_equal(daos_kv_get(oh, DAOS_TX_NONE, 0, key, &size, out, NULL), 0);
		if (i % 10 == 0) {
			assert_int_equal(size, 0); /* removed */
			continue;
		}
		assert_int_equal(size, strlen(val) + 1);
		assert_int_equal(
			daos_kv_get(oh, DAOS_TX_NONE, DAOS_COND_KEY_GET, key, &size, out, NULL), 0);
		assert_string_equal(out, val);
	}
	snprintf(key, sizeof(key), "key.%04d", 20);
	size = sizeof(val);
	assert_int_equal(daos_kv_get(oh, DAOS_TX_NONE, DAOS_COND_KEY_GET, key, &size, val, NULL),
			 -DER_NONEXIST);
	assert_int_equal(daos_kv_destroy(oh, DAOS_TX_NONE, NULL), 0);
	assert_int_equal(daos_kv_close(oh, NULL), 0);
	assert_int_equal(daos_kv_close(oh, NULL), -DER_NO_HDL);
}

static void
kv_sizes_and_conditions(void **state)
{
	daos_obj_id_t oid = new_oid(DAOS_OT_KV_LEXICAL, OC_S1);
	uint8_t big[20000];
	uint8_t out[20000];
	daos_handle_t oh;
	daos_handle_t eqh;
	daos_event_t ev;
	daos_event_t *evp;
	daos_size_t size;

	(void)state;
	assert_int_equal(daos_kv_open(coh, oid, DAOS_OO_RW, &oh, NULL), 0);
	/* not an object handle, nor an array's */
	assert_int_equal(daos_obj_close(oh, NULL), -DER_NO_HDL);
	assert_int_equal(daos_array_close(oh, NULL), -DER_NO_HDL);
	fill(big, sizeof(big), 3);
	/* a value large enough to travel by RMA */
	assert_int_equal(
		daos_kv_put(oh, DAOS_TX_NONE, DAOS_COND_KEY_INSERT, "big", sizeof(big), big, NULL),
		0);
	assert_int_equal(daos_kv_put(oh, DAOS_TX_NONE, DAOS_COND_KEY_INSERT, "big", 1, big, NULL),
			 -DER_EXIST);
	size = 0;
	assert_int_equal(daos_kv_get(oh, DAOS_TX_NONE, 0, "big", &size, NULL, NULL), 0);
	assert_int_equal(size, sizeof(big));
	size = 100;
	assert_int_equal(daos_kv_get(oh, DAOS_TX_NONE, 0, "big", &size, out, NULL), -DER_REC2BIG);
	assert_int_equal(size, sizeof(big));
	size = sizeof(out);
	memset(out, 0, sizeof(out));
	assert_int_equal(daos_kv_get(oh, DAOS_TX_NONE, 0, "big", &size, out, NULL), 0);
	assert_memory_equal(out, big, sizeof(big));
	assert_int_equal(daos_kv_put(oh, DAOS_TX_NONE, 0, "", 1, big, NULL), -DER_INVAL);
	assert_int_equal(daos_kv_put(oh, DAOS_TX_NONE, 0, NULL, 1, big, NULL), -DER_INVAL);
	assert_int_equal(daos_kv_get(oh, DAOS_TX_NONE, 0, "big", NULL, out, NULL), -DER_INVAL);
	assert_int_equal(daos_kv_remove(oh, DAOS_TX_NONE, DAOS_COND_KEY_REMOVE, "nope", NULL),
			 -DER_NONEXIST);

	/* with an event: the result arrives through it */
	assert_int_equal(daos_eq_create(&eqh), 0);
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_kv_put(oh, DAOS_TX_NONE, DAOS_COND_KEY_UPDATE, "none", 1, big, &ev),
			 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);
	assert_ptr_equal(evp, &ev);
	assert_int_equal(ev.ev_error, -DER_NONEXIST);
	size = 10;
	assert_int_equal(daos_kv_get(oh, DAOS_TX_NONE, 0, "big", &size, out, &ev), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);
	assert_int_equal(ev.ev_error, -DER_REC2BIG);
	assert_int_equal(size, sizeof(big));
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
	assert_int_equal(daos_kv_close(oh, NULL), 0);
}

/* ---- arrays ---- */

static void
array_chunks_inline_and_rma(void **state)
{
	enum { CELL = 8, CHUNK = 1000, NR = 5000 };
	daos_obj_id_t oid = new_oid(DAOS_OT_ARRAY, OC_SX);
	uint8_t *in = malloc(NR * CELL);
	uint8_t *out = malloc(NR * CELL);
	daos_size_t cell = 0, chunk = 0;
	daos_range_t rgs[4] = { { 10, 3 }, { 999, 2 }, { 4990, 10 }, { 1500, 600 } };
	daos_array_iod_t iod = { .arr_nr = 4, .arr_rgs = rgs };
	d_iov_t iovs[5];
	d_sg_list_t sgl = { .sg_nr = 5, .sg_iovs = iovs };
	daos_handle_t oh;
	uint8_t *p;
	int r;

	(void)state;
	assert_int_equal(daos_array_create(coh, oid, DAOS_TX_NONE, CELL, CHUNK, &oh, NULL), 0);
	fill(in, NR * CELL, 9);
	assert_int_equal(arr_io(oh, true, 0, NR, CELL, in, NULL, NULL), 0);
	assert_int_equal(daos_array_close(oh, NULL), 0);
	assert_int_equal(
		daos_array_open(coh, oid, DAOS_TX_NONE, DAOS_OO_RW, &cell, &chunk, &oh, NULL), 0);
	assert_int_equal(cell, CELL);
	assert_int_equal(chunk, CHUNK);
	memset(out, 0, NR * CELL);
	assert_int_equal(arr_io(oh, false, 0, NR, CELL, out, NULL, NULL), 0);
	assert_memory_equal(out, in, NR * CELL);
	assert_int_equal(arr_size(oh), NR);

	/* four ranges, one crossing a chunk boundary, into iovs cut mid-range (whole cells) */
	memset(out, 0, NR * CELL);
	d_iov_set(&iovs[0], out, 16);
	d_iov_set(&iovs[1], out + 16, 8 + 8);
	d_iov_set(&iovs[2], out + 32, 8 + 80);
	d_iov_set(&iovs[3], out + 120, 800);
	d_iov_set(&iovs[4], out + 920, (3 + 2 + 10 + 600) * CELL - 920);
	assert_int_equal(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL), 0);
	assert_int_equal(iod.arr_nr_read, 615);
	assert_int_equal(iod.arr_nr_short_read, 0);
	p = out;
	for (r = 0; r < 4; r++) {
		assert_memory_equal(p, in + rgs[r].rg_idx * CELL, rgs[r].rg_len * CELL);
		p += rgs[r].rg_len * CELL;
	}
	/* a bad size: nothing is sent */
	d_iov_set(&iovs[4], out + 920, 8);
	assert_int_equal(daos_array_read(oh, DAOS_TX_NONE, &iod, &sgl, NULL), -DER_INVAL);
	assert_int_equal(daos_array_write(oh, DAOS_TX_NONE, &iod, NULL, NULL), -DER_INVAL);
	assert_int_equal(daos_array_read(DAOS_HDL_INVAL, DAOS_TX_NONE, &iod, &sgl, NULL),
			 -DER_NO_HDL);
	assert_int_equal(daos_array_close(oh, NULL), 0);
	free(in);
	free(out);
}

static void
array_sparse_sizes(void **state)
{
	enum { CELL = 4, CHUNK = 16 };
	daos_obj_id_t oid = new_oid(DAOS_OT_ARRAY, OC_S2);
	uint8_t buf[64 * CELL];
	uint8_t out[64 * CELL];
	daos_array_stbuf_t st = { 0 };
	daos_array_iod_t riod = { 0 };
	daos_range_t hole = { 40, 24 };
	daos_array_iod_t piod = { .arr_nr = 1, .arr_rgs = &hole };
	daos_handle_t oh;

	(void)state;
	fill(buf, sizeof(buf), 5);
	assert_int_equal(daos_array_create(coh, oid, DAOS_TX_NONE, CELL, CHUNK, &oh, NULL), 0);
	assert_int_equal(arr_size(oh), 0);
	assert_int_equal(arr_io(oh, true, 1000, 1, CELL, buf, NULL, NULL), 0);
	assert_int_equal(arr_size(oh), 1001);
	assert_int_equal(arr_io(oh, true, 10, 40, CELL, buf, NULL, NULL), 0);
	assert_int_equal(arr_size(oh), 1001);
	assert_int_equal(daos_array_stat(oh, DAOS_TX_NONE, &st, NULL), 0);
	assert_int_equal(st.st_size, 1001);
	assert_true(st.st_max_epoch != 0);

	/* shrink into written cells */
	assert_int_equal(daos_array_set_size(oh, DAOS_TX_NONE, 30, NULL), 0);
	assert_int_equal(arr_size(oh), 30);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(arr_io(oh, false, 0, 40, CELL, out, &riod, NULL), 0);
	assert_memory_equal(out + 10 * CELL, buf, 20 * CELL);
	/* cells 30..39 were punched: read stops at the last present cell of the chunk */
	assert_int_equal(riod.arr_nr_read + riod.arr_nr_short_read, 40);
	assert_true(riod.arr_nr_short_read >= 8);

	/* grow: only the size */
	assert_int_equal(daos_array_set_size(oh, DAOS_TX_NONE, 500, NULL), 0);
	assert_int_equal(arr_size(oh), 500);
	assert_int_equal(daos_array_set_size(oh, DAOS_TX_NONE, 500, NULL), 0);
	assert_int_equal(arr_size(oh), 500);

	/* shrink into a hole (cells 30..498 hold nothing): still exact */
	assert_int_equal(daos_array_set_size(oh, DAOS_TX_NONE, 200, NULL), 0);
	assert_int_equal(arr_size(oh), 200);
	assert_int_equal(daos_array_set_size(oh, DAOS_TX_NONE, 16, NULL), 0);
	assert_int_equal(arr_size(oh), 16);

	/* a punch that empties the last chunk: the size comes from the chunk below */
	assert_int_equal(daos_array_set_size(oh, DAOS_TX_NONE, 0, NULL), 0);
	assert_int_equal(arr_size(oh), 0);
	assert_int_equal(arr_io(oh, true, 0, 64, CELL, buf, NULL, NULL), 0);
	assert_int_equal(arr_size(oh), 64);
	assert_int_equal(daos_array_punch(oh, DAOS_TX_NONE, &piod, NULL), 0);
	assert_int_equal(arr_size(oh), 40);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(arr_io(oh, false, 0, 64, CELL, out, NULL, NULL), 0);
	assert_memory_equal(out, buf, 40 * CELL);

	assert_int_equal(daos_array_destroy(oh, DAOS_TX_NONE, NULL), 0);
	assert_int_equal(arr_size(oh), 0);
	assert_int_equal(daos_array_close(oh, NULL), 0);
	assert_int_equal(daos_array_create(coh, oid, DAOS_TX_NONE, CELL, CHUNK, &oh, NULL), 0);
	assert_int_equal(daos_array_create(coh, oid, DAOS_TX_NONE, CELL, CHUNK, NULL, NULL),
			 -DER_INVAL);
	assert_int_equal(daos_array_close(oh, NULL), 0);
}

static void
array_byte_holes_and_sharing(void **state)
{
	daos_obj_id_t oid = new_oid(DAOS_OT_ARRAY_BYTE, OC_S1);
	daos_array_iod_t riod = { 0 };
	uint8_t out[300];
	daos_handle_t oh, oh2;
	daos_size_t cell, chunk;
	d_iov_t glob = { 0 };
	daos_handle_t eqh;
	daos_event_t ev;
	daos_event_t *evp;
	int i;

	(void)state;
	assert_int_equal(
		daos_array_open(coh, oid, DAOS_TX_NONE, DAOS_OO_RW, &cell, &chunk, &oh, NULL),
		-DER_INVAL);
	assert_int_equal(
		daos_array_open_with_attr(coh, oid, DAOS_TX_NONE, DAOS_OO_RW, 1, 100, &oh, NULL),
		0);
	assert_int_equal(arr_io(oh, true, 150, 10, 1, "0123456789", NULL, NULL), 0);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(arr_io(oh, false, 0, 300, 1, out, &riod, NULL), 0);
	for (i = 0; i < 300; i++)
		assert_int_equal(out[i], i >= 150 && i < 160 ? '0' + i - 150 : 0);
	/* chunk 0: nothing; chunk 1: up to cell 159; chunk 2: nothing */
	assert_int_equal(riod.arr_nr_read, 60);
	assert_int_equal(riod.arr_nr_short_read, 240);
	assert_int_equal(arr_size(oh), 160);

	assert_int_equal(daos_array_local2global(oh, &glob), 0);
	glob.iov_buf = malloc(glob.iov_buf_len);
	assert_int_equal(daos_array_local2global(oh, &glob), 0);
	assert_int_equal(daos_array_global2local(coh, glob, 0, &oh2), 0);
	assert_int_equal(daos_array_get_attr(oh2, &chunk, &cell), 0);
	assert_int_equal(cell, 1);
	assert_int_equal(chunk, 100);
	assert_int_equal(arr_size(oh2), 160);
	((uint8_t *)glob.iov_buf)[0] ^= 1;
	assert_int_equal(daos_array_global2local(coh, glob, 0, &oh2), -DER_INVAL);
	free(glob.iov_buf);
	assert_int_equal(daos_array_update_chunk_size(oh2, 50), 0);
	assert_int_equal(daos_array_get_attr(oh2, &chunk, &cell), 0);
	assert_int_equal(chunk, 50);
	assert_int_equal(daos_array_close(oh2, NULL), 0);

	/* read-only: the chunk call fails at its start, inside the array call */
	assert_int_equal(
		daos_array_open_with_attr(coh, oid, DAOS_TX_NONE, DAOS_OO_RO, 1, 100, &oh2, NULL),
		0);
	assert_int_equal(arr_io(oh2, true, 0, 1, 1, "x", NULL, NULL), -DER_NO_PERM);
	assert_int_equal(daos_eq_create(&eqh), 0);
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(arr_io(oh2, true, 0, 1, 1, "x", NULL, &ev), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);
	assert_int_equal(ev.ev_error, -DER_NO_PERM);
	assert_int_equal(daos_array_set_size(oh2, DAOS_TX_NONE, 1000, &ev), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);
	assert_int_equal(ev.ev_error, -DER_NO_PERM);
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
	assert_int_equal(arr_size(oh2), 160);
	assert_int_equal(daos_array_close(oh2, NULL), 0);
	assert_int_equal(daos_array_close(oh, NULL), 0);
}

static void
array_async_writes(void **state)
{
	enum { NR_EVS = 16, CELL = 2, CHUNK = 100, PER = 250 };
	daos_obj_id_t oid = new_oid(DAOS_OT_ARRAY, OC_SX);
	static uint8_t in[NR_EVS][PER * CELL];
	static uint8_t out[NR_EVS * PER * CELL];
	daos_range_t rgs[NR_EVS];
	daos_array_iod_t iods[NR_EVS];
	d_iov_t iovs[NR_EVS];
	d_sg_list_t sgls[NR_EVS];
	daos_event_t evs[NR_EVS];
	daos_event_t *done[NR_EVS];
	daos_event_t ev;
	daos_size_t size = 0;
	daos_handle_t eqh;
	daos_handle_t oh;
	int got = 0;
	int i;

	(void)state;
	assert_int_equal(daos_eq_create(&eqh), 0);
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	/* create and get_size through an event too */
	assert_int_equal(daos_array_create(coh, oid, DAOS_TX_NONE, CELL, CHUNK, &oh, &ev), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, done), 1);
	assert_int_equal(ev.ev_error, 0);
	for (i = 0; i < NR_EVS; i++) {
		fill(in[i], sizeof(in[i]), 100 + i);
		rgs[i].rg_idx = (uint64_t)i * PER;
		rgs[i].rg_len = PER;
		memset(&iods[i], 0, sizeof(iods[i]));
		iods[i].arr_nr = 1;
		iods[i].arr_rgs = &rgs[i];
		d_iov_set(&iovs[i], in[i], sizeof(in[i]));
		sgls[i].sg_nr = 1;
		sgls[i].sg_iovs = &iovs[i];
		assert_int_equal(daos_event_init(&evs[i], eqh, NULL), 0);
		assert_int_equal(daos_array_write(oh, DAOS_TX_NONE, &iods[i], &sgls[i], &evs[i]),
				 0);
	}
	while (got < NR_EVS) {
		int n = daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, NR_EVS, done);

		assert_true(n > 0);
		for (i = 0; i < n; i++)
			assert_int_equal(done[i]->ev_error, 0);
		got += n;
	}
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, NR_EVS, done), 0);
	assert_int_equal(daos_array_get_size(oh, DAOS_TX_NONE, &size, &ev), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, done), 1);
	assert_int_equal(ev.ev_error, 0);
	assert_int_equal(size, NR_EVS * PER);
	assert_int_equal(arr_io(oh, false, 0, NR_EVS * PER, CELL, out, NULL, NULL), 0);
	for (i = 0; i < NR_EVS; i++)
		assert_memory_equal(out + (size_t)i * PER * CELL, in[i], PER * CELL);
	/* set_size on an event, then a read on one: both complete through it */
	assert_int_equal(daos_array_set_size(oh, DAOS_TX_NONE, 1234, &ev), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, done), 1);
	assert_int_equal(ev.ev_error, 0);
	assert_int_equal(arr_size(oh), 1234);
	for (i = 0; i < NR_EVS; i++)
		assert_int_equal(daos_event_fini(&evs[i]), 0);
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
	assert_int_equal(daos_array_close(oh, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kv_thousand_keys),
		cmocka_unit_test(kv_sizes_and_conditions),
		cmocka_unit_test(array_chunks_inline_and_rma),
		cmocka_unit_test(array_sparse_sizes),
		cmocka_unit_test(array_byte_holes_and_sharing),
		cmocka_unit_test(array_async_writes),
	};

	return cmocka_run_group_tests_name("client_kv_array", tests, setup, teardown);
}
