/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_args.c - dmg's options and command tree. The tree is data: a node names its
 * subcommands or its run function, the options it accepts (ids into the one table of
 * DMG_OPT_TABLE) and its positional arguments; control/cli_args.c parses argv against it.
 */
#define D_LOGFAC DD_FAC(control)

#include "control/dmg/dmg_int.h"

#define DMG_OPT_ROW(id, s, l, v, h) [DMG_OPT_##id] = { s, l, v, h },
const struct cli_opt dmg_opts[DMG_OPT_NR] = { DMG_OPT_TABLE(DMG_OPT_ROW) };

/* Accepted by every command. */
static const int global_opts[] = {
	DMG_OPT_HELP,  DMG_OPT_CONFIG, DMG_OPT_HOSTLIST, DMG_OPT_INSECURE,
	DMG_OPT_DEBUG, DMG_OPT_JSON,   DMG_OPT_LOGFILE,  -1,
};

static const int storage_scan_opts[] = { DMG_OPT_VERBOSE, DMG_OPT_NVME_HEALTH, -1 };
static const int storage_format_opts[] = { DMG_OPT_VERBOSE, DMG_OPT_FORCE, DMG_OPT_REPLACE, -1 };
static const int network_scan_opts[] = { DMG_OPT_PROVIDER, -1 };
static const int system_query_opts[] = {
	DMG_OPT_RANKS, DMG_OPT_RANK_HOSTS, DMG_OPT_VERBOSE, DMG_OPT_NOT_OK, DMG_OPT_WITH_STATES, -1,
};
static const int system_stop_opts[] = {
	DMG_OPT_RANKS, DMG_OPT_RANK_HOSTS, DMG_OPT_FORCE, DMG_OPT_IGNORE_EXCL, -1,
};
static const int system_start_opts[] = { DMG_OPT_RANKS, DMG_OPT_RANK_HOSTS, DMG_OPT_IGNORE_EXCL,
					 -1 };
static const int system_ranks_opts[] = { DMG_OPT_RANKS, DMG_OPT_RANK_HOSTS, -1 };
static const int leader_opts[] = { DMG_OPT_DOWN_REPLICAS, -1 };
static const int pool_create_opts[] = {
	DMG_OPT_SIZE,     DMG_OPT_TIER_RATIO, DMG_OPT_NRANKS,     DMG_OPT_RANKS,
	DMG_OPT_SCM_SIZE, DMG_OPT_NVME_SIZE,  DMG_OPT_NSVC,       DMG_OPT_USER,
	DMG_OPT_GROUP,    DMG_OPT_ACL_FILE,   DMG_OPT_PROPERTIES, -1,
};
static const int pool_list_opts[] = { DMG_OPT_VERBOSE, DMG_OPT_NO_QUERY, -1 };
static const int pool_query_opts[] = { DMG_OPT_HEALTH_ONLY, DMG_OPT_SHOW_ENABLED, -1 };
static const int pool_destroy_opts[] = { DMG_OPT_FORCE, DMG_OPT_RECURSIVE, -1 };
static const int pool_get_acl_opts[] = { DMG_OPT_OUTFILE, DMG_OPT_VERBOSE, DMG_OPT_FORCE, -1 };
static const int pool_update_acl_opts[] = { DMG_OPT_ACL_FILE, DMG_OPT_ENTRY, -1 };
static const int pool_overwrite_acl_opts[] = { DMG_OPT_ACL_FILE, -1 };
static const int pool_delete_acl_opts[] = { DMG_OPT_PRINCIPAL, -1 };
static const int config_gen_opts[] = {
	DMG_OPT_ACCESS_POINTS,
	DMG_OPT_NUM_ENGINES,
	DMG_OPT_MIN_SSDS,
	DMG_OPT_NET_CLASS,
	DMG_OPT_TMPFS_SCM,
	DMG_OPT_CTL_METADATA,
	-1,
};

#define LEAF(n, a, h, o, pn, pmin, pmax, c, fn)                                                    \
	{                                                                                          \
		.name = n, .aliases = a, .help = h, .opts = o, .pos_name = pn, .nr_pos_min = pmin, \
		.nr_pos_max = pmax, .needs_conn = c, .run = fn                                     \
	}
#define NODE(n, a, h, s)                                      \
	{                                                     \
		.name = n, .aliases = a, .help = h, .subs = s \
	}
#define POOL "<pool label or UUID>"

static const struct cli_cmd storage_query_cmds[] = {
	LEAF("usage", NULL, "Show SCM & NVMe storage space utilization per storage server", NULL,
	     NULL, 0, 0, true, dmg_storage_usage),
	{ NULL },
};

static const struct cli_cmd storage_cmds[] = {
	LEAF("scan", NULL, "Scan SCM and NVMe storage attached to remote servers",
	     storage_scan_opts, NULL, 0, 0, true, dmg_storage_scan),
	LEAF("format", NULL, "Format SCM and NVMe storage attached to remote servers",
	     storage_format_opts, NULL, 0, 0, true, dmg_storage_format),
	NODE("query", NULL, "Query storage commands, including raw NVMe SSD device health stats",
	     storage_query_cmds),
	{ NULL },
};

static const struct cli_cmd system_cmds[] = {
	LEAF("query", NULL, "Query DAOS system status", system_query_opts, NULL, 0, 0, true,
	     dmg_system_query),
	LEAF("stop", NULL, "Perform controlled shutdown of DAOS system", system_stop_opts, NULL, 0,
	     0, true, dmg_system_stop),
	LEAF("start", NULL, "Perform start of stopped DAOS system", system_start_opts, NULL, 0, 0,
	     true, dmg_system_start),
	LEAF("exclude", NULL, "Administratively exclude ranks from the system", system_ranks_opts,
	     NULL, 0, 0, true, dmg_system_exclude),
	LEAF("clear-exclude", NULL, "Clear administrative exclusion of ranks", system_ranks_opts,
	     NULL, 0, 0, true, dmg_system_clear_exclude),
	LEAF("erase", NULL, "Erase system metadata prior to reformat", NULL, NULL, 0, 0, true,
	     dmg_system_erase),
	LEAF("leader-query", NULL, "Query for current Management Service leader", leader_opts, NULL,
	     0, 0, true, dmg_system_leader_query),
	{ NULL },
};

static const struct cli_cmd pool_cmds[] = {
	LEAF("create", NULL, "Create a DAOS pool", pool_create_opts, "<pool label>", 1, 1, true,
	     dmg_pool_create),
	LEAF("list", "ls", "List DAOS pools", pool_list_opts, NULL, 0, 0, true, dmg_pool_list),
	LEAF("query", NULL, "Query a DAOS pool", pool_query_opts, POOL, 1, 1, true, dmg_pool_query),
	LEAF("destroy", NULL, "Destroy a DAOS pool", pool_destroy_opts, POOL, 1, 1, true,
	     dmg_pool_destroy),
	LEAF("get-prop", NULL, "Get pool properties", NULL, POOL " [<name>[,<name>...]]", 1, 2,
	     true, dmg_pool_get_prop),
	LEAF("set-prop", NULL, "Set pool properties", NULL, POOL " <key:val[,key:val...]>", 2, 2,
	     true, dmg_pool_set_prop),
	LEAF("get-acl", NULL, "Get a DAOS pool's Access Control List", pool_get_acl_opts, POOL, 1,
	     1, true, dmg_pool_get_acl),
	LEAF("update-acl", NULL, "Update entries in a DAOS pool's Access Control List",
	     pool_update_acl_opts, POOL, 1, 1, true, dmg_pool_update_acl),
	LEAF("overwrite-acl", NULL, "Overwrite a DAOS pool's Access Control List",
	     pool_overwrite_acl_opts, POOL, 1, 1, true, dmg_pool_overwrite_acl),
	LEAF("delete-acl", NULL, "Delete an entry from a DAOS pool's Access Control List",
	     pool_delete_acl_opts, POOL, 1, 1, true, dmg_pool_delete_acl),
	LEAF("evict", NULL, "Evict all pool connections to a DAOS pool", NULL, POOL, 1, 1, true,
	     dmg_pool_evict),
	{ NULL },
};

static const struct cli_cmd network_cmds[] = {
	LEAF("scan", NULL, "Scan for network interface devices on remote servers",
	     network_scan_opts, NULL, 0, 0, true, dmg_network_scan),
	{ NULL },
};

static const struct cli_cmd config_cmds[] = {
	LEAF("generate", "gen",
	     "Generate DAOS server configuration file based on discoverable "
	     "hardware devices",
	     config_gen_opts, NULL, 0, 0, false, dmg_config_generate),
	{ NULL },
};

static const struct cli_cmd root_cmds[] = {
	NODE("storage", "sto", "Perform tasks related to storage attached to remote servers",
	     storage_cmds),
	NODE("system", "sys", "Perform distributed tasks related to DAOS system", system_cmds),
	NODE("pool", NULL, "Perform tasks related to DAOS pools", pool_cmds),
	NODE("network", "net", "Perform tasks related to locally-attached network devices",
	     network_cmds),
	NODE("config", "cfg",
	     "Perform tasks related to configuration of hardware on remote "
	     "servers",
	     config_cmds),
	LEAF("version", NULL, "Print dmg version", NULL, NULL, 0, 0, false, dmg_version),
	{ NULL },
};

static const struct cli_cmd dmg_root = {
	.name = "dmg",
	.help = "DAOS management tool",
	.subs = root_cmds,
};

_Static_assert(DMG_OPT_NR <= CLI_OPT_MAX, "dmg has more options than struct cli_args holds");

const struct cli_spec dmg_cli = {
	.prog = "dmg",
	.opts = dmg_opts,
	.nr_opts = DMG_OPT_NR,
	.global_opts = global_opts,
	.help_opt = DMG_OPT_HELP,
	.root = &dmg_root,
};
