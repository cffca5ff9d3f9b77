/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_cli_tests.c - the real dmg binary (DMG_BIN) against fake control servers running in
 * this process: each fake is ctl_server_start() on its own libuv loop and thread, plain
 * TCP on 127.0.0.1 with a free port, answering canned mgmt.proto responses. Checks stdout,
 * stderr and the exit code of storage scan/format, system query (text, -v, -j), pool
 * create/list/query/destroy, leader-hint following, a server that is down, a permission
 * refusal, an unknown pool and bad arguments.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"
#include "mgmt.pb-c.h"
#include "proto/proto.h"

struct fake {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	struct ctl_server *srv;
	uint16_t port;
	char hint[64]; /* non-empty: answer everything with -DER_NOTLEADER and this hint */
};

static struct fake leader, follower;
static char *tmpdir;
static char cfg_path[512], cfg_follower[512], cfg_down[512];

static void
reply_msg(struct ctl_req *req, const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = d_malloc(len + 1);

	protobuf_c_message_pack(m, buf);
	ctl_req_reply(req, 0, NULL, NULL, buf, len);
	d_free(buf);
}

static void
pool_info(Mgmt__PoolInfo *p, Mgmt__StorageUsage *u, Mgmt__StorageUsage **up)
{
	mgmt__pool_info__init(p);
	mgmt__storage_usage__init(&u[0]);
	mgmt__storage_usage__init(&u[1]);
	p->uuid = "3f1c0a2e-9a2e-4b1c-8d3e-0123456789ab";
	p->label = "tank";
	p->state = "Ready";
	p->total_targets = 16;
	p->active_targets = 16;
	p->svc_reps = "0";
	p->version = 1;
	u[0].total = 1000000000;
	u[0].free = 500000000;
	u[1].total = 100000000000ull;
	u[1].free = 75000000000ull;
	up[0] = &u[0];
	up[1] = &u[1];
	p->tier_stats = up;
	p->n_tier_stats = 2;
}

static void
handler(struct ctl_req *req, void *arg)
{
	const struct ctl_req_info *info = ctl_req_info(req);
	struct fake *f = arg;

	if (f->hint[0] != '\0') {
		ctl_req_reply(req, -DER_NOTLEADER, "not the MS leader", f->hint, NULL, 0);
		return;
	}
	switch (info->method) {
	case CTL_STORAGE_SCAN: {
		Mgmt__StorageScanResp r = MGMT__STORAGE_SCAN_RESP__INIT;
		Mgmt__HostDevice d[2], *dp[2] = { &d[0], &d[1] };

		mgmt__host_device__init(&d[0]);
		mgmt__host_device__init(&d[1]);
		d[0].name = "pmem0";
		d[0].pmem = true;
		d[0].size = 3200000000000ull;
		d[1].name = "nvme0n1";
		d[1].pci_addr = "0000:81:00.0";
		d[1].model = "INTEL SSDPED1K750GA";
		d[1].size = 750000000000ull;
		r.devices = dp;
		r.n_devices = 2;
		reply_msg(req, &r.base);
		return;
	}
	case CTL_STORAGE_FORMAT: {
		Mgmt__StorageFormatResp r = MGMT__STORAGE_FORMAT_RESP__INIT;
		Mgmt__DeviceResult d[2], *dp[2] = { &d[0], &d[1] };

		mgmt__device_result__init(&d[0]);
		mgmt__device_result__init(&d[1]);
		d[0].device = "/mnt/daos0";
		d[1].device = "0000:81:00.0";
		r.scm = dp;
		r.n_scm = 1;
		r.bdev = dp + 1;
		r.n_bdev = 1;
		reply_msg(req, &r.base);
		return;
	}
	case CTL_SYSTEM_QUERY: {
		Mgmt__SystemQueryResp r = MGMT__SYSTEM_QUERY_RESP__INIT;
		Mgmt__Member m[4], *mp[4];
		unsigned int i;

		for (i = 0; i < 4; i++) {
			mgmt__member__init(&m[i]);
			m[i].rank = i;
			m[i].state = i < 3 ? "Joined" : "Stopped";
			m[i].uuid = "5c0e0000-0000-0000-0000-000000000000";
			m[i].addr = "127.0.0.1:10001";
			m[i].fault_domain = "/node1";
			mp[i] = &m[i];
		}
		r.members = mp;
		r.n_members = 4;
		reply_msg(req, &r.base);
		return;
	}
	case CTL_POOL_CREATE: {
		Mgmt__PoolCreateReq *q;
		Mgmt__PoolCreateResp r = MGMT__POOL_CREATE_RESP__INIT;
		uint64_t tiers[2] = { 60000000ull, 940000000ull };

		q = mgmt__pool_create_req__unpack(&proto_allocator, info->len, info->body);
		if (q != NULL && strcmp(q->label, "forbidden") == 0) {
			mgmt__pool_create_req__free_unpacked(q, &proto_allocator);
			ctl_req_reply(req, -DER_NO_PERM, "the admin role is required", NULL, NULL,
				      0);
			return;
		}
		if (q != NULL)
			mgmt__pool_create_req__free_unpacked(q, &proto_allocator);
		r.uuid = "3f1c0a2e-9a2e-4b1c-8d3e-0123456789ab";
		r.svc_reps = "0";
		r.tgt_ranks = "0-3";
		r.tier_bytes = tiers;
		r.n_tier_bytes = 2;
		reply_msg(req, &r.base);
		return;
	}
	case CTL_POOL_LIST: {
		Mgmt__ListPoolsResp r = MGMT__LIST_POOLS_RESP__INIT;
		Mgmt__PoolInfo p, *pp = &p;
		Mgmt__StorageUsage u[2], *up[2];

		pool_info(&p, u, up);
		r.pools = &pp;
		r.n_pools = 1;
		reply_msg(req, &r.base);
		return;
	}
	case CTL_POOL_QUERY:
	case CTL_POOL_DESTROY: {
		Mgmt__PoolIdReq *q;
		Mgmt__PoolResp r = MGMT__POOL_RESP__INIT;
		Mgmt__PoolInfo p;
		Mgmt__StorageUsage u[2], *up[2];
		bool missing;

		q = mgmt__pool_id_req__unpack(&proto_allocator, info->len, info->body);
		missing = q == NULL || strcmp(q->id, "tank") != 0;
		if (q != NULL)
			mgmt__pool_id_req__free_unpacked(q, &proto_allocator);
		if (missing) {
			r.status = -DER_NONEXIST;
			r.message = "pool not found";
		} else if (info->method == CTL_POOL_QUERY) {
			pool_info(&p, u, up);
			r.info = &p;
		}
		reply_msg(req, &r.base);
		return;
	}
	default:
		ctl_req_reply(req, -DER_NOSYS, "not in this fake", NULL, NULL, 0);
	}
}

static void
stop_cb(uv_async_t *a)
{
	struct fake *f = a->data;

	ctl_server_stop(f->srv);
	uv_close((uv_handle_t *)a, NULL);
}

static void *
loop_thread(void *arg)
{
	struct fake *f = arg;

	uv_run(&f->loop, UV_RUN_DEFAULT);
	return NULL;
}

static void
fake_start(struct fake *f)
{
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_int_equal(
		ctl_server_start(&f->loop, "127.0.0.1", 0, NULL, DAOS_VERSION, handler, f, &f->srv),
		0);
	f->port = ctl_server_port(f->srv);
	uv_async_init(&f->loop, &f->stop, stop_cb);
	f->stop.data = f;
	assert_int_equal(pthread_create(&f->thread, NULL, loop_thread, f), 0);
}

static void
fake_stop(struct fake *f)
{
	uv_async_send(&f->stop);
	pthread_join(f->thread, NULL);
	uv_loop_close(&f->loop);
}

static void
write_cfg(const char *path, const char *hosts)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "name: daos_server\nhostlist: [%s]\ntransport_config:\n  allow_insecure: true\n",
		hosts);
	fclose(f);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = d_calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

struct run {
	int status;
	char *out;
	char *err;
};

/* Run dmg with @args (NULL-terminated after the config path is prepended). */
static void
dmg_run(struct run *r, const char *cfg, const char *const *args)
{
	const char *bin = getenv("DMG_BIN");
	char out_path[600], err_path[600];
	const char *argv[32];
	unsigned int n = 0;
	pid_t pid;
	int st;

	assert_non_null(bin);
	snprintf(out_path, sizeof(out_path), "%s/out", tmpdir);
	snprintf(err_path, sizeof(err_path), "%s/err", tmpdir);
	argv[n++] = bin;
	if (cfg != NULL) {
		argv[n++] = "-o";
		argv[n++] = cfg;
	}
	while (*args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, 1);
		dup2(e, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(out_path);
	r->err = slurp(err_path);
}

static void
run_fini(struct run *r)
{
	d_free(r->out);
	d_free(r->err);
}

#define RUN(r, cfg, ...)                                        \
	do {                                                    \
		const char *const a_[] = { __VA_ARGS__, NULL }; \
		dmg_run(&(r), (cfg), a_);                       \
	} while (0)

static void
expect_in(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

static void
storage(void **state)
{
	struct run r;

	(void)state;
	RUN(r, cfg_path, "storage", "scan");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "Hosts");
	expect_in(r.out, "3.2 TB (1 namespace) 750 GB (1 controller)");
	run_fini(&r);
	RUN(r, cfg_path, "storage", "scan", "--verbose");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "0000:81:00.0 INTEL SSDPED1K750GA");
	run_fini(&r);
	RUN(r, cfg_path, "storage", "format");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "Format Summary:\n  Hosts");
	expect_in(r.out, " 1           1\n");
	run_fini(&r);
}

static void
system_query(void **state)
{
	struct run r;

	(void)state;
	RUN(r, cfg_path, "system", "query");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Rank  State\n----  -----\n[0-2] Joined\n3     Stopped\n");
	assert_string_equal(r.err, "");
	run_fini(&r);
	RUN(r, cfg_path, "system", "query", "-v");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "Rank UUID                                 Control Address Fault Domain "
			 "State   Reason\n");
	expect_in(r.out, "3    5c0e0000-0000-0000-0000-000000000000 127.0.0.1:10001 /node1       "
			 "Stopped\n");
	run_fini(&r);
	RUN(r, cfg_path, "-j", "system", "query");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "\"response\": {");
	expect_in(r.out, "\"state\": \"Stopped\"");
	expect_in(r.out, "\"error\": null");
	expect_in(r.out, "\"status\": 0");
	run_fini(&r);
}

static void
pools(void **state)
{
	struct run r;

	(void)state;
	RUN(r, cfg_path, "pool", "create", "--size", "4GB", "tank");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "Creating DAOS pool with automatic storage allocation: 4.0 GB total");
	expect_in(r.out, "Pool created with 6.00%,94.00% storage tier ratio\n");
	expect_in(r.out, "  Service Ranks        : 0\n");
	expect_in(r.out, "  Storage Ranks        : [0-3]\n");
	expect_in(r.out, "  Storage tier 1 (NVMe): 3.8 GB (940 MB / rank)\n");
	run_fini(&r);
	RUN(r, cfg_path, "pool", "list");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Pool Size   State Used Imbalance Disabled\n"
				   "---- ----   ----- ---- --------- --------\n"
				   "tank 100 GB Ready 25%  0%        0/16\n\n");
	run_fini(&r);
	RUN(r, cfg_path, "pool", "query", "tank");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "Pool 3f1c0a2e-9a2e-4b1c-8d3e-0123456789ab, ntarget=16, disabled=0");
	expect_in(r.out, "- Storage tier 1 (NVME):\n  Total size: 100 GB\n");
	run_fini(&r);
	RUN(r, cfg_path, "pool", "destroy", "tank");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Pool-destroy command succeeded\n");
	run_fini(&r);
	/* unknown pool: the server's message and code, exit 1 */
	RUN(r, cfg_path, "pool", "query", "nosuch");
	assert_int_equal(r.status, 1);
	expect_in(r.err, "ERROR: dmg: PoolQuery failed: pool not found: DER_NONEXIST(-1005)");
	run_fini(&r);
	RUN(r, cfg_path, "-j", "pool", "destroy", "nosuch");
	assert_int_equal(r.status, 1);
	expect_in(r.out, "\"status\": -1005");
	expect_in(r.out, "\"response\": null");
	run_fini(&r);
	/* permission refused by the server */
	RUN(r, cfg_path, "pool", "create", "-z", "1G", "forbidden");
	assert_int_equal(r.status, 1);
	expect_in(r.err, "PoolCreate: permission denied: the admin role is required");
	run_fini(&r);
}

static void
leader_hint(void **state)
{
	struct run r;

	(void)state;
	RUN(r, cfg_follower, "system", "query");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "[0-2] Joined");
	run_fini(&r);
}

static void
server_down(void **state)
{
	struct run r;

	(void)state;
	RUN(r, cfg_down, "system", "query");
	assert_int_equal(r.status, 1);
	expect_in(r.err, "127.0.0.1:1: cannot connect");
	run_fini(&r);
	RUN(r, cfg_down, "storage", "scan");
	assert_int_equal(r.status, 1);
	expect_in(r.out, "127.0.0.1:1 cannot connect");
	expect_in(r.err, "127.0.0.1:1");
	run_fini(&r);
	/* -l overrides the file: one good host, one dead one */
	{
		char hl[64];

		snprintf(hl, sizeof(hl), "127.0.0.1:1,127.0.0.1:%u", leader.port);
		RUN(r, cfg_down, "storage", "scan", "-l", hl);
		assert_int_equal(r.status, 1);
		expect_in(r.out, "Errors:");
		expect_in(r.out, "3.2 TB (1 namespace)");
		run_fini(&r);
	}
}

static void
bad_args(void **state)
{
	static const char *const cases[][4] = {
		{ "pool", "frob", NULL, "Unknown command `frob'" },
		{ "pool", "create", "--size", "expected argument for flag `-z, --size'" },
		{ "pool", "query", "--nope", "unknown flag `nope'" },
		{ "system", "query", "-r", "expected argument" },
	};
	struct run r;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *const a[] = { cases[i][0], cases[i][1], cases[i][2], NULL };

		dmg_run(&r, cfg_path, a);
		assert_int_equal(r.status, 1);
		expect_in(r.err, cases[i][3]);
		run_fini(&r);
	}
	RUN(r, cfg_path, "pool", "create", "-z", "12Q", "x");
	assert_int_equal(r.status, 1);
	expect_in(r.err, "invalid --size \"12Q\"");
	run_fini(&r);
	RUN(r, cfg_path, "system", "query", "--ranks", "5-2");
	assert_int_equal(r.status, 1);
	expect_in(r.err, "invalid rank list \"5-2\"");
	run_fini(&r);
	RUN(r, "/nonexistent/dmg.yml", "system", "query");
	assert_int_equal(r.status, 1);
	expect_in(r.err, "/nonexistent/dmg.yml");
	run_fini(&r);
	RUN(r, cfg_path, "pool", "--help");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "Available commands:");
	run_fini(&r);
}

static int
setup(void **state)
{
	char hosts[128];

	(void)state;
	tmpdir = test_tmpdir("dmg_cli");
	if (tmpdir == NULL)
		return -1;
	fake_start(&leader);
	snprintf(follower.hint, sizeof(follower.hint), "127.0.0.1:%u", leader.port);
	fake_start(&follower);
	snprintf(cfg_path, sizeof(cfg_path), "%s/leader.yml", tmpdir);
	snprintf(hosts, sizeof(hosts), "'127.0.0.1:%u'", leader.port);
	write_cfg(cfg_path, hosts);
	snprintf(cfg_follower, sizeof(cfg_follower), "%s/follower.yml", tmpdir);
	snprintf(hosts, sizeof(hosts), "'127.0.0.1:%u'", follower.port);
	write_cfg(cfg_follower, hosts);
	snprintf(cfg_down, sizeof(cfg_down), "%s/down.yml", tmpdir);
	write_cfg(cfg_down, "'127.0.0.1:1'");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[700];

	(void)state;
	fake_stop(&follower);
	fake_stop(&leader);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return -1;
	d_free(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(storage),     cmocka_unit_test(system_query),
		cmocka_unit_test(pools),       cmocka_unit_test(leader_hint),
		cmocka_unit_test(server_down), cmocka_unit_test(bad_args),
	};

	d_log_init();
	d_log_setmasks("FATAL");
	return cmocka_run_group_tests(tests, setup, teardown);
}
