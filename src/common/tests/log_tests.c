/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log_tests.c - log masks, subsystems and debug streams filter as gurt/debug.h says;
 * bad settings are refused by name; the file settings work.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/test.h"

/* Messages from two facilities, at every priority that matters, through the macros. */
#undef D_LOGFAC
#define D_LOGFAC DD_FAC(vos)
static void
log_vos(void)
{
	D_ERROR("vos-err");
	D_WARN("vos-warn");
	D_INFO("vos-info");
	D_DEBUG(DB_IO, "vos-dbg-io");
	D_DEBUG(DB_MD, "vos-dbg-md");
}

#undef D_LOGFAC
#define D_LOGFAC DD_FAC(mem)
static void
log_mem(void)
{
	D_ERROR("mem-err");
	D_INFO("mem-info");
	D_DEBUG(DB_MEM, "mem-dbg");
}
#undef D_LOGFAC
#define D_LOGFAC DD_FAC(tests)

static char *dir;
static char path[4096];

static char *
read_log(void)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* Run the two loggers with @masks/@subsys/@streams; return what was written. */
static char *
run_with(const char *masks, const char *subsys, const char *streams)
{
	assert_int_equal(d_log_set_subsys(subsys ? subsys : "all"), 0);
	assert_int_equal(d_log_set_dbgmask(streams ? streams : "all"), 0);
	assert_int_equal(d_log_setmasks(masks), 0);
	assert_int_equal(d_log_set_file(path, true), 0);
	log_vos();
	log_mem();
	return read_log();
}

static int
setup(void **state)
{
	(void)state;
	dir = test_tmpdir("log_tests");
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/test.log", dir);
	return 0;
}

static int
teardown(void **state)
{
	char old[4200];

	(void)state;
	d_log_set_file(NULL, false);
	unlink(path);
	snprintf(old, sizeof(old), "%s.old", path);
	unlink(old);
	rmdir(dir);
	d_free(dir);
	return 0;
}

static void
default_is_err(void **state)
{
	char *out = run_with("ERR", NULL, NULL);

	(void)state;
	assert_non_null(strstr(out, "vos-err"));
	assert_non_null(strstr(out, "mem-err"));
	assert_null(strstr(out, "vos-warn"));
	assert_null(strstr(out, "info"));
	assert_null(strstr(out, "dbg"));
}

static void
info_level(void **state)
{
	char *out = run_with("INFO", NULL, NULL);

	(void)state;
	assert_non_null(strstr(out, "vos-warn"));
	assert_non_null(strstr(out, "vos-info"));
	assert_non_null(strstr(out, "mem-info"));
	assert_null(strstr(out, "dbg"));
}

static void
debug_with_facility_override(void **state)
{
	/* DAOS's example: debug everywhere but the memory facility. */
	char *out = run_with("DEBUG,MEM=ERR", NULL, NULL);

	(void)state;
	assert_non_null(strstr(out, "vos-dbg-io"));
	assert_non_null(strstr(out, "vos-dbg-md"));
	assert_non_null(strstr(out, "mem-err"));
	assert_null(strstr(out, "mem-info"));
	assert_null(strstr(out, "mem-dbg"));
}

static void
streams_select_debug_messages(void **state)
{
	char *out = run_with("DEBUG", NULL, "io");

	(void)state;
	assert_non_null(strstr(out, "vos-dbg-io"));
	assert_null(strstr(out, "vos-dbg-md"));
	assert_null(strstr(out, "mem-dbg"));
	assert_non_null(strstr(out, "vos-info"));
}

static void
subsys_limits_the_default(void **state)
{
	char *out = run_with("DEBUG", "vos", NULL);

	(void)state;
	assert_non_null(strstr(out, "vos-dbg-io"));
	assert_non_null(strstr(out, "mem-err"));
	assert_null(strstr(out, "mem-info"));
	assert_null(strstr(out, "mem-dbg"));
}

/* A line carries time, host, pid, facility, priority, file:line and function. */
static void
line_layout(void **state)
{
	char *out = run_with("ERR", NULL, NULL);
	char needle[64];

	(void)state;
	snprintf(needle, sizeof(needle), "[%d/", (int)getpid());
	assert_non_null(strstr(out, needle));
	assert_non_null(strstr(out, " vos "));
	assert_non_null(strstr(out, " ERR "));
	assert_non_null(strstr(out, "src/common/tests/log_tests.c:"));
	assert_non_null(strstr(out, "log_vos() vos-err\n"));
	assert_true(out[4] == '/' && out[10] == '-');
}

static void
bad_settings_are_refused(void **state)
{
	(void)state;
	assert_int_equal(d_log_setmasks("LOUD"), -DER_INVAL);
	assert_int_equal(d_log_setmasks("DEBUG,NOSUCHFAC=ERR"), -DER_INVAL);
	assert_int_equal(d_log_setmasks("DEBUG,VOS=LOUD"), -DER_INVAL);
	assert_int_equal(d_log_set_subsys("vos,nosuch"), -DER_INVAL);
	assert_int_equal(d_log_set_dbgmask("io,nosuch"), -DER_INVAL);
	assert_int_equal(d_log_set_file("/nonexistent-dir/x/y.log", false), -DER_IO);
	/* A refused mask changes nothing. */
	assert_int_equal(d_log_setmasks("ERR"), 0);
	assert_int_equal(d_log_setmasks("INFO,BAD"), -DER_INVAL);
	assert_int_equal(d_log_fac_prio[DD_FAC(vos)], DLOG_ERR);
}

static void
uuid_format(void **state)
{
	unsigned char u[16];
	char buf[64];
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		u[i] = (unsigned char)(i * 17);
	snprintf(buf, sizeof(buf), DF_UUIDF " " DF_UUID, DP_UUID(u), DP_UUID(u));
	assert_string_equal(buf, "00112233-4455-6677-8899-aabbccddeeff 00112233");
}

static void
names(void **state)
{
	(void)state;
	assert_int_equal(d_log_str2prio("debug"), DLOG_DBG);
	assert_int_equal(d_log_str2prio("DBUG"), DLOG_DBG);
	assert_int_equal(d_log_str2prio("ERROR"), DLOG_ERR);
	assert_int_equal(d_log_str2prio("FATAL"), DLOG_EMERG);
	assert_int_equal(d_log_str2prio("ALRT"), DLOG_ALERT);
	assert_int_equal(d_log_str2fac("Container"), DD_FAC(container));
	assert_int_equal(d_log_str2fac("nosuch"), -DER_NONEXIST);
	assert_string_equal(d_log_fac2str(DD_FAC(placement)), "placement");
	assert_string_equal(d_log_prio2str(DLOG_WARN), "WARN");
}

/* d_log_init() reads the environment: file, pid suffix, masks. */
static void
environment(void **state)
{
	char want[4200];
	char *out;

	(void)state;
	setenv("D_LOG_FILE", path, 1);
	setenv("D_LOG_FILE_APPEND_PID", "1", 1);
	setenv("D_LOG_MASK", "INFO", 1);
	setenv("DD_SUBSYS", "all", 1);
	assert_int_equal(d_log_init(), 0);
	log_vos();
	d_log_fini();
	snprintf(want, sizeof(want), "%s.%d", path, (int)getpid());
	assert_int_equal(access(want, R_OK), 0);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".%d", (int)getpid());
	out = read_log();
	assert_non_null(strstr(out, "vos-info"));
	unlink(want);
	path[strlen(path) - strlen(strrchr(path, '.'))] = '\0';

	setenv("D_LOG_MASK", "NOPE", 1);
	assert_int_equal(d_log_init(), -DER_INVAL);
	d_log_fini();
	unsetenv("D_LOG_FILE");
	unsetenv("D_LOG_FILE_APPEND_PID");
	unsetenv("D_LOG_MASK");
	unsetenv("DD_SUBSYS");
}

/* Past D_LOG_SIZE the file moves to <file>.old and a new one starts. */
static void
rotation(void **state)
{
	char old[4200];
	struct stat st;
	int i;

	(void)state;
	setenv("D_LOG_SIZE", "8192", 1);
	assert_int_equal(d_log_init(), 0);
	run_with("ERR", NULL, NULL);
	for (i = 0; i < 200; i++)
		log_vos();
	snprintf(old, sizeof(old), "%s.old", path);
	assert_int_equal(stat(old, &st), 0);
	assert_true(st.st_size >= 8192);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size < 8192 + 4096);
	d_log_fini();
	unsetenv("D_LOG_SIZE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_is_err),
		cmocka_unit_test(info_level),
		cmocka_unit_test(debug_with_facility_override),
		cmocka_unit_test(streams_select_debug_messages),
		cmocka_unit_test(subsys_limits_the_default),
		cmocka_unit_test(line_layout),
		cmocka_unit_test(bad_settings_are_refused),
		cmocka_unit_test(names),
		cmocka_unit_test(uuid_format),
		cmocka_unit_test(environment),
		cmocka_unit_test(rotation),
	};

	return cmocka_run_group_tests_name("log", tests, setup, teardown);
}
