/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_fs.h - libdfs, a POSIX namespace in one DAOS container (DFS). Directories are
 * objects whose dkeys are the names of their entries; files are byte arrays; the inode of
 * every entry lives in its parent's entry. Layout, atomicity and errors are described in
 * docs/design/dfs.md.
 *
 * Conventions, for every function below unless it says otherwise:
 * - Returns 0 or a positive errno value (ENOENT, EEXIST, ...), never a negative DER code.
 * - A NULL @parent means the root directory of the mount.
 * - Objects (dfs_obj_t) are released with dfs_release(); a mount with dfs_umount() (or
 *   dfs_disconnect() when it came from dfs_connect() or dfs_global2local_all()).
 * - A mount and its objects may be used from several threads at once.
 * - Calls taking a daos_event_t run asynchronously when it is not NULL and complete
 *   through the event's queue; with NULL they block.
 */
#ifndef DAOS_FS_H
#define DAOS_FS_H

#include <daos.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest entry name, and longest path given to dfs_lookup(). */
#define DFS_MAX_NAME NAME_MAX
#define DFS_MAX_PATH PATH_MAX
/* Length meaning "to the end of the file" for dfs_punch(). */
#define DFS_MAX_FSIZE (~0ULL)
/* Limits of extended attributes. */
#define DFS_MAX_XATTR_NAME 255
#define DFS_MAX_XATTR_LEN 65536

/* Consistency modes (dfs_attr_t.da_mode, and a mount flag). */
#define DFS_BALANCED 4 /* metadata operations in DAOS transactions */
#define DFS_RELAXED 0  /* conditional operations only (the default) */
/* Access modes of dfs_mount() and dfs_connect(). */
#define DFS_RDONLY O_RDONLY
#define DFS_RDWR O_RDWR

/* Room for the object class hints string of a container ("file:max,dir:single"). */
#ifndef DAOS_CONT_HINT_MAX_LEN
#define DAOS_CONT_HINT_MAX_LEN 128
#endif

/* Magic number statfs() reports for a DFS namespace (dfuse). */
#define DAOS_SUPER_MAGIC 0xDA05AD10

/* An open file, directory or symbolic link. */
typedef struct dfs_obj dfs_obj_t;
/* A mounted namespace. */
typedef struct dfs dfs_t;

/* Attributes of a POSIX container, given at creation and returned by dfs_query(). */
typedef struct {
	uint64_t da_id;                        /* optional user id of the container */
	daos_size_t da_chunk_size;             /* default file chunk size; 0: 1 MiB */
	daos_oclass_id_t da_oclass_id;         /* default class of every object; 0: automatic */
	daos_oclass_id_t da_dir_oclass_id;     /* default class of directories; 0: da_oclass_id */
	daos_oclass_id_t da_file_oclass_id;    /* default class of files; 0: da_oclass_id */
	daos_prop_t *da_props;                 /* more container properties (create only) */
	uint32_t da_mode;                      /* DFS_RELAXED or DFS_BALANCED */
	char da_hints[DAOS_CONT_HINT_MAX_LEN]; /* class hints, "file:single|max,dir:..." */
} dfs_attr_t;

/* Ranges of a file for dfs_readx() and dfs_writex(). */
typedef struct {
	daos_size_t iod_nr;    /* entries of iod_rgs */
	daos_range_t *iod_rgs; /* byte offset (rg_idx) and length (rg_len) of each range */
} dfs_iod_t;

/* What dfs_obj_get_info() tells about an object. */
typedef struct {
	daos_oclass_id_t doi_oclass_id;      /* class of the object (dirs: of new children) */
	daos_size_t doi_chunk_size;          /* chunk size (dirs: of new files) */
	daos_oclass_id_t doi_dir_oclass_id;  /* dirs: class of new subdirectories */
	daos_oclass_id_t doi_file_oclass_id; /* dirs: class of new files */
	daos_obj_id_t doi_oid;               /* the object's id */
} dfs_obj_info_t;

/* ---- library, connections, containers ---- */

/* Initialise DAOS and the connection cache of dfs_connect(). Refcounted with dfs_fini(). */
int dfs_init(void);
/* Undo dfs_init(); the last call closes every cached pool and container handle. */
int dfs_fini(void);

/*
 * Connect to @pool (label or UUID) of system @sys (NULL: default), open container @cont
 * (created as a POSIX container with @attr if @flags has O_CREAT and it does not exist) and
 * mount it with the access mode of @flags. Pool and container handles are cached and
 * shared between connections. Needs dfs_init() (EACCES otherwise). Release with
 * dfs_disconnect().
 */
int dfs_connect(const char *pool, const char *sys, const char *cont, int flags, dfs_attr_t *attr,
		dfs_t **dfs);
/* Unmount a namespace of dfs_connect() and drop its pool and container references. */
int dfs_disconnect(dfs_t *dfs);
/* Destroy container @cont of @pool (@force: even if open). @ev must be NULL for now. */
int dfs_destroy(const char *pool, const char *sys, const char *cont, int force, daos_event_t *ev);

/*
 * Create a POSIX container in pool @poh: layout type POSIX, a superblock and an empty root
 * directory. @attr may be NULL. Optional outputs: its UUID in *@uuid; the container left
 * open (read-write) in *@coh; mounted in *@dfs (which needs @coh; close it after
 * dfs_umount()).
 */
int dfs_cont_create(daos_handle_t poh, uuid_t *uuid, dfs_attr_t *attr, daos_handle_t *coh,
		    dfs_t **dfs);
/* dfs_cont_create() with label @label (overrides a label in @attr->da_props). */
int dfs_cont_create_with_label(daos_handle_t poh, const char *label, dfs_attr_t *attr, uuid_t *uuid,
			       daos_handle_t *coh, dfs_t **dfs);

/* Flags of dfs_cont_check() (DAOS's values). */
#define DFS_CHECK_PRINT (1 << 0)     /* report each leaked object ("oid[n]: hi.lo") */
#define DFS_CHECK_REMOVE (1 << 1)    /* punch leaked objects */
#define DFS_CHECK_RELINK (1 << 2)    /* link leaked objects under /lost+found/<name> */
#define DFS_CHECK_VERIFY (1 << 3)    /* also check each object's replicas agree */
#define DFS_CHECK_EVICT_ALL (1 << 4) /* evict every other handle of the container first */

/*
 * Check the namespace of POSIX container @cont of pool @poh for leaked objects: objects
 * no entry reaches from the root. Opens the container exclusively (EBUSY if another
 * handle is open, unless DFS_CHECK_EVICT_ALL), snapshots it, lists its objects
 * (daos_oit_open), marks those the namespace reaches, and handles the others as @flags
 * say: REMOVE and RELINK exclude each other (EINVAL). RELINK names them "<hi>.<lo>" in
 * /lost+found/@name (NULL: the start time, YYYY-MM-DD-HH:MM:SS), directories for
 * objects of type DAOS_OT_MULTI_HASHED, else files with the container's chunk size.
 * DAOS prints its report; this one only logs it (see dfs_cont_check_report()).
 */
int dfs_cont_check(daos_handle_t poh, const char *cont, uint64_t flags, const char *name);
/* Namespace statistics of @cont from directory @subdir (NULL: the root); logged only. */
int dfs_cont_scan(daos_handle_t poh, const char *cont, uint64_t flags, const char *subdir);

/*
 * Not in DAOS: the report of the checker and scanner as lines ("DFS checker: Start
 * (...)", DAOS's wording) handed to @fn with @arg, and the counts, for tools such as
 * `daos fs check`. A library writes nothing to stdout.
 */
typedef void (*dfs_report_fn)(void *arg, const char *line);

typedef struct {
	uint64_t dcr_nr_marked;             /* entries reached from the root */
	uint64_t dcr_nr_leaked;             /* objects none reaches */
	char dcr_lf_dir[DFS_MAX_NAME + 16]; /* RELINK: "/lost+found/<name>", else "" */
} dfs_check_result_t;

typedef struct {
	uint64_t dsr_nr_objects; /* objects in the container */
	uint64_t dsr_nr_files;   /* entries under the scanned directory, by type */
	uint64_t dsr_nr_dirs;
	uint64_t dsr_nr_symlinks;
	uint64_t dsr_max_depth;    /* deepest level (entries of the scanned directory: 1) */
	uint64_t dsr_bytes;        /* sum of the file sizes */
	uint64_t dsr_largest_file; /* bytes */
	uint64_t dsr_largest_dir;  /* entries */
} dfs_scan_result_t;

/* dfs_cont_check() reporting to @fn (may be NULL) and filling @res (may be NULL). */
int dfs_cont_check_report(daos_handle_t poh, const char *cont, uint64_t flags, const char *name,
			  dfs_report_fn fn, void *arg, dfs_check_result_t *res);
/* dfs_cont_scan() reporting to @fn (may be NULL) and filling @res (may be NULL). */
int dfs_cont_scan_report(daos_handle_t poh, const char *cont, uint64_t flags, const char *subdir,
			 dfs_report_fn fn, void *arg, dfs_scan_result_t *res);

/*
 * Repairs, for `daos fs fix-entry`, `fix-sb` and `fix-root` (DAOS declares them in its
 * dfs_internal.h, for its daos tool; same names, signatures and meaning). The caller should
 * hold the container exclusively (DAOS_COO_EX), as the daos tool does: nothing else may
 * change what is being repaired.
 */

/*
 * Repair entry @name of directory @parent (NULL: the root) whose type bits are wrong: the
 * type is taken from the object it names (a byte array: S_IFREG; else S_IFLNK if the entry
 * has a symlink target, else S_IFDIR) and the permissions become 0700, as in DAOS. Fields
 * that must agree with the type are fixed with it (symlink length; a file without a chunk
 * size gets the container's). Needs a read-write mount (EPERM). ENOENT if there is no such
 * entry, EPROTO if it names neither an object nor a target.
 */
int dfs_obj_fix_type(dfs_t *dfs, dfs_obj_t *parent, const char *name);
/*
 * Set the chunk size stored in the entry of file @obj to @csize (0: the container's) and
 * use it for @obj's I/O from now on. Meant for files whose entry lost its chunk size (a
 * relinked file in lost+found): the data is not moved. EINVAL if @obj is not a file.
 */
int dfs_file_update_chunk_size(dfs_t *dfs, dfs_obj_t *obj, daos_size_t csize);
/*
 * Write a new superblock with @attr (as for dfs_cont_create(); da_props is ignored) into
 * POSIX container @coh, open read-write, replacing whatever is left of the old one, and
 * relink the root directory if its entry is missing or damaged. The original attributes
 * are not recoverable: give those the container was created with. EINVAL if @coh is not a
 * POSIX container, EIO if it has no DFS roots (its creation did not finish).
 */
int dfs_recreate_sb(daos_handle_t coh, dfs_attr_t *attr);
/*
 * Give the root directory of POSIX container @coh its entry in the superblock object again
 * when the entry is missing or damaged (nothing to do otherwise: 0). The directory's
 * contents are untouched; its entry gets 0755, the caller as owner and the current time.
 * ENOENT if the superblock is missing (dfs_recreate_sb() first), EINVAL if @coh is not a
 * POSIX container or its superblock is not one this library reads.
 */
int dfs_relink_root(daos_handle_t coh);

/* ---- mounts ---- */

/*
 * Mount the POSIX container @coh of pool @poh. @flags: O_RDONLY or O_RDWR, optionally
 * DFS_BALANCED. EINVAL if the container is not a POSIX container or its superblock is not
 * one this library reads, ENOENT if the superblock or the root directory's entry is missing
 * (dfs_recreate_sb(), dfs_relink_root()). Both handles must stay open until dfs_umount().
 */
int dfs_mount(daos_handle_t poh, daos_handle_t coh, int flags, dfs_t **dfs);
/* Unmount; objects of the mount must have been released. */
int dfs_umount(dfs_t *dfs);
/* The pool handle of a mount, counted; give it back with dfs_pool_put(). */
int dfs_pool_get(dfs_t *dfs, daos_handle_t *poh);
int dfs_pool_put(dfs_t *dfs, daos_handle_t poh);
/* The container handle of a mount, counted; give it back with dfs_cont_put(). */
int dfs_cont_get(dfs_t *dfs, daos_handle_t *coh);
int dfs_cont_put(dfs_t *dfs, daos_handle_t coh);
/* The attributes of the mounted container (da_props is set to NULL). */
int dfs_query(dfs_t *dfs, dfs_attr_t *attr);

/*
 * Serialise a mount for another process (no network). With glob->iov_buf NULL, only
 * sets glob->iov_buf_len to the size needed.
 */
int dfs_local2global(dfs_t *dfs, d_iov_t *glob);
/* A mount from dfs_local2global() data, over handles @poh/@coh; 0 @flags: the original's. */
int dfs_global2local(daos_handle_t poh, daos_handle_t coh, int flags, d_iov_t glob, dfs_t **dfs);
/* dfs_local2global() including the pool and container handles. */
int dfs_local2global_all(dfs_t *dfs, d_iov_t *glob);
/* A mount, its pool and its container from dfs_local2global_all(); dfs_disconnect() it. */
int dfs_global2local_all(int flags, d_iov_t glob, dfs_t **dfs);

/*
 * Make dfs_lookup() strip @prefix (an absolute path, e.g. a dfuse mount point) from the
 * paths it is given; NULL removes it. Paths outside the prefix are then EINVAL.
 */
int dfs_set_prefix(dfs_t *dfs, const char *prefix);

/* ---- lookup and open ---- */

/*
 * Open the object at absolute @path (O_RDONLY or O_RDWR in @flags; O_NOFOLLOW: do not
 * follow a final symbolic link). Symbolic links are followed up to 40 levels (ELOOP).
 * @mode and @stbuf, if not NULL, receive the type and permissions and the stat data.
 */
int dfs_lookup(dfs_t *dfs, const char *path, int flags, dfs_obj_t **obj, mode_t *mode,
	       struct stat *stbuf);
/* Open entry @name of @parent; a symbolic link is opened, not followed. */
int dfs_lookup_rel(dfs_t *dfs, dfs_obj_t *parent, const char *name, int flags, dfs_obj_t **obj,
		   mode_t *mode, struct stat *stbuf);

/*
 * Open or create entry @name of @parent. @mode: type (S_IFREG, S_IFDIR or S_IFLNK) and
 * permissions. @flags: O_RDONLY, O_WRONLY or O_RDWR, and O_CREAT, O_EXCL, O_TRUNC,
 * O_APPEND. @cid and @chunk_size apply when a file is created (0: inherited from the
 * parent directory, else the container's defaults); @value is the target of a symbolic
 * link being created.
 */
int dfs_open(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode, int flags,
	     daos_oclass_id_t cid, daos_size_t chunk_size, const char *value, dfs_obj_t **obj);
/* A second handle on the object of @obj with access mode @flags; no network. */
int dfs_dup(dfs_t *dfs, dfs_obj_t *obj, int flags, dfs_obj_t **new_obj);
/* Serialise an open object for another process of the same mount (see dfs_local2global). */
int dfs_obj_local2global(dfs_t *dfs, dfs_obj_t *obj, d_iov_t *glob);
/* An object from dfs_obj_local2global() data; 0 @flags: the original's access mode. */
int dfs_obj_global2local(dfs_t *dfs, int flags, d_iov_t glob, dfs_obj_t **obj);
/* Close an object. */
int dfs_release(dfs_obj_t *obj);

/* ---- file data ---- */

/*
 * Read from file @obj at @off into @sgl; *@read_size is the number of bytes read (short at
 * the end of the file). Holes read as zeros.
 */
int dfs_read(dfs_t *dfs, dfs_obj_t *obj, d_sg_list_t *sgl, daos_off_t off, daos_size_t *read_size,
	     daos_event_t *ev);
/* Read the ranges of @iod, one after the other, into @sgl. */
int dfs_readx(dfs_t *dfs, dfs_obj_t *obj, dfs_iod_t *iod, d_sg_list_t *sgl, daos_size_t *read_size,
	      daos_event_t *ev);
/* Write @sgl to file @obj at @off (at the end of the file if opened O_APPEND). */
int dfs_write(dfs_t *dfs, dfs_obj_t *obj, d_sg_list_t *sgl, daos_off_t off, daos_event_t *ev);
/* Write @sgl to the ranges of @iod. */
int dfs_writex(dfs_t *dfs, dfs_obj_t *obj, dfs_iod_t *iod, d_sg_list_t *sgl, daos_event_t *ev);
/* The size of file @obj. */
int dfs_get_size(dfs_t *dfs, dfs_obj_t *obj, daos_size_t *size);
/* The size of the file object @oid of chunk size @chunk_size, without opening an entry. */
int dfs_get_size_by_oid(dfs_t *dfs, daos_obj_id_t oid, daos_size_t chunk_size, daos_size_t *size);
/*
 * Deallocate @len bytes of file @obj from @offset (they read as zeros). @len DFS_MAX_FSIZE
 * truncates or extends the file to @offset bytes.
 */
int dfs_punch(dfs_t *dfs, dfs_obj_t *obj, daos_off_t offset, daos_size_t len);

/* ---- directories ---- */

/*
 * Up to *@nr entries of directory @obj into @dirs (d_name only), resuming at @anchor (zero
 * it for the first call; the listing is over when daos_anchor_is_eof()). *@nr is set to the
 * number returned.
 */
int dfs_readdir(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr,
		struct dirent *dirs);
/* dfs_readdir() that also stats each entry into @stbufs. */
int dfs_readdirplus(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr,
		    struct dirent *dirs, struct stat *stbufs);

/* Called by dfs_iterate() for each entry; a non-zero return stops the iteration. */
typedef int (*dfs_filler_cb_t)(dfs_t *dfs, dfs_obj_t *obj, const char name[], void *arg);

/*
 * Call @op for up to *@nr entries of directory @obj from @anchor, fetching at most @size
 * bytes of names at a time. *@nr is set to the number of entries visited.
 */
int dfs_iterate(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr, size_t size,
		dfs_filler_cb_t op, void *arg);
/* Parallel listing: how many anchors to split a directory's listing into (*nr = 1 here). */
int dfs_obj_anchor_split(dfs_obj_t *obj, uint32_t *nr, daos_anchor_t *anchors);
/* Initialise anchor @index of a split (only index 0 exists here). */
int dfs_obj_anchor_set(dfs_obj_t *obj, uint32_t index, daos_anchor_t *anchor);

/* Create directory @name in @parent with permissions @mode and class @cid (0: default). */
int dfs_mkdir(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode, daos_oclass_id_t cid);

/* ---- namespace ---- */

/*
 * Remove entry @name of @parent; a directory must be empty unless @force, which removes
 * its content first. *@oid, if not NULL, receives the removed object's id.
 */
int dfs_remove(dfs_t *dfs, dfs_obj_t *parent, const char *name, bool force, daos_obj_id_t *oid);
/*
 * Rename @name of @parent to @new_name of @new_parent, replacing an existing entry there as
 * rename(2) does (the replaced object is punched, as dfs_remove() does). *@oid, if not
 * NULL, receives the id of the replaced object (zero if none).
 */
int dfs_move(dfs_t *dfs, dfs_obj_t *parent, const char *name, dfs_obj_t *new_parent,
	     const char *new_name, daos_obj_id_t *oid);
/* Swap the entries @name1 of @parent1 and @name2 of @parent2. */
int dfs_exchange(dfs_t *dfs, dfs_obj_t *parent1, const char *name1, dfs_obj_t *parent2,
		 const char *name2);

/* ---- attributes ---- */

/* Type and permissions of @obj. */
int dfs_get_mode(dfs_obj_t *obj, mode_t *mode);
/* Class, chunk size and id of @obj. */
int dfs_obj_get_info(dfs_t *dfs, dfs_obj_t *obj, dfs_obj_info_t *info);
/* Directories: the class of objects created in them from now on (not existing ones). */
int dfs_obj_set_oclass(dfs_t *dfs, dfs_obj_t *obj, int flags, daos_oclass_id_t cid);
/* Directories: the chunk size of files created in them from now on. */
int dfs_obj_set_chunk_size(dfs_t *dfs, dfs_obj_t *obj, int flags, daos_size_t csize);
/* The array handle of file @obj, owned by @obj (do not close it). */
int dfs_get_file_oh(dfs_obj_t *obj, daos_handle_t *oh);
/* The chunk size of file @obj. */
int dfs_get_chunk_size(dfs_obj_t *obj, daos_size_t *chunk_size);
/*
 * The target of symbolic link @obj, NUL-terminated, into @buf of *@size bytes (copied up
 * to that size); *@size is set to the length of the target plus one. @buf may be NULL.
 */
int dfs_get_symlink_value(dfs_obj_t *obj, char *buf, daos_size_t *size);
/* Point @obj at the parent of @src_obj and, if @name is not NULL, at entry @name (local). */
int dfs_update_parent(dfs_obj_t *obj, dfs_obj_t *src_obj, const char *name);
/* The object id of @obj. */
int dfs_obj2id(dfs_obj_t *obj, daos_obj_id_t *oid);

/*
 * Stat entry @name of @parent (a symbolic link itself); @parent and @name NULL: the root.
 * Filled: st_mode, st_ino, st_dev, st_nlink, st_uid, st_gid, st_size, st_blksize,
 * st_blocks, st_atim, st_mtim, st_ctim.
 */
int dfs_stat(dfs_t *dfs, dfs_obj_t *parent, const char *name, struct stat *stbuf);
/* dfs_stat() of an open object. */
int dfs_ostat(dfs_t *dfs, dfs_obj_t *obj, struct stat *stbuf);

/* Attributes dfs_osetattr() sets. */
#define DFS_SET_ATTR_MODE (1 << 0)
#define DFS_SET_ATTR_ATIME (1 << 1)
#define DFS_SET_ATTR_MTIME (1 << 2)
#define DFS_SET_ATTR_SIZE (1 << 3)
#define DFS_SET_ATTR_UID (1 << 4)
#define DFS_SET_ATTR_GID (1 << 5)

/*
 * Set the attributes @flags names from @stbuf on @obj (a symbolic link itself), then fill
 * @stbuf as dfs_ostat() does. Setting the mode keeps the type. ATIME is accepted and not
 * stored (reported atime is the later of mtime and ctime).
 */
int dfs_osetattr(dfs_t *dfs, dfs_obj_t *obj, struct stat *stbuf, int flags);
/* access(2) for entry @name of @parent (symbolic links followed); @mask F_OK or R/W/X_OK. */
int dfs_access(dfs_t *dfs, dfs_obj_t *parent, const char *name, int mask);
/* Set the permission bits of entry @name (symbolic links followed). */
int dfs_chmod(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode);
/* Set owner and group of entry @name; -1 leaves one unchanged; O_NOFOLLOW in @flags. */
int dfs_chown(dfs_t *dfs, dfs_obj_t *parent, const char *name, uid_t uid, gid_t gid, int flags);
/* Make everything written so far durable: DAOS updates already are, so this returns 0. */
int dfs_sync(dfs_t *dfs);

/* ---- extended attributes (of the entry itself, also for symbolic links) ---- */

/* Set xattr @name to @size bytes at @value; @flags 0, XATTR_CREATE or XATTR_REPLACE. */
int dfs_setxattr(dfs_t *dfs, dfs_obj_t *obj, const char *name, const void *value, daos_size_t size,
		 int flags);
/*
 * Xattr @name into @value of *@size bytes; *@size is set to its size. ENODATA if absent,
 * ERANGE if @value is too small; *@size 0 on entry only queries the size.
 */
int dfs_getxattr(dfs_t *dfs, dfs_obj_t *obj, const char *name, void *value, daos_size_t *size);
/* Remove xattr @name (ENODATA if absent). */
int dfs_removexattr(dfs_t *dfs, dfs_obj_t *obj, const char *name);
/*
 * The names of all xattrs, each NUL-terminated, into @list of *@size bytes; *@size is set
 * to the size needed (ERANGE if @list is too small; *@size 0 only queries).
 */
int dfs_listxattr(dfs_t *dfs, dfs_obj_t *obj, char *list, daos_size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_FS_H */
