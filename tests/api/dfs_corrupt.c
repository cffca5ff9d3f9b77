/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_corrupt.c - damage a POSIX container the way bad luck does, for the system test of
 * `daos fs fix-entry/fix-sb/fix-root` and the checker's relink (tests/system/
 * test_daos_fs.py). It writes the bytes of the layout documented in docs/design/dfs.md
 * with libdaos directly, as a torn write, a lost update or a stray client would:
 *
 *   api_dfs_corrupt <pool> <cont> punch_sb_akeys       punch every akey of the superblock
 *   api_dfs_corrupt <pool> <cont> punch_sb_obj         punch the superblock object (the
 *                                                      superblock and the root's entry)
 *   api_dfs_corrupt <pool> <cont> punch_root           punch the root's entry ("/")
 *   api_dfs_corrupt <pool> <cont> set_mode PATH OCTAL  overwrite the mode of PATH's entry
 *   api_dfs_corrupt <pool> <cont> set_chunk PATH N     overwrite its chunk size
 *   api_dfs_corrupt <pool> <cont> unlink PATH          punch PATH's entry, leaving its
 *                                                      object (prints "unlinked HI.LO")
 *   api_dfs_corrupt <pool> <cont> make_file PATH SIZE CHUNK
 *                                 a file of SIZE bytes (byte i is i % 251) with chunk
 *                                 size CHUNK, through libdfs
 *
 * Pool and container are labels or UUIDs; DAOS_AGENT_DRPC_DIR finds the agent. Exit 0 on
 * success, 1 with a line on stderr otherwise.
 */
#include <daos_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* docs/design/dfs.md: the inode akey and the offsets of two of its fields. */
#define INODE_AKEY "DFS_INODE"
#define OFF_MODE 0
#define OFF_CHUNK 36
#define SB_DKEY "DFS_SB_METADATA"

static const char *const sb_akeys[] = {
	"DFS_MAGIC",          "DFS_SB_VERSION", "DFS_LAYOUT_VERSION",
	"DFS_CHUNK_SIZE",     "DFS_OBJ_CLASS",  "DFS_DIR_OBJ_CLASS",
	"DFS_FILE_OBJ_CLASS", "DFS_MODE",       "DFS_HINTS",
};

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "dfs_corrupt: %s: %d\n", what, rc);
	return 1;
}

/* The superblock object of the container, opened read-write. */
static int
sb_open(daos_handle_t coh, daos_handle_t *oh)
{
	struct daos_prop_co_roots *roots;
	struct daos_prop_entry *e;
	daos_prop_t *prop;
	int rc;

	prop = daos_prop_alloc(1);
	if (prop == NULL)
		return -DER_NOMEM;
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_ROOTS;
	rc = daos_cont_query(coh, NULL, prop, NULL);
	if (rc == 0) {
		e = daos_prop_entry_get(prop, DAOS_PROP_CO_ROOTS);
		roots = e != NULL ? e->dpe_val_ptr : NULL;
		rc = roots == NULL ? -DER_NONEXIST
				   : daos_obj_open(coh, roots->cr_oids[0], DAOS_OO_RW, oh, NULL);
	}
	daos_prop_free(prop);
	return rc;
}

static int
sb_damage(daos_handle_t coh, const char *how)
{
	daos_key_t dkey, akeys[sizeof(sb_akeys) / sizeof(sb_akeys[0])];
	daos_handle_t oh;
	unsigned int i;
	int rc;

	rc = sb_open(coh, &oh);
	if (rc != 0)
		return fail("superblock", rc);
	if (strcmp(how, "punch_sb_akeys") == 0) {
		d_iov_set(&dkey, SB_DKEY, strlen(SB_DKEY));
		for (i = 0; i < sizeof(akeys) / sizeof(akeys[0]); i++)
			d_iov_set(&akeys[i], (void *)sb_akeys[i], strlen(sb_akeys[i]));
		rc = daos_obj_punch_akeys(oh, DAOS_TX_NONE, 0, &dkey, i, akeys, NULL);
	} else if (strcmp(how, "punch_sb_obj") == 0) {
		rc = daos_obj_punch(oh, DAOS_TX_NONE, 0, NULL);
	} else {
		d_iov_set(&dkey, "/", 1);
		rc = daos_obj_punch_dkeys(oh, DAOS_TX_NONE, 0, 1, &dkey, NULL);
	}
	daos_obj_close(oh, NULL);
	return rc == 0 ? 0 : fail(how, rc);
}

/* The directory object holding entry @path (opened read-write) and the entry's name. */
static int
parent_open(dfs_t *dfs, char *path, daos_handle_t *oh, const char **name)
{
	char *slash = strrchr(path, '/');
	daos_obj_id_t oid;
	daos_handle_t coh;
	dfs_obj_t *dir;
	int rc;

	if (slash == NULL || slash[1] == '\0')
		return EINVAL;
	*slash = '\0';
	rc = dfs_lookup(dfs, slash == path ? "/" : path, O_RDWR, &dir, NULL, NULL);
	*slash = '/';
	if (rc != 0)
		return rc;
	rc = dfs_obj2id(dir, &oid);
	dfs_release(dir);
	if (rc == 0)
		rc = dfs_cont_get(dfs, &coh);
	if (rc != 0)
		return rc;
	rc = daos_obj_open(coh, oid, DAOS_OO_RW, oh, NULL);
	dfs_cont_put(dfs, coh);
	*name = slash + 1;
	return rc;
}

/* Overwrite @len bytes at @off of the inode of entry @name of directory @oh. */
static int
inode_write(daos_handle_t oh, const char *name, uint64_t off, const void *buf, size_t len)
{
	daos_recx_t recx = { .rx_idx = off, .rx_nr = len };
	daos_iod_t iod = { 0 };
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_key_t dkey;

	d_iov_set(&dkey, (void *)name, strlen(name));
	d_iov_set(&iod.iod_name, INODE_AKEY, strlen(INODE_AKEY));
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = 1;
	iod.iod_nr = 1;
	iod.iod_recxs = &recx;
	d_iov_set(&iov, (void *)buf, len);
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	return daos_obj_update(oh, DAOS_TX_NONE, DAOS_COND_DKEY_UPDATE, &dkey, 1, &iod, &sgl, NULL);
}

static void
put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int
entry_damage(dfs_t *dfs, const char *how, char *path, const char *arg)
{
	daos_obj_id_t oid;
	const char *name;
	daos_handle_t oh;
	dfs_obj_t *obj;
	daos_key_t dkey;
	uint8_t val[8];
	int rc;

	rc = parent_open(dfs, path, &oh, &name);
	if (rc != 0)
		return fail(path, rc);
	if (strcmp(how, "set_mode") == 0) {
		put_le(val, strtoull(arg, NULL, 8), 4);
		rc = inode_write(oh, name, OFF_MODE, val, 4);
	} else if (strcmp(how, "set_chunk") == 0) {
		put_le(val, strtoull(arg, NULL, 0), 8);
		rc = inode_write(oh, name, OFF_CHUNK, val, 8);
	} else {
		rc = dfs_lookup(dfs, path, O_RDONLY | O_NOFOLLOW, &obj, NULL, NULL);
		if (rc == 0) {
			rc = dfs_obj2id(obj, &oid);
			dfs_release(obj);
		}
		if (rc == 0) {
			d_iov_set(&dkey, (void *)name, strlen(name));
			rc = daos_obj_punch_dkeys(oh, DAOS_TX_NONE, 0, 1, &dkey, NULL);
		}
		if (rc == 0)
			printf("unlinked %llu.%llu\n", (unsigned long long)oid.hi,
			       (unsigned long long)oid.lo);
	}
	daos_obj_close(oh, NULL);
	return rc == 0 ? 0 : fail(how, rc);
}

static int
make_file(dfs_t *dfs, char *path, uint64_t size, uint64_t chunk)
{
	static uint8_t buf[1 << 20];
	char *slash = strrchr(path, '/');
	dfs_obj_t *dir, *obj;
	d_sg_list_t sgl;
	d_iov_t iov;
	uint64_t off;
	int rc;

	if (slash == NULL)
		return fail(path, EINVAL);
	*slash = '\0';
	rc = dfs_lookup(dfs, slash == path ? "/" : path, O_RDWR, &dir, NULL, NULL);
	*slash = '/';
	if (rc != 0)
		return fail(path, rc);
	rc = dfs_open(dfs, dir, slash + 1, S_IFREG | 0644, O_RDWR | O_CREAT | O_EXCL, 0, chunk,
		      NULL, &obj);
	dfs_release(dir);
	if (rc != 0)
		return fail("dfs_open", rc);
	for (off = 0; rc == 0 && off < size; off += sizeof(buf)) {
		uint64_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);
		uint64_t i;

		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)((off + i) % 251);
		d_iov_set(&iov, buf, n);
		sgl.sg_nr = 1;
		sgl.sg_nr_out = 0;
		sgl.sg_iovs = &iov;
		rc = dfs_write(dfs, obj, &sgl, off, NULL);
	}
	dfs_release(obj);
	return rc == 0 ? 0 : fail("dfs_write", rc);
}

int
main(int argc, char **argv)
{
	daos_handle_t poh, coh;
	const char *how;
	dfs_t *dfs;
	int rc;

	if (argc < 4)
		return fail("usage: api_dfs_corrupt <pool> <cont> <action> [args]", EINVAL);
	how = argv[3];
	rc = daos_init();
	if (rc != 0)
		return fail("daos_init", rc);
	rc = daos_pool_connect(argv[1], NULL, DAOS_PC_RW, &poh, NULL, NULL);
	if (rc != 0)
		return fail("daos_pool_connect", rc);
	rc = daos_cont_open(poh, argv[2], DAOS_COO_RW, &coh, NULL, NULL);
	if (rc != 0)
		return fail("daos_cont_open", rc);
	if (strncmp(how, "punch_", 6) == 0) {
		rc = sb_damage(coh, how);
	} else {
		rc = dfs_mount(poh, coh, O_RDWR, &dfs);
		if (rc != 0)
			return fail("dfs_mount", rc);
		if (strcmp(how, "make_file") == 0 && argc == 7)
			rc = make_file(dfs, argv[4], strtoull(argv[5], NULL, 0),
				       strtoull(argv[6], NULL, 0));
		else if ((strcmp(how, "set_mode") == 0 || strcmp(how, "set_chunk") == 0) &&
			 argc == 6)
			rc = entry_damage(dfs, how, argv[4], argv[5]);
		else if (strcmp(how, "unlink") == 0 && argc == 5)
			rc = entry_damage(dfs, how, argv[4], NULL);
		else
			rc = fail("unknown action or wrong arguments", EINVAL);
		dfs_umount(dfs);
	}
	daos_cont_close(coh, NULL);
	daos_pool_disconnect(poh, NULL);
	daos_fini();
	return rc;
}
