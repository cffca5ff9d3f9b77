/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_opts_tests.c - dfuse's pure decisions (dfuse_opts.c): every command-line form
 * DAOS accepts, bad input refused with a reason, -o lists split between dfuse and FUSE,
 * the thread layout, durations, and the cache timeouts that container attributes set.
 */
#include "common/test.h"
#include "dfuse/dfuse_int.h"

#define ARGC(a) ((int)ARRAY_SIZE(a) - 1)

/* Parse a NULL-terminated argument vector. */
static int
parse(char **argv, struct dfuse_opts *o, char *err, size_t errlen)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	return dfuse_opts_parse(argc, argv, o, err, errlen);
}

/* dfuse -m MNT --pool P --cont C, with the flags. */
static void
long_form(void **state)
{
	char *argv[] = { "dfuse",
			 "-m",
			 "/mnt/x",
			 "--pool",
			 "p1",
			 "--cont",
			 "c1",
			 "-f",
			 "-S",
			 "--thread-count=8",
			 "--eq-count",
			 "2",
			 "--disable-caching",
			 "--multi-user",
			 NULL };
	struct dfuse_opts o;
	char err[256];

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(parse(argv, &o, err, sizeof(err)), 0);
	assert_string_equal(o.mountpoint, "/mnt/x");
	assert_string_equal(o.pool, "p1");
	assert_string_equal(o.cont, "c1");
	assert_true(o.foreground && o.singlethread && o.disable_caching && o.multi_user);
	assert_int_equal(o.thread_count, 8);
	assert_int_equal(o.eq_count, 2);
	dfuse_opts_fini(&o);
	TEST_ALLOC_CHECK();
}

/* dfuse MNT POOL CONT, dfuse MNT -p P -c C, --container, --path. */
static void
positional_and_path(void **state)
{
	char *a1[] = { "dfuse", "/mnt/y", "pool2", "cont2", NULL };
	char *a2[] = { "dfuse", "/mnt/y", "-p", "pool2", "--container", "cont2", NULL };
	char *a3[] = { "dfuse", "--path", "/work/link", NULL };
	struct dfuse_opts o;
	char err[256];

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(parse(a1, &o, err, sizeof(err)), 0);
	assert_string_equal(o.mountpoint, "/mnt/y");
	assert_string_equal(o.pool, "pool2");
	assert_string_equal(o.cont, "cont2");
	dfuse_opts_fini(&o);
	assert_int_equal(parse(a2, &o, err, sizeof(err)), 0);
	assert_string_equal(o.cont, "cont2");
	dfuse_opts_fini(&o);
	/* --path alone: pool and container come later from its attribute; mount there. */
	assert_int_equal(parse(a3, &o, err, sizeof(err)), 0);
	assert_string_equal(o.mountpoint, "/work/link");
	assert_null(o.pool);
	dfuse_opts_fini(&o);
	TEST_ALLOC_CHECK();
}

/* -o: dfuse's words are taken, the rest handed to FUSE in order. */
static void
o_lists(void **state)
{
	char *argv[] = { "dfuse", "/m",
			 "-o",    "pool=pp,container=cc,allow_other,rw,noatime",
			 "-o",    "thread-count=4,disable-caching,max_read=65536",
			 NULL };
	struct dfuse_opts o;
	char err[256];

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(parse(argv, &o, err, sizeof(err)), 0);
	assert_string_equal(o.pool, "pp");
	assert_string_equal(o.cont, "cc");
	assert_int_equal(o.thread_count, 4);
	assert_true(o.disable_caching);
	assert_string_equal(o.fuse_opts, "allow_other,noatime,max_read=65536");
	dfuse_opts_fini(&o);
	TEST_ALLOC_CHECK();
}

/* Without a container the mount serves a pool; without a pool, the system. */
static void
pool_and_system_mounts(void **state)
{
	char *pool_argv[] = { "dfuse", "-m", "/m", "--pool", "p", "--enable-local-flock" };
	char *pos_argv[] = { "dfuse", "/m", "p" };
	char *sys_argv[] = { "dfuse", "-m", "/m", "-o", "enable-local-flock" };
	struct dfuse_opts o;
	char err[256];

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(dfuse_opts_parse(6, pool_argv, &o, err, sizeof(err)), 0);
	assert_string_equal(o.pool, "p");
	assert_null(o.cont);
	assert_true(o.local_flock);
	dfuse_opts_fini(&o);
	assert_int_equal(dfuse_opts_parse(3, pos_argv, &o, err, sizeof(err)), 0);
	assert_string_equal(o.mountpoint, "/m");
	assert_string_equal(o.pool, "p");
	assert_null(o.cont);
	dfuse_opts_fini(&o);
	assert_int_equal(dfuse_opts_parse(5, sys_argv, &o, err, sizeof(err)), 0);
	assert_null(o.pool);
	assert_null(o.cont);
	assert_true(o.local_flock);
	assert_null(o.fuse_opts);
	dfuse_opts_fini(&o);
	TEST_ALLOC_CHECK();
}

/* The device of a mount point, from /proc/self/mountinfo's text. */
static void
mountinfo_dev(void **state)
{
	const char *text = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
			   "40 22 0:39 / /tmp/my\\040mnt rw - fuse.daos dfuse rw\n"
			   "41 22 0:40 / /tmp/m rw - fuse.daos dfuse rw\n"
			   "42 41 0:41 / /tmp/m rw - fuse.daos dfuse rw\n"
			   "bad line\n"
			   "43 22 x:y / /tmp/bad rw - tmpfs tmpfs rw";
	unsigned int ma = 99, mi = 99;

	(void)state;
	assert_int_equal(dfuse_mountinfo_dev(text, "/tmp/m", &ma, &mi), 0);
	assert_int_equal(ma, 0);
	assert_int_equal(mi, 41); /* the last mount on /tmp/m */
	assert_int_equal(dfuse_mountinfo_dev(text, "/tmp/my mnt", &ma, &mi), 0);
	assert_int_equal(mi, 39);
	assert_int_equal(dfuse_mountinfo_dev(text, "/proc", &ma, &mi), 0);
	assert_int_equal(mi, 21);
	assert_int_equal(dfuse_mountinfo_dev(text, "/tmp", &ma, &mi), -DER_NONEXIST);
	assert_int_equal(dfuse_mountinfo_dev(text, "/tmp/my", &ma, &mi), -DER_NONEXIST);
	assert_int_equal(dfuse_mountinfo_dev(text, "/tmp/bad", &ma, &mi), -DER_NONEXIST);
	assert_int_equal(dfuse_mountinfo_dev("", "/tmp/m", &ma, &mi), -DER_NONEXIST);
}

/* Bad command lines fail with a reason naming the problem, and leak nothing. */
static void
bad_input(void **state)
{
	/* Not static: getopt permutes the argument vectors. */
	struct {
		char *argv[10];
		const char *reason;
	} cases[] = {
		{ { "dfuse", "--pool", "p", "--cont", "c" }, "no mount point" },
		{ { "dfuse", "-m", "/m", "--cont", "c" }, "no pool given for container c" },
		{ { "dfuse", "/m", "p", "c", "d" }, "expected MOUNTPOINT" },
		{ { "dfuse", "-m", "/a", "/b", "p", "c" }, "mount point given twice" },
		{ { "dfuse", "/m", "p", "c", "--thread-count=zero" },
		  "invalid --thread-count 'zero'" },
		{ { "dfuse", "/m", "p", "c", "--thread-count=0" }, "invalid --thread-count '0'" },
		{ { "dfuse", "/m", "p", "c", "--eq-count=-1" }, "invalid --eq-count '-1'" },
		{ { "dfuse", "/m", "p", "c", "--bogus" }, "unknown option '--bogus'" },
		{ { "dfuse", "/m", "p", "c", "-Z" }, "unknown option '-Z'" },
		{ { "dfuse", "/m", "p", "c", "--pool" }, "needs a value" },
		{ { "dfuse", "/m", "p", "c", "-o", "pool=q" }, "pool given twice" },
		{ { "dfuse", "/m", "-o", "pool=,container=c" }, "pool is empty" },
		{ { "dfuse", "/m", "p", "c", "--enable-wb-cache", "--disable-wb-cache" },
		  "contradict" },
		{ { "dfuse", "--path", "/x", "--pool", "p" }, "--path names the pool" },
	};
	struct dfuse_opts o;
	char err[256];
	size_t i;

	(void)state;
	TEST_ALLOC_MARK();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse((char **)cases[i].argv, &o, err, sizeof(err)), -DER_INVAL);
		if (strstr(err, cases[i].reason) == NULL)
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].reason);
		dfuse_opts_fini(&o);
	}
	TEST_ALLOC_CHECK();
}

static void
help_and_version(void **state)
{
	char *a1[] = { "dfuse", "--help", NULL };
	char *a2[] = { "dfuse", "-v", NULL };
	struct dfuse_opts o;
	char err[64];

	(void)state;
	assert_int_equal(parse(a1, &o, err, sizeof(err)), 0);
	assert_true(o.help);
	dfuse_opts_fini(&o);
	assert_int_equal(parse(a2, &o, err, sizeof(err)), 0);
	assert_true(o.version);
	dfuse_opts_fini(&o);
	assert_non_null(strstr(dfuse_usage, "--disable-caching"));
}

static void
uns_values(void **state)
{
	char *pool = NULL, *cont = NULL;

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(dfuse_uns_parse("DAOS.POSIX://tank/home", &pool, &cont), 0);
	assert_string_equal(pool, "tank");
	assert_string_equal(cont, "home");
	d_free(pool);
	d_free(cont);
	assert_int_equal(dfuse_uns_parse("DAOS.POSIX://tank/home?oclass=SX", &pool, &cont), 0);
	assert_string_equal(cont, "home");
	d_free(pool);
	d_free(cont);
	assert_int_equal(dfuse_uns_parse("DAOS.HDF5://tank/home", &pool, &cont), -DER_INVAL);
	assert_int_equal(dfuse_uns_parse("DAOS.POSIX://tank", &pool, &cont), -DER_INVAL);
	assert_int_equal(dfuse_uns_parse("DAOS.POSIX:///home", &pool, &cont), -DER_INVAL);
	assert_int_equal(dfuse_uns_parse("DAOS.POSIX://tank/", &pool, &cont), -DER_INVAL);
	assert_int_equal(dfuse_uns_parse(NULL, &pool, &cont), -DER_INVAL);
	TEST_ALLOC_CHECK();
}

/* One thread per core up to 16, minus one per event queue, at least one for FUSE. */
static void
threads(void **state)
{
	char err[256];
	int ft, eqs;

	(void)state;
	assert_int_equal(dfuse_threads_resolve(0, 0, 8, &ft, &eqs, err, sizeof(err)), 0);
	assert_int_equal(ft, 7);
	assert_int_equal(eqs, 1);
	assert_int_equal(dfuse_threads_resolve(0, 0, 64, &ft, &eqs, err, sizeof(err)), 0);
	assert_int_equal(ft, 15);
	assert_int_equal(dfuse_threads_resolve(0, 0, 1, &ft, &eqs, err, sizeof(err)), 0);
	assert_int_equal(ft, 1);
	assert_int_equal(dfuse_threads_resolve(0, 4, 2, &ft, &eqs, err, sizeof(err)), 0);
	assert_int_equal(ft, 1);
	assert_int_equal(eqs, 4);
	assert_int_equal(dfuse_threads_resolve(6, 2, 2, &ft, &eqs, err, sizeof(err)), 0);
	assert_int_equal(ft, 4);
	assert_int_equal(dfuse_threads_resolve(2, 2, 8, &ft, &eqs, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "must be larger than --eq-count"));
}

static void
durations(void **state)
{
	double s;

	(void)state;
	assert_int_equal(dfuse_duration_parse("30", &s), 0);
	assert_true(s == 30);
	assert_int_equal(dfuse_duration_parse("5s", &s), 0);
	assert_true(s == 5);
	assert_int_equal(dfuse_duration_parse("10m", &s), 0);
	assert_true(s == 600);
	assert_int_equal(dfuse_duration_parse("1h", &s), 0);
	assert_true(s == 3600);
	assert_int_equal(dfuse_duration_parse("2d", &s), 0);
	assert_true(s == 172800);
	assert_int_equal(dfuse_duration_parse("0.5", &s), 0);
	assert_true(s == 0.5);
	assert_int_equal(dfuse_duration_parse("", &s), -DER_INVAL);
	assert_int_equal(dfuse_duration_parse("-1", &s), -DER_INVAL);
	assert_int_equal(dfuse_duration_parse("5x", &s), -DER_INVAL);
	assert_int_equal(dfuse_duration_parse("5ss", &s), -DER_INVAL);
	assert_int_equal(dfuse_duration_parse("ten", &s), -DER_INVAL);
	assert_int_equal(dfuse_duration_parse("1000d", &s), -DER_INVAL);
}

/* No attribute: DAOS's defaults. */
static void
cache_defaults(void **state)
{
	const char *v[DFUSE_NR_CACHE_ATTRS] = { NULL };
	struct dfuse_cache c;
	char err[256];

	(void)state;
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), 0);
	assert_true(c.attr_time == 1 && c.dentry_time == 1);
	assert_true(c.dentry_dir_time == 5 && c.ndentry_time == 5);
	assert_int_equal(c.data_mode, DFUSE_DATA_TIMED);
	assert_true(c.data_time == 600);
	assert_false(c.direct_io_disable);
	assert_string_equal(dfuse_cache_attr_names[DFUSE_DATA_CACHE], "dfuse-data-cache");
}

/* Any attribute set: the unset ones are off. */
static void
cache_attrs(void **state)
{
	const char *v[DFUSE_NR_CACHE_ATTRS] = { NULL };
	struct dfuse_cache c;
	char err[256];

	(void)state;
	v[DFUSE_ATTR_TIME] = "30s";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), 0);
	assert_true(c.attr_time == 30);
	assert_true(c.dentry_time == 0 && c.dentry_dir_time == 0 && c.ndentry_time == 0);
	assert_int_equal(c.data_mode, DFUSE_DATA_OFF);

	v[DFUSE_DATA_CACHE] = "otoc";
	v[DFUSE_DENTRY_TIME] = "1m";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), 0);
	assert_int_equal(c.data_mode, DFUSE_DATA_OTOC);
	assert_true(c.dentry_time == 60);
	v[DFUSE_DATA_CACHE] = "True";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), 0);
	assert_int_equal(c.data_mode, DFUSE_DATA_ON);
	v[DFUSE_DATA_CACHE] = "off";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), 0);
	assert_int_equal(c.data_mode, DFUSE_DATA_OFF);
	v[DFUSE_DATA_CACHE] = "2h";
	v[DFUSE_DIRECT_IO_DISABLE] = "on";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), 0);
	assert_int_equal(c.data_mode, DFUSE_DATA_TIMED);
	assert_true(c.data_time == 7200);
	assert_true(c.direct_io_disable);
	v[DFUSE_DATA_CACHE] = "0";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), 0);
	assert_int_equal(c.data_mode, DFUSE_DATA_OFF);

	dfuse_cache_disabled(&c);
	assert_true(c.attr_time == 0 && c.ndentry_time == 0);
	assert_int_equal(c.data_mode, DFUSE_DATA_OFF);
}

/* A bad value names the attribute and the value. */
static void
cache_bad_values(void **state)
{
	const char *v[DFUSE_NR_CACHE_ATTRS] = { NULL };
	struct dfuse_cache c;
	char err[256];

	(void)state;
	v[DFUSE_NDENTRY_TIME] = "soon";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "dfuse-ndentry-time"));
	assert_non_null(strstr(err, "'soon'"));
	v[DFUSE_NDENTRY_TIME] = NULL;
	v[DFUSE_DATA_CACHE] = "maybe";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "dfuse-data-cache"));
	v[DFUSE_DATA_CACHE] = NULL;
	v[DFUSE_DIRECT_IO_DISABLE] = "5m";
	assert_int_equal(dfuse_cache_resolve(v, &c, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "dfuse-direct-io-disable"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_form),        cmocka_unit_test(positional_and_path),
		cmocka_unit_test(o_lists),          cmocka_unit_test(pool_and_system_mounts),
		cmocka_unit_test(mountinfo_dev),    cmocka_unit_test(bad_input),
		cmocka_unit_test(help_and_version), cmocka_unit_test(uns_values),
		cmocka_unit_test(threads),          cmocka_unit_test(durations),
		cmocka_unit_test(cache_defaults),   cmocka_unit_test(cache_attrs),
		cmocka_unit_test(cache_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
