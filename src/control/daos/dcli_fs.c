/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_fs.c - `daos filesystem` (reference §4.4): the defaults a directory gives new
 * entries (set-attr, get-attr, reset-*), chmod, the namespace checker and scanner
 * (check, scan, §8.8), the repairs (fix-entry, fix-sb, fix-root: DAOS's, each on a
 * container opened exclusively), `daos fs query` of a dfuse path, and `daos container
 * check`. `fs copy` is in dcli_fs_copy.c.
 *
 * Addressing, as DAOS's: either --path, a file or directory inside a dfuse mount (dfuse
 * says which pool and container through its ioctl, and the path in the container is the
 * rest of the path after the mount point), or <pool> <container> with --dfs-path (default
 * "/") and --dfs-prefix (a prefix stripped from --dfs-path, as dfs_set_prefix() does).
 *
 * libdfs is reached through ctx->ops like libdaos; libdfs answers positive errno values,
 * turned into DER codes here (daos_errno2der) so that errors print as every other.
 */
#define D_LOGFAC DD_FAC(control)

#include <string.h>

#include "common/uns.h"
#include "control/daos/dcli_int.h"
#include "dfuse/dfuse_ioctl.h"

/* A namespace open for one command, and the entry it is about. */
struct fs_target {
	daos_handle_t poh;
	daos_handle_t coh;
	dfs_t *dfs;
	dfs_obj_t *obj;
	mode_t mode;
	char pool[DAOS_PROP_LABEL_MAX_LEN + 1];
	char cont[DAOS_PROP_LABEL_MAX_LEN + 1];
	char path[4096]; /* in the container */
};

static int
der(int err)
{
	return err == 0 ? 0 : -daos_errno2der(err);
}

int
dcli_daos_path_parse(const char *str, char *pool, size_t pool_len, char *cont, size_t cont_len,
		     char *path, size_t path_len)
{
	static const char scheme[] = "daos://";
	const char *rest;

	if (strncmp(str, scheme, sizeof(scheme) - 1) != 0)
		return 0;
	if (uns_pool_cont_split(str + sizeof(scheme) - 1, "/", pool, pool_len, cont, cont_len,
				&rest) != 0)
		return -DER_INVAL;
	if (rest[0] == '\0' || rest[1] == '\0')
		rest = "/";
	if (strlen(rest) >= path_len)
		return -DER_INVAL;
	snprintf(path, path_len, "%s", rest);
	return 1;
}

int
dcli_check_flags_parse(const char *str, uint64_t *flags, char *err, size_t err_len)
{
	static const struct {
		const char *name;
		uint64_t flag;
	} names[] = {
		{ "print", DFS_CHECK_PRINT },     { "remove", DFS_CHECK_REMOVE },
		{ "relink", DFS_CHECK_RELINK },   { "verify", DFS_CHECK_VERIFY },
		{ "evict", DFS_CHECK_EVICT_ALL },
	};
	const char *p = str;
	uint64_t f = 0;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		size_t i;

		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (strlen(names[i].name) == n && strncasecmp(p, names[i].name, n) == 0)
				break;
		}
		if (i == ARRAY_SIZE(names)) {
			cli_set_err(err, err_len,
				    "unknown check flag \"%.*s\": expected print, remove, relink, "
				    "verify or evict",
				    (int)n, p);
			return -DER_INVAL;
		}
		f |= names[i].flag;
		p += n;
		if (*p == ',')
			p++;
	}
	if ((f & DFS_CHECK_REMOVE) && (f & DFS_CHECK_RELINK)) {
		cli_set_err(err, err_len, "check flags remove and relink may not be used together");
		return -DER_INVAL;
	}
	*flags = f;
	return 0;
}

/* The libdfs calls a command needs, or -DER_NOSYS with a message. */
static int
need_dfs(struct cli_ctx *ctx)
{
	const struct dcli_ops *o = ctx->ops;

	if (o->dfs_mount == NULL || o->dfs_umount == NULL || o->dfs_lookup == NULL ||
	    o->dfs_release == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "this daos has no libdfs");
	return 0;
}

/* Where the command points: --path, or <pool> <cont> with --dfs-path/--dfs-prefix. */
static int
target_name(struct cli_ctx *ctx, const struct cli_args *a, struct fs_target *t, char *sys,
	    size_t sys_len)
{
	const char *dpath = a->set[DCLI_OPT_DFS_PATH] ? a->val[DCLI_OPT_DFS_PATH] : "/";
	struct dcli_dfuse_info *info;
	int rc;

	sys[0] = '\0';
	if (a->set[DCLI_OPT_PATH]) {
		if (a->nr_pos > 0 || a->set[DCLI_OPT_DFS_PATH])
			return dcli_errf(ctx, 0,
					 "--path may not be combined with a pool, a "
					 "container or --dfs-path");
		if (ctx->ops->dfuse_path_info == NULL)
			return dcli_errf(ctx, -DER_NOSYS, "cannot ask dfuse about %s",
					 a->val[DCLI_OPT_PATH]);
		info = d_calloc(1, sizeof(*info));
		if (info == NULL)
			return dcli_errf(ctx, -DER_NOMEM, "out of memory");
		rc = ctx->ops->dfuse_path_info(a->val[DCLI_OPT_PATH], info);
		if (rc == 0) {
			snprintf(t->pool, sizeof(t->pool), "%s", info->pool);
			snprintf(t->cont, sizeof(t->cont), "%s", info->cont);
			snprintf(t->path, sizeof(t->path), "%s", info->rel);
			snprintf(sys, sys_len, "%s", info->sys);
		}
		d_free(info);
		if (rc != 0)
			return dcli_errf(ctx, rc, "%s is not in a dfuse mount",
					 a->val[DCLI_OPT_PATH]);
		return 0;
	}
	if (a->nr_pos != 2)
		return dcli_errf(ctx, 0, "give either --path or <pool> <container>");
	if (strlen(a->pos[0]) >= sizeof(t->pool) || strlen(a->pos[1]) >= sizeof(t->cont))
		return dcli_errf(ctx, 0, "pool or container name too long");
	snprintf(t->pool, sizeof(t->pool), "%s", a->pos[0]);
	snprintf(t->cont, sizeof(t->cont), "%s", a->pos[1]);
	if (a->set[DCLI_OPT_DFS_PREFIX]) {
		const char *pfx = a->val[DCLI_OPT_DFS_PREFIX];
		size_t n = strlen(pfx);

		while (n > 1 && pfx[n - 1] == '/')
			n--;
		if (strncmp(dpath, pfx, n) != 0 || (dpath[n] != '\0' && dpath[n] != '/'))
			return dcli_errf(ctx, 0, "--dfs-path %s is not under --dfs-prefix %s",
					 dpath, pfx);
		dpath += n;
		if (*dpath == '\0')
			dpath = "/";
	}
	if (dpath[0] != '/' || strlen(dpath) >= sizeof(t->path))
		return dcli_errf(ctx, 0, "invalid --dfs-path %s: expected an absolute path", dpath);
	snprintf(t->path, sizeof(t->path), "%s", dpath);
	return 0;
}

/* Open the namespace and look the entry up; undo with target_close(). */
static int
target_open(struct cli_ctx *ctx, const struct cli_args *a, bool write, struct fs_target *t)
{
	char sys[64];
	int rc;

	memset(t, 0, sizeof(*t));
	rc = need_dfs(ctx);
	if (rc == 0)
		rc = target_name(ctx, a, t, sys, sizeof(sys));
	if (rc != 0)
		return rc;
	/* dfuse's system name is not used: the agent serves one system */
	rc = dcli_cont_open(ctx, t->pool, t->cont, write ? DAOS_PC_RW : DAOS_PC_RO,
			    write ? DAOS_COO_RW : DAOS_COO_RO, &t->poh, &t->coh, NULL, NULL);
	if (rc != 0)
		return rc;
	rc = der(ctx->ops->dfs_mount(t->poh, t->coh, write ? O_RDWR : O_RDONLY, &t->dfs));
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to mount container %s", t->cont);
		goto out_close;
	}
	rc = der(ctx->ops->dfs_lookup(t->dfs, t->path, write ? O_RDWR : O_RDONLY, &t->obj, &t->mode,
				      NULL));
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to look up %s in container %s", t->path, t->cont);
		goto out_umount;
	}
	return 0;

out_umount:
	ctx->ops->dfs_umount(t->dfs);
out_close:
	dcli_cont_close(ctx, t->poh, t->coh);
	return rc;
}

static void
target_close(struct cli_ctx *ctx, struct fs_target *t)
{
	ctx->ops->dfs_release(t->obj);
	ctx->ops->dfs_umount(t->dfs);
	dcli_cont_close(ctx, t->poh, t->coh);
}

/* ---- set-attr, get-attr, reset-* ---- */

static int
oclass_str(struct cli_ctx *ctx, daos_oclass_id_t id, char *buf, size_t len)
{
	char name[64] = "UNKNOWN";

	if (id != 0 && ctx->ops->oclass_id2name(id, name) < 0)
		snprintf(name, sizeof(name), "UNKNOWN");
	snprintf(buf, len, "%s", name);
	return 0;
}

/* Set the defaults: class @cid if @set_oclass, chunk size @chunk if @set_chunk. */
static int
defaults_set(struct cli_ctx *ctx, const struct cli_args *a, bool set_oclass, daos_oclass_id_t cid,
	     bool set_chunk, uint64_t chunk)
{
	struct fs_target t;
	int rc;

	if (ctx->ops->dfs_obj_set_oclass == NULL || ctx->ops->dfs_obj_set_chunk_size == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "this daos has no libdfs");
	rc = target_open(ctx, a, true, &t);
	if (rc != 0)
		return rc;
	if (!S_ISDIR(t.mode) && (set_oclass || set_chunk)) {
		rc = dcli_errf(ctx, -DER_INVAL, "%s is not a directory", t.path);
		goto out;
	}
	if (set_oclass) {
		rc = der(ctx->ops->dfs_obj_set_oclass(t.dfs, t.obj, 0, cid));
		if (rc != 0) {
			dcli_errf(ctx, rc, "failed to set the object class of %s", t.path);
			goto out;
		}
	}
	if (set_chunk) {
		rc = der(ctx->ops->dfs_obj_set_chunk_size(t.dfs, t.obj, 0, chunk));
		if (rc != 0)
			dcli_errf(ctx, rc, "failed to set the chunk size of %s", t.path);
	}
	if (rc == 0 && ctx->json)
		ctx->json_resp = json_null();
out:
	target_close(ctx, &t);
	return rc;
}

int
dcli_fs_set_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	daos_oclass_id_t cid = 0;
	uint64_t chunk = 0;
	int id;

	if (!a->set[DCLI_OPT_OCLASS] && !a->set[DCLI_OPT_CHUNK_SIZE])
		return dcli_errf(ctx, 0, "set-attr needs --oclass or --chunk-size");
	if (a->set[DCLI_OPT_OCLASS]) {
		id = ctx->ops->oclass_name2id(a->val[DCLI_OPT_OCLASS]);
		if (id <= 0)
			return dcli_errf(ctx, 0, "unknown object class \"%s\"",
					 a->val[DCLI_OPT_OCLASS]);
		cid = (daos_oclass_id_t)id;
	}
	if (a->set[DCLI_OPT_CHUNK_SIZE] &&
	    (pool_prop_size_parse(a->val[DCLI_OPT_CHUNK_SIZE], &chunk) != 0 || chunk == 0))
		return dcli_errf(ctx, 0, "invalid chunk size \"%s\"", a->val[DCLI_OPT_CHUNK_SIZE]);
	return defaults_set(ctx, a, a->set[DCLI_OPT_OCLASS], cid, a->set[DCLI_OPT_CHUNK_SIZE],
			    chunk);
}

int
dcli_fs_reset_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	return defaults_set(ctx, a, true, 0, true, 0);
}

int
dcli_fs_reset_chunk_size(struct cli_ctx *ctx, const struct cli_args *a)
{
	return defaults_set(ctx, a, false, 0, true, 0);
}

int
dcli_fs_reset_oclass(struct cli_ctx *ctx, const struct cli_args *a)
{
	return defaults_set(ctx, a, true, 0, false, 0);
}

int
dcli_fs_get_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	char oclass[64], dir_oclass[64], file_oclass[64];
	dfs_obj_info_t info = { 0 };
	struct fs_target t;
	int rc;

	if (ctx->ops->dfs_obj_get_info == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "this daos has no libdfs");
	rc = target_open(ctx, a, false, &t);
	if (rc != 0)
		return rc;
	rc = der(ctx->ops->dfs_obj_get_info(t.dfs, t.obj, &info));
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to get the attributes of %s", t.path);
		goto out;
	}
	oclass_str(ctx, info.doi_oclass_id, oclass, sizeof(oclass));
	oclass_str(ctx, info.doi_dir_oclass_id, dir_oclass, sizeof(dir_oclass));
	oclass_str(ctx, info.doi_file_oclass_id, file_oclass, sizeof(file_oclass));
	if (ctx->json) {
		ctx->json_resp = json_pack("{s:s, s:I}", "oclass", oclass, "chunk_size",
					   (json_int_t)info.doi_chunk_size);
		if (ctx->json_resp != NULL && S_ISDIR(t.mode)) {
			json_object_set_new(ctx->json_resp, "dir_oclass", json_string(dir_oclass));
			json_object_set_new(ctx->json_resp, "file_oclass",
					    json_string(file_oclass));
		}
		goto out;
	}
	fprintf(ctx->out, "Object Class = %s\n", oclass);
	fprintf(ctx->out, "Object Chunk Size = %" PRIu64 "\n", (uint64_t)info.doi_chunk_size);
	if (S_ISDIR(t.mode)) {
		fprintf(ctx->out, "Directory Object Class = %s\n", dir_oclass);
		fprintf(ctx->out, "File Object Class = %s\n", file_oclass);
	}
out:
	target_close(ctx, &t);
	return rc;
}

/* ---- chmod ---- */

int
dcli_fs_chmod(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct fs_target t;
	char *end = NULL;
	unsigned long mode;
	int rc;

	if (!a->set[DCLI_OPT_MODE])
		return dcli_errf(ctx, 0, "chmod needs --mode");
	mode = strtoul(a->val[DCLI_OPT_MODE], &end, 8);
	if (end == a->val[DCLI_OPT_MODE] || *end != '\0' || mode > 07777)
		return dcli_errf(ctx, 0, "invalid mode \"%s\": expected octal bits",
				 a->val[DCLI_OPT_MODE]);
	if (ctx->ops->dfs_chmod == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "this daos has no libdfs");
	rc = target_open(ctx, a, true, &t);
	if (rc != 0)
		return rc;
	if (strcmp(t.path, "/") == 0) {
		rc = dcli_errf(ctx, 0, "chmod of the root directory is not supported");
	} else {
		/* dfs_chmod() takes the parent and the name */
		char *slash = strrchr(t.path, '/');
		dfs_obj_t *parent = NULL;
		mode_t pmode;

		while (slash[1] == '\0' && slash > t.path) {
			*slash = '\0';
			slash = strrchr(t.path, '/');
		}
		*slash = '\0';
		rc = der(ctx->ops->dfs_lookup(t.dfs, slash == t.path ? "/" : t.path, O_RDWR,
					      &parent, &pmode, NULL));
		if (rc == 0) {
			rc = der(ctx->ops->dfs_chmod(t.dfs, parent, slash + 1, (mode_t)mode));
			ctx->ops->dfs_release(parent);
		}
		*slash = '/';
		if (rc != 0)
			dcli_errf(ctx, rc, "failed to change the mode of %s", t.path);
	}
	if (rc == 0 && ctx->json)
		ctx->json_resp = json_null();
	target_close(ctx, &t);
	return rc;
}

/* ---- check, scan ---- */

/* Each line of the checker or scanner: printed, or kept for the JSON response. */
static void
report_line(void *arg, const char *line)
{
	struct cli_ctx *ctx = arg;

	if (!ctx->json) {
		fprintf(ctx->out, "%s\n", line);
		fflush(ctx->out);
	}
}

static int
pool_arg(struct cli_ctx *ctx, const struct cli_args *a, daos_handle_t *poh, bool write)
{
	return dcli_pool_connect(ctx, a->pos[0], write ? DAOS_PC_RW : DAOS_PC_RO, poh, NULL);
}

static int
check_run(struct cli_ctx *ctx, const struct cli_args *a, uint64_t flags)
{
	dfs_check_result_t res = { 0 };
	daos_handle_t poh;
	int rc;

	if (ctx->ops->dfs_cont_check_report == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "this daos has no libdfs");
	rc = pool_arg(ctx, a, &poh, true);
	if (rc != 0)
		return rc;
	rc = der(ctx->ops->dfs_cont_check_report(
		poh, a->pos[1], flags, a->set[DCLI_OPT_DIR_NAME] ? a->val[DCLI_OPT_DIR_NAME] : NULL,
		report_line, ctx, &res));
	ctx->ops->pool_disconnect(poh, NULL);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to check container %s", a->pos[1]);
	if (ctx->json) {
		ctx->json_resp = json_pack("{s:I, s:I}", "marked", (json_int_t)res.dcr_nr_marked,
					   "leaked", (json_int_t)res.dcr_nr_leaked);
		if (ctx->json_resp != NULL && res.dcr_lf_dir[0] != '\0')
			json_object_set_new(ctx->json_resp, "lost_found",
					    json_string(res.dcr_lf_dir));
	}
	return 0;
}

int
dcli_fs_check(struct cli_ctx *ctx, const struct cli_args *a)
{
	uint64_t flags = 0;
	char err[256];

	if (a->set[DCLI_OPT_CHECK_FLAGS] &&
	    dcli_check_flags_parse(a->val[DCLI_OPT_CHECK_FLAGS], &flags, err, sizeof(err)) != 0)
		return dcli_errf(ctx, 0, "%s", err);
	if (a->set[DCLI_OPT_DIR_NAME] && !(flags & DFS_CHECK_RELINK))
		return dcli_errf(ctx, 0, "--dir-name names the lost+found directory of relink");
	return check_run(ctx, a, flags);
}

/*
 * `daos container check`: DAOS verifies that the replicas of every object agree
 * (daos_obj_verify over the OIT). For a POSIX container that is the DFS checker with
 * verify, which also counts leaked objects; other containers are refused for now.
 */
int
dcli_cont_check(struct cli_ctx *ctx, const struct cli_args *a)
{
	if (a->set[DCLI_OPT_EPC])
		return dcli_errf(ctx, 0,
				 "--epc is not supported: the check runs on a new snapshot");
	return check_run(ctx, a, DFS_CHECK_VERIFY);
}

int
dcli_fs_scan(struct cli_ctx *ctx, const struct cli_args *a)
{
	dfs_scan_result_t res = { 0 };
	daos_handle_t poh;
	int rc;

	if (ctx->ops->dfs_cont_scan_report == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "this daos has no libdfs");
	rc = pool_arg(ctx, a, &poh, false);
	if (rc != 0)
		return rc;
	rc = der(ctx->ops->dfs_cont_scan_report(
		poh, a->pos[1], 0, a->set[DCLI_OPT_DIR_NAME] ? a->val[DCLI_OPT_DIR_NAME] : NULL,
		report_line, ctx, &res));
	ctx->ops->pool_disconnect(poh, NULL);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to scan container %s", a->pos[1]);
	if (ctx->json)
		ctx->json_resp = json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "objects",
			(json_int_t)res.dsr_nr_objects, "files", (json_int_t)res.dsr_nr_files,
			"directories", (json_int_t)res.dsr_nr_dirs, "symlinks",
			(json_int_t)res.dsr_nr_symlinks, "max_depth", (json_int_t)res.dsr_max_depth,
			"bytes", (json_int_t)res.dsr_bytes, "largest_file",
			(json_int_t)res.dsr_largest_file, "largest_dir",
			(json_int_t)res.dsr_largest_dir);
	return 0;
}

/* ---- query ---- */

/*
 * What dfuse tells about a path: pool, container, mount point and daemon, and what the
 * daemon holds (inodes, open handles, pools and containers).
 */
int
dcli_fs_query(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct dfuse_count_reply cnt = { 0 };
	struct dcli_dfuse_info *info;
	int rc;

	if (ctx->ops->dfuse_path_info == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "cannot ask dfuse about %s", a->pos[0]);
	info = d_calloc(1, sizeof(*info));
	if (info == NULL)
		return dcli_errf(ctx, -DER_NOMEM, "out of memory");
	rc = ctx->ops->dfuse_path_info(a->pos[0], info);
	if (rc != 0) {
		d_free(info);
		return dcli_errf(ctx, rc, "%s is not in a dfuse mount", a->pos[0]);
	}
	rc = ctx->ops->dfuse_path_ioctl(a->pos[0], DFUSE_IOCTL_COUNT, &cnt);
	if (rc != 0) {
		d_free(info);
		return dcli_errf(ctx, rc, "dfuse at %s did not say what it holds", a->pos[0]);
	}
	if (ctx->json) {
		ctx->json_resp = json_pack(
			"{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I}", "pool", info->pool,
			"container", info->cont, "mount_point", info->mnt, "path", info->rel,
			"dfuse_pid", info->pid, "inodes", (json_int_t)cnt.inodes, "open_files",
			(json_int_t)cnt.files, "open_dirs", (json_int_t)cnt.dirs, "pools",
			(json_int_t)cnt.pools, "containers", (json_int_t)cnt.containers);
	} else {
		fprintf(ctx->out, "DFuse descriptor has been found\n");
		fprintf(ctx->out, "Pool: %s\n", info->pool);
		fprintf(ctx->out, "Container: %s\n", info->cont);
		fprintf(ctx->out, "Mount point: %s\n", info->mnt);
		fprintf(ctx->out, "Path in container: %s\n", info->rel);
		fprintf(ctx->out, "DFuse pid: %d\n", info->pid);
		fprintf(ctx->out, "DFuse descriptor usage:\n");
		fprintf(ctx->out, "  Inodes: " DF_U64 "\n", cnt.inodes);
		fprintf(ctx->out, "  Open files: " DF_U64 "\n", cnt.files);
		fprintf(ctx->out, "  Open directories: " DF_U64 "\n", cnt.dirs);
		fprintf(ctx->out, "  Pools: " DF_U64 "\n", cnt.pools);
		fprintf(ctx->out, "  Containers: " DF_U64 "\n", cnt.containers);
	}
	d_free(info);
	return 0;
}

/* dfuse drops the kernel's cached data and attributes of a path. */
int
dcli_fs_evict(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct dfuse_evict_reply r = { 0 };
	int rc;

	if (ctx->ops->dfuse_path_ioctl == NULL)
		return dcli_errf(ctx, -DER_NOSYS, "cannot ask dfuse about %s", a->pos[0]);
	rc = ctx->ops->dfuse_path_ioctl(a->pos[0], DFUSE_IOCTL_EVICT, &r);
	if (rc != 0)
		return dcli_errf(ctx, rc, "could not evict %s: %s", a->pos[0],
				 rc == -DER_INVAL ? "not in a dfuse mount" : "dfuse refused");
	if (ctx->json)
		ctx->json_resp =
			json_pack("{s:s, s:I}", "path", a->pos[0], "inode", (json_int_t)r.ino);
	else
		fprintf(ctx->out, "Evicted %s (inode " DF_U64 ") from dfuse's caches\n", a->pos[0],
			r.ino);
	return 0;
}

/* ---- fix-entry, fix-sb, fix-root ---- */

/*
 * Open a container for a repair: exclusively (DAOS_COO_EX), as DAOS's daos does, so that
 * no dfuse mount or application changes what is being repaired meanwhile.
 */
static int
fix_open(struct cli_ctx *ctx, const char *pool, const char *cont, daos_handle_t *poh,
	 daos_handle_t *coh)
{
	int rc;

	rc = dcli_cont_open(ctx, pool, cont, DAOS_PC_RW, DAOS_COO_EX, poh, coh, NULL, NULL);
	if (rc == -DER_BUSY)
		dcli_errf(ctx, rc,
			  "failed to open container %s exclusively (unmount dfuse and stop other "
			  "users first)",
			  cont);
	return rc;
}

/* Whether the container mounts now (read-only, in whichever mode its superblock says). */
static int
mount_check(struct cli_ctx *ctx, daos_handle_t poh, daos_handle_t coh)
{
	dfs_t *dfs;
	int rc;

	rc = ctx->ops->dfs_mount(poh, coh, O_RDONLY, &dfs);
	if (rc == EPERM)
		rc = ctx->ops->dfs_mount(poh, coh, O_RDONLY | DFS_BALANCED, &dfs);
	if (rc == 0)
		ctx->ops->dfs_umount(dfs);
	return der(rc);
}

static const char *
type_name(mode_t mode)
{
	if (S_ISREG(mode))
		return "S_IFREG";
	if (S_ISDIR(mode))
		return "S_IFDIR";
	if (S_ISLNK(mode))
		return "S_IFLNK";
	return "unknown";
}

/* The libdfs calls the fix-* commands need, or -DER_NOSYS with a message. */
static int
need_fix_ops(struct cli_ctx *ctx)
{
	const struct dcli_ops *o = ctx->ops;
	int rc = need_dfs(ctx);

	if (rc == 0 && (o->dfs_stat == NULL || o->dfs_obj_fix_type == NULL ||
			o->dfs_file_update_chunk_size == NULL || o->dfs_recreate_sb == NULL ||
			o->dfs_relink_root == NULL))
		rc = dcli_errf(ctx, -DER_NOSYS, "this daos has no libdfs repairs");
	return rc;
}

/* --type: the entry's type from its object, as dfs_obj_fix_type() decides. */
static int
fix_entry_type(struct cli_ctx *ctx, struct fs_target *t, mode_t *type)
{
	char dir[sizeof(t->path)];
	dfs_obj_t *parent = NULL;
	struct stat st;
	char *slash;
	mode_t mode;
	int rc;

	snprintf(dir, sizeof(dir), "%s", t->path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (!ctx->json)
		fprintf(ctx->out, "Fixing entry type of: %s\n", t->path);
	rc = der(ctx->ops->dfs_lookup(t->dfs, slash == dir ? "/" : dir, O_RDWR, &parent, &mode,
				      NULL));
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to look up %s in container %s",
				 slash == dir ? "/" : dir, t->cont);
	rc = der(ctx->ops->dfs_obj_fix_type(t->dfs, parent, slash + 1));
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to fix the type of %s", t->path);
		goto out;
	}
	rc = der(ctx->ops->dfs_stat(t->dfs, parent, slash + 1, &st));
	if (rc != 0) {
		dcli_errf(ctx, rc, "%s still cannot be read after fixing its type", t->path);
		goto out;
	}
	*type = st.st_mode;
	if (!ctx->json)
		fprintf(ctx->out, "Setting entry type to %s\n", type_name(st.st_mode));
out:
	ctx->ops->dfs_release(parent);
	return rc;
}

/* --chunk-size: what a file's entry says its chunk size is. */
static int
fix_entry_chunk(struct cli_ctx *ctx, struct fs_target *t, uint64_t chunk)
{
	dfs_obj_t *obj;
	mode_t mode;
	int rc;

	if (!ctx->json)
		fprintf(ctx->out, "Adjusting chunk size of %s to %" PRIu64 "\n", t->path, chunk);
	rc = der(ctx->ops->dfs_lookup(t->dfs, t->path, O_RDWR | O_NOFOLLOW, &obj, &mode, NULL));
	if (rc == -DER_PROTO)
		return dcli_errf(ctx, rc, "entry %s is damaged: repair it with --type first",
				 t->path);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to look up %s in container %s", t->path, t->cont);
	if (!S_ISREG(mode)) {
		rc = dcli_errf(ctx, 0,
			       "%s is not a regular file: only files have a chunk size of "
			       "their own",
			       t->path);
	} else {
		rc = der(ctx->ops->dfs_file_update_chunk_size(t->dfs, obj, chunk));
		if (rc != 0)
			dcli_errf(ctx, rc, "failed to set the chunk size of %s", t->path);
	}
	ctx->ops->dfs_release(obj);
	return rc;
}

int
dcli_fs_fix_entry(struct cli_ctx *ctx, const struct cli_args *a)
{
	bool fix_type = a->set[DCLI_OPT_FIX_TYPE];
	bool fix_chunk = a->set[DCLI_OPT_FIX_CHUNK_SIZE];
	struct fs_target t;
	mode_t type = 0;
	uint64_t chunk = 0;
	char sys[64];
	size_t n;
	int rc;

	memset(&t, 0, sizeof(t));
	if (!fix_type && !fix_chunk)
		return dcli_errf(ctx, 0, "fix-entry needs --type, --chunk-size or both");
	if (fix_chunk &&
	    (pool_prop_size_parse(a->val[DCLI_OPT_FIX_CHUNK_SIZE], &chunk) != 0 || chunk == 0))
		return dcli_errf(ctx, 0, "invalid chunk size \"%s\"",
				 a->val[DCLI_OPT_FIX_CHUNK_SIZE]);
	if (!a->set[DCLI_OPT_PATH] && !a->set[DCLI_OPT_DFS_PATH])
		return dcli_errf(ctx, 0,
				 "fix-entry needs the entry: --dfs-path with <pool> <container>, "
				 "or --path");
	rc = need_fix_ops(ctx);
	if (rc == 0)
		rc = target_name(ctx, a, &t, sys, sizeof(sys));
	if (rc != 0)
		return rc;
	n = strlen(t.path);
	while (n > 1 && t.path[n - 1] == '/')
		t.path[--n] = '\0';
	if (strcmp(t.path, "/") == 0)
		return dcli_errf(ctx, 0,
				 "the root directory has no entry to fix: daos fs fix-root "
				 "relinks it");
	rc = fix_open(ctx, t.pool, t.cont, &t.poh, &t.coh);
	if (rc != 0)
		return rc;
	rc = der(ctx->ops->dfs_mount(t.poh, t.coh, O_RDWR, &t.dfs));
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to mount container %s", t.cont);
		goto out_close;
	}
	if (fix_type)
		rc = fix_entry_type(ctx, &t, &type);
	if (rc == 0 && fix_chunk)
		rc = fix_entry_chunk(ctx, &t, chunk);
	if (rc == 0 && ctx->json) {
		ctx->json_resp = json_pack("{s:s}", "path", t.path);
		if (ctx->json_resp != NULL && fix_type)
			json_object_set_new(ctx->json_resp, "type", json_string(type_name(type)));
		if (ctx->json_resp != NULL && fix_chunk)
			json_object_set_new(ctx->json_resp, "chunk_size",
					    json_integer((json_int_t)chunk));
	}
	ctx->ops->dfs_umount(t.dfs);
out_close:
	dcli_cont_close(ctx, t.poh, t.coh);
	return rc;
}

/* An object class option of fix-sb into *@cid (unset: 0, automatic). */
static int
fix_sb_class(struct cli_ctx *ctx, const struct cli_args *a, int opt, daos_oclass_id_t *cid)
{
	int id;

	*cid = 0;
	if (!a->set[opt])
		return 0;
	id = ctx->ops->oclass_name2id(a->val[opt]);
	if (id <= 0)
		return dcli_errf(ctx, 0, "unknown object class \"%s\"", a->val[opt]);
	*cid = (daos_oclass_id_t)id;
	return 0;
}

/* fix-sb's options into the attributes of the new superblock. */
static int
fix_sb_attr(struct cli_ctx *ctx, const struct cli_args *a, dfs_attr_t *attr)
{
	int rc;

	memset(attr, 0, sizeof(*attr));
	if (a->set[DCLI_OPT_CONS_MODE]) {
		const char *m = a->val[DCLI_OPT_CONS_MODE];

		if (strcasecmp(m, "relaxed") == 0)
			attr->da_mode = DFS_RELAXED;
		else if (strcasecmp(m, "balanced") == 0)
			attr->da_mode = DFS_BALANCED;
		else
			return dcli_errf(ctx, 0,
					 "invalid mode \"%s\": expected relaxed or balanced", m);
	}
	if (a->set[DCLI_OPT_CHUNK_SIZE] &&
	    (pool_prop_size_parse(a->val[DCLI_OPT_CHUNK_SIZE], &attr->da_chunk_size) != 0 ||
	     attr->da_chunk_size == 0))
		return dcli_errf(ctx, 0, "invalid chunk size \"%s\"", a->val[DCLI_OPT_CHUNK_SIZE]);
	rc = fix_sb_class(ctx, a, DCLI_OPT_OCLASS, &attr->da_oclass_id);
	if (rc == 0)
		rc = fix_sb_class(ctx, a, DCLI_OPT_SB_DIR_OCLASS, &attr->da_dir_oclass_id);
	if (rc == 0)
		rc = fix_sb_class(ctx, a, DCLI_OPT_SB_FILE_OCLASS, &attr->da_file_oclass_id);
	if (rc != 0)
		return rc;
	if (a->set[DCLI_OPT_HINTS]) {
		if (strlen(a->val[DCLI_OPT_HINTS]) >= sizeof(attr->da_hints))
			return dcli_errf(ctx, 0,
					 "hints \"%s\" are too long: at most %zu characters",
					 a->val[DCLI_OPT_HINTS], sizeof(attr->da_hints) - 1);
		snprintf(attr->da_hints, sizeof(attr->da_hints), "%s", a->val[DCLI_OPT_HINTS]);
	}
	return 0;
}

int
dcli_fs_fix_sb(struct cli_ctx *ctx, const struct cli_args *a)
{
	daos_handle_t poh, coh;
	dfs_attr_t attr;
	int rc;

	rc = fix_sb_attr(ctx, a, &attr);
	if (rc == 0)
		rc = need_fix_ops(ctx);
	if (rc != 0)
		return rc;
	rc = fix_open(ctx, a->pos[0], a->pos[1], &poh, &coh);
	if (rc != 0)
		return rc;
	rc = der(ctx->ops->dfs_recreate_sb(coh, &attr));
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to recreate the DFS superblock of container %s",
			  a->pos[1]);
		goto out;
	}
	rc = mount_check(ctx, poh, coh);
	if (rc != 0) {
		dcli_errf(ctx, rc, "container %s does not mount with its new superblock",
			  a->pos[1]);
		goto out;
	}
	if (ctx->json)
		ctx->json_resp = json_null();
	else
		fprintf(ctx->out, "Recreated the DFS superblock of container %s\n", a->pos[1]);
out:
	dcli_cont_close(ctx, poh, coh);
	return rc;
}

int
dcli_fs_fix_root(struct cli_ctx *ctx, const struct cli_args *a)
{
	daos_handle_t poh, coh;
	bool linked = false;
	int rc;

	rc = need_fix_ops(ctx);
	if (rc != 0)
		return rc;
	rc = fix_open(ctx, a->pos[0], a->pos[1], &poh, &coh);
	if (rc != 0)
		return rc;
	/* A container that mounts has a sound root entry: nothing to do (DAOS says so too). */
	if (mount_check(ctx, poh, coh) == 0) {
		linked = true;
		goto out_ok;
	}
	rc = der(ctx->ops->dfs_relink_root(coh));
	if (rc == -DER_NONEXIST) {
		dcli_errf(ctx, rc,
			  "container %s has no DFS superblock: recreate it with daos fs fix-sb "
			  "first",
			  a->pos[1]);
		goto out;
	}
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to relink the root directory of container %s",
			  a->pos[1]);
		goto out;
	}
	rc = mount_check(ctx, poh, coh);
	if (rc != 0) {
		dcli_errf(ctx, rc, "container %s still does not mount after relinking its root",
			  a->pos[1]);
		goto out;
	}
out_ok:
	if (ctx->json)
		ctx->json_resp = json_pack("{s:b}", "relinked", !linked);
	else if (linked)
		fprintf(ctx->out, "Root object already linked in SB\n");
	else
		fprintf(ctx->out, "Relinked the root directory of container %s\n", a->pos[1]);
out:
	dcli_cont_close(ctx, poh, coh);
	return rc;
}
