/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il_rules_tests.c - which opens may bypass the kernel, the flags handed to dfs_open(),
 * the mode of created files, access modes, and the D_IL_REPORT / boolean variables.
 */
#include <fcntl.h>
#include <sys/stat.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bypass_rules),
		cmocka_unit_test(flag_mapping),
		cmocka_unit_test(env_parsing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
