/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_ns.c - what a mount serves: one container (--pool P --cont C), every container of
 * a pool (--pool P: MNT/CONT), or every pool of the system (MNT/POOL/CONT), as DAOS's
 * dfuse offers them.
 *
 * A pool or system mount's root, and a system mount's pool directories, are directories
 * dfuse makes up (inodes of kind DFUSE_IE_POOL and DFUSE_IE_SYSTEM, with no DFS object).
 * Looking a name up in one connects to the pool or opens the container of that label or
 * UUID, once: pools and containers stay open until the mount ends, so every inode's ns
 * pointer (its container) stays valid, and one container reached by label and by UUID is
 * one set of inodes. Opening is done under info->ns_lock, which serialises only lookups
 * of not-yet-open names in made-up directories.
 *
 * The made-up directories belong to the daemon's user, mode 0755 (0555 read-only), with
 * the mount's start as their times; nothing can be created, removed or renamed in them
 * (EPERM): containers are made with 'daos container create'.
 */
#define D_LOGFAC DD_FAC(dfuse)

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "dfs/dfs_ext.h"
#include "dfuse/dfuse_daemon.h"

static int errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Put a reason in @err and return @rc (a positive errno). */
static int
errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* The errno for a failed pool connect or container open of a name someone looked up. */
static int
open_errno(int rc)
{
	/* A name that is neither a label nor a UUID is just not there. */
	if (rc == -DER_NONEXIST || rc == -DER_INVAL)
		return ENOENT;
	return daos_der2errno(rc);
}

static bool
name_matches(const char *name, const char *label, const uuid_t uuid)
{
	uuid_t u;

	if (label != NULL && label[0] != '\0' && strcmp(name, label) == 0)
		return true;
	return uuid_parse(name, u) == 0 && uuid_compare(u, uuid) == 0;
}

/* A made-up directory's inode; one reference. */
static int
vdir_add(struct dfuse_info *info, void *ns, enum dfuse_ie_kind kind, bool root,
	 struct dfuse_inode **out)
{
	daos_obj_id_t none = { 0 };
	bool existed;
	int rc;

	rc = dfuse_itable_add(&info->itable, ns, none, NULL, S_IFDIR, root, out, &existed);
	if (rc != 0)
		return ENOMEM;
	(*out)->kind = (uint8_t)kind;
	return 0;
}

/* ---- pools ---- */

static void
pool_free(struct dfuse_pool *dp)
{
	if (daos_handle_is_valid(dp->poh))
		daos_pool_disconnect(dp->poh, NULL);
	d_free(dp->name);
	d_free(dp);
}

/* The pool @name, connected if not yet (ns_lock held). 0 or a positive errno. */
static int
pool_get(struct dfuse_info *info, const char *name, struct dfuse_pool **out, char *err,
	 size_t errlen)
{
	const struct dfuse_opts *o = info->opts;
	daos_pool_info_t pinfo = { 0 };
	struct dfuse_pool *dp;
	int rc;

	d_list_for_each_entry(dp, &info->pools, link) {
		if (strcmp(dp->name, name) == 0 || name_matches(name, NULL, dp->uuid)) {
			*out = dp;
			return 0;
		}
	}
	dp = d_calloc(1, sizeof(*dp));
	if (dp == NULL)
		return errf(err, errlen, ENOMEM, "out of memory");
	D_INIT_LIST_HEAD(&dp->conts);
	dp->name = d_strdup(name);
	if (dp->name == NULL) {
		d_free(dp);
		return errf(err, errlen, ENOMEM, "out of memory");
	}
	rc = daos_pool_connect(name, o->sys_name, o->read_only ? DAOS_PC_RO : DAOS_PC_RW, &dp->poh,
			       &pinfo, NULL);
	if (rc != 0) {
		dp->poh = DAOS_HDL_INVAL;
		pool_free(dp);
		return errf(err, errlen, open_errno(rc), "could not connect to pool %s: %s(%d): %s",
			    name, DP_RC(rc));
	}
	uuid_copy(dp->uuid, pinfo.pi_uuid);
	/* The same pool by its other name: keep the first connection. */
	d_list_for_each_entry(*out, &info->pools, link) {
		if (uuid_compare((*out)->uuid, dp->uuid) == 0) {
			pool_free(dp);
			return 0;
		}
	}
	d_list_add_tail(&dp->link, &info->pools);
	*out = dp;
	return 0;
}

/* ---- containers ---- */

static const char *
layout_name(uint64_t layout)
{
	static const char *const names[] = { "unknown",  "POSIX", "HDF5",    "PYTHON", "SPARK",
					     "DATABASE", "ROOT",  "SEISMIC", "METEO" };

	return layout < ARRAY_SIZE(names) ? names[layout] : "unknown";
}

/* The container's label, and whether it is POSIX (a message saying otherwise). */
static int
cont_check(struct dfuse_cont *dc, const char *pool, const char *name, char *err, size_t errlen)
{
	daos_prop_t *prop = daos_prop_alloc(2);
	struct daos_prop_entry *e;
	uint64_t layout;
	int rc;

	if (prop == NULL)
		return errf(err, errlen, ENOMEM, "out of memory");
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_LABEL;
	rc = daos_cont_query(dc->coh, NULL, prop, NULL);
	if (rc != 0) {
		daos_prop_free(prop);
		return errf(err, errlen, daos_der2errno(rc),
			    "could not query container %s: %s(%d): %s", name, DP_RC(rc));
	}
	layout = prop->dpp_entries[0].dpe_val;
	e = &prop->dpp_entries[1];
	if (e->dpe_str != NULL)
		snprintf(dc->label, sizeof(dc->label), "%s", e->dpe_str);
	daos_prop_free(prop);
	if (layout != DAOS_PROP_CO_LAYOUT_POSIX)
		return errf(
			err, errlen, ENOTSUP,
			"container %s is not a POSIX container (its type is %s); create one with 'daos container create %s LABEL --type POSIX'",
			name, layout_name(layout), pool);
	return 0;
}

/* The cache settings: --disable-caching, else the container's dfuse-* attributes. */
static int
cont_cache(struct dfuse_info *info, struct dfuse_cont *dc, const char *name, char *err,
	   size_t errlen)
{
	char bufs[DFUSE_NR_CACHE_ATTRS][64];
	const char *values[DFUSE_NR_CACHE_ATTRS] = { NULL };
	int i, rc;

	if (info->opts->disable_caching) {
		dfuse_cache_disabled(&dc->cache);
		return 0;
	}
	for (i = 0; i < DFUSE_NR_CACHE_ATTRS; i++) {
		const char *attr = dfuse_cache_attr_names[i];
		void *buf = bufs[i];
		size_t size = sizeof(bufs[i]) - 1;

		rc = daos_cont_get_attr(dc->coh, 1, &attr, &buf, &size, NULL);
		if (rc == -DER_NONEXIST)
			continue;
		if (rc != 0)
			return errf(err, errlen, daos_der2errno(rc),
				    "could not read attribute %s of container %s: %s(%d): %s", attr,
				    name, DP_RC(rc));
		bufs[i][D_MIN(size, sizeof(bufs[i]) - 1)] = '\0';
		values[i] = bufs[i];
	}
	if (dfuse_cache_resolve(values, &dc->cache, err, errlen) != 0)
		return EINVAL;
	return 0;
}

static void
cont_free(struct dfuse_cont *dc)
{
	if (dc->dfs != NULL)
		dfs_umount(dc->dfs);
	if (daos_handle_is_valid(dc->coh))
		daos_cont_close(dc->coh, NULL);
	d_free(dc);
}

/* Open, check and mount container @name of @dp, its root into the inode table. */
static int
cont_open(struct dfuse_info *info, struct dfuse_pool *dp, const char *name, bool as_root,
	  struct dfuse_cont **out, char *err, size_t errlen)
{
	int amode = info->read_only ? O_RDONLY : O_RDWR;
	daos_cont_info_t cinfo = { 0 };
	struct dfuse_cont *dc;
	dfs_obj_t *root;
	daos_obj_id_t oid;
	bool existed;
	mode_t mode;
	int rc;

	dc = d_calloc(1, sizeof(*dc));
	if (dc == NULL)
		return errf(err, errlen, ENOMEM, "out of memory");
	dc->dp = dp;
	rc = daos_cont_open(dp->poh, name, info->read_only ? DAOS_COO_RO : DAOS_COO_RW, &dc->coh,
			    &cinfo, NULL);
	if (rc != 0) {
		dc->coh = DAOS_HDL_INVAL;
		cont_free(dc);
		return errf(err, errlen, open_errno(rc),
			    "could not open container %s of pool %s: %s(%d): %s", name, dp->name,
			    DP_RC(rc));
	}
	uuid_copy(dc->uuid, cinfo.ci_uuid);
	/* 7 bits: bit 63 is for dfuse's own directories (the 128th container repeats). */
	dc->ino_salt = (uint64_t)(info->nr_conts++ % 128) << 56;
	rc = cont_check(dc, dp->name, name, err, errlen);
	if (rc == 0)
		rc = cont_cache(info, dc, name, err, errlen);
	if (rc == 0) {
		rc = dfs_mount(dp->poh, dc->coh, amode, &dc->dfs);
		if (rc != 0)
			errf(err, errlen, rc, "could not mount container %s of pool %s: %s", name,
			     dp->name, strerror(rc));
	}
	if (rc == 0) {
		rc = dfs_lookup(dc->dfs, "/", amode, &root, &mode, NULL);
		if (rc == 0)
			rc = dfs_obj2id(root, &oid);
		if (rc != 0)
			errf(err, errlen, rc, "could not open the root of container %s: %s", name,
			     strerror(rc));
	}
	if (rc != 0) {
		cont_free(dc);
		return rc;
	}
	/* This reference is the container's: its root lives as long as the mount. */
	rc = dfuse_itable_add(&info->itable, dc, oid, root, mode, as_root, &dc->root, &existed);
	if (rc != 0) {
		dfs_release(root);
		cont_free(dc);
		return errf(err, errlen, ENOMEM, "out of memory");
	}
	d_list_add_tail(&dc->link, &dp->conts);
	*out = dc;
	return 0;
}

/* The container @name of @dp, opened if not yet (ns_lock held). */
static int
cont_get(struct dfuse_info *info, struct dfuse_pool *dp, const char *name, struct dfuse_cont **out,
	 char *err, size_t errlen)
{
	struct dfuse_cont *dc, *other;
	int rc;

	d_list_for_each_entry(dc, &dp->conts, link) {
		if (name_matches(name, dc->label, dc->uuid)) {
			*out = dc;
			return 0;
		}
	}
	rc = cont_open(info, dp, name, false, &dc, err, errlen);
	if (rc != 0)
		return rc;
	/* Open already under its UUID, and labelled (or relabelled) since: keep that one. */
	d_list_for_each_entry(other, &dp->conts, link) {
		if (other != dc && uuid_compare(other->uuid, dc->uuid) == 0) {
			d_list_del(&dc->link);
			dfuse_itable_put(&info->itable, dc->root);
			cont_free(dc);
			dc = other;
			break;
		}
	}
	*out = dc;
	return 0;
}

/* ---- the namespace ---- */

int
dfuse_ns_start(struct dfuse_info *info, char *err, size_t errlen)
{
	const struct dfuse_opts *o = info->opts;
	struct dfuse_inode *root;
	struct dfuse_pool *dp;
	struct dfuse_cont *dc;
	int rc;

	pthread_mutex_init(&info->ns_lock, NULL);
	D_INIT_LIST_HEAD(&info->pools);
	clock_gettime(CLOCK_REALTIME, &info->started);
	info->kind = o->cont != NULL   ? DFUSE_MOUNT_CONT
		     : o->pool != NULL ? DFUSE_MOUNT_POOL
				       : DFUSE_MOUNT_SYSTEM;
	if (o->disable_caching)
		dfuse_cache_disabled(&info->cache);
	else
		dfuse_cache_defaults(&info->cache);
	rc = dfuse_itable_init(&info->itable, 1 << 14, dfuse_release_obj);
	if (rc != 0)
		return errf(err, errlen, ENOMEM, "out of memory");
	if (info->kind == DFUSE_MOUNT_SYSTEM)
		return vdir_add(info, NULL, DFUSE_IE_SYSTEM, true, &root);

	rc = pool_get(info, o->pool, &dp, err, errlen);
	if (rc != 0)
		return rc;
	if (info->kind == DFUSE_MOUNT_POOL)
		return vdir_add(info, dp, DFUSE_IE_POOL, true, &dp->ie);
	rc = cont_open(info, dp, o->cont, true, &dc, err, errlen);
	if (rc != 0)
		return rc;
	/* The kernel-wide choices follow the one container. */
	info->cache = dc->cache;
	return 0;
}

void
dfuse_ns_stop(struct dfuse_info *info)
{
	struct dfuse_pool *dp, *tp;
	struct dfuse_cont *dc, *tc;

	/* The inodes (and the DFS objects in them) are gone: unmount, close, disconnect. */
	d_list_for_each_entry_safe(dp, tp, &info->pools, link) {
		d_list_for_each_entry_safe(dc, tc, &dp->conts, link) {
			d_list_del(&dc->link);
			cont_free(dc);
		}
		d_list_del(&dp->link);
		pool_free(dp);
	}
	pthread_mutex_destroy(&info->ns_lock);
}

void
dfuse_st_ino(struct dfuse_inode *ie, struct stat *st)
{
	if (ie->kind == DFUSE_IE_DFS)
		st->st_ino ^= ((struct dfuse_cont *)ie->ns)->ino_salt;
	else
		st->st_ino = (ino_t)((1ULL << 63) | ie->ino);
}

void
dfuse_ns_stat(struct dfuse_info *info, struct dfuse_inode *ie, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = (ino_t)((1ULL << 63) | ie->ino);
	st->st_mode = S_IFDIR | (info->read_only ? 0555 : 0755);
	st->st_nlink = 2;
	st->st_uid = info->uid;
	st->st_gid = info->gid;
	st->st_blksize = 4096;
	st->st_atim = info->started;
	st->st_mtim = info->started;
	st->st_ctim = info->started;
}

/* The kernel's reference on @ie (a pool directory or a container's root), and its stat. */
static int
ns_reply_ie(struct dfuse_info *info, struct dfuse_inode *ie, struct dfuse_inode **out,
	    struct stat *st)
{
	struct dfuse_cont *dc;
	int rc;

	if (ie->kind == DFUSE_IE_DFS) {
		dc = ie->ns;
		pthread_mutex_lock(&ie->lock);
		rc = dfs_ostat(dc->dfs, ie->obj, st);
		pthread_mutex_unlock(&ie->lock);
		if (rc != 0) {
			dfuse_itable_put(&info->itable, ie);
			return rc;
		}
	} else {
		dfuse_ns_stat(info, ie, st);
	}
	*out = ie;
	return 0;
}

/*
 * Links that could not be followed are not tried again for NS_FAIL_SEC (under ns_lock): a
 * pool that does not answer would otherwise hold every lookup (and ls -l) of their
 * directory for its timeout, and fill the log.
 */
#define NS_FAILS 16
#define NS_FAIL_SEC 5.0
static struct {
	char value[256];
	double until;
	int rc;
} ns_fails[NS_FAILS];

/* The errno of a recent failure to follow @value, or 0. */
static int
fail_find(const char *value)
{
	double now = dfuse_now();
	int i;

	for (i = 0; i < NS_FAILS; i++)
		if (ns_fails[i].until > now && strcmp(ns_fails[i].value, value) == 0)
			return ns_fails[i].rc;
	return 0;
}

static void
fail_add(const char *value, int rc)
{
	int i, oldest = 0;

	if (strlen(value) >= sizeof(ns_fails[0].value))
		return;
	for (i = 1; i < NS_FAILS; i++)
		if (ns_fails[i].until < ns_fails[oldest].until)
			oldest = i;
	snprintf(ns_fails[oldest].value, sizeof(ns_fails[oldest].value), "%s", value);
	ns_fails[oldest].until = dfuse_now() + NS_FAIL_SEC;
	ns_fails[oldest].rc = rc;
}

int
dfuse_ns_entry_point(struct dfuse_info *info, struct dfuse_cont *from, dfs_obj_t *obj,
		     struct dfuse_inode **out, struct stat *st, char *err, size_t errlen)
{
	char value[1024];
	char *pool = NULL, *cont = NULL;
	struct dfuse_inode *ie = NULL;
	struct dfuse_pool *dp;
	struct dfuse_cont *dc;
	int rc;

	rc = dfs_obj_uns(obj, value, sizeof(value));
	if (rc == ENODATA)
		return rc;
	if (rc != 0)
		return errf(err, errlen, EINVAL, "its user.daos attribute is too long");
	if (dfuse_uns_parse(value, &pool, &cont) != 0)
		return errf(err, errlen, EINVAL,
			    "its user.daos attribute '%s' is not DAOS.POSIX://POOL/CONT", value);
	pthread_mutex_lock(&info->ns_lock);
	rc = fail_find(value);
	if (rc != 0) {
		/* Logged when it failed. */
		err[0] = '\0';
		pthread_mutex_unlock(&info->ns_lock);
		d_free(pool);
		d_free(cont);
		return rc;
	}
	rc = pool_get(info, pool, &dp, err, errlen);
	if (rc == 0)
		rc = cont_get(info, dp, cont, &dc, err, errlen);
	/* Its own container, or the mount's: a directory would contain itself. */
	if (rc == 0 && (dc == from || dc->root->ino == FUSE_ROOT_ID))
		rc = errf(err, errlen, ELOOP, "it links to container %s, which holds it", cont);
	if (rc == 0) {
		ie = dfuse_itable_get(&info->itable, dc->root->ino);
		if (ie == NULL)
			rc = errf(err, errlen, ESTALE, "the root of container %s is gone", cont);
	}
	if (rc != 0)
		fail_add(value, rc);
	pthread_mutex_unlock(&info->ns_lock);
	d_free(pool);
	d_free(cont);
	if (rc != 0)
		return rc;
	return ns_reply_ie(info, ie, out, st);
}

int
dfuse_ns_lookup(struct dfuse_info *info, struct dfuse_inode *dir, const char *name,
		struct dfuse_inode **out, struct stat *st)
{
	char err[512] = "";
	struct dfuse_pool *dp;
	struct dfuse_cont *dc;
	struct dfuse_inode *ie;
	int rc;

	pthread_mutex_lock(&info->ns_lock);
	if (dir->kind == DFUSE_IE_SYSTEM) {
		rc = pool_get(info, name, &dp, err, sizeof(err));
		if (rc == 0 && dp->ie == NULL)
			rc = vdir_add(info, dp, DFUSE_IE_POOL, false, &dp->ie);
		if (rc == 0)
			ie = dp->ie;
	} else {
		rc = cont_get(info, dir->ns, name, &dc, err, sizeof(err));
		if (rc == 0)
			ie = dc->root;
	}
	if (rc == 0) {
		/* The kernel's reference, beside the one the pool or container keeps. */
		ie = dfuse_itable_get(&info->itable, ie->ino);
		if (ie == NULL)
			rc = ESTALE;
	}
	pthread_mutex_unlock(&info->ns_lock);
	if (rc != 0) {
		if (rc == ENOENT)
			D_DEBUG(DB_ANY, "lookup of %s: %s", name, err);
		else
			D_ERROR("lookup of %s: %s", name, err);
		return rc;
	}
	return ns_reply_ie(info, ie, out, st);
}

void
dfuse_ns_list_free(char **names)
{
	char **n;

	if (names == NULL)
		return;
	for (n = names; *n != NULL; n++)
		d_free(*n);
	d_free(names);
}

/* The containers of @dp by label (UUID if none). */
static int
list_conts(struct dfuse_pool *dp, char ***out)
{
	struct daos_pool_cont_info *conts = NULL;
	daos_size_t nr = 0, i;
	char **names;
	int rc;

	/* Count, then list; more may have come meanwhile: try again. */
	for (;;) {
		rc = daos_pool_list_cont(dp->poh, &nr, NULL, NULL);
		if (rc != 0)
			return daos_der2errno(rc);
		d_free(conts);
		conts = d_calloc(nr + 1, sizeof(*conts));
		if (conts == NULL)
			return ENOMEM;
		nr++;
		rc = daos_pool_list_cont(dp->poh, &nr, conts, NULL);
		if (rc != -DER_TRUNC)
			break;
	}
	if (rc != 0) {
		d_free(conts);
		return daos_der2errno(rc);
	}
	names = d_calloc(nr + 1, sizeof(*names));
	if (names == NULL) {
		d_free(conts);
		return ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		char buf[DAOS_PROP_LABEL_MAX_LEN + 1];

		if (conts[i].pci_label[0] != '\0')
			snprintf(buf, sizeof(buf), "%s", conts[i].pci_label);
		else
			uuid_unparse_lower(conts[i].pci_uuid, buf);
		names[i] = d_strdup(buf);
		if (names[i] == NULL) {
			dfuse_ns_list_free(names);
			d_free(conts);
			return ENOMEM;
		}
	}
	d_free(conts);
	*out = names;
	return 0;
}

int
dfuse_ns_list(struct dfuse_info *info, struct dfuse_inode *dir, char ***out)
{
	struct dfuse_pool *dp;
	char **names;
	size_t nr = 0, i = 0;

	if (dir->kind == DFUSE_IE_POOL)
		return list_conts(dir->ns, out);
	/* The system: the pools this mount knows (DAOS clients cannot list them). */
	pthread_mutex_lock(&info->ns_lock);
	d_list_for_each_entry(dp, &info->pools, link)
		nr++;
	names = d_calloc(nr + 1, sizeof(*names));
	if (names != NULL) {
		d_list_for_each_entry(dp, &info->pools, link) {
			names[i] = d_strdup(dp->name);
			if (names[i++] == NULL) {
				dfuse_ns_list_free(names);
				names = NULL;
				break;
			}
		}
	}
	pthread_mutex_unlock(&info->ns_lock);
	if (names == NULL)
		return ENOMEM;
	*out = names;
	return 0;
}

void
dfuse_ns_count(struct dfuse_info *info, uint64_t *pools, uint64_t *conts)
{
	struct dfuse_pool *dp;
	struct dfuse_cont *dc;

	*pools = 0;
	*conts = 0;
	pthread_mutex_lock(&info->ns_lock);
	d_list_for_each_entry(dp, &info->pools, link) {
		(*pools)++;
		d_list_for_each_entry(dc, &dp->conts, link)
			(*conts)++;
	}
	pthread_mutex_unlock(&info->ns_lock);
}
