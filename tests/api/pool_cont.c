/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_cont.c - conformance of pools, containers and what hangs off them: unknown pool
 * and container names, pool query, container create with a label and properties (also
 * from DAOS's property string), open by label and by UUID, query, set-prop, destroy; user
 * attributes; snapshots and reads through them; OID allocation; object class names and
 * OID generation, including a redundancy factor the pool cannot honour; transactions; and
 * handles passed to another process with local2global/global2local.
 *
 * The handle test runs this program a second time ("pool_cont --child FD"): the child
 * reads the serialised handles from a pipe, opens nothing itself, and uses them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_test.h"

/* Pool and container names nobody made answer NONEXIST. */
static void
unknown_pool_and_container(void **state)
{
	daos_handle_t poh = DAOS_HDL_INVAL, coh = DAOS_HDL_INVAL;
	char name[64];
	char uuid_str[37];
	uuid_t uuid;

	(void)state;
	api_label(name, sizeof(name), "nopool");
	assert_rc_equal(daos_pool_connect(name, NULL, DAOS_PC_RW, &poh, NULL, NULL), -DER_NONEXIST);
	assert_true(daos_handle_is_inval(poh));
	uuid_generate(uuid);
	uuid_unparse(uuid, uuid_str);
	assert_rc_equal(daos_pool_connect(uuid_str, NULL, DAOS_PC_RW, &poh, NULL, NULL),
			-DER_NONEXIST);

	api_label(name, sizeof(name), "nocont");
	assert_rc_equal(daos_cont_open(api.poh, name, DAOS_COO_RW, &coh, NULL, NULL),
			-DER_NONEXIST);
	assert_true(daos_handle_is_inval(coh));
	assert_rc_equal(daos_cont_open(api.poh, uuid_str, DAOS_COO_RW, &coh, NULL, NULL),
			-DER_NONEXIST);
	assert_rc_equal(daos_cont_destroy(api.poh, name, 0, NULL), -DER_NONEXIST);
}

/* The pool has the targets the system was given, none disabled, and some space. */
static void
pool_query(void **state)
{
	daos_pool_info_t info;
	d_rank_list_t *ranks = NULL;
	uuid_t zero = { 0 };
	int m;

	(void)state;
	memset(&info, 0, sizeof(info));
	info.pi_bits = DPI_SPACE | DPI_ENGINES_ENABLED;
	assert_success(daos_pool_query(api.poh, &ranks, &info, NULL, NULL));
	assert_true(uuid_compare(info.pi_uuid, zero) != 0);
	if (api.ntargets != 0) {
		assert_int_equal(info.pi_ntargets, api.ntargets);
		assert_int_equal(info.pi_space.ps_ntargets, api.ntargets);
	}
	assert_int_equal(info.pi_ndisabled, 0);
	assert_true(info.pi_map_ver >= 1);
	for (m = 0; m < DAOS_MEDIA_MAX; m++)
		assert_true(info.pi_space.ps_space.s_free[m] <= info.pi_space.ps_space.s_total[m]);
	assert_true(info.pi_space.ps_space.s_total[DAOS_MEDIA_SCM] +
			    info.pi_space.ps_space.s_total[DAOS_MEDIA_NVME] >
		    0);
	/* One engine, rank 0, enabled. */
	assert_non_null(ranks);
	assert_int_equal(ranks->rl_nr, 1);
	assert_int_equal(ranks->rl_ranks[0], 0);
	d_rank_list_free(ranks);
}

/*
 * Properties in DAOS's string form (daos_prop_from_str), merged with the layout an
 * application adds (as HDF5's connector does), create a container that reports them.
 */
static void
container_from_prop_string(void **state)
{
	daos_handle_t coh = DAOS_HDL_INVAL;
	daos_prop_t *parsed = NULL, *layout, *merged, *all;
	struct daos_prop_entry *e;
	char label[64], str[160];
	uuid_t uuid;

	(void)state;
	api_label(label, sizeof(label), "fromstr");
	snprintf(str, sizeof(str), "label:%s;rd_lvl:rank;dedup_threshold:64KiB;", label);
	assert_success(daos_prop_from_str(str, strlen(str), &parsed));
	assert_int_equal(parsed->dpp_nr, 3);
	layout = daos_prop_alloc(1);
	assert_non_null(layout);
	layout->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	layout->dpp_entries[0].dpe_val = DAOS_PROP_CO_LAYOUT_HDF5;
	merged = daos_prop_merge(parsed, layout);
	assert_non_null(merged);
	assert_int_equal(merged->dpp_nr, 4);
	daos_prop_free(parsed);
	daos_prop_free(layout);
	assert_success(daos_cont_create(api.poh, &uuid, merged, NULL));
	daos_prop_free(merged);

	assert_success(daos_cont_open(api.poh, label, DAOS_COO_RO, &coh, NULL, NULL));
	all = daos_prop_alloc(0);
	assert_non_null(all);
	assert_success(daos_cont_query(coh, NULL, all, NULL));
	e = daos_prop_entry_get(all, DAOS_PROP_CO_LABEL);
	assert_non_null(e);
	assert_string_equal(e->dpe_str, label);
	e = daos_prop_entry_get(all, DAOS_PROP_CO_LAYOUT_TYPE);
	assert_non_null(e);
	assert_int_equal(e->dpe_val, DAOS_PROP_CO_LAYOUT_HDF5);
	e = daos_prop_entry_get(all, DAOS_PROP_CO_REDUN_LVL);
	assert_non_null(e);
	assert_int_equal(e->dpe_val, DAOS_PROP_CO_REDUN_RANK);
	e = daos_prop_entry_get(all, DAOS_PROP_CO_DEDUP_THRESHOLD);
	assert_non_null(e);
	assert_int_equal(e->dpe_val, 65536);
	daos_prop_free(all);
	assert_success(daos_cont_close(coh, NULL));
	assert_success(daos_cont_destroy(api.poh, label, 0, NULL));

	/* What the string form cannot say is -DER_INVAL, and nothing is returned. */
	parsed = NULL;
	assert_rc_equal(daos_prop_from_str("label:x;frob:1", 14, &parsed), -DER_INVAL);
	assert_null(parsed);
}

/* Create with a label and properties; open by label and UUID; query; rename; destroy. */
static void
container_lifecycle(void **state)
{
	daos_handle_t coh1 = DAOS_HDL_INVAL, coh2 = DAOS_HDL_INVAL;
	daos_cont_info_t info;
	daos_prop_t *prop, *all, *some, *rename;
	struct daos_prop_entry *e;
	char label[64], label2[64], uuid_str[37];
	uuid_t uuid;

	(void)state;
	api_label(label, sizeof(label), "life");
	api_label(label2, sizeof(label2), "renamed");
	prop = daos_prop_alloc(2);
	assert_non_null(prop);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	prop->dpp_entries[0].dpe_val = DAOS_PROP_CO_LAYOUT_HDF5;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_LAYOUT_VER;
	prop->dpp_entries[1].dpe_val = 7;
	assert_success(daos_cont_create_with_label(api.poh, label, prop, &uuid, NULL));
	assert_rc_equal(daos_cont_create_with_label(api.poh, label, NULL, NULL, NULL), -DER_EXIST);
	daos_prop_free(prop);
	assert_rc_equal(daos_cont_create_with_label(api.poh, "not a label!", NULL, NULL, NULL),
			-DER_INVAL);

	/* By label and by UUID: the same container. */
	memset(&info, 0, sizeof(info));
	assert_success(daos_cont_open(api.poh, label, DAOS_COO_RW, &coh1, &info, NULL));
	assert_int_equal(uuid_compare(info.ci_uuid, uuid), 0);
	uuid_unparse(uuid, uuid_str);
	assert_success(daos_cont_open(api.poh, uuid_str, DAOS_COO_RO, &coh2, NULL, NULL));
	memset(&info, 0, sizeof(info));
	assert_success(daos_cont_query(coh2, &info, NULL, NULL));
	assert_int_equal(uuid_compare(info.ci_uuid, uuid), 0);
	assert_int_equal(info.ci_nhandles, 2);
	assert_int_equal(info.ci_nsnapshots, 0);

	/* All properties, then two chosen ones. */
	all = daos_prop_alloc(0);
	assert_non_null(all);
	assert_success(daos_cont_query(coh1, NULL, all, NULL));
	e = daos_prop_entry_get(all, DAOS_PROP_CO_LABEL);
	assert_non_null(e);
	assert_string_equal(e->dpe_str, label);
	e = daos_prop_entry_get(all, DAOS_PROP_CO_LAYOUT_TYPE);
	assert_non_null(e);
	assert_int_equal(e->dpe_val, DAOS_PROP_CO_LAYOUT_HDF5);
	assert_non_null(daos_prop_entry_get(all, DAOS_PROP_CO_REDUN_FAC));
	daos_prop_free(all);
	some = daos_prop_alloc(2);
	assert_non_null(some);
	some->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_VER;
	some->dpp_entries[1].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	assert_success(daos_cont_query(coh2, NULL, some, NULL));
	assert_int_equal(some->dpp_entries[0].dpe_val, 7);
	assert_int_equal(some->dpp_entries[1].dpe_val, DAOS_PROP_CO_LAYOUT_HDF5);
	daos_prop_free(some);

	/* A new label: the old one is gone. */
	rename = daos_prop_alloc(1);
	assert_non_null(rename);
	rename->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
	assert_success(daos_prop_set_str(rename, DAOS_PROP_CO_LABEL, label2, strlen(label2)));
	assert_success(daos_cont_set_prop(coh1, rename, NULL));
	daos_prop_free(rename);
	assert_success(daos_cont_close(coh2, NULL));
	assert_rc_equal(daos_cont_open(api.poh, label, DAOS_COO_RO, &coh2, NULL, NULL),
			-DER_NONEXIST);
	assert_success(daos_cont_open(api.poh, label2, DAOS_COO_RO, &coh2, NULL, NULL));
	assert_success(daos_cont_close(coh2, NULL));

	/* Busy while open, unless forced; gone after. */
	assert_rc_equal(daos_cont_destroy(api.poh, label2, 0, NULL), -DER_BUSY);
	assert_success(daos_cont_close(coh1, NULL));
	assert_success(daos_cont_destroy(api.poh, label2, 0, NULL));
	assert_rc_equal(daos_cont_open(api.poh, uuid_str, DAOS_COO_RO, &coh1, NULL, NULL),
			-DER_NONEXIST);
}

/* User attributes: set, list (with a size query), get (whole, truncated, sizes only), delete. */
static void
container_attributes(void **state)
{
	const char *const names[] = { "color", "shape", "blob" };
	unsigned char blob[1000];
	const void *values[3] = { "blue", "round", blob };
	size_t sizes[3] = { 4, 5, sizeof(blob) };
	char bufs[3][1000];
	void *buffers[3] = { bufs[0], bufs[1], bufs[2] };
	size_t got[3];
	char list[64];
	size_t list_size;
	const char *missing[] = { "nope" };
	const char *p;
	int found = 0;

	(void)state;
	api_fill(blob, sizeof(blob), 61);
	assert_success(daos_cont_set_attr(api.coh, 3, names, values, sizes, NULL));

	/*
	 * The size of the names with their NULs: what DAOS's engine reports (its header
	 * says "without", but it counts the stored names, NULs included) and what a
	 * program needs to allocate, as DAOS's own tools do. A buffer of exactly that
	 * size holds every name.
	 */
	list_size = 0;
	assert_success(daos_cont_list_attr(api.coh, NULL, &list_size, NULL));
	assert_int_equal(list_size, sizeof("color") + sizeof("shape") + sizeof("blob"));
	memset(list, 0, sizeof(list));
	assert_success(daos_cont_list_attr(api.coh, list, &list_size, NULL));
	assert_int_equal(list_size, sizeof("color") + sizeof("shape") + sizeof("blob"));
	for (p = list; p < list + list_size; p += strlen(p) + 1) {
		if (strcmp(p, "color") == 0)
			found |= 1;
		else if (strcmp(p, "shape") == 0)
			found |= 2;
		else if (strcmp(p, "blob") == 0)
			found |= 4;
		else
			fail_msg("unexpected attribute \"%s\"", p);
	}
	assert_int_equal(found, 7);
	/* Bytes past the names are not written. */
	api_check_byte(list + list_size, sizeof(list) - list_size, 0);

	/* Values. */
	memset(bufs, 0, sizeof(bufs));
	got[0] = got[1] = got[2] = sizeof(bufs[0]);
	assert_success(daos_cont_get_attr(api.coh, 3, names, buffers, got, NULL));
	assert_int_equal(got[0], 4);
	assert_int_equal(got[1], 5);
	assert_int_equal(got[2], sizeof(blob));
	assert_memory_equal(bufs[0], "blue", 4);
	assert_memory_equal(bufs[1], "round", 5);
	assert_memory_equal(bufs[2], blob, sizeof(blob));

	/* A small buffer: truncated, and the real size returned. */
	memset(bufs, 0, sizeof(bufs));
	got[0] = 2;
	got[1] = sizeof(bufs[1]);
	got[2] = 10;
	assert_success(daos_cont_get_attr(api.coh, 3, names, buffers, got, NULL));
	assert_memory_equal(bufs[0], "bl\0", 3);
	assert_int_equal(got[0], 4);
	assert_int_equal(got[2], sizeof(blob));
	assert_memory_equal(bufs[2], blob, 10);

	/* No buffers: sizes only. */
	got[0] = got[1] = got[2] = 0;
	assert_success(daos_cont_get_attr(api.coh, 3, names, NULL, got, NULL));
	assert_int_equal(got[0], 4);
	assert_int_equal(got[1], 5);
	assert_int_equal(got[2], sizeof(blob));

	got[0] = sizeof(bufs[0]);
	assert_rc_equal(daos_cont_get_attr(api.coh, 1, missing, buffers, got, NULL), -DER_NONEXIST);

	/* An attribute needs a name and a value. */
	sizes[1] = 0;
	assert_rc_equal(daos_cont_set_attr(api.coh, 1, &names[1], &values[1], &sizes[1], NULL),
			-DER_INVAL);
	sizes[1] = 5;
	assert_rc_equal(
		daos_cont_set_attr(api.coh, 1, (const char *const[]){ "" }, values, sizes, NULL),
		-DER_INVAL);

	/* Overwrite one, delete another. */
	values[0] = "green";
	sizes[0] = 5;
	assert_success(daos_cont_set_attr(api.coh, 1, names, values, sizes, NULL));
	assert_success(daos_cont_del_attr(api.coh, 1, &names[1], NULL));
	memset(bufs, 0, sizeof(bufs));
	got[0] = sizeof(bufs[0]);
	assert_success(daos_cont_get_attr(api.coh, 1, names, buffers, got, NULL));
	assert_int_equal(got[0], 5);
	assert_memory_equal(bufs[0], "green", 5);
	got[1] = sizeof(bufs[1]);
	assert_rc_equal(daos_cont_get_attr(api.coh, 1, &names[1], &buffers[1], &got[1], NULL),
			-DER_NONEXIST);
	list_size = 0;
	assert_success(daos_cont_list_attr(api.coh, NULL, &list_size, NULL));
	assert_int_equal(list_size, sizeof("color") + sizeof("blob"));
	assert_success(
		daos_cont_del_attr(api.coh, 2, (const char *const[]){ "color", "blob" }, NULL));
	list_size = 0;
	assert_success(daos_cont_list_attr(api.coh, NULL, &list_size, NULL));
	assert_int_equal(list_size, 0);
}

/* Read (@dkey, "v") through @th and compare with @expect. */
static void
expect_at(daos_handle_t oh, daos_handle_t th, const char *dkey, const char *expect)
{
	api_sv_expect(oh, th, dkey, "v", expect, strlen(expect));
}

/*
 * Snapshots: create, list, query counts; a transaction opened on a snapshot reads what
 * was there then and cannot write; destroy one epoch at a time (as DAOS, which refuses
 * names and ranges for now).
 */
static void
snapshots(void **state)
{
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_S1));
	daos_handle_t th = DAOS_HDL_INVAL;
	daos_epoch_t e1 = 0, e2 = 0;
	daos_epoch_t epochs[8];
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_epoch_range_t epr;
	daos_cont_info_t info;
	int nr;

	(void)state;
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "snap", "v", "before", 6));
	assert_success(daos_cont_create_snap(api.coh, &e1, NULL, NULL));
	assert_true(e1 != 0);
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "snap", "v", "between", 7));
	assert_success(daos_cont_create_snap(api.coh, &e2, "second", NULL));
	assert_true(e2 > e1);
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "snap", "v", "latest", 6));
	/* Written after the first snapshot only. */
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "late", "v", "late", 4));

	nr = 8;
	memset(epochs, 0, sizeof(epochs));
	assert_success(daos_cont_list_snap(api.coh, &nr, epochs, NULL, &anchor, NULL));
	assert_int_equal(nr, 2);
	assert_true((epochs[0] == e1 && epochs[1] == e2) || (epochs[0] == e2 && epochs[1] == e1));
	assert_true(daos_anchor_is_eof(&anchor));
	memset(&info, 0, sizeof(info));
	assert_success(daos_cont_query(api.coh, &info, NULL, NULL));
	assert_int_equal(info.ci_nsnapshots, 2);
	assert_int_equal(info.ci_lsnapshot, e2);

	/* Each snapshot reads its own past; the present reads the latest. */
	assert_success(daos_tx_open_snap(api.coh, e1, &th, NULL));
	expect_at(oh, th, "snap", "before");
	api_sv_expect_none(oh, th, "late", "v");
	/* A snapshot is read-only. */
	assert_rc_equal(api_sv_put(oh, th, 0, "snap", "v", "no", 2), -DER_NO_PERM);
	assert_success(daos_tx_close(th, NULL));
	assert_success(daos_tx_open_snap(api.coh, e2, &th, NULL));
	expect_at(oh, th, "snap", "between");
	assert_success(daos_tx_close(th, NULL));
	expect_at(oh, DAOS_TX_NONE, "snap", "latest");
	expect_at(oh, DAOS_TX_NONE, "late", "late");

	/* An empty range is refused. */
	epr.epr_lo = e2;
	epr.epr_hi = e1;
	assert_rc_equal(daos_cont_destroy_snap(api.coh, epr, NULL), -DER_INVAL);

	/* Destroy the first: one left, still readable. */
	epr.epr_lo = epr.epr_hi = e1;
	assert_success(daos_cont_destroy_snap(api.coh, epr, NULL));
	nr = 8;
	memset(&anchor, 0, sizeof(anchor));
	assert_success(daos_cont_list_snap(api.coh, &nr, epochs, NULL, &anchor, NULL));
	assert_int_equal(nr, 1);
	assert_int_equal(epochs[0], e2);
	assert_success(daos_tx_open_snap(api.coh, e2, &th, NULL));
	expect_at(oh, th, "snap", "between");
	assert_success(daos_tx_close(th, NULL));
	/* Its name comes back in a buffer of DAOS_SNAPSHOT_MAX_LEN bytes. */
	{
		char name[DAOS_SNAPSHOT_MAX_LEN] = "junk";
		char *names[1] = { name };

		nr = 1;
		memset(&anchor, 0, sizeof(anchor));
		assert_success(daos_cont_list_snap(api.coh, &nr, epochs, names, &anchor, NULL));
		assert_int_equal(nr, 1);
		assert_string_equal(name, "second");
	}

	/* And the second. */
	epr.epr_lo = epr.epr_hi = e2;
	assert_success(daos_cont_destroy_snap(api.coh, epr, NULL));
	nr = 8;
	memset(&anchor, 0, sizeof(anchor));
	assert_success(daos_cont_list_snap(api.coh, &nr, epochs, NULL, &anchor, NULL));
	assert_int_equal(nr, 0);
	assert_success(daos_obj_close(oh, NULL));
}

/* Free bytes of the pool's data tier (NVMe, else SCM). */
static uint64_t
pool_free(void)
{
	daos_pool_info_t info = { .pi_bits = DPI_SPACE };
	uint64_t nvme, scm;

	assert_success(daos_pool_query(api.poh, NULL, &info, NULL, NULL));
	nvme = info.pi_space.ps_space.s_free[DAOS_MEDIA_NVME];
	scm = info.pi_space.ps_space.s_free[DAOS_MEDIA_SCM];
	return info.pi_space.ps_space.s_total[DAOS_MEDIA_NVME] > 0 ? nvme : scm;
}

/*
 * Overwritten versions give their space back in the background (aggregation), while
 * what a snapshot can read stays readable.
 */
static void
space_reclaimed_snapshot_kept(void **state)
{
	enum { SIZE = 1 << 20, ROUNDS = 64 };
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_S1));
	daos_handle_t th = DAOS_HDL_INVAL;
	unsigned char *buf = malloc(SIZE);
	uint64_t before, after_writes, now;
	daos_epoch_range_t epr;
	daos_epoch_t snap = 0;
	int i;

	(void)state;
	assert_non_null(buf);
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "kept", "v", "old", 3));
	assert_success(daos_cont_create_snap(api.coh, &snap, NULL, NULL));
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "kept", "v", "new", 3));
	before = pool_free();
	for (i = 0; i < ROUNDS; i++) {
		api_fill(buf, SIZE, (uint32_t)i);
		assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "big", "v", buf, SIZE));
	}
	after_writes = pool_free();
	assert_true(before - after_writes >= (uint64_t)(ROUNDS - 8) * SIZE);
	/* Within a minute, all but the last few versions are merged away. */
	for (i = 0; i < 120; i++) {
		now = pool_free();
		if (before - now <= (uint64_t)8 * SIZE)
			break;
		usleep(500 * 1000);
	}
	print_message("free: %" PRIu64 " before, %" PRIu64 " after %d x 1 MiB, %" PRIu64
		      " %d s later\n",
		      before, after_writes, ROUNDS, now, i / 2);
	assert_true(before - now <= (uint64_t)8 * SIZE);
	api_sv_expect(oh, DAOS_TX_NONE, "big", "v", buf, SIZE);
	/* The snapshot still reads the value it saw. */
	assert_success(daos_tx_open_snap(api.coh, snap, &th, NULL));
	expect_at(oh, th, "kept", "old");
	assert_success(daos_tx_close(th, NULL));
	expect_at(oh, DAOS_TX_NONE, "kept", "new");
	epr.epr_lo = epr.epr_hi = snap;
	assert_success(daos_cont_destroy_snap(api.coh, epr, NULL));
	assert_success(daos_obj_close(oh, NULL));
	free(buf);
}

/* Allocated OID ranges never overlap, through one handle or another. */
static void
alloc_oids(void **state)
{
	daos_handle_t coh2 = DAOS_HDL_INVAL;
	uint64_t a = 0, b = 0, c = 0;

	(void)state;
	assert_success(daos_cont_alloc_oids(api.coh, 10, &a, NULL));
	assert_success(daos_cont_alloc_oids(api.coh, 100, &b, NULL));
	assert_true(b >= a + 10 || b + 100 <= a);
	assert_success(daos_cont_open(api.poh, api.cont, DAOS_COO_RW, &coh2, NULL, NULL));
	assert_success(daos_cont_alloc_oids(coh2, 1000, &c, NULL));
	assert_true(c >= a + 10 || c + 1000 <= a);
	assert_true(c >= b + 100 || c + 1000 <= b);
	assert_success(daos_cont_close(coh2, NULL));
}

/* Class names and ids map both ways; unknown ones are refused as DAOS does. */
static void
object_class_names(void **state)
{
	static const struct {
		const char *name;
		daos_oclass_id_t id;
	} classes[] = {
		{ "S1", OC_S1 },
		{ "S2", OC_S2 },
		{ "SX", OC_SX },
		{ "RP_2G1", OC_RP_2G1 },
		{ "EC_2P1G1", OC_EC_2P1G1 },
		{ "RP_3GX", OC_RP_3GX },
	};
	char name[MAX_OBJ_CLASS_NAME_LEN + 1];
	char *all;
	ssize_t len;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		assert_int_equal(daos_oclass_name2id(classes[i].name), classes[i].id);
		memset(name, 0, sizeof(name));
		assert_int_equal(daos_oclass_id2name(classes[i].id, name), 0);
		assert_string_equal(name, classes[i].name);
	}
	assert_int_equal(daos_oclass_name2id("NO_SUCH_CLASS"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("S"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id(""), OC_UNKNOWN);
	assert_int_equal(daos_oclass_id2name(OBJ_CLASS_DEF(200U, 1U), name), -1);

	assert_true(daos_oclass_nr(0) > 10);
	all = api_alloc(64 * 1024);
	len = daos_oclass_names_list(64 * 1024, all);
	assert_true(len > 0 && len < 64 * 1024);
	assert_non_null(strstr(all, "RP_2G1"));
	assert_non_null(strstr(all, "EC_2P1G1"));
	free(all);
}

/*
 * daos_obj_generate_oid: the caller's 96 bits kept, the type set, the class resolved
 * for this pool ("X" and OC_UNKNOWN included); an invalid class refused.
 */
static void
generate_oid(void **state)
{
	daos_obj_id_t oid;
	uint32_t nr_grps;

	(void)state;
	oid = (daos_obj_id_t){ .lo = 0x1122334455667788ULL, .hi = 0x99aabbccULL };
	assert_success(
		daos_obj_generate_oid(api.coh, &oid, DAOS_OT_MULTI_HASHED, OC_UNKNOWN, 0, 0));
	assert_int_equal(oid.lo, 0x1122334455667788ULL);
	assert_int_equal(oid.hi & 0xffffffffULL, 0x99aabbccULL);
	assert_int_equal(daos_obj_id2type(oid), DAOS_OT_MULTI_HASHED);
	/* No redundancy asked for: one copy, one group for a plain object. */
	assert_int_equal(daos_obj_id2ord(oid), OR_RP_1);
	assert_int_equal(daos_obj_id2class(oid), OC_S1);

	/* Arrays and flat KVs spread over every target by default. */
	oid = (daos_obj_id_t){ .lo = 2 };
	assert_success(daos_obj_generate_oid(api.coh, &oid, DAOS_OT_ARRAY_BYTE, OC_UNKNOWN, 0, 0));
	assert_int_equal(daos_obj_id2type(oid), DAOS_OT_ARRAY_BYTE);
	assert_int_equal(daos_obj_id2ord(oid), OR_RP_1);
	nr_grps = daos_obj_id2class(oid) & 0xffff;
	if (api.ntargets != 0)
		assert_int_equal(nr_grps, api.ntargets);
	assert_true(nr_grps >= 1);

	/* SX resolves to the target count, never to MAX_NUM_GROUPS. */
	oid = (daos_obj_id_t){ .lo = 3 };
	assert_success(daos_obj_generate_oid(api.coh, &oid, DAOS_OT_KV_HASHED, OC_SX, 0, 0));
	assert_int_equal(daos_obj_id2type(oid), DAOS_OT_KV_HASHED);
	nr_grps = daos_obj_id2class(oid) & 0xffff;
	assert_true(nr_grps >= 1 && nr_grps != MAX_NUM_GROUPS);
	if (api.ntargets != 0)
		assert_int_equal(daos_obj_id2class(oid), OBJ_CLASS_DEF(OR_RP_1, api.ntargets));

	oid = (daos_obj_id_t){ .lo = 4 };
	assert_success(daos_obj_generate_oid(api.coh, &oid, DAOS_OT_DKEY_UINT64, OC_S2, 0, 0));
	assert_int_equal(daos_obj_id2class(oid), OC_S2);

	/* A redundancy method that does not exist. */
	oid = (daos_obj_id_t){ .lo = 5 };
	assert_rc_equal(daos_obj_generate_oid(api.coh, &oid, DAOS_OT_MULTI_HASHED,
					      OBJ_CLASS_DEF(200U, 1U), 0, 0),
			-DER_INVAL);
}

/*
 * A container whose redundancy factor needs more fault domains than the pool has (one
 * engine: one domain). Its root OIDs are given, so that creating it needs no class; then
 * no class can be chosen for it, nor can a 2-way replicated one be placed.
 */
static void
redundancy_beyond_the_pool(void **state)
{
	struct daos_prop_co_roots roots = { 0 };
	struct daos_prop_entry *e;
	daos_handle_t coh = DAOS_HDL_INVAL;
	daos_prop_t *prop, *q;
	daos_obj_id_t oid;
	char label[64];

	(void)state;
	roots.cr_oids[0] = (daos_obj_id_t){ .lo = 1, .hi = 0 };
	prop = daos_prop_alloc(3);
	assert_non_null(prop);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	prop->dpp_entries[0].dpe_val = DAOS_PROP_CO_REDUN_RF1;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_REDUN_LVL;
	prop->dpp_entries[1].dpe_val = DAOS_PROP_CO_REDUN_RANK;
	prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_ROOTS;
	assert_success(daos_prop_entry_set_ptr(&prop->dpp_entries[2], &roots, sizeof(roots)));
	api_label(label, sizeof(label), "rf1");
	assert_success(daos_cont_create_with_label(api.poh, label, prop, NULL, NULL));
	daos_prop_free(prop);
	assert_success(daos_cont_open(api.poh, label, DAOS_COO_RW, &coh, NULL, NULL));

	q = daos_prop_alloc(2);
	assert_non_null(q);
	q->dpp_entries[0].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	q->dpp_entries[1].dpe_type = DAOS_PROP_CO_ROOTS;
	assert_success(daos_cont_query(coh, NULL, q, NULL));
	assert_int_equal(q->dpp_entries[0].dpe_val, DAOS_PROP_CO_REDUN_RF1);
	e = daos_prop_entry_get(q, DAOS_PROP_CO_ROOTS);
	assert_non_null(e);
	assert_non_null(e->dpe_val_ptr);
	assert_memory_equal(e->dpe_val_ptr, &roots, sizeof(roots));
	daos_prop_free(q);

	oid = (daos_obj_id_t){ .lo = 1 };
	assert_rc_equal(daos_obj_generate_oid(coh, &oid, DAOS_OT_MULTI_HASHED, OC_UNKNOWN, 0, 0),
			-DER_INVAL);
	oid = (daos_obj_id_t){ .lo = 2 };
	assert_rc_equal(daos_obj_generate_oid(coh, &oid, DAOS_OT_MULTI_HASHED, OC_RP_2G1, 0, 0),
			-DER_INVAL);
	assert_success(daos_cont_close(coh, NULL));
	assert_success(daos_cont_destroy(api.poh, label, 0, NULL));
}

/* Updates of a transaction appear together at commit, never after an abort. */
static void
transactions(void **state)
{
	daos_handle_t oh = api_obj_open(api_oid(DAOS_OT_MULTI_HASHED, OC_S1));
	daos_handle_t th = DAOS_HDL_INVAL;

	(void)state;
	assert_success(daos_tx_open(api.coh, &th, 0, NULL));
	assert_success(api_sv_put(oh, th, 0, "tx", "a", "one", 3));
	assert_success(api_sv_put(oh, th, 0, "tx", "b", "two", 3));
	/* Not before the commit. */
	api_sv_expect_none(oh, DAOS_TX_NONE, "tx", "a");
	api_sv_expect_none(oh, DAOS_TX_NONE, "tx", "b");
	assert_success(daos_tx_commit(th, NULL));
	assert_success(daos_tx_close(th, NULL));
	api_sv_expect(oh, DAOS_TX_NONE, "tx", "a", "one", 3);
	api_sv_expect(oh, DAOS_TX_NONE, "tx", "b", "two", 3);

	/* Aborted: nothing changes. */
	assert_success(daos_tx_open(api.coh, &th, 0, NULL));
	assert_success(api_sv_put(oh, th, 0, "tx", "a", "uno", 3));
	assert_success(daos_tx_abort(th, NULL));
	assert_success(daos_tx_close(th, NULL));
	api_sv_expect(oh, DAOS_TX_NONE, "tx", "a", "one", 3);

	/* A read-only transaction reads, and refuses writes. */
	assert_success(daos_tx_open(api.coh, &th, DAOS_TF_RDONLY, NULL));
	api_sv_expect(oh, th, "tx", "b", "two", 3);
	assert_rc_equal(api_sv_put(oh, th, 0, "tx", "b", "dos", 3), -DER_NO_PERM);
	assert_success(daos_tx_close(th, NULL));
	api_sv_expect(oh, DAOS_TX_NONE, "tx", "b", "two", 3);
	assert_success(daos_obj_close(oh, NULL));
}

/* read(2) exactly @len bytes. */
static int
read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read a length-prefixed buffer into @glob (malloc'ed). */
static int
read_glob(int fd, d_iov_t *glob)
{
	uint64_t len;

	if (read_full(fd, &len, sizeof(len)) != 0 || len == 0 || len > (1 << 20))
		return -1;
	glob->iov_buf = malloc(len);
	if (glob->iov_buf == NULL)
		return -1;
	glob->iov_buf_len = glob->iov_len = len;
	return read_full(fd, glob->iov_buf, len);
}

/*
 * The child of handle_sharing: the handles arrive on @fd, serialised. Its exit status
 * says which step failed (0: all went well).
 */
static int
child_main(int fd)
{
	daos_handle_t poh = DAOS_HDL_INVAL, coh = DAOS_HDL_INVAL, oh = DAOS_HDL_INVAL;
	d_iov_t pglob = { 0 }, cglob = { 0 };
	daos_obj_id_t oid;
	char buf[64];
	daos_size_t size = DAOS_REC_ANY;
	int rc;

	if (read_full(fd, &oid, sizeof(oid)) != 0 || read_glob(fd, &pglob) != 0 ||
	    read_glob(fd, &cglob) != 0)
		return 10;
	rc = daos_init();
	if (rc != 0)
		return 11;
	rc = daos_pool_global2local(pglob, &poh);
	if (rc != 0) {
		fprintf(stderr, "child: daos_pool_global2local: " DF_RC "\n", DP_RC(rc));
		return 12;
	}
	rc = daos_cont_global2local(poh, cglob, &coh);
	if (rc != 0) {
		fprintf(stderr, "child: daos_cont_global2local: " DF_RC "\n", DP_RC(rc));
		return 13;
	}
	rc = daos_obj_open(coh, oid, DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return 14;
	memset(buf, 0, sizeof(buf));
	rc = api_sv_get(oh, DAOS_TX_NONE, 0, "share", "parent", buf, sizeof(buf), &size, NULL);
	if (rc != 0 || size != 11 || memcmp(buf, "from-parent", 11) != 0) {
		fprintf(stderr, "child: fetch: " DF_RC ", size %" PRIu64 "\n", DP_RC(rc),
			(uint64_t)size);
		return 15;
	}
	rc = api_sv_put(oh, DAOS_TX_NONE, 0, "share", "child", "from-child", 10);
	if (rc != 0) {
		fprintf(stderr, "child: update: " DF_RC "\n", DP_RC(rc));
		return 16;
	}
	if (daos_obj_close(oh, NULL) != 0 || daos_cont_close(coh, NULL) != 0 ||
	    daos_pool_disconnect(poh, NULL) != 0)
		return 17;
	if (daos_fini() != 0)
		return 18;
	free(pglob.iov_buf);
	free(cglob.iov_buf);
	return 0;
}

/* Serialise @h with @l2g into a new buffer in @glob. */
static void
serialise(int (*l2g)(daos_handle_t, d_iov_t *), daos_handle_t h, d_iov_t *glob)
{
	memset(glob, 0, sizeof(*glob));
	/* First the size, then the bytes. */
	assert_success(l2g(h, glob));
	assert_true(glob->iov_buf_len > 0);
	glob->iov_buf = api_alloc(glob->iov_buf_len);
	assert_success(l2g(h, glob));
	assert_true(glob->iov_len > 0 && glob->iov_len <= glob->iov_buf_len);
}

/*
 * Pool and container handles serialised, sent through a pipe to a freshly executed
 * process, which reads what this one wrote and writes something this one then reads.
 */
static void
handle_sharing(void **state)
{
	daos_obj_id_t oid = api_oid(DAOS_OT_MULTI_HASHED, OC_S1);
	daos_handle_t oh = api_obj_open(oid);
	d_iov_t pglob, cglob;
	char fd_arg[16];
	int fds[2];
	int status = 0;
	pid_t pid;
	uint64_t len;

	(void)state;
	assert_success(api_sv_put(oh, DAOS_TX_NONE, 0, "share", "parent", "from-parent", 11));
	serialise(daos_pool_local2global, api.poh, &pglob);
	serialise(daos_cont_local2global, api.coh, &cglob);

	assert_int_equal(pipe(fds), 0);
	snprintf(fd_arg, sizeof(fd_arg), "%d", fds[0]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		execl("/proc/self/exe", "pool_cont", "--child", fd_arg, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	assert_int_equal(write_full(fds[1], &oid, sizeof(oid)), 0);
	len = pglob.iov_len;
	assert_int_equal(write_full(fds[1], &len, sizeof(len)), 0);
	assert_int_equal(write_full(fds[1], pglob.iov_buf, pglob.iov_len), 0);
	len = cglob.iov_len;
	assert_int_equal(write_full(fds[1], &len, sizeof(len)), 0);
	assert_int_equal(write_full(fds[1], cglob.iov_buf, cglob.iov_len), 0);
	close(fds[1]);

	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child failed: %s %d (10: pipe, 11: init, 12: pool g2l, 13: cont g2l, "
			 "14: open, 15: fetch, 16: update, 17: close, 18: fini, 127: exec)",
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	/* The child's write, and our handles still work. */
	api_sv_expect(oh, DAOS_TX_NONE, "share", "child", "from-child", 10);
	free(pglob.iov_buf);
	free(cglob.iov_buf);
	assert_success(daos_obj_close(oh, NULL));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_pool_and_container),
		cmocka_unit_test(pool_query),
		cmocka_unit_test(container_lifecycle),
		cmocka_unit_test(container_from_prop_string),
		cmocka_unit_test(container_attributes),
		cmocka_unit_test(snapshots),
		cmocka_unit_test(space_reclaimed_snapshot_kept),
		cmocka_unit_test(alloc_oids),
		cmocka_unit_test(object_class_names),
		cmocka_unit_test(generate_oid),
		cmocka_unit_test(redundancy_beyond_the_pool),
		cmocka_unit_test(transactions),
		cmocka_unit_test(handle_sharing),
	};

	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child_main((int)strtol(argv[2], NULL, 10));
	return cmocka_run_group_tests_name("pool_cont", tests, api_group_setup, api_group_teardown);
}
