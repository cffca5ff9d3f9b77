/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_tls_tests.c - the control transport over mutual TLS. A throwaway CA and admin,
 * agent and server certificates (plus a rogue CA and its own "admin") are made with the
 * openssl command in a temporary directory. Checks the role the server sees, the method
 * allow-list, and that clients without a good certificate fail with -DER_NO_PERM.
 */
#define D_LOGFAC DD_FAC(tests)

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "proto/proto.h"

#define VERSION "2.6.0"
#define TIMEOUT 10000

static char *dir;

struct tsrv {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	struct ctl_server *srv;
	uint16_t port;
};

static char *
path_of(const char *name)
{
	char *p = NULL;

	assert_true(d_asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

#define KEYGEN "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

static void
make_ca(const char *ca)
{
	char *cmd = NULL;

	assert_true(d_asprintf(&cmd,
			       "cd %s && openssl req -x509 " KEYGEN " -keyout %s.key -out %s.crt "
			       "-subj /O=DAOS/CN=%s -days 2 2>/dev/null",
			       dir, ca, ca, ca) > 0);
	assert_int_equal(system(cmd), 0);
	d_free(cmd);
}

static void
make_cert(const char *name, const char *cn, const char *ca)
{
	char *cmd = NULL;

	assert_true(d_asprintf(&cmd,
			       "cd %s && openssl req " KEYGEN " -keyout %s.key -out %s.csr "
			       "-subj /O=DAOS/CN=%s 2>/dev/null && openssl x509 -req -in %s.csr "
			       "-CA %s.crt -CAkey %s.key -CAcreateserial -out %s.crt -days 2 "
			       "2>/dev/null",
			       dir, name, name, cn, name, ca, ca, name) > 0);
	assert_int_equal(system(cmd), 0);
	d_free(cmd);
}

static int
setup(void **state)
{
	(void)state;
	dir = test_tmpdir("ctl_tls");
	assert_non_null(dir);
	make_ca("ca");
	make_ca("rogueca");
	make_cert("admin", "admin", "ca");
	make_cert("agent", "agent", "ca");
	make_cert("server", "server", "ca");
	make_cert("stranger", "stranger", "ca");
	make_cert("rogue", "admin", "rogueca");
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = NULL;

	if (d_asprintf(&cmd, "rm -rf %s", dir) > 0 && system(cmd) != 0)
		print_error("cannot remove %s\n", dir);
	d_free(cmd);
	(void)state;
	d_free(dir);
	return 0;
}

/* TLS config for @name's certificate, trusting @ca; free the strings with tls_fini(). */
static void
tls_init(struct ctl_tls_config *tls, const char *ca, const char *name)
{
	char *s;

	assert_true(d_asprintf(&s, "%s.crt", ca) > 0);
	tls->ca_file = path_of(s);
	d_free(s);
	tls->cert_file = NULL;
	tls->key_file = NULL;
	if (name == NULL)
		return;
	assert_true(d_asprintf(&s, "%s.crt", name) > 0);
	tls->cert_file = path_of(s);
	d_free(s);
	assert_true(d_asprintf(&s, "%s.key", name) > 0);
	tls->key_file = path_of(s);
	d_free(s);
}

static void
tls_fini(struct ctl_tls_config *tls)
{
	d_free((char *)tls->ca_file);
	d_free((char *)tls->cert_file);
	d_free((char *)tls->key_file);
}

/* Replies with the caller's role name as the message. */
static void
handler(struct ctl_req *req, void *arg)
{
	const struct ctl_req_info *info = ctl_req_info(req);

	(void)arg;
	ctl_req_reply(req, 0, ctl_role_name(info->role), NULL, info->body, info->len);
}

static void
stop_cb(uv_async_t *a)
{
	struct tsrv *ts = a->data;

	ctl_server_stop(ts->srv);
	uv_close((uv_handle_t *)a, NULL);
}

static void *
loop_thread(void *arg)
{
	struct tsrv *ts = arg;

	uv_run(&ts->loop, UV_RUN_DEFAULT);
	return NULL;
}

static void
tsrv_start(struct tsrv *ts)
{
	struct ctl_tls_config tls;

	memset(ts, 0, sizeof(*ts));
	tls_init(&tls, "ca", "server");
	assert_int_equal(uv_loop_init(&ts->loop), 0);
	assert_int_equal(
		ctl_server_start(&ts->loop, "127.0.0.1", 0, &tls, VERSION, handler, ts, &ts->srv),
		0);
	tls_fini(&tls);
	ts->port = ctl_server_port(ts->srv);
	uv_async_init(&ts->loop, &ts->stop, stop_cb);
	ts->stop.data = ts;
	assert_int_equal(pthread_create(&ts->thread, NULL, loop_thread, ts), 0);
}

static void
tsrv_stop(struct tsrv *ts)
{
	uv_async_send(&ts->stop);
	pthread_join(ts->thread, NULL);
	assert_int_equal(uv_loop_close(&ts->loop), 0);
}

/* Connect as @name trusting @ca and call @method: the transport result. */
static int
call_as(uint16_t port, const char *ca, const char *name, uint32_t method, struct ctl_reply *reply)
{
	struct ctl_tls_config tls;
	struct ctl_client *c;
	int rc;

	tls_init(&tls, ca, name);
	rc = ctl_client_connect("localhost", port, &tls, VERSION, TIMEOUT, &c);
	tls_fini(&tls);
	if (rc != 0)
		return rc;
	rc = ctl_client_call(c, method, "hello", 5, TIMEOUT, reply);
	ctl_client_close(c);
	return rc;
}

static void
roles_seen(void **state)
{
	struct ctl_reply reply;
	struct tsrv ts;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(call_as(ts.port, "ca", "admin", CTL_SYSTEM_QUERY, &reply), 0);
	assert_int_equal(reply.status, 0);
	assert_string_equal(reply.message, "admin");
	assert_memory_equal(reply.body, "hello", 5);
	ctl_reply_fini(&reply);
	assert_int_equal(call_as(ts.port, "ca", "agent", CTL_GET_ATTACH_INFO, &reply), 0);
	assert_int_equal(reply.status, 0);
	assert_string_equal(reply.message, "agent");
	ctl_reply_fini(&reply);
	assert_int_equal(call_as(ts.port, "ca", "server", CTL_JOIN, &reply), 0);
	assert_int_equal(reply.status, 0);
	assert_string_equal(reply.message, "server");
	ctl_reply_fini(&reply);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
method_not_allowed(void **state)
{
	struct ctl_reply reply;
	struct tsrv ts;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(call_as(ts.port, "ca", "agent", CTL_POOL_CREATE, &reply), 0);
	assert_int_equal(reply.status, -DER_NO_PERM);
	assert_non_null(strstr(reply.message, "PoolCreate"));
	assert_non_null(strstr(reply.message, "agent"));
	ctl_reply_fini(&reply);
	assert_int_equal(call_as(ts.port, "ca", "admin", CTL_JOIN, &reply), 0);
	assert_int_equal(reply.status, -DER_NO_PERM);
	ctl_reply_fini(&reply);
	/* A certificate from our CA whose CN names no role may call nothing. */
	assert_int_equal(call_as(ts.port, "ca", "stranger", CTL_SYSTEM_QUERY, &reply), 0);
	assert_int_equal(reply.status, -DER_NO_PERM);
	assert_non_null(strstr(reply.message, "unknown"));
	ctl_reply_fini(&reply);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
bad_certificates(void **state)
{
	struct ctl_reply reply;
	struct ctl_client *c;
	struct tsrv ts;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	/* No client certificate. */
	assert_int_equal(call_as(ts.port, "ca", NULL, CTL_SYSTEM_QUERY, &reply), -DER_NO_PERM);
	/* A certificate from another CA. */
	assert_int_equal(call_as(ts.port, "ca", "rogue", CTL_SYSTEM_QUERY, &reply), -DER_NO_PERM);
	/* A client that does not trust the server's CA. */
	assert_int_equal(call_as(ts.port, "rogueca", "rogue", CTL_SYSTEM_QUERY, &reply),
			 -DER_NO_PERM);
	/* Plain TCP to a TLS server fails; the server survives all of it. */
	assert_int_equal(ctl_client_connect("127.0.0.1", ts.port, NULL, VERSION, TIMEOUT, &c), 0);
	assert_true(ctl_client_call(c, CTL_SYSTEM_QUERY, "x", 1, TIMEOUT, &reply) < 0);
	ctl_client_close(c);
	assert_int_equal(call_as(ts.port, "ca", "admin", CTL_SYSTEM_QUERY, &reply), 0);
	assert_int_equal(reply.status, 0);
	ctl_reply_fini(&reply);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
bad_files(void **state)
{
	struct ctl_tls_config tls = { .ca_file = "/nonexistent/ca.crt" };
	struct ctl_client *c = NULL;
	struct ctl_server *srv = NULL;
	uv_loop_t loop;

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(ctl_client_connect("127.0.0.1", 1, &tls, VERSION, TIMEOUT, &c),
			 -DER_INVAL);
	uv_loop_init(&loop);
	tls_init(&tls, "ca", NULL);
	/* A TLS server needs its own certificate. */
	assert_int_equal(
		ctl_server_start(&loop, "127.0.0.1", 0, &tls, VERSION, handler, NULL, &srv),
		-DER_INVAL);
	tls_fini(&tls);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_null(c);
	assert_null(srv);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_seen),
		cmocka_unit_test(method_not_allowed),
		cmocka_unit_test(bad_certificates),
		cmocka_unit_test(bad_files),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
