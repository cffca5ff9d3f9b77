/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_ioq.c - the asynchronous I/O queue of a target thread, on io_uring.
 *
 * A queue owns a ring of @depth entries and @depth operation slots (struct ioq_op,
 * allocated once). Queueing takes a slot and prepares an SQE whose user_data points at
 * it; nothing reaches the kernel until bio_ioq_poll(), which submits the prepared SQEs
 * in one io_uring_enter(), reaps CQEs and runs callbacks. At most @depth operations are
 * alive (queued, in the kernel, or completed with their callback not yet run), so the
 * SQ (@depth entries) and the CQ (2 x @depth) can never overflow. When every slot is
 * taken, queueing first polls until a callback has freed one.
 *
 * A short read or write (or -EINTR/-EAGAIN) is resubmitted for the rest from the CQE
 * handler; the callback runs once, when the whole range is done or has failed. A read
 * that reaches the end of the device is an I/O error.
 *
 * Durable writes (bio_ioq_write_durable) carry RWF_DSYNC: the kernel completes them once
 * their data are on stable media (a FUA write, or the write and a cache flush), one
 * operation where a write and an fdatasync would be two, each waiting for the device.
 * They say nothing about other writes (a FUA write flushes nothing else).
 *
 * Sync ordering. io_uring starts SQEs in any order, so an fsync submitted with a write
 * may run before it. A queued sync therefore waits ("held", no SQE yet) until every
 * write queued before it on this queue has completed, then is prepared: the sync
 * covers them, which is what a write-ahead log's group commit needs. Later operations
 * do not wait for the sync. q->fifo lists the incomplete operations in queue order for
 * this; it is walked only up to its first write, and only while a sync is held.
 *
 * Callbacks run from bio_ioq_poll() only, after their slot is freed, so a callback may
 * queue more operations (and, if the queue is full, poll recursively). Operations that
 * fail before reaching the kernel (bio_fail_nth) or that move no bytes complete through
 * q->done, as do all operations of a queue without io_uring.
 *
 * Devices on tmpfs or ramfs (dev->mem) skip the ring: their operations run at once
 * when queued (a copy into the page cache) and complete through q->done.
 *
 * Without io_uring (io_uring_queue_init() or io_uring_register_eventfd() failed, logged
 * once per process; or bio_ioq_no_uring set by a test), queued operations wait in q->fifo
 * and bio_ioq_poll() runs them in order with pread/pwrite/fdatasync, then their
 * callbacks: same interface, same ordering guarantees, no concurrency.
 *
 * The eventfd is registered with the ring, so the kernel signals it for each CQE.
 * bio_ioq_poll() drains it before reaping, so a completion that arrives after the reap
 * leaves it readable. Work that needs no kernel (operations of memory devices or of a
 * queue without io_uring, injected failures, posted callbacks) is not signalled: that
 * would cost a write and a read of the eventfd per turn of a busy loop, and only the
 * owner queues such work anyway. The owner asks bio_ioq_ready() before it sleeps.
 *
 * Threads: a queue belongs to one thread; nothing here locks.
 */
#define D_LOGFAC DD_FAC(bio)

#include <errno.h>
#include <liburing.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bio/bio_int.h"

#define IOQ_DEPTH_MAX 32768u
#define IOQ_XFER_MAX (1u << 30)

bool bio_ioq_no_uring;
static bool uring_refused_logged;

enum ioq_op_type {
	IOQ_READ,
	IOQ_WRITE,
	IOQ_SYNC,
};

struct ioq_op {
	d_list_t link;         /* in q->free or q->done */
	d_list_t order;        /* in q->fifo from queueing until complete */
	struct bio_dev *dev;   /* the device of the blob it was queued for */
	bio_io_fn fn;          /* the callback */
	void *arg;             /* its argument */
	char *buf;             /* the caller's buffer (reads and writes) */
	uint64_t off;          /* device offset of buf[0] */
	size_t len;            /* bytes to move */
	size_t done;           /* bytes moved so far */
	enum ioq_op_type type; /* read, write or sync */
	bool dsync;            /* a write durable on completion (RWF_DSYNC) */
	bool held;             /* a sync waiting for earlier writes: no SQE yet */
	int status;            /* the result, once complete */
};

struct bio_ioq {
	struct io_uring ring;   /* valid when uring is set */
	bool uring;             /* false: operations run synchronously in poll */
	unsigned int depth;     /* operation slots, a power of two */
	int efd;                /* the eventfd */
	struct ioq_op *ops;     /* depth slots */
	d_list_t free;          /* free slots */
	d_list_t done;          /* complete, callback not yet run */
	d_list_t fifo;          /* not yet complete, in queue order */
	unsigned int nr_busy;   /* slots not free */
	unsigned int nr_kernel; /* operations with an SQE, prepared or submitted */
	unsigned int nr_held;   /* syncs held in fifo */
	d_list_t posted;        /* callbacks posted with bio_ioq_post() */
	unsigned int nr_posted;
	bool efd_pending; /* the eventfd may be readable (CQEs came) */
	struct bio_ioq_stat st;
};

/* A callback posted to run from the next poll. */
struct ioq_post {
	d_list_t link;
	bio_io_fn fn;
	void *arg;
};

static bool
log_first_time(bool *flag)
{
	return !__atomic_exchange_n(flag, true, __ATOMIC_RELAXED);
}

static void
ioq_drain_eventfd(struct bio_ioq *q)
{
	uint64_t v;

	while (read(q->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

/* The kernel knows the opcodes we use (READ and WRITE came in Linux 5.6). */
static bool
ioq_has_opcodes(struct io_uring *ring)
{
	struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
	bool ok;

	if (probe == NULL)
		return false;
	ok = io_uring_opcode_supported(probe, IORING_OP_READ) &&
	     io_uring_opcode_supported(probe, IORING_OP_WRITE) &&
	     io_uring_opcode_supported(probe, IORING_OP_FSYNC);
	io_uring_free_probe(probe);
	return ok;
}

int
bio_ioq_create(unsigned int depth, struct bio_ioq **out)
{
	struct bio_ioq *q;
	unsigned int i;
	int rc;

	if (depth == 0 || depth > IOQ_DEPTH_MAX)
		return -DER_INVAL;
	q = d_calloc(1, sizeof(*q));
	if (q == NULL)
		return -DER_NOMEM;
	q->depth = 1;
	while (q->depth < depth)
		q->depth <<= 1;
	D_INIT_LIST_HEAD(&q->free);
	D_INIT_LIST_HEAD(&q->done);
	D_INIT_LIST_HEAD(&q->posted);
	D_INIT_LIST_HEAD(&q->fifo);
	q->ops = d_calloc(q->depth, sizeof(*q->ops));
	if (q->ops == NULL) {
		rc = -DER_NOMEM;
		goto out_free_q;
	}
	for (i = 0; i < q->depth; i++)
		d_list_add_tail(&q->ops[i].link, &q->free);

	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0) {
		rc = errno == ENOMEM ? -DER_NOMEM : -DER_IO;
		D_ERROR("could not create an eventfd: %s", strerror(errno));
		goto out_free_ops;
	}

	rc = bio_ioq_no_uring ? -ENOSYS : io_uring_queue_init(q->depth, &q->ring, 0);
	if (rc == 0) {
		rc = io_uring_register_eventfd(&q->ring, q->efd);
		if (rc == 0 && !ioq_has_opcodes(&q->ring))
			rc = -EOPNOTSUPP;
		if (rc != 0)
			io_uring_queue_exit(&q->ring);
	}
	q->uring = rc == 0;
	if (!q->uring && log_first_time(&uring_refused_logged))
		D_WARN("io_uring is unavailable (%s): I/O queues run synchronously", strerror(-rc));
	*out = q;
	return 0;

out_free_ops:
	d_free(q->ops);
out_free_q:
	d_free(q);
	return rc;
}

/* The operation is complete: off the fifo, onto the done list. */
static void
ioq_complete(struct bio_ioq *q, struct ioq_op *op, int status)
{
	op->status = status;
	d_list_unlink(&op->order);
	d_list_add_tail(&op->link, &q->done);
}

/* Prepare the SQE for what is left of @op. */
static void
ioq_prep(struct bio_ioq *q, struct ioq_op *op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);
	/* A u32 length, and the kernel moves at most ~2 GiB per call: cut big ranges. */
	size_t left = D_MIN(op->len - op->done, (size_t)IOQ_XFER_MAX);
	int fd;

	/* Each live operation holds at most one SQE and there are depth of each. */
	D_ASSERT(sqe != NULL);
	switch (op->type) {
	case IOQ_READ:
		fd = bio_dev_fd_for(op->dev, op->off + op->done, op->buf + op->done, left);
		io_uring_prep_read(sqe, fd, op->buf + op->done, (unsigned int)left,
				   op->off + op->done);
		break;
	case IOQ_WRITE:
		fd = bio_dev_fd_for(op->dev, op->off + op->done, op->buf + op->done, left);
		io_uring_prep_write(sqe, fd, op->buf + op->done, (unsigned int)left,
				    op->off + op->done);
		if (op->dsync)
			sqe->rw_flags = RWF_DSYNC;
		break;
	case IOQ_SYNC:
		io_uring_prep_fsync(sqe, op->dev->fd, IORING_FSYNC_DATASYNC);
		break;
	}
	io_uring_sqe_set_data(sqe, op);
	q->nr_kernel++;
}

/* Prepare the held syncs that no incomplete write precedes any more. */
static void
ioq_release_syncs(struct bio_ioq *q)
{
	struct ioq_op *op;

	d_list_for_each_entry(op, &q->fifo, order) {
		if (q->nr_held == 0 || op->type == IOQ_WRITE)
			break;
		if (op->held) {
			op->held = false;
			q->nr_held--;
			ioq_prep(q, op);
		}
	}
}

/* Handle one CQE: resubmit the rest of a short transfer, or complete the operation. */
static void
ioq_handle_cqe(struct bio_ioq *q, struct ioq_op *op, int res)
{
	bool was_write = op->type == IOQ_WRITE;

	q->nr_kernel--;
	if (res == -EINTR || res == -EAGAIN) {
		ioq_prep(q, op);
		return;
	}
	if (res < 0) {
		ioq_complete(q, op,
			     op->type == IOQ_SYNC
				     ? bio_dev_io_error(op->dev, "sync", 0, 0, -res)
				     : bio_dev_io_error(op->dev, was_write ? "write" : "read",
							op->off, op->len, -res));
	} else if (op->type == IOQ_SYNC) {
		ioq_complete(q, op, 0);
	} else if (res == 0) {
		/* No progress: the device ends before the range does. */
		ioq_complete(q, op,
			     bio_dev_io_error(op->dev, was_write ? "write" : "read", op->off,
					      op->len, EIO));
	} else {
		op->done += (size_t)res;
		if (op->done < op->len) {
			ioq_prep(q, op);
			return;
		}
		ioq_complete(q, op, 0);
	}
	if (was_write && q->nr_held > 0)
		ioq_release_syncs(q);
}

/* Reap every CQE that is ready, without waiting. */
static void
ioq_reap(struct bio_ioq *q)
{
	struct io_uring_cqe *cqe;

	while (io_uring_peek_cqe(&q->ring, &cqe) == 0) {
		struct ioq_op *op = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&q->ring, cqe);
		/* each CQE signalled the eventfd: drain it at the next poll */
		q->efd_pending = true;
		ioq_handle_cqe(q, op, res);
	}
}

/* Without io_uring: run every queued operation, in order. */
static void
ioq_run_sync(struct bio_ioq *q)
{
	struct ioq_op *op;
	int rc;

	while (!d_list_empty(&q->fifo)) {
		op = d_list_first_entry(&q->fifo, struct ioq_op, order);
		if (op->type == IOQ_SYNC)
			rc = bio_dev_fdatasync(op->dev);
		else
			rc = bio_dev_xfer(op->dev, op->type == IOQ_WRITE, op->off, op->buf,
					  op->len);
		if (rc == 0 && op->dsync)
			rc = bio_dev_fdatasync(op->dev);
		ioq_complete(q, op, rc);
	}
}

/* Run the callbacks of completed operations; returns how many ran. */
static int
ioq_run_callbacks(struct bio_ioq *q)
{
	struct ioq_op *op;
	bio_io_fn fn;
	void *arg;
	int status;
	int nr = 0;
	struct ioq_post *p;

	/* Posted callbacks first: they were queued before anything completing now. */
	while ((p = d_list_pop_entry(&q->posted, struct ioq_post, link)) != NULL) {
		q->nr_posted--;
		p->fn(p->arg, 0);
		d_free(p);
		nr++;
	}
	while (!d_list_empty(&q->done)) {
		op = d_list_first_entry(&q->done, struct ioq_op, link);
		fn = op->fn;
		arg = op->arg;
		status = op->status;
		/* Free the slot first: the callback may queue more. */
		d_list_unlink(&op->link);
		d_list_add(&op->link, &q->free);
		q->nr_busy--;
		fn(arg, status);
		nr++;
	}
	return nr;
}

static int
ioq_submit(struct bio_ioq *q)
{
	int rc;

	if (io_uring_sq_ready(&q->ring) == 0)
		return 0;
	do {
		rc = io_uring_submit(&q->ring);
	} while (rc == -EINTR);
	/* -EAGAIN/-EBUSY: the kernel is short of resources; what is left goes next time. */
	if (rc < 0 && rc != -EAGAIN && rc != -EBUSY) {
		D_ERROR("could not submit to io_uring: %s", strerror(-rc));
		return -DER_IO;
	}
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to @timeout_ms (negative: no limit) for a CQE. 0, or -DER_TIMEDOUT. */
static int
ioq_wait(struct bio_ioq *q, int timeout_ms)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts;
	int rc;

	/*
	 * The kernel refused some SQEs for now (-EAGAIN): waiting for a CQE could wait for
	 * ever if nothing else is in flight, so come back to submit them shortly.
	 */
	if (io_uring_sq_ready(&q->ring) > 0) {
		usleep(1000);
		return 0;
	}
	if (timeout_ms < 0) {
		rc = io_uring_wait_cqe(&q->ring, &cqe);
	} else {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000;
		rc = io_uring_wait_cqe_timeout(&q->ring, &cqe, &ts);
	}
	if (rc == -ETIME)
		return -DER_TIMEDOUT;
	if (rc < 0 && rc != -EINTR) {
		D_ERROR("could not wait for io_uring completions: %s", strerror(-rc));
		return -DER_IO;
	}
	return 0;
}

int
bio_ioq_poll(struct bio_ioq *q, int timeout_ms)
{
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	int64_t left;
	int nr;
	int rc;

	/*
	 * The eventfd is read only when something may have made it readable: a poll per
	 * turn of a busy event loop must not cost a system call when there is nothing.
	 */
	if (q->efd_pending || q->nr_kernel > 0) {
		q->efd_pending = false;
		ioq_drain_eventfd(q);
	}
	if (!q->uring) {
		ioq_run_sync(q);
		return ioq_run_callbacks(q);
	}

	for (;;) {
		rc = ioq_submit(q);
		if (rc != 0)
			return rc;
		ioq_reap(q);
		/* Resubmissions and released syncs are prepared by reaping: submit them. */
		rc = ioq_submit(q);
		if (rc != 0)
			return rc;
		nr = ioq_run_callbacks(q);
		if (nr > 0 || timeout_ms == 0 || q->nr_kernel == 0)
			return nr;

		left = -1;
		if (timeout_ms > 0) {
			left = deadline - now_ms();
			if (left <= 0)
				return 0;
		}
		rc = ioq_wait(q, (int)left);
		if (rc == -DER_TIMEDOUT)
			return 0;
		if (rc != 0)
			return rc;
	}
}

/* Take a free slot for a new operation, polling until one is free. */
static struct ioq_op *
ioq_op_get(struct bio_ioq *q)
{
	struct ioq_op *op;
	int rc;

	while (d_list_empty(&q->free)) {
		rc = bio_ioq_poll(q, -1);
		/* Submission failures are transient or fatal bugs; do not spin hot. */
		if (rc < 0)
			usleep(1000);
	}
	op = d_list_first_entry(&q->free, struct ioq_op, link);
	d_list_unlink(&op->link);
	q->nr_busy++;
	return op;
}

/* Queue @op (filled in) for the next poll. */
static void
ioq_queue(struct bio_ioq *q, struct ioq_op *op)
{
	op->done = 0;
	op->held = false;
	op->status = 0;
	d_list_add_tail(&op->order, &q->fifo);

	/* An operation counts for bio_fail_nth() when it is queued, in either mode. */
	if (bio_io_should_fail()) {
		D_DEBUG(DB_IO, "injected failure of a queued operation on %s", op->dev->path);
		ioq_complete(q, op, -DER_IO);
		return;
	}
	if (!q->uring) {
		/* Ready to run: wake the event loop so that it polls. */
		return;
	}
	if (op->dev->mem) {
		/*
		 * tmpfs/ramfs: the transfer is a memory copy and their sync has nothing to
		 * wait for, while io_uring would hand each to a kernel worker thread (a
		 * wake-up and a context switch each). Done now; the callback still runs
		 * from the next poll. Writes of such a device never wait in q->fifo, so
		 * a sync of it covers them all.
		 */
		/* the page cache is the medium: a sync has nothing to do (tmpfs's is empty) */
		int rc = op->type == IOQ_SYNC ? 0
					      : bio_dev_xfer(op->dev, op->type == IOQ_WRITE,
							     op->off, op->buf, op->len);

		ioq_complete(q, op, rc);
		return;
	}
	if (op->type != IOQ_SYNC && op->len == 0) {
		ioq_complete(q, op, 0);
		return;
	}
	if (op->type == IOQ_SYNC) {
		struct ioq_op *prev;

		/* Hold it if a write queued before it is not complete. */
		d_list_for_each_entry(prev, &q->fifo, order) {
			if (prev == op)
				break;
			if (prev->type == IOQ_WRITE) {
				op->held = true;
				q->nr_held++;
				return;
			}
		}
	}
	ioq_prep(q, op);
}

static int
ioq_xfer(struct bio_ioq *q, enum ioq_op_type type, bool dsync, struct bio_blob *blob, uint64_t off,
	 char *buf, size_t len, bio_io_fn fn, void *arg)
{
	struct ioq_op *op;

	if (!bio_blob_has_range(blob, off, len))
		return -DER_INVAL;
	op = ioq_op_get(q);
	op->type = type;
	op->dsync = dsync;
	if (type == IOQ_WRITE) {
		q->st.writes++;
		q->st.dsync_writes += dsync;
	}
	op->dev = blob->dev;
	op->fn = fn;
	op->arg = arg;
	op->buf = buf;
	op->off = blob->off + off;
	op->len = len;
	ioq_queue(q, op);
	return 0;
}

int
bio_ioq_read(struct bio_ioq *q, struct bio_blob *blob, uint64_t off, void *buf, size_t len,
	     bio_io_fn fn, void *arg)
{
	return ioq_xfer(q, IOQ_READ, false, blob, off, buf, len, fn, arg);
}

int
bio_ioq_write(struct bio_ioq *q, struct bio_blob *blob, uint64_t off, const void *buf, size_t len,
	      bio_io_fn fn, void *arg)
{
	return ioq_xfer(q, IOQ_WRITE, false, blob, off, (char *)(uintptr_t)buf, len, fn, arg);
}

int
bio_ioq_write_durable(struct bio_ioq *q, struct bio_blob *blob, uint64_t off, const void *buf,
		      size_t len, bio_io_fn fn, void *arg)
{
	return ioq_xfer(q, IOQ_WRITE, true, blob, off, (char *)(uintptr_t)buf, len, fn, arg);
}

int
bio_ioq_sync(struct bio_ioq *q, struct bio_blob *blob, bio_io_fn fn, void *arg)
{
	struct ioq_op *op = ioq_op_get(q);

	op->type = IOQ_SYNC;
	op->dsync = false;
	q->st.syncs++;
	op->dev = blob->dev;
	op->fn = fn;
	op->arg = arg;
	op->buf = NULL;
	op->off = 0;
	op->len = 0;
	ioq_queue(q, op);
	return 0;
}

unsigned int
bio_ioq_inflight(const struct bio_ioq *q)
{
	return q->nr_busy + q->nr_posted;
}

bool
bio_ioq_ready(const struct bio_ioq *q)
{
	return !d_list_empty(&q->done) || q->nr_posted > 0 ||
	       (!q->uring && !d_list_empty(&q->fifo));
}

void
bio_ioq_stat(const struct bio_ioq *q, struct bio_ioq_stat *st)
{
	*st = q->st;
}

int
bio_ioq_eventfd(const struct bio_ioq *q)
{
	return q->efd;
}

void
bio_ioq_destroy(struct bio_ioq *q)
{
	if (q == NULL)
		return;
	while (q->nr_busy > 0 || q->nr_posted > 0) {
		if (bio_ioq_poll(q, q->nr_busy > 0 ? -1 : 0) < 0)
			usleep(1000);
	}
	if (q->uring)
		io_uring_queue_exit(&q->ring);
	close(q->efd);
	d_free(q->ops);
	d_free(q);
}

int
bio_ioq_post(struct bio_ioq *q, bio_io_fn fn, void *arg)
{
	struct ioq_post *p = d_malloc(sizeof(*p));

	if (p == NULL)
		return -DER_NOMEM;
	p->fn = fn;
	p->arg = arg;
	d_list_add_tail(&p->link, &q->posted);
	q->nr_posted++;
	return 0;
}
