/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_libdaos.c - the daos binary's struct dcli_ops: libdaos itself, and libdfs for
 * POSIX containers. Built only when the tree has libdaos (meson's libdaos_dep), and with
 * it libdfs (src/dfs); the rest of the CLI reaches both through this table alone, so its
 * tests run against a fake without a DAOS system.
 */
#define D_LOGFAC DD_FAC(control)

#include <daos_fs.h>
#include <string.h>

#include "control/daos/dcli_int.h"

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

	/* POSIX containers: libdfs's dfs_cont_create_with_label(). */
	.posix_cont_create = posix_cont_create,
};
