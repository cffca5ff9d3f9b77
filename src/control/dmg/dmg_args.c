/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_args.c - dmg's command tree and its argument parser. The tree is data: a node names
 * its subcommands or its run function, the options it accepts (ids into the one table of
 * DMG_OPT_TABLE) and its positional arguments. The parser follows go-flags as DAOS's dmg
 * uses it: options may come before or after the subcommand names, global options are
 * accepted at every level, "--name=value", "--name value", "-xVALUE", "-x VALUE" and
 * clustered short flags all work, and "--" ends the options. Errors name the offending
 * word; nothing is printed here.
 */
#define D_LOGFAC DD_FAC(control)

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "control/dmg/dmg_int.h"

#define DMG_OPT_ROW(id, s, l, v, h) [DMG_OPT_##id] = { s, l, v, h },
const struct dmg_opt_def dmg_opts[DMG_OPT_NR] = { DMG_OPT_TABLE(DMG_OPT_ROW) };

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

#define LEAF(n, a, h, o, pn, pmin, pmax, c, fn)                                                  \
	{                                                                                        \
		.name = n, .alias = a, .help = h, .opts = o, .pos_name = pn, .nr_pos_min = pmin, \
		.nr_pos_max = pmax, .needs_conn = c, .run = fn                                   \
	}
#define NODE(n, a, h, s)                                    \
	{                                                   \
		.name = n, .alias = a, .help = h, .subs = s \
	}
#define POOL "<pool label or UUID>"

static const struct dmg_cmd storage_query_cmds[] = {
	LEAF("usage", NULL, "Show SCM & NVMe storage space utilization per storage server", NULL,
	     NULL, 0, 0, true, dmg_storage_usage),
	{ NULL },
};

static const struct dmg_cmd storage_cmds[] = {
	LEAF("scan", NULL, "Scan SCM and NVMe storage attached to remote servers",
	     storage_scan_opts, NULL, 0, 0, true, dmg_storage_scan),
	LEAF("format", NULL, "Format SCM and NVMe storage attached to remote servers",
	     storage_format_opts, NULL, 0, 0, true, dmg_storage_format),
	NODE("query", NULL, "Query storage commands, including raw NVMe SSD device health stats",
	     storage_query_cmds),
	{ NULL },
};

static const struct dmg_cmd system_cmds[] = {
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

static const struct dmg_cmd pool_cmds[] = {
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

static const struct dmg_cmd network_cmds[] = {
	LEAF("scan", NULL, "Scan for network interface devices on remote servers",
	     network_scan_opts, NULL, 0, 0, true, dmg_network_scan),
	{ NULL },
};

static const struct dmg_cmd config_cmds[] = {
	LEAF("generate", "gen",
	     "Generate DAOS server configuration file based on discoverable "
	     "hardware devices",
	     config_gen_opts, NULL, 0, 0, false, dmg_config_generate),
	{ NULL },
};

static const struct dmg_cmd root_cmds[] = {
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

const struct dmg_cmd dmg_root = {
	.name = "dmg",
	.help = "DAOS management tool",
	.subs = root_cmds,
};

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* The option of @cmd (or a global one) named @name (long) or @c (short). Command options
 * first: "-v" is --nsvc in pool create and --verbose elsewhere. */
static int
opt_find(const struct dmg_cmd *cmd, const char *name, size_t name_len, char c)
{
	const int *lists[] = { cmd->opts, global_opts };
	unsigned int l;
	const int *p;

	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		for (p = lists[l]; p != NULL && *p >= 0; p++) {
			const struct dmg_opt_def *o = &dmg_opts[*p];

			if (name != NULL && strlen(o->name) == name_len &&
			    strncmp(o->name, name, name_len) == 0)
				return *p;
			if (name == NULL && c != 0 && o->short_name == c)
				return *p;
		}
	}
	return -1;
}

static const struct dmg_cmd *
sub_find(const struct dmg_cmd *cmd, const char *name)
{
	const struct dmg_cmd *s;

	for (s = cmd->subs; s != NULL && s->name != NULL; s++)
		if (strcmp(s->name, name) == 0 || (s->alias != NULL && strcmp(s->alias, name) == 0))
			return s;
	return NULL;
}

static void
sub_names(const struct dmg_cmd *cmd, char *buf, size_t len)
{
	const struct dmg_cmd *s;
	size_t used = 0;

	buf[0] = '\0';
	for (s = cmd->subs; s != NULL && s->name != NULL; s++) {
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", s->name);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

static void
opt_label(int id, char *buf, size_t len)
{
	const struct dmg_opt_def *o = &dmg_opts[id];

	if (o->short_name != 0)
		snprintf(buf, len, "-%c, --%s", o->short_name, o->name);
	else
		snprintf(buf, len, "--%s", o->name);
}

int
dmg_args_parse(int argc, char **argv, struct dmg_args *args, const struct dmg_cmd **cmd_out,
	       char *path, size_t path_len, char *err, size_t err_len)
{
	const struct dmg_cmd *cmd = &dmg_root;
	char names[256], label[64];
	bool opts_done = false;
	size_t used;
	int i, id;

	memset(args, 0, sizeof(*args));
	used = (size_t)snprintf(path, path_len, "dmg");
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!opts_done && strcmp(w, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (!opts_done && w[0] == '-' && w[1] == '-') {
			const char *eq = strchr(w + 2, '=');
			size_t n = eq ? (size_t)(eq - (w + 2)) : strlen(w + 2);

			id = opt_find(cmd, w + 2, n, 0);
			if (id < 0) {
				set_err(err, err_len, "unknown flag `%.*s'", (int)n, w + 2);
				return -DER_INVAL;
			}
			args->set[id] = true;
			if (!dmg_opts[id].has_arg) {
				if (eq != NULL) {
					set_err(err, err_len, "flag `--%s' does not take a value",
						dmg_opts[id].name);
					return -DER_INVAL;
				}
				continue;
			}
			if (eq != NULL) {
				args->val[id] = eq + 1;
			} else if (i + 1 < argc) {
				args->val[id] = argv[++i];
			} else {
				opt_label(id, label, sizeof(label));
				set_err(err, err_len, "expected argument for flag `%s'", label);
				return -DER_INVAL;
			}
			continue;
		}
		if (!opts_done && w[0] == '-' && w[1] != '\0') {
			const char *c;

			for (c = w + 1; *c != '\0'; c++) {
				id = opt_find(cmd, NULL, 0, *c);
				if (id < 0) {
					set_err(err, err_len, "unknown flag `%c'", *c);
					return -DER_INVAL;
				}
				args->set[id] = true;
				if (!dmg_opts[id].has_arg)
					continue;
				if (c[1] != '\0') {
					args->val[id] = c + 1;
				} else if (i + 1 < argc) {
					args->val[id] = argv[++i];
				} else {
					opt_label(id, label, sizeof(label));
					set_err(err, err_len, "expected argument for flag `%s'",
						label);
					return -DER_INVAL;
				}
				break;
			}
			continue;
		}
		if (cmd->subs != NULL) {
			const struct dmg_cmd *sub = sub_find(cmd, w);

			if (sub == NULL) {
				sub_names(cmd, names, sizeof(names));
				set_err(err, err_len,
					"Unknown command `%s'. Please specify one command of: %s",
					w, names);
				return -DER_INVAL;
			}
			cmd = sub;
			if (used < path_len)
				used += (size_t)snprintf(path + used, path_len - used, " %s",
							 sub->name);
			continue;
		}
		if (args->nr_pos >= cmd->nr_pos_max || args->nr_pos >= DMG_POS_MAX) {
			set_err(err, err_len, "unexpected argument `%s' for `%s'", w, path);
			return -DER_INVAL;
		}
		args->pos[args->nr_pos++] = w;
	}

	*cmd_out = cmd;
	if (args->set[DMG_OPT_HELP])
		return 0;
	if (cmd->subs != NULL) {
		sub_names(cmd, names, sizeof(names));
		set_err(err, err_len, "Please specify one command of: %s", names);
		return -DER_INVAL;
	}
	if (args->nr_pos < cmd->nr_pos_min) {
		set_err(err, err_len, "the required argument `%s' was not provided",
			cmd->pos_name ? cmd->pos_name : "?");
		return -DER_INVAL;
	}
	return 0;
}

void
dmg_cmd_help(FILE *f, const struct dmg_cmd *cmd, const char *path)
{
	const struct dmg_cmd *s;
	const int *lists[] = { global_opts, cmd->opts };
	const char *titles[] = { "Application Options", "Command Options" };
	char label[64];
	unsigned int l;
	const int *p;

	fprintf(f, "Usage:\n  %s [OPTIONS]%s%s%s\n\n%s\n", path, cmd->subs ? " <command>" : "",
		cmd->pos_name ? " " : "", cmd->pos_name ? cmd->pos_name : "", cmd->help);
	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		if (lists[l] == NULL || lists[l][0] < 0)
			continue;
		fprintf(f, "\n%s:\n", titles[l]);
		for (p = lists[l]; *p >= 0; p++) {
			const struct dmg_opt_def *o = &dmg_opts[*p];

			if (o->short_name != 0)
				snprintf(label, sizeof(label), "-%c, --%s%s", o->short_name,
					 o->name, o->has_arg ? "=" : "");
			else
				snprintf(label, sizeof(label), "    --%s%s", o->name,
					 o->has_arg ? "=" : "");
			fprintf(f, "  %-32s %s\n", label, o->help);
		}
	}
	if (cmd->subs != NULL) {
		fprintf(f, "\nAvailable commands:\n");
		for (s = cmd->subs; s->name != NULL; s++) {
			if (s->alias != NULL)
				snprintf(label, sizeof(label), "%s (%s)", s->name, s->alias);
			else
				snprintf(label, sizeof(label), "%s", s->name);
			fprintf(f, "  %-20s %s\n", label, s->help);
		}
	}
}

int
dmg_uint_parse(const char *str, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = str;

	if (p == NULL || *p == '\0')
		return -DER_INVAL;
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) || v > (UINT64_MAX - 9) / 10)
			return -DER_INVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > max)
		return -DER_INVAL;
	*out = v;
	return 0;
}
