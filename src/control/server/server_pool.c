/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_pool.c - pool calls of the control API, served by the MS: create (sizes per
 * rank from --size and the tier ratio or from --scm-size/--nvme-size, checked against
 * the free space of every rank; shards made by the ranks' engines over dRPC; the record
 * kept by the MS), list, query (per-tier space summed over the ranks' engines) and
 * destroy. A rank of another host is reached through its server (EngineForward).
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

#include "control/dmg/pool_prop.h"
#include "control/server/server.h"
#include "engine/pool_sizes.h"
#include "mgmt.pb-c.h"

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

/*
 * The same for the engine of @rank wherever it is: a local engine directly, another
 * host's through its server (EngineForward). The remote call blocks the loop for at
 * most FORWARD_TIMEOUT_MS: pool calls are rare and short; making pool create across
 * hosts asynchronous belongs to the pool service.
 */
#define FORWARD_TIMEOUT_MS 30000

static int
rank_pool_call(struct server *srv, d_rank_t rank, int32_t method, const ProtobufCMessage *body,
	       Mgmt__PoolResp **out, char *msg, size_t msg_len)
{
	Mgmt__EngineForwardReq fwd = MGMT__ENGINE_FORWARD_REQ__INIT;
	Mgmt__EngineForwardResp *fr = NULL;
	struct srv_engine *e = srv_engine_of_rank(srv, rank);
	const struct ms_member *m;
	struct ctl_tls_config tls;
	struct ctl_client *c;
	struct ctl_reply r;
	const char *colon;
	char host[256];
	uint8_t *buf;
	uint8_t *fbuf = NULL;
	size_t len;
	size_t flen;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (e != NULL)
		return srv_engine_call(e, method, body, out, msg, msg_len);
	m = ms_member_get(srv->ms, rank);
	if (m == NULL || m->state != MS_MEMBER_JOINED || strrchr(m->addr, ':') == NULL) {
		if (msg != NULL)
			snprintf(msg, msg_len, "rank %u is not available", rank);
		return -DER_UNREACH;
	}
	colon = strrchr(m->addr, ':');
	snprintf(host, sizeof(host), "%.*s", (int)(colon - m->addr), m->addr);
	len = protobuf_c_message_get_packed_size(body);
	buf = d_malloc(len + 1);
	if (buf == NULL)
		return -DER_NOMEM;
	protobuf_c_message_pack(body, buf);
	fwd.rank = rank;
	fwd.method = method;
	fwd.body.data = buf;
	fwd.body.len = len;
	flen = mgmt__engine_forward_req__get_packed_size(&fwd);
	fbuf = d_malloc(flen + 1);
	if (fbuf == NULL) {
		d_free(buf);
		return -DER_NOMEM;
	}
	mgmt__engine_forward_req__pack(&fwd, fbuf);
	d_free(buf);
	tls = (struct ctl_tls_config){ .ca_file = srv->cfg->transport_config.ca_cert,
				       .cert_file = srv->cfg->transport_config.cert,
				       .key_file = srv->cfg->transport_config.key };
	rc = ctl_client_connect(host, (uint16_t)strtoul(colon + 1, NULL, 10),
				srv->insecure ? NULL : &tls, DAOS_VERSION, 5000, &c);
	if (rc == 0) {
		rc = ctl_client_call(c, CTL_ENGINE_FORWARD, fbuf, flen, FORWARD_TIMEOUT_MS, &r);
		ctl_client_close(c);
	}
	d_free(fbuf);
	if (rc != 0) {
		if (msg != NULL)
			snprintf(msg, msg_len,
				 "the server of rank %u (%.200s) cannot be reached: " DF_RC, rank,
				 m->addr, DP_RC(rc));
		return rc;
	}
	rc = r.status;
	if (rc != 0) {
		if (msg != NULL)
			snprintf(msg, msg_len, "%s", r.message);
	} else {
		fr = mgmt__engine_forward_resp__unpack(&proto_allocator, r.len, r.body);
		if (fr == NULL)
			rc = -DER_PROTO;
		else
			rc = srv_engine_decode(fr->body.data, fr->body.len, out, msg, msg_len);
	}
	if (fr != NULL)
		mgmt__engine_forward_resp__free_unpacked(fr, &proto_allocator);
	ctl_reply_fini(&r);
	return rc;
}

/* EngineForward: the MS runs a pool call on one of our engines. */
void
srv_engine_forward(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__EngineForwardResp resp = MGMT__ENGINE_FORWARD_RESP__INIT;
	Mgmt__EngineForwardReq *in;
	struct srv_engine *e;
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	int rc;

	in = mgmt__engine_forward_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "EngineForward: malformed request", NULL, NULL, 0);
		return;
	}
	e = srv_engine_of_rank(srv, in->rank);
	if (in->method != DRPC_METHOD_MGMT_POOL_CREATE &&
	    in->method != DRPC_METHOD_MGMT_POOL_DESTROY &&
	    in->method != DRPC_METHOD_MGMT_POOL_QUERY) {
		ctl_req_reply(req, -DER_INVAL, "EngineForward: not a pool method", NULL, NULL, 0);
	} else if (e == NULL || e->state != SRV_ENGINE_JOINED) {
		char msg[128];

		snprintf(msg, sizeof(msg), "rank %u is not a running engine of this server",
			 in->rank);
		ctl_req_reply(req, -DER_UNREACH, msg, NULL, NULL, 0);
	} else {
		rc = srv_engine_drpc(e, in->method, in->body.data, in->body.len, &reply,
				     &reply_len);
		resp.status = rc;
		resp.body.data = reply;
		resp.body.len = reply_len;
		srv_reply_packed(req, rc, rc != 0 ? "the engine did not answer" : NULL, &resp.base);
		d_free(reply);
	}
	mgmt__engine_forward_req__free_unpacked(in, &proto_allocator);
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
	uint32_t done = 0;
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
				   (uint64_t)tgts * pool_shard_md_bytes(per_rank[0] / tgts);
		else
			need_dev = per_rank[1];
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
	/* The record first (Creating), then the shards, then Ready. */
	uuid_generate(pool.uuid);
	uuid_unparse_lower(pool.uuid, uuid);
	snprintf(pool.label, sizeof(pool.label), "%s", in->label);
	pool.state = MS_POOL_CREATING;
	svc = d_rank_list_alloc(1);
	if (svc == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	svc->rl_ranks[0] = ranks->rl_ranks[0];
	pool.svc_ranks = svc;
	pool.tgt_ranks = ranks;
	pool.nr_tiers = 2;
	pool.tier_bytes[0] = per_rank[0];
	pool.tier_bytes[1] = per_rank[1];
	snprintf(pool.owner, sizeof(pool.owner), "%s", in->user[0] ? in->user : "root@");
	snprintf(pool.group, sizeof(pool.group), "%s", in->group[0] ? in->group : "root@");
	pool.props = props;
	pool.nr_props = nr_props;
	pool.acl = in->acl;
	pool.nr_acl = (uint32_t)in->n_acl;
	rc = ms_pool_add(srv->ms, &pool, msg, sizeof(msg));
	if (rc != 0)
		goto out;
	ereq.uuid = uuid;
	ereq.label = in->label;
	for (done = 0; done < ranks->rl_nr; done++) {
		d_rank_t rank = ranks->rl_ranks[done];
		uint32_t tgts = rank_targets(srv, rank);

		ereq.scm_bytes = per_rank[0] / tgts;
		ereq.nvme_bytes = per_rank[1] / tgts;
		rc = rank_pool_call(srv, rank, DRPC_METHOD_MGMT_POOL_CREATE, &ereq.base, NULL, msg,
				    sizeof(msg));
		if (rc != 0)
			break;
	}
	if (rc != 0) {
		Mgmt__PoolIdReq dreq = MGMT__POOL_ID_REQ__INIT;

		dreq.id = uuid;
		for (i = 0; i < done; i++)
			rank_pool_call(srv, ranks->rl_ranks[i], DRPC_METHOD_MGMT_POOL_DESTROY,
				       &dreq.base, NULL, NULL, 0);
		ms_pool_remove(srv->ms, pool.uuid);
		goto out;
	}
	ms_pool_set_state(srv->ms, pool.uuid, MS_POOL_READY);
	D_INFO("pool %s (" DF_UUID ") created on ranks of %u engines", in->label,
	       DP_UUID(pool.uuid), ranks->rl_nr);
	d_rank_list_to_str(ranks, &tgt_str);
	d_rank_list_to_str(svc, &svc_str);
	resp.uuid = uuid;
	resp.svc_ldr = svc->rl_ranks[0];
	resp.svc_reps = svc_str != NULL ? svc_str : (char *)"";
	resp.tgt_ranks = tgt_str != NULL ? tgt_str : (char *)"";
	resp.tier_bytes = per_rank;
	resp.n_tier_bytes = 2;
out:
	resp.status = rc;
	resp.message = msg;
	srv_reply_packed(req, rc, rc != 0 ? msg : NULL, &resp.base);
	d_free(tgt_str);
	d_free(svc_str);
	d_rank_list_free(ranks);
	d_rank_list_free(svc);
	d_free(props);
	d_free(prop_vals);
	mgmt__pool_create_req__free_unpacked(in, &proto_allocator);
}

/* Query the engines of @p and fill @info (strings point into @uuid/@svc/@ranks). */
static int
pool_info(struct server *srv, const struct ms_pool *p, Mgmt__PoolInfo *info,
	  Mgmt__StorageUsage tiers[2], Mgmt__StorageUsage *tp[2], char *uuid, char **svc,
	  char **ranks, char *msg, size_t len)
{
	Mgmt__PoolIdReq q = MGMT__POOL_ID_REQ__INIT;
	uint32_t i;
	unsigned int k;
	int rc = 0;

	uuid_unparse_lower(p->uuid, uuid);
	mgmt__pool_info__init(info);
	info->uuid = uuid;
	info->label = (char *)p->label;
	info->state = (char *)ms_pool_state_name(p->state);
	d_rank_list_to_str(p->svc_ranks, svc);
	d_rank_list_to_str(p->tgt_ranks, ranks);
	info->svc_reps = *svc != NULL ? *svc : (char *)"";
	info->enabled_ranks = *ranks != NULL ? *ranks : (char *)"";
	info->disabled_ranks = (char *)"";
	info->svc_ldr =
		p->svc_ranks != NULL && p->svc_ranks->rl_nr > 0 ? p->svc_ranks->rl_ranks[0] : 0;
	info->total_engines = p->tgt_ranks != NULL ? p->tgt_ranks->rl_nr : 0;
	info->version = 1;
	for (k = 0; k < 2; k++) {
		mgmt__storage_usage__init(&tiers[k]);
		tiers[k].media_type = (char *)(k == 0 ? "SCM" : "NVMe");
		tiers[k].min = UINT64_MAX;
		tp[k] = &tiers[k];
	}
	q.id = uuid;
	for (i = 0; p->tgt_ranks != NULL && i < p->tgt_ranks->rl_nr; i++) {
		Mgmt__PoolResp *r = NULL;

		rc = rank_pool_call(srv, p->tgt_ranks->rl_ranks[i], DRPC_METHOD_MGMT_POOL_QUERY,
				    &q.base, &r, msg, len);
		if (rc == 0 && r->info != NULL) {
			info->total_targets += r->info->total_targets;
			info->active_targets += r->info->active_targets;
			for (k = 0; k < 2 && k < r->info->n_tier_stats; k++) {
				const Mgmt__StorageUsage *u = r->info->tier_stats[k];

				tiers[k].total += u->total;
				tiers[k].free += u->free;
				tiers[k].min = D_MIN(tiers[k].min, u->min);
				tiers[k].max = D_MAX(tiers[k].max, u->max);
			}
		}
		if (r != NULL)
			mgmt__pool_resp__free_unpacked(r, &proto_allocator);
		if (rc != 0)
			break;
	}
	for (k = 0; k < 2; k++) {
		if (tiers[k].min == UINT64_MAX)
			tiers[k].min = 0;
		tiers[k].mean = info->total_targets > 0 ? tiers[k].free / info->total_targets : 0;
	}
	info->tier_stats = tp;
	info->n_tier_stats = 2;
	return rc;
}

void
srv_pool_query(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;
	Mgmt__PoolInfo info;
	Mgmt__StorageUsage tiers[2];
	Mgmt__StorageUsage *tp[2];
	const struct ms_pool *p;
	Mgmt__PoolIdReq *in;
	char uuid[37];
	char *svc = NULL;
	char *ranks = NULL;
	char msg[512] = "";
	int rc;

	in = mgmt__pool_id_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "malformed request", NULL, NULL, 0);
		return;
	}
	rc = ms_pool_lookup(srv->ms, in->id, &p);
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "unknown pool \"%.128s\"", in->id);
		reply_pool(req, -DER_NONEXIST, msg);
	} else {
		rc = pool_info(srv, p, &info, tiers, tp, uuid, &svc, &ranks, msg, sizeof(msg));
		resp.status = rc;
		resp.message = msg;
		resp.info = &info;
		resp.owner_user = (char *)p->owner;
		resp.owner_group = (char *)p->group;
		srv_reply_packed(req, rc, rc != 0 ? msg : NULL, &resp.base);
	}
	d_free(svc);
	d_free(ranks);
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

void
srv_pool_list(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__ListPoolsResp resp = MGMT__LIST_POOLS_RESP__INIT;
	Mgmt__ListPoolsReq *in;
	const struct ms_pool *pools;
	Mgmt__PoolInfo *infos = NULL;
	Mgmt__PoolInfo **ip = NULL;
	Mgmt__StorageUsage(*tiers)[2] = NULL;
	Mgmt__StorageUsage *(*tp)[2] = NULL;
	char(*uuids)[37] = NULL;
	char(*errs)[256] = NULL;
	char **strs = NULL;
	uint32_t nr = 0;
	uint32_t i;
	int rc = 0;

	in = mgmt__list_pools_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "malformed request", NULL, NULL, 0);
		return;
	}
	pools = ms_pool_list(srv->ms, &nr);
	infos = d_calloc(nr + 1, sizeof(*infos));
	ip = d_calloc(nr + 1, sizeof(*ip));
	tiers = d_calloc(nr + 1, sizeof(*tiers));
	tp = d_calloc(nr + 1, sizeof(*tp));
	uuids = d_calloc(nr + 1, sizeof(*uuids));
	errs = d_calloc(nr + 1, sizeof(*errs));
	strs = d_calloc(2 * nr + 2, sizeof(*strs));
	if (infos == NULL || ip == NULL || tiers == NULL || tp == NULL || uuids == NULL ||
	    errs == NULL || strs == NULL) {
		rc = -DER_NOMEM;
		nr = 0;
	}
	for (i = 0; i < nr; i++) {
		int qrc;

		if (in->no_query) {
			mgmt__pool_info__init(&infos[i]);
			uuid_unparse_lower(pools[i].uuid, uuids[i]);
			infos[i].uuid = uuids[i];
			infos[i].label = (char *)pools[i].label;
			infos[i].state = (char *)ms_pool_state_name(pools[i].state);
		} else {
			qrc = pool_info(srv, &pools[i], &infos[i], tiers[i], tp[i], uuids[i],
					&strs[2 * i], &strs[2 * i + 1], errs[i], sizeof(errs[i]));
			if (qrc != 0)
				infos[i].query_error = errs[i];
		}
		ip[i] = &infos[i];
	}
	resp.status = rc;
	resp.pools = ip;
	resp.n_pools = nr;
	srv_reply_packed(req, rc, rc != 0 ? "out of memory" : NULL, &resp.base);
	for (i = 0; strs != NULL && i < 2 * nr; i++)
		d_free(strs[i]);
	d_free(strs);
	d_free(infos);
	d_free(ip);
	d_free(tiers);
	d_free(tp);
	d_free(uuids);
	d_free(errs);
	mgmt__list_pools_req__free_unpacked(in, &proto_allocator);
}

void
srv_pool_destroy(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__PoolIdReq dreq = MGMT__POOL_ID_REQ__INIT;
	const struct ms_pool *p;
	Mgmt__PoolIdReq *in;
	char uuid[37];
	char msg[512] = "";
	uuid_t u;
	uint32_t i;
	int rc;

	in = mgmt__pool_id_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "malformed request", NULL, NULL, 0);
		return;
	}
	rc = ms_pool_lookup(srv->ms, in->id, &p);
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "unknown pool \"%.128s\"", in->id);
		reply_pool(req, -DER_NONEXIST, msg);
		goto out;
	}
	uuid_copy(u, p->uuid);
	uuid_unparse_lower(u, uuid);
	ms_pool_set_state(srv->ms, u, MS_POOL_DESTROYING);
	dreq.id = uuid;
	for (i = 0; p->tgt_ranks != NULL && i < p->tgt_ranks->rl_nr; i++) {
		int erc;

		erc = rank_pool_call(srv, p->tgt_ranks->rl_ranks[i], DRPC_METHOD_MGMT_POOL_DESTROY,
				     &dreq.base, NULL, msg, sizeof(msg));
		if (erc != 0 && erc != -DER_NONEXIST) {
			rc = erc;
			break;
		}
	}
	if (rc == 0) {
		ms_pool_remove(srv->ms, u);
		D_INFO("pool %s destroyed", uuid);
	}
	reply_pool(req, rc, rc != 0 ? msg : NULL);
out:
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

/* --- properties and ACLs --- */

static void
reply_props(struct ctl_req *req, const struct ms_pool *p, Mgmt__PoolIdReq *in)
{
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;
	unsigned int n = pool_prop_count();
	Mgmt__PoolProperty *pp = d_calloc(n + 1, sizeof(*pp));
	Mgmt__PoolProperty **ppp = d_calloc(n + 1, sizeof(*ppp));
	char(*vals)[POOL_PROP_STR_MAX] = d_calloc(n + 1, sizeof(*vals));
	char *svc = NULL;
	unsigned int nr = 0;
	unsigned int i;
	size_t k;

	if (pp == NULL || ppp == NULL || vals == NULL) {
		reply_pool(req, -DER_NOMEM, "out of memory");
		goto out;
	}
	d_rank_list_to_str(p->svc_ranks, &svc);
	for (i = 0; i < n; i++) {
		const struct pool_prop_def *def = pool_prop_at(i);
		const char *v = NULL;
		bool wanted = in->n_properties == 0;

		for (k = 0; k < in->n_properties && !wanted; k++) {
			const struct pool_prop_def *d = pool_prop_lookup(in->properties[k]->name);

			wanted = d == def;
		}
		if (!wanted)
			continue;
		if (strcmp(def->key, "label") == 0) {
			v = p->label;
		} else if (strcmp(def->key, "svc_list") == 0) {
			v = svc != NULL ? svc : "";
		} else {
			uint32_t j;

			for (j = 0; j < p->nr_props && v == NULL; j++)
				if (strcmp(p->props[j].key, def->key) == 0)
					v = p->props[j].value;
			if (v == NULL) {
				struct pool_prop_val dv;

				if (pool_prop_default(def, &dv) == 0 &&
				    pool_prop_val_to_str(&dv, vals[nr], sizeof(vals[nr])) == 0)
					v = vals[nr];
			}
		}
		mgmt__pool_property__init(&pp[nr]);
		pp[nr].name = (char *)def->key;
		pp[nr].value = (char *)(v != NULL ? v : "");
		ppp[nr] = &pp[nr];
		nr++;
	}
	for (k = 0; k < in->n_properties; k++) {
		if (pool_prop_lookup(in->properties[k]->name) == NULL) {
			char msg[128];

			snprintf(msg, sizeof(msg), "unknown pool property \"%.64s\"",
				 in->properties[k]->name);
			reply_pool(req, -DER_INVAL, msg);
			goto out;
		}
	}
	resp.properties = ppp;
	resp.n_properties = nr;
	srv_reply_packed(req, 0, NULL, &resp.base);
out:
	d_free(svc);
	d_free(pp);
	d_free(ppp);
	d_free(vals);
}

static void
reply_acl(struct server *srv, struct ctl_req *req, const struct ms_pool *p)
{
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;
	const char *const *strs = NULL;
	uint32_t nr = 0;
	int rc;

	rc = ms_pool_acl_get(srv->ms, p->uuid, &strs, &nr);
	if (rc != 0) {
		reply_pool(req, rc, "cannot read the pool's ACL");
		return;
	}
	resp.acl = (char **)strs;
	resp.n_acl = nr;
	resp.owner_user = (char *)p->owner;
	resp.owner_group = (char *)p->group;
	srv_reply_packed(req, 0, NULL, &resp.base);
}

/* get-prop, set-prop, get-acl, overwrite-acl, update-acl, delete-acl */
void
srv_pool_attrs(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	const struct ms_pool *p;
	Mgmt__PoolIdReq *in;
	char msg[512] = "";
	uuid_t uuid;
	size_t i;
	int rc;

	in = mgmt__pool_id_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "malformed request", NULL, NULL, 0);
		return;
	}
	if (ms_pool_lookup(srv->ms, in->id, &p) != 0) {
		snprintf(msg, sizeof(msg), "unknown pool \"%.128s\"", in->id);
		reply_pool(req, -DER_NONEXIST, msg);
		goto out;
	}
	uuid_copy(uuid, p->uuid);
	switch (ri->method) {
	case CTL_POOL_GET_PROP:
		reply_props(req, p, in);
		break;
	case CTL_POOL_SET_PROP:
		rc = in->n_properties == 0 ? -DER_INVAL : 0;
		if (rc != 0)
			snprintf(msg, sizeof(msg), "no property to set");
		for (i = 0; rc == 0 && i < in->n_properties; i++) {
			const struct pool_prop_def *def = pool_prop_lookup(in->properties[i]->name);
			struct pool_prop_val v;
			char val[POOL_PROP_STR_MAX];

			rc = pool_prop_parse(in->properties[i]->name, in->properties[i]->value,
					     false, &v, msg, sizeof(msg));
			if (rc == -DER_NONEXIST)
				snprintf(msg, sizeof(msg), "unknown pool property \"%.64s\"",
					 in->properties[i]->name);
			if (rc != 0) {
				rc = -DER_INVAL;
				break;
			}
			pool_prop_val_to_str(&v, val, sizeof(val));
			rc = ms_pool_prop_set(srv->ms, uuid, def->key, val, msg, sizeof(msg));
		}
		reply_pool(req, rc, rc != 0 ? msg : NULL);
		break;
	case CTL_POOL_GET_ACL:
		reply_acl(srv, req, p);
		break;
	case CTL_POOL_OVERWRITE_ACL:
	case CTL_POOL_UPDATE_ACL:
		rc = ri->method == CTL_POOL_OVERWRITE_ACL
			     ? ms_pool_acl_overwrite(srv->ms, uuid, (const char *const *)in->acl,
						     (uint32_t)in->n_acl, msg, sizeof(msg))
			     : ms_pool_acl_update(srv->ms, uuid, (const char *const *)in->acl,
						  (uint32_t)in->n_acl, msg, sizeof(msg));
		if (rc != 0)
			reply_pool(req, rc, msg);
		else if (ms_pool_lookup(srv->ms, in->id, &p) == 0)
			reply_acl(srv, req, p);
		else
			reply_pool(req, -DER_NONEXIST, "the pool went away");
		break;
	case CTL_POOL_EVICT:
		/*
		 * Pool handles exist only once clients connect (libdaos); until then there is
		 * never one to evict, and the pool's existence is all there is to check.
		 */
		D_INFO("pool %s: evict: no open handles", in->id);
		reply_pool(req, 0, NULL);
		break;
	default: /* CTL_POOL_DELETE_ACL */
		rc = ms_pool_acl_delete(srv->ms, uuid, in->principal, msg, sizeof(msg));
		if (rc != 0)
			reply_pool(req, rc, msg);
		else if (ms_pool_lookup(srv->ms, in->id, &p) == 0)
			reply_acl(srv, req, p);
		else
			reply_pool(req, -DER_NONEXIST, "the pool went away");
		break;
	}
out:
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}
