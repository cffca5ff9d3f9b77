/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_fsx.c - an fsx-style random test of libdfs file data: random writes, reads,
 * truncations (dfs_punch to the end and dfs_osetattr's size), hole punches, renames
 * and reopens of one file in a POSIX container, each mirrored on a reference file in
 * local TMPDIR; every read and size is compared with the reference. Only public headers.
 *
 *   api_dfs_fsx [-n OPS] [-s SEED] [-m MAXSIZE] [-c CHUNK] [-C CONTAINER] [-v]
 *
 * DAOS_POOL names the pool (and DAOS_AGENT_DRPC_DIR the agent, as for every client).
 * The program makes its own container and destroys it when all went well; on a mismatch
 * it prints the last operations and exits 1, leaving the container for inspection.
 * With -C it works in the existing POSIX container CONTAINER instead (dfs_connect), e.g.
 * one made by `daos container create --type POSIX`, and prints its chunk size; its file
 * is removed at the end.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_NR 32

enum op { OP_WRITE, OP_READ, OP_TRUNC, OP_SETSIZE, OP_PUNCH, OP_RENAME, OP_REOPEN, OP_STAT };
static const char *op_names[] = { "write", "read",   "trunc",  "setsize",
				  "punch", "rename", "reopen", "stat" };

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

static void
sgl_init(d_sg_list_t *sgl, d_iov_t *iov, void *buf, size_t len)
{
	d_iov_set(iov, buf, len);
	sgl->sg_nr = 1;
	sgl->sg_nr_out = 0;
	sgl->sg_iovs = iov;
}

/* The reference file's size. */
static uint64_t
ref_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	return end < 0 ? 0 : (uint64_t)end;
}

int
main(int argc, char **argv)
{
	const char *pool = getenv("DAOS_POOL");
	const char *tmp = getenv("TMPDIR");
	long nops = 100000, n;
	uint64_t maxsize = 1 << 20, chunk = 65536;
	char label[64], refpath[256], names[2][16];
	const char *existing = NULL;
	dfs_attr_t q;
	int cur = 0, fd, opt, rc, failed = 1;
	daos_handle_t poh, coh;
	dfs_attr_t attr = { 0 };
	dfs_t *dfs;
	dfs_obj_t *f;
	char *buf, *rbuf;
	struct timespec t0, t1;
	double secs;

	rng_state = (uint64_t)time(NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(names[0], sizeof(names[0]), "fsx0_%d", (int)getpid());
	snprintf(names[1], sizeof(names[1]), "fsx1_%d", (int)getpid());
	while ((opt = getopt(argc, argv, "n:s:m:c:C:v")) != -1) {
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
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-n OPS] [-s SEED] [-m MAXSIZE] [-c CHUNK] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	if (rng_state == 0)
		rng_state = 1;
	if (pool == NULL || maxsize < 4096 || chunk == 0) {
		fprintf(stderr, "fsx: DAOS_POOL must name a pool; -m at least 4096\n");
		return 2;
	}
	printf("fsx: seed %" PRIu64 ", %ld ops, max size %" PRIu64 ", chunk %" PRIu64 "\n",
	       rng_state, nops, maxsize, chunk);
	buf = malloc(maxsize);
	rbuf = malloc(maxsize);
	if (buf == NULL || rbuf == NULL)
		return 2;
	snprintf(refpath, sizeof(refpath), "%s/dfs_fsx.XXXXXX", tmp != NULL ? tmp : "/tmp");
	fd = mkstemp(refpath);
	if (fd < 0) {
		perror("mkstemp");
		return 2;
	}
	unlink(refpath);

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
	rc = dfs_open(dfs, NULL, names[cur], S_IFREG | 0644, O_RDWR | O_CREAT | O_EXCL, 0, 0, NULL,
		      &f);
	if (rc != 0) {
		fprintf(stderr, "fsx: create: %s\n", strerror(rc));
		return 2;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < nops; n++) {
		uint64_t r = rnd_below(100), size = ref_size(fd), off, len, i;
		d_sg_list_t sgl;
		d_iov_t iov;
		daos_size_t got, dsize;
		struct stat st;
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
			sgl_init(&sgl, &iov, buf, len);
			rc = dfs_write(dfs, f, &sgl, off, NULL);
			if (rc == 0 && pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
				rc = EIO;
			break;
		case OP_READ:
			if (size > 0 && rnd_below(4) != 0)
				off = rnd_below(size); /* mostly inside the file */
			if (off + len > maxsize)
				len = maxsize - off;
			log_op(n, op, off, len);
			memset(rbuf, 0x5a, len);
			sgl_init(&sgl, &iov, rbuf, len);
			got = 0;
			rc = dfs_read(dfs, f, &sgl, off, &got, NULL);
			if (rc != 0)
				break;
			{
				uint64_t want = off >= size        ? 0
						: size - off < len ? size - off
								   : len;
				ssize_t pr = pread(fd, buf, want, (off_t)off);

				if (got != want || pr != (ssize_t)want) {
					fprintf(stderr,
						"fsx: op %ld read %" PRIu64 "@%" PRIu64
						": got %" PRIu64 " bytes, expected %" PRIu64 "\n",
						n, len, off, (uint64_t)got, want);
					rc = EIO;
					break;
				}
				for (i = 0; i < want; i++) {
					if (buf[i] != rbuf[i]) {
						fprintf(stderr,
							"fsx: op %ld read %" PRIu64 "@%" PRIu64
							": byte %" PRIu64
							" is 0x%02x, expected 0x%02x\n",
							n, len, off, off + i,
							(unsigned char)rbuf[i],
							(unsigned char)buf[i]);
						rc = EIO;
						break;
					}
				}
			}
			break;
		case OP_TRUNC:
		case OP_SETSIZE:
			off = rnd_below(2) ? rnd_below(maxsize) : rnd_below(size + 1);
			log_op(n, op, off, 0);
			if (op == OP_TRUNC) {
				rc = dfs_punch(dfs, f, off, DFS_MAX_FSIZE);
			} else {
				memset(&st, 0, sizeof(st));
				st.st_size = (off_t)off;
				rc = dfs_osetattr(dfs, f, &st, DFS_SET_ATTR_SIZE);
				if (rc == 0 && (uint64_t)st.st_size != off) {
					fprintf(stderr,
						"fsx: op %ld setsize: stat says %" PRIu64 "\n", n,
						(uint64_t)st.st_size);
					rc = EIO;
				}
			}
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
			rc = dfs_punch(dfs, f, off, len);
			if (rc != 0)
				break;
			memset(buf, 0, len);
			/* A punch reaching the end truncates (daos_fs.h). */
			if (off + len >= size) {
				if (ftruncate(fd, (off_t)off) != 0)
					rc = EIO;
			} else if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len) {
				rc = EIO;
			}
			break;
		case OP_RENAME:
			log_op(n, op, 0, 0);
			rc = dfs_move(dfs, NULL, names[cur], NULL, names[1 - cur], NULL);
			if (rc == 0) {
				cur = 1 - cur;
				/* The open handle still reaches the data (same object). */
				rc = dfs_update_parent(f, f, names[cur]);
			}
			break;
		case OP_REOPEN:
			log_op(n, op, 0, 0);
			rc = dfs_release(f);
			if (rc == 0)
				rc = dfs_open(dfs, NULL, names[cur], S_IFREG, O_RDWR, 0, 0, NULL,
					      &f);
			break;
		case OP_STAT:
			log_op(n, op, 0, 0);
			rc = dfs_stat(dfs, NULL, names[cur], &st);
			if (rc == 0)
				rc = dfs_get_size(dfs, f, &dsize);
			if (rc == 0 && ((uint64_t)st.st_size != size || dsize != size)) {
				fprintf(stderr,
					"fsx: op %ld stat size %" PRIu64 ", get_size %" PRIu64
					", expected %" PRIu64 "\n",
					n, (uint64_t)st.st_size, (uint64_t)dsize, size);
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
	failed = 0;
out:
	dfs_release(f);
	if (existing != NULL) {
		if (!failed && dfs_remove(dfs, NULL, names[cur], false, NULL) != 0)
			failed = 1;
		if (dfs_disconnect(dfs) != 0 || dfs_fini() != 0)
			failed = 1;
	} else {
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
	free(buf);
	free(rbuf);
	return failed;
}
