/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_tests.c - the control transport over plain TCP: a server on a libuv loop in its own
 * thread, blocking clients in the test thread (and in more threads for concurrency).
 * Covers many calls, concurrent clients, a 10 MiB body, oversized frames, garbage,
 * version mismatch, asynchronous replies and the leader hint.
 */
#define D_LOGFAC DD_FAC(tests)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/test.h"
#include "proto/proto.h"

#define VERSION "2.6.0"
#define TIMEOUT 10000

struct tsrv {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	struct ctl_server *srv;
	uint16_t port;
};

static enum ctl_role last_role = CTL_ROLE_UNKNOWN;

static void
timer_closed(uv_handle_t *h)
{
	d_free(h);
}

static void
late_reply(uv_timer_t *t)
{
	struct ctl_req *req = t->data;
	const struct ctl_req_info *info = ctl_req_info(req);

	ctl_req_reply(req, 0, "late", NULL, info->body, info->len);
	uv_close((uv_handle_t *)t, timer_closed);
}

/* Echo the body; POOL_CREATE answers 50 ms later; SYSTEM_STOP says "not the leader". */
static void
handler(struct ctl_req *req, void *arg)
{
	const struct ctl_req_info *info = ctl_req_info(req);
	struct tsrv *ts = arg;
	uv_timer_t *t;

	last_role = info->role;
	if (info->method == CTL_POOL_CREATE) {
		t = d_calloc(1, sizeof(*t));
		assert_non_null(t);
		uv_timer_init(&ts->loop, t);
		t->data = req;
		uv_timer_start(t, late_reply, 50, 0);
		return;
	}
	if (info->method == CTL_SYSTEM_STOP) {
		ctl_req_reply(req, -DER_NOTLEADER, "not the leader", "10.0.0.1:10001", NULL, 0);
		return;
	}
	ctl_req_reply(req, 0, ctl_method_name(info->method), NULL, info->body, info->len);
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
	memset(ts, 0, sizeof(*ts));
	assert_int_equal(uv_loop_init(&ts->loop), 0);
	assert_int_equal(
		ctl_server_start(&ts->loop, "127.0.0.1", 0, NULL, VERSION, handler, ts, &ts->srv),
		0);
	ts->port = ctl_server_port(ts->srv);
	assert_true(ts->port != 0);
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

/* One call with @body; checks the echo. */
static void
echo_call(struct ctl_client *c, const void *body, size_t len)
{
	struct ctl_reply reply;

	assert_int_equal(ctl_client_call(c, CTL_SYSTEM_QUERY, body, len, TIMEOUT, &reply), 0);
	assert_int_equal(reply.status, 0);
	assert_string_equal(reply.message, "SystemQuery");
	assert_int_equal(reply.len, len);
	if (len > 0)
		assert_memory_equal(reply.body, body, len);
	ctl_reply_fini(&reply);
}

static void
many_calls(void **state)
{
	struct ctl_client *c;
	struct tsrv ts;
	char body[32];
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(ctl_client_connect("localhost", ts.port, NULL, VERSION, TIMEOUT, &c), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(body, sizeof(body), "call %d", i);
		echo_call(c, body, strlen(body));
	}
	echo_call(c, NULL, 0);
	assert_int_equal(last_role, CTL_ROLE_NONE);
	ctl_client_close(c);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void *
client_thread(void *arg)
{
	uint16_t port = *(uint16_t *)arg;
	struct ctl_client *c;
	char body[32];
	int i;

	assert_int_equal(ctl_client_connect("127.0.0.1", port, NULL, VERSION, TIMEOUT, &c), 0);
	for (i = 0; i < 200; i++) {
		snprintf(body, sizeof(body), "%p %d", (void *)&c, i);
		echo_call(c, body, strlen(body));
	}
	ctl_client_close(c);
	return NULL;
}

static void
concurrent_clients(void **state)
{
	pthread_t th[8];
	struct tsrv ts;
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, client_thread, &ts.port), 0);
	for (i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
big_body(void **state)
{
	size_t len = 10u << 20;
	struct ctl_client *c;
	struct tsrv ts;
	uint8_t *body;
	size_t i;

	(void)state;
	TEST_ALLOC_MARK();
	body = d_malloc(len);
	assert_non_null(body);
	for (i = 0; i < len; i++)
		body[i] = (uint8_t)(i * 7 + (i >> 12));
	tsrv_start(&ts);
	assert_int_equal(ctl_client_connect("127.0.0.1", ts.port, NULL, VERSION, TIMEOUT, &c), 0);
	echo_call(c, body, len);
	echo_call(c, "small", 5);
	ctl_client_close(c);
	tsrv_stop(&ts);
	d_free(body);
	TEST_ALLOC_CHECK();
}

static int
raw_connect(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 10 };
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Send @buf and expect the server to hang up without answering. */
static void
expect_hangup(uint16_t port, const void *buf, size_t len)
{
	char c;
	int fd = raw_connect(port);

	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
	assert_true(recv(fd, &c, 1, 0) <= 0);
	close(fd);
}

static void
frame_too_large(void **state)
{
	/* 16 MiB + 1 */
	static const uint8_t hdr[] = { 0x01, 0x00, 0x00, 0x01, 0xaa };
	size_t len = CTL_FRAME_MAX + 1;
	struct ctl_client *c;
	struct ctl_reply reply;
	struct tsrv ts;
	uint8_t *body;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	expect_hangup(ts.port, hdr, sizeof(hdr));
	/* The client refuses to build one, and its connection stays usable. */
	body = d_calloc(1, len);
	assert_non_null(body);
	assert_int_equal(ctl_client_connect("127.0.0.1", ts.port, NULL, VERSION, TIMEOUT, &c), 0);
	assert_int_equal(ctl_client_call(c, CTL_SYSTEM_QUERY, body, len, TIMEOUT, &reply),
			 -DER_PROTO);
	echo_call(c, "still fine", 10);
	ctl_client_close(c);
	d_free(body);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
garbage_closes_one_connection(void **state)
{
	static const uint8_t junk[] = { 0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct ctl_client *c;
	struct tsrv ts;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(ctl_client_connect("127.0.0.1", ts.port, NULL, VERSION, TIMEOUT, &c), 0);
	echo_call(c, "before", 6);
	expect_hangup(ts.port, junk, sizeof(junk));
	expect_hangup(ts.port, "GET / HTTP/1.1\r\n\r\n", 18);
	echo_call(c, "after", 5);
	ctl_client_close(c);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
version_mismatch(void **state)
{
	struct ctl_client *c;
	struct ctl_reply reply;
	struct tsrv ts;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(ctl_client_connect("127.0.0.1", ts.port, NULL, "1.2.3", TIMEOUT, &c), 0);
	assert_int_equal(ctl_client_call(c, CTL_SYSTEM_QUERY, "x", 1, TIMEOUT, &reply), 0);
	assert_int_equal(reply.status, -DER_CONTROL_INCOMPAT);
	assert_non_null(strstr(reply.message, "1.2.3"));
	assert_non_null(strstr(reply.message, VERSION));
	ctl_reply_fini(&reply);
	ctl_client_close(c);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
async_reply_and_leader_hint(void **state)
{
	struct ctl_client *c;
	struct ctl_reply reply;
	struct tsrv ts;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(ctl_client_connect("127.0.0.1", ts.port, NULL, VERSION, TIMEOUT, &c), 0);
	assert_int_equal(ctl_client_call(c, CTL_POOL_CREATE, "pool", 4, TIMEOUT, &reply), 0);
	assert_int_equal(reply.status, 0);
	assert_string_equal(reply.message, "late");
	assert_int_equal(reply.len, 4);
	ctl_reply_fini(&reply);
	/* A reply that takes longer than the caller waits is a timeout. */
	assert_int_equal(ctl_client_call(c, CTL_POOL_CREATE, "pool", 4, 10, &reply), -DER_TIMEDOUT);
	ctl_client_close(c);

	assert_int_equal(ctl_client_connect("127.0.0.1", ts.port, NULL, VERSION, TIMEOUT, &c), 0);
	assert_int_equal(ctl_client_call(c, CTL_SYSTEM_STOP, NULL, 0, TIMEOUT, &reply), 0);
	assert_int_equal(reply.status, -DER_NOTLEADER);
	assert_string_equal(reply.leader_hint, "10.0.0.1:10001");
	ctl_reply_fini(&reply);
	ctl_client_close(c);
	/* Let the pending late reply fire against the closed connection, then stop. */
	usleep(100 * 1000);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
connect_failures(void **state)
{
	struct ctl_client *c = NULL;
	struct tsrv ts;
	uint16_t port;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	port = ts.port;
	tsrv_stop(&ts);
	assert_int_equal(ctl_client_connect("127.0.0.1", port, NULL, VERSION, 1000, &c),
			 -DER_UNREACH);
	assert_int_equal(ctl_client_connect("no.such.host.invalid", port, NULL, VERSION, 1000, &c),
			 -DER_UNREACH);
	assert_null(c);
	TEST_ALLOC_CHECK();
}

static void
method_table(void **state)
{
	(void)state;
	assert_true(ctl_method_allowed(CTL_POOL_CREATE, CTL_ROLE_ADMIN));
	assert_false(ctl_method_allowed(CTL_POOL_CREATE, CTL_ROLE_AGENT));
	assert_false(ctl_method_allowed(CTL_POOL_CREATE, CTL_ROLE_SERVER));
	assert_true(ctl_method_allowed(CTL_GET_ATTACH_INFO, CTL_ROLE_AGENT));
	assert_true(ctl_method_allowed(CTL_GET_ATTACH_INFO, CTL_ROLE_ADMIN));
	assert_false(ctl_method_allowed(CTL_GET_ATTACH_INFO, CTL_ROLE_SERVER));
	assert_true(ctl_method_allowed(CTL_POOL_EVICT, CTL_ROLE_AGENT));
	assert_true(ctl_method_allowed(CTL_JOIN, CTL_ROLE_SERVER));
	assert_false(ctl_method_allowed(CTL_JOIN, CTL_ROLE_ADMIN));
	assert_true(ctl_method_allowed(CTL_STOP_RANKS, CTL_ROLE_SERVER));
	assert_true(ctl_method_allowed(CTL_CLUSTER_EVENT, CTL_ROLE_SERVER));
	assert_false(ctl_method_allowed(CTL_SYSTEM_QUERY, CTL_ROLE_UNKNOWN));
	assert_false(ctl_method_allowed(CTL_SYSTEM_QUERY, CTL_ROLE_NONE));
	assert_false(ctl_method_allowed(9999, CTL_ROLE_ADMIN));
	assert_string_equal(ctl_method_name(CTL_POOL_GET_ACL), "PoolGetACL");
	assert_string_equal(ctl_method_name(9999), "unknown");
	assert_int_equal(ctl_role_from_cn("agent"), CTL_ROLE_AGENT);
	assert_int_equal(ctl_role_from_cn("Agent"), CTL_ROLE_UNKNOWN);
	assert_string_equal(drpc_method_name(DRPC_METHOD_MGMT_POOL_CREATE), "MGMT_POOL_CREATE");
	assert_string_equal(drpc_module_name(DRPC_MODULE_SEC_AGENT), "SEC_AGENT");
	assert_int_equal(DRPC_METHOD_SEC_VALIDATE_CREDS, 401);
	assert_int_equal(DRPC_METHOD_MGMT_POOL_SELF_HEAL_EVAL, 252);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(method_table),
		cmocka_unit_test(many_calls),
		cmocka_unit_test(concurrent_clients),
		cmocka_unit_test(big_body),
		cmocka_unit_test(frame_too_large),
		cmocka_unit_test(garbage_closes_one_connection),
		cmocka_unit_test(version_mismatch),
		cmocka_unit_test(async_reply_and_leader_hint),
		cmocka_unit_test(connect_failures),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
