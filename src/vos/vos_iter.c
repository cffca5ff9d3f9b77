/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_iter.c - enumeration with resumable anchors, and max/min key and extent queries.
 *
 * An anchor remembers the last entry returned, not a position: the next call seeks just
 * past it, so updates between calls never make enumeration repeat or skip entries that
 * stay. Keys of up to ANCHOR_KEY_MAX bytes are kept whole; a longer key keeps its hash,
 * length and first bytes, which order it as well in every practical case.
 *
 * Anchor buffer (96 bytes): u8 started, u8 truncated, u16 reserved, u32 key length,
 * u64 hash, then the key bytes (or, for objects: u64 lo, u64 hi, u32 shard; for extents:
 * u64 next index).
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos/vos_int.h"

#define ANCHOR_KEY_MAX 80

static struct vos_stamp
stamp_max(struct vos_stamp a, struct vos_stamp b)
{
	return vos_stamp_cmp(a.epoch, a.seq, b.epoch, b.seq) >= 0 ? a : b;
}

/* The object, if it exists at @epoch, with its punch bound. */
static struct vos_orec *
obj_at(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, struct vos_stamp *bound)
{
	struct vos_orec *o = vos_obj_find(cont, oid);

	if (o == NULL || !vos_ilog_exists(&o->ilog, epoch))
		return NULL;
	*bound = vos_ilog_punched(&o->ilog, epoch);
	return o;
}

static struct vos_krec *
key_at(struct d_btr *tree, const struct vos_skey *sk, uint64_t epoch, struct vos_stamp *bound)
{
	struct vos_krec *k = d_btr_lookup(tree, sk);

	if (k == NULL || !vos_ilog_exists(&k->ilog, epoch))
		return NULL;
	*bound = stamp_max(*bound, vos_ilog_punched(&k->ilog, epoch));
	return k;
}

int
vos_obj_list(struct vos_cont *cont, uint64_t epoch, struct vos_anchor *anchor, struct vos_oid *oids,
	     uint32_t *nr)
{
	struct buf ab = BUF_INIT(anchor->buf, sizeof(anchor->buf));
	struct d_btr_iter it;
	struct vos_oid last;
	uint32_t got = 0;
	bool started;
	int rc;

	if (*nr == 0 || oids == NULL)
		return -DER_INVAL;
	if (vos_anchor_is_eof(anchor)) {
		*nr = 0;
		return 0;
	}
	started = buf_get_u8(&ab) != 0;
	ab.off = 16;
	last.lo = buf_get_u64(&ab);
	last.hi = buf_get_u64(&ab);
	last.shard = buf_get_u32(&ab);
	rc = started ? d_btr_iter_seek(&it, &cont->objs, D_BTR_SEEK_GT, &last)
		     : d_btr_iter_seek(&it, &cont->objs, D_BTR_SEEK_FIRST, NULL);
	for (; rc == 0 && got < *nr; rc = d_btr_iter_next(&it)) {
		struct vos_orec *o = d_btr_iter_entry(&it);

		last = (struct vos_oid){ o->lo, o->hi, o->shard };
		if (vos_ilog_exists(&o->ilog, epoch))
			oids[got++] = last;
	}
	if (got > 0 || rc == 0) {
		buf_init(&ab, anchor->buf, sizeof(anchor->buf));
		buf_put_u8(&ab, 1);
		ab.off = 16;
		buf_put_u64(&ab, last.lo);
		buf_put_u64(&ab, last.hi);
		buf_put_u32(&ab, last.shard);
	}
	if (rc != 0)
		anchor->flags |= VOS_ANCHOR_EOF;
	*nr = got;
	return 0;
}

/* Save @k as the anchor's last key. */
static void
anchor_key_set(struct vos_anchor *anchor, const struct vos_key *k)
{
	struct buf ab = BUF_INIT(anchor->buf, sizeof(anchor->buf));
	uint32_t n = D_MIN(k->len, ANCHOR_KEY_MAX);

	buf_put_u8(&ab, 1);
	buf_put_u8(&ab, k->len > ANCHOR_KEY_MAX);
	buf_put_u16(&ab, 0);
	buf_put_u32(&ab, k->len);
	buf_put_u64(&ab, k->hash);
	buf_put_bytes_raw(&ab, vos_key_bytes(k), n);
}

/* The anchor's last key as a search key (bytes in the anchor). */
static bool
anchor_key_get(const struct vos_anchor *anchor, enum vos_key_kind kind, struct vos_skey *sk,
	       bool *truncated)
{
	struct buf ab = BUF_INIT(anchor->buf, sizeof(anchor->buf));
	bool started = buf_get_u8(&ab) != 0;

	*truncated = buf_get_u8(&ab) != 0;
	buf_get_u16(&ab);
	sk->len = buf_get_u32(&ab);
	sk->hash = buf_get_u64(&ab);
	sk->kind = kind;
	sk->buf = anchor->buf + ab.off;
	/* Anchors come back from clients: a length the anchor cannot hold is a prefix too. */
	if (sk->len > ANCHOR_KEY_MAX)
		*truncated = true;
	if (*truncated)
		sk->len = ANCHOR_KEY_MAX; /* the prefix: entries equal to it are skipped */
	return started;
}

int
vos_key_list(struct vos_cont *cont, const struct vos_oid *oid, const d_iov_t *dkey, uint64_t epoch,
	     struct vos_anchor *anchor, struct vos_key_desc *descs, uint32_t *nr, void *buf,
	     size_t buf_len)
{
	struct vos_stamp bound = { 0, 0 };
	struct d_btr *tree;
	enum vos_key_kind kind;
	struct d_btr_iter it;
	struct vos_orec *o;
	struct vos_skey last;
	bool truncated;
	uint32_t got = 0;
	size_t used = 0;
	int rc;

	if (*nr == 0 || descs == NULL || buf == NULL)
		return -DER_INVAL;
	if (vos_anchor_is_eof(anchor)) {
		*nr = 0;
		return 0;
	}
	o = obj_at(cont, oid, epoch, &bound);
	if (o == NULL)
		goto out_eof;
	tree = &o->dkeys;
	kind = vos_oid_dkey_kind(oid);
	if (dkey != NULL) {
		struct vos_skey dk;
		struct vos_krec *d;

		rc = vos_skey_init(&dk, kind, dkey);
		if (rc != 0)
			return rc;
		d = key_at(&o->dkeys, &dk, epoch, &bound);
		if (d == NULL)
			goto out_eof;
		tree = &d->child;
		kind = vos_oid_akey_kind(oid);
	}
	if (anchor_key_get(anchor, kind, &last, &truncated))
		rc = d_btr_iter_seek(&it, tree, truncated ? D_BTR_SEEK_GE : D_BTR_SEEK_GT, &last);
	else
		rc = d_btr_iter_seek(&it, tree, D_BTR_SEEK_FIRST, NULL);
	for (; rc == 0 && got < *nr; rc = d_btr_iter_next(&it)) {
		struct vos_krec *k = d_btr_iter_entry(&it);

		if (truncated && k->key.hash == last.hash && k->key.len >= last.len &&
		    memcmp(vos_key_bytes(&k->key), last.buf, ANCHOR_KEY_MAX) == 0)
			continue; /* at or before the long anchor key */
		truncated = false;
		if (!vos_ilog_exists(&k->ilog, epoch))
			continue;
		if (used + k->key.len > buf_len) {
			if (got == 0) {
				descs[0].len = k->key.len;
				return -DER_KEY2BIG;
			}
			break;
		}
		memcpy((uint8_t *)buf + used, vos_key_bytes(&k->key), k->key.len);
		descs[got].len = k->key.len;
		descs[got].off = (uint32_t)used;
		used += k->key.len;
		got++;
		anchor_key_set(anchor, &k->key);
	}
	*nr = got;
	if (rc != 0)
		anchor->flags |= VOS_ANCHOR_EOF;
	return 0;

out_eof:
	*nr = 0;
	anchor->flags |= VOS_ANCHOR_EOF;
	return 0;
}

int
vos_key_anchor(struct vos_cont *cont, const struct vos_oid *oid, const d_iov_t *dkey,
	       const d_iov_t *key, struct vos_anchor *anchor)
{
	struct vos_orec *o;
	struct vos_krec *k;
	struct vos_skey sk;
	struct d_btr_iter it;
	struct d_btr *tree;
	int rc;

	memset(anchor, 0, sizeof(*anchor));
	rc = vos_skey_init(&sk, dkey != NULL ? vos_oid_akey_kind(oid) : vos_oid_dkey_kind(oid),
			   key);
	if (rc != 0)
		return rc;
	/* Nothing here yet: an anchor at the start finds whatever comes by the listing. */
	o = vos_obj_find(cont, oid);
	if (o == NULL)
		return 0;
	tree = &o->dkeys;
	if (dkey != NULL) {
		struct vos_skey dk;

		rc = vos_skey_init(&dk, vos_oid_dkey_kind(oid), dkey);
		if (rc != 0)
			return rc;
		k = d_btr_lookup(&o->dkeys, &dk);
		if (k == NULL)
			return 0;
		tree = &k->child;
	}
	if (d_btr_iter_seek(&it, tree, D_BTR_SEEK_LT, &sk) == 0) {
		k = d_btr_iter_entry(&it);
		anchor_key_set(anchor, &k->key);
	}
	return 0;
}

/* The array akey and the punch bound above it, if it exists at @epoch. */
static int
akey_find(struct vos_cont *cont, const struct vos_oid *oid, const d_iov_t *dkey,
	  const d_iov_t *akey, uint64_t epoch, struct vos_krec **out, struct vos_stamp *bound)
{
	struct vos_skey dk;
	struct vos_skey ak;
	struct vos_orec *o;
	struct vos_krec *d;
	int rc;

	*out = NULL;
	rc = vos_skey_init(&dk, vos_oid_dkey_kind(oid), dkey);
	if (rc == 0)
		rc = vos_skey_init(&ak, vos_oid_akey_kind(oid), akey);
	if (rc != 0)
		return rc;
	o = obj_at(cont, oid, epoch, bound);
	d = o ? key_at(&o->dkeys, &dk, epoch, bound) : NULL;
	*out = d ? key_at(&d->child, &ak, epoch, bound) : NULL;
	return 0;
}

int
vos_recx_list(struct vos_cont *cont, const struct vos_oid *oid, const d_iov_t *dkey,
	      const d_iov_t *akey, uint64_t epoch, bool desc, struct vos_anchor *anchor,
	      struct vos_recx *recxs, uint64_t *epochs, uint32_t *nr, uint64_t *rsize)
{
	struct vos_stamp bound = { 0, 0 };
	struct buf ab = BUF_INIT(anchor->buf, sizeof(anchor->buf));
	struct vos_pieces pl = { 0 };
	struct vos_krec *a;
	bool started;
	uint64_t from;
	uint32_t got = 0;
	uint32_t k;
	int rc;

	if (*nr == 0 || recxs == NULL)
		return -DER_INVAL;
	*rsize = 0;
	if (vos_anchor_is_eof(anchor)) {
		*nr = 0;
		return 0;
	}
	rc = akey_find(cont, oid, dkey, akey, epoch, &a, &bound);
	if (rc != 0)
		return rc;
	if (a == NULL || a->type != VOS_IOD_ARRAY) {
		*nr = 0;
		anchor->flags |= VOS_ANCHOR_EOF;
		return a == NULL ? 0 : -DER_INVAL;
	}
	/* The anchor: whether started, and the index to go on from (lowest or highest). */
	started = buf_get_u8(&ab) != 0;
	ab.off = 16;
	from = buf_get_u64(&ab);
	if (desc)
		rc = vos_array_pieces(a, 0, started ? from : UINT64_MAX, epoch, bound, &pl);
	else
		rc = vos_array_pieces(a, from, UINT64_MAX, epoch, bound, &pl);
	if (rc != 0)
		return rc;
	for (k = 0; k < pl.nr; k++) {
		const struct vos_piece *p = &pl.p[desc ? pl.nr - 1 - k : k];
		struct vos_recx *prev = got > 0 ? &recxs[got - 1] : NULL;

		if (p->e.flags & VOS_VAL_PUNCH)
			continue;
		/* adjacent pieces of one write come as one extent */
		if (prev != NULL && *rsize == p->e.rsize &&
		    (epochs == NULL || epochs[got - 1] == p->e.epoch) &&
		    (desc ? p->hi + 1 == prev->idx : prev->idx + prev->nr == p->lo)) {
			if (desc)
				prev->idx = p->lo;
			prev->nr += p->hi - p->lo + 1;
			continue;
		}
		if (got == *nr)
			break;
		recxs[got].idx = p->lo;
		recxs[got].nr = p->hi - p->lo + 1;
		if (epochs != NULL)
			epochs[got] = p->e.epoch;
		*rsize = p->e.rsize;
		got++;
	}
	if (k == pl.nr) {
		anchor->flags |= VOS_ANCHOR_EOF;
	} else {
		buf_init(&ab, anchor->buf, sizeof(anchor->buf));
		buf_put_u8(&ab, 1);
		ab.off = 16;
		buf_put_u64(&ab, desc ? pl.p[pl.nr - 1 - k].hi : pl.p[k].lo);
	}
	d_free(pl.p);
	*nr = got;
	return 0;
}

/* The greatest (@max) or least key of @tree existing at @epoch, or NULL. */
static struct vos_krec *
key_extreme(struct d_btr *tree, uint64_t epoch, bool max)
{
	struct d_btr_iter it;
	int rc;

	for (rc = d_btr_iter_seek(&it, tree, max ? D_BTR_SEEK_LAST : D_BTR_SEEK_FIRST, NULL);
	     rc == 0; rc = max ? d_btr_iter_prev(&it) : d_btr_iter_next(&it)) {
		struct vos_krec *k = d_btr_iter_entry(&it);

		if (vos_ilog_exists(&k->ilog, epoch))
			return k;
	}
	return NULL;
}

static int
key_out(d_iov_t *iov, const struct vos_key *k)
{
	if (iov->iov_buf == NULL || iov->iov_buf_len < k->len) {
		iov->iov_len = k->len;
		return -DER_TRUNC;
	}
	memcpy(iov->iov_buf, vos_key_bytes(k), k->len);
	iov->iov_len = k->len;
	return 0;
}

int
vos_obj_query_key(struct vos_cont *cont, const struct vos_oid *oid, uint64_t epoch, uint32_t flags,
		  d_iov_t *dkey, d_iov_t *akey, struct vos_recx *recx)
{
	bool max = (flags & VOS_GET_MAX) != 0;
	struct vos_stamp bound = { 0, 0 };
	struct vos_orec *o;
	struct vos_krec *d;
	struct vos_krec *a;
	struct vos_skey sk;
	int rc;

	if (((flags & VOS_GET_MAX) != 0) == ((flags & VOS_GET_MIN) != 0) ||
	    (flags & (VOS_GET_DKEY | VOS_GET_AKEY | VOS_GET_RECX)) == 0)
		return -DER_INVAL;
	o = obj_at(cont, oid, epoch, &bound);
	if (o == NULL)
		return -DER_NONEXIST;
	if (flags & VOS_GET_DKEY) {
		if (dkey == NULL)
			return -DER_INVAL;
		d = key_extreme(&o->dkeys, epoch, max);
		if (d == NULL)
			return -DER_NONEXIST;
		rc = key_out(dkey, &d->key);
		if (rc != 0)
			return rc;
		bound = stamp_max(bound, vos_ilog_punched(&d->ilog, epoch));
	} else {
		rc = vos_skey_init(&sk, vos_oid_dkey_kind(oid), dkey);
		if (rc != 0)
			return rc;
		d = key_at(&o->dkeys, &sk, epoch, &bound);
		if (d == NULL)
			return -DER_NONEXIST;
	}
	if (flags & VOS_GET_AKEY) {
		if (akey == NULL)
			return -DER_INVAL;
		a = key_extreme(&d->child, epoch, max);
		if (a == NULL)
			return -DER_NONEXIST;
		rc = key_out(akey, &a->key);
		if (rc != 0)
			return rc;
		bound = stamp_max(bound, vos_ilog_punched(&a->ilog, epoch));
	} else if (flags & VOS_GET_RECX) {
		rc = vos_skey_init(&sk, vos_oid_akey_kind(oid), akey);
		if (rc != 0)
			return rc;
		a = key_at(&d->child, &sk, epoch, &bound);
		if (a == NULL)
			return -DER_NONEXIST;
	} else {
		return 0;
	}
	if (flags & VOS_GET_RECX) {
		struct vos_pieces pl = { 0 };
		int32_t i;
		bool found = false;

		if (recx == NULL || a->type != VOS_IOD_ARRAY)
			return -DER_INVAL;
		rc = vos_array_pieces(a, 0, UINT64_MAX, epoch, bound, &pl);
		if (rc != 0)
			return rc;
		for (i = max ? (int32_t)pl.nr - 1 : 0; i >= 0 && i < (int32_t)pl.nr;
		     i += max ? -1 : 1) {
			if (pl.p[i].e.flags & VOS_VAL_PUNCH)
				continue;
			recx->idx = pl.p[i].lo;
			recx->nr = pl.p[i].hi - pl.p[i].lo + 1;
			found = true;
			break;
		}
		d_free(pl.p);
		if (!found)
			return -DER_NONEXIST;
	}
	return 0;
}

uint64_t
vos_obj_max_epoch(struct vos_cont *cont, const struct vos_oid *oid)
{
	struct vos_orec *o = vos_obj_find(cont, oid);

	return o != NULL ? o->max_epoch : 0;
}
