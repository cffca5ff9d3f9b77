/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool/pool_map.h - the pool map: the ranks and targets that hold a pool, the state of
 * each, and a version that every change bumps.
 *
 * DAOS keeps a tree of components (root, fault domains, nodes, ranks, targets); we keep
 * the levels in use now: ranks (each its own fault domain) and their targets. A target
 * has a global id (its position in rank order: the lowest rank's targets first, so ids
 * are 0 .. nr_targets - 1 without gaps) and an index on its rank. Ids are not stored:
 * every map, created, copied or decoded, numbers its targets the same way.
 *
 * States are DAOS's PO_COMP_ST_* bits. Allowed changes (anything else is -DER_INVAL, the
 * map unchanged):
 *   UPIN -> DOWN (failed) -> DOWNOUT (rebuilt); DOWN/DOWNOUT -> UP (reintegrating);
 *   UP -> UPIN; UPIN -> DRAIN -> DOWN (failed while draining) or DOWNOUT (drained);
 *   NEW -> UPIN; a change to the current state is a no-op (no version bump).
 * A change that does something bumps the version by one. A target entering DOWN or
 * DRAIN records the new version as its fseq (DAOS does the same: a draining target is
 * "down" to rebuild); other changes keep fseq, so it is the version of the last failure
 * or drain, 0 if none.
 *
 * A rank's state and fseq follow from its targets: the state they share, else the worst
 * of theirs, worst first DOWN, DOWNOUT, DRAIN, UP, NEW, UPIN (what needs rebuilding, then
 * what is gone, leaving, arriving); fseq is the largest of theirs.
 *
 * Encoding (stored by the pool service, sent to clients), little-endian:
 *   offset  size  field
 *        0     4  magic "PMAP"
 *        4     2  format version (1)
 *        6     2  reserved, 0
 *        8     4  map version (> 0)
 *       12     4  nr_ranks (1 .. POOL_MAP_RANKS_MAX)
 *       16        per rank, ascending, no duplicates, not CRT_NO_RANK:
 *                   rank u32, state u32, fseq u32, nr_targets u32 (1 .. POOL_MAP_TARGETS_MAX),
 *                   then per target: state u32, fseq u32
 *   len - 4    4  CRC32C (d_crc32c from 0) of every byte before it
 * Decoding checks every count against the remaining length before allocating, the
 * magic, format version and CRC, the states (a known one each; a rank's state and fseq
 * as derived above; no fseq above the map version) and the rank order, and refuses
 * trailing bytes. So decode(encode(m)) equals m, and encode(decode(b)) equals b.
 *
 * Threads: a map is a plain value; callers serialise.
 */
#ifndef POOL_POOL_MAP_H
#define POOL_POOL_MAP_H

#include <gurt/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POOL_MAP_RANKS_MAX 65536
#define POOL_MAP_TARGETS_MAX 1024

/* DAOS's component states (PO_COMP_ST_*). */
enum pool_comp_state {
	POOL_COMP_UNKNOWN = 0,
	POOL_COMP_NEW = 1,
	POOL_COMP_UP = 2,
	POOL_COMP_UPIN = 4,
	POOL_COMP_DOWN = 8,
	POOL_COMP_DOWNOUT = 16,
	POOL_COMP_DRAIN = 32,
};

struct pool_target {
	uint32_t id;  /* global target id */
	uint32_t idx; /* index on its rank */
	enum pool_comp_state state;
	uint32_t fseq; /* map version of the last failure or drain, 0 if none */
};

struct pool_rank {
	d_rank_t rank;
	enum pool_comp_state state;  /* derived from its targets' */
	uint32_t fseq;               /* the largest of its targets' */
	uint32_t nr_targets;         /* at least 1 */
	struct pool_target *targets; /* points into pool_map.targets */
};

struct pool_map {
	uint32_t version;            /* at least 1 */
	uint32_t nr_ranks;           /* at least 1 */
	struct pool_rank *ranks;     /* sorted by rank */
	uint32_t nr_targets;         /* over all ranks */
	struct pool_target *targets; /* all of them, indexed by global id */
};

/*
 * A version-1 map of @nr ranks (any order, no duplicates, not CRT_NO_RANK; 1 to
 * POOL_MAP_RANKS_MAX of them) with @nr_targets[i] targets (1 to POOL_MAP_TARGETS_MAX)
 * for @ranks[i], everything UPIN, fseq 0. On success *out is the caller's, freed with
 * pool_map_free(). 0, -DER_INVAL, -DER_NOMEM; *out is untouched on error.
 */
int pool_map_create(uint32_t nr, const d_rank_t *ranks, const uint32_t *nr_targets,
		    struct pool_map **out);
/* Free @map (may be NULL). */
void pool_map_free(struct pool_map *map);
/* A deep copy of @map in *out, freed with pool_map_free(). 0 or -DER_NOMEM. */
int pool_map_dup(const struct pool_map *map, struct pool_map **out);

/* The rank's entry, or NULL. */
const struct pool_rank *pool_map_find_rank(const struct pool_map *map, d_rank_t rank);
/* The target with global id @id, or NULL (with its rank in *@rank if not NULL). */
const struct pool_target *pool_map_find_target(const struct pool_map *map, uint32_t id,
					       const struct pool_rank **rank);

/*
 * Move every target of @rank (and the rank) to @state, all or none: the version goes
 * up by one if anything changed. 0, -DER_NONEXIST (no such rank), -DER_INVAL (@state is
 * not a state, or a target may not change to it), -DER_OVERFLOW (the version is at its
 * maximum); the map is unchanged on error.
 */
int pool_map_set_rank_state(struct pool_map *map, d_rank_t rank, enum pool_comp_state state);
/* The same for target @idx of @rank (-DER_NONEXIST also when @idx is out of range). */
int pool_map_set_target_state(struct pool_map *map, d_rank_t rank, uint32_t idx,
			      enum pool_comp_state state);

/*
 * Targets in all, enabled (UPIN, UP, DRAIN, NEW) and disabled (DOWN, DOWNOUT). Any
 * output may be NULL.
 */
void pool_map_counts(const struct pool_map *map, uint32_t *total, uint32_t *enabled,
		     uint32_t *disabled);
/*
 * The ranks with every target enabled (@disabled false) or with at least one target
 * disabled (@disabled true), ascending, possibly none. *out is the caller's, freed with
 * d_rank_list_free(). 0 or -DER_NOMEM.
 */
int pool_map_ranks(const struct pool_map *map, bool disabled, d_rank_list_t **out);

/* "UPIN", "DOWN", ... ("UNKNOWN" for anything else). */
const char *pool_comp_state_name(enum pool_comp_state state);
/*
 * The public daos_target_state_t value of a component state: DAOS_TS_UNKNOWN 0,
 * DAOS_TS_DOWN_OUT 1, DAOS_TS_DOWN 2, DAOS_TS_UP 3, DAOS_TS_UP_IN 4, DAOS_TS_NEW 5,
 * DAOS_TS_DRAIN 6 (daos_types.h); UNKNOWN (0) for anything else.
 */
int pool_comp_state_to_daos(enum pool_comp_state state);

size_t pool_map_encoded_size(const struct pool_map *map);
/* Encode into @buf (at least pool_map_encoded_size() bytes). 0 or -DER_OVERFLOW. */
int pool_map_encode(const struct pool_map *map, void *buf, size_t len);
/*
 * Decode @len outside bytes at @buf. On success *out is the caller's, freed with
 * pool_map_free(). 0, -DER_PROTO (malformed; logged why), -DER_CSUM (CRC mismatch),
 * -DER_NOMEM; *out is untouched on error.
 */
int pool_map_decode(const void *buf, size_t len, struct pool_map **out);

#endif /* POOL_POOL_MAP_H */
