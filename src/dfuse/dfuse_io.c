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
 * The worker helps: when a request launches I/O on a queue with nothing else in flight,
 * the FUSE worker that received it polls the queue itself once the request's callback
 * has returned (dfuse_io_help), and answers it, until another request waits on /dev/fuse
 * or HELP_US pass; then the queue's thread takes over. With one request at a time
 * (an application's sequential I/O) that saves two thread wake-ups per request: the
 * queue's thread, and the worker again for the next request (on two cores, 7-10%). For
 * a transfer of HELP_SLEEP_MIN or more it sleeps meanwhile (daos_eq_poll_fd, woken by
 * the reply or by /dev/fuse) instead of spinning: with the application, this worker and
 * the engine's targets on two cores, a spinner took the core the engine needed (1 MiB
 * writes and reads ~20% faster asleep); a small one is soon done and polls.
 *
 * Durability: a write is acknowledged only once DAOS has acknowledged it, so fsync has
 * nothing left to wait for (DAOS updates are durable when they complete).
 *
 * Chunk reads: when the kernel's readahead stayed at 128 KiB (dfuse is not root, see
 * dfuse_main.c), a cached file is read ahead in 128 KiB requests, one DAOS read each. Then
 * a 128 KiB-aligned request of 128 KiB reads the whole 1 MiB chunk around it from DAOS
 * once, and the chunk's other slots are answered from memory (what DAOS's dfuse calls
 * chunk reads). An inode keeps at most CHUNKS_PER_INODE chunks, under ie->lock; a chunk
 * goes when all its slots were served, when a write or truncation reaches dfuse, or when
 * a handle on the file closes. Requests for a chunk being loaded wait for it.
 */
#define D_LOGFAC DD_FAC(dfuse)

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <time.h>

#include "client/cl_ext.h"
#include "dfuse/dfuse_daemon.h"

/* Writes from this size on keep their FUSE request buffer instead of a copy. */
#define DFUSE_TAKE_MIN (64 * 1024)

/* How long a worker polls for the I/O it launched before the queue's thread takes over. */
#define HELP_US 2000

/* The queue this worker launched on while it was idle, to poll after the callback. */
static __thread struct dfuse_eq *help_eq;
/* It launched a large transfer: wait for it asleep (a small one is soon done: spin). */
static __thread bool help_sleeps;

/* From this size on a helping worker sleeps while the transfer runs. */
#define HELP_SLEEP_MIN (128 * 1024)

#define CHUNK_SIZE (1024 * 1024)
#define CHUNK_SLOT (128 * 1024)
#define CHUNK_ALL ((1u << (CHUNK_SIZE / CHUNK_SLOT)) - 1)
#define CHUNKS_PER_INODE 2
/* At most this many chunks in all (64 MiB); beyond, reads go to DAOS as they come. */
#define CHUNKS_MAX 64

struct chunk_waiter {
	struct chunk_waiter *next;
	fuse_req_t req;
	off_t off;
};

/* 1 MiB of a file, read from DAOS once; refcounted under ie->lock. */
struct dfuse_chunk {
	d_list_t link; /* in the inode's list while listed */
	struct dfuse_info *info;
	struct dfuse_inode *ie; /* one reference while the chunk lives */
	uint64_t idx;           /* offset / CHUNK_SIZE */
	int ref;                /* the list, the load, replies in progress */
	bool listed;
	bool loading;
	int rc;                       /* of the load (positive errno) */
	size_t len;                   /* bytes the load found */
	uint32_t served;              /* slots answered (bits) */
	struct chunk_waiter *waiters; /* while loading */
	char *buf;
};

struct dfuse_chunks {
	d_list_t list;
	int nr;
};

/* One read or write in flight. */
struct dfuse_ev {
	daos_event_t ev;           /* must stay first: the poller gets &ev back */
	struct dfuse_chunk *chunk; /* a chunk load: no request of its own */
	struct dfuse_inode *ie;    /* a write with chunk reads on: its chunks go at completion */
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

static void chunk_loaded(struct dfuse_chunk *c, int rc, size_t len);

/* Send the reply of a completed I/O; runs on an EQ thread. */
static void
ev_complete(struct dfuse_ev *dev)
{
	int rc = dev->ev.ev_error;

	/* libdfs completes with a positive errno; a DER code would mean libdaos spoke. */
	if (rc < 0)
		rc = daos_der2errno(rc);
	if (dev->chunk != NULL) {
		chunk_loaded(dev->chunk, rc, rc == 0 ? dev->read_size : 0);
		daos_event_fini(&dev->ev);
		dev->buf = NULL; /* the chunk's */
		ev_free(dev);
		return;
	}
	/* A chunk loaded while this write was in flight may hold the old bytes. */
	if (dev->ie != NULL)
		dfuse_chunks_drop(dev->ie);
	if (rc != 0)
		fuse_reply_err(dev->req, rc);
	else if (dev->is_read)
		fuse_reply_buf(dev->req, dev->buf, dev->read_size);
	else
		fuse_reply_write(dev->req, dev->size);
	daos_event_fini(&dev->ev);
	ev_free(dev);
}

/*
 * Poll @eq up to @timeout us, answer what completed; *idle: nothing left in flight. With
 * @fd >= 0 the wait sleeps at once and ends when @fd is readable (daos_eq_poll_fd). The
 * number reaped, or a negative DER code (logged).
 */
static int
eq_reap(struct dfuse_eq *eq, int64_t timeout, int fd, bool *idle)
{
	daos_event_t *evs[32];
	int n, i;

	n = fd >= 0 ? daos_eq_poll_fd(eq->eqh, fd, timeout, ARRAY_SIZE(evs), evs)
		    : daos_eq_poll(eq->eqh, 0, timeout, ARRAY_SIZE(evs), evs);
	if (n < 0) {
		D_ERROR("event queue poll failed: " DF_RC, DP_RC(n));
		return n;
	}
	for (i = 0; i < n; i++)
		ev_complete(container_of(evs[i], struct dfuse_ev, ev));
	/* A launch counts itself after it returns: the count may dip below 0 briefly. */
	pthread_mutex_lock(&eq->lock);
	eq->nr_inflight -= n;
	if (idle != NULL)
		*idle = eq->nr_inflight <= 0;
	pthread_mutex_unlock(&eq->lock);
	return n;
}

static void *
eq_thread(void *arg)
{
	struct dfuse_eq *eq = arg;

	for (;;) {
		/* Nothing in flight (or a worker polls): leave the EQ's lock to the others. */
		pthread_mutex_lock(&eq->lock);
		while ((eq->nr_inflight <= 0 || eq->helping > 0) && atomic_load(&eq->started))
			pthread_cond_wait(&eq->cond, &eq->lock);
		/* Stop once told to and nothing is left in flight. */
		if (eq->nr_inflight <= 0) {
			pthread_mutex_unlock(&eq->lock);
			break;
		}
		pthread_mutex_unlock(&eq->lock);
		/* 10 ms slices: launches from FUSE threads get the queue between them. */
		if (eq_reap(eq, 10 * 1000, -1, NULL) < 0)
			break;
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

void
dfuse_io_help(int fuse_fd)
{
	struct dfuse_eq *eq = help_eq;
	double deadline;

	if (eq == NULL)
		return;
	help_eq = NULL;
	deadline = dfuse_now() + HELP_US / 1e6;
	for (;;) {
		struct pollfd pfd = { .fd = fuse_fd, .events = POLLIN };
		double left = deadline - dfuse_now();
		bool idle;

		/*
		 * A large transfer: sleep until it completes or a request arrives (spinning
		 * took the core the engine needed on two cores: 1 MiB writes 20% slower). A
		 * small one: poll, yielding the core each turn (4 KiB reads at depth 16 were
		 * 6% slower asleep).
		 */
		if (left <= 0 || eq_reap(eq, help_sleeps ? (int64_t)(left * 1e6) : DAOS_EQ_NOWAIT,
					 help_sleeps ? fuse_fd : -1, &idle) < 0)
			break;
		/* Done; or another request waits for this worker. */
		if (idle || poll(&pfd, 1, 0) > 0)
			break;
		if (!help_sleeps)
			sched_yield();
	}
	pthread_mutex_lock(&eq->lock);
	if (--eq->helping == 0 && eq->nr_inflight > 0)
		pthread_cond_signal(&eq->cond);
	pthread_mutex_unlock(&eq->lock);
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
	/* Read before the launch: another poller may complete and free @dev at once. */
	bool big = dev->size >= HELP_SLEEP_MIN;
	int rc;

	d_iov_set(&dev->iov, dev->buf, dev->size);
	dev->sgl.sg_nr = 1;
	dev->sgl.sg_iovs = &dev->iov;
	rc = daos_event_init(&dev->ev, eq->eqh, NULL);
	if (rc != 0) {
		rc = daos_der2errno(rc);
		goto failed;
	}
	if (dev->is_read)
		rc = dfs_read(dfs, fh->obj, &dev->sgl, (daos_off_t)off, &dev->read_size, &dev->ev);
	else
		rc = dfs_write(dfs, fh->obj, &dev->sgl, (daos_off_t)off, &dev->ev);
	if (rc != 0) {
		/* Not launched: the event will never complete. */
		daos_event_fini(&dev->ev);
		goto failed;
	}
	/*
	 * Counted once launched, so the poller never holds the lock a launch waits for. A
	 * FUSE worker launching on an idle queue polls it itself (dfuse_io_help).
	 */
	pthread_mutex_lock(&eq->lock);
	if (help_eq == eq) {
		eq->nr_inflight++;
	} else if (eq->nr_inflight == 0 && eq->helping == 0 && help_eq == NULL &&
		   dfuse_is_worker()) {
		eq->nr_inflight++;
		eq->helping++;
		help_eq = eq;
		help_sleeps = big;
	} else if (eq->nr_inflight++ == 0 && eq->helping == 0) {
		pthread_cond_signal(&eq->cond);
	}
	pthread_mutex_unlock(&eq->lock);
	return;

failed:
	if (dev->chunk != NULL) {
		chunk_loaded(dev->chunk, rc, 0);
		dev->buf = NULL;
	} else {
		fuse_reply_err(dev->req, rc);
	}
	ev_free(dev);
}

/* ---- chunk reads ---- */

/* Drop one reference (ie->lock held); true if the caller must free @c after unlocking. */
static bool
chunk_unref(struct dfuse_chunk *c)
{
	return --c->ref == 0;
}

static void
chunk_free(struct dfuse_chunk *c)
{
	atomic_fetch_sub(&c->info->nr_chunks, 1);
	dfuse_itable_put(&c->info->itable, c->ie);
	d_free(c->buf);
	d_free(c);
}

/* Take @c off its inode's list (ie->lock held); true if it must be freed. */
static bool
chunk_unlist(struct dfuse_chunk *c)
{
	struct dfuse_chunks *cs = c->ie->chunks;

	if (!c->listed)
		return false;
	d_list_del(&c->link);
	c->listed = false;
	cs->nr--;
	return chunk_unref(c);
}

/* Answer a read of CHUNK_SLOT at @off from loaded chunk @c (no lock: @c is referenced). */
static void
chunk_reply(struct dfuse_chunk *c, fuse_req_t req, off_t off)
{
	size_t rel = (size_t)(off - (off_t)(c->idx * CHUNK_SIZE));
	size_t n = rel < c->len ? D_MIN((size_t)CHUNK_SLOT, c->len - rel) : 0;

	if (c->rc != 0)
		fuse_reply_err(req, c->rc);
	else
		fuse_reply_buf(req, c->buf + rel, n);
}

/* Mark the slot of @off served (ie->lock held); a fully served chunk leaves the list. */
static bool
chunk_served(struct dfuse_chunk *c, off_t off)
{
	c->served |= 1u << ((size_t)(off - (off_t)(c->idx * CHUNK_SIZE)) / CHUNK_SLOT);
	if (c->served == CHUNK_ALL || c->rc != 0)
		return chunk_unlist(c);
	return false;
}

/* The load of @c completed (or failed to start): answer its waiters. */
static void
chunk_loaded(struct dfuse_chunk *c, int rc, size_t len)
{
	struct dfuse_inode *ie = c->ie;
	struct chunk_waiter *w, *next;
	size_t slot;
	bool dead = false;

	pthread_mutex_lock(&ie->lock);
	c->loading = false;
	c->rc = rc;
	c->len = len;
	/* Slots past the end of the file will not be asked for. */
	for (slot = (len + CHUNK_SLOT - 1) / CHUNK_SLOT; slot < CHUNK_SIZE / CHUNK_SLOT; slot++)
		c->served |= 1u << slot;
	w = c->waiters;
	c->waiters = NULL;
	pthread_mutex_unlock(&ie->lock);
	/* The load's reference keeps @c while the waiters are answered. */
	for (; w != NULL; w = next) {
		next = w->next;
		chunk_reply(c, w->req, w->off);
		pthread_mutex_lock(&ie->lock);
		dead |= chunk_served(c, w->off);
		pthread_mutex_unlock(&ie->lock);
		d_free(w);
	}
	pthread_mutex_lock(&ie->lock);
	if (c->listed && c->served == CHUNK_ALL)
		dead |= chunk_unlist(c);
	dead |= chunk_unref(c);
	pthread_mutex_unlock(&ie->lock);
	if (dead)
		chunk_free(c);
}

/*
 * A read that chunk reads serve: answered (or queued) and true; false if the caller is to
 * read it plainly (not a slot-sized aligned read, or no memory).
 */
static bool
chunk_read(fuse_req_t req, struct dfuse_info *info, struct dfuse_fh *fh, size_t size, off_t off)
{
	struct dfuse_inode *ie = fh->ie;
	uint64_t idx = (uint64_t)off / CHUNK_SIZE;
	struct dfuse_chunks *cs;
	struct dfuse_chunk *c, *old = NULL;
	struct chunk_waiter *w;
	struct dfuse_ev *dev;
	bool dead = false;

	if (!fh->cached || size != CHUNK_SLOT || off % CHUNK_SLOT != 0 ||
	    !atomic_load(&info->chunk_reads))
		return false;
	w = d_calloc(1, sizeof(*w));
	if (w == NULL)
		return false;
	w->req = req;
	w->off = off;
	pthread_mutex_lock(&ie->lock);
	cs = ie->chunks;
	if (cs == NULL) {
		cs = d_calloc(1, sizeof(*cs));
		if (cs == NULL)
			goto plain;
		D_INIT_LIST_HEAD(&cs->list);
		ie->chunks = cs;
	}
	d_list_for_each_entry(c, &cs->list, link) {
		if (c->idx != idx)
			continue;
		if (c->loading) {
			w->next = c->waiters;
			c->waiters = w;
			pthread_mutex_unlock(&ie->lock);
			return true;
		}
		c->ref++;
		pthread_mutex_unlock(&ie->lock);
		d_free(w);
		chunk_reply(c, req, off);
		pthread_mutex_lock(&ie->lock);
		dead = chunk_served(c, off);
		dead |= chunk_unref(c);
		pthread_mutex_unlock(&ie->lock);
		if (dead)
			chunk_free(c);
		return true;
	}
	/* A new chunk: make room by the oldest that is not loading. */
	if (cs->nr >= CHUNKS_PER_INODE) {
		d_list_for_each_entry(c, &cs->list, link) {
			if (!c->loading) {
				old = c;
				break;
			}
		}
		if (old == NULL)
			goto plain;
		dead = chunk_unlist(old);
	}
	if (atomic_fetch_add(&info->nr_chunks, 1) >= CHUNKS_MAX) {
		atomic_fetch_sub(&info->nr_chunks, 1);
		goto plain;
	}
	c = d_calloc(1, sizeof(*c));
	dev = d_calloc(1, sizeof(*dev));
	if (c != NULL) {
		c->buf = d_malloc(CHUNK_SIZE);
		/* The open handle holds one too: the inode is in the table. */
		c->ie = dfuse_itable_get(&info->itable, ie->ino);
	}
	if (c == NULL || c->buf == NULL || c->ie == NULL || dev == NULL) {
		if (c != NULL) {
			if (c->ie != NULL)
				dfuse_itable_put(&info->itable, c->ie);
			d_free(c->buf);
		}
		d_free(c);
		d_free(dev);
		atomic_fetch_sub(&info->nr_chunks, 1);
		goto plain;
	}
	c->info = info;
	c->idx = idx;
	c->ref = 2; /* the list and the load */
	c->listed = true;
	c->loading = true;
	c->waiters = w;
	d_list_add_tail(&c->link, &cs->list);
	cs->nr++;
	pthread_mutex_unlock(&ie->lock);
	if (dead)
		chunk_free(old);
	dev->chunk = c;
	dev->is_read = true;
	dev->buf = c->buf;
	dev->size = CHUNK_SIZE;
	ev_submit(info, fh, dev, (off_t)(idx * CHUNK_SIZE));
	return true;

plain:
	pthread_mutex_unlock(&ie->lock);
	if (dead)
		chunk_free(old);
	d_free(w);
	return false;
}

void
dfuse_chunks_drop(struct dfuse_inode *ie)
{
	struct dfuse_chunk *c, *tmp, *gone[CHUNKS_PER_INODE];
	struct dfuse_chunks *cs;
	int nr = 0, i;

	pthread_mutex_lock(&ie->lock);
	cs = ie->chunks;
	if (cs != NULL) {
		d_list_for_each_entry_safe(c, tmp, &cs->list, link) {
			if (chunk_unlist(c) && nr < CHUNKS_PER_INODE)
				gone[nr++] = c;
		}
	}
	pthread_mutex_unlock(&ie->lock);
	for (i = 0; i < nr; i++)
		chunk_free(gone[i]);
}

void
dfuse_chunks_fini(struct dfuse_inode *ie)
{
	/* Every chunk holds a reference on its inode: none is left when it goes. */
	d_free(ie->chunks);
	ie->chunks = NULL;
}

void
dfuse_io_read(fuse_req_t req, struct dfuse_info *info, struct dfuse_fh *fh, size_t size, off_t off)
{
	struct dfuse_ev *dev;

	if (size == 0) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (chunk_read(req, info, fh, size, off))
		return;
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
	 * Read chunks of the inode go when the write completes: that covers chunks loaded
	 * before it and while it was in flight. The handle (and so the inode) outlives the
	 * write: the kernel releases it after.
	 */
	if (atomic_load(&info->chunk_reads))
		dev->ie = fh->ie;
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
