/* SPDX-License-Identifier: Apache-2.0 */
/*
 * btree_tests.c - common/btree.h: inserts, lookups and deletes checked against sorted
 * arrays, every seek mode at the edges, iteration both ways, entry sizes, an interval
 * index (aug = end) against brute force, nested trees, allocation failures at every
 * allocation of splitting inserts and of deletes, and the memory and lookup figures.
 * Sizes shrink under AddressSanitizer; BTREE_TEST_SEED changes the random data.
 */
#define D_LOGFAC DD_FAC(tests)

#include <stdlib.h>
#include <time.h>

#include "common/btree.h"
#include "common/test.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif
#ifndef TEST_SANITIZED
#define TEST_SANITIZED 0
#endif

/* The large runs: a million entries, a tenth of that under the sanitizers. */
#define BIG_N (TEST_SANITIZED ? 100000 : 1000000)

static uint64_t rng_state;

/* splitmix64: a bijection of the state, so keys drawn from it never repeat. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rnd_below(uint64_t n)
{
	return rnd() % n;
}

static void
shuffle(uint64_t *v, size_t n)
{
	uint64_t tmp;
	size_t i;
	size_t j;

	for (i = n; i > 1; i--) {
		j = rnd_below(i);
		tmp = v[i - 1];
		v[i - 1] = v[j];
		v[j] = tmp;
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Entries of any size whose first 8 bytes are the uint64_t key. */
static uint64_t
key_of(const void *entry)
{
	uint64_t k;

	memcpy(&k, entry, sizeof(k));
	return k;
}

static int
u64_cmp(const void *key, const void *entry)
{
	uint64_t a = key_of(key);
	uint64_t b = key_of(entry);

	return (a > b) - (a < b);
}

static const struct d_btr_ops u64_ops = {
	.entry_size = sizeof(uint64_t),
	.cmp = u64_cmp,
	.cmp_entry = u64_cmp,
};

/* Four entries per leaf: deep trees from few entries. */
static const struct d_btr_ops u64_small_ops = {
	.entry_size = sizeof(uint64_t),
	.leaf_max = 4,
	.cmp = u64_cmp,
	.cmp_entry = u64_cmp,
};

static uint64_t *
keys_new(size_t n)
{
	uint64_t *v = d_calloc(n == 0 ? 1 : n, sizeof(*v));

	assert_non_null(v);
	return v;
}

/* Keys 1, 3, 5, ...: room for absent keys before, between and after. */
static uint64_t *
keys_odd(size_t n)
{
	uint64_t *v = keys_new(n);
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = 2 * i + 1;
	return v;
}

/* The tree holds exactly the keys of @sorted[i] with !@gone[i], in order both ways. */
static void
check_contents(const struct d_btr *t, const uint64_t *sorted, const bool *gone, size_t n)
{
	struct d_btr_iter it;
	uint64_t nr = 0;
	size_t i;
	int rc;

	assert_int_equal(d_btr_check(t), 0);
	rc = d_btr_iter_seek(&it, t, D_BTR_SEEK_FIRST, NULL);
	for (i = 0; i < n; i++) {
		if (gone != NULL && gone[i])
			continue;
		assert_int_equal(rc, 0);
		assert_int_equal(key_of(d_btr_iter_entry(&it)), sorted[i]);
		rc = d_btr_iter_next(&it);
		nr++;
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_false(it.valid);
	assert_int_equal(d_btr_count(t), nr);

	rc = d_btr_iter_seek(&it, t, D_BTR_SEEK_LAST, NULL);
	for (i = n; i-- > 0;) {
		if (gone != NULL && gone[i])
			continue;
		assert_int_equal(rc, 0);
		assert_int_equal(key_of(d_btr_iter_entry(&it)), sorted[i]);
		rc = d_btr_iter_prev(&it);
	}
	assert_int_equal(rc, -DER_NONEXIST);
}

static void
empty_tree(void **state)
{
	TEST_ALLOC_MARK();
	struct d_btr t = D_BTR_INIT(&u64_ops);
	struct d_btr_iter it;
	uint64_t key = 5;
	int how;

	(void)state;
	assert_true(sizeof(struct d_btr) <= 32);
	assert_true(d_btr_is_empty(&t));
	assert_null(d_btr_lookup(&t, &key));
	assert_int_equal(d_btr_delete(&t, &key, NULL), -DER_NONEXIST);
	assert_int_equal(d_btr_update_aug(&t, &key), -DER_NONEXIST);
	for (how = D_BTR_SEEK_FIRST; how <= D_BTR_SEEK_LT; how++) {
		it.valid = true;
		assert_int_equal(d_btr_iter_seek(&it, &t, how, &key), -DER_NONEXIST);
		assert_false(it.valid);
		assert_int_equal(d_btr_iter_next(&it), -DER_NONEXIST);
		assert_int_equal(d_btr_iter_prev(&it), -DER_NONEXIST);
	}
	assert_int_equal(d_btr_mem(&t), 0);
	assert_int_equal(d_btr_check(&t), 0);
	d_btr_fini(&t, NULL, NULL);
	d_btr_init(&t, &u64_ops);
	assert_int_equal(d_btr_count(&t), 0);
	TEST_ALLOC_CHECK();
}

/* Insert @n keys in random order, look them up, delete them in random order. */
static void
random_ops(const struct d_btr_ops *ops, size_t n, size_t nr_checks)
{
	TEST_ALLOC_MARK();
	struct d_btr t;
	uint64_t *sorted = keys_odd(n);
	uint64_t *order = keys_new(n);
	bool *gone = d_calloc(n == 0 ? 1 : n, sizeof(*gone));
	size_t every = nr_checks != 0 && n / nr_checks != 0 ? n / nr_checks : 1;
	uint64_t key;
	uint64_t dup;
	void *out;
	size_t i;

	assert_non_null(gone);
	d_btr_init(&t, ops);
	for (i = 0; i < n; i++)
		order[i] = i;
	shuffle(order, n);
	for (i = 0; i < n; i++) {
		key = sorted[order[i]];
		out = NULL;
		assert_int_equal(d_btr_insert(&t, &key, &key, &out), 0);
		assert_non_null(out);
		assert_int_equal(key_of(out), key);
		if (nr_checks != 0 && i % every == 0)
			assert_int_equal(d_btr_check(&t), 0);
	}
	assert_int_equal(d_btr_count(&t), n);
	check_contents(&t, sorted, NULL, n);

	/* Every key is found; every key between them is not; duplicates are refused. */
	for (i = 0; i < n; i++) {
		key = sorted[i];
		out = d_btr_lookup(&t, &key);
		assert_non_null(out);
		assert_int_equal(key_of(out), key);
		key = sorted[i] - 1;
		assert_null(d_btr_lookup(&t, &key));
	}
	key = 2 * n + 1;
	assert_null(d_btr_lookup(&t, &key));
	for (i = 0; i < n && i < 1000; i++) {
		key = sorted[rnd_below(n)];
		dup = key;
		out = NULL;
		assert_int_equal(d_btr_insert(&t, &key, &dup, &out), -DER_EXIST);
		assert_ptr_equal(out, d_btr_lookup(&t, &key));
	}

	/* Delete half, then check order both ways, then the rest. */
	shuffle(order, n);
	for (i = 0; i < n; i++) {
		if (i == n / 2)
			check_contents(&t, sorted, gone, n);
		key = sorted[order[i]];
		dup = 0;
		assert_int_equal(d_btr_delete(&t, &key, &dup), 0);
		assert_int_equal(dup, key);
		assert_int_equal(d_btr_delete(&t, &key, NULL), -DER_NONEXIST);
		assert_null(d_btr_lookup(&t, &key));
		gone[order[i]] = true;
		if (nr_checks != 0 && i % every == 0)
			assert_int_equal(d_btr_check(&t), 0);
	}
	assert_true(d_btr_is_empty(&t));
	assert_null(t.root);
	assert_int_equal(t.depth, 0);
	assert_int_equal(d_btr_mem(&t), 0);
	d_btr_fini(&t, NULL, NULL);
	d_free(gone);
	d_free(order);
	d_free(sorted);
	TEST_ALLOC_CHECK();
}

static void
random_small_sizes(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 10, 17, 100, 1000, 10000 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		random_ops(&u64_ops, sizes[i], sizes[i]);
		random_ops(&u64_small_ops, sizes[i], sizes[i]);
	}
	random_ops(&u64_small_ops, 100000, 20);
}

static void
random_million(void **state)
{
	double t0 = now();

	(void)state;
	random_ops(&u64_ops, BIG_N, 4);
	print_message("btree: %d random inserts, lookups, deletes: %.2f s\n", BIG_N, now() - t0);
}

/* The position @how selects among @n sorted keys, or -1. */
static int64_t
ref_seek(const uint64_t *keys, const bool *gone, size_t n, enum d_btr_seek how, uint64_t key)
{
	int64_t best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (gone[i])
			continue;
		switch (how) {
		case D_BTR_SEEK_FIRST:
			return (int64_t)i;
		case D_BTR_SEEK_LAST:
			best = (int64_t)i;
			break;
		case D_BTR_SEEK_GE:
			if (keys[i] >= key)
				return (int64_t)i;
			break;
		case D_BTR_SEEK_GT:
			if (keys[i] > key)
				return (int64_t)i;
			break;
		case D_BTR_SEEK_LE:
			if (keys[i] <= key)
				best = (int64_t)i;
			break;
		case D_BTR_SEEK_LT:
			if (keys[i] < key)
				best = (int64_t)i;
			break;
		}
	}
	return best;
}

/* Every mode from every key around and between the present ones; then a step each way. */
static void
check_seeks(const struct d_btr *t, const uint64_t *keys, const bool *gone, size_t n)
{
	struct d_btr_iter it;
	int64_t want;
	int64_t j;
	uint64_t key;
	int how;
	int rc;

	for (key = 0; key <= 2 * n + 2; key++) {
		for (how = D_BTR_SEEK_FIRST; how <= D_BTR_SEEK_LT; how++) {
			want = ref_seek(keys, gone, n, how, key);
			rc = d_btr_iter_seek(&it, t, how, &key);
			if (want < 0) {
				assert_int_equal(rc, -DER_NONEXIST);
				assert_false(it.valid);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_true(it.valid);
			assert_int_equal(key_of(d_btr_iter_entry(&it)), keys[want]);
			/* The next entry, then back. */
			for (j = want + 1; j < (int64_t)n && gone[j]; j++)
				;
			rc = d_btr_iter_next(&it);
			if (j == (int64_t)n) {
				assert_int_equal(rc, -DER_NONEXIST);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(key_of(d_btr_iter_entry(&it)), keys[j]);
			assert_int_equal(d_btr_iter_prev(&it), 0);
			assert_int_equal(key_of(d_btr_iter_entry(&it)), keys[want]);
		}
	}
}

static void
seek_modes(void **state)
{
	TEST_ALLOC_MARK();
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 9, 33, 200, 700 };
	const struct d_btr_ops *ops;
	struct d_btr t;
	uint64_t *keys;
	uint64_t *order;
	bool *gone;
	size_t n;
	size_t i;
	size_t s;
	int o;

	(void)state;
	for (o = 0; o < 2; o++) {
		ops = o == 0 ? &u64_small_ops : &u64_ops;
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			n = sizes[s];
			keys = keys_odd(n);
			order = keys_new(n);
			gone = d_calloc(n, sizeof(*gone));
			assert_non_null(gone);
			for (i = 0; i < n; i++)
				order[i] = i;
			shuffle(order, n);
			d_btr_init(&t, ops);
			for (i = 0; i < n; i++)
				assert_int_equal(
					d_btr_insert(&t, &keys[order[i]], &keys[order[i]], NULL),
					0);
			check_seeks(&t, keys, gone, n);
			/* Random deletes leave gaps of several keys, some across leaves. */
			shuffle(order, n);
			for (i = 0; i < n * 2 / 3; i++) {
				assert_int_equal(d_btr_delete(&t, &keys[order[i]], NULL), 0);
				gone[order[i]] = true;
			}
			check_contents(&t, keys, gone, n);
			check_seeks(&t, keys, gone, n);
			d_btr_fini(&t, NULL, NULL);
			d_free(gone);
			d_free(order);
			d_free(keys);
		}
	}
	TEST_ALLOC_CHECK();
}

/* Entries of @size bytes: the key, then bytes derived from it. */
static void
entry_fill(unsigned char *e, size_t size, uint64_t key)
{
	size_t i;

	memcpy(e, &key, sizeof(key));
	for (i = sizeof(key); i < size; i++)
		e[i] = (unsigned char)(key * 31 + i);
}

static void
entry_verify(const unsigned char *e, size_t size, uint64_t key)
{
	unsigned char want[256];

	entry_fill(want, size, key);
	assert_memory_equal(e, want, size);
}

static void
entry_sizes(void **state)
{
	TEST_ALLOC_MARK();
	static const uint16_t sizes[] = { 8, 24, 40, 200, 256 };
	static const uint16_t leaf_max[] = { 0, 4, 7 };
	const size_t n = 5000;
	struct d_btr_ops ops = { .cmp = u64_cmp, .cmp_entry = u64_cmp };
	unsigned char e[256];
	struct d_btr_iter it;
	struct d_btr t;
	uint64_t *keys = keys_odd(n);
	uint64_t *order = keys_new(n);
	bool *gone = d_calloc(n, sizeof(*gone));
	void *out;
	size_t s;
	size_t m;
	size_t i;
	int rc;

	(void)state;
	assert_non_null(gone);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (m = 0; m < sizeof(leaf_max) / sizeof(leaf_max[0]); m++) {
			ops.entry_size = sizes[s];
			ops.leaf_max = leaf_max[m];
			d_btr_init(&t, &ops);
			memset(gone, 0, n * sizeof(*gone));
			for (i = 0; i < n; i++)
				order[i] = i;
			shuffle(order, n);
			for (i = 0; i < n; i++) {
				entry_fill(e, sizes[s], keys[order[i]]);
				assert_int_equal(d_btr_insert(&t, e, e, &out), 0);
				entry_verify(out, sizes[s], keys[order[i]]);
			}
			shuffle(order, n);
			for (i = 0; i < n / 2; i++) {
				assert_int_equal(d_btr_delete(&t, &keys[order[i]], e), 0);
				entry_verify(e, sizes[s], keys[order[i]]);
				gone[order[i]] = true;
			}
			check_contents(&t, keys, gone, n);
			rc = d_btr_iter_seek(&it, &t, D_BTR_SEEK_FIRST, NULL);
			for (i = 0; i < n; i++) {
				if (gone[i])
					continue;
				assert_int_equal(rc, 0);
				entry_verify(d_btr_iter_entry(&it), sizes[s], keys[i]);
				assert_ptr_equal(d_btr_iter_entry(&it), d_btr_lookup(&t, &keys[i]));
				rc = d_btr_iter_next(&it);
			}
			d_btr_fini(&t, NULL, NULL);
		}
	}
	d_free(gone);
	d_free(order);
	d_free(keys);
	TEST_ALLOC_CHECK();
}

/* --- an interval index: extents sorted by (lo, epoch), aug = hi --- */

struct ext {
	uint64_t lo; /* first index */
	uint64_t hi; /* last index, inclusive */
	uint64_t epoch;
};

static int
ext_cmp(const void *key, const void *entry)
{
	const struct ext *a = key;
	const struct ext *b = entry;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->epoch > b->epoch) - (a->epoch < b->epoch);
}

static int
ext_cmp_sort(const void *a, const void *b)
{
	return ext_cmp(a, b);
}

static uint64_t
ext_aug(const void *entry)
{
	return ((const struct ext *)entry)->hi;
}

static const struct d_btr_ops ext_ops = {
	.entry_size = sizeof(struct ext),
	.cmp = ext_cmp,
	.cmp_entry = ext_cmp,
	.aug = ext_aug,
};

/* Eight per leaf: a leaf below two entries merges, so deletes merge leaves as well. */
static const struct d_btr_ops ext_small_ops = {
	.entry_size = sizeof(struct ext),
	.leaf_max = 8,
	.cmp = ext_cmp,
	.cmp_entry = ext_cmp,
	.aug = ext_aug,
};

#define EXT_SPACE 100000
#define EXT_LEN_MAX 2000

/* Every extent overlapping [a, b], through next_aug, compared with a scan of @ref. */
static void
ext_query_check(const struct d_btr *t, const struct ext *ref, const bool *gone, size_t n,
		uint64_t a, uint64_t b)
{
	struct d_btr_iter it;
	const struct ext *e;
	size_t i = 0;
	int rc;

	rc = d_btr_iter_seek(&it, t, D_BTR_SEEK_FIRST, NULL);
	if (rc == 0)
		rc = d_btr_iter_next_aug(&it, a);
	while (rc == 0) {
		e = d_btr_iter_entry(&it);
		assert_true(e->hi >= a);
		if (e->lo > b)
			break;
		/* The reference's next overlapping extent is this one. */
		while (i < n && (gone[i] || ref[i].hi < a))
			i++;
		assert_true(i < n);
		assert_int_equal(ext_cmp(&ref[i], e), 0);
		assert_int_equal(ref[i].hi, e->hi);
		i++;
		rc = d_btr_iter_next(&it);
		if (rc == 0)
			rc = d_btr_iter_next_aug(&it, a);
	}
	while (i < n && (gone[i] || ref[i].hi < a))
		i++;
	assert_true(i == n || ref[i].lo > b);
}

static void
ext_queries(const struct d_btr *t, const struct ext *ref, const bool *gone, size_t n)
{
	uint64_t a;
	int q;

	assert_int_equal(d_btr_check(t), 0);
	for (q = 0; q < 200; q++) {
		a = rnd_below(EXT_SPACE + EXT_LEN_MAX);
		ext_query_check(t, ref, gone, n, a, a + rnd_below(q < 100 ? 50 : 5000));
	}
	ext_query_check(t, ref, gone, n, 0, UINT64_MAX);
	ext_query_check(t, ref, gone, n, UINT64_MAX, UINT64_MAX);
}

static void
interval_index(const struct d_btr_ops *ops, size_t n)
{
	TEST_ALLOC_MARK();
	struct ext *ref = d_calloc(n, sizeof(*ref));
	bool *gone = d_calloc(n, sizeof(*gone));
	struct d_btr t;
	struct ext *e;
	struct ext x;
	size_t nr = 0;
	size_t i;
	size_t j;
	int rc;

	assert_non_null(ref);
	assert_non_null(gone);
	d_btr_init(&t, ops);
	for (i = 0; i < n; i++) {
		x.lo = rnd_below(EXT_SPACE);
		/* Mostly short extents, a few long ones that the maxima must carry. */
		x.hi = x.lo + rnd_below(i % 50 == 0 ? EXT_LEN_MAX : 20);
		x.epoch = rnd_below(1000);
		rc = d_btr_insert(&t, &x, &x, NULL);
		if (rc == -DER_EXIST)
			continue;
		assert_int_equal(rc, 0);
		ref[nr++] = x;
	}
	qsort(ref, nr, sizeof(*ref), ext_cmp_sort);
	ext_queries(&t, ref, gone, nr);

	/* Delete a third, long extents included. */
	for (i = 0; i < nr / 3; i++) {
		j = rnd_below(nr);
		if (gone[j])
			continue;
		assert_int_equal(d_btr_delete(&t, &ref[j], &x), 0);
		assert_int_equal(x.hi, ref[j].hi);
		gone[j] = true;
	}
	ext_queries(&t, ref, gone, nr);

	/* Grow and shrink extents in place. */
	for (i = 0; i < nr / 4; i++) {
		j = rnd_below(nr);
		if (gone[j]) {
			assert_int_equal(d_btr_update_aug(&t, &ref[j]), -DER_NONEXIST);
			continue;
		}
		e = d_btr_lookup(&t, &ref[j]);
		assert_non_null(e);
		e->hi = e->lo + rnd_below(i % 10 == 0 ? 4 * EXT_LEN_MAX : 10);
		ref[j].hi = e->hi;
		assert_int_equal(d_btr_update_aug(&t, &ref[j]), 0);
		if (i % 64 == 0)
			assert_int_equal(d_btr_check(&t), 0);
	}
	ext_queries(&t, ref, gone, nr);

	/* Down to a tenth: nodes merge and borrow, and their maxima must follow. */
	for (i = 0; i < nr; i++) {
		j = rnd_below(nr);
		if (gone[j] || d_btr_count(&t) <= nr / 10)
			continue;
		assert_int_equal(d_btr_delete(&t, &ref[j], NULL), 0);
		gone[j] = true;
	}
	for (i = 0; i < nr && d_btr_count(&t) > nr / 10; i++) {
		if (gone[i])
			continue;
		assert_int_equal(d_btr_delete(&t, &ref[i], NULL), 0);
		gone[i] = true;
	}
	ext_queries(&t, ref, gone, nr);

	d_btr_fini(&t, NULL, NULL);
	d_free(gone);
	d_free(ref);
	TEST_ALLOC_CHECK();
}

static void
interval_queries(void **state)
{
	(void)state;
	interval_index(&ext_small_ops, 20);
	interval_index(&ext_small_ops, 3000);
	interval_index(&ext_ops, 1);
	interval_index(&ext_ops, 30000);
}

/*
 * Grow to 80% of @n entries and shrink to 15%, several times, with random inserts and
 * deletes mixed, checking every invariant after every operation: every split, merge, borrow and
 * shrink path runs, with aug values ranging widely so that moved records move maxima.
 */
static void
churn(const struct d_btr_ops *ops, size_t n, int rounds)
{
	TEST_ALLOC_MARK();
	struct ext *ref = d_calloc(n, sizeof(*ref));
	bool *in = d_calloc(n, sizeof(*in));
	struct d_btr t;
	struct ext x;
	size_t nr = 0;
	size_t j;
	bool grow;
	int round;
	int rc;

	assert_non_null(ref);
	assert_non_null(in);
	/* Extent j starts at j: keys are distinct and map back to their slot. */
	for (j = 0; j < n; j++) {
		ref[j].lo = j;
		ref[j].epoch = 1;
	}
	d_btr_init(&t, ops);
	for (round = 0; round < 2 * rounds; round++) {
		grow = round % 2 == 0;
		while (grow ? nr < n * 8 / 10 : nr > n * 15 / 100) {
			j = rnd_below(n);
			/* Nine tries towards the phase's goal (90% or 10% full) for one back. */
			if (grow == (rnd_below(10) == 0)) {
				if (!in[j])
					continue;
				x = ref[j];
				assert_int_equal(d_btr_delete(&t, &x, NULL), 0);
				in[j] = false;
				nr--;
			} else {
				if (in[j])
					continue;
				ref[j].hi = j + (rnd_below(8) == 0 ? rnd_below(1u << 20)
								   : rnd_below(4));
				rc = d_btr_insert(&t, &ref[j], &ref[j], NULL);
				assert_int_equal(rc, 0);
				in[j] = true;
				nr++;
			}
			assert_int_equal(d_btr_count(&t), nr);
			assert_int_equal(d_btr_check(&t), 0);
		}
	}
	d_btr_fini(&t, NULL, NULL);
	d_free(in);
	d_free(ref);
	TEST_ALLOC_CHECK();
}

static void
churn_rebalance(void **state)
{
	(void)state;
	churn(&ext_small_ops, 600, 4);
	churn(&ext_ops, 3000, 2);
}

/* next_aug from a position in the middle, and an aug-less tree's update_aug. */
static void
next_aug_edges(void **state)
{
	TEST_ALLOC_MARK();
	struct d_btr t = D_BTR_INIT(&ext_small_ops);
	struct d_btr u = D_BTR_INIT(&u64_ops);
	struct d_btr_iter it;
	struct ext x = { 0 };
	uint64_t key = 3;
	uint64_t i;

	(void)state;
	/* hi = 1000 for lo a multiple of 10, else lo. */
	for (i = 0; i < 100; i++) {
		x.lo = i;
		x.hi = i % 10 == 0 ? 1000 : i;
		assert_int_equal(d_btr_insert(&t, &x, &x, NULL), 0);
	}
	x.lo = 41;
	assert_int_equal(d_btr_iter_seek(&it, &t, D_BTR_SEEK_GE, &x), 0);
	assert_int_equal(d_btr_iter_next_aug(&it, 500), 0);
	assert_int_equal(((struct ext *)d_btr_iter_entry(&it))->lo, 50);
	assert_int_equal(d_btr_iter_next_aug(&it, 500), 0); /* inclusive */
	assert_int_equal(((struct ext *)d_btr_iter_entry(&it))->lo, 50);
	x.lo = 91;
	assert_int_equal(d_btr_iter_seek(&it, &t, D_BTR_SEEK_GE, &x), 0);
	assert_int_equal(d_btr_iter_next_aug(&it, 500), -DER_NONEXIST);
	assert_false(it.valid);
	assert_int_equal(d_btr_iter_next_aug(&it, 0), -DER_NONEXIST);
	assert_int_equal(d_btr_iter_seek(&it, &t, D_BTR_SEEK_FIRST, NULL), 0);
	assert_int_equal(d_btr_iter_next_aug(&it, 1001), -DER_NONEXIST);
	d_btr_fini(&t, NULL, NULL);

	assert_int_equal(d_btr_insert(&u, &key, &key, NULL), 0);
	assert_int_equal(d_btr_update_aug(&u, &key), 0);
	d_btr_fini(&u, NULL, NULL);
	TEST_ALLOC_CHECK();
}

/* --- nested trees: an entry embeds a tree, moved by every split and merge --- */

struct outer {
	uint64_t key;
	struct d_btr inner; /* uint64_t values key * 1000 + j */
};

static const struct d_btr_ops outer_ops = {
	.entry_size = sizeof(struct outer),
	.leaf_max = 5,
	.cmp = u64_cmp,
	.cmp_entry = u64_cmp,
};

static void
outer_fini(void *entry, void *arg)
{
	struct outer *o = entry;

	d_btr_fini(&o->inner, NULL, NULL);
	(*(uint64_t *)arg)++;
}

static void
nested_trees(void **state)
{
	TEST_ALLOC_MARK();
	const uint64_t nr_outer = 500;
	const uint64_t nr_ops = 20000;
	struct d_btr t = D_BTR_INIT(&outer_ops);
	uint64_t *counts = keys_new(nr_outer);
	struct d_btr_iter it;
	struct outer o = { 0 };
	struct outer *found;
	uint64_t nr_fini = 0;
	uint64_t val;
	uint64_t i;
	uint64_t j;
	int rc;

	(void)state;
	/* Interleave: outer entries appear (splitting leaves) while inner trees grow. */
	for (i = 0; i < nr_ops; i++) {
		o.key = rnd_below(nr_outer);
		d_btr_init(&o.inner, &u64_ops);
		rc = d_btr_insert(&t, &o.key, &o, (void **)&found);
		assert_true(rc == 0 || rc == -DER_EXIST);
		val = o.key * 1000 + counts[o.key];
		assert_int_equal(d_btr_insert(&found->inner, &val, &val, NULL), 0);
		counts[o.key]++;
	}
	assert_int_equal(d_btr_check(&t), 0);
	/* Drop a third of the outer entries, freeing their trees from the removed copy. */
	for (i = 0; i < nr_outer; i += 3) {
		if (counts[i] == 0)
			continue;
		assert_int_equal(d_btr_delete(&t, &i, &o), 0);
		assert_int_equal(d_btr_count(&o.inner), counts[i]);
		d_btr_fini(&o.inner, NULL, NULL);
		counts[i] = 0;
	}
	assert_int_equal(d_btr_check(&t), 0);
	rc = d_btr_iter_seek(&it, &t, D_BTR_SEEK_FIRST, NULL);
	for (i = 0; i < nr_outer; i++) {
		if (counts[i] == 0)
			continue;
		assert_int_equal(rc, 0);
		found = d_btr_iter_entry(&it);
		assert_int_equal(found->key, i);
		assert_int_equal(d_btr_count(&found->inner), counts[i]);
		assert_int_equal(d_btr_check(&found->inner), 0);
		for (j = 0; j < counts[i]; j++) {
			val = i * 1000 + j;
			assert_non_null(d_btr_lookup(&found->inner, &val));
		}
		rc = d_btr_iter_next(&it);
	}
	assert_int_equal(rc, -DER_NONEXIST);
	val = d_btr_count(&t);
	d_btr_fini(&t, outer_fini, &nr_fini);
	assert_int_equal(nr_fini, val);
	assert_true(d_btr_is_empty(&t));
	d_free(counts);
	TEST_ALLOC_CHECK();
}

/* --- allocation failures --- */

/* 200-byte entries, 4 per leaf: internal nodes have the minimum fanout of 16. */
struct big {
	uint64_t key;
	unsigned char pad[192];
};

static const struct d_btr_ops big_ops = {
	.entry_size = sizeof(struct big),
	.leaf_max = 4,
	.cmp = u64_cmp,
	.cmp_entry = u64_cmp,
};

/*
 * Every insert is tried with allocation 1, 2, ... failing until it makes fewer calls:
 * each failure must leave the tree as it was (entries, memory, blocks). A failure after
 * the insert has committed (trimming a split node) is absorbed: the insert succeeds.
 */
static void
alloc_fail_insert(void **state)
{
	TEST_ALLOC_MARK();
	const size_t n = TEST_SANITIZED ? 1500 : 4000;
	struct d_btr t = D_BTR_INIT(&big_ops);
	uint64_t *keys = keys_odd(n);
	uint64_t live;
	uint64_t mem;
	uint64_t k;
	uint64_t pending;
	uint64_t nr_failed = 0;
	uint64_t nr_absorbed = 0;
	uint64_t most = 0;
	struct big e = { 0 };
	size_t i;
	int rc;

	(void)state;
	shuffle(keys, n);
	for (i = 0; i < n; i++) {
		e.key = keys[i];
		for (k = 1;; k++) {
			live = d_alloc_nr_live();
			mem = d_btr_mem(&t);
			d_alloc_fail_nth(k);
			rc = d_btr_insert(&t, &e, &e, NULL);
			pending = d_alloc_fail_pending();
			d_alloc_fail_nth(0);
			if (pending != 0 || rc == 0)
				break;
			assert_int_equal(rc, -DER_NOMEM);
			assert_int_equal(d_btr_count(&t), i);
			assert_null(d_btr_lookup(&t, &e));
			assert_int_equal(d_alloc_nr_live(), live);
			assert_int_equal(d_btr_mem(&t), mem);
			if (i % 64 == 0)
				assert_int_equal(d_btr_check(&t), 0);
			nr_failed++;
		}
		assert_int_equal(rc, 0);
		if (pending == 0)
			nr_absorbed++;
		if (k - 1 > most)
			most = k - 1;
		assert_non_null(d_btr_lookup(&t, &e));
	}
	assert_int_equal(d_btr_check(&t), 0);
	/* A root split at depth 3 fails at its 4 allocations before succeeding. */
	assert_true(t.depth >= 4);
	assert_true(most >= 4);
	print_message("btree: %zu inserts, depth %u: %" PRIu64 " failed, %" PRIu64
		      " absorbed, at most %" PRIu64 " failures in one insert\n",
		      n, t.depth, nr_failed, nr_absorbed, most);

	/* Deletes never fail; failed reallocs leave a valid tree. */
	shuffle(keys, n);
	for (i = 0; i < n; i++) {
		e.key = keys[i];
		for (k = 1;; k++) {
			d_alloc_fail_nth(k);
			rc = d_btr_delete(&t, &e, NULL);
			pending = d_alloc_fail_pending();
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			assert_int_equal(d_btr_count(&t), n - i - 1);
			if (i % 64 == 0)
				assert_int_equal(d_btr_check(&t), 0);
			if (pending != 0)
				break;
			assert_int_equal(d_btr_insert(&t, &e, &e, NULL), 0);
		}
	}
	assert_true(d_btr_is_empty(&t));
	d_btr_fini(&t, NULL, NULL);
	d_free(keys);
	TEST_ALLOC_CHECK();
}

/* --- memory and speed --- */

struct e16 {
	uint64_t key;
	uint64_t val;
};

static const struct d_btr_ops e16_ops = {
	.entry_size = sizeof(struct e16),
	.cmp = u64_cmp,
	.cmp_entry = u64_cmp,
};

static void
memory_per_entry(void **state)
{
	TEST_ALLOC_MARK();
	const size_t n = BIG_N;
	struct d_btr t = D_BTR_INIT(&e16_ops);
	uint64_t *keys = keys_odd(n);
	uint64_t bytes0;
	struct e16 e = { 0 };
	double random_bpe;
	double seq_bpe;
	double del_bpe;
	size_t i;

	(void)state;
	/* One entry: one leaf of capacity one. */
	e.key = 7;
	bytes0 = d_alloc_bytes_live();
	assert_int_equal(d_btr_insert(&t, &e, &e, NULL), 0);
	print_message("btree: a tree of 1 16-byte entry holds %" PRIu64 " bytes (+%zu of struct)\n",
		      d_btr_mem(&t), sizeof(t));
	assert_int_equal(d_btr_mem(&t), d_alloc_bytes_live() - bytes0);
	assert_true(d_btr_mem(&t) <= 64);
	d_btr_fini(&t, NULL, NULL);

	shuffle(keys, n);
	for (i = 0; i < n; i++) {
		e.key = keys[i];
		assert_int_equal(d_btr_insert(&t, &e, &e, NULL), 0);
	}
	assert_int_equal(d_btr_mem(&t), d_alloc_bytes_live() - bytes0);
	random_bpe = (double)d_btr_mem(&t) / (double)n;
	/* Delete 90% at random: merges and shrinking keep memory bounded. */
	for (i = 0; i < n - n / 10; i++) {
		e.key = keys[i];
		assert_int_equal(d_btr_delete(&t, &e, NULL), 0);
	}
	assert_int_equal(d_btr_check(&t), 0);
	del_bpe = (double)d_btr_mem(&t) / (double)d_btr_count(&t);
	d_btr_fini(&t, NULL, NULL);

	for (i = 0; i < n; i++) {
		e.key = i;
		assert_int_equal(d_btr_insert(&t, &e, &e, NULL), 0);
	}
	seq_bpe = (double)d_btr_mem(&t) / (double)n;
	d_btr_fini(&t, NULL, NULL);

	print_message("btree: 16-byte entries: %.1f bytes/entry for %zu random inserts, %.1f "
		      "ascending, %.1f after deleting 90%% at random\n",
		      random_bpe, n, seq_bpe, del_bpe);
	assert_true(random_bpe < 24.0);
	assert_true(seq_bpe < 20.0);
	assert_true(del_bpe < 64.0);
	d_free(keys);
	TEST_ALLOC_CHECK();
}

static void
lookup_speed(void **state)
{
	TEST_ALLOC_MARK();
	const size_t n = BIG_N;
	struct d_btr t = D_BTR_INIT(&u64_ops);
	uint64_t *keys = keys_new(n);
	uint64_t sum = 0;
	uint64_t *v;
	double t0;
	double t_insert;
	double t_lookup;
	double t_iter;
	struct d_btr_iter it;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < n; i++)
		keys[i] = rnd();
	t0 = now();
	for (i = 0; i < n; i++)
		assert_int_equal(d_btr_insert(&t, &keys[i], &keys[i], NULL), 0);
	t_insert = now() - t0;
	shuffle(keys, n);
	t0 = now();
	for (i = 0; i < n; i++) {
		v = d_btr_lookup(&t, &keys[i]);
		sum += *v;
	}
	t_lookup = now() - t0;
	t0 = now();
	for (rc = d_btr_iter_seek(&it, &t, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it))
		sum -= *(uint64_t *)d_btr_iter_entry(&it);
	t_iter = now() - t0;
	assert_int_equal(sum, 0);
	print_message("btree: %zu uint64 keys, depth %u: %.2f M inserts/s, %.2f M lookups/s, "
		      "%.1f M entries/s iterated%s\n",
		      n, t.depth, n / t_insert / 1e6, n / t_lookup / 1e6, n / t_iter / 1e6,
		      TEST_SANITIZED ? " (sanitized build)" : "");
	d_btr_fini(&t, NULL, NULL);
	d_free(keys);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_tree),       cmocka_unit_test(random_small_sizes),
		cmocka_unit_test(random_million),   cmocka_unit_test(seek_modes),
		cmocka_unit_test(entry_sizes),      cmocka_unit_test(interval_queries),
		cmocka_unit_test(churn_rebalance),  cmocka_unit_test(next_aug_edges),
		cmocka_unit_test(nested_trees),     cmocka_unit_test(alloc_fail_insert),
		cmocka_unit_test(memory_per_entry), cmocka_unit_test(lookup_speed),
	};
	const char *seed = getenv("BTREE_TEST_SEED");

	rng_state = seed != NULL ? strtoull(seed, NULL, 0) : 20261121;
	print_message("btree: seed %" PRIu64 "\n", rng_state);
	return cmocka_run_group_tests_name("btree", tests, NULL, NULL);
}
