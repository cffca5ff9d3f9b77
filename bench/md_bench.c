/* SPDX-License-Identifier: Apache-2.0 */
/*
 * md_bench - file metadata rates, like mdtest's file phases (issue 6):
 *
 *   md_bench [--procs N] [--files N] [--quick] [--pool P --cont C] [--dfuse DIR]
 *            [--dfuse-cached DIR] [--pil4dfs LIB] [--tmpfs DIR]
 *
 * N processes (default 2), each in a directory of its own, create F empty files each
 * (default 10000; --quick 2000), then stat them, then remove them; each phase starts on
 * all processes at once and ends when the last one is done, and its rate is N * F divided
 * by that time. It does so
 *   - through libdfs (dfs_open O_CREAT|O_EXCL + dfs_release, dfs_stat, dfs_remove) on
 *     container C of pool P, each process with its own dfs_connect();
 *   - through the dfuse mount DIR (open O_CREAT|O_EXCL + close, stat, unlink);
 *   - the same with LD_PRELOAD=LIB of --pil4dfs (bypassing the kernel only when dfuse
 *     runs with --disable-caching);
 *   - on a dfuse mount with kernel caching (--dfuse-cached), and on tmpfs (--tmpfs), the
 *     same calls, as references.
 * Workers are this program run again (--worker), so a preloaded library starts in a
 * fresh process as in any application (libpil4dfs does not call DAOS in a forked child).
 * They wait on a pipe before each phase and report on another, so the parent times
 * phases without shared memory. It prints rates and ratios; it asserts nothing.
 */
#include <daos.h>
#include <daos_fs.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 64
#define NR_PHASES 3

static const char *const phase_names[NR_PHASES] = { "create", "stat", "remove" };

static int nr_procs = 2;
static long nr_files = 10000;

/* Files per second of each phase. */
struct rates {
	double ops[NR_PHASES];
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- worker side ---- */

/* What a worker does to file @i of its directory, in phase @phase; 0 or an errno. */
struct md_ops {
	int (*setup)(void *ctx, const char *where, int rank);
	int (*op)(void *ctx, int phase, long i);
	void (*teardown)(void *ctx);
};

struct posix_ctx {
	char dir[4096];
};

static int
posix_setup(void *ctx, const char *where, int rank)
{
	struct posix_ctx *c = ctx;

	snprintf(c->dir, sizeof(c->dir), "%s/md_bench.%ld.%d", where, (long)getppid(), rank);
	return mkdir(c->dir, 0755) == 0 ? 0 : errno;
}

static int
posix_op(void *ctx, int phase, long i)
{
	struct posix_ctx *c = ctx;
	char path[4200];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/f%ld", c->dir, i);
	switch (phase) {
	case 0:
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return errno;
		return close(fd) == 0 ? 0 : errno;
	case 1:
		return stat(path, &st) == 0 ? 0 : errno;
	default:
		return unlink(path) == 0 ? 0 : errno;
	}
}

static void
posix_teardown(void *ctx)
{
	struct posix_ctx *c = ctx;

	rmdir(c->dir);
}

static const struct md_ops posix_ops = {
	.setup = posix_setup,
	.op = posix_op,
	.teardown = posix_teardown,
};

struct dfs_ctx {
	dfs_t *dfs;
	dfs_obj_t *dir;
	char name[64];
};

/* @where is "POOL/CONT". */
static int
dfs_setup(void *ctx, const char *where, int rank)
{
	struct dfs_ctx *c = ctx;
	char pool[256];
	const char *slash = strchr(where, '/');
	int rc;

	if (slash == NULL || (size_t)(slash - where) >= sizeof(pool))
		return EINVAL;
	memcpy(pool, where, (size_t)(slash - where));
	pool[slash - where] = '\0';
	rc = dfs_init();
	if (rc != 0)
		return rc;
	rc = dfs_connect(pool, NULL, slash + 1, O_RDWR, NULL, &c->dfs);
	if (rc != 0)
		return rc;
	snprintf(c->name, sizeof(c->name), "md_bench.%ld.%d", (long)getppid(), rank);
	rc = dfs_mkdir(c->dfs, NULL, c->name, 0755, 0);
	if (rc != 0)
		return rc;
	return dfs_lookup_rel(c->dfs, NULL, c->name, O_RDWR, &c->dir, NULL, NULL);
}

static int
dfs_op(void *ctx, int phase, long i)
{
	struct dfs_ctx *c = ctx;
	char name[32];
	struct stat st;
	dfs_obj_t *obj;
	int rc;

	snprintf(name, sizeof(name), "f%ld", i);
	switch (phase) {
	case 0:
		rc = dfs_open(c->dfs, c->dir, name, S_IFREG | 0644, O_RDWR | O_CREAT | O_EXCL, 0, 0,
			      NULL, &obj);
		return rc != 0 ? rc : dfs_release(obj);
	case 1:
		return dfs_stat(c->dfs, c->dir, name, &st);
	default:
		return dfs_remove(c->dfs, c->dir, name, false, NULL);
	}
}

static void
dfs_teardown(void *ctx)
{
	struct dfs_ctx *c = ctx;

	dfs_release(c->dir);
	dfs_remove(c->dfs, NULL, c->name, true, NULL);
	dfs_disconnect(c->dfs);
	dfs_fini();
}

static const struct md_ops dfs_ops = {
	.setup = dfs_setup,
	.op = dfs_op,
	.teardown = dfs_teardown,
};

/*
 * One worker: set up, then for each phase wait for a byte on @go, run, write a byte (0:
 * done, 1: failed) on @done. A failed setup reports failure for every phase.
 */
static int
worker_run(const struct md_ops *ops, const char *where, int rank, int go, int done)
{
	union {
		struct posix_ctx p;
		struct dfs_ctx d;
	} ctx;
	char b;
	int rc, phase;
	long i;

	memset(&ctx, 0, sizeof(ctx));
	rc = ops->setup(&ctx, where, rank);
	if (rc != 0)
		fprintf(stderr, "md_bench: worker %d: setup in %s: %s\n", rank, where,
			strerror(rc));
	for (phase = 0; phase < NR_PHASES; phase++) {
		if (read(go, &b, 1) != 1)
			return 1;
		for (i = 0; rc == 0 && i < nr_files; i++) {
			rc = ops->op(&ctx, phase, i);
			if (rc != 0)
				fprintf(stderr, "md_bench: worker %d: %s of file %ld: %s\n", rank,
					phase_names[phase], i, strerror(rc));
		}
		b = rc == 0 ? 0 : 1;
		if (write(done, &b, 1) != 1)
			return 1;
	}
	if (rc == 0)
		ops->teardown(&ctx);
	return rc == 0 ? 0 : 1;
}

/* ---- parent side ---- */

/*
 * Start nr_procs workers on @where (@dfs: "POOL/CONT" through libdfs; else a directory),
 * with LD_PRELOAD=@preload (NULL: none), and time the phases into @out.
 */
static int
run(const char *label, const char *where, bool dfs, const char *preload, struct rates *out)
{
	pid_t pids[MAX_PROCS];
	char rank_s[16], files_s[32], go_s[16], done_s[16];
	char *argv[] = {
		"md_bench",    "--worker", rank_s,        "--files", files_s,
		"--sync-go",   go_s,       "--sync-done", done_s,    dfs ? "--dfs" : "--dir",
		(char *)where, NULL
	};
	int go[2], done[2];
	int i, phase, status;
	int failed = 0;
	double t0;
	char b;

	if (pipe(go) != 0 || pipe(done) != 0)
		return 1;
	snprintf(files_s, sizeof(files_s), "%ld", nr_files);
	snprintf(go_s, sizeof(go_s), "%d", go[0]);
	snprintf(done_s, sizeof(done_s), "%d", done[1]);
	fflush(stdout);
	for (i = 0; i < nr_procs; i++) {
		snprintf(rank_s, sizeof(rank_s), "%d", i);
		pids[i] = fork();
		if (pids[i] < 0)
			return 1;
		if (pids[i] == 0) {
			close(go[1]);
			close(done[0]);
			if (preload != NULL)
				setenv("LD_PRELOAD", preload, 1);
			else
				unsetenv("LD_PRELOAD");
			execv("/proc/self/exe", argv);
			_exit(127);
		}
	}
	close(go[0]);
	close(done[1]);
	/* A worker's setup (DAOS connection) is outside the timing: phase 0 starts on go. */
	for (phase = 0; phase < NR_PHASES; phase++) {
		t0 = now_s();
		for (i = 0; i < nr_procs; i++)
			if (write(go[1], "g", 1) != 1)
				failed = 1;
		for (i = 0; i < nr_procs; i++)
			if (read(done[0], &b, 1) != 1 || b != 0)
				failed = 1;
		out->ops[phase] = (double)nr_procs * (double)nr_files / (now_s() - t0);
	}
	close(go[1]);
	close(done[0]);
	for (i = 0; i < nr_procs; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	if (failed)
		fprintf(stderr, "md_bench: the %s run failed\n", label);
	return failed;
}

static void
row(const char *what, const struct rates *r)
{
	printf("%-30s %10.0f /s %10.0f /s %10.0f /s\n", what, r->ops[0], r->ops[1], r->ops[2]);
}

static void
ratios(const char *what, const struct rates *a, const struct rates *b, const char *target)
{
	int i;

	if (a->ops[0] <= 0 || b->ops[0] <= 0)
		return;
	printf("  %-44s", what);
	for (i = 0; i < NR_PHASES; i++)
		printf(" %s %.2fx", phase_names[i], a->ops[i] / b->ops[i]);
	printf("%s\n", target);
}

static void
usage(void)
{
	fprintf(stderr, "usage: md_bench [--procs N] [--files N] [--quick] [--pool P --cont C] "
			"[--dfuse DIR] [--dfuse-cached DIR] [--pil4dfs LIB] [--tmpfs DIR]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "procs", required_argument, NULL, 'n' },
		{ "files", required_argument, NULL, 'f' },
		{ "quick", no_argument, NULL, 'q' },
		{ "pool", required_argument, NULL, 'p' },
		{ "cont", required_argument, NULL, 'c' },
		{ "dfuse", required_argument, NULL, 'd' },
		{ "dfuse-cached", required_argument, NULL, 'D' },
		{ "pil4dfs", required_argument, NULL, 'l' },
		{ "tmpfs", required_argument, NULL, 't' },
		{ "worker", required_argument, NULL, 'w' },
		{ "sync-go", required_argument, NULL, 'g' },
		{ "sync-done", required_argument, NULL, 'e' },
		{ "dfs", required_argument, NULL, 'x' },
		{ "dir", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pool = NULL, *cont = NULL, *dfuse = NULL, *cached = NULL, *pil4dfs = NULL;
	const char *tmpfs = NULL, *where = NULL;
	struct rates dfs = { 0 }, fuse = { 0 }, fuse_c = { 0 }, pil = { 0 }, tmp = { 0 };
	char pc[1024];
	int rank = -1, go = -1, done = -1;
	bool worker_dfs = false;
	int failed = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			nr_procs = (int)strtol(optarg, NULL, 10);
			break;
		case 'f':
			nr_files = strtol(optarg, NULL, 10);
			break;
		case 'q':
			nr_files = 2000;
			break;
		case 'p':
			pool = optarg;
			break;
		case 'c':
			cont = optarg;
			break;
		case 'd':
			dfuse = optarg;
			break;
		case 'D':
			cached = optarg;
			break;
		case 'l':
			pil4dfs = optarg;
			break;
		case 't':
			tmpfs = optarg;
			break;
		case 'w':
			rank = (int)strtol(optarg, NULL, 10);
			break;
		case 'g':
			go = (int)strtol(optarg, NULL, 10);
			break;
		case 'e':
			done = (int)strtol(optarg, NULL, 10);
			break;
		case 'x':
			worker_dfs = true;
			where = optarg;
			break;
		case 'y':
			where = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (nr_procs < 1 || nr_procs > MAX_PROCS || nr_files < 1 ||
	    (pool == NULL) != (cont == NULL)) {
		usage();
		return 2;
	}
	if (rank >= 0) {
		if (where == NULL || go < 0 || done < 0)
			return 2;
		return worker_run(worker_dfs ? &dfs_ops : &posix_ops, where, rank, go, done);
	}

	if (pool != NULL) {
		snprintf(pc, sizeof(pc), "%s/%s", pool, cont);
		failed |= run("libdfs", pc, true, NULL, &dfs);
	}
	if (dfuse != NULL) {
		failed |= run("dfuse", dfuse, false, NULL, &fuse);
		if (pil4dfs != NULL)
			failed |= run("libpil4dfs", dfuse, false, pil4dfs, &pil);
	}
	if (cached != NULL)
		failed |= run("dfuse (caching)", cached, false, NULL, &fuse_c);
	if (tmpfs != NULL)
		failed |= run("tmpfs", tmpfs, false, NULL, &tmp);

	printf("md_bench: %d processes, %ld empty files each, a directory each\n", nr_procs,
	       nr_files);
	printf("%-30s %13s %13s %13s\n", "path", "create", "stat", "remove");
	if (pool != NULL)
		row("libdfs", &dfs);
	if (dfuse != NULL)
		row("dfuse (--disable-caching)", &fuse);
	if (pil4dfs != NULL && dfuse != NULL)
		row("dfuse + libpil4dfs", &pil);
	if (cached != NULL)
		row("dfuse (caching)", &fuse_c);
	if (tmpfs != NULL)
		row("tmpfs", &tmp);
	printf("ratios (issue 6 targets):\n");
	if (pool != NULL)
		printf("  %-44s %.0f%% (target: >= 20000/s with 2 processes)\n",
		       "libdfs creates / 20000 per second", 100.0 * dfs.ops[0] / 20000.0);
	ratios("libpil4dfs / dfuse", &pil, &fuse, " (target >= 3x)");
	ratios("libpil4dfs / libdfs", &pil, &dfs, "");
	ratios("dfuse / libdfs", &fuse, &dfs, "");
	ratios("dfuse (caching) / dfuse", &fuse_c, &fuse, "");
	ratios("libdfs / tmpfs", &dfs, &tmp, "");
	return failed ? 1 : 0;
}
