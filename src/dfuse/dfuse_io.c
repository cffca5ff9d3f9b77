/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_io.c - the data path: read and write go to libdfs with a DAOS event, so the FUSE
 * thread that received the request returns to the kernel at once, and the reply is sent
 * by the thread progressing that event's queue when the I/O completes. There are
 * --eq-count queues, each with one such thread; requests are spread over them in turn.
 *
 * The write data FUSE hands us lives in the worker's receive buffer: the request takes
 * that buffer (the worker receives its next request into a new one, see
 * dfuse_request_buf_take) or, for small writes (and libfuse after 3.16), copies the data.
 * A request whose submission fails (the event never launched) is answered at once by the submitting
 * thread.
 *
 * The queue's thread polls only while an event it launched is in flight, and otherwise
 * sleeps on a condition variable. A poll holds the EQ's lock for slices of up to 10 ms,
 * and a launch needs that lock: with one request at a time (sequential I/O), a thread
 * polling an empty queue made every launch wait one slice or more (pthread mutexes are
 * not fair), and dfuse moved 13-20 MB/s where libdfs moves 400-700 (bench/README.md).
 *
 * Durability: a write is acknowledged only once DAOS has acknowledged it, so fsync has
 * nothing left to wait for (DAOS updates are durable when they complete).
 */
#define D_LOGFAC DD_FAC(dfuse)

#include <errno.h>
#include <time.h>

#include "dfuse/dfuse_daemon.h"

/* Writes from this size on keep their FUSE request buffer instead of a copy. */
#define DFUSE_TAKE_MIN (64 * 1024)

/* One read or write in flight. */
struct dfuse_ev {
	daos_event_t ev; /* must stay first: the poller gets &ev back */
	fuse_req_t req;
	bool is_read;
	size_t size;
	daos_size_t read_size; /* set by libdfs on completion */
	d_iov_t iov;
	d_sg_list_t sgl;
	char *buf;
	void *req_mem; /* the FUSE request buffer buf points into (write), or NULL */
};

double
dfuse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
ev_free(struct dfuse_ev *dev)
{
	if (dev->req_mem != NULL)
		dfuse_request_buf_give(dev->req_mem);
	else
		d_free(dev->buf);
	d_free(dev);
}

/* Send the reply of a completed I/O; runs on an EQ thread. */
static void
ev_complete(struct dfuse_ev *dev)
{
	int rc = dev->ev.ev_error;

	/* libdfs completes with a positive errno; a DER code would mean libdaos spoke. */
	if (rc < 0)
		rc = daos_der2errno(rc);
	if (rc != 0)
		fuse_reply_err(dev->req, rc);
	else if (dev->is_read)
		fuse_reply_buf(dev->req, dev->buf, dev->read_size);
	else
		fuse_reply_write(dev->req, dev->size);
	daos_event_fini(&dev->ev);
	ev_free(dev);
}

static void *
eq_thread(void *arg)
{
	struct dfuse_eq *eq = arg;
	daos_event_t *evs[32];
	int n, i;

	for (;;) {
		/* Nothing in flight: leave the EQ's lock to the launches. */
		pthread_mutex_lock(&eq->lock);
		while (eq->nr_inflight <= 0 && atomic_load(&eq->started))
			pthread_cond_wait(&eq->cond, &eq->lock);
		/* Stop once told to and nothing is left in flight. */
		if (eq->nr_inflight <= 0) {
			pthread_mutex_unlock(&eq->lock);
			break;
		}
		pthread_mutex_unlock(&eq->lock);
		/* 10 ms slices: launches from FUSE threads get the queue between them. */
		n = daos_eq_poll(eq->eqh, 0, 10 * 1000, ARRAY_SIZE(evs), evs);
		if (n < 0) {
			D_ERROR("event queue poll failed: " DF_RC, DP_RC(n));
			break;
		}
		for (i = 0; i < n; i++)
			ev_complete(container_of(evs[i], struct dfuse_ev, ev));
		/* A launch counts itself after it returns: the count may dip below 0 briefly. */
		pthread_mutex_lock(&eq->lock);
		eq->nr_inflight -= n;
		pthread_mutex_unlock(&eq->lock);
	}
	return NULL;
}

int
dfuse_eqs_start(struct dfuse_info *info, int nr_eqs)
{
	int i, rc;

	info->eqs = d_calloc((size_t)nr_eqs, sizeof(*info->eqs));
	if (info->eqs == NULL)
		return -DER_NOMEM;
	for (i = 0; i < nr_eqs; i++) {
		struct dfuse_eq *eq = &info->eqs[i];

		rc = daos_eq_create(&eq->eqh);
		if (rc != 0)
			goto out_stop;
		pthread_mutex_init(&eq->lock, NULL);
		pthread_cond_init(&eq->cond, NULL);
		eq->started = true;
		rc = pthread_create(&eq->thread, NULL, eq_thread, eq);
		if (rc != 0) {
			eq->started = false;
			pthread_cond_destroy(&eq->cond);
			pthread_mutex_destroy(&eq->lock);
			daos_eq_destroy(eq->eqh, DAOS_EQ_DESTROY_FORCE);
			rc = -DER_NOMEM;
			goto out_stop;
		}
		info->nr_eqs++;
	}
	return 0;

out_stop:
	dfuse_eqs_stop(info);
	return rc;
}

void
dfuse_eqs_stop(struct dfuse_info *info)
{
	int i;

	/* The FUSE threads are gone: nothing launches any more; drain what is in flight. */
	for (i = 0; i < info->nr_eqs; i++) {
		struct dfuse_eq *eq = &info->eqs[i];

		pthread_mutex_lock(&eq->lock);
		eq->started = false;
		pthread_cond_signal(&eq->cond);
		pthread_mutex_unlock(&eq->lock);
		pthread_join(eq->thread, NULL);
		daos_eq_destroy(eq->eqh, DAOS_EQ_DESTROY_FORCE);
		pthread_cond_destroy(&eq->cond);
		pthread_mutex_destroy(&eq->lock);
	}
	d_free(info->eqs);
	info->eqs = NULL;
	info->nr_eqs = 0;
}

static struct dfuse_eq *
pick_eq(struct dfuse_info *info)
{
	unsigned int i = atomic_fetch_add(&info->eq_next, 1);

	return &info->eqs[i % (unsigned int)info->nr_eqs];
}

/* Submit @dev; on a submission failure answer the request here. */
static void
ev_submit(struct dfuse_info *info, struct dfuse_fh *fh, struct dfuse_ev *dev, off_t off)
{
	struct dfuse_eq *eq = pick_eq(info);
	dfs_t *dfs = dfuse_ie_cont(fh->ie)->dfs;
	int rc;

	d_iov_set(&dev->iov, dev->buf, dev->size);
	dev->sgl.sg_nr = 1;
	dev->sgl.sg_iovs = &dev->iov;
	rc = daos_event_init(&dev->ev, eq->eqh, NULL);
	if (rc != 0) {
		fuse_reply_err(dev->req, daos_der2errno(rc));
		ev_free(dev);
		return;
	}
	if (dev->is_read)
		rc = dfs_read(dfs, fh->obj, &dev->sgl, (daos_off_t)off, &dev->read_size, &dev->ev);
	else
		rc = dfs_write(dfs, fh->obj, &dev->sgl, (daos_off_t)off, &dev->ev);
	if (rc != 0) {
		/* Not launched: the event will never complete. */
		fuse_reply_err(dev->req, rc);
		daos_event_fini(&dev->ev);
		ev_free(dev);
		return;
	}
	/* Counted once launched, so the poller never holds the lock a launch waits for. */
	pthread_mutex_lock(&eq->lock);
	if (eq->nr_inflight++ == 0)
		pthread_cond_signal(&eq->cond);
	pthread_mutex_unlock(&eq->lock);
}

void
dfuse_io_read(fuse_req_t req, struct dfuse_info *info, struct dfuse_fh *fh, size_t size, off_t off)
{
	struct dfuse_ev *dev;

	if (size == 0) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	dev = d_calloc(1, sizeof(*dev));
	if (dev != NULL)
		dev->buf = d_malloc(size);
	if (dev == NULL || dev->buf == NULL) {
		d_free(dev);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	dev->req = req;
	dev->is_read = true;
	dev->size = size;
	ev_submit(info, fh, dev, off);
}

void
dfuse_io_write(fuse_req_t req, struct dfuse_info *info, struct dfuse_fh *fh, const char *buf,
	       size_t size, off_t off)
{
	struct dfuse_ev *dev;

	if (size == 0) {
		fuse_reply_write(req, 0);
		return;
	}
	dev = d_calloc(1, sizeof(*dev));
	if (dev == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/*
	 * A large write keeps the request's own buffer when the worker can do without it
	 * (no copy of each MiB); a small one is copied, so that writes in flight hold
	 * memory in proportion to their data.
	 */
	if (size >= DFUSE_TAKE_MIN)
		dev->req_mem = dfuse_request_buf_take(buf);
	if (dev->req_mem != NULL) {
		dev->buf = (char *)buf;
	} else {
		dev->buf = d_malloc(size);
		if (dev->buf == NULL) {
			d_free(dev);
			fuse_reply_err(req, ENOMEM);
			return;
		}
		memcpy(dev->buf, buf, size);
	}
	dev->req = req;
	dev->size = size;
	ev_submit(info, fh, dev, off);
}
