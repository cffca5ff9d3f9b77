/* SPDX-License-Identifier: Apache-2.0 */
/* errno_tests.c - the DER_* table: names, numbers, descriptions, errno mapping. */
#define D_LOGFAC DD_FAC(tests)

#include <stdio.h>

#include "common/test.h"

struct code {
	const char *name;
	int value;
	int errnum;
	const char *text;
};

#define CODE_ROW(name, value, errnum, text) { #name, value, errnum, text },
static const struct code codes[] = { D_FOREACH_GURT_ERR(CODE_ROW) D_FOREACH_DAOS_ERR(CODE_ROW) };

/* Every code prints its own name and description, negated or not. */
static void
every_code_round_trips(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		assert_string_equal(d_errstr(-codes[i].value), codes[i].name);
		assert_string_equal(d_errstr(codes[i].value), codes[i].name);
		assert_string_equal(d_errdesc(-codes[i].value), codes[i].text);
		assert_int_equal(daos_der2errno(-codes[i].value), codes[i].errnum);
	}
}

/* Numbers are DAOS's: spot checks against the reference table. */
static void
numbers_match_daos(void **state)
{
	(void)state;
	assert_int_equal(DER_NO_PERM, 1001);
	assert_int_equal(DER_NONEXIST, 1005);
	assert_int_equal(DER_NOSPACE, 1007);
	assert_int_equal(DER_PROTO, 1014);
	assert_int_equal(DER_BAD_TARGET, 1035);
	assert_int_equal(DER_QUOTA_LIMIT, 1046);
	assert_int_equal(DER_IO, 2001);
	assert_int_equal(DER_RF, 2031);
	assert_int_equal(DER_NOTSUPPORTED, 2037);
	assert_int_equal(DER_IGNORE, 2052);
	assert_int_equal(DER_UNKNOWN, 501000);
	assert_int_equal(DER_EVICTED, DER_EXCLUDED);
}

/* Names and numbers are unique, and the ranges are dense as DAOS's are. */
static void
codes_are_unique_and_dense(void **state)
{
	size_t i;
	size_t j;
	int gurt = 0;
	int daos = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		for (j = i + 1; j < ARRAY_SIZE(codes); j++) {
			assert_int_not_equal(codes[i].value, codes[j].value);
			assert_string_not_equal(codes[i].name, codes[j].name);
		}
		if (codes[i].value < DER_ERR_DAOS_BASE)
			assert_int_equal(codes[i].value, DER_ERR_GURT_BASE + ++gurt);
		else
			assert_int_equal(codes[i].value, DER_ERR_DAOS_BASE + ++daos);
	}
	assert_int_equal(gurt, 46);
	assert_int_equal(daos, 52);
}

static void
unknown_codes(void **state)
{
	(void)state;
	assert_string_equal(d_errstr(-999999), "DER_UNKNOWN");
	assert_string_equal(d_errstr(0), "DER_SUCCESS");
	assert_string_equal(d_errdesc(12345), "unknown error code");
	assert_int_equal(daos_der2errno(-DER_UNKNOWN), EIO);
	assert_int_equal(daos_der2errno(0), 0);
	/* Plain errno values pass through (POSIX layers hand them over as they are). */
	assert_int_equal(daos_der2errno(-ENOENT), ENOENT);
}

/* errno -> DER -> errno gives back the errno for the common cases. */
static void
errno_round_trip(void **state)
{
	static const int errs[] = { EPERM,     ENOMEM, ENOSPC,    EEXIST, ENOENT,
				    ETIMEDOUT, EBUSY,  EAGAIN,    EPROTO, ENOTDIR,
				    EINVAL,    EIO,    ECANCELED, ESTALE, EOPNOTSUPP };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(errs); i++)
		assert_int_equal(daos_der2errno(-daos_errno2der(errs[i])), errs[i]);
	assert_int_equal(daos_errno2der(0), 0);
	assert_int_equal(daos_errno2der(-ENOENT), DER_NONEXIST);
	assert_int_equal(daos_errno2der(EXDEV), DER_MISC);
}

/* DF_RC prints the way DAOS users know: NAME(-NUMBER): 'text'. */
static void
df_rc_format(void **state)
{
	char buf[128];
	int rc = -DER_NONEXIST;

	(void)state;
	snprintf(buf, sizeof(buf), DF_RC, DP_RC(rc));
	assert_string_equal(buf, "DER_NONEXIST(-1005): 'entity does not exist'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_code_round_trips),     cmocka_unit_test(numbers_match_daos),
		cmocka_unit_test(codes_are_unique_and_dense), cmocka_unit_test(unknown_codes),
		cmocka_unit_test(errno_round_trip),           cmocka_unit_test(df_rc_format),
	};

	return cmocka_run_group_tests_name("errno", tests, NULL, NULL);
}
