/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_fs_copy.c - `daos filesystem copy --src S --dst D`: files, directories (recursively)
 * and symbolic links between a POSIX file system and a POSIX container, or between two
 * containers. A side is a POSIX path (reached through the kernel) or
 * daos://<pool>/<container>[/<path>] (reached through libdfs, ctx->ops); both sides are
 * the same small table of path-based calls (struct cp_ops), so the walk is written once.
 *
 * Semantics are cp -r's: if the destination exists and is a directory, the source is
 * copied into it under its own name; otherwise it is copied to the destination path.
 * Existing directories are reused, existing files overwritten (truncated), existing
 * links left alone. Modes (the permission bits) are kept; owners and times are not
 * (DFS gives new entries the caller's). Other file types (devices, fifos, sockets) are
 * skipped with a warning on stderr, as DAOS's tool does. The counts printed at the end
 * are DAOS's: directories, files, links.
 */
#define D_LOGFAC DD_FAC(control)

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/daos/dcli_int.h"

#define CP_BUF (1u << 20)
/* Deeper than this is refused: a loop through the kernel side, or a hostile tree. */
#define CP_DEPTH_MAX 512

struct cp_side;

/* One side of a copy, by path. Results are 0 or -DER_*. */
struct cp_ops {
	/* lstat(): the entry itself, links not followed */
	int (*stat)(struct cp_side *s, const char *path, struct stat *st);
	/* make directory @path (0 if it exists as one) */
	int (*mkdir)(struct cp_side *s, const char *path, mode_t mode);
	/* the names in directory @path, without "." and "..": *names is one d_calloc'd array
	 * of @nr pointers into the same block */
	int (*list)(struct cp_side *s, const char *path, char ***names, size_t *nr);
	int (*readlink)(struct cp_side *s, const char *path, char *buf, size_t len);
	int (*symlink)(struct cp_side *s, const char *path, const char *target);
	/* open a file to read, or (@write) create or truncate it with @mode */
	int (*open)(struct cp_side *s, const char *path, bool write, mode_t mode, void **fh);
	int (*read)(struct cp_side *s, void *fh, void *buf, size_t len, uint64_t off, size_t *got);
	int (*write)(struct cp_side *s, void *fh, const void *buf, size_t len, uint64_t off);
	void (*close)(struct cp_side *s, void *fh);
};

struct cp_side {
	const struct cp_ops *ops;
	struct cli_ctx *ctx;
	char pool[DAOS_PROP_LABEL_MAX_LEN + 1]; /* DFS sides */
	char cont[DAOS_PROP_LABEL_MAX_LEN + 1];
	char path[PATH_MAX];
	daos_handle_t poh;
	daos_handle_t coh;
	dfs_t *dfs;
	bool is_daos;
};

struct cp_stats {
	uint64_t dirs;
	uint64_t files;
	uint64_t links;
};

/* ---- names ---- */

/* A names array: pointers then the strings, in one block. */
static int
names_build(char **list, size_t nr, size_t bytes, char ***out)
{
	char **names;
	char *p;
	size_t i;

	names = d_calloc(1, (nr + 1) * sizeof(char *) + bytes + 1);
	if (names == NULL)
		return -DER_NOMEM;
	p = (char *)(names + nr + 1);
	for (i = 0; i < nr; i++) {
		size_t n = strlen(list[i]) + 1;

		memcpy(p, list[i], n);
		names[i] = p;
		p += n;
	}
	*out = names;
	return 0;
}

/* A growing list of copied names, for list(). */
struct name_acc {
	char **v;
	size_t nr;
	size_t cap;
	size_t bytes;
};

static int
acc_add(struct name_acc *a, const char *name)
{
	if (a->nr == a->cap) {
		size_t cap = a->cap == 0 ? 64 : a->cap * 2;
		char **v = d_realloc(a->v, cap * sizeof(*v));

		if (v == NULL)
			return -DER_NOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->nr] = d_strdup(name);
	if (a->v[a->nr] == NULL)
		return -DER_NOMEM;
	a->bytes += strlen(name) + 1;
	a->nr++;
	return 0;
}

static int
acc_finish(struct name_acc *a, int rc, char ***names, size_t *nr)
{
	size_t i;

	if (rc == 0)
		rc = names_build(a->v, a->nr, a->bytes, names);
	if (rc == 0)
		*nr = a->nr;
	for (i = 0; i < a->nr; i++)
		d_free(a->v[i]);
	d_free(a->v);
	return rc;
}

/* ---- the POSIX side: the kernel ---- */

static int
errno_der(void)
{
	return -daos_errno2der(errno);
}

static int
px_stat(struct cp_side *s, const char *path, struct stat *st)
{
	(void)s;
	return lstat(path, st) == 0 ? 0 : errno_der();
}

static int
px_mkdir(struct cp_side *s, const char *path, mode_t mode)
{
	struct stat st;

	(void)s;
	if (mkdir(path, mode) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return errno_der();
}

static int
px_list(struct cp_side *s, const char *path, char ***names, size_t *nr)
{
	struct name_acc a = { 0 };
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	(void)s;
	dir = opendir(path);
	if (dir == NULL)
		return errno_der();
	while (rc == 0 && (d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		rc = acc_add(&a, d->d_name);
	}
	closedir(dir);
	return acc_finish(&a, rc, names, nr);
}

static int
px_readlink(struct cp_side *s, const char *path, char *buf, size_t len)
{
	ssize_t n;

	(void)s;
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return errno_der();
	if ((size_t)n >= len - 1)
		return -DER_TRUNC;
	buf[n] = '\0';
	return 0;
}

static int
px_symlink(struct cp_side *s, const char *path, const char *target)
{
	(void)s;
	if (symlink(target, path) == 0 || errno == EEXIST)
		return 0;
	return errno_der();
}

static int
px_open(struct cp_side *s, const char *path, bool write, mode_t mode, void **fh)
{
	int fd;

	(void)s;
	fd = write ? open(path, O_WRONLY | O_CREAT | O_TRUNC, mode) : open(path, O_RDONLY);
	if (fd < 0)
		return errno_der();
	*fh = (void *)(intptr_t)(fd + 1);
	return 0;
}

static int
px_read(struct cp_side *s, void *fh, void *buf, size_t len, uint64_t off, size_t *got)
{
	ssize_t n;

	(void)s;
	do {
		n = pread((int)(intptr_t)fh - 1, buf, len, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno_der();
	*got = (size_t)n;
	return 0;
}

static int
px_write(struct cp_side *s, void *fh, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	(void)s;
	while (done < len) {
		n = pwrite((int)(intptr_t)fh - 1, (const char *)buf + done, len - done,
			   (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno_der() : -DER_IO;
		done += (size_t)n;
	}
	return 0;
}

static void
px_close(struct cp_side *s, void *fh)
{
	(void)s;
	close((int)(intptr_t)fh - 1);
}

static const struct cp_ops posix_ops = {
	.stat = px_stat,
	.mkdir = px_mkdir,
	.list = px_list,
	.readlink = px_readlink,
	.symlink = px_symlink,
	.open = px_open,
	.read = px_read,
	.write = px_write,
	.close = px_close,
};

/* ---- the DFS side: libdfs through ctx->ops ---- */

static int
der(int err)
{
	return err == 0 ? 0 : -daos_errno2der(err);
}

/* Split @path into its parent (looked up) and its last component (in @name). */
static int
df_parent(struct cp_side *s, const char *path, dfs_obj_t **parent, char *name, size_t len)
{
	const struct dcli_ops *o = s->ctx->ops;
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	mode_t mode;

	if (slash == NULL || slash[1] == '\0' || strlen(slash + 1) >= len)
		return -DER_INVAL;
	snprintf(name, len, "%s", slash + 1);
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return der(o->dfs_lookup(s->dfs, dir, O_RDWR, parent, &mode, NULL));
}

static int
df_stat(struct cp_side *s, const char *path, struct stat *st)
{
	const struct dcli_ops *o = s->ctx->ops;
	dfs_obj_t *obj;
	mode_t mode;
	int rc;

	rc = der(o->dfs_lookup(s->dfs, path, O_RDONLY | O_NOFOLLOW, &obj, &mode, st));
	if (rc == 0)
		o->dfs_release(obj);
	return rc;
}

static int
df_mkdir(struct cp_side *s, const char *path, mode_t mode)
{
	const struct dcli_ops *o = s->ctx->ops;
	char name[NAME_MAX + 1];
	dfs_obj_t *parent;
	dfs_obj_t *dir;
	struct stat st;
	int rc;

	rc = df_parent(s, path, &parent, name, sizeof(name));
	if (rc != 0)
		return rc;
	/* dfs_open() with O_CREAT|S_IFDIR creates a directory, as dfs_mkdir() does */
	rc = der(o->dfs_open(s->dfs, parent, name, S_IFDIR | (mode & 07777),
			     O_RDWR | O_CREAT | O_EXCL, 0, 0, NULL, &dir));
	if (rc == 0)
		o->dfs_release(dir);
	o->dfs_release(parent);
	if (rc == -DER_EXIST && df_stat(s, path, &st) == 0 && S_ISDIR(st.st_mode))
		rc = 0;
	return rc;
}

static int
df_list(struct cp_side *s, const char *path, char ***names, size_t *nr)
{
	const struct dcli_ops *o = s->ctx->ops;
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	struct name_acc a = { 0 };
	struct dirent *ents;
	dfs_obj_t *dir;
	mode_t mode;
	uint32_t i;
	int rc;

	rc = der(o->dfs_lookup(s->dfs, path, O_RDONLY, &dir, &mode, NULL));
	if (rc != 0)
		return rc;
	ents = d_calloc(64, sizeof(*ents));
	if (ents == NULL)
		rc = -DER_NOMEM;
	while (rc == 0 && !daos_anchor_is_eof(&anchor)) {
		uint32_t n = 64;

		rc = der(o->dfs_readdir(s->dfs, dir, &anchor, &n, ents));
		for (i = 0; rc == 0 && i < n; i++)
			rc = acc_add(&a, ents[i].d_name);
	}
	d_free(ents);
	o->dfs_release(dir);
	return acc_finish(&a, rc, names, nr);
}

static int
df_readlink(struct cp_side *s, const char *path, char *buf, size_t len)
{
	const struct dcli_ops *o = s->ctx->ops;
	daos_size_t size = len;
	dfs_obj_t *obj;
	mode_t mode;
	int rc;

	rc = der(o->dfs_lookup(s->dfs, path, O_RDONLY | O_NOFOLLOW, &obj, &mode, NULL));
	if (rc != 0)
		return rc;
	rc = der(o->dfs_get_symlink_value(obj, buf, &size));
	o->dfs_release(obj);
	if (rc == 0 && size > len)
		rc = -DER_TRUNC;
	return rc;
}

static int
df_symlink(struct cp_side *s, const char *path, const char *target)
{
	const struct dcli_ops *o = s->ctx->ops;
	char name[NAME_MAX + 1];
	dfs_obj_t *parent;
	dfs_obj_t *obj;
	int rc;

	rc = df_parent(s, path, &parent, name, sizeof(name));
	if (rc != 0)
		return rc;
	rc = der(o->dfs_open(s->dfs, parent, name, S_IFLNK | 0777, O_RDWR | O_CREAT | O_EXCL, 0, 0,
			     target, &obj));
	if (rc == 0)
		o->dfs_release(obj);
	o->dfs_release(parent);
	return rc == -DER_EXIST ? 0 : rc;
}

static int
df_open(struct cp_side *s, const char *path, bool write, mode_t mode, void **fh)
{
	const struct dcli_ops *o = s->ctx->ops;
	char name[NAME_MAX + 1];
	dfs_obj_t *parent;
	dfs_obj_t *obj;
	mode_t m;
	int rc;

	if (!write) {
		rc = der(o->dfs_lookup(s->dfs, path, O_RDONLY, &obj, &m, NULL));
		if (rc == 0)
			*fh = obj;
		return rc;
	}
	rc = df_parent(s, path, &parent, name, sizeof(name));
	if (rc != 0)
		return rc;
	rc = der(o->dfs_open(s->dfs, parent, name, S_IFREG | (mode & 07777),
			     O_RDWR | O_CREAT | O_TRUNC, 0, 0, NULL, &obj));
	o->dfs_release(parent);
	if (rc == 0)
		*fh = obj;
	return rc;
}

static int
df_read(struct cp_side *s, void *fh, void *buf, size_t len, uint64_t off, size_t *got)
{
	daos_size_t n = 0;
	d_sg_list_t sgl;
	d_iov_t iov;
	int rc;

	d_iov_set(&iov, buf, len);
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	rc = der(s->ctx->ops->dfs_read(s->dfs, fh, &sgl, off, &n, NULL));
	if (rc == 0)
		*got = (size_t)n;
	return rc;
}

static int
df_write(struct cp_side *s, void *fh, const void *buf, size_t len, uint64_t off)
{
	d_sg_list_t sgl;
	d_iov_t iov;

	d_iov_set(&iov, (void *)buf, len);
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	return der(s->ctx->ops->dfs_write(s->dfs, fh, &sgl, off, NULL));
}

static void
df_close(struct cp_side *s, void *fh)
{
	s->ctx->ops->dfs_release(fh);
}

static const struct cp_ops dfs_side_ops = {
	.stat = df_stat,
	.mkdir = df_mkdir,
	.list = df_list,
	.readlink = df_readlink,
	.symlink = df_symlink,
	.open = df_open,
	.read = df_read,
	.write = df_write,
	.close = df_close,
};

/* ---- the walk ---- */

struct cp {
	struct cli_ctx *ctx;
	struct cp_side *src;
	struct cp_side *dst;
	struct cp_stats stats;
	uint8_t *buf;
	FILE *warn;
};

static int
cp_file(struct cp *c, const char *sp, const char *dp, mode_t mode)
{
	void *in, *out;
	uint64_t off = 0;
	size_t got;
	int rc;

	rc = c->src->ops->open(c->src, sp, false, 0, &in);
	if (rc != 0)
		return dcli_errf(c->ctx, rc, "failed to open %s", sp);
	rc = c->dst->ops->open(c->dst, dp, true, mode & 07777, &out);
	if (rc != 0) {
		c->src->ops->close(c->src, in);
		return dcli_errf(c->ctx, rc, "failed to create %s", dp);
	}
	for (;;) {
		rc = c->src->ops->read(c->src, in, c->buf, CP_BUF, off, &got);
		if (rc != 0) {
			dcli_errf(c->ctx, rc, "failed to read %s", sp);
			break;
		}
		if (got == 0)
			break;
		rc = c->dst->ops->write(c->dst, out, c->buf, got, off);
		if (rc != 0) {
			dcli_errf(c->ctx, rc, "failed to write %s", dp);
			break;
		}
		off += got;
	}
	c->src->ops->close(c->src, in);
	c->dst->ops->close(c->dst, out);
	if (rc == 0)
		c->stats.files++;
	return rc;
}

static int cp_entry(struct cp *c, const char *sp, const char *dp, unsigned int depth);

static int
cp_dir(struct cp *c, const char *sp, const char *dp, mode_t mode, unsigned int depth)
{
	char **names = NULL;
	size_t nr = 0, i;
	int rc;

	if (depth > CP_DEPTH_MAX)
		return dcli_errf(c->ctx, -DER_INVAL, "%s is more than %d levels deep", sp,
				 CP_DEPTH_MAX);
	/* write access while copying in, whatever the source's mode says */
	rc = c->dst->ops->mkdir(c->dst, dp, (mode & 07777) | S_IWUSR | S_IXUSR);
	if (rc != 0)
		return dcli_errf(c->ctx, rc, "failed to create directory %s", dp);
	c->stats.dirs++;
	rc = c->src->ops->list(c->src, sp, &names, &nr);
	if (rc != 0)
		return dcli_errf(c->ctx, rc, "failed to list directory %s", sp);
	for (i = 0; i < nr && rc == 0; i++) {
		char *s2 = NULL, *d2 = NULL;

		if (d_asprintf(&s2, "%s%s%s", sp, sp[strlen(sp) - 1] == '/' ? "" : "/", names[i]) <
			    0 ||
		    d_asprintf(&d2, "%s%s%s", dp, dp[strlen(dp) - 1] == '/' ? "" : "/", names[i]) <
			    0)
			rc = dcli_errf(c->ctx, -DER_NOMEM, "out of memory");
		else
			rc = cp_entry(c, s2, d2, depth + 1);
		d_free(s2);
		d_free(d2);
	}
	d_free(names);
	return rc;
}

static int
cp_entry(struct cp *c, const char *sp, const char *dp, unsigned int depth)
{
	char target[PATH_MAX];
	struct stat st;
	int rc;

	rc = c->src->ops->stat(c->src, sp, &st);
	if (rc != 0)
		return dcli_errf(c->ctx, rc, "failed to stat %s", sp);
	if (S_ISDIR(st.st_mode))
		return cp_dir(c, sp, dp, st.st_mode, depth);
	if (S_ISREG(st.st_mode))
		return cp_file(c, sp, dp, st.st_mode);
	if (S_ISLNK(st.st_mode)) {
		rc = c->src->ops->readlink(c->src, sp, target, sizeof(target));
		if (rc != 0)
			return dcli_errf(c->ctx, rc, "failed to read link %s", sp);
		rc = c->dst->ops->symlink(c->dst, dp, target);
		if (rc != 0)
			return dcli_errf(c->ctx, rc, "failed to create link %s", dp);
		c->stats.links++;
		return 0;
	}
	fprintf(c->warn, "WARNING: daos: skipping %s: not a file, directory or link\n", sp);
	return 0;
}

/* ---- the command ---- */

static int
side_open(struct cli_ctx *ctx, const char *arg, const char *which, bool write, struct cp_side *s)
{
	int rc;

	s->ctx = ctx;
	rc = dcli_daos_path_parse(arg, s->pool, sizeof(s->pool), s->cont, sizeof(s->cont), s->path,
				  sizeof(s->path));
	if (rc < 0)
		return dcli_errf(ctx, 0,
				 "invalid %s %s: expected a POSIX path or "
				 "daos://<pool>/<container>[/<path>]",
				 which, arg);
	if (rc == 0) {
		if (strlen(arg) >= sizeof(s->path) || arg[0] == '\0')
			return dcli_errf(ctx, 0, "invalid %s \"%s\"", which, arg);
		snprintf(s->path, sizeof(s->path), "%s", arg);
		s->ops = &posix_ops;
		return 0;
	}
	if (ctx->ops->dfs_mount == NULL || ctx->ops->dfs_open == NULL ||
	    ctx->ops->dfs_readdir == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "this daos has no libdfs");
	s->ops = &dfs_side_ops;
	rc = dcli_cont_open(ctx, s->pool, s->cont, write ? DAOS_PC_RW : DAOS_PC_RO,
			    write ? DAOS_COO_RW : DAOS_COO_RO, &s->poh, &s->coh, NULL, NULL);
	if (rc != 0)
		return rc;
	rc = der(ctx->ops->dfs_mount(s->poh, s->coh, write ? O_RDWR : O_RDONLY, &s->dfs));
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to mount container %s", s->cont);
		dcli_cont_close(ctx, s->poh, s->coh);
		return rc;
	}
	s->is_daos = true; /* side_close() has something to undo */
	return 0;
}

static void
side_close(struct cli_ctx *ctx, struct cp_side *s)
{
	if (!s->is_daos)
		return;
	ctx->ops->dfs_umount(s->dfs);
	dcli_cont_close(ctx, s->poh, s->coh);
	s->is_daos = false;
}

/* The last component of @path ("" for "/"). */
static const char *
base_name(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);
	const char *p;

	while (n > 1 && path[n - 1] == '/')
		n--;
	snprintf(buf, len, "%.*s", (int)n, path);
	p = strrchr(buf, '/');
	return p == NULL ? buf : p + 1;
}

int
dcli_fs_copy(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct cp_side *src = NULL, *dst = NULL;
	struct cp c = { .ctx = ctx };
	char sbase[PATH_MAX];
	char *dpath = NULL;
	const char *name;
	struct stat st;
	int rc;

	if (!a->set[DCLI_OPT_SRC] || !a->set[DCLI_OPT_DST])
		return dcli_errf(ctx, 0, "copy needs --src and --dst");
	src = d_calloc(1, sizeof(*src));
	dst = d_calloc(1, sizeof(*dst));
	c.buf = d_malloc(CP_BUF);
	if (src == NULL || dst == NULL || c.buf == NULL) {
		rc = dcli_errf(ctx, -DER_NOMEM, "out of memory");
		goto out;
	}
	c.src = src;
	c.dst = dst;
	c.warn = stderr;
	rc = side_open(ctx, a->val[DCLI_OPT_SRC], "--src", false, src);
	if (rc == 0)
		rc = side_open(ctx, a->val[DCLI_OPT_DST], "--dst", true, dst);
	if (rc == 0 && src->ops == &posix_ops && dst->ops == &posix_ops)
		rc = dcli_errf(ctx, 0, "--src or --dst must be a daos://<pool>/<container> path");
	if (rc != 0)
		goto out;
	/* cp -r: into an existing directory, under the source's name */
	name = base_name(src->path, sbase, sizeof(sbase));
	if (dst->ops->stat(dst, dst->path, &st) == 0 && S_ISDIR(st.st_mode) && name[0] != '\0')
		rc = d_asprintf(&dpath, "%s%s%s", dst->path,
				dst->path[strlen(dst->path) - 1] == '/' ? "" : "/", name) < 0
			     ? -DER_NOMEM
			     : 0;
	else
		dpath = d_strdup(dst->path);
	if (rc != 0 || dpath == NULL) {
		rc = dcli_errf(ctx, -DER_NOMEM, "out of memory");
		goto out;
	}
	rc = cp_entry(&c, src->path, dpath, 0);
	if (rc != 0)
		goto out;
	if (ctx->json) {
		ctx->json_resp =
			json_pack("{s:s, s:I, s:I, s:I}", "dst", a->val[DCLI_OPT_DST], "num_dirs",
				  (json_int_t)c.stats.dirs, "num_files", (json_int_t)c.stats.files,
				  "num_links", (json_int_t)c.stats.links);
	} else {
		fprintf(ctx->out, "Successfully copied to %s: %s\n",
			dst->is_daos ? "DAOS" : "POSIX", a->val[DCLI_OPT_DST]);
		fprintf(ctx->out, "    Directories: %" PRIu64 "\n", c.stats.dirs);
		fprintf(ctx->out, "    Files:       %" PRIu64 "\n", c.stats.files);
		fprintf(ctx->out, "    Links:       %" PRIu64 "\n", c.stats.links);
	}
out:
	d_free(dpath);
	if (src != NULL)
		side_close(ctx, src);
	if (dst != NULL)
		side_close(ctx, dst);
	d_free(c.buf);
	d_free(src);
	d_free(dst);
	return rc;
}
