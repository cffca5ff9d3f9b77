/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_api_tests.c - libdaos end to end through its public API only (linked against
 * libdaos.so), against the fake agent and engine of fake_server.h in this process:
 * daos_init -> pool connect -> container create/open -> object update/fetch/list/punch
 * -> close/disconnect -> daos_fini, blocking and with events, plus bad input.
 */
#include <daos.h>
#include <unistd.h>

#include "client/cl_ext.h"
#include "client/tests/fake_server.h"
#include "common/test.h"
#include "rpc/rpc.h"

static daos_handle_t poh;
static daos_handle_t coh;

static int
setup(void **state)
{
	(void)state;
	if (fake_start() != 0)
		return -1;
	if (daos_init() != 0)
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
init_nests_and_bad_pool(void **state)
{
	daos_handle_t h;

	(void)state;
	assert_int_equal(daos_init(), 0);
	assert_int_equal(daos_fini(), 0);
	assert_int_equal(daos_pool_connect("nosuchpool", NULL, DAOS_PC_RW, &h, NULL, NULL),
			 -DER_NONEXIST);
	assert_int_equal(daos_pool_connect(NULL, NULL, DAOS_PC_RW, &h, NULL, NULL), -DER_INVAL);
	assert_int_equal(daos_pool_connect(FAKE_POOL_LABEL, NULL, 0, &h, NULL, NULL), -DER_INVAL);
	assert_int_equal(daos_pool_disconnect(DAOS_HDL_INVAL, NULL), -DER_NO_HDL);
	assert_int_equal(daos_cont_close(DAOS_HDL_INVAL, NULL), -DER_NO_HDL);
}

static void
pool_and_cont(void **state)
{
	daos_pool_info_t info = { .pi_bits = DPI_SPACE };
	daos_cont_info_t cinfo;
	struct daos_pool_cont_info conts[4];
	daos_size_t ncont = 4;
	d_rank_list_t *ranks = NULL;
	uuid_t cuuid;
	char ustr[40];
	daos_handle_t coh2;

	(void)state;
	assert_int_equal(daos_pool_connect(FAKE_POOL_LABEL, NULL, DAOS_PC_RW, &poh, &info, NULL),
			 0);
	assert_int_equal(info.pi_ntargets, FAKE_NR_TGTS);
	assert_int_equal(fake_notify_count(235), 1);
	/* the pool handle is not a container handle */
	assert_int_equal(daos_cont_close(poh, NULL), -DER_NO_HDL);
	assert_int_equal(daos_pool_query(poh, &ranks, &info, NULL, NULL), 0);
	assert_non_null(ranks);
	d_rank_list_free(ranks);

	assert_int_equal(daos_cont_create_with_label(poh, "c1", NULL, &cuuid, NULL), 0);
	assert_int_equal(daos_cont_create_with_label(poh, "c1", NULL, NULL, NULL), -DER_EXIST);
	assert_int_equal(daos_cont_create_with_label(poh, "bad label!", NULL, NULL, NULL) == 0, 0);
	assert_int_equal(daos_cont_open(poh, "nope", DAOS_COO_RW, &coh, NULL, NULL), -DER_NONEXIST);
	assert_int_equal(daos_cont_open(poh, "c1", DAOS_COO_RW, &coh, &cinfo, NULL), 0);
	assert_int_equal(uuid_compare(cinfo.ci_uuid, cuuid), 0);
	uuid_unparse(cuuid, ustr);
	assert_int_equal(daos_cont_open(poh, ustr, DAOS_COO_RO, &coh2, NULL, NULL), 0);
	assert_int_equal(daos_cont_close(coh2, NULL), 0);
	assert_int_equal(daos_cont_close(coh2, NULL), -DER_NO_HDL);
	assert_int_equal(daos_pool_list_cont(poh, &ncont, conts, NULL), 0);
	assert_true(ncont >= 1);
	assert_string_equal(conts[0].pci_label, "c1");
}

static void
attrs(void **state)
{
	const char *names[] = { "a1", "a2" };
	const void *vals[] = { "v1", "value2" };
	size_t sizes[] = { 2, 6 };
	char b1[8] = "";
	char b2[8] = "";
	void *bufs[] = { b1, b2 };
	size_t gsizes[] = { sizeof(b1), sizeof(b2) };
	char list[64];
	size_t lsize = sizeof(list);

	(void)state;
	assert_int_equal(daos_cont_set_attr(coh, 2, names, vals, sizes, NULL), 0);
	assert_int_equal(daos_cont_get_attr(coh, 2, names, bufs, gsizes, NULL), 0);
	assert_int_equal(gsizes[1], 6);
	assert_memory_equal(b2, "value2", 6);
	assert_int_equal(daos_cont_list_attr(coh, list, &lsize, NULL), 0);
	assert_int_equal(lsize, 6); /* names with their NULs */
	assert_int_equal(daos_cont_del_attr(coh, 1, names, NULL), 0);
	assert_int_equal(daos_cont_get_attr(coh, 1, names, bufs, gsizes, NULL), -DER_NONEXIST);
	assert_int_equal(daos_cont_set_attr(coh, 0, names, vals, sizes, NULL), -DER_INVAL);
}

static daos_handle_t
obj_open(uint32_t lo, daos_oclass_id_t cid)
{
	daos_obj_id_t oid = { .lo = lo, .hi = 0 };
	daos_handle_t oh;

	assert_int_equal(daos_obj_generate_oid(coh, &oid, DAOS_OT_MULTI_HASHED, cid, 0, 0), 0);
	assert_int_equal(daos_obj_open(coh, oid, DAOS_OO_RW, &oh, NULL), 0);
	return oh;
}

static void
put(daos_handle_t oh, const char *dkey, const char *akey, void *buf, size_t len, daos_event_t *ev)
{
	static daos_key_t dk;
	static daos_iod_t iod;
	static d_sg_list_t sgl;
	static d_iov_t iov;

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_size = len;
	iod.iod_nr = 1;
	d_iov_set(&iov, buf, len);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	assert_int_equal(daos_obj_update(oh, DAOS_TX_NONE, 0, &dk, 1, &iod, &sgl, ev), 0);
}

static void
update_fetch(void **state)
{
	daos_handle_t oh = obj_open(1, OC_S2);
	char small[] = "hello, daos";
	size_t big_len = 256 * 1024;
	char *big = malloc(big_len);
	char *back = calloc(1, big_len);
	daos_key_t dk;
	daos_iod_t iod = { 0 };
	d_sg_list_t sgl;
	d_iov_t iov;
	uint32_t bulks;
	size_t i;

	(void)state;
	for (i = 0; i < big_len; i++)
		big[i] = (char)(i * 7);
	put(oh, "dkey1", "akey1", small, sizeof(small), NULL);
	bulks = fake_bulk_count();
	put(oh, "dkey2", "big", big, big_len, NULL);
	assert_int_equal(fake_bulk_count(), bulks + 1);

	/* size query: REC_ANY and no sgl */
	d_iov_set(&dk, "dkey1", 5);
	d_iov_set(&iod.iod_name, "akey1", 5);
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_size = DAOS_REC_ANY;
	iod.iod_nr = 1;
	assert_int_equal(daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dk, 1, &iod, NULL, NULL, NULL), 0);
	assert_int_equal(iod.iod_size, sizeof(small));

	/* too small a buffer */
	d_iov_set(&iov, back, 4);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	iod.iod_size = DAOS_REC_ANY;
	assert_int_equal(daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dk, 1, &iod, &sgl, NULL, NULL),
			 -DER_REC2BIG);
	assert_int_equal(iod.iod_size, sizeof(small));

	/* inline */
	d_iov_set(&iov, back, 64);
	assert_int_equal(daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dk, 1, &iod, &sgl, NULL, NULL), 0);
	assert_int_equal(sgl.sg_nr_out, 1);
	assert_int_equal(iov.iov_len, sizeof(small));
	assert_string_equal(back, small);

	/* bulk */
	bulks = fake_bulk_count();
	d_iov_set(&dk, "dkey2", 5);
	d_iov_set(&iod.iod_name, "big", 3);
	d_iov_set(&iov, back, big_len);
	iod.iod_size = DAOS_REC_ANY;
	memset(back, 0, big_len);
	assert_int_equal(daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dk, 1, &iod, &sgl, NULL, NULL), 0);
	assert_int_equal(fake_bulk_count(), bulks + 1);
	assert_int_equal(iod.iod_size, big_len);
	assert_memory_equal(back, big, big_len);

	/* an sgl shorter than the iod says */
	iod.iod_size = big_len;
	d_iov_set(&iov, big, 10);
	assert_int_equal(daos_obj_update(oh, DAOS_TX_NONE, 0, &dk, 1, &iod, &sgl, NULL),
			 -DER_INVAL);
	assert_int_equal(daos_obj_update(oh, DAOS_TX_NONE, 0, NULL, 1, &iod, &sgl, NULL),
			 -DER_INVAL);
	d_iov_set(&iov, big, big_len);
	assert_int_equal(daos_obj_update(coh, DAOS_TX_NONE, 0, &dk, 1, &iod, &sgl, NULL),
			 -DER_NO_HDL);
	assert_int_equal(daos_obj_close(oh, NULL), 0);
	free(big);
	free(back);
}

static void
list_and_punch(void **state)
{
	daos_handle_t oh = obj_open(2, OC_S2);
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_desc_t kds[8];
	char keys[256];
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dk;
	char name[16];
	uint32_t total = 0;
	uint32_t nr;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "d%02d", i);
		put(oh, name, "a", "x", 1, NULL);
		put(oh, name, "b", "y", 1, NULL);
	}
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	while (!daos_anchor_is_eof(&anchor)) {
		nr = 3;
		d_iov_set(&iov, keys, sizeof(keys));
		assert_int_equal(
			daos_obj_list_dkey(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL), 0);
		assert_true(nr <= 3);
		for (i = 0; i < (int)nr; i++)
			assert_int_equal(kds[i].kd_key_len, 3);
		total += nr;
	}
	assert_int_equal(total, 10);

	d_iov_set(&dk, "d03", 3);
	memset(&anchor, 0, sizeof(anchor));
	nr = 8;
	d_iov_set(&iov, keys, sizeof(keys));
	assert_int_equal(daos_obj_list_akey(oh, DAOS_TX_NONE, &dk, &nr, kds, &sgl, &anchor, NULL),
			 0);
	assert_int_equal(nr, 2);
	assert_true(daos_anchor_is_eof(&anchor));

	assert_int_equal(daos_obj_punch_dkeys(oh, DAOS_TX_NONE, 0, 1, &dk, NULL), 0);
	memset(&anchor, 0, sizeof(anchor));
	nr = 8;
	assert_int_equal(daos_obj_list_akey(oh, DAOS_TX_NONE, &dk, &nr, kds, &sgl, &anchor, NULL),
			 0);
	assert_int_equal(nr, 0);
	/* an object punch reaches every shard */
	assert_int_equal(daos_obj_punch(oh, DAOS_TX_NONE, 0, NULL), 0);
	memset(&anchor, 0, sizeof(anchor));
	total = 0;
	while (!daos_anchor_is_eof(&anchor)) {
		nr = 8;
		d_iov_set(&iov, keys, sizeof(keys));
		assert_int_equal(
			daos_obj_list_dkey(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL), 0);
		total += nr;
	}
	assert_int_equal(total, 0);
	assert_int_equal(daos_obj_close(oh, NULL), 0);
}

#define NR_EVS 64

static void
async_events(void **state)
{
	daos_handle_t oh = obj_open(3, OC_S2);
	daos_event_t evs[NR_EVS];
	daos_event_t *done[NR_EVS];
	daos_event_t parent;
	daos_event_t child[2];
	int pfd[2];
	char vals[NR_EVS][8];
	char key[NR_EVS][8];
	daos_key_t dks[NR_EVS];
	daos_iod_t iods[NR_EVS];
	d_sg_list_t sgls[NR_EVS];
	d_iov_t iovs[NR_EVS];
	daos_handle_t eqh;
	bool flag;
	int got = 0;
	int i;
	int rc;

	(void)state;
	assert_int_equal(daos_eq_create(&eqh), 0);
	for (i = 0; i < NR_EVS; i++) {
		assert_int_equal(daos_event_init(&evs[i], eqh, NULL), 0);
		snprintf(key[i], sizeof(key[i]), "k%d", i);
		snprintf(vals[i], sizeof(vals[i]), "v%d", i);
		d_iov_set(&dks[i], key[i], strlen(key[i]));
		memset(&iods[i], 0, sizeof(iods[i]));
		d_iov_set(&iods[i].iod_name, "a", 1);
		iods[i].iod_type = DAOS_IOD_SINGLE;
		iods[i].iod_size = strlen(vals[i]) + 1;
		iods[i].iod_nr = 1;
		d_iov_set(&iovs[i], vals[i], iods[i].iod_size);
		sgls[i].sg_nr = 1;
		sgls[i].sg_iovs = &iovs[i];
		assert_int_equal(daos_obj_update(oh, DAOS_TX_NONE, 0, &dks[i], 1, &iods[i],
						 &sgls[i], &evs[i]),
				 0);
	}
	/* launched events cannot be launched again */
	assert_int_equal(
		daos_obj_update(oh, DAOS_TX_NONE, 0, &dks[0], 1, &iods[0], &sgls[0], &evs[0]),
		-DER_NO_PERM);
	assert_int_equal(daos_eq_destroy(eqh, 0), -DER_BUSY);
	while (got < NR_EVS) {
		rc = daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, NR_EVS, done);
		assert_true(rc > 0);
		for (i = 0; i < rc; i++)
			assert_int_equal(done[i]->ev_error, 0);
		got += rc;
	}
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_ALL, 0, NULL), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, 1000, NR_EVS, done), 0);

	/* read them back with daos_event_test */
	for (i = 0; i < NR_EVS; i++) {
		memset(vals[i], 0, sizeof(vals[i]));
		iovs[i].iov_buf_len = sizeof(vals[i]);
		iods[i].iod_size = DAOS_REC_ANY;
		assert_int_equal(daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dks[i], 1, &iods[i], &sgls[i],
						NULL, &evs[i]),
				 0);
	}
	for (i = 0; i < NR_EVS; i++) {
		char want[8];

		assert_int_equal(daos_event_test(&evs[i], DAOS_EQ_WAIT, &flag), 0);
		assert_true(flag);
		assert_int_equal(evs[i].ev_error, 0);
		snprintf(want, sizeof(want), "v%d", i);
		assert_string_equal(vals[i], want);
	}
	for (i = 0; i < NR_EVS; i++)
		assert_int_equal(daos_event_fini(&evs[i]), 0);

	/* a parent completes after its children */
	assert_int_equal(daos_event_init(&parent, eqh, NULL), 0);
	assert_int_equal(daos_event_init(&child[0], DAOS_HDL_INVAL, &parent), 0);
	assert_int_equal(daos_event_init(&child[1], DAOS_HDL_INVAL, &parent), 0);
	assert_ptr_equal(daos_event_next(&parent, NULL), &child[0]);
	put(oh, "p0", "a", "1", 1, &child[0]);
	put(oh, "p1", "a", "2", 1, &child[1]);
	assert_int_equal(daos_event_parent_barrier(&parent), 0);
	rc = daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, NR_EVS, done);
	assert_int_equal(rc, 1);
	assert_ptr_equal(done[0], &parent);
	assert_int_equal(daos_event_fini(&parent), 0);

	/* a silent engine: the request times out (CRT_TIMEOUT 2 s from the agent) */
	assert_int_equal(daos_event_init(&evs[0], eqh, NULL), 0);
	fake_set_silent(true);
	put(oh, "t", "a", "1", 1, &evs[0]);
	rc = daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, done);
	fake_set_silent(false);
	assert_int_equal(rc, 1);
	assert_int_equal(evs[0].ev_error, -DER_TIMEDOUT);
	assert_int_equal(daos_event_fini(&evs[0]), 0);

	/* daos_eq_poll_fd: back (with nothing) once the fd is readable, else at completion */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(daos_event_init(&evs[0], eqh, NULL), 0);
	fake_set_silent(true);
	put(oh, "t2", "a", "1", 1, &evs[0]);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_int_equal(daos_eq_poll_fd(eqh, pfd[0], 60 * 1000 * 1000, 1, done), 0);
	rc = daos_eq_poll_fd(eqh, -1, 60 * 1000 * 1000, 1, done);
	fake_set_silent(false);
	assert_int_equal(rc, 1);
	assert_ptr_equal(done[0], &evs[0]);
	assert_int_equal(evs[0].ev_error, -DER_TIMEDOUT);
	assert_int_equal(daos_event_fini(&evs[0]), 0);
	/* nothing in flight: at once */
	assert_int_equal(daos_eq_poll_fd(eqh, pfd[0], 60 * 1000 * 1000, 1, done), 0);
	assert_int_equal(daos_eq_poll_fd(eqh, -1, -1, 1, done), -DER_INVAL);
	assert_int_equal(daos_eq_poll_fd(DAOS_HDL_INVAL, -1, 0, 1, done), -DER_NO_HDL);
	close(pfd[0]);
	close(pfd[1]);

	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), -DER_NO_HDL);
	assert_int_equal(daos_obj_close(oh, NULL), 0);
}

static void
sharing(void **state)
{
	d_iov_t g = { 0 };
	daos_handle_t p2;
	daos_handle_t c2;

	(void)state;
	assert_int_equal(daos_pool_local2global(poh, &g), 0);
	assert_true(g.iov_buf_len > 0);
	g.iov_buf = malloc(g.iov_buf_len);
	assert_int_equal(daos_pool_local2global(poh, &g), 0);
	assert_int_equal(daos_pool_global2local(g, &p2), 0);
	free(g.iov_buf);
	memset(&g, 0, sizeof(g));
	assert_int_equal(daos_cont_local2global(coh, &g), 0);
	g.iov_buf = malloc(g.iov_buf_len);
	assert_int_equal(daos_cont_local2global(coh, &g), 0);
	assert_int_equal(daos_cont_global2local(p2, g, &c2), 0);
	free(g.iov_buf);
	/* the shared handles reach the same objects */
	{
		daos_obj_id_t oid = { .lo = 9 };
		daos_handle_t oh;
		char buf[8] = "";
		daos_key_t dk;
		daos_iod_t iod = { 0 };
		d_sg_list_t sgl;
		d_iov_t iov;

		assert_int_equal(
			daos_obj_generate_oid(coh, &oid, DAOS_OT_MULTI_HASHED, OC_S1, 0, 0), 0);
		assert_int_equal(daos_obj_open(coh, oid, DAOS_OO_RW, &oh, NULL), 0);
		put(oh, "s", "a", "shared", 7, NULL);
		assert_int_equal(daos_obj_close(oh, NULL), 0);
		assert_int_equal(daos_obj_open(c2, oid, DAOS_OO_RO, &oh, NULL), 0);
		d_iov_set(&dk, "s", 1);
		d_iov_set(&iod.iod_name, "a", 1);
		iod.iod_type = DAOS_IOD_SINGLE;
		iod.iod_nr = 1;
		d_iov_set(&iov, buf, sizeof(buf));
		sgl.sg_nr = 1;
		sgl.sg_iovs = &iov;
		assert_int_equal(
			daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dk, 1, &iod, &sgl, NULL, NULL), 0);
		assert_string_equal(buf, "shared");
		assert_int_equal(daos_obj_close(oh, NULL), 0);
	}
	assert_int_equal(daos_cont_close(c2, NULL), 0);
	assert_int_equal(daos_pool_disconnect(p2, NULL), 0);
}

static void
close_all(void **state)
{
	daos_event_t ev;
	bool flag;

	(void)state;
	assert_int_equal(daos_cont_close(coh, NULL), 0);
	assert_int_equal(daos_cont_destroy(poh, "c1", 0, NULL), 0);
	assert_int_equal(daos_event_init(&ev, DAOS_HDL_INVAL, NULL), 0);
	assert_int_equal(daos_pool_disconnect(poh, &ev), 0);
	assert_int_equal(daos_event_test(&ev, DAOS_EQ_WAIT, &flag), 0);
	assert_true(flag);
	assert_int_equal(ev.ev_error, 0);
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(fake_notify_count(236), 1);
	assert_int_equal(daos_pool_disconnect(poh, NULL), -DER_NO_HDL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_nests_and_bad_pool),
		cmocka_unit_test(pool_and_cont),
		cmocka_unit_test(attrs),
		cmocka_unit_test(update_fetch),
		cmocka_unit_test(list_and_punch),
		cmocka_unit_test(async_events),
		cmocka_unit_test(sharing),
		cmocka_unit_test(close_all),
	};

	return cmocka_run_group_tests_name("client_api", tests, setup, teardown);
}
