/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_key.c - keys, incarnation logs and the orderings of the index trees.
 *
 * Keys are ordered by kind, chosen by the object type in the OID (as DAOS does):
 * hashed keys by murmur64 (seed 5731, DAOS's dkey seed) then length then bytes, so
 * enumeration order is arbitrary but stable; uint64 keys (8 bytes, native order) by
 * value, so the largest is the last entry; lexical keys by bytes (memcmp, shorter first
 * on a common prefix), with the first 8 bytes kept as a big-endian number so most
 * comparisons never touch the key bytes.
 *
 * An incarnation log is a sorted array of (epoch, seq, create|punch); see vos_int.h. A
 * create that would only extend a live incarnation at its end is not recorded.
 */
#define D_LOGFAC DD_FAC(vos)

#include <gurt/hash.h>

#include "vos/vos_int.h"

#define VOS_DKEY_SEED 5731

/* DAOS object types (daos_otype_t) whose keys are not hashed. */
enum {
	OT_MULTI_HASHED = 0,
	OT_OIT = 1,
	OT_DKEY_UINT64 = 2,
	OT_AKEY_UINT64 = 3,
	OT_MULTI_UINT64 = 4,
	OT_DKEY_LEXICAL = 5,
	OT_AKEY_LEXICAL = 6,
	OT_MULTI_LEXICAL = 7,
	OT_KV_HASHED = 8,
	OT_KV_UINT64 = 9,
	OT_KV_LEXICAL = 10,
	OT_ARRAY = 11,
	OT_ARRAY_ATTR = 12,
	OT_ARRAY_BYTE = 13,
	OT_OIT_V2 = 14,
};

enum vos_key_kind
vos_oid_dkey_kind(const struct vos_oid *oid)
{
	switch (oid->hi >> 56) {
	case OT_DKEY_UINT64:
	case OT_MULTI_UINT64:
	case OT_KV_UINT64:
	case OT_ARRAY:
	case OT_ARRAY_ATTR:
	case OT_ARRAY_BYTE:
		return VOS_KEY_UINT64;
	case OT_DKEY_LEXICAL:
	case OT_MULTI_LEXICAL:
	case OT_KV_LEXICAL:
		return VOS_KEY_LEXICAL;
	default:
		return VOS_KEY_HASHED;
	}
}

enum vos_key_kind
vos_oid_akey_kind(const struct vos_oid *oid)
{
	switch (oid->hi >> 56) {
	case OT_AKEY_UINT64:
	case OT_MULTI_UINT64:
		return VOS_KEY_UINT64;
	case OT_AKEY_LEXICAL:
	case OT_MULTI_LEXICAL:
		return VOS_KEY_LEXICAL;
	default:
		return VOS_KEY_HASHED;
	}
}

static uint64_t
lex_prefix(const uint8_t *buf, uint32_t len)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | (i < len ? buf[i] : 0);
	return v;
}

int
vos_skey_init(struct vos_skey *sk, enum vos_key_kind kind, const d_iov_t *iov)
{
	if (iov == NULL || iov->iov_len == 0 || iov->iov_buf == NULL)
		return -DER_INVAL;
	if (iov->iov_len > VOS_KEY_MAX)
		return -DER_KEY2BIG;
	sk->kind = kind;
	sk->len = (uint32_t)iov->iov_len;
	sk->buf = iov->iov_buf;
	switch (kind) {
	case VOS_KEY_UINT64:
		if (iov->iov_len != sizeof(uint64_t))
			return -DER_INVAL;
		memcpy(&sk->hash, iov->iov_buf, sizeof(uint64_t));
		break;
	case VOS_KEY_LEXICAL:
		sk->hash = lex_prefix(sk->buf, sk->len);
		break;
	case VOS_KEY_HASHED:
		sk->hash = d_hash_murmur64(sk->buf, sk->len, VOS_DKEY_SEED);
		break;
	}
	return 0;
}

int
vos_key_cmp(const struct vos_skey *sk, const struct vos_key *k)
{
	const uint8_t *kb;
	int c;

	if (sk->hash != k->hash)
		return sk->hash < k->hash ? -1 : 1;
	if (sk->kind == VOS_KEY_UINT64)
		return 0;
	kb = vos_key_bytes(k);
	if (sk->kind == VOS_KEY_LEXICAL) {
		c = memcmp(sk->buf, kb, D_MIN(sk->len, k->len));
		if (c != 0)
			return c;
		return sk->len < k->len ? -1 : sk->len > k->len;
	}
	if (sk->len != k->len)
		return sk->len < k->len ? -1 : 1;
	return memcmp(sk->buf, kb, sk->len);
}

int
vos_key_copy(struct vos_key *k, const struct vos_skey *sk)
{
	k->hash = sk->hash;
	k->len = sk->len;
	k->kind = sk->kind;
	if (sk->len <= VOS_KEY_INLINE) {
		memset(k->inl, 0, sizeof(k->inl));
		memcpy(k->inl, sk->buf, sk->len);
		return 0;
	}
	k->ptr = d_malloc(sk->len);
	if (k->ptr == NULL)
		return -DER_NOMEM;
	memcpy(k->ptr, sk->buf, sk->len);
	return 0;
}

void
vos_key_fini(struct vos_key *k)
{
	if (k->len > VOS_KEY_INLINE) {
		d_free(k->ptr);
		k->ptr = NULL;
	}
}

/* --- incarnation logs --- */

/* Index of the first entry > (epoch, seq). */
static uint32_t
ilog_upper(struct vos_ilog_ent *ents, uint32_t nr, uint64_t epoch, uint32_t seq)
{
	uint32_t lo = 0;
	uint32_t hi = nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (vos_stamp_cmp(ents[mid].epoch, ents[mid].seq, epoch, seq) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
vos_ilog_add(struct vos_ilog *log, uint64_t epoch, uint32_t seq, bool punch)
{
	struct vos_ilog_ent ent = { .epoch = epoch, .seq = seq, .punch = punch };
	struct vos_ilog_ent *ents = vos_ilog_ents(log);
	uint32_t at = ilog_upper(ents, log->nr, epoch, seq);

	if (at > 0 && ents[at - 1].epoch == epoch && ents[at - 1].seq == seq)
		return 0; /* replayed: already there */
	/*
	 * A create appended after a create changes no answer: skip it, or every update
	 * would cost an entry at every level. A punch later inserted below it must then
	 * find the creation from the children (vos_apply.c: punch_fixup).
	 */
	if (!punch && at == log->nr && at > 0 && !ents[at - 1].punch)
		return 0;
	if (log->nr == 0) {
		log->one = ent;
		log->nr = 1;
		return 0;
	}
	if (log->nr == 1) {
		struct vos_ilog_ent *arr = d_malloc(4 * sizeof(*arr));

		if (arr == NULL)
			return -DER_NOMEM;
		arr[0] = log->one;
		log->ents = arr;
		log->cap = 4;
	} else if (log->nr == log->cap) {
		struct vos_ilog_ent *arr;

		arr = d_reallocarray(log->ents, log->cap * 2, sizeof(*arr));
		if (arr == NULL)
			return -DER_NOMEM;
		log->ents = arr;
		log->cap *= 2;
	}
	ents = log->ents;
	memmove(&ents[at + 1], &ents[at], (log->nr - at) * sizeof(*ents));
	ents[at] = ent;
	log->nr++;
	return 0;
}

void
vos_ilog_del(struct vos_ilog *log, uint64_t epoch, uint32_t seq)
{
	struct vos_ilog_ent *ents = vos_ilog_ents(log);
	uint32_t at = ilog_upper(ents, log->nr, epoch, seq);

	if (at == 0 || ents[at - 1].epoch != epoch || ents[at - 1].seq != seq)
		return;
	at--;
	if (log->nr == 1) {
		log->nr = 0;
		return;
	}
	memmove(&ents[at], &ents[at + 1], (log->nr - at - 1) * sizeof(*ents));
	log->nr--;
	if (log->nr == 1) {
		struct vos_ilog_ent last = ents[0];

		d_free(ents);
		log->one = last;
		log->cap = 0;
	}
}

void
vos_ilog_fini(struct vos_ilog *log)
{
	if (log->nr > 1)
		d_free(log->ents);
	log->nr = 0;
	log->cap = 0;
}

bool
vos_ilog_exists(const struct vos_ilog *log, uint64_t epoch)
{
	struct vos_ilog_ent *ents = vos_ilog_ents((struct vos_ilog *)log);
	uint32_t at = ilog_upper(ents, log->nr, epoch, UINT32_MAX);

	return at > 0 && !ents[at - 1].punch;
}

struct vos_stamp
vos_ilog_punched(const struct vos_ilog *log, uint64_t epoch)
{
	struct vos_ilog_ent *ents = vos_ilog_ents((struct vos_ilog *)log);
	uint32_t at = ilog_upper(ents, log->nr, epoch, UINT32_MAX);
	struct vos_stamp none = { 0, 0 };

	while (at > 0) {
		at--;
		if (ents[at].punch)
			return (struct vos_stamp){ ents[at].epoch, ents[at].seq };
	}
	return none;
}

/* --- tree orderings --- */

static int
obj_cmp(const void *key, const void *entry)
{
	const struct vos_oid *k = key;
	const struct vos_orec *e = entry;

	if (k->hi != e->hi)
		return k->hi < e->hi ? -1 : 1;
	if (k->lo != e->lo)
		return k->lo < e->lo ? -1 : 1;
	return k->shard < e->shard ? -1 : k->shard > e->shard;
}

static int
obj_cmp_entry(const void *a, const void *b)
{
	const struct vos_orec *x = a;
	struct vos_oid k = { .lo = x->lo, .hi = x->hi, .shard = x->shard };

	return obj_cmp(&k, b);
}

/* Separators keep only what the comparisons read: shallower trees, fewer cache misses. */
const struct d_btr_ops vos_obj_ops = {
	.entry_size = sizeof(struct vos_orec),
	.key_size = offsetof(struct vos_orec, pad),
	.cmp = obj_cmp,
	.cmp_entry = obj_cmp_entry,
};

static int
key_cmp(const void *key, const void *entry)
{
	return vos_key_cmp(key, &((const struct vos_krec *)entry)->key);
}

static int
key_cmp_entry(const void *a, const void *b)
{
	const struct vos_key *k = &((const struct vos_krec *)a)->key;
	struct vos_skey sk = {
		.hash = k->hash,
		.len = k->len,
		.kind = k->kind,
		.buf = vos_key_bytes(k),
	};

	return vos_key_cmp(&sk, &((const struct vos_krec *)b)->key);
}

const struct d_btr_ops vos_key_ops = {
	.entry_size = sizeof(struct vos_krec),
	.key_size = sizeof(struct vos_key),
	.cmp = key_cmp,
	.cmp_entry = key_cmp_entry,
};

static int
sv_cmp(const void *key, const void *entry)
{
	const struct vos_sv_key *k = key;
	const struct vos_sv *e = entry;

	return vos_stamp_cmp(k->epoch, k->seq, e->epoch, e->seq);
}

static int
sv_cmp_entry(const void *a, const void *b)
{
	const struct vos_sv *x = a;
	const struct vos_sv *y = b;

	return vos_stamp_cmp(x->epoch, x->seq, y->epoch, y->seq);
}

const struct d_btr_ops vos_sv_ops = {
	.entry_size = sizeof(struct vos_sv),
	.key_size = offsetof(struct vos_sv, flags),
	.cmp = sv_cmp,
	.cmp_entry = sv_cmp_entry,
};

static int
ext_cmp(const void *key, const void *entry)
{
	const struct vos_ext_key *k = key;
	const struct vos_ext *e = entry;

	if (k->lo != e->lo)
		return k->lo < e->lo ? -1 : 1;
	return vos_stamp_cmp(k->epoch, k->seq, e->epoch, e->seq);
}

static int
ext_cmp_entry(const void *a, const void *b)
{
	const struct vos_ext *x = a;
	struct vos_ext_key k = { .lo = x->lo, .epoch = x->epoch, .seq = x->seq };

	return ext_cmp(&k, b);
}

static uint64_t
ext_aug(const void *entry)
{
	return ((const struct vos_ext *)entry)->hi;
}

const struct d_btr_ops vos_ext_ops = {
	.entry_size = sizeof(struct vos_ext),
	.key_size = offsetof(struct vos_ext, flags),
	.cmp = ext_cmp,
	.cmp_entry = ext_cmp_entry,
	.aug = ext_aug,
};

static int
cont_cmp(const void *key, const void *entry)
{
	return memcmp(key, ((const struct vos_crec *)entry)->uuid, sizeof(uuid_t));
}

static int
cont_cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct vos_crec *)a)->uuid, ((const struct vos_crec *)b)->uuid,
		      sizeof(uuid_t));
}

const struct d_btr_ops vos_cont_ops = {
	.entry_size = sizeof(struct vos_crec),
	.key_size = sizeof(uuid_t),
	.cmp = cont_cmp,
	.cmp_entry = cont_cmp_entry,
};
