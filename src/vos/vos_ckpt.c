/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_ckpt.c - checkpoints: the whole index written to the meta blob, so the WAL can be
 * trimmed and start-up replays only what came after.
 *
 * The meta blob holds two slots. A checkpoint goes into the slot not holding the newest
 * one: first the image (chunks), a sync, then the slot header, a sync. A crash at any
 * point leaves the previous checkpoint whole. Loading takes the valid header with the
 * highest generation and checks every chunk; a damaged image is reported with its slot
 * and chunk, and the older slot is used only if the WAL still reaches back to it (its
 * first batch is there and replay gets past the newer checkpoint's start), else the
 * pool does not open: never a silent rollback.
 *
 * Slot header (block 0 of the slot, little-endian):
 *   off size field
 *     0    4 magic "VCKP"          32    8 image chunks (count)
 *     4    2 format version        40    4 CRC32C of the chunk CRCs, in order
 *     6    2 reserved              44    4 next operation seq
 *     8    8 generation            48    8 pool incarnation (WAL batches carry it)
 *                                    56    4 reserved
 *    16    8 WAL position          60    4 CRC32C of bytes 0..59
 *    24    8 WAL batch number
 * Chunk i (CKPT_CHUNK bytes at slot offset BIO_BLOCK_SIZE + i * CKPT_CHUNK):
 *   u32 magic "VCHK", u32 index, u32 payload length, u32 CRC32C of the payload, payload.
 * Payload: records, none spanning chunks: u8 type, then
 *   CONT  uuid[16]                        SV   u64 epoch, u32 seq, u32 flags, u32 len,
 *   OBJ   u64 lo, u64 hi, u32 shard, ilog       u32 crc, inline: bytes / data: u64 block
 *   DKEY  bytes key, ilog                 EXT  u64 lo, u64 hi, u64 epoch, u32 seq,
 *   AKEY  bytes key, u8 type, ilog             u32 flags, u32 rsize, u32 crc,
 *   ilog  u32 nr, nr x {u64 epoch, u32 seq, u8 punch}      inline: bytes / data: u64 block
 * Each record belongs to the last record of the level above it.
 */
#define D_LOGFAC DD_FAC(vos)

#include "common/csum.h"
#include "vos/vos_int.h"

#define CKPT_MAGIC 0x504b4356u  /* "VCKP" */
#define CHUNK_MAGIC 0x4b484356u /* "VCHK" */
#define CKPT_VERSION 1
#define CKPT_HDR 64
#define CKPT_CHUNK (1u << 20)
#define CHUNK_HDR 16

enum img_type {
	IMG_CONT = 1,
	IMG_OBJ = 2,
	IMG_DKEY = 3,
	IMG_AKEY = 4,
	IMG_SV = 5,
	IMG_EXT = 6,
	IMG_OBJ_EPOCH = 7, /* after IMG_OBJ: its max_epoch (absent: not known) */
};

struct ckpt_hdr {
	uint64_t gen;
	uint64_t wal_pos;
	uint64_t wal_batch;
	uint64_t nr_chunks;
	uint32_t chunks_crc;
	uint32_t next_seq;
	uint64_t incarnation;
};

static uint64_t
slot_size(struct vos_pool *pool)
{
	return bio_blob_size(pool->meta_blob) / 2 / BIO_BLOCK_SIZE * BIO_BLOCK_SIZE;
}

static void
hdr_encode(uint8_t *blk, const struct ckpt_hdr *h)
{
	struct buf b = BUF_INIT(blk, CKPT_HDR);

	memset(blk, 0, BIO_BLOCK_SIZE);
	buf_put_u32(&b, CKPT_MAGIC);
	buf_put_u16(&b, CKPT_VERSION);
	buf_put_u16(&b, 0);
	buf_put_u64(&b, h->gen);
	buf_put_u64(&b, h->wal_pos);
	buf_put_u64(&b, h->wal_batch);
	buf_put_u64(&b, h->nr_chunks);
	buf_put_u32(&b, h->chunks_crc);
	buf_put_u32(&b, h->next_seq);
	buf_put_u64(&b, h->incarnation);
	b.off = CKPT_HDR - 4;
	buf_put_u32(&b, d_crc32c(0, blk, CKPT_HDR - 4));
}

static int
hdr_decode(const uint8_t *blk, struct ckpt_hdr *h)
{
	struct buf b = BUF_INIT(blk, CKPT_HDR);
	uint32_t crc;

	if (buf_get_u32(&b) != CKPT_MAGIC)
		return -DER_NONEXIST;
	if (buf_get_u16(&b) != CKPT_VERSION)
		return -DER_DF_INCOMPT;
	buf_get_u16(&b);
	h->gen = buf_get_u64(&b);
	h->wal_pos = buf_get_u64(&b);
	h->wal_batch = buf_get_u64(&b);
	h->nr_chunks = buf_get_u64(&b);
	h->chunks_crc = buf_get_u32(&b);
	h->next_seq = buf_get_u32(&b);
	h->incarnation = buf_get_u64(&b);
	b.off = CKPT_HDR - 4;
	crc = buf_get_u32(&b);
	if (b.err != 0 || crc != d_crc32c(0, blk, CKPT_HDR - 4))
		return -DER_CSUM;
	return 0;
}

/* --- writing --- */

struct ckpt_writer {
	struct vos_pool *pool;
	uint64_t slot_off;
	uint64_t slot_size;
	uint8_t *chunk; /* CKPT_CHUNK bytes, aligned */
	struct buf b;   /* over the chunk payload */
	uint64_t nr_chunks;
	uint32_t chunks_crc;
};

static int
chunk_flush(struct ckpt_writer *w)
{
	struct buf h = BUF_INIT(w->chunk, CHUNK_HDR);
	uint32_t crc = d_crc32c(0, w->chunk + CHUNK_HDR, w->b.off);
	uint64_t off = BIO_BLOCK_SIZE + w->nr_chunks * CKPT_CHUNK;
	uint64_t bytes =
		(CHUNK_HDR + w->b.off + BIO_BLOCK_SIZE - 1) / BIO_BLOCK_SIZE * BIO_BLOCK_SIZE;
	int rc;

	if (off + CKPT_CHUNK > w->slot_size) {
		D_ERROR("pool " DF_UUIDF " target %u: the index does not fit a checkpoint slot "
			"(%" PRIu64 " bytes); the meta blob is too small",
			DP_UUID(w->pool->uuid), w->pool->target, w->slot_size);
		return -DER_NOSPACE;
	}
	buf_put_u32(&h, CHUNK_MAGIC);
	buf_put_u32(&h, (uint32_t)w->nr_chunks);
	buf_put_u32(&h, (uint32_t)w->b.off);
	buf_put_u32(&h, crc);
	memset(w->chunk + CHUNK_HDR + w->b.off, 0, bytes - CHUNK_HDR - w->b.off);
	rc = bio_write(w->pool->meta_blob, w->slot_off + off, w->chunk, bytes);
	if (rc != 0)
		return rc;
	w->chunks_crc = d_crc32c(w->chunks_crc, &crc, sizeof(crc));
	w->nr_chunks++;
	buf_init(&w->b, w->chunk + CHUNK_HDR, CKPT_CHUNK - CHUNK_HDR);
	return 0;
}

typedef void (*rec_enc_fn)(struct buf *b, const void *arg);

/* Append one record, starting a new chunk if it does not fit. */
static int
rec_put(struct ckpt_writer *w, rec_enc_fn enc, const void *arg)
{
	size_t at = w->b.off;
	int rc;

	enc(&w->b, arg);
	if (w->b.err == 0)
		return 0;
	w->b.err = 0;
	w->b.off = at;
	rc = chunk_flush(w);
	if (rc != 0)
		return rc;
	enc(&w->b, arg);
	if (w->b.err != 0) {
		D_ERROR("pool " DF_UUIDF " target %u: an index record exceeds a checkpoint chunk",
			DP_UUID(w->pool->uuid), w->pool->target);
		return -DER_NOSPACE;
	}
	return 0;
}

static void
ilog_put(struct buf *b, const struct vos_ilog *log)
{
	const struct vos_ilog_ent *ents = vos_ilog_ents((struct vos_ilog *)log);
	uint32_t i;

	buf_put_u32(b, log->nr);
	for (i = 0; i < log->nr; i++) {
		buf_put_u64(b, ents[i].epoch);
		buf_put_u32(b, ents[i].seq);
		buf_put_u8(b, (uint8_t)ents[i].punch);
	}
}

static void
enc_cont(struct buf *b, const void *arg)
{
	buf_put_u8(b, IMG_CONT);
	buf_put_bytes_raw(b, ((const struct vos_cont *)arg)->uuid, 16);
}

static void
enc_obj(struct buf *b, const void *arg)
{
	const struct vos_orec *o = arg;

	buf_put_u8(b, IMG_OBJ);
	buf_put_u64(b, o->lo);
	buf_put_u64(b, o->hi);
	buf_put_u32(b, o->shard);
	ilog_put(b, &o->ilog);
	if (o->max_epoch != 0) {
		buf_put_u8(b, IMG_OBJ_EPOCH);
		buf_put_u64(b, o->max_epoch);
	}
}

static void
enc_dkey(struct buf *b, const void *arg)
{
	const struct vos_krec *k = arg;

	buf_put_u8(b, IMG_DKEY);
	buf_put_bytes(b, vos_key_bytes(&k->key), k->key.len);
	ilog_put(b, &k->ilog);
}

static void
enc_akey(struct buf *b, const void *arg)
{
	const struct vos_krec *k = arg;

	buf_put_u8(b, IMG_AKEY);
	buf_put_bytes(b, vos_key_bytes(&k->key), k->key.len);
	buf_put_u8(b, (uint8_t)k->type);
	ilog_put(b, &k->ilog);
}

static void
val_put(struct buf *b, uint32_t flags, uint64_t addr, uint64_t len)
{
	if (flags & VOS_VAL_INLINE)
		buf_put_bytes(b, (const void *)(uintptr_t)addr, len);
	else if (flags & VOS_VAL_DATA)
		buf_put_u64(b, addr);
}

static void
enc_sv(struct buf *b, const void *arg)
{
	const struct vos_sv *sv = arg;

	buf_put_u8(b, IMG_SV);
	buf_put_u64(b, sv->epoch);
	buf_put_u32(b, sv->seq);
	buf_put_u32(b, sv->flags);
	buf_put_u32(b, sv->len);
	buf_put_u32(b, sv->csum);
	val_put(b, sv->flags, sv->addr, sv->len);
}

static void
enc_ext(struct buf *b, const void *arg)
{
	const struct vos_ext *e = arg;

	buf_put_u8(b, IMG_EXT);
	buf_put_u64(b, e->lo);
	buf_put_u64(b, e->hi);
	buf_put_u64(b, e->epoch);
	buf_put_u32(b, e->seq);
	buf_put_u32(b, e->flags);
	buf_put_u32(b, e->rsize);
	buf_put_u32(b, e->csum);
	val_put(b, e->flags, e->addr, (e->hi - e->lo + 1) * e->rsize);
}

/* Write every record of tree @t with @enc, descending into children with @child. */
static int
tree_put(struct ckpt_writer *w, const struct d_btr *t, rec_enc_fn enc,
	 int (*child)(struct ckpt_writer *w, const void *entry))
{
	struct d_btr_iter it;
	int rc;

	for (rc = d_btr_iter_seek(&it, t, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it)) {
		const void *e = d_btr_iter_entry(&it);
		int err = rec_put(w, enc, e);

		if (err == 0 && child != NULL)
			err = child(w, e);
		if (err != 0)
			return err;
	}
	return rc == -DER_NONEXIST ? 0 : rc;
}

static int
akey_children(struct ckpt_writer *w, const void *entry)
{
	const struct vos_krec *a = entry;

	return tree_put(w, &a->child, a->type == VOS_IOD_SINGLE ? enc_sv : enc_ext, NULL);
}

static int
dkey_children(struct ckpt_writer *w, const void *entry)
{
	return tree_put(w, &((const struct vos_krec *)entry)->child, enc_akey, akey_children);
}

static int
obj_children(struct ckpt_writer *w, const void *entry)
{
	return tree_put(w, &((const struct vos_orec *)entry)->dkeys, enc_dkey, dkey_children);
}

static int
image_write(struct ckpt_writer *w)
{
	struct d_btr_iter it;
	int rc;

	for (rc = d_btr_iter_seek(&it, &w->pool->conts, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it)) {
		struct vos_cont *cont = ((struct vos_crec *)d_btr_iter_entry(&it))->cont;
		int err = rec_put(w, enc_cont, cont);

		if (err == 0)
			err = tree_put(w, &cont->objs, enc_obj, obj_children);
		if (err != 0)
			return err;
	}
	return w->b.off > 0 ? chunk_flush(w) : 0;
}

/* Write the image and header of generation @gen into @slot. */
static int
ckpt_put(struct vos_pool *pool, uint32_t slot, uint64_t gen, uint64_t wal_pos, uint64_t wal_batch,
	 bool empty)
{
	struct ckpt_writer w = { .pool = pool };
	struct ckpt_hdr h;
	uint8_t *blk;
	int rc;

	w.slot_size = slot_size(pool);
	w.slot_off = slot * w.slot_size;
	if (w.slot_size < BIO_BLOCK_SIZE + CKPT_CHUNK && !empty)
		return -DER_NOSPACE;
	blk = bio_buf_alloc(BIO_BLOCK_SIZE);
	if (blk == NULL)
		return -DER_NOMEM;
	if (!empty) {
		w.chunk = bio_buf_alloc(CKPT_CHUNK);
		if (w.chunk == NULL) {
			rc = -DER_NOMEM;
			goto out;
		}
		buf_init(&w.b, w.chunk + CHUNK_HDR, CKPT_CHUNK - CHUNK_HDR);
		rc = image_write(&w);
		if (rc == 0)
			rc = bio_sync(pool->meta_blob);
		if (rc != 0)
			goto out;
	}
	h = (struct ckpt_hdr){
		.gen = gen,
		.wal_pos = wal_pos,
		.wal_batch = wal_batch,
		.nr_chunks = w.nr_chunks,
		.chunks_crc = w.chunks_crc,
		.next_seq = pool->next_seq,
		.incarnation = pool->incarnation,
	};
	hdr_encode(blk, &h);
	rc = bio_write(pool->meta_blob, w.slot_off, blk, BIO_BLOCK_SIZE);
	if (rc == 0)
		rc = bio_sync(pool->meta_blob);
out:
	d_free(w.chunk);
	d_free(blk);
	return rc;
}

int
vos_ckpt_format(struct vos_pool *pool)
{
	uint8_t *blk = bio_buf_alloc(BIO_BLOCK_SIZE);
	uuid_t rnd;
	int rc;

	if (blk == NULL)
		return -DER_NOMEM;
	/* Slot 1 is left invalid; slot 0 holds an empty index at WAL position 0, batch 1. */
	memset(blk, 0, BIO_BLOCK_SIZE);
	rc = bio_write(pool->meta_blob, slot_size(pool), blk, BIO_BLOCK_SIZE);
	d_free(blk);
	pool->next_seq = 1;
	/*
	 * Blobs are not zeroed: the WAL may hold batches of an earlier pool that used the
	 * same space. They carry that pool's incarnation, so replay never takes them.
	 */
	uuid_generate_random(rnd);
	memcpy(&pool->incarnation, rnd, sizeof(pool->incarnation));
	if (pool->incarnation == 0)
		pool->incarnation = 1;
	return rc ?: ckpt_put(pool, 0, 1, 0, 1, true);
}

int
vos_ckpt_write(struct vos_pool *pool)
{
	uint64_t pos;
	uint64_t batch;
	uint32_t slot = pool->ckpt_slot ^ 1;
	int rc;

	rc = vos_wal_flush(pool);
	if (rc != 0)
		return rc;
	vos_wal_position(pool, &pos, &batch);
	rc = ckpt_put(pool, slot, pool->ckpt_gen + 1, pos, batch, false);
	if (rc != 0)
		return rc;
	pool->ckpt_gen++;
	pool->ckpt_slot = slot;
	pool->nr_checkpoints++;
	vos_wal_trim(pool, pos);
	D_INFO("pool " DF_UUID " target %u: checkpoint %" PRIu64 " in slot %u covers the WAL up to "
	       "offset %" PRIu64 " (batch %" PRIu64 ")",
	       DP_UUID(pool->uuid), pool->target, pool->ckpt_gen, slot, pos, batch);
	return 0;
}

/* --- loading --- */

/* Where the next record goes: the last record of each level. */
struct vos_ckpt_cursor {
	struct vos_cont *cont;
	struct vos_orec *obj;
	struct vos_krec *dkey;
	struct vos_krec *akey;
};

struct vos_ckpt_cursor *
vos_ckpt_cursor_create(void)
{
	return d_calloc(1, sizeof(struct vos_ckpt_cursor));
}

void
vos_ckpt_cursor_destroy(struct vos_ckpt_cursor *cur)
{
	d_free(cur);
}

static int
ilog_get(struct buf *b, struct vos_ilog *log)
{
	uint32_t nr = buf_get_u32_max(b, (uint32_t)(buf_remaining(b) / 13));
	uint32_t i;
	int rc;

	for (i = 0; i < nr && b->err == 0; i++) {
		uint64_t epoch = buf_get_u64(b);
		uint32_t seq = buf_get_u32(b);
		uint8_t punch = buf_get_u8(b);

		if (punch > 1)
			return -DER_PROTO;
		rc = vos_ilog_add(log, epoch, seq, punch != 0);
		if (rc != 0)
			return rc;
	}
	return b->err;
}

static int
key_get(struct buf *b, enum vos_key_kind kind, struct vos_skey *sk)
{
	size_t len;
	const void *p = buf_get_bytes(b, &len);
	d_iov_t iov;

	if (p == NULL)
		return -DER_PROTO;
	d_iov_set(&iov, (void *)(uintptr_t)p, len);
	return vos_skey_init(sk, kind, &iov) == 0 ? 0 : -DER_PROTO;
}

/* The value of an SV/EXT record: inline bytes copied, or a checked data address. */
static int
val_get(struct vos_pool *pool, struct buf *b, uint32_t flags, uint64_t len, uint64_t *addr)
{
	switch (flags) {
	case VOS_VAL_PUNCH:
		*addr = 0;
		return len == 0 ? 0 : -DER_PROTO;
	case VOS_VAL_INLINE: {
		size_t n;
		const void *p = buf_get_bytes(b, &n);
		void *copy;

		if (p == NULL || n != len || len == 0)
			return -DER_PROTO;
		copy = d_malloc(len);
		if (copy == NULL)
			return -DER_NOMEM;
		memcpy(copy, p, len);
		*addr = (uint64_t)(uintptr_t)copy;
		return 0;
	}
	case VOS_VAL_DATA: {
		uint64_t blocks =
			pool->data_blob ? bio_blob_size(pool->data_blob) / BIO_BLOCK_SIZE : 0;

		*addr = buf_get_u64(b);
		if (b->err != 0 || len == 0 || *addr > blocks || vos_blocks(len) > blocks - *addr)
			return -DER_PROTO;
		return 0;
	}
	default:
		return -DER_PROTO;
	}
}

static int
img_key(struct buf *b, struct d_btr *tree, enum vos_key_kind kind, bool akey,
	const struct d_btr_ops *dkey_child, struct vos_krec **out)
{
	struct vos_krec rec;
	struct vos_skey sk;
	void *found;
	uint8_t type = 0;
	int rc;

	memset(&rec, 0, sizeof(rec));
	rc = key_get(b, kind, &sk);
	if (rc != 0)
		return rc;
	if (akey) {
		type = buf_get_u8(b);
		if (type != VOS_IOD_SINGLE && type != VOS_IOD_ARRAY)
			return -DER_PROTO;
	}
	rc = ilog_get(b, &rec.ilog);
	if (rc == 0)
		rc = vos_key_copy(&rec.key, &sk);
	if (rc != 0) {
		vos_ilog_fini(&rec.ilog);
		return rc;
	}
	rec.type = type;
	d_btr_init(&rec.child,
		   !akey ? dkey_child : (type == VOS_IOD_SINGLE ? &vos_sv_ops : &vos_ext_ops));
	rc = d_btr_insert(tree, &sk, &rec, &found);
	if (rc != 0) {
		vos_ilog_fini(&rec.ilog);
		vos_key_fini(&rec.key);
		return rc == -DER_EXIST ? -DER_PROTO : rc;
	}
	*out = found;
	return 0;
}

static int
img_record(struct vos_pool *pool, struct vos_ckpt_cursor *cur, struct buf *b)
{
	uint8_t type = buf_get_u8(b);
	struct vos_oid oid;
	int rc;

	switch (type) {
	case IMG_CONT: {
		const uint8_t *uuid = buf_get_bytes_raw(b, 16);
		struct vos_crec *c;

		if (uuid == NULL || d_btr_lookup(&pool->conts, uuid) != NULL)
			return -DER_PROTO;
		rc = vos_cont_apply_create(pool, uuid);
		if (rc != 0)
			return rc;
		c = d_btr_lookup(&pool->conts, uuid);
		*cur = (struct vos_ckpt_cursor){ .cont = c->cont };
		return 0;
	}
	case IMG_OBJ: {
		struct vos_orec rec;
		void *found;

		if (cur->cont == NULL)
			return -DER_PROTO;
		memset(&rec, 0, sizeof(rec));
		oid.lo = rec.lo = buf_get_u64(b);
		oid.hi = rec.hi = buf_get_u64(b);
		oid.shard = rec.shard = buf_get_u32(b);
		rc = ilog_get(b, &rec.ilog);
		if (rc != 0) {
			vos_ilog_fini(&rec.ilog);
			return rc;
		}
		d_btr_init(&rec.dkeys, &vos_key_ops);
		rc = d_btr_insert(&cur->cont->objs, &oid, &rec, &found);
		if (rc != 0) {
			vos_ilog_fini(&rec.ilog);
			return rc == -DER_EXIST ? -DER_PROTO : rc;
		}
		cur->obj = found;
		cur->dkey = NULL;
		cur->akey = NULL;
		return 0;
	}
	case IMG_OBJ_EPOCH:
		if (cur->obj == NULL || cur->dkey != NULL)
			return -DER_PROTO;
		cur->obj->max_epoch = buf_get_u64(b);
		return b->err;
	case IMG_DKEY:
		if (cur->obj == NULL)
			return -DER_PROTO;
		oid = (struct vos_oid){ cur->obj->lo, cur->obj->hi, cur->obj->shard };
		rc = img_key(b, &cur->obj->dkeys, vos_oid_dkey_kind(&oid), false, &vos_key_ops,
			     &cur->dkey);
		cur->akey = NULL;
		return rc;
	case IMG_AKEY:
		if (cur->dkey == NULL)
			return -DER_PROTO;
		oid = (struct vos_oid){ cur->obj->lo, cur->obj->hi, cur->obj->shard };
		return img_key(b, &cur->dkey->child, vos_oid_akey_kind(&oid), true, NULL,
			       &cur->akey);
	case IMG_SV: {
		struct vos_sv sv;
		struct vos_sv_key k;

		if (cur->akey == NULL || cur->akey->type != VOS_IOD_SINGLE)
			return -DER_PROTO;
		memset(&sv, 0, sizeof(sv));
		sv.epoch = buf_get_u64(b);
		sv.seq = buf_get_u32(b);
		sv.flags = buf_get_u32(b);
		sv.len = buf_get_u32(b);
		sv.csum = buf_get_u32(b);
		if (b->err != 0)
			return -DER_PROTO;
		rc = val_get(pool, b, sv.flags, sv.len, &sv.addr);
		if (rc != 0)
			return rc;
		k = (struct vos_sv_key){ sv.epoch, sv.seq };
		rc = d_btr_insert(&cur->akey->child, &k, &sv, NULL);
		if (rc != 0 && (sv.flags & VOS_VAL_INLINE))
			d_free((void *)(uintptr_t)sv.addr);
		return rc == -DER_EXIST ? -DER_PROTO : rc;
	}
	case IMG_EXT: {
		struct vos_ext e;
		struct vos_ext_key k;

		if (cur->akey == NULL || cur->akey->type != VOS_IOD_ARRAY)
			return -DER_PROTO;
		memset(&e, 0, sizeof(e));
		e.lo = buf_get_u64(b);
		e.hi = buf_get_u64(b);
		e.epoch = buf_get_u64(b);
		e.seq = buf_get_u32(b);
		e.flags = buf_get_u32(b);
		e.rsize = buf_get_u32(b);
		e.csum = buf_get_u32(b);
		if (b->err != 0 || e.hi < e.lo ||
		    (e.rsize != 0 && e.hi - e.lo >= UINT64_MAX / e.rsize))
			return -DER_PROTO;
		rc = val_get(pool, b, e.flags, (e.hi - e.lo + 1) * e.rsize, &e.addr);
		if (rc != 0)
			return rc;
		k = (struct vos_ext_key){ e.lo, e.epoch, e.seq };
		rc = d_btr_insert(&cur->akey->child, &k, &e, NULL);
		if (rc != 0 && (e.flags & VOS_VAL_INLINE))
			d_free((void *)(uintptr_t)e.addr);
		return rc == -DER_EXIST ? -DER_PROTO : rc;
	}
	default:
		return -DER_PROTO;
	}
}

int
vos_ckpt_decode(struct vos_pool *pool, struct vos_ckpt_cursor *cur, const void *data, size_t len)
{
	struct buf b = BUF_INIT(data, len);
	int rc;

	while (buf_remaining(&b) > 0) {
		rc = img_record(pool, cur, &b);
		if (rc != 0)
			return rc;
		if (b.err != 0)
			return -DER_PROTO;
	}
	return buf_finish(&b);
}

/* Throw away whatever a failed load built. */
static void
index_clear(struct vos_pool *pool)
{
	struct d_btr_iter it;

	while (d_btr_iter_seek(&it, &pool->conts, D_BTR_SEEK_FIRST, NULL) == 0) {
		struct vos_crec rec = *(struct vos_crec *)d_btr_iter_entry(&it);

		d_btr_delete(&pool->conts, rec.uuid, NULL);
		vos_cont_free(rec.cont, 0);
	}
}

static int
image_load(struct vos_pool *pool, uint32_t slot, const struct ckpt_hdr *h)
{
	uint64_t base = slot * slot_size(pool);
	struct vos_ckpt_cursor cur = { 0 };
	uint32_t crcs = 0;
	uint8_t *chunk;
	uint64_t i;
	int rc = 0;

	if (h->nr_chunks > (slot_size(pool) - BIO_BLOCK_SIZE) / CKPT_CHUNK)
		return -DER_CSUM;
	chunk = bio_buf_alloc(CKPT_CHUNK);
	if (chunk == NULL)
		return -DER_NOMEM;
	for (i = 0; i < h->nr_chunks && rc == 0; i++) {
		struct buf c;
		uint32_t len;
		uint32_t crc;

		rc = bio_read(pool->meta_blob, base + BIO_BLOCK_SIZE + i * CKPT_CHUNK, chunk,
			      CKPT_CHUNK);
		if (rc != 0)
			break;
		buf_init(&c, chunk, CHUNK_HDR);
		if (buf_get_u32(&c) != CHUNK_MAGIC || buf_get_u32(&c) != i) {
			rc = -DER_CSUM;
			break;
		}
		len = buf_get_u32(&c);
		crc = buf_get_u32(&c);
		if (len > CKPT_CHUNK - CHUNK_HDR || d_crc32c(0, chunk + CHUNK_HDR, len) != crc) {
			rc = -DER_CSUM;
			break;
		}
		crcs = d_crc32c(crcs, &crc, sizeof(crc));
		rc = vos_ckpt_decode(pool, &cur, chunk + CHUNK_HDR, len);
	}
	if (rc == 0 && crcs != h->chunks_crc)
		rc = -DER_CSUM;
	if (rc != 0)
		D_ERROR("pool " DF_UUIDF " target %u: checkpoint %" PRIu64 " (slot %u) is damaged "
			"at chunk %" PRIu64 " of %" PRIu64 ": " DF_RC,
			DP_UUID(pool->uuid), pool->target, h->gen, slot, i ? i - 1 : 0,
			h->nr_chunks, DP_RC(rc));
	d_free(chunk);
	return rc;
}

int vos_wal_batch_present(struct vos_pool *pool, uint64_t pos, uint64_t batch);

int
vos_ckpt_load(struct vos_pool *pool, uint64_t *wal_pos, uint64_t *wal_batch)
{
	struct ckpt_hdr h[2];
	int valid[2];
	uint8_t *blk;
	uint32_t first;
	uint32_t s;
	int rc;

	blk = bio_buf_alloc(BIO_BLOCK_SIZE);
	if (blk == NULL)
		return -DER_NOMEM;
	for (s = 0; s < 2; s++) {
		rc = bio_read(pool->meta_blob, s * slot_size(pool), blk, BIO_BLOCK_SIZE);
		if (rc != 0) {
			d_free(blk);
			return rc;
		}
		valid[s] = hdr_decode(blk, &h[s]);
		if (valid[s] == -DER_CSUM)
			D_WARN("pool " DF_UUIDF " target %u: checkpoint header in slot %u is "
			       "damaged; ignored",
			       DP_UUID(pool->uuid), pool->target, s);
	}
	d_free(blk);
	if (valid[0] != 0 && valid[1] != 0) {
		D_ERROR("pool " DF_UUIDF " target %u: no valid checkpoint header in the meta blob",
			DP_UUID(pool->uuid), pool->target);
		return valid[0] == -DER_DF_INCOMPT || valid[1] == -DER_DF_INCOMPT ? -DER_DF_INCOMPT
										  : -DER_DF_INVAL;
	}
	first = valid[0] != 0 ? 1 : valid[1] != 0 ? 0 : (h[0].gen >= h[1].gen ? 0 : 1);
	rc = image_load(pool, first, &h[first]);
	if (rc == 0) {
		s = first;
	} else {
		uint32_t other = first ^ 1;

		index_clear(pool);
		if (rc != -DER_CSUM && rc != -DER_PROTO)
			return rc;
		/* The older checkpoint is usable only if the WAL still reaches back to it. */
		pool->incarnation = h[other].incarnation;
		if (valid[other] != 0 || h[other].gen >= h[first].gen ||
		    vos_wal_batch_present(pool, h[other].wal_pos, h[other].wal_batch) != 0) {
			D_ERROR("pool " DF_UUIDF " target %u: the newest checkpoint is damaged and "
				"the WAL no longer holds what the older one needs: refusing to "
				"open rather than lose data",
				DP_UUID(pool->uuid), pool->target);
			return -DER_CSUM;
		}
		rc = image_load(pool, other, &h[other]);
		if (rc != 0) {
			index_clear(pool);
			return rc == -DER_PROTO ? -DER_CSUM : rc;
		}
		D_WARN("pool " DF_UUIDF " target %u: using the older checkpoint %" PRIu64
		       " and a longer WAL replay",
		       DP_UUID(pool->uuid), pool->target, h[other].gen);
		pool->ckpt_need_batch = h[first].wal_batch;
		s = other;
	}
	pool->ckpt_gen = h[s].gen;
	pool->ckpt_slot = s;
	pool->incarnation = h[s].incarnation;
	D_INFO("pool " DF_UUID " target %u: loaded checkpoint %" PRIu64 " from slot %u; replaying "
	       "the WAL from offset %" PRIu64 " (batch %" PRIu64 ")",
	       DP_UUID(pool->uuid), pool->target, h[s].gen, s, h[s].wal_pos, h[s].wal_batch);
	if (h[s].next_seq > pool->next_seq)
		pool->next_seq = h[s].next_seq;
	*wal_pos = h[s].wal_pos;
	*wal_batch = h[s].wal_batch;
	return 0;
}
