/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_bench - 1 MiB sequential write and read of one large file through the POSIX
 * layers, beside libdaos and tmpfs figures measured in the same run (issue 6):
 *
 *   fs_bench --pool P --cont C [--mib N] [--quick] [--dfuse DIR] [--dfuse-cached DIR]
 *            [--ioil LIB] [--pil4dfs LIB] [--null-fuse DIR]
 *            [--ref-obj-write MB/s] [--ref-obj-read MB/s]
 *            [--ref-tmpfs-write MB/s] [--ref-tmpfs-read MB/s]
 *   fs_bench --posix FILE [--mib N]          (one POSIX run; what the above starts)
 *
 * A file of N MiB (default 4096; --quick 256) is written 1 MiB at a time from start to
 * end, then read back the same way, one call in flight, as fio's psync engine does:
 *   (a) through libdfs (dfs_write/dfs_read on container C of pool P);
 *   (b) through the dfuse mount DIR: open/write/fsync/close, then open/read/close;
 *   (c) the same through DIR with LD_PRELOAD=LIB of --ioil;
 *   (d) the same with LD_PRELOAD=LIB of --pil4dfs;
 *   and, given --dfuse-cached, (b) on a mount with kernel caching (page cache, write-back);
 *   given --null-fuse, (b) on a mount of bench/null_fuse: FUSE with nothing behind it, the
 *   kernel's share of dfuse's path. dfuse does what null_fuse does and then what libdfs
 *   does, one after the other (a synchronous write cannot overlap them), so its limit is
 *   1 / (1 / null_fuse + 1 / libdfs), printed beside it.
 * (b)-(d) run this program again with --posix in a child, so the preloaded library sees a
 * fresh process as any application would; D_IL_REPORT is set and the library's report
 * line is shown, which tells whether the kernel was bypassed (only on a dfuse mount
 * started with --disable-caching). Every block carries its index and the read checks it.
 * Each POSIX run first writes one byte to a scratch file, so a library's one-time pool
 * connect and container mount are not counted as I/O time (libdfs's figures start with
 * the container mounted too).
 *
 * The --ref-* figures come from the driver (bench/fs_path): obj_bench's 1 MiB update and
 * fetch with one in flight, and fio (psync, 1 MiB blocks, the same size) on tmpfs. The
 * ratios printed are the targets. It asserts nothing: exit status 1 only when I/O
 * fails or reads back wrong data.
 */
#include <daos.h>
#include <daos_fs.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (1024 * 1024)

static long mib = 4096;
static char *block;

/* MB/s (10^6 bytes, as fio and obj_bench print) of the two halves of one run. */
struct result {
	double write;
	double read;
	char report[1024]; /* the interception library's D_IL_REPORT lines, if any */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
mbps(double seconds)
{
	return (double)mib * BLOCK / 1e6 / seconds;
}

static void
block_stamp(uint64_t i)
{
	memcpy(block, &i, sizeof(i));
}

static bool
block_is_right(uint64_t i)
{
	uint64_t got;

	memcpy(&got, block, sizeof(got));
	return got == i && block[BLOCK - 1] == (char)('a' + (i % 26));
}

static void
block_fill(uint64_t i)
{
	block_stamp(i);
	block[BLOCK - 1] = (char)('a' + (i % 26));
}

/* ---- (a) libdfs, and the pool's space ---- */

/*
 * Wait (at most 5 minutes) until each target of the pool has room for its share of one
 * more file: the engine gives back the space of a removed file some seconds later, and
 * a pool sized for two files must not fail the next run on ENOSPC.
 */
static void
space_wait(dfs_t *dfs)
{
	double need = 1.1 * (double)mib * BLOCK;
	daos_pool_info_t info;
	daos_handle_t poh;
	double t0 = now_s();
	double free_min;

	if (dfs_pool_get(dfs, &poh) != 0)
		return;
	for (;;) {
		memset(&info, 0, sizeof(info));
		info.pi_bits = DPI_SPACE;
		if (daos_pool_query(poh, NULL, &info, NULL, NULL) != 0 ||
		    info.pi_space.ps_ntargets == 0)
			break;
		free_min = (double)info.pi_space.ps_free_min[DAOS_MEDIA_NVME];
		if (free_min * info.pi_space.ps_ntargets >= need)
			break;
		if (now_s() - t0 > 300) {
			fprintf(stderr,
				"fs_bench: the pool has %.0f MB free per target, not enough "
				"for a %ld MiB file; going on\n",
				free_min / 1e6, mib);
			break;
		}
		sleep(1);
	}
	if (now_s() - t0 >= 1)
		fprintf(stderr, "fs_bench: waited %.0f s for the pool's space to come back\n",
			now_s() - t0);
	dfs_pool_put(dfs, poh);
}

static int
dfs_run(dfs_t *dfs, struct result *res)
{
	char name[64];
	dfs_obj_t *obj;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_size_t got;
	double t0;
	long i;
	int rc;

	snprintf(name, sizeof(name), "fs_bench.%ld.dfs", (long)getpid());
	d_iov_set(&iov, block, BLOCK);
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;

	t0 = now_s();
	rc = dfs_open(dfs, NULL, name, S_IFREG | 0644, O_RDWR | O_CREAT | O_TRUNC, 0, 0, NULL,
		      &obj);
	for (i = 0; rc == 0 && i < mib; i++) {
		block_fill((uint64_t)i);
		rc = dfs_write(dfs, obj, &sgl, (daos_off_t)i * BLOCK, NULL);
	}
	if (rc == 0)
		rc = dfs_release(obj);
	res->write = mbps(now_s() - t0);
	if (rc != 0) {
		fprintf(stderr, "fs_bench: libdfs write of %s: %s\n", name, strerror(rc));
		return 1;
	}

	t0 = now_s();
	rc = dfs_open(dfs, NULL, name, S_IFREG, O_RDONLY, 0, 0, NULL, &obj);
	for (i = 0; rc == 0 && i < mib; i++) {
		rc = dfs_read(dfs, obj, &sgl, (daos_off_t)i * BLOCK, &got, NULL);
		if (rc == 0 && (got != BLOCK || !block_is_right((uint64_t)i)))
			rc = EIO;
	}
	if (rc == 0)
		rc = dfs_release(obj);
	res->read = mbps(now_s() - t0);
	if (rc != 0)
		fprintf(stderr, "fs_bench: libdfs read of %s (block %ld): %s\n", name, i,
			strerror(rc));
	if (dfs_remove(dfs, NULL, name, false, NULL) != 0 && rc == 0)
		rc = EIO;
	return rc == 0 ? 0 : 1;
}

/* ---- (b)-(d) POSIX, in this process (--posix) ---- */

/*
 * Warm up like libdfs's figures, which start with the container mounted: an
 * interception library connects to the pool and mounts the container at its first I/O
 * on the mount (~0.4 s here), a one-time cost that is not bandwidth.
 */
static void
posix_warm_up(const char *path)
{
	char warm[PATH_MAX];
	int fd;

	snprintf(warm, sizeof(warm), "%s.warm", path);
	fd = open(warm, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	if (write(fd, "w", 1) != 1)
		fprintf(stderr, "fs_bench: warm-up write of %s: %s\n", warm, strerror(errno));
	close(fd);
	unlink(warm);
}

static int
posix_run(const char *path)
{
	double t0, w, r;
	ssize_t n;
	long i;
	int fd;

	posix_warm_up(path);
	t0 = now_s();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "fs_bench: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (i = 0; i < mib; i++) {
		block_fill((uint64_t)i);
		n = write(fd, block, BLOCK);
		if (n != BLOCK) {
			fprintf(stderr, "fs_bench: write %s: %s\n", path,
				n < 0 ? strerror(errno) : "short write");
			close(fd);
			return 1;
		}
	}
	/* With kernel caching the data is in DAOS only after fsync: count it. */
	if (fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "fs_bench: fsync/close %s: %s\n", path, strerror(errno));
		return 1;
	}
	w = mbps(now_s() - t0);

	t0 = now_s();
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "fs_bench: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (i = 0; i < mib; i++) {
		n = read(fd, block, BLOCK);
		if (n != BLOCK || !block_is_right((uint64_t)i)) {
			fprintf(stderr, "fs_bench: read %s block %ld: %s\n", path, i,
				n < 0 ? strerror(errno) : "short or wrong data");
			close(fd);
			return 1;
		}
	}
	close(fd);
	r = mbps(now_s() - t0);
	unlink(path);
	/* The parent reads this line. */
	printf("fs_bench-posix: %.1f %.1f\n", w, r);
	return 0;
}

/* Run --posix FILE in a child with LD_PRELOAD=@preload (NULL: none). */
static int
posix_child(const char *dir, const char *tag, const char *preload, struct result *res)
{
	char path[4096], mibs[32], line[1024];
	char *argv[] = { "fs_bench", "--posix", path, "--mib", mibs, NULL };
	FILE *out;
	pid_t pid;
	int pfd[2];
	int status;
	bool seen = false;

	snprintf(path, sizeof(path), "%s/fs_bench.%ld.%s", dir, (long)getpid(), tag);
	snprintf(mibs, sizeof(mibs), "%ld", mib);
	fflush(stdout);
	if (pipe(pfd) != 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		if (preload != NULL) {
			setenv("LD_PRELOAD", preload, 1);
			setenv("D_IL_REPORT", "true", 1);
		} else {
			unsetenv("LD_PRELOAD");
		}
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(pfd[1]);
	out = fdopen(pfd[0], "r");
	res->report[0] = '\0';
	while (out != NULL && fgets(line, sizeof(line), out) != NULL) {
		if (sscanf(line, "fs_bench-posix: %lf %lf", &res->write, &res->read) == 2) {
			seen = true;
		} else if (strncmp(line, "[lib", 4) == 0) {
			/* "[libioil] performed ..." and "[libioil] intercepted calls: ..." */
			size_t used = strlen(res->report);

			if (used + strlen(line) + 4 < sizeof(res->report)) {
				if (used > 0)
					memcpy(res->report + used++, " ", 1);
				line[strcspn(line, "\n")] = '\0';
				memcpy(res->report + used, line, strlen(line) + 1);
			}
		} else {
			fprintf(stderr, "  %s: %s", tag, line);
		}
	}
	if (out != NULL)
		fclose(out);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    !seen) {
		fprintf(stderr, "fs_bench: the %s run failed\n", tag);
		return 1;
	}
	return 0;
}

/* ---- report ---- */

static void
row(const char *what, const struct result *r)
{
	printf("%-36s %8.0f MB/s %8.0f MB/s\n", what, r->write, r->read);
}

static void
ratio(const char *what, double fig, double ref, const char *target)
{
	if (fig > 0 && ref > 0)
		printf("  %-58s %4.0f%%%s\n", what, 100.0 * fig / ref, target);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fs_bench --pool P --cont C [--mib N] [--quick] [--dfuse DIR] "
			"[--dfuse-cached DIR] [--ioil LIB] [--pil4dfs LIB] [--ref-obj-write MB/s] "
			"[--ref-obj-read MB/s] [--ref-tmpfs-write MB/s] [--ref-tmpfs-read MB/s]\n"
			"       fs_bench --posix FILE [--mib N]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "cont", required_argument, NULL, 'c' },
		{ "mib", required_argument, NULL, 'm' },
		{ "quick", no_argument, NULL, 'q' },
		{ "dfuse", required_argument, NULL, 'd' },
		{ "dfuse-cached", required_argument, NULL, 'D' },
		{ "ioil", required_argument, NULL, 'i' },
		{ "pil4dfs", required_argument, NULL, 'l' },
		{ "posix", required_argument, NULL, 'x' },
		{ "null-fuse", required_argument, NULL, 'n' },
		{ "ref-obj-write", required_argument, NULL, 'w' },
		{ "ref-obj-read", required_argument, NULL, 'r' },
		{ "ref-tmpfs-write", required_argument, NULL, 'W' },
		{ "ref-tmpfs-read", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pool = NULL, *cont = NULL, *dfuse = NULL, *cached = NULL;
	const char *ioil = NULL, *pil4dfs = NULL, *posix = NULL, *null_dir = NULL;
	double obj_w = 0, obj_r = 0, tmpfs_w = 0, tmpfs_r = 0;
	struct result dfs = { 0 }, fuse = { 0 }, fuse_c = { 0 }, il = { 0 }, pil = { 0 };
	struct result null = { 0 }, serial = { 0 };
	dfs_t *fs;
	int failed = 0;
	int rc;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pool = optarg;
			break;
		case 'c':
			cont = optarg;
			break;
		case 'm':
			mib = strtol(optarg, NULL, 10);
			break;
		case 'q':
			mib = 256;
			break;
		case 'd':
			dfuse = optarg;
			break;
		case 'D':
			cached = optarg;
			break;
		case 'i':
			ioil = optarg;
			break;
		case 'l':
			pil4dfs = optarg;
			break;
		case 'x':
			posix = optarg;
			break;
		case 'n':
			null_dir = optarg;
			break;
		case 'w':
			obj_w = strtod(optarg, NULL);
			break;
		case 'r':
			obj_r = strtod(optarg, NULL);
			break;
		case 'W':
			tmpfs_w = strtod(optarg, NULL);
			break;
		case 'R':
			tmpfs_r = strtod(optarg, NULL);
			break;
		default:
			usage();
			return 2;
		}
	}
	if (mib < 1 || (posix == NULL && (pool == NULL || cont == NULL))) {
		usage();
		return 2;
	}
	/*
	 * Page-aligned, as fio's and dd's buffers are: FUSE passes a direct write of at most
	 * 256 pages per request, so a 1 MiB buffer 16 bytes into a page (malloc's) costs
	 * dfuse a second request of 16 bytes for every MiB.
	 */
	if (posix_memalign((void **)&block, 4096, BLOCK) != 0)
		return 1;
	memset(block, 'x', BLOCK);
	if (posix != NULL)
		return posix_run(posix);

	/* Children are started with fork and exec only: DAOS state is not used across fork. */
	rc = dfs_init();
	if (rc == 0)
		rc = dfs_connect(pool, NULL, cont, O_RDWR, NULL, &fs);
	if (rc != 0) {
		fprintf(stderr, "fs_bench: connecting to %s/%s: %s\n", pool, cont, strerror(rc));
		return 1;
	}
	space_wait(fs);
	failed |= dfs_run(fs, &dfs);
	if (dfuse != NULL) {
		space_wait(fs);
		failed |= posix_child(dfuse, "dfuse", NULL, &fuse);
		if (ioil != NULL) {
			space_wait(fs);
			failed |= posix_child(dfuse, "ioil", ioil, &il);
		}
		if (pil4dfs != NULL) {
			space_wait(fs);
			failed |= posix_child(dfuse, "pil4dfs", pil4dfs, &pil);
		}
	}
	if (cached != NULL) {
		space_wait(fs);
		failed |= posix_child(cached, "dfuse-cached", NULL, &fuse_c);
	}
	if (null_dir != NULL) {
		failed |= posix_child(null_dir, "null_fuse", NULL, &null);
		if (null.write > 0 && null.read > 0 && dfs.write > 0 && dfs.read > 0) {
			serial.write = 1.0 / (1.0 / null.write + 1.0 / dfs.write);
			serial.read = 1.0 / (1.0 / null.read + 1.0 / dfs.read);
		}
	}
	dfs_disconnect(fs);
	dfs_fini();

	printf("fs_bench: pool %s, container %s, one file of %ld MiB, 1 MiB per call, one in "
	       "flight\n",
	       pool, cont, mib);
	printf("%-36s %13s %13s\n", "path", "write", "read");
	if (obj_w > 0)
		row("libdaos (obj_bench, 1 in flight)", &(struct result){ obj_w, obj_r, "" });
	row("libdfs", &dfs);
	if (dfuse != NULL)
		row("dfuse (--disable-caching)", &fuse);
	if (il.write > 0)
		row("dfuse + libioil", &il);
	if (pil.write > 0)
		row("dfuse + libpil4dfs", &pil);
	if (fuse_c.write > 0)
		row("dfuse (caching: page cache)", &fuse_c);
	if (null.write > 0)
		row("FUSE alone (null_fuse, direct I/O)", &null);
	if (serial.write > 0)
		row("  limit: null_fuse, then libdfs", &serial);
	if (tmpfs_w > 0)
		row("tmpfs (fio psync)", &(struct result){ tmpfs_w, tmpfs_r, "" });
	if (il.report[0] != '\0')
		printf("  %s\n", il.report);
	if (pil.report[0] != '\0')
		printf("  %s\n", pil.report);

	printf("ratios (issue 6 targets):\n");
	ratio("libdfs write / obj_bench 1 MiB update", dfs.write, obj_w, " (target >= 85%)");
	ratio("libdfs read / obj_bench 1 MiB fetch", dfs.read, obj_r, "");
	ratio("libioil write / libdfs write", il.write, dfs.write, " (target >= 80%)");
	ratio("libioil read / libdfs read", il.read, dfs.read, " (target >= 80%)");
	ratio("libpil4dfs write / libdfs write", pil.write, dfs.write, " (target >= 80%)");
	ratio("libpil4dfs read / libdfs read", pil.read, dfs.read, " (target >= 80%)");
	ratio("dfuse write / libdfs write", fuse.write, dfs.write, " (target >= 50%)");
	ratio("dfuse read / libdfs read", fuse.read, dfs.read, " (target >= 50%)");
	ratio("dfuse (caching) write / libdfs write", fuse_c.write, dfs.write, "");
	ratio("dfuse write / limit (null_fuse, then libdfs)", fuse.write, serial.write, "");
	ratio("dfuse read / limit (null_fuse, then libdfs)", fuse.read, serial.read, "");
	ratio("libdfs write / tmpfs write", dfs.write, tmpfs_w, "");
	ratio("libdfs read / tmpfs read", dfs.read, tmpfs_r, "");
	free(block);
	return failed ? 1 : 0;
}
