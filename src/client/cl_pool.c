/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_pool.c - pool connections, and calls to the pool service in general.
 *
 * Connect: the agent finds the pool (dRPC MGMT POOL_FIND: label or uuid -> uuid and
 * service ranks) and vouches for us (SEC_AGENT REQUEST_CREDS); then RPC_POOL_CONNECT,
 * with a new handle uuid, goes to the service ranks in turn until one answers (the
 * others may be down or not the leader). Its reply carries the pool map, which the
 * handle keeps, with placement's view of it, for the object layer. Last, the agent is
 * told of the connection (NOTIFY_POOL_CONNECT), so that it can evict us if we die.
 * The agent steps are local and short; they run in the caller's thread even for an
 * asynchronous connect, and only the fabric part is asynchronous.
 *
 * struct cl_psvc is how every pool and container call reaches the service: the encoded
 * body is kept and resent to the next service rank on -DER_UNREACH, -DER_TIMEDOUT or
 * -DER_NOTLEADER; the rank that answered is remembered as the first to try next time.
 *
 * Sharing (local2global): version, pool uuid, handle uuid, flags, label, service ranks
 * and the encoded pool map: enough for another process to use the connection without
 * asking the service (global2local makes a "slave" handle whose disconnect is local).
 */
#define D_LOGFAC DD_FAC(client)

#include <stdio.h>

#include "client/client_int.h"
#include "mgmt.pb-c.h"
#include "proto/proto.h"

#define POOL_GLOB_MAGIC 0x504f4c47u /* "POLG" */
#define POOL_GLOB_VERSION 1

/* ---- handles and maps ---- */

static void
pool_free(struct cl_hlink *hl)
{
	struct cl_pool *pool = container_of(hl, struct cl_pool, hl);

	pool_map_free(pool->map);
	d_free(pool->pl_ranks);
	d_free(pool->pl_tgts);
	d_free(pool->svc);
	pthread_rwlock_destroy(&pool->map_lock);
	d_free(pool);
}

static struct cl_pool *
pool_alloc(void)
{
	struct cl_pool *pool = d_calloc(1, sizeof(*pool));

	if (pool == NULL)
		return NULL;
	cl_hlink_init(&pool->hl, DAOS_HTYPE_POOL, pool_free);
	pthread_rwlock_init(&pool->map_lock, NULL);
	return pool;
}

struct cl_pool *
cl_pool_lookup(daos_handle_t poh)
{
	struct cl_hlink *hl = cl_hdl_lookup(poh, DAOS_HTYPE_POOL);

	return hl == NULL ? NULL : container_of(hl, struct cl_pool, hl);
}

static enum pl_tgt_state
pl_state(enum pool_comp_state st)
{
	switch (st) {
	case POOL_COMP_DOWN:
		return PL_TGT_DOWN;
	case POOL_COMP_DOWNOUT:
		return PL_TGT_DOWNOUT;
	case POOL_COMP_NEW:
		return PL_TGT_NEW;
	default:
		return PL_TGT_UP;
	}
}

int
cl_pool_pl_build(struct cl_pool *pool)
{
	const struct pool_map *map = pool->map;
	struct pl_rank *ranks;
	struct pl_target *tgts;
	uint32_t i;
	uint32_t t;

	ranks = d_calloc(map->nr_ranks, sizeof(*ranks));
	tgts = d_calloc(map->nr_targets, sizeof(*tgts));
	if (ranks == NULL || tgts == NULL) {
		d_free(ranks);
		d_free(tgts);
		return -DER_NOMEM;
	}
	for (i = 0; i < map->nr_targets; i++) {
		tgts[i].state = pl_state(map->targets[i].state);
		tgts[i].fseq = map->targets[i].fseq;
	}
	for (i = 0; i < map->nr_ranks; i++) {
		ranks[i].rank = map->ranks[i].rank;
		ranks[i].nr_targets = map->ranks[i].nr_targets;
		t = (uint32_t)(map->ranks[i].targets - map->targets);
		ranks[i].targets = &tgts[t];
	}
	d_free(pool->pl_ranks);
	d_free(pool->pl_tgts);
	pool->pl_ranks = ranks;
	pool->pl_tgts = tgts;
	pool->pl.version = map->version;
	pool->pl.nr_ranks = map->nr_ranks;
	pool->pl.ranks = ranks;
	return 0;
}

/* Take a newer map from @bytes (a reply's); older or equal ones are ignored. */
static int
pool_map_refresh(struct cl_pool *pool, const void *bytes, size_t len)
{
	struct pool_map *map;
	struct pool_map *old;
	int rc;

	if (len == 0)
		return 0;
	rc = pool_map_decode(bytes, len, &map);
	if (rc != 0) {
		D_ERROR("bad pool map from the service of pool " DF_UUID ": " DF_RC,
			DP_UUID(pool->uuid), DP_RC(rc));
		return rc;
	}
	pthread_rwlock_wrlock(&pool->map_lock);
	if (pool->map != NULL && pool->map->version >= map->version) {
		pthread_rwlock_unlock(&pool->map_lock);
		pool_map_free(map);
		return 0;
	}
	old = pool->map;
	pool->map = map;
	rc = cl_pool_pl_build(pool);
	if (rc != 0) {
		pool->map = old;
		old = map;
	}
	pthread_rwlock_unlock(&pool->map_lock);
	pool_map_free(old);
	return rc;
}

/* ---- calls to the pool service ---- */

static bool
psvc_should_retry(int status)
{
	return status == -DER_UNREACH || status == -DER_TIMEDOUT || status == -DER_NOTLEADER;
}

/* Send to the next service rank that takes the request. */
static int
psvc_send(struct cl_psvc *ps)
{
	struct cl_pool *pool = ps->pool;
	int rc = -DER_UNREACH;

	while (ps->tries < pool->nr_svc) {
		uint32_t idx = (ps->first + ps->tries) % pool->nr_svc;

		ps->tries++;
		rc = cl_op_send(&ps->op, pool->svc[idx], 0, ps->opc, ps->body, ps->len, idx);
		if (rc == 0)
			return 0;
		if (!psvc_should_retry(rc))
			return rc;
	}
	D_ERROR("no service rank of pool " DF_UUID " took the request: " DF_RC, DP_UUID(pool->uuid),
		DP_RC(rc));
	return rc;
}

static int
psvc_start(struct cl_op *op)
{
	struct cl_psvc *ps = container_of(op, struct cl_psvc, op);

	if (ps->pool->nr_svc == 0)
		return -DER_NO_SERVICE;
	pthread_rwlock_rdlock(&ps->pool->map_lock);
	ps->first = ps->pool->leader % ps->pool->nr_svc;
	pthread_rwlock_unlock(&ps->pool->map_lock);
	return psvc_send(ps);
}

static void
psvc_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct cl_psvc *ps = container_of(op, struct cl_psvc, op);

	if (psvc_should_retry(status) && ps->tries < ps->pool->nr_svc) {
		D_DEBUG(DB_MD, "pool service rank %u: " DF_RC ", trying the next",
			ps->pool->svc[idx], DP_RC(status));
		ps->retry = true;
		return;
	}
	if (status != -DER_UNREACH && status != -DER_TIMEDOUT) {
		pthread_rwlock_wrlock(&ps->pool->map_lock);
		ps->pool->leader = idx;
		pthread_rwlock_unlock(&ps->pool->map_lock);
	}
	ps->op.rc = ps->decode(ps, status, body, len);
}

static int
psvc_done(struct cl_op *op)
{
	struct cl_psvc *ps = container_of(op, struct cl_psvc, op);
	int rc;

	if (!ps->retry)
		return ps->op.rc;
	ps->retry = false;
	rc = psvc_send(ps);
	return rc == 0 ? 1 : rc;
}

static void
psvc_fini(struct cl_op *op)
{
	struct cl_psvc *ps = container_of(op, struct cl_psvc, op);

	if (ps->free != NULL)
		ps->free(ps);
	if (ps->pool != NULL)
		cl_pool_put(ps->pool);
	d_free(ps->body);
	d_free(ps);
}

static const struct cl_op_ops psvc_ops = {
	.start = psvc_start,
	.reply = psvc_reply,
	.done = psvc_done,
	.fini = psvc_fini,
};

void
cl_psvc_free(struct cl_psvc *ps)
{
	psvc_fini(&ps->op);
}

int
cl_psvc_run(struct cl_psvc *ps, daos_event_t *ev)
{
	return cl_op_run(&ps->op, &psvc_ops, ev);
}

/* A psvc of @size bytes (the call's struct embeds it first) with a body buffer. */
void *
cl_psvc_alloc(size_t size, struct cl_pool *pool, uint32_t opc)
{
	struct cl_psvc *ps = d_calloc(1, size);

	if (ps == NULL)
		return NULL;
	ps->body = d_malloc(NET_BODY_MAX);
	if (ps->body == NULL) {
		d_free(ps);
		return NULL;
	}
	ps->pool = pool;
	ps->opc = opc;
	return ps;
}

/* ---- properties ---- */

/*
 * Copy what the service returned into the caller's @prop: all of @got if the caller's
 * dpp_entries is NULL, else the types the caller listed (NOT_SET if absent).
 */
int
cl_prop_fill(daos_prop_t *prop, daos_prop_t *got)
{
	uint32_t i;
	int rc = 0;

	if (prop == NULL)
		return 0;
	if (prop->dpp_entries == NULL) {
		if (got == NULL)
			return 0;
		prop->dpp_nr = got->dpp_nr;
		prop->dpp_entries = got->dpp_entries;
		got->dpp_nr = 0;
		got->dpp_entries = NULL;
		return 0;
	}
	for (i = 0; i < prop->dpp_nr && rc == 0; i++) {
		struct daos_prop_entry *e = &prop->dpp_entries[i];
		struct daos_prop_entry *g = got ? daos_prop_entry_get(got, e->dpe_type) : NULL;

		if (g == NULL || !daos_prop_is_set(g)) {
			e->dpe_flags |= DAOS_PROP_ENTRY_NOT_SET;
			continue;
		}
		e->dpe_flags &= ~DAOS_PROP_ENTRY_NOT_SET;
		if (daos_prop_has_str(g)) {
			rc = daos_prop_entry_set_str(e, g->dpe_str,
						     g->dpe_str ? strlen(g->dpe_str) : 0);
		} else if (g->dpe_type == DAOS_PROP_PO_SVC_LIST) {
			/* moved: the list is not ours to copy byte-wise */
			e->dpe_val_ptr = g->dpe_val_ptr;
			g->dpe_val_ptr = NULL;
		} else if (daos_prop_has_ptr(g)) {
			/* move the pointer: the caller frees it with daos_prop_free() */
			d_free(e->dpe_val_ptr);
			e->dpe_val_ptr = g->dpe_val_ptr;
			g->dpe_val_ptr = NULL;
		} else {
			e->dpe_val = g->dpe_val;
		}
	}
	return rc;
}

/* A property list asking for @prop's types, or all of [@min+1, @max) if it lists none. */
daos_prop_t *
cl_prop_wanted(const daos_prop_t *prop, uint32_t min, uint32_t max)
{
	daos_prop_t *want;
	uint32_t i;

	if (prop == NULL)
		return NULL;
	if (prop->dpp_entries != NULL) {
		want = daos_prop_alloc(prop->dpp_nr);
		for (i = 0; want != NULL && i < prop->dpp_nr; i++) {
			want->dpp_entries[i].dpe_type = prop->dpp_entries[i].dpe_type;
			want->dpp_entries[i].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
		}
		return want;
	}
	want = daos_prop_alloc(max - min - 1);
	for (i = 0; want != NULL && i < max - min - 1; i++) {
		want->dpp_entries[i].dpe_type = min + 1 + i;
		want->dpp_entries[i].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	}
	return want;
}

/* ---- the agent's part of connect ---- */

static int
pool_find(const char *id, const char *sys, struct cl_pool *pool)
{
	Mgmt__PoolFindReq req = MGMT__POOL_FIND_REQ__INIT;
	Mgmt__PoolFindResp *resp;
	uint8_t body[512];
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	size_t len;
	size_t i;
	int status;
	int rc;

	req.id = (char *)id;
	req.system = (char *)(sys != NULL ? sys : cl_g.system);
	len = mgmt__pool_find_req__get_packed_size(&req);
	if (len > sizeof(body))
		return -DER_INVAL;
	mgmt__pool_find_req__pack(&req, body);
	rc = cl_agent_call(DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_POOL_FIND, body, len, &status, &reply,
			   &reply_len);
	if (rc != 0)
		return rc;
	if (status != DRPC__STATUS__SUCCESS) {
		D_ERROR("daos_agent could not look up pool %s (drpc status %d)", id, status);
		d_free(reply);
		return status == DRPC__STATUS__UNKNOWN_METHOD ? -DER_AGENT_INCOMPAT
							      : -DER_AGENT_COMM;
	}
	resp = mgmt__pool_find_resp__unpack(&proto_allocator, reply_len, reply);
	d_free(reply);
	if (resp == NULL)
		return -DER_PROTO;
	if (resp->status != 0) {
		rc = resp->status;
		D_ERROR("pool %s: %s: " DF_RC, id, resp->message, DP_RC(rc));
		goto out;
	}
	if (resp->uuid == NULL || uuid_parse(resp->uuid, pool->uuid) != 0 ||
	    resp->n_svc_ranks == 0) {
		D_ERROR("daos_agent answered pool %s without a uuid or service ranks", id);
		rc = -DER_PROTO;
		goto out;
	}
	pool->svc = d_calloc(resp->n_svc_ranks, sizeof(*pool->svc));
	if (pool->svc == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < resp->n_svc_ranks; i++)
		pool->svc[i] = resp->svc_ranks[i];
	pool->nr_svc = (uint32_t)resp->n_svc_ranks;
	if (resp->label != NULL)
		snprintf(pool->label, sizeof(pool->label), "%s", resp->label);
out:
	mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	return rc;
}

static int
creds_get(uint8_t **cred, size_t *len)
{
	Mgmt__DaosResp *resp;
	int status;
	int rc;

	rc = cl_agent_call(DRPC_MODULE_SEC_AGENT, DRPC_METHOD_SEC_AGENT_REQUEST_CREDS, NULL, 0,
			   &status, cred, len);
	if (rc != 0)
		return rc;
	if (status == DRPC__STATUS__SUCCESS)
		return 0;
	resp = mgmt__daos_resp__unpack(&proto_allocator, *len, *cred);
	d_free(*cred);
	*cred = NULL;
	if (resp == NULL) {
		D_ERROR("daos_agent refused a credential (drpc status %d)", status);
		return -DER_AGENT_COMM;
	}
	rc = resp->status != 0 ? resp->status : -DER_AGENT_COMM;
	D_ERROR("daos_agent refused a credential: %s: " DF_RC, resp->message, DP_RC(rc));
	mgmt__daos_resp__free_unpacked(resp, &proto_allocator);
	return rc;
}

static void
notify_agent(int32_t method, const struct cl_pool *pool)
{
	Mgmt__PoolMonitorReq req = MGMT__POOL_MONITOR_REQ__INIT;
	char puuid[37];
	char huuid[37];
	uint8_t body[1024];
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	size_t len;
	int status;
	int rc;

	uuid_unparse_lower(pool->uuid, puuid);
	uuid_unparse_lower(pool->hdl, huuid);
	req.pool_uuid = puuid;
	req.pool_handle_uuid = huuid;
	req.jobid = cl_g.jobid;
	req.sys = cl_g.system;
	len = mgmt__pool_monitor_req__get_packed_size(&req);
	if (len > sizeof(body))
		return;
	mgmt__pool_monitor_req__pack(&req, body);
	rc = cl_agent_call(DRPC_MODULE_MGMT, method, body, len, &status, &reply, &reply_len);
	if (rc == 0 && status != DRPC__STATUS__SUCCESS)
		rc = -DER_AGENT_COMM;
	if (rc != 0)
		D_WARN("could not tell daos_agent about pool " DF_UUID " handle: " DF_RC,
		       DP_UUID(pool->uuid), DP_RC(rc));
	d_free(reply);
}

/* ---- connect ---- */

struct connect_op {
	struct cl_psvc ps;
	struct cl_pool *pool; /* the new connection, reference */
	daos_handle_t *poh;
	daos_pool_info_t *info;
};

static int
connect_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct connect_op *c = container_of(ps, struct connect_op, ps);
	struct rpc_pool_query_out out;
	int rc;

	if (status != 0) {
		D_ERROR("could not connect to pool " DF_UUID ": " DF_RC, DP_UUID(c->pool->uuid),
			DP_RC(status));
		return status;
	}
	rc = rpc_pool_query_out_decode(body, len, &out);
	if (rc != 0)
		return rc;
	rc = pool_map_refresh(c->pool, out.map.iov_buf, out.map.iov_len);
	if (rc == 0 && c->pool->map == NULL) {
		D_ERROR("pool " DF_UUID " connected without a pool map", DP_UUID(c->pool->uuid));
		rc = -DER_PROTO;
	}
	if (rc == 0 && c->info != NULL) {
		uint64_t bits = c->info->pi_bits;

		*c->info = out.info;
		c->info->pi_bits = bits;
		uuid_copy(c->info->pi_uuid, c->pool->uuid);
	}
	rpc_pool_query_out_fini(&out);
	if (rc != 0)
		return rc;
	rc = cl_hdl_insert(&c->pool->hl, c->poh);
	if (rc != 0)
		return rc;
	notify_agent(DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, c->pool);
	D_DEBUG(DB_MD, "connected to pool " DF_UUID " (map v%u)", DP_UUID(c->pool->uuid),
		c->pool->map->version);
	return 0;
}

static void
connect_free(struct cl_psvc *ps)
{
	struct connect_op *c = container_of(ps, struct connect_op, ps);

	cl_pool_put(c->pool);
}

D_EXPORT int
daos_pool_connect2(const char *pool_id, const char *sys, unsigned int flags, daos_handle_t *poh,
		   daos_pool_info_t *info, daos_event_t *ev)
{
	struct rpc_pool_connect_in in = { 0 };
	struct connect_op *c;
	struct cl_pool *pool;
	uint8_t *cred = NULL;
	size_t cred_len = 0;
	int rc;

	if (pool_id == NULL || poh == NULL || strlen(pool_id) > RPC_ID_MAX ||
	    (flags != DAOS_PC_RO && flags != DAOS_PC_RW && flags != DAOS_PC_EX))
		return -DER_INVAL;
	if (pool_id[0] == '\0')
		return -DER_INVAL;
	rc = cl_check_init();
	if (rc != 0)
		return rc;
	pool = pool_alloc();
	if (pool == NULL)
		return -DER_NOMEM;
	pool->flags = flags;
	uuid_generate(pool->hdl);
	rc = pool_find(pool_id, sys, pool);
	if (rc != 0)
		goto out_pool;
	rc = creds_get(&cred, &cred_len);
	if (rc != 0)
		goto out_pool;

	/* The op holds the pool twice: as its psvc target and as the new connection. */
	c = cl_psvc_alloc(sizeof(*c), pool, RPC_POOL_CONNECT);
	if (c == NULL) {
		rc = -DER_NOMEM;
		goto out_cred;
	}
	cl_hlink_get(&pool->hl);
	c->pool = pool;
	c->poh = poh;
	c->info = info;
	c->ps.decode = connect_decode;
	c->ps.free = connect_free;
	uuid_copy(in.hdr.pool, pool->uuid);
	uuid_copy(in.hdr.poh, pool->hdl);
	in.flags = flags;
	in.query = info != NULL ? info->pi_bits : 0;
	d_iov_set(&in.cred, cred, cred_len);
	c->ps.len = rpc_pool_connect_in_encode(&in, c->ps.body, NET_BODY_MAX);
	d_free(cred);
	if (c->ps.len == 0) {
		psvc_fini(&c->ps.op);
		return -DER_OVERFLOW;
	}
	return cl_psvc_run(&c->ps, ev);

out_cred:
	d_free(cred);
out_pool:
	cl_pool_put(pool);
	return rc;
}

/* ---- disconnect ---- */

struct disc_op {
	struct cl_psvc ps;
};

static int
disc_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	(void)body;
	(void)len;
	/* a handle the service no longer knows is gone all the same */
	if (status != 0 && status != -DER_NO_HDL)
		return status;
	notify_agent(DRPC_METHOD_MGMT_NOTIFY_POOL_DISCONNECT, ps->pool);
	cl_hdl_remove(&ps->pool->hl);
	return 0;
}

D_EXPORT int
daos_pool_disconnect(daos_handle_t poh, daos_event_t *ev)
{
	struct rpc_pool_hdr hdr;
	struct disc_op *d;
	struct cl_pool *pool;
	struct buf b;

	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	if (pool->slave) {
		cl_hdl_remove(&pool->hl);
		cl_pool_put(pool);
		return cl_op_local(ev, 0);
	}
	d = cl_psvc_alloc(sizeof(*d), pool, RPC_POOL_DISCONNECT);
	if (d == NULL) {
		cl_pool_put(pool);
		return -DER_NOMEM;
	}
	d->ps.decode = disc_decode;
	uuid_copy(hdr.pool, pool->uuid);
	uuid_copy(hdr.poh, pool->hdl);
	buf_init(&b, d->ps.body, NET_BODY_MAX);
	rpc_pool_hdr_encode(&b, &hdr);
	d->ps.len = b.off;
	return cl_psvc_run(&d->ps, ev);
}

/* ---- query ---- */

struct query_op {
	struct cl_psvc ps;
	d_rank_list_t **ranks;
	daos_pool_info_t *info;
	daos_prop_t *prop;
	bool ranks_enabled;
};

static int
query_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct query_op *q = container_of(ps, struct query_op, ps);
	struct rpc_pool_query_out out;
	uint32_t nr;
	int rc;

	if (status != 0)
		return status;
	rc = rpc_pool_query_out_decode(body, len, &out);
	if (rc != 0)
		return rc;
	rc = pool_map_refresh(ps->pool, out.map.iov_buf, out.map.iov_len);
	if (rc == 0 && q->info != NULL) {
		uint64_t bits = q->info->pi_bits;

		*q->info = out.info;
		q->info->pi_bits = bits;
		uuid_copy(q->info->pi_uuid, ps->pool->uuid);
	}
	if (rc == 0 && q->ranks != NULL) {
		const d_rank_t *src = q->ranks_enabled ? out.enabled : out.disabled;

		nr = q->ranks_enabled ? out.nr_enabled : out.nr_disabled;
		*q->ranks = d_rank_list_alloc(nr);
		if (*q->ranks == NULL)
			rc = -DER_NOMEM;
		else if (nr > 0)
			rpc_ranks_get(src, nr, (*q->ranks)->rl_ranks);
	}
	if (rc == 0)
		rc = cl_prop_fill(q->prop, out.prop);
	rpc_pool_query_out_fini(&out);
	return rc;
}

D_EXPORT int
daos_pool_query(daos_handle_t poh, d_rank_list_t **ranks, daos_pool_info_t *info,
		daos_prop_t *pool_prop, daos_event_t *ev)
{
	struct rpc_pool_query_in in = { 0 };
	struct query_op *q;
	struct cl_pool *pool;

	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	q = cl_psvc_alloc(sizeof(*q), pool, RPC_POOL_QUERY);
	if (q == NULL) {
		cl_pool_put(pool);
		return -DER_NOMEM;
	}
	q->ps.decode = query_decode;
	q->ranks = ranks;
	q->info = info;
	q->prop = pool_prop;
	uuid_copy(in.hdr.pool, pool->uuid);
	uuid_copy(in.hdr.poh, pool->hdl);
	in.query = info != NULL ? info->pi_bits : 0;
	if (ranks != NULL) {
		/* DAOS lists the disabled engines unless asked for the enabled ones */
		q->ranks_enabled = info != NULL && (info->pi_bits & DPI_ENGINES_ENABLED);
		in.query |= q->ranks_enabled ? DPI_ENGINES_ENABLED : DPI_ENGINES_DISABLED;
	}
	in.prop = cl_prop_wanted(pool_prop, DAOS_PROP_PO_MIN, DAOS_PROP_PO_MAX);
	if (pool_prop != NULL && in.prop == NULL) {
		psvc_fini(&q->ps.op);
		return -DER_NOMEM;
	}
	q->ps.len = rpc_pool_query_in_encode(&in, q->ps.body, NET_BODY_MAX);
	daos_prop_free(in.prop);
	if (q->ps.len == 0) {
		psvc_fini(&q->ps.op);
		return -DER_OVERFLOW;
	}
	return cl_psvc_run(&q->ps, ev);
}

D_EXPORT int
daos_pool_query_target(daos_handle_t poh, uint32_t tgt, d_rank_t rank, daos_target_info_t *info,
		       daos_event_t *ev)
{
	const struct pool_rank *r;
	struct cl_pool *pool;
	int rc = 0;

	if (info == NULL)
		return -DER_INVAL;
	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	/* State from our map; space needs a per-target query the service does not offer. */
	pthread_rwlock_rdlock(&pool->map_lock);
	r = pool_map_find_rank(pool->map, rank);
	if (r == NULL || tgt >= r->nr_targets) {
		rc = -DER_NONEXIST;
	} else {
		memset(info, 0, sizeof(*info));
		info->ta_type = DAOS_TP_UNKNOWN;
		info->ta_state =
			(daos_target_state_t)pool_comp_state_to_daos(r->targets[tgt].state);
	}
	pthread_rwlock_unlock(&pool->map_lock);
	cl_pool_put(pool);
	return cl_op_local(ev, rc);
}

/* ---- containers of the pool ---- */

struct list_op {
	struct cl_psvc ps;
	daos_size_t *ncont;
	struct daos_pool_cont_info *cbuf;
};

static int
list_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct list_op *l = container_of(ps, struct list_op, ps);
	struct rpc_cont_entry *ents = NULL;
	uint32_t n = 0;
	uint32_t i;
	int rc;

	if (status != 0)
		return status;
	rc = rpc_cont_list_decode(body, len, &ents, &n);
	if (rc != 0)
		return rc;
	if (l->cbuf != NULL && n > *l->ncont) {
		rc = -DER_TRUNC;
	} else if (l->cbuf != NULL) {
		for (i = 0; i < n; i++) {
			uuid_copy(l->cbuf[i].pci_uuid, ents[i].uuid);
			snprintf(l->cbuf[i].pci_label, sizeof(l->cbuf[i].pci_label), "%s",
				 ents[i].label);
		}
	}
	*l->ncont = n;
	d_free(ents);
	return rc;
}

D_EXPORT int
daos_pool_list_cont(daos_handle_t poh, daos_size_t *ncont, struct daos_pool_cont_info *cbuf,
		    daos_event_t *ev)
{
	struct rpc_pool_hdr hdr;
	struct list_op *l;
	struct cl_pool *pool;
	struct buf b;

	if (ncont == NULL)
		return -DER_INVAL;
	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	l = cl_psvc_alloc(sizeof(*l), pool, RPC_POOL_LIST_CONT);
	if (l == NULL) {
		cl_pool_put(pool);
		return -DER_NOMEM;
	}
	l->ps.decode = list_decode;
	l->ncont = ncont;
	l->cbuf = cbuf;
	uuid_copy(hdr.pool, pool->uuid);
	uuid_copy(hdr.poh, pool->hdl);
	buf_init(&b, l->ps.body, NET_BODY_MAX);
	rpc_pool_hdr_encode(&b, &hdr);
	l->ps.len = b.off;
	return cl_psvc_run(&l->ps, ev);
}

/* ---- attributes (pool and container) ---- */

struct attr_op {
	struct cl_psvc ps;
	uint32_t op;
	int n;
	void *const *buffers; /* GET */
	size_t *sizes;        /* GET */
	char *list;           /* LIST */
	size_t *list_size;    /* LIST */
};

static int
attr_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct attr_op *a = container_of(ps, struct attr_op, ps);
	struct buf b = BUF_INIT(body, len);
	size_t room;
	size_t total = 0;
	size_t used = 0;
	uint32_t n;
	uint32_t i;
	int rc = 0;

	if (status != 0)
		return status;
	switch (a->op) {
	case RPC_ATTR_GET:
		for (i = 0; i < (uint32_t)a->n && b.err == 0; i++) {
			uint32_t vlen = buf_get_u32(&b);
			const void *v;

			if (vlen == 0xffffffffu) {
				rc = -DER_NONEXIST;
				a->sizes[i] = 0;
				continue;
			}
			v = buf_get_bytes_raw(&b, vlen);
			if (v == NULL)
				break;
			if (a->buffers != NULL && a->buffers[i] != NULL)
				memcpy(a->buffers[i], v, D_MIN(a->sizes[i], (size_t)vlen));
			a->sizes[i] = vlen;
		}
		break;
	case RPC_ATTR_LIST:
		room = a->list != NULL ? *a->list_size : 0;
		n = buf_get_u32(&b);
		for (i = 0; i < n && b.err == 0; i++) {
			size_t nlen;
			const char *name = buf_get_str(&b, &nlen);

			if (name == NULL)
				break;
			total += nlen + 1; /* with its NUL, as DAOS counts */
			if (used + nlen + 1 <= room) {
				memcpy(a->list + used, name, nlen + 1);
				used += nlen + 1;
			}
		}
		*a->list_size = total;
		break;
	default:
		break;
	}
	if (buf_finish(&b) != 0 && len > 0)
		return -DER_PROTO;
	return rc;
}

/* Run one attribute call on the pool service; @hdr is the pool or container header. */
int
cl_attr_run(struct cl_pool *pool, const void *hdr, bool cont, uint32_t op, int n,
	    char const *const names[], void const *const values[], void *const buffers[],
	    size_t sizes[], char *list, size_t *list_size, daos_event_t *ev)
{
	struct rpc_attr_in in = { 0 };
	struct attr_op *a;
	d_iov_t *niov = NULL;
	d_iov_t *viov = NULL;
	int i;
	int rc;

	if (op != RPC_ATTR_LIST) {
		if (n <= 0 || n > RPC_ATTR_MAX || names == NULL)
			return -DER_INVAL;
		if ((op == RPC_ATTR_SET && (values == NULL || sizes == NULL)) ||
		    (op == RPC_ATTR_GET && sizes == NULL))
			return -DER_INVAL;
		for (i = 0; i < n; i++) {
			if (names[i] == NULL || names[i][0] == '\0' ||
			    strlen(names[i]) > DAOS_ATTR_NAME_MAX)
				return -DER_INVAL;
			if (op == RPC_ATTR_SET &&
			    (values[i] == NULL || sizes[i] == 0 || sizes[i] > RPC_ATTR_VALUE_MAX))
				return -DER_INVAL;
		}
	} else if (list_size == NULL) {
		return -DER_INVAL;
	}
	a = cl_psvc_alloc(sizeof(*a), pool, cont ? RPC_CONT_ATTR : RPC_POOL_ATTR);
	if (a == NULL)
		return -DER_NOMEM;
	cl_hlink_get(&pool->hl);
	a->ps.decode = attr_decode;
	a->op = op;
	a->n = n;
	a->buffers = buffers;
	a->sizes = sizes;
	a->list = list;
	a->list_size = list_size;
	in.op = op;
	in.nr = op == RPC_ATTR_LIST ? 0 : (uint32_t)n;
	if (in.nr > 0) {
		niov = d_calloc(in.nr, sizeof(*niov));
		viov = d_calloc(in.nr, sizeof(*viov));
		if (niov == NULL || viov == NULL) {
			rc = -DER_NOMEM;
			goto out_free;
		}
		for (i = 0; i < n; i++) {
			/* names travel as strings: with their NUL */
			d_iov_set(&niov[i], (void *)names[i], strlen(names[i]) + 1);
			if (op == RPC_ATTR_SET)
				d_iov_set(&viov[i], (void *)values[i], sizes[i]);
		}
		in.names = niov;
		in.values = op == RPC_ATTR_SET ? viov : NULL;
	}
	a->ps.len = rpc_attr_in_encode(hdr, cont, &in, a->ps.body, NET_BODY_MAX);
	d_free(niov);
	d_free(viov);
	if (a->ps.len == 0) {
		psvc_fini(&a->ps.op);
		return -DER_OVERFLOW;
	}
	return cl_psvc_run(&a->ps, ev);

out_free:
	d_free(niov);
	d_free(viov);
	psvc_fini(&a->ps.op);
	return rc;
}

static int
pool_attr(daos_handle_t poh, uint32_t op, int n, char const *const names[],
	  void const *const values[], void *const buffers[], size_t sizes[], char *list,
	  size_t *list_size, daos_event_t *ev)
{
	struct rpc_pool_hdr hdr;
	struct cl_pool *pool;
	int rc;

	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	uuid_copy(hdr.pool, pool->uuid);
	uuid_copy(hdr.poh, pool->hdl);
	rc = cl_attr_run(pool, &hdr, false, op, n, names, values, buffers, sizes, list, list_size,
			 ev);
	cl_pool_put(pool);
	return rc;
}

D_EXPORT int
daos_pool_list_attr(daos_handle_t poh, char *buffer, size_t *size, daos_event_t *ev)
{
	return pool_attr(poh, RPC_ATTR_LIST, 0, NULL, NULL, NULL, NULL, buffer, size, ev);
}

D_EXPORT int
daos_pool_get_attr(daos_handle_t poh, int n, char const *const names[], void *const buffers[],
		   size_t sizes[], daos_event_t *ev)
{
	return pool_attr(poh, RPC_ATTR_GET, n, names, NULL, buffers, sizes, NULL, NULL, ev);
}

D_EXPORT int
daos_pool_set_attr(daos_handle_t poh, int n, char const *const names[], void const *const values[],
		   size_t const sizes[], daos_event_t *ev)
{
	return pool_attr(poh, RPC_ATTR_SET, n, names, values, NULL, (size_t *)sizes, NULL, NULL,
			 ev);
}

D_EXPORT int
daos_pool_del_attr(daos_handle_t poh, int n, char const *const names[], daos_event_t *ev)
{
	return pool_attr(poh, RPC_ATTR_DEL, n, names, NULL, NULL, NULL, NULL, NULL, ev);
}

/* ---- sharing ---- */

D_EXPORT int
daos_pool_local2global(daos_handle_t poh, d_iov_t *glob)
{
	struct cl_pool *pool;
	struct buf b;
	size_t map_len;
	size_t need;
	uint32_t i;
	int rc = 0;

	if (glob == NULL)
		return -DER_INVAL;
	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	pthread_rwlock_rdlock(&pool->map_lock);
	map_len = pool_map_encoded_size(pool->map);
	need = 4 + 4 + 16 + 16 + 8 + 4 + (size_t)pool->nr_svc * 4 + 4 + map_len + 4 +
	       strlen(pool->label) + 1;
	if (glob->iov_buf == NULL) {
		glob->iov_buf_len = need;
		goto out;
	}
	if (glob->iov_buf_len < need) {
		glob->iov_buf_len = need;
		rc = -DER_TRUNC;
		goto out;
	}
	buf_init(&b, glob->iov_buf, glob->iov_buf_len);
	buf_put_u32(&b, POOL_GLOB_MAGIC);
	buf_put_u32(&b, POOL_GLOB_VERSION);
	buf_put_bytes_raw(&b, pool->uuid, 16);
	buf_put_bytes_raw(&b, pool->hdl, 16);
	buf_put_u64(&b, pool->flags);
	buf_put_u32(&b, pool->nr_svc);
	for (i = 0; i < pool->nr_svc; i++)
		buf_put_u32(&b, pool->svc[i]);
	buf_put_u32(&b, (uint32_t)map_len);
	if (b.err == 0 && buf_remaining(&b) >= map_len) {
		rc = pool_map_encode(pool->map, b.data + b.off, map_len);
		b.off += map_len;
	}
	buf_put_str(&b, pool->label);
	if (rc == 0)
		rc = b.err;
	glob->iov_len = b.off;
out:
	pthread_rwlock_unlock(&pool->map_lock);
	cl_pool_put(pool);
	return rc;
}

D_EXPORT int
daos_pool_global2local(d_iov_t glob, daos_handle_t *poh)
{
	struct buf b;
	struct cl_pool *pool;
	const void *map;
	const char *label;
	size_t llen;
	uint32_t map_len;
	uint32_t i;
	int rc;

	if (glob.iov_buf == NULL || glob.iov_len == 0 || poh == NULL)
		return -DER_INVAL;
	rc = cl_check_init();
	if (rc != 0)
		return rc;
	buf_init(&b, glob.iov_buf, glob.iov_len);
	if (buf_get_u32(&b) != POOL_GLOB_MAGIC || buf_get_u32(&b) != POOL_GLOB_VERSION) {
		D_ERROR("not a pool handle from daos_pool_local2global()");
		return -DER_INVAL;
	}
	pool = pool_alloc();
	if (pool == NULL)
		return -DER_NOMEM;
	pool->slave = true;
	memcpy(pool->uuid, buf_get_bytes_raw(&b, 16) ?: pool->uuid, 16);
	memcpy(pool->hdl, buf_get_bytes_raw(&b, 16) ?: pool->hdl, 16);
	pool->flags = buf_get_u64(&b);
	pool->nr_svc = buf_get_u32_max(&b, 1024);
	if (b.err == 0 && pool->nr_svc > 0) {
		pool->svc = d_calloc(pool->nr_svc, sizeof(*pool->svc));
		if (pool->svc == NULL) {
			rc = -DER_NOMEM;
			goto out_pool;
		}
	}
	for (i = 0; i < pool->nr_svc && b.err == 0; i++)
		pool->svc[i] = buf_get_u32(&b);
	map_len = buf_get_u32(&b);
	map = buf_get_bytes_raw(&b, map_len);
	label = buf_get_str(&b, &llen);
	if (buf_finish(&b) != 0 || map == NULL) {
		rc = -DER_INVAL;
		goto out_pool;
	}
	snprintf(pool->label, sizeof(pool->label), "%s", label);
	rc = pool_map_decode(map, map_len, &pool->map);
	if (rc != 0)
		goto out_pool;
	rc = cl_pool_pl_build(pool);
	if (rc != 0)
		goto out_pool;
	rc = cl_hdl_insert(&pool->hl, poh);
out_pool:
	cl_pool_put(pool);
	return rc == -DER_PROTO ? -DER_INVAL : rc;
}
