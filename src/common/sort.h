/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sort.h - qsort() for arrays that may be empty. qsort(NULL, 0, ...) is undefined
 * behaviour (its pointer is declared non-null) and an empty array is often NULL here;
 * the sanitizer tree stops on it.
 */
#ifndef COMMON_SORT_H
#define COMMON_SORT_H

#include <stdlib.h>

static inline void
d_sort(void *base, size_t nr, size_t size, int (*cmp)(const void *, const void *))
{
	if (nr > 1)
		qsort(base, nr, size, cmp);
}

#endif
