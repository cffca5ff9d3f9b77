/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gurt/common.h - the basics every DAOS program and module uses: allocation, errors,
 * logging, lists, iovs and scatter/gather lists, rank lists, the hybrid logical clock.
 *
 * Allocation: d_calloc() and friends zero memory, check n * size for overflow and count
 * live blocks, so tests can check that nothing leaked; d_alloc_fail_nth() makes the
 * Nth allocation from now fail, so error paths can be walked one by one. Blocks come
 * from malloc(): free() on them is valid, though it skips the count. The D_ALLOC family
 * of macros is gurt's interface for applications and uses the same allocator.
 */
#ifndef GURT_COMMON_H
#define GURT_COMMON_H

#include <daos_errno.h>
#include <gurt/debug.h>
#include <gurt/hlc.h>
#include <gurt/list.h>
#include <gurt/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported from our shared libraries (which are built with -fvisibility=hidden). */
#define D_EXPORT __attribute__((visibility("default")))

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define D_ALIGNUP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define D_MIN(a, b) ((a) < (b) ? (a) : (b))
#define D_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Zeroed memory for @n objects of @size bytes; NULL on overflow or exhaustion. */
void *d_calloc(size_t n, size_t size);
/* Uninitialised memory, for buffers about to be overwritten whole. */
void *d_malloc(size_t size);
/*
 * Uninitialised memory of @size bytes aligned to @align (a power of two, a multiple of
 * sizeof(void *)), e.g. for O_DIRECT I/O; freed with d_free like the others.
 */
void *d_aligned_alloc(size_t align, size_t size);
/*
 * Resize @ptr (may be NULL) to @size bytes; NULL on failure, leaving @ptr valid.
 * Bytes past the old size are not zeroed.
 */
void *d_realloc(void *ptr, size_t size);
/* Like d_realloc() for @n objects of @size bytes, failing on overflow. */
void *d_reallocarray(void *ptr, size_t n, size_t size);
/* A copy of at most @n bytes of @s, always terminated; NULL on failure. */
char *d_strndup(const char *s, size_t n);
char *d_strdup(const char *s);
/* Format into a new string in *@out; returns its length or -DER_NOMEM. */
int d_asprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void d_free(void *ptr);

/* Allocator statistics, for tests: blocks and bytes currently allocated. */
uint64_t d_alloc_nr_live(void);
uint64_t d_alloc_bytes_live(void);
/*
 * Bytes this thread allocated minus bytes it freed, since it started. A thread that owns
 * a structure measures its memory as the difference around the calls that change it.
 */
int64_t d_alloc_thread_bytes(void);
/*
 * Make the @nth allocation from now fail (1 = the next one), once; 0 turns it off.
 * Counts calls of every thread. Returns the calls left before the failure: 0 once it
 * has fired, so a test knows whether its operation reached the Nth allocation.
 */
void d_alloc_fail_nth(uint64_t nth);
uint64_t d_alloc_fail_pending(void);

/* gurt's allocation macros, for applications. */
#define D_ALLOC(ptr, size) ((ptr) = d_calloc(1, (size)))
#define D_ALLOC_NZ(ptr, size) ((ptr) = d_malloc(size))
#define D_ALLOC_PTR(ptr) D_ALLOC(ptr, sizeof(*(ptr)))
#define D_ALLOC_PTR_NZ(ptr) D_ALLOC_NZ(ptr, sizeof(*(ptr)))
#define D_ALLOC_ARRAY(ptr, count) ((ptr) = d_calloc((count), sizeof(*(ptr))))
#define D_ALLOC_ARRAY_NZ(ptr, count) ((ptr) = d_reallocarray(NULL, (count), sizeof(*(ptr))))
#define D_REALLOC(newptr, oldptr, oldsize, size)        \
	do {                                            \
		(void)(oldsize);                        \
		(newptr) = d_realloc((oldptr), (size)); \
	} while (0)
#define D_REALLOC_ARRAY(newptr, oldptr, oldcount, count)                         \
	do {                                                                     \
		(void)(oldcount);                                                \
		(newptr) = d_reallocarray((oldptr), (count), sizeof(*(oldptr))); \
	} while (0)
#define D_STRNDUP(ptr, s, n) ((ptr) = d_strndup((s), (n)))
#define D_ASPRINTF(ptr, ...)                             \
	do {                                             \
		if (d_asprintf(&(ptr), __VA_ARGS__) < 0) \
			(ptr) = NULL;                    \
	} while (0)
#define D_FREE(ptr)           \
	do {                  \
		d_free(ptr);  \
		(ptr) = NULL; \
	} while (0)

#ifdef __cplusplus
}
#endif

#endif /* GURT_COMMON_H */
