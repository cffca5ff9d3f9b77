/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_unit_tests.c - dmg without a server: the argument parser, host sets, pool create's
 * client-side checks, the printers against the reference layouts (§3.6-3.10), the JSON
 * converter and config generate on invented machines (its output must load with
 * config_server_parse()).
 */
#include "common/test.h"
#include "control/dmg/dmg_int.h"
#include "control/tests/cli_test.h"

static int
parse(const char *line, struct cli_args *a, const struct cli_cmd **cmd, char *err, size_t len)
{
	return cli_test_parse(&dmg_cli, line, a, cmd, err, len);
}

static void
args_ok(void **state)
{
	const struct cli_cmd *cmd;
	struct cli_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse("dmg -j pool create -z 10G --nsvc=3 -P rd_fac:1 tank", &a, &cmd, err,
			       sizeof(err)),
			 0);
	assert_string_equal(cmd->name, "create");
	assert_true(a.set[DMG_OPT_JSON]);
	assert_string_equal(a.val[DMG_OPT_SIZE], "10G");
	assert_string_equal(a.val[DMG_OPT_NSVC], "3");
	assert_string_equal(a.val[DMG_OPT_PROPERTIES], "rd_fac:1");
	assert_int_equal(a.nr_pos, 1);
	assert_string_equal(a.pos[0], "tank");
	/* -v is --nsvc here and --verbose in pool list; global options after the command */
	assert_int_equal(parse("dmg pool create -v3 -z1G x", &a, &cmd, err, sizeof(err)), 0);
	assert_string_equal(a.val[DMG_OPT_NSVC], "3");
	assert_int_equal(parse("dmg pool ls -v -l node[1-2] -i", &a, &cmd, err, sizeof(err)), 0);
	assert_true(a.set[DMG_OPT_VERBOSE] && a.set[DMG_OPT_INSECURE]);
	assert_string_equal(a.val[DMG_OPT_HOSTLIST], "node[1-2]");
	assert_int_equal(parse("dmg sys query --help", &a, &cmd, err, sizeof(err)), 0);
	assert_true(a.set[DMG_OPT_HELP]);
	assert_int_equal(parse("dmg storage query usage", &a, &cmd, err, sizeof(err)), 0);
	assert_ptr_equal(cmd->run, dmg_storage_usage);
	assert_int_equal(parse("dmg pool destroy -- -odd-label", &a, &cmd, err, sizeof(err)), 0);
	assert_string_equal(a.pos[0], "-odd-label");
}

static void
args_bad(void **state)
{
	static const struct cli_test_bad bad[] = {
		{ "dmg", "Please specify one command of: storage, system, pool" },
		{ "dmg frob", "Unknown command `frob'" },
		{ "dmg pool create --size", "expected argument for flag `-z, --size'" },
		{ "dmg pool create --bogus x", "unknown flag `bogus'" },
		{ "dmg pool create -Q x", "unknown flag `Q'" },
		{ "dmg pool query",
		  "the required argument `<pool label or UUID>' was not provided" },
		{ "dmg pool query a b", "unexpected argument `b'" },
		{ "dmg system query --not-ok=1", "does not take a value" },
		{ "dmg storage scan --nsvc 3", "unknown flag `nsvc'" },
	};

	(void)state;
	cli_test_refused(&dmg_cli, bad, ARRAY_SIZE(bad));
}

static void
hostsets(void **state)
{
	char *h1[] = { "node3:10001", "node1:10001", "node2:10001", "node4:10001" };
	char *h2[] = { "10.8.1.20:10001", "10.8.1.21:10001", "10.8.1.23:10001", "login:10001" };
	char *h3[] = { "node01:10001", "node02:10002" };
	char *s;

	(void)state;
	assert_int_equal(dmg_hostset_str(h1, 4, 10001, &s), 0);
	assert_string_equal(s, "node[1-4]");
	d_free(s);
	assert_int_equal(dmg_hostset_str(h2, 4, 10001, &s), 0);
	assert_string_equal(s, "10.8.1.[20-21,23],login");
	d_free(s);
	assert_int_equal(dmg_hostset_str(h3, 2, 10001, &s), 0);
	assert_string_equal(s, "node01,node02:10002");
	d_free(s);
	assert_int_equal(dmg_hostset_str(h1, 1, 10001, &s), 0);
	assert_string_equal(s, "node3");
	d_free(s);
}

/* DAOS's rank sets: one rank bare, several in brackets; pool query's always bare. */
static void
rank_sets(void **state)
{
	static const struct {
		const char *in;
		const char *set;
		const char *bare;
	} cases[] = {
		{ "0", "0", "0" },
		{ "[0]", "0", "0" },
		{ "[7]", "7", "7" },
		{ "0-3", "[0-3]", "0-3" },
		{ "[2,0]", "[0,2]", "0,2" },
		{ "5,0-3", "[0-3,5]", "0-3,5" },
		{ "", "", "" },
		{ "[]", "", "" },
		{ "x", "x", "x" },
	};
	d_rank_list_t *rl;
	unsigned int i;
	char *s;
	TEST_ALLOC_MARK();

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		s = cli_ranks_text(cases[i].in, false);
		assert_non_null(s);
		if (strcmp(s, cases[i].set) != 0)
			fail_msg("\"%s\": got \"%s\", expected \"%s\"", cases[i].in, s,
				 cases[i].set);
		d_free(s);
		s = cli_ranks_text(cases[i].in, true);
		assert_non_null(s);
		assert_string_equal(s, cases[i].bare);
		d_free(s);
	}
	rl = d_rank_list_alloc(0);
	assert_non_null(rl);
	assert_int_equal(d_rank_list_append(rl, 4), 0);
	s = cli_ranks_str(rl, false);
	assert_string_equal(s, "4");
	d_free(s);
	assert_int_equal(d_rank_list_append(rl, 5), 0);
	s = cli_ranks_str(rl, false);
	assert_string_equal(s, "[4-5]");
	d_free(s);
	d_rank_list_free(rl);
	TEST_ALLOC_CHECK();
}

static void
print_pool_create(void **state)
{
	Mgmt__PoolCreateResp r = MGMT__POOL_CREATE_RESP__INIT;
	Mgmt__PoolCreateReq q = MGMT__POOL_CREATE_REQ__INIT;
	uint64_t tiers[] = { 7500000000ull, 117500000000ull };
	double ratio[] = { 6, 94 };
	char *out = NULL;

	(void)state;
	r.uuid = "3f1c0a2e-9a2e-4b1c-8d3e-0123456789ab";
	r.svc_ldr = 2;
	r.svc_reps = "0-4";
	r.tgt_ranks = "0-7";
	r.tier_bytes = tiers;
	r.n_tier_bytes = 2;
	q.total_bytes = 1000000000000ull;
	q.tier_ratio = ratio;
	q.n_tier_ratio = 2;
	TEST_CAPTURE(out, (dmg_print_pool_create_intro(f, &q), dmg_print_pool_create(f, &r)));
	assert_string_equal(
		out,
		"Creating DAOS pool with automatic storage allocation: 1.0 TB total, 6.00% storage tier ratio\n"
		"Pool created with 6.00%,94.00% storage tier ratio\n"
		"-------------------------------------------------\n"
		"  UUID                 : 3f1c0a2e-9a2e-4b1c-8d3e-0123456789ab\n"
		"  Service Leader       : 2\n"
		"  Service Ranks        : [0-4]\n"
		"  Storage Ranks        : [0-7]\n"
		"  Total Size           : 1.0 TB\n"
		"  Storage tier 0 (SCM) : 60 GB (7.5 GB / rank)\n"
		"  Storage tier 1 (NVMe): 940 GB (118 GB / rank)\n\n");
	free(out);
	/* one service rank: bare, as DAOS prints it */
	r.svc_reps = "[0]";
	r.tgt_ranks = "[0-1]";
	TEST_CAPTURE(out, dmg_print_pool_create(f, &r));
	assert_non_null(
		strstr(out, "  Service Ranks        : 0\n  Storage Ranks        : [0-1]\n"));
	free(out);
}

static Mgmt__Member *
member(Mgmt__Member *m, uint32_t rank, const char *state)
{
	mgmt__member__init(m);
	m->rank = rank;
	m->state = (char *)state;
	m->uuid = "5c0e0000-0000-0000-0000-000000000000";
	m->addr = "10.0.0.11:10001";
	m->fault_domain = "/node11";
	return m;
}

static void
print_system_query(void **state)
{
	Mgmt__SystemQueryResp r = MGMT__SYSTEM_QUERY_RESP__INIT;
	Mgmt__Member m[8], *mp[8];
	char *out = NULL;
	unsigned int i;

	(void)state;
	for (i = 0; i < 8; i++)
		mp[7 - i] = member(&m[i], i, i < 6 ? "Joined" : "Excluded");
	r.members = mp;
	r.n_members = 8;
	TEST_CAPTURE(out, dmg_print_system_query(f, &r, false));
	assert_string_equal(out, "Rank  State\n"
				 "----  -----\n"
				 "[0-5] Joined\n"
				 "[6-7] Excluded\n");
	free(out);
	m[7].state = "Stopped";
	r.absent_ranks = "[9]";
	TEST_CAPTURE(out, dmg_print_system_query(f, &r, false));
	assert_string_equal(out, "Rank  State\n"
				 "----  -----\n"
				 "[0-5] Joined\n"
				 "6     Excluded\n"
				 "7     Stopped\n"
				 "9     Unknown Rank\n");
	free(out);
	r.absent_ranks = "";
	r.n_members = 1;
	mp[0] = member(&m[0], 1, "Errored");
	m[0].info = "DAOS engine 1 exited unexpectedly";
	TEST_CAPTURE(out, dmg_print_system_query(f, &r, true));
	assert_string_equal(
		out,
		"Rank UUID                                 Control Address Fault Domain State   Reason\n"
		"---- ----                                 --------------- ------------ -----   ------\n"
		"1    5c0e0000-0000-0000-0000-000000000000 10.0.0.11:10001 /node11      Errored DAOS engine 1 exited unexpectedly\n");
	free(out);
}

static void
print_pool_list(void **state)
{
	Mgmt__ListPoolsResp r = MGMT__LIST_POOLS_RESP__INIT;
	Mgmt__PoolInfo p[2], *pp[2];
	Mgmt__StorageUsage u[4], *up[2][2];
	char *out = NULL;
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		mgmt__pool_info__init(&p[i]);
		mgmt__storage_usage__init(&u[2 * i]);
		mgmt__storage_usage__init(&u[2 * i + 1]);
		up[i][0] = &u[2 * i];
		up[i][1] = &u[2 * i + 1];
		p[i].tier_stats = up[i];
		p[i].n_tier_stats = 2;
		p[i].state = "Ready";
		p[i].total_targets = 64;
		p[i].active_targets = 64;
		pp[i] = &p[i];
	}
	p[0].label = "tank";
	u[1].total = 940000000000ull;
	u[1].free = 827200000000ull;
	u[1].min = 12900000000ull;
	u[1].max = 13046875000ull;
	p[1].label = "scratch";
	p[1].disabled_targets = 8;
	u[3].total = 47000000000ull;
	u[3].free = 47000000000ull;
	r.pools = pp;
	r.n_pools = 2;
	TEST_CAPTURE(out, dmg_print_pool_list(f, &r, false, false));
	assert_string_equal(out, "Pool    Size   State Used Imbalance Disabled\n"
				 "----    ----   ----- ---- --------- --------\n"
				 "tank    940 GB Ready 12%  1%        0/64\n"
				 "scratch 47 GB  Ready 0%   0%        8/64\n\n");
	free(out);
	TEST_CAPTURE(out, dmg_print_pool_list(f, &r, false, true));
	assert_string_equal(out, "Pool    State\n----    -----\ntank    Ready\nscratch Ready\n\n");
	free(out);
	r.n_pools = 0;
	TEST_CAPTURE(out, dmg_print_pool_list(f, &r, false, false));
	assert_string_equal(out, "No pools in system\n");
	free(out);
}

/* Pool query's health lines: ranks bare ("0-6", "7"), as in DAOS's reference sample. */
static void
print_pool_query_ranks(void **state)
{
	Mgmt__PoolInfo p = MGMT__POOL_INFO__INIT;
	char *out = NULL;

	(void)state;
	p.uuid = "55cc0000-0000-0000-0000-000000006f6f";
	p.state = "TargetsExcluded";
	p.enabled_ranks = "[0-6]";
	p.disabled_ranks = "[7]";
	TEST_CAPTURE(out, dmg_print_pool_query(f, &p, true, true));
	assert_non_null(strstr(out, "Pool health info:\n"
				    "- Enabled ranks: 0-6\n"
				    "- Disabled ranks: 7\n"));
	free(out);
	p.disabled_ranks = "";
	TEST_CAPTURE(out, dmg_print_pool_query(f, &p, false, true));
	assert_null(strstr(out, "ranks"));
	free(out);
}

static void
print_get_prop(void **state)
{
	Mgmt__PoolResp r = MGMT__POOL_RESP__INIT;
	Mgmt__PoolProperty p[5], *pp[5];
	static const char *const kv[5][2] = {
		{ "checkpoint", "timed" }, { "ec_cell_sz", "131072" }, { "space_rb", "5" },
		{ "svc_list", "[0-4]" },   { "scrub_freq", "" },
	};
	char *out = NULL;
	unsigned int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		mgmt__pool_property__init(&p[i]);
		p[i].name = (char *)kv[i][0];
		p[i].value = (char *)kv[i][1];
		pp[i] = &p[i];
	}
	r.properties = pp;
	r.n_properties = 5;
	TEST_CAPTURE(out, dmg_print_pool_props(f, "tank", &r));
	assert_string_equal(out, "Pool tank properties:\n"
				 "Name                                      Value\n"
				 "----                                      -----\n"
				 "WAL checkpointing behavior (checkpoint)   timed\n"
				 "EC cell size (ec_cell_sz)                 128 KiB\n"
				 "Rebuild space ratio (space_rb)            5%\n"
				 "Pool service replica list (svc_list)      [0-4]\n"
				 "Checksum scrubbing frequency (scrub_freq) not set\n");
	free(out);
}

static void
print_ranks_and_leader(void **state)
{
	Mgmt__SystemRanksResp r = MGMT__SYSTEM_RANKS_RESP__INIT;
	Mgmt__LeaderQueryResp l = MGMT__LEADER_QUERY_RESP__INIT;
	Mgmt__RankResult res[4], *rp[4];
	char *reps[] = { "a:10001", "b:10001" };
	char *out = NULL;
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		mgmt__rank_result__init(&res[i]);
		res[i].rank = i;
		res[i].action = "stop";
		rp[i] = &res[i];
	}
	res[3].errored = true;
	res[3].message = "timed out";
	r.results = rp;
	r.n_results = 4;
	TEST_CAPTURE(out, dmg_print_rank_results(f, &r));
	assert_string_equal(out, "Rank  Operation Result\n"
				 "----  --------- ------\n"
				 "[0-2] stop      OK\n"
				 "3     stop      timed out\n");
	free(out);
	l.current_leader = "a:10001";
	l.replicas = reps;
	l.n_replicas = 2;
	TEST_CAPTURE(out, dmg_print_leader(f, &l, false));
	assert_string_equal(out, "Current Leader: a:10001\nReplica Set: a:10001, b:10001\n");
	free(out);
}

static void
print_storage(void **state)
{
	Mgmt__StorageScanResp s[2];
	Mgmt__HostDevice d[2], *dp[2];
	Mgmt__StorageFormatResp fr = MGMT__STORAGE_FORMAT_RESP__INIT;
	Mgmt__DeviceResult dr[2], *drp[2];
	struct dmg_host_reply r[3] = { 0 };
	char *out = NULL;
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		mgmt__host_device__init(&d[i]);
		dp[i] = &d[i];
	}
	d[0].name = "pmem0";
	d[0].pmem = true;
	d[0].size = 3200000000000ull;
	d[1].name = "nvme0n1";
	d[1].pci_addr = "0000:81:00.0";
	d[1].size = 750000000000ull;
	for (i = 0; i < 2; i++) {
		mgmt__storage_scan_resp__init(&s[i]);
		s[i].devices = dp;
		s[i].n_devices = 2;
		r[i].resp = &s[i].base;
	}
	r[0].host = "wolf-71:10001";
	r[1].host = "wolf-72:10001";
	r[2].host = "wolf-73:10001";
	r[2].rc = -DER_UNREACH;
	r[2].error = "wolf-73:10001: cannot connect";
	TEST_CAPTURE(out, dmg_print_storage_scan(f, r, 3, 10001, false, false));
	assert_string_equal(out, "Errors:\n"
				 "  Hosts   Error\n"
				 "  -----   -----\n"
				 "  wolf-73 cannot connect\n\n"
				 "Hosts        SCM Total            NVMe Total\n"
				 "-----        ---------            ----------\n"
				 "wolf-[71-72] 3.2 TB (1 namespace) 750 GB (1 controller)\n");
	free(out);

	for (i = 0; i < 2; i++) {
		mgmt__device_result__init(&dr[i]);
		drp[i] = &dr[i];
	}
	dr[0].device = "/mnt/daos0";
	dr[1].device = "0000:81:00.0";
	fr.scm = drp;
	fr.n_scm = 1;
	fr.bdev = drp + 1;
	fr.n_bdev = 1;
	r[0].resp = &fr.base;
	r[1].resp = &fr.base;
	TEST_CAPTURE(out, dmg_print_storage_format(f, r, 2, 10001, false));
	assert_string_equal(out, "Format Summary:\n"
				 "  Hosts        SCM Devices NVMe Devices\n"
				 "  -----        ----------- ------------\n"
				 "  wolf-[71-72] 1           1\n");
	free(out);
}

/*
 * A host with only emulated storage (class ram and class file): the RAM tier counts as an
 * SCM namespace of scm_size, each file as an NVMe controller of its size; -v lists them.
 */
static void
print_storage_emulated(void **state)
{
	Mgmt__StorageScanResp s = MGMT__STORAGE_SCAN_RESP__INIT;
	Mgmt__TierState t[2], *tp[2] = { &t[0], &t[1] };
	char *files[] = { "/srv/daos/bdev0", "/srv/daos/bdev1" };
	uint64_t sizes[] = { 1000000000ull, 4000000000ull };
	struct dmg_host_reply r = { 0 };
	char *out = NULL;

	(void)state;
	mgmt__tier_state__init(&t[0]);
	mgmt__tier_state__init(&t[1]);
	t[0].class_ = "ram";
	t[0].path = "/mnt/daos0";
	t[0].total_bytes = 2ull << 30;
	t[0].socket = 0;
	t[1].tier = 1;
	t[1].class_ = "file";
	t[1].path = files[0];
	t[1].devices = files;
	t[1].n_devices = 2;
	t[1].device_bytes = sizes;
	t[1].n_device_bytes = 2;
	t[1].total_bytes = 5000000000ull;
	t[1].socket = 0;
	s.tiers = tp;
	s.n_tiers = 2;
	r.host = "wolf-71:10001";
	r.resp = &s.base;
	TEST_CAPTURE(out, dmg_print_storage_scan(f, &r, 1, 10001, false, false));
	assert_string_equal(out, "Hosts   SCM Total            NVMe Total\n"
				 "-----   ---------            ----------\n"
				 "wolf-71 2.1 GB (1 namespace) 5.0 GB (2 controllers)\n");
	free(out);
	TEST_CAPTURE(out, dmg_print_storage_scan(f, &r, 1, 10001, true, false));
	assert_string_equal(out, "-------\n"
				 "wolf-71\n"
				 "-------\n"
				 "SCM Namespace Socket Capacity\n"
				 "------------- ------ --------\n"
				 "/mnt/daos0    0      2.1 GB\n"
				 "\n"
				 "NVMe PCI        Model FW Revision Socket Capacity\n"
				 "--------        ----- ----------- ------ --------\n"
				 "/srv/daos/bdev0                   0      1.0 GB\n"
				 "/srv/daos/bdev1                   0      4.0 GB\n"
				 "\n");
	free(out);
	/* A server that sent only the tier's total: split evenly */
	t[1].n_device_bytes = 0;
	TEST_CAPTURE(out, dmg_print_storage_scan(f, &r, 1, 10001, true, false));
	assert_non_null(strstr(out, "/srv/daos/bdev1                   0      2.5 GB\n"));
	free(out);
}

static void
json_conversion(void **state)
{
	Mgmt__PoolCreateResp r = MGMT__POOL_CREATE_RESP__INIT;
	uint64_t tiers[] = { 1, 2 };
	json_t *j;
	char *s;

	(void)state;
	r.uuid = "u";
	r.svc_ldr = 3;
	r.status = -1005;
	r.tier_bytes = tiers;
	r.n_tier_bytes = 2;
	j = dmg_json_from_pb(&r.base);
	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(strstr(s, "\"status\":-1005"));
	assert_non_null(strstr(s, "\"uuid\":\"u\""));
	assert_non_null(strstr(s, "\"tier_bytes\":[1,2]"));
	free(s);
	json_decref(j);
}

static int
create_req(const char *line, Mgmt__PoolCreateReq *req, char *err, size_t len)
{
	struct cli_ctx ctx = { 0 };
	const struct cli_cmd *cmd;
	struct cli_args a;
	char perr[256];
	int rc;

	rc = parse(line, &a, &cmd, perr, sizeof(perr));
	assert_int_equal(rc, 0);
	rc = dmg_pool_create_req(&ctx, &a, req);
	snprintf(err, len, "%s", ctx.errmsg);
	return rc;
}

static void
pool_create_checks(void **state)
{
	static const struct {
		const char *line;
		const char *msg;
	} bad[] = {
		{ "dmg pool create x", "either --size or --scm-size" },
		{ "dmg pool create -z 1G -s 1G x", "--size may not be mixed" },
		{ "dmg pool create -n 1G x", "--nvme-size requires --scm-size" },
		{ "dmg pool create -z 10% -k 2 x", "percentage may not be used" },
		{ "dmg pool create -z 10% -t 3,97 x", "percentage may not be used" },
		{ "dmg pool create -z 101% x", "1%-100%" },
		{ "dmg pool create -z 1G -k 2 -r 0-1 x", "--nranks and --ranks" },
		{ "dmg pool create -z 1Q x", "invalid --size \"1Q\"" },
		{ "dmg pool create -z 1G -t 50,40 x", "invalid --tier-ratio" },
		{ "dmg pool create -z 1G -r 3-1 x", "invalid rank list \"3-1\"" },
		{ "dmg pool create -z 1G -v 14 x", "invalid --nsvc" },
		{ "dmg pool create -z 1G -P rd_fac:7 x", "rd_fac" },
		{ "dmg pool create -z 1G -P label:y x", "positional argument" },
		{ "dmg pool create -z 1G -P svc_list:1 x", "read-only" },
		{ "dmg pool create -z 1G a/b", "invalid label" },
		{ "dmg pool create -z 1G -a /nonexistent/acl x", "no such file" },
	};
	Mgmt__PoolCreateReq req;
	char err[1024];
	unsigned int i;

	(void)state;
	TEST_ALLOC_MARK();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (create_req(bad[i].line, &req, err, sizeof(err)) == 0)
			fail_msg("%s: accepted", bad[i].line);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("%s: got \"%s\"", bad[i].line, err);
	}
	assert_int_equal(create_req("dmg pool create -z 1.5TB -t 10 -P rd_fac:2,reclaim:time "
				    "-u bob -g staff@ --nsvc 3 -r 0-3 tank",
				    &req, err, sizeof(err)),
			 0);
	assert_int_equal(req.total_bytes, 1500000000000ull);
	assert_true(req.tier_ratio[0] == 10 && req.tier_ratio[1] == 90);
	assert_string_equal(req.user, "bob@");
	assert_string_equal(req.group, "staff@");
	assert_int_equal(req.num_svc_reps, 3);
	assert_int_equal(req.n_properties, 2);
	assert_string_equal(req.properties[1]->value, "time");
	dmg_pool_create_req_fini(&req);
	assert_int_equal(create_req("dmg pool create -s 1GiB -n 10G tank", &req, err, sizeof(err)),
			 0);
	assert_int_equal(req.tier_bytes[0], 1ull << 30);
	assert_int_equal(req.tier_bytes[1], 10000000000ull);
	dmg_pool_create_req_fini(&req);
	assert_int_equal(create_req("dmg pool create -z 50% tank", &req, err, sizeof(err)), 0);
	assert_int_equal(req.size_percent, 50);
	dmg_pool_create_req_fini(&req);
	TEST_ALLOC_CHECK();
}

static void
config_gen(void **state)
{
	struct dmg_hw hw = { 0 };
	struct cli_ctx ctx = { 0 };
	struct config_server *cfg = NULL;
	const struct cli_cmd *cmd;
	struct cli_args a;
	char err[256], *yaml = NULL;

	(void)state;
	hw.nr_cores = 32;
	hw.nr_numa = 2;
	hw.nr_ifaces = 2;
	snprintf(hw.ifaces[0].name, 64, "ib0");
	hw.ifaces[0].infiniband = true;
	snprintf(hw.ifaces[1].name, 64, "ib1");
	hw.ifaces[1].numa = 1;
	hw.ifaces[1].infiniband = true;
	hw.nr_nvme = 2;
	snprintf(hw.nvme[0].pci, 32, "0000:81:00.0");
	snprintf(hw.nvme[1].pci, 32, "0000:da:00.0");
	hw.nvme[1].numa = 1;
	hw.nr_pmem = 2;
	snprintf(hw.pmem[0], 32, "/dev/pmem0");
	snprintf(hw.pmem[1], 32, "/dev/pmem1");

	assert_int_equal(
		parse("dmg config generate -a wolf-71,wolf-72", &a, &cmd, err, sizeof(err)), 0);
	assert_int_equal(dmg_config_gen_yaml(&ctx, &hw, &a, &yaml), 0);
	assert_int_equal(config_server_parse("gen.yml", yaml, strlen(yaml), &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg->nr_engines, 2);
	assert_string_equal(cfg->engines[1].fabric_iface, "ib1");
	assert_int_equal(cfg->engines[0].targets, 11); /* 16 cores - 4 helpers - 1 */
	assert_string_equal(cfg->provider, "ofi+verbs;ofi_rxm");
	config_server_free(cfg);
	d_free(yaml);

	/* MD-on-SSD: tmpfs SCM and a control metadata path */
	assert_int_equal(parse("dmg config generate -a x -t -m /var/lib/daos -c infiniband", &a,
			       &cmd, err, sizeof(err)),
			 0);
	hw.nr_pmem = 0;
	assert_int_equal(dmg_config_gen_yaml(&ctx, &hw, &a, &yaml), 0);
	assert_int_equal(config_server_parse("gen.yml", yaml, strlen(yaml), &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg->engines[0].storage[0].class, CONFIG_CLASS_RAM);
	config_server_free(cfg);
	d_free(yaml);

	/* not enough SSDs, no PMem, no ethernet */
	assert_int_equal(
		parse("dmg config generate -a x -t -m /m --min-ssds 2", &a, &cmd, err, sizeof(err)),
		0);
	assert_int_equal(dmg_config_gen_yaml(&ctx, &hw, &a, &yaml), -DER_INVAL);
	assert_non_null(strstr(ctx.errmsg, "--min-ssds"));
	assert_int_equal(parse("dmg config generate -a x", &a, &cmd, err, sizeof(err)), 0);
	assert_int_equal(dmg_config_gen_yaml(&ctx, &hw, &a, &yaml), -DER_INVAL);
	assert_non_null(strstr(ctx.errmsg, "PMem"));
	assert_int_equal(
		parse("dmg config generate -a x -t -m /m -c ethernet", &a, &cmd, err, sizeof(err)),
		0);
	hw.nr_ifaces = 1;
	hw.ifaces[0].infiniband = false;
	hw.ifaces[0].numa = 0;
	assert_int_equal(dmg_config_gen_yaml(&ctx, &hw, &a, &yaml), -DER_INVAL);
	assert_non_null(strstr(ctx.errmsg, "network interface"));
}

/* The real machine: whatever it has, the output (if any) loads. */
static void
config_gen_this_host(void **state)
{
	struct dmg_hw hw;
	struct cli_ctx ctx = { 0 };
	struct config_server *cfg = NULL;
	const struct cli_cmd *cmd;
	struct cli_args a;
	char err[256], *yaml = NULL;

	(void)state;
	dmg_hw_detect(&hw);
	assert_true(hw.nr_cores >= 1 && hw.nr_numa >= 1);
	assert_int_equal(parse("dmg config generate -a localhost -t --min-ssds 0 -e 1", &a, &cmd,
			       err, sizeof(err)),
			 0);
	if (hw.nr_ifaces == 0)
		skip();
	assert_int_equal(dmg_config_gen_yaml(&ctx, &hw, &a, &yaml), 0);
	assert_int_equal(config_server_parse("gen.yml", yaml, strlen(yaml), &cfg, err, sizeof(err)),
			 0);
	config_server_free(cfg);
	d_free(yaml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(args_ok),           cmocka_unit_test(args_bad),
		cmocka_unit_test(hostsets),          cmocka_unit_test(rank_sets),
		cmocka_unit_test(print_pool_create), cmocka_unit_test(print_system_query),
		cmocka_unit_test(print_pool_list),   cmocka_unit_test(print_pool_query_ranks),
		cmocka_unit_test(print_get_prop),    cmocka_unit_test(print_ranks_and_leader),
		cmocka_unit_test(print_storage),     cmocka_unit_test(print_storage_emulated),
		cmocka_unit_test(json_conversion),   cmocka_unit_test(pool_create_checks),
		cmocka_unit_test(config_gen),        cmocka_unit_test(config_gen_this_host),
	};

	d_log_init();
	d_log_setmasks("FATAL");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
