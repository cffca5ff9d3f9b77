/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_dev.c - devices: open a regular file or a block device twice (O_DIRECT for
 * aligned I/O, buffered for the rest), size it, and move bytes to and from it.
 *
 * Two descriptors. O_DIRECT I/O needs buffer, offset and length aligned to the logical
 * block size; we require BIO_BLOCK_SIZE (4 KiB), which covers 512-byte and 4 KiB
 * devices alike. Everything else (the odd small write of a test, a tail) goes through
 * the buffered descriptor. Linux keeps the two coherent enough for us: an O_DIRECT
 * write invalidates the cached pages of its range and an O_DIRECT read first writes
 * back the dirty ones; callers must not race a direct and a buffered transfer on the
 * same bytes (VOS never does: a range is written before it is referenced). fdatasync
 * on either descriptor flushes the inode and the device cache, so one suffices.
 *
 * Where O_DIRECT is refused (EINVAL at open or on the first aligned read: ramfs, tmpfs
 * before Linux 6.6, some FUSE file systems), fd_direct is -1 and all I/O is buffered;
 * this is logged once per process with D_NOTE.
 *
 * Files created with BIO_DEV_CREATE are fully allocated (fallocate), so a later write
 * cannot fail with ENOSPC; where fallocate is not supported the file is only extended
 * (logged once). The new file's directory is synced so the file survives a crash.
 *
 * Memory devices (tmpfs, ramfs) are also mapped shared, and a transfer is a memcpy: no
 * system call, and no inode lock shared by the targets writing one file. A store into a
 * hole of a mapping cannot report ENOSPC (the process gets SIGBUS), so before the first
 * write into each BIO_MEM_CHUNK the chunk is populated with madvise(MADV_POPULATE_WRITE),
 * which allocates and maps its pages in one call (not a fault per page) and reports a
 * full file system as EFAULT; kernels before 5.14 (EINVAL) get fallocate, which reports
 * ENOSPC. A bit per chunk remembers that (a lost race only repeats the call). Creating a
 * blob populates all its chunks at once (bio_dev_mem_reserve): the pool's space is then
 * really reserved, and no update pays for zeroing fresh pages (on a VM, for the host
 * backing them, several times the copy itself); opening one does the same, which only
 * maps pages that exist. A load from a hole would allocate a page too (SIGBUS when the
 * file system is full), so chunks not known to be populated are read with pread. Nothing
 * here ever punches holes, so a populated chunk stays backed. Where the mapping or
 * neither call is possible, pread/pwrite serve as before.
 *
 * Threads: the descriptors are used with pread/pwrite/fdatasync only and the mapping
 * with memcpy on ranges the callers own, which are thread safe, so I/O may come from
 * any thread; opening and closing belong to the owner.
 * The blob table lives in bio_table.c, blocking blob I/O in bio_io.c.
 */
#define D_LOGFAC DD_FAC(bio)

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "bio/bio_int.h"

#define BIO_MEM_CHUNK (2ull << 20)

static bool direct_refused_logged;
static bool fallocate_refused_logged;

/* Log once per process (the first caller to flip @flag logs). */
static bool
log_first_time(bool *flag)
{
	return !__atomic_exchange_n(flag, true, __ATOMIC_RELAXED);
}

int
bio_dev_io_error(const struct bio_dev *dev, const char *what, uint64_t off, size_t len, int err)
{
	D_ERROR("could not %s %zu bytes at offset " DF_U64 " of %s: %s", what, len, off, dev->path,
		strerror(err));
	return -DER_IO;
}

/* An errno from open/stat/fallocate as a -DER_* code, logged with the path. */
static int
dev_errno(const char *path, const char *what, int err)
{
	int rc = -daos_errno2der(err);

	if (rc == -DER_MISC)
		rc = -DER_IO;
	D_ERROR("could not %s %s: %s", what, path, strerror(err));
	return rc;
}

/* fsync the directory holding @path, so a file just created there survives a crash. */
static int
dev_sync_parent(const char *path)
{
	char *copy;
	int fd;
	int rc = 0;

	copy = d_strdup(path);
	if (copy == NULL)
		return -DER_NOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = dev_errno(path, "sync the directory of", errno);
	if (fd >= 0)
		close(fd);
	d_free(copy);
	return rc;
}

/* Give a file of at least @size bytes all its blocks. */
static int
dev_file_allocate(struct bio_dev *dev, uint64_t size)
{
	if (fallocate(dev->fd, 0, 0, (off_t)size) == 0)
		return 0;
	if (errno != EOPNOTSUPP)
		return dev_errno(dev->path, "allocate space for", errno);
	if (log_first_time(&fallocate_refused_logged))
		D_NOTE("fallocate is not supported for %s: space is not reserved in advance",
		       dev->path);
	if (ftruncate(dev->fd, (off_t)size) != 0)
		return dev_errno(dev->path, "extend", errno);
	return 0;
}

/* Open the buffered descriptor, create or grow the file, and learn the size. */
static int
dev_open_buffered(struct bio_dev *dev, uint64_t size, unsigned int flags)
{
	struct stat st;
	bool created = false;
	uint64_t bytes;
	int rc;

	if (flags & BIO_DEV_CREATE) {
		dev->fd = open(dev->path, O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL, 0600);
		created = dev->fd >= 0;
		if (dev->fd < 0 && errno == EEXIST)
			dev->fd = open(dev->path, O_RDWR | O_CLOEXEC);
	} else {
		dev->fd = open(dev->path, O_RDWR | O_CLOEXEC);
	}
	if (dev->fd < 0)
		return dev_errno(dev->path, "open", errno);
	if (fstat(dev->fd, &st) != 0) {
		rc = dev_errno(dev->path, "stat", errno);
		goto out_unlink;
	}

	if (flags & BIO_DEV_KDEV) {
		if (!S_ISBLK(st.st_mode)) {
			D_ERROR("%s is not a block device", dev->path);
			return -DER_INVAL;
		}
		if (ioctl(dev->fd, BLKGETSIZE64, &bytes) != 0)
			return dev_errno(dev->path, "get the size of", errno);
		dev->kdev = true;
		dev->size = bytes;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		D_ERROR("%s is not a regular file (use a kdev for block devices)", dev->path);
		return -DER_INVAL;
	}

	dev->size = (uint64_t)st.st_size;
	if ((flags & BIO_DEV_CREATE) && dev->size < size) {
		rc = dev_file_allocate(dev, size);
		if (rc != 0)
			goto out_unlink;
		dev->size = size;
	}
	if (created) {
		rc = dev_sync_parent(dev->path);
		if (rc != 0)
			goto out_unlink;
	}
	return 0;

out_unlink:
	/* Do not leave behind a file that this call created and could not size. */
	if (created)
		unlink(dev->path);
	return rc;
}

/*
 * Open the O_DIRECT descriptor, or leave fd_direct at -1 where the file system refuses
 * O_DIRECT. Some refuse it only at the first transfer, hence the probe read.
 */
static int
dev_open_direct(struct bio_dev *dev)
{
	void *probe = NULL;
	int fd;

	fd = open(dev->path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0 && errno != EINVAL)
		return dev_errno(dev->path, "open (O_DIRECT)", errno);
	if (fd >= 0 && dev->size >= BIO_BLOCK_SIZE) {
		probe = bio_buf_alloc(BIO_BLOCK_SIZE);
		if (probe == NULL) {
			close(fd);
			return -DER_NOMEM;
		}
		if (pread(fd, probe, BIO_BLOCK_SIZE, 0) < 0 && errno == EINVAL) {
			close(fd);
			fd = -1;
		}
		bio_buf_free(probe);
	}
	if (fd < 0 && log_first_time(&direct_refused_logged))
		D_NOTE("O_DIRECT is refused for %s: all I/O goes through the page cache",
		       dev->path);
	dev->fd_direct = fd;
	return 0;
}

/* Map a memory device; where that fails, transfers stay pread/pwrite (logged once). */
static int
dev_map(struct bio_dev *dev)
{
	static bool map_refused_logged;
	uint64_t nr_chunks = (dev->size + BIO_MEM_CHUNK - 1) / BIO_MEM_CHUNK;
	void *map;

	if (dev->size == 0 || dev->size > SIZE_MAX)
		return 0;
	dev->reserved = d_calloc((nr_chunks + 63) / 64, sizeof(uint64_t));
	if (dev->reserved == NULL)
		return -DER_NOMEM;
	map = mmap(NULL, (size_t)dev->size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, 0);
	if (map == MAP_FAILED) {
		if (log_first_time(&map_refused_logged))
			D_NOTE("could not map %s (%s): its I/O uses pread/pwrite", dev->path,
			       strerror(errno));
		d_free(dev->reserved);
		dev->reserved = NULL;
		return 0;
	}
	dev->map = map;
	return 0;
}

static void
dev_unmap(struct bio_dev *dev)
{
	if (dev->map != NULL)
		munmap(dev->map, (size_t)dev->size);
	dev->map = NULL;
	d_free(dev->reserved);
	dev->reserved = NULL;
}

/* Whether every chunk of [@off, @off + @len) of a mapped device is known to have its pages. */
static bool
dev_mem_reserved(struct bio_dev *dev, uint64_t off, size_t len)
{
	uint64_t c;

	if (len == 0)
		return true;
	for (c = off / BIO_MEM_CHUNK; c <= (off + len - 1) / BIO_MEM_CHUNK; c++)
		if (!(__atomic_load_n(&dev->reserved[c / 64], __ATOMIC_ACQUIRE) &
		      (1ull << (c % 64))))
			return false;
	return true;
}

/*
 * Make sure every chunk of [@off, @off + @len) of a mapped device has its pages, so the
 * copy cannot fault on a full file system. 0, or an errno (ENOSPC).
 */
static int
dev_mem_reserve(struct bio_dev *dev, uint64_t off, size_t len)
{
	uint64_t c;

	for (c = off / BIO_MEM_CHUNK; c <= (off + len - 1) / BIO_MEM_CHUNK; c++) {
		uint64_t bit = 1ull << (c % 64);
		uint64_t start = c * BIO_MEM_CHUNK;
		uint64_t end = D_MIN(start + BIO_MEM_CHUNK, dev->size);

		if (__atomic_load_n(&dev->reserved[c / 64], __ATOMIC_ACQUIRE) & bit)
			continue;
		if (madvise(dev->map + start, end - start, MADV_POPULATE_WRITE) != 0) {
			if (errno == EFAULT)
				return ENOSPC; /* a store would have raised SIGBUS */
			if (errno != EINVAL || fallocate(dev->fd, FALLOC_FL_KEEP_SIZE, (off_t)start,
							 (off_t)(end - start)) != 0)
				return errno;
		}
		__atomic_fetch_or(&dev->reserved[c / 64], bit, __ATOMIC_RELEASE);
	}
	return 0;
}

int
bio_dev_mem_reserve(struct bio_dev *dev, uint64_t off, uint64_t len)
{
	int err;

	if (dev->map == NULL || len == 0)
		return 0;
	if (off > dev->size || len > dev->size - off)
		return -DER_INVAL;
	err = dev_mem_reserve(dev, off, len);
	if (err == 0 || err == EOPNOTSUPP) /* ramfs: pages come with the writes */
		return 0;
	if (err == ENOSPC) {
		D_ERROR("%s: no memory left for " DF_U64 " bytes at " DF_U64
			" (the file system is full)",
			dev->path, len, off);
		return -DER_NOSPACE;
	}
	return bio_dev_io_error(dev, "allocate pages of", off, len, err);
}

static int dev_rw_all(struct bio_dev *dev, bool write, uint64_t off, void *buf, size_t len);

/* A transfer through the mapping of a memory device. */
static int
dev_mem_xfer(struct bio_dev *dev, bool write, uint64_t off, void *buf, size_t len)
{
	int err;

	if (off > dev->size || len > dev->size - off)
		return bio_dev_io_error(dev, write ? "write" : "read", off, len, EIO);
	if (!write) {
		/*
		 * A load from a hole of a shared tmpfs mapping allocates a page, and raises
		 * SIGBUS on a full file system: unreserved chunks are read with pread,
		 * which gives zeros for holes.
		 */
		if (!dev_mem_reserved(dev, off, len))
			return dev_rw_all(dev, false, off, buf, len);
		memcpy(buf, dev->map + off, len);
		return 0;
	}
	err = dev_mem_reserve(dev, off, len);
	if (err == EOPNOTSUPP) /* ramfs: no fallocate (and no size limit), a copy is safe */
		err = dev->ramfs ? 0 : EOPNOTSUPP;
	if (err == EOPNOTSUPP) /* let pwrite report what the file system thinks */
		return dev_rw_all(dev, true, off, buf, len);
	if (err != 0)
		return bio_dev_io_error(dev, "write", off, len, err);
	memcpy(dev->map + off, buf, len);
	return 0;
}

int
bio_dev_open(const char *path, uint64_t size, unsigned int flags, struct bio_dev **out)
{
	struct bio_dev *dev;
	int rc;

	if (path == NULL || (flags & ~(BIO_DEV_CREATE | BIO_DEV_KDEV)) != 0 ||
	    ((flags & BIO_DEV_CREATE) && (flags & BIO_DEV_KDEV)))
		return -DER_INVAL;

	dev = d_calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -DER_NOMEM;
	dev->fd = -1;
	dev->fd_direct = -1;
	D_INIT_LIST_HEAD(&dev->blobs);
	pthread_mutex_init(&dev->lock, NULL);
	dev->path = d_strdup(path);
	if (dev->path == NULL) {
		rc = -DER_NOMEM;
		goto out_free_dev;
	}

	rc = dev_open_buffered(dev, size, flags);
	if (rc != 0)
		goto out_close;
	if (!dev->kdev) {
		struct statfs st;

		/*
		 * Memory is the medium (tmpfs, ramfs): the I/O queue copies at once
		 * (bio_ioq.c), through the page cache; O_DIRECT (tmpfs has it since
		 * Linux 6.6) would gain nothing.
		 */
		dev->mem = fstatfs(dev->fd, &st) == 0 &&
			   (st.f_type == TMPFS_MAGIC || st.f_type == RAMFS_MAGIC);
		dev->ramfs = dev->mem && st.f_type == RAMFS_MAGIC;
	}
	rc = dev->mem ? dev_map(dev) : dev_open_direct(dev);
	if (rc != 0)
		goto out_close;

	D_DEBUG(DB_IO, "opened %s: " DF_U64 " bytes, %s", dev->path, dev->size,
		dev->map != NULL      ? "mapped"
		: dev->fd_direct >= 0 ? "O_DIRECT"
				      : "buffered");
	*out = dev;
	return 0;

out_close:
	if (dev->fd >= 0)
		close(dev->fd);
	d_free(dev->path);
out_free_dev:
	pthread_mutex_destroy(&dev->lock);
	d_free(dev);
	return rc;
}

void
bio_dev_close(struct bio_dev *dev)
{
	if (dev == NULL)
		return;
	D_ASSERTF(d_list_empty(&dev->blobs), "blobs of %s still open", dev->path);
	if (dev->fd_direct >= 0)
		close(dev->fd_direct);
	dev_unmap(dev);
	close(dev->fd);
	bio_table_fini(&dev->table);
	pthread_mutex_destroy(&dev->lock);
	d_free(dev->path);
	d_free(dev);
}

uint64_t
bio_dev_size(const struct bio_dev *dev)
{
	return dev->size;
}

const char *
bio_dev_path(const struct bio_dev *dev)
{
	return dev->path;
}

bool
bio_blob_same_dev(const struct bio_blob *a, const struct bio_blob *b)
{
	return a->dev == b->dev;
}

bool
bio_blob_mem(const struct bio_blob *blob)
{
	return blob->dev->mem;
}

int
bio_dev_zero_fill(struct bio_dev *dev, uint64_t off, uint64_t len)
{
	const size_t chunk = 1u << 20;
	uint8_t *zeros;
	uint64_t done;
	int rc = 0;

	if (dev->mem || dev->kdev || len == 0)
		return 0;
	zeros = bio_buf_alloc(chunk);
	if (zeros == NULL)
		return -DER_NOMEM;
	memset(zeros, 0, chunk);
	for (done = 0; done < len && rc == 0; done += chunk)
		rc = dev_rw_all(dev, true, off + done, zeros, (size_t)D_MIN(chunk, len - done));
	bio_buf_free(zeros);
	return rc != 0 ? rc : bio_dev_fdatasync(dev);
}

int
bio_blob_map(struct bio_blob *blob, uint64_t off, uint64_t len, void **addr)
{
	struct bio_dev *dev = blob->dev;
	int err;

	if (off > blob->size || len > blob->size - off || len == 0)
		return -DER_INVAL;
	if (!dev->mem || dev->map == NULL)
		return -DER_NOTSUPPORTED;
	off += blob->off;
	err = dev_mem_reserve(dev, off, len);
	if (err == EOPNOTSUPP && dev->ramfs)
		err = 0; /* ramfs: no fallocate, no size limit: stores cannot fault */
	if (err == EOPNOTSUPP)
		return -DER_NOTSUPPORTED;
	if (err == ENOSPC)
		return -DER_NOSPACE;
	if (err != 0)
		return bio_dev_io_error(dev, "allocate pages of", off, len, err);
	*addr = dev->map + off;
	return 0;
}

bool
bio_dev_direct(const struct bio_dev *dev)
{
	return dev->fd_direct >= 0;
}

int
bio_dev_fd_for(const struct bio_dev *dev, uint64_t off, const void *buf, size_t len)
{
	if (dev->fd_direct >= 0 && ((off | (uintptr_t)buf | len) & (BIO_BLOCK_SIZE - 1)) == 0)
		return dev->fd_direct;
	return dev->fd;
}

/* pread/pwrite until done: short transfers and EINTR are retried. */
static int
dev_rw_all(struct bio_dev *dev, bool write, uint64_t off, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;
	int fd;

	while (done < len) {
		/* A short transfer may leave the rest unaligned: choose the descriptor again. */
		fd = bio_dev_fd_for(dev, off + done, p + done, len - done);
		if (write)
			n = pwrite(fd, p + done, len - done, (off_t)(off + done));
		else
			n = pread(fd, p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bio_dev_io_error(dev, write ? "write" : "read", off, len, errno);
		/* Zero bytes moved: the device ends before @off + @len (truncated file). */
		if (n == 0)
			return bio_dev_io_error(dev, write ? "write" : "read", off, len, EIO);
		done += (size_t)n;
	}
	return 0;
}

int
bio_dev_xfer(struct bio_dev *dev, bool write, uint64_t off, void *buf, size_t len)
{
	if (dev->map != NULL && len > 0)
		return dev_mem_xfer(dev, write, off, buf, len);
	return dev_rw_all(dev, write, off, buf, len);
}

int
bio_dev_fdatasync(struct bio_dev *dev)
{
	int rc;

	/*
	 * A failed fdatasync is not retried: the kernel may have dropped the dirty pages
	 * and a second call would report success. The caller must treat it as fatal.
	 */
	do {
		rc = fdatasync(dev->fd);
	} while (rc != 0 && errno == EINTR);
	if (rc != 0) {
		D_ERROR("could not sync %s: %s", dev->path, strerror(errno));
		return -DER_IO;
	}
	return 0;
}

int
bio_dev_pread(struct bio_dev *dev, uint64_t off, void *buf, size_t len)
{
	if (bio_io_should_fail()) {
		D_DEBUG(DB_IO, "injected failure of a read at " DF_U64 " of %s", off, dev->path);
		return -DER_IO;
	}
	return bio_dev_xfer(dev, false, off, buf, len);
}

int
bio_dev_pwrite(struct bio_dev *dev, uint64_t off, const void *buf, size_t len)
{
	if (bio_io_should_fail()) {
		D_DEBUG(DB_IO, "injected failure of a write at " DF_U64 " of %s", off, dev->path);
		return -DER_IO;
	}
	return bio_dev_xfer(dev, true, off, (void *)(uintptr_t)buf, len);
}

int
bio_dev_sync(struct bio_dev *dev)
{
	if (bio_io_should_fail()) {
		D_DEBUG(DB_IO, "injected failure of a sync of %s", dev->path);
		return -DER_IO;
	}
	return bio_dev_fdatasync(dev);
}
