/* SPDX-License-Identifier: Apache-2.0 */
/*
 * placement/placement.h - object classes, object IDs and object layouts.
 *
 * Three things, all pure computation (no I/O, no locks, no global state):
 *
 *   Classes. DAOS's object class table: names (without the OC_ prefix), ids, and what
 *   each means (replication r, or erasure coding k+p; how many redundancy groups). A
 *   class id is (redundancy method << 24) | group count, DAOS's OBJ_CLASS_DEF; a count
 *   of MAX_NUM_GROUPS means "X", as many groups as the pool allows.
 *
 *   Object IDs. The top 32 bits of oid.hi belong to DAOS (bits 63..56 the object type,
 *   55..48 the redundancy method, 47..32 the group count, X already resolved); the rest
 *   is the user's. pl_oid_generate() fills them as daos_obj_generate_oid() does, from an
 *   explicit class or, for OC_UNKNOWN, from the container's redundancy factor.
 *
 *   Layouts. pl_layout_create() computes, from an OID and a read-only view of the pool
 *   map (struct pl_map), where every shard of the object lives: (rank, target index on
 *   the rank). Nothing per object is stored; the same (OID, map) always gives the same
 *   layout. Then dkey -> group, the replicated write leader and the EC cell rotation.
 *
 * Names and numbers (OC_*, OR_*, DAOS_OT_*, OID_FMT_*, DAOS_OCH_*) are DAOS's, so that
 * OIDs are binary compatible; they are DAOS 2.6's public API and move to include/ when
 * libdaos's headers are written. Layouts are ours: same rules, not the same targets.
 *
 * Errors are -DER_*; nothing here logs on the success path.
 */
#ifndef PLACEMENT_PLACEMENT_H
#define PLACEMENT_PLACEMENT_H

#include <daos_obj.h>
#include <gurt/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* DAOS's public types and constants are daos_obj.h's and daos_obj_class.h's. */

/* Replica count of RP_XSF in its class row: "every fault domain", resolved by placement. */
#define PL_REPL_ALL ((uint32_t)-1)

/*
 * The named classes, written once: X(name, redundancy, groups, listed). "listed" classes
 * are in DAOS's class table (name2id knows them, names_list prints them); the others
 * are only enum values (DAOS 2.6 defines ids for EC G6 and RP_12G1.. but no table rows;
 * an EC G6 id still resolves by its redundancy method, as in DAOS).
 */
#define PL_GROUPS(X, pfx, redun, g6) \
	X(pfx##G1, redun, 1, 1)      \
	X(pfx##G2, redun, 2, 1)      \
	X(pfx##G4, redun, 4, 1)      \
	X(pfx##G6, redun, 6, g6)     \
	X(pfx##G8, redun, 8, 1)      \
	X(pfx##G12, redun, 12, 1)    \
	X(pfx##G16, redun, 16, 1)    \
	X(pfx##G32, redun, 32, 1)    \
	X(pfx##GX, redun, MAX_NUM_GROUPS, 1)

/* No redundancy and replication, up to RP_6: table order before RP_XSF. */
#define PL_OCLASS_LIST_RP(X)              \
	X(S1, OR_RP_1, 1, 1)              \
	X(S2, OR_RP_1, 2, 1)              \
	X(S4, OR_RP_1, 4, 1)              \
	X(S6, OR_RP_1, 6, 1)              \
	X(S8, OR_RP_1, 8, 1)              \
	X(S12, OR_RP_1, 12, 1)            \
	X(S16, OR_RP_1, 16, 1)            \
	X(S32, OR_RP_1, 32, 1)            \
	X(SX, OR_RP_1, MAX_NUM_GROUPS, 1) \
	PL_GROUPS(X, RP_2, OR_RP_2, 1)    \
	PL_GROUPS(X, RP_3, OR_RP_3, 1)    \
	PL_GROUPS(X, RP_4, OR_RP_4, 1)    \
	PL_GROUPS(X, RP_5, OR_RP_5, 1)    \
	PL_GROUPS(X, RP_6, OR_RP_6, 1)

/* Wide single-group replication (ids only) and erasure coding: after RP_XSF. */
#define PL_OCLASS_LIST_EC(X)                 \
	X(RP_12G1, OR_RP_12, 1, 0)           \
	X(RP_16G1, OR_RP_16, 1, 0)           \
	X(RP_24G1, OR_RP_24, 1, 0)           \
	X(RP_32G1, OR_RP_32, 1, 0)           \
	X(RP_48G1, OR_RP_48, 1, 0)           \
	X(RP_64G1, OR_RP_64, 1, 0)           \
	X(RP_128G1, OR_RP_128, 1, 0)         \
	PL_GROUPS(X, EC_2P1, OR_RS_2P1, 0)   \
	PL_GROUPS(X, EC_2P2, OR_RS_2P2, 0)   \
	PL_GROUPS(X, EC_4P1, OR_RS_4P1, 0)   \
	PL_GROUPS(X, EC_4P2, OR_RS_4P2, 0)   \
	PL_GROUPS(X, EC_8P1, OR_RS_8P1, 0)   \
	PL_GROUPS(X, EC_8P2, OR_RS_8P2, 0)   \
	PL_GROUPS(X, EC_16P1, OR_RS_16P1, 0) \
	PL_GROUPS(X, EC_16P2, OR_RS_16P2, 0) \
	PL_GROUPS(X, EC_4P3, OR_RS_4P3, 0)   \
	PL_GROUPS(X, EC_8P3, OR_RS_8P3, 0)   \
	PL_GROUPS(X, EC_16P3, OR_RS_16P3, 0)

/* Replica count of RP_XSF in its class row: "every fault domain", resolved by placement. */
#define PL_REPL_ALL ((uint32_t)-1)

/*
 * What a class means, with its group count (resolved or MAX_NUM_GROUPS for X).
 */
struct pl_oclass_attr {
	enum daos_obj_resil resil; /* DAOS_RES_REPL or DAOS_RES_EC */
	uint32_t grp_nr;           /* redundancy groups; MAX_NUM_GROUPS = X */
	uint32_t grp_size;         /* shards per group: r, or k + p; PL_REPL_ALL for XSF */
	uint32_t rp_nr;            /* replicas (REPL), 1 for S classes */
	uint32_t ec_k;             /* data cells (EC) */
	uint32_t ec_p;             /* parity cells (EC) */
	uint32_t resil_degree;     /* failures tolerated: r - 1, or p; UINT32_MAX for XSF */
};

/*
 * Classes.
 */

/* The id of class @name (no "OC_" prefix, case-sensitive), or OC_UNKNOWN (0). */
int pl_oclass_name2id(const char *name);

/*
 * The name of class @id into @buf (@len bytes; MAX_OBJ_CLASS_NAME_LEN is enough): the
 * table's name, or for a resolved group count the method's with the count ("S5",
 * "RP_2G7"), as DAOS names them. 0; -DER_NONEXIST (buf holds "UNKNOWN" if it fits) for an
 * unknown id; -DER_INVAL if @buf is NULL or too small.
 */
int pl_oclass_id2name(daos_oclass_id_t id, char *buf, size_t len);

/*
 * Every listed name, each followed by ", ", into @buf of @size bytes (NUL-terminated).
 * Returns the length of that text (without the NUL), -DER_INVAL for a NULL or empty
 * buffer, -DER_OVERFLOW if it does not fit (daos_oclass_names_list's behaviour).
 */
ssize_t pl_oclass_names_list(size_t size, char *buf);

/* The number of listed classes. */
int pl_oclass_nr(void);

/*
 * The attributes of class @id into *@attr: 0, or -DER_NONEXIST if no class has that id.
 * Besides table ids, any (listed method << 24 | count) with 1 <= count < MAX_NUM_GROUPS
 * is a class, as DAOS resolves it.
 */
int pl_oclass_attr_get(daos_oclass_id_t id, struct pl_oclass_attr *attr);

/*
 * Fit class @id to a pool of @nr_domains fault domains and @nr_targets targets with
 * redundancy factor @rf (daos_oclass_fit_max): X becomes nr_targets / grp_size less a
 * reserve of min(30% of the targets / grp_size, rf) groups (at least 1). *@out is the id
 * to encode. -DER_INVAL for an unknown class, a group wider than @nr_domains, or more
 * shards than targets.
 */
int pl_oclass_fit(daos_oclass_id_t id, uint32_t nr_domains, uint32_t nr_targets, uint32_t rf,
		  daos_oclass_id_t *out);

/*
 * Choose a class for OC_UNKNOWN (dc_set_oclass): the redundancy from @rf (0..4) and the
 * DAOS_OCH_RDD_* hint (arrays get EC when rf is 1 or 2 and there are enough domains),
 * the group count from the DAOS_OCH_SHD_* hint (default: max for arrays and flat KVs,
 * 1 otherwise). *@out is the resolved id. -DER_INVAL if the group is wider than
 * @nr_domains or the sharding hint is not one of DAOS's.
 */
int pl_oclass_select(uint32_t rf, uint32_t nr_domains, uint32_t nr_targets, enum daos_otype_t type,
		     daos_oclass_hints_t hints, daos_oclass_id_t *out);

/*
 * Object IDs.
 */

/*
 * Fill the DAOS bits of *@oid (the user's 96 are kept) as daos_obj_generate_oid() does:
 * class @cid fitted to the pool, or chosen with @hints if @cid is OC_UNKNOWN; a class
 * tolerating fewer than @rf failures is refused. 0 or -DER_INVAL (unknown type or class,
 * or a pool too small for it); *@oid is untouched on error.
 */
int pl_oid_generate(daos_obj_id_t *oid, enum daos_otype_t type, daos_oclass_id_t cid,
		    daos_oclass_hints_t hints, uint32_t rf, uint32_t nr_domains,
		    uint32_t nr_targets);

/* Encode the DAOS bits directly: type, redundancy method, group count. */
void pl_oid_set(daos_obj_id_t *oid, enum daos_otype_t type, uint32_t redun, uint32_t grp_nr);

/* The object type of @oid (daos_obj_id2type). */
static inline enum daos_otype_t
pl_oid_type(daos_obj_id_t oid)
{
	return (enum daos_otype_t)((oid.hi & OID_FMT_TYPE_MASK) >> OID_FMT_TYPE_SHIFT);
}

/* The class id of @oid, with its resolved group count (daos_obj_id2class). */
static inline daos_oclass_id_t
pl_oid_class(daos_obj_id_t oid)
{
	uint32_t redun = (uint32_t)((oid.hi & OID_FMT_CLASS_MASK) >> OID_FMT_CLASS_SHIFT);
	uint32_t grp_nr = (uint32_t)((oid.hi & OID_FMT_META_MASK) >> OID_FMT_META_SHIFT);

	return (redun << OC_REDUN_SHIFT) | grp_nr;
}

/* True for the types whose dkeys are uint64 (hashed as the integer itself). */
bool pl_otype_dkey_is_uint64(enum daos_otype_t type);
bool pl_otype_is_array(enum daos_otype_t type);
bool pl_otype_is_kv(enum daos_otype_t type);

/*
 * The pool map as placement sees it. The caller (pool service, client) fills it from
 * its pool map and keeps it alive during the call:
 *   UPIN, UP, DRAIN -> PL_TGT_UP      (shards may live there)
 *   DOWN            -> PL_TGT_DOWN    (failed, rebuild pending: shards move away)
 *   DOWNOUT         -> PL_TGT_DOWNOUT (failed and rebuilt: shards moved away)
 *   NEW             -> PL_TGT_NEW     (not yet part of any layout)
 * Each rank is a fault domain. Ranks are jump-hash buckets in array order, so the order
 * must stay fixed across versions and new ranks go at the end (ascending rank order does
 * this when new ranks have larger numbers, as DAOS allocates them). fseq is the map
 * version of a target's last failure (pool_target.fseq).
 */
enum pl_tgt_state {
	PL_TGT_UP,
	PL_TGT_DOWN,
	PL_TGT_DOWNOUT,
	PL_TGT_NEW,
};

struct pl_target {
	enum pl_tgt_state state;
	uint32_t fseq; /* map version of its last failure, 0 if none */
};

struct pl_rank {
	d_rank_t rank;
	uint32_t nr_targets;
	const struct pl_target *targets; /* indexed by target index on the rank */
};

struct pl_map {
	uint32_t version;
	uint32_t nr_ranks;
	const struct pl_rank *ranks;
};

/* Fault domains and targets counted for class fitting: ranks and targets not NEW. */
void pl_map_counts(const struct pl_map *map, uint32_t *nr_domains, uint32_t *nr_targets);

/*
 * Layouts.
 */

struct pl_shard {
	d_rank_t rank;    /* CRT_NO_RANK if no up target could take the shard */
	uint32_t tgt_idx; /* target index on the rank */
	uint32_t fseq;    /* the target's fseq (leader choice avoids flaky targets) */
	bool remapped;    /* moved off its failed original target */
	bool rebuilding;  /* remapped from a DOWN target: its data is still being rebuilt */
};

struct pl_layout {
	uint32_t version;  /* of the map it was computed from */
	uint32_t grp_nr;   /* redundancy groups */
	uint32_t grp_size; /* shards per group */
	uint32_t nr_shards;
	struct pl_shard shards[]; /* group g is shards [g * grp_size, (g + 1) * grp_size) */
};

/*
 * The layout of @oid over @map into *@out (the caller's, freed with pl_layout_free()).
 * Members of a group are on distinct ranks; shards are on distinct targets while the
 * pool has enough; shards whose target is DOWN or DOWNOUT are remapped one by one to up
 * targets, every other shard staying where the layout without failures put it.
 * 0, -DER_NOMEM, or -DER_INVAL (unknown or unresolved class, empty map, a group wider
 * than the map's ranks).
 */
int pl_layout_create(const struct pl_map *map, daos_obj_id_t oid, struct pl_layout **out);
void pl_layout_free(struct pl_layout *layout);

/*
 * The 64-bit hash of a dkey (obj_dkey2hash): the integer itself for uint64-dkey types
 * (@len must then be 8), else MurmurHash64A with seed 5731; 0 for a NULL dkey.
 */
uint64_t pl_dkey_hash(enum daos_otype_t type, const void *dkey, size_t len);

/* The group holding a dkey of hash @hash: jump-consistent hash over @grp_nr groups. */
static inline uint32_t
pl_dkey_grp(uint64_t hash, uint32_t grp_nr)
{
	return d_hash_jump(hash, grp_nr);
}

/*
 * The shard in its group (0 .. grp_size - 1) that leads replicated writes of a dkey:
 * starting at (hash + grp) % grp_size, the available, not rebuilding replica with the
 * lowest fseq (the first such in that order on ties). -DER_NONEXIST if none.
 */
int pl_rp_leader(const struct pl_layout *layout, uint32_t grp, uint64_t hash);

/* EC: the first cell's shard for a dkey, hash % (k + p); cell t is on (start + t) % (k + p). */
static inline uint32_t
pl_ec_cell_shard(uint64_t hash, uint32_t k, uint32_t p, uint32_t cell)
{
	uint32_t start = (uint32_t)(hash % (k + p));

	return (start + cell) % (k + p);
}

/* EC: the leader, the last parity cell whose shard is available; -DER_NONEXIST if none. */
int pl_ec_leader(const struct pl_layout *layout, uint32_t grp, uint64_t hash, uint32_t k,
		 uint32_t p);

#endif /* PLACEMENT_PLACEMENT_H */
