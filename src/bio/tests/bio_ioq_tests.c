/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_ioq_tests.c - the asynchronous queue, each test three times: on io_uring, in the
 * synchronous fallback, and on a device in memory (/dev/shm: its operations complete
 * when queued, their callbacks from the next poll). Mixed writes, reads and syncs checked against a
 * model (a sync completes only after the writes queued before it), a full ring, the eventfd,
 * destroy with operations in flight, callbacks that queue more, bio_fail_nth.
 */
#define D_LOGFAC DD_FAC(tests)

#include <linux/magic.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <time.h>

#include "bio/bio.h"
#include "bio/bio_int.h"
#include "bio/tests/bio_test.h"
#include "common/test.h"

#define BLK 4096u
#define NR_BLK 256u /* the region the mixed test works in: 1 MiB */

struct fixture {
	struct bt_dir d;
	struct bio_dev *dev;
	struct bio_blob *blob;
	uint64_t mark;
	bool uring;
};

enum mode { WITH_URING, WITHOUT_URING, ON_MEMORY };

static enum mode with_uring = WITH_URING;
static enum mode without_uring = WITHOUT_URING;
static enum mode on_memory = ON_MEMORY;

static bool
shm_is_tmpfs(void)
{
	struct statfs st;

	return statfs("/dev/shm", &st) == 0 && st.f_type == TMPFS_MAGIC;
}

static int
setup(void **state)
{
	struct bio_blob_id id = bt_id(0, BIO_ROLE_DATA);
	enum mode mode = *(enum mode *)*state;
	const char *tmp = getenv("TMPDIR");
	char *saved = tmp != NULL ? d_strdup(tmp) : NULL;
	struct fixture *f;

	if (mode == ON_MEMORY && !shm_is_tmpfs()) {
		print_message("no tmpfs at /dev/shm: the memory-device case cannot run\n");
		d_free(saved);
		return -1; /* reported as a failed setup, never a silent pass */
	}
	f = d_calloc(1, sizeof(*f));
	f->uring = mode != WITHOUT_URING;
	f->mark = d_alloc_nr_live();
	bio_ioq_no_uring = !f->uring;
	if (mode == ON_MEMORY)
		setenv("TMPDIR", "/dev/shm", 1);
	bt_dir_init(&f->d, "bio_ioq");
	if (mode == ON_MEMORY) {
		if (saved != NULL)
			setenv("TMPDIR", saved, 1);
		else
			unsetenv("TMPDIR");
	}
	d_free(saved);
	f->dev = bt_dev_new(f->d.path, 8 * MiB);
	/* the file system tells the I/O queue how to move data */
	if (mode == ON_MEMORY)
		assert_true(f->dev->mem);
	assert_int_equal(bio_blob_create(f->dev, &id, 4 * MiB), 0);
	assert_int_equal(bio_blob_open(f->dev, &id, &f->blob), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	uint64_t mark = f->mark;

	bio_ioq_no_uring = false;
	bio_blob_close(f->blob);
	bio_dev_close(f->dev);
	bt_dir_fini(&f->d);
	d_free(f);
	assert_int_equal(d_alloc_nr_live() + 1, mark);
	return 0;
}

/* --- 1000 mixed operations against a model --- */

enum { OP_WRITE, OP_READ, OP_SYNC };

struct mixed;

struct op {
	struct mixed *m;
	int type;
	uint32_t seq; /* writes: order among writes; syncs: writes queued before */
	uint64_t off; /* in the blob */
	size_t len;
	char *mem; /* what bio_buf_alloc returned */
	char *buf; /* mem, or mem + 1 for an unaligned buffer */
};

struct mixed {
	char *model;               /* NR_BLK blocks: the blob's content once writes complete */
	unsigned int busy[NR_BLK]; /* operations in flight per block */
	bool write_done[1000];     /* by write seq */
	uint32_t nr_writes;        /* writes queued */
	unsigned int nr_callbacks;
	unsigned int depth;
	struct bio_ioq *q;
};

static void
mixed_done(void *arg, int status)
{
	struct op *op = arg;
	struct mixed *m = op->m;
	uint64_t b;
	uint32_t i;

	assert_int_equal(status, 0);
	assert_true(bio_ioq_inflight(m->q) <= m->depth);
	switch (op->type) {
	case OP_WRITE:
		memcpy(m->model + op->off, op->buf, op->len);
		m->write_done[op->seq] = true;
		break;
	case OP_READ:
		assert_memory_equal(op->buf, m->model + op->off, op->len);
		break;
	case OP_SYNC:
		for (i = 0; i < op->seq; i++)
			assert_true(m->write_done[i]);
		break;
	}
	if (op->type != OP_SYNC)
		for (b = op->off / BLK; b <= (op->off + op->len - 1) / BLK; b++)
			m->busy[b]--;
	m->nr_callbacks++;
	bio_buf_free(op->mem);
	d_free(op);
}

static bool
blocks_idle(struct mixed *m, uint64_t off, size_t len)
{
	uint64_t b;

	for (b = off / BLK; b <= (off + len - 1) / BLK; b++)
		if (m->busy[b] != 0)
			return false;
	return true;
}

static void
mixed_ops(void **state)
{
	TEST_ALLOC_MARK();
	struct fixture *f = *state;
	struct mixed *m = d_calloc(1, sizeof(*m));
	unsigned int seed = 777;
	unsigned int nr_ops = 0;
	struct op *op;
	uint64_t b;
	int kind;
	int rc;

	assert_non_null(m);
	m->model = d_calloc(NR_BLK, BLK);
	assert_non_null(m->model);
	m->depth = 32;
	assert_int_equal(bio_ioq_create(m->depth, &m->q), 0);
	/* Start from zeros in the region, as the model does. */
	op = d_calloc(1, sizeof(*op));
	op->mem = bio_buf_alloc(NR_BLK * BLK);
	memset(op->mem, 0, NR_BLK * BLK);
	assert_int_equal(bio_write(f->blob, 0, op->mem, NR_BLK * BLK), 0);
	bio_buf_free(op->mem);
	d_free(op);

	while (nr_ops < 1000) {
		op = d_calloc(1, sizeof(*op));
		assert_non_null(op);
		op->m = m;
		kind = rand_r(&seed) % 10;
		op->type = kind < 5 ? OP_WRITE : kind < 9 ? OP_READ : OP_SYNC;
		if (op->type != OP_SYNC) {
			if (rand_r(&seed) % 3 != 0) { /* aligned, 1 to 4 blocks */
				op->len = (size_t)(rand_r(&seed) % 4 + 1) * BLK;
				op->off = (uint64_t)(rand_r(&seed) % (NR_BLK - 4)) * BLK;
				op->mem = bio_buf_alloc(op->len);
				op->buf = op->mem;
			} else { /* anywhere, any length, unaligned buffer */
				op->len = (size_t)(rand_r(&seed) % 9000 + 1);
				op->off = (uint64_t)(rand_r(&seed) % (NR_BLK * BLK - op->len));
				op->mem = bio_buf_alloc(op->len + 1);
				op->buf = op->mem + 1;
			}
			assert_non_null(op->mem);
			if (!blocks_idle(m, op->off, op->len)) {
				/* Overlapping I/O in flight is unordered: wait a little. */
				bio_buf_free(op->mem);
				d_free(op);
				assert_true(bio_ioq_poll(m->q, 10) >= 0);
				continue;
			}
			for (b = op->off / BLK; b <= (op->off + op->len - 1) / BLK; b++)
				m->busy[b]++;
		}
		switch (op->type) {
		case OP_WRITE:
			op->seq = m->nr_writes++;
			memset(op->buf, (int)(nr_ops % 251) + 1, op->len);
			op->buf[0] = (char)nr_ops;
			rc = bio_ioq_write(m->q, f->blob, op->off, op->buf, op->len, mixed_done,
					   op);
			break;
		case OP_READ:
			rc = bio_ioq_read(m->q, f->blob, op->off, op->buf, op->len, mixed_done, op);
			break;
		default:
			op->seq = m->nr_writes;
			rc = bio_ioq_sync(m->q, f->blob, mixed_done, op);
			break;
		}
		assert_int_equal(rc, 0);
		nr_ops++;
		assert_true(bio_ioq_inflight(m->q) <= m->depth);
		if (rand_r(&seed) % 8 == 0)
			assert_true(bio_ioq_poll(m->q, 0) >= 0);
	}
	while (bio_ioq_inflight(m->q) > 0)
		assert_true(bio_ioq_poll(m->q, -1) >= 0);
	assert_int_equal(m->nr_callbacks, 1000);
	bio_ioq_destroy(m->q);

	/* What the queue wrote is what a blocking read sees. */
	op = d_calloc(1, sizeof(*op));
	op->mem = bio_buf_alloc(NR_BLK * BLK);
	assert_int_equal(bio_read(f->blob, 0, op->mem, NR_BLK * BLK), 0);
	assert_memory_equal(op->mem, m->model, NR_BLK * BLK);
	bio_buf_free(op->mem);
	d_free(op);
	d_free(m->model);
	d_free(m);
	TEST_ALLOC_CHECK();
}

/* --- simple counters --- */

struct counter {
	unsigned int nr;
	unsigned int nr_err;
	int order[128]; /* tags in callback order */
	struct bio_ioq *q;
	unsigned int max_inflight;
};

struct tagged {
	struct counter *c;
	int tag;
};

static void
count_done(void *arg, int status)
{
	struct tagged *t = arg;

	if (status != 0)
		t->c->nr_err++;
	if (t->c->nr < 128)
		t->c->order[t->c->nr] = status == 0 ? t->tag : -t->tag;
	t->c->nr++;
}

/* Queueing into a full ring reaps first; destroy waits for what is in flight. */
static void
ring_full_and_destroy(void **state)
{
	TEST_ALLOC_MARK();
	struct fixture *f = *state;
	struct tagged tags[100];
	struct counter c = { 0 };
	struct bio_ioq *q;
	char *buf = bio_buf_alloc(100 * BLK);
	int i;

	assert_non_null(buf);
	memset(buf, 'r', 100 * BLK);
	assert_int_equal(bio_ioq_create(3, &q), 0); /* rounded up to 4 */
	for (i = 0; i < 100; i++) {
		tags[i].c = &c;
		tags[i].tag = i + 1;
		assert_int_equal(bio_ioq_write(q, f->blob, (uint64_t)i * BLK, buf + i * BLK, BLK,
					       count_done, &tags[i]),
				 0);
		assert_true(bio_ioq_inflight(q) <= 4);
		assert_int_equal(c.nr + bio_ioq_inflight(q), (unsigned int)i + 1);
	}
	assert_true(c.nr >= 96);
	bio_ioq_destroy(q);
	assert_int_equal(c.nr, 100);
	assert_int_equal(c.nr_err, 0);

	/* Destroy right after queueing, without a poll */
	c.nr = 0;
	assert_int_equal(bio_ioq_create(64, &q), 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(bio_ioq_read(q, f->blob, (uint64_t)i * BLK, buf + i * BLK, BLK,
					      count_done, &tags[i]),
				 0);
	assert_int_equal(bio_ioq_sync(q, f->blob, count_done, &tags[16]), 0);
	assert_int_equal(bio_ioq_inflight(q), 17);
	assert_int_equal(c.nr, 0); /* callbacks never run from queueing with room left */
	bio_ioq_destroy(q);
	assert_int_equal(c.nr, 17);
	bio_buf_free(buf);
	TEST_ALLOC_CHECK();
}

static bool
fd_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN);
}

static void
eventfd_and_timeouts(void **state)
{
	TEST_ALLOC_MARK();
	struct fixture *f = *state;
	struct counter c = { 0 };
	struct tagged t = { .c = &c, .tag = 1 };
	struct timespec t0;
	struct timespec t1;
	struct bio_ioq *q;
	char buf[100] = "hello";
	int efd;
	int n;

	assert_int_equal(bio_ioq_create(8, &q), 0);
	efd = bio_ioq_eventfd(q);
	assert_true(efd >= 0);
	assert_false(fd_readable(efd, 0));

	/* Nothing in flight: a poll does not wait, whatever the timeout. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(bio_ioq_poll(q, 200), 0);
	assert_int_equal(bio_ioq_poll(q, -1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 1);

	assert_int_equal(bio_ioq_write(q, f->blob, 10, buf, sizeof(buf), count_done, &t), 0);
	assert_int_equal(bio_ioq_sync(q, f->blob, count_done, &t), 0);
	n = bio_ioq_poll(q, 0); /* submits; may reap what completed at once */
	assert_true(n >= 0 && n <= 2);
	if (n < 2) {
		assert_true(fd_readable(efd, 5000));
		while (c.nr < 2)
			assert_true(bio_ioq_poll(q, -1) > 0);
	}
	assert_int_equal(c.nr, 2);
	assert_int_equal(bio_ioq_poll(q, 0), 0); /* drains the eventfd */
	assert_false(fd_readable(efd, 0));

	/*
	 * A failure injected at queueing completes through poll; it needs no kernel, so it
	 * shows as ready, not on the eventfd.
	 */
	assert_false(bio_ioq_ready(q));
	bio_fail_nth(1);
	assert_int_equal(bio_ioq_read(q, f->blob, 10, buf, 5, count_done, &t), 0);
	bio_fail_nth(0);
	assert_true(bio_ioq_ready(q));
	assert_false(fd_readable(efd, 0));
	assert_int_equal(bio_ioq_poll(q, -1), 1);
	assert_false(bio_ioq_ready(q));
	assert_int_equal(c.nr_err, 1);
	assert_int_equal(bio_ioq_read(q, f->blob, 10, buf, 5, count_done, &t), 0);
	assert_int_equal(bio_ioq_poll(q, 5000), 1);
	assert_memory_equal(buf, "hello", 5);
	bio_ioq_destroy(q);
	TEST_ALLOC_CHECK();
}

/*
 * Durable writes (RWF_DSYNC, or a write then fdatasync without io_uring) land like plain
 * ones, aligned or not, short ones resubmitted; they are counted apart, cost no sync
 * operation, and a sync queued after them still waits for them.
 */
static void
durable_writes(void **state)
{
	TEST_ALLOC_MARK();
	struct fixture *f = *state;
	struct counter c = { 0 };
	struct tagged tags[12];
	struct bio_ioq_stat st;
	struct bio_ioq *q;
	char *buf = bio_buf_alloc(12 * BLK);
	char *back = bio_buf_alloc(12 * BLK);
	int i;
	int k;

	assert_non_null(buf);
	assert_non_null(back);
	for (i = 0; i < 12 * (int)BLK; i++)
		buf[i] = (char)(i * 7 + 3);
	assert_int_equal(bio_ioq_create(64, &q), 0);
	for (i = 0; i < 12; i++) {
		tags[i].c = &c;
		tags[i].tag = i + 1;
	}
	/* odd ones unaligned in length; one plain write among them */
	for (i = 0; i < 10; i++) {
		int (*wr)(struct bio_ioq *, struct bio_blob *, uint64_t, const void *, size_t,
			  bio_io_fn, void *) = i == 4 ? bio_ioq_write : bio_ioq_write_durable;

		assert_int_equal(wr(q, f->blob, (uint64_t)i * BLK, buf + i * BLK,
				    i % 2 ? BLK - 100 : BLK, count_done, &tags[i]),
				 0);
	}
	assert_int_equal(bio_ioq_sync(q, f->blob, count_done, &tags[10]), 0);
	bio_ioq_stat(q, &st);
	assert_int_equal(st.writes, 10);
	assert_int_equal(st.dsync_writes, 9);
	assert_int_equal(st.syncs, 1);
	/* a range outside the blob is refused and counts nothing */
	assert_int_equal(
		bio_ioq_write_durable(q, f->blob, 4 * MiB, buf, BLK, count_done, &tags[11]),
		-DER_INVAL);
	while (bio_ioq_inflight(q) > 0)
		assert_true(bio_ioq_poll(q, -1) > 0);
	assert_int_equal(c.nr, 11);
	assert_int_equal(c.nr_err, 0);
	/* the sync (tag 11) came last */
	assert_int_equal(c.order[10], 11);
	bio_ioq_stat(q, &st);
	assert_int_equal(st.writes, 10);
	for (i = 0; i < 10; i++) {
		size_t len = i % 2 ? BLK - 100 : BLK;

		assert_int_equal(bio_read(f->blob, (uint64_t)i * BLK, back, BLK), 0);
		for (k = 0; k < (int)len; k++)
			assert_int_equal(back[k], buf[i * BLK + k]);
	}
	bio_ioq_destroy(q);
	bio_buf_free(buf);
	bio_buf_free(back);
	TEST_ALLOC_CHECK();
}

/* A sync completes after every write queued before it (and reads do not hold it). */
static void
sync_after_writes(void **state)
{
	TEST_ALLOC_MARK();
	struct fixture *f = *state;
	struct counter c = { 0 };
	struct tagged tags[30];
	struct bio_ioq *q;
	char *buf = bio_buf_alloc(30 * BLK);
	int i;
	int j;

	assert_non_null(buf);
	memset(buf, 's', 30 * BLK);
	assert_int_equal(bio_ioq_create(64, &q), 0);
	for (i = 0; i < 30; i++) {
		tags[i].c = &c;
		tags[i].tag = i + 1;
	}
	for (i = 0; i < 20; i++)
		assert_int_equal(bio_ioq_write(q, f->blob, (uint64_t)i * BLK, buf + i * BLK,
					       i % 2 ? BLK : BLK - 1, count_done, &tags[i]),
				 0);
	assert_int_equal(bio_ioq_read(q, f->blob, 0, buf + 29 * BLK, BLK, count_done, &tags[29]),
			 0);
	assert_int_equal(bio_ioq_sync(q, f->blob, count_done, &tags[20]), 0);
	for (i = 21; i < 25; i++)
		assert_int_equal(bio_ioq_write(q, f->blob, (uint64_t)i * BLK, buf + i * BLK, BLK,
					       count_done, &tags[i]),
				 0);
	while (bio_ioq_inflight(q) > 0)
		assert_true(bio_ioq_poll(q, -1) > 0);
	assert_int_equal(c.nr, 26);
	assert_int_equal(c.nr_err, 0);
	for (i = 0; i < 26; i++) {
		if (c.order[i] != 21)
			continue;
		/* every write 1..20 came before the sync */
		for (j = 1; j <= 20; j++) {
			int k;
			bool before = false;

			for (k = 0; k < i; k++)
				before |= c.order[k] == j;
			assert_true(before);
		}
	}
	bio_ioq_destroy(q);
	bio_buf_free(buf);
	TEST_ALLOC_CHECK();
}

/* Exactly the Nth queued operation fails; out-of-range ones are refused at once. */
static void
fail_nth_and_range(void **state)
{
	TEST_ALLOC_MARK();
	struct fixture *f = *state;
	struct counter c = { 0 };
	struct tagged tags[6];
	struct bio_ioq *q;
	char buf[64] = { 0 };
	int i;

	assert_int_equal(bio_ioq_create(16, &q), 0);
	for (i = 0; i < 6; i++) {
		tags[i].c = &c;
		tags[i].tag = i + 1;
	}
	bio_fail_nth(3);
	for (i = 0; i < 5; i++)
		assert_int_equal(
			bio_ioq_write(q, f->blob, (uint64_t)i * 64, buf, 64, count_done, &tags[i]),
			0);
	while (bio_ioq_inflight(q) > 0)
		assert_true(bio_ioq_poll(q, -1) > 0);
	bio_fail_nth(0);
	assert_int_equal(c.nr, 5);
	assert_int_equal(c.nr_err, 1);
	for (i = 0; i < 5; i++)
		assert_true(c.order[i] > 0 || c.order[i] == -3);

	assert_int_equal(bio_ioq_read(q, f->blob, 4 * MiB, buf, 1, count_done, &tags[5]),
			 -DER_INVAL);
	assert_int_equal(bio_ioq_write(q, f->blob, 4 * MiB - 1, buf, 2, count_done, &tags[5]),
			 -DER_INVAL);
	assert_int_equal(bio_ioq_inflight(q), 0);
	assert_int_equal(bio_ioq_read(q, f->blob, 4 * MiB, buf, 0, count_done, &tags[5]), 0);
	assert_int_equal(bio_ioq_poll(q, -1), 1);
	assert_int_equal(c.nr, 6);
	bio_ioq_destroy(q);
	assert_int_equal(bio_ioq_create(0, &q), -DER_INVAL);
	TEST_ALLOC_CHECK();
}

/* Callbacks that queue the next write, in a queue of two. */
struct chain {
	struct bio_ioq *q;
	struct bio_blob *blob;
	char *buf;
	int next;
	int done;
};

static void
chain_done(void *arg, int status)
{
	struct chain *ch = arg;
	int i;
	int n;

	assert_int_equal(status, 0);
	ch->done++;
	/* each callback queues two more, until 200 are queued */
	for (i = 0; i < 2 && ch->next < 200; i++) {
		/* Take the index first: queueing may poll and run other callbacks. */
		n = ch->next++;
		assert_int_equal(bio_ioq_write(ch->q, ch->blob, (uint64_t)n * BLK,
					       ch->buf + (size_t)n * BLK, BLK, chain_done, ch),
				 0);
	}
}

static void
callbacks_queue_more(void **state)
{
	TEST_ALLOC_MARK();
	struct fixture *f = *state;
	struct chain ch = { .blob = f->blob, .next = 1 };
	char *out;
	int i;

	ch.buf = bio_buf_alloc(200 * BLK);
	out = bio_buf_alloc(200 * BLK);
	assert_non_null(ch.buf);
	assert_non_null(out);
	for (i = 0; i < 200; i++)
		memset(ch.buf + (size_t)i * BLK, i, BLK);
	assert_int_equal(bio_ioq_create(2, &ch.q), 0);
	assert_int_equal(bio_ioq_write(ch.q, f->blob, 0, ch.buf, BLK, chain_done, &ch), 0);
	while (bio_ioq_inflight(ch.q) > 0)
		assert_true(bio_ioq_poll(ch.q, -1) >= 0);
	assert_int_equal(ch.done, 200);
	bio_ioq_destroy(ch.q);
	assert_int_equal(bio_read(f->blob, 0, out, 200 * BLK), 0);
	assert_memory_equal(out, ch.buf, 200 * BLK);
	bio_buf_free(out);
	bio_buf_free(ch.buf);
	TEST_ALLOC_CHECK();
}

struct posted {
	int order[8];
	int nr;
};

static struct posted post_log;

static void
post_note(void *arg, int status)
{
	assert_int_equal(status, 0);
	post_log.order[post_log.nr++] = (int)(intptr_t)arg;
}

/* Posted callbacks run from the next poll, in order, and count as in flight. */
static void
posted_callbacks(void **state)
{
	TEST_ALLOC_MARK();
	struct fixture *f = *state;
	struct bio_ioq *q;
	char *buf = bio_buf_alloc(BLK);

	assert_non_null(buf);
	memset(&post_log, 0, sizeof(post_log));
	assert_int_equal(bio_ioq_create(4, &q), 0);
	assert_int_equal(bio_ioq_post(q, post_note, (void *)1), 0);
	assert_int_equal(bio_ioq_post(q, post_note, (void *)2), 0);
	assert_int_equal(post_log.nr, 0);
	assert_int_equal(bio_ioq_inflight(q), 2);
	assert_int_equal(bio_ioq_poll(q, 0), 2);
	assert_int_equal(post_log.nr, 2);
	assert_int_equal(post_log.order[0], 1);
	assert_int_equal(post_log.order[1], 2);
	assert_int_equal(bio_ioq_inflight(q), 0);
	/* A post never waits behind I/O; destroy runs what is still posted. */
	assert_int_equal(bio_ioq_write(q, f->blob, 0, buf, BLK, post_note, (void *)3), 0);
	assert_int_equal(bio_ioq_post(q, post_note, (void *)4), 0);
	bio_ioq_destroy(q);
	assert_int_equal(post_log.nr, 4);
	bio_buf_free(buf);
	TEST_ALLOC_CHECK();
}

#define BOTH(fn)                                                                               \
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &with_uring),            \
		cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &without_uring), \
		cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &on_memory)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(mixed_ops),         BOTH(ring_full_and_destroy), BOTH(eventfd_and_timeouts),
		BOTH(sync_after_writes), BOTH(fail_nth_and_range),    BOTH(callbacks_queue_more),
		BOTH(posted_callbacks),  BOTH(durable_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
