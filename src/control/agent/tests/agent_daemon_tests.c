/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_daemon_tests.c - the real daos_agent binary ($DAOS_AGENT_BIN) against a fake
 * MS that runs in this process (a ctl_server on a libuv loop in a thread, plain TCP on
 * 127.0.0.1, answering GetAttachInfo and PoolFind with canned data, recording PoolEvicts
 * and counting calls). Each test writes a daos_agent.yml into a temporary directory,
 * starts the agent, talks dRPC to its socket and stops it with SIGTERM, checking that the
 * socket is gone.
 *
 * Covers: attach info content (the lo hint for engines on 127.0.0.1, the usual choice
 * otherwise), the cache (a second call does not reach the MS, another system name does,
 * DAOS_AGENT_DISABLE_CACHE=true makes every call reach it), PoolFind (found by label and
 * uuid, refusals passed on, never cached), pool handle tracking (the handles left by a
 * closed connection evicted per pool, NotifyExit, the agent stopping, disable_auto_evict),
 * insecure and signed credentials (keys from utils/certs/gen_certificates.sh, checked
 * against agent.crt), an MS that is down (the status names the access point), a bad
 * config and an uncreatable runtime_dir (non-zero exit, message naming the problem), and
 * systemd's READY=1 on $NOTIFY_SOCKET.
 */
#define D_LOGFAC DD_FAC(tests)

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"
#include "control/agent/agent_int.h"
#include "mgmt.pb-c.h"

#define TIMEOUT_MS 20000

/* ---- the fake MS ---- */

#define FAKE_POOL_UUID "11111111-2222-3333-4444-555555555555"
#define FAKE_EVICTS_MAX 8

/* A PoolEvict the fake MS received. */
struct fake_evict {
	char id[64];
	char machine[256];
	char handles[512]; /* comma separated */
	unsigned int nr_handles;
};

struct fake_ms {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	struct ctl_server *srv;
	uint16_t port;
	const char *uri_host; /* host of the rank URIs; 127.0.0.1 by default */
	int calls;            /* GetAttachInfo calls, atomic */
	int finds;            /* PoolFind calls, atomic */
	pthread_mutex_t lock; /* protects evicts and nr_evicts */
	struct fake_evict evicts[FAKE_EVICTS_MAX];
	unsigned int nr_evicts;
};

/* PoolFind: "tank" (or its uuid) is Ready, "gone" is being destroyed, nothing else exists. */
static void
fake_pool_find(struct ctl_req *req, struct fake_ms *ms)
{
	const struct ctl_req_info *info = ctl_req_info(req);
	Mgmt__PoolFindResp resp = MGMT__POOL_FIND_RESP__INIT;
	uint32_t svc[] = { 0, 2 };
	Mgmt__PoolFindReq *in;
	uint8_t buf[512];
	size_t len;

	__atomic_add_fetch(&ms->finds, 1, __ATOMIC_SEQ_CST);
	in = mgmt__pool_find_req__unpack(&proto_allocator, info->len, info->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "bad body", NULL, NULL, 0);
		return;
	}
	if (strcmp(in->system, "daos_server") != 0) {
		resp.status = -DER_INVAL;
		resp.message = "wrong system";
	} else if (strcmp(in->id, "tank") == 0 || strcmp(in->id, FAKE_POOL_UUID) == 0) {
		resp.uuid = FAKE_POOL_UUID;
		resp.label = "tank";
		resp.svc_ranks = svc;
		resp.n_svc_ranks = 2;
	} else if (strcmp(in->id, "gone") == 0) {
		resp.status = -DER_NONEXIST;
		resp.message = "pool gone is not ready to be used: its state is Destroying";
	} else {
		resp.status = -DER_NONEXIST;
		resp.message = "no such pool";
	}
	len = mgmt__pool_find_resp__pack(&resp, buf);
	ctl_req_reply(req, resp.status, resp.status != 0 ? resp.message : NULL, NULL, buf, len);
	mgmt__pool_find_req__free_unpacked(in, &proto_allocator);
}

static void
fake_pool_evict(struct ctl_req *req, struct fake_ms *ms)
{
	const struct ctl_req_info *info = ctl_req_info(req);
	Mgmt__PoolIdReq *in;
	struct fake_evict *ev;
	size_t i;

	in = mgmt__pool_id_req__unpack(&proto_allocator, info->len, info->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "bad body", NULL, NULL, 0);
		return;
	}
	pthread_mutex_lock(&ms->lock);
	if (ms->nr_evicts < FAKE_EVICTS_MAX) {
		ev = &ms->evicts[ms->nr_evicts++];
		snprintf(ev->id, sizeof(ev->id), "%s", in->id);
		snprintf(ev->machine, sizeof(ev->machine), "%s", in->machine);
		ev->nr_handles = (unsigned int)in->n_handles;
		for (i = 0; i < in->n_handles; i++)
			snprintf(ev->handles + strlen(ev->handles),
				 sizeof(ev->handles) - strlen(ev->handles), "%s%s",
				 i > 0 ? "," : "", in->handles[i]);
	}
	pthread_mutex_unlock(&ms->lock);
	mgmt__pool_id_req__free_unpacked(in, &proto_allocator);
	ctl_req_reply(req, 0, NULL, NULL, NULL, 0);
}

static void
fake_handler(struct ctl_req *req, void *arg)
{
	const struct ctl_req_info *info = ctl_req_info(req);
	struct fake_ms *ms = arg;
	Mgmt__GetAttachInfoReq *in;
	char uri0[64];
	char uri1[64];
	Mgmt__GetAttachInfoResp resp = MGMT__GET_ATTACH_INFO_RESP__INIT;
	Mgmt__ClientNetHint hint = MGMT__CLIENT_NET_HINT__INIT;
	Mgmt__RankUri r0 = MGMT__RANK_URI__INIT;
	Mgmt__RankUri r1 = MGMT__RANK_URI__INIT;
	Mgmt__RankUri *rus[] = { &r0, &r1 };
	uint32_t ms_ranks[] = { 0 };
	uint8_t buf[1024];
	size_t len;

	if (info->method == CTL_POOL_FIND) {
		fake_pool_find(req, ms);
		return;
	}
	if (info->method == CTL_POOL_EVICT) {
		fake_pool_evict(req, ms);
		return;
	}
	if (info->method != CTL_GET_ATTACH_INFO) {
		ctl_req_reply(req, -DER_NOSYS, "fake MS", NULL, NULL, 0);
		return;
	}
	__atomic_add_fetch(&ms->calls, 1, __ATOMIC_SEQ_CST);
	in = mgmt__get_attach_info_req__unpack(&proto_allocator, info->len, info->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "bad body", NULL, NULL, 0);
		return;
	}
	snprintf(uri0, sizeof(uri0), "ofi+tcp://%s:31416", ms->uri_host);
	snprintf(uri1, sizeof(uri1), "ofi+tcp://%s:31516", ms->uri_host);
	r0.rank = 0;
	r0.uri = uri0;
	r1.rank = 1;
	r1.uri = uri1;
	hint.provider = "ofi+tcp";
	hint.interface = "srv_iface";
	hint.crt_timeout = 30;
	hint.net_dev_class = "ether";
	resp.rank_uris = rus;
	resp.n_rank_uris = 2;
	resp.ms_ranks = ms_ranks;
	resp.n_ms_ranks = 1;
	resp.client_net_hint = &hint;
	resp.map_version = 5;
	resp.system = in->system;
	len = mgmt__get_attach_info_resp__pack(&resp, buf);
	mgmt__get_attach_info_req__free_unpacked(in, &proto_allocator);
	ctl_req_reply(req, 0, NULL, NULL, buf, len);
}

static void
fake_stop_cb(uv_async_t *a)
{
	struct fake_ms *ms = a->data;

	ctl_server_stop(ms->srv);
	uv_close((uv_handle_t *)a, NULL);
}

static void *
fake_thread(void *arg)
{
	struct fake_ms *ms = arg;

	uv_run(&ms->loop, UV_RUN_DEFAULT);
	return NULL;
}

static void
fake_start(struct fake_ms *ms)
{
	memset(ms, 0, sizeof(*ms));
	ms->uri_host = "127.0.0.1";
	pthread_mutex_init(&ms->lock, NULL);
	assert_int_equal(uv_loop_init(&ms->loop), 0);
	assert_int_equal(ctl_server_start(&ms->loop, "127.0.0.1", 0, NULL, DAOS_VERSION,
					  fake_handler, ms, &ms->srv),
			 0);
	ms->port = ctl_server_port(ms->srv);
	uv_async_init(&ms->loop, &ms->stop, fake_stop_cb);
	ms->stop.data = ms;
	assert_int_equal(pthread_create(&ms->thread, NULL, fake_thread, ms), 0);
}

static void
fake_stop(struct fake_ms *ms)
{
	uv_async_send(&ms->stop);
	pthread_join(ms->thread, NULL);
	assert_int_equal(uv_loop_close(&ms->loop), 0);
	pthread_mutex_destroy(&ms->lock);
}

/* The evictions the fake MS received so far. */
static unsigned int
fake_nr_evicts(struct fake_ms *ms)
{
	unsigned int have;

	pthread_mutex_lock(&ms->lock);
	have = ms->nr_evicts;
	pthread_mutex_unlock(&ms->lock);
	return have;
}

/* Wait until the fake MS received @nr evictions (or the timeout); returns how many it has. */
static unsigned int
fake_wait_evicts(struct fake_ms *ms, unsigned int nr)
{
	unsigned int have = 0;
	int i;

	for (i = 0; i < TIMEOUT_MS / 10; i++) {
		pthread_mutex_lock(&ms->lock);
		have = ms->nr_evicts;
		pthread_mutex_unlock(&ms->lock);
		if (have >= nr)
			break;
		usleep(10000);
	}
	return have;
}

static int
fake_calls(struct fake_ms *ms)
{
	return __atomic_load_n(&ms->calls, __ATOMIC_SEQ_CST);
}

/* ---- the agent process ---- */

struct agent_proc {
	char *dir;  /* temporary directory */
	char *cfg;  /* dir/daos_agent.yml */
	char *out;  /* dir/agent.out: its stdout and stderr */
	char *sock; /* dir/run/daos_agent.sock */
	pid_t pid;
};

static void
proc_init(struct agent_proc *p, const char *tag)
{
	memset(p, 0, sizeof(*p));
	p->dir = test_tmpdir(tag);
	assert_non_null(p->dir);
	assert_true(d_asprintf(&p->cfg, "%s/daos_agent.yml", p->dir) > 0);
	assert_true(d_asprintf(&p->out, "%s/agent.out", p->dir) > 0);
	assert_true(d_asprintf(&p->sock, "%s/run/daos_agent.sock", p->dir) > 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The common part of a config: runtime_dir in the temp dir, one access point. */
static void
write_cfg(struct agent_proc *p, int port, const char *extra)
{
	char *text = NULL;

	assert_true(d_asprintf(&text,
			       "name: daos_server\n"
			       "access_points: ['127.0.0.1:%d']\n"
			       "runtime_dir: %s/run\n"
			       "log_file: %s/agent.log\n"
			       "control_log_mask: DEBUG\n"
			       "%s",
			       port, p->dir, p->dir, extra) > 0);
	write_file(p->cfg, text);
	d_free(text);
}

/* Start the agent with @env ("K=V" or NULL); returns at once. */
static void
proc_spawn(struct agent_proc *p, const char *env)
{
	const char *bin = getenv("DAOS_AGENT_BIN");
	int fd;

	assert_non_null(bin);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		/* A failed assertion ends the test without proc_stop(): take the agent too. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(p->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		unsetenv("DAOS_AGENT_DISABLE_CACHE");
		if (env != NULL)
			putenv((char *)env);
		execl(bin, bin, "start", "-o", p->cfg, (char *)NULL);
		_exit(127);
	}
}

/* Wait for the socket; fails the test if the agent exits first. */
static void
proc_wait_ready(struct agent_proc *p)
{
	struct stat st;
	int status;
	int i;

	for (i = 0; i < 1000; i++) {
		if (stat(p->sock, &st) == 0)
			return;
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			fprintf(stderr, "daos_agent exited early; see %s\n", p->out);
			fail();
		}
		usleep(10000);
	}
	fail_msg("daos_agent did not create %s", p->sock);
}

/* Wait for exit; returns the exit status (-1 if killed by a signal). */
static int
proc_wait(struct agent_proc *p)
{
	int status;
	int i;

	for (i = 0; i < 1000; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		usleep(10000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
	p->pid = 0;
	fail_msg("daos_agent did not exit");
	return -1;
}

/* SIGTERM: a clean exit that removes the socket. */
static void
proc_stop(struct agent_proc *p)
{
	struct stat st;

	assert_int_equal(kill(p->pid, SIGTERM), 0);
	assert_int_equal(proc_wait(p), 0);
	assert_int_not_equal(stat(p->sock, &st), 0);
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = d_calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
proc_fini(struct agent_proc *p)
{
	char *cmd = NULL;

	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	assert_true(d_asprintf(&cmd, "rm -rf '%s'", p->dir) > 0);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", p->dir);
	d_free(cmd);
	d_free(p->dir);
	d_free(p->cfg);
	d_free(p->out);
	d_free(p->sock);
}

/* ---- dRPC calls ---- */

static int
call(struct agent_proc *p, int32_t module, int32_t method, const void *body, size_t len,
     uint8_t **reply, size_t *reply_len)
{
	struct drpc_client *c;
	int status = -1;

	assert_int_equal(drpc_client_connect(p->sock, &c), 0);
	assert_int_equal(drpc_client_call(c, module, method, body, len, TIMEOUT_MS, &status, reply,
					  reply_len),
			 0);
	drpc_client_close(c);
	return status;
}

static Mgmt__GetAttachInfoResp *
attach_info_iface(struct agent_proc *p, const char *system, const char *iface)
{
	Mgmt__GetAttachInfoReq req = MGMT__GET_ATTACH_INFO_REQ__INIT;
	Mgmt__GetAttachInfoResp *resp;
	uint8_t buf[256];
	uint8_t *reply = NULL;
	size_t len;
	size_t reply_len = 0;

	if (system != NULL)
		req.system = (char *)system;
	if (iface != NULL)
		req.interface = (char *)iface;
	len = mgmt__get_attach_info_req__pack(&req, buf);
	assert_int_equal(call(p, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_GET_ATTACH_INFO, buf, len,
			      &reply, &reply_len),
			 DRPC__STATUS__SUCCESS);
	resp = mgmt__get_attach_info_resp__unpack(&proto_allocator, reply_len, reply);
	assert_non_null(resp);
	d_free(reply);
	return resp;
}

static Mgmt__GetAttachInfoResp *
attach_info(struct agent_proc *p, const char *system)
{
	return attach_info_iface(p, system, NULL);
}

static struct sec_cred *
request_creds(struct agent_proc *p)
{
	struct sec_cred *cred;
	uint8_t *reply = NULL;
	size_t reply_len = 0;

	assert_int_equal(call(p, DRPC_MODULE_SEC_AGENT, DRPC_METHOD_SEC_AGENT_REQUEST_CREDS, NULL,
			      0, &reply, &reply_len),
			 DRPC__STATUS__SUCCESS);
	assert_int_equal(sec_cred_decode(reply, reply_len, &cred), 0);
	d_free(reply);
	return cred;
}

/* The token names this process's user and group. */
static void
check_identity(const struct sec_auth_sys *sys)
{
	struct passwd *pw = getpwuid(getuid());
	struct group *gr = getgrgid(getgid());
	char want[300];

	assert_non_null(pw);
	snprintf(want, sizeof(want), "%s@", pw->pw_name);
	assert_string_equal(sys->user, want);
	if (gr != NULL) {
		snprintf(want, sizeof(want), "%s@", gr->gr_name);
		assert_string_equal(sys->group, want);
	}
}

static Mgmt__PoolFindResp *pool_find(struct agent_proc *p, const char *id, const char *system);

/* ---- tests ---- */

static void
attach_info_and_cache(void **state)
{
	struct agent_ifaces set;
	struct fake_ms ms;
	struct agent_proc p;
	Mgmt__GetAttachInfoResp *resp;

	(void)state;
	fake_start(&ms);
	proc_init(&p, "agent_attach");
	write_cfg(&p, ms.port, "transport_config:\n  allow_insecure: true\n");
	proc_spawn(&p, NULL);
	proc_wait_ready(&p);

	resp = attach_info(&p, NULL);
	assert_int_equal(resp->status, 0);
	assert_string_equal(resp->system, "daos_server");
	assert_int_equal(resp->n_rank_uris, 2);
	assert_string_equal(resp->rank_uris[1]->uri, "ofi+tcp://127.0.0.1:31516");
	assert_int_equal(resp->n_ms_ranks, 1);
	assert_int_equal(resp->map_version, 5);
	assert_non_null(resp->client_net_hint);
	assert_string_equal(resp->client_net_hint->provider, "ofi+tcp");
	assert_int_equal(resp->client_net_hint->crt_timeout, 30);
	/* the agent's own interface, not the server's: engines on 127.0.0.1 mean lo */
	assert_string_equal(resp->client_net_hint->interface, "lo");
	assert_string_equal(resp->client_net_hint->domain, "lo");
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(fake_calls(&ms), 1);
	/* a client that names its interface gets that one all the same */
	assert_int_equal(agent_ifaces_detect("ofi+tcp", NULL, NULL, &set), 0);
	assert_true(set.nr > 0);
	resp = attach_info_iface(&p, NULL, set.ifs[0].name);
	assert_int_equal(resp->status, 0);
	assert_string_equal(resp->client_net_hint->interface, set.ifs[0].name);
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	agent_ifaces_fini(&set);
	assert_int_equal(fake_calls(&ms), 1);

	/* from the cache */
	resp = attach_info(&p, "daos_server");
	assert_int_equal(resp->status, 0);
	assert_int_equal(resp->n_rank_uris, 2);
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(fake_calls(&ms), 1);

	/* another system name reaches the MS, then is cached too */
	resp = attach_info(&p, "other_sys");
	assert_int_equal(resp->status, 0);
	assert_string_equal(resp->system, "other_sys");
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(fake_calls(&ms), 2);
	resp = attach_info(&p, "other_sys");
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(fake_calls(&ms), 2);

	/* SIGUSR2 flushes the cache */
	assert_int_equal(kill(p.pid, SIGUSR2), 0);
	usleep(200000);
	resp = attach_info(&p, NULL);
	assert_int_equal(resp->status, 0);
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(fake_calls(&ms), 3);

	proc_stop(&p);
	proc_fini(&p);
	fake_stop(&ms);
}

/* Engines on another address: DAOS's choice (lo only if the host has nothing else). */
static void
attach_info_not_loopback(void **state)
{
	struct agent_ifaces set;
	struct fake_ms ms;
	struct agent_proc p;
	Mgmt__GetAttachInfoResp *resp;
	bool others;

	(void)state;
	assert_int_equal(agent_ifaces_detect("ofi+tcp", NULL, NULL, &set), 0);
	others = set.nr > 0 && !set.ifs[0].loopback;
	agent_ifaces_fini(&set);
	fake_start(&ms);
	ms.uri_host = "10.0.0.1";
	proc_init(&p, "agent_notlo");
	write_cfg(&p, ms.port, "transport_config:\n  allow_insecure: true\n");
	proc_spawn(&p, NULL);
	proc_wait_ready(&p);
	resp = attach_info(&p, NULL);
	assert_int_equal(resp->status, 0);
	assert_string_equal(resp->rank_uris[0]->uri, "ofi+tcp://10.0.0.1:31416");
	assert_true(resp->client_net_hint->interface[0] != '\0');
	if (others)
		assert_string_not_equal(resp->client_net_hint->interface, "lo");
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	proc_stop(&p);
	proc_fini(&p);
	fake_stop(&ms);
}

static void
cache_disabled_by_env(void **state)
{
	struct fake_ms ms;
	struct agent_proc p;
	Mgmt__GetAttachInfoResp *resp;
	int i;

	(void)state;
	fake_start(&ms);
	proc_init(&p, "agent_nocache");
	write_cfg(&p, ms.port, "transport_config:\n  allow_insecure: true\n");
	proc_spawn(&p, "DAOS_AGENT_DISABLE_CACHE=true");
	proc_wait_ready(&p);
	for (i = 1; i <= 3; i++) {
		resp = attach_info(&p, NULL);
		assert_int_equal(resp->status, 0);
		mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
		assert_int_equal(fake_calls(&ms), i);
	}
	proc_stop(&p);
	proc_fini(&p);
	fake_stop(&ms);
}

/* Started by systemd (Type=notify): READY=1 reaches $NOTIFY_SOCKET once the socket listens. */
static void
systemd_ready(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct agent_proc p;
	struct pollfd pfd;
	struct stat st;
	char *env = NULL;
	char buf[64];
	ssize_t n;
	int fd;

	(void)state;
	proc_init(&p, "agent_notify");
	write_cfg(&p, 1, "transport_config:\n  allow_insecure: true\n");
	assert_true((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", p.dir) <
		    sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_true(d_asprintf(&env, "NOTIFY_SOCKET=%s", sa.sun_path) > 0);
	proc_spawn(&p, env);
	pfd.fd = fd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, TIMEOUT_MS), 1);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
	assert_int_equal(stat(p.sock, &st), 0);
	proc_stop(&p);
	close(fd);
	d_free(env);
	proc_fini(&p);
}

static void
creds_insecure(void **state)
{
	struct agent_proc p;
	struct sec_cred *cred;
	struct sec_auth_sys *sys;
	char *out;

	(void)state;
	proc_init(&p, "agent_insecure");
	write_cfg(&p, 1, "transport_config:\n  allow_insecure: true\n");
	proc_spawn(&p, NULL);
	proc_wait_ready(&p);
	cred = request_creds(&p);
	assert_string_equal(cred->origin, "agent");
	assert_int_equal(sec_cred_verify(cred, NULL, &sys), 0);
	check_identity(sys);
	sec_auth_sys_free(sys);
	sec_cred_free(cred);
	proc_stop(&p);
	/* the warning about insecure mode went to the log */
	out = read_file(p.out);
	assert_non_null(strstr(out, "any local user can claim any identity"));
	d_free(out);
	proc_fini(&p);
}

static void
creds_signed(void **state)
{
	const char *script = getenv("GEN_CERTIFICATES");
	struct agent_proc p;
	struct sec_cred *cred;
	struct sec_auth_sys *sys = NULL;
	struct sec_cert *cert;
	char *cmd = NULL;
	char *extra = NULL;
	char *crt = NULL;

	(void)state;
	if (script == NULL)
		script = "utils/certs/gen_certificates.sh";
	proc_init(&p, "agent_secure");
	assert_true(d_asprintf(&cmd, "'%s' '%s' > /dev/null 2>&1", script, p.dir) > 0);
	assert_int_equal(system(cmd), 0);
	d_free(cmd);
	assert_true(d_asprintf(&extra,
			       "transport_config:\n"
			       "  allow_insecure: false\n"
			       "  ca_cert: %s/daosCA/certs/daosCA.crt\n"
			       "  cert: %s/daosCA/certs/agent.crt\n"
			       "  key: %s/daosCA/certs/agent.key\n",
			       p.dir, p.dir, p.dir) > 0);
	write_cfg(&p, 1, extra);
	d_free(extra);
	proc_spawn(&p, NULL);
	proc_wait_ready(&p);

	cred = request_creds(&p);
	assert_true(d_asprintf(&crt, "%s/daosCA/certs/agent.crt", p.dir) > 0);
	assert_int_equal(sec_cert_load(crt, &cert), 0);
	assert_int_equal(sec_cred_verify(cred, cert, &sys), 0);
	check_identity(sys);
	sec_auth_sys_free(sys);
	/* a signature is not a digest */
	assert_int_equal(sec_cred_verify(cred, NULL, &sys), -DER_NO_PERM);
	sec_cert_free(cert);
	sec_cred_free(cred);
	d_free(crt);
	proc_stop(&p);
	proc_fini(&p);
}

/* A port nobody listens on. */
static int
closed_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static void
ms_down(void **state)
{
	struct agent_proc p;
	Mgmt__GetAttachInfoResp *resp;
	Mgmt__PoolFindResp *find;
	char ap[64];
	int port = closed_port();

	(void)state;
	proc_init(&p, "agent_msdown");
	write_cfg(&p, port, "transport_config:\n  allow_insecure: true\n");
	proc_spawn(&p, NULL);
	proc_wait_ready(&p);
	resp = attach_info(&p, NULL);
	assert_int_not_equal(resp->status, 0);
	snprintf(ap, sizeof(ap), "127.0.0.1:%d", port);
	assert_non_null(strstr(resp->message, ap));
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	find = pool_find(&p, "tank", NULL);
	assert_int_equal(find->status, -DER_UNREACH);
	assert_non_null(strstr(find->message, ap));
	mgmt__pool_find_resp__free_unpacked(find, &proto_allocator);
	proc_stop(&p);
	proc_fini(&p);
}

/* ---- pools: PoolFind and the handles of clients that go away ---- */

static Mgmt__PoolFindResp *
pool_find(struct agent_proc *p, const char *id, const char *system)
{
	Mgmt__PoolFindReq req = MGMT__POOL_FIND_REQ__INIT;
	Mgmt__PoolFindResp *resp;
	uint8_t buf[256];
	uint8_t *reply = NULL;
	size_t len;
	size_t reply_len = 0;

	req.id = (char *)id;
	if (system != NULL)
		req.system = (char *)system;
	len = mgmt__pool_find_req__pack(&req, buf);
	assert_int_equal(
		call(p, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_POOL_FIND, buf, len, &reply, &reply_len),
		DRPC__STATUS__SUCCESS);
	resp = mgmt__pool_find_resp__unpack(&proto_allocator, reply_len, reply);
	assert_non_null(resp);
	d_free(reply);
	return resp;
}

/* Found by label and by uuid, refusals passed on, and every lookup asks the MS. */
static void
pool_find_via_ms(void **state)
{
	struct fake_ms ms;
	struct agent_proc p;
	Mgmt__PoolFindResp *resp;

	(void)state;
	fake_start(&ms);
	proc_init(&p, "agent_find");
	write_cfg(&p, ms.port, "transport_config:\n  allow_insecure: true\n");
	proc_spawn(&p, NULL);
	proc_wait_ready(&p);

	resp = pool_find(&p, "tank", NULL);
	assert_int_equal(resp->status, 0);
	assert_string_equal(resp->uuid, FAKE_POOL_UUID);
	assert_string_equal(resp->label, "tank");
	assert_int_equal(resp->n_svc_ranks, 2);
	assert_int_equal(resp->svc_ranks[1], 2);
	mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	resp = pool_find(&p, FAKE_POOL_UUID, "daos_server");
	assert_int_equal(resp->status, 0);
	assert_string_equal(resp->label, "tank");
	mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(__atomic_load_n(&ms.finds, __ATOMIC_SEQ_CST), 2);

	resp = pool_find(&p, "reef", NULL);
	assert_int_equal(resp->status, -DER_NONEXIST);
	assert_string_equal(resp->message, "no such pool");
	assert_string_equal(resp->uuid, "");
	mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	resp = pool_find(&p, "gone", NULL);
	assert_int_equal(resp->status, -DER_NONEXIST);
	assert_non_null(strstr(resp->message, "Destroying"));
	mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	/* the system name goes to the MS, which judges it */
	resp = pool_find(&p, "tank", "other_sys");
	assert_int_equal(resp->status, -DER_INVAL);
	mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(__atomic_load_n(&ms.finds, __ATOMIC_SEQ_CST), 5);
	/* no id: refused here */
	resp = pool_find(&p, "", NULL);
	assert_int_equal(resp->status, -DER_INVAL);
	assert_non_null(strstr(resp->message, "no pool label or uuid"));
	mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(__atomic_load_n(&ms.finds, __ATOMIC_SEQ_CST), 5);
	/* not cached */
	resp = pool_find(&p, "tank", NULL);
	assert_int_equal(resp->status, 0);
	mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	assert_int_equal(__atomic_load_n(&ms.finds, __ATOMIC_SEQ_CST), 6);

	proc_stop(&p);
	proc_fini(&p);
	fake_stop(&ms);
}

/* Send a PoolMonitorReq on @c; returns the DaosResp status, its message in @msg. */
static int
notify(struct drpc_client *c, int32_t method, const char *pool, const char *hdl, char *msg,
       size_t msg_len)
{
	Mgmt__PoolMonitorReq req = MGMT__POOL_MONITOR_REQ__INIT;
	Mgmt__DaosResp *resp;
	uint8_t buf[256];
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	size_t len;
	int status;
	int rc;

	req.pool_uuid = (char *)pool;
	req.pool_handle_uuid = (char *)hdl;
	req.jobid = "daemon_tests";
	req.sys = "daos_server";
	len = mgmt__pool_monitor_req__pack(&req, buf);
	assert_int_equal(drpc_client_call(c, DRPC_MODULE_MGMT, method, buf, len, TIMEOUT_MS,
					  &status, &reply, &reply_len),
			 0);
	assert_int_equal(status, DRPC__STATUS__SUCCESS);
	resp = mgmt__daos_resp__unpack(&proto_allocator, reply_len, reply);
	assert_non_null(resp);
	rc = resp->status;
	if (msg != NULL)
		snprintf(msg, msg_len, "%s", resp->message);
	mgmt__daos_resp__free_unpacked(resp, &proto_allocator);
	d_free(reply);
	return rc;
}

#define POOL_A "aaaaaaaa-0000-0000-0000-000000000000"
#define POOL_B "bbbbbbbb-0000-0000-0000-000000000000"
#define HDL(n) "0000000" #n "-1111-1111-1111-111111111111"

/*
 * A client that closes its connection with handles registered has exactly those evicted,
 * one PoolEvict per pool, with the agent's host name; one that disconnected everything
 * has none; NotifyExit evicts at once; the agent stopping evicts what is left.
 */
static void
handles_evicted_on_close(void **state)
{
	struct drpc_client *c;
	struct fake_ms ms;
	struct agent_proc p;
	char host[256] = "";
	char msg[256];
	struct fake_evict *a;
	struct fake_evict *b;
	uint8_t *reply;
	size_t reply_len;
	int status;

	(void)state;
	gethostname(host, sizeof(host) - 1);
	fake_start(&ms);
	proc_init(&p, "agent_evict");
	write_cfg(&p, ms.port, "transport_config:\n  allow_insecure: true\n");
	proc_spawn(&p, NULL);
	proc_wait_ready(&p);

	/* a client connects three handles in two pools, disconnects one, then dies */
	assert_int_equal(drpc_client_connect(p.sock, &c), 0);
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_A, HDL(1), NULL, 0),
			 0);
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_B, HDL(3), NULL, 0),
			 0);
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_A, HDL(2), NULL, 0),
			 0);
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_A, HDL(2), NULL, 0),
			 0);
	assert_int_equal(
		notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_DISCONNECT, POOL_A, HDL(2), NULL, 0), 0);
	/* refusals, with what was wrong */
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_DISCONNECT, POOL_A, HDL(2), msg,
				sizeof(msg)),
			 -DER_NONEXIST);
	assert_non_null(strstr(msg, "not registered"));
	assert_int_equal(
		notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, "tank", HDL(4), msg, sizeof(msg)),
		-DER_INVAL);
	assert_string_equal(msg, "invalid pool uuid \"tank\"");
	assert_int_equal(
		notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_A, "", msg, sizeof(msg)),
		-DER_INVAL);
	assert_non_null(strstr(msg, "invalid pool handle uuid"));
	assert_int_equal(drpc_client_call(c, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT,
					  "\xff\xff", 2, TIMEOUT_MS, &status, &reply, &reply_len),
			 0);
	assert_int_equal(status, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD);
	d_free(reply);
	assert_int_equal(fake_nr_evicts(&ms), 0);
	drpc_client_close(c);

	assert_int_equal(fake_wait_evicts(&ms, 2), 2);
	usleep(100000);
	assert_int_equal(fake_nr_evicts(&ms), 2);
	a = &ms.evicts[0];
	b = &ms.evicts[1];
	if (strcmp(a->id, POOL_A) != 0) {
		a = &ms.evicts[1];
		b = &ms.evicts[0];
	}
	assert_string_equal(a->id, POOL_A);
	assert_int_equal(a->nr_handles, 1);
	assert_string_equal(a->handles, HDL(1));
	assert_string_equal(a->machine, host);
	assert_string_equal(b->id, POOL_B);
	assert_string_equal(b->handles, HDL(3));

	/* a client that disconnected everything leaves nothing to evict */
	assert_int_equal(drpc_client_connect(p.sock, &c), 0);
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_B, HDL(5), NULL, 0),
			 0);
	assert_int_equal(
		notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_DISCONNECT, POOL_B, HDL(5), NULL, 0), 0);
	drpc_client_close(c);
	usleep(200000);
	assert_int_equal(fake_nr_evicts(&ms), 2);

	/* NotifyExit: evicted at once, and the close after it finds nothing */
	assert_int_equal(drpc_client_connect(p.sock, &c), 0);
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_B, HDL(6), NULL, 0),
			 0);
	assert_int_equal(drpc_client_call(c, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_NOTIFY_EXIT, NULL,
					  0, TIMEOUT_MS, &status, &reply, &reply_len),
			 0);
	assert_int_equal(status, DRPC__STATUS__SUCCESS);
	d_free(reply);
	assert_int_equal(fake_wait_evicts(&ms, 3), 3);
	assert_string_equal(ms.evicts[2].handles, HDL(6));
	drpc_client_close(c);
	usleep(200000);
	assert_int_equal(fake_nr_evicts(&ms), 3);

	/* handles still registered when the agent stops are evicted before it exits */
	assert_int_equal(drpc_client_connect(p.sock, &c), 0);
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_A, HDL(7), NULL, 0),
			 0);
	proc_stop(&p);
	drpc_client_close(c);
	assert_int_equal(fake_nr_evicts(&ms), 4);
	assert_string_equal(ms.evicts[3].handles, HDL(7));
	proc_fini(&p);
	fake_stop(&ms);
}

/* disable_auto_evict: an agent that stops leaves its clients' handles open. */
static void
handles_kept_with_disable_auto_evict(void **state)
{
	struct drpc_client *c;
	struct fake_ms ms;
	struct agent_proc p;

	(void)state;
	fake_start(&ms);
	proc_init(&p, "agent_noevict");
	write_cfg(&p, ms.port,
		  "disable_auto_evict: true\ntransport_config:\n  allow_insecure: true\n");
	proc_spawn(&p, NULL);
	proc_wait_ready(&p);
	assert_int_equal(drpc_client_connect(p.sock, &c), 0);
	assert_int_equal(notify(c, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, POOL_A, HDL(8), NULL, 0),
			 0);
	proc_stop(&p);
	drpc_client_close(c);
	assert_int_equal(fake_nr_evicts(&ms), 0);
	proc_fini(&p);
	fake_stop(&ms);
}

static void
bad_config(void **state)
{
	struct agent_proc p;
	char *out;

	(void)state;
	proc_init(&p, "agent_badcfg");
	write_file(p.cfg, "name: daos_server\nbogus_key: 1\n");
	proc_spawn(&p, NULL);
	assert_int_not_equal(proc_wait(&p), 0);
	out = read_file(p.out);
	assert_non_null(strstr(out, "bogus_key"));
	d_free(out);
	proc_fini(&p);
}

static void
runtime_dir_not_creatable(void **state)
{
	struct agent_proc p;
	char *extra = NULL;
	char *blocker = NULL;
	char *out;

	(void)state;
	proc_init(&p, "agent_rundir");
	/* a regular file where a directory should be */
	assert_true(d_asprintf(&blocker, "%s/blocker", p.dir) > 0);
	write_file(blocker, "x");
	assert_true(d_asprintf(&extra,
			       "name: daos_server\n"
			       "runtime_dir: %s/sub/dir\n"
			       "transport_config:\n  allow_insecure: true\n",
			       blocker) > 0);
	write_file(p.cfg, extra);
	d_free(extra);
	proc_spawn(&p, NULL);
	assert_int_not_equal(proc_wait(&p), 0);
	out = read_file(p.out);
	assert_non_null(strstr(out, blocker));
	assert_non_null(strstr(out, "runtime_dir"));
	d_free(out);
	d_free(blocker);
	proc_fini(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attach_info_and_cache),
		cmocka_unit_test(attach_info_not_loopback),
		cmocka_unit_test(pool_find_via_ms),
		cmocka_unit_test(handles_evicted_on_close),
		cmocka_unit_test(handles_kept_with_disable_auto_evict),
		cmocka_unit_test(cache_disabled_by_env),
		cmocka_unit_test(systemd_ready),
		cmocka_unit_test(creds_insecure),
		cmocka_unit_test(creds_signed),
		cmocka_unit_test(ms_down),
		cmocka_unit_test(bad_config),
		cmocka_unit_test(runtime_dir_not_creatable),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
