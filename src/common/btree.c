/* SPDX-License-Identifier: Apache-2.0 */
/*
 * btree.c - the in-memory B+tree of common/btree.h, which every VOS index is made of.
 *
 * Nodes. A node is one allocation: an 8-byte header (records in use, records the block
 * holds) and an array of fixed-size records. A leaf's records are the entries themselves,
 * packed at ops->entry_size, so an entry keeps the alignment of the caller's type up to 8
 * bytes. An internal node holds one record per child:
 *
 *   offset  size        field
 *   0       8           the child
 *   8       8           max of ops->aug() over the child's subtree (only if ops->aug is set)
 *   8|16    entry_size  the separator: a copy of the subtree's first entry, padded to 8
 *
 * Keeping pointer, maximum and separator together makes a node one array whichever its
 * kind, so growing, splitting and merging are the same memcpy and realloc for both, and a
 * binary search probe lands next to the pointer it will follow. Separators are entries
 * because the API only knows how to compare a key with an entry; they are only ever
 * passed to cmp() and cmp_entry(), so their non-key bytes (a nested tree's root, an aug
 * value changed in place) may be stale. Nodes hold no level, parent or sibling pointer:
 * the depth is in struct d_btr and every operation walks down from the root keeping its
 * path in a struct d_btr_iter, which is what lets a tree be moved with memcpy.
 *
 * Sizes. A full node is a 1 KiB malloc chunk (BTR_NODE_BYTES, counting our header and
 * malloc's word). Internal nodes have at least BTR_FANOUT_MIN children even with 256-byte
 * entries, so that with at least a quarter of that per node the depth limit is out of reach
 * (more than 2^29 leaves). Capacity is per node: a node starts with what it holds (one
 * entry for a new tree, two children for a new root) and grows by half (doubling below 4)
 * up to its maximum; when a full node splits, both halves are cut to what they hold.
 * Random inserts leave leaves between half and fully used (69% on average, as in any
 * B-tree), but a half leaf sits in a half-sized block until it grows; ascending inserts
 * leave every leaf but the last exactly full. Growing by half rather than doubling costs
 * one more realloc per leaf between splits and saves 15% of the memory (16-byte entries,
 * random order: 19.7 bytes per entry instead of 23.2; ascending: 17.1). Searches prefetch
 * each node's lines as they reach it, so the dependent probes of a binary search overlap
 * their cache misses (+25% lookups on a million uint64 keys).
 *
 * Insert descends recording the path, then counts the levels that will split (full at
 * their maximum) and makes every allocation the insert needs (a right half per split
 * level, a new root, or the growth of the one node that takes a record without splitting)
 * before changing anything: -DER_NOMEM leaves the tree as it was. Trimming a split node's
 * left half is a realloc done afterwards that may fail harmlessly.
 *
 * Delete removes the entry and walks up: it refreshes the parent's separator (when the
 * first entry went) and maximum (when the largest aug value went), and a node that falls
 * below a quarter of its maximum merges with a sibling when both fit in one node, else
 * borrows from it to even them out. A node using a third of its block is shrunk by half.
 * Those reallocations are optional: when one fails the node keeps its block or stays
 * below its minimum fill, but no node is ever left empty, so delete never fails.
 *
 * Invariants (d_btr_check() verifies them): every leaf is at level depth - 1; no node is
 * empty; nr <= cap <= maximum; an internal root has at least two children; separators
 * equal their subtree's first entry and maxima its largest aug value; entries ascend.
 *
 * No locks: the owner of a tree serialises access to it.
 */
#define D_LOGFAC DD_FAC(common)

#include "common/btree.h"

#include <malloc.h>

#include "common/common_int.h"

/* A full node's malloc chunk: our header and glibc's size word (8 bytes each) included. */
#define BTR_NODE_BYTES 1024
#define BTR_NODE_OVERHEAD 16
#define BTR_LEAF_MAX_MIN 4
#define BTR_FANOUT_MIN 16
#define BTR_ENTRY_MAX 256
/* The largest internal record: pointer, aug maximum and a 256-byte separator. */
#define BTR_IREC_MAX (16 + BTR_ENTRY_MAX)

struct d_btr_node {
	uint16_t nr;         /* records in use */
	uint16_t cap;        /* records the block holds */
	uint32_t unused;     /* keeps rec 8-byte aligned */
	unsigned char rec[]; /* leaf entries or internal records, see above */
};

D_CASSERT(offsetof(struct d_btr_node, rec) == 8, "records must be 8-byte aligned");
D_CASSERT(sizeof(struct d_btr) <= 32, "a tree must stay small enough to embed");

/* What the ops imply; recomputed per call, a few instructions, to keep struct d_btr small. */
struct btr_geo {
	const struct d_btr_ops *ops;
	size_t esize;      /* a leaf record: one entry */
	size_t ksize;      /* a separator: the entry's key prefix (ops->key_size) or all of it */
	size_t isize;      /* an internal record */
	size_t sep_off;    /* where the separator starts in an internal record */
	uint32_t leaf_max; /* most entries in a leaf */
	uint32_t fanout;   /* most children of an internal node */
};

static void
geo_init(struct btr_geo *g, const struct d_btr_ops *ops)
{
	size_t room = BTR_NODE_BYTES - BTR_NODE_OVERHEAD;

	g->ops = ops;
	g->esize = ops->entry_size;
	g->ksize = ops->key_size != 0 && ops->key_size < ops->entry_size ? ops->key_size
									 : ops->entry_size;
	g->sep_off = ops->aug != NULL ? 16 : 8;
	g->isize = g->sep_off + ((g->ksize + 7) & ~(size_t)7);
	if (ops->leaf_max != 0)
		g->leaf_max = ops->leaf_max < BTR_LEAF_MAX_MIN ? BTR_LEAF_MAX_MIN : ops->leaf_max;
	else
		g->leaf_max =
			room / g->esize < BTR_LEAF_MAX_MIN ? BTR_LEAF_MAX_MIN : room / g->esize;
	g->fanout = room / g->isize < BTR_FANOUT_MIN ? BTR_FANOUT_MIN : room / g->isize;
}

static inline size_t
rec_size(const struct btr_geo *g, bool leaf)
{
	return leaf ? g->esize : g->isize;
}

static inline uint32_t
node_max(const struct btr_geo *g, bool leaf)
{
	return leaf ? g->leaf_max : g->fanout;
}

/* Below this many records a node other than the root merges or borrows. */
static inline uint32_t
node_min(const struct btr_geo *g, bool leaf)
{
	return node_max(g, leaf) / 4;
}

static inline void *
entry_at(const struct btr_geo *g, const struct d_btr_node *node, uint32_t i)
{
	return (void *)(node->rec + i * g->esize);
}

static inline struct d_btr_node **
child_ref(const struct btr_geo *g, const struct d_btr_node *node, uint32_t i)
{
	return (struct d_btr_node **)(node->rec + i * g->isize);
}

static inline struct d_btr_node *
child_at(const struct btr_geo *g, const struct d_btr_node *node, uint32_t i)
{
	return *child_ref(g, node, i);
}

static inline uint64_t *
aug_ref(const struct btr_geo *g, const struct d_btr_node *node, uint32_t i)
{
	return (uint64_t *)(node->rec + i * g->isize + 8);
}

static inline void *
sep_at(const struct btr_geo *g, const struct d_btr_node *node, uint32_t i)
{
	return (void *)(node->rec + i * g->isize + g->sep_off);
}

static inline const void *
node_first(const struct btr_geo *g, const struct d_btr_node *node, bool leaf)
{
	return leaf ? entry_at(g, node, 0) : sep_at(g, node, 0);
}

/* The largest aug value under @node (ops->aug must be set). */
static uint64_t
node_aug(const struct btr_geo *g, const struct d_btr_node *node, bool leaf)
{
	uint64_t max = 0;
	uint64_t v;
	uint32_t i;

	for (i = 0; i < node->nr; i++) {
		v = leaf ? g->ops->aug(entry_at(g, node, i)) : *aug_ref(g, node, i);
		if (v > max)
			max = v;
	}
	return max;
}

static inline size_t
node_bytes(const struct btr_geo *g, bool leaf, uint32_t cap)
{
	return offsetof(struct d_btr_node, rec) + cap * rec_size(g, leaf);
}

static struct d_btr_node *
node_alloc(const struct btr_geo *g, bool leaf, uint32_t cap)
{
	struct d_btr_node *node = d_malloc(node_bytes(g, leaf, cap));

	if (node == NULL)
		return NULL;
	node->nr = 0;
	node->cap = cap;
	node->unused = 0;
	return node;
}

/*
 * Give @node a block of @cap records (>= nr) and point its parent's slot @s at it (the
 * tree's root if @parent is NULL). Returns the node, or NULL with everything unchanged.
 */
static struct d_btr_node *
node_realloc(const struct btr_geo *g, struct d_btr *tree, struct d_btr_node *parent, uint32_t s,
	     struct d_btr_node *node, bool leaf, uint32_t cap)
{
	struct d_btr_node *moved;

	D_ASSERT(cap >= node->nr && cap > 0);
	moved = d_realloc(node, node_bytes(g, leaf, cap));
	if (moved == NULL)
		return NULL;
	moved->cap = cap;
	if (parent == NULL)
		tree->root = moved;
	else
		*child_ref(g, parent, s) = moved;
	return moved;
}

/* Halve the block of a node using a third of it or less; best effort. */
static void
node_shrink(const struct btr_geo *g, struct d_btr *tree, struct d_btr_node *parent, uint32_t s,
	    struct d_btr_node *node, bool leaf)
{
	if (node->cap > 1 && node->nr * 3 <= node->cap)
		node_realloc(g, tree, parent, s, node, leaf, node->cap / 2);
}

static uint32_t
grow_cap(uint32_t cap, uint32_t max)
{
	uint32_t c = cap + (cap < 4 ? cap : cap / 2);

	return c < max ? c : max;
}

static void
node_insert(size_t rs, struct d_btr_node *node, uint32_t pos, const void *rec)
{
	D_ASSERT(node->nr < node->cap && pos <= node->nr);
	memmove(node->rec + (pos + 1) * rs, node->rec + pos * rs, (node->nr - pos) * rs);
	memcpy(node->rec + pos * rs, rec, rs);
	node->nr++;
}

static void
node_remove(size_t rs, struct d_btr_node *node, uint32_t pos)
{
	D_ASSERT(pos < node->nr);
	memmove(node->rec + pos * rs, node->rec + (pos + 1) * rs, (node->nr - pos - 1) * rs);
	node->nr--;
}

/*
 * Insert @rec at @pos of the full @node, moving the upper half of the records, @rec
 * included, into the empty @right. The left half keeps the smaller half.
 */
static void
node_split_insert(size_t rs, struct d_btr_node *node, struct d_btr_node *right, uint32_t pos,
		  const void *rec)
{
	uint32_t total = node->nr + 1;
	uint32_t left_nr = total / 2;
	uint32_t right_nr = total - left_nr;
	uint32_t before;

	D_ASSERT(right->cap >= right_nr && right->nr == 0);
	if (pos >= left_nr) {
		before = pos - left_nr;
		memcpy(right->rec, node->rec + left_nr * rs, before * rs);
		memcpy(right->rec + before * rs, rec, rs);
		memcpy(right->rec + (before + 1) * rs, node->rec + pos * rs, (node->nr - pos) * rs);
	} else {
		memcpy(right->rec, node->rec + (left_nr - 1) * rs, right_nr * rs);
		memmove(node->rec + (pos + 1) * rs, node->rec + pos * rs, (left_nr - 1 - pos) * rs);
		memcpy(node->rec + pos * rs, rec, rs);
	}
	node->nr = left_nr;
	right->nr = right_nr;
}

/* Fill the internal record @rec for @child. */
static void
irec_fill(const struct btr_geo *g, unsigned char *rec, struct d_btr_node *child, bool leaf)
{
	memcpy(rec, &child, sizeof(child));
	if (g->ops->aug != NULL) {
		uint64_t max = node_aug(g, child, leaf);

		memcpy(rec + 8, &max, sizeof(max));
	}
	memcpy(rec + g->sep_off, node_first(g, child, leaf), g->ksize);
}

/*
 * Start loading a node's cache lines before it is searched: the probes of a binary search
 * depend on each other, so without this each one waits for its own miss. Prefetching
 * past the end of the block is harmless.
 */
static inline void
node_prefetch(const struct d_btr_node *node)
{
	const char *p = (const char *)node;
	int off;

	for (off = 0; off < BTR_NODE_BYTES; off += 64)
		__builtin_prefetch(p + off);
}

/* The first entry of @node >= @key; *found tells whether it is equal. */
static uint32_t
leaf_search(const struct btr_geo *g, const struct d_btr_node *node, const void *key, bool *found)
{
	uint32_t lo = 0;
	uint32_t hi = node->nr;
	uint32_t mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = g->ops->cmp(key, entry_at(g, node, mid));
		if (c > 0) {
			lo = mid + 1;
		} else if (c < 0) {
			hi = mid;
		} else {
			*found = true;
			return mid;
		}
	}
	*found = false;
	return lo;
}

/* The child to descend into: the last whose separator is <= @key (< if @strict), or 0. */
static uint32_t
inode_search(const struct btr_geo *g, const struct d_btr_node *node, const void *key, bool strict)
{
	uint32_t lo = 1;
	uint32_t hi = node->nr;
	uint32_t mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = g->ops->cmp(key, sep_at(g, node, mid));
		if (c > 0) {
			lo = mid + 1;
		} else if (c < 0 || strict) {
			hi = mid;
		} else {
			return mid;
		}
	}
	return lo - 1;
}

/* Fill @path down to the leaf for @key; returns the leaf's lower bound for @key. */
static uint32_t
path_descend(const struct btr_geo *g, const struct d_btr *tree, struct d_btr_iter *path,
	     const void *key, bool strict, bool *found)
{
	struct d_btr_node *node = tree->root;
	uint32_t leaf = tree->depth - 1;
	uint32_t l;

	path->tree = tree;
	path->depth = tree->depth;
	for (l = 0; l < leaf; l++) {
		path->node[l] = node;
		path->slot[l] = inode_search(g, node, key, strict);
		node = child_at(g, node, path->slot[l]);
		node_prefetch(node);
	}
	path->node[leaf] = node;
	path->slot[leaf] = leaf_search(g, node, key, found);
	return path->slot[leaf];
}

D_EXPORT void
d_btr_init(struct d_btr *tree, const struct d_btr_ops *ops)
{
	D_ASSERT(ops->entry_size > 0 && ops->entry_size <= BTR_ENTRY_MAX);
	D_ASSERT(ops->cmp != NULL && ops->cmp_entry != NULL);
	tree->ops = ops;
	tree->root = NULL;
	tree->nr = 0;
	tree->depth = 0;
}

static void
node_free_all(const struct btr_geo *g, struct d_btr_node *node, uint32_t height,
	      void (*fini)(void *entry, void *arg), void *arg)
{
	uint32_t i;

	for (i = 0; i < node->nr; i++) {
		if (height > 0)
			node_free_all(g, child_at(g, node, i), height - 1, fini, arg);
		else if (fini != NULL)
			fini(entry_at(g, node, i), arg);
	}
	d_free(node);
}

D_EXPORT void
d_btr_fini(struct d_btr *tree, void (*fini)(void *entry, void *arg), void *arg)
{
	struct btr_geo g;

	if (tree->root != NULL) {
		geo_init(&g, tree->ops);
		node_free_all(&g, tree->root, tree->depth - 1, fini, arg);
	}
	tree->root = NULL;
	tree->nr = 0;
	tree->depth = 0;
}

D_EXPORT void *
d_btr_lookup(const struct d_btr *tree, const void *key)
{
	const struct d_btr_node *node = tree->root;
	struct btr_geo g;
	uint32_t pos;
	uint32_t l;
	bool found;

	if (node == NULL)
		return NULL;
	geo_init(&g, tree->ops);
	for (l = 1; l < tree->depth; l++) {
		node = child_at(&g, node, inode_search(&g, node, key, false));
		node_prefetch(node);
	}
	pos = leaf_search(&g, node, key, &found);
	return found ? entry_at(&g, node, pos) : NULL;
}

/*
 * Make every allocation an insert below level @top needs: a right half for each full level
 * under it, then a new root if @top < 0, else room in the node at @top. Nothing the tree
 * can see changes unless all of them succeed (moving the grown node is invisible).
 */
static int
insert_reserve(const struct btr_geo *g, struct d_btr *tree, struct d_btr_iter *path, int top,
	       struct d_btr_node **spare, struct d_btr_node **new_root)
{
	int depth = tree->depth;
	struct d_btr_node *node;
	uint32_t max;
	bool leaf;
	int l;
	int k;

	for (l = top + 1; l < depth; l++) {
		leaf = l == depth - 1;
		max = node_max(g, leaf);
		spare[l] = node_alloc(g, leaf, max + 1 - (max + 1) / 2);
		if (spare[l] == NULL)
			goto out_free_spares;
	}
	if (top < 0) {
		*new_root = node_alloc(g, false, 2);
		if (*new_root == NULL)
			goto out_free_spares;
	} else if (path->node[top]->nr == path->node[top]->cap) {
		leaf = top == depth - 1;
		max = node_max(g, leaf);
		node = path->node[top];
		node = node_realloc(g, tree, top > 0 ? path->node[top - 1] : NULL,
				    top > 0 ? path->slot[top - 1] : 0, node, leaf,
				    grow_cap(node->cap, max));
		if (node == NULL)
			goto out_free_spares;
		path->node[top] = node;
	}
	return 0;

out_free_spares:
	for (k = top + 1; k < l; k++)
		d_free(spare[k]);
	return -DER_NOMEM;
}

static int
insert_first(const struct btr_geo *g, struct d_btr *tree, const void *entry, void **out)
{
	struct d_btr_node *leaf = node_alloc(g, true, 1);

	if (leaf == NULL)
		return -DER_NOMEM;
	memcpy(entry_at(g, leaf, 0), entry, g->esize);
	leaf->nr = 1;
	tree->root = leaf;
	tree->depth = 1;
	tree->nr = 1;
	if (out != NULL)
		*out = entry_at(g, leaf, 0);
	return 0;
}

D_EXPORT int
d_btr_insert(struct d_btr *tree, const void *key, const void *entry, void **out)
{
	struct d_btr_node *spare[D_BTR_DEPTH_MAX];
	struct d_btr_node *new_root = NULL;
	struct d_btr_node *trimmed;
	struct d_btr_node *parent;
	struct d_btr_node *node;
	struct d_btr_iter path;
	struct btr_geo g;
	uint64_t rbuf[BTR_IREC_MAX / 8];
	const void *rec = entry;
	void *stored = NULL;
	uint64_t aug = 0;
	uint64_t *max;
	bool first_changed;
	bool found;
	bool leaf;
	uint32_t pos;
	uint32_t s;
	int depth = tree->depth;
	int top;
	int l;
	int rc;

	geo_init(&g, tree->ops);
	D_ASSERT(g.ops->cmp(key, entry) == 0);
	if (tree->root == NULL)
		return insert_first(&g, tree, entry, out);

	pos = path_descend(&g, tree, &path, key, false, &found);
	if (found) {
		if (out != NULL)
			*out = entry_at(&g, path.node[depth - 1], pos);
		return -DER_EXIST;
	}

	/* Levels below top split; top takes a record without splitting (a new root if < 0). */
	top = depth - 1;
	while (top >= 0 && path.node[top]->nr == node_max(&g, top == depth - 1))
		top--;
	if (top < 0 && depth == D_BTR_DEPTH_MAX)
		return -DER_NOSPACE;
	rc = insert_reserve(&g, tree, &path, top, spare, &new_root);
	if (rc != 0)
		return rc;

	/* From here on nothing fails. */
	if (g.ops->aug != NULL)
		aug = g.ops->aug(entry);
	first_changed = pos == 0;
	for (l = depth - 1; l > top; l--) {
		leaf = l == depth - 1;
		node = path.node[l];
		parent = l > 0 ? path.node[l - 1] : NULL;
		s = l > 0 ? path.slot[l - 1] : 0;
		node_split_insert(rec_size(&g, leaf), node, spare[l], pos, rec);
		/* Cut the left half's block to size while its parent slot is where path says. */
		trimmed = node_realloc(&g, tree, parent, s, node, leaf, node->nr);
		if (trimmed != NULL)
			node = trimmed;
		path.node[l] = node;
		if (leaf)
			stored = pos < node->nr ? entry_at(&g, node, pos)
						: entry_at(&g, spare[l], pos - node->nr);
		if (parent != NULL) {
			if (first_changed)
				memcpy(sep_at(&g, parent, s), node_first(&g, node, leaf), g.ksize);
			if (g.ops->aug != NULL)
				*aug_ref(&g, parent, s) = node_aug(&g, node, leaf);
			first_changed = first_changed && s == 0;
		}
		irec_fill(&g, (unsigned char *)rbuf, spare[l], leaf);
		rec = rbuf;
		pos = s + 1;
	}

	if (top < 0) {
		irec_fill(&g, new_root->rec, path.node[0], depth == 1);
		memcpy(new_root->rec + g.isize, rbuf, g.isize);
		new_root->nr = 2;
		tree->root = new_root;
		tree->depth++;
	} else {
		leaf = top == depth - 1;
		node_insert(rec_size(&g, leaf), path.node[top], pos, rec);
		if (leaf)
			stored = entry_at(&g, path.node[top], pos);
		/* The subtrees above gained @entry: it may be their first or largest. */
		for (l = top; l > 0; l--) {
			parent = path.node[l - 1];
			s = path.slot[l - 1];
			max = g.ops->aug != NULL ? aug_ref(&g, parent, s) : NULL;
			if (!first_changed && (max == NULL || *max >= aug))
				break;
			if (first_changed)
				memcpy(sep_at(&g, parent, s), node_first(&g, path.node[l], leaf),
				       g.ksize);
			if (max != NULL && *max < aug)
				*max = aug;
			first_changed = first_changed && s == 0;
			leaf = false;
		}
	}
	tree->nr++;
	if (out != NULL)
		*out = stored;
	return 0;
}

/*
 * Merge the siblings @left and @right (children ls and ls + 1 of @parent) into one node,
 * into whichever block has room, else a grown @left. False if that allocation failed.
 */
static bool
node_merge(const struct btr_geo *g, struct d_btr *tree, struct d_btr_node *parent, uint32_t ls,
	   struct d_btr_node *left, struct d_btr_node *right, bool leaf)
{
	size_t rs = rec_size(g, leaf);
	uint32_t total = left->nr + right->nr;
	uint64_t *max;

	if (left->cap < total && right->cap >= total) {
		memmove(right->rec + left->nr * rs, right->rec, right->nr * rs);
		memcpy(right->rec, left->rec, left->nr * rs);
		right->nr = total;
		*child_ref(g, parent, ls) = right;
		d_free(left);
	} else {
		if (left->cap < total) {
			left = node_realloc(g, tree, parent, ls, left, leaf, total);
			if (left == NULL)
				return false;
		}
		memcpy(left->rec + left->nr * rs, right->rec, right->nr * rs);
		left->nr = total;
		d_free(right);
	}
	/* The separator of ls is still the merged node's first entry. */
	if (g->ops->aug != NULL) {
		max = aug_ref(g, parent, ls);
		if (*max < *aug_ref(g, parent, ls + 1))
			*max = *aug_ref(g, parent, ls + 1);
	}
	node_remove(g->isize, parent, ls + 1);
	return true;
}

/*
 * Move records between the siblings @left and @right (children ls and ls + 1 of
 * @parent) towards an even split, into @left if @to_left, else into @right. Moves fewer
 * if the receiving node cannot grow, none if it has no room at all.
 */
static void
node_borrow(const struct btr_geo *g, struct d_btr *tree, struct d_btr_node *parent, uint32_t ls,
	    struct d_btr_node *left, struct d_btr_node *right, bool leaf, bool to_left)
{
	size_t rs = rec_size(g, leaf);
	struct d_btr_node *dst = to_left ? left : right;
	struct d_btr_node *grown;
	uint32_t want = (left->nr + right->nr) / 2;
	uint32_t k;

	if (want <= dst->nr)
		return;
	k = want - dst->nr;
	if (dst->cap < dst->nr + k) {
		grown = node_realloc(g, tree, parent, to_left ? ls : ls + 1, dst, leaf,
				     dst->nr + k);
		if (grown == NULL)
			k = dst->cap - dst->nr;
		else if (to_left)
			left = grown;
		else
			right = grown;
		if (k == 0)
			return;
	}
	if (to_left) {
		memcpy(left->rec + left->nr * rs, right->rec, k * rs);
		memmove(right->rec, right->rec + k * rs, (right->nr - k) * rs);
		left->nr += k;
		right->nr -= k;
	} else {
		memmove(right->rec + k * rs, right->rec, right->nr * rs);
		memcpy(right->rec, left->rec + (left->nr - k) * rs, k * rs);
		left->nr -= k;
		right->nr += k;
	}
	/* The pair's union is unchanged, so nothing above the parent is. */
	memcpy(sep_at(g, parent, ls + 1), node_first(g, right, leaf), g->ksize);
	if (g->ops->aug != NULL) {
		*aug_ref(g, parent, ls) = node_aug(g, left, leaf);
		*aug_ref(g, parent, ls + 1) = node_aug(g, right, leaf);
	}
	if (to_left)
		node_shrink(g, tree, parent, ls + 1, right, leaf);
	else
		node_shrink(g, tree, parent, ls, left, leaf);
}

enum btr_fix {
	BTR_FIX_NONE,    /* parent unchanged but for its records' contents */
	BTR_FIX_MERGED,  /* parent lost a record, not its first */
	BTR_FIX_REMOVED, /* parent lost the record of an empty child */
};

/* @node, child @s of @parent, fell below its minimum fill: merge, borrow or remove it. */
static enum btr_fix
node_rebalance(const struct btr_geo *g, struct d_btr *tree, struct d_btr_node *parent, uint32_t s,
	       struct d_btr_node *node, bool leaf)
{
	struct d_btr_node *left;
	struct d_btr_node *right;
	uint32_t ls;

	if (node->nr == 0) {
		d_free(node);
		node_remove(g->isize, parent, s);
		return BTR_FIX_REMOVED;
	}
	if (parent->nr < 2)
		return BTR_FIX_NONE;
	ls = s > 0 ? s - 1 : 0;
	left = child_at(g, parent, ls);
	right = child_at(g, parent, ls + 1);
	if (left->nr + right->nr <= node_max(g, leaf) &&
	    node_merge(g, tree, parent, ls, left, right, leaf))
		return BTR_FIX_MERGED;
	node_borrow(g, tree, parent, ls, left, right, leaf, node == left);
	return BTR_FIX_NONE;
}

/*
 * After an entry left the leaf at the end of @path: refresh the separators and maxima
 * above it while they change, fix nodes below their minimum fill, collapse the root.
 */
static void
delete_fixup(const struct btr_geo *g, struct d_btr *tree, struct d_btr_iter *path,
	     bool first_changed, bool aug_changed)
{
	struct d_btr_node *parent;
	struct d_btr_node *node;
	struct d_btr_node *root;
	bool parent_first;
	uint64_t *max;
	uint64_t m;
	uint32_t s;
	bool leaf;
	int l;

	for (l = tree->depth - 1; l > 0; l--) {
		leaf = l == (int)tree->depth - 1;
		node = path->node[l];
		parent = path->node[l - 1];
		s = path->slot[l - 1];
		parent_first = false;
		if (node->nr > 0) {
			if (first_changed) {
				memcpy(sep_at(g, parent, s), node_first(g, node, leaf), g->ksize);
				parent_first = s == 0;
			}
			if (aug_changed) {
				max = aug_ref(g, parent, s);
				m = node_aug(g, node, leaf);
				aug_changed = m != *max;
				*max = m;
			}
		}
		if (node->nr >= node_min(g, leaf)) {
			node_shrink(g, tree, parent, s, node, leaf);
			if (!parent_first && !aug_changed)
				return;
		} else if (node_rebalance(g, tree, parent, s, node, leaf) == BTR_FIX_REMOVED) {
			parent_first = parent_first || s == 0;
			aug_changed = g->ops->aug != NULL;
		}
		first_changed = parent_first;
	}

	root = tree->root;
	while (tree->depth > 1 && root->nr == 1) {
		tree->root = child_at(g, root, 0);
		tree->depth--;
		d_free(root);
		root = tree->root;
	}
	D_ASSERT(tree->depth > 1 || tree->nr == root->nr);
	if (root->nr == 0) {
		D_ASSERT(tree->nr == 0 && tree->depth == 1);
		d_free(root);
		tree->root = NULL;
		tree->depth = 0;
		return;
	}
	node_shrink(g, tree, NULL, 0, root, tree->depth == 1);
}

D_EXPORT int
d_btr_delete(struct d_btr *tree, const void *key, void *removed)
{
	struct d_btr_iter path;
	struct btr_geo g;
	struct d_btr_node *leaf;
	bool aug_changed = false;
	uint32_t depth = tree->depth;
	uint32_t pos;
	void *entry;
	bool found;

	if (tree->root == NULL)
		return -DER_NONEXIST;
	geo_init(&g, tree->ops);
	pos = path_descend(&g, tree, &path, key, false, &found);
	if (!found)
		return -DER_NONEXIST;
	leaf = path.node[depth - 1];
	entry = entry_at(&g, leaf, pos);
	if (removed != NULL)
		memcpy(removed, entry, g.esize);
	/* Only losing the largest value can lower the maxima above. */
	if (g.ops->aug != NULL && depth > 1)
		aug_changed = g.ops->aug(entry) >=
			      *aug_ref(&g, path.node[depth - 2], path.slot[depth - 2]);
	node_remove(g.esize, leaf, pos);
	tree->nr--;
	delete_fixup(&g, tree, &path, pos == 0, aug_changed);
	return 0;
}

D_EXPORT int
d_btr_update_aug(struct d_btr *tree, const void *key)
{
	struct d_btr_iter path;
	struct btr_geo g;
	uint64_t *max;
	uint64_t m;
	bool found;
	int l;

	if (tree->root == NULL)
		return -DER_NONEXIST;
	geo_init(&g, tree->ops);
	path_descend(&g, tree, &path, key, false, &found);
	if (!found)
		return -DER_NONEXIST;
	if (g.ops->aug == NULL)
		return 0;
	for (l = tree->depth - 1; l > 0; l--) {
		m = node_aug(&g, path.node[l], l == (int)tree->depth - 1);
		max = aug_ref(&g, path.node[l - 1], path.slot[l - 1]);
		if (*max == m)
			break;
		*max = m;
	}
	return 0;
}

static uint64_t
node_mem(const struct btr_geo *g, const struct d_btr_node *node, uint32_t height)
{
	uint64_t bytes = malloc_usable_size((void *)node);
	uint32_t i;

	if (height > 0) {
		for (i = 0; i < node->nr; i++)
			bytes += node_mem(g, child_at(g, node, i), height - 1);
	}
	return bytes;
}

D_EXPORT uint64_t
d_btr_mem(const struct d_btr *tree)
{
	struct btr_geo g;

	if (tree->root == NULL)
		return 0;
	geo_init(&g, tree->ops);
	return node_mem(&g, tree->root, tree->depth - 1);
}

/* --- iteration --- */

/* From it->node[l] down, take the first (or @last) record at every level. */
static void
iter_descend_edge(const struct btr_geo *g, struct d_btr_iter *it, uint32_t l, bool last)
{
	struct d_btr_node *node;

	for (;; l++) {
		node = it->node[l];
		it->slot[l] = last ? node->nr - 1u : 0;
		if (l == it->depth - 1)
			break;
		it->node[l + 1] = child_at(g, node, it->slot[l]);
	}
}

D_EXPORT int
d_btr_iter_seek(struct d_btr_iter *it, const struct d_btr *tree, enum d_btr_seek how,
		const void *key)
{
	struct d_btr_node *leaf;
	struct btr_geo g;
	uint32_t lb;
	int64_t pos;
	bool found;

	it->tree = tree;
	it->depth = tree->depth;
	it->valid = false;
	if (tree->root == NULL)
		return -DER_NONEXIST;
	geo_init(&g, tree->ops);
	it->node[0] = tree->root;
	if (how == D_BTR_SEEK_FIRST || how == D_BTR_SEEK_LAST) {
		iter_descend_edge(&g, it, 0, how == D_BTR_SEEK_LAST);
		it->valid = true;
		return 0;
	}

	lb = path_descend(&g, tree, it, key, how == D_BTR_SEEK_LT, &found);
	switch (how) {
	case D_BTR_SEEK_GE:
		pos = lb;
		break;
	case D_BTR_SEEK_GT:
		pos = (int64_t)lb + found;
		break;
	case D_BTR_SEEK_LE:
		pos = found ? (int64_t)lb : (int64_t)lb - 1;
		break;
	case D_BTR_SEEK_LT:
		pos = (int64_t)lb - 1;
		break;
	default:
		return -DER_INVAL;
	}
	/* The answer may be the last entry of the previous leaf or the first of the next. */
	leaf = it->node[it->depth - 1];
	it->valid = true;
	if (pos < 0) {
		it->slot[it->depth - 1] = 0;
		return d_btr_iter_prev(it);
	}
	if (pos >= leaf->nr) {
		it->slot[it->depth - 1] = leaf->nr - 1u;
		return d_btr_iter_next(it);
	}
	it->slot[it->depth - 1] = (uint32_t)pos;
	return 0;
}

D_EXPORT int
d_btr_iter_next(struct d_btr_iter *it)
{
	struct btr_geo g;
	uint32_t leaf = it->depth - 1;
	int l;

	if (!it->valid)
		return -DER_NONEXIST;
	if (it->slot[leaf] + 1 < it->node[leaf]->nr) {
		it->slot[leaf]++;
		return 0;
	}
	geo_init(&g, it->tree->ops);
	for (l = (int)leaf - 1; l >= 0; l--) {
		if (it->slot[l] + 1 < it->node[l]->nr) {
			it->slot[l]++;
			it->node[l + 1] = child_at(&g, it->node[l], it->slot[l]);
			iter_descend_edge(&g, it, l + 1, false);
			return 0;
		}
	}
	it->valid = false;
	return -DER_NONEXIST;
}

D_EXPORT int
d_btr_iter_prev(struct d_btr_iter *it)
{
	struct btr_geo g;
	uint32_t leaf = it->depth - 1;
	int l;

	if (!it->valid)
		return -DER_NONEXIST;
	if (it->slot[leaf] > 0) {
		it->slot[leaf]--;
		return 0;
	}
	geo_init(&g, it->tree->ops);
	for (l = (int)leaf - 1; l >= 0; l--) {
		if (it->slot[l] > 0) {
			it->slot[l]--;
			it->node[l + 1] = child_at(&g, it->node[l], it->slot[l]);
			iter_descend_edge(&g, it, l + 1, true);
			return 0;
		}
	}
	it->valid = false;
	return -DER_NONEXIST;
}

D_EXPORT void *
d_btr_iter_entry(const struct d_btr_iter *it)
{
	uint32_t leaf = it->depth - 1;

	D_ASSERT(it->valid);
	return (void *)(it->node[leaf]->rec + it->slot[leaf] * (size_t)it->tree->ops->entry_size);
}

/* The first record at or after @from of the node at level @l with aug >= @min, or nr. */
static uint32_t
iter_find_aug(const struct btr_geo *g, const struct d_btr_iter *it, uint32_t l, uint32_t from,
	      uint64_t min)
{
	const struct d_btr_node *node = it->node[l];
	bool leaf = l == it->depth - 1;
	uint32_t i;

	for (i = from; i < node->nr; i++) {
		if ((leaf ? g->ops->aug(entry_at(g, node, i)) : *aug_ref(g, node, i)) >= min)
			break;
	}
	return i;
}

D_EXPORT int
d_btr_iter_next_aug(struct d_btr_iter *it, uint64_t min)
{
	struct btr_geo g;
	uint32_t leaf = it->depth - 1;
	uint32_t i;
	uint32_t l;
	int up;

	if (!it->valid)
		return -DER_NONEXIST;
	geo_init(&g, it->tree->ops);
	D_ASSERT(g.ops->aug != NULL);
	i = iter_find_aug(&g, it, leaf, it->slot[leaf], min);
	if (i < it->node[leaf]->nr) {
		it->slot[leaf] = i;
		return 0;
	}
	/* Up to the nearest level with a later subtree reaching @min, then down into it. */
	for (up = (int)leaf - 1; up >= 0; up--) {
		i = iter_find_aug(&g, it, up, it->slot[up] + 1, min);
		if (i == it->node[up]->nr)
			continue;
		it->slot[up] = i;
		for (l = up + 1; l <= leaf; l++) {
			it->node[l] = child_at(&g, it->node[l - 1], it->slot[l - 1]);
			it->slot[l] = iter_find_aug(&g, it, l, 0, min);
			D_ASSERT(it->slot[l] < it->node[l]->nr);
		}
		return 0;
	}
	it->valid = false;
	return -DER_NONEXIST;
}

/* --- verification --- */

struct btr_check {
	const struct btr_geo *g;
	const void *prev; /* the last entry visited */
	uint64_t nr;      /* entries visited */
};

static int
check_node(struct btr_check *c, const struct d_btr_node *node, uint32_t height, bool root,
	   uint64_t *aug_out, const void **first_out)
{
	const struct btr_geo *g = c->g;
	const void *first = NULL;
	const void *e;
	bool leaf = height == 0;
	uint64_t max = 0;
	uint64_t m;
	uint32_t i;
	int rc;

	if (node->nr == 0 || node->nr > node->cap || node->cap > node_max(g, leaf)) {
		D_ERROR("btree node at height %u holds %u of %u records (max %u)", height, node->nr,
			node->cap, node_max(g, leaf));
		return -DER_INVAL;
	}
	if (root && !leaf && node->nr < 2) {
		D_ERROR("btree internal root has a single child");
		return -DER_INVAL;
	}
	for (i = 0; i < node->nr; i++) {
		if (leaf) {
			e = entry_at(g, node, i);
			if (c->prev != NULL && g->ops->cmp_entry(c->prev, e) >= 0) {
				D_ERROR("btree entry %u of a leaf is out of order", i);
				return -DER_INVAL;
			}
			c->prev = e;
			c->nr++;
			m = g->ops->aug != NULL ? g->ops->aug(e) : 0;
		} else {
			rc = check_node(c, child_at(g, node, i), height - 1, false, &m, &e);
			if (rc != 0)
				return rc;
			if (g->ops->cmp_entry(sep_at(g, node, i), e) != 0) {
				D_ERROR("btree separator %u at height %u is not its child's first entry",
					i, height);
				return -DER_INVAL;
			}
			if (g->ops->aug != NULL && *aug_ref(g, node, i) != m) {
				D_ERROR("btree maximum %u at height %u is " DF_U64 ", not " DF_U64,
					i, height, *aug_ref(g, node, i), m);
				return -DER_INVAL;
			}
		}
		if (i == 0)
			first = e;
		if (m > max)
			max = m;
	}
	*aug_out = max;
	*first_out = first;
	return 0;
}

D_EXPORT int
d_btr_check(const struct d_btr *tree)
{
	struct btr_check c = { 0 };
	struct btr_geo g;
	const void *first;
	uint64_t max;
	int rc;

	if (tree->root == NULL) {
		if (tree->nr != 0 || tree->depth != 0) {
			D_ERROR("empty btree claims " DF_U64 " entries, depth %u", tree->nr,
				tree->depth);
			return -DER_INVAL;
		}
		return 0;
	}
	if (tree->depth == 0 || tree->depth > D_BTR_DEPTH_MAX) {
		D_ERROR("btree depth %u is out of range", tree->depth);
		return -DER_INVAL;
	}
	geo_init(&g, tree->ops);
	c.g = &g;
	rc = check_node(&c, tree->root, tree->depth - 1, true, &max, &first);
	if (rc != 0)
		return rc;
	if (c.nr != tree->nr) {
		D_ERROR("btree holds " DF_U64 " entries but counts " DF_U64, c.nr, tree->nr);
		return -DER_INVAL;
	}
	return 0;
}
