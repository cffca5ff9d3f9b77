/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_dev_tests.c - devices: create, grow and reopen files; O_DIRECT where the file
 * system takes it (checked through the page cache) and the buffered fallback where it
 * does not (ramfs; tmpfs too before Linux 6.6); block devices through a loop device.
 */
#define D_LOGFAC DD_FAC(tests)

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "bio/bio.h"
#include "bio/tests/bio_test.h"
#include "common/test.h"

/* Create, grow, never shrink; reopen without creating; errors for what is not a file. */
static void
create_grow_reopen(void **state)
{
	TEST_ALLOC_MARK();
	struct bt_dir d;
	struct bio_dev *dev = NULL;
	struct stat st;

	(void)state;
	bt_dir_init(&d, "bio_dev");

	assert_int_equal(bio_dev_open(d.path, 4 * MiB, 0, &dev), -DER_NONEXIST);
	assert_int_equal(bio_dev_open(d.path, 4 * MiB, BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_dev_size(dev), 4 * MiB);
	assert_string_equal(bio_dev_path(dev), d.path);
	bio_dev_close(dev);
	assert_int_equal(stat(d.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* fallocate: every block is allocated, not a sparse file */
	assert_true((uint64_t)st.st_blocks * 512 >= 4 * MiB);

	assert_int_equal(bio_dev_open(d.path, 8 * MiB, BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_dev_size(dev), 8 * MiB);
	bio_dev_close(dev);
	assert_int_equal(stat(d.path, &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 >= 8 * MiB);

	assert_int_equal(bio_dev_open(d.path, 2 * MiB, BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_dev_size(dev), 8 * MiB);
	bio_dev_close(dev);

	assert_int_equal(bio_dev_open(d.path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_size(dev), 8 * MiB);
	bio_dev_close(dev);

	/* Flags that contradict each other, unknown flags, the wrong kind of file */
	assert_int_equal(bio_dev_open(d.path, 0, BIO_DEV_CREATE | BIO_DEV_KDEV, &dev), -DER_INVAL);
	assert_int_equal(bio_dev_open(d.path, 0, 8, &dev), -DER_INVAL);
	assert_int_equal(bio_dev_open(d.path, 0, BIO_DEV_KDEV, &dev), -DER_INVAL);
	assert_int_not_equal(bio_dev_open(d.dir, 0, 0, &dev), 0);

	/* A format needs room for the table; a load needs a table */
	assert_int_equal(truncate(d.path, 4096), 0);
	assert_int_equal(bio_dev_open(d.path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_format(dev), -DER_NOSPACE);
	assert_int_equal(bio_dev_load(dev), -DER_DF_INVAL);
	bio_dev_close(dev);

	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* Pages of [@off, @off + @len) of @path in the page cache. */
static size_t
cached_pages(const char *path, uint64_t off, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char vec[256];
	size_t nr = len / (size_t)page;
	size_t n = 0;
	size_t i;
	void *map;
	int fd;

	assert_true(nr <= sizeof(vec));
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mincore(map, len, vec), 0);
	for (i = 0; i < nr; i++)
		n += vec[i] & 1;
	munmap(map, len);
	close(fd);
	return n;
}

/*
 * On ext4 (what /tmp is here) O_DIRECT is taken: an aligned write leaves the page cache
 * alone, an unaligned one goes through it.
 */
static void
direct_on_tmp(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_blob_id id = bt_id(0, BIO_ROLE_DATA);
	struct bio_blob *blob;
	struct bio_dev *dev;
	struct statfs sfs;
	struct bt_dir d;
	char small[100];
	char *buf;

	(void)state;
	bt_dir_init(&d, "bio_dev");
	assert_int_equal(statfs(d.dir, &sfs), 0);
	if (sfs.f_type != EXT4_SUPER_MAGIC && sfs.f_type != XFS_SUPER_MAGIC &&
	    sfs.f_type != BTRFS_SUPER_MAGIC) {
		bt_dir_fini(&d);
		skip(); /* TMPDIR is not on ext4, xfs or btrfs: O_DIRECT may be refused */
	}
	dev = bt_dev_new(d.path, 4 * MiB);
	assert_true(bio_dev_direct(dev));
	assert_int_equal(bio_blob_create(dev, &id, MiB), 0);
	assert_int_equal(bio_blob_open(dev, &id, &blob), 0);

	buf = bio_buf_alloc(256 * 1024);
	assert_non_null(buf);
	memset(buf, 'x', 256 * 1024);
	/* The blob is the first after the table: device offset 1 MiB. */
	assert_int_equal(bio_write(blob, 0, buf, 256 * 1024), 0);
	assert_int_equal(cached_pages(d.path, MiB, 256 * 1024), 0);
	memset(small, 'y', sizeof(small));
	assert_int_equal(bio_write(blob, 512 * 1024 + 10, small, sizeof(small)), 0);
	assert_true(cached_pages(d.path, MiB + 512 * 1024, 4096) == 1);

	assert_int_equal(bio_read(blob, 0, buf, 256 * 1024), 0);
	assert_true(buf[0] == 'x' && buf[256 * 1024 - 1] == 'x');
	bio_buf_free(buf);
	bio_blob_close(blob);
	bio_dev_close(dev);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* Open with @flags, format, write aligned and unaligned, close, reopen, read back. */
static void
round_trip(const char *path, uint64_t size, unsigned int flags)
{
	struct bio_blob_id id = bt_id(1, BIO_ROLE_WAL);
	struct bio_blob *blob;
	struct bio_dev *dev;
	char *buf = bio_buf_alloc(8192);
	char *out = bio_buf_alloc(8192);
	size_t i;

	assert_non_null(buf);
	assert_non_null(out);
	for (i = 0; i < 8192; i++)
		buf[i] = (char)(i * 7);
	assert_int_equal(bio_dev_open(path, size, flags, &dev), 0);
	assert_int_equal(bio_dev_format(dev), 0);
	assert_int_equal(bio_blob_create(dev, &id, MiB), 0);
	assert_int_equal(bio_blob_open(dev, &id, &blob), 0);
	assert_int_equal(bio_write(blob, 4096, buf, 8192), 0);
	assert_int_equal(bio_write(blob, 3, buf, 5000), 0);
	assert_int_equal(bio_sync(blob), 0);
	bio_blob_close(blob);
	bio_dev_close(dev);

	assert_int_equal(bio_dev_open(path, 0, flags & ~BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_dev_load(dev), 0);
	assert_int_equal(bio_blob_open(dev, &id, &blob), 0);
	assert_int_equal(bio_read(blob, 3, out, 5000), 0);
	assert_memory_equal(out, buf, 5000);
	assert_int_equal(bio_read(blob, 8192, out, 4096), 0);
	assert_memory_equal(out, buf + 4096, 4096);
	bio_blob_close(blob);
	bio_dev_close(dev);
	bio_buf_free(buf);
	bio_buf_free(out);
}

/* Mount a file system of @type at @dir, or return false when not allowed to. */
static bool
try_mount(const char *type, const char *dir)
{
	if (mount(type, dir, type, 0, strcmp(type, "tmpfs") == 0 ? "size=64m" : NULL) == 0)
		return true;
	print_message("cannot mount %s at %s (%s): needs root\n", type, dir, strerror(errno));
	return false;
}

/* Fill the file system of @path with a file there until it is full; returns its path. */
static char *
fill_fs(const char *mnt)
{
	char *path;
	char *buf = bio_buf_alloc(MiB);
	int fd;

	assert_non_null(buf);
	memset(buf, 7, MiB);
	assert_true(d_asprintf(&path, "%s/filler", mnt) > 0);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	while (write(fd, buf, MiB) > 0)
		;
	close(fd);
	bio_buf_free(buf);
	return path;
}

/*
 * A sparse device file larger than its 64 MiB tmpfs (memory devices are mapped). A blob
 * the file system cannot hold is refused at creation (-DER_NOSPACE) and not recorded;
 * one that fits gets its pages then, and all its writes succeed. A device whose blob
 * lost its pages behind our back (a sparse copy) and whose file system is full fails
 * the writes there with -DER_IO, never SIGBUS, and works again once space is back.
 */
static void
mem_sparse_full(const char *mnt)
{
	struct bio_blob_id id = bt_id(1, BIO_ROLE_DATA);
	struct bio_blob *blob;
	struct bio_dev *dev;
	char *filler;
	char *path;
	char *buf = bio_buf_alloc(MiB);
	uint64_t off;
	int fd;

	assert_non_null(buf);
	assert_true(d_asprintf(&path, "%s/sparse", mnt) > 0);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 256 * MiB), 0);
	close(fd);
	assert_int_equal(bio_dev_open(path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_format(dev), 0);
	assert_int_equal(bio_blob_create(dev, &id, 200 * MiB), -DER_NOSPACE);
	assert_int_equal(bio_blob_open(dev, &id, &blob), -DER_NONEXIST);
	assert_int_equal(bio_blob_create(dev, &id, 32 * MiB), 0);
	assert_int_equal(bio_blob_open(dev, &id, &blob), 0);
	filler = fill_fs(mnt); /* the blob's pages are its own already */
	for (off = 0; off < 32 * MiB; off += MiB) {
		memset(buf, (int)(off / MiB), MiB);
		assert_int_equal(bio_write(blob, off, buf, MiB), 0);
	}
	assert_int_equal(bio_read(blob, 31 * MiB, buf, MiB), 0);
	assert_true(buf[0] == 31 && buf[MiB - 1] == 31);
	bio_blob_close(blob);
	bio_dev_close(dev);

	/* the blob's pages go away while the device is closed; the file system is full */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, BIO_BLOB_ALIGN,
				   255 * MiB),
			 0);
	close(fd);
	assert_int_equal(unlink(filler), 0);
	d_free(filler);
	filler = fill_fs(mnt);
	assert_int_equal(bio_dev_open(path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_load(dev), 0);
	assert_int_equal(bio_blob_open(dev, &id, &blob), 0);
	assert_int_equal(bio_write(blob, 16 * MiB, buf, MiB), -DER_IO);
	assert_int_equal(bio_read(blob, 8 * MiB, buf, MiB), 0); /* a hole: zeros, no SIGBUS */
	assert_true(buf[0] == 0 && buf[MiB - 1] == 0);
	memset(buf, 31, MiB);
	assert_int_equal(unlink(filler), 0);
	assert_int_equal(bio_write(blob, 16 * MiB, buf, MiB), 0);
	assert_int_equal(bio_read(blob, 16 * MiB, buf, MiB), 0);
	assert_true(buf[0] == 31 && buf[MiB - 1] == 31);
	bio_blob_close(blob);
	bio_dev_close(dev);
	assert_int_equal(unlink(path), 0);
	d_free(filler);
	d_free(path);
	bio_buf_free(buf);
}

/*
 * Where O_DIRECT is refused, everything goes through the page cache. ramfs refuses it;
 * tmpfs did before Linux 6.6 and takes it since, so both must work either way.
 */
static void
buffered_fallback(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_dev *dev;
	struct bt_dir d;
	char *mnt;
	char *path;

	(void)state;
	bt_dir_init(&d, "bio_dev");
	assert_true(d_asprintf(&mnt, "%s/mnt", d.dir) > 0);
	assert_true(d_asprintf(&path, "%s/dev", mnt) > 0);
	assert_int_equal(mkdir(mnt, 0700), 0);

	if (!try_mount("tmpfs", mnt)) {
		d_free(path);
		d_free(mnt);
		bt_dir_fini(&d);
		skip(); /* not root: cannot mount a tmpfs or ramfs */
	}
	round_trip(path, 4 * MiB, BIO_DEV_CREATE);
	assert_int_equal(bio_dev_open(path, 0, 0, &dev), 0);
	print_message("tmpfs: O_DIRECT %s\n", bio_dev_direct(dev) ? "taken" : "refused");
	bio_dev_close(dev);
	assert_int_equal(unlink(path), 0);
	mem_sparse_full(mnt);
	assert_int_equal(umount(mnt), 0);

	assert_true(try_mount("ramfs", mnt));
	assert_int_equal(bio_dev_open(path, 4 * MiB, BIO_DEV_CREATE, &dev), 0);
	assert_false(bio_dev_direct(dev));
	bio_dev_close(dev);
	round_trip(path, 4 * MiB, BIO_DEV_CREATE);
	assert_int_equal(umount(mnt), 0);

	d_free(path);
	d_free(mnt);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

/* A block device (BIO_DEV_KDEV): a loop device over a file, when we may make one. */
static void
kdev_loop(void **state)
{
	TEST_ALLOC_MARK();
	struct bio_dev *dev;
	struct bt_dir d;
	char loop[32];
	int ctl;
	int nr;
	int lfd;
	int ffd;

	(void)state;
	bt_dir_init(&d, "bio_dev");
	ffd = open(d.path, O_RDWR | O_CREAT, 0600);
	assert_true(ffd >= 0);
	assert_int_equal(ftruncate(ffd, 8 * MiB), 0);
	ctl = open("/dev/loop-control", O_RDWR);
	nr = ctl >= 0 ? ioctl(ctl, LOOP_CTL_GET_FREE) : -1;
	snprintf(loop, sizeof(loop), "/dev/loop%d", nr);
	lfd = nr >= 0 ? open(loop, O_RDWR) : -1;
	if (lfd < 0 || ioctl(lfd, LOOP_SET_FD, ffd) != 0) {
		print_message("no loop device (%s): needs root and /dev/loop-control\n",
			      strerror(errno));
		if (lfd >= 0)
			close(lfd);
		if (ctl >= 0)
			close(ctl);
		close(ffd);
		bt_dir_fini(&d);
		skip();
	}

	assert_int_equal(bio_dev_open(loop, 0, BIO_DEV_KDEV, &dev), 0);
	assert_int_equal(bio_dev_size(dev), 8 * MiB);
	bio_dev_close(dev);
	assert_int_equal(bio_dev_open(loop, 0, 0, &dev), -DER_INVAL);
	round_trip(loop, 0, BIO_DEV_KDEV);

	assert_int_equal(ioctl(lfd, LOOP_CLR_FD, 0), 0);
	close(lfd);
	close(ctl);
	close(ffd);
	bt_dir_fini(&d);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_grow_reopen),
		cmocka_unit_test(direct_on_tmp),
		cmocka_unit_test(buffered_fallback),
		cmocka_unit_test(kdev_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
