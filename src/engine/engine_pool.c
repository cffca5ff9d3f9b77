/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_pool.c - the engine's storage and pool shards.
 *
 * Devices: the bdev description file (-n, daos_nvme.conf) names the devices of each
 * role; they are opened and their blob tables loaded at start. Target t puts a role's
 * blob on device t mod (devices of that role's tier), so the targets spread over the
 * devices as DAOS spreads them over SSDs.
 *
 * A pool shard is a VOS pool per target: a WAL blob, a meta blob (two checkpoint slots
 * of the index) and a data blob, sized by pool_sizes.h from the pool's SCM share (the
 * index memory allowed) and NVMe share (the data blob) per target. Shards are created, opened,
 * queried and destroyed on their target's xstream (VOS counts index memory per thread);
 * at start every shard found on the devices is opened again.
 *
 * Before a shard closes, the target's data path drops the handles and containers it
 * holds of it (engine_obj_shard_closing(), engine_hdl.c).
 *
 * The pool service (engine_psvc.c) asks for shards through engine_shards_*() on its own
 * rank and through the ENGINE_OPC_POOL_TGT_* fabric RPCs (served here, on the system
 * xstream) on the others; each completes once every target has done its part.
 */
#define D_LOGFAC DD_FAC(pool)

#include <gurt/common.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "engine/engine.h"
#include "engine/pool_sizes.h"
#include "vos/vos.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* A shard of a pool on one target. */
struct shard {
	d_list_t link;
	uuid_t uuid;
	struct vos_pool *pool;
};

/* Per-target state, touched by the target's xstream only. */
struct tgt_state {
	d_list_t shards;
};

static struct tgt_state *tgts;

/* --- devices --- */

int
engine_storage_open(struct engine *eng)
{
	struct engine_storage *st = &eng->storage;
	char err[512] = "";
	unsigned int t;
	unsigned int d;
	int rc;

	tgts = d_calloc(eng->args.nr_targets, sizeof(*tgts));
	if (tgts == NULL)
		return -DER_NOMEM;
	for (t = 0; t < eng->args.nr_targets; t++)
		D_INIT_LIST_HEAD(&tgts[t].shards);
	if (eng->args.nvme_conf == NULL) {
		D_NOTE("engine %u: no bdev description (-n): pools cannot be created",
		       eng->args.idx);
		return 0;
	}
	rc = bio_conf_read(eng->args.nvme_conf, &st->conf, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "daos_engine: %s\n", err);
		return rc;
	}
	for (t = 0; t < st->conf.nr_tiers; t++) {
		const struct bio_conf_tier *ct = &st->conf.tiers[t];

		st->devs[t] = d_calloc(ct->nr_devices, sizeof(struct bio_dev *));
		if (st->devs[t] == NULL)
			return -DER_NOMEM;
		for (d = 0; d < ct->nr_devices; d++) {
			rc = bio_dev_open(ct->devices[d], 0,
					  ct->class == BIO_CONF_KDEV ? BIO_DEV_KDEV : 0,
					  &st->devs[t][d]);
			if (rc == 0)
				rc = bio_dev_load(st->devs[t][d]);
			if (rc != 0) {
				fprintf(stderr,
					"daos_engine: %s: cannot open the device: " DF_RC "\n",
					ct->devices[d], DP_RC(rc));
				return rc;
			}
		}
	}
	st->ready = true;
	return 0;
}

void
engine_storage_close(struct engine *eng)
{
	struct engine_storage *st = &eng->storage;
	unsigned int t;
	unsigned int d;

	for (t = 0; t < st->conf.nr_tiers; t++) {
		for (d = 0; st->devs[t] != NULL && d < st->conf.tiers[t].nr_devices; d++)
			bio_dev_close(st->devs[t][d]);
		d_free(st->devs[t]);
		st->devs[t] = NULL;
	}
	bio_conf_fini(&st->conf);
	d_free(tgts);
	tgts = NULL;
	st->ready = false;
}

struct bio_dev *
engine_role_dev(struct engine *eng, unsigned int role, unsigned int tgt)
{
	struct engine_storage *st = &eng->storage;
	unsigned int t;

	for (t = 0; t < st->conf.nr_tiers; t++)
		if (st->conf.tiers[t].roles & role)
			return st->devs[t][tgt % st->conf.tiers[t].nr_devices];
	return NULL;
}

static void
shard_attr(struct engine *eng, unsigned int tgt, const uuid_t uuid, uint64_t scm, uint64_t nvme,
	   struct vos_pool_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	uuid_copy(attr->uuid, uuid);
	attr->target = tgt;
	attr->wal_dev = engine_role_dev(eng, BIO_ROLE_WAL, tgt);
	attr->meta_dev = engine_role_dev(eng, BIO_ROLE_META, tgt);
	attr->data_dev = nvme > 0 ? engine_role_dev(eng, BIO_ROLE_DATA, tgt) : NULL;
	attr->wal_size = vos_pool_wal_size(scm);
	attr->meta_size = vos_pool_meta_size(scm);
	attr->data_size = nvme;
	attr->mem_limit = scm;
	attr->ioq = eng_xs_ioq(eng->tgts[tgt]);
}

static struct shard *
shard_find(unsigned int tgt, const uuid_t uuid)
{
	struct shard *s;

	d_list_for_each_entry(s, &tgts[tgt].shards, link)
		if (uuid_compare(s->uuid, uuid) == 0)
			return s;
	return NULL;
}

struct vos_pool *
engine_shard_pool(unsigned int tgt, const uuid_t uuid)
{
	struct shard *s;

	if (tgts == NULL)
		return NULL;
	s = shard_find(tgt, uuid);
	return s == NULL ? NULL : s->pool;
}

/* --- work spread over the targets --- */

/* One request fanned out to every target; @done runs on the system xstream at the end. */
struct fanout {
	struct engine *eng;
	uuid_t uuid;
	uint64_t scm;
	uint64_t nvme;
	atomic_uint left;
	atomic_int rc;
	int err;    /* the error a create's undo answers with */
	bool *made; /* create: the targets whose shard this request made */
	/* query results, per target */
	struct vos_pool_info *info;
	void (*op)(struct fanout *f, unsigned int tgt);
	void (*done)(struct fanout *f);
	engine_shards_cb cb;
	void *arg;
};

struct fanout_tgt {
	struct fanout *f;
	unsigned int tgt;
};

static void
fanout_finish(void *arg)
{
	struct fanout *f = arg;

	f->done(f);
}

static void
fanout_run(void *arg)
{
	struct fanout_tgt *ft = arg;
	struct fanout *f = ft->f;

	f->op(f, ft->tgt);
	d_free(ft);
	if (atomic_fetch_sub(&f->left, 1) == 1 && eng_xs_post(f->eng->sys, fanout_finish, f) != 0)
		D_ERROR("pool " DF_UUID ": cannot report back to the system xstream",
			DP_UUID(f->uuid));
}

static void
fanout_start(struct fanout *f)
{
	unsigned int n = f->eng->args.nr_targets;
	unsigned int t;

	atomic_store(&f->left, n);
	for (t = 0; t < n; t++) {
		struct fanout_tgt *ft = d_malloc(sizeof(*ft));

		if (ft == NULL) {
			/* Count the targets never reached as failed. */
			atomic_store(&f->rc, -DER_NOMEM);
			if (atomic_fetch_sub(&f->left, n - t) == n - t)
				eng_xs_post(f->eng->sys, fanout_finish, f);
			return;
		}
		ft->f = f;
		ft->tgt = t;
		if (eng_xs_post(f->eng->tgts[t], fanout_run, ft) != 0) {
			d_free(ft);
			atomic_store(&f->rc, -DER_SHUTDOWN);
			if (atomic_fetch_sub(&f->left, 1) == 1)
				eng_xs_post(f->eng->sys, fanout_finish, f);
		}
	}
}

static void
fanout_set_rc(struct fanout *f, int rc)
{
	int zero = 0;

	if (rc != 0)
		atomic_compare_exchange_strong(&f->rc, &zero, rc);
}

/* --- target-side operations --- */

static void
op_create(struct fanout *f, unsigned int tgt)
{
	struct vos_pool_attr attr;
	struct shard *s;
	int rc;

	if (shard_find(tgt, f->uuid) != NULL) {
		fanout_set_rc(f, -DER_EXIST);
		return;
	}
	shard_attr(f->eng, tgt, f->uuid, f->scm, f->nvme, &attr);
	s = d_calloc(1, sizeof(*s));
	if (s == NULL) {
		fanout_set_rc(f, -DER_NOMEM);
		return;
	}
	rc = vos_pool_create(&attr);
	if (rc == 0) {
		rc = vos_pool_open(&attr, &s->pool);
		if (rc != 0)
			vos_pool_destroy(&attr);
	}
	if (rc != 0) {
		D_ERROR("pool " DF_UUID " target %u: shard not created: " DF_RC, DP_UUID(f->uuid),
			tgt, DP_RC(rc));
		d_free(s);
		fanout_set_rc(f, rc);
		return;
	}
	uuid_copy(s->uuid, f->uuid);
	d_list_add_tail(&s->link, &tgts[tgt].shards);
	f->made[tgt] = true;
}

/* Whether target @tgt has blobs of pool @uuid (a shard that could not be opened, say). */
static bool
shard_on_disk(struct engine *eng, unsigned int tgt, const uuid_t uuid)
{
	struct bio_blob_id id = { .target = tgt, .role = BIO_ROLE_META };
	struct bio_dev *dev = engine_role_dev(eng, BIO_ROLE_META, tgt);
	struct bio_blob *blob;

	uuid_copy(id.pool, uuid);
	if (dev == NULL || bio_blob_open(dev, &id, &blob) != 0)
		return false;
	bio_blob_close(blob);
	return true;
}

static void
op_destroy(struct fanout *f, unsigned int tgt)
{
	struct vos_pool_attr attr;
	struct shard *s = shard_find(tgt, f->uuid);
	int rc;

	if (s == NULL && !shard_on_disk(f->eng, tgt, f->uuid)) {
		fanout_set_rc(f, -DER_NONEXIST);
		return;
	}
	if (s != NULL) {
		engine_obj_shard_closing(f->uuid);
		vos_pool_close(s->pool);
		d_list_del(&s->link);
		d_free(s);
	}
	shard_attr(f->eng, tgt, f->uuid, 0, 1, &attr);
	rc = vos_pool_destroy(&attr);
	if (rc != 0 && rc != -DER_NONEXIST)
		fanout_set_rc(f, rc);
}

static void
op_query(struct fanout *f, unsigned int tgt)
{
	struct shard *s = shard_find(tgt, f->uuid);

	if (s == NULL) {
		fanout_set_rc(f, -DER_NONEXIST);
		return;
	}
	vos_pool_query(s->pool, &f->info[tgt]);
}

/* Cleanup of a failed create: the shards it made go away (not those that existed). */
static void
op_undo(struct fanout *f, unsigned int tgt)
{
	struct vos_pool_attr attr;
	struct shard *s = shard_find(tgt, f->uuid);

	if (s == NULL || !f->made[tgt])
		return;
	engine_obj_shard_closing(f->uuid);
	vos_pool_close(s->pool);
	d_list_del(&s->link);
	d_free(s);
	shard_attr(f->eng, tgt, f->uuid, 0, 1, &attr);
	vos_pool_destroy(&attr);
}

/* --- the local API (system xstream) --- */

static void
fanout_free(struct fanout *f)
{
	d_free(f->info);
	d_free(f->made);
	d_free(f);
}

/* Report @rc (and the query results) to the caller and free @f. */
static void
fanout_end(struct fanout *f, int rc)
{
	f->cb(f->arg, rc, f->info, f->eng->args.nr_targets);
	fanout_free(f);
}

static void
plain_done(struct fanout *f)
{
	fanout_end(f, atomic_load(&f->rc));
}

/* The failed create's shards are gone: now report (so a retry cannot race the undo). */
static void
undo_done(struct fanout *f)
{
	fanout_end(f, f->err);
}

static void
create_done(struct fanout *f)
{
	int rc = atomic_load(&f->rc);

	if (rc == 0) {
		D_INFO("pool " DF_UUID ": shards on %u targets (%" PRIu64 " + %" PRIu64
		       " bytes each)",
		       DP_UUID(f->uuid), f->eng->args.nr_targets, f->scm, f->nvme);
		fanout_end(f, 0);
		return;
	}
	/* Reuse @f for the undo: the same targets, the shards it made. */
	f->err = rc;
	f->op = op_undo;
	f->done = undo_done;
	atomic_store(&f->rc, 0);
	fanout_start(f);
}

static struct fanout *
fanout_new(struct engine *eng, const uuid_t uuid, engine_shards_cb cb, void *arg)
{
	struct fanout *f = d_calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->eng = eng;
	uuid_copy(f->uuid, uuid);
	f->cb = cb;
	f->arg = arg;
	f->done = plain_done;
	return f;
}

int
engine_shards_create(struct engine *eng, const uuid_t uuid, uint64_t scm, uint64_t nvme,
		     engine_shards_cb cb, void *arg)
{
	unsigned int n = eng->args.nr_targets;
	struct fanout *f;

	if (!eng->storage.ready)
		return -DER_UNINIT;
	if (scm / n < POOL_SHARD_SCM_MIN)
		return -DER_INVAL;
	f = fanout_new(eng, uuid, cb, arg);
	if (f == NULL)
		return -DER_NOMEM;
	f->made = d_calloc(n, sizeof(bool));
	if (f->made == NULL) {
		d_free(f);
		return -DER_NOMEM;
	}
	f->scm = scm / n;
	f->nvme = nvme / n;
	f->op = op_create;
	f->done = create_done;
	fanout_start(f);
	return 0;
}

int
engine_shards_destroy(struct engine *eng, const uuid_t uuid, engine_shards_cb cb, void *arg)
{
	struct fanout *f;

	if (!eng->storage.ready)
		return -DER_NONEXIST;
	f = fanout_new(eng, uuid, cb, arg);
	if (f == NULL)
		return -DER_NOMEM;
	f->op = op_destroy;
	fanout_start(f);
	return 0;
}

int
engine_shards_query(struct engine *eng, const uuid_t uuid, engine_shards_cb cb, void *arg)
{
	struct fanout *f;

	if (!eng->storage.ready)
		return -DER_NONEXIST;
	f = fanout_new(eng, uuid, cb, arg);
	if (f == NULL)
		return -DER_NOMEM;
	f->info = d_calloc(eng->args.nr_targets, sizeof(*f->info));
	if (f->info == NULL) {
		d_free(f);
		return -DER_NOMEM;
	}
	f->op = op_query;
	fanout_start(f);
	return 0;
}

/* --- the same over the fabric, for the pool service of another rank --- */

static void
rpc_shards_done(void *arg, int rc, const struct vos_pool_info *info, unsigned int nr)
{
	struct net_rpc *rpc = arg;
	uint8_t body[NET_BODY_MAX];
	size_t len = 0;

	if (rc == 0) {
		switch (net_rpc_opcode(rpc)) {
		case ENGINE_OPC_POOL_TGT_CREATE:
			len = engine_tgt_create_reply_encode(nr, body, sizeof(body));
			break;
		case ENGINE_OPC_POOL_TGT_QUERY:
			len = engine_tgt_query_reply_encode(info, nr, body, sizeof(body));
			if (len == 0)
				rc = -DER_OVERFLOW;
			break;
		default:
			break;
		}
	}
	net_rpc_reply(rpc, rc, body, len);
}

static void
h_tgt_rpc(struct net_rpc *rpc, void *arg)
{
	struct engine *eng = arg;
	struct engine_tgt_req in;
	const void *body;
	size_t len;
	int rc;

	body = net_rpc_body(rpc, &len);
	rc = engine_tgt_req_decode(body, len, &in);
	if (rc != 0) {
		net_rpc_reply(rpc, rc, NULL, 0);
		return;
	}
	switch (net_rpc_opcode(rpc)) {
	case ENGINE_OPC_POOL_TGT_CREATE:
		rc = engine_shards_create(eng, in.uuid, in.scm, in.nvme, rpc_shards_done, rpc);
		break;
	case ENGINE_OPC_POOL_TGT_DESTROY:
		rc = engine_shards_destroy(eng, in.uuid, rpc_shards_done, rpc);
		break;
	default:
		rc = engine_shards_query(eng, in.uuid, rpc_shards_done, rpc);
		break;
	}
	if (rc != 0)
		net_rpc_reply(rpc, rc, NULL, 0);
}

int
engine_pool_register(struct engine *eng)
{
	struct net_ctx *ctx = eng_xs_net(eng->sys);
	int rc;

	rc = net_handler_register(ctx, ENGINE_OPC_POOL_TGT_CREATE, "pool_tgt_create", h_tgt_rpc,
				  eng);
	if (rc == 0)
		rc = net_handler_register(ctx, ENGINE_OPC_POOL_TGT_DESTROY, "pool_tgt_destroy",
					  h_tgt_rpc, eng);
	if (rc == 0)
		rc = net_handler_register(ctx, ENGINE_OPC_POOL_TGT_QUERY, "pool_tgt_query",
					  h_tgt_rpc, eng);
	return rc;
}

/* --- shards found at start, and closing them at stop --- */

struct found {
	uuid_t *uuids;
	unsigned int nr;
	uint32_t target;
};

static int
found_meta(const struct bio_blob_id *id, uint64_t size, void *arg)
{
	struct found *fd = arg;
	uuid_t *n;

	(void)size;
	if (id->role != BIO_ROLE_META || id->target != fd->target)
		return 0;
	n = d_reallocarray(fd->uuids, fd->nr + 1, sizeof(*n));
	if (n == NULL)
		return -DER_NOMEM;
	fd->uuids = n;
	uuid_copy(fd->uuids[fd->nr++], id->pool);
	return 0;
}

int
engine_meta_blobs(struct bio_dev *dev, uint32_t target, uuid_t **uuids, unsigned int *nr)
{
	struct found fd = { NULL, 0, target };
	int rc;

	*uuids = NULL;
	*nr = 0;
	if (dev == NULL)
		return 0;
	rc = bio_blob_iterate(dev, found_meta, &fd);
	if (rc != 0) {
		d_free(fd.uuids);
		return rc;
	}
	*uuids = fd.uuids;
	*nr = fd.nr;
	return 0;
}

static void
open_existing(void *arg)
{
	struct engine *eng = &engine;
	unsigned int tgt = (unsigned int)(uintptr_t)arg;
	struct found fd = { NULL, 0, tgt };
	unsigned int i;

	if (engine_meta_blobs(engine_role_dev(eng, BIO_ROLE_META, tgt), tgt, &fd.uuids, &fd.nr) !=
	    0)
		return;
	for (i = 0; i < fd.nr; i++) {
		struct vos_pool_attr attr;
		struct shard *s = d_calloc(1, sizeof(*s));
		int rc;

		if (s == NULL)
			break;
		shard_attr(eng, tgt, fd.uuids[i], 0, 1, &attr);
		attr.mem_limit = 0; /* as the meta blob allows */
		rc = vos_pool_open(&attr, &s->pool);
		if (rc != 0) {
			D_ERROR("pool " DF_UUID " target %u: shard cannot be opened: " DF_RC,
				DP_UUID(fd.uuids[i]), tgt, DP_RC(rc));
			d_free(s);
			continue;
		}
		uuid_copy(s->uuid, fd.uuids[i]);
		d_list_add_tail(&s->link, &tgts[tgt].shards);
	}
	d_free(fd.uuids);
}

int
engine_pool_open_all(struct engine *eng)
{
	unsigned int t;
	int rc = 0;

	if (!eng->storage.ready)
		return 0;
	for (t = 0; rc == 0 && t < eng->args.nr_targets; t++)
		rc = eng_xs_exec(eng->tgts[t], open_existing, (void *)(uintptr_t)t);
	return rc;
}

static void
close_all(void *arg)
{
	unsigned int tgt = (unsigned int)(uintptr_t)arg;
	struct shard *s;

	while ((s = d_list_pop_entry(&tgts[tgt].shards, struct shard, link)) != NULL) {
		engine_obj_shard_closing(s->uuid);
		vos_pool_close(s->pool);
		d_free(s);
	}
}

void
engine_pool_close_all(struct engine *eng)
{
	unsigned int t;

	if (tgts == NULL || eng->tgts == NULL)
		return;
	for (t = 0; t < eng->args.nr_targets; t++)
		if (eng->tgts[t] != NULL)
			eng_xs_exec(eng->tgts[t], close_all, (void *)(uintptr_t)t);
}
