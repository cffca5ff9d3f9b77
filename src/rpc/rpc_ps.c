/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpc_ps.c - codecs of the pool and container service RPCs and of the handle calls
 * between the pool service and the targets (layouts in rpc.h). Decoders check every
 * length and count against the body and rpc.h's limits; -DER_PROTO otherwise.
 */
#include <daos_pool.h>
#include <daos_security.h>
#include <gurt/common.h>

#include "common/buf.h"
#include "rpc/rpc.h"

enum prop_kind {
	PROP_VAL = 0,
	PROP_STR = 1,
	PROP_PTR = 2,
	PROP_UNSET = 3,
};

/* The largest ACL we carry: DAOS's limit of 64 KiB of entries. */
#define ACL_BYTES_MAX (64u << 10)

/* ---- shared pieces ---- */

void
rpc_iov_encode(struct buf *b, const d_iov_t *iov)
{
	buf_put_bytes(b, iov->iov_buf, iov->iov_len);
}

void
rpc_iov_decode(struct buf *b, d_iov_t *iov, size_t max)
{
	size_t len;
	const void *p = buf_get_bytes(b, &len);

	if (len > max)
		buf_fail(b, -DER_PROTO);
	if (b->err != 0)
		p = NULL, len = 0;
	d_iov_set(iov, (void *)(uintptr_t)p, len);
}

static void
put_uuid(struct buf *b, const uuid_t u)
{
	buf_put_bytes_raw(b, u, sizeof(uuid_t));
}

static void
get_uuid(struct buf *b, uuid_t u)
{
	const void *p = buf_get_bytes_raw(b, sizeof(uuid_t));

	if (p != NULL)
		memcpy(u, p, sizeof(uuid_t));
	else
		uuid_clear(u);
}

/* A string into a fixed array of @size (terminator included); empty allowed. */
static void
get_str_into(struct buf *b, char *dst, size_t size)
{
	size_t len;
	const char *s = buf_get_str(b, &len);

	dst[0] = '\0';
	if (s == NULL)
		return;
	if (len >= size) {
		buf_fail(b, -DER_PROTO);
		return;
	}
	memcpy(dst, s, len + 1);
}

static void
put_str(struct buf *b, const char *s)
{
	buf_put_str(b, s != NULL ? s : "");
}

void
rpc_pool_hdr_encode(struct buf *b, const struct rpc_pool_hdr *h)
{
	put_uuid(b, h->pool);
	put_uuid(b, h->poh);
}

void
rpc_pool_hdr_decode(struct buf *b, struct rpc_pool_hdr *h)
{
	get_uuid(b, h->pool);
	get_uuid(b, h->poh);
}

void
rpc_cont_hdr_encode(struct buf *b, const struct rpc_cont_hdr *h)
{
	rpc_pool_hdr_encode(b, &h->pool);
	put_uuid(b, h->cont);
	put_uuid(b, h->coh);
}

void
rpc_cont_hdr_decode(struct buf *b, struct rpc_cont_hdr *h)
{
	rpc_pool_hdr_decode(b, &h->pool);
	get_uuid(b, h->cont);
	get_uuid(b, h->coh);
}

static size_t
finish_enc(const struct buf *b)
{
	return b->err != 0 ? 0 : b->off;
}

/* ---- properties ---- */

static size_t
prop_ptr_size(const struct daos_prop_entry *e)
{
	const struct daos_acl *acl = e->dpe_val_ptr;

	switch (e->dpe_type) {
	case DAOS_PROP_PO_ACL:
	case DAOS_PROP_CO_ACL:
		return sizeof(*acl) + acl->dal_len;
	case DAOS_PROP_CO_ROOTS:
		return sizeof(struct daos_prop_co_roots);
	default:
		return 0;
	}
}

void
rpc_prop_encode(struct buf *b, const daos_prop_t *prop)
{
	uint32_t nr = prop != NULL ? prop->dpp_nr : 0;
	uint32_t i;

	if (nr > RPC_PROP_MAX) {
		buf_fail(b, -DER_OVERFLOW);
		return;
	}
	buf_put_u32(b, nr);
	for (i = 0; i < nr; i++) {
		struct daos_prop_entry *e = &prop->dpp_entries[i];

		buf_put_u32(b, e->dpe_type);
		if ((e->dpe_flags & DAOS_PROP_ENTRY_NOT_SET) ||
		    (daos_prop_has_str(e) && e->dpe_str == NULL) ||
		    (daos_prop_has_ptr(e) && e->dpe_val_ptr == NULL)) {
			buf_put_u8(b, PROP_UNSET);
		} else if (daos_prop_has_str(e)) {
			buf_put_u8(b, PROP_STR);
			buf_put_str(b, e->dpe_str);
		} else if (e->dpe_type == DAOS_PROP_PO_SVC_LIST) {
			d_rank_list_t *rl = e->dpe_val_ptr;
			uint32_t r;

			buf_put_u8(b, PROP_PTR);
			buf_put_u32(b, rl->rl_nr * 4);
			for (r = 0; r < rl->rl_nr; r++)
				buf_put_u32(b, rl->rl_ranks[r]);
		} else if (daos_prop_has_ptr(e)) {
			buf_put_u8(b, PROP_PTR);
			buf_put_bytes(b, e->dpe_val_ptr, prop_ptr_size(e));
		} else {
			buf_put_u8(b, PROP_VAL);
			buf_put_u64(b, e->dpe_val);
		}
	}
}

/* A pointer value's bytes: check they are what the type says, and copy them. */
static int
prop_ptr_set(struct daos_prop_entry *e, const void *p, size_t len)
{
	if (e->dpe_type == DAOS_PROP_PO_SVC_LIST) {
		d_rank_list_t *rl;
		uint32_t r;

		if (len % 4 != 0 || len / 4 > 4096)
			return -DER_PROTO;
		rl = d_rank_list_alloc(len / 4);
		if (rl == NULL)
			return -DER_NOMEM;
		for (r = 0; r < len / 4; r++) {
			struct buf rb = BUF_INIT((const uint8_t *)p + 4 * r, 4);

			rl->rl_ranks[r] = buf_get_u32(&rb);
		}
		e->dpe_val_ptr = rl;
		return 0;
	}
	if (e->dpe_type == DAOS_PROP_CO_ROOTS) {
		if (len != sizeof(struct daos_prop_co_roots))
			return -DER_PROTO;
	} else {
		struct daos_acl hdr;

		if (len < sizeof(hdr) || len > sizeof(hdr) + ACL_BYTES_MAX)
			return -DER_PROTO;
		memcpy(&hdr, p, sizeof(hdr));
		if (hdr.dal_len != len - sizeof(hdr))
			return -DER_PROTO;
	}
	e->dpe_val_ptr = d_malloc(len);
	if (e->dpe_val_ptr == NULL)
		return -DER_NOMEM;
	memcpy(e->dpe_val_ptr, p, len);
	return 0;
}

daos_prop_t *
rpc_prop_decode(struct buf *b)
{
	uint32_t nr = buf_get_u32_max(b, RPC_PROP_MAX);
	daos_prop_t *prop;
	uint32_t i;

	if (b->err != 0)
		return NULL;
	prop = daos_prop_alloc(nr);
	if (prop == NULL) {
		buf_fail(b, -DER_NOMEM);
		return NULL;
	}
	for (i = 0; i < nr && b->err == 0; i++) {
		struct daos_prop_entry *e = &prop->dpp_entries[i];
		uint8_t kind;
		const void *p;
		size_t len;
		int rc = 0;

		e->dpe_type = buf_get_u32(b);
		kind = buf_get_u8(b);
		if (b->err != 0)
			break;
		switch (kind) {
		case PROP_UNSET:
			e->dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
			break;
		case PROP_VAL:
			if (daos_prop_has_str(e) || daos_prop_has_ptr(e))
				rc = -DER_PROTO;
			e->dpe_val = buf_get_u64(b);
			break;
		case PROP_STR:
			p = buf_get_str(b, &len);
			if (!daos_prop_has_str(e) || p == NULL)
				rc = -DER_PROTO;
			else if ((e->dpe_str = d_strndup(p, len)) == NULL)
				rc = -DER_NOMEM;
			break;
		case PROP_PTR:
			p = buf_get_bytes(b, &len);
			if (!daos_prop_has_ptr(e) || p == NULL)
				rc = -DER_PROTO;
			else
				rc = prop_ptr_set(e, p, len);
			break;
		default:
			rc = -DER_PROTO;
		}
		if (rc != 0)
			buf_fail(b, rc);
	}
	if (b->err != 0) {
		/* entries past the failure hold nothing: free what was made */
		prop->dpp_nr = i;
		daos_prop_free(prop);
		return NULL;
	}
	return prop;
}

void
rpc_cont_prop_fini(daos_prop_t **prop)
{
	daos_prop_free(*prop);
	*prop = NULL;
}

/* ---- pool ---- */

size_t
rpc_pool_connect_in_encode(const struct rpc_pool_connect_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_pool_hdr_encode(&b, &in->hdr);
	buf_put_u64(&b, in->flags);
	buf_put_u64(&b, in->query);
	rpc_iov_encode(&b, &in->cred);
	return finish_enc(&b);
}

int
rpc_pool_connect_in_decode(const void *buf, size_t len, struct rpc_pool_connect_in *out)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_pool_hdr_decode(&b, &out->hdr);
	out->flags = buf_get_u64(&b);
	out->query = buf_get_u64(&b);
	rpc_iov_decode(&b, &out->cred, RPC_CRED_MAX);
	return buf_finish(&b) != 0 ? -DER_PROTO : 0;
}

size_t
rpc_pool_query_in_encode(const struct rpc_pool_query_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_pool_hdr_encode(&b, &in->hdr);
	buf_put_u64(&b, in->query);
	rpc_prop_encode(&b, in->prop);
	return finish_enc(&b);
}

int
rpc_pool_query_in_decode(const void *buf, size_t len, struct rpc_pool_query_in *out)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_pool_hdr_decode(&b, &out->hdr);
	out->query = buf_get_u64(&b);
	out->prop = rpc_prop_decode(&b);
	if (buf_finish(&b) != 0) {
		rpc_cont_prop_fini(&out->prop);
		return -DER_PROTO;
	}
	return 0;
}

void
rpc_pool_query_in_fini(struct rpc_pool_query_in *in)
{
	rpc_cont_prop_fini(&in->prop);
}

static void
space_encode(struct buf *b, const struct daos_pool_space *s)
{
	int m;

	for (m = 0; m < DAOS_MEDIA_MAX; m++) {
		buf_put_u64(b, s->ps_space.s_total[m]);
		buf_put_u64(b, s->ps_space.s_free[m]);
		buf_put_u64(b, s->ps_free_min[m]);
		buf_put_u64(b, s->ps_free_max[m]);
		buf_put_u64(b, s->ps_free_mean[m]);
	}
	buf_put_u32(b, s->ps_ntargets);
}

static void
space_decode(struct buf *b, struct daos_pool_space *s)
{
	int m;

	for (m = 0; m < DAOS_MEDIA_MAX; m++) {
		s->ps_space.s_total[m] = buf_get_u64(b);
		s->ps_space.s_free[m] = buf_get_u64(b);
		s->ps_free_min[m] = buf_get_u64(b);
		s->ps_free_max[m] = buf_get_u64(b);
		s->ps_free_mean[m] = buf_get_u64(b);
	}
	s->ps_ntargets = buf_get_u32(b);
}

static void
rebuild_encode(struct buf *b, const struct daos_rebuild_status *r)
{
	buf_put_u32(b, r->rs_version);
	buf_put_u32(b, r->rs_seconds);
	buf_put_i32(b, r->rs_errno);
	buf_put_i32(b, r->rs_state);
	buf_put_i32(b, r->rs_fail_rank);
	buf_put_u64(b, r->rs_toberb_obj_nr);
	buf_put_u64(b, r->rs_obj_nr);
	buf_put_u64(b, r->rs_rec_nr);
	buf_put_u64(b, r->rs_size);
}

static void
rebuild_decode(struct buf *b, struct daos_rebuild_status *r)
{
	r->rs_version = buf_get_u32(b);
	r->rs_seconds = buf_get_u32(b);
	r->rs_errno = buf_get_i32(b);
	r->rs_state = buf_get_i32(b);
	r->rs_fail_rank = buf_get_i32(b);
	r->rs_toberb_obj_nr = buf_get_u64(b);
	r->rs_obj_nr = buf_get_u64(b);
	r->rs_rec_nr = buf_get_u64(b);
	r->rs_size = buf_get_u64(b);
}

static void
ranks_encode(struct buf *b, uint32_t nr, const d_rank_t *ranks)
{
	uint32_t i;
	d_rank_t r;

	buf_put_u32(b, nr);
	/* by memcpy: a decoded list points into the wire buffer, at any alignment */
	for (i = 0; i < nr; i++) {
		memcpy(&r, (const uint8_t *)ranks + sizeof(r) * i, sizeof(r));
		buf_put_u32(b, r);
	}
}

static const d_rank_t *
ranks_decode(struct buf *b, uint32_t *nr)
{
	*nr = buf_get_u32_max(b, 1u << 20);
	if (b->err != 0 || (uint64_t)*nr * 4 > buf_remaining(b)) {
		buf_fail(b, -DER_PROTO);
		*nr = 0;
		return NULL;
	}
	return buf_get_bytes_raw(b, (size_t)*nr * 4);
}

void
rpc_ranks_get(const d_rank_t *src, uint32_t nr, d_rank_t *dst)
{
	uint32_t i;

	for (i = 0; i < nr; i++) {
		struct buf b = BUF_INIT((const uint8_t *)src + 4 * i, 4);

		dst[i] = buf_get_u32(&b);
	}
}

size_t
rpc_pool_query_out_encode(const struct rpc_pool_query_out *out, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	const daos_pool_info_t *pi = &out->info;

	put_uuid(&b, pi->pi_uuid);
	buf_put_u32(&b, pi->pi_ntargets);
	buf_put_u32(&b, pi->pi_nnodes);
	buf_put_u32(&b, pi->pi_ndisabled);
	buf_put_u32(&b, pi->pi_map_ver);
	buf_put_u32(&b, pi->pi_leader);
	buf_put_u64(&b, pi->pi_bits);
	space_encode(&b, &pi->pi_space);
	rebuild_encode(&b, &pi->pi_rebuild_st);
	rpc_iov_encode(&b, &out->map);
	ranks_encode(&b, out->nr_enabled, out->enabled);
	ranks_encode(&b, out->nr_disabled, out->disabled);
	rpc_prop_encode(&b, out->prop);
	return finish_enc(&b);
}

int
rpc_pool_query_out_decode(const void *buf, size_t len, struct rpc_pool_query_out *out)
{
	struct buf b = BUF_INIT(buf, len);
	daos_pool_info_t *pi = &out->info;

	memset(out, 0, sizeof(*out));
	get_uuid(&b, pi->pi_uuid);
	pi->pi_ntargets = buf_get_u32(&b);
	pi->pi_nnodes = buf_get_u32(&b);
	pi->pi_ndisabled = buf_get_u32(&b);
	pi->pi_map_ver = buf_get_u32(&b);
	pi->pi_leader = buf_get_u32(&b);
	pi->pi_bits = buf_get_u64(&b);
	space_decode(&b, &pi->pi_space);
	rebuild_decode(&b, &pi->pi_rebuild_st);
	rpc_iov_decode(&b, &out->map, NET_BODY_MAX);
	out->enabled = ranks_decode(&b, &out->nr_enabled);
	out->disabled = ranks_decode(&b, &out->nr_disabled);
	out->prop = rpc_prop_decode(&b);
	if (buf_finish(&b) != 0) {
		rpc_cont_prop_fini(&out->prop);
		return -DER_PROTO;
	}
	return 0;
}

void
rpc_pool_query_out_fini(struct rpc_pool_query_out *out)
{
	rpc_cont_prop_fini(&out->prop);
}

/* ---- attributes ---- */

size_t
rpc_attr_in_encode(const void *hdr, bool cont, const struct rpc_attr_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	if (cont)
		rpc_cont_hdr_encode(&b, hdr);
	else
		rpc_pool_hdr_encode(&b, hdr);
	buf_put_u32(&b, in->op);
	buf_put_u32(&b, in->nr);
	for (i = 0; i < in->nr; i++) {
		rpc_iov_encode(&b, &in->names[i]);
		if (in->op == RPC_ATTR_SET)
			rpc_iov_encode(&b, &in->values[i]);
	}
	return finish_enc(&b);
}

int
rpc_attr_in_decode(const void *buf, size_t len, void *hdr, bool cont, struct rpc_attr_in *out)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	memset(out, 0, sizeof(*out));
	if (cont)
		rpc_cont_hdr_decode(&b, hdr);
	else
		rpc_pool_hdr_decode(&b, hdr);
	out->op = buf_get_u32(&b);
	out->nr = buf_get_u32_max(&b, RPC_ATTR_MAX);
	if (b.err != 0 || out->op < RPC_ATTR_SET || out->op > RPC_ATTR_DEL ||
	    (out->nr == 0 && out->op != RPC_ATTR_LIST))
		return -DER_PROTO;
	if (out->nr > 0) {
		out->names = d_calloc(out->nr, sizeof(d_iov_t));
		out->values = d_calloc(out->nr, sizeof(d_iov_t));
		if (out->names == NULL || out->values == NULL) {
			rpc_attr_in_fini(out);
			return -DER_NOMEM;
		}
	}
	for (i = 0; i < out->nr && b.err == 0; i++) {
		rpc_iov_decode(&b, &out->names[i], RPC_ATTR_NAME_MAX);
		if (out->names[i].iov_len == 0)
			buf_fail(&b, -DER_PROTO);
		if (out->op == RPC_ATTR_SET)
			rpc_iov_decode(&b, &out->values[i], RPC_ATTR_VALUE_MAX);
	}
	if (buf_finish(&b) != 0) {
		rpc_attr_in_fini(out);
		return -DER_PROTO;
	}
	return 0;
}

void
rpc_attr_in_fini(struct rpc_attr_in *in)
{
	d_free(in->names);
	d_free(in->values);
	in->names = NULL;
	in->values = NULL;
}

/* ---- containers ---- */

/* Create and query requests: a container header, then properties. */
static size_t
cont_hdr_prop_encode(const struct rpc_cont_hdr *hdr, const daos_prop_t *prop, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_cont_hdr_encode(&b, hdr);
	rpc_prop_encode(&b, prop);
	return finish_enc(&b);
}

static int
cont_hdr_prop_decode(const void *buf, size_t len, struct rpc_cont_hdr *hdr, daos_prop_t **prop)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_cont_hdr_decode(&b, hdr);
	*prop = rpc_prop_decode(&b);
	if (buf_finish(&b) != 0) {
		rpc_cont_prop_fini(prop);
		return -DER_PROTO;
	}
	return 0;
}

size_t
rpc_cont_create_in_encode(const struct rpc_cont_create_in *in, void *buf, size_t len)
{
	return cont_hdr_prop_encode(&in->hdr, in->prop, buf, len);
}

int
rpc_cont_create_in_decode(const void *buf, size_t len, struct rpc_cont_create_in *out)
{
	return cont_hdr_prop_decode(buf, len, &out->hdr, &out->prop);
}

size_t
rpc_cont_destroy_in_encode(const struct rpc_cont_destroy_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_pool_hdr_encode(&b, &in->hdr);
	put_str(&b, in->id);
	buf_put_u8(&b, in->force);
	return finish_enc(&b);
}

int
rpc_cont_destroy_in_decode(const void *buf, size_t len, struct rpc_cont_destroy_in *out)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_pool_hdr_decode(&b, &out->hdr);
	get_str_into(&b, out->id, sizeof(out->id));
	out->force = buf_get_u8(&b);
	return buf_finish(&b) != 0 || out->id[0] == '\0' ? -DER_PROTO : 0;
}

size_t
rpc_cont_open_in_encode(const struct rpc_cont_open_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_pool_hdr_encode(&b, &in->hdr);
	put_str(&b, in->id);
	put_uuid(&b, in->coh);
	buf_put_u64(&b, in->flags);
	rpc_prop_encode(&b, in->prop);
	return finish_enc(&b);
}

int
rpc_cont_open_in_decode(const void *buf, size_t len, struct rpc_cont_open_in *out)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_pool_hdr_decode(&b, &out->hdr);
	get_str_into(&b, out->id, sizeof(out->id));
	get_uuid(&b, out->coh);
	out->flags = buf_get_u64(&b);
	out->prop = rpc_prop_decode(&b);
	if (buf_finish(&b) != 0 || out->id[0] == '\0') {
		rpc_cont_prop_fini(&out->prop);
		return -DER_PROTO;
	}
	return 0;
}

size_t
rpc_cont_query_in_encode(const struct rpc_cont_query_in *in, void *buf, size_t len)
{
	return cont_hdr_prop_encode(&in->hdr, in->prop, buf, len);
}

int
rpc_cont_query_in_decode(const void *buf, size_t len, struct rpc_cont_query_in *out)
{
	return cont_hdr_prop_decode(buf, len, &out->hdr, &out->prop);
}

size_t
rpc_cont_open_out_encode(const struct rpc_cont_open_out *out, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	put_uuid(&b, out->cont);
	buf_put_u64(&b, out->info.nr_snapshots);
	buf_put_u64(&b, out->info.latest_snapshot);
	buf_put_u64(&b, out->info.nr_handles);
	buf_put_u64(&b, out->info.md_otime);
	buf_put_u64(&b, out->info.md_mtime);
	rpc_prop_encode(&b, out->prop);
	return finish_enc(&b);
}

int
rpc_cont_open_out_decode(const void *buf, size_t len, struct rpc_cont_open_out *out)
{
	struct buf b = BUF_INIT(buf, len);

	get_uuid(&b, out->cont);
	out->info.nr_snapshots = buf_get_u64(&b);
	out->info.latest_snapshot = buf_get_u64(&b);
	out->info.nr_handles = buf_get_u64(&b);
	out->info.md_otime = buf_get_u64(&b);
	out->info.md_mtime = buf_get_u64(&b);
	out->prop = rpc_prop_decode(&b);
	if (buf_finish(&b) != 0) {
		rpc_cont_prop_fini(&out->prop);
		return -DER_PROTO;
	}
	return 0;
}

size_t
rpc_cont_set_prop_in_encode(const struct rpc_cont_set_prop_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_cont_hdr_encode(&b, &in->hdr);
	buf_put_u32(&b, in->op);
	switch (in->op) {
	case RPC_CONT_ACL_DELETE:
		put_str(&b, in->principal);
		break;
	case RPC_CONT_SET_OWNER:
		put_str(&b, in->user);
		put_str(&b, in->group);
		break;
	default:
		rpc_prop_encode(&b, in->prop);
	}
	return finish_enc(&b);
}

int
rpc_cont_set_prop_in_decode(const void *buf, size_t len, struct rpc_cont_set_prop_in *out)
{
	struct buf b = BUF_INIT(buf, len);

	memset(out, 0, sizeof(*out));
	rpc_cont_hdr_decode(&b, &out->hdr);
	out->op = buf_get_u32(&b);
	switch (out->op) {
	case RPC_CONT_ACL_DELETE:
		get_str_into(&b, out->principal, sizeof(out->principal));
		break;
	case RPC_CONT_SET_OWNER:
		get_str_into(&b, out->user, sizeof(out->user));
		get_str_into(&b, out->group, sizeof(out->group));
		break;
	case RPC_CONT_PROP_SET:
	case RPC_CONT_ACL_OVERWRITE:
	case RPC_CONT_ACL_UPDATE:
		out->prop = rpc_prop_decode(&b);
		if (out->prop == NULL)
			buf_fail(&b, -DER_PROTO);
		break;
	default:
		buf_fail(&b, -DER_PROTO);
	}
	if (buf_finish(&b) != 0) {
		rpc_cont_prop_fini(&out->prop);
		return -DER_PROTO;
	}
	return 0;
}

size_t
rpc_cont_snap_in_encode(const struct rpc_cont_snap_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_cont_hdr_encode(&b, &in->hdr);
	buf_put_u32(&b, in->op);
	buf_put_u64(&b, in->epoch);
	buf_put_str(&b, in->name[0] != '\0' ? in->name : NULL);
	return finish_enc(&b);
}

int
rpc_cont_snap_in_decode(const void *buf, size_t len, struct rpc_cont_snap_in *out)
{
	struct buf b = BUF_INIT(buf, len);
	const char *name;
	size_t nlen;

	rpc_cont_hdr_decode(&b, &out->hdr);
	out->op = buf_get_u32(&b);
	out->epoch = buf_get_u64(&b);
	name = buf_get_str(&b, &nlen);
	if (buf_finish(&b) != 0 || out->op < RPC_SNAP_CREATE || out->op > RPC_SNAP_DESTROY ||
	    nlen >= sizeof(out->name))
		return -DER_PROTO;
	memcpy(out->name, name != NULL ? name : "", nlen);
	out->name[nlen] = '\0';
	return 0;
}

size_t
rpc_cont_list_encode(const struct rpc_cont_entry *ents, uint32_t n, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	buf_put_u32(&b, n);
	for (i = 0; i < n; i++) {
		put_uuid(&b, ents[i].uuid);
		put_str(&b, ents[i].label);
	}
	return finish_enc(&b);
}

int
rpc_cont_list_decode(const void *buf, size_t len, struct rpc_cont_entry **out, uint32_t *n)
{
	struct buf b = BUF_INIT(buf, len);
	struct rpc_cont_entry *ents = NULL;
	uint32_t nr = buf_get_u32(&b);
	uint32_t i;

	/* each entry takes at least 16 + 4 bytes */
	if (b.err != 0 || (uint64_t)nr * 20 > buf_remaining(&b))
		return -DER_PROTO;
	if (nr > 0) {
		ents = d_calloc(nr, sizeof(*ents));
		if (ents == NULL)
			return -DER_NOMEM;
	}
	for (i = 0; i < nr && b.err == 0; i++) {
		get_uuid(&b, ents[i].uuid);
		get_str_into(&b, ents[i].label, sizeof(ents[i].label));
	}
	if (buf_finish(&b) != 0) {
		d_free(ents);
		return -DER_PROTO;
	}
	*out = ents;
	*n = nr;
	return 0;
}

/* ---- handles ---- */

size_t
rpc_hdl_revoke_in_encode(const struct rpc_hdl_revoke_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	put_uuid(&b, in->pool);
	buf_put_u32(&b, in->nr);
	for (i = 0; i < in->nr; i++) {
		buf_put_u8(&b, in->ents[i].kind);
		put_uuid(&b, in->ents[i].uuid);
	}
	return finish_enc(&b);
}

int
rpc_hdl_revoke_in_decode(const void *buf, size_t len, struct rpc_hdl_revoke_in *out)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	memset(out, 0, sizeof(*out));
	get_uuid(&b, out->pool);
	out->nr = buf_get_u32_max(&b, RPC_HDL_BATCH_MAX);
	if (b.err != 0 || (uint64_t)out->nr * 17 != buf_remaining(&b) || out->nr == 0)
		return -DER_PROTO;
	out->ents = d_calloc(out->nr, sizeof(*out->ents));
	if (out->ents == NULL)
		return -DER_NOMEM;
	for (i = 0; i < out->nr; i++) {
		out->ents[i].kind = buf_get_u8(&b);
		get_uuid(&b, out->ents[i].uuid);
		if (out->ents[i].kind < RPC_REVOKE_POH || out->ents[i].kind > RPC_REVOKE_CONT)
			buf_fail(&b, -DER_PROTO);
	}
	if (buf_finish(&b) != 0) {
		rpc_hdl_revoke_in_fini(out);
		return -DER_PROTO;
	}
	return 0;
}

void
rpc_hdl_revoke_in_fini(struct rpc_hdl_revoke_in *in)
{
	d_free(in->ents);
	in->ents = NULL;
}

size_t
rpc_hdl_info_encode(const struct rpc_hdl_info *info, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	put_uuid(&b, info->pool);
	put_uuid(&b, info->cont);
	put_uuid(&b, info->coh);
	put_uuid(&b, info->poh);
	buf_put_u64(&b, info->flags);
	buf_put_u64(&b, info->caps);
	return finish_enc(&b);
}

int
rpc_hdl_info_decode(const void *buf, size_t len, struct rpc_hdl_info *out)
{
	struct buf b = BUF_INIT(buf, len);

	get_uuid(&b, out->pool);
	get_uuid(&b, out->cont);
	get_uuid(&b, out->coh);
	get_uuid(&b, out->poh);
	out->flags = buf_get_u64(&b);
	out->caps = buf_get_u64(&b);
	return buf_finish(&b) != 0 ? -DER_PROTO : 0;
}

size_t
rpc_cont_id_encode(const uuid_t pool, const uuid_t cont, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	put_uuid(&b, pool);
	put_uuid(&b, cont);
	return finish_enc(&b);
}

int
rpc_cont_id_decode(const void *buf, size_t len, uuid_t pool, uuid_t cont)
{
	struct buf b = BUF_INIT(buf, len);

	get_uuid(&b, pool);
	get_uuid(&b, cont);
	return buf_finish(&b) != 0 ? -DER_PROTO : 0;
}

size_t
rpc_snaps_encode(const uint64_t *epochs, uint32_t nr, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	buf_put_u32(&b, nr);
	for (i = 0; i < nr; i++)
		buf_put_u64(&b, epochs[i]);
	return finish_enc(&b);
}

int
rpc_snaps_decode(const void *buf, size_t len, uint64_t **epochs, uint32_t *nr)
{
	struct buf b = BUF_INIT(buf, len);
	uint64_t *e = NULL;
	uint32_t n, i;

	*epochs = NULL;
	*nr = 0;
	n = buf_get_u32_max(&b, RPC_SNAPS_MAX);
	if (b.err == 0 && (size_t)n * 8 > len)
		buf_fail(&b, -DER_PROTO);
	if (b.err == 0 && n > 0) {
		e = d_calloc(n, sizeof(*e));
		if (e == NULL)
			return -DER_NOMEM;
	}
	for (i = 0; i < n && b.err == 0; i++) {
		e[i] = buf_get_u64(&b);
		if (i > 0 && e[i] <= e[i - 1])
			buf_fail(&b, -DER_PROTO);
	}
	if (buf_finish(&b) != 0) {
		d_free(e);
		return -DER_PROTO;
	}
	*epochs = e;
	*nr = n;
	return 0;
}
