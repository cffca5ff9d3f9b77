/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_posix.c - libdfs conformance: every call of <daos_fs.h> through the public headers
 * only, against a real system, with the results and POSIX errors DAOS documents. The
 * group makes one POSIX container (dfs_cont_create_with_label) and mounts it; each test
 * works in a directory of its own.
 */
#include <daos_fs.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "api_test.h"

static dfs_t *dfs;
static daos_handle_t dcoh;
static char dcont[64];

#define assert_errno(call, err)                                                                    \
	do {                                                                                       \
		int e_ = (call);                                                                   \
		if (e_ != (err))                                                                   \
			fail_msg("%s returned %d (%s), expected %d (%s)", #call, e_, strerror(e_), \
				 (err), strerror(err));                                            \
	} while (0)

static int
dfs_group_setup(void **state)
{
	dfs_attr_t attr = { 0 };
	int rc;

	if (api_group_setup(state) != 0)
		return -1;
	api_label(dcont, sizeof(dcont), "posix");
	rc = dfs_cont_create_with_label(api.poh, dcont, &attr, NULL, &dcoh, &dfs);
	if (rc != 0) {
		print_error("dfs_cont_create_with_label: %d (%s)\n", rc, strerror(rc));
		return -1;
	}
	return 0;
}

static int
dfs_group_teardown(void **state)
{
	int failed = 0;

	if (dfs != NULL && dfs_umount(dfs) != 0)
		failed = 1;
	if (daos_cont_close(dcoh, NULL) != 0 || daos_cont_destroy(api.poh, dcont, 1, NULL) != 0)
		failed = 1;
	return api_group_teardown(state) != 0 || failed ? -1 : 0;
}

/* A fresh directory for one test, open read-write. */
static dfs_obj_t *
test_dir(const char *name)
{
	dfs_obj_t *dir;

	assert_errno(dfs_mkdir(dfs, NULL, name, 0755, 0), 0);
	assert_errno(dfs_lookup_rel(dfs, NULL, name, O_RDWR, &dir, NULL, NULL), 0);
	return dir;
}

static dfs_obj_t *
create_file(dfs_obj_t *dir, const char *name)
{
	dfs_obj_t *f;

	assert_errno(
		dfs_open(dfs, dir, name, S_IFREG | 0644, O_RDWR | O_CREAT | O_EXCL, 0, 0, NULL, &f),
		0);
	return f;
}

static int
write_at(dfs_obj_t *f, const void *buf, size_t len, daos_off_t off)
{
	d_sg_list_t sgl;
	d_iov_t iov;

	d_iov_set(&iov, (void *)buf, len);
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	return dfs_write(dfs, f, &sgl, off, NULL);
}

static int
read_at(dfs_obj_t *f, void *buf, size_t len, daos_off_t off, daos_size_t *got)
{
	d_sg_list_t sgl;
	d_iov_t iov;

	d_iov_set(&iov, buf, len);
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	return dfs_read(dfs, f, &sgl, off, got, NULL);
}

static daos_size_t
size_of(dfs_obj_t *f)
{
	daos_size_t size = 0;

	assert_errno(dfs_get_size(dfs, f, &size), 0);
	return size;
}

/* ---- containers and mounts ---- */

static void
container_and_mount(void **state)
{
	dfs_attr_t attr = { 0 }, q;
	daos_handle_t coh, h;
	char label[64];
	uuid_t uuid;
	dfs_t *d, *ro;
	dfs_obj_t *f;
	struct stat st;

	(void)state;
	api_label(label, sizeof(label), "posix_attr");
	attr.da_chunk_size = 65536;
	attr.da_oclass_id = OC_S1;
	attr.da_dir_oclass_id = OC_S1;
	attr.da_file_oclass_id = OC_SX;
	snprintf(attr.da_hints, sizeof(attr.da_hints), "file:max");
	assert_errno(dfs_cont_create_with_label(api.poh, label, &attr, &uuid, &coh, NULL), 0);
	/* The same label again: EEXIST. */
	assert_errno(dfs_cont_create_with_label(api.poh, label, NULL, NULL, NULL, NULL), EEXIST);
	/* A dfs out-parameter needs the container handle too. */
	assert_errno(dfs_cont_create(api.poh, NULL, NULL, NULL, &d), EINVAL);
	assert_errno(dfs_mount(api.poh, coh, O_RDWR, &d), 0);
	assert_errno(dfs_query(d, &q), 0);
	assert_int_equal(q.da_chunk_size, 65536);
	assert_int_equal(q.da_oclass_id, OC_S1);
	assert_int_equal(q.da_file_oclass_id, OC_SX);
	assert_int_equal(q.da_mode, DFS_RELAXED);
	assert_string_equal(q.da_hints, "file:max");
	/* The root exists and is an empty directory. */
	assert_errno(dfs_stat(d, NULL, NULL, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_errno(dfs_open(d, NULL, "f", S_IFREG | 0600, O_RDWR | O_CREAT, 0, 0, NULL, &f), 0);
	assert_errno(dfs_release(f), 0);
	/* pool and container handles are counted: no umount while lent out */
	assert_errno(dfs_pool_get(d, &h), 0);
	assert_errno(dfs_umount(d), EBUSY);
	assert_errno(dfs_pool_put(d, h), 0);
	assert_errno(dfs_cont_get(d, &h), 0);
	assert_errno(dfs_cont_put(d, h), 0);
	assert_errno(dfs_umount(d), 0);
	/* Read-only: reads work, writes are refused. */
	assert_errno(dfs_mount(api.poh, coh, O_RDONLY, &ro), 0);
	assert_errno(dfs_lookup(ro, "/f", O_RDONLY, &f, NULL, NULL), 0);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_open(ro, NULL, "g", S_IFREG | 0600, O_RDWR | O_CREAT, 0, 0, NULL, &f),
		     EPERM);
	assert_errno(dfs_mkdir(ro, NULL, "d", 0755, 0), EPERM);
	assert_errno(dfs_remove(ro, NULL, "f", false, NULL), EPERM);
	assert_errno(dfs_umount(ro), 0);
	assert_success(daos_cont_close(coh, NULL));
	assert_success(daos_cont_destroy(api.poh, label, 1, NULL));
	/* A container that is not POSIX is refused with EINVAL. */
	assert_errno(dfs_mount(api.poh, api.coh, O_RDWR, &d), EINVAL);
	/* Bad attributes. */
	attr.da_mode = 99;
	assert_errno(dfs_cont_create_with_label(api.poh, label, &attr, NULL, NULL, NULL), EINVAL);
	assert_errno(dfs_mount(api.poh, coh, 0777, &d), EINVAL);
}

static void
connect_and_cache(void **state)
{
	char label[64];
	dfs_t *a, *b;
	dfs_obj_t *o;

	(void)state;
	api_label(label, sizeof(label), "posix_conn");
	/* Without dfs_init: EACCES. */
	assert_errno(dfs_connect(api.pool, NULL, label, O_RDWR | O_CREAT, NULL, &a), EACCES);
	assert_errno(dfs_init(), 0);
	/* A missing container without O_CREAT: ENOENT; with it: created. */
	assert_errno(dfs_connect(api.pool, NULL, label, O_RDWR, NULL, &a), ENOENT);
	assert_errno(dfs_connect(api.pool, NULL, label, O_RDWR | O_CREAT, NULL, &a), 0);
	assert_errno(dfs_connect(api.pool, NULL, label, O_RDONLY, NULL, &b), 0);
	assert_errno(dfs_mkdir(a, NULL, "seen", 0755, 0), 0);
	assert_errno(dfs_lookup(b, "/seen", O_RDONLY, &o, NULL, NULL), 0);
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_disconnect(b), 0);
	assert_errno(dfs_disconnect(a), 0);
	/* The non-POSIX container of the program: EINVAL. */
	assert_errno(dfs_connect(api.pool, NULL, api.cont, O_RDWR, NULL, &a), EINVAL);
	assert_errno(dfs_destroy(api.pool, NULL, label, 0, NULL), 0);
	assert_errno(dfs_fini(), 0);
}

/* ---- files ---- */

static void
file_io(void **state)
{
	dfs_obj_t *dir, *f, *g;
	char buf[8192], back[8192], zero[4096];
	daos_size_t got;
	struct stat st;
	mode_t mode;

	(void)state;
	dir = test_dir("files");
	f = create_file(dir, "a");
	assert_int_equal(size_of(f), 0);
	api_fill(buf, sizeof(buf), 1);
	assert_errno(write_at(f, buf, sizeof(buf), 0), 0);
	assert_int_equal(size_of(f), sizeof(buf));
	memset(back, 0, sizeof(back));
	assert_errno(read_at(f, back, sizeof(back), 0, &got), 0);
	assert_int_equal(got, sizeof(buf));
	assert_memory_equal(back, buf, sizeof(buf));
	/* A read across the end is short; one past it reads nothing. */
	assert_errno(read_at(f, back, sizeof(back), 4096, &got), 0);
	assert_int_equal(got, 4096);
	assert_errno(read_at(f, back, sizeof(back), 100000, &got), 0);
	assert_int_equal(got, 0);
	/* A write past the end leaves a hole that reads as zeros. */
	assert_errno(write_at(f, buf, 10, 3 << 20), 0);
	assert_int_equal(size_of(f), (3 << 20) + 10);
	memset(zero, 0, sizeof(zero));
	memset(back, 0xff, sizeof(back));
	assert_errno(read_at(f, back, 4096, 1 << 20, &got), 0);
	assert_int_equal(got, 4096);
	assert_memory_equal(back, zero, 4096);
	/* Punch a hole in the middle; truncate with DFS_MAX_FSIZE; grow the same way. */
	assert_errno(dfs_punch(dfs, f, 100, 200), 0);
	assert_errno(read_at(f, back, 400, 0, &got), 0);
	assert_memory_equal(back, buf, 100);
	assert_memory_equal(back + 100, zero, 200);
	assert_memory_equal(back + 300, buf + 300, 100);
	assert_errno(dfs_punch(dfs, f, 5000, DFS_MAX_FSIZE), 0);
	assert_int_equal(size_of(f), 5000);
	assert_errno(dfs_punch(dfs, f, 7000, DFS_MAX_FSIZE), 0);
	assert_int_equal(size_of(f), 7000);
	/* stat and ostat agree */
	assert_errno(dfs_stat(dfs, dir, "a", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(st.st_size, 7000);
	assert_int_equal(st.st_uid, geteuid());
	assert_errno(dfs_ostat(dfs, f, &st), 0);
	assert_int_equal(st.st_size, 7000);
	assert_errno(dfs_get_mode(f, &mode), 0);
	assert_true(S_ISREG(mode));
	assert_errno(dfs_release(f), 0);

	/* O_EXCL on an existing file, plain O_CREAT opens it, O_TRUNC empties it. */
	assert_errno(
		dfs_open(dfs, dir, "a", S_IFREG | 0644, O_RDWR | O_CREAT | O_EXCL, 0, 0, NULL, &f),
		EEXIST);
	assert_errno(dfs_open(dfs, dir, "a", S_IFREG | 0644, O_RDWR | O_CREAT, 0, 0, NULL, &f), 0);
	assert_int_equal(size_of(f), 7000);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_open(dfs, dir, "a", S_IFREG, O_RDWR | O_TRUNC, 0, 0, NULL, &f), 0);
	assert_int_equal(size_of(f), 0);
	/* O_APPEND writes at the end. */
	assert_errno(dfs_open(dfs, dir, "a", S_IFREG, O_RDWR | O_APPEND, 0, 0, NULL, &g), 0);
	assert_errno(write_at(g, "abc", 3, 0), 0);
	assert_errno(write_at(g, "def", 3, 0), 0);
	assert_errno(read_at(f, back, 6, 0, &got), 0);
	assert_int_equal(got, 6);
	assert_memory_equal(back, "abcdef", 6);
	assert_errno(dfs_release(g), 0);
	/* Read-only handles do not write; write-only handles do not read. */
	assert_errno(dfs_open(dfs, dir, "a", S_IFREG, O_RDONLY, 0, 0, NULL, &g), 0);
	assert_errno(write_at(g, "x", 1, 0), EBADF);
	assert_errno(dfs_punch(dfs, g, 0, DFS_MAX_FSIZE), EBADF);
	assert_errno(dfs_release(g), 0);
	assert_errno(dfs_open(dfs, dir, "a", S_IFREG, O_WRONLY, 0, 0, NULL, &g), 0);
	assert_errno(read_at(g, back, 1, 0, &got), EBADF);
	assert_errno(dfs_release(g), 0);
	assert_errno(dfs_release(f), 0);

	/* Errors of open. */
	assert_errno(dfs_open(dfs, dir, "missing", S_IFREG, O_RDWR, 0, 0, NULL, &f), ENOENT);
	assert_errno(dfs_open(dfs, dir, "a", S_IFDIR, O_RDWR, 0, 0, NULL, &f), ENOTDIR);
	assert_errno(dfs_open(dfs, NULL, "files", S_IFREG, O_RDWR, 0, 0, NULL, &f), EISDIR);
	assert_errno(dfs_open(dfs, dir, "n", S_IFIFO | 0644, O_RDWR | O_CREAT, 0, 0, NULL, &f),
		     EINVAL);
	assert_errno(dfs_open(dfs, dir, "a/b", S_IFREG | 0644, O_RDWR | O_CREAT, 0, 0, NULL, &f),
		     EINVAL);
	assert_errno(dfs_lookup(dfs, "/files/a/x", O_RDONLY, &f, NULL, NULL), ENOTDIR);
	memset(buf, 'n', 300);
	buf[300] = '\0';
	assert_errno(dfs_open(dfs, dir, buf, S_IFREG | 0644, O_RDWR | O_CREAT, 0, 0, NULL, &f),
		     ENAMETOOLONG);
	/* Data calls on a directory. */
	assert_errno(write_at(dir, "x", 1, 0), EISDIR);
	assert_errno(dfs_release(dir), 0);
}

/* readx/writex and sizes by object id. */
static void
file_vector_io(void **state)
{
	dfs_obj_t *dir, *f;
	daos_range_t rg[3] = { { 0, 10 }, { 100000, 20 }, { 2 << 20, 30 } };
	dfs_iod_t iod = { 3, rg };
	char buf[60], back[60];
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_size_t got, size, chunk;
	daos_obj_id_t oid;

	(void)state;
	dir = test_dir("vector");
	f = create_file(dir, "v");
	api_fill(buf, sizeof(buf), 2);
	d_iov_set(&iov, buf, sizeof(buf));
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	assert_errno(dfs_writex(dfs, f, &iod, &sgl, NULL), 0);
	d_iov_set(&iov, back, sizeof(back));
	assert_errno(dfs_readx(dfs, f, &iod, &sgl, &got, NULL), 0);
	assert_int_equal(got, 60);
	assert_memory_equal(back, buf, sizeof(buf));
	assert_errno(dfs_obj2id(f, &oid), 0);
	assert_errno(dfs_get_chunk_size(f, &chunk), 0);
	assert_int_equal(chunk, 1 << 20);
	assert_errno(dfs_get_size_by_oid(dfs, oid, chunk, &size), 0);
	assert_int_equal(size, (2 << 20) + 30);
	/* ranges and buffer must agree */
	iod.iod_nr = 2;
	assert_errno(dfs_writex(dfs, f, &iod, &sgl, NULL), EINVAL);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_release(dir), 0);
}

/* 16 writes and reads in flight on one event queue. */
static void
file_async_io(void **state)
{
	enum { NR = 16, LEN = 65536 };
	daos_event_t evs[NR], *done[NR];
	d_sg_list_t sgls[NR];
	d_iov_t iovs[NR];
	daos_size_t got[NR];
	daos_handle_t eqh;
	dfs_obj_t *dir, *f;
	char *buf, *back;
	int i, n, left;

	(void)state;
	dir = test_dir("async");
	f = create_file(dir, "e");
	buf = api_alloc(NR * LEN);
	back = api_alloc(NR * LEN);
	api_fill(buf, NR * LEN, 3);
	memset(back, 0, NR * LEN);
	assert_success(daos_eq_create(&eqh));
	for (i = 0; i < NR; i++) {
		assert_success(daos_event_init(&evs[i], eqh, NULL));
		d_iov_set(&iovs[i], buf + (size_t)i * LEN, LEN);
		sgls[i].sg_nr = 1;
		sgls[i].sg_nr_out = 0;
		sgls[i].sg_iovs = &iovs[i];
		assert_errno(dfs_write(dfs, f, &sgls[i], (daos_off_t)i * LEN, &evs[i]), 0);
	}
	for (left = NR; left > 0; left -= n) {
		n = daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, NR, done);
		assert_true(n > 0);
		for (i = 0; i < n; i++)
			assert_int_equal(done[i]->ev_error, 0);
	}
	for (i = 0; i < NR; i++) {
		assert_success(daos_event_fini(&evs[i]));
		assert_success(daos_event_init(&evs[i], eqh, NULL));
		d_iov_set(&iovs[i], back + (size_t)i * LEN, LEN);
		got[i] = 0;
		/* the last read crosses the end: short */
		assert_errno(dfs_read(dfs, f, &sgls[i],
				      (daos_off_t)i * LEN + (i == NR - 1 ? 10 : 0), &got[i],
				      &evs[i]),
			     0);
	}
	for (left = NR; left > 0; left -= n) {
		n = daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, NR, done);
		assert_true(n > 0);
		for (i = 0; i < n; i++)
			assert_int_equal(done[i]->ev_error, 0);
	}
	for (i = 0; i < NR; i++) {
		assert_int_equal(got[i], i == NR - 1 ? LEN - 10 : LEN);
		assert_success(daos_event_fini(&evs[i]));
	}
	assert_memory_equal(back, buf, (NR - 1) * LEN);
	/* Nothing to move: the event still completes, once. */
	{
		d_sg_list_t empty = { .sg_nr = 0 };

		assert_success(daos_event_init(&evs[0], eqh, NULL));
		got[0] = 99;
		assert_errno(dfs_read(dfs, f, &empty, 0, &got[0], &evs[0]), 0);
		assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, NR, done), 1);
		assert_ptr_equal(done[0], &evs[0]);
		assert_int_equal(got[0], 0);
		assert_errno(dfs_write(dfs, f, &empty, 0, &evs[0]), 0);
		assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, NR, done), 1);
		assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, NR, done), 0);
		assert_success(daos_event_fini(&evs[0]));
	}
	assert_success(daos_eq_destroy(eqh, 0));
	free(buf);
	free(back);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_release(dir), 0);
}

/* ---- directories ---- */

static void
directories(void **state)
{
	enum { NR = 1000 };
	dfs_obj_t *dir, *sub, *o;
	struct dirent ents[7];
	daos_anchor_t anchor = { 0 };
	char name[32];
	char *seen;
	uint32_t nr, total = 0, i;
	struct stat st;
	mode_t mode;

	(void)state;
	dir = test_dir("dirs");
	assert_errno(dfs_mkdir(dfs, NULL, "dirs", 0755, 0), EEXIST);
	assert_errno(dfs_mkdir(dfs, dir, "sub", 0700, 0), 0);
	assert_errno(dfs_lookup(dfs, "/dirs/sub", O_RDWR, &sub, &mode, &st), 0);
	assert_true(S_ISDIR(mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_errno(dfs_mkdir(dfs, sub, "deeper", 0755, 0), 0);
	/* "." and ".." and repeated slashes in paths */
	assert_errno(dfs_lookup(dfs, "//dirs/./sub/../sub//deeper/", O_RDONLY, &o, &mode, NULL), 0);
	assert_true(S_ISDIR(mode));
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_lookup(dfs, "/", O_RDONLY, &o, &mode, NULL), 0);
	assert_true(S_ISDIR(mode));
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_lookup(dfs, "/dirs/nothing", O_RDONLY, &o, NULL, NULL), ENOENT);
	assert_errno(dfs_lookup(dfs, "relative", O_RDONLY, &o, NULL, NULL), EINVAL);

	/* A thousand entries listed seven at a time, each exactly once. */
	for (i = 0; i < NR; i++) {
		snprintf(name, sizeof(name), "e%04u", i);
		if (i % 2)
			assert_errno(dfs_mkdir(dfs, sub, name, 0755, 0), 0);
		else
			assert_errno(dfs_release(create_file(sub, name)), 0);
	}
	seen = calloc(NR, 1);
	assert_non_null(seen);
	while (!daos_anchor_is_eof(&anchor)) {
		nr = 7;
		assert_errno(dfs_readdir(dfs, sub, &anchor, &nr, ents), 0);
		assert_true(nr <= 7);
		for (i = 0; i < nr; i++) {
			unsigned int k;

			if (strcmp(ents[i].d_name, "deeper") == 0)
				continue;
			assert_int_equal(sscanf(ents[i].d_name, "e%u", &k), 1);
			assert_true(k < NR);
			assert_int_equal(seen[k], 0);
			seen[k] = 1;
			total++;
		}
	}
	assert_int_equal(total, NR);
	free(seen);

	/* readdirplus: types and sizes */
	{
		struct dirent pents[4];
		struct stat sts[4];

		memset(&anchor, 0, sizeof(anchor));
		nr = 4;
		assert_errno(dfs_readdirplus(dfs, sub, &anchor, &nr, pents, sts), 0);
		assert_true(nr > 0);
		for (i = 0; i < nr; i++)
			assert_true(S_ISDIR(sts[i].st_mode) || S_ISREG(sts[i].st_mode));
	}
	assert_errno(dfs_readdir(dfs, o = create_file(dir, "plain"), &anchor, &nr, ents), ENOTDIR);
	assert_errno(dfs_release(o), 0);

	/* Remove: ENOTEMPTY unless forced; then it is gone. */
	assert_errno(dfs_remove(dfs, dir, "sub", false, NULL), ENOTEMPTY);
	assert_errno(dfs_remove(dfs, dir, "missing", false, NULL), ENOENT);
	assert_errno(dfs_remove(dfs, sub, "deeper", false, NULL), 0);
	assert_errno(dfs_remove(dfs, dir, "sub", true, NULL), 0);
	assert_errno(dfs_stat(dfs, dir, "sub", &st), ENOENT);
	assert_errno(dfs_release(sub), 0);
	assert_errno(dfs_remove(dfs, dir, "plain", false, NULL), 0);
	assert_errno(dfs_remove(dfs, NULL, "dirs", false, NULL), 0);
	assert_errno(dfs_release(dir), 0);
}

struct iter_arg {
	int calls;
};

static int
count_cb(dfs_t *d, dfs_obj_t *obj, const char name[], void *arg)
{
	struct iter_arg *a = arg;

	(void)d;
	(void)obj;
	assert_true(name[0] == 'i');
	a->calls++;
	return 0;
}

static void
iterate(void **state)
{
	struct iter_arg a = { 0 };
	daos_anchor_t anchor = { 0 };
	dfs_obj_t *dir;
	char name[16];
	uint32_t nr, total = 0, n;
	int i;

	(void)state;
	dir = test_dir("iter");
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "i%d", i);
		assert_errno(dfs_mkdir(dfs, dir, name, 0755, 0), 0);
	}
	while (!daos_anchor_is_eof(&anchor)) {
		nr = 10;
		assert_errno(dfs_iterate(dfs, dir, &anchor, &nr, 64, count_cb, &a), 0);
		total += nr;
	}
	assert_int_equal(total, 50);
	assert_int_equal(a.calls, 50);
	assert_errno(dfs_obj_anchor_split(dir, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_errno(dfs_obj_anchor_set(dir, 0, &anchor), 0);
	assert_errno(dfs_remove(dfs, NULL, "iter", true, NULL), 0);
	assert_errno(dfs_release(dir), 0);
}

/* ---- symbolic links ---- */

static void
symlinks(void **state)
{
	dfs_obj_t *dir, *l, *o;
	char val[64];
	daos_size_t size;
	struct stat st;
	mode_t mode;

	(void)state;
	dir = test_dir("links");
	assert_errno(dfs_release(create_file(dir, "target")), 0);
	assert_errno(dfs_open(dfs, dir, "rel", S_IFLNK | 0777, O_RDWR | O_CREAT | O_EXCL, 0, 0,
			      "target", &l),
		     0);
	size = sizeof(val);
	assert_errno(dfs_get_symlink_value(l, val, &size), 0);
	assert_int_equal(size, strlen("target") + 1);
	assert_string_equal(val, "target");
	size = 3;
	assert_errno(dfs_get_symlink_value(l, val, &size), 0);
	assert_int_equal(size, 7);
	assert_errno(dfs_release(l), 0);
	assert_errno(dfs_open(dfs, dir, "abs", S_IFLNK | 0777, O_RDWR | O_CREAT, 0, 0,
			      "/links/target", &l),
		     0);
	assert_errno(dfs_release(l), 0);
	assert_errno(dfs_open(dfs, dir, "abs", S_IFLNK | 0777, O_RDWR | O_CREAT, 0, 0, "x", &l),
		     EEXIST);
	assert_errno(dfs_open(dfs, dir, "nolink", S_IFLNK | 0777, O_RDWR | O_CREAT, 0, 0, NULL, &l),
		     EINVAL);
	/* lookup follows, O_NOFOLLOW and lookup_rel do not */
	assert_errno(dfs_lookup(dfs, "/links/rel", O_RDONLY, &o, &mode, NULL), 0);
	assert_true(S_ISREG(mode));
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_lookup(dfs, "/links/abs", O_RDONLY, &o, &mode, NULL), 0);
	assert_true(S_ISREG(mode));
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_lookup(dfs, "/links/rel", O_RDONLY | O_NOFOLLOW, &o, &mode, NULL), 0);
	assert_true(S_ISLNK(mode));
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_lookup_rel(dfs, dir, "rel", O_RDONLY, &o, &mode, &st), 0);
	assert_true(S_ISLNK(mode));
	assert_int_equal(st.st_size, strlen("target"));
	assert_errno(dfs_release(o), 0);
	/* through a link to a directory */
	assert_errno(
		dfs_open(dfs, NULL, "tolinks", S_IFLNK | 0777, O_RDWR | O_CREAT, 0, 0, "links", &l),
		0);
	assert_errno(dfs_release(l), 0);
	assert_errno(dfs_lookup(dfs, "/tolinks/target", O_RDONLY, &o, &mode, NULL), 0);
	assert_true(S_ISREG(mode));
	assert_errno(dfs_release(o), 0);
	/* loops: ELOOP */
	assert_errno(
		dfs_open(dfs, dir, "loop1", S_IFLNK | 0777, O_RDWR | O_CREAT, 0, 0, "loop2", &l),
		0);
	assert_errno(dfs_release(l), 0);
	assert_errno(
		dfs_open(dfs, dir, "loop2", S_IFLNK | 0777, O_RDWR | O_CREAT, 0, 0, "loop1", &l),
		0);
	assert_errno(dfs_release(l), 0);
	assert_errno(dfs_lookup(dfs, "/links/loop1", O_RDONLY, &o, NULL, NULL), ELOOP);
	/* dangling */
	assert_errno(
		dfs_open(dfs, dir, "dangling", S_IFLNK | 0777, O_RDWR | O_CREAT, 0, 0, "none", &l),
		0);
	assert_errno(dfs_release(l), 0);
	assert_errno(dfs_lookup(dfs, "/links/dangling", O_RDONLY, &o, NULL, NULL), ENOENT);
	/* access and chmod follow links */
	assert_errno(dfs_chmod(dfs, dir, "rel", 0600), 0);
	assert_errno(dfs_stat(dfs, dir, "target", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_errno(dfs_remove(dfs, NULL, "tolinks", false, NULL), 0);
	assert_errno(dfs_remove(dfs, NULL, "links", true, NULL), 0);
	assert_errno(dfs_release(dir), 0);
}

/* ---- rename and exchange ---- */

static void
rename_entries(void **state)
{
	dfs_obj_t *dir, *other, *f, *sub;
	daos_obj_id_t oid, oid2, gone;
	char buf[16];
	daos_size_t got, size;
	struct stat st;

	(void)state;
	dir = test_dir("mv");
	other = test_dir("mv2");
	f = create_file(dir, "a");
	assert_errno(write_at(f, "hello", 5, 0), 0);
	assert_errno(dfs_obj2id(f, &oid), 0);
	assert_errno(dfs_setxattr(dfs, f, "user.k", "v1", 2, 0), 0);
	assert_errno(dfs_release(f), 0);

	/* within a directory, then across directories */
	assert_errno(dfs_move(dfs, dir, "a", dir, "b", NULL), 0);
	assert_errno(dfs_stat(dfs, dir, "a", &st), ENOENT);
	assert_errno(dfs_move(dfs, dir, "b", other, "c", &gone), 0);
	assert_true(gone.hi == 0 && gone.lo == 0);
	assert_errno(dfs_lookup(dfs, "/mv2/c", O_RDWR, &f, NULL, NULL), 0);
	assert_errno(dfs_obj2id(f, &oid2), 0);
	assert_true(oid.hi == oid2.hi && oid.lo == oid2.lo);
	assert_errno(read_at(f, buf, 5, 0, &got), 0);
	assert_memory_equal(buf, "hello", 5);
	/* xattrs travel with the entry */
	size = sizeof(buf);
	assert_errno(dfs_getxattr(dfs, f, "user.k", buf, &size), 0);
	assert_int_equal(size, 2);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_move(dfs, dir, "b", dir, "z", NULL), ENOENT);

	/* replacing a file returns the replaced object's id */
	f = create_file(dir, "victim");
	assert_errno(dfs_obj2id(f, &oid2), 0);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_move(dfs, other, "c", dir, "victim", &gone), 0);
	assert_true(gone.hi == oid2.hi && gone.lo == oid2.lo);
	assert_errno(dfs_stat(dfs, dir, "victim", &st), 0);
	assert_int_equal(st.st_size, 5);
	/* renaming onto itself changes nothing */
	assert_errno(dfs_move(dfs, dir, "victim", dir, "victim", NULL), 0);

	/* directories: not into themselves or their subdirectories */
	assert_errno(dfs_mkdir(dfs, dir, "d", 0755, 0), 0);
	assert_errno(dfs_lookup_rel(dfs, dir, "d", O_RDWR, &sub, NULL, NULL), 0);
	assert_errno(dfs_mkdir(dfs, sub, "inner", 0755, 0), 0);
	assert_errno(dfs_move(dfs, dir, "d", sub, "x", NULL), EINVAL);
	{
		dfs_obj_t *inner;

		assert_errno(dfs_lookup(dfs, "/mv/d/inner", O_RDWR, &inner, NULL, NULL), 0);
		assert_errno(dfs_move(dfs, dir, "d", inner, "x", NULL), EINVAL);
		assert_errno(dfs_release(inner), 0);
	}
	assert_errno(dfs_move(dfs, NULL, "mv", sub, "x", NULL), EINVAL);
	/* type rules of rename(2) */
	assert_errno(dfs_move(dfs, dir, "d", dir, "victim", NULL), ENOTDIR);
	assert_errno(dfs_move(dfs, dir, "victim", dir, "d", NULL), EISDIR);
	assert_errno(dfs_mkdir(dfs, dir, "e", 0755, 0), 0);
	assert_errno(dfs_move(dfs, dir, "e", dir, "d", NULL), ENOTEMPTY);
	assert_errno(dfs_move(dfs, dir, "d", dir, "e", NULL), 0);
	assert_errno(dfs_stat(dfs, dir, "e", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_errno(dfs_lookup(dfs, "/mv/e/inner", O_RDONLY, &f, NULL, NULL), 0);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_release(sub), 0);

	/* exchange swaps two entries */
	f = create_file(other, "one");
	assert_errno(write_at(f, "1", 1, 0), 0);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_exchange(dfs, other, "one", dir, "e"), 0);
	assert_errno(dfs_stat(dfs, other, "one", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_errno(dfs_stat(dfs, dir, "e", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 1);
	assert_errno(dfs_exchange(dfs, other, "one", dir, "none"), ENOENT);

	assert_errno(dfs_release(dir), 0);
	assert_errno(dfs_release(other), 0);
	assert_errno(dfs_remove(dfs, NULL, "mv", true, NULL), 0);
	assert_errno(dfs_remove(dfs, NULL, "mv2", true, NULL), 0);
}

/* ---- attributes ---- */

static void
attributes(void **state)
{
	dfs_obj_t *dir, *f, *f2;
	struct stat st = { 0 }, st2;
	dfs_obj_info_t info;
	daos_size_t chunk;
	char cname[64];

	(void)state;
	dir = test_dir("attrs");
	f = create_file(dir, "f");
	assert_errno(dfs_chmod(dfs, dir, "f", 0600), 0);
	assert_errno(dfs_stat(dfs, dir, "f", &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	assert_errno(dfs_access(dfs, dir, "f", R_OK | W_OK), 0);
	if (geteuid() != 0)
		assert_errno(dfs_access(dfs, dir, "f", X_OK), EACCES);
	assert_errno(dfs_access(dfs, dir, "nope", F_OK), ENOENT);
	assert_errno(dfs_access(dfs, NULL, NULL, R_OK), 0);
	assert_errno(dfs_chown(dfs, dir, "f", 1234, (gid_t)-1, 0), 0);
	assert_errno(dfs_stat(dfs, dir, "f", &st), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, getegid());
	assert_errno(dfs_chown(dfs, dir, "f", geteuid(), getegid(), 0), 0);

	/* setattr: mode keeps the type; size; mtime (exact, then moved by a write) */
	st.st_mode = 0640;
	st.st_size = 12345;
	assert_errno(dfs_osetattr(dfs, f, &st, DFS_SET_ATTR_MODE | DFS_SET_ATTR_SIZE), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0640);
	assert_int_equal(st.st_size, 12345);
	st.st_mtim.tv_sec = 1000000000;
	st.st_mtim.tv_nsec = 5;
	assert_errno(dfs_osetattr(dfs, dir, &st, DFS_SET_ATTR_MTIME), 0);
	assert_errno(dfs_ostat(dfs, dir, &st2), 0);
	assert_int_equal(st2.st_mtim.tv_sec, 1000000000);
	assert_int_equal(st2.st_mtim.tv_nsec, 5);
	assert_true(st2.st_ctim.tv_sec > 1000000000);
	st.st_mtim.tv_sec = 1000000000;
	st.st_mtim.tv_nsec = 5;
	assert_errno(dfs_osetattr(dfs, f, &st, DFS_SET_ATTR_MTIME), 0);
	assert_errno(dfs_ostat(dfs, f, &st2), 0);
	assert_int_equal(st2.st_mtim.tv_sec, 1000000000);
	assert_int_equal(st2.st_mtim.tv_nsec, 5);
	{
		d_sg_list_t sgl;
		d_iov_t iov;
		char c = 'm';

		d_iov_set(&iov, &c, 1);
		sgl.sg_nr = 1;
		sgl.sg_nr_out = 0;
		sgl.sg_iovs = &iov;
		assert_errno(dfs_write(dfs, f, &sgl, 0, NULL), 0);
		assert_errno(dfs_ostat(dfs, f, &st2), 0);
		assert_true(st2.st_mtim.tv_sec > 1000000000); /* the write dates it */
	}
	assert_errno(dfs_osetattr(dfs, f, &st, 1 << 20), EINVAL);

	/* class and chunk size: set on a directory, inherited by new files */
	assert_errno(dfs_obj_set_chunk_size(dfs, dir, 0, 4096), 0);
	assert_errno(dfs_obj_set_oclass(dfs, dir, 0, OC_S1), 0);
	assert_errno(dfs_obj_set_oclass(dfs, f, 0, OC_S1), ENOTSUP);
	assert_errno(dfs_obj_get_info(dfs, dir, &info), 0);
	assert_int_equal(info.doi_chunk_size, 4096);
	assert_int_equal(info.doi_oclass_id, OC_S1);
	f2 = create_file(dir, "g");
	assert_errno(dfs_get_chunk_size(f2, &chunk), 0);
	assert_int_equal(chunk, 4096);
	assert_errno(dfs_obj_get_info(dfs, f2, &info), 0);
	assert_int_equal(info.doi_oclass_id, OC_S1);
	assert_int_equal(info.doi_chunk_size, 4096);
	assert_success(daos_oclass_id2name(info.doi_oclass_id, cname));
	/* a subdirectory passes the setting on */
	assert_errno(dfs_mkdir(dfs, dir, "sub", 0755, 0), 0);
	assert_errno(dfs_release(f2), 0);
	assert_errno(dfs_lookup(dfs, "/attrs/sub", O_RDWR, &f2, NULL, NULL), 0);
	assert_errno(dfs_obj_get_info(dfs, f2, &info), 0);
	assert_int_equal(info.doi_chunk_size, 4096);
	assert_errno(dfs_release(f2), 0);
	/* after a re-lookup the directory still says so */
	assert_errno(dfs_lookup(dfs, "/attrs", O_RDWR, &f2, NULL, NULL), 0);
	assert_errno(dfs_obj_get_info(dfs, f2, &info), 0);
	assert_int_equal(info.doi_chunk_size, 4096);
	assert_errno(dfs_release(f2), 0);
	/* an explicit chunk size wins */
	assert_errno(dfs_open(dfs, dir, "h", S_IFREG | 0644, O_RDWR | O_CREAT, 0, 8192, NULL, &f2),
		     0);
	assert_errno(dfs_get_chunk_size(f2, &chunk), 0);
	assert_int_equal(chunk, 8192);
	assert_errno(dfs_release(f2), 0);

	/* dup and its handle */
	assert_errno(dfs_dup(dfs, f, O_RDWR, &f2), 0);
	{
		daos_handle_t oh;

		assert_errno(dfs_get_file_oh(f2, &oh), 0);
		assert_errno(dfs_get_file_oh(dir, &oh), EINVAL);
	}
	assert_errno(dfs_release(f2), 0);
	assert_errno(dfs_sync(dfs), 0);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_remove(dfs, NULL, "attrs", true, NULL), 0);
	assert_errno(dfs_release(dir), 0);
}

static void
xattrs(void **state)
{
	dfs_obj_t *dir, *f;
	char list[256], val[64];
	daos_size_t size;
	int nr = 0;
	char *p;

	(void)state;
	dir = test_dir("xattr");
	f = create_file(dir, "f");
	assert_errno(dfs_setxattr(dfs, f, "user.a", "alpha", 5, 0), 0);
	assert_errno(dfs_setxattr(dfs, f, "user.b", "beta", 4, XATTR_CREATE), 0);
	assert_errno(dfs_setxattr(dfs, f, "user.b", "x", 1, XATTR_CREATE), EEXIST);
	assert_errno(dfs_setxattr(dfs, f, "user.c", "x", 1, XATTR_REPLACE), ENODATA);
	assert_errno(dfs_setxattr(dfs, f, "user.b", "BETA", 4, XATTR_REPLACE), 0);
	size = sizeof(val);
	assert_errno(dfs_getxattr(dfs, f, "user.b", val, &size), 0);
	assert_int_equal(size, 4);
	assert_memory_equal(val, "BETA", 4);
	size = 0;
	assert_errno(dfs_getxattr(dfs, f, "user.a", NULL, &size), 0);
	assert_int_equal(size, 5);
	size = 2;
	assert_errno(dfs_getxattr(dfs, f, "user.a", val, &size), ERANGE);
	size = sizeof(val);
	assert_errno(dfs_getxattr(dfs, f, "user.none", val, &size), ENODATA);
	size = sizeof(list);
	assert_errno(dfs_listxattr(dfs, f, list, &size), 0);
	assert_int_equal(size, strlen("user.a") + 1 + strlen("user.b") + 1);
	for (p = list; p < list + size; p += strlen(p) + 1) {
		assert_true(strcmp(p, "user.a") == 0 || strcmp(p, "user.b") == 0);
		nr++;
	}
	assert_int_equal(nr, 2);
	size = 3;
	assert_errno(dfs_listxattr(dfs, f, list, &size), ERANGE);
	assert_errno(dfs_removexattr(dfs, f, "user.a"), 0);
	assert_errno(dfs_removexattr(dfs, f, "user.a"), ENODATA);
	size = sizeof(list);
	assert_errno(dfs_listxattr(dfs, f, list, &size), 0);
	assert_int_equal(size, strlen("user.b") + 1);
	/* on the directory and the root too */
	assert_errno(dfs_setxattr(dfs, dir, "user.d", "1", 1, 0), 0);
	size = sizeof(val);
	assert_errno(dfs_getxattr(dfs, dir, "user.d", val, &size), 0);
	{
		char longname[DFS_MAX_XATTR_NAME + 2];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		assert_errno(dfs_setxattr(dfs, f, longname, "x", 1, 0), ERANGE);
		longname[DFS_MAX_XATTR_NAME] = '\0';
		assert_errno(dfs_setxattr(dfs, f, longname, "x", 1, 0), 0);
	}
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_remove(dfs, NULL, "xattr", true, NULL), 0);
	assert_errno(dfs_release(dir), 0);
}

/* ---- sharing and prefixes ---- */

static void
sharing(void **state)
{
	d_iov_t g = { 0 };
	dfs_obj_t *dir, *f, *f2;
	dfs_t *d2;
	char buf[8];
	daos_size_t got;

	(void)state;
	dir = test_dir("share");
	f = create_file(dir, "f");
	assert_errno(write_at(f, "shared", 6, 0), 0);
	/* mount */
	assert_errno(dfs_local2global(dfs, &g), 0);
	assert_true(g.iov_buf_len > 0);
	g.iov_buf = api_alloc(g.iov_buf_len);
	g.iov_len = g.iov_buf_len;
	assert_errno(dfs_local2global(dfs, &g), 0);
	assert_errno(dfs_global2local(api.poh, dcoh, 0, g, &d2), 0);
	free(g.iov_buf);
	/* object, imported into the new mount */
	memset(&g, 0, sizeof(g));
	assert_errno(dfs_obj_local2global(dfs, f, &g), 0);
	g.iov_buf = api_alloc(g.iov_buf_len);
	g.iov_len = g.iov_buf_len;
	assert_errno(dfs_obj_local2global(dfs, f, &g), 0);
	assert_errno(dfs_obj_global2local(d2, O_RDONLY, g, &f2), 0);
	free(g.iov_buf);
	assert_errno(
		dfs_read(d2, f2, &(d_sg_list_t){ 1, 0, &(d_iov_t){ buf, 6, 6 } }, 0, &got, NULL),
		0);
	assert_int_equal(got, 6);
	assert_memory_equal(buf, "shared", 6);
	assert_errno(dfs_release(f2), 0);
	assert_errno(dfs_umount(d2), 0);
	/* everything, pool and container included */
	memset(&g, 0, sizeof(g));
	assert_errno(dfs_local2global_all(dfs, &g), 0);
	g.iov_buf = api_alloc(g.iov_buf_len);
	g.iov_len = g.iov_buf_len;
	assert_errno(dfs_local2global_all(dfs, &g), 0);
	assert_errno(dfs_global2local_all(O_RDONLY, g, &d2), 0);
	free(g.iov_buf);
	assert_errno(dfs_lookup(d2, "/share/f", O_RDONLY, &f2, NULL, NULL), 0);
	assert_errno(dfs_release(f2), 0);
	assert_errno(dfs_disconnect(d2), 0);
	/* bad blobs */
	g.iov_buf = buf;
	g.iov_len = g.iov_buf_len = sizeof(buf);
	assert_errno(dfs_global2local(api.poh, dcoh, 0, g, &d2), EINVAL);
	assert_errno(dfs_obj_global2local(dfs, 0, g, &f2), EINVAL);
	assert_errno(dfs_release(f), 0);
	assert_errno(dfs_release(dir), 0);
	assert_errno(dfs_remove(dfs, NULL, "share", true, NULL), 0);
}

static void
prefix(void **state)
{
	dfs_obj_t *dir, *o;

	(void)state;
	dir = test_dir("pfx");
	assert_errno(dfs_set_prefix(dfs, "/mnt/dfs/"), 0);
	assert_errno(dfs_lookup(dfs, "/mnt/dfs/pfx", O_RDONLY, &o, NULL, NULL), 0);
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_lookup(dfs, "/mnt/dfs", O_RDONLY, &o, NULL, NULL), 0);
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_lookup(dfs, "/pfx", O_RDONLY, &o, NULL, NULL), EINVAL);
	assert_errno(dfs_set_prefix(dfs, "relative"), EINVAL);
	assert_errno(dfs_set_prefix(dfs, NULL), 0);
	assert_errno(dfs_lookup(dfs, "/pfx", O_RDONLY, &o, NULL, NULL), 0);
	assert_errno(dfs_release(o), 0);
	assert_errno(dfs_release(dir), 0);
	assert_errno(dfs_remove(dfs, NULL, "pfx", false, NULL), 0);
}

/* Two creators of one name: exactly one wins (conditional insert). */
static void
create_race(void **state)
{
	dfs_obj_t *f;
	int i, wins = 0, rc;

	(void)state;
	for (i = 0; i < 2; i++) {
		rc = dfs_open(dfs, NULL, "race", S_IFREG | 0644, O_RDWR | O_CREAT | O_EXCL, 0, 0,
			      NULL, &f);
		if (rc == 0) {
			wins++;
			dfs_release(f);
		} else {
			assert_int_equal(rc, EEXIST);
		}
	}
	assert_int_equal(wins, 1);
	assert_errno(dfs_remove(dfs, NULL, "race", false, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(container_and_mount),
		cmocka_unit_test(connect_and_cache),
		cmocka_unit_test(file_io),
		cmocka_unit_test(file_vector_io),
		cmocka_unit_test(file_async_io),
		cmocka_unit_test(directories),
		cmocka_unit_test(iterate),
		cmocka_unit_test(symlinks),
		cmocka_unit_test(rename_entries),
		cmocka_unit_test(attributes),
		cmocka_unit_test(xattrs),
		cmocka_unit_test(sharing),
		cmocka_unit_test(prefix),
		cmocka_unit_test(create_race),
	};

	return cmocka_run_group_tests_name("dfs_posix", tests, dfs_group_setup, dfs_group_teardown);
}
