/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_obj.h - objects: OID layout and generation, open/close, update and fetch of
 * values under (dkey, akey), punch, key and extent enumeration, and the object ID
 * tables of snapshots.
 *
 * An object holds dkeys; a dkey holds akeys; an akey holds either one single value
 * (DAOS_IOD_SINGLE) or an array of equal-sized records (DAOS_IOD_ARRAY), fixed by its
 * first update. All akeys of a dkey live on the same targets.
 */
#ifndef DAOS_OBJ_H
#define DAOS_OBJ_H

/* The library's symbol; the name is the API's. */
#define daos_obj_generate_oid daos_obj_generate_oid2

#include <daos_event.h>
#include <daos_obj_class.h>
#include <daos_prop.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
#define DAOS_OBJ_NIL (daos_obj_id_t{ 0, 0 })
#else
#define DAOS_OBJ_NIL ((daos_obj_id_t){ 0 })
#endif

/* The 32 DAOS bits at the top of oid.hi: type, redundancy, group count. */
#define OID_FMT_INTR_BITS 32
#define OID_FMT_TYPE_BITS 8
#define OID_FMT_CLASS_BITS 8
#define OID_FMT_META_BITS 16

#define OID_FMT_TYPE_SHIFT (64 - OID_FMT_TYPE_BITS)
#define OID_FMT_CLASS_SHIFT (OID_FMT_TYPE_SHIFT - OID_FMT_CLASS_BITS)
#define OID_FMT_META_SHIFT (OID_FMT_CLASS_SHIFT - OID_FMT_META_BITS)

#define OID_FMT_TYPE_MAX ((1ULL << OID_FMT_TYPE_BITS) - 1)
#define OID_FMT_CLASS_MAX ((1ULL << OID_FMT_CLASS_BITS) - 1)
#define OID_FMT_META_MAX ((1ULL << OID_FMT_META_BITS) - 1)

#define OID_FMT_TYPE_MASK (OID_FMT_TYPE_MAX << OID_FMT_TYPE_SHIFT)
#define OID_FMT_CLASS_MASK (OID_FMT_CLASS_MAX << OID_FMT_CLASS_SHIFT)
#define OID_FMT_META_MASK (OID_FMT_META_MAX << OID_FMT_META_SHIFT)

/* Object types: how dkeys and akeys are ordered, and which API the object serves. */
enum daos_otype_t {
	DAOS_OT_MULTI_HASHED = 0,  /* hashed dkeys and akeys */
	DAOS_OT_OIT = 1,           /* object ID table of a snapshot */
	DAOS_OT_DKEY_UINT64 = 2,   /* integer dkeys */
	DAOS_OT_AKEY_UINT64 = 3,   /* integer akeys */
	DAOS_OT_MULTI_UINT64 = 4,  /* integer dkeys and akeys */
	DAOS_OT_DKEY_LEXICAL = 5,  /* sorted dkeys */
	DAOS_OT_AKEY_LEXICAL = 6,  /* sorted akeys */
	DAOS_OT_MULTI_LEXICAL = 7, /* sorted dkeys and akeys */
	DAOS_OT_KV_HASHED = 8,     /* flat KV, hashed keys */
	DAOS_OT_KV_UINT64 = 9,     /* flat KV, integer keys */
	DAOS_OT_KV_LEXICAL = 10,   /* flat KV, sorted keys */
	DAOS_OT_ARRAY = 11,        /* array, its attributes in the object */
	DAOS_OT_ARRAY_ATTR = 12,   /* array, attributes kept by the caller */
	DAOS_OT_ARRAY_BYTE = 13,   /* byte array without metadata (DFS files) */
	DAOS_OT_OIT_V2 = 14,       /* object ID table, second format */
	DAOS_OT_MAX = 14,
};

static inline bool
daos_otype_t_is_valid(enum daos_otype_t type)
{
	return type <= DAOS_OT_MAX;
}

static inline bool
daos_pa_domain_is_valid(uint32_t pa_domain)
{
	return pa_domain == DAOS_PROP_CO_REDUN_NODE || pa_domain == DAOS_PROP_CO_REDUN_RANK;
}

static inline enum daos_otype_t
daos_obj_id2type(daos_obj_id_t oid)
{
	return (enum daos_otype_t)((oid.hi & OID_FMT_TYPE_MASK) >> OID_FMT_TYPE_SHIFT);
}

static inline bool
daos_is_dkey_lexical_type(enum daos_otype_t type)
{
	return type == DAOS_OT_DKEY_LEXICAL || type == DAOS_OT_MULTI_LEXICAL ||
	       type == DAOS_OT_KV_LEXICAL;
}

static inline bool
daos_is_dkey_lexical(daos_obj_id_t oid)
{
	return daos_is_dkey_lexical_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_akey_lexical_type(enum daos_otype_t type)
{
	return type == DAOS_OT_AKEY_LEXICAL || type == DAOS_OT_MULTI_LEXICAL;
}

static inline bool
daos_is_akey_lexical(daos_obj_id_t oid)
{
	return daos_is_akey_lexical_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_array_type(enum daos_otype_t type)
{
	return type == DAOS_OT_ARRAY || type == DAOS_OT_ARRAY_ATTR || type == DAOS_OT_ARRAY_BYTE;
}

static inline bool
daos_is_array(daos_obj_id_t oid)
{
	return daos_is_array_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_dkey_uint64_type(enum daos_otype_t type)
{
	return type == DAOS_OT_MULTI_UINT64 || type == DAOS_OT_DKEY_UINT64 ||
	       type == DAOS_OT_KV_UINT64 || daos_is_array_type(type);
}

static inline bool
daos_is_dkey_uint64(daos_obj_id_t oid)
{
	return daos_is_dkey_uint64_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_akey_uint64_type(enum daos_otype_t type)
{
	return type == DAOS_OT_MULTI_UINT64 || type == DAOS_OT_AKEY_UINT64;
}

static inline bool
daos_is_akey_uint64(daos_obj_id_t oid)
{
	return daos_is_akey_uint64_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_kv_type(enum daos_otype_t type)
{
	return type == DAOS_OT_KV_HASHED || type == DAOS_OT_KV_UINT64 || type == DAOS_OT_KV_LEXICAL;
}

static inline bool
daos_is_kv(daos_obj_id_t oid)
{
	return daos_is_kv_type(daos_obj_id2type(oid));
}

/* Conditional operations, the low bits of update/fetch/punch flags. */
#define IO_FLAGS_COND_BITS 8

enum {
	DAOS_COND_PUNCH = (1 << 0),       /* punch only an existing key */
	DAOS_COND_DKEY_INSERT = (1 << 1), /* dkey must not exist */
	DAOS_COND_DKEY_UPDATE = (1 << 2), /* dkey must exist */
	DAOS_COND_DKEY_FETCH = (1 << 3),  /* dkey must exist */
	DAOS_COND_AKEY_INSERT = (1 << 4), /* akey must not exist */
	DAOS_COND_AKEY_UPDATE = (1 << 5), /* akey must exist */
	DAOS_COND_AKEY_FETCH = (1 << 6),  /* akey must exist */
	DAOS_COND_PER_AKEY = (1 << 7),    /* take akey conditions from each iod_flags */
	DAOS_COND_MASK = ((1 << IO_FLAGS_COND_BITS) - 1),
};

/* What daos_obj_query() reports. */
struct daos_obj_attr {
	d_rank_t oa_rank;
	struct daos_oclass_attr *oa_oa;
};

/* Object open modes. */
enum {
	DAOS_OO_RO = (1 << 1),
	DAOS_OO_RW = (1 << 2),
	DAOS_OO_EXCL = (1 << 3),
	DAOS_OO_IO_RAND = (1 << 4), /* not supported */
	DAOS_OO_IO_SEQ = (1 << 5),  /* not supported */
};

/* rx_nr records from index rx_idx. */
typedef struct {
	uint64_t rx_idx;
	uint64_t rx_nr;
} daos_recx_t;

typedef enum {
	DAOS_IOD_NONE = 0,
	DAOS_IOD_SINGLE = 1,
	DAOS_IOD_ARRAY = 2,
} daos_iod_type_t;

/*
 * What to read or write under one akey: for a single value iod_nr is 1 and iod_size
 * its length; for an array iod_size is the record size and iod_recxs the extents.
 * iod_size 0 on update punches the extents; DAOS_REC_ANY on fetch asks for the size.
 */
typedef struct {
	daos_key_t iod_name;
	daos_iod_type_t iod_type;
	daos_size_t iod_size;
	uint64_t iod_flags; /* conditions, with DAOS_COND_PER_AKEY */
	uint32_t iod_nr;
	daos_recx_t *iod_recxs;
} daos_iod_t;

/* daos_iom_t: also list every extent found, not only the lowest and highest. */
#define DAOS_IOMF_DETAIL (0x1U)

/*
 * Which extents a fetch found for one iod. With DAOS_IOMF_DETAIL, iom_recxs is the
 * caller's array of iom_nr entries (truncated if iom_nr_out is larger), or NULL with
 * iom_nr 0 to have the library allocate it; the caller frees it.
 */
typedef struct {
	daos_iod_type_t iom_type;
	uint32_t iom_nr;
	uint32_t iom_nr_out;
	uint32_t iom_flags;
	daos_size_t iom_size;
	daos_recx_t iom_recx_lo;
	daos_recx_t iom_recx_hi;
	daos_recx_t *iom_recxs;
} daos_iom_t;

/* iod_size on fetch: whatever size the value has. */
enum {
	DAOS_REC_ANY = 0,
};

/* daos_obj_query_key() flags: MAX or MIN, and which of dkey, akey and recx. */
enum {
	DAOS_GET_MAX = (1 << 0),
	DAOS_GET_MIN = (1 << 1),
	DAOS_GET_DKEY = (1 << 2),
	DAOS_GET_AKEY = (1 << 3),
	DAOS_GET_RECX = (1 << 4),
};

/* One enumerated key: its length in the sgl, and for akeys the kind of value. */
typedef struct {
	daos_size_t kd_key_len;
	uint32_t kd_val_type;
} daos_key_desc_t;

static inline enum daos_obj_redun
daos_obj_id2ord(daos_obj_id_t oid)
{
	return (enum daos_obj_redun)((oid.hi & OID_FMT_CLASS_MASK) >> OID_FMT_CLASS_SHIFT);
}

/* The class of @oid, with the group count it was generated with. */
static inline daos_oclass_id_t
daos_obj_id2class(daos_obj_id_t oid)
{
	uint32_t ord = (uint32_t)daos_obj_id2ord(oid);
	uint32_t nr_grps = (uint32_t)((oid.hi & OID_FMT_META_MASK) >> OID_FMT_META_SHIFT);

	return (ord << OC_REDUN_SHIFT) | nr_grps;
}

static inline bool
daos_obj_id_is_nil(daos_obj_id_t oid)
{
	return oid.hi == 0 && oid.lo == 0;
}

/* Class hints for daos_obj_generate_oid() with cid OC_UNKNOWN: redundancy, sharding. */
#define DAOS_OCH_RDD_BITS 4
#define DAOS_OCH_SHD_BITS 6
#define DAOS_OCH_RDD_SHIFT 0
#define DAOS_OCH_SHD_SHIFT DAOS_OCH_RDD_BITS
#define DAOS_OCH_RDD_MAX_VAL ((1ULL << DAOS_OCH_RDD_BITS) - 1)
#define DAOS_OCH_SHD_MAX_VAL ((1ULL << DAOS_OCH_SHD_BITS) - 1)
#define DAOS_OCH_RDD_MASK (DAOS_OCH_RDD_MAX_VAL << DAOS_OCH_RDD_SHIFT)
#define DAOS_OCH_SHD_MASK (DAOS_OCH_SHD_MAX_VAL << DAOS_OCH_SHD_SHIFT)

enum {
	DAOS_OCH_RDD_DEF = (1 << 0), /* redundancy from the container's rd_fac */
	DAOS_OCH_RDD_NO = (1 << 1),
	DAOS_OCH_RDD_RP = (1 << 2),
	DAOS_OCH_RDD_EC = (1 << 3),
	DAOS_OCH_SHD_DEF = (1 << 4), /* MAX for arrays and flat KVs, else one group */
	DAOS_OCH_SHD_TINY = (1 << 5),
	DAOS_OCH_SHD_REG = (1 << 6),
	DAOS_OCH_SHD_HI = (1 << 7),
	DAOS_OCH_SHD_EXT = (1 << 8),
	DAOS_OCH_SHD_MAX = (1 << 9),
};

/*
 * Fill the DAOS bits of @oid, whose low 96 bits the caller has set: @type, and the
 * class @cid with its group count resolved for the current pool; cid 0 picks one
 * from @hints and the container's properties. @args is reserved.
 */
int daos_obj_generate_oid(daos_handle_t coh, daos_obj_id_t *oid, enum daos_otype_t type,
			  daos_oclass_id_t cid, daos_oclass_hints_t hints, uint32_t args);

/* Open object @oid with DAOS_OO_* @mode. Local: computes the layout. */
int daos_obj_open(daos_handle_t coh, daos_obj_id_t oid, unsigned int mode, daos_handle_t *oh,
		  daos_event_t *ev);
int daos_obj_close(daos_handle_t oh, daos_event_t *ev);

/* Punch the whole object, some dkeys, or some akeys of one dkey. */
int daos_obj_punch(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_event_t *ev);
int daos_obj_punch_dkeys(daos_handle_t oh, daos_handle_t th, uint64_t flags, unsigned int nr,
			 daos_key_t *dkeys, daos_event_t *ev);
int daos_obj_punch_akeys(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
			 unsigned int nr, daos_key_t *akeys, daos_event_t *ev);

/* The object's attributes and/or the ranks holding it. */
int daos_obj_query(daos_handle_t oh, struct daos_obj_attr *oa, d_rank_list_t *ranks,
		   daos_event_t *ev);

/*
 * Read @nr akeys of @dkey, iods[i] into sgls[i]. Sizes asked with DAOS_REC_ANY come
 * back in iod_size; -DER_REC2BIG if a buffer is too small. @ioms is optional.
 */
int daos_obj_fetch(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		   unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, daos_iom_t *ioms,
		   daos_event_t *ev);

/* Write @nr akeys of @dkey, iods[i] from sgls[i], atomically. */
int daos_obj_update(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		    unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, daos_event_t *ev);

/*
 * Enumerate dkeys (or the akeys of @dkey): up to *nr keys packed into @sgl, their
 * lengths in @kds, *nr set to the count. Start with a zeroed @anchor and call until
 * daos_anchor_is_eof(). -DER_KEY2BIG: kds[0].kd_key_len is the room needed.
 */
int daos_obj_list_dkey(daos_handle_t oh, daos_handle_t th, uint32_t *nr, daos_key_desc_t *kds,
		       d_sg_list_t *sgl, daos_anchor_t *anchor, daos_event_t *ev);
int daos_obj_list_akey(daos_handle_t oh, daos_handle_t th, daos_key_t *dkey, uint32_t *nr,
		       daos_key_desc_t *kds, d_sg_list_t *sgl, daos_anchor_t *anchor,
		       daos_event_t *ev);

/* Enumerate the extents of an array akey, with their epochs, in either order. */
int daos_obj_list_recx(daos_handle_t oh, daos_handle_t th, daos_key_t *dkey, daos_key_t *akey,
		       daos_size_t *size, uint32_t *nr, daos_recx_t *recxs,
		       daos_epoch_range_t *eprs, daos_anchor_t *anchor, bool incr_order,
		       daos_event_t *ev);

/*
 * The largest or smallest integer dkey, akey and/or extent (DAOS_GET_* @flags); keys
 * not queried are given by the caller.
 */
int daos_obj_query_key(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		       daos_key_t *akey, daos_recx_t *recx, daos_event_t *ev);

/* The highest epoch at which the object was changed. */
int daos_obj_query_max_epoch(daos_handle_t oh, daos_handle_t th, daos_epoch_t *epoch,
			     daos_event_t *ev);

/* Check that the replicas of @oid agree at @epoch; -DER_MISMATCH if not. */
int daos_obj_verify(daos_handle_t coh, daos_obj_id_t oid, daos_epoch_t epoch);

/* Split an enumeration into *nr anchors (0: let DAOS choose), for parallel listing. */
int daos_obj_anchor_split(daos_handle_t oh, uint32_t *nr, daos_anchor_t *anchors);
/* Set @anchor to part @index of a split. */
int daos_obj_anchor_set(daos_handle_t oh, uint32_t index, daos_anchor_t *anchor);
/* Set @anchor to start at @dkey (or at @akey of @dkey). */
int daos_obj_key2anchor(daos_handle_t oh, daos_handle_t th, daos_key_t *dkey, daos_key_t *akey,
			daos_anchor_t *anchor, daos_event_t *ev);

/* The object ID table of the snapshot at @epoch. */
int daos_oit_open(daos_handle_t coh, daos_epoch_t epoch, daos_handle_t *oh, daos_event_t *ev);
int daos_oit_close(daos_handle_t oh, daos_event_t *ev);
int daos_oit_list(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *oids_nr, daos_anchor_t *anchor,
		  daos_event_t *ev);

#define DAOS_OIT_MARKER_MAX_LEN (32)

/* Attach @marker (NULL: clear it) to @oid in the table. */
int daos_oit_mark(daos_handle_t oh, daos_obj_id_t oid, d_iov_t *marker, daos_event_t *ev);
int daos_oit_list_unmarked(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *oids_nr,
			   daos_anchor_t *anchor, daos_event_t *ev);

/* > 0: list @oid; 0: skip it; < 0: stop with that error. @marker NULL if unmarked. */
typedef int(daos_oit_filter_cb)(daos_obj_id_t oid, d_iov_t *marker);

int daos_oit_list_filter(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *oids_nr,
			 daos_anchor_t *anchor, daos_oit_filter_cb filter, daos_event_t *ev);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_OBJ_H */
