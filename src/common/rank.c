/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rank.c - rank lists and rank ranges (declared in gurt/types.h), and the parser of
 * the rank-set syntax dmg takes for --ranks.
 *
 * A d_rank_list_t is a plain array and a count; functions keep the caller's order
 * unless they say they sort. rl_ranks is NULL or a block from the gurt allocator (it
 * is resized and freed here); it may be NULL only when rl_nr is 0.
 *
 * The rank-set syntax, as dmg prints and reads it:
 *
 *	set    := blank* [ "[" ] blank* [ item ( blank* "," blank* item )* ] blank* [ "]" ] blank*
 *	item   := rank [ blank* "-" blank* rank ]
 *	rank   := digit+	(decimal, at most CRT_NO_RANK - 1)
 *	blank  := " " | "\t"
 *
 * with the brackets both present or both absent. The input is untrusted (a command
 * line, a config file, a message), so the parser reads exactly @len bytes, allocates in
 * proportion to them (ranges are merged before being expanded, and an expansion is
 * limited to D_RANK_LIST_PARSE_MAX ranks) and answers -DER_INVAL to anything else.
 * Output is canonical: ranges sorted and merged, so that printing a parsed set and
 * parsing it again gives the same set, and the same string (fuzz/rank_fuzz.c checks).
 */
#define D_LOGFAC DD_FAC(common)

#include <stdio.h>

#include "common/common_int.h"
#include "common/sort.h"

static int
rank_cmp(const void *a, const void *b)
{
	d_rank_t x = *(const d_rank_t *)a;
	d_rank_t y = *(const d_rank_t *)b;

	return x < y ? -1 : x > y;
}

/* Drop adjacent duplicates from the sorted @ranks; returns the new count. */
static uint32_t
ranks_uniq(d_rank_t *ranks, uint32_t nr)
{
	uint32_t out = 0;
	uint32_t i;

	for (i = 0; i < nr; i++) {
		if (out == 0 || ranks[out - 1] != ranks[i])
			ranks[out++] = ranks[i];
	}
	return out;
}

/*
 * Rank lists.
 */

D_EXPORT d_rank_list_t *
d_rank_list_alloc(uint32_t size)
{
	d_rank_list_t *list;
	uint32_t i;

	list = d_calloc(1, sizeof(*list));
	if (list == NULL)
		return NULL;
	if (size == 0)
		return list;
	list->rl_ranks = d_calloc(size, sizeof(*list->rl_ranks));
	if (list->rl_ranks == NULL) {
		d_free(list);
		return NULL;
	}
	list->rl_nr = size;
	for (i = 0; i < size; i++)
		list->rl_ranks[i] = i;
	return list;
}

D_EXPORT void
d_rank_list_free(d_rank_list_t *rank_list)
{
	if (rank_list == NULL)
		return;
	d_free(rank_list->rl_ranks);
	d_free(rank_list);
}

D_EXPORT int
d_rank_list_resize(d_rank_list_t *ptr, uint32_t size)
{
	d_rank_t *ranks;

	if (ptr == NULL)
		return -DER_INVAL;
	if (size == 0) {
		d_free(ptr->rl_ranks);
		ptr->rl_ranks = NULL;
		ptr->rl_nr = 0;
		return 0;
	}
	ranks = d_reallocarray(ptr->rl_ranks, size, sizeof(*ranks));
	if (ranks == NULL)
		return -DER_NOMEM;
	if (size > ptr->rl_nr)
		memset(ranks + ptr->rl_nr, 0, (size_t)(size - ptr->rl_nr) * sizeof(*ranks));
	ptr->rl_ranks = ranks;
	ptr->rl_nr = size;
	return 0;
}

D_EXPORT int
d_rank_list_copy(d_rank_list_t *dst, d_rank_list_t *src)
{
	int rc;

	if (dst == NULL || src == NULL)
		return -DER_INVAL;
	if (dst == src)
		return 0;
	if (dst->rl_nr != src->rl_nr) {
		rc = d_rank_list_resize(dst, src->rl_nr);
		if (rc != 0)
			return rc;
	}
	if (src->rl_nr != 0)
		memcpy(dst->rl_ranks, src->rl_ranks, (size_t)src->rl_nr * sizeof(d_rank_t));
	return 0;
}

D_EXPORT int
d_rank_list_dup(d_rank_list_t **dst, const d_rank_list_t *src)
{
	d_rank_list_t *list;

	if (dst == NULL)
		return -DER_INVAL;
	if (src == NULL) {
		*dst = NULL;
		return 0;
	}
	list = d_calloc(1, sizeof(*list));
	if (list == NULL)
		return -DER_NOMEM;
	if (src->rl_nr != 0) {
		list->rl_ranks = d_calloc(src->rl_nr, sizeof(*list->rl_ranks));
		if (list->rl_ranks == NULL) {
			d_free(list);
			return -DER_NOMEM;
		}
		memcpy(list->rl_ranks, src->rl_ranks, (size_t)src->rl_nr * sizeof(d_rank_t));
		list->rl_nr = src->rl_nr;
	}
	*dst = list;
	return 0;
}

D_EXPORT void
d_rank_list_sort(d_rank_list_t *rank_list)
{
	if (rank_list == NULL || rank_list->rl_nr < 2)
		return;
	d_sort(rank_list->rl_ranks, rank_list->rl_nr, sizeof(d_rank_t), rank_cmp);
}

D_EXPORT int
d_rank_list_dup_sort_uniq(d_rank_list_t **dst, const d_rank_list_t *src)
{
	d_rank_list_t *list;
	int rc;

	rc = d_rank_list_dup(&list, src);
	if (rc != 0)
		return rc;
	if (list != NULL) {
		d_rank_list_sort(list);
		list->rl_nr = ranks_uniq(list->rl_ranks, list->rl_nr);
	}
	*dst = list;
	return 0;
}

D_EXPORT bool
d_rank_list_find(d_rank_list_t *rank_list, d_rank_t rank, int *idx)
{
	uint32_t i;

	if (rank_list == NULL)
		return false;
	for (i = 0; i < rank_list->rl_nr; i++) {
		if (rank_list->rl_ranks[i] == rank) {
			if (idx != NULL)
				*idx = (int)i;
			return true;
		}
	}
	return false;
}

D_EXPORT bool
d_rank_in_rank_list(d_rank_list_t *rank_list, d_rank_t rank)
{
	return d_rank_list_find(rank_list, rank, NULL);
}

D_EXPORT int
d_idx_in_rank_list(d_rank_list_t *rank_list, d_rank_t rank, uint32_t *idx)
{
	int i;

	if (rank_list == NULL || idx == NULL)
		return -DER_INVAL;
	if (!d_rank_list_find(rank_list, rank, &i))
		return -DER_NONEXIST;
	*idx = (uint32_t)i;
	return 0;
}

D_EXPORT void
d_rank_list_filter(d_rank_list_t *src_set, d_rank_list_t *dst_set, bool exclude)
{
	uint32_t out = 0;
	uint32_t i;

	if (src_set == NULL || dst_set == NULL)
		return;
	for (i = 0; i < dst_set->rl_nr; i++) {
		d_rank_t rank = dst_set->rl_ranks[i];

		/* Keep what is in src_set when including, what is not when excluding. */
		if (d_rank_in_rank_list(src_set, rank) != exclude)
			dst_set->rl_ranks[out++] = rank;
	}
	dst_set->rl_nr = out;
}

D_EXPORT int
d_rank_list_merge(d_rank_list_t *src_set, d_rank_list_t *merge_set)
{
	d_rank_list_t merged;
	uint32_t i;

	if (src_set == NULL)
		return -DER_INVAL;
	if (merge_set == NULL || merge_set->rl_nr == 0)
		return 0;
	if ((uint64_t)src_set->rl_nr + merge_set->rl_nr > UINT32_MAX)
		return -DER_INVAL;

	/* Room for the worst case; the array is not shrunk afterwards. */
	merged.rl_ranks = d_calloc((size_t)src_set->rl_nr + merge_set->rl_nr, sizeof(d_rank_t));
	if (merged.rl_ranks == NULL)
		return -DER_NOMEM;
	merged.rl_nr = src_set->rl_nr;
	if (src_set->rl_nr != 0)
		memcpy(merged.rl_ranks, src_set->rl_ranks,
		       (size_t)src_set->rl_nr * sizeof(d_rank_t));
	for (i = 0; i < merge_set->rl_nr; i++) {
		if (!d_rank_in_rank_list(&merged, merge_set->rl_ranks[i]))
			merged.rl_ranks[merged.rl_nr++] = merge_set->rl_ranks[i];
	}
	d_free(src_set->rl_ranks);
	*src_set = merged;
	return 0;
}

D_EXPORT void
d_rank_list_shuffle(d_rank_list_t *rank_list)
{
	uint32_t i;

	if (rank_list == NULL)
		return;
	/* Fisher-Yates; random() is thread safe in glibc, and quality hardly matters. */
	for (i = rank_list->rl_nr; i > 1; i--) {
		uint32_t j = (uint32_t)((uint64_t)random() % i);
		d_rank_t tmp = rank_list->rl_ranks[i - 1];

		rank_list->rl_ranks[i - 1] = rank_list->rl_ranks[j];
		rank_list->rl_ranks[j] = tmp;
	}
}

D_EXPORT void
d_rank_list_del_at(d_rank_list_t *list, int idx)
{
	D_ASSERTF(idx >= 0 && (uint32_t)idx < list->rl_nr, "index %d out of %u", idx, list->rl_nr);
	memmove(&list->rl_ranks[idx], &list->rl_ranks[idx + 1],
		(size_t)(list->rl_nr - (uint32_t)idx - 1) * sizeof(d_rank_t));
	list->rl_nr--;
	if (list->rl_nr == 0) {
		d_free(list->rl_ranks);
		list->rl_ranks = NULL;
	}
}

D_EXPORT int
d_rank_list_del(d_rank_list_t *rank_list, d_rank_t rank)
{
	int idx;

	if (rank_list == NULL)
		return -DER_INVAL;
	if (d_rank_list_find(rank_list, rank, &idx))
		d_rank_list_del_at(rank_list, idx);
	return 0;
}

D_EXPORT int
d_rank_list_append(d_rank_list_t *rank_list, d_rank_t rank)
{
	uint32_t nr;
	int rc;

	if (rank_list == NULL)
		return -DER_INVAL;
	nr = rank_list->rl_nr;
	if (nr == UINT32_MAX)
		return -DER_INVAL;
	rc = d_rank_list_resize(rank_list, nr + 1);
	if (rc != 0)
		return rc;
	rank_list->rl_ranks[nr] = rank;
	return 0;
}

D_EXPORT bool
d_rank_list_identical(d_rank_list_t *rank_list1, d_rank_list_t *rank_list2)
{
	uint32_t nr;

	if (rank_list1 == rank_list2)
		return true;
	if (rank_list1 == NULL || rank_list2 == NULL)
		return false;
	nr = rank_list1->rl_nr;
	if (nr != rank_list2->rl_nr)
		return false;
	if (nr == 0)
		return true;
	if (memcmp(rank_list1->rl_ranks, rank_list2->rl_ranks, nr * sizeof(d_rank_t)) == 0)
		return true;
	/* Same multiset in another order? Sorting needs no memory, unlike copying. */
	d_rank_list_sort(rank_list1);
	d_rank_list_sort(rank_list2);
	return memcmp(rank_list1->rl_ranks, rank_list2->rl_ranks, nr * sizeof(d_rank_t)) == 0;
}

D_EXPORT int
d_rank_list_dump(d_rank_list_t *rank_list, d_string_t name, int name_len)
{
	char *str;
	int rc;

	if (name == NULL || name_len < 0 || strnlen(name, (size_t)name_len + 1) > (size_t)name_len)
		return -DER_INVAL;
	if (!D_LOG_ENABLED(DB_TRACE))
		return 0;
	rc = d_rank_list_to_str(rank_list, &str);
	if (rc != 0)
		return rc;
	D_DEBUG(DB_TRACE, "%s, %u ranks: %s", name, rank_list == NULL ? 0 : rank_list->rl_nr, str);
	d_free(str);
	return 0;
}

D_EXPORT d_rank_list_t *
uint32_array_to_rank_list(uint32_t *ints, size_t len)
{
	d_rank_list_t *list;

	if (len > UINT32_MAX)
		return NULL;
	list = d_rank_list_alloc((uint32_t)len);
	if (list != NULL && len != 0)
		memcpy(list->rl_ranks, ints, len * sizeof(*ints));
	return list;
}

D_EXPORT int
rank_list_to_uint32_array(d_rank_list_t *rl, uint32_t **ints, size_t *len)
{
	uint32_t *out;

	if (rl == NULL || ints == NULL || len == NULL)
		return -DER_INVAL;
	out = d_calloc(rl->rl_nr, sizeof(*out));
	if (out == NULL)
		return -DER_NOMEM;
	if (rl->rl_nr != 0)
		memcpy(out, rl->rl_ranks, (size_t)rl->rl_nr * sizeof(*out));
	*ints = out;
	*len = rl->rl_nr;
	return 0;
}

/*
 * Rank ranges.
 */

D_EXPORT d_rank_range_list_t *
d_rank_range_list_alloc(uint32_t size)
{
	d_rank_range_list_t *list;

	list = d_calloc(1, sizeof(*list));
	if (list == NULL)
		return NULL;
	if (size == 0)
		return list;
	list->rrl_ranges = d_calloc(size, sizeof(*list->rrl_ranges));
	if (list->rrl_ranges == NULL) {
		d_free(list);
		return NULL;
	}
	list->rrl_nr = size;
	return list;
}

D_EXPORT void
d_rank_range_list_free(d_rank_range_list_t *range_list)
{
	if (range_list == NULL)
		return;
	d_free(range_list->rrl_ranges);
	d_free(range_list);
}

D_EXPORT d_rank_range_list_t *
d_rank_range_list_realloc(d_rank_range_list_t *range_list, uint32_t size)
{
	d_rank_range_t *ranges;
	uint32_t old;

	if (range_list == NULL)
		return d_rank_range_list_alloc(size);
	if (size == 0) {
		d_rank_range_list_free(range_list);
		return NULL;
	}
	old = range_list->rrl_nr;
	ranges = d_reallocarray(range_list->rrl_ranges, size, sizeof(*ranges));
	if (ranges == NULL)
		return NULL;
	if (size > old)
		memset(ranges + old, 0, (size_t)(size - old) * sizeof(*ranges));
	range_list->rrl_ranges = ranges;
	range_list->rrl_nr = size;
	return range_list;
}

D_EXPORT d_rank_range_list_t *
d_rank_range_list_create_from_ranks(d_rank_list_t *rank_list)
{
	d_rank_range_list_t *list;
	d_rank_list_t *sorted;
	uint32_t nr_ranges = 0;
	uint32_t i;

	if (d_rank_list_dup_sort_uniq(&sorted, rank_list) != 0)
		return NULL;
	if (sorted == NULL || sorted->rl_nr == 0) {
		d_rank_list_free(sorted);
		return d_rank_range_list_alloc(0);
	}

	/* A range starts at the first rank and wherever the sequence skips. */
	for (i = 0; i < sorted->rl_nr; i++) {
		if (i == 0 || sorted->rl_ranks[i] != sorted->rl_ranks[i - 1] + 1)
			nr_ranges++;
	}
	list = d_rank_range_list_alloc(nr_ranges);
	if (list == NULL)
		goto out_free_sorted;
	nr_ranges = 0;
	for (i = 0; i < sorted->rl_nr; i++) {
		d_rank_t rank = sorted->rl_ranks[i];

		if (i == 0 || rank != sorted->rl_ranks[i - 1] + 1)
			list->rrl_ranges[nr_ranges++].lo = rank;
		list->rrl_ranges[nr_ranges - 1].hi = rank;
	}

out_free_sorted:
	d_rank_list_free(sorted);
	return list;
}

/* "4294967294-4294967294," */
#define RANGE_STR_MAX 22

D_EXPORT int
d_rank_range_list_str(d_rank_range_list_t *list, char **ranks_str)
{
	size_t size;
	size_t pos = 0;
	uint32_t i;
	char *str;

	if (list == NULL || ranks_str == NULL)
		return -DER_INVAL;
	size = (size_t)list->rrl_nr * RANGE_STR_MAX + sizeof("[]");
	str = d_malloc(size);
	if (str == NULL)
		return -DER_NOMEM;

	str[pos++] = '[';
	for (i = 0; i < list->rrl_nr; i++) {
		const d_rank_range_t *range = &list->rrl_ranges[i];
		const char *sep = i == 0 ? "" : ",";

		if (range->lo == range->hi)
			pos += (size_t)snprintf(str + pos, size - pos, "%s%u", sep, range->lo);
		else
			pos += (size_t)snprintf(str + pos, size - pos, "%s%u-%u", sep, range->lo,
						range->hi);
	}
	str[pos++] = ']';
	str[pos] = '\0';
	*ranks_str = str;
	return 0;
}

D_EXPORT int
d_rank_list_to_str(d_rank_list_t *rank_list, char **rank_str)
{
	d_rank_range_list_t *ranges;
	int rc;

	if (rank_str == NULL)
		return -DER_INVAL;
	ranges = d_rank_range_list_create_from_ranks(rank_list);
	if (ranges == NULL)
		return -DER_NOMEM;
	rc = d_rank_range_list_str(ranges, rank_str);
	d_rank_range_list_free(ranges);
	return rc;
}

/*
 * The parser.
 */

struct cursor {
	const char *pos; /* next byte to read */
	const char *end; /* one past the last byte */
};

static void
cursor_skip_blanks(struct cursor *cur)
{
	while (cur->pos < cur->end && (*cur->pos == ' ' || *cur->pos == '\t'))
		cur->pos++;
}

/* Skip blanks, then @c if it comes next. Whether it did. */
static bool
cursor_take(struct cursor *cur, char c)
{
	cursor_skip_blanks(cur);
	if (cur->pos < cur->end && *cur->pos == c) {
		cur->pos++;
		return true;
	}
	return false;
}

static bool
cursor_at_digit(struct cursor *cur)
{
	cursor_skip_blanks(cur);
	return cur->pos < cur->end && *cur->pos >= '0' && *cur->pos <= '9';
}

static int
cursor_rank(struct cursor *cur, d_rank_t *rank)
{
	uint64_t val = 0;

	if (!cursor_at_digit(cur))
		return -DER_INVAL;
	while (cur->pos < cur->end && *cur->pos >= '0' && *cur->pos <= '9') {
		val = val * 10 + (uint64_t)(*cur->pos - '0');
		/* Checked at each digit, so val never exceeds 10 * CRT_NO_RANK. */
		if (val >= CRT_NO_RANK)
			return -DER_INVAL;
		cur->pos++;
	}
	*rank = (d_rank_t)val;
	return 0;
}

static int
range_cmp(const void *a, const void *b)
{
	const d_rank_range_t *x = a;
	const d_rank_range_t *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* Sort @ranges and merge those that overlap or touch; returns the new count. */
static uint32_t
ranges_normalise(d_rank_range_t *ranges, uint32_t nr)
{
	uint32_t out = 0;
	uint32_t i;

	if (nr == 0)
		return 0;
	d_sort(ranges, nr, sizeof(*ranges), range_cmp);
	for (i = 1; i < nr; i++) {
		d_rank_range_t *last = &ranges[out];

		/* hi is at most CRT_NO_RANK - 1, so hi + 1 does not wrap. */
		if (ranges[i].lo <= last->hi + 1)
			last->hi = D_MAX(last->hi, ranges[i].hi);
		else
			ranges[++out] = ranges[i];
	}
	return out + 1;
}

/* Parse into a new array of normalised ranges (NULL when there are none). */
static int
ranges_parse(const char *str, size_t len, d_rank_range_t **out, uint32_t *out_nr)
{
	struct cursor cur;
	d_rank_range_t *ranges = NULL;
	uint32_t nr = 0;
	uint32_t cap = 0;
	bool bracket;
	int rc;

	if (str == NULL) {
		if (len != 0)
			return -DER_INVAL;
		str = "";
	}
	cur.pos = str;
	cur.end = str + len;
	bracket = cursor_take(&cur, '[');
	/* An item is required unless the set ends here: "", "[]". */
	if (cursor_at_digit(&cur)) {
		do {
			d_rank_range_t range;

			rc = cursor_rank(&cur, &range.lo);
			if (rc != 0)
				goto out_free;
			range.hi = range.lo;
			if (cursor_take(&cur, '-')) {
				rc = cursor_rank(&cur, &range.hi);
				if (rc != 0)
					goto out_free;
				if (range.hi < range.lo) {
					rc = -DER_INVAL;
					goto out_free;
				}
			}
			if (nr == cap) {
				d_rank_range_t *grown;

				/* Only an input of gigabytes could get here. */
				if (cap > UINT32_MAX / 2) {
					rc = -DER_INVAL;
					goto out_free;
				}
				cap = cap == 0 ? 4 : cap * 2;
				grown = d_reallocarray(ranges, cap, sizeof(*ranges));
				if (grown == NULL) {
					rc = -DER_NOMEM;
					goto out_free;
				}
				ranges = grown;
			}
			ranges[nr++] = range;
		} while (cursor_take(&cur, ','));
	}
	if (bracket != cursor_take(&cur, ']')) {
		rc = -DER_INVAL;
		goto out_free;
	}
	cursor_skip_blanks(&cur);
	if (cur.pos != cur.end) {
		rc = -DER_INVAL;
		goto out_free;
	}

	*out_nr = ranges_normalise(ranges, nr);
	*out = ranges;
	return 0;

out_free:
	d_free(ranges);
	return rc;
}

D_EXPORT int
d_rank_range_list_parse(const char *str, size_t len, d_rank_range_list_t **ranges)
{
	d_rank_range_list_t *list;
	d_rank_range_t *parsed;
	uint32_t nr;
	int rc;

	if (ranges == NULL)
		return -DER_INVAL;
	rc = ranges_parse(str, len, &parsed, &nr);
	if (rc != 0)
		return rc;
	list = d_calloc(1, sizeof(*list));
	if (list == NULL) {
		d_free(parsed);
		return -DER_NOMEM;
	}
	list->rrl_ranges = parsed;
	list->rrl_nr = nr;
	*ranges = list;
	return 0;
}

D_EXPORT int
d_rank_list_parse(const char *str, size_t len, d_rank_list_t **ranks)
{
	d_rank_range_t *parsed;
	d_rank_list_t *list;
	uint64_t total = 0;
	uint32_t nr;
	uint32_t i;
	int rc;

	if (ranks == NULL)
		return -DER_INVAL;
	rc = ranges_parse(str, len, &parsed, &nr);
	if (rc != 0)
		return rc;
	for (i = 0; i < nr; i++)
		total += (uint64_t)parsed[i].hi - parsed[i].lo + 1;
	if (total > D_RANK_LIST_PARSE_MAX) {
		rc = -DER_INVAL;
		goto out_free_parsed;
	}

	list = d_calloc(1, sizeof(*list));
	if (list == NULL) {
		rc = -DER_NOMEM;
		goto out_free_parsed;
	}
	if (total != 0) {
		list->rl_ranks = d_calloc(total, sizeof(*list->rl_ranks));
		if (list->rl_ranks == NULL) {
			d_free(list);
			rc = -DER_NOMEM;
			goto out_free_parsed;
		}
	}
	for (i = 0; i < nr; i++) {
		uint64_t rank;

		for (rank = parsed[i].lo; rank <= parsed[i].hi; rank++)
			list->rl_ranks[list->rl_nr++] = (d_rank_t)rank;
	}
	*ranks = list;

out_free_parsed:
	d_free(parsed);
	return rc;
}
