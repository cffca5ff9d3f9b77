/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cred_tests.c - AUTH_SYS tokens and credentials without keys: encoding, decoding,
 * identity resolution with and without the client_user_map hook, and the insecure
 * digest verifier. Signing with real keys is in cert_tests.c.
 */
#include <unistd.h>

#include "common/test.h"
#include "security/security.h"

static struct sec_auth_sys *
sample(void)
{
	static char *groups[] = { "proj@", "ops@" };
	static struct sec_auth_sys sys = {
		.stamp = 0,
		.machinename = "node1",
		.user = "alice@",
		.group = "users@",
		.groups = groups,
		.nr_groups = 2,
		.secctx = NULL,
	};

	return &sys;
}

static void
token_round_trip(void **state)
{
	struct sec_auth_sys *sys;
	uint8_t *token;
	size_t len;
	size_t cut;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_token_encode(sample(), &token, &len), 0);
	assert_int_equal(sec_token_decode(token, len, &sys), 0);
	assert_string_equal(sys->machinename, "node1");
	assert_string_equal(sys->user, "alice@");
	assert_string_equal(sys->group, "users@");
	assert_int_equal(sys->nr_groups, 2);
	assert_string_equal(sys->groups[1], "ops@");
	assert_null(sys->secctx);
	sec_auth_sys_free(sys);
	/* Every truncation is malformed. */
	for (cut = 0; cut < len; cut++)
		assert_int_equal(sec_token_decode(token, cut, &sys), -DER_PROTO);
	/* A wrong flavor too. */
	token[0] = 2;
	assert_int_equal(sec_token_decode(token, len, &sys), -DER_PROTO);
	d_free(token);
	TEST_ALLOC_CHECK();
}

static void
insecure_cred(void **state)
{
	struct sec_auth_sys *sys;
	struct sec_cred *cred;
	struct sec_cred *again;
	uint8_t wire[1024];
	struct buf out = BUF_INIT(wire, sizeof(wire));
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_cred_make(sample(), NULL, SEC_ORIGIN_AGENT, &cred), 0);
	assert_int_equal(cred->verifier_len, 64);
	assert_int_equal(sec_cred_verify(cred, NULL, &sys), 0);
	assert_string_equal(sys->user, "alice@");
	sec_auth_sys_free(sys);
	assert_int_equal(sec_cred_verify_dir(cred, NULL, &sys), 0);
	sec_auth_sys_free(sys);

	/* Wire form. */
	assert_int_equal(sec_cred_encode(cred, &out), 0);
	assert_int_equal(out.off, sec_cred_encoded_size(cred));
	assert_int_equal(sec_cred_decode(wire, out.off, &again), 0);
	assert_int_equal(again->token_len, cred->token_len);
	assert_memory_equal(again->token, cred->token, cred->token_len);
	assert_memory_equal(again->verifier, cred->verifier, cred->verifier_len);
	assert_string_equal(again->origin, "agent");
	assert_int_equal(sec_cred_decode(wire, out.off - 1, &again), -DER_PROTO);
	assert_int_equal(sec_cred_decode(wire, 0, &again), -DER_PROTO);

	/* Changing the claimed identity breaks the digest. */
	again->token[again->token_len - 10] ^= 1;
	assert_int_equal(sec_cred_verify(again, NULL, &sys), -DER_NO_PERM);
	again->token[again->token_len - 10] ^= 1;
	again->verifier[0] ^= 0x80;
	assert_int_equal(sec_cred_verify(again, NULL, &sys), -DER_NO_PERM);
	sec_cred_free(again);
	sec_cred_free(cred);
	TEST_ALLOC_CHECK();
}

static void
resolve_known_uid(void **state)
{
	struct sec_auth_sys *sys;
	TEST_ALLOC_MARK();

	(void)state;
	/* uid and gid 0 exist on every host this runs on. */
	assert_int_equal(sec_auth_sys_resolve(0, 0, NULL, NULL, &sys), 0);
	assert_string_equal(sys->user, "root@");
	assert_string_equal(sys->group, "root@");
	assert_non_null(sys->machinename);
	assert_null(strchr(sys->machinename, '.'));
	sec_auth_sys_free(sys);
	TEST_ALLOC_CHECK();
}

static const struct sec_user_map_entry *
test_map(void *arg, uint32_t uid)
{
	static const char *const groups[] = { "mapped_grp@" };
	static const struct sec_user_map_entry entry = {
		.user = "mapped@",
		.group = "mapped@",
		.groups = groups,
		.nr_groups = 1,
	};

	*(uint32_t *)arg = uid;
	return uid == 4000123 ? &entry : NULL;
}

static void
resolve_unknown_uid(void **state)
{
	struct sec_auth_sys *sys = NULL;
	uint32_t seen = 0;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_auth_sys_resolve(4000123, 4000123, NULL, NULL, &sys), -DER_NONEXIST);
	assert_int_equal(sec_auth_sys_resolve(4000124, 1, test_map, &seen, &sys), -DER_NONEXIST);
	assert_int_equal(seen, 4000124);
	assert_null(sys);
	assert_int_equal(sec_auth_sys_resolve(4000123, 1, test_map, &seen, &sys), 0);
	assert_string_equal(sys->user, "mapped@");
	assert_int_equal(sys->nr_groups, 1);
	assert_string_equal(sys->groups[0], "mapped_grp@");
	sec_auth_sys_free(sys);
	TEST_ALLOC_CHECK();
}

static void
cred_alloc_failures(void **state)
{
	struct sec_cred *cred = NULL;
	uint64_t nth;
	int rc;
	TEST_ALLOC_MARK();

	(void)state;
	for (nth = 1;; nth++) {
		d_alloc_fail_nth(nth);
		rc = sec_cred_make(sample(), NULL, "agent", &cred);
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		TEST_ALLOC_CHECK();
	}
	sec_cred_free(cred);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(token_round_trip),    cmocka_unit_test(insecure_cred),
		cmocka_unit_test(resolve_known_uid),   cmocka_unit_test(resolve_unknown_uid),
		cmocka_unit_test(cred_alloc_failures),
	};

	return cmocka_run_group_tests_name("security_cred", tests, NULL, NULL);
}
