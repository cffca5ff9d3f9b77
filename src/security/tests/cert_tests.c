/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cert_tests.c - runs utils/certs/gen_certificates.sh into a temporary directory, then
 * loads what it made: roles, the CA chain, key/certificate pairs, file mode checks,
 * and credentials signed with agent.key and checked with agent.crt.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "common/test.h"
#include "security/security.h"

static char *tmp;   /* the temporary directory */
static char *certs; /* tmp/daosCA/certs */

static char *
path_of(const char *name)
{
	char *p = NULL;

	assert_true(d_asprintf(&p, "%s/%s", certs, name) > 0);
	return p;
}

static int
setup(void **state)
{
	const char *script = getenv("GEN_CERTIFICATES");
	char *cmd = NULL;
	int rc;

	(void)state;
	if (script == NULL)
		script = "utils/certs/gen_certificates.sh";
	tmp = test_tmpdir("certs");
	if (tmp == NULL)
		return -1;
	if (d_asprintf(&cmd, "'%s' '%s' > /dev/null", script, tmp) < 0)
		return -1;
	rc = system(cmd);
	d_free(cmd);
	if (rc != 0) {
		fprintf(stderr, "%s failed: %d\n", script, rc);
		return -1;
	}
	if (d_asprintf(&certs, "%s/daosCA/certs", tmp) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = NULL;

	(void)state;
	if (tmp != NULL && d_asprintf(&cmd, "rm -rf '%s'", tmp) > 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
		d_free(cmd);
	}
	d_free(certs);
	d_free(tmp);
	return 0;
}

static struct sec_cert *
load_cert(const char *name)
{
	struct sec_cert *cert = NULL;
	char *p = path_of(name);

	assert_int_equal(sec_cert_load(p, &cert), 0);
	d_free(p);
	return cert;
}

static struct sec_key *
load_key(const char *name, unsigned int mode)
{
	struct sec_key *key = NULL;
	char *p = path_of(name);

	assert_int_equal(sec_key_load(p, mode, &key), 0);
	d_free(p);
	return key;
}

static void
script_layout_and_roles(void **state)
{
	static const char *const roles[] = { "admin", "agent", "server" };
	struct sec_cert *ca;
	struct sec_cert *cert;
	struct sec_key *key;
	struct stat st;
	char name[64];
	char role[16];
	char *p;
	size_t i;
	TEST_ALLOC_MARK();

	(void)state;
	ca = load_cert("daosCA.crt");
	for (i = 0; i < ARRAY_SIZE(roles); i++) {
		snprintf(name, sizeof(name), "%s.crt", roles[i]);
		cert = load_cert(name);
		assert_int_equal(sec_cert_role(cert, role, sizeof(role)), 0);
		assert_string_equal(role, roles[i]);
		assert_int_equal(sec_cert_role(cert, role, 3), -DER_TRUNC);
		assert_int_equal(sec_cert_verify(cert, ca), 0);
		snprintf(name, sizeof(name), "%s.key", roles[i]);
		p = path_of(name);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0400);
		d_free(p);
		key = load_key(name, i == 0 ? SEC_MODE_KEY_ADMIN : SEC_MODE_KEY);
		assert_int_equal(sec_key_matches_cert(key, cert), 0);
		sec_key_free(key);
		sec_cert_free(cert);
	}
	/* The CA is not signed by a leaf, and keys belong to their own certificate. */
	cert = load_cert("agent.crt");
	key = load_key("server.key", SEC_MODE_KEY);
	assert_int_equal(sec_cert_verify(ca, cert), -DER_BAD_CERT);
	assert_int_equal(sec_key_matches_cert(key, cert), -DER_BAD_CERT);
	sec_key_free(key);
	sec_cert_free(cert);
	sec_cert_free(ca);

	/* client_cert_dir has the agent and admin certificates and mode 0750. */
	p = path_of("clients");
	assert_int_equal(sec_cert_dir_check(p), 0);
	d_free(p);
	cert = load_cert("clients/agent.crt");
	sec_cert_free(cert);
	cert = load_cert("clients/admin.crt");
	sec_cert_free(cert);
	TEST_ALLOC_CHECK();
}

static void
script_refuses_to_overwrite(void **state)
{
	const char *script = getenv("GEN_CERTIFICATES");
	char *cmd = NULL;
	int rc;

	(void)state;
	if (script == NULL)
		script = "utils/certs/gen_certificates.sh";
	assert_true(d_asprintf(&cmd, "'%s' '%s' > /dev/null 2>&1", script, tmp) > 0);
	rc = system(cmd);
	d_free(cmd);
	assert_int_not_equal(rc, 0);
}

static void
mode_checks(void **state)
{
	struct sec_cert *cert = NULL;
	struct sec_key *key = NULL;
	char *p;
	TEST_ALLOC_MARK();

	(void)state;
	p = path_of("agent.key");
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(sec_key_load(p, SEC_MODE_KEY, &key), -DER_NO_PERM);
	assert_null(key);
	assert_non_null(strstr(sec_last_error(), p));
	assert_non_null(strstr(sec_last_error(), "0400"));
	/* dmg's key may be group-readable; a server's may not. */
	assert_int_equal(chmod(p, 0440), 0);
	assert_int_equal(sec_key_load(p, SEC_MODE_KEY, &key), -DER_NO_PERM);
	assert_int_equal(sec_key_load(p, SEC_MODE_KEY_ADMIN, &key), 0);
	sec_key_free(key);
	assert_int_equal(chmod(p, 0400), 0);
	d_free(p);

	p = path_of("agent.crt");
	assert_int_equal(chmod(p, 0666), 0);
	assert_int_equal(sec_cert_load(p, &cert), -DER_NO_PERM);
	assert_non_null(strstr(sec_last_error(), "0664"));
	assert_int_equal(chmod(p, 0664), 0);
	assert_int_equal(sec_cert_load(p, &cert), 0);
	sec_cert_free(cert);
	assert_int_equal(chmod(p, 0644), 0);
	d_free(p);

	p = path_of("clients");
	assert_int_equal(chmod(p, 0755), 0);
	assert_int_equal(sec_cert_dir_check(p), -DER_NO_PERM);
	assert_non_null(strstr(sec_last_error(), p));
	assert_int_equal(chmod(p, 0750), 0);
	d_free(p);

	p = path_of("missing.crt");
	assert_int_equal(sec_cert_load(p, &cert), -DER_NO_CERT);
	d_free(p);
	/* A key is not a certificate. */
	p = path_of("agent.key");
	assert_int_equal(sec_file_check_mode(p, SEC_MODE_CERT), 0);
	d_free(p);
	p = path_of("../../daosCA/ca.cnf");
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(sec_cert_load(p, &cert), -DER_BAD_CERT);
	d_free(p);
	TEST_ALLOC_CHECK();
}

static void
signed_credentials(void **state)
{
	static char *groups[] = { "proj@" };
	struct sec_auth_sys id = {
		.machinename = "node1",
		.user = "alice@",
		.group = "users@",
		.groups = groups,
		.nr_groups = 1,
		.secctx = "unconfined",
	};
	struct sec_auth_sys *sys;
	struct sec_cred *cred;
	struct sec_cert *agent;
	struct sec_cert *server;
	struct sec_key *key;
	char *clients;
	size_t i;
	TEST_ALLOC_MARK();

	(void)state;
	key = load_key("agent.key", SEC_MODE_KEY);
	agent = load_cert("agent.crt");
	server = load_cert("server.crt");
	clients = path_of("clients");

	assert_int_equal(sec_cred_make(&id, key, SEC_ORIGIN_AGENT, &cred), 0);
	assert_int_equal(cred->verifier_len, 384);
	assert_int_equal(sec_cred_verify(cred, agent, &sys), 0);
	assert_string_equal(sys->user, "alice@");
	assert_string_equal(sys->secctx, "unconfined");
	sec_auth_sys_free(sys);
	assert_int_equal(sec_cred_verify_dir(cred, clients, &sys), 0);
	sec_auth_sys_free(sys);

	/* The wrong certificate, and the insecure check of a signed credential. */
	assert_int_equal(sec_cred_verify(cred, server, &sys), -DER_NO_PERM);
	assert_int_equal(sec_cred_verify(cred, NULL, &sys), -DER_NO_PERM);

	/* Any byte of the token or signature flipped. */
	for (i = 0; i < cred->token_len; i += 7) {
		cred->token[i] ^= 0x01;
		assert_int_equal(sec_cred_verify(cred, agent, &sys), -DER_NO_PERM);
		cred->token[i] ^= 0x01;
	}
	cred->verifier[100] ^= 0x40;
	assert_int_equal(sec_cred_verify(cred, agent, &sys), -DER_NO_PERM);
	cred->verifier[100] ^= 0x40;

	/* The origin names the certificate: an unknown one has none, a path is refused. */
	d_free(cred->origin);
	cred->origin = d_strdup("nobody");
	assert_int_equal(sec_cred_verify_dir(cred, clients, &sys), -DER_NO_CERT);
	d_free(cred->origin);
	cred->origin = d_strdup("../agent");
	assert_int_equal(sec_cred_verify_dir(cred, clients, &sys), -DER_INVAL);
	d_free(cred->origin);
	cred->origin = d_strdup("admin");
	assert_int_equal(sec_cred_verify_dir(cred, clients, &sys), -DER_NO_PERM);

	sec_cred_free(cred);
	d_free(clients);
	sec_cert_free(server);
	sec_cert_free(agent);
	sec_key_free(key);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(script_layout_and_roles),
		cmocka_unit_test(script_refuses_to_overwrite),
		cmocka_unit_test(mode_checks),
		cmocka_unit_test(signed_credentials),
	};

	return cmocka_run_group_tests_name("security_cert", tests, setup, teardown);
}
