/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_uns.c - the unified namespace (UNS), as DAOS's: a directory (POSIX containers) or
 * a file (HDF5) whose extended attribute user.daos = "DAOS.<TYPE>://<pool>/<container>"
 * links a path of any file system to a container. Inside a dfuse mount, dfuse follows
 * such a directory into the container it names (an entry point, dfuse_ns.c).
 *
 *   daos container create [<pool>] [<label>] --path P   create, then link at P (the pool
 *                                                       may come from P's dfuse mount)
 *   daos container link <pool> <container> --path P
 *   daos container <command> --path P ...             P names <pool> <container>: a link,
 *                                                       or a path in a dfuse mount
 *   daos container destroy --path P                     destroy, then remove the link
 *
 * The file system calls go through ctx->ops (uns_get, uns_link, uns_unlink; the real ones
 * are below) so that the command tests run without a file system that keeps user xattrs.
 */
#define D_LOGFAC DD_FAC(control)

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/uns.h"
#include "control/daos/dcli_int.h"

/* ---- the file system side (ops of dcli_libdaos.c) ---- */

int
dcli_uns_get(const char *path, char *buf, size_t len)
{
	ssize_t n = getxattr(path, UNS_XATTR, buf, len - 1);

	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP ? -DER_NONEXIST
							    : -daos_errno2der(errno);
	buf[n] = '\0';
	return 0;
}

int
dcli_uns_link(const char *path, bool dir, const char *value)
{
	int rc = 0;
	int fd;

	if (dir) {
		if (mkdir(path, 0755) != 0)
			return -daos_errno2der(errno);
		if (setxattr(path, UNS_XATTR, value, strlen(value), XATTR_CREATE) != 0) {
			rc = -daos_errno2der(errno);
			rmdir(path);
		}
		return rc;
	}
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0)
		return -daos_errno2der(errno);
	if (fsetxattr(fd, UNS_XATTR, value, strlen(value), XATTR_CREATE) != 0) {
		rc = -daos_errno2der(errno);
		unlink(path);
	}
	close(fd);
	return rc;
}

int
dcli_uns_unlink(const char *path)
{
	struct stat st;

	/* What the link's attribute was read through (getxattr follows symlinks). */
	if (stat(path, &st) != 0)
		return -daos_errno2der(errno);
	if ((S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path)) != 0)
		return -daos_errno2der(errno);
	return 0;
}

/* ---- the CLI side ---- */

int
dcli_uns_resolve(struct cli_ctx *ctx, const char *path, char *pool, size_t pool_len, char *cont,
		 size_t cont_len, bool *is_link)
{
	struct dcli_dfuse_info *info;
	char value[DCLI_UNS_MAX];
	char type[32];
	int rc;

	rc = ctx->ops->uns_get(path, value, sizeof(value));
	if (rc == 0) {
		if (uns_parse(value, type, sizeof(type), pool, pool_len, cont, cont_len) != 0)
			return dcli_errf(ctx, 0,
					 "%s: its %s attribute \"%s\" is not "
					 "DAOS.<TYPE>://<pool>/<container>",
					 path, UNS_XATTR, value);
		*is_link = true;
		return 0;
	}
	if (rc != -DER_NONEXIST)
		return dcli_errf(ctx, rc, "cannot read the %s attribute of %s", UNS_XATTR, path);
	/* No link: a path in a dfuse mount names the mount's container (or entry point's). */
	info = d_calloc(1, sizeof(*info));
	if (info == NULL)
		return dcli_errf(ctx, -DER_NOMEM, "out of memory");
	rc = ctx->ops->dfuse_path_info != NULL ? ctx->ops->dfuse_path_info(path, info) : -DER_INVAL;
	if (rc == 0) {
		snprintf(pool, pool_len, "%s", info->pool);
		snprintf(cont, cont_len, "%s", info->cont);
		/* A path in a container (a link's root inside dfuse answers user.daos). */
		*is_link = false;
	}
	d_free(info);
	if (rc == -DER_NONEXIST)
		return dcli_errf(ctx, rc, "cannot resolve %s", path);
	if (rc != 0)
		return dcli_errf(ctx, rc == -DER_INVAL ? 0 : rc,
				 "%s is no UNS link (no %s attribute) and not in a dfuse mount",
				 path, UNS_XATTR);
	return 0;
}

/* Whether --path can link a container of @type: a directory (POSIX) or a file (HDF5). */
static int
link_kind(struct cli_ctx *ctx, uint64_t type, bool *dir)
{
	if (type == DAOS_PROP_CO_LAYOUT_POSIX || type == DAOS_PROP_CO_LAYOUT_HDF5) {
		*dir = type == DAOS_PROP_CO_LAYOUT_POSIX;
		return 0;
	}
	return dcli_errf(ctx, -DER_NOTSUPPORTED,
			 "--path links POSIX containers (a directory) and HDF5 ones (a file), "
			 "not %s containers",
			 cont_layout_name(type));
}

int
dcli_uns_check_type(struct cli_ctx *ctx, uint64_t type)
{
	bool dir = false;

	return link_kind(ctx, type, &dir);
}

int
dcli_uns_pool_of(struct cli_ctx *ctx, const char *path, char *pool, size_t pool_len)
{
	struct dcli_dfuse_info *info;
	char *copy, *parent;
	int rc = -DER_INVAL;

	copy = d_strdup(path);
	info = d_calloc(1, sizeof(*info));
	if (copy == NULL || info == NULL) {
		d_free(copy);
		d_free(info);
		return dcli_errf(ctx, -DER_NOMEM, "out of memory");
	}
	parent = dirname(copy);
	if (ctx->ops->dfuse_path_info != NULL)
		rc = ctx->ops->dfuse_path_info(parent, info);
	if (rc == 0)
		snprintf(pool, pool_len, "%s", info->pool);
	d_free(info);
	d_free(copy);
	if (rc != 0)
		return dcli_errf(ctx, 0,
				 "give the pool: %s is not in a dfuse mount, which would name it",
				 path);
	return 0;
}

int
dcli_uns_make(struct cli_ctx *ctx, const char *path, uint64_t type, const char *pool_uuid,
	      const char *cont_uuid)
{
	char value[DCLI_UNS_MAX];
	bool dir = false;
	int rc;

	rc = link_kind(ctx, type, &dir);
	if (rc != 0)
		return rc;
	snprintf(value, sizeof(value), "DAOS.%s://%s/%s", cont_layout_name(type), pool_uuid,
		 cont_uuid);
	rc = ctx->ops->uns_link(path, dir, value);
	if (rc == -DER_EXIST)
		return dcli_errf(ctx, rc, "cannot link the container at %s: it exists", path);
	if (rc == -DER_NOTSUPPORTED || rc == -DER_NOSYS)
		return dcli_errf(ctx, rc,
				 "cannot link the container at %s: its file system keeps no %s "
				 "attribute",
				 path, UNS_XATTR);
	if (rc != 0)
		return dcli_errf(ctx, rc, "cannot link the container at %s", path);
	return 0;
}

/* The container's UUID and type, and its pool's UUID, for a link. */
static int
cont_identity(struct cli_ctx *ctx, const char *pool, const char *cont, char *puuid, char *cuuid,
	      uint64_t *type)
{
	daos_pool_info_t pinfo = { 0 };
	daos_cont_info_t cinfo = { 0 };
	daos_handle_t poh, coh;
	daos_prop_t *prop;
	int rc;

	rc = dcli_cont_open(ctx, pool, cont, DAOS_PC_RO, DAOS_COO_RO, &poh, &coh, &pinfo, &cinfo);
	if (rc != 0)
		return rc;
	prop = ctx->ops->prop_alloc(1);
	if (prop == NULL) {
		rc = dcli_errf(ctx, -DER_NOMEM, "out of memory");
		goto out;
	}
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	rc = ctx->ops->cont_query(coh, NULL, prop, NULL);
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to query container %s", cont);
	} else {
		*type = prop->dpp_entries[0].dpe_val;
		uuid_unparse_lower(pinfo.pi_uuid, puuid);
		uuid_unparse_lower(cinfo.ci_uuid, cuuid);
	}
	ctx->ops->prop_free(prop);
out:
	dcli_cont_close(ctx, poh, coh);
	return rc;
}

int
dcli_cont_link(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *path = a->val[DCLI_OPT_UNS_PATH];
	char puuid[37], cuuid[37];
	uint64_t type = 0;
	int rc;

	if (!a->set[DCLI_OPT_UNS_PATH])
		return dcli_errf(ctx, 0, "the required flag `--path' was not specified");
	rc = cont_identity(ctx, a->pos[0], a->pos[1], puuid, cuuid, &type);
	if (rc == 0)
		rc = dcli_uns_make(ctx, path, type, puuid, cuuid);
	if (rc != 0)
		return rc;
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s, s:s, s:s}", "pool_uuid", puuid, "container_uuid",
					   cuuid, "path", path);
	else
		fprintf(ctx->out, "Successfully linked container %s to path %s\n", a->pos[1], path);
	return 0;
}
