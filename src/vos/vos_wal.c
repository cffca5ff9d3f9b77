/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_wal.c - the write-ahead log of a pool shard: records, batches, group commit,
 * replay. Formats and the reasoning behind them: docs/design/vos.md.
 *
 * Positions are logical byte offsets that only grow; the physical offset in the WAL blob
 * is the logical one modulo its size. A batch takes whole units: a block (4 KiB) on
 * block devices, WAL_MEM_UNIT bytes on memory devices, where a write is a copy and a
 * block per commit would only fill the log (and force checkpoints) 30 times faster
 * under small updates. Each header names its unit, so replay does not depend on where
 * the blob lives now. A batch never straddles the end of the blob: when it would, a
 * one-unit wrap marker (the batch's number, flag WRAP) is written where it would have
 * started and the batch goes to the start of the next lap.
 *
 * Group commit: one batch is in flight at a time. It is written, then synced (the sync
 * is submitted when the write completes, so it covers it); when the sync completes its
 * records are durable and their callbacks run. Records added meanwhile go to the open
 * batch, which is committed as soon as the previous one is durable. Because batch n+1 is
 * written only after batch n is durable, replay can trust every batch but the last, and
 * checks the data checksums of the last one before applying it.
 *
 * Record (inside a batch payload): u16 type, u16 reserved (0), u32 body length, body.
 * Bodies (little-endian, common/buf.h):
 *   CONT_CREATE, CONT_DESTROY: uuid[16], u32 seq
 *   UPDATE: uuid[16], u64 oid.lo, u64 oid.hi, u32 shard, u64 epoch, u32 seq, bytes dkey,
 *           u32 nr, nr x { bytes akey, u8 type (1 single, 2 array), u64 rsize, u32 nvals,
 *           nvals x { [array: u64 idx, u64 nr], u32 flags (1 punch, 2 inline, 4 data),
 *           inline: bytes; data: u64 block, u64 length, u32 crc32c } }
 *   PUNCH: uuid[16], u64 oid.lo, u64 oid.hi, u32 shard, u64 epoch, u32 seq,
 *          u8 kind (0 object, 1 dkey, 2 akeys), bytes dkey, u32 nr, nr x bytes akey
 *   DISCARD: uuid[16], u64 lo, u64 hi
 *   AGG_DEL (an aggregation step): uuid[16], u64 epoch, u32 nr, nr x u64 snapshot,
 *           u64 oid.lo, u64 oid.hi, u32 shard, u8 flags (1: from the first dkey,
 *           2: the object is finished), bytes first dkey, bytes last dkey
 * ("bytes" is a u32 length and the bytes.)
 */
#define D_LOGFAC DD_FAC(vos)

#include "common/csum.h"
#include "vos/vos_int.h"

#define WAL_MAGIC 0x4c415756u /* "VWAL" */
#define WAL_VERSION 1
#define WAL_HDR 64
#define WAL_F_WRAP 1
#define WAL_REC_HDR 8
#define WAL_BUF_INIT (64 * 1024)
#define WAL_MEM_UNIT WAL_HDR  /* a header per unit at least */
#define WAL_UNIT_SHIFT_MIN 6  /* 64 B */
#define WAL_UNIT_SHIFT_MAX 12 /* BIO_BLOCK_SIZE; 0 in a header means this */

struct wal_waiter {
	d_list_t link;
	vos_done_fn cb;
	void *arg;
};

struct wal_batch {
	uint8_t *buf; /* aligned; header in the first WAL_HDR bytes */
	uint64_t len; /* bytes used, header included */
	uint64_t cap;
	uint32_t nr_recs;
	d_list_t waiters;
	uint64_t seq;
};

struct vos_wal {
	struct vos_pool *pool;
	struct bio_blob *blob;
	uint64_t size;     /* bytes (a multiple of unit) */
	uint32_t unit;     /* a batch takes whole units (BIO_BLOCK_SIZE or WAL_MEM_UNIT) */
	uint64_t head;     /* logical position of the next batch */
	uint64_t tail;     /* logical position still needed (the checkpoint's) */
	uint64_t next_seq; /* number of the open batch */
	uint64_t durable;  /* last durable batch */
	struct wal_batch open;
	struct wal_batch flight;
	uint8_t *wrap_buf;     /* one block for wrap markers and headers */
	bool busy;             /* flight is being written or synced */
	uint32_t writes;       /* writes of the flight batch outstanding */
	bool plain;            /* flight is written plainly, then synced (else durably) */
	uint64_t data_synced;  /* pool->data_writes covered by a sync */
	uint64_t data_syncing; /* ... by the data-device sync in progress */
	bool rec_open;         /* between rec_begin and rec_end */
	uint64_t rec_at;       /* where the open record's header goes */
	int error;             /* sticky: an I/O error broke the log */
	bool in_ckpt;          /* a checkpoint triggered by space is running */
};

static uint64_t
units_bytes(uint64_t len, uint32_t unit)
{
	return (len + unit - 1) / unit * unit;
}

static int
batch_init(struct wal_batch *b)
{
	b->buf = bio_buf_alloc(WAL_BUF_INIT);
	if (b->buf == NULL)
		return -DER_NOMEM;
	b->cap = WAL_BUF_INIT;
	b->len = WAL_HDR;
	b->nr_recs = 0;
	D_INIT_LIST_HEAD(&b->waiters);
	return 0;
}

static int
batch_grow(struct wal_batch *b, uint64_t need)
{
	uint64_t cap = b->cap;
	uint8_t *buf;

	while (cap < need)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	buf = bio_buf_alloc(cap);
	if (buf == NULL)
		return -DER_NOMEM;
	memcpy(buf, b->buf, b->len);
	d_free(b->buf);
	b->buf = buf;
	b->cap = cap;
	return 0;
}

/* Encode a batch header into @hdr (WAL_HDR bytes); @unit is the WAL's. */
static void
hdr_encode(uint8_t *hdr, uint32_t unit, uint64_t incarnation, uint16_t flags, uint64_t seq,
	   uint64_t durable, uint32_t payload_len, uint32_t nr_recs, uint32_t payload_crc)
{
	struct buf b = BUF_INIT(hdr, WAL_HDR);

	buf_put_u32(&b, WAL_MAGIC);
	buf_put_u16(&b, WAL_VERSION);
	buf_put_u16(&b, flags);
	buf_put_u64(&b, seq);
	buf_put_u64(&b, durable);
	buf_put_u32(&b, payload_len);
	buf_put_u32(&b, nr_recs);
	buf_put_u32(&b, payload_crc);
	buf_put_u64(&b, incarnation);
	buf_put_u8(&b, unit == BIO_BLOCK_SIZE ? 0 : (uint8_t)__builtin_ctz(unit));
	memset(hdr + b.off, 0, WAL_HDR - 4 - b.off);
	b.off = WAL_HDR - 4;
	buf_put_u32(&b, d_crc32c(0, hdr, WAL_HDR - 4));
}

struct wal_hdr {
	uint64_t incarnation;
	uint16_t flags;
	uint64_t seq;
	uint64_t durable;
	uint32_t payload_len;
	uint32_t nr_recs;
	uint32_t payload_crc;
	uint32_t unit; /* of the WAL that wrote it */
};

/* Decode a batch header; -DER_PROTO if it is not one (or is damaged). */
static int
hdr_decode(const uint8_t *hdr, struct wal_hdr *h)
{
	struct buf b = BUF_INIT(hdr, WAL_HDR);
	uint8_t shift;
	uint32_t crc;

	if (buf_get_u32(&b) != WAL_MAGIC)
		return -DER_PROTO;
	if (buf_get_u16(&b) != WAL_VERSION)
		return -DER_PROTO;
	h->flags = buf_get_u16(&b);
	h->seq = buf_get_u64(&b);
	h->durable = buf_get_u64(&b);
	h->payload_len = buf_get_u32(&b);
	h->nr_recs = buf_get_u32(&b);
	h->payload_crc = buf_get_u32(&b);
	h->incarnation = buf_get_u64(&b);
	shift = buf_get_u8(&b);
	b.off = WAL_HDR - 4;
	crc = buf_get_u32(&b);
	if (b.err != 0 || crc != d_crc32c(0, hdr, WAL_HDR - 4) || (h->flags & ~WAL_F_WRAP) != 0)
		return -DER_PROTO;
	if (shift != 0 && (shift < WAL_UNIT_SHIFT_MIN || shift > WAL_UNIT_SHIFT_MAX))
		return -DER_PROTO;
	h->unit = shift == 0 ? BIO_BLOCK_SIZE : 1u << shift;
	return 0;
}

uint64_t
vos_wal_open_batch(const struct vos_pool *pool)
{
	return pool->wal->next_seq;
}

void
vos_wal_usage(const struct vos_pool *pool, uint64_t *used, uint64_t *total)
{
	const struct vos_wal *w = pool->wal;

	*used = w->head - w->tail;
	*total = w->size;
}

/* --- group commit --- */

static void commit_start(struct vos_wal *w);

static void
waiters_run(d_list_t *list, int status)
{
	struct wal_waiter *ww;

	while ((ww = d_list_pop_entry(list, struct wal_waiter, link)) != NULL) {
		ww->cb(ww->arg, status);
		d_free(ww);
	}
}

static void
commit_fail(struct vos_wal *w, int status)
{
	struct vos_pool *pool = w->pool;

	if (w->error == 0)
		D_ERROR("pool " DF_UUIDF " target %u: WAL write failed, the shard stops taking "
			"updates: " DF_RC,
			DP_UUID(pool->uuid), pool->target, DP_RC(status));
	w->error = status;
	w->busy = false;
	waiters_run(&w->flight.waiters, status);
	waiters_run(&w->open.waiters, status);
}

static void
sync_done(void *arg, int status)
{
	struct vos_wal *w = arg;
	struct vos_pool *pool = w->pool;

	if (status != 0) {
		commit_fail(w, status);
		return;
	}
	w->durable = w->flight.seq;
	w->busy = false;
	/* Space freed by records of this batch may be reused once no read still uses it. */
	if (pool->nr_reads == 0)
		bio_alloc_durable(pool->alloc, w->durable);
	else
		pool->durable_pending = w->durable;
	waiters_run(&w->flight.waiters, 0);
	if (w->open.nr_recs > 0 && !w->busy && w->error == 0)
		commit_start(w);
}

void
vos_reads_drained(struct vos_pool *pool)
{
	if (pool->durable_pending != 0 && pool->alloc != NULL) {
		bio_alloc_durable(pool->alloc, pool->durable_pending);
		pool->durable_pending = 0;
	}
}

static void
write_done(void *arg, int status)
{
	struct vos_wal *w = arg;
	int rc;

	if (status != 0 && w->error == 0)
		w->error = status;
	D_ASSERT(w->writes > 0);
	if (--w->writes > 0)
		return;
	if (w->error != 0) {
		commit_fail(w, w->error);
		return;
	}
	if (!w->plain) {
		sync_done(w, 0); /* written durably */
		return;
	}
	rc = bio_ioq_sync(w->pool->ioq, w->blob, sync_done, w);
	if (rc != 0)
		commit_fail(w, rc);
}

static void batch_write(struct vos_wal *w);

/* The data device is synced: the batch's records may now become durable. */
static void
data_sync_done(void *arg, int status)
{
	struct vos_wal *w = arg;

	if (status != 0) {
		commit_fail(w, status);
		return;
	}
	w->data_synced = w->data_syncing;
	batch_write(w);
}

/* Turn the open batch into the flight batch and start writing it. */
static void
commit_start(struct vos_wal *w)
{
	uint8_t *buf;
	uint64_t cap;
	uint64_t bytes;
	int rc;

	D_ASSERT(!w->busy && !w->rec_open);
	/* Hand the open batch's buffer and waiters to the flight slot; reuse the other buffer. */
	D_ASSERT(d_list_empty(&w->flight.waiters));
	buf = w->flight.buf;
	cap = w->flight.cap;
	w->flight.buf = w->open.buf;
	w->flight.cap = w->open.cap;
	w->flight.len = w->open.len;
	w->flight.nr_recs = w->open.nr_recs;
	d_list_splice_init(&w->open.waiters, &w->flight.waiters);
	w->open.buf = buf;
	w->open.cap = cap;
	w->open.len = WAL_HDR;
	w->open.nr_recs = 0;
	w->flight.seq = w->next_seq++;
	bytes = units_bytes(w->flight.len, w->unit);
	memset(w->flight.buf + w->flight.len, 0, bytes - w->flight.len);
	hdr_encode(w->flight.buf, w->unit, w->pool->incarnation, 0, w->flight.seq, w->durable,
		   (uint32_t)(w->flight.len - WAL_HDR), w->flight.nr_recs,
		   d_crc32c(0, w->flight.buf + WAL_HDR, w->flight.len - WAL_HDR));
	w->busy = true;
	/*
	 * How the batch becomes durable. Its records may point at data-blob blocks written
	 * since the last sync, which must be durable first. No such writes: the batch is
	 * written durably (RWF_DSYNC), one device round trip. Data on the WAL's device: a
	 * plain write and a sync after it cover both (the sync waits for every write queued
	 * before it). Data on another device: that device is synced first, then the batch
	 * is written durably.
	 */
	if (w->pool->data_writes == w->data_synced || w->pool->data_blob == NULL) {
		w->plain = false;
	} else if (bio_blob_same_dev(w->pool->data_blob, w->blob)) {
		w->plain = true;
		w->data_synced = w->pool->data_writes;
	} else {
		w->plain = false;
		w->data_syncing = w->pool->data_writes;
		rc = bio_ioq_sync(w->pool->ioq, w->pool->data_blob, data_sync_done, w);
		if (rc != 0)
			commit_fail(w, rc);
		return;
	}
	batch_write(w);
}

/* Write the flight batch (and a wrap marker if it does not fit before the end). */
static void
batch_write(struct vos_wal *w)
{
	int (*wr)(struct bio_ioq * q, struct bio_blob * blob, uint64_t off, const void *buf,
		  size_t len, bio_io_fn fn, void *arg) =
		w->plain ? bio_ioq_write : bio_ioq_write_durable;
	uint64_t bytes = units_bytes(w->flight.len, w->unit);
	uint64_t phys;
	int rc;

	w->writes = 1; /* held while submitting */
	phys = w->head % w->size;
	if (phys + bytes > w->size) {
		hdr_encode(w->wrap_buf, w->unit, w->pool->incarnation, WAL_F_WRAP, w->flight.seq,
			   w->durable, 0, 0, 0);
		rc = wr(w->pool->ioq, w->blob, phys, w->wrap_buf, w->unit, write_done, w);
		if (rc != 0)
			goto out_fail;
		w->writes++;
		w->head += w->size - phys;
		phys = 0;
	}
	rc = wr(w->pool->ioq, w->blob, phys, w->flight.buf, bytes, write_done, w);
	if (rc != 0)
		goto out_fail;
	w->writes++;
	w->head += bytes;
	write_done(w, 0); /* drop the hold */
	return;

out_fail:
	if (w->error == 0)
		w->error = rc;
	write_done(w, 0);
}

/* Room for the open batch plus @more bytes, with the worst wrap: may trigger a checkpoint. */
static int
wal_make_room(struct vos_pool *pool, uint64_t more)
{
	struct vos_wal *w = pool->wal;
	uint64_t need;
	int rc;

	need = 2 * (units_bytes(w->open.len + more, w->unit) +
		    units_bytes(w->flight.len, w->unit)) +
	       w->unit;
	if (need > w->size) {
		D_ERROR("pool " DF_UUIDF " target %u: a record of %" PRIu64
			" bytes cannot fit the WAL (%" PRIu64 " bytes)",
			DP_UUID(pool->uuid), pool->target, more, w->size);
		return -DER_NOSPACE;
	}
	/* Past half full, checkpoint now, before it becomes urgent. */
	if (!w->in_ckpt && (w->head - w->tail) + need > w->size / 2 && !pool->replaying) {
		w->in_ckpt = true;
		rc = vos_ckpt_write(pool);
		w->in_ckpt = false;
		if (rc != 0)
			D_ERROR("pool " DF_UUIDF " target %u: checkpoint failed: " DF_RC,
				DP_UUID(pool->uuid), pool->target, DP_RC(rc));
	}
	if ((w->head - w->tail) + need > w->size)
		return -DER_NOSPACE;
	return 0;
}

int
vos_wal_rec_begin(struct vos_pool *pool, enum vos_rec_type type, uint64_t room, struct buf *out)
{
	struct vos_wal *w = pool->wal;
	int rc;

	D_ASSERT(!w->rec_open);
	if (w->error != 0)
		return w->error;
	if (room > UINT32_MAX)
		return -DER_REC2BIG;
	rc = wal_make_room(pool, WAL_REC_HDR + room);
	if (rc != 0)
		return rc;
	rc = batch_grow(&w->open, w->open.len + WAL_REC_HDR + room);
	if (rc != 0)
		return rc;
	w->rec_open = true;
	w->rec_at = w->open.len;
	buf_init(out, w->open.buf + w->open.len + WAL_REC_HDR, room);
	out->err = 0;
	(void)type;
	w->open.buf[w->rec_at] = (uint8_t)type;
	w->open.buf[w->rec_at + 1] = (uint8_t)(type >> 8);
	return 0;
}

int
vos_wal_rec_end(struct vos_pool *pool, struct buf *rec, vos_done_fn cb, void *arg)
{
	struct vos_wal *w = pool->wal;
	struct wal_waiter *ww = NULL;
	struct buf hdr;
	uint16_t type;

	D_ASSERT(w->rec_open);
	w->rec_open = false;
	if (rec == NULL)
		return 0; /* dropped */
	D_ASSERT(rec->err == 0);
	if (cb != NULL) {
		ww = d_calloc(1, sizeof(*ww));
		if (ww == NULL) {
			/* The record must still go out; its caller learns nothing more. */
			D_ERROR("out of memory queueing a WAL waiter; completing early");
			cb(arg, -DER_NOMEM);
		} else {
			ww->cb = cb;
			ww->arg = arg;
			d_list_add_tail(&ww->link, &w->open.waiters);
		}
	}
	type = (uint16_t)(w->open.buf[w->rec_at] | (w->open.buf[w->rec_at + 1] << 8));
	buf_init(&hdr, w->open.buf + w->rec_at, WAL_REC_HDR);
	buf_put_u16(&hdr, type);
	buf_put_u16(&hdr, 0);
	buf_put_u32(&hdr, (uint32_t)rec->off);
	w->open.len = w->rec_at + WAL_REC_HDR + rec->off;
	w->open.nr_recs++;
	if (!w->busy)
		commit_start(w);
	return 0;
}

int
vos_wal_flush(struct vos_pool *pool)
{
	struct vos_wal *w = pool->wal;
	int rc;

	if (w == NULL)
		return 0;
	while ((w->busy || w->open.nr_recs > 0) && w->error == 0) {
		if (!w->busy)
			commit_start(w);
		rc = bio_ioq_poll(pool->ioq, 100);
		if (rc < 0)
			return rc;
	}
	return w->error;
}

void
vos_wal_position(const struct vos_pool *pool, uint64_t *pos, uint64_t *batch)
{
	*pos = pool->wal->head;
	*batch = pool->wal->next_seq;
}

void
vos_wal_trim(struct vos_pool *pool, uint64_t pos)
{
	if (pos > pool->wal->tail)
		pool->wal->tail = pos;
}

/* --- records: decoding and applying --- */

static int
get_cont(struct vos_pool *pool, struct buf *b, struct vos_cont **out)
{
	const uint8_t *uuid = buf_get_bytes_raw(b, 16);
	struct vos_crec *c;

	if (uuid == NULL)
		return -DER_PROTO;
	c = d_btr_lookup(&pool->conts, uuid);
	if (c == NULL) {
		D_ERROR("pool " DF_UUIDF " target %u: WAL record for unknown container " DF_UUIDF,
			DP_UUID(pool->uuid), pool->target, DP_UUID(uuid));
		return -DER_DF_INVAL;
	}
	*out = c->cont;
	return 0;
}

static void
get_oid(struct buf *b, struct vos_oid *oid)
{
	oid->lo = buf_get_u64(b);
	oid->hi = buf_get_u64(b);
	oid->shard = buf_get_u32(b);
}

static int
get_key(struct buf *b, enum vos_key_kind kind, struct vos_skey *sk)
{
	size_t len;
	const void *p = buf_get_bytes(b, &len);
	d_iov_t iov;

	if (p == NULL)
		return -DER_PROTO;
	d_iov_set(&iov, (void *)(uintptr_t)p, len);
	return vos_skey_init(sk, kind, &iov) == 0 ? 0 : -DER_PROTO;
}

static void
seq_seen(struct vos_pool *pool, uint32_t seq)
{
	if (seq >= pool->next_seq)
		pool->next_seq = seq + 1;
}

/* A decoded update record (arrays allocated by update_decode). */
struct upd_rec {
	struct vos_cont *cont;
	struct vos_oid oid;
	uint64_t epoch;
	uint32_t seq;
	struct vos_skey dkey;
	uint32_t nr;
	struct vos_apply_akey *akeys;
};

static void
upd_rec_fini(struct upd_rec *r)
{
	uint32_t i;

	if (r->akeys == NULL)
		return;
	for (i = 0; i < r->nr; i++) {
		d_free((void *)(uintptr_t)r->akeys[i].recxs);
		d_free((void *)(uintptr_t)r->akeys[i].vals);
	}
	d_free(r->akeys);
}

static int
update_decode(struct vos_pool *pool, const void *body, size_t len, struct upd_rec *r)
{
	struct buf b = BUF_INIT(body, len);
	uint32_t i;
	uint32_t v;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = get_cont(pool, &b, &r->cont);
	if (rc != 0)
		return rc;
	get_oid(&b, &r->oid);
	r->epoch = buf_get_u64(&b);
	r->seq = buf_get_u32(&b);
	if (b.err != 0 || r->epoch == 0 || r->epoch == VOS_EPOCH_MAX)
		return -DER_PROTO;
	rc = get_key(&b, vos_oid_dkey_kind(&r->oid), &r->dkey);
	if (rc != 0)
		return rc;
	/* Each akey takes at least 17 bytes: bound the count by what is there. */
	r->nr = buf_get_u32_max(&b, (uint32_t)(buf_remaining(&b) / 17));
	if (b.err != 0 || r->nr == 0)
		return -DER_PROTO;
	r->akeys = d_calloc(r->nr, sizeof(*r->akeys));
	if (r->akeys == NULL)
		return -DER_NOMEM;
	for (i = 0; i < r->nr; i++) {
		struct vos_apply_akey *ak = &r->akeys[i];
		struct vos_recx *recxs = NULL;
		struct vos_val *vals;

		rc = get_key(&b, vos_oid_akey_kind(&r->oid), &ak->akey);
		if (rc != 0)
			return rc;
		ak->type = buf_get_u8(&b);
		ak->rsize = buf_get_u64(&b);
		ak->nr = buf_get_u32_max(&b, (uint32_t)(buf_remaining(&b) / 4));
		if (b.err != 0 || ak->nr == 0 ||
		    (ak->type != VOS_IOD_SINGLE && ak->type != VOS_IOD_ARRAY) ||
		    (ak->type == VOS_IOD_SINGLE && (ak->nr != 1 || ak->rsize > UINT32_MAX)) ||
		    (ak->type == VOS_IOD_ARRAY && ak->rsize > UINT32_MAX))
			return -DER_PROTO;
		vals = d_calloc(ak->nr, sizeof(*vals));
		ak->vals = vals;
		if (vals == NULL)
			return -DER_NOMEM;
		if (ak->type == VOS_IOD_ARRAY) {
			recxs = d_calloc(ak->nr, sizeof(*recxs));
			ak->recxs = recxs;
			if (recxs == NULL)
				return -DER_NOMEM;
		}
		for (v = 0; v < ak->nr; v++) {
			struct vos_val *val = &vals[v];
			uint64_t bytes = ak->rsize;

			if (ak->type == VOS_IOD_ARRAY) {
				recxs[v].idx = buf_get_u64(&b);
				recxs[v].nr = buf_get_u64(&b);
				if (recxs[v].nr == 0 ||
				    recxs[v].idx > UINT64_MAX - recxs[v].nr + 1 ||
				    (ak->rsize != 0 && recxs[v].nr > UINT64_MAX / ak->rsize))
					return -DER_PROTO;
				bytes = recxs[v].nr * ak->rsize;
			}
			val->flags = buf_get_u32(&b);
			val->len = bytes;
			switch (val->flags) {
			case VOS_VAL_PUNCH:
				if (bytes != 0)
					return -DER_PROTO;
				break;
			case VOS_VAL_INLINE: {
				size_t n;

				val->inl = buf_get_bytes(&b, &n);
				if (val->inl == NULL || n != bytes || bytes == 0)
					return -DER_PROTO;
				break;
			}
			case VOS_VAL_DATA:
				val->addr = buf_get_u64(&b);
				if (buf_get_u64(&b) != bytes || bytes == 0)
					return -DER_PROTO;
				val->csum = buf_get_u32(&b);
				if (pool->data_blob == NULL ||
				    val->addr > bio_blob_size(pool->data_blob) / BIO_BLOCK_SIZE ||
				    vos_blocks(bytes) >
					    bio_blob_size(pool->data_blob) / BIO_BLOCK_SIZE -
						    val->addr)
					return -DER_PROTO;
				break;
			default:
				return -DER_PROTO;
			}
		}
	}
	return buf_finish(&b);
}

/* Are the data-blob values of update record @body really on disk? (replay of the tail) */
static int
update_verify(struct vos_pool *pool, const void *body, size_t len)
{
	struct upd_rec r;
	uint32_t i;
	uint32_t v;
	int rc;

	rc = update_decode(pool, body, len, &r);
	for (i = 0; rc == 0 && i < r.nr; i++) {
		for (v = 0; rc == 0 && v < r.akeys[i].nr; v++) {
			const struct vos_val *val = &r.akeys[i].vals[v];
			uint64_t bytes = vos_blocks(val->len) * BIO_BLOCK_SIZE;
			void *data;

			if (!(val->flags & VOS_VAL_DATA))
				continue;
			data = bio_buf_alloc(bytes);
			if (data == NULL) {
				rc = -DER_NOMEM;
				break;
			}
			rc = bio_read(pool->data_blob, val->addr * BIO_BLOCK_SIZE, data, bytes);
			if (rc == 0 && d_crc32c(0, data, val->len) != val->csum)
				rc = -DER_CSUM;
			d_free(data);
		}
	}
	upd_rec_fini(&r);
	return rc;
}

static int
rec_update(struct vos_pool *pool, const void *body, size_t len)
{
	struct upd_rec r;
	int rc;

	rc = update_decode(pool, body, len, &r);
	if (rc == 0) {
		seq_seen(pool, r.seq);
		rc = vos_apply_update(r.cont, &r.oid, r.epoch, r.seq, &r.dkey, r.nr, r.akeys);
	}
	upd_rec_fini(&r);
	return rc;
}

static int
rec_punch(struct vos_pool *pool, const void *body, size_t len)
{
	struct buf b = BUF_INIT(body, len);
	struct vos_skey dkey;
	struct vos_skey *akeys = NULL;
	struct vos_cont *cont;
	struct vos_oid oid;
	uint64_t epoch;
	uint32_t seq;
	uint32_t nr;
	uint32_t i;
	uint8_t kind;
	size_t dlen;
	int rc;

	rc = get_cont(pool, &b, &cont);
	if (rc != 0)
		return rc;
	get_oid(&b, &oid);
	epoch = buf_get_u64(&b);
	seq = buf_get_u32(&b);
	kind = buf_get_u8(&b);
	if (b.err != 0 || epoch == 0 || epoch == VOS_EPOCH_MAX || kind > 2)
		return -DER_PROTO;
	if (kind == 0) {
		if (buf_get_bytes(&b, &dlen) == NULL || dlen != 0)
			return -DER_PROTO;
	} else {
		rc = get_key(&b, vos_oid_dkey_kind(&oid), &dkey);
		if (rc != 0)
			return rc;
	}
	nr = buf_get_u32_max(&b, (uint32_t)(buf_remaining(&b) / 5));
	if (b.err != 0 || (kind == 2) != (nr > 0))
		return -DER_PROTO;
	if (nr > 0) {
		akeys = d_calloc(nr, sizeof(*akeys));
		if (akeys == NULL)
			return -DER_NOMEM;
	}
	for (i = 0; i < nr && rc == 0; i++)
		rc = get_key(&b, vos_oid_akey_kind(&oid), &akeys[i]);
	if (rc == 0)
		rc = buf_finish(&b);
	if (rc == 0) {
		seq_seen(pool, seq);
		rc = vos_apply_punch(cont, &oid, epoch, seq, kind == 0 ? NULL : &dkey, nr, akeys);
	}
	d_free(akeys);
	return rc;
}

static int
rec_cont(struct vos_pool *pool, uint16_t type, const void *body, size_t len)
{
	struct buf b = BUF_INIT(body, len);
	const uint8_t *uuid = buf_get_bytes_raw(&b, 16);
	uint32_t seq = buf_get_u32(&b);

	if (buf_finish(&b) != 0)
		return -DER_PROTO;
	seq_seen(pool, seq);
	if (type == VOS_REC_CONT_CREATE)
		return vos_cont_apply_create(pool, uuid);
	return vos_cont_apply_destroy(pool, uuid, 0);
}

int
vos_rec_apply(struct vos_pool *pool, uint16_t type, const void *body, size_t len)
{
	switch (type) {
	case VOS_REC_CONT_CREATE:
	case VOS_REC_CONT_DESTROY:
		return rec_cont(pool, type, body, len);
	case VOS_REC_UPDATE:
		return rec_update(pool, body, len);
	case VOS_REC_PUNCH:
		return rec_punch(pool, body, len);
	case VOS_REC_AGG_DEL:
		return vos_rec_agg(pool, body, len);
	case VOS_REC_DISCARD:
		return vos_rec_discard(pool, body, len);
	default:
		return -DER_PROTO;
	}
}

/* Call @fn on each record of @payload; -DER_PROTO if they do not add up to it. */
static int
records_each(struct vos_pool *pool, const uint8_t *payload, uint32_t len, uint32_t nr,
	     int (*fn)(struct vos_pool *pool, uint16_t type, const void *body, size_t len))
{
	struct buf b = BUF_INIT(payload, len);
	uint32_t i;
	int rc;

	for (i = 0; i < nr; i++) {
		uint16_t type = buf_get_u16(&b);
		uint16_t rsvd = buf_get_u16(&b);
		uint32_t blen = buf_get_u32(&b);
		const void *body = buf_get_bytes_raw(&b, blen);

		if (b.err != 0 || rsvd != 0)
			return -DER_PROTO;
		rc = fn(pool, type, body, blen);
		if (rc != 0)
			return rc;
	}
	return buf_finish(&b);
}

static int
rec_verify(struct vos_pool *pool, uint16_t type, const void *body, size_t len)
{
	return type == VOS_REC_UPDATE ? update_verify(pool, body, len) : 0;
}

/* --- open and replay --- */

/*
 * How much to read for a header at @phys of a WAL blob of @size bytes: a block on block
 * devices (the O_DIRECT path), just the header on memory or where a block would not fit
 * (a batch written in smaller units).
 */
static size_t
hdr_read_len(const struct bio_blob *blob, uint64_t size, uint64_t phys)
{
	if (bio_blob_mem(blob) || phys + BIO_BLOCK_SIZE > size)
		return WAL_HDR;
	return BIO_BLOCK_SIZE;
}

/* Is batch @batch at logical @pos of the WAL blob (before the WAL is opened)? */
int vos_wal_batch_present(struct vos_pool *pool, uint64_t pos, uint64_t batch);

int
vos_wal_batch_present(struct vos_pool *pool, uint64_t pos, uint64_t batch)
{
	uint64_t size = bio_blob_size(pool->wal_blob) / BIO_BLOCK_SIZE * BIO_BLOCK_SIZE;
	uint8_t *blk = bio_buf_alloc(BIO_BLOCK_SIZE);
	struct wal_hdr h;
	int rc;

	if (blk == NULL)
		return -DER_NOMEM;
	rc = bio_read(pool->wal_blob, pos % size, blk,
		      hdr_read_len(pool->wal_blob, size, pos % size));
	if (rc == 0 &&
	    (hdr_decode(blk, &h) != 0 || h.seq != batch || h.incarnation != pool->incarnation))
		rc = -DER_NONEXIST;
	d_free(blk);
	return rc;
}

static void
wal_free(struct vos_wal *w)
{
	d_free(w->open.buf);
	d_free(w->flight.buf);
	d_free(w->wrap_buf);
	d_free(w);
}

/* Read the batch at logical @pos expecting number @seq; its payload into *@payload. */
static int
batch_read(struct vos_wal *w, uint64_t *pos, uint64_t seq, struct wal_hdr *h, uint8_t **payload)
{
	uint64_t phys = *pos % w->size;
	uint8_t *blk = w->wrap_buf;
	uint64_t bytes;
	uint8_t *all;
	int rc;

	rc = bio_read(w->blob, phys, blk, hdr_read_len(w->blob, w->size, phys));
	if (rc != 0)
		return rc;
	/* Another pool's batch (same space, earlier life) ends the log like garbage. */
	if (hdr_decode(blk, h) != 0 || h->seq != seq || h->incarnation != w->pool->incarnation)
		return -DER_NONEXIST; /* the end of the log */
	if (h->flags & WAL_F_WRAP) {
		*pos += w->size - phys;
		return batch_read(w, pos, seq, h, payload);
	}
	bytes = units_bytes((uint64_t)WAL_HDR + h->payload_len, h->unit);
	if (phys + bytes > w->size)
		return -DER_NONEXIST;
	all = bio_buf_alloc(bytes);
	if (all == NULL)
		return -DER_NOMEM;
	rc = bio_read(w->blob, phys, all, bytes);
	if (rc != 0) {
		d_free(all);
		return rc;
	}
	if (d_crc32c(0, all + WAL_HDR, h->payload_len) != h->payload_crc) {
		d_free(all);
		/* Torn, or damaged: the caller tells them apart by what follows. */
		*pos += bytes;
		return -DER_CSUM;
	}
	*payload = all;
	return 0;
}

int
vos_wal_open(struct vos_pool *pool, uint64_t pos, uint64_t seq)
{
	uint64_t start = pos; /* needed until the next checkpoint covers it */
	struct vos_wal *w;
	uint8_t *prev = NULL;
	struct wal_hdr prev_h = { 0 };
	uint64_t prev_pos = pos;
	uint64_t nr_batches = 0;
	int rc;

	w = d_calloc(1, sizeof(*w));
	if (w == NULL)
		return -DER_NOMEM;
	w->pool = pool;
	w->blob = pool->wal_blob;
	w->size = bio_blob_size(w->blob) / BIO_BLOCK_SIZE * BIO_BLOCK_SIZE;
	w->unit = bio_blob_mem(w->blob) ? WAL_MEM_UNIT : BIO_BLOCK_SIZE;
	w->wrap_buf = bio_buf_alloc(BIO_BLOCK_SIZE);
	rc = w->wrap_buf == NULL ? -DER_NOMEM : batch_init(&w->open);
	if (rc == 0)
		rc = batch_init(&w->flight);
	if (rc != 0)
		goto out_free;

	/*
	 * Apply each batch once the next one is known good: a batch was written only after
	 * its predecessor was durable, so only the last one may hold records whose data never
	 * reached the disk. That one is checked before it is applied.
	 */
	pool->replaying = true;
	for (;;) {
		struct wal_hdr h;
		uint8_t *cur = NULL;
		uint64_t at = pos;

		rc = batch_read(w, &at, seq, &h, &cur);
		if (rc == -DER_CSUM && vos_wal_batch_present(pool, at, seq + 1) == 0) {
			/* A later batch exists: this one was not torn by a crash but damaged. */
			D_ERROR("pool " DF_UUIDF " target %u: WAL batch %" PRIu64
				" is damaged (checksum mismatch) and later batches follow it: "
				"refusing to open rather than lose them",
				DP_UUID(pool->uuid), pool->target, seq);
			d_free(prev);
			goto out_replay;
		}
		if (rc == -DER_NONEXIST || rc == -DER_CSUM)
			break;
		if (rc != 0) {
			d_free(prev);
			goto out_replay;
		}
		if (prev != NULL) {
			rc = records_each(pool, prev + WAL_HDR, prev_h.payload_len, prev_h.nr_recs,
					  vos_rec_apply);
			d_free(prev);
			if (rc != 0) {
				d_free(cur);
				goto out_corrupt;
			}
			nr_batches++;
		}
		prev = cur;
		prev_h = h;
		/* A wrap marker moved @at to the start of the next lap. */
		prev_pos = at;
		pos = at + units_bytes((uint64_t)WAL_HDR + h.payload_len, h.unit);
		seq++;
	}
	if (prev != NULL) {
		rc = records_each(pool, prev + WAL_HDR, prev_h.payload_len, prev_h.nr_recs,
				  rec_verify);
		if (rc == 0) {
			rc = records_each(pool, prev + WAL_HDR, prev_h.payload_len, prev_h.nr_recs,
					  vos_rec_apply);
			if (rc != 0) {
				d_free(prev);
				goto out_corrupt;
			}
			nr_batches++;
		} else if (rc == -DER_CSUM || rc == -DER_PROTO) {
			/* Never acknowledged: its sync did not complete. Drop it. */
			D_WARN("pool " DF_UUIDF " target %u: last WAL batch %" PRIu64
			       " refers to data that is not on disk; ignored (never acknowledged)",
			       DP_UUID(pool->uuid), pool->target, prev_h.seq);
			pos = prev_pos;
			seq = prev_h.seq;
		} else {
			d_free(prev);
			goto out_replay;
		}
		d_free(prev);
	}
	pool->replaying = false;
	if (pool->ckpt_need_batch != 0 && seq < pool->ckpt_need_batch) {
		D_ERROR("pool " DF_UUIDF " target %u: the WAL ends at batch %" PRIu64
			" but the damaged newer checkpoint covered up to %" PRIu64
			": refusing to open rather than lose data",
			DP_UUID(pool->uuid), pool->target, seq, pool->ckpt_need_batch);
		rc = -DER_CSUM;
		goto out_free;
	}
	w->head = pos;
	w->tail = start;
	w->next_seq = seq;
	w->durable = seq - 1;
	pool->wal = w;
	D_INFO("pool " DF_UUIDF " target %u: replayed %" PRIu64 " WAL batches", DP_UUID(pool->uuid),
	       pool->target, nr_batches);
	return 0;

out_corrupt:
	D_ERROR("pool " DF_UUIDF " target %u: WAL batch %" PRIu64 " at offset %" PRIu64
		" passed its checksum but holds a bad record: " DF_RC,
		DP_UUID(pool->uuid), pool->target, seq - 1, prev_pos % w->size, DP_RC(rc));
	if (rc == -DER_PROTO)
		rc = -DER_DF_INVAL;
out_replay:
	pool->replaying = false;
out_free:
	wal_free(w);
	return rc;
}

void
vos_wal_close(struct vos_pool *pool)
{
	struct vos_wal *w = pool->wal;

	if (w == NULL)
		return;
	vos_wal_flush(pool);
	waiters_run(&w->open.waiters, -DER_CANCELED);
	pool->wal = NULL;
	wal_free(w);
}
