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
 * durable. Where O_DIRECT is refused (ramfs, tmpfs before Linux 6.6), all I/O is buffered,
 * bio_dev_direct() says so, and the first such device is logged (D_NOTE, once per process).
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
 * the log), -DER_DF_INVAL (bad on-disk format), -DER_DF_INCOMPT (newer on-disk format).
 * After a failed write or sync the device's content is unknown (the kernel may have
 * dropped the dirty pages): the caller must stop using it rather than retry.
 * Threads: a device and its blobs may be used from several threads for I/O (pread and
 * pwrite are thread safe); the blob table calls (format, load, create, destroy, open,
 * close, iterate, free space) may come from several threads too (a lock per device:
 * they are rare: pool create, open, destroy); queues and allocators belong to one
 * thread. Design: docs/design/bio.md.
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
	BIO_DEV_CREATE = 1, /* a regular file: create it if missing, grow it if smaller */
	BIO_DEV_KDEV = 2,   /* a block device: size is taken from the device */
};

/*
 * Open the device at @path. For files with BIO_DEV_CREATE, the file is created (mode
 * 0600) or grown to @size bytes and its blocks allocated (fallocate), so later writes
 * cannot fail for lack of space; a file is never shrunk. Otherwise @size is ignored and
 * the size is the file's (or, with BIO_DEV_KDEV, the block device's). Both descriptors
 * are O_CLOEXEC. Returns 0, -DER_NONEXIST, -DER_NOSPACE, -DER_NO_PERM, -DER_IO, or
 * -DER_INVAL for contradictory flags or a path that is not a regular file (a block
 * device with BIO_DEV_KDEV). Close with bio_dev_close() once its blobs are closed.
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

/*
 * Write an empty blob table to @dev (destroys what it described; blob bytes are left
 * as they are). A crash during a format leaves the old table or the empty one. Returns
 * 0, -DER_IO, -DER_NOSPACE if @dev is smaller than BIO_BLOB_ALIGN (the table area), or
 * -DER_BUSY while blobs are open.
 */
int bio_dev_format(struct bio_dev *dev);

/*
 * Load the blob table of @dev (after bio_dev_open). Returns 0, -DER_DF_INVAL if the
 * device was never formatted, both table copies are corrupt, or the table names space
 * past the end of the device (the log says which), -DER_DF_INCOMPT for a table of a
 * newer format version, -DER_IO, or -DER_BUSY while blobs are open. A single corrupt
 * copy is logged (D_WARN) and repaired by the next update. Until a format or a load
 * succeeds, the blob calls below return -DER_UNINIT.
 */
int bio_dev_load(struct bio_dev *dev);

/*
 * Create the blob @id of @size bytes (rounded up to BIO_BLOB_ALIGN), reserving the
 * lowest free extent that holds it (first fit), and record it durably in the table. Its
 * bytes are whatever the extent held: formats on blobs must not trust zeros. On a memory
 * device (tmpfs) the blob's pages are allocated here, so that is where a full file
 * system shows (-DER_NOSPACE), and its first writes are copies at memory speed. Returns 0,
 * -DER_EXIST, -DER_NOSPACE (no free extent that large, or the table is full: about 13000
 * blobs per device), -DER_INVAL (size 0, unknown role), -DER_IO. On -DER_IO the table in
 * memory is unchanged; on the device it is the old one, or the new one if only the sync
 * failed.
 */
int bio_blob_create(struct bio_dev *dev, const struct bio_blob_id *id, uint64_t size);
/* Forget the blob @id and return its space. 0, -DER_NONEXIST, -DER_BUSY (open) or -DER_IO. */
int bio_blob_destroy(struct bio_dev *dev, const struct bio_blob_id *id);

/*
 * Open the blob @id for I/O. Returns 0 or -DER_NONEXIST. A blob handle stays valid until
 * bio_blob_close(); it must be closed before its device.
 */
int bio_blob_open(struct bio_dev *dev, const struct bio_blob_id *id, struct bio_blob **out);
void bio_blob_close(struct bio_blob *blob);
uint64_t bio_blob_size(const struct bio_blob *blob);

/*
 * Call @fn for each blob of @dev (any order); stops at and returns a non-zero result.
 * @fn must not create or destroy blobs.
 */
int bio_blob_iterate(struct bio_dev *dev,
		     int (*fn)(const struct bio_blob_id *id, uint64_t size, void *arg), void *arg);

/* Bytes of @dev not in any blob. */
uint64_t bio_dev_free(const struct bio_dev *dev);

/*
 * True when @blob's device is memory (tmpfs, ramfs): its transfers are copies made when
 * they are queued, so buffers need no alignment and lengths no padding.
 */
bool bio_blob_mem(const struct bio_blob *blob);

/*
 * Where bytes [@off, @off + @len) of memory blob @blob are mapped, so that a caller can
 * fill them in place (zero copy: a network transfer lands straight in the pool). The
 * pages are allocated first, so stores cannot fault on a full file system. The address
 * stays valid while @blob is open; the caller owns the range (nothing else may write it)
 * until it is done. Returns 0, -DER_INVAL (range outside the blob), -DER_NOTSUPPORTED
 * (not a memory device, or one that could not be mapped: use transfers), -DER_NOSPACE
 * or -DER_IO.
 */
int bio_blob_map(struct bio_blob *blob, uint64_t off, uint64_t len, void **addr);

/* --- blocking I/O on a blob (offsets relative to the blob) --- */

/*
 * Returns 0, -DER_INVAL (range outside the blob) or -DER_IO. Short I/O is retried. Buffer,
 * offset and length all multiples of BIO_BLOCK_SIZE go through O_DIRECT, others through
 * the page cache; do not overlap the two kinds on the same bytes concurrently.
 */
int bio_read(struct bio_blob *blob, uint64_t off, void *buf, size_t len);
int bio_write(struct bio_blob *blob, uint64_t off, const void *buf, size_t len);
/* Make every completed write to @blob's device durable (fdatasync). */
int bio_sync(struct bio_blob *blob);

/*
 * Memory aligned for O_DIRECT (BIO_BLOCK_SIZE), not zeroed, or NULL. It comes from
 * d_aligned_alloc(), so it is counted like every allocation and bio_buf_free() and
 * d_free() both release it.
 */
void *bio_buf_alloc(size_t len);
void bio_buf_free(void *buf);

/* --- the bdev description file (daos_nvme.conf) --- */

/*
 * Which devices an engine puts its blobs on, with their roles: written by daos_server at
 * format (next to the superblock), read by daos_engine (its -n flag). JSON:
 *   {"version": 1, "tiers": [{"tier": 1, "class": "file", "roles": ["wal", "meta",
 *    "data"], "devices": ["/path"], "size": bytes-per-device}]}
 * Each of wal, meta and data is on exactly one tier; devices are absolute paths.
 */
#define BIO_CONF_NAME "daos_nvme.conf"
#define BIO_CONF_VERSION 1
#define BIO_ROLE_ALL (BIO_ROLE_WAL | BIO_ROLE_META | BIO_ROLE_DATA)

enum bio_conf_class {
	BIO_CONF_FILE = 1,
	BIO_CONF_KDEV = 2,
	BIO_CONF_NVME = 3,
};

struct bio_conf_tier {
	unsigned int tier;
	enum bio_conf_class class;
	unsigned int roles; /* BIO_ROLE_* bits */
	char **devices;
	unsigned int nr_devices;
	uint64_t size; /* per device; 0 for block devices */
};

struct bio_conf {
	struct bio_conf_tier *tiers;
	unsigned int nr_tiers;
};

/* Parse @len untrusted bytes; -DER_INVAL (or -DER_DF_INCOMPT) with a message naming the field. */
int bio_conf_parse(const char *buf, size_t len, struct bio_conf *conf, char *err, size_t err_len);
/* Read the file at @path (messages name it); -DER_NONEXIST if there is none. */
int bio_conf_read(const char *path, struct bio_conf *conf, char *err, size_t err_len);
/* The JSON text of @conf in *@out (d_free). 0 or -DER_NOMEM. */
int bio_conf_encode(const struct bio_conf *conf, char **out);
/* Append a device path to @t. 0 or -DER_NOMEM. */
int bio_conf_tier_add_dev(struct bio_conf_tier *t, const char *path);
void bio_conf_fini(struct bio_conf *conf);
const char *bio_conf_class_name(enum bio_conf_class class);

/* --- asynchronous I/O: one queue per thread --- */

/* Called once per submitted operation, from bio_ioq_poll(): 0 or -DER_IO/-DER_INVAL. */
typedef void (*bio_io_fn)(void *arg, int status);

/*
 * A queue of @depth entries (1..32768, rounded up to a power of two): at most that many
 * operations are alive (queued or in flight, or complete with their callback not yet
 * run). Falls back to synchronous execution (operations run in order inside
 * bio_ioq_poll) if io_uring is unavailable, and logs that once per process. Returns 0,
 * -DER_INVAL, -DER_NOMEM or -DER_IO.
 */
int bio_ioq_create(unsigned int depth, struct bio_ioq **out);
/* Waits for submitted operations to complete (running their callbacks), then frees. */
void bio_ioq_destroy(struct bio_ioq *q);

/*
 * Queue a read, write or sync; it starts at the next bio_ioq_poll(), and @fn runs from
 * that or a later poll, never from here. When the ring is full, this first polls until
 * an entry is free (running other operations' callbacks, possibly waiting). @buf must
 * stay valid until @fn runs. Returns 0, or -DER_INVAL for a range outside the blob (and
 * @fn is not called). Operations complete in any order, except that a sync completes
 * after every write queued before it on this queue (so it covers those to its device:
 * group commit); later operations do not wait for it.
 */
int bio_ioq_read(struct bio_ioq *q, struct bio_blob *blob, uint64_t off, void *buf, size_t len,
		 bio_io_fn fn, void *arg);
int bio_ioq_write(struct bio_ioq *q, struct bio_blob *blob, uint64_t off, const void *buf,
		  size_t len, bio_io_fn fn, void *arg);
int bio_ioq_sync(struct bio_ioq *q, struct bio_blob *blob, bio_io_fn fn, void *arg);
/*
 * A write whose data are durable when @fn runs (RWF_DSYNC; without io_uring a write then
 * an fdatasync): one device round trip instead of a write and a sync. It makes no other
 * write durable. Otherwise as bio_ioq_write (a later sync waits for it too).
 */
int bio_ioq_write_durable(struct bio_ioq *q, struct bio_blob *blob, uint64_t off, const void *buf,
			  size_t len, bio_io_fn fn, void *arg);

/* Operations queued so far, by kind (tests and benchmarks). */
struct bio_ioq_stat {
	uint64_t writes;       /* durable ones included */
	uint64_t dsync_writes; /* bio_ioq_write_durable */
	uint64_t syncs;
};
void bio_ioq_stat(const struct bio_ioq *q, struct bio_ioq_stat *st);
/* True when @a and @b live on the same device (a sync of one covers the other's writes). */
bool bio_blob_same_dev(const struct bio_blob *a, const struct bio_blob *b);

/*
 * Run @fn(@arg, 0) from the next bio_ioq_poll(), before the callbacks of operations
 * completing then; never from here. For work that must complete "later" through the
 * same loop. Counts as in flight until it has run. 0 or -DER_NOMEM.
 */
int bio_ioq_post(struct bio_ioq *q, bio_io_fn fn, void *arg);

/*
 * Submit what is queued and run the callbacks of completed operations. Waits up to
 * @timeout_ms for at least one completion (0: do not wait; negative: wait until one);
 * returns at once when nothing is in flight. Returns the number of callbacks run, or
 * -DER_IO if io_uring fails (logged).
 */
int bio_ioq_poll(struct bio_ioq *q, int timeout_ms);
/* Operations queued whose callback has not run yet. */
unsigned int bio_ioq_inflight(const struct bio_ioq *q);
/*
 * An eventfd readable when the kernel has completed operations (for the target's event
 * loop); polling the queue drains it. Owned by the queue: do not close it.
 */
int bio_ioq_eventfd(const struct bio_ioq *q);
/*
 * True when a poll would run callbacks without waiting for the kernel (operations of
 * memory devices, of a queue without io_uring, failed ones, posted callbacks): these do
 * not signal the eventfd, so the owner must check this before it sleeps on it.
 */
bool bio_ioq_ready(const struct bio_ioq *q);

/* --- test hooks --- */

/*
 * Make the @nth I/O (read, write or sync, blocking or queued, the blob table's own
 * included) from now fail with -DER_IO without reaching the device, once; 0 disarms.
 * A queued operation counts when it is queued; a retried short transfer counts once.
 */
void bio_fail_nth(uint64_t nth);

/* --- the data-blob extent allocator --- */

/* An allocator for @nr_blocks blocks of BIO_BLOCK_SIZE, all free. 0, -DER_INVAL, -DER_NOMEM. */
int bio_alloc_create(uint64_t nr_blocks, struct bio_alloc **out);
void bio_alloc_destroy(struct bio_alloc *a);

/*
 * Take @nr contiguous free blocks; *@blk is the first. Next fit: the lowest run starting
 * at or after the end of the last reservation, else the lowest before it (sequential
 * streams stay sequential). Returns 0, -DER_NOSPACE, or -DER_INVAL for @nr 0.
 */
int bio_alloc_reserve(struct bio_alloc *a, uint64_t nr, uint64_t *blk);
/*
 * Give back a reservation never made durable (the update failed): free at once. The
 * blocks must be in use (asserted).
 */
void bio_alloc_cancel(struct bio_alloc *a, uint64_t blk, uint64_t nr);
/*
 * Free blocks still referenced by durable state until the log record with sequence
 * number @lsn is durable; they become reusable at bio_alloc_durable(>= @lsn). Returns
 * 0, -DER_NOMEM, or -DER_INVAL if the range is out of bounds or not in use (freeing the
 * same blocks twice before they are released is not detected).
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
	uint64_t largest;  /* largest free run (computed by a scan of the bitmap) */
};
void bio_alloc_stat(const struct bio_alloc *a, struct bio_alloc_stat *st);

#endif /* BIO_BIO_H */
