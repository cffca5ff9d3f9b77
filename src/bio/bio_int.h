/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_int.h - private to src/bio: the device, the in-memory blob table and its codec,
 * raw device I/O and the fault-injection countdown.
 */
#ifndef BIO_INT_H
#define BIO_INT_H

#include <gurt/common.h>
#include <pthread.h>

#include "bio/bio.h"

/*
 * The blob table area is the first BIO_BLOB_ALIGN bytes of a device: two copies of
 * BIO_TABLE_COPY_SIZE bytes each (format in bio_table.c). Blobs start after it.
 */
#define BIO_TABLE_COPY_SIZE (BIO_BLOB_ALIGN / 2)
#define BIO_TABLE_MAGIC 0x544f4942534f4144ull /* "DAOSBIOT" read little-endian */
#define BIO_TABLE_VERSION 1u
#define BIO_TABLE_HDR_SIZE 24u
#define BIO_TABLE_ENTRY_SIZE 40u
#define BIO_TABLE_CSUM_SIZE 4u
/* As many entries as fit in one copy with its header and checksum: 13106. */
#define BIO_TABLE_MAX_BLOBS \
	((BIO_TABLE_COPY_SIZE - BIO_TABLE_HDR_SIZE - BIO_TABLE_CSUM_SIZE) / BIO_TABLE_ENTRY_SIZE)

/* One blob: an extent of the device. */
struct bio_table_entry {
	struct bio_blob_id id; /* (pool, target, role) */
	uint64_t off;          /* first byte on the device, a multiple of BIO_BLOB_ALIGN */
	uint64_t size;         /* bytes, a non-zero multiple of BIO_BLOB_ALIGN */
};

/* A decoded table copy; entries sorted by offset, extents disjoint, ids unique. */
struct bio_table {
	uint64_t gen;                    /* generation: higher is newer, never 0 */
	uint32_t nr_entries;             /* used slots of entries[] */
	uint32_t cap;                    /* allocated slots of entries[] */
	struct bio_table_entry *entries; /* d_calloc'ed, NULL while cap is 0 */
};

struct bio_dev {
	char *path;             /* as given to bio_dev_open */
	int fd;                 /* buffered, O_CLOEXEC */
	int fd_direct;          /* O_DIRECT, or -1 when refused: then fd serves all I/O */
	uint64_t size;          /* bytes */
	bool kdev;              /* a block device */
	bool mem;               /* on tmpfs/ramfs: a transfer is a memory copy */
	bool ramfs;             /* mem on ramfs: no fallocate, no size limit */
	char *map;              /* mem: the whole file mapped shared, or NULL (pread/pwrite) */
	uint64_t *reserved;     /* mem: bit per BIO_MEM_CHUNK known to have its pages */
	bool loaded;            /* table holds what the device holds (format or load done) */
	unsigned int slot;      /* copy (0 or 1) holding table.gen on the device */
	pthread_mutex_t lock;   /* serialises the table calls of several threads */
	struct bio_table table; /* the newest valid copy; under @lock */
	d_list_t blobs;         /* open struct bio_blob, by link; under @lock */
};

struct bio_blob {
	d_list_t link;         /* in dev->blobs */
	struct bio_dev *dev;   /* the device; outlives the handle */
	struct bio_blob_id id; /* which blob */
	uint64_t off;          /* device offset of byte 0 of the blob */
	uint64_t size;         /* bytes */
};

/* --- the table codec (bio_table.c) --- */

/*
 * Decode one table copy from @len untrusted bytes at @data (bytes after the checksum
 * are ignored). Fills @t (entries allocated; release with bio_table_fini). Returns 0,
 * -DER_DF_INVAL (bad magic, checksum, counts or extents), -DER_DF_INCOMPT (a newer
 * format version) or -DER_NOMEM; @t is untouched on error.
 */
int bio_table_decode(const void *data, size_t len, struct bio_table *t);
/* Bytes bio_table_encode() writes for @t (header, entries, checksum). */
size_t bio_table_encoded_len(const struct bio_table *t);
/* Encode @t into @data of @len bytes. Returns 0 or -DER_OVERFLOW if it does not fit. */
int bio_table_encode(const struct bio_table *t, void *data, size_t len);
void bio_table_fini(struct bio_table *t);

/* --- raw device I/O (bio_dev.c): absolute offsets, no range check --- */

/*
 * Read, write or sync @dev, retrying short transfers and EINTR. Each call counts as one
 * I/O for bio_fail_nth(). Returns 0 or -DER_IO (logged with the path and errno).
 */
int bio_dev_pread(struct bio_dev *dev, uint64_t off, void *buf, size_t len);
int bio_dev_pwrite(struct bio_dev *dev, uint64_t off, const void *buf, size_t len);
int bio_dev_sync(struct bio_dev *dev);
/* The same without counting, for callers that counted when the I/O was queued. */
int bio_dev_xfer(struct bio_dev *dev, bool write, uint64_t off, void *buf, size_t len);
int bio_dev_fdatasync(struct bio_dev *dev);
/* The descriptor for I/O of @len bytes at @off from/to @buf: O_DIRECT when aligned. */
int bio_dev_fd_for(const struct bio_dev *dev, uint64_t off, const void *buf, size_t len);
/*
 * On a mapped memory device, allocate the pages of [@off, @off + @len) now, so writes
 * there neither pay for them nor find the file system full: 0, -DER_NOSPACE, -DER_IO.
 * Nothing to do (0) on other devices, and on ramfs where pages come with the writes.
 */
int bio_dev_mem_reserve(struct bio_dev *dev, uint64_t off, uint64_t len);
/*
 * On a device that is a file (not memory, not a block device), write zeros over
 * [@off, @off + @len) and sync, so the file system holds written extents there. 0 or
 * -DER_IO. See bio_blob_create().
 */
int bio_dev_zero_fill(struct bio_dev *dev, uint64_t off, uint64_t len);
/* Log a failed transfer on @dev and return -DER_IO. */
int bio_dev_io_error(const struct bio_dev *dev, const char *what, uint64_t off, size_t len,
		     int err);

/* True if this I/O is the one bio_fail_nth() asked to fail (consumes one count). */
bool bio_io_should_fail(void);

/* True if @off + @len lies inside @blob (no overflow). */
static inline bool
bio_blob_has_range(const struct bio_blob *blob, uint64_t off, size_t len)
{
	return off <= blob->size && len <= blob->size - off;
}

/*
 * Test hook: when set before bio_ioq_create(), the queue runs without io_uring, as it
 * does where io_uring_queue_init() fails.
 */
extern bool bio_ioq_no_uring;

#endif /* BIO_INT_H */
