/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_fetch.c - reading at an epoch.
 *
 * A fetch first resolves everything against the index (pass 1): which object, keys and
 * versions are visible, which pieces of which extents make up each requested range, and
 * whether the caller's buffers are large enough. Every error a fetch can report, except
 * I/O errors, is found here and returned before anything happens. Pass 2 copies inline
 * data at once and reads data-blob values through the queue (on a memory device they are
 * copied straight from the mapping, at once); the callback runs when the last read
 * completes. Reads record what they need (address, offsets) at resolution
 * time, so the index may change while they are in flight.
 *
 * Visibility of array data (see docs/design/vos.md): the extents overlapping a range
 * with a stamp at or below (epoch, max) and above the ancestors' newest punch are taken
 * newest first; each claims the indices not yet claimed by a newer one. Punched extents
 * claim indices without data (holes). The extent tree is augmented with each subtree's
 * largest end, so the search only visits subtrees that can overlap.
 *
 * Checksums: a data-blob value read whole is verified against the CRC32C stored with
 * it; a mismatch is -DER_CSUM (and logged), never wrong data. Partial reads are not
 * verified (the checksum covers the value, not its pieces).
 */
#define D_LOGFAC DD_FAC(vos)

#include "common/csum.h"
#include "common/sort.h"
#include "vos/vos_int.h"

/* One copy of pass 2: @len bytes of a value into iod @iod's buffer at @dst. */
struct fetch_op {
	uint32_t iod;
	uint32_t flags; /* VOS_VAL_INLINE or VOS_VAL_DATA */
	uint64_t dst;   /* byte offset in the iod's sgl */
	uint64_t len;
	uint64_t addr;    /* inline pointer or data block */
	uint64_t src;     /* byte offset inside the value */
	uint64_t val_len; /* bytes of the whole value */
	uint32_t csum;
};

#define FETCH_OPS_INLINE 8

struct fetch_ctx {
	struct vos_pool *pool;
	d_sg_list_t *sgls;
	vos_done_fn cb;
	void *arg;
	int status;
	uint32_t pending; /* reads in flight, plus one while submitting */
	struct fetch_op *ops;
	uint32_t nr_ops;
	uint32_t cap_ops;
	bool on_heap; /* the context itself was allocated (reads in flight) */
	struct fetch_op inl[FETCH_OPS_INLINE];
};

static void
fetch_ctx_free(struct fetch_ctx *ctx)
{
	if (ctx->ops != ctx->inl)
		d_free(ctx->ops);
	if (ctx->on_heap)
		d_free(ctx);
}

/* A read in flight. */
struct fetch_read {
	struct fetch_ctx *ctx;
	struct fetch_op op;
	uint64_t skip; /* bytes of the first block before the wanted ones */
	void *buf;
};

static int
op_add(struct fetch_ctx *ctx, const struct fetch_op *op)
{
	if (op->len == 0)
		return 0;
	if (ctx->nr_ops == ctx->cap_ops) {
		uint32_t cap = ctx->cap_ops * 2;
		struct fetch_op *ops;

		if (ctx->ops == ctx->inl) {
			ops = d_reallocarray(NULL, cap, sizeof(*ops));
			if (ops != NULL)
				memcpy(ops, ctx->inl, sizeof(ctx->inl));
		} else {
			ops = d_reallocarray(ctx->ops, cap, sizeof(*ops));
		}
		if (ops == NULL)
			return -DER_NOMEM;
		ctx->ops = ops;
		ctx->cap_ops = cap;
	}
	ctx->ops[ctx->nr_ops++] = *op;
	return 0;
}

static uint64_t
sgl_room(const d_sg_list_t *sgl)
{
	uint64_t room = 0;
	uint32_t i;

	for (i = 0; i < sgl->sg_nr; i++)
		room += sgl->sg_iovs[i].iov_buf_len;
	return room;
}

/* Copy @len bytes at @src into @sgl from byte @off on. */
static void
sgl_copy_in(d_sg_list_t *sgl, uint64_t off, const void *src, uint64_t len)
{
	const uint8_t *p = src;
	uint32_t i;

	for (i = 0; i < sgl->sg_nr && len > 0; i++) {
		d_iov_t *iov = &sgl->sg_iovs[i];
		uint64_t n;

		if (off >= iov->iov_buf_len) {
			off -= iov->iov_buf_len;
			continue;
		}
		n = D_MIN(len, iov->iov_buf_len - off);
		memcpy((uint8_t *)iov->iov_buf + off, p, n);
		p += n;
		len -= n;
		off = 0;
	}
}

/* Set iov_len and sg_nr_out for @total bytes of data. */
static void
sgl_set_len(d_sg_list_t *sgl, uint64_t total)
{
	uint32_t i;

	sgl->sg_nr_out = 0;
	for (i = 0; i < sgl->sg_nr; i++) {
		d_iov_t *iov = &sgl->sg_iovs[i];

		iov->iov_len = D_MIN(total, iov->iov_buf_len);
		total -= iov->iov_len;
		if (iov->iov_len > 0)
			sgl->sg_nr_out = i + 1;
	}
}

/* The visibility bound of what lies under the akey: the ancestors' newest punch. */
static struct vos_stamp
stamp_max(struct vos_stamp a, struct vos_stamp b)
{
	return vos_stamp_cmp(a.epoch, a.seq, b.epoch, b.seq) >= 0 ? a : b;
}

static bool
stamp_above(uint64_t epoch, uint32_t seq, struct vos_stamp bound)
{
	return vos_stamp_cmp(epoch, seq, bound.epoch, bound.seq) > 0;
}

/* The visible version of a single value at @epoch above @bound, or NULL. */
static const struct vos_sv *
sv_visible(struct vos_krec *a, uint64_t epoch, struct vos_stamp bound)
{
	struct vos_sv_key k = { epoch, UINT32_MAX };
	struct d_btr_iter it;
	const struct vos_sv *sv;

	if (d_btr_iter_seek(&it, &a->child, D_BTR_SEEK_LE, &k) != 0)
		return NULL;
	sv = d_btr_iter_entry(&it);
	if (!stamp_above(sv->epoch, sv->seq, bound) || (sv->flags & VOS_VAL_PUNCH))
		return NULL;
	return sv;
}

static int
piece_add(struct vos_pieces *l, uint64_t lo, uint64_t hi, const struct vos_ext *e)
{
	if (l->nr == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 8;
		struct vos_piece *p = d_reallocarray(l->p, cap, sizeof(*p));

		if (p == NULL)
			return -DER_NOMEM;
		l->p = p;
		l->cap = cap;
	}
	l->p[l->nr++] = (struct vos_piece){ lo, hi, *e };
	return 0;
}

static int
ext_newest_first(const void *a, const void *b)
{
	const struct vos_ext *x = a;
	const struct vos_ext *y = b;

	return -vos_stamp_cmp(x->epoch, x->seq, y->epoch, y->seq);
}

static int
piece_by_lo(const void *a, const void *b)
{
	const struct vos_piece *x = a;
	const struct vos_piece *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int
vos_array_pieces(struct vos_krec *a, uint64_t lo, uint64_t hi, uint64_t epoch,
		 struct vos_stamp bound, struct vos_pieces *out)
{
	struct vos_ext *cand = NULL;
	uint32_t nr = 0;
	uint32_t cap = 0;
	struct vos_pieces claimed = { 0 };
	struct d_btr_iter it;
	uint64_t covered = 0; /* bytes of [lo, hi] claimed so far */
	uint32_t newest = 0;  /* in @cand */
	uint32_t i;
	int rc;

	/* 1. Extents overlapping [lo, hi] with a visible stamp. */
	rc = d_btr_iter_seek(&it, &a->child, D_BTR_SEEK_FIRST, NULL);
	if (rc == 0)
		rc = d_btr_iter_next_aug(&it, lo);
	while (rc == 0) {
		const struct vos_ext *e = d_btr_iter_entry(&it);

		if (e->lo > hi)
			break;
		if (e->hi >= lo && e->epoch <= epoch && stamp_above(e->epoch, e->seq, bound)) {
			if (nr == cap) {
				struct vos_ext *c;

				cap = cap ? cap * 2 : 8;
				c = d_reallocarray(cand, cap, sizeof(*c));
				if (c == NULL) {
					rc = -DER_NOMEM;
					goto out;
				}
				cand = c;
			}
			if (nr > 0 && ext_newest_first(e, &cand[newest]) < 0)
				newest = nr;
			cand[nr++] = *e;
		}
		rc = d_btr_iter_next(&it);
		if (rc == 0)
			rc = d_btr_iter_next_aug(&it, lo);
	}
	/*
	 * 2. Newest first, each claims what no newer one claimed; once [lo, hi] is all
	 * claimed the older ones are hidden (overwrites pile up versions until aggregation).
	 */
	if (nr > 1 && cand[newest].lo <= lo && cand[newest].hi >= hi) {
		/* The newest covers it all (an overwrite): no need to sort the rest. */
		rc = piece_add(out, lo, hi, &cand[newest]);
		goto out;
	}
	if (nr > 1)
		d_sort(cand, nr, sizeof(*cand), ext_newest_first);
	for (i = 0; i < nr; i++) {
		uint64_t cur = D_MAX(cand[i].lo, lo);
		uint64_t end = D_MIN(cand[i].hi, hi);
		uint32_t before = out->nr;
		bool done = false;
		uint32_t j;

		if (hi - lo != UINT64_MAX && covered == hi - lo + 1)
			break;

		/* @claimed is sorted by lo and disjoint: emit the gaps of [cur, end]. */
		for (j = 0; j < claimed.nr && !done; j++) {
			const struct vos_piece *c = &claimed.p[j];

			if (c->hi < cur)
				continue;
			if (c->lo > end)
				break;
			if (c->lo > cur) {
				rc = piece_add(out, cur, c->lo - 1, &cand[i]);
				if (rc != 0)
					goto out;
			}
			/* c->hi >= end also covers end == UINT64_MAX (no c->hi + 1). */
			if (c->hi >= end)
				done = true;
			else
				cur = c->hi + 1;
		}
		if (!done) {
			rc = piece_add(out, cur, end, &cand[i]);
			if (rc != 0)
				goto out;
		}
		if (out->nr == before)
			continue;
		for (j = before; j < out->nr; j++)
			covered += out->p[j].hi - out->p[j].lo + 1;
		/* The claimed set is every piece so far, sorted. */
		claimed.nr = 0;
		for (j = 0; j < out->nr; j++) {
			rc = piece_add(&claimed, out->p[j].lo, out->p[j].hi, &out->p[j].e);
			if (rc != 0)
				goto out;
		}
		if (claimed.nr > 1)
			d_sort(claimed.p, claimed.nr, sizeof(*claimed.p), piece_by_lo);
	}
	if (out->nr > 1)
		d_sort(out->p, out->nr, sizeof(*out->p), piece_by_lo);
	rc = 0;
out:
	d_free(cand);
	d_free(claimed.p);
	if (rc == -DER_NONEXIST)
		rc = 0;
	return rc;
}

/* Merge [lo, hi] into the iom's list (kept sorted; adjacent extents merged). */
static void
iom_add(struct vos_iom *iom, uint64_t lo, uint64_t hi)
{
	struct vos_recx rx = { lo, hi - lo + 1 };

	if (iom->nr == 0) {
		iom->lo = rx;
		iom->hi = rx;
	} else {
		if (lo < iom->lo.idx)
			iom->lo = rx;
		if (lo >= iom->hi.idx)
			iom->hi = rx;
	}
	if (iom->cap == 0) {
		iom->nr++;
		return;
	}
	/* Pieces arrive sorted within a recx; recxs may come in any order. */
	if (iom->nr > 0 && iom->nr <= iom->cap) {
		struct vos_recx *last = &iom->recxs[iom->nr - 1];

		if (last->idx + last->nr == lo) {
			last->nr += rx.nr;
			return;
		}
	}
	if (iom->nr < iom->cap)
		iom->recxs[iom->nr] = rx;
	iom->nr++;
}

/* Resolve one array iod into copy operations. */
static int
resolve_array(struct fetch_ctx *ctx, uint32_t i, struct vos_krec *a, uint64_t epoch,
	      struct vos_stamp bound, struct vos_iod *iod, struct vos_iom *iom)
{
	uint64_t rsize = iod->size;
	uint64_t dst = 0;
	uint64_t total = 0;
	uint32_t r;
	int rc = 0;

	for (r = 0; r < iod->nr; r++) {
		struct vos_recx *rx = &iod->recxs[r];
		struct vos_pieces pl = { 0 };
		uint32_t p;

		rc = a == NULL ? 0
			       : vos_array_pieces(a, rx->idx, rx->idx + rx->nr - 1, epoch, bound,
						  &pl);
		if (rc != 0)
			return rc;
		for (p = 0; p < pl.nr && rc == 0; p++) {
			struct vos_piece *pc = &pl.p[p];

			if (pc->e.flags & VOS_VAL_PUNCH)
				continue;
			if (rsize == 0) {
				/* DAOS_REC_ANY: take the size of the data found. */
				rsize = pc->e.rsize;
			} else if (pc->e.rsize != rsize) {
				rc = -DER_REC_SIZE;
				break;
			}
			if (iom != NULL)
				iom_add(iom, pc->lo, pc->hi);
			rc = op_add(ctx, &(struct fetch_op){
						 .iod = i,
						 .flags = pc->e.flags,
						 .dst = dst + (pc->lo - rx->idx) * rsize,
						 .len = (pc->hi - pc->lo + 1) * rsize,
						 .addr = pc->e.addr,
						 .src = (pc->lo - pc->e.lo) * rsize,
						 .val_len = (pc->e.hi - pc->e.lo + 1) * rsize,
						 .csum = pc->e.csum,
					 });
		}
		d_free(pl.p);
		if (rc != 0)
			return rc;
		/*
		 * The buffer layout depends on rsize; with DAOS_REC_ANY it is known only
		 * once data is found, so earlier recxs (all holes) contribute 0 bytes.
		 */
		dst += rx->nr * rsize;
		total = dst;
	}
	iod->size = rsize;
	if (total > sgl_room(&ctx->sgls[i]))
		return -DER_REC2BIG;
	sgl_set_len(&ctx->sgls[i], total);
	return 0;
}

static int
resolve_single(struct fetch_ctx *ctx, uint32_t i, struct vos_krec *a, uint64_t epoch,
	       struct vos_stamp bound, struct vos_iod *iod)
{
	const struct vos_sv *sv = a == NULL ? NULL : sv_visible(a, epoch, bound);

	if (sv == NULL) {
		iod->size = 0;
		sgl_set_len(&ctx->sgls[i], 0);
		return 0;
	}
	if (iod->size != 0 && iod->size < sv->len) {
		iod->size = sv->len;
		return -DER_REC2BIG;
	}
	iod->size = sv->len;
	if (sv->len > sgl_room(&ctx->sgls[i]))
		return -DER_REC2BIG;
	sgl_set_len(&ctx->sgls[i], sv->len);
	return op_add(ctx, &(struct fetch_op){
				   .iod = i,
				   .flags = sv->flags,
				   .dst = 0,
				   .len = sv->len,
				   .addr = sv->addr,
				   .src = 0,
				   .val_len = sv->len,
				   .csum = sv->csum,
			   });
}

static void
fetch_finish(struct fetch_ctx *ctx)
{
	ctx->cb(ctx->arg, ctx->status);
	fetch_ctx_free(ctx);
}

static void
fetch_put(struct fetch_ctx *ctx)
{
	D_ASSERT(ctx->pending > 0);
	if (--ctx->pending == 0)
		fetch_finish(ctx);
}

static void
read_done(void *arg, int status)
{
	struct fetch_read *rd = arg;
	struct fetch_ctx *ctx = rd->ctx;
	struct vos_pool *pool = ctx->pool;
	const uint8_t *data = (const uint8_t *)rd->buf + rd->skip;

	if (status == 0 && rd->op.src == 0 && rd->op.len == rd->op.val_len &&
	    d_crc32c(0, data, rd->op.len) != rd->op.csum) {
		D_ERROR("pool " DF_UUIDF " target %u: data at block " DF_U64
			" failed its checksum (%" PRIu64 " bytes)",
			DP_UUID(pool->uuid), pool->target, rd->op.addr, rd->op.len);
		status = -DER_CSUM;
	}
	if (status == 0)
		sgl_copy_in(&ctx->sgls[rd->op.iod], rd->op.dst, data, rd->op.len);
	else if (ctx->status == 0)
		ctx->status = status;
	d_free(rd->buf);
	d_free(rd);
	D_ASSERT(pool->nr_reads > 0);
	if (--pool->nr_reads == 0)
		vos_reads_drained(pool);
	fetch_put(ctx);
}

static int
read_submit(struct fetch_ctx *ctx, const struct fetch_op *op)
{
	struct vos_pool *pool = ctx->pool;
	uint64_t first = op->src / BIO_BLOCK_SIZE;
	uint64_t last = (op->src + op->len - 1) / BIO_BLOCK_SIZE;
	uint64_t bytes = (last - first + 1) * BIO_BLOCK_SIZE;
	struct fetch_read *rd;
	int rc;

	rd = d_calloc(1, sizeof(*rd));
	if (rd == NULL)
		return -DER_NOMEM;
	rd->buf = bio_buf_alloc(bytes);
	if (rd->buf == NULL) {
		d_free(rd);
		return -DER_NOMEM;
	}
	rd->ctx = ctx;
	rd->op = *op;
	rd->skip = op->src - first * BIO_BLOCK_SIZE;
	rc = bio_ioq_read(pool->ioq, pool->data_blob, (op->addr + first) * BIO_BLOCK_SIZE, rd->buf,
			  bytes, read_done, rd);
	if (rc != 0) {
		d_free(rd->buf);
		d_free(rd);
		return rc;
	}
	ctx->pending++;
	pool->nr_reads++;
	return 0;
}

/*
 * On a memory device, data-blob values are read where they lie: each op that can be
 * mapped becomes a copy from the mapping (VOS_VAL_MAPPED, addr the value's address),
 * with no bounce buffer and no queue. Ops that cannot (a chunk that cannot be populated)
 * stay reads.
 */
static void
fetch_map(struct fetch_ctx *ctx)
{
	struct vos_pool *pool = ctx->pool;
	uint32_t i;

	if (pool->data_blob == NULL || !bio_blob_mem(pool->data_blob))
		return;
	for (i = 0; i < ctx->nr_ops; i++) {
		struct fetch_op *op = &ctx->ops[i];
		void *p;

		if (!(op->flags & VOS_VAL_DATA) ||
		    bio_blob_map(pool->data_blob, op->addr * BIO_BLOCK_SIZE, op->val_len, &p) != 0)
			continue;
		op->flags = VOS_VAL_MAPPED;
		op->addr = (uint64_t)(uintptr_t)p;
	}
}

/* Pass 2: copy inline and mapped data now, start the reads. */
static void
fetch_execute(struct fetch_ctx *ctx)
{
	uint32_t i;
	int rc;

	for (i = 0; i < ctx->nr_ops; i++) {
		const struct fetch_op *op = &ctx->ops[i];
		const uint8_t *src = (const uint8_t *)(uintptr_t)op->addr;

		if ((op->flags & VOS_VAL_MAPPED) && op->src == 0 && op->len == op->val_len &&
		    d_crc32c(0, src, op->len) != op->csum) {
			D_ERROR("pool " DF_UUIDF " target %u: a value failed its checksum (%" PRIu64
				" bytes)",
				DP_UUID(ctx->pool->uuid), ctx->pool->target, op->len);
			if (ctx->status == 0)
				ctx->status = -DER_CSUM;
			continue;
		}
		if (op->flags & (VOS_VAL_INLINE | VOS_VAL_MAPPED)) {
			sgl_copy_in(&ctx->sgls[op->iod], op->dst, src + op->src, op->len);
			continue;
		}
		rc = read_submit(ctx, op);
		if (rc != 0 && ctx->status == 0)
			ctx->status = rc;
	}
}

struct akey_state {
	struct vos_krec *a;
	struct vos_stamp bound;
};

int
vos_obj_fetch(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
	      const d_iov_t *dkey, uint32_t nr, struct vos_iod *iods, d_sg_list_t *sgls,
	      struct vos_iom *ioms, vos_done_fn cb, void *arg)
{
	struct vos_pool *pool = cont->pool;
	struct vos_stamp bound = { 0, 0 };
	struct fetch_ctx stack_ctx;
	struct fetch_ctx *ctx = &stack_ctx;
	struct vos_skey dk;
	struct vos_orec *o;
	struct vos_krec *d = NULL;
	uint32_t i;
	int rc;

	if (cb == NULL || epoch == 0 || nr == 0 || iods == NULL || sgls == NULL)
		return -DER_INVAL;
	rc = vos_skey_init(&dk, vos_oid_dkey_kind(oid), dkey);
	if (rc != 0)
		return rc;
	ctx->pool = pool;
	ctx->ops = ctx->inl;
	ctx->nr_ops = 0;
	ctx->cap_ops = FETCH_OPS_INLINE;
	ctx->on_heap = false;
	ctx->status = 0;
	ctx->pending = 0;
	ctx->sgls = sgls;
	ctx->cb = cb;
	ctx->arg = arg;

	o = vos_obj_find(cont, oid);
	if (o != NULL && vos_ilog_exists(&o->ilog, epoch)) {
		bound = vos_ilog_punched(&o->ilog, epoch);
		d = d_btr_lookup(&o->dkeys, &dk);
		if (d != NULL && vos_ilog_exists(&d->ilog, epoch))
			bound = stamp_max(bound, vos_ilog_punched(&d->ilog, epoch));
		else
			d = NULL;
	}
	if (d == NULL && (flags & VOS_COND_DKEY_FETCH)) {
		rc = -DER_NONEXIST;
		goto out_free;
	}
	for (i = 0; i < nr; i++) {
		struct vos_iod *iod = &iods[i];
		uint64_t akey_flags = (flags & VOS_COND_PER_AKEY) ? iod->flags : flags;
		struct vos_stamp ab = bound;
		struct vos_krec *a = NULL;
		struct vos_skey ak;

		if (ioms != NULL)
			ioms[i].nr = 0;
		rc = vos_skey_init(&ak, vos_oid_akey_kind(oid), &iod->name);
		if (rc != 0)
			goto out_free;
		if (iod->type != VOS_IOD_SINGLE && iod->type != VOS_IOD_ARRAY) {
			rc = -DER_INVAL;
			goto out_free;
		}
		if (iod->type == VOS_IOD_ARRAY && iod->nr > 0 && iod->recxs == NULL) {
			rc = -DER_INVAL;
			goto out_free;
		}
		if (d != NULL) {
			a = d_btr_lookup(&d->child, &ak);
			if (a != NULL && vos_ilog_exists(&a->ilog, epoch))
				ab = stamp_max(ab, vos_ilog_punched(&a->ilog, epoch));
			else
				a = NULL;
		}
		if (a == NULL && (akey_flags & VOS_COND_AKEY_FETCH)) {
			rc = -DER_NONEXIST;
			goto out_free;
		}
		if (a != NULL && a->type != (uint32_t)iod->type) {
			rc = -DER_INVAL;
			goto out_free;
		}
		if (iod->type == VOS_IOD_SINGLE)
			rc = resolve_single(ctx, i, a, epoch, ab, iod);
		else
			rc = resolve_array(ctx, i, a, epoch, ab, iod, ioms ? &ioms[i] : NULL);
		if (rc != 0)
			goto out_free;
	}
	fetch_map(ctx);
	for (i = 0; i < ctx->nr_ops && !(ctx->ops[i].flags & VOS_VAL_DATA); i++)
		;
	if (i < ctx->nr_ops) {
		/* Reads will complete later: the context must outlive this call. */
		struct fetch_ctx *heap = d_malloc(sizeof(*heap));

		if (heap == NULL) {
			rc = -DER_NOMEM;
			goto out_free;
		}
		*heap = *ctx;
		if (ctx->ops == ctx->inl)
			heap->ops = heap->inl;
		heap->on_heap = true;
		ctx = heap;
	}
	ctx->pending = 1;
	fetch_execute(ctx);
	if (ctx->pending == 1 && ctx->status == 0) {
		/* Everything came from the index: complete now, no callback. */
		fetch_ctx_free(ctx);
		return 0;
	}
	if (ctx->pending == 1) {
		/* Reads could not even be queued: report it like an I/O error would be. */
		vos_defer_cb(pool, cb, arg, ctx->status);
		fetch_ctx_free(ctx);
		return 1;
	}
	fetch_put(ctx);
	return 1;

out_free:
	fetch_ctx_free(ctx);
	return rc;
}
