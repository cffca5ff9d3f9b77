/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_event_tests.c - libdaos pieces from the inside (linked with the static
 * objects): events and EQs without the network (local operations), the handle table,
 * dkey -> shard routing against placement, iod size checks, anchors. daos_init() needs
 * an agent: the fake one of fake_server.h.
 */
#include "client/client_int.h"
#include "client/tests/fake_server.h"
#include "common/test.h"

static int
setup(void **state)
{
	(void)state;
	if (fake_start() != 0 || daos_init() != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	daos_fini();
	fake_stop();
	return 0;
}

static void
uninit_calls(void **state)
{
	(void)state;
	/* daos_fini() more often than daos_init() */
	assert_int_equal(daos_init(), 0);
	assert_int_equal(daos_fini(), 0);
	assert_int_equal(daos_event_init(NULL, DAOS_HDL_INVAL, NULL), -DER_INVAL);
	assert_int_equal(daos_eq_create(NULL), -DER_INVAL);
}

static int comp_calls;

static int
comp_cb(void *arg, daos_event_t *ev, int rc)
{
	(void)ev;
	*(int *)arg = rc;
	comp_calls++;
	return 0;
}

#define NR 64

static void
events_local(void **state)
{
	daos_event_t evs[NR];
	daos_event_t *out[NR];
	daos_handle_t eqh;
	int cb_rc = 1;
	bool flag;
	int i;

	(void)state;
	assert_int_equal(daos_eq_create(&eqh), 0);
	for (i = 0; i < NR; i++) {
		assert_int_equal(daos_event_init(&evs[i], eqh, NULL), 0);
		assert_int_equal(cl_op_local(&evs[i], i % 2 == 0 ? 0 : -DER_INVAL), 0);
	}
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_COMPLETED, 0, NULL), NR);
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_WAITING, 0, NULL), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), -DER_BUSY);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 10, out), 10);
	assert_int_equal(daos_eq_poll(eqh, 0, 1000, NR, out), NR - 10);
	for (i = 0; i < NR - 10; i++)
		assert_int_equal(out[i]->ev_error, (out[i] - evs) % 2 == 0 ? 0 : -DER_INVAL);
	/* nothing running: a poll waiting for running events returns at once */
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, NR, out), 0);
	/* nothing at all: a timed poll times out with 0 */
	assert_int_equal(daos_eq_poll(eqh, 0, 20000, NR, out), 0);

	/* test on a ready event: not done, no wait */
	assert_int_equal(daos_event_test(&evs[0], 1000, &flag), 0);
	assert_false(flag);
	assert_int_equal(daos_event_register_comp_cb(&evs[0], comp_cb, &cb_rc), 0);
	assert_int_equal(cl_op_local(&evs[0], -DER_NOMEM), 0);
	assert_int_equal(cb_rc, -DER_NOMEM);
	assert_int_equal(comp_calls, 1);
	assert_int_equal(daos_event_test(&evs[0], DAOS_EQ_NOWAIT, &flag), 0);
	assert_true(flag);
	assert_int_equal(evs[0].ev_error, -DER_NOMEM);
	/* reaped: it can be launched again; its callback ran once and is gone */
	assert_int_equal(cl_op_local(&evs[0], 0), 0);
	assert_int_equal(comp_calls, 1);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, NR, out), 1);
	/* launch and complete apart (what libdfs uses for I/O of nothing) */
	assert_int_equal(daos_event_launch(&evs[1]), 0);
	assert_int_equal(daos_event_launch(&evs[1]), -DER_NO_PERM); /* running already */
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, NR, out), 0);
	daos_event_complete(&evs[1], -DER_IO);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, NR, out), 1);
	assert_ptr_equal(out[0], &evs[1]);
	assert_int_equal(evs[1].ev_error, -DER_IO);
	for (i = 0; i < NR; i++)
		assert_int_equal(daos_event_fini(&evs[i]), 0);
	assert_int_equal(daos_event_fini(&evs[0]), -DER_INVAL);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
	assert_int_equal(daos_eq_poll(eqh, 0, 0, NR, out), -DER_NO_HDL);
}

static void
events_parent(void **state)
{
	daos_event_t parent;
	daos_event_t kids[3];
	daos_event_t *out[4];
	daos_handle_t eqh;
	bool flag;
	int i;

	(void)state;
	assert_int_equal(daos_eq_create(&eqh), 0);
	assert_int_equal(daos_event_init(&parent, eqh, NULL), 0);
	assert_int_equal(daos_event_parent_barrier(&parent), -DER_INVAL); /* no children */
	for (i = 0; i < 3; i++)
		assert_int_equal(daos_event_init(&kids[i], DAOS_HDL_INVAL, &parent), 0);
	/* no grandchildren */
	assert_int_equal(daos_event_init(&parent, DAOS_HDL_INVAL, &kids[0]), -DER_INVAL);
	assert_int_equal(cl_op_local(&kids[0], 0), 0);
	assert_int_equal(cl_op_local(&kids[1], -DER_IO), 0);
	assert_int_equal(daos_event_parent_barrier(&parent), 0);
	/* one child still outstanding: the parent waits */
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 4, out), 0);
	assert_int_equal(daos_event_test(&parent, 1000, &flag), 0);
	assert_false(flag);
	assert_int_equal(cl_op_local(&kids[2], 0), 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 4, out), 1);
	assert_ptr_equal(out[0], &parent);
	assert_int_equal(parent.ev_error, -DER_IO);
	assert_ptr_equal(daos_event_next(&parent, &kids[0]), &kids[1]);
	assert_null(daos_event_next(&parent, &kids[2]));
	assert_int_equal(daos_event_fini(&parent), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
}

static void
free_count(struct cl_hlink *hl)
{
	(*(int *)(hl + 1))++;
}

static void
handles(void **state)
{
	struct {
		struct cl_hlink hl;
		int freed;
	} x = { 0 };
	daos_handle_t h;
	daos_handle_t bad;
	struct cl_hlink *hl;
	uint32_t before = cl_hdl_count();

	(void)state;
	cl_hlink_init(&x.hl, DAOS_HTYPE_POOL, free_count);
	assert_int_equal(cl_hdl_insert(&x.hl, &h), 0);
	assert_int_equal(h.cookie & 0xf, DAOS_HTYPE_POOL);
	assert_int_equal(cl_hdl_count(), before + 1);
	assert_null(cl_hdl_lookup(h, DAOS_HTYPE_CO));
	bad.cookie = h.cookie + 16;
	assert_null(cl_hdl_lookup(bad, DAOS_HTYPE_POOL));
	hl = cl_hdl_lookup(h, DAOS_HTYPE_POOL);
	assert_ptr_equal(hl, &x.hl);
	cl_hdl_remove(&x.hl);
	cl_hdl_remove(&x.hl);
	assert_null(cl_hdl_lookup(h, DAOS_HTYPE_POOL));
	assert_int_equal(x.freed, 0);
	cl_hlink_put(hl);
	assert_int_equal(x.freed, 0);
	cl_hlink_put(&x.hl); /* the creator's */
	assert_int_equal(x.freed, 1);
	assert_int_equal(cl_hdl_count(), before);
}

static void
iod_checks(void **state)
{
	daos_recx_t rx[2] = { { 0, 10 }, { 100, 5 } };
	daos_iod_t iod = { 0 };
	uint64_t n;

	(void)state;
	d_iov_set(&iod.iod_name, "a", 1);
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_size = 7;
	iod.iod_nr = 1;
	assert_int_equal(cl_iod_bytes(&iod, &n), 0);
	assert_int_equal(n, 7);
	iod.iod_nr = 2;
	assert_int_equal(cl_iod_bytes(&iod, &n), -DER_INVAL);
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = 4;
	iod.iod_recxs = rx;
	assert_int_equal(cl_iod_bytes(&iod, &n), 0);
	assert_int_equal(n, 60);
	iod.iod_recxs = NULL;
	assert_int_equal(cl_iod_bytes(&iod, &n), -DER_INVAL);
	iod.iod_type = DAOS_IOD_NONE;
	assert_int_equal(cl_iod_bytes(&iod, &n), -DER_INVAL);
	d_iov_set(&iod.iod_name, NULL, 0);
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_nr = 1;
	assert_int_equal(cl_iod_bytes(&iod, &n), -DER_INVAL);
}

/* dkeys land where placement says, spread over the groups. */
static void
dkey_routing(void **state)
{
	struct pl_target tgts[8] = { 0 };
	struct pl_rank ranks[4];
	struct pl_map map = { .version = 1, .nr_ranks = 4, .ranks = ranks };
	struct pl_layout *layout;
	daos_obj_id_t oid = { .lo = 42 };
	uint32_t hits[4] = { 0 };
	char key[16];
	daos_key_t dk;
	uint32_t s;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		ranks[i].rank = (d_rank_t)i;
		ranks[i].nr_targets = 2;
		ranks[i].targets = &tgts[i * 2];
	}
	pl_oid_set(&oid, DAOS_OT_MULTI_HASHED, OR_RP_1, 4);
	assert_int_equal(pl_layout_create(&map, oid, &layout), 0);
	assert_int_equal(layout->grp_nr, 4);
	for (i = 0; i < 400; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		d_iov_set(&dk, key, strlen(key));
		s = cl_obj_dkey_shard(layout, DAOS_OT_MULTI_HASHED, &dk);
		assert_true(s < 4);
		assert_int_equal(
			s, pl_dkey_grp(pl_dkey_hash(DAOS_OT_MULTI_HASHED, key, strlen(key)), 4));
		hits[s]++;
	}
	for (i = 0; i < 4; i++)
		assert_true(hits[i] > 50);
	pl_layout_free(layout);
}

static void
anchors(void **state)
{
	daos_anchor_t a = DAOS_ANCHOR_INIT;
	uint8_t shard_anchor[RPC_ANCHOR_SIZE] = { 0 };
	uint32_t eof = 1;

	(void)state;
	/* the shard's anchor fits the public one */
	assert_int_equal(sizeof(a.da_buf), RPC_ANCHOR_SIZE);
	assert_int_equal(sizeof(daos_anchor_t), 120);
	assert_false(daos_anchor_is_eof(&a));
	assert_false(cl_shard_anchor_is_eof(shard_anchor));
	memcpy(shard_anchor + 4, &eof, 4);
	assert_true(cl_shard_anchor_is_eof(shard_anchor));
	a.da_type = DAOS_ANCHOR_TYPE_EOF;
	assert_true(daos_anchor_is_eof(&a));
	daos_anchor_init(&a, 0);
	assert_int_equal(a.da_type, DAOS_ANCHOR_TYPE_ZERO);
}

static void
rank_lists(void **state)
{
	d_rank_list_t *l;

	(void)state;
	l = daos_rank_list_parse("0:1:5", ":");
	assert_non_null(l);
	assert_int_equal(l->rl_nr, 3);
	assert_int_equal(l->rl_ranks[2], 5);
	d_rank_list_free(l);
	assert_null(daos_rank_list_parse("0:x", ":"));
}

static void
oclass_names(void **state)
{
	char name[MAX_OBJ_CLASS_NAME_LEN];

	(void)state;
	assert_int_equal(daos_oclass_name2id("S2"), OC_S2);
	assert_int_equal(daos_oclass_name2id("nope"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_id2name(OC_SX, name), 0);
	assert_string_equal(name, "SX");
	assert_true(daos_oclass_nr(0) > 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uninit_calls),  cmocka_unit_test(events_local),
		cmocka_unit_test(events_parent), cmocka_unit_test(handles),
		cmocka_unit_test(iod_checks),    cmocka_unit_test(dkey_routing),
		cmocka_unit_test(anchors),       cmocka_unit_test(rank_lists),
		cmocka_unit_test(oclass_names),
	};

	return cmocka_run_group_tests_name("client_event", tests, setup, teardown);
}
