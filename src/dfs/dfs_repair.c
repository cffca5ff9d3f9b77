/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_repair.c - repairs of a damaged namespace, DAOS's tools behind `daos fs fix-entry`,
 * `fix-sb` and `fix-root`: the type of an entry taken from the object it names
 * (dfs_obj_fix_type), the chunk size of a file's entry (dfs_file_update_chunk_size), a
 * new superblock (dfs_recreate_sb) and the root directory's entry in it
 * (dfs_relink_root).
 *
 * What they repair is the layout of docs/design/dfs.md: the inode is the byte array
 * DFS_INODE under the entry's dkey, the superblock the dkey DFS_SB_METADATA of the object
 * the container's ROOTS property names first, and the root's entry the dkey "/" of that
 * same object, naming the second. The bytes read here are what the damage left: they are
 * never handed to dfs_entry_decode() before being repaired, since refusing them is what
 * made the repair necessary.
 *
 * Nothing here locks: the callers (the daos CLI) open the container exclusively
 * (DAOS_COO_EX), as DAOS's do, so no other client changes what is being repaired. The
 * writes are conditional where an entry must exist (DKEY_UPDATE) and plain where the
 * point is to recreate (the superblock and the root's entry).
 */
#define D_LOGFAC DD_FAC(dfs)

#include <errno.h>
#include <string.h>

#include "dfs/dfs_int.h"

/* The raw inode of entry @name of directory @oh: -DER_NONEXIST if it has none. */
static int
inode_fetch(daos_handle_t oh, const char *name, uint8_t *buf)
{
	daos_recx_t recx;
	daos_iod_t iod;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;
	int rc;

	memset(buf, 0, DFS_INODE_SIZE);
	d_iov_set(&dkey, (void *)name, strlen(name));
	dfs_inode_iod(&iod, &recx, 0, DFS_INODE_SIZE);
	dfs_sgl_one(&sgl, &iov, buf, DFS_INODE_SIZE);
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, 1, &iod, &sgl, NULL,
			    NULL);
	if (rc != 0)
		return rc;
	/* a dkey without an inode (xattrs left by a torn remove) is no entry */
	if (iod.iod_size == 0 || sgl.sg_nr_out == 0 || iov.iov_len == 0)
		return -DER_NONEXIST;
	return 0;
}

/* The length of entry @name's symlink target (DFS_SLINK), 0 if it has none. */
static int
slink_size(daos_handle_t oh, const char *name, uint64_t *len)
{
	daos_iod_t iod = { 0 };
	daos_key_t dkey;
	int rc;

	d_iov_set(&dkey, (void *)name, strlen(name));
	d_iov_set(&iod.iod_name, DFS_SLINK_AKEY, strlen(DFS_SLINK_AKEY));
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_size = DAOS_REC_ANY;
	iod.iod_nr = 1;
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dkey, 1, &iod, NULL, NULL, NULL);
	if (rc == 0)
		*len = iod.iod_size;
	return rc;
}

/* Write @len inode bytes at @off of entry @name of directory @oh (@cond: DAOS_COND_*). */
static int
inode_write(daos_handle_t oh, const char *name, uint64_t cond, uint64_t off, const void *buf,
	    size_t len)
{
	daos_recx_t recx;
	daos_iod_t iod;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;

	d_iov_set(&dkey, (void *)name, strlen(name));
	dfs_inode_iod(&iod, &recx, off, len);
	dfs_sgl_one(&sgl, &iov, (void *)buf, len);
	return daos_obj_update(oh, DAOS_TX_NONE, cond, &dkey, 1, &iod, &sgl, NULL);
}

/* ---- entries ---- */

D_EXPORT int
dfs_obj_fix_type(dfs_t *dfs, dfs_obj_t *parent, const char *name)
{
	uint8_t buf[DFS_INODE_SIZE];
	uint64_t slen = 0;
	mode_t mode;
	int rc;

	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	if (parent == NULL)
		parent = dfs->root;
	if (!S_ISDIR(parent->mode))
		return ENOTDIR;
	rc = dfs_name_check(name);
	if (rc != 0)
		return rc;
	rc = inode_fetch(parent->oh, name, buf);
	if (rc == 0)
		rc = slink_size(parent->oh, name, &slen);
	if (rc != 0)
		return dfs_err(rc);
	rc = dfs_entry_fix_type(buf, slen, dfs->attr.da_chunk_size, &mode);
	if (rc != 0) {
		D_ERROR("entry %s names no object and no symlink target: its type is unknown",
			name);
		return dfs_err(rc);
	}
	/* The whole inode: the fields that must agree with the type change with it. */
	rc = inode_write(parent->oh, name, DAOS_COND_DKEY_UPDATE, 0, buf, sizeof(buf));
	if (rc != 0) {
		D_ERROR("could not write the repaired inode of entry %s: " DF_RC, name, DP_RC(rc));
		return dfs_err(rc);
	}
	D_INFO("entry %s: type set to %s", name,
	       S_ISREG(mode)   ? "S_IFREG"
	       : S_ISDIR(mode) ? "S_IFDIR"
			       : "S_IFLNK");
	return 0;
}

D_EXPORT int
dfs_file_update_chunk_size(dfs_t *dfs, dfs_obj_t *obj, daos_size_t csize)
{
	uint8_t val[8];
	daos_handle_t oh;
	int rc, rc2;

	if (dfs == NULL || obj == NULL || !S_ISREG(obj->mode))
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	if (csize == 0)
		csize = dfs->attr.da_chunk_size;
	rc = daos_obj_open(dfs->coh, obj->parent_oid, DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return dfs_err(rc);
	dfs_put_u64(val, csize);
	rc = inode_write(oh, obj->name, DAOS_COND_DKEY_UPDATE, DFS_OFF_CHUNK, val, sizeof(val));
	rc2 = daos_obj_close(oh, NULL);
	if (rc == 0)
		rc = rc2;
	if (rc != 0) {
		D_ERROR("could not set the chunk size of %s: " DF_RC, obj->name, DP_RC(rc));
		return dfs_err(rc);
	}
	/* The open handle reads with the new chunk size from now on. */
	rc = daos_array_update_chunk_size(obj->oh, csize);
	if (rc != 0)
		return dfs_err(rc);
	obj->chunk_size = csize;
	return 0;
}

/* ---- the superblock and the root ---- */

/* The roots of POSIX container @coh: -DER_INVAL if it is not one, -DER_IO if unset. */
static int
roots_of(daos_handle_t coh, struct daos_prop_co_roots *roots)
{
	uint64_t layout;
	int rc;

	rc = dfs_cont_roots_get(coh, &layout, roots);
	if (rc != 0)
		return rc;
	if (layout != DAOS_PROP_CO_LAYOUT_POSIX) {
		D_ERROR("container layout type is %" PRIu64 ", not POSIX", layout);
		return -DER_INVAL;
	}
	/* Without the ids there is nothing to repair: the objects are not known. */
	if (!dfs_roots_are_set(roots)) {
		D_ERROR("POSIX container has no DFS roots: creating it did not finish");
		return -DER_IO;
	}
	return 0;
}

/*
 * Make the root's entry in superblock object @oh name directory @root_oid, unless it does
 * (then *@relinked is false). An entry that is missing, does not decode or names something
 * else is written anew: 0755, owned by the caller, times now. The root's inherited class
 * and chunk size are lost with the entry, as in DAOS.
 */
static int
root_relink(daos_handle_t oh, daos_obj_id_t root_oid, bool *relinked)
{
	uint8_t buf[DFS_INODE_SIZE];
	struct dfs_entry e;
	int rc;

	*relinked = false;
	rc = inode_fetch(oh, DFS_ROOT_NAME, buf);
	if (rc == 0 && dfs_entry_decode(buf, sizeof(buf), &e) == 0 && S_ISDIR(e.mode) &&
	    e.oid.hi == root_oid.hi && e.oid.lo == root_oid.lo)
		return 0;
	if (rc != 0 && rc != -DER_NONEXIST)
		return rc;
	if (rc == 0)
		D_WARN("the root directory's entry is damaged: writing it anew");
	dfs_root_entry_init(&e, root_oid);
	dfs_entry_encode(&e, buf);
	/* Plain update: the dkey may be gone, or hold the damaged entry (or xattrs). */
	rc = inode_write(oh, DFS_ROOT_NAME, 0, 0, buf, sizeof(buf));
	if (rc != 0) {
		D_ERROR("could not write the root directory's entry: " DF_RC, DP_RC(rc));
		return rc;
	}
	*relinked = true;
	return 0;
}

D_EXPORT int
dfs_recreate_sb(daos_handle_t coh, dfs_attr_t *attr)
{
	struct daos_prop_co_roots roots;
	dfs_attr_t dattr;
	daos_handle_t oh;
	daos_key_t dkey;
	bool relinked;
	int rc, rc2;

	if (attr == NULL)
		return EINVAL;
	rc = dfs_attr_defaults(attr, &dattr);
	if (rc != 0)
		return rc;
	rc = roots_of(coh, &roots);
	if (rc != 0)
		return dfs_err(rc);
	rc = daos_obj_open(coh, roots.cr_oids[0], DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return dfs_err(rc);
	/* Whatever is left of the old one goes first: akeys of another size, stale hints. */
	d_iov_set(&dkey, DFS_SB_DKEY, strlen(DFS_SB_DKEY));
	rc = daos_obj_punch_dkeys(oh, DAOS_TX_NONE, 0, 1, &dkey, NULL);
	if (rc == -DER_NONEXIST)
		rc = 0;
	if (rc == 0)
		rc = dfs_sb_write(oh, &dattr);
	if (rc != 0) {
		D_ERROR("could not write a new DFS superblock: " DF_RC, DP_RC(rc));
		goto out_close;
	}
	/* DAOS inserts the root's entry and fails if one survived; one that is fine stays. */
	rc = root_relink(oh, roots.cr_oids[1], &relinked);
	if (rc == 0)
		D_INFO("DFS superblock recreated%s", relinked ? ", root directory relinked" : "");
out_close:
	rc2 = daos_obj_close(oh, NULL);
	return dfs_err(rc != 0 ? rc : rc2);
}

D_EXPORT int
dfs_relink_root(daos_handle_t coh)
{
	struct daos_prop_co_roots roots;
	dfs_attr_t attr = { 0 };
	daos_handle_t oh;
	bool relinked;
	int rc, rc2;

	rc = roots_of(coh, &roots);
	if (rc != 0)
		return dfs_err(rc);
	rc = daos_obj_open(coh, roots.cr_oids[0], DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return dfs_err(rc);
	/* The root's entry lives in the superblock object: that must be sound first. */
	rc = dfs_sb_read(oh, &attr);
	if (rc == 0) {
		rc = dfs_err(root_relink(oh, roots.cr_oids[1], &relinked));
		if (rc == 0)
			D_INFO("root directory %s", relinked ? "relinked" : "already linked");
	}
	rc2 = daos_obj_close(oh, NULL);
	return rc != 0 ? rc : dfs_err(rc2);
}
