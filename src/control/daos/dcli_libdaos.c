/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_libdaos.c - the daos binary's struct dcli_ops: libdaos itself, libdfs for
 * POSIX containers and `daos filesystem`, and the dfuse ioctl for --path. Built only when the tree
 * has libdaos (meson's libdaos_dep), and with it libdfs (src/dfs); the rest of the CLI reaches both
 * through this table alone, so its tests run against a fake without a DAOS system.
 */
#define D_LOGFAC DD_FAC(control)

#include <daos_fs.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "control/daos/dcli_int.h"
#include "dfuse/dfuse_ioctl.h"

/*
 * `daos container create --type POSIX`: libdfs makes the namespace (superblock, root)
 * in a new container with @props. libdfs speaks errno, the CLI DER codes.
 */
static int
posix_cont_create(daos_handle_t poh, const char *label, const struct dcli_posix_attr *pattr,
		  daos_prop_t *props, uuid_t *uuid)
{
	dfs_attr_t attr = { 0 };
	int rc;

	attr.da_chunk_size = pattr->chunk_size;
	attr.da_oclass_id = pattr->oclass;
	attr.da_dir_oclass_id = pattr->dir_oclass;
	attr.da_file_oclass_id = pattr->file_oclass;
	attr.da_props = props != NULL && props->dpp_nr > 0 ? props : NULL;
	if (label != NULL)
		rc = dfs_cont_create_with_label(poh, label, &attr, uuid, NULL, NULL);
	else
		rc = dfs_cont_create(poh, uuid, &attr, NULL, NULL);
	return rc == 0 ? 0 : -daos_errno2der(rc);
}

/*
 * `--path` and `daos fs query`: ask the dfuse mount holding @path which pool and container
 * it serves (dfuse_ioctl.h); the path in the container is what follows the mount point.
 */
static int
dfuse_path_info(const char *path, struct dcli_dfuse_info *info)
{
	struct dfuse_il_reply il;
	struct dfuse_mount_reply *mnt;
	char *real;
	size_t n;
	int fd;
	int rc = 0;

	real = realpath(path, NULL);
	if (real == NULL)
		return -daos_errno2der(errno);
	fd = open(real, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		fd = open(real, O_PATH);
	mnt = d_calloc(1, sizeof(*mnt));
	if (fd < 0 || mnt == NULL) {
		rc = fd < 0 ? -daos_errno2der(errno) : -DER_NOMEM;
		goto out;
	}
	if (ioctl(fd, DFUSE_IOCTL_IL, &il) != 0 || il.version != DFUSE_IOCTL_VERSION ||
	    ioctl(fd, DFUSE_IOCTL_MOUNT, mnt) != 0 || mnt->version != DFUSE_IOCTL_VERSION) {
		rc = -DER_INVAL;
		goto out;
	}
	mnt->path[sizeof(mnt->path) - 1] = '\0';
	mnt->sys_name[sizeof(mnt->sys_name) - 1] = '\0';
	n = strlen(mnt->path);
	while (n > 1 && mnt->path[n - 1] == '/')
		n--;
	if (strncmp(real, mnt->path, n) != 0 || (real[n] != '\0' && real[n] != '/')) {
		rc = -DER_INVAL;
		goto out;
	}
	uuid_unparse_lower(il.pool_uuid, info->pool);
	uuid_unparse_lower(il.cont_uuid, info->cont);
	snprintf(info->sys, sizeof(info->sys), "%s", mnt->sys_name);
	snprintf(info->mnt, sizeof(info->mnt), "%s", mnt->path);
	snprintf(info->rel, sizeof(info->rel), "%s", real[n] == '\0' ? "/" : real + n);
	info->pid = mnt->pid;
out:
	if (fd >= 0)
		close(fd);
	d_free(mnt);
	free(real);
	return rc;
}

static int
dfuse_path_ioctl(const char *path, unsigned long cmd, void *reply)
{
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		fd = open(path, O_RDONLY);
	if (fd < 0)
		return -daos_errno2der(errno);
	/* Every reply starts with its version. */
	if (ioctl(fd, cmd, reply) != 0)
		rc = errno == ENOTTY || errno == ENOSYS ? -DER_INVAL : -daos_errno2der(errno);
	else if (*(uint32_t *)reply != DFUSE_IOCTL_VERSION)
		rc = -DER_INVAL;
	close(fd);
	return rc;
}

const struct dcli_ops dcli_libdaos_ops = {
	.init = daos_init,
	.fini = daos_fini,

	.pool_connect = daos_pool_connect,
	.pool_disconnect = daos_pool_disconnect,
	.pool_query = daos_pool_query,
	.pool_list_cont = daos_pool_list_cont,
	.pool_list_attr = daos_pool_list_attr,
	.pool_get_attr = daos_pool_get_attr,
	.pool_set_attr = daos_pool_set_attr,
	.pool_del_attr = daos_pool_del_attr,

	.cont_create = daos_cont_create,
	.cont_create_with_label = daos_cont_create_with_label,
	.cont_open = daos_cont_open,
	.cont_close = daos_cont_close,
	.cont_destroy = daos_cont_destroy,
	.cont_query = daos_cont_query,
	.cont_get_acl = daos_cont_get_acl,
	.cont_set_prop = daos_cont_set_prop,
	.cont_overwrite_acl = daos_cont_overwrite_acl,
	.cont_update_acl = daos_cont_update_acl,
	.cont_delete_acl = daos_cont_delete_acl,
	.cont_set_owner = daos_cont_set_owner,
	.cont_list_attr = daos_cont_list_attr,
	.cont_get_attr = daos_cont_get_attr,
	.cont_set_attr = daos_cont_set_attr,
	.cont_del_attr = daos_cont_del_attr,
	.cont_create_snap = daos_cont_create_snap,
	.cont_list_snap = daos_cont_list_snap,
	.cont_destroy_snap = daos_cont_destroy_snap,

	.prop_alloc = daos_prop_alloc,
	.prop_free = daos_prop_free,

	.oclass_name2id = daos_oclass_name2id,
	.oclass_id2name = daos_oclass_id2name,

	.obj_generate_oid = daos_obj_generate_oid,
	.obj_open = daos_obj_open,
	.obj_close = daos_obj_close,
	.obj_punch = daos_obj_punch,
	.obj_query = daos_obj_query,
	.obj_query_class = daos_obj_query_class,
	.obj_fetch = daos_obj_fetch,
	.obj_update = daos_obj_update,

	.dfs_mount = dfs_mount,
	.dfs_umount = dfs_umount,
	.dfs_lookup = dfs_lookup,
	.dfs_release = dfs_release,
	.dfs_open = dfs_open,
	.dfs_read = dfs_read,
	.dfs_write = dfs_write,
	.dfs_readdir = dfs_readdir,
	.dfs_get_symlink_value = dfs_get_symlink_value,
	.dfs_obj_get_info = dfs_obj_get_info,
	.dfs_obj_set_oclass = dfs_obj_set_oclass,
	.dfs_obj_set_chunk_size = dfs_obj_set_chunk_size,
	.dfs_chmod = dfs_chmod,
	.dfs_cont_check_report = dfs_cont_check_report,
	.dfs_cont_scan_report = dfs_cont_scan_report,
	.dfs_stat = dfs_stat,
	.dfs_obj_fix_type = dfs_obj_fix_type,
	.dfs_file_update_chunk_size = dfs_file_update_chunk_size,
	.dfs_recreate_sb = dfs_recreate_sb,
	.dfs_relink_root = dfs_relink_root,
	.dfuse_path_info = dfuse_path_info,
	.uns_get = dcli_uns_get,
	.uns_link = dcli_uns_link,
	.uns_unlink = dcli_uns_unlink,
	.dfuse_path_ioctl = dfuse_path_ioctl,

	/* POSIX containers: libdfs's dfs_cont_create_with_label(). */
	.posix_cont_create = posix_cont_create,
};
