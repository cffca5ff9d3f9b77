/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rsvc/rdb.h - the small durable key-value store of a metadata service (the pool
 * service now, its container service next), kept in a VOS pool of its own.
 *
 * Layout: one VOS pool whose blobs carry target id RDB_TARGET (so scans for pool shards,
 * which look at target ids 0..N-1, never see it), one container (the all-zero uuid),
 * one object and one dkey; every key is an akey of that dkey holding a single value.
 * A transaction (any number of puts and deletes) is therefore one VOS update: it
 * applies whole or not at all, across crashes too. A delete writes an empty value (a
 * tombstone, which VOS keeps as a punch of the value): rdb_get() answers -DER_NONEXIST
 * and rdb_iterate() skips it. Tombstones are removed for good by aggregation.
 *
 * Keys are NUL-terminated strings of 1..RDB_KEY_MAX bytes (the NUL not counted);
 * values are 1..RDB_VALUE_MAX bytes.
 *
 * Epochs: each commit takes the next epoch after the newest one in the store, which
 * every commit also records under a reserved key (read back at open). Old versions
 * are aggregated away every RDB_AGGR_EVERY commits.
 *
 * Threads: a db belongs to the thread polling the I/O queue given at open. rdb_get(),
 * rdb_iterate() and rdb_tx_commit() may wait for the queue (values of VOS_DATA_THRESH
 * bytes and more live in the data blob): the metadata services accept that. While
 * they wait, callbacks of other operations on that queue may run.
 *
 * Errors: 0 or -DER_*: -DER_EXIST, -DER_NONEXIST, -DER_NOSPACE, -DER_INVAL (empty or
 * too long key, empty value, value over RDB_VALUE_MAX), -DER_NOMEM, -DER_IO, and what
 * VOS reports about damaged state (-DER_CSUM, -DER_DF_INVAL; -DER_DF_INCOMPT for a
 * store of a newer layout).
 */
#ifndef RSVC_RDB_H
#define RSVC_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "bio/bio.h"

#define RDB_TARGET 0xfffffff0u
#define RDB_KEY_MAX 1024
#define RDB_VALUE_MAX (4u << 20)
#define RDB_AGGR_EVERY 256

struct rdb;
struct rdb_tx;

struct rdb_attr {
	uuid_t uuid;             /* the service's id (the pool's uuid) */
	struct bio_dev *wal_dev; /* devices for the blobs (may be the same) */
	struct bio_dev *meta_dev;
	struct bio_dev *data_dev; /* NULL: no data blob, every value stays in the index */
	uint64_t size;       /* index bytes allowed (create: 1 MiB..1 TiB); blob sizes follow */
	struct bio_ioq *ioq; /* the owning thread's queue */
};

/*
 * Create an empty store. 0, -DER_EXIST, -DER_NOSPACE, -DER_IO, -DER_INVAL (bad size or
 * missing device). On an error nothing is left behind, except after a crash: then
 * rdb_open() refuses the half-made store (-DER_DF_INVAL) and rdb_destroy() removes it.
 */
int rdb_create(const struct rdb_attr *attr);
/* Open (replays the store's log). 0, -DER_NONEXIST, or as vos_pool_open(). */
int rdb_open(const struct rdb_attr *attr, struct rdb **out);
/* Wait for pending commits (running their callbacks) and close. */
void rdb_close(struct rdb *db);
/* Destroy a closed store's blobs. 0, -DER_NONEXIST, -DER_BUSY (open) or -DER_IO. */
int rdb_destroy(const struct rdb_attr *attr);
/* Device bytes of a store of @size index bytes (its data blob too if @with_data). */
uint64_t rdb_dev_bytes(uint64_t size, bool with_data);
/* Whether a store for @attr->uuid exists on @attr->meta_dev. */
bool rdb_exists(const struct rdb_attr *attr);

/* The value of @key in a new buffer (*@val, d_free() it; *@len bytes). -DER_NONEXIST. */
int rdb_get(struct rdb *db, const char *key, void **val, size_t *len);

/* Begin a transaction; nothing is visible or written before the commit. 0, -DER_NOMEM. */
int rdb_tx_begin(struct rdb *db, struct rdb_tx **out);
/*
 * Queue a put of @len (>= 1) bytes (copied) or a delete of @key; for a key queued twice,
 * the later one wins. 0, -DER_INVAL or -DER_NOMEM; on an error the transaction is as
 * before the call.
 */
int rdb_tx_put(struct rdb_tx *tx, const char *key, const void *val, size_t len);
int rdb_tx_del(struct rdb_tx *tx, const char *key);
/*
 * Apply everything queued: visible to rdb_get() when this returns 0; @cb(@arg, rc) runs
 * from the I/O queue once it is durable (never before this returns; @cb may be NULL). @tx
 * is freed on every path; on an error nothing changed and @cb is not called. An empty
 * transaction calls @cb from the queue too.
 */
int rdb_tx_commit(struct rdb_tx *tx, void (*cb)(void *arg, int rc), void *arg);
/* Commit and poll the queue until durable (tools, tests, start-up). */
int rdb_tx_commit_sync(struct rdb_tx *tx);
void rdb_tx_abort(struct rdb_tx *tx);

/*
 * Call @fn for every live key starting with @prefix ("" for all), in increasing byte
 * order (memcmp; a key sorts before the keys it is a prefix of); a non-zero result stops
 * the walk and is returned. @fn must not change the store.
 */
int rdb_iterate(struct rdb *db, const char *prefix,
		int (*fn)(const char *key, const void *val, size_t len, void *arg), void *arg);

#endif /* RSVC_RDB_H */
