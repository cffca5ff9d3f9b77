/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpc_tests.c - the data-plane RPC codecs: every body survives an encode/decode round
 * trip; every prefix of a valid body and bodies with bad counts are refused with
 * -DER_PROTO (never read past the end: ASan runs these too); daos_prop_t copies.
 */
#define D_LOGFAC DD_FAC(tests)

#include <daos_cont.h>
#include <daos_security.h>
#include <gurt/common.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/buf.h"
#include "rpc/rpc.h"

static uint8_t body[NET_BODY_MAX];

/* Every proper prefix of the @len bytes in body must be refused. */
#define CHECK_PREFIXES(len, decode_stmt)                     \
	do {                                                 \
		size_t cut_;                                 \
		for (cut_ = 0; cut_ < (len); cut_++) {       \
			uint8_t *copy_ = d_malloc(cut_ + 1); \
			int rc_;                             \
			assert_non_null(copy_);              \
			memcpy(copy_, body, cut_);           \
			rc_ = decode_stmt(copy_, cut_);      \
			assert_int_equal(rc_, -DER_PROTO);   \
			d_free(copy_);                       \
		}                                            \
	} while (0)

/*
 * With RPC_FUZZ_CORPUS=DIR, write each valid body as a seed for rpc_fuzz: the selector
 * byte(s) rpc_fuzz.c expects, then the body.
 */
static void
corpus_write(const char *name, const uint8_t *sel, size_t nsel, size_t len)
{
	const char *dir = getenv("RPC_FUZZ_CORPUS");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(sel, 1, nsel, f), nsel);
	assert_int_equal(fwrite(body, 1, len, f), len);
	fclose(f);
}

static daos_prop_t *
sample_prop(void)
{
	daos_prop_t *prop = daos_prop_alloc(4);
	uint8_t acl[sizeof(struct daos_acl) + 8];
	struct daos_acl hdr = { .dal_ver = 1, .dal_len = 8 };
	int i;

	assert_non_null(prop);
	memcpy(acl, &hdr, sizeof(hdr));
	for (i = 0; i < 8; i++)
		acl[sizeof(hdr) + i] = i + 1;
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
	assert_int_equal(daos_prop_set_str(prop, DAOS_PROP_CO_LABEL, "mycont", 6), 0);
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	prop->dpp_entries[1].dpe_val = 2;
	prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_ACL;
	assert_int_equal(daos_prop_set_ptr(prop, DAOS_PROP_CO_ACL, &acl, sizeof(acl)), 0);
	prop->dpp_entries[3].dpe_type = DAOS_PROP_CO_OWNER;
	prop->dpp_entries[3].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	return prop;
}

static void
check_sample_prop(daos_prop_t *p)
{
	struct daos_acl *acl;

	assert_non_null(p);
	assert_int_equal(p->dpp_nr, 4);
	assert_string_equal(daos_prop_entry_get(p, DAOS_PROP_CO_LABEL)->dpe_str, "mycont");
	assert_int_equal(daos_prop_entry_get(p, DAOS_PROP_CO_REDUN_FAC)->dpe_val, 2);
	acl = daos_prop_entry_get(p, DAOS_PROP_CO_ACL)->dpe_val_ptr;
	assert_int_equal(acl->dal_len, 8);
	assert_int_equal(acl->dal_ace[7], 8);
	assert_false(daos_prop_is_set(daos_prop_entry_get(p, DAOS_PROP_CO_OWNER)));
}

static int
open_in_dec(const void *b, size_t l)
{
	struct rpc_cont_open_in in;
	int rc = rpc_cont_open_in_decode(b, l, &in);

	if (rc == 0)
		rpc_cont_prop_fini(&in.prop);
	return rc;
}

static void
test_cont_open(void **state)
{
	struct rpc_cont_open_in in = { .flags = DAOS_COO_RW };
	struct rpc_cont_open_in out;
	size_t len;

	(void)state;
	uuid_generate(in.hdr.pool);
	uuid_generate(in.coh);
	snprintf(in.id, sizeof(in.id), "mycont");
	in.prop = sample_prop();
	len = rpc_cont_open_in_encode(&in, body, sizeof(body));
	assert_true(len > 0);
	assert_int_equal(rpc_cont_open_in_decode(body, len, &out), 0);
	assert_int_equal(uuid_compare(in.hdr.pool, out.hdr.pool), 0);
	assert_int_equal(uuid_compare(in.coh, out.coh), 0);
	assert_string_equal(out.id, "mycont");
	assert_int_equal(out.flags, DAOS_COO_RW);
	check_sample_prop(out.prop);
	rpc_cont_prop_fini(&out.prop);
	corpus_write("cont_open", (const uint8_t[]){ 6, 3 }, 2, len);
	CHECK_PREFIXES(len, open_in_dec);
	/* no room: the encoder says so */
	assert_int_equal(rpc_cont_open_in_encode(&in, body, len - 1), 0);
	daos_prop_free(in.prop);
}

static int
query_out_dec(const void *b, size_t l)
{
	struct rpc_pool_query_out out;
	int rc = rpc_pool_query_out_decode(b, l, &out);

	if (rc == 0)
		rpc_pool_query_out_fini(&out);
	return rc;
}

static void
test_pool_query_out(void **state)
{
	struct rpc_pool_query_out out = { 0 };
	struct rpc_pool_query_out dec;
	d_rank_t en[3] = { 0, 1, 5 };
	d_rank_t got[3];
	char map[100];
	size_t len;

	(void)state;
	memset(map, 7, sizeof(map));
	uuid_generate(out.info.pi_uuid);
	out.info.pi_ntargets = 16;
	out.info.pi_map_ver = 3;
	out.info.pi_bits = DPI_SPACE;
	out.info.pi_space.ps_space.s_total[DAOS_MEDIA_NVME] = 1ULL << 40;
	out.info.pi_rebuild_st.rs_state = DRS_COMPLETED;
	d_iov_set(&out.map, map, sizeof(map));
	out.nr_enabled = 3;
	out.enabled = en;
	len = rpc_pool_query_out_encode(&out, body, sizeof(body));
	assert_true(len > 0);
	assert_int_equal(rpc_pool_query_out_decode(body, len, &dec), 0);
	assert_int_equal(dec.info.pi_ntargets, 16);
	assert_int_equal(dec.info.pi_map_ver, 3);
	assert_int_equal(dec.info.pi_space.ps_space.s_total[DAOS_MEDIA_NVME], 1ULL << 40);
	assert_int_equal(dec.info.pi_rebuild_st.rs_state, DRS_COMPLETED);
	assert_int_equal(dec.map.iov_len, sizeof(map));
	assert_memory_equal(dec.map.iov_buf, map, sizeof(map));
	assert_int_equal(dec.nr_enabled, 3);
	rpc_ranks_get(dec.enabled, 3, got);
	assert_memory_equal(got, en, sizeof(en));
	assert_int_equal(dec.nr_disabled, 0);
	rpc_pool_query_out_fini(&dec);
	corpus_write("pool_query_out", (const uint8_t[]){ 6, 2 }, 2, len);
	CHECK_PREFIXES(len, query_out_dec);
}

static int
update_dec(const void *b, size_t l)
{
	struct rpc_obj_rw_in in;
	int rc = rpc_obj_rw_in_decode(b, l, false, &in);

	if (rc == 0)
		rpc_obj_rw_in_fini(&in);
	return rc;
}

static int
fetch_dec(const void *b, size_t l)
{
	struct rpc_obj_rw_in in;
	int rc = rpc_obj_rw_in_decode(b, l, true, &in);

	if (rc == 0)
		rpc_obj_rw_in_fini(&in);
	return rc;
}

static void
test_obj_rw(void **state)
{
	daos_recx_t recxs[2] = { { 0, 10 }, { 100, 5 } };
	struct rpc_iod iods[2] = {
		{ .type = DAOS_IOD_SINGLE, .size = 3 },
		{ .type = DAOS_IOD_ARRAY, .size = 1, .nr = 2, .recxs = recxs },
	};
	struct rpc_bulk_seg seg = { .desc = { .addr = 4096, .len = 100, .key = 9 }, .len = 15 };
	uint64_t caps[2] = { 3, 15 };
	struct rpc_obj_rw_in in = { .nr = 2, .iods = iods };
	struct rpc_obj_rw_in out;
	size_t len;

	(void)state;
	d_iov_set(&in.hdr.dkey, "dkey", 4);
	d_iov_set(&iods[0].name, "a0", 2);
	d_iov_set(&iods[1].name, "a1", 2);
	in.hdr.oid.lo = 42;
	in.hdr.shard = 3;
	in.data.kind = RPC_DATA_INLINE;
	d_iov_set(&in.data.inl, "abcdefghijklmnopqr", 18);
	len = rpc_obj_update_in_encode(&in, body, sizeof(body));
	assert_true(len > 0);
	assert_int_equal(rpc_obj_rw_in_decode(body, len, false, &out), 0);
	assert_int_equal(out.hdr.oid.lo, 42);
	assert_int_equal(out.hdr.shard, 3);
	assert_int_equal(out.nr, 2);
	assert_int_equal(out.iods[1].nr, 2);
	assert_int_equal(out.iods[1].recxs[1].rx_idx, 100);
	assert_int_equal(out.data.inl.iov_len, 18);
	rpc_obj_rw_in_fini(&out);
	corpus_write("update", (const uint8_t[]){ 0 }, 1, len);
	CHECK_PREFIXES(len, update_dec);

	in.caps = caps;
	in.want_maps = 1;
	in.data.kind = RPC_DATA_BULK;
	in.data.nr_segs = 1;
	in.data.segs = &seg;
	len = rpc_obj_fetch_in_encode(&in, body, sizeof(body));
	assert_true(len > 0);
	assert_int_equal(rpc_obj_rw_in_decode(body, len, true, &out), 0);
	assert_int_equal(out.caps[1], 15);
	assert_int_equal(out.data.nr_segs, 1);
	assert_int_equal(out.data.segs[0].desc.key, 9);
	assert_int_equal(out.data.segs[0].len, 15);
	rpc_obj_rw_in_fini(&out);
	corpus_write("fetch", (const uint8_t[]){ 1 }, 1, len);
	CHECK_PREFIXES(len, fetch_dec);

	/* a segment claiming more than it registered */
	seg.len = 101;
	len = rpc_obj_fetch_in_encode(&in, body, sizeof(body));
	assert_int_equal(fetch_dec(body, len), -DER_PROTO);
	/* a single value with recxs */
	seg.len = 15;
	iods[0].nr = 1;
	iods[0].recxs = recxs;
	len = rpc_obj_fetch_in_encode(&in, body, sizeof(body));
	assert_int_equal(fetch_dec(body, len), -DER_PROTO);
}

static int
fetch_out_dec(const void *b, size_t l)
{
	struct rpc_obj_fetch_out out;
	int rc = rpc_obj_fetch_out_decode(b, l, &out);

	if (rc == 0)
		rpc_obj_fetch_out_fini(&out);
	return rc;
}

static void
test_fetch_out(void **state)
{
	uint64_t sizes[2] = { 3, 1 };
	uint64_t lens[2] = { 3, 105 };
	daos_recx_t rx[2] = { { 0, 10 }, { 100, 5 } };
	struct rpc_iom maps[2] = {
		{ 0 }, { .nr = 2, .lo = { 0, 10 }, .hi = { 100, 5 }, .nr_recxs = 2, .recxs = rx }
	};
	struct rpc_obj_fetch_out out = { .nr = 2, .sizes = sizes, .data_lens = lens, .maps = maps };
	struct rpc_obj_fetch_out dec;
	size_t len;

	(void)state;
	d_iov_set(&out.inl, "xyz", 3);
	len = rpc_obj_fetch_out_encode(&out, body, sizeof(body));
	assert_true(len > 0);
	assert_int_equal(rpc_obj_fetch_out_decode(body, len, &dec), 0);
	assert_int_equal(dec.data_lens[1], 105);
	assert_int_equal(dec.maps[1].nr_recxs, 2);
	assert_int_equal(dec.maps[1].recxs[1].rx_idx, 100);
	assert_int_equal(dec.inl.iov_len, 3);
	rpc_obj_fetch_out_fini(&dec);
	corpus_write("fetch_out", (const uint8_t[]){ 2 }, 1, len);
	CHECK_PREFIXES(len, fetch_out_dec);
}

static int
snaps_dec(const void *b, size_t l)
{
	uint64_t *e;
	uint32_t n;
	int rc = rpc_snaps_decode(b, l, &e, &n);

	if (rc == 0)
		d_free(e);
	return rc;
}

static int
cont_id_dec(const void *b, size_t l)
{
	uuid_t p, c;

	return rpc_cont_id_decode(b, l, p, c);
}

static int
revoke_dec(const void *b, size_t l)
{
	struct rpc_hdl_revoke_in in;
	int rc = rpc_hdl_revoke_in_decode(b, l, &in);

	if (rc == 0)
		rpc_hdl_revoke_in_fini(&in);
	return rc;
}

static int
enum_dec(const void *b, size_t l)
{
	struct rpc_obj_enum_in in;

	return rpc_obj_enum_in_decode(b, l, &in);
}

static int
punch_dec(const void *b, size_t l)
{
	struct rpc_obj_punch_in in;
	int rc = rpc_obj_punch_in_decode(b, l, &in);

	if (rc == 0)
		rpc_obj_punch_in_fini(&in);
	return rc;
}

static int
list_out_dec(const void *b, size_t l)
{
	struct rpc_obj_list_out out;
	int rc = rpc_obj_list_out_decode(b, l, &out);

	if (rc == 0)
		rpc_obj_list_out_fini(&out);
	return rc;
}

/* The object listing (the OIT's source): request kind OBJ and its reply. */
static void
test_obj_list(void **state)
{
	struct rpc_obj_shard_id ids[3] = {
		{ { .lo = 1, .hi = 2 }, 0 },
		{ { .lo = 7, .hi = 0xff00000000000001ULL }, 3 },
		{ { .lo = UINT64_MAX, .hi = 5 }, 1 },
	};
	struct rpc_obj_list_out lo = { .nr = 3, .ids = ids };
	struct rpc_obj_list_out lod;
	struct rpc_obj_enum_in en = { .kind = RPC_ENUM_OBJ, .nr = 100 };
	struct rpc_obj_enum_in end;
	size_t len;

	(void)state;
	len = rpc_obj_enum_in_encode(&en, body, sizeof(body));
	assert_int_equal(rpc_obj_enum_in_decode(body, len, &end), 0);
	assert_int_equal(end.kind, RPC_ENUM_OBJ);
	corpus_write("enum_obj", (const uint8_t[]){ 4 }, 1, len);
	CHECK_PREFIXES(len, enum_dec);
	/* an object listing names no akey and asks for no key room */
	en.room = 10;
	len = rpc_obj_enum_in_encode(&en, body, sizeof(body));
	assert_int_equal(rpc_obj_enum_in_decode(body, len, &end), -DER_PROTO);

	lo.anchor[3] = 0x33;
	len = rpc_obj_list_out_encode(&lo, body, sizeof(body));
	assert_int_equal(len, RPC_ANCHOR_SIZE + 4 + 3 * RPC_OBJ_SHARD_WIRE);
	assert_int_equal(rpc_obj_list_out_decode(body, len, &lod), 0);
	assert_int_equal(lod.nr, 3);
	assert_int_equal(lod.anchor[3], 0x33);
	assert_true(lod.ids[1].oid.hi == ids[1].oid.hi && lod.ids[1].shard == 3);
	assert_true(lod.ids[2].oid.lo == UINT64_MAX);
	rpc_obj_list_out_fini(&lod);
	corpus_write("list_out", (const uint8_t[]){ 8 }, 1, len);
	CHECK_PREFIXES(len, list_out_dec);
	/* a count the body does not hold, and one beyond the limit */
	body[RPC_ANCHOR_SIZE] = 4;
	assert_int_equal(list_out_dec(body, len), -DER_PROTO);
	body[RPC_ANCHOR_SIZE + 3] = 0x7f;
	assert_int_equal(list_out_dec(body, len), -DER_PROTO);
	/* an empty listing */
	lo.nr = 0;
	len = rpc_obj_list_out_encode(&lo, body, sizeof(body));
	assert_int_equal(rpc_obj_list_out_decode(body, len, &lod), 0);
	assert_null(lod.ids);
}

static void
test_small_bodies(void **state)
{
	struct rpc_revoke_ent ents[2] = { { .kind = RPC_REVOKE_COH }, { .kind = RPC_REVOKE_CONT } };
	struct rpc_hdl_revoke_in rv = { .nr = 2, .ents = ents };
	struct rpc_hdl_revoke_in rvd;
	struct rpc_obj_enum_in en = { .kind = RPC_ENUM_AKEY, .nr = 10, .room = 100 };
	struct rpc_obj_enum_in end;
	d_iov_t akeys[1];
	struct rpc_obj_punch_in pu = { .kind = RPC_PUNCH_AKEYS, .nr = 1, .akeys = akeys };
	struct rpc_obj_punch_in pud;
	size_t len;

	(void)state;
	uuid_generate(ents[1].uuid);
	len = rpc_hdl_revoke_in_encode(&rv, body, sizeof(body));
	assert_int_equal(rpc_hdl_revoke_in_decode(body, len, &rvd), 0);
	assert_int_equal(rvd.ents[1].kind, RPC_REVOKE_CONT);
	assert_int_equal(uuid_compare(rvd.ents[1].uuid, ents[1].uuid), 0);
	rpc_hdl_revoke_in_fini(&rvd);
	corpus_write("revoke", (const uint8_t[]){ 6, 9 }, 2, len);
	CHECK_PREFIXES(len, revoke_dec);
	body[16 + 4] = 9; /* unknown kind */
	assert_int_equal(revoke_dec(body, len), -DER_PROTO);

	d_iov_set(&en.hdr.dkey, "d", 1);
	en.anchor[5] = 0x55;
	len = rpc_obj_enum_in_encode(&en, body, sizeof(body));
	assert_int_equal(rpc_obj_enum_in_decode(body, len, &end), 0);
	assert_int_equal(end.anchor[5], 0x55);
	assert_int_equal(end.room, 100);
	corpus_write("enum", (const uint8_t[]){ 4 }, 1, len);
	CHECK_PREFIXES(len, enum_dec);

	d_iov_set(&pu.hdr.dkey, "d", 1);
	d_iov_set(&akeys[0], "ak", 2);
	len = rpc_obj_punch_in_encode(&pu, body, sizeof(body));
	assert_int_equal(rpc_obj_punch_in_decode(body, len, &pud), 0);
	assert_int_equal(pud.akeys[0].iov_len, 2);
	rpc_obj_punch_in_fini(&pud);
	corpus_write("punch", (const uint8_t[]){ 3 }, 1, len);
	CHECK_PREFIXES(len, punch_dec);
	/* an akey punch without akeys */
	pu.nr = 0;
	len = rpc_obj_punch_in_encode(&pu, body, sizeof(body));
	assert_int_equal(punch_dec(body, len), -DER_PROTO);

	/* a target's snapshot query and its answer */
	{
		uint64_t epochs[3] = { 10, 20, 30 };
		uint64_t *got;
		uuid_t p, c, p2, c2;
		uint32_t n;

		uuid_generate(p);
		uuid_generate(c);
		len = rpc_cont_id_encode(p, c, body, sizeof(body));
		assert_int_equal(rpc_cont_id_decode(body, len, p2, c2), 0);
		assert_int_equal(uuid_compare(p, p2), 0);
		assert_int_equal(uuid_compare(c, c2), 0);
		corpus_write("cont_id", (const uint8_t[]){ 6, 14 }, 2, len);
		CHECK_PREFIXES(len, cont_id_dec);

		len = rpc_snaps_encode(epochs, 3, body, sizeof(body));
		assert_int_equal(rpc_snaps_decode(body, len, &got, &n), 0);
		assert_int_equal(n, 3);
		assert_int_equal(got[2], 30);
		d_free(got);
		corpus_write("snaps", (const uint8_t[]){ 6, 15 }, 2, len);
		CHECK_PREFIXES(len, snaps_dec);
		/* not ascending; more than the limit */
		epochs[1] = 5;
		len = rpc_snaps_encode(epochs, 3, body, sizeof(body));
		assert_int_equal(snaps_dec(body, len), -DER_PROTO);
		body[0] = 0xff;
		body[1] = 0xff;
		assert_int_equal(snaps_dec(body, len), -DER_PROTO);
	}
}

static void
test_prop_merge(void **state)
{
	daos_prop_t *a = sample_prop();
	daos_prop_t *b = daos_prop_alloc(1);
	daos_prop_t *m;

	(void)state;
	b->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
	assert_int_equal(daos_prop_set_str(b, DAOS_PROP_CO_LABEL, "other", 5), 0);
	m = daos_prop_merge(a, b);
	assert_non_null(m);
	assert_int_equal(m->dpp_nr, 4);
	assert_string_equal(daos_prop_entry_get(m, DAOS_PROP_CO_LABEL)->dpe_str, "other");
	assert_int_equal(daos_prop_entry_cmp_acl(daos_prop_entry_get(m, DAOS_PROP_CO_ACL),
						 daos_prop_entry_get(a, DAOS_PROP_CO_ACL)),
			 0);
	/* pointers and strings only for the types that hold them */
	assert_int_equal(daos_prop_set_str(a, DAOS_PROP_CO_REDUN_FAC, "x", 1), -DER_INVAL);
	assert_null(daos_prop_alloc(DAOS_PROP_ENTRIES_MAX_NR + 1));
	daos_prop_free(m);
	daos_prop_free(a);
	daos_prop_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cont_open),    cmocka_unit_test(test_pool_query_out),
		cmocka_unit_test(test_obj_rw),       cmocka_unit_test(test_fetch_out),
		cmocka_unit_test(test_small_bodies), cmocka_unit_test(test_obj_list),
		cmocka_unit_test(test_prop_merge),
	};

	return cmocka_run_group_tests_name("rpc", tests, NULL, NULL);
}
