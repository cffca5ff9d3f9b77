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
 * dRPC (system xstream): PoolCreate (EnginePoolCreateReq: shards on every local target,
 * then the answer), PoolDestroy and PoolQuery (PoolIdReq by uuid), answered once every
 * target has done its part.
 */
#define D_LOGFAC DD_FAC(pool)

#include <gurt/common.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "engine/engine.h"
#include "engine/pool_sizes.h"
#include "mgmt.pb-c.h"
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

/* The device target @tgt uses for @role. */
static struct bio_dev *
role_dev(struct engine *eng, unsigned int role, unsigned int tgt)
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
	attr->wal_dev = role_dev(eng, BIO_ROLE_WAL, tgt);
	attr->meta_dev = role_dev(eng, BIO_ROLE_META, tgt);
	attr->data_dev = nvme > 0 ? role_dev(eng, BIO_ROLE_DATA, tgt) : NULL;
	attr->wal_size = pool_shard_wal_size(scm);
	attr->meta_size = pool_shard_meta_size(scm);
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
	struct drpc_req *req;
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

static int
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
			return 0;
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
	return 0;
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
	struct bio_dev *dev = role_dev(eng, BIO_ROLE_META, tgt);
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
	vos_pool_close(s->pool);
	d_list_del(&s->link);
	d_free(s);
	shard_attr(f->eng, tgt, f->uuid, 0, 1, &attr);
	vos_pool_destroy(&attr);
}

/* --- dRPC handlers (system xstream) --- */

static void
fanout_free(struct fanout *f)
{
	d_free(f->info);
	d_free(f->made);
	d_free(f);
}

/* The failed create's shards are gone: now answer (so a retry cannot race the undo). */
static void
undo_done(struct fanout *f)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "pool shards not created on rank %u: " DF_RC, f->eng->rank,
		 DP_RC(f->err));
	engine_reply_status(f->req, f->err, msg);
	fanout_free(f);
}

static void
create_done(struct fanout *f)
{
	int rc = atomic_load(&f->rc);

	if (rc != 0) {
		struct fanout *u = d_calloc(1, sizeof(*u));

		if (u == NULL) {
			engine_reply_status(f->req, rc, "pool shards not created");
		} else {
			u->eng = f->eng;
			uuid_copy(u->uuid, f->uuid);
			u->op = op_undo;
			u->done = undo_done;
			u->req = f->req;
			u->err = rc;
			u->made = f->made;
			f->made = NULL;
			fanout_start(u);
		}
	} else {
		D_INFO("pool " DF_UUID ": shards on %u targets (%" PRIu64 " + %" PRIu64
		       " bytes each)",
		       DP_UUID(f->uuid), f->eng->args.nr_targets, f->scm, f->nvme);
		engine_reply_status(f->req, 0, NULL);
	}
	fanout_free(f);
}

static void
h_pool_create(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	struct engine *eng = arg;
	Mgmt__EnginePoolCreateReq *in;
	struct fanout *f;

	in = mgmt__engine_pool_create_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	f = d_calloc(1, sizeof(*f));
	if (f == NULL) {
		engine_reply_status(req, -DER_NOMEM, NULL);
	} else if (!eng->storage.ready) {
		engine_reply_status(req, -DER_UNINIT, "this engine has no storage (no -n file)");
		d_free(f);
	} else if (uuid_parse(in->uuid, f->uuid) != 0) {
		engine_reply_status(req, -DER_INVAL, "PoolCreate: not a pool uuid");
		d_free(f);
	} else if (in->scm_bytes < 16 * MiB) {
		engine_reply_status(req, -DER_INVAL,
				    "PoolCreate: less than 16 MiB of SCM per target");
		d_free(f);
	} else if ((f->made = d_calloc(eng->args.nr_targets, sizeof(bool))) == NULL) {
		engine_reply_status(req, -DER_NOMEM, NULL);
		d_free(f);
	} else {
		f->eng = eng;
		f->scm = in->scm_bytes;
		f->nvme = in->nvme_bytes;
		f->op = op_create;
		f->done = create_done;
		f->req = req;
		fanout_start(f);
	}
	mgmt__engine_pool_create_req__free_unpacked(in, &proto_allocator);
}

static void
destroy_done(struct fanout *f)
{
	int rc = atomic_load(&f->rc);

	if (rc == 0)
		D_INFO("pool " DF_UUID ": shards destroyed", DP_UUID(f->uuid));
	engine_reply_status(f->req, rc, rc == -DER_NONEXIST ? "no such pool on this engine" : NULL);
	fanout_free(f);
}

/* Decode a PoolIdReq whose id is a uuid; NULL after replying if it is not one. */
static struct fanout *
fanout_for(struct drpc_req *req, struct engine *eng)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	Mgmt__PoolIdReq *in;
	struct fanout *f;

	in = mgmt__pool_id_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return NULL;
	}
	f = d_calloc(1, sizeof(*f));
	if (f == NULL) {
		engine_reply_status(req, -DER_NOMEM, NULL);
	} else if (uuid_parse(in->id, f->uuid) != 0) {
		engine_reply_status(req, -DER_INVAL, "not a pool uuid");
		d_free(f);
		f = NULL;
	} else {
		f->eng = eng;
		f->req = req;
	}
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
	return f;
}

static void
h_pool_destroy(struct drpc_req *req, void *arg)
{
	struct fanout *f = fanout_for(req, arg);

	if (f == NULL)
		return;
	f->op = op_destroy;
	f->done = destroy_done;
	fanout_start(f);
}

static void
query_done(struct fanout *f)
{
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;
	Mgmt__PoolInfo info = MGMT__POOL_INFO__INIT;
	Mgmt__StorageUsage tiers[2];
	Mgmt__StorageUsage *tp[2] = { &tiers[0], &tiers[1] };
	unsigned int n = f->eng->args.nr_targets;
	char uuid[37];
	unsigned int t;
	unsigned int i;
	int rc = atomic_load(&f->rc);

	for (i = 0; i < 2; i++) {
		mgmt__storage_usage__init(&tiers[i]);
		tiers[i].media_type = (char *)(i == 0 ? "SCM" : "NVMe");
		tiers[i].min = UINT64_MAX;
	}
	for (t = 0; rc == 0 && t < n; t++) {
		const struct vos_pool_info *vi = &f->info[t];
		uint64_t free0 = vi->mem_limit > vi->mem_used ? vi->mem_limit - vi->mem_used : 0;
		uint64_t free1 = vi->data_free;

		tiers[0].total += vi->mem_limit;
		tiers[0].free += free0;
		tiers[0].min = D_MIN(tiers[0].min, free0);
		tiers[0].max = D_MAX(tiers[0].max, free0);
		tiers[1].total += vi->data_total;
		tiers[1].free += free1;
		tiers[1].min = D_MIN(tiers[1].min, free1);
		tiers[1].max = D_MAX(tiers[1].max, free1);
	}
	for (i = 0; i < 2; i++) {
		if (tiers[i].min == UINT64_MAX)
			tiers[i].min = 0;
		tiers[i].mean = n > 0 ? tiers[i].free / n : 0;
	}
	uuid_unparse_lower(f->uuid, uuid);
	info.uuid = uuid;
	info.total_targets = n;
	info.active_targets = n;
	info.tier_stats = tp;
	info.n_tier_stats = 2;
	resp.status = rc;
	resp.message = (char *)(rc == -DER_NONEXIST ? "no such pool on this engine" : "");
	if (rc == 0)
		resp.info = &info;
	{
		size_t len = mgmt__pool_resp__get_packed_size(&resp);
		uint8_t *buf = d_malloc(len + 1);

		if (buf == NULL) {
			engine_reply_status(f->req, -DER_NOMEM, NULL);
		} else {
			mgmt__pool_resp__pack(&resp, buf);
			drpc_req_reply(f->req, DRPC__STATUS__SUCCESS, buf, len);
			d_free(buf);
		}
	}
	fanout_free(f);
}

static void
h_pool_query(struct drpc_req *req, void *arg)
{
	struct fanout *f = fanout_for(req, arg);

	if (f == NULL)
		return;
	f->info = d_calloc(f->eng->args.nr_targets, sizeof(*f->info));
	if (f->info == NULL) {
		engine_reply_status(req, -DER_NOMEM, NULL);
		d_free(f);
		return;
	}
	f->op = op_query;
	f->done = query_done;
	fanout_start(f);
}

int
engine_pool_register(struct engine *eng)
{
	int rc;

	rc = drpc_server_register(eng->drpc, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_POOL_CREATE,
				  h_pool_create, eng);
	if (rc == 0)
		rc = drpc_server_register(eng->drpc, DRPC_MODULE_MGMT,
					  DRPC_METHOD_MGMT_POOL_DESTROY, h_pool_destroy, eng);
	if (rc == 0)
		rc = drpc_server_register(eng->drpc, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_POOL_QUERY,
					  h_pool_query, eng);
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

static void
open_existing(void *arg)
{
	struct engine *eng = &engine;
	unsigned int tgt = (unsigned int)(uintptr_t)arg;
	struct bio_dev *meta = role_dev(eng, BIO_ROLE_META, tgt);
	struct found fd = { NULL, 0, tgt };
	unsigned int i;

	if (meta == NULL || bio_blob_iterate(meta, found_meta, &fd) != 0) {
		d_free(fd.uuids);
		return;
	}
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
