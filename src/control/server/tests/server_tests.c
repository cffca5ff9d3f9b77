/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_tests.c - the daos_server process ($DAOS_SERVER) with its real engine, on
 * loopback in a temporary directory: maintenance mode until a format through the
 * control API, StorageScan before and after, a refused second format, the engine
 * started and ready, the active-config copy, a clean stop on SIGTERM that stops the
 * engine; a restart with a superblock starts the engine without a format. Bad command
 * lines and configs give messages naming the problem.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"
#include "mgmt.pb-c.h"
#include "proto/proto.h"
#include "security/security.h"

static char dir[256];
static int port;

static void
write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
read_file(const char *name)
{
	static char buf[65536];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f == NULL)
		return (char *)"";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A daos_server.yml for a server at @my_port under <dir>/@sub, MS replica at @ms_port. */
static void
write_config_at(const char *sub, int my_port, int ms_port)
{
	char yml[4096];
	char d[300];
	char name[64];

	snprintf(d, sizeof(d), "%s%s%s", dir, *sub ? "/" : "", sub);
	snprintf(yml, sizeof(yml),
		 "name: daos_server\nport: %d\nmgmt_svc_replicas: ['127.0.0.1:%d']\n"
		 "provider: ofi+tcp\nsocket_dir: %s/run\n"
		 "control_log_mask: INFO\ncontrol_log_file: %s/server.log\n"
		 "transport_config:\n  allow_insecure: true\n"
		 "engines:\n- targets: 1\n  fabric_iface: lo\n  fabric_iface_port: %d\n"
		 "  log_file: %s/engine0.log\n"
		 "  storage:\n  - class: ram\n    scm_mount: %s/scm\n    scm_size: 1\n"
		 "  - class: file\n    bdev_list: [%s/bdev0]\n    bdev_size: 1\n",
		 my_port, ms_port, d, d, test_free_ports(4), d, d, d);
	snprintf(name, sizeof(name), "%s%sserver.yml", sub, *sub ? "/" : "");
	write_file(name, yml);
}

static void
write_config(void)
{
	write_config_at("", port, port);
}

static pid_t
server_spawn(const char *const *args)
{
	const char *bin = getenv("DAOS_SERVER");
	char out[512];
	pid_t pid;

	assert_non_null(bin);
	snprintf(out, sizeof(out), "%s/out", dir);
	/* Emptied before the fork, so nothing old is read as the new server's output. */
	write_file("out", "");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[16] = { bin };
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int i;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		for (i = 0; args[i] != NULL && i < 14; i++)
			argv[i + 1] = args[i];
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Wait until @file contains @text. */
static bool
wait_for(const char *file, const char *text, int timeout_ms)
{
	int i;

	for (i = 0; i < timeout_ms; i += 20) {
		if (strstr(read_file(file), text) != NULL)
			return true;
		usleep(20000);
	}
	return false;
}

static int
call(uint32_t method, const ProtobufCMessage *body, struct ctl_reply *reply)
{
	struct ctl_client *c;
	uint8_t buf[256];
	size_t len = body != NULL ? protobuf_c_message_pack(body, buf) : 0;
	int rc;

	rc = ctl_client_connect("127.0.0.1", (uint16_t)port, NULL, DAOS_VERSION, 5000, &c);
	if (rc != 0)
		return rc;
	rc = ctl_client_call(c, method, buf, len, 30000, reply);
	ctl_client_close(c);
	return rc;
}

static Mgmt__StorageScanResp *
scan(void)
{
	struct ctl_reply r;
	Mgmt__StorageScanResp *resp;

	assert_int_equal(call(CTL_STORAGE_SCAN, NULL, &r), 0);
	assert_int_equal(r.status, 0);
	resp = mgmt__storage_scan_resp__unpack(&proto_allocator, r.len, r.body);
	assert_non_null(resp);
	ctl_reply_fini(&r);
	return resp;
}

/* The pid of the engine started last ("engine 0: started ... (pid N)" in the log). */
static pid_t
last_engine_pid(void)
{
	const char *log = read_file("server.log");
	const char *p = NULL;
	const char *q;

	for (q = strstr(log, ": started "); q != NULL; q = strstr(q + 1, ": started "))
		p = q;
	assert_non_null(p);
	p = strstr(p, "(pid ");
	assert_non_null(p);
	return (pid_t)strtol(p + 5, NULL, 10);
}

/* State (and reason) of rank 0 from SystemQuery. */
static void
rank0_state(char *state, size_t len, char *info, size_t info_len)
{
	Mgmt__SystemQueryReq q = MGMT__SYSTEM_QUERY_REQ__INIT;
	Mgmt__SystemQueryResp *resp;
	struct ctl_reply r;

	assert_int_equal(call(CTL_SYSTEM_QUERY, &q.base, &r), 0);
	if (r.status != 0)
		fail_msg("SystemQuery: %d %s", r.status, r.message);
	resp = mgmt__system_query_resp__unpack(&proto_allocator, r.len, r.body);
	assert_non_null(resp);
	/* Rank 0 has not joined yet: no state */
	state[0] = '\0';
	if (resp->n_members > 0) {
		assert_int_equal(resp->members[0]->rank, 0);
		snprintf(state, len, "%s", resp->members[0]->state);
		if (info != NULL)
			snprintf(info, info_len, "%s", resp->members[0]->info);
	}
	mgmt__system_query_resp__free_unpacked(resp, &proto_allocator);
	ctl_reply_fini(&r);
}

/* Wait until rank 0 is in @want. */
static void
wait_state(const char *want, char *info, size_t info_len)
{
	char st[64] = "";
	int i;

	for (i = 0; i < 1500; i++) {
		rank0_state(st, sizeof(st), info, info_len);
		if (strcmp(st, want) == 0)
			return;
		usleep(20000);
	}
	fail_msg("rank 0 is %s, not %s; log: %s", st, want, read_file("server.log"));
}

static int
pool_create(const char *label, uint64_t total, char *uuid, size_t len, char *msg, size_t msg_len)
{
	Mgmt__PoolCreateReq req = MGMT__POOL_CREATE_REQ__INIT;
	Mgmt__PoolCreateResp *resp;
	struct ctl_reply r;
	int rc;

	req.label = (char *)label;
	req.total_bytes = total;
	assert_int_equal(call(CTL_POOL_CREATE, &req.base, &r), 0);
	rc = r.status;
	snprintf(msg, msg_len, "%s", r.message);
	if (rc == 0) {
		resp = mgmt__pool_create_resp__unpack(&proto_allocator, r.len, r.body);
		assert_non_null(resp);
		snprintf(uuid, len, "%s", resp->uuid);
		assert_string_equal(resp->tgt_ranks, "[0]");
		assert_int_equal(resp->n_tier_bytes, 2);
		assert_int_equal(resp->tier_bytes[0] + resp->tier_bytes[1], total);
		mgmt__pool_create_resp__free_unpacked(resp, &proto_allocator);
	}
	ctl_reply_fini(&r);
	return rc;
}

static int
pool_id_call(uint32_t method, const char *id, Mgmt__PoolResp **out, char *msg, size_t len)
{
	Mgmt__PoolIdReq req = MGMT__POOL_ID_REQ__INIT;
	struct ctl_reply r;
	int rc;

	req.id = (char *)id;
	assert_int_equal(call(method, &req.base, &r), 0);
	rc = r.status;
	snprintf(msg, len, "%s", r.message);
	if (out != NULL && rc == 0) {
		*out = mgmt__pool_resp__unpack(&proto_allocator, r.len, r.body);
		assert_non_null(*out);
	}
	ctl_reply_fini(&r);
	return rc;
}

static unsigned int
pool_count(void)
{
	Mgmt__ListPoolsReq req = MGMT__LIST_POOLS_REQ__INIT;
	Mgmt__ListPoolsResp *resp;
	struct ctl_reply r;
	unsigned int n;

	assert_int_equal(call(CTL_POOL_LIST, &req.base, &r), 0);
	assert_int_equal(r.status, 0);
	resp = mgmt__list_pools_resp__unpack(&proto_allocator, r.len, r.body);
	assert_non_null(resp);
	n = (unsigned int)resp->n_pools;
	if (n > 0)
		assert_string_equal(resp->pools[0]->query_error, "");
	mgmt__list_pools_resp__free_unpacked(resp, &proto_allocator);
	ctl_reply_fini(&r);
	return n;
}

static void
cleanup(void)
{
	char path[512];
	struct statfs st;
	char cmd[600];

	snprintf(path, sizeof(path), "%s/scm", dir);
	if (statfs(path, &st) == 0 && st.f_type == TMPFS_MAGIC)
		umount2(path, MNT_DETACH);
	snprintf(path, sizeof(path), "%s/b/scm", dir);
	if (statfs(path, &st) == 0 && st.f_type == TMPFS_MAGIC)
		umount2(path, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* ValidateCredentials on daos_server.sock: its status, and the token's user in @user. */
static int
validate_cred(const void *cred, size_t len, char *user, size_t user_len)
{
	Mgmt__ValidateCredReq req = MGMT__VALIDATE_CRED_REQ__INIT;
	Mgmt__ValidateCredResp *resp;
	struct sec_auth_sys *sys = NULL;
	struct drpc_client *c;
	char path[600];
	uint8_t *buf;
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	int st = 0;
	int rc;

	req.cred.data = (uint8_t *)cred;
	req.cred.len = len;
	buf = d_malloc(mgmt__validate_cred_req__get_packed_size(&req) + 1);
	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/run/daos_server.sock", dir);
	assert_int_equal(drpc_client_connect(path, &c), 0);
	rc = drpc_client_call(c, DRPC_MODULE_SEC, DRPC_METHOD_SEC_VALIDATE_CREDS, buf,
			      mgmt__validate_cred_req__pack(&req, buf), 10000, &st, &reply,
			      &reply_len);
	drpc_client_close(c);
	d_free(buf);
	assert_int_equal(rc, 0);
	assert_int_equal(st, DRPC__STATUS__SUCCESS);
	resp = mgmt__validate_cred_resp__unpack(&proto_allocator, reply_len, reply);
	d_free(reply);
	assert_non_null(resp);
	rc = resp->status;
	if (rc == 0) {
		assert_int_equal(sec_token_decode(resp->token.data, resp->token.len, &sys), 0);
		snprintf(user, user_len, "%s", sys->user);
		sec_auth_sys_free(sys);
	}
	mgmt__validate_cred_resp__free_unpacked(resp, &proto_allocator);
	return rc;
}

/* An engine's credential check through daos_server (insecure: the token's digest). */
static void
check_validate_cred(void)
{
	struct sec_auth_sys sys = { .machinename = (char *)"host",
				    .user = (char *)"alice@",
				    .group = (char *)"users@" };
	struct sec_cred *cred;
	uint8_t wire[4096];
	struct buf b = BUF_INIT(wire, sizeof(wire));
	char user[64] = "";

	assert_int_equal(sec_cred_make(&sys, NULL, SEC_ORIGIN_AGENT, &cred), 0);
	assert_int_equal(sec_cred_encode(cred, &b), 0);
	assert_int_equal(validate_cred(wire, b.off, user, sizeof(user)), 0);
	assert_string_equal(user, "alice@");
	/* A token changed after the fact no longer matches its verifier */
	cred->token[cred->token_len - 1] ^= 1;
	b = (struct buf)BUF_INIT(wire, sizeof(wire));
	assert_int_equal(sec_cred_encode(cred, &b), 0);
	assert_int_equal(validate_cred(wire, b.off, user, sizeof(user)), -DER_NO_PERM);
	/* Bytes that are no credential */
	assert_int_equal(validate_cred("garbage", 7, user, sizeof(user)), -DER_PROTO);
	sec_cred_free(cred);
}

static void
format_start_stop(void **state)
{
	const char *args[] = { "start", "-o", NULL, NULL };
	Mgmt__StorageFormatReq freq = MGMT__STORAGE_FORMAT_REQ__INIT;
	Mgmt__StorageScanResp *sr;
	struct ctl_reply r;
	char cfg[512];
	char *tmp = test_tmpdir("server");
	pid_t pid;
	pid_t engine_pid;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tmp);
	d_free(tmp);
	port = test_free_ports(4);
	write_config();
	snprintf(cfg, sizeof(cfg), "%s/server.yml", dir);
	args[2] = cfg;

	pid = server_spawn(args);
	if (!wait_for("out", "listening on", 10000))
		fail_msg("server did not start: %s", read_file("out"));
	assert_true(wait_for("server.log", "waiting for dmg storage format", 5000));
	assert_non_null(strstr(read_file("run/.daos_server.active.yml"), "fabric_iface: lo"));
	check_validate_cred();

	/* Maintenance mode: nothing formatted */
	sr = scan();
	assert_int_equal(sr->n_tiers, 2);
	assert_false(sr->tiers[0]->formatted);
	assert_string_equal(sr->tiers[1]->class_, "file");
	/* The file to be: its bdev_size, before the format creates it */
	assert_int_equal(sr->tiers[0]->total_bytes, 1ull << 30);
	assert_int_equal(sr->tiers[1]->n_device_bytes, 1);
	assert_int_equal(sr->tiers[1]->device_bytes[0], 1000000000ull);
	assert_int_equal(sr->tiers[1]->total_bytes, 1000000000ull);
	assert_int_equal(sr->tiers[1]->socket, -1);
	assert_true(sr->mem_total > 0);
	mgmt__storage_scan_resp__free_unpacked(sr, &proto_allocator);

	/* No MS before the format; a method not served yet says so */
	assert_int_equal(call(CTL_SYSTEM_QUERY, NULL, &r), 0);
	assert_int_equal(r.status, -DER_UNINIT);
	assert_non_null(strstr(r.message, "dmg storage format"));
	ctl_reply_fini(&r);
	assert_int_equal(call(CTL_POOL_DRAIN, NULL, &r), 0);
	assert_int_equal(r.status, -DER_NOSYS);
	assert_non_null(strstr(r.message, "PoolDrain"));
	ctl_reply_fini(&r);

	/* Format: the engine starts and reports ready */
	assert_int_equal(call(CTL_STORAGE_FORMAT, &freq.base, &r), 0);
	assert_int_equal(r.status, 0);
	ctl_reply_fini(&r);
	if (!wait_for("server.log", "ready at ofi+tcp://127.0.0.1:", 10000))
		fail_msg("engine not ready: %s", read_file("server.log"));
	engine_pid = last_engine_pid();
	assert_true(engine_pid > 0);
	sr = scan();
	assert_true(sr->tiers[0]->formatted);
	assert_true(sr->tiers[1]->formatted);
	assert_true(sr->tiers[1]->free_bytes > 0);
	mgmt__storage_scan_resp__free_unpacked(sr, &proto_allocator);

	/* The engine joined as rank 0 and printed DAOS's start-up line */
	wait_state("Joined", NULL, 0);
	assert_non_null(strstr(read_file("out"), "process"));
	assert_non_null(strstr(read_file("out"), "started on rank 0 with 1 target, 0 helper XS"));

	/* SIGKILL: Errored with the reason; SystemStart brings it back Joined */
	{
		Mgmt__SystemRanksReq sreq = MGMT__SYSTEM_RANKS_REQ__INIT;
		char info[256];

		kill(engine_pid, SIGKILL);
		wait_state("Errored", info, sizeof(info));
		assert_string_equal(info, "DAOS engine 0 exited unexpectedly: signal: killed");
		sreq.ranks = (char *)"0";
		assert_int_equal(call(CTL_SYSTEM_START, &sreq.base, &r), 0);
		assert_int_equal(r.status, 0);
		ctl_reply_fini(&r);
		wait_state("Joined", NULL, 0);
		engine_pid = last_engine_pid();
	}

	/* Pools: create, refusals, query, list */
	{
		Mgmt__PoolResp *q;
		char uuid[64];
		char other[64];
		char msg[512];

		assert_int_equal(pool_create("p1", 512 << 20, uuid, sizeof(uuid), msg, sizeof(msg)),
				 0);
		assert_int_equal(
			pool_create("p1", 512 << 20, other, sizeof(other), msg, sizeof(msg)),
			-DER_EXIST);
		assert_non_null(strstr(msg, "already in use"));
		assert_int_equal(
			pool_create("p2", 20ULL << 30, other, sizeof(other), msg, sizeof(msg)),
			-DER_NOSPACE);
		assert_non_null(strstr(msg, "rank 0 has"));
		assert_int_equal(
			pool_create("p2", 64 << 20, other, sizeof(other), msg, sizeof(msg)),
			-DER_INVAL);
		assert_non_null(strstr(msg, "16 MiB per target"));
		assert_int_equal(pool_create("a bad label", 512 << 20, other, sizeof(other), msg,
					     sizeof(msg)),
				 -DER_INVAL);
		{
			/* An owner that is no principal, from a client other than dmg */
			Mgmt__PoolCreateReq req = MGMT__POOL_CREATE_REQ__INIT;
			struct ctl_reply cr;

			req.label = (char *)"p3";
			req.total_bytes = 512 << 20;
			req.user = (char *)"alice";
			assert_int_equal(call(CTL_POOL_CREATE, &req.base, &cr), 0);
			assert_int_equal(cr.status, -DER_INVAL);
			assert_non_null(strstr(cr.message, "invalid pool owner"));
			ctl_reply_fini(&cr);
		}
		assert_int_equal(pool_id_call(CTL_POOL_QUERY, "p1", &q, msg, sizeof(msg)), 0);
		assert_string_equal(q->info->uuid, uuid);
		assert_int_equal(q->info->total_targets, 1);
		assert_int_equal(q->info->n_tier_stats, 2);
		assert_true(q->info->tier_stats[1]->total >=
			    (512ULL << 20) * 94 / 100 - (1ULL << 20));
		assert_true(q->info->tier_stats[1]->free > 0);
		mgmt__pool_resp__free_unpacked(q, &proto_allocator);
		assert_int_equal(pool_id_call(CTL_POOL_QUERY, "nope", NULL, msg, sizeof(msg)),
				 -DER_NONEXIST);
		assert_non_null(strstr(msg, "unknown pool \"nope\""));
		assert_int_equal(pool_count(), 1);
	}

	/* Formatted and running: a second format is refused */
	assert_int_equal(call(CTL_STORAGE_FORMAT, &freq.base, &r), 0);
	assert_int_equal(r.status, -DER_BUSY);
	ctl_reply_fini(&r);

	/* SIGTERM: the engine stops, then the server */
	kill(pid, SIGTERM);
	assert_int_equal(test_wait_exit(pid, 15000), 0);
	assert_int_equal(kill(engine_pid, 0), -1);
	assert_non_null(strstr(read_file("server.log"), "engine 0 (pid"));

	/* Restart: the superblock is there, the engine starts without a format */
	pid = server_spawn(args);
	if (!wait_for("out", "listening on", 10000))
		fail_msg("server did not restart: %s", read_file("out"));
	/* Same rank, no format needed; the pool is still there and can be destroyed */
	wait_state("Joined", NULL, 0);
	{
		Mgmt__PoolResp *q;
		char msg[512];

		assert_int_equal(pool_count(), 1);
		assert_int_equal(pool_id_call(CTL_POOL_QUERY, "p1", &q, msg, sizeof(msg)), 0);
		mgmt__pool_resp__free_unpacked(q, &proto_allocator);
		assert_int_equal(pool_id_call(CTL_POOL_DESTROY, "p1", NULL, msg, sizeof(msg)), 0);
		assert_int_equal(pool_count(), 0);
		assert_int_equal(pool_id_call(CTL_POOL_DESTROY, "p1", NULL, msg, sizeof(msg)),
				 -DER_NONEXIST);
	}
	kill(pid, SIGTERM);
	assert_int_equal(test_wait_exit(pid, 15000), 0);
	cleanup();
}

/* Members of SystemQuery: their count, and rank @rank's state in @state. */
static unsigned int
member_state(d_rank_t rank, char *state, size_t len, char *info, size_t info_len)
{
	Mgmt__SystemQueryReq q = MGMT__SYSTEM_QUERY_REQ__INIT;
	Mgmt__SystemQueryResp *resp;
	struct ctl_reply r;
	unsigned int n;
	size_t i;

	state[0] = '\0';
	assert_int_equal(call(CTL_SYSTEM_QUERY, &q.base, &r), 0);
	if (r.status != 0) {
		ctl_reply_fini(&r);
		return 0;
	}
	resp = mgmt__system_query_resp__unpack(&proto_allocator, r.len, r.body);
	assert_non_null(resp);
	n = (unsigned int)resp->n_members;
	for (i = 0; i < resp->n_members; i++) {
		if (resp->members[i]->rank != rank)
			continue;
		snprintf(state, len, "%s", resp->members[i]->state);
		if (info != NULL)
			snprintf(info, info_len, "%s", resp->members[i]->info);
	}
	mgmt__system_query_resp__free_unpacked(resp, &proto_allocator);
	ctl_reply_fini(&r);
	return n;
}

/* Two servers on loopback: the second joins its engine through the first (the MS). */
static void
two_servers(void **state)
{
	Mgmt__StorageFormatReq freq = MGMT__STORAGE_FORMAT_REQ__INIT;
	char cfg_a[512];
	char cfg_b[512];
	const char *args_a[] = { "start", "-o", cfg_a, NULL };
	const char *args_b[] = { "start", "-o", cfg_b, NULL };
	char *tmp = test_tmpdir("server");
	struct ctl_reply r;
	char st[64];
	char info[256];
	int port_b;
	pid_t a;
	pid_t b;
	pid_t engine_b;
	int i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tmp);
	d_free(tmp);
	port = test_free_ports(4);
	port_b = test_free_ports(4);
	write_config_at("", port, port);
	snprintf(cfg_a, sizeof(cfg_a), "%s/server.yml", dir);
	snprintf(cfg_b, sizeof(cfg_b), "%s/b", dir);
	assert_int_equal(mkdir(cfg_b, 0755), 0);
	write_config_at("b", port_b, port);
	snprintf(cfg_b, sizeof(cfg_b), "%s/b/server.yml", dir);

	a = server_spawn(args_a);
	assert_true(wait_for("out", "listening on", 10000));
	b = server_spawn(args_b);
	assert_true(wait_for("b/server.log", "listening on port", 10000));

	/* Format the replica first (its MS opens), then the other host */
	assert_int_equal(call(CTL_STORAGE_FORMAT, &freq.base, &r), 0);
	assert_int_equal(r.status, 0);
	ctl_reply_fini(&r);
	wait_state("Joined", NULL, 0);
	{
		int pa = port;

		port = port_b;
		assert_int_equal(call(CTL_STORAGE_FORMAT, &freq.base, &r), 0);
		assert_int_equal(r.status, 0);
		ctl_reply_fini(&r);
		/* A server that is not the replica says where the MS is */
		assert_int_equal(call(CTL_SYSTEM_QUERY, NULL, &r), 0);
		assert_int_equal(r.status, -DER_NOTREPLICA);
		ctl_reply_fini(&r);
		port = pa;
	}
	for (i = 0; i < 1500 &&
		    (member_state(1, st, sizeof(st), NULL, 0) != 2 || strcmp(st, "Joined") != 0);
	     i++)
		usleep(20000);
	if (strcmp(st, "Joined") != 0)
		fail_msg("rank 1 is \"%s\"; b's log: %s", st, read_file("b/server.log"));
	assert_true(wait_for("b/server.log", "joined as rank 1", 5000));

	/* Its engine dies: the MS hears it (ClusterEvent) */
	{
		const char *log = read_file("b/server.log");
		const char *p = strstr(log, ": started ");

		assert_non_null(p);
		p = strstr(p, "(pid ");
		engine_b = (pid_t)strtol(p + 5, NULL, 10);
	}
	kill(engine_b, SIGKILL);
	for (i = 0; i < 1500; i++) {
		member_state(1, st, sizeof(st), info, sizeof(info));
		if (strcmp(st, "Errored") == 0)
			break;
		usleep(20000);
	}
	assert_string_equal(st, "Errored");
	assert_non_null(strstr(info, "exited unexpectedly"));

	/* The MS starts it again on its host; then stops every rank of both hosts */
	{
		Mgmt__SystemRanksReq sreq = MGMT__SYSTEM_RANKS_REQ__INIT;
		Mgmt__SystemRanksResp *sresp;

		sreq.ranks = (char *)"1";
		assert_int_equal(call(CTL_SYSTEM_START, &sreq.base, &r), 0);
		assert_int_equal(r.status, 0);
		sresp = mgmt__system_ranks_resp__unpack(&proto_allocator, r.len, r.body);
		assert_non_null(sresp);
		assert_int_equal(sresp->n_results, 1);
		assert_int_equal(sresp->results[0]->rank, 1);
		assert_false(sresp->results[0]->errored);
		mgmt__system_ranks_resp__free_unpacked(sresp, &proto_allocator);
		ctl_reply_fini(&r);
		for (i = 0; i < 1500; i++) {
			member_state(1, st, sizeof(st), NULL, 0);
			if (strcmp(st, "Joined") == 0)
				break;
			usleep(20000);
		}
		assert_string_equal(st, "Joined");

		sreq.ranks = (char *)"";
		assert_int_equal(call(CTL_SYSTEM_STOP, &sreq.base, &r), 0);
		assert_int_equal(r.status, 0);
		sresp = mgmt__system_ranks_resp__unpack(&proto_allocator, r.len, r.body);
		assert_non_null(sresp);
		assert_int_equal(sresp->n_results, 2);
		mgmt__system_ranks_resp__free_unpacked(sresp, &proto_allocator);
		ctl_reply_fini(&r);
		for (i = 0; i < 1500; i++) {
			char st0[64];

			member_state(0, st0, sizeof(st0), NULL, 0);
			member_state(1, st, sizeof(st), NULL, 0);
			if (strcmp(st, "Stopped") == 0 && strcmp(st0, "Stopped") == 0)
				break;
			usleep(20000);
		}
		assert_string_equal(st, "Stopped");

		/* Exclude is the MS's own business: any host's rank */
		sreq.ranks = (char *)"1";
		assert_int_equal(call(CTL_SYSTEM_EXCLUDE, &sreq.base, &r), 0);
		assert_int_equal(r.status, 0);
		ctl_reply_fini(&r);
		member_state(1, st, sizeof(st), NULL, 0);
		assert_string_equal(st, "AdminExcluded");
		assert_int_equal(call(CTL_SYSTEM_CLEAR_EXCLUDE, &sreq.base, &r), 0);
		assert_int_equal(r.status, 0);
		ctl_reply_fini(&r);
		member_state(1, st, sizeof(st), NULL, 0);
		assert_string_equal(st, "Excluded");
	}

	kill(b, SIGTERM);
	assert_int_equal(test_wait_exit(b, 15000), 0);
	kill(a, SIGTERM);
	assert_int_equal(test_wait_exit(a, 15000), 0);
	cleanup();
}

static void
bad_starts(void **state)
{
	char cfg[512];
	char *tmp = test_tmpdir("server");
	const char *nofile[] = { "start", "-o", "/nonexistent/daos_server.yml", NULL };
	const char *badport[] = { "start", "-p", "http", NULL };
	const char *badcmd[] = { "frobnicate", NULL };
	const char *badcfg[] = { "start", "-o", cfg, NULL };
	pid_t pid;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tmp);
	d_free(tmp);
	snprintf(cfg, sizeof(cfg), "%s/bad.yml", dir);
	write_file("bad.yml", "name: daos_server\nport: x\n");

	pid = server_spawn(nofile);
	assert_int_equal(test_wait_exit(pid, 5000), 1);
	assert_non_null(strstr(read_file("out"), "/nonexistent/daos_server.yml"));
	pid = server_spawn(badport);
	assert_int_equal(test_wait_exit(pid, 5000), 2);
	assert_non_null(strstr(read_file("out"), "--port: expected a port number"));
	pid = server_spawn(badcmd);
	assert_int_equal(test_wait_exit(pid, 5000), 2);
	assert_non_null(strstr(read_file("out"), "unknown command \"frobnicate\""));
	pid = server_spawn(badcfg);
	assert_int_equal(test_wait_exit(pid, 5000), 1);
	assert_non_null(strstr(read_file("out"), "bad.yml:2: port"));
	cleanup();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_start_stop),
		cmocka_unit_test(two_servers),
		cmocka_unit_test(bad_starts),
	};

	signal(SIGPIPE, SIG_IGN);
	d_log_init();
	return cmocka_run_group_tests_name("server", tests, NULL, NULL);
}
