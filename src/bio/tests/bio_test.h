/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_test.h - helpers shared by the bio unit tests: a scratch directory per test and a
 * formatted device in it. Includes "common/test.h" (so cmocka comes first whatever the
 * order of a test's includes) and "bio/bio.h".
 */
#ifndef BIO_TEST_H
#define BIO_TEST_H

#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include "bio/bio.h"
#include "common/test.h"

#define MiB (1ull << 20)

/* A scratch directory and the device file in it. */
struct bt_dir {
	char *dir;  /* from test_tmpdir() */
	char *path; /* dir + "/dev" */
};

static inline void
bt_dir_init(struct bt_dir *d, const char *tag)
{
	d->dir = test_tmpdir(tag);
	assert_non_null(d->dir);
	assert_true(d_asprintf(&d->path, "%s/dev", d->dir) > 0);
}

static inline int
bt_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove the directory and everything in it. */
static inline void
bt_dir_fini(struct bt_dir *d)
{
	assert_int_equal(nftw(d->dir, bt_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	d_free(d->path);
	d_free(d->dir);
}

/* Create, open and format a file device of @size bytes at @path. */
static inline struct bio_dev *
bt_dev_new(const char *path, uint64_t size)
{
	struct bio_dev *dev = NULL;

	assert_int_equal(bio_dev_open(path, size, BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_dev_format(dev), 0);
	return dev;
}

/* Reopen the device at @path and load its table. */
static inline struct bio_dev *
bt_dev_reopen(const char *path)
{
	struct bio_dev *dev = NULL;

	assert_int_equal(bio_dev_open(path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_load(dev), 0);
	return dev;
}

static inline struct bio_blob_id
bt_id(uint32_t target, uint32_t role)
{
	struct bio_blob_id id = { .target = target, .role = role };

	memset(id.pool, 0xab, sizeof(id.pool));
	return id;
}

#endif /* BIO_TEST_H */
