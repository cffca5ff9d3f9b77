/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_obj.c - the object RPCs on a target: update, fetch, punch, enumerate, query
 * key (bodies in rpc/rpc.h; design in docs/design/engine-io.md).
 *
 * Every handler runs on its target's thread and never blocks. A request is decoded
 * (-DER_PROTO for a body that does not decode), its handle is checked (engine_hdl.c:
 * possibly after asking the pool service), then it runs as a chain of continuations:
 *
 *   update  inline data: open or create the VOS container -> vos_obj_update from the
 *           body. Bulk data: open or create the container -> vos_update_begin (room in
 *           the pool: on a memory device the data blob's own pages) -> pull the bulk
 *           segments straight into that room -> check the handle again ->
 *           vos_update_end. Either way, answer with the epoch once VOS says the update
 *           is durable.
 *   fetch   size-only iods are resolved first (VOS with no room: sizes, nothing read) ->
 *           vos_obj_fetch of the others into one buffer, with their extent maps (again
 *           with larger maps if they overflowed) -> answer inline, or push the present
 *           extents to the client's buffers and answer. -DER_REC2BIG: every iod's size.
 *   punch, enumerate (keys, extents, or the container's objects), query key: one VOS
 *           call each.
 *
 * Epoch 0 means "now": d_hlc_get() when the request reaches VOS. A target without the
 * container answers reads with "nothing there" (sizes 0, empty lists, -DER_NONEXIST for
 * query key) and creates it on the first update.
 *
 * Layout of a fetch: iod i's room starts at lbase in our buffer and at cbase (the sum
 * of the caps before it) in the client's; VOS writes the records of the recxs one after
 * the other, skipping holes; the extents present (VOS's iom, sorted and merged here)
 * say which byte ranges hold data, and only those are pushed or shown.
 */
#define D_LOGFAC DD_FAC(object)

#include <gurt/common.h>
#include <gurt/hlc.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/freelist.h"
#include "common/sort.h"
#include "engine/engine_tgt.h"

/* The conditions VOS takes (DAOS_COND_* == VOS_COND_*). */
#define COND_MASK 0xffu
/* First guess of the extents an array iod's map needs, per recx asked. */
#define IOM_GUESS 4

_Static_assert(sizeof(struct vos_anchor) == RPC_ANCHOR_SIZE, "anchors travel as they are");
_Static_assert(VOS_COND_PER_AKEY == DAOS_COND_PER_AKEY && VOS_COND_PUNCH == DAOS_COND_PUNCH,
	       "condition flags are DAOS's");
_Static_assert((int)VOS_IOD_SINGLE == (int)DAOS_IOD_SINGLE &&
		       (int)VOS_IOD_ARRAY == (int)DAOS_IOD_ARRAY,
	       "iod types are DAOS's");

static struct vos_oid
hdr_oid(const struct rpc_obj_hdr *hdr)
{
	struct vos_oid oid = { .lo = hdr->oid.lo, .hi = hdr->oid.hi, .shard = hdr->shard };

	return oid;
}

static uint64_t
hdr_epoch(const struct rpc_obj_hdr *hdr)
{
	return hdr->epoch != 0 ? hdr->epoch : d_hlc_get();
}

static void
req_init(struct tgt_req *req, struct net_rpc *rpc, const struct rpc_obj_hdr *hdr, bool write,
	 tgt_resume_fn resume, void (*free_fn)(struct tgt_req *))
{
	req->rpc = rpc;
	req->hdr = hdr;
	req->write = write;
	req->resume = resume;
	req->free = free_fn;
}

/* Answer @req with @status and, on success, the epoch it was applied at. */
static void
end_epoch(struct tgt_req *req, int status, uint64_t epoch)
{
	uint8_t body[8];
	struct buf b = BUF_INIT(body, sizeof(body));

	buf_put_u64(&b, epoch);
	tgt_req_end(req, status, body, status == 0 ? sizeof(body) : 0);
}

/* VOS iods for @in's iods, in one allocation with their recxs. */
static int
iods_build(const struct rpc_obj_rw_in *in, struct vos_iod **out)
{
	struct vos_iod *iods;
	struct vos_recx *recxs;
	size_t nr_recxs = 0;
	uint32_t i;
	uint32_t r;

	for (i = 0; i < in->nr; i++)
		nr_recxs += in->iods[i].nr;
	iods = d_calloc(1, in->nr * sizeof(*iods) + nr_recxs * sizeof(*recxs));
	if (iods == NULL)
		return -DER_NOMEM;
	recxs = (struct vos_recx *)(iods + in->nr);
	for (i = 0; i < in->nr; i++) {
		const struct rpc_iod *ri = &in->iods[i];
		struct vos_iod *vi = &iods[i];

		vi->name = ri->name;
		vi->type = (enum vos_iod_type)ri->type;
		vi->size = ri->size;
		vi->flags = ri->flags & COND_MASK;
		vi->nr = ri->nr;
		vi->recxs = ri->nr > 0 ? recxs : NULL;
		for (r = 0; r < ri->nr; r++) {
			recxs[r].idx = ri->recxs[r].rx_idx;
			recxs[r].nr = ri->recxs[r].rx_nr;
		}
		recxs += ri->nr;
	}
	*out = iods;
	return 0;
}

/*
 * The bytes of data iod @iod carries in an update (single: its size; array: size times
 * its records), or -DER_OVERFLOW past RPC_IO_MAX.
 */
static int
iod_bytes(const struct rpc_iod *iod, uint64_t *out)
{
	uint64_t total = 0;
	uint32_t r;

	if (iod->type == DAOS_IOD_SINGLE) {
		if (iod->size > RPC_IO_MAX)
			return -DER_OVERFLOW;
		*out = iod->size;
		return 0;
	}
	for (r = 0; r < iod->nr && iod->size != 0; r++) {
		if (iod->recxs[r].rx_nr > (RPC_IO_MAX - total) / iod->size)
			return -DER_OVERFLOW;
		total += iod->recxs[r].rx_nr * iod->size;
	}
	*out = total;
	return 0;
}

/* ---- update ---- */

/*
 * Bulk buffers kept per target: a 1 MiB buffer from posix_memalign is a fresh mapping
 * each time, so every update paid 256 page faults and the zeroing of a mebibyte (~8%
 * of a target's time under 1 MiB updates). A few buffers of up to BULK_CACHE_MAX are
 * kept for the next request; capacities are rounded up to MiB so they fit again.
 */
#define BULK_CACHE_NR 4
#define BULK_CACHE_MAX (4ull << 20)

struct bulk_buf {
	void *buf;
	uint64_t cap;
};

static __thread struct bulk_buf bulk_cache[BULK_CACHE_NR];
static __thread bool bulk_cache_closed; /* the target stopped: free, do not keep */

/* A buffer of at least @len bytes (aligned); its capacity in *@cap. */
static void *
bulk_buf_get(uint64_t len, uint64_t *cap)
{
	uint64_t want = (len + (1ull << 20) - 1) & ~((1ull << 20) - 1);
	int best = -1;
	int i;

	for (i = 0; i < BULK_CACHE_NR; i++)
		if (bulk_cache[i].buf != NULL && bulk_cache[i].cap >= len &&
		    (best < 0 || bulk_cache[i].cap < bulk_cache[best].cap))
			best = i;
	if (best >= 0) {
		void *buf = bulk_cache[best].buf;

		*cap = bulk_cache[best].cap;
		bulk_cache[best].buf = NULL;
		return buf;
	}
	*cap = want;
	return bio_buf_alloc(want);
}

static void
bulk_buf_put(void *buf, uint64_t cap)
{
	int i;

	if (buf == NULL)
		return;
	if (cap <= BULK_CACHE_MAX && !bulk_cache_closed) {
		for (i = 0; i < BULK_CACHE_NR; i++) {
			if (bulk_cache[i].buf == NULL) {
				bulk_cache[i] = (struct bulk_buf){ .buf = buf, .cap = cap };
				return;
			}
		}
	}
	bio_buf_free(buf);
}

/* Update contexts freed on this target, for the next ones (common/freelist.h). */
static __thread struct d_freelist upd_cache;
#define UPD_CACHE_MAX 64

void
tgt_obj_bufs_flush(void)
{
	int i;

	bulk_cache_closed = true;
	d_freelist_drain(&upd_cache);
	for (i = 0; i < BULK_CACHE_NR; i++) {
		bio_buf_free(bulk_cache[i].buf);
		bulk_cache[i].buf = NULL;
	}
}

struct upd_req {
	struct tgt_req r;
	struct rpc_obj_rw_in in;
	struct vos_iod *iods;
	d_sg_list_t *sgls; /* inline data: one per iod, each over one iov of @iovs */
	d_iov_t *iovs;
	struct vos_upd *vu; /* bulk data: the zero-copy update its segments are pulled into */
	d_list_t zc_link;   /* on tgt->zc_reqs while @vu's transfers run */
	uint64_t zc_start;  /* when they started (eng_now_ms) */
	bool zc_warned;     /* logged as slow */
	uint64_t len;       /* bytes of data */
	uint64_t epoch;
	uint32_t pending; /* pulls in flight, plus one while posting them */
	int status;       /* the first pull error */
};

static void
upd_free(struct tgt_req *req)
{
	struct upd_req *u = container_of(req, struct upd_req, r);

	if (u->vu != NULL)
		vos_update_end(u->vu, -DER_CANCELED, NULL, NULL);
	if (!d_list_empty(&u->zc_link))
		d_list_del_init(&u->zc_link);
	rpc_obj_rw_in_fini(&u->in);
	d_free(u->iods);
	d_free(u->sgls);
	if (bulk_cache_closed)
		d_free(u);
	else
		d_freelist_put(&upd_cache, u, UPD_CACHE_MAX);
}

static void
upd_done(void *arg, int status)
{
	struct upd_req *u = arg;

	end_epoch(&u->r, status, u->epoch);
}

/* Inline data: apply the update from the request body. */
static void
upd_apply(struct upd_req *u)
{
	const struct rpc_obj_hdr *hdr = &u->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	struct vos_cont *vc;
	int rc;

	rc = tgt_cont_get(&u->r, true, &vc);
	if (rc == 0) {
		u->epoch = hdr_epoch(hdr);
		rc = vos_obj_update(vc, &oid, u->epoch, hdr->flags & COND_MASK, &hdr->dkey,
				    u->in.nr, u->iods, u->sgls, upd_done, u);
	}
	if (rc != 0)
		tgt_req_end(&u->r, rc, NULL, 0);
}

/* A transfer of @u ended; after the last, apply the update (the handle may have gone). */
static void
upd_pull_put(struct upd_req *u)
{
	struct vos_upd *vu = u->vu;
	int rc = u->status;

	if (--u->pending > 0)
		return;
	d_list_del_init(&u->zc_link);
	if (vu == NULL) {
		/* orphaned: its pool was closed while the transfers ran (tgt_zc_drain) */
		tgt_req_end(&u->r, rc ?: -DER_NO_HDL, NULL, 0);
		return;
	}
	if (rc == 0)
		rc = tgt_hdl_recheck(u->r.tgt, &u->in.hdr, true);
	u->vu = NULL;
	if (rc != 0) {
		vos_update_end(vu, rc, NULL, NULL);
		tgt_req_end(&u->r, rc, NULL, 0);
		return;
	}
	vos_update_end(vu, 0, upd_done, u);
}

static void
upd_pulled(struct net_rpc *rpc, int status, void *arg)
{
	struct upd_req *u = arg;

	(void)rpc;
	if (status != 0 && u->status == 0)
		u->status = status;
	upd_pull_put(u);
}

/* A position in the room VOS gave: iov @j of iod @i, @off bytes into it. */
struct zc_cursor {
	const d_sg_list_t *sgls;
	uint32_t nr;
	uint32_t i;
	uint32_t j;
	uint64_t off;
};

/* Skip exhausted iovs; false at the end of the room. */
static bool
zc_cursor_settle(struct zc_cursor *c)
{
	while (c->i < c->nr) {
		if (c->j < c->sgls[c->i].sg_nr && c->off < c->sgls[c->i].sg_iovs[c->j].iov_len)
			return true;
		if (c->j < c->sgls[c->i].sg_nr) {
			c->j++;
		} else {
			c->i++;
			c->j = 0;
		}
		c->off = 0;
	}
	return false;
}

/*
 * Where the cursor points, and how many bytes from there are contiguous in memory
 * (adjacent small values share a buffer: one transfer fills them all), at most @max.
 */
static uint8_t *
zc_cursor_run(struct zc_cursor c, uint64_t max, uint64_t *len)
{
	const d_iov_t *iov = &c.sgls[c.i].sg_iovs[c.j];
	uint8_t *start = (uint8_t *)iov->iov_buf + c.off;
	uint8_t *end = (uint8_t *)iov->iov_buf + iov->iov_len;

	c.off = iov->iov_len;
	while ((uint64_t)(end - start) < max && zc_cursor_settle(&c)) {
		iov = &c.sgls[c.i].sg_iovs[c.j];
		if (iov->iov_buf != end)
			break;
		end += iov->iov_len;
		c.off = iov->iov_len;
	}
	*len = D_MIN((uint64_t)(end - start), max);
	return start;
}

/* Move the cursor @n bytes on; with @vu, tell VOS those bytes are in place. */
static void
zc_cursor_advance(struct zc_cursor *c, uint64_t n, struct vos_upd *vu)
{
	while (n > 0 && zc_cursor_settle(c)) {
		uint64_t left = c->sgls[c->i].sg_iovs[c->j].iov_len - c->off;
		uint64_t k = D_MIN(left, n);

		if (vu != NULL)
			vos_update_filled(vu, c->i, c->j, c->off, k);
		c->off += k;
		n -= k;
	}
}

/*
 * From a client on this host the bytes are copied at once, a piece at a time, each
 * checksummed while it is still in the cache (one pass over memory fewer than copying
 * all, then checksumming all).
 */
#define UPD_COPY_PIECE (256 * 1024)

/* Pull every bulk segment straight into the room of u->vu. */
static void
upd_pull(struct upd_req *u)
{
	const struct rpc_data *d = &u->in.data;
	struct zc_cursor c = { .sgls = vos_update_sgls(u->vu), .nr = u->in.nr };
	bool copy = true;
	uint32_t s;

	u->pending = 1;
	for (s = 0; s < d->nr_segs && u->status == 0; s++) {
		uint64_t soff = 0;

		while (soff < d->segs[s].len) {
			uint64_t n;
			uint8_t *dst;
			int rc;

			if (!zc_cursor_settle(&c)) {
				u->status = -DER_PROTO; /* checked before: cannot happen */
				break;
			}
			dst = zc_cursor_run(c, d->segs[s].len - soff, &n);
			if (copy) {
				n = D_MIN(n, UPD_COPY_PIECE);
				rc = net_bulk_copy(u->r.rpc, NET_BULK_GET, &d->segs[s].desc, soff,
						   dst, n);
				if (rc == 0) {
					zc_cursor_advance(&c, n, u->vu);
					soff += n;
					continue;
				}
				copy = false; /* not local, or failed: RMA from here on */
			}
			rc = net_bulk_transfer(u->r.rpc, NET_BULK_GET, &d->segs[s].desc, soff, dst,
					       n, upd_pulled, u);
			if (rc != 0) {
				u->status = rc;
				break;
			}
			u->pending++;
			zc_cursor_advance(&c, n, NULL);
			soff += n;
		}
	}
	upd_pull_put(u);
}

/*
 * Transfers into a pool's room that do not end hold its space and, at pool close, the
 * drain: each one still running after ZC_SLOW_MS is logged once with its client (the
 * client itself gives up after its request timeout). A timer runs while the list is
 * not empty.
 */
#define ZC_SLOW_MS 30000
#define ZC_CHECK_MS 10000

static void
zc_check(void *arg)
{
	struct eng_tgt *tgt = arg;
	uint64_t now = eng_now_ms();
	struct upd_req *u;

	tgt->zc_timer = NULL;
	d_list_for_each_entry(u, &tgt->zc_reqs, zc_link) {
		if (u->zc_warned || now - u->zc_start < ZC_SLOW_MS)
			continue;
		u->zc_warned = true;
		D_WARN("target %u: an update from %s has been pulling its data for %" PRIu64
		       " s (%u transfers left)",
		       tgt->idx, net_rpc_peer_uri(u->r.rpc), (now - u->zc_start) / 1000,
		       u->pending);
	}
	if (!d_list_empty(&tgt->zc_reqs) && !tgt->stopped)
		eng_timer_add(tgt->xs, ZC_CHECK_MS, zc_check, tgt, &tgt->zc_timer);
}

void
tgt_zc_watch_stop(struct eng_tgt *tgt)
{
	if (tgt->zc_timer != NULL)
		eng_timer_cancel(tgt->xs, tgt->zc_timer);
	tgt->zc_timer = NULL;
}

/* Bulk data: begin a zero-copy update, then pull the data into its room. */
static int
upd_begin(struct upd_req *u)
{
	const struct rpc_obj_hdr *hdr = &u->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	struct vos_cont *vc;
	int rc;

	rc = tgt_cont_get(&u->r, true, &vc);
	if (rc != 0)
		return rc;
	u->epoch = hdr_epoch(hdr);
	rc = vos_update_begin(vc, &oid, u->epoch, hdr->flags & COND_MASK, &hdr->dkey, u->in.nr,
			      u->iods, &u->vu);
	if (rc != 0)
		return rc;
	u->zc_start = eng_now_ms();
	d_list_add_tail(&u->zc_link, &u->r.tgt->zc_reqs);
	if (u->r.tgt->zc_timer == NULL)
		eng_timer_add(u->r.tgt->xs, ZC_CHECK_MS, zc_check, u->r.tgt, &u->r.tgt->zc_timer);
	upd_pull(u);
	return 0;
}

static void
upd_resume(struct tgt_req *req, int rc)
{
	struct upd_req *u = container_of(req, struct upd_req, r);
	const struct rpc_data *d = &u->in.data;
	uint64_t seg_bytes = 0;
	uint64_t off = 0;
	uint32_t i;

	if (rc == 0)
		rc = iods_build(&u->in, &u->iods);
	if (rc != 0)
		goto out;
	for (i = 0; i < u->in.nr; i++) {
		uint64_t n;

		rc = iod_bytes(&u->in.iods[i], &n);
		if (rc == 0 && n > RPC_IO_MAX - u->len)
			rc = -DER_OVERFLOW;
		if (rc != 0)
			goto out;
		u->len += n;
	}
	/* The data must be exactly the iods' bytes. */
	switch (d->kind) {
	case RPC_DATA_INLINE:
		if (d->inl.iov_len != u->len)
			rc = -DER_PROTO;
		break;
	case RPC_DATA_BULK:
		for (i = 0; i < d->nr_segs; i++) {
			if (d->segs[i].len > RPC_IO_MAX - seg_bytes) {
				rc = -DER_PROTO;
				break;
			}
			seg_bytes += d->segs[i].len;
		}
		if (rc == 0 && (seg_bytes != u->len || u->len == 0))
			rc = -DER_PROTO;
		if (rc == 0)
			rc = upd_begin(u);
		if (rc != 0)
			goto out;
		return;
	default:
		if (u->len != 0)
			rc = -DER_PROTO;
		break;
	}
	if (rc != 0)
		goto out;
	u->sgls = d_calloc(u->in.nr, sizeof(*u->sgls) + sizeof(*u->iovs));
	if (u->sgls == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	u->iovs = (d_iov_t *)(u->sgls + u->in.nr);
	for (i = 0; i < u->in.nr; i++) {
		d_iov_t *iov = &u->iovs[i];
		uint64_t n = 0;

		iod_bytes(&u->in.iods[i], &n);
		d_iov_set(iov, n > 0 ? (uint8_t *)d->inl.iov_buf + off : NULL, n);
		u->sgls[i].sg_nr = 1;
		u->sgls[i].sg_iovs = iov;
		off += n;
	}
	upd_apply(u);
	return;
out:
	tgt_req_end(req, rc, NULL, 0);
}

/*
 * Wait until no update of this target pulls into pool @pool (container @cont, or any
 * with NULL) any more: the pool or container is about to go, and a transfer must never
 * land in freed room. The target's network keeps running meanwhile (transfers end, with
 * an error if their client is gone). After @max_ms the rest are orphaned when @orphan:
 * their room is released and their transfers, which can still write there, are answered
 * with an error when they end (logged); otherwise false is returned.
 */
bool
tgt_zc_drain(struct eng_tgt *tgt, const uuid_t pool, const uuid_t cont, uint64_t max_ms,
	     bool orphan)
{
	uint64_t start = eng_now_ms();
	uint64_t warned = start;
	struct upd_req *u;
	struct upd_req *tmp;

	for (;;) {
		uint32_t n = 0;

		d_list_for_each_entry(u, &tgt->zc_reqs, zc_link)
			if (u->vu != NULL && uuid_compare(u->in.hdr.pool, pool) == 0 &&
			    (cont == NULL || uuid_compare(u->in.hdr.cont, cont) == 0))
				n++;
		if (n == 0)
			return true;
		if (eng_now_ms() - start >= max_ms)
			break;
		if (eng_now_ms() - warned >= 5000) {
			warned = eng_now_ms();
			D_WARN("target %u: waiting for %u update transfers into pool " DF_UUID,
			       tgt->idx, n, DP_UUID(pool));
		}
		net_progress(eng_xs_net(tgt->xs), 10);
	}
	if (!orphan)
		return false;
	d_list_for_each_entry_safe(u, tmp, &tgt->zc_reqs, zc_link) {
		if (u->vu == NULL || uuid_compare(u->in.hdr.pool, pool) != 0)
			continue;
		D_ERROR("target %u: pool " DF_UUID " closes under an update transfer still "
			"running; its room is released",
			tgt->idx, DP_UUID(pool));
		vos_update_end(u->vu, -DER_CANCELED, NULL, NULL);
		u->vu = NULL;
	}
	return false;
}

static void
h_update(struct net_rpc *rpc, void *arg)
{
	struct upd_req *u = d_freelist_get(&upd_cache, sizeof(*u));
	const void *body;
	size_t len;
	int rc;

	if (u == NULL) {
		net_rpc_reply(rpc, -DER_NOMEM, NULL, 0);
		return;
	}
	body = net_rpc_body(rpc, &len);
	rc = rpc_obj_rw_in_decode(body, len, false, &u->in);
	if (rc != 0) {
		d_free(u);
		net_rpc_reply(rpc, rc, NULL, 0);
		return;
	}
	D_INIT_LIST_HEAD(&u->zc_link);
	req_init(&u->r, rpc, &u->in.hdr, true, upd_resume, upd_free);
	tgt_req_start(arg, &u->r);
}

/* ---- fetch ---- */

/* What a fetch knows of one iod. */
struct fetch_iod {
	uint64_t room;     /* bytes of f->buf for it (0: only its size is asked) */
	uint64_t lbase;    /* where that room starts in f->buf */
	uint64_t cbase;    /* where the client's room for it starts (bulk) */
	uint64_t size;     /* value or record size found */
	uint64_t data_len; /* bytes up to the end of the last data present */
	daos_recx_t *ext;  /* extents present (arrays), sorted and merged */
	uint32_t nr_ext;
	bool holes; /* bytes inside data_len that hold no data */
};

/* Bytes of iod @iod's room holding data. */
struct fetch_range {
	uint32_t iod;
	uint64_t off;
	uint64_t len;
};

struct fetch_req {
	struct tgt_req r;
	struct rpc_obj_rw_in in;
	uint64_t epoch;
	struct vos_iod *iods; /* VOS's view of every iod */
	struct fetch_iod *fi;
	/* The iods fetched with data (room > 0), as VOS sees them. */
	uint32_t nr_sel;
	uint32_t *sel; /* their index in @iods */
	struct vos_iod *viods;
	d_sg_list_t *vsgls;
	d_iov_t *viovs;
	struct vos_iom *vioms;
	uint8_t *buf; /* bulk_buf_get */
	uint64_t buf_cap;
	uint64_t buf_len;
	struct fetch_range *ranges;
	uint32_t nr_ranges;
	uint32_t cap_ranges;
	bool again;       /* fetched a second time, with maps large enough */
	uint32_t pending; /* pushes in flight, plus one while posting them */
	int status;       /* the first push error */
};

static void
fetch_free(struct tgt_req *req)
{
	struct fetch_req *f = container_of(req, struct fetch_req, r);
	uint32_t i;

	for (i = 0; f->fi != NULL && i < f->in.nr; i++)
		d_free(f->fi[i].ext);
	for (i = 0; f->vioms != NULL && i < f->nr_sel; i++)
		d_free(f->vioms[i].recxs);
	rpc_obj_rw_in_fini(&f->in);
	d_free(f->iods);
	d_free(f->fi);
	d_free(f->sel);
	d_free(f->viods);
	d_free(f->vsgls);
	d_free(f->viovs);
	d_free(f->vioms);
	bulk_buf_put(f->buf, f->buf_cap);
	d_free(f->ranges);
	d_free(f);
}

/*
 * Check the request: recxs that are empty or wrap (-DER_INVAL), client buffers smaller
 * than the caps say (-DER_PROTO).
 */
static int
fetch_check(struct fetch_req *f)
{
	const struct rpc_data *d = &f->in.data;
	uint64_t caps = 0;
	uint64_t segs = 0;
	uint32_t i;
	uint32_t r;
	int rc;

	rc = iods_build(&f->in, &f->iods);
	if (rc != 0)
		return rc;
	f->fi = d_calloc(f->in.nr, sizeof(*f->fi));
	f->sel = d_calloc(f->in.nr, sizeof(*f->sel));
	if (f->fi == NULL || f->sel == NULL)
		return -DER_NOMEM;
	for (i = 0; i < f->in.nr; i++) {
		const struct rpc_iod *iod = &f->in.iods[i];

		for (r = 0; r < iod->nr; r++) {
			const daos_recx_t *rx = &iod->recxs[r];

			if (rx->rx_nr == 0 || rx->rx_idx > UINT64_MAX - rx->rx_nr + 1)
				return -DER_INVAL;
		}
		if (f->in.caps[i] > UINT64_MAX - caps)
			return -DER_PROTO;
		f->fi[i].cbase = caps;
		caps += f->in.caps[i];
	}
	if (d->kind == RPC_DATA_BULK) {
		for (i = 0; i < d->nr_segs; i++)
			segs += d->segs[i].len; /* each is at most its desc's length: no wrap */
		if (segs < caps)
			return -DER_PROTO;
	}
	return 0;
}

/* VOS never calls back a fetch that had no room to copy into. */
static void
probe_done(void *arg, int status)
{
	(void)arg;
	(void)status;
	D_ASSERT(0);
}

/* The size of iod @i (fi->size), asked of VOS with no room: nothing is read. */
static int
fetch_probe(struct fetch_req *f, struct vos_cont *vc, uint32_t i)
{
	const struct rpc_obj_hdr *hdr = &f->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	struct vos_iod iod = f->iods[i];
	d_iov_t iov = { 0 };
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
	int rc;

	iod.size = 0;
	rc = vos_obj_fetch(vc, &oid, f->epoch, hdr->flags & COND_MASK, &hdr->dkey, 1, &iod, &sgl,
			   NULL, probe_done, NULL);
	D_ASSERT(rc != 1);
	if (rc != 0 && rc != -DER_REC2BIG)
		return rc;
	f->fi[i].size = iod.size;
	return 0;
}

/* The records @iod asks for (saturated). */
static uint64_t
iod_records(const struct vos_iod *iod)
{
	uint64_t nr = 0;
	uint32_t r;

	for (r = 0; r < iod->nr; r++)
		nr = iod->recxs[r].nr > UINT64_MAX - nr ? UINT64_MAX : nr + iod->recxs[r].nr;
	return nr;
}

/* At most @cap bytes, and no more than records of @size bytes fill (0: unknown). */
static uint64_t
room_for(const struct vos_iod *iod, uint64_t size, uint64_t cap)
{
	uint64_t nr = iod->type == VOS_IOD_SINGLE ? 1 : iod_records(iod);

	if (size == 0 || nr > UINT64_MAX / size)
		return cap;
	return D_MIN(cap, nr * size);
}

/*
 * Give each iod its room in one buffer: no more than its cap, nor than its records can
 * fill (a size asked as 0 with a large cap is asked of VOS first). Iods left without
 * room only ask their size, found here. -DER_OVERFLOW past RPC_IO_MAX.
 */
static int
fetch_rooms(struct fetch_req *f, struct vos_cont *vc)
{
	uint32_t i;
	int rc;

	for (i = 0; i < f->in.nr; i++) {
		const struct vos_iod *iod = &f->iods[i];
		struct fetch_iod *fi = &f->fi[i];
		uint64_t cap = f->in.data.kind == RPC_DATA_NONE ? 0 : f->in.caps[i];
		bool probed = false;

		fi->room = room_for(iod, iod->size, cap);
		if (iod->size == 0 && fi->room > NET_BODY_MAX) {
			rc = fetch_probe(f, vc, i);
			if (rc != 0)
				return rc;
			probed = true;
			fi->room = fi->size == 0 ? 0 : room_for(iod, fi->size, cap);
		}
		if (fi->room == 0) {
			rc = probed ? 0 : fetch_probe(f, vc, i);
			if (rc != 0)
				return rc;
			continue;
		}
		if (fi->room > RPC_IO_MAX - f->buf_len)
			return -DER_OVERFLOW;
		fi->lbase = f->buf_len;
		f->buf_len += fi->room;
		f->sel[f->nr_sel++] = i;
	}
	if (f->nr_sel == 0)
		return 0;
	f->buf = bulk_buf_get(f->buf_len, &f->buf_cap);
	f->viods = d_calloc(f->nr_sel, sizeof(*f->viods));
	f->vsgls = d_calloc(f->nr_sel, sizeof(*f->vsgls));
	f->viovs = d_calloc(f->nr_sel, sizeof(*f->viovs));
	f->vioms = d_calloc(f->nr_sel, sizeof(*f->vioms));
	if (f->buf == NULL || f->viods == NULL || f->vsgls == NULL || f->viovs == NULL ||
	    f->vioms == NULL)
		return -DER_NOMEM;
	for (i = 0; i < f->nr_sel; i++) {
		const struct vos_iod *iod = &f->iods[f->sel[i]];
		struct vos_iom *iom = &f->vioms[i];

		if (iod->type != VOS_IOD_ARRAY)
			continue;
		iom->cap = iod->nr > RPC_RECX_MAX / IOM_GUESS ? RPC_RECX_MAX : iod->nr * IOM_GUESS;
		iom->recxs = d_calloc(iom->cap, sizeof(*iom->recxs));
		if (iom->recxs == NULL)
			return -DER_NOMEM;
	}
	return 0;
}

/* Answer -DER_REC2BIG with every iod's size. */
static void
fetch_rec2big(struct fetch_req *f, struct vos_cont *vc)
{
	struct rpc_obj_fetch_out out = { .nr = f->in.nr };
	uint8_t *body = NULL;
	size_t len = 0;
	uint32_t i;
	int rc = 0;

	for (i = 0; i < f->in.nr && rc == 0; i++)
		rc = fetch_probe(f, vc, i);
	if (rc == 0) {
		out.sizes = d_calloc(f->in.nr, sizeof(uint64_t));
		out.data_lens = d_calloc(f->in.nr, sizeof(uint64_t));
		body = d_malloc(NET_BODY_MAX);
		if (out.sizes == NULL || out.data_lens == NULL || body == NULL)
			rc = -DER_NOMEM;
	}
	if (rc == 0) {
		for (i = 0; i < f->in.nr; i++)
			out.sizes[i] = f->fi[i].size;
		len = rpc_obj_fetch_out_encode(&out, body, NET_BODY_MAX);
		rc = len > 0 ? -DER_REC2BIG : -DER_OVERFLOW;
	}
	tgt_req_end(&f->r, rc, body, rc == -DER_REC2BIG ? len : 0);
	d_free(out.sizes);
	d_free(out.data_lens);
	d_free(body);
}

static int
recx_by_idx(const void *a, const void *b)
{
	const struct vos_recx *x = a;
	const struct vos_recx *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* @iom's extents, sorted and merged, into fi->ext. */
static int
ext_from_iom(struct fetch_iod *fi, struct vos_iom *iom)
{
	uint32_t n = 0;
	uint32_t i;

	if (iom->nr == 0)
		return 0;
	d_sort(iom->recxs, iom->nr, sizeof(*iom->recxs), recx_by_idx);
	fi->ext = d_calloc(iom->nr, sizeof(*fi->ext));
	if (fi->ext == NULL)
		return -DER_NOMEM;
	for (i = 0; i < iom->nr; i++) {
		const struct vos_recx *rx = &iom->recxs[i];
		daos_recx_t *last = n > 0 ? &fi->ext[n - 1] : NULL;

		/* Extents never wrap (VOS checks them on update). */
		if (last != NULL && rx->idx <= last->rx_idx + last->rx_nr) {
			uint64_t end = D_MAX(last->rx_idx + last->rx_nr, rx->idx + rx->nr);

			last->rx_nr = end - last->rx_idx;
			continue;
		}
		fi->ext[n].rx_idx = rx->idx;
		fi->ext[n].rx_nr = rx->nr;
		n++;
	}
	fi->nr_ext = n;
	return 0;
}

static int
range_add(struct fetch_req *f, uint32_t iod, uint64_t off, uint64_t len)
{
	struct fetch_range *last = f->nr_ranges > 0 ? &f->ranges[f->nr_ranges - 1] : NULL;

	if (last != NULL && last->iod == iod && last->off + last->len == off) {
		last->len += len;
		return 0;
	}
	if (f->nr_ranges == f->cap_ranges) {
		uint32_t cap = f->cap_ranges ? f->cap_ranges * 2 : 16;
		struct fetch_range *r = d_reallocarray(f->ranges, cap, sizeof(*r));

		if (r == NULL)
			return -DER_NOMEM;
		f->ranges = r;
		f->cap_ranges = cap;
	}
	f->ranges[f->nr_ranges++] = (struct fetch_range){ iod, off, len };
	return 0;
}

/* The first extent of @fi ending at or after @idx. */
static uint32_t
ext_seek(const struct fetch_iod *fi, uint64_t idx)
{
	uint32_t lo = 0;
	uint32_t hi = fi->nr_ext;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const daos_recx_t *e = &fi->ext[mid];

		if (e->rx_idx + e->rx_nr - 1 < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The byte ranges of array iod @i that hold data, as VOS laid them out: the recxs'
 * records one after the other; while the record size is unknown (asked as 0) the
 * recxs before the first data take no room.
 */
static int
array_ranges(struct fetch_req *f, uint32_t i, uint64_t room)
{
	const struct vos_iod *iod = &f->iods[i];
	struct fetch_iod *fi = &f->fi[i];
	uint64_t rsize = fi->size;
	bool known = iod->size != 0;
	uint64_t present = 0;
	uint64_t dst = 0;
	uint32_t r;
	int rc;

	for (r = 0; r < iod->nr; r++) {
		const struct vos_recx *rx = &iod->recxs[r];
		uint64_t hi = rx->idx + rx->nr - 1;
		uint32_t e;

		for (e = ext_seek(fi, rx->idx); e < fi->nr_ext && fi->ext[e].rx_idx <= hi; e++) {
			uint64_t a = D_MAX(fi->ext[e].rx_idx, rx->idx);
			uint64_t b = D_MIN(fi->ext[e].rx_idx + fi->ext[e].rx_nr - 1, hi);
			uint64_t off = dst + (a - rx->idx) * rsize;
			uint64_t len = (b - a + 1) * rsize;

			known = true;
			if (rsize != 0 && rx->nr > RPC_IO_MAX / rsize)
				return -DER_OVERFLOW; /* cannot have fitted any room */
			/* VOS filled at most the room: anything else is not ours to show. */
			if (len > room || off > room - len)
				return -DER_OVERFLOW;
			rc = range_add(f, i, off, len);
			if (rc != 0)
				return rc;
			fi->data_len = D_MAX(fi->data_len, off + len);
			present += len;
		}
		if (known && rsize != 0 && rx->nr > RPC_IO_MAX / rsize)
			return -DER_OVERFLOW;
		if (known)
			dst += rx->nr * rsize;
	}
	fi->holes = present < fi->data_len;
	return 0;
}

static void fetch_finish(struct fetch_req *f);
static void fetch_vos_done(void *arg, int status);

/* Fetch the selected iods from @vc. */
static void
fetch_vos(struct fetch_req *f, struct vos_cont *vc)
{
	const struct rpc_obj_hdr *hdr = &f->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	uint32_t k;
	int rc;

	for (k = 0; k < f->nr_sel; k++) {
		struct fetch_iod *fi = &f->fi[f->sel[k]];

		f->viods[k] = f->iods[f->sel[k]];
		d_iov_set(&f->viovs[k], f->buf + fi->lbase, fi->room);
		f->vsgls[k].sg_nr = 1;
		f->vsgls[k].sg_nr_out = 0;
		f->vsgls[k].sg_iovs = &f->viovs[k];
		f->vioms[k].nr = 0;
	}
	rc = vos_obj_fetch(vc, &oid, f->epoch, hdr->flags & COND_MASK, &hdr->dkey, f->nr_sel,
			   f->viods, f->vsgls, f->vioms, fetch_vos_done, f);
	if (rc == 1)
		return;
	if (rc == 0)
		fetch_vos_done(f, 0);
	else if (rc == -DER_REC2BIG)
		fetch_rec2big(f, vc);
	else
		tgt_req_end(&f->r, rc, NULL, 0);
}

/* Whether a map overflowed; if so, make room for all its extents. */
static int
fetch_grow_maps(struct fetch_req *f, bool *grown)
{
	uint32_t k;

	*grown = false;
	for (k = 0; k < f->nr_sel; k++) {
		struct vos_iom *iom = &f->vioms[k];
		struct vos_recx *recxs;

		if (iom->nr <= iom->cap)
			continue;
		recxs = d_reallocarray(iom->recxs, iom->nr, sizeof(*recxs));
		if (recxs == NULL)
			return -DER_NOMEM;
		iom->recxs = recxs;
		iom->cap = iom->nr;
		*grown = true;
	}
	return 0;
}

static void
fetch_vos_done(void *arg, int status)
{
	struct fetch_req *f = arg;
	struct vos_cont *vc;
	bool grown;
	uint32_t k;
	int rc = status;

	if (rc == 0)
		rc = fetch_grow_maps(f, &grown);
	if (rc == 0 && grown) {
		/*
		 * A map had more extents than we guessed: read again with room for all
		 * of them (at the same epoch, so the same data), once.
		 */
		if (f->again) {
			rc = -DER_AGAIN;
		} else {
			f->again = true;
			rc = tgt_cont_get(&f->r, false, &vc);
			if (rc == 0) {
				fetch_vos(f, vc);
				return;
			}
		}
	}
	for (k = 0; k < f->nr_sel && rc == 0; k++) {
		uint32_t i = f->sel[k];
		struct fetch_iod *fi = &f->fi[i];

		fi->size = f->viods[k].size;
		if (f->iods[i].type == VOS_IOD_SINGLE) {
			fi->data_len = f->viovs[k].iov_len;
			if (fi->data_len > 0)
				rc = range_add(f, i, 0, fi->data_len);
			continue;
		}
		rc = ext_from_iom(fi, &f->vioms[k]);
		if (rc == 0)
			rc = array_ranges(f, i, fi->room);
	}
	if (rc != 0) {
		tgt_req_end(&f->r, rc, NULL, 0);
		return;
	}
	fetch_finish(f);
}

/*
 * Encode the reply into @body: sizes, data lengths, maps (if @maps), and the inline
 * data (@inl). Maps list at most @limit extents per iod, except iods with holes
 * answered inline, which list all. Returns the length, 0 if it does not fit.
 */
static size_t
fetch_encode(struct fetch_req *f, bool maps, uint32_t limit, const d_iov_t *inl, uint8_t *body)
{
	struct rpc_obj_fetch_out out = { .nr = f->in.nr };
	size_t len = 0;
	uint32_t i;

	out.sizes = d_calloc(f->in.nr, sizeof(uint64_t));
	out.data_lens = d_calloc(f->in.nr, sizeof(uint64_t));
	if (maps)
		out.maps = d_calloc(f->in.nr, sizeof(*out.maps));
	if (out.sizes == NULL || out.data_lens == NULL || (maps && out.maps == NULL))
		goto out;
	for (i = 0; i < f->in.nr; i++) {
		const struct fetch_iod *fi = &f->fi[i];

		out.sizes[i] = fi->size;
		out.data_lens[i] = fi->data_len;
		if (!maps || fi->nr_ext == 0)
			continue;
		out.maps[i].nr = fi->nr_ext;
		out.maps[i].lo = fi->ext[0];
		out.maps[i].hi = fi->ext[fi->nr_ext - 1];
		out.maps[i].nr_recxs =
			inl != NULL && fi->holes ? fi->nr_ext : D_MIN(fi->nr_ext, limit);
		out.maps[i].recxs = fi->ext;
	}
	if (inl != NULL)
		out.inl = *inl;
	len = rpc_obj_fetch_out_encode(&out, body, NET_BODY_MAX);
out:
	d_free(out.sizes);
	d_free(out.data_lens);
	d_free(out.maps);
	return len;
}

/* Answer a fetch whose data is in place (inline: copied into the reply). */
static void
fetch_reply(struct fetch_req *f)
{
	bool inline_data = f->in.data.kind == RPC_DATA_INLINE;
	bool maps = f->in.want_maps;
	uint8_t *body = net_body_get();
	uint8_t *inl_buf = NULL;
	uint64_t inl_len = 0;
	d_iov_t inl;
	uint32_t limit = RPC_IOM_MAX;
	size_t len = 0;
	uint32_t i;
	int rc = 0;

	if (body == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	if (inline_data) {
		uint64_t *base = d_calloc(f->in.nr, sizeof(*base));

		for (i = 0; i < f->in.nr; i++) {
			const struct fetch_iod *fi = &f->fi[i];

			/* Holes go as zeros, and the maps say where they are. */
			if (fi->holes && fi->nr_ext > RPC_IOM_MAX)
				rc = -DER_OVERFLOW;
			if (fi->holes)
				maps = true;
			if (base != NULL)
				base[i] = inl_len;
			inl_len += fi->data_len;
		}
		if (rc == 0 && inl_len > NET_BODY_MAX)
			rc = -DER_OVERFLOW;
		if (rc == 0) {
			inl_buf = d_calloc(1, inl_len + 1);
			if (inl_buf == NULL || base == NULL)
				rc = -DER_NOMEM;
		}
		for (i = 0; rc == 0 && i < f->nr_ranges; i++) {
			const struct fetch_range *r = &f->ranges[i];

			memcpy(inl_buf + base[r->iod] + r->off,
			       f->buf + f->fi[r->iod].lbase + r->off, r->len);
		}
		d_free(base);
		d_iov_set(&inl, inl_buf, inl_len);
	}
	/* Too many extents to list: list fewer (the counts still say how many there are). */
	while (rc == 0 &&
	       (len = fetch_encode(f, maps, limit, inline_data ? &inl : NULL, body)) == 0) {
		if (!maps || limit == 0)
			rc = inline_data ? -DER_OVERFLOW : -DER_NOMEM;
		limit /= 2;
	}
out:
	tgt_req_end(&f->r, rc, body, rc == 0 ? len : 0);
	d_free(inl_buf);
	net_body_put(body);
}

static void
fetch_push_put(struct fetch_req *f)
{
	if (--f->pending > 0)
		return;
	if (f->status != 0)
		tgt_req_end(&f->r, f->status, NULL, 0);
	else
		fetch_reply(f);
}

static void
fetch_pushed(struct net_rpc *rpc, int status, void *arg)
{
	struct fetch_req *f = arg;

	(void)rpc;
	if (status != 0 && f->status == 0)
		f->status = status;
	fetch_push_put(f);
}

/* The segment holding byte @off of the client's buffers, and @off within it. */
static uint32_t
seg_find(const struct rpc_data *d, uint64_t *off)
{
	uint32_t s;

	for (s = 0; s < d->nr_segs && *off >= d->segs[s].len; s++)
		*off -= d->segs[s].len;
	return s;
}

/* Push every range holding data to the client's buffers; answer once all are there. */
static void
fetch_push(struct fetch_req *f)
{
	const struct rpc_data *d = &f->in.data;
	uint32_t i;

	f->pending = 1;
	for (i = 0; i < f->nr_ranges && f->status == 0; i++) {
		const struct fetch_range *r = &f->ranges[i];
		const struct fetch_iod *fi = &f->fi[r->iod];
		uint8_t *src = f->buf + fi->lbase + r->off;
		uint64_t coff = fi->cbase + r->off;
		uint64_t left = r->len;
		uint64_t in_seg = coff;
		uint32_t s = seg_find(d, &in_seg);

		/* fetch_check() made sure the segments cover every cap. */
		while (left > 0 && s < d->nr_segs) {
			uint64_t n = D_MIN(left, d->segs[s].len - in_seg);
			int rc;

			rc = net_bulk_transfer(f->r.rpc, NET_BULK_PUT, &d->segs[s].desc, in_seg,
					       src, n, fetch_pushed, f);
			if (rc != 0) {
				f->status = rc;
				break;
			}
			f->pending++;
			src += n;
			left -= n;
			in_seg = 0;
			s++;
		}
	}
	fetch_push_put(f);
}

static void
fetch_finish(struct fetch_req *f)
{
	if (f->in.data.kind == RPC_DATA_BULK && f->nr_ranges > 0)
		fetch_push(f);
	else
		fetch_reply(f);
}

/* Whether a missing key is an error for this fetch (DAOS_COND_*_FETCH). */
static bool
fetch_needs_keys(const struct fetch_req *f)
{
	uint64_t flags = f->in.hdr.flags;
	uint32_t i;

	if (flags & (VOS_COND_DKEY_FETCH | VOS_COND_AKEY_FETCH))
		return true;
	for (i = 0; (flags & VOS_COND_PER_AKEY) && i < f->in.nr; i++)
		if (f->in.iods[i].flags & VOS_COND_AKEY_FETCH)
			return true;
	return false;
}

static void
fetch_resume(struct tgt_req *req, int rc)
{
	struct fetch_req *f = container_of(req, struct fetch_req, r);
	struct vos_cont *vc = NULL;

	if (rc == 0)
		rc = fetch_check(f);
	if (rc == 0)
		rc = tgt_cont_get(req, false, &vc);
	if (rc == -DER_NONEXIST && !fetch_needs_keys(f)) {
		/* No container here: nothing was ever written. */
		fetch_reply(f);
		return;
	}
	f->epoch = hdr_epoch(&f->in.hdr);
	if (rc == 0)
		rc = fetch_rooms(f, vc);
	if (rc != 0)
		goto out;
	if (f->nr_sel == 0)
		fetch_finish(f);
	else
		fetch_vos(f, vc);
	return;
out:
	tgt_req_end(req, rc, NULL, 0);
}

static void
h_fetch(struct net_rpc *rpc, void *arg)
{
	struct fetch_req *f = d_calloc(1, sizeof(*f));
	const void *body;
	size_t len;
	int rc;

	if (f == NULL) {
		net_rpc_reply(rpc, -DER_NOMEM, NULL, 0);
		return;
	}
	body = net_rpc_body(rpc, &len);
	rc = rpc_obj_rw_in_decode(body, len, true, &f->in);
	if (rc != 0) {
		d_free(f);
		net_rpc_reply(rpc, rc, NULL, 0);
		return;
	}
	req_init(&f->r, rpc, &f->in.hdr, false, fetch_resume, fetch_free);
	tgt_req_start(arg, &f->r);
}

/* ---- punch ---- */

struct punch_req {
	struct tgt_req r;
	struct rpc_obj_punch_in in;
	uint64_t epoch;
};

static void
punch_free(struct tgt_req *req)
{
	struct punch_req *p = container_of(req, struct punch_req, r);

	rpc_obj_punch_in_fini(&p->in);
	d_free(p);
}

static void
punch_done(void *arg, int status)
{
	struct punch_req *p = arg;

	end_epoch(&p->r, status, p->epoch);
}

static void
punch_resume(struct tgt_req *req, int rc)
{
	struct punch_req *p = container_of(req, struct punch_req, r);
	const struct rpc_obj_hdr *hdr = &p->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	uint64_t flags = hdr->flags & COND_MASK;
	struct vos_cont *vc = NULL;

	if (rc == 0)
		rc = tgt_cont_get(req, false, &vc);
	p->epoch = hdr_epoch(hdr);
	if (rc == -DER_NONEXIST && !(flags & VOS_COND_PUNCH)) {
		/* Nothing was written here: nothing to punch. */
		end_epoch(req, 0, p->epoch);
		return;
	}
	if (rc == 0)
		rc = vos_obj_punch(
			vc, &oid, p->epoch, flags, p->in.kind == RPC_PUNCH_OBJ ? NULL : &hdr->dkey,
			p->in.kind == RPC_PUNCH_AKEYS ? p->in.nr : 0, p->in.akeys, punch_done, p);
	if (rc != 0)
		tgt_req_end(req, rc, NULL, 0);
}

static void
h_punch(struct net_rpc *rpc, void *arg)
{
	struct punch_req *p = d_calloc(1, sizeof(*p));
	const void *body;
	size_t len;
	int rc;

	if (p == NULL) {
		net_rpc_reply(rpc, -DER_NOMEM, NULL, 0);
		return;
	}
	body = net_rpc_body(rpc, &len);
	rc = rpc_obj_punch_in_decode(body, len, &p->in);
	if (rc != 0) {
		d_free(p);
		net_rpc_reply(rpc, rc, NULL, 0);
		return;
	}
	req_init(&p->r, rpc, &p->in.hdr, true, punch_resume, punch_free);
	tgt_req_start(arg, &p->r);
}

/* ---- enumerate ---- */

/* Reply bytes left for entries after the anchor and the count. */
#define ENUM_ROOM (NET_BODY_MAX - RPC_ANCHOR_SIZE - 4)

struct enum_req {
	struct tgt_req r;
	struct rpc_obj_enum_in in;
};

static void
enum_free(struct tgt_req *req)
{
	d_free(container_of(req, struct enum_req, r));
}

/* Keys: at most in->nr of them, in->room bytes of keys, and what one body holds. */
static int
enum_keys(struct enum_req *e, struct vos_cont *vc, struct vos_anchor *anchor, struct buf *b)
{
	const struct rpc_obj_hdr *hdr = &e->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	/* Each key costs its length and a u32 on the wire: at most 8 bytes for short ones. */
	uint32_t nr = D_MIN(e->in.nr, ENUM_ROOM / 8);
	size_t room = D_MIN((size_t)e->in.room, (size_t)(ENUM_ROOM - 4 * nr));
	struct vos_key_desc *descs = NULL;
	uint8_t *keys = NULL;
	uint32_t i;
	int rc;

	descs = d_calloc(nr, sizeof(*descs));
	keys = d_malloc(room + 1);
	if (descs == NULL || keys == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	rc = vos_key_list(vc, &oid, e->in.kind == RPC_ENUM_AKEY ? &hdr->dkey : NULL, hdr_epoch(hdr),
			  anchor, descs, &nr, keys, room);
	if (rc == -DER_KEY2BIG) {
		/* Not even the next key fits: say how long it is. */
		buf_put_u32(b, descs[0].len);
		goto out;
	}
	if (rc != 0)
		goto out;
	buf_put_bytes_raw(b, anchor, sizeof(*anchor));
	buf_put_u32(b, nr);
	for (i = 0; i < nr; i++)
		buf_put_bytes(b, keys + descs[i].off, descs[i].len);
out:
	d_free(descs);
	d_free(keys);
	return rc;
}

static int
enum_recxs(struct enum_req *e, struct vos_cont *vc, struct vos_anchor *anchor, struct buf *b)
{
	const struct rpc_obj_hdr *hdr = &e->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	uint32_t nr = D_MIN(e->in.nr, (ENUM_ROOM - 8) / 24);
	struct vos_recx *recxs;
	uint64_t *epochs;
	uint64_t rsize = 0;
	uint32_t i;
	int rc;

	recxs = d_calloc(nr, sizeof(*recxs));
	epochs = d_calloc(nr, sizeof(*epochs));
	if (recxs == NULL || epochs == NULL) {
		d_free(recxs);
		d_free(epochs);
		return -DER_NOMEM;
	}
	rc = vos_recx_list(vc, &oid, &hdr->dkey, &e->in.akey, hdr_epoch(hdr),
			   e->in.kind == RPC_ENUM_RECX_DESC, anchor, recxs, epochs, &nr, &rsize);
	if (rc == 0) {
		buf_put_bytes_raw(b, anchor, sizeof(*anchor));
		buf_put_u32(b, nr);
		buf_put_u64(b, rsize);
		for (i = 0; i < nr; i++) {
			buf_put_u64(b, recxs[i].idx);
			buf_put_u64(b, recxs[i].nr);
			buf_put_u64(b, epochs[i]);
		}
	}
	d_free(recxs);
	d_free(epochs);
	return rc;
}

/* An anchor at the request's key (kind KEY2ANCHOR): no entries. */
static int
enum_key2anchor(struct enum_req *e, struct vos_cont *vc, struct vos_anchor *anchor, struct buf *b)
{
	const struct rpc_obj_hdr *hdr = &e->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	bool akey = e->in.akey.iov_len > 0;
	int rc;

	rc = vos_key_anchor(vc, &oid, akey ? &hdr->dkey : NULL, akey ? &e->in.akey : &hdr->dkey,
			    anchor);
	if (rc == 0) {
		buf_put_bytes_raw(b, anchor, sizeof(*anchor));
		buf_put_u32(b, 0);
	}
	return rc;
}

/* The container's object shards on this target (kind OBJ): what daos_oit_* lists. */
static int
enum_objs(struct enum_req *e, struct vos_cont *vc, struct vos_anchor *anchor, struct buf *b)
{
	uint32_t nr = D_MIN(e->in.nr, (uint32_t)RPC_OBJ_LIST_MAX);
	struct vos_oid *oids;
	uint32_t i;
	int rc;

	oids = d_calloc(nr, sizeof(*oids));
	if (oids == NULL)
		return -DER_NOMEM;
	rc = vos_obj_list(vc, hdr_epoch(&e->in.hdr), anchor, oids, &nr);
	if (rc == 0) {
		buf_put_bytes_raw(b, anchor, sizeof(*anchor));
		buf_put_u32(b, nr);
		for (i = 0; i < nr; i++) {
			buf_put_u64(b, oids[i].lo);
			buf_put_u64(b, oids[i].hi);
			buf_put_u32(b, oids[i].shard);
		}
	}
	d_free(oids);
	return rc;
}

static void
enum_resume(struct tgt_req *req, int rc)
{
	struct enum_req *e = container_of(req, struct enum_req, r);
	struct vos_anchor anchor;
	struct vos_cont *vc = NULL;
	uint8_t *body = net_body_get();
	struct buf b;

	if (body == NULL) {
		tgt_req_end(req, rc != 0 ? rc : -DER_NOMEM, NULL, 0);
		return;
	}
	if (rc == 0)
		rc = tgt_cont_get(req, false, &vc);
	buf_init(&b, body, NET_BODY_MAX);
	memcpy(&anchor, e->in.anchor, sizeof(anchor));
	if (rc == -DER_NONEXIST) {
		/* No container here: an empty list. */
		anchor.flags |= VOS_ANCHOR_EOF;
		buf_put_bytes_raw(&b, &anchor, sizeof(anchor));
		buf_put_u32(&b, 0);
		if (e->in.kind == RPC_ENUM_RECX || e->in.kind == RPC_ENUM_RECX_DESC)
			buf_put_u64(&b, 0);
		rc = 0;
	} else if (rc == 0 && e->in.kind == RPC_ENUM_OBJ) {
		rc = enum_objs(e, vc, &anchor, &b);
	} else if (rc == 0 && e->in.kind == RPC_ENUM_KEY2ANCHOR) {
		rc = enum_key2anchor(e, vc, &anchor, &b);
	} else if (rc == 0 && e->in.kind >= RPC_ENUM_RECX) {
		rc = enum_recxs(e, vc, &anchor, &b);
	} else if (rc == 0) {
		rc = enum_keys(e, vc, &anchor, &b);
	}
	/* The entries were sized to fit: an overflow here is ours. */
	D_ASSERT(b.err == 0);
	tgt_req_end(req, rc, body, rc == 0 || rc == -DER_KEY2BIG ? b.off : 0);
	net_body_put(body);
}

static void
h_enum(struct net_rpc *rpc, void *arg)
{
	struct enum_req *e = d_calloc(1, sizeof(*e));
	const void *body;
	size_t len;
	int rc;

	if (e == NULL) {
		net_rpc_reply(rpc, -DER_NOMEM, NULL, 0);
		return;
	}
	body = net_rpc_body(rpc, &len);
	rc = rpc_obj_enum_in_decode(body, len, &e->in);
	if (rc != 0) {
		d_free(e);
		net_rpc_reply(rpc, rc, NULL, 0);
		return;
	}
	req_init(&e->r, rpc, &e->in.hdr, false, enum_resume, enum_free);
	tgt_req_start(arg, &e->r);
}

/* ---- query key ---- */

struct query_req {
	struct tgt_req r;
	struct rpc_obj_query_in in;
};

static void
query_free(struct tgt_req *req)
{
	d_free(container_of(req, struct query_req, r));
}

/* DAOS_GET_* (the wire's) as VOS_GET_* (whose bits differ). */
static uint32_t
query_flags(uint32_t daos)
{
	uint32_t vos = 0;

	if (daos & DAOS_GET_DKEY)
		vos |= VOS_GET_DKEY;
	if (daos & DAOS_GET_AKEY)
		vos |= VOS_GET_AKEY;
	if (daos & DAOS_GET_RECX)
		vos |= VOS_GET_RECX;
	if (daos & DAOS_GET_MAX)
		vos |= VOS_GET_MAX;
	if (daos & DAOS_GET_MIN)
		vos |= VOS_GET_MIN;
	return vos;
}

static void
query_resume(struct tgt_req *req, int rc)
{
	struct query_req *q = container_of(req, struct query_req, r);
	const struct rpc_obj_hdr *hdr = &q->in.hdr;
	struct vos_oid oid = hdr_oid(hdr);
	uint32_t flags = query_flags(q->in.qflags);
	struct vos_recx recx = { 0 };
	struct vos_cont *vc = NULL;
	d_iov_t dkey = hdr->dkey;
	d_iov_t akey = q->in.akey;
	uint8_t *body = NULL;
	uint8_t *keys = NULL;
	struct buf b;

	if (rc == 0) {
		/* The reply, then room for the two keys asked for. */
		body = d_malloc(NET_BODY_MAX + 2 * RPC_KEY_MAX);
		if (body == NULL)
			rc = -DER_NOMEM;
		else
			keys = body + NET_BODY_MAX;
	}
	if (rc == 0)
		rc = tgt_cont_get(req, false, &vc);
	if (q->in.qflags == RPC_QUERY_MAX_EPOCH && (rc == 0 || rc == -DER_NONEXIST)) {
		/* a target without the container has no version of the object */
		buf_init(&b, body, NET_BODY_MAX);
		buf_put_u64(&b, rc == 0 ? vos_obj_max_epoch(vc, &oid) : 0);
		tgt_req_end(req, 0, body, b.off);
		d_free(body);
		return;
	}
	if (rc == 0 && (flags & VOS_GET_DKEY))
		d_iov_set(&dkey, keys, RPC_KEY_MAX);
	if (rc == 0 && (flags & VOS_GET_AKEY))
		d_iov_set(&akey, keys + RPC_KEY_MAX, RPC_KEY_MAX);
	if (rc == 0)
		rc = vos_obj_query_key(vc, &oid, hdr_epoch(hdr), flags, &dkey, &akey, &recx);
	if (rc != 0) {
		tgt_req_end(req, rc, NULL, 0);
		d_free(body);
		return;
	}
	buf_init(&b, body, NET_BODY_MAX);
	buf_put_bytes(&b, dkey.iov_buf, dkey.iov_len);
	buf_put_bytes(&b, akey.iov_buf, akey.iov_len);
	buf_put_u64(&b, recx.idx);
	buf_put_u64(&b, recx.nr);
	D_ASSERT(b.err == 0); /* two keys of at most RPC_KEY_MAX bytes */
	tgt_req_end(req, 0, body, b.off);
	d_free(body);
}

static void
h_query(struct net_rpc *rpc, void *arg)
{
	struct query_req *q = d_calloc(1, sizeof(*q));
	const void *body;
	size_t len;
	int rc;

	if (q == NULL) {
		net_rpc_reply(rpc, -DER_NOMEM, NULL, 0);
		return;
	}
	body = net_rpc_body(rpc, &len);
	rc = rpc_obj_query_in_decode(body, len, &q->in);
	if (rc != 0) {
		d_free(q);
		net_rpc_reply(rpc, rc, NULL, 0);
		return;
	}
	req_init(&q->r, rpc, &q->in.hdr, false, query_resume, query_free);
	tgt_req_start(arg, &q->r);
}

int
tgt_obj_register(struct eng_tgt *tgt)
{
	static const struct {
		uint32_t opc;
		const char *name;
		net_handler_fn fn;
	} handlers[] = {
		{ RPC_OBJ_UPDATE, "obj_update", h_update },
		{ RPC_OBJ_FETCH, "obj_fetch", h_fetch },
		{ RPC_OBJ_PUNCH, "obj_punch", h_punch },
		{ RPC_OBJ_ENUM, "obj_enum", h_enum },
		{ RPC_OBJ_QUERY_KEY, "obj_query_key", h_query },
	};
	struct net_ctx *ctx = eng_xs_net(tgt->xs);
	unsigned int i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(handlers) && rc == 0; i++)
		rc = net_handler_register(ctx, handlers[i].opc, handlers[i].name, handlers[i].fn,
					  tgt);
	return rc;
}
