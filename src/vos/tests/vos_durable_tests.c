/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_durable_tests.c - pools on a real device file: everything survives close and
 * reopen, with and without checkpoints; a torn WAL tail is ignored; damage in the WAL or
 * in checkpoints is detected and reported, never silently returned; full data blobs and
 * full index memory give -DER_NOSPACE with nothing lost.
 *
 * "Crashes" here are child processes that _exit() without closing the pool (their I/O
 * completed is on disk as after a process kill); vos_crash_tests.c kills for real.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <sys/wait.h>

#include "vos/tests/vos_test.h"

#define MiB (1024ULL * 1024)
#define OT_HASHED 0
#define OT_ARRAY_BYTE 13

static void
fill(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 2654435761u + seed * 40503u) >> 11);
}

/* Write a mix of small and large single values and extents, and a punch. */
static void
write_mix(struct vos_cont *cont, uint32_t seed)
{
	static uint8_t big[300000];
	uint64_t dkey = 3;
	char name[32];
	d_iov_t dk;
	d_iov_t ak;
	int i;

	fill(big, sizeof(big), seed);
	for (i = 0; i < 20; i++) {
		size_t len = i % 2 ? 10 + (size_t)i : 5000 + (size_t)i * 1000;

		snprintf(name, sizeof(name), "k%u-%d", seed, i);
		assert_int_equal(
			t_put(cont, toid(1, OT_HASHED), 10 + i, 0, name, "a", big + i, len), 0);
	}
	/* One array object per seed: mixes must not overwrite each other. */
	assert_int_equal(t_write(cont, toid(1000 + seed, OT_ARRAY_BYTE), 5, &dkey, 8, "arr", 0,
				 200000, 1, big),
			 0);
	assert_int_equal(t_write(cont, toid(1000 + seed, OT_ARRAY_BYTE), 6, &dkey, 8, "arr", 1000,
				 100, 1, big + 5),
			 0);
	snprintf(name, sizeof(name), "k%u-%d", seed, 3);
	d_iov_set(&dk, name, strlen(name));
	d_iov_set(&ak, "a", 1);
	assert_int_equal(
		vos_obj_punch_sync(cont, &(struct vos_oid){ 1, 0, 0 }, 100, 0, &dk, 1, &ak), 0);
}

static void
check_mix(struct vos_cont *cont, uint32_t seed)
{
	static uint8_t big[300000];
	static uint8_t out[300000];
	uint64_t dkey = 3;
	uint64_t got;
	char name[32];
	int i;

	fill(big, sizeof(big), seed);
	for (i = 0; i < 20; i++) {
		size_t len = i % 2 ? 10 + (size_t)i : 5000 + (size_t)i * 1000;

		snprintf(name, sizeof(name), "k%u-%d", seed, i);
		assert_int_equal(
			t_get(cont, toid(1, OT_HASHED), 200, 0, name, "a", out, sizeof(out), &got),
			0);
		if (i == 3) {
			assert_int_equal(got, 0); /* punched */
			continue;
		}
		assert_int_equal(got, len);
		assert_memory_equal(out, big + i, len);
	}
	assert_int_equal(t_read(cont, toid(1000 + seed, OT_ARRAY_BYTE), 10, &dkey, 8, "arr", 0,
				200000, 1, out, NULL),
			 0);
	assert_memory_equal(out, big, 1000);
	assert_memory_equal(out + 1000, big + 5, 100);
	assert_memory_equal(out + 1100, big + 1100, 200000 - 1100);
}

static struct tpool tp;

/*
 * Run @fn in a child that opens the pool itself, with its own io_uring queue (a ring
 * is shared memory: parent and child must not use the same one), and _exits without
 * closing: as far as the disk is concerned, a crash after its last completed I/O. The
 * parent's pool is closed first and reopened after.
 */
static void
in_child_only(void (*fn)(struct vos_cont *cont, uint32_t seed), uint32_t seed)
{
	pid_t pid;
	int status;

	tpool_close(&tp);
	pid = fork();
	if (pid == 0) {
		struct bio_ioq *q;
		struct vos_pool *pool;
		struct vos_cont *cont;
		struct vos_pool_attr attr = tp.attr;

		if (bio_ioq_create(64, &q) != 0)
			_exit(10);
		attr.ioq = q;
		if (vos_pool_open(&attr, &pool) != 0 || vos_cont_open(pool, tp.cuuid, &cont) != 0)
			_exit(11);
		fn(cont, seed);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
in_child(void (*fn)(struct vos_cont *cont, uint32_t seed), uint32_t seed)
{
	in_child_only(fn, seed);
	tpool_open(&tp, false);
}

/*
 * Where batch @n of the WAL starts (0: the first ever written, at 0), walking the
 * headers (docs/design/vos.md): u32 payload length at byte 24, unit shift at byte 44
 * (0: 4 KiB blocks; memory devices use smaller units). After setup_default() the
 * container's batch is batch 0, so update k of a child started by in_child_only() is
 * batch k + 1.
 */
static uint64_t
wal_batch_pos(struct bio_blob *wal, unsigned int n)
{
	uint64_t pos = 0;
	uint8_t hdr[64];

	while (n-- > 0) {
		uint32_t len;
		uint32_t unit;

		assert_int_equal(bio_read(wal, pos, hdr, sizeof(hdr)), 0);
		len = (uint32_t)hdr[24] | (uint32_t)hdr[25] << 8 | (uint32_t)hdr[26] << 16 |
		      (uint32_t)hdr[27] << 24;
		unit = hdr[44] != 0 ? 1u << hdr[44] : 4096;
		pos += (sizeof(hdr) + len + unit - 1) / unit * unit;
	}
	return pos;
}

static void
setup_default(void)
{
	tpool_setup(&tp, 64 * MiB, 4 * MiB, 8 * MiB, 32 * MiB);
}

static void
reopen_after_close(void **state)
{
	struct vos_pool_info info;

	struct vos_oid obj1 = toid(1, OT_HASHED);

	(void)state;
	setup_default();
	write_mix(tp.cont, 1);
	check_mix(tp.cont, 1);
	/* the newest change (write_mix: updates at 10..29, then a punch at 100) */
	assert_int_equal(vos_obj_max_epoch(tp.cont, &obj1), 100);
	vos_pool_query(tp.pool, &info);
	assert_true(info.data_total >= 30 * MiB);
	assert_true(info.data_free < info.data_total);
	tpool_close(&tp);
	tpool_open(&tp, false);
	check_mix(tp.cont, 1);
	assert_int_equal(vos_obj_max_epoch(tp.cont, &obj1), 100); /* through the checkpoint */
	/* The allocator was rebuilt from the index: new data does not overwrite old. */
	write_mix(tp.cont, 2);
	check_mix(tp.cont, 1);
	check_mix(tp.cont, 2);
	tpool_teardown(&tp);
}

/*
 * How a WAL batch becomes durable, seen from the operations queued (bio_ioq_stat): a
 * batch of inline values is one durable write (RWF_DSYNC) and no sync; a batch whose
 * record points at new data-blob blocks is a plain write and a sync when the data share
 * the WAL's device (the sync covers both), and a sync of the data device then a durable
 * write when they do not (@separate).
 */
static void
check_commit_modes(bool separate)
{
	static uint8_t big[200000];
	struct bio_ioq_stat a;
	struct bio_ioq_stat b;
	uint8_t out[200000];
	uint64_t got;

	fill(big, sizeof(big), 77);
	bio_ioq_stat(tp.ioq, &a);
	assert_int_equal(t_put(tp.cont, toid(7, OT_HASHED), 5, 0, "small", "a", big, 100), 0);
	bio_ioq_stat(tp.ioq, &b);
	assert_int_equal(b.writes - a.writes, 1);
	assert_int_equal(b.dsync_writes - a.dsync_writes, 1);
	assert_int_equal(b.syncs - a.syncs, 0);

	bio_ioq_stat(tp.ioq, &a);
	assert_int_equal(t_put(tp.cont, toid(7, OT_HASHED), 6, 0, "large", "a", big, sizeof(big)),
			 0);
	bio_ioq_stat(tp.ioq, &b);
	assert_int_equal(b.writes - a.writes, 2); /* the value, then the batch */
	assert_int_equal(b.syncs - a.syncs, 1);
	assert_int_equal(b.dsync_writes - a.dsync_writes, separate ? 1 : 0);

	/* and the next inline-only batch is durable by itself again */
	bio_ioq_stat(tp.ioq, &a);
	assert_int_equal(t_put(tp.cont, toid(7, OT_HASHED), 7, 0, "small2", "a", big, 50), 0);
	bio_ioq_stat(tp.ioq, &b);
	assert_int_equal(b.dsync_writes - a.dsync_writes, 1);
	assert_int_equal(b.syncs - a.syncs, 0);

	assert_int_equal(
		t_get(tp.cont, toid(7, OT_HASHED), 10, 0, "large", "a", out, sizeof(out), &got), 0);
	assert_int_equal(got, sizeof(big));
	assert_memory_equal(out, big, sizeof(big));
}

static void
commit_modes(void **state)
{
	uint8_t out[128];
	uint64_t got;

	(void)state;
	setup_default();
	check_commit_modes(false);
	tpool_close(&tp);
	tpool_open(&tp, false);
	assert_int_equal(
		t_get(tp.cont, toid(7, OT_HASHED), 10, 0, "small2", "a", out, sizeof(out), &got),
		0);
	assert_int_equal(got, 50);
	tpool_teardown(&tp);
}

/* A child writes and _exits without closing: reopening replays the WAL. */
static void
replay_after_exit(void **state)
{
	(void)state;
	setup_default();
	in_child(write_mix, 7);
	check_mix(tp.cont, 7);
	tpool_teardown(&tp);
}

/* A small WAL forces checkpoints while writing; everything survives. */
static void
checkpoints_while_writing(void **state)
{
	struct vos_pool_info info;
	char name[16];
	int round;
	int last;
	int i;

	(void)state;
	tpool_setup(&tp, 64 * MiB, 256 * 1024, 16 * MiB, 32 * MiB);
	for (round = 0; round < 6; round++)
		write_mix(tp.cont, 10 + round);
	vos_pool_query(tp.pool, &info);
	/* On memory, batches are small: small updates until one is forced there too. */
	for (i = 0; info.nr_checkpoints == 0 && i < 100000; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(
			t_put(tp.cont, toid(2, OT_HASHED), 10, 0, name, "a", name, strlen(name)),
			0);
		if (i % 64 == 0)
			vos_pool_query(tp.pool, &info);
	}
	last = i - 1;
	assert_true(info.nr_checkpoints > 0);
	print_message("%" PRIu64 " checkpoints, WAL %" PRIu64 "/%" PRIu64 " bytes used\n",
		      info.nr_checkpoints, info.wal_used, info.wal_total);
	in_child(write_mix, 30);
	for (round = 0; round < 6; round++)
		check_mix(tp.cont, 10 + round);
	check_mix(tp.cont, 30);
	if (last >= 0) {
		uint64_t got;
		char buf[16];

		snprintf(name, sizeof(name), "s%d", last);
		assert_int_equal(t_get(tp.cont, toid(2, OT_HASHED), 100, 0, name, "a", buf,
				       sizeof(buf), &got),
				 0);
		assert_int_equal(got, strlen(name));
		assert_memory_equal(buf, name, got);
	}
	tpool_teardown(&tp);
}

static struct bio_blob *
blob_of(struct tpool *t, enum bio_role role)
{
	struct bio_blob_id id = { .target = t->attr.target, .role = role };
	struct bio_blob *blob;

	uuid_copy(id.pool, t->attr.uuid);
	assert_int_equal(bio_blob_open(t->dev, &id, &blob), 0);
	return blob;
}

static void
scribble(struct bio_blob *blob, uint64_t off, size_t len)
{
	uint8_t junk[4096];

	memset(junk, 0x5a, sizeof(junk));
	assert_true(len <= sizeof(junk));
	assert_int_equal(bio_write(blob, off, junk, len), 0);
}

/* Ten small updates, each its own WAL batch (each waits for the last). */
static void ten_updates(struct vos_cont *cont, uint32_t obj);

static void
ten_updates(struct vos_cont *cont, uint32_t obj)
{
	int i;

	for (i = 0; i < 10; i++) {
		char name[8];

		snprintf(name, sizeof(name), "t%d", i);
		if (t_put(cont, toid(obj, OT_HASHED), 10 + i, 0, name, "a", "value", 5) != 0)
			_exit(12);
	}
}

static void
torn_wal_tail(void **state)
{
	uint64_t got;
	char buf[16];
	int i;

	(void)state;
	setup_default();
	in_child_only(ten_updates, 5);
	{
		struct bio_blob *wal = blob_of(&tp, BIO_ROLE_WAL);

		/* t<k> is batch k + 1: damage t9's payload, the last. */
		scribble(wal, wal_batch_pos(wal, 10) + 64 + 4, 8);
		bio_blob_close(wal);
	}
	tpool_open(&tp, false);
	for (i = 0; i < 9; i++) {
		char name[8];

		snprintf(name, sizeof(name), "t%d", i);
		assert_int_equal(t_get(tp.cont, toid(5, OT_HASHED), 100, 0, name, "a", buf,
				       sizeof(buf), &got),
				 0);
		assert_int_equal(got, 5);
	}
	assert_int_equal(
		t_get(tp.cont, toid(5, OT_HASHED), 100, 0, "t9", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	/* New writes go where the torn batch was; a further reopen sees them. */
	assert_int_equal(t_put(tp.cont, toid(5, OT_HASHED), 50, 0, "t9", "a", "again", 5), 0);
	tpool_close(&tp);
	tpool_open(&tp, false);
	assert_int_equal(
		t_get(tp.cont, toid(5, OT_HASHED), 100, 0, "t9", "a", buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, "again", 5);
	tpool_teardown(&tp);
}

/* Damage in the middle of the WAL, with later batches present, refuses the open. */
static void
damaged_wal_middle(void **state)
{
	struct vos_pool *pool;

	(void)state;
	setup_default();
	in_child_only(ten_updates, 6);
	{
		struct bio_blob *wal = blob_of(&tp, BIO_ROLE_WAL);

		scribble(wal, wal_batch_pos(wal, 5) + 64 + 4, 8);
		bio_blob_close(wal);
	}
	assert_int_equal(vos_pool_open(&tp.attr, &pool), -DER_CSUM);
	tpool_teardown(&tp);
}

/* The newest checkpoint damaged: the older one plus the WAL still has everything. */
static void
damaged_checkpoint_fallback(void **state)
{
	uint64_t slot = 8 * MiB / 2;
	struct bio_blob *meta;
	struct vos_pool *pool;

	(void)state;
	setup_default();
	write_mix(tp.cont, 40);
	assert_int_equal(vos_pool_checkpoint(tp.pool), 0); /* generation 2, slot 1 */
	write_mix(tp.cont, 41);
	tpool_close(&tp); /* generation 3, slot 0 */
	meta = blob_of(&tp, BIO_ROLE_META);
	scribble(meta, 4096 + 64, 32); /* inside slot 0's first chunk */
	bio_blob_close(meta);
	tpool_open(&tp, false);
	check_mix(tp.cont, 40);
	check_mix(tp.cont, 41);
	/* from the older checkpoint and the WAL replayed over it */
	{
		struct vos_oid obj1 = toid(1, OT_HASHED);

		assert_int_equal(vos_obj_max_epoch(tp.cont, &obj1), 100);
	}
	tpool_close(&tp);
	/* Both headers damaged: nothing to start from. */
	meta = blob_of(&tp, BIO_ROLE_META);
	scribble(meta, 8, 16);
	scribble(meta, slot + 8, 16);
	bio_blob_close(meta);
	assert_int_equal(vos_pool_open(&tp.attr, &pool), -DER_DF_INVAL);
	tpool_teardown(&tp);
}

/* The newest checkpoint damaged and the WAL overwritten since the older one: refuse. */
static void
damaged_checkpoint_no_fallback(void **state)
{
	struct bio_blob *meta;
	struct bio_blob *wal;
	struct vos_pool *pool;

	(void)state;
	setup_default();
	write_mix(tp.cont, 50);
	assert_int_equal(vos_pool_checkpoint(tp.pool), 0);
	write_mix(tp.cont, 51);
	tpool_close(&tp);
	meta = blob_of(&tp, BIO_ROLE_META);
	scribble(meta, 4096 + 64, 32);
	bio_blob_close(meta);
	/* The WAL where the older checkpoint starts: overwritten (as after a wrap). */
	wal = blob_of(&tp, BIO_ROLE_WAL);
	{
		uint8_t zero[4096] = { 0 };
		uint64_t off;

		for (off = 0; off < 4 * MiB; off += 4096)
			assert_int_equal(bio_write(wal, off, zero, sizeof(zero)), 0);
	}
	bio_blob_close(wal);
	assert_int_equal(vos_pool_open(&tp.attr, &pool), -DER_CSUM);
	tpool_teardown(&tp);
}

/* A full data blob: -DER_NOSPACE, everything written before stays readable. */
static void
data_blob_full(void **state)
{
	static uint8_t val[64 * 1024];
	uint64_t got;
	int i;
	int rc = 0;
	int nr = 0;

	(void)state;
	tpool_setup(&tp, 64 * MiB, 4 * MiB, 8 * MiB, 1 * MiB);
	for (i = 0; i < 100; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%d", i);
		fill(val, sizeof(val), (uint32_t)i);
		rc = t_put(tp.cont, toid(7, OT_HASHED), 10, 0, name, "a", val, sizeof(val));
		if (rc != 0)
			break;
		nr++;
	}
	assert_int_equal(rc, -DER_NOSPACE);
	assert_true(nr >= 14 && nr <= 16);
	/* Small values still fit: they live in the index. */
	assert_int_equal(t_put(tp.cont, toid(7, OT_HASHED), 10, 0, "small", "a", "x", 1), 0);
	tpool_close(&tp);
	tpool_open(&tp, false);
	for (i = 0; i < nr; i++) {
		static uint8_t out[64 * 1024];
		char name[8];

		snprintf(name, sizeof(name), "f%d", i);
		fill(val, sizeof(val), (uint32_t)i);
		assert_int_equal(t_get(tp.cont, toid(7, OT_HASHED), 20, 0, name, "a", out,
				       sizeof(out), &got),
				 0);
		assert_int_equal(got, sizeof(val));
		assert_memory_equal(out, val, sizeof(val));
	}
	tpool_teardown(&tp);
}

struct zc_wait {
	bool done;
	int status;
};

static void
zc_cb(void *arg, int status)
{
	struct zc_wait *w = arg;

	w->done = true;
	w->status = status;
}

/* End zero-copy update @u and run the queue until its callback says it is durable. */
static int
zc_end_wait(struct vos_upd *u)
{
	struct zc_wait w = { 0 };

	vos_update_end(u, 0, zc_cb, &w);
	while (!w.done)
		bio_ioq_poll(tp.ioq, 100);
	return w.status;
}

/* Fetch single value @akey of @dk at epoch 20; *@got is its size. */
static int
get_single(const struct vos_oid *oid, const d_iov_t *dk, const char *akey, void *buf, size_t len,
	   uint64_t *got)
{
	d_iov_t v;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
	struct vos_iod iod = { .type = VOS_IOD_SINGLE };
	int rc;

	d_iov_set(&iod.name, (void *)akey, strlen(akey));
	d_iov_set(&v, buf, len);
	rc = vos_obj_fetch_sync(tp.cont, oid, 20, 0, dk, 1, &iod, &sgl, NULL);
	*got = iod.size;
	return rc;
}

static uint64_t
data_free(void)
{
	struct vos_pool_info info;

	vos_pool_query(tp.pool, &info);
	return info.data_free;
}

/*
 * Zero-copy updates: the caller fills the room vos_update_begin() gives (the blob's own
 * pages on a memory device, a buffer elsewhere); the values read back, survive a
 * reopen, and a dropped update leaves nothing behind.
 */
static void
zero_copy_updates(void **state)
{
	static uint8_t big[MiB + 5000];
	static uint8_t out[MiB + 5000];
	struct vos_recx rx[2] = { { 0, MiB }, { 2 * MiB, 5000 } };
	struct vos_iod iods[3] = {
		{ .type = VOS_IOD_SINGLE, .size = 100 },
		{ .type = VOS_IOD_ARRAY, .size = 1, .nr = 2, .recxs = rx },
		{ .type = VOS_IOD_SINGLE, .size = 0 },
	};
	const d_sg_list_t *sgls;
	struct vos_oid oid = toid(77, OT_ARRAY_BYTE);
	uint64_t dkey = 9;
	uint64_t free0;
	struct vos_upd *u;
	uuid_t other;
	d_iov_t dk;
	uint64_t got;
	uint32_t i;

	(void)state;
	tpool_setup(&tp, 64 * MiB, 4 * MiB, 8 * MiB, 16 * MiB);
	fill(big, sizeof(big), 5);
	d_iov_set(&dk, &dkey, sizeof(dkey));
	d_iov_set(&iods[0].name, "s", 1);
	d_iov_set(&iods[1].name, "arr", 3);
	d_iov_set(&iods[2].name, "none", 4);
	assert_int_equal(vos_update_begin(tp.cont, &oid, 10, 0, &dk, 3, iods, &u), 0);
	sgls = vos_update_sgls(u);
	/* one iov per value of non-zero size, in order */
	assert_int_equal(sgls[0].sg_nr, 1);
	assert_int_equal(sgls[0].sg_iovs[0].iov_len, 100);
	assert_int_equal(sgls[1].sg_nr, 2);
	assert_int_equal(sgls[1].sg_iovs[0].iov_len, MiB);
	assert_int_equal(sgls[1].sg_iovs[1].iov_len, 5000);
	assert_int_equal(sgls[2].sg_nr, 0);
	memcpy(sgls[0].sg_iovs[0].iov_buf, big + 7, 100);
	memcpy(sgls[1].sg_iovs[0].iov_buf, big, MiB);
	memcpy(sgls[1].sg_iovs[1].iov_buf, big + MiB, 5000);
	/* not visible before the end, and the container cannot go */
	assert_int_equal(get_single(&oid, &dk, "s", out, 100, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(vos_cont_destroy(tp.pool, tp.cuuid, zc_cb, NULL), -DER_BUSY);
	assert_int_equal(zc_end_wait(u), 0);

	/* A condition is checked at the start, synchronously. */
	iods[0].flags = 0;
	assert_int_equal(
		vos_update_begin(tp.cont, &oid, 11, VOS_COND_DKEY_INSERT, &dk, 1, iods, &u),
		-DER_EXIST);

	/* A dropped update gives its room back and changes nothing. */
	free0 = data_free();
	assert_int_equal(vos_update_begin(tp.cont, &oid, 12, 0, &dk, 2, iods, &u), 0);
	assert_true(data_free() < free0);
	sgls = vos_update_sgls(u);
	memset(sgls[1].sg_iovs[0].iov_buf, 0xee, MiB);
	vos_update_end(u, -DER_IO, NULL, NULL);
	assert_int_equal(data_free(), free0);

	for (i = 0; i < 2; i++) {
		assert_int_equal(
			t_read(tp.cont, oid, 20, &dkey, sizeof(dkey), "arr", 0, MiB, 1, out, NULL),
			0);
		assert_memory_equal(out, big, MiB);
		assert_int_equal(t_read(tp.cont, oid, 20, &dkey, sizeof(dkey), "arr", 2 * MiB, 5000,
					1, out, NULL),
				 0);
		assert_memory_equal(out, big + MiB, 5000);
		memset(out, 0, 100);
		assert_int_equal(get_single(&oid, &dk, "s", out, 100, &got), 0);
		assert_int_equal(got, 100);
		assert_memory_equal(out, big + 7, 100);
		/* the log alone brings it back */
		tpool_close(&tp);
		tpool_open(&tp, false);
	}

	/* An update begun on another container keeps it open until it ends. */
	uuid_generate(other);
	{
		struct vos_cont *oc;

		assert_int_equal(vos_cont_create_sync(tp.pool, other), 0);
		assert_int_equal(vos_cont_open(tp.pool, other, &oc), 0);
		assert_int_equal(vos_update_begin(oc, &oid, 10, 0, &dk, 2, iods, &u), 0);
		vos_cont_close(oc);
		assert_int_equal(vos_cont_destroy(tp.pool, other, zc_cb, NULL), -DER_BUSY);
		vos_update_end(u, -DER_CANCELED, NULL, NULL);
		assert_int_equal(vos_cont_destroy_sync(tp.pool, other), 0);
	}
	tpool_teardown(&tp);
}

/*
 * A filler that reports its pieces in order has them checksummed as they come
 * (vos_update_filled()): the value reads back, and a byte changed after its report is
 * caught by the checksum (so the reported checksum is the one kept). Pieces out of
 * order, or one reported twice, are checksummed at the end instead; reports naming no
 * value, or running past one, are ignored.
 */
static void
zero_copy_filled(void **state)
{
	static uint8_t big[MiB];
	static uint8_t out[MiB];
	struct vos_recx rx = { 0, MiB };
	struct vos_iod iod = { .type = VOS_IOD_ARRAY, .size = 1, .nr = 1, .recxs = &rx };
	struct vos_oid oid = toid(78, OT_ARRAY_BYTE);
	const uint64_t q = MiB / 4;
	const d_sg_list_t *sgls;
	struct vos_upd *u;
	uint64_t dkey;
	d_iov_t dk;
	uint8_t *p;
	uint64_t k;

	(void)state;
	tpool_setup(&tp, 64 * MiB, 4 * MiB, 8 * MiB, 16 * MiB);
	fill(big, sizeof(big), 9);
	d_iov_set(&iod.name, "arr", 3);
	d_iov_set(&dk, &dkey, sizeof(dkey));
	/* dkey 1: in order; 2: changed after; 3: backwards; 4: a piece twice; 5: bad reports */
	for (dkey = 1; dkey <= 5; dkey++) {
		assert_int_equal(vos_update_begin(tp.cont, &oid, 10, 0, &dk, 1, &iod, &u), 0);
		sgls = vos_update_sgls(u);
		p = sgls[0].sg_iovs[0].iov_buf;
		memcpy(p, big, MiB);
		for (k = 0; k < 4; k++) {
			uint64_t piece = dkey == 3 ? 3 - k : (dkey == 4 && k == 2) ? 1 : k;

			vos_update_filled(u, 0, 0, piece * q, q);
		}
		if (dkey == 2)
			p[MiB / 2] ^= 1;
		if (dkey == 5) {
			vos_update_filled(u, 1, 0, 0, 1);
			vos_update_filled(u, 0, 1, 0, 1);
			vos_update_filled(u, 0, 0, MiB, 1);
			vos_update_filled(u, 0, 0, q, UINT64_MAX);
		}
		assert_int_equal(zc_end_wait(u), 0);
	}
	for (dkey = 1; dkey <= 5; dkey++) {
		memset(out, 0, MiB);
		if (dkey == 2) {
			assert_int_equal(t_read(tp.cont, oid, 20, &dkey, sizeof(dkey), "arr", 0,
						MiB, 1, out, NULL),
					 -DER_CSUM);
			continue;
		}
		assert_int_equal(
			t_read(tp.cont, oid, 20, &dkey, sizeof(dkey), "arr", 0, MiB, 1, out, NULL),
			0);
		assert_memory_equal(out, big, MiB);
	}
	tpool_teardown(&tp);
}

/* A data-blob value whose bytes changed on the device is refused (-DER_CSUM), never returned. */
static void
corrupt_value_detected(void **state)
{
	static uint8_t val[64 * 1024];
	static uint8_t dev[64 * MiB];
	static uint8_t out[64 * 1024];
	uint64_t got;
	uint8_t *hit;
	int fd;

	(void)state;
	tpool_setup(&tp, 64 * MiB, 4 * MiB, 8 * MiB, 16 * MiB);
	fill(val, sizeof(val), 77);
	assert_int_equal(t_put(tp.cont, toid(5, OT_HASHED), 10, 0, "d", "a", val, sizeof(val)), 0);
	assert_int_equal(t_put(tp.cont, toid(5, OT_HASHED), 10, 0, "e", "a", val, 8000), 0);
	tpool_close(&tp);
	/* flip one byte in the middle of the first value's copy on the device */
	fd = open(tp.path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, dev, sizeof(dev), 0), (ssize_t)sizeof(dev));
	hit = memmem(dev, sizeof(dev), val, sizeof(val));
	assert_non_null(hit);
	hit[sizeof(val) / 2] ^= 0x40;
	assert_int_equal(pwrite(fd, hit + sizeof(val) / 2, 1, (hit - dev) + sizeof(val) / 2), 1);
	close(fd);
	tpool_open(&tp, false);
	assert_int_equal(
		t_get(tp.cont, toid(5, OT_HASHED), 20, 0, "d", "a", out, sizeof(out), &got),
		-DER_CSUM);
	/* the other value is intact and reads back */
	assert_int_equal(
		t_get(tp.cont, toid(5, OT_HASHED), 20, 0, "e", "a", out, sizeof(out), &got), 0);
	assert_int_equal(got, 8000);
	assert_memory_equal(out, val, 8000);
	tpool_teardown(&tp);
}

/* The index memory budget: -DER_NOSPACE, never the OOM killer. */
static void
index_memory_full(void **state)
{
	struct vos_pool_info info;
	char val[2000];
	int i;
	int rc = 0;

	(void)state;
	memset(&tp, 0, sizeof(tp));
	tpool_setup(&tp, 64 * MiB, 4 * MiB, 8 * MiB, 8 * MiB);
	tpool_close(&tp);
	tp.attr.mem_limit = 1 * MiB;
	tpool_open(&tp, false);
	memset(val, 'm', sizeof(val));
	for (i = 0; i < 10000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "mem%d", i);
		rc = t_put(tp.cont, toid(8, OT_HASHED), 10, 0, name, "a", val, sizeof(val));
		if (rc != 0)
			break;
	}
	assert_int_equal(rc, -DER_NOSPACE);
	vos_pool_query(tp.pool, &info);
	assert_true(info.mem_used <= info.mem_limit);
	assert_true(i > 100);
	tpool_teardown(&tp);
}

/* bdev_roles: the WAL, meta and data blobs on three devices (tiers). */
static void
roles_on_three_devices(void **state)
{
	struct bio_dev *devs[3];
	char paths[3][600];
	int i;

	(void)state;
	memset(&tp, 0, sizeof(tp));
	tp.dir = test_tmpdir("vos_roles");
	assert_non_null(tp.dir);
	assert_int_equal(bio_ioq_create(64, &tp.ioq), 0);
	for (i = 0; i < 3; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/tier%d", tp.dir, i);
		assert_int_equal(bio_dev_open(paths[i], 48 * MiB, BIO_DEV_CREATE, &devs[i]), 0);
		assert_int_equal(bio_dev_format(devs[i]), 0);
	}
	tp.dev = devs[1];
	tpool_attr(&tp, 4 * MiB, 8 * MiB, 32 * MiB);
	tp.attr.wal_dev = devs[0];
	tp.attr.meta_dev = devs[1];
	tp.attr.data_dev = devs[2];
	uuid_generate(tp.cuuid);
	assert_int_equal(vos_pool_create(&tp.attr), 0);
	/* Each tier got exactly its blob. */
	for (i = 0; i < 3; i++)
		assert_true(bio_dev_free(devs[i]) < 48 * MiB);
	tpool_open(&tp, true);
	check_commit_modes(true);
	write_mix(tp.cont, 60);
	tpool_close(&tp);
	tpool_open(&tp, false);
	check_mix(tp.cont, 60);
	tpool_close(&tp);
	assert_int_equal(vos_pool_destroy(&tp.attr), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(bio_dev_free(devs[i]), 47 * MiB);
		bio_dev_close(devs[i]);
		unlink(paths[i]);
	}
	tp.dev = NULL;
	tpool_teardown(&tp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_on_three_devices),
		cmocka_unit_test(reopen_after_close),
		cmocka_unit_test(commit_modes),
		cmocka_unit_test(replay_after_exit),
		cmocka_unit_test(checkpoints_while_writing),
		cmocka_unit_test(torn_wal_tail),
		cmocka_unit_test(damaged_wal_middle),
		cmocka_unit_test(damaged_checkpoint_fallback),
		cmocka_unit_test(damaged_checkpoint_no_fallback),
		cmocka_unit_test(data_blob_full),
		cmocka_unit_test(index_memory_full),
		cmocka_unit_test(zero_copy_updates),
		cmocka_unit_test(zero_copy_filled),
		cmocka_unit_test(corrupt_value_detected),
	};

	d_log_init();
	return cmocka_run_group_tests_name("vos_durable", tests, NULL, NULL);
}
