/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/btree.h - an in-memory B+tree of fixed-size entries stored inline in the leaves.
 *
 * The index of every VOS target is built from these trees (objects, dkeys, akeys, value
 * versions, extents), so memory per entry and lookup speed matter more than anything:
 * - entries (ops->entry_size bytes, <= 256) live in leaf arrays, no per-entry allocation;
 * - a leaf grows geometrically (by half, doubling while tiny) from 1 entry to
 *   ops->leaf_max, so a tree of one entry costs a header and one entry, not a whole node;
 * - struct d_btr is small and holds no back pointers: it may be embedded in an entry of
 *   another tree and moved with it (nested trees);
 * - internal nodes keep, per child, a copy of the child's first entry (the separator)
 *   and, when ops->aug is set, the maximum of ops->aug() over the child's subtree, so a
 *   search can skip subtrees (interval queries: entries sorted by start, aug = end).
 *
 * Order: ops->cmp(key, entry) compares a search key (any caller type) with an entry;
 * ops->cmp_entry(a, b) compares two entries and must agree with cmp. Keys are unique.
 * Internal nodes hold copies of entries as separators and pass them to cmp/cmp_entry, so
 * both must read only the key fields: the other fields of a stored entry (a nested tree,
 * an aug value followed by d_btr_update_aug()) may be changed in place, its key never.
 * Entries are stored at multiples of entry_size from an 8-byte aligned address.
 *
 * Pointers to entries (returned by lookup, insert, iterators) stay valid only until the
 * tree is next modified: entries move when leaves split, merge or grow. Iterators are
 * likewise invalidated by modification; resume by seeking to the last key seen.
 *
 * Memory is allocated with d_malloc/d_realloc; d_btr_insert() may fail with -DER_NOMEM
 * and leaves the tree unchanged then. No locking: the owner serialises access.
 */
#ifndef COMMON_BTREE_H
#define COMMON_BTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct d_btr_ops {
	uint16_t entry_size; /* bytes per entry, 1..256 */
	uint16_t leaf_max;   /* most entries in a leaf (>= 4); 0: a default sized to ~1 KiB */
	/*
	 * Optional: separators in internal nodes keep only the first @key_size bytes of an
	 * entry (0: all of it). cmp() and cmp_entry() must then read nothing past them, on
	 * either side. Smaller separators mean more children per node and shallower trees.
	 */
	uint16_t key_size;
	/* <0, 0, >0 as @key sorts before, equal to, after @entry. */
	int (*cmp)(const void *key, const void *entry);
	/* The same order between two entries. */
	int (*cmp_entry)(const void *a, const void *b);
	/* Optional: a value maximised over subtrees (e.g. an extent's end). */
	uint64_t (*aug)(const void *entry);
};

struct d_btr_node;

/* A tree; zero-initialise with D_BTR_INIT or d_btr_init(). Embeddable and movable. */
struct d_btr {
	const struct d_btr_ops *ops;
	struct d_btr_node *root; /* NULL when empty */
	uint64_t nr;             /* entries */
	uint32_t depth;          /* 0 when empty, 1 when the root is a leaf */
};

#define D_BTR_INIT(o)                                         \
	{                                                     \
		.ops = (o), .root = NULL, .nr = 0, .depth = 0 \
	}

void d_btr_init(struct d_btr *tree, const struct d_btr_ops *ops);

/*
 * Free every node. @fini, if not NULL, is called on each entry first (to release what
 * the entry owns, e.g. a nested tree). The tree is empty and reusable afterwards.
 */
void d_btr_fini(struct d_btr *tree, void (*fini)(void *entry, void *arg), void *arg);

/* The entry equal to @key, or NULL. */
void *d_btr_lookup(const struct d_btr *tree, const void *key);

/*
 * Insert a copy of @entry (which must sort where @key does). Returns 0 and, if @out is
 * not NULL, the stored entry in *@out; -DER_EXIST (and the existing entry in *@out) if
 * an equal key is present; -DER_NOMEM (tree unchanged); -DER_NOSPACE if the tree would
 * need more than D_BTR_DEPTH_MAX levels (not before hundreds of millions of entries).
 */
int d_btr_insert(struct d_btr *tree, const void *key, const void *entry, void **out);

/*
 * Remove the entry equal to @key, copying it to @removed first if not NULL. Returns 0
 * or -DER_NONEXIST. Never fails for lack of memory: nodes are merged, freed or shrunk,
 * and when the realloc a merge or shrink wants fails, the node keeps its block.
 */
int d_btr_delete(struct d_btr *tree, const void *key, void *removed);

/*
 * Call ops->aug-aware code after changing, in place, the aug value of an entry found by
 * @key (e.g. an extent grown by aggregation): refreshes the cached maxima. 0 or
 * -DER_NONEXIST.
 */
int d_btr_update_aug(struct d_btr *tree, const void *key);

static inline uint64_t
d_btr_count(const struct d_btr *tree)
{
	return tree->nr;
}

static inline bool
d_btr_is_empty(const struct d_btr *tree)
{
	return tree->nr == 0;
}

/*
 * Bytes of node memory the tree holds (malloc_usable_size of every node; for accounting
 * and the memory benchmark). Walks every node: O(entries / leaf size).
 */
uint64_t d_btr_mem(const struct d_btr *tree);

/*
 * Verify the tree's invariants (order, separators, aug maxima, counts, no empty node).
 * Returns 0, or -DER_INVAL after logging the first violation. O(n): for tests.
 */
int d_btr_check(const struct d_btr *tree);

/* --- iteration --- */

#define D_BTR_DEPTH_MAX 16

enum d_btr_seek {
	D_BTR_SEEK_FIRST, /* the smallest entry (key ignored) */
	D_BTR_SEEK_LAST,  /* the largest entry (key ignored) */
	D_BTR_SEEK_GE,    /* the smallest entry >= key */
	D_BTR_SEEK_GT,    /* the smallest entry > key */
	D_BTR_SEEK_LE,    /* the largest entry <= key */
	D_BTR_SEEK_LT,    /* the largest entry < key */
};

/* An iterator: a path from the root to a leaf slot. Lives on the caller's stack. */
struct d_btr_iter {
	const struct d_btr *tree;
	uint32_t depth;
	struct d_btr_node *node[D_BTR_DEPTH_MAX];
	uint32_t slot[D_BTR_DEPTH_MAX];
	bool valid;
};

/* Position @it by @how relative to @key. Returns 0, or -DER_NONEXIST (it->valid false). */
int d_btr_iter_seek(struct d_btr_iter *it, const struct d_btr *tree, enum d_btr_seek how,
		    const void *key);
/* Step forwards / backwards. Returns 0, or -DER_NONEXIST at the end (it->valid false). */
int d_btr_iter_next(struct d_btr_iter *it);
int d_btr_iter_prev(struct d_btr_iter *it);
/* The current entry (it->valid must be true). */
void *d_btr_iter_entry(const struct d_btr_iter *it);

/*
 * With ops->aug: move forwards from the current position (inclusive) to the first entry
 * whose aug value is >= @min, skipping whole subtrees whose maximum is below it. Returns
 * 0, or -DER_NONEXIST. d_btr_iter_seek(FIRST) then this finds the first such entry.
 */
int d_btr_iter_next_aug(struct d_btr_iter *it, uint64_t min);

#endif /* COMMON_BTREE_H */
