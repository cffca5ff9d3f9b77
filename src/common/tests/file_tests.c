/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file_tests.c - d_file_write_atomic: creates, replaces whole, leaves no temporary file,
 * keeps the mode asked for, and fails cleanly (old file intact) where it cannot write.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/file.h"
#include "common/test.h"

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
write_replace(void **state)
{
	char *dir = test_tmpdir("file");
	char path[512];
	char tmp[520];
	char buf[64];
	struct stat st;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/f", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(d_file_write_atomic(path, "first", 5, 0600), 0);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "first");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Shorter contents replace the old ones whole */
	assert_int_equal(d_file_write_atomic(path, "2nd", 3, 0644), 0);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "2nd");
	assert_int_equal(access(tmp, F_OK), -1);
	/* A directory that does not exist: an error, nothing created */
	snprintf(path, sizeof(path), "%s/none/f", dir);
	assert_int_equal(d_file_write_atomic(path, "x", 1, 0600), -DER_NONEXIST);
	/* A directory where the file should be: the rename fails, the temp file goes */
	snprintf(path, sizeof(path), "%s/d", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_not_equal(d_file_write_atomic(path, "x", 1, 0600), 0);
	snprintf(tmp, sizeof(tmp), "%s/d.tmp", dir);
	assert_int_equal(access(tmp, F_OK), -1);

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	d_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_replace),
	};

	d_log_init();
	return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
