/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_ops.c - the FUSE low-level operations, each mapped onto libdfs (dfuse_io.c has
 * read and write). Every request resolves its node id through the inode table, which
 * gives it a reference for the duration of the call; replies carry DFS's positive errno
 * values unchanged and libdaos's DER codes through daos_der2errno().
 *
 * An inode holds one dfs_obj_t opened at lookup. Since DFS keeps an entry's attributes in
 * its parent directory, that object remembers its parent and name; they are updated under
 * ie->lock when a rename is seen (ours, or another client's at the next lookup), and the
 * operations on the entry itself (stat, setattr, xattrs, readlink) take the same lock.
 * Open files and directories get their own handle (dfs_dup), so data I/O and listings
 * never wait for that lock.
 *
 * Caching: lookups and getattr replies carry the timeouts of struct dfuse_cache (of the
 * inode's container); a negative lookup is cached for ndentry_time; open sets direct_io or
 * keep_cache by the data cache mode (docs/design/dfuse.md).
 *
 * Pool and system mounts: an inode belongs to a container (dfuse_ie_cont) or is a
 * directory dfuse makes up (dfuse_ns.c), which lists and looks up containers or pools
 * and refuses every change with EPERM. A rename between containers is EXDEV.
 *
 * Open-unlink: a file unlinked (or replaced by a rename) while the kernel still knows its
 * inode keeps its object, which is punched when the kernel forgets the inode (after the
 * last close); until then its data stay readable and writable through open fds, and its
 * attributes are the ones last seen with the object's current size. So are those of a
 * file another client renamed, until the next lookup finds its new name.
 */
#define D_LOGFAC DD_FAC(dfuse)

#include <errno.h>
#include <limits.h>
#include <linux/fs.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "dfs/dfs_ext.h"
#include "dfuse/dfuse_daemon.h"
#include "dfuse/dfuse_ioctl.h"
#include "dfuse/dfuse_statfs.h"

/* Names read from DFS per listing call. */
#define DFUSE_READDIR_BATCH 64

static struct dfuse_info *
req_info(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* The inode of @ino with a reference, or NULL after replying ESTALE. */
static struct dfuse_inode *
ie_get(fuse_req_t req, fuse_ino_t ino)
{
	struct dfuse_inode *ie = dfuse_itable_get(&req_info(req)->itable, ino);

	if (ie == NULL)
		fuse_reply_err(req, ESTALE);
	return ie;
}

static void
ie_put(struct dfuse_info *info, struct dfuse_inode *ie)
{
	dfuse_itable_put(&info->itable, ie);
}

static int
obj_mode(dfs_obj_t *obj)
{
	mode_t mode = 0;

	dfs_get_mode(obj, &mode);
	return (int)mode;
}

void
dfuse_release_obj(struct dfuse_inode *ie)
{
	struct dfuse_cont *dc = dfuse_ie_cont(ie);

	if (ie->orphan && dc != NULL) {
		int rc = dfs_punch_oid(dc->dfs, ie->oid);

		if (rc != 0)
			D_WARN("could not free the object " DF_U64 "." DF_U64
			       " of an unlinked file: %s",
			       ie->oid.hi, ie->oid.lo, strerror(rc));
	}
	if (ie->obj != NULL)
		dfs_release(ie->obj);
	dfuse_chunks_fini(ie);
}

/* Keep @st as @ie's attributes last seen (they answer once its entry is gone). */
static void
ie_remember(struct dfuse_inode *ie, const struct stat *st)
{
	pthread_mutex_lock(&ie->lock);
	ie->st = *st;
	ie->have_st = true;
	pthread_mutex_unlock(&ie->lock);
}

/*
 * The attributes of regular file @ie whose entry is gone (unlinked here, or moved by
 * another client): the last seen, with the object's size. ie->lock held. 0 or ENOENT.
 */
static int
ie_stat_gone(struct dfuse_cont *dc, struct dfuse_inode *ie, struct stat *st)
{
	daos_size_t size;

	if (!S_ISREG(ie->mode) || !ie->have_st || dfs_get_size(dc->dfs, ie->obj, &size) != 0)
		return ENOENT;
	*st = ie->st;
	st->st_size = (off_t)size;
	st->st_blocks = (blkcnt_t)((size + 511) / 512);
	st->st_nlink = ie->orphan ? 0 : 1;
	return 0;
}

/* Refuse a change in a directory dfuse makes up: replies EPERM, puts @ie, returns true. */
static bool
vdir_refuse(fuse_req_t req, struct dfuse_info *info, struct dfuse_inode *ie)
{
	if (ie->kind == DFUSE_IE_DFS)
		return false;
	ie_put(info, ie);
	fuse_reply_err(req, EPERM);
	return true;
}

/*
 * Make @obj (entry @name of some directory, stat @st) known: a new inode, or the one
 * already holding its object id, refreshed with the entry's current parent and name.
 * Consumes @obj. Returns the inode with one reference (the kernel's lookup).
 */
static int
ie_register(struct dfuse_info *info, struct dfuse_cont *dc, dfs_obj_t *obj, const char *name,
	    struct dfuse_inode **out)
{
	struct dfuse_inode *ie;
	daos_obj_id_t oid;
	bool existed;
	int rc;

	rc = dfs_obj2id(obj, &oid);
	if (rc != 0)
		goto out_release;
	rc = dfuse_itable_add(&info->itable, dc, oid, obj, (mode_t)obj_mode(obj), false, &ie,
			      &existed);
	if (rc != 0) {
		rc = daos_der2errno(rc);
		goto out_release;
	}
	if (existed) {
		pthread_mutex_lock(&ie->lock);
		dfs_update_parent(ie->obj, obj, name);
		pthread_mutex_unlock(&ie->lock);
		dfs_release(obj);
	}
	*out = ie;
	return 0;

out_release:
	dfs_release(obj);
	return rc;
}

static void
entry_fill(struct dfuse_info *info, struct dfuse_inode *ie, const struct stat *st,
	   struct fuse_entry_param *e)
{
	const struct dfuse_cache *c = dfuse_ie_cache(info, ie);

	memset(e, 0, sizeof(*e));
	e->ino = ie->ino;
	e->generation = 1;
	e->attr = *st;
	dfuse_st_ino(ie, &e->attr);
	e->attr_timeout = c->attr_time;
	e->entry_timeout = S_ISDIR(st->st_mode) ? c->dentry_dir_time : c->dentry_time;
}

/* Reply to a lookup-like request with @obj of @dc (consumed), or with the error @rc. */
static void
reply_entry(fuse_req_t req, struct dfuse_info *info, int rc, struct dfuse_cont *dc, dfs_obj_t *obj,
	    const char *name, struct stat *st)
{
	struct fuse_entry_param e;
	struct dfuse_inode *ie;

	if (rc == 0)
		rc = ie_register(info, dc, obj, name, &ie);
	else if (obj != NULL)
		dfs_release(obj);
	if (rc != 0) {
		fuse_reply_err(req, rc);
		return;
	}
	ie_remember(ie, st);
	entry_fill(info, ie, st, &e);
	if (fuse_reply_entry(req, &e) != 0)
		/* The kernel never saw it (interrupted): undo its lookup. */
		ie_put(info, ie);
}

/*
 * A directory that is a UNS entry point stands for the root of the container it names:
 * true with *ie (a kernel reference on that root) and its attributes in *st, @obj
 * released. False for any other entry, and when the link cannot be followed (logged): the
 * directory itself is served then, so that it can still be listed and removed.
 */
static bool
entry_point(struct dfuse_info *info, struct dfuse_cont *dc, dfs_obj_t *obj, const char *name,
	    struct stat *st, struct dfuse_inode **ie)
{
	char err[512] = "";
	struct stat ep_st;
	int rc;

	if (!S_ISDIR(st->st_mode))
		return false;
	rc = dfuse_ns_entry_point(info, dc, obj, ie, &ep_st, err, sizeof(err));
	if (rc == ENODATA)
		return false;
	if (rc != 0) {
		/* An empty message: it failed moments ago and was logged then. */
		if (err[0] != '\0')
			D_ERROR("directory %s is a UNS entry point that cannot be followed: %s",
				name, err);
		return false;
	}
	dfs_release(obj);
	*st = ep_st;
	return true;
}

/* Give a new entry to the caller when users are told apart (--multi-user). */
static int
own_entry(fuse_req_t req, struct dfuse_info *info, struct dfuse_cont *dc, dfs_obj_t *obj,
	  struct stat *st)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	if (!info->multi_user || (ctx->uid == st->st_uid && ctx->gid == st->st_gid))
		return 0;
	st->st_uid = ctx->uid;
	st->st_gid = ctx->gid;
	return dfs_osetattr(dc->dfs, obj, st, DFS_SET_ATTR_UID | DFS_SET_ATTR_GID);
}

/* ---- session ---- */

static void
op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct dfuse_info *info = userdata;

	conn->want |= conn->capable & (FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO |
				       FUSE_CAP_PARALLEL_DIROPS | FUSE_CAP_IOCTL_DIR);
	if (info->cache.attr_time > 0 || info->cache.dentry_time > 0)
		conn->want |= conn->capable & FUSE_CAP_CACHE_SYMLINKS;
	if (info->wb_cache && (conn->capable & FUSE_CAP_WRITEBACK_CACHE))
		conn->want |= FUSE_CAP_WRITEBACK_CACHE;
	else
		conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/* Truncation comes as setattr, and the kernel clears setuid bits on write itself. */
	conn->want &= ~(FUSE_CAP_ATOMIC_O_TRUNC | FUSE_CAP_HANDLE_KILLPRIV);
	/* Without caching, the kernel must not guess from stale pages either. */
	if (info->cache.data_mode == DFUSE_DATA_OFF)
		conn->want &= ~FUSE_CAP_ASYNC_DIO;
	conn->time_gran = 1;
	conn->max_background = 16;
	/* Raised once the kernel has taken this reply (dfuse_main.c). */
	atomic_store(&info->readahead_pending, !info->opts->disable_caching);
	conn->congestion_threshold = 8;
}

/* ---- names ---- */

static void
op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct dfuse_info *info = req_info(req);
	const struct dfuse_cache *c;
	struct fuse_entry_param e;
	struct dfuse_inode *pie;
	struct dfuse_cont *dc;
	dfs_obj_t *obj = NULL;
	struct stat st;
	int rc;

	pie = ie_get(req, parent);
	if (pie == NULL)
		return;
	c = dfuse_ie_cache(info, pie);
	dc = dfuse_ie_cont(pie);
	if (dc == NULL) {
		struct dfuse_inode *ie;

		rc = dfuse_ns_lookup(info, pie, name, &ie, &st);
		ie_put(info, pie);
		if (rc == 0) {
			entry_fill(info, ie, &st, &e);
			e.entry_timeout = c->dentry_dir_time;
			if (fuse_reply_entry(req, &e) != 0)
				ie_put(info, ie);
			return;
		}
	} else {
		struct dfuse_inode *ie;

		rc = dfs_lookup_rel(dc->dfs, pie->obj, name, info->read_only ? O_RDONLY : O_RDWR,
				    &obj, NULL, &st);
		ie_put(info, pie);
		if (rc == 0 && entry_point(info, dc, obj, name, &st, &ie)) {
			entry_fill(info, ie, &st, &e);
			if (fuse_reply_entry(req, &e) != 0)
				ie_put(info, ie);
			return;
		}
	}
	if (rc == ENOENT && c->ndentry_time > 0) {
		memset(&e, 0, sizeof(e));
		e.entry_timeout = c->ndentry_time;
		fuse_reply_entry(req, &e);
		return;
	}
	reply_entry(req, info, rc, dc, obj, name, &st);
}

static void
op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	dfuse_itable_forget(&req_info(req)->itable, ino, nlookup);
	fuse_reply_none(req);
}

static void
op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		dfuse_itable_forget(&req_info(req)->itable, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

/* ---- attributes ---- */

/* The attributes of @ie, whatever it is. */
static int
ie_stat(struct dfuse_info *info, struct dfuse_inode *ie, struct stat *st)
{
	struct dfuse_cont *dc = dfuse_ie_cont(ie);
	int rc;

	if (dc == NULL) {
		dfuse_ns_stat(info, ie, st);
		return 0;
	}
	pthread_mutex_lock(&ie->lock);
	rc = ie->orphan ? ENOENT : dfs_ostat(dc->dfs, ie->obj, st);
	if (rc == ENOENT) {
		rc = ie_stat_gone(dc, ie, st);
	} else if (rc == 0) {
		ie->st = *st;
		ie->have_st = true;
	}
	pthread_mutex_unlock(&ie->lock);
	return rc;
}

static void
op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *ie;
	double attr_time;
	struct stat st;
	int rc;

	(void)fi;
	ie = ie_get(req, ino);
	if (ie == NULL)
		return;
	rc = ie_stat(info, ie, &st);
	attr_time = dfuse_ie_cache(info, ie)->attr_time;
	dfuse_st_ino(ie, &st);
	ie_put(info, ie);
	if (rc != 0)
		fuse_reply_err(req, rc);
	else
		fuse_reply_attr(req, &st, attr_time);
}

static void
now_timespec(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

/*
 * setattr of regular file @ie whose entry is gone (ie->lock held): the size goes to the
 * object; an unlinked file's other attributes live in memory until it is released, and
 * those of a file moved by another client cannot be set through a stale name (ESTALE).
 */
static int
setattr_gone(struct dfuse_cont *dc, struct dfuse_inode *ie, struct stat *st, int flags)
{
	struct stat now;
	int rc;

	rc = ie_stat_gone(dc, ie, &now);
	if (rc != 0)
		return rc;
	if ((flags & ~DFS_SET_ATTR_SIZE) != 0 && !ie->orphan)
		return ESTALE;
	if (flags & DFS_SET_ATTR_SIZE) {
		rc = dfs_punch(dc->dfs, ie->obj, (daos_off_t)st->st_size, DFS_MAX_FSIZE);
		if (rc != 0)
			return rc;
		now.st_size = st->st_size;
	}
	if (flags & DFS_SET_ATTR_MODE)
		now.st_mode = (now.st_mode & S_IFMT) | (st->st_mode & 07777);
	if (flags & DFS_SET_ATTR_UID)
		now.st_uid = st->st_uid;
	if (flags & DFS_SET_ATTR_GID)
		now.st_gid = st->st_gid;
	if (flags & DFS_SET_ATTR_ATIME)
		now.st_atim = st->st_atim;
	if (flags & DFS_SET_ATTR_MTIME)
		now.st_mtim = st->st_mtim;
	ie->st = now;
	*st = now;
	return 0;
}

static void
op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *ie;
	struct dfuse_cont *dc;
	struct stat st = *attr;
	double attr_time;
	int flags = 0;
	int rc;

	(void)fi;
	if (to_set & FUSE_SET_ATTR_MODE)
		flags |= DFS_SET_ATTR_MODE;
	if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		/* One user owns everything unless --multi-user: only no-op changes pass. */
		if (!info->multi_user &&
		    (((to_set & FUSE_SET_ATTR_UID) && attr->st_uid != info->uid) ||
		     ((to_set & FUSE_SET_ATTR_GID) && attr->st_gid != info->gid))) {
			fuse_reply_err(req, EPERM);
			return;
		}
		if (to_set & FUSE_SET_ATTR_UID)
			flags |= DFS_SET_ATTR_UID;
		if (to_set & FUSE_SET_ATTR_GID)
			flags |= DFS_SET_ATTR_GID;
	}
	if (to_set & FUSE_SET_ATTR_SIZE)
		flags |= DFS_SET_ATTR_SIZE;
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW)) {
		flags |= DFS_SET_ATTR_ATIME;
		if (to_set & FUSE_SET_ATTR_ATIME_NOW)
			now_timespec(&st.st_atim);
	}
	if (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW)) {
		flags |= DFS_SET_ATTR_MTIME;
		if (to_set & FUSE_SET_ATTR_MTIME_NOW)
			now_timespec(&st.st_mtim);
	}
	ie = ie_get(req, ino);
	if (ie == NULL)
		return;
	dc = dfuse_ie_cont(ie);
	if (flags != 0 && vdir_refuse(req, info, ie))
		return;
	if (flags != 0) {
		pthread_mutex_lock(&ie->lock);
		rc = ie->orphan ? ENOENT : dfs_osetattr(dc->dfs, ie->obj, &st, flags);
		if (rc == ENOENT) {
			rc = setattr_gone(dc, ie, &st, flags);
		} else if (rc == 0) {
			ie->st = st;
			ie->have_st = true;
		}
		pthread_mutex_unlock(&ie->lock);
	} else {
		rc = ie_stat(info, ie, &st);
	}
	attr_time = dfuse_ie_cache(info, ie)->attr_time;
	if (rc == 0 && (flags & DFS_SET_ATTR_SIZE) && atomic_load(&info->chunk_reads))
		dfuse_chunks_drop(ie);
	dfuse_st_ino(ie, &st);
	ie_put(info, ie);
	if (rc != 0)
		fuse_reply_err(req, rc);
	else
		fuse_reply_attr(req, &st, attr_time);
}

static void
op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct dfuse_info *info = req_info(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct dfuse_inode *ie;
	struct stat st;
	mode_t bits;
	int rc;

	ie = ie_get(req, ino);
	if (ie == NULL)
		return;
	rc = ie_stat(info, ie, &st);
	ie_put(info, ie);
	if (rc != 0 || mask == F_OK || ctx->uid == 0) {
		fuse_reply_err(req, rc);
		return;
	}
	if (ctx->uid == st.st_uid)
		bits = (st.st_mode >> 6) & 7;
	else if (ctx->gid == st.st_gid)
		bits = (st.st_mode >> 3) & 7;
	else
		bits = st.st_mode & 7;
	fuse_reply_err(req, ((mode_t)mask & ~bits) != 0 ? EACCES : 0);
}

static void
op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct dfuse_info *info = req_info(req);
	char buf[PATH_MAX + 1];
	daos_size_t size = sizeof(buf);
	struct dfuse_inode *ie;
	int rc;

	ie = ie_get(req, ino);
	if (ie == NULL)
		return;
	pthread_mutex_lock(&ie->lock);
	rc = ie->kind == DFUSE_IE_DFS ? dfs_get_symlink_value(ie->obj, buf, &size) : EINVAL;
	pthread_mutex_unlock(&ie->lock);
	ie_put(info, ie);
	if (rc != 0)
		fuse_reply_err(req, rc);
	else
		fuse_reply_readlink(req, buf);
}

/* ---- creating and removing entries ---- */

static void
op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *pie;
	struct dfuse_cont *dc;
	dfs_obj_t *obj = NULL;
	struct stat st;
	int rc;

	pie = ie_get(req, parent);
	if (pie == NULL || vdir_refuse(req, info, pie))
		return;
	dc = pie->ns;
	rc = dfs_mkdir(dc->dfs, pie->obj, name, mode & 07777, 0);
	if (rc == 0)
		rc = dfs_lookup_rel(dc->dfs, pie->obj, name, O_RDWR, &obj, NULL, &st);
	if (rc == 0)
		rc = own_entry(req, info, dc, obj, &st);
	ie_put(info, pie);
	reply_entry(req, info, rc, dc, obj, name, &st);
}

static void
op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *pie;
	struct dfuse_cont *dc;
	dfs_obj_t *obj = NULL;
	struct stat st;
	int rc;

	pie = ie_get(req, parent);
	if (pie == NULL || vdir_refuse(req, info, pie))
		return;
	dc = pie->ns;
	rc = dfs_open(dc->dfs, pie->obj, name, S_IFLNK | 0777, O_CREAT | O_EXCL | O_RDWR, 0, 0,
		      link, &obj);
	if (rc == 0)
		rc = dfs_ostat(dc->dfs, obj, &st);
	if (rc == 0)
		rc = own_entry(req, info, dc, obj, &st);
	ie_put(info, pie);
	reply_entry(req, info, rc, dc, obj, name, &st);
}

static void
op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino;
	(void)newparent;
	(void)newname;
	/* An entry's inode lives in its directory entry: DFS has no hard links. */
	fuse_reply_err(req, ENOTSUP);
}

/*
 * The object of a file whose entry is gone (unlinked, or replaced by a rename): punched
 * now, unless the kernel still knows the file (open, or about to be forgotten), in which
 * case when the inode goes (dfuse_release_obj).
 */
static void
file_gone(struct dfuse_info *info, struct dfuse_cont *dc, daos_obj_id_t oid)
{
	struct dfuse_inode *ie;
	int rc;

	ie = dfuse_itable_find(&info->itable, dc, oid);
	if (ie != NULL) {
		pthread_mutex_lock(&ie->lock);
		ie->orphan = true;
		pthread_mutex_unlock(&ie->lock);
		ie_put(info, ie);
		return;
	}
	rc = dfs_punch_oid(dc->dfs, oid);
	if (rc != 0)
		D_WARN("could not free the object " DF_U64 "." DF_U64 " of a removed file: %s",
		       oid.hi, oid.lo, strerror(rc));
}

static void
op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *pie;
	struct dfuse_cont *dc;
	daos_obj_id_t oid;
	mode_t mode = 0;
	int rc;

	pie = ie_get(req, parent);
	if (pie == NULL || vdir_refuse(req, info, pie))
		return;
	dc = pie->ns;
	rc = dfs_remove_keep(dc->dfs, pie->obj, name, &oid, &mode);
	if (rc == 0 && S_ISREG(mode))
		file_gone(info, dc, oid);
	ie_put(info, pie);
	fuse_reply_err(req, rc);
}

/* Point the inode of entry @name of @dir (if the kernel knows it) at that entry. */
static void
refresh_moved(struct dfuse_info *info, struct dfuse_inode *dir, const char *name)
{
	struct dfuse_cont *dc = dir->ns;
	struct dfuse_inode *ie;
	dfs_obj_t *obj;
	daos_obj_id_t oid;

	if (dfs_lookup_rel(dc->dfs, dir->obj, name, O_RDONLY, &obj, NULL, NULL) != 0)
		return;
	if (dfs_obj2id(obj, &oid) == 0) {
		ie = dfuse_itable_find(&info->itable, dc, oid);
		if (ie != NULL) {
			pthread_mutex_lock(&ie->lock);
			dfs_update_parent(ie->obj, obj, name);
			pthread_mutex_unlock(&ie->lock);
			ie_put(info, ie);
		}
	}
	dfs_release(obj);
}

static void
op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
	  const char *newname, unsigned int flags)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *pie, *npie;
	struct dfuse_cont *dc;
	daos_obj_id_t replaced = { 0 };
	struct stat st;
	int rc;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	pie = ie_get(req, parent);
	if (pie == NULL)
		return;
	npie = ie_get(req, newparent);
	if (npie == NULL) {
		ie_put(info, pie);
		return;
	}
	dc = dfuse_ie_cont(pie);
	if (dc == NULL || dfuse_ie_cont(npie) == NULL)
		rc = EPERM;
	else if (dc != npie->ns)
		rc = EXDEV;
	else if (flags & RENAME_EXCHANGE) {
		rc = dfs_exchange(dc->dfs, pie->obj, name, npie->obj, newname);
		if (rc == 0)
			refresh_moved(info, pie, name);
	} else {
		rc = 0;
		if (flags & RENAME_NOREPLACE) {
			/* Not atomic against another client creating the name meanwhile. */
			rc = dfs_stat(dc->dfs, npie->obj, newname, &st);
			rc = rc == 0 ? EEXIST : rc == ENOENT ? 0 : rc;
		}
		if (rc == 0)
			rc = dfs_move_keep(dc->dfs, pie->obj, name, npie->obj, newname, &replaced);
	}
	if (rc == 0) {
		refresh_moved(info, npie, newname);
		if (replaced.hi != 0 || replaced.lo != 0)
			file_gone(info, dc, replaced);
	}
	ie_put(info, npie);
	ie_put(info, pie);
	fuse_reply_err(req, rc);
}

/* ---- files ---- */

static struct dfuse_fh *
fh_create(struct dfuse_inode *ie)
{
	struct dfuse_fh *fh = d_calloc(1, sizeof(*fh));

	if (fh == NULL)
		return NULL;
	fh->ie = ie;
	pthread_mutex_init(&fh->lock, NULL);
	return fh;
}

static void
fh_destroy(struct dfuse_info *info, struct dfuse_fh *fh)
{
	if (fh->cached && atomic_load(&info->chunk_reads))
		dfuse_chunks_drop(fh->ie);
	if (fh->counted)
		atomic_fetch_sub(S_ISDIR(fh->ie->mode) ? &info->nr_dirs : &info->nr_files, 1);
	if (fh->obj != NULL)
		dfs_release(fh->obj);
	d_free(fh->ents);
	dfuse_ns_list_free(fh->vnames);
	pthread_mutex_destroy(&fh->lock);
	if (fh->ie != NULL)
		ie_put(info, fh->ie);
	d_free(fh);
}

/* Decide how the kernel caches the data of a file being opened. */
static void
open_cache_flags(struct dfuse_info *info, struct dfuse_inode *ie, struct fuse_file_info *fi)
{
	const struct dfuse_cache *c = dfuse_ie_cache(info, ie);
	double now;

	switch (c->data_mode) {
	case DFUSE_DATA_OFF:
		fi->direct_io = 1;
		break;
	case DFUSE_DATA_OTOC:
		fi->keep_cache = 0;
		break;
	case DFUSE_DATA_ON:
		fi->keep_cache = 1;
		break;
	case DFUSE_DATA_TIMED:
		now = dfuse_now();
		pthread_mutex_lock(&ie->lock);
		if (ie->cache_stamp != 0 && now - ie->cache_stamp < c->data_time) {
			fi->keep_cache = 1;
		} else {
			fi->keep_cache = 0;
			ie->cache_stamp = now;
		}
		pthread_mutex_unlock(&ie->lock);
		break;
	}
	if ((fi->flags & O_DIRECT) && !c->direct_io_disable)
		fi->direct_io = 1;
}

/* A handle of our own on @ie's object for an open of @fi; takes one reference on @ie. */
static int
fh_open(struct dfuse_info *info, struct dfuse_inode *ie, struct fuse_file_info *fi,
	struct dfuse_fh **out)
{
	struct dfuse_fh *fh;
	int amode = info->read_only ? O_RDONLY : O_RDWR;
	int rc;

	fh = fh_create(ie);
	if (fh == NULL)
		return ENOMEM;
	/* Read-write whatever the kernel asked: with write-back caching it reads pages of
	 * files opened write-only. The kernel checked the permissions (default_permissions).
	 * A made-up directory has no object: its listing is taken at opendir.
	 */
	pthread_mutex_lock(&ie->lock);
	if (ie->kind == DFUSE_IE_DFS) {
		rc = dfs_dup(dfuse_ie_cont(ie)->dfs, ie->obj, amode, &fh->obj);
	} else {
		rc = dfuse_ns_list(info, ie, &fh->vnames);
		while (rc == 0 && fh->vnames[fh->nr_ents] != NULL)
			fh->nr_ents++;
	}
	pthread_mutex_unlock(&ie->lock);
	if (rc != 0) {
		fh->ie = NULL;
		fh_destroy(info, fh);
		return rc;
	}
	fh->flags = fi->flags;
	fh->counted = true;
	atomic_fetch_add(S_ISDIR(ie->mode) ? &info->nr_dirs : &info->nr_files, 1);
	*out = fh;
	return 0;
}

static void
op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *ie;
	struct dfuse_fh *fh;
	int rc;

	if (info->read_only && (fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
		return;
	}
	ie = ie_get(req, ino);
	if (ie == NULL)
		return;
	rc = fh_open(info, ie, fi, &fh);
	if (rc != 0) {
		ie_put(info, ie);
		fuse_reply_err(req, rc);
		return;
	}
	open_cache_flags(info, ie, fi);
	fh->cached = !fi->direct_io;
	fi->fh = (uint64_t)(uintptr_t)fh;
	if (fuse_reply_open(req, fi) != 0)
		fh_destroy(info, fh);
}

static void
op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	  struct fuse_file_info *fi)
{
	struct dfuse_info *info = req_info(req);
	struct fuse_entry_param e;
	struct dfuse_inode *pie, *ie = NULL;
	struct dfuse_cont *dc;
	struct dfuse_fh *fh;
	dfs_obj_t *obj = NULL;
	struct stat st;
	int rc;

	pie = ie_get(req, parent);
	if (pie == NULL || vdir_refuse(req, info, pie))
		return;
	dc = pie->ns;
	rc = dfs_open(dc->dfs, pie->obj, name, S_IFREG | (mode & 07777),
		      O_CREAT | O_RDWR | (fi->flags & O_EXCL), 0, 0, NULL, &obj);
	if (rc == 0)
		rc = dfs_ostat(dc->dfs, obj, &st);
	if (rc == 0)
		rc = own_entry(req, info, dc, obj, &st);
	ie_put(info, pie);
	if (rc == 0) {
		rc = ie_register(info, dc, obj, name, &ie);
		obj = NULL;
	}
	if (obj != NULL)
		dfs_release(obj);
	if (rc != 0) {
		fuse_reply_err(req, rc);
		return;
	}
	/* The new inode's reference goes to the kernel; the handle takes its own. */
	ie = dfuse_itable_get(&info->itable, ie->ino);
	rc = fh_open(info, ie, fi, &fh);
	if (rc != 0) {
		ie_put(info, ie);
		ie_put(info, ie);
		fuse_reply_err(req, rc);
		return;
	}
	open_cache_flags(info, ie, fi);
	fh->cached = !fi->direct_io;
	fi->fh = (uint64_t)(uintptr_t)fh;
	ie_remember(ie, &st);
	entry_fill(info, ie, &st, &e);
	if (fuse_reply_create(req, &e, fi) != 0) {
		fh_destroy(info, fh);
		ie_put(info, ie);
	}
}

static void
op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *pie;
	struct dfuse_cont *dc;
	dfs_obj_t *obj = NULL;
	struct stat st;
	int rc;

	(void)rdev;
	/* DFS stores files, directories and symbolic links only. */
	if (!S_ISREG(mode)) {
		fuse_reply_err(req, ENOTSUP);
		return;
	}
	pie = ie_get(req, parent);
	if (pie == NULL || vdir_refuse(req, info, pie))
		return;
	dc = pie->ns;
	rc = dfs_open(dc->dfs, pie->obj, name, S_IFREG | (mode & 07777), O_CREAT | O_EXCL | O_RDWR,
		      0, 0, NULL, &obj);
	if (rc == 0)
		rc = dfs_ostat(dc->dfs, obj, &st);
	if (rc == 0)
		rc = own_entry(req, info, dc, obj, &st);
	ie_put(info, pie);
	reply_entry(req, info, rc, dc, obj, name, &st);
}

static void
op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	dfuse_io_read(req, req_info(req), (struct dfuse_fh *)(uintptr_t)fi->fh, size, off);
}

static void
op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	 struct fuse_file_info *fi)
{
	(void)ino;
	dfuse_io_write(req, req_info(req), (struct dfuse_fh *)(uintptr_t)fi->fh, buf, size, off);
}

static void
op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	/* Writes are acknowledged once DAOS has them: nothing is held back here. */
	fuse_reply_err(req, 0);
}

static void
op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct dfuse_fh *fh = (struct dfuse_fh *)(uintptr_t)fi->fh;
	struct dfuse_cont *dc = dfuse_ie_cont(fh->ie);

	(void)ino;
	(void)datasync;
	fuse_reply_err(req, dc != NULL ? dfs_sync(dc->dfs) : 0);
}

static void
op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	fh_destroy(req_info(req), (struct dfuse_fh *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* ---- directories ---- */

static void
op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *ie;
	struct dfuse_fh *fh;
	int rc;

	ie = ie_get(req, ino);
	if (ie == NULL)
		return;
	if (!S_ISDIR(ie->mode)) {
		ie_put(info, ie);
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	rc = fh_open(info, ie, fi, &fh);
	if (rc != 0) {
		ie_put(info, ie);
		fuse_reply_err(req, rc);
		return;
	}
	fh->ents = d_calloc(DFUSE_READDIR_BATCH, sizeof(*fh->ents));
	if (fh->ents == NULL) {
		fh_destroy(info, fh);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* Listings are not kept in the page cache: readdir always asks DFS. */
	fi->fh = (uint64_t)(uintptr_t)fh;
	if (fuse_reply_open(req, fi) != 0)
		fh_destroy(info, fh);
}

static void
op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	fh_destroy(req_info(req), (struct dfuse_fh *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* Start the listing of @fh over. */
static void
dir_rewind(struct dfuse_fh *fh)
{
	memset(&fh->anchor, 0, sizeof(fh->anchor));
	fh->nr_ents = 0;
	fh->ent_idx = 0;
	fh->next_off = 0;
	fh->eof = false;
}

/*
 * The name of the entry at fh->next_off into *@name: "." and ".." first, then DFS's
 * entries in anchor order. 0, ENOENT at the end of the listing, or an errno.
 */
static int
dir_peek(struct dfuse_fh *fh, const char **name)
{
	uint32_t nr;
	int rc;

	if (fh->next_off < 2) {
		*name = fh->next_off == 0 ? "." : "..";
		return 0;
	}
	if (fh->vnames != NULL) {
		/* A made-up directory: the names taken at opendir. */
		if (fh->next_off - 2 >= (off_t)fh->nr_ents)
			return ENOENT;
		*name = fh->vnames[fh->next_off - 2];
		return 0;
	}
	while (fh->ent_idx >= fh->nr_ents) {
		if (fh->eof)
			return ENOENT;
		nr = DFUSE_READDIR_BATCH;
		rc = dfs_readdir(dfuse_ie_cont(fh->ie)->dfs, fh->obj, &fh->anchor, &nr, fh->ents);
		if (rc != 0)
			return rc;
		fh->nr_ents = nr;
		fh->ent_idx = 0;
		fh->eof = daos_anchor_is_eof(&fh->anchor);
	}
	*name = fh->ents[fh->ent_idx].d_name;
	return 0;
}

static void
dir_advance(struct dfuse_fh *fh)
{
	if (fh->next_off >= 2)
		fh->ent_idx++;
	fh->next_off++;
}

/* Seek the listing to entry @off (offsets count entries; the kernel hands ours back). */
static int
dir_seek(struct dfuse_fh *fh, off_t off)
{
	const char *name;
	int rc;

	if (off == fh->next_off)
		return 0;
	if (fh->vnames != NULL) {
		fh->next_off = off;
		return 0;
	}
	/* A seekdir() or a re-read: start over and skip, which is stable while the
	 * directory does not change, as DFS anchors are.
	 */
	dir_rewind(fh);
	while (fh->next_off < off) {
		rc = dir_peek(fh, &name);
		if (rc == ENOENT)
			return 0;
		if (rc != 0)
			return rc;
		dir_advance(fh);
	}
	return 0;
}

/* Stable fake inode numbers for "." and ".." and plain readdir (d_ino must not be 0). */
static ino_t
name_ino(const char *name)
{
	uint64_t h = 1469598103934665603ULL;

	while (*name != '\0')
		h = (h ^ (unsigned char)*name++) * 1099511628211ULL;
	return (ino_t)(h | 1);
}

static void
readdir_common(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi, bool plus)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_fh *fh = (struct dfuse_fh *)(uintptr_t)fi->fh;
	struct dfuse_cont *dc = dfuse_ie_cont(fh->ie);
	char *buf;
	size_t used = 0;
	int rc;

	buf = d_malloc(size);
	if (buf == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&fh->lock);
	rc = dir_seek(fh, off);
	while (rc == 0) {
		struct fuse_entry_param e;
		struct dfuse_inode *ie = NULL;
		struct stat st;
		const char *name;
		dfs_obj_t *obj;
		size_t need;
		bool dots;

		rc = dir_peek(fh, &name);
		if (rc != 0)
			break;
		need = plus ? fuse_add_direntry_plus(req, NULL, 0, name, NULL, 0)
			    : fuse_add_direntry(req, NULL, 0, name, NULL, 0);
		if (used + need > size)
			break;
		memset(&e, 0, sizeof(e));
		dots = fh->next_off < 2;
		if (dots) {
			e.attr.st_mode = S_IFDIR;
			e.attr.st_ino = fh->next_off == 0 ? fh->ie->ino : name_ino("..");
		} else if (fh->vnames != NULL) {
			/* Looked up (opened) only when someone asks for it. */
			e.attr.st_mode = S_IFDIR;
			e.attr.st_ino = name_ino(name);
		} else if (plus) {
			rc = dfs_lookup_rel(dc->dfs, fh->obj, name,
					    info->read_only ? O_RDONLY : O_RDWR, &obj, NULL, &st);
			if (rc == ENOENT) {
				/* Removed since it was listed. */
				rc = 0;
				dir_advance(fh);
				continue;
			}
			if (rc == 0 && !entry_point(info, dc, obj, name, &st, &ie)) {
				rc = ie_register(info, dc, obj, name, &ie);
				if (rc == 0)
					ie_remember(ie, &st);
			}
			if (rc != 0)
				break;
			entry_fill(info, ie, &st, &e);
		} else {
			e.attr.st_ino = name_ino(name);
			if (fh->ents[fh->ent_idx].d_type != DT_UNKNOWN)
				e.attr.st_mode = DTTOIF(fh->ents[fh->ent_idx].d_type);
		}
		if (plus)
			used += fuse_add_direntry_plus(req, buf + used, size - used, name, &e,
						       fh->next_off + 1);
		else
			used += fuse_add_direntry(req, buf + used, size - used, name, &e.attr,
						  fh->next_off + 1);
		dir_advance(fh);
	}
	pthread_mutex_unlock(&fh->lock);
	/* The end of the listing, or an error after some entries: return what we have. */
	if (rc == ENOENT || used > 0)
		fuse_reply_buf(req, buf, used);
	else
		fuse_reply_err(req, rc);
	d_free(buf);
}

static void
op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	readdir_common(req, size, off, fi, false);
}

static void
op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	readdir_common(req, size, off, fi, true);
}

static void
op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	op_fsync(req, ino, datasync, fi);
}

static void
op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *pie;
	int rc;

	pie = ie_get(req, parent);
	if (pie == NULL || vdir_refuse(req, info, pie))
		return;
	rc = dfs_remove(dfuse_ie_cont(pie)->dfs, pie->obj, name, false, NULL);
	ie_put(info, pie);
	fuse_reply_err(req, rc);
}

/* ---- the file system ---- */

static void
op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct dfuse_info *info = req_info(req);
	daos_pool_info_t pinfo = { .pi_bits = DPI_SPACE };
	struct dfuse_inode *ie;
	struct dfuse_pool *dp;
	struct statvfs sv;
	int rc;

	ie = ie_get(req, ino);
	if (ie == NULL)
		return;
	dp = ie->kind == DFUSE_IE_DFS    ? dfuse_ie_cont(ie)->dp
	     : ie->kind == DFUSE_IE_POOL ? ie->ns
					 : NULL;
	ie_put(info, ie);
	if (dp == NULL) {
		/* The system's directory holds no space of its own. */
		memset(&sv, 0, sizeof(sv));
		sv.f_bsize = 4096;
		sv.f_frsize = 4096;
		sv.f_namemax = 255;
		fuse_reply_statfs(req, &sv);
		return;
	}
	rc = daos_pool_query(dp->poh, NULL, &pinfo, NULL, NULL);
	if (rc != 0) {
		fuse_reply_err(req, daos_der2errno(rc));
		return;
	}
	dfuse_statvfs_fill(&pinfo, &sv);
	fuse_reply_statfs(req, &sv);
}

/* ---- extended attributes ---- */

/*
 * POSIX ACLs are not supported (DFS has none): refuse their xattrs, or programs such as
 * cp -a would store an ACL as opaque bytes instead of falling back to chmod.
 */
static bool
is_acl_xattr(const char *name)
{
	return strncmp(name, "system.posix_acl_", 17) == 0;
}

/*
 * After user.daos of directory @ie changed (under ie->lock): the dentry naming it, which
 * the kernel may keep, into @parent (a reference; NULL if the kernel has no parent
 * inode) and @name, for uns_changed_inval().
 */
static struct dfuse_inode *
uns_changed(struct dfuse_info *info, struct dfuse_inode *ie, char *name, size_t len)
{
	daos_obj_id_t poid;

	if (!S_ISDIR(ie->mode) || dfs_obj_parent(ie->obj, &poid, name, len) != 0)
		return NULL;
	return dfuse_itable_find(&info->itable, ie->ns, poid);
}

/*
 * Run @fn(@arg) in a detached thread counted in info->nr_evicting (which @fn drops when it
 * ends; unmount waits for them): kernel notifications that take inode locks must not run
 * on a FUSE worker. 0, or the errno of pthread_create (nothing started).
 */
static int
side_thread(struct dfuse_info *info, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t thread;
	int rc;

	atomic_fetch_add(&info->nr_evicting, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		atomic_fetch_sub(&info->nr_evicting, 1);
	return rc;
}

struct inval_job {
	struct dfuse_info *info;
	struct dfuse_inode *parent; /* one reference */
	sem_t done;
	atomic_int ref; /* the thread's and the waiting worker's */
	char name[NAME_MAX + 1];
};

static void
inval_job_put(struct inval_job *job)
{
	if (atomic_fetch_sub(&job->ref, 1) == 1) {
		sem_destroy(&job->done);
		d_free(job);
	}
}

static void *
inval_main(void *arg)
{
	struct inval_job *job = arg;
	struct dfuse_info *info = job->info;

	fuse_lowlevel_notify_inval_entry(info->se, job->parent->ino, job->name, strlen(job->name));
	ie_put(info, job->parent);
	sem_post(&job->done);
	inval_job_put(job);
	atomic_fetch_sub(&info->nr_evicting, 1);
	return NULL;
}

/*
 * The next lookup of @name in @parent follows (or no longer follows) the link; called
 * before the reply, so that the caller's next access sees the change. The kernel takes
 * @parent's lock to drop the dentry, and whoever holds it may wait for this very reply
 * (an rmdir of the directory waits for the setxattr's lock on it) or for a FUSE worker:
 * so it runs in a thread of its own, waited for at most INVAL_WAIT_MS.
 */
#define INVAL_WAIT_MS 100

static void
uns_changed_inval(struct dfuse_info *info, struct dfuse_inode *parent, const char *name)
{
	struct inval_job *job;
	struct timespec ts;
	int rc = ENOMEM;

	if (parent == NULL)
		return;
	job = d_calloc(1, sizeof(*job));
	if (job != NULL && sem_init(&job->done, 0, 0) == 0) {
		job->info = info;
		job->parent = parent;
		atomic_init(&job->ref, 2);
		snprintf(job->name, sizeof(job->name), "%s", name);
		rc = side_thread(info, inval_main, job);
		if (rc != 0)
			sem_destroy(&job->done);
	}
	if (rc != 0) {
		/* The dentry times out instead (at once with --disable-caching). */
		D_WARN("could not invalidate the dentry of %s: %s", name, strerror(rc));
		ie_put(info, parent);
		d_free(job);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += INVAL_WAIT_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	while (sem_timedwait(&job->done, &ts) != 0 && errno == EINTR)
		;
	inval_job_put(job);
}

static void
op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
	    int flags)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *parent = NULL;
	char pname[NAME_MAX + 1];
	struct dfuse_inode *ie;
	int rc;

	if (is_acl_xattr(name)) {
		fuse_reply_err(req, ENOTSUP);
		return;
	}
	ie = ie_get(req, ino);
	if (ie == NULL || vdir_refuse(req, info, ie))
		return;
	pthread_mutex_lock(&ie->lock);
	/* An orphan's name may belong to another file now: its entry (and xattrs) are gone. */
	rc = ie->orphan ? ENOENT
			: dfs_setxattr(dfuse_ie_cont(ie)->dfs, ie->obj, name, value, size, flags);
	/* A directory made a UNS entry point: its dentry must be looked up again. */
	if (rc == 0 && strcmp(name, UNS_XATTR) == 0)
		parent = uns_changed(info, ie, pname, sizeof(pname));
	pthread_mutex_unlock(&ie->lock);
	ie_put(info, ie);
	uns_changed_inval(info, parent, pname);
	fuse_reply_err(req, rc);
}

/* getxattr and listxattr: size 0 asks for the size; else the value or ERANGE. */
static void
reply_xattr_value(fuse_req_t req, struct dfuse_inode *ie, const char *name, size_t size)
{
	struct dfuse_info *info = req_info(req);
	daos_size_t len = size;
	char *buf = NULL;
	int rc;

	if (size > 0) {
		buf = d_malloc(size);
		if (buf == NULL) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	pthread_mutex_lock(&ie->lock);
	if (ie->kind != DFUSE_IE_DFS || ie->orphan) {
		/* A made-up directory has no attributes, nor has an unlinked file any more. */
		rc = name != NULL ? ENODATA : 0;
		len = 0;
	} else if (name != NULL && strcmp(name, UNS_XATTR) == 0 && ie->ino != FUSE_ROOT_ID &&
		   ie == dfuse_ie_cont(ie)->root && info->kind == DFUSE_MOUNT_CONT) {
		/*
		 * In a container mount, the root of another container is reached through a
		 * link: it answers the link's value, so that 'daos container destroy --path'
		 * and others see a link there, as in DAOS. (In a pool or system mount the
		 * roots under dfuse's own directories are no links: destroying one would
		 * then try to remove a directory dfuse made up.)
		 */
		struct dfuse_cont *dc = dfuse_ie_cont(ie);
		char pu[37], cu[37], value[128];

		uuid_unparse_lower(dc->dp->uuid, pu);
		uuid_unparse_lower(dc->uuid, cu);
		snprintf(value, sizeof(value), "DAOS.POSIX://%s/%s", pu, cu);
		rc = 0;
		len = strlen(value);
		if (size > 0 && len <= size)
			memcpy(buf, value, len);
	} else if (name != NULL) {
		rc = dfs_getxattr(dfuse_ie_cont(ie)->dfs, ie->obj, name, buf, &len);
	} else {
		rc = dfs_listxattr(dfuse_ie_cont(ie)->dfs, ie->obj, buf, &len);
	}
	pthread_mutex_unlock(&ie->lock);
	if (rc != 0)
		fuse_reply_err(req, rc);
	else if (size == 0)
		fuse_reply_xattr(req, len);
	else if (len > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, buf, len);
	d_free(buf);
}

static void
op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *ie;

	if (is_acl_xattr(name)) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	ie = ie_get(req, ino);
	if (ie == NULL)
		return;
	/* The reply frees @req: keep what is needed after it. */
	reply_xattr_value(req, ie, name, size);
	ie_put(info, ie);
}

static void
op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *ie = ie_get(req, ino);

	if (ie == NULL)
		return;
	/* The reply frees @req: keep what is needed after it. */
	reply_xattr_value(req, ie, NULL, size);
	ie_put(info, ie);
}

static void
op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_inode *parent = NULL;
	char pname[NAME_MAX + 1];
	struct dfuse_inode *ie;
	int rc;

	ie = ie_get(req, ino);
	if (ie == NULL || vdir_refuse(req, info, ie))
		return;
	pthread_mutex_lock(&ie->lock);
	rc = ie->orphan ? ENODATA : dfs_removexattr(dfuse_ie_cont(ie)->dfs, ie->obj, name);
	if (rc == 0 && strcmp(name, UNS_XATTR) == 0)
		parent = uns_changed(info, ie, pname, sizeof(pname));
	pthread_mutex_unlock(&ie->lock);
	ie_put(info, ie);
	uns_changed_inval(info, parent, pname);
	fuse_reply_err(req, rc);
}

/*
 * DFUSE_IOCTL_EVICT: the kernel drops its pages and attributes of an inode. Not from a
 * FUSE worker (or an EQ thread): dropping dirty pages of the write-back cache makes the
 * kernel write them first and wait for the replies, which those threads serve.
 */
struct evict_job {
	struct dfuse_info *info;
	fuse_req_t req; /* answered once the kernel has dropped what it caches */
	fuse_ino_t ino;
};

static void *
evict_main(void *arg)
{
	struct evict_job *job = arg;
	struct dfuse_info *info = job->info;
	struct dfuse_evict_reply r = { .version = DFUSE_IOCTL_VERSION, .ino = job->ino };
	int rc;

	rc = fuse_lowlevel_notify_inval_inode(info->se, job->ino, 0, 0);
	if (rc != 0 && rc != -ENOENT) {
		D_WARN("could not evict inode %lu from the kernel: %s", (unsigned long)job->ino,
		       strerror(-rc));
		fuse_reply_err(job->req, -rc);
	} else {
		fuse_reply_ioctl(job->req, 0, &r, sizeof(r));
	}
	d_free(job);
	atomic_fetch_sub(&info->nr_evicting, 1);
	return NULL;
}

static int
evict_start(struct dfuse_info *info, fuse_req_t req, fuse_ino_t ino)
{
	struct evict_job *job = d_calloc(1, sizeof(*job));
	int rc;

	if (job == NULL)
		return ENOMEM;
	job->info = info;
	job->req = req;
	job->ino = ino;
	rc = side_thread(info, evict_main, job);
	if (rc != 0)
		d_free(job);
	return rc;
}

/* ---- the interception ioctl (dfuse_ioctl.h) ---- */

static void
op_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg, struct fuse_file_info *fi,
	 unsigned int flags, const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	struct dfuse_info *info = req_info(req);
	struct dfuse_fh *fh = fi != NULL ? (struct dfuse_fh *)(uintptr_t)fi->fh : NULL;
	struct dfuse_cont *dc;

	(void)ino;
	(void)arg;
	(void)in_buf;
	(void)in_bufsz;
	if (flags & FUSE_IOCTL_COMPAT) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if (fh == NULL) {
		fuse_reply_err(req, EBADF);
		return;
	}
	dc = dfuse_ie_cont(fh->ie);
	if (dc == NULL && (cmd == DFUSE_IOCTL_IL || cmd == DFUSE_IOCTL_OBJ)) {
		/* A pool or system mount's own directories are in no container. */
		fuse_reply_err(req, ENOTSUP);
		return;
	}
	if (cmd == DFUSE_IOCTL_IL && out_bufsz >= sizeof(struct dfuse_il_reply)) {
		struct dfuse_il_reply r = { .version = DFUSE_IOCTL_VERSION };

		r.flags = (dc->cache.data_mode != DFUSE_DATA_OFF ? DFUSE_IL_CACHING : 0) |
			  (info->read_only ? DFUSE_IL_READ_ONLY : 0) |
			  (info->multi_user ? DFUSE_IL_MULTI_USER : 0);
		r.oid_hi = fh->ie->oid.hi;
		r.oid_lo = fh->ie->oid.lo;
		memcpy(r.pool_uuid, dc->dp->uuid, sizeof(r.pool_uuid));
		memcpy(r.cont_uuid, dc->uuid, sizeof(r.cont_uuid));
		r.mount_id = info->mount_id;
		fuse_reply_ioctl(req, 0, &r, sizeof(r));
	} else if (cmd == DFUSE_IOCTL_OBJ && out_bufsz >= sizeof(struct dfuse_obj_reply)) {
		struct dfuse_obj_reply *r = d_calloc(1, sizeof(*r));
		d_iov_t iov;
		int rc;

		if (r == NULL) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		r->version = DFUSE_IOCTL_VERSION;
		d_iov_set(&iov, r->glob, sizeof(r->glob));
		/* The handle's name and parent may be stale after a rename; the inode's
		 * object is kept current.
		 */
		pthread_mutex_lock(&fh->ie->lock);
		rc = dfs_obj_local2global(dc->dfs, fh->ie->obj, &iov);
		pthread_mutex_unlock(&fh->ie->lock);
		r->len = (uint32_t)iov.iov_len;
		if (rc != 0)
			fuse_reply_err(req, rc);
		else
			fuse_reply_ioctl(req, 0, r, sizeof(*r));
		d_free(r);
	} else if (cmd == DFUSE_IOCTL_COUNT && out_bufsz >= sizeof(struct dfuse_count_reply)) {
		struct dfuse_count_reply r = { .version = DFUSE_IOCTL_VERSION };

		r.inodes = dfuse_itable_count(&info->itable);
		r.files = (uint64_t)atomic_load(&info->nr_files);
		r.dirs = (uint64_t)atomic_load(&info->nr_dirs);
		dfuse_ns_count(info, &r.pools, &r.containers);
		fuse_reply_ioctl(req, 0, &r, sizeof(r));
	} else if (cmd == DFUSE_IOCTL_EVICT && out_bufsz >= sizeof(struct dfuse_evict_reply)) {
		int rc;

		/* dfuse's own chunks go too; the thread answers once the kernel's are gone. */
		if (atomic_load(&info->chunk_reads))
			dfuse_chunks_drop(fh->ie);
		rc = evict_start(info, req, (fuse_ino_t)fh->ie->ino);
		if (rc != 0)
			fuse_reply_err(req, rc);
	} else if (cmd == DFUSE_IOCTL_MOUNT && out_bufsz >= sizeof(struct dfuse_mount_reply)) {
		struct dfuse_mount_reply *r = d_calloc(1, sizeof(*r));

		if (r == NULL) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		r->version = DFUSE_IOCTL_VERSION;
		r->pid = (int32_t)getpid();
		r->mount_id = info->mount_id;
		snprintf(r->sys_name, sizeof(r->sys_name), "%s",
			 info->opts->sys_name != NULL ? info->opts->sys_name : "");
		snprintf(r->path, sizeof(r->path), "%s", info->mountpoint);
		fuse_reply_ioctl(req, 0, r, sizeof(*r));
		d_free(r);
	} else {
		fuse_reply_err(req, ENOTTY);
	}
}

const struct fuse_lowlevel_ops dfuse_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.access = op_access,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.symlink = op_symlink,
	.link = op_link,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.rename = op_rename,
	.create = op_create,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.fsync = op_fsync,
	.release = op_release,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
	.statfs = op_statfs,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
	.ioctl = op_ioctl,
};
