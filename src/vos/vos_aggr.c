/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_aggr.c - aggregation and discard.
 *
 * Aggregation removes what no reader can see. The read points are the snapshots at or
 * below the aggregation epoch E, and E itself (reads at E and later see the newest
 * version at or below E unless something newer hides it). For each akey it keeps the
 * version (single values) or the extents contributing a visible piece (arrays) at some
 * read point, and removes every other entry stamped at or below E; entries above E are
 * never touched. Incarnation logs keep, per read point, the entry that decides
 * existence and the newest punch (the visibility bound). A key or object that exists at
 * no read point and holds nothing any more is removed.
 *
 * The caller picks E so that no operation at or below it can still arrive (DAOS's stable
 * epoch); reads between read points are not preserved, as in DAOS.
 *
 * Steps and the log: a step handles the dkeys of one object from a cursor on, until its
 * budget of entries is spent, and is logged as one record naming the object and the
 * first and last dkey it handled. The index after any prefix of the log is always the
 * same, so replay repeats a step by running it again over the same dkeys, and removes
 * the same entries. Discard is logged and replayed the same way.
 *
 * Extents are kept whole or removed whole: nothing is rewritten, so aggregation never
 * writes data, and an extent partly hidden at every read point stays.
 */
#define D_LOGFAC DD_FAC(vos)

#include "common/sort.h"
#include "vos/vos_int.h"

#define READ_POINTS_MAX 64

struct agg {
	struct vos_pool *pool;
	struct vos_cont *cont;
	uint64_t epoch;
	uint64_t rp[READ_POINTS_MAX + 1]; /* read points, ascending; the last is epoch */
	uint32_t nr_rp;
	uint64_t batch;  /* frees wait for it (0 while replaying) */
	uint64_t budget; /* entries left to examine in this step */
	uint64_t removed;
};

/* Stamps of the ancestors' visibility bound at each read point, and existence there. */
struct bounds {
	struct vos_stamp at[READ_POINTS_MAX + 1];
	bool exists[READ_POINTS_MAX + 1];
};

static struct vos_stamp
stamp_max(struct vos_stamp a, struct vos_stamp b)
{
	return vos_stamp_cmp(a.epoch, a.seq, b.epoch, b.seq) >= 0 ? a : b;
}

static void
bounds_add(struct agg *g, struct bounds *b, const struct vos_ilog *log)
{
	uint32_t r;

	for (r = 0; r < g->nr_rp; r++) {
		b->exists[r] = b->exists[r] && vos_ilog_exists(log, g->rp[r]);
		b->at[r] = stamp_max(b->at[r], vos_ilog_punched(log, g->rp[r]));
	}
}

/* Keep, per read point, the entry deciding existence and the newest punch; drop others. */
static void
ilog_aggregate(struct agg *g, struct vos_ilog *log)
{
	struct vos_ilog_ent *ents = vos_ilog_ents(log);
	struct vos_stamp keep[2 * (READ_POINTS_MAX + 1)];
	struct vos_stamp drop[64];
	uint32_t nr_keep = 0;
	uint32_t nr_drop;
	uint32_t i;
	uint32_t r;

	do {
		ents = vos_ilog_ents(log);
		nr_keep = 0;
		for (r = 0; r < g->nr_rp; r++) {
			int32_t j;
			bool state = false;

			for (j = (int32_t)log->nr - 1; j >= 0; j--) {
				if (ents[j].epoch > g->rp[r])
					continue;
				if (!state) {
					keep[nr_keep++] =
						(struct vos_stamp){ ents[j].epoch, ents[j].seq };
					state = true;
				}
				if (ents[j].punch) {
					keep[nr_keep++] =
						(struct vos_stamp){ ents[j].epoch, ents[j].seq };
					break;
				}
			}
		}
		nr_drop = 0;
		for (i = 0; i < log->nr && nr_drop < ARRAY_SIZE(drop); i++) {
			bool kept = ents[i].epoch > g->epoch;
			uint32_t k;

			for (k = 0; k < nr_keep && !kept; k++)
				kept = keep[k].epoch == ents[i].epoch && keep[k].seq == ents[i].seq;
			if (!kept)
				drop[nr_drop++] = (struct vos_stamp){ ents[i].epoch, ents[i].seq };
		}
		for (i = 0; i < nr_drop; i++)
			vos_ilog_del(log, drop[i].epoch, drop[i].seq);
		g->removed += nr_drop;
	} while (nr_drop == ARRAY_SIZE(drop));
}

static bool
exists_anywhere(struct agg *g, const struct bounds *b)
{
	uint32_t r;

	for (r = 0; r < g->nr_rp; r++)
		if (b->exists[r])
			return true;
	return false;
}

/* Does the ilog have entries above the aggregation epoch (a future we must keep)? */
static bool
ilog_has_future(struct agg *g, struct vos_ilog *log)
{
	struct vos_ilog_ent *ents = vos_ilog_ents(log);

	return log->nr > 0 && ents[log->nr - 1].epoch > g->epoch;
}

static void
sv_aggregate(struct agg *g, struct vos_krec *a, const struct bounds *b)
{
	struct vos_sv_key keep[READ_POINTS_MAX + 1];
	struct vos_sv_key *drop = NULL;
	uint32_t nr_keep = 0;
	uint32_t nr_drop = 0;
	uint32_t cap = 0;
	struct d_btr_iter it;
	uint32_t r;
	uint32_t i;
	int rc;

	for (r = 0; r < g->nr_rp; r++) {
		struct vos_sv_key k = { g->rp[r], UINT32_MAX };
		const struct vos_sv *sv;

		if (!b->exists[r] || d_btr_iter_seek(&it, &a->child, D_BTR_SEEK_LE, &k) != 0)
			continue;
		sv = d_btr_iter_entry(&it);
		if (vos_stamp_cmp(sv->epoch, sv->seq, b->at[r].epoch, b->at[r].seq) > 0)
			keep[nr_keep++] = (struct vos_sv_key){ sv->epoch, sv->seq };
	}
	for (rc = d_btr_iter_seek(&it, &a->child, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it)) {
		const struct vos_sv *sv = d_btr_iter_entry(&it);
		bool kept = false;

		if (sv->epoch > g->epoch)
			break;
		if (g->budget > 0)
			g->budget--;
		for (i = 0; i < nr_keep && !kept; i++)
			kept = keep[i].epoch == sv->epoch && keep[i].seq == sv->seq;
		/* A punch marker with nothing kept below it hides nothing. */
		if (kept && (sv->flags & VOS_VAL_PUNCH)) {
			bool older = false;

			for (i = 0; i < nr_keep; i++)
				older |= vos_stamp_cmp(keep[i].epoch, keep[i].seq, sv->epoch,
						       sv->seq) < 0;
			kept = older;
		}
		if (kept)
			continue;
		if (nr_drop == cap) {
			struct vos_sv_key *d;

			cap = cap ? cap * 2 : 16;
			d = d_reallocarray(drop, cap, sizeof(*d));
			if (d == NULL)
				break; /* what is collected is still removed; the rest waits */
			drop = d;
		}
		drop[nr_drop++] = (struct vos_sv_key){ sv->epoch, sv->seq };
	}
	for (i = 0; i < nr_drop; i++) {
		struct vos_sv gone;

		if (d_btr_delete(&a->child, &drop[i], &gone) == 0)
			vos_val_release(g->pool, gone.flags, gone.addr, gone.len, g->batch);
	}
	g->removed += nr_drop;
	d_free(drop);
}

static int
ext_key_cmp(const void *x, const void *y)
{
	const struct vos_ext_key *a = x;
	const struct vos_ext_key *b = y;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return vos_stamp_cmp(a->epoch, a->seq, b->epoch, b->seq);
}

static void
ext_aggregate(struct agg *g, struct vos_krec *a, const struct bounds *b)
{
	struct vos_ext_key *keep = NULL;
	struct vos_ext_key *drop = NULL;
	uint32_t nr_keep = 0;
	uint32_t cap_keep = 0;
	uint32_t nr_drop = 0;
	uint32_t cap_drop = 0;
	struct d_btr_iter it;
	uint32_t r;
	uint32_t i;
	int rc;

	for (r = 0; r < g->nr_rp; r++) {
		struct vos_pieces pl = { 0 };

		if (!b->exists[r])
			continue;
		if (vos_array_pieces(a, 0, UINT64_MAX, g->rp[r], b->at[r], &pl) != 0) {
			d_free(pl.p);
			goto out; /* out of memory: keep everything this time */
		}
		for (i = 0; i < pl.nr; i++) {
			if (nr_keep == cap_keep) {
				struct vos_ext_key *k;

				cap_keep = cap_keep ? cap_keep * 2 : 16;
				k = d_reallocarray(keep, cap_keep, sizeof(*k));
				if (k == NULL) {
					d_free(pl.p);
					goto out;
				}
				keep = k;
			}
			keep[nr_keep++] = (struct vos_ext_key){ pl.p[i].e.lo, pl.p[i].e.epoch,
								pl.p[i].e.seq };
		}
		d_free(pl.p);
	}
	if (nr_keep > 1)
		d_sort(keep, nr_keep, sizeof(*keep), ext_key_cmp);
	for (rc = d_btr_iter_seek(&it, &a->child, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it)) {
		const struct vos_ext *e = d_btr_iter_entry(&it);
		struct vos_ext_key k = { e->lo, e->epoch, e->seq };

		if (g->budget > 0)
			g->budget--;
		if (e->epoch > g->epoch ||
		    (nr_keep > 0 && bsearch(&k, keep, nr_keep, sizeof(*keep), ext_key_cmp) != NULL))
			continue;
		if (nr_drop == cap_drop) {
			struct vos_ext_key *d;

			cap_drop = cap_drop ? cap_drop * 2 : 16;
			d = d_reallocarray(drop, cap_drop, sizeof(*d));
			if (d == NULL)
				break;
			drop = d;
		}
		drop[nr_drop++] = k;
	}
	for (i = 0; i < nr_drop; i++) {
		struct vos_ext gone;

		if (d_btr_delete(&a->child, &drop[i], &gone) == 0)
			vos_val_release(g->pool, gone.flags, gone.addr,
					(gone.hi - gone.lo + 1) * gone.rsize, g->batch);
	}
	g->removed += nr_drop;
out:
	d_free(keep);
	d_free(drop);
}

/* Keys to remove after a walk: copies, since entries move as others are removed. */
struct key_list {
	struct vos_skey *k;
	uint32_t nr;
};

static void
key_list_add(struct key_list *l, const struct vos_key *key)
{
	struct vos_skey *n = d_reallocarray(l->k, l->nr + 1, sizeof(*n));
	uint8_t *bytes = d_malloc(key->len);

	if (n == NULL || bytes == NULL) {
		/* Out of memory: the entry stays until a later pass. */
		if (n != NULL)
			l->k = n;
		d_free(bytes);
		return;
	}
	memcpy(bytes, vos_key_bytes(key), key->len);
	l->k = n;
	l->k[l->nr++] = (struct vos_skey){ key->hash, key->len, key->kind, bytes };
}

/* Remove the listed keys' records from @tree, then free the list. */
static void
key_list_remove(struct agg *g, struct key_list *l, struct d_btr *tree)
{
	uint32_t i;

	for (i = 0; i < l->nr; i++) {
		struct vos_krec rec;

		if (d_btr_delete(tree, &l->k[i], &rec) == 0) {
			vos_krec_fini(g->pool, &rec, g->batch);
			g->removed++;
		}
		d_free((void *)(uintptr_t)l->k[i].buf);
	}
	d_free(l->k);
	l->k = NULL;
	l->nr = 0;
}

/* Aggregate one dkey; true if it is now empty and existed nowhere (remove it). */
static bool
dkey_aggregate(struct agg *g, struct vos_krec *d, struct bounds b)
{
	struct key_list gone = { 0 };
	struct d_btr_iter it;
	int rc;

	bounds_add(g, &b, &d->ilog);
	for (rc = d_btr_iter_seek(&it, &d->child, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it)) {
		struct vos_krec *a = d_btr_iter_entry(&it);
		struct bounds ab = b;

		bounds_add(g, &ab, &a->ilog);
		if (a->type == VOS_IOD_SINGLE)
			sv_aggregate(g, a, &ab);
		else
			ext_aggregate(g, a, &ab);
		ilog_aggregate(g, &a->ilog);
		if (d_btr_is_empty(&a->child) && !ilog_has_future(g, &a->ilog) &&
		    !exists_anywhere(g, &ab))
			key_list_add(&gone, &a->key);
	}
	key_list_remove(g, &gone, &d->child);
	ilog_aggregate(g, &d->ilog);
	return d_btr_is_empty(&d->child) && !ilog_has_future(g, &d->ilog) &&
	       !exists_anywhere(g, &b);
}

/*
 * Aggregate the dkeys of @o after @start (all when @from_first) until the budget is
 * spent or, when @end is given (replay), through @end. Returns whether the object is
 * finished; *@last is the last dkey handled (pointer into the tree until it changes).
 */
static bool
obj_aggregate(struct agg *g, struct vos_orec *o, bool from_first, const struct vos_skey *start,
	      const struct vos_skey *end, bool finish, uint8_t **last, uint32_t *last_len)
{
	struct bounds b;
	struct d_btr_iter it;
	struct key_list gone = { 0 };
	bool finished = true;
	uint32_t r;
	int rc;

	for (r = 0; r < g->nr_rp; r++) {
		b.exists[r] = true;
		b.at[r] = (struct vos_stamp){ 0, 0 };
	}
	bounds_add(g, &b, &o->ilog);
	*last = NULL;
	*last_len = 0;
	rc = from_first ? d_btr_iter_seek(&it, &o->dkeys, D_BTR_SEEK_FIRST, NULL)
			: d_btr_iter_seek(&it, &o->dkeys, D_BTR_SEEK_GT, start);
	for (; rc == 0; rc = d_btr_iter_next(&it)) {
		struct vos_krec *d = d_btr_iter_entry(&it);

		if (end == NULL && g->budget == 0) {
			finished = false;
			break;
		}
		if (end != NULL && vos_key_cmp(end, &d->key) < 0) {
			finished = false;
			break;
		}
		if (dkey_aggregate(g, d, b))
			key_list_add(&gone, &d->key);
		d_free(*last);
		*last = d_malloc(d->key.len);
		if (*last != NULL) {
			memcpy(*last, vos_key_bytes(&d->key), d->key.len);
			*last_len = d->key.len;
		}
		if (end != NULL && vos_key_cmp(end, &d->key) == 0) {
			finished = finish;
			break;
		}
	}
	key_list_remove(g, &gone, &o->dkeys);
	if (finished)
		ilog_aggregate(g, &o->ilog);
	return finished;
}

static int
read_points(struct agg *g, uint64_t epoch, const uint64_t *snaps, uint32_t nr)
{
	uint32_t i;

	g->epoch = epoch;
	g->nr_rp = 0;
	for (i = 0; i < nr; i++) {
		if (i > 0 && snaps[i] < snaps[i - 1])
			return -DER_INVAL; /* must be sorted */
		if (snaps[i] >= epoch || (g->nr_rp > 0 && g->rp[g->nr_rp - 1] == snaps[i]))
			continue;
		if (g->nr_rp == READ_POINTS_MAX)
			return -DER_INVAL;
		g->rp[g->nr_rp++] = snaps[i];
	}
	g->rp[g->nr_rp++] = epoch;
	return 0;
}

/* Remove the object if it holds nothing and exists at no read point. */
static void
obj_maybe_remove(struct agg *g, struct vos_oid *oid)
{
	struct vos_orec *o = vos_obj_find(g->cont, oid);
	struct bounds b;
	struct vos_orec rec;
	uint32_t r;

	if (o == NULL || !d_btr_is_empty(&o->dkeys) || ilog_has_future(g, &o->ilog))
		return;
	for (r = 0; r < g->nr_rp; r++)
		b.exists[r] = true;
	bounds_add(g, &b, &o->ilog);
	if (exists_anywhere(g, &b))
		return;
	if (d_btr_delete(&g->cont->objs, oid, &rec) == 0) {
		vos_orec_fini(g->pool, &rec, g->batch);
		g->removed++;
	}
}

static uint64_t
agg_rec_size(const struct agg *g, uint32_t first_len, uint32_t last_len)
{
	return 16 + 8 + 4 + 8 * (g->nr_rp - 1) + 20 + 1 + 4 + first_len + 4 + last_len;
}

int
vos_aggregate(struct vos_cont *cont, uint64_t epoch, const uint64_t *snaps, uint32_t nr_snaps,
	      uint32_t budget)
{
	struct vos_pool *pool = cont->pool;
	struct agg g = { .pool = pool, .cont = cont, .budget = budget ? budget : 1 };
	struct vos_skey start;
	struct d_btr_iter it;
	struct vos_orec *o;
	struct vos_oid oid;
	uint8_t *last = NULL;
	uint32_t last_len = 0;
	bool from_first;
	bool finished;
	int64_t before = d_alloc_thread_bytes();
	struct buf rec;
	uint32_t i;
	int rc;

	if (epoch == 0 || epoch == VOS_EPOCH_MAX || (nr_snaps > 0 && snaps == NULL))
		return -DER_INVAL;
	rc = read_points(&g, epoch, snaps, nr_snaps);
	if (rc != 0)
		return rc;
	rc = cont->agg_started ? d_btr_iter_seek(&it, &cont->objs, D_BTR_SEEK_GE, &cont->agg_oid)
			       : d_btr_iter_seek(&it, &cont->objs, D_BTR_SEEK_FIRST, NULL);
	if (rc != 0) {
		/* Past the last object: the container is done; start over next time. */
		cont->agg_started = false;
		d_free(cont->agg_dkey);
		cont->agg_dkey = NULL;
		return 0;
	}
	o = d_btr_iter_entry(&it);
	oid = (struct vos_oid){ o->lo, o->hi, o->shard };
	from_first = !cont->agg_started || oid.lo != cont->agg_oid.lo ||
		     oid.hi != cont->agg_oid.hi || oid.shard != cont->agg_oid.shard ||
		     cont->agg_dkey == NULL;
	start = (struct vos_skey){ 0 };
	if (!from_first) {
		d_iov_t iov;

		d_iov_set(&iov, cont->agg_dkey, cont->agg_dkey_len);
		vos_skey_init(&start, vos_oid_dkey_kind(&oid), &iov);
	}
	if (pool->wal != NULL) {
		/* Room for the record, before anything changes. */
		rc = vos_wal_rec_begin(pool, VOS_REC_AGG_DEL,
				       agg_rec_size(&g, from_first ? 0 : start.len, VOS_KEY_MAX),
				       &rec);
		if (rc != 0)
			return rc;
		g.batch = vos_wal_open_batch(pool);
	}
	finished = obj_aggregate(&g, o, from_first, &start, NULL, false, &last, &last_len);
	if (pool->wal != NULL) {
		buf_put_bytes_raw(&rec, cont->uuid, 16);
		buf_put_u64(&rec, epoch);
		buf_put_u32(&rec, g.nr_rp - 1);
		for (i = 0; i + 1 < g.nr_rp; i++)
			buf_put_u64(&rec, g.rp[i]);
		buf_put_u64(&rec, oid.lo);
		buf_put_u64(&rec, oid.hi);
		buf_put_u32(&rec, oid.shard);
		buf_put_u8(&rec, (from_first ? 1 : 0) | (finished ? 2 : 0));
		buf_put_bytes(&rec, from_first ? NULL : start.buf, from_first ? 0 : start.len);
		buf_put_bytes(&rec, last, last_len);
		D_ASSERT(rec.err == 0);
		vos_wal_rec_end(pool, &rec, NULL, NULL);
	}
	if (finished) {
		obj_maybe_remove(&g, &oid);
		/* Resume after this object: the smallest oid greater than it. */
		cont->agg_started = true;
		cont->agg_oid = oid;
		if (++cont->agg_oid.shard == 0 && ++cont->agg_oid.lo == 0)
			cont->agg_oid.hi++;
		d_free(cont->agg_dkey);
		cont->agg_dkey = NULL;
		d_free(last);
	} else {
		cont->agg_started = true;
		cont->agg_oid = oid;
		d_free(cont->agg_dkey);
		cont->agg_dkey = last;
		cont->agg_dkey_len = last_len;
	}
	pool->mem_used += d_alloc_thread_bytes() - before;
	return 1;
}

int
vos_rec_agg(struct vos_pool *pool, const void *body, size_t len)
{
	struct buf b = BUF_INIT(body, len);
	struct agg g = { .pool = pool, .batch = 0 };
	const uint8_t *uuid = buf_get_bytes_raw(&b, 16);
	struct vos_skey first = { 0 };
	struct vos_skey last;
	struct vos_crec *c;
	struct vos_orec *o;
	struct vos_oid oid;
	const void *kb;
	size_t klen;
	uint8_t *handled;
	uint32_t handled_len;
	uint32_t i;
	uint8_t flags;
	d_iov_t iov;

	g.epoch = buf_get_u64(&b);
	g.nr_rp = buf_get_u32_max(&b, READ_POINTS_MAX);
	for (i = 0; i < g.nr_rp; i++)
		g.rp[i] = buf_get_u64(&b);
	g.rp[g.nr_rp++] = g.epoch;
	oid.lo = buf_get_u64(&b);
	oid.hi = buf_get_u64(&b);
	oid.shard = buf_get_u32(&b);
	flags = buf_get_u8(&b);
	if (uuid == NULL || b.err != 0 || (flags & ~3) != 0 || g.epoch == 0)
		return -DER_PROTO;
	kb = buf_get_bytes(&b, &klen);
	if (!(flags & 1)) {
		d_iov_set(&iov, (void *)(uintptr_t)kb, klen);
		if (kb == NULL || vos_skey_init(&first, vos_oid_dkey_kind(&oid), &iov) != 0)
			return -DER_PROTO;
	}
	kb = buf_get_bytes(&b, &klen);
	if (buf_finish(&b) != 0)
		return -DER_PROTO;
	c = d_btr_lookup(&pool->conts, uuid);
	if (c == NULL)
		return -DER_DF_INVAL;
	g.cont = c->cont;
	o = vos_obj_find(g.cont, &oid);
	if (o == NULL)
		return 0; /* nothing was there then either */
	if (kb != NULL && klen > 0) {
		d_iov_set(&iov, (void *)(uintptr_t)kb, klen);
		if (vos_skey_init(&last, vos_oid_dkey_kind(&oid), &iov) != 0)
			return -DER_PROTO;
		obj_aggregate(&g, o, flags & 1, &first, &last, flags & 2, &handled, &handled_len);
		d_free(handled);
	} else if (flags & 2) {
		ilog_aggregate(&g, &o->ilog);
	}
	if (flags & 2)
		obj_maybe_remove(&g, &oid);
	return 0;
}

/* --- discard --- */

static void
ilog_discard(struct vos_ilog *log, uint64_t lo, uint64_t hi)
{
	struct vos_ilog_ent *ents;
	uint32_t i = 0;

	while (i < log->nr) {
		ents = vos_ilog_ents(log);
		if (ents[i].epoch >= lo && ents[i].epoch <= hi)
			vos_ilog_del(log, ents[i].epoch, ents[i].seq);
		else
			i++;
	}
}

/* Remove entries of @tree (SV or extents) stamped in [lo, hi]. */
static void
values_discard(struct vos_pool *pool, struct vos_krec *a, uint64_t lo, uint64_t hi, uint64_t batch)
{
	struct d_btr_iter it;
	int rc;

	for (;;) {
		bool found = false;

		for (rc = d_btr_iter_seek(&it, &a->child, D_BTR_SEEK_FIRST, NULL); rc == 0;
		     rc = d_btr_iter_next(&it)) {
			if (a->type == VOS_IOD_SINGLE) {
				struct vos_sv *sv = d_btr_iter_entry(&it);
				struct vos_sv_key k = { sv->epoch, sv->seq };
				struct vos_sv gone;

				if (sv->epoch < lo || sv->epoch > hi)
					continue;
				d_btr_delete(&a->child, &k, &gone);
				vos_val_release(pool, gone.flags, gone.addr, gone.len, batch);
			} else {
				struct vos_ext *e = d_btr_iter_entry(&it);
				struct vos_ext_key k = { e->lo, e->epoch, e->seq };
				struct vos_ext gone;

				if (e->epoch < lo || e->epoch > hi)
					continue;
				d_btr_delete(&a->child, &k, &gone);
				vos_val_release(pool, gone.flags, gone.addr,
						(gone.hi - gone.lo + 1) * gone.rsize, batch);
			}
			found = true;
			break; /* the iterator is stale after a delete: start over */
		}
		if (!found)
			return;
	}
}

static void
cont_discard(struct vos_cont *cont, uint64_t lo, uint64_t hi, uint64_t batch)
{
	struct d_btr_iter oi;
	int rc;

	for (rc = d_btr_iter_seek(&oi, &cont->objs, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&oi)) {
		struct vos_orec *o = d_btr_iter_entry(&oi);
		struct d_btr_iter di;
		int drc;

		ilog_discard(&o->ilog, lo, hi);
		for (drc = d_btr_iter_seek(&di, &o->dkeys, D_BTR_SEEK_FIRST, NULL); drc == 0;
		     drc = d_btr_iter_next(&di)) {
			struct vos_krec *d = d_btr_iter_entry(&di);
			struct d_btr_iter ai;
			int arc;

			ilog_discard(&d->ilog, lo, hi);
			for (arc = d_btr_iter_seek(&ai, &d->child, D_BTR_SEEK_FIRST, NULL);
			     arc == 0; arc = d_btr_iter_next(&ai)) {
				struct vos_krec *a = d_btr_iter_entry(&ai);

				ilog_discard(&a->ilog, lo, hi);
				values_discard(cont->pool, a, lo, hi, batch);
			}
		}
	}
}

int
vos_discard(struct vos_cont *cont, uint64_t lo, uint64_t hi)
{
	struct vos_pool *pool = cont->pool;
	uint64_t batch = 0;
	struct buf rec;
	int rc;

	if (lo > hi || lo == 0)
		return -DER_INVAL;
	if (pool->wal != NULL) {
		rc = vos_wal_rec_begin(pool, VOS_REC_DISCARD, 32, &rec);
		if (rc != 0)
			return rc;
		batch = vos_wal_open_batch(pool);
	}
	cont_discard(cont, lo, hi, batch);
	if (pool->wal != NULL) {
		buf_put_bytes_raw(&rec, cont->uuid, 16);
		buf_put_u64(&rec, lo);
		buf_put_u64(&rec, hi);
		vos_wal_rec_end(pool, &rec, NULL, NULL);
	}
	return 0;
}

int
vos_rec_discard(struct vos_pool *pool, const void *body, size_t len)
{
	struct buf b = BUF_INIT(body, len);
	const uint8_t *uuid = buf_get_bytes_raw(&b, 16);
	uint64_t lo = buf_get_u64(&b);
	uint64_t hi = buf_get_u64(&b);
	struct vos_crec *c;

	if (buf_finish(&b) != 0 || lo > hi || lo == 0)
		return -DER_PROTO;
	c = d_btr_lookup(&pool->conts, uuid);
	if (c == NULL)
		return -DER_DF_INVAL;
	cont_discard(c->cont, lo, hi, 0);
	return 0;
}
