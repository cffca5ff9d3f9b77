/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos/vos.h - the versioned object store of one engine target (design:
 * docs/design/vos.md).
 *
 * A pool shard (struct vos_pool) holds containers, which hold objects → dkeys → akeys →
 * single values or arrays of records, every change tagged with an epoch. Reads at an
 * epoch see the newest version at or below it. The index lives in DRAM; a write-ahead
 * log with group commit and periodic checkpoints make it durable on the shard's blobs.
 *
 * Completion. Operations that change state return when the change is applied to the index
 * (visible to later reads on this target) and call @cb once it is durable: that is when
 * the engine may acknowledge the client. @cb runs from the shard's I/O queue
 * (bio_ioq_poll of the queue given at open), never before the function returns; if the
 * function returns an error, @cb is not called and nothing changed. A fetch served from
 * the index completes before it returns (no callback); one that reads the data blob
 * completes through the queue the same way. The *_sync wrappers poll the queue until
 * done, for tools and tests.
 *
 * Buffers: the sgls of an update must stay valid until @cb runs (large values are written
 * from them, directly when aligned); the sgls of a fetch are filled before @cb runs.
 *
 * Threads: a pool and everything in it belongs to one thread.
 * Errors: 0 or -DER_*; -DER_NOSPACE (index memory, data blob, WAL), -DER_NONEXIST,
 * -DER_EXIST (conditional insert), -DER_INVAL (bad argument), -DER_IO, -DER_CSUM (stored
 * data or metadata failed its checksum), -DER_DF_INVAL (unreadable on-disk state),
 * -DER_REC2BIG (fetch buffer too small; the size is reported), -DER_NOMEM.
 */
#ifndef VOS_VOS_H
#define VOS_VOS_H

#include <gurt/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "bio/bio.h"

#define VOS_EPOCH_MAX UINT64_MAX
/* Values at least this large go to the data blob (DAOS's data_thresh default). */
#define VOS_DATA_THRESH 4096
/* Keys longer than this are refused with -DER_KEY2BIG. */
#define VOS_KEY_MAX 4096

/* Conditional flags: DAOS's values (daos_obj.h DAOS_COND_*). */
#define VOS_COND_PUNCH 1u
#define VOS_COND_DKEY_INSERT 2u
#define VOS_COND_DKEY_UPDATE 4u
#define VOS_COND_DKEY_FETCH 8u
#define VOS_COND_AKEY_INSERT 16u
#define VOS_COND_AKEY_UPDATE 32u
#define VOS_COND_AKEY_FETCH 64u
#define VOS_COND_PER_AKEY 128u

struct vos_pool;
struct vos_cont;

/* An object shard: the DAOS object id and the shard index on this target. */
struct vos_oid {
	uint64_t lo;
	uint64_t hi; /* bits 56..63: object type, which sets the dkey and akey kinds */
	uint32_t shard;
};

enum vos_iod_type {
	VOS_IOD_NONE = 0,
	VOS_IOD_SINGLE = 1,
	VOS_IOD_ARRAY = 2,
};

struct vos_recx {
	uint64_t idx; /* first record */
	uint64_t nr;  /* records */
};

/* One akey of an update or fetch (shaped like daos_iod_t). */
struct vos_iod {
	d_iov_t name; /* the akey */
	enum vos_iod_type type;
	uint64_t size;  /* value size (single) or record size (array); 0 on fetch:
			 * any, reported back; 0 on an array update: punch the recxs */
	uint64_t flags; /* per-akey VOS_COND_AKEY_* with VOS_COND_PER_AKEY */
	uint32_t nr;    /* recxs (arrays) */
	struct vos_recx *recxs;
};

/* --- pools --- */

struct vos_pool_attr {
	uuid_t uuid;
	uint32_t target;
	struct bio_dev *wal_dev; /* devices holding the shard's blobs (may be the same) */
	struct bio_dev *meta_dev;
	struct bio_dev *data_dev;
	uint64_t wal_size; /* blob sizes, for create */
	uint64_t meta_size;
	uint64_t data_size;
	uint64_t mem_limit;  /* index bytes allowed (the shard's part of scm_size) */
	struct bio_ioq *ioq; /* the target's queue; completions run from it */
};

/* Create the shard's blobs and an empty checkpoint. 0, -DER_EXIST, -DER_NOSPACE, -DER_IO. */
int vos_pool_create(const struct vos_pool_attr *attr);
/*
 * Open: load the newest checkpoint, replay the WAL, rebuild the allocator. Returns 0,
 * -DER_NONEXIST (no such shard), -DER_CSUM or -DER_DF_INVAL (the log says what is
 * damaged and where), -DER_NOMEM, -DER_IO.
 */
int vos_pool_open(const struct vos_pool_attr *attr, struct vos_pool **out);
/* Wait for pending commits, write a checkpoint, free everything. */
int vos_pool_close(struct vos_pool *pool);
/* Destroy the shard's blobs (the pool must not be open). */
int vos_pool_destroy(const struct vos_pool_attr *attr);

struct vos_pool_info {
	uint64_t mem_limit;  /* index bytes allowed */
	uint64_t mem_used;   /* index bytes in use */
	uint64_t data_total; /* data blob bytes */
	uint64_t data_free;  /* data blob bytes free (deferred frees not counted) */
	uint64_t wal_total;
	uint64_t wal_used;
	uint64_t nr_conts;
	uint64_t nr_checkpoints; /* written since open */
};
void vos_pool_query(struct vos_pool *pool, struct vos_pool_info *info);

/* Write a checkpoint now and trim the WAL (also done automatically). */
int vos_pool_checkpoint(struct vos_pool *pool);

/* --- containers --- */

typedef void (*vos_done_fn)(void *arg, int status);

int vos_cont_create(struct vos_pool *pool, const uuid_t uuid, vos_done_fn cb, void *arg);
/* Destroy a container and free all it holds. -DER_NONEXIST, -DER_BUSY if open. */
int vos_cont_destroy(struct vos_pool *pool, const uuid_t uuid, vos_done_fn cb, void *arg);
int vos_cont_open(struct vos_pool *pool, const uuid_t uuid, struct vos_cont **out);
void vos_cont_close(struct vos_cont *cont);

/* --- updates, punches, fetches --- */

/*
 * Update the akeys @iods (with data @sgls, one per iod) of @dkey of @oid at @epoch.
 * @flags: VOS_COND_* (dkey conditions, akey conditions for all iods, or per iod with
 * VOS_COND_PER_AKEY). All iods apply or none does.
 */
int vos_obj_update(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
		   const d_iov_t *dkey, uint32_t nr, const struct vos_iod *iods,
		   const d_sg_list_t *sgls, vos_done_fn cb, void *arg);

/*
 * A zero-copy update, for data that arrives later (a network transfer):
 * vos_update_begin() validates and checks the update as vos_obj_update() would (the
 * same errors, synchronously) and reserves room for its values; vos_update_sgls() says
 * where the bytes of each iod go, one sgl per iod, one iov per value of non-zero size
 * in iod order. On a memory data blob large values are the blob's own pages, so the
 * caller's transfer is the only copy. The caller fills them all, then calls
 * vos_update_end() with @status 0 and @cb, which applies the update as vos_obj_update()
 * does (conditions checked again; @cb reports the outcome when it is durable), or with
 * a non-zero @status (or no @cb), which drops it and frees the reservation at once.
 * Between the two the container stays open (a destroy is -DER_BUSY) and the pool must
 * not be closed: the caller waits for its transfers to end first.
 */
struct vos_upd;
int vos_update_begin(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch,
		     uint64_t flags, const d_iov_t *dkey, uint32_t nr, const struct vos_iod *iods,
		     struct vos_upd **out);
const d_sg_list_t *vos_update_sgls(struct vos_upd *upd);
/*
 * Optional, while filling: bytes [@off, @off + @len) of iov @iov of iod @iod are in
 * place. Reported in order from 0, a value is checksummed piece by piece while its
 * bytes are still in the cache, instead of all at once by vos_update_end(); any other
 * order (or no report) leaves that to vos_update_end(). The bytes must not change after.
 */
void vos_update_filled(struct vos_upd *upd, uint32_t iod, uint32_t iov, uint64_t off, uint64_t len);
void vos_update_end(struct vos_upd *upd, int status, vos_done_fn cb, void *arg);

/*
 * Punch @oid (@dkey NULL), a dkey (@nr 0), or akeys of a dkey, at @epoch. With
 * VOS_COND_PUNCH, -DER_NONEXIST if the target does not exist at @epoch.
 */
int vos_obj_punch(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
		  const d_iov_t *dkey, uint32_t nr, const d_iov_t *akeys, vos_done_fn cb,
		  void *arg);

/* Where the data of an array fetch came from: the extents present (holes are absent). */
struct vos_iom {
	uint32_t nr;            /* extents in recxs (all of them, even if more than cap) */
	uint32_t cap;           /* room in recxs; 0: do not list */
	struct vos_recx *recxs; /* visible extents, sorted, merged when adjacent */
	struct vos_recx lo;     /* lowest and highest visible extent (nr > 0) */
	struct vos_recx hi;
};

/*
 * Fetch @iods of @dkey at @epoch into @sgls. Single values: iod->size 0 asks for the size,
 * which is reported in iod->size (0 and iov_len 0 if none); a buffer too small gives
 * -DER_REC2BIG with the size reported. Arrays: record data is written to the sgl as the
 * concatenation of the recxs; holes are skipped (bytes left unchanged) and reported
 * through @ioms (optional, one per iod). sgls' sg_nr_out and iov_len are set.
 * @flags: VOS_COND_DKEY_FETCH / VOS_COND_AKEY_FETCH make a missing key -DER_NONEXIST.
 * A missing object or key is otherwise not an error: nothing is filled.
 *
 * Returns 0 when the fetch is complete (everything came from the index: @cb is not
 * called), 1 when data-blob reads are in flight (@cb reports the outcome, I/O errors and
 * -DER_CSUM included), or a negative code (nothing was done).
 */
int vos_obj_fetch(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
		  const d_iov_t *dkey, uint32_t nr, struct vos_iod *iods, d_sg_list_t *sgls,
		  struct vos_iom *ioms, vos_done_fn cb, void *arg);

/* --- enumeration and queries --- */

/* A resumable position; zero it to start. Opaque, 104 bytes like daos_anchor_t. */
struct vos_anchor {
	uint16_t type;
	uint16_t shard;
	uint32_t flags; /* VOS_ANCHOR_EOF when done */
	uint8_t buf[96];
};
#define VOS_ANCHOR_EOF 1u

static inline bool
vos_anchor_is_eof(const struct vos_anchor *a)
{
	return (a->flags & VOS_ANCHOR_EOF) != 0;
}

/* Up to *@nr objects existing at @epoch; *@nr is set to how many were returned. */
int vos_obj_list(struct vos_cont *cont, uint64_t epoch, struct vos_anchor *anchor,
		 struct vos_oid *oids, uint32_t *nr);

/* A listed key: its length and where its bytes start in the caller's buffer. */
struct vos_key_desc {
	uint32_t len;
	uint32_t off;
};

/*
 * Up to *@nr dkeys of @oid (or akeys of @dkey when @dkey is not NULL) existing at @epoch,
 * their bytes packed into @buf (@buf_len bytes). Returns 0 with *@nr set (it may be less
 * than asked when @buf fills up), or -DER_KEY2BIG if not even the next key fits (its
 * length in descs[0].len).
 */
int vos_key_list(struct vos_cont *cont, const struct vos_oid *oid, const d_iov_t *dkey,
		 uint64_t epoch, struct vos_anchor *anchor, struct vos_key_desc *descs,
		 uint32_t *nr, void *buf, size_t buf_len);

/*
 * Up to *@nr visible extents of array akey @akey at @epoch, lowest first (highest first
 * with @desc), and the record size; with @epochs (room for *@nr), the epoch each was
 * written at. Adjacent pieces of one write come as one extent.
 */
int vos_recx_list(struct vos_cont *cont, const struct vos_oid *oid, const d_iov_t *dkey,
		  const d_iov_t *akey, uint64_t epoch, bool desc, struct vos_anchor *anchor,
		  struct vos_recx *recxs, uint64_t *epochs, uint32_t *nr, uint64_t *rsize);

/*
 * Set @anchor so that vos_key_list() goes on at @key, included: the dkeys of @oid (@dkey
 * NULL) or the akeys of @dkey. The anchor names the key before @key in the tree (or none:
 * from the start), whatever its epochs, so a listing at any epoch returns @key if it
 * exists then, and what follows it. Returns 0, or -DER_INVAL/-DER_KEY2BIG for a key
 * the object cannot have.
 */
int vos_key_anchor(struct vos_cont *cont, const struct vos_oid *oid, const d_iov_t *dkey,
		   const d_iov_t *key, struct vos_anchor *anchor);

/* Query flags: DAOS's (DAOS_GET_DKEY, _AKEY, _RECX, _MAX, _MIN). */
#define VOS_GET_DKEY 1u
#define VOS_GET_AKEY 2u
#define VOS_GET_RECX 4u
#define VOS_GET_MAX 8u
#define VOS_GET_MIN 16u

/*
 * The greatest (VOS_GET_MAX) or least (VOS_GET_MIN) dkey, akey under @dkey, and/or extent
 * under @akey, existing at @epoch. Keys are copied into @dkey/@akey (iov_buf_len room;
 * iov_len set). -DER_NONEXIST if there is none.
 */
int vos_obj_query_key(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch,
		      uint32_t flags, d_iov_t *dkey, d_iov_t *akey, struct vos_recx *recx);

/*
 * The epoch of the newest update or punch of @oid applied here (0 if the object has none
 * or it is not known: a checkpoint written before this was kept).
 */
uint64_t vos_obj_max_epoch(struct vos_cont *cont, const struct vos_oid *oid);

/* --- aggregation and discard --- */

/*
 * Merge away versions of @cont written at or below @epoch that no reader can see: at the
 * newest epoch and at each of @snaps (sorted, ascending). Works in steps of at most
 * @budget entries; returns 0 when the container is done, 1 if more work remains (call
 * again), or a negative code. Results are logged, so they survive restarts.
 */
int vos_aggregate(struct vos_cont *cont, uint64_t epoch, const uint64_t *snaps, uint32_t nr_snaps,
		  uint32_t budget);

/* Remove every update and punch of @cont with an epoch in [@lo, @hi]. */
int vos_discard(struct vos_cont *cont, uint64_t lo, uint64_t hi);

/* --- blocking wrappers (tools and tests): run the queue until @cb would be called --- */

int vos_cont_create_sync(struct vos_pool *pool, const uuid_t uuid);
int vos_cont_destroy_sync(struct vos_pool *pool, const uuid_t uuid);
int vos_obj_update_sync(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch,
			uint64_t flags, const d_iov_t *dkey, uint32_t nr,
			const struct vos_iod *iods, const d_sg_list_t *sgls);
int vos_obj_punch_sync(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch,
		       uint64_t flags, const d_iov_t *dkey, uint32_t nr, const d_iov_t *akeys);
int vos_obj_fetch_sync(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch,
		       uint64_t flags, const d_iov_t *dkey, uint32_t nr, struct vos_iod *iods,
		       d_sg_list_t *sgls, struct vos_iom *ioms);

#endif /* VOS_VOS_H */
