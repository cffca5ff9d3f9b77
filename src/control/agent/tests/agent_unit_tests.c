/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_unit_tests.c - the agent's pure parts: interface selection (round-robin per NUMA
 * node, fallback to other nodes, a named interface, filters), the attach info cache
 * (hit, other system, expiry, disabled, environment switch), the reply shaping and
 * credentials (host user, client_user_map fallback).
 */
#define D_LOGFAC DD_FAC(tests)

#include <stdlib.h>
#include <unistd.h>

#include "common/test.h"
#include "control/agent/agent_int.h"
#include "mgmt.pb-c.h"

static void
set_make(struct agent_ifaces *set, const char *const *names, const int *numa, unsigned int nr)
{
	unsigned int i;

	memset(set, 0, sizeof(*set));
	set->ifs = d_calloc(nr, sizeof(*set->ifs));
	assert_non_null(set->ifs);
	for (i = 0; i < nr; i++) {
		snprintf(set->ifs[i].name, AGENT_NAME_LEN, "%s", names[i]);
		snprintf(set->ifs[i].domain, AGENT_NAME_LEN, "dom_%s", names[i]);
		set->ifs[i].numa_node = numa[i];
	}
	set->nr = nr;
}

/* Clients of one node take turns on that node's interfaces only. */
static void
select_round_robin_per_numa(void **state)
{
	static const char *const names[] = { "ib0", "ib1", "ib2" };
	static const int numa[] = { 0, 1, 0 };
	const struct agent_fabric_if *fi;
	struct agent_ifaces set;

	(void)state;
	TEST_ALLOC_MARK();
	set_make(&set, names, numa, 3);
	assert_int_equal(agent_iface_select(&set, 0, NULL, &fi), 0);
	assert_string_equal(fi->name, "ib0");
	assert_int_equal(agent_iface_select(&set, 0, NULL, &fi), 0);
	assert_string_equal(fi->name, "ib2");
	assert_int_equal(agent_iface_select(&set, 0, NULL, &fi), 0);
	assert_string_equal(fi->name, "ib0");
	assert_int_equal(agent_iface_select(&set, 1, NULL, &fi), 0);
	assert_string_equal(fi->name, "ib1");
	assert_string_equal(fi->domain, "dom_ib1");
	assert_int_equal(agent_iface_select(&set, 1, NULL, &fi), 0);
	assert_string_equal(fi->name, "ib1");
	agent_ifaces_fini(&set);
	TEST_ALLOC_CHECK();
}

/* A node without interfaces borrows from all; out-of-range nodes count as node 0. */
static void
select_falls_back_to_other_nodes(void **state)
{
	static const char *const names[] = { "eth0", "eth1" };
	static const int numa[] = { 1, 1 };
	const struct agent_fabric_if *fi;
	struct agent_ifaces set;

	(void)state;
	set_make(&set, names, numa, 2);
	assert_int_equal(agent_iface_select(&set, 3, NULL, &fi), 0);
	assert_string_equal(fi->name, "eth0");
	assert_int_equal(agent_iface_select(&set, 3, NULL, &fi), 0);
	assert_string_equal(fi->name, "eth1");
	assert_int_equal(agent_iface_select(&set, 9999, NULL, &fi), 0);
	assert_int_equal(agent_iface_select(&set, -1, NULL, &fi), 0);
	agent_ifaces_fini(&set);
}

/* A named interface is given if present, refused if not; an empty set has nothing. */
static void
select_named_and_empty(void **state)
{
	static const char *const names[] = { "eth0", "eth1" };
	static const int numa[] = { 0, 1 };
	const struct agent_fabric_if *fi = NULL;
	struct agent_ifaces set;
	struct agent_ifaces empty = { 0 };

	(void)state;
	set_make(&set, names, numa, 2);
	assert_int_equal(agent_iface_select(&set, 0, "eth1", &fi), 0);
	assert_string_equal(fi->name, "eth1");
	fi = NULL;
	assert_int_equal(agent_iface_select(&set, 0, "ib7", &fi), -DER_NONEXIST);
	assert_null(fi);
	assert_int_equal(agent_iface_select(&empty, 0, NULL, &fi), -DER_NONEXIST);
	agent_ifaces_fini(&set);
}

static void
filter_include_exclude(void **state)
{
	static const char *const names[] = { "eth0", "eth1", "ib0" };
	static const int numa[] = { 0, 0, 0 };
	char *inc_s[] = { "eth1", "ib0" };
	char *exc_s[] = { "ib0" };
	struct config_strlist inc = { .str = inc_s, .nr = 2 };
	struct config_strlist exc = { .str = exc_s, .nr = 1 };
	struct agent_ifaces set;

	(void)state;
	set_make(&set, names, numa, 3);
	agent_ifaces_filter(&set, &inc, NULL);
	assert_int_equal(set.nr, 2);
	assert_string_equal(set.ifs[0].name, "eth1");
	agent_ifaces_filter(&set, NULL, &exc);
	assert_int_equal(set.nr, 1);
	assert_string_equal(set.ifs[0].name, "eth1");
	agent_ifaces_fini(&set);
}

/* fabric_ifaces from the config: the domain defaults to the interface. */
static void
ifaces_from_config(void **state)
{
	static const char yml[] = "fabric_ifaces:\n"
				  "- numa_node: 0\n"
				  "  devices:\n"
				  "  - iface: ib0\n"
				  "    domain: mlx5_0\n"
				  "- numa_node: 1\n"
				  "  devices:\n"
				  "  - iface: eth1\n";
	struct config_agent *cfg;
	struct agent_ifaces set;
	const struct agent_fabric_if *fi;
	char err[256];

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(config_agent_parse("t.yml", yml, sizeof(yml) - 1, &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(agent_ifaces_from_config(cfg, &set), 0);
	assert_int_equal(set.nr, 2);
	assert_true(set.configured);
	assert_int_equal(agent_iface_select(&set, 0, NULL, &fi), 0);
	assert_string_equal(fi->name, "ib0");
	assert_string_equal(fi->domain, "mlx5_0");
	assert_int_equal(agent_iface_select(&set, 1, NULL, &fi), 0);
	assert_string_equal(fi->domain, "eth1");
	agent_ifaces_fini(&set);
	config_agent_free(cfg);
	TEST_ALLOC_CHECK();
}

/* Detection on this host finds at least loopback for tcp, and refuses bad providers. */
static void
detect_tcp(void **state)
{
	struct agent_ifaces set;

	(void)state;
	assert_int_equal(agent_ifaces_detect("ofi+tcp", NULL, NULL, &set), 0);
	assert_true(set.nr >= 1);
	assert_string_equal(set.provider, "ofi+tcp");
	agent_ifaces_fini(&set);
	assert_int_equal(agent_ifaces_detect("bogus", NULL, NULL, &set), -DER_INVAL);
}

static struct config_agent *
cfg_parse(const char *yml)
{
	struct config_agent *cfg;
	char err[256];

	assert_int_equal(config_agent_parse("t.yml", yml, strlen(yml), &cfg, err, sizeof(err)), 0);
	return cfg;
}

static void
cache_hit_other_system_expiry(void **state)
{
	struct config_agent *cfg;
	struct agent_cache cache;
	const uint8_t *body;
	size_t len;
	const uint64_t min = 60ull * 1000000000ull;

	(void)state;
	unsetenv("DAOS_AGENT_DISABLE_CACHE");
	TEST_ALLOC_MARK();
	cfg = cfg_parse("cache_expiration: 2\n");
	assert_int_equal(agent_cache_init(&cache, cfg), 0);
	assert_false(cache.disabled);
	assert_int_equal(agent_cache_lookup(&cache, "sys", 0, &body, &len), -DER_NONEXIST);
	assert_int_equal(agent_cache_store(&cache, "sys", "abc", 3, 1000), 0);
	assert_int_equal(agent_cache_lookup(&cache, "sys", 1000 + min, &body, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(body, "abc", 3);
	/* another system name is a miss */
	assert_int_equal(agent_cache_lookup(&cache, "other", 1000, &body, &len), -DER_NONEXIST);
	/* after cache_expiration minutes, a miss; a new store refreshes */
	assert_int_equal(agent_cache_lookup(&cache, "sys", 1000 + 2 * min, &body, &len),
			 -DER_NONEXIST);
	assert_int_equal(agent_cache_store(&cache, "sys", "defg", 4, 1000 + 2 * min), 0);
	assert_int_equal(agent_cache_lookup(&cache, "sys", 1000 + 2 * min, &body, &len), 0);
	assert_int_equal(len, 4);
	agent_cache_flush(&cache);
	assert_int_equal(agent_cache_lookup(&cache, "sys", 1000 + 2 * min, &body, &len),
			 -DER_NONEXIST);
	agent_cache_fini(&cache);
	config_agent_free(cfg);
	TEST_ALLOC_CHECK();
}

static void
cache_disabled(void **state)
{
	struct config_agent *cfg;
	struct agent_cache cache;
	const uint8_t *body;
	size_t len;

	(void)state;
	unsetenv("DAOS_AGENT_DISABLE_CACHE");
	cfg = cfg_parse("disable_caching: true\n");
	agent_cache_init(&cache, cfg);
	assert_true(cache.disabled);
	assert_int_equal(agent_cache_store(&cache, "sys", "abc", 3, 0), 0);
	assert_int_equal(agent_cache_lookup(&cache, "sys", 0, &body, &len), -DER_NONEXIST);
	agent_cache_fini(&cache);
	config_agent_free(cfg);

	cfg = cfg_parse("name: daos_server\n");
	setenv("DAOS_AGENT_DISABLE_CACHE", "true", 1);
	assert_true(agent_cache_env_disabled());
	agent_cache_init(&cache, cfg);
	assert_true(cache.disabled);
	agent_cache_fini(&cache);
	setenv("DAOS_AGENT_DISABLE_CACHE", "false", 1);
	assert_false(agent_cache_env_disabled());
	setenv("DAOS_AGENT_DISABLE_CACHE", "1", 1);
	assert_true(agent_cache_env_disabled());
	unsetenv("DAOS_AGENT_DISABLE_CACHE");
	assert_false(agent_cache_env_disabled());
	config_agent_free(cfg);
}

/* The reply keeps the MS's answer and carries our interface. */
static void
attach_reply_sets_hint(void **state)
{
	Mgmt__GetAttachInfoResp in = MGMT__GET_ATTACH_INFO_RESP__INIT;
	Mgmt__ClientNetHint hint = MGMT__CLIENT_NET_HINT__INIT;
	Mgmt__RankUri ru = MGMT__RANK_URI__INIT;
	Mgmt__RankUri *rus[] = { &ru };
	Mgmt__GetAttachInfoResp *out;
	struct agent_fabric_if fi = { .name = "eth9", .domain = "dom9" };
	uint8_t buf[512];
	uint8_t *reply;
	size_t len;
	size_t reply_len;

	(void)state;
	TEST_ALLOC_MARK();
	hint.provider = "ofi+tcp";
	hint.interface = "srv0";
	hint.crt_timeout = 7;
	ru.rank = 3;
	ru.uri = "ofi+tcp://10.0.0.1:31416";
	in.rank_uris = rus;
	in.n_rank_uris = 1;
	in.client_net_hint = &hint;
	in.system = "daos_server";
	len = mgmt__get_attach_info_resp__pack(&in, buf);
	assert_int_equal(agent_attach_reply(buf, len, &fi, &reply, &reply_len), 0);
	out = mgmt__get_attach_info_resp__unpack(&proto_allocator, reply_len, reply);
	assert_non_null(out);
	assert_string_equal(out->client_net_hint->interface, "eth9");
	assert_string_equal(out->client_net_hint->domain, "dom9");
	assert_string_equal(out->client_net_hint->provider, "ofi+tcp");
	assert_int_equal(out->client_net_hint->crt_timeout, 7);
	assert_int_equal(out->n_rank_uris, 1);
	assert_string_equal(out->rank_uris[0]->uri, "ofi+tcp://10.0.0.1:31416");
	mgmt__get_attach_info_resp__free_unpacked(out, &proto_allocator);
	d_free(reply);
	assert_int_equal(agent_attach_reply("\xff\xff", 2, &fi, &reply, &reply_len), -DER_PROTO);
	TEST_ALLOC_CHECK();
}

static void
creds_host_and_map(void **state)
{
	struct config_agent *cfg;
	struct sec_cred *cred;
	struct sec_auth_sys *sys;
	uint8_t *data;
	size_t len;
	char err[256];

	(void)state;
	TEST_ALLOC_MARK();
	cfg = cfg_parse("credential_config:\n"
			"  client_user_map:\n"
			"    default:\n"
			"      user: nobody\n"
			"      group: nogroup\n"
			"      groups: [g1, g2]\n");
	/* uid 0 exists everywhere */
	assert_int_equal(agent_creds_make(cfg, NULL, 0, 0, &data, &len, err, sizeof(err)), 0);
	assert_int_equal(sec_cred_decode(data, len, &cred), 0);
	assert_int_equal(sec_cred_verify(cred, NULL, &sys), 0);
	assert_string_equal(sys->user, "root@");
	assert_string_equal(cred->origin, "agent");
	sec_auth_sys_free(sys);
	sec_cred_free(cred);
	d_free(data);
	/* an unknown uid takes the default map entry, as principals */
	assert_int_equal(
		agent_creds_make(cfg, NULL, 3999999, 3999999, &data, &len, err, sizeof(err)), 0);
	assert_int_equal(sec_cred_decode(data, len, &cred), 0);
	assert_int_equal(sec_cred_verify(cred, NULL, &sys), 0);
	assert_string_equal(sys->user, "nobody@");
	assert_string_equal(sys->group, "nogroup@");
	assert_int_equal(sys->nr_groups, 2);
	assert_string_equal(sys->groups[1], "g2@");
	sec_auth_sys_free(sys);
	sec_cred_free(cred);
	d_free(data);
	config_agent_free(cfg);

	/* without a map, an unknown uid is refused with a message */
	cfg = cfg_parse("name: daos_server\n");
	assert_int_equal(agent_creds_make(cfg, NULL, 3999999, 1, &data, &len, err, sizeof(err)),
			 -DER_NONEXIST);
	assert_non_null(strstr(err, "3999999"));
	config_agent_free(cfg);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(select_round_robin_per_numa),
		cmocka_unit_test(select_falls_back_to_other_nodes),
		cmocka_unit_test(select_named_and_empty),
		cmocka_unit_test(filter_include_exclude),
		cmocka_unit_test(ifaces_from_config),
		cmocka_unit_test(detect_tcp),
		cmocka_unit_test(cache_hit_other_system_expiry),
		cmocka_unit_test(cache_disabled),
		cmocka_unit_test(attach_reply_sets_hint),
		cmocka_unit_test(creds_host_and_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
