/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gurt/list.h - circular doubly linked lists embedded in their elements (gurt's d_list).
 *
 * A list head is a d_list_t whose next and prev point at itself when empty. Elements
 * embed a d_list_t and are found from it with d_list_entry(). No function allocates;
 * none is thread safe: the owner of a list serialises its use.
 */
#ifndef GURT_LIST_H
#define GURT_LIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct d_list_head {
	struct d_list_head *next;
	struct d_list_head *prev;
} d_list_t;

#define D_LIST_HEAD_INIT(name)   \
	{                        \
		&(name), &(name) \
	}
#define D_LIST_HEAD(name) d_list_t name = D_LIST_HEAD_INIT(name)

static inline void
D_INIT_LIST_HEAD(d_list_t *head)
{
	head->next = head;
	head->prev = head;
}

static inline void
d_list_insert_between(d_list_t *item, d_list_t *prev, d_list_t *next)
{
	next->prev = item;
	item->next = next;
	item->prev = prev;
	prev->next = item;
}

/* Insert @item right after @head (at the front). */
static inline void
d_list_add(d_list_t *item, d_list_t *head)
{
	d_list_insert_between(item, head, head->next);
}

/* Insert @item right before @head (at the back). */
static inline void
d_list_add_tail(d_list_t *item, d_list_t *head)
{
	d_list_insert_between(item, head->prev, head);
}

static inline void
d_list_unlink(d_list_t *item)
{
	item->next->prev = item->prev;
	item->prev->next = item->next;
}

/* Remove @item; its links are left dangling (NULL), so use d_list_del_init() to reuse. */
static inline void
d_list_del(d_list_t *item)
{
	d_list_unlink(item);
	item->next = NULL;
	item->prev = NULL;
}

/* Remove @item and make it an empty list, so d_list_empty() on it is true. */
static inline void
d_list_del_init(d_list_t *item)
{
	d_list_unlink(item);
	D_INIT_LIST_HEAD(item);
}

static inline void
d_list_move(d_list_t *item, d_list_t *head)
{
	d_list_unlink(item);
	d_list_add(item, head);
}

static inline void
d_list_move_tail(d_list_t *item, d_list_t *head)
{
	d_list_unlink(item);
	d_list_add_tail(item, head);
}

static inline int
d_list_empty(const d_list_t *head)
{
	return head->next == head;
}

/* Move every element of @list to the front of @head, leaving @list undefined. */
static inline void
d_list_splice(d_list_t *list, d_list_t *head)
{
	d_list_t *first = list->next;
	d_list_t *last = list->prev;
	d_list_t *at = head->next;

	if (d_list_empty(list))
		return;
	first->prev = head;
	head->next = first;
	last->next = at;
	at->prev = last;
}

/* As d_list_splice(), then make @list empty. */
static inline void
d_list_splice_init(d_list_t *list, d_list_t *head)
{
	d_list_splice(list, head);
	D_INIT_LIST_HEAD(list);
}

#define d_list_entry(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define d_list_first_entry(head, type, member) d_list_entry((head)->next, type, member)

/* The first element of @head removed from it, or NULL when empty. */
#define d_list_pop_entry(head, type, member)                              \
	({                                                                \
		type *__pop = NULL;                                       \
		if (!d_list_empty(head)) {                                \
			__pop = d_list_entry((head)->next, type, member); \
			d_list_del_init((head)->next);                    \
		}                                                         \
		__pop;                                                    \
	})

#define d_list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define d_list_for_each_safe(pos, n, head)                             \
	for ((pos) = (head)->next, (n) = (pos)->next; (pos) != (head); \
	     (pos) = (n), (n) = (pos)->next)

#define d_list_for_each_entry(pos, head, member)                             \
	for ((pos) = d_list_entry((head)->next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                       \
	     (pos) = d_list_entry((pos)->member.next, __typeof__(*(pos)), member))

#define d_list_for_each_entry_reverse(pos, head, member)                     \
	for ((pos) = d_list_entry((head)->prev, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                       \
	     (pos) = d_list_entry((pos)->member.prev, __typeof__(*(pos)), member))

#define d_list_for_each_entry_safe(pos, n, head, member)                        \
	for ((pos) = d_list_entry((head)->next, __typeof__(*(pos)), member),    \
	    (n) = d_list_entry((pos)->member.next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                          \
	     (pos) = (n), (n) = d_list_entry((n)->member.next, __typeof__(*(n)), member))

#endif /* GURT_LIST_H */
