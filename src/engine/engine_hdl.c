/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_hdl.c - what a target knows of pools and containers: the container handles it
 * was told about, the VOS containers it has open, and the calls that take them away
 * (revoke, container destroy, a shard closing). Design: docs/design/engine-io.md.
 *
 * Handles. A target learns a container handle on the first request that names it: it
 * asks the pool service (RPC_HDL_LOOKUP to the request's svc_rank, tag 0, from the
 * target's own context), parks that request and every later one naming the same handle
 * on the handle's entry, and resumes them all when the answer comes: granted (the entry
 * is kept, with its rights and pool handle) or refused (the entry goes, the requests get
 * the error). Refusals are not cached: a handle opened later is found by the next
 * request. A revoke that finds a lookup still running marks it stale, and the answer is
 * then asked for again, so a grant that crossed the revoke is never cached.
 *
 * Containers. The first update of (pool, container) on a target creates the VOS
 * container there; its creation is logged before the update, so it is durable when the
 * update is acknowledged. Open containers stay in a table until the container is
 * destroyed or its shard closes.
 *
 * Threads: each target's tables are touched only by its thread (no locks). Revokes and
 * container destroys arrive on the system xstream, are posted to every target and are
 * answered there once all targets are done (struct tgt_fanout).
 */
#define D_LOGFAC DD_FAC(container)

#include <gurt/common.h>
#include <stdatomic.h>
#include <string.h>

#include "common/buf.h"
#include "engine/engine_tgt.h"

/* A container handle as this target knows it. */
struct tgt_hdl {
	d_list_t link; /* tgt->hdls[bucket of coh] */
	uuid_t coh;
	uuid_t pool;
	uuid_t cont;
	uuid_t poh;     /* the pool handle it was opened through (once granted) */
	uint64_t flags; /* DAOS_COO_* (once granted) */
	uint64_t caps;  /* RPC_CAP_* (once granted) */
	uint32_t svc_rank;
	uint64_t lookup; /* the id of the lookup running for it */
	bool granted;    /* the pool service answered yes; else the lookup is running */
	bool stale;      /* revoked while the lookup ran: ask again when it answers */
	d_list_t parked; /* struct tgt_req waiting for the answer */
};

/* A lookup in flight: it finds its entry again by uuid (which may be gone by then). */
struct hdl_lookup {
	struct eng_tgt *tgt;
	uuid_t coh;
	uint64_t id;
};

static __thread struct eng_tgt *self;

struct eng_tgt *
tgt_self(void)
{
	return self;
}

static unsigned int
bucket(const uuid_t uuid)
{
	uint32_t h;

	memcpy(&h, uuid, sizeof(h));
	return h % TGT_HASH_BUCKETS;
}

/* --- the lifetime of the target state --- */

void
tgt_put(struct eng_tgt *tgt)
{
	D_ASSERT(tgt->nr_active > 0);
	if (--tgt->nr_active == 0 && tgt->stopped)
		d_free(tgt);
}

void
tgt_req_end(struct tgt_req *req, int status, const void *body, size_t len)
{
	struct eng_tgt *tgt = req->tgt;

	net_rpc_reply(req->rpc, status, body, len);
	req->free(req);
	tgt_put(tgt);
}

/* --- handles --- */

static struct tgt_hdl *
hdl_find(struct eng_tgt *tgt, const uuid_t coh)
{
	struct tgt_hdl *h;

	d_list_for_each_entry(h, &tgt->hdls[bucket(coh)], link)
		if (uuid_compare(h->coh, coh) == 0)
			return h;
	return NULL;
}

/* Whether granted handle @h lets @hdr's request through. */
static int
hdl_check(const struct tgt_hdl *h, const struct rpc_obj_hdr *hdr, bool write)
{
	if (uuid_compare(h->pool, hdr->pool) != 0 || uuid_compare(h->cont, hdr->cont) != 0)
		return -DER_NO_HDL;
	if (!(h->caps & (write ? RPC_CAP_WRITE : RPC_CAP_READ)))
		return -DER_NO_PERM;
	return 0;
}

int
tgt_hdl_recheck(struct eng_tgt *tgt, const struct rpc_obj_hdr *hdr, bool write)
{
	struct tgt_hdl *h = hdl_find(tgt, hdr->coh);

	if (h == NULL || !h->granted)
		return -DER_NO_HDL;
	return hdl_check(h, hdr, write);
}

/* Resume every request parked on @h: with @rc, or each with its own check if @rc is 0. */
static void
hdl_resume_parked(struct tgt_hdl *h, int rc)
{
	d_list_t parked;
	struct tgt_req *req;

	/* Resumed requests may park again on a new entry: work on a private list. */
	D_INIT_LIST_HEAD(&parked);
	d_list_splice_init(&h->parked, &parked);
	while ((req = d_list_pop_entry(&parked, struct tgt_req, link)) != NULL)
		req->resume(req, rc != 0 ? rc : hdl_check(h, req->hdr, req->write));
}

/* Forget @h; requests still parked on it get @rc. */
static void
hdl_drop(struct tgt_hdl *h, int rc)
{
	d_list_del(&h->link);
	hdl_resume_parked(h, rc);
	d_free(h);
}

static int lookup_send(struct eng_tgt *tgt, struct tgt_hdl *h);

static void
lookup_done(void *arg, int status, const void *body, size_t len)
{
	struct hdl_lookup *lk = arg;
	struct eng_tgt *tgt = lk->tgt;
	struct tgt_hdl *h = tgt->stopped ? NULL : hdl_find(tgt, lk->coh);
	struct rpc_hdl_info info;
	int rc;

	if (h == NULL || h->granted || h->lookup != lk->id) {
		/* The entry this lookup was for went (revoke, shard closed, stop). */
		goto out;
	}
	if (h->stale) {
		h->stale = false;
		rc = lookup_send(tgt, h);
		if (rc != 0)
			hdl_drop(h, rc);
		goto out;
	}
	rc = status;
	if (rc == 0 && rpc_hdl_info_decode(body, len, &info) != 0)
		rc = -DER_PROTO;
	if (rc == 0 &&
	    (uuid_compare(info.coh, h->coh) != 0 || uuid_compare(info.pool, h->pool) != 0 ||
	     uuid_compare(info.cont, h->cont) != 0))
		rc = -DER_NO_HDL;
	if (rc != 0) {
		D_DEBUG(DB_MD, "target %u: handle " DF_UUID " refused: " DF_RC, tgt->idx,
			DP_UUID(h->coh), DP_RC(rc));
		hdl_drop(h, rc);
	} else {
		uuid_copy(h->poh, info.poh);
		h->flags = info.flags;
		h->caps = info.caps;
		h->granted = true;
		hdl_resume_parked(h, 0);
	}
out:
	d_free(lk);
	tgt_put(tgt);
}

/* Ask the pool service about @h. 0, or the error (no lookup is then running). */
static int
lookup_send(struct eng_tgt *tgt, struct tgt_hdl *h)
{
	struct net_ctx *ctx = eng_xs_net(tgt->xs);
	struct rpc_hdl_info info = { 0 };
	uint8_t body[128];
	struct hdl_lookup *lk;
	struct net_peer *peer;
	size_t len;
	int rc;

	uuid_copy(info.pool, h->pool);
	uuid_copy(info.cont, h->cont);
	uuid_copy(info.coh, h->coh);
	len = rpc_hdl_info_encode(&info, body, sizeof(body));
	D_ASSERT(len > 0);
	rc = net_group_peer(tgt->eng->group, ctx, h->svc_rank, 0, &peer);
	if (rc != 0) {
		D_ERROR("target %u: no route to the pool service on rank %u: " DF_RC, tgt->idx,
			h->svc_rank, DP_RC(rc));
		return rc == -DER_OOG ? -DER_NO_HDL : rc;
	}
	lk = d_calloc(1, sizeof(*lk));
	if (lk == NULL)
		return -DER_NOMEM;
	lk->tgt = tgt;
	uuid_copy(lk->coh, h->coh);
	lk->id = ++tgt->nr_lookups;
	h->lookup = lk->id;
	rc = net_req_send(ctx, peer, RPC_HDL_LOOKUP, body, len, tgt->eng->args.crt_timeout * 1000,
			  lookup_done, lk);
	if (rc != 0) {
		d_free(lk);
		return rc;
	}
	tgt->nr_active++;
	return 0;
}

bool
tgt_has_shard(struct eng_tgt *tgt, const uuid_t pool)
{
	return engine_shard_pool(tgt->idx, pool) != NULL;
}

void
tgt_req_start(struct eng_tgt *tgt, struct tgt_req *req)
{
	const struct rpc_obj_hdr *hdr = req->hdr;
	struct tgt_hdl *h;
	int rc;

	req->tgt = tgt;
	tgt->nr_active++;
	if (!tgt_has_shard(tgt, hdr->pool)) {
		req->resume(req, -DER_NO_HDL);
		return;
	}
	h = hdl_find(tgt, hdr->coh);
	if (h != NULL && h->granted) {
		req->resume(req, hdl_check(h, hdr, req->write));
		return;
	}
	if (h != NULL) {
		d_list_add_tail(&req->link, &h->parked);
		return;
	}
	h = d_calloc(1, sizeof(*h));
	if (h == NULL) {
		req->resume(req, -DER_NOMEM);
		return;
	}
	uuid_copy(h->coh, hdr->coh);
	uuid_copy(h->pool, hdr->pool);
	uuid_copy(h->cont, hdr->cont);
	h->svc_rank = hdr->svc_rank;
	D_INIT_LIST_HEAD(&h->parked);
	rc = lookup_send(tgt, h);
	if (rc != 0) {
		d_free(h);
		req->resume(req, rc);
		return;
	}
	d_list_add_tail(&h->link, &tgt->hdls[bucket(h->coh)]);
	d_list_add_tail(&req->link, &h->parked);
}

/* Apply one revoke entry of pool @pool on @tgt. */
static void
hdl_revoke_one(struct eng_tgt *tgt, const uuid_t pool, uint8_t kind, const uuid_t uuid)
{
	struct tgt_hdl *h;
	struct tgt_hdl *tmp;
	unsigned int b;

	for (b = 0; b < TGT_HASH_BUCKETS; b++) {
		d_list_for_each_entry_safe(h, tmp, &tgt->hdls[b], link) {
			bool match;

			if (uuid_compare(h->pool, pool) != 0)
				continue;
			switch (kind) {
			case RPC_REVOKE_POH:
				/* A running lookup does not know its pool handle yet. */
				match = !h->granted || uuid_compare(h->poh, uuid) == 0;
				break;
			case RPC_REVOKE_COH:
				match = uuid_compare(h->coh, uuid) == 0;
				break;
			default:
				match = uuid_compare(h->cont, uuid) == 0;
				break;
			}
			if (!match)
				continue;
			if (h->granted)
				hdl_drop(h, 0);
			else
				h->stale = true;
		}
	}
}

/* --- containers --- */

struct tgt_cont *
tgt_cont_find(struct eng_tgt *tgt, const uuid_t pool, const uuid_t cont)
{
	struct tgt_cont *c;

	d_list_for_each_entry(c, &tgt->conts[bucket(cont)], link)
		if (uuid_compare(c->cont, cont) == 0 && uuid_compare(c->pool, pool) == 0)
			return c;
	return NULL;
}

static void
cont_close(struct tgt_cont *c)
{
	d_list_del(&c->link);
	vos_cont_close(c->vc);
	d_free(c);
}

static void
cont_created(void *arg, int status)
{
	(void)arg;
	/* The updates logged after the create report the same failure to their clients. */
	if (status != 0)
		D_ERROR("a container create did not become durable: " DF_RC, DP_RC(status));
}

int
tgt_cont_get(struct tgt_req *req, bool create, struct vos_cont **out)
{
	struct eng_tgt *tgt = req->tgt;
	const unsigned char *pool = req->hdr->pool;
	const unsigned char *cont = req->hdr->cont;
	struct vos_pool *vp = engine_shard_pool(tgt->idx, pool);
	struct tgt_cont *c;
	int rc;

	if (vp == NULL || (tgt->closing && uuid_compare(tgt->closing_pool, pool) == 0))
		return -DER_NO_HDL;
	c = tgt_cont_find(tgt, pool, cont);
	if (c != NULL) {
		tgt_cont_used(c, req);
		*out = c->vc;
		return 0;
	}
	c = d_calloc(1, sizeof(*c));
	if (c == NULL)
		return -DER_NOMEM;
	rc = vos_cont_open(vp, cont, &c->vc);
	if (rc == -DER_NONEXIST && create) {
		rc = vos_cont_create(vp, cont, cont_created, NULL);
		if (rc == 0)
			rc = vos_cont_open(vp, cont, &c->vc);
		if (rc == 0)
			D_DEBUG(DB_MD, "target %u: container " DF_UUID " created", tgt->idx,
				DP_UUID(cont));
	}
	if (rc != 0) {
		d_free(c);
		return rc;
	}
	uuid_copy(c->pool, pool);
	uuid_copy(c->cont, cont);
	d_list_add_tail(&c->link, &tgt->conts[bucket(cont)]);
	tgt_cont_used(c, req);
	*out = c->vc;
	return 0;
}

void
engine_obj_shard_closing(const uuid_t pool)
{
	struct eng_tgt *tgt = self;
	struct tgt_hdl *h;
	struct tgt_hdl *htmp;
	struct tgt_cont *c;
	struct tgt_cont *ctmp;
	unsigned int b;

	if (tgt == NULL)
		return;
	for (b = 0; b < TGT_HASH_BUCKETS; b++) {
		d_list_for_each_entry_safe(h, htmp, &tgt->hdls[b], link)
			if (uuid_compare(h->pool, pool) == 0)
				hdl_drop(h, -DER_NO_HDL);
		d_list_for_each_entry_safe(c, ctmp, &tgt->conts[b], link)
			if (uuid_compare(c->pool, pool) == 0)
				cont_close(c);
	}
	/* No new I/O reaches the pool; transfers into its room must end before it closes. */
	tgt->closing = true;
	uuid_copy(tgt->closing_pool, pool);
	tgt_zc_drain(tgt, pool, NULL, ZC_DRAIN_MS, true);
	tgt->closing = false;
}

/* --- start and stop --- */

int
engine_obj_tgt_start(struct engine *eng, struct eng_xs *xs)
{
	struct eng_tgt *tgt;
	unsigned int b;
	int rc;

	D_ASSERT(self == NULL && eng_xs_idx(xs) > 0);
	tgt = d_calloc(1, sizeof(*tgt));
	if (tgt == NULL)
		return -DER_NOMEM;
	tgt->eng = eng;
	tgt->xs = xs;
	tgt->idx = eng_xs_idx(xs) - 1;
	for (b = 0; b < TGT_HASH_BUCKETS; b++) {
		D_INIT_LIST_HEAD(&tgt->hdls[b]);
		D_INIT_LIST_HEAD(&tgt->conts[b]);
	}
	D_INIT_LIST_HEAD(&tgt->zc_reqs);
	rc = tgt_obj_register(tgt);
	if (rc == 0)
		rc = tgt_aggr_start(tgt);
	if (rc != 0) {
		d_free(tgt);
		return rc;
	}
	self = tgt;
	return 0;
}

void
engine_obj_tgt_stop(struct eng_xs *xs)
{
	struct eng_tgt *tgt = self;
	struct tgt_hdl *h;
	struct tgt_req *req;
	struct tgt_cont *c;
	unsigned int b;

	(void)xs;
	if (tgt == NULL)
		return;
	self = NULL;
	tgt->stopped = true;
	tgt_aggr_stop(tgt);
	tgt_zc_watch_stop(tgt);
	tgt_obj_bufs_flush();
	for (b = 0; b < TGT_HASH_BUCKETS; b++) {
		while ((h = d_list_pop_entry(&tgt->hdls[b], struct tgt_hdl, link)) != NULL) {
			while ((req = d_list_pop_entry(&h->parked, struct tgt_req, link)) != NULL) {
				net_rpc_drop(req->rpc);
				req->free(req);
				tgt->nr_active--;
			}
			d_free(h);
		}
		while ((c = d_list_pop_entry(&tgt->conts[b], struct tgt_cont, link)) != NULL) {
			vos_cont_close(c->vc);
			d_free(c);
		}
	}
	/*
	 * Lookups and transfers still in flight end when the context closes, after this:
	 * the last of them frees the state.
	 */
	if (tgt->nr_active == 0)
		d_free(tgt);
}

/* --- work on every target, answered on the system xstream --- */

struct tgt_fanout {
	struct engine *eng;
	atomic_uint left;
	atomic_int rc;
	/* Runs on each target; ends with fanout_tgt_done(), now or later. */
	void (*op)(struct tgt_fanout *f, struct eng_tgt *tgt);
	engine_tgts_cb cb;
	void *arg;
	uuid_t pool;
	uuid_t cont;
	uint32_t nr;
	struct rpc_revoke_ent *ents;
};

static void
fanout_finish(void *arg)
{
	struct tgt_fanout *f = arg;

	f->cb(f->arg, atomic_load(&f->rc));
	d_free(f->ents);
	d_free(f);
}

static void
fanout_tgt_done(struct tgt_fanout *f, int rc)
{
	int zero = 0;

	if (rc != 0)
		atomic_compare_exchange_strong(&f->rc, &zero, rc);
	if (atomic_fetch_sub(&f->left, 1) == 1 && eng_xs_post(f->eng->sys, fanout_finish, f) != 0)
		D_ERROR("pool " DF_UUID ": cannot report back to the system xstream",
			DP_UUID(f->pool));
}

static void
fanout_run(void *arg)
{
	struct tgt_fanout *f = arg;
	struct eng_tgt *tgt = self;

	if (tgt == NULL)
		fanout_tgt_done(f, 0); /* not serving: nothing cached */
	else
		f->op(f, tgt);
}

static void
fanout_start(struct tgt_fanout *f)
{
	unsigned int n = f->eng->args.nr_targets;
	unsigned int t;

	atomic_store(&f->left, n);
	for (t = 0; t < n; t++) {
		struct eng_xs *xs = f->eng->tgts != NULL ? f->eng->tgts[t] : NULL;

		/* A target not started yet has nothing cached. */
		if (xs == NULL)
			fanout_tgt_done(f, 0);
		else if (eng_xs_post(xs, fanout_run, f) != 0)
			fanout_tgt_done(f, -DER_SHUTDOWN);
	}
}

static struct tgt_fanout *
fanout_new(struct engine *eng, const uuid_t pool, engine_tgts_cb cb, void *arg)
{
	struct tgt_fanout *f = d_calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->eng = eng;
	uuid_copy(f->pool, pool);
	f->cb = cb;
	f->arg = arg;
	return f;
}

static void
op_revoke(struct tgt_fanout *f, struct eng_tgt *tgt)
{
	uint32_t i;

	for (i = 0; i < f->nr; i++)
		hdl_revoke_one(tgt, f->pool, f->ents[i].kind, f->ents[i].uuid);
	fanout_tgt_done(f, 0);
}

int
engine_hdl_revoke(struct engine *eng, const uuid_t pool, const struct rpc_revoke_ent *ents,
		  uint32_t nr, engine_tgts_cb cb, void *arg)
{
	struct tgt_fanout *f;
	uint32_t i;

	if (nr == 0 || ents == NULL || cb == NULL)
		return -DER_INVAL;
	for (i = 0; i < nr; i++)
		if (ents[i].kind < RPC_REVOKE_POH || ents[i].kind > RPC_REVOKE_CONT)
			return -DER_INVAL;
	f = fanout_new(eng, pool, cb, arg);
	if (f == NULL)
		return -DER_NOMEM;
	f->ents = d_calloc(nr, sizeof(*f->ents));
	if (f->ents == NULL) {
		d_free(f);
		return -DER_NOMEM;
	}
	memcpy(f->ents, ents, nr * sizeof(*ents));
	f->nr = nr;
	f->op = op_revoke;
	fanout_start(f);
	return 0;
}

/* A target's container destroy became durable. */
struct cont_destroy_tgt {
	struct tgt_fanout *f;
	unsigned int tgt;
};

static void
cont_destroyed(void *arg, int status)
{
	struct cont_destroy_tgt *cd = arg;

	if (status != 0)
		D_ERROR("pool " DF_UUID " target %u: container " DF_UUID " not destroyed: " DF_RC,
			DP_UUID(cd->f->pool), cd->tgt, DP_UUID(cd->f->cont), DP_RC(status));
	fanout_tgt_done(cd->f, status);
	d_free(cd);
}

static void
op_cont_destroy(struct tgt_fanout *f, struct eng_tgt *tgt)
{
	struct vos_pool *vp = engine_shard_pool(tgt->idx, f->pool);
	struct cont_destroy_tgt *cd;
	struct tgt_cont *c;
	int rc;

	hdl_revoke_one(tgt, f->pool, RPC_REVOKE_CONT, f->cont);
	c = tgt_cont_find(tgt, f->pool, f->cont);
	if (c != NULL)
		cont_close(c);
	if (vp == NULL) {
		fanout_tgt_done(f, 0);
		return;
	}
	cd = d_calloc(1, sizeof(*cd));
	if (cd == NULL) {
		fanout_tgt_done(f, -DER_NOMEM);
		return;
	}
	cd->f = f;
	cd->tgt = tgt->idx;
	/* Updates still pulling hold the container open (-DER_BUSY if they do not end). */
	tgt_zc_drain(tgt, f->pool, f->cont, ZC_DRAIN_MS, false);
	rc = vos_cont_destroy(vp, f->cont, cont_destroyed, cd);
	if (rc != 0) {
		d_free(cd);
		fanout_tgt_done(f, rc == -DER_NONEXIST ? 0 : rc);
	}
}

int
engine_cont_tgt_destroy(struct engine *eng, const uuid_t pool, const uuid_t cont, engine_tgts_cb cb,
			void *arg)
{
	struct tgt_fanout *f;

	if (cb == NULL)
		return -DER_INVAL;
	f = fanout_new(eng, pool, cb, arg);
	if (f == NULL)
		return -DER_NOMEM;
	uuid_copy(f->cont, cont);
	f->op = op_cont_destroy;
	fanout_start(f);
	return 0;
}

/* --- the same as RPCs from the pool service (system xstream) --- */

static void
rpc_tgts_done(void *arg, int rc)
{
	net_rpc_reply(arg, rc, NULL, 0);
}

static void
h_hdl_revoke(struct net_rpc *rpc, void *arg)
{
	struct engine *eng = arg;
	struct rpc_hdl_revoke_in in;
	const void *body;
	size_t len;
	int rc;

	body = net_rpc_body(rpc, &len);
	rc = rpc_hdl_revoke_in_decode(body, len, &in);
	if (rc == 0) {
		rc = engine_hdl_revoke(eng, in.pool, in.ents, in.nr, rpc_tgts_done, rpc);
		rpc_hdl_revoke_in_fini(&in);
	}
	if (rc != 0)
		net_rpc_reply(rpc, rc, NULL, 0);
}

static void
h_cont_tgt_destroy(struct net_rpc *rpc, void *arg)
{
	struct engine *eng = arg;
	const void *body;
	size_t len;
	uuid_t pu = { 0 };
	uuid_t cu = { 0 };
	int rc;

	body = net_rpc_body(rpc, &len);
	if (rpc_cont_id_decode(body, len, pu, cu) != 0) {
		net_rpc_reply(rpc, -DER_PROTO, NULL, 0);
		return;
	}
	rc = engine_cont_tgt_destroy(eng, pu, cu, rpc_tgts_done, rpc);
	if (rc != 0)
		net_rpc_reply(rpc, rc, NULL, 0);
}

int
engine_obj_register(struct engine *eng)
{
	struct net_ctx *ctx = eng_xs_net(eng->sys);
	int rc;

	rc = net_handler_register(ctx, RPC_HDL_REVOKE, "hdl_revoke", h_hdl_revoke, eng);
	if (rc == 0)
		rc = net_handler_register(ctx, RPC_CONT_TGT_DESTROY, "cont_tgt_destroy",
					  h_cont_tgt_destroy, eng);
	return rc;
}
