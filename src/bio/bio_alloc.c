/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_alloc.c - the extent allocator of a data blob: runs of BIO_BLOCK_SIZE blocks.
 *
 * State is a bitmap, one bit per block (set: used), in 64-bit words, and two summary
 * bitmaps with one bit per word: "full" (the word is all ones) and "empty" (all
 * zeros). Bits past the last block are set for good, so they are never handed out.
 * Finding a run of n free blocks walks words in order, carrying the free run that ends
 * at the top of the previous word: a word extends the run by its trailing free bits,
 * may hold a run of n < 64 inside it (found with shift-and: after v &= v >> k steps
 * that add up to n - 1, a set bit marks where n free bits start), and starts a new run
 * with its leading free bits. Full words are skipped 64 at a time through the "full"
 * summary while no run is open, empty words likewise through "empty" while one is. The
 * result is exact: the lowest start in the range searched, which the reference model
 * of the tests checks.
 *
 * Next fit: a cursor follows the end of the last reservation; a reservation takes the
 * lowest run starting at or after the cursor, else the lowest one before it. So a
 * stream of reservations is laid out sequentially and the space behind recently freed
 * extents is not reused at once.
 *
 * Deferred frees: blocks freed by an update stay used until the log record of that
 * update is durable; they are kept in an array sorted by LSN (appends are the common
 * case; an out-of-order LSN is inserted by moving the tail) and released from its head
 * by bio_alloc_durable(). Nothing is persisted: VOS rebuilds the map at start-up with
 * bio_alloc_mark_used().
 *
 * Threads: an allocator belongs to one thread; nothing locks.
 */
#define D_LOGFAC DD_FAC(bio)

#include "bio/bio_int.h"

#define WORD_BITS 64u

struct alloc_deferred {
	uint64_t lsn; /* the log record that must be durable first */
	uint64_t blk; /* first block */
	uint64_t nr;  /* blocks */
};

struct bio_alloc {
	uint64_t nr_blocks;              /* blocks managed */
	uint64_t nr_words;               /* words of map[] */
	uint64_t *map;                   /* bit per block, set: used */
	uint64_t *full;                  /* bit per map word, set: word all ones */
	uint64_t *empty;                 /* bit per map word, set: word all zeros */
	uint64_t nr_free;                /* clear bits below nr_blocks */
	uint64_t nr_deferred;            /* blocks in deferred[] */
	uint64_t cursor;                 /* next fit starts here */
	struct alloc_deferred *deferred; /* entries [def_head, def_head + def_nr) by lsn */
	size_t def_head;                 /* first live entry */
	size_t def_nr;                   /* live entries */
	size_t def_cap;                  /* allocated entries */
};

static inline void
bit_assign(uint64_t *bits, uint64_t i, bool set)
{
	if (set)
		bits[i / WORD_BITS] |= 1ull << (i % WORD_BITS);
	else
		bits[i / WORD_BITS] &= ~(1ull << (i % WORD_BITS));
}

/* Bring the summaries of word @i up to date. */
static inline void
word_summarize(struct bio_alloc *a, uint64_t i)
{
	bit_assign(a->full, i, a->map[i] == ~0ull);
	bit_assign(a->empty, i, a->map[i] == 0);
}

/* The bits of [@lo, @hi) within one word, 0 <= lo <= hi <= 64. */
static inline uint64_t
bits_between(unsigned int lo, unsigned int hi)
{
	uint64_t upto = hi == WORD_BITS ? ~0ull : (1ull << hi) - 1;

	return upto & ~((1ull << lo) - 1);
}

/* Set (@used) or clear the bits of blocks [@blk, @blk + @nr). */
static void
range_assign(struct bio_alloc *a, uint64_t blk, uint64_t nr, bool used)
{
	uint64_t end = blk + nr;
	uint64_t i;
	uint64_t mask;
	unsigned int lo;
	unsigned int hi;

	for (i = blk / WORD_BITS; blk < end; i++) {
		lo = (unsigned int)(blk % WORD_BITS);
		hi = end - i * WORD_BITS >= WORD_BITS ? WORD_BITS
						      : (unsigned int)(end - i * WORD_BITS);
		mask = bits_between(lo, hi);
		if (used)
			a->map[i] |= mask;
		else
			a->map[i] &= ~mask;
		word_summarize(a, i);
		blk = (i + 1) * WORD_BITS;
	}
}

/* True if every block of [@blk, @blk + @nr) is used (@used) or free (!@used). */
static bool
range_is(const struct bio_alloc *a, uint64_t blk, uint64_t nr, bool used)
{
	uint64_t end = blk + nr;
	uint64_t i;
	uint64_t mask;
	unsigned int lo;
	unsigned int hi;

	for (i = blk / WORD_BITS; blk < end; i++) {
		lo = (unsigned int)(blk % WORD_BITS);
		hi = end - i * WORD_BITS >= WORD_BITS ? WORD_BITS
						      : (unsigned int)(end - i * WORD_BITS);
		mask = bits_between(lo, hi);
		if ((a->map[i] & mask) != (used ? mask : 0))
			return false;
		blk = (i + 1) * WORD_BITS;
	}
	return true;
}

static bool
range_is_valid(const struct bio_alloc *a, uint64_t blk, uint64_t nr)
{
	return nr > 0 && blk < a->nr_blocks && nr <= a->nr_blocks - blk;
}

/* The first word >= @i whose bit in @summary is clear, or a value > @last. */
static uint64_t
summary_next_clear(const uint64_t *summary, uint64_t i, uint64_t last)
{
	uint64_t w;

	while (i <= last) {
		w = ~summary[i / WORD_BITS] >> (i % WORD_BITS);
		if (w != 0)
			return i + (uint64_t)__builtin_ctzll(w);
		i = (i / WORD_BITS + 1) * WORD_BITS;
	}
	return i;
}

/* Bits where a run of @n (1..63) set bits of @f starts. */
static uint64_t
run_starts(uint64_t f, uint64_t n)
{
	uint64_t len = 1;

	while (len * 2 <= n) {
		f &= f >> len;
		len *= 2;
	}
	if (len < n)
		f &= f >> (n - len);
	return f;
}

/*
 * The lowest @blk with [@blk, @blk + @n) free and inside [@start, @end). Blocks outside
 * the range count as used.
 */
static bool
find_run(const struct bio_alloc *a, uint64_t start, uint64_t end, uint64_t n, uint64_t *blk)
{
	uint64_t first = start / WORD_BITS;
	uint64_t last = (end - 1) / WORD_BITS;
	uint64_t run_start = 0;
	uint64_t run_len = 0;
	uint64_t i = first;
	uint64_t count;
	uint64_t w;
	uint64_t v;
	unsigned int tz;
	unsigned int lz;

	if (start >= end || end - start < n)
		return false;
	while (i <= last) {
		/* Between the two partial words, skip full words while no run is open. */
		if (run_len == 0 && i > first && i < last)
			i = D_MIN(summary_next_clear(a->full, i, last), last);
		w = a->map[i];
		if (i == first)
			w |= bits_between(0, (unsigned int)(start % WORD_BITS));
		if (i == last && end % WORD_BITS != 0)
			w |= bits_between((unsigned int)(end % WORD_BITS), WORD_BITS);

		if (w == 0) {
			count = 1;
			if (i > first && i < last)
				count = D_MIN(summary_next_clear(a->empty, i, last), last) - i;
			if (count == 0)
				count = 1;
			if (run_len == 0)
				run_start = i * WORD_BITS;
			run_len += count * WORD_BITS;
			if (run_len >= n) {
				*blk = run_start;
				return true;
			}
			i += count;
			continue;
		}

		tz = (unsigned int)__builtin_ctzll(w);
		if (run_len + tz >= n) {
			*blk = run_len > 0 ? run_start : i * WORD_BITS;
			return true;
		}
		if (n < WORD_BITS) {
			v = run_starts(~w, n);
			if (v != 0) {
				*blk = i * WORD_BITS + (uint64_t)__builtin_ctzll(v);
				return true;
			}
		}
		lz = (unsigned int)__builtin_clzll(w);
		run_len = lz;
		run_start = i * WORD_BITS + WORD_BITS - lz;
		i++;
	}
	return false;
}

int
bio_alloc_create(uint64_t nr_blocks, struct bio_alloc **out)
{
	struct bio_alloc *a;
	uint64_t nr_sum;
	unsigned int tail;
	uint64_t i;

	if (nr_blocks == 0 || nr_blocks > UINT64_MAX - WORD_BITS * WORD_BITS)
		return -DER_INVAL;
	a = d_calloc(1, sizeof(*a));
	if (a == NULL)
		return -DER_NOMEM;
	a->nr_blocks = nr_blocks;
	a->nr_words = (nr_blocks + WORD_BITS - 1) / WORD_BITS;
	nr_sum = (a->nr_words + WORD_BITS - 1) / WORD_BITS;
	a->map = d_calloc(a->nr_words, sizeof(uint64_t));
	a->full = d_calloc(nr_sum, sizeof(uint64_t));
	a->empty = d_calloc(nr_sum, sizeof(uint64_t));
	if (a->map == NULL || a->full == NULL || a->empty == NULL) {
		bio_alloc_destroy(a);
		return -DER_NOMEM;
	}
	/* Summary bits past the last word stay clear: neither full nor empty. */
	for (i = 0; i < a->nr_words; i++)
		bit_assign(a->empty, i, true);
	tail = (unsigned int)(nr_blocks % WORD_BITS);
	if (tail != 0) {
		a->map[a->nr_words - 1] = bits_between(tail, WORD_BITS);
		word_summarize(a, a->nr_words - 1);
	}
	a->nr_free = nr_blocks;
	*out = a;
	return 0;
}

void
bio_alloc_destroy(struct bio_alloc *a)
{
	if (a == NULL)
		return;
	d_free(a->deferred);
	d_free(a->empty);
	d_free(a->full);
	d_free(a->map);
	d_free(a);
}

int
bio_alloc_reserve(struct bio_alloc *a, uint64_t nr, uint64_t *blk)
{
	uint64_t found;
	bool ok;

	if (nr == 0)
		return -DER_INVAL;
	if (nr > a->nr_free)
		return -DER_NOSPACE;
	ok = find_run(a, a->cursor, a->nr_blocks, nr, &found);
	/* Runs starting before the cursor may end up to nr - 1 blocks past it. */
	if (!ok && a->cursor > 0)
		ok = find_run(a, 0, D_MIN(a->nr_blocks, a->cursor + nr - 1), nr, &found);
	if (!ok)
		return -DER_NOSPACE;
	range_assign(a, found, nr, true);
	a->nr_free -= nr;
	a->cursor = found + nr == a->nr_blocks ? 0 : found + nr;
	*blk = found;
	return 0;
}

void
bio_alloc_cancel(struct bio_alloc *a, uint64_t blk, uint64_t nr)
{
	D_ASSERTF(range_is_valid(a, blk, nr) && range_is(a, blk, nr, true),
		  "cancel of blocks " DF_U64 "+" DF_U64 " that are not reserved", blk, nr);
	range_assign(a, blk, nr, false);
	a->nr_free += nr;
}

/* Room for one more deferred entry at the end of the array. */
static int
deferred_reserve(struct bio_alloc *a)
{
	struct alloc_deferred *grown;
	size_t cap;

	if (a->def_head + a->def_nr < a->def_cap)
		return 0;
	if (a->def_head > 0) {
		memmove(a->deferred, &a->deferred[a->def_head], a->def_nr * sizeof(*grown));
		a->def_head = 0;
		if (a->def_nr < a->def_cap)
			return 0;
	}
	cap = a->def_cap < 16 ? 16 : a->def_cap * 2;
	grown = d_reallocarray(a->deferred, cap, sizeof(*grown));
	if (grown == NULL)
		return -DER_NOMEM;
	a->deferred = grown;
	a->def_cap = cap;
	return 0;
}

int
bio_alloc_free_deferred(struct bio_alloc *a, uint64_t blk, uint64_t nr, uint64_t lsn)
{
	struct alloc_deferred *d;
	size_t pos;
	int rc;

	if (!range_is_valid(a, blk, nr) || !range_is(a, blk, nr, true))
		return -DER_INVAL;
	rc = deferred_reserve(a);
	if (rc != 0)
		return rc;
	/* Keep LSN order; equal LSNs stay in arrival order. */
	d = &a->deferred[a->def_head];
	pos = a->def_nr;
	while (pos > 0 && d[pos - 1].lsn > lsn)
		pos--;
	memmove(&d[pos + 1], &d[pos], (a->def_nr - pos) * sizeof(*d));
	d[pos].lsn = lsn;
	d[pos].blk = blk;
	d[pos].nr = nr;
	a->def_nr++;
	a->nr_deferred += nr;
	return 0;
}

void
bio_alloc_durable(struct bio_alloc *a, uint64_t lsn)
{
	struct alloc_deferred *d;

	while (a->def_nr > 0) {
		d = &a->deferred[a->def_head];
		if (d->lsn > lsn)
			break;
		range_assign(a, d->blk, d->nr, false);
		a->nr_free += d->nr;
		a->nr_deferred -= d->nr;
		a->def_head++;
		a->def_nr--;
	}
	if (a->def_nr == 0)
		a->def_head = 0;
}

int
bio_alloc_mark_used(struct bio_alloc *a, uint64_t blk, uint64_t nr)
{
	if (!range_is_valid(a, blk, nr) || !range_is(a, blk, nr, false))
		return -DER_INVAL;
	range_assign(a, blk, nr, true);
	a->nr_free -= nr;
	return 0;
}

/* The longest run of clear bits inside @w (which has set bits). */
static unsigned int
word_longest_free(uint64_t w)
{
	uint64_t f = ~w;
	unsigned int len = 0;

	while (f != 0) {
		f &= f << 1;
		len++;
	}
	return len;
}

static uint64_t
largest_free_run(const struct bio_alloc *a)
{
	uint64_t best = 0;
	uint64_t run = 0;
	uint64_t last = a->nr_words - 1;
	uint64_t i = 0;
	uint64_t j;
	uint64_t w;

	while (i <= last) {
		w = a->map[i];
		if (w == 0) {
			j = D_MAX(D_MIN(summary_next_clear(a->empty, i, last), last + 1), i + 1);
			run += (j - i) * WORD_BITS;
			i = j;
			continue;
		}
		if (w == ~0ull) {
			best = D_MAX(best, run);
			run = 0;
			i = D_MAX(D_MIN(summary_next_clear(a->full, i, last), last + 1), i + 1);
			continue;
		}
		run += (uint64_t)__builtin_ctzll(w);
		best = D_MAX(best, run);
		best = D_MAX(best, (uint64_t)word_longest_free(w));
		run = (uint64_t)__builtin_clzll(w);
		i++;
	}
	return D_MAX(best, run);
}

void
bio_alloc_stat(const struct bio_alloc *a, struct bio_alloc_stat *st)
{
	st->total = a->nr_blocks;
	st->free = a->nr_free;
	st->deferred = a->nr_deferred;
	st->largest = largest_free_run(a);
}
