/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_pool.c - pool calls of the control API, served by the MS. The MS keeps a record
 * per pool (uuid, label, state, service and target ranks, sizes: what DAOS's MS keeps);
 * everything else belongs to the pool service (PS) on the pool's service rank
 * (engine_psvc.c): the pool map, properties, ACL, owner, space.
 *
 * Create: checks (label, properties, ACL syntax, sizes per rank from --size and the tier
 * ratio or --scm-size/--nvme-size against the free space of every rank), the record
 * (Creating), then one call to the PS rank's engine, which makes the shards on every
 * rank and its own store; the answer marks the record Ready or removes it. Query, list,
 * destroy, get/set-prop, the ACL calls, evict and exclude are calls to the PS. Every
 * engine call is asynchronous (server_rank.c): the MS keeps serving meanwhile. Find
 * (agents, for their clients' connects) is answered from the record alone. Evict may
 * name pool handles (an agent whose client died): they go to the PS in
 * PoolIdReq.handles.
 *
 * Sizes: tier 0 ("SCM") is the index memory of the pool's shards, bounded by each
 * engine's scm_size less what other pools took; tier 1 ("NVMe") is data on the engine's
 * devices, bounded by their free space (checked here for local ranks, by the engine for
 * the others).
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <gurt/common.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "control/server/server.h"
#include "engine/pool_sizes.h"
#include "mgmt.pb-c.h"
#include "rpc/pool_prop.h"
#include "rsvc/rdb.h"
#include "security/security.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define SCM_MIN_PER_TARGET (16 * MiB)
#define DEFAULT_SCM_RATIO 0.06

static void
reply_pool(struct ctl_req *req, int rc, const char *msg)
{
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;

	resp.status = rc;
	resp.message = (char *)(msg != NULL ? msg : "");
	srv_reply_packed(req, rc, msg, &resp.base);
}

bool
srv_pool_method_is_valid(int32_t method)
{
	switch (method) {
	case DRPC_METHOD_MGMT_POOL_CREATE:
	case DRPC_METHOD_MGMT_POOL_DESTROY:
	case DRPC_METHOD_MGMT_POOL_QUERY:
	case DRPC_METHOD_MGMT_POOL_GET_PROP:
	case DRPC_METHOD_MGMT_POOL_SET_PROP:
	case DRPC_METHOD_MGMT_POOL_GET_ACL:
	case DRPC_METHOD_MGMT_POOL_OVERWRITE_ACL:
	case DRPC_METHOD_MGMT_POOL_UPDATE_ACL:
	case DRPC_METHOD_MGMT_POOL_DELETE_ACL:
	case DRPC_METHOD_MGMT_POOL_EXCLUDE:
	case DRPC_METHOD_MGMT_POOL_EVICT:
		return true;
	default:
		return false;
	}
}

/* The PS rank of @p. */
static d_rank_t
svc_rank(const struct ms_pool *p)
{
	return p->svc_ranks != NULL && p->svc_ranks->rl_nr > 0 ? p->svc_ranks->rl_ranks[0]
							       : CRT_NO_RANK;
}

/* Targets of @rank's engine: ours from the config, another host's from its contexts. */
static uint32_t
rank_targets(struct server *srv, d_rank_t rank)
{
	struct srv_engine *e = srv_engine_of_rank(srv, rank);
	const struct ms_member *m;

	if (e != NULL)
		return (uint32_t)srv->cfg->engines[e->idx].targets;
	m = ms_member_get(srv->ms, rank);
	return m != NULL && m->nr_ctxs > 1 ? m->nr_ctxs - 1 : 1;
}

/*
 * Free space of @rank for a new pool: index memory (scm_size less what other pools
 * took) and device bytes. Another host's devices are not seen from here: its engine
 * refuses a shard that does not fit, and the create is undone.
 */
static void
rank_free(struct server *srv, d_rank_t rank, uint64_t *scm_free, uint64_t *nvme_free)
{
	struct srv_engine *e = srv_engine_of_rank(srv, rank);
	const struct config_engine *ce;
	struct storage_engine_state st;
	const struct ms_pool *pools;
	uint64_t scm;
	uint32_t nr = 0;
	uint32_t i;

	if (e == NULL) {
		*scm_free = UINT64_MAX;
		*nvme_free = UINT64_MAX;
		return;
	}
	ce = &srv->cfg->engines[e->idx];
	scm = ce->storage[0].scm_size * GiB;
	*nvme_free = 0;
	if (storage_scan_engine(srv->cfg, e->idx, &st) == 0) {
		unsigned int t;

		for (t = 1; t < st.nr_tiers; t++)
			*nvme_free += st.tiers[t].free;
		if (st.nr_tiers == 1) {
			/* The device file in scm_mount holds the data. */
			char path[PATH_MAX];
			struct bio_dev *dev;

			snprintf(path, sizeof(path), "%s/%s", ce->storage[0].scm_mount,
				 STORAGE_NO_BDEV_FILE);
			if (bio_dev_open(path, 0, 0, &dev) == 0) {
				if (bio_dev_load(dev) == 0)
					*nvme_free = bio_dev_free(dev);
				bio_dev_close(dev);
			}
		}
		storage_engine_state_fini(&st);
	}
	pools = ms_pool_list(srv->ms, &nr);
	for (i = 0; i < nr; i++)
		if (d_rank_in_rank_list(pools[i].tgt_ranks, rank))
			scm = scm > pools[i].tier_bytes[0] ? scm - pools[i].tier_bytes[0] : 0;
	*scm_free = scm;
}

static int
pick_ranks(struct server *srv, const Mgmt__PoolCreateReq *in, d_rank_list_t **out, char *msg,
	   size_t len)
{
	struct ms_query_result res = { 0 };
	struct ms_filter f = { .with_states = "Joined" };
	d_rank_list_t *ranks;
	uint32_t i;
	int rc;

	if (in->ranks[0] != '\0') {
		rc = d_rank_list_parse(in->ranks, strlen(in->ranks), &ranks);
		if (rc != 0) {
			snprintf(msg, len, "invalid --ranks \"%s\"", in->ranks);
			return rc;
		}
		f.ranks = in->ranks;
	}
	rc = ms_query(srv->ms, &f, &res, msg, len);
	if (rc != 0)
		return rc;
	if (in->ranks[0] != '\0') {
		d_rank_list_free(ranks);
		if (res.absent_ranks != NULL || res.nr_members == 0) {
			snprintf(msg, len, "ranks %s are not Joined members",
				 res.absent_ranks != NULL ? res.absent_ranks : in->ranks);
			ms_query_result_fini(&res);
			return -DER_INVAL;
		}
	}
	if (res.nr_members == 0) {
		snprintf(msg, len, "no rank is Joined: start the engines first");
		ms_query_result_fini(&res);
		return -DER_UNINIT;
	}
	if (in->num_ranks > res.nr_members) {
		snprintf(msg, len, "--nranks %u: only %u ranks are Joined", in->num_ranks,
			 res.nr_members);
		ms_query_result_fini(&res);
		return -DER_INVAL;
	}
	ranks = d_rank_list_alloc(in->num_ranks > 0 ? in->num_ranks : res.nr_members);
	if (ranks == NULL) {
		ms_query_result_fini(&res);
		return -DER_NOMEM;
	}
	for (i = 0; i < ranks->rl_nr; i++)
		ranks->rl_ranks[i] = res.members[i].rank;
	ms_query_result_fini(&res);
	*out = ranks;
	return 0;
}

/* A pool create waiting for its PS (on srv->creates). */
struct create_ctx {
	d_list_t link;
	struct ctl_req *req;
	uuid_t uuid;
	uint64_t per_rank[2];
	d_rank_t svc;
	char *tgt_str;
	char *svc_str;
};

static void
create_done(struct server *srv, int rc, Mgmt__PoolResp *presp, const char *msg, void *arg)
{
	struct create_ctx *cc = arg;
	Mgmt__PoolCreateResp resp = MGMT__POOL_CREATE_RESP__INIT;
	char uuid[37];

	(void)presp;
	d_list_del(&cc->link);
	uuid_unparse_lower(cc->uuid, uuid);
	if (rc != 0) {
		ms_pool_remove(srv->ms, cc->uuid);
		resp.message = (char *)msg;
		D_ERROR("pool %s: not created: %s", uuid, msg);
	} else {
		ms_pool_set_state(srv->ms, cc->uuid, MS_POOL_READY);
		D_INFO("pool %s created on ranks %s, service on rank %u", uuid, cc->tgt_str,
		       cc->svc);
		resp.uuid = uuid;
		resp.svc_ldr = cc->svc;
		resp.svc_reps = cc->svc_str != NULL ? cc->svc_str : (char *)"";
		resp.tgt_ranks = cc->tgt_str != NULL ? cc->tgt_str : (char *)"";
		resp.tier_bytes = cc->per_rank;
		resp.n_tier_bytes = 2;
		resp.message = (char *)"";
	}
	resp.status = rc;
	srv_reply_packed(cc->req, rc, rc != 0 ? msg : NULL, &resp.base);
	d_free(cc->tgt_str);
	d_free(cc->svc_str);
	d_free(cc);
}

void
srv_pool_create(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__PoolCreateResp resp = MGMT__POOL_CREATE_RESP__INIT;
	Mgmt__EnginePoolCreateReq ereq = MGMT__ENGINE_POOL_CREATE_REQ__INIT;
	Mgmt__PoolCreateReq *in;
	struct ms_pool pool = { 0 };
	const struct ms_pool *existing;
	struct ms_pool_prop *props = NULL;
	char *prop_vals = NULL;
	uint32_t nr_props = 0;
	d_rank_list_t *ranks = NULL;
	d_rank_list_t *svc = NULL;
	uint64_t per_rank[2] = { 0, 0 };
	char uuid[37];
	char msg[512] = "";
	char *tgt_str = NULL;
	char *svc_str = NULL;
	struct create_ctx *cc = NULL;
	char *owner;
	char *group;
	Mgmt__PoolProperty *eprops = NULL;
	Mgmt__PoolProperty **epp = NULL;
	uint32_t i;
	int rc;

	in = mgmt__pool_create_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "PoolCreate: malformed request", NULL, NULL, 0);
		return;
	}
	if (!ms_label_is_valid(in->label)) {
		snprintf(msg, sizeof(msg),
			 "invalid pool label \"%.128s\": 1 to 127 characters of "
			 "A-Z a-z 0-9 : . _ -, not a UUID",
			 in->label);
		rc = -DER_INVAL;
		goto out;
	}
	owner = in->user[0] ? in->user : (char *)"root@";
	group = in->group[0] ? in->group : (char *)"root@";
	if (!sec_principal_is_valid(owner) || !sec_principal_is_valid(group)) {
		snprintf(msg, sizeof(msg),
			 "invalid pool owner \"%.128s\" or group \"%.128s\": name@ or "
			 "name@domain",
			 owner, group);
		rc = -DER_INVAL;
		goto out;
	}
	if (ms_pool_lookup(srv->ms, in->label, &existing) == 0) {
		snprintf(msg, sizeof(msg), "pool label \"%s\" is already in use", in->label);
		rc = -DER_EXIST;
		goto out;
	}
	props = d_calloc(in->n_properties + 2, sizeof(*props));
	prop_vals = d_calloc(in->n_properties + 2, POOL_PROP_STR_MAX);
	if (props == NULL || prop_vals == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < in->n_properties; i++) {
		const struct pool_prop_def *def = pool_prop_lookup(in->properties[i]->name);
		struct pool_prop_val v;

		rc = pool_prop_parse(in->properties[i]->name, in->properties[i]->value, true, &v,
				     msg, sizeof(msg));
		if (rc != 0) {
			if (rc == -DER_NONEXIST)
				snprintf(msg, sizeof(msg), "unknown pool property \"%.64s\"",
					 in->properties[i]->name);
			rc = -DER_INVAL;
			goto out;
		}
		if (def == NULL || strcmp(def->key, "label") == 0) {
			snprintf(msg, sizeof(msg),
				 "the label is given as the pool's name, not as a "
				 "property");
			rc = -DER_INVAL;
			goto out;
		}
		pool_prop_val_to_str(&v, prop_vals + (size_t)nr_props * POOL_PROP_STR_MAX,
				     POOL_PROP_STR_MAX);
		props[nr_props].key = (char *)def->key;
		props[nr_props].value = prop_vals + (size_t)nr_props * POOL_PROP_STR_MAX;
		nr_props++;
	}
	/*
	 * --nsvc: the pool service runs one replica for now; the number asked for is kept
	 * as the service redundancy factor it implies (nsvc = 2 * svc_rf + 1), unless
	 * svc_rf was given.
	 */
	if (in->num_svc_reps > 0) {
		bool given = false;

		for (i = 0; i < nr_props; i++)
			given |= strcmp(props[i].key, "svc_rf") == 0;
		if (!given) {
			char *v = prop_vals + (size_t)nr_props * POOL_PROP_STR_MAX;

			snprintf(v, POOL_PROP_STR_MAX, "%u", D_MIN((in->num_svc_reps - 1) / 2, 4u));
			props[nr_props].key = (char *)"svc_rf";
			props[nr_props].value = v;
			nr_props++;
		}
	}
	rc = pick_ranks(srv, in, &ranks, msg, sizeof(msg));
	if (rc != 0)
		goto out;
	/* Sizes per rank */
	if (in->n_tier_bytes > 0) {
		per_rank[0] = in->tier_bytes[0];
		per_rank[1] = in->n_tier_bytes > 1 ? in->tier_bytes[1] : 0;
	} else {
		double ratio = in->n_tier_ratio > 0 ? in->tier_ratio[0] : DEFAULT_SCM_RATIO;
		uint64_t total = in->total_bytes;

		if (ratio > 1.0)
			ratio /= 100.0;
		if (in->size_percent > 0) {
			uint64_t min_nvme = UINT64_MAX;
			uint64_t min_scm = UINT64_MAX;

			for (i = 0; i < ranks->rl_nr; i++) {
				uint64_t s;
				uint64_t n;

				rank_free(srv, ranks->rl_ranks[i], &s, &n);
				min_scm = D_MIN(min_scm, s);
				min_nvme = D_MIN(min_nvme, n);
			}
			per_rank[1] = min_nvme / 100 * in->size_percent;
			per_rank[0] = min_scm / 100 * in->size_percent;
		} else {
			per_rank[0] = (uint64_t)((double)total * ratio) / ranks->rl_nr;
			per_rank[1] = (total - (uint64_t)((double)total * ratio)) / ranks->rl_nr;
		}
	}
	for (i = 0; i < ranks->rl_nr; i++) {
		d_rank_t rank = ranks->rl_ranks[i];
		uint32_t tgts = rank_targets(srv, rank);
		uint64_t scm_free;
		uint64_t nvme_free;
		uint64_t need_dev;

		if (per_rank[0] / tgts < SCM_MIN_PER_TARGET) {
			snprintf(msg, sizeof(msg),
				 "SCM share of %" PRIu64 " bytes per rank is less "
				 "than 16 MiB per target (%u targets): make the pool larger",
				 per_rank[0], tgts);
			rc = -DER_INVAL;
			goto out;
		}
		rank_free(srv, rank, &scm_free, &nvme_free);
		/* The shards' WAL and meta blobs share the devices with the data. */
		if (srv_engine_of_rank(srv, rank) != NULL)
			need_dev = per_rank[1] +
				   (uint64_t)tgts * vos_pool_md_bytes(per_rank[0] / tgts);
		else
			need_dev = per_rank[1];
		/* The first rank also holds the pool service's store. */
		if (i == 0 && srv_engine_of_rank(srv, rank) != NULL)
			need_dev += rdb_dev_bytes(POOL_SVC_DB_SIZE, true);
		if (per_rank[0] > scm_free || need_dev > nvme_free) {
			snprintf(msg, sizeof(msg),
				 "rank %u has %" PRIu64 " bytes of SCM and %" PRIu64
				 " bytes of NVMe free; the pool needs %" PRIu64 " and %" PRIu64
				 " (with its metadata blobs) per rank",
				 rank, scm_free, nvme_free, per_rank[0], need_dev);
			rc = -DER_NOSPACE;
			goto out;
		}
	}
	/* The record first (Creating), then the PS makes the shards and its store. */
	uuid_generate(pool.uuid);
	uuid_unparse_lower(pool.uuid, uuid);
	snprintf(pool.label, sizeof(pool.label), "%s", in->label);
	pool.state = MS_POOL_CREATING;
	svc = d_rank_list_alloc(1);
	cc = d_calloc(1, sizeof(*cc));
	if (svc == NULL || cc == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	svc->rl_ranks[0] = ranks->rl_ranks[0];
	pool.svc_ranks = svc;
	pool.tgt_ranks = ranks;
	pool.nr_tiers = 2;
	pool.tier_bytes[0] = per_rank[0];
	pool.tier_bytes[1] = per_rank[1];
	rc = ms_acl_check((const char *const *)in->acl, (uint32_t)in->n_acl, msg, sizeof(msg));
	if (rc != 0)
		goto out;
	rc = ms_pool_add(srv->ms, &pool, msg, sizeof(msg));
	if (rc != 0)
		goto out;
	d_rank_list_to_str(ranks, &tgt_str);
	d_rank_list_to_str(svc, &svc_str);
	ereq.uuid = uuid;
	ereq.label = in->label;
	ereq.tgt_ranks = tgt_str != NULL ? tgt_str : (char *)"";
	ereq.svc_ranks = svc_str != NULL ? svc_str : (char *)"";
	ereq.scm_bytes = per_rank[0];
	ereq.nvme_bytes = per_rank[1];
	ereq.owner_user = owner;
	ereq.owner_group = group;
	ereq.acl = in->acl;
	ereq.n_acl = in->n_acl;
	ereq.num_svc_reps = in->num_svc_reps;
	ereq.n_properties = nr_props;
	eprops = d_calloc(nr_props + 1, sizeof(*eprops));
	epp = d_calloc(nr_props + 1, sizeof(*epp));
	if (eprops == NULL || epp == NULL) {
		ms_pool_remove(srv->ms, pool.uuid);
		rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < nr_props; i++) {
		mgmt__pool_property__init(&eprops[i]);
		eprops[i].name = props[i].key;
		eprops[i].value = props[i].value;
		epp[i] = &eprops[i];
	}
	ereq.properties = epp;
	cc->req = req;
	uuid_copy(cc->uuid, pool.uuid);
	cc->per_rank[0] = per_rank[0];
	cc->per_rank[1] = per_rank[1];
	cc->svc = svc->rl_ranks[0];
	cc->tgt_str = tgt_str;
	cc->svc_str = svc_str;
	tgt_str = NULL;
	svc_str = NULL;
	d_list_add_tail(&cc->link, &srv->creates);
	rc = srv_rank_call(srv, cc->svc, DRPC_METHOD_MGMT_POOL_CREATE, &ereq.base, create_done, cc);
	if (rc != 0) {
		d_list_del(&cc->link);
		snprintf(msg, sizeof(msg), "rank %u (the pool service) cannot be reached: " DF_RC,
			 cc->svc, DP_RC(rc));
		ms_pool_remove(srv->ms, pool.uuid);
		goto out;
	}
	cc = NULL; /* create_done answers */
out:
	if (cc != NULL || rc != 0) {
		if (cc != NULL) {
			d_free(cc->tgt_str);
			d_free(cc->svc_str);
			d_free(cc);
		}
		resp.status = rc;
		resp.message = msg;
		srv_reply_packed(req, rc, msg, &resp.base);
	}
	d_free(tgt_str);
	d_free(svc_str);
	d_free(eprops);
	d_free(epp);
	d_rank_list_free(ranks);
	d_rank_list_free(svc);
	d_free(props);
	d_free(prop_vals);
	mgmt__pool_create_req__free_unpacked(in, &proto_allocator);
}

/* --- calls to the pool service --- */

static bool
create_in_flight(struct server *srv, const struct ms_pool *p)
{
	struct create_ctx *cc;

	d_list_for_each_entry(cc, &srv->creates, link)
		if (uuid_compare(cc->uuid, p->uuid) == 0)
			return true;
	return false;
}

/* Decode a PoolIdReq naming a pool of the MS; NULL after answering if it cannot be served. */
static Mgmt__PoolIdReq *
pool_req(struct server *srv, struct ctl_req *req, const struct ms_pool **p)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__PoolIdReq *in;
	char msg[256];

	in = mgmt__pool_id_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "malformed request", NULL, NULL, 0);
		return NULL;
	}
	if (ms_pool_lookup(srv->ms, in->id, p) != 0) {
		snprintf(msg, sizeof(msg), "unknown pool \"%.128s\"", in->id);
		reply_pool(req, -DER_NONEXIST, msg);
	} else if ((*p)->state == MS_POOL_CREATING &&
		   (ctl_req_info(req)->method != CTL_POOL_DESTROY || create_in_flight(srv, *p))) {
		/*
		 * Only destroy may touch a Creating pool, and only one whose create died with
		 * an earlier daos_server (nothing here waits for it any more).
		 */
		snprintf(msg, sizeof(msg), "pool %s is being created", (*p)->label);
		reply_pool(req, -DER_BUSY, msg);
	} else {
		return in;
	}
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
	return NULL;
}

/* A call to a PS on behalf of a control request. */
struct ps_call {
	struct ctl_req *req;
	uuid_t uuid;
	char id[37];     /* @uuid as text: how the PS knows the pool */
	uint32_t method; /* CTL_POOL_* */
	char label[MS_LABEL_MAX + 1];
	char new_label[MS_LABEL_MAX + 1]; /* set-prop label */
	uint64_t query_mask;
	Mgmt__PoolIdReq *names; /* get-prop: the names asked for */
};

static void
ps_call_free(struct ps_call *pc)
{
	if (pc->names != NULL)
		mgmt__pool_id_req__free_unpacked(pc->names, &proto_allocator);
	d_free(pc);
}

/* Send @body to @p's PS; @cb answers pc->req. On failure, answers here. */
static void
ps_send(struct server *srv, const struct ms_pool *p, struct ps_call *pc, int32_t method,
	const ProtobufCMessage *body, srv_rank_cb cb)
{
	d_rank_t rank = svc_rank(p);
	char msg[256];
	int rc;

	rc = srv_rank_call(srv, rank, method, body, cb, pc);
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "pool %s: its service rank %u cannot be reached: " DF_RC,
			 p->label, rank, DP_RC(rc));
		reply_pool(pc->req, rc, msg);
		ps_call_free(pc);
	}
}

static struct ps_call *
ps_call_new(struct ctl_req *req, const struct ms_pool *p)
{
	struct ps_call *pc = d_calloc(1, sizeof(*pc));

	if (pc == NULL) {
		reply_pool(req, -DER_NOMEM, "out of memory");
		return NULL;
	}
	pc->req = req;
	pc->method = ctl_req_info(req)->method;
	uuid_copy(pc->uuid, p->uuid);
	uuid_unparse_lower(p->uuid, pc->id);
	snprintf(pc->label, sizeof(pc->label), "%s", p->label);
	return pc;
}

/* Fill the parts of a PS's pool info that the MS knows (label, state). */
static void
info_from_ms(struct server *srv, const uuid_t uuid, Mgmt__PoolInfo *info)
{
	const struct ms_pool *p;
	char id[37];

	uuid_unparse_lower(uuid, id);
	if (ms_pool_lookup(srv->ms, id, &p) != 0)
		return;
	info->label = (char *)p->label;
	if (p->state != MS_POOL_READY)
		info->state = (char *)ms_pool_state_name(p->state);
}

static void
query_done(struct server *srv, int rc, Mgmt__PoolResp *presp, const char *msg, void *arg)
{
	struct ps_call *pc = arg;
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;

	if (rc == 0 && presp != NULL && presp->info != NULL) {
		/* Shallow copies: the MS's strings must not end up in @presp's frees. */
		Mgmt__PoolInfo info = *presp->info;

		resp = *presp;
		resp.info = &info;
		info_from_ms(srv, pc->uuid, &info);
		srv_reply_packed(pc->req, 0, NULL, &resp.base);
	} else {
		resp.status = rc != 0 ? rc : -DER_PROTO;
		resp.message = (char *)msg;
		srv_reply_packed(pc->req, resp.status, msg, &resp.base);
	}
	ps_call_free(pc);
}

void
srv_pool_query(struct server *srv, struct ctl_req *req)
{
	const struct ms_pool *p;
	Mgmt__PoolIdReq *in = pool_req(srv, req, &p);
	Mgmt__PoolIdReq q = MGMT__POOL_ID_REQ__INIT;
	struct ps_call *pc;

	if (in == NULL)
		return;
	pc = ps_call_new(req, p);
	if (pc != NULL) {
		q.id = pc->id;
		q.query_mask = in->query_mask;
		q.health_only = in->health_only;
		ps_send(srv, p, pc, DRPC_METHOD_MGMT_POOL_QUERY, &q.base, query_done);
	}
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

/* --- list: every pool's PS queried at once, answered when all have answered --- */

struct list_ctx {
	struct ctl_req *req;
	uint32_t nr;
	uint32_t left;
	Mgmt__PoolInfo *infos;
	Mgmt__PoolInfo **ptrs;
	Mgmt__PoolResp **resps; /* the PSs' answers, kept for their info */
	char (*uuids)[37];
	char (*errs)[256];
};

struct list_item {
	struct list_ctx *lc;
	uint32_t i;
};

static void
list_reply(struct list_ctx *lc)
{
	Mgmt__ListPoolsResp resp = MGMT__LIST_POOLS_RESP__INIT;
	uint32_t i;

	resp.pools = lc->ptrs;
	resp.n_pools = lc->nr;
	srv_reply_packed(lc->req, 0, NULL, &resp.base);
	for (i = 0; i < lc->nr; i++)
		if (lc->resps[i] != NULL)
			mgmt__pool_resp__free_unpacked(lc->resps[i], &proto_allocator);
	d_free(lc->infos);
	d_free(lc->ptrs);
	d_free(lc->resps);
	d_free(lc->uuids);
	d_free(lc->errs);
	d_free(lc);
}

static void
list_item_done(struct server *srv, int rc, Mgmt__PoolResp *presp, const char *msg, void *arg)
{
	struct list_item *li = arg;
	struct list_ctx *lc = li->lc;
	uint32_t i = li->i;
	uuid_t uuid;

	d_free(li);
	if (rc == 0 && presp != NULL && presp->info != NULL) {
		/* Keep the answer: take it over from the caller (it frees what we leave). */
		size_t len = mgmt__pool_resp__get_packed_size(presp);
		uint8_t *buf = d_malloc(len + 1);

		if (buf != NULL) {
			mgmt__pool_resp__pack(presp, buf);
			lc->resps[i] = mgmt__pool_resp__unpack(&proto_allocator, len, buf);
			d_free(buf);
		}
	}
	if (lc->resps[i] != NULL) {
		/* A shallow copy: the MS's strings must not end up in the answer's frees. */
		lc->infos[i] = *lc->resps[i]->info;
		uuid_parse(lc->uuids[i], uuid);
		info_from_ms(srv, uuid, &lc->infos[i]);
	} else {
		snprintf(lc->errs[i], sizeof(lc->errs[i]), "%s",
			 rc != 0 ? msg : "the pool service gave no information");
		lc->infos[i].query_error = lc->errs[i];
	}
	if (--lc->left == 0)
		list_reply(lc);
}

void
srv_pool_list(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__ListPoolsReq *in;
	const struct ms_pool *pools;
	struct list_ctx *lc;
	uint32_t nr = 0;
	uint32_t i;

	in = mgmt__list_pools_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "malformed request", NULL, NULL, 0);
		return;
	}
	pools = ms_pool_list(srv->ms, &nr);
	lc = d_calloc(1, sizeof(*lc));
	if (lc != NULL) {
		lc->infos = d_calloc(nr + 1, sizeof(*lc->infos));
		lc->ptrs = d_calloc(nr + 1, sizeof(*lc->ptrs));
		lc->resps = d_calloc(nr + 1, sizeof(*lc->resps));
		lc->uuids = d_calloc(nr + 1, sizeof(*lc->uuids));
		lc->errs = d_calloc(nr + 1, sizeof(*lc->errs));
	}
	if (lc == NULL || lc->infos == NULL || lc->ptrs == NULL || lc->resps == NULL ||
	    lc->uuids == NULL || lc->errs == NULL) {
		if (lc != NULL) {
			lc->nr = 0;
			d_free(lc->infos);
			d_free(lc->ptrs);
			d_free(lc->resps);
			d_free(lc->uuids);
			d_free(lc->errs);
			d_free(lc);
		}
		ctl_req_reply(req, -DER_NOMEM, "out of memory", NULL, NULL, 0);
		goto out;
	}
	lc->req = req;
	lc->nr = nr;
	lc->left = 1; /* held until every query is sent */
	for (i = 0; i < nr; i++) {
		Mgmt__PoolIdReq q = MGMT__POOL_ID_REQ__INIT;
		struct list_item *li;
		int rc = -DER_NOMEM;

		mgmt__pool_info__init(&lc->infos[i]);
		uuid_unparse_lower(pools[i].uuid, lc->uuids[i]);
		lc->infos[i].uuid = lc->uuids[i];
		lc->infos[i].label = (char *)pools[i].label;
		lc->infos[i].state = (char *)ms_pool_state_name(pools[i].state);
		lc->ptrs[i] = &lc->infos[i];
		if (in->no_query || pools[i].state != MS_POOL_READY)
			continue;
		q.id = lc->uuids[i];
		li = d_calloc(1, sizeof(*li));
		if (li != NULL) {
			li->lc = lc;
			li->i = i;
			rc = srv_rank_call(srv, svc_rank(&pools[i]), DRPC_METHOD_MGMT_POOL_QUERY,
					   &q.base, list_item_done, li);
		}
		if (rc == 0) {
			lc->left++;
		} else {
			d_free(li);
			snprintf(lc->errs[i], sizeof(lc->errs[i]),
				 "its service rank %u cannot be reached: " DF_RC,
				 svc_rank(&pools[i]), DP_RC(rc));
			lc->infos[i].query_error = lc->errs[i];
		}
	}
	if (--lc->left == 0)
		list_reply(lc);
out:
	mgmt__list_pools_req__free_unpacked(in, &proto_allocator);
}

/* --- destroy --- */

static void
destroy_done(struct server *srv, int rc, Mgmt__PoolResp *presp, const char *msg, void *arg)
{
	struct ps_call *pc = arg;

	(void)presp;
	if (rc == 0 || rc == -DER_NONEXIST) {
		/* NONEXIST: the PS has no such pool: a create that died half way. */
		ms_pool_remove(srv->ms, pc->uuid);
		D_INFO("pool %s (%s) destroyed", pc->label, pc->id);
		reply_pool(pc->req, 0, NULL);
	} else {
		D_ERROR("pool %s: not destroyed: %s", pc->id, msg);
		reply_pool(pc->req, rc, msg);
	}
	ps_call_free(pc);
}

void
srv_pool_destroy(struct server *srv, struct ctl_req *req)
{
	const struct ms_pool *p;
	Mgmt__PoolIdReq *in = pool_req(srv, req, &p);
	Mgmt__PoolIdReq q = MGMT__POOL_ID_REQ__INIT;
	struct ps_call *pc;

	if (in == NULL)
		return;
	pc = ps_call_new(req, p);
	if (pc != NULL) {
		q.id = pc->id;
		q.force = in->force;
		q.recursive = in->recursive;
		ms_pool_set_state(srv->ms, p->uuid, MS_POOL_DESTROYING);
		ps_send(srv, p, pc, DRPC_METHOD_MGMT_POOL_DESTROY, &q.base, destroy_done);
	}
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

/* --- properties and ACLs --- */

/* get-prop: the PS's values, DAOS's defaults for the rest, in the table's order. */
static void
get_prop_done(struct server *srv, int rc, Mgmt__PoolResp *presp, const char *msg, void *arg)
{
	struct ps_call *pc = arg;
	Mgmt__PoolIdReq *in = pc->names;
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;
	unsigned int n = pool_prop_count();
	Mgmt__PoolProperty *pp = d_calloc(n + 1, sizeof(*pp));
	Mgmt__PoolProperty **ppp = d_calloc(n + 1, sizeof(*ppp));
	char(*vals)[POOL_PROP_STR_MAX] = d_calloc(n + 1, sizeof(*vals));
	const struct ms_pool *p = NULL;
	char *svc = NULL;
	unsigned int nr = 0;
	unsigned int i;
	size_t k;

	if (rc != 0 || presp == NULL) {
		reply_pool(pc->req, rc != 0 ? rc : -DER_PROTO, msg);
		goto out;
	}
	if (pp == NULL || ppp == NULL || vals == NULL) {
		reply_pool(pc->req, -DER_NOMEM, "out of memory");
		goto out;
	}
	if (ms_pool_lookup(srv->ms, pc->id, &p) == 0)
		d_rank_list_to_str(p->svc_ranks, &svc);
	for (i = 0; i < n; i++) {
		const struct pool_prop_def *def = pool_prop_at(i);
		const char *v = NULL;
		bool wanted = in->n_properties == 0;

		for (k = 0; k < in->n_properties && !wanted; k++)
			wanted = pool_prop_lookup(in->properties[k]->name) == def;
		if (!wanted)
			continue;
		if (strcmp(def->key, "svc_list") == 0)
			v = svc != NULL ? svc : "";
		for (k = 0; v == NULL && k < presp->n_properties; k++)
			if (strcmp(presp->properties[k]->name, def->key) == 0)
				v = presp->properties[k]->value;
		if (v == NULL) {
			struct pool_prop_val dv;

			if (pool_prop_default(def, &dv) == 0 &&
			    pool_prop_val_to_str(&dv, vals[nr], sizeof(vals[nr])) == 0)
				v = vals[nr];
		}
		mgmt__pool_property__init(&pp[nr]);
		pp[nr].name = (char *)def->key;
		pp[nr].value = (char *)(v != NULL ? v : "");
		ppp[nr] = &pp[nr];
		nr++;
	}
	resp.properties = ppp;
	resp.n_properties = nr;
	srv_reply_packed(pc->req, 0, NULL, &resp.base);
out:
	d_free(svc);
	d_free(pp);
	d_free(ppp);
	d_free(vals);
	ps_call_free(pc);
}

static void
set_prop_done(struct server *srv, int rc, Mgmt__PoolResp *presp, const char *msg, void *arg)
{
	struct ps_call *pc = arg;
	char err[256];

	(void)presp;
	if (rc == 0 && pc->new_label[0] != '\0') {
		rc = ms_pool_set_label(srv->ms, pc->uuid, pc->new_label, err, sizeof(err));
		msg = err;
	}
	reply_pool(pc->req, rc, rc != 0 ? msg : NULL);
	ps_call_free(pc);
}

/* ACL calls and evict: the PS's answer is the answer. */
static void
pass_done(struct server *srv, int rc, Mgmt__PoolResp *presp, const char *msg, void *arg)
{
	struct ps_call *pc = arg;

	(void)srv;
	if (presp != NULL)
		srv_reply_packed(pc->req, rc, rc != 0 ? msg : NULL, &presp->base);
	else
		reply_pool(pc->req, rc, msg);
	ps_call_free(pc);
}

/* set-prop: check and canonicalise every value; the label must stay unique. */
static int
set_prop_check(struct server *srv, const Mgmt__PoolIdReq *in, struct ps_call *pc,
	       Mgmt__PoolProperty *out, char (*vals)[POOL_PROP_STR_MAX], char *msg, size_t len)
{
	const struct ms_pool *other;
	size_t i;
	int rc;

	if (in->n_properties == 0) {
		snprintf(msg, len, "no property to set");
		return -DER_INVAL;
	}
	for (i = 0; i < in->n_properties; i++) {
		const struct pool_prop_def *def = pool_prop_lookup(in->properties[i]->name);
		struct pool_prop_val v;

		rc = pool_prop_parse(in->properties[i]->name, in->properties[i]->value, false, &v,
				     msg, len);
		if (rc == -DER_NONEXIST)
			snprintf(msg, len, "unknown pool property \"%.64s\"",
				 in->properties[i]->name);
		if (rc != 0)
			return -DER_INVAL;
		pool_prop_val_to_str(&v, vals[i], POOL_PROP_STR_MAX);
		mgmt__pool_property__init(&out[i]);
		out[i].name = (char *)def->key;
		out[i].value = vals[i];
		if (strcmp(def->key, "label") != 0)
			continue;
		if (!ms_label_is_valid(vals[i])) {
			snprintf(msg, len, "invalid pool label \"%.128s\"", vals[i]);
			return -DER_INVAL;
		}
		if (ms_pool_lookup(srv->ms, vals[i], &other) == 0 &&
		    uuid_compare(other->uuid, pc->uuid) != 0) {
			snprintf(msg, len, "pool label \"%.128s\" is already in use", vals[i]);
			return -DER_EXIST;
		}
		snprintf(pc->new_label, sizeof(pc->new_label), "%s", vals[i]);
	}
	return 0;
}

/* evict: the handles named, if any, must be UUIDs; a client has few of them. */
static int
evict_check(const Mgmt__PoolIdReq *in, const struct ms_pool *p, char *msg, size_t len)
{
	uuid_t u;
	size_t i;

	if (in->n_handles > SRV_EVICT_HANDLES_MAX) {
		snprintf(msg, len, "pool %s: %zu handles to evict, more than %u in one call",
			 p->label, in->n_handles, SRV_EVICT_HANDLES_MAX);
		return -DER_INVAL;
	}
	for (i = 0; i < in->n_handles; i++) {
		if (strlen(in->handles[i]) != 36 || uuid_parse(in->handles[i], u) != 0) {
			snprintf(msg, len, "pool %s: invalid pool handle \"%.64s\" (not a UUID)",
				 p->label, in->handles[i]);
			return -DER_INVAL;
		}
	}
	return 0;
}

/* get-prop, set-prop, get-acl, overwrite-acl, update-acl, delete-acl, evict */
void
srv_pool_attrs(struct server *srv, struct ctl_req *req)
{
	const struct ms_pool *p;
	Mgmt__PoolIdReq *in = pool_req(srv, req, &p);
	char(*vals)[POOL_PROP_STR_MAX] = NULL;
	Mgmt__PoolProperty *props = NULL;
	Mgmt__PoolProperty **pptrs = NULL;
	enum daos_acl_principal_type ptype;
	char *pname = NULL;
	struct ps_call *pc;
	char msg[512] = "";
	char *id;
	size_t i;
	int rc = 0;

	if (in == NULL)
		return;
	pc = ps_call_new(req, p);
	if (pc == NULL)
		goto out;
	/* The PS knows the pool by uuid. */
	id = in->id;
	in->id = pc->id;
	switch (pc->method) {
	case CTL_POOL_GET_PROP:
		for (i = 0; i < in->n_properties; i++) {
			if (pool_prop_lookup(in->properties[i]->name) == NULL) {
				snprintf(msg, sizeof(msg), "unknown pool property \"%.64s\"",
					 in->properties[i]->name);
				rc = -DER_INVAL;
			}
		}
		if (rc == 0) {
			/* The PS answers every property it has; get_prop_done() picks. */
			Mgmt__PoolIdReq q = MGMT__POOL_ID_REQ__INIT;

			q.id = pc->id;
			in->id = id;
			pc->names = in;
			ps_send(srv, p, pc, DRPC_METHOD_MGMT_POOL_GET_PROP, &q.base, get_prop_done);
			return;
		}
		break;
	case CTL_POOL_SET_PROP: {
		Mgmt__PoolIdReq q = MGMT__POOL_ID_REQ__INIT;

		vals = d_calloc(in->n_properties + 1, sizeof(*vals));
		props = d_calloc(in->n_properties + 1, sizeof(*props));
		pptrs = d_calloc(in->n_properties + 1, sizeof(*pptrs));
		rc = vals == NULL || props == NULL || pptrs == NULL
			     ? -DER_NOMEM
			     : set_prop_check(srv, in, pc, props, vals, msg, sizeof(msg));
		if (rc == 0) {
			for (i = 0; i < in->n_properties; i++)
				pptrs[i] = &props[i];
			q.id = pc->id;
			q.properties = pptrs;
			q.n_properties = in->n_properties;
			ps_send(srv, p, pc, DRPC_METHOD_MGMT_POOL_SET_PROP, &q.base, set_prop_done);
		}
		break;
	}
	case CTL_POOL_GET_ACL:
		ps_send(srv, p, pc, DRPC_METHOD_MGMT_POOL_GET_ACL, &in->base, pass_done);
		break;
	case CTL_POOL_OVERWRITE_ACL:
	case CTL_POOL_UPDATE_ACL:
		if (pc->method == CTL_POOL_UPDATE_ACL && in->n_acl == 0) {
			snprintf(msg, sizeof(msg), "pool %s: no ACE to add", p->label);
			rc = -DER_INVAL;
		} else {
			rc = ms_acl_check((const char *const *)in->acl, (uint32_t)in->n_acl, msg,
					  sizeof(msg));
		}
		if (rc == 0)
			ps_send(srv, p, pc,
				pc->method == CTL_POOL_UPDATE_ACL
					? DRPC_METHOD_MGMT_POOL_UPDATE_ACL
					: DRPC_METHOD_MGMT_POOL_OVERWRITE_ACL,
				&in->base, pass_done);
		break;
	case CTL_POOL_EVICT:
		rc = evict_check(in, p, msg, sizeof(msg));
		if (rc != 0)
			break;
		if (in->n_handles > 0)
			D_INFO("pool %s: evicting %zu handle(s) for %s (agent on %.64s)", p->label,
			       in->n_handles, ctl_req_info(req)->peer,
			       in->machine[0] != '\0' ? in->machine : "an unnamed host");
		/* The handles travel to the PS in PoolIdReq.handles as they came. */
		ps_send(srv, p, pc, DRPC_METHOD_MGMT_POOL_EVICT, &in->base, pass_done);
		break;
	default: /* CTL_POOL_DELETE_ACL */
		rc = sec_principal_from_str(in->principal, &ptype, &pname);
		d_free(pname);
		if (rc == -DER_NOMEM) {
			snprintf(msg, sizeof(msg), "out of memory");
		} else if (rc != 0) {
			snprintf(
				msg, sizeof(msg),
				"invalid principal \"%.256s\": u:name@, g:name@, OWNER@, GROUP@ or "
				"EVERYONE@",
				in->principal);
			rc = -DER_INVAL;
		} else {
			ps_send(srv, p, pc, DRPC_METHOD_MGMT_POOL_DELETE_ACL, &in->base, pass_done);
		}
		break;
	}
	if (rc != 0) {
		reply_pool(req, rc, msg);
		ps_call_free(pc);
	}
	in->id = id;
out:
	d_free(vals);
	d_free(props);
	d_free(pptrs);
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

/* --- find: where a client connects (through its agent); the MS's record is the answer --- */

void
srv_pool_find(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__PoolFindResp resp = MGMT__POOL_FIND_RESP__INIT;
	const struct ms_pool *p = NULL;
	Mgmt__PoolFindReq *in;
	char msg[256] = "";
	char uuid[37];
	int rc;

	in = mgmt__pool_find_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "PoolFind: malformed request", NULL, NULL, 0);
		return;
	}
	if (in->system[0] != '\0' && strcmp(in->system, ms_system_name(srv->ms)) != 0) {
		snprintf(msg, sizeof(msg), "system \"%.64s\" asked for, but this is system %s",
			 in->system, ms_system_name(srv->ms));
		rc = -DER_INVAL;
	} else {
		rc = ms_pool_resolve(srv->ms, in->id, &p, msg, sizeof(msg));
	}
	if (rc == 0) {
		uuid_unparse_lower(p->uuid, uuid);
		resp.uuid = uuid;
		resp.label = (char *)p->label;
		resp.svc_ranks = p->svc_ranks != NULL ? p->svc_ranks->rl_ranks : NULL;
		resp.n_svc_ranks = p->svc_ranks != NULL ? p->svc_ranks->rl_nr : 0;
		D_DEBUG(DB_MGMT, "PoolFind %s from %s: %s", in->id, ri->peer, uuid);
	} else {
		D_DEBUG(DB_MGMT, "PoolFind %s from %s: %s", in->id, ri->peer, msg);
	}
	resp.status = rc;
	resp.message = msg;
	srv_reply_packed(req, rc, rc != 0 ? msg : NULL, &resp.base);
	mgmt__pool_find_req__free_unpacked(in, &proto_allocator);
}

/* --- exclude: the PSs of the pools with these ranks mark their targets DOWN --- */

static void
exclude_done(struct server *srv, int rc, Mgmt__PoolResp *presp, const char *msg, void *arg)
{
	struct ps_call *pc = arg;

	(void)srv;
	(void)presp;
	if (rc != 0)
		D_ERROR("pool %s: ranks not excluded from its map: %s", pc->label, msg);
	ps_call_free(pc);
}

void
srv_pool_exclude_ranks(struct server *srv, const d_rank_list_t *ranks)
{
	const struct ms_pool *pools;
	uint32_t nr = 0;
	uint32_t i;
	uint32_t k;

	pools = ms_pool_list(srv->ms, &nr);
	for (i = 0; i < nr; i++) {
		Mgmt__PoolIdReq q = MGMT__POOL_ID_REQ__INIT;
		d_rank_list_t *mine = d_rank_list_alloc(0);
		struct ps_call *pc;
		char uuid[37];
		char *str = NULL;
		int rc;

		for (k = 0; mine != NULL && k < ranks->rl_nr; k++)
			if (d_rank_in_rank_list(pools[i].tgt_ranks, ranks->rl_ranks[k]))
				d_rank_list_append(mine, ranks->rl_ranks[k]);
		if (mine == NULL || mine->rl_nr == 0 || pools[i].state != MS_POOL_READY ||
		    d_rank_list_to_str(mine, &str) != 0) {
			d_rank_list_free(mine);
			continue;
		}
		d_rank_list_free(mine);
		pc = d_calloc(1, sizeof(*pc));
		if (pc == NULL) {
			d_free(str);
			continue;
		}
		uuid_copy(pc->uuid, pools[i].uuid);
		snprintf(pc->label, sizeof(pc->label), "%s", pools[i].label);
		uuid_unparse_lower(pools[i].uuid, uuid);
		q.id = uuid;
		q.ranks = str;
		rc = srv_rank_call(srv, svc_rank(&pools[i]), DRPC_METHOD_MGMT_POOL_EXCLUDE, &q.base,
				   exclude_done, pc);
		if (rc != 0) {
			D_ERROR("pool %s: its service rank %u cannot be reached to exclude ranks "
				"%s: " DF_RC,
				pools[i].label, svc_rank(&pools[i]), str, DP_RC(rc));
			d_free(pc);
		}
		d_free(str);
	}
}
