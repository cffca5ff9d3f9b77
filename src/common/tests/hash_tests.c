/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash_tests.c - gurt/hash.h: tables (lookups, references, EPHEMERAL, LRU, traversal,
 * destruction, threads, allocation failures), handle and UUID tables, and the hash
 * functions against their reference values.
 */
#define D_LOGFAC DD_FAC(tests)

#include <gurt/hash.h>

#include "common/test.h"

/*
 * A record keyed by a uint64_t. The table's reference model here: a record starts with
 * no references; the table takes one on insertion, lookups one each.
 */
struct rec {
	d_list_t link;
	uint64_t key;
	int ref;
};

static int nr_freed; /* records freed by rec_free, atomically */

static struct rec *
link2rec(d_list_t *link)
{
	return container_of(link, struct rec, link);
}

static struct rec *
rec_new(uint64_t key, int ref)
{
	struct rec *r = d_calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	D_INIT_LIST_HEAD(&r->link);
	r->key = key;
	r->ref = ref;
	return r;
}

static bool
rec_key_cmp(struct d_hash_table *htable, d_list_t *link, const void *key, unsigned int ksize)
{
	(void)htable;
	assert_int_equal(ksize, sizeof(uint64_t));
	return link2rec(link)->key == *(const uint64_t *)key;
}

static uint32_t
rec_key_hash(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	(void)htable;
	(void)ksize;
	return (uint32_t)d_hash_mix64(*(const uint64_t *)key);
}

static uint32_t
rec_rec_hash(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	return (uint32_t)d_hash_mix64(link2rec(link)->key);
}

static void
rec_addref(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	__atomic_fetch_add(&link2rec(link)->ref, 1, __ATOMIC_RELAXED);
}

static bool
rec_decref(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	return __atomic_sub_fetch(&link2rec(link)->ref, 1, __ATOMIC_ACQ_REL) == 0;
}

static int
rec_ndecref(struct d_hash_table *htable, d_list_t *link, int count)
{
	struct rec *r = link2rec(link);

	(void)htable;
	if (r->ref < count)
		return -DER_INVAL;
	r->ref -= count;
	return r->ref == 0;
}

static void
rec_free(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	__atomic_fetch_add(&nr_freed, 1, __ATOMIC_RELAXED);
	d_free(link2rec(link));
}

static d_hash_table_ops_t rec_ops = {
	.hop_key_cmp = rec_key_cmp,
	.hop_key_hash = rec_key_hash,
	.hop_rec_hash = rec_rec_hash,
	.hop_rec_addref = rec_addref,
	.hop_rec_decref = rec_decref,
	.hop_rec_free = rec_free,
};

static d_list_t *
find(struct d_hash_table *ht, uint64_t key)
{
	return d_hash_rec_find(ht, &key, sizeof(key));
}

static int
insert(struct d_hash_table *ht, struct rec *r, bool exclusive)
{
	return d_hash_rec_insert(ht, &r->key, sizeof(r->key), &r->link, exclusive);
}

static int
count_cb(d_list_t *link, void *arg)
{
	(void)link;
	(*(int *)arg)++;
	return 0;
}

static int
count_recs(struct d_hash_table *ht)
{
	int nr = 0;

	assert_int_equal(d_hash_table_traverse(ht, count_cb, &nr), 0);
	return nr;
}

#define NR_MANY 100000

/* 100k records: every one found, absent keys not, deletes by key and by link. */
static void
many_records(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hash_table *ht;
	uint64_t key;
	d_list_t *link;

	(void)state;
	nr_freed = 0;
	assert_int_equal(d_hash_table_create(D_HASH_FT_RWLOCK, 12, NULL, &rec_ops, &ht), 0);
	assert_true(d_hash_table_is_empty(ht));
	for (key = 0; key < NR_MANY; key++) {
		struct rec *r = rec_new(key * 7, 0);

		assert_non_null(r);
		assert_int_equal(insert(ht, r, true), 0);
		assert_int_equal(r->ref, 1);
	}
	assert_false(d_hash_table_is_empty(ht));
	assert_int_equal(count_recs(ht), NR_MANY);

	for (key = 0; key < NR_MANY; key++) {
		link = find(ht, key * 7);
		assert_non_null(link);
		assert_int_equal(link2rec(link)->key, key * 7);
		assert_int_equal(link2rec(link)->ref, 2);
		d_hash_rec_decref(ht, link);
		assert_null(find(ht, key * 7 + 1));
	}

	/* Delete the even ones by key, the odd ones by link. */
	for (key = 0; key < NR_MANY; key += 2)
		assert_true(d_hash_rec_delete(ht, &(uint64_t){ key * 7 }, sizeof(key)));
	assert_int_equal(nr_freed, NR_MANY / 2);
	assert_false(d_hash_rec_delete(ht, &(uint64_t){ 0 }, sizeof(key)));
	for (key = 1; key < NR_MANY; key += 2) {
		link = find(ht, key * 7);
		assert_non_null(link);
		d_hash_rec_decref(ht, link);
		assert_true(d_hash_rec_delete_at(ht, link));
	}
	assert_int_equal(nr_freed, NR_MANY);
	assert_true(d_hash_table_is_empty(ht));
	assert_int_equal(d_hash_table_destroy(ht, false), 0);
	TEST_ALLOC_CHECK();
}

/* Exclusive insertion refuses a taken key; otherwise the newest duplicate is found. */
static void
exclusive_insert_and_duplicates(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hash_table *ht;
	struct rec *a = rec_new(5, 0);
	struct rec *b = rec_new(5, 0);
	struct rec *c = rec_new(5, 0);
	d_list_t *link;

	(void)state;
	nr_freed = 0;
	assert_int_equal(d_hash_table_create(0, 4, NULL, &rec_ops, &ht), 0);
	assert_int_equal(insert(ht, a, true), 0);
	assert_int_equal(insert(ht, b, true), -DER_EXIST);
	assert_int_equal(b->ref, 0);
	assert_true(d_hash_rec_unlinked(&b->link));
	assert_int_equal(insert(ht, b, false), 0);

	link = find(ht, 5);
	assert_ptr_equal(link, &b->link);
	d_hash_rec_decref(ht, link);

	/* find_insert returns the record already there, with a reference. */
	link = d_hash_rec_find_insert(ht, &c->key, sizeof(c->key), &c->link);
	assert_ptr_equal(link, &b->link);
	assert_int_equal(b->ref, 2);
	d_hash_rec_decref(ht, link);
	assert_true(d_hash_rec_unlinked(&c->link));
	c->key = 6;
	link = d_hash_rec_find_insert(ht, &c->key, sizeof(c->key), &c->link);
	assert_ptr_equal(link, &c->link);
	assert_int_equal(c->ref, 1);

	assert_true(d_hash_rec_delete(ht, &(uint64_t){ 5 }, sizeof(uint64_t)));
	link = find(ht, 5);
	assert_ptr_equal(link, &a->link);
	d_hash_rec_decref(ht, link);
	assert_int_equal(nr_freed, 1);

	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(nr_freed, 3);
	TEST_ALLOC_CHECK();
}

/* Reference counts through addref, decref, ndecref, delete_at. */
static void
refcounts(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hash_table *ht;
	struct rec *r = rec_new(1, 0);
	struct rec *s = rec_new(2, 0);
	d_list_t *link;

	(void)state;
	nr_freed = 0;
	assert_int_equal(d_hash_table_create(D_HASH_FT_MUTEX, 3, NULL, &rec_ops, &ht), 0);
	assert_int_equal(insert(ht, r, true), 0);
	link = find(ht, 1);
	assert_int_equal(r->ref, 2);
	d_hash_rec_addref(ht, link);
	assert_int_equal(r->ref, 3);
	assert_int_equal(d_hash_rec_ndecref(ht, 2, link), 0);
	assert_int_equal(r->ref, 1);
	assert_int_equal(d_hash_rec_ndecref(ht, 0, link), 0);
	assert_int_equal(d_hash_rec_ndecref(ht, -1, link), -DER_INVAL);

	/* Deleting with a reference held leaves the record alive but unlinked. */
	d_hash_rec_addref(ht, link);
	assert_true(d_hash_rec_delete_at(ht, link));
	assert_true(d_hash_rec_unlinked(link));
	assert_false(d_hash_rec_delete_at(ht, link));
	assert_null(find(ht, 1));
	assert_int_equal(nr_freed, 0);
	d_hash_rec_decref(ht, link);
	assert_int_equal(nr_freed, 1);

	/* Dropping more than held reports it and still frees the record. */
	assert_int_equal(insert(ht, s, true), 0);
	d_hash_rec_addref(ht, &s->link);
	assert_true(d_hash_rec_delete_at(ht, &s->link));
	assert_int_equal(d_hash_rec_ndecref(ht, 3, &s->link), -DER_INVAL);
	assert_int_equal(nr_freed, 2);

	assert_int_equal(d_hash_table_destroy(ht, false), 0);
	TEST_ALLOC_CHECK();
}

/* A table with hop_rec_ndecref uses it instead of repeated hop_rec_decref. */
static void
ndecref_callback(void **state)
{
	TEST_ALLOC_MARK();
	d_hash_table_ops_t ops = rec_ops;
	struct d_hash_table ht;
	struct rec *r = rec_new(9, 0);

	(void)state;
	nr_freed = 0;
	ops.hop_rec_ndecref = rec_ndecref;
	assert_int_equal(d_hash_table_create_inplace(D_HASH_FT_GLOCK, 2, NULL, &ops, &ht), 0);
	assert_int_equal(insert(&ht, r, true), 0);
	d_hash_rec_addref(&ht, &r->link);
	d_hash_rec_addref(&ht, &r->link);
	assert_int_equal(d_hash_rec_ndecref(&ht, 5, &r->link), -DER_INVAL);
	assert_int_equal(r->ref, 3);
	assert_int_equal(d_hash_rec_ndecref(&ht, 2, &r->link), 0);
	assert_int_equal(r->ref, 1);
	assert_int_equal(d_hash_table_destroy_inplace(&ht, true), 0);
	assert_int_equal(nr_freed, 1);
	assert_null(ht.ht_buckets);
	TEST_ALLOC_CHECK();
}

/* EPHEMERAL: the table holds no reference; the last decref deletes and frees. */
static void
ephemeral(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hash_table *ht;
	struct rec *r = rec_new(3, 1); /* the creator's reference */
	d_list_t *link;

	(void)state;
	nr_freed = 0;
	assert_int_equal(d_hash_table_create(D_HASH_FT_EPHEMERAL, 4, NULL, &rec_ops, &ht), 0);
	assert_int_equal(insert(ht, r, true), 0);
	assert_int_equal(r->ref, 1);
	link = find(ht, 3);
	assert_int_equal(r->ref, 2);
	d_hash_rec_decref(ht, link);
	assert_int_equal(nr_freed, 0);
	assert_false(d_hash_rec_unlinked(link));
	d_hash_rec_decref(ht, link);
	assert_int_equal(nr_freed, 1);
	assert_true(d_hash_table_is_empty(ht));
	assert_int_equal(d_hash_table_destroy(ht, false), 0);
	TEST_ALLOC_CHECK();
}

/*
 * IOR's directory cache: string keys, djb2 by default, EPHEMERAL | NOLOCK | LRU, decref
 * that always says "last", drained with d_hash_rec_first() + decref.
 */
struct dir_rec {
	d_list_t entry;
	char name[32];
};

static bool
dir_key_cmp(struct d_hash_table *htable, d_list_t *link, const void *key, unsigned int ksize)
{
	struct dir_rec *d = container_of(link, struct dir_rec, entry);

	(void)htable;
	return strlen(d->name) == ksize && memcmp(d->name, key, ksize) == 0;
}

static uint32_t
dir_rec_hash(struct d_hash_table *htable, d_list_t *link)
{
	struct dir_rec *d = container_of(link, struct dir_rec, entry);

	(void)htable;
	return d_hash_string_u32(d->name, strlen(d->name));
}

static bool
dir_rec_decref(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	(void)link;
	return true;
}

static void
dir_rec_free(struct d_hash_table *htable, d_list_t *link)
{
	(void)htable;
	assert_true(d_hash_rec_unlinked(link));
	nr_freed++;
	d_free(container_of(link, struct dir_rec, entry));
}

static void
ior_directory_cache(void **state)
{
	TEST_ALLOC_MARK();
	d_hash_table_ops_t ops = {
		.hop_key_cmp = dir_key_cmp,
		.hop_rec_decref = dir_rec_decref,
		.hop_rec_free = dir_rec_free,
		.hop_rec_hash = dir_rec_hash,
	};
	struct d_hash_table *ht;
	d_list_t *link;
	char name[32];
	int i;

	(void)state;
	nr_freed = 0;
	assert_int_equal(d_hash_table_create(D_HASH_FT_EPHEMERAL | D_HASH_FT_NOLOCK | D_HASH_FT_LRU,
					     4, NULL, &ops, &ht),
			 0);
	for (i = 0; i < 50; i++) {
		struct dir_rec *d = d_calloc(1, sizeof(*d));

		assert_non_null(d);
		snprintf(d->name, sizeof(d->name), "/dir%d", i);
		assert_int_equal(d_hash_rec_insert(ht, d->name, strlen(d->name), &d->entry, false),
				 0);
	}
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "/dir%d", i);
		link = d_hash_rec_find(ht, name, strlen(name));
		assert_non_null(link);
		assert_string_equal(container_of(link, struct dir_rec, entry)->name, name);
	}
	assert_null(d_hash_rec_find(ht, "/nope", 5));

	while ((link = d_hash_rec_first(ht)) != NULL)
		d_hash_rec_decref(ht, link);
	assert_int_equal(nr_freed, 50);
	assert_int_equal(d_hash_table_destroy(ht, false), 0);
	TEST_ALLOC_CHECK();
}

static int
collect_cb(d_list_t *link, void *arg)
{
	uint64_t **out = arg;

	*(*out)++ = link2rec(link)->key;
	return 0;
}

/* The keys of a one-bucket table, in chain order. */
static void
assert_order(struct d_hash_table *ht, const uint64_t *want, int nr)
{
	uint64_t got[8];
	uint64_t *pos = got;
	int i;

	assert_int_equal(d_hash_table_traverse(ht, collect_cb, &pos), 0);
	assert_int_equal(pos - got, nr);
	for (i = 0; i < nr; i++)
		assert_int_equal(got[i], want[i]);
}

/* LRU: lookups move to the front, eviction to the back; without LRU nothing moves. */
static void
lru_order(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hash_table *ht;
	struct rec *r[3];
	static const uint64_t inserted[] = { 3, 2, 1 };
	static const uint64_t after_find[] = { 1, 3, 2 };
	static const uint64_t after_evict[] = { 3, 2, 1 };
	static const uint64_t after_evict_at[] = { 2, 1, 3 };
	static const uint64_t after_promote[] = { 3, 2, 1 };
	int i;

	(void)state;
	nr_freed = 0;
	for (i = 0; i < 3; i++) {
		r[i] = rec_new((uint64_t)i + 1, 0);
		assert_non_null(r[i]);
	}
	/* bits 0: one bucket, so the whole table is one chain. */
	assert_int_equal(d_hash_table_create(D_HASH_FT_LRU, 0, NULL, &rec_ops, &ht), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(insert(ht, r[i], true), 0);
	assert_order(ht, inserted, 3);
	d_hash_rec_decref(ht, find(ht, 1));
	assert_order(ht, after_find, 3);
	assert_true(d_hash_rec_evict(ht, &(uint64_t){ 1 }, sizeof(uint64_t)));
	assert_false(d_hash_rec_evict(ht, &(uint64_t){ 7 }, sizeof(uint64_t)));
	assert_order(ht, after_evict, 3);
	assert_true(d_hash_rec_evict_at(ht, &r[2]->link));
	assert_order(ht, after_evict_at, 3);
	d_hash_rec_promote(ht, &r[2]->key, sizeof(uint64_t), &r[2]->link);
	assert_order(ht, after_promote, 3);
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(nr_freed, 3);

	/* Without LRU, lookups keep the order and eviction is refused. */
	for (i = 0; i < 3; i++) {
		r[i] = rec_new((uint64_t)i + 1, 0);
		assert_non_null(r[i]);
	}
	assert_int_equal(d_hash_table_create(D_HASH_FT_NOLOCK, 0, NULL, &rec_ops, &ht), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(insert(ht, r[i], true), 0);
	d_hash_rec_decref(ht, find(ht, 1));
	assert_order(ht, inserted, 3);
	assert_false(d_hash_rec_evict(ht, &(uint64_t){ 1 }, sizeof(uint64_t)));
	assert_false(d_hash_rec_evict_at(ht, &r[0]->link));
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(nr_freed, 6);
	TEST_ALLOC_CHECK();
}

static int
stop_at_cb(d_list_t *link, void *arg)
{
	int *left = arg;

	(void)link;
	return --(*left) == 0 ? 42 : 0;
}

static void
traverse_and_first(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hash_table *ht;
	int left = 5;
	int i;

	(void)state;
	nr_freed = 0;
	assert_int_equal(d_hash_table_create(0, 5, NULL, &rec_ops, &ht), 0);
	assert_null(d_hash_rec_first(ht));
	for (i = 0; i < 20; i++)
		assert_int_equal(insert(ht, rec_new((uint64_t)i, 0), true), 0);
	assert_int_equal(count_recs(ht), 20);
	assert_int_equal(d_hash_table_traverse(ht, stop_at_cb, &left), 42);
	assert_int_equal(left, 0);
	assert_int_equal(d_hash_table_traverse(ht, NULL, NULL), -DER_INVAL);
	assert_non_null(d_hash_rec_first(ht));
	d_hash_table_debug(ht);
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(nr_freed, 20);
	TEST_ALLOC_CHECK();
}

/* Without force a table with records is refused and left whole; with force, emptied. */
static void
destroy_force(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hash_table *ht;
	struct d_hash_table inplace;
	int i;

	(void)state;
	nr_freed = 0;
	assert_int_equal(d_hash_table_create(D_HASH_FT_MUTEX, 6, NULL, &rec_ops, &ht), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(insert(ht, rec_new((uint64_t)i, 0), true), 0);
	assert_int_equal(d_hash_table_destroy(ht, false), -DER_BUSY);
	assert_int_equal(count_recs(ht), 100);
	assert_int_equal(nr_freed, 0);
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(nr_freed, 100);

	assert_int_equal(d_hash_table_create_inplace(D_HASH_FT_RWLOCK, 2, NULL, &rec_ops, &inplace),
			 0);
	assert_int_equal(insert(&inplace, rec_new(1, 0), true), 0);
	assert_int_equal(d_hash_table_destroy_inplace(&inplace, false), -DER_BUSY);
	assert_int_equal(d_hash_table_destroy_inplace(&inplace, true), 0);
	assert_int_equal(nr_freed, 101);
	/* Destroying twice is harmless. */
	assert_int_equal(d_hash_table_destroy_inplace(&inplace, true), 0);
	TEST_ALLOC_CHECK();
}

static void
create_rejects_bad_arguments(void **state)
{
	TEST_ALLOC_MARK();
	d_hash_table_ops_t no_cmp = { .hop_key_hash = rec_key_hash };
	struct d_hash_table *ht = NULL;

	(void)state;
	assert_int_equal(d_hash_table_create(0, 4, NULL, NULL, &ht), -DER_INVAL);
	assert_int_equal(d_hash_table_create(0, 4, NULL, &no_cmp, &ht), -DER_INVAL);
	assert_int_equal(d_hash_table_create(0, 32, NULL, &rec_ops, &ht), -DER_INVAL);
	assert_null(ht);

	/* Without hop_rec_hash per-bucket locking is impossible: one lock is used. */
	{
		d_hash_table_ops_t ops = rec_ops;

		ops.hop_rec_hash = NULL;
		assert_int_equal(d_hash_table_create(D_HASH_FT_MUTEX, 4, NULL, &ops, &ht), 0);
		assert_true(ht->ht_feats & D_HASH_FT_GLOCK);
		assert_null(ht->ht_locks);
		assert_int_equal(d_hash_table_destroy(ht, false), 0);
	}
	TEST_ALLOC_CHECK();
}

/* Anonymous insertion: hop_key_init gives the key under the table's lock. */
static uint64_t next_anon_key;

static void
rec_key_init(struct d_hash_table *htable, d_list_t *link, void *arg)
{
	(void)htable;
	link2rec(link)->key = next_anon_key++ + *(uint64_t *)arg;
}

static void
insert_anonym(void **state)
{
	TEST_ALLOC_MARK();
	d_hash_table_ops_t ops = rec_ops;
	struct d_hash_table *ht;
	uint64_t base = 1000;
	struct rec *r;
	d_list_t *link;
	int i;

	(void)state;
	nr_freed = 0;
	next_anon_key = 0;
	assert_int_equal(d_hash_table_create(0, 4, NULL, &rec_ops, &ht), 0);
	r = rec_new(0, 0);
	assert_int_equal(d_hash_rec_insert_anonym(ht, &r->link, &base), -DER_INVAL);
	assert_int_equal(d_hash_table_destroy(ht, false), 0);

	ops.hop_key_init = rec_key_init;
	assert_int_equal(d_hash_table_create(D_HASH_FT_RWLOCK, 4, NULL, &ops, &ht), 0);
	assert_int_equal(d_hash_rec_insert_anonym(ht, &r->link, &base), 0);
	for (i = 1; i < 10; i++)
		assert_int_equal(d_hash_rec_insert_anonym(ht, &rec_new(0, 0)->link, &base), 0);
	for (i = 0; i < 10; i++) {
		link = find(ht, base + (uint64_t)i);
		assert_non_null(link);
		d_hash_rec_decref(ht, link);
	}
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(nr_freed, 10);
	TEST_ALLOC_CHECK();
}

/*
 * Threads: each inserts its own keys, looks up everyone's, deletes half of its own.
 * cmocka's assertions are not thread safe, so threads count failures instead.
 */
#define NR_THREADS 4
#define NR_PER_THREAD 20000

struct worker {
	pthread_t thread;
	struct d_hash_table *ht;
	int id;
	int errors;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	uint64_t base = (uint64_t)w->id * NR_PER_THREAD;
	uint64_t i;

	for (i = 0; i < NR_PER_THREAD; i++) {
		struct rec *r = rec_new(base + i, 0);

		if (r == NULL || insert(w->ht, r, true) != 0)
			w->errors++;
	}
	for (i = 0; i < NR_PER_THREAD * NR_THREADS; i++) {
		/* Others' keys may or may not be there yet; ours must be. */
		d_list_t *link = find(w->ht, i);

		if (link != NULL) {
			if (link2rec(link)->key != i)
				w->errors++;
			d_hash_rec_decref(w->ht, link);
		} else if (i >= base && i < base + NR_PER_THREAD) {
			w->errors++;
		}
	}
	for (i = 0; i < NR_PER_THREAD; i += 2) {
		uint64_t key = base + i;

		if (!d_hash_rec_delete(w->ht, &key, sizeof(key)))
			w->errors++;
	}
	return NULL;
}

static void
run_threads(uint32_t feats)
{
	TEST_ALLOC_MARK();
	struct worker workers[NR_THREADS];
	struct d_hash_table *ht;
	int i;

	nr_freed = 0;
	assert_int_equal(d_hash_table_create(feats, 10, NULL, &rec_ops, &ht), 0);
	for (i = 0; i < NR_THREADS; i++) {
		workers[i].ht = ht;
		workers[i].id = i;
		workers[i].errors = 0;
		assert_int_equal(pthread_create(&workers[i].thread, NULL, worker_run, &workers[i]),
				 0);
	}
	for (i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_join(workers[i].thread, NULL), 0);
		assert_int_equal(workers[i].errors, 0);
	}
	assert_int_equal(count_recs(ht), NR_THREADS * NR_PER_THREAD / 2);
	assert_int_equal(nr_freed, NR_THREADS * NR_PER_THREAD / 2);
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(nr_freed, NR_THREADS * NR_PER_THREAD);
	TEST_ALLOC_CHECK();
}

static void
threads_rwlock(void **state)
{
	(void)state;
	run_threads(D_HASH_FT_RWLOCK);
}

static void
threads_mutex(void **state)
{
	(void)state;
	run_threads(D_HASH_FT_MUTEX);
}

static void
threads_spin_lru(void **state)
{
	(void)state;
	run_threads(D_HASH_FT_LRU);
}

static void
threads_global_rwlock_lru(void **state)
{
	(void)state;
	run_threads(D_HASH_FT_GLOCK | D_HASH_FT_RWLOCK | D_HASH_FT_LRU);
}

/* Create a table and fill it with 8 records; on any failure undo everything. */
static int
create_and_fill(uint32_t feats, struct d_hash_table **out)
{
	struct d_hash_table *ht;
	int rc;
	int i;

	rc = d_hash_table_create(feats, 8, NULL, &rec_ops, &ht);
	if (rc != 0)
		return rc;
	for (i = 0; i < 8; i++) {
		struct rec *r = rec_new((uint64_t)i, 0);

		if (r == NULL) {
			d_hash_table_destroy(ht, true);
			return -DER_NOMEM;
		}
		rc = insert(ht, r, true);
		assert_int_equal(rc, 0);
	}
	*out = ht;
	return 0;
}

/* Fail each allocation of create + insert in turn: errors come back, nothing leaks. */
static void
fail_each_allocation(void **state)
{
	static const uint32_t feats[] = { D_HASH_FT_MUTEX, D_HASH_FT_GLOCK, D_HASH_FT_NOLOCK };
	size_t f;

	(void)state;
	for (f = 0; f < ARRAY_SIZE(feats); f++) {
		TEST_ALLOC_MARK();
		struct d_hash_table *ht = NULL;
		uint64_t k;
		int rc;

		for (k = 1;; k++) {
			d_alloc_fail_nth(k);
			rc = create_and_fill(feats[f], &ht);
			if (d_alloc_fail_pending() != 0)
				break;
			assert_int_equal(rc, -DER_NOMEM);
			TEST_ALLOC_CHECK();
		}
		d_alloc_fail_nth(0);
		assert_int_equal(rc, 0);
		assert_true(k > 8);
		assert_int_equal(count_recs(ht), 8);
		assert_int_equal(d_hash_table_destroy(ht, true), 0);
		TEST_ALLOC_CHECK();
	}
}

/*
 * Handle table.
 */
static int nr_hfreed;

static void
hlink_free(struct d_hlink *hlink)
{
	nr_hfreed++;
	d_free(hlink);
}

static struct d_hlink_ops hlink_ops = { .hop_free = hlink_free };

static void
handle_hash(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hhash *hh;
	struct d_hlink *a = d_calloc(1, sizeof(*a));
	struct d_hlink *b = d_calloc(1, sizeof(*b));
	struct d_hlink *found;
	uint64_t key_a;
	uint64_t key_b;

	(void)state;
	nr_hfreed = 0;
	assert_int_equal(d_hhash_create(D_HASH_FT_GLOCK, D_HHASH_BITS, &hh), 0);
	assert_false(d_hhash_is_ptrtype(hh));
	d_hhash_hlink_init(a, &hlink_ops);
	d_hhash_hlink_init(b, &hlink_ops);
	assert_true(d_hhash_link_empty(a));
	d_hhash_link_insert(hh, a, 1);
	d_hhash_link_insert(hh, b, 3);
	assert_false(d_hhash_link_empty(a));
	d_hhash_link_key(a, &key_a);
	d_hhash_link_key(b, &key_b);
	assert_int_not_equal(key_a, key_b);
	assert_int_equal(d_hhash_key_type(key_a), 1);
	assert_int_equal(d_hhash_key_type(key_b), 3);
	assert_false(d_hhash_key_isptr(key_a));

	/* Cookie handles exist: the table cannot switch to addresses. */
	assert_int_equal(d_hhash_set_ptrtype(hh), -DER_ALREADY);

	found = d_hhash_link_lookup(hh, key_a);
	assert_ptr_equal(found, a);
	assert_int_equal(a->hl_link.rl_ref, 3); /* ours, the table's, the lookup's */
	d_hhash_link_putref(hh, found);
	d_hhash_link_getref(hh, a);
	d_hhash_link_putref(hh, a);
	assert_null(d_hhash_link_lookup(hh, key_a + (1 << D_HTYPE_BITS) * 100));

	assert_true(d_hhash_link_delete(hh, a));
	assert_false(d_hhash_link_delete(hh, a));
	assert_true(d_hhash_link_empty(a));
	assert_null(d_hhash_link_lookup(hh, key_a));
	assert_int_equal(nr_hfreed, 0);
	d_hhash_link_putref(hh, a);
	assert_int_equal(nr_hfreed, 1);

	/* Destroying drops the table's reference on b; ours remains. */
	d_hhash_destroy(hh);
	assert_int_equal(nr_hfreed, 0 + 1);
	assert_int_equal(b->hl_link.rl_ref, 1);
	d_free(b);
	TEST_ALLOC_CHECK();
}

static void
handle_hash_ptrtype(void **state)
{
	TEST_ALLOC_MARK();
	struct d_hhash *hh;
	struct d_hlink *a = d_calloc(1, sizeof(*a));
	uint64_t key;

	(void)state;
	nr_hfreed = 0;
	assert_int_equal(d_hhash_create(D_HASH_FT_RWLOCK, 4, &hh), 0);
	assert_int_equal(d_hhash_set_ptrtype(hh), 0);
	assert_true(d_hhash_is_ptrtype(hh));
	d_hhash_hlink_init(a, &hlink_ops);
	d_hhash_link_insert(hh, a, D_HTYPE_PTR);
	d_hhash_link_key(a, &key);
	assert_int_equal(key, (uintptr_t)a);
	assert_true(d_hhash_key_isptr(key));
	assert_int_equal(d_hhash_key_type(key), D_HTYPE_PTR);
	assert_ptr_equal(d_hhash_link_lookup(hh, key), a);
	d_hhash_link_putref(hh, a);
	/* A stale or forged address finds nothing instead of being dereferenced. */
	assert_null(d_hhash_link_lookup(hh, key + 16));
	assert_true(d_hhash_link_delete(hh, a));
	d_hhash_link_putref(hh, a);
	assert_int_equal(nr_hfreed, 1);
	d_hhash_destroy(hh);
	TEST_ALLOC_CHECK();
}

/*
 * UUID table.
 */
struct uobj {
	struct d_ulink ulink;
	int tag;
};

static int nr_ufreed;

static void
uobj_free(struct d_ulink *ulink)
{
	nr_ufreed++;
	d_free(container_of(ulink, struct uobj, ulink));
}

static bool
uobj_cmp(struct d_ulink *ulink, void *cmp_args)
{
	return container_of(ulink, struct uobj, ulink)->tag == *(int *)cmp_args;
}

static void
uuid_hash(void **state)
{
	TEST_ALLOC_MARK();
	struct d_ulink_ops plain_ops = { .uop_free = uobj_free };
	struct d_ulink_ops tag_ops = { .uop_free = uobj_free, .uop_cmp = uobj_cmp };
	struct d_hash_table *ht;
	struct uobj *a = d_calloc(1, sizeof(*a));
	struct uobj *b = d_calloc(1, sizeof(*b));
	struct uobj *c = d_calloc(1, sizeof(*c));
	struct d_uuid u1;
	struct d_uuid u2;
	struct d_ulink *found;
	int tag1 = 1;
	int tag2 = 2;

	(void)state;
	nr_ufreed = 0;
	memset(&u1, 0x11, sizeof(u1));
	memset(&u2, 0x22, sizeof(u2));
	assert_int_equal(d_uhash_create(0, 8, &ht), 0);
	d_uhash_ulink_init(&a->ulink, &plain_ops);
	d_uhash_ulink_init(&b->ulink, &tag_ops);
	d_uhash_ulink_init(&c->ulink, &tag_ops);
	b->tag = 1;
	c->tag = 2;
	assert_true(d_uhash_link_empty(&a->ulink));
	assert_int_equal(d_uhash_link_insert(ht, &u1, NULL, &a->ulink), 0);
	assert_int_equal(d_uhash_link_insert(ht, &u1, NULL, &a->ulink), -DER_EXIST);
	assert_false(d_uhash_link_empty(&a->ulink));
	/* Same UUID, told apart by tag. */
	assert_int_equal(d_uhash_link_insert(ht, &u2, &tag1, &b->ulink), 0);
	assert_int_equal(d_uhash_link_insert(ht, &u2, &tag2, &c->ulink), 0);

	found = d_uhash_link_lookup(ht, &u1, NULL);
	assert_ptr_equal(found, &a->ulink);
	d_uhash_link_putref(ht, found);
	found = d_uhash_link_lookup(ht, &u2, &tag2);
	assert_ptr_equal(found, &c->ulink);
	d_uhash_link_addref(ht, found);
	d_uhash_link_putref(ht, found);
	d_uhash_link_putref(ht, found);
	found = d_uhash_link_lookup(ht, &u2, &tag1);
	assert_ptr_equal(found, &b->ulink);
	d_uhash_link_putref(ht, found);

	d_uhash_link_delete(ht, &a->ulink);
	assert_true(d_uhash_link_empty(&a->ulink));
	assert_true(d_uhash_link_last_ref(&a->ulink));
	assert_null(d_uhash_link_lookup(ht, &u1, NULL));
	d_uhash_link_putref(ht, &a->ulink);
	assert_int_equal(nr_ufreed, 1);

	/* Drop our references on b and c: the table's keep them until destroy. */
	d_uhash_link_putref(ht, &b->ulink);
	d_uhash_link_putref(ht, &c->ulink);
	assert_int_equal(nr_ufreed, 1);
	d_uhash_destroy(ht);
	assert_int_equal(nr_ufreed, 3);
	TEST_ALLOC_CHECK();
}

/*
 * Hash functions.
 */

/*
 * SMHasher's verification value for MurmurHash64A: hash keys {}, {0}, {0, 1}, ...,
 * {0..254} with seeds 256, 255, ..., 1; hash the 256 results (little-endian) with
 * seed 0; the low 32 bits of that are 0x1F0D3804.
 */
static void
murmur64_reference(void **state)
{
	unsigned char key[256];
	unsigned char hashes[256 * 8];
	uint64_t final;
	int i;
	int j;

	(void)state;
	for (i = 0; i < 256; i++) {
		uint64_t h;

		key[i] = (unsigned char)i;
		h = d_hash_murmur64(key, (unsigned int)i, 256 - (unsigned int)i);
		for (j = 0; j < 8; j++)
			hashes[i * 8 + j] = (unsigned char)(h >> (8 * j));
	}
	final = d_hash_murmur64(hashes, sizeof(hashes), 0);
	assert_int_equal((uint32_t) final, 0x1F0D3804);

	assert_int_equal(d_hash_murmur64(NULL, 0, 0), 0);
	/* Placement's seed; the value a straightforward MurmurHash64A gives. */
	assert_int_equal(d_hash_murmur64((const unsigned char *)"abc", 3, 5731),
			 0x914a2e7f6f5d80bfULL);
	/* Unaligned keys hash like aligned ones. */
	memcpy(hashes + 1, "dkey-0123456789", 15);
	assert_int_equal(d_hash_murmur64(hashes + 1, 15, 5731),
			 d_hash_murmur64((const unsigned char *)"dkey-0123456789", 15, 5731));
}

static void
djb2_reference(void **state)
{
	(void)state;
	assert_int_equal(d_hash_string_u32("", 0), 5381);
	assert_int_equal(d_hash_string_u32("a", 1), 177670);
	assert_int_equal(d_hash_string_u32("abc", 3), 193485963);
	assert_int_equal(d_hash_string_u32("hello world", 11), 894552257);
	/* The length rules, not a NUL. */
	assert_int_equal(d_hash_string_u32("abcdef", 3), 193485963);
}

/* Jump hash: always in range, and growing n -> n + 1 moves keys only into bucket n. */
static void
jump_hash_properties(void **state)
{
	uint32_t before[2000];
	uint32_t n;
	int i;

	(void)state;
	assert_int_equal(d_hash_jump(12345, 0), 0);
	for (i = 0; i < 2000; i++) {
		before[i] = d_hash_jump(d_hash_mix64((uint64_t)i), 1);
		assert_int_equal(before[i], 0);
	}
	for (n = 2; n <= 64; n++) {
		int moved = 0;

		for (i = 0; i < 2000; i++) {
			uint32_t now = d_hash_jump(d_hash_mix64((uint64_t)i), n);

			assert_true(now < n);
			if (now != before[i]) {
				assert_int_equal(now, n - 1);
				moved++;
			}
			before[i] = now;
		}
		/* About 2000 / n move; allow generous slack for chance. */
		assert_true(moved > 0);
		assert_true(moved < 3 * 2000 / (int)n + 30);
	}
	assert_true(d_hash_jump(UINT64_MAX, UINT32_MAX) < UINT32_MAX);
	/* Spread: every one of 10 buckets gets a fair share of 10000 keys. */
	{
		int counts[10] = { 0 };

		for (i = 0; i < 10000; i++)
			counts[d_hash_jump(d_hash_mix64((uint64_t)i), 10)]++;
		for (i = 0; i < 10; i++)
			assert_true(counts[i] > 800 && counts[i] < 1200);
	}
}

static void
mixes_and_helpers(void **state)
{
	uint64_t sorted[] = { 10, 20, 30, 40 };

	(void)state;
	assert_int_not_equal(d_hash_mix64(1), d_hash_mix64(2));
	assert_int_not_equal(d_hash_mix96(1, 2, 3), d_hash_mix96(1, 2, 4));
	assert_int_equal(d_hash_srch_u64(sorted, 4, 5), 0);
	assert_int_equal(d_hash_srch_u64(sorted, 4, 10), 0);
	assert_int_equal(d_hash_srch_u64(sorted, 4, 25), 1);
	assert_int_equal(d_hash_srch_u64(sorted, 4, 40), 3);
	assert_int_equal(d_hash_srch_u64(sorted, 4, 1000), 3);
	assert_int_equal(d_hash_srch_u64(sorted, 1, 1000), 0);
	assert_int_equal(d_power2_nbits(0), 0);
	assert_int_equal(d_power2_nbits(1), 0);
	assert_int_equal(d_power2_nbits(2), 1);
	assert_int_equal(d_power2_nbits(3), 2);
	assert_int_equal(d_power2_nbits(4), 2);
	assert_int_equal(d_power2_nbits(1000), 10);
	assert_int_equal(LOWEST_BIT_SET(12u), 4);
	assert_true(d_u64_hash(12345, 10) < 1024);
	assert_int_equal(d_u32_hash(1, 10), DGOLDEN_RATIO_PRIME_32 >> 22);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(many_records),
		cmocka_unit_test(exclusive_insert_and_duplicates),
		cmocka_unit_test(refcounts),
		cmocka_unit_test(ndecref_callback),
		cmocka_unit_test(ephemeral),
		cmocka_unit_test(ior_directory_cache),
		cmocka_unit_test(lru_order),
		cmocka_unit_test(traverse_and_first),
		cmocka_unit_test(destroy_force),
		cmocka_unit_test(create_rejects_bad_arguments),
		cmocka_unit_test(insert_anonym),
		cmocka_unit_test(threads_rwlock),
		cmocka_unit_test(threads_mutex),
		cmocka_unit_test(threads_spin_lru),
		cmocka_unit_test(threads_global_rwlock_lru),
		cmocka_unit_test(fail_each_allocation),
		cmocka_unit_test(handle_hash),
		cmocka_unit_test(handle_hash_ptrtype),
		cmocka_unit_test(uuid_hash),
		cmocka_unit_test(murmur64_reference),
		cmocka_unit_test(djb2_reference),
		cmocka_unit_test(jump_hash_properties),
		cmocka_unit_test(mixes_and_helpers),
	};

	return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
