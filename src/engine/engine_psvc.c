/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_psvc.c - the pool service (PS): one per pool, on the pool's service rank (a
 * single replica for now; the MS records --nsvc as the pool's svc_rf).
 *
 * State, in the pool's store (rsvc/rdb.h) on this engine's first target's devices:
 *   "map"          the pool map (pool/pool_map.h encoding)
 *   "label", "owner", "group"   strings with their NUL
 *   "acl"          the pool ACL (security's binary layout)
 *   "prop/<name>"  a property's value as text: the MS checks and canonicalises values
 *                  against DAOS's property table before they reach us
 *   "attr/<name>"  a user attribute (set by clients)
 * In memory: the services (struct psvc) with their decoded map, on the system xstream.
 *
 * dRPC from daos_server (system xstream): PoolCreate, PoolDestroy, PoolQuery,
 * PoolGetProp/SetProp, PoolGetACL/OverwriteACL/UpdateACL/DeleteACL, PoolExclude,
 * PoolEvict. Create asks every rank of the pool for its shards (this rank directly,
 * the others with ENGINE_OPC_POOL_TGT_CREATE over the fabric), then writes the store;
 * on a failure the shards made are destroyed again and the answer names the rank.
 * Query asks every enabled rank for its targets' space; destroy asks every enabled rank
 * to destroy its shards (a DOWN rank's stay behind, as in DAOS), then destroys the store. Create
 * and destroy hold the service busy: other calls on it meanwhile get -DER_BUSY.
 */
#define D_LOGFAC DD_FAC(pool)

#include <gurt/common.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "engine/engine.h"
#include "engine/pool_sizes.h"
#include "engine/psvc_int.h"
#include "mgmt.pb-c.h"
#include "pool/pool_map.h"
#include "rsvc/rdb.h"
#include "security/security.h"
#include "vos/vos.h"

#define MSG_MAX 512

static D_LIST_HEAD(psvcs);

struct psvc *
psvc_find(const uuid_t uuid)
{
	struct psvc *ps;

	d_list_for_each_entry(ps, &psvcs, link)
		if (uuid_compare(ps->uuid, uuid) == 0)
			return ps;
	return NULL;
}

static struct psvc *
psvc_alloc(const uuid_t uuid)
{
	struct psvc *ps = d_calloc(1, sizeof(*ps));

	if (ps == NULL)
		return NULL;
	uuid_copy(ps->uuid, uuid);
	D_INIT_LIST_HEAD(&ps->hdls);
	D_INIT_LIST_HEAD(&ps->chdls);
	return ps;
}

static void
psvc_free(struct psvc *ps)
{
	ps_hdls_free(ps);
	if (ps->db != NULL)
		rdb_close(ps->db);
	pool_map_free(ps->map);
	d_free(ps);
}

static void
db_attr(struct engine *eng, const uuid_t uuid, struct rdb_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	uuid_copy(attr->uuid, uuid);
	attr->wal_dev = engine_role_dev(eng, BIO_ROLE_WAL, 0);
	attr->meta_dev = engine_role_dev(eng, BIO_ROLE_META, 0);
	attr->data_dev = engine_role_dev(eng, BIO_ROLE_DATA, 0);
	attr->size = POOL_SVC_DB_SIZE;
	attr->ioq = eng_xs_ioq(eng->sys);
}

/* --- replies --- */

static void
reply_pool(struct drpc_req *req, int rc, const char *msg)
{
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;

	resp.status = rc;
	resp.message = (char *)(msg != NULL ? msg : "");
	drpc_req_reply_msg(req, &resp.base);
}

char *
db_get_str(struct rdb *db, const char *key)
{
	void *val;
	size_t len;

	if (rdb_get(db, key, &val, &len) != 0)
		return NULL;
	if (len == 0 || ((char *)val)[len - 1] != '\0') {
		D_ERROR("pool store: value of \"%s\" is not a string", key);
		d_free(val);
		return NULL;
	}
	return val;
}

static int
tx_put_str(struct rdb_tx *tx, const char *key, const char *val)
{
	return rdb_tx_put(tx, key, val, strlen(val) + 1);
}

static int
tx_put_map(struct rdb_tx *tx, const struct pool_map *map)
{
	size_t len = pool_map_encoded_size(map);
	void *buf = d_malloc(len);
	int rc;

	if (buf == NULL)
		return -DER_NOMEM;
	rc = pool_map_encode(map, buf, len);
	if (rc == 0)
		rc = rdb_tx_put(tx, "map", buf, len);
	d_free(buf);
	return rc;
}

static int
tx_put_acl(struct rdb_tx *tx, const struct daos_acl *acl)
{
	size_t len = sec_acl_size(acl);
	void *data = d_malloc(len);
	struct buf b = BUF_INIT(data, len);
	int rc;

	if (data == NULL)
		return -DER_NOMEM;
	rc = sec_acl_encode(acl, &b);
	if (rc == 0)
		rc = rdb_tx_put(tx, "acl", data, b.off);
	d_free(data);
	return rc;
}

int
db_get_acl(struct rdb *db, struct daos_acl **acl)
{
	void *val;
	size_t len;
	int rc;

	rc = rdb_get(db, "acl", &val, &len);
	if (rc == -DER_NONEXIST)
		return sec_acl_default_pool(acl);
	if (rc != 0)
		return rc;
	rc = sec_acl_decode(val, len, acl);
	d_free(val);
	return rc;
}

/* --- asking the ranks of a pool --- */

struct rank_call {
	struct psop *op;
	uint32_t i;
};

void
psop_free(struct psop *op)
{
	uint32_t i;

	for (i = 0; op->info != NULL && i < op->nr; i++)
		d_free(op->info[i]);
	d_free(op->info);
	d_free(op->ranks);
	d_free(op->rcs);
	d_free(op->nr_targets);
	if (op->create != NULL)
		mgmt__engine_pool_create_req__free_unpacked(op->create, &proto_allocator);
	d_free(op);
}

struct psop *
psop_new(struct engine *eng, struct drpc_req *req, const uuid_t uuid, uint32_t nr)
{
	struct psop *op = d_calloc(1, sizeof(*op));

	if (op == NULL)
		return NULL;
	op->ranks = d_calloc(nr + 1, sizeof(*op->ranks));
	op->rcs = d_calloc(nr + 1, sizeof(*op->rcs));
	op->nr_targets = d_calloc(nr + 1, sizeof(*op->nr_targets));
	op->info = d_calloc(nr + 1, sizeof(*op->info));
	if (op->ranks == NULL || op->rcs == NULL || op->nr_targets == NULL || op->info == NULL) {
		psop_free(op);
		return NULL;
	}
	op->eng = eng;
	op->req = req;
	op->nr = nr;
	uuid_copy(op->uuid, uuid);
	return op;
}

static void
rank_answered(struct psop *op, uint32_t i, int rc)
{
	op->rcs[i] = rc;
	D_ASSERT(op->left > 0);
	if (--op->left == 0)
		op->done(op);
}

static void
local_done(void *arg, int rc, const struct vos_pool_info *info, unsigned int nr)
{
	struct rank_call *rc_arg = arg;
	struct psop *op = rc_arg->op;
	uint32_t i = rc_arg->i;

	d_free(rc_arg);
	if (rc == 0) {
		op->nr_targets[i] = nr;
		if (info != NULL) {
			op->info[i] = d_calloc(nr, sizeof(*info));
			if (op->info[i] == NULL)
				rc = -DER_NOMEM;
			else
				memcpy(op->info[i], info, nr * sizeof(*info));
		}
	}
	rank_answered(op, i, rc);
}

static void
remote_done(void *arg, int rc, const void *body, size_t len)
{
	struct rank_call *rc_arg = arg;
	struct psop *op = rc_arg->op;
	uint32_t i = rc_arg->i;

	d_free(rc_arg);
	if (rc == 0 && op->opc == ENGINE_OPC_POOL_TGT_CREATE)
		rc = engine_tgt_create_reply_decode(body, len, &op->nr_targets[i]);
	else if (rc == 0 && op->opc == ENGINE_OPC_POOL_TGT_QUERY)
		rc = engine_tgt_query_reply_decode(body, len, &op->info[i], &op->nr_targets[i]);
	if (rc != 0)
		D_ERROR("pool " DF_UUID ": rank %u answered opcode %#x with " DF_RC,
			DP_UUID(op->uuid), op->ranks[i], op->opc, DP_RC(rc));
	rank_answered(op, i, rc);
}

/* Send op->opc to rank i: this engine directly, another over the fabric. */
static int
rank_send(struct psop *op, uint32_t i)
{
	struct engine *eng = op->eng;
	struct engine_tgt_req treq = { .scm = op->scm, .nvme = op->nvme };
	struct rank_call *arg = d_calloc(1, sizeof(*arg));
	struct net_ctx *ctx = eng_xs_net(eng->sys);
	struct net_peer *peer;
	uint8_t body[64];
	size_t len;
	int rc;

	if (arg == NULL)
		return -DER_NOMEM;
	arg->op = op;
	arg->i = i;
	if (op->ranks[i] == eng->rank) {
		if (op->opc == ENGINE_OPC_POOL_TGT_CREATE)
			rc = engine_shards_create(eng, op->uuid, op->scm, op->nvme, local_done,
						  arg);
		else if (op->opc == ENGINE_OPC_POOL_TGT_DESTROY)
			rc = engine_shards_destroy(eng, op->uuid, local_done, arg);
		else
			rc = engine_shards_query(eng, op->uuid, local_done, arg);
	} else {
		uuid_copy(treq.uuid, op->uuid);
		len = engine_tgt_req_encode(&treq, body, sizeof(body));
		rc = net_group_peer(eng->group, ctx, op->ranks[i], 0, &peer);
		if (rc == 0)
			rc = net_req_send(ctx, peer, op->opc, body, len, ENGINE_POOL_RPC_TIMEOUT_MS,
					  remote_done, arg);
	}
	if (rc != 0)
		d_free(arg);
	return rc;
}

/* Ask every rank of op->ranks; op->done runs when all have answered (maybe at once). */
void
psop_start(struct psop *op, uint32_t opc, psop_fn done)
{
	uint32_t i;

	op->opc = opc;
	op->done = done;
	op->left = op->nr + 1; /* held until every call is sent */
	for (i = 0; i < op->nr; i++) {
		int rc;

		op->rcs[i] = 0;
		rc = rank_send(op, i);
		if (rc != 0) {
			D_ERROR("pool " DF_UUID ": cannot reach rank %u: " DF_RC, DP_UUID(op->uuid),
				op->ranks[i], DP_RC(rc));
			op->rcs[i] = rc;
			op->left--;
		}
	}
	if (--op->left == 0)
		op->done(op);
}

uint32_t
psop_failed(const struct psop *op, int tolerated)
{
	uint32_t i;

	for (i = 0; i < op->nr; i++)
		if (op->rcs[i] != 0 && op->rcs[i] != tolerated)
			return i;
	return op->nr;
}

/* --- create --- */

static void
create_reply(struct psop *op, int rc)
{
	if (op->ps != NULL) {
		d_list_del(&op->ps->link);
		psvc_free(op->ps);
		op->ps = NULL;
	}
	drpc_req_reply_status(op->req, rc, op->msg);
	psop_free(op);
}

static void
create_undone(struct psop *op)
{
	create_reply(op, op->err);
}

/* Something failed after shards were made: destroy those, then answer op->err. */
static void
create_undo(struct psop *op)
{
	uint32_t i;
	uint32_t n = 0;

	for (i = 0; i < op->nr; i++)
		if (op->rcs[i] == 0)
			op->ranks[n++] = op->ranks[i];
	op->nr = n;
	op->undoing = true;
	psop_start(op, ENGINE_OPC_POOL_TGT_DESTROY, create_undone);
}

static void
create_committed(void *arg, int rc)
{
	struct psop *op = arg;
	struct psvc *ps = op->ps;

	if (rc != 0) {
		struct rdb_attr attr;

		snprintf(op->msg, sizeof(op->msg), "pool service store not written: " DF_RC,
			 DP_RC(rc));
		rdb_close(ps->db);
		ps->db = NULL;
		db_attr(op->eng, op->uuid, &attr);
		rdb_destroy(&attr);
		op->err = rc;
		memset(op->rcs, 0, op->nr * sizeof(*op->rcs));
		create_undo(op);
		return;
	}
	ps->busy = false;
	op->ps = NULL;
	D_INFO("pool " DF_UUID ": service up on rank %u, map version %u, %u targets",
	       DP_UUID(op->uuid), op->eng->rank, ps->map->version, ps->map->nr_targets);
	drpc_req_reply_status(op->req, 0, NULL);
	psop_free(op);
}

/* Write the store: map, label, owner, group, ACL, properties. */
static int
create_store(struct psop *op)
{
	const Mgmt__EnginePoolCreateReq *in = op->create;
	struct psvc *ps = op->ps;
	struct daos_acl *acl = NULL;
	struct rdb_attr attr;
	struct rdb_tx *tx = NULL;
	size_t i;
	int rc;

	rc = pool_map_create(op->nr, op->ranks, op->nr_targets, &ps->map);
	if (rc != 0)
		return rc;
	if (in->n_acl > 0)
		rc = sec_acl_from_strs((const char *const *)in->acl, in->n_acl, &acl);
	else
		rc = sec_acl_default_pool(&acl);
	if (rc == 0 && sec_acl_pool_validate(acl) != 0)
		rc = -DER_INVAL;
	if (rc != 0) {
		snprintf(op->msg, sizeof(op->msg), "the pool ACL is not valid");
		sec_acl_free(acl);
		return rc;
	}
	db_attr(op->eng, op->uuid, &attr);
	rc = rdb_create(&attr);
	if (rc == 0) {
		rc = rdb_open(&attr, &ps->db);
		if (rc != 0)
			rdb_destroy(&attr);
	}
	if (rc == 0)
		rc = rdb_tx_begin(ps->db, &tx);
	if (rc == 0)
		rc = tx_put_map(tx, ps->map);
	if (rc == 0)
		rc = tx_put_str(tx, "label", in->label);
	if (rc == 0)
		rc = tx_put_str(tx, "owner", in->owner_user[0] ? in->owner_user : "root@");
	if (rc == 0)
		rc = tx_put_str(tx, "group", in->owner_group[0] ? in->owner_group : "root@");
	if (rc == 0)
		rc = tx_put_acl(tx, acl);
	for (i = 0; rc == 0 && i < in->n_properties; i++) {
		char key[RDB_KEY_MAX];

		snprintf(key, sizeof(key), "prop/%s", in->properties[i]->name);
		rc = tx_put_str(tx, key, in->properties[i]->value);
	}
	sec_acl_free(acl);
	if (rc == 0) {
		rc = rdb_tx_commit(tx, create_committed, op);
		tx = NULL;
	}
	if (rc != 0) {
		if (tx != NULL)
			rdb_tx_abort(tx);
		if (ps->db != NULL) {
			rdb_close(ps->db);
			ps->db = NULL;
			rdb_destroy(&attr);
		}
		snprintf(op->msg, sizeof(op->msg),
			 "pool service store not created on rank %u: " DF_RC, op->eng->rank,
			 DP_RC(rc));
	}
	return rc;
}

static void
create_shards_done(struct psop *op)
{
	uint32_t bad = psop_failed(op, 0);
	int rc;

	if (bad < op->nr && op->rcs[bad] == -DER_INVAL) {
		/* The one argument a rank refuses: its share per target is too small. */
		snprintf(op->msg, sizeof(op->msg),
			 "rank %u: pool shards not created: less than %llu MiB of SCM per target",
			 op->ranks[bad], POOL_SHARD_SCM_MIN / POOL_SHARD_MiB);
		op->err = op->rcs[bad];
		create_undo(op);
		return;
	}
	if (bad < op->nr) {
		snprintf(op->msg, sizeof(op->msg), "rank %u: pool shards not created: " DF_RC,
			 op->ranks[bad], DP_RC(op->rcs[bad]));
		op->err = op->rcs[bad];
		create_undo(op);
		return;
	}
	rc = create_store(op);
	if (rc != 0) {
		op->err = rc;
		create_undo(op);
	}
}

static void
h_pool_create(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	struct engine *eng = arg;
	Mgmt__EnginePoolCreateReq *in;
	d_rank_list_t *ranks = NULL;
	struct psop *op = NULL;
	char msg[MSG_MAX] = "";
	uuid_t uuid;
	uint32_t i;
	int rc = 0;

	in = mgmt__engine_pool_create_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	if (uuid_parse(in->uuid, uuid) != 0) {
		snprintf(msg, sizeof(msg), "PoolCreate: not a pool uuid");
		rc = -DER_INVAL;
	} else if (!eng->storage.ready) {
		snprintf(msg, sizeof(msg), "this engine has no storage (no -n file)");
		rc = -DER_UNINIT;
	} else if (!eng->has_rank) {
		snprintf(msg, sizeof(msg), "this engine has no rank yet");
		rc = -DER_UNINIT;
	} else if (psvc_find(uuid) != NULL) {
		snprintf(msg, sizeof(msg), "pool %s exists", in->uuid);
		rc = -DER_EXIST;
	} else if (in->tgt_ranks[0] == '\0') {
		/* No ranks named: this engine's pool alone. */
		ranks = d_rank_list_alloc(1);
		if (ranks == NULL)
			rc = -DER_NOMEM;
		else
			ranks->rl_ranks[0] = eng->rank;
	} else if (d_rank_list_parse(in->tgt_ranks, strlen(in->tgt_ranks), &ranks) != 0 ||
		   ranks->rl_nr == 0) {
		snprintf(msg, sizeof(msg), "PoolCreate: bad rank list \"%.64s\"", in->tgt_ranks);
		rc = -DER_INVAL;
	}
	if (rc == 0) {
		op = psop_new(eng, req, uuid, ranks->rl_nr);
		if (op != NULL)
			op->ps = psvc_alloc(uuid);
		if (op == NULL || op->ps == NULL)
			rc = -DER_NOMEM;
	}
	if (rc != 0) {
		drpc_req_reply_status(req, rc, msg);
		mgmt__engine_pool_create_req__free_unpacked(in, &proto_allocator);
		d_rank_list_free(ranks);
		if (op != NULL) {
			d_free(op->ps);
			psop_free(op);
		}
		return;
	}
	for (i = 0; i < ranks->rl_nr; i++)
		op->ranks[i] = ranks->rl_ranks[i];
	d_rank_list_free(ranks);
	op->create = in;
	op->scm = in->scm_bytes;
	op->nvme = in->nvme_bytes;
	op->ps->busy = true;
	d_list_add_tail(&op->ps->link, &psvcs);
	psop_start(op, ENGINE_OPC_POOL_TGT_CREATE, create_shards_done);
}

/* --- requests naming an existing pool --- */

/*
 * Decode a PoolIdReq and find its service; NULL after replying if it cannot be served
 * (*@in is freed then).
 */
static struct psvc *
psvc_for(struct drpc_req *req, Mgmt__PoolIdReq **in, bool change)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	struct psvc *ps = NULL;
	char msg[128];
	uuid_t uuid;

	*in = mgmt__pool_id_req__unpack(&proto_allocator, ri->len, ri->body);
	if (*in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return NULL;
	}
	if (uuid_parse((*in)->id, uuid) != 0) {
		reply_pool(req, -DER_INVAL, "not a pool uuid");
	} else if ((ps = psvc_find(uuid)) == NULL) {
		snprintf(msg, sizeof(msg), "no pool service for %s on this engine", (*in)->id);
		reply_pool(req, -DER_NONEXIST, msg);
	} else if (ps->busy || (change && ps->db == NULL)) {
		snprintf(msg, sizeof(msg), "pool %s is being created or destroyed", (*in)->id);
		reply_pool(req, -DER_BUSY, msg);
		ps = NULL;
	}
	if (ps == NULL) {
		mgmt__pool_id_req__free_unpacked(*in, &proto_allocator);
		*in = NULL;
	}
	return ps;
}

/* A psop over the ranks of @ps's map that are not DOWN. */
struct psop *
psop_for_map(struct engine *eng, struct drpc_req *req, struct psvc *ps)
{
	const struct pool_map *map = ps->map;
	struct psop *op = psop_new(eng, req, ps->uuid, map->nr_ranks);
	uint32_t i;

	if (op == NULL)
		return NULL;
	op->nr = 0;
	for (i = 0; i < map->nr_ranks; i++) {
		enum pool_comp_state st = map->ranks[i].state;

		if (st == POOL_COMP_DOWN || st == POOL_COMP_DOWNOUT)
			continue;
		op->ranks[op->nr++] = map->ranks[i].rank;
	}
	op->ps = ps;
	return op;
}

/* --- destroy --- */

static void
destroy_done(struct psop *op)
{
	struct psvc *ps = op->ps;
	uint32_t bad = psop_failed(op, -DER_NONEXIST);
	struct rdb_attr attr;
	int rc = 0;

	if (bad < op->nr) {
		rc = op->rcs[bad];
		snprintf(op->msg, sizeof(op->msg), "rank %u: pool shards not destroyed: " DF_RC,
			 op->ranks[bad], DP_RC(rc));
		ps->busy = false;
	} else {
		rdb_close(ps->db);
		ps->db = NULL;
		db_attr(op->eng, ps->uuid, &attr);
		rc = rdb_destroy(&attr);
		if (rc == -DER_NONEXIST)
			rc = 0;
		d_list_del(&ps->link);
		psvc_free(ps);
		D_INFO("pool " DF_UUID ": destroyed", DP_UUID(op->uuid));
	}
	reply_pool(op->req, rc, op->msg);
	psop_free(op);
}

static void
h_pool_destroy(struct drpc_req *req, void *arg)
{
	struct engine *eng = arg;
	Mgmt__PoolIdReq *in;
	struct psvc *ps = psvc_for(req, &in, true);
	struct psop *op;
	uint32_t i;

	if (ps == NULL)
		return;
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
	op = psop_for_map(eng, req, ps);
	if (op == NULL) {
		reply_pool(req, -DER_NOMEM, NULL);
		return;
	}
	for (i = 0; i < ps->map->nr_ranks; i++)
		if (ps->map->ranks[i].state == POOL_COMP_DOWN ||
		    ps->map->ranks[i].state == POOL_COMP_DOWNOUT)
			D_WARN("pool " DF_UUID ": rank %u is DOWN: its shards stay behind",
			       DP_UUID(ps->uuid), ps->map->ranks[i].rank);
	ps->busy = true;
	psop_start(op, ENGINE_OPC_POOL_TGT_DESTROY, destroy_done);
}

/* --- query --- */

/* The pool's info from the map (strings allocated into @strs[0..1]). */
static void
map_info(struct engine *eng, struct psvc *ps, Mgmt__PoolInfo *info, char *uuid, char *svc,
	 size_t svc_len, char **strs)
{
	d_rank_list_t *en = NULL;
	d_rank_list_t *dis = NULL;
	uint32_t total;
	uint32_t enabled;
	uint32_t disabled;

	uuid_unparse_lower(ps->uuid, uuid);
	pool_map_counts(ps->map, &total, &enabled, &disabled);
	info->uuid = uuid;
	info->total_targets = total;
	info->active_targets = enabled;
	info->disabled_targets = disabled;
	info->total_engines = ps->map->nr_ranks;
	info->version = ps->map->version;
	info->svc_ldr = eng->rank;
	snprintf(svc, svc_len, "%u", eng->rank);
	info->svc_reps = svc;
	info->state = (char *)(disabled > 0 ? "TargetsExcluded" : "Ready");
	strs[0] = NULL;
	strs[1] = NULL;
	if (pool_map_ranks(ps->map, false, &en) == 0 && en->rl_nr > 0)
		d_rank_list_to_str(en, &strs[0]);
	if (pool_map_ranks(ps->map, true, &dis) == 0 && dis->rl_nr > 0)
		d_rank_list_to_str(dis, &strs[1]);
	d_rank_list_free(en);
	d_rank_list_free(dis);
	info->enabled_ranks = strs[0] != NULL ? strs[0] : (char *)"";
	info->disabled_ranks = strs[1] != NULL ? strs[1] : (char *)"";
}

void
psop_space(const struct psop *op, struct ps_space *sp)
{
	uint32_t i;
	uint32_t t;
	unsigned int k;

	memset(sp, 0, sizeof(*sp));
	sp->min[0] = UINT64_MAX;
	sp->min[1] = UINT64_MAX;
	for (i = 0; i < op->nr; i++) {
		for (t = 0; op->info[i] != NULL && t < op->nr_targets[i]; t++) {
			const struct vos_pool_info *vi = &op->info[i][t];
			uint64_t f[2] = {
				vi->mem_limit > vi->mem_used ? vi->mem_limit - vi->mem_used : 0,
				vi->data_free,
			};
			uint64_t tot[2] = { vi->mem_limit, vi->data_total };

			for (k = 0; k < 2; k++) {
				sp->total[k] += tot[k];
				sp->free[k] += f[k];
				sp->min[k] = D_MIN(sp->min[k], f[k]);
				sp->max[k] = D_MAX(sp->max[k], f[k]);
			}
			sp->nr_targets++;
		}
	}
	for (k = 0; k < 2; k++) {
		if (sp->min[k] == UINT64_MAX)
			sp->min[k] = 0;
		sp->mean[k] = sp->nr_targets > 0 ? sp->free[k] / sp->nr_targets : 0;
	}
}

static void
query_done(struct psop *op)
{
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;
	Mgmt__PoolInfo info = MGMT__POOL_INFO__INIT;
	Mgmt__PoolRebuildStatus rebuild = MGMT__POOL_REBUILD_STATUS__INIT;
	Mgmt__StorageUsage tiers[2];
	Mgmt__StorageUsage *tp[2] = { &tiers[0], &tiers[1] };
	uint32_t bad = psop_failed(op, PSOP_QUERY_TOLERATED);
	struct psvc *ps = psvc_find(op->uuid);
	char *strs[2] = { NULL, NULL };
	char *label = NULL;
	struct ps_space sp;
	char uuid[37];
	char svc[16];
	unsigned int k;

	if (ps == NULL || ps->busy) {
		reply_pool(op->req, -DER_NONEXIST, "the pool went away during the query");
		psop_free(op);
		return;
	}
	psop_space(op, &sp);
	for (k = 0; k < 2; k++) {
		mgmt__storage_usage__init(&tiers[k]);
		tiers[k].media_type = (char *)(k == 0 ? "SCM" : "NVMe");
		tiers[k].total = sp.total[k];
		tiers[k].free = sp.free[k];
		tiers[k].min = sp.min[k];
		tiers[k].max = sp.max[k];
		tiers[k].mean = sp.mean[k];
	}
	map_info(op->eng, ps, &info, uuid, svc, sizeof(svc), strs);
	label = db_get_str(ps->db, "label");
	info.label = label != NULL ? label : (char *)"";
	info.tier_stats = tp;
	info.n_tier_stats = 2;
	/* No rebuild has ever run (rebuild comes with redundancy). */
	rebuild.state = (char *)"idle";
	info.rebuild = &rebuild;
	if (bad < op->nr) {
		resp.status = op->rcs[bad];
		snprintf(op->msg, sizeof(op->msg), "rank %u did not answer the query: " DF_RC,
			 op->ranks[bad], DP_RC(op->rcs[bad]));
		resp.message = op->msg;
	} else {
		resp.info = &info;
		resp.message = (char *)"";
	}
	drpc_req_reply_msg(op->req, &resp.base);
	d_free(label);
	d_free(strs[0]);
	d_free(strs[1]);
	psop_free(op);
}

static void
h_pool_query(struct drpc_req *req, void *arg)
{
	struct engine *eng = arg;
	Mgmt__PoolIdReq *in;
	struct psvc *ps = psvc_for(req, &in, true);
	struct psop *op;

	if (ps == NULL)
		return;
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
	op = psop_for_map(eng, req, ps);
	if (op == NULL) {
		reply_pool(req, -DER_NOMEM, NULL);
		return;
	}
	op->ps = NULL; /* looked up again at the end: the pool may go meanwhile */
	psop_start(op, ENGINE_OPC_POOL_TGT_QUERY, query_done);
}

/* --- properties --- */

struct prop_list {
	Mgmt__PoolProperty *props;
	Mgmt__PoolProperty **ptrs;
	char **vals;
	size_t nr;
	size_t cap;
};

static int
prop_collect(const char *key, const void *val, size_t len, void *arg)
{
	struct prop_list *pl = arg;

	if (len == 0 || ((const char *)val)[len - 1] != '\0')
		return 0;
	if (pl->nr == pl->cap) {
		size_t cap = pl->cap == 0 ? 16 : pl->cap * 2;
		Mgmt__PoolProperty *p = d_reallocarray(pl->props, cap, sizeof(*p));
		char **v;

		if (p == NULL)
			return -DER_NOMEM;
		pl->props = p;
		v = d_reallocarray(pl->vals, cap * 2, sizeof(*v));
		if (v == NULL)
			return -DER_NOMEM;
		pl->vals = v;
		pl->cap = cap;
	}
	pl->vals[2 * pl->nr] = d_strndup(key + strlen("prop/"), RDB_KEY_MAX);
	pl->vals[2 * pl->nr + 1] = d_strndup(val, len);
	if (pl->vals[2 * pl->nr] == NULL || pl->vals[2 * pl->nr + 1] == NULL) {
		d_free(pl->vals[2 * pl->nr]);
		d_free(pl->vals[2 * pl->nr + 1]);
		return -DER_NOMEM;
	}
	mgmt__pool_property__init(&pl->props[pl->nr]);
	pl->props[pl->nr].name = pl->vals[2 * pl->nr];
	pl->props[pl->nr].value = pl->vals[2 * pl->nr + 1];
	pl->nr++;
	return 0;
}

static void
prop_list_fini(struct prop_list *pl)
{
	size_t i;

	for (i = 0; i < 2 * pl->nr; i++)
		d_free(pl->vals[i]);
	d_free(pl->vals);
	d_free(pl->props);
	d_free(pl->ptrs);
}

/* Every stored property, the label as "label", and the owner. */
static void
h_pool_get_prop(struct drpc_req *req, void *arg)
{
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;
	Mgmt__PoolIdReq *in;
	struct psvc *ps = psvc_for(req, &in, true);
	struct prop_list pl = { 0 };
	char *strs[3];
	size_t i;
	int rc;

	(void)arg;
	if (ps == NULL)
		return;
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
	strs[0] = db_get_str(ps->db, "label");
	strs[1] = db_get_str(ps->db, "owner");
	strs[2] = db_get_str(ps->db, "group");
	rc = rdb_iterate(ps->db, "prop/", prop_collect, &pl);
	if (rc == 0 && strs[0] != NULL) {
		char key[] = "prop/label";

		rc = prop_collect(key, strs[0], strlen(strs[0]) + 1, &pl);
	}
	if (rc == 0) {
		pl.ptrs = d_calloc(pl.nr + 1, sizeof(*pl.ptrs));
		if (pl.ptrs == NULL)
			rc = -DER_NOMEM;
	}
	if (rc != 0) {
		reply_pool(req, rc, "cannot read the pool's properties");
	} else {
		for (i = 0; i < pl.nr; i++)
			pl.ptrs[i] = &pl.props[i];
		resp.properties = pl.ptrs;
		resp.n_properties = pl.nr;
		resp.owner_user = strs[1] != NULL ? strs[1] : (char *)"";
		resp.owner_group = strs[2] != NULL ? strs[2] : (char *)"";
		resp.message = (char *)"";
		drpc_req_reply_msg(req, &resp.base);
	}
	prop_list_fini(&pl);
	for (i = 0; i < 3; i++)
		d_free(strs[i]);
}

struct change {
	struct drpc_req *req;
	struct psvc *ps;
	struct pool_map *map; /* the new map, for exclude */
};

static void
change_committed(void *arg, int rc)
{
	struct change *c = arg;

	if (rc == 0 && c->map != NULL) {
		pool_map_free(c->ps->map);
		c->ps->map = c->map;
		c->map = NULL;
	}
	reply_pool(c->req, rc, rc != 0 ? "the pool service could not store the change" : NULL);
	pool_map_free(c->map);
	d_free(c);
}

/* Commit @tx and answer once it is durable (a failure is answered at once). */
static void
change_commit(struct drpc_req *req, struct psvc *ps, struct rdb_tx *tx, struct pool_map *map)
{
	struct change *c = d_calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		rdb_tx_abort(tx);
		pool_map_free(map);
		reply_pool(req, -DER_NOMEM, NULL);
		return;
	}
	c->req = req;
	c->ps = ps;
	c->map = map;
	rc = rdb_tx_commit(tx, change_committed, c);
	if (rc != 0) {
		pool_map_free(map);
		d_free(c);
		reply_pool(req, rc, "the pool service could not store the change");
	}
}

static void
h_pool_set_prop(struct drpc_req *req, void *arg)
{
	Mgmt__PoolIdReq *in;
	struct psvc *ps = psvc_for(req, &in, true);
	struct rdb_tx *tx;
	size_t i;
	int rc;

	(void)arg;
	if (ps == NULL)
		return;
	rc = in->n_properties == 0 ? -DER_INVAL : rdb_tx_begin(ps->db, &tx);
	for (i = 0; rc == 0 && i < in->n_properties; i++) {
		const Mgmt__PoolProperty *p = in->properties[i];
		char key[RDB_KEY_MAX];

		if (strcmp(p->name, "label") == 0)
			snprintf(key, sizeof(key), "label");
		else
			snprintf(key, sizeof(key), "prop/%.1000s", p->name);
		rc = tx_put_str(tx, key, p->value);
		if (rc != 0)
			rdb_tx_abort(tx);
	}
	if (rc == 0)
		change_commit(req, ps, tx, NULL);
	else
		reply_pool(req, rc, "properties not set");
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

/* --- ACLs --- */

static void
reply_acl(struct drpc_req *req, struct psvc *ps, const struct daos_acl *acl)
{
	Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;
	char *owner = db_get_str(ps->db, "owner");
	char *group = db_get_str(ps->db, "group");
	char **strs = NULL;
	size_t nr = 0;
	int rc;

	rc = sec_acl_to_strs(acl, &strs, &nr);
	if (rc != 0) {
		reply_pool(req, rc, "cannot list the pool's ACL");
	} else {
		resp.acl = strs;
		resp.n_acl = nr;
		resp.owner_user = owner != NULL ? owner : (char *)"";
		resp.owner_group = group != NULL ? group : (char *)"";
		resp.message = (char *)"";
		drpc_req_reply_msg(req, &resp.base);
		sec_acl_strs_free(strs, nr);
	}
	d_free(owner);
	d_free(group);
}

struct acl_change {
	struct drpc_req *req;
	struct psvc *ps;
	struct daos_acl *acl;
};

static void
acl_committed(void *arg, int rc)
{
	struct acl_change *c = arg;

	if (rc == 0)
		reply_acl(c->req, c->ps, c->acl);
	else
		reply_pool(c->req, rc, "the pool service could not store the ACL");
	sec_acl_free(c->acl);
	d_free(c);
}

/* get-acl, overwrite-acl, update-acl, delete-acl; the MS checked the entries' syntax. */
static void
h_pool_acl(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	Mgmt__PoolIdReq *in;
	struct psvc *ps = psvc_for(req, &in, true);
	struct daos_acl *acl = NULL;
	struct daos_acl *upd = NULL;
	struct daos_ace *ace = NULL;
	struct acl_change *c = NULL;
	struct rdb_tx *tx = NULL;
	char msg[MSG_MAX] = "";
	int rc;

	(void)arg;
	if (ps == NULL)
		return;
	rc = db_get_acl(ps->db, &acl);
	if (rc != 0) {
		reply_pool(req, rc, "cannot read the pool's ACL");
		goto out;
	}
	switch (ri->method) {
	case DRPC_METHOD_MGMT_POOL_GET_ACL:
		reply_acl(req, ps, acl);
		goto out;
	case DRPC_METHOD_MGMT_POOL_OVERWRITE_ACL:
		sec_acl_free(acl);
		acl = NULL;
		rc = sec_acl_from_strs((const char *const *)in->acl, in->n_acl, &acl);
		break;
	case DRPC_METHOD_MGMT_POOL_UPDATE_ACL:
		rc = sec_acl_from_strs((const char *const *)in->acl, in->n_acl, &upd);
		while (rc == 0 && (ace = sec_acl_next_ace(upd, ace)) != NULL)
			rc = sec_acl_add_ace(&acl, ace);
		if (rc == -DER_INVAL)
			snprintf(msg, sizeof(msg),
				 "ACL too large: its entries exceed %d bytes, or an entry is "
				 "not valid",
				 DAOS_ACL_MAX_ACE_LEN);
		break;
	default: {
		enum daos_acl_principal_type type;
		char *name = NULL;

		rc = sec_principal_from_str(in->principal, &type, &name);
		if (rc == 0)
			rc = sec_acl_remove_ace(&acl, type, name);
		if (rc == -DER_NONEXIST)
			snprintf(msg, sizeof(msg), "no ACE for principal %.256s", in->principal);
		d_free(name);
		break;
	}
	}
	if (rc == 0 && sec_acl_pool_validate(acl) != 0) {
		snprintf(msg, sizeof(msg), "not a valid pool ACL");
		rc = -DER_INVAL;
	}
	if (rc == 0)
		rc = rdb_tx_begin(ps->db, &tx);
	if (rc == 0) {
		rc = tx_put_acl(tx, acl);
		if (rc != 0)
			rdb_tx_abort(tx);
	}
	if (rc == 0) {
		c = d_calloc(1, sizeof(*c));
		if (c == NULL) {
			rdb_tx_abort(tx);
			rc = -DER_NOMEM;
		}
	}
	if (rc == 0) {
		c->req = req;
		c->ps = ps;
		c->acl = acl;
		acl = NULL;
		rc = rdb_tx_commit(tx, acl_committed, c);
		if (rc != 0) {
			sec_acl_free(c->acl);
			d_free(c);
		}
	}
	if (rc != 0)
		reply_pool(req, rc, msg[0] != '\0' ? msg : "the ACL was not changed");
out:
	sec_acl_free(acl);
	sec_acl_free(upd);
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

/* --- exclude and evict --- */

/* The targets of the ranks in in->ranks go DOWN (ranks not in the pool are ignored). */
static void
h_pool_exclude(struct drpc_req *req, void *arg)
{
	Mgmt__PoolIdReq *in;
	struct psvc *ps = psvc_for(req, &in, true);
	struct pool_map *map = NULL;
	d_rank_list_t *ranks = NULL;
	struct rdb_tx *tx = NULL;
	uint32_t i;
	int rc;

	(void)arg;
	if (ps == NULL)
		return;
	rc = d_rank_list_parse(in->ranks, strlen(in->ranks), &ranks);
	if (rc == 0)
		rc = pool_map_dup(ps->map, &map);
	for (i = 0; rc == 0 && i < ranks->rl_nr; i++) {
		const struct pool_rank *r = pool_map_find_rank(map, ranks->rl_ranks[i]);

		if (r == NULL || r->state == POOL_COMP_DOWN || r->state == POOL_COMP_DOWNOUT)
			continue;
		rc = pool_map_set_rank_state(map, ranks->rl_ranks[i], POOL_COMP_DOWN);
	}
	d_rank_list_free(ranks);
	if (rc != 0) {
		pool_map_free(map);
		reply_pool(req, rc, "bad rank list or state change");
	} else if (map->version == ps->map->version) {
		pool_map_free(map);
		reply_pool(req, 0, NULL);
	} else if ((rc = rdb_tx_begin(ps->db, &tx)) != 0 || (rc = tx_put_map(tx, map)) != 0) {
		if (tx != NULL && rc != 0)
			rdb_tx_abort(tx);
		pool_map_free(map);
		reply_pool(req, rc, "the pool map was not changed");
	} else {
		D_INFO("pool " DF_UUID ": ranks %s excluded, map version %u", DP_UUID(ps->uuid),
		       in->ranks, map->version);
		change_commit(req, ps, tx, map);
	}
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

static void
evict_done(void *arg, int rc, uint32_t count)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "%u handle(s) evicted", count);
	reply_pool(arg, rc, rc == 0 ? msg : "the pool service could not evict");
}

static void
h_pool_evict(struct drpc_req *req, void *arg)
{
	struct engine *eng = arg;
	Mgmt__PoolIdReq *in;
	struct psvc *ps = psvc_for(req, &in, true);
	uuid_t *uuids = NULL;
	size_t i;
	int rc = 0;

	if (ps == NULL)
		return;
	/* the agent names the handles of a client that went away; dmg names none: all */
	if (in->n_handles > 0) {
		uuids = d_calloc(in->n_handles, sizeof(*uuids));
		if (uuids == NULL)
			rc = -DER_NOMEM;
		for (i = 0; rc == 0 && i < in->n_handles; i++)
			if (uuid_parse(in->handles[i], uuids[i]) != 0)
				rc = -DER_INVAL;
	}
	if (rc == 0)
		rc = ps_evict(eng, ps, (const uuid_t *)uuids, in->n_handles, evict_done, req);
	if (rc != 0)
		reply_pool(req, rc, "the pool service could not evict");
	else if (in->n_handles > 0)
		D_INFO("pool " DF_UUID ": evicting %zu handle(s) of a client on %s",
		       DP_UUID(ps->uuid), in->n_handles,
		       in->machine != NULL && in->machine[0] != '\0' ? in->machine : "?");
	else
		D_INFO("pool " DF_UUID ": evicting every handle", DP_UUID(ps->uuid));
	d_free(uuids);
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
}

int
engine_psvc_register(struct engine *eng)
{
	static const struct {
		int32_t method;
		void (*fn)(struct drpc_req *req, void *arg);
	} calls[] = {
		{ DRPC_METHOD_MGMT_POOL_CREATE, h_pool_create },
		{ DRPC_METHOD_MGMT_POOL_DESTROY, h_pool_destroy },
		{ DRPC_METHOD_MGMT_POOL_QUERY, h_pool_query },
		{ DRPC_METHOD_MGMT_POOL_GET_PROP, h_pool_get_prop },
		{ DRPC_METHOD_MGMT_POOL_SET_PROP, h_pool_set_prop },
		{ DRPC_METHOD_MGMT_POOL_GET_ACL, h_pool_acl },
		{ DRPC_METHOD_MGMT_POOL_OVERWRITE_ACL, h_pool_acl },
		{ DRPC_METHOD_MGMT_POOL_UPDATE_ACL, h_pool_acl },
		{ DRPC_METHOD_MGMT_POOL_DELETE_ACL, h_pool_acl },
		{ DRPC_METHOD_MGMT_POOL_EXCLUDE, h_pool_exclude },
		{ DRPC_METHOD_MGMT_POOL_EVICT, h_pool_evict },
	};
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ARRAY_SIZE(calls); i++)
		rc = drpc_server_register(eng->drpc, DRPC_MODULE_MGMT, calls[i].method, calls[i].fn,
					  eng);
	if (rc == 0)
		rc = ps_register_fabric(eng);
	if (rc == 0)
		rc = cs_register_fabric(eng);
	return rc;
}

/* --- stores found at start, closed at stop (system xstream) --- */

static int
psvc_load(struct engine *eng, const uuid_t uuid)
{
	struct psvc *ps = psvc_alloc(uuid);
	struct rdb_attr attr;
	void *val = NULL;
	size_t len;
	int rc;

	if (ps == NULL)
		return -DER_NOMEM;
	db_attr(eng, uuid, &attr);
	rc = rdb_open(&attr, &ps->db);
	if (rc == 0)
		rc = rdb_get(ps->db, "map", &val, &len);
	if (rc == 0)
		rc = pool_map_decode(val, len, &ps->map);
	d_free(val);
	if (rc == 0)
		rc = ps_hdls_load(ps);
	if (rc != 0) {
		D_ERROR("pool " DF_UUID ": service store cannot be opened: " DF_RC, DP_UUID(uuid),
			DP_RC(rc));
		psvc_free(ps);
		return rc;
	}
	d_list_add_tail(&ps->link, &psvcs);
	D_INFO("pool " DF_UUID ": service up, map version %u", DP_UUID(uuid), ps->map->version);
	return 0;
}

static void
open_all(void *arg)
{
	struct engine *eng = arg;
	uuid_t *uuids;
	unsigned int nr;
	unsigned int i;

	if (engine_meta_blobs(engine_role_dev(eng, BIO_ROLE_META, 0), RDB_TARGET, &uuids, &nr) != 0)
		return;
	for (i = 0; i < nr; i++)
		psvc_load(eng, uuids[i]);
	d_free(uuids);
}

int
engine_psvc_open_all(struct engine *eng)
{
	if (!eng->storage.ready)
		return 0;
	return eng_xs_exec(eng->sys, open_all, eng);
}

static void
close_all(void *arg)
{
	struct psvc *ps;

	(void)arg;
	while ((ps = d_list_pop_entry(&psvcs, struct psvc, link)) != NULL)
		psvc_free(ps);
}

void
engine_psvc_close_all(struct engine *eng)
{
	if (eng->sys != NULL)
		eng_xs_exec(eng->sys, close_all, NULL);
}
