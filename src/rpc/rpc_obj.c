/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpc_obj.c - codecs of the object RPCs (layouts in rpc.h). Decoders check every length
 * and count against the body and rpc.h's limits; -DER_PROTO otherwise. Arrays of iods,
 * recxs, segments and akeys are allocated by the decoders and freed by the *_fini().
 */
#include <daos_obj.h>
#include <gurt/common.h>

#include "common/buf.h"
#include "rpc/rpc.h"

static size_t
finish_enc(const struct buf *b)
{
	return b->err != 0 ? 0 : b->off;
}

void
rpc_obj_hdr_encode(struct buf *b, const struct rpc_obj_hdr *h)
{
	buf_put_bytes_raw(b, h->pool, sizeof(uuid_t));
	buf_put_bytes_raw(b, h->cont, sizeof(uuid_t));
	buf_put_bytes_raw(b, h->coh, sizeof(uuid_t));
	buf_put_u32(b, h->svc_rank);
	buf_put_u32(b, h->map_ver);
	buf_put_u64(b, h->oid.lo);
	buf_put_u64(b, h->oid.hi);
	buf_put_u32(b, h->shard);
	buf_put_u64(b, h->epoch);
	buf_put_u64(b, h->flags);
	rpc_iov_encode(b, &h->dkey);
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

void
rpc_obj_hdr_decode(struct buf *b, struct rpc_obj_hdr *h)
{
	get_uuid(b, h->pool);
	get_uuid(b, h->cont);
	get_uuid(b, h->coh);
	h->svc_rank = buf_get_u32(b);
	h->map_ver = buf_get_u32(b);
	h->oid.lo = buf_get_u64(b);
	h->oid.hi = buf_get_u64(b);
	h->shard = buf_get_u32(b);
	h->epoch = buf_get_u64(b);
	h->flags = buf_get_u64(b);
	rpc_iov_decode(b, &h->dkey, RPC_KEY_MAX);
}

/* ---- iods and data ---- */

static void
iods_encode(struct buf *b, uint32_t nr, const struct rpc_iod *iods)
{
	uint32_t i;
	uint32_t r;

	buf_put_u32(b, nr);
	for (i = 0; i < nr; i++) {
		const struct rpc_iod *iod = &iods[i];

		rpc_iov_encode(b, &iod->name);
		buf_put_u8(b, iod->type);
		buf_put_u64(b, iod->size);
		buf_put_u64(b, iod->flags);
		buf_put_u32(b, iod->nr);
		for (r = 0; r < iod->nr; r++) {
			buf_put_u64(b, iod->recxs[r].rx_idx);
			buf_put_u64(b, iod->recxs[r].rx_nr);
		}
	}
}

/* Decode the iods: one allocation holds the iod array and every recx. */
static struct rpc_iod *
iods_decode(struct buf *b, uint32_t *nr_out)
{
	uint32_t nr = buf_get_u32_max(b, RPC_IOD_MAX);
	size_t start = b->off;
	uint64_t total_recx = 0;
	struct rpc_iod *iods;
	daos_recx_t *recxs;
	uint32_t i;
	uint32_t r;

	*nr_out = 0;
	if (b->err != 0 || nr == 0) {
		buf_fail(b, -DER_PROTO);
		return NULL;
	}
	/* first pass: check the shapes and count the recxs */
	for (i = 0; i < nr && b->err == 0; i++) {
		d_iov_t name;
		uint8_t type;
		uint32_t n;

		rpc_iov_decode(b, &name, RPC_KEY_MAX);
		type = buf_get_u8(b);
		buf_get_u64(b);
		buf_get_u64(b);
		n = buf_get_u32_max(b, RPC_RECX_MAX);
		if (b->err != 0)
			break;
		if (name.iov_len == 0 || (type != DAOS_IOD_SINGLE && type != DAOS_IOD_ARRAY) ||
		    (type == DAOS_IOD_SINGLE && n != 0) || (uint64_t)n * 16 > buf_remaining(b)) {
			buf_fail(b, -DER_PROTO);
			break;
		}
		buf_get_bytes_raw(b, (size_t)n * 16);
		total_recx += n;
	}
	if (b->err != 0)
		return NULL;
	iods = d_calloc(1, nr * sizeof(*iods) + total_recx * sizeof(daos_recx_t));
	if (iods == NULL) {
		buf_fail(b, -DER_NOMEM);
		return NULL;
	}
	recxs = (daos_recx_t *)(iods + nr);
	b->off = start;
	for (i = 0; i < nr; i++) {
		struct rpc_iod *iod = &iods[i];

		rpc_iov_decode(b, &iod->name, RPC_KEY_MAX);
		iod->type = buf_get_u8(b);
		iod->size = buf_get_u64(b);
		iod->flags = buf_get_u64(b);
		iod->nr = buf_get_u32(b);
		iod->recxs = iod->nr > 0 ? recxs : NULL;
		for (r = 0; r < iod->nr; r++) {
			recxs[r].rx_idx = buf_get_u64(b);
			recxs[r].rx_nr = buf_get_u64(b);
		}
		recxs += iod->nr;
	}
	*nr_out = nr;
	return iods;
}

static void
data_encode(struct buf *b, const struct rpc_data *d)
{
	uint32_t i;

	buf_put_u8(b, d->kind);
	if (d->kind == RPC_DATA_INLINE) {
		rpc_iov_encode(b, &d->inl);
	} else if (d->kind == RPC_DATA_BULK) {
		buf_put_u32(b, d->nr_segs);
		for (i = 0; i < d->nr_segs; i++) {
			net_bulk_desc_encode(b, &d->segs[i].desc);
			buf_put_u64(b, d->segs[i].len);
		}
	}
}

static void
data_decode(struct buf *b, struct rpc_data *d)
{
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->kind = buf_get_u8(b);
	switch (d->kind) {
	case RPC_DATA_NONE:
		break;
	case RPC_DATA_INLINE:
		rpc_iov_decode(b, &d->inl, NET_BODY_MAX);
		break;
	case RPC_DATA_BULK:
		d->nr_segs = buf_get_u32_max(b, RPC_BULK_SEG_MAX);
		if (b->err != 0 || d->nr_segs == 0 ||
		    (uint64_t)d->nr_segs * (NET_BULK_DESC_SIZE + 8) > buf_remaining(b)) {
			buf_fail(b, -DER_PROTO);
			break;
		}
		d->segs = d_calloc(d->nr_segs, sizeof(*d->segs));
		if (d->segs == NULL) {
			buf_fail(b, -DER_NOMEM);
			break;
		}
		for (i = 0; i < d->nr_segs; i++) {
			net_bulk_desc_decode(b, &d->segs[i].desc);
			d->segs[i].len = buf_get_u64(b);
			if (d->segs[i].len > d->segs[i].desc.len)
				buf_fail(b, -DER_PROTO);
		}
		break;
	default:
		buf_fail(b, -DER_PROTO);
	}
}

static size_t
rw_encode(const struct rpc_obj_rw_in *in, bool fetch, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	rpc_obj_hdr_encode(&b, &in->hdr);
	iods_encode(&b, in->nr, in->iods);
	if (fetch) {
		for (i = 0; i < in->nr; i++)
			buf_put_u64(&b, in->caps[i]);
		buf_put_u8(&b, in->want_maps);
	}
	data_encode(&b, &in->data);
	return finish_enc(&b);
}

size_t
rpc_obj_update_in_encode(const struct rpc_obj_rw_in *in, void *buf, size_t len)
{
	return rw_encode(in, false, buf, len);
}

size_t
rpc_obj_fetch_in_encode(const struct rpc_obj_rw_in *in, void *buf, size_t len)
{
	return rw_encode(in, true, buf, len);
}

int
rpc_obj_rw_in_decode(const void *buf, size_t len, bool fetch, struct rpc_obj_rw_in *out)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	memset(out, 0, sizeof(*out));
	rpc_obj_hdr_decode(&b, &out->hdr);
	out->iods = iods_decode(&b, &out->nr);
	if (fetch && b.err == 0) {
		if ((uint64_t)out->nr * 8 > buf_remaining(&b)) {
			buf_fail(&b, -DER_PROTO);
		} else {
			out->caps = d_calloc(out->nr, sizeof(*out->caps));
			if (out->caps == NULL)
				buf_fail(&b, -DER_NOMEM);
		}
		for (i = 0; i < out->nr && b.err == 0; i++)
			out->caps[i] = buf_get_u64(&b);
		out->want_maps = buf_get_u8(&b);
		if (out->want_maps > 1)
			buf_fail(&b, -DER_PROTO);
	}
	if (b.err == 0)
		data_decode(&b, &out->data);
	if (buf_finish(&b) != 0) {
		int rc = b.err == -DER_NOMEM ? -DER_NOMEM : -DER_PROTO;

		rpc_obj_rw_in_fini(out);
		return rc;
	}
	return 0;
}

void
rpc_obj_rw_in_fini(struct rpc_obj_rw_in *in)
{
	d_free(in->iods);
	d_free(in->caps);
	d_free(in->data.segs);
	in->iods = NULL;
	in->caps = NULL;
	in->data.segs = NULL;
}

/* ---- fetch reply ---- */

static void
recx_put(struct buf *b, const daos_recx_t *r)
{
	buf_put_u64(b, r->rx_idx);
	buf_put_u64(b, r->rx_nr);
}

static void
recx_get(struct buf *b, daos_recx_t *r)
{
	r->rx_idx = buf_get_u64(b);
	r->rx_nr = buf_get_u64(b);
}

size_t
rpc_obj_fetch_out_encode(const struct rpc_obj_fetch_out *out, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;
	uint32_t r;

	buf_put_u32(&b, out->nr);
	for (i = 0; i < out->nr; i++) {
		buf_put_u64(&b, out->sizes[i]);
		buf_put_u64(&b, out->data_lens[i]);
	}
	buf_put_u8(&b, out->maps != NULL);
	for (i = 0; out->maps != NULL && i < out->nr; i++) {
		const struct rpc_iom *m = &out->maps[i];
		uint32_t listed = m->nr_recxs < RPC_IOM_MAX ? m->nr_recxs : RPC_IOM_MAX;

		buf_put_u32(&b, m->nr);
		recx_put(&b, &m->lo);
		recx_put(&b, &m->hi);
		buf_put_u32(&b, listed);
		for (r = 0; r < listed; r++)
			recx_put(&b, &m->recxs[r]);
	}
	rpc_iov_encode(&b, &out->inl);
	return finish_enc(&b);
}

int
rpc_obj_fetch_out_decode(const void *buf, size_t len, struct rpc_obj_fetch_out *out)
{
	struct buf b = BUF_INIT(buf, len);
	uint8_t has_maps;
	uint32_t i;
	uint32_t r;

	memset(out, 0, sizeof(*out));
	out->nr = buf_get_u32_max(&b, RPC_IOD_MAX);
	if (b.err != 0 || (uint64_t)out->nr * 16 > buf_remaining(&b))
		return -DER_PROTO;
	out->sizes = d_calloc(out->nr + 1, sizeof(uint64_t));
	out->data_lens = d_calloc(out->nr + 1, sizeof(uint64_t));
	if (out->sizes == NULL || out->data_lens == NULL) {
		rpc_obj_fetch_out_fini(out);
		return -DER_NOMEM;
	}
	for (i = 0; i < out->nr; i++) {
		out->sizes[i] = buf_get_u64(&b);
		out->data_lens[i] = buf_get_u64(&b);
	}
	has_maps = buf_get_u8(&b);
	if (has_maps > 1)
		buf_fail(&b, -DER_PROTO);
	if (has_maps == 1 && b.err == 0) {
		out->maps = d_calloc(out->nr + 1, sizeof(*out->maps));
		if (out->maps == NULL)
			buf_fail(&b, -DER_NOMEM);
	}
	for (i = 0; has_maps == 1 && i < out->nr && b.err == 0; i++) {
		struct rpc_iom *m = &out->maps[i];

		m->nr = buf_get_u32(&b);
		recx_get(&b, &m->lo);
		recx_get(&b, &m->hi);
		m->nr_recxs = buf_get_u32_max(&b, RPC_IOM_MAX);
		if (b.err != 0 || m->nr_recxs > m->nr ||
		    (uint64_t)m->nr_recxs * 16 > buf_remaining(&b)) {
			buf_fail(&b, -DER_PROTO);
			break;
		}
		if (m->nr_recxs == 0)
			continue;
		m->recxs = d_calloc(m->nr_recxs, sizeof(*m->recxs));
		if (m->recxs == NULL) {
			buf_fail(&b, -DER_NOMEM);
			break;
		}
		for (r = 0; r < m->nr_recxs; r++)
			recx_get(&b, &m->recxs[r]);
	}
	if (b.err == 0)
		rpc_iov_decode(&b, &out->inl, NET_BODY_MAX);
	if (buf_finish(&b) != 0) {
		int rc = b.err == -DER_NOMEM ? -DER_NOMEM : -DER_PROTO;

		rpc_obj_fetch_out_fini(out);
		return rc;
	}
	return 0;
}

void
rpc_obj_fetch_out_fini(struct rpc_obj_fetch_out *out)
{
	uint32_t i;

	for (i = 0; out->maps != NULL && i < out->nr; i++)
		d_free(out->maps[i].recxs);
	d_free(out->maps);
	d_free(out->sizes);
	d_free(out->data_lens);
	out->maps = NULL;
	out->sizes = NULL;
	out->data_lens = NULL;
}

/* ---- punch, enumerate, query ---- */

size_t
rpc_obj_punch_in_encode(const struct rpc_obj_punch_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	rpc_obj_hdr_encode(&b, &in->hdr);
	buf_put_u8(&b, in->kind);
	buf_put_u32(&b, in->nr);
	for (i = 0; i < in->nr; i++)
		rpc_iov_encode(&b, &in->akeys[i]);
	return finish_enc(&b);
}

int
rpc_obj_punch_in_decode(const void *buf, size_t len, struct rpc_obj_punch_in *out)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	memset(out, 0, sizeof(*out));
	rpc_obj_hdr_decode(&b, &out->hdr);
	out->kind = buf_get_u8(&b);
	out->nr = buf_get_u32_max(&b, RPC_IOD_MAX);
	if (b.err != 0 || out->kind < RPC_PUNCH_OBJ || out->kind > RPC_PUNCH_AKEYS ||
	    (out->kind == RPC_PUNCH_AKEYS) != (out->nr > 0) ||
	    (out->kind != RPC_PUNCH_OBJ && out->hdr.dkey.iov_len == 0) ||
	    (uint64_t)out->nr * 4 > buf_remaining(&b))
		return -DER_PROTO;
	if (out->nr > 0) {
		out->akeys = d_calloc(out->nr, sizeof(*out->akeys));
		if (out->akeys == NULL)
			return -DER_NOMEM;
	}
	for (i = 0; i < out->nr; i++) {
		rpc_iov_decode(&b, &out->akeys[i], RPC_KEY_MAX);
		if (out->akeys[i].iov_len == 0)
			buf_fail(&b, -DER_PROTO);
	}
	if (buf_finish(&b) != 0) {
		rpc_obj_punch_in_fini(out);
		return -DER_PROTO;
	}
	return 0;
}

void
rpc_obj_punch_in_fini(struct rpc_obj_punch_in *in)
{
	d_free(in->akeys);
	in->akeys = NULL;
}

size_t
rpc_obj_enum_in_encode(const struct rpc_obj_enum_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_obj_hdr_encode(&b, &in->hdr);
	buf_put_u8(&b, in->kind);
	rpc_iov_encode(&b, &in->akey);
	buf_put_bytes_raw(&b, in->anchor, RPC_ANCHOR_SIZE);
	buf_put_u32(&b, in->nr);
	buf_put_u32(&b, in->room);
	return finish_enc(&b);
}

int
rpc_obj_enum_in_decode(const void *buf, size_t len, struct rpc_obj_enum_in *out)
{
	struct buf b = BUF_INIT(buf, len);
	const void *anchor;

	rpc_obj_hdr_decode(&b, &out->hdr);
	out->kind = buf_get_u8(&b);
	rpc_iov_decode(&b, &out->akey, RPC_KEY_MAX);
	anchor = buf_get_bytes_raw(&b, RPC_ANCHOR_SIZE);
	out->nr = buf_get_u32(&b);
	out->room = buf_get_u32(&b);
	if (buf_finish(&b) != 0 || out->kind < RPC_ENUM_DKEY || out->kind > RPC_ENUM_KEY2ANCHOR ||
	    (out->kind != RPC_ENUM_DKEY && out->kind != RPC_ENUM_OBJ &&
	     out->hdr.dkey.iov_len == 0) ||
	    (out->kind == RPC_ENUM_OBJ && (out->akey.iov_len != 0 || out->room != 0)) ||
	    ((out->kind == RPC_ENUM_RECX || out->kind == RPC_ENUM_RECX_DESC) &&
	     out->akey.iov_len == 0) ||
	    out->nr == 0)
		return -DER_PROTO;
	memcpy(out->anchor, anchor, RPC_ANCHOR_SIZE);
	return 0;
}

size_t
rpc_obj_list_out_encode(const struct rpc_obj_list_out *out, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	buf_put_bytes_raw(&b, out->anchor, RPC_ANCHOR_SIZE);
	buf_put_u32(&b, out->nr);
	for (i = 0; i < out->nr; i++) {
		buf_put_u64(&b, out->ids[i].oid.lo);
		buf_put_u64(&b, out->ids[i].oid.hi);
		buf_put_u32(&b, out->ids[i].shard);
	}
	return finish_enc(&b);
}

int
rpc_obj_list_out_decode(const void *buf, size_t len, struct rpc_obj_list_out *out)
{
	struct buf b = BUF_INIT(buf, len);
	const void *anchor;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	anchor = buf_get_bytes_raw(&b, RPC_ANCHOR_SIZE);
	out->nr = buf_get_u32_max(&b, RPC_OBJ_LIST_MAX);
	/* The count must match the bytes present before anything is allocated for it. */
	if (b.err != 0 || (uint64_t)out->nr * RPC_OBJ_SHARD_WIRE != buf_remaining(&b))
		return -DER_PROTO;
	memcpy(out->anchor, anchor, RPC_ANCHOR_SIZE);
	if (out->nr > 0) {
		out->ids = d_calloc(out->nr, sizeof(*out->ids));
		if (out->ids == NULL)
			return -DER_NOMEM;
	}
	for (i = 0; i < out->nr; i++) {
		out->ids[i].oid.lo = buf_get_u64(&b);
		out->ids[i].oid.hi = buf_get_u64(&b);
		out->ids[i].shard = buf_get_u32(&b);
	}
	if (buf_finish(&b) != 0) {
		rpc_obj_list_out_fini(out);
		return -DER_PROTO;
	}
	return 0;
}

void
rpc_obj_list_out_fini(struct rpc_obj_list_out *out)
{
	d_free(out->ids);
	out->ids = NULL;
}

size_t
rpc_obj_query_in_encode(const struct rpc_obj_query_in *in, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_obj_hdr_encode(&b, &in->hdr);
	buf_put_u32(&b, in->qflags);
	rpc_iov_encode(&b, &in->akey);
	return finish_enc(&b);
}

int
rpc_obj_query_in_decode(const void *buf, size_t len, struct rpc_obj_query_in *out)
{
	struct buf b = BUF_INIT(buf, len);

	rpc_obj_hdr_decode(&b, &out->hdr);
	out->qflags = buf_get_u32(&b);
	rpc_iov_decode(&b, &out->akey, RPC_KEY_MAX);
	if (buf_finish(&b) != 0 || out->qflags == 0 ||
	    (out->qflags != RPC_QUERY_MAX_EPOCH &&
	     (out->qflags & ~(uint32_t)(DAOS_GET_DKEY | DAOS_GET_AKEY | DAOS_GET_RECX |
					DAOS_GET_MAX | DAOS_GET_MIN)) != 0))
		return -DER_PROTO;
	return 0;
}
