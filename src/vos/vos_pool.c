/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_pool.c - pool shards and containers: create, open (checkpoint + WAL replay +
 * allocator rebuild), close, destroy, query; memory accounting; the blocking wrappers.
 *
 * A volatile pool (no devices in the attributes) keeps everything in DRAM and logs
 * nothing: it exists for tests of the index semantics and says so in its name.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos/vos_int.h"

static void
blob_id(struct bio_blob_id *id, const struct vos_pool_attr *attr, enum bio_role role)
{
	memset(id, 0, sizeof(*id));
	uuid_copy(id->pool, attr->uuid);
	id->target = attr->target;
	id->role = role;
}

static bool
is_volatile(const struct vos_pool_attr *attr)
{
	return attr->wal_dev == NULL;
}

int
vos_mem_reserve(struct vos_pool *pool, uint64_t bytes)
{
	if (pool->mem_limit == 0)
		return 0;
	if (pool->mem_used < 0)
		pool->mem_used = 0;
	if ((uint64_t)pool->mem_used + bytes > pool->mem_limit) {
		D_DEBUG(DB_IO,
			"pool " DF_UUID " target %u: index memory full (%" PRId64 " of %" PRIu64
			" bytes)",
			DP_UUID(pool->uuid), pool->target, pool->mem_used, pool->mem_limit);
		return -DER_NOSPACE;
	}
	return 0;
}

/* --- deferred callbacks: run from the queue, never from the call that queued them --- */

struct deferred {
	vos_done_fn cb;
	void *arg;
	int status;
};

static void
deferred_run(void *arg, int status)
{
	struct deferred *d = arg;

	(void)status;
	d->cb(d->arg, d->status);
	d_free(d);
}

void
vos_defer_cb(struct vos_pool *pool, vos_done_fn cb, void *arg, int status)
{
	struct deferred *d = d_malloc(sizeof(*d));

	if (d == NULL || bio_ioq_post(pool->ioq, deferred_run, d) != 0) {
		/* No memory to defer: completing now is better than never. */
		d_free(d);
		cb(arg, status);
		return;
	}
	d->cb = cb;
	d->arg = arg;
	d->status = status;
}

void
vos_waiter_cb(void *arg, int status)
{
	struct vos_waiter *w = arg;

	w->done = true;
	w->status = status;
}

int
vos_wait(struct vos_pool *pool, struct vos_waiter *w)
{
	int rc;

	while (!w->done) {
		rc = bio_ioq_poll(pool->ioq, 100);
		if (rc < 0)
			return rc;
	}
	return w->status;
}

/* --- containers --- */

int
vos_cont_apply_create(struct vos_pool *pool, const uuid_t uuid)
{
	struct vos_crec rec;
	struct vos_cont *cont;
	int rc;

	if (d_btr_lookup(&pool->conts, uuid) != NULL)
		return 0; /* replayed */
	cont = d_calloc(1, sizeof(*cont));
	if (cont == NULL)
		return -DER_NOMEM;
	cont->pool = pool;
	uuid_copy(cont->uuid, uuid);
	d_btr_init(&cont->objs, &vos_obj_ops);
	uuid_copy(rec.uuid, uuid);
	rec.cont = cont;
	rc = d_btr_insert(&pool->conts, uuid, &rec, NULL);
	if (rc != 0)
		d_free(cont);
	return rc;
}

int
vos_cont_apply_destroy(struct vos_pool *pool, const uuid_t uuid, uint64_t batch)
{
	struct vos_crec rec;

	if (d_btr_delete(&pool->conts, uuid, &rec) != 0)
		return 0; /* replayed */
	vos_cont_free(rec.cont, pool->replaying ? 0 : batch);
	return 0;
}

static int
cont_op(struct vos_pool *pool, const uuid_t uuid, enum vos_rec_type type, vos_done_fn cb, void *arg)
{
	struct vos_crec *c = d_btr_lookup(&pool->conts, uuid);
	int64_t before = d_alloc_thread_bytes();
	struct buf rec;
	uint32_t seq;
	int rc;

	if (cb == NULL)
		return -DER_INVAL;
	if (type == VOS_REC_CONT_CREATE && c != NULL)
		return -DER_EXIST;
	if (type == VOS_REC_CONT_DESTROY) {
		if (c == NULL)
			return -DER_NONEXIST;
		if (c->cont->nr_open > 0)
			return -DER_BUSY;
	}
	if (type == VOS_REC_CONT_CREATE) {
		rc = vos_mem_reserve(pool, 256);
		if (rc != 0)
			return rc;
	}
	if (pool->wal != NULL) {
		rc = vos_wal_rec_begin(pool, type, 20, &rec);
		if (rc != 0)
			return rc;
	}
	seq = pool->next_seq++;
	if (type == VOS_REC_CONT_CREATE)
		rc = vos_cont_apply_create(pool, uuid);
	else
		rc = vos_cont_apply_destroy(pool, uuid, pool->wal ? vos_wal_open_batch(pool) : 0);
	pool->mem_used += d_alloc_thread_bytes() - before;
	if (pool->wal == NULL) {
		if (rc == 0)
			vos_defer_cb(pool, cb, arg, 0);
		return rc;
	}
	if (rc != 0) {
		vos_wal_rec_end(pool, NULL, NULL, NULL);
		return rc;
	}
	buf_put_bytes_raw(&rec, uuid, 16);
	buf_put_u32(&rec, seq);
	return vos_wal_rec_end(pool, &rec, cb, arg);
}

int
vos_cont_create(struct vos_pool *pool, const uuid_t uuid, vos_done_fn cb, void *arg)
{
	return cont_op(pool, uuid, VOS_REC_CONT_CREATE, cb, arg);
}

int
vos_cont_destroy(struct vos_pool *pool, const uuid_t uuid, vos_done_fn cb, void *arg)
{
	return cont_op(pool, uuid, VOS_REC_CONT_DESTROY, cb, arg);
}

int
vos_cont_open(struct vos_pool *pool, const uuid_t uuid, struct vos_cont **out)
{
	struct vos_crec *c = d_btr_lookup(&pool->conts, uuid);

	if (c == NULL)
		return -DER_NONEXIST;
	c->cont->nr_open++;
	*out = c->cont;
	return 0;
}

void
vos_cont_close(struct vos_cont *cont)
{
	D_ASSERT(cont->nr_open > 0);
	cont->nr_open--;
}

/* --- pools --- */

int
vos_pool_create(const struct vos_pool_attr *attr)
{
	struct bio_blob_id id;
	struct vos_pool_attr a = *attr;
	struct vos_pool pool;
	int rc;

	if (is_volatile(attr))
		return 0;
	if (attr->meta_dev == NULL || attr->wal_size < 16 * BIO_BLOCK_SIZE ||
	    attr->meta_size < 16 * BIO_BLOCK_SIZE || (attr->data_size > 0 && !attr->data_dev))
		return -DER_INVAL;
	blob_id(&id, attr, BIO_ROLE_WAL);
	rc = bio_blob_create(attr->wal_dev, &id, attr->wal_size);
	if (rc != 0)
		return rc;
	blob_id(&id, attr, BIO_ROLE_META);
	rc = bio_blob_create(attr->meta_dev, &id, attr->meta_size);
	if (rc != 0)
		goto out_wal;
	if (attr->data_size > 0) {
		blob_id(&id, attr, BIO_ROLE_DATA);
		rc = bio_blob_create(attr->data_dev, &id, attr->data_size);
		if (rc != 0)
			goto out_meta;
	}
	/* An empty checkpoint: a fresh pool replays from the start of its WAL. */
	memset(&pool, 0, sizeof(pool));
	uuid_copy(pool.uuid, attr->uuid);
	pool.target = attr->target;
	blob_id(&id, attr, BIO_ROLE_META);
	rc = bio_blob_open(attr->meta_dev, &id, &pool.meta_blob);
	if (rc != 0)
		goto out_data;
	rc = vos_ckpt_format(&pool);
	bio_blob_close(pool.meta_blob);
	if (rc != 0)
		goto out_data;
	return 0;

out_data:
	if (attr->data_size > 0) {
		blob_id(&id, &a, BIO_ROLE_DATA);
		bio_blob_destroy(attr->data_dev, &id);
	}
out_meta:
	blob_id(&id, &a, BIO_ROLE_META);
	bio_blob_destroy(attr->meta_dev, &id);
out_wal:
	blob_id(&id, &a, BIO_ROLE_WAL);
	bio_blob_destroy(attr->wal_dev, &id);
	return rc;
}

int
vos_pool_destroy(const struct vos_pool_attr *attr)
{
	struct bio_blob_id id;
	int rc = 0;
	int err;

	if (is_volatile(attr))
		return 0;
	blob_id(&id, attr, BIO_ROLE_WAL);
	err = bio_blob_destroy(attr->wal_dev, &id);
	if (err != 0 && err != -DER_NONEXIST)
		rc = err;
	blob_id(&id, attr, BIO_ROLE_META);
	err = bio_blob_destroy(attr->meta_dev, &id);
	if (err != 0 && err != -DER_NONEXIST && rc == 0)
		rc = err;
	if (attr->data_dev != NULL) {
		blob_id(&id, attr, BIO_ROLE_DATA);
		err = bio_blob_destroy(attr->data_dev, &id);
		if (err != 0 && err != -DER_NONEXIST && rc == 0)
			rc = err;
	}
	return rc;
}

/* Mark every data block the index references as used. */
static int
alloc_rebuild(struct vos_pool *pool)
{
	struct d_btr_iter ci;
	int rc;

	for (rc = d_btr_iter_seek(&ci, &pool->conts, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&ci)) {
		struct vos_cont *cont = ((struct vos_crec *)d_btr_iter_entry(&ci))->cont;
		struct d_btr_iter oi;
		int orc;

		for (orc = d_btr_iter_seek(&oi, &cont->objs, D_BTR_SEEK_FIRST, NULL); orc == 0;
		     orc = d_btr_iter_next(&oi)) {
			struct vos_orec *o = d_btr_iter_entry(&oi);
			struct d_btr_iter di;
			int drc;

			for (drc = d_btr_iter_seek(&di, &o->dkeys, D_BTR_SEEK_FIRST, NULL);
			     drc == 0; drc = d_btr_iter_next(&di)) {
				struct vos_krec *d = d_btr_iter_entry(&di);
				struct d_btr_iter ai;
				int arc;

				for (arc = d_btr_iter_seek(&ai, &d->child, D_BTR_SEEK_FIRST, NULL);
				     arc == 0; arc = d_btr_iter_next(&ai)) {
					struct vos_krec *a = d_btr_iter_entry(&ai);
					struct d_btr_iter vi;
					int vrc;

					for (vrc = d_btr_iter_seek(&vi, &a->child, D_BTR_SEEK_FIRST,
								   NULL);
					     vrc == 0; vrc = d_btr_iter_next(&vi)) {
						uint64_t addr;
						uint64_t bytes;
						uint32_t flags;
						int err;

						if (a->type == VOS_IOD_SINGLE) {
							struct vos_sv *sv = d_btr_iter_entry(&vi);

							flags = sv->flags;
							addr = sv->addr;
							bytes = sv->len;
						} else {
							struct vos_ext *e = d_btr_iter_entry(&vi);

							flags = e->flags;
							addr = e->addr;
							bytes = (e->hi - e->lo + 1) * e->rsize;
						}
						if (!(flags & VOS_VAL_DATA))
							continue;
						err = bio_alloc_mark_used(pool->alloc, addr,
									  vos_blocks(bytes));
						if (err != 0) {
							D_ERROR("pool " DF_UUIDF " target %u: data "
								"block %" PRIu64
								" is claimed twice or out of range",
								DP_UUID(pool->uuid), pool->target,
								addr);
							return -DER_DF_INVAL;
						}
					}
				}
			}
		}
	}
	return 0;
}

static void
pool_free(struct vos_pool *pool)
{
	struct d_btr_iter it;

	while (d_btr_iter_seek(&it, &pool->conts, D_BTR_SEEK_FIRST, NULL) == 0) {
		struct vos_crec rec = *(struct vos_crec *)d_btr_iter_entry(&it);

		d_btr_delete(&pool->conts, rec.uuid, NULL);
		vos_cont_free(rec.cont, 0);
	}
	d_btr_fini(&pool->conts, NULL, NULL);
	if (pool->alloc != NULL)
		bio_alloc_destroy(pool->alloc);
	if (pool->data_blob != NULL)
		bio_blob_close(pool->data_blob);
	if (pool->meta_blob != NULL)
		bio_blob_close(pool->meta_blob);
	if (pool->wal_blob != NULL)
		bio_blob_close(pool->wal_blob);
	d_free(pool);
}

int
vos_pool_open(const struct vos_pool_attr *attr, struct vos_pool **out)
{
	struct vos_pool *pool;
	struct bio_blob_id id;
	uint64_t wal_pos = 0;
	uint64_t wal_batch = 1;
	int64_t before = d_alloc_thread_bytes();
	int rc;

	if (attr->ioq == NULL)
		return -DER_INVAL;
	pool = d_calloc(1, sizeof(*pool));
	if (pool == NULL)
		return -DER_NOMEM;
	uuid_copy(pool->uuid, attr->uuid);
	pool->target = attr->target;
	pool->ioq = attr->ioq;
	pool->mem_limit = attr->mem_limit;
	pool->next_seq = 1;
	d_btr_init(&pool->conts, &vos_cont_ops);
	if (is_volatile(attr)) {
		*out = pool;
		return 0;
	}
	blob_id(&id, attr, BIO_ROLE_WAL);
	rc = bio_blob_open(attr->wal_dev, &id, &pool->wal_blob);
	if (rc != 0)
		goto out_free;
	blob_id(&id, attr, BIO_ROLE_META);
	rc = bio_blob_open(attr->meta_dev, &id, &pool->meta_blob);
	if (rc != 0)
		goto out_free;
	if (attr->data_dev != NULL) {
		blob_id(&id, attr, BIO_ROLE_DATA);
		rc = bio_blob_open(attr->data_dev, &id, &pool->data_blob);
		if (rc == 0)
			rc = bio_alloc_create(bio_blob_size(pool->data_blob) / BIO_BLOCK_SIZE,
					      &pool->alloc);
		else if (rc == -DER_NONEXIST)
			rc = 0; /* created without a data blob: values stay inline */
		if (rc != 0)
			goto out_free;
	}
	/*
	 * A checkpoint must hold the whole index: keep the index below a slot's size (less a
	 * margin for chunk headers), so running out is -DER_NOSPACE on an update, never a
	 * checkpoint that cannot be written.
	 */
	{
		uint64_t slot = bio_blob_size(pool->meta_blob) / 2;
		uint64_t cap = slot > 2 * 1024 * 1024 ? slot - slot / 16 - 1024 * 1024 : 0;

		if (pool->mem_limit == 0 || pool->mem_limit > cap) {
			if (pool->mem_limit != 0)
				D_NOTE("pool " DF_UUID
				       " target %u: index memory limited to %" PRIu64
				       " bytes by the meta blob (%" PRIu64 " requested)",
				       DP_UUID(pool->uuid), pool->target, cap, pool->mem_limit);
			pool->mem_limit = cap;
		}
	}
	pool->replaying = true;
	rc = vos_ckpt_load(pool, &wal_pos, &wal_batch);
	pool->replaying = false;
	if (rc != 0)
		goto out_free;
	rc = vos_wal_open(pool, wal_pos, wal_batch);
	if (rc != 0)
		goto out_free;
	if (pool->alloc != NULL) {
		rc = alloc_rebuild(pool);
		if (rc != 0)
			goto out_wal;
	}
	pool->mem_used = d_alloc_thread_bytes() - before;
	*out = pool;
	return 0;

out_wal:
	vos_wal_close(pool);
out_free:
	pool_free(pool);
	return rc;
}

int
vos_pool_checkpoint(struct vos_pool *pool)
{
	if (pool->wal == NULL)
		return 0;
	return vos_ckpt_write(pool);
}

int
vos_pool_close(struct vos_pool *pool)
{
	int rc = 0;

	if (pool->wal != NULL) {
		rc = vos_wal_flush(pool);
		if (rc == 0)
			rc = vos_ckpt_write(pool);
		vos_wal_close(pool);
	}
	/* Run what is still queued (deferred callbacks, reads) before freeing. */
	while (bio_ioq_inflight(pool->ioq) > 0)
		bio_ioq_poll(pool->ioq, 100);
	bio_ioq_poll(pool->ioq, 0);
	pool_free(pool);
	vos_io_cache_drain();
	return rc;
}

void
vos_pool_query(struct vos_pool *pool, struct vos_pool_info *info)
{
	memset(info, 0, sizeof(*info));
	info->mem_limit = pool->mem_limit;
	info->mem_used = pool->mem_used < 0 ? 0 : (uint64_t)pool->mem_used;
	if (pool->alloc != NULL) {
		struct bio_alloc_stat st;

		bio_alloc_stat(pool->alloc, &st);
		info->data_total = st.total * BIO_BLOCK_SIZE;
		info->data_free = st.free * BIO_BLOCK_SIZE;
	}
	if (pool->wal != NULL)
		vos_wal_usage(pool, &info->wal_used, &info->wal_total);
	info->nr_conts = d_btr_count(&pool->conts);
	info->nr_checkpoints = pool->nr_checkpoints;
}

/* --- blocking wrappers --- */

int
vos_cont_create_sync(struct vos_pool *pool, const uuid_t uuid)
{
	struct vos_waiter w = { 0 };
	int rc = vos_cont_create(pool, uuid, vos_waiter_cb, &w);

	return rc != 0 ? rc : vos_wait(pool, &w);
}

int
vos_cont_destroy_sync(struct vos_pool *pool, const uuid_t uuid)
{
	struct vos_waiter w = { 0 };
	int rc = vos_cont_destroy(pool, uuid, vos_waiter_cb, &w);

	return rc != 0 ? rc : vos_wait(pool, &w);
}

int
vos_obj_update_sync(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch,
		    uint64_t flags, const d_iov_t *dkey, uint32_t nr, const struct vos_iod *iods,
		    const d_sg_list_t *sgls)
{
	struct vos_waiter w = { 0 };
	int rc = vos_obj_update(cont, oid, epoch, flags, dkey, nr, iods, sgls, vos_waiter_cb, &w);

	return rc != 0 ? rc : vos_wait(cont->pool, &w);
}

int
vos_obj_punch_sync(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
		   const d_iov_t *dkey, uint32_t nr, const d_iov_t *akeys)
{
	struct vos_waiter w = { 0 };
	int rc = vos_obj_punch(cont, oid, epoch, flags, dkey, nr, akeys, vos_waiter_cb, &w);

	return rc != 0 ? rc : vos_wait(cont->pool, &w);
}

int
vos_obj_fetch_sync(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint64_t flags,
		   const d_iov_t *dkey, uint32_t nr, struct vos_iod *iods, d_sg_list_t *sgls,
		   struct vos_iom *ioms)
{
	struct vos_waiter w = { 0 };
	int rc = vos_obj_fetch(cont, oid, epoch, flags, dkey, nr, iods, sgls, ioms, vos_waiter_cb,
			       &w);

	return rc != 1 ? rc : vos_wait(cont->pool, &w);
}
