/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_daemon_tests.c - the real daos_agent binary ($DAOS_AGENT_BIN) against a fake
 * MS that runs in this process (a ctl_server on a libuv loop in a thread, plain TCP on
 * 127.0.0.1, answering GetAttachInfo with canned data and counting calls). Each test
 * writes a daos_agent.yml into a temporary directory, starts the agent, talks dRPC to
 * its socket and stops it with SIGTERM, checking that the socket is gone.
 *
 * Covers: attach info content, the cache (a second call does not reach the MS, another
 * system name does, DAOS_AGENT_DISABLE_CACHE=true makes every call reach it), insecure
 * and signed credentials (keys from utils/certs/gen_certificates.sh, checked against
 * agent.crt), an MS that is down (the status names the access point), a bad config and
 * an uncreatable runtime_dir (non-zero exit, message naming the problem), and systemd's
 * READY=1 on $NOTIFY_SOCKET.
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

struct fake_ms {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	struct ctl_server *srv;
	uint16_t port;
	int calls; /* GetAttachInfo calls, atomic */
};

static void
fake_handler(struct ctl_req *req, void *arg)
{
	const struct ctl_req_info *info = ctl_req_info(req);
	struct fake_ms *ms = arg;
	Mgmt__GetAttachInfoReq *in;
	Mgmt__GetAttachInfoResp resp = MGMT__GET_ATTACH_INFO_RESP__INIT;
	Mgmt__ClientNetHint hint = MGMT__CLIENT_NET_HINT__INIT;
	Mgmt__RankUri r0 = MGMT__RANK_URI__INIT;
	Mgmt__RankUri r1 = MGMT__RANK_URI__INIT;
	Mgmt__RankUri *rus[] = { &r0, &r1 };
	uint32_t ms_ranks[] = { 0 };
	uint8_t buf[1024];
	size_t len;

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
	r0.rank = 0;
	r0.uri = "ofi+tcp://127.0.0.1:31416";
	r1.rank = 1;
	r1.uri = "ofi+tcp://127.0.0.1:31516";
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
attach_info(struct agent_proc *p, const char *system)
{
	Mgmt__GetAttachInfoReq req = MGMT__GET_ATTACH_INFO_REQ__INIT;
	Mgmt__GetAttachInfoResp *resp;
	uint8_t buf[256];
	uint8_t *reply = NULL;
	size_t len;
	size_t reply_len = 0;

	if (system != NULL)
		req.system = (char *)system;
	len = mgmt__get_attach_info_req__pack(&req, buf);
	assert_int_equal(call(p, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_GET_ATTACH_INFO, buf, len,
			      &reply, &reply_len),
			 DRPC__STATUS__SUCCESS);
	resp = mgmt__get_attach_info_resp__unpack(&proto_allocator, reply_len, reply);
	assert_non_null(resp);
	d_free(reply);
	return resp;
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

/* ---- tests ---- */

static void
attach_info_and_cache(void **state)
{
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
	/* the agent's own interface, not the server's */
	assert_string_not_equal(resp->client_net_hint->interface, "srv_iface");
	assert_true(resp->client_net_hint->interface[0] != '\0');
	assert_true(resp->client_net_hint->domain[0] != '\0');
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
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
	proc_stop(&p);
	proc_fini(&p);
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
