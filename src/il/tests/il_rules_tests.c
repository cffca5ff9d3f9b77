/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il_rules_tests.c - which opens may bypass the kernel, the flags handed to dfs_open(),
 * the mode of created files, access modes, the D_IL_REPORT / boolean variables, and the
 * rules of the attribute calls libpil4dfs serves (times, owners, xattr names, statvfs).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "common/test.h"
#include "il/il.h"

static void
bypass_rules(void **state)
{
	(void)state;
	assert_true(il_open_can_bypass(O_RDONLY));
	assert_true(il_open_can_bypass(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC));
	assert_true(il_open_can_bypass(O_RDWR | O_DIRECT));
	assert_false(il_open_can_bypass(O_WRONLY | O_APPEND));
	assert_false(il_open_can_bypass(O_PATH));
	assert_false(il_open_can_bypass(O_RDONLY | O_DIRECTORY));
	assert_false(il_open_can_bypass(O_RDWR | O_TMPFILE));
	assert_false(il_open_can_bypass(O_WRONLY | O_RDWR));
}

static void
flag_mapping(void **state)
{
	(void)state;
	assert_int_equal(il_open_dfs_flags(O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY),
			 O_RDWR | O_CREAT | O_EXCL);
	assert_int_equal(il_open_dfs_flags(O_WRONLY | O_TRUNC | O_NONBLOCK), O_WRONLY | O_TRUNC);
	assert_int_equal(il_create_mode(0666, 022), S_IFREG | 0644);
	assert_int_equal(il_create_mode(S_IFDIR | 04777, 077), S_IFREG | 04700);
	assert_true(il_access_allows(O_RDONLY, false));
	assert_false(il_access_allows(O_RDONLY, true));
	assert_false(il_access_allows(O_WRONLY, false));
	assert_true(il_access_allows(O_RDWR, true));
}

static void
env_parsing(void **state)
{
	struct il_report_cfg c;

	(void)state;
	c = il_report_parse(NULL);
	assert_false(c.on);
	c = il_report_parse("");
	assert_false(c.on);
	c = il_report_parse("false");
	assert_false(c.on);
	c = il_report_parse("0");
	assert_true(c.on);
	assert_int_equal(c.every, 0);
	c = il_report_parse("true");
	assert_true(c.on);
	assert_int_equal(c.every, 0);
	c = il_report_parse("25");
	assert_true(c.on);
	assert_int_equal(c.every, 25);
	c = il_report_parse("25x");
	assert_false(c.on);
	c = il_report_parse("-1");
	assert_false(c.on);
	assert_true(il_env_is_true("1"));
	assert_true(il_env_is_true("TRUE"));
	assert_false(il_env_is_true("0"));
	assert_false(il_env_is_true(NULL));
}

/* UTIME_NOW takes the clock, UTIME_OMIT leaves a time alone, bad nanoseconds fail. */
static void
utimens_rules(void **state)
{
	struct timespec now = { .tv_sec = 1000, .tv_nsec = 5 };
	struct timespec ts[2] = { { 7, 8 }, { 9, UTIME_OMIT } };
	struct timespec out[2];
	bool set[2];

	(void)state;
	assert_int_equal(il_utimens_resolve(NULL, &now, out, set), 0);
	assert_true(set[0] && set[1]);
	assert_int_equal(out[0].tv_sec, 1000);
	assert_int_equal(out[1].tv_nsec, 5);
	assert_int_equal(il_utimens_resolve(ts, &now, out, set), 0);
	assert_true(set[0]);
	assert_false(set[1]);
	assert_int_equal(out[0].tv_sec, 7);
	assert_int_equal(out[0].tv_nsec, 8);
	ts[1].tv_nsec = UTIME_NOW;
	assert_int_equal(il_utimens_resolve(ts, &now, out, set), 0);
	assert_true(set[1]);
	assert_int_equal(out[1].tv_sec, 1000);
	ts[0].tv_nsec = 1000000000L;
	assert_int_equal(il_utimens_resolve(ts, &now, out, set), -EINVAL);
	ts[0].tv_nsec = -3;
	assert_int_equal(il_utimens_resolve(ts, &now, out, set), -EINVAL);
}

/* The kernel's chown rules: root anything, the owner its groups, nobody else anything. */
static void
chown_rules(void **state)
{
	static const gid_t groups[] = { 20, 30 };
	struct il_cred root = { .uid = 0, .gid = 0 };
	struct il_cred user = { .uid = 100, .gid = 10, .groups = groups, .nr_groups = 2 };

	(void)state;
	assert_true(il_chown_is_allowed(&root, 100, 10, 5, 6));
	assert_true(il_chown_is_allowed(&user, 100, 10, (uid_t)-1, (gid_t)-1));
	assert_true(il_chown_is_allowed(&user, 100, 10, 100, 30));
	assert_true(il_chown_is_allowed(&user, 100, 40, (uid_t)-1, 10));
	assert_true(il_chown_is_allowed(&user, 100, 40, (uid_t)-1, 40));
	assert_false(il_chown_is_allowed(&user, 100, 10, 101, (gid_t)-1));
	assert_false(il_chown_is_allowed(&user, 100, 10, (uid_t)-1, 50));
	assert_false(il_chown_is_allowed(&user, 200, 10, 200, (gid_t)-1));
	assert_false(il_chown_is_allowed(&user, 200, 10, (uid_t)-1, 10));
	assert_true(il_chown_is_allowed(&user, 200, 10, (uid_t)-1, (gid_t)-1));
}

static void
xattr_names(void **state)
{
	char longname[300];

	(void)state;
	assert_true(il_xattr_name_is_served("user.a"));
	assert_false(il_xattr_name_is_served("user."));
	assert_false(il_xattr_name_is_served("security.selinux"));
	assert_false(il_xattr_name_is_served("system.posix_acl_access"));
	assert_false(il_xattr_name_is_served("trusted.x"));
	assert_false(il_xattr_name_is_served("userx"));
	assert_false(il_xattr_name_is_served(NULL));
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "user.", 5);
	longname[255] = '\0';
	assert_true(il_xattr_name_is_served(longname));
	longname[255] = 'a';
	longname[256] = '\0';
	assert_false(il_xattr_name_is_served(longname));
}

/* statvfs as glibc derives it from statfs. */
static void
statvfs_conversion(void **state)
{
	struct statfs sf;
	struct statvfs sv;

	(void)state;
	memset(&sf, 0, sizeof(sf));
	sf.f_bsize = 4096;
	sf.f_blocks = 100;
	sf.f_bfree = 60;
	sf.f_bavail = 50;
	sf.f_files = 1000;
	sf.f_ffree = 900;
	sf.f_namelen = 255;
	sf.f_fsid.__val[0] = 7;
	sf.f_flags = ST_NOSUID | ST_NODEV | 0x20;
	il_statfs_to_statvfs(&sf, &sv);
	assert_int_equal(sv.f_bsize, 4096);
	assert_int_equal(sv.f_frsize, 4096);
	assert_int_equal(sv.f_blocks, 100);
	assert_int_equal(sv.f_bfree, 60);
	assert_int_equal(sv.f_bavail, 50);
	assert_int_equal(sv.f_files, 1000);
	assert_int_equal(sv.f_ffree, 900);
	assert_int_equal(sv.f_favail, 900);
	assert_int_equal(sv.f_fsid, 7);
	assert_int_equal(sv.f_namemax, 255);
	assert_int_equal(sv.f_flag, ST_NOSUID | ST_NODEV);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bypass_rules),       cmocka_unit_test(flag_mapping),
		cmocka_unit_test(env_parsing),        cmocka_unit_test(utimens_rules),
		cmocka_unit_test(chown_rules),        cmocka_unit_test(xattr_names),
		cmocka_unit_test(statvfs_conversion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
