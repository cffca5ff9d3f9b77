/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_csvc.c - the container service, inside the pool service (same store, same
 * system xstream).
 *
 * Store keys (next to the pool's, see engine_psvc.c):
 *   "cont/<uuid>"          every property of the container (rpc.h's property encoding):
 *                          label, layout, ACL, owner, group, redundancy, status, roots...
 *   "clabel/<label>"       the uuid (16 bytes) of the container with that label
 *   "cattr/<uuid>/<name>"  a user attribute
 *   "csnap/<uuid>"         the snapshots: count u32, then per snapshot (ascending) its
 *                          epoch u64 and name (string, empty encoding for none)
 *   "coid/<uuid>"          the next object id the allocator hands out (u64)
 *   "chdl/<uuid>"          an open handle (engine_pconn.c loads them)
 *
 * Permissions (DAOS's): creating needs the pool's c (DAOS_ACL_PERM_CREATE_CONT) on the
 * pool handle, destroying the pool's d or the container's d; opening RO needs r, RW
 * needs r and w in the container ACL (evaluated for the identity the pool handle was
 * connected with); each open handle keeps what the ACL granted: t/T (get/set props),
 * a/A (get/set ACL), o (set owner) decide the later calls on it.
 */
#define D_LOGFAC DD_FAC(container)

#include <daos_cont.h>
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

#define KEY_MAX 256
#define SNAP_MAX 4096 /* snapshots per container */

/* --- keys and records --- */

static void
ckey(char *key, const char *prefix, const uuid_t uuid)
{
	char str[37];

	uuid_unparse_lower(uuid, str);
	snprintf(key, KEY_MAX, "%s%s", prefix, str);
}

static int
props_get(struct psvc *ps, const uuid_t cont, daos_prop_t **out)
{
	char key[KEY_MAX];
	void *val;
	size_t len;
	struct buf b;
	int rc;

	*out = NULL;
	ckey(key, "cont/", cont);
	rc = rdb_get(ps->db, key, &val, &len);
	if (rc != 0)
		return rc;
	buf_init(&b, val, len);
	*out = rpc_prop_decode(&b);
	rc = buf_finish(&b);
	d_free(val);
	if (rc != 0) {
		D_ERROR("pool " DF_UUID ": container " DF_UUID ": damaged properties",
			DP_UUID(ps->uuid), DP_UUID(cont));
		daos_prop_free(*out);
		*out = NULL;
		return -DER_DF_INVAL;
	}
	return 0;
}

static int
tx_put_props(struct rdb_tx *tx, const uuid_t cont, const daos_prop_t *prop)
{
	char key[KEY_MAX];
	uint8_t *val = d_malloc(RDB_VALUE_MAX);
	struct buf b;
	int rc;

	if (val == NULL)
		return -DER_NOMEM;
	buf_init(&b, val, RDB_VALUE_MAX);
	rpc_prop_encode(&b, prop);
	ckey(key, "cont/", cont);
	rc = b.err != 0 ? b.err : rdb_tx_put(tx, key, val, b.off);
	d_free(val);
	return rc;
}

/* The container named @id (uuid or label). 0 or -DER_NONEXIST. */
static int
cont_find(struct psvc *ps, const char *id, uuid_t out)
{
	char key[KEY_MAX];
	void *val;
	size_t len;
	daos_prop_t *prop = NULL;
	int rc;

	if (uuid_parse(id, out) == 0) {
		rc = props_get(ps, out, &prop);
		daos_prop_free(prop);
		return rc;
	}
	if (!daos_label_is_valid(id))
		return -DER_NONEXIST;
	snprintf(key, sizeof(key), "clabel/%s", id);
	rc = rdb_get(ps->db, key, &val, &len);
	if (rc != 0)
		return rc;
	rc = len == sizeof(uuid_t) ? 0 : -DER_DF_INVAL;
	if (rc == 0)
		memcpy(out, val, sizeof(uuid_t));
	d_free(val);
	return rc;
}

static const char *
prop_str(daos_prop_t *prop, uint32_t type)
{
	struct daos_prop_entry *e = daos_prop_entry_get(prop, type);

	return e != NULL && daos_prop_is_set(e) && e->dpe_str != NULL ? e->dpe_str : NULL;
}

/* What the container ACL in @prop grants the identity of pool handle @ph. */
static int
cont_perms(daos_prop_t *prop, const struct ps_hdl *ph, uint64_t *perms)
{
	struct daos_prop_entry *e = daos_prop_entry_get(prop, DAOS_PROP_CO_ACL);
	const char *owner = prop_str(prop, DAOS_PROP_CO_OWNER);
	const char *group = prop_str(prop, DAOS_PROP_CO_OWNER_GROUP);
	struct sec_subject who = {
		.user = ph->who->user,
		.group = ph->who->group,
		.groups = (const char *const *)ph->who->groups,
		.nr_groups = ph->who->nr_groups,
	};

	if (e == NULL || e->dpe_val_ptr == NULL) {
		*perms = 0;
		return 0;
	}
	return sec_acl_get_perms(e->dpe_val_ptr, owner != NULL ? owner : "",
				 group != NULL ? group : "", &who, perms);
}

/* --- requests and their common checks --- */

struct cs_req {
	struct engine *eng;
	struct net_rpc *rpc;
	struct psvc *ps;
	struct ps_hdl *ph;
};

/* The service and pool handle of a request: NULL after answering. */
static struct psvc *
cs_for(struct net_rpc *rpc, const struct rpc_pool_hdr *hdr, struct ps_hdl **ph)
{
	struct psvc *ps = psvc_find(hdr->pool);

	if (ps == NULL || ps->db == NULL) {
		ps_reply(rpc, -DER_NONEXIST);
		return NULL;
	}
	if (ps->busy) {
		ps_reply(rpc, -DER_BUSY);
		return NULL;
	}
	*ph = ps_hdl_check(ps, hdr->poh);
	if (*ph == NULL) {
		ps_reply(rpc, -DER_NO_HDL);
		return NULL;
	}
	return ps;
}

/* The open handle named by @hdr (its container must match): NULL after answering. */
static struct cs_hdl *
coh_for(struct net_rpc *rpc, struct psvc *ps, const struct rpc_cont_hdr *hdr)
{
	struct cs_hdl *h = cs_hdl_find(ps, hdr->coh);

	if (h == NULL || uuid_compare(h->cont, hdr->cont) != 0 ||
	    uuid_compare(h->poh, hdr->pool.poh) != 0) {
		ps_reply(rpc, -DER_NO_HDL);
		return NULL;
	}
	return h;
}

static void
committed_reply(void *arg, int rc)
{
	ps_reply(arg, rc);
}

/* --- create --- */

/* The defaults of every container property DAOS sets at create. */
static daos_prop_t *
default_props(struct psvc *ps, const struct ps_hdl *ph)
{
	static const struct {
		uint32_t type;
		uint64_t val;
	} nums[] = {
		{ DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_UNKNOWN },
		{ DAOS_PROP_CO_LAYOUT_VER, 1 },
		{ DAOS_PROP_CO_CSUM, DAOS_PROP_CO_CSUM_OFF },
		{ DAOS_PROP_CO_CSUM_CHUNK_SIZE, 32768 },
		{ DAOS_PROP_CO_CSUM_SERVER_VERIFY, DAOS_PROP_CO_CSUM_SV_OFF },
		{ DAOS_PROP_CO_REDUN_FAC, DAOS_PROP_CO_REDUN_RF0 },
		{ DAOS_PROP_CO_REDUN_LVL, DAOS_PROP_CO_REDUN_NODE },
		{ DAOS_PROP_CO_SNAPSHOT_MAX, 0 },
		{ DAOS_PROP_CO_COMPRESS, DAOS_PROP_CO_COMPRESS_OFF },
		{ DAOS_PROP_CO_ENCRYPT, DAOS_PROP_CO_ENCRYPT_OFF },
		{ DAOS_PROP_CO_DEDUP, DAOS_PROP_CO_DEDUP_OFF },
		{ DAOS_PROP_CO_DEDUP_THRESHOLD, 4096 },
		{ DAOS_PROP_CO_ALLOCED_OID, 0 },
		{ DAOS_PROP_CO_EC_CELL_SZ, 128 * 1024 }, /* the pool's default (dmg's table) */
		{ DAOS_PROP_CO_EC_PDA, 1 },
		{ DAOS_PROP_CO_RP_PDA, 4 },
		{ DAOS_PROP_CO_GLOBAL_VERSION, 3 },
		{ DAOS_PROP_CO_SCRUBBER_DISABLED, 0 },
		{ DAOS_PROP_CO_OBJ_VERSION, 1 },
	};
	/* what a container takes from its pool's properties when they are set */
	static const struct {
		const char *key;
		uint32_t type;
	} inherited[] = {
		{ "prop/rd_fac", DAOS_PROP_CO_REDUN_FAC },
		{ "prop/ec_cell_sz", DAOS_PROP_CO_EC_CELL_SZ },
		{ "prop/ec_pda", DAOS_PROP_CO_EC_PDA },
		{ "prop/rp_pda", DAOS_PROP_CO_RP_PDA },
	};
	uint32_t nr = ARRAY_SIZE(nums) + 6;
	daos_prop_t *prop = daos_prop_alloc(nr);
	struct daos_acl *acl = NULL;
	char *v;
	uint32_t i;
	uint32_t n = 0;

	if (prop == NULL)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		prop->dpp_entries[n].dpe_type = nums[i].type;
		prop->dpp_entries[n++].dpe_val = nums[i].val;
	}
	for (i = 0; i < ARRAY_SIZE(inherited); i++) {
		v = db_get_str(ps->db, inherited[i].key);
		if (v != NULL)
			daos_prop_entry_get(prop, inherited[i].type)->dpe_val =
				strtoull(v, NULL, 10);
		d_free(v);
	}
	prop->dpp_entries[n].dpe_type = DAOS_PROP_CO_STATUS;
	prop->dpp_entries[n++].dpe_val = DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_HEALTHY, 0, 0);
	prop->dpp_entries[n].dpe_type = DAOS_PROP_CO_LABEL;
	prop->dpp_entries[n++].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	prop->dpp_entries[n].dpe_type = DAOS_PROP_CO_OWNER;
	daos_prop_entry_set_str(&prop->dpp_entries[n++], ph->who->user, strlen(ph->who->user));
	prop->dpp_entries[n].dpe_type = DAOS_PROP_CO_OWNER_GROUP;
	daos_prop_entry_set_str(&prop->dpp_entries[n++], ph->who->group, strlen(ph->who->group));
	prop->dpp_entries[n].dpe_type = DAOS_PROP_CO_ACL;
	if (sec_acl_default_cont(&acl) == 0) {
		daos_prop_entry_set_ptr(&prop->dpp_entries[n], acl, sec_acl_size(acl));
		sec_acl_free(acl);
	}
	n++;
	prop->dpp_entries[n].dpe_type = DAOS_PROP_CO_ROOTS;
	prop->dpp_entries[n++].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	D_ASSERT(n == nr);
	return prop;
}

/* Check one property a client sets (create: @create; set-prop otherwise). */
static int
prop_check(const struct daos_prop_entry *e, bool create, char *msg, size_t len)
{
	if (e->dpe_type <= DAOS_PROP_CO_MIN || e->dpe_type >= DAOS_PROP_CO_MAX) {
		snprintf(msg, len, "property type %#x is not a container property", e->dpe_type);
		return -DER_INVAL;
	}
	if (!daos_prop_is_set((struct daos_prop_entry *)e))
		return 0;
	switch (e->dpe_type) {
	case DAOS_PROP_CO_LABEL:
		if (e->dpe_str == NULL || !daos_label_is_valid(e->dpe_str) ||
		    uuid_parse(e->dpe_str, (unsigned char *)msg) == 0) {
			snprintf(msg, len, "invalid container label");
			return -DER_INVAL;
		}
		return 0;
	case DAOS_PROP_CO_REDUN_FAC:
		if (!create) {
			snprintf(msg, len, "rd_fac cannot change after create");
			return -DER_INVAL;
		}
		/*
		 * As in DAOS, a container may ask for more than the pool's fault domains
		 * can give (the pool may grow); its objects cannot be placed until then,
		 * which daos_obj_generate_oid says.
		 */
		if (!daos_rf_is_valid(e->dpe_val)) {
			snprintf(msg, len, "rd_fac %lu is not between 0 and %d",
				 (unsigned long)e->dpe_val, DAOS_PROP_CO_REDUN_RF4);
			return -DER_INVAL;
		}
		return 0;
	case DAOS_PROP_CO_GLOBAL_VERSION:
	case DAOS_PROP_CO_OBJ_VERSION:
	case DAOS_PROP_CO_ALLOCED_OID:
		snprintf(msg, len, "property type %#x is read-only", e->dpe_type);
		return -DER_INVAL;
	case DAOS_PROP_CO_ACL:
		if (e->dpe_val_ptr == NULL || sec_acl_cont_validate(e->dpe_val_ptr) != 0) {
			snprintf(msg, len, "invalid container ACL");
			return -DER_INVAL;
		}
		return 0;
	case DAOS_PROP_CO_OWNER:
	case DAOS_PROP_CO_OWNER_GROUP:
		if (e->dpe_str == NULL || !sec_principal_is_valid(e->dpe_str)) {
			snprintf(msg, len, "invalid owner or group");
			return -DER_INVAL;
		}
		return 0;
	case DAOS_PROP_CO_LAYOUT_TYPE:
		if (e->dpe_val >= DAOS_PROP_CO_LAYOUT_MAX) {
			snprintf(msg, len, "unknown layout type %lu", (unsigned long)e->dpe_val);
			return -DER_INVAL;
		}
		return 0;
	default:
		return 0;
	}
}

/* Put @prop's label index changes into @tx (@old: the label before, or NULL). */
static int
tx_label(struct psvc *ps, struct rdb_tx *tx, const uuid_t cont, const char *old, const char *nw)
{
	char key[KEY_MAX];
	uuid_t other;
	int rc = 0;

	if (nw != NULL && (old == NULL || strcmp(old, nw) != 0)) {
		if (cont_find(ps, nw, other) == 0)
			return -DER_EXIST;
		snprintf(key, sizeof(key), "clabel/%s", nw);
		rc = rdb_tx_put(tx, key, cont, sizeof(uuid_t));
	}
	if (rc == 0 && old != NULL && (nw == NULL || strcmp(old, nw) != 0)) {
		snprintf(key, sizeof(key), "clabel/%s", old);
		rc = rdb_tx_del(tx, key);
	}
	return rc;
}

static void
h_cont_create(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_create_in in;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct ps_hdl *ph;
	daos_prop_t *props = NULL;
	daos_prop_t *merged = NULL;
	daos_prop_t *old = NULL;
	struct rdb_tx *tx = NULL;
	char msg[160] = "";
	uint32_t i;
	int rc;

	(void)arg;
	body = net_rpc_body(rpc, &len);
	if (rpc_cont_create_in_decode(body, len, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = cs_for(rpc, &in.hdr.pool, &ph);
	if (ps == NULL)
		goto out;
	if (!(ph->perms & DAOS_ACL_PERM_CREATE_CONT) || !(ph->flags & (DAOS_PC_RW | DAOS_PC_EX))) {
		D_ERROR("pool " DF_UUID ": %s may not create containers", DP_UUID(ps->uuid),
			ph->who->user);
		ps_reply(rpc, -DER_NO_PERM);
		goto out;
	}
	if (props_get(ps, in.hdr.cont, &old) == 0) {
		/* a retried create of the same uuid */
		daos_prop_free(old);
		ps_reply(rpc, 0);
		goto out;
	}
	for (i = 0; in.prop != NULL && i < in.prop->dpp_nr; i++) {
		rc = prop_check(&in.prop->dpp_entries[i], true, msg, sizeof(msg));
		if (rc != 0) {
			D_ERROR("pool " DF_UUID ": container create refused: %s", DP_UUID(ps->uuid),
				msg);
			ps_reply(rpc, rc);
			goto out;
		}
	}
	props = default_props(ps, ph);
	rc = props == NULL ? -DER_NOMEM : daos_prop_merge2(props, in.prop, &merged);
	if (rc == 0)
		rc = rdb_tx_begin(ps->db, &tx);
	if (rc == 0)
		rc = tx_label(ps, tx, in.hdr.cont, NULL, prop_str(merged, DAOS_PROP_CO_LABEL));
	if (rc == 0)
		rc = tx_put_props(tx, in.hdr.cont, merged);
	if (rc == 0) {
		rc = rdb_tx_commit(tx, committed_reply, rpc);
		tx = NULL;
	}
	if (tx != NULL)
		rdb_tx_abort(tx);
	if (rc != 0)
		ps_reply(rpc, rc);
	else
		D_INFO("pool " DF_UUID ": container " DF_UUID " created by %s", DP_UUID(ps->uuid),
		       DP_UUID(in.hdr.cont), ph->who->user);
out:
	daos_prop_free(props);
	daos_prop_free(merged);
	rpc_cont_prop_fini(&in.prop);
}

/* --- destroy --- */

struct del_keys {
	struct rdb_tx *tx;
	int rc;
};

static int
del_key(const char *key, const void *val, size_t len, void *arg)
{
	struct del_keys *dk = arg;

	(void)val;
	(void)len;
	dk->rc = rdb_tx_del(dk->tx, key);
	return dk->rc;
}

struct destroy {
	struct engine *eng;
	struct net_rpc *rpc;
	uuid_t pool;
	uuid_t cont;
};

static void
destroy_tgts_done(void *arg)
{
	struct destroy *d = arg;

	ps_reply(d->rpc, 0);
	d_free(d);
}

static void
destroy_committed(void *arg, int rc)
{
	struct destroy *d = arg;
	struct psvc *ps = psvc_find(d->pool);
	struct cs_hdl *h;
	struct cs_hdl *tmp;
	uint8_t body[64];
	size_t len;

	if (rc != 0 || ps == NULL) {
		ps_reply(d->rpc, rc != 0 ? rc : -DER_NONEXIST);
		d_free(d);
		return;
	}
	d_list_for_each_entry_safe(h, tmp, &ps->chdls, link) {
		if (uuid_compare(h->cont, d->cont) == 0) {
			d_list_del(&h->link);
			d_free(h);
		}
	}
	D_INFO("pool " DF_UUID ": container " DF_UUID " destroyed", DP_UUID(d->pool),
	       DP_UUID(d->cont));
	/* the targets drop their shards and cached handles of it */
	len = rpc_cont_id_encode(d->pool, d->cont, body, sizeof(body));
	if (ps_bcast(d->eng, ps, RPC_CONT_TGT_DESTROY, body, len, destroy_tgts_done, d) != 0)
		destroy_tgts_done(d);
}

static void
h_cont_destroy(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_destroy_in in;
	struct destroy *d = NULL;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct ps_hdl *ph;
	daos_prop_t *prop = NULL;
	struct cs_hdl *h;
	struct del_keys dk = { 0 };
	char key[KEY_MAX];
	uint64_t perms = 0;
	bool open = false;
	uuid_t cont;
	int rc;

	body = net_rpc_body(rpc, &len);
	if (rpc_cont_destroy_in_decode(body, len, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = cs_for(rpc, &in.hdr, &ph);
	if (ps == NULL)
		return;
	rc = cont_find(ps, in.id, cont);
	if (rc == 0)
		rc = props_get(ps, cont, &prop);
	if (rc == 0)
		rc = cont_perms(prop, ph, &perms);
	if (rc == 0 && !(ph->perms & DAOS_ACL_PERM_DEL_CONT) && !(perms & DAOS_ACL_PERM_DEL_CONT))
		rc = -DER_NO_PERM;
	d_list_for_each_entry(h, &ps->chdls, link)
		open = open || uuid_compare(h->cont, cont) == 0;
	if (rc == 0 && open && !in.force)
		rc = -DER_BUSY;
	if (rc == 0) {
		d = d_calloc(1, sizeof(*d));
		rc = d == NULL ? -DER_NOMEM : rdb_tx_begin(ps->db, &dk.tx);
	}
	if (rc == 0) {
		const char *label = prop_str(prop, DAOS_PROP_CO_LABEL);
		const char *prefixes[] = { "cont/", "csnap/", "coid/" };
		size_t i;

		for (i = 0; rc == 0 && i < ARRAY_SIZE(prefixes); i++) {
			ckey(key, prefixes[i], cont);
			rc = rdb_tx_del(dk.tx, key);
		}
		if (rc == 0 && label != NULL)
			rc = tx_label(ps, dk.tx, cont, label, NULL);
		ckey(key, "cattr/", cont);
		snprintf(key + strlen(key), sizeof(key) - strlen(key), "/");
		if (rc == 0)
			rc = rdb_iterate(ps->db, key, del_key, &dk);
		d_list_for_each_entry(h, &ps->chdls, link) {
			if (rc != 0 || uuid_compare(h->cont, cont) != 0)
				continue;
			ckey(key, "chdl/", h->uuid);
			rc = rdb_tx_del(dk.tx, key);
		}
		if (rc == 0) {
			d->eng = arg;
			d->rpc = rpc;
			uuid_copy(d->pool, ps->uuid);
			uuid_copy(d->cont, cont);
			rc = rdb_tx_commit(dk.tx, destroy_committed, d);
			dk.tx = NULL;
			if (rc == 0)
				d = NULL;
		}
		if (dk.tx != NULL)
			rdb_tx_abort(dk.tx);
	}
	if (rc != 0) {
		D_ERROR("pool " DF_UUID ": container %s not destroyed: " DF_RC, DP_UUID(ps->uuid),
			in.id, DP_RC(rc));
		ps_reply(rpc, rc);
	}
	d_free(d);
	daos_prop_free(prop);
}

/* --- open, close, query --- */

/* The properties of @all that @want names (all of them if @want is empty). */
static daos_prop_t *
props_pick(daos_prop_t *all, const daos_prop_t *want, uint64_t perms)
{
	daos_prop_t *out;
	uint32_t i;
	uint32_t n = 0;

	if (want == NULL || want->dpp_nr == 0)
		return NULL;
	out = daos_prop_alloc(want->dpp_nr);
	if (out == NULL)
		return NULL;
	for (i = 0; i < want->dpp_nr; i++) {
		uint32_t type = want->dpp_entries[i].dpe_type;
		struct daos_prop_entry *src = daos_prop_entry_get(all, type);
		struct daos_prop_entry *dst = &out->dpp_entries[n++];
		bool allowed = type == DAOS_PROP_CO_ACL ? (perms & DAOS_ACL_PERM_GET_ACL) != 0
							: (perms & DAOS_ACL_PERM_GET_PROP) != 0;

		dst->dpe_type = type;
		if (src == NULL || !daos_prop_is_set(src) || !allowed) {
			dst->dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
			continue;
		}
		if (daos_prop_has_str(src))
			daos_prop_entry_set_str(dst, src->dpe_str, strlen(src->dpe_str) + 1);
		else if (daos_prop_has_ptr(src))
			daos_prop_entry_dup_ptr(dst, src,
						type == DAOS_PROP_CO_ROOTS
							? sizeof(struct daos_prop_co_roots)
							: sec_acl_size(src->dpe_val_ptr));
		else
			dst->dpe_val = src->dpe_val;
	}
	return out;
}

/* A snapshot as the store keeps it. */
struct snap {
	uint64_t epoch;
	char name[DAOS_SNAPSHOT_MAX_LEN];
};

/*
 * The snapshots of the container whose "csnap/" key is @key, ascending, in *@out (NULL
 * and 0 if none). A record that does not decode is -DER_IO, named in the log.
 */
static int
snaps_load(struct psvc *ps, const char *key, struct snap **out, size_t *nr)
{
	struct snap *s = NULL;
	void *val = NULL;
	size_t len, i, n = 0;
	struct buf b;
	int rc;

	*out = NULL;
	*nr = 0;
	rc = rdb_get(ps->db, key, &val, &len);
	if (rc == -DER_NONEXIST)
		return 0;
	if (rc != 0)
		return rc;
	buf_init(&b, val, len);
	n = buf_get_u32_max(&b, SNAP_MAX);
	s = d_calloc(n + 1, sizeof(*s));
	if (s == NULL)
		rc = -DER_NOMEM;
	for (i = 0; rc == 0 && i < n && b.err == 0; i++) {
		size_t nlen;
		const char *name;

		s[i].epoch = buf_get_u64(&b);
		name = buf_get_str(&b, &nlen);
		if (nlen >= sizeof(s[i].name) || (i > 0 && s[i].epoch <= s[i - 1].epoch))
			buf_fail(&b, -DER_PROTO);
		else if (name != NULL)
			memcpy(s[i].name, name, nlen + 1);
	}
	if (rc == 0 && buf_finish(&b) != 0) {
		D_ERROR("pool " DF_UUID ": damaged snapshot record %s (%zu bytes)",
			DP_UUID(ps->uuid), key, len);
		rc = -DER_IO;
	}
	d_free(val);
	if (rc != 0) {
		d_free(s);
		return rc;
	}
	*out = s;
	*nr = n;
	return 0;
}

/* Store @nr snapshots @s under @key in @tx (none: the key goes). */
static int
snaps_store(struct rdb_tx *tx, const char *key, const struct snap *s, size_t nr)
{
	size_t room = 4 + nr * (8 + 4 + DAOS_SNAPSHOT_MAX_LEN);
	uint8_t *out;
	struct buf b;
	size_t i;
	int rc;

	if (nr == 0)
		return rdb_tx_del(tx, key);
	out = d_malloc(room);
	if (out == NULL)
		return -DER_NOMEM;
	buf_init(&b, out, room);
	buf_put_u32(&b, (uint32_t)nr);
	for (i = 0; i < nr; i++) {
		buf_put_u64(&b, s[i].epoch);
		buf_put_str(&b, s[i].name[0] != '\0' ? s[i].name : NULL);
	}
	rc = b.err != 0 ? b.err : rdb_tx_put(tx, key, out, b.off);
	d_free(out);
	return rc;
}

static void
cont_info(struct psvc *ps, const uuid_t cont, struct rpc_cont_info *info)
{
	char key[KEY_MAX];
	struct cs_hdl *h;
	struct snap *snaps;
	size_t nr;

	memset(info, 0, sizeof(*info));
	d_list_for_each_entry(h, &ps->chdls, link)
		if (uuid_compare(h->cont, cont) == 0)
			info->nr_handles++;
	ckey(key, "csnap/", cont);
	if (snaps_load(ps, key, &snaps, &nr) == 0) {
		info->nr_snapshots = nr;
		if (nr > 0)
			info->latest_snapshot = snaps[nr - 1].epoch;
		d_free(snaps);
	}
}

static void
reply_open(struct net_rpc *rpc, struct psvc *ps, const uuid_t cont, daos_prop_t *all,
	   const daos_prop_t *want, uint64_t perms)
{
	struct rpc_cont_open_out out = { 0 };
	uint8_t *body = d_malloc(NET_BODY_MAX);
	size_t len = 0;
	int rc;

	if (body == NULL) {
		ps_reply(rpc, -DER_NOMEM);
		return;
	}
	uuid_copy(out.cont, cont);
	cont_info(ps, cont, &out.info);
	out.prop = props_pick(all, want, perms);
	len = rpc_cont_open_out_encode(&out, body, NET_BODY_MAX);
	rc = len == 0 ? -DER_OVERFLOW : 0;
	net_rpc_reply(rpc, rc, body, rc == 0 ? len : 0);
	daos_prop_free(out.prop);
	d_free(body);
}

struct open_ctx {
	struct net_rpc *rpc;
	struct engine *eng;
	struct cs_hdl *h;
	uuid_t pool;
	daos_prop_t *all;
	daos_prop_t *want;
	/* DAOS_COO_EVICT(_ALL): the handles this open evicts, revoked before it answers */
	uint32_t nr_evict;
	uuid_t *evict;
	uint8_t *kinds;
};

static void
open_ctx_free(struct open_ctx *oc)
{
	d_free(oc->h);
	daos_prop_free(oc->all);
	daos_prop_free(oc->want);
	d_free(oc->evict);
	d_free(oc->kinds);
	d_free(oc);
}

static void
open_revoked(void *arg)
{
	struct open_ctx *oc = arg;
	struct psvc *ps = psvc_find(oc->pool);

	if (ps != NULL)
		reply_open(oc->rpc, ps, oc->h->cont, oc->all, oc->want, oc->h->perms);
	else
		ps_reply(oc->rpc, -DER_NONEXIST);
	oc->h = NULL; /* in ps->chdls */
	open_ctx_free(oc);
}

static void
open_committed(void *arg, int rc)
{
	struct open_ctx *oc = arg;
	struct psvc *ps = psvc_find(oc->pool);
	struct cs_hdl *h;
	uint32_t i;

	if (rc != 0 || ps == NULL) {
		ps_reply(oc->rpc, rc != 0 ? rc : -DER_NONEXIST);
		open_ctx_free(oc);
		return;
	}
	for (i = 0; i < oc->nr_evict; i++) {
		h = cs_hdl_find(ps, oc->evict[i]);
		if (h != NULL) {
			d_list_del(&h->link);
			d_free(h);
		}
	}
	d_list_add_tail(&oc->h->link, &ps->chdls);
	if (oc->nr_evict > 0) {
		D_INFO("pool " DF_UUID ": container " DF_UUID " opened evicting %u handle(s)",
		       DP_UUID(ps->uuid), DP_UUID(oc->h->cont), oc->nr_evict);
		/* the targets forget them before the opener is answered */
		if (ps_revoke(oc->eng, ps, oc->nr_evict, oc->kinds, (const uuid_t *)oc->evict,
			      open_revoked, oc) == 0)
			return;
	}
	open_revoked(oc);
}

/*
 * The handles of @cont an open with @flags evicts (DAOS_COO_EVICT: those of the same
 * user; DAOS_COO_EVICT_ALL: all), in oc->evict; their store keys go in @tx.
 */
static int
open_evictions(struct psvc *ps, struct ps_hdl *ph, const uuid_t cont, uint64_t flags,
	       struct rdb_tx *tx, struct open_ctx *oc)
{
	struct cs_hdl *h;
	char key[KEY_MAX];
	uint32_t n = 0;
	int rc = 0;

	if (!(flags & (DAOS_COO_EVICT | DAOS_COO_EVICT_ALL)))
		return 0;
	d_list_for_each_entry(h, &ps->chdls, link)
		n++;
	oc->evict = d_calloc(n + 1, sizeof(*oc->evict));
	oc->kinds = d_calloc(n + 1, sizeof(*oc->kinds));
	if (oc->evict == NULL || oc->kinds == NULL)
		return -DER_NOMEM;
	d_list_for_each_entry(h, &ps->chdls, link) {
		struct ps_hdl *owner = ps_hdl_find(ps, h->poh);

		if (uuid_compare(h->cont, cont) != 0)
			continue;
		if (!(flags & DAOS_COO_EVICT_ALL) &&
		    (owner == NULL || strcmp(owner->who->user, ph->who->user) != 0))
			continue;
		ckey(key, "chdl/", h->uuid);
		rc = rdb_tx_del(tx, key);
		if (rc != 0)
			return rc;
		uuid_copy(oc->evict[oc->nr_evict], h->uuid);
		oc->kinds[oc->nr_evict++] = RPC_REVOKE_COH;
	}
	return 0;
}

/* Whether @h is one that oc (may be NULL) evicts. */
static bool
open_evicts(const struct open_ctx *oc, const struct cs_hdl *h)
{
	uint32_t i;

	for (i = 0; oc != NULL && i < oc->nr_evict; i++)
		if (uuid_compare(oc->evict[i], h->uuid) == 0)
			return true;
	return false;
}

static void
h_cont_open(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_open_in in;
	struct open_ctx *oc = NULL;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct ps_hdl *ph;
	struct cs_hdl *h;
	daos_prop_t *all = NULL;
	struct rdb_tx *tx = NULL;
	uint8_t val[48];
	struct buf b = BUF_INIT(val, sizeof(val));
	char key[KEY_MAX];
	uint64_t perms = 0;
	uint64_t need;
	uint64_t mode;
	uuid_t cont;
	int rc;

	body = net_rpc_body(rpc, &len);
	if (rpc_cont_open_in_decode(body, len, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = cs_for(rpc, &in.hdr, &ph);
	if (ps == NULL)
		goto out;
	mode = in.flags & (DAOS_COO_RO | DAOS_COO_RW | DAOS_COO_EX);
	rc = mode == DAOS_COO_RO || mode == DAOS_COO_RW || mode == DAOS_COO_EX ? 0 : -DER_INVAL;
	if (rc == 0)
		rc = cont_find(ps, in.id, cont);
	if (rc == 0)
		rc = props_get(ps, cont, &all);
	if (rc == 0 && (h = cs_hdl_find(ps, in.coh)) != NULL) {
		/* a retried open */
		if (uuid_compare(h->cont, cont) == 0)
			reply_open(rpc, ps, cont, all, in.prop, h->perms);
		else
			ps_reply(rpc, -DER_EXIST);
		goto out;
	}
	if (rc == 0)
		rc = cont_perms(all, ph, &perms);
	need = mode == DAOS_COO_RO ? DAOS_ACL_PERM_READ : DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE;
	if (rc == 0 && (perms & need) != need) {
		D_ERROR("pool " DF_UUID ": %s may not open container %s with flags %#lx",
			DP_UUID(ps->uuid), ph->who->user, in.id, (unsigned long)in.flags);
		rc = -DER_NO_PERM;
	}
	if (rc == 0) {
		oc = d_calloc(1, sizeof(*oc));
		if (oc != NULL)
			oc->h = d_calloc(1, sizeof(*oc->h));
		rc = oc == NULL || oc->h == NULL ? -DER_NOMEM : rdb_tx_begin(ps->db, &tx);
	}
	if (rc == 0)
		rc = open_evictions(ps, ph, cont, in.flags, tx, oc);
	d_list_for_each_entry(h, &ps->chdls, link) {
		if (rc == 0 && uuid_compare(h->cont, cont) == 0 && !open_evicts(oc, h) &&
		    ((h->flags & DAOS_COO_EX) || mode == DAOS_COO_EX))
			rc = -DER_BUSY;
	}
	if (rc == 0) {
		oc->eng = arg;
		uuid_copy(oc->h->uuid, in.coh);
		uuid_copy(oc->h->cont, cont);
		uuid_copy(oc->h->poh, in.hdr.poh);
		oc->h->flags = in.flags;
		oc->h->perms = perms;
		buf_put_bytes_raw(&b, cont, sizeof(uuid_t));
		buf_put_bytes_raw(&b, in.hdr.poh, sizeof(uuid_t));
		buf_put_u64(&b, in.flags);
		buf_put_u64(&b, perms);
		ckey(key, "chdl/", in.coh);
		rc = rdb_tx_put(tx, key, val, b.off);
		if (rc == 0) {
			oc->rpc = rpc;
			uuid_copy(oc->pool, ps->uuid);
			oc->all = all;
			oc->want = in.prop;
			rc = rdb_tx_commit(tx, open_committed, oc);
			tx = NULL;
			if (rc == 0) {
				all = NULL;
				in.prop = NULL;
				oc = NULL;
			} else {
				oc->all = NULL; /* still ours, freed below */
				oc->want = NULL;
			}
		}
	}
	if (tx != NULL)
		rdb_tx_abort(tx);
	if (rc != 0)
		ps_reply(rpc, rc);
	if (oc != NULL)
		open_ctx_free(oc);
out:
	daos_prop_free(all);
	rpc_cont_prop_fini(&in.prop);
}

static void
close_revoked(void *arg)
{
	ps_reply(arg, 0);
}

struct close_ctx {
	struct engine *eng;
	struct net_rpc *rpc;
	uuid_t pool;
	uuid_t coh;
};

static void
close_committed(void *arg, int rc)
{
	struct close_ctx *cc = arg;
	struct psvc *ps = psvc_find(cc->pool);
	struct cs_hdl *h = ps != NULL ? cs_hdl_find(ps, cc->coh) : NULL;
	uint8_t kind = RPC_REVOKE_COH;

	if (h != NULL && rc == 0) {
		d_list_del(&h->link);
		d_free(h);
	}
	if (rc != 0 || ps == NULL ||
	    ps_revoke(cc->eng, ps, 1, &kind, (const uuid_t *)&cc->coh, close_revoked, cc->rpc) != 0)
		ps_reply(cc->rpc, rc);
	d_free(cc);
}

static void
h_cont_close(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_hdr hdr;
	struct close_ctx *cc;
	const void *body;
	size_t len;
	struct buf b;
	struct psvc *ps;
	struct ps_hdl *ph;
	struct rdb_tx *tx;
	char key[KEY_MAX];
	int rc;

	body = net_rpc_body(rpc, &len);
	buf_init(&b, body, len);
	rpc_cont_hdr_decode(&b, &hdr);
	if (buf_finish(&b) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = cs_for(rpc, &hdr.pool, &ph);
	if (ps == NULL)
		return;
	if (cs_hdl_find(ps, hdr.coh) == NULL) {
		ps_reply(rpc, 0); /* closed already (a retry, or evicted) */
		return;
	}
	cc = d_calloc(1, sizeof(*cc));
	rc = cc == NULL ? -DER_NOMEM : rdb_tx_begin(ps->db, &tx);
	if (rc == 0) {
		ckey(key, "chdl/", hdr.coh);
		rc = rdb_tx_del(tx, key);
		cc->eng = arg;
		cc->rpc = rpc;
		uuid_copy(cc->pool, ps->uuid);
		uuid_copy(cc->coh, hdr.coh);
		if (rc == 0)
			rc = rdb_tx_commit(tx, close_committed, cc);
		else
			rdb_tx_abort(tx);
	}
	if (rc != 0) {
		d_free(cc);
		ps_reply(rpc, rc);
	}
}

static void
h_cont_query(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_query_in in;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct ps_hdl *ph;
	struct cs_hdl *h;
	daos_prop_t *all = NULL;
	int rc;

	(void)arg;
	body = net_rpc_body(rpc, &len);
	if (rpc_cont_query_in_decode(body, len, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = cs_for(rpc, &in.hdr.pool, &ph);
	h = ps != NULL ? coh_for(rpc, ps, &in.hdr) : NULL;
	if (h != NULL) {
		rc = props_get(ps, h->cont, &all);
		if (rc == 0)
			reply_open(rpc, ps, h->cont, all, in.prop, h->perms);
		else
			ps_reply(rpc, rc);
	}
	daos_prop_free(all);
	rpc_cont_prop_fini(&in.prop);
}

/* --- properties, ACL, owner --- */

static int
acl_change(struct rpc_cont_set_prop_in *in, daos_prop_t *all, char *msg, size_t len)
{
	struct daos_prop_entry *cur = daos_prop_entry_get(all, DAOS_PROP_CO_ACL);
	struct daos_prop_entry *nw = daos_prop_entry_get(in->prop, DAOS_PROP_CO_ACL);
	struct daos_acl *acl = NULL;
	struct daos_ace *ace;
	enum daos_acl_principal_type type;
	char *name = NULL;
	int rc = 0;

	if (cur == NULL)
		return -DER_DF_INVAL;
	if (in->op == RPC_CONT_ACL_DELETE) {
		rc = sec_principal_from_str(in->principal, &type, &name);
		if (rc == 0)
			rc = sec_acl_dup(cur->dpe_val_ptr, &acl);
		if (rc == 0)
			rc = sec_acl_remove_ace(&acl, type, name);
		d_free(name);
	} else {
		if (nw == NULL || nw->dpe_val_ptr == NULL ||
		    sec_acl_cont_validate(nw->dpe_val_ptr) != 0) {
			snprintf(msg, len, "invalid container ACL");
			return -DER_INVAL;
		}
		if (in->op == RPC_CONT_ACL_OVERWRITE) {
			rc = sec_acl_dup(nw->dpe_val_ptr, &acl);
		} else {
			rc = sec_acl_dup(cur->dpe_val_ptr, &acl);
			for (ace = sec_acl_next_ace(nw->dpe_val_ptr, NULL); rc == 0 && ace != NULL;
			     ace = sec_acl_next_ace(nw->dpe_val_ptr, ace))
				rc = sec_acl_add_ace(&acl, ace);
		}
	}
	if (rc == 0)
		rc = daos_prop_entry_set_ptr(cur, acl, sec_acl_size(acl));
	sec_acl_free(acl);
	return rc;
}

static void
h_cont_set_prop(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_set_prop_in in;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct ps_hdl *ph;
	struct cs_hdl *h;
	daos_prop_t *all = NULL;
	daos_prop_t *merged = NULL;
	struct rdb_tx *tx = NULL;
	char *old_label = NULL;
	char msg[160] = "";
	uint64_t need;
	uint32_t i;
	int rc;

	(void)arg;
	body = net_rpc_body(rpc, &len);
	if (rpc_cont_set_prop_in_decode(body, len, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = cs_for(rpc, &in.hdr.pool, &ph);
	h = ps != NULL ? coh_for(rpc, ps, &in.hdr) : NULL;
	if (h == NULL)
		goto out;
	need = in.op == RPC_CONT_PROP_SET    ? DAOS_ACL_PERM_SET_PROP
	       : in.op == RPC_CONT_SET_OWNER ? DAOS_ACL_PERM_SET_OWNER
					     : DAOS_ACL_PERM_SET_ACL;
	rc = (h->perms & need) ? 0 : -DER_NO_PERM;
	if (rc == 0)
		rc = props_get(ps, h->cont, &all);
	if (rc == 0 && prop_str(all, DAOS_PROP_CO_LABEL) != NULL)
		old_label = d_strndup(prop_str(all, DAOS_PROP_CO_LABEL), DAOS_PROP_LABEL_MAX_LEN);
	if (rc == 0 && in.op == RPC_CONT_PROP_SET) {
		for (i = 0; rc == 0 && i < in.prop->dpp_nr; i++)
			rc = prop_check(&in.prop->dpp_entries[i], false, msg, sizeof(msg));
		if (rc == 0)
			rc = daos_prop_merge2(all, in.prop, &merged);
	} else if (rc == 0 && in.op == RPC_CONT_SET_OWNER) {
		if ((in.user[0] != '\0' && !sec_principal_is_valid(in.user)) ||
		    (in.group[0] != '\0' && !sec_principal_is_valid(in.group)))
			rc = -DER_INVAL;
		if (rc == 0 && in.user[0] != '\0')
			rc = daos_prop_set_str(all, DAOS_PROP_CO_OWNER, in.user, strlen(in.user));
		if (rc == 0 && in.group[0] != '\0')
			rc = daos_prop_set_str(all, DAOS_PROP_CO_OWNER_GROUP, in.group,
					       strlen(in.group));
	} else if (rc == 0) {
		rc = acl_change(&in, all, msg, sizeof(msg));
	}
	if (rc == 0)
		rc = rdb_tx_begin(ps->db, &tx);
	if (rc == 0)
		rc = tx_label(ps, tx, h->cont, old_label,
			      prop_str(merged != NULL ? merged : all, DAOS_PROP_CO_LABEL));
	if (rc == 0)
		rc = tx_put_props(tx, h->cont, merged != NULL ? merged : all);
	if (rc == 0) {
		rc = rdb_tx_commit(tx, committed_reply, rpc);
		tx = NULL;
	}
	if (tx != NULL)
		rdb_tx_abort(tx);
	if (rc != 0) {
		if (msg[0] != '\0')
			D_ERROR("pool " DF_UUID ": container " DF_UUID ": %s", DP_UUID(ps->uuid),
				DP_UUID(h->cont), msg);
		ps_reply(rpc, rc);
	}
out:
	d_free(old_label);
	daos_prop_free(all);
	daos_prop_free(merged);
	rpc_cont_prop_fini(&in.prop);
}

/* --- attributes, snapshots, object ids --- */

static void
h_cont_attr(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_hdr hdr;
	struct rpc_attr_in in;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct ps_hdl *ph;
	struct cs_hdl *h;
	char prefix[KEY_MAX];

	(void)arg;
	body = net_rpc_body(rpc, &len);
	if (rpc_attr_in_decode(body, len, &hdr, true, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = cs_for(rpc, &hdr.pool, &ph);
	h = ps != NULL ? coh_for(rpc, ps, &hdr) : NULL;
	if (h != NULL) {
		ckey(prefix, "cattr/", h->cont);
		snprintf(prefix + strlen(prefix), sizeof(prefix) - strlen(prefix), "/");
		ps_attr_serve(rpc, ps, prefix, &in, (h->perms & DAOS_ACL_PERM_READ) != 0,
			      (h->perms & DAOS_ACL_PERM_WRITE) &&
				      (h->flags & (DAOS_COO_RW | DAOS_COO_EX)));
	}
	rpc_attr_in_fini(&in);
}

struct u64_reply {
	struct net_rpc *rpc;
	uint64_t val;
};

static void
u64_committed(void *arg, int rc)
{
	struct u64_reply *r = arg;
	uint8_t out[8];
	struct buf b = BUF_INIT(out, sizeof(out));

	buf_put_u64(&b, r->val);
	net_rpc_reply(r->rpc, rc, out, rc == 0 ? sizeof(out) : 0);
	d_free(r);
}

/* Commit @tx and answer with @val once durable. */
static void
commit_u64(struct net_rpc *rpc, struct rdb_tx *tx, uint64_t val)
{
	struct u64_reply *r = d_calloc(1, sizeof(*r));
	int rc;

	if (r == NULL) {
		rdb_tx_abort(tx);
		ps_reply(rpc, -DER_NOMEM);
		return;
	}
	r->rpc = rpc;
	r->val = val;
	rc = rdb_tx_commit(tx, u64_committed, r);
	if (rc != 0) {
		d_free(r);
		ps_reply(rpc, rc);
	}
}

static void
h_cont_snap(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_snap_in in;
	const void *body;
	size_t len;
	struct psvc *ps;
	struct ps_hdl *ph;
	struct cs_hdl *h;
	char key[KEY_MAX];
	struct snap *snaps = NULL;
	size_t nr = 0;
	struct rdb_tx *tx;
	uint8_t *out;
	struct buf b;
	size_t i;
	size_t j;
	int rc;

	(void)arg;
	body = net_rpc_body(rpc, &len);
	if (rpc_cont_snap_in_decode(body, len, &in) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = cs_for(rpc, &in.hdr.pool, &ph);
	h = ps != NULL ? coh_for(rpc, ps, &in.hdr) : NULL;
	if (h == NULL)
		return;
	if (in.op == RPC_SNAP_LIST ? !(h->perms & DAOS_ACL_PERM_READ)
				   : !((h->perms & DAOS_ACL_PERM_WRITE) &&
				       (h->flags & (DAOS_COO_RW | DAOS_COO_EX)))) {
		ps_reply(rpc, -DER_NO_PERM);
		return;
	}
	ckey(key, "csnap/", h->cont);
	rc = snaps_load(ps, key, &snaps, &nr);
	if (rc == 0 && in.op != RPC_SNAP_LIST) {
		/* room for one more */
		struct snap *more = d_realloc(snaps, (nr + 1) * sizeof(*snaps));

		if (more == NULL)
			rc = -DER_NOMEM;
		else
			snaps = more;
	}
	if (rc != 0) {
		d_free(snaps);
		ps_reply(rpc, rc);
		return;
	}
	if (in.op == RPC_SNAP_LIST) {
		out = d_malloc(NET_BODY_MAX);
		if (out == NULL) {
			ps_reply(rpc, -DER_NOMEM);
		} else {
			buf_init(&b, out, NET_BODY_MAX);
			buf_put_u32(&b, nr);
			for (i = 0; i < nr; i++) {
				buf_put_u64(&b, snaps[i].epoch);
				buf_put_str(&b, snaps[i].name[0] != '\0' ? snaps[i].name : NULL);
			}
			rc = b.err != 0 ? -DER_OVERFLOW : 0;
			net_rpc_reply(rpc, rc, out, rc == 0 ? b.off : 0);
			d_free(out);
		}
		d_free(snaps);
		return;
	}
	if (in.op == RPC_SNAP_CREATE) {
		uint64_t epoch = d_hlc_get();

		if (nr >= SNAP_MAX) {
			rc = -DER_NOSPACE;
		} else {
			if (nr > 0 && epoch <= snaps[nr - 1].epoch)
				epoch = snaps[nr - 1].epoch + 1;
			snaps[nr].epoch = epoch;
			memcpy(snaps[nr].name, in.name, sizeof(in.name));
			nr++;
			in.epoch = epoch;
		}
	} else {
		for (i = 0, j = 0; i < nr; i++)
			if (snaps[i].epoch != in.epoch)
				snaps[j++] = snaps[i];
		rc = j == nr ? -DER_NONEXIST : 0;
		nr = j;
	}
	if (rc == 0)
		rc = rdb_tx_begin(ps->db, &tx);
	if (rc == 0) {
		rc = snaps_store(tx, key, snaps, nr);
		if (rc == 0 && in.op == RPC_SNAP_CREATE) {
			commit_u64(rpc, tx, in.epoch);
		} else if (rc == 0) {
			rc = rdb_tx_commit(tx, committed_reply, rpc);
		} else {
			rdb_tx_abort(tx);
		}
	}
	if (rc != 0)
		ps_reply(rpc, rc);
	d_free(snaps);
}

/*
 * A target asks which snapshots of a container its aggregation must keep readable. No
 * handle: this comes from an engine of the system (the fabric is the engines' own).
 */
static void
h_cont_tgt_snaps(struct net_rpc *rpc, void *arg)
{
	const void *body;
	struct psvc *ps;
	struct snap *snaps = NULL;
	uint64_t *epochs = NULL;
	char key[KEY_MAX];
	uuid_t pool, cont;
	uint8_t *out = NULL;
	size_t len, nr = 0, i;
	int rc;

	(void)arg;
	body = net_rpc_body(rpc, &len);
	if (rpc_cont_id_decode(body, len, pool, cont) != 0) {
		ps_reply(rpc, -DER_PROTO);
		return;
	}
	ps = psvc_find(pool);
	if (ps == NULL) {
		ps_reply(rpc, -DER_NONEXIST);
		return;
	}
	ckey(key, "cont/", cont);
	rc = rdb_get(ps->db, key, (void **)&out, &len);
	d_free(out);
	out = NULL;
	if (rc == 0) {
		ckey(key, "csnap/", cont);
		rc = snaps_load(ps, key, &snaps, &nr);
	}
	if (rc == 0 && nr > RPC_SNAPS_MAX)
		rc = -DER_OVERFLOW;
	if (rc == 0) {
		epochs = d_calloc(nr + 1, sizeof(*epochs));
		out = d_malloc(NET_BODY_MAX);
		if (epochs == NULL || out == NULL)
			rc = -DER_NOMEM;
	}
	for (i = 0; rc == 0 && i < nr; i++)
		epochs[i] = snaps[i].epoch;
	len = rc == 0 ? rpc_snaps_encode(epochs, nr, out, NET_BODY_MAX) : 0;
	if (rc == 0 && len == 0)
		rc = -DER_OVERFLOW;
	net_rpc_reply(rpc, rc, out, rc == 0 ? len : 0);
	d_free(out);
	d_free(epochs);
	d_free(snaps);
}

static void
h_cont_oid_alloc(struct net_rpc *rpc, void *arg)
{
	struct rpc_cont_hdr hdr;
	const void *body;
	size_t len;
	struct buf b;
	struct psvc *ps;
	struct ps_hdl *ph;
	struct cs_hdl *h;
	struct rdb_tx *tx;
	char key[KEY_MAX];
	uint64_t count;
	uint64_t next = 1; /* 0 stays reserved */
	void *val;
	uint8_t nb[8];
	int rc;

	(void)arg;
	body = net_rpc_body(rpc, &len);
	buf_init(&b, body, len);
	rpc_cont_hdr_decode(&b, &hdr);
	count = buf_get_u64(&b);
	if (buf_finish(&b) != 0 || count == 0) {
		ps_reply(rpc, buf_finish(&b) != 0 ? -DER_PROTO : -DER_INVAL);
		return;
	}
	ps = cs_for(rpc, &hdr.pool, &ph);
	h = ps != NULL ? coh_for(rpc, ps, &hdr) : NULL;
	if (h == NULL)
		return;
	if (!(h->flags & (DAOS_COO_RW | DAOS_COO_EX))) {
		ps_reply(rpc, -DER_NO_PERM);
		return;
	}
	ckey(key, "coid/", h->cont);
	rc = rdb_get(ps->db, key, &val, &len);
	if (rc == 0) {
		buf_init(&b, val, len);
		next = buf_get_u64(&b);
		rc = buf_finish(&b) != 0 ? -DER_DF_INVAL : 0;
		d_free(val);
	} else if (rc == -DER_NONEXIST) {
		rc = 0;
	}
	if (rc == 0 && next + count < next)
		rc = -DER_OVERFLOW;
	if (rc == 0)
		rc = rdb_tx_begin(ps->db, &tx);
	if (rc == 0) {
		buf_init(&b, nb, sizeof(nb));
		buf_put_u64(&b, next + count);
		rc = rdb_tx_put(tx, key, nb, sizeof(nb));
		if (rc == 0)
			commit_u64(rpc, tx, next);
		else
			rdb_tx_abort(tx);
	}
	if (rc != 0)
		ps_reply(rpc, rc);
}

int
cs_register_fabric(struct engine *eng)
{
	static const struct {
		uint32_t opc;
		const char *name;
		net_handler_fn fn;
	} calls[] = {
		{ RPC_CONT_CREATE, "cont_create", h_cont_create },
		{ RPC_CONT_DESTROY, "cont_destroy", h_cont_destroy },
		{ RPC_CONT_OPEN, "cont_open", h_cont_open },
		{ RPC_CONT_CLOSE, "cont_close", h_cont_close },
		{ RPC_CONT_QUERY, "cont_query", h_cont_query },
		{ RPC_CONT_SET_PROP, "cont_set_prop", h_cont_set_prop },
		{ RPC_CONT_ATTR, "cont_attr", h_cont_attr },
		{ RPC_CONT_SNAP, "cont_snap", h_cont_snap },
		{ RPC_CONT_OID_ALLOC, "cont_oid_alloc", h_cont_oid_alloc },
		{ RPC_CONT_TGT_SNAPS, "cont_tgt_snaps", h_cont_tgt_snaps },
	};
	struct net_ctx *ctx = eng_xs_net(eng->sys);
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ARRAY_SIZE(calls); i++)
		rc = net_handler_register(ctx, calls[i].opc, calls[i].name, calls[i].fn, eng);
	return rc;
}
