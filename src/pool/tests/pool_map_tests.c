/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_map_tests.c - the pool map: creation (sorting, ids), lookups, state changes and
 * the version bumps they cause, counts and rank lists, and the codec: round trips,
 * malformed maps (each broken in one way, CRC fixed up so the check behind it runs),
 * every truncation and every bit flip of an encoding, and allocation failures.
 */
#define D_LOGFAC DD_FAC(tests)

#include "common/csum.h"
#include "common/test.h"
#include "pool/pool_map.h"

#define NR_STATES 6
static const enum pool_comp_state all_states[NR_STATES] = {
	POOL_COMP_NEW,  POOL_COMP_UP,      POOL_COMP_UPIN,
	POOL_COMP_DOWN, POOL_COMP_DOWNOUT, POOL_COMP_DRAIN,
};

/* Field by field, ids and indexes included, and each rank pointing into its own map. */
static void
assert_maps_equal(const struct pool_map *a, const struct pool_map *b)
{
	uint32_t i;
	uint32_t j;

	assert_int_equal(a->version, b->version);
	assert_int_equal(a->nr_ranks, b->nr_ranks);
	assert_int_equal(a->nr_targets, b->nr_targets);
	for (i = 0; i < a->nr_ranks; i++) {
		const struct pool_rank *ra = &a->ranks[i];
		const struct pool_rank *rb = &b->ranks[i];

		assert_int_equal(ra->rank, rb->rank);
		assert_int_equal(ra->state, rb->state);
		assert_int_equal(ra->fseq, rb->fseq);
		assert_int_equal(ra->nr_targets, rb->nr_targets);
		assert_ptr_equal(ra->targets, &a->targets[ra->targets[0].id]);
		assert_ptr_equal(rb->targets, &b->targets[rb->targets[0].id]);
		for (j = 0; j < ra->nr_targets; j++) {
			assert_int_equal(ra->targets[j].id, rb->targets[j].id);
			assert_int_equal(ra->targets[j].idx, rb->targets[j].idx);
			assert_int_equal(ra->targets[j].state, rb->targets[j].state);
			assert_int_equal(ra->targets[j].fseq, rb->targets[j].fseq);
		}
	}
}

/* The encoding of @map in a new buffer (d_free it) of *@len bytes. */
static uint8_t *
encode(const struct pool_map *map, size_t *len)
{
	uint8_t *buf;

	*len = pool_map_encoded_size(map);
	buf = d_calloc(1, *len);
	assert_non_null(buf);
	assert_int_equal(pool_map_encode(map, buf, *len), 0);
	return buf;
}

static void
put_u32(uint8_t *buf, size_t off, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		buf[off + i] = (uint8_t)(v >> (8 * i));
}

/* Recompute the CRC at the end of @len bytes. */
static void
fix_crc(uint8_t *buf, size_t len)
{
	put_u32(buf, len - 4, d_crc32c(0, buf, len - 4));
}

/* Ranks 2, 5, 7 with 4, 2 and 1 targets, given out of order. */
static struct pool_map *
map_257(void)
{
	static const d_rank_t ranks[] = { 7, 2, 5 };
	static const uint32_t nr_targets[] = { 1, 4, 2 };
	struct pool_map *map = NULL;

	assert_int_equal(pool_map_create(3, ranks, nr_targets, &map), 0);
	return map;
}

/* Creation sorts ranks, keeps each one's target count, and numbers targets in order. */
static void
create_sorts_ranks_and_numbers_targets(void **state)
{
	static const d_rank_t want_ranks[] = { 2, 5, 7 };
	static const uint32_t want_nr[] = { 4, 2, 1 };
	struct pool_map *map;
	uint32_t id = 0;
	uint32_t i;
	uint32_t j;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_257();
	assert_int_equal(map->version, 1);
	assert_int_equal(map->nr_ranks, 3);
	assert_int_equal(map->nr_targets, 7);
	for (i = 0; i < 3; i++) {
		const struct pool_rank *r = &map->ranks[i];

		assert_int_equal(r->rank, want_ranks[i]);
		assert_int_equal(r->nr_targets, want_nr[i]);
		assert_int_equal(r->state, POOL_COMP_UPIN);
		assert_int_equal(r->fseq, 0);
		for (j = 0; j < r->nr_targets; j++, id++) {
			assert_int_equal(r->targets[j].id, id);
			assert_int_equal(r->targets[j].idx, j);
			assert_int_equal(r->targets[j].state, POOL_COMP_UPIN);
			assert_int_equal(r->targets[j].fseq, 0);
			assert_ptr_equal(&r->targets[j], &map->targets[id]);
		}
	}
	pool_map_free(map);
	pool_map_free(NULL);
	TEST_ALLOC_CHECK();
}

/* Duplicates, empty maps, empty ranks, oversized ranks and NULLs are refused. */
static void
create_refuses_bad_arguments(void **state)
{
	static const d_rank_t dup_ranks[] = { 3, 1, 3 };
	static const d_rank_t ranks[] = { 1, 2, 3 };
	static const d_rank_t no_rank[] = { 1, CRT_NO_RANK };
	static const uint32_t nr_targets[] = { 1, 2, 3 };
	static const uint32_t empty_rank[] = { 1, 0, 3 };
	static const uint32_t too_many[] = { 1, POOL_MAP_TARGETS_MAX + 1, 3 };
	struct pool_map *sentinel = (struct pool_map *)0x1;
	struct pool_map *map = sentinel;

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(pool_map_create(3, dup_ranks, nr_targets, &map), -DER_INVAL);
	assert_int_equal(pool_map_create(0, ranks, nr_targets, &map), -DER_INVAL);
	assert_int_equal(pool_map_create(POOL_MAP_RANKS_MAX + 1, ranks, nr_targets, &map),
			 -DER_INVAL);
	assert_int_equal(pool_map_create(3, ranks, empty_rank, &map), -DER_INVAL);
	assert_int_equal(pool_map_create(3, ranks, too_many, &map), -DER_INVAL);
	assert_int_equal(pool_map_create(2, no_rank, nr_targets, &map), -DER_INVAL);
	assert_int_equal(pool_map_create(3, NULL, nr_targets, &map), -DER_INVAL);
	assert_int_equal(pool_map_create(3, ranks, NULL, &map), -DER_INVAL);
	assert_ptr_equal(map, sentinel);
	TEST_ALLOC_CHECK();
}

/* Ranks by number, targets by global id (with their rank); misses are NULL. */
static void
find_ranks_and_targets(void **state)
{
	const struct pool_rank *r = NULL;
	const struct pool_target *t;
	struct pool_map *map;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_257();
	assert_ptr_equal(pool_map_find_rank(map, 2), &map->ranks[0]);
	assert_ptr_equal(pool_map_find_rank(map, 5), &map->ranks[1]);
	assert_ptr_equal(pool_map_find_rank(map, 7), &map->ranks[2]);
	assert_null(pool_map_find_rank(map, 0));
	assert_null(pool_map_find_rank(map, 3));
	assert_null(pool_map_find_rank(map, 8));

	t = pool_map_find_target(map, 0, &r);
	assert_non_null(t);
	assert_int_equal(r->rank, 2);
	assert_int_equal(t->idx, 0);
	t = pool_map_find_target(map, 3, &r);
	assert_int_equal(r->rank, 2);
	assert_int_equal(t->idx, 3);
	t = pool_map_find_target(map, 5, &r);
	assert_int_equal(r->rank, 5);
	assert_int_equal(t->idx, 1);
	assert_int_equal(t->id, 5);
	/* the first target of each rank belongs to it, not to the rank before */
	t = pool_map_find_target(map, 4, &r);
	assert_int_equal(r->rank, 5);
	assert_int_equal(t->idx, 0);
	t = pool_map_find_target(map, 6, &r);
	assert_int_equal(r->rank, 7);
	assert_int_equal(t->idx, 0);
	assert_ptr_equal(pool_map_find_target(map, 6, NULL), t);
	r = NULL;
	assert_null(pool_map_find_target(map, 7, &r));
	assert_null(r);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

/* The allowed changes, written out independently of the code under test. */
static bool
expect_allowed(enum pool_comp_state from, enum pool_comp_state to)
{
	static const struct {
		enum pool_comp_state from;
		enum pool_comp_state to;
	} allowed[] = {
		{ POOL_COMP_UPIN, POOL_COMP_DOWN },  { POOL_COMP_DOWN, POOL_COMP_DOWNOUT },
		{ POOL_COMP_DOWN, POOL_COMP_UP },    { POOL_COMP_DOWNOUT, POOL_COMP_UP },
		{ POOL_COMP_UP, POOL_COMP_UPIN },    { POOL_COMP_UPIN, POOL_COMP_DRAIN },
		{ POOL_COMP_DRAIN, POOL_COMP_DOWN }, { POOL_COMP_DRAIN, POOL_COMP_DOWNOUT },
		{ POOL_COMP_NEW, POOL_COMP_UPIN },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(allowed); i++) {
		if (allowed[i].from == from && allowed[i].to == to)
			return true;
	}
	return false;
}

/*
 * Every (from, to) pair on a one-target rank: allowed changes bump the version once and
 * set fseq on DOWN and DRAIN; same-state changes do nothing; the rest are refused with
 * the map unchanged.
 */
static void
transitions_follow_the_table(void **state)
{
	static const d_rank_t ranks[] = { 4 };
	static const uint32_t nr_targets[] = { 1 };
	int i;
	int j;

	(void)state;
	TEST_ALLOC_MARK();
	for (i = 0; i < NR_STATES; i++) {
		for (j = 0; j < NR_STATES; j++) {
			enum pool_comp_state from = all_states[i];
			enum pool_comp_state to = all_states[j];
			struct pool_map *map;
			struct pool_map *before;
			struct pool_target *t;
			int rc;

			assert_int_equal(pool_map_create(1, ranks, nr_targets, &map), 0);
			/* Put the map in @from by hand, as a decoded map could be. */
			map->version = 10;
			t = &map->ranks[0].targets[0];
			t->state = from;
			t->fseq = 3;
			map->ranks[0].state = from;
			map->ranks[0].fseq = 3;
			assert_int_equal(pool_map_dup(map, &before), 0);

			rc = pool_map_set_target_state(map, 4, 0, to);
			if (from == to) {
				assert_int_equal(rc, 0);
				assert_maps_equal(map, before);
			} else if (expect_allowed(from, to)) {
				uint32_t fseq =
					(to == POOL_COMP_DOWN || to == POOL_COMP_DRAIN) ? 11 : 3;

				assert_int_equal(rc, 0);
				assert_int_equal(map->version, 11);
				assert_int_equal(t->state, to);
				assert_int_equal(t->fseq, fseq);
				assert_int_equal(map->ranks[0].state, to);
				assert_int_equal(map->ranks[0].fseq, fseq);
			} else {
				print_message("%s -> %s\n", pool_comp_state_name(from),
					      pool_comp_state_name(to));
				assert_int_equal(rc, -DER_INVAL);
				assert_maps_equal(map, before);
			}
			pool_map_free(before);
			pool_map_free(map);
		}
	}
	TEST_ALLOC_CHECK();
}

/* Not-a-state targets, missing ranks and targets, and a version at its end are refused. */
static void
set_state_refuses_bad_arguments(void **state)
{
	static const enum pool_comp_state bad[] = { POOL_COMP_UNKNOWN, 3, 64,
						    POOL_COMP_DOWN | POOL_COMP_UP };
	struct pool_map *map;
	size_t i;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_257();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(pool_map_set_target_state(map, 2, 0, bad[i]), -DER_INVAL);
		assert_int_equal(pool_map_set_rank_state(map, 2, bad[i]), -DER_INVAL);
	}
	assert_int_equal(pool_map_set_target_state(map, 3, 0, POOL_COMP_DOWN), -DER_NONEXIST);
	assert_int_equal(pool_map_set_target_state(map, 5, 2, POOL_COMP_DOWN), -DER_NONEXIST);
	assert_int_equal(pool_map_set_rank_state(map, 6, POOL_COMP_DOWN), -DER_NONEXIST);
	assert_int_equal(map->version, 1);

	map->version = UINT32_MAX;
	assert_int_equal(pool_map_set_target_state(map, 2, 0, POOL_COMP_DOWN), -DER_OVERFLOW);
	assert_int_equal(map->ranks[0].targets[0].state, POOL_COMP_UPIN);
	/* A no-op needs no new version. */
	assert_int_equal(pool_map_set_rank_state(map, 2, POOL_COMP_UPIN), 0);
	assert_int_equal(map->version, UINT32_MAX);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

/*
 * A target's life: it fails, is rebuilt, comes back; its rank shows the worst state of
 * its targets and the latest fseq; the version moves once per real change.
 */
static void
target_life_bumps_version_once_per_change(void **state)
{
	struct pool_map *map;
	const struct pool_rank *r;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_257();
	r = pool_map_find_rank(map, 5);

	assert_int_equal(pool_map_set_target_state(map, 5, 1, POOL_COMP_DOWN), 0);
	assert_int_equal(map->version, 2);
	assert_int_equal(r->targets[1].fseq, 2);
	assert_int_equal(r->state, POOL_COMP_DOWN);
	assert_int_equal(r->fseq, 2);
	assert_int_equal(r->targets[0].state, POOL_COMP_UPIN);

	assert_int_equal(pool_map_set_target_state(map, 5, 1, POOL_COMP_DOWN), 0);
	assert_int_equal(map->version, 2);

	assert_int_equal(pool_map_set_target_state(map, 5, 1, POOL_COMP_DOWNOUT), 0);
	assert_int_equal(map->version, 3);
	assert_int_equal(r->targets[1].fseq, 2);
	assert_int_equal(r->state, POOL_COMP_DOWNOUT);

	assert_int_equal(pool_map_set_target_state(map, 5, 1, POOL_COMP_UPIN), -DER_INVAL);
	assert_int_equal(map->version, 3);

	assert_int_equal(pool_map_set_target_state(map, 5, 1, POOL_COMP_UP), 0);
	assert_int_equal(map->version, 4);
	assert_int_equal(r->state, POOL_COMP_UP);
	assert_int_equal(pool_map_set_target_state(map, 5, 1, POOL_COMP_UPIN), 0);
	assert_int_equal(map->version, 5);
	assert_int_equal(r->state, POOL_COMP_UPIN);
	assert_int_equal(r->fseq, 2); /* the last failure is remembered */

	/* Drain the other target, then lose it: fseq moves each time. */
	assert_int_equal(pool_map_set_target_state(map, 5, 0, POOL_COMP_DRAIN), 0);
	assert_int_equal(map->version, 6);
	assert_int_equal(r->targets[0].fseq, 6);
	assert_int_equal(r->state, POOL_COMP_DRAIN);
	assert_int_equal(pool_map_set_target_state(map, 5, 0, POOL_COMP_DOWN), 0);
	assert_int_equal(map->version, 7);
	assert_int_equal(r->targets[0].fseq, 7);
	assert_int_equal(r->fseq, 7);

	/* Other ranks never moved. */
	assert_int_equal(pool_map_find_rank(map, 2)->state, POOL_COMP_UPIN);
	assert_int_equal(pool_map_find_rank(map, 7)->state, POOL_COMP_UPIN);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

/* A rank change moves all targets that are not there yet, or none, in one version. */
static void
rank_change_is_all_or_nothing(void **state)
{
	struct pool_map *map;
	struct pool_map *before;
	const struct pool_rank *r;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_257();
	r = pool_map_find_rank(map, 2);
	assert_int_equal(pool_map_set_target_state(map, 2, 1, POOL_COMP_DOWN), 0);
	assert_int_equal(pool_map_set_target_state(map, 2, 3, POOL_COMP_DRAIN), 0);
	assert_int_equal(map->version, 3);

	/* UPIN -> DOWNOUT is not allowed for targets 0 and 2: nothing moves. */
	assert_int_equal(pool_map_dup(map, &before), 0);
	assert_int_equal(pool_map_set_rank_state(map, 2, POOL_COMP_DOWNOUT), -DER_INVAL);
	assert_maps_equal(map, before);
	pool_map_free(before);

	assert_int_equal(pool_map_set_rank_state(map, 2, POOL_COMP_DOWN), 0);
	assert_int_equal(map->version, 4);
	assert_int_equal(r->state, POOL_COMP_DOWN);
	assert_int_equal(r->targets[0].fseq, 4);
	assert_int_equal(r->targets[1].fseq, 2); /* already down: untouched */
	assert_int_equal(r->targets[2].fseq, 4);
	assert_int_equal(r->targets[3].fseq, 4); /* DRAIN -> DOWN is a failure */
	assert_int_equal(r->fseq, 4);

	assert_int_equal(pool_map_set_rank_state(map, 2, POOL_COMP_DOWN), 0);
	assert_int_equal(map->version, 4);
	assert_int_equal(pool_map_set_rank_state(map, 2, POOL_COMP_DOWNOUT), 0);
	assert_int_equal(map->version, 5);
	assert_int_equal(r->state, POOL_COMP_DOWNOUT);
	assert_int_equal(pool_map_set_rank_state(map, 2, POOL_COMP_UP), 0);
	assert_int_equal(pool_map_set_rank_state(map, 2, POOL_COMP_UPIN), 0);
	assert_int_equal(map->version, 7);
	assert_int_equal(r->state, POOL_COMP_UPIN);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

/* A state from which a change to @state is allowed. */
static enum pool_comp_state
state_before(enum pool_comp_state state)
{
	switch (state) {
	case POOL_COMP_DOWN:
	case POOL_COMP_DRAIN:
		return POOL_COMP_UPIN;
	case POOL_COMP_DOWNOUT:
	case POOL_COMP_UP:
		return POOL_COMP_DOWN;
	default:
		return POOL_COMP_UP;
	}
}

/* Mixed ranks take the worst state: DOWN, DOWNOUT, DRAIN, UP, NEW, UPIN. */
static void
rank_state_is_the_worst_of_its_targets(void **state)
{
	static const d_rank_t ranks[] = { 1 };
	static const uint32_t nr_targets[] = { 2 };
	/* target 0 (changed), target 1 (set by hand), the rank's state */
	static const enum pool_comp_state cases[][3] = {
		{ POOL_COMP_DOWN, POOL_COMP_DOWNOUT, POOL_COMP_DOWN },
		{ POOL_COMP_DOWNOUT, POOL_COMP_DOWN, POOL_COMP_DOWN },
		{ POOL_COMP_DOWNOUT, POOL_COMP_DRAIN, POOL_COMP_DOWNOUT },
		{ POOL_COMP_DRAIN, POOL_COMP_UP, POOL_COMP_DRAIN },
		{ POOL_COMP_UP, POOL_COMP_DRAIN, POOL_COMP_DRAIN },
		{ POOL_COMP_UP, POOL_COMP_NEW, POOL_COMP_UP },
		{ POOL_COMP_UPIN, POOL_COMP_NEW, POOL_COMP_NEW },
		{ POOL_COMP_UPIN, POOL_COMP_UP, POOL_COMP_UP },
		{ POOL_COMP_UPIN, POOL_COMP_UPIN, POOL_COMP_UPIN },
		{ POOL_COMP_DRAIN, POOL_COMP_UPIN, POOL_COMP_DRAIN },
	};
	size_t i;

	(void)state;
	TEST_ALLOC_MARK();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pool_map *map;
		struct pool_rank *r;

		assert_int_equal(pool_map_create(1, ranks, nr_targets, &map), 0);
		map->version = 5;
		r = &map->ranks[0];
		r->targets[0].state = state_before(cases[i][0]);
		r->targets[1].state = cases[i][1];
		assert_int_equal(pool_map_set_target_state(map, 1, 0, cases[i][0]), 0);
		assert_int_equal(map->version, 6);
		assert_int_equal(r->state, cases[i][2]);
		pool_map_free(map);
	}
	TEST_ALLOC_CHECK();
}

/* Counts and rank lists: NEW, UP and DRAIN are enabled; DOWN and DOWNOUT are not. */
static void
counts_and_rank_lists(void **state)
{
	static const d_rank_t ranks[] = { 9, 1, 5, 3 };
	static const uint32_t nr_targets[] = { 2, 3, 1, 2 };
	d_rank_list_t *list;
	struct pool_map *map;
	uint32_t total;
	uint32_t enabled;
	uint32_t disabled;

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(pool_map_create(4, ranks, nr_targets, &map), 0);
	pool_map_counts(map, &total, &enabled, &disabled);
	assert_int_equal(total, 8);
	assert_int_equal(enabled, 8);
	assert_int_equal(disabled, 0);
	assert_int_equal(pool_map_ranks(map, true, &list), 0);
	assert_int_equal(list->rl_nr, 0);
	d_rank_list_free(list);

	assert_int_equal(pool_map_set_target_state(map, 1, 2, POOL_COMP_DOWN), 0);
	assert_int_equal(pool_map_set_rank_state(map, 5, POOL_COMP_DOWN), 0);
	assert_int_equal(pool_map_set_rank_state(map, 5, POOL_COMP_DOWNOUT), 0);
	assert_int_equal(pool_map_set_rank_state(map, 9, POOL_COMP_DRAIN), 0);
	assert_int_equal(pool_map_set_target_state(map, 3, 0, POOL_COMP_DOWN), 0);
	assert_int_equal(pool_map_set_target_state(map, 3, 0, POOL_COMP_UP), 0);

	pool_map_counts(map, &total, &enabled, &disabled);
	assert_int_equal(total, 8);
	assert_int_equal(enabled, 6);
	assert_int_equal(disabled, 2);
	pool_map_counts(map, NULL, NULL, &disabled);
	assert_int_equal(disabled, 2);

	assert_int_equal(pool_map_ranks(map, false, &list), 0);
	assert_int_equal(list->rl_nr, 2);
	assert_int_equal(list->rl_ranks[0], 3);
	assert_int_equal(list->rl_ranks[1], 9);
	d_rank_list_free(list);
	assert_int_equal(pool_map_ranks(map, true, &list), 0);
	assert_int_equal(list->rl_nr, 2);
	assert_int_equal(list->rl_ranks[0], 1);
	assert_int_equal(list->rl_ranks[1], 5);
	d_rank_list_free(list);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

/* Names and DAOS's daos_target_state_t numbers. */
static void
state_names_and_daos_values(void **state)
{
	(void)state;
	assert_string_equal(pool_comp_state_name(POOL_COMP_UPIN), "UPIN");
	assert_string_equal(pool_comp_state_name(POOL_COMP_DOWNOUT), "DOWNOUT");
	assert_string_equal(pool_comp_state_name(POOL_COMP_DRAIN), "DRAIN");
	assert_string_equal(pool_comp_state_name(POOL_COMP_NEW), "NEW");
	assert_string_equal(pool_comp_state_name(POOL_COMP_UP), "UP");
	assert_string_equal(pool_comp_state_name(POOL_COMP_DOWN), "DOWN");
	assert_string_equal(pool_comp_state_name(POOL_COMP_UNKNOWN), "UNKNOWN");
	assert_string_equal(pool_comp_state_name(12), "UNKNOWN");

	assert_int_equal(pool_comp_state_to_daos(POOL_COMP_UNKNOWN), 0);
	assert_int_equal(pool_comp_state_to_daos(POOL_COMP_DOWNOUT), 1);
	assert_int_equal(pool_comp_state_to_daos(POOL_COMP_DOWN), 2);
	assert_int_equal(pool_comp_state_to_daos(POOL_COMP_UP), 3);
	assert_int_equal(pool_comp_state_to_daos(POOL_COMP_UPIN), 4);
	assert_int_equal(pool_comp_state_to_daos(POOL_COMP_NEW), 5);
	assert_int_equal(pool_comp_state_to_daos(POOL_COMP_DRAIN), 6);
	assert_int_equal(pool_comp_state_to_daos(3), 0);
}

/* A map with every state in it, its version moved on. */
static struct pool_map *
map_mixed(void)
{
	struct pool_map *map = map_257();

	assert_int_equal(pool_map_set_target_state(map, 2, 0, POOL_COMP_DOWN), 0);
	assert_int_equal(pool_map_set_target_state(map, 2, 1, POOL_COMP_DOWN), 0);
	assert_int_equal(pool_map_set_target_state(map, 2, 1, POOL_COMP_DOWNOUT), 0);
	assert_int_equal(pool_map_set_target_state(map, 2, 2, POOL_COMP_DRAIN), 0);
	assert_int_equal(pool_map_set_target_state(map, 5, 0, POOL_COMP_DOWN), 0);
	assert_int_equal(pool_map_set_target_state(map, 5, 0, POOL_COMP_UP), 0);
	/* NEW cannot be reached by a change: set it by hand. */
	map->ranks[2].targets[0].state = POOL_COMP_NEW;
	map->ranks[2].state = POOL_COMP_NEW;
	return map;
}

/* decode(encode(m)) == m, for a fresh map and one with every state. */
static void
encode_decode_round_trip(void **state)
{
	struct pool_map *maps[2];
	struct pool_map *sentinel = (struct pool_map *)0x1;
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	maps[0] = map_257();
	maps[1] = map_mixed();
	for (i = 0; i < 2; i++) {
		struct pool_map *out = NULL;
		struct pool_map *short_out = sentinel;
		uint8_t *buf;
		uint8_t *again;
		size_t len;
		size_t again_len;

		buf = encode(maps[i], &len);
		assert_int_equal(len, 16 + 3 * 16 + 7 * 8 + 4);
		assert_memory_equal(buf, "PMAP", 4);
		assert_int_equal(pool_map_decode(buf, len, &out), 0);
		assert_maps_equal(out, maps[i]);
		again = encode(out, &again_len);
		assert_int_equal(again_len, len);
		assert_memory_equal(again, buf, len);
		assert_int_equal(pool_map_encode(out, again, len - 1), -DER_OVERFLOW);
		assert_int_equal(pool_map_decode(buf, len - 1, &short_out), -DER_CSUM);
		assert_ptr_equal(short_out, sentinel);
		d_free(again);
		d_free(buf);
		pool_map_free(out);
		pool_map_free(maps[i]);
	}
	TEST_ALLOC_CHECK();
}

/* Offset of rank @i's first field in an encoding of map_257() (ranks of 4, 2, 1). */
static size_t
rank_off(int i)
{
	static const size_t off[] = { 16, 16 + 16 + 4 * 8, 16 + 32 + 6 * 8 };

	return off[i];
}

/* Decode @buf of @len (CRC fixed first) and expect @rc, with *out untouched. */
static void
expect_decode(uint8_t *buf, size_t len, int rc)
{
	struct pool_map *sentinel = (struct pool_map *)0x1;
	struct pool_map *out = sentinel;

	fix_crc(buf, len);
	assert_int_equal(pool_map_decode(buf, len, &out), rc);
	assert_ptr_equal(out, sentinel);
}

/* Each way of breaking a map, the CRC made right so the check behind it runs. */
static void
decode_refuses_malformed_maps(void **state)
{
	struct pool_map *map;
	struct pool_map *out = NULL;
	uint8_t *good;
	uint8_t *buf;
	size_t len;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_257();
	assert_int_equal(pool_map_set_target_state(map, 5, 1, POOL_COMP_DOWN), 0);
	good = encode(map, &len);
	buf = d_calloc(1, len + 8);
	assert_non_null(buf);

	/* The control: the untouched copy decodes. */
	memcpy(buf, good, len);
	fix_crc(buf, len);
	assert_int_equal(pool_map_decode(buf, len, &out), 0);
	pool_map_free(out);

	/* CRC mismatch */
	memcpy(buf, good, len);
	buf[len - 1] ^= 0x80;
	assert_int_equal(pool_map_decode(buf, len, &out), -DER_CSUM);

#define BROKEN(what, off, value, rc)           \
	do {                                   \
		memcpy(buf, good, len);        \
		put_u32(buf, (off), (value));  \
		print_message("%s\n", what);   \
		expect_decode(buf, len, (rc)); \
	} while (0)

	BROKEN("magic", 0, 0x50414d51, -DER_PROTO);
	BROKEN("format version", 4, 2, -DER_PROTO);
	BROKEN("reserved", 4, 1 | (1u << 16), -DER_PROTO);
	BROKEN("version 0", 8, 0, -DER_PROTO);
	BROKEN("no ranks", 12, 0, -DER_PROTO);
	BROKEN("one rank fewer", 12, 2, -DER_PROTO);
	BROKEN("one rank more", 12, 4, -DER_PROTO);
	BROKEN("ranks beyond the bytes", 12, 0x10000000, -DER_PROTO);
	BROKEN("duplicate rank", rank_off(1), 2, -DER_PROTO);
	BROKEN("unsorted ranks", rank_off(1), 1, -DER_PROTO);
	BROKEN("CRT_NO_RANK", rank_off(2), CRT_NO_RANK, -DER_PROTO);
	BROKEN("rank state not its targets'", rank_off(0) + 4, POOL_COMP_DOWN, -DER_PROTO);
	BROKEN("rank fseq not its targets'", rank_off(1) + 8, 1, -DER_PROTO);
	BROKEN("rank without targets", rank_off(2) + 12, 0, -DER_PROTO);
	BROKEN("rank with too many targets", rank_off(0) + 12, 5, -DER_PROTO);
	BROKEN("rank with a huge target count", rank_off(0) + 12, 0xffffffff, -DER_PROTO);
	BROKEN("rank with fewer targets", rank_off(0) + 12, 3, -DER_PROTO);
	BROKEN("unknown target state", rank_off(0) + 16, 3, -DER_PROTO);
	BROKEN("target state 0", rank_off(0) + 16, 0, -DER_PROTO);
	BROKEN("target state 64", rank_off(2) + 16, 64, -DER_PROTO);
#undef BROKEN

	/* a target fseq above the version, its rank's fseq made to agree */
	memcpy(buf, good, len);
	put_u32(buf, rank_off(2) + 8, 3);
	put_u32(buf, rank_off(2) + 20, 3);
	expect_decode(buf, len, -DER_PROTO);

	/* trailing bytes, the CRC moved to the end */
	memcpy(buf, good, len - 4);
	memset(buf + len - 4, 0, 8);
	expect_decode(buf, len + 4, -DER_PROTO);
	/* eight trailing bytes look like one more target of the last rank */
	memcpy(buf, good, len - 4);
	memset(buf + len - 4, 0, 12);
	expect_decode(buf, len + 8, -DER_PROTO);
	/* too short for a header */
	expect_decode(buf, 20, -DER_PROTO);
	assert_int_equal(pool_map_decode(buf, 19, &out), -DER_PROTO);
	assert_int_equal(pool_map_decode(buf, 0, &out), -DER_PROTO);

	d_free(buf);
	d_free(good);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

/* Every prefix of an encoding is refused, without crashing or leaking. */
static void
decode_refuses_every_truncation(void **state)
{
	struct pool_map *sentinel = (struct pool_map *)0x1;
	struct pool_map *map;
	uint8_t *good;
	uint8_t *buf;
	size_t len;
	size_t n;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_mixed();
	good = encode(map, &len);
	d_log_setmasks("ERR,POOL=CRIT"); /* one line per refusal otherwise */
	for (n = 0; n < len; n++) {
		struct pool_map *out = sentinel;

		/* An exact-size copy, so a sanitizer sees reads past the end. */
		buf = d_calloc(1, n > 0 ? n : 1);
		assert_non_null(buf);
		memcpy(buf, good, n);
		assert_true(pool_map_decode(buf, n, &out) < 0);
		assert_ptr_equal(out, sentinel);
		d_free(buf);
	}
	d_log_setmasks("ERR");
	d_free(good);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

/* Every single-bit flip of an encoding is refused: the magic, format, or the CRC. */
static void
decode_refuses_every_bit_flip(void **state)
{
	struct pool_map *sentinel = (struct pool_map *)0x1;
	struct pool_map *map;
	uint8_t *buf;
	size_t len;
	size_t bit;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_mixed();
	buf = encode(map, &len);
	d_log_setmasks("ERR,POOL=CRIT");
	for (bit = 0; bit < len * 8; bit++) {
		struct pool_map *out = sentinel;
		int rc;

		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = pool_map_decode(buf, len, &out);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (bit < 6 * 8)
			assert_int_equal(rc, -DER_PROTO);
		else
			assert_int_equal(rc, -DER_CSUM);
		assert_ptr_equal(out, sentinel);
	}
	d_log_setmasks("ERR");
	d_free(buf);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

/* A copy shares nothing: changing the original leaves it as it was. */
static void
dup_is_deep(void **state)
{
	struct pool_map *map;
	struct pool_map *copy;
	struct pool_map *before;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_mixed();
	assert_int_equal(pool_map_dup(map, &copy), 0);
	assert_maps_equal(copy, map);
	assert_ptr_not_equal(copy->ranks, map->ranks);
	assert_ptr_not_equal(copy->targets, map->targets);
	assert_ptr_equal(copy->ranks[1].targets, &copy->targets[4]);
	assert_int_equal(pool_map_dup(map, &before), 0);

	assert_int_equal(pool_map_set_rank_state(map, 7, POOL_COMP_UPIN), 0);
	assert_int_equal(pool_map_set_target_state(map, 2, 3, POOL_COMP_DRAIN), 0);
	map->ranks[0].rank = 0;
	assert_maps_equal(copy, before);
	assert_int_equal(copy->ranks[2].targets[0].state, POOL_COMP_NEW);
	pool_map_free(map);
	/* The copy outlives the original. */
	assert_int_equal(pool_map_set_rank_state(copy, 7, POOL_COMP_UPIN), 0);
	pool_map_free(copy);
	pool_map_free(before);
	TEST_ALLOC_CHECK();
}

/* Fail each allocation in turn: -DER_NOMEM, *out untouched, nothing leaked. */
static void
allocation_failures(void **state)
{
	struct pool_map *sentinel = (struct pool_map *)0x1;
	static const d_rank_t ranks[] = { 3, 1 };
	static const uint32_t nr_targets[] = { 2, 2 };
	struct pool_map *map;
	uint8_t *buf;
	size_t len;
	int op;

	(void)state;
	TEST_ALLOC_MARK();
	map = map_mixed();
	buf = encode(map, &len);
	for (op = 0; op < 4; op++) {
		uint64_t k;

		for (k = 1;; k++) {
			struct pool_map *out = sentinel;
			d_rank_list_t *list = (d_rank_list_t *)0x1;
			int rc;

			d_alloc_fail_nth(k);
			switch (op) {
			case 0:
				rc = pool_map_create(2, ranks, nr_targets, &out);
				break;
			case 1:
				rc = pool_map_dup(map, &out);
				break;
			case 2:
				rc = pool_map_decode(buf, len, &out);
				break;
			default:
				rc = pool_map_ranks(map, false, &list);
				break;
			}
			if (d_alloc_fail_pending() != 0) {
				/* The operation made fewer than k allocations: it succeeded. */
				d_alloc_fail_nth(0);
				assert_int_equal(rc, 0);
				if (op == 3)
					d_rank_list_free(list);
				else
					pool_map_free(out);
				break;
			}
			assert_int_equal(rc, -DER_NOMEM);
			assert_ptr_equal(out, sentinel);
			assert_ptr_equal(list, (d_rank_list_t *)0x1);
		}
		assert_true(k > 1);
	}
	d_free(buf);
	pool_map_free(map);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_sorts_ranks_and_numbers_targets),
		cmocka_unit_test(create_refuses_bad_arguments),
		cmocka_unit_test(find_ranks_and_targets),
		cmocka_unit_test(transitions_follow_the_table),
		cmocka_unit_test(set_state_refuses_bad_arguments),
		cmocka_unit_test(target_life_bumps_version_once_per_change),
		cmocka_unit_test(rank_change_is_all_or_nothing),
		cmocka_unit_test(rank_state_is_the_worst_of_its_targets),
		cmocka_unit_test(counts_and_rank_lists),
		cmocka_unit_test(state_names_and_daos_values),
		cmocka_unit_test(encode_decode_round_trip),
		cmocka_unit_test(decode_refuses_malformed_maps),
		cmocka_unit_test(decode_refuses_every_truncation),
		cmocka_unit_test(decode_refuses_every_bit_flip),
		cmocka_unit_test(dup_is_deep),
		cmocka_unit_test(allocation_failures),
	};

	return cmocka_run_group_tests_name("pool_map", tests, NULL, NULL);
}
