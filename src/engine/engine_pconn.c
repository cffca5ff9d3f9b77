/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_pconn.c - pool handles: the pool service's fabric calls from libdaos (connect,
 * disconnect, query, list containers, attributes), the handle lookups of the targets,
 * revocations sent to every rank, and eviction (dmg pool evict, or the agent when a
 * client process ends without disconnecting).
 *
 * Connect: daos_server checks the client's credential (engine_cred_validate: signed by
 * the agent, or a digest in insecure mode) and gives back the identity it carries; the
 * pool ACL decides (sec_acl_get_perms, with DAOS's pool aliases: r = t, w = c + d):
 * DAOS_PC_RO needs t, DAOS_PC_RW and DAOS_PC_EX also c or d; DAOS_PC_EX also needs no
 * other handle (and refuses later ones). The
 * handle is stored ("phdl/<uuid>": flags, permissions, identity) before the answer, so
 * it survives restarts, and a connect retried with the same handle uuid succeeds again.
 * The answer is the pool map and the info asked for (space: every rank is asked).
 *
 * Container handles ("chdl/<uuid>") belong to the container service (engine_csvc.c);
 * they are kept here too because a pool handle going away takes its container handles.
 * The targets learn handles lazily (RPC_HDL_LOOKUP) and forget them when told
 * (RPC_HDL_REVOKE, sent to every rank before a close/disconnect/evict is answered).
 */
#define D_LOGFAC DD_FAC(pool)

#include <daos_cont.h>
#include <daos_pool.h>
#include <daos_security.h>
#include <gurt/common.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "engine/psvc_int.h"
#include "pool/pool_map.h"
#include "rpc/rpc.h"
#include "rsvc/rdb.h"
#include "security/security.h"

#define REVOKE_TIMEOUT_MS 10000
#define HDL_KEY_MAX 64

/* --- handles in memory and in the store --- */

static void
hdl_key(char *key, const char *prefix, const uuid_t uuid)
{
	char str[37];

	uuid_unparse_lower(uuid, str);
	snprintf(key, HDL_KEY_MAX, "%s%s", prefix, str);
}

static void
ps_hdl_free(struct ps_hdl *h)
{
	sec_auth_sys_free(h->who);
	d_free(h->token);
	d_free(h);
}

struct ps_hdl *
ps_hdl_find(struct psvc *ps, const uuid_t uuid)
{
	struct ps_hdl *h;

	d_list_for_each_entry(h, &ps->hdls, link)
		if (uuid_compare(h->uuid, uuid) == 0)
			return h;
	return NULL;
}

struct cs_hdl *
cs_hdl_find(struct psvc *ps, const uuid_t uuid)
{
	struct cs_hdl *h;

	d_list_for_each_entry(h, &ps->chdls, link)
		if (uuid_compare(h->uuid, uuid) == 0)
			return h;
	return NULL;
}

/* "phdl/<uuid>": flags u64, perms u64, token bytes. */
static int
phdl_put(struct rdb_tx *tx, const struct ps_hdl *h)
{
	char key[HDL_KEY_MAX];
	size_t len = 16 + 4 + h->token_len;
	uint8_t *val = d_malloc(len);
	struct buf b = BUF_INIT(val, len);
	int rc;

	if (val == NULL)
		return -DER_NOMEM;
	buf_put_u64(&b, h->flags);
	buf_put_u64(&b, h->perms);
	buf_put_bytes(&b, h->token, h->token_len);
	hdl_key(key, "phdl/", h->uuid);
	rc = b.err != 0 ? b.err : rdb_tx_put(tx, key, val, b.off);
	d_free(val);
	return rc;
}

static int
phdl_load(const char *key, const void *val, size_t len, void *arg)
{
	struct psvc *ps = arg;
	struct ps_hdl *h = d_calloc(1, sizeof(*h));
	struct buf b = BUF_INIT(val, len);
	const void *token;
	size_t token_len;

	if (h == NULL)
		return -DER_NOMEM;
	h->flags = buf_get_u64(&b);
	h->perms = buf_get_u64(&b);
	token = buf_get_bytes(&b, &token_len);
	if (buf_finish(&b) != 0 || uuid_parse(key + strlen("phdl/"), h->uuid) != 0 ||
	    sec_token_decode(token, token_len, &h->who) != 0) {
		D_ERROR("pool " DF_UUID ": damaged handle record \"%s\": dropped",
			DP_UUID(ps->uuid), key);
		ps_hdl_free(h);
		return 0;
	}
	h->token = d_malloc(token_len);
	if (h->token == NULL) {
		ps_hdl_free(h);
		return -DER_NOMEM;
	}
	memcpy(h->token, token, token_len);
	h->token_len = token_len;
	d_list_add_tail(&h->link, &ps->hdls);
	return 0;
}

/* "chdl/<uuid>": cont (16), poh (16), flags u64, perms u64. */
static int
chdl_load(const char *key, const void *val, size_t len, void *arg)
{
	struct psvc *ps = arg;
	struct cs_hdl *h = d_calloc(1, sizeof(*h));
	struct buf b = BUF_INIT(val, len);
	const void *cont = buf_get_bytes_raw(&b, sizeof(uuid_t));
	const void *poh = buf_get_bytes_raw(&b, sizeof(uuid_t));

	if (h == NULL)
		return -DER_NOMEM;
	h->flags = buf_get_u64(&b);
	h->perms = buf_get_u64(&b);
	if (buf_finish(&b) != 0 || uuid_parse(key + strlen("chdl/"), h->uuid) != 0) {
		D_ERROR("pool " DF_UUID ": damaged handle record \"%s\": dropped",
			DP_UUID(ps->uuid), key);
		d_free(h);
		return 0;
	}
	memcpy(h->cont, cont, sizeof(uuid_t));
	memcpy(h->poh, poh, sizeof(uuid_t));
	d_list_add_tail(&h->link, &ps->chdls);
	return 0;
}

int
ps_hdls_load(struct psvc *ps)
{
	int rc = rdb_iterate(ps->db, "phdl/", phdl_load, ps);

	if (rc == 0)
		rc = rdb_iterate(ps->db, "chdl/", chdl_load, ps);
	return rc;
}

void
ps_hdls_free(struct psvc *ps)
{
	struct ps_hdl *h;
	struct cs_hdl *c;

	if (ps->hdls.next == NULL)
		return;
	while ((h = d_list_pop_entry(&ps->hdls, struct ps_hdl, link)) != NULL)
		ps_hdl_free(h);
	while ((c = d_list_pop_entry(&ps->chdls, struct cs_hdl, link)) != NULL)
		d_free(c);
}

int
ps_hdl_del(struct psvc *ps, struct rdb_tx *tx, struct ps_hdl *h, bool apply)
{
	struct cs_hdl *c;
	struct cs_hdl *tmp;
	char key[HDL_KEY_MAX];
	int rc;

	hdl_key(key, "phdl/", h->uuid);
	rc = tx != NULL ? rdb_tx_del(tx, key) : 0;
	d_list_for_each_entry_safe(c, tmp, &ps->chdls, link) {
		if (rc != 0 || uuid_compare(c->poh, h->uuid) != 0)
			continue;
		hdl_key(key, "chdl/", c->uuid);
		rc = tx != NULL ? rdb_tx_del(tx, key) : 0;
		if (rc == 0 && apply) {
			d_list_del(&c->link);
			d_free(c);
		}
	}
	if (rc == 0 && apply) {
		d_list_del(&h->link);
		ps_hdl_free(h);
	}
	return rc;
}

struct ps_hdl *
ps_hdl_check(struct psvc *ps, const uuid_t poh)
{
	return ps_hdl_find(ps, poh);
}

void
ps_reply(struct net_rpc *rpc, int rc)
{
	int rrc = net_rpc_reply(rpc, rc, NULL, 0);

	if (rrc != 0)
		D_ERROR("cannot answer opcode %#x: " DF_RC, net_rpc_opcode(rpc), DP_RC(rrc));
}

/* --- broadcasts to the pool's ranks --- */

struct bcast {
	uint32_t left;
	uint32_t opc;
	uuid_t pool;
	void (*cb)(void *arg);
	void *arg;
};

static void
bcast_one_done(struct bcast *bc)
{
	D_ASSERT(bc->left > 0);
	if (--bc->left == 0) {
		bc->cb(bc->arg);
		d_free(bc);
	}
}

static void
bcast_reply(void *arg, int status, const void *body, size_t len)
{
	struct bcast *bc = arg;

	(void)body;
	(void)len;
	if (status != 0)
		D_WARN("pool " DF_UUID ": a rank answered opcode %#x with " DF_RC,
		       DP_UUID(bc->pool), bc->opc, DP_RC(status));
	bcast_one_done(bc);
}

int
ps_bcast(struct engine *eng, struct psvc *ps, uint32_t opc, const void *body, size_t len,
	 void (*cb)(void *arg), void *arg)
{
	struct net_ctx *ctx = eng_xs_net(eng->sys);
	struct bcast *bc = d_calloc(1, sizeof(*bc));
	uint32_t i;

	if (bc == NULL)
		return -DER_NOMEM;
	bc->cb = cb;
	bc->arg = arg;
	bc->opc = opc;
	uuid_copy(bc->pool, ps->uuid);
	bc->left = 1; /* held while sending */
	for (i = 0; i < ps->map->nr_ranks; i++) {
		enum pool_comp_state st = ps->map->ranks[i].state;
		d_rank_t rank = ps->map->ranks[i].rank;
		struct net_peer *peer;
		int rc;

		if (st == POOL_COMP_DOWN || st == POOL_COMP_DOWNOUT)
			continue;
		rc = net_group_peer(eng->group, ctx, rank, 0, &peer);
		if (rc == 0)
			rc = net_req_send(ctx, peer, opc, body, len, REVOKE_TIMEOUT_MS, bcast_reply,
					  bc);
		if (rc != 0)
			D_WARN("pool " DF_UUID ": cannot send opcode %#x to rank %u: " DF_RC,
			       DP_UUID(ps->uuid), opc, rank, DP_RC(rc));
		else
			bc->left++;
	}
	bcast_one_done(bc);
	return 0;
}

int
ps_revoke(struct engine *eng, struct psvc *ps, uint32_t nr, const uint8_t *kinds,
	  const uuid_t *uuids, void (*cb)(void *arg), void *arg)
{
	struct rpc_revoke_ent *ents;
	struct rpc_hdl_revoke_in in = { .nr = nr };
	uint8_t *body;
	size_t len;
	uint32_t i;
	int rc;

	if (nr == 0 || nr > RPC_HDL_BATCH_MAX)
		return -DER_INVAL;
	ents = d_calloc(nr, sizeof(*ents));
	body = d_malloc(NET_BODY_MAX);
	if (ents == NULL || body == NULL) {
		d_free(ents);
		d_free(body);
		return -DER_NOMEM;
	}
	for (i = 0; i < nr; i++) {
		ents[i].kind = kinds[i];
		uuid_copy(ents[i].uuid, uuids[i]);
	}
	uuid_copy(in.pool, ps->uuid);
	in.ents = ents;
	len = rpc_hdl_revoke_in_encode(&in, body, NET_BODY_MAX);
	rc = len == 0 ? -DER_OVERFLOW : ps_bcast(eng, ps, RPC_HDL_REVOKE, body, len, cb, arg);
	d_free(ents);
	d_free(body);
	return rc;
}

/* --- replies with the pool map and info --- */

static void
fill_info(struct engine *eng, struct psvc *ps, uint64_t query, const struct ps_space *sp,
	  daos_pool_info_t *pi)
{
	uint32_t total;
	uint32_t enabled;
	uint32_t disabled;
	int k;

	memset(pi, 0, sizeof(*pi));
	pool_map_counts(ps->map, &total, &enabled, &disabled);
	uuid_copy(pi->pi_uuid, ps->uuid);
	pi->pi_ntargets = total;
	pi->pi_nnodes = ps->map->nr_ranks;
	pi->pi_ndisabled = disabled;
	pi->pi_map_ver = ps->map->version;
	pi->pi_leader = eng->rank;
	pi->pi_bits = query;
	/* No rebuild has run (rebuild comes with redundancy): version 0 means idle. */
	pi->pi_rebuild_st.rs_state = DRS_COMPLETED;
	if (sp == NULL)
		return;
	for (k = 0; k < DAOS_MEDIA_MAX; k++) {
		pi->pi_space.ps_space.s_total[k] = sp->total[k];
		pi->pi_space.ps_space.s_free[k] = sp->free[k];
		pi->pi_space.ps_free_min[k] = sp->min[k];
		pi->pi_space.ps_free_max[k] = sp->max[k];
		pi->pi_space.ps_free_mean[k] = sp->mean[k];
	}
	pi->pi_space.ps_ntargets = sp->nr_targets;
}

/* The pool properties asked for in @want (types; values filled from the store). */
static daos_prop_t *
pool_props(struct psvc *ps, const daos_prop_t *want)
{
	daos_prop_t *out;
	uint32_t i;

	if (want == NULL || want->dpp_nr == 0)
		return NULL;
	out = daos_prop_alloc(want->dpp_nr);
	if (out == NULL)
		return NULL;
	for (i = 0; i < want->dpp_nr; i++) {
		struct daos_prop_entry *e = &out->dpp_entries[i];
		const char *key = NULL;
		char *str;

		e->dpe_type = want->dpp_entries[i].dpe_type;
		e->dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
		switch (e->dpe_type) {
		case DAOS_PROP_PO_LABEL:
			key = "label";
			break;
		case DAOS_PROP_PO_OWNER:
			key = "owner";
			break;
		case DAOS_PROP_PO_OWNER_GROUP:
			key = "group";
			break;
		case DAOS_PROP_PO_ACL: {
			struct daos_acl *acl = NULL;

			if (db_get_acl(ps->db, &acl) == 0) {
				e->dpe_val_ptr = acl;
				e->dpe_flags = 0;
			}
			continue;
		}
		case DAOS_PROP_PO_SVC_LIST: {
			d_rank_list_t *rl = d_rank_list_alloc(1);

			if (rl != NULL) {
				rl->rl_ranks[0] = engine.rank;
				e->dpe_val_ptr = rl;
				e->dpe_flags = 0;
			}
			continue;
		}
		case DAOS_PROP_PO_REDUN_FAC:
			str = db_get_str(ps->db, "prop/rd_fac");
			e->dpe_val = 0;
			if (str != NULL)
				e->dpe_val = strtoull(str, NULL, 10);
			e->dpe_flags = 0;
			d_free(str);
			continue;
		default:
			continue;
		}
		str = db_get_str(ps->db, key);
		if (str != NULL) {
			e->dpe_str = str;
			e->dpe_flags = 0;
		}
	}
	return out;
}

/* Answer @rpc with the pool's map, info (space from @sp) and the properties asked. */
static void
reply_query(struct engine *eng, struct net_rpc *rpc, struct psvc *ps, uint64_t query,
	    const struct ps_space *sp, const daos_prop_t *want)
{
	struct rpc_pool_query_out out = { 0 };
	d_rank_list_t *en = NULL;
	d_rank_list_t *dis = NULL;
	size_t map_len = pool_map_encoded_size(ps->map);
	void *map = d_malloc(map_len);
	uint8_t *body = d_malloc(NET_BODY_MAX);
	size_t len = 0;
	int rc = -DER_NOMEM;

	if (map == NULL || body == NULL)
		goto out;
	rc = pool_map_encode(ps->map, map, map_len);
	if (rc != 0)
		goto out;
	fill_info(eng, ps, query, sp, &out.info);
	d_iov_set(&out.map, map, map_len);
	if ((query & DPI_ENGINES_ENABLED) && pool_map_ranks(ps->map, false, &en) == 0) {
		out.nr_enabled = en->rl_nr;
		out.enabled = en->rl_ranks;
	}
	if ((query & DPI_ENGINES_DISABLED) && pool_map_ranks(ps->map, true, &dis) == 0) {
		out.nr_disabled = dis->rl_nr;
		out.disabled = dis->rl_ranks;
	}
	out.prop = pool_props(ps, want);
	len = rpc_pool_query_out_encode(&out, body, NET_BODY_MAX);
	/* A map too large for one reply needs bulk (pools of hundreds of ranks). */
	rc = len == 0 ? -DER_OVERFLOW : 0;
	daos_prop_free(out.prop);
out:
	if (rc != 0)
		D_ERROR("pool " DF_UUID ": cannot answer a query: " DF_RC, DP_UUID(ps->uuid),
			DP_RC(rc));
	net_rpc_reply(rpc, rc, body, rc == 0 ? len : 0);
	d_rank_list_free(en);
	d_rank_list_free(dis);
	d_free(map);
	d_free(body);
}

struct query_ctx {
	uint64_t query;
	daos_prop_t *want;
};

static void
space_done(struct psop *op)
{
	struct query_ctx *qc = op->priv;
	struct psvc *ps = psvc_find(op->uuid);
	uint32_t bad = psop_failed(op, PSOP_QUERY_TOLERATED);
	struct ps_space sp;

	if (ps == NULL || ps->busy) {
		ps_reply(op->rpc, -DER_NONEXIST);
	} else if (bad < op->nr) {
		D_ERROR("pool " DF_UUID ": rank %u did not answer the space query: " DF_RC,
			DP_UUID(op->uuid), op->ranks[bad], DP_RC(op->rcs[bad]));
		ps_reply(op->rpc, op->rcs[bad]);
	} else {
		psop_space(op, &sp);
		reply_query(op->eng, op->rpc, ps, qc->query, &sp, qc->want);
	}
	daos_prop_free(qc->want);
	d_free(qc);
	psop_free(op);
}

/* Answer with the info: with DPI_SPACE every rank is asked first. Takes @want. */
static void
answer_query(struct engine *eng, struct net_rpc *rpc, struct psvc *ps, uint64_t query,
	     daos_prop_t *want)
{
	struct query_ctx *qc;
	struct psop *op;

	if (!(query & DPI_SPACE)) {
		reply_query(eng, rpc, ps, query, NULL, want);
		daos_prop_free(want);
		return;
	}
	qc = d_calloc(1, sizeof(*qc));
	op = psop_for_map(eng, NULL, ps);
	if (qc == NULL || op == NULL) {
		d_free(qc);
		if (op != NULL)
			psop_free(op);
		daos_prop_free(want);
		ps_reply(rpc, -DER_NOMEM);
		return;
	}
	qc->query = query;
	qc->want = want;
	op->rpc = rpc;
	op->priv = qc;
	op->ps = NULL;
	psop_start(op, ENGINE_OPC_POOL_TGT_QUERY, space_done);
}

/* The service of a request's pool: NULL after answering if there is none. */
static struct psvc *
ps_for_rpc(struct net_rpc *rpc, const uuid_t pool)
{
	struct psvc *ps = psvc_find(pool);

	if (ps == NULL || ps->db == NULL) {
		ps_reply(rpc, -DER_NONEXIST);
		return NULL;
	}
	if (ps->busy) {
		ps_reply(rpc, -DER_BUSY);
		return NULL;
	}
	return ps;
}

/* --- connect --- */

struct connect {
	struct engine *eng;
	struct net_rpc *rpc;
	struct rpc_pool_connect_in in;
	struct ps_hdl *h;
};

static void
connect_free(struct connect *c)
{
	if (c->h != NULL)
		ps_hdl_free(c->h);
	d_free(c);
}

static void
connect_committed(void *arg, int rc)
{
	struct connect *c = arg;
	struct psvc *ps = psvc_find(c->in.hdr.pool);

	if (ps == NULL) {
		ps_reply(c->rpc, -DER_NONEXIST);
	} else if (rc != 0) {
		D_ERROR("pool " DF_UUID ": cannot store handle " DF_UUID ": " DF_RC,
			DP_UUID(ps->uuid), DP_UUID(c->in.hdr.poh), DP_RC(rc));
		ps_reply(c->rpc, rc);
	} else {
		d_list_add_tail(&c->h->link, &ps->hdls);
		D_INFO("pool " DF_UUID ": handle " DF_UUID " connected by %s (flags %#lx)",
		       DP_UUID(ps->uuid), DP_UUID(c->h->uuid), c->h->who->user,
		       (unsigned long)c->h->flags);
		c->h = NULL;
		answer_query(c->eng, c->rpc, ps, c->in.query, NULL);
	}
	connect_free(c);
}

/* Whether the pool already has a handle that excludes @flags (or @flags excludes). */
static bool
connect_conflicts(struct psvc *ps, uint64_t flags)
{
	struct ps_hdl *h;

	d_list_for_each_entry(h, &ps->hdls, link)
		if ((h->flags & DAOS_PC_EX) || (flags & DAOS_PC_EX))
			return true;
	return false;
}

static void
connect_validated(void *arg, int rc, const void *token, size_t len)
{
	struct connect *c = arg;
	struct psvc *ps = psvc_find(c->in.hdr.pool);
	struct daos_acl *acl = NULL;
	char *owner = NULL;
	char *group = NULL;
	struct sec_subject who;
	struct rdb_tx *tx;
	uint64_t need;

	if (ps == NULL || ps->busy) {
		ps_reply(c->rpc, ps == NULL ? -DER_NONEXIST : -DER_BUSY);
		connect_free(c);
		return;
	}
	if (rc != 0) {
		D_ERROR("pool " DF_UUID ": connect refused: the credential is not valid: " DF_RC,
			DP_UUID(ps->uuid), DP_RC(rc));
		ps_reply(c->rpc, rc == -DER_PROTO || rc == -DER_MISC ? -DER_NO_PERM : rc);
		connect_free(c);
		return;
	}
	c->h = d_calloc(1, sizeof(*c->h));
	if (c->h == NULL || (c->h->token = d_malloc(len)) == NULL) {
		rc = -DER_NOMEM;
		goto fail;
	}
	memcpy(c->h->token, token, len);
	c->h->token_len = len;
	uuid_copy(c->h->uuid, c->in.hdr.poh);
	c->h->flags = c->in.flags;
	rc = sec_token_decode(token, len, &c->h->who);
	if (rc != 0)
		goto fail;
	rc = db_get_acl(ps->db, &acl);
	owner = db_get_str(ps->db, "owner");
	group = db_get_str(ps->db, "group");
	who.user = c->h->who->user;
	who.group = c->h->who->group;
	who.groups = (const char *const *)c->h->who->groups;
	who.nr_groups = c->h->who->nr_groups;
	if (rc == 0)
		rc = sec_acl_get_perms(acl, owner != NULL ? owner : "", group != NULL ? group : "",
				       &who, &c->h->perms);
	if (rc != 0)
		goto fail;
	/* pool letters: r is an alias of t, w of c+d; connecting takes t, RW also c or d */
	if (c->h->perms & DAOS_ACL_PERM_READ)
		c->h->perms |= DAOS_ACL_PERM_GET_PROP;
	if (c->h->perms & DAOS_ACL_PERM_WRITE)
		c->h->perms |= DAOS_ACL_PERM_CREATE_CONT | DAOS_ACL_PERM_DEL_CONT;
	need = DAOS_ACL_PERM_GET_PROP;
	if (!(c->h->perms & need) ||
	    (!(c->in.flags & DAOS_PC_RO) &&
	     !(c->h->perms & (DAOS_ACL_PERM_CREATE_CONT | DAOS_ACL_PERM_DEL_CONT)))) {
		D_ERROR("pool " DF_UUID ": %s may not connect with flags %#lx (ACL grants %#lx)",
			DP_UUID(ps->uuid), who.user, (unsigned long)c->in.flags,
			(unsigned long)c->h->perms);
		rc = -DER_NO_PERM;
		goto fail;
	}
	if (connect_conflicts(ps, c->in.flags)) {
		rc = -DER_BUSY;
		goto fail;
	}
	rc = rdb_tx_begin(ps->db, &tx);
	if (rc != 0)
		goto fail;
	rc = phdl_put(tx, c->h);
	if (rc != 0) {
		rdb_tx_abort(tx);
		goto fail;
	}
	rc = rdb_tx_commit(tx, connect_committed, c);
	if (rc != 0)
		goto fail;
	sec_acl_free(acl);
	d_free(owner);
	d_free(group);
	return;
fail:
	ps_reply(c->rpc, rc);
	sec_acl_free(acl);
	d_free(owner);
	d_free(group);
	connect_free(c);
}

static void
h_pool_connect(struct net_rpc *rpc, void *arg)
{
	struct engine *eng = arg;
	struct connect *c = d_calloc(1, sizeof(*c));
	const void *body;
	size_t len;
	struct psvc *ps;
	uint64_t mode;
	int rc;

	if (c == NULL) {
		ps_reply(rpc, -DER_NOMEM);
		return;
	}
	c->eng = eng;
	c->rpc = rpc;
	body = net_rpc_body(rpc, &len);
	rc = rpc_pool_connect_in_decode(body, len, &c->in);
	if (rc != 0) {
		ps_reply(rpc, rc);
		d_free(c);
		return;
	}
	mode = c->in.flags & DAOS_PC_MASK;
	if (mode != DAOS_PC_RO && mode != DAOS_PC_RW && mode != DAOS_PC_EX) {
		ps_reply(rpc, -DER_INVAL);
		d_free(c);
		return;
	}
	ps = ps_for_rpc(rpc, c->in.hdr.pool);
	if (ps == NULL) {
		d_free(c);
		return;
	}
	if (ps_hdl_find(ps, c->in.hdr.poh) != NULL) {
		/* a retried connect: the handle is there already */
		answer_query(eng, rpc, ps, c->in.query, NULL);
		d_free(c);
		return;
	}
	rc = engine_cred_validate(eng, c->in.cred.iov_buf, c->in.cred.iov_len, connect_validated,
				  c);
	if (rc != 0) {
		ps_reply(rpc, rc);
		d_free(c);
	}
}

/* --- disconnect and evict --- */

struct evict {
	struct engine *eng;
	struct psvc *ps;
	uint32_t nr;
	uint8_t *kinds;
	uuid_t *uuids;
	void (*cb)(void *arg, int rc, uint32_t count);
	void *arg;
	int rc;
};

static void
evict_free(struct evict *ev)
{
	d_free(ev->kinds);
	d_free(ev->uuids);
	d_free(ev);
}

static void
evict_revoked(void *arg)
{
	struct evict *ev = arg;

	ev->cb(ev->arg, ev->rc, ev->nr);
	evict_free(ev);
}

static void
evict_committed(void *arg, int rc)
{
	struct evict *ev = arg;
	struct psvc *ps = psvc_find(ev->ps->uuid) == ev->ps ? ev->ps : NULL;
	uint32_t i;

	ev->rc = rc;
	if (rc != 0 || ps == NULL) {
		evict_revoked(ev);
		return;
	}
	for (i = 0; i < ev->nr; i++) {
		struct ps_hdl *h = ps_hdl_find(ps, ev->uuids[i]);

		if (h != NULL)
			ps_hdl_del(ps, NULL, h, true);
	}
	if (ps_revoke(ev->eng, ps, ev->nr, ev->kinds, (const uuid_t *)ev->uuids, evict_revoked,
		      ev) != 0)
		evict_revoked(ev);
}

int
ps_evict(struct engine *eng, struct psvc *ps, const uuid_t *uuids, uint32_t nr,
	 void (*cb)(void *arg, int rc, uint32_t count), void *arg)
{
	struct evict *ev = d_calloc(1, sizeof(*ev));
	struct ps_hdl *h;
	struct rdb_tx *tx = NULL;
	uint32_t cap = 0;
	uint32_t i;
	int rc;

	if (ev == NULL)
		return -DER_NOMEM;
	d_list_for_each_entry(h, &ps->hdls, link)
		cap++;
	ev->eng = eng;
	ev->ps = ps;
	ev->cb = cb;
	ev->arg = arg;
	ev->kinds = d_calloc(cap + 1, sizeof(*ev->kinds));
	ev->uuids = d_calloc(cap + 1, sizeof(*ev->uuids));
	rc = ev->kinds == NULL || ev->uuids == NULL ? -DER_NOMEM : rdb_tx_begin(ps->db, &tx);
	if (rc != 0) {
		evict_free(ev);
		return rc;
	}
	d_list_for_each_entry(h, &ps->hdls, link) {
		bool named = nr == 0;

		for (i = 0; !named && i < nr; i++)
			named = uuid_compare(uuids[i], h->uuid) == 0;
		if (!named || ev->nr >= RPC_HDL_BATCH_MAX)
			continue;
		rc = ps_hdl_del(ps, tx, h, false);
		if (rc != 0)
			break;
		ev->kinds[ev->nr] = RPC_REVOKE_POH;
		uuid_copy(ev->uuids[ev->nr++], h->uuid);
	}
	if (rc == 0 && ev->nr == 0) {
		rdb_tx_abort(tx);
		cb(arg, 0, 0);
		evict_free(ev);
		return 0;
	}
	if (rc == 0)
		rc = rdb_tx_commit(tx, evict_committed, ev);
	else
		rdb_tx_abort(tx);
	if (rc != 0)
		evict_free(ev);
	return rc;
}

static void
disconnect_done(void *arg, int rc, uint32_t count)
{
	(void)count;
	ps_reply(arg, rc);
}

static void
h_pool_disconnect(struct net_rpc *rpc, void *arg)
{
	struct engine *eng = arg;
	struct rpc_pool_hdr hdr;
	const void *body;
	size_t len;
	struct buf b;
	struct psvc *ps;
	int rc;

	body = net_rpc_body(rpc, &len);
	buf_init(&b, body, len);
	rpc_pool_hdr_decode(&b, &hdr);
	if (buf_finish(&b) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = ps_for_rpc(rpc, hdr.pool);
	if (ps == NULL)
		return;
	if (ps_hdl_find(ps, hdr.poh) == NULL) {
		ps_reply(rpc, 0); /* gone already (evicted, or a retry) */
		return;
	}
	rc = ps_evict(eng, ps, (const uuid_t *)&hdr.poh, 1, disconnect_done, rpc);
	if (rc != 0)
		ps_reply(rpc, rc);
	else
		D_INFO("pool " DF_UUID ": handle " DF_UUID " disconnecting", DP_UUID(ps->uuid),
		       DP_UUID(hdr.poh));
}

/* --- query, list containers, attributes --- */

static void
h_pool_query(struct net_rpc *rpc, void *arg)
{
	struct engine *eng = arg;
	struct rpc_pool_query_in in;
	const void *body;
	size_t len;
	struct psvc *ps;

	body = net_rpc_body(rpc, &len);
	if (rpc_pool_query_in_decode(body, len, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = ps_for_rpc(rpc, in.hdr.pool);
	if (ps != NULL && ps_hdl_find(ps, in.hdr.poh) == NULL) {
		ps_reply(rpc, -DER_NO_HDL);
		ps = NULL;
	}
	if (ps == NULL) {
		rpc_pool_query_in_fini(&in);
		return;
	}
	answer_query(eng, rpc, ps, in.query, in.prop);
}

struct cont_list {
	struct rpc_cont_entry *ents;
	uint32_t nr;
	uint32_t cap;
};

static int
cont_collect(const char *key, const void *val, size_t len, void *arg)
{
	struct cont_list *cl = arg;
	struct rpc_cont_entry *e;
	struct buf b = BUF_INIT(val, len);
	daos_prop_t *prop;
	struct daos_prop_entry *label;

	if (strchr(key + strlen("cont/"), '/') != NULL)
		return 0;
	if (cl->nr == cl->cap) {
		uint32_t cap = cl->cap == 0 ? 16 : cl->cap * 2;

		e = d_reallocarray(cl->ents, cap, sizeof(*e));
		if (e == NULL)
			return -DER_NOMEM;
		cl->ents = e;
		cl->cap = cap;
	}
	e = &cl->ents[cl->nr];
	memset(e, 0, sizeof(*e));
	if (uuid_parse(key + strlen("cont/"), e->uuid) != 0)
		return 0;
	prop = rpc_prop_decode(&b);
	label = daos_prop_entry_get(prop, DAOS_PROP_CO_LABEL);
	if (label != NULL && daos_prop_is_set(label) && label->dpe_str != NULL)
		snprintf(e->label, sizeof(e->label), "%s", label->dpe_str);
	daos_prop_free(prop);
	cl->nr++;
	return 0;
}

static void
h_pool_list_cont(struct net_rpc *rpc, void *arg)
{
	struct rpc_pool_hdr hdr;
	struct cont_list cl = { 0 };
	const void *body;
	size_t len;
	struct buf b;
	struct psvc *ps;
	uint8_t *out;
	int rc;

	(void)arg;
	body = net_rpc_body(rpc, &len);
	buf_init(&b, body, len);
	rpc_pool_hdr_decode(&b, &hdr);
	if (buf_finish(&b) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = ps_for_rpc(rpc, hdr.pool);
	if (ps == NULL)
		return;
	if (ps_hdl_find(ps, hdr.poh) == NULL) {
		ps_reply(rpc, -DER_NO_HDL);
		return;
	}
	out = d_malloc(NET_BODY_MAX);
	rc = out == NULL ? -DER_NOMEM : rdb_iterate(ps->db, "cont/", cont_collect, &cl);
	if (rc == 0) {
		len = rpc_cont_list_encode(cl.ents, cl.nr, out, NET_BODY_MAX);
		rc = len == 0 ? -DER_OVERFLOW : 0;
	}
	net_rpc_reply(rpc, rc, out, rc == 0 ? len : 0);
	d_free(out);
	d_free(cl.ents);
}

/*
 * Attributes of a pool ("attr/<name>") or a container ("cattr/<uuid>/<name>"): set, get,
 * list, delete. @prefix is the key prefix; writes need @may_write.
 */
struct attr_list {
	struct buf *b;
	size_t prefix_len;
	uint32_t nr;
};

static int
attr_collect(const char *key, const void *val, size_t len, void *arg)
{
	struct attr_list *al = arg;

	(void)val;
	(void)len;
	buf_put_str(al->b, key + al->prefix_len);
	if (al->b->err != 0)
		return -DER_OVERFLOW;
	al->nr++;
	return 0;
}

static int
attr_key(char *key, size_t size, const char *prefix, const d_iov_t *name)
{
	size_t len = name->iov_len;

	/* a name may come with its terminating NUL */
	if (len > 0 && ((const char *)name->iov_buf)[len - 1] == '\0')
		len--;
	if (len == 0 || memchr(name->iov_buf, '\0', len) != NULL)
		return -DER_INVAL;
	if ((size_t)snprintf(key, size, "%s%.*s", prefix, (int)len, (const char *)name->iov_buf) >=
	    size)
		return -DER_INVAL;
	return 0;
}

static void
attr_committed(void *arg, int rc)
{
	ps_reply(arg, rc);
}

void
ps_attr_serve(struct net_rpc *rpc, struct psvc *ps, const char *prefix,
	      const struct rpc_attr_in *in, bool may_read, bool may_write)
{
	char key[RDB_KEY_MAX + 1];
	uint8_t *out = NULL;
	struct buf b;
	struct rdb_tx *tx = NULL;
	uint32_t i;
	int rc = 0;

	if (in->op == RPC_ATTR_SET || in->op == RPC_ATTR_DEL) {
		if (!may_write) {
			ps_reply(rpc, -DER_NO_PERM);
			return;
		}
		rc = rdb_tx_begin(ps->db, &tx);
		for (i = 0; rc == 0 && i < in->nr; i++) {
			rc = attr_key(key, sizeof(key), prefix, &in->names[i]);
			if (rc == 0 && in->op == RPC_ATTR_SET)
				rc = in->values[i].iov_len == 0
					     ? -DER_INVAL
					     : rdb_tx_put(tx, key, in->values[i].iov_buf,
							  in->values[i].iov_len);
			else if (rc == 0)
				rc = rdb_tx_del(tx, key);
		}
		if (rc == 0)
			rc = rdb_tx_commit(tx, attr_committed, rpc);
		else if (tx != NULL)
			rdb_tx_abort(tx);
		if (rc != 0)
			ps_reply(rpc, rc);
		return;
	}
	if (!may_read) {
		ps_reply(rpc, -DER_NO_PERM);
		return;
	}
	out = d_malloc(NET_BODY_MAX);
	if (out == NULL) {
		ps_reply(rpc, -DER_NOMEM);
		return;
	}
	buf_init(&b, out, NET_BODY_MAX);
	if (in->op == RPC_ATTR_LIST) {
		struct attr_list al = { .b = &b, .prefix_len = strlen(prefix) };
		size_t count_off = b.off;

		buf_put_u32(&b, 0);
		rc = rdb_iterate(ps->db, prefix, attr_collect, &al);
		if (rc == 0) {
			struct buf cb = BUF_INIT(out + count_off, 4);

			buf_put_u32(&cb, al.nr);
		}
	} else {
		for (i = 0; rc == 0 && i < in->nr; i++) {
			void *val = NULL;
			size_t vlen = 0;

			rc = attr_key(key, sizeof(key), prefix, &in->names[i]);
			if (rc == 0)
				rc = rdb_get(ps->db, key, &val, &vlen);
			if (rc == 0)
				buf_put_bytes(&b, val, vlen);
			d_free(val);
		}
		if (rc == 0 && b.err != 0)
			rc = -DER_OVERFLOW;
	}
	net_rpc_reply(rpc, rc, out, rc == 0 ? b.off : 0);
	d_free(out);
}

static void
h_pool_attr(struct net_rpc *rpc, void *arg)
{
	struct rpc_pool_hdr hdr;
	struct rpc_attr_in in;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct ps_hdl *h;

	(void)arg;
	body = net_rpc_body(rpc, &len);
	if (rpc_attr_in_decode(body, len, &hdr, false, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = ps_for_rpc(rpc, hdr.pool);
	if (ps != NULL) {
		h = ps_hdl_find(ps, hdr.poh);
		if (h == NULL)
			ps_reply(rpc, -DER_NO_HDL);
		else
			ps_attr_serve(rpc, ps, "attr/", &in, true,
				      (h->flags & (DAOS_PC_RW | DAOS_PC_EX)) != 0);
	}
	rpc_attr_in_fini(&in);
}

/* --- handle lookups from the targets --- */

static void
h_hdl_lookup(struct net_rpc *rpc, void *arg)
{
	struct rpc_hdl_info info;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct cs_hdl *h;
	uint8_t out[128];

	(void)arg;
	body = net_rpc_body(rpc, &len);
	if (rpc_hdl_info_decode(body, len, &info) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = psvc_find(info.pool);
	h = ps != NULL ? cs_hdl_find(ps, info.coh) : NULL;
	if (h == NULL || uuid_compare(h->cont, info.cont) != 0) {
		ps_reply(rpc, -DER_NO_HDL);
		return;
	}
	uuid_copy(info.poh, h->poh);
	info.flags = h->flags;
	info.caps = 0;
	if (h->perms & DAOS_ACL_PERM_READ)
		info.caps |= RPC_CAP_READ;
	if ((h->perms & DAOS_ACL_PERM_WRITE) && (h->flags & (DAOS_COO_RW | DAOS_COO_EX)))
		info.caps |= RPC_CAP_WRITE;
	len = rpc_hdl_info_encode(&info, out, sizeof(out));
	net_rpc_reply(rpc, 0, out, len);
}

int
ps_register_fabric(struct engine *eng)
{
	static const struct {
		uint32_t opc;
		const char *name;
		net_handler_fn fn;
	} calls[] = {
		{ RPC_POOL_CONNECT, "pool_connect", h_pool_connect },
		{ RPC_POOL_DISCONNECT, "pool_disconnect", h_pool_disconnect },
		{ RPC_POOL_QUERY, "pool_query", h_pool_query },
		{ RPC_POOL_LIST_CONT, "pool_list_cont", h_pool_list_cont },
		{ RPC_POOL_ATTR, "pool_attr", h_pool_attr },
		{ RPC_HDL_LOOKUP, "hdl_lookup", h_hdl_lookup },
	};
	struct net_ctx *ctx = eng_xs_net(eng->sys);
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ARRAY_SIZE(calls); i++)
		rc = net_handler_register(ctx, calls[i].opc, calls[i].name, calls[i].fn, eng);
	return rc;
}
