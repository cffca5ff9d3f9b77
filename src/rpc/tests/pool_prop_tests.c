/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_prop_tests.c - the pool property table: every key parses its legal values and
 * refuses bad ones with a message naming key and value; wire and display forms round-trip;
 * sizes parse and print as DAOS's dmg does.
 */
#include "common/test.h"
#include "rpc/pool_prop.h"

static void
table_is_complete(void **state)
{
	static const char *const keys[] = {
		"label",
		"reclaim",
		"self_heal",
		"space_rb",
		"ec_cell_sz",
		"rd_fac",
		"ec_pda",
		"rp_pda",
		"data_thresh",
		"global_version",
		"upgrade_status",
		"scrub",
		"scrub_freq",
		"scrub_thresh",
		"perf_domain",
		"svc_rf",
		"svc_list",
		"checkpoint",
		"checkpoint_freq",
		"checkpoint_thresh",
		"reintegration",
		"svc_ops_enabled",
		"svc_ops_entry_age",
	};
	unsigned int i;

	(void)state;
	assert_int_equal(pool_prop_count(), ARRAY_SIZE(keys));
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct pool_prop_def *d = pool_prop_lookup(keys[i]);

		assert_non_null(d);
		assert_non_null(d->desc);
		assert_non_null(d->legal);
	}
	assert_ptr_equal(pool_prop_lookup("rf"), pool_prop_lookup("rd_fac"));
	assert_null(pool_prop_lookup("nope"));
	assert_null(pool_prop_at(pool_prop_count()));
}

static void
check(const char *key, const char *value, int rc_want, const char *wire, const char *disp)
{
	struct pool_prop_val v;
	char buf[POOL_PROP_STR_MAX], err[256] = "";
	int rc;

	rc = pool_prop_parse(key, value, true, &v, err, sizeof(err));
	if (rc != rc_want)
		fail_msg("%s:%s: rc %d, want %d (%s)", key, value, rc, rc_want, err);
	if (rc != 0) {
		assert_non_null(strstr(err, key));
		return;
	}
	assert_int_equal(pool_prop_val_to_str(&v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, wire);
	assert_int_equal(pool_prop_val_display(&v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, disp);
	/* the display form parses back to the same value */
	assert_int_equal(pool_prop_value_display(key, disp, buf, sizeof(buf)), 0);
	assert_string_equal(buf, disp);
}

static void
values(void **state)
{
	(void)state;
	check("reclaim", "lazy", 0, "lazy", "lazy");
	check("reclaim", "TIME", 0, "time", "time");
	check("reclaim", "sometimes", -DER_INVAL, NULL, NULL);
	check("self_heal", "exclude;rebuild", 0, "exclude;rebuild", "exclude;rebuild");
	check("self_heal", "none", 0, "none", "none");
	check("self_heal", "rebuild;delay_rebuild", -DER_INVAL, NULL, NULL);
	check("self_heal", "exclude;", -DER_INVAL, NULL, NULL);
	check("space_rb", "5%", 0, "5", "5%");
	check("space_rb", "101", -DER_INVAL, NULL, NULL);
	check("ec_cell_sz", "128KiB", 0, "131072", "128 KiB");
	check("ec_cell_sz", "1MiB", 0, "1048576", "1.0 MiB");
	check("ec_cell_sz", "2MiB", -DER_INVAL, NULL, NULL);
	check("ec_cell_sz", "4100", -DER_INVAL, NULL, NULL);
	check("rd_fac", "4", 0, "4", "4");
	check("rf", "2", 0, "2", "2");
	check("rd_fac", "5", -DER_INVAL, NULL, NULL);
	check("rd_fac", "-1", -DER_INVAL, NULL, NULL);
	check("ec_pda", "0", -DER_INVAL, NULL, NULL);
	check("data_thresh", "4K", 0, "4000", "3.9 KiB");
	check("perf_domain", "group", 0, "group", "group");
	check("checkpoint_freq", "0", 0, "1", "1"); /* clamped */
	check("checkpoint_thresh", "99", 0, "75", "75");
	check("svc_ops_entry_age", "30", -DER_INVAL, NULL, NULL);
	check("label", "my-pool_1", 0, "my-pool_1", "my-pool_1");
	check("label", "bad label", -DER_INVAL, NULL, NULL);
	check("reintegration", "incremental", 0, "incremental", "incremental");
	check("bogus", "1", -DER_NONEXIST, NULL, NULL);
}

static void
access_rules(void **state)
{
	struct pool_prop_val v;
	char err[256];

	(void)state;
	assert_int_equal(pool_prop_parse("svc_list", "[0-2]", true, &v, err, sizeof(err)),
			 -DER_INVAL);
	assert_non_null(strstr(err, "read-only"));
	assert_int_equal(pool_prop_parse("svc_rf", "2", true, &v, err, sizeof(err)), 0);
	assert_int_equal(pool_prop_parse("svc_rf", "2", false, &v, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "svc_rf"));
	assert_int_equal(pool_prop_default(pool_prop_lookup("self_heal"), &v), 0);
	assert_int_equal(v.num, 3);
	assert_int_equal(pool_prop_default(pool_prop_lookup("svc_list"), &v), -DER_NONEXIST);
}

static void
labels(void **state)
{
	char err[256], big[200];

	(void)state;
	assert_true(pool_prop_label_is_valid("a:b.c-d_e", err, sizeof(err)));
	assert_false(pool_prop_label_is_valid("", err, sizeof(err)));
	assert_false(pool_prop_label_is_valid("x/y", err, sizeof(err)));
	assert_non_null(strstr(err, "'/'"));
	memset(big, 'a', 128);
	big[128] = '\0';
	assert_false(pool_prop_label_is_valid(big, err, sizeof(err)));
	big[127] = '\0';
	assert_true(pool_prop_label_is_valid(big, err, sizeof(err)));
	assert_false(
		pool_prop_label_is_valid("3f1c0a2e-9a2e-4b1c-8d3e-0123456789ab", err, sizeof(err)));
}

static void
sizes(void **state)
{
	static const struct {
		const char *in;
		uint64_t out;
	} ok[] = {
		{ "4096", 4096 },
		{ "10G", 10000000000ull },
		{ "10GB", 10000000000ull },
		{ "10 gb", 10000000000ull },
		{ "1GiB", 1ull << 30 },
		{ "1.5TB", 1500000000000ull },
		{ "512MiB", 512ull << 20 },
		{ "2k", 2000 },
		{ "16EiB", 0 }, /* overflow: refused below */
	};
	static const char *const bad[] = { "",      "G",
					   "10X",   "1..5G",
					   "-1G",   "10G x",
					   "1.5.5", "99999999999999999999",
					   "16EiB", "18446744073709551616" };
	unsigned int i;
	uint64_t v;

	(void)state;
	for (i = 0; i + 1 < ARRAY_SIZE(ok); i++) {
		assert_int_equal(pool_prop_size_parse(ok[i].in, &v), 0);
		assert_int_equal(v, ok[i].out);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (pool_prop_size_parse(bad[i], &v) != -DER_INVAL)
			fail_msg("\"%s\" parsed", bad[i]);
}

static void
size_printing(void **state)
{
	static const struct {
		uint64_t in;
		const char *out;
	} dec[] = {
		{ 0, "0 B" },
		{ 9, "9 B" },
		{ 512, "512 B" },
		{ 1000000000000ull, "1.0 TB" },
		{ 7500000000ull, "7.5 GB" },
		{ 60000000000ull, "60 GB" },
		{ 117500000000ull, "118 GB" },
		{ 940000000000ull, "940 GB" },
		{ 1800000000000ull, "1.8 TB" },
	};
	char buf[32];
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(dec); i++) {
		pool_prop_bytes_str(dec[i].in, buf, sizeof(buf));
		assert_string_equal(buf, dec[i].out);
	}
	pool_prop_ibytes_str(128 * 1024, buf, sizeof(buf));
	assert_string_equal(buf, "128 KiB");
	pool_prop_ibytes_str(4096, buf, sizeof(buf));
	assert_string_equal(buf, "4.0 KiB");
}

struct walk {
	char seen[8][2][64];
	int nr;
};

static int
walk_cb(const char *k, const char *v, void *arg)
{
	struct walk *w = arg;

	snprintf(w->seen[w->nr][0], 64, "%s", k);
	snprintf(w->seen[w->nr][1], 64, "%s", v);
	w->nr++;
	return 0;
}

static void
list_walk(void **state)
{
	struct walk w = { 0 };
	char err[128];

	(void)state;
	assert_int_equal(pool_prop_list_walk("rd_fac:1,self_heal:exclude;rebuild,label:a:b",
					     walk_cb, &w, err, sizeof(err)),
			 0);
	assert_int_equal(w.nr, 3);
	assert_string_equal(w.seen[1][1], "exclude;rebuild");
	assert_string_equal(w.seen[2][1], "a:b");
	assert_int_equal(pool_prop_list_walk("rd_fac", walk_cb, &w, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "rd_fac"));
	assert_int_equal(pool_prop_list_walk(":1", walk_cb, &w, err, sizeof(err)), -DER_INVAL);
	assert_int_equal(pool_prop_list_walk("", walk_cb, &w, err, sizeof(err)), -DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_complete),
		cmocka_unit_test(values),
		cmocka_unit_test(access_rules),
		cmocka_unit_test(labels),
		cmocka_unit_test(sizes),
		cmocka_unit_test(size_printing),
		cmocka_unit_test(list_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
