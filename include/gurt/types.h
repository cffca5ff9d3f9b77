/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gurt/types.h - the value types of the gurt interface (ranks and rank lists, iovs,
 * scatter/gather lists, strings, UUIDs) and the functions on them, plus gurt's hash
 * functions. Applications get all of it through <gurt/common.h>, as with DAOS; the
 * hash tables themselves are in <gurt/hash.h>.
 *
 * Ownership: a d_rank_list_t or d_rank_range_list_t returned by a function here is
 * the caller's, freed with d_rank_list_free() or d_rank_range_list_free(); a string is
 * freed with d_free(). Functions that return a pointer return NULL when memory runs
 * out; functions that return int return 0 or a negative -DER_* code and leave their
 * output arguments untouched on error.
 *
 * Threads: nothing here locks. A list may be read from several threads at once;
 * changing it needs the owner's serialisation.
 */
#ifndef GURT_TYPES_H
#define GURT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uuid/uuid.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A rank: an engine's number in its system. */
typedef uint32_t d_rank_t;
#define CRT_NO_RANK ((d_rank_t)-1)

typedef struct {
	d_rank_t *rl_ranks; /* the ranks */
	uint32_t rl_nr;     /* how many */
} d_rank_list_t;

typedef d_rank_list_t *d_rank_list_ptr_t;

/* The ranks lo..hi, both included. */
typedef struct {
	d_rank_t lo;
	d_rank_t hi;
} d_rank_range_t;

typedef struct {
	d_rank_range_t *rrl_ranges; /* the ranges */
	uint32_t rrl_nr;            /* how many */
} d_rank_range_list_t;

typedef char *d_string_t;
typedef const char *d_const_string_t;

/* A UUID wrapped in a struct, so that it can be assigned and passed by value. */
struct d_uuid {
	uuid_t uuid;
};

/* A buffer: iov_buf_len bytes of room, iov_len of them holding data. */
typedef struct {
	void *iov_buf;
	size_t iov_buf_len;
	size_t iov_len;
} d_iov_t;

/* A scatter/gather list: sg_nr iovs; sg_nr_out of them filled by a fetch. */
typedef struct {
	uint32_t sg_nr;
	uint32_t sg_nr_out;
	d_iov_t *sg_iovs;
} d_sg_list_t;

/* Point @iov at @buf of @size bytes, all of them data. */
static inline void
d_iov_set(d_iov_t *iov, void *buf, size_t size)
{
	iov->iov_buf = buf;
	iov->iov_len = size;
	iov->iov_buf_len = size;
}

/*
 * iovs and scatter/gather lists (iov.c).
 */

/*
 * As d_iov_set(), for a buffer that an asynchronous operation will use after the
 * caller returns: asserts that @buf is not on the calling thread's stack.
 */
void d_iov_set_safe(d_iov_t *iov, void *buf, size_t size);

/*
 * Give @sgl @nr zeroed iovs (none, and sg_iovs NULL, when @nr is 0); sg_nr_out is 0.
 * Returns 0 or -DER_NOMEM, leaving @sgl with no iovs. Undo with d_sgl_fini().
 */
int d_sgl_init(d_sg_list_t *sgl, unsigned int nr);

/*
 * Free the iovs of @sgl (which may be NULL or have none) and, if @free_iovs, the buffer
 * of each, which must then come from d_malloc() or d_calloc(). @sgl is left empty.
 */
void d_sgl_fini(d_sg_list_t *sgl, bool free_iovs);

/* The room in all buffers of @sgl: the sum of iov_buf_len. */
size_t d_sgl_buf_size(d_sg_list_t *sgl);

/*
 * Copy each buffer of @src_sgl whole into the same iov of @dst_sgl, which must have at
 * least as many iovs, each with at least as much room (asserted), and copy the lengths.
 */
void d_sgl_buf_copy(d_sg_list_t *dst_sgl, d_sg_list_t *src_sgl);

/*
 * Rank lists (rank.c). Unless said otherwise the order of a list is kept and
 * duplicates are allowed.
 */

/* A list of @size ranks holding 0, 1, ..., @size - 1; NULL if out of memory. */
d_rank_list_t *d_rank_list_alloc(uint32_t size);
/* Free @rank_list (may be NULL) and its array. */
void d_rank_list_free(d_rank_list_t *rank_list);
/*
 * Make @ptr hold @size ranks: the first ones are kept, new ones are 0. Returns 0 or
 * -DER_NOMEM (the list is unchanged) or -DER_INVAL if @ptr is NULL.
 */
int d_rank_list_resize(d_rank_list_t *ptr, uint32_t size);
/* Make @dst a copy of @src, resizing it. 0, -DER_INVAL (a NULL) or -DER_NOMEM. */
int d_rank_list_copy(d_rank_list_t *dst, d_rank_list_t *src);
/* A new copy of @src in *@dst (NULL if @src is NULL). 0, -DER_INVAL or -DER_NOMEM. */
int d_rank_list_dup(d_rank_list_t **dst, const d_rank_list_t *src);
/* As d_rank_list_dup(), the copy sorted and without duplicates. */
int d_rank_list_dup_sort_uniq(d_rank_list_t **dst, const d_rank_list_t *src);
/*
 * Remove from @dst_set the ranks that are in @src_set (@exclude true) or that are not
 * (@exclude false). Order is kept. Nothing happens if either is NULL.
 */
void d_rank_list_filter(d_rank_list_t *src_set, d_rank_list_t *dst_set, bool exclude);
/* Append to @src_set the ranks of @merge_set it lacks. 0 or -DER_NOMEM. */
int d_rank_list_merge(d_rank_list_t *src_set, d_rank_list_t *merge_set);
/* Sort in increasing order; @rank_list may be NULL. */
void d_rank_list_sort(d_rank_list_t *rank_list);
/* Put the ranks in a random order; @rank_list may be NULL. */
void d_rank_list_shuffle(d_rank_list_t *rank_list);
/* Whether @rank is in @rank_list (may be NULL); if so and @idx, its first index. */
bool d_rank_list_find(d_rank_list_t *rank_list, d_rank_t rank, int *idx);
/* Whether @rank is in @rank_list (may be NULL). */
bool d_rank_in_rank_list(d_rank_list_t *rank_list, d_rank_t rank);
/* The index of @rank in *@idx: 0, or -DER_NONEXIST, or -DER_INVAL for a NULL. */
int d_idx_in_rank_list(d_rank_list_t *rank_list, d_rank_t rank, uint32_t *idx);
/* Remove the rank at @idx, which must be in the list (asserted). */
void d_rank_list_del_at(d_rank_list_t *list, int idx);
/* Remove the first @rank if present. 0 (also when absent) or -DER_INVAL if NULL. */
int d_rank_list_del(d_rank_list_t *rank_list, d_rank_t rank);
/* Add @rank at the end. 0, -DER_INVAL if NULL, or -DER_NOMEM (list unchanged). */
int d_rank_list_append(d_rank_list_t *rank_list, d_rank_t rank);
/*
 * Whether the lists hold the same ranks as many times each, in any order. Both lists
 * may be sorted in place as a side effect. Two NULLs are identical.
 */
bool d_rank_list_identical(d_rank_list_t *rank_list1, d_rank_list_t *rank_list2);
/* Log the list at debug level (DB_TRACE) under @name, at most @name_len bytes long. */
int d_rank_list_dump(d_rank_list_t *rank_list, d_string_t name, int name_len);
/* A new list of the @len values of @ints; NULL if out of memory. */
d_rank_list_t *uint32_array_to_rank_list(uint32_t *ints, size_t len);
/* A new array (free with d_free()) of the ranks of @rl in *@ints, its length in *@len. */
int rank_list_to_uint32_array(d_rank_list_t *rl, uint32_t **ints, size_t *len);
/*
 * The set of ranks in @rank_list as a new string in the syntax of dmg's --ranks,
 * "[0-3,5,7-9]": sorted, duplicates dropped, "[]" for an empty or NULL list. Free it
 * with d_free(). 0, -DER_INVAL (@rank_str NULL) or -DER_NOMEM.
 */
int d_rank_list_to_str(d_rank_list_t *rank_list, char **rank_str);
/*
 * Parse a rank set: @len bytes at @str (no terminating NUL needed), such as
 * "0-3,5,7-9" or "[0-3,5]". Spaces and tabs may surround numbers, commas, dashes and
 * brackets; "" and "[]" are the empty set. Ranks are decimal, 0 to CRT_NO_RANK - 1. On
 * success *@ranks is a new list, sorted and without duplicates, of at most
 * D_RANK_LIST_PARSE_MAX ranks. Returns 0, -DER_INVAL for anything else (including a
 * range with lo > hi or a set too large), or -DER_NOMEM.
 */
int d_rank_list_parse(const char *str, size_t len, d_rank_list_t **ranks);
#define D_RANK_LIST_PARSE_MAX (1u << 20)

/* Rank ranges. */

/* A list of @size zeroed ranges; NULL if out of memory. */
d_rank_range_list_t *d_rank_range_list_alloc(uint32_t size);
/*
 * Resize @range_list to @size ranges (new ones zeroed) and return it; NULL @range_list
 * allocates one. On failure NULL is returned and @range_list is unchanged and still
 * the caller's. A @size of 0 frees @range_list and returns NULL.
 */
d_rank_range_list_t *d_rank_range_list_realloc(d_rank_range_list_t *range_list, uint32_t size);
/*
 * The ranks of @rank_list (may be NULL; not changed) as the fewest ranges, in
 * increasing order; NULL if out of memory.
 */
d_rank_range_list_t *d_rank_range_list_create_from_ranks(d_rank_list_t *rank_list);
/*
 * @list as a new string "[0-3,5]" (a range of one rank printed as one number); free it
 * with d_free(). 0, -DER_INVAL or -DER_NOMEM.
 */
int d_rank_range_list_str(d_rank_range_list_t *list, char **ranks_str);
/*
 * Parse the syntax of d_rank_list_parse() into the fewest ranges, in increasing order,
 * without expanding them (so "0-4000000000" is fine). Returns 0, -DER_INVAL or
 * -DER_NOMEM; *@ranges is set only on success.
 */
int d_rank_range_list_parse(const char *str, size_t len, d_rank_range_list_t **ranges);
void d_rank_range_list_free(d_rank_range_list_t *range_list);

/*
 * Hash functions (hash.c). They are declared here, not in <gurt/hash.h>, so that
 * <gurt/common.h> provides them as DAOS's does.
 */

/* Multipliers for the multiplicative hashes below. */
#define DGOLDEN_RATIO_PRIME_64 0xcbf29ce484222325ULL
#define DGOLDEN_RATIO_PRIME_32 0x9e370001UL

/* The top @bits bits (1..64) of @val times a large odd constant. */
static inline uint64_t
d_u64_hash(uint64_t val, unsigned int bits)
{
	return (val * DGOLDEN_RATIO_PRIME_64) >> (64 - bits);
}

/* @key times a 32-bit constant, shifted right by 32 - @bits (1..32). */
static inline uint32_t
d_u32_hash(uint64_t key, unsigned int bits)
{
	return (uint32_t)((DGOLDEN_RATIO_PRIME_32 * key) >> (32 - bits));
}

/* Thomas Wang's 64-bit integer mix. */
uint64_t d_hash_mix64(uint64_t key);
/* Bob Jenkins' 96-bit mix of three words into one. */
uint32_t d_hash_mix96(uint32_t a, uint32_t b, uint32_t c);
/*
 * In @hashes, sorted increasing, the index of the last entry <= @value, or 0 if
 * @value is below them all. @nhashes must be at least 1.
 */
unsigned int d_hash_srch_u64(uint64_t *hashes, unsigned int nhashes, uint64_t value);
/* Dan Bernstein's djb2 over @len bytes of @string (which need not end in NUL). */
uint32_t d_hash_string_u32(const char *string, unsigned int len);
/*
 * Austin Appleby's MurmurHash64A of @key_len bytes with @seed. Words are read in host
 * order, as the reference implementation does; on little-endian hosts the values are
 * those of DAOS and of the reference.
 */
uint64_t d_hash_murmur64(const unsigned char *key, unsigned int key_len, unsigned int seed);
/*
 * Lamping and Veach's jump consistent hash: a bucket in [0, @num_buckets) for @key;
 * growing the count from n to n + 1 moves only about 1/(n + 1) of the keys, all into the
 * new bucket. 0 when @num_buckets is 0.
 */
uint32_t d_hash_jump(uint64_t key, uint32_t num_buckets);

#define LOWEST_BIT_SET(x) ((x) & ~((x)-1))

/* The smallest n with (1 << n) >= @val; 0 for 0 and 1. */
static inline unsigned int
d_power2_nbits(unsigned int val)
{
	unsigned int n = 0;

	while (n < 32 && (1ULL << n) < val)
		n++;
	return n;
}

#ifdef __cplusplus
}
#endif

#endif /* GURT_TYPES_H */
