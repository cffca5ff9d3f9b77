/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_agent.c - daos_agent.yml: its keys, defaults and rules.
 *
 * Keys as in DAOS's daos_agent.yml (docs/config.md). Rules, all DAOS's: telemetry_enabled
 * and telemetry_retain need telemetry_port; include_fabric_ifaces excludes
 * exclude_fabric_ifaces and telemetry_enabled_procs excludes telemetry_disabled_procs (the
 * tables' .excl). Two checks are ours, because DAOS would accept the file and fail later:
 * every fabric_ifaces device names its iface, and client_user_map keys are uids or
 * "default", each given once. Unlike the server, the agent does not require an odd number
 * of access points: it only uses them to find the MS.
 *
 * client_user_map is the one map whose keys are data (uids), so it has its own parser;
 * the users are kept sorted by uid with the default entry last, for config_agent_user_lookup().
 */
#define D_LOGFAC DD_FAC(config)

#include <stdio.h>
#include <string.h>

#include "common/sort.h"
#include "control/config_int.h"

#define U struct config_user
static const struct cfg_key user_keys[] = {
	K_STR(U, "user", user, .check = cfg_check_nonempty),
	K_STR(U, "group", group, .check = cfg_check_nonempty),
	K_LIST(U, "groups", groups, .check = cfg_check_nonempty),
};
#undef U

static const struct cfg_map user_map = CFG_MAP(user_keys, struct config_user, NULL);

static int
user_cmp(const void *a, const void *b)
{
	const struct config_user *x = a;
	const struct config_user *y = b;

	if (x->is_default != y->is_default)
		return x->is_default ? 1 : -1;
	return x->uid < y->uid ? -1 : (x->uid > y->uid);
}

/* Same order, then by position in the file: equal entries sort by where they were given. */
static int
user_ptr_cmp(const void *a, const void *b)
{
	const struct config_user *x = *(const struct config_user *const *)a;
	const struct config_user *y = *(const struct config_user *const *)b;
	int c = user_cmp(x, y);

	if (c != 0)
		return c;
	return x < y ? -1 : (x > y);
}

static void
user_map_fini(void *field)
{
	struct config_credential *cred =
		container_of(field, struct config_credential, client_user_map);
	unsigned int i;

	for (i = 0; i < cred->nr_users; i++)
		cfg_map_fini(&user_map, &cred->client_user_map[i]);
	d_free(cred->client_user_map);
	cred->client_user_map = NULL;
	cred->nr_users = 0;
}

/* A uid (or default) given twice, reported at its second key; sorting keeps this O(n log n). */
static int
user_dup_check(struct cfg_ctx *ctx, yaml_node_t *node, struct config_credential *cred)
{
	struct config_user **v;
	unsigned int later = UINT32_MAX;
	unsigned int i;
	int rc = 0;

	if (cred->nr_users < 2)
		return 0;
	v = d_calloc(cred->nr_users, sizeof(*v));
	if (v == NULL)
		return cfg_nomem(ctx);
	for (i = 0; i < cred->nr_users; i++)
		v[i] = &cred->client_user_map[i];
	d_sort(v, cred->nr_users, sizeof(*v), user_ptr_cmp);
	for (i = 1; i < cred->nr_users; i++)
		if (user_cmp(v[i - 1], v[i]) == 0 &&
		    (unsigned int)(v[i] - cred->client_user_map) < later)
			later = (unsigned int)(v[i] - cred->client_user_map);
	if (later != UINT32_MAX) {
		yaml_node_t *k =
			yaml_document_get_node(ctx->doc, node->data.mapping.pairs.start[later].key);
		struct config_user *u = &cred->client_user_map[later];

		if (u->is_default)
			rc = cfg_err(ctx, k, "default is given more than once");
		else
			rc = cfg_err(ctx, k, "uid %u is given more than once", u->uid);
	}
	d_free(v);
	return rc;
}

/* client_user_map: { <uid>|default: { user, group, groups } ... } */
static int
user_map_parse(struct cfg_ctx *ctx, yaml_node_t *node, void *field)
{
	struct config_credential *cred =
		container_of(field, struct config_credential, client_user_map);
	yaml_node_pair_t *p;
	unsigned int nr;
	unsigned int i;
	int rc;

	if (node->type != YAML_MAPPING_NODE)
		return cfg_err(ctx, node, "expected a map of uids to users, got a %s",
			       node->type == YAML_SEQUENCE_NODE ? "list" : "single value");
	nr = (unsigned int)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
	user_map_fini(field);
	if (nr == 0)
		return 0;
	cred->client_user_map = d_calloc(nr, sizeof(*cred->client_user_map));
	if (cred->client_user_map == NULL)
		return cfg_nomem(ctx);
	cred->nr_users = nr;
	for (i = 0, p = node->data.mapping.pairs.start; i < nr; i++, p++) {
		struct config_user *u = &cred->client_user_map[i];
		yaml_node_t *k = yaml_document_get_node(ctx->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ctx->doc, p->value);
		int64_t uid = 0;
		size_t len;

		rc = cfg_visit(ctx, k);
		if (rc != 0)
			return rc;
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, "default") == 0) {
			u->is_default = true;
			len = cfg_path_push_key(ctx, "default");
		} else {
			rc = cfg_int_get(ctx, k, &uid);
			if (rc == 0 && (uid < 0 || uid > UINT32_MAX))
				rc = cfg_err(ctx, k, "uid %lld is out of range", (long long)uid);
			if (rc != 0)
				return rc;
			u->uid = (uint32_t)uid;
			len = cfg_path_push_key(ctx, (char *)k->data.scalar.value);
		}
		rc = cfg_map_parse(ctx, &user_map, v, k, u);
		cfg_path_pop(ctx, len);
		if (rc != 0)
			return rc;
	}
	rc = user_dup_check(ctx, node, cred);
	if (rc == 0)
		d_sort(cred->client_user_map, nr, sizeof(*cred->client_user_map), user_cmp);
	return rc;
}

#define C struct config_credential
static const struct cfg_key cred_keys[] = {
	{ .name = "client_user_map",
	  .type = CT_CUSTOM,
	  .off = CFG_OFF(C, client_user_map),
	  .parse = user_map_parse,
	  .fini = user_map_fini },
	K_DUR(C, "cache_expiration", cache_expiration_ns),
};
#undef C

static const struct cfg_map cred_map = CFG_MAP(cred_keys, struct config_credential, NULL);

static int
dev_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj)
{
	struct config_fabric_dev *d = obj;

	(void)node;
	if (d->iface != NULL)
		return 0;
	return cfg_err(
		ctx, where,
		"iface is required in each device (give domain: in the same entry as its iface:)");
}

#define D struct config_fabric_dev
static const struct cfg_key dev_keys[] = {
	K_STR(D, "iface", iface, .check = cfg_check_nonempty),
	K_STR(D, "domain", domain, .check = cfg_check_nonempty),
};
#undef D

static const struct cfg_map dev_map = CFG_MAP(dev_keys, struct config_fabric_dev, dev_check);

static int
numa_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj)
{
	struct config_numa_fabric *n = obj;

	(void)node;
	if (n->nr_devices > 0)
		return 0;
	return cfg_err(ctx, where, "devices: at least one device is required");
}

#define N struct config_numa_fabric
static const struct cfg_key numa_keys[] = {
	K_INT(N, "numa_node", numa_node, 0, INT32_MAX),
	K_ARRAY(N, "devices", devices, nr_devices, &dev_map),
};
#undef N

static const struct cfg_map numa_map = CFG_MAP(numa_keys, struct config_numa_fabric, numa_check);

static const char *const default_access_points[] = { "localhost", NULL };

static int agent_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj);

#define A struct config_agent
static const struct cfg_key agent_keys[] = {
	K_STR(A, "name", name, .def_str = "daos_server", .check = cfg_check_sysname),
	K_LIST(A, "access_points", access_points, .def_list = default_access_points,
	       .check = cfg_check_nonempty),
	K_REMOVED("mgmt_svc_replicas",
		  "not a daos_agent.yml key: the agent takes the MS replica list as access_points"),
	K_INT(A, "port", port, 1, 65535, .def_int = CONFIG_DEFAULT_PORT),
	K_STR(A, "runtime_dir", runtime_dir, .def_str = "/var/run/daos_agent",
	      .check = cfg_check_nonempty),
	K_STR(A, "log_file", log_file, .check = cfg_check_nonempty),
	K_ENUM(A, "control_log_mask", control_log_mask, cfg_log_levels, .flags = CK_NOCASE,
	       .def_int = CONFIG_LOG_INFO),
	K_MAP(A, "transport_config", transport_config, &cfg_transport_agent_map),
	K_MAP(A, "credential_config", credential_config, &cred_map),
	K_BOOL(A, "disable_caching", disable_caching),
	K_INT(A, "cache_expiration", cache_expiration, 0, INT32_MAX),
	K_BOOL(A, "disable_auto_evict", disable_auto_evict),
	K_BOOL(A, "enable_evict_on_start", enable_evict_on_start),
	K_LIST(A, "exclude_fabric_ifaces", exclude_fabric_ifaces, .check = cfg_check_nonempty),
	K_LIST(A, "include_fabric_ifaces", include_fabric_ifaces, .check = cfg_check_nonempty,
	       .excl = "exclude_fabric_ifaces"),
	K_ARRAY(A, "fabric_ifaces", fabric_ifaces, nr_fabric_ifaces, &numa_map),
	K_INT(A, "telemetry_port", telemetry_port, 0, 65535),
	K_BOOL(A, "telemetry_enabled", telemetry_enabled),
	K_DUR(A, "telemetry_retain", telemetry_retain_ns),
	K_STR(A, "telemetry_enabled_procs", telemetry_enabled_procs, .check = cfg_check_nonempty),
	K_STR(A, "telemetry_disabled_procs", telemetry_disabled_procs, .check = cfg_check_nonempty,
	      .excl = "telemetry_enabled_procs"),
};
#undef A

static const struct cfg_map agent_map = CFG_MAP(agent_keys, struct config_agent, agent_check);

static int
agent_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj)
{
	struct config_agent *cfg = obj;
	yaml_node_t *k;

	(void)where;
	if (cfg->telemetry_port == 0) {
		k = cfg_map_get_key(ctx, node, "telemetry_enabled");
		if (cfg->telemetry_enabled)
			return cfg_err_at(ctx, k, "telemetry_enabled", "requires telemetry_port");
		k = cfg_map_get_key(ctx, node, "telemetry_retain");
		if (cfg->telemetry_retain_ns != 0)
			return cfg_err_at(ctx, k, "telemetry_retain", "requires telemetry_port");
	}
	return cfg_hostlist_expand_node(ctx, cfg_map_get(ctx, node, "access_points"),
					"access_points", &cfg->access_points, cfg->port,
					&cfg->servers);
}

static const struct cfg_kind agent_kind = {
	.map = &agent_map,
	.size = sizeof(struct config_agent),
	.path_off = offsetof(struct config_agent, path),
	.hosts_off = offsetof(struct config_agent, servers),
};

void
config_agent_free(struct config_agent *cfg)
{
	cfg_kind_free(&agent_kind, cfg);
}

int
config_agent_parse(const char *name, const void *buf, size_t len, struct config_agent **out,
		   char *err, size_t err_len)
{
	return cfg_kind_parse(&agent_kind, name, buf, len, (void **)out, err, err_len);
}

int
config_agent_load(const char *path, struct config_agent **out, char *err, size_t err_len)
{
	return cfg_kind_load(&agent_kind, path, (void **)out, err, err_len);
}

const struct config_user *
config_agent_user_lookup(const struct config_agent *cfg, uint32_t uid)
{
	const struct config_credential *cred = &cfg->credential_config;
	struct config_user key = { .uid = uid };
	const struct config_user *u;

	if (cred->nr_users == 0)
		return NULL;
	u = bsearch(&key, cred->client_user_map, cred->nr_users, sizeof(key), user_cmp);
	if (u != NULL)
		return u;
	u = &cred->client_user_map[cred->nr_users - 1];
	return u->is_default ? u : NULL;
}
