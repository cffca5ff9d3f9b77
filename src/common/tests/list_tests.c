/* SPDX-License-Identifier: Apache-2.0 */
/* list_tests.c - gurt/list.h: insertion, removal, moves, splices, iteration. */
#define D_LOGFAC DD_FAC(tests)

#include "common/test.h"

struct item {
	int value;
	d_list_t link;
};

/* Copy the values of @head, front to back, into @out; returns how many. */
static int
values(d_list_t *head, int *out, int max)
{
	struct item *it;
	int nr = 0;

	d_list_for_each_entry(it, head, link) {
		assert_true(nr < max);
		out[nr++] = it->value;
	}
	return nr;
}

static void
assert_values(d_list_t *head, const int *want, int nr_want)
{
	int got[64];
	int nr;
	int i;

	nr = values(head, got, ARRAY_SIZE(got));
	assert_int_equal(nr, nr_want);
	for (i = 0; i < nr; i++)
		assert_int_equal(got[i], want[i]);
}

static void
init_items(struct item *items, int nr)
{
	int i;

	for (i = 0; i < nr; i++) {
		items[i].value = i;
		D_INIT_LIST_HEAD(&items[i].link);
	}
}

/* add puts at the front, add_tail at the back; an empty head points at itself. */
static void
add_and_add_tail(void **state)
{
	D_LIST_HEAD(head);
	struct item items[4];
	static const int want[] = { 1, 0, 2, 3 };

	(void)state;
	init_items(items, 4);
	assert_true(d_list_empty(&head));
	assert_ptr_equal(head.next, &head);
	d_list_add(&items[0].link, &head);
	d_list_add(&items[1].link, &head);
	d_list_add_tail(&items[2].link, &head);
	d_list_add_tail(&items[3].link, &head);
	assert_false(d_list_empty(&head));
	assert_values(&head, want, 4);
	assert_ptr_equal(d_list_first_entry(&head, struct item, link), &items[1]);
}

static void
delete_and_reuse(void **state)
{
	D_LIST_HEAD(head);
	struct item items[3];
	static const int after_del[] = { 0, 2 };
	static const int after_readd[] = { 1, 0, 2 };

	(void)state;
	init_items(items, 3);
	d_list_add_tail(&items[0].link, &head);
	d_list_add_tail(&items[1].link, &head);
	d_list_add_tail(&items[2].link, &head);

	d_list_del(&items[1].link);
	assert_null(items[1].link.next);
	assert_null(items[1].link.prev);
	assert_values(&head, after_del, 2);

	d_list_add(&items[1].link, &head);
	assert_values(&head, after_readd, 3);
	d_list_del_init(&items[1].link);
	assert_true(d_list_empty(&items[1].link));
	assert_values(&head, after_del, 2);
}

static void
move_between_lists(void **state)
{
	D_LIST_HEAD(a);
	D_LIST_HEAD(b);
	struct item items[3];
	static const int a_want[] = { 1 };
	static const int b_want[] = { 2, 0 };

	(void)state;
	init_items(items, 3);
	d_list_add_tail(&items[0].link, &a);
	d_list_add_tail(&items[1].link, &a);
	d_list_add_tail(&items[2].link, &a);
	d_list_move(&items[0].link, &b);
	d_list_move(&items[2].link, &b);
	assert_values(&a, a_want, 1);
	assert_values(&b, b_want, 2);
	d_list_move_tail(&items[2].link, &b);
	{
		static const int b_again[] = { 0, 2 };

		assert_values(&b, b_again, 2);
	}
}

/* Splicing puts the whole list at the front, in order; _init empties the source. */
static void
splice(void **state)
{
	D_LIST_HEAD(a);
	D_LIST_HEAD(b);
	D_LIST_HEAD(empty);
	struct item items[5];
	static const int want[] = { 0, 1, 2, 3, 4 };
	static const int b_want[] = { 3, 4 };
	int i;

	(void)state;
	init_items(items, 5);
	for (i = 0; i < 3; i++)
		d_list_add_tail(&items[i].link, &a);
	for (i = 3; i < 5; i++)
		d_list_add_tail(&items[i].link, &b);

	/* An empty source changes nothing. */
	d_list_splice(&empty, &b);
	assert_values(&b, b_want, 2);
	d_list_splice_init(&empty, &b);
	assert_true(d_list_empty(&empty));

	d_list_splice_init(&a, &b);
	assert_true(d_list_empty(&a));
	assert_values(&b, want, 5);

	/* Backwards, too: the prev links were kept right. */
	{
		struct item *it;
		int expect = 4;

		d_list_for_each_entry_reverse(it, &b, link)
			assert_int_equal(it->value, expect--);
		assert_int_equal(expect, -1);
	}

	/* splice (not _init) into an empty list moves everything over. */
	d_list_splice(&b, &a);
	assert_values(&a, want, 5);
}

/* The _safe iterators allow deleting the current element. */
static void
safe_iteration_with_deletion(void **state)
{
	TEST_ALLOC_MARK();
	D_LIST_HEAD(head);
	struct item *it;
	struct item *next;
	d_list_t *pos;
	d_list_t *tmp;
	static const int odd[] = { 1, 3, 5, 7, 9 };
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		it = d_calloc(1, sizeof(*it));
		assert_non_null(it);
		it->value = i;
		d_list_add_tail(&it->link, &head);
	}

	d_list_for_each_entry_safe(it, next, &head, link) {
		if (it->value % 2 == 0) {
			d_list_del(&it->link);
			d_free(it);
		}
	}
	assert_values(&head, odd, 5);

	i = 0;
	d_list_for_each_safe(pos, tmp, &head) {
		d_list_del_init(pos);
		d_free(d_list_entry(pos, struct item, link));
		i++;
	}
	assert_int_equal(i, 5);
	assert_true(d_list_empty(&head));
	TEST_ALLOC_CHECK();
}

static void
pop_entry(void **state)
{
	D_LIST_HEAD(head);
	struct item items[2];
	struct item *it;

	(void)state;
	init_items(items, 2);
	assert_null(d_list_pop_entry(&head, struct item, link));
	d_list_add_tail(&items[0].link, &head);
	d_list_add_tail(&items[1].link, &head);
	it = d_list_pop_entry(&head, struct item, link);
	assert_ptr_equal(it, &items[0]);
	assert_true(d_list_empty(&items[0].link));
	it = d_list_pop_entry(&head, struct item, link);
	assert_ptr_equal(it, &items[1]);
	assert_null(d_list_pop_entry(&head, struct item, link));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_and_add_tail),
		cmocka_unit_test(delete_and_reuse),
		cmocka_unit_test(move_between_lists),
		cmocka_unit_test(splice),
		cmocka_unit_test(safe_iteration_with_deletion),
		cmocka_unit_test(pop_entry),
	};

	return cmocka_run_group_tests_name("list", tests, NULL, NULL);
}
