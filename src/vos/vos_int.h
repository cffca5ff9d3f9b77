/* SPDX-License-Identifier: Apache-2.0 */
/* vos_int.h - private to src/vos: index records, the incarnation log, pool state. */
#ifndef VOS_INT_H
#define VOS_INT_H

#include <gurt/common.h>

#include "bio/bio.h"
#include "common/btree.h"
#include "common/buf.h"
#include "vos/vos.h"

/* --- keys --- */

enum vos_key_kind {
	VOS_KEY_HASHED,
	VOS_KEY_UINT64,
	VOS_KEY_LEXICAL,
};

#define VOS_KEY_INLINE 16

/* A key as stored in a record. */
struct vos_key {
	uint64_t hash; /* hashed: murmur64; uint64: the value; lexical: first bytes, big-endian */
	uint32_t len;
	uint32_t kind; /* enum vos_key_kind */
	union {
		uint8_t inl[VOS_KEY_INLINE]; /* len <= VOS_KEY_INLINE */
		uint8_t *ptr;                /* otherwise, d_malloc'ed */
	};
};

/* A key being looked up: same ordering fields, bytes borrowed from the caller. */
struct vos_skey {
	uint64_t hash;
	uint32_t len;
	uint32_t kind;
	const uint8_t *buf;
};

static inline const uint8_t *
vos_key_bytes(const struct vos_key *k)
{
	return k->len <= VOS_KEY_INLINE ? k->inl : k->ptr;
}

int vos_skey_init(struct vos_skey *sk, enum vos_key_kind kind, const d_iov_t *iov);
int vos_key_cmp(const struct vos_skey *sk, const struct vos_key *k);
int vos_key_copy(struct vos_key *k, const struct vos_skey *sk);
void vos_key_fini(struct vos_key *k);
enum vos_key_kind vos_oid_dkey_kind(const struct vos_oid *oid);
enum vos_key_kind vos_oid_akey_kind(const struct vos_oid *oid);

/* --- incarnation log --- */

/* (epoch, seq): the order of operations; seq breaks ties within an epoch. */
struct vos_stamp {
	uint64_t epoch;
	uint32_t seq;
};

static inline int
vos_stamp_cmp(uint64_t e1, uint32_t s1, uint64_t e2, uint32_t s2)
{
	if (e1 != e2)
		return e1 < e2 ? -1 : 1;
	return s1 < s2 ? -1 : s1 > s2;
}

struct vos_ilog_ent {
	uint64_t epoch;
	uint32_t seq;
	uint32_t punch; /* 1: punched, 0: created/updated */
};

/* Entries sorted by (epoch, seq); one inline, more in an array. */
struct vos_ilog {
	uint32_t nr;
	uint32_t cap; /* of ents when nr > 1 */
	union {
		struct vos_ilog_ent one;
		struct vos_ilog_ent *ents;
	};
};

static inline struct vos_ilog_ent *
vos_ilog_ents(struct vos_ilog *log)
{
	return log->nr <= 1 ? &log->one : log->ents;
}

/*
 * Record a create or punch; an identical entry is not added twice, and a create at the
 * end of a live incarnation is not added at all. 0 or -DER_NOMEM.
 */
int vos_ilog_add(struct vos_ilog *log, uint64_t epoch, uint32_t seq, bool punch);
/* Remove the entry (epoch, seq) if present (aggregation, discard). */
void vos_ilog_del(struct vos_ilog *log, uint64_t epoch, uint32_t seq);
void vos_ilog_fini(struct vos_ilog *log);
/* Does the entity exist at @epoch (newest entry at or before it is a create)? */
bool vos_ilog_exists(const struct vos_ilog *log, uint64_t epoch);
/* The newest punch at or before @epoch, or {0, 0}. */
struct vos_stamp vos_ilog_punched(const struct vos_ilog *log, uint64_t epoch);

/* --- index records (B+tree entries) --- */

/* Value kinds and storage of versions and extents. */
enum vos_val_flags {
	VOS_VAL_PUNCH = 1,  /* a punch marker: no data */
	VOS_VAL_INLINE = 2, /* data in DRAM at addr (a pointer) */
	VOS_VAL_DATA = 4,   /* data in the data blob at block addr */
	VOS_VAL_MAPPED = 8, /* in the mapped data blob: an update filling it in place, or
			     * a fetch copying from it (never logged) */
};

/* A single-value version. Sorted by (epoch, seq). 32 bytes. */
struct vos_sv {
	uint64_t epoch;
	uint32_t seq;
	uint32_t flags;
	uint64_t addr; /* inline pointer or data block */
	uint32_t len;
	uint32_t csum; /* CRC32C of the data (data blob values) */
};

/* An array extent [lo, hi] of records. Sorted by (lo, epoch, seq); aug = hi. 48 bytes. */
struct vos_ext {
	uint64_t lo;
	uint64_t hi;
	uint64_t epoch;
	uint32_t seq;
	uint32_t flags;
	uint64_t addr;
	uint32_t rsize; /* record size */
	uint32_t csum;
};

/* An akey or dkey. */
struct vos_krec {
	struct vos_key key;
	struct vos_ilog ilog;
	struct d_btr child; /* dkey: akeys; akey: struct vos_sv or struct vos_ext */
	uint32_t type;      /* akeys: enum vos_iod_type of the value */
};

/* An object shard. */
struct vos_orec {
	uint64_t lo;
	uint64_t hi;
	uint32_t shard;
	uint32_t pad;
	uint64_t max_epoch; /* the newest update or punch applied; 0: not known */
	struct vos_ilog ilog;
	struct d_btr dkeys;
};

/* A container entry in the pool's tree. */
struct vos_crec {
	uuid_t uuid;
	struct vos_cont *cont;
};

extern const struct d_btr_ops vos_obj_ops;
extern const struct d_btr_ops vos_key_ops;
extern const struct d_btr_ops vos_sv_ops;
extern const struct d_btr_ops vos_ext_ops;
extern const struct d_btr_ops vos_cont_ops;

/* Search keys for the trees above. */
struct vos_sv_key {
	uint64_t epoch;
	uint32_t seq;
};

struct vos_ext_key {
	uint64_t lo;
	uint64_t epoch;
	uint32_t seq;
};

/* --- containers and pools --- */

struct vos_cont {
	struct vos_pool *pool;
	uuid_t uuid;
	struct d_btr objs; /* struct vos_orec */
	uint32_t nr_open;
	/* Aggregation resumes after this object and dkey (agg_started false: from the start). */
	bool agg_started;
	struct vos_oid agg_oid;
	uint8_t *agg_dkey;
	uint32_t agg_dkey_len;
};

struct vos_wal;
struct vos_ckpt;

struct vos_pool {
	uuid_t uuid;
	uint32_t target;
	struct bio_ioq *ioq;
	struct bio_blob *wal_blob; /* NULL for a volatile pool (no devices: tests only) */
	struct bio_blob *meta_blob;
	struct bio_blob *data_blob;
	struct bio_alloc *alloc; /* of data_blob */
	struct vos_wal *wal;
	struct d_btr conts; /* struct vos_crec */
	uint32_t next_seq;  /* for the next operation */
	uint64_t mem_limit;
	int64_t mem_used; /* index bytes, from the thread allocation counter */
	uint64_t nr_checkpoints;
	uint64_t incarnation;     /* random, set at create: tags every WAL batch */
	uint64_t ckpt_gen;        /* generation of the newest checkpoint */
	uint32_t ckpt_slot;       /* its slot (0 or 1) */
	uint64_t ckpt_need_batch; /* replay must reach this batch (fallback checkpoint) */
	uint32_t nr_reads;        /* data blob reads in flight */
	uint64_t data_writes;     /* data blob writes queued, ever (the WAL syncs after them) */
	uint64_t durable_pending; /* batch made durable while reads were in flight */
	bool replaying;           /* applying WAL records at open: no logging */
};

/* Index changes cost memory; check before adding (estimate), measure after. */
int vos_mem_reserve(struct vos_pool *pool, uint64_t bytes);

/* --- applying changes (live and during replay) --- */

/* A value being applied: inline bytes or a data-blob address. */
struct vos_val {
	uint32_t flags; /* enum vos_val_flags */
	uint64_t addr;  /* data block (VOS_VAL_DATA) */
	uint32_t csum;
	const void *inl; /* VOS_VAL_INLINE: the bytes, copied on apply */
	uint64_t len;    /* bytes (single value; array: records * rsize) */
};

struct vos_apply_akey {
	struct vos_skey akey;
	enum vos_iod_type type;
	uint64_t rsize; /* arrays: record size; single: value length */
	uint32_t nr;    /* arrays: extents */
	const struct vos_recx *recxs;
	const struct vos_val *vals; /* one per extent, or one for a single value */
};

/* Apply an update whose conditions were checked. 0 or -DER_NOMEM (nothing changed). */
int vos_apply_update(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint32_t seq,
		     const struct vos_skey *dkey, uint32_t nr, const struct vos_apply_akey *akeys);

/* Punch the object (@dkey NULL), a dkey (@nr 0) or akeys. */
int vos_apply_punch(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint32_t seq,
		    const struct vos_skey *dkey, uint32_t nr, const struct vos_skey *akeys);

struct vos_orec *vos_obj_find(struct vos_cont *cont, const struct vos_oid *oid);

/* A visible piece [lo, hi] of extent @e of an array (a hole when e has VOS_VAL_PUNCH). */
struct vos_piece {
	uint64_t lo;
	uint64_t hi;
	struct vos_ext e;
};

struct vos_pieces {
	struct vos_piece *p;
	uint32_t nr;
	uint32_t cap;
};

/*
 * The visible pieces of [@lo, @hi] of array akey @a at @epoch above @bound (the
 * ancestors' newest punch), sorted by index, punched pieces included. @out starts empty;
 * the caller frees out->p. 0 or -DER_NOMEM.
 */
int vos_array_pieces(struct vos_krec *a, uint64_t lo, uint64_t hi, uint64_t epoch,
		     struct vos_stamp bound, struct vos_pieces *out);

/* Release what a value holds: inline bytes now, data blocks deferred to @batch durable. */
void vos_val_release(struct vos_pool *pool, uint32_t flags, uint64_t addr, uint64_t bytes,
		     uint64_t batch);

/* Data blob blocks for @bytes. */
static inline uint64_t
vos_blocks(uint64_t bytes)
{
	return (bytes + BIO_BLOCK_SIZE - 1) / BIO_BLOCK_SIZE;
}

/* Free everything under a record (used by destroy and punch cleanup). */
void vos_orec_fini(struct vos_pool *pool, struct vos_orec *o, uint64_t batch);
void vos_krec_fini(struct vos_pool *pool, struct vos_krec *k, uint64_t batch);
void vos_cont_free(struct vos_cont *cont, uint64_t batch);
/* Add or remove a container in the index (live and replay); idempotent. */
int vos_cont_apply_create(struct vos_pool *pool, const uuid_t uuid);
int vos_cont_apply_destroy(struct vos_pool *pool, const uuid_t uuid, uint64_t batch);

/* --- the WAL (vos_wal.c) --- */

enum vos_rec_type {
	VOS_REC_CONT_CREATE = 1,
	VOS_REC_CONT_DESTROY = 2,
	VOS_REC_UPDATE = 3,
	VOS_REC_PUNCH = 4,
	VOS_REC_DISCARD = 5,
	VOS_REC_AGG_DEL = 6, /* aggregation removed versions/extents/ilog entries */
	VOS_REC_AGG_EXT = 7, /* aggregation wrote a merged extent */
};

/* Open the WAL of @pool's blob at (head, batch) from the checkpoint, replaying it. */
int vos_wal_open(struct vos_pool *pool, uint64_t pos, uint64_t batch);
void vos_wal_close(struct vos_pool *pool);
/* Start a record in the open batch: returns the encoder positioned after its header. */
int vos_wal_rec_begin(struct vos_pool *pool, enum vos_rec_type type, uint64_t room,
		      struct buf *out);
/* Finish it, and call @cb once the batch holding it is durable (NULL: nobody waits). */
int vos_wal_rec_end(struct vos_pool *pool, struct buf *out, vos_done_fn cb, void *arg);
/* The batch number that records added now will be in (for deferred frees). */
uint64_t vos_wal_open_batch(const struct vos_pool *pool);
/* Write and sync everything queued, waiting (polls the queue). */
int vos_wal_flush(struct vos_pool *pool);
/* WAL position and next batch number once everything queued is durable. */
void vos_wal_position(const struct vos_pool *pool, uint64_t *pos, uint64_t *batch);
/* Forget everything before @pos (a checkpoint covers it). */
void vos_wal_trim(struct vos_pool *pool, uint64_t pos);
void vos_wal_usage(const struct vos_pool *pool, uint64_t *used, uint64_t *total);
/* Decode and apply one record (replay); -DER_PROTO if malformed. */
int vos_rec_apply(struct vos_pool *pool, uint16_t type, const void *body, size_t len);
/* Replay an aggregation step or a discard (vos_aggr.c). */
int vos_rec_agg(struct vos_pool *pool, const void *body, size_t len);
int vos_rec_discard(struct vos_pool *pool, const void *body, size_t len);
/* Call when the pool's data reads drop to zero (deferred frees may proceed). */
void vos_reads_drained(struct vos_pool *pool);

/* For volatile pools and replay: complete @cb now-ish (from the queue) with @status. */
void vos_defer_cb(struct vos_pool *pool, vos_done_fn cb, void *arg, int status);

/* --- checkpoints (vos_ckpt.c) --- */

int vos_ckpt_format(struct vos_pool *pool);
/*
 * Load the newest good checkpoint; returns the WAL position and batch to replay from.
 * When it had to fall back to the older slot, pool->ckpt_need_batch is the batch replay
 * must get past for nothing to be lost.
 */
int vos_ckpt_load(struct vos_pool *pool, uint64_t *wal_pos, uint64_t *wal_batch);
/* Decode an image chunk payload into @pool's index (fuzzing, tests). */
struct vos_ckpt_cursor;
int vos_ckpt_decode(struct vos_pool *pool, struct vos_ckpt_cursor *cur, const void *data,
		    size_t len);
struct vos_ckpt_cursor *vos_ckpt_cursor_create(void);
void vos_ckpt_cursor_destroy(struct vos_ckpt_cursor *cur);
int vos_ckpt_write(struct vos_pool *pool);

/* --- blocking helper --- */

/* Free the update contexts this thread keeps for reuse (vos_io.c). */
void vos_io_cache_drain(void);

struct vos_waiter {
	bool done;
	int status;
};
void vos_waiter_cb(void *arg, int status);
/* Poll @pool's queue until @w is done. */
int vos_wait(struct vos_pool *pool, struct vos_waiter *w);

#endif /* VOS_INT_H */
