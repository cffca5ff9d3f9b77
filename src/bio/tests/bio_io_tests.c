/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_io_tests.c - blocking I/O on blobs: aligned and unaligned round trips, ranges that
 * cross 4 KiB blocks, the direct and buffered paths mixed on the same bytes (against a
 * model of the blob), range checks, and bio_fail_nth.
 */
#define D_LOGFAC DD_FAC(tests)

#include "bio/bio.h"
#include "bio/tests/bio_test.h"
#include "common/test.h"

#define BLOB_SIZE (2 * MiB)

struct fixture {
	struct bt_dir d;
	struct bio_dev *dev;
	struct bio_blob *blob;
	uint64_t mark;
};

static int
setup(void **state)
{
	struct bio_blob_id id = bt_id(0, BIO_ROLE_DATA);
	struct fixture *f = d_calloc(1, sizeof(*f));

	f->mark = d_alloc_nr_live();
	bt_dir_init(&f->d, "bio_io");
	f->dev = bt_dev_new(f->d.path, 8 * MiB);
	assert_int_equal(bio_blob_create(f->dev, &id, BLOB_SIZE), 0);
	assert_int_equal(bio_blob_open(f->dev, &id, &f->blob), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	uint64_t mark = f->mark;

	bio_blob_close(f->blob);
	bio_dev_close(f->dev);
	bt_dir_fini(&f->d);
	d_free(f);
	/* The fixture itself was allocated before the mark. */
	assert_int_equal(d_alloc_nr_live() + 1, mark);
	return 0;
}

static void
fill(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed * 31 + i * 7 + (i >> 12));
}

static void
aligned_and_unaligned(void **state)
{
	struct fixture *f = *state;
	char *in = bio_buf_alloc(64 * 1024);
	char *out = bio_buf_alloc(64 * 1024 + 4096);

	assert_non_null(in);
	assert_non_null(out);
	assert_true(((uintptr_t)in & (BIO_BLOCK_SIZE - 1)) == 0);

	/* aligned */
	fill(in, 64 * 1024, 1);
	assert_int_equal(bio_write(f->blob, 0, in, 64 * 1024), 0);
	assert_int_equal(bio_read(f->blob, 0, out, 64 * 1024), 0);
	assert_memory_equal(in, out, 64 * 1024);

	/* unaligned offset, across block boundaries; read back aligned */
	fill(in, 10000, 2);
	assert_int_equal(bio_write(f->blob, 4090, in, 10000), 0);
	assert_int_equal(bio_read(f->blob, 4096, out, 12288), 0);
	assert_memory_equal(out, in + 6, 10000 - 6);
	assert_int_equal(bio_read(f->blob, 4090, out + 1, 10000), 0);
	assert_memory_equal(out + 1, in, 10000);

	/* aligned offset and length, unaligned buffer: the buffered path */
	fill(in, 8192, 3);
	memcpy(out + 3, in, 8192);
	assert_int_equal(bio_write(f->blob, BLOB_SIZE - 8192, out + 3, 8192), 0);
	assert_int_equal(bio_read(f->blob, BLOB_SIZE - 8192, out, 8192), 0);
	assert_memory_equal(out, in, 8192);

	/* one byte at each end */
	assert_int_equal(bio_write(f->blob, BLOB_SIZE - 1, "z", 1), 0);
	assert_int_equal(bio_read(f->blob, BLOB_SIZE - 1, out, 1), 0);
	assert_int_equal(out[0], 'z');
	assert_int_equal(bio_sync(f->blob), 0);

	bio_buf_free(in);
	bio_buf_free(out);
}

/* Random aligned and unaligned writes and reads against a model of the blob. */
static void
random_against_model(void **state)
{
	struct fixture *f = *state;
	size_t span = 256 * 1024; /* the first 256 KiB, so writes overlap often */
	char *model = d_calloc(1, span);
	char *buf = bio_buf_alloc(span);
	unsigned int seed = 12345;
	uint64_t off;
	size_t len;
	int i;

	assert_non_null(model);
	assert_non_null(buf);
	memset(buf, 0, span);
	assert_int_equal(bio_write(f->blob, 0, buf, span), 0);
	for (i = 0; i < 3000; i++) {
		bool aligned = rand_r(&seed) % 2;

		if (aligned) {
			off = (uint64_t)(rand_r(&seed) % (span / 4096)) * 4096;
			len = (size_t)(rand_r(&seed) % 8 + 1) * 4096;
		} else {
			off = (uint64_t)(rand_r(&seed) % span);
			len = (size_t)(rand_r(&seed) % 20000 + 1);
		}
		if (off + len > span)
			len = span - off;
		if (rand_r(&seed) % 2) {
			fill(buf, len, (unsigned int)i);
			assert_int_equal(bio_write(f->blob, off, buf, len), 0);
			memcpy(model + off, buf, len);
		} else {
			assert_int_equal(bio_read(f->blob, off, buf, len), 0);
			assert_memory_equal(buf, model + off, len);
		}
	}
	assert_int_equal(bio_read(f->blob, 0, buf, span), 0);
	assert_memory_equal(buf, model, span);
	bio_buf_free(buf);
	d_free(model);
}

static void
out_of_range(void **state)
{
	struct fixture *f = *state;
	char buf[16];

	assert_int_equal(bio_read(f->blob, BLOB_SIZE, buf, 1), -DER_INVAL);
	assert_int_equal(bio_write(f->blob, BLOB_SIZE - 8, buf, 9), -DER_INVAL);
	assert_int_equal(bio_read(f->blob, UINT64_MAX, buf, 2), -DER_INVAL);
	assert_int_equal(bio_write(f->blob, 8, buf, SIZE_MAX - 4), -DER_INVAL);
	assert_int_equal(bio_read(f->blob, BLOB_SIZE, buf, 0), 0);
	assert_int_equal(bio_write(f->blob, BLOB_SIZE - 8, buf, 8), 0);
}

/* Exactly the Nth I/O fails, once; reads, writes and syncs all count. */
static void
fail_nth(void **state)
{
	struct fixture *f = *state;
	char buf[16] = "0123456789";
	int n;

	assert_int_equal(bio_write(f->blob, 0, buf, 10), 0);
	for (n = 1; n <= 4; n++) {
		bio_fail_nth((uint64_t)n);
		assert_int_equal(bio_write(f->blob, 0, buf, 10), n == 1 ? -DER_IO : 0);
		assert_int_equal(bio_read(f->blob, 0, buf, 10), n == 2 ? -DER_IO : 0);
		assert_int_equal(bio_sync(f->blob), n == 3 ? -DER_IO : 0);
		assert_int_equal(bio_write(f->blob, 0, buf, 10), n == 4 ? -DER_IO : 0);
		assert_int_equal(bio_read(f->blob, 0, buf, 10), 0);
		assert_memory_equal(buf, "0123456789", 10);
	}
	/* Out-of-range calls do no I/O and do not count. */
	bio_fail_nth(1);
	assert_int_equal(bio_read(f->blob, BLOB_SIZE, buf, 1), -DER_INVAL);
	assert_int_equal(bio_read(f->blob, 0, buf, 1), -DER_IO);
	bio_fail_nth(0);
	assert_int_equal(bio_read(f->blob, 0, buf, 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(aligned_and_unaligned, setup, teardown),
		cmocka_unit_test_setup_teardown(random_against_model, setup, teardown),
		cmocka_unit_test_setup_teardown(out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(fail_nth, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
