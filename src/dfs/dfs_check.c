/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_check.c - the namespace checker (dfs_cont_check) and scanner (dfs_cont_scan) of a
 * POSIX container, as `daos fs check` and `daos fs scan` run them.
 *
 * The checker opens the container exclusively (so nothing changes under it), takes a
 * snapshot and opens the object ID table of that epoch (daos_oit_open: every object of
 * the container, cl_oit.c), marks the superblock, the root and every object reached by
 * walking the namespace from the root, then visits the objects left unmarked: leaked
 * ones, which no entry names (a crash between creating an object and inserting its entry,
 * or between removing an entry and punching its object, or a damaged directory). Each is
 * counted and, with the flags, printed, punched, or given an entry "<hi>.<lo>" under
 * /lost+found/<name or the start time>/. The snapshot goes at the end.
 *
 * Relinking takes two passes over the unmarked objects, as DAOS's checker does. Pass 1
 * marks the objects named by the entries of every leaked directory: those stay reachable
 * through the directory once it is relinked, so relinking them too would give them two
 * names. The directories are those unmarked before pass 1 starts (listed first, then
 * walked), so a directory marked by its leaked parent still has its own entries marked.
 * Pass 2 relinks what is left, the tops of leaked subtrees: a directory for objects of
 * the type DFS gives directories, else a regular file whose chunk size is guessed from its
 * data (dfs_chunk_size_guess(): the container's, or more if a chunk holds more), since
 * the entry that held it is lost. Without relink there is one pass, over every leaked
 * object.
 *
 * The walk reads the directory objects itself (their dkeys are the entry names, each with
 * an inode) instead of going through dfs_lookup_rel(), so symbolic links are never
 * followed and a damaged entry does not stop the walk. A symbolic link has an object id
 * but no object: marking it finds nothing, which is fine. A damaged entry (an inode that
 * does not decode, or whose type does not match its object's: what `daos fs fix-entry
 * --type` repairs) is reported; its object id is still marked, and followed if the id is
 * a directory's, so that a damaged entry does not make its subtree look leaked.
 *
 * Reports are lines handed to the caller's function (the daos CLI prints them): a
 * library never writes to stdout. DAOS's dfs_cont_check()/dfs_cont_scan() print them;
 * ours are silent and log at INFO, and dfs_cont_check_report()/dfs_cont_scan_report()
 * give the lines and the counts.
 */
#define D_LOGFAC DD_FAC(dfs)

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dfs/dfs_int.h"

/* Names asked for per dkey listing call, and room for them. */
#define WALK_BATCH 64
#define WALK_BUF (WALK_BATCH * (DFS_MAX_NAME + 1))
/* OIDs per OIT listing call. */
#define OIT_BATCH 256
/* Deeper than this is a loop (a damaged namespace), not a tree. */
#define WALK_DEPTH_MAX 4096
#define LOST_FOUND "lost+found"

struct report {
	dfs_report_fn fn;
	void *arg;
	const char *who; /* "DFS checker", "DFS scanner" */
};

static void report(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
report(struct report *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (r->fn != NULL)
		r->fn(r->arg, line);
	else
		D_INFO("%s", line);
}

/* The local time as DAOS's checker names it: YYYY-MM-DD-HH:MM:SS. */
static void
stamp(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d-%H:%M:%S", &tm);
}

static uint64_t
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* ---- the walk ---- */

struct walk;
/*
 * Called for each entry @name of a directory at @depth (the root's entries: 1), whose
 * path is w->path; e->mode is 0 for a damaged entry (only e->oid is known). Called with
 * @name NULL when a directory is done.
 */
typedef int (*walk_fn)(struct walk *w, const char *name, const struct dfs_entry *e, uint32_t depth);

struct walk {
	struct dfs *dfs;
	walk_fn fn;
	uint64_t nr_entries;   /* every entry seen */
	uint64_t nr_in_dir;    /* entries of the directory being listed */
	uint32_t max_depth;    /* deepest directory level reached */
	struct report *report; /* progress lines */
	uint64_t start;        /* now_sec() at the start */
	uint64_t next_report;  /* nr_entries of the next progress line */
	void *arg;
	char path[DFS_MAX_PATH]; /* of the directory being listed ("" for the root) */
};

/*
 * Read the inode of entry @name of directory @oh: -DER_NONEXIST if there is none. A
 * damaged one (it does not decode, or its type is not its object's) is returned with mode
 * 0 and the object id of its bytes.
 */
static int
inode_read(daos_handle_t oh, const char *name, struct dfs_entry *e)
{
	uint8_t ibuf[DFS_INODE_SIZE];
	daos_recx_t recx = { .rx_idx = 0, .rx_nr = DFS_INODE_SIZE };
	daos_iod_t iod = { 0 };
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;
	int rc;

	d_iov_set(&dkey, (void *)name, strlen(name));
	d_iov_set(&iod.iod_name, DFS_INODE_AKEY, strlen(DFS_INODE_AKEY));
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = 1;
	iod.iod_nr = 1;
	iod.iod_recxs = &recx;
	d_iov_set(&iov, ibuf, sizeof(ibuf));
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	rc = daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dkey, 1, &iod, &sgl, NULL, NULL);
	if (rc != 0)
		return rc;
	/* a dkey without an inode (xattrs left by a torn remove): no entry */
	if (iod.iod_size == 0 || sgl.sg_nr_out == 0 || iov.iov_len == 0)
		return -DER_NONEXIST;
	if (dfs_entry_decode(ibuf, sizeof(ibuf), e) == 0 && dfs_entry_type_matches(e->mode, e->oid))
		return 0;
	memset(e, 0, sizeof(*e));
	e->oid.hi = dfs_get_u64(ibuf + DFS_OFF_OID);
	e->oid.lo = dfs_get_u64(ibuf + DFS_OFF_OID + 8);
	return 0;
}

/* Whether the walk goes into entry @e: directories, and damaged entries naming one. */
static bool
walk_descends(const struct dfs_entry *e)
{
	if (e->mode != 0)
		return S_ISDIR(e->mode);
	return !daos_obj_id_is_nil(e->oid) && daos_obj_id2type(e->oid) == DAOS_OT_MULTI_HASHED;
}

typedef int (*dir_entry_fn)(const char *name, const struct dfs_entry *e, void *arg);

/*
 * Call @fn on each entry of directory @oid, listed WALK_BATCH names at a time. Names no
 * entry can have, and dkeys without an inode, are skipped; an entry that does not read
 * is logged and skipped. Stops at the first error, or non-zero return of @fn.
 */
static int
dir_each(struct dfs *dfs, daos_obj_id_t oid, dir_entry_fn fn, void *arg)
{
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	char name[DFS_MAX_NAME + 1];
	daos_key_desc_t *kds;
	struct dfs_entry e;
	daos_handle_t oh;
	d_sg_list_t sgl;
	d_iov_t iov;
	char *buf;
	int rc;

	rc = daos_obj_open(dfs->coh, oid, DAOS_OO_RO, &oh, NULL);
	if (rc != 0)
		return rc;
	kds = d_calloc(WALK_BATCH, sizeof(*kds));
	buf = d_malloc(WALK_BUF);
	if (kds == NULL || buf == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	while (rc == 0 && !daos_anchor_is_eof(&anchor)) {
		uint32_t nr = WALK_BATCH;
		size_t off = 0;
		uint32_t i;

		d_iov_set(&iov, buf, WALK_BUF);
		sgl.sg_nr = 1;
		sgl.sg_nr_out = 0;
		sgl.sg_iovs = &iov;
		rc = daos_obj_list_dkey(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL);
		for (i = 0; rc == 0 && i < nr; i++) {
			size_t len = kds[i].kd_key_len;

			off += len;
			if (len == 0 || len > DFS_MAX_NAME)
				continue; /* no name an entry can have */
			memcpy(name, buf + off - len, len);
			name[len] = '\0';
			rc = inode_read(oh, name, &e);
			if (rc != 0) {
				if (rc != -DER_NONEXIST)
					D_ERROR("could not read entry %s: " DF_RC, name, DP_RC(rc));
				rc = 0;
				continue;
			}
			rc = fn(name, &e, arg);
		}
	}
out:
	d_free(kds);
	d_free(buf);
	daos_obj_close(oh, NULL);
	return rc;
}

static int walk_dir(struct walk *w, daos_obj_id_t oid, uint32_t depth);

/* Where a walk is: its state and the depth of the entries being listed. */
struct walk_at {
	struct walk *w;
	uint32_t depth;
};

/* One entry of the walk: count and report it, visit it, go into it. */
static int
walk_entry(const char *name, const struct dfs_entry *e, void *arg)
{
	struct walk_at *at = arg;
	struct walk *w = at->w;
	size_t plen;
	int rc;

	w->nr_entries++;
	w->nr_in_dir++;
	if (w->report != NULL && w->nr_entries >= w->next_report) {
		report(w->report,
		       "%s: Scanned %" PRIu64 " files/directories (runtime: %" PRIu64 " sec)",
		       w->report->who, w->nr_entries, now_sec() - w->start);
		w->next_report += 100000;
	}
	rc = w->fn(w, name, e, at->depth);
	if (rc != 0 || !walk_descends(e))
		return rc;
	plen = strlen(w->path);
	snprintf(w->path + plen, sizeof(w->path) - plen, "/%s", name);
	rc = walk_dir(w, e->oid, at->depth + 1);
	w->path[plen] = '\0';
	/* A damaged entry's id may name nothing sensible: not a reason to stop. */
	if (rc != 0 && e->mode == 0) {
		D_ERROR("could not list damaged entry %s: " DF_RC, name, DP_RC(rc));
		rc = 0;
	}
	return rc;
}

/* Visit every entry under directory @oid, whose entries are at @depth. */
static int
walk_dir(struct walk *w, daos_obj_id_t oid, uint32_t depth)
{
	struct walk_at at = { .w = w, .depth = depth };
	uint64_t saved = w->nr_in_dir;
	int rc;

	if (depth > WALK_DEPTH_MAX) {
		D_ERROR("directory " DF_OID " is deeper than %u levels: a loop?", DP_OID(oid),
			WALK_DEPTH_MAX);
		return -DER_MISMATCH;
	}
	if (depth > w->max_depth)
		w->max_depth = depth;
	w->nr_in_dir = 0;
	rc = dir_each(w->dfs, oid, walk_entry, &at);
	/* the directory is done: the callback may read nr_in_dir */
	if (rc == 0)
		rc = w->fn(w, NULL, NULL, depth);
	w->nr_in_dir = saved;
	return rc;
}

/* ---- opening ---- */

static int
cont_mount(daos_handle_t poh, const char *cont, unsigned int coflags, int amode, daos_handle_t *coh,
	   struct dfs **dfs)
{
	int rc;

	rc = daos_cont_open(poh, cont, coflags, coh, NULL, NULL);
	if (rc != 0) {
		D_ERROR("could not open container %s: " DF_RC, cont, DP_RC(rc));
		return rc;
	}
	rc = dfs_mount(poh, *coh, amode, dfs);
	if (rc != 0) {
		D_ERROR("could not mount container %s: %d", cont, rc);
		daos_cont_close(*coh, NULL);
		return -daos_errno2der(rc);
	}
	return 0;
}

/* ---- the checker ---- */

struct check {
	struct report rep;
	struct dfs *dfs;
	daos_handle_t oit;
	uint64_t flags;
	uint64_t nr_marked;
	uint64_t nr_leaked;
	struct dfs_obj *lf_dir; /* relink: /lost+found/<name> */
};

static int
oid_mark(struct check *c, daos_obj_id_t oid)
{
	uint8_t one = 1;
	d_iov_t marker;
	int rc;

	d_iov_set(&marker, &one, 1);
	rc = daos_oit_mark(c->oit, oid, &marker, NULL);
	/* symbolic links, and objects never written (empty files): not in the table */
	return rc == -DER_NONEXIST ? 0 : rc;
}

static int
check_entry(struct walk *w, const char *name, const struct dfs_entry *e, uint32_t depth)
{
	struct check *c = w->arg;

	(void)depth;
	if (name == NULL)
		return 0;
	c->nr_marked++;
	if (e->mode == 0)
		report(&c->rep, "%s: damaged entry %s/%s (daos fs fix-entry --type repairs it)",
		       c->rep.who, w->path, name);
	return oid_mark(c, e->oid);
}

/* Make /lost+found/@name (or reuse it), open for inserting entries. */
static int
lf_open(struct check *c, const char *name)
{
	struct dfs_obj *lf = NULL;
	mode_t mode;
	int rc;

	rc = dfs_mkdir(c->dfs, NULL, LOST_FOUND, S_IFDIR | 0700, 0);
	if (rc != 0 && rc != EEXIST)
		return -daos_errno2der(rc);
	rc = dfs_lookup_rel(c->dfs, NULL, LOST_FOUND, O_RDWR, &lf, &mode, NULL);
	if (rc == 0 && !S_ISDIR(mode))
		rc = ENOTDIR;
	if (rc == 0) {
		rc = dfs_mkdir(c->dfs, lf, name, S_IFDIR | 0700, 0);
		if (rc == EEXIST)
			rc = 0;
	}
	if (rc == 0)
		rc = dfs_lookup_rel(c->dfs, lf, name, O_RDWR, &c->lf_dir, &mode, NULL);
	if (lf != NULL)
		dfs_release(lf);
	if (rc != 0)
		D_ERROR("could not make /%s/%s: %d", LOST_FOUND, name, rc);
	return rc == 0 ? 0 : -daos_errno2der(rc);
}

/* Give leaked @oid the entry "<hi>.<lo>" in the lost+found directory (files: @chunk). */
static int
relink(struct check *c, daos_obj_id_t oid, uint64_t chunk)
{
	enum daos_otype_t type = daos_obj_id2type(oid);
	char name[48];
	struct dfs_entry e = { 0 };

	snprintf(name, sizeof(name), DF_OID, DP_OID(oid));
	clock_gettime(CLOCK_REALTIME, &e.mtime);
	e.ctime = e.mtime;
	e.uid = geteuid();
	e.gid = getegid();
	e.oid = oid;
	if (type == DAOS_OT_MULTI_HASHED) {
		e.mode = S_IFDIR | 0700;
	} else {
		e.mode = S_IFREG | 0600;
		e.chunk_size = chunk;
		e.oclass = daos_obj_id2class(oid);
	}
	return dfs_entry_insert(c->lf_dir->oh, name, &e, NULL);
}

static int
oid_punch(struct check *c, daos_obj_id_t oid)
{
	daos_handle_t oh;
	int rc;

	rc = daos_obj_open(c->dfs->coh, oid, DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return rc;
	rc = daos_obj_punch(oh, DAOS_TX_NONE, 0, NULL);
	daos_obj_close(oh, NULL);
	return rc;
}

/*
 * The chunk size of leaked file @oid, whose entry is lost: how far its chunks reach
 * (dfs_chunk_size_guess()). Each chunk is an integer dkey holding akey "0"; the highest
 * extent of each says how much of its chunk is written.
 */
static int
chunk_guess(struct check *c, daos_obj_id_t oid, uint64_t *chunk)
{
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_key_desc_t kds[WALK_BATCH];
	uint64_t dkeys[WALK_BATCH];
	uint64_t max_end = 0;
	char akey_val = '0';
	daos_handle_t oh;
	d_sg_list_t sgl;
	d_iov_t iov;
	uint32_t i;
	int rc;

	rc = daos_obj_open(c->dfs->coh, oid, DAOS_OO_RO, &oh, NULL);
	if (rc != 0)
		return rc;
	while (rc == 0 && !daos_anchor_is_eof(&anchor)) {
		uint32_t nr = WALK_BATCH;

		d_iov_set(&iov, dkeys, sizeof(dkeys));
		sgl.sg_nr = 1;
		sgl.sg_nr_out = 0;
		sgl.sg_iovs = &iov;
		rc = daos_obj_list_dkey(oh, DAOS_TX_NONE, &nr, kds, &sgl, &anchor, NULL);
		for (i = 0; rc == 0 && i < nr; i++) {
			daos_recx_t recx = { 0 };
			daos_key_t dkey, akey;

			if (kds[i].kd_key_len != sizeof(uint64_t))
				continue; /* not an array's chunk */
			d_iov_set(&dkey, &dkeys[i], sizeof(dkeys[i]));
			d_iov_set(&akey, &akey_val, 1);
			rc = daos_obj_query_key(oh, DAOS_TX_NONE, DAOS_GET_RECX | DAOS_GET_MAX,
						&dkey, &akey, &recx, NULL);
			if (rc == -DER_NONEXIST) {
				rc = 0; /* a chunk punched to a hole */
				continue;
			}
			if (rc == 0 && recx.rx_idx + recx.rx_nr > max_end)
				max_end = recx.rx_idx + recx.rx_nr;
		}
	}
	daos_obj_close(oh, NULL);
	if (rc == 0)
		*chunk = dfs_chunk_size_guess(c->dfs->attr.da_chunk_size, max_end);
	return rc;
}

static void
check_verify(struct check *c, daos_obj_id_t oid)
{
	if ((c->flags & DFS_CHECK_VERIFY) && daos_obj_verify(c->dfs->coh, oid, DAOS_EPOCH_MAX) != 0)
		report(&c->rep, DF_OID " failed data consistency check!", DP_OID(oid));
}

/* Leaked object @oid: counted, and printed, punched or relinked as the flags say. */
static int
check_leaked(struct check *c, daos_obj_id_t oid, uint64_t start)
{
	uint64_t chunk = c->dfs->attr.da_chunk_size;
	int rc = 0;

	check_verify(c, oid);
	if (c->flags & DFS_CHECK_PRINT)
		report(&c->rep, "oid[%" PRIu64 "]: " DF_OID, c->nr_leaked, DP_OID(oid));
	c->nr_leaked++;
	if (c->nr_leaked % 100000 == 0)
		report(&c->rep, "%s: Checked %" PRIu64 " objects (runtime: %" PRIu64 " sec)",
		       c->rep.who, c->nr_leaked, now_sec() - start);
	if (c->flags & DFS_CHECK_REMOVE) {
		rc = oid_punch(c, oid);
	} else if (c->flags & DFS_CHECK_RELINK) {
		if (daos_is_array_type(daos_obj_id2type(oid))) {
			rc = chunk_guess(c, oid, &chunk);
			if (rc == 0 && (c->flags & DFS_CHECK_PRINT) &&
			    chunk != c->dfs->attr.da_chunk_size)
				report(&c->rep,
				       "Adjusting File (" DF_OID ") chunk size to %" PRIu64,
				       DP_OID(oid), chunk);
		}
		if (rc == 0)
			rc = relink(c, oid, chunk);
	}
	if (rc != 0)
		D_ERROR("could not %s leaked object " DF_OID ": " DF_RC,
			(c->flags & DFS_CHECK_REMOVE) ? "punch" : "relink", DP_OID(oid), DP_RC(rc));
	return rc;
}

/* Every object the walk did not reach, @fn called for each; stops at an error. */
static int
unmarked_each(struct check *c, int (*fn)(struct check *c, daos_obj_id_t oid, void *arg), void *arg)
{
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_obj_id_t *oids;
	uint32_t i;
	int rc = 0;

	oids = d_calloc(OIT_BATCH, sizeof(*oids));
	if (oids == NULL)
		return -DER_NOMEM;
	while (rc == 0 && !daos_anchor_is_eof(&anchor)) {
		uint32_t nr = OIT_BATCH;

		rc = daos_oit_list_unmarked(c->oit, oids, &nr, &anchor, NULL);
		for (i = 0; rc == 0 && i < nr; i++)
			rc = fn(c, oids[i], arg);
	}
	d_free(oids);
	return rc;
}

static int
leaked_cb(struct check *c, daos_obj_id_t oid, void *arg)
{
	return check_leaked(c, oid, *(uint64_t *)arg);
}

/* The directories among the leaked objects, gathered before any is walked. */
struct oid_list {
	daos_obj_id_t *oids;
	size_t nr;
	size_t cap;
};

static int
dir_collect_cb(struct check *c, daos_obj_id_t oid, void *arg)
{
	struct oid_list *l = arg;
	daos_obj_id_t *p;

	(void)c;
	if (daos_obj_id2type(oid) != DAOS_OT_MULTI_HASHED)
		return 0;
	if (l->nr == l->cap) {
		size_t cap = l->cap == 0 ? 64 : l->cap * 2;

		p = d_realloc(l->oids, cap * sizeof(*p));
		if (p == NULL)
			return -DER_NOMEM;
		l->oids = p;
		l->cap = cap;
	}
	l->oids[l->nr++] = oid;
	return 0;
}

/* Where dir_mark_entries is: the checker and the leaked directory listed. */
struct mark_at {
	struct check *c;
	daos_obj_id_t dir;
};

static int
mark_entry(const char *name, const struct dfs_entry *e, void *arg)
{
	struct mark_at *at = arg;

	(void)name;
	/* a directory naming itself would hide itself from pass 2 */
	if (e->oid.hi == at->dir.hi && e->oid.lo == at->dir.lo)
		return 0;
	return oid_mark(at->c, e->oid);
}

/* Mark the objects the entries of leaked directory @oid name (one level: see pass 1). */
static int
dir_mark_entries(struct check *c, daos_obj_id_t oid)
{
	struct mark_at at = { .c = c, .dir = oid };

	return dir_each(c->dfs, oid, mark_entry, &at);
}

/* Pass 1 of relink: what leaked directories hold is reachable through them. */
static int
check_mark_leaked_dirs(struct check *c)
{
	struct oid_list l = { 0 };
	size_t i;
	int rc;

	rc = unmarked_each(c, dir_collect_cb, &l);
	for (i = 0; rc == 0 && i < l.nr; i++) {
		rc = dir_mark_entries(c, l.oids[i]);
		if (rc != 0)
			D_ERROR("could not list leaked directory " DF_OID ": " DF_RC,
				DP_OID(l.oids[i]), DP_RC(rc));
	}
	d_free(l.oids);
	return rc;
}

/* The passes over the objects the walk did not reach. */
static int
check_unmarked(struct check *c, uint64_t start)
{
	int rc;

	report(&c->rep, "DFS checker: Checking unmarked OIDs (Pass 1)");
	if (!(c->flags & DFS_CHECK_RELINK))
		return unmarked_each(c, leaked_cb, &start);
	rc = check_mark_leaked_dirs(c);
	if (rc != 0)
		return rc;
	report(&c->rep, "DFS checker: Checking unmarked OIDs (Pass 2)");
	return unmarked_each(c, leaked_cb, &start);
}

/* Objects of the namespace itself that no entry names: the superblock and the root. */
static int
check_mark_fixed(struct check *c)
{
	int rc;

	rc = oid_mark(c, c->dfs->sb_oid);
	if (rc == 0)
		rc = oid_mark(c, c->dfs->root_oid);
	return rc;
}

D_EXPORT int
dfs_cont_check_report(daos_handle_t poh, const char *cont, uint64_t flags, const char *name,
		      dfs_report_fn fn, void *arg, dfs_check_result_t *res)
{
	struct check c = { .rep = { fn, arg, "DFS checker" }, .flags = flags };
	struct walk w = { 0 };
	char when[32];
	daos_handle_t coh;
	daos_epoch_t epoch = 0;
	daos_epoch_range_t epr;
	unsigned int coflags = DAOS_COO_EX;
	uint64_t start = now_sec();
	int rc;

	if (cont == NULL ||
	    (flags & ~(uint64_t)(DFS_CHECK_PRINT | DFS_CHECK_REMOVE | DFS_CHECK_RELINK |
				 DFS_CHECK_VERIFY | DFS_CHECK_EVICT_ALL)) != 0 ||
	    ((flags & DFS_CHECK_REMOVE) && (flags & DFS_CHECK_RELINK)))
		return EINVAL;
	if (name != NULL && dfs_name_check(name) != 0)
		return EINVAL;
	if (flags & DFS_CHECK_EVICT_ALL)
		coflags |= DAOS_COO_EVICT_ALL;
	stamp(when, sizeof(when));
	report(&c.rep, "DFS checker: Start (%s)", when);
	rc = cont_mount(poh, cont, coflags, O_RDWR, &coh, &c.dfs);
	if (rc != 0)
		return dfs_err(rc);

	report(&c.rep, "DFS checker: Create OIT table");
	rc = daos_cont_create_snap(coh, &epoch, NULL, NULL);
	if (rc != 0) {
		D_ERROR("could not snapshot container %s: " DF_RC, cont, DP_RC(rc));
		goto out_umount;
	}
	rc = daos_oit_open(coh, epoch, &c.oit, NULL);
	if (rc != 0) {
		D_ERROR("could not open the object table of container %s: " DF_RC, cont, DP_RC(rc));
		goto out_snap;
	}

	report(&c.rep, "DFS checker: Iterating namespace and marking objects");
	w.dfs = c.dfs;
	w.fn = check_entry;
	w.arg = &c;
	w.report = &c.rep;
	w.start = start;
	w.next_report = 100000;
	rc = check_mark_fixed(&c);
	if (rc == 0)
		rc = walk_dir(&w, c.dfs->root_oid, 1);
	if (rc != 0) {
		D_ERROR("could not walk the namespace of container %s: " DF_RC, cont, DP_RC(rc));
		goto out_oit;
	}
	report(&c.rep,
	       "DFS checker: marked %" PRIu64 " files/directories (runtime: %" PRIu64 " sec))",
	       c.nr_marked, now_sec() - start);

	if (flags & DFS_CHECK_RELINK) {
		rc = lf_open(&c, name != NULL ? name : when);
		if (rc != 0)
			goto out_oit;
		report(&c.rep, "DFS checker: Leaked OIDs will be inserted in /%s/%s", LOST_FOUND,
		       name != NULL ? name : when);
	}
	rc = check_unmarked(&c, start);
	if (rc != 0)
		goto out_oit;
	report(&c.rep, "DFS checker: Done! (runtime: %" PRIu64 " sec)", now_sec() - start);
	report(&c.rep, "DFS checker: Number of leaked OIDs in namespace = %" PRIu64, c.nr_leaked);
	if (res != NULL) {
		memset(res, 0, sizeof(*res));
		res->dcr_nr_marked = c.nr_marked;
		res->dcr_nr_leaked = c.nr_leaked;
		if (flags & DFS_CHECK_RELINK)
			snprintf(res->dcr_lf_dir, sizeof(res->dcr_lf_dir), "/%s/%s", LOST_FOUND,
				 name != NULL ? name : when);
	}

out_oit:
	if (c.lf_dir != NULL)
		dfs_release(c.lf_dir);
	daos_oit_close(c.oit, NULL);
out_snap:
	epr.epr_lo = epoch;
	epr.epr_hi = epoch;
	if (daos_cont_destroy_snap(coh, epr, NULL) != 0)
		D_ERROR("could not destroy the checker's snapshot of container %s", cont);
out_umount:
	dfs_umount(c.dfs);
	daos_cont_close(coh, NULL);
	return dfs_err(rc);
}

D_EXPORT int
dfs_cont_check(daos_handle_t poh, const char *cont, uint64_t flags, const char *name)
{
	return dfs_cont_check_report(poh, cont, flags, name, NULL, NULL, NULL);
}

/* ---- the scanner ---- */

struct scan {
	dfs_scan_result_t res;
};

static int
scan_entry(struct walk *w, const char *name, const struct dfs_entry *e, uint32_t depth)
{
	struct scan *s = w->arg;
	daos_size_t size = 0;
	int rc;

	(void)depth;
	if (name == NULL) {
		/* a directory is done: its entries were counted in nr_in_dir */
		if (w->nr_in_dir > s->res.dsr_largest_dir)
			s->res.dsr_largest_dir = w->nr_in_dir;
		return 0;
	}
	if (S_ISDIR(e->mode)) {
		s->res.dsr_nr_dirs++;
	} else if (S_ISLNK(e->mode)) {
		s->res.dsr_nr_symlinks++;
	} else if (S_ISREG(e->mode)) {
		s->res.dsr_nr_files++;
		rc = dfs_get_size_by_oid(w->dfs, e->oid, e->chunk_size, &size);
		if (rc != 0) {
			D_ERROR("could not get the size of file %s: %d", name, rc);
			return 0;
		}
		s->res.dsr_bytes += size;
		if (size > s->res.dsr_largest_file)
			s->res.dsr_largest_file = size;
	}
	return 0;
}

/* The objects in the container now. */
static int
count_objects(daos_handle_t coh, uint64_t *nr)
{
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	daos_obj_id_t oids[OIT_BATCH];
	daos_handle_t oit;
	int rc;

	*nr = 0;
	rc = daos_oit_open(coh, 0, &oit, NULL);
	while (rc == 0 && !daos_anchor_is_eof(&anchor)) {
		uint32_t n = OIT_BATCH;

		rc = daos_oit_list(oit, oids, &n, &anchor, NULL);
		if (rc == 0)
			*nr += n;
	}
	if (daos_handle_is_valid(oit))
		daos_oit_close(oit, NULL);
	return rc;
}

D_EXPORT int
dfs_cont_scan_report(daos_handle_t poh, const char *cont, uint64_t flags, const char *subdir,
		     dfs_report_fn fn, void *arg, dfs_scan_result_t *res)
{
	struct report rep = { fn, arg, "DFS scanner" };
	struct scan s = { 0 };
	struct walk w = { 0 };
	struct dfs_obj *dir = NULL;
	struct dfs *dfs;
	daos_handle_t coh;
	uint64_t start = now_sec();
	uint64_t avg;
	char when[32];
	mode_t mode;
	int rc;

	(void)flags;
	if (cont == NULL)
		return EINVAL;
	stamp(when, sizeof(when));
	report(&rep, "DFS scanner: Start (%s)", when);
	rc = cont_mount(poh, cont, DAOS_COO_RO, O_RDONLY, &coh, &dfs);
	if (rc != 0)
		return dfs_err(rc);
	rc = count_objects(coh, &s.res.dsr_nr_objects);
	if (rc != 0) {
		D_ERROR("could not list the objects of container %s: " DF_RC, cont, DP_RC(rc));
		goto out;
	}
	if (subdir != NULL) {
		rc = dfs_lookup(dfs, subdir, O_RDONLY, &dir, &mode, NULL);
		if (rc == 0 && !S_ISDIR(mode))
			rc = ENOTDIR;
		rc = -daos_errno2der(rc);
		if (rc != 0)
			goto out;
	}
	w.dfs = dfs;
	w.fn = scan_entry;
	w.arg = &s;
	rc = walk_dir(&w, dir != NULL ? dir->oid : dfs->root_oid, 1);
	if (rc != 0)
		goto out;
	s.res.dsr_max_depth = w.max_depth;
	avg = s.res.dsr_nr_files == 0 ? 0 : s.res.dsr_bytes / s.res.dsr_nr_files;
	report(&rep, "DFS scanner: Done! (runtime: %" PRIu64 " sec)", now_sec() - start);
	report(&rep, "DFS scanner: Number of objects: %" PRIu64, s.res.dsr_nr_objects);
	report(&rep, "DFS scanner: Number of files: %" PRIu64, s.res.dsr_nr_files);
	report(&rep, "DFS scanner: Number of symlinks: %" PRIu64, s.res.dsr_nr_symlinks);
	report(&rep, "DFS scanner: Number of directories: %" PRIu64, s.res.dsr_nr_dirs);
	report(&rep, "DFS scanner: Max directory depth: %" PRIu64, s.res.dsr_max_depth);
	report(&rep, "DFS scanner: Total bytes: %" PRIu64, s.res.dsr_bytes);
	report(&rep, "DFS scanner: Average file size: %" PRIu64, avg);
	report(&rep, "DFS scanner: Largest file size: %" PRIu64, s.res.dsr_largest_file);
	report(&rep, "DFS scanner: Largest directory: %" PRIu64 " entries", s.res.dsr_largest_dir);
	if (res != NULL)
		*res = s.res;
out:
	if (dir != NULL)
		dfs_release(dir);
	dfs_umount(dfs);
	daos_cont_close(coh, NULL);
	return dfs_err(rc);
}

D_EXPORT int
dfs_cont_scan(daos_handle_t poh, const char *cont, uint64_t flags, const char *subdir)
{
	return dfs_cont_scan_report(poh, cont, flags, subdir, NULL, NULL, NULL);
}
