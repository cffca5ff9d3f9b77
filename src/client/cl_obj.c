/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_obj.c - objects: open (a local layout computation), update, fetch, punch,
 * enumeration and key queries, each as RPC_OBJ_* requests to the targets holding the
 * object's shards.
 *
 * Routing. Opening computes the layout (placement's pl_layout_create over the pool
 * handle's view of the pool map); it is recomputed when the pool handle has learnt a
 * newer map. A dkey goes to group pl_dkey_grp(pl_dkey_hash(dkey)); classes without
 * redundancy (S*) have one shard per group, so the shard is the group. Replicated and
 * erasure-coded classes are refused (-DER_NOTSUPPORTED) until redundancy exists: open
 * says so in the log. A shard lives at (rank, target index): its requests go to the
 * rank's endpoint tag = target index + 1 (rpc/rpc.h).
 *
 * Data. An update whose values total at most CL_INLINE_MAX travels inside the request;
 * otherwise each piece of the caller's sgls is registered for RMA (read-only) and the
 * target pulls it. A fetch whose buffers total at most CL_INLINE_MAX is answered inline
 * and copied into the sgls; otherwise the buffers are registered write-only and the
 * target pushes into them. Registrations live as long as the request (op fini).
 *
 * Enumeration. A daos_anchor_t keeps the shard being walked in da_shard and that
 * shard's opaque 104-byte anchor (the target's) in da_buf; a dkey listing walks the
 * shards in order and an anchor is EOF after the last shard's end. daos_obj_key2anchor
 * asks the target for an anchor at a key, so only targets ever write da_buf. An anchor
 * of daos_obj_anchor_split/set walks only shards [da_shard, end): da_flags holds
 * ANCHOR_F_SPLIT and the end shard in its upper 16 bits.
 *
 * Everything here runs under the lock of the event's EQ (cl_event.c), so an op's state
 * needs no lock of its own; the object's layout has a mutex since several EQs may use
 * one object.
 */
#define D_LOGFAC DD_FAC(client)

#include <stdio.h>

#include "client/client_int.h"
#include "common/sort.h"

#define CL_INLINE_MAX 8192

struct cl_obj {
	struct cl_hlink hl;
	struct cl_cont *cont; /* reference */
	daos_obj_id_t oid;
	unsigned int mode;
	struct pl_oclass_attr attr;
	pthread_mutex_t lock;
	struct pl_layout *layout; /* lock */
};

static void
obj_free(struct cl_hlink *hl)
{
	struct cl_obj *obj = container_of(hl, struct cl_obj, hl);

	pl_layout_free(obj->layout);
	pthread_mutex_destroy(&obj->lock);
	cl_cont_put(obj->cont);
	d_free(obj);
}

static struct cl_obj *
obj_lookup(daos_handle_t oh)
{
	struct cl_hlink *hl = cl_hdl_lookup(oh, DAOS_HTYPE_OBJ);

	return hl == NULL ? NULL : container_of(hl, struct cl_obj, hl);
}

/* The layout for the pool's current map: recomputed when the map has changed. */
static int
obj_layout_refresh(struct cl_obj *obj)
{
	struct cl_pool *pool = obj->cont->pool;
	struct pl_layout *layout = NULL;
	int rc = 0;

	pthread_rwlock_rdlock(&pool->map_lock);
	pthread_mutex_lock(&obj->lock);
	if (obj->layout == NULL || obj->layout->version != pool->pl.version) {
		rc = pl_layout_create(&pool->pl, obj->oid, &layout);
		if (rc == 0) {
			pl_layout_free(obj->layout);
			obj->layout = layout;
		}
	}
	pthread_mutex_unlock(&obj->lock);
	pthread_rwlock_unlock(&pool->map_lock);
	return rc;
}

uint32_t
cl_obj_dkey_shard(const struct pl_layout *layout, enum daos_otype_t type, const daos_key_t *dkey)
{
	uint64_t hash = pl_dkey_hash(type, dkey->iov_buf, dkey->iov_len);

	return pl_dkey_grp(hash, layout->grp_nr) * layout->grp_size;
}

int
cl_iod_bytes(const daos_iod_t *iod, uint64_t *out)
{
	uint64_t recs = 0;
	uint32_t i;

	if (iod->iod_name.iov_buf == NULL || iod->iod_name.iov_len == 0 ||
	    iod->iod_name.iov_len > RPC_KEY_MAX)
		return -DER_INVAL;
	if (iod->iod_type == DAOS_IOD_SINGLE) {
		if (iod->iod_nr != 1)
			return -DER_INVAL;
		*out = iod->iod_size;
		return 0;
	}
	if (iod->iod_type != DAOS_IOD_ARRAY || iod->iod_nr == 0 || iod->iod_recxs == NULL ||
	    iod->iod_nr > RPC_RECX_MAX)
		return -DER_INVAL;
	for (i = 0; i < iod->iod_nr; i++) {
		if (iod->iod_recxs[i].rx_nr == 0 || recs + iod->iod_recxs[i].rx_nr < recs)
			return -DER_INVAL;
		recs += iod->iod_recxs[i].rx_nr;
	}
	if (iod->iod_size != 0 && recs > UINT64_MAX / iod->iod_size)
		return -DER_INVAL;
	*out = recs * iod->iod_size;
	return 0;
}

static bool
key_is_valid(const daos_key_t *key)
{
	return key != NULL && key->iov_buf != NULL && key->iov_len > 0 &&
	       key->iov_len <= RPC_KEY_MAX && key->iov_len <= key->iov_buf_len;
}

static uint64_t
sgl_len(const d_sg_list_t *sgl)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; sgl != NULL && sgl->sg_iovs != NULL && i < sgl->sg_nr; i++)
		n += sgl->sg_iovs[i].iov_len;
	return n;
}

static uint64_t
sgl_room(const d_sg_list_t *sgl)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; sgl != NULL && sgl->sg_iovs != NULL && i < sgl->sg_nr; i++)
		n += sgl->sg_iovs[i].iov_buf_len;
	return n;
}

/* ---- open and close ---- */

D_EXPORT int
daos_obj_open(daos_handle_t coh, daos_obj_id_t oid, unsigned int mode, daos_handle_t *oh,
	      daos_event_t *ev)
{
	struct cl_cont *cont;
	struct cl_obj *obj;
	char name[64];
	int rc;

	if (oh == NULL || (mode & (DAOS_OO_RO | DAOS_OO_RW | DAOS_OO_EXCL)) == 0)
		return -DER_INVAL;
	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	obj = d_calloc(1, sizeof(*obj));
	if (obj == NULL) {
		cl_cont_put(cont);
		return -DER_NOMEM;
	}
	cl_hlink_init(&obj->hl, DAOS_HTYPE_OBJ, obj_free);
	pthread_mutex_init(&obj->lock, NULL);
	obj->cont = cont;
	obj->oid = oid;
	obj->mode = mode;
	rc = pl_oclass_attr_get(pl_oid_class(oid), &obj->attr);
	if (rc != 0) {
		D_ERROR("object " DF_U64 "." DF_U64 ": unknown class %#x", oid.hi, oid.lo,
			pl_oid_class(oid));
		rc = -DER_INVAL;
		goto out_obj;
	}
	if (obj->attr.resil != DAOS_RES_REPL || obj->attr.rp_nr != 1) {
		pl_oclass_id2name(pl_oid_class(oid), name, sizeof(name));
		D_ERROR("object " DF_U64 "." DF_U64 " of class %s: replication and erasure coding "
			"are not supported yet",
			oid.hi, oid.lo, name);
		rc = -DER_NOTSUPPORTED;
		goto out_obj;
	}
	rc = obj_layout_refresh(obj);
	if (rc != 0) {
		D_ERROR("no layout for object " DF_U64 "." DF_U64 ": " DF_RC, oid.hi, oid.lo,
			DP_RC(rc));
		goto out_obj;
	}
	rc = cl_hdl_insert(&obj->hl, oh);
out_obj:
	cl_hlink_put(&obj->hl);
	return rc != 0 ? rc : cl_op_local(ev, 0);
}

D_EXPORT int
daos_obj_close(daos_handle_t oh, daos_event_t *ev)
{
	struct cl_obj *obj = obj_lookup(oh);

	if (obj == NULL)
		return -DER_NO_HDL;
	cl_hdl_remove(&obj->hl);
	cl_hlink_put(&obj->hl);
	return cl_op_local(ev, 0);
}

/* ---- the operation ---- */

enum obj_kind {
	OBJ_UPDATE,
	OBJ_FETCH,
	OBJ_PUNCH,
	OBJ_ENUM,
	OBJ_QUERY,
};

/* The best keys and extent a query key has seen so far. */
struct obj_query_best {
	uint8_t dkey[RPC_KEY_MAX];
	size_t dkey_len;
	uint8_t akey[RPC_KEY_MAX];
	size_t akey_len;
	daos_recx_t recx;
};

struct obj_op {
	struct cl_op op;
	struct cl_obj *obj; /* reference */
	struct cl_tx *tx;   /* reference: a write kept by this transaction until commit */
	enum obj_kind kind;
	uint64_t epoch;
	uint64_t flags;
	daos_key_t *dkey;
	/* update, fetch */
	unsigned int nr;
	daos_iod_t *iods;
	d_sg_list_t *sgls;
	daos_iom_t *ioms;
	uint64_t *bytes; /* per iod: update: to send; fetch: room */
	struct net_bulk **bulks;
	uint32_t nr_bulks;
	/* punch */
	uint8_t punch;
	daos_key_t *keys; /* dkeys (PUNCH_DKEY) or akeys */
	unsigned int nr_keys;
	/* enumeration */
	uint8_t ekind;
	daos_key_t *akey;
	uint32_t *enr;
	daos_key_desc_t *kds;
	d_sg_list_t *sgl;
	daos_anchor_t *anchor;
	daos_size_t *rsize;
	daos_recx_t *recxs;
	daos_epoch_range_t *eprs;
	bool desc; /* extents highest first */
	/* query */
	uint32_t qflags;
	daos_recx_t *recx;
	bool found;
	struct obj_query_best *best; /* query key only (8 KiB: not in every op) */
	/* max epoch */
	daos_epoch_t *max_epoch;
	uint64_t max_seen;
};

static void
obj_op_fini(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	uint32_t i;

	for (i = 0; i < o->nr_bulks; i++)
		net_bulk_deregister(o->bulks[i]);
	d_free(o->bulks);
	d_free(o->bytes);
	d_free(o->best);
	if (o->tx != NULL)
		cl_tx_put(o->tx);
	cl_hlink_put(&o->obj->hl);
	d_free(o);
}

/* ---- writes kept by a transaction (cl_tx.c runs them at commit) ---- */

void
cl_tx_rec_free(struct cl_tx_rec *r)
{
	unsigned int i;

	if (r == NULL)
		return;
	d_free(r->dkey.iov_buf);
	for (i = 0; r->iods != NULL && i < r->nr; i++) {
		d_free(r->iods[i].iod_name.iov_buf);
		d_free(r->iods[i].iod_recxs);
	}
	for (i = 0; r->sgls != NULL && i < r->nr; i++) {
		if (r->own_data && r->sgls[i].sg_iovs != NULL)
			d_free(r->sgls[i].sg_iovs[0].iov_buf);
		d_free(r->sgls[i].sg_iovs);
	}
	for (i = 0; r->keys != NULL && i < r->nr; i++)
		d_free(r->keys[i].iov_buf);
	d_free(r->iods);
	d_free(r->sgls);
	d_free(r->bytes);
	d_free(r->keys);
	if (r->obj != NULL)
		cl_hlink_put(&r->obj->hl);
	d_free(r);
}

static int
iov_dup(d_iov_t *dst, const d_iov_t *src)
{
	void *p = d_malloc(src->iov_len > 0 ? src->iov_len : 1);

	if (p == NULL)
		return -DER_NOMEM;
	memcpy(p, src->iov_buf, src->iov_len);
	d_iov_set(dst, p, src->iov_len);
	return 0;
}

/* The first @n bytes of @sgl gathered into one buffer of ours, as a one-iov sgl. */
static int
sgl_dup_flat(d_sg_list_t *dst, const d_sg_list_t *src, uint64_t n)
{
	uint8_t *p = d_malloc(n > 0 ? n : 1);
	uint64_t off = 0;
	uint32_t j;

	dst->sg_iovs = d_calloc(1, sizeof(*dst->sg_iovs));
	if (p == NULL || dst->sg_iovs == NULL) {
		d_free(p);
		d_free(dst->sg_iovs);
		dst->sg_iovs = NULL;
		return -DER_NOMEM;
	}
	for (j = 0; src != NULL && j < src->sg_nr && off < n; j++) {
		uint64_t k = D_MIN((uint64_t)src->sg_iovs[j].iov_len, n - off);

		memcpy(p + off, src->sg_iovs[j].iov_buf, k);
		off += k;
	}
	d_iov_set(&dst->sg_iovs[0], p, n);
	dst->sg_nr = 1;
	return 0;
}

/* Keep the write @o (an update or punch through a transaction) in its transaction. */
static int
tx_record(struct obj_op *o)
{
	struct cl_tx_rec *r = d_calloc(1, sizeof(*r));
	unsigned int i;
	int rc = 0;

	if (r == NULL)
		return -DER_NOMEM;
	cl_hlink_get(&o->obj->hl);
	r->obj = o->obj;
	r->flags = o->flags;
	r->punch = o->kind == OBJ_PUNCH ? o->punch : 0;
	r->own_data = !cl_tx_zero_copy(o->tx);
	if (o->dkey != NULL) {
		r->has_dkey = true;
		rc = iov_dup(&r->dkey, o->dkey);
	}
	if (rc == 0 && o->kind == OBJ_UPDATE) {
		r->nr = o->nr;
		r->iods = d_calloc(o->nr, sizeof(*r->iods));
		r->sgls = d_calloc(o->nr, sizeof(*r->sgls));
		r->bytes = d_calloc(o->nr, sizeof(*r->bytes));
		if (r->iods == NULL || r->sgls == NULL || r->bytes == NULL)
			rc = -DER_NOMEM;
		for (i = 0; rc == 0 && i < o->nr; i++) {
			const daos_iod_t *iod = &o->iods[i];

			r->iods[i] = *iod;
			r->iods[i].iod_name.iov_buf = NULL;
			r->iods[i].iod_recxs = NULL;
			r->bytes[i] = o->bytes[i];
			rc = iov_dup(&r->iods[i].iod_name, &iod->iod_name);
			if (rc == 0 && iod->iod_type == DAOS_IOD_ARRAY) {
				r->iods[i].iod_recxs = d_malloc(iod->iod_nr * sizeof(daos_recx_t));
				if (r->iods[i].iod_recxs == NULL)
					rc = -DER_NOMEM;
				else
					memcpy(r->iods[i].iod_recxs, iod->iod_recxs,
					       iod->iod_nr * sizeof(daos_recx_t));
			}
			if (rc != 0 || o->sgls == NULL)
				continue;
			if (r->own_data) {
				rc = sgl_dup_flat(&r->sgls[i], &o->sgls[i], o->bytes[i]);
				continue;
			}
			r->sgls[i] = o->sgls[i];
			r->sgls[i].sg_iovs = d_malloc(o->sgls[i].sg_nr * sizeof(d_iov_t) + 1);
			if (r->sgls[i].sg_iovs == NULL)
				rc = -DER_NOMEM;
			else
				memcpy(r->sgls[i].sg_iovs, o->sgls[i].sg_iovs,
				       o->sgls[i].sg_nr * sizeof(d_iov_t));
		}
		if (rc == 0 && o->sgls == NULL) {
			d_free(r->sgls);
			r->sgls = NULL;
		}
	} else if (rc == 0 && o->nr_keys > 0) {
		r->nr = o->nr_keys;
		r->keys = d_calloc(o->nr_keys, sizeof(*r->keys));
		if (r->keys == NULL)
			rc = -DER_NOMEM;
		for (i = 0; rc == 0 && i < o->nr_keys; i++)
			rc = iov_dup(&r->keys[i], &o->keys[i]);
	}
	if (rc == 0)
		rc = cl_tx_add(o->tx, r);
	if (rc != 0)
		cl_tx_rec_free(r);
	return rc;
}

static void
obj_hdr(struct obj_op *o, uint32_t shard, const daos_key_t *dkey, struct rpc_obj_hdr *h)
{
	struct cl_cont *cont = o->obj->cont;
	struct cl_pool *pool = cont->pool;

	memset(h, 0, sizeof(*h));
	uuid_copy(h->pool, pool->uuid);
	uuid_copy(h->cont, cont->uuid);
	uuid_copy(h->coh, cont->hdl);
	pthread_rwlock_rdlock(&pool->map_lock);
	h->svc_rank = pool->svc[pool->leader % pool->nr_svc];
	h->map_ver = pool->pl.version;
	pthread_rwlock_unlock(&pool->map_lock);
	h->oid = o->obj->oid;
	h->shard = shard;
	h->epoch = o->epoch;
	h->flags = o->flags;
	if (dkey != NULL)
		h->dkey = *dkey;
}

/* Send @body to the target of @shard. */
static int
obj_send(struct obj_op *o, uint32_t shard, uint32_t opc, const void *body, size_t len, uint32_t idx)
{
	struct pl_shard s;

	pthread_mutex_lock(&o->obj->lock);
	s = o->obj->layout->shards[shard];
	pthread_mutex_unlock(&o->obj->lock);
	if (s.rank == CRT_NO_RANK) {
		D_ERROR("shard %u of object " DF_U64 "." DF_U64 " has no target", shard,
			o->obj->oid.hi, o->obj->oid.lo);
		return -DER_UNREACH;
	}
	return cl_op_send(&o->op, s.rank, s.tgt_idx + 1, opc, body, len, idx);
}

static uint32_t
obj_dkey_shard(struct obj_op *o, const daos_key_t *dkey)
{
	uint32_t shard;

	pthread_mutex_lock(&o->obj->lock);
	shard = cl_obj_dkey_shard(o->obj->layout, pl_oid_type(o->obj->oid), dkey);
	pthread_mutex_unlock(&o->obj->lock);
	return shard;
}

static uint32_t
obj_nr_shards(struct obj_op *o)
{
	uint32_t n;

	pthread_mutex_lock(&o->obj->lock);
	n = o->obj->layout->nr_shards;
	pthread_mutex_unlock(&o->obj->lock);
	return n;
}

static int
obj_op_alloc(daos_handle_t oh, daos_handle_t th, enum obj_kind kind, bool write,
	     struct obj_op **out)
{
	struct obj_op *o = NULL;
	struct cl_obj *obj;
	struct cl_tx *tx = NULL;
	bool rdonly = false;
	uint64_t epoch = 0;
	int rc;

	obj = obj_lookup(oh);
	if (obj == NULL)
		return -DER_NO_HDL;
	rc = cl_tx_epoch(th, write, &epoch, &rdonly, write ? &tx : NULL);
	if (rc == 0 && write && (rdonly || (obj->mode & (DAOS_OO_RW | DAOS_OO_EXCL)) == 0))
		rc = -DER_NO_PERM;
	if (rc == 0 && write && !(obj->cont->flags & (DAOS_COO_RW | DAOS_COO_EX)))
		rc = -DER_NO_PERM;
	if (rc == 0)
		rc = obj_layout_refresh(obj);
	if (rc == 0) {
		o = d_calloc(1, sizeof(*o));
		if (o == NULL)
			rc = -DER_NOMEM;
	}
	if (rc != 0) {
		if (tx != NULL)
			cl_tx_put(tx);
		cl_hlink_put(&obj->hl);
		return rc;
	}
	o->obj = obj;
	o->tx = tx;
	o->kind = kind;
	o->epoch = epoch;
	*out = o;
	return 0;
}

/* Register @len bytes at @buf for the op's request; its descriptor into *@seg. */
static int
obj_bulk_add(struct obj_op *o, void *buf, size_t len, enum net_bulk_access access,
	     struct rpc_bulk_seg *seg)
{
	struct net_bulk *bulk;
	int rc;

	rc = net_bulk_register(o->op.ctx->net, buf, len, access, &bulk);
	if (rc != 0) {
		D_ERROR("could not register %zu bytes for RMA: " DF_RC, len, DP_RC(rc));
		return rc;
	}
	o->bulks[o->nr_bulks++] = bulk;
	net_bulk_desc_get(bulk, &seg->desc);
	seg->len = len;
	return 0;
}

/* The bulk segments of the op's sgls: @fetch uses room, update the bytes to send. */
static int
obj_bulk_build(struct obj_op *o, bool fetch, struct rpc_data *data)
{
	uint32_t nr_iovs = 0;
	unsigned int i;
	uint32_t j;
	int rc;

	for (i = 0; i < o->nr; i++)
		nr_iovs += o->sgls[i].sg_nr;
	if (nr_iovs > RPC_BULK_SEG_MAX) {
		D_ERROR("%u buffers in one %s: at most %d", nr_iovs, fetch ? "fetch" : "update",
			RPC_BULK_SEG_MAX);
		return -DER_INVAL;
	}
	o->bulks = d_calloc(nr_iovs + 1, sizeof(*o->bulks));
	data->segs = d_calloc(nr_iovs + 1, sizeof(*data->segs));
	if (o->bulks == NULL || data->segs == NULL)
		return -DER_NOMEM;
	data->kind = RPC_DATA_BULK;
	for (i = 0; i < o->nr; i++) {
		uint64_t left = o->bytes[i];

		for (j = 0; j < o->sgls[i].sg_nr && left > 0; j++) {
			d_iov_t *iov = &o->sgls[i].sg_iovs[j];
			size_t n = fetch ? iov->iov_buf_len : iov->iov_len;

			n = (size_t)D_MIN((uint64_t)n, left);
			if (n == 0)
				continue;
			rc = obj_bulk_add(o, iov->iov_buf, n, fetch ? NET_BULK_WO : NET_BULK_RO,
					  &data->segs[data->nr_segs]);
			if (rc != 0)
				return rc;
			data->nr_segs++;
			left -= n;
		}
	}
	if (data->nr_segs == 0)
		data->kind = RPC_DATA_INLINE;
	return 0;
}

static struct rpc_iod *
rpc_iods_make(const daos_iod_t *iods, unsigned int nr)
{
	struct rpc_iod *r = d_calloc(nr, sizeof(*r));
	unsigned int i;

	for (i = 0; r != NULL && i < nr; i++) {
		r[i].name = iods[i].iod_name;
		r[i].type = (uint8_t)iods[i].iod_type;
		r[i].size = iods[i].iod_size;
		r[i].flags = iods[i].iod_flags;
		r[i].nr = iods[i].iod_type == DAOS_IOD_ARRAY ? iods[i].iod_nr : 0;
		r[i].recxs = iods[i].iod_type == DAOS_IOD_ARRAY ? iods[i].iod_recxs : NULL;
	}
	return r;
}

/* ---- update and fetch ---- */

static int
rw_start(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	bool fetch = o->kind == OBJ_FETCH;
	struct rpc_obj_rw_in in = { 0 };
	uint8_t *body = NULL;
	uint8_t *inl = NULL;
	uint64_t total = 0;
	size_t len = 0;
	uint32_t shard;
	unsigned int i;
	uint32_t j;
	int rc;

	if (o->tx != NULL)
		return tx_record(o); /* sent at commit */
	for (i = 0; i < o->nr; i++)
		total += o->bytes[i];
	shard = obj_dkey_shard(o, o->dkey);
	obj_hdr(o, shard, o->dkey, &in.hdr);
	in.nr = o->nr;
	in.iods = rpc_iods_make(o->iods, o->nr);
	body = net_body_get();
	if (in.iods == NULL || body == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	if (fetch) {
		in.caps = o->bytes;
		in.want_maps = o->ioms != NULL;
	}
	if (total <= CL_INLINE_MAX) {
		in.data.kind = RPC_DATA_INLINE;
		if (!fetch && total > 0 && o->nr == 1 && o->sgls[0].sg_nr > 0 &&
		    o->sgls[0].sg_iovs[0].iov_len >= total) {
			/* one iov holds it all: encoded straight from the caller's buffer */
			d_iov_set(&in.data.inl, o->sgls[0].sg_iovs[0].iov_buf, total);
		} else if (!fetch && total > 0) {
			size_t off = 0;

			inl = d_malloc(total);
			if (inl == NULL) {
				rc = -DER_NOMEM;
				goto out;
			}
			for (i = 0; i < o->nr; i++) {
				uint64_t left = o->bytes[i];

				for (j = 0; j < o->sgls[i].sg_nr && left > 0; j++) {
					d_iov_t *iov = &o->sgls[i].sg_iovs[j];
					size_t n = (size_t)D_MIN((uint64_t)iov->iov_len, left);

					memcpy(inl + off, iov->iov_buf, n);
					off += n;
					left -= n;
				}
			}
			d_iov_set(&in.data.inl, inl, total);
		}
		len = fetch ? rpc_obj_fetch_in_encode(&in, body, NET_BODY_MAX)
			    : rpc_obj_update_in_encode(&in, body, NET_BODY_MAX);
	}
	if (len == 0) {
		/* too large inline: RMA */
		memset(&in.data, 0, sizeof(in.data));
		rc = obj_bulk_build(o, fetch, &in.data);
		if (rc != 0)
			goto out;
		len = fetch ? rpc_obj_fetch_in_encode(&in, body, NET_BODY_MAX)
			    : rpc_obj_update_in_encode(&in, body, NET_BODY_MAX);
		d_free(in.data.segs);
		if (len == 0) {
			D_ERROR("%s request of %u iods does not fit in a message",
				fetch ? "fetch" : "update", o->nr);
			rc = -DER_OVERFLOW;
			goto out;
		}
	}
	rc = obj_send(o, shard, fetch ? RPC_OBJ_FETCH : RPC_OBJ_UPDATE, body, len, 0);
out:
	d_free(inl);
	net_body_put(body);
	d_free(in.iods);
	return rc;
}

static void
update_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	(void)idx;
	(void)body;
	(void)len;
	if (status != 0)
		op->rc = status;
}

/* Put @n bytes of data of iod @i into its sgl (from @src, or already there by RMA). */
static void
sgl_fill(d_sg_list_t *sgl, const uint8_t *src, uint64_t n)
{
	uint32_t j;

	sgl->sg_nr_out = 0;
	for (j = 0; j < sgl->sg_nr; j++) {
		d_iov_t *iov = &sgl->sg_iovs[j];
		size_t k = (size_t)D_MIN((uint64_t)iov->iov_buf_len, n);

		if (src != NULL && k > 0) {
			memcpy(iov->iov_buf, src, k);
			src += k;
		}
		iov->iov_len = k;
		n -= k;
		if (k > 0)
			sgl->sg_nr_out = j + 1;
	}
}

/* Copy @len bytes of @src into @sgl starting @off bytes into it. */
static void
sgl_copy_at(d_sg_list_t *sgl, uint64_t off, const uint8_t *src, uint64_t len)
{
	uint32_t j;

	for (j = 0; j < sgl->sg_nr && len > 0; j++) {
		d_iov_t *iov = &sgl->sg_iovs[j];
		uint64_t k;

		if (off >= iov->iov_buf_len) {
			off -= iov->iov_buf_len;
			continue;
		}
		k = D_MIN(iov->iov_buf_len - off, len);
		memcpy((uint8_t *)iov->iov_buf + off, src, k);
		src += k;
		len -= k;
		off = 0;
	}
}

/*
 * Like sgl_fill, but only the records of the extents @m lists are copied: the bytes of
 * holes stay as the caller left them. @src is laid out as the server read it, the recxs
 * of @iod one after the other, @size bytes per record. Needs the whole list of extents.
 */
static void
sgl_fill_present(d_sg_list_t *sgl, const uint8_t *src, uint64_t n, const daos_iod_t *iod,
		 uint64_t size, const struct rpc_iom *m)
{
	uint64_t dst = 0;
	uint32_t r, e;

	sgl_fill(sgl, NULL, n);
	for (r = 0; r < iod->iod_nr; r++) {
		const daos_recx_t *rx = &iod->iod_recxs[r];
		uint64_t hi = rx->rx_idx + rx->rx_nr - 1;

		for (e = 0; e < m->nr_recxs; e++) {
			const daos_recx_t *x = &m->recxs[e];
			uint64_t a, b, off;

			if (x->rx_nr == 0 || x->rx_idx > hi ||
			    x->rx_idx + x->rx_nr - 1 < rx->rx_idx)
				continue;
			a = D_MAX(x->rx_idx, rx->rx_idx);
			b = D_MIN(x->rx_idx + x->rx_nr - 1, hi);
			off = dst + (a - rx->rx_idx) * size;
			if (off >= n)
				continue;
			sgl_copy_at(sgl, off, src + off, D_MIN((b - a + 1) * size, n - off));
		}
		dst += rx->rx_nr * size;
	}
}

static void
iom_fill(daos_iom_t *iom, const daos_iod_t *iod, uint64_t size, const struct rpc_iom *m)
{
	uint32_t k;

	iom->iom_type = iod->iod_type;
	iom->iom_size = size;
	if (m == NULL) {
		iom->iom_nr_out = 0;
		return;
	}
	iom->iom_recx_lo = m->lo;
	iom->iom_recx_hi = m->hi;
	iom->iom_nr_out = m->nr;
	if (!(iom->iom_flags & DAOS_IOMF_DETAIL))
		return;
	if (iom->iom_recxs == NULL && iom->iom_nr == 0 && m->nr_recxs > 0) {
		iom->iom_recxs = d_calloc(m->nr_recxs, sizeof(*iom->iom_recxs));
		if (iom->iom_recxs != NULL)
			iom->iom_nr = m->nr_recxs;
	}
	for (k = 0; iom->iom_recxs != NULL && k < D_MIN(iom->iom_nr, m->nr_recxs); k++)
		iom->iom_recxs[k] = m->recxs[k];
}

static void
fetch_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	struct rpc_obj_fetch_out out;
	const uint8_t *src;
	uint64_t inl_total = 0;
	unsigned int i;
	int rc;

	(void)idx;
	if (status != 0 && status != -DER_REC2BIG) {
		op->rc = status;
		return;
	}
	rc = rpc_obj_fetch_out_decode(body, len, &out);
	if (rc != 0 || out.nr != o->nr) {
		op->rc = rc != 0 ? rc : -DER_PROTO;
		if (rc == 0)
			rpc_obj_fetch_out_fini(&out);
		return;
	}
	for (i = 0; i < o->nr; i++) {
		if (out.data_lens[i] > o->bytes[i] && status == 0) {
			op->rc = -DER_PROTO;
			goto out;
		}
		inl_total += out.data_lens[i];
	}
	for (i = 0; i < o->nr; i++)
		o->iods[i].iod_size = out.sizes[i];
	/* no buffers at all: a size query, which the sizes answer (DAOS_REC_ANY) */
	if (status == -DER_REC2BIG && o->sgls == NULL)
		status = 0;
	if (status != 0) {
		op->rc = status;
		goto out;
	}
	if (out.inl.iov_len > 0 && out.inl.iov_len != inl_total) {
		op->rc = -DER_PROTO;
		goto out;
	}
	src = out.inl.iov_len > 0 ? out.inl.iov_buf : NULL;
	for (i = 0; o->sgls != NULL && i < o->nr; i++) {
		const struct rpc_iom *m = out.maps != NULL ? &out.maps[i] : NULL;

		/* Inline data with holes comes with the whole list of extents present. */
		if (src != NULL && m != NULL && o->iods[i].iod_type == DAOS_IOD_ARRAY &&
		    m->nr_recxs == m->nr && m->nr > 0)
			sgl_fill_present(&o->sgls[i], src, out.data_lens[i], &o->iods[i],
					 out.sizes[i], m);
		else
			sgl_fill(&o->sgls[i], src, out.data_lens[i]);
		if (src != NULL)
			src += out.data_lens[i];
	}
	for (i = 0; o->ioms != NULL && i < o->nr; i++)
		iom_fill(&o->ioms[i], &o->iods[i], out.sizes[i],
			 out.maps != NULL ? &out.maps[i] : NULL);
out:
	rpc_obj_fetch_out_fini(&out);
}

static int
op_done_rc(struct cl_op *op)
{
	return op->rc;
}

static const struct cl_op_ops update_ops = {
	.start = rw_start,
	.reply = update_reply,
	.done = op_done_rc,
	.fini = obj_op_fini,
};

static const struct cl_op_ops fetch_ops = {
	.start = rw_start,
	.reply = fetch_reply,
	.done = op_done_rc,
	.fini = obj_op_fini,
};

static int
recx_cmp(const void *a, const void *b)
{
	const daos_recx_t *x = a, *y = b;

	return x->rx_idx < y->rx_idx ? -1 : x->rx_idx > y->rx_idx;
}

/* Whether two extents of one array iod overlap: an update must name each record once. */
static int
recxs_overlap(const daos_iod_t *iod, bool *overlap)
{
	daos_recx_t *s;
	uint32_t i;

	*overlap = false;
	if (iod->iod_type != DAOS_IOD_ARRAY || iod->iod_nr < 2)
		return 0;
	s = d_malloc(iod->iod_nr * sizeof(*s));
	if (s == NULL)
		return -DER_NOMEM;
	memcpy(s, iod->iod_recxs, iod->iod_nr * sizeof(*s));
	d_sort(s, iod->iod_nr, sizeof(*s), recx_cmp);
	for (i = 1; i < iod->iod_nr && !*overlap; i++)
		*overlap = s[i - 1].rx_idx + s[i - 1].rx_nr > s[i].rx_idx;
	d_free(s);
	return 0;
}

/*
 * The conditions an update or fetch may carry: a fetch only the *_FETCH ones, an update
 * only INSERT or UPDATE (not both for one key); with DAOS_COND_PER_AKEY each iod's own.
 */
static int
cond_check(uint64_t flags, unsigned int nr, const daos_iod_t *iods, bool fetch)
{
	uint64_t allowed = fetch ? DAOS_COND_DKEY_FETCH | DAOS_COND_AKEY_FETCH
				 : DAOS_COND_DKEY_INSERT | DAOS_COND_DKEY_UPDATE |
					   DAOS_COND_AKEY_INSERT | DAOS_COND_AKEY_UPDATE;
	uint64_t akey_allowed =
		fetch ? DAOS_COND_AKEY_FETCH : DAOS_COND_AKEY_INSERT | DAOS_COND_AKEY_UPDATE;
	uint64_t both_d = DAOS_COND_DKEY_INSERT | DAOS_COND_DKEY_UPDATE;
	uint64_t both_a = DAOS_COND_AKEY_INSERT | DAOS_COND_AKEY_UPDATE;
	unsigned int i;

	if ((flags & DAOS_COND_MASK & ~(allowed | DAOS_COND_PER_AKEY)) != 0 ||
	    (flags & both_d) == both_d || (flags & both_a) == both_a) {
		D_ERROR("%s with conditions %#" PRIx64 " it cannot take",
			fetch ? "fetch" : "update", flags & DAOS_COND_MASK);
		return -DER_INVAL;
	}
	if (!(flags & DAOS_COND_PER_AKEY))
		return 0;
	for (i = 0; i < nr; i++) {
		uint64_t f = iods[i].iod_flags & DAOS_COND_MASK;

		if ((f & ~akey_allowed) != 0 || (f & both_a) == both_a) {
			D_ERROR("iod %u with conditions %#" PRIx64 " it cannot take", i, f);
			return -DER_INVAL;
		}
	}
	return 0;
}

static int
rw_check(daos_key_t *dkey, unsigned int nr, daos_iod_t *iods, bool fetch, d_sg_list_t *sgls,
	 uint64_t *bytes)
{
	unsigned int i;
	bool overlap;
	int rc;

	if (!key_is_valid(dkey) || nr == 0 || nr > RPC_IOD_MAX || iods == NULL)
		return -DER_INVAL;
	for (i = 0; i < nr; i++) {
		rc = cl_iod_bytes(&iods[i], &bytes[i]);
		if (rc != 0)
			return rc;
		if (sgls != NULL && sgls[i].sg_nr > 0 && sgls[i].sg_iovs == NULL)
			return -DER_INVAL;
		if (fetch) {
			bytes[i] = sgl_room(sgls != NULL ? &sgls[i] : NULL);
			continue;
		}
		if (bytes[i] > 0 && (sgls == NULL || sgl_len(&sgls[i]) < bytes[i])) {
			D_ERROR("update of %u bytes from an sgl of " DF_U64 " bytes",
				(unsigned)bytes[i], sgls != NULL ? sgl_len(&sgls[i]) : 0);
			return -DER_INVAL;
		}
		rc = recxs_overlap(&iods[i], &overlap);
		if (rc != 0)
			return rc;
		if (overlap) {
			D_ERROR("update whose extents overlap (iod %u)", i);
			return -DER_INVAL;
		}
	}
	return 0;
}

/* An update or fetch, checked and ready to run. */
static int
rw_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey, unsigned int nr,
      daos_iod_t *iods, d_sg_list_t *sgls, daos_iom_t *ioms, bool fetch, struct cl_op **out)
{
	struct obj_op *o;
	uint64_t *bytes;
	int rc;

	bytes = d_calloc(nr + 1, sizeof(*bytes));
	if (bytes == NULL)
		return -DER_NOMEM;
	rc = rw_check(dkey, nr, iods, fetch, sgls, bytes);
	if (rc == 0)
		rc = cond_check(flags, nr, iods, fetch);
	if (rc == 0)
		rc = obj_op_alloc(oh, th, fetch ? OBJ_FETCH : OBJ_UPDATE, !fetch, &o);
	if (rc != 0) {
		d_free(bytes);
		return rc;
	}
	o->flags = flags;
	o->dkey = dkey;
	o->nr = nr;
	o->iods = iods;
	o->sgls = sgls;
	o->ioms = ioms;
	o->bytes = bytes;
	o->op.ops = fetch ? &fetch_ops : &update_ops;
	*out = &o->op;
	return 0;
}

int
cl_obj_update_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		 unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, struct cl_op **out)
{
	return rw_op(oh, th, flags, dkey, nr, iods, sgls, NULL, false, out);
}

D_EXPORT int
daos_obj_update(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, daos_event_t *ev)
{
	struct cl_op *op;
	int rc;

	rc = cl_obj_update_op(oh, th, flags, dkey, nr, iods, sgls, &op);
	return rc != 0 ? rc : cl_op_run(op, op->ops, ev);
}

int
cl_obj_fetch_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, daos_iom_t *ioms,
		struct cl_op **out)
{
	return rw_op(oh, th, flags, dkey, nr, iods, sgls, ioms, true, out);
}

D_EXPORT int
daos_obj_fetch(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
	       unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, daos_iom_t *ioms,
	       daos_event_t *ev)
{
	struct cl_op *op;
	int rc;

	rc = cl_obj_fetch_op(oh, th, flags, dkey, nr, iods, sgls, ioms, &op);
	return rc != 0 ? rc : cl_op_run(op, op->ops, ev);
}

/* ---- punch ---- */

static int
punch_send(struct obj_op *o, uint32_t shard, const daos_key_t *dkey, uint8_t kind, unsigned int nr,
	   daos_key_t *akeys, uint32_t idx)
{
	struct rpc_obj_punch_in in = { 0 };
	uint8_t *body;
	size_t len;
	int rc;

	body = d_malloc(NET_BODY_MAX);
	if (body == NULL)
		return -DER_NOMEM;
	obj_hdr(o, shard, dkey, &in.hdr);
	in.kind = kind;
	in.nr = nr;
	in.akeys = akeys;
	len = rpc_obj_punch_in_encode(&in, body, NET_BODY_MAX);
	rc = len == 0 ? -DER_OVERFLOW : obj_send(o, shard, RPC_OBJ_PUNCH, body, len, idx);
	d_free(body);
	return rc;
}

static int
punch_start(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	uint32_t i;
	int rc = 0;

	if (o->tx != NULL)
		return tx_record(o); /* sent at commit */
	switch (o->punch) {
	case RPC_PUNCH_OBJ:
		/* every shard holds part of the object */
		for (i = 0; i < obj_nr_shards(o) && rc == 0; i++)
			rc = punch_send(o, i, NULL, RPC_PUNCH_OBJ, 0, NULL, i);
		break;
	case RPC_PUNCH_DKEY:
		for (i = 0; i < o->nr_keys && rc == 0; i++)
			rc = punch_send(o, obj_dkey_shard(o, &o->keys[i]), &o->keys[i],
					RPC_PUNCH_DKEY, 0, NULL, i);
		break;
	default:
		rc = punch_send(o, obj_dkey_shard(o, o->dkey), o->dkey, RPC_PUNCH_AKEYS, o->nr_keys,
				o->keys, 0);
	}
	return rc;
}

static void
punch_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	(void)idx;
	(void)body;
	(void)len;
	if (status != 0 && op->rc == 0)
		op->rc = status;
}

static const struct cl_op_ops punch_ops = {
	.start = punch_start,
	.reply = punch_reply,
	.done = op_done_rc,
	.fini = obj_op_fini,
};

static int
punch_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, uint8_t kind, daos_key_t *dkey,
	 unsigned int nr, daos_key_t *keys, struct cl_op **out)
{
	struct obj_op *o;
	unsigned int i;
	int rc;

	if (kind == RPC_PUNCH_AKEYS && !key_is_valid(dkey))
		return -DER_INVAL;
	if ((flags & DAOS_COND_MASK & ~DAOS_COND_PUNCH) != 0) {
		D_ERROR("punch with conditions %#" PRIx64 " it cannot take",
			flags & DAOS_COND_MASK);
		return -DER_INVAL;
	}
	if (kind != RPC_PUNCH_OBJ && (nr == 0 || keys == NULL || nr > RPC_IOD_MAX))
		return -DER_INVAL;
	for (i = 0; kind != RPC_PUNCH_OBJ && i < nr; i++)
		if (!key_is_valid(&keys[i]))
			return -DER_INVAL;
	rc = obj_op_alloc(oh, th, OBJ_PUNCH, true, &o);
	if (rc != 0)
		return rc;
	o->flags = flags;
	o->punch = kind;
	o->dkey = dkey;
	o->keys = keys;
	o->nr_keys = nr;
	o->op.ops = &punch_ops;
	*out = &o->op;
	return 0;
}

int
cl_obj_punch_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, unsigned int nr,
		daos_key_t *dkeys, struct cl_op **out)
{
	if (dkeys == NULL && nr == 0)
		return punch_op(oh, th, flags, RPC_PUNCH_OBJ, NULL, 0, NULL, out);
	return punch_op(oh, th, flags, RPC_PUNCH_DKEY, NULL, nr, dkeys, out);
}

static int
punch(daos_handle_t oh, daos_handle_t th, uint64_t flags, uint8_t kind, daos_key_t *dkey,
      unsigned int nr, daos_key_t *keys, daos_event_t *ev)
{
	struct cl_op *op;
	int rc;

	rc = punch_op(oh, th, flags, kind, dkey, nr, keys, &op);
	return rc != 0 ? rc : cl_op_run(op, op->ops, ev);
}

int
cl_tx_rec_op(struct cl_tx_rec *r, struct cl_op **out)
{
	struct obj_op *o;
	int rc;

	rc = obj_layout_refresh(r->obj);
	if (rc != 0)
		return rc;
	o = d_calloc(1, sizeof(*o));
	if (o == NULL)
		return -DER_NOMEM;
	if (r->punch == 0) {
		o->bytes = d_calloc(r->nr + 1, sizeof(*o->bytes));
		if (o->bytes == NULL) {
			d_free(o);
			return -DER_NOMEM;
		}
		memcpy(o->bytes, r->bytes, r->nr * sizeof(*o->bytes));
	}
	cl_hlink_get(&r->obj->hl);
	o->obj = r->obj;
	o->flags = r->flags;
	o->dkey = r->has_dkey ? &r->dkey : NULL;
	if (r->punch == 0) {
		o->kind = OBJ_UPDATE;
		o->nr = r->nr;
		o->iods = r->iods;
		o->sgls = r->sgls;
		o->op.ops = &update_ops;
	} else {
		o->kind = OBJ_PUNCH;
		o->punch = r->punch;
		o->keys = r->keys;
		o->nr_keys = r->punch == RPC_PUNCH_OBJ ? 0 : r->nr;
		o->op.ops = &punch_ops;
	}
	*out = &o->op;
	return 0;
}

D_EXPORT int
daos_obj_punch(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_event_t *ev)
{
	return punch(oh, th, flags, RPC_PUNCH_OBJ, NULL, 0, NULL, ev);
}

D_EXPORT int
daos_obj_punch_dkeys(daos_handle_t oh, daos_handle_t th, uint64_t flags, unsigned int nr,
		     daos_key_t *dkeys, daos_event_t *ev)
{
	return punch(oh, th, flags, RPC_PUNCH_DKEY, NULL, nr, dkeys, ev);
}

D_EXPORT int
daos_obj_punch_akeys(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		     unsigned int nr, daos_key_t *akeys, daos_event_t *ev)
{
	return punch(oh, th, flags, RPC_PUNCH_AKEYS, dkey, nr, akeys, ev);
}

/* ---- enumeration ---- */

static int
enum_send(struct obj_op *o)
{
	struct rpc_obj_enum_in in = { 0 };
	uint32_t shard;
	uint8_t *body;
	size_t len;
	int rc;

	if (o->ekind == RPC_ENUM_DKEY)
		shard = o->anchor->da_shard;
	else
		shard = obj_dkey_shard(o, o->dkey);
	body = d_malloc(NET_BODY_MAX);
	if (body == NULL)
		return -DER_NOMEM;
	obj_hdr(o, shard, o->ekind == RPC_ENUM_DKEY ? NULL : o->dkey, &in.hdr);
	in.kind = o->ekind == RPC_ENUM_RECX && o->desc ? RPC_ENUM_RECX_DESC : o->ekind;
	if (o->akey != NULL)
		in.akey = *o->akey;
	memcpy(in.anchor, o->anchor->da_buf, RPC_ANCHOR_SIZE);
	in.nr = *o->enr;
	if (o->ekind != RPC_ENUM_RECX) {
		/* keys come back inline: no more than a reply holds */
		uint64_t room = sgl_room(o->sgl);

		in.room = (uint32_t)D_MIN(room, (uint64_t)(NET_BODY_MAX - 1024));
		in.nr = D_MIN(in.nr, in.room / 4 + 1);
	} else {
		in.nr = D_MIN(in.nr, (uint32_t)((NET_BODY_MAX - 1024) / 24));
	}
	len = rpc_obj_enum_in_encode(&in, body, NET_BODY_MAX);
	rc = len == 0 ? -DER_OVERFLOW : obj_send(o, shard, RPC_OBJ_ENUM, body, len, 0);
	d_free(body);
	return rc;
}

static int
enum_start(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);

	if (daos_anchor_is_eof(o->anchor)) {
		*o->enr = 0;
		return 0;
	}
	return enum_send(o);
}

/* Copy @len key bytes at offset *@off of the sgl. */
static void
sgl_put(d_sg_list_t *sgl, uint64_t *off, const uint8_t *src, size_t len)
{
	uint64_t pos = 0;
	uint32_t j;

	for (j = 0; j < sgl->sg_nr && len > 0; j++) {
		d_iov_t *iov = &sgl->sg_iovs[j];
		uint64_t end = pos + iov->iov_buf_len;

		if (*off < end) {
			size_t at = (size_t)(*off - pos);
			size_t n = D_MIN(len, iov->iov_buf_len - at);

			memcpy((uint8_t *)iov->iov_buf + at, src, n);
			iov->iov_len = at + n;
			sgl->sg_nr_out = j + 1;
			src += n;
			len -= n;
			*off += n;
		}
		pos = end;
	}
}

#define ANCHOR_F_SPLIT 1u

/* The number of shards of the object open as @oh. */
static int
oh_nr_shards(daos_handle_t oh, uint32_t *nr)
{
	struct cl_obj *obj = obj_lookup(oh);

	if (obj == NULL)
		return -DER_NO_HDL;
	pthread_mutex_lock(&obj->lock);
	*nr = obj->layout->nr_shards;
	pthread_mutex_unlock(&obj->lock);
	cl_hlink_put(&obj->hl);
	return 0;
}

/* An anchor that lists shards [@start, @end) only. */
static void
anchor_split_part(daos_anchor_t *anchor, uint32_t start, uint32_t end)
{
	memset(anchor, 0, sizeof(*anchor));
	anchor->da_shard = (uint16_t)start;
	anchor->da_flags = ANCHOR_F_SPLIT | (end << 16);
}

/* The shard after the last one @anchor lists: its split's end, or the object's. */
static uint32_t
anchor_end_shard(struct obj_op *o, const daos_anchor_t *anchor)
{
	uint32_t end = anchor->da_flags >> 16;

	if ((anchor->da_flags & ANCHOR_F_SPLIT) && end > 0 && end <= obj_nr_shards(o))
		return end;
	return obj_nr_shards(o);
}

static void
enum_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	struct buf b = BUF_INIT(body, len);
	const uint8_t *anchor;
	uint64_t off = 0;
	uint32_t count;
	uint32_t i;

	(void)idx;
	if (status == -DER_KEY2BIG) {
		uint32_t need = buf_get_u32(&b);

		if (buf_finish(&b) == 0 && o->kds != NULL)
			o->kds[0].kd_key_len = need;
		op->rc = status;
		return;
	}
	if (status != 0) {
		op->rc = status;
		return;
	}
	anchor = buf_get_bytes_raw(&b, RPC_ANCHOR_SIZE);
	count = buf_get_u32(&b);
	if (b.err != 0 || count > *o->enr) {
		op->rc = -DER_PROTO;
		return;
	}
	if (o->ekind == RPC_ENUM_RECX) {
		uint64_t rsize = buf_get_u64(&b);
		uint64_t epoch;

		for (i = 0; i < count && b.err == 0; i++) {
			o->recxs[i].rx_idx = buf_get_u64(&b);
			o->recxs[i].rx_nr = buf_get_u64(&b);
			epoch = buf_get_u64(&b);
			if (o->eprs != NULL) {
				/* written at epoch, visible until something newer covers it */
				o->eprs[i].epr_lo = epoch;
				o->eprs[i].epr_hi = DAOS_EPOCH_MAX;
			}
		}
		if (o->rsize != NULL)
			*o->rsize = rsize;
	} else {
		if (o->sgl != NULL)
			o->sgl->sg_nr_out = 0;
		for (i = 0; i < count && b.err == 0; i++) {
			size_t klen;
			const uint8_t *k = buf_get_bytes(&b, &klen);

			if (k == NULL)
				break;
			if (off + klen > sgl_room(o->sgl)) {
				buf_fail(&b, -DER_PROTO);
				break;
			}
			o->kds[i].kd_key_len = klen;
			o->kds[i].kd_val_type = 0;
			sgl_put(o->sgl, &off, k, klen);
		}
	}
	if (buf_finish(&b) != 0) {
		op->rc = -DER_PROTO;
		return;
	}
	*o->enr = count;
	memcpy(o->anchor->da_buf, anchor, RPC_ANCHOR_SIZE);
	o->anchor->da_type = DAOS_ANCHOR_TYPE_HKEY;
	/* An anchor at a key on a shard with nothing: the listing goes on from there. */
	if (cl_shard_anchor_is_eof(anchor) && o->ekind != RPC_ENUM_KEY2ANCHOR) {
		if (o->ekind == RPC_ENUM_DKEY &&
		    (uint32_t)o->anchor->da_shard + 1 < anchor_end_shard(o, o->anchor)) {
			o->anchor->da_shard++;
			memset(o->anchor->da_buf, 0, sizeof(o->anchor->da_buf));
			/* nothing from this shard: ask the next one in the same call */
			o->found = count == 0;
		} else {
			o->anchor->da_type = DAOS_ANCHOR_TYPE_EOF;
		}
	}
	op->rc = 0;
}

static int
enum_done(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	int rc;

	if (op->rc != 0 || !o->found)
		return op->rc;
	o->found = false;
	*o->enr = o->nr;
	rc = enum_send(o);
	return rc == 0 ? 1 : rc;
}

static const struct cl_op_ops enum_ops = {
	.start = enum_start,
	.reply = enum_reply,
	.done = enum_done,
	.fini = obj_op_fini,
};

static int
list_keys_op(daos_handle_t oh, daos_handle_t th, uint8_t kind, daos_key_t *dkey, daos_key_t *akey,
	     uint32_t *nr, daos_key_desc_t *kds, d_sg_list_t *sgl, daos_anchor_t *anchor,
	     daos_size_t *size, daos_recx_t *recxs, daos_epoch_range_t *eprs, struct cl_op **out)
{
	bool desc = kind == RPC_ENUM_RECX_DESC;
	struct obj_op *o;
	int rc;

	if (desc)
		kind = RPC_ENUM_RECX;

	if (nr == NULL || *nr == 0 || anchor == NULL)
		return -DER_INVAL;
	if (kind != RPC_ENUM_DKEY && !key_is_valid(dkey))
		return -DER_INVAL;
	if (kind == RPC_ENUM_RECX && (!key_is_valid(akey) || recxs == NULL))
		return -DER_INVAL;
	if (kind != RPC_ENUM_RECX &&
	    (kds == NULL || sgl == NULL || sgl->sg_nr == 0 || sgl->sg_iovs == NULL))
		return -DER_INVAL;
	rc = obj_op_alloc(oh, th, OBJ_ENUM, false, &o);
	if (rc != 0)
		return rc;
	if (kind == RPC_ENUM_DKEY && anchor->da_shard >= obj_nr_shards(o)) {
		obj_op_fini(&o->op);
		return -DER_INVAL;
	}
	o->ekind = kind;
	o->dkey = dkey;
	o->akey = akey;
	o->enr = nr;
	o->nr = *nr;
	o->kds = kds;
	o->sgl = sgl;
	o->anchor = anchor;
	o->rsize = size;
	o->recxs = recxs;
	o->eprs = eprs;
	o->desc = desc;
	o->op.ops = &enum_ops;
	*out = &o->op;
	return 0;
}

static int
list_keys(daos_handle_t oh, daos_handle_t th, uint8_t kind, daos_key_t *dkey, daos_key_t *akey,
	  uint32_t *nr, daos_key_desc_t *kds, d_sg_list_t *sgl, daos_anchor_t *anchor,
	  daos_size_t *size, daos_recx_t *recxs, daos_epoch_range_t *eprs, daos_event_t *ev)
{
	struct cl_op *op;
	int rc;

	rc = list_keys_op(oh, th, kind, dkey, akey, nr, kds, sgl, anchor, size, recxs, eprs, &op);
	return rc != 0 ? rc : cl_op_run(op, op->ops, ev);
}

int
cl_obj_list_dkey_op(daos_handle_t oh, daos_handle_t th, uint32_t *nr, daos_key_desc_t *kds,
		    d_sg_list_t *sgl, daos_anchor_t *anchor, struct cl_op **out)
{
	return list_keys_op(oh, th, RPC_ENUM_DKEY, NULL, NULL, nr, kds, sgl, anchor, NULL, NULL,
			    NULL, out);
}

D_EXPORT int
daos_obj_list_dkey(daos_handle_t oh, daos_handle_t th, uint32_t *nr, daos_key_desc_t *kds,
		   d_sg_list_t *sgl, daos_anchor_t *anchor, daos_event_t *ev)
{
	return list_keys(oh, th, RPC_ENUM_DKEY, NULL, NULL, nr, kds, sgl, anchor, NULL, NULL, NULL,
			 ev);
}

D_EXPORT int
daos_obj_list_akey(daos_handle_t oh, daos_handle_t th, daos_key_t *dkey, uint32_t *nr,
		   daos_key_desc_t *kds, d_sg_list_t *sgl, daos_anchor_t *anchor, daos_event_t *ev)
{
	return list_keys(oh, th, RPC_ENUM_AKEY, dkey, NULL, nr, kds, sgl, anchor, NULL, NULL, NULL,
			 ev);
}

D_EXPORT int
daos_obj_list_recx(daos_handle_t oh, daos_handle_t th, daos_key_t *dkey, daos_key_t *akey,
		   daos_size_t *size, uint32_t *nr, daos_recx_t *recxs, daos_epoch_range_t *eprs,
		   daos_anchor_t *anchor, bool incr_order, daos_event_t *ev)
{
	return list_keys(oh, th, incr_order ? RPC_ENUM_RECX : RPC_ENUM_RECX_DESC, dkey, akey, nr,
			 NULL, NULL, anchor, size, recxs, eprs, ev);
}

/* ---- key queries ---- */

static int
query_send(struct obj_op *o, uint32_t shard, uint32_t idx)
{
	struct rpc_obj_query_in in = { 0 };
	uint8_t *body;
	size_t len;
	int rc;

	body = d_malloc(NET_BODY_MAX);
	if (body == NULL)
		return -DER_NOMEM;
	obj_hdr(o, shard, (o->qflags & (DAOS_GET_DKEY | RPC_QUERY_MAX_EPOCH)) ? NULL : o->dkey,
		&in.hdr);
	in.qflags = o->qflags;
	if (o->akey != NULL && !(o->qflags & DAOS_GET_AKEY))
		in.akey = *o->akey;
	len = rpc_obj_query_in_encode(&in, body, NET_BODY_MAX);
	rc = len == 0 ? -DER_OVERFLOW : obj_send(o, shard, RPC_OBJ_QUERY_KEY, body, len, idx);
	d_free(body);
	return rc;
}

static int
query_start(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	uint32_t i;
	int rc = 0;

	if (!(o->qflags & DAOS_GET_DKEY))
		return query_send(o, obj_dkey_shard(o, o->dkey), 0);
	/* the greatest or least dkey may be on any shard */
	for (i = 0; i < obj_nr_shards(o) && rc == 0; i++)
		rc = query_send(o, i, i);
	return rc;
}

/* Whether dkey @a (len @alen) is beyond the best so far, in the query's direction. */
static bool
dkey_better(struct obj_op *o, const uint8_t *a, size_t alen)
{
	int cmp;

	if (!o->found)
		return true;
	if (pl_otype_dkey_is_uint64(pl_oid_type(o->obj->oid)) && alen == 8 &&
	    o->best->dkey_len == 8) {
		uint64_t x;
		uint64_t y;

		memcpy(&x, a, 8);
		memcpy(&y, o->best->dkey, 8);
		cmp = x < y ? -1 : x > y;
	} else {
		cmp = memcmp(a, o->best->dkey, D_MIN(alen, o->best->dkey_len));
		if (cmp == 0)
			cmp = alen < o->best->dkey_len ? -1 : alen > o->best->dkey_len;
	}
	return (o->qflags & DAOS_GET_MAX) ? cmp > 0 : cmp < 0;
}

static void
query_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	struct buf b = BUF_INIT(body, len);
	const uint8_t *dk;
	const uint8_t *ak;
	size_t dlen;
	size_t alen;
	daos_recx_t recx;

	(void)idx;
	if (status == -DER_NONEXIST)
		return;
	if (status != 0) {
		op->rc = status;
		return;
	}
	dk = buf_get_bytes(&b, &dlen);
	ak = buf_get_bytes(&b, &alen);
	recx.rx_idx = buf_get_u64(&b);
	recx.rx_nr = buf_get_u64(&b);
	if (buf_finish(&b) != 0 || dlen > RPC_KEY_MAX || alen > RPC_KEY_MAX) {
		op->rc = -DER_PROTO;
		return;
	}
	if ((o->qflags & DAOS_GET_DKEY) && !dkey_better(o, dk, dlen))
		return;
	memcpy(o->best->dkey, dk, dlen);
	o->best->dkey_len = dlen;
	memcpy(o->best->akey, ak, alen);
	o->best->akey_len = alen;
	o->best->recx = recx;
	o->found = true;
}

static int
query_done(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);

	if (op->rc != 0)
		return op->rc;
	if (!o->found)
		return -DER_NONEXIST;
	if (o->qflags & DAOS_GET_DKEY) {
		if (o->dkey->iov_buf_len < o->best->dkey_len)
			return -DER_TRUNC;
		memcpy(o->dkey->iov_buf, o->best->dkey, o->best->dkey_len);
		o->dkey->iov_len = o->best->dkey_len;
	}
	if (o->qflags & DAOS_GET_AKEY) {
		if (o->akey->iov_buf_len < o->best->akey_len)
			return -DER_TRUNC;
		memcpy(o->akey->iov_buf, o->best->akey, o->best->akey_len);
		o->akey->iov_len = o->best->akey_len;
	}
	if (o->qflags & DAOS_GET_RECX)
		*o->recx = o->best->recx;
	return 0;
}

static const struct cl_op_ops query_ops = {
	.start = query_start,
	.reply = query_reply,
	.done = query_done,
	.fini = obj_op_fini,
};

int
cl_obj_query_key_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		    daos_key_t *akey, daos_recx_t *recx, struct cl_op **out)
{
	struct obj_op *o;
	uint64_t dir = flags & (DAOS_GET_MAX | DAOS_GET_MIN);
	int rc;

	if ((dir != DAOS_GET_MAX && dir != DAOS_GET_MIN) ||
	    !(flags & (DAOS_GET_DKEY | DAOS_GET_AKEY | DAOS_GET_RECX)))
		return -DER_INVAL;
	if (dkey == NULL || ((flags & DAOS_GET_DKEY) ? dkey->iov_buf == NULL : !key_is_valid(dkey)))
		return -DER_INVAL;
	if ((flags & (DAOS_GET_AKEY | DAOS_GET_RECX)) && akey == NULL)
		return -DER_INVAL;
	if ((flags & DAOS_GET_AKEY) ? akey->iov_buf == NULL
				    : (flags & DAOS_GET_RECX) && !key_is_valid(akey))
		return -DER_INVAL;
	if ((flags & DAOS_GET_RECX) && recx == NULL)
		return -DER_INVAL;
	rc = obj_op_alloc(oh, th, OBJ_QUERY, false, &o);
	if (rc != 0)
		return rc;
	o->op.ops = &query_ops;
	o->best = d_malloc(sizeof(*o->best));
	if (o->best == NULL) {
		obj_op_fini(&o->op);
		return -DER_NOMEM;
	}
	/* Only integer keys have an order to ask the greatest or least of. */
	if (((flags & DAOS_GET_DKEY) && !daos_is_dkey_uint64(o->obj->oid)) ||
	    ((flags & DAOS_GET_AKEY) && !daos_is_akey_uint64(o->obj->oid))) {
		D_ERROR("object " DF_U64 "." DF_U64 ": querying the %s %s needs integer keys",
			o->obj->oid.hi, o->obj->oid.lo,
			(flags & DAOS_GET_MAX) ? "greatest" : "least",
			(flags & DAOS_GET_DKEY) ? "dkey" : "akey");
		obj_op_fini(&o->op);
		return -DER_INVAL;
	}
	o->qflags = (uint32_t)flags;
	o->dkey = dkey;
	o->akey = akey;
	o->recx = recx;
	o->op.ops = &query_ops;
	*out = &o->op;
	return 0;
}

D_EXPORT int
daos_obj_query_key(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		   daos_key_t *akey, daos_recx_t *recx, daos_event_t *ev)
{
	struct cl_op *op;
	int rc;

	rc = cl_obj_query_key_op(oh, th, flags, dkey, akey, recx, &op);
	return rc != 0 ? rc : cl_op_run(op, op->ops, ev);
}

/* ---- the rest of the object API ---- */

D_EXPORT int
daos_obj_query(daos_handle_t oh, struct daos_obj_attr *oa, d_rank_list_t *ranks, daos_event_t *ev)
{
	struct cl_obj *obj = obj_lookup(oh);
	uint32_t i;
	int rc = 0;

	if (obj == NULL)
		return -DER_NO_HDL;
	rc = obj_layout_refresh(obj);
	pthread_mutex_lock(&obj->lock);
	if (rc == 0 && oa != NULL)
		oa->oa_rank =
			obj->layout->nr_shards > 0 ? obj->layout->shards[0].rank : CRT_NO_RANK;
	for (i = 0; rc == 0 && ranks != NULL && i < obj->layout->nr_shards; i++) {
		d_rank_t r = obj->layout->shards[i].rank;

		if (r != CRT_NO_RANK && !d_rank_in_rank_list(ranks, r))
			rc = d_rank_list_append(ranks, r);
	}
	pthread_mutex_unlock(&obj->lock);
	cl_hlink_put(&obj->hl);
	return cl_op_local(ev, rc);
}

/* ---- the newest epoch of an object: the greatest its shards report ---- */

static int
maxep_start(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	uint32_t i;
	int rc = 0;

	for (i = 0; i < obj_nr_shards(o) && rc == 0; i++)
		rc = query_send(o, i, i);
	return rc;
}

static void
maxep_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct obj_op *o = container_of(op, struct obj_op, op);
	struct buf b = BUF_INIT(body, len);
	uint64_t e;

	(void)idx;
	if (status != 0) {
		op->rc = op->rc ?: status;
		return;
	}
	e = buf_get_u64(&b);
	if (buf_finish(&b) != 0) {
		op->rc = op->rc ?: -DER_PROTO;
		return;
	}
	o->max_seen = D_MAX(o->max_seen, e);
}

static int
maxep_done(struct cl_op *op)
{
	struct obj_op *o = container_of(op, struct obj_op, op);

	if (op->rc == 0)
		*o->max_epoch = o->max_seen;
	return op->rc;
}

static const struct cl_op_ops maxep_ops = {
	.start = maxep_start,
	.reply = maxep_reply,
	.done = maxep_done,
	.fini = obj_op_fini,
};

int
cl_obj_query_max_epoch_op(daos_handle_t oh, daos_handle_t th, daos_epoch_t *epoch,
			  struct cl_op **out)
{
	struct obj_op *o;
	int rc;

	if (epoch == NULL)
		return -DER_INVAL;
	rc = obj_op_alloc(oh, th, OBJ_QUERY, false, &o);
	if (rc != 0)
		return rc;
	o->qflags = RPC_QUERY_MAX_EPOCH;
	o->max_epoch = epoch;
	o->op.ops = &maxep_ops;
	*out = &o->op;
	return 0;
}

D_EXPORT int
daos_obj_query_max_epoch(daos_handle_t oh, daos_handle_t th, daos_epoch_t *epoch, daos_event_t *ev)
{
	struct cl_op *op;
	int rc;

	rc = cl_obj_query_max_epoch_op(oh, th, epoch, &op);
	return rc != 0 ? rc : cl_op_run(op, op->ops, ev);
}

D_EXPORT int
daos_obj_verify(daos_handle_t coh, daos_obj_id_t oid, daos_epoch_t epoch)
{
	(void)coh;
	(void)oid;
	(void)epoch;
	/* nothing to compare without replicas */
	return 0;
}

D_EXPORT int
daos_obj_anchor_split(daos_handle_t oh, uint32_t *nr, daos_anchor_t *anchors)
{
	uint32_t n;
	uint32_t i;
	int rc;

	rc = oh_nr_shards(oh, &n);
	if (rc != 0)
		return rc;
	if (nr == NULL)
		return -DER_INVAL;
	/* at most one part per shard; fewer parts take consecutive runs of shards */
	if (*nr == 0 || *nr > n)
		*nr = n;
	for (i = 0; anchors != NULL && i < *nr; i++)
		anchor_split_part(&anchors[i], (uint32_t)((uint64_t)i * n / *nr),
				  (uint32_t)((uint64_t)(i + 1) * n / *nr));
	return 0;
}

/* Part @index of the split into one part per shard: shard @index alone. */
D_EXPORT int
daos_obj_anchor_set(daos_handle_t oh, uint32_t index, daos_anchor_t *anchor)
{
	uint32_t n;
	int rc;

	if (anchor == NULL)
		return -DER_INVAL;
	rc = oh_nr_shards(oh, &n);
	if (rc != 0)
		return rc;
	if (index >= n)
		return -DER_INVAL;
	anchor_split_part(anchor, index, index + 1);
	return 0;
}

/*
 * The target of the dkey's shard turns the key into its own anchor (RPC_ENUM_KEY2ANCHOR):
 * the key's order among the keys there is the target's business (hashed, lexical or
 * integer keys). A dkey listing then walks that shard from the dkey on, and the shards
 * after it, as it would have after listing the keys before the dkey.
 */
D_EXPORT int
daos_obj_key2anchor(daos_handle_t oh, daos_handle_t th, daos_key_t *dkey, daos_key_t *akey,
		    daos_anchor_t *anchor, daos_event_t *ev)
{
	struct obj_op *o;
	int rc;

	if (anchor == NULL || !key_is_valid(dkey) || (akey != NULL && !key_is_valid(akey)))
		return -DER_INVAL;
	rc = obj_op_alloc(oh, th, OBJ_ENUM, false, &o);
	if (rc != 0)
		return rc;
	memset(anchor, 0, sizeof(*anchor));
	anchor->da_shard = (uint16_t)obj_dkey_shard(o, dkey);
	o->ekind = RPC_ENUM_KEY2ANCHOR;
	o->dkey = dkey;
	o->akey = akey;
	o->nr = 1;
	o->enr = &o->nr;
	o->anchor = anchor;
	o->op.ops = &enum_ops;
	return cl_op_run(&o->op, o->op.ops, ev);
}

D_EXPORT int
daos_obj_generate_oid2(daos_handle_t coh, daos_obj_id_t *oid, enum daos_otype_t type,
		       daos_oclass_id_t cid, daos_oclass_hints_t hints, uint32_t args)
{
	struct cl_cont *cont;
	struct cl_pool *pool;
	uint32_t nr_domains;
	uint32_t nr_targets;
	int rc;

	(void)args;
	if (oid == NULL || !daos_otype_t_is_valid(type))
		return -DER_INVAL;
	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	pool = cont->pool;
	pthread_rwlock_rdlock(&pool->map_lock);
	pl_map_counts(&pool->pl, &nr_domains, &nr_targets);
	pthread_rwlock_unlock(&pool->map_lock);
	rc = pl_oid_generate(oid, type, cid, hints, cont->rf, nr_domains, nr_targets);
	if (rc != 0)
		D_ERROR("no layout of class %#x for a container with rd_fac %u in a pool of %u "
			"fault domains and %u targets: " DF_RC,
			cid, cont->rf, nr_domains, nr_targets, DP_RC(rc));
	cl_cont_put(cont);
	return rc;
}

/* ---- object classes ---- */

D_EXPORT int
daos_oclass_name2id(const char *name)
{
	return name == NULL ? OC_UNKNOWN : pl_oclass_name2id(name);
}

D_EXPORT int
daos_oclass_id2name(daos_oclass_id_t oc_id, char *name)
{
	if (name == NULL)
		return -DER_INVAL;
	return pl_oclass_id2name(oc_id, name, MAX_OBJ_CLASS_NAME_LEN) == 0 ? 0 : -1;
}

D_EXPORT ssize_t
daos_oclass_names_list(size_t size, char *str)
{
	return pl_oclass_names_list(size, str);
}

D_EXPORT int
daos_oclass_nr(int opts)
{
	(void)opts;
	return pl_oclass_nr();
}

D_EXPORT int
daos_obj_register_class(daos_handle_t coh, daos_oclass_id_t cid, struct daos_oclass_attr *attr,
			daos_event_t *ev)
{
	(void)coh;
	(void)cid;
	(void)attr;
	(void)ev;
	return -DER_NOTSUPPORTED;
}

D_EXPORT int
daos_obj_query_class(daos_handle_t coh, daos_oclass_id_t cid, struct daos_oclass_attr *attr,
		     daos_event_t *ev)
{
	struct pl_oclass_attr a;
	int rc;

	(void)coh;
	if (attr == NULL)
		return -DER_INVAL;
	rc = pl_oclass_attr_get(cid, &a);
	if (rc == 0) {
		memset(attr, 0, sizeof(*attr));
		attr->ca_resil = a.resil;
		attr->ca_grp_nr = a.grp_nr;
		if (a.resil == DAOS_RES_EC) {
			attr->u.ec.e_k = (uint16_t)a.ec_k;
			attr->u.ec.e_p = (uint16_t)a.ec_p;
		} else {
			attr->u.rp.r_num = a.rp_nr;
		}
	}
	return cl_op_local(ev, rc);
}

D_EXPORT int
daos_obj_list_class(daos_handle_t coh, struct daos_oclass_list *list, daos_anchor_t *anchor,
		    daos_event_t *ev)
{
	(void)coh;
	(void)list;
	(void)anchor;
	(void)ev;
	return -DER_NOTSUPPORTED;
}

/* Object ID tables (daos_oit_*) are in cl_oit.c. */
