/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_control.c - daos_control.yml, dmg's file: system name, port, host list and the
 * admin's TLS identity. The host list is kept as written and expanded ("node[1-8]" with the
 * default port) into config_control.hosts at load, so a bad range is reported with its line
 * before dmg contacts anyone.
 */
#define D_LOGFAC DD_FAC(config)

#include "control/config_int.h"

static const char *const default_hostlist[] = { "localhost", NULL };

static int control_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj);

#define C struct config_control
static const struct cfg_key control_keys[] = {
	K_STR(C, "name", name, .def_str = "daos_server", .check = cfg_check_sysname),
	K_INT(C, "port", port, 1, 65535, .def_int = CONFIG_DEFAULT_PORT),
	K_LIST(C, "hostlist", hostlist, .def_list = default_hostlist, .check = cfg_check_nonempty),
	K_MAP(C, "transport_config", transport_config, &cfg_transport_admin_map),
};
#undef C

static const struct cfg_map control_map =
	CFG_MAP(control_keys, struct config_control, control_check);

static int
control_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj)
{
	struct config_control *cfg = obj;

	(void)where;
	return cfg_hostlist_expand_node(ctx, cfg_map_get(ctx, node, "hostlist"), "hostlist",
					&cfg->hostlist, cfg->port, &cfg->hosts);
}

static const struct cfg_kind control_kind = {
	.map = &control_map,
	.size = sizeof(struct config_control),
	.path_off = offsetof(struct config_control, path),
	.hosts_off = offsetof(struct config_control, hosts),
};

void
config_control_free(struct config_control *cfg)
{
	cfg_kind_free(&control_kind, cfg);
}

int
config_control_parse(const char *name, const void *buf, size_t len, struct config_control **out,
		     char *err, size_t err_len)
{
	return cfg_kind_parse(&control_kind, name, buf, len, (void **)out, err, err_len);
}

int
config_control_load(const char *path, struct config_control **out, char *err, size_t err_len)
{
	return cfg_kind_load(&control_kind, path, (void **)out, err, err_len);
}
