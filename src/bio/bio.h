/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio/bio.h - block I/O for VOS: devices, blobs on them, synchronous and io_uring I/O,
 * and the extent allocator of data blobs. No SPDK, no hugepages: plain files and kernel
 * block devices through io_uring.
 *
 * Devices. A device is a regular file (a `class: file` bdev of bdev_size GB, or a file
 * under scm_mount when the engine has no bdev tier) or a kernel block device (`class:
 * kdev`). It is opened twice: with O_DIRECT for aligned I/O (buffer, offset and length
 * multiples of BIO_BLOCK_SIZE) and buffered for the rest; fdatasync on either makes both
 * durable. Where O_DIRECT is refused (tmpfs), all I/O is buffered and bio_dev_direct()
 * says so (the engine logs it once).
 *
 * Blobs. A formatted device starts with a blob table: which extents of the device belong
 * to which blob, a blob being named by (pool uuid, target index, role). The table is
 * written twice (two copies, each with a version and a checksum); loading takes the valid
 * copy with the higher version, and a device with no valid copy is refused with
 * -DER_DF_INVAL naming the device. Blob space is reserved at creation (no sparse
 * allocation surprises later) and is contiguous.
 *
 * I/O. bio_read/bio_write/bio_sync are blocking (pread/pwrite/fdatasync), for start-up,
 * checkpoints and tests. The queue (struct bio_ioq, one per target thread) submits
 * through io_uring and reports completions through callbacks run from bio_ioq_poll();
 * its eventfd lets the target's event loop sleep until something completes.
 *
 * Allocation. struct bio_alloc hands out extents of a data blob in BIO_BLOCK_SIZE blocks.
 * Nothing about it is persisted: after a restart VOS rebuilds it from the extents its
 * index references (bio_alloc_mark_used). Freed extents are not reusable at once: the
 * record that frees them must be durable first, else a crash could leave an index entry
 * pointing at space already overwritten. So frees are tagged with the log sequence
 * number of that record and released by bio_alloc_durable(lsn).
 *
 * Errors: 0 or -DER_*: -DER_NOSPACE, -DER_NOMEM, -DER_INVAL, -DER_IO (with the errno in
 * the log), -DER_DF_INVAL (bad on-disk format), -DER_CSUM (checksum mismatch).
 * Threads: a device and its blobs may be used from several threads for I/O (pread and
 * pwrite are thread safe); the blob table, queues and allocators belong to one thread.
 */
#ifndef BIO_BIO_H
#define BIO_BIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uuid/uuid.h>

#define BIO_BLOCK_SIZE 4096u
/* Device space is handed to blobs in units of this size. */
#define BIO_BLOB_ALIGN (1u << 20)

struct bio_dev;
struct bio_blob;
struct bio_ioq;
struct bio_alloc;

/* --- devices --- */

enum bio_dev_flags {
	BIO_DEV_CREATE = 1, /* create a regular file of the given size if missing, grow it if smaller */
	BIO_DEV_KDEV = 2,   /* a block device: size is taken from the device */
};

/*
 * Open the device at @path. For files with BIO_DEV_CREATE, the file is created or grown
 * to @size bytes and its blocks allocated (fallocate), so later writes cannot fail for
 * lack of space. Returns 0, -DER_NONEXIST, -DER_NOSPACE, -DER_NO_PERM or -DER_IO.
 */
int bio_dev_open(const char *path, uint64_t size, unsigned int flags, struct bio_dev **out);
void bio_dev_close(struct bio_dev *dev);
uint64_t bio_dev_size(const struct bio_dev *dev);
const char *bio_dev_path(const struct bio_dev *dev);
/* True if aligned I/O bypasses the page cache (O_DIRECT accepted). */
bool bio_dev_direct(const struct bio_dev *dev);

/* --- the blob table --- */

enum bio_role {
	BIO_ROLE_WAL = 1,
	BIO_ROLE_META = 2,
	BIO_ROLE_DATA = 4,
};

struct bio_blob_id {
	uuid_t pool;
	uint32_t target;
	uint32_t role; /* enum bio_role */
};

/* Write an empty blob table to @dev (destroys what it described). 0 or -DER_IO. */
int bio_dev_format(struct bio_dev *dev);

/*
 * Load the blob table of @dev (after bio_dev_open). Returns 0, -DER_DF_INVAL if the
 * device was never formatted or both table copies are corrupt (the log says which),
 * -DER_DF_INCOMPT for a table of a newer format version.
 */
int bio_dev_load(struct bio_dev *dev);

/*
 * Create the blob @id of @size bytes (rounded up to BIO_BLOB_ALIGN), reserving a
 * contiguous extent, and record it durably in the table. Returns 0, -DER_EXIST,
 * -DER_NOSPACE (no free extent that large), -DER_IO.
 */
int bio_blob_create(struct bio_dev *dev, const struct bio_blob_id *id, uint64_t size);
/* Forget the blob @id and return its space. 0, -DER_NONEXIST or -DER_IO. */
int bio_blob_destroy(struct bio_dev *dev, const struct bio_blob_id *id);

/*
 * Open the blob @id for I/O. Returns 0 or -DER_NONEXIST. A blob handle stays valid until
 * bio_blob_close(); it must be closed before its device.
 */
int bio_blob_open(struct bio_dev *dev, const struct bio_blob_id *id, struct bio_blob **out);
void bio_blob_close(struct bio_blob *blob);
uint64_t bio_blob_size(const struct bio_blob *blob);

/* Call @fn for each blob of @dev (any order); stops at and returns a non-zero result. */
int bio_blob_iterate(struct bio_dev *dev, int (*fn)(const struct bio_blob_id *id, uint64_t size,
						    void *arg),
		     void *arg);

/* Bytes of @dev not in any blob. */
uint64_t bio_dev_free(const struct bio_dev *dev);

/* --- blocking I/O on a blob (offsets relative to the blob) --- */

/* Returns 0, -DER_INVAL (range outside the blob) or -DER_IO. Short I/O is retried. */
int bio_read(struct bio_blob *blob, uint64_t off, void *buf, size_t len);
int bio_write(struct bio_blob *blob, uint64_t off, const void *buf, size_t len);
/* Make every completed write to @blob's device durable (fdatasync). */
int bio_sync(struct bio_blob *blob);

/* Memory aligned for O_DIRECT (BIO_BLOCK_SIZE), from d_malloc accounting; free with d_free. */
void *bio_buf_alloc(size_t len);

/* --- asynchronous I/O: one queue per thread --- */

/* Called once per submitted operation, from bio_ioq_poll(): 0 or -DER_IO/-DER_INVAL. */
typedef void (*bio_io_fn)(void *arg, int status);

/*
 * A queue of @depth entries (rounded up to a power of two). Falls back to synchronous
 * execution (still completing through bio_ioq_poll) if io_uring is unavailable, and logs
 * that once. Returns 0, -DER_NOMEM or -DER_IO.
 */
int bio_ioq_create(unsigned int depth, struct bio_ioq **out);
/* Waits for submitted operations to complete (running their callbacks), then frees. */
void bio_ioq_destroy(struct bio_ioq *q);

/*
 * Queue a read, write or sync; @fn runs from a later bio_ioq_poll(), never from here.
 * When the ring is full, this first reaps completions (running callbacks). Returns 0, or
 * -DER_INVAL for a range outside the blob (and @fn is not called).
 */
int bio_ioq_read(struct bio_ioq *q, struct bio_blob *blob, uint64_t off, void *buf, size_t len,
		 bio_io_fn fn, void *arg);
int bio_ioq_write(struct bio_ioq *q, struct bio_blob *blob, uint64_t off, const void *buf,
		  size_t len, bio_io_fn fn, void *arg);
int bio_ioq_sync(struct bio_ioq *q, struct bio_blob *blob, bio_io_fn fn, void *arg);

/*
 * Submit what is queued and run the callbacks of completed operations. Waits up to
 * @timeout_ms for at least one completion (0: do not wait; negative: wait until one).
 * Returns the number of callbacks run, or a negative code.
 */
int bio_ioq_poll(struct bio_ioq *q, int timeout_ms);
/* Operations submitted and not yet completed. */
unsigned int bio_ioq_inflight(const struct bio_ioq *q);
/* An eventfd readable when completions are ready (for the target's event loop), or -1. */
int bio_ioq_eventfd(const struct bio_ioq *q);

/* --- test hooks --- */

/* Make the @nth I/O (read, write or sync, blocking or queued) from now fail with -DER_IO, once. */
void bio_fail_nth(uint64_t nth);

/* --- the data-blob extent allocator --- */

/* An allocator for @nr_blocks blocks of BIO_BLOCK_SIZE, all free. */
int bio_alloc_create(uint64_t nr_blocks, struct bio_alloc **out);
void bio_alloc_destroy(struct bio_alloc *a);

/*
 * Take @nr contiguous free blocks; *@blk is the first. Prefers the space after the last
 * allocation (sequential streams stay sequential). Returns 0 or -DER_NOSPACE.
 */
int bio_alloc_reserve(struct bio_alloc *a, uint64_t nr, uint64_t *blk);
/* Give back a reservation never made durable (the update failed): free at once. */
void bio_alloc_cancel(struct bio_alloc *a, uint64_t blk, uint64_t nr);
/*
 * Free blocks still referenced by durable state until the log record with sequence
 * number @lsn is durable; they become reusable at bio_alloc_durable(>= @lsn).
 */
int bio_alloc_free_deferred(struct bio_alloc *a, uint64_t blk, uint64_t nr, uint64_t lsn);
/* Everything deferred with an lsn <= @lsn becomes free. */
void bio_alloc_durable(struct bio_alloc *a, uint64_t lsn);
/*
 * At recovery: mark blocks referenced by the index as used. Returns 0, or -DER_INVAL if
 * they are already used or out of range (two index entries claim the same space).
 */
int bio_alloc_mark_used(struct bio_alloc *a, uint64_t blk, uint64_t nr);

struct bio_alloc_stat {
	uint64_t total;    /* blocks */
	uint64_t free;     /* free now */
	uint64_t deferred; /* freed, waiting for durability */
	uint64_t largest;  /* largest free run */
};
void bio_alloc_stat(const struct bio_alloc *a, struct bio_alloc_stat *st);

#endif /* BIO_BIO_H */
