/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.c - gurt's hash functions and chained hash tables (gurt/hash.h), and the handle
 * and UUID tables built on them.
 *
 * A table is an array of 1 << ht_bits buckets, each a circular list of the callers'
 * links; the bucket of a key is its 32-bit hash masked to ht_bits. Nothing here
 * allocates after creation, so inserting cannot fail for lack of memory.
 *
 * Locks: with per-bucket locking, bucket i is guarded by ht_locks[i & (nr_locks - 1)],
 * nr_locks = 1 << min(ht_bits, LOCK_BITS_MAX): lock striping keeps a table of a million
 * buckets from carrying a million rwlocks while spreading contention as well. ht_lock
 * is then only taken around hop_key_init(), before any bucket lock (the one nesting,
 * so no cycle). With D_HASH_FT_GLOCK, ht_lock is the table lock and ht_locks is NULL.
 * Operations on a link (decref, delete_at, ...) find its lock through hop_rec_hash,
 * which is why a table without it falls back to GLOCK.
 *
 * Reference callbacks run under the lock so that a lookup's reference is taken before
 * a concurrent delete can free the record; hop_rec_free runs after the lock is dropped,
 * once the record is out of the table and unreachable.
 *
 * The hash functions follow their published algorithms (MurmurHash64A, djb2, Wang's
 * 64-bit mix, Jenkins' 96-bit mix, jump consistent hash), so values match other
 * implementations of them, DAOS's included.
 */
#define D_LOGFAC DD_FAC(common)

#include <gurt/hash.h>

#include "common/common_int.h"

/*
 * Hash functions.
 */

D_EXPORT uint64_t
d_hash_mix64(uint64_t key)
{
	key = (key << 21) - key - 1;
	key ^= key >> 24;
	key *= 265;
	key ^= key >> 14;
	key *= 21;
	key ^= key >> 28;
	key += key << 31;
	return key;
}

D_EXPORT uint32_t
d_hash_mix96(uint32_t a, uint32_t b, uint32_t c)
{
	/* Three rounds, each mixing a, b, c in turn with these shifts (right, left, right). */
	static const uint8_t shift[3][3] = { { 13, 8, 13 }, { 12, 16, 5 }, { 3, 10, 15 } };
	int i;

	for (i = 0; i < 3; i++) {
		a = (a - b - c) ^ (c >> shift[i][0]);
		b = (b - c - a) ^ (a << shift[i][1]);
		c = (c - a - b) ^ (b >> shift[i][2]);
	}
	return c;
}

D_EXPORT unsigned int
d_hash_srch_u64(uint64_t *hashes, unsigned int nhashes, uint64_t value)
{
	unsigned int lo = 0;
	unsigned int hi = nhashes;

	/* Find the first entry above @value; the answer is the one before it. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (hashes[mid] <= value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? 0 : lo - 1;
}

D_EXPORT uint32_t
d_hash_string_u32(const char *string, unsigned int len)
{
	const unsigned char *p = (const unsigned char *)string;
	uint32_t hash = 5381;
	unsigned int i;

	for (i = 0; i < len; i++)
		hash = hash * 33 + p[i];
	return hash;
}

D_EXPORT uint64_t
d_hash_murmur64(const unsigned char *key, unsigned int key_len, unsigned int seed)
{
	const uint64_t mul = 0xc6a4a7935bd1e995ULL;
	const int rot = 47;
	uint64_t hash = seed ^ (key_len * mul);
	unsigned int nr_words = key_len / 8;
	unsigned int rest = key_len % 8;
	unsigned int i;

	for (i = 0; i < nr_words; i++) {
		uint64_t word;

		/* memcpy: keys need not be aligned; the compiler makes it one load. */
		memcpy(&word, key + (size_t)i * 8, sizeof(word));
		word *= mul;
		word ^= word >> rot;
		word *= mul;
		hash ^= word;
		hash *= mul;
	}
	if (rest != 0) {
		const unsigned char *tail = key + (size_t)nr_words * 8;

		for (i = rest; i > 0; i--)
			hash ^= (uint64_t)tail[i - 1] << (8 * (i - 1));
		hash *= mul;
	}
	hash ^= hash >> rot;
	hash *= mul;
	hash ^= hash >> rot;
	return hash;
}

D_EXPORT uint32_t
d_hash_jump(uint64_t key, uint32_t num_buckets)
{
	uint64_t bucket = 0;

	if (num_buckets == 0)
		return 0;
	/*
	 * Jump from bucket to bucket as the count would grow; the last jump below
	 * @num_buckets is the answer. The comparison is made in double before
	 * converting, which gives the reference's result without an out-of-range cast.
	 */
	for (;;) {
		double next;

		key = key * 2862933555777941757ULL + 1;
		next = (double)(bucket + 1) * (2147483648.0 / (double)((key >> 33) + 1));
		if (next >= (double)num_buckets)
			return (uint32_t)bucket;
		bucket = (uint64_t)next;
	}
}

/*
 * Locks.
 */

#define HASH_BITS_MAX 31
#define LOCK_BITS_MAX 10

static inline bool
ht_is_nolock(const struct d_hash_table *htable)
{
	return (htable->ht_feats & D_HASH_FT_NOLOCK) != 0;
}

static inline bool
ht_is_glock(const struct d_hash_table *htable)
{
	return (htable->ht_feats & D_HASH_FT_GLOCK) != 0;
}

static inline bool
ht_is_ephemeral(const struct d_hash_table *htable)
{
	return (htable->ht_feats & D_HASH_FT_EPHEMERAL) != 0;
}

static inline uint32_t
ht_nr_buckets(const struct d_hash_table *htable)
{
	return 1U << htable->ht_bits;
}

static inline uint32_t
ht_nr_locks(const struct d_hash_table *htable)
{
	return 1U << D_MIN(htable->ht_bits, LOCK_BITS_MAX);
}

static int
lock_init(uint32_t feats, union d_hash_lock *lock)
{
	int rc;

	if (feats & D_HASH_FT_MUTEX)
		rc = pthread_mutex_init(&lock->mutex, NULL);
	else if (feats & D_HASH_FT_RWLOCK)
		rc = pthread_rwlock_init(&lock->rwlock, NULL);
	else
		rc = pthread_spin_init(&lock->spin, PTHREAD_PROCESS_PRIVATE);
	return rc == 0 ? 0 : -daos_errno2der(rc);
}

static void
lock_fini(uint32_t feats, union d_hash_lock *lock)
{
	if (feats & D_HASH_FT_MUTEX)
		pthread_mutex_destroy(&lock->mutex);
	else if (feats & D_HASH_FT_RWLOCK)
		pthread_rwlock_destroy(&lock->rwlock);
	else
		pthread_spin_destroy(&lock->spin);
}

/* Lock @lock, shared if @shared and the table has read-write locks. */
static void
lock_take(const struct d_hash_table *htable, union d_hash_lock *lock, bool shared)
{
	int rc;

	if (lock == NULL)
		return;
	if (htable->ht_feats & D_HASH_FT_MUTEX)
		rc = pthread_mutex_lock(&lock->mutex);
	else if ((htable->ht_feats & D_HASH_FT_RWLOCK) && shared)
		rc = pthread_rwlock_rdlock(&lock->rwlock);
	else if (htable->ht_feats & D_HASH_FT_RWLOCK)
		rc = pthread_rwlock_wrlock(&lock->rwlock);
	else
		rc = pthread_spin_lock(&lock->spin);
	D_ASSERTF(rc == 0, "hash table lock failed: %d", rc);
}

static void
lock_drop(const struct d_hash_table *htable, union d_hash_lock *lock)
{
	int rc;

	if (lock == NULL)
		return;
	if (htable->ht_feats & D_HASH_FT_MUTEX)
		rc = pthread_mutex_unlock(&lock->mutex);
	else if (htable->ht_feats & D_HASH_FT_RWLOCK)
		rc = pthread_rwlock_unlock(&lock->rwlock);
	else
		rc = pthread_spin_unlock(&lock->spin);
	D_ASSERTF(rc == 0, "hash table unlock failed: %d", rc);
}

/* The lock guarding bucket @idx; NULL for a table without locks. */
static union d_hash_lock *
bucket_lock(struct d_hash_table *htable, uint32_t idx)
{
	if (ht_is_nolock(htable))
		return NULL;
	if (ht_is_glock(htable))
		return &htable->ht_lock;
	return &htable->ht_locks[idx & (ht_nr_locks(htable) - 1)];
}

static uint32_t
key_bucket(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	uint32_t hash;

	if (htable->ht_ops->hop_key_hash != NULL)
		hash = htable->ht_ops->hop_key_hash(htable, key, ksize);
	else
		hash = d_hash_string_u32(key, ksize);
	return hash & (ht_nr_buckets(htable) - 1);
}

/* The lock guarding the record at @link; needs hop_rec_hash with per-bucket locks. */
static union d_hash_lock *
rec_lock(struct d_hash_table *htable, d_list_t *link)
{
	uint32_t idx;

	if (ht_is_nolock(htable) || ht_is_glock(htable))
		return bucket_lock(htable, 0);
	idx = htable->ht_ops->hop_rec_hash(htable, link) & (ht_nr_buckets(htable) - 1);
	return bucket_lock(htable, idx);
}

/*
 * The bucket a linked record is in, found by walking its chain to the head: the one
 * link that lies inside the bucket array. Needs no hop_rec_hash.
 */
static struct d_hash_bucket *
rec_bucket(struct d_hash_table *htable, d_list_t *link)
{
	uintptr_t lo = (uintptr_t)htable->ht_buckets;
	uintptr_t hi = (uintptr_t)(htable->ht_buckets + ht_nr_buckets(htable));
	d_list_t *pos = link->next;

	while ((uintptr_t)pos < lo || (uintptr_t)pos >= hi)
		pos = pos->next;
	return container_of(pos, struct d_hash_bucket, hb_head);
}

/*
 * Callback wrappers.
 */

static inline void
rec_addref(struct d_hash_table *htable, d_list_t *link)
{
	if (htable->ht_ops->hop_rec_addref != NULL)
		htable->ht_ops->hop_rec_addref(htable, link);
}

static inline bool
rec_decref(struct d_hash_table *htable, d_list_t *link)
{
	if (htable->ht_ops->hop_rec_decref == NULL)
		return false;
	return htable->ht_ops->hop_rec_decref(htable, link);
}

static inline void
rec_free(struct d_hash_table *htable, d_list_t *link)
{
	if (htable->ht_ops->hop_rec_free != NULL)
		htable->ht_ops->hop_rec_free(htable, link);
}

/* Link @link into @bucket, taking the table's reference. Under the bucket's lock. */
static void
rec_link(struct d_hash_table *htable, struct d_hash_bucket *bucket, d_list_t *link)
{
	if (!ht_is_ephemeral(htable))
		rec_addref(htable, link);
	d_list_add(link, &bucket->hb_head);
}

/*
 * Unlink @link, dropping the table's reference. Under the bucket's lock. True if that
 * was the last reference: the caller frees the record once the lock is dropped.
 */
static bool
rec_unlink(struct d_hash_table *htable, d_list_t *link)
{
	d_list_del_init(link);
	if (ht_is_ephemeral(htable))
		return false;
	return rec_decref(htable, link);
}

/* The newest record in @bucket with this key, or NULL. Under the bucket's lock. */
static d_list_t *
bucket_find(struct d_hash_table *htable, struct d_hash_bucket *bucket, const void *key,
	    unsigned int ksize)
{
	d_list_t *link;

	d_list_for_each(link, &bucket->hb_head) {
		if (htable->ht_ops->hop_key_cmp(htable, link, key, ksize))
			return link;
	}
	return NULL;
}

/*
 * Table life cycle.
 */

D_EXPORT int
d_hash_table_create_inplace(uint32_t feats, uint32_t bits, void *priv, d_hash_table_ops_t *hops,
			    struct d_hash_table *htable)
{
	uint32_t nr_locks = 0;
	uint32_t i;
	int rc;

	if (htable == NULL || hops == NULL || hops->hop_key_cmp == NULL || bits > HASH_BITS_MAX)
		return -DER_INVAL;

	memset(htable, 0, sizeof(*htable));
	htable->ht_bits = bits;
	htable->ht_priv = priv;
	htable->ht_ops = hops;
	/* Per-bucket locking needs a record's hash to find its lock. */
	if (!(feats & D_HASH_FT_NOLOCK) && hops->hop_rec_hash == NULL)
		feats |= D_HASH_FT_GLOCK;
	htable->ht_feats = feats;

	htable->ht_buckets = d_calloc(ht_nr_buckets(htable), sizeof(*htable->ht_buckets));
	if (htable->ht_buckets == NULL) {
		rc = -DER_NOMEM;
		goto out_clear;
	}
	for (i = 0; i < ht_nr_buckets(htable); i++)
		D_INIT_LIST_HEAD(&htable->ht_buckets[i].hb_head);

	if (ht_is_nolock(htable))
		return 0;

	rc = lock_init(feats, &htable->ht_lock);
	if (rc != 0)
		goto out_free_buckets;
	if (ht_is_glock(htable))
		return 0;

	htable->ht_locks = d_calloc(ht_nr_locks(htable), sizeof(*htable->ht_locks));
	if (htable->ht_locks == NULL) {
		rc = -DER_NOMEM;
		goto out_fini_lock;
	}
	for (nr_locks = 0; nr_locks < ht_nr_locks(htable); nr_locks++) {
		rc = lock_init(feats, &htable->ht_locks[nr_locks]);
		if (rc != 0)
			goto out_free_locks;
	}
	return 0;

out_free_locks:
	while (nr_locks-- > 0)
		lock_fini(feats, &htable->ht_locks[nr_locks]);
	d_free(htable->ht_locks);
out_fini_lock:
	lock_fini(feats, &htable->ht_lock);
out_free_buckets:
	d_free(htable->ht_buckets);
out_clear:
	memset(htable, 0, sizeof(*htable));
	return rc;
}

D_EXPORT int
d_hash_table_create(uint32_t feats, uint32_t bits, void *priv, d_hash_table_ops_t *hops,
		    struct d_hash_table **htable_pp)
{
	struct d_hash_table *htable;
	int rc;

	if (htable_pp == NULL)
		return -DER_INVAL;
	htable = d_calloc(1, sizeof(*htable));
	if (htable == NULL)
		return -DER_NOMEM;
	rc = d_hash_table_create_inplace(feats, bits, priv, hops, htable);
	if (rc != 0) {
		d_free(htable);
		return rc;
	}
	*htable_pp = htable;
	return 0;
}

D_EXPORT bool
d_hash_table_is_empty(struct d_hash_table *htable)
{
	bool empty = true;
	uint32_t i;

	if (htable->ht_buckets == NULL)
		return true;
	for (i = 0; i < ht_nr_buckets(htable) && empty; i++) {
		union d_hash_lock *lock = bucket_lock(htable, i);

		lock_take(htable, lock, true);
		empty = d_list_empty(&htable->ht_buckets[i].hb_head);
		lock_drop(htable, lock);
	}
	return empty;
}

D_EXPORT int
d_hash_table_destroy_inplace(struct d_hash_table *htable, bool force)
{
	uint32_t i;

	if (htable->ht_buckets == NULL)
		return 0; /* never created, or already destroyed */
	if (!force && !d_hash_table_is_empty(htable)) {
		D_DEBUG(DB_TRACE, "not destroying hash table %p: it still has records", htable);
		return -DER_BUSY;
	}
	for (i = 0; i < ht_nr_buckets(htable); i++) {
		d_list_t *head = &htable->ht_buckets[i].hb_head;

		while (!d_list_empty(head))
			d_hash_rec_delete_at(htable, head->next);
	}

	if (htable->ht_locks != NULL) {
		for (i = 0; i < ht_nr_locks(htable); i++)
			lock_fini(htable->ht_feats, &htable->ht_locks[i]);
		d_free(htable->ht_locks);
	}
	if (!ht_is_nolock(htable))
		lock_fini(htable->ht_feats, &htable->ht_lock);
	d_free(htable->ht_buckets);
	memset(htable, 0, sizeof(*htable));
	return 0;
}

D_EXPORT int
d_hash_table_destroy(struct d_hash_table *htable, bool force)
{
	int rc;

	if (htable == NULL)
		return 0;
	rc = d_hash_table_destroy_inplace(htable, force);
	if (rc == 0)
		d_free(htable);
	return rc;
}

D_EXPORT int
d_hash_table_traverse(struct d_hash_table *htable, d_hash_traverse_cb_t cb, void *arg)
{
	uint32_t i;
	int rc = 0;

	if (htable == NULL || cb == NULL)
		return -DER_INVAL;
	if (htable->ht_buckets == NULL)
		return -DER_UNINIT;
	for (i = 0; i < ht_nr_buckets(htable) && rc == 0; i++) {
		union d_hash_lock *lock = bucket_lock(htable, i);
		d_list_t *link;

		lock_take(htable, lock, true);
		d_list_for_each(link, &htable->ht_buckets[i].hb_head) {
			rc = cb(link, arg);
			if (rc != 0)
				break;
		}
		lock_drop(htable, lock);
	}
	return rc;
}

D_EXPORT void
d_hash_table_debug(struct d_hash_table *htable)
{
	uint64_t nr = 0;
	uint64_t depth_max = 0;
	uint32_t i;

	if (!D_LOG_ENABLED(DB_TRACE) || htable->ht_buckets == NULL)
		return;
	for (i = 0; i < ht_nr_buckets(htable); i++) {
		union d_hash_lock *lock = bucket_lock(htable, i);
		uint64_t depth = 0;
		d_list_t *link;

		lock_take(htable, lock, true);
		d_list_for_each(link, &htable->ht_buckets[i].hb_head)
			depth++;
		lock_drop(htable, lock);
		nr += depth;
		depth_max = D_MAX(depth_max, depth);
	}
	D_DEBUG(DB_TRACE, "hash table %p: %u buckets, " DF_U64 " records, longest chain " DF_U64,
		htable, ht_nr_buckets(htable), nr, depth_max);
}

/*
 * Records by key.
 */

D_EXPORT d_list_t *
d_hash_rec_find(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	uint32_t idx = key_bucket(htable, key, ksize);
	struct d_hash_bucket *bucket = &htable->ht_buckets[idx];
	union d_hash_lock *lock = bucket_lock(htable, idx);
	bool lru = (htable->ht_feats & D_HASH_FT_LRU) != 0;
	d_list_t *link;

	/* LRU lookups reorder the chain, so they cannot share the lock. */
	lock_take(htable, lock, !lru);
	link = bucket_find(htable, bucket, key, ksize);
	if (link != NULL) {
		rec_addref(htable, link);
		if (lru && link != bucket->hb_head.next)
			d_list_move(link, &bucket->hb_head);
	}
	lock_drop(htable, lock);
	return link;
}

D_EXPORT d_list_t *
d_hash_rec_find_insert(struct d_hash_table *htable, const void *key, unsigned int ksize,
		       d_list_t *link)
{
	uint32_t idx = key_bucket(htable, key, ksize);
	struct d_hash_bucket *bucket = &htable->ht_buckets[idx];
	union d_hash_lock *lock = bucket_lock(htable, idx);
	d_list_t *found;

	lock_take(htable, lock, false);
	found = bucket_find(htable, bucket, key, ksize);
	if (found != NULL) {
		rec_addref(htable, found);
		if ((htable->ht_feats & D_HASH_FT_LRU) && found != bucket->hb_head.next)
			d_list_move(found, &bucket->hb_head);
	} else {
		rec_link(htable, bucket, link);
		found = link;
	}
	lock_drop(htable, lock);
	return found;
}

D_EXPORT void
d_hash_rec_promote(struct d_hash_table *htable, const void *key, unsigned int ksize, d_list_t *link)
{
	uint32_t idx = key_bucket(htable, key, ksize);
	struct d_hash_bucket *bucket = &htable->ht_buckets[idx];
	union d_hash_lock *lock = bucket_lock(htable, idx);

	lock_take(htable, lock, false);
	if (!d_list_empty(link) && link != bucket->hb_head.next)
		d_list_move(link, &bucket->hb_head);
	lock_drop(htable, lock);
}

D_EXPORT int
d_hash_rec_insert(struct d_hash_table *htable, const void *key, unsigned int ksize, d_list_t *link,
		  bool exclusive)
{
	uint32_t idx = key_bucket(htable, key, ksize);
	struct d_hash_bucket *bucket = &htable->ht_buckets[idx];
	union d_hash_lock *lock = bucket_lock(htable, idx);
	int rc = 0;

	lock_take(htable, lock, false);
	if (exclusive && bucket_find(htable, bucket, key, ksize) != NULL)
		rc = -DER_EXIST;
	else
		rec_link(htable, bucket, link);
	lock_drop(htable, lock);
	return rc;
}

D_EXPORT int
d_hash_rec_insert_anonym(struct d_hash_table *htable, d_list_t *link, void *arg)
{
	union d_hash_lock *key_lock = ht_is_nolock(htable) ? NULL : &htable->ht_lock;
	union d_hash_lock *lock = NULL;
	uint32_t idx;

	if (htable->ht_ops->hop_key_init == NULL || htable->ht_ops->hop_rec_hash == NULL)
		return -DER_INVAL;

	/* ht_lock serialises key generation; with GLOCK it is also the bucket lock. */
	lock_take(htable, key_lock, false);
	htable->ht_ops->hop_key_init(htable, link, arg);
	idx = htable->ht_ops->hop_rec_hash(htable, link) & (ht_nr_buckets(htable) - 1);
	if (!ht_is_glock(htable))
		lock = bucket_lock(htable, idx);
	lock_take(htable, lock, false);
	rec_link(htable, &htable->ht_buckets[idx], link);
	lock_drop(htable, lock);
	lock_drop(htable, key_lock);
	return 0;
}

D_EXPORT bool
d_hash_rec_delete(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	uint32_t idx = key_bucket(htable, key, ksize);
	union d_hash_lock *lock = bucket_lock(htable, idx);
	bool last = false;
	d_list_t *link;

	lock_take(htable, lock, false);
	link = bucket_find(htable, &htable->ht_buckets[idx], key, ksize);
	if (link != NULL)
		last = rec_unlink(htable, link);
	lock_drop(htable, lock);

	if (last)
		rec_free(htable, link);
	return link != NULL;
}

D_EXPORT bool
d_hash_rec_evict(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	uint32_t idx;
	struct d_hash_bucket *bucket;
	union d_hash_lock *lock;
	d_list_t *link;

	if (!(htable->ht_feats & D_HASH_FT_LRU))
		return false;
	idx = key_bucket(htable, key, ksize);
	bucket = &htable->ht_buckets[idx];
	lock = bucket_lock(htable, idx);

	lock_take(htable, lock, false);
	link = bucket_find(htable, bucket, key, ksize);
	if (link != NULL)
		d_list_move_tail(link, &bucket->hb_head);
	lock_drop(htable, lock);
	return link != NULL;
}

/*
 * Records by link.
 */

D_EXPORT bool
d_hash_rec_unlinked(d_list_t *link)
{
	return d_list_empty(link);
}

D_EXPORT bool
d_hash_rec_delete_at(struct d_hash_table *htable, d_list_t *link)
{
	union d_hash_lock *lock = rec_lock(htable, link);
	bool deleted = false;
	bool last = false;

	lock_take(htable, lock, false);
	if (!d_list_empty(link)) {
		last = rec_unlink(htable, link);
		deleted = true;
	}
	lock_drop(htable, lock);

	if (last)
		rec_free(htable, link);
	return deleted;
}

D_EXPORT bool
d_hash_rec_evict_at(struct d_hash_table *htable, d_list_t *link)
{
	union d_hash_lock *lock;
	bool evicted = false;

	if (!(htable->ht_feats & D_HASH_FT_LRU))
		return false;
	lock = rec_lock(htable, link);
	lock_take(htable, lock, false);
	if (!d_list_empty(link)) {
		d_list_move_tail(link, &rec_bucket(htable, link)->hb_head);
		evicted = true;
	}
	lock_drop(htable, lock);
	return evicted;
}

D_EXPORT void
d_hash_rec_addref(struct d_hash_table *htable, d_list_t *link)
{
	union d_hash_lock *lock = rec_lock(htable, link);

	lock_take(htable, lock, true);
	rec_addref(htable, link);
	lock_drop(htable, lock);
}

/*
 * After the last reference to @link went: an EPHEMERAL table lets go of the record;
 * any other must not hold it any more. Under the record's lock.
 */
static void
rec_last_ref(struct d_hash_table *htable, d_list_t *link)
{
	if (ht_is_ephemeral(htable) && !d_list_empty(link))
		d_list_del_init(link);
	D_ASSERTF(d_list_empty(link), "last reference on record %p dropped while in table %p", link,
		  htable);
}

D_EXPORT void
d_hash_rec_decref(struct d_hash_table *htable, d_list_t *link)
{
	union d_hash_lock *lock = rec_lock(htable, link);
	bool last;

	/* Only an EPHEMERAL table may unlink here, so the others can share the lock. */
	lock_take(htable, lock, !ht_is_ephemeral(htable));
	last = rec_decref(htable, link);
	if (last)
		rec_last_ref(htable, link);
	lock_drop(htable, lock);

	if (last)
		rec_free(htable, link);
}

D_EXPORT int
d_hash_rec_ndecref(struct d_hash_table *htable, int count, d_list_t *link)
{
	union d_hash_lock *lock;
	bool last = false;
	int rc = 0;
	int i;

	if (count < 0)
		return -DER_INVAL;
	if (count == 0)
		return 0;

	lock = rec_lock(htable, link);
	lock_take(htable, lock, !ht_is_ephemeral(htable));
	if (htable->ht_ops->hop_rec_ndecref != NULL) {
		rc = htable->ht_ops->hop_rec_ndecref(htable, link, count);
		last = rc > 0;
		if (rc > 0)
			rc = 0;
	} else if (htable->ht_ops->hop_rec_decref != NULL) {
		for (i = 0; i < count && !last; i++)
			last = rec_decref(htable, link);
		/* Reaching zero before @count: more were dropped than held. */
		if (last && i < count)
			rc = -DER_INVAL;
	}
	if (last)
		rec_last_ref(htable, link);
	lock_drop(htable, lock);

	if (last)
		rec_free(htable, link);
	return rc;
}

static int
first_cb(d_list_t *link, void *arg)
{
	*(d_list_t **)arg = link;
	return 1;
}

D_EXPORT d_list_t *
d_hash_rec_first(struct d_hash_table *htable)
{
	d_list_t *link = NULL;

	if (d_hash_table_traverse(htable, first_cb, &link) < 0)
		return NULL;
	return link;
}

/*
 * Reference-counted links shared by the handle and UUID tables. Counts are atomic:
 * lookups may take references under a shared lock.
 */

static struct d_rlink *
link2rlink(d_list_t *link)
{
	return container_of(link, struct d_rlink, rl_link);
}

static void
rlink_init(struct d_rlink *rlink)
{
	D_INIT_LIST_HEAD(&rlink->rl_link);
	rlink->rl_initialized = 1;
	rlink->rl_ref = 1;
}

static void
rlink_addref(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	__atomic_fetch_add(&link2rlink(link)->rl_ref, 1, __ATOMIC_RELAXED);
}

static bool
rlink_decref(struct d_hash_table *htable, d_list_t *link)
{
	uint32_t old = __atomic_fetch_sub(&link2rlink(link)->rl_ref, 1, __ATOMIC_ACQ_REL);

	(void)htable;
	D_ASSERTF(old > 0, "reference count of %p dropped below zero", link);
	return old == 1;
}

static bool
rlink_is_empty(struct d_rlink *rlink)
{
	return !rlink->rl_initialized || d_hash_rec_unlinked(&rlink->rl_link);
}

/*
 * Handle hash.
 */

struct d_hhash {
	struct d_hash_table table; /* keyed by uint64_t handles */
	uint64_t next_cookie;      /* under table.ht_lock (taken by insert_anonym) */
	bool ptrtype;              /* handles are addresses */
};

static struct d_hlink *
link2hlink(d_list_t *link)
{
	return container_of(link2rlink(link), struct d_hlink, hl_link);
}

static uint32_t
hh_key_hash(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	uint64_t handle;

	(void)htable;
	D_ASSERT(ksize == sizeof(handle));
	memcpy(&handle, key, sizeof(handle));
	return (uint32_t)d_hash_mix64(handle);
}

static bool
hh_key_cmp(struct d_hash_table *htable, d_list_t *link, const void *key, unsigned int ksize)
{
	uint64_t handle;

	(void)htable;
	D_ASSERT(ksize == sizeof(handle));
	memcpy(&handle, key, sizeof(handle));
	return link2hlink(link)->hl_key == handle;
}

static uint32_t
hh_rec_hash(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	return (uint32_t)d_hash_mix64(link2hlink(link)->hl_key);
}

static void
hh_key_init(struct d_hash_table *htable, d_list_t *link, void *arg)
{
	struct d_hhash *hhash = container_of(htable, struct d_hhash, table);
	struct d_hlink *hlink = link2hlink(link);
	int type = *(int *)arg;

	if (hhash->ptrtype)
		hlink->hl_key = (uintptr_t)hlink;
	else
		hlink->hl_key = (hhash->next_cookie++ << D_HTYPE_BITS) | (uint64_t)type;
}

static void
hh_rec_free(struct d_hash_table *htable, d_list_t *link)
{
	struct d_hlink *hlink = link2hlink(link);

	(void)htable;
	if (hlink->hl_ops != NULL && hlink->hl_ops->hop_free != NULL)
		hlink->hl_ops->hop_free(hlink);
}

static d_hash_table_ops_t hh_ops = {
	.hop_key_cmp = hh_key_cmp,
	.hop_key_init = hh_key_init,
	.hop_key_hash = hh_key_hash,
	.hop_rec_hash = hh_rec_hash,
	.hop_rec_addref = rlink_addref,
	.hop_rec_decref = rlink_decref,
	.hop_rec_free = hh_rec_free,
};

D_EXPORT int
d_hhash_create(uint32_t feats, uint32_t bits, struct d_hhash **hhash)
{
	struct d_hhash *hh;
	int rc;

	if (hhash == NULL)
		return -DER_INVAL;
	hh = d_calloc(1, sizeof(*hh));
	if (hh == NULL)
		return -DER_NOMEM;
	rc = d_hash_table_create_inplace(feats, bits, NULL, &hh_ops, &hh->table);
	if (rc != 0) {
		d_free(hh);
		return rc;
	}
	hh->next_cookie = 1;
	*hhash = hh;
	return 0;
}

D_EXPORT void
d_hhash_destroy(struct d_hhash *hhash)
{
	if (hhash == NULL)
		return;
	d_hash_table_debug(&hhash->table);
	d_hash_table_destroy_inplace(&hhash->table, true);
	d_free(hhash);
}

D_EXPORT int
d_hhash_set_ptrtype(struct d_hhash *hhash)
{
	if (hhash->ptrtype)
		return 0;
	if (!d_hash_table_is_empty(&hhash->table))
		return -DER_ALREADY; /* it holds cookie handles */
	hhash->ptrtype = true;
	return 0;
}

D_EXPORT bool
d_hhash_is_ptrtype(struct d_hhash *hhash)
{
	return hhash->ptrtype;
}

D_EXPORT void
d_hhash_hlink_init(struct d_hlink *hlink, struct d_hlink_ops *hl_ops)
{
	rlink_init(&hlink->hl_link);
	hlink->hl_key = 0;
	hlink->hl_ops = hl_ops;
}

D_EXPORT void
d_hhash_link_insert(struct d_hhash *hhash, struct d_hlink *hlink, int type)
{
	int rc;

	D_ASSERT(hlink->hl_link.rl_initialized);
	D_ASSERTF(type >= 0 && (uint64_t)type <= D_HTYPE_MASK, "handle type %d too large", type);
	if (hhash->ptrtype)
		D_ASSERTF(type == D_HTYPE_PTR, "handle type %d in an address table", type);
	else
		D_ASSERTF(type & 1, "handle type %d has bit 0 clear", type);

	rc = d_hash_rec_insert_anonym(&hhash->table, &hlink->hl_link.rl_link, &type);
	D_ASSERT(rc == 0); /* hh_ops has key_init and rec_hash */
}

D_EXPORT struct d_hlink *
d_hhash_link_lookup(struct d_hhash *hhash, uint64_t key)
{
	d_list_t *link = d_hash_rec_find(&hhash->table, &key, sizeof(key));

	return link == NULL ? NULL : link2hlink(link);
}

D_EXPORT void
d_hhash_link_getref(struct d_hhash *hhash, struct d_hlink *hlink)
{
	d_hash_rec_addref(&hhash->table, &hlink->hl_link.rl_link);
}

D_EXPORT void
d_hhash_link_putref(struct d_hhash *hhash, struct d_hlink *hlink)
{
	d_hash_rec_decref(&hhash->table, &hlink->hl_link.rl_link);
}

D_EXPORT bool
d_hhash_link_delete(struct d_hhash *hhash, struct d_hlink *hlink)
{
	return d_hash_rec_delete_at(&hhash->table, &hlink->hl_link.rl_link);
}

D_EXPORT bool
d_hhash_link_empty(struct d_hlink *hlink)
{
	return rlink_is_empty(&hlink->hl_link);
}

D_EXPORT void
d_hhash_link_key(struct d_hlink *hlink, uint64_t *key)
{
	*key = hlink->hl_key;
}

D_EXPORT bool
d_hhash_key_isptr(uint64_t key)
{
	return (key & 1) == 0;
}

D_EXPORT int
d_hhash_key_type(uint64_t key)
{
	return d_hhash_key_isptr(key) ? D_HTYPE_PTR : (int)(key & D_HTYPE_MASK);
}

/*
 * UUID hash. The key handed to the generic table is a struct uh_key, so that key_cmp
 * gets the caller's cmp_args along with the UUID.
 */

struct uh_key {
	const struct d_uuid *uuid;
	void *cmp_args;
};

static struct d_ulink *
link2ulink(d_list_t *link)
{
	return container_of(link2rlink(link), struct d_ulink, ul_link);
}

static uint32_t
uh_hash(const struct d_uuid *uuid)
{
	return (uint32_t)d_hash_murmur64(uuid->uuid, sizeof(uuid->uuid), 0);
}

static uint32_t
uh_key_hash(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	const struct uh_key *uk = key;

	(void)htable;
	D_ASSERT(ksize == sizeof(*uk));
	return uh_hash(uk->uuid);
}

static bool
uh_key_cmp(struct d_hash_table *htable, d_list_t *link, const void *key, unsigned int ksize)
{
	const struct uh_key *uk = key;
	struct d_ulink *ulink = link2ulink(link);

	(void)htable;
	D_ASSERT(ksize == sizeof(*uk));
	if (memcmp(ulink->ul_uuid.uuid, uk->uuid->uuid, sizeof(uuid_t)) != 0)
		return false;
	if (ulink->ul_ops == NULL || ulink->ul_ops->uop_cmp == NULL)
		return true;
	return ulink->ul_ops->uop_cmp(ulink, uk->cmp_args);
}

static uint32_t
uh_rec_hash(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	return uh_hash(&link2ulink(link)->ul_uuid);
}

static void
uh_rec_free(struct d_hash_table *htable, d_list_t *link)
{
	struct d_ulink *ulink = link2ulink(link);

	(void)htable;
	if (ulink->ul_ops != NULL && ulink->ul_ops->uop_free != NULL)
		ulink->ul_ops->uop_free(ulink);
}

static d_hash_table_ops_t uh_ops = {
	.hop_key_cmp = uh_key_cmp,
	.hop_key_hash = uh_key_hash,
	.hop_rec_hash = uh_rec_hash,
	.hop_rec_addref = rlink_addref,
	.hop_rec_decref = rlink_decref,
	.hop_rec_free = uh_rec_free,
};

D_EXPORT int
d_uhash_create(uint32_t feats, uint32_t bits, struct d_hash_table **htable)
{
	return d_hash_table_create(feats, bits, NULL, &uh_ops, htable);
}

D_EXPORT void
d_uhash_destroy(struct d_hash_table *htable)
{
	d_hash_table_destroy(htable, true);
}

D_EXPORT void
d_uhash_ulink_init(struct d_ulink *ulink, struct d_ulink_ops *ul_ops)
{
	rlink_init(&ulink->ul_link);
	memset(&ulink->ul_uuid, 0, sizeof(ulink->ul_uuid));
	ulink->ul_ops = ul_ops;
}

D_EXPORT bool
d_uhash_link_empty(struct d_ulink *ulink)
{
	return rlink_is_empty(&ulink->ul_link);
}

D_EXPORT bool
d_uhash_link_last_ref(struct d_ulink *ulink)
{
	return __atomic_load_n(&ulink->ul_link.rl_ref, __ATOMIC_ACQUIRE) == 1;
}

D_EXPORT void
d_uhash_link_addref(struct d_hash_table *htable, struct d_ulink *ulink)
{
	d_hash_rec_addref(htable, &ulink->ul_link.rl_link);
}

D_EXPORT void
d_uhash_link_putref(struct d_hash_table *htable, struct d_ulink *ulink)
{
	d_hash_rec_decref(htable, &ulink->ul_link.rl_link);
}

D_EXPORT void
d_uhash_link_delete(struct d_hash_table *htable, struct d_ulink *ulink)
{
	d_hash_rec_delete_at(htable, &ulink->ul_link.rl_link);
}

D_EXPORT int
d_uhash_link_insert(struct d_hash_table *htable, struct d_uuid *key, void *cmp_args,
		    struct d_ulink *ulink)
{
	struct uh_key uk = { .uuid = key, .cmp_args = cmp_args };

	D_ASSERT(ulink->ul_link.rl_initialized);
	ulink->ul_uuid = *key;
	return d_hash_rec_insert(htable, &uk, sizeof(uk), &ulink->ul_link.rl_link, true);
}

D_EXPORT struct d_ulink *
d_uhash_link_lookup(struct d_hash_table *htable, struct d_uuid *key, void *cmp_args)
{
	struct uh_key uk = { .uuid = key, .cmp_args = cmp_args };
	d_list_t *link = d_hash_rec_find(htable, &uk, sizeof(uk));

	return link == NULL ? NULL : link2ulink(link);
}
