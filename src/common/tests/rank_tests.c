/* SPDX-License-Identifier: Apache-2.0 */
/* rank_tests.c - rank lists, rank ranges, and the rank-set parser and printer. */
#define D_LOGFAC DD_FAC(tests)

#include "common/test.h"

static void
assert_ranks(const d_rank_list_t *list, const d_rank_t *want, uint32_t nr)
{
	uint32_t i;

	assert_non_null(list);
	assert_int_equal(list->rl_nr, nr);
	for (i = 0; i < nr; i++)
		assert_int_equal(list->rl_ranks[i], want[i]);
}

static d_rank_list_t *
make_list(const d_rank_t *ranks, uint32_t nr)
{
	return uint32_array_to_rank_list((uint32_t *)ranks, nr);
}

static void
alloc_copy_dup(void **state)
{
	TEST_ALLOC_MARK();
	static const d_rank_t first4[] = { 0, 1, 2, 3 };
	static const d_rank_t some[] = { 9, 3, 9, 1 };
	static const d_rank_t sorted_uniq[] = { 1, 3, 9 };
	d_rank_list_t *a;
	d_rank_list_t *b;
	d_rank_list_t *c = NULL;

	(void)state;
	a = d_rank_list_alloc(4);
	assert_ranks(a, first4, 4);
	b = d_rank_list_alloc(0);
	assert_non_null(b);
	assert_int_equal(b->rl_nr, 0);

	assert_int_equal(d_rank_list_copy(b, a), 0);
	assert_ranks(b, first4, 4);
	assert_int_equal(d_rank_list_copy(NULL, a), -DER_INVAL);

	assert_int_equal(d_rank_list_dup(&c, a), 0);
	assert_ranks(c, first4, 4);
	assert_ptr_not_equal(c->rl_ranks, a->rl_ranks);
	d_rank_list_free(c);
	assert_int_equal(d_rank_list_dup(&c, NULL), 0);
	assert_null(c);
	assert_int_equal(d_rank_list_dup(NULL, a), -DER_INVAL);

	d_rank_list_free(a);
	a = make_list(some, 4);
	assert_int_equal(d_rank_list_dup_sort_uniq(&c, a), 0);
	assert_ranks(c, sorted_uniq, 3);
	assert_ranks(a, some, 4);

	assert_int_equal(d_rank_list_resize(c, 5), 0);
	assert_int_equal(c->rl_nr, 5);
	assert_int_equal(c->rl_ranks[3], 0);
	assert_int_equal(d_rank_list_resize(c, 0), 0);
	assert_int_equal(c->rl_nr, 0);
	assert_int_equal(d_rank_list_resize(NULL, 3), -DER_INVAL);

	d_rank_list_free(a);
	d_rank_list_free(b);
	d_rank_list_free(c);
	d_rank_list_free(NULL);
	TEST_ALLOC_CHECK();
}

static void
find_append_delete(void **state)
{
	TEST_ALLOC_MARK();
	static const d_rank_t after_append[] = { 5, 7, 5 };
	static const d_rank_t after_del[] = { 7, 5 };
	d_rank_list_t *list = d_rank_list_alloc(0);
	uint32_t uidx;
	int idx;

	(void)state;
	assert_false(d_rank_list_find(list, 5, &idx));
	assert_false(d_rank_list_find(NULL, 5, &idx));
	assert_int_equal(d_rank_list_append(list, 5), 0);
	assert_int_equal(d_rank_list_append(list, 7), 0);
	assert_int_equal(d_rank_list_append(list, 5), 0);
	assert_int_equal(d_rank_list_append(NULL, 5), -DER_INVAL);
	assert_ranks(list, after_append, 3);
	assert_true(d_rank_list_find(list, 7, &idx));
	assert_int_equal(idx, 1);
	assert_true(d_rank_list_find(list, 5, NULL));
	assert_true(d_rank_in_rank_list(list, 7));
	assert_false(d_rank_in_rank_list(list, 8));
	assert_int_equal(d_idx_in_rank_list(list, 7, &uidx), 0);
	assert_int_equal(uidx, 1);
	assert_int_equal(d_idx_in_rank_list(list, 8, &uidx), -DER_NONEXIST);
	assert_int_equal(d_idx_in_rank_list(NULL, 8, &uidx), -DER_INVAL);

	assert_int_equal(d_rank_list_del(list, 5), 0);
	assert_ranks(list, after_del, 2);
	assert_int_equal(d_rank_list_del(list, 42), 0);
	assert_ranks(list, after_del, 2);
	assert_int_equal(d_rank_list_del(NULL, 42), -DER_INVAL);
	d_rank_list_del_at(list, 1);
	d_rank_list_del_at(list, 0);
	assert_int_equal(list->rl_nr, 0);

	/* An append that cannot allocate leaves the list as it was. */
	assert_int_equal(d_rank_list_append(list, 1), 0);
	d_alloc_fail_nth(1);
	assert_int_equal(d_rank_list_append(list, 2), -DER_NOMEM);
	d_alloc_fail_nth(0);
	assert_int_equal(list->rl_nr, 1);
	assert_int_equal(list->rl_ranks[0], 1);
	d_rank_list_free(list);
	TEST_ALLOC_CHECK();
}

static void
sort_filter_merge_identical(void **state)
{
	TEST_ALLOC_MARK();
	static const d_rank_t base[] = { 4, 1, 3, 2, 5 };
	static const d_rank_t sorted[] = { 1, 2, 3, 4, 5 };
	static const d_rank_t drop[] = { 2, 4, 9 };
	static const d_rank_t excluded[] = { 1, 3, 5 };
	static const d_rank_t included[] = { 2, 4 };
	static const d_rank_t merged[] = { 1, 3, 5, 2, 4, 9 };
	static const d_rank_t reordered[] = { 9, 4, 2, 5, 3, 1 };
	d_rank_list_t *list = make_list(base, 5);
	d_rank_list_t *filter = make_list(drop, 3);
	d_rank_list_t *other;
	uint32_t *ints;
	size_t len;

	(void)state;
	d_rank_list_sort(list);
	assert_ranks(list, sorted, 5);
	d_rank_list_sort(NULL);

	other = make_list(sorted, 5);
	d_rank_list_filter(filter, list, true);
	assert_ranks(list, excluded, 3);
	d_rank_list_filter(filter, other, false);
	assert_ranks(other, included, 2);
	d_rank_list_filter(NULL, other, false);
	assert_ranks(other, included, 2);

	assert_int_equal(d_rank_list_merge(list, filter), 0);
	assert_ranks(list, merged, 6);
	assert_int_equal(d_rank_list_merge(list, filter), 0);
	assert_ranks(list, merged, 6);
	assert_int_equal(d_rank_list_merge(list, NULL), 0);
	assert_int_equal(d_rank_list_merge(NULL, filter), -DER_INVAL);

	d_rank_list_free(other);
	other = make_list(reordered, 6);
	assert_true(d_rank_list_identical(list, other));
	assert_true(d_rank_list_identical(list, list));
	assert_true(d_rank_list_identical(NULL, NULL));
	assert_false(d_rank_list_identical(list, NULL));
	assert_int_equal(d_rank_list_append(other, 7), 0);
	assert_false(d_rank_list_identical(list, other));
	other->rl_nr = 6;
	other->rl_ranks[0] = 8;
	assert_false(d_rank_list_identical(list, other));

	d_rank_list_shuffle(list);
	assert_int_equal(list->rl_nr, 6);
	d_rank_list_sort(list);
	{
		static const d_rank_t all[] = { 1, 2, 3, 4, 5, 9 };

		assert_ranks(list, all, 6);
	}
	assert_int_equal(rank_list_to_uint32_array(list, &ints, &len), 0);
	assert_int_equal(len, 6);
	assert_int_equal(ints[5], 9);
	d_free(ints);
	assert_int_equal(d_rank_list_dump(list, "test", 4), 0);
	assert_int_equal(d_rank_list_dump(list, "too long", 3), -DER_INVAL);

	d_rank_list_free(list);
	d_rank_list_free(filter);
	d_rank_list_free(other);
	TEST_ALLOC_CHECK();
}

static void
assert_str(d_rank_list_t *list, const char *want)
{
	char *str = NULL;

	assert_int_equal(d_rank_list_to_str(list, &str), 0);
	assert_string_equal(str, want);
	d_free(str);
}

static void
to_str_and_ranges(void **state)
{
	TEST_ALLOC_MARK();
	static const d_rank_t ranks[] = { 9, 0, 1, 2, 3, 5, 7, 8, 3, 4294967294 };
	static const d_rank_t before[] = { 9, 0, 1, 2, 3, 5, 7, 8, 3, 4294967294 };
	d_rank_list_t *list = make_list(ranks, ARRAY_SIZE(ranks));
	d_rank_list_t *empty = d_rank_list_alloc(0);
	d_rank_range_list_t *ranges;
	char *str;

	(void)state;
	assert_str(list, "[0-3,5,7-9,4294967294]");
	/* The input list is not reordered. */
	assert_ranks(list, before, ARRAY_SIZE(before));
	assert_str(empty, "[]");
	assert_str(NULL, "[]");
	assert_int_equal(d_rank_list_to_str(list, NULL), -DER_INVAL);

	ranges = d_rank_range_list_create_from_ranks(list);
	assert_non_null(ranges);
	assert_int_equal(ranges->rrl_nr, 4);
	assert_int_equal(ranges->rrl_ranges[2].lo, 7);
	assert_int_equal(ranges->rrl_ranges[2].hi, 9);
	assert_int_equal(d_rank_range_list_str(ranges, &str), 0);
	assert_string_equal(str, "[0-3,5,7-9,4294967294]");
	d_free(str);

	ranges = d_rank_range_list_realloc(ranges, 5);
	assert_non_null(ranges);
	assert_int_equal(ranges->rrl_ranges[4].lo, 0);
	ranges->rrl_ranges[4].lo = 11;
	ranges->rrl_ranges[4].hi = 11;
	assert_int_equal(d_rank_range_list_str(ranges, &str), 0);
	assert_string_equal(str, "[0-3,5,7-9,4294967294,11]");
	d_free(str);
	assert_null(d_rank_range_list_realloc(ranges, 0));

	ranges = d_rank_range_list_alloc(0);
	assert_int_equal(d_rank_range_list_str(ranges, &str), 0);
	assert_string_equal(str, "[]");
	d_free(str);
	d_rank_range_list_free(ranges);

	d_rank_list_free(list);
	d_rank_list_free(empty);
	TEST_ALLOC_CHECK();
}

static int
parse(const char *str, d_rank_list_t **list)
{
	return d_rank_list_parse(str, strlen(str), list);
}

static void
parse_valid(void **state)
{
	TEST_ALLOC_MARK();
	static const struct {
		const char *in;
		const char *out;
		uint32_t nr;
	} cases[] = {
		{ "0-3,5,7-9", "[0-3,5,7-9]", 8 },
		{ "[0-3,5]", "[0-3,5]", 5 },
		{ "", "[]", 0 },
		{ "[]", "[]", 0 },
		{ " [ ] ", "[]", 0 },
		{ "7", "[7]", 1 },
		{ " 1 - 3 ,\t9 ", "[1-3,9]", 4 },
		{ "[ 4,2 ,3 ]", "[2-4]", 3 },
		{ "5,1-3,2,4", "[1-5]", 5 },
		{ "0-0", "[0]", 1 },
		{ "007,08", "[7-8]", 2 },
		{ "4294967294", "[4294967294]", 1 },
		{ "4294967290-4294967294", "[4294967290-4294967294]", 5 },
		{ "0-1048575", "[0-1048575]", D_RANK_LIST_PARSE_MAX },
	};
	d_rank_list_t *list;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *str;

		list = NULL;
		assert_int_equal(parse(cases[i].in, &list), 0);
		assert_non_null(list);
		assert_int_equal(list->rl_nr, cases[i].nr);
		assert_int_equal(d_rank_list_to_str(list, &str), 0);
		assert_string_equal(str, cases[i].out);
		d_free(str);
		d_rank_list_free(list);
	}

	/* Only @len bytes are read: no NUL is needed. */
	assert_int_equal(d_rank_list_parse("1-2,3garbage", 5, &list), 0);
	assert_int_equal(list->rl_nr, 3);
	d_rank_list_free(list);
	assert_int_equal(d_rank_list_parse(NULL, 0, &list), 0);
	assert_int_equal(list->rl_nr, 0);
	d_rank_list_free(list);
	TEST_ALLOC_CHECK();
}

static void
parse_invalid(void **state)
{
	TEST_ALLOC_MARK();
	static const char *const cases[] = {
		"-1",
		"1-",
		"-",
		",",
		"1,",
		",1",
		"1,,2",
		"1 2",
		"5-3",
		"[1",
		"1]",
		"[[1]]",
		"]1[",
		"a",
		"1a",
		"1-2-3",
		"0x10",
		"+1",
		"1.5",
		"4294967295",
		"99999999999999999999",
		"0-4294967295",
		"1\n",
		"[1-2],3",
		"[,]",
		"0-1048576", /* one rank more than D_RANK_LIST_PARSE_MAX */
		"0-4294967294",
	};
	d_rank_list_t *list = NULL;
	d_rank_range_list_t *ranges = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(cases[i], &list), -DER_INVAL);
		assert_null(list);
	}
	/* A NUL inside the given length is not part of the syntax. */
	assert_int_equal(d_rank_list_parse("1\0002", 3, &list), -DER_INVAL);
	assert_int_equal(d_rank_list_parse(NULL, 1, &list), -DER_INVAL);
	assert_int_equal(d_rank_list_parse("1", 1, NULL), -DER_INVAL);
	assert_null(list);

	/* Too many to expand is still a valid range list. */
	assert_int_equal(d_rank_range_list_parse("0-4294967294", 12, &ranges), 0);
	assert_int_equal(ranges->rrl_nr, 1);
	assert_int_equal(ranges->rrl_ranges[0].hi, 4294967294u);
	d_rank_range_list_free(ranges);
	ranges = NULL;
	assert_int_equal(d_rank_range_list_parse("5-3", 3, &ranges), -DER_INVAL);
	assert_null(ranges);
	TEST_ALLOC_CHECK();
}

/* The parser fails each allocation in turn cleanly, for both forms. */
static void
parse_fail_each_allocation(void **state)
{
	static const char input[] = "[20-25,1,3,5,7,9,11,13,15,17,19,0-2]";
	TEST_ALLOC_MARK();
	d_rank_list_t *list = NULL;
	d_rank_range_list_t *ranges = NULL;
	uint64_t k;
	int rc;

	(void)state;
	for (k = 1;; k++) {
		d_alloc_fail_nth(k);
		rc = d_rank_list_parse(input, sizeof(input) - 1, &list);
		if (d_alloc_fail_pending() != 0)
			break;
		assert_int_equal(rc, -DER_NOMEM);
		assert_null(list);
		TEST_ALLOC_CHECK();
	}
	d_alloc_fail_nth(0);
	assert_int_equal(rc, 0);
	assert_true(k > 3); /* three growths of the range array, the list, its array */
	assert_int_equal(list->rl_nr, 18);
	d_rank_list_free(list);
	TEST_ALLOC_CHECK();

	for (k = 1;; k++) {
		d_alloc_fail_nth(k);
		rc = d_rank_range_list_parse(input, sizeof(input) - 1, &ranges);
		if (d_alloc_fail_pending() != 0)
			break;
		assert_int_equal(rc, -DER_NOMEM);
		assert_null(ranges);
		TEST_ALLOC_CHECK();
	}
	d_alloc_fail_nth(0);
	assert_int_equal(rc, 0);
	d_rank_range_list_free(ranges);

	/* And the printer. */
	list = d_rank_list_alloc(10);
	for (k = 1;; k++) {
		char *str = NULL;

		d_alloc_fail_nth(k);
		rc = d_rank_list_to_str(list, &str);
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			assert_string_equal(str, "[0-9]");
			d_free(str);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		assert_null(str);
	}
	d_rank_list_free(list);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alloc_copy_dup),
		cmocka_unit_test(find_append_delete),
		cmocka_unit_test(sort_filter_merge_identical),
		cmocka_unit_test(to_str_and_ranges),
		cmocka_unit_test(parse_valid),
		cmocka_unit_test(parse_invalid),
		cmocka_unit_test(parse_fail_each_allocation),
	};

	return cmocka_run_group_tests_name("rank", tests, NULL, NULL);
}
