/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_entry_tests.c - the pure parts of libdfs (dfs_entry.c): the inode codec and its
 * refusals, the type repair of fix-entry and the relinked file's chunk size, entry names, path
 * components, dfs_open's flag rules, access checks, the dfs_set_prefix rule and the mount sharing
 * blob. No DAOS system is needed.
 */
#include <fcntl.h>
#include <string.h>

#include "common/test.h"
#include "dfs/dfs_int.h"

static struct dfs_entry
sample_file(void)
{
	struct dfs_entry e = { 0 };

	e.mode = S_IFREG | 0640;
	e.oid.hi = 0x0d00000100000005ULL;
	e.oid.lo = 42;
	e.mtime.tv_sec = 1700000000;
	e.mtime.tv_nsec = 999999999;
	e.ctime.tv_sec = 1700000001;
	e.ctime.tv_nsec = 1;
	e.chunk_size = 1 << 20;
	e.oclass = 0x200001;
	e.uid = 1000;
	e.gid = 100;
	e.hlc = 0x123456789abcdefULL;
	return e;
}

/* Every field survives encode then decode, at the documented offsets. */
static void
inode_round_trip(void **state)
{
	struct dfs_entry e = sample_file(), d;
	uint8_t buf[DFS_INODE_SIZE];

	(void)state;
	dfs_entry_encode(&e, buf);
	assert_int_equal(dfs_get_u32(buf + DFS_OFF_MODE), S_IFREG | 0640);
	assert_int_equal(dfs_get_u64(buf + DFS_OFF_OID + 8), 42);
	assert_int_equal(dfs_get_u64(buf + DFS_OFF_CHUNK), 1 << 20);
	assert_int_equal(dfs_get_u32(buf + DFS_OFF_GID), 100);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.mode, e.mode);
	assert_true(d.oid.hi == e.oid.hi && d.oid.lo == e.oid.lo);
	assert_int_equal(d.mtime.tv_sec, e.mtime.tv_sec);
	assert_int_equal(d.mtime.tv_nsec, e.mtime.tv_nsec);
	assert_int_equal(d.ctime.tv_nsec, e.ctime.tv_nsec);
	assert_int_equal(d.chunk_size, e.chunk_size);
	assert_int_equal(d.oclass, e.oclass);
	assert_int_equal(d.uid, e.uid);
	assert_int_equal(d.gid, e.gid);
	assert_int_equal(d.hlc, e.hlc);
}

/* A symlink has no object but a target length; a directory has no chunk size. */
static void
inode_symlink_and_dir(void **state)
{
	struct dfs_entry e = { 0 }, d;
	uint8_t buf[DFS_INODE_SIZE];

	(void)state;
	e.mode = S_IFLNK | 0777;
	e.slink_len = 5;
	dfs_entry_encode(&e, buf);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.slink_len, 5);
	e.slink_len = 0;
	dfs_entry_encode(&e, buf);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), -DER_PROTO);
	e.slink_len = DFS_MAX_PATH;
	dfs_entry_encode(&e, buf);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), -DER_PROTO);

	memset(&e, 0, sizeof(e));
	e.mode = S_IFDIR | 0755;
	e.oid.hi = 1;
	dfs_entry_encode(&e, buf);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
}

/* An object id of @type, as daos_obj_generate_oid() makes them (class bits left out). */
static daos_obj_id_t
oid_of(enum daos_otype_t type, uint64_t lo)
{
	daos_obj_id_t oid = { .hi = ((uint64_t)type << OID_FMT_TYPE_SHIFT) | 7, .lo = lo };

	return oid;
}

/* Encode @e, then overwrite its mode with @mode (which may be no mode DFS writes). */
static void
encode_with_mode(const struct dfs_entry *e, uint32_t mode, uint8_t *buf)
{
	dfs_entry_encode(e, buf);
	dfs_put_u32(buf + DFS_OFF_MODE, mode);
}

/*
 * fix-entry --type: the type comes from the object named, the permissions become 0700,
 * the fields the decoder checks against the type follow it, and the rest is kept.
 */
static void
fix_type_from_object(void **state)
{
	struct dfs_entry e = sample_file(), d;
	uint8_t buf[DFS_INODE_SIZE], before[DFS_INODE_SIZE];
	mode_t mode = 0;

	(void)state;
	e.oid = oid_of(DAOS_OT_ARRAY_BYTE, 42);
	/* a file whose mode lost its type bits */
	encode_with_mode(&e, 0644, buf);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), -DER_PROTO);
	assert_int_equal(dfs_entry_fix_type(buf, 0, 1 << 20, &mode), 0);
	assert_int_equal(mode, S_IFREG | 0700);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.mode, S_IFREG | 0700);
	assert_int_equal(d.chunk_size, e.chunk_size);
	assert_int_equal(d.uid, e.uid);
	assert_int_equal(d.mtime.tv_sec, e.mtime.tv_sec);
	assert_int_equal(d.hlc, e.hlc);
	/* a file marked a directory decodes, but names the wrong kind of object */
	encode_with_mode(&e, S_IFDIR | 0755, buf);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
	assert_false(dfs_entry_type_matches(d.mode, d.oid));
	assert_int_equal(dfs_entry_fix_type(buf, 0, 1 << 20, &mode), 0);
	assert_int_equal(mode, S_IFREG | 0700);

	/* a directory marked a file: no chunk size of its own, so undecodable until fixed */
	memset(&e, 0, sizeof(e));
	e.oid = oid_of(DAOS_OT_MULTI_HASHED, 9);
	encode_with_mode(&e, S_IFREG | 0755, buf);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), -DER_PROTO);
	assert_int_equal(dfs_entry_fix_type(buf, 0, 1 << 20, &mode), 0);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.mode, S_IFDIR | 0700);
	assert_int_equal(d.chunk_size, 0);

	/* a symlink marked a directory: its target says what it is, and how long */
	encode_with_mode(&e, S_IFDIR | 0777, buf);
	assert_int_equal(dfs_entry_fix_type(buf, 11, 1 << 20, &mode), 0);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.mode, S_IFLNK | 0700);
	assert_int_equal(d.slink_len, 11);
	/* a directory claiming to be a symlink, without a target */
	e.slink_len = 5;
	encode_with_mode(&e, S_IFLNK | 0777, buf);
	assert_int_equal(dfs_entry_fix_type(buf, 0, 1 << 20, &mode), 0);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.mode, S_IFDIR | 0700);
	assert_int_equal(d.slink_len, 0);

	/* a file object named by a directory's entry gets the container's chunk size */
	memset(&e, 0, sizeof(e));
	e.oid = oid_of(DAOS_OT_ARRAY_BYTE, 3);
	e.mtime.tv_nsec = 5;
	encode_with_mode(&e, S_IFDIR | 0755, buf);
	dfs_put_u64(buf + DFS_OFF_CTIME_NS, 1000000000ULL);
	assert_int_equal(dfs_entry_fix_type(buf, 0, 4096, &mode), 0);
	assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.mode, S_IFREG | 0700);
	assert_int_equal(d.chunk_size, 4096);
	assert_int_equal(d.mtime.tv_nsec, 5);
	assert_int_equal(d.ctime.tv_nsec, 0);

	/* nothing to go by (no object, no target), or a target too long: left alone */
	memset(&e, 0, sizeof(e));
	encode_with_mode(&e, 0, buf);
	memcpy(before, buf, sizeof(buf));
	assert_int_equal(dfs_entry_fix_type(buf, 0, 4096, &mode), -DER_PROTO);
	assert_int_equal(dfs_entry_fix_type(buf, DFS_MAX_PATH, 4096, &mode), -DER_PROTO);
	assert_memory_equal(buf, before, sizeof(buf));
}

/* Whatever the bytes, once they name an object (or a target) the fix makes them decode. */
static void
fix_type_always_decodes(void **state)
{
	uint8_t buf[DFS_INODE_SIZE];
	struct dfs_entry d;
	unsigned int seed = 20261121;
	mode_t mode;
	int i, j;

	(void)state;
	for (i = 0; i < 10000; i++) {
		enum daos_otype_t type = (enum daos_otype_t)(rand_r(&seed) % (DAOS_OT_MAX + 1));
		daos_obj_id_t oid = oid_of(type, (uint64_t)rand_r(&seed) + 1);
		uint64_t slen = rand_r(&seed) % 2 ? 0 : 1 + rand_r(&seed) % (DFS_MAX_PATH - 1);

		for (j = 0; j < DFS_INODE_SIZE; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		dfs_put_u64(buf + DFS_OFF_OID, oid.hi);
		dfs_put_u64(buf + DFS_OFF_OID + 8, oid.lo);
		assert_int_equal(dfs_entry_fix_type(buf, slen, 1 << 20, &mode), 0);
		assert_int_equal(dfs_entry_decode(buf, sizeof(buf), &d), 0);
		assert_int_equal(d.mode, mode);
		assert_true(dfs_entry_type_matches(d.mode, d.oid));
		assert_int_equal(S_ISREG(d.mode), daos_is_array_type(type));
	}
}

/* Entry types against object types, and the relinked file's chunk size rule. */
static void
type_match_and_chunk_guess(void **state)
{
	(void)state;
	assert_true(dfs_entry_type_matches(S_IFREG | 0644, oid_of(DAOS_OT_ARRAY_BYTE, 1)));
	assert_true(dfs_entry_type_matches(S_IFDIR | 0755, oid_of(DAOS_OT_MULTI_HASHED, 1)));
	assert_true(dfs_entry_type_matches(S_IFLNK | 0777, oid_of(DAOS_OT_MULTI_HASHED, 1)));
	assert_false(dfs_entry_type_matches(S_IFDIR | 0755, oid_of(DAOS_OT_ARRAY_BYTE, 1)));
	assert_false(dfs_entry_type_matches(S_IFREG | 0644, oid_of(DAOS_OT_MULTI_HASHED, 1)));
	/* no chunk reaches past its size; less says nothing, so the default stays */
	assert_int_equal(dfs_chunk_size_guess(1 << 20, 0), 1 << 20);
	assert_int_equal(dfs_chunk_size_guess(1 << 20, 300000), 1 << 20);
	assert_int_equal(dfs_chunk_size_guess(1 << 20, 2 << 20), 2 << 20);
}

/* Bytes this library cannot have written are refused, and the output is left alone. */
static void
inode_rejects_bad_bytes(void **state)
{
	struct dfs_entry e = sample_file(), d, untouched;
	uint8_t good[DFS_INODE_SIZE], buf[DFS_INODE_SIZE + 1];
	size_t len;

	(void)state;
	dfs_entry_encode(&e, good);
	memset(&d, 0xa5, sizeof(d));
	untouched = d;
	/* every length but the right one */
	for (len = 0; len <= sizeof(buf); len++) {
		if (len == DFS_INODE_SIZE)
			continue;
		memset(buf, 0, sizeof(buf));
		memcpy(buf, good, len < DFS_INODE_SIZE ? len : DFS_INODE_SIZE);
		assert_int_equal(dfs_entry_decode(buf, len, &d), -DER_PROTO);
	}
	assert_int_equal(dfs_entry_decode(NULL, DFS_INODE_SIZE, &d), -DER_PROTO);
	/* unknown types: fifo, socket, char device, and no type at all */
	memcpy(buf, good, DFS_INODE_SIZE);
	dfs_put_u32(buf + DFS_OFF_MODE, S_IFIFO | 0644);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	dfs_put_u32(buf + DFS_OFF_MODE, S_IFSOCK | 0644);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	dfs_put_u32(buf + DFS_OFF_MODE, S_IFCHR | 0644);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	dfs_put_u32(buf + DFS_OFF_MODE, 0644);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	/* bits above the type */
	dfs_put_u32(buf + DFS_OFF_MODE, 0x80000000U | S_IFREG | 0644);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	/* nanoseconds out of range */
	memcpy(buf, good, DFS_INODE_SIZE);
	dfs_put_u64(buf + DFS_OFF_MTIME_NS, 1000000000ULL);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	memcpy(buf, good, DFS_INODE_SIZE);
	dfs_put_u64(buf + DFS_OFF_CTIME_NS, ~0ULL);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	/* a file without an object, without a chunk size, with a symlink length */
	memcpy(buf, good, DFS_INODE_SIZE);
	dfs_put_u64(buf + DFS_OFF_OID, 0);
	dfs_put_u64(buf + DFS_OFF_OID + 8, 0);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	memcpy(buf, good, DFS_INODE_SIZE);
	dfs_put_u64(buf + DFS_OFF_CHUNK, 0);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	memcpy(buf, good, DFS_INODE_SIZE);
	dfs_put_u64(buf + DFS_OFF_SLINK_LEN, 3);
	assert_int_equal(dfs_entry_decode(buf, DFS_INODE_SIZE, &d), -DER_PROTO);
	assert_memory_equal(&d, &untouched, sizeof(d));
}

static void
names(void **state)
{
	char longname[DFS_MAX_NAME + 2];

	(void)state;
	assert_int_equal(dfs_name_check("a"), 0);
	assert_int_equal(dfs_name_check("file.txt"), 0);
	assert_int_equal(dfs_name_check("..."), 0);
	assert_int_equal(dfs_name_check(NULL), EINVAL);
	assert_int_equal(dfs_name_check(""), EINVAL);
	assert_int_equal(dfs_name_check("a/b"), EINVAL);
	assert_int_equal(dfs_name_check("."), EINVAL);
	assert_int_equal(dfs_name_check(".."), EINVAL);
	memset(longname, 'x', sizeof(longname));
	longname[DFS_MAX_NAME] = '\0';
	assert_int_equal(dfs_name_check(longname), 0);
	longname[DFS_MAX_NAME] = 'x';
	longname[DFS_MAX_NAME + 1] = '\0';
	assert_int_equal(dfs_name_check(longname), ENAMETOOLONG);
}

/* Components come out one by one, repeated and trailing slashes skipped. */
static void
path_components(void **state)
{
	const char *cursor = "//a/bc///d/", *start;
	const char *want[] = { "a", "bc", "d" };
	size_t len;
	int i = 0;

	(void)state;
	while (dfs_path_next(&cursor, &start, &len)) {
		assert_true(i < 3);
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(start, want[i], len);
		i++;
	}
	assert_int_equal(i, 3);
	cursor = "/";
	assert_false(dfs_path_next(&cursor, &start, &len));
	cursor = "";
	assert_false(dfs_path_next(&cursor, &start, &len));
	cursor = "x";
	assert_true(dfs_path_next(&cursor, &start, &len));
	assert_int_equal(len, 1);
}

static void
open_flags(void **state)
{
	(void)state;
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_RDWR | O_CREAT, S_IFREG | 0644), 0);
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_RDONLY, 0), 0);
	assert_int_equal(
		dfs_open_flags_check(O_RDWR, O_RDWR | O_CREAT | O_EXCL | O_TRUNC, S_IFREG | 0600),
		0);
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_RDWR | O_CREAT, S_IFDIR | 0755), 0);
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_RDWR | O_CREAT, S_IFLNK | 0777), 0);
	/* O_CREAT needs a type; special files are not supported */
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_RDWR | O_CREAT, 0644), EINVAL);
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_RDWR | O_CREAT, S_IFIFO | 0644), EINVAL);
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_ACCMODE, S_IFREG), EINVAL);
	/* a read-only mount: no writing, creating, truncating */
	assert_int_equal(dfs_open_flags_check(O_RDONLY, O_RDONLY, S_IFREG), 0);
	assert_int_equal(dfs_open_flags_check(O_RDONLY, O_RDWR, S_IFREG), EPERM);
	assert_int_equal(dfs_open_flags_check(O_RDONLY, O_WRONLY, S_IFREG), EPERM);
	assert_int_equal(dfs_open_flags_check(O_RDONLY, O_RDONLY | O_CREAT, S_IFREG), EPERM);
	assert_int_equal(dfs_open_flags_check(O_RDONLY, O_RDONLY | O_TRUNC, S_IFREG), EPERM);
	/* no data to truncate or append in a directory */
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_RDWR | O_TRUNC, S_IFDIR), EINVAL);
	assert_int_equal(dfs_open_flags_check(O_RDWR, O_RDWR | O_APPEND, S_IFREG), 0);
}

static void
access_rules(void **state)
{
	(void)state;
	/* owner, group, other bits */
	assert_int_equal(dfs_access_check(S_IFREG | 0640, 10, 20, 10, 99, R_OK | W_OK), 0);
	assert_int_equal(dfs_access_check(S_IFREG | 0640, 10, 20, 10, 99, X_OK), EACCES);
	assert_int_equal(dfs_access_check(S_IFREG | 0640, 10, 20, 11, 20, R_OK), 0);
	assert_int_equal(dfs_access_check(S_IFREG | 0640, 10, 20, 11, 20, W_OK), EACCES);
	assert_int_equal(dfs_access_check(S_IFREG | 0640, 10, 20, 11, 21, R_OK), EACCES);
	assert_int_equal(dfs_access_check(S_IFREG | 0000, 10, 20, 11, 21, F_OK), 0);
	/* root reads and writes anything, executes what someone may */
	assert_int_equal(dfs_access_check(S_IFREG | 0000, 10, 20, 0, 0, R_OK | W_OK), 0);
	assert_int_equal(dfs_access_check(S_IFREG | 0600, 10, 20, 0, 0, X_OK), EACCES);
	assert_int_equal(dfs_access_check(S_IFREG | 0601, 10, 20, 0, 0, X_OK), 0);
	assert_int_equal(dfs_access_check(S_IFDIR | 0000, 10, 20, 0, 0, X_OK), 0);
}

static void
prefixes(void **state)
{
	(void)state;
	assert_string_equal(dfs_prefix_strip("/a/b", NULL, 0), "/a/b");
	assert_string_equal(dfs_prefix_strip("/mnt/dfs/x/y", "/mnt/dfs", 8), "/x/y");
	assert_string_equal(dfs_prefix_strip("/mnt/dfs", "/mnt/dfs", 8), "/");
	assert_null(dfs_prefix_strip("/mnt/dfsx", "/mnt/dfs", 8));
	assert_null(dfs_prefix_strip("/other", "/mnt/dfs", 8));
	assert_string_equal(dfs_prefix_strip("/x", "/", 1), "/x");
}

/* The sharing blob carries what a mount needs, and refuses what is not one. */
static void
glob_round_trip(void **state)
{
	struct dfs a = { 0 }, b = { 0 };
	uint8_t buf[DFS_GLOB_SIZE];

	(void)state;
	a.amode = O_RDWR;
	a.cmode = DFS_BALANCED;
	a.attr.da_chunk_size = 4096;
	a.attr.da_oclass_id = 7;
	a.attr.da_dir_oclass_id = 8;
	a.attr.da_file_oclass_id = 9;
	a.sb_oid.hi = 11;
	a.root_oid.hi = 12;
	a.root_oid.lo = 13;
	a.dev = 77;
	dfs_glob_encode(&a, buf);
	assert_int_equal(dfs_glob_decode(buf, sizeof(buf), &b), 0);
	assert_int_equal(b.amode, O_RDWR);
	assert_int_equal(b.cmode, DFS_BALANCED);
	assert_int_equal(b.attr.da_chunk_size, 4096);
	assert_int_equal(b.attr.da_file_oclass_id, 9);
	assert_int_equal(b.root_oid.lo, 13);
	assert_int_equal(b.dev, 77);
	assert_int_equal(dfs_glob_decode(buf, sizeof(buf) - 1, &b), -DER_INVAL);
	buf[0] ^= 1;
	assert_int_equal(dfs_glob_decode(buf, sizeof(buf), &b), -DER_INVAL);
	buf[0] ^= 1;
	dfs_put_u32(buf + 4, 77);
	assert_int_equal(dfs_glob_decode(buf, sizeof(buf), &b), -DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(inode_round_trip),
		cmocka_unit_test(inode_symlink_and_dir),
		cmocka_unit_test(inode_rejects_bad_bytes),
		cmocka_unit_test(fix_type_from_object),
		cmocka_unit_test(fix_type_always_decodes),
		cmocka_unit_test(type_match_and_chunk_guess),
		cmocka_unit_test(names),
		cmocka_unit_test(path_components),
		cmocka_unit_test(open_flags),
		cmocka_unit_test(access_rules),
		cmocka_unit_test(prefixes),
		cmocka_unit_test(glob_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
