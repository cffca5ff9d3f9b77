/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_fsx.c - an fsx-style random test of file data: random writes, reads, truncations,
 * hole punches, renames and reopens of one file, each mirrored on a reference file in
 * local TMPDIR; every read and size is compared with the reference. Only public headers.
 *
 *   api_dfs_fsx [-n OPS] [-s SEED] [-m MAXSIZE] [-c CHUNK] [-C CONTAINER | -p DIR] [-v]
 *
 * The file under test is reached through one of two backends (struct fsx_ops), which
 * see the same sequence of operations for a given seed:
 *
 * - libdfs (default): a file in a POSIX container. Truncations are dfs_punch to the end
 *   and dfs_osetattr's size, punches dfs_punch. DAOS_POOL names the pool (and
 *   DAOS_AGENT_DRPC_DIR the agent, as for every client). The program makes its own
 *   container and destroys it when all went well; on a mismatch it prints the last
 *   operations and exits 1, leaving the container for inspection. With -C it works in
 *   the existing POSIX container CONTAINER instead (dfs_connect), e.g. one made by
 *   `daos container create --type POSIX`, and prints its chunk size; its file is removed
 *   at the end.
 * - POSIX (-p DIR): a file in directory DIR, e.g. on a dfuse mount, possibly under an
 *   interception library: pwrite, pread, ftruncate, truncate on the path, hole punches
 *   (fallocate PUNCH_HOLE, or writes of zeros where the file system refuses it), rename
 *   with the file open, close and open, fstat and stat. DAOS is not used at all; the file
 *   is removed at the end unless something failed.
 *
 * It prints the rate at the end: "fsx: N ops in S s (R ops/s)".
 *
 * Space: the engine keeps overwritten extents and punches until it aggregates them, so
 * a run consumes pool space as it goes: about 0.6 KiB of SCM (index) and 3 KiB of NVMe
 * per operation here; 100,000 operations want a pool with 100 MB of SCM or more.
 */
#include <daos_fs.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_NR 32

enum op { OP_WRITE, OP_READ, OP_TRUNC, OP_SETSIZE, OP_PUNCH, OP_RENAME, OP_REOPEN, OP_STAT };
static const char *op_names[] = { "write", "read",   "trunc",  "setsize",
				  "punch", "rename", "reopen", "stat" };

/*
 * The file under test. Every function returns 0 or a positive errno (EIO for a result
 * that contradicts the call). Names are relative to the backend's directory.
 */
struct fsx_ops {
	int (*create)(const char *name);
	int (*write)(const char *buf, uint64_t len, uint64_t off);
	int (*read)(char *buf, uint64_t len, uint64_t off, uint64_t *got);
	int (*trunc)(uint64_t size);                     /* through the open file */
	int (*setsize)(const char *name, uint64_t size); /* dfs_osetattr; truncate(path) */
	int (*punch)(uint64_t off, uint64_t len);
	int (*rename)(const char *from, const char *to); /* with the file open */
	int (*reopen)(const char *name);
	int (*stat)(const char *name, uint64_t *entry_size, uint64_t *file_size);
	int (*close)(const char *name, bool remove);
	bool punch_truncates; /* a punch reaching the end truncates the file there */
};

struct logrec {
	long n;
	enum op op;
	uint64_t off;
	uint64_t len;
};

static struct logrec oplog[LOG_NR];
static uint64_t rng_state;
static int verbose;

static uint64_t
rnd(void)
{
	/* xorshift64*: reproducible from -s on every platform */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t
rnd_below(uint64_t n)
{
	return n == 0 ? 0 : rnd() % n;
}

static void
log_op(long n, enum op op, uint64_t off, uint64_t len)
{
	struct logrec *r = &oplog[n % LOG_NR];

	r->n = n;
	r->op = op;
	r->off = off;
	r->len = len;
	if (verbose)
		printf("%ld %s off %" PRIu64 " len %" PRIu64 "\n", n, op_names[op], off, len);
}

static void
log_dump(long upto)
{
	long i;

	fprintf(stderr, "last operations:\n");
	for (i = upto - LOG_NR + 1; i <= upto; i++) {
		struct logrec *r;

		if (i < 0)
			continue;
		r = &oplog[i % LOG_NR];
		fprintf(stderr, "  %ld %s off %" PRIu64 " len %" PRIu64 "\n", r->n, op_names[r->op],
			r->off, r->len);
	}
}

/* ---- libdfs ---- */

static dfs_t *dfs;
static dfs_obj_t *dfs_file;

static void
sgl_init(d_sg_list_t *sgl, d_iov_t *iov, void *buf, size_t len)
{
	d_iov_set(iov, buf, len);
	sgl->sg_nr = 1;
	sgl->sg_nr_out = 0;
	sgl->sg_iovs = iov;
}

static int
dfsx_create(const char *name)
{
	return dfs_open(dfs, NULL, name, S_IFREG | 0644, O_RDWR | O_CREAT | O_EXCL, 0, 0, NULL,
			&dfs_file);
}

static int
dfsx_write(const char *buf, uint64_t len, uint64_t off)
{
	d_sg_list_t sgl;
	d_iov_t iov;

	sgl_init(&sgl, &iov, (void *)buf, len);
	return dfs_write(dfs, dfs_file, &sgl, off, NULL);
}

static int
dfsx_read(char *buf, uint64_t len, uint64_t off, uint64_t *got)
{
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_size_t n = 0;
	int rc;

	sgl_init(&sgl, &iov, buf, len);
	rc = dfs_read(dfs, dfs_file, &sgl, off, &n, NULL);
	*got = n;
	return rc;
}

static int
dfsx_trunc(uint64_t size)
{
	return dfs_punch(dfs, dfs_file, size, DFS_MAX_FSIZE);
}

static int
dfsx_setsize(const char *name, uint64_t size)
{
	struct stat st = { 0 };
	int rc;

	(void)name;
	st.st_size = (off_t)size;
	rc = dfs_osetattr(dfs, dfs_file, &st, DFS_SET_ATTR_SIZE);
	if (rc == 0 && (uint64_t)st.st_size != size) {
		fprintf(stderr, "fsx: setsize: stat says %" PRIu64 "\n", (uint64_t)st.st_size);
		rc = EIO;
	}
	return rc;
}

static int
dfsx_punch(uint64_t off, uint64_t len)
{
	return dfs_punch(dfs, dfs_file, off, len);
}

static int
dfsx_rename(const char *from, const char *to)
{
	int rc = dfs_move(dfs, NULL, from, NULL, to, NULL);

	/* The open handle still reaches the data (same object). */
	if (rc == 0)
		rc = dfs_update_parent(dfs_file, dfs_file, to);
	return rc;
}

static int
dfsx_reopen(const char *name)
{
	int rc = dfs_release(dfs_file);

	dfs_file = NULL;
	if (rc == 0)
		rc = dfs_open(dfs, NULL, name, S_IFREG, O_RDWR, 0, 0, NULL, &dfs_file);
	return rc;
}

static int
dfsx_stat(const char *name, uint64_t *entry_size, uint64_t *file_size)
{
	struct stat st;
	daos_size_t size = 0;
	int rc;

	rc = dfs_stat(dfs, NULL, name, &st);
	if (rc == 0)
		rc = dfs_get_size(dfs, dfs_file, &size);
	*entry_size = (uint64_t)st.st_size;
	*file_size = size;
	return rc;
}

static int
dfsx_close(const char *name, bool remove)
{
	int rc = 0;

	if (dfs_file != NULL)
		rc = dfs_release(dfs_file);
	dfs_file = NULL;
	if (rc == 0 && remove)
		rc = dfs_remove(dfs, NULL, name, false, NULL);
	return rc;
}

static const struct fsx_ops dfs_fsx_ops = {
	.create = dfsx_create,
	.write = dfsx_write,
	.read = dfsx_read,
	.trunc = dfsx_trunc,
	.setsize = dfsx_setsize,
	.punch = dfsx_punch,
	.rename = dfsx_rename,
	.reopen = dfsx_reopen,
	.stat = dfsx_stat,
	.close = dfsx_close,
	.punch_truncates = true, /* daos_fs.h */
};

/* ---- POSIX ---- */

static const char *posix_path; /* the directory of -p */
static int posix_dir = -1;     /* and an fd of it */
static int posix_fd = -1;
static bool posix_no_punch; /* the file system refused PUNCH_HOLE once */

static int
px_create(const char *name)
{
	posix_fd = openat(posix_dir, name, O_RDWR | O_CREAT | O_EXCL, 0644);
	return posix_fd < 0 ? errno : 0;
}

/* Loop over short transfers: POSIX allows them, the file system is not wrong to use them. */
static int
px_write(const char *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(posix_fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;
		done += (uint64_t)n;
	}
	return 0;
}

static int
px_read(char *buf, uint64_t len, uint64_t off, uint64_t *got)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = pread(posix_fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0)
			return errno;
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	*got = done;
	return 0;
}

static int
px_trunc(uint64_t size)
{
	return ftruncate(posix_fd, (off_t)size) != 0 ? errno : 0;
}

static int
px_setsize(const char *name, uint64_t size)
{
	char path[4096];

	/* By path, so that the entry is looked up again (no truncateat exists). */
	if (snprintf(path, sizeof(path), "%s/%s", posix_path, name) >= (int)sizeof(path))
		return ENAMETOOLONG;
	return truncate(path, (off_t)size) != 0 ? errno : 0;
}

static int
px_punch(uint64_t off, uint64_t len)
{
	static const char zeros[65536];
	uint64_t done, n;
	int rc;

	if (!posix_no_punch) {
		if (fallocate(posix_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
			      (off_t)len) == 0)
			return 0;
		if (errno != EOPNOTSUPP && errno != ENOSYS)
			return errno;
		posix_no_punch = true;
		printf("fsx: no PUNCH_HOLE here: punches write zeros\n");
	}
	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(zeros) ? len - done : sizeof(zeros);
		rc = px_write(zeros, n, off + done);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
px_rename(const char *from, const char *to)
{
	return renameat(posix_dir, from, posix_dir, to) != 0 ? errno : 0;
}

static int
px_reopen(const char *name)
{
	int rc = close(posix_fd) != 0 ? errno : 0;

	posix_fd = -1;
	if (rc == 0) {
		posix_fd = openat(posix_dir, name, O_RDWR);
		if (posix_fd < 0)
			rc = errno;
	}
	return rc;
}

static int
px_stat(const char *name, uint64_t *entry_size, uint64_t *file_size)
{
	struct stat st, fst;

	if (fstatat(posix_dir, name, &st, 0) != 0 || fstat(posix_fd, &fst) != 0)
		return errno;
	*entry_size = (uint64_t)st.st_size;
	*file_size = (uint64_t)fst.st_size;
	return 0;
}

static int
px_close(const char *name, bool remove)
{
	int rc = 0;

	if (posix_fd >= 0 && close(posix_fd) != 0)
		rc = errno;
	posix_fd = -1;
	if (rc == 0 && remove && unlinkat(posix_dir, name, 0) != 0)
		rc = errno;
	return rc;
}

static const struct fsx_ops posix_fsx_ops = {
	.create = px_create,
	.write = px_write,
	.read = px_read,
	.trunc = px_trunc,
	.setsize = px_setsize,
	.punch = px_punch,
	.rename = px_rename,
	.reopen = px_reopen,
	.stat = px_stat,
	.close = px_close,
	.punch_truncates = false,
};

/* ---- the test ---- */

/* The reference file's size. */
static uint64_t
ref_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	return end < 0 ? 0 : (uint64_t)end;
}

/* Read @len at @off from the file and compare with the reference. */
static int
check_read(const struct fsx_ops *ops, int fd, long n, char *buf, char *rbuf, uint64_t len,
	   uint64_t off, uint64_t size)
{
	uint64_t want = off >= size ? 0 : size - off < len ? size - off : len;
	uint64_t got = 0, i;
	ssize_t pr;
	int rc;

	memset(rbuf, 0x5a, len);
	rc = ops->read(rbuf, len, off, &got);
	if (rc != 0)
		return rc;
	pr = pread(fd, buf, want, (off_t)off);
	if (got != want || pr != (ssize_t)want) {
		fprintf(stderr,
			"fsx: op %ld read %" PRIu64 "@%" PRIu64 ": got %" PRIu64
			" bytes, expected %" PRIu64 "\n",
			n, len, off, got, want);
		return EIO;
	}
	for (i = 0; i < want; i++) {
		if (buf[i] != rbuf[i]) {
			fprintf(stderr,
				"fsx: op %ld read %" PRIu64 "@%" PRIu64 ": byte %" PRIu64
				" is 0x%02x, expected 0x%02x\n",
				n, len, off, off + i, (unsigned char)rbuf[i],
				(unsigned char)buf[i]);
			return EIO;
		}
	}
	return 0;
}

/* Run @nops random operations on the file @names[0] (created here) and the reference @fd. */
static int
fsx_run(const struct fsx_ops *ops, int fd, long nops, uint64_t maxsize, char names[2][32],
	int *cur_out)
{
	char *buf = malloc(maxsize), *rbuf = malloc(maxsize);
	struct timespec t0, t1;
	int cur = 0, rc;
	double secs;
	long n;

	if (buf == NULL || rbuf == NULL) {
		rc = ENOMEM;
		goto out;
	}
	rc = ops->create(names[cur]);
	if (rc != 0) {
		fprintf(stderr, "fsx: create: %s\n", strerror(rc));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < nops; n++) {
		uint64_t r = rnd_below(100), size = ref_size(fd), off, len, i, esize, fsize;
		enum op op;

		op = r < 35   ? OP_WRITE
		     : r < 70 ? OP_READ
		     : r < 77 ? OP_TRUNC
		     : r < 82 ? OP_SETSIZE
		     : r < 89 ? OP_PUNCH
		     : r < 92 ? OP_RENAME
		     : r < 94 ? OP_REOPEN
			      : OP_STAT;
		/*
		 * Mostly small transfers, now and then one of up to a quarter of the file.
		 * Overwritten extents keep their space until the engine aggregates them, so
		 * the volume written stays modest: about 3 KiB per operation on average.
		 */
		len = rnd_below(32) == 0 ? 1 + rnd_below(maxsize / 4) : 1 + rnd_below(8192);
		off = rnd_below(maxsize);
		if (off + len > maxsize)
			len = maxsize - off;
		switch (op) {
		case OP_WRITE:
			log_op(n, op, off, len);
			for (i = 0; i < len; i++)
				buf[i] = (char)(rnd() >> 56);
			rc = ops->write(buf, len, off);
			if (rc == 0 && pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
				rc = EIO;
			break;
		case OP_READ:
			if (size > 0 && rnd_below(4) != 0)
				off = rnd_below(size); /* mostly inside the file */
			if (off + len > maxsize)
				len = maxsize - off;
			log_op(n, op, off, len);
			rc = check_read(ops, fd, n, buf, rbuf, len, off, size);
			break;
		case OP_TRUNC:
		case OP_SETSIZE:
			off = rnd_below(2) ? rnd_below(maxsize) : rnd_below(size + 1);
			log_op(n, op, off, 0);
			if (op == OP_TRUNC)
				rc = ops->trunc(off);
			else
				rc = ops->setsize(names[cur], off);
			if (rc == 0 && ftruncate(fd, (off_t)off) != 0)
				rc = EIO;
			break;
		case OP_PUNCH:
			if (size == 0)
				continue;
			off = rnd_below(size);
			if (off + len > size)
				len = size - off;
			log_op(n, op, off, len);
			rc = ops->punch(off, len);
			if (rc != 0)
				break;
			memset(buf, 0, len);
			if (ops->punch_truncates && off + len >= size) {
				if (ftruncate(fd, (off_t)off) != 0)
					rc = EIO;
			} else if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len) {
				rc = EIO;
			}
			break;
		case OP_RENAME:
			log_op(n, op, 0, 0);
			rc = ops->rename(names[cur], names[1 - cur]);
			if (rc == 0)
				cur = 1 - cur;
			break;
		case OP_REOPEN:
			log_op(n, op, 0, 0);
			rc = ops->reopen(names[cur]);
			break;
		case OP_STAT:
			log_op(n, op, 0, 0);
			rc = ops->stat(names[cur], &esize, &fsize);
			if (rc == 0 && (esize != size || fsize != size)) {
				fprintf(stderr,
					"fsx: op %ld stat size %" PRIu64 ", open file's %" PRIu64
					", expected %" PRIu64 "\n",
					n, esize, fsize, size);
				rc = EIO;
			}
			break;
		}
		if (rc != 0) {
			fprintf(stderr, "fsx: op %ld (%s) failed: %s\n", n, op_names[op],
				strerror(rc));
			log_dump(n);
			goto out;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("fsx: %ld ops in %.1f s (%.0f ops/s)\n", nops, secs, secs > 0 ? nops / secs : 0);
out:
	*cur_out = cur;
	free(buf);
	free(rbuf);
	return rc;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n OPS] [-s SEED] [-m MAXSIZE] [-c CHUNK] [-C CONTAINER | -p DIR] "
		"[-v]\n",
		prog);
}

int
main(int argc, char **argv)
{
	const char *pool = getenv("DAOS_POOL");
	const char *tmp = getenv("TMPDIR");
	const struct fsx_ops *ops = &dfs_fsx_ops;
	const char *existing = NULL;
	long nops = 100000;
	uint64_t maxsize = 1 << 20, chunk = 65536;
	char label[64], refpath[256], names[2][32];
	daos_handle_t poh, coh;
	dfs_attr_t attr = { 0 };
	dfs_attr_t q;
	int cur = 0, fd, opt, rc, failed = 1;

	rng_state = (uint64_t)time(NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(names[0], sizeof(names[0]), "fsx0_%d", (int)getpid());
	snprintf(names[1], sizeof(names[1]), "fsx1_%d", (int)getpid());
	while ((opt = getopt(argc, argv, "n:s:m:c:C:p:v")) != -1) {
		switch (opt) {
		case 'n':
			nops = strtol(optarg, NULL, 10);
			break;
		case 's':
			rng_state = strtoull(optarg, NULL, 10);
			break;
		case 'm':
			maxsize = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			chunk = strtoull(optarg, NULL, 10);
			break;
		case 'C':
			existing = optarg;
			break;
		case 'p':
			posix_path = optarg;
			ops = &posix_fsx_ops;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	if (rng_state == 0)
		rng_state = 1;
	if ((posix_path == NULL && pool == NULL) || maxsize < 4096 || chunk == 0 ||
	    (posix_path != NULL && existing != NULL)) {
		fprintf(stderr, "fsx: DAOS_POOL must name a pool (or -p a directory); -m at least "
				"4096\n");
		usage(argv[0]);
		return 2;
	}
	printf("fsx: seed %" PRIu64 ", %ld ops, max size %" PRIu64 ", chunk %" PRIu64 "\n",
	       rng_state, nops, maxsize, chunk);
	snprintf(refpath, sizeof(refpath), "%s/dfs_fsx.XXXXXX", tmp != NULL ? tmp : "/tmp");
	fd = mkstemp(refpath);
	if (fd < 0) {
		perror("mkstemp");
		return 2;
	}
	unlink(refpath);

	if (posix_path != NULL) {
		posix_dir = open(posix_path, O_RDONLY | O_DIRECTORY);
		if (posix_dir < 0) {
			fprintf(stderr, "fsx: %s: %s\n", posix_path, strerror(errno));
			return 2;
		}
		printf("fsx: POSIX calls in %s\n", posix_path);
		rc = fsx_run(ops, fd, nops, maxsize, names, &cur);
		failed = rc != 0;
		if (ops->close(names[cur], !failed) != 0)
			failed = 1;
		close(posix_dir);
		close(fd);
		return failed;
	}

	rc = daos_init();
	if (rc == 0)
		rc = daos_pool_connect(pool, NULL, DAOS_PC_RW, &poh, NULL, NULL);
	if (rc != 0) {
		fprintf(stderr, "fsx: connect to %s: %d\n", pool, rc);
		return 2;
	}
	if (existing != NULL) {
		snprintf(label, sizeof(label), "%s", existing);
		rc = dfs_init();
		if (rc == 0)
			rc = dfs_connect(pool, NULL, label, O_RDWR, NULL, &dfs);
		if (rc == 0)
			rc = dfs_query(dfs, &q);
		if (rc != 0) {
			fprintf(stderr, "fsx: dfs_connect(%s): %s\n", label, strerror(rc));
			return 2;
		}
		printf("fsx: container %s chunk size %" PRIu64 "\n", label,
		       (uint64_t)q.da_chunk_size);
	} else {
		snprintf(label, sizeof(label), "fsx_%d", (int)getpid());
		attr.da_chunk_size = chunk;
		rc = dfs_cont_create_with_label(poh, label, &attr, NULL, &coh, &dfs);
		if (rc != 0) {
			fprintf(stderr, "fsx: dfs_cont_create_with_label: %s\n", strerror(rc));
			return 2;
		}
	}

	rc = fsx_run(ops, fd, nops, maxsize, names, &cur);
	failed = rc != 0;
	if (existing != NULL) {
		/* The file goes only from a container we did not make. */
		if (ops->close(names[cur], !failed) != 0)
			failed = 1;
		if (dfs_disconnect(dfs) != 0 || dfs_fini() != 0)
			failed = 1;
	} else {
		ops->close(names[cur], false);
		dfs_umount(dfs);
		daos_cont_close(coh, NULL);
		if (!failed)
			daos_cont_destroy(poh, label, 1, NULL);
		else
			fprintf(stderr, "fsx: container %s left for inspection\n", label);
	}
	daos_pool_disconnect(poh, NULL);
	daos_fini();
	close(fd);
	return failed;
}
