/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rdb.c - the metadata services' key-value store on a VOS pool of its own (manual:
 * rdb.h). Everything lives under one dkey of one object, so a transaction is one
 * vos_obj_update and inherits VOS's all-or-nothing replay.
 *
 * Layout (this is the on-disk format; RDB_LAYOUT names its version):
 *
 *   pool       uuid = the service's, target = RDB_TARGET
 *   container  the all-zero uuid
 *   object     lo 1, hi DAOS_OT_AKEY_LEXICAL << 56: akeys sort by bytes (memcmp,
 *              shorter first), which gives rdb_iterate() its order and its early stop
 *   dkey       "rdb"
 *   akeys      a user key's bytes (no NUL): single value = the value's bytes; a version
 *              of size 0 (a VOS value punch) is a delete
 *              "\0layout": u32 LE, RDB_LAYOUT, written by rdb_create()
 *              "\0epoch":  u64 LE, the epoch of the newest commit, written by every one
 *
 * Reserved names start with a NUL byte, which no user key can contain, so no put can
 * reach them and no encoding trick is needed to tell a delete from a value: values are
 * at least one byte, deletes are none.
 *
 * Epochs. VOS has no query for the newest epoch of a container, hence "\0epoch". A
 * commit takes db->next_epoch; reads happen at db->epoch, the newest applied commit.
 * An epoch whose update failed is simply never used: nothing is stored at it.
 *
 * Visibility. An update whose values go to the data blob is applied by VOS only once
 * those writes complete. rdb_tx_commit() promises visibility on return, so it polls the
 * queue until "\0epoch" read at its own epoch shows it (applied) or VOS reports failure
 * (nothing applied). Small-value commits are applied inside vos_obj_update and never
 * wait. Callbacks run while waiting may commit again (nested commits): they take later
 * epochs, and aggregation is skipped while any commit waits, since it must never pass
 * an epoch that still has an update on its way.
 *
 * Aggregation (every RDB_AGGR_EVERY commits, at db->epoch). Tombstones would stay in
 * the index for ever (a delete creates the akey's incarnation; only a key punch ends
 * it), so first every akey whose value reads as deleted is punched at db->epoch, which
 * changes nothing visible, and then vos_aggregate removes the old versions, the punch
 * markers and the punched keys. Both walk every akey: the store is one dkey, and VOS
 * aggregates a dkey in one step anyway.
 *
 * Threads: none of its own; a db belongs to the thread that polls its queue.
 */
#define D_LOGFAC DD_FAC(rdb)

#include "rsvc/rdb.h"

#include <gurt/common.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/sort.h"
#include "vos/vos.h"
#include "vos/vos_sizes.h"

#define MiB (1ULL << 20)
#define RDB_LAYOUT 1
#define RDB_OID_HI (6ULL << 56) /* DAOS_OT_AKEY_LEXICAL */
#define RDB_DKEY "rdb"
#define RDB_KEY_EPOCH "\0epoch"
#define RDB_KEY_LAYOUT "\0layout"
#define RDB_SIZE_MIN MiB
#define RDB_SIZE_MAX (MiB << 20)
/* Tombstones punched per aggregation round (and their bytes); the rest wait for the next. */
#define RDB_GC_MAX 1024
#define RDB_GC_BUF (256 * 1024)
#define RDB_AGGR_BUDGET 4096
/* Keys listed per vos_key_list call, and room for their bytes. */
#define RDB_LIST_NR 128
#define RDB_LIST_BUF (64 * 1024)

static const struct vos_oid rdb_oid = { .lo = 1, .hi = RDB_OID_HI, .shard = 0 };
static const uuid_t rdb_cont_uuid;

struct rdb {
	struct vos_pool *pool;
	struct vos_cont *cont;
	struct bio_ioq *ioq;
	uuid_t uuid;
	uint64_t epoch;      /* the newest applied commit: reads happen here */
	uint64_t next_epoch; /* the next commit's */
	uint64_t nr_commits; /* since open: the aggregation cadence */
	uint32_t nr_waiting; /* commits polling for their update to apply */
};

/* One queued put (val != NULL) or delete. */
struct tx_op {
	char *key;      /* a copy, NUL-terminated */
	uint32_t len;   /* key bytes, NUL not counted */
	uint32_t pos;   /* queue order: the later of two ops on a key wins */
	void *val;      /* a copy (block-aligned from VOS_DATA_THRESH bytes on); NULL: delete */
	size_t val_len; /* 0 for a delete */
};

struct rdb_tx {
	struct rdb *db;
	struct tx_op *ops; /* in queue order, duplicates included */
	uint32_t nr_ops;
	uint32_t cap; /* room in ops */
};

/* A commit from submission to its durability callback; owns the tx (VOS reads it). */
struct commit {
	struct rdb *db;
	struct rdb_tx *tx;    /* its keys and values are the update's buffers */
	uint32_t nr;          /* iods: the tx's distinct keys, then "\0epoch" */
	struct vos_iod *iods; /* one per key, size 0 for a delete */
	d_sg_list_t *sgls;    /* one per iod, each of one iov */
	d_iov_t *iovs;
	uint8_t epoch_le[8];           /* the value of "\0epoch" */
	void (*cb)(void *arg, int rc); /* the caller's, NULL for none */
	void *arg;
	int status;     /* from VOS, once done */
	bool done;      /* VOS called back */
	bool waiting;   /* rdb_tx_commit() is still polling for it */
	bool abandoned; /* the poll failed: nobody is told any more */
};

/* --- small helpers --- */

static void
dkey_iov(d_iov_t *iov)
{
	d_iov_set(iov, (void *)RDB_DKEY, sizeof(RDB_DKEY) - 1);
}

/* The key's length, or 0 if it is not a valid key. */
static size_t
key_len(const char *key)
{
	size_t len;

	if (key == NULL)
		return 0;
	len = strnlen(key, RDB_KEY_MAX + 1);
	return len > RDB_KEY_MAX ? 0 : len;
}

static void
blob_id(struct bio_blob_id *id, const struct rdb_attr *attr, enum bio_role role)
{
	memset(id, 0, sizeof(*id));
	uuid_copy(id->pool, attr->uuid);
	id->target = RDB_TARGET;
	id->role = role;
}

/*
 * The VOS pool of a store. WAL and meta blobs follow vos/vos_sizes.h (the meta blob keeps
 * the index limit at @size when vos_pool_open() reads it back); the data blob is four
 * times the index (at least four of the largest values), since values of
 * VOS_DATA_THRESH bytes and more live there.
 */
static uint64_t
data_size(uint64_t size)
{
	return D_MAX(4 * size, 4ULL * RDB_VALUE_MAX);
}

uint64_t
rdb_dev_bytes(uint64_t size, bool with_data)
{
	return vos_pool_md_bytes(size) + (with_data ? vos_blob_round(data_size(size)) : 0);
}

static void
pool_attr(const struct rdb_attr *attr, struct vos_pool_attr *pa)
{
	uint64_t size = attr->size;

	memset(pa, 0, sizeof(*pa));
	uuid_copy(pa->uuid, attr->uuid);
	pa->target = RDB_TARGET;
	pa->wal_dev = attr->wal_dev;
	pa->meta_dev = attr->meta_dev;
	pa->data_dev = attr->data_dev;
	pa->wal_size = vos_pool_wal_size(size);
	pa->meta_size = vos_pool_meta_size(size);
	pa->data_size = attr->data_dev != NULL ? data_size(size) : 0;
	pa->mem_limit = size;
	pa->ioq = attr->ioq;
}

static bool
attr_is_valid(const struct rdb_attr *attr)
{
	return attr != NULL && attr->wal_dev != NULL && attr->meta_dev != NULL && attr->ioq != NULL;
}

/* --- reading values --- */

/* A fetch that may finish from the queue; heap-allocated so a failed poll can leave it. */
struct fetch_wait {
	void *buf;
	int status;
	bool done;
	bool abandoned; /* the caller gave up: free everything on completion */
};

static void
fetch_wait_cb(void *arg, int status)
{
	struct fetch_wait *w = arg;

	w->done = true;
	w->status = status;
	if (w->abandoned) {
		d_free(w->buf);
		d_free(w);
	}
}

static void
probe_cb(void *arg, int status)
{
	(void)arg;
	(void)status;
}

/*
 * The value of akey @name at @epoch in a new buffer (*@out, d_free; *@out_len bytes):
 * 0, -DER_NONEXIST (none, or deleted), -DER_DF_INVAL if it is over @max bytes, or what
 * VOS reports. First the size (from the index), then the bytes, which may come from the
 * data blob through the queue: then poll until they are in.
 */
static int
val_fetch(struct rdb *db, const void *name, size_t name_len, uint64_t epoch, size_t max, void **out,
	  size_t *out_len)
{
	struct vos_iod iod = { .type = VOS_IOD_SINGLE, .size = 0 };
	d_sg_list_t sgl = { .sg_nr = 1 };
	struct fetch_wait *w;
	d_iov_t dkey;
	d_iov_t iov;
	uint64_t size;
	int rc;

	dkey_iov(&dkey);
	d_iov_set(&iod.name, (void *)name, name_len);
	d_iov_set(&iov, NULL, 0);
	sgl.sg_iovs = &iov;
	/* No room: a value is reported by its size (-DER_REC2BIG) before anything is read. */
	rc = vos_obj_fetch(db->cont, &rdb_oid, epoch, 0, &dkey, 1, &iod, &sgl, NULL, probe_cb,
			   NULL);
	D_ASSERT(rc != 1);
	if (rc == 0)
		return -DER_NONEXIST;
	if (rc != -DER_REC2BIG)
		return rc;
	size = iod.size;
	if (size == 0 || size > max) {
		const char *shown = name;
		bool reserved = shown[0] == '\0';

		/* Reserved names print as "\0epoch"; long keys are cut. */
		D_ERROR("store " DF_UUID ": value of key %s%.*s%s is %" PRIu64 " bytes, over %zu",
			DP_UUID(db->uuid), reserved ? "\\0" : "",
			(int)D_MIN(name_len - reserved, 64), shown + reserved,
			name_len - reserved > 64 ? "..." : "", size, max);
		return -DER_DF_INVAL;
	}
	w = d_calloc(1, sizeof(*w));
	if (w == NULL)
		return -DER_NOMEM;
	w->buf = d_malloc(size);
	if (w->buf == NULL) {
		d_free(w);
		return -DER_NOMEM;
	}
	iod.size = size;
	d_iov_set(&iov, w->buf, size);
	iov.iov_len = 0;
	rc = vos_obj_fetch(db->cont, &rdb_oid, epoch, 0, &dkey, 1, &iod, &sgl, NULL, fetch_wait_cb,
			   w);
	if (rc == 1) {
		while (!w->done) {
			rc = bio_ioq_poll(db->ioq, 100);
			if (rc < 0) {
				w->abandoned = true; /* its callback frees it */
				return rc;
			}
		}
		rc = w->status;
	}
	/* Nothing runs between the two fetches, so the size cannot have changed. */
	if (rc == 0 && iod.size != size)
		rc = -DER_DF_INVAL;
	if (rc != 0) {
		d_free(w->buf);
		d_free(w);
		return rc;
	}
	*out = w->buf;
	*out_len = size;
	d_free(w);
	return 0;
}

/* Reserved value @name, exactly @len bytes, into @buf. -DER_DF_INVAL for another size. */
static int
fixed_read(struct rdb *db, const char *name, size_t name_len, uint64_t epoch, void *buf, size_t len)
{
	size_t got;
	void *val;
	int rc;

	rc = val_fetch(db, name, name_len, epoch, len, &val, &got);
	if (rc != 0)
		return rc;
	if (got != len)
		rc = -DER_DF_INVAL;
	else
		memcpy(buf, val, len);
	d_free(val);
	return rc;
}

/* The "\0epoch" value visible at @epoch. */
static int
epoch_read(struct rdb *db, uint64_t epoch, uint64_t *out)
{
	uint8_t le[8];
	struct buf b = BUF_INIT(le, sizeof(le));
	int rc;

	rc = fixed_read(db, RDB_KEY_EPOCH, sizeof(RDB_KEY_EPOCH) - 1, epoch, le, sizeof(le));
	if (rc != 0)
		return rc;
	*out = buf_get_u64(&b);
	return 0;
}

/* --- create, open, close, destroy --- */

static void
u64_encode(uint8_t *out, uint64_t v)
{
	struct buf b = BUF_INIT(out, 8);

	buf_put_u64(&b, v);
}

/* Write the first commit (epoch 1): the layout version and the epoch. */
static int
store_format(struct vos_cont *cont)
{
	uint8_t layout[4];
	uint8_t epoch[8];
	struct buf b = BUF_INIT(layout, sizeof(layout));
	struct vos_iod iods[2] = {
		{ .type = VOS_IOD_SINGLE, .size = sizeof(layout) },
		{ .type = VOS_IOD_SINGLE, .size = sizeof(epoch) },
	};
	d_iov_t iovs[2];
	d_sg_list_t sgls[2] = {
		{ .sg_nr = 1, .sg_iovs = &iovs[0] },
		{ .sg_nr = 1, .sg_iovs = &iovs[1] },
	};
	d_iov_t dkey;

	buf_put_u32(&b, RDB_LAYOUT);
	u64_encode(epoch, 1);
	d_iov_set(&iods[0].name, (void *)RDB_KEY_LAYOUT, sizeof(RDB_KEY_LAYOUT) - 1);
	d_iov_set(&iods[1].name, (void *)RDB_KEY_EPOCH, sizeof(RDB_KEY_EPOCH) - 1);
	d_iov_set(&iovs[0], layout, sizeof(layout));
	d_iov_set(&iovs[1], epoch, sizeof(epoch));
	dkey_iov(&dkey);
	return vos_obj_update_sync(cont, &rdb_oid, 1, 0, &dkey, 2, iods, sgls);
}

int
rdb_create(const struct rdb_attr *attr)
{
	struct vos_pool_attr pa;
	struct vos_pool *pool;
	struct vos_cont *cont;
	int err;
	int rc;

	if (!attr_is_valid(attr) || attr->size < RDB_SIZE_MIN || attr->size > RDB_SIZE_MAX)
		return -DER_INVAL;
	pool_attr(attr, &pa);
	rc = vos_pool_create(&pa);
	if (rc != 0)
		return rc;
	rc = vos_pool_open(&pa, &pool);
	if (rc != 0)
		goto out_destroy;
	rc = vos_cont_create_sync(pool, rdb_cont_uuid);
	if (rc == 0)
		rc = vos_cont_open(pool, rdb_cont_uuid, &cont);
	if (rc == 0) {
		rc = store_format(cont);
		vos_cont_close(cont);
	}
	err = vos_pool_close(pool);
	if (rc == 0)
		rc = err;
	if (rc != 0)
		goto out_destroy;
	return 0;

out_destroy:
	D_ERROR("could not create store " DF_UUID ": " DF_RC, DP_UUID(attr->uuid), DP_RC(rc));
	vos_pool_destroy(&pa);
	return rc;
}

/* Check the layout and find the newest epoch. */
static int
store_load(struct rdb *db)
{
	uint8_t layout[4];
	struct buf b = BUF_INIT(layout, sizeof(layout));
	uint32_t version;
	int rc;

	rc = fixed_read(db, RDB_KEY_LAYOUT, sizeof(RDB_KEY_LAYOUT) - 1, VOS_EPOCH_MAX - 1, layout,
			sizeof(layout));
	if (rc == -DER_NONEXIST) {
		D_ERROR("store " DF_UUID " has no layout version: a crash during its creation? "
			"destroy it",
			DP_UUID(db->uuid));
		return -DER_DF_INVAL;
	}
	if (rc != 0)
		return rc;
	version = buf_get_u32(&b);
	if (version != RDB_LAYOUT) {
		D_ERROR("store " DF_UUID " has layout %u, this build knows %u", DP_UUID(db->uuid),
			version, RDB_LAYOUT);
		return -DER_DF_INCOMPT;
	}
	rc = epoch_read(db, VOS_EPOCH_MAX - 1, &db->epoch);
	if (rc == -DER_NONEXIST)
		rc = -DER_DF_INVAL;
	if (rc == 0 && (db->epoch == 0 || db->epoch >= VOS_EPOCH_MAX / 2))
		rc = -DER_DF_INVAL;
	if (rc != 0) {
		D_ERROR("store " DF_UUID ": no valid epoch: " DF_RC, DP_UUID(db->uuid), DP_RC(rc));
		return rc;
	}
	db->next_epoch = db->epoch + 1;
	return 0;
}

int
rdb_open(const struct rdb_attr *attr, struct rdb **out)
{
	struct vos_pool_attr pa;
	struct rdb *db;
	int rc;

	if (!attr_is_valid(attr) || out == NULL)
		return -DER_INVAL;
	db = d_calloc(1, sizeof(*db));
	if (db == NULL)
		return -DER_NOMEM;
	uuid_copy(db->uuid, attr->uuid);
	db->ioq = attr->ioq;
	pool_attr(attr, &pa);
	rc = vos_pool_open(&pa, &db->pool);
	if (rc != 0)
		goto out_free;
	rc = vos_cont_open(db->pool, rdb_cont_uuid, &db->cont);
	if (rc == -DER_NONEXIST) {
		D_ERROR("store " DF_UUID " has no container: a crash during its creation? "
			"destroy it",
			DP_UUID(db->uuid));
		rc = -DER_DF_INVAL;
	}
	if (rc != 0)
		goto out_pool;
	rc = store_load(db);
	if (rc != 0)
		goto out_cont;
	D_DEBUG(DB_MD, "store " DF_UUID " open at epoch " DF_U64, DP_UUID(db->uuid), db->epoch);
	*out = db;
	return 0;

out_cont:
	vos_cont_close(db->cont);
out_pool:
	vos_pool_close(db->pool);
out_free:
	d_free(db);
	return rc;
}

void
rdb_close(struct rdb *db)
{
	int rc;

	/* Closing from a callback run while a commit waits would free what it polls. */
	D_ASSERT(db->nr_waiting == 0);
	vos_cont_close(db->cont);
	rc = vos_pool_close(db->pool);
	if (rc != 0)
		D_ERROR("store " DF_UUID ": close: " DF_RC, DP_UUID(db->uuid), DP_RC(rc));
	d_free(db);
}

static bool
blob_exists(struct bio_dev *dev, const struct rdb_attr *attr, enum bio_role role)
{
	struct bio_blob_id id;
	struct bio_blob *blob;

	if (dev == NULL)
		return false;
	blob_id(&id, attr, role);
	if (bio_blob_open(dev, &id, &blob) != 0)
		return false;
	bio_blob_close(blob);
	return true;
}

bool
rdb_exists(const struct rdb_attr *attr)
{
	return attr != NULL && blob_exists(attr->meta_dev, attr, BIO_ROLE_META);
}

int
rdb_destroy(const struct rdb_attr *attr)
{
	struct vos_pool_attr pa;

	if (!attr_is_valid(attr))
		return -DER_INVAL;
	/* Any blob left counts: a crash may have stopped a create half-way. */
	if (!blob_exists(attr->wal_dev, attr, BIO_ROLE_WAL) &&
	    !blob_exists(attr->meta_dev, attr, BIO_ROLE_META) &&
	    !blob_exists(attr->data_dev, attr, BIO_ROLE_DATA))
		return -DER_NONEXIST;
	pool_attr(attr, &pa);
	return vos_pool_destroy(&pa);
}

/* --- reads --- */

int
rdb_get(struct rdb *db, const char *key, void **val, size_t *len)
{
	size_t klen = key_len(key);

	if (klen == 0 || val == NULL || len == NULL)
		return -DER_INVAL;
	return val_fetch(db, key, klen, db->epoch, RDB_VALUE_MAX, val, len);
}

/*
 * Where @key (@len bytes) stands against @prefix in byte order: 0 if it starts with it,
 * > 0 if it sorts after every key that does, < 0 if before.
 */
static int
prefix_cmp(const uint8_t *key, size_t len, const char *prefix, size_t plen)
{
	int c = memcmp(key, prefix, D_MIN(len, plen));

	if (c != 0)
		return c;
	return len >= plen ? 0 : -1;
}

int
rdb_iterate(struct rdb *db, const char *prefix,
	    int (*fn)(const char *key, const void *val, size_t len, void *arg), void *arg)
{
	struct vos_anchor anchor = { 0 };
	struct vos_key_desc *descs;
	char key[RDB_KEY_MAX + 1];
	size_t plen;
	uint8_t *names;
	d_iov_t dkey;
	int rc = 0;

	if (fn == NULL)
		return -DER_INVAL;
	if (prefix == NULL)
		prefix = "";
	plen = strlen(prefix);
	descs = d_calloc(RDB_LIST_NR, sizeof(*descs));
	names = d_malloc(RDB_LIST_BUF);
	if (descs == NULL || names == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	dkey_iov(&dkey);
	while (rc == 0 && !vos_anchor_is_eof(&anchor)) {
		uint32_t nr = RDB_LIST_NR;
		uint32_t i;

		rc = vos_key_list(db->cont, &rdb_oid, &dkey, db->epoch, &anchor, descs, &nr, names,
				  RDB_LIST_BUF);
		for (i = 0; i < nr && rc == 0; i++) {
			const uint8_t *name = names + descs[i].off;
			size_t len = descs[i].len;
			size_t val_len;
			void *val;
			int c;

			if (len > 0 && name[0] == '\0')
				continue; /* reserved */
			if (len == 0 || len > RDB_KEY_MAX || memchr(name, '\0', len) != NULL) {
				D_ERROR("store " DF_UUID ": a key of %zu bytes is not one of ours",
					DP_UUID(db->uuid), len);
				rc = -DER_DF_INVAL;
				break;
			}
			c = prefix_cmp(name, len, prefix, plen);
			if (c > 0)
				goto out; /* past every key with the prefix */
			if (c < 0)
				continue;
			rc = val_fetch(db, name, len, db->epoch, RDB_VALUE_MAX, &val, &val_len);
			if (rc == -DER_NONEXIST) {
				rc = 0; /* deleted */
				continue;
			}
			if (rc != 0)
				break;
			memcpy(key, name, len);
			key[len] = '\0';
			rc = fn(key, val, val_len, arg);
			d_free(val);
		}
	}
out:
	d_free(names);
	d_free(descs);
	return rc;
}

/* --- transactions --- */

int
rdb_tx_begin(struct rdb *db, struct rdb_tx **out)
{
	struct rdb_tx *tx;

	if (db == NULL || out == NULL)
		return -DER_INVAL;
	tx = d_calloc(1, sizeof(*tx));
	if (tx == NULL)
		return -DER_NOMEM;
	tx->db = db;
	*out = tx;
	return 0;
}

static void
tx_free(struct rdb_tx *tx)
{
	uint32_t i;

	for (i = 0; i < tx->nr_ops; i++) {
		d_free(tx->ops[i].key);
		d_free(tx->ops[i].val);
	}
	d_free(tx->ops);
	d_free(tx);
}

void
rdb_tx_abort(struct rdb_tx *tx)
{
	if (tx != NULL)
		tx_free(tx);
}

static int
tx_add(struct rdb_tx *tx, const char *key, const void *val, size_t len)
{
	size_t klen = key_len(key);
	struct tx_op *op;

	if (tx == NULL || klen == 0)
		return -DER_INVAL;
	if (tx->nr_ops == tx->cap) {
		uint32_t cap = tx->cap ? tx->cap * 2 : 16;
		struct tx_op *ops;

		if (tx->cap >= (1u << 24))
			return -DER_NOMEM; /* 16 M ops: far beyond a WAL record anyway */
		ops = d_reallocarray(tx->ops, cap, sizeof(*ops));
		if (ops == NULL)
			return -DER_NOMEM;
		tx->ops = ops;
		tx->cap = cap;
	}
	op = &tx->ops[tx->nr_ops];
	memset(op, 0, sizeof(*op));
	op->key = d_strndup(key, klen);
	if (op->key == NULL)
		return -DER_NOMEM;
	if (val != NULL) {
		/*
		 * Values for the data blob in block-aligned memory: VOS then writes those of
		 * a whole number of blocks straight from it, without a bounce copy.
		 */
		op->val = len >= VOS_DATA_THRESH ? bio_buf_alloc(len) : d_malloc(len);
		if (op->val == NULL) {
			d_free(op->key);
			return -DER_NOMEM;
		}
		memcpy(op->val, val, len);
		op->val_len = len;
	}
	op->len = (uint32_t)klen;
	op->pos = tx->nr_ops++;
	return 0;
}

int
rdb_tx_put(struct rdb_tx *tx, const char *key, const void *val, size_t len)
{
	if (val == NULL || len == 0 || len > RDB_VALUE_MAX)
		return -DER_INVAL;
	return tx_add(tx, key, val, len);
}

int
rdb_tx_del(struct rdb_tx *tx, const char *key)
{
	return tx_add(tx, key, NULL, 0);
}

/* By key bytes, then queue order: the last of a run of equal keys is the one that wins. */
static int
op_cmp(const void *a, const void *b)
{
	const struct tx_op *x = *(const struct tx_op *const *)a;
	const struct tx_op *y = *(const struct tx_op *const *)b;
	int c;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	c = memcmp(x->key, y->key, x->len);
	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : 1;
}

static void
commit_free(struct commit *c)
{
	tx_free(c->tx);
	d_free(c->iods);
	d_free(c->sgls);
	d_free(c->iovs);
	d_free(c);
}

/* The update is durable (or failed). */
static void
commit_done(void *arg, int status)
{
	struct commit *c = arg;

	c->done = true;
	c->status = status;
	if (c->waiting)
		return; /* rdb_tx_commit() decides, and frees */
	if (c->status != 0 && !c->abandoned)
		D_ERROR("store " DF_UUID ": commit not durable: " DF_RC, DP_UUID(c->db->uuid),
			DP_RC(status));
	if (c->cb != NULL && !c->abandoned)
		c->cb(c->arg, status);
	commit_free(c);
}

/* The update became durable while rdb_tx_commit() waited: tell the caller from the queue. */
static void
commit_post(void *arg, int status)
{
	struct commit *c = arg;

	(void)status;
	if (c->cb != NULL)
		c->cb(c->arg, c->status);
	commit_free(c);
}

struct empty_commit {
	void (*cb)(void *arg, int rc);
	void *arg;
};

static void
empty_commit_run(void *arg, int status)
{
	struct empty_commit *e = arg;

	(void)status;
	e->cb(e->arg, 0);
	d_free(e);
}

static int
commit_empty(struct rdb_tx *tx, void (*cb)(void *arg, int rc), void *arg)
{
	struct empty_commit *e;
	int rc = 0;

	if (cb != NULL) {
		e = d_malloc(sizeof(*e));
		if (e == NULL) {
			rc = -DER_NOMEM;
		} else {
			e->cb = cb;
			e->arg = arg;
			rc = bio_ioq_post(tx->db->ioq, empty_commit_run, e);
			if (rc != 0)
				d_free(e);
		}
	}
	tx_free(tx);
	return rc;
}

/* The iods of @c: the tx's ops, deduplicated (VOS refuses an akey twice), and the epoch. */
static int
commit_build(struct commit *c, uint64_t epoch)
{
	struct rdb_tx *tx = c->tx;
	struct tx_op **sorted;
	uint32_t nr = 0;
	uint32_t i;

	sorted = d_calloc(tx->nr_ops, sizeof(*sorted));
	c->iods = d_calloc(tx->nr_ops + 1, sizeof(*c->iods));
	c->sgls = d_calloc(tx->nr_ops + 1, sizeof(*c->sgls));
	c->iovs = d_calloc(tx->nr_ops + 1, sizeof(*c->iovs));
	if (sorted == NULL || c->iods == NULL || c->sgls == NULL || c->iovs == NULL) {
		d_free(sorted);
		return -DER_NOMEM;
	}
	for (i = 0; i < tx->nr_ops; i++)
		sorted[i] = &tx->ops[i];
	d_sort(sorted, tx->nr_ops, sizeof(*sorted), op_cmp);
	for (i = 0; i < tx->nr_ops; i++) {
		const struct tx_op *op = sorted[i];

		if (i + 1 < tx->nr_ops && sorted[i + 1]->len == op->len &&
		    memcmp(sorted[i + 1]->key, op->key, op->len) == 0)
			continue; /* a later op on the same key wins */
		c->iods[nr].type = VOS_IOD_SINGLE;
		c->iods[nr].size = op->val_len; /* 0: a delete */
		d_iov_set(&c->iods[nr].name, op->key, op->len);
		d_iov_set(&c->iovs[nr], op->val, op->val_len);
		c->sgls[nr] = (d_sg_list_t){ .sg_nr = 1, .sg_iovs = &c->iovs[nr] };
		nr++;
	}
	d_free(sorted);
	u64_encode(c->epoch_le, epoch);
	c->iods[nr].type = VOS_IOD_SINGLE;
	c->iods[nr].size = sizeof(c->epoch_le);
	d_iov_set(&c->iods[nr].name, (void *)RDB_KEY_EPOCH, sizeof(RDB_KEY_EPOCH) - 1);
	d_iov_set(&c->iovs[nr], c->epoch_le, sizeof(c->epoch_le));
	c->sgls[nr] = (d_sg_list_t){ .sg_nr = 1, .sg_iovs = &c->iovs[nr] };
	c->nr = nr + 1;
	return 0;
}

static void
gc_done(void *arg, int status)
{
	struct rdb *db = arg;

	if (status != 0)
		D_WARN("store " DF_UUID ": tombstone punch not durable: " DF_RC, DP_UUID(db->uuid),
		       DP_RC(status));
}

/*
 * Punch up to RDB_GC_MAX keys whose value reads as deleted at db->epoch. Nothing visible
 * changes; the punch lets aggregation remove the keys themselves.
 */
static int
tombstones_punch(struct rdb *db)
{
	struct vos_anchor anchor = { 0 };
	struct vos_key_desc *descs;
	uint8_t *names;
	uint8_t *gone = NULL;
	d_iov_t *akeys = NULL;
	size_t gone_len = 0;
	uint32_t nr_gone = 0;
	d_iov_t dkey;
	uint32_t i;
	int rc = 0;

	descs = d_calloc(RDB_LIST_NR, sizeof(*descs));
	names = d_malloc(RDB_LIST_BUF);
	gone = d_malloc(RDB_GC_BUF);
	akeys = d_calloc(RDB_GC_MAX, sizeof(*akeys));
	if (descs == NULL || names == NULL || gone == NULL || akeys == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	dkey_iov(&dkey);
	while (rc == 0 && nr_gone < RDB_GC_MAX && gone_len + RDB_KEY_MAX <= RDB_GC_BUF &&
	       !vos_anchor_is_eof(&anchor)) {
		uint32_t nr = RDB_LIST_NR;

		rc = vos_key_list(db->cont, &rdb_oid, &dkey, db->epoch, &anchor, descs, &nr, names,
				  RDB_LIST_BUF);
		for (i = 0; i < nr && rc == 0 && nr_gone < RDB_GC_MAX; i++) {
			const uint8_t *name = names + descs[i].off;
			size_t len = descs[i].len;
			struct vos_iod iod = { .type = VOS_IOD_SINGLE, .size = 0 };
			d_sg_list_t sgl = { .sg_nr = 1 };
			d_iov_t iov;

			if (len == 0 || len > RDB_KEY_MAX || name[0] == '\0')
				continue;
			if (gone_len + len > RDB_GC_BUF)
				break;
			d_iov_set(&iod.name, (void *)name, len);
			d_iov_set(&iov, NULL, 0);
			sgl.sg_iovs = &iov;
			rc = vos_obj_fetch(db->cont, &rdb_oid, db->epoch, 0, &dkey, 1, &iod, &sgl,
					   NULL, probe_cb, NULL);
			D_ASSERT(rc != 1);
			if (rc == -DER_REC2BIG) {
				rc = 0; /* a value: live */
				continue;
			}
			if (rc != 0)
				break;
			memcpy(gone + gone_len, name, len);
			d_iov_set(&akeys[nr_gone++], gone + gone_len, len);
			gone_len += len;
		}
	}
	if (rc == 0 && nr_gone > 0)
		rc = vos_obj_punch(db->cont, &rdb_oid, db->epoch, 0, &dkey, nr_gone, akeys, gc_done,
				   db);
	if (rc == 0)
		D_DEBUG(DB_MD, "store " DF_UUID ": %u tombstones punched at epoch " DF_U64,
			DP_UUID(db->uuid), nr_gone, db->epoch);
out:
	d_free(akeys);
	d_free(gone);
	d_free(names);
	d_free(descs);
	return rc;
}

/* Drop what no read can see any more. Failures cost only space: logged, not returned. */
static void
store_aggregate(struct rdb *db)
{
	int rc;

	rc = tombstones_punch(db);
	if (rc != 0)
		D_WARN("store " DF_UUID ": could not punch tombstones: " DF_RC, DP_UUID(db->uuid),
		       DP_RC(rc));
	do {
		rc = vos_aggregate(db->cont, db->epoch, NULL, 0, RDB_AGGR_BUDGET);
	} while (rc == 1);
	if (rc != 0)
		D_WARN("store " DF_UUID ": aggregation at epoch " DF_U64 " failed: " DF_RC,
		       DP_UUID(db->uuid), db->epoch, DP_RC(rc));
}

/*
 * Wait until the update at @c's epoch is applied (0). An error with *@refused set: VOS
 * reported that it was not applied; without: reading or polling failed, state unknown.
 * Only updates that write the data blob get here without being applied already.
 */
static int
commit_wait_applied(struct commit *c, uint64_t epoch, bool *refused)
{
	struct rdb *db = c->db;
	uint64_t seen;
	int rc;

	*refused = false;
	for (;;) {
		rc = epoch_read(db, epoch, &seen);
		if (rc != 0 && rc != -DER_NONEXIST)
			return rc;
		if (rc == 0 && seen == epoch)
			return 0;
		if (c->done) {
			/* Durable (status 0) implies applied, so this is a refusal. */
			*refused = true;
			return c->status != 0 ? c->status : -DER_IO;
		}
		rc = bio_ioq_poll(db->ioq, 100);
		if (rc < 0)
			return rc;
	}
}

int
rdb_tx_commit(struct rdb_tx *tx, void (*cb)(void *arg, int rc), void *arg)
{
	struct rdb *db;
	struct commit *c;
	uint64_t epoch;
	bool refused;
	d_iov_t dkey;
	int rc;

	if (tx == NULL)
		return -DER_INVAL;
	db = tx->db;
	if (tx->nr_ops == 0)
		return commit_empty(tx, cb, arg);
	c = d_calloc(1, sizeof(*c));
	if (c == NULL) {
		tx_free(tx);
		return -DER_NOMEM;
	}
	c->db = db;
	c->tx = tx;
	c->cb = cb;
	c->arg = arg;
	epoch = db->next_epoch;
	if (epoch >= VOS_EPOCH_MAX / 2) {
		rc = -DER_OVERFLOW; /* 2^63 commits: never in practice */
		goto out_free;
	}
	rc = commit_build(c, epoch);
	if (rc != 0)
		goto out_free;
	dkey_iov(&dkey);
	/* Taken now: a commit nested in a callback while this one waits needs another. */
	db->next_epoch = epoch + 1;
	c->waiting = true;
	rc = vos_obj_update(db->cont, &rdb_oid, epoch, 0, &dkey, c->nr, c->iods, c->sgls,
			    commit_done, c);
	if (rc != 0)
		goto out_free;
	db->nr_waiting++;
	rc = commit_wait_applied(c, epoch, &refused);
	db->nr_waiting--;
	c->waiting = false;
	if (rc != 0 && refused)
		goto out_free; /* nothing applied */
	if (rc != 0) {
		/* The queue or the index failed under us: nobody can be told any more. */
		D_ERROR("store " DF_UUID ": commit at epoch " DF_U64 " in doubt: " DF_RC,
			DP_UUID(db->uuid), epoch, DP_RC(rc));
		if (c->done)
			commit_free(c);
		else
			c->abandoned = true; /* its callback frees it */
		return rc;
	}
	if (c->done && bio_ioq_post(db->ioq, commit_post, c) != 0) {
		/* No memory to defer: completing now is better than never (as VOS does). */
		commit_post(c, 0);
	}
	if (epoch > db->epoch)
		db->epoch = epoch;
	db->nr_commits++;
	if (db->nr_commits % RDB_AGGR_EVERY == 0 && db->nr_waiting == 0)
		store_aggregate(db);
	return 0;

out_free:
	commit_free(c);
	return rc;
}

struct sync_wait {
	int status;
	bool done;
	bool abandoned;
};

static void
sync_cb(void *arg, int rc)
{
	struct sync_wait *w = arg;

	w->done = true;
	w->status = rc;
	if (w->abandoned)
		d_free(w);
}

int
rdb_tx_commit_sync(struct rdb_tx *tx)
{
	struct sync_wait *w;
	struct bio_ioq *q;
	int rc;

	if (tx == NULL)
		return -DER_INVAL;
	q = tx->db->ioq;
	w = d_calloc(1, sizeof(*w));
	if (w == NULL) {
		tx_free(tx);
		return -DER_NOMEM;
	}
	rc = rdb_tx_commit(tx, sync_cb, w);
	if (rc != 0) {
		d_free(w);
		return rc;
	}
	while (!w->done) {
		rc = bio_ioq_poll(q, 100);
		if (rc < 0) {
			w->abandoned = true;
			return rc;
		}
	}
	rc = w->status;
	d_free(w);
	return rc;
}
