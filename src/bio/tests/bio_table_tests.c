/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_table_tests.c - the blob table: create, open, destroy, iterate; persistence; first
 * fit; running out of space and of table entries; torn and corrupt copies; a newer
 * format; failures injected at each I/O of an update.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <isa-l/crc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <pthread.h>
#include <sys/ioctl.h>

#include "bio/bio.h"
#include "bio/bio_int.h"
#include "bio/tests/bio_test.h"
#include "common/test.h"

struct seen {
	unsigned int nr;
	uint64_t bytes;
	uint32_t targets; /* bit per target index < 32 */
};

static int
count_blob(const struct bio_blob_id *id, uint64_t size, void *arg)
{
	struct seen *s = arg;

	s->nr++;
	s->bytes += size;
	if (id->target < 32)
		s->targets |= 1u << id->target;
	return 0;
}

static int
stop_at_second(const struct bio_blob_id *id, uint64_t size, void *arg)
{
	unsigned int *nr = arg;

	(void)id;
	(void)size;
	return ++*nr == 2 ? 42 : 0;
}

static struct seen
iterate(struct bio_dev *dev)
{
	struct seen s = { 0 };

	assert_int_equal(bio_blob_iterate(dev, count_blob, &s), 0);
	return s;
}

static void
create_open_destroy_iterate(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_blob_id a = bt_id(0, BIO_ROLE_WAL);
	struct bio_blob_id b = bt_id(1, BIO_ROLE_META);
	struct bio_blob_id c = bt_id(1, BIO_ROLE_DATA);
	struct bio_blob_id bad = bt_id(2, 3);
	struct bio_blob *blob;
	struct bio_dev *dev;
	struct bt_dir d;
	struct seen s;
	unsigned int nr = 0;

	(void)state;
	bt_dir_init(&d, "bio_table");
	assert_int_equal(bio_dev_open(d.path, 16 * MiB, BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_blob_create(dev, &a, MiB), -DER_UNINIT);
	assert_int_equal(bio_dev_load(dev), -DER_DF_INVAL); /* never formatted */
	assert_int_equal(bio_dev_format(dev), 0);
	assert_int_equal(bio_dev_free(dev), 15 * MiB);

	assert_int_equal(bio_blob_create(dev, &a, 1), 0); /* rounded up to 1 MiB */
	assert_int_equal(bio_blob_create(dev, &b, 2 * MiB + 1), 0);
	assert_int_equal(bio_blob_create(dev, &c, 4 * MiB), 0);
	assert_int_equal(bio_blob_create(dev, &b, MiB), -DER_EXIST);
	assert_int_equal(bio_blob_create(dev, &bad, MiB), -DER_INVAL);
	assert_int_equal(bio_blob_create(dev, &bad, 0), -DER_INVAL);
	assert_int_equal(bio_dev_free(dev), 7 * MiB);

	s = iterate(dev);
	assert_int_equal(s.nr, 3);
	assert_int_equal(s.bytes, 8 * MiB);
	assert_int_equal(s.targets, 3);
	assert_int_equal(bio_blob_iterate(dev, stop_at_second, &nr), 42);

	assert_int_equal(bio_blob_open(dev, &b, &blob), 0);
	assert_int_equal(bio_blob_size(blob), 3 * MiB);
	assert_int_equal(bio_blob_destroy(dev, &b), -DER_BUSY);
	assert_int_equal(bio_dev_load(dev), -DER_BUSY);
	assert_int_equal(bio_dev_format(dev), -DER_BUSY);
	bio_blob_close(blob);
	assert_int_equal(bio_blob_destroy(dev, &b), 0);
	assert_int_equal(bio_blob_destroy(dev, &b), -DER_NONEXIST);
	assert_int_equal(bio_blob_open(dev, &b, &blob), -DER_NONEXIST);
	assert_int_equal(bio_dev_free(dev), 10 * MiB);
	s = iterate(dev);
	assert_int_equal(s.nr, 2);

	/* A format forgets every blob. */
	assert_int_equal(bio_dev_format(dev), 0);
	assert_int_equal(iterate(dev).nr, 0);
	assert_int_equal(bio_dev_free(dev), 15 * MiB);
	bio_dev_close(dev);
	dev = bt_dev_reopen(d.path);
	assert_int_equal(iterate(dev).nr, 0);
	bio_dev_close(dev);

	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* Blobs, their sizes and their bytes survive close and reopen. */
static void
persistence(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_blob *blob;
	struct bio_dev *dev;
	struct bio_blob_id id;
	struct bt_dir d;
	char buf[64];
	uint32_t t;

	(void)state;
	bt_dir_init(&d, "bio_table");
	dev = bt_dev_new(d.path, 64 * MiB);
	for (t = 0; t < 20; t++) {
		id = bt_id(t, BIO_ROLE_DATA);
		assert_int_equal(bio_blob_create(dev, &id, (t % 3 + 1) * MiB), 0);
		assert_int_equal(bio_blob_open(dev, &id, &blob), 0);
		snprintf(buf, sizeof(buf), "blob %u", t);
		assert_int_equal(bio_write(blob, 0, buf, sizeof(buf)), 0);
		bio_blob_close(blob);
	}
	id = bt_id(7, BIO_ROLE_DATA);
	assert_int_equal(bio_blob_destroy(dev, &id), 0);
	bio_dev_close(dev);

	dev = bt_dev_reopen(d.path);
	assert_int_equal(iterate(dev).nr, 19);
	for (t = 0; t < 20; t++) {
		char want[64];

		id = bt_id(t, BIO_ROLE_DATA);
		if (t == 7) {
			assert_int_equal(bio_blob_open(dev, &id, &blob), -DER_NONEXIST);
			continue;
		}
		assert_int_equal(bio_blob_open(dev, &id, &blob), 0);
		assert_int_equal(bio_blob_size(blob), (t % 3 + 1) * MiB);
		assert_int_equal(bio_read(blob, 0, buf, sizeof(buf)), 0);
		snprintf(want, sizeof(want), "blob %u", t);
		assert_string_equal(buf, want);
		bio_blob_close(blob);
	}
	bio_dev_close(dev);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/*
 * Freed space is reused first fit: a new blob lands in the lowest gap that holds it.
 * Blob bytes are not cleared, so a blob's content tells where it landed.
 */
static void
first_fit_and_nospace(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_blob_id ids[6];
	struct bio_blob *blob;
	struct bio_dev *dev;
	struct bt_dir d;
	char tag;
	int i;

	(void)state;
	bt_dir_init(&d, "bio_table");
	/* 10 MiB + a bit: 9 MiB of blob space (the tail short of 1 MiB is not used) */
	dev = bt_dev_new(d.path, 10 * MiB + 4096);
	assert_int_equal(bio_dev_free(dev), 9 * MiB);
	for (i = 0; i < 6; i++)
		ids[i] = bt_id((uint32_t)i, BIO_ROLE_DATA);
	/* a:1 b:2 c:1 d:3 -> 7 MiB, 2 left at the end */
	assert_int_equal(bio_blob_create(dev, &ids[0], MiB), 0);
	assert_int_equal(bio_blob_create(dev, &ids[1], 2 * MiB), 0);
	assert_int_equal(bio_blob_create(dev, &ids[2], MiB), 0);
	assert_int_equal(bio_blob_create(dev, &ids[3], 3 * MiB), 0);
	for (i = 0; i < 4; i++) {
		tag = (char)('a' + i);
		assert_int_equal(bio_blob_open(dev, &ids[i], &blob), 0);
		assert_int_equal(bio_write(blob, 0, &tag, 1), 0);
		bio_blob_close(blob);
	}
	assert_int_equal(bio_blob_create(dev, &ids[4], 3 * MiB), -DER_NOSPACE);

	/* Free b (2 MiB, second) and a (1 MiB, first): a 3 MiB gap at the start */
	assert_int_equal(bio_blob_destroy(dev, &ids[1]), 0);
	assert_int_equal(bio_dev_free(dev), 4 * MiB);
	/* 3 MiB: neither the 2 MiB gap nor the 2 MiB tail holds it */
	assert_int_equal(bio_blob_create(dev, &ids[4], 3 * MiB), -DER_NOSPACE);
	assert_int_equal(bio_blob_destroy(dev, &ids[0]), 0);
	assert_int_equal(bio_blob_create(dev, &ids[4], 3 * MiB), 0);
	assert_int_equal(bio_blob_open(dev, &ids[4], &blob), 0);
	assert_int_equal(bio_read(blob, 0, &tag, 1), 0);
	assert_int_equal(tag, 'a'); /* where a was */
	assert_int_equal(bio_read(blob, MiB, &tag, 1), 0);
	assert_int_equal(tag, 'b'); /* and b after it */
	bio_blob_close(blob);

	/* The tail takes 2 MiB, then nothing fits */
	assert_int_equal(bio_blob_create(dev, &ids[5], 2 * MiB), 0);
	assert_int_equal(bio_dev_free(dev), 0);
	ids[0].target = 100;
	assert_int_equal(bio_blob_create(dev, &ids[0], 1), -DER_NOSPACE);
	assert_int_equal(bio_blob_create(dev, &ids[0], UINT64_MAX), -DER_NOSPACE);
	bio_dev_close(dev);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* The table holds BIO_TABLE_MAX_BLOBS entries; one more is -DER_NOSPACE. */
static void
table_full(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_table t = { 0 };
	struct bio_blob_id id = bt_id(999999, BIO_ROLE_WAL);
	struct bio_dev *dev;
	struct bt_dir d;
	uint64_t size = (uint64_t)(BIO_TABLE_MAX_BLOBS + 2) * MiB;
	void *copy;
	uint32_t i;
	int fd;

	(void)state;
	bt_dir_init(&d, "bio_table");
	/* A sparse file: ~13 GiB of address space, nothing allocated. */
	fd = open(d.path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);

	/* Writing 13106 table updates would take long: write the full table directly. */
	t.gen = 5;
	t.nr_entries = BIO_TABLE_MAX_BLOBS;
	t.entries = d_calloc(t.nr_entries + 1, sizeof(*t.entries)); /* + 1: see below */
	assert_non_null(t.entries);
	for (i = 0; i < t.nr_entries; i++) {
		t.entries[i].id = bt_id(i, BIO_ROLE_DATA);
		t.entries[i].off = (uint64_t)(i + 1) * MiB;
		t.entries[i].size = MiB;
	}
	copy = d_calloc(1, BIO_TABLE_COPY_SIZE);
	assert_non_null(copy);
	assert_int_equal(bio_table_encode(&t, copy, BIO_TABLE_COPY_SIZE), 0);
	assert_int_equal(pwrite(fd, copy, BIO_TABLE_COPY_SIZE, 0), BIO_TABLE_COPY_SIZE);
	close(fd);
	/* One more entry does not fit in a copy. */
	t.nr_entries++;
	assert_true(bio_table_encoded_len(&t) > BIO_TABLE_COPY_SIZE);
	assert_int_equal(bio_table_encode(&t, copy, BIO_TABLE_COPY_SIZE), -DER_OVERFLOW);
	d_free(copy);
	bio_table_fini(&t);

	dev = bt_dev_reopen(d.path); /* copy 1 is empty: a warning, copy 0 is used */
	assert_int_equal(iterate(dev).nr, BIO_TABLE_MAX_BLOBS);
	assert_int_equal(bio_dev_free(dev), MiB);
	assert_int_equal(bio_blob_create(dev, &id, MiB), -DER_NOSPACE);
	id = bt_id(3, BIO_ROLE_DATA);
	assert_int_equal(bio_blob_destroy(dev, &id), 0);
	id = bt_id(999999, BIO_ROLE_WAL);
	assert_int_equal(bio_blob_create(dev, &id, MiB), 0);
	assert_int_equal(bio_blob_create(dev, &id, MiB), -DER_EXIST);
	bio_dev_close(dev);

	dev = bt_dev_reopen(d.path);
	assert_int_equal(iterate(dev).nr, BIO_TABLE_MAX_BLOBS);
	bio_dev_close(dev);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* The generation field of copy @slot of the device at @path (0 if unreadable). */
static uint64_t
copy_gen(const char *path, unsigned int slot)
{
	uint8_t hdr[24];
	uint64_t gen = 0;
	int fd = open(path, O_RDONLY);
	int i;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, hdr, sizeof(hdr), (off_t)slot * BIO_TABLE_COPY_SIZE),
			 sizeof(hdr));
	close(fd);
	for (i = 7; i >= 0; i--)
		gen = (gen << 8) | hdr[16 + i];
	return gen;
}

/* Flip a byte at @off of copy @slot. */
static void
corrupt(const char *path, unsigned int slot, uint64_t off)
{
	uint8_t b;
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	off += (uint64_t)slot * BIO_TABLE_COPY_SIZE;
	assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x5a;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

/* A device with blobs of targets 0..@nr-1, closed; returns the slot of the newest copy. */
static unsigned int
device_with_blobs(const char *path, uint32_t nr)
{
	struct bio_blob_id id;
	struct bio_dev *dev;
	uint32_t t;

	dev = bt_dev_new(path, 32 * MiB);
	for (t = 0; t < nr; t++) {
		id = bt_id(t, BIO_ROLE_META);
		assert_int_equal(bio_blob_create(dev, &id, MiB), 0);
	}
	bio_dev_close(dev);
	return copy_gen(path, 1) > copy_gen(path, 0) ? 1 : 0;
}

static void
torn_copies(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_dev *dev;
	struct bt_dir d;
	unsigned int newest;

	(void)state;
	bt_dir_init(&d, "bio_table");

	/* The newest copy torn (an entry's bytes): the older one, one blob fewer, is used */
	newest = device_with_blobs(d.path, 3);
	assert_int_equal(copy_gen(d.path, newest), copy_gen(d.path, 1 - newest) + 1);
	corrupt(d.path, newest, 24 + 40 + 30);
	dev = bt_dev_reopen(d.path);
	assert_int_equal(iterate(dev).nr, 2);
	/* The next update overwrites the torn copy, and both are valid again */
	{
		struct bio_blob_id id = bt_id(9, BIO_ROLE_WAL);

		assert_int_equal(bio_blob_create(dev, &id, MiB), 0);
	}
	bio_dev_close(dev);
	dev = bt_dev_reopen(d.path);
	assert_int_equal(iterate(dev).nr, 3);
	bio_dev_close(dev);
	corrupt(d.path, newest, 0); /* the copy just written: back to the 2 blobs */
	dev = bt_dev_reopen(d.path);
	assert_int_equal(iterate(dev).nr, 2);
	bio_dev_close(dev);

	/* The older copy corrupt (its checksum): the newest loads as usual */
	newest = device_with_blobs(d.path, 3);
	corrupt(d.path, 1 - newest, 24 + 2 * 40);
	dev = bt_dev_reopen(d.path);
	assert_int_equal(iterate(dev).nr, 3);
	bio_dev_close(dev);

	/* Both corrupt: refused */
	device_with_blobs(d.path, 3);
	corrupt(d.path, 0, 20);
	corrupt(d.path, 1, 30);
	assert_int_equal(bio_dev_open(d.path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_load(dev), -DER_DF_INVAL);
	assert_int_equal(bio_dev_format(dev), 0); /* and a format recovers the device */
	bio_dev_close(dev);
	dev = bt_dev_reopen(d.path);
	bio_dev_close(dev);

	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* Write @version into the version field of copy @slot, and fix its checksum. */
static void
set_version(const char *path, unsigned int slot, uint32_t version)
{
	struct bio_table t = { 0 };
	uint8_t *copy = d_calloc(1, BIO_TABLE_COPY_SIZE);
	size_t len;
	uint32_t crc;
	int fd;
	int i;

	assert_non_null(copy);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, copy, BIO_TABLE_COPY_SIZE, (off_t)slot * BIO_TABLE_COPY_SIZE),
			 BIO_TABLE_COPY_SIZE);
	assert_int_equal(bio_table_decode(copy, BIO_TABLE_COPY_SIZE, &t), 0);
	len = bio_table_encoded_len(&t);
	bio_table_fini(&t);
	for (i = 0; i < 4; i++)
		copy[8 + i] = (uint8_t)(version >> (8 * i));
	crc = ~crc32_iscsi(copy, (int)(len - 4), 0xffffffffu);
	for (i = 0; i < 4; i++)
		copy[len - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
	assert_int_equal(pwrite(fd, copy, len, (off_t)slot * BIO_TABLE_COPY_SIZE), (ssize_t)len);
	close(fd);
	d_free(copy);
}

/* A copy of a newer format version makes the device incompatible, even if older. */
static void
newer_version(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_dev *dev;
	struct bt_dir d;
	unsigned int newest;

	(void)state;
	bt_dir_init(&d, "bio_table");
	newest = device_with_blobs(d.path, 2);
	set_version(d.path, 1 - newest, 1); /* rewriting version 1 changes nothing */
	dev = bt_dev_reopen(d.path);
	bio_dev_close(dev);
	set_version(d.path, 1 - newest, 2);
	assert_int_equal(bio_dev_open(d.path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_load(dev), -DER_DF_INCOMPT);
	bio_dev_close(dev);
	set_version(d.path, newest, 0);
	assert_int_equal(bio_dev_open(d.path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_load(dev), -DER_DF_INCOMPT);
	bio_dev_close(dev);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* A table naming space past the end of the device (it shrank) is refused. */
static void
shrunk_device(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_dev *dev;
	struct bt_dir d;

	(void)state;
	bt_dir_init(&d, "bio_table");
	device_with_blobs(d.path, 8);
	assert_int_equal(truncate(d.path, 6 * MiB), 0);
	assert_int_equal(bio_dev_open(d.path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_load(dev), -DER_DF_INVAL);
	bio_dev_close(dev);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/*
 * Fail the k-th I/O of an update, k = 1, 2, ... until the update succeeds: each failure
 * leaves the table as it was, in memory and on the device; then the update is there.
 */
static void
update_failures(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_blob_id a = bt_id(0, BIO_ROLE_WAL);
	struct bio_blob_id b = bt_id(1, BIO_ROLE_WAL);
	struct bio_dev *dev;
	struct bt_dir d;
	uint64_t k;
	int rc;

	(void)state;
	bt_dir_init(&d, "bio_table");
	dev = bt_dev_new(d.path, 8 * MiB);
	assert_int_equal(bio_blob_create(dev, &a, MiB), 0);

	for (k = 1;; k++) {
		bio_fail_nth(k);
		rc = bio_blob_create(dev, &b, MiB);
		bio_fail_nth(0);
		if (rc == 0)
			break;
		assert_int_equal(rc, -DER_IO);
		assert_int_equal(iterate(dev).nr, 1);
		assert_int_equal(bio_dev_free(dev), 6 * MiB);
		/*
		 * On the device: the old table, or the new one if only the sync failed (its
		 * write reached the page cache). Never neither.
		 */
		bio_dev_close(dev);
		dev = bt_dev_reopen(d.path);
		if (iterate(dev).nr == 2) {
			assert_int_equal(k, 2);
			assert_int_equal(bio_blob_destroy(dev, &b), 0);
		}
		assert_int_equal(iterate(dev).nr, 1);
	}
	assert_int_equal(k, 3); /* a write and a sync */
	assert_int_equal(iterate(dev).nr, 2);

	for (k = 1;; k++) {
		bio_fail_nth(k);
		rc = bio_blob_destroy(dev, &a);
		bio_fail_nth(0);
		if (rc == 0)
			break;
		assert_int_equal(rc, -DER_IO);
		assert_int_equal(iterate(dev).nr, 2);
	}
	bio_dev_close(dev);
	dev = bt_dev_reopen(d.path);
	assert_int_equal(iterate(dev).nr, 1);
	assert_int_equal(bio_blob_create(dev, &a, MiB), 0);

	/* A format that fails part way leaves the old table or the empty one */
	for (k = 1;; k++) {
		bio_fail_nth(k);
		rc = bio_dev_format(dev);
		bio_fail_nth(0);
		bio_dev_close(dev);
		dev = bt_dev_reopen(d.path);
		if (rc == 0)
			break;
		assert_int_equal(rc, -DER_IO);
		assert_true(iterate(dev).nr == 0 || iterate(dev).nr == 2);
	}
	assert_int_equal(iterate(dev).nr, 0);
	bio_dev_close(dev);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* Several threads create, open, close and destroy blobs of one device at once. */
struct racer {
	struct bio_dev *dev;
	uint32_t target;
	int rc;
};

static void *
race(void *arg)
{
	struct racer *r = arg;
	unsigned int i;

	for (i = 0; i < 40 && r->rc == 0; i++) {
		struct bio_blob_id id = bt_id(r->target * 100 + i, BIO_ROLE_META);
		struct bio_blob *blob;

		r->rc = bio_blob_create(r->dev, &id, 64 * 1024);
		if (r->rc == 0)
			r->rc = bio_blob_open(r->dev, &id, &blob);
		if (r->rc == 0) {
			bio_blob_close(blob);
			if (i % 2 == 1)
				r->rc = bio_blob_destroy(r->dev, &id);
		}
	}
	return NULL;
}

static void
threads(void **state)
{
	struct racer r[4];
	pthread_t th[4];
	struct bio_dev *dev;
	struct bt_dir d;
	struct seen s;
	unsigned int i;

	(void)state;
	bt_dir_init(&d, "bio_table");
	assert_int_equal(bio_dev_open(d.path, 256 * MiB, BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_dev_format(dev), 0);
	for (i = 0; i < 4; i++) {
		r[i] = (struct racer){ .dev = dev, .target = i };
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].rc, 0);
	}
	/* 20 blobs left per thread, and the same after a reload from the device */
	s = iterate(dev);
	assert_int_equal(s.nr, 80);
	bio_dev_close(dev);
	assert_int_equal(bio_dev_open(d.path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_load(dev), 0);
	s = iterate(dev);
	assert_int_equal(s.nr, 80);
	bio_dev_close(dev);
	bt_dir_fini(&d);
}

/*
 * Bytes of [@off, @off + @len) of @path that the file system holds as unwritten extents
 * (fallocated, never written), or -1 when it cannot say (no FIEMAP: tmpfs, ...).
 */
static int64_t
unwritten_bytes(const char *path, uint64_t off, uint64_t len)
{
	size_t sz = sizeof(struct fiemap) + 256 * sizeof(struct fiemap_extent);
	struct fiemap *fm = d_calloc(1, sz);
	int64_t n = 0;
	uint32_t i;
	int fd;

	assert_non_null(fm);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	fm->fm_start = off;
	fm->fm_length = len;
	fm->fm_flags = FIEMAP_FLAG_SYNC;
	fm->fm_extent_count = 256;
	if (ioctl(fd, FS_IOC_FIEMAP, fm) != 0) {
		n = -1;
		goto out;
	}
	for (i = 0; i < fm->fm_mapped_extents; i++) {
		const struct fiemap_extent *e = &fm->fm_extents[i];
		uint64_t lo = D_MAX(e->fe_logical, off);
		uint64_t hi = D_MIN(e->fe_logical + e->fe_length, off + len);

		if ((e->fe_flags & FIEMAP_EXTENT_UNWRITTEN) && hi > lo)
			n += (int64_t)(hi - lo);
	}
out:
	close(fd);
	d_free(fm);
	return n;
}

/* Where blob @id of @dev starts on the device (from its handle). */
static uint64_t
blob_dev_off(struct bio_dev *dev, const struct bio_blob_id *id)
{
	struct bio_blob *b;
	uint64_t off;

	assert_int_equal(bio_blob_open(dev, id, &b), 0);
	off = b->off;
	bio_blob_close(b);
	return off;
}

/* A WAL blob in a file is written over at creation, so its syncs need no journal commit. */
static void
wal_blob_written(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_blob_id wal = bt_id(0, BIO_ROLE_WAL);
	struct bio_blob_id data = bt_id(0, BIO_ROLE_DATA);
	struct bt_dir d;
	struct bio_dev *dev;
	int64_t before;

	(void)state;
	bt_dir_init(&d, "bio_wal_written");
	dev = bt_dev_new(d.path, 64 * MiB);
	before = unwritten_bytes(d.path, 0, 64 * MiB);
	if (before <= 0) {
		/* the file system reports no unwritten extents: nothing to check */
		bio_dev_close(dev);
		bt_dir_fini(&d);
		skip();
	}
	assert_int_equal(bio_blob_create(dev, &wal, 8 * MiB), 0);
	assert_int_equal(bio_blob_create(dev, &data, 8 * MiB), 0);
	assert_int_equal(unwritten_bytes(d.path, blob_dev_off(dev, &wal), 8 * MiB), 0);
	/* other roles are left as they were: writing them all would slow pool creation */
	assert_int_equal(unwritten_bytes(d.path, blob_dev_off(dev, &data), 8 * MiB),
			 (int64_t)(8 * MiB));
	bio_dev_close(dev);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_open_destroy_iterate),
		cmocka_unit_test(persistence),
		cmocka_unit_test(first_fit_and_nospace),
		cmocka_unit_test(table_full),
		cmocka_unit_test(torn_copies),
		cmocka_unit_test(newer_version),
		cmocka_unit_test(shrunk_device),
		cmocka_unit_test(update_failures),
		cmocka_unit_test(threads),
		cmocka_unit_test(wal_blob_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
