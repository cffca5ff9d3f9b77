/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pl_tests.c - object classes (DAOS's ids and names, X fitting, automatic selection),
 * OID encoding, and layouts: validity, distinct ranks per group, determinism, balance,
 * minimal movement on failure and on growth, leaders and EC rotation.
 */
#define D_LOGFAC DD_FAC(tests)

#include "common/test.h"
#include "placement/placement.h"

/* A map of @nr_ranks ranks (numbered 0..) with @nr_tgts targets each, all UP. */
struct test_map {
	struct pl_map map;
	struct pl_rank ranks[16];
	struct pl_target tgts[16][16];
};

static void
map_init(struct test_map *m, uint32_t nr_ranks, uint32_t nr_tgts)
{
	uint32_t i;

	memset(m, 0, sizeof(*m));
	m->map.version = 1;
	m->map.nr_ranks = nr_ranks;
	m->map.ranks = m->ranks;
	for (i = 0; i < nr_ranks; i++) {
		m->ranks[i].rank = i;
		m->ranks[i].nr_targets = nr_tgts;
		m->ranks[i].targets = m->tgts[i];
	}
}

static daos_obj_id_t
make_oid(uint64_t lo, enum daos_otype_t type, daos_oclass_id_t id)
{
	daos_obj_id_t oid = { .lo = lo, .hi = lo * 7 };

	if (id < (OR_RP_1 << OC_REDUN_SHIFT))
		pl_oid_set(&oid, type, 0, id);
	else
		pl_oid_set(&oid, type, id >> OC_REDUN_SHIFT, id & MAX_NUM_GROUPS);
	return oid;
}

static struct pl_layout *
layout_of(const struct test_map *m, daos_obj_id_t oid)
{
	struct pl_layout *l = NULL;

	assert_int_equal(pl_layout_create(&m->map, oid, &l), 0);
	assert_non_null(l);
	return l;
}

/* Ids checked against DAOS 2.6's daos_obj_class.h (OBJ_CLASS_DEF, OR_* values). */
static void
class_ids_are_daos(void **state)
{
	(void)state;
	assert_int_equal(OC_S1, 0x01000001);
	assert_int_equal(OC_SX, 0x0100ffff);
	assert_int_equal(OC_RP_2G1, 0x08000001);
	assert_int_equal(OC_RP_3GX, 0x0900ffff);
	assert_int_equal(OC_RP_6G32, 0x0c000020);
	assert_int_equal(OC_EC_2P1G1, 0x20000001);
	assert_int_equal(OC_EC_4P2GX, 0x2300ffff);
	assert_int_equal(OC_EC_16P2G32, 0x27000020);
	assert_int_equal(OC_EC_16P3GX, 0x2a00ffff);
	assert_int_equal(OR_RP_128, 20);
	assert_int_equal(OC_TINY, 51);
	assert_int_equal(OC_RP_SF_MAX, 73);
	assert_int_equal(OC_RP_XSF, 80);
	assert_int_equal(OC_EC_MAX, 103);
	assert_int_equal(DAOS_OT_ARRAY_BYTE, 13);

	assert_int_equal(pl_oclass_name2id("S1"), OC_S1);
	assert_int_equal(pl_oclass_name2id("SX"), OC_SX);
	assert_int_equal(pl_oclass_name2id("RP_2G1"), OC_RP_2G1);
	assert_int_equal(pl_oclass_name2id("RP_3GX"), OC_RP_3GX);
	assert_int_equal(pl_oclass_name2id("EC_4P2GX"), OC_EC_4P2GX);
	assert_int_equal(pl_oclass_name2id("EC_16P3G32"), OC_EC_16P3G32);
	assert_int_equal(pl_oclass_name2id("RP_XSF"), OC_RP_XSF);
}

static void
unknown_names_are_zero(void **state)
{
	(void)state;
	assert_int_equal(pl_oclass_name2id("sx"), OC_UNKNOWN);
	assert_int_equal(pl_oclass_name2id("OC_SX"), OC_UNKNOWN);
	assert_int_equal(pl_oclass_name2id("S3"), OC_UNKNOWN);
	assert_int_equal(pl_oclass_name2id(""), OC_UNKNOWN);
	assert_int_equal(pl_oclass_name2id("S1 "), OC_UNKNOWN);
	assert_int_equal(pl_oclass_name2id("EC_2P1G6"), OC_UNKNOWN); /* no DAOS table row */
	assert_int_equal(pl_oclass_name2id("TINY"), OC_UNKNOWN);
	assert_int_equal(pl_oclass_name2id("RP_2G1RP_2G1RP_2G1RP_2G1X"), OC_UNKNOWN);
	assert_int_equal(pl_oclass_name2id(NULL), OC_UNKNOWN);
}

/* Every listed name maps to an id that maps back to the name. */
static void
names_round_trip(void **state)
{
	char list[8192];
	char name[MAX_OBJ_CLASS_NAME_LEN];
	char *p;
	char *sep;
	ssize_t len;
	int nr = 0;

	(void)state;
	len = pl_oclass_names_list(sizeof(list), list);
	assert_true(len > 0);
	assert_int_equal((size_t)len, strlen(list));
	assert_string_equal(list + len - 2, ", ");
	assert_memory_equal(list, "S1, S2, S4, S6, S8, S12, S16, S32, SX, RP_2G1, ", 47);
	for (p = list; *p != '\0'; p = sep + 2) {
		int id;

		sep = strstr(p, ", ");
		assert_non_null(sep);
		*sep = '\0';
		id = pl_oclass_name2id(p);
		assert_int_not_equal(id, OC_UNKNOWN);
		assert_int_equal(pl_oclass_id2name((daos_oclass_id_t)id, name, sizeof(name)), 0);
		assert_string_equal(name, p);
		nr++;
	}
	assert_int_equal(nr, pl_oclass_nr());
	/* 9 S, 5 x 9 RP, RP_XSF, 11 x 8 EC */
	assert_int_equal(nr, 9 + 45 + 1 + 88);

	assert_int_equal(pl_oclass_names_list(10, list), -DER_OVERFLOW);
	assert_int_equal(pl_oclass_names_list((size_t)len, list), -DER_OVERFLOW);
	assert_int_equal(pl_oclass_names_list((size_t)len + 1, list), len);
	assert_int_equal(pl_oclass_names_list(0, list), -DER_INVAL);
}

/* Resolved ids are named after their method, as DAOS names them. */
static void
resolved_names(void **state)
{
	char name[MAX_OBJ_CLASS_NAME_LEN];
	struct pl_oclass_attr attr;

	(void)state;
	assert_int_equal(pl_oclass_id2name(OBJ_CLASS_DEF(OR_RP_1, 5), name, sizeof(name)), 0);
	assert_string_equal(name, "S5");
	assert_int_equal(pl_oclass_id2name(OBJ_CLASS_DEF(OR_RP_2, 7), name, sizeof(name)), 0);
	assert_string_equal(name, "RP_2G7");
	assert_int_equal(pl_oclass_id2name(OC_EC_2P1G6, name, sizeof(name)), 0);
	assert_string_equal(name, "EC_2P1G6");
	assert_int_equal(pl_oclass_id2name(OBJ_CLASS_DEF(OR_RS_16P2, 300), name, sizeof(name)), 0);
	assert_string_equal(name, "EC_16P2G300");
	assert_int_equal(pl_oclass_id2name(OC_RP_12G1, name, sizeof(name)), -DER_NONEXIST);
	assert_string_equal(name, "UNKNOWN");
	assert_int_equal(pl_oclass_id2name(OC_TINY, name, sizeof(name)), -DER_NONEXIST);
	assert_int_equal(pl_oclass_id2name(OBJ_CLASS_DEF(OR_RP_2, 0), name, sizeof(name)),
			 -DER_NONEXIST);
	assert_int_equal(pl_oclass_id2name(OC_EC_16P2G32, name, 5), -DER_INVAL);

	assert_int_equal(pl_oclass_attr_get(OC_EC_8P2G4, &attr), 0);
	assert_int_equal(attr.resil, DAOS_RES_EC);
	assert_int_equal(attr.ec_k, 8);
	assert_int_equal(attr.ec_p, 2);
	assert_int_equal(attr.grp_size, 10);
	assert_int_equal(attr.grp_nr, 4);
	assert_int_equal(attr.resil_degree, 2);
	assert_int_equal(pl_oclass_attr_get(OC_RP_3GX, &attr), 0);
	assert_int_equal(attr.resil, DAOS_RES_REPL);
	assert_int_equal(attr.rp_nr, 3);
	assert_int_equal(attr.grp_nr, MAX_NUM_GROUPS);
	assert_int_equal(attr.resil_degree, 2);
	assert_int_equal(pl_oclass_attr_get(OC_S1, &attr), 0);
	assert_int_equal(attr.resil_degree, 0);
	assert_int_equal(pl_oclass_attr_get(0x01010001, &attr), -DER_NONEXIST);
}

static void
oid_encoding(void **state)
{
	daos_obj_id_t oid = { .lo = 0x1122334455667788ULL, .hi = 0xffffffff12345678ULL };
	daos_obj_id_t tmp;

	(void)state;
	assert_int_equal(pl_oid_generate(&oid, DAOS_OT_ARRAY_BYTE, OC_RP_2G4, 0, 0, 4, 16), 0);
	assert_int_equal(oid.hi, 0x0d08000412345678ULL);
	assert_int_equal(oid.lo, 0x1122334455667788ULL);
	assert_int_equal(pl_oid_type(oid), DAOS_OT_ARRAY_BYTE);
	assert_int_equal(pl_oid_class(oid), OC_RP_2G4);

	/* X is resolved into the OID: SX on 16 targets, rf 0. */
	assert_int_equal(pl_oid_generate(&oid, DAOS_OT_MULTI_HASHED, OC_SX, 0, 0, 4, 16), 0);
	assert_int_equal(oid.hi, 0x0001001012345678ULL);
	assert_int_equal(pl_oid_class(oid), OBJ_CLASS_DEF(OR_RP_1, 16));

	/* RP_XSF keeps its small id whole, method 0. */
	assert_int_equal(pl_oid_generate(&oid, DAOS_OT_KV_HASHED, OC_RP_XSF, 0, 2, 4, 16), 0);
	assert_int_equal(oid.hi, 0x0800005012345678ULL);
	assert_int_equal(pl_oid_class(oid), OC_RP_XSF);

	/* Refusals leave the OID alone. */
	tmp = oid;
	assert_int_equal(pl_oid_generate(&oid, 15, OC_S1, 0, 0, 4, 16), -DER_INVAL);
	assert_int_equal(pl_oid_generate(&oid, DAOS_OT_ARRAY, OC_TINY, 0, 0, 4, 16), -DER_INVAL);
	assert_int_equal(pl_oid_generate(&oid, DAOS_OT_ARRAY, OC_SX, 0, 1, 4, 16), -DER_INVAL);
	assert_int_equal(pl_oid_generate(&oid, DAOS_OT_ARRAY, OC_EC_4P2G1, 0, 0, 4, 16),
			 -DER_INVAL);
	assert_int_equal(pl_oid_generate(&oid, DAOS_OT_ARRAY, OC_S32, 0, 0, 4, 16), -DER_INVAL);
	assert_int_equal(pl_oid_generate(&oid, DAOS_OT_ARRAY, OC_RP_2G1, 0, 2, 4, 16), -DER_INVAL);
	assert_memory_equal(&oid, &tmp, sizeof(oid));
}

static void
x_resolution(void **state)
{
	daos_oclass_id_t id;

	(void)state;
	/* target_nr / grp_size, less min(30% of targets / grp_size, rf) */
	assert_int_equal(pl_oclass_fit(OC_SX, 4, 16, 0, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RP_1, 16));
	assert_int_equal(pl_oclass_fit(OC_SX, 4, 16, 2, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RP_1, 14));
	assert_int_equal(pl_oclass_fit(OC_RP_3GX, 4, 16, 2, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RP_3, 4)); /* 5 - min(1, 2) */
	assert_int_equal(pl_oclass_fit(OC_EC_2P1GX, 4, 8, 1, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RS_2P1, 2)); /* 2 - min(0, 1) */
	assert_int_equal(pl_oclass_fit(OC_RP_2GX, 2, 2, 1, &id), 0);
	assert_int_equal(id, OC_RP_2G1);
	assert_int_equal(pl_oclass_fit(OC_EC_8P2GX, 12, 96, 2, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RS_8P2, 7)); /* 9 - min(2, 2) */
	assert_int_equal(pl_oclass_fit(OC_SX, 100, 1000, 3, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RP_1, 997));
	/* Fixed counts stay. */
	assert_int_equal(pl_oclass_fit(OC_RP_2G4, 4, 16, 1, &id), 0);
	assert_int_equal(id, OC_RP_2G4);
	/* Groups wider than the domains, or more shards than targets. */
	assert_int_equal(pl_oclass_fit(OC_EC_4P2GX, 4, 16, 0, &id), -DER_INVAL);
	assert_int_equal(pl_oclass_fit(OC_RP_3G1, 2, 16, 0, &id), -DER_INVAL);
	assert_int_equal(pl_oclass_fit(OC_S32, 4, 16, 0, &id), -DER_INVAL);
	assert_int_equal(pl_oclass_fit(OC_UNKNOWN, 4, 16, 0, &id), -DER_INVAL);
}

static void
auto_selection(void **state)
{
	daos_oclass_id_t id;

	(void)state;
	/* rf 0: no redundancy; arrays as wide as possible, others one group. */
	assert_int_equal(pl_oclass_select(0, 4, 16, DAOS_OT_ARRAY, 0, &id), 0);
	assert_int_equal(id, OC_S16);
	assert_int_equal(pl_oclass_select(0, 4, 16, DAOS_OT_MULTI_HASHED, 0, &id), 0);
	assert_int_equal(id, OC_S1);
	assert_int_equal(pl_oclass_select(0, 4, 16, DAOS_OT_KV_HASHED, 0, &id), 0);
	assert_int_equal(id, OC_S16);
	assert_int_equal(pl_oclass_select(0, 2, 16, DAOS_OT_MULTI_HASHED, DAOS_OCH_RDD_RP, &id), 0);
	assert_int_equal(id, OC_RP_2G1);
	assert_int_equal(pl_oclass_select(0, 10, 40, DAOS_OT_ARRAY,
					  DAOS_OCH_RDD_EC | DAOS_OCH_SHD_TINY, &id),
			 0);
	assert_int_equal(id, OC_EC_8P1G1);
	/* rf 1: EC for arrays from 3 domains, else RP_2. */
	assert_int_equal(pl_oclass_select(1, 4, 16, DAOS_OT_ARRAY, 0, &id), 0);
	assert_int_equal(id, OC_EC_2P1G4); /* 16 / 3 = 5, less min(4 / 3, 1) */
	assert_int_equal(pl_oclass_select(1, 6, 24, DAOS_OT_ARRAY_BYTE, DAOS_OCH_SHD_TINY, &id), 0);
	assert_int_equal(id, OC_EC_4P1G1);
	assert_int_equal(pl_oclass_select(1, 18, 72, DAOS_OT_ARRAY, DAOS_OCH_SHD_TINY, &id), 0);
	assert_int_equal(id, OC_EC_16P1G1);
	assert_int_equal(pl_oclass_select(1, 2, 16, DAOS_OT_ARRAY, 0, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RP_2, 7)); /* 8 less min(2, 1) */
	assert_int_equal(pl_oclass_select(1, 4, 16, DAOS_OT_MULTI_HASHED, 0, &id), 0);
	assert_int_equal(id, OC_RP_2G1);
	/* rf 2 */
	assert_int_equal(pl_oclass_select(2, 12, 48, DAOS_OT_ARRAY, 0, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RS_8P2, 3)); /* 4 less min(1, 2) */
	assert_int_equal(pl_oclass_select(2, 8, 8, DAOS_OT_ARRAY, DAOS_OCH_SHD_TINY, &id), 0);
	assert_int_equal(id, OC_EC_4P2G1);
	assert_int_equal(pl_oclass_select(2, 20, 20, DAOS_OT_ARRAY, DAOS_OCH_SHD_TINY, &id), 0);
	assert_int_equal(id, OC_EC_16P2G1);
	assert_int_equal(pl_oclass_select(2, 4, 4, DAOS_OT_ARRAY, DAOS_OCH_SHD_TINY, &id), 0);
	assert_int_equal(id, OC_EC_2P2G1);
	assert_int_equal(pl_oclass_select(2, 3, 12, DAOS_OT_ARRAY, DAOS_OCH_SHD_TINY, &id), 0);
	assert_int_equal(id, OC_RP_3G1);
	assert_int_equal(pl_oclass_select(2, 8, 32, DAOS_OT_ARRAY, DAOS_OCH_RDD_RP, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RP_3, 8)); /* 10 less min(3, 2) */
	/* rf 3 and 4: replication only; too few domains is refused. */
	assert_int_equal(pl_oclass_select(3, 4, 16, DAOS_OT_MULTI_HASHED, 0, &id), 0);
	assert_int_equal(id, OC_RP_4G1);
	assert_int_equal(pl_oclass_select(3, 3, 16, DAOS_OT_MULTI_HASHED, 0, &id), -DER_INVAL);
	assert_int_equal(pl_oclass_select(4, 16, 64, DAOS_OT_ARRAY, DAOS_OCH_SHD_TINY, &id), 0);
	assert_int_equal(id, OC_RP_5G1);
	assert_int_equal(pl_oclass_select(1, 1, 16, DAOS_OT_MULTI_HASHED, 0, &id), -DER_INVAL);
	/* Sharding hints */
	assert_int_equal(
		pl_oclass_select(0, 100, 1000, DAOS_OT_MULTI_HASHED, DAOS_OCH_SHD_REG, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RP_1, 250));
	assert_int_equal(
		pl_oclass_select(0, 100, 1000, DAOS_OT_MULTI_HASHED, DAOS_OCH_SHD_EXT, &id), 0);
	assert_int_equal(id, OBJ_CLASS_DEF(OR_RP_1, 1000));
	assert_int_equal(pl_oclass_select(0, 4, 16, DAOS_OT_MULTI_HASHED,
					  DAOS_OCH_SHD_TINY | DAOS_OCH_SHD_MAX, &id),
			 -DER_INVAL);
}

/* Every shard on an UP target of the map, members of a group on distinct ranks. */
static void
check_layout(const struct test_map *m, const struct pl_layout *l, bool distinct_targets)
{
	uint32_t s;
	uint32_t t;

	for (s = 0; s < l->nr_shards; s++) {
		const struct pl_shard *sh = &l->shards[s];

		assert_true(sh->rank < m->map.nr_ranks);
		assert_true(sh->tgt_idx < m->ranks[sh->rank].nr_targets);
		assert_int_equal(m->tgts[sh->rank][sh->tgt_idx].state, PL_TGT_UP);
		for (t = s + 1; t < l->nr_shards; t++) {
			const struct pl_shard *o = &l->shards[t];

			if (s / l->grp_size == t / l->grp_size)
				assert_int_not_equal(sh->rank, o->rank);
			if (distinct_targets)
				assert_false(sh->rank == o->rank && sh->tgt_idx == o->tgt_idx);
		}
	}
}

static const daos_oclass_id_t layout_classes[] = {
	OC_S1,       OC_S4,       OC_S16,      OC_RP_2G1, OC_RP_3G2, OC_RP_4G4,
	OC_EC_2P1G2, OC_EC_4P2G1, OC_EC_2P2G4, OC_RP_6G1, OC_RP_XSF,
};

#define NR_LAYOUT_CLASSES (sizeof(layout_classes) / sizeof(layout_classes[0]))

static void
layouts_valid_and_deterministic(void **state)
{
	struct test_map m;
	size_t c;
	uint64_t i;

	(void)state;
	TEST_ALLOC_MARK();
	map_init(&m, 8, 4);
	for (c = 0; c < NR_LAYOUT_CLASSES; c++) {
		for (i = 0; i < 200; i++) {
			daos_obj_id_t oid = make_oid(i, DAOS_OT_MULTI_HASHED, layout_classes[c]);
			struct pl_layout *a = layout_of(&m, oid);
			struct pl_layout *b = layout_of(&m, oid);

			assert_int_equal(a->version, 1);
			assert_int_equal(a->nr_shards, a->grp_nr * a->grp_size);
			if (layout_classes[c] == OC_RP_XSF)
				assert_int_equal(a->grp_size, 8);
			check_layout(&m, a, a->nr_shards <= 32);
			assert_memory_equal(a, b, sizeof(*a) + a->nr_shards * sizeof(a->shards[0]));
			pl_layout_free(a);
			pl_layout_free(b);
		}
	}
	TEST_ALLOC_CHECK();
}

/* Objects larger than the pool wrap around it, still with distinct ranks per group. */
static void
layouts_wider_than_pool(void **state)
{
	struct test_map m;
	struct pl_layout *l;

	(void)state;
	map_init(&m, 4, 2);
	l = layout_of(&m, make_oid(5, DAOS_OT_ARRAY, OBJ_CLASS_DEF(OR_RP_3, 10)));
	assert_int_equal(l->nr_shards, 30);
	check_layout(&m, l, false);
	pl_layout_free(l);

	/* A group wider than the ranks, an unresolved X, an unknown class: refused. */
	assert_int_equal(pl_layout_create(&m.map, make_oid(1, 0, OC_RP_6G1), &l), -DER_INVAL);
	assert_int_equal(pl_layout_create(&m.map, make_oid(1, 0, OC_SX), &l), -DER_INVAL);
	assert_int_equal(pl_layout_create(&m.map, make_oid(1, 0, OC_TINY), &l), -DER_INVAL);
}

static void
layouts_balance(void **state)
{
	struct test_map m;
	uint32_t count[4][4] = { { 0 } };
	uint64_t i;
	uint32_t r;
	uint32_t t;

	(void)state;
	map_init(&m, 4, 4);
	for (i = 0; i < 10000; i++) {
		struct pl_layout *l = layout_of(&m, make_oid(i, DAOS_OT_MULTI_HASHED, OC_S1));

		count[l->shards[0].rank][l->shards[0].tgt_idx]++;
		pl_layout_free(l);
	}
	for (r = 0; r < 4; r++) {
		for (t = 0; t < 4; t++) {
			/* mean 625, +-25% */
			assert_true(count[r][t] >= 469);
			assert_true(count[r][t] <= 781);
		}
	}
}

/* A target goes DOWN: only the shards on it move, to up targets, groups still apart. */
static void
layouts_failure_moves_only_failed(void **state)
{
	struct test_map m;
	struct test_map down;
	size_t c;
	uint64_t i;
	uint32_t moved = 0;

	(void)state;
	TEST_ALLOC_MARK();
	map_init(&m, 8, 4);
	down = m;
	down.map.ranks = down.ranks;
	for (i = 0; i < 8; i++)
		down.ranks[i].targets = down.tgts[i];
	down.map.version = 2;
	down.tgts[3][1].state = PL_TGT_DOWN;
	down.tgts[3][1].fseq = 2;

	for (c = 0; c < NR_LAYOUT_CLASSES; c++) {
		if (layout_classes[c] == OC_RP_XSF)
			continue;
		for (i = 0; i < 300; i++) {
			daos_obj_id_t oid = make_oid(i, DAOS_OT_MULTI_HASHED, layout_classes[c]);
			struct pl_layout *a = layout_of(&m, oid);
			struct pl_layout *b = layout_of(&down, oid);
			uint32_t s;

			check_layout(&down, b, b->nr_shards <= 28);
			for (s = 0; s < a->nr_shards; s++) {
				bool on_failed =
					a->shards[s].rank == 3 && a->shards[s].tgt_idx == 1;

				if (on_failed) {
					moved++;
					assert_true(b->shards[s].remapped);
					assert_true(b->shards[s].rebuilding);
				} else {
					assert_int_equal(b->shards[s].rank, a->shards[s].rank);
					assert_int_equal(b->shards[s].tgt_idx,
							 a->shards[s].tgt_idx);
					assert_false(b->shards[s].remapped);
				}
			}
			pl_layout_free(a);
			pl_layout_free(b);
		}
	}
	assert_true(moved > 0);
	TEST_ALLOC_CHECK();
}

/* A second failure leaves the first failure's fallbacks alone unless they failed. */
static void
layouts_second_failure(void **state)
{
	struct test_map m1;
	struct test_map m2;
	uint64_t i;
	uint32_t r;

	(void)state;
	map_init(&m1, 8, 4);
	m1.tgts[2][0].state = PL_TGT_DOWNOUT;
	m1.tgts[2][0].fseq = 2;
	m2 = m1;
	m2.map.ranks = m2.ranks;
	for (r = 0; r < 8; r++)
		m2.ranks[r].targets = m2.tgts[r];
	m2.tgts[5][3].state = PL_TGT_DOWN;
	m2.tgts[5][3].fseq = 3;

	for (i = 0; i < 500; i++) {
		daos_obj_id_t oid = make_oid(i, DAOS_OT_MULTI_HASHED, OC_RP_3G2);
		struct pl_layout *a = layout_of(&m1, oid);
		struct pl_layout *b = layout_of(&m2, oid);
		uint32_t s;

		check_layout(&m2, b, true);
		for (s = 0; s < a->nr_shards; s++) {
			if (a->shards[s].remapped)
				assert_false(a->shards[s].rebuilding); /* DOWNOUT: rebuilt */
			if (a->shards[s].rank == 5 && a->shards[s].tgt_idx == 3)
				continue;
			assert_int_equal(b->shards[s].rank, a->shards[s].rank);
			assert_int_equal(b->shards[s].tgt_idx, a->shards[s].tgt_idx);
		}
		pl_layout_free(a);
		pl_layout_free(b);
	}
}

/* One more rank: about 1/5 of S1 objects move, all of them onto the new rank. */
static void
layouts_extension(void **state)
{
	struct test_map m4;
	struct test_map m5;
	uint32_t moved = 0;
	uint64_t i;

	(void)state;
	map_init(&m4, 4, 4);
	map_init(&m5, 5, 4);
	for (i = 0; i < 10000; i++) {
		daos_obj_id_t oid = make_oid(i, DAOS_OT_MULTI_HASHED, OC_S1);
		struct pl_layout *a = layout_of(&m4, oid);
		struct pl_layout *b = layout_of(&m5, oid);

		if (a->shards[0].rank != b->shards[0].rank ||
		    a->shards[0].tgt_idx != b->shards[0].tgt_idx) {
			moved++;
			assert_int_equal(b->shards[0].rank, 4);
		}
		pl_layout_free(a);
		pl_layout_free(b);
	}
	assert_true(moved >= 1600 && moved <= 2400);

	/* NEW targets are not used: the same as the four-rank map. */
	for (i = 0; i < 4; i++)
		m5.tgts[4][i].state = PL_TGT_NEW;
	for (i = 0; i < 1000; i++) {
		daos_obj_id_t oid = make_oid(i, DAOS_OT_MULTI_HASHED, OC_RP_2G2);
		struct pl_layout *a = layout_of(&m4, oid);
		struct pl_layout *b = layout_of(&m5, oid);

		assert_memory_equal(a->shards, b->shards, a->nr_shards * sizeof(a->shards[0]));
		pl_layout_free(a);
		pl_layout_free(b);
	}
}

/* Nothing up: shards have nowhere to go. */
static void
layouts_all_down(void **state)
{
	struct test_map m;
	struct pl_layout *l;
	uint32_t r;
	uint32_t t;

	(void)state;
	map_init(&m, 3, 2);
	for (r = 0; r < 3; r++)
		for (t = 0; t < 2; t++)
			m.tgts[r][t].state = PL_TGT_DOWN;
	l = layout_of(&m, make_oid(9, 0, OC_RP_2G1));
	assert_int_equal(l->shards[0].rank, CRT_NO_RANK);
	assert_int_equal(l->shards[1].rank, CRT_NO_RANK);
	assert_int_equal(pl_rp_leader(l, 0, 0), -DER_NONEXIST);
	pl_layout_free(l);
}

static void
dkeys_and_leaders(void **state)
{
	struct test_map m;
	struct pl_layout *l;
	uint64_t v = 0x123456789ULL;
	uint32_t seen[6] = { 0 };
	uint64_t h;
	uint32_t t;

	(void)state;
	/* uint64 dkeys hash to themselves; strings by MurmurHash64A seed 5731. */
	assert_true(pl_dkey_hash(DAOS_OT_ARRAY, &v, sizeof(v)) == v);
	assert_true(pl_dkey_hash(DAOS_OT_MULTI_HASHED, &v, sizeof(v)) ==
		    d_hash_murmur64((const unsigned char *)&v, sizeof(v), 5731));
	assert_true(pl_dkey_hash(DAOS_OT_MULTI_HASHED, NULL, 0) == 0);
	assert_int_equal(pl_dkey_grp(12345, 1), 0);
	assert_int_equal(pl_dkey_grp(12345, 8), d_hash_jump(12345, 8));

	/* EC rotation: start = hash % (k + p); every shard takes parity in turn. */
	assert_int_equal(pl_ec_cell_shard(0, 4, 2, 0), 0);
	assert_int_equal(pl_ec_cell_shard(4, 4, 2, 0), 4);
	assert_int_equal(pl_ec_cell_shard(4, 4, 2, 3), 1);
	assert_int_equal(pl_ec_cell_shard(13, 4, 2, 5), 0);
	for (h = 100; h < 106; h++)
		seen[pl_ec_cell_shard(h, 4, 2, 5)]++;
	for (t = 0; t < 6; t++)
		assert_int_equal(seen[t], 1);

	map_init(&m, 6, 2);
	l = layout_of(&m, make_oid(3, DAOS_OT_ARRAY, OC_EC_4P2G1));
	assert_int_equal(pl_ec_leader(l, 0, 4, 4, 2), pl_ec_cell_shard(4, 4, 2, 5));
	m.tgts[l->shards[pl_ec_cell_shard(4, 4, 2, 5)].rank][0].state = PL_TGT_DOWN;
	m.tgts[l->shards[pl_ec_cell_shard(4, 4, 2, 5)].rank][1].state = PL_TGT_DOWN;
	pl_layout_free(l);
	l = layout_of(&m, make_oid(3, DAOS_OT_ARRAY, OC_EC_4P2G1));
	assert_int_equal(pl_ec_leader(l, 0, 4, 4, 2), pl_ec_cell_shard(4, 4, 2, 4));
	pl_layout_free(l);

	/* Replicated leader: rotates with (hash + grp), skips rebuilding, prefers low fseq. */
	map_init(&m, 6, 2);
	l = layout_of(&m, make_oid(4, 0, OC_RP_3G2));
	assert_int_equal(pl_rp_leader(l, 0, 0), 0);
	assert_int_equal(pl_rp_leader(l, 0, 1), 1);
	assert_int_equal(pl_rp_leader(l, 1, 1), 2);
	assert_int_equal(pl_rp_leader(l, 2, 0), -DER_INVAL);
	l->shards[1].rebuilding = true;
	assert_int_equal(pl_rp_leader(l, 0, 1), 2);
	l->shards[2].fseq = 5;
	l->shards[0].fseq = 3;
	assert_int_equal(pl_rp_leader(l, 0, 1), 0);
	pl_layout_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(class_ids_are_daos),
		cmocka_unit_test(unknown_names_are_zero),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(resolved_names),
		cmocka_unit_test(oid_encoding),
		cmocka_unit_test(x_resolution),
		cmocka_unit_test(auto_selection),
		cmocka_unit_test(layouts_valid_and_deterministic),
		cmocka_unit_test(layouts_wider_than_pool),
		cmocka_unit_test(layouts_balance),
		cmocka_unit_test(layouts_failure_moves_only_failed),
		cmocka_unit_test(layouts_second_failure),
		cmocka_unit_test(layouts_extension),
		cmocka_unit_test(layouts_all_down),
		cmocka_unit_test(dkeys_and_leaders),
	};

	return cmocka_run_group_tests_name("placement", tests, NULL, NULL);
}
