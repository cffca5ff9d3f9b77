/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_users_compile.c - <daos_fs.h> compiles on its own (C and C++) and accepts every
 * call, with the argument types, that IOR's and mdtest's DFS backend (aiori-DFS.c) and
 * fio's dfs engine (engines/dfs.c) make. Compile-only: nothing here runs.
 */
#include <daos.h>
#include <daos_fs.h>
#include <gurt/common.h>
#include <gurt/hash.h>
#include <string.h>

#if !defined(DAOS_API_VERSION_MAJOR) || !defined(DAOS_API_VERSION_MINOR)
#error "IOR and fio gate on DAOS_API_VERSION_MAJOR/MINOR"
#endif

struct fio_iou {
	daos_event_t ev;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_size_t size;
};

int dfs_users(daos_handle_t poh, daos_handle_t coh, const char *label, char *path);

int
dfs_users(daos_handle_t poh, daos_handle_t coh, const char *label, char *path)
{
	daos_oclass_id_t oclass = OC_SX, dir_oclass = OC_S1;
	dfs_t *dfs = NULL;
	dfs_obj_t *parent = NULL, *obj = NULL;
	d_iov_t glob;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_size_t got = 0, fsize = 0;
	struct stat st;
	mode_t mode;
	struct fio_iou io;
	daos_handle_t eqh;
	daos_event_t *evp[4];
	int rc = 0;

	memset(&glob, 0, sizeof(glob));
	/* IOR: init, create or open, mount, share, prefix */
	rc |= dfs_cont_create_with_label(poh, label, NULL, NULL, &coh, NULL);
	rc |= dfs_mount(poh, coh, O_RDWR, &dfs);
	rc |= dfs_local2global(dfs, &glob);
	rc |= dfs_global2local(poh, coh, 0, glob, &dfs);
	rc |= dfs_set_prefix(dfs, "/mnt");
	/* IOR: files */
	rc |= dfs_lookup(dfs, path, O_RDWR, &parent, &mode, NULL);
	rc |= dfs_open(dfs, parent, "f", S_IFREG | 0664, O_CREAT | O_RDWR | O_EXCL, oclass, 1048576,
		       NULL, &obj);
	rc |= dfs_obj_local2global(dfs, obj, &glob);
	rc |= dfs_obj_global2local(dfs, 0, glob, &obj);
	d_iov_set(&iov, path, 1);
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	rc |= dfs_write(dfs, obj, &sgl, 0, NULL);
	rc |= dfs_read(dfs, obj, &sgl, 0, &got, NULL);
	rc |= dfs_get_size(dfs, obj, &fsize);
	rc |= dfs_sync(dfs);
	rc |= dfs_release(obj);
	rc |= dfs_remove(dfs, parent, "f", false, NULL);
	/* mdtest */
	rc |= dfs_mkdir(dfs, parent, "d", 0755, dir_oclass);
	rc |= dfs_move(dfs, parent, "a", parent, "b", NULL);
	rc |= dfs_access(dfs, parent, NULL, R_OK);
	rc |= dfs_stat(dfs, parent, "d", &st);
	rc |= dfs_umount(dfs);
	/* fio */
	rc |= dfs_mount(poh, coh, O_RDWR, &dfs);
	rc |= dfs_open(dfs, NULL, "file", S_IFREG | S_IRUSR | S_IWUSR, O_CREAT | O_RDWR, OC_UNKNOWN,
		       0, NULL, &obj);
	rc |= daos_eq_create(&eqh);
	rc |= daos_event_init(&io.ev, eqh, NULL);
	io.sgl.sg_nr = 1;
	io.sgl.sg_nr_out = 0;
	d_iov_set(&io.iov, path, 1);
	io.sgl.sg_iovs = &io.iov;
	rc |= dfs_write(dfs, obj, &io.sgl, 0, &io.ev);
	rc |= dfs_read(dfs, obj, &io.sgl, 0, &io.size, &io.ev);
	rc |= daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 4, evp);
	rc |= container_of(evp[0], struct fio_iou, ev)->ev.ev_error;
	rc |= daos_event_fini(&io.ev);
	rc |= daos_eq_destroy(eqh, DAOS_EQ_DESTROY_FORCE);
	rc |= dfs_stat(dfs, NULL, "file", &st);
	rc |= dfs_remove(dfs, NULL, "file", false, NULL);
	rc |= dfs_umount(dfs);
	return rc;
}
