/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_tests.c - the daos_engine process (path in $DAOS_ENGINE) against a stand-in for
 * daos_server: a dRPC server in this process at <dir>/daos_server.sock. The engine
 * starts with two targets, tells us it is ready, takes a rank (and prints DAOS's
 * start-up line), a group map, pings, refuses what is wrong, and stops on SIGTERM,
 * removing its socket. Bad flags, environment and a missing daos_server each give a
 * message and a failed exit.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bio/bio.h"
#include "common/test.h"
#include "mgmt.pb-c.h"
#include "proto/proto.h"

struct fake_server {
	char dir[256];
	uv_loop_t loop;
	uv_async_t stop;
	struct drpc_server *drpc;
	pthread_t thread;
	/* what the engine told us */
	atomic_int notified;
	char uri[128];
	char sock[512];
	uint32_t nr_targets;
	uint32_t nr_contexts;
	uint32_t pid;
	uint64_t incarnation;
};

static struct fake_server fs;

static void
on_notify(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	struct fake_server *s = arg;
	Mgmt__NotifyReadyReq *in;
	Mgmt__DaosResp resp = MGMT__DAOS_RESP__INIT;
	uint8_t buf[64];

	in = mgmt__notify_ready_req__unpack(&proto_allocator, ri->len, ri->body);
	assert_non_null(in);
	snprintf(s->uri, sizeof(s->uri), "%s", in->uri);
	snprintf(s->sock, sizeof(s->sock), "%s", in->drpc_listener_sock);
	s->nr_targets = in->nr_targets;
	s->nr_contexts = in->nr_contexts;
	s->pid = in->pid;
	s->incarnation = in->incarnation;
	mgmt__notify_ready_req__free_unpacked(in, &proto_allocator);
	drpc_req_reply(req, DRPC__STATUS__SUCCESS, buf, mgmt__daos_resp__pack(&resp, buf));
	atomic_store(&s->notified, 1);
}

static void
on_stop(uv_async_t *a)
{
	struct fake_server *s = a->data;

	drpc_server_stop(s->drpc);
	uv_close((uv_handle_t *)a, NULL);
}

static void *
server_main(void *arg)
{
	struct fake_server *s = arg;

	uv_run(&s->loop, UV_RUN_DEFAULT);
	return NULL;
}

static void
server_start(void)
{
	char *dir = test_tmpdir("engine");
	char path[300];

	assert_non_null(dir);
	memset(&fs, 0, sizeof(fs));
	snprintf(fs.dir, sizeof(fs.dir), "%s", dir);
	d_free(dir);
	assert_int_equal(uv_loop_init(&fs.loop), 0);
	assert_int_equal(uv_async_init(&fs.loop, &fs.stop, on_stop), 0);
	fs.stop.data = &fs;
	snprintf(path, sizeof(path), "%s/daos_server.sock", fs.dir);
	assert_int_equal(drpc_server_start(&fs.loop, path, 0600, &fs.drpc), 0);
	assert_int_equal(drpc_server_register(fs.drpc, DRPC_MODULE_SRV,
					      DRPC_METHOD_SRV_NOTIFY_READY, on_notify, &fs),
			 0);
	assert_int_equal(pthread_create(&fs.thread, NULL, server_main, &fs), 0);
}

static void
server_stop(void)
{
	char cmd[300];

	uv_async_send(&fs.stop);
	pthread_join(fs.thread, NULL);
	assert_int_equal(uv_loop_close(&fs.loop), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fs.dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * Run daos_engine with @argv (NULL-terminated, argv[0] excluded) and extra environment
 * @env ("K=V" or NULL); stdout and stderr go to <dir>/out.
 */
static pid_t
engine_spawn(const char *const *args, const char *const *env)
{
	const char *bin = getenv("DAOS_ENGINE");
	char out[300];
	pid_t pid;

	assert_non_null(bin);
	snprintf(out, sizeof(out), "%s/out", fs.dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[32] = { bin };
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int i;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		for (i = 0; args[i] != NULL && i < 30; i++)
			argv[i + 1] = args[i];
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static char *
engine_output(void)
{
	static char buf[8192];
	char path[300];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/out", fs.dir);
	f = fopen(path, "r");
	if (f == NULL)
		return (char *)"";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Call @method on the engine; the DaosResp status (or a negative transport error). */
static int
engine_call(int32_t method, const void *body, size_t len, int *drpc_status, char *msg,
	    size_t msg_len)
{
	struct drpc_client *c;
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	int st = 0;
	int rc;

	rc = drpc_client_connect(fs.sock, &c);
	if (rc != 0)
		return rc;
	rc = drpc_client_call(c, DRPC_MODULE_MGMT, method, body, len, 5000, &st, &reply,
			      &reply_len);
	drpc_client_close(c);
	if (drpc_status != NULL)
		*drpc_status = st;
	if (rc == 0 && st == DRPC__STATUS__SUCCESS) {
		Mgmt__DaosResp *r = mgmt__daos_resp__unpack(&proto_allocator, reply_len, reply);

		assert_non_null(r);
		rc = r->status;
		if (msg != NULL)
			snprintf(msg, msg_len, "%s", r->message);
		mgmt__daos_resp__free_unpacked(r, &proto_allocator);
	}
	d_free(reply);
	return rc;
}

static int
set_rank(uint32_t rank, char *msg, size_t msg_len)
{
	Mgmt__SetRankReq req = MGMT__SET_RANK_REQ__INIT;
	uint8_t buf[32];

	req.rank = rank;
	req.map_version = 1;
	return engine_call(DRPC_METHOD_MGMT_SET_RANK, buf, mgmt__set_rank_req__pack(&req, buf),
			   NULL, msg, msg_len);
}

static int
group_update(uint32_t version, uint32_t rank, const char *uri)
{
	Mgmt__GroupUpdateReq req = MGMT__GROUP_UPDATE_REQ__INIT;
	Mgmt__RankUri ru = MGMT__RANK_URI__INIT;
	Mgmt__RankUri *rus[1] = { &ru };
	uint8_t buf[512];

	ru.rank = rank;
	ru.uri = (char *)uri;
	req.map_version = version;
	req.engines = rus;
	req.n_engines = 1;
	return engine_call(DRPC_METHOD_MGMT_GROUP_UPDATE, buf,
			   mgmt__group_update_req__pack(&req, buf), NULL, NULL, 0);
}

static void
lifecycle(void **state)
{
	char port_env[32];
	char dir_arg[300];
	const char *args[] = { "-t", "2", "-x", "0", "-f", "0", "-I", "0", "-d", dir_arg, NULL };
	const char *env[] = { "D_PROVIDER=ofi+tcp", "D_INTERFACE=lo", port_env, NULL };
	char expect[256];
	char msg[256];
	int drpc_status;
	pid_t pid;
	int i;

	(void)state;
	server_start();
	snprintf(dir_arg, sizeof(dir_arg), "%s", fs.dir);
	snprintf(port_env, sizeof(port_env), "D_PORT=%d", test_free_ports(4));
	pid = engine_spawn(args, env);
	for (i = 0; i < 1000 && !atomic_load(&fs.notified); i++)
		usleep(10000);
	if (!atomic_load(&fs.notified))
		fail_msg("no NotifyReady; engine said: %s", engine_output());
	assert_int_equal(fs.pid, pid);
	assert_int_equal(fs.nr_targets, 2);
	assert_int_equal(fs.nr_contexts, 3);
	assert_true(fs.incarnation > 0);
	assert_non_null(strstr(fs.uri, "ofi+tcp://127.0.0.1:"));
	assert_non_null(strstr(fs.sock, "daos_engine_"));

	/* A rank: the start-up line, then the same rank again is fine, another is not */
	assert_int_equal(engine_call(DRPC_METHOD_MGMT_SET_UP, NULL, 0, NULL, msg, sizeof(msg)),
			 -DER_UNINIT);
	assert_int_equal(set_rank(5, msg, sizeof(msg)), 0);
	snprintf(expect, sizeof(expect),
		 "DAOS I/O Engine (v%s) process %d started on rank 5 with 2 target, 0 helper XS, "
		 "firstcore 0, host ",
		 DAOS_VERSION, (int)pid);
	assert_non_null(strstr(engine_output(), expect));
	assert_int_equal(set_rank(5, msg, sizeof(msg)), 0);
	assert_int_equal(set_rank(6, msg, sizeof(msg)), -DER_INVAL);
	assert_non_null(strstr(msg, "rank 5 already"));
	assert_int_equal(engine_call(DRPC_METHOD_MGMT_SET_UP, NULL, 0, NULL, msg, sizeof(msg)), 0);

	/* Group maps: newer versions only (a repeat of the same one is fine) */
	assert_int_equal(group_update(2, 5, fs.uri), 0);
	assert_int_equal(group_update(2, 5, fs.uri), 0);
	assert_int_equal(group_update(1, 5, fs.uri), -DER_STALE);
	assert_int_equal(group_update(3, 5, "not a uri"), -DER_INVAL);
	assert_int_equal(group_update(3, 5, fs.uri), 0);

	/* Ping, a body that does not decode, a method nobody serves */
	assert_int_equal(engine_call(DRPC_METHOD_MGMT_PING_RANK, NULL, 0, NULL, NULL, 0), 0);
	engine_call(DRPC_METHOD_MGMT_SET_RANK, "\xff\xff\xff", 3, &drpc_status, NULL, 0);
	assert_int_equal(drpc_status, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD);
	engine_call(DRPC_METHOD_MGMT_LED_MANAGE, NULL, 0, &drpc_status, NULL, 0);
	assert_int_not_equal(drpc_status, DRPC__STATUS__SUCCESS);

	/* Stop: clean exit, socket gone */
	assert_int_equal(engine_call(DRPC_METHOD_MGMT_PREP_SHUTDOWN, NULL, 0, NULL, NULL, 0), 0);
	kill(pid, SIGTERM);
	assert_int_equal(test_wait_exit(pid, 10000), 0);
	assert_int_equal(access(fs.sock, F_OK), -1);
	server_stop();
}

/* --- pools --- */

/* A formatted device file and a bdev description naming it, as daos_server makes them. */
static void
make_storage(char *conf_path, size_t len)
{
	struct bio_conf conf = { NULL, 0 };
	struct bio_conf_tier tier = { .tier = 1, .class = BIO_CONF_FILE, .roles = BIO_ROLE_ALL };
	struct bio_dev *dev;
	char dev_path[300];
	char *text;
	FILE *f;

	snprintf(dev_path, sizeof(dev_path), "%s/bdev0", fs.dir);
	assert_int_equal(bio_dev_open(dev_path, 512ULL << 20, BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_dev_format(dev), 0);
	bio_dev_close(dev);
	tier.size = 512ULL << 20;
	assert_int_equal(bio_conf_tier_add_dev(&tier, dev_path), 0);
	conf.tiers = &tier;
	conf.nr_tiers = 1;
	assert_int_equal(bio_conf_encode(&conf, &text), 0);
	snprintf(conf_path, len, "%s/daos_nvme.conf", fs.dir);
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	d_free(text);
	d_free(tier.devices[0]);
	d_free(tier.devices);
}

static int
pool_create(const char *uuid, uint64_t scm, uint64_t nvme, char *msg, size_t len)
{
	Mgmt__EnginePoolCreateReq req = MGMT__ENGINE_POOL_CREATE_REQ__INIT;
	uint8_t buf[256];

	req.uuid = (char *)uuid;
	req.scm_bytes = scm;
	req.nvme_bytes = nvme;
	return engine_call(DRPC_METHOD_MGMT_POOL_CREATE, buf,
			   mgmt__engine_pool_create_req__pack(&req, buf), NULL, msg, len);
}

static int
pool_by_id(int32_t method, const char *uuid, Mgmt__PoolResp **out)
{
	Mgmt__PoolIdReq req = MGMT__POOL_ID_REQ__INIT;
	struct drpc_client *c;
	uint8_t buf[128];
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	size_t len;
	int st = 0;
	int rc;

	req.id = (char *)uuid;
	len = mgmt__pool_id_req__pack(&req, buf);
	if (method != DRPC_METHOD_MGMT_POOL_QUERY)
		return engine_call(method, buf, len, NULL, NULL, 0);
	rc = drpc_client_connect(fs.sock, &c);
	assert_int_equal(rc, 0);
	rc = drpc_client_call(c, DRPC_MODULE_MGMT, method, buf, len, 10000, &st, &reply,
			      &reply_len);
	drpc_client_close(c);
	assert_int_equal(rc, 0);
	assert_int_equal(st, DRPC__STATUS__SUCCESS);
	*out = mgmt__pool_resp__unpack(&proto_allocator, reply_len, reply);
	d_free(reply);
	assert_non_null(*out);
	return (*out)->status;
}

static pid_t
engine_start_ready(const char *const *args, const char *const *env)
{
	pid_t pid;
	int i;

	atomic_store(&fs.notified, 0);
	pid = engine_spawn(args, env);
	for (i = 0; i < 1000 && !atomic_load(&fs.notified); i++)
		usleep(10000);
	if (!atomic_load(&fs.notified))
		fail_msg("no NotifyReady; engine said: %s", engine_output());
	return pid;
}

static void
pools(void **state)
{
	const char *uuid = "8c9a4c8e-6a57-4d2f-9e36-4a3a0b8f1c11";
	char port_env[32];
	char dir_arg[300];
	char conf[300];
	const char *args[] = { "-t", "2", "-d", dir_arg, "-n", conf, NULL };
	const char *env[] = { "D_INTERFACE=lo", port_env, NULL };
	Mgmt__PoolResp *q;
	char msg[256];
	pid_t pid;

	(void)state;
	server_start();
	snprintf(dir_arg, sizeof(dir_arg), "%s", fs.dir);
	snprintf(port_env, sizeof(port_env), "D_PORT=%d", test_free_ports(4));
	make_storage(conf, sizeof(conf));
	pid = engine_start_ready(args, env);
	/* The pool service needs a rank (its own: the pool names no other). */
	assert_int_equal(set_rank(0, msg, sizeof(msg)), 0);

	/* Bad requests (sizes are per rank: 2 targets share them) */
	assert_int_equal(pool_create("not-a-uuid", 64 << 20, 128 << 20, msg, sizeof(msg)),
			 -DER_INVAL);
	assert_int_equal(pool_create(uuid, 2 << 20, 128 << 20, msg, sizeof(msg)), -DER_INVAL);
	assert_non_null(strstr(msg, "16 MiB"));
	/* More than the device holds: refused, and nothing is left behind */
	assert_int_not_equal(pool_create(uuid, 64 << 20, 2ULL << 30, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "not created"));
	assert_int_equal(pool_by_id(DRPC_METHOD_MGMT_POOL_QUERY, uuid, &q), -DER_NONEXIST);
	mgmt__pool_resp__free_unpacked(q, &proto_allocator);

	/* Create, again (exists), query */
	assert_int_equal(pool_create(uuid, 64 << 20, 128 << 20, msg, sizeof(msg)), 0);
	assert_int_equal(pool_create(uuid, 64 << 20, 128 << 20, msg, sizeof(msg)), -DER_EXIST);
	assert_int_equal(pool_by_id(DRPC_METHOD_MGMT_POOL_QUERY, uuid, &q), 0);
	assert_int_equal(q->info->total_targets, 2);
	assert_int_equal(q->info->n_tier_stats, 2);
	assert_int_equal(q->info->tier_stats[0]->total, 2 * (32 << 20));
	assert_true(q->info->tier_stats[0]->free > 0);
	assert_true(q->info->tier_stats[1]->total >= 2 * (64 << 20));
	assert_true(q->info->tier_stats[1]->free > 0);
	assert_true(q->info->tier_stats[1]->min <= q->info->tier_stats[1]->max);
	mgmt__pool_resp__free_unpacked(q, &proto_allocator);

	/* Restart: the shards are found and opened again */
	kill(pid, SIGTERM);
	assert_int_equal(test_wait_exit(pid, 10000), 0);
	pid = engine_start_ready(args, env);
	assert_int_equal(set_rank(0, msg, sizeof(msg)), 0);
	assert_int_equal(pool_by_id(DRPC_METHOD_MGMT_POOL_QUERY, uuid, &q), 0);
	assert_true(q->info->tier_stats[1]->total >= 2 * (64 << 20));
	mgmt__pool_resp__free_unpacked(q, &proto_allocator);

	/* Destroy: gone, and a second destroy says so */
	assert_int_equal(pool_by_id(DRPC_METHOD_MGMT_POOL_DESTROY, uuid, NULL), 0);
	assert_int_equal(pool_by_id(DRPC_METHOD_MGMT_POOL_QUERY, uuid, &q), -DER_NONEXIST);
	mgmt__pool_resp__free_unpacked(q, &proto_allocator);
	assert_int_equal(pool_by_id(DRPC_METHOD_MGMT_POOL_DESTROY, uuid, NULL), -DER_NONEXIST);
	/* The space is back: the same pool fits again */
	assert_int_equal(pool_create(uuid, 64 << 20, 128 << 20, msg, sizeof(msg)), 0);

	kill(pid, SIGTERM);
	assert_int_equal(test_wait_exit(pid, 10000), 0);
	server_stop();
}

/* Each bad start gives a message naming the problem and a failed exit. */
static void
bad_starts(void **state)
{
	char dir_arg[300];
	char nodir[320];
	const char *bad_t[] = { "-t", "x", NULL };
	const char *zero_t[] = { "-t", "0", NULL };
	const char *unknown[] = { "--frobnicate", NULL };
	const char *ok[] = { "-t", "1", "-d", dir_arg, NULL };
	const char *no_server[] = { "-t", "1", "-d", nodir, NULL };
	const char *env_if[] = { "D_INTERFACE=nosuchif0", NULL };
	const char *env_prov[] = { "D_PROVIDER=ofi+nonesuch", NULL };
	const char *env_port[] = { "D_INTERFACE=lo", "D_PORT=70000", NULL };
	const struct {
		const char *const *args;
		const char *const *env;
		const char *msg;
	} cases[] = {
		{ bad_t, NULL, "-t: expected an integer" },
		{ zero_t, NULL, "at least 1 target" },
		{ unknown, NULL, "unknown option --frobnicate" },
		{ ok, env_if, "D_INTERFACE=nosuchif0" },
		{ ok, env_prov, "D_PROVIDER=ofi+nonesuch" },
		{ ok, env_port, "D_PORT: expected an integer" },
	};
	unsigned int i;

	(void)state;
	server_start();
	snprintf(dir_arg, sizeof(dir_arg), "%s", fs.dir);
	snprintf(nodir, sizeof(nodir), "%s/noserver", fs.dir);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pid_t pid = engine_spawn(cases[i].args, cases[i].env);
		int rc = test_wait_exit(pid, 10000);

		if (rc <= 0 || strstr(engine_output(), cases[i].msg) == NULL)
			fail_msg("case %u: exit %d, output: %s", i, rc, engine_output());
	}
	/* No daos_server socket: the message names it */
	{
		char port_env[32];
		const char *env[] = { port_env, "D_INTERFACE=lo", NULL };
		pid_t pid;

		snprintf(port_env, sizeof(port_env), "D_PORT=%d", test_free_ports(4));
		assert_int_equal(mkdir(nodir, 0700), 0);
		pid = engine_spawn(no_server, env);
		assert_int_equal(test_wait_exit(pid, 10000), 1);
		assert_non_null(strstr(engine_output(), "noserver/daos_server.sock"));
	}
	server_stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lifecycle),
		cmocka_unit_test(pools),
		cmocka_unit_test(bad_starts),
	};

	signal(SIGPIPE, SIG_IGN);
	d_log_init();
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
