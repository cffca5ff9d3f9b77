/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_io.c - blocking I/O on blobs, aligned buffers, and the I/O fault injector.
 *
 * bio_read/bio_write check the range against the blob, then hand absolute offsets to
 * bio_dev.c, which picks the O_DIRECT or the buffered descriptor and retries short
 * transfers and EINTR. They are for start-up, checkpoints and tests; the data path
 * uses the queue (bio_ioq.c).
 *
 * Aligned buffers come from posix_memalign, not from d_malloc: d_free() cannot tell
 * them apart from its own blocks, and an aligned block carved out of a larger d_malloc
 * block would need a header that d_free() does not know about. So they have their own
 * free, bio_buf_free() (or d_free(): they are counted like every d_ allocation).
 *
 * Fault injection: bio_fail_nth(n) arms a countdown that every read, write or sync bio
 * issues (blocking or queued, the blob table's own included; a retried short transfer
 * is still one) decrements; the one that takes it from 1 to 0 fails with -DER_IO
 * without touching the device. Like d_alloc_fail_nth() in src/common/alloc.c it is one
 * relaxed load when disarmed, so it stays in every build.
 */
#define D_LOGFAC DD_FAC(bio)

#include <stdlib.h>

#include "bio/bio_int.h"

static uint64_t fail_countdown;

void
bio_fail_nth(uint64_t nth)
{
	__atomic_store_n(&fail_countdown, nth, __ATOMIC_RELAXED);
}

bool
bio_io_should_fail(void)
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

void *
bio_buf_alloc(size_t len)
{
	return d_aligned_alloc(BIO_BLOCK_SIZE, len);
}

void
bio_buf_free(void *buf)
{
	d_free(buf);
}

int
bio_read(struct bio_blob *blob, uint64_t off, void *buf, size_t len)
{
	if (!bio_blob_has_range(blob, off, len))
		return -DER_INVAL;
	if (len == 0)
		return 0;
	return bio_dev_pread(blob->dev, blob->off + off, buf, len);
}

int
bio_write(struct bio_blob *blob, uint64_t off, const void *buf, size_t len)
{
	if (!bio_blob_has_range(blob, off, len))
		return -DER_INVAL;
	if (len == 0)
		return 0;
	return bio_dev_pwrite(blob->dev, blob->off + off, buf, len);
}

int
bio_sync(struct bio_blob *blob)
{
	return bio_dev_sync(blob->dev);
}
