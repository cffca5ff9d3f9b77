/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/test.h - what every cmocka unit test includes (and nothing else of cmocka's):
 * the headers cmocka needs first, cmocka, the gurt basics, and helpers to check that a
 * test left no allocation behind.
 */
#ifndef COMMON_TEST_H
#define COMMON_TEST_H

#include <gurt/common.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Remember the live allocation count; check it with TEST_ALLOC_CHECK(). */
#define TEST_ALLOC_MARK() uint64_t test_alloc_mark__ = d_alloc_nr_live()
#define TEST_ALLOC_CHECK() assert_int_equal(d_alloc_nr_live(), test_alloc_mark__)

/* A fresh temporary directory for one test; the caller frees the string. */
static inline char *
test_tmpdir(const char *tag)
{
	char *path = NULL;
	const char *base = getenv("TMPDIR");

	if (d_asprintf(&path, "%s/%s.XXXXXX", base ? base : "/tmp", tag) < 0)
		return NULL;
	if (mkdtemp(path) == NULL) {
		d_free(path);
		return NULL;
	}
	return path;
}

#endif /* COMMON_TEST_H */
