/* SPDX-License-Identifier: Apache-2.0 */
/*
 * freelist.h - a per-thread list of freed objects of one size, for request contexts
 * allocated and freed once per I/O on a hot path.
 *
 * glibc keeps 7 freed chunks per size in its thread cache; an engine target with 8 or
 * 16 requests in flight overflows it, and every context then goes through the slower
 * bins (malloc and free were ~15% of a target's time under 4 KiB updates). A list of
 * up to @max objects is kept instead. Objects come back zeroed, as from d_calloc; the
 * owner drains the list before its thread ends (the allocator's live counts, which the
 * tests check, see cached objects as allocated).
 *
 * Declare one list per object type and thread: static __thread struct d_freelist fl;
 */
#ifndef COMMON_FREELIST_H
#define COMMON_FREELIST_H

#include <gurt/common.h>
#include <string.h>

struct d_freelist {
	void *head; /* each cached object's first word links to the next */
	uint32_t nr;
};

/* A zeroed object of @size bytes (the same size every time for one list), or NULL. */
static inline void *
d_freelist_get(struct d_freelist *fl, size_t size)
{
	void *obj = fl->head;

	if (obj == NULL)
		return d_calloc(1, size);
	memcpy(&fl->head, obj, sizeof(void *));
	fl->nr--;
	memset(obj, 0, size);
	return obj;
}

/* Give @obj back: kept while the list holds fewer than @max, else freed. */
static inline void
d_freelist_put(struct d_freelist *fl, void *obj, uint32_t max)
{
	if (obj == NULL)
		return;
	if (fl->nr >= max) {
		d_free(obj);
		return;
	}
	memcpy(obj, &fl->head, sizeof(void *));
	fl->head = obj;
	fl->nr++;
}

/* Free every cached object. */
static inline void
d_freelist_drain(struct d_freelist *fl)
{
	while (fl->head != NULL) {
		void *obj = fl->head;

		memcpy(&fl->head, obj, sizeof(void *));
		d_free(obj);
	}
	fl->nr = 0;
}

#endif /* COMMON_FREELIST_H */
