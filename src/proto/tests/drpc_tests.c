/* SPDX-License-Identifier: Apache-2.0 */
/*
 * drpc_tests.c - dRPC over UNIX SOCK_SEQPACKET: a server on a libuv loop in its own
 * thread and blocking clients. Covers call/response, DAOS's statuses for unknown
 * modules, methods and undecodable calls, 1 MiB messages through chunking, peer
 * credentials, connection ids and the close hook, malformed packets, socket mode and a
 * stale socket file.
 */
#define D_LOGFAC DD_FAC(tests)

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/test.h"
#include "proto/proto.h"

#define TIMEOUT 10000

struct tsrv {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	struct drpc_server *srv;
	char *dir;
	char *path;
};

static struct drpc_caller seen;
static uint64_t seen_conn;   /* conn_id of the last echo, atomic */
static uint64_t closed_conn; /* conn_id of the last close hook call, atomic */
static pid_t closed_pid;     /* its caller's pid, atomic */
static int nr_closed;        /* close hook calls, atomic */

static void
echo(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *info = drpc_req_info(req);

	(void)arg;
	seen = info->caller;
	__atomic_store_n(&seen_conn, info->conn_id, __ATOMIC_SEQ_CST);
	drpc_req_reply(req, DRPC__STATUS__SUCCESS, info->body, info->len);
}

static void
on_close(uint64_t conn_id, const struct drpc_caller *caller, void *arg)
{
	(void)arg;
	__atomic_store_n(&closed_conn, conn_id, __ATOMIC_SEQ_CST);
	__atomic_store_n(&closed_pid, caller->pid, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&nr_closed, 1, __ATOMIC_SEQ_CST);
}

static void
refuse(struct drpc_req *req, void *arg)
{
	(void)arg;
	drpc_req_reply(req, DRPC__STATUS__FAILURE, NULL, 0);
}

static void
stop_cb(uv_async_t *a)
{
	struct tsrv *ts = a->data;

	drpc_server_stop(ts->srv);
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
	FILE *f;

	memset(ts, 0, sizeof(*ts));
	ts->dir = test_tmpdir("drpc");
	assert_non_null(ts->dir);
	assert_true(d_asprintf(&ts->path, "%s/test.sock", ts->dir) > 0);
	/* A stale file where the socket goes must not stop the server. */
	f = fopen(ts->path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(uv_loop_init(&ts->loop), 0);
	assert_int_equal(drpc_server_start(&ts->loop, ts->path, 0600, &ts->srv), 0);
	assert_int_equal(drpc_server_register(ts->srv, DRPC_MODULE_MGMT,
					      DRPC_METHOD_MGMT_GET_ATTACH_INFO, echo, NULL),
			 0);
	assert_int_equal(drpc_server_register(ts->srv, DRPC_MODULE_MGMT,
					      DRPC_METHOD_MGMT_GET_ATTACH_INFO, echo, NULL),
			 -DER_EXIST);
	assert_int_equal(drpc_server_register(ts->srv, DRPC_MODULE_SEC_AGENT,
					      DRPC_METHOD_SEC_AGENT_REQUEST_CREDS, refuse, NULL),
			 0);
	drpc_server_set_close_hook(ts->srv, on_close, NULL);
	__atomic_store_n(&nr_closed, 0, __ATOMIC_SEQ_CST);
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
	assert_int_equal(access(ts->path, F_OK), -1);
	rmdir(ts->dir);
	d_free(ts->path);
	d_free(ts->dir);
}

static void
call_response(void **state)
{
	struct drpc_client *c;
	struct tsrv ts;
	struct stat st;
	uint8_t *reply;
	size_t len;
	int status;
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(stat(ts.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(drpc_client_connect(ts.path, &c), 0);
	for (i = 0; i < 100; i++) {
		assert_int_equal(drpc_client_call(c, DRPC_MODULE_MGMT,
						  DRPC_METHOD_MGMT_GET_ATTACH_INFO, "attach", 6,
						  TIMEOUT, &status, &reply, &len),
				 0);
		assert_int_equal(status, DRPC__STATUS__SUCCESS);
		assert_int_equal(len, 6);
		assert_memory_equal(reply, "attach", 6);
		d_free(reply);
	}
	assert_int_equal(seen.uid, getuid());
	assert_int_equal(seen.gid, getgid());
	assert_int_equal(seen.pid, getpid());
	assert_int_equal(drpc_client_call(c, DRPC_MODULE_SEC_AGENT,
					  DRPC_METHOD_SEC_AGENT_REQUEST_CREDS, NULL, 0, TIMEOUT,
					  &status, &reply, &len),
			 0);
	assert_int_equal(status, DRPC__STATUS__FAILURE);
	assert_int_equal(len, 0);
	d_free(reply);
	drpc_client_close(c);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static uint64_t
echo_conn(struct drpc_client *c)
{
	uint8_t *reply;
	size_t len;
	int status;

	assert_int_equal(drpc_client_call(c, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_GET_ATTACH_INFO,
					  "x", 1, TIMEOUT, &status, &reply, &len),
			 0);
	assert_int_equal(status, DRPC__STATUS__SUCCESS);
	d_free(reply);
	return __atomic_load_n(&seen_conn, __ATOMIC_SEQ_CST);
}

/*
 * Each connection has its own id; the close hook names the one a client closed, with
 * its caller; stopping the server calls no hook for the connections it closes.
 */
static void
conn_ids_and_close_hook(void **state)
{
	struct drpc_client *c1;
	struct drpc_client *c2;
	struct tsrv ts;
	uint64_t id1;
	uint64_t id2;
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(drpc_client_connect(ts.path, &c1), 0);
	assert_int_equal(drpc_client_connect(ts.path, &c2), 0);
	id1 = echo_conn(c1);
	id2 = echo_conn(c2);
	assert_true(id1 != 0 && id2 != 0 && id1 != id2);
	assert_int_equal(echo_conn(c1), id1);
	assert_int_equal(__atomic_load_n(&nr_closed, __ATOMIC_SEQ_CST), 0);

	drpc_client_close(c1);
	for (i = 0; i < 1000 && __atomic_load_n(&nr_closed, __ATOMIC_SEQ_CST) == 0; i++)
		usleep(10000);
	assert_int_equal(__atomic_load_n(&nr_closed, __ATOMIC_SEQ_CST), 1);
	assert_int_equal(__atomic_load_n(&closed_conn, __ATOMIC_SEQ_CST), id1);
	assert_int_equal(__atomic_load_n(&closed_pid, __ATOMIC_SEQ_CST), getpid());
	assert_int_equal(echo_conn(c2), id2);

	/* a new connection gets a new id, never a reused one */
	assert_int_equal(drpc_client_connect(ts.path, &c1), 0);
	assert_true(echo_conn(c1) > id2);
	tsrv_stop(&ts);
	assert_int_equal(__atomic_load_n(&nr_closed, __ATOMIC_SEQ_CST), 1);
	drpc_client_close(c1);
	drpc_client_close(c2);
	TEST_ALLOC_CHECK();
}

static void
unknown_module_and_method(void **state)
{
	struct drpc_client *c;
	struct tsrv ts;
	uint8_t *reply;
	size_t len;
	int status;

	(void)state;
	TEST_ALLOC_MARK();
	tsrv_start(&ts);
	assert_int_equal(drpc_client_connect(ts.path, &c), 0);
	assert_int_equal(drpc_client_call(c, 99, 1, NULL, 0, TIMEOUT, &status, &reply, &len), 0);
	assert_int_equal(status, DRPC__STATUS__UNKNOWN_MODULE);
	d_free(reply);
	assert_int_equal(drpc_client_call(c, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_POOL_CREATE, NULL,
					  0, TIMEOUT, &status, &reply, &len),
			 0);
	assert_int_equal(status, DRPC__STATUS__UNKNOWN_METHOD);
	d_free(reply);
	drpc_client_close(c);
	tsrv_stop(&ts);
	TEST_ALLOC_CHECK();
}

static void
big_message(void **state)
{
	size_t big = 1u << 20;
	struct drpc_client *c;
	struct tsrv ts;
	uint8_t *body;
	uint8_t *reply;
	size_t len;
	size_t i;
	int status;

	(void)state;
	TEST_ALLOC_MARK();
	body = d_malloc(big);
	assert_non_null(body);
	for (i = 0; i < big; i++)
		body[i] = (uint8_t)(i ^ (i >> 9));
	tsrv_start(&ts);
	assert_int_equal(drpc_client_connect(ts.path, &c), 0);
	assert_int_equal(drpc_client_call(c, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_GET_ATTACH_INFO,
					  body, big, TIMEOUT, &status, &reply, &len),
			 0);
	assert_int_equal(status, DRPC__STATUS__SUCCESS);
	assert_int_equal(len, big);
	assert_memory_equal(reply, body, big);
	d_free(reply);
	drpc_client_close(c);
	tsrv_stop(&ts);
	d_free(body);
	TEST_ALLOC_CHECK();
}

static int
raw_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
malformed_packets(void **state)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0xff };
	struct drpc_assembler as = { 0 };
	struct drpc_client *c;
	Drpc__Response *resp;
	struct tsrv ts;
	uint8_t *pkt;
	uint8_t *msg;
	uint8_t *reply;
	size_t mlen;
	size_t len;
	ssize_t n;
	int status;
	int fd;

	(void)state;
	TEST_ALLOC_MARK();
	pkt = d_malloc(DRPC_MAX_PACKET);
	assert_non_null(pkt);
	tsrv_start(&ts);
	assert_int_equal(drpc_client_connect(ts.path, &c), 0);

	/* A well-formed chunk holding an undecodable call: FAILED_UNMARSHAL_CALL. */
	fd = raw_connect(ts.path);
	len = drpc_chunk_encode(junk, sizeof(junk), 0, pkt);
	assert_int_equal(send(fd, pkt, len, 0), (ssize_t)len);
	n = recv(fd, pkt, DRPC_MAX_PACKET, 0);
	assert_true(n > 0);
	assert_int_equal(drpc_assembler_feed(&as, pkt, n, &msg, &mlen), 1);
	resp = drpc__response__unpack(&proto_allocator, mlen, msg);
	assert_non_null(resp);
	assert_int_equal(resp->status, DRPC__STATUS__FAILED_UNMARSHAL_CALL);
	drpc__response__free_unpacked(resp, &proto_allocator);
	d_free(msg);

	/* Not a chunk at all: the server hangs up on that connection only. */
	assert_int_equal(send(fd, junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	assert_true(recv(fd, pkt, DRPC_MAX_PACKET, 0) <= 0);
	close(fd);

	/* A chunk out of order. */
	fd = raw_connect(ts.path);
	msg = d_calloc(2, DRPC_MAX_PACKET);
	assert_non_null(msg);
	len = drpc_chunk_encode(msg, DRPC_MAX_PACKET * 2, 1, pkt);
	d_free(msg);
	assert_int_equal(send(fd, pkt, len, 0), (ssize_t)len);
	assert_true(recv(fd, pkt, DRPC_MAX_PACKET, 0) <= 0);
	close(fd);

	assert_int_equal(drpc_client_call(c, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_GET_ATTACH_INFO,
					  "ok", 2, TIMEOUT, &status, &reply, &len),
			 0);
	assert_int_equal(status, DRPC__STATUS__SUCCESS);
	d_free(reply);
	drpc_client_close(c);
	tsrv_stop(&ts);
	d_free(pkt);
	TEST_ALLOC_CHECK();
}

static void
assembler_rules(void **state)
{
	struct drpc_assembler as = { 0 };
	uint8_t *pkt;
	uint8_t *msg;
	size_t mlen;
	size_t len;

	(void)state;
	TEST_ALLOC_MARK();
	pkt = d_malloc(DRPC_MAX_PACKET);
	assert_non_null(pkt);
	/* An empty message is one chunk. */
	len = drpc_chunk_encode(NULL, 0, 0, pkt);
	assert_int_equal(len, DRPC_CHUNK_HDR);
	assert_int_equal(drpc_assembler_feed(&as, pkt, len, &msg, &mlen), 1);
	assert_int_equal(mlen, 0);
	d_free(msg);
	/* A short last chunk whose length disagrees with the header. */
	len = drpc_chunk_encode("abc", 3, 0, pkt);
	assert_int_equal(drpc_assembler_feed(&as, pkt, len - 1, &msg, &mlen), -DER_PROTO);
	/* A header too short. */
	assert_int_equal(drpc_assembler_feed(&as, pkt, 8, &msg, &mlen), -DER_PROTO);
	/* Too many chunks claimed. */
	pkt[8] = 0xff;
	assert_int_equal(drpc_assembler_feed(&as, pkt, len, &msg, &mlen), -DER_PROTO);
	drpc_assembler_fini(&as);
	d_free(pkt);
	TEST_ALLOC_CHECK();
}

static void
connect_missing(void **state)
{
	struct drpc_client *c = NULL;

	(void)state;
	assert_int_equal(drpc_client_connect("/nonexistent/x.sock", &c), -DER_NONEXIST);
	assert_null(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(call_response),
		cmocka_unit_test(unknown_module_and_method),
		cmocka_unit_test(big_message),
		cmocka_unit_test(malformed_packets),
		cmocka_unit_test(assembler_rules),
		cmocka_unit_test(connect_missing),
		cmocka_unit_test(conn_ids_and_close_hook),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
