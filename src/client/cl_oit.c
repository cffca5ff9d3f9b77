/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_oit.c - object ID tables (daos_oit_*): every object of a container as it was at an
 * epoch, and a marker per object, for checkers such as libdfs's dfs_cont_check().
 *
 * DAOS keeps the table as an object (DAOS_OT_OIT) made when a snapshot is created with
 * DAOS_SNAP_OPT_OIT. Here the table is built when it is opened: RPC_OBJ_ENUM of kind
 * RPC_ENUM_OBJ goes to every target of the pool map that is up, each answering with its
 * object shards at the epoch (vos_obj_list()), in batches until its anchor says EOF. The
 * shards are folded into one sorted array of distinct object ids. Markers live in the
 * handle, in this process's memory: they are not shared with other processes and go
 * away at close. The epoch should be a snapshot's, so that aggregation keeps what the
 * table lists; nothing checks it. Objects whose only shards are on targets that are not
 * up are not listed.
 *
 * Anchors of list calls hold the index of the next entry (da_buf, 8 bytes); they work
 * only with the handle they were started with.
 *
 * Locking: building runs in the caller's thread (blocking, even with an event: the event
 * completes at once with the result); a table's markers are under its mutex.
 */
#define D_LOGFAC DD_FAC(client)

#include <stdlib.h>

#include "client/client_int.h"
#include "common/sort.h"

/* The handle type of a table: outside DAOS's DAOS_HTYPE_* (odd numbers up to 13). */
#define CL_HTYPE_OIT 15

struct cl_oit {
	struct cl_hlink hl;
	struct cl_cont *cont; /* reference */
	daos_epoch_t epoch;
	uint32_t nr;
	daos_obj_id_t *oids; /* sorted by (hi, lo), distinct */
	pthread_mutex_t lock;
	uint8_t *mark_len; /* per oid: 0 unmarked, else 1 + marker length; lock */
	uint8_t (*marks)[DAOS_OIT_MARKER_MAX_LEN]; /* markers; NULL until the first; lock */
};

static void
oit_free(struct cl_hlink *hl)
{
	struct cl_oit *oit = container_of(hl, struct cl_oit, hl);

	cl_cont_put(oit->cont);
	d_free(oit->oids);
	d_free(oit->mark_len);
	d_free(oit->marks);
	pthread_mutex_destroy(&oit->lock);
	d_free(oit);
}

static struct cl_oit *
oit_lookup(daos_handle_t oh)
{
	struct cl_hlink *hl = cl_hdl_lookup(oh, CL_HTYPE_OIT);

	return hl == NULL ? NULL : container_of(hl, struct cl_oit, hl);
}

/* ---- building: one listing per target, in parallel, each until its EOF ---- */

struct list_tgt {
	d_rank_t rank;
	uint32_t tag;
	uint8_t anchor[RPC_ANCHOR_SIZE];
	bool eof;
};

struct list_op {
	struct cl_op op;
	struct cl_oit *oit; /* borrowed: receives the ids once every target is done */
	uint32_t nr_tgts;
	struct list_tgt *tgts;
	daos_obj_id_t *oids; /* shards' object ids as they come, duplicates included */
	size_t nr;
	size_t cap;
};

static int
list_send(struct list_op *l, uint32_t i)
{
	struct cl_cont *cont = l->oit->cont;
	struct cl_pool *pool = cont->pool;
	struct rpc_obj_enum_in in = { .kind = RPC_ENUM_OBJ, .nr = RPC_OBJ_LIST_MAX };
	uint8_t body[512];
	size_t len;

	uuid_copy(in.hdr.pool, pool->uuid);
	uuid_copy(in.hdr.cont, cont->uuid);
	uuid_copy(in.hdr.coh, cont->hdl);
	pthread_rwlock_rdlock(&pool->map_lock);
	in.hdr.svc_rank = pool->svc[pool->leader % pool->nr_svc];
	in.hdr.map_ver = pool->pl.version;
	pthread_rwlock_unlock(&pool->map_lock);
	in.hdr.epoch = l->oit->epoch;
	memcpy(in.anchor, l->tgts[i].anchor, RPC_ANCHOR_SIZE);
	len = rpc_obj_enum_in_encode(&in, body, sizeof(body));
	D_ASSERT(len > 0);
	return cl_op_send(&l->op, l->tgts[i].rank, l->tgts[i].tag, RPC_OBJ_ENUM, body, len, i);
}

/* Ask every target not yet at its end; errors after the first request go to op->rc. */
static int
list_round(struct list_op *l)
{
	uint32_t i;
	int rc;

	for (i = 0; i < l->nr_tgts; i++) {
		if (l->tgts[i].eof)
			continue;
		rc = list_send(l, i);
		if (rc != 0 && l->op.nr_inflight == 0)
			return rc;
		if (rc != 0) {
			l->op.rc = rc;
			break;
		}
	}
	return 0;
}

static int
list_start(struct cl_op *op)
{
	return list_round(container_of(op, struct list_op, op));
}

static void
list_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct list_op *l = container_of(op, struct list_op, op);
	struct rpc_obj_list_out out;
	uint32_t i;
	int rc;

	if (status != 0) {
		D_ERROR("could not list the objects of target %u:%u: " DF_RC, l->tgts[idx].rank,
			l->tgts[idx].tag - 1, DP_RC(status));
		op->rc = status;
		return;
	}
	rc = rpc_obj_list_out_decode(body, len, &out);
	if (rc != 0) {
		op->rc = rc;
		return;
	}
	if (l->nr + out.nr > l->cap) {
		size_t cap = D_MAX(l->cap * 2, l->nr + out.nr);
		daos_obj_id_t *p = d_realloc(l->oids, cap * sizeof(*p));

		if (p == NULL) {
			rpc_obj_list_out_fini(&out);
			op->rc = -DER_NOMEM;
			return;
		}
		l->oids = p;
		l->cap = cap;
	}
	for (i = 0; i < out.nr; i++)
		l->oids[l->nr++] = out.ids[i].oid;
	memcpy(l->tgts[idx].anchor, out.anchor, RPC_ANCHOR_SIZE);
	l->tgts[idx].eof = cl_shard_anchor_is_eof(out.anchor);
	rpc_obj_list_out_fini(&out);
}

static int oid_cmp(const void *a, const void *b);

/* Every target is done: sort, drop the other shards of each object, hand over. */
static int
list_finish(struct list_op *l)
{
	size_t i, n = 0;

	if (l->nr > UINT32_MAX)
		return -DER_OVERFLOW;
	if (l->nr > 0)
		d_sort(l->oids, l->nr, sizeof(*l->oids), oid_cmp);
	for (i = 0; i < l->nr; i++) {
		if (n == 0 || oid_cmp(&l->oids[n - 1], &l->oids[i]) != 0)
			l->oids[n++] = l->oids[i];
	}
	l->oit->oids = l->oids;
	l->oit->nr = (uint32_t)n;
	l->oids = NULL;
	return 0;
}

static int
list_done(struct cl_op *op)
{
	struct list_op *l = container_of(op, struct list_op, op);
	uint32_t i;
	int rc;

	if (op->rc != 0)
		return op->rc;
	for (i = 0; i < l->nr_tgts; i++) {
		if (!l->tgts[i].eof)
			break;
	}
	if (i == l->nr_tgts)
		return list_finish(l);
	rc = list_round(l);
	if (rc != 0)
		return rc;
	return op->nr_inflight > 0 ? 1 : op->rc;
}

static void
list_fini(struct cl_op *op)
{
	struct list_op *l = container_of(op, struct list_op, op);

	d_free(l->tgts);
	d_free(l->oids);
	d_free(l);
}

static const struct cl_op_ops list_ops = {
	.start = list_start,
	.reply = list_reply,
	.done = list_done,
	.fini = list_fini,
};

/* The targets of the pool map that are up. */
static int
tgts_collect(struct cl_pool *pool, struct list_tgt **out, uint32_t *nr)
{
	struct list_tgt *t = NULL;
	uint32_t n = 0;
	uint32_t r, i;
	int rc = 0;

	pthread_rwlock_rdlock(&pool->map_lock);
	for (r = 0; r < pool->pl.nr_ranks; r++)
		n += pool->pl.ranks[r].nr_targets;
	if (n > 0)
		t = d_calloc(n, sizeof(*t));
	if (t == NULL) {
		rc = n == 0 ? -DER_NONEXIST : -DER_NOMEM;
		goto out_unlock;
	}
	n = 0;
	for (r = 0; r < pool->pl.nr_ranks; r++) {
		const struct pl_rank *pr = &pool->pl.ranks[r];

		for (i = 0; i < pr->nr_targets; i++) {
			if (pr->targets[i].state != PL_TGT_UP)
				continue;
			t[n].rank = pr->rank;
			t[n].tag = i + 1;
			n++;
		}
	}
out_unlock:
	pthread_rwlock_unlock(&pool->map_lock);
	if (rc == 0) {
		*out = t;
		*nr = n;
	}
	return rc;
}

static int
oid_cmp(const void *a, const void *b)
{
	const daos_obj_id_t *x = a;
	const daos_obj_id_t *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

/* List the container's objects at the table's epoch into it (sorted, distinct). */
static int
oit_build(struct cl_oit *oit)
{
	struct list_op *l;
	int rc;

	l = d_calloc(1, sizeof(*l));
	if (l == NULL)
		return -DER_NOMEM;
	l->oit = oit;
	rc = tgts_collect(oit->cont->pool, &l->tgts, &l->nr_tgts);
	if (rc != 0) {
		d_free(l);
		return rc;
	}
	/* blocking: cl_op_run() frees @l through list_fini() */
	return cl_op_run(&l->op, &list_ops, NULL);
}

D_EXPORT int
daos_oit_open(daos_handle_t coh, daos_epoch_t epoch, daos_handle_t *oh, daos_event_t *ev)
{
	struct cl_cont *cont;
	struct cl_oit *oit;
	int rc;

	if (oh == NULL)
		return -DER_INVAL;
	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	oit = d_calloc(1, sizeof(*oit));
	if (oit == NULL) {
		cl_cont_put(cont);
		return -DER_NOMEM;
	}
	cl_hlink_init(&oit->hl, CL_HTYPE_OIT, oit_free);
	pthread_mutex_init(&oit->lock, NULL);
	oit->cont = cont;
	oit->epoch = epoch;
	rc = oit_build(oit);
	if (rc == 0 && oit->nr > 0) {
		oit->mark_len = d_calloc(oit->nr, 1);
		if (oit->mark_len == NULL)
			rc = -DER_NOMEM;
	}
	if (rc == 0)
		rc = cl_hdl_insert(&oit->hl, oh);
	/* the table's reference (on success) or the last one */
	cl_hlink_put(&oit->hl);
	return cl_op_local(ev, rc);
}

D_EXPORT int
daos_oit_close(daos_handle_t oh, daos_event_t *ev)
{
	struct cl_oit *oit = oit_lookup(oh);

	if (oit == NULL)
		return -DER_NO_HDL;
	cl_hdl_remove(&oit->hl);
	cl_hlink_put(&oit->hl);
	return cl_op_local(ev, 0);
}

/* What a list call returns: every entry, the unmarked ones, or those @filter accepts. */
enum oit_pick {
	OIT_ALL,
	OIT_UNMARKED,
	OIT_FILTER,
};

static int
oit_list(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *oids_nr, daos_anchor_t *anchor,
	 enum oit_pick pick, daos_oit_filter_cb filter, daos_event_t *ev)
{
	struct cl_oit *oit;
	uint64_t pos = 0;
	uint32_t got = 0;
	int rc = 0;

	if (oids == NULL || oids_nr == NULL || *oids_nr == 0 || anchor == NULL ||
	    (pick == OIT_FILTER && filter == NULL))
		return -DER_INVAL;
	oit = oit_lookup(oh);
	if (oit == NULL)
		return -DER_NO_HDL;
	if (daos_anchor_is_eof(anchor)) {
		*oids_nr = 0;
		cl_hlink_put(&oit->hl);
		return cl_op_local(ev, 0);
	}
	if (anchor->da_type != DAOS_ANCHOR_TYPE_ZERO)
		memcpy(&pos, anchor->da_buf, sizeof(pos));
	pthread_mutex_lock(&oit->lock);
	for (; pos < oit->nr && got < *oids_nr; pos++) {
		uint8_t ml = oit->mark_len[pos];

		if (pick == OIT_UNMARKED && ml != 0)
			continue;
		if (pick == OIT_FILTER) {
			d_iov_t marker;

			d_iov_set(&marker, ml != 0 ? oit->marks[pos] : NULL,
				  ml != 0 ? (size_t)ml - 1 : 0);
			rc = filter(oit->oids[pos], ml != 0 ? &marker : NULL);
			if (rc < 0)
				break;
			if (rc == 0)
				continue;
			rc = 0;
		}
		oids[got++] = oit->oids[pos];
	}
	pthread_mutex_unlock(&oit->lock);
	if (rc == 0) {
		*oids_nr = got;
		memcpy(anchor->da_buf, &pos, sizeof(pos));
		anchor->da_type = pos >= oit->nr ? DAOS_ANCHOR_TYPE_EOF : DAOS_ANCHOR_TYPE_HKEY;
	}
	cl_hlink_put(&oit->hl);
	return cl_op_local(ev, rc);
}

D_EXPORT int
daos_oit_list(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *oids_nr, daos_anchor_t *anchor,
	      daos_event_t *ev)
{
	return oit_list(oh, oids, oids_nr, anchor, OIT_ALL, NULL, ev);
}

D_EXPORT int
daos_oit_list_unmarked(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *oids_nr,
		       daos_anchor_t *anchor, daos_event_t *ev)
{
	return oit_list(oh, oids, oids_nr, anchor, OIT_UNMARKED, NULL, ev);
}

D_EXPORT int
daos_oit_list_filter(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *oids_nr,
		     daos_anchor_t *anchor, daos_oit_filter_cb filter, daos_event_t *ev)
{
	return oit_list(oh, oids, oids_nr, anchor, OIT_FILTER, filter, ev);
}

D_EXPORT int
daos_oit_mark(daos_handle_t oh, daos_obj_id_t oid, d_iov_t *marker, daos_event_t *ev)
{
	struct cl_oit *oit;
	daos_obj_id_t *hit;
	size_t pos;
	int rc = 0;

	if (marker != NULL && (marker->iov_len > DAOS_OIT_MARKER_MAX_LEN ||
			       (marker->iov_len > 0 && marker->iov_buf == NULL)))
		return -DER_INVAL;
	oit = oit_lookup(oh);
	if (oit == NULL)
		return -DER_NO_HDL;
	hit = oit->nr == 0 ? NULL : bsearch(&oid, oit->oids, oit->nr, sizeof(*oit->oids), oid_cmp);
	if (hit == NULL) {
		cl_hlink_put(&oit->hl);
		return cl_op_local(ev, -DER_NONEXIST);
	}
	pos = (size_t)(hit - oit->oids);
	pthread_mutex_lock(&oit->lock);
	if (marker != NULL && marker->iov_len > 0 && oit->marks == NULL) {
		oit->marks = d_calloc(oit->nr, sizeof(*oit->marks));
		if (oit->marks == NULL)
			rc = -DER_NOMEM;
	}
	if (rc == 0 && marker == NULL) {
		oit->mark_len[pos] = 0;
	} else if (rc == 0) {
		if (marker->iov_len > 0)
			memcpy(oit->marks[pos], marker->iov_buf, marker->iov_len);
		oit->mark_len[pos] = (uint8_t)(marker->iov_len + 1);
	}
	pthread_mutex_unlock(&oit->lock);
	cl_hlink_put(&oit->hl);
	return cl_op_local(ev, rc);
}
