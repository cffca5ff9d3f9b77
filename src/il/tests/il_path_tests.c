/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il_path_tests.c - lexical paths (il_pure.c): normalisation against a base, matching
 * under mount points (a prefix of a name is not a match), splitting into parent and
 * name, and lines of /proc/self/mounts with escaped mount points.
 */
#include <string.h>

#include "common/test.h"
#include "il/il.h"

static void
check_norm(const char *base, const char *path, const char *want)
{
	char out[256];

	assert_int_equal(il_path_normalize(base, path, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
normalize(void **state)
{
	char out[8];

	(void)state;
	check_norm(NULL, "/a/b", "/a/b");
	check_norm("/m", "x", "/m/x");
	check_norm("/m/", "./x//y/", "/m/x/y");
	check_norm("/m/d", "../x", "/m/x");
	check_norm("/", "..", "/");
	check_norm("/a", "../../..", "/");
	check_norm("/ignored", "/a/./b/../c", "/a/c");
	check_norm("/m", ".", "/m");
	assert_int_equal(il_path_normalize("rel", "x", out, sizeof(out)), -DER_INVAL);
	assert_int_equal(il_path_normalize("/", "", out, sizeof(out)), -DER_INVAL);
	assert_int_equal(il_path_normalize("/", "/abcdefgh", out, sizeof(out)), -DER_TRUNC);
}

static void
under(void **state)
{
	const char *rel;

	(void)state;
	assert_true(il_path_is_under("/mnt/d", 6, "/mnt/d", &rel));
	assert_string_equal(rel, "");
	assert_true(il_path_is_under("/mnt/d", 6, "/mnt/d/x/y", &rel));
	assert_string_equal(rel, "/x/y");
	assert_false(il_path_is_under("/mnt/d", 6, "/mnt/dx", &rel));
	assert_false(il_path_is_under("/mnt/d", 6, "/mnt", &rel));
	assert_true(il_path_is_under("/", 1, "/a", &rel));
	assert_string_equal(rel, "/a");
}

static void
split(void **state)
{
	char parent[16];
	const char *name;

	(void)state;
	assert_int_equal(il_path_split("/a/b", parent, sizeof(parent), &name), 0);
	assert_string_equal(parent, "/a");
	assert_string_equal(name, "b");
	assert_int_equal(il_path_split("/b", parent, sizeof(parent), &name), 0);
	assert_string_equal(parent, "/");
	assert_string_equal(name, "b");
	assert_int_equal(il_path_split("", parent, sizeof(parent), &name), -DER_INVAL);
	assert_int_equal(il_path_split("/", parent, sizeof(parent), &name), -DER_INVAL);
	assert_int_equal(il_path_split("/aaaaaaaaaaaaaaaaaaaa/b", parent, sizeof(parent), &name),
			 -DER_TRUNC);
}

static void
mounts_line(void **state)
{
	char l1[] = "dfuse /tmp/my\\040mnt fuse.daos rw,nosuid 0 0\n";
	char l2[] = "proc /proc proc rw 0 0";
	char l3[] = "short line";
	char *dir, *type;

	(void)state;
	assert_int_equal(il_mounts_parse_line(l1, &dir, &type), 0);
	assert_string_equal(dir, "/tmp/my mnt");
	assert_string_equal(type, "fuse.daos");
	assert_true(il_mount_type_is_dfuse(type));
	assert_int_equal(il_mounts_parse_line(l2, &dir, &type), 0);
	assert_false(il_mount_type_is_dfuse(type));
	assert_int_equal(il_mounts_parse_line(l3, &dir, &type), -DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize),
		cmocka_unit_test(under),
		cmocka_unit_test(split),
		cmocka_unit_test(mounts_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
