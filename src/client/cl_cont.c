/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_cont.c - containers: every call is one RPC_CONT_* to the pool service (struct
 * cl_psvc), except sharing, which is local.
 *
 * A container handle keeps a reference on its pool handle, its uuid and handle uuid
 * (what object RPCs name; targets look handles up at the pool service), its open flags
 * and the redundancy factor (DAOS_PROP_CO_REDUN_FAC, asked for at open), which object
 * class selection needs.
 *
 * Sharing: version, pool and pool handle uuids, container and handle uuids, flags and
 * redundancy factor; global2local needs the pool handle the container was opened
 * through (or one shared from it: the pool handle uuid must match).
 */
#define D_LOGFAC DD_FAC(client)

#include <stdio.h>

#include "client/client_int.h"

#define CONT_GLOB_MAGIC 0x434f4e47u /* "CONG" */
#define CONT_GLOB_VERSION 1

static void
cont_free(struct cl_hlink *hl)
{
	struct cl_cont *cont = container_of(hl, struct cl_cont, hl);

	if (cont->pool != NULL)
		cl_pool_put(cont->pool);
	d_free(cont);
}

static struct cl_cont *
cont_alloc(struct cl_pool *pool)
{
	struct cl_cont *cont = d_calloc(1, sizeof(*cont));

	if (cont == NULL)
		return NULL;
	cl_hlink_init(&cont->hl, DAOS_HTYPE_CO, cont_free);
	cl_hlink_get(&pool->hl);
	cont->pool = pool;
	return cont;
}

struct cl_cont *
cl_cont_lookup(daos_handle_t coh)
{
	struct cl_hlink *hl = cl_hdl_lookup(coh, DAOS_HTYPE_CO);

	return hl == NULL ? NULL : container_of(hl, struct cl_cont, hl);
}

static void
cont_hdr(const struct cl_cont *cont, struct rpc_cont_hdr *hdr)
{
	uuid_copy(hdr->pool.pool, cont->pool->uuid);
	uuid_copy(hdr->pool.poh, cont->pool->hdl);
	uuid_copy(hdr->cont, cont->uuid);
	uuid_copy(hdr->coh, cont->hdl);
}

static int
decode_status(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	(void)ps;
	(void)body;
	(void)len;
	return status;
}

/* A psvc call on @cont's pool with @cont's header encoded; the body continues at *@b. */
static void *
cont_call(size_t size, struct cl_cont *cont, uint32_t opc, struct buf *b)
{
	struct rpc_cont_hdr hdr;
	struct cl_psvc *ps;

	cl_hlink_get(&cont->pool->hl);
	ps = cl_psvc_alloc(size, cont->pool, opc);
	if (ps == NULL) {
		cl_pool_put(cont->pool);
		return NULL;
	}
	ps->decode = decode_status;
	cont_hdr(cont, &hdr);
	buf_init(b, ps->body, NET_BODY_MAX);
	rpc_cont_hdr_encode(b, &hdr);
	return ps;
}

static int
call_finish(struct cl_psvc *ps, struct buf *b, daos_event_t *ev)
{
	if (b->err != 0) {
		cl_psvc_free(ps);
		return -DER_OVERFLOW;
	}
	ps->len = b->off;
	return cl_psvc_run(ps, ev);
}

/* ---- create and destroy ---- */

struct create_op {
	struct cl_psvc ps;
	uuid_t uuid;
	uuid_t *out;
};

static int
create_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct create_op *c = container_of(ps, struct create_op, ps);

	(void)body;
	(void)len;
	if (status == 0 && c->out != NULL)
		uuid_copy(*c->out, c->uuid);
	return status;
}

static int
cont_create(daos_handle_t poh, const char *label, daos_prop_t *prop, uuid_t *uuid, daos_event_t *ev)
{
	struct rpc_cont_create_in in = { 0 };
	struct create_op *c;
	struct cl_pool *pool;
	daos_prop_t *merged = NULL;
	uint32_t i;

	if (label != NULL && !daos_label_is_valid(label))
		return -DER_INVAL;
	if (label != NULL && prop != NULL && daos_prop_entry_get(prop, DAOS_PROP_CO_LABEL))
		return -DER_INVAL;
	if (prop != NULL && prop->dpp_nr > RPC_PROP_MAX)
		return -DER_INVAL;
	for (i = 0; prop != NULL && i < prop->dpp_nr; i++) {
		uint32_t t = prop->dpp_entries[i].dpe_type;

		if (t <= DAOS_PROP_CO_MIN || t >= DAOS_PROP_CO_MAX)
			return -DER_INVAL;
		if (t == DAOS_PROP_CO_LABEL && !daos_label_is_valid(prop->dpp_entries[i].dpe_str))
			return -DER_INVAL;
	}
	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	if (label != NULL) {
		daos_prop_t *lp = daos_prop_alloc(1);

		if (lp == NULL) {
			cl_pool_put(pool);
			return -DER_NOMEM;
		}
		lp->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
		if (daos_prop_entry_set_str(&lp->dpp_entries[0], label, strlen(label)) != 0) {
			daos_prop_free(lp);
			cl_pool_put(pool);
			return -DER_NOMEM;
		}
		merged = prop != NULL ? daos_prop_merge(prop, lp) : lp;
		if (prop != NULL)
			daos_prop_free(lp);
		if (merged == NULL) {
			cl_pool_put(pool);
			return -DER_NOMEM;
		}
	}
	c = cl_psvc_alloc(sizeof(*c), pool, RPC_CONT_CREATE);
	if (c == NULL) {
		daos_prop_free(merged);
		cl_pool_put(pool);
		return -DER_NOMEM;
	}
	c->ps.decode = create_decode;
	c->out = uuid;
	uuid_generate(c->uuid);
	uuid_copy(in.hdr.pool.pool, pool->uuid);
	uuid_copy(in.hdr.pool.poh, pool->hdl);
	uuid_copy(in.hdr.cont, c->uuid);
	in.prop = merged != NULL ? merged : prop;
	c->ps.len = rpc_cont_create_in_encode(&in, c->ps.body, NET_BODY_MAX);
	daos_prop_free(merged);
	if (c->ps.len == 0) {
		cl_psvc_free(&c->ps);
		return -DER_OVERFLOW;
	}
	return cl_psvc_run(&c->ps, ev);
}

D_EXPORT int
daos_cont_create(daos_handle_t poh, uuid_t *uuid, daos_prop_t *cont_prop, daos_event_t *ev)
{
	return cont_create(poh, NULL, cont_prop, uuid, ev);
}

D_EXPORT int
daos_cont_create_with_label(daos_handle_t poh, const char *label, daos_prop_t *cont_prop,
			    uuid_t *uuid, daos_event_t *ev)
{
	if (label == NULL)
		return -DER_INVAL;
	return cont_create(poh, label, cont_prop, uuid, ev);
}

D_EXPORT int
daos_cont_destroy2(daos_handle_t poh, const char *cont, int force, daos_event_t *ev)
{
	struct rpc_cont_destroy_in in = { 0 };
	struct cl_psvc *ps;
	struct cl_pool *pool;

	if (cont == NULL || cont[0] == '\0' || strlen(cont) > RPC_ID_MAX)
		return -DER_INVAL;
	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	ps = cl_psvc_alloc(sizeof(*ps), pool, RPC_CONT_DESTROY);
	if (ps == NULL) {
		cl_pool_put(pool);
		return -DER_NOMEM;
	}
	ps->decode = decode_status;
	uuid_copy(in.hdr.pool, pool->uuid);
	uuid_copy(in.hdr.poh, pool->hdl);
	snprintf(in.id, sizeof(in.id), "%s", cont);
	in.force = force != 0;
	ps->len = rpc_cont_destroy_in_encode(&in, ps->body, NET_BODY_MAX);
	if (ps->len == 0) {
		cl_psvc_free(ps);
		return -DER_OVERFLOW;
	}
	return cl_psvc_run(ps, ev);
}

/* ---- open, close, query ---- */

static void
info_fill(daos_cont_info_t *info, const struct rpc_cont_open_out *out)
{
	memset(info, 0, sizeof(*info));
	uuid_copy(info->ci_uuid, out->cont);
	info->ci_lsnapshot = out->info.latest_snapshot;
	info->ci_nhandles = (uint32_t)out->info.nr_handles;
	info->ci_nsnapshots = (uint32_t)out->info.nr_snapshots;
	info->ci_md_otime = out->info.md_otime;
	info->ci_md_mtime = out->info.md_mtime;
}

struct open_op {
	struct cl_psvc ps;
	struct cl_cont *cont; /* the new handle, reference */
	daos_handle_t *coh;
	daos_cont_info_t *info;
};

static int
open_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct open_op *o = container_of(ps, struct open_op, ps);
	struct rpc_cont_open_out out;
	struct daos_prop_entry *e;
	int rc;

	if (status != 0)
		return status;
	rc = rpc_cont_open_out_decode(body, len, &out);
	if (rc != 0)
		return rc;
	uuid_copy(o->cont->uuid, out.cont);
	e = out.prop != NULL ? daos_prop_entry_get(out.prop, DAOS_PROP_CO_REDUN_FAC) : NULL;
	if (e != NULL && daos_prop_is_set(e))
		o->cont->rf = (uint32_t)e->dpe_val;
	if (o->info != NULL)
		info_fill(o->info, &out);
	rpc_cont_prop_fini(&out.prop);
	return cl_hdl_insert(&o->cont->hl, o->coh);
}

static void
open_free(struct cl_psvc *ps)
{
	struct open_op *o = container_of(ps, struct open_op, ps);

	cl_cont_put(o->cont);
}

D_EXPORT int
daos_cont_open2(daos_handle_t poh, const char *cont, unsigned int flags, daos_handle_t *coh,
		daos_cont_info_t *info, daos_event_t *ev)
{
	struct rpc_cont_open_in in = { 0 };
	unsigned int mode = flags & (DAOS_COO_RO | DAOS_COO_RW | DAOS_COO_EX);
	struct open_op *o;
	struct cl_pool *pool;
	daos_prop_t *want;

	if (cont == NULL || cont[0] == '\0' || strlen(cont) > RPC_ID_MAX || coh == NULL)
		return -DER_INVAL;
	if (mode != DAOS_COO_RO && mode != DAOS_COO_RW && mode != DAOS_COO_EX)
		return -DER_INVAL;
	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	/* a read-only pool handle may open a container RW: the container ACL decides */
	o = cl_psvc_alloc(sizeof(*o), pool, RPC_CONT_OPEN);
	if (o == NULL) {
		cl_pool_put(pool);
		return -DER_NOMEM;
	}
	o->ps.decode = open_decode;
	o->ps.free = open_free;
	o->coh = coh;
	o->info = info;
	o->cont = cont_alloc(pool);
	want = daos_prop_alloc(2);
	if (o->cont == NULL || want == NULL) {
		daos_prop_free(want);
		cl_psvc_free(&o->ps);
		return -DER_NOMEM;
	}
	o->cont->flags = flags;
	uuid_generate(o->cont->hdl);
	want->dpp_entries[0].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	want->dpp_entries[0].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	want->dpp_entries[1].dpe_type = DAOS_PROP_CO_LABEL;
	want->dpp_entries[1].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	uuid_copy(in.hdr.pool, pool->uuid);
	uuid_copy(in.hdr.poh, pool->hdl);
	snprintf(in.id, sizeof(in.id), "%s", cont);
	uuid_copy(in.coh, o->cont->hdl);
	in.flags = flags;
	in.prop = want;
	o->ps.len = rpc_cont_open_in_encode(&in, o->ps.body, NET_BODY_MAX);
	daos_prop_free(want);
	if (o->ps.len == 0) {
		cl_psvc_free(&o->ps);
		return -DER_OVERFLOW;
	}
	return cl_psvc_run(&o->ps, ev);
}

struct close_op {
	struct cl_psvc ps;
	struct cl_cont *cont;
};

static int
close_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct close_op *c = container_of(ps, struct close_op, ps);

	(void)body;
	(void)len;
	if (status != 0 && status != -DER_NO_HDL)
		return status;
	cl_hdl_remove(&c->cont->hl);
	return 0;
}

static void
close_free(struct cl_psvc *ps)
{
	cl_cont_put(container_of(ps, struct close_op, ps)->cont);
}

D_EXPORT int
daos_cont_close(daos_handle_t coh, daos_event_t *ev)
{
	struct close_op *c;
	struct cl_cont *cont;
	struct buf b;

	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	if (cont->slave) {
		cl_hdl_remove(&cont->hl);
		cl_cont_put(cont);
		return cl_op_local(ev, 0);
	}
	c = cont_call(sizeof(*c), cont, RPC_CONT_CLOSE, &b);
	if (c == NULL) {
		cl_cont_put(cont);
		return -DER_NOMEM;
	}
	c->cont = cont;
	c->ps.decode = close_decode;
	c->ps.free = close_free;
	return call_finish(&c->ps, &b, ev);
}

struct query_op {
	struct cl_psvc ps;
	daos_cont_info_t *info;
	daos_prop_t *prop;
	daos_prop_t **acl_out; /* daos_cont_get_acl() */
};

static int
query_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct query_op *q = container_of(ps, struct query_op, ps);
	struct rpc_cont_open_out out;
	int rc;

	if (status != 0)
		return status;
	rc = rpc_cont_open_out_decode(body, len, &out);
	if (rc != 0)
		return rc;
	if (q->info != NULL)
		info_fill(q->info, &out);
	if (q->acl_out != NULL) {
		*q->acl_out = out.prop != NULL ? out.prop : daos_prop_alloc(0);
		out.prop = NULL;
		if (*q->acl_out == NULL)
			rc = -DER_NOMEM;
	} else {
		rc = cl_prop_fill(q->prop, out.prop);
	}
	rpc_cont_prop_fini(&out.prop);
	return rc;
}

static int
cont_query(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t *prop, daos_prop_t **acl_out,
	   daos_event_t *ev)
{
	struct rpc_cont_query_in in = { 0 };
	struct query_op *q;
	struct cl_cont *cont;
	struct buf b;

	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	q = cont_call(sizeof(*q), cont, RPC_CONT_QUERY, &b);
	if (q == NULL) {
		cl_cont_put(cont);
		return -DER_NOMEM;
	}
	q->ps.decode = query_decode;
	q->info = info;
	q->prop = prop;
	q->acl_out = acl_out;
	cont_hdr(cont, &in.hdr);
	cl_cont_put(cont);
	if (acl_out != NULL) {
		in.prop = daos_prop_alloc(3);
		if (in.prop != NULL) {
			in.prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_ACL;
			in.prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_OWNER;
			in.prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_OWNER_GROUP;
		}
	} else {
		in.prop = cl_prop_wanted(prop, DAOS_PROP_CO_MIN, DAOS_PROP_CO_MAX);
	}
	if ((prop != NULL || acl_out != NULL) && in.prop == NULL) {
		cl_psvc_free(&q->ps);
		return -DER_NOMEM;
	}
	q->ps.len = rpc_cont_query_in_encode(&in, q->ps.body, NET_BODY_MAX);
	daos_prop_free(in.prop);
	if (q->ps.len == 0) {
		cl_psvc_free(&q->ps);
		return -DER_OVERFLOW;
	}
	return cl_psvc_run(&q->ps, ev);
}

D_EXPORT int
daos_cont_query(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t *cont_prop, daos_event_t *ev)
{
	return cont_query(coh, info, cont_prop, NULL, ev);
}

D_EXPORT int
daos_cont_get_acl(daos_handle_t coh, daos_prop_t **acl_prop, daos_event_t *ev)
{
	if (acl_prop == NULL)
		return -DER_INVAL;
	return cont_query(coh, NULL, NULL, acl_prop, ev);
}

/* ---- properties, ACL, owner ---- */

static int
set_prop(daos_handle_t coh, uint32_t op, daos_prop_t *prop, const char *principal, const char *user,
	 const char *group, daos_event_t *ev)
{
	struct rpc_cont_set_prop_in in = { 0 };
	struct cl_psvc *ps;
	struct cl_cont *cont;
	struct buf b;

	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	ps = cont_call(sizeof(*ps), cont, RPC_CONT_SET_PROP, &b);
	if (ps == NULL) {
		cl_cont_put(cont);
		return -DER_NOMEM;
	}
	cont_hdr(cont, &in.hdr);
	cl_cont_put(cont);
	in.op = op;
	in.prop = prop;
	snprintf(in.principal, sizeof(in.principal), "%s", principal ? principal : "");
	snprintf(in.user, sizeof(in.user), "%s", user ? user : "");
	snprintf(in.group, sizeof(in.group), "%s", group ? group : "");
	ps->len = rpc_cont_set_prop_in_encode(&in, ps->body, NET_BODY_MAX);
	if (ps->len == 0) {
		cl_psvc_free(ps);
		return -DER_OVERFLOW;
	}
	return cl_psvc_run(ps, ev);
}

D_EXPORT int
daos_cont_set_prop(daos_handle_t coh, daos_prop_t *prop, daos_event_t *ev)
{
	uint32_t i;

	if (prop == NULL || prop->dpp_nr == 0 || prop->dpp_entries == NULL ||
	    prop->dpp_nr > RPC_PROP_MAX)
		return -DER_INVAL;
	for (i = 0; i < prop->dpp_nr; i++) {
		uint32_t t = prop->dpp_entries[i].dpe_type;

		if (t <= DAOS_PROP_CO_MIN || t >= DAOS_PROP_CO_MAX)
			return -DER_INVAL;
	}
	return set_prop(coh, RPC_CONT_PROP_SET, prop, NULL, NULL, NULL, ev);
}

D_EXPORT int
daos_cont_status_clear(daos_handle_t coh, daos_event_t *ev)
{
	struct daos_co_status st = { .dcs_status = DAOS_PROP_CO_HEALTHY,
				     .dcs_flags = DAOS_PROP_CO_CLEAR };
	struct daos_prop_entry e = { .dpe_type = DAOS_PROP_CO_STATUS };
	daos_prop_t prop = { .dpp_nr = 1, .dpp_entries = &e };

	e.dpe_val = daos_prop_co_status_2_val(&st);
	return set_prop(coh, RPC_CONT_PROP_SET, &prop, NULL, NULL, NULL, ev);
}

static int
acl_call(daos_handle_t coh, uint32_t op, struct daos_acl *acl, daos_event_t *ev)
{
	struct daos_prop_entry e = { .dpe_type = DAOS_PROP_CO_ACL, .dpe_val_ptr = acl };
	daos_prop_t prop = { .dpp_nr = 1, .dpp_entries = &e };

	if (!cl_acl_is_valid(acl))
		return -DER_INVAL;
	return set_prop(coh, op, &prop, NULL, NULL, NULL, ev);
}

D_EXPORT int
daos_cont_overwrite_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev)
{
	return acl_call(coh, RPC_CONT_ACL_OVERWRITE, acl, ev);
}

D_EXPORT int
daos_cont_update_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev)
{
	return acl_call(coh, RPC_CONT_ACL_UPDATE, acl, ev);
}

D_EXPORT int
daos_cont_delete_acl(daos_handle_t coh, enum daos_acl_principal_type type, d_string_t name,
		     daos_event_t *ev)
{
	char principal[256];

	switch (type) {
	case DAOS_ACL_OWNER:
		snprintf(principal, sizeof(principal), "OWNER@");
		break;
	case DAOS_ACL_OWNER_GROUP:
		snprintf(principal, sizeof(principal), "GROUP@");
		break;
	case DAOS_ACL_EVERYONE:
		snprintf(principal, sizeof(principal), "EVERYONE@");
		break;
	case DAOS_ACL_USER:
	case DAOS_ACL_GROUP:
		if (name == NULL || name[0] == '\0' || strlen(name) > 250)
			return -DER_INVAL;
		snprintf(principal, sizeof(principal), "%s:%s", type == DAOS_ACL_USER ? "u" : "g",
			 name);
		break;
	default:
		return -DER_INVAL;
	}
	return set_prop(coh, RPC_CONT_ACL_DELETE, NULL, principal, NULL, NULL, ev);
}

D_EXPORT int
daos_cont_set_owner(daos_handle_t coh, d_string_t user, d_string_t group, daos_event_t *ev)
{
	if ((user == NULL && group == NULL) || (user != NULL && strlen(user) > 255) ||
	    (group != NULL && strlen(group) > 255))
		return -DER_INVAL;
	return set_prop(coh, RPC_CONT_SET_OWNER, NULL, NULL, user, group, ev);
}

/* ---- attributes ---- */

static int
cont_attr(daos_handle_t coh, uint32_t op, int n, char const *const names[],
	  void const *const values[], void *const buffers[], size_t sizes[], char *list,
	  size_t *list_size, daos_event_t *ev)
{
	struct rpc_cont_hdr hdr;
	struct cl_cont *cont;
	int rc;

	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	cont_hdr(cont, &hdr);
	rc = cl_attr_run(cont->pool, &hdr, true, op, n, names, values, buffers, sizes, list,
			 list_size, ev);
	cl_cont_put(cont);
	return rc;
}

D_EXPORT int
daos_cont_list_attr(daos_handle_t coh, char *buffer, size_t *size, daos_event_t *ev)
{
	return cont_attr(coh, RPC_ATTR_LIST, 0, NULL, NULL, NULL, NULL, buffer, size, ev);
}

D_EXPORT int
daos_cont_get_attr(daos_handle_t coh, int n, char const *const names[], void *const buffers[],
		   size_t sizes[], daos_event_t *ev)
{
	return cont_attr(coh, RPC_ATTR_GET, n, names, NULL, buffers, sizes, NULL, NULL, ev);
}

D_EXPORT int
daos_cont_set_attr(daos_handle_t coh, int n, char const *const names[], void const *const values[],
		   size_t const sizes[], daos_event_t *ev)
{
	return cont_attr(coh, RPC_ATTR_SET, n, names, values, NULL, (size_t *)sizes, NULL, NULL,
			 ev);
}

D_EXPORT int
daos_cont_del_attr(daos_handle_t coh, int n, char const *const names[], daos_event_t *ev)
{
	return cont_attr(coh, RPC_ATTR_DEL, n, names, NULL, NULL, NULL, NULL, NULL, ev);
}

/* ---- OIDs ---- */

struct oid_op {
	struct cl_psvc ps;
	uint64_t *oid;
};

static int
oid_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct oid_op *o = container_of(ps, struct oid_op, ps);
	struct buf b = BUF_INIT(body, len);
	uint64_t first;

	if (status != 0)
		return status;
	first = buf_get_u64(&b);
	if (buf_finish(&b) != 0)
		return -DER_PROTO;
	*o->oid = first;
	return 0;
}

D_EXPORT int
daos_cont_alloc_oids(daos_handle_t coh, daos_size_t num_oids, uint64_t *oid, daos_event_t *ev)
{
	struct oid_op *o;
	struct cl_cont *cont;
	struct buf b;

	if (oid == NULL || num_oids == 0)
		return -DER_INVAL;
	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	o = cont_call(sizeof(*o), cont, RPC_CONT_OID_ALLOC, &b);
	cl_cont_put(cont);
	if (o == NULL)
		return -DER_NOMEM;
	o->ps.decode = oid_decode;
	o->oid = oid;
	buf_put_u64(&b, num_oids);
	return call_finish(&o->ps, &b, ev);
}

/* ---- snapshots ---- */

struct snap_op {
	struct cl_psvc ps;
	uint32_t op;
	daos_epoch_t *epoch; /* CREATE */
	int *nr;             /* LIST */
	daos_epoch_t *epochs;
	char **names; /* DAOS_SNAPSHOT_MAX_LEN bytes each */
	daos_anchor_t *anchor;
};

static int
snap_decode(struct cl_psvc *ps, int status, const void *body, size_t len)
{
	struct snap_op *s = container_of(ps, struct snap_op, ps);
	struct buf b = BUF_INIT(body, len);
	uint32_t n;
	uint32_t i;

	if (status != 0)
		return status;
	switch (s->op) {
	case RPC_SNAP_CREATE:
		*s->epoch = buf_get_u64(&b);
		break;
	case RPC_SNAP_LIST:
		n = buf_get_u32(&b);
		for (i = 0; i < n && b.err == 0; i++) {
			uint64_t e = buf_get_u64(&b);
			size_t nlen;
			const char *name = buf_get_str(&b, &nlen);

			if (s->epochs != NULL && (int)i < *s->nr)
				s->epochs[i] = e;
			if (s->names != NULL && (int)i < *s->nr && s->names[i] != NULL)
				snprintf(s->names[i], DAOS_SNAPSHOT_MAX_LEN, "%s",
					 name != NULL ? name : "");
		}
		*s->nr = (int)n;
		if (s->anchor != NULL)
			s->anchor->da_type = DAOS_ANCHOR_TYPE_EOF;
		break;
	default:
		break;
	}
	return buf_finish(&b) != 0 ? -DER_PROTO : 0;
}

static int
snap_call(daos_handle_t coh, uint32_t op, uint64_t epoch, const char *name, struct snap_op **out)
{
	struct rpc_cont_snap_in in = { 0 };
	struct snap_op *s;
	struct cl_cont *cont;
	struct buf b;

	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	s = cont_call(sizeof(*s), cont, RPC_CONT_SNAP, &b);
	if (s == NULL) {
		cl_cont_put(cont);
		return -DER_NOMEM;
	}
	s->ps.decode = snap_decode;
	s->op = op;
	cont_hdr(cont, &in.hdr);
	cl_cont_put(cont);
	in.op = op;
	in.epoch = epoch;
	if (name != NULL)
		snprintf(in.name, sizeof(in.name), "%s", name);
	s->ps.len = rpc_cont_snap_in_encode(&in, s->ps.body, NET_BODY_MAX);
	if (s->ps.len == 0) {
		cl_psvc_free(&s->ps);
		return -DER_OVERFLOW;
	}
	*out = s;
	return 0;
}

D_EXPORT int
daos_cont_create_snap_opt(daos_handle_t coh, daos_epoch_t *epoch, char *name,
			  enum daos_snapshot_opts opts, daos_event_t *ev)
{
	struct snap_op *s;
	int rc;

	if (epoch == NULL || !(opts & DAOS_SNAP_OPT_CR))
		return -DER_INVAL;
	if (name != NULL && strnlen(name, DAOS_SNAPSHOT_MAX_LEN) >= DAOS_SNAPSHOT_MAX_LEN) {
		D_ERROR("snapshot name longer than %d bytes", DAOS_SNAPSHOT_MAX_LEN - 1);
		return -DER_INVAL;
	}
	if (opts & DAOS_SNAP_OPT_OIT) {
		D_ERROR("snapshots with an object ID table are not supported");
		return -DER_NOTSUPPORTED;
	}
	rc = snap_call(coh, RPC_SNAP_CREATE, 0, name, &s);
	if (rc != 0)
		return rc;
	s->epoch = epoch;
	return cl_psvc_run(&s->ps, ev);
}

D_EXPORT int
daos_cont_create_snap(daos_handle_t coh, daos_epoch_t *epoch, char *name, daos_event_t *ev)
{
	return daos_cont_create_snap_opt(coh, epoch, name, DAOS_SNAP_OPT_CR, ev);
}

D_EXPORT int
daos_cont_list_snap(daos_handle_t coh, int *nr, daos_epoch_t *epochs, char **names,
		    daos_anchor_t *anchor, daos_event_t *ev)
{
	struct snap_op *s;
	int rc;

	if (nr == NULL || *nr < 0)
		return -DER_INVAL;
	rc = snap_call(coh, RPC_SNAP_LIST, 0, NULL, &s);
	if (rc != 0)
		return rc;
	s->nr = nr;
	s->epochs = epochs;
	s->names = names;
	s->anchor = anchor;
	return cl_psvc_run(&s->ps, ev);
}

D_EXPORT int
daos_cont_destroy_snap(daos_handle_t coh, daos_epoch_range_t epr, daos_event_t *ev)
{
	daos_epoch_t *epochs = NULL;
	struct snap_op *s;
	int nr = 0;
	int i;
	int rc;

	if (epr.epr_lo > epr.epr_hi || epr.epr_hi == 0)
		return -DER_INVAL;
	if (epr.epr_lo == epr.epr_hi) {
		rc = snap_call(coh, RPC_SNAP_DESTROY, epr.epr_lo, NULL, &s);
		return rc != 0 ? rc : cl_psvc_run(&s->ps, ev);
	}
	/* A range: list, then destroy each snapshot in it; done here, in this thread. */
	rc = daos_cont_list_snap(coh, &nr, NULL, NULL, NULL, NULL);
	if (rc == 0 && nr > 0) {
		epochs = d_calloc((size_t)nr, sizeof(*epochs));
		rc = epochs == NULL ? -DER_NOMEM
				    : daos_cont_list_snap(coh, &nr, epochs, NULL, NULL, NULL);
	}
	for (i = 0; rc == 0 && i < nr; i++) {
		if (epochs[i] < epr.epr_lo || epochs[i] > epr.epr_hi)
			continue;
		rc = snap_call(coh, RPC_SNAP_DESTROY, epochs[i], NULL, &s);
		if (rc == 0)
			rc = cl_psvc_run(&s->ps, NULL);
	}
	d_free(epochs);
	return cl_op_local(ev, rc);
}

D_EXPORT int
daos_cont_snap_oit_create(daos_handle_t coh, daos_epoch_t epoch, char *name, daos_event_t *ev)
{
	(void)coh;
	(void)epoch;
	(void)name;
	(void)ev;
	return -DER_NOTSUPPORTED;
}

D_EXPORT int
daos_cont_snap_oit_destroy(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev)
{
	(void)coh;
	(void)epoch;
	(void)ev;
	return -DER_NOTSUPPORTED;
}

D_EXPORT int
daos_cont_aggregate(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev)
{
	(void)coh;
	(void)epoch;
	(void)ev;
	return -DER_NOTSUPPORTED;
}

D_EXPORT int
daos_cont_rollback(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev)
{
	(void)coh;
	(void)epoch;
	(void)ev;
	return -DER_NOTSUPPORTED;
}

D_EXPORT int
daos_cont_subscribe(daos_handle_t coh, daos_epoch_t *epoch, daos_event_t *ev)
{
	(void)coh;
	(void)epoch;
	(void)ev;
	return -DER_NOTSUPPORTED;
}

/* ---- sharing ---- */

#define CONT_GLOB_SIZE (4 + 4 + 16 * 4 + 8 + 4)

D_EXPORT int
daos_cont_local2global(daos_handle_t coh, d_iov_t *glob)
{
	struct cl_cont *cont;
	struct buf b;

	if (glob == NULL)
		return -DER_INVAL;
	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	if (glob->iov_buf == NULL || glob->iov_buf_len < CONT_GLOB_SIZE) {
		int rc = glob->iov_buf == NULL ? 0 : -DER_TRUNC;

		glob->iov_buf_len = CONT_GLOB_SIZE;
		cl_cont_put(cont);
		return rc;
	}
	buf_init(&b, glob->iov_buf, glob->iov_buf_len);
	buf_put_u32(&b, CONT_GLOB_MAGIC);
	buf_put_u32(&b, CONT_GLOB_VERSION);
	buf_put_bytes_raw(&b, cont->pool->uuid, 16);
	buf_put_bytes_raw(&b, cont->pool->hdl, 16);
	buf_put_bytes_raw(&b, cont->uuid, 16);
	buf_put_bytes_raw(&b, cont->hdl, 16);
	buf_put_u64(&b, cont->flags);
	buf_put_u32(&b, cont->rf);
	glob->iov_len = b.off;
	cl_cont_put(cont);
	return b.err;
}

D_EXPORT int
daos_cont_global2local(daos_handle_t poh, d_iov_t glob, daos_handle_t *coh)
{
	struct cl_pool *pool;
	struct cl_cont *cont;
	const uint8_t *p;
	struct buf b;
	int rc;

	if (glob.iov_buf == NULL || glob.iov_len < CONT_GLOB_SIZE || coh == NULL)
		return -DER_INVAL;
	pool = cl_pool_lookup(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	buf_init(&b, glob.iov_buf, glob.iov_len);
	if (buf_get_u32(&b) != CONT_GLOB_MAGIC || buf_get_u32(&b) != CONT_GLOB_VERSION) {
		D_ERROR("not a container handle from daos_cont_local2global()");
		rc = -DER_INVAL;
		goto out_pool;
	}
	p = buf_get_bytes_raw(&b, 32);
	if (p == NULL || uuid_compare(p, pool->uuid) != 0 || uuid_compare(p + 16, pool->hdl) != 0) {
		D_ERROR("container handle shared through another pool connection");
		rc = -DER_INVAL;
		goto out_pool;
	}
	cont = cont_alloc(pool);
	if (cont == NULL) {
		rc = -DER_NOMEM;
		goto out_pool;
	}
	cont->slave = true;
	p = buf_get_bytes_raw(&b, 32);
	if (p != NULL) {
		memcpy(cont->uuid, p, 16);
		memcpy(cont->hdl, p + 16, 16);
	}
	cont->flags = buf_get_u64(&b);
	cont->rf = buf_get_u32(&b);
	rc = buf_finish(&b) != 0 ? -DER_INVAL : cl_hdl_insert(&cont->hl, coh);
	cl_cont_put(cont);
out_pool:
	cl_pool_put(pool);
	return rc;
}
