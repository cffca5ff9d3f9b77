/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_kv.c - the flat key-value API (daos_kv.h) over an object of type DAOS_OT_KV_*.
 *
 * Layout, DAOS's: a key is a dkey (its bytes, without the terminating NUL) holding one
 * single value under the one-byte akey "0". An empty value is not a value (-DER_INVAL),
 * so "no value" and "size 0" mean the same: a get of a missing key returns size 0
 * unless DAOS_COND_KEY_GET asks for -DER_NONEXIST. The DAOS_COND_KEY_* flags are the
 * dkey conditions of the object API and pass through unchanged.
 *
 * A KV handle (DAOS_HTYPE_KV) holds an object handle. Put, get and remove keep the
 * dkey, iod and sgl they build in a small operation (struct kv_op) whose one
 * sub-operation is the object call (cl_op_sub), so that with an event they complete
 * through it like any other call. List and destroy need nothing of ours to live on:
 * they are the object calls themselves, on the user's event.
 */
#define D_LOGFAC DD_FAC(client)

#include "client/client_int.h"

#define KV_AKEY "0"

struct cl_kv {
	struct cl_hlink hl;
	daos_handle_t oh; /* the object; closed when the last reference goes */
};

static void
kv_free(struct cl_hlink *hl)
{
	struct cl_kv *kv = container_of(hl, struct cl_kv, hl);

	if (daos_handle_is_valid(kv->oh))
		daos_obj_close(kv->oh, NULL);
	d_free(kv);
}

static struct cl_kv *
kv_lookup(daos_handle_t h)
{
	struct cl_hlink *hl = cl_hdl_lookup(h, DAOS_HTYPE_KV);

	return hl == NULL ? NULL : container_of(hl, struct cl_kv, hl);
}

static bool
otype_is_kv(enum daos_otype_t type)
{
	return type == DAOS_OT_KV_HASHED || type == DAOS_OT_KV_UINT64 || type == DAOS_OT_KV_LEXICAL;
}

D_EXPORT int
daos_kv_open(daos_handle_t coh, daos_obj_id_t oid, unsigned int mode, daos_handle_t *oh,
	     daos_event_t *ev)
{
	struct cl_kv *kv;
	int rc;

	if (oh == NULL)
		return -DER_INVAL;
	if (!otype_is_kv(daos_obj_id2type(oid))) {
		D_ERROR("object " DF_U64 "." DF_U64 " is of type %d, not a KV type", oid.hi, oid.lo,
			daos_obj_id2type(oid));
		return -DER_INVAL;
	}
	kv = d_calloc(1, sizeof(*kv));
	if (kv == NULL)
		return -DER_NOMEM;
	cl_hlink_init(&kv->hl, DAOS_HTYPE_KV, kv_free);
	rc = daos_obj_open(coh, oid, mode, &kv->oh, NULL);
	if (rc != 0) {
		kv->oh = DAOS_HDL_INVAL;
		goto out_put;
	}
	rc = cl_hdl_insert(&kv->hl, oh);
out_put:
	cl_hlink_put(&kv->hl);
	return rc != 0 ? rc : cl_op_local(ev, 0);
}

D_EXPORT int
daos_kv_close(daos_handle_t oh, daos_event_t *ev)
{
	struct cl_kv *kv = kv_lookup(oh);

	if (kv == NULL)
		return -DER_NO_HDL;
	cl_hdl_remove(&kv->hl);
	cl_hlink_put(&kv->hl);
	return cl_op_local(ev, 0);
}

D_EXPORT int
daos_kv_destroy(daos_handle_t oh, daos_handle_t th, daos_event_t *ev)
{
	struct cl_kv *kv = kv_lookup(oh);
	int rc;

	if (kv == NULL)
		return -DER_NO_HDL;
	/* the object call holds the object: the KV reference can go now */
	rc = daos_obj_punch(kv->oh, th, 0, ev);
	cl_hlink_put(&kv->hl);
	return rc;
}

D_EXPORT int
daos_kv_list(daos_handle_t oh, daos_handle_t th, uint32_t *nr, daos_key_desc_t *kds,
	     d_sg_list_t *sgl, daos_anchor_t *anchor, daos_event_t *ev)
{
	struct cl_kv *kv = kv_lookup(oh);
	int rc;

	if (kv == NULL)
		return -DER_NO_HDL;
	rc = daos_obj_list_dkey(kv->oh, th, nr, kds, sgl, anchor, ev);
	cl_hlink_put(&kv->hl);
	return rc;
}

/* ---- put, get and remove: one object call each, with our descriptors ---- */

struct kv_op {
	struct cl_op op;
	struct cl_kv *kv;    /* reference */
	struct cl_op *child; /* the object call, until started */
	daos_key_t dkey;     /* points at the caller's key */
	daos_iod_t iod;
	d_iov_t iov;
	d_sg_list_t sgl;
	daos_size_t *size; /* get: where the value's size goes */
};

static int
kv_start(struct cl_op *op)
{
	struct kv_op *k = container_of(op, struct kv_op, op);
	struct cl_op *child = k->child;

	k->child = NULL;
	cl_op_sub(op, child, 0);
	return 0;
}

static void
kv_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct kv_op *k = container_of(op, struct kv_op, op);

	(void)idx;
	(void)body;
	(void)len;
	op->rc = status;
	/* the fetch sets iod_size on success and with -DER_REC2BIG alike */
	if (k->size != NULL && (status == 0 || status == -DER_REC2BIG))
		*k->size = k->iod.iod_size;
}

static int
kv_done(struct cl_op *op)
{
	return op->rc;
}

static void
kv_fini(struct cl_op *op)
{
	struct kv_op *k = container_of(op, struct kv_op, op);

	if (k->child != NULL)
		k->child->ops->fini(k->child);
	cl_hlink_put(&k->kv->hl);
	d_free(k);
}

static const struct cl_op_ops kv_ops = {
	.start = kv_start,
	.reply = kv_reply,
	.done = kv_done,
	.fini = kv_fini,
};

/* A kv_op for @key of the KV @oh, its dkey and iod set, holding the KV. */
static int
kv_op_alloc(daos_handle_t oh, const char *key, struct kv_op **out)
{
	struct cl_kv *kv;
	struct kv_op *k;

	if (key == NULL || key[0] == '\0')
		return -DER_INVAL;
	kv = kv_lookup(oh);
	if (kv == NULL)
		return -DER_NO_HDL;
	k = d_calloc(1, sizeof(*k));
	if (k == NULL) {
		cl_hlink_put(&kv->hl);
		return -DER_NOMEM;
	}
	d_iov_set(&k->dkey, (void *)key, strlen(key));
	d_iov_set(&k->iod.iod_name, KV_AKEY, 1);
	k->iod.iod_type = DAOS_IOD_SINGLE;
	k->iod.iod_nr = 1;
	k->kv = kv;
	*out = k;
	return 0;
}

/* Run @k, whose child is prepared, or free it if the preparation failed (@rc). */
static int
kv_run(struct kv_op *k, int rc, daos_event_t *ev)
{
	if (rc != 0) {
		kv_fini(&k->op);
		return rc;
	}
	return cl_op_run(&k->op, &kv_ops, ev);
}

D_EXPORT int
daos_kv_put(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *key, daos_size_t size,
	    const void *buf, daos_event_t *ev)
{
	struct kv_op *k;
	int rc;

	if (size == 0 || buf == NULL)
		return -DER_INVAL;
	rc = kv_op_alloc(oh, key, &k);
	if (rc != 0)
		return rc;
	k->iod.iod_size = size;
	d_iov_set(&k->iov, (void *)buf, size);
	k->sgl.sg_nr = 1;
	k->sgl.sg_iovs = &k->iov;
	rc = cl_obj_update_op(k->kv->oh, th, flags, &k->dkey, 1, &k->iod, &k->sgl, &k->child);
	return kv_run(k, rc, ev);
}

D_EXPORT int
daos_kv_get(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *key, daos_size_t *size,
	    void *buf, daos_event_t *ev)
{
	struct kv_op *k;
	bool query;
	int rc;

	if (size == NULL)
		return -DER_INVAL;
	rc = kv_op_alloc(oh, key, &k);
	if (rc != 0)
		return rc;
	/* DAOS_REC_ANY or no buffer: the size only (a fetch without sgl) */
	query = buf == NULL || *size == DAOS_REC_ANY;
	k->iod.iod_size = DAOS_REC_ANY;
	k->size = size;
	if (!query) {
		d_iov_set(&k->iov, buf, *size);
		k->sgl.sg_nr = 1;
		k->sgl.sg_iovs = &k->iov;
	}
	rc = cl_obj_fetch_op(k->kv->oh, th, flags, &k->dkey, 1, &k->iod, query ? NULL : &k->sgl,
			     NULL, &k->child);
	return kv_run(k, rc, ev);
}

D_EXPORT int
daos_kv_remove(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *key,
	       daos_event_t *ev)
{
	struct kv_op *k;
	int rc;

	rc = kv_op_alloc(oh, key, &k);
	if (rc != 0)
		return rc;
	rc = cl_obj_punch_op(k->kv->oh, th, flags, 1, &k->dkey, &k->child);
	return kv_run(k, rc, ev);
}
