/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_alloc_tests.c - the extent allocator against a reference model (a byte per block
 * and the next-fit rule written out plainly) over 100k random operations, then the
 * properties one at a time: contiguity, sequential streams, running out, fragmentation,
 * deferred frees in LSN order, recovery with mark_used.
 */
#define D_LOGFAC DD_FAC(tests)

#include "bio/bio.h"
#include "common/test.h"

enum { FREE = 0, USED = 1, DEFERRED = 2 };

struct model {
	uint64_t nr;
	uint8_t *state; /* per block */
	uint64_t cursor;
};

static bool
model_run_free(const struct model *m, uint64_t blk, uint64_t n)
{
	uint64_t i;

	if (blk + n > m->nr)
		return false;
	for (i = blk; i < blk + n; i++)
		if (m->state[i] != FREE)
			return false;
	return true;
}

/* The lowest start in [@from, nr) of @n free blocks (the model's own scan). */
static bool
model_find(const struct model *m, uint64_t from, uint64_t n, uint64_t *blk)
{
	uint64_t run = 0;
	uint64_t i;

	for (i = from; i < m->nr; i++) {
		run = m->state[i] == FREE ? run + 1 : 0;
		if (run == n) {
			*blk = i + 1 - n;
			return true;
		}
	}
	return false;
}

/*
 * Next fit: the lowest start at or after the cursor, else the lowest before it (a
 * search from 0 finds one before the cursor, or the first search would have).
 */
static bool
model_reserve(struct model *m, uint64_t n, uint64_t *blk)
{
	uint64_t s;

	if (!model_find(m, m->cursor, n, &s) && !model_find(m, 0, n, &s))
		return false;
	memset(m->state + s, USED, n);
	m->cursor = s + n == m->nr ? 0 : s + n;
	*blk = s;
	return true;
}

static void
model_stat(const struct model *m, struct bio_alloc_stat *st)
{
	uint64_t run = 0;
	uint64_t i;

	memset(st, 0, sizeof(*st));
	st->total = m->nr;
	for (i = 0; i < m->nr; i++) {
		if (m->state[i] == FREE) {
			st->free++;
			run++;
			st->largest = D_MAX(st->largest, run);
		} else {
			run = 0;
			st->deferred += m->state[i] == DEFERRED;
		}
	}
}

struct extent {
	uint64_t blk;
	uint64_t nr;
	uint64_t lsn; /* deferred ones */
};

static void
check_stat(const struct bio_alloc *a, const struct model *m)
{
	struct bio_alloc_stat got;
	struct bio_alloc_stat want;

	bio_alloc_stat(a, &got);
	model_stat(m, &want);
	assert_int_equal(got.total, want.total);
	assert_int_equal(got.free, want.free);
	assert_int_equal(got.deferred, want.deferred);
	assert_int_equal(got.largest, want.largest);
}

/*
 * 100k random reserve / cancel / free_deferred / durable / mark_used; every reserve
 * must return exactly the model's block, every failure must be the model's too.
 */
static void
against_model(void **state)
{
	TEST_ALLOC_MARK();
	const uint64_t nr_blocks = 5000; /* not a multiple of 64: the tail word is partial */
	struct extent *used = d_calloc(nr_blocks, sizeof(*used));
	struct extent *deferred = d_calloc(nr_blocks, sizeof(*deferred));
	struct model m = { .nr = nr_blocks, .state = d_calloc(1, nr_blocks) };
	unsigned int nr_used = 0;
	unsigned int nr_deferred = 0;
	unsigned int seed = 4242;
	uint64_t lsn = 10;
	uint64_t durable = 0;
	struct bio_alloc *a;
	struct extent e;
	uint64_t blk;
	unsigned int i;
	unsigned int j;
	int op;
	int rc;

	(void)state;
	assert_non_null(used);
	assert_non_null(deferred);
	assert_non_null(m.state);
	assert_int_equal(bio_alloc_create(nr_blocks, &a), 0);

	for (i = 0; i < 100000; i++) {
		op = rand_r(&seed) % 100;
		if (op < 45) {
			/* mostly small, some large; large ones fail as space fills */
			uint64_t n = rand_r(&seed) % 10 ? rand_r(&seed) % 16 + 1
							: rand_r(&seed) % 300 + 1;
			bool ok = model_reserve(&m, n, &e.blk);

			rc = bio_alloc_reserve(a, n, &blk);
			assert_int_equal(rc, ok ? 0 : -DER_NOSPACE);
			if (ok) {
				assert_int_equal(blk, e.blk);
				used[nr_used].blk = blk;
				used[nr_used++].nr = n;
			}
		} else if (op < 60 && nr_used > 0) {
			j = rand_r(&seed) % nr_used;
			bio_alloc_cancel(a, used[j].blk, used[j].nr);
			memset(m.state + used[j].blk, FREE, used[j].nr);
			used[j] = used[--nr_used];
		} else if (op < 85 && nr_used > 0) {
			/* LSNs mostly increase, sometimes a little out of order */
			j = rand_r(&seed) % nr_used;
			e = used[j];
			e.lsn = lsn + (rand_r(&seed) % 4) - 2;
			lsn++;
			assert_int_equal(bio_alloc_free_deferred(a, e.blk, e.nr, e.lsn), 0);
			memset(m.state + e.blk, DEFERRED, e.nr);
			deferred[nr_deferred++] = e;
			used[j] = used[--nr_used];
		} else if (op < 95) {
			durable += rand_r(&seed) % 8;
			bio_alloc_durable(a, durable);
			for (j = 0; j < nr_deferred;) {
				if (deferred[j].lsn <= durable) {
					memset(m.state + deferred[j].blk, FREE, deferred[j].nr);
					deferred[j] = deferred[--nr_deferred];
				} else {
					j++;
				}
			}
		} else {
			/* recovery claims a random range: allowed iff all free */
			e.blk = rand_r(&seed) % nr_blocks;
			e.nr = rand_r(&seed) % 8 + 1;
			rc = bio_alloc_mark_used(a, e.blk, e.nr);
			if (model_run_free(&m, e.blk, e.nr)) {
				assert_int_equal(rc, 0);
				memset(m.state + e.blk, USED, e.nr);
				used[nr_used++] = e;
			} else {
				assert_int_equal(rc, -DER_INVAL);
			}
		}
		if (i % 97 == 0)
			check_stat(a, &m);
	}
	check_stat(a, &m);
	bio_alloc_destroy(a);
	d_free(m.state);
	d_free(deferred);
	d_free(used);
	TEST_ALLOC_CHECK();
}

/* Reservations are contiguous and next-fit: a stream is laid out in order. */
static void
sequential_and_contiguous(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_alloc_stat st;
	struct bio_alloc *a;
	uint64_t blk;
	uint64_t prev;
	uint64_t i;

	(void)state;
	assert_int_equal(bio_alloc_create(1 << 20, &a), 0);
	assert_int_equal(bio_alloc_reserve(a, 0, &blk), -DER_INVAL);
	prev = 0;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(bio_alloc_reserve(a, 37, &blk), 0);
		assert_int_equal(blk, prev);
		prev += 37;
	}
	/* Freeing behind the cursor does not pull the next reservation back. */
	bio_alloc_cancel(a, 0, 37 * 10);
	assert_int_equal(bio_alloc_reserve(a, 5, &blk), 0);
	assert_int_equal(blk, 37000);
	/* A run larger than a word, then one spanning many summary groups */
	assert_int_equal(bio_alloc_reserve(a, 100, &blk), 0);
	assert_int_equal(blk, 37005);
	assert_int_equal(bio_alloc_reserve(a, 500000, &blk), 0);
	assert_int_equal(blk, 37105);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.total, 1 << 20);
	assert_int_equal(st.free, (1 << 20) - 37000 + 370 - 5 - 100 - 500000);
	assert_int_equal(st.largest, (1 << 20) - 537105);
	/* What is left at the end is too small: wrap to the freed space at the start */
	assert_int_equal(bio_alloc_reserve(a, 600000, &blk), -DER_NOSPACE);
	assert_int_equal(bio_alloc_reserve(a, 370, &blk), 0);
	assert_int_equal(blk, 537105);
	assert_int_equal(bio_alloc_reserve(a, (1 << 20) - 537475, &blk), 0);
	assert_int_equal(bio_alloc_reserve(a, 370, &blk), 0);
	assert_int_equal(blk, 0);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.largest, 0);
	assert_int_equal(bio_alloc_reserve(a, 1, &blk), -DER_NOSPACE);
	bio_alloc_destroy(a);
	TEST_ALLOC_CHECK();
}

/* Free every other block: plenty of space, none of it contiguous. */
static void
fragmentation(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_alloc_stat st;
	struct bio_alloc *a;
	uint64_t blk;
	uint64_t i;

	(void)state;
	assert_int_equal(bio_alloc_create(1000, &a), 0);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(bio_alloc_reserve(a, 1, &blk), 0);
		assert_int_equal(blk, i);
	}
	assert_int_equal(bio_alloc_reserve(a, 1, &blk), -DER_NOSPACE);
	for (i = 0; i < 1000; i += 2)
		bio_alloc_cancel(a, i, 1);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.free, 500);
	assert_int_equal(st.largest, 1);
	assert_int_equal(bio_alloc_reserve(a, 2, &blk), -DER_NOSPACE);
	bio_alloc_cancel(a, 501, 1);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.largest, 3);
	assert_int_equal(bio_alloc_reserve(a, 3, &blk), 0);
	assert_int_equal(blk, 500);
	bio_alloc_destroy(a);
	TEST_ALLOC_CHECK();
}

/* Deferred frees wait for their LSN; out-of-order LSNs are released in LSN order. */
static void
deferred_frees(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_alloc_stat st;
	struct bio_alloc *a;
	uint64_t blk;
	int i;

	(void)state;
	assert_int_equal(bio_alloc_create(64, &a), 0);
	assert_int_equal(bio_alloc_reserve(a, 64, &blk), 0);
	assert_int_equal(bio_alloc_free_deferred(a, 0, 8, 10), 0);
	assert_int_equal(bio_alloc_free_deferred(a, 8, 8, 30), 0);
	assert_int_equal(bio_alloc_free_deferred(a, 16, 8, 20), 0);
	assert_int_equal(bio_alloc_free_deferred(a, 24, 8, 20), 0);
	assert_int_equal(bio_alloc_free_deferred(a, 64, 1, 20), -DER_INVAL);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.deferred, 32);
	assert_int_equal(bio_alloc_reserve(a, 1, &blk), -DER_NOSPACE);

	bio_alloc_durable(a, 9);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.free, 0);
	bio_alloc_durable(a, 20);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.free, 24);
	assert_int_equal(st.deferred, 8);
	assert_int_equal(st.largest, 16); /* 0-7 and 16-31, with 8-15 still deferred */
	bio_alloc_durable(a, UINT64_MAX);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.free, 32);
	assert_int_equal(st.largest, 32);
	assert_int_equal(st.deferred, 0);

	/* Free space can be freed deferred only if it is in use */
	assert_int_equal(bio_alloc_free_deferred(a, 0, 1, 40), -DER_INVAL);
	/* Many entries: the array grows and compacts */
	for (i = 0; i < 1000; i++) {
		assert_int_equal(bio_alloc_reserve(a, 1, &blk), 0);
		assert_int_equal(bio_alloc_free_deferred(a, blk, 1, 100 + (uint64_t)i), 0);
		if (i % 3 == 0)
			bio_alloc_durable(a, 100 + (uint64_t)i);
	}
	bio_alloc_durable(a, 2000);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.free, 32);
	assert_int_equal(st.deferred, 0);
	bio_alloc_destroy(a);
	TEST_ALLOC_CHECK();
}

/* Recovery marks what the index references; overlaps and bad ranges are refused. */
static void
mark_used(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_alloc_stat st;
	struct bio_alloc *a;
	uint64_t blk;

	(void)state;
	assert_int_equal(bio_alloc_create(200, &a), 0);
	assert_int_equal(bio_alloc_mark_used(a, 10, 90), 0);
	assert_int_equal(bio_alloc_mark_used(a, 99, 2), -DER_INVAL);
	assert_int_equal(bio_alloc_mark_used(a, 190, 11), -DER_INVAL);
	assert_int_equal(bio_alloc_mark_used(a, 200, 1), -DER_INVAL);
	assert_int_equal(bio_alloc_mark_used(a, 5, 0), -DER_INVAL);
	assert_int_equal(bio_alloc_mark_used(a, UINT64_MAX, 2), -DER_INVAL);
	assert_int_equal(bio_alloc_mark_used(a, 150, 50), 0);
	bio_alloc_stat(a, &st);
	assert_int_equal(st.free, 60);
	assert_int_equal(st.largest, 50);
	assert_int_equal(bio_alloc_reserve(a, 11, &blk), 0);
	assert_int_equal(blk, 100);
	assert_int_equal(bio_alloc_reserve(a, 10, &blk), 0);
	assert_int_equal(blk, 111); /* next fit: after the cursor first */
	assert_int_equal(bio_alloc_reserve(a, 10, &blk), 0);
	assert_int_equal(blk, 121);
	assert_int_equal(bio_alloc_reserve(a, 10, &blk), 0);
	assert_int_equal(blk, 131);
	assert_int_equal(bio_alloc_reserve(a, 10, &blk), 0);
	assert_int_equal(blk, 0); /* nothing left after it: wrap */
	bio_alloc_destroy(a);
	assert_int_equal(bio_alloc_create(0, &a), -DER_INVAL);
	TEST_ALLOC_CHECK();
}

/* A large allocator stays fast: 256 Mi blocks (1 TiB of data), many reservations. */
static void
large(void **state)
{
	TEST_ALLOC_MARK();
	const uint64_t nr = 1ull << 28;
	struct bio_alloc_stat st;
	struct bio_alloc *a;
	uint64_t blk;
	uint64_t i;

	(void)state;
	assert_int_equal(bio_alloc_create(nr, &a), 0);
	assert_int_equal(bio_alloc_mark_used(a, 0, nr / 2), 0);
	assert_int_equal(bio_alloc_mark_used(a, nr / 2 + 1000, nr / 2 - 1000), 0);
	/* the only free run sits in the middle, behind 2^27 used blocks, and the cursor
	 * ends up behind it each time, so each search crosses the whole map */
	for (i = 0; i < 1000; i++) {
		assert_int_equal(bio_alloc_reserve(a, 1, &blk), 0);
		assert_int_equal(blk, nr / 2);
		bio_alloc_cancel(a, blk, 1);
		assert_int_equal(bio_alloc_reserve(a, 1000, &blk), 0);
		assert_int_equal(blk, nr / 2);
		bio_alloc_cancel(a, blk, 1000);
	}
	bio_alloc_stat(a, &st);
	assert_int_equal(st.largest, 1000);
	bio_alloc_destroy(a);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(against_model), cmocka_unit_test(sequential_and_contiguous),
		cmocka_unit_test(fragmentation), cmocka_unit_test(deferred_frees),
		cmocka_unit_test(mark_used),     cmocka_unit_test(large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
