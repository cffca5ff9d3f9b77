/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pl_jump.c - object layouts by jump-consistent hashing, DAOS's default placement
 * ("jump map"), and the per-dkey choices made from a layout.
 *
 * A layout is computed in two passes from (OID, map) and nothing else:
 *
 * 1. The layout without failures. Ranks are the fault domains. Every target not NEW
 *    counts, whatever its state, so that a failure moves nothing but what it must. For
 *    shard s, a key derived from the OID and s picks a rank with jump hashing over the
 *    ranks, then a key derived from that picks a target with jump hashing over the rank's
 *    targets. A rank already holding a member of the same group is refused (members of a
 *    group are in distinct domains), as is a rank the object already uses or whose
 *    targets it fills (spread before doubling up); a refused pick perturbs the key and
 *    jumps again, and after PICK_TRIES perturbations takes the next acceptable bucket
 *    in order, so the search always ends. When no rank is acceptable, the object's
 *    "used" marks are cleared (but the group's), then its target marks: a big object
 *    wraps around the pool the way DAOS's unmarking does.
 *
 *    Jump hashing makes growth cheap: with one more rank, a single-shard object either
 *    stays on its target or moves to the new rank (about 1/n of them).
 *
 * 2. Failures. Shards whose target is DOWN or DOWNOUT are remapped one at a time, in
 *    order of their target's fseq (earliest failure first), then shard index. Each
 *    searches from its own key, as in pass 1, for an UP target, relaxing in steps: a rank
 *    without another member of its group and a target the object does not use; then
 *    any target on such a rank; then any unused target; then any UP target. No other
 *    shard moves. Processing earlier failures first keeps their fallbacks where they were
 *    when a later failure comes (DAOS orders remapping by fseq for the same reason); a
 *    fallback that fails itself is replaced by the next candidate of the same search.
 *
 * Our keys and perturbation (MurmurHash64A of the OID, a splitmix64 mixer) are not
 * DAOS's, so the targets chosen differ from DAOS's; the rules are the same. Memory: one
 * layout allocation plus scratch arrays freed before returning.
 */
#define D_LOGFAC DD_FAC(placement)

#include <gurt/common.h>
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "placement/placement.h"

/* Perturbed jumps before scanning for the next acceptable bucket. */
#define PICK_TRIES 64
#define OID_SEED 0x4a554d50 /* "JUMP" */
#define DKEY_SEED 5731      /* DAOS's seed for string dkeys */
#define SALT_SHARD 0x9e3779b97f4a7c15ULL
#define SALT_TARGET 0xc2b2ae3d27d4eb4fULL
#define SALT_REMAP 0x165667b19e3779f9ULL

/* A rank with at least one target in layouts, and those targets. */
struct dom {
	uint32_t rank_idx; /* into map->ranks */
	uint32_t first;    /* its first position in jump_ctx.tgt_idx */
	uint32_t nr;       /* its targets that are not NEW */
};

struct jump_ctx {
	const struct pl_map *map;
	struct dom *doms;
	uint32_t nr_doms;
	uint32_t *tgt_idx; /* per position: the target's index on its rank */
	uint32_t *tgt_dom; /* per position: its domain */
	uint32_t nr_tgts;
	uint8_t *dom_used;  /* the object has a shard there (pass 1) */
	uint8_t *grp_dom;   /* a member of the current group is there */
	uint32_t *dom_free; /* targets of the domain the object does not use (pass 1) */
	uint8_t *tgt_used;  /* the object has a shard there */
	uint32_t *pos;      /* per shard: its position, UINT32_MAX if nowhere */
	/* The current pick. */
	uint32_t dom;
	int tier;
};

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t
oid_hash(daos_obj_id_t oid)
{
	unsigned char b[16];
	int i;

	/* Little-endian bytes, so the hash is the same on every host. */
	for (i = 0; i < 8; i++) {
		b[i] = (unsigned char)(oid.lo >> (8 * i));
		b[8 + i] = (unsigned char)(oid.hi >> (8 * i));
	}
	return d_hash_murmur64(b, sizeof(b), OID_SEED);
}

/*
 * A bucket in [0, @n) that @ok accepts: jump hash of @key, perturbed up to PICK_TRIES
 * times, then the next acceptable bucket after the last jump. UINT32_MAX if none.
 */
static uint32_t
pick(uint64_t key, uint32_t n, bool (*ok)(struct jump_ctx *, uint32_t), struct jump_ctx *ctx)
{
	uint32_t b = 0;
	uint32_t i;

	for (i = 0; i < PICK_TRIES; i++) {
		b = d_hash_jump(key, n);
		if (ok(ctx, b))
			return b;
		key = mix(key + 1);
	}
	for (i = 1; i < n; i++) {
		uint32_t c = (b + i) % n;

		if (ok(ctx, c))
			return c;
	}
	return UINT32_MAX;
}

static const struct pl_target *
pos_target(const struct jump_ctx *ctx, uint32_t pos)
{
	const struct dom *d = &ctx->doms[ctx->tgt_dom[pos]];

	return &ctx->map->ranks[d->rank_idx].targets[ctx->tgt_idx[pos]];
}

/* Pass 1 acceptance. */
static bool
dom_ok_layout(struct jump_ctx *ctx, uint32_t d)
{
	return !ctx->grp_dom[d] && !ctx->dom_used[d] && ctx->dom_free[d] > 0;
}

static bool
tgt_ok_layout(struct jump_ctx *ctx, uint32_t t)
{
	return !ctx->tgt_used[ctx->doms[ctx->dom].first + t];
}

static bool
any_dom_ok_layout(struct jump_ctx *ctx)
{
	uint32_t d;

	for (d = 0; d < ctx->nr_doms; d++)
		if (dom_ok_layout(ctx, d))
			return true;
	return false;
}

/* Place shard @s; its group's members so far are marked in grp_dom. */
static void
place_shard(struct jump_ctx *ctx, uint64_t key, uint32_t s)
{
	uint32_t d;
	uint32_t t;
	uint32_t p;

	if (!any_dom_ok_layout(ctx)) {
		/* Every free domain is used: start another round over the pool. */
		memcpy(ctx->dom_used, ctx->grp_dom, ctx->nr_doms);
		if (!any_dom_ok_layout(ctx)) {
			/* And the targets, when the object fills them all. */
			memset(ctx->tgt_used, 0, ctx->nr_tgts);
			for (d = 0; d < ctx->nr_doms; d++)
				ctx->dom_free[d] = ctx->doms[d].nr;
		}
	}
	d = pick(key, ctx->nr_doms, dom_ok_layout, ctx);
	D_ASSERT(d != UINT32_MAX); /* a group is never wider than the domains */
	ctx->dom = d;
	t = pick(mix(key ^ SALT_TARGET), ctx->doms[d].nr, tgt_ok_layout, ctx);
	D_ASSERT(t != UINT32_MAX); /* dom_free[d] > 0 */
	p = ctx->doms[d].first + t;
	ctx->pos[s] = p;
	ctx->tgt_used[p] = 1;
	ctx->dom_used[d] = 1;
	ctx->grp_dom[d] = 1;
	ctx->dom_free[d]--;
}

/* Pass 2 acceptance, by tier (see the file comment). */
static bool
tgt_ok_remap_pos(struct jump_ctx *ctx, uint32_t p)
{
	if (pos_target(ctx, p)->state != PL_TGT_UP)
		return false;
	if ((ctx->tier == 0 || ctx->tier == 2) && ctx->tgt_used[p])
		return false;
	return true;
}

static bool
dom_ok_remap(struct jump_ctx *ctx, uint32_t d)
{
	uint32_t t;

	if (ctx->tier < 2 && ctx->grp_dom[d])
		return false;
	for (t = 0; t < ctx->doms[d].nr; t++)
		if (tgt_ok_remap_pos(ctx, ctx->doms[d].first + t))
			return true;
	return false;
}

static bool
tgt_ok_remap(struct jump_ctx *ctx, uint32_t t)
{
	return tgt_ok_remap_pos(ctx, ctx->doms[ctx->dom].first + t);
}

/* Remap shard @s, of group [@g0, @g0 + @grp_size), off its failed target. */
static void
remap_shard(struct jump_ctx *ctx, uint64_t key, uint32_t s, uint32_t g0, uint32_t grp_size)
{
	uint64_t rkey = mix(key ^ SALT_REMAP);
	uint32_t i;

	memset(ctx->grp_dom, 0, ctx->nr_doms);
	for (i = g0; i < g0 + grp_size; i++)
		if (i != s && ctx->pos[i] != UINT32_MAX)
			ctx->grp_dom[ctx->tgt_dom[ctx->pos[i]]] = 1;

	ctx->pos[s] = UINT32_MAX;
	for (ctx->tier = 0; ctx->tier < 4; ctx->tier++) {
		uint32_t d = pick(rkey, ctx->nr_doms, dom_ok_remap, ctx);
		uint32_t t;

		if (d == UINT32_MAX)
			continue;
		ctx->dom = d;
		t = pick(mix(rkey ^ SALT_TARGET), ctx->doms[d].nr, tgt_ok_remap, ctx);
		D_ASSERT(t != UINT32_MAX); /* dom_ok_remap found one */
		ctx->pos[s] = ctx->doms[d].first + t;
		ctx->tgt_used[ctx->pos[s]] = 1;
		return;
	}
}

void
pl_map_counts(const struct pl_map *map, uint32_t *nr_domains, uint32_t *nr_targets)
{
	uint32_t doms = 0;
	uint32_t tgts = 0;
	uint32_t i;
	uint32_t j;

	for (i = 0; i < map->nr_ranks; i++) {
		uint32_t n = 0;

		for (j = 0; j < map->ranks[i].nr_targets; j++)
			n += map->ranks[i].targets[j].state != PL_TGT_NEW;
		doms += n > 0;
		tgts += n;
	}
	*nr_domains = doms;
	*nr_targets = tgts;
}

static void
ctx_fini(struct jump_ctx *ctx)
{
	d_free(ctx->doms);
	d_free(ctx->tgt_idx);
	d_free(ctx->tgt_dom);
	d_free(ctx->dom_used);
	d_free(ctx->grp_dom);
	d_free(ctx->dom_free);
	d_free(ctx->tgt_used);
	d_free(ctx->pos);
}

static int
ctx_init(struct jump_ctx *ctx, const struct pl_map *map, uint32_t nr_shards)
{
	uint32_t nr_doms;
	uint32_t nr_tgts;
	uint32_t i;
	uint32_t j;

	memset(ctx, 0, sizeof(*ctx));
	ctx->map = map;
	pl_map_counts(map, &nr_doms, &nr_tgts);
	if (nr_doms == 0)
		return -DER_INVAL;
	ctx->doms = d_calloc(nr_doms, sizeof(*ctx->doms));
	ctx->tgt_idx = d_calloc(nr_tgts, sizeof(*ctx->tgt_idx));
	ctx->tgt_dom = d_calloc(nr_tgts, sizeof(*ctx->tgt_dom));
	ctx->dom_used = d_calloc(nr_doms, 1);
	ctx->grp_dom = d_calloc(nr_doms, 1);
	ctx->dom_free = d_calloc(nr_doms, sizeof(*ctx->dom_free));
	ctx->tgt_used = d_calloc(nr_tgts, 1);
	ctx->pos = d_calloc(nr_shards, sizeof(*ctx->pos));
	if (ctx->doms == NULL || ctx->tgt_idx == NULL || ctx->tgt_dom == NULL ||
	    ctx->dom_used == NULL || ctx->grp_dom == NULL || ctx->dom_free == NULL ||
	    ctx->tgt_used == NULL || ctx->pos == NULL) {
		ctx_fini(ctx);
		return -DER_NOMEM;
	}
	for (i = 0; i < map->nr_ranks; i++) {
		struct dom d = { .rank_idx = i, .first = ctx->nr_tgts };

		for (j = 0; j < map->ranks[i].nr_targets; j++) {
			if (map->ranks[i].targets[j].state == PL_TGT_NEW)
				continue;
			ctx->tgt_idx[ctx->nr_tgts] = j;
			ctx->tgt_dom[ctx->nr_tgts] = ctx->nr_doms;
			ctx->nr_tgts++;
			d.nr++;
		}
		/* A rank with only NEW targets is no domain yet. */
		if (d.nr > 0) {
			ctx->doms[ctx->nr_doms] = d;
			ctx->dom_free[ctx->nr_doms] = d.nr;
			ctx->nr_doms++;
		}
	}
	return 0;
}

/* Order of remapping: earliest failure first, then shard index. */
struct failed {
	uint32_t fseq;
	uint32_t shard;
};

static int
failed_cmp(const void *a, const void *b)
{
	const struct failed *x = a;
	const struct failed *y = b;

	if (x->fseq != y->fseq)
		return x->fseq < y->fseq ? -1 : 1;
	return x->shard < y->shard ? -1 : x->shard > y->shard;
}

int
pl_layout_create(const struct pl_map *map, daos_obj_id_t oid, struct pl_layout **out)
{
	struct pl_oclass_attr attr;
	struct pl_layout *layout;
	struct failed *failed = NULL;
	struct jump_ctx ctx;
	uint32_t nr_failed = 0;
	uint32_t nr_doms;
	uint32_t nr_tgts;
	uint32_t grp_size;
	uint32_t nr_shards;
	uint64_t ohash;
	uint32_t s;
	int rc;

	if (map == NULL || out == NULL)
		return -DER_INVAL;
	rc = pl_oclass_attr_get(pl_oid_class(oid), &attr);
	if (rc != 0 || attr.grp_nr == MAX_NUM_GROUPS)
		return -DER_INVAL;
	pl_map_counts(map, &nr_doms, &nr_tgts);
	grp_size = attr.grp_size == PL_REPL_ALL ? nr_doms : attr.grp_size;
	if (nr_doms == 0 || grp_size > nr_doms)
		return -DER_INVAL;
	nr_shards = attr.grp_nr * grp_size;

	layout = d_calloc(1, sizeof(*layout) + (size_t)nr_shards * sizeof(layout->shards[0]));
	if (layout == NULL)
		return -DER_NOMEM;
	rc = ctx_init(&ctx, map, nr_shards);
	if (rc != 0)
		goto out_free_layout;
	failed = d_calloc(nr_shards, sizeof(*failed));
	if (failed == NULL) {
		rc = -DER_NOMEM;
		goto out_fini;
	}

	ohash = oid_hash(oid);
	for (s = 0; s < nr_shards; s++) {
		if (s % grp_size == 0)
			memset(ctx.grp_dom, 0, ctx.nr_doms);
		place_shard(&ctx, mix(ohash + s * SALT_SHARD), s);
	}

	/* Pass 2 sees every shard's original target as used. */
	memset(ctx.tgt_used, 0, ctx.nr_tgts);
	for (s = 0; s < nr_shards; s++) {
		const struct pl_target *tgt = pos_target(&ctx, ctx.pos[s]);

		ctx.tgt_used[ctx.pos[s]] = 1;
		if (tgt->state == PL_TGT_DOWN || tgt->state == PL_TGT_DOWNOUT) {
			failed[nr_failed].fseq = tgt->fseq;
			failed[nr_failed].shard = s;
			nr_failed++;
		}
	}
	d_sort(failed, nr_failed, sizeof(*failed), failed_cmp);
	for (s = 0; s < nr_failed; s++) {
		uint32_t shard = failed[s].shard;
		const struct pl_target *tgt = pos_target(&ctx, ctx.pos[shard]);

		layout->shards[shard].remapped = true;
		layout->shards[shard].rebuilding = tgt->state == PL_TGT_DOWN;
		remap_shard(&ctx, mix(ohash + shard * SALT_SHARD), shard, shard - shard % grp_size,
			    grp_size);
	}

	for (s = 0; s < nr_shards; s++) {
		struct pl_shard *sh = &layout->shards[s];
		uint32_t p = ctx.pos[s];

		if (p == UINT32_MAX) {
			sh->rank = CRT_NO_RANK;
			sh->tgt_idx = UINT32_MAX;
			continue;
		}
		sh->rank = map->ranks[ctx.doms[ctx.tgt_dom[p]].rank_idx].rank;
		sh->tgt_idx = ctx.tgt_idx[p];
		sh->fseq = pos_target(&ctx, p)->fseq;
	}
	layout->version = map->version;
	layout->grp_nr = attr.grp_nr;
	layout->grp_size = grp_size;
	layout->nr_shards = nr_shards;
	*out = layout;
	layout = NULL;
	rc = 0;

	d_free(failed);
out_fini:
	ctx_fini(&ctx);
out_free_layout:
	d_free(layout);
	return rc;
}

void
pl_layout_free(struct pl_layout *layout)
{
	d_free(layout);
}

uint64_t
pl_dkey_hash(enum daos_otype_t type, const void *dkey, size_t len)
{
	uint64_t v;

	if (dkey == NULL)
		return 0;
	if (pl_otype_dkey_is_uint64(type) && len == sizeof(v)) {
		memcpy(&v, dkey, sizeof(v));
		return v;
	}
	return d_hash_murmur64(dkey, (unsigned int)len, DKEY_SEED);
}

static bool
shard_is_healthy(const struct pl_shard *sh)
{
	return sh->rank != CRT_NO_RANK && !sh->rebuilding;
}

int
pl_rp_leader(const struct pl_layout *layout, uint32_t grp, uint64_t hash)
{
	uint32_t n = layout->grp_size;
	uint32_t start;
	uint32_t best = UINT32_MAX;
	uint32_t i;

	if (grp >= layout->grp_nr)
		return -DER_INVAL;
	/* (hash + grp) % n without overflow */
	start = (uint32_t)((hash % n + grp % n) % n);
	for (i = 0; i < n; i++) {
		uint32_t idx = (start + i) % n;
		const struct pl_shard *sh = &layout->shards[grp * n + idx];

		if (!shard_is_healthy(sh))
			continue;
		if (best == UINT32_MAX || sh->fseq < layout->shards[grp * n + best].fseq)
			best = idx;
	}
	return best == UINT32_MAX ? -DER_NONEXIST : (int)best;
}

int
pl_ec_leader(const struct pl_layout *layout, uint32_t grp, uint64_t hash, uint32_t k, uint32_t p)
{
	uint32_t cell;

	if (grp >= layout->grp_nr || k + p != layout->grp_size || p == 0)
		return -DER_INVAL;
	for (cell = k + p; cell-- > k;) {
		uint32_t idx = pl_ec_cell_shard(hash, k, p, cell);

		if (shard_is_healthy(&layout->shards[grp * layout->grp_size + idx]))
			return (int)idx;
	}
	return -DER_NONEXIST;
}
