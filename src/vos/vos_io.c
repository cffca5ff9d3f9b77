/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_io.c - updates and punches as the engine calls them: validate, check conditions,
 * write large values to the data blob, then apply to the index and log.
 *
 * An update with values of VOS_DATA_THRESH bytes or more first reserves blocks in the
 * data blob and writes them (through the queue; straight from the caller's buffer when
 * it is one aligned iov, else through an aligned copy), computing each value's CRC32C.
 * When the writes complete, conditions are checked again (another update may have come
 * in between), the change is applied and its WAL record queued; the caller's callback
 * runs when that record's batch is durable. Until the writes complete the update is not
 * visible; once applied it is visible to reads on this target even before it is durable
 * (as a DAOS engine shows data its own target holds), but it is acknowledged only after.
 *
 * Everything an update needs later is copied at submission (keys, extents), except the
 * value bytes, which the caller keeps until its callback.
 */
#define D_LOGFAC DD_FAC(vos)

#include "common/csum.h"
#include "common/freelist.h"
#include "vos/vos_int.h"

struct upd_akey {
	struct vos_skey akey;
	enum vos_iod_type type;
	uint64_t rsize;
	uint64_t flags;         /* per-akey conditions */
	uint32_t nr;            /* values: 1 for single, recxs for arrays */
	struct vos_recx *recxs; /* @recx_inl when nr is 1 */
	struct vos_val *vals;   /* @val_inl when nr is 1 */
	struct vos_recx recx_inl;
	struct vos_val val_inl;
};

/* The common update (one akey, one value, short keys) allocates only its context. */
#define UPD_KEYS_INLINE 64

struct upd_ctx {
	struct vos_cont *cont;
	struct vos_oid oid;
	uint64_t epoch;
	uint64_t flags;
	struct vos_skey dkey;
	uint32_t nr;
	struct upd_akey *akeys; /* @akey_inl when nr is 1 */
	uint32_t writes;        /* data writes in flight */
	int status;
	vos_done_fn cb;
	void *arg;
	void **bounce; /* buffers to free at the end */
	uint32_t nr_bounce;
	bool zc;               /* vos_update_begin: the caller fills @zsgls */
	d_sg_list_t *zsgls;    /* one per akey, over @ziovs (with them in one allocation) */
	struct zc_fill *zfill; /* per iov of @zsgls, in the same allocation */
	uint8_t *keybuf;       /* copies of the keys: @key_inl when they fit */
	struct upd_akey akey_inl;
	uint8_t key_inl[UPD_KEYS_INLINE];
};

/* A value of a zero-copy update, and how much of it vos_update_filled() checksummed. */
struct zc_fill {
	struct vos_val *val;
	uint64_t done; /* bytes in val->csum, from the start; ZC_UNORDERED: recompute */
};
#define ZC_UNORDERED UINT64_MAX

/* Contexts freed on this thread, for the next updates; drained when a pool closes. */
static __thread struct d_freelist upd_cache;
#define UPD_CACHE_MAX 64

void
vos_io_cache_drain(void)
{
	d_freelist_drain(&upd_cache);
}

static void
upd_free(struct upd_ctx *u)
{
	uint32_t i;

	for (i = 0; i < u->nr_bounce; i++)
		d_free(u->bounce[i]);
	d_free(u->bounce);
	if (u->akeys != NULL) {
		for (i = 0; i < u->nr; i++) {
			if (u->akeys[i].recxs != &u->akeys[i].recx_inl)
				d_free(u->akeys[i].recxs);
			if (u->akeys[i].vals != &u->akeys[i].val_inl)
				d_free(u->akeys[i].vals);
		}
		if (u->akeys != &u->akey_inl)
			d_free(u->akeys);
	}
	if (u->keybuf != u->key_inl)
		d_free(u->keybuf);
	if (u->zc)
		vos_cont_close(u->cont);
	d_free(u->zsgls);
	d_freelist_put(&upd_cache, u, UPD_CACHE_MAX);
}

/* Give back data blocks reserved for @u (the update did not happen). */
static void
upd_unreserve(struct upd_ctx *u)
{
	struct vos_pool *pool = u->cont->pool;
	uint32_t i;
	uint32_t v;

	for (i = 0; i < u->nr; i++) {
		for (v = 0; v < u->akeys[i].nr; v++) {
			struct vos_val *val = &u->akeys[i].vals[v];

			if (val->flags & VOS_VAL_DATA)
				bio_alloc_cancel(pool->alloc, val->addr, vos_blocks(val->len));
			val->flags &= ~VOS_VAL_DATA;
		}
	}
}

static int
bounce_keep(struct upd_ctx *u, void *buf)
{
	void **b = d_reallocarray(u->bounce, u->nr_bounce + 1, sizeof(*b));

	if (b == NULL)
		return -DER_NOMEM;
	u->bounce = b;
	u->bounce[u->nr_bounce++] = buf;
	return 0;
}

/* Bytes available in @sgl (iov_len: what the caller says holds data). */
static uint64_t
sgl_bytes(const d_sg_list_t *sgl)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < sgl->sg_nr; i++)
		n += sgl->sg_iovs[i].iov_len;
	return n;
}

/* If [off, off + len) of @sgl lies in one iov, a pointer to it; else NULL. */
static const void *
sgl_contig(const d_sg_list_t *sgl, uint64_t off, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < sgl->sg_nr; i++) {
		const d_iov_t *iov = &sgl->sg_iovs[i];

		if (off < iov->iov_len)
			return off + len <= iov->iov_len ? (const uint8_t *)iov->iov_buf + off
							 : NULL;
		off -= iov->iov_len;
	}
	return NULL;
}

static void
sgl_gather(const d_sg_list_t *sgl, uint64_t off, void *dst, uint64_t len)
{
	uint8_t *p = dst;
	uint32_t i;

	for (i = 0; i < sgl->sg_nr && len > 0; i++) {
		const d_iov_t *iov = &sgl->sg_iovs[i];
		uint64_t n;

		if (off >= iov->iov_len) {
			off -= iov->iov_len;
			continue;
		}
		n = D_MIN(len, iov->iov_len - off);
		memcpy(p, (const uint8_t *)iov->iov_buf + off, n);
		p += n;
		len -= n;
		off = 0;
	}
}

/* Does the entity at this level exist at @epoch? */
static bool
exists(const struct vos_ilog *log, uint64_t epoch)
{
	return log != NULL && vos_ilog_exists(log, epoch);
}

/* Check the update's conditions and the akeys' kinds against the index now. */
static int
upd_check(struct upd_ctx *u)
{
	struct vos_orec *o = vos_obj_find(u->cont, &u->oid);
	struct vos_krec *d = NULL;
	bool dkey_exists = false;
	uint32_t i;

	if (o != NULL && exists(&o->ilog, u->epoch)) {
		d = d_btr_lookup(&o->dkeys, &u->dkey);
		dkey_exists = d != NULL && exists(&d->ilog, u->epoch);
	}
	if ((u->flags & VOS_COND_DKEY_INSERT) && dkey_exists)
		return -DER_EXIST;
	if ((u->flags & VOS_COND_DKEY_UPDATE) && !dkey_exists)
		return -DER_NONEXIST;
	for (i = 0; i < u->nr; i++) {
		struct upd_akey *ak = &u->akeys[i];
		struct vos_krec *a = d == NULL ? NULL : d_btr_lookup(&d->child, &ak->akey);
		bool akey_exists = dkey_exists && a != NULL && exists(&a->ilog, u->epoch);

		if (a != NULL && a->type != (uint32_t)ak->type)
			return -DER_INVAL;
		if ((ak->flags & VOS_COND_AKEY_INSERT) && akey_exists)
			return -DER_EXIST;
		if ((ak->flags & VOS_COND_AKEY_UPDATE) && !akey_exists)
			return -DER_NONEXIST;
	}
	return 0;
}

/* --- the WAL record of an update (body layout: vos_wal.c) --- */

static uint64_t
upd_rec_size(const struct upd_ctx *u)
{
	uint64_t n = 16 + 8 + 8 + 4 + 8 + 4 + 4 + u->dkey.len + 4;
	uint32_t i;
	uint32_t v;

	for (i = 0; i < u->nr; i++) {
		const struct upd_akey *ak = &u->akeys[i];

		n += 4 + ak->akey.len + 1 + 8 + 4;
		for (v = 0; v < ak->nr; v++) {
			const struct vos_val *val = &ak->vals[v];

			n += (ak->type == VOS_IOD_ARRAY ? 16 : 0) + 4;
			if (val->flags & VOS_VAL_INLINE)
				n += 4 + val->len;
			else if (val->flags & VOS_VAL_DATA)
				n += 8 + 8 + 4;
		}
	}
	return n;
}

static void
upd_rec_encode(const struct upd_ctx *u, uint32_t seq, struct buf *b)
{
	uint32_t i;
	uint32_t v;

	buf_put_bytes_raw(b, u->cont->uuid, 16);
	buf_put_u64(b, u->oid.lo);
	buf_put_u64(b, u->oid.hi);
	buf_put_u32(b, u->oid.shard);
	buf_put_u64(b, u->epoch);
	buf_put_u32(b, seq);
	buf_put_bytes(b, u->dkey.buf, u->dkey.len);
	buf_put_u32(b, u->nr);
	for (i = 0; i < u->nr; i++) {
		const struct upd_akey *ak = &u->akeys[i];

		buf_put_bytes(b, ak->akey.buf, ak->akey.len);
		buf_put_u8(b, (uint8_t)ak->type);
		buf_put_u64(b, ak->rsize);
		buf_put_u32(b, ak->nr);
		for (v = 0; v < ak->nr; v++) {
			const struct vos_val *val = &ak->vals[v];

			if (ak->type == VOS_IOD_ARRAY) {
				buf_put_u64(b, ak->recxs[v].idx);
				buf_put_u64(b, ak->recxs[v].nr);
			}
			buf_put_u32(b, val->flags);
			if (val->flags & VOS_VAL_INLINE) {
				buf_put_bytes(b, val->inl, val->len);
			} else if (val->flags & VOS_VAL_DATA) {
				buf_put_u64(b, val->addr);
				buf_put_u64(b, val->len);
				buf_put_u32(b, val->csum);
			}
		}
	}
}

/* Apply and log; the callback is now the WAL's (or deferred for volatile pools). */
static void
upd_commit(struct upd_ctx *u)
{
	struct vos_pool *pool = u->cont->pool;
	struct vos_apply_akey aa_inl[1];
	struct vos_apply_akey *aa = NULL;
	int64_t before;
	struct buf rec;
	uint32_t seq;
	uint32_t i;
	int rc;

	rc = u->status ?: upd_check(u);
	if (rc != 0)
		goto out_fail;
	aa = u->nr == 1 ? aa_inl : d_calloc(u->nr, sizeof(*aa));
	if (aa == NULL) {
		rc = -DER_NOMEM;
		goto out_fail;
	}
	for (i = 0; i < u->nr; i++) {
		aa[i] = (struct vos_apply_akey){
			.akey = u->akeys[i].akey,
			.type = u->akeys[i].type,
			.rsize = u->akeys[i].rsize,
			.nr = u->akeys[i].nr,
			.recxs = u->akeys[i].recxs,
			.vals = u->akeys[i].vals,
		};
	}
	if (pool->wal != NULL) {
		rc = vos_wal_rec_begin(pool, VOS_REC_UPDATE, upd_rec_size(u), &rec);
		if (rc != 0)
			goto out_fail;
	}
	seq = pool->next_seq++;
	/*
	 * Index memory is what applying allocates: not the WAL's batch buffers (a new
	 * batch may start in vos_wal_rec_begin, and is freed once written) nor @aa.
	 */
	before = d_alloc_thread_bytes();
	rc = vos_apply_update(u->cont, &u->oid, u->epoch, seq, &u->dkey, u->nr, aa);
	pool->mem_used += d_alloc_thread_bytes() - before;
	if (rc != 0) {
		if (pool->wal != NULL)
			vos_wal_rec_end(pool, NULL, NULL, NULL); /* drop the reserved record */
		goto out_fail;
	}
	if (pool->wal != NULL) {
		upd_rec_encode(u, seq, &rec);
		D_ASSERT(rec.err == 0);
		vos_wal_rec_end(pool, &rec, u->cb, u->arg);
	} else {
		vos_defer_cb(pool, u->cb, u->arg, 0);
	}
	if (aa != aa_inl)
		d_free(aa);
	upd_free(u);
	return;

out_fail:
	if (aa != aa_inl)
		d_free(aa);
	upd_unreserve(u);
	vos_defer_cb(pool, u->cb, u->arg, rc);
	upd_free(u);
}

static void
upd_write_done(void *arg, int status)
{
	struct upd_ctx *u = arg;

	if (status != 0 && u->status == 0)
		u->status = status;
	D_ASSERT(u->writes > 0);
	if (--u->writes == 0)
		upd_commit(u);
}

/* @len bytes at @off in @sgl (not in one iov) gathered into a copy @u keeps. */
static int
upd_gather(struct upd_ctx *u, const d_sg_list_t *sgl, uint64_t off, uint64_t len, const void **out)
{
	void *copy;
	int rc;

	copy = d_malloc(len);
	if (copy == NULL)
		return -DER_NOMEM;
	rc = bounce_keep(u, copy);
	if (rc != 0) {
		d_free(copy);
		return rc;
	}
	sgl_gather(sgl, off, copy, len);
	*out = copy;
	return 0;
}

/* Write value @val (bytes at @off in @sgl) to its reserved blocks. */
static int
upd_write(struct upd_ctx *u, struct vos_val *val, const d_sg_list_t *sgl, uint64_t off)
{
	struct vos_pool *pool = u->cont->pool;
	uint64_t padded = vos_blocks(val->len) * BIO_BLOCK_SIZE;
	const void *src = sgl_contig(sgl, off, val->len);
	bool mem = bio_blob_mem(pool->data_blob);
	int rc;

	if (mem) {
		/* a copy into memory: any alignment, no padding, bounce only to gather */
		padded = val->len;
		rc = src == NULL ? upd_gather(u, sgl, off, val->len, &src) : 0;
		if (rc != 0)
			return rc;
	} else if (src == NULL || ((uintptr_t)src % BIO_BLOCK_SIZE) != 0 || padded != val->len) {
		void *bounce = bio_buf_alloc(padded);

		if (bounce == NULL)
			return -DER_NOMEM;
		rc = bounce_keep(u, bounce);
		if (rc != 0) {
			d_free(bounce);
			return rc;
		}
		sgl_gather(sgl, off, bounce, val->len);
		memset((uint8_t *)bounce + val->len, 0, padded - val->len);
		src = bounce;
	}
	val->csum = d_crc32c(0, src, val->len);
	rc = bio_ioq_write(pool->ioq, pool->data_blob, val->addr * BIO_BLOCK_SIZE, src, padded,
			   upd_write_done, u);
	if (rc == 0) {
		u->writes++;
		pool->data_writes++;
	}
	return rc;
}

/* Copy the keys into one buffer the update owns. */
static int
upd_copy_keys(struct upd_ctx *u, const struct vos_iod *iods)
{
	uint64_t n = u->dkey.len;
	uint8_t *p;
	uint32_t i;

	for (i = 0; i < u->nr; i++)
		n += iods[i].name.iov_len;
	u->keybuf = n <= sizeof(u->key_inl) ? u->key_inl : d_malloc(n);
	if (u->keybuf == NULL)
		return -DER_NOMEM;
	p = u->keybuf;
	memcpy(p, u->dkey.buf, u->dkey.len);
	u->dkey.buf = p;
	p += u->dkey.len;
	for (i = 0; i < u->nr; i++) {
		memcpy(p, u->akeys[i].akey.buf, u->akeys[i].akey.len);
		u->akeys[i].akey.buf = p;
		p += u->akeys[i].akey.len;
	}
	return 0;
}

/* Validate iod @i and describe its values; nothing is reserved or written yet. */
static int
upd_akey_init(struct upd_ctx *u, uint32_t i, const struct vos_iod *iod, const d_sg_list_t *sgl)
{
	struct upd_akey *ak = &u->akeys[i];
	uint64_t need = 0;
	uint32_t v;
	int rc;

	rc = vos_skey_init(&ak->akey, vos_oid_akey_kind(&u->oid), &iod->name);
	if (rc != 0)
		return rc;
	for (v = 0; v < i; v++)
		if (u->akeys[v].akey.len == ak->akey.len &&
		    memcmp(u->akeys[v].akey.buf, ak->akey.buf, ak->akey.len) == 0)
			return -DER_INVAL; /* the same akey twice */
	ak->type = iod->type;
	ak->rsize = iod->size;
	ak->flags = (u->flags & VOS_COND_PER_AKEY) ? iod->flags : u->flags;
	if (iod->type == VOS_IOD_SINGLE) {
		if (iod->size > UINT32_MAX)
			return -DER_REC2BIG;
		ak->nr = 1;
		need = iod->size;
	} else if (iod->type == VOS_IOD_ARRAY) {
		if (iod->nr == 0 || iod->recxs == NULL || iod->size > UINT32_MAX)
			return -DER_INVAL;
		ak->nr = iod->nr;
		for (v = 0; v < iod->nr; v++) {
			const struct vos_recx *rx = &iod->recxs[v];

			if (rx->nr == 0 || rx->idx > UINT64_MAX - rx->nr + 1)
				return -DER_INVAL;
			if (iod->size != 0 && rx->nr > (UINT64_MAX - need) / iod->size)
				return -DER_INVAL;
			need += rx->nr * iod->size;
		}
		ak->recxs = ak->nr == 1 ? &ak->recx_inl : d_calloc(ak->nr, sizeof(*ak->recxs));
		if (ak->recxs == NULL)
			return -DER_NOMEM;
		memcpy(ak->recxs, iod->recxs, ak->nr * sizeof(*ak->recxs));
	} else {
		return -DER_INVAL;
	}
	if (need > 0 && !u->zc && (sgl == NULL || sgl_bytes(sgl) < need))
		return -DER_IO_INVAL;
	ak->vals = ak->nr == 1 ? &ak->val_inl : d_calloc(ak->nr, sizeof(*ak->vals));
	if (ak->vals == NULL)
		return -DER_NOMEM;
	for (v = 0; v < ak->nr; v++)
		ak->vals[v].len =
			iod->type == VOS_IOD_SINGLE ? iod->size : ak->recxs[v].nr * iod->size;
	return 0;
}

/* Place each value of akey @i: inline copy, or reserved blocks and a data write. */
static int
upd_akey_prepare(struct upd_ctx *u, uint32_t i, const d_sg_list_t *sgl)
{
	struct vos_pool *pool = u->cont->pool;
	struct upd_akey *ak = &u->akeys[i];
	uint64_t off = 0;
	uint32_t v;
	int rc;

	for (v = 0; v < ak->nr; v++) {
		struct vos_val *val = &ak->vals[v];
		uint64_t len = val->len;

		if (len == 0) {
			val->flags = VOS_VAL_PUNCH; /* size 0 punches (DAOS) */
			continue;
		}
		if (len >= VOS_DATA_THRESH && pool->alloc != NULL) {
			uint64_t blk;

			rc = bio_alloc_reserve(pool->alloc, vos_blocks(len), &blk);
			if (rc != 0)
				return rc;
			val->flags = VOS_VAL_DATA;
			val->addr = blk;
			rc = upd_write(u, val, sgl, off);
			if (rc != 0)
				return rc;
		} else {
			const void *p = sgl_contig(sgl, off, len);

			rc = p == NULL ? upd_gather(u, sgl, off, len, &p) : 0;
			if (rc != 0)
				return rc;
			val->flags = VOS_VAL_INLINE;
			val->inl = p;
		}
		off += len;
	}
	return 0;
}

/*
 * The part of an update common to both entry points: validate, check the conditions,
 * reserve index memory and copy the keys. Nothing is reserved in the data blob yet.
 */
static int
upd_start(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
	  const d_iov_t *dkey, uint32_t nr, const struct vos_iod *iods, const d_sg_list_t *sgls,
	  bool zc, struct upd_ctx **out)
{
	struct vos_pool *pool = cont->pool;
	uint64_t estimate = 512;
	struct upd_ctx *u;
	uint32_t i;
	uint32_t j;
	int rc;

	if (epoch == 0 || epoch == VOS_EPOCH_MAX || nr == 0 || iods == NULL)
		return -DER_INVAL;
	u = d_freelist_get(&upd_cache, sizeof(*u));
	if (u == NULL)
		return -DER_NOMEM;
	u->cont = cont;
	u->oid = *oid;
	u->epoch = epoch;
	u->flags = flags;
	u->nr = nr;
	u->zc = zc;
	if (zc)
		cont->nr_open++; /* a destroy waits for the caller to end the update */
	rc = vos_skey_init(&u->dkey, vos_oid_dkey_kind(oid), dkey);
	if (rc != 0)
		goto out_free;
	u->akeys = nr == 1 ? &u->akey_inl : d_calloc(nr, sizeof(*u->akeys));
	if (u->akeys == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	/* Everything that can be refused is refused before anything is reserved. */
	for (i = 0; i < nr; i++) {
		rc = upd_akey_init(u, i, &iods[i], sgls ? &sgls[i] : NULL);
		if (rc != 0)
			goto out_free;
		estimate += 256;
		for (j = 0; j < u->akeys[i].nr; j++) {
			uint64_t len = u->akeys[i].vals[j].len;

			/* Per entry, and the bytes of values kept in DRAM. */
			estimate += 64;
			if (len < VOS_DATA_THRESH || pool->alloc == NULL)
				estimate += len;
		}
	}
	rc = upd_check(u);
	if (rc != 0)
		goto out_free;
	rc = vos_mem_reserve(pool, estimate);
	if (rc != 0)
		goto out_free;
	rc = upd_copy_keys(u, iods);
	if (rc != 0)
		goto out_free;
	*out = u;
	return 0;

out_free:
	upd_free(u);
	return rc;
}

int
vos_obj_update(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
	       const d_iov_t *dkey, uint32_t nr, const struct vos_iod *iods,
	       const d_sg_list_t *sgls, vos_done_fn cb, void *arg)
{
	struct upd_ctx *u;
	uint32_t i;
	int rc;

	if (cb == NULL)
		return -DER_INVAL;
	rc = upd_start(cont, oid, epoch, flags, dkey, nr, iods, sgls, false, &u);
	if (rc != 0)
		return rc;
	u->cb = cb;
	u->arg = arg;
	u->writes = 1; /* held while submitting */
	for (i = 0; i < nr && rc == 0; i++)
		rc = upd_akey_prepare(u, i, sgls ? &sgls[i] : NULL);
	if (rc != 0 && u->writes == 1) {
		/* Nothing in flight: refuse synchronously. */
		upd_unreserve(u);
		upd_free(u);
		return rc;
	}
	/* From here on the callback reports the outcome, failures included. */
	u->status = rc;
	if (--u->writes == 0)
		upd_commit(u);
	return 0;
}

/* --- zero-copy updates: the caller fills the room reserved for the values --- */

/* Room for value @val of @u: in the data blob's own pages if it can, else a buffer. */
static int
zc_room(struct upd_ctx *u, struct vos_val *val, uint8_t **small, void **out)
{
	struct vos_pool *pool = u->cont->pool;
	void *buf;
	int rc;

	if (!(val->flags & VOS_VAL_DATA)) {
		*out = *small; /* inline values share one buffer */
		*small += val->len;
		val->inl = *out;
		return 0;
	}
	rc = bio_blob_map(pool->data_blob, val->addr * BIO_BLOCK_SIZE, val->len, out);
	if (rc == 0) {
		val->flags |= VOS_VAL_MAPPED;
		return 0;
	}
	if (rc != -DER_NOTSUPPORTED)
		return rc;
	/* a device: an aligned buffer, written at the end (padding zeroed then) */
	buf = bio_buf_alloc(vos_blocks(val->len) * BIO_BLOCK_SIZE);
	if (buf == NULL)
		return -DER_NOMEM;
	rc = bounce_keep(u, buf);
	if (rc != 0) {
		d_free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

/* Reserve the values of @u and describe where their bytes go in u->zsgls. */
static int
zc_prepare(struct upd_ctx *u)
{
	struct vos_pool *pool = u->cont->pool;
	uint64_t small_len = 0;
	uint32_t nr_iovs = 0;
	uint8_t *small = NULL;
	struct zc_fill *fill;
	d_iov_t *iovs;
	uint32_t i;
	uint32_t v;
	int rc;

	for (i = 0; i < u->nr; i++) {
		for (v = 0; v < u->akeys[i].nr; v++) {
			struct vos_val *val = &u->akeys[i].vals[v];
			uint64_t blk;

			if (val->len == 0) {
				val->flags = VOS_VAL_PUNCH; /* size 0 punches (DAOS) */
				continue;
			}
			nr_iovs++;
			if (val->len < VOS_DATA_THRESH || pool->alloc == NULL) {
				val->flags = VOS_VAL_INLINE;
				small_len += val->len;
				continue;
			}
			rc = bio_alloc_reserve(pool->alloc, vos_blocks(val->len), &blk);
			if (rc != 0)
				return rc;
			val->flags = VOS_VAL_DATA;
			val->addr = blk;
		}
	}
	if (small_len > 0) {
		small = d_malloc(small_len);
		if (small == NULL)
			return -DER_NOMEM;
		rc = bounce_keep(u, small);
		if (rc != 0) {
			d_free(small);
			return rc;
		}
	}
	u->zsgls = d_calloc(1, u->nr * sizeof(*u->zsgls) + nr_iovs * sizeof(*iovs) +
				       nr_iovs * sizeof(*u->zfill));
	if (u->zsgls == NULL)
		return -DER_NOMEM;
	iovs = (d_iov_t *)(u->zsgls + u->nr);
	u->zfill = (struct zc_fill *)(iovs + nr_iovs);
	fill = u->zfill;
	for (i = 0; i < u->nr; i++) {
		d_sg_list_t *sgl = &u->zsgls[i];

		sgl->sg_iovs = iovs;
		for (v = 0; v < u->akeys[i].nr; v++) {
			struct vos_val *val = &u->akeys[i].vals[v];
			void *p;

			if (val->len == 0)
				continue;
			rc = zc_room(u, val, &small, &p);
			if (rc != 0)
				return rc;
			d_iov_set(&iovs[sgl->sg_nr++], p, val->len);
			(fill++)->val = val;
		}
		sgl->sg_nr_out = sgl->sg_nr;
		iovs += sgl->sg_nr;
	}
	return 0;
}

int
vos_update_begin(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
		 const d_iov_t *dkey, uint32_t nr, const struct vos_iod *iods, struct vos_upd **out)
{
	struct upd_ctx *u;
	int rc;

	rc = upd_start(cont, oid, epoch, flags, dkey, nr, iods, NULL, true, &u);
	if (rc != 0)
		return rc;
	rc = zc_prepare(u);
	if (rc != 0) {
		upd_unreserve(u);
		upd_free(u);
		return rc;
	}
	*out = (struct vos_upd *)u;
	return 0;
}

const d_sg_list_t *
vos_update_sgls(struct vos_upd *upd)
{
	return ((struct upd_ctx *)upd)->zsgls;
}

void
vos_update_filled(struct vos_upd *upd, uint32_t iod, uint32_t iov, uint64_t off, uint64_t len)
{
	struct upd_ctx *u = (struct upd_ctx *)upd;
	const d_sg_list_t *sgl;
	struct zc_fill *f;

	if (iod >= u->nr || iov >= u->zsgls[iod].sg_nr)
		return;
	sgl = &u->zsgls[iod];
	f = &u->zfill[sgl->sg_iovs + iov - (d_iov_t *)(u->zsgls + u->nr)];
	if (!(f->val->flags & VOS_VAL_DATA) || f->done == ZC_UNORDERED)
		return;
	if (off != f->done || len > f->val->len - off) {
		f->done = ZC_UNORDERED;
		return;
	}
	f->val->csum = d_crc32c(off == 0 ? 0 : f->val->csum,
				(const uint8_t *)sgl->sg_iovs[iov].iov_buf + off, len);
	f->done += len;
}

/* Checksum the filled values (unless the filler did), write those not in place yet. */
static int
zc_write(struct upd_ctx *u)
{
	struct vos_pool *pool = u->cont->pool;
	struct zc_fill *fill = u->zfill;
	uint32_t i;
	uint32_t v;
	uint32_t n;
	int rc;

	for (i = 0; i < u->nr; i++) {
		const d_sg_list_t *sgl = &u->zsgls[i];

		for (v = 0, n = 0; v < u->akeys[i].nr; v++) {
			struct vos_val *val = &u->akeys[i].vals[v];
			uint8_t *p;

			if (val->len == 0)
				continue;
			p = sgl->sg_iovs[n++].iov_buf;
			if (!(val->flags & VOS_VAL_DATA)) {
				fill++;
				continue;
			}
			if ((fill++)->done != val->len)
				val->csum = d_crc32c(0, p, val->len);
			if (val->flags & VOS_VAL_MAPPED) {
				val->flags &= ~VOS_VAL_MAPPED; /* in place: nothing to write */
				continue;
			}
			memset(p + val->len, 0, vos_blocks(val->len) * BIO_BLOCK_SIZE - val->len);
			rc = bio_ioq_write(pool->ioq, pool->data_blob, val->addr * BIO_BLOCK_SIZE,
					   p, vos_blocks(val->len) * BIO_BLOCK_SIZE, upd_write_done,
					   u);
			if (rc != 0)
				return rc;
			u->writes++;
			pool->data_writes++;
		}
	}
	return 0;
}

void
vos_update_end(struct vos_upd *upd, int status, vos_done_fn cb, void *arg)
{
	struct upd_ctx *u = (struct upd_ctx *)upd;

	if (status != 0 || cb == NULL) {
		upd_unreserve(u);
		upd_free(u);
		return;
	}
	u->cb = cb;
	u->arg = arg;
	u->writes = 1; /* held while submitting */
	u->status = zc_write(u);
	if (--u->writes == 0)
		upd_commit(u);
}

/* --- punch --- */

struct punch_rec {
	struct vos_skey dkey;
	bool has_dkey;
	uint32_t nr;
	struct vos_skey *akeys;
};

static int
punch_check(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch,
	    const struct punch_rec *p)
{
	struct vos_orec *o = vos_obj_find(cont, oid);
	struct vos_krec *d;
	uint32_t i;

	if (o == NULL || !exists(&o->ilog, epoch))
		return -DER_NONEXIST;
	if (!p->has_dkey)
		return 0;
	d = d_btr_lookup(&o->dkeys, &p->dkey);
	if (d == NULL || !exists(&d->ilog, epoch))
		return -DER_NONEXIST;
	for (i = 0; i < p->nr; i++) {
		struct vos_krec *a = d_btr_lookup(&d->child, &p->akeys[i]);

		if (a == NULL || !exists(&a->ilog, epoch))
			return -DER_NONEXIST;
	}
	return 0;
}

int
vos_obj_punch(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
	      const d_iov_t *dkey, uint32_t nr, const d_iov_t *akeys, vos_done_fn cb, void *arg)
{
	struct vos_pool *pool = cont->pool;
	struct punch_rec p = { 0 };
	int64_t before;
	struct buf rec;
	uint64_t size;
	uint32_t seq;
	uint32_t i;
	int rc;

	if (cb == NULL || epoch == 0 || epoch == VOS_EPOCH_MAX || (nr > 0 && akeys == NULL) ||
	    (dkey == NULL && nr > 0))
		return -DER_INVAL;
	if (dkey != NULL) {
		rc = vos_skey_init(&p.dkey, vos_oid_dkey_kind(oid), dkey);
		if (rc != 0)
			return rc;
		p.has_dkey = true;
	}
	if (nr > 0) {
		p.akeys = d_calloc(nr, sizeof(*p.akeys));
		if (p.akeys == NULL)
			return -DER_NOMEM;
		p.nr = nr;
	}
	size = 16 + 20 + 8 + 4 + 1 + 4 + (p.has_dkey ? p.dkey.len : 0) + 4;
	for (i = 0; i < nr; i++) {
		rc = vos_skey_init(&p.akeys[i], vos_oid_akey_kind(oid), &akeys[i]);
		if (rc != 0)
			goto out;
		size += 4 + p.akeys[i].len;
	}
	if (flags & VOS_COND_PUNCH) {
		rc = punch_check(cont, oid, epoch, &p);
		if (rc != 0)
			goto out;
	}
	rc = vos_mem_reserve(pool, 64 * (nr + 2));
	if (rc != 0)
		goto out;
	if (pool->wal != NULL) {
		rc = vos_wal_rec_begin(pool, VOS_REC_PUNCH, size, &rec);
		if (rc != 0)
			goto out;
	}
	seq = pool->next_seq++;
	before = d_alloc_thread_bytes();
	rc = vos_apply_punch(cont, oid, epoch, seq, p.has_dkey ? &p.dkey : NULL, nr, p.akeys);
	pool->mem_used += d_alloc_thread_bytes() - before;
	if (rc != 0) {
		if (pool->wal != NULL)
			vos_wal_rec_end(pool, NULL, NULL, NULL);
		goto out;
	}
	if (pool->wal == NULL) {
		vos_defer_cb(pool, cb, arg, 0);
		goto out;
	}
	buf_put_bytes_raw(&rec, cont->uuid, 16);
	buf_put_u64(&rec, oid->lo);
	buf_put_u64(&rec, oid->hi);
	buf_put_u32(&rec, oid->shard);
	buf_put_u64(&rec, epoch);
	buf_put_u32(&rec, seq);
	buf_put_u8(&rec, p.has_dkey ? (nr > 0 ? 2 : 1) : 0);
	buf_put_bytes(&rec, p.has_dkey ? p.dkey.buf : NULL, p.has_dkey ? p.dkey.len : 0);
	buf_put_u32(&rec, nr);
	for (i = 0; i < nr; i++)
		buf_put_bytes(&rec, p.akeys[i].buf, p.akeys[i].len);
	D_ASSERT(rec.err == 0);
	vos_wal_rec_end(pool, &rec, cb, arg);
out:
	d_free(p.akeys);
	return rc;
}
