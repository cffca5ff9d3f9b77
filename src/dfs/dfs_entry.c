/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_entry.c - the pure parts of libdfs: the inode codec, name and path checks, open
 * flag rules, permission checks and the mount sharing blob. Nothing here calls DAOS, so
 * the unit tests (tests/dfs_entry_tests.c) and the fuzz target (fuzz/dfs_entry_fuzz.c)
 * exercise it without a system.
 *
 * The inode is read from storage that another client (or another version of this code)
 * wrote: dfs_entry_decode() treats it as untrusted and refuses what it cannot have
 * written, rather than let a bad type or length reach the callers.
 */
#define D_LOGFAC DD_FAC(dfs)

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dfs/dfs_int.h"

void
dfs_entry_encode(const struct dfs_entry *e, uint8_t *buf)
{
	memset(buf, 0, DFS_INODE_SIZE);
	dfs_put_u32(buf + DFS_OFF_MODE, (uint32_t)e->mode);
	dfs_put_u64(buf + DFS_OFF_OID, e->oid.hi);
	dfs_put_u64(buf + DFS_OFF_OID + 8, e->oid.lo);
	dfs_put_u64(buf + DFS_OFF_MTIME, (uint64_t)e->mtime.tv_sec);
	dfs_put_u64(buf + DFS_OFF_CTIME, (uint64_t)e->ctime.tv_sec);
	dfs_put_u64(buf + DFS_OFF_CHUNK, e->chunk_size);
	dfs_put_u32(buf + DFS_OFF_OCLASS, e->oclass);
	dfs_put_u64(buf + DFS_OFF_MTIME_NS, (uint64_t)e->mtime.tv_nsec);
	dfs_put_u64(buf + DFS_OFF_CTIME_NS, (uint64_t)e->ctime.tv_nsec);
	dfs_put_u32(buf + DFS_OFF_UID, (uint32_t)e->uid);
	dfs_put_u32(buf + DFS_OFF_GID, (uint32_t)e->gid);
	dfs_put_u64(buf + DFS_OFF_SLINK_LEN, e->slink_len);
	dfs_put_u64(buf + DFS_OFF_HLC, e->hlc);
}

int
dfs_entry_decode(const void *buf, size_t len, struct dfs_entry *out)
{
	const uint8_t *p = buf;
	struct dfs_entry e = { 0 };
	uint64_t mns, cns;

	if (buf == NULL || len != DFS_INODE_SIZE)
		return -DER_PROTO;
	e.mode = (mode_t)dfs_get_u32(p + DFS_OFF_MODE);
	e.oid.hi = dfs_get_u64(p + DFS_OFF_OID);
	e.oid.lo = dfs_get_u64(p + DFS_OFF_OID + 8);
	e.mtime.tv_sec = (time_t)dfs_get_u64(p + DFS_OFF_MTIME);
	e.ctime.tv_sec = (time_t)dfs_get_u64(p + DFS_OFF_CTIME);
	e.chunk_size = dfs_get_u64(p + DFS_OFF_CHUNK);
	e.oclass = dfs_get_u32(p + DFS_OFF_OCLASS);
	mns = dfs_get_u64(p + DFS_OFF_MTIME_NS);
	cns = dfs_get_u64(p + DFS_OFF_CTIME_NS);
	e.uid = (uid_t)dfs_get_u32(p + DFS_OFF_UID);
	e.gid = (gid_t)dfs_get_u32(p + DFS_OFF_GID);
	e.slink_len = dfs_get_u64(p + DFS_OFF_SLINK_LEN);
	e.hlc = dfs_get_u64(p + DFS_OFF_HLC);

	if (mns >= 1000000000ULL || cns >= 1000000000ULL)
		return -DER_PROTO;
	e.mtime.tv_nsec = (long)mns;
	e.ctime.tv_nsec = (long)cns;
	/* Permission bits and the three types DFS has; nothing else. */
	if ((e.mode & ~(mode_t)(S_IFMT | 07777)) != 0)
		return -DER_PROTO;
	switch (e.mode & S_IFMT) {
	case S_IFDIR:
	case S_IFREG:
		if (daos_obj_id_is_nil(e.oid) || e.slink_len != 0)
			return -DER_PROTO;
		/* A file's chunk size sizes every I/O: it must be usable. */
		if (S_ISREG(e.mode) && e.chunk_size == 0)
			return -DER_PROTO;
		break;
	case S_IFLNK:
		if (e.slink_len == 0 || e.slink_len >= DFS_MAX_PATH)
			return -DER_PROTO;
		break;
	default:
		return -DER_PROTO;
	}
	*out = e;
	return 0;
}

bool
dfs_entry_type_matches(mode_t mode, daos_obj_id_t oid)
{
	bool array = daos_is_array_type(daos_obj_id2type(oid));

	/* Files are byte arrays; directories and symlinks (no object) are multi-hashed ids. */
	return S_ISREG(mode) ? array : !array;
}

int
dfs_entry_fix_type(uint8_t *buf, uint64_t slink_len, uint64_t chunk_size, mode_t *mode)
{
	daos_obj_id_t oid;
	mode_t type;

	oid.hi = dfs_get_u64(buf + DFS_OFF_OID);
	oid.lo = dfs_get_u64(buf + DFS_OFF_OID + 8);
	if (daos_is_array_type(daos_obj_id2type(oid)))
		type = S_IFREG;
	else if (slink_len != 0)
		type = S_IFLNK;
	else if (!daos_obj_id_is_nil(oid))
		type = S_IFDIR;
	else
		return -DER_PROTO; /* no object and no target: nothing says what it was */
	if (type == S_IFLNK && slink_len >= DFS_MAX_PATH)
		return -DER_PROTO;
	/* DAOS's repair: the type from the object, and rwx for the owner only. */
	*mode = type | S_IRWXU;
	dfs_put_u32(buf + DFS_OFF_MODE, (uint32_t)*mode);
	dfs_put_u64(buf + DFS_OFF_SLINK_LEN, type == S_IFLNK ? slink_len : 0);
	if (type == S_IFREG && dfs_get_u64(buf + DFS_OFF_CHUNK) == 0)
		dfs_put_u64(buf + DFS_OFF_CHUNK, chunk_size);
	/* What else dfs_entry_decode() refuses that a type change cannot explain. */
	if (dfs_get_u64(buf + DFS_OFF_MTIME_NS) >= 1000000000ULL)
		dfs_put_u64(buf + DFS_OFF_MTIME_NS, 0);
	if (dfs_get_u64(buf + DFS_OFF_CTIME_NS) >= 1000000000ULL)
		dfs_put_u64(buf + DFS_OFF_CTIME_NS, 0);
	return 0;
}

uint64_t
dfs_chunk_size_guess(uint64_t dflt, uint64_t max_end)
{
	return max_end > dflt ? max_end : dflt;
}

int
dfs_name_check(const char *name)
{
	size_t len;

	if (name == NULL)
		return EINVAL;
	len = strnlen(name, DFS_MAX_NAME + 1);
	if (len == 0 || strchr(name, '/') != NULL)
		return EINVAL;
	if (len > DFS_MAX_NAME)
		return ENAMETOOLONG;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return EINVAL;
	return 0;
}

bool
dfs_path_next(const char **cursor, const char **start, size_t *len)
{
	const char *p = *cursor;
	const char *s;

	while (*p == '/')
		p++;
	if (*p == '\0') {
		*cursor = p;
		return false;
	}
	s = p;
	while (*p != '\0' && *p != '/')
		p++;
	*start = s;
	*len = (size_t)(p - s);
	*cursor = p;
	return true;
}

int
dfs_open_flags_check(int amode, int flags, mode_t mode)
{
	int acc = flags & O_ACCMODE;
	mode_t type = mode & S_IFMT;

	if (acc != O_RDONLY && acc != O_WRONLY && acc != O_RDWR)
		return EINVAL;
	if (type != 0 && type != S_IFREG && type != S_IFDIR && type != S_IFLNK)
		return EINVAL;
	if ((flags & O_CREAT) && type == 0)
		return EINVAL;
	/* Opening to write, creating or truncating needs a read-write mount. */
	if (amode == O_RDONLY && (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC))))
		return EPERM;
	/* A directory or link is never opened to write its data. */
	if ((type == S_IFDIR || type == S_IFLNK) && (flags & (O_TRUNC | O_APPEND)))
		return EINVAL;
	return 0;
}

int
dfs_access_check(mode_t mode, uid_t uid, gid_t gid, uid_t cuid, gid_t cgid, int mask)
{
	mode_t bits;

	mask &= R_OK | W_OK | X_OK;
	if (mask == 0)
		return 0;
	if (cuid == 0) {
		/* root: everything but executing what nobody may execute */
		if ((mask & X_OK) && !S_ISDIR(mode) && (mode & 0111) == 0)
			return EACCES;
		return 0;
	}
	if (cuid == uid)
		bits = (mode >> 6) & 7;
	else if (cgid == gid)
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	if ((mask & R_OK) && !(bits & 4))
		return EACCES;
	if ((mask & W_OK) && !(bits & 2))
		return EACCES;
	if ((mask & X_OK) && !(bits & 1))
		return EACCES;
	return 0;
}

const char *
dfs_prefix_strip(const char *path, const char *prefix, size_t plen)
{
	if (prefix == NULL)
		return path;
	if (strncmp(path, prefix, plen) != 0)
		return NULL;
	/* "/mnt/dfs" covers "/mnt/dfs" and "/mnt/dfs/x", not "/mnt/dfsx". */
	if (path[plen] != '\0' && path[plen] != '/' && (plen == 0 || prefix[plen - 1] != '/'))
		return NULL;
	if (path[plen] == '\0')
		return "/";
	/* A prefix ending in '/' ("/") leaves the rest without its leading slash. */
	return prefix[plen - 1] == '/' ? path + plen - 1 : path + plen;
}

/*
 * The mount blob, little-endian:
 *   0 u32 magic, 4 u32 amode, 8 u32 cmode, 12 u32 oclass, 16 u32 dir oclass,
 *   20 u32 file oclass, 24 u64 chunk size, 32 u64 sb hi, 40 u64 sb lo, 48 u64 root hi,
 *   56 u64 root lo, 64 u64 da_id, 72 u64 dev, 80..95 reserved (zero)
 */
void
dfs_glob_encode(const struct dfs *dfs, uint8_t *buf)
{
	memset(buf, 0, DFS_GLOB_SIZE);
	dfs_put_u32(buf, DFS_GLOB_MAGIC);
	dfs_put_u32(buf + 4, (uint32_t)dfs->amode);
	dfs_put_u32(buf + 8, dfs->cmode);
	dfs_put_u32(buf + 12, dfs->attr.da_oclass_id);
	dfs_put_u32(buf + 16, dfs->attr.da_dir_oclass_id);
	dfs_put_u32(buf + 20, dfs->attr.da_file_oclass_id);
	dfs_put_u64(buf + 24, dfs->attr.da_chunk_size);
	dfs_put_u64(buf + 32, dfs->sb_oid.hi);
	dfs_put_u64(buf + 40, dfs->sb_oid.lo);
	dfs_put_u64(buf + 48, dfs->root_oid.hi);
	dfs_put_u64(buf + 56, dfs->root_oid.lo);
	dfs_put_u64(buf + 64, dfs->attr.da_id);
	dfs_put_u64(buf + 72, (uint64_t)dfs->dev);
}

int
dfs_glob_decode(const void *buf, size_t len, struct dfs *dfs)
{
	const uint8_t *p = buf;
	uint32_t amode;

	if (buf == NULL || len < DFS_GLOB_SIZE || dfs_get_u32(p) != DFS_GLOB_MAGIC)
		return -DER_INVAL;
	amode = dfs_get_u32(p + 4);
	if (amode != O_RDONLY && amode != O_RDWR)
		return -DER_INVAL;
	if (dfs_get_u64(p + 24) == 0)
		return -DER_INVAL;
	dfs->amode = (int)amode;
	dfs->cmode = dfs_get_u32(p + 8);
	dfs->attr.da_oclass_id = dfs_get_u32(p + 12);
	dfs->attr.da_dir_oclass_id = dfs_get_u32(p + 16);
	dfs->attr.da_file_oclass_id = dfs_get_u32(p + 20);
	dfs->attr.da_chunk_size = dfs_get_u64(p + 24);
	dfs->sb_oid.hi = dfs_get_u64(p + 32);
	dfs->sb_oid.lo = dfs_get_u64(p + 40);
	dfs->root_oid.hi = dfs_get_u64(p + 48);
	dfs->root_oid.lo = dfs_get_u64(p + 56);
	dfs->attr.da_id = dfs_get_u64(p + 64);
	dfs->dev = (dev_t)dfs_get_u64(p + 72);
	return 0;
}
