/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_bench - the versioned object store of one target beside fio, on the same file
 * system, in the same run:
 *
 *   vos_bench [--dir DIR] [--quick]
 *
 * One pool shard on a `class: file` device in DIR (default $TMPDIR or /tmp):
 *   - durable 4 KiB updates per second at queue depth 1 and 32 (acknowledged only once
 *     their WAL batch is synced), beside fio 4 KiB random writes with fdatasync after
 *     each, O_DIRECT, io_uring, at the same depths;
 *   - 1 MiB update and fetch bandwidth at depth 8, beside fio 1 MiB sequential O_DIRECT
 *     write and read at depth 8;
 *   - small-value fetches per second (64-byte values kept in the index);
 *   - index memory per stored 4 KiB value (file-like: extents of 1 MiB chunks, as DFS
 *     writes them; and key-value-like: one dkey per value).
 * It prints figures and ratios; it asserts nothing.
 */
#define D_LOGFAC DD_FAC(tests)

#include <getopt.h>
#include <gurt/common.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vos/vos.h"

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)
#define OT_ARRAY_BYTE 13ULL

static const char *dir;
static bool quick;

struct bench {
	char path[512];
	struct bio_dev *dev;
	struct bio_ioq *ioq;
	struct vos_pool_attr attr;
	struct vos_pool *pool;
	struct vos_cont *cont;
	uuid_t cuuid;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "vos_bench: %s: " DF_RC "\n", what, DP_RC(rc));
		exit(1);
	}
}

static void
bench_open(struct bench *b, uint64_t data_size)
{
	snprintf(b->path, sizeof(b->path), "%s/vos_bench.%d.bdev", dir, (int)getpid());
	check(bio_ioq_create(256, &b->ioq), "io queue");
	check(bio_dev_open(b->path, data_size + 2 * GiB, BIO_DEV_CREATE, &b->dev), "device");
	check(bio_dev_format(b->dev), "format");
	memset(&b->attr, 0, sizeof(b->attr));
	uuid_generate(b->attr.uuid);
	b->attr.wal_dev = b->attr.meta_dev = b->attr.data_dev = b->dev;
	b->attr.wal_size = 256 * MiB;
	/* index room (half the meta blob, less a margin) for the 1M small values: ~700 MB */
	b->attr.meta_size = 1536 * MiB;
	b->attr.data_size = data_size;
	b->attr.ioq = b->ioq;
	check(vos_pool_create(&b->attr), "pool create");
	check(vos_pool_open(&b->attr, &b->pool), "pool open");
	uuid_generate(b->cuuid);
	check(vos_cont_create_sync(b->pool, b->cuuid), "container create");
	check(vos_cont_open(b->pool, b->cuuid, &b->cont), "container open");
}

static void
bench_close(struct bench *b)
{
	vos_cont_close(b->cont);
	check(vos_pool_close(b->pool), "pool close");
	bio_dev_close(b->dev);
	bio_ioq_destroy(b->ioq);
	unlink(b->path);
}

/* One operation in flight: its own descriptors, so many can be. */
struct io {
	bool busy;
	int *errors;
	uint64_t dkey;
	struct vos_recx rx;
	struct vos_iod iod;
	d_iov_t dk;
	d_iov_t val;
	d_sg_list_t sgl;
};

static void
io_noop(void *arg, int status)
{
	(void)arg;
	check(status, "update");
}

static void
io_done(void *arg, int status)
{
	struct io *io = arg;

	io->busy = false;
	if (status != 0)
		(*io->errors)++;
}

/* A free slot, polling until one is. */
static struct io *
io_slot(struct bench *b, struct io *ios, int depth)
{
	int i;

	for (;;) {
		for (i = 0; i < depth; i++)
			if (!ios[i].busy)
				return &ios[i];
		check(bio_ioq_poll(b->ioq, -1), "poll");
	}
}

/*
 * Write (or read, @fetch) @nr values of @size bytes as array extents of object @obj, one
 * 1 MiB chunk per dkey (as DFS lays out a file), @depth in flight. Operations per second.
 */
static double
run_io(struct bench *b, uint64_t obj, uint64_t nr, uint64_t size, int depth, bool fetch,
       uint64_t epoch)
{
	struct vos_oid oid = { .lo = obj, .hi = OT_ARRAY_BYTE << 56 };
	struct io *ios = d_calloc((size_t)depth, sizeof(*ios));
	uint8_t *buf = bio_buf_alloc((size_t)depth * size);
	uint64_t per_dkey = size >= MiB ? 1 : MiB / size;
	int errors = 0;
	uint64_t i;
	double t0;
	int k;

	if (ios == NULL || buf == NULL)
		check(-DER_NOMEM, "buffers");
	memset(buf, 0x5a, (size_t)depth * size);
	t0 = now_s();
	for (i = 0; i < nr; i++) {
		struct io *io = io_slot(b, ios, depth);
		int rc;

		io->errors = &errors;
		io->dkey = i / per_dkey;
		io->rx.idx = (i % per_dkey) * size;
		io->rx.nr = size;
		io->iod.type = VOS_IOD_ARRAY;
		io->iod.size = 1;
		io->iod.nr = 1;
		io->iod.recxs = &io->rx;
		d_iov_set(&io->iod.name, "0", 1);
		d_iov_set(&io->dk, &io->dkey, sizeof(io->dkey));
		d_iov_set(&io->val, buf + (size_t)(io - ios) * size, size);
		io->sgl.sg_nr = 1;
		io->sgl.sg_iovs = &io->val;
		io->busy = true;
		if (fetch)
			rc = vos_obj_fetch(b->cont, &oid, epoch, 0, &io->dk, 1, &io->iod, &io->sgl,
					   NULL, io_done, io);
		else
			rc = vos_obj_update(b->cont, &oid, epoch, 0, &io->dk, 1, &io->iod, &io->sgl,
					    io_done, io);
		check(rc, fetch ? "fetch" : "update");
		if (fetch && rc == 0)
			io->busy = false; /* served from the index */
	}
	for (k = 0; k < depth; k++)
		while (ios[k].busy)
			check(bio_ioq_poll(b->ioq, -1), "poll");
	t0 = now_s() - t0;
	if (errors > 0)
		check(-DER_IO, "I/O errors");
	bio_buf_free(buf);
	d_free(ios);
	return (double)nr / t0;
}

static double run_small(struct bench *b, uint64_t obj, uint64_t nr);

/* Small single values: N of them, then fetch each in random order; fetches per second. */
static double
run_small_fetch(struct bench *b, uint64_t nr)
{
	return run_small(b, 77, nr);
}

/* The same with a working set far larger than the CPU caches. */
static double
run_small_fetch2(struct bench *b, uint64_t nr)
{
	return run_small(b, 78, nr);
}

static double
run_small(struct bench *b, uint64_t obj, uint64_t nr)
{
	struct vos_oid oid = { .lo = obj, .hi = 0 };
	uint8_t val[64];
	uint64_t i;
	double t0;

	memset(val, 7, sizeof(val));
	for (i = 0; i < nr; i++) {
		d_iov_t dk;
		d_iov_t v;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
		struct vos_iod iod = { .type = VOS_IOD_SINGLE, .size = sizeof(val) };

		d_iov_set(&dk, &i, sizeof(i));
		d_iov_set(&iod.name, "v", 1);
		d_iov_set(&v, val, sizeof(val));
		/* Durability is not what this measures: do not wait for each. */
		check(vos_obj_update(b->cont, &oid, 10, 0, &dk, 1, &iod, &sgl, io_noop, NULL),
		      "update");
		if (i % 256 == 0)
			check(bio_ioq_poll(b->ioq, 0), "poll");
	}
	while (bio_ioq_inflight(b->ioq) > 0)
		check(bio_ioq_poll(b->ioq, -1), "poll");
	t0 = now_s();
	for (i = 0; i < nr; i++) {
		uint64_t key = (i * 2654435761u) % nr;
		d_iov_t dk;
		d_iov_t v;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
		struct vos_iod iod = { .type = VOS_IOD_SINGLE, .size = 0 };
		int rc;

		d_iov_set(&dk, &key, sizeof(key));
		d_iov_set(&iod.name, "v", 1);
		d_iov_set(&v, val, sizeof(val));
		rc = vos_obj_fetch(b->cont, &oid, 20, 0, &dk, 1, &iod, &sgl, NULL, io_noop, NULL);
		if (rc != 0 || iod.size != sizeof(val))
			check(rc ? rc : -DER_IO, "small fetch");
	}
	return (double)nr / (now_s() - t0);
}

/* Index bytes per stored value: @nr 4 KiB values, one dkey each (key-value-like). */
static double
mem_per_kv_value(struct bench *b, uint64_t nr)
{
	struct vos_oid oid = { .lo = 88, .hi = 0 };
	struct vos_pool_info before;
	struct vos_pool_info after;
	uint8_t *val = bio_buf_alloc(4096);
	uint64_t i;

	memset(val, 3, 4096);
	vos_pool_query(b->pool, &before);
	for (i = 0; i < nr; i++) {
		d_iov_t dk;
		d_iov_t v;
		d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
		struct vos_iod iod = { .type = VOS_IOD_SINGLE, .size = 4096 };

		d_iov_set(&dk, &i, sizeof(i));
		d_iov_set(&iod.name, "v", 1);
		d_iov_set(&v, val, 4096);
		check(vos_obj_update(b->cont, &oid, 30, 0, &dk, 1, &iod, &sgl, io_noop, NULL),
		      "update");
		if (i % 64 == 0)
			check(bio_ioq_poll(b->ioq, 0), "poll");
	}
	while (bio_ioq_inflight(b->ioq) > 0)
		check(bio_ioq_poll(b->ioq, -1), "poll");
	vos_pool_query(b->pool, &after);
	bio_buf_free(val);
	return (double)(after.mem_used - before.mem_used) / (double)nr;
}

/* --- fio --- */

struct fio_result {
	double iops;
	double bw; /* bytes per second */
};

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Run fio with @args on a file in the bench directory; parse the @rw section of its JSON. */
static int
fio(const char *args, const char *rw, struct fio_result *out)
{
	char cmd[1024];
	char line[512];
	bool in = false;
	bool got_iops = false;
	bool got_bw = false;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "fio --name=vos_bench --filename=%s/vos_bench.%d.fio --output-format=json %s "
		 "2>/dev/null",
		 dir, (int)getpid(), args);
	f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strchr(line, '"');

		if (p == NULL)
			continue;
		if (starts(p, "\"read\" :"))
			in = strcmp(rw, "read") == 0;
		else if (starts(p, "\"write\" :"))
			in = strcmp(rw, "write") == 0;
		else if (starts(p, "\"trim\" :") || starts(p, "\"sync\" :"))
			in = false;
		if (!in)
			continue;
		if (!got_bw && sscanf(p, "\"bw_bytes\" : %lf", &out->bw) == 1)
			got_bw = true;
		if (!got_iops && sscanf(p, "\"iops\" : %lf", &out->iops) == 1)
			got_iops = true;
	}
	pclose(f);
	return got_iops && got_bw ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "quick", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct fio_result fsync1 = { 0 }, fsync32 = { 0 }, fwrite = { 0 }, fread = { 0 };
	struct bench b;
	double up1, up32, w1m, r1m, small, small_big, mem_file, mem_kv;
	struct vos_pool_info before;
	struct vos_pool_info after;
	uint64_t nr4k;
	char fio_path[600];
	const char *rt;
	char args[512];
	int c;

	dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	while ((c = getopt_long(argc, argv, "d:q", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'q')
			quick = true;
		else {
			fprintf(stderr, "usage: vos_bench [--dir DIR] [--quick]\n");
			return 2;
		}
	}
	nr4k = quick ? 4000 : 20000;
	rt = quick ? "2" : "5";
	d_log_init();
	bench_open(&b, 2 * GiB);

	up1 = run_io(&b, 1, quick ? 500 : 2000, 4096, 1, false, 10);
	vos_pool_query(b.pool, &before);
	up32 = run_io(&b, 2, nr4k, 4096, 32, false, 10);
	vos_pool_query(b.pool, &after);
	mem_file = (double)(after.mem_used - before.mem_used) / (double)nr4k;
	w1m = run_io(&b, 3, quick ? 256 : 1024, MiB, 8, false, 10) * MiB;
	r1m = run_io(&b, 3, quick ? 256 : 1024, MiB, 8, true, 20) * MiB;
	small = run_small_fetch(&b, 100000);
	small_big = run_small_fetch2(&b, quick ? 200000 : 1000000);
	mem_kv = mem_per_kv_value(&b, quick ? 5000 : 20000);
	bench_close(&b);

	snprintf(args, sizeof(args),
		 "--size=1G --bs=4k --rw=randwrite --ioengine=io_uring --iodepth=1 --fdatasync=1 "
		 "--direct=1 --runtime=%s --time_based",
		 rt);
	if (fio(args, "write", &fsync1) != 0)
		fprintf(stderr, "vos_bench: fio failed (is it installed?)\n");
	snprintf(args, sizeof(args),
		 "--size=1G --bs=4k --rw=randwrite --ioengine=io_uring --iodepth=32 --fdatasync=1 "
		 "--direct=1 --runtime=%s --time_based",
		 rt);
	fio(args, "write", &fsync32);
	snprintf(args, sizeof(args),
		 "--size=1G --bs=1m --rw=write --ioengine=io_uring --iodepth=8 --direct=1 "
		 "--runtime=%s --time_based",
		 rt);
	fio(args, "write", &fwrite);
	snprintf(args, sizeof(args),
		 "--size=1G --bs=1m --rw=read --ioengine=io_uring --iodepth=8 --direct=1 "
		 "--runtime=%s --time_based",
		 rt);
	fio(args, "read", &fread);
	snprintf(fio_path, sizeof(fio_path), "%s/vos_bench.%d.fio", dir, (int)getpid());
	unlink(fio_path);

	printf("vos_bench: one target, device file in %s, fio on the same file system\n", dir);
	printf("%-44s %14s %14s %8s\n", "measure", "vos", "fio", "ratio");
	printf("%-44s %12.0f/s %12.0f/s %7.2fx\n", "durable 4 KiB updates, depth 1", up1,
	       fsync1.iops, up1 / fsync1.iops);
	printf("%-44s %12.0f/s %12.0f/s %7.2fx\n", "durable 4 KiB updates, depth 32", up32,
	       fsync32.iops, up32 / fsync32.iops);
	printf("%-44s %9.0f MB/s %9.0f MB/s %7.0f%%\n", "1 MiB updates, depth 8 (O_DIRECT)",
	       w1m / 1e6, fwrite.bw / 1e6, 100 * w1m / fwrite.bw);
	printf("%-44s %9.0f MB/s %9.0f MB/s %7.0f%%\n", "1 MiB fetches, depth 8 (O_DIRECT)",
	       r1m / 1e6, fread.bw / 1e6, 100 * r1m / fread.bw);
	printf("%-44s %12.0f/s %14s %8s\n", "64-byte value fetches, 100k values", small, "-", "-");
	printf("%-44s %12.0f/s %14s %8s\n",
	       quick ? "64-byte value fetches, 200k values" : "64-byte value fetches, 1M values",
	       small_big, "-", "-");
	printf("%-44s %12.0f B %14s %8s\n", "index memory per 4 KiB value, file-like", mem_file,
	       "-", "-");
	printf("%-44s %12.0f B %14s %8s\n", "index memory per 4 KiB value, one dkey each", mem_kv,
	       "-", "-");
	printf("targets: 1 MiB updates >= 80%% of fio; 4 KiB depth 32 >= 1x fio; "
	       ">= 1M small fetches/s; <= 200 B per 4 KiB value\n");
	d_log_fini();
	return 0;
}
