/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_mount.c - libdfs's life cycle: dfs_init/fini, the connection cache of dfs_connect,
 * POSIX container creation (superblock and root directory), mount and umount, handle
 * sharing, and the OID allocator. The namespace operations are in dfs_ns.c, file I/O in
 * dfs_io.c, the pure codecs in dfs_entry.c; docs/design/dfs.md is the design note.
 *
 * A container is a POSIX namespace when its layout type is POSIX and its ROOTS property
 * names a superblock object whose dkey DFS_SB_METADATA holds our magic and a layout
 * version we read. The superblock also holds the root directory's entry (dkey "/"), so
 * the root has attributes and xattrs like any other entry. The superblock's reader and
 * writer and the root's first entry also serve dfs_repair.c (fix-sb, fix-root).
 *
 * Locking: conn_lock guards the connection cache and the init count; a mount's OID
 * allocator has its own mutex. Everything else of a mount is fixed after mount.
 */
#define D_LOGFAC DD_FAC(dfs)

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dfs/dfs_int.h"

/* ---- the connection cache of dfs_connect() ---- */

/* A pool or container handle shared by the mounts of dfs_connect(). */
struct dfs_hdl {
	d_list_t link; /* in pool_list, or in its pool's conts */
	char *name;    /* label or UUID as given */
	char *sys;     /* pools only: system name, or NULL */
	daos_handle_t h;
	int ref;              /* under conn_lock */
	struct dfs_hdl *pool; /* containers: their pool */
	d_list_t conts;       /* pools: their containers */
};

/* What a mount of dfs_connect() holds. */
struct dfs_conn {
	struct dfs_hdl *pool;
	struct dfs_hdl *cont;
};

static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static D_LIST_HEAD(pool_list);
static int init_count;

D_EXPORT int
dfs_init(void)
{
	int rc;

	rc = daos_init();
	if (rc != 0)
		return dfs_err(rc);
	pthread_mutex_lock(&conn_lock);
	init_count++;
	pthread_mutex_unlock(&conn_lock);
	return 0;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
hdl_free(struct dfs_hdl *h)
{
	d_free(h->name);
	d_free(h->sys);
	d_free(h);
}

/* Drop one reference of container @c (conn_lock held); closes it and its pool at zero. */
static void
cont_put_locked(struct dfs_hdl *c)
{
	struct dfs_hdl *p = c->pool;
	int rc;

	if (--c->ref == 0) {
		rc = daos_cont_close(c->h, NULL);
		if (rc != 0)
			D_ERROR("could not close container %s: " DF_RC, c->name, DP_RC(rc));
		d_list_del(&c->link);
		hdl_free(c);
	}
	if (--p->ref == 0) {
		rc = daos_pool_disconnect(p->h, NULL);
		if (rc != 0)
			D_ERROR("could not disconnect pool %s: " DF_RC, p->name, DP_RC(rc));
		d_list_del(&p->link);
		hdl_free(p);
	}
}

D_EXPORT int
dfs_fini(void)
{
	struct dfs_hdl *p, *ptmp, *c, *ctmp;
	int rc;

	pthread_mutex_lock(&conn_lock);
	if (init_count == 0) {
		pthread_mutex_unlock(&conn_lock);
		return EINVAL;
	}
	if (--init_count == 0) {
		/* Handles still cached belong to mounts never disconnected: close them. */
		d_list_for_each_entry_safe(p, ptmp, &pool_list, link) {
			d_list_for_each_entry_safe(c, ctmp, &p->conts, link) {
				rc = daos_cont_close(c->h, NULL);
				if (rc != 0)
					D_WARN("could not close container %s: " DF_RC, c->name,
					       DP_RC(rc));
				d_list_del(&c->link);
				hdl_free(c);
			}
			rc = daos_pool_disconnect(p->h, NULL);
			if (rc != 0)
				D_WARN("could not disconnect pool %s: " DF_RC, p->name, DP_RC(rc));
			d_list_del(&p->link);
			hdl_free(p);
		}
	}
	pthread_mutex_unlock(&conn_lock);
	rc = daos_fini();
	return dfs_err(rc);
}

/* Find or connect pool @name of @sys (conn_lock held); one reference for the caller. */
static int
pool_get_locked(const char *name, const char *sys, int amode, struct dfs_hdl **out)
{
	unsigned int flags = amode == O_RDONLY ? DAOS_PC_RO : DAOS_PC_RW;
	struct dfs_hdl *p;
	int rc;

	d_list_for_each_entry(p, &pool_list, link) {
		if (str_eq(p->name, name) && str_eq(p->sys, sys)) {
			p->ref++;
			*out = p;
			return 0;
		}
	}
	p = d_calloc(1, sizeof(*p));
	if (p == NULL)
		return -DER_NOMEM;
	D_INIT_LIST_HEAD(&p->conts);
	p->name = d_strdup(name);
	p->sys = sys == NULL ? NULL : d_strdup(sys);
	if (p->name == NULL || (sys != NULL && p->sys == NULL)) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	/* Read-write even for read-only mounts: a later dfs_connect() may write. */
	(void)flags;
	rc = daos_pool_connect(name, sys, DAOS_PC_RW, &p->h, NULL, NULL);
	if (rc != 0)
		goto out_free;
	p->ref = 1;
	d_list_add(&p->link, &pool_list);
	*out = p;
	return 0;

out_free:
	hdl_free(p);
	return rc;
}

/* Find or open container @name of pool @p (conn_lock held), creating it if asked. */
static int
cont_get_locked(struct dfs_hdl *p, const char *name, int flags, dfs_attr_t *attr,
		struct dfs_hdl **out)
{
	struct dfs_hdl *c;
	int rc;

	d_list_for_each_entry(c, &p->conts, link) {
		if (strcmp(c->name, name) == 0) {
			c->ref++;
			*out = c;
			return 0;
		}
	}
	c = d_calloc(1, sizeof(*c));
	if (c == NULL)
		return -DER_NOMEM;
	c->name = d_strdup(name);
	if (c->name == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	rc = daos_cont_open(p->h, name, DAOS_COO_RW, &c->h, NULL, NULL);
	if (rc == -DER_NONEXIST && (flags & O_CREAT)) {
		rc = dfs_cont_create_with_label(p->h, name, attr, NULL, &c->h, NULL);
		if (rc == EEXIST) /* created by someone else meanwhile */
			rc = daos_cont_open(p->h, name, DAOS_COO_RW, &c->h, NULL, NULL);
		else if (rc != 0)
			rc = -rc;
	}
	if (rc != 0)
		goto out_free;
	c->ref = 1;
	c->pool = p;
	d_list_add(&c->link, &p->conts);
	*out = c;
	return 0;

out_free:
	hdl_free(c);
	return rc;
}

D_EXPORT int
dfs_connect(const char *pool, const char *sys, const char *cont, int flags, dfs_attr_t *attr,
	    dfs_t **dfs)
{
	struct dfs_conn *conn;
	struct dfs_hdl *p = NULL, *c = NULL;
	int amode = flags & O_ACCMODE;
	int rc;

	if (pool == NULL || cont == NULL || dfs == NULL)
		return EINVAL;
	if (amode != O_RDONLY && amode != O_RDWR)
		return EINVAL;
	conn = d_calloc(1, sizeof(*conn));
	if (conn == NULL)
		return ENOMEM;
	pthread_mutex_lock(&conn_lock);
	if (init_count == 0) {
		pthread_mutex_unlock(&conn_lock);
		d_free(conn);
		return EACCES;
	}
	rc = pool_get_locked(pool, sys, amode, &p);
	if (rc == 0) {
		rc = cont_get_locked(p, cont, flags, attr, &c);
		if (rc != 0) {
			if (--p->ref == 0) {
				daos_pool_disconnect(p->h, NULL);
				d_list_del(&p->link);
				hdl_free(p);
			}
		}
	}
	pthread_mutex_unlock(&conn_lock);
	if (rc != 0) {
		d_free(conn);
		return dfs_err(rc);
	}
	conn->pool = p;
	conn->cont = c;
	rc = dfs_mount(p->h, c->h, flags & (O_ACCMODE | DFS_BALANCED), dfs);
	if (rc != 0) {
		pthread_mutex_lock(&conn_lock);
		cont_put_locked(c);
		pthread_mutex_unlock(&conn_lock);
		d_free(conn);
		return rc;
	}
	(*dfs)->conn = conn;
	return 0;
}

D_EXPORT int
dfs_disconnect(dfs_t *dfs)
{
	struct dfs_conn *conn;
	daos_handle_t poh, coh;
	bool own;
	int rc;

	if (dfs == NULL || (dfs->conn == NULL && !dfs->own_handles))
		return EINVAL;
	conn = dfs->conn;
	own = dfs->own_handles;
	poh = dfs->poh;
	coh = dfs->coh;
	rc = dfs_umount(dfs);
	if (rc != 0)
		return rc;
	if (conn != NULL) {
		pthread_mutex_lock(&conn_lock);
		cont_put_locked(conn->cont);
		pthread_mutex_unlock(&conn_lock);
		d_free(conn);
	} else if (own) {
		rc = daos_cont_close(coh, NULL);
		if (rc == 0)
			rc = daos_pool_disconnect(poh, NULL);
		return dfs_err(rc);
	}
	return 0;
}

D_EXPORT int
dfs_destroy(const char *pool, const char *sys, const char *cont, int force, daos_event_t *ev)
{
	daos_handle_t poh;
	int rc, rc2;

	if (pool == NULL || cont == NULL)
		return EINVAL;
	if (ev != NULL)
		return ENOTSUP;
	rc = daos_pool_connect(pool, sys, DAOS_PC_RW, &poh, NULL, NULL);
	if (rc != 0)
		return dfs_err(rc);
	rc = daos_cont_destroy(poh, cont, force, NULL);
	rc2 = daos_pool_disconnect(poh, NULL);
	return dfs_err(rc != 0 ? rc : rc2);
}

/* ---- the superblock ---- */

enum sb_field {
	SB_MAGIC,
	SB_VER,
	SB_LAYOUT,
	SB_CHUNK,
	SB_OCLASS,
	SB_DIR_OCLASS,
	SB_FILE_OCLASS,
	SB_MODE,
	SB_HINTS,
	SB_NR,
};

static const struct {
	const char *akey;
	size_t size; /* 0: a string of up to DAOS_CONT_HINT_MAX_LEN bytes */
} sb_fields[SB_NR] = {
	[SB_MAGIC] = { "DFS_MAGIC", 8 },
	[SB_VER] = { "DFS_SB_VERSION", 2 },
	[SB_LAYOUT] = { "DFS_LAYOUT_VERSION", 2 },
	[SB_CHUNK] = { "DFS_CHUNK_SIZE", 8 },
	[SB_OCLASS] = { "DFS_OBJ_CLASS", 4 },
	[SB_DIR_OCLASS] = { "DFS_DIR_OBJ_CLASS", 4 },
	[SB_FILE_OCLASS] = { "DFS_FILE_OBJ_CLASS", 4 },
	[SB_MODE] = { "DFS_MODE", 4 },
	[SB_HINTS] = { "DFS_HINTS", 0 },
};

/* The I/O descriptors of the superblock's fields, over the bytes of @vals. */
static void
sb_iods_init(daos_iod_t *iods, d_sg_list_t *sgls, d_iov_t *iovs,
	     uint8_t vals[SB_NR][DAOS_CONT_HINT_MAX_LEN], bool fetch)
{
	int i;

	for (i = 0; i < SB_NR; i++) {
		size_t size = sb_fields[i].size;

		if (size == 0)
			size = fetch ? DAOS_CONT_HINT_MAX_LEN : strlen((char *)vals[i]);
		d_iov_set(&iods[i].iod_name, (void *)sb_fields[i].akey, strlen(sb_fields[i].akey));
		iods[i].iod_type = DAOS_IOD_SINGLE;
		iods[i].iod_nr = 1;
		iods[i].iod_size = fetch ? DAOS_REC_ANY : size;
		iods[i].iod_recxs = NULL;
		iods[i].iod_flags = 0;
		d_iov_set(&iovs[i], vals[i], size);
		sgls[i].sg_nr = 1;
		sgls[i].sg_nr_out = 0;
		sgls[i].sg_iovs = &iovs[i];
	}
}

int
dfs_sb_write(daos_handle_t oh, const dfs_attr_t *attr)
{
	uint8_t vals[SB_NR][DAOS_CONT_HINT_MAX_LEN] = { { 0 } };
	daos_iod_t iods[SB_NR];
	d_sg_list_t sgls[SB_NR];
	d_iov_t iovs[SB_NR];
	daos_key_t dkey;
	int nr = SB_NR;

	dfs_put_u64(vals[SB_MAGIC], DFS_SB_MAGIC);
	vals[SB_VER][0] = DFS_SB_VERSION;
	vals[SB_LAYOUT][0] = DFS_LAYOUT_VERSION;
	dfs_put_u64(vals[SB_CHUNK], attr->da_chunk_size);
	dfs_put_u32(vals[SB_OCLASS], attr->da_oclass_id);
	dfs_put_u32(vals[SB_DIR_OCLASS], attr->da_dir_oclass_id);
	dfs_put_u32(vals[SB_FILE_OCLASS], attr->da_file_oclass_id);
	dfs_put_u32(vals[SB_MODE], attr->da_mode);
	memcpy(vals[SB_HINTS], attr->da_hints, strnlen(attr->da_hints, DAOS_CONT_HINT_MAX_LEN - 1));
	sb_iods_init(iods, sgls, iovs, vals, false);
	/* An empty value would be a punch: leave the hints out when there are none. */
	if (attr->da_hints[0] == '\0')
		nr--;
	d_iov_set(&dkey, DFS_SB_DKEY, strlen(DFS_SB_DKEY));
	return daos_obj_update(oh, DAOS_TX_NONE, DAOS_COND_DKEY_INSERT, &dkey, (unsigned int)nr,
			       iods, sgls, NULL);
}

int
dfs_sb_read(daos_handle_t oh, dfs_attr_t *attr)
{
	uint8_t vals[SB_NR][DAOS_CONT_HINT_MAX_LEN] = { { 0 } };
	daos_iod_t iods[SB_NR];
	d_sg_list_t sgls[SB_NR];
	d_iov_t iovs[SB_NR];
	daos_key_t dkey;
	uint16_t ver, layout;
	int rc, i;

	sb_iods_init(iods, sgls, iovs, vals, true);
	d_iov_set(&dkey, DFS_SB_DKEY, strlen(DFS_SB_DKEY));
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, DAOS_COND_DKEY_FETCH, &dkey, SB_NR, iods, sgls, NULL,
			    NULL);
	/* As DAOS: no superblock (or no magic in it) is ENOENT, a damaged one EINVAL. */
	if (rc == -DER_NONEXIST || (rc == 0 && iods[SB_MAGIC].iod_size == 0)) {
		D_ERROR("container has no DFS superblock (daos fs fix-sb recreates one)");
		return ENOENT;
	}
	if (rc != 0)
		return dfs_err(rc);
	for (i = 0; i < SB_NR; i++) {
		if (sb_fields[i].size != 0 && iods[i].iod_size != sb_fields[i].size) {
			D_ERROR("DFS superblock field %s has %zu bytes, expected %zu",
				sb_fields[i].akey, (size_t)iods[i].iod_size, sb_fields[i].size);
			return EINVAL;
		}
	}
	if (dfs_get_u64(vals[SB_MAGIC]) != DFS_SB_MAGIC) {
		D_ERROR("bad DFS superblock magic %#" PRIx64, dfs_get_u64(vals[SB_MAGIC]));
		return EINVAL;
	}
	ver = (uint16_t)(vals[SB_VER][0] | vals[SB_VER][1] << 8);
	layout = (uint16_t)(vals[SB_LAYOUT][0] | vals[SB_LAYOUT][1] << 8);
	if (ver > DFS_SB_VERSION || layout != DFS_LAYOUT_VERSION) {
		D_ERROR("DFS superblock version %u layout %u: this library reads %u and %u", ver,
			layout, DFS_SB_VERSION, DFS_LAYOUT_VERSION);
		return EINVAL;
	}
	attr->da_chunk_size = dfs_get_u64(vals[SB_CHUNK]);
	if (attr->da_chunk_size == 0)
		attr->da_chunk_size = DFS_DEFAULT_CHUNK_SIZE;
	attr->da_oclass_id = dfs_get_u32(vals[SB_OCLASS]);
	attr->da_dir_oclass_id = dfs_get_u32(vals[SB_DIR_OCLASS]);
	attr->da_file_oclass_id = dfs_get_u32(vals[SB_FILE_OCLASS]);
	attr->da_mode = dfs_get_u32(vals[SB_MODE]);
	memcpy(attr->da_hints, vals[SB_HINTS],
	       iods[SB_HINTS].iod_size < DAOS_CONT_HINT_MAX_LEN ? iods[SB_HINTS].iod_size
								: DAOS_CONT_HINT_MAX_LEN - 1);
	return 0;
}

/* ---- container creation ---- */

/* The superblock and root ids: fixed user bits, class bits from the pool as it is now. */
static int
roots_generate(daos_handle_t coh, struct daos_prop_co_roots *roots)
{
	int rc;

	memset(roots, 0, sizeof(*roots));
	roots->cr_oids[0].hi = DFS_SB_HI;
	roots->cr_oids[1].hi = DFS_ROOT_HI;
	rc = daos_obj_generate_oid(coh, &roots->cr_oids[0], DAOS_OT_MULTI_HASHED, OC_UNKNOWN, 0, 0);
	if (rc != 0)
		return rc;
	return daos_obj_generate_oid(coh, &roots->cr_oids[1], DAOS_OT_MULTI_HASHED, OC_UNKNOWN, 0,
				     0);
}

void
dfs_root_entry_init(struct dfs_entry *e, daos_obj_id_t root_oid)
{
	memset(e, 0, sizeof(*e));
	clock_gettime(CLOCK_REALTIME, &e->mtime);
	e->ctime = e->mtime;
	e->mode = S_IFDIR | 0755;
	e->oid = root_oid;
	e->uid = geteuid();
	e->gid = getegid();
}

/* Write the superblock and the root's entry into the new container @coh. */
static int
cont_format(daos_handle_t coh, const dfs_attr_t *attr, const struct daos_prop_co_roots *roots)
{
	struct dfs_entry root;
	daos_handle_t oh;
	int rc, rc2;

	rc = daos_obj_open(coh, roots->cr_oids[0], DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return rc;
	rc = dfs_sb_write(oh, attr);
	if (rc != 0)
		goto out_close;
	dfs_root_entry_init(&root, roots->cr_oids[1]);
	rc = dfs_entry_insert(oh, DFS_ROOT_NAME, &root, NULL);
out_close:
	rc2 = daos_obj_close(oh, NULL);
	return rc != 0 ? rc : rc2;
}

int
dfs_attr_defaults(const dfs_attr_t *attr, dfs_attr_t *out)
{
	memset(out, 0, sizeof(*out));
	out->da_chunk_size = DFS_DEFAULT_CHUNK_SIZE;
	if (attr == NULL)
		return 0;
	if (attr->da_mode != DFS_RELAXED && attr->da_mode != DFS_BALANCED)
		return EINVAL;
	if (attr->da_chunk_size != 0)
		out->da_chunk_size = attr->da_chunk_size;
	out->da_id = attr->da_id;
	out->da_oclass_id = attr->da_oclass_id;
	out->da_dir_oclass_id = attr->da_dir_oclass_id;
	out->da_file_oclass_id = attr->da_file_oclass_id;
	out->da_mode = attr->da_mode;
	memcpy(out->da_hints, attr->da_hints, strnlen(attr->da_hints, DAOS_CONT_HINT_MAX_LEN - 1));
	return 0;
}

/*
 * The container's properties: the caller's, then the layout type. A label among the
 * caller's goes when @label is given: it supersedes it, and libdaos takes only one.
 */
static int
cont_props(const dfs_attr_t *attr, const char *label, daos_prop_t **out)
{
	struct daos_prop_entry *e;
	daos_prop_t *ours, *merged;

	ours = daos_prop_alloc(1);
	if (ours == NULL)
		return -DER_NOMEM;
	ours->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	ours->dpp_entries[0].dpe_val = DAOS_PROP_CO_LAYOUT_POSIX;
	if (attr == NULL || attr->da_props == NULL) {
		*out = ours;
		return 0;
	}
	merged = daos_prop_merge(attr->da_props, ours);
	daos_prop_free(ours);
	if (merged == NULL)
		return -DER_NOMEM;
	e = label != NULL ? daos_prop_entry_get(merged, DAOS_PROP_CO_LABEL) : NULL;
	if (e != NULL) {
		d_free(e->dpe_str);
		*e = merged->dpp_entries[--merged->dpp_nr];
	}
	*out = merged;
	return 0;
}

/*
 * The roots' class bits depend on the container's redundancy factor, so their ids are
 * made once the container exists: create it (layout POSIX), open it, generate the ids,
 * store them in the ROOTS property, write the superblock and the root's entry. Until the
 * property is set a mount refuses the container as not formatted; a failure on the way
 * destroys the container again.
 */
static int
cont_create(daos_handle_t poh, const char *label, dfs_attr_t *attr, uuid_t *uuid,
	    daos_handle_t *cohp, dfs_t **dfsp)
{
	struct daos_prop_co_roots roots;
	dfs_attr_t dattr;
	daos_prop_t *prop = NULL;
	daos_handle_t coh;
	uuid_t cuuid;
	char str[37];
	int rc, rc2;

	if (dfsp != NULL && cohp == NULL)
		return EINVAL;
	rc = dfs_attr_defaults(attr, &dattr);
	if (rc != 0)
		return rc;
	rc = cont_props(attr, label, &prop);
	if (rc != 0)
		return dfs_err(rc);
	if (label != NULL)
		rc = daos_cont_create_with_label(poh, label, prop, &cuuid, NULL);
	else
		rc = daos_cont_create(poh, &cuuid, prop, NULL);
	daos_prop_free(prop);
	if (rc != 0)
		return dfs_err(rc);
	uuid_unparse(cuuid, str);
	rc = daos_cont_open(poh, str, DAOS_COO_RW, &coh, NULL, NULL);
	if (rc != 0)
		goto out_destroy;
	/* Now the real ids, and the property updated to hold them. */
	rc = roots_generate(coh, &roots);
	if (rc == 0) {
		prop = daos_prop_alloc(1);
		if (prop == NULL) {
			rc = -DER_NOMEM;
		} else {
			prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_ROOTS;
			rc = daos_prop_entry_set_ptr(&prop->dpp_entries[0], &roots, sizeof(roots));
			if (rc == 0)
				rc = daos_cont_set_prop(coh, prop, NULL);
			daos_prop_free(prop);
		}
	}
	if (rc == 0)
		rc = cont_format(coh, &dattr, &roots);
	if (rc != 0)
		goto out_close;
	if (dfsp != NULL) {
		rc = dfs_mount(poh, coh, O_RDWR, dfsp);
		if (rc != 0) {
			rc = -rc;
			goto out_close;
		}
	}
	if (uuid != NULL)
		uuid_copy(*uuid, cuuid);
	if (cohp != NULL)
		*cohp = coh;
	else
		daos_cont_close(coh, NULL);
	return 0;

out_close:
	daos_cont_close(coh, NULL);
out_destroy:
	rc2 = daos_cont_destroy(poh, str, 1, NULL);
	if (rc2 != 0)
		D_ERROR("could not destroy half-made container %s: " DF_RC, str, DP_RC(rc2));
	return dfs_err(rc);
}

D_EXPORT int
dfs_cont_create(daos_handle_t poh, uuid_t *uuid, dfs_attr_t *attr, daos_handle_t *coh, dfs_t **dfs)
{
	return cont_create(poh, NULL, attr, uuid, coh, dfs);
}

D_EXPORT int
dfs_cont_create_with_label(daos_handle_t poh, const char *label, dfs_attr_t *attr, uuid_t *uuid,
			   daos_handle_t *coh, dfs_t **dfs)
{
	if (label == NULL || !daos_label_is_valid(label))
		return EINVAL;
	return cont_create(poh, label, attr, uuid, coh, dfs);
}

/* ---- mount ---- */

static struct dfs *
dfs_alloc(daos_handle_t poh, daos_handle_t coh)
{
	struct dfs *dfs = d_calloc(1, sizeof(*dfs));

	if (dfs == NULL)
		return NULL;
	dfs->poh = poh;
	dfs->coh = coh;
	pthread_mutex_init(&dfs->oid_lock, NULL);
	pthread_mutex_init(&dfs->ref_lock, NULL);
	return dfs;
}

static void
dfs_free(struct dfs *dfs)
{
	pthread_mutex_destroy(&dfs->oid_lock);
	pthread_mutex_destroy(&dfs->ref_lock);
	d_free(dfs->prefix);
	d_free(dfs);
}

int
dfs_cont_roots_get(daos_handle_t coh, uint64_t *layout, struct daos_prop_co_roots *roots)
{
	struct daos_prop_entry *e;
	daos_prop_t *prop;
	int rc;

	prop = daos_prop_alloc(2);
	if (prop == NULL)
		return -DER_NOMEM;
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_ROOTS;
	rc = daos_cont_query(coh, NULL, prop, NULL);
	if (rc != 0)
		goto out;
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_LAYOUT_TYPE);
	*layout = e != NULL ? e->dpe_val : DAOS_PROP_CO_LAYOUT_UNKNOWN;
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_ROOTS);
	if (e == NULL || e->dpe_val_ptr == NULL)
		memset(roots, 0, sizeof(*roots));
	else
		memcpy(roots, e->dpe_val_ptr, sizeof(*roots));
out:
	daos_prop_free(prop);
	return rc;
}

bool
dfs_roots_are_set(const struct daos_prop_co_roots *roots)
{
	/* Class bits unset (hi just the user bits): the container's creation did not finish. */
	return !daos_obj_id_is_nil(roots->cr_oids[0]) && !daos_obj_id_is_nil(roots->cr_oids[1]) &&
	       roots->cr_oids[1].hi != DFS_ROOT_HI;
}

D_EXPORT int
dfs_mount(daos_handle_t poh, daos_handle_t coh, int flags, dfs_t **dfsp)
{
	struct daos_prop_co_roots roots;
	int amode = flags & O_ACCMODE;
	uint64_t layout;
	struct dfs *dfs;
	int rc;

	if (dfsp == NULL || (amode != O_RDONLY && amode != O_RDWR))
		return EINVAL;
	rc = dfs_cont_roots_get(coh, &layout, &roots);
	if (rc != 0)
		return dfs_err(rc);
	if (layout != DAOS_PROP_CO_LAYOUT_POSIX) {
		D_ERROR("container layout type is %" PRIu64 ", not POSIX: cannot mount it", layout);
		return EINVAL;
	}
	if (!dfs_roots_are_set(&roots)) {
		D_ERROR("POSIX container has no DFS roots: not formatted");
		return EINVAL;
	}
	dfs = dfs_alloc(poh, coh);
	if (dfs == NULL)
		return ENOMEM;
	dfs->amode = amode;
	dfs->sb_oid = roots.cr_oids[0];
	dfs->root_oid = roots.cr_oids[1];
	rc = daos_obj_open(coh, dfs->sb_oid, amode == O_RDWR ? DAOS_OO_RW : DAOS_OO_RO, &dfs->sb_oh,
			   NULL);
	if (rc != 0) {
		rc = dfs_err(rc);
		goto out_free;
	}
	rc = dfs_sb_read(dfs->sb_oh, &dfs->attr);
	if (rc != 0)
		goto out_close;
	dfs->cmode = dfs->attr.da_mode;
	if (dfs->cmode == DFS_BALANCED && !(flags & DFS_BALANCED)) {
		D_ERROR("container was created in balanced mode: mount it with DFS_BALANCED");
		rc = EPERM;
		goto out_close;
	}
	if (flags & DFS_BALANCED)
		dfs->cmode = DFS_BALANCED;
	/* The same in every process mounting the container. */
	dfs->dev = (dev_t)(dfs->root_oid.hi ^ dfs->root_oid.lo);
	rc = dfs_root_open(dfs);
	if (rc != 0)
		goto out_close;
	*dfsp = dfs;
	return 0;

out_close:
	daos_obj_close(dfs->sb_oh, NULL);
out_free:
	dfs_free(dfs);
	return rc;
}

D_EXPORT int
dfs_umount(dfs_t *dfs)
{
	int rc;

	if (dfs == NULL)
		return EINVAL;
	pthread_mutex_lock(&dfs->ref_lock);
	if (dfs->nr_pool_refs != 0 || dfs->nr_cont_refs != 0) {
		pthread_mutex_unlock(&dfs->ref_lock);
		return EBUSY;
	}
	pthread_mutex_unlock(&dfs->ref_lock);
	dfs_obj_free(dfs->root);
	rc = daos_obj_close(dfs->sb_oh, NULL);
	if (rc != 0)
		D_WARN("could not close the DFS superblock: " DF_RC, DP_RC(rc));
	dfs_free(dfs);
	return 0;
}

D_EXPORT int
dfs_pool_get(dfs_t *dfs, daos_handle_t *poh)
{
	if (dfs == NULL || poh == NULL)
		return EINVAL;
	pthread_mutex_lock(&dfs->ref_lock);
	dfs->nr_pool_refs++;
	pthread_mutex_unlock(&dfs->ref_lock);
	*poh = dfs->poh;
	return 0;
}

D_EXPORT int
dfs_pool_put(dfs_t *dfs, daos_handle_t poh)
{
	int rc = 0;

	if (dfs == NULL || poh.cookie != dfs->poh.cookie)
		return EINVAL;
	pthread_mutex_lock(&dfs->ref_lock);
	if (dfs->nr_pool_refs == 0)
		rc = EINVAL;
	else
		dfs->nr_pool_refs--;
	pthread_mutex_unlock(&dfs->ref_lock);
	return rc;
}

D_EXPORT int
dfs_cont_get(dfs_t *dfs, daos_handle_t *coh)
{
	if (dfs == NULL || coh == NULL)
		return EINVAL;
	pthread_mutex_lock(&dfs->ref_lock);
	dfs->nr_cont_refs++;
	pthread_mutex_unlock(&dfs->ref_lock);
	*coh = dfs->coh;
	return 0;
}

D_EXPORT int
dfs_cont_put(dfs_t *dfs, daos_handle_t coh)
{
	int rc = 0;

	if (dfs == NULL || coh.cookie != dfs->coh.cookie)
		return EINVAL;
	pthread_mutex_lock(&dfs->ref_lock);
	if (dfs->nr_cont_refs == 0)
		rc = EINVAL;
	else
		dfs->nr_cont_refs--;
	pthread_mutex_unlock(&dfs->ref_lock);
	return rc;
}

D_EXPORT int
dfs_query(dfs_t *dfs, dfs_attr_t *attr)
{
	if (dfs == NULL || attr == NULL)
		return EINVAL;
	*attr = dfs->attr;
	attr->da_mode = dfs->cmode;
	attr->da_props = NULL;
	return 0;
}

D_EXPORT int
dfs_set_prefix(dfs_t *dfs, const char *prefix)
{
	char *copy = NULL;
	size_t len = 0;

	if (dfs == NULL)
		return EINVAL;
	if (prefix != NULL) {
		if (prefix[0] != '/')
			return EINVAL;
		len = strnlen(prefix, DFS_MAX_PATH);
		if (len >= DFS_MAX_PATH)
			return ENAMETOOLONG;
		copy = d_strdup(prefix);
		if (copy == NULL)
			return ENOMEM;
		/* "/mnt/dfs/" and "/mnt/dfs" are the same prefix. */
		while (len > 1 && copy[len - 1] == '/')
			copy[--len] = '\0';
	}
	d_free(dfs->prefix);
	dfs->prefix = copy;
	dfs->prefix_len = len;
	return 0;
}

D_EXPORT int
dfs_sync(dfs_t *dfs)
{
	if (dfs == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR)
		return EPERM;
	return 0;
}

/* ---- sharing ---- */

D_EXPORT int
dfs_local2global(dfs_t *dfs, d_iov_t *glob)
{
	if (dfs == NULL || glob == NULL)
		return EINVAL;
	if (glob->iov_buf == NULL) {
		glob->iov_buf_len = DFS_GLOB_SIZE;
		return 0;
	}
	if (glob->iov_buf_len < DFS_GLOB_SIZE)
		return ERANGE;
	dfs_glob_encode(dfs, glob->iov_buf);
	glob->iov_len = DFS_GLOB_SIZE;
	return 0;
}

D_EXPORT int
dfs_global2local(daos_handle_t poh, daos_handle_t coh, int flags, d_iov_t glob, dfs_t **dfsp)
{
	struct dfs *dfs;
	int amode = flags & O_ACCMODE;
	int rc;

	if (dfsp == NULL || glob.iov_buf == NULL)
		return EINVAL;
	dfs = dfs_alloc(poh, coh);
	if (dfs == NULL)
		return ENOMEM;
	rc = dfs_glob_decode(glob.iov_buf, glob.iov_len, dfs);
	if (rc != 0) {
		rc = EINVAL;
		goto out_free;
	}
	if (flags != 0) {
		if (amode != O_RDONLY && amode != O_RDWR) {
			rc = EINVAL;
			goto out_free;
		}
		dfs->amode = amode;
	}
	dfs->attr.da_mode = dfs->cmode;
	rc = daos_obj_open(coh, dfs->sb_oid, dfs->amode == O_RDWR ? DAOS_OO_RW : DAOS_OO_RO,
			   &dfs->sb_oh, NULL);
	if (rc != 0) {
		rc = dfs_err(rc);
		goto out_free;
	}
	rc = dfs_root_open(dfs);
	if (rc != 0) {
		daos_obj_close(dfs->sb_oh, NULL);
		goto out_free;
	}
	*dfsp = dfs;
	return 0;

out_free:
	dfs_free(dfs);
	return rc;
}

/*
 * The _all blob: u32 magic, u32 pool len, u32 cont len, u32 dfs len, then the three
 * blobs of daos_pool_local2global, daos_cont_local2global and dfs_local2global.
 */
#define DFS_ALL_MAGIC 0xda05a11aU

D_EXPORT int
dfs_local2global_all(dfs_t *dfs, d_iov_t *glob)
{
	d_iov_t p = { 0 }, c = { 0 }, d = { 0 };
	uint8_t *buf;
	size_t need;
	int rc;

	if (dfs == NULL || glob == NULL)
		return EINVAL;
	rc = daos_pool_local2global(dfs->poh, &p);
	if (rc == 0)
		rc = daos_cont_local2global(dfs->coh, &c);
	if (rc != 0)
		return dfs_err(rc);
	d.iov_buf_len = DFS_GLOB_SIZE;
	need = 16 + p.iov_buf_len + c.iov_buf_len + d.iov_buf_len;
	if (glob->iov_buf == NULL) {
		glob->iov_buf_len = need;
		return 0;
	}
	if (glob->iov_buf_len < need)
		return ERANGE;
	buf = glob->iov_buf;
	dfs_put_u32(buf, DFS_ALL_MAGIC);
	dfs_put_u32(buf + 4, (uint32_t)p.iov_buf_len);
	dfs_put_u32(buf + 8, (uint32_t)c.iov_buf_len);
	dfs_put_u32(buf + 12, (uint32_t)d.iov_buf_len);
	d_iov_set(&p, buf + 16, p.iov_buf_len);
	d_iov_set(&c, buf + 16 + p.iov_buf_len, c.iov_buf_len);
	d_iov_set(&d, buf + 16 + p.iov_buf_len + c.iov_buf_len, d.iov_buf_len);
	rc = daos_pool_local2global(dfs->poh, &p);
	if (rc == 0)
		rc = daos_cont_local2global(dfs->coh, &c);
	if (rc != 0)
		return dfs_err(rc);
	dfs_glob_encode(dfs, d.iov_buf);
	glob->iov_len = need;
	return 0;
}

D_EXPORT int
dfs_global2local_all(int flags, d_iov_t glob, dfs_t **dfsp)
{
	daos_handle_t poh, coh;
	const uint8_t *buf = glob.iov_buf;
	uint32_t plen, clen, dlen;
	d_iov_t p, c, d;
	int rc;

	if (dfsp == NULL || buf == NULL || glob.iov_len < 16 || dfs_get_u32(buf) != DFS_ALL_MAGIC)
		return EINVAL;
	plen = dfs_get_u32(buf + 4);
	clen = dfs_get_u32(buf + 8);
	dlen = dfs_get_u32(buf + 12);
	if ((uint64_t)plen + clen + dlen > glob.iov_len - 16)
		return EINVAL;
	d_iov_set(&p, (void *)(buf + 16), plen);
	d_iov_set(&c, (void *)(buf + 16 + plen), clen);
	d_iov_set(&d, (void *)(buf + 16 + plen + clen), dlen);
	rc = daos_pool_global2local(p, &poh);
	if (rc != 0)
		return dfs_err(rc);
	rc = daos_cont_global2local(poh, c, &coh);
	if (rc != 0)
		goto out_pool;
	rc = dfs_global2local(poh, coh, flags, d, dfsp);
	if (rc != 0) {
		daos_cont_close(coh, NULL);
		daos_pool_disconnect(poh, NULL);
		return rc;
	}
	(*dfsp)->own_handles = true;
	return 0;

out_pool:
	daos_pool_disconnect(poh, NULL);
	return dfs_err(rc);
}

/* ---- object ids ---- */

int
dfs_oid_alloc(struct dfs *dfs, enum daos_otype_t type, daos_oclass_id_t cid, daos_obj_id_t *oid)
{
	daos_obj_id_t o = { 0 };
	uint64_t lo;
	int rc = 0;

	pthread_mutex_lock(&dfs->oid_lock);
	/* lo 0 is the superblock's and the root's; ids from the container start above. */
	while (!dfs->oid_valid || dfs->oid_hi == UINT32_MAX) {
		rc = daos_cont_alloc_oids(dfs->coh, 1, &lo, NULL);
		if (rc != 0)
			break;
		if (lo == 0)
			continue;
		dfs->oid_lo = lo;
		dfs->oid_hi = 0;
		dfs->oid_valid = true;
	}
	if (rc == 0) {
		o.lo = dfs->oid_lo;
		o.hi = dfs->oid_hi++;
	}
	pthread_mutex_unlock(&dfs->oid_lock);
	if (rc != 0)
		return rc;
	rc = daos_obj_generate_oid(dfs->coh, &o, type, cid, 0, 0);
	if (rc != 0)
		return rc;
	*oid = o;
	return 0;
}
