/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alloc.c - the allocator wrappers. Blocks come from malloc() so that memory handed to
 * applications may be freed either way; sizes come from malloc_usable_size(), so no
 * header is added to each block. Counters are relaxed atomics: exact totals once the
 * threads that allocate are quiescent, which is when tests read them.
 *
 * Fault injection: fail_countdown counts allocation calls down; the call that takes it
 * from 1 to 0 fails. It is a single atomic decrement when armed and a single load when
 * not, so it stays compiled into every build and tests use the same binary as users.
 */
#define D_LOGFAC DD_FAC(mem)

#include <malloc.h>
#include <stdio.h>

#include "common/common_int.h"

static uint64_t nr_live;
static uint64_t bytes_live;
static uint64_t fail_countdown;
/* Bytes allocated minus bytes freed by this thread (may go negative across threads). */
static __thread int64_t thread_bytes;

static bool
alloc_should_fail(void)
{
	uint64_t left = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);

	if (__builtin_expect(left == 0, 1))
		return false;
	/* Only one caller may take the count from 1 to 0. */
	while (left != 0) {
		if (__atomic_compare_exchange_n(&fail_countdown, &left, left - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return left == 1;
	}
	return false;
}

static void
alloc_account(void *ptr)
{
	size_t size = malloc_usable_size(ptr);

	__atomic_fetch_add(&nr_live, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&bytes_live, size, __ATOMIC_RELAXED);
	thread_bytes += (int64_t)size;
}

static void
alloc_unaccount(void *ptr)
{
	size_t size = malloc_usable_size(ptr);

	__atomic_fetch_sub(&nr_live, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&bytes_live, size, __ATOMIC_RELAXED);
	thread_bytes -= (int64_t)size;
}

D_EXPORT void *
d_calloc(size_t n, size_t size)
{
	void *ptr;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	if (alloc_should_fail())
		return NULL;
	ptr = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
	if (ptr != NULL)
		alloc_account(ptr);
	return ptr;
}

D_EXPORT void *
d_malloc(size_t size)
{
	void *ptr;

	if (alloc_should_fail())
		return NULL;
	ptr = malloc(size == 0 ? 1 : size);
	if (ptr != NULL)
		alloc_account(ptr);
	return ptr;
}

D_EXPORT void *
d_aligned_alloc(size_t align, size_t size)
{
	void *ptr;

	if (alloc_should_fail())
		return NULL;
	/* Zeroed like d_calloc would be too costly for large I/O buffers: not zeroed. */
	if (posix_memalign(&ptr, align, size == 0 ? 1 : size) != 0)
		return NULL;
	alloc_account(ptr);
	return ptr;
}

D_EXPORT void *
d_realloc(void *ptr, size_t size)
{
	void *out;
	size_t old = 0;

	if (alloc_should_fail())
		return NULL;
	if (ptr != NULL)
		old = malloc_usable_size(ptr);
	out = realloc(ptr, size == 0 ? 1 : size);
	if (out == NULL)
		return NULL;
	if (ptr == NULL) {
		alloc_account(out);
	} else {
		size_t now = malloc_usable_size(out);

		__atomic_fetch_sub(&bytes_live, old, __ATOMIC_RELAXED);
		__atomic_fetch_add(&bytes_live, now, __ATOMIC_RELAXED);
		thread_bytes += (int64_t)now - (int64_t)old;
	}
	return out;
}

D_EXPORT void *
d_reallocarray(void *ptr, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return d_realloc(ptr, n * size);
}

D_EXPORT char *
d_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *out = d_malloc(len + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

D_EXPORT char *
d_strdup(const char *s)
{
	return d_strndup(s, SIZE_MAX);
}

D_EXPORT int
d_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -DER_INVAL;
	buf = d_malloc((size_t)len + 1);
	if (buf == NULL)
		return -DER_NOMEM;
	va_start(ap, fmt);
	vsnprintf(buf, (size_t)len + 1, fmt, ap);
	va_end(ap);
	*out = buf;
	return len;
}

D_EXPORT void
d_free(void *ptr)
{
	if (ptr == NULL)
		return;
	alloc_unaccount(ptr);
	free(ptr);
}

D_EXPORT uint64_t
d_alloc_nr_live(void)
{
	return __atomic_load_n(&nr_live, __ATOMIC_RELAXED);
}

D_EXPORT uint64_t
d_alloc_bytes_live(void)
{
	return __atomic_load_n(&bytes_live, __ATOMIC_RELAXED);
}

D_EXPORT int64_t
d_alloc_thread_bytes(void)
{
	return thread_bytes;
}

D_EXPORT void
d_alloc_fail_nth(uint64_t nth)
{
	__atomic_store_n(&fail_countdown, nth, __ATOMIC_RELAXED);
}

D_EXPORT uint64_t
d_alloc_fail_pending(void)
{
	return __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
}
