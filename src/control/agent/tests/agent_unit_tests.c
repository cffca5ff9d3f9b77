/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_unit_tests.c - the agent's pure parts: interface selection (round-robin per NUMA
 * node, fallback to other nodes, a named interface, filters, the loopback interface for
 * engines on loopback), the attach info cache (hit, other system, expiry, disabled,
 * environment switch), the reply shaping, credentials (host user, client_user_map
 * fallback) and the clients' pool handles (per connection, grouped by pool when a
 * connection closes, the per-connection limit, allocation failures).
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

/* ---- engines on loopback ---- */

static void
uri_is_loopback(void **state)
{
	(void)state;
	assert_true(agent_uri_is_loopback("ofi+tcp://127.0.0.1:31416"));
	assert_true(agent_uri_is_loopback("ofi+tcp;ofi_rxm://127.1.2.3:1"));
	assert_true(agent_uri_is_loopback("ofi+tcp://[::1]:31416"));
	assert_true(agent_uri_is_loopback("ofi+tcp://127.0.0.1"));
	assert_false(agent_uri_is_loopback("ofi+tcp://10.0.0.1:31416"));
	assert_false(agent_uri_is_loopback("ofi+tcp://[fd00::2]:31416"));
	assert_false(agent_uri_is_loopback("ofi+tcp://128.0.0.1:31416"));
	/* a name is not resolved: DAOS's choice stands */
	assert_false(agent_uri_is_loopback("ofi+tcp://localhost:31416"));
	assert_false(agent_uri_is_loopback("127.0.0.1:31416"));
	assert_false(agent_uri_is_loopback("ofi+tcp://"));
	assert_false(agent_uri_is_loopback("ofi+tcp://[::1"));
	assert_false(agent_uri_is_loopback(""));
}

/*
 * The loopback interface is remembered apart from the selection set: detected, even when
 * other interfaces hide it from selection; configured; and gone if filtered out.
 */
static void
loopback_iface(void **state)
{
	static const char yml[] = "fabric_ifaces:\n"
				  "- numa_node: 0\n"
				  "  devices:\n"
				  "  - iface: eth0\n"
				  "  - iface: lo\n";
	static const char *const lo_name[] = { "lo" };
	struct config_strlist exclude = { .str = (char **)lo_name, .nr = 1 };
	const struct agent_fabric_if *fi = NULL;
	struct config_agent *cfg;
	struct agent_ifaces set;
	char err[256];
	unsigned int i;

	(void)state;
	TEST_ALLOC_MARK();
	/* detected: every Linux host has lo with 127.0.0.1, which tcp serves */
	assert_int_equal(agent_ifaces_detect("ofi+tcp", NULL, NULL, &set), 0);
	assert_int_equal(agent_iface_loopback(&set, &fi), 0);
	assert_true(fi->loopback);
	assert_string_equal(fi->name, "lo");
	assert_string_equal(fi->domain, "lo");
	/* ... while selection keeps offering the others, if there are any */
	for (i = 0; i < set.nr && set.nr > 1; i++)
		assert_false(set.ifs[i].loopback);
	agent_ifaces_fini(&set);
	assert_int_equal(agent_iface_loopback(&set, &fi), -DER_NONEXIST);
	/* excluded: none */
	assert_int_equal(agent_ifaces_detect("ofi+tcp", NULL, &exclude, &set), 0);
	assert_int_equal(agent_iface_loopback(&set, &fi), -DER_NONEXIST);
	agent_ifaces_fini(&set);

	/* configured */
	assert_int_equal(config_agent_parse("t.yml", yml, sizeof(yml) - 1, &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(agent_ifaces_from_config(cfg, &set), 0);
	assert_int_equal(agent_iface_loopback(&set, &fi), 0);
	assert_string_equal(fi->name, "lo");
	agent_ifaces_filter(&set, NULL, &exclude);
	assert_int_equal(set.nr, 1);
	assert_int_equal(agent_iface_loopback(&set, &fi), -DER_NONEXIST);
	agent_ifaces_fini(&set);
	config_agent_free(cfg);
	/* configured without lo: the admin's list stands */
	set_make(&set, (const char *const[]){ "eth0" }, (const int[]){ 0 }, 1);
	assert_int_equal(agent_iface_loopback(&set, &fi), -DER_NONEXIST);
	agent_ifaces_fini(&set);
	TEST_ALLOC_CHECK();
}

/* An MS answer with @nr URIs on @hosts, packed into @buf; returns its length. */
static size_t
ms_answer(const char *const *hosts, unsigned int nr, uint8_t *buf)
{
	Mgmt__GetAttachInfoResp resp = MGMT__GET_ATTACH_INFO_RESP__INIT;
	Mgmt__ClientNetHint hint = MGMT__CLIENT_NET_HINT__INIT;
	Mgmt__RankUri ru[4];
	Mgmt__RankUri *rup[4];
	char uris[4][64];
	unsigned int i;

	for (i = 0; i < nr; i++) {
		mgmt__rank_uri__init(&ru[i]);
		snprintf(uris[i], sizeof(uris[i]), "ofi+tcp://%s:%u", hosts[i], 31416 + i);
		ru[i].rank = i;
		ru[i].uri = uris[i];
		rup[i] = &ru[i];
	}
	hint.provider = "ofi+tcp";
	resp.rank_uris = rup;
	resp.n_rank_uris = nr;
	resp.client_net_hint = &hint;
	return mgmt__get_attach_info_resp__pack(&resp, buf);
}

/* Engines all on loopback get the loopback interface; any other address, DAOS's choice. */
static void
choose_for_loopback_engines(void **state)
{
	static const char *const lo4[] = { "127.0.0.1", "127.0.0.1" };
	static const char *const lo6[] = { "[::1]" };
	static const char *const mixed[] = { "127.0.0.1", "10.0.0.2" };
	static const char *const names[] = { "eth0", "eth1" };
	static const int numa[] = { 0, 0 };
	const struct agent_fabric_if *fi;
	struct agent_ifaces set;
	char prov[AGENT_NAME_LEN];
	uint8_t buf[512];
	size_t len;
	bool on_lo;

	(void)state;
	TEST_ALLOC_MARK();
	len = ms_answer(lo4, 2, buf);
	assert_int_equal(agent_attach_peek(buf, len, prov, sizeof(prov), &on_lo), 0);
	assert_true(on_lo);
	assert_string_equal(prov, "ofi+tcp");
	len = ms_answer(lo6, 1, buf);
	assert_int_equal(agent_attach_peek(buf, len, prov, sizeof(prov), &on_lo), 0);
	assert_true(on_lo);
	len = ms_answer(mixed, 2, buf);
	assert_int_equal(agent_attach_peek(buf, len, prov, sizeof(prov), &on_lo), 0);
	assert_false(on_lo);
	len = ms_answer(NULL, 0, buf);
	assert_int_equal(agent_attach_peek(buf, len, prov, sizeof(prov), &on_lo), 0);
	assert_false(on_lo);
	assert_int_equal(agent_attach_peek("\xff\xff", 2, prov, sizeof(prov), &on_lo), -DER_PROTO);

	/* a host with eth0, eth1 and (kept aside) lo */
	set_make(&set, names, numa, 2);
	snprintf(set.lo.name, AGENT_NAME_LEN, "lo");
	snprintf(set.lo.domain, AGENT_NAME_LEN, "lo");
	set.lo.loopback = true;
	set.has_lo = true;
	assert_int_equal(agent_iface_choose(&set, 0, NULL, true, &fi), 0);
	assert_string_equal(fi->name, "lo");
	assert_int_equal(agent_iface_choose(&set, 0, "", true, &fi), 0);
	assert_string_equal(fi->name, "lo");
	/* the round-robin was not consumed by those */
	assert_int_equal(agent_iface_choose(&set, 0, NULL, false, &fi), 0);
	assert_string_equal(fi->name, "eth0");
	assert_int_equal(agent_iface_choose(&set, 0, NULL, false, &fi), 0);
	assert_string_equal(fi->name, "eth1");
	/* a named interface wins; an unknown one is an error, as before */
	assert_int_equal(agent_iface_choose(&set, 0, "eth1", true, &fi), 0);
	assert_string_equal(fi->name, "eth1");
	assert_int_equal(agent_iface_choose(&set, 0, "ib0", true, &fi), -DER_NONEXIST);
	/* no loopback interface: DAOS's choice */
	set.has_lo = false;
	assert_int_equal(agent_iface_choose(&set, 0, NULL, true, &fi), 0);
	assert_string_equal(fi->name, "eth0");
	agent_ifaces_fini(&set);
	TEST_ALLOC_CHECK();
}

/* ---- clients' pool handles ---- */

static void
uuid_of(uuid_t u, unsigned char tag)
{
	memset(u, 0, sizeof(uuid_t));
	u[0] = tag;
	u[15] = tag;
}

/* Handles are kept per connection; repeats count once; removals must match exactly. */
static void
handles_add_remove(void **state)
{
	struct agent_handles set;
	uuid_t pa, pb, h1, h2, h3;

	(void)state;
	TEST_ALLOC_MARK();
	uuid_of(pa, 0xa0);
	uuid_of(pb, 0xb0);
	uuid_of(h1, 1);
	uuid_of(h2, 2);
	uuid_of(h3, 3);
	agent_handles_init(&set);
	assert_int_equal(agent_handles_add(&set, 7, 100, pa, h1), 0);
	assert_int_equal(agent_handles_add(&set, 7, 100, pb, h2), 0);
	assert_int_equal(agent_handles_add(&set, 7, 100, pa, h1), 0); /* again: no-op */
	assert_int_equal(agent_handles_add(&set, 8, 200, pa, h3), 0);
	assert_int_equal(set.nr_clients, 2);
	assert_int_equal(agent_handles_count(&set, 7), 2);
	assert_int_equal(agent_handles_count(&set, 8), 1);
	assert_int_equal(agent_handles_count(&set, 9), 0);

	/* another connection's handle, the wrong pool, an unknown connection */
	assert_int_equal(agent_handles_remove(&set, 7, pa, h3), -DER_NONEXIST);
	assert_int_equal(agent_handles_remove(&set, 7, pb, h1), -DER_NONEXIST);
	assert_int_equal(agent_handles_remove(&set, 9, pa, h1), -DER_NONEXIST);
	assert_int_equal(agent_handles_count(&set, 7), 2);

	assert_int_equal(agent_handles_remove(&set, 7, pa, h1), 0);
	assert_int_equal(agent_handles_remove(&set, 7, pa, h1), -DER_NONEXIST);
	assert_int_equal(agent_handles_count(&set, 7), 1);
	/* the last one gone, the client is forgotten: its close evicts nothing */
	assert_int_equal(agent_handles_remove(&set, 7, pb, h2), 0);
	assert_int_equal(set.nr_clients, 1);
	assert_null(agent_handles_detach(&set, 7));
	/* a connection may reopen what it closed */
	assert_int_equal(agent_handles_add(&set, 7, 100, pb, h2), 0);
	assert_int_equal(agent_handles_count(&set, 7), 1);
	agent_handles_fini(&set);
	assert_int_equal(set.nr_clients, 0);
	TEST_ALLOC_CHECK();
}

/* A closed connection's handles come out grouped by pool, one eviction per pool. */
static void
handles_detach_by_pool(void **state)
{
	struct agent_handles set;
	struct agent_client *c;
	uuid_t pa, pb, h[5];
	unsigned int i;

	(void)state;
	TEST_ALLOC_MARK();
	uuid_of(pa, 0xa0);
	uuid_of(pb, 0xb0);
	for (i = 0; i < 5; i++)
		uuid_of(h[i], (unsigned char)(i + 1));
	agent_handles_init(&set);
	/* pools interleaved: b, a, b, a; and another connection on a */
	assert_int_equal(agent_handles_add(&set, 1, 100, pb, h[3]), 0);
	assert_int_equal(agent_handles_add(&set, 1, 100, pa, h[1]), 0);
	assert_int_equal(agent_handles_add(&set, 1, 100, pb, h[2]), 0);
	assert_int_equal(agent_handles_add(&set, 1, 100, pa, h[0]), 0);
	assert_int_equal(agent_handles_add(&set, 2, 300, pa, h[4]), 0);

	c = agent_handles_detach(&set, 1);
	assert_non_null(c);
	assert_int_equal(c->pid, 100);
	assert_int_equal(c->nr, 4);
	assert_int_equal(set.nr_clients, 1);
	assert_null(agent_handles_detach(&set, 1));
	assert_int_equal(agent_handles_count(&set, 2), 1);
	/* pool a's run (h1, h2), then pool b's (h3, h4) */
	assert_int_equal(agent_client_pool_run(c, 0), 2);
	assert_int_equal(uuid_compare(c->hdls[0].pool, pa), 0);
	assert_int_equal(uuid_compare(c->hdls[0].hdl, h[0]), 0);
	assert_int_equal(uuid_compare(c->hdls[1].hdl, h[1]), 0);
	assert_int_equal(agent_client_pool_run(c, 2), 2);
	assert_int_equal(uuid_compare(c->hdls[2].pool, pb), 0);
	assert_int_equal(uuid_compare(c->hdls[3].hdl, h[3]), 0);
	assert_int_equal(agent_client_pool_run(c, 3), 1);
	agent_client_free(c);

	/* the agent stopping takes the clients one by one */
	assert_int_equal(agent_handles_add(&set, 3, 400, pb, h[4]), 0);
	c = agent_handles_pop(&set);
	assert_non_null(c);
	assert_int_equal(c->conn_id, 2);
	assert_int_equal(agent_client_pool_run(c, 0), 1);
	agent_client_free(c);
	c = agent_handles_pop(&set);
	assert_non_null(c);
	assert_int_equal(c->pid, 400);
	agent_client_free(c);
	assert_null(agent_handles_pop(&set));
	assert_int_equal(set.nr_clients, 0);
	agent_client_free(NULL);
	agent_handles_fini(&set);
	TEST_ALLOC_CHECK();
}

/* One connection cannot register without bound. */
static void
handles_limit(void **state)
{
	struct agent_handles set;
	uuid_t pool, hdl;
	unsigned int i;

	(void)state;
	TEST_ALLOC_MARK();
	agent_handles_init(&set);
	uuid_of(pool, 0xa0);
	for (i = 0; i < AGENT_CONN_HANDLES_MAX; i++) {
		uuid_of(hdl, 0);
		memcpy(hdl + 4, &i, sizeof(i));
		assert_int_equal(agent_handles_add(&set, 1, 1, pool, hdl), 0);
	}
	uuid_of(hdl, 0xff);
	assert_int_equal(agent_handles_add(&set, 1, 1, pool, hdl), -DER_OVERFLOW);
	/* a repeat of a registered one is still fine; other connections are not affected */
	uuid_of(hdl, 0);
	i = 5;
	memcpy(hdl + 4, &i, sizeof(i));
	assert_int_equal(agent_handles_add(&set, 1, 1, pool, hdl), 0);
	assert_int_equal(agent_handles_add(&set, 2, 1, pool, hdl), 0);
	assert_int_equal(agent_handles_count(&set, 1), AGENT_CONN_HANDLES_MAX);
	agent_handles_fini(&set);
	TEST_ALLOC_CHECK();
}

/* Allocation k = 1, 2, ... fails until registering works: the set is as before each time. */
static void
handles_alloc_failures(void **state)
{
	struct agent_handles set;
	uuid_t pool, hdl;
	unsigned int k;
	unsigned int i;
	int rc;

	(void)state;
	TEST_ALLOC_MARK();
	uuid_of(pool, 0xa0);
	for (k = 1;; k++) {
		agent_handles_init(&set);
		/* four fit in the first array; the fifth makes it grow */
		for (i = 0; i < 4; i++) {
			uuid_of(hdl, (unsigned char)(i + 1));
			assert_int_equal(agent_handles_add(&set, 1, 1, pool, hdl), 0);
		}
		uuid_of(hdl, 0x10);
		d_alloc_fail_nth(k);
		rc = agent_handles_add(&set, 1, 1, pool, hdl);
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			assert_int_equal(agent_handles_count(&set, 1), 5);
			agent_handles_fini(&set);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		assert_int_equal(agent_handles_count(&set, 1), 4);
		/* a new connection's first handle */
		d_alloc_fail_nth(1);
		assert_int_equal(agent_handles_add(&set, 2, 1, pool, hdl), -DER_NOMEM);
		assert_int_equal(set.nr_clients, 1);
		d_alloc_fail_nth(2);
		assert_int_equal(agent_handles_add(&set, 2, 1, pool, hdl), -DER_NOMEM);
		assert_int_equal(set.nr_clients, 1);
		assert_int_equal(agent_handles_count(&set, 2), 0);
		d_alloc_fail_nth(0);
		agent_handles_fini(&set);
	}
	assert_true(k > 1);
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
		cmocka_unit_test(uri_is_loopback),
		cmocka_unit_test(loopback_iface),
		cmocka_unit_test(choose_for_loopback_engines),
		cmocka_unit_test(handles_add_remove),
		cmocka_unit_test(handles_detach_by_pool),
		cmocka_unit_test(handles_limit),
		cmocka_unit_test(handles_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
