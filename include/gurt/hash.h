/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gurt/hash.h - chained hash tables of records embedded in the caller's structs, and
 * two tables built on them: handles (d_hhash, 64-bit cookies) and UUIDs (d_uhash).
 *
 * A record embeds a d_list_t (its "link") and the table strings links into buckets; it
 * never allocates or copies records. What a key is, how it hashes and how records are
 * counted are the caller's, through d_hash_table_ops_t:
 *
 *   hop_key_cmp      required: does the record at @link have this key?
 *   hop_key_hash     the key's 32-bit hash; djb2 over the key bytes if NULL
 *   hop_rec_hash     the hash of a record's own key, equal to hop_key_hash of it;
 *                    needed by per-bucket locking (without it the table uses one lock)
 *   hop_key_init     gives a record a fresh key (d_hash_rec_insert_anonym())
 *   hop_rec_addref   take a reference
 *   hop_rec_decref   drop one; true when that was the last, so the record may go
 *   hop_rec_ndecref  drop @count at once: 1 if none are left, 0 if some, <0 if too few
 *                    were held (optional; else hop_rec_decref is called @count times)
 *   hop_rec_free     free a record whose last reference is gone
 *
 * References. By default the table holds one reference on each record it contains:
 * it takes it on insertion and drops it on deletion, freeing the record if that was
 * the last. With D_HASH_FT_EPHEMERAL the table holds none: references are the callers',
 * and when d_hash_rec_decref() drops the last one the record leaves the table and is
 * freed. Lookups take a reference for the caller either way.
 *
 * Locking (feats): D_HASH_FT_NOLOCK - none, the caller serialises; D_HASH_FT_MUTEX -
 * mutexes; D_HASH_FT_RWLOCK - read-write locks, shared by lookups (but for LRU tables,
 * whose lookups reorder chains) and by decrefs in non-EPHEMERAL tables; none of these -
 * spinlocks. Locks guard groups of buckets unless D_HASH_FT_GLOCK asks for one lock
 * for the whole table (also used when hop_rec_hash is missing). Reference callbacks
 * run under the lock; under a shared read lock (RWLOCK lookups) several may run at
 * once, so their counts must then be atomic. hop_rec_free runs after the lock is
 * dropped. Callbacks must not call back into the same table.
 * D_HASH_FT_LRU moves a record found by a lookup to the front of its bucket.
 */
#ifndef GURT_HASH_H
#define GURT_HASH_H

#include <gurt/list.h>
#include <gurt/types.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* DAOS keeps extra statistics when this is 1; we keep none and define it for callers. */
#define D_HASH_DEBUG 0

struct d_hash_table;

typedef struct {
	bool (*hop_key_cmp)(struct d_hash_table *htable, d_list_t *link, const void *key,
			    unsigned int ksize);
	void (*hop_key_init)(struct d_hash_table *htable, d_list_t *link, void *arg);
	uint32_t (*hop_key_hash)(struct d_hash_table *htable, const void *key, unsigned int ksize);
	uint32_t (*hop_rec_hash)(struct d_hash_table *htable, d_list_t *link);
	void (*hop_rec_addref)(struct d_hash_table *htable, d_list_t *link);
	bool (*hop_rec_decref)(struct d_hash_table *htable, d_list_t *link);
	int (*hop_rec_ndecref)(struct d_hash_table *htable, d_list_t *link, int count);
	void (*hop_rec_free)(struct d_hash_table *htable, d_list_t *link);
} d_hash_table_ops_t;

/* Feature bits for d_hash_table_create(); unknown bits are ignored. */
enum d_hash_feats {
	D_HASH_FT_NOLOCK = (1 << 0),    /* no locking; wins over the two below */
	D_HASH_FT_MUTEX = (1 << 1),     /* mutexes; wins over RWLOCK */
	D_HASH_FT_RWLOCK = (1 << 2),    /* read-write locks */
	D_HASH_FT_EPHEMERAL = (1 << 3), /* the table holds no references (see above) */
	D_HASH_FT_LRU = (1 << 4),       /* lookups move records to the bucket's front */
	D_HASH_FT_GLOCK = (1 << 15),    /* one lock for the whole table */
};

union d_hash_lock {
	pthread_spinlock_t spin;
	pthread_mutex_t mutex;
	pthread_rwlock_t rwlock;
};

struct d_hash_bucket {
	d_list_t hb_head; /* the records, most recently inserted (or used, LRU) first */
};

/* Members are public for d_hash_table_create_inplace(); use them only through calls. */
struct d_hash_table {
	union d_hash_lock ht_lock;        /* the table lock (GLOCK), else for hop_key_init */
	uint32_t ht_bits;                 /* 1 << ht_bits buckets */
	uint32_t ht_feats;                /* D_HASH_FT_*, as in effect */
	void *ht_priv;                    /* the caller's, from create */
	d_hash_table_ops_t *ht_ops;       /* the caller's callbacks */
	struct d_hash_bucket *ht_buckets; /* the buckets */
	union d_hash_lock *ht_locks;      /* bucket-group locks; NULL with GLOCK or NOLOCK */
};

/*
 * Create a table of 1 << @bits buckets (@bits at most 31) with features @feats, the
 * callbacks @hops (kept, not copied) and @priv for them. Returns 0 with *@htable_pp
 * set, -DER_INVAL (no @hops or hop_key_cmp, too many bits) or -DER_NOMEM.
 */
int d_hash_table_create(uint32_t feats, uint32_t bits, void *priv, d_hash_table_ops_t *hops,
			struct d_hash_table **htable_pp);
/* As d_hash_table_create(), in the caller's @htable. */
int d_hash_table_create_inplace(uint32_t feats, uint32_t bits, void *priv, d_hash_table_ops_t *hops,
				struct d_hash_table *htable);

/*
 * Call @cb on every record, a bucket at a time under its lock, until it returns
 * non-zero; that value is returned (0 if all were visited). @cb must not change the
 * table. -DER_INVAL if @cb is NULL, -DER_UNINIT if the table is not set up.
 */
typedef int (*d_hash_traverse_cb_t)(d_list_t *link, void *arg);
int d_hash_table_traverse(struct d_hash_table *htable, d_hash_traverse_cb_t cb, void *arg);

/* Whether the table holds no record. */
bool d_hash_table_is_empty(struct d_hash_table *htable);

/*
 * Destroy @htable. If records remain: with @force they are deleted as by
 * d_hash_rec_delete_at(); without it -DER_BUSY is returned and nothing changes.
 * No other thread may use the table meanwhile.
 */
int d_hash_table_destroy(struct d_hash_table *htable, bool force);
/* As d_hash_table_destroy() for a table from d_hash_table_create_inplace(); zeroes it. */
int d_hash_table_destroy_inplace(struct d_hash_table *htable, bool force);

/* Log the number of records and the longest chain at debug level (DB_TRACE). */
void d_hash_table_debug(struct d_hash_table *htable);

/* The record with this key, with a reference taken for the caller; NULL if none. */
d_list_t *d_hash_rec_find(struct d_hash_table *htable, const void *key, unsigned int ksize);

/*
 * The record with this key if there is one (with a reference taken for the caller);
 * else @link is inserted under the key and returned.
 */
d_list_t *d_hash_rec_find_insert(struct d_hash_table *htable, const void *key, unsigned int ksize,
				 d_list_t *link);

/* Move @link, a record with this key, to the front of its bucket. */
void d_hash_rec_promote(struct d_hash_table *htable, const void *key, unsigned int ksize,
			d_list_t *link);

/*
 * Insert @link under this key. With @exclusive, fails with -DER_EXIST if a record has
 * the key; otherwise duplicates are allowed (a lookup finds the newest). Returns 0.
 */
int d_hash_rec_insert(struct d_hash_table *htable, const void *key, unsigned int ksize,
		      d_list_t *link, bool exclusive);

/*
 * Insert @link after hop_key_init(@arg) gave it a key, under the table's lock so keys
 * can be made unique. -DER_INVAL without hop_key_init or hop_rec_hash.
 */
int d_hash_rec_insert_anonym(struct d_hash_table *htable, d_list_t *link, void *arg);

/* Delete the (newest) record with this key; false if there is none. */
bool d_hash_rec_delete(struct d_hash_table *htable, const void *key, unsigned int ksize);
/*
 * Delete the record at @link, dropping the table's reference (none if EPHEMERAL) and
 * freeing it if that was the last. False if it was not in the table.
 */
bool d_hash_rec_delete_at(struct d_hash_table *htable, d_list_t *link);

/*
 * LRU tables: move the record with this key (or at @link) to the back of its bucket,
 * first in line for eviction. False if not LRU or not found.
 */
bool d_hash_rec_evict(struct d_hash_table *htable, const void *key, unsigned int ksize);
bool d_hash_rec_evict_at(struct d_hash_table *htable, d_list_t *link);

/* Take a reference on the record at @link. */
void d_hash_rec_addref(struct d_hash_table *htable, d_list_t *link);
/*
 * Drop a reference. If it was the last: in an EPHEMERAL table the record is deleted
 * and freed; otherwise it must already be out of the table (asserted) and is freed.
 */
void d_hash_rec_decref(struct d_hash_table *htable, d_list_t *link);
/*
 * Drop @count references as d_hash_rec_decref() would. Returns 0; -DER_INVAL if @count
 * is negative or more references were dropped than held (the record is freed then if
 * none is left).
 */
int d_hash_rec_ndecref(struct d_hash_table *htable, int count, d_list_t *link);

/* Whether @link is out of any table (deleted, or initialised and never inserted). */
bool d_hash_rec_unlinked(d_list_t *link);

/*
 * Some record of the table, without a reference, or NULL if empty: to drain a table
 * (delete or decref the record, then ask again).
 */
d_list_t *d_hash_rec_first(struct d_hash_table *htable);

/*
 * Handle hash: objects get 64-bit handles that can cross process boundaries. A key is
 * a cookie shifted left D_HTYPE_BITS with a type (odd: bit 0 set) in the low bits; or,
 * in a table switched by d_hhash_set_ptrtype(), the object's address (bit 0 clear, type
 * D_HTYPE_PTR). Either way a lookup searches the table, so a stale handle finds
 * nothing. Objects start with one reference, the caller's, from d_hhash_hlink_init();
 * the table holds another while they are in it; hop_free runs when the last goes.
 */
#define D_HHASH_BITS 16
#define D_HTYPE_BITS 4
#define D_HTYPE_MASK ((1ULL << D_HTYPE_BITS) - 1)

enum {
	D_HTYPE_PTR = 0, /* the handle is the object's address */
};

struct d_hlink;
struct d_hlink_ops {
	void (*hop_free)(struct d_hlink *hlink); /* the last reference is gone */
};

struct d_rlink {
	d_list_t rl_link;            /* in the table */
	uint32_t rl_ref;             /* references, changed atomically */
	uint32_t rl_initialized : 1; /* set by the init functions */
};

struct d_hlink {
	struct d_rlink hl_link;
	uint64_t hl_key;            /* the handle, set on insertion */
	struct d_hlink_ops *hl_ops; /* may be NULL */
};

struct d_hhash;

/* A handle table, as d_hash_table_create() (@feats, @bits) but keyed by handles. */
int d_hhash_create(uint32_t feats, uint32_t bits, struct d_hhash **hhash);
/* Destroy @hhash, deleting the objects still in it. */
void d_hhash_destroy(struct d_hhash *hhash);
/* Prepare @hlink: one reference (the caller's), not in any table. */
void d_hhash_hlink_init(struct d_hlink *hlink, struct d_hlink_ops *hl_ops);
/*
 * Give @hlink a handle of @type (odd, below 1 << D_HTYPE_BITS; D_HTYPE_PTR in a ptrtype
 * table; asserted) and insert it, with a reference for the table.
 */
void d_hhash_link_insert(struct d_hhash *hhash, struct d_hlink *hlink, int type);
/* The object with handle @key, with a reference for the caller; NULL if none. */
struct d_hlink *d_hhash_link_lookup(struct d_hhash *hhash, uint64_t key);
void d_hhash_link_getref(struct d_hhash *hhash, struct d_hlink *hlink);
void d_hhash_link_putref(struct d_hhash *hhash, struct d_hlink *hlink);
/* Take @hlink out of the table (dropping its reference); false if it was not in. */
bool d_hhash_link_delete(struct d_hhash *hhash, struct d_hlink *hlink);
/* Whether @hlink is in no table. */
bool d_hhash_link_empty(struct d_hlink *hlink);
void d_hhash_link_key(struct d_hlink *hlink, uint64_t *key);
/* The type of handle @key; D_HTYPE_PTR for an address. */
int d_hhash_key_type(uint64_t key);
bool d_hhash_key_isptr(uint64_t key);
/* Make handles addresses from now on. 0, or -DER_ALREADY if cookie handles exist. */
int d_hhash_set_ptrtype(struct d_hhash *hhash);
bool d_hhash_is_ptrtype(struct d_hhash *hhash);

/*
 * UUID hash: objects keyed by a UUID, optionally told apart further by uop_cmp with
 * the caller's @cmp_args. References as for handles: one from d_uhash_ulink_init(),
 * one for the table while the object is in it.
 */
struct d_ulink;
struct d_ulink_ops {
	void (*uop_free)(struct d_ulink *ulink);                /* the last reference is gone */
	bool (*uop_cmp)(struct d_ulink *ulink, void *cmp_args); /* optional further match */
};

struct d_ulink {
	struct d_rlink ul_link;
	struct d_uuid ul_uuid;      /* the key, set on insertion */
	struct d_ulink_ops *ul_ops; /* may be NULL */
};

int d_uhash_create(uint32_t feats, uint32_t bits, struct d_hash_table **htable);
/* Destroy @htable, deleting the objects still in it. */
void d_uhash_destroy(struct d_hash_table *htable);
void d_uhash_ulink_init(struct d_ulink *ulink, struct d_ulink_ops *ul_ops);
bool d_uhash_link_empty(struct d_ulink *ulink);
/* Whether only one reference is left on @ulink. */
bool d_uhash_link_last_ref(struct d_ulink *ulink);
void d_uhash_link_addref(struct d_hash_table *htable, struct d_ulink *ulink);
void d_uhash_link_putref(struct d_hash_table *htable, struct d_ulink *ulink);
void d_uhash_link_delete(struct d_hash_table *htable, struct d_ulink *ulink);
/* Insert @ulink under @key; -DER_EXIST if an object matches @key and @cmp_args. */
int d_uhash_link_insert(struct d_hash_table *htable, struct d_uuid *key, void *cmp_args,
			struct d_ulink *ulink);
/* The object matching @key and @cmp_args, with a reference for the caller; or NULL. */
struct d_ulink *d_uhash_link_lookup(struct d_hash_table *htable, struct d_uuid *key,
				    void *cmp_args);

#ifdef __cplusplus
}
#endif

#endif /* GURT_HASH_H */
