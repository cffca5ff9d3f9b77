/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_int.h - private to src/dfs: the mount and object structures, the on-disk entry
 * (docs/design/dfs.md has the byte table), and the pure helpers of dfs_entry.c that the
 * unit tests call directly.
 *
 * Locking: a struct dfs is shared by every thread using the mount; only its OID
 * allocator changes after mount, under oid_lock. A struct dfs_obj is used by one
 * caller at a time, as a file descriptor is (DFS promises no more).
 */
#ifndef DFS_INT_H
#define DFS_INT_H

#include <daos_fs.h>
#include <gurt/common.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>

/* An object id in messages: hi.lo, as DAOS prints it. */
#define DF_OID "%" PRIu64 ".%" PRIu64
#define DP_OID(o) (o).hi, (o).lo

/* Superblock: object (hi 0, lo 0); root directory: object (hi 1, lo 0). */
#define DFS_SB_HI 0
#define DFS_ROOT_HI 1
#define DFS_SB_DKEY "DFS_SB_METADATA"
#define DFS_SB_MAGIC 0xda05df50da05df50ULL
#define DFS_SB_VERSION 2
#define DFS_LAYOUT_VERSION 3
#define DFS_DEFAULT_CHUNK_SIZE (1ULL << 20)
/* The root's entry lives in the superblock object under this dkey. */
#define DFS_ROOT_NAME "/"

/* Akeys of a directory entry. */
#define DFS_INODE_AKEY "DFS_INODE"
#define DFS_SLINK_AKEY "DFS_SLINK"
#define DFS_MOVED_AKEY "DFS_MOVED"
#define DFS_XATTR_PREFIX "x:"
#define DFS_XATTR_PREFIX_LEN 2
/*
 * The akey of the xattr that makes a directory a UNS entry point (DAOS's "user.daos",
 * "DAOS.POSIX://POOL/CONT"), read with the entry; a longer value is no entry point.
 */
#define DFS_UNS_AKEY DFS_XATTR_PREFIX "user.daos"
#define DFS_UNS_MAX 512

/* The inode: a byte array of DFS_INODE_SIZE bytes under DFS_INODE_AKEY, fields at: */
enum dfs_inode_off {
	DFS_OFF_MODE = 0,       /* u32 */
	DFS_OFF_OID = 4,        /* u64 hi, u64 lo */
	DFS_OFF_MTIME = 20,     /* u64 seconds */
	DFS_OFF_CTIME = 28,     /* u64 seconds */
	DFS_OFF_CHUNK = 36,     /* u64 */
	DFS_OFF_OCLASS = 44,    /* u32 */
	DFS_OFF_MTIME_NS = 48,  /* u64 */
	DFS_OFF_CTIME_NS = 56,  /* u64 */
	DFS_OFF_UID = 64,       /* u32 */
	DFS_OFF_GID = 68,       /* u32 */
	DFS_OFF_SLINK_LEN = 72, /* u64 */
	DFS_OFF_HLC = 80,       /* u64: HLC of the last explicit mtime change */
	DFS_INODE_SIZE = 88,
};

/* A decoded entry. */
struct dfs_entry {
	mode_t mode;
	daos_obj_id_t oid;
	struct timespec mtime;
	struct timespec ctime;
	uint64_t chunk_size;
	daos_oclass_id_t oclass;
	uid_t uid;
	gid_t gid;
	uint64_t slink_len; /* target length without the NUL */
	uint64_t hlc;
};

/* A namespace mounted in this process. */
struct dfs {
	daos_handle_t poh;
	daos_handle_t coh;
	int amode;           /* O_RDONLY or O_RDWR */
	uint32_t cmode;      /* DFS_RELAXED or DFS_BALANCED */
	daos_handle_t sb_oh; /* the superblock object */
	daos_obj_id_t sb_oid;
	daos_obj_id_t root_oid;
	struct dfs_obj *root; /* the root directory, open for the mount's life */
	dfs_attr_t attr;      /* the container's DFS attributes (da_props NULL) */
	char *prefix;         /* dfs_set_prefix(), or NULL */
	size_t prefix_len;
	dev_t dev; /* st_dev of every entry */
	/* OID allocation: (lo from daos_cont_alloc_oids, hi counting up), under oid_lock. */
	pthread_mutex_t oid_lock;
	uint64_t oid_lo;
	uint32_t oid_hi;
	bool oid_valid;
	/* Where the pool and container handles came from, undone at dfs_disconnect(). */
	struct dfs_conn *conn;    /* dfs_connect(): cache entries, else NULL */
	bool own_handles;         /* dfs_global2local_all(): close poh and coh */
	pthread_mutex_t ref_lock; /* dfs_pool_get/cont_get counts */
	int nr_pool_refs;
	int nr_cont_refs;
};

/* An open entry. */
struct dfs_obj {
	struct dfs *dfs;
	mode_t mode;
	int flags; /* access mode and O_APPEND */
	daos_obj_id_t oid;
	daos_handle_t oh;         /* dir: object; file: array; symlink: none */
	daos_obj_id_t parent_oid; /* the object holding this entry */
	char name[DFS_MAX_NAME + 1];
	char *path;              /* absolute path at open time ("/" for the root) */
	uint64_t chunk_size;     /* file: its chunk size; dir: for new files (0: default) */
	daos_oclass_id_t oclass; /* dir: class of new children (0: default) */
	char *slink;             /* symlink target */
	char *uns;               /* dir: its user.daos xattr as lookup saw it, or NULL */
};

/* ---- dfs_entry.c: pure helpers (no DAOS calls) ---- */

/* Encode @e into the DFS_INODE_SIZE bytes at @buf (little-endian). */
void dfs_entry_encode(const struct dfs_entry *e, uint8_t *buf);
/*
 * Decode an inode of @len bytes read from storage. Returns 0, or -DER_PROTO if the bytes
 * are not an inode this library wrote (wrong length, unknown type, missing object id, bad
 * nanoseconds, symlink length out of range); *e is untouched on error.
 */
int dfs_entry_decode(const void *buf, size_t len, struct dfs_entry *e);
/*
 * Whether an entry of @mode may name object @oid: files are byte arrays, directories and
 * symbolic links have multi-hashed ids. A mismatch is a damaged entry (dfs_obj_fix_type()).
 */
bool dfs_entry_type_matches(mode_t mode, daos_obj_id_t oid);
/*
 * Repair the type of the inode at @buf (DFS_INODE_SIZE bytes, which may not decode) from
 * what it names, as dfs_obj_fix_type() does: a byte-array object is a file, else an entry
 * with a symlink target of @slink_len bytes (0: none) is a symbolic link, else a
 * directory. The mode becomes that type with permissions 0700 (DAOS's choice: the old
 * bits are as suspect as the type). So that the inode decodes afterwards, the symlink
 * length is set to @slink_len (0 for the others), a file without a chunk size gets
 * @chunk_size and nanoseconds out of range become 0. The new mode in *@mode. Returns 0,
 * or -DER_PROTO when there is neither an object id nor a target to go by, or the target
 * is too long; @buf is then unchanged.
 */
int dfs_entry_fix_type(uint8_t *buf, uint64_t slink_len, uint64_t chunk_size, mode_t *mode);
/*
 * The chunk size of a file found without its entry (the checker's relink): the larger of
 * @dflt (the container's) and @max_end, the furthest any chunk's data reaches from the
 * chunk's start (cells, which are bytes in DFS). Chunk i holds cells [i*c, (i+1)*c) at
 * offsets 0..c-1, so no chunk reaches past c: @max_end is a lower bound of c. DAOS's rule;
 * a file written with a smaller chunk than @dflt is not recognised (fix-entry sets it).
 */
uint64_t dfs_chunk_size_guess(uint64_t dflt, uint64_t max_end);
/* Check an entry name: 0, EINVAL (NULL, empty, "/" inside, "." or ".."), ENAMETOOLONG. */
int dfs_name_check(const char *name);
/*
 * The next component of the path at *@cursor: its start in *@start and length in *@len;
 * *@cursor advances past it. Skips repeated slashes. Returns false at the end.
 */
bool dfs_path_next(const char **cursor, const char **start, size_t *len);
/*
 * Check dfs_open()'s @flags and @mode for a mount of access mode @amode: 0, EINVAL (bad
 * type or access mode, O_CREAT without a type), EPERM (write on a read-only mount).
 */
int dfs_open_flags_check(int amode, int flags, mode_t mode);
/* access(2) rules for @mask (R_OK|W_OK|X_OK) on an entry of @mode, @uid, @gid by @cuid/@cgid. */
int dfs_access_check(mode_t mode, uid_t uid, gid_t gid, uid_t cuid, gid_t cgid, int mask);
/* Strip @prefix (length @plen) from @path: the rest, or NULL if @path is outside it. */
const char *dfs_prefix_strip(const char *path, const char *prefix, size_t plen);
/* Encode/decode the mount sharing blob (dfs_local2global). */
#define DFS_GLOB_MAGIC 0xda05df51U
#define DFS_GLOB_SIZE 96
void dfs_glob_encode(const struct dfs *dfs, uint8_t *buf);
int dfs_glob_decode(const void *buf, size_t len, struct dfs *dfs);
/* Object sharing blob (dfs_obj_local2global): fixed header then the name and symlink. */
#define DFS_OBJ_GLOB_MAGIC 0xdf500b91U
#define DFS_OBJ_GLOB_HDR 72

/* Little-endian field helpers. */
static inline void
dfs_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
dfs_put_u64(uint8_t *p, uint64_t v)
{
	dfs_put_u32(p, (uint32_t)v);
	dfs_put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t
dfs_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
dfs_get_u64(const uint8_t *p)
{
	return (uint64_t)dfs_get_u32(p) | (uint64_t)dfs_get_u32(p + 4) << 32;
}

/* ---- dfs_mount.c ---- */

/* The container's layout type and DFS roots (superblock, root directory). */
int dfs_cont_roots_get(daos_handle_t coh, uint64_t *layout, struct daos_prop_co_roots *roots);
/* Whether @roots name formatted DFS objects (set, and with their class bits). */
bool dfs_roots_are_set(const struct daos_prop_co_roots *roots);
/* Fill @out from @attr (NULL: defaults): 0, or EINVAL for a bad consistency mode. */
int dfs_attr_defaults(const dfs_attr_t *attr, dfs_attr_t *out);
/*
 * Write the superblock of @attr (as dfs_attr_defaults() fills it) into the superblock
 * object @oh, failing (-DER_EXIST) if dkey DFS_SB_METADATA is there.
 */
int dfs_sb_write(daos_handle_t oh, const dfs_attr_t *attr);
/*
 * Read and check the superblock of object @oh into @attr: 0, ENOENT (none), EINVAL (not
 * one this library reads), or another errno.
 */
int dfs_sb_read(daos_handle_t oh, dfs_attr_t *attr);
/* The entry of a new root directory @root_oid: 0755, owned by the caller, times now. */
void dfs_root_entry_init(struct dfs_entry *e, daos_obj_id_t root_oid);

/* A fresh object id of @type and class @cid (0: automatic) for the mount. */
int dfs_oid_alloc(struct dfs *dfs, enum daos_otype_t type, daos_oclass_id_t cid,
		  daos_obj_id_t *oid);
/*
 * Internal results are negative: -DER_* or, for what DER has no name for, -Exxx
 * (STYLE.md 3). This turns one into the positive errno the API returns (an errno passes
 * through unchanged).
 */
static inline int
dfs_err(int rc)
{
	return rc == 0 ? 0 : daos_der2errno(rc);
}

/* ---- dfs_ns.c ---- */

/* Release without the public argument checks (also for the root at umount). */
void dfs_obj_free(struct dfs_obj *obj);
/* Open the root directory object of @dfs into dfs->root. */
int dfs_root_open(struct dfs *dfs);
/* Insert entry @name with @e (and @slink) in directory @oh, failing if it exists. */
int dfs_entry_insert(daos_handle_t oh, const char *name, const struct dfs_entry *e,
		     const char *slink);

/*
 * Exported by libdaos for its own libraries, as DAOS's is (not in the public headers):
 * launch @ev and complete it, for calls that finish without I/O.
 */
int daos_event_launch(daos_event_t *ev);
void daos_event_complete(daos_event_t *ev, int rc);

/* Complete @ev (if any) with nothing to do: 0, or a positive errno. */
int dfs_ev_done(daos_event_t *ev);

/* An iod over bytes [@off, @off + @len) of an entry's inode (the DFS_INODE_AKEY array). */
static inline void
dfs_inode_iod(daos_iod_t *iod, daos_recx_t *recx, uint64_t off, uint64_t len)
{
	memset(iod, 0, sizeof(*iod));
	d_iov_set(&iod->iod_name, DFS_INODE_AKEY, strlen(DFS_INODE_AKEY));
	iod->iod_type = DAOS_IOD_ARRAY;
	iod->iod_size = 1;
	iod->iod_nr = 1;
	recx->rx_idx = off;
	recx->rx_nr = len;
	iod->iod_recxs = recx;
}

/* An sgl of the one iov @iov over @len bytes at @buf. */
static inline void
dfs_sgl_one(d_sg_list_t *sgl, d_iov_t *iov, void *buf, size_t len)
{
	d_iov_set(iov, buf, len);
	sgl->sg_nr = 1;
	sgl->sg_nr_out = 0;
	sgl->sg_iovs = iov;
}

#endif /* DFS_INT_H */
