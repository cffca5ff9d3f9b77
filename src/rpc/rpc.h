/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpc/rpc.h - bodies of the data-plane RPCs between libdaos and the engines (fabric,
 * src/net), and of the engine-to-engine calls that serve them.
 *
 * Who serves what:
 *   RPC_POOL_* and RPC_CONT_*  the pool service: the pool's service rank, tag 0 (system
 *                              xstream). The container service lives in the pool service.
 *   RPC_OBJ_*                  the target holding the object shard: (rank, tag = target
 *                              index + 1), each target its own endpoint.
 *   RPC_HDL_LOOKUP             a target -> the pool service: what is container handle X?
 *                              (targets learn handles lazily, on the first I/O that names
 *                              them, and cache them).
 *   RPC_HDL_REVOKE             the pool service -> every rank of the pool (tag 0), which
 *                              passes it to its targets before answering: these handles are
 *                              gone (close, disconnect, evict, container destroy).
 *   RPC_CONT_TGT_DESTROY       the pool service -> every rank: drop the container's shards.
 *   RPC_CONT_TGT_SNAPS         a target -> the pool service: the container's snapshots,
 *                              which aggregation must keep readable.
 *
 * Every body starts with the fixed part of its struct below, then variable parts in the
 * order the struct lists them. Integers are little-endian (common/buf.h); "bytes" are a
 * u32 length and the bytes; strings are bytes with their terminating NUL (common/buf.h's
 * buf_put_str; an empty string is zero bytes). Decoders take bytes
 * from the network: every length and count is checked against the body, against the
 * limits below, and a body that does not match gives -DER_PROTO. Decoded pointers point
 * into the body (valid while it is), except where a function says it allocates.
 *
 * Errors travel as the RPC status (net_rpc_reply); a reply body may come with a non-zero
 * status where said (fetch: -DER_REC2BIG with the sizes needed; enumerate: -DER_KEY2BIG).
 */
#ifndef RPC_RPC_H
#define RPC_RPC_H

#include <daos_cont.h>
#include <daos_obj.h>
#include <daos_pool.h>
#include <daos_prop.h>
#include <daos_types.h>
#include <gurt/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "net/net.h"

struct buf;

/* ---- opcodes ---- */

#define RPC_POOL_CONNECT 0x2001
#define RPC_POOL_DISCONNECT 0x2002
#define RPC_POOL_QUERY 0x2003
#define RPC_POOL_LIST_CONT 0x2004
#define RPC_POOL_ATTR 0x2005

#define RPC_CONT_CREATE 0x2101
#define RPC_CONT_DESTROY 0x2102
#define RPC_CONT_OPEN 0x2103
#define RPC_CONT_CLOSE 0x2104
#define RPC_CONT_QUERY 0x2105
#define RPC_CONT_SET_PROP 0x2106
#define RPC_CONT_ATTR 0x2107
#define RPC_CONT_SNAP 0x2108
#define RPC_CONT_OID_ALLOC 0x2109

#define RPC_OBJ_UPDATE 0x2201
#define RPC_OBJ_FETCH 0x2202
#define RPC_OBJ_PUNCH 0x2203
#define RPC_OBJ_ENUM 0x2204
#define RPC_OBJ_QUERY_KEY 0x2205

#define RPC_HDL_LOOKUP 0x2301
#define RPC_HDL_REVOKE 0x2302
#define RPC_CONT_TGT_DESTROY 0x2303
#define RPC_CONT_TGT_SNAPS 0x2304

/* ---- limits (a decoder refuses more) ---- */

#define RPC_KEY_MAX 4096         /* dkey/akey bytes (VOS_KEY_MAX) */
#define RPC_IOD_MAX 1024         /* iods per update/fetch */
#define RPC_RECX_MAX 65536       /* recxs per iod */
#define RPC_BULK_SEG_MAX 1024    /* bulk segments per request */
#define RPC_PROP_MAX 64          /* property entries */
#define RPC_ATTR_MAX 1024        /* attributes per call */
#define RPC_ATTR_NAME_MAX 511    /* DAOS_ATTR_NAME_MAX */
#define RPC_ATTR_VALUE_MAX 16384 /* one attribute value */
#define RPC_CRED_MAX 8192        /* a credential */
#define RPC_HDL_BATCH_MAX 1024   /* handles per revoke */
#define RPC_ANCHOR_SIZE 104      /* struct vos_anchor, carried opaque */
#define RPC_ID_MAX 128           /* a container label or uuid string */
/* Data bytes one update carries, or one fetch has room for (-DER_OVERFLOW beyond). */
#define RPC_IO_MAX (256u << 20)

/* ---- properties: daos_prop_t on the wire ---- */

/*
 * Per entry: type u32, kind u8, then kind 0: u64 value; 1: string (dpe_str); 2: bytes
 * (dpe_val_ptr: DAOS_PROP_PO_ACL / DAOS_PROP_CO_ACL as a struct daos_acl of
 * sizeof(struct daos_acl) + dal_len bytes; DAOS_PROP_CO_ROOTS as struct
 * daos_prop_co_roots). An entry with DAOS_PROP_ENTRY_NOT_SET in dpe_flags travels with
 * kind 3 (type only: "asked for, no value").
 */
void rpc_prop_encode(struct buf *b, const daos_prop_t *prop);
/* Decode into a new daos_prop_t (daos_prop_free() it). Failures set b->err. */
daos_prop_t *rpc_prop_decode(struct buf *b);

/* ---- pool ---- */

/* The prefix of every pool and container request: the pool and the caller's handle. */
struct rpc_pool_hdr {
	uuid_t pool;
	uuid_t poh; /* the pool handle (connect: the new handle's uuid) */
};

/*
 * RPC_POOL_CONNECT request: hdr, flags u64 (DAOS_PC_*), query u64 (DPI_* wanted in the
 * reply), credential bytes (security's wire form, as the agent gave it).
 * Reply: rpc_pool_query_out (the pool map always).
 */
struct rpc_pool_connect_in {
	struct rpc_pool_hdr hdr;
	uint64_t flags;
	uint64_t query;
	d_iov_t cred;
};

/* RPC_POOL_DISCONNECT request: hdr. Reply: empty. */

/* RPC_POOL_QUERY request: hdr, query u64 (DPI_*), prop: rpc_prop (types wanted; may be
 * empty). Reply: rpc_pool_query_out. */
struct rpc_pool_query_in {
	struct rpc_pool_hdr hdr;
	uint64_t query;
	daos_prop_t *prop; /* decoded: allocated; NULL if none asked */
};

/*
 * Query reply: the pool info (pi_uuid ... pi_rebuild_st of daos_pool_info_t, space only
 * with DPI_SPACE), the encoded pool map (src/pool, bytes), the enabled and disabled
 * ranks (u32 counts, u32 each; only when asked by DPI_ENGINES_*), the properties asked
 * (rpc_prop, may be empty).
 */
struct rpc_pool_query_out {
	daos_pool_info_t info;
	d_iov_t map;
	uint32_t nr_enabled;
	const d_rank_t *enabled; /* encode: array; decode: points into the body (unaligned
				  * access is avoided: copy with rpc_ranks_get()) */
	uint32_t nr_disabled;
	const d_rank_t *disabled;
	daos_prop_t *prop; /* decoded: allocated, may be NULL */
};

/* RPC_POOL_LIST_CONT request: hdr. Reply: count u32, per container uuid (16) and label
 * (string). */
struct rpc_cont_entry {
	uuid_t uuid;
	char label[DAOS_PROP_LABEL_MAX_LEN + 1];
};

/* ---- attributes (pool and container) ---- */

enum rpc_attr_op {
	RPC_ATTR_SET = 1,
	RPC_ATTR_GET = 2,
	RPC_ATTR_LIST = 3,
	RPC_ATTR_DEL = 4,
};

/*
 * RPC_POOL_ATTR / RPC_CONT_ATTR request: hdr (cont: rpc_cont_hdr), op u32, count u32, per
 * attribute its name (string) and, for SET, its value (bytes).
 * Reply: GET: per name its value (bytes; u32 0xffffffff: no such attribute: the call
 * fails with -DER_NONEXIST then); LIST: count u32 and names (string each); SET/DEL: empty.
 */
struct rpc_attr_in {
	uint32_t op;
	uint32_t nr;
	d_iov_t *names;  /* decoded: allocated array of nr (bytes point into the body) */
	d_iov_t *values; /* SET only, likewise */
};

/* ---- containers ---- */

/* The prefix of container requests after create/open: the pool part and the container. */
struct rpc_cont_hdr {
	struct rpc_pool_hdr pool;
	uuid_t cont; /* the container (create: its new uuid) */
	uuid_t coh;  /* the container handle (open: the new handle's uuid; else zero where
		      * no handle is needed: create, destroy) */
};

/* RPC_CONT_CREATE request: hdr, prop (rpc_prop; label, layout, ACL, ...). Reply: empty. */
/* RPC_CONT_DESTROY request: pool hdr, id (string: label or uuid), force u8. Reply: empty. */
/*
 * RPC_CONT_OPEN request: pool hdr, id (string: label or uuid), coh (16), flags u64
 * (DAOS_COO_*), prop types wanted (rpc_prop). Reply: cont uuid (16), rpc_cont_info,
 * prop (rpc_prop).
 */
/* RPC_CONT_CLOSE request: hdr. Reply: empty. */
/* RPC_CONT_QUERY request: hdr, prop types wanted (rpc_prop). Reply: as open's. */
struct rpc_cont_info {
	uint64_t nr_snapshots;
	uint64_t latest_snapshot;
	uint64_t nr_handles; /* open handles */
	uint64_t md_otime;   /* metadata open/modify times (HLC) */
	uint64_t md_mtime;
};

struct rpc_cont_create_in {
	struct rpc_cont_hdr hdr;
	daos_prop_t *prop; /* decoded: allocated, may be NULL */
};

struct rpc_cont_destroy_in {
	struct rpc_pool_hdr hdr;
	char id[RPC_ID_MAX + 1];
	uint8_t force;
};

struct rpc_cont_open_in {
	struct rpc_pool_hdr hdr;
	char id[RPC_ID_MAX + 1];
	uuid_t coh;
	uint64_t flags;
	daos_prop_t *prop; /* types wanted; decoded: allocated, may be NULL */
};

/* RPC_CONT_QUERY request. */
struct rpc_cont_query_in {
	struct rpc_cont_hdr hdr;
	daos_prop_t *prop;
};

/* The reply of open and query. */
struct rpc_cont_open_out {
	uuid_t cont;
	struct rpc_cont_info info;
	daos_prop_t *prop; /* decoded: allocated, may be NULL */
};

/* RPC_CONT_SET_PROP request: hdr, op u32, then SET: prop; ACL_UPDATE / ACL_OVERWRITE:
 * prop holding DAOS_PROP_CO_ACL; ACL_DELETE: principal (string); OWNER: user (string,
 * may be empty) and group (string, may be empty). Reply: empty. */
enum rpc_cont_prop_op {
	RPC_CONT_PROP_SET = 1,
	RPC_CONT_ACL_OVERWRITE = 2,
	RPC_CONT_ACL_UPDATE = 3,
	RPC_CONT_ACL_DELETE = 4,
	RPC_CONT_SET_OWNER = 5,
};

struct rpc_cont_set_prop_in {
	struct rpc_cont_hdr hdr;
	uint32_t op;
	daos_prop_t *prop;   /* SET, ACL_*: decoded: allocated */
	char principal[256]; /* ACL_DELETE */
	char user[256];      /* OWNER */
	char group[256];     /* OWNER */
};

/* RPC_CONT_SNAP request: hdr, op u32, epoch u64 (DESTROY: the snapshot; CREATE: 0),
 * name (string; CREATE, may be empty). Reply: CREATE: epoch u64; LIST: count u32 and per
 * snapshot its epoch u64 and name (string, empty encoding for none); DESTROY: empty. */
enum rpc_snap_op {
	RPC_SNAP_CREATE = 1,
	RPC_SNAP_LIST = 2,
	RPC_SNAP_DESTROY = 3,
};

struct rpc_cont_snap_in {
	struct rpc_cont_hdr hdr;
	uint32_t op;
	uint64_t epoch;
	char name[DAOS_SNAPSHOT_MAX_LEN]; /* CREATE: "" for none */
};

/* RPC_CONT_OID_ALLOC request: hdr, count u64. Reply: first id u64 of the range. */

/* ---- handles between the pool service and the targets ---- */

/* RPC_HDL_LOOKUP request: an rpc_hdl_info with pool, cont and coh set (the rest zero).
 * Reply: an rpc_hdl_info, completed: cont flags u64
 * (DAOS_COO_* it was opened with), capabilities u64 (RPC_CAP_*), pool handle (16);
 * -DER_NO_HDL if the pool service knows no such open handle. */
#define RPC_CAP_READ 1u
#define RPC_CAP_WRITE 2u
struct rpc_hdl_info {
	uuid_t pool;
	uuid_t cont;
	uuid_t coh;
	uuid_t poh;
	uint64_t flags;
	uint64_t caps;
};

/* RPC_HDL_REVOKE request: pool (16), count u32, then per entry a kind u8 (RPC_REVOKE_*)
 * and a uuid (16): a pool handle (every container handle opened through it goes too), a
 * container handle, or a container (every handle of it). Reply: empty. */
enum rpc_revoke_kind {
	RPC_REVOKE_POH = 1,
	RPC_REVOKE_COH = 2,
	RPC_REVOKE_CONT = 3,
};

struct rpc_revoke_ent {
	uint8_t kind;
	uuid_t uuid;
};

struct rpc_hdl_revoke_in {
	uuid_t pool;
	uint32_t nr;
	struct rpc_revoke_ent *ents; /* decoded: allocated */
};

/* RPC_CONT_TGT_DESTROY request: pool (16), cont (16). Reply: empty (0 also if the
 * container had no shard there). */

/* RPC_CONT_TGT_SNAPS request: pool (16), cont (16). Reply: count u32 and the snapshots'
 * epochs (u64 each, ascending); -DER_NONEXIST for a container the service does not have. */
#define RPC_SNAPS_MAX 2048 /* epochs in one reply (it must fit a body) */

/* The (pool, cont) body of RPC_CONT_TGT_DESTROY and RPC_CONT_TGT_SNAPS. */
size_t rpc_cont_id_encode(const uuid_t pool, const uuid_t cont, void *buf, size_t len);
int rpc_cont_id_decode(const void *buf, size_t len, uuid_t pool, uuid_t cont);
/* RPC_CONT_TGT_SNAPS reply: decode allocates *@epochs (NULL when @nr is 0). */
size_t rpc_snaps_encode(const uint64_t *epochs, uint32_t nr, void *buf, size_t len);
int rpc_snaps_decode(const void *buf, size_t len, uint64_t **epochs, uint32_t *nr);

/* ---- objects ---- */

/* The prefix of every object request. */
struct rpc_obj_hdr {
	uuid_t pool;
	uuid_t cont;
	uuid_t coh;
	uint32_t svc_rank; /* the pool service's rank, where the target looks the handle up */
	uint32_t map_ver;  /* the client's pool map version */
	daos_obj_id_t oid;
	uint32_t shard; /* the object shard this target holds */
	uint64_t epoch; /* 0: now (the target's clock); a snapshot/tx epoch otherwise */
	uint64_t flags; /* DAOS_COND_* (update, fetch, punch) */
	d_iov_t dkey;   /* bytes; empty for object-level calls */
};

/* One iod as it travels: name (bytes), type u8 (DAOS_IOD_*), size u64, flags u64, count
 * u32 and that many recxs (idx u64, nr u64). */
struct rpc_iod {
	d_iov_t name;
	uint8_t type;
	uint64_t size;
	uint64_t flags;
	uint32_t nr;
	daos_recx_t *recxs; /* decoded: allocated with the iod array */
};

/* Where data travels: nothing, inline bytes, or bulk segments of the client's memory. */
enum rpc_data_kind {
	RPC_DATA_NONE = 0,
	RPC_DATA_INLINE = 1,
	RPC_DATA_BULK = 2,
};

/* One registered piece of client memory and how many of its bytes are used. */
struct rpc_bulk_seg {
	struct net_bulk_desc desc;
	uint64_t len;
};

/* Data: kind u8, then INLINE: bytes; BULK: count u32, segments (desc 24 B, len u64). */
struct rpc_data {
	uint8_t kind;
	d_iov_t inl;
	uint32_t nr_segs;
	struct rpc_bulk_seg *segs; /* decoded: allocated */
};

/*
 * RPC_OBJ_UPDATE request: hdr, count u32, iods, data. The data is the concatenation,
 * iod by iod, of each iod's bytes (single value: size bytes; array: size times the
 * records of its recxs, recx by recx).
 * Reply: the epoch u64 the update was applied at.
 */
struct rpc_obj_rw_in {
	struct rpc_obj_hdr hdr;
	uint32_t nr;
	struct rpc_iod *iods; /* decoded: allocated */
	/* fetch only: the bytes the client has room for, per iod (u64 each) */
	uint64_t *caps;
	uint8_t want_maps; /* fetch: send the extents present (daos_iom_t) */
	struct rpc_data data;
};

/*
 * RPC_OBJ_FETCH request: hdr, count u32, iods (size 0: any), caps (u64 per iod: room for
 * that iod's bytes in the client's buffers), want_maps u8, data: INLINE (empty bytes:
 * "answer inline", allowed when the sum of caps fits an inline reply) or BULK (the
 * client's buffers: iod i's room starts at the sum of the caps before it).
 * Reply (status 0 or -DER_REC2BIG): per iod its size u64 (the value's or record size;
 * 0: nothing there) and the bytes of data u64 it produced (array: records' bytes up to
 * the highest present extent asked for: holes inside count, bytes not written); then, if
 * want_maps, per iod: count u32, lo and hi recx, count recxs (idx u64, nr u64; at most
 * RPC_IOM_MAX, count may say more); then data bytes when answered inline.
 * Holes in an array fetch are not written: with bulk, only present extents are pushed.
 * An inline answer is each iod's produced bytes in turn (holes inside are zeros); when
 * an array iod has holes there, the maps come too (even without want_maps) and the
 * client copies only the extents they list. If that cannot be said in one reply body
 * (maps beyond RPC_IOM_MAX extents, or too many bytes), the fetch fails with
 * -DER_OVERFLOW: ask again with bulk. An iod with cap 0 (or data kind NONE) asks only
 * for its size: it never causes -DER_REC2BIG. Array recxs must be non-empty and must
 * not wrap (-DER_INVAL).
 */
#define RPC_IOM_MAX 256
struct rpc_iom {
	uint32_t nr;
	daos_recx_t lo;
	daos_recx_t hi;
	uint32_t nr_recxs;  /* listed (min(nr, RPC_IOM_MAX)) */
	daos_recx_t *recxs; /* decoded: allocated */
};

struct rpc_obj_fetch_out {
	uint32_t nr;
	uint64_t *sizes;
	uint64_t *data_lens;
	struct rpc_iom *maps; /* NULL unless want_maps */
	d_iov_t inl;          /* inline data (empty with bulk) */
};

/* RPC_OBJ_PUNCH request: hdr (dkey empty for an object punch), kind u8 (RPC_PUNCH_*),
 * count u32, akeys (bytes each). Reply: the epoch u64. */
enum rpc_punch_kind {
	RPC_PUNCH_OBJ = 1,
	RPC_PUNCH_DKEY = 2,
	RPC_PUNCH_AKEYS = 3,
};

struct rpc_obj_punch_in {
	struct rpc_obj_hdr hdr;
	uint8_t kind;
	uint32_t nr;
	d_iov_t *akeys; /* decoded: allocated */
};

/*
 * RPC_OBJ_ENUM request: hdr (dkey: the dkey for AKEY and RECX), kind u8 (RPC_ENUM_*),
 * akey (bytes; RECX), anchor (RPC_ANCHOR_SIZE bytes, opaque to the client), nr u32 (at
 * most this many entries), room u32 (keys: bytes the client can take).
 * Reply: anchor (RPC_ANCHOR_SIZE), count u32, then DKEY/AKEY: per key its bytes; RECX:
 * record size u64 and per extent idx u64, nr u64, epoch u64. -DER_KEY2BIG (body: u32 the length of
 * the key that did not fit) if not even one key fits in room.
 * OBJ lists the object shards of the container on the target that existed at the epoch
 * (hdr's oid, shard and dkey are not used; akey empty, room 0): the reply is struct
 * rpc_obj_list_out.
 * KEY2ANCHOR lists nothing: the reply's anchor (count 0) makes a listing of the shard's
 * dkeys (akey empty) go on at hdr's dkey, or of the dkey's akeys at akey.
 */
enum rpc_enum_kind {
	RPC_ENUM_DKEY = 1,
	RPC_ENUM_AKEY = 2,
	RPC_ENUM_RECX = 3,
	RPC_ENUM_RECX_DESC = 4,  /* RECX, highest extents first */
	RPC_ENUM_OBJ = 5,        /* the container's objects on this target (the OIT, daos_oit_*) */
	RPC_ENUM_KEY2ANCHOR = 6, /* an anchor at a key (daos_obj_key2anchor), no entries */
};

struct rpc_obj_enum_in {
	struct rpc_obj_hdr hdr;
	uint8_t kind;
	d_iov_t akey;
	uint8_t anchor[RPC_ANCHOR_SIZE];
	uint32_t nr;
	uint32_t room;
};

/*
 * The reply of RPC_OBJ_ENUM kind OBJ: anchor (RPC_ANCHOR_SIZE), count u32 (at most
 * RPC_OBJ_LIST_MAX), then per object shard: lo u64, hi u64, shard u32.
 */
struct rpc_obj_shard_id {
	daos_obj_id_t oid;
	uint32_t shard;
};

#define RPC_OBJ_SHARD_WIRE 20
#define RPC_OBJ_LIST_MAX ((NET_BODY_MAX - RPC_ANCHOR_SIZE - 4) / RPC_OBJ_SHARD_WIRE)

struct rpc_obj_list_out {
	uint8_t anchor[RPC_ANCHOR_SIZE];
	uint32_t nr;
	struct rpc_obj_shard_id *ids; /* decoded: allocated (rpc_obj_list_out_fini) */
};

/* RPC_OBJ_QUERY_KEY request: hdr (dkey: for AKEY/RECX queries), flags u32 (DAOS_GET_*),
 * akey (bytes; RECX queries). Reply: dkey (bytes), akey (bytes), recx (idx u64, nr u64);
 * -DER_NONEXIST if nothing matches. With flags RPC_QUERY_MAX_EPOCH alone, the reply is
 * the epoch u64 of the shard's newest update or punch (0: none, or not known). */
#define RPC_QUERY_MAX_EPOCH (1u << 16)
struct rpc_obj_query_in {
	struct rpc_obj_hdr hdr;
	uint32_t qflags;
	d_iov_t akey;
};

/* ---- codecs: encoders return the length (0: no room); decoders 0 or -DER_PROTO ---- */

void rpc_pool_hdr_encode(struct buf *b, const struct rpc_pool_hdr *h);
void rpc_pool_hdr_decode(struct buf *b, struct rpc_pool_hdr *h);
void rpc_cont_hdr_encode(struct buf *b, const struct rpc_cont_hdr *h);
void rpc_cont_hdr_decode(struct buf *b, struct rpc_cont_hdr *h);
void rpc_obj_hdr_encode(struct buf *b, const struct rpc_obj_hdr *h);
void rpc_obj_hdr_decode(struct buf *b, struct rpc_obj_hdr *h);
/* d_iov_t as bytes; decode points into the body. */
void rpc_iov_encode(struct buf *b, const d_iov_t *iov);
void rpc_iov_decode(struct buf *b, d_iov_t *iov, size_t max);

size_t rpc_pool_connect_in_encode(const struct rpc_pool_connect_in *in, void *buf, size_t len);
int rpc_pool_connect_in_decode(const void *buf, size_t len, struct rpc_pool_connect_in *out);
size_t rpc_pool_query_in_encode(const struct rpc_pool_query_in *in, void *buf, size_t len);
int rpc_pool_query_in_decode(const void *buf, size_t len, struct rpc_pool_query_in *out);
size_t rpc_pool_query_out_encode(const struct rpc_pool_query_out *out, void *buf, size_t len);
int rpc_pool_query_out_decode(const void *buf, size_t len, struct rpc_pool_query_out *out);
/* Copy @nr ranks from a decoded array (which may be unaligned). */
void rpc_ranks_get(const d_rank_t *src, uint32_t nr, d_rank_t *dst);
void rpc_pool_query_out_fini(struct rpc_pool_query_out *out); /* frees decoded parts */
void rpc_pool_query_in_fini(struct rpc_pool_query_in *in);

size_t rpc_attr_in_encode(const void *hdr, bool cont, const struct rpc_attr_in *in, void *buf,
			  size_t len);
/* @hdr: a struct rpc_pool_hdr (pool) or struct rpc_cont_hdr (@cont). */
int rpc_attr_in_decode(const void *buf, size_t len, void *hdr, bool cont, struct rpc_attr_in *out);
void rpc_attr_in_fini(struct rpc_attr_in *in);

size_t rpc_cont_create_in_encode(const struct rpc_cont_create_in *in, void *buf, size_t len);
int rpc_cont_create_in_decode(const void *buf, size_t len, struct rpc_cont_create_in *out);
size_t rpc_cont_destroy_in_encode(const struct rpc_cont_destroy_in *in, void *buf, size_t len);
int rpc_cont_destroy_in_decode(const void *buf, size_t len, struct rpc_cont_destroy_in *out);
size_t rpc_cont_open_in_encode(const struct rpc_cont_open_in *in, void *buf, size_t len);
int rpc_cont_open_in_decode(const void *buf, size_t len, struct rpc_cont_open_in *out);
size_t rpc_cont_query_in_encode(const struct rpc_cont_query_in *in, void *buf, size_t len);
int rpc_cont_query_in_decode(const void *buf, size_t len, struct rpc_cont_query_in *out);
size_t rpc_cont_open_out_encode(const struct rpc_cont_open_out *out, void *buf, size_t len);
int rpc_cont_open_out_decode(const void *buf, size_t len, struct rpc_cont_open_out *out);
size_t rpc_cont_set_prop_in_encode(const struct rpc_cont_set_prop_in *in, void *buf, size_t len);
int rpc_cont_set_prop_in_decode(const void *buf, size_t len, struct rpc_cont_set_prop_in *out);
size_t rpc_cont_snap_in_encode(const struct rpc_cont_snap_in *in, void *buf, size_t len);
int rpc_cont_snap_in_decode(const void *buf, size_t len, struct rpc_cont_snap_in *out);
/* Lists of containers (list-cont reply): @n entries. Decode allocates *@out. */
size_t rpc_cont_list_encode(const struct rpc_cont_entry *ents, uint32_t n, void *buf, size_t len);
int rpc_cont_list_decode(const void *buf, size_t len, struct rpc_cont_entry **out, uint32_t *n);
/* Free the decoded (allocated) daos_prop_t parts of the structs above. */
void rpc_cont_prop_fini(daos_prop_t **prop);

size_t rpc_hdl_revoke_in_encode(const struct rpc_hdl_revoke_in *in, void *buf, size_t len);
int rpc_hdl_revoke_in_decode(const void *buf, size_t len, struct rpc_hdl_revoke_in *out);
void rpc_hdl_revoke_in_fini(struct rpc_hdl_revoke_in *in);

size_t rpc_hdl_info_encode(const struct rpc_hdl_info *info, void *buf, size_t len);
int rpc_hdl_info_decode(const void *buf, size_t len, struct rpc_hdl_info *out);

size_t rpc_obj_update_in_encode(const struct rpc_obj_rw_in *in, void *buf, size_t len);
size_t rpc_obj_fetch_in_encode(const struct rpc_obj_rw_in *in, void *buf, size_t len);
/* Decode an update (@fetch false) or fetch request; rpc_obj_rw_in_fini() after. */
int rpc_obj_rw_in_decode(const void *buf, size_t len, bool fetch, struct rpc_obj_rw_in *out);
void rpc_obj_rw_in_fini(struct rpc_obj_rw_in *in);
size_t rpc_obj_fetch_out_encode(const struct rpc_obj_fetch_out *out, void *buf, size_t len);
int rpc_obj_fetch_out_decode(const void *buf, size_t len, struct rpc_obj_fetch_out *out);
void rpc_obj_fetch_out_fini(struct rpc_obj_fetch_out *out);
size_t rpc_obj_punch_in_encode(const struct rpc_obj_punch_in *in, void *buf, size_t len);
int rpc_obj_punch_in_decode(const void *buf, size_t len, struct rpc_obj_punch_in *out);
void rpc_obj_punch_in_fini(struct rpc_obj_punch_in *in);
size_t rpc_obj_enum_in_encode(const struct rpc_obj_enum_in *in, void *buf, size_t len);
int rpc_obj_enum_in_decode(const void *buf, size_t len, struct rpc_obj_enum_in *out);
size_t rpc_obj_list_out_encode(const struct rpc_obj_list_out *out, void *buf, size_t len);
/* Decode a kind OBJ enumeration reply; rpc_obj_list_out_fini() after. */
int rpc_obj_list_out_decode(const void *buf, size_t len, struct rpc_obj_list_out *out);
void rpc_obj_list_out_fini(struct rpc_obj_list_out *out);
size_t rpc_obj_query_in_encode(const struct rpc_obj_query_in *in, void *buf, size_t len);
int rpc_obj_query_in_decode(const void *buf, size_t len, struct rpc_obj_query_in *out);

#endif /* RPC_RPC_H */
