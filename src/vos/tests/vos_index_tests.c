/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_index_tests.c - what reads see: versions by epoch, punches and re-creation,
 * overlapping extents at several epochs, holes, conditional operations, enumeration and
 * queries. Run on a volatile pool (pure index semantics); durable pools have their own
 * tests.
 */
#define D_LOGFAC DD_FAC(tests)

#include "vos/tests/vos_test.h"

#define OT_HASHED 0
#define OT_DKEY_UINT64 2
#define OT_DKEY_LEXICAL 5
#define OT_ARRAY_BYTE 13

static struct tpool tp;

static int
setup(void **state)
{
	(void)state;
	tpool_setup(&tp, 0, 0, 0, 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tpool_teardown(&tp);
	return 0;
}

/* A single value read at several epochs sees the newest version at or below each. */
static void
single_value_versions(void **state)
{
	struct vos_oid oid = toid(1, OT_HASHED);
	char buf[64];
	uint64_t got;

	(void)state;
	assert_int_equal(t_put(tp.cont, oid, 10, 0, "d", "a", "ten", 3), 0);
	assert_int_equal(t_put(tp.cont, oid, 20, 0, "d", "a", "twenty", 6), 0);
	assert_int_equal(t_put(tp.cont, oid, 15, 0, "d", "a", "fifteen", 7), 0); /* late arrival */
	assert_int_equal(t_get(tp.cont, oid, 5, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(t_get(tp.cont, oid, 10, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "ten", 3);
	assert_int_equal(t_get(tp.cont, oid, 17, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 7);
	assert_memory_equal(buf, "fifteen", 7);
	assert_int_equal(
		t_get(tp.cont, oid, VOS_EPOCH_MAX - 1, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 6);
	assert_memory_equal(buf, "twenty", 6);
	/* A buffer too small reports the size. */
	assert_int_equal(t_get(tp.cont, oid, 20, 0, "d", "a", buf, 2, &got), -DER_REC2BIG);
	assert_int_equal(got, 6);
}

/* Punch hides what was before; an update after it re-creates. */
static void
punch_then_recreate(void **state)
{
	struct vos_oid oid = toid(2, OT_HASHED);
	d_iov_t dk;
	d_iov_t ak;
	char buf[16];
	uint64_t got;

	(void)state;
	d_iov_set(&dk, "d", 1);
	d_iov_set(&ak, "a", 1);
	assert_int_equal(t_put(tp.cont, oid, 10, 0, "d", "a", "v1", 2), 0);
	assert_int_equal(vos_obj_punch_sync(tp.cont, &oid, 20, 0, &dk, 1, &ak), 0);
	assert_int_equal(t_get(tp.cont, oid, 25, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	/* The punch of the last akey propagates to the dkey. */
	assert_int_equal(
		t_get(tp.cont, oid, 25, VOS_COND_DKEY_FETCH, "d", "a", buf, sizeof(buf), &got),
		-DER_NONEXIST);
	assert_int_equal(t_get(tp.cont, oid, 15, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 2);
	assert_int_equal(t_put(tp.cont, oid, 30, 0, "d", "a", "v2", 2), 0);
	assert_int_equal(t_get(tp.cont, oid, 35, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 2);
	assert_memory_equal(buf, "v2", 2);
	assert_int_equal(t_get(tp.cont, oid, 25, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	/* Object punch hides all dkeys; a write after it brings only itself back. */
	assert_int_equal(t_put(tp.cont, oid, 31, 0, "e", "a", "x", 1), 0);
	assert_int_equal(vos_obj_punch_sync(tp.cont, &oid, 40, 0, NULL, 0, NULL), 0);
	assert_int_equal(t_get(tp.cont, oid, 41, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(t_put(tp.cont, oid, 50, 0, "e", "a", "y", 1), 0);
	assert_int_equal(t_get(tp.cont, oid, 51, 0, "e", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 1);
	assert_int_equal(t_get(tp.cont, oid, 51, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	/* A write below the punch epoch arriving late stays hidden after the punch. */
	assert_int_equal(t_put(tp.cont, oid, 35, 0, "d", "a", "late", 4), 0);
	assert_int_equal(t_get(tp.cont, oid, 45, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(t_get(tp.cont, oid, 36, 0, "d", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 4);
}

/* Overlapping extents written at different epochs, read at several epochs. */
static void
overlapping_extents(void **state)
{
	struct vos_oid oid = toid(3, OT_ARRAY_BYTE);
	uint64_t dkey = 0;
	char w1[20];
	char w8[20];
	char w9[20];
	char out[20];
	char want[20];
	struct vos_recx map[8];
	struct vos_iom iom = { .cap = 8, .recxs = map };
	uint64_t e;
	int i;

	(void)state;
	memset(w1, '1', sizeof(w1));
	memset(w8, '8', sizeof(w8));
	memset(w9, '9', sizeof(w9));
	/* The example of DAOS's VOS README: epochs 1, 8, 9 over [0, 12). */
	assert_int_equal(t_write(tp.cont, oid, 1, &dkey, 8, "a", 0, 6, 1, w1), 0);
	assert_int_equal(t_write(tp.cont, oid, 8, &dkey, 8, "a", 5, 3, 1, w8), 0);
	assert_int_equal(t_write(tp.cont, oid, 9, &dkey, 8, "a", 7, 4, 1, w9), 0);
	for (e = 0; e <= 10; e++) {
		memset(out, '.', sizeof(out));
		memset(want, '.', sizeof(want));
		for (i = 0; i < 12; i++) {
			if (e >= 9 && i >= 7 && i <= 10)
				want[i] = '9';
			else if (e >= 8 && i >= 5 && i <= 7)
				want[i] = '8';
			else if (e >= 1 && i <= 5)
				want[i] = '1';
		}
		if (e == 0) {
			assert_int_equal(
				t_read(tp.cont, oid, 1, &dkey, 8, "a", 0, 12, 1, out, NULL), 0);
			continue;
		}
		assert_int_equal(t_read(tp.cont, oid, e, &dkey, 8, "a", 0, 12, 1, out, &iom), 0);
		assert_memory_equal(out, want, 12);
	}
	/* At epoch 10: data in [0, 10], index 11 is a hole. */
	assert_int_equal(iom.nr, 1);
	assert_int_equal(map[0].idx, 0);
	assert_int_equal(map[0].nr, 11);
	/* Punch [2, 3] at 12 (an update with record size 0). */
	{
		d_iov_t dk;
		struct vos_recx rx = { 2, 2 };
		struct vos_iod iod = { .type = VOS_IOD_ARRAY, .size = 0, .nr = 1, .recxs = &rx };

		d_iov_set(&dk, &dkey, 8);
		d_iov_set(&iod.name, "a", 1);
		assert_int_equal(vos_obj_update_sync(tp.cont, &oid, 12, 0, &dk, 1, &iod, NULL), 0);
	}
	memset(out, '.', sizeof(out));
	assert_int_equal(t_read(tp.cont, oid, 12, &dkey, 8, "a", 0, 12, 1, out, &iom), 0);
	assert_memory_equal(out, "11..1889999.", 12);
	assert_int_equal(iom.nr, 2);
	assert_int_equal(map[0].idx, 0);
	assert_int_equal(map[0].nr, 2);
	assert_int_equal(map[1].idx, 4);
	assert_int_equal(map[1].nr, 7);
}

/* A reference model: random extents at random epochs, read back at every epoch. */
static void
random_extents_model(void **state)
{
	enum { LEN = 256, NR = 300 };
	struct vos_oid oid = toid(4, OT_ARRAY_BYTE);
	static uint8_t model[NR + 1][LEN]; /* model[e]: the array as of epoch e (0: holes) */
	uint64_t dkey = 7;
	uint8_t data[LEN];
	uint8_t out[LEN];
	unsigned int seed = 12345;
	int e;
	int i;

	(void)state;
	memset(model[0], 0, LEN);
	for (e = 1; e <= NR; e++) {
		uint64_t idx = rand_r(&seed) % LEN;
		uint64_t nr = 1 + rand_r(&seed) % (LEN - idx);

		memcpy(model[e], model[e - 1], LEN);
		for (i = 0; i < (int)nr; i++)
			data[i] = (uint8_t)(e * 7 + i) | 1; /* never 0: 0 marks holes */
		memcpy(model[e] + idx, data, nr);
		assert_int_equal(
			t_write(tp.cont, oid, (uint64_t)e, &dkey, 8, "arr", idx, nr, 1, data), 0);
	}
	for (e = 1; e <= NR; e += 7) {
		memset(out, 0, LEN);
		assert_int_equal(
			t_read(tp.cont, oid, (uint64_t)e, &dkey, 8, "arr", 0, LEN, 1, out, NULL),
			0);
		assert_memory_equal(out, model[e], LEN);
		/* Sub-ranges: often within one extent (the newest covers them all). */
		for (i = 0; i < 8; i++) {
			uint64_t idx = rand_r(&seed) % LEN;
			uint64_t nr = 1 + rand_r(&seed) % (i < 4 ? 8 : LEN - idx);

			nr = D_MIN(nr, LEN - idx);
			memset(out, 0, LEN);
			assert_int_equal(t_read(tp.cont, oid, (uint64_t)e, &dkey, 8, "arr", idx, nr,
						1, out, NULL),
					 0);
			assert_memory_equal(out, model[e] + idx, nr);
		}
	}
}

/* Data kept in DRAM by a volatile pool; large values and many recxs per call. */
static void
multi_recx_and_akeys(void **state)
{
	struct vos_oid oid = toid(5, OT_HASHED);
	uint8_t big[20000];
	uint8_t out[20000];
	d_iov_t dk;
	d_iov_t v[2];
	d_sg_list_t sgl[2] = { { .sg_nr = 1, .sg_iovs = &v[0] }, { .sg_nr = 1, .sg_iovs = &v[1] } };
	struct vos_recx rx[3] = { { 0, 100 }, { 500, 100 }, { 1000, 4800 } };
	struct vos_iod iods[2] = {
		{ .type = VOS_IOD_ARRAY, .size = 4, .nr = 3, .recxs = rx },
		{ .type = VOS_IOD_SINGLE, .size = 5 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31);
	d_iov_set(&dk, "dk", 2);
	d_iov_set(&iods[0].name, "arr", 3);
	d_iov_set(&iods[1].name, "sv", 2);
	d_iov_set(&v[0], big, 5000 * 4);
	d_iov_set(&v[1], "hello", 5);
	assert_int_equal(vos_obj_update_sync(tp.cont, &oid, 3, 0, &dk, 2, iods, sgl), 0);
	memset(out, 0, sizeof(out));
	d_iov_set(&v[0], out, sizeof(out));
	d_iov_set(&v[1], out + 0, 0);
	{
		char sv[8];

		d_iov_set(&v[1], sv, sizeof(sv));
		iods[0].size = 0; /* DAOS_REC_ANY */
		iods[1].size = 0;
		assert_int_equal(vos_obj_fetch_sync(tp.cont, &oid, 3, 0, &dk, 2, iods, sgl, NULL),
				 0);
		assert_int_equal(iods[0].size, 4);
		assert_int_equal(iods[1].size, 5);
		assert_memory_equal(sv, "hello", 5);
		assert_memory_equal(out, big, 20000);
		assert_int_equal(v[0].iov_len, 20000);
	}
}

/* Conditional operations: DFS's atomic create relies on insert-if-absent. */
static void
conditional_ops(void **state)
{
	struct vos_oid oid = toid(6, OT_HASHED);
	char buf[16];
	uint64_t got;
	d_iov_t dk;

	(void)state;
	assert_int_equal(t_put(tp.cont, oid, 10, VOS_COND_DKEY_INSERT, "f", "a", "1", 1), 0);
	assert_int_equal(t_put(tp.cont, oid, 11, VOS_COND_DKEY_INSERT, "f", "a", "2", 1),
			 -DER_EXIST);
	assert_int_equal(t_put(tp.cont, oid, 11, VOS_COND_DKEY_UPDATE, "g", "a", "2", 1),
			 -DER_NONEXIST);
	assert_int_equal(t_put(tp.cont, oid, 12, VOS_COND_DKEY_UPDATE, "f", "a", "3", 1), 0);
	assert_int_equal(t_put(tp.cont, oid, 13, VOS_COND_AKEY_INSERT, "f", "a", "4", 1),
			 -DER_EXIST);
	assert_int_equal(t_put(tp.cont, oid, 13, VOS_COND_AKEY_INSERT, "f", "b", "4", 1), 0);
	assert_int_equal(t_put(tp.cont, oid, 14, VOS_COND_AKEY_UPDATE, "f", "c", "5", 1),
			 -DER_NONEXIST);
	assert_int_equal(
		t_get(tp.cont, oid, 20, VOS_COND_AKEY_FETCH, "f", "c", buf, sizeof(buf), &got),
		-DER_NONEXIST);
	assert_int_equal(
		t_get(tp.cont, oid, 20, VOS_COND_AKEY_FETCH, "f", "b", buf, sizeof(buf), &got), 0);
	assert_int_equal(
		t_get(tp.cont, oid, 20, VOS_COND_DKEY_FETCH, "zz", "b", buf, sizeof(buf), &got),
		-DER_NONEXIST);
	/* Insert is judged at the operation's epoch: before the dkey existed it succeeds. */
	assert_int_equal(t_put(tp.cont, oid, 5, VOS_COND_DKEY_INSERT, "f", "a", "0", 1), 0);
	/* Conditional punch. */
	d_iov_set(&dk, "nope", 4);
	assert_int_equal(vos_obj_punch_sync(tp.cont, &oid, 30, VOS_COND_PUNCH, &dk, 0, NULL),
			 -DER_NONEXIST);
	d_iov_set(&dk, "f", 1);
	assert_int_equal(vos_obj_punch_sync(tp.cont, &oid, 30, VOS_COND_PUNCH, &dk, 0, NULL), 0);
	assert_int_equal(vos_obj_punch_sync(tp.cont, &oid, 31, VOS_COND_PUNCH, &dk, 0, NULL),
			 -DER_NONEXIST);
	/* After the punch, insert succeeds again. */
	assert_int_equal(t_put(tp.cont, oid, 32, VOS_COND_DKEY_INSERT, "f", "a", "new", 3), 0);
}

/* Enumerating 100k dkeys in batches sees each exactly once; anchors survive updates. */
static void
enumerate_many(void **state)
{
	enum { NR = 100000 };
	struct vos_oid oid = toid(7, OT_HASHED);
	struct vos_anchor anchor = { 0 };
	struct vos_key_desc descs[97];
	static char keys[4096];
	uint8_t *seen = d_calloc(NR, 1);
	uint32_t total = 0;
	char name[32];
	int i;

	(void)state;
	assert_non_null(seen);
	for (i = 0; i < NR; i++) {
		d_iov_t dk;
		d_iov_t v;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
		struct vos_iod iod = { .type = VOS_IOD_SINGLE, .size = 1 };

		snprintf(name, sizeof(name), "key-%d", i);
		d_iov_set(&dk, name, strlen(name));
		d_iov_set(&iod.name, "a", 1);
		d_iov_set(&v, "x", 1);
		assert_int_equal(vos_obj_update_sync(tp.cont, &oid, 100 + (uint64_t)i % 10, 0, &dk,
						     1, &iod, &sgl),
				 0);
	}
	while (!vos_anchor_is_eof(&anchor)) {
		uint32_t nr = 97;
		uint32_t k;

		assert_int_equal(vos_key_list(tp.cont, &oid, NULL, 200, &anchor, descs, &nr, keys,
					      sizeof(keys)),
				 0);
		for (k = 0; k < nr; k++) {
			int n;

			memcpy(name, keys + descs[k].off, descs[k].len);
			name[descs[k].len] = '\0';
			assert_int_equal(sscanf(name, "key-%d", &n), 1);
			assert_false(seen[n]);
			seen[n] = 1;
			total++;
		}
		/* Updating keys already listed must not disturb the walk. */
		if (total > 0 && total < NR)
			assert_int_equal(t_put(tp.cont, oid, 150, 0, name, "a", "y", 1), 0);
	}
	assert_int_equal(total, NR);
	/* Epoch filtering: at epoch 100 only keys written at epoch 100 exist. */
	memset(&anchor, 0, sizeof(anchor));
	total = 0;
	while (!vos_anchor_is_eof(&anchor)) {
		uint32_t nr = 97;

		assert_int_equal(vos_key_list(tp.cont, &oid, NULL, 100, &anchor, descs, &nr, keys,
					      sizeof(keys)),
				 0);
		total += nr;
	}
	assert_int_equal(total, NR / 10);
	d_free(seen);
}

/* List every dkey of @oid at @epoch from @anchor into @out (NUL-terminated); how many. */
static int
list_from(struct vos_oid *oid, uint64_t epoch, struct vos_anchor *anchor, char (*out)[128])
{
	struct vos_key_desc descs[5];
	static char keys[5 * 128];
	int n = 0;

	while (!vos_anchor_is_eof(anchor)) {
		uint32_t nr = 5, k;

		assert_int_equal(vos_key_list(tp.cont, oid, NULL, epoch, anchor, descs, &nr, keys,
					      sizeof(keys)),
				 0);
		for (k = 0; k < nr; k++, n++) {
			memcpy(out[n], keys + descs[k].off, descs[k].len);
			out[n][descs[k].len] = '\0';
		}
	}
	return n;
}

/*
 * vos_key_anchor: a listing from the anchor of a key starts at that key (or where it
 * would stand), for hashed keys short and longer than an anchor holds, and for keys that
 * do not exist at the listing's epoch.
 */
static void
anchor_at_key(void **state)
{
	enum { NR = 200 };
	struct vos_oid oid = toid(30, OT_HASHED);
	static char all[NR][128], got[NR][128];
	struct vos_anchor anchor = { 0 };
	d_iov_t key;
	int i, j, k, n, nr;

	(void)state;
	for (i = 0; i < NR; i++) {
		/* Every third key is longer than the 80 bytes an anchor keeps. */
		snprintf(all[i], sizeof(all[i]), "k%03d%s", i,
			 i % 3 == 0 ? "-padded-to-well-over-eighty-bytes-so-that-only-the-prefix-"
				      "and-hash-fit-in-an-anchor"
				    : "");
		/* Every fifth key only exists from epoch 20. */
		assert_int_equal(t_put(tp.cont, oid, i % 5 == 0 ? 20 : 10, 0, all[i], "a", "x", 1),
				 0);
	}
	nr = list_from(&oid, 30, &anchor, all);
	assert_int_equal(nr, NR);
	for (i = 0; i < nr; i += 7) {
		d_iov_set(&key, all[i], strlen(all[i]));
		assert_int_equal(vos_key_anchor(tp.cont, &oid, NULL, &key, &anchor), 0);
		n = list_from(&oid, 30, &anchor, got);
		assert_int_equal(n, nr - i);
		for (j = 0; j < n; j++)
			assert_string_equal(got[j], all[i + j]);
		/* At epoch 15 the key may not exist yet: the listing goes on after it. */
		assert_int_equal(vos_key_anchor(tp.cont, &oid, NULL, &key, &anchor), 0);
		n = list_from(&oid, 15, &anchor, got);
		for (j = i, k = 0; j < nr; j++) {
			int num;

			assert_int_equal(sscanf(all[j], "k%03d", &num), 1);
			if (num % 5 == 0)
				continue;
			assert_true(k < n);
			assert_string_equal(got[k], all[j]);
			k++;
		}
		assert_int_equal(k, n);
	}
	/* The akeys of a dkey that does not exist: an anchor at the start. */
	d_iov_set(&key, "a", 1);
	assert_int_equal(vos_key_anchor(tp.cont, &oid, &key, &key, &anchor), 0);
	assert_false(vos_anchor_is_eof(&anchor));
	/* A key the object cannot have. */
	d_iov_set(&key, NULL, 0);
	assert_int_equal(vos_key_anchor(tp.cont, &oid, NULL, &key, &anchor), -DER_INVAL);
}

/* Max and min queries over uint64 dkeys and extents (the array API's size). */
static void
query_keys(void **state)
{
	struct vos_oid oid = toid(8, OT_ARRAY_BYTE);
	uint64_t d[3] = { 5, 900, 42 };
	uint8_t data[100] = { 1 };
	uint64_t out = 0;
	d_iov_t dk;
	d_iov_t ak;
	struct vos_recx rx;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(t_write(tp.cont, oid, 10, &d[i], 8, "a", d[i] * 2, 10, 1, data),
				 0);
	d_iov_set(&dk, &out, sizeof(out));
	d_iov_set(&ak, "a", 1);
	assert_int_equal(vos_obj_query_key(tp.cont, &oid, 10,
					   VOS_GET_DKEY | VOS_GET_RECX | VOS_GET_MAX, &dk, &ak,
					   &rx),
			 0);
	assert_int_equal(out, 900);
	assert_int_equal(rx.idx, 1800);
	assert_int_equal(rx.nr, 10);
	assert_int_equal(
		vos_obj_query_key(tp.cont, &oid, 10, VOS_GET_DKEY | VOS_GET_MIN, &dk, NULL, NULL),
		0);
	assert_int_equal(out, 5);
	/* Punch the max dkey: the query moves to the next one. */
	out = 900;
	assert_int_equal(vos_obj_punch_sync(tp.cont, &oid, 11, 0, &dk, 0, NULL), 0);
	assert_int_equal(vos_obj_query_key(tp.cont, &oid, 12,
					   VOS_GET_DKEY | VOS_GET_RECX | VOS_GET_MAX, &dk, &ak,
					   &rx),
			 0);
	assert_int_equal(out, 42);
	assert_int_equal(rx.idx, 84);
	assert_int_equal(
		vos_obj_query_key(tp.cont, &oid, 9, VOS_GET_DKEY | VOS_GET_MAX, &dk, NULL, NULL),
		-DER_NONEXIST);
	assert_int_equal(
		vos_obj_query_key(tp.cont, &oid, 9, VOS_GET_MAX | VOS_GET_MIN, &dk, NULL, NULL),
		-DER_INVAL);
}

/* Object and recx listing with anchors. */
static void
list_objects_and_recx(void **state)
{
	struct vos_anchor anchor = { 0 };
	struct vos_oid oids[3];
	struct vos_oid oid = toid(9, OT_ARRAY_BYTE);
	struct vos_recx rx[4];
	uint8_t data[10] = { 2 };
	uint64_t dkey = 1;
	uint64_t rsize;
	uint32_t total = 0;
	uint32_t nr;

	(void)state;
	while (!vos_anchor_is_eof(&anchor)) {
		nr = 3;
		assert_int_equal(vos_obj_list(tp.cont, VOS_EPOCH_MAX - 1, &anchor, oids, &nr), 0);
		total += nr;
	}
	assert_true(total >= 8);
	assert_int_equal(t_write(tp.cont, oid, 5, &dkey, 8, "a", 0, 10, 1, data), 0);
	assert_int_equal(t_write(tp.cont, oid, 5, &dkey, 8, "a", 20, 10, 1, data), 0);
	assert_int_equal(t_write(tp.cont, oid, 6, &dkey, 8, "a", 10, 5, 1, data), 0);
	memset(&anchor, 0, sizeof(anchor));
	nr = 4;
	{
		d_iov_t dk;
		d_iov_t ak;

		d_iov_set(&dk, &dkey, 8);
		d_iov_set(&ak, "a", 1);
		assert_int_equal(vos_recx_list(tp.cont, &oid, &dk, &ak, 6, false, &anchor, rx, NULL,
					       &nr, &rsize),
				 0);
	}
	assert_int_equal(nr, 2);
	assert_int_equal(rsize, 1);
	assert_int_equal(rx[0].idx, 0);
	assert_int_equal(rx[0].nr, 15);
	assert_int_equal(rx[1].idx, 20);
	assert_int_equal(rx[1].nr, 10);

	/* With their epochs, writes of different epochs stay apart; highest first, one
	 * at a time through the anchor. */
	{
		static const uint64_t want[3][3] = { { 20, 10, 5 }, { 10, 5, 6 }, { 0, 10, 5 } };
		uint64_t ep[4];
		d_iov_t dk;
		d_iov_t ak;
		int i;

		d_iov_set(&dk, &dkey, 8);
		d_iov_set(&ak, "a", 1);
		memset(&anchor, 0, sizeof(anchor));
		for (i = 0; i < 3; i++) {
			nr = 1;
			assert_int_equal(vos_recx_list(tp.cont, &oid, &dk, &ak, 6, true, &anchor,
						       rx, ep, &nr, &rsize),
					 0);
			assert_int_equal(nr, 1);
			assert_int_equal(rx[0].idx, want[i][0]);
			assert_int_equal(rx[0].nr, want[i][1]);
			assert_int_equal(ep[0], want[i][2]);
		}
		nr = 1;
		assert_int_equal(vos_recx_list(tp.cont, &oid, &dk, &ak, 6, true, &anchor, rx, ep,
					       &nr, &rsize),
				 0);
		assert_int_equal(nr, 0);
		assert_true(vos_anchor_is_eof(&anchor));
	}
}

static void
bad_arguments(void **state)
{
	struct vos_oid oid = toid(10, OT_DKEY_UINT64);
	char buf[8];
	uint64_t got;

	(void)state;
	/* A uint64 dkey must be 8 bytes. */
	assert_int_equal(t_put(tp.cont, oid, 1, 0, "abc", "a", "x", 1), -DER_INVAL);
	assert_int_equal(t_put(tp.cont, toid(11, OT_HASHED), 0, 0, "d", "a", "x", 1), -DER_INVAL);
	assert_int_equal(t_put(tp.cont, toid(11, OT_HASHED), VOS_EPOCH_MAX, 0, "d", "a", "x", 1),
			 -DER_INVAL);
	assert_int_equal(t_put(tp.cont, toid(11, OT_HASHED), 1, 0, "", "a", "x", 1), -DER_INVAL);
	/* An akey's kind is fixed by its first update. */
	assert_int_equal(t_put(tp.cont, toid(12, OT_HASHED), 1, 0, "d", "a", "x", 1), 0);
	{
		uint8_t data[4] = { 0 };
		uint64_t dk = 0;

		(void)dk;
		assert_int_equal(
			t_write(tp.cont, toid(12, OT_HASHED), 2, "d", 1, "a", 0, 4, 1, data),
			-DER_INVAL);
	}
	assert_int_equal(t_get(tp.cont, toid(12, OT_HASHED), 0, 0, "d", "a", buf, 8, &got),
			 -DER_INVAL);
	/* Containers. */
	assert_int_equal(vos_cont_create_sync(tp.pool, tp.cuuid), -DER_EXIST);
	assert_int_equal(vos_cont_destroy_sync(tp.pool, tp.cuuid), -DER_BUSY);
}

static void
containers(void **state)
{
	uuid_t u;
	struct vos_cont *c;
	struct vos_pool_info info;

	(void)state;
	uuid_generate(u);
	assert_int_equal(vos_cont_open(tp.pool, u, &c), -DER_NONEXIST);
	assert_int_equal(vos_cont_create_sync(tp.pool, u), 0);
	assert_int_equal(vos_cont_open(tp.pool, u, &c), 0);
	assert_int_equal(t_put(c, toid(1, OT_HASHED), 1, 0, "d", "a", "x", 1), 0);
	vos_cont_close(c);
	vos_pool_query(tp.pool, &info);
	assert_int_equal(info.nr_conts, 2);
	assert_int_equal(vos_cont_destroy_sync(tp.pool, u), 0);
	assert_int_equal(vos_cont_open(tp.pool, u, &c), -DER_NONEXIST);
	vos_pool_query(tp.pool, &info);
	assert_int_equal(info.nr_conts, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_value_versions),
		cmocka_unit_test(punch_then_recreate),
		cmocka_unit_test(overlapping_extents),
		cmocka_unit_test(random_extents_model),
		cmocka_unit_test(multi_recx_and_akeys),
		cmocka_unit_test(conditional_ops),
		cmocka_unit_test(enumerate_many),
		cmocka_unit_test(anchor_at_key),
		cmocka_unit_test(query_keys),
		cmocka_unit_test(list_objects_and_recx),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(containers),
	};

	return cmocka_run_group_tests_name("vos_index", tests, setup, teardown);
}
