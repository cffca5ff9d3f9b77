/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_map.c - build, change, query, encode and decode pool maps (the manual and the
 * encoding are in pool_map.h).
 *
 * Layout: a map owns two arrays, ranks (sorted by rank) and targets (all of them, by
 * global id); each rank's targets field points at its first target in the second, so a
 * target is found by id in O(1) and a rank by binary search. Ids and indexes are never
 * stored or trusted: they follow from the rank order, which create sorts and decode
 * checks. A rank's state and fseq are a function of its targets' (rank_derive()), kept
 * up to date by every change and checked by decode, so the encoding is canonical.
 *
 * Changes are all or nothing: the states are checked first, then applied. Maps come
 * from the network and from disk, so decode checks every field before use and sizes
 * each array by the bytes present, never by what the sender claims.
 */
#define D_LOGFAC DD_FAC(pool)

#include "pool/pool_map.h"

#include <gurt/common.h>

#include "common/buf.h"
#include "common/csum.h"
#include "common/sort.h"

#define MAP_MAGIC "PMAP"
#define MAP_FORMAT 1
#define MAP_HDR_SIZE 16  /* magic, format, reserved, version, nr_ranks */
#define MAP_RANK_SIZE 16 /* rank, state, fseq, nr_targets */
#define MAP_TGT_SIZE 8   /* state, fseq */
#define MAP_CRC_SIZE 4

/* The states a component may be in: everything but UNKNOWN. */
#define STATES_VALID                                                                          \
	(POOL_COMP_NEW | POOL_COMP_UP | POOL_COMP_UPIN | POOL_COMP_DOWN | POOL_COMP_DOWNOUT | \
	 POOL_COMP_DRAIN)
#define STATES_DISABLED (POOL_COMP_DOWN | POOL_COMP_DOWNOUT)

static bool
state_is_valid(uint32_t state)
{
	/* exactly one of the known bits */
	return state != 0 && (state & (state - 1)) == 0 && (state & STATES_VALID) != 0;
}

static bool
state_is_disabled(enum pool_comp_state state)
{
	return (state & STATES_DISABLED) != 0;
}

/* How bad a state is for its rank: the worst target state becomes the rank's. */
static int
state_badness(enum pool_comp_state state)
{
	switch (state) {
	case POOL_COMP_DOWN:
		return 5; /* data to rebuild */
	case POOL_COMP_DOWNOUT:
		return 4; /* gone */
	case POOL_COMP_DRAIN:
		return 3; /* leaving */
	case POOL_COMP_UP:
		return 2; /* arriving, data being copied in */
	case POOL_COMP_NEW:
		return 1; /* added, holds nothing yet */
	default:
		return 0; /* UPIN */
	}
}

/* Whether a target may go from @from to @to (a different state), as pool_map.h lists. */
static bool
change_is_allowed(enum pool_comp_state from, enum pool_comp_state to)
{
	switch (from) {
	case POOL_COMP_UPIN:
		return to == POOL_COMP_DOWN || to == POOL_COMP_DRAIN;
	case POOL_COMP_DOWN:
		return to == POOL_COMP_DOWNOUT || to == POOL_COMP_UP;
	case POOL_COMP_DOWNOUT:
		return to == POOL_COMP_UP;
	case POOL_COMP_UP:
		return to == POOL_COMP_UPIN;
	case POOL_COMP_DRAIN:
		return to == POOL_COMP_DOWN || to == POOL_COMP_DOWNOUT;
	case POOL_COMP_NEW:
		return to == POOL_COMP_UPIN;
	default:
		return false;
	}
}

/* The state and fseq @r's targets give it. */
static void
rank_derive(const struct pool_rank *r, enum pool_comp_state *state, uint32_t *fseq)
{
	enum pool_comp_state worst = r->targets[0].state;
	uint32_t max = 0;
	uint32_t i;

	for (i = 0; i < r->nr_targets; i++) {
		if (state_badness(r->targets[i].state) > state_badness(worst))
			worst = r->targets[i].state;
		if (r->targets[i].fseq > max)
			max = r->targets[i].fseq;
	}
	*state = worst;
	*fseq = max;
}

static void
rank_update(struct pool_rank *r)
{
	rank_derive(r, &r->state, &r->fseq);
}

/*
 * Give @map (ranks set, with rank and nr_targets each) its target array: ids in rank
 * order, everything UPIN with fseq 0 until the caller says otherwise.
 */
static int
map_targets_alloc(struct pool_map *map)
{
	uint32_t id = 0;
	uint32_t i;
	uint32_t j;

	map->targets = d_calloc(map->nr_targets, sizeof(*map->targets));
	if (map->targets == NULL)
		return -DER_NOMEM;
	for (i = 0; i < map->nr_ranks; i++) {
		struct pool_rank *r = &map->ranks[i];

		r->targets = &map->targets[id];
		for (j = 0; j < r->nr_targets; j++, id++) {
			r->targets[j].id = id;
			r->targets[j].idx = j;
			r->targets[j].state = POOL_COMP_UPIN;
		}
		r->state = POOL_COMP_UPIN;
	}
	D_ASSERT(id == map->nr_targets);
	return 0;
}

static int
rank_cmp(const void *a, const void *b)
{
	const struct pool_rank *ra = a;
	const struct pool_rank *rb = b;

	return ra->rank < rb->rank ? -1 : ra->rank > rb->rank;
}

int
pool_map_create(uint32_t nr, const d_rank_t *ranks, const uint32_t *nr_targets,
		struct pool_map **out)
{
	struct pool_map *map;
	uint32_t i;
	int rc;

	if (nr == 0 || nr > POOL_MAP_RANKS_MAX || ranks == NULL || nr_targets == NULL ||
	    out == NULL)
		return -DER_INVAL;
	for (i = 0; i < nr; i++) {
		if (ranks[i] == CRT_NO_RANK || nr_targets[i] == 0 ||
		    nr_targets[i] > POOL_MAP_TARGETS_MAX)
			return -DER_INVAL;
	}

	map = d_calloc(1, sizeof(*map));
	if (map == NULL)
		return -DER_NOMEM;
	map->version = 1;
	map->nr_ranks = nr;
	map->ranks = d_calloc(nr, sizeof(*map->ranks));
	if (map->ranks == NULL) {
		rc = -DER_NOMEM;
		goto out_free_map;
	}
	for (i = 0; i < nr; i++) {
		map->ranks[i].rank = ranks[i];
		map->ranks[i].nr_targets = nr_targets[i];
		/* at most 2^16 ranks of 2^10 targets: no overflow */
		map->nr_targets += nr_targets[i];
	}
	d_sort(map->ranks, nr, sizeof(*map->ranks), rank_cmp);
	for (i = 1; i < nr; i++) {
		if (map->ranks[i].rank == map->ranks[i - 1].rank) {
			rc = -DER_INVAL;
			goto out_free_map;
		}
	}
	rc = map_targets_alloc(map);
	if (rc != 0)
		goto out_free_map;

	*out = map;
	return 0;

out_free_map:
	pool_map_free(map);
	return rc;
}

void
pool_map_free(struct pool_map *map)
{
	if (map == NULL)
		return;
	d_free(map->targets);
	d_free(map->ranks);
	d_free(map);
}

int
pool_map_dup(const struct pool_map *map, struct pool_map **out)
{
	struct pool_map *copy;
	uint32_t i;

	copy = d_calloc(1, sizeof(*copy));
	if (copy == NULL)
		return -DER_NOMEM;
	*copy = *map;
	copy->ranks = d_calloc(map->nr_ranks, sizeof(*copy->ranks));
	copy->targets = d_calloc(map->nr_targets, sizeof(*copy->targets));
	if (copy->ranks == NULL || copy->targets == NULL) {
		pool_map_free(copy);
		return -DER_NOMEM;
	}
	memcpy(copy->ranks, map->ranks, map->nr_ranks * sizeof(*copy->ranks));
	memcpy(copy->targets, map->targets, map->nr_targets * sizeof(*copy->targets));
	/* Point each rank into the copy's targets, not the original's. */
	for (i = 0; i < copy->nr_ranks; i++)
		copy->ranks[i].targets = copy->targets + (map->ranks[i].targets - map->targets);

	*out = copy;
	return 0;
}

/* The index of @rank in map->ranks, or -1. */
static int64_t
rank_index(const struct pool_map *map, d_rank_t rank)
{
	uint32_t lo = 0;
	uint32_t hi = map->nr_ranks;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (map->ranks[mid].rank == rank)
			return mid;
		if (map->ranks[mid].rank < rank)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct pool_rank *
pool_map_find_rank(const struct pool_map *map, d_rank_t rank)
{
	int64_t i = rank_index(map, rank);

	return i < 0 ? NULL : &map->ranks[i];
}

const struct pool_target *
pool_map_find_target(const struct pool_map *map, uint32_t id, const struct pool_rank **rank)
{
	uint32_t lo = 0;
	uint32_t hi = map->nr_ranks;

	if (id >= map->nr_targets)
		return NULL;
	/* The last rank whose first id is <= @id; ranks are never empty. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (map->ranks[mid].targets[0].id <= id)
			lo = mid;
		else
			hi = mid;
	}
	if (rank != NULL)
		*rank = &map->ranks[lo];
	return &map->targets[id];
}

/* Move targets [@first, @first + @nr) of @r to @state, all or none. */
static int
targets_set_state(struct pool_map *map, struct pool_rank *r, uint32_t first, uint32_t nr,
		  enum pool_comp_state state)
{
	uint32_t nr_changes = 0;
	uint32_t i;

	if (!state_is_valid(state))
		return -DER_INVAL;
	for (i = first; i < first + nr; i++) {
		if (r->targets[i].state == state)
			continue;
		if (!change_is_allowed(r->targets[i].state, state))
			return -DER_INVAL;
		nr_changes++;
	}
	if (nr_changes == 0)
		return 0;
	if (map->version == UINT32_MAX)
		return -DER_OVERFLOW;

	map->version++;
	for (i = first; i < first + nr; i++) {
		struct pool_target *t = &r->targets[i];

		if (t->state == state)
			continue;
		t->state = state;
		if (state == POOL_COMP_DOWN || state == POOL_COMP_DRAIN)
			t->fseq = map->version;
	}
	rank_update(r);
	D_DEBUG(DB_MD, "pool map v%u: %u target(s) of rank %u now %s", map->version, nr_changes,
		r->rank, pool_comp_state_name(state));
	return 0;
}

int
pool_map_set_rank_state(struct pool_map *map, d_rank_t rank, enum pool_comp_state state)
{
	int64_t i = rank_index(map, rank);

	if (i < 0)
		return -DER_NONEXIST;
	return targets_set_state(map, &map->ranks[i], 0, map->ranks[i].nr_targets, state);
}

int
pool_map_set_target_state(struct pool_map *map, d_rank_t rank, uint32_t idx,
			  enum pool_comp_state state)
{
	int64_t i = rank_index(map, rank);

	if (i < 0 || idx >= map->ranks[i].nr_targets)
		return -DER_NONEXIST;
	return targets_set_state(map, &map->ranks[i], idx, 1, state);
}

void
pool_map_counts(const struct pool_map *map, uint32_t *total, uint32_t *enabled, uint32_t *disabled)
{
	uint32_t nr_disabled = 0;
	uint32_t i;

	for (i = 0; i < map->nr_targets; i++) {
		if (state_is_disabled(map->targets[i].state))
			nr_disabled++;
	}
	if (total != NULL)
		*total = map->nr_targets;
	if (enabled != NULL)
		*enabled = map->nr_targets - nr_disabled;
	if (disabled != NULL)
		*disabled = nr_disabled;
}

static bool
rank_has_disabled(const struct pool_rank *r)
{
	uint32_t i;

	for (i = 0; i < r->nr_targets; i++) {
		if (state_is_disabled(r->targets[i].state))
			return true;
	}
	return false;
}

int
pool_map_ranks(const struct pool_map *map, bool disabled, d_rank_list_t **out)
{
	d_rank_list_t *list;
	uint32_t nr = 0;
	uint32_t i;

	for (i = 0; i < map->nr_ranks; i++) {
		if (rank_has_disabled(&map->ranks[i]) == disabled)
			nr++;
	}
	list = d_rank_list_alloc(nr);
	if (list == NULL)
		return -DER_NOMEM;
	nr = 0;
	for (i = 0; i < map->nr_ranks; i++) {
		if (rank_has_disabled(&map->ranks[i]) == disabled)
			list->rl_ranks[nr++] = map->ranks[i].rank;
	}
	*out = list;
	return 0;
}

const char *
pool_comp_state_name(enum pool_comp_state state)
{
	switch (state) {
	case POOL_COMP_NEW:
		return "NEW";
	case POOL_COMP_UP:
		return "UP";
	case POOL_COMP_UPIN:
		return "UPIN";
	case POOL_COMP_DOWN:
		return "DOWN";
	case POOL_COMP_DOWNOUT:
		return "DOWNOUT";
	case POOL_COMP_DRAIN:
		return "DRAIN";
	default:
		return "UNKNOWN";
	}
}

int
pool_comp_state_to_daos(enum pool_comp_state state)
{
	/* daos_target_state_t (daos_types.h), which we do not have yet */
	switch (state) {
	case POOL_COMP_DOWNOUT:
		return 1; /* DAOS_TS_DOWN_OUT */
	case POOL_COMP_DOWN:
		return 2; /* DAOS_TS_DOWN */
	case POOL_COMP_UP:
		return 3; /* DAOS_TS_UP */
	case POOL_COMP_UPIN:
		return 4; /* DAOS_TS_UP_IN */
	case POOL_COMP_NEW:
		return 5; /* DAOS_TS_NEW */
	case POOL_COMP_DRAIN:
		return 6; /* DAOS_TS_DRAIN */
	default:
		return 0; /* DAOS_TS_UNKNOWN */
	}
}

size_t
pool_map_encoded_size(const struct pool_map *map)
{
	return MAP_HDR_SIZE + (size_t)map->nr_ranks * MAP_RANK_SIZE +
	       (size_t)map->nr_targets * MAP_TGT_SIZE + MAP_CRC_SIZE;
}

int
pool_map_encode(const struct pool_map *map, void *buf, size_t len)
{
	size_t size = pool_map_encoded_size(map);
	struct buf b;
	uint32_t i;
	uint32_t j;

	if (len < size)
		return -DER_OVERFLOW;
	buf_init(&b, buf, size);
	buf_put_bytes_raw(&b, MAP_MAGIC, 4);
	buf_put_u16(&b, MAP_FORMAT);
	buf_put_u16(&b, 0);
	buf_put_u32(&b, map->version);
	buf_put_u32(&b, map->nr_ranks);
	for (i = 0; i < map->nr_ranks; i++) {
		const struct pool_rank *r = &map->ranks[i];

		buf_put_u32(&b, r->rank);
		buf_put_u32(&b, r->state);
		buf_put_u32(&b, r->fseq);
		buf_put_u32(&b, r->nr_targets);
		for (j = 0; j < r->nr_targets; j++) {
			buf_put_u32(&b, r->targets[j].state);
			buf_put_u32(&b, r->targets[j].fseq);
		}
	}
	buf_put_u32(&b, d_crc32c(0, buf, size - MAP_CRC_SIZE));
	D_ASSERT(buf_finish(&b) == 0);
	return 0;
}

/* Decode the ranks and targets of @map (version and nr_ranks set) from @in. */
static int
map_body_decode(struct buf *in, struct pool_map *map)
{
	uint32_t id = 0;
	uint32_t i;
	uint32_t j;

	for (i = 0; i < map->nr_ranks; i++) {
		struct pool_rank *r = &map->ranks[i];
		enum pool_comp_state state;
		uint32_t fseq;

		r->rank = buf_get_u32(in);
		r->state = buf_get_u32(in);
		r->fseq = buf_get_u32(in);
		r->nr_targets = buf_get_u32(in);
		if (in->err != 0)
			break;
		if (r->rank == CRT_NO_RANK || (i > 0 && r->rank <= map->ranks[i - 1].rank)) {
			D_ERROR("could not decode pool map v%u: rank %u at position %u is not above "
				"the one before",
				map->version, r->rank, i);
			return -DER_PROTO;
		}
		/* The array was sized by the bytes present: the claim must fit in it. */
		if (r->nr_targets == 0 || r->nr_targets > POOL_MAP_TARGETS_MAX ||
		    r->nr_targets > map->nr_targets - id) {
			D_ERROR("could not decode pool map v%u: rank %u claims %u targets, %u "
				"remain",
				map->version, r->rank, r->nr_targets, map->nr_targets - id);
			return -DER_PROTO;
		}
		r->targets = &map->targets[id];
		for (j = 0; j < r->nr_targets; j++, id++) {
			struct pool_target *t = &r->targets[j];

			t->id = id;
			t->idx = j;
			t->state = buf_get_u32(in);
			t->fseq = buf_get_u32(in);
			if (in->err == 0 && (!state_is_valid(t->state) || t->fseq > map->version)) {
				D_ERROR("could not decode pool map v%u: target %u of rank %u has "
					"state %#x, fseq %u",
					map->version, j, r->rank, (unsigned int)t->state, t->fseq);
				return -DER_PROTO;
			}
		}
		if (in->err != 0)
			break;
		rank_derive(r, &state, &fseq);
		if (r->state != state || r->fseq != fseq) {
			D_ERROR("could not decode pool map v%u: rank %u has state %#x, fseq %u, "
				"its targets %s, %u",
				map->version, r->rank, (unsigned int)r->state, r->fseq,
				pool_comp_state_name(state), fseq);
			return -DER_PROTO;
		}
	}
	if (buf_finish(in) != 0 || id != map->nr_targets) {
		D_ERROR("could not decode pool map v%u: %zu bytes for %u ranks and %u targets",
			map->version, in->len, map->nr_ranks, map->nr_targets);
		return -DER_PROTO;
	}
	return 0;
}

int
pool_map_decode(const void *buf, size_t len, struct pool_map **out)
{
	const uint8_t *bytes = buf;
	struct pool_map *map;
	struct buf in;
	uint32_t crc;
	uint16_t format;
	uint16_t reserved;
	uint32_t version;
	uint32_t nr_ranks;
	size_t body;
	size_t nr_targets;
	int rc;

	if (len < MAP_HDR_SIZE + MAP_CRC_SIZE) {
		D_ERROR("could not decode pool map: %zu bytes are too few for one", len);
		return -DER_PROTO;
	}
	if (memcmp(bytes, MAP_MAGIC, 4) != 0) {
		D_ERROR("could not decode pool map: bad magic %02x%02x%02x%02x", bytes[0], bytes[1],
			bytes[2], bytes[3]);
		return -DER_PROTO;
	}
	/* The CRC covers everything but itself. */
	buf_init(&in, bytes, len - MAP_CRC_SIZE);
	buf_get_bytes_raw(&in, 4);
	/* A newer format may checksum differently: say so rather than "bad CRC". */
	format = buf_get_u16(&in);
	if (format != MAP_FORMAT) {
		D_ERROR("could not decode pool map: format %u, expected %u", format, MAP_FORMAT);
		return -DER_PROTO;
	}
	crc = (uint32_t)bytes[len - 4] | (uint32_t)bytes[len - 3] << 8 |
	      (uint32_t)bytes[len - 2] << 16 | (uint32_t)bytes[len - 1] << 24;
	if (d_crc32c(0, bytes, len - MAP_CRC_SIZE) != crc) {
		D_ERROR("could not decode pool map: CRC mismatch over %zu bytes", len);
		return -DER_CSUM;
	}
	reserved = buf_get_u16(&in);
	version = buf_get_u32(&in);
	nr_ranks = buf_get_u32(&in);
	D_ASSERT(in.err == 0); /* len covers the header */
	if (reserved != 0) {
		D_ERROR("could not decode pool map v%u: reserved field is %#x", version, reserved);
		return -DER_PROTO;
	}
	if (version == 0) {
		D_ERROR("could not decode pool map: version 0");
		return -DER_PROTO;
	}
	/*
	 * Size both arrays by the bytes present: each rank takes MAP_RANK_SIZE bytes and at
	 * least one target, and the rest is targets, so no claim can exceed the input.
	 */
	body = buf_remaining(&in);
	if (nr_ranks == 0 || nr_ranks > POOL_MAP_RANKS_MAX ||
	    nr_ranks > body / (MAP_RANK_SIZE + MAP_TGT_SIZE) ||
	    (body - (size_t)nr_ranks * MAP_RANK_SIZE) % MAP_TGT_SIZE != 0) {
		D_ERROR("could not decode pool map v%u: %u ranks in %zu bytes", version, nr_ranks,
			body);
		return -DER_PROTO;
	}
	nr_targets = (body - (size_t)nr_ranks * MAP_RANK_SIZE) / MAP_TGT_SIZE;
	/* Bounds the total, which must fit in a u32, before any rank is read. */
	if (nr_targets > (size_t)nr_ranks * POOL_MAP_TARGETS_MAX) {
		D_ERROR("could not decode pool map v%u: %zu targets on %u ranks", version,
			nr_targets, nr_ranks);
		return -DER_PROTO;
	}

	map = d_calloc(1, sizeof(*map));
	if (map == NULL)
		return -DER_NOMEM;
	map->version = version;
	map->nr_ranks = nr_ranks;
	map->nr_targets = (uint32_t)nr_targets;
	map->ranks = d_calloc(nr_ranks, sizeof(*map->ranks));
	map->targets = d_calloc(nr_targets, sizeof(*map->targets));
	if (map->ranks == NULL || map->targets == NULL) {
		rc = -DER_NOMEM;
		goto out_free_map;
	}
	rc = map_body_decode(&in, map);
	if (rc != 0)
		goto out_free_map;

	*out = map;
	return 0;

out_free_map:
	pool_map_free(map);
	return rc;
}
