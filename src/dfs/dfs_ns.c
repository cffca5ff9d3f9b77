/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_ns.c - the namespace: entries, lookup and path walking, open/create, mkdir,
 * remove, rename and exchange, directory listing, attributes and xattrs.
 *
 * An entry is the dkey @name of its parent directory's object. Under it: DFS_INODE (a
 * byte array of DFS_INODE_SIZE bytes, dfs_int.h), DFS_SLINK (a symlink's target, single
 * value), "x:<name>" (xattrs, single values) and, while a rename is being completed,
 * DFS_MOVED. Creation is one conditional update (DAOS_COND_DKEY_INSERT), so of two
 * racing creators exactly one wins; attribute changes rewrite only the inode bytes they
 * change (DAOS_COND_DKEY_UPDATE), so they never resurrect a removed entry.
 *
 * Rename (entry_move) without transactions, atomic for observers:
 *   1. read the source entry (inode, symlink, xattrs);
 *   2. write it at the destination in one update, conditional on the destination's
 *      absence (DKEY_INSERT) or presence (DKEY_UPDATE, replacing it), together with a
 *      DFS_MOVED akey naming the source (parent oid and name);
 *   3. punch the source dkey (COND_PUNCH);
 *   4. punch DFS_MOVED (and akeys the replaced entry had that the source has not).
 * Observers see the destination appear (or change) in one step and the source vanish in
 * one step. A crash between 2 and 3 leaves both names on one object: the DFS_MOVED marker
 * says which name is the stale one, and the next remove or rename that meets the marker
 * finishes the move first (move_finish). docs/design/dfs.md has the full argument.
 */
#define D_LOGFAC DD_FAC(dfs)

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "dfs/dfs_ext.h"
#include "dfs/dfs_int.h"

#define DFS_MAX_SYMLINK_DEPTH 40
#define DFS_LIST_BATCH 64
/* The marker of an unfinished rename: parent oid (hi, lo) then the source's name. */
#define DFS_MOVED_MAX (16 + DFS_MAX_NAME)

/* An entry as read with entry_fetch. */
struct entry_rec {
	struct dfs_entry e;
	char *slink; /* symlinks: the target (d_free) */
	bool moved;  /* a DFS_MOVED marker is present */
	uint8_t marker[DFS_MOVED_MAX];
	size_t marker_len;
	char uns[DFS_UNS_MAX]; /* the user.daos xattr (not NUL-terminated) */
	size_t uns_len;        /* 0: none */
};

static void
entry_rec_fini(struct entry_rec *r)
{
	d_free(r->slink);
	r->slink = NULL;
}

static void
key_set(daos_key_t *key, const char *s)
{
	d_iov_set(key, (void *)s, strlen(s));
}

static void
single_iod(daos_iod_t *iod, const char *akey, size_t akey_len, daos_size_t size)
{
	memset(iod, 0, sizeof(*iod));
	d_iov_set(&iod->iod_name, (void *)akey, akey_len);
	iod->iod_type = DAOS_IOD_SINGLE;
	iod->iod_size = size;
	iod->iod_nr = 1;
}

/*
 * Read entry @name of directory @oh into @r: -DER_NONEXIST if there is none, -DER_PROTO if
 * its inode is malformed. Also the symlink target and the rename marker.
 */
static int
entry_fetch(daos_handle_t oh, const char *name, struct entry_rec *r)
{
	uint8_t ibuf[DFS_INODE_SIZE];
	daos_iod_t iods[3];
	d_sg_list_t sgls[3];
	d_iov_t iovs[3];
	daos_recx_t recx;
	daos_key_t dkey;
	char *slink;
	int rc;

	memset(r, 0, sizeof(*r));
	key_set(&dkey, name);
	dfs_inode_iod(&iods[0], &recx, 0, DFS_INODE_SIZE);
	dfs_sgl_one(&sgls[0], &iovs[0], ibuf, sizeof(ibuf));
	single_iod(&iods[1], DFS_MOVED_AKEY, strlen(DFS_MOVED_AKEY), DAOS_REC_ANY);
	dfs_sgl_one(&sgls[1], &iovs[1], r->marker, sizeof(r->marker));
	/* A UNS entry point's xattr comes in the same round trip (dfs_obj_uns). */
	single_iod(&iods[2], DFS_UNS_AKEY, strlen(DFS_UNS_AKEY), DAOS_REC_ANY);
	dfs_sgl_one(&sgls[2], &iovs[2], r->uns, sizeof(r->uns));
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 3, iods, sgls, NULL,
			    NULL);
	if (rc == -DER_REC2BIG) {
		/* A user.daos too long for an entry point: read without it. */
		dfs_inode_iod(&iods[0], &recx, 0, DFS_INODE_SIZE);
		iods[1].iod_size = DAOS_REC_ANY;
		iods[2].iod_size = 0;
		rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 2, iods, sgls,
				    NULL, NULL);
	} else if (rc == 0 && iods[2].iod_size > 0 && iods[2].iod_size <= sizeof(r->uns)) {
		r->uns_len = iods[2].iod_size;
	}
	if (rc != 0)
		return rc;
	/* A dkey without an inode (xattrs left by a torn remove) is no entry. */
	if (iods[0].iod_size == 0 || sgls[0].sg_nr_out == 0 || iovs[0].iov_len == 0)
		return -DER_NONEXIST;
	rc = dfs_entry_decode(ibuf, iovs[0].iov_len, &r->e);
	if (rc != 0) {
		D_ERROR("malformed inode of entry %s: " DF_RC, name, DP_RC(rc));
		return rc;
	}
	if (iods[1].iod_size != 0 && iods[1].iod_size <= sizeof(r->marker)) {
		r->moved = true;
		r->marker_len = iods[1].iod_size;
	}
	if (!S_ISLNK(r->e.mode))
		return 0;
	slink = d_calloc(1, r->e.slink_len + 1);
	if (slink == NULL)
		return -DER_NOMEM;
	single_iod(&iods[0], DFS_SLINK_AKEY, strlen(DFS_SLINK_AKEY), r->e.slink_len);
	dfs_sgl_one(&sgls[0], &iovs[0], slink, r->e.slink_len);
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 1, iods, sgls, NULL,
			    NULL);
	if (rc == 0 && iods[0].iod_size != r->e.slink_len)
		rc = -DER_PROTO;
	if (rc == 0 && memchr(slink, '\0', r->e.slink_len) != NULL)
		rc = -DER_PROTO;
	if (rc != 0) {
		d_free(slink);
		return rc;
	}
	r->slink = slink;
	return 0;
}

int
dfs_entry_insert(daos_handle_t oh, const char *name, const struct dfs_entry *e, const char *slink)
{
	uint8_t ibuf[DFS_INODE_SIZE];
	daos_iod_t iods[2];
	d_sg_list_t sgls[2];
	d_iov_t iovs[2];
	daos_recx_t recx;
	daos_key_t dkey;
	unsigned int nr = 1;

	dfs_entry_encode(e, ibuf);
	key_set(&dkey, name);
	dfs_inode_iod(&iods[0], &recx, 0, DFS_INODE_SIZE);
	dfs_sgl_one(&sgls[0], &iovs[0], ibuf, sizeof(ibuf));
	if (slink != NULL) {
		single_iod(&iods[1], DFS_SLINK_AKEY, strlen(DFS_SLINK_AKEY), e->slink_len);
		dfs_sgl_one(&sgls[1], &iovs[1], (void *)slink, e->slink_len);
		nr = 2;
	}
	return daos_obj_update(oh, DAOS_TX_NONE, DAOS_COND_DKEY_INSERT, &dkey, nr, iods, sgls,
			       NULL);
}

/* Open the directory object @oid read-write or read-only as @dfs is mounted. */
static int
dir_oh_open(struct dfs *dfs, daos_obj_id_t oid, daos_handle_t *oh)
{
	return daos_obj_open(dfs->coh, oid, dfs->amode == O_RDWR ? DAOS_OO_RW : DAOS_OO_RO, oh,
			     NULL);
}

static struct timespec
now_ts(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

/* ---- objects ---- */

void
dfs_obj_free(struct dfs_obj *obj)
{
	int rc = 0;

	if (obj == NULL)
		return;
	if (S_ISREG(obj->mode))
		rc = daos_array_close(obj->oh, NULL);
	else if (S_ISDIR(obj->mode))
		rc = daos_obj_close(obj->oh, NULL);
	if (rc != 0)
		D_WARN("could not close object " DF_OID ": " DF_RC, DP_OID(obj->oid), DP_RC(rc));
	d_free(obj->uns);
	d_free(obj->path);
	d_free(obj->slink);
	d_free(obj);
}

/* The path of entry @name of a directory at @dir_path. */
static char *
path_join(const char *dir_path, const char *name)
{
	char *p = NULL;

	if (d_asprintf(&p, "%s%s%s", dir_path,
		       dir_path[0] != '\0' && dir_path[strlen(dir_path) - 1] == '/' ? "" : "/",
		       name) < 0)
		return NULL;
	return p;
}

/* Open handle of an entry read as @r, found as @name in @parent_oid at @path. */
static int
obj_make(struct dfs *dfs, daos_obj_id_t parent_oid, const char *name, const char *path,
	 struct entry_rec *r, int flags, struct dfs_obj **out)
{
	struct dfs_obj *obj;
	unsigned int omode;
	int rc = 0;

	obj = d_calloc(1, sizeof(*obj));
	if (obj == NULL)
		return -DER_NOMEM;
	obj->dfs = dfs;
	obj->mode = r->e.mode;
	obj->flags = flags;
	obj->oid = r->e.oid;
	obj->parent_oid = parent_oid;
	snprintf(obj->name, sizeof(obj->name), "%s", name);
	obj->chunk_size = r->e.chunk_size;
	obj->oclass = r->e.oclass;
	obj->path = d_strdup(path);
	if (obj->path == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	omode = ((flags & O_ACCMODE) == O_RDONLY || dfs->amode != O_RDWR) ? DAOS_OO_RO : DAOS_OO_RW;
	if (S_ISDIR(obj->mode)) {
		/* Directory handles also write entries: as the mount allows. */
		rc = dir_oh_open(dfs, obj->oid, &obj->oh);
	} else if (S_ISREG(obj->mode)) {
		rc = daos_array_open_with_attr(dfs->coh, obj->oid, DAOS_TX_NONE, omode, 1,
					       obj->chunk_size, &obj->oh, NULL);
	} else {
		obj->slink = r->slink;
		r->slink = NULL;
	}
	if (rc == 0 && S_ISDIR(obj->mode) && r->uns_len > 0) {
		obj->uns = d_strndup(r->uns, r->uns_len);
		if (obj->uns == NULL) {
			daos_obj_close(obj->oh, NULL);
			rc = -DER_NOMEM;
		}
	}
	if (rc != 0)
		goto out_free;
	*out = obj;
	return 0;

out_free:
	d_free(obj->path);
	d_free(obj->slink);
	d_free(obj);
	return rc;
}

int
dfs_root_open(struct dfs *dfs)
{
	struct entry_rec r;
	int rc;

	rc = entry_fetch(dfs->sb_oh, DFS_ROOT_NAME, &r);
	if (rc != 0) {
		D_ERROR("could not read the root directory's entry: " DF_RC, DP_RC(rc));
		return dfs_err(rc);
	}
	if (!S_ISDIR(r.e.mode) || r.e.oid.lo != dfs->root_oid.lo ||
	    r.e.oid.hi != dfs->root_oid.hi) {
		D_ERROR("root entry does not name the root directory of the container");
		entry_rec_fini(&r);
		return EINVAL;
	}
	rc = obj_make(dfs, dfs->sb_oid, DFS_ROOT_NAME, "/", &r, dfs->amode, &dfs->root);
	entry_rec_fini(&r);
	return dfs_err(rc);
}

/* @parent, or the root when NULL; ENOTDIR if it is no directory. */
static int
dir_of(struct dfs *dfs, struct dfs_obj *parent, struct dfs_obj **out)
{
	if (parent == NULL)
		parent = dfs->root;
	if (!S_ISDIR(parent->mode))
		return ENOTDIR;
	*out = parent;
	return 0;
}

/* The directory object holding @obj's entry, opened (close it with daos_obj_close). */
static int
entry_parent_open(struct dfs_obj *obj, daos_handle_t *oh)
{
	return dir_oh_open(obj->dfs, obj->parent_oid, oh);
}

/* ---- stat ---- */

static ino_t
oid2ino(daos_obj_id_t oid)
{
	return (ino_t)((oid.lo << 32) | (oid.hi & 0xffffffffULL));
}

/* stat of an entry; @oh: the file's array handle (files only; else unused). */
static int
entry_stat(struct dfs *dfs, const struct entry_rec *r, daos_handle_t oh, struct stat *st)
{
	const struct dfs_entry *e = &r->e;
	daos_array_stbuf_t ast = { 0 };
	struct timespec mt = e->mtime;
	int rc;

	memset(st, 0, sizeof(*st));
	if (S_ISREG(e->mode)) {
		rc = daos_array_stat(oh, DAOS_TX_NONE, &ast, NULL);
		if (rc != 0)
			return rc;
		/* Data written after the last explicit mtime change dates the file. */
		if (ast.st_max_epoch > e->hlc && ast.st_max_epoch != 0) {
			struct timespec dt;

			if (d_hlc2timespec(ast.st_max_epoch, &dt) == 0 &&
			    (dt.tv_sec > mt.tv_sec ||
			     (dt.tv_sec == mt.tv_sec && dt.tv_nsec > mt.tv_nsec)))
				mt = dt;
		}
		st->st_size = (off_t)ast.st_size;
		st->st_blksize = (blksize_t)e->chunk_size;
	} else if (S_ISLNK(e->mode)) {
		st->st_size = (off_t)e->slink_len;
		st->st_blksize = (blksize_t)dfs->attr.da_chunk_size;
	} else {
		st->st_blksize = (blksize_t)dfs->attr.da_chunk_size;
	}
	st->st_blocks = (blkcnt_t)((st->st_size + 511) / 512);
	st->st_mode = e->mode;
	st->st_nlink = 1;
	st->st_uid = e->uid;
	st->st_gid = e->gid;
	st->st_ino = oid2ino(e->oid);
	st->st_dev = dfs->dev;
	st->st_mtim = mt;
	st->st_ctim = e->ctime;
	/* atime is not stored: report the later of mtime and ctime. */
	if (e->ctime.tv_sec > mt.tv_sec ||
	    (e->ctime.tv_sec == mt.tv_sec && e->ctime.tv_nsec > mt.tv_nsec))
		st->st_atim = e->ctime;
	else
		st->st_atim = mt;
	return 0;
}

/* stat of an entry read as @r (opening a file's array for its size). */
static int
entry_stat_open(struct dfs *dfs, const struct entry_rec *r, struct stat *st)
{
	daos_handle_t oh = DAOS_HDL_INVAL;
	int rc;

	if (!S_ISREG(r->e.mode))
		return entry_stat(dfs, r, oh, st);
	rc = daos_array_open_with_attr(dfs->coh, r->e.oid, DAOS_TX_NONE, DAOS_OO_RO, 1,
				       r->e.chunk_size, &oh, NULL);
	if (rc != 0)
		return rc;
	rc = entry_stat(dfs, r, oh, st);
	daos_array_close(oh, NULL);
	return rc;
}

/* ---- lookup ---- */

D_EXPORT int
dfs_lookup_rel(dfs_t *dfs, dfs_obj_t *parent, const char *name, int flags, dfs_obj_t **obj,
	       mode_t *mode, struct stat *stbuf)
{
	struct dfs_obj *dir;
	struct entry_rec r;
	char *path;
	int rc;

	if (dfs == NULL || obj == NULL)
		return EINVAL;
	rc = dfs_name_check(name);
	if (rc != 0)
		return rc;
	rc = dir_of(dfs, parent, &dir);
	if (rc != 0)
		return rc;
	rc = entry_fetch(dir->oh, name, &r);
	if (rc != 0)
		return dfs_err(rc);
	path = path_join(dir->path, name);
	if (path == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	rc = obj_make(dfs, dir->oid, name, path, &r, flags & (O_ACCMODE | O_APPEND), obj);
	d_free(path);
	if (rc != 0)
		goto out;
	if (stbuf != NULL) {
		rc = S_ISREG(r.e.mode) ? entry_stat(dfs, &r, (*obj)->oh, stbuf)
				       : entry_stat(dfs, &r, DAOS_HDL_INVAL, stbuf);
		if (rc != 0) {
			dfs_obj_free(*obj);
			*obj = NULL;
			goto out;
		}
	}
	if (mode != NULL)
		*mode = r.e.mode;
out:
	entry_rec_fini(&r);
	return dfs_err(rc);
}

/* A copy of @obj (no network for directories and files). */
static int
obj_copy(struct dfs_obj *obj, int flags, struct dfs_obj **out)
{
	struct entry_rec r = { 0 };

	r.e.mode = obj->mode;
	r.e.oid = obj->oid;
	r.e.chunk_size = obj->chunk_size;
	r.e.oclass = obj->oclass;
	if (obj->slink != NULL) {
		r.slink = d_strdup(obj->slink);
		if (r.slink == NULL)
			return -DER_NOMEM;
	}
	if (obj->uns != NULL) {
		r.uns_len = D_MIN(strlen(obj->uns), sizeof(r.uns));
		memcpy(r.uns, obj->uns, r.uns_len);
	}
	return obj_make(obj->dfs, obj->parent_oid, obj->name, obj->path, &r, flags, out);
}

/*
 * Walk @path from the root: "." and ".." handled, symbolic links followed (the last one
 * only if @follow), at most DFS_MAX_SYMLINK_DEPTH of them. The stack holds the
 * directories walked through, so that ".." goes back along the path taken.
 */
static int
path_walk(struct dfs *dfs, const char *path, int flags, bool follow, struct dfs_obj **out,
	  struct entry_rec *out_rec)
{
	struct dfs_obj **stack;
	size_t depth = 0, max = DFS_MAX_PATH / 2 + 2;
	const char *cursor, *start;
	char *work, *name = NULL;
	size_t len;
	int nlinks = 0;
	int rc = 0;

	stack = d_calloc(max, sizeof(*stack));
	work = d_strdup(path);
	name = d_calloc(1, DFS_MAX_NAME + 1);
	if (stack == NULL || work == NULL || name == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	stack[0] = dfs->root;
	cursor = work;
	while (dfs_path_next(&cursor, &start, &len)) {
		struct dfs_obj *cur = stack[depth];
		struct entry_rec r;
		const char *peek = cursor;
		const char *s2;
		size_t l2;
		bool last = !dfs_path_next(&peek, &s2, &l2);
		char *np;

		if (len > DFS_MAX_NAME) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		memcpy(name, start, len);
		name[len] = '\0';
		if (strcmp(name, ".") == 0)
			goto next;
		if (strcmp(name, "..") == 0) {
			if (depth > 0)
				dfs_obj_free(stack[depth--]);
			goto next;
		}
		if (!S_ISDIR(cur->mode)) {
			rc = -ENOTDIR;
			goto out;
		}
		rc = entry_fetch(cur->oh, name, &r);
		if (rc != 0)
			goto out;
		if (S_ISLNK(r.e.mode) && (!last || follow)) {
			if (++nlinks > DFS_MAX_SYMLINK_DEPTH) {
				entry_rec_fini(&r);
				rc = -ELOOP;
				goto out;
			}
			/* Continue with the target, then what was left of the path. */
			if (d_asprintf(&np, "%s/%s", r.slink, cursor) < 0) {
				entry_rec_fini(&r);
				rc = -DER_NOMEM;
				goto out;
			}
			if (r.slink[0] == '/') {
				while (depth > 0)
					dfs_obj_free(stack[depth--]);
			}
			entry_rec_fini(&r);
			d_free(work);
			work = np;
			cursor = work;
			continue;
		}
		np = path_join(cur->path, name);
		if (np == NULL) {
			entry_rec_fini(&r);
			rc = -DER_NOMEM;
			goto out;
		}
		if (last) {
			rc = obj_make(dfs, cur->oid, name, np, &r, flags, out);
			d_free(np);
			if (rc == 0 && out_rec != NULL)
				*out_rec = r;
			else
				entry_rec_fini(&r);
			goto out;
		}
		if (!S_ISDIR(r.e.mode)) {
			d_free(np);
			entry_rec_fini(&r);
			rc = -ENOTDIR;
			goto out;
		}
		if (depth + 1 >= max) {
			d_free(np);
			entry_rec_fini(&r);
			rc = -ENAMETOOLONG;
			goto out;
		}
		rc = obj_make(dfs, cur->oid, name, np, &r, O_RDONLY, &stack[depth + 1]);
		d_free(np);
		entry_rec_fini(&r);
		if (rc != 0)
			goto out;
		depth++;
next:
		continue;
	}
	/* The path ended on a directory already open: the root or one on the stack. */
	rc = obj_copy(stack[depth], flags, out);
	if (rc == 0 && out_rec != NULL) {
		memset(out_rec, 0, sizeof(*out_rec));
		out_rec->e.mode = stack[depth]->mode;
		out_rec->e.oid = stack[depth]->oid;
	}
out:
	rc = dfs_err(rc);
	while (depth > 0)
		dfs_obj_free(stack[depth--]);
	d_free(stack);
	d_free(work);
	d_free(name);
	return rc;
}

D_EXPORT int
dfs_lookup(dfs_t *dfs, const char *path, int flags, dfs_obj_t **obj, mode_t *mode,
	   struct stat *stbuf)
{
	struct dfs_obj *o = NULL;
	const char *rel;
	int rc;

	if (dfs == NULL || path == NULL || obj == NULL)
		return EINVAL;
	if (strnlen(path, DFS_MAX_PATH) >= DFS_MAX_PATH)
		return ENAMETOOLONG;
	rel = dfs_prefix_strip(path, dfs->prefix, dfs->prefix_len);
	if (rel == NULL || rel[0] != '/')
		return EINVAL;
	rc = path_walk(dfs, rel, flags & (O_ACCMODE | O_APPEND), !(flags & O_NOFOLLOW), &o, NULL);
	if (rc != 0)
		return rc;
	if (stbuf != NULL) {
		rc = dfs_ostat(dfs, o, stbuf);
		if (rc != 0) {
			dfs_obj_free(o);
			return rc;
		}
	}
	if (mode != NULL)
		*mode = o->mode;
	*obj = o;
	return 0;
}

D_EXPORT int
dfs_release(dfs_obj_t *obj)
{
	if (obj == NULL)
		return EINVAL;
	dfs_obj_free(obj);
	return 0;
}

D_EXPORT int
dfs_dup(dfs_t *dfs, dfs_obj_t *obj, int flags, dfs_obj_t **new_obj)
{
	int amode = flags & O_ACCMODE;

	if (dfs == NULL || obj == NULL || new_obj == NULL)
		return EINVAL;
	if (amode != O_RDONLY && amode != O_WRONLY && amode != O_RDWR)
		return EINVAL;
	return dfs_err(obj_copy(obj, flags & (O_ACCMODE | O_APPEND), new_obj));
}

/* ---- create and open ---- */

/* Class and chunk size of a new entry of type @type in @dir. */
static void
new_entry_layout(struct dfs *dfs, struct dfs_obj *dir, mode_t type, daos_oclass_id_t cid,
		 daos_size_t chunk, daos_oclass_id_t *ocid, uint64_t *ochunk)
{
	if (cid == 0)
		cid = dir->oclass;
	if (cid == 0)
		cid = type == S_IFDIR ? dfs->attr.da_dir_oclass_id : dfs->attr.da_file_oclass_id;
	if (cid == 0)
		cid = dfs->attr.da_oclass_id;
	*ocid = cid;
	if (chunk == 0)
		chunk = dir->chunk_size;
	if (chunk == 0)
		chunk = dfs->attr.da_chunk_size;
	*ochunk = chunk;
}

/* Make the entry @name of type @mode in @dir; its record in @r. */
static int
entry_create(struct dfs *dfs, struct dfs_obj *dir, const char *name, mode_t mode,
	     daos_oclass_id_t cid, daos_size_t chunk, const char *value, struct entry_rec *r)
{
	mode_t type = mode & S_IFMT;
	enum daos_otype_t otype;
	daos_oclass_id_t ocid;
	uint64_t ochunk;
	size_t vlen = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (type == S_IFLNK) {
		if (value == NULL)
			return -DER_INVAL;
		vlen = strnlen(value, DFS_MAX_PATH);
		if (vlen == 0 || vlen >= DFS_MAX_PATH)
			return vlen == 0 ? -DER_INVAL : -ENAMETOOLONG;
	}
	new_entry_layout(dfs, dir, type, cid, chunk, &ocid, &ochunk);
	otype = type == S_IFREG ? DAOS_OT_ARRAY_BYTE : DAOS_OT_MULTI_HASHED;
	rc = dfs_oid_alloc(dfs, otype, type == S_IFLNK ? 0 : ocid, &r->e.oid);
	if (rc != 0)
		return rc;
	r->e.mode = type | (mode & 07777);
	r->e.mtime = now_ts();
	r->e.ctime = r->e.mtime;
	r->e.uid = geteuid();
	r->e.gid = getegid();
	if (type == S_IFREG) {
		r->e.chunk_size = ochunk;
		r->e.oclass = daos_obj_id2class(r->e.oid);
	} else if (type == S_IFDIR) {
		/* What the new directory passes on: what it inherited. */
		r->e.chunk_size = dir->chunk_size;
		r->e.oclass = dir->oclass;
	} else {
		r->e.slink_len = vlen;
		r->slink = d_strdup(value);
		if (r->slink == NULL)
			return -DER_NOMEM;
	}
	rc = dfs_entry_insert(dir->oh, name, &r->e, r->slink);
	if (rc != 0)
		entry_rec_fini(r);
	return rc;
}

D_EXPORT int
dfs_open(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode, int flags,
	 daos_oclass_id_t cid, daos_size_t chunk_size, const char *value, dfs_obj_t **obj)
{
	struct dfs_obj *dir, *o = NULL;
	struct entry_rec r;
	mode_t type = mode & S_IFMT;
	int oflags = flags & (O_ACCMODE | O_APPEND);
	int acc = flags & O_ACCMODE;
	char *path;
	int mask;
	int rc;

	if (dfs == NULL || obj == NULL)
		return EINVAL;
	rc = dfs_open_flags_check(dfs->amode, flags, mode);
	if (rc != 0)
		return rc;
	rc = dfs_name_check(name);
	if (rc != 0)
		return rc;
	rc = dir_of(dfs, parent, &dir);
	if (rc != 0)
		return rc;
	if (flags & O_CREAT) {
		rc = entry_create(dfs, dir, name, mode, cid, chunk_size, value, &r);
		if (rc == 0)
			goto make;
		if (rc != -DER_EXIST)
			return dfs_err(rc);
		if ((flags & O_EXCL) || type == S_IFLNK)
			return EEXIST;
	}
	rc = entry_fetch(dir->oh, name, &r);
	if (rc != 0)
		return dfs_err(rc);
	if (type != 0 && (r.e.mode & S_IFMT) != type) {
		rc = S_ISDIR(r.e.mode) ? EISDIR : type == S_IFDIR ? ENOTDIR : EINVAL;
		goto out_rec;
	}
	mask = acc == O_RDONLY ? R_OK : acc == O_WRONLY ? W_OK : R_OK | W_OK;
	if (flags & O_TRUNC)
		mask |= W_OK;
	if (!S_ISLNK(r.e.mode)) {
		rc = dfs_access_check(r.e.mode, r.e.uid, r.e.gid, geteuid(), getegid(), mask);
		if (rc != 0)
			goto out_rec;
	}
	if (S_ISDIR(r.e.mode) && acc != O_RDONLY && type == 0) {
		rc = EISDIR;
		goto out_rec;
	}
make:
	path = path_join(dir->path, name);
	if (path == NULL) {
		rc = ENOMEM;
		goto out_rec;
	}
	rc = obj_make(dfs, dir->oid, name, path, &r, oflags, &o);
	d_free(path);
	if (rc != 0) {
		rc = dfs_err(rc);
		goto out_rec;
	}
	if ((flags & O_TRUNC) && S_ISREG(o->mode)) {
		rc = dfs_err(daos_array_set_size(o->oh, DAOS_TX_NONE, 0, NULL));
		if (rc != 0) {
			dfs_obj_free(o);
			goto out_rec;
		}
	}
	*obj = o;
out_rec:
	entry_rec_fini(&r);
	return rc;
}

D_EXPORT int
dfs_mkdir(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode, daos_oclass_id_t cid)
{
	struct dfs_obj *dir;
	struct entry_rec r;
	int rc;

	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	rc = dfs_name_check(name);
	if (rc != 0)
		return rc;
	rc = dir_of(dfs, parent, &dir);
	if (rc != 0)
		return rc;
	rc = entry_create(dfs, dir, name, S_IFDIR | (mode & 07777), cid, 0, NULL, &r);
	if (rc == 0)
		entry_rec_fini(&r);
	return dfs_err(rc);
}

/* ---- listing ---- */

/*
 * Up to *@nr names of directory @oh from @anchor into @buf (@len bytes), described by
 * @kds. libdaos may return fewer than asked before the end.
 */
static int
list_names(daos_handle_t oh, daos_anchor_t *anchor, uint32_t *nr, daos_key_desc_t *kds, char *buf,
	   size_t len)
{
	d_sg_list_t sgl;
	d_iov_t iov;

	dfs_sgl_one(&sgl, &iov, buf, len);
	return daos_obj_list_dkey(oh, DAOS_TX_NONE, nr, kds, &sgl, anchor, NULL);
}

/* Call @cb for up to *@nr entries of @dir from @anchor; *@nr is set to the count. */
static int
dir_iterate(struct dfs_obj *dir, daos_anchor_t *anchor, uint32_t *nr, size_t size,
	    int (*cb)(const char *name, void *arg), void *arg)
{
	daos_key_desc_t kds[DFS_LIST_BATCH];
	char name[DFS_MAX_NAME + 1];
	uint32_t done = 0;
	size_t len;
	char *buf;
	int rc = 0;

	len = size < DFS_MAX_NAME + 1 ? DFS_MAX_NAME + 1 : size;
	if (len > DFS_LIST_BATCH * (DFS_MAX_NAME + 1))
		len = DFS_LIST_BATCH * (DFS_MAX_NAME + 1);
	buf = d_malloc(len);
	if (buf == NULL)
		return -DER_NOMEM;
	while (done < *nr && !daos_anchor_is_eof(anchor)) {
		uint32_t n = *nr - done;
		uint32_t i;
		char *p = buf;

		if (n > DFS_LIST_BATCH)
			n = DFS_LIST_BATCH;
		rc = list_names(dir->oh, anchor, &n, kds, buf, len);
		if (rc != 0)
			break;
		for (i = 0; i < n; i++) {
			size_t klen = kds[i].kd_key_len;

			if (klen > DFS_MAX_NAME || p + klen > buf + len) {
				rc = -DER_PROTO;
				break;
			}
			memcpy(name, p, klen);
			name[klen] = '\0';
			p += klen;
			rc = cb(name, arg);
			if (rc != 0)
				break;
			done++;
		}
		if (rc != 0)
			break;
	}
	d_free(buf);
	*nr = done;
	return rc;
}

struct readdir_arg {
	struct dfs *dfs;
	struct dfs_obj *dir;
	struct dirent *dirs;
	struct stat *stbufs;
	uint32_t i;
};

static int
readdir_cb(const char *name, void *arg)
{
	struct readdir_arg *a = arg;
	struct dirent *d = &a->dirs[a->i];
	int rc = 0;

	memset(d, 0, sizeof(*d));
	snprintf(d->d_name, sizeof(d->d_name), "%s", name);
	d->d_type = DT_UNKNOWN;
	if (a->stbufs != NULL) {
		struct entry_rec r;

		rc = entry_fetch(a->dir->oh, name, &r);
		if (rc == 0) {
			rc = entry_stat_open(a->dfs, &r, &a->stbufs[a->i]);
			d->d_type = IFTODT(r.e.mode);
			d->d_ino = oid2ino(r.e.oid);
			entry_rec_fini(&r);
		}
	}
	a->i++;
	return rc;
}

static int
readdir_common(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr, struct dirent *dirs,
	       struct stat *stbufs)
{
	struct readdir_arg a = { dfs, obj, dirs, stbufs, 0 };

	if (dfs == NULL || obj == NULL || anchor == NULL || nr == NULL || dirs == NULL)
		return EINVAL;
	if (!S_ISDIR(obj->mode))
		return ENOTDIR;
	if (*nr == 0)
		return 0;
	return dfs_err(dir_iterate(obj, anchor, nr, *nr * (DFS_MAX_NAME + 1), readdir_cb, &a));
}

D_EXPORT int
dfs_readdir(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr, struct dirent *dirs)
{
	return readdir_common(dfs, obj, anchor, nr, dirs, NULL);
}

D_EXPORT int
dfs_readdirplus(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr,
		struct dirent *dirs, struct stat *stbufs)
{
	if (stbufs == NULL)
		return EINVAL;
	return readdir_common(dfs, obj, anchor, nr, dirs, stbufs);
}

struct iterate_arg {
	struct dfs *dfs;
	struct dfs_obj *dir;
	dfs_filler_cb_t op;
	void *arg;
};

static int
iterate_cb(const char *name, void *arg)
{
	struct iterate_arg *a = arg;

	if (a->op == NULL)
		return 0;
	/* The callback's errno is returned as is: mark it so dfs_err leaves it alone. */
	return a->op(a->dfs, a->dir, name, a->arg);
}

D_EXPORT int
dfs_iterate(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr, size_t size,
	    dfs_filler_cb_t op, void *arg)
{
	struct iterate_arg a = { dfs, obj, op, arg };
	int rc;

	if (dfs == NULL || obj == NULL || anchor == NULL || nr == NULL)
		return EINVAL;
	if (!S_ISDIR(obj->mode))
		return ENOTDIR;
	if (size == 0 && *nr != 0)
		return EINVAL;
	rc = dir_iterate(obj, anchor, nr, size, iterate_cb, &a);
	return rc > 0 ? rc : dfs_err(rc);
}

D_EXPORT int
dfs_obj_anchor_split(dfs_obj_t *obj, uint32_t *nr, daos_anchor_t *anchors)
{
	if (obj == NULL || nr == NULL)
		return EINVAL;
	if (!S_ISDIR(obj->mode))
		return ENOTDIR;
	/* One shard per directory (S1): one anchor covers it. */
	*nr = 1;
	if (anchors != NULL)
		memset(&anchors[0], 0, sizeof(anchors[0]));
	return 0;
}

D_EXPORT int
dfs_obj_anchor_set(dfs_obj_t *obj, uint32_t index, daos_anchor_t *anchor)
{
	if (obj == NULL || anchor == NULL || index != 0)
		return EINVAL;
	if (!S_ISDIR(obj->mode))
		return ENOTDIR;
	memset(anchor, 0, sizeof(*anchor));
	return 0;
}

/* ---- remove ---- */

/* Whether directory object @oh has no entry. */
static int
dir_is_empty(daos_handle_t oh, bool *empty)
{
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_desc_t kd;
	char buf[DFS_MAX_NAME + 1];
	uint32_t n = 1;
	int rc;

	rc = list_names(oh, &anchor, &n, &kd, buf, sizeof(buf));
	if (rc != 0)
		return rc;
	*empty = n == 0;
	return 0;
}

/* Finish a rename that left @r's DFS_MOVED marker on entry @name of @dir_oh. */
static int move_finish(struct dfs *dfs, daos_handle_t dir_oh, const char *name,
		       const struct entry_rec *r);

static int entry_remove(struct dfs *dfs, daos_handle_t dir_oh, const char *name, bool force,
			bool keep_file, daos_obj_id_t *oid, mode_t *mode);

struct rm_arg {
	struct dfs *dfs;
	daos_handle_t oh;
};

static int
rm_child_cb(const char *name, void *arg)
{
	struct rm_arg *a = arg;
	int rc;

	rc = entry_remove(a->dfs, a->oh, name, true, false, NULL, NULL);
	return rc == -DER_NONEXIST ? 0 : rc;
}

/* Remove everything in directory @oh (children first, depth first). */
static int
dir_empty_out(struct dfs *dfs, daos_handle_t oh)
{
	struct dfs_obj dir = { 0 };
	struct rm_arg a = { dfs, oh };
	int rc;

	dir.oh = oh;
	dir.mode = S_IFDIR;
	for (;;) {
		daos_anchor_t anchor = DAOS_ANCHOR_INIT;
		uint32_t nr = DFS_LIST_BATCH;

		/* Names are listed, then removed: start again until nothing is left. */
		rc = dir_iterate(&dir, &anchor, &nr, DFS_LIST_BATCH * (DFS_MAX_NAME + 1),
				 rm_child_cb, &a);
		if (rc != 0 || nr == 0)
			return rc;
	}
}

/* Punch object @oid (its data or entries): the space goes back to the pool. */
static int
obj_punch_oid(struct dfs *dfs, daos_obj_id_t oid)
{
	daos_handle_t oh;
	int rc;

	rc = daos_obj_open(dfs->coh, oid, DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return rc;
	rc = daos_obj_punch(oh, DAOS_TX_NONE, 0, NULL);
	daos_obj_close(oh, NULL);
	return rc;
}

/*
 * Remove entry @name of directory @dir_oh. The entry goes first (one conditional punch,
 * so a racing remover gets ENOENT), then the object: a crash in between leaks the object,
 * never leaves a name without one. @keep_file leaves a regular file's object to the
 * caller. The removed entry's object id and type go to @oid and @mode (either may be NULL).
 */
static int
entry_remove(struct dfs *dfs, daos_handle_t dir_oh, const char *name, bool force, bool keep_file,
	     daos_obj_id_t *oid, mode_t *mode)
{
	struct entry_rec r;
	daos_key_t dkey;
	daos_handle_t oh;
	bool empty;
	int rc;

	rc = entry_fetch(dir_oh, name, &r);
	if (rc != 0)
		return rc;
	if (r.moved) {
		rc = move_finish(dfs, dir_oh, name, &r);
		if (rc != 0)
			goto out;
	}
	if (S_ISDIR(r.e.mode)) {
		rc = dir_oh_open(dfs, r.e.oid, &oh);
		if (rc != 0)
			goto out;
		rc = dir_is_empty(oh, &empty);
		if (rc == 0 && !empty) {
			if (force)
				rc = dir_empty_out(dfs, oh);
			else
				rc = -ENOTEMPTY;
		}
		daos_obj_close(oh, NULL);
		if (rc != 0)
			goto out;
	}
	key_set(&dkey, name);
	rc = daos_obj_punch_dkeys(dir_oh, DAOS_TX_NONE, DAOS_COND_PUNCH, 1, &dkey, NULL);
	if (rc != 0)
		goto out;
	if (!S_ISLNK(r.e.mode) && !(keep_file && S_ISREG(r.e.mode))) {
		int prc = obj_punch_oid(dfs, r.e.oid);

		if (prc != 0)
			D_WARN("could not punch object " DF_OID " of removed %s: " DF_RC,
			       DP_OID(r.e.oid), name, DP_RC(prc));
	}
	if (oid != NULL)
		*oid = r.e.oid;
	if (mode != NULL)
		*mode = r.e.mode;
out:
	entry_rec_fini(&r);
	return rc;
}

/* dfs_remove and dfs_remove_keep. */
static int
remove_common(dfs_t *dfs, dfs_obj_t *parent, const char *name, bool force, bool keep_file,
	      daos_obj_id_t *oid, mode_t *mode)
{
	struct dfs_obj *dir;
	int rc;

	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	rc = dfs_name_check(name);
	if (rc != 0)
		return rc;
	rc = dir_of(dfs, parent, &dir);
	if (rc != 0)
		return rc;
	return dfs_err(entry_remove(dfs, dir->oh, name, force, keep_file, oid, mode));
}

D_EXPORT int
dfs_remove(dfs_t *dfs, dfs_obj_t *parent, const char *name, bool force, daos_obj_id_t *oid)
{
	return remove_common(dfs, parent, name, force, false, oid, NULL);
}

D_EXPORT int
dfs_remove_keep(dfs_t *dfs, dfs_obj_t *parent, const char *name, daos_obj_id_t *oid, mode_t *mode)
{
	if (oid == NULL || mode == NULL)
		return EINVAL;
	return remove_common(dfs, parent, name, false, true, oid, mode);
}

D_EXPORT int
dfs_punch_oid(dfs_t *dfs, daos_obj_id_t oid)
{
	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	return dfs_err(obj_punch_oid(dfs, oid));
}

/* ---- rename and exchange ---- */

/* Every akey of an entry other than its inode, with its value: symlink, xattrs. */
struct akey_val {
	char *akey;
	size_t akey_len;
	void *val;
	size_t len;
};

struct entry_full {
	uint8_t inode[DFS_INODE_SIZE];
	struct akey_val *akeys;
	uint32_t nr;
};

static void
entry_full_fini(struct entry_full *f)
{
	uint32_t i;

	for (i = 0; i < f->nr; i++) {
		d_free(f->akeys[i].akey);
		d_free(f->akeys[i].val);
	}
	d_free(f->akeys);
	f->akeys = NULL;
	f->nr = 0;
}

/* Fetch one single value @akey of entry @name: a new buffer in *@val, its size in *@len. */
static int
sv_fetch(daos_handle_t oh, const char *name, const char *akey, size_t akey_len, void **val,
	 size_t *len)
{
	daos_iod_t iod;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;
	void *buf;
	int rc;

	key_set(&dkey, name);
	single_iod(&iod, akey, akey_len, DAOS_REC_ANY);
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 1, &iod, NULL, NULL,
			    NULL);
	if (rc != 0)
		return rc;
	buf = d_malloc(iod.iod_size == 0 ? 1 : iod.iod_size);
	if (buf == NULL)
		return -DER_NOMEM;
	dfs_sgl_one(&sgl, &iov, buf, iod.iod_size);
	iod.iod_size = DAOS_REC_ANY;
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 1, &iod, &sgl, NULL,
			    NULL);
	if (rc != 0) {
		d_free(buf);
		return rc;
	}
	*val = buf;
	*len = iod.iod_size;
	return 0;
}

/* Read the whole entry @name of @oh (inode bytes as stored, and every other akey). */
static int
entry_full_read(daos_handle_t oh, const char *name, struct entry_full *f)
{
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_desc_t kds[16];
	char buf[16 * (DFS_MAX_XATTR_NAME + DFS_XATTR_PREFIX_LEN + 1)];
	daos_iod_t iod;
	daos_recx_t recx;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;
	int rc;

	memset(f, 0, sizeof(*f));
	key_set(&dkey, name);
	dfs_inode_iod(&iod, &recx, 0, DFS_INODE_SIZE);
	dfs_sgl_one(&sgl, &iov, f->inode, sizeof(f->inode));
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 1, &iod, &sgl, NULL,
			    NULL);
	if (rc != 0)
		return rc;
	while (!daos_anchor_is_eof(&anchor)) {
		uint32_t n = 16, i;
		char *p = buf;

		dfs_sgl_one(&sgl, &iov, buf, sizeof(buf));
		rc = daos_obj_list_akey(oh, DAOS_TX_NONE, &dkey, &n, kds, &sgl, &anchor, NULL);
		if (rc != 0)
			goto out_fini;
		for (i = 0; i < n; i++) {
			struct akey_val *a, *na;
			size_t klen = kds[i].kd_key_len;

			if (p + klen > buf + sizeof(buf)) {
				rc = -DER_PROTO;
				goto out_fini;
			}
			if ((klen == strlen(DFS_INODE_AKEY) &&
			     memcmp(p, DFS_INODE_AKEY, klen) == 0) ||
			    (klen == strlen(DFS_MOVED_AKEY) &&
			     memcmp(p, DFS_MOVED_AKEY, klen) == 0)) {
				p += klen;
				continue;
			}
			na = d_realloc(f->akeys, (f->nr + 1) * sizeof(*na));
			if (na == NULL) {
				rc = -DER_NOMEM;
				goto out_fini;
			}
			f->akeys = na;
			a = &f->akeys[f->nr];
			memset(a, 0, sizeof(*a));
			a->akey = d_malloc(klen);
			if (a->akey == NULL) {
				rc = -DER_NOMEM;
				goto out_fini;
			}
			memcpy(a->akey, p, klen);
			a->akey_len = klen;
			f->nr++;
			p += klen;
			rc = sv_fetch(oh, name, a->akey, klen, &a->val, &a->len);
			if (rc != 0)
				goto out_fini;
		}
	}
	return 0;

out_fini:
	entry_full_fini(f);
	return rc;
}

/*
 * Write @f as entry @name of @oh in one update with @cond (DKEY_INSERT or DKEY_UPDATE),
 * the inode's ctime set to @ctime, plus the DFS_MOVED @marker if not NULL.
 */
static int
entry_full_write(daos_handle_t oh, const char *name, struct entry_full *f, uint64_t cond,
		 const struct timespec *ctime, const void *marker, size_t marker_len)
{
	daos_iod_t *iods;
	d_sg_list_t *sgls;
	d_iov_t *iovs;
	daos_recx_t recx;
	daos_key_t dkey;
	uint32_t nr = 0, i;
	int rc;

	iods = d_calloc(f->nr + 2, sizeof(*iods));
	sgls = d_calloc(f->nr + 2, sizeof(*sgls));
	iovs = d_calloc(f->nr + 2, sizeof(*iovs));
	if (iods == NULL || sgls == NULL || iovs == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	if (ctime != NULL) {
		dfs_put_u64(f->inode + DFS_OFF_CTIME, (uint64_t)ctime->tv_sec);
		dfs_put_u64(f->inode + DFS_OFF_CTIME_NS, (uint64_t)ctime->tv_nsec);
	}
	dfs_inode_iod(&iods[nr], &recx, 0, DFS_INODE_SIZE);
	dfs_sgl_one(&sgls[nr], &iovs[nr], f->inode, sizeof(f->inode));
	nr++;
	for (i = 0; i < f->nr; i++) {
		if (f->akeys[i].len == 0)
			continue;
		single_iod(&iods[nr], f->akeys[i].akey, f->akeys[i].akey_len, f->akeys[i].len);
		dfs_sgl_one(&sgls[nr], &iovs[nr], f->akeys[i].val, f->akeys[i].len);
		nr++;
	}
	if (marker != NULL) {
		single_iod(&iods[nr], DFS_MOVED_AKEY, strlen(DFS_MOVED_AKEY), marker_len);
		dfs_sgl_one(&sgls[nr], &iovs[nr], (void *)marker, marker_len);
		nr++;
	}
	key_set(&dkey, name);
	rc = daos_obj_update(oh, DAOS_TX_NONE, cond, &dkey, nr, iods, sgls, NULL);
out:
	d_free(iods);
	d_free(sgls);
	d_free(iovs);
	return rc;
}

/* Punch the akeys of @old that @new has not (left over after replacing an entry). */
static int
entry_punch_stale(daos_handle_t oh, const char *name, const struct entry_full *old,
		  const struct entry_full *nw)
{
	daos_key_t dkey, *akeys;
	uint32_t i, j, nr = 0;
	int rc = 0;

	if (old->nr == 0)
		return 0;
	akeys = d_calloc(old->nr, sizeof(*akeys));
	if (akeys == NULL)
		return -DER_NOMEM;
	for (i = 0; i < old->nr; i++) {
		bool kept = false;

		for (j = 0; j < nw->nr && !kept; j++)
			kept = old->akeys[i].akey_len == nw->akeys[j].akey_len &&
			       memcmp(old->akeys[i].akey, nw->akeys[j].akey,
				      old->akeys[i].akey_len) == 0;
		if (!kept)
			d_iov_set(&akeys[nr++], old->akeys[i].akey, old->akeys[i].akey_len);
	}
	key_set(&dkey, name);
	if (nr > 0)
		rc = daos_obj_punch_akeys(oh, DAOS_TX_NONE, 0, &dkey, nr, akeys, NULL);
	d_free(akeys);
	return rc;
}

static int
marker_clear(daos_handle_t oh, const char *name)
{
	daos_key_t dkey, akey;

	key_set(&dkey, name);
	key_set(&akey, DFS_MOVED_AKEY);
	return daos_obj_punch_akeys(oh, DAOS_TX_NONE, 0, &dkey, 1, &akey, NULL);
}

static int
move_finish(struct dfs *dfs, daos_handle_t dir_oh, const char *name, const struct entry_rec *r)
{
	daos_obj_id_t src_parent;
	char src_name[DFS_MAX_NAME + 1];
	struct entry_rec sr;
	daos_handle_t soh;
	daos_key_t dkey;
	size_t nlen;
	int rc;

	if (r->marker_len <= 16 || r->marker_len > DFS_MOVED_MAX)
		return marker_clear(dir_oh, name);
	src_parent.hi = dfs_get_u64(r->marker);
	src_parent.lo = dfs_get_u64(r->marker + 8);
	nlen = r->marker_len - 16;
	memcpy(src_name, r->marker + 16, nlen);
	src_name[nlen] = '\0';
	rc = dir_oh_open(dfs, src_parent, &soh);
	if (rc != 0)
		return rc;
	/* The source name still naming our object is the stale half of the rename. */
	rc = entry_fetch(soh, src_name, &sr);
	if (rc == 0) {
		if (sr.e.oid.lo == r->e.oid.lo && sr.e.oid.hi == r->e.oid.hi &&
		    (sr.e.mode & S_IFMT) == (r->e.mode & S_IFMT) && !S_ISLNK(sr.e.mode)) {
			key_set(&dkey, src_name);
			rc = daos_obj_punch_dkeys(soh, DAOS_TX_NONE, DAOS_COND_PUNCH, 1, &dkey,
						  NULL);
			if (rc == -DER_NONEXIST)
				rc = 0;
		}
		entry_rec_fini(&sr);
	} else if (rc == -DER_NONEXIST) {
		rc = 0;
	}
	daos_obj_close(soh, NULL);
	if (rc == 0)
		rc = marker_clear(dir_oh, name);
	D_DEBUG(DB_ANY, "finished an interrupted rename of %s to %s: " DF_RC, src_name, name,
		DP_RC(rc));
	return rc;
}

/* -EINVAL if directory @oid is @new_parent or one of its ancestors (by its path). */
static int
move_loop_check(struct dfs *dfs, struct dfs_obj *new_parent, daos_obj_id_t oid)
{
	const char *cursor, *start;
	struct dfs_obj *cur;
	struct entry_rec r;
	daos_handle_t oh;
	char name[DFS_MAX_NAME + 1];
	size_t len;
	bool opened = false;
	int rc = 0;

	if (new_parent->oid.lo == oid.lo && new_parent->oid.hi == oid.hi)
		return -EINVAL;
	/* Walk the parent's path again: an ancestor being @oid would make a loop. */
	cur = dfs->root;
	oh = cur->oh;
	cursor = new_parent->path;
	while (dfs_path_next(&cursor, &start, &len)) {
		if (len > DFS_MAX_NAME)
			break;
		memcpy(name, start, len);
		name[len] = '\0';
		rc = entry_fetch(oh, name, &r);
		if (opened)
			daos_obj_close(oh, NULL);
		opened = false;
		if (rc != 0) {
			/* The path changed since the parent was opened: nothing to check. */
			rc = 0;
			break;
		}
		if (r.e.oid.lo == oid.lo && r.e.oid.hi == oid.hi) {
			entry_rec_fini(&r);
			return -EINVAL;
		}
		if (!S_ISDIR(r.e.mode)) {
			entry_rec_fini(&r);
			break;
		}
		rc = dir_oh_open(dfs, r.e.oid, &oh);
		entry_rec_fini(&r);
		if (rc != 0)
			return rc;
		opened = true;
	}
	if (opened)
		daos_obj_close(oh, NULL);
	return rc;
}

static bool
oid_eq(daos_obj_id_t a, daos_obj_id_t b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

/* dfs_move; @keep_file leaves a replaced regular file's object to the caller. */
static int
move_entry(dfs_t *dfs, dfs_obj_t *parent, const char *name, dfs_obj_t *new_parent,
	   const char *new_name, bool keep_file, daos_obj_id_t *oid)
{
	struct dfs_obj *sdir, *ddir;
	struct entry_rec sr, dr;
	struct entry_full sf, df = { 0 };
	uint8_t marker[DFS_MOVED_MAX];
	size_t marker_len;
	struct timespec now;
	daos_key_t dkey;
	bool replaced = false, empty;
	daos_handle_t oh;
	int tries;
	int rc;

	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	rc = dfs_name_check(name);
	if (rc == 0)
		rc = dfs_name_check(new_name);
	if (rc == 0)
		rc = dir_of(dfs, parent, &sdir);
	if (rc == 0)
		rc = dir_of(dfs, new_parent, &ddir);
	if (rc != 0)
		return rc;
	if (oid != NULL)
		memset(oid, 0, sizeof(*oid));

	rc = entry_fetch(sdir->oh, name, &sr);
	if (rc != 0)
		return dfs_err(rc);
	if (sr.moved) {
		rc = move_finish(dfs, sdir->oh, name, &sr);
		if (rc != 0)
			goto out_sr;
	}
	if (oid_eq(sdir->oid, ddir->oid) && strcmp(name, new_name) == 0)
		goto out_sr;
	if (S_ISDIR(sr.e.mode)) {
		rc = move_loop_check(dfs, ddir, sr.e.oid);
		if (rc != 0)
			goto out_sr;
	}
	rc = entry_full_read(sdir->oh, name, &sf);
	if (rc != 0)
		goto out_sr;
	marker_len = 16 + strlen(name);
	dfs_put_u64(marker, sdir->oid.hi);
	dfs_put_u64(marker + 8, sdir->oid.lo);
	memcpy(marker + 16, name, strlen(name));
	now = now_ts();

	/* Write the destination; a racing create or remove there makes us look again. */
	for (tries = 0; tries < 8; tries++) {
		rc = entry_fetch(ddir->oh, new_name, &dr);
		if (rc == -DER_NONEXIST) {
			rc = entry_full_write(ddir->oh, new_name, &sf, DAOS_COND_DKEY_INSERT, &now,
					      marker, marker_len);
			if (rc == -DER_EXIST)
				continue;
			replaced = false;
			break;
		}
		if (rc != 0)
			goto out_sf;
		if (oid_eq(dr.e.oid, sr.e.oid) && !S_ISLNK(dr.e.mode)) {
			/* Both names are the same object: rename(2) does nothing. */
			entry_rec_fini(&dr);
			goto out_sf;
		}
		if (S_ISDIR(sr.e.mode) && !S_ISDIR(dr.e.mode))
			rc = -DER_NOTDIR;
		else if (!S_ISDIR(sr.e.mode) && S_ISDIR(dr.e.mode))
			rc = -EISDIR;
		if (rc == 0 && S_ISDIR(dr.e.mode)) {
			rc = dir_oh_open(dfs, dr.e.oid, &oh);
			if (rc == 0) {
				rc = dir_is_empty(oh, &empty);
				daos_obj_close(oh, NULL);
				if (rc == 0 && !empty)
					rc = -ENOTEMPTY;
			}
		}
		if (rc == 0 && dr.moved)
			rc = move_finish(dfs, ddir->oh, new_name, &dr);
		if (rc == 0) {
			entry_full_fini(&df);
			rc = entry_full_read(ddir->oh, new_name, &df);
		}
		if (rc == 0)
			rc = entry_full_write(ddir->oh, new_name, &sf, DAOS_COND_DKEY_UPDATE, &now,
					      marker, marker_len);
		if (rc == -DER_NONEXIST) {
			entry_rec_fini(&dr);
			continue;
		}
		if (rc != 0) {
			entry_rec_fini(&dr);
			goto out_sf;
		}
		replaced = true;
		break;
	}
	if (rc != 0)
		goto out_dr;

	/* The destination holds the entry: now the source name goes. */
	key_set(&dkey, name);
	rc = daos_obj_punch_dkeys(sdir->oh, DAOS_TX_NONE, DAOS_COND_PUNCH, 1, &dkey, NULL);
	if (rc == -DER_NONEXIST) {
		/* Removed or renamed by someone else meanwhile: undo an insert of ours. */
		if (!replaced) {
			key_set(&dkey, new_name);
			daos_obj_punch_dkeys(ddir->oh, DAOS_TX_NONE, DAOS_COND_PUNCH, 1, &dkey,
					     NULL);
		}
		goto out_dr;
	}
	if (rc != 0)
		goto out_dr;
	if (replaced) {
		rc = entry_punch_stale(ddir->oh, new_name, &df, &sf);
		if (rc != 0)
			D_WARN("could not clean up the replaced entry %s: " DF_RC, new_name,
			       DP_RC(rc));
	}
	rc = marker_clear(ddir->oh, new_name);
	if (rc != 0)
		D_WARN("could not clear the rename marker of %s: " DF_RC, new_name, DP_RC(rc));
	rc = 0;
	if (replaced) {
		if (!S_ISLNK(dr.e.mode) && !(keep_file && S_ISREG(dr.e.mode))) {
			int prc = obj_punch_oid(dfs, dr.e.oid);

			if (prc != 0)
				D_WARN("could not punch replaced object " DF_OID ": " DF_RC,
				       DP_OID(dr.e.oid), DP_RC(prc));
		}
		/* Keeping: only the object left to the caller. */
		if (oid != NULL && (!keep_file || S_ISREG(dr.e.mode)))
			*oid = dr.e.oid;
	}
out_dr:
	if (replaced)
		entry_rec_fini(&dr);
out_sf:
	entry_full_fini(&sf);
	entry_full_fini(&df);
out_sr:
	entry_rec_fini(&sr);
	return dfs_err(rc);
}

D_EXPORT int
dfs_move(dfs_t *dfs, dfs_obj_t *parent, const char *name, dfs_obj_t *new_parent,
	 const char *new_name, daos_obj_id_t *oid)
{
	return move_entry(dfs, parent, name, new_parent, new_name, false, oid);
}

D_EXPORT int
dfs_move_keep(dfs_t *dfs, dfs_obj_t *parent, const char *name, dfs_obj_t *new_parent,
	      const char *new_name, daos_obj_id_t *oid)
{
	if (oid == NULL)
		return EINVAL;
	return move_entry(dfs, parent, name, new_parent, new_name, true, oid);
}

D_EXPORT int
dfs_exchange(dfs_t *dfs, dfs_obj_t *parent1, const char *name1, dfs_obj_t *parent2,
	     const char *name2)
{
	struct dfs_obj *d1, *d2;
	struct entry_full f1, f2;
	struct timespec now;
	int rc;

	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	rc = dfs_name_check(name1);
	if (rc == 0)
		rc = dfs_name_check(name2);
	if (rc == 0)
		rc = dir_of(dfs, parent1, &d1);
	if (rc == 0)
		rc = dir_of(dfs, parent2, &d2);
	if (rc != 0)
		return rc;
	if (oid_eq(d1->oid, d2->oid) && strcmp(name1, name2) == 0)
		return 0;
	rc = entry_full_read(d1->oh, name1, &f1);
	if (rc != 0)
		return dfs_err(rc);
	rc = entry_full_read(d2->oh, name2, &f2);
	if (rc != 0)
		goto out_f1;
	/*
	 * Two updates, each conditional on its entry still existing. Between them both
	 * names hold the second entry (docs/design/dfs.md: exchange is not crash-atomic).
	 */
	now = now_ts();
	rc = entry_full_write(d1->oh, name1, &f2, DAOS_COND_DKEY_UPDATE, &now, NULL, 0);
	if (rc == 0)
		rc = entry_full_write(d2->oh, name2, &f1, DAOS_COND_DKEY_UPDATE, &now, NULL, 0);
	if (rc == 0)
		rc = entry_punch_stale(d1->oh, name1, &f1, &f2);
	if (rc == 0)
		rc = entry_punch_stale(d2->oh, name2, &f2, &f1);
	entry_full_fini(&f2);
out_f1:
	entry_full_fini(&f1);
	return dfs_err(rc);
}

/* ---- attributes ---- */

D_EXPORT int
dfs_get_mode(dfs_obj_t *obj, mode_t *mode)
{
	if (obj == NULL || mode == NULL)
		return EINVAL;
	*mode = obj->mode;
	return 0;
}

D_EXPORT int
dfs_obj2id(dfs_obj_t *obj, daos_obj_id_t *oid)
{
	if (obj == NULL || oid == NULL)
		return EINVAL;
	*oid = obj->oid;
	return 0;
}

D_EXPORT int
dfs_get_file_oh(dfs_obj_t *obj, daos_handle_t *oh)
{
	if (obj == NULL || oh == NULL)
		return EINVAL;
	if (!S_ISREG(obj->mode))
		return EINVAL;
	*oh = obj->oh;
	return 0;
}

D_EXPORT int
dfs_get_chunk_size(dfs_obj_t *obj, daos_size_t *chunk_size)
{
	if (obj == NULL || chunk_size == NULL)
		return EINVAL;
	if (!S_ISREG(obj->mode))
		return EINVAL;
	*chunk_size = obj->chunk_size;
	return 0;
}

D_EXPORT int
dfs_get_symlink_value(dfs_obj_t *obj, char *buf, daos_size_t *size)
{
	daos_size_t len;

	if (obj == NULL || size == NULL)
		return EINVAL;
	if (!S_ISLNK(obj->mode) || obj->slink == NULL)
		return EINVAL;
	len = strlen(obj->slink) + 1;
	if (buf != NULL && *size > 0) {
		size_t n = *size < len ? *size : len;

		memcpy(buf, obj->slink, n);
		buf[n - 1] = '\0';
	}
	*size = len;
	return 0;
}

D_EXPORT int
dfs_update_parent(dfs_obj_t *obj, dfs_obj_t *src_obj, const char *name)
{
	if (obj == NULL || src_obj == NULL)
		return EINVAL;
	if (name != NULL) {
		int rc = dfs_name_check(name);

		if (rc != 0)
			return rc;
		snprintf(obj->name, sizeof(obj->name), "%s", name);
	}
	obj->parent_oid = src_obj->parent_oid;
	return 0;
}

D_EXPORT int
dfs_obj_get_info(dfs_t *dfs, dfs_obj_t *obj, dfs_obj_info_t *info)
{
	if (dfs == NULL || obj == NULL || info == NULL)
		return EINVAL;
	memset(info, 0, sizeof(*info));
	info->doi_oid = obj->oid;
	if (S_ISREG(obj->mode)) {
		info->doi_oclass_id = daos_obj_id2class(obj->oid);
		info->doi_chunk_size = obj->chunk_size;
	} else if (S_ISDIR(obj->mode)) {
		info->doi_oclass_id = obj->oclass != 0 ? obj->oclass : dfs->attr.da_oclass_id;
		info->doi_chunk_size =
			obj->chunk_size != 0 ? obj->chunk_size : dfs->attr.da_chunk_size;
		info->doi_dir_oclass_id =
			obj->oclass != 0 ? obj->oclass : dfs->attr.da_dir_oclass_id;
		info->doi_file_oclass_id =
			obj->oclass != 0 ? obj->oclass : dfs->attr.da_file_oclass_id;
	}
	return 0;
}

/* One inode field to rewrite: @len bytes at offset @off. */
struct field {
	uint32_t off;
	uint32_t len;
	uint8_t val[8];
};

/* Rewrite @nr fields of @obj's entry (and its ctime) in one conditional update. */
static int
entry_fields_set(struct dfs_obj *obj, struct field *f, uint32_t nr)
{
	struct field all[12];
	daos_recx_t recxs[12];
	d_iov_t iovs[12];
	struct timespec now = now_ts();
	daos_iod_t iod;
	d_sg_list_t sgl;
	daos_key_t dkey;
	daos_handle_t oh;
	uint32_t i;
	int rc;

	D_ASSERT(nr + 2 <= 12);
	memcpy(all, f, nr * sizeof(*f));
	all[nr].off = DFS_OFF_CTIME;
	all[nr].len = 8;
	dfs_put_u64(all[nr].val, (uint64_t)now.tv_sec);
	all[nr + 1].off = DFS_OFF_CTIME_NS;
	all[nr + 1].len = 8;
	dfs_put_u64(all[nr + 1].val, (uint64_t)now.tv_nsec);
	nr += 2;
	for (i = 0; i < nr; i++) {
		recxs[i].rx_idx = all[i].off;
		recxs[i].rx_nr = all[i].len;
		d_iov_set(&iovs[i], all[i].val, all[i].len);
	}
	memset(&iod, 0, sizeof(iod));
	key_set(&iod.iod_name, DFS_INODE_AKEY);
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = 1;
	iod.iod_nr = nr;
	iod.iod_recxs = recxs;
	sgl.sg_nr = nr;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = iovs;
	key_set(&dkey, obj->name);
	rc = entry_parent_open(obj, &oh);
	if (rc != 0)
		return rc;
	rc = daos_obj_update(oh, DAOS_TX_NONE, DAOS_COND_DKEY_UPDATE, &dkey, 1, &iod, &sgl, NULL);
	daos_obj_close(oh, NULL);
	return rc;
}

static void
field_u32(struct field *f, uint32_t off, uint32_t v)
{
	f->off = off;
	f->len = 4;
	dfs_put_u32(f->val, v);
}

static void
field_u64(struct field *f, uint32_t off, uint64_t v)
{
	f->off = off;
	f->len = 8;
	dfs_put_u64(f->val, v);
}

/* Re-read @obj's entry. */
static int
obj_entry_fetch(struct dfs_obj *obj, struct entry_rec *r)
{
	daos_handle_t oh;
	int rc;

	rc = entry_parent_open(obj, &oh);
	if (rc != 0)
		return rc;
	rc = entry_fetch(oh, obj->name, r);
	daos_obj_close(oh, NULL);
	return rc;
}

D_EXPORT int
dfs_ostat(dfs_t *dfs, dfs_obj_t *obj, struct stat *stbuf)
{
	struct entry_rec r;
	int rc;

	if (dfs == NULL || obj == NULL || stbuf == NULL)
		return EINVAL;
	rc = obj_entry_fetch(obj, &r);
	if (rc != 0)
		return dfs_err(rc);
	/* A rename may have put another object under this name: stat ours. */
	if (!oid_eq(r.e.oid, obj->oid) && !S_ISLNK(obj->mode)) {
		entry_rec_fini(&r);
		return ENOENT;
	}
	rc = S_ISREG(r.e.mode) ? entry_stat(dfs, &r, obj->oh, stbuf)
			       : entry_stat(dfs, &r, DAOS_HDL_INVAL, stbuf);
	entry_rec_fini(&r);
	return dfs_err(rc);
}

D_EXPORT int
dfs_stat(dfs_t *dfs, dfs_obj_t *parent, const char *name, struct stat *stbuf)
{
	struct dfs_obj *dir;
	struct entry_rec r;
	int rc;

	if (dfs == NULL || stbuf == NULL)
		return EINVAL;
	if (name == NULL)
		return dfs_ostat(dfs, parent != NULL ? parent : dfs->root, stbuf);
	rc = dfs_name_check(name);
	if (rc != 0)
		return rc;
	rc = dir_of(dfs, parent, &dir);
	if (rc != 0)
		return rc;
	rc = entry_fetch(dir->oh, name, &r);
	if (rc != 0)
		return dfs_err(rc);
	rc = entry_stat_open(dfs, &r, stbuf);
	entry_rec_fini(&r);
	return dfs_err(rc);
}

D_EXPORT int
dfs_osetattr(dfs_t *dfs, dfs_obj_t *obj, struct stat *stbuf, int flags)
{
	struct field f[8];
	uint32_t nr = 0;
	int rc;

	if (dfs == NULL || obj == NULL || stbuf == NULL)
		return EINVAL;
	if (flags & ~(DFS_SET_ATTR_MODE | DFS_SET_ATTR_ATIME | DFS_SET_ATTR_MTIME |
		      DFS_SET_ATTR_SIZE | DFS_SET_ATTR_UID | DFS_SET_ATTR_GID))
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	if (flags & DFS_SET_ATTR_SIZE) {
		if (!S_ISREG(obj->mode))
			return S_ISDIR(obj->mode) ? EISDIR : EINVAL;
		rc = daos_array_set_size(obj->oh, DAOS_TX_NONE, (daos_size_t)stbuf->st_size, NULL);
		if (rc != 0)
			return dfs_err(rc);
	}
	if (flags & DFS_SET_ATTR_MODE) {
		if ((stbuf->st_mode & S_IFMT) != 0 &&
		    (stbuf->st_mode & S_IFMT) != (obj->mode & S_IFMT))
			return EINVAL;
		obj->mode = (obj->mode & S_IFMT) | (stbuf->st_mode & 07777);
		field_u32(&f[nr++], DFS_OFF_MODE, (uint32_t)obj->mode);
	}
	if (flags & DFS_SET_ATTR_MTIME) {
		field_u64(&f[nr++], DFS_OFF_MTIME, (uint64_t)stbuf->st_mtim.tv_sec);
		field_u64(&f[nr++], DFS_OFF_MTIME_NS, (uint64_t)stbuf->st_mtim.tv_nsec);
		/* Data older than this change no longer dates the file. */
		field_u64(&f[nr++], DFS_OFF_HLC, d_hlc_get());
	}
	if (flags & DFS_SET_ATTR_UID)
		field_u32(&f[nr++], DFS_OFF_UID, (uint32_t)stbuf->st_uid);
	if (flags & DFS_SET_ATTR_GID)
		field_u32(&f[nr++], DFS_OFF_GID, (uint32_t)stbuf->st_gid);
	if (nr > 0 || (flags & (DFS_SET_ATTR_SIZE | DFS_SET_ATTR_ATIME))) {
		rc = entry_fields_set(obj, f, nr);
		if (rc != 0)
			return dfs_err(rc);
	}
	return dfs_ostat(dfs, obj, stbuf);
}

/*
 * The object named @name in @parent (NULL name: @parent itself, or the root), following
 * a final symbolic link if @follow.
 */
static int
target_open(struct dfs *dfs, struct dfs_obj *parent, const char *name, bool follow,
	    struct dfs_obj **out)
{
	struct dfs_obj *dir;
	char *path;
	int rc;

	if (name == NULL)
		return dfs_err(obj_copy(parent != NULL ? parent : dfs->root, O_RDONLY, out));
	rc = dfs_name_check(name);
	if (rc != 0)
		return rc;
	rc = dir_of(dfs, parent, &dir);
	if (rc != 0)
		return rc;
	if (!follow)
		return dfs_lookup_rel(dfs, dir, name, O_RDONLY, out, NULL, NULL);
	path = path_join(dir->path, name);
	if (path == NULL)
		return ENOMEM;
	rc = path_walk(dfs, path, O_RDONLY, true, out, NULL);
	d_free(path);
	return rc;
}

D_EXPORT int
dfs_access(dfs_t *dfs, dfs_obj_t *parent, const char *name, int mask)
{
	struct dfs_obj *o;
	struct entry_rec r;
	int rc;

	if (dfs == NULL)
		return EINVAL;
	rc = target_open(dfs, parent, name, true, &o);
	if (rc != 0)
		return rc;
	rc = obj_entry_fetch(o, &r);
	dfs_obj_free(o);
	if (rc != 0)
		return dfs_err(rc);
	if ((mask & W_OK) && dfs->amode != O_RDWR)
		rc = EROFS;
	else
		rc = dfs_access_check(r.e.mode, r.e.uid, r.e.gid, geteuid(), getegid(), mask);
	entry_rec_fini(&r);
	return rc;
}

D_EXPORT int
dfs_chmod(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode)
{
	struct dfs_obj *o;
	struct stat st = { 0 };
	int rc;

	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	if ((mode & S_IFMT) != 0 && (mode & S_IFMT) != S_IFREG && (mode & S_IFMT) != S_IFDIR)
		return EINVAL;
	rc = target_open(dfs, parent, name, true, &o);
	if (rc != 0)
		return rc;
	st.st_mode = mode & 07777;
	rc = dfs_osetattr(dfs, o, &st, DFS_SET_ATTR_MODE);
	dfs_obj_free(o);
	return rc;
}

D_EXPORT int
dfs_chown(dfs_t *dfs, dfs_obj_t *parent, const char *name, uid_t uid, gid_t gid, int flags)
{
	struct dfs_obj *o;
	struct stat st = { 0 };
	int sflags = 0;
	int rc;

	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return 0;
	rc = target_open(dfs, parent, name, !(flags & O_NOFOLLOW), &o);
	if (rc != 0)
		return rc;
	if (uid != (uid_t)-1) {
		st.st_uid = uid;
		sflags |= DFS_SET_ATTR_UID;
	}
	if (gid != (gid_t)-1) {
		st.st_gid = gid;
		sflags |= DFS_SET_ATTR_GID;
	}
	rc = dfs_osetattr(dfs, o, &st, sflags);
	dfs_obj_free(o);
	return rc;
}

/* Set the inherited class or chunk size of directory @obj. */
static int
dir_default_set(dfs_t *dfs, dfs_obj_t *obj, uint32_t off, uint64_t val)
{
	struct field f;
	int rc;

	if (dfs == NULL || obj == NULL)
		return EINVAL;
	if (!S_ISDIR(obj->mode))
		return ENOTSUP;
	if (dfs->amode != O_RDWR)
		return EPERM;
	if (off == DFS_OFF_OCLASS)
		field_u32(&f, off, (uint32_t)val);
	else
		field_u64(&f, off, val);
	rc = entry_fields_set(obj, &f, 1);
	if (rc != 0)
		return dfs_err(rc);
	if (off == DFS_OFF_OCLASS)
		obj->oclass = (daos_oclass_id_t)val;
	else
		obj->chunk_size = val;
	return 0;
}

D_EXPORT int
dfs_obj_set_oclass(dfs_t *dfs, dfs_obj_t *obj, int flags, daos_oclass_id_t cid)
{
	char name[64];

	(void)flags;
	/* A class libdaos does not know would fail every create below: refuse it now. */
	if (cid != 0 && daos_oclass_id2name(cid, name) != 0)
		return EINVAL;
	return dir_default_set(dfs, obj, DFS_OFF_OCLASS, cid);
}

D_EXPORT int
dfs_obj_set_chunk_size(dfs_t *dfs, dfs_obj_t *obj, int flags, daos_size_t csize)
{
	(void)flags;
	return dir_default_set(dfs, obj, DFS_OFF_CHUNK, csize);
}

/* ---- extended attributes ---- */

/* The akey "x:<name>" of xattr @name in @buf; its length, or a positive errno. */
static int
xattr_akey(const char *name, char *buf, size_t *len)
{
	size_t n;

	if (name == NULL)
		return EINVAL;
	n = strnlen(name, DFS_MAX_XATTR_NAME + 1);
	if (n == 0)
		return EINVAL;
	if (n > DFS_MAX_XATTR_NAME)
		return ERANGE;
	memcpy(buf, DFS_XATTR_PREFIX, DFS_XATTR_PREFIX_LEN);
	memcpy(buf + DFS_XATTR_PREFIX_LEN, name, n);
	*len = n + DFS_XATTR_PREFIX_LEN;
	return 0;
}

D_EXPORT int
dfs_setxattr(dfs_t *dfs, dfs_obj_t *obj, const char *name, const void *value, daos_size_t size,
	     int flags)
{
	char akey[DFS_MAX_XATTR_NAME + DFS_XATTR_PREFIX_LEN];
	daos_iod_t iod;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;
	daos_handle_t oh;
	uint64_t cond = DAOS_COND_DKEY_UPDATE;
	size_t alen;
	int rc;

	if (dfs == NULL || obj == NULL || (value == NULL && size != 0))
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	rc = xattr_akey(name, akey, &alen);
	if (rc != 0)
		return rc;
	/* An empty single value would be a punch: DFS xattrs have at least one byte. */
	if (size == 0 || size > DFS_MAX_XATTR_LEN)
		return size == 0 ? EINVAL : E2BIG;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE) || flags == (XATTR_CREATE | XATTR_REPLACE))
		return EINVAL;
	if (flags & XATTR_CREATE)
		cond |= DAOS_COND_AKEY_INSERT;
	else if (flags & XATTR_REPLACE)
		cond |= DAOS_COND_AKEY_UPDATE;
	key_set(&dkey, obj->name);
	single_iod(&iod, akey, alen, size);
	dfs_sgl_one(&sgl, &iov, (void *)value, size);
	rc = entry_parent_open(obj, &oh);
	if (rc != 0)
		return dfs_err(rc);
	rc = daos_obj_update(oh, DAOS_TX_NONE, cond, &dkey, 1, &iod, &sgl, NULL);
	daos_obj_close(oh, NULL);
	if (rc == -DER_NONEXIST && (flags & XATTR_REPLACE))
		return ENODATA;
	return dfs_err(rc);
}

D_EXPORT int
dfs_getxattr(dfs_t *dfs, dfs_obj_t *obj, const char *name, void *value, daos_size_t *size)
{
	char akey[DFS_MAX_XATTR_NAME + DFS_XATTR_PREFIX_LEN];
	daos_iod_t iod;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;
	daos_handle_t oh;
	size_t alen;
	int rc;

	if (dfs == NULL || obj == NULL || size == NULL)
		return EINVAL;
	rc = xattr_akey(name, akey, &alen);
	if (rc != 0)
		return rc;
	key_set(&dkey, obj->name);
	single_iod(&iod, akey, alen, DAOS_REC_ANY);
	rc = entry_parent_open(obj, &oh);
	if (rc != 0)
		return dfs_err(rc);
	if (*size == 0 || value == NULL) {
		rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 1, &iod, NULL,
				    NULL, NULL);
	} else {
		dfs_sgl_one(&sgl, &iov, value, *size);
		rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 1, &iod, &sgl,
				    NULL, NULL);
	}
	daos_obj_close(oh, NULL);
	if (rc == -DER_REC2BIG) {
		*size = iod.iod_size;
		return ERANGE;
	}
	if (rc != 0)
		return dfs_err(rc);
	if (iod.iod_size == 0)
		return ENODATA;
	*size = iod.iod_size;
	return 0;
}

D_EXPORT int
dfs_removexattr(dfs_t *dfs, dfs_obj_t *obj, const char *name)
{
	char akey[DFS_MAX_XATTR_NAME + DFS_XATTR_PREFIX_LEN];
	daos_key_t dkey, ak;
	daos_handle_t oh;
	size_t alen;
	int rc;

	if (dfs == NULL || obj == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	rc = xattr_akey(name, akey, &alen);
	if (rc != 0)
		return rc;
	key_set(&dkey, obj->name);
	d_iov_set(&ak, akey, alen);
	rc = entry_parent_open(obj, &oh);
	if (rc != 0)
		return dfs_err(rc);
	rc = daos_obj_punch_akeys(oh, DAOS_TX_NONE, DAOS_COND_PUNCH, &dkey, 1, &ak, NULL);
	daos_obj_close(oh, NULL);
	if (rc == -DER_NONEXIST)
		return ENODATA;
	return dfs_err(rc);
}

D_EXPORT int
dfs_listxattr(dfs_t *dfs, dfs_obj_t *obj, char *list, daos_size_t *size)
{
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_desc_t kds[16];
	char buf[16 * (DFS_MAX_XATTR_NAME + DFS_XATTR_PREFIX_LEN + 1)];
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;
	daos_handle_t oh;
	daos_size_t need = 0;
	bool fits = true;
	int rc;

	if (dfs == NULL || obj == NULL || size == NULL)
		return EINVAL;
	key_set(&dkey, obj->name);
	rc = entry_parent_open(obj, &oh);
	if (rc != 0)
		return dfs_err(rc);
	while (!daos_anchor_is_eof(&anchor)) {
		uint32_t n = 16, i;
		char *p = buf;

		dfs_sgl_one(&sgl, &iov, buf, sizeof(buf));
		rc = daos_obj_list_akey(oh, DAOS_TX_NONE, &dkey, &n, kds, &sgl, &anchor, NULL);
		if (rc != 0)
			break;
		for (i = 0; i < n; i++) {
			size_t klen = kds[i].kd_key_len;

			if (klen > DFS_XATTR_PREFIX_LEN &&
			    memcmp(p, DFS_XATTR_PREFIX, DFS_XATTR_PREFIX_LEN) == 0) {
				size_t nlen = klen - DFS_XATTR_PREFIX_LEN;

				if (list != NULL && need + nlen + 1 <= *size) {
					memcpy(list + need, p + DFS_XATTR_PREFIX_LEN, nlen);
					list[need + nlen] = '\0';
				} else {
					fits = false;
				}
				need += nlen + 1;
			}
			p += klen;
		}
	}
	daos_obj_close(oh, NULL);
	if (rc != 0)
		return dfs_err(rc);
	if (list != NULL && *size != 0 && !fits) {
		*size = need;
		return ERANGE;
	}
	*size = need;
	return 0;
}

/* ---- sharing objects ---- */

/*
 * The object blob, little-endian: 0 u32 magic, 4 u32 mode, 8 u32 flags, 12 u32 name
 * length, 16 u64 oid hi, 24 u64 oid lo, 32 u64 parent hi, 40 u64 parent lo, 48 u64
 * chunk size, 56 u32 oclass, 60 u32 symlink length, 64..71 reserved; then the name and
 * the symlink target (without NULs).
 */
D_EXPORT int
dfs_obj_local2global(dfs_t *dfs, dfs_obj_t *obj, d_iov_t *glob)
{
	size_t nlen, slen, need;
	uint8_t *p;

	if (dfs == NULL || obj == NULL || glob == NULL)
		return EINVAL;
	nlen = strlen(obj->name);
	slen = obj->slink != NULL ? strlen(obj->slink) : 0;
	need = DFS_OBJ_GLOB_HDR + nlen + slen;
	if (glob->iov_buf == NULL) {
		glob->iov_buf_len = need;
		return 0;
	}
	if (glob->iov_buf_len < need)
		return ERANGE;
	p = glob->iov_buf;
	memset(p, 0, DFS_OBJ_GLOB_HDR);
	dfs_put_u32(p, DFS_OBJ_GLOB_MAGIC);
	dfs_put_u32(p + 4, (uint32_t)obj->mode);
	dfs_put_u32(p + 8, (uint32_t)obj->flags);
	dfs_put_u32(p + 12, (uint32_t)nlen);
	dfs_put_u64(p + 16, obj->oid.hi);
	dfs_put_u64(p + 24, obj->oid.lo);
	dfs_put_u64(p + 32, obj->parent_oid.hi);
	dfs_put_u64(p + 40, obj->parent_oid.lo);
	dfs_put_u64(p + 48, obj->chunk_size);
	dfs_put_u32(p + 56, obj->oclass);
	dfs_put_u32(p + 60, (uint32_t)slen);
	memcpy(p + DFS_OBJ_GLOB_HDR, obj->name, nlen);
	if (slen != 0)
		memcpy(p + DFS_OBJ_GLOB_HDR + nlen, obj->slink, slen);
	glob->iov_len = need;
	return 0;
}

D_EXPORT int
dfs_obj_global2local(dfs_t *dfs, int flags, d_iov_t glob, dfs_obj_t **obj)
{
	const uint8_t *p = glob.iov_buf;
	struct entry_rec r = { 0 };
	daos_obj_id_t parent;
	char name[DFS_MAX_NAME + 1];
	uint32_t nlen, slen;
	int oflags;
	int rc;

	if (dfs == NULL || obj == NULL || p == NULL || glob.iov_len < DFS_OBJ_GLOB_HDR ||
	    dfs_get_u32(p) != DFS_OBJ_GLOB_MAGIC)
		return EINVAL;
	nlen = dfs_get_u32(p + 12);
	slen = dfs_get_u32(p + 60);
	if (nlen == 0 || nlen > DFS_MAX_NAME || slen >= DFS_MAX_PATH ||
	    (uint64_t)DFS_OBJ_GLOB_HDR + nlen + slen > glob.iov_len)
		return EINVAL;
	r.e.mode = (mode_t)dfs_get_u32(p + 4);
	oflags = (int)dfs_get_u32(p + 8);
	r.e.oid.hi = dfs_get_u64(p + 16);
	r.e.oid.lo = dfs_get_u64(p + 24);
	parent.hi = dfs_get_u64(p + 32);
	parent.lo = dfs_get_u64(p + 40);
	r.e.chunk_size = dfs_get_u64(p + 48);
	r.e.oclass = dfs_get_u32(p + 56);
	if (!S_ISREG(r.e.mode) && !S_ISDIR(r.e.mode) && !S_ISLNK(r.e.mode))
		return EINVAL;
	if (S_ISREG(r.e.mode) && r.e.chunk_size == 0)
		return EINVAL;
	memcpy(name, p + DFS_OBJ_GLOB_HDR, nlen);
	name[nlen] = '\0';
	if (slen != 0) {
		r.slink = d_calloc(1, slen + 1);
		if (r.slink == NULL)
			return ENOMEM;
		memcpy(r.slink, p + DFS_OBJ_GLOB_HDR + nlen, slen);
	}
	if (flags != 0)
		oflags = (oflags & ~O_ACCMODE) | (flags & O_ACCMODE);
	/* The path is unknown here: the name alone stands for it. */
	rc = obj_make(dfs, parent, name, name, &r, oflags, obj);
	entry_rec_fini(&r);
	return dfs_err(rc);
}

D_EXPORT int
dfs_obj_uns(dfs_obj_t *obj, char *buf, size_t len)
{
	size_t n;

	if (obj == NULL || buf == NULL)
		return EINVAL;
	if (obj->uns == NULL)
		return ENODATA;
	n = strlen(obj->uns);
	if (n >= len)
		return ERANGE;
	memcpy(buf, obj->uns, n + 1);
	return 0;
}

D_EXPORT int
dfs_obj_parent(dfs_obj_t *obj, daos_obj_id_t *parent, char *name, size_t len)
{
	size_t n;

	if (obj == NULL || parent == NULL || name == NULL)
		return EINVAL;
	n = strlen(obj->name);
	if (n >= len)
		return ERANGE;
	*parent = obj->parent_oid;
	memcpy(name, obj->name, n + 1);
	return 0;
}
