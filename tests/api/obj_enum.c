/* SPDX-License-Identifier: Apache-2.0 */
/*
 * obj_enum.c - conformance of enumeration and key queries (daos_obj.h): 10,000 dkeys
 * listed a few at a time across every shard of an SX object, each exactly once; akeys;
 * array extents in both orders; -DER_KEY2BIG; the largest and smallest integer dkey,
 * akey and extent from daos_obj_query_key(); listings that go on from the anchor
 * daos_obj_key2anchor() sets at a dkey or akey; the parts of daos_obj_anchor_split().
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api_test.h"

#define NR_DKEYS 10000

/*
 * Enumerate the dkeys of @oh @batch at a time with @room bytes of key buffer, marking
 * "dk%05d" keys in @seen; every other key, and any key seen twice, fails the test.
 * Returns the number of keys listed.
 */
static int
list_numbered_dkeys(daos_handle_t oh, uint32_t batch, size_t room, unsigned char *seen)
{
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_desc_t *kds = api_alloc(batch * sizeof(*kds));
	char *buf = api_alloc(room);
	int count = 0;
	int calls = 0;

	while (!daos_anchor_is_eof(&anchor)) {
		d_iov_t iov;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
		uint32_t nr = batch;
		size_t off = 0;
		uint32_t i;

		/* Every call but the last lists something, give or take a shard change. */
		if (++calls > 2 * NR_DKEYS + 100)
			fail_msg("enumeration does not end after %d calls", calls);
		d_iov_set(&iov, buf, room);
		assert_success(daos_obj_list_dkey(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL));
		if (nr > batch)
			fail_msg("%u keys returned for a batch of %u", nr, batch);
		for (i = 0; i < nr; i++) {
			char key[8];
			unsigned int n = 0;
			int d;

			if (kds[i].kd_key_len != 7 || off + 7 > room)
				fail_msg("key %u of a batch has length %" PRIu64, i,
					 (uint64_t)kds[i].kd_key_len);
			memcpy(key, buf + off, 7);
			key[7] = '\0';
			off += 7;
			for (d = 2; d < 7; d++) {
				if (key[d] < '0' || key[d] > '9')
					break;
				n = n * 10 + (unsigned int)(key[d] - '0');
			}
			if (key[0] != 'd' || key[1] != 'k' || d != 7 || n >= NR_DKEYS)
				fail_msg("unexpected dkey \"%s\"", key);
			if (seen[n])
				fail_msg("dkey \"%s\" listed twice", key);
			seen[n] = 1;
			count++;
		}
	}
	free(kds);
	free(buf);
	return count;
}

/* 10,000 dkeys over both targets: small batches with anchors list each exactly once. */
static void
ten_thousand_dkeys(void **state)
{
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_SX));
	unsigned char *seen = api_alloc(NR_DKEYS);
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_desc_t kds[4];
	char small[3];
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
	uint32_t nr;
	int i;

	(void)state;
	for (i = 0; i < NR_DKEYS; i++) {
		char dkey[16];

		snprintf(dkey, sizeof(dkey), "dk%05d", i);
		assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, dkey, "a", &i, 1));
	}

	/* Seven at a time in a buffer with room for exactly seven. */
	memset(seen, 0, NR_DKEYS);
	assert_int_equal(list_numbered_dkeys(oh, 7, 7 * 7, seen), NR_DKEYS);
	/* And again, many at a time: the same set. */
	memset(seen, 0, NR_DKEYS);
	assert_int_equal(list_numbered_dkeys(oh, 1000, 64 * 1024, seen), NR_DKEYS);

	/* A buffer too small for one key: KEY2BIG and the room it needs. */
	d_iov_set(&iov, small, sizeof(small));
	nr = 4;
	assert_rc_equal(daos_obj_list_dkey(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL),
			-DER_KEY2BIG);
	assert_int_equal(kds[0].kd_key_len, 7);

	/* A batch of nothing is refused. */
	memset(&anchor, 0, sizeof(anchor));
	d_iov_set(&iov, seen, NR_DKEYS);
	nr = 0;
	assert_rc_equal(daos_obj_list_dkey(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL),
			-DER_INVAL);
	free(seen);
	assert_success(daos_obj_close(oh, NULL));
}

/* The akeys of one dkey, 5 at a time: each once. */
static void
akeys_of_a_dkey(void **state)
{
	enum { NR_AKEYS = 100 };
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_S1));
	daos_iod_t iods[NR_AKEYS];
	d_iov_t iovs[NR_AKEYS];
	d_sg_list_t sgls[NR_AKEYS];
	char names[NR_AKEYS][8];
	unsigned char seen[NR_AKEYS] = { 0 };
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_t dkey;
	int count = 0;
	int calls = 0;
	int i;

	(void)state;
	/* All akeys in one update. */
	memset(iods, 0, sizeof(iods));
	for (i = 0; i < NR_AKEYS; i++) {
		snprintf(names[i], sizeof(names[i]), "ak%03d", i);
		d_iov_set(&iods[i].iod_name, names[i], 5);
		iods[i].iod_type = DAOS_IOD_SINGLE;
		iods[i].iod_nr = 1;
		iods[i].iod_size = 5;
		d_iov_set(&iovs[i], names[i], 5);
		sgls[i] = (d_sg_list_t){ .sg_nr = 1, .sg_iovs = &iovs[i] };
	}
	d_iov_set(&dkey, "the-dkey", 8);
	assert_success(daos_obj_update(oh, DAOS_TX_NONE, 0, &dkey, NR_AKEYS, iods, sgls, NULL));
	api_sv_expect(oh, DAOS_TX_NONE, "the-dkey", "ak042", "ak042", 5);

	while (!daos_anchor_is_eof(&anchor)) {
		daos_key_desc_t kds[5];
		char buf[5 * 5];
		d_iov_t iov;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
		uint32_t nr = 5;
		uint32_t k;
		size_t off = 0;

		assert_true(++calls < 1000);
		d_iov_set(&iov, buf, sizeof(buf));
		assert_success(
			daos_obj_list_akey(oh, DAOS_TX_NONE, &dkey, &nr, kds, &sgl, &anchor, NULL));
		assert_true(nr <= 5);
		for (k = 0; k < nr; k++) {
			unsigned int n;

			assert_int_equal(kds[k].kd_key_len, 5);
			assert_true(buf[off] == 'a' && buf[off + 1] == 'k');
			n = (unsigned int)(buf[off + 2] - '0') * 100 +
			    (unsigned int)(buf[off + 3] - '0') * 10 +
			    (unsigned int)(buf[off + 4] - '0');
			assert_true(n < NR_AKEYS);
			assert_false(seen[n]);
			seen[n] = 1;
			off += 5;
			count++;
		}
	}
	assert_int_equal(count, NR_AKEYS);
	assert_success(daos_obj_close(oh, NULL));
}

/* Extents of an array akey, with their record size, smallest first or largest first. */
static void
recx_listing(void **state)
{
	static const daos_recx_t written[] = { { 0, 10 }, { 20, 10 }, { 100, 1 }, { 5000, 300 } };
	const int nr_written = sizeof(written) / sizeof(written[0]);
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_S1));
	unsigned char data[300 * 4];
	daos_key_t dkey, akey;
	int order;
	int i;

	(void)state;
	api_fill(data, sizeof(data), 5);
	for (i = 0; i < nr_written; i++)
		assert_success(api_ar_put(oh, DAOS_TX_NONE, 0, "d", "a", 4, written[i].rx_idx,
					  written[i].rx_nr, data));
	d_iov_set(&dkey, "d", 1);
	d_iov_set(&akey, "a", 1);

	for (order = 0; order < 2; order++) {
		bool incr = order == 0;
		daos_anchor_t anchor = DAOS_ANCHOR_INIT;
		daos_recx_t got[8];
		int count = 0;
		int calls = 0;

		while (!daos_anchor_is_eof(&anchor)) {
			daos_recx_t recxs[2];
			daos_epoch_range_t eprs[2];
			daos_size_t size = 0;
			uint32_t nr = 2;
			uint32_t k;

			assert_true(++calls < 100);
			assert_success(daos_obj_list_recx(oh, DAOS_TX_NONE, &dkey, &akey, &size,
							  &nr, recxs, eprs, &anchor, incr, NULL));
			assert_true(nr <= 2);
			for (k = 0; k < nr; k++) {
				assert_true(count < 8);
				assert_int_equal(size, 4);
				assert_true(eprs[k].epr_lo != 0);
				got[count++] = recxs[k];
			}
		}
		assert_int_equal(count, nr_written);
		for (i = 0; i < nr_written; i++) {
			const daos_recx_t *want = &written[incr ? i : nr_written - 1 - i];

			assert_int_equal(got[i].rx_idx, want->rx_idx);
			assert_int_equal(got[i].rx_nr, want->rx_nr);
		}
	}
	assert_success(daos_obj_close(oh, NULL));
}

/* Write one record under integer keys (@dkey, @akey) at @idx..@idx + @nr - 1. */
static void
put_u64(daos_handle_t oh, uint64_t dkey, uint64_t akey, uint64_t idx, uint64_t nr)
{
	unsigned char data[16];
	daos_key_t dk;
	daos_recx_t recx = { .rx_idx = idx, .rx_nr = nr };
	daos_iod_t iod = { 0 };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };

	assert_true(nr <= sizeof(data));
	memset(data, 'q', sizeof(data));
	d_iov_set(&dk, &dkey, sizeof(dkey));
	d_iov_set(&iod.iod_name, &akey, sizeof(akey));
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = 1;
	iod.iod_nr = 1;
	iod.iod_recxs = &recx;
	d_iov_set(&iov, data, nr);
	assert_success(daos_obj_update(oh, DAOS_TX_NONE, 0, &dk, 1, &iod, &sgl, NULL));
}

/*
 * Largest and smallest integer keys and extents. The largest akey is looked for under
 * the largest dkey only, so dkey 17 holds a larger akey (12) than dkey 1000 (9).
 */
static void
query_key_on_integer_keys(void **state)
{
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_UINT64, OC_SX));
	daos_handle_t hashed;
	uint64_t dval, aval;
	daos_key_t dkey, akey;
	daos_recx_t recx;

	(void)state;
	put_u64(oh, 5, 1, 0, 1);
	put_u64(oh, 17, 12, 0, 1);
	put_u64(oh, 3, 1, 0, 1);
	put_u64(oh, 1000, 2, 0, 4);
	put_u64(oh, 1000, 4, 0, 4);
	put_u64(oh, 1000, 9, 0, 10);
	put_u64(oh, 1000, 9, 50, 10);
	put_u64(oh, 1000, 9, 200, 1);

	d_iov_set(&dkey, &dval, sizeof(dval));
	d_iov_set(&akey, &aval, sizeof(aval));

	dval = 0;
	assert_success(daos_obj_query_key(oh, DAOS_TX_NONE, DAOS_GET_DKEY | DAOS_GET_MAX, &dkey,
					  NULL, NULL, NULL));
	assert_int_equal(dval, 1000);
	dval = 0;
	assert_success(daos_obj_query_key(oh, DAOS_TX_NONE, DAOS_GET_DKEY | DAOS_GET_MIN, &dkey,
					  NULL, NULL, NULL));
	assert_int_equal(dval, 3);

	/* Under a given dkey. */
	dval = 1000;
	aval = 0;
	assert_success(daos_obj_query_key(oh, DAOS_TX_NONE, DAOS_GET_AKEY | DAOS_GET_MAX, &dkey,
					  &akey, NULL, NULL));
	assert_int_equal(aval, 9);
	aval = 0;
	assert_success(daos_obj_query_key(oh, DAOS_TX_NONE, DAOS_GET_AKEY | DAOS_GET_MIN, &dkey,
					  &akey, NULL, NULL));
	assert_int_equal(aval, 2);

	/* Under a given dkey and akey. */
	dval = 1000;
	aval = 9;
	memset(&recx, 0, sizeof(recx));
	assert_success(daos_obj_query_key(oh, DAOS_TX_NONE, DAOS_GET_RECX | DAOS_GET_MAX, &dkey,
					  &akey, &recx, NULL));
	assert_int_equal(recx.rx_idx, 200);
	assert_int_equal(recx.rx_nr, 1);
	memset(&recx, 0, sizeof(recx));
	assert_success(daos_obj_query_key(oh, DAOS_TX_NONE, DAOS_GET_RECX | DAOS_GET_MIN, &dkey,
					  &akey, &recx, NULL));
	assert_int_equal(recx.rx_idx, 0);
	assert_int_equal(recx.rx_nr, 10);

	/* All three at once, as an array size query does. */
	dval = 0;
	aval = 0;
	memset(&recx, 0, sizeof(recx));
	assert_success(daos_obj_query_key(
		oh, DAOS_TX_NONE, DAOS_GET_DKEY | DAOS_GET_AKEY | DAOS_GET_RECX | DAOS_GET_MAX,
		&dkey, &akey, &recx, NULL));
	assert_int_equal(dval, 1000);
	assert_int_equal(aval, 9);
	assert_int_equal(recx.rx_idx, 200);
	assert_int_equal(recx.rx_nr, 1);

	/* Neither MAX nor MIN, or both: refused. */
	assert_rc_equal(
		daos_obj_query_key(oh, DAOS_TX_NONE, DAOS_GET_DKEY, &dkey, NULL, NULL, NULL),
		-DER_INVAL);
	assert_rc_equal(daos_obj_query_key(oh, DAOS_TX_NONE,
					   DAOS_GET_DKEY | DAOS_GET_MAX | DAOS_GET_MIN, &dkey, NULL,
					   NULL, NULL),
			-DER_INVAL);

	/* An integer dkey must be 8 bytes. */
	assert_rc_equal(api_sv_put(oh, DAOS_TX_NONE, 0, "1234", "12345678", "v", 1), -DER_INVAL);
	assert_success(daos_obj_close(oh, NULL));

	/* Hashed keys have no order to query. */
	hashed = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_S1));
	assert_success(api_sv_put(hashed, DAOS_TX_NONE, 0, "d", "a", "v", 1));
	assert_rc_equal(daos_obj_query_key(hashed, DAOS_TX_NONE, DAOS_GET_DKEY | DAOS_GET_MAX,
					   &dkey, NULL, NULL, NULL),
			-DER_INVAL);
	assert_success(daos_obj_close(hashed, NULL));
}

/* ---- daos_obj_key2anchor ---- */

#define K2A_MAX 256
#define K2A_LEN 128

/*
 * List the dkeys of @oh (or the akeys of @dkey) from @anchor to the end into @keys
 * (NUL-terminated, at most K2A_MAX of them), a few at a time. Returns how many.
 */
static int
k2a_list(daos_handle_t oh, daos_key_t *dkey, daos_anchor_t *anchor, char (*keys)[K2A_LEN])
{
	int count = 0, calls = 0;

	while (!daos_anchor_is_eof(anchor)) {
		daos_key_desc_t kds[3];
		char buf[3 * K2A_LEN];
		d_iov_t iov;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
		uint32_t nr = 3, i;
		size_t off = 0;

		assert_true(++calls < 4 * K2A_MAX);
		d_iov_set(&iov, buf, sizeof(buf));
		if (dkey == NULL)
			assert_success(
				daos_obj_list_dkey(oh, DAOS_TX_NONE, &nr, kds, &sgl, anchor, NULL));
		else
			assert_success(daos_obj_list_akey(oh, DAOS_TX_NONE, dkey, &nr, kds, &sgl,
							  anchor, NULL));
		for (i = 0; i < nr; i++) {
			assert_true(count < K2A_MAX && kds[i].kd_key_len < K2A_LEN);
			memcpy(keys[count], buf + off, kds[i].kd_key_len);
			keys[count][kds[i].kd_key_len] = '\0';
			off += kds[i].kd_key_len;
			count++;
		}
	}
	return count;
}

/*
 * The anchor of @key (a dkey of @oh, or an akey of @dkey) lists @all[@from..@nr - 1]:
 * the key itself and what followed it in the listing from the start.
 */
static void
k2a_expect(daos_handle_t oh, daos_key_t *dkey, const char *key, char (*all)[K2A_LEN], int nr,
	   int from)
{
	char(*got)[K2A_LEN] = api_alloc(K2A_MAX * K2A_LEN);
	daos_anchor_t anchor;
	daos_key_t k;
	int n, i;

	d_iov_set(&k, (void *)key, strlen(key));
	memset(&anchor, 0xa5, sizeof(anchor));
	if (dkey == NULL)
		assert_success(daos_obj_key2anchor(oh, DAOS_TX_NONE, &k, NULL, &anchor, NULL));
	else
		assert_success(daos_obj_key2anchor(oh, DAOS_TX_NONE, dkey, &k, &anchor, NULL));
	n = k2a_list(oh, dkey, &anchor, got);
	if (n != nr - from)
		fail_msg("from \"%.20s\": %d keys listed, %d expected", key, n, nr - from);
	for (i = 0; i < n; i++) {
		if (strcmp(got[i], all[from + i]) != 0)
			fail_msg("from \"%.20s\": key %d is \"%.20s\", not \"%.20s\"", key, i,
				 got[i], all[from + i]);
	}
	free(got);
}

/* Where @key stands in @all, or -1. */
static int
k2a_index(char (*all)[K2A_LEN], int nr, const char *key)
{
	int i;

	for (i = 0; i < nr; i++) {
		if (strcmp(all[i], key) == 0)
			return i;
	}
	return -1;
}

/*
 * A listing from the anchor of a key returns that key first, then what followed it: for
 * dkeys across the shards of an SX object (hashed keys, some longer than a target's
 * anchor holds), for akeys, and in key order for lexical dkeys. A key that does not
 * exist starts where it would stand.
 */
static void
key2anchor_resumes_listing(void **state)
{
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_SX));
	daos_handle_t lex = api_obj_open(api_oid(DAOS_OT_DKEY_LEXICAL, OC_S1));
	char(*all)[K2A_LEN] = api_alloc(K2A_MAX * K2A_LEN);
	char name[K2A_LEN];
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_t dkey, none;
	int one = 1, nr, i, at;

	(void)state;
	for (i = 0; i < 60; i++) {
		/* Every fourth key is longer than the 80 bytes an anchor keeps of a key. */
		snprintf(name, sizeof(name), "dk%03d%s", i,
			 i % 4 == 0 ? "-a-long-dkey-padded-well-beyond-eighty-bytes-of-key-"
				      "so-that-anchors-keep-only-its-prefix-and-hash"
				    : "");
		assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, name, "a", &one, sizeof(one)));
		snprintf(name, sizeof(name), "ak%03d", i);
		assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "akeys", name, &one, sizeof(one)));
		snprintf(name, sizeof(name), "lx%03d", i);
		assert_success(api_sv_put(lex, DAOS_TX_NONE, 0, name, "a", &one, sizeof(one)));
	}

	/* dkeys: the first, one in the middle, the last; every long one. */
	nr = k2a_list(oh, NULL, &anchor, all);
	assert_int_equal(nr, 61);
	for (i = 0; i < nr; i++) {
		if (i == 0 || i == nr / 2 || i == nr - 1 || strlen(all[i]) > 80)
			k2a_expect(oh, NULL, all[i], all, nr, i);
	}

	/* akeys of one dkey. */
	d_iov_set(&dkey, "akeys", 5);
	memset(&anchor, 0, sizeof(anchor));
	nr = k2a_list(oh, &dkey, &anchor, all);
	assert_int_equal(nr, 60);
	for (i = 0; i < nr; i += 7)
		k2a_expect(oh, &dkey, all[i], all, nr, i);

	/* Lexical dkeys: in order, so "lx030" goes on with lx030 .. lx059. */
	memset(&anchor, 0, sizeof(anchor));
	nr = k2a_list(lex, NULL, &anchor, all);
	assert_int_equal(nr, 60);
	at = k2a_index(all, nr, "lx030");
	assert_int_equal(at, 30);
	k2a_expect(lex, NULL, "lx030", all, nr, 30);
	/* A key that is not there: from where it would stand ("lx0305" after lx030). */
	k2a_expect(lex, NULL, "lx0305", all, nr, 31);
	k2a_expect(lex, NULL, "a", all, nr, 0);
	k2a_expect(lex, NULL, "zz", all, nr, nr);

	/* An akey of a dkey that does not exist: nothing to list. */
	d_iov_set(&none, "no-such-dkey", 12);
	k2a_expect(oh, &none, "ak000", all, 0, 0);

	/* Bad arguments. */
	d_iov_set(&none, NULL, 0);
	assert_rc_equal(daos_obj_key2anchor(oh, DAOS_TX_NONE, &none, NULL, &anchor, NULL),
			-DER_INVAL);
	assert_rc_equal(daos_obj_key2anchor(oh, DAOS_TX_NONE, &dkey, NULL, NULL, NULL), -DER_INVAL);
	assert_rc_equal(daos_obj_key2anchor(oh, DAOS_TX_NONE, &dkey, &none, &anchor, NULL),
			-DER_INVAL);
	free(all);
	assert_success(daos_obj_close(oh, NULL));
	assert_success(daos_obj_close(lex, NULL));
}

/* ---- daos_obj_anchor_split / daos_obj_anchor_set ---- */

/* Mark the "s%03d" keys of @keys in @seen; a key seen twice fails. */
static void
split_mark(char (*keys)[K2A_LEN], int n, unsigned char *seen)
{
	int i, k;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(keys[i], "s%03d", &k), 1);
		assert_true(k >= 0 && k < 200);
		if (seen[k])
			fail_msg("dkey %s listed by two parts of a split", keys[i]);
		seen[k] = 1;
	}
}

/* Each part of a split lists its own shards: together every dkey, each once. */
static void
anchor_split_parts(void **state)
{
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_SX));
	char(*keys)[K2A_LEN] = api_alloc(K2A_MAX * K2A_LEN);
	daos_anchor_t anchors[64];
	unsigned char seen[200];
	uint32_t nr = 0, parts, i;
	char key[16];
	int k, total;

	(void)state;
	for (k = 0; k < 200; k++) {
		snprintf(key, sizeof(key), "s%03d", k);
		assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, key, "a", "v", 1));
	}
	/* nr 0: DAOS's choice, one part per shard; anchors NULL only counts */
	assert_success(daos_obj_anchor_split(oh, &nr, NULL));
	assert_true(nr >= 2 && nr <= 64);
	parts = nr;
	for (nr = parts; nr >= 1; nr = nr > 2 ? nr / 2 : nr - 1) {
		uint32_t want = nr;

		assert_success(daos_obj_anchor_split(oh, &want, anchors));
		assert_int_equal(want, nr);
		memset(seen, 0, sizeof(seen));
		total = 0;
		for (i = 0; i < nr; i++) {
			int n = k2a_list(oh, NULL, &anchors[i], keys);

			/* 200 keys hashed over the shards: no part is empty */
			assert_true(n > 0);
			split_mark(keys, n, seen);
			total += n;
		}
		assert_int_equal(total, 200);
	}
	/* more parts than shards: one per shard */
	nr = parts + 5;
	assert_success(daos_obj_anchor_split(oh, &nr, anchors));
	assert_int_equal(nr, parts);
	/* anchor_set(i) is part i of the split into shards */
	memset(seen, 0, sizeof(seen));
	total = 0;
	for (i = 0; i < parts; i++) {
		int n;

		assert_success(daos_obj_anchor_set(oh, i, &anchors[0]));
		n = k2a_list(oh, NULL, &anchors[0], keys);
		split_mark(keys, n, seen);
		total += n;
	}
	assert_int_equal(total, 200);
	assert_rc_equal(daos_obj_anchor_set(oh, parts, &anchors[0]), -DER_INVAL);
	assert_rc_equal(daos_obj_anchor_split(oh, NULL, anchors), -DER_INVAL);
	assert_success(daos_obj_close(oh, NULL));
	free(keys);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ten_thousand_dkeys),
		cmocka_unit_test(akeys_of_a_dkey),
		cmocka_unit_test(recx_listing),
		cmocka_unit_test(query_key_on_integer_keys),
		cmocka_unit_test(key2anchor_resumes_listing),
		cmocka_unit_test(anchor_split_parts),
	};

	return cmocka_run_group_tests_name("obj_enum", tests, api_group_setup, api_group_teardown);
}
