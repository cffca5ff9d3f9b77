/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_apply.c - changing the index: updates and punches, whether live or replayed from
 * the WAL. The caller has checked conditions; these functions only change state, and
 * either change all of it or nothing: every insertion is noted in an undo list and
 * removed again if a later one fails for lack of memory.
 *
 * Replay applies records whose effects may already be present (a record written after a
 * checkpoint began); every insertion is keyed by (epoch, seq), so a second application
 * finds the entry and changes nothing.
 *
 * Punch propagation follows DAOS: punching akeys so that none is left at the epoch also
 * punches their dkey; it stops there (an object is never punched implicitly).
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos/vos_int.h"

/*
 * Tree entries move when their tree changes, so the undo list cannot keep pointers to
 * them: each step records the keys of its path and undo_step() finds the records again.
 * Steps run in reverse, so a record is still there when its children's steps undo.
 */
struct undo_path {
	struct vos_cont *cont;
	struct vos_oid oid;
	struct vos_skey dkey;
	struct vos_skey akey;
	bool has_dkey;
	bool has_akey;
};

enum undo_act {
	ACT_OBJ_NEW,  /* object record inserted */
	ACT_OBJ_ILOG, /* object ilog entry added */
	ACT_DKEY_NEW,
	ACT_DKEY_ILOG,
	ACT_AKEY_NEW,
	ACT_AKEY_ILOG,
	ACT_SV,  /* single-value version inserted */
	ACT_EXT, /* extent inserted */
};

struct undo_step {
	enum undo_act act;
	struct undo_path path;
	uint64_t epoch;
	uint32_t seq;
	uint64_t lo; /* ACT_EXT */
};

/* An update needs a handful of steps: they fit @inl, so the log allocates nothing. */
#define UNDO_INLINE 8

struct undo_log {
	struct undo_step *steps; /* @inl, or allocated once more are needed */
	uint32_t nr;
	uint32_t cap;
	struct undo_step inl[UNDO_INLINE];
};

static void
undo_init(struct undo_log *u)
{
	u->steps = u->inl;
	u->nr = 0;
	u->cap = UNDO_INLINE;
}

static void
undo_fini(struct undo_log *u)
{
	if (u->steps != u->inl)
		d_free(u->steps);
}

static int
undo_note(struct undo_log *u, enum undo_act act, const struct undo_path *path, uint64_t epoch,
	  uint32_t seq, uint64_t lo)
{
	if (u->nr == u->cap) {
		uint32_t cap = u->cap * 2;
		struct undo_step *s;

		s = d_reallocarray(u->steps == u->inl ? NULL : u->steps, cap, sizeof(*s));
		if (s == NULL)
			return -DER_NOMEM;
		if (u->steps == u->inl)
			memcpy(s, u->inl, sizeof(u->inl));
		u->steps = s;
		u->cap = cap;
	}
	u->steps[u->nr++] = (struct undo_step){
		.act = act, .path = *path, .epoch = epoch, .seq = seq, .lo = lo
	};
	return 0;
}

static struct vos_krec *
krec_find(struct d_btr *tree, const struct vos_skey *key)
{
	return d_btr_lookup(tree, key);
}

/* Undo one step; the records on its path exist (they were created before it). */
static void
undo_step(struct vos_pool *pool, const struct undo_step *s)
{
	struct vos_orec *o = vos_obj_find(s->path.cont, &s->path.oid);
	struct vos_krec *d = NULL;
	struct vos_krec *a = NULL;

	D_ASSERT(o != NULL);
	if (s->path.has_dkey) {
		d = krec_find(&o->dkeys, &s->path.dkey);
		D_ASSERT(d != NULL);
	}
	if (s->path.has_akey) {
		a = krec_find(&d->child, &s->path.akey);
		D_ASSERT(a != NULL);
	}
	switch (s->act) {
	case ACT_OBJ_NEW: {
		struct vos_orec gone;

		d_btr_delete(&s->path.cont->objs, &s->path.oid, &gone);
		vos_orec_fini(pool, &gone, 0);
		break;
	}
	case ACT_OBJ_ILOG:
		vos_ilog_del(&o->ilog, s->epoch, s->seq);
		break;
	case ACT_DKEY_NEW: {
		struct vos_krec gone;

		d_btr_delete(&o->dkeys, &s->path.dkey, &gone);
		vos_krec_fini(pool, &gone, 0);
		break;
	}
	case ACT_DKEY_ILOG:
		vos_ilog_del(&d->ilog, s->epoch, s->seq);
		break;
	case ACT_AKEY_NEW: {
		struct vos_krec gone;

		d_btr_delete(&d->child, &s->path.akey, &gone);
		vos_krec_fini(pool, &gone, 0);
		break;
	}
	case ACT_AKEY_ILOG:
		vos_ilog_del(&a->ilog, s->epoch, s->seq);
		break;
	case ACT_SV: {
		struct vos_sv_key k = { s->epoch, s->seq };
		struct vos_sv gone;

		if (d_btr_delete(&a->child, &k, &gone) == 0 && (gone.flags & VOS_VAL_INLINE))
			d_free((void *)(uintptr_t)gone.addr);
		break;
	}
	case ACT_EXT: {
		struct vos_ext_key k = { s->lo, s->epoch, s->seq };
		struct vos_ext gone;

		if (d_btr_delete(&a->child, &k, &gone) == 0 && (gone.flags & VOS_VAL_INLINE))
			d_free((void *)(uintptr_t)gone.addr);
		break;
	}
	}
}

static void
undo_run(struct vos_pool *pool, struct undo_log *u)
{
	while (u->nr > 0)
		undo_step(pool, &u->steps[--u->nr]);
}

struct vos_orec *
vos_obj_find(struct vos_cont *cont, const struct vos_oid *oid)
{
	return d_btr_lookup(&cont->objs, oid);
}

static int
obj_get(struct vos_cont *cont, const struct vos_oid *oid, struct undo_log *u,
	const struct undo_path *path, struct vos_orec **out)
{
	struct vos_orec rec;
	void *found;
	int rc;

	found = d_btr_lookup(&cont->objs, oid);
	if (found != NULL) {
		*out = found;
		return 0;
	}
	memset(&rec, 0, sizeof(rec));
	rec.lo = oid->lo;
	rec.hi = oid->hi;
	rec.shard = oid->shard;
	d_btr_init(&rec.dkeys, &vos_key_ops);
	rc = d_btr_insert(&cont->objs, oid, &rec, &found);
	if (rc != 0)
		return rc;
	rc = undo_note(u, ACT_OBJ_NEW, path, 0, 0, 0);
	if (rc != 0) {
		d_btr_delete(&cont->objs, oid, NULL);
		return rc;
	}
	*out = found;
	return 0;
}

static int
krec_get(struct d_btr *tree, const struct vos_skey *key, uint32_t type,
	 const struct d_btr_ops *child_ops, struct undo_log *u, enum undo_act act,
	 const struct undo_path *path, struct vos_krec **out)
{
	struct vos_krec rec;
	void *found;
	int rc;

	found = d_btr_lookup(tree, key);
	if (found != NULL) {
		*out = found;
		return 0;
	}
	memset(&rec, 0, sizeof(rec));
	rc = vos_key_copy(&rec.key, key);
	if (rc != 0)
		return rc;
	rec.type = type;
	d_btr_init(&rec.child, child_ops);
	rc = d_btr_insert(tree, key, &rec, &found);
	if (rc != 0) {
		vos_key_fini(&rec.key);
		return rc;
	}
	rc = undo_note(u, act, path, 0, 0, 0);
	if (rc != 0) {
		d_btr_delete(tree, key, &rec);
		vos_key_fini(&rec.key);
		return rc;
	}
	*out = found;
	return 0;
}

/* Add an ilog entry, noting it for undo unless it was already there. */
static int
ilog_add_undo(struct vos_ilog *log, uint64_t epoch, uint32_t seq, bool punch, struct undo_log *u,
	      enum undo_act act, const struct undo_path *path)
{
	uint32_t before = log->nr;
	int rc;

	rc = vos_ilog_add(log, epoch, seq, punch);
	if (rc != 0 || log->nr == before)
		return rc;
	rc = undo_note(u, act, path, epoch, seq, 0);
	if (rc != 0)
		vos_ilog_del(log, epoch, seq);
	return rc;
}

/* Copy @len inline bytes for a new entry; *addr gets the pointer. */
static int
inline_copy(const struct vos_val *v, uint64_t *addr)
{
	void *p;

	if (v->len == 0) {
		*addr = 0;
		return 0;
	}
	p = d_malloc(v->len);
	if (p == NULL)
		return -DER_NOMEM;
	memcpy(p, v->inl, v->len);
	*addr = (uint64_t)(uintptr_t)p;
	return 0;
}

static int
sv_insert(struct vos_krec *a, uint64_t epoch, uint32_t seq, const struct vos_val *v,
	  struct undo_log *u, const struct undo_path *path)
{
	struct vos_sv_key k = { epoch, seq };
	struct vos_sv sv = {
		.epoch = epoch,
		.seq = seq,
		.flags = v->flags,
		.addr = v->addr,
		.len = (uint32_t)v->len,
		.csum = v->csum,
	};
	int rc;

	if (d_btr_lookup(&a->child, &k) != NULL)
		return 0; /* replayed */
	if (v->flags & VOS_VAL_INLINE) {
		rc = inline_copy(v, &sv.addr);
		if (rc != 0)
			return rc;
	}
	rc = d_btr_insert(&a->child, &k, &sv, NULL);
	if (rc == 0)
		rc = undo_note(u, ACT_SV, path, epoch, seq, 0);
	if (rc != 0 && (sv.flags & VOS_VAL_INLINE)) {
		d_btr_delete(&a->child, &k, NULL);
		d_free((void *)(uintptr_t)sv.addr);
	}
	return rc;
}

static int
ext_insert(struct vos_krec *a, uint64_t epoch, uint32_t seq, uint64_t rsize,
	   const struct vos_recx *rx, const struct vos_val *v, struct undo_log *u,
	   const struct undo_path *path)
{
	struct vos_ext_key k = { rx->idx, epoch, seq };
	struct vos_ext ext = {
		.lo = rx->idx,
		.hi = rx->idx + rx->nr - 1,
		.epoch = epoch,
		.seq = seq,
		.flags = v->flags,
		.addr = v->addr,
		.rsize = (uint32_t)rsize,
		.csum = v->csum,
	};
	int rc;

	if (d_btr_lookup(&a->child, &k) != NULL)
		return 0; /* replayed */
	if (v->flags & VOS_VAL_INLINE) {
		rc = inline_copy(v, &ext.addr);
		if (rc != 0)
			return rc;
	}
	rc = d_btr_insert(&a->child, &k, &ext, NULL);
	if (rc == 0)
		rc = undo_note(u, ACT_EXT, path, epoch, seq, rx->idx);
	if (rc != 0 && (ext.flags & VOS_VAL_INLINE)) {
		d_btr_delete(&a->child, &k, NULL);
		d_free((void *)(uintptr_t)ext.addr);
	}
	return rc;
}

static int
akey_apply(struct vos_krec *d, uint64_t epoch, uint32_t seq, const struct vos_apply_akey *ak,
	   struct undo_log *u, struct undo_path *path)
{
	const struct d_btr_ops *ops = ak->type == VOS_IOD_SINGLE ? &vos_sv_ops : &vos_ext_ops;
	struct vos_krec *a;
	uint32_t i;
	int rc;

	path->akey = ak->akey;
	path->has_akey = false;
	rc = krec_get(&d->child, &ak->akey, ak->type, ops, u, ACT_AKEY_NEW, path, &a);
	if (rc != 0)
		return rc;
	path->has_akey = true;
	/* The kind of an akey is fixed by its first update (DAOS: mixing is undefined). */
	if (a->type != (uint32_t)ak->type)
		return -DER_INVAL;
	rc = ilog_add_undo(&a->ilog, epoch, seq, false, u, ACT_AKEY_ILOG, path);
	if (rc != 0)
		return rc;
	if (ak->type == VOS_IOD_SINGLE)
		return sv_insert(a, epoch, seq, &ak->vals[0], u, path);
	for (i = 0; i < ak->nr; i++) {
		/* Inserting into a's own tree changes a->child in place; a does not move. */
		rc = ext_insert(a, epoch, seq, ak->rsize, &ak->recxs[i], &ak->vals[i], u, path);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
vos_apply_update(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint32_t seq,
		 const struct vos_skey *dkey, uint32_t nr, const struct vos_apply_akey *akeys)
{
	struct undo_log u;
	struct undo_path path = { .cont = cont, .oid = *oid };
	struct vos_orec *o;
	struct vos_krec *d;
	uint32_t i;
	int rc;

	undo_init(&u);
	rc = obj_get(cont, oid, &u, &path, &o);
	if (rc != 0)
		goto out_undo;
	/* an upper bound: an update undone below leaves it as it is */
	o->max_epoch = D_MAX(o->max_epoch, epoch);
	rc = ilog_add_undo(&o->ilog, epoch, seq, false, &u, ACT_OBJ_ILOG, &path);
	if (rc != 0)
		goto out_undo;
	path.dkey = *dkey;
	rc = krec_get(&o->dkeys, dkey, 0, &vos_key_ops, &u, ACT_DKEY_NEW, &path, &d);
	if (rc != 0)
		goto out_undo;
	path.has_dkey = true;
	rc = ilog_add_undo(&d->ilog, epoch, seq, false, &u, ACT_DKEY_ILOG, &path);
	if (rc != 0)
		goto out_undo;
	for (i = 0; i < nr; i++) {
		/* Tree changes below d do not move d: it lives in o->dkeys, unchanged here. */
		rc = akey_apply(d, epoch, seq, &akeys[i], &u, &path);
		if (rc != 0)
			goto out_undo;
	}
	undo_fini(&u);
	return 0;

out_undo:
	undo_run(cont->pool, &u);
	undo_fini(&u);
	return rc;
}

/* --- punches below later updates --- */

/* The first (epoch, seq) after @after at which @log records a create, if any. */
static bool
ilog_first_create(const struct vos_ilog *log, struct vos_stamp after, struct vos_stamp *out)
{
	struct vos_ilog_ent *ents = vos_ilog_ents((struct vos_ilog *)log);
	uint32_t i;

	for (i = 0; i < log->nr; i++) {
		if (!ents[i].punch &&
		    vos_stamp_cmp(ents[i].epoch, ents[i].seq, after.epoch, after.seq) > 0) {
			*out = (struct vos_stamp){ ents[i].epoch, ents[i].seq };
			return true;
		}
	}
	return false;
}

static void
stamp_min(struct vos_stamp *best, bool *found, struct vos_stamp s)
{
	if (!*found || vos_stamp_cmp(s.epoch, s.seq, best->epoch, best->seq) < 0)
		*best = s;
	*found = true;
}

/* The first activity after @after under akey @a: its creates and its values. */
static bool
akey_first(struct vos_krec *a, struct vos_stamp after, struct vos_stamp *out)
{
	struct vos_stamp s;
	bool found = ilog_first_create(&a->ilog, after, out);
	struct d_btr_iter it;
	int rc;

	for (rc = d_btr_iter_seek(&it, &a->child, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it)) {
		if (a->type == VOS_IOD_SINGLE) {
			const struct vos_sv *sv = d_btr_iter_entry(&it);

			s = (struct vos_stamp){ sv->epoch, sv->seq };
		} else {
			const struct vos_ext *e = d_btr_iter_entry(&it);

			s = (struct vos_stamp){ e->epoch, e->seq };
		}
		if (vos_stamp_cmp(s.epoch, s.seq, after.epoch, after.seq) > 0)
			stamp_min(out, &found, s);
	}
	return found;
}

static bool
dkey_first(struct vos_krec *d, struct vos_stamp after, struct vos_stamp *out)
{
	struct vos_stamp s;
	bool found = ilog_first_create(&d->ilog, after, out);
	struct d_btr_iter it;
	int rc;

	for (rc = d_btr_iter_seek(&it, &d->child, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it))
		if (akey_first(d_btr_iter_entry(&it), after, &s))
			stamp_min(out, &found, s);
	return found;
}

static bool
obj_first(struct vos_orec *o, struct vos_stamp after, struct vos_stamp *out)
{
	struct vos_stamp s;
	bool found = ilog_first_create(&o->ilog, after, out);
	struct d_btr_iter it;
	int rc;

	for (rc = d_btr_iter_seek(&it, &o->dkeys, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it))
		if (dkey_first(d_btr_iter_entry(&it), after, &s))
			stamp_min(out, &found, s);
	return found;
}

/*
 * A punch at @p was inserted into @log. Creates appended after earlier ones were not
 * recorded (vos_ilog_add), so if something under the entity was written after @p, the
 * first such write must become a create entry again, or the punch would hide it.
 */
static int
punch_fixup(struct vos_ilog *log, struct vos_stamp p, bool found, struct vos_stamp first,
	    struct undo_log *u, enum undo_act act, const struct undo_path *path)
{
	struct vos_ilog_ent *ents = vos_ilog_ents(log);
	uint32_t i;

	if (!found)
		return 0;
	/* Is the entity already created again somewhere in (p, first]? */
	for (i = 0; i < log->nr; i++)
		if (vos_stamp_cmp(ents[i].epoch, ents[i].seq, p.epoch, p.seq) > 0 &&
		    vos_stamp_cmp(ents[i].epoch, ents[i].seq, first.epoch, first.seq) <= 0)
			return 0;
	return ilog_add_undo(log, first.epoch, first.seq, false, u, act, path);
}

/* Does any akey of @d exist at @epoch? */
static bool
dkey_has_akeys(struct vos_krec *d, uint64_t epoch)
{
	struct d_btr_iter it;
	int rc;

	for (rc = d_btr_iter_seek(&it, &d->child, D_BTR_SEEK_FIRST, NULL); rc == 0;
	     rc = d_btr_iter_next(&it)) {
		struct vos_krec *a = d_btr_iter_entry(&it);

		if (vos_ilog_exists(&a->ilog, epoch))
			return true;
	}
	return false;
}

int
vos_apply_punch(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint32_t seq,
		const struct vos_skey *dkey, uint32_t nr, const struct vos_skey *akeys)
{
	struct undo_log u;
	struct undo_path path = { .cont = cont, .oid = *oid };
	struct vos_stamp stamp = { epoch, seq };
	struct vos_stamp first;
	struct vos_orec *o;
	struct vos_krec *d;
	struct vos_krec *a;
	bool found;
	uint32_t i;
	int rc = 0;

	undo_init(&u);
	/* Punching what was never written has nothing to hide. */
	o = vos_obj_find(cont, oid);
	if (o == NULL)
		return 0;
	o->max_epoch = D_MAX(o->max_epoch, epoch);
	if (dkey == NULL) {
		rc = ilog_add_undo(&o->ilog, epoch, seq, true, &u, ACT_OBJ_ILOG, &path);
		if (rc == 0) {
			found = obj_first(o, stamp, &first);
			rc = punch_fixup(&o->ilog, stamp, found, first, &u, ACT_OBJ_ILOG, &path);
		}
		goto out;
	}
	d = krec_find(&o->dkeys, dkey);
	if (d == NULL)
		return 0;
	path.dkey = *dkey;
	path.has_dkey = true;
	if (nr == 0) {
		rc = ilog_add_undo(&d->ilog, epoch, seq, true, &u, ACT_DKEY_ILOG, &path);
		if (rc == 0) {
			found = dkey_first(d, stamp, &first);
			rc = punch_fixup(&d->ilog, stamp, found, first, &u, ACT_DKEY_ILOG, &path);
		}
		goto out;
	}
	for (i = 0; i < nr; i++) {
		a = krec_find(&d->child, &akeys[i]);
		if (a == NULL)
			continue;
		path.akey = akeys[i];
		path.has_akey = true;
		rc = ilog_add_undo(&a->ilog, epoch, seq, true, &u, ACT_AKEY_ILOG, &path);
		if (rc == 0) {
			found = akey_first(a, stamp, &first);
			rc = punch_fixup(&a->ilog, stamp, found, first, &u, ACT_AKEY_ILOG, &path);
		}
		if (rc != 0)
			goto out;
	}
	path.has_akey = false;
	if (vos_ilog_exists(&d->ilog, epoch) && !dkey_has_akeys(d, epoch))
		rc = ilog_add_undo(&d->ilog, epoch, seq, true, &u, ACT_DKEY_ILOG, &path);
out:
	if (rc != 0)
		undo_run(cont->pool, &u);
	undo_fini(&u);
	return rc;
}

/* --- freeing --- */

void
vos_val_release(struct vos_pool *pool, uint32_t flags, uint64_t addr, uint64_t bytes,
		uint64_t batch)
{
	if (flags & VOS_VAL_INLINE) {
		d_free((void *)(uintptr_t)addr);
	} else if ((flags & VOS_VAL_DATA) && pool->alloc != NULL && !pool->replaying) {
		/* (During replay the allocator is rebuilt afterwards from what remains.) */
		if (batch == 0)
			bio_alloc_cancel(pool->alloc, addr, vos_blocks(bytes));
		else
			bio_alloc_free_deferred(pool->alloc, addr, vos_blocks(bytes), batch);
	}
}

struct fini_arg {
	struct vos_pool *pool;
	uint64_t batch;
};

static void
sv_fini(void *entry, void *arg)
{
	struct fini_arg *fa = arg;
	struct vos_sv *sv = entry;

	vos_val_release(fa->pool, sv->flags, sv->addr, sv->len, fa->batch);
}

static void
ext_fini(void *entry, void *arg)
{
	struct fini_arg *fa = arg;
	struct vos_ext *e = entry;

	vos_val_release(fa->pool, e->flags, e->addr, (e->hi - e->lo + 1) * e->rsize, fa->batch);
}

static void
krec_fini_cb(void *entry, void *arg)
{
	struct fini_arg *fa = arg;

	vos_krec_fini(fa->pool, entry, fa->batch);
}

void
vos_krec_fini(struct vos_pool *pool, struct vos_krec *k, uint64_t batch)
{
	struct fini_arg fa = { pool, batch };

	if (k->child.ops == &vos_sv_ops)
		d_btr_fini(&k->child, sv_fini, &fa);
	else if (k->child.ops == &vos_ext_ops)
		d_btr_fini(&k->child, ext_fini, &fa);
	else
		d_btr_fini(&k->child, krec_fini_cb, &fa);
	vos_ilog_fini(&k->ilog);
	vos_key_fini(&k->key);
}

void
vos_orec_fini(struct vos_pool *pool, struct vos_orec *o, uint64_t batch)
{
	struct fini_arg fa = { pool, batch };

	d_btr_fini(&o->dkeys, krec_fini_cb, &fa);
	vos_ilog_fini(&o->ilog);
}

static void
orec_fini_cb(void *entry, void *arg)
{
	struct fini_arg *fa = arg;

	vos_orec_fini(fa->pool, entry, fa->batch);
}

void
vos_cont_free(struct vos_cont *cont, uint64_t batch)
{
	struct fini_arg fa = { cont->pool, batch };

	d_btr_fini(&cont->objs, orec_fini_cb, &fa);
	d_free(cont->agg_dkey);
	d_free(cont);
}
