/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_leak.c - make leaked objects in a POSIX container, for the DFS checker's system test
 * (tests/system/test_daos_fs.py): files and a directory are created through libdfs, then
 * their entries are punched from the root directory's object with daos_obj_punch_dkeys(),
 * which leaves the objects themselves with nothing naming them - what a crash between
 * dfs_remove()'s two steps leaves behind.
 *
 *   api_dfs_leak <pool> <container> <nr files>
 *
 * Prints "leaked <hi>.<lo>" per object made unreachable. Pool and container are labels or
 * UUIDs; DAOS_AGENT_DRPC_DIR finds the agent.
 */
#include <daos_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "dfs_leak: %s: %d\n", what, rc);
	return 1;
}

/* Create @name (a file with some bytes, or a directory with one file) under the root. */
static int
make(dfs_t *dfs, const char *name, bool dir, daos_obj_id_t *oid)
{
	char data[4096];
	d_sg_list_t sgl;
	d_iov_t iov;
	dfs_obj_t *obj;
	dfs_obj_t *child;
	int rc;

	memset(data, 'x', sizeof(data));
	if (dir) {
		rc = dfs_mkdir(dfs, NULL, name, S_IFDIR | 0755, 0);
		if (rc == 0)
			rc = dfs_lookup_rel(dfs, NULL, name, O_RDWR, &obj, NULL, NULL);
		if (rc == 0) {
			/* an entry inside, so that the directory object exists */
			rc = dfs_open(dfs, obj, "inner", S_IFREG | 0644, O_RDWR | O_CREAT, 0, 0,
				      NULL, &child);
			if (rc == 0)
				dfs_release(child);
		}
	} else {
		rc = dfs_open(dfs, NULL, name, S_IFREG | 0644, O_RDWR | O_CREAT, 0, 0, NULL, &obj);
		if (rc == 0) {
			d_iov_set(&iov, data, sizeof(data));
			sgl.sg_nr = 1;
			sgl.sg_nr_out = 0;
			sgl.sg_iovs = &iov;
			rc = dfs_write(dfs, obj, &sgl, 0, NULL);
		}
	}
	if (rc != 0)
		return rc;
	rc = dfs_obj2id(obj, oid);
	dfs_release(obj);
	return rc;
}

int
main(int argc, char **argv)
{
	daos_obj_id_t root_oid, oid;
	daos_handle_t coh, oh;
	dfs_obj_t *root;
	dfs_t *dfs;
	char name[64];
	daos_key_t dkey;
	int nr, i, rc;

	if (argc != 4)
		return fail("usage: api_dfs_leak <pool> <container> <nr files>", 1);
	nr = (int)strtol(argv[3], NULL, 10);
	rc = dfs_init();
	if (rc != 0)
		return fail("dfs_init", rc);
	rc = dfs_connect(argv[1], NULL, argv[2], O_RDWR, NULL, &dfs);
	if (rc != 0)
		return fail("dfs_connect", rc);
	rc = dfs_lookup(dfs, "/", O_RDWR, &root, NULL, NULL);
	if (rc == 0)
		rc = dfs_obj2id(root, &root_oid);
	if (rc == 0)
		rc = dfs_cont_get(dfs, &coh);
	if (rc != 0)
		return fail("root", rc);
	rc = daos_obj_open(coh, root_oid, DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return fail("daos_obj_open", rc);
	for (i = 0; i <= nr; i++) {
		/* nr files, then one directory */
		snprintf(name, sizeof(name), "leak_%d", i);
		rc = make(dfs, name, i == nr, &oid);
		if (rc != 0)
			return fail("create", rc);
		d_iov_set(&dkey, name, strlen(name));
		rc = daos_obj_punch_dkeys(oh, DAOS_TX_NONE, 0, 1, &dkey, NULL);
		if (rc != 0)
			return fail("daos_obj_punch_dkeys", rc);
		printf("leaked %llu.%llu\n", (unsigned long long)oid.hi,
		       (unsigned long long)oid.lo);
	}
	daos_obj_close(oh, NULL);
	dfs_cont_put(dfs, coh);
	dfs_release(root);
	rc = dfs_disconnect(dfs);
	if (rc != 0)
		return fail("dfs_disconnect", rc);
	dfs_fini();
	return 0;
}
