/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_server.c - daos_server.yml: its keys, defaults and start-up rules.
 *
 * The tables below are the list of keys (reference: DAOS's utils/config/daos_server.yml;
 * docs/config.md is the admin's view). Each key is written once, with its type, default and
 * whether this implementation acts on it (CK_UNSUPPORTED marks SPDK, hugepage, VMD, hot-plug
 * and NUMA keys, accepted and noted once). Rules are checked bottom-up while the document is
 * still in memory, so that every message can name a line:
 *   tier_check     one storage tier: keys that fit its class
 *   engine_check   one engine: required keys, tier order, log masks and env_vars
 *   server_check   the file: replicas, provider, inheritance of fabric keys by engines,
 *                  bdev roles (MD-on-SSD), and what must agree or differ across engines
 * Where DAOS decides differently between versions, the DAOS 2.6/2.8 behaviour wins; the
 * deliberate differences are listed in docs/config.md.
 */
#define D_LOGFAC DD_FAC(config)

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "control/config_int.h"

static const struct cfg_enum class_names[] = {
	{ "dcpm", CONFIG_CLASS_DCPM }, { "ram", CONFIG_CLASS_RAM },   { "nvme", CONFIG_CLASS_NVME },
	{ "file", CONFIG_CLASS_FILE }, { "kdev", CONFIG_CLASS_KDEV }, { NULL, 0 },
};

static const struct cfg_enum role_names[] = {
	{ "wal", CONFIG_ROLE_WAL },
	{ "meta", CONFIG_ROLE_META },
	{ "data", CONFIG_ROLE_DATA },
	{ NULL, 0 },
};

static const struct cfg_enum accel_engines[] = {
	{ "none", CONFIG_ACCEL_NONE },
	{ "spdk", CONFIG_ACCEL_SPDK },
	{ "dml", CONFIG_ACCEL_DML },
	{ NULL, 0 },
};

static const struct cfg_enum accel_options[] = {
	{ "move", CONFIG_ACCEL_OPT_MOVE },
	{ "crc", CONFIG_ACCEL_OPT_CRC },
	{ NULL, 0 },
};

static bool
is_scm(enum config_class c)
{
	return c == CONFIG_CLASS_RAM || c == CONFIG_CLASS_DCPM;
}

const char *config_class_name(enum config_class class)
{
	const struct cfg_enum *e;

	for (e = class_names; e->name != NULL; e++)
		if (e->value == (int)class)
			return e->name;
	return "none";
}

/* Checks of single values */

/* D_LOG_MASK syntax: "ERR" or "DEBUG,MEM=ERR,vos=info". */
static int
check_log_mask(struct cfg_ctx *ctx, yaml_node_t *node, const char *value)
{
	const char *s = value;

	while (*s != '\0') {
		const char *end = strchr(s, ',');
		size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
		char word[32];
		char *eq;

		while (len > 0 && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		if (len >= sizeof(word))
			return cfg_err(ctx, node, "unknown log level \"%.*s\"", (int)len, s);
		memcpy(word, s, len);
		word[len] = '\0';
		eq = strchr(word, '=');
		if (eq != NULL) {
			*eq = '\0';
			if (d_log_str2fac(word) < 0)
				return cfg_err(ctx, node, "unknown subsystem \"%s\" in \"%s\"",
					       word, value);
			if (d_log_str2prio(eq + 1) < 0)
				return cfg_err(ctx, node, "unknown log level \"%s\" in \"%s\"",
					       eq + 1, value);
		} else if (len > 0 && d_log_str2prio(word) < 0) {
			return cfg_err(
				ctx, node,
				"unknown log level \"%s\" (expected DEBUG, INFO, NOTE, WARN, ERR, CRIT, ALRT, EMRG or EMIT, optionally per subsystem as in DEBUG,MEM=ERR)",
				word);
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
	return 0;
}

/* DD_SUBSYS and DD_MASK values given through env_vars. */
static const char *const stream_names[] = {
#define STREAM_NAME(id, bit, name) name,
	D_FOREACH_DB_STREAM(STREAM_NAME)
#undef STREAM_NAME
		"all",
	"daos_default",
	"group_default",
	"group_metadata",
	"group_metadata_only",
};

static bool
word_list_ok(const char *value, bool streams, char *bad, size_t bad_len)
{
	const char *s = value;

	while (*s != '\0') {
		const char *end = strchr(s, ',');
		size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
		char word[32];
		bool ok = false;
		size_t i;

		snprintf(word, sizeof(word), "%.*s", (int)len, s);
		if (len == 0 || len >= sizeof(word))
			ok = len == 0;
		else if (streams)
			for (i = 0; i < ARRAY_SIZE(stream_names) && !ok; i++)
				ok = strcasecmp(word, stream_names[i]) == 0;
		else
			ok = strcasecmp(word, "all") == 0 || d_log_str2fac(word) >= 0;
		if (!ok) {
			snprintf(bad, bad_len, "%s", word);
			return false;
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
	return true;
}

static int
check_env_name(struct cfg_ctx *ctx, yaml_node_t *node, const char *value)
{
	const char *p;

	for (p = value; *p != '\0'; p++)
		if (!(isalpha((unsigned char)*p) || *p == '_' ||
		      (p > value && isdigit((unsigned char)*p))))
			break;
	if (p == value || *p != '\0')
		return cfg_err(ctx, node, "expected an environment variable name, got \"%s\"",
			       value);
	return 0;
}

static int
check_fault_path(struct cfg_ctx *ctx, yaml_node_t *node, const char *value)
{
	if (value[0] != '/' || strstr(value, "//") != NULL ||
	    (strlen(value) > 1 && value[strlen(value) - 1] == '/'))
		return cfg_err(ctx, node,
			       "expected a fault domain path such as \"/rack1/host1\", got \"%s\"",
			       value);
	return 0;
}

static int
check_provider(struct cfg_ctx *ctx, yaml_node_t *node, const char *value)
{
	if (value[0] == '\0')
		return cfg_err(
			ctx, node,
			"may not be empty (run \"daos_server network scan\" to list providers)");
	if (strchr(value, ',') != NULL)
		return cfg_err(ctx, node, "only one provider may be given, got \"%s\"", value);
	return 0;
}

/* "0x80-0x8f" or "128-143" */
static bool
busid_parse(const char *s, uint8_t *lo, uint8_t *hi)
{
	unsigned long v[2];
	int i;

	for (i = 0; i < 2; i++) {
		char *end;

		if (!isdigit((unsigned char)*s))
			return false;
		v[i] = strtoul(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
		if (end == s || v[i] > 255)
			return false;
		s = end;
		if (i == 0 && *s++ != '-')
			return false;
	}
	if (*s != '\0' || v[0] > v[1])
		return false;
	*lo = (uint8_t)v[0];
	*hi = (uint8_t)v[1];
	return true;
}

/*
 * enable_hotplug (DAOS 2.6) became disable_hotplug with hot-plug on by default. DAOS cannot
 * tell "false" from absent, so only "true" is an error there; the same here.
 */
static int
enable_hotplug_parse(struct cfg_ctx *ctx, yaml_node_t *node, void *field)
{
	bool enable = false;
	int rc;

	(void)field;
	rc = cfg_bool_get(ctx, node, &enable);
	if (rc == 0 && enable)
		rc = cfg_err(
			ctx, node,
			"no longer supported: NVMe hot-plug is on by default, use \"disable_hotplug: true\" to turn it off");
	return rc;
}

/* Tables */

#define T struct config_tier
static const struct cfg_key tier_keys[] = {
	K_ENUM(T, "class", class, class_names),
	K_STR(T, "scm_mount", scm_mount, .check = cfg_check_nonempty),
	K_LIST(T, "scm_list", scm_list, .flags = CK_UNSUPPORTED, .check = cfg_check_nonempty),
	K_INT(T, "scm_size", scm_size, 0, 1 << 24),
	K_BOOL(T, "scm_hugepages_disabled", scm_hugepages_disabled, .def_int = 1),
	K_LIST(T, "bdev_list", bdev_list, .check = cfg_check_nonempty),
	K_INT(T, "bdev_size", bdev_size, 0, 1 << 24),
	K_STR(T, "bdev_busid_range", bdev_busid_range, .flags = CK_UNSUPPORTED),
	K_FLAGS(T, "bdev_roles", bdev_roles, role_names),
	K_INT(T, "bdev_number", bdev_number, 0, INT32_MAX, .flags = CK_UNSUPPORTED),
};
#undef T

#define F struct config_auto_faulty
static const struct cfg_key auto_faulty_keys[] = {
	K_BOOL(F, "enable", enable, .def_int = 1),
	K_INT(F, "max_io_errs", max_io_errs, 0, UINT32_MAX, .def_int = 10),
	K_INT(F, "max_csum_errs", max_csum_errs, 0, UINT32_MAX, .def_int = UINT32_MAX),
};
#undef F

#define I struct config_spdk_iobuf
static const struct cfg_key iobuf_keys[] = {
	K_INT(I, "small_pool_count", small_pool_count, 0, INT64_MAX, .def_int = 8192),
	K_INT(I, "large_pool_count", large_pool_count, 0, INT64_MAX, .def_int = 1024),
};
#undef I

#define A struct config_acceleration
static const struct cfg_key accel_keys[] = {
	K_ENUM(A, "engine", engine, accel_engines, .def_int = CONFIG_ACCEL_NONE),
	K_FLAGS(A, "options", options, accel_options),
};
#undef A

#define R struct config_spdk_rpc
static const struct cfg_key rpc_keys[] = {
	K_BOOL(R, "enable", enable),
	K_STR(R, "sock_addr", sock_addr, .check = cfg_check_nonempty),
};
#undef R

static int tier_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj);
static int engine_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj);
static int ctlmd_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj);
static int server_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj);

static const struct cfg_map tier_map = CFG_MAP(tier_keys, struct config_tier, tier_check);
static const struct cfg_map auto_faulty_map =
	CFG_MAP(auto_faulty_keys, struct config_auto_faulty, NULL);
static const struct cfg_map iobuf_map = CFG_MAP(iobuf_keys, struct config_spdk_iobuf, NULL);
static const struct cfg_map accel_map = CFG_MAP(accel_keys, struct config_acceleration, NULL);
static const struct cfg_map rpc_map = CFG_MAP(rpc_keys, struct config_spdk_rpc, NULL);

#define MOVED_TO_TIER "moved into a tier of \"storage:\" in DAOS 2.0 (see the examples)"
#define CLASS_TO_TIER \
	"replaced by \"class\" in a tier of \"storage:\" in DAOS 2.0 (see the examples)"

#define E struct config_engine
static const struct cfg_key engine_keys[] = {
	K_INT(E, "targets", targets, 1, INT32_MAX),
	K_INT(E, "nr_xs_helpers", nr_xs_helpers, 0, INT32_MAX),
	K_INT(E, "first_core", first_core, 0, INT32_MAX),
	K_INT(E, "pinned_numa_node", pinned_numa_node, 0, INT32_MAX, .flags = CK_UNSUPPORTED,
	      .has_off = CFG_HAS(E, has_pinned_numa_node)),
	K_BOOL(E, "bypass_health_chk", bypass_health_chk, .flags = CK_UNSUPPORTED),
	K_STR(E, "fabric_iface", fabric_iface, .check = cfg_check_nonempty),
	K_INT(E, "fabric_iface_port", fabric_iface_port, 0, 65535),
	K_STR(E, "provider", provider, .check = check_provider),
	K_INT(E, "crt_timeout", crt_timeout, 0, INT32_MAX, .has_off = CFG_HAS(E, has_crt_timeout)),
	K_BOOL(E, "disable_srx", disable_srx, .has_off = CFG_HAS(E, has_disable_srx)),
	K_STR(E, "fabric_auth_key", fabric_auth_key, .flags = CK_UNSUPPORTED),
	{ .name = "secondary_provider_endpoints",
	  .type = CT_INTLIST,
	  .off = CFG_OFF(E, secondary_provider_endpoints),
	  .nr_off = CFG_OFF(E, nr_secondary_provider_endpoints),
	  .min = 1,
	  .max = INT32_MAX,
	  .flags = CK_UNSUPPORTED },
	K_STR(E, "log_mask", log_mask, .def_str = "ERR", .check = check_log_mask),
	K_STR(E, "log_file", log_file, .check = cfg_check_nonempty),
	K_LIST(E, "env_vars", env_vars, .check = cfg_check_env_var),
	K_LIST(E, "env_pass_through", env_pass_through, .check = check_env_name),
	K_ARRAY(E, "storage", storage, nr_storage, &tier_map),
	K_MAP(E, "bdev_auto_faulty", bdev_auto_faulty, &auto_faulty_map, .flags = CK_UNSUPPORTED),
	K_MAP(E, "spdk_iobuf", spdk_iobuf, &iobuf_map, .flags = CK_UNSUPPORTED),
	K_MAP(E, "acceleration", acceleration, &accel_map, .flags = CK_UNSUPPORTED),
	K_MAP(E, "spdk_rpc_server", spdk_rpc_server, &rpc_map, .flags = CK_UNSUPPORTED),
	/* The flat storage keys of DAOS 1.x engines ("servers:"). */
	K_REMOVED("scm_class", CLASS_TO_TIER),
	K_REMOVED("scm_mount", MOVED_TO_TIER),
	K_REMOVED("scm_list", MOVED_TO_TIER),
	K_REMOVED("scm_size", MOVED_TO_TIER),
	K_REMOVED("bdev_class", CLASS_TO_TIER),
	K_REMOVED("bdev_list", MOVED_TO_TIER),
	K_REMOVED("bdev_size", MOVED_TO_TIER),
	K_REMOVED("bdev_number", MOVED_TO_TIER),
	K_REMOVED("bdev_busid_range", MOVED_TO_TIER),
};
#undef E

static const struct cfg_map engine_map = CFG_MAP(engine_keys, struct config_engine, engine_check);

#define C struct config_control_metadata
static const struct cfg_key ctlmd_keys[] = {
	K_STR(C, "path", path, .check = cfg_check_nonempty),
	K_STR(C, "device", device, .flags = CK_UNSUPPORTED, .check = cfg_check_nonempty),
	K_BOOL(C, "allow_spdk_conf_override", allow_spdk_conf_override, .flags = CK_UNSUPPORTED),
};
#undef C

static const struct cfg_key support_keys[] = {
	K_STR(struct config_support, "file_transfer_exec", file_transfer_exec,
	      .check = cfg_check_nonempty),
};

static const struct cfg_map ctlmd_map =
	CFG_MAP(ctlmd_keys, struct config_control_metadata, ctlmd_check);
static const struct cfg_map support_map = CFG_MAP(support_keys, struct config_support, NULL);

static const char *const default_replicas[] = { "localhost", NULL };

#define S struct config_server
static const struct cfg_key server_keys[] = {
	K_STR(S, "name", name, .def_str = "daos_server", .check = cfg_check_sysname),
	K_LIST(S, "mgmt_svc_replicas", mgmt_svc_replicas, .def_list = default_replicas,
	       .check = cfg_check_nonempty),
	K_LIST(S, "access_points", mgmt_svc_replicas, .flags = CK_ALIAS | CK_DEPRECATED,
	       .excl = "mgmt_svc_replicas", .check = cfg_check_nonempty,
	       .note = "deprecated name of mgmt_svc_replicas, which takes the same list"),
	K_INT(S, "port", port, 1, 65535, .def_int = CONFIG_DEFAULT_PORT),
	K_STR(S, "control_iface", control_iface, .check = cfg_check_nonempty),
	K_MAP(S, "transport_config", transport_config, &cfg_transport_server_map),
	K_MAP(S, "control_metadata", control_metadata, &ctlmd_map),
	K_STR(S, "fault_path", fault_path, .check = check_fault_path),
	K_STR(S, "fault_cb", fault_cb, .excl = "fault_path", .check = cfg_check_nonempty),
	K_STR(S, "provider", provider, .check = check_provider),
	K_INT(S, "crt_timeout", crt_timeout, 0, INT32_MAX),
	K_BOOL(S, "disable_srx", disable_srx),
	K_STR(S, "fabric_auth_key", fabric_auth_key, .flags = CK_UNSUPPORTED),
	K_INT(S, "core_dump_filter", core_dump_filter, 0, 255, .def_int = 0x13),
	K_LIST(S, "bdev_exclude", bdev_exclude, .flags = CK_UNSUPPORTED),
	K_LIST(S, "bdev_include", bdev_include, .flags = CK_UNSUPPORTED),
	K_BOOL(S, "disable_vfio", disable_vfio, .flags = CK_UNSUPPORTED),
	K_BOOL(S, "disable_vmd", disable_vmd, .flags = CK_UNSUPPORTED),
	K_BOOL(S, "enable_vmd", disable_vmd,
	       .flags = CK_ALIAS | CK_INVERT | CK_DEPRECATED | CK_UNSUPPORTED,
	       .excl = "disable_vmd",
	       .note = "deprecated, use disable_vmd (with the opposite value)"),
	K_BOOL(S, "disable_hotplug", disable_hotplug, .flags = CK_UNSUPPORTED),
	{ .name = "enable_hotplug",
	  .type = CT_CUSTOM,
	  .parse = enable_hotplug_parse,
	  .flags = CK_ALIAS | CK_DEPRECATED | CK_UNSUPPORTED,
	  .note = "deprecated and ignored: NVMe hot-plug is on by default (see disable_hotplug)" },
	K_BOOL(S, "hyperthreads", hyperthreads, .flags = CK_UNSUPPORTED),
	K_STR(S, "socket_dir", socket_dir, .def_str = "/var/run/daos_server",
	      .check = cfg_check_nonempty),
	K_INT(S, "nr_hugepages", nr_hugepages, 0, INT32_MAX, .flags = CK_UNSUPPORTED),
	K_BOOL(S, "disable_hugepages", disable_hugepages, .flags = CK_UNSUPPORTED),
	K_BOOL(S, "allow_numa_imbalance", allow_numa_imbalance, .flags = CK_UNSUPPORTED),
	K_BOOL(S, "allow_thp", allow_thp, .flags = CK_UNSUPPORTED),
	K_STR(S, "kernel_config_path", kernel_config_path, .flags = CK_UNSUPPORTED),
	K_INT(S, "system_ram_reserved", system_ram_reserved, 1, INT32_MAX, .def_int = 64),
	K_ENUM(S, "control_log_mask", control_log_mask, cfg_log_levels, .flags = CK_NOCASE,
	       .def_int = CONFIG_LOG_INFO),
	K_STR(S, "control_log_file", control_log_file, .check = cfg_check_nonempty),
	K_BOOL(S, "control_log_json", control_log_json, .flags = CK_UNSUPPORTED),
	K_STR(S, "helper_log_file", helper_log_file, .flags = CK_UNSUPPORTED),
	K_STR(S, "firmware_helper_log_file", firmware_helper_log_file,
	      .flags = CK_DEPRECATED | CK_UNSUPPORTED,
	      .note = "deprecated, there is no firmware helper"),
	K_INT(S, "telemetry_port", telemetry_port, 0, 65535),
	K_BOOL(S, "disable_engine_auto_restart", disable_engine_auto_restart),
	K_INT(S, "engine_auto_restart_min_delay", engine_auto_restart_min_delay, 0, INT32_MAX,
	      .def_int = 300),
	K_LIST(S, "client_env_vars", client_env_vars, .check = cfg_check_env_var),
	K_MAP(S, "support_config", support_config, &support_map, .flags = CK_UNSUPPORTED),
	K_ARRAY(S, "engines", engines, nr_engines, &engine_map),
	K_REMOVED(
		"servers",
		"replaced by \"engines\" in DAOS 2.0: rename the key and put each engine's storage under \"storage:\""),
	K_BOOL(S, "recreate_superblocks", recreate_superblocks,
	       .flags = CK_DEPRECATED | CK_UNSUPPORTED,
	       .note = "deprecated, superblocks are written at format"),
};
#undef S

static const struct cfg_map server_map = CFG_MAP(server_keys, struct config_server, server_check);

D_CASSERT(ARRAY_SIZE(server_keys) <= CFG_MAX_KEYS);
D_CASSERT(ARRAY_SIZE(engine_keys) <= CFG_MAX_KEYS);

/* Rules of one tier */

static int key_err(struct cfg_ctx *ctx, yaml_node_t *node, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An error about @key of the map at @node (its line if given, else the map's). */
static int
key_err(struct cfg_ctx *ctx, yaml_node_t *node, const char *key, const char *fmt, ...)
{
	yaml_node_t *at = cfg_map_get_key(ctx, node, key);
	char msg[512];
	size_t len;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	len = cfg_path_push_key(ctx, key);
	rc = cfg_err(ctx, at != NULL ? at : node, "%s", msg);
	cfg_path_pop(ctx, len);
	return rc;
}

static int
tier_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj)
{
	static const char *const scm_only[] = { "scm_mount", "scm_list", "scm_size",
						"scm_hugepages_disabled" };
	static const char *const bdev_only[] = { "bdev_list", "bdev_size", "bdev_roles",
						 "bdev_busid_range", "bdev_number" };
	struct config_tier *t = obj;
	const char *cls = config_class_name(t->class);
	size_t i;

	if (t->class == CONFIG_CLASS_NONE)
		return key_err(ctx, where, "class", "required (dcpm, ram, nvme, file or kdev)");
	for (i = 0; i < ARRAY_SIZE(scm_only) && !is_scm(t->class); i++)
		if (cfg_map_get_key(ctx, node, scm_only[i]) != NULL)
			return key_err(ctx, node, scm_only[i], "not valid with class %s", cls);
	for (i = 0; i < ARRAY_SIZE(bdev_only) && is_scm(t->class); i++)
		if (cfg_map_get_key(ctx, node, bdev_only[i]) != NULL)
			return key_err(
				ctx, node, bdev_only[i],
				"not valid with class %s (start a new tier with \"- class:\")",
				cls);

	switch (t->class) {
	case CONFIG_CLASS_RAM:
		if (t->scm_list.nr > 0)
			return key_err(ctx, node, "scm_list", "not valid with class ram");
		break;
	case CONFIG_CLASS_DCPM:
		if (t->scm_list.nr != 1)
			return key_err(ctx, where, "scm_list",
				       "class dcpm needs exactly one PMem device, got %u",
				       t->scm_list.nr);
		if (t->scm_size != 0)
			return key_err(ctx, node, "scm_size", "not valid with class dcpm");
		if (cfg_map_get_key(ctx, node, "scm_hugepages_disabled") != NULL)
			return key_err(ctx, node, "scm_hugepages_disabled",
				       "not valid with class dcpm");
		break;
	case CONFIG_CLASS_FILE:
		if (t->bdev_size == 0)
			return key_err(ctx, where, "bdev_size",
				       "required with class file (size of each file in GB)");
		/* fallthrough */
	default:
		if (t->bdev_list.nr == 0)
			return key_err(ctx, where, "bdev_list", "required with class %s", cls);
		break;
	}
	if (is_scm(t->class) && t->scm_mount == NULL)
		return key_err(ctx, where, "scm_mount", "required with class %s", cls);
	if (t->bdev_busid_range != NULL &&
	    !busid_parse(t->bdev_busid_range, &t->busid_min, &t->busid_max))
		return key_err(ctx, node, "bdev_busid_range",
			       "expected a PCI bus range such as 0x80-0x8f or 128-143, got \"%s\"",
			       t->bdev_busid_range);
	return 0;
}

/* Rules of one engine */

/* DD_SUBSYS, DD_MASK and D_LOG_MASK set through env_vars must be valid too. */
static int
env_vars_check(struct cfg_ctx *ctx, yaml_node_t *node, const struct config_engine *e)
{
	yaml_node_t *list = cfg_map_get(ctx, node, "env_vars");
	unsigned int i;
	int rc = 0;

	for (i = 0; rc == 0 && i < e->env_vars.nr; i++) {
		const char *v = e->env_vars.str[i];
		const char *val = strchr(v, '=') + 1;
		yaml_node_t *at = cfg_item_or(ctx, list, i, node);
		size_t len = cfg_path_push_key(ctx, "env_vars");
		char bad[32];

		cfg_path_push_index(ctx, i);
		if (strncmp(v, "DD_SUBSYS=", 10) == 0 &&
		    !word_list_ok(val, false, bad, sizeof(bad)))
			rc = cfg_err(ctx, at, "unknown subsystem \"%s\" in DD_SUBSYS", bad);
		else if (strncmp(v, "DD_MASK=", 8) == 0 &&
			 !word_list_ok(val, true, bad, sizeof(bad)))
			rc = cfg_err(ctx, at, "unknown debug stream \"%s\" in DD_MASK", bad);
		else if (strncmp(v, "D_LOG_MASK=", 11) == 0)
			rc = check_log_mask(ctx, at, val);
		cfg_path_pop(ctx, len);
	}
	return rc;
}

/* Storage tiers: an SCM-class tier first, bdev-class tiers after, no real and emulated mix. */
static int
storage_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where,
	      const struct config_engine *e)
{
	yaml_node_t *list = cfg_map_get(ctx, node, "storage");
	bool nvme = false;
	bool emulated = false;
	unsigned int i;
	char path[64];

	if (e->nr_storage == 0)
		return key_err(ctx, list != NULL ? node : where, "storage",
			       "at least one tier is required (class ram or dcpm first)");
	for (i = 0; i < e->nr_storage; i++) {
		const struct config_tier *t = &e->storage[i];
		yaml_node_t *tn = cfg_item_or(ctx, list, i, node);
		size_t len;
		int rc = 0;

		snprintf(path, sizeof(path), "storage[%u]", i);
		len = cfg_path_push_key(ctx, path);
		if (i == 0 && !is_scm(t->class))
			rc = key_err(ctx, tn, "class",
				     "the first tier must be class ram or dcpm, got %s",
				     config_class_name(t->class));
		else if (i > 0 && is_scm(t->class))
			rc = key_err(
				ctx, tn, "class",
				"only the first tier may be class %s; later tiers are nvme, file or kdev",
				config_class_name(t->class));
		cfg_path_pop(ctx, len);
		if (rc != 0)
			return rc;
		nvme |= t->class == CONFIG_CLASS_NVME;
		emulated |= t->class == CONFIG_CLASS_FILE || t->class == CONFIG_CLASS_KDEV;
		if (nvme && emulated)
			return cfg_err_at(
				ctx, tn, ctx->path,
				"storage: class nvme cannot be mixed with class file or kdev in one engine");
	}
	return 0;
}

static int
engine_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj)
{
	struct config_engine *e = obj;
	int rc;

	if (e->targets == 0)
		return key_err(ctx, node != NULL ? node : where, "targets",
			       "required (the number of I/O targets of this engine, e.g. 16)");
	if (e->fabric_iface == NULL)
		return key_err(ctx, node != NULL ? node : where, "fabric_iface",
			       "required (the network interface of this engine, e.g. eth0 or ib0)");
	if (e->has_pinned_numa_node && e->first_core != 0)
		return key_err(ctx, node, "pinned_numa_node",
			       "cannot be given together with a non-zero first_core");
	rc = env_vars_check(ctx, node, e);
	if (rc == 0)
		rc = storage_check(ctx, node, where, e);
	return rc;
}

static int
ctlmd_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj)
{
	struct config_control_metadata *cm = obj;

	(void)where;
	if (cm->device != NULL && cm->path == NULL)
		return key_err(ctx, node, "device",
			       "requires control_metadata.path (the mount point of the device)");
	return 0;
}

/* Rules of the whole file */

/* The YAML node of engine @i, of key @key in it (or the engine), of tier @t's key. */
static yaml_node_t *
engine_node(struct cfg_ctx *ctx, yaml_node_t *root, unsigned int i)
{
	return cfg_item_or(ctx, cfg_map_get(ctx, root, "engines"), i, root);
}

static yaml_node_t *
engine_key(struct cfg_ctx *ctx, yaml_node_t *root, unsigned int i, const char *key)
{
	yaml_node_t *en = engine_node(ctx, root, i);
	yaml_node_t *k = cfg_map_get_key(ctx, en, key);

	return k != NULL ? k : en;
}

static yaml_node_t *
tier_key(struct cfg_ctx *ctx, yaml_node_t *root, unsigned int i, unsigned int t, const char *key)
{
	yaml_node_t *en = engine_node(ctx, root, i);
	yaml_node_t *tn = cfg_item_or(ctx, cfg_map_get(ctx, en, "storage"), t, en);
	yaml_node_t *k = cfg_map_get_key(ctx, tn, key);

	return k != NULL ? k : tn;
}

/*
 * bdev_roles of engine @i (DAOS's rules, docs/config.md): all bdev tiers have roles or none
 * do; each of wal, meta and data on exactly one tier; wal and data share a tier only with
 * meta; at most three bdev tiers. Without roles and with control_metadata.path, roles are
 * assigned as DAOS does for NVMe (1 tier: all; 2: wal | meta,data; 3: wal | meta | data), and
 * here for file and kdev tiers too, where DAOS would refuse the path. MD-on-SSD (ram first
 * and a meta role) needs control_metadata.path, and the path needs MD-on-SSD.
 */
static int
roles_check(struct cfg_ctx *ctx, yaml_node_t *root, struct config_server *cfg, unsigned int i)
{
	static const unsigned int implicit[3][3] = {
		{ CONFIG_ROLE_ALL },
		{ CONFIG_ROLE_WAL, CONFIG_ROLE_META | CONFIG_ROLE_DATA },
		{ CONFIG_ROLE_WAL, CONFIG_ROLE_META, CONFIG_ROLE_DATA },
	};
	static const char *const role_label[] = { "wal", "meta", "data" };
	struct config_engine *e = &cfg->engines[i];
	bool dcpm = e->storage[0].class == CONFIG_CLASS_DCPM;
	unsigned int nb = e->nr_storage - 1;
	unsigned int with = 0;
	unsigned int count[3] = { 0 };
	unsigned int first_without = 0;
	char path[96];
	unsigned int t;
	unsigned int r;

	for (t = 1; t < e->nr_storage; t++) {
		if (e->storage[t].bdev_roles != 0)
			with++;
		else if (first_without == 0)
			first_without = t;
	}
	snprintf(path, sizeof(path), "engines[%u].storage[%u].bdev_roles", i,
		 with > 0 && with < nb ? first_without : 1);
	if (with > 0 && with < nb)
		return cfg_err_at(
			ctx, tier_key(ctx, root, i, first_without, "class"), path,
			"missing: give roles to every bdev tier of the engine or to none");
	if (with > 0) {
		for (t = 1; t < e->nr_storage; t++) {
			unsigned int ro = e->storage[t].bdev_roles;

			snprintf(path, sizeof(path), "engines[%u].storage[%u].bdev_roles", i, t);
			if ((ro & CONFIG_ROLE_WAL) && (ro & CONFIG_ROLE_DATA) &&
			    !(ro & CONFIG_ROLE_META))
				return cfg_err_at(
					ctx, tier_key(ctx, root, i, t, "bdev_roles"), path,
					"wal and data may share a tier only together with meta");
			for (r = 0; r < 3; r++)
				count[r] += (ro >> r) & 1;
			e->storage[t].roles = ro;
		}
		snprintf(path, sizeof(path), "engines[%u].storage[1].bdev_roles", i);
		if (dcpm && (nb != 1 || e->storage[1].bdev_roles != CONFIG_ROLE_DATA))
			return cfg_err_at(
				ctx, tier_key(ctx, root, i, 1, "bdev_roles"), path,
				"with class dcpm only one bdev tier, with role data, is allowed");
		if (!dcpm && nb > 3)
			return cfg_err_at(ctx, tier_key(ctx, root, i, 4, "class"), path,
					  "at most 3 bdev tiers may have roles, got %u", nb);
		for (r = 0; r < 3 && !dcpm; r++)
			if (count[r] != 1)
				return cfg_err_at(
					ctx, tier_key(ctx, root, i, 1, "bdev_roles"), path,
					"role %s is on %u tiers; each of wal, meta and data must be on exactly one",
					role_label[r], count[r]);
	} else if (nb > 0) {
		snprintf(path, sizeof(path), "engines[%u].storage[2]", i);
		if (dcpm && nb > 1)
			return cfg_err_at(ctx, tier_key(ctx, root, i, 2, "class"), path,
					  "with class dcpm only one bdev tier is allowed");
		if (dcpm) {
			e->storage[1].roles = CONFIG_ROLE_DATA;
		} else if (cfg->control_metadata.path != NULL) {
			if (nb > 3)
				return cfg_err_at(
					ctx, tier_key(ctx, root, i, 4, "class"), path,
					"at most 3 bdev tiers are allowed in MD-on-SSD mode");
			for (t = 1; t < e->nr_storage; t++)
				e->storage[t].roles = implicit[nb - 1][t - 1];
		} else if (nb > 1) {
			return cfg_err_at(
				ctx, tier_key(ctx, root, i, 2, "class"), path,
				"more than one bdev tier needs bdev_roles and control_metadata.path (MD-on-SSD)");
		}
	}
	for (t = 1; t < e->nr_storage; t++)
		e->md_on_ssd |= !dcpm && (e->storage[t].roles & CONFIG_ROLE_META) != 0;

	if (e->md_on_ssd && cfg->control_metadata.path == NULL) {
		snprintf(path, sizeof(path), "engines[%u].storage[1].bdev_roles", i);
		return cfg_err_at(ctx, tier_key(ctx, root, i, 1, "bdev_roles"), path,
				  "bdev roles (MD-on-SSD) need control_metadata.path");
	}
	if (!e->md_on_ssd && cfg->control_metadata.path != NULL) {
		yaml_node_t *cm = cfg_map_get(ctx, root, "control_metadata");

		return cfg_err_at(
			ctx, cfg_map_get_key(ctx, cm, "path"), "control_metadata.path",
			"needs bdev tiers with roles on class ram (MD-on-SSD), but engines[%u] has %s",
			i, nb == 0 ? "no bdev tier" : "class dcpm");
	}
	return 0;
}

/* Replica list: expanded with the port; when engines exist, at least one and no duplicates. */
static int
replicas_check(struct cfg_ctx *ctx, yaml_node_t *root, struct config_server *cfg)
{
	const char *key = cfg_map_get_key(ctx, root, "access_points") != NULL ? "access_points"
									      : "mgmt_svc_replicas";
	yaml_node_t *list = cfg_map_get(ctx, root, key);
	yaml_node_t *at = list != NULL ? list : root;
	unsigned int a;
	unsigned int b;
	int rc;

	rc = cfg_hostlist_expand_node(ctx, list, key, &cfg->mgmt_svc_replicas, cfg->port,
				      &cfg->replicas);
	if (rc != 0)
		return rc;
	if (cfg->nr_engines == 0)
		return 0; /* discovery mode: DAOS checks nothing more */
	if (cfg->replicas.nr == 0)
		return cfg_err_at(ctx, at, key, "at least one MS replica is required");
	rc = cfg_strlist_find_dup(&cfg->replicas, &a, &b);
	if (rc < 0)
		return cfg_nomem(ctx);
	if (rc > 0)
		return cfg_err_at(ctx, at, key, "\"%s\" is listed more than once",
				  cfg->replicas.str[b]);
	/*
	 * DAOS refuses an even count; we accept it, because the DAOS guides our users
	 * follow deploy two servers with two access points. Two replicas work but need
	 * each other: say so once, where the admin will look.
	 */
	if (cfg->replicas.nr % 2 == 0)
		D_WARN("%s:%d: %s: %u MS replicas: the management service stops if any one "
		       "of them is down; an odd count (1, 3, 5) tolerates (n-1)/2 failures",
		       ctx->file, cfg_line(at), key, cfg->replicas.nr);
	return 0;
}

/* Engines take the global fabric settings they do not set themselves. */
static int
engines_inherit(struct cfg_ctx *ctx, yaml_node_t *root, struct config_server *cfg)
{
	unsigned int i;
	char path[64];

	if (cfg->nr_engines > 0 && cfg->provider == NULL)
		return cfg_err_at(
			ctx, cfg_map_get_key(ctx, root, "engines"), "provider",
			"required when engines are defined (run \"daos_server network scan\" to list providers)");
	for (i = 0; i < cfg->nr_engines; i++) {
		struct config_engine *e = &cfg->engines[i];

		if (e->provider != NULL && strcmp(e->provider, cfg->provider) != 0) {
			snprintf(path, sizeof(path), "engines[%u].provider", i);
			return cfg_err_at(
				ctx, engine_key(ctx, root, i, "provider"), path,
				"\"%s\" differs from the global provider \"%s\"; one provider serves all engines",
				e->provider, cfg->provider);
		}
		if (e->provider == NULL) {
			e->provider = d_strdup(cfg->provider);
			if (e->provider == NULL)
				return cfg_nomem(ctx);
		}
		if (e->fabric_auth_key == NULL && cfg->fabric_auth_key != NULL) {
			e->fabric_auth_key = d_strdup(cfg->fabric_auth_key);
			if (e->fabric_auth_key == NULL)
				return cfg_nomem(ctx);
		}
		if (!e->has_crt_timeout)
			e->crt_timeout = cfg->crt_timeout;
		if (!e->has_disable_srx)
			e->disable_srx = cfg->disable_srx;
	}
	return 0;
}

/* One device of some engine's storage, for the duplicate search. */
struct dev_ref {
	unsigned int engine;
	unsigned int tier;
};

/* No scm_list or bdev_list entry may appear twice in the file. */
static int
devices_check(struct cfg_ctx *ctx, yaml_node_t *root, struct config_server *cfg, bool scm)
{
	struct config_strlist all = { NULL, 0 };
	struct dev_ref *ref = NULL;
	unsigned int total = 0;
	unsigned int a;
	unsigned int b;
	unsigned int i;
	unsigned int t;
	unsigned int k;
	char path[96];
	int rc;

	for (i = 0; i < cfg->nr_engines; i++)
		for (t = 0; t < cfg->engines[i].nr_storage; t++)
			total += scm ? cfg->engines[i].storage[t].scm_list.nr
				     : cfg->engines[i].storage[t].bdev_list.nr;
	if (total < 2)
		return 0;
	all.str = d_calloc(total, sizeof(*all.str));
	ref = d_calloc(total, sizeof(*ref));
	if (all.str == NULL || ref == NULL) {
		rc = cfg_nomem(ctx);
		goto out;
	}
	for (i = 0; i < cfg->nr_engines; i++) {
		for (t = 0; t < cfg->engines[i].nr_storage; t++) {
			struct config_tier *tier = &cfg->engines[i].storage[t];
			struct config_strlist *l = scm ? &tier->scm_list : &tier->bdev_list;

			for (k = 0; k < l->nr; k++) {
				all.str[all.nr] = l->str[k]; /* borrowed */
				ref[all.nr].engine = i;
				ref[all.nr++].tier = t;
			}
		}
	}
	rc = cfg_strlist_find_dup(&all, &a, &b);
	if (rc < 0) {
		rc = cfg_nomem(ctx);
	} else if (rc > 0) {
		snprintf(path, sizeof(path), "engines[%u].storage[%u].%s", ref[b].engine,
			 ref[b].tier, scm ? "scm_list" : "bdev_list");
		rc = cfg_err_at(ctx,
				tier_key(ctx, root, ref[b].engine, ref[b].tier,
					 scm ? "scm_list" : "bdev_list"),
				path, "\"%s\" is already used by engines[%u].storage[%u]",
				all.str[b], ref[a].engine, ref[a].tier);
	}
out:
	d_free(all.str);
	d_free(ref);
	return rc;
}

static unsigned int
nr_bdevs(const struct config_engine *e)
{
	unsigned int n = 0;
	unsigned int t;

	for (t = 1; t < e->nr_storage; t++)
		n += e->storage[t].bdev_list.nr;
	return n;
}

static bool
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* What must be equal on every engine, and what no two engines may share. */
static int
engines_check(struct cfg_ctx *ctx, yaml_node_t *root, struct config_server *cfg)
{
	const struct config_engine *e0 = &cfg->engines[0];
	char path[96];
	unsigned int i;
	unsigned int j;

	for (i = 1; i < cfg->nr_engines; i++) {
		const struct config_engine *e = &cfg->engines[i];

		snprintf(path, sizeof(path), "engines[%u].targets", i);
		if (e->targets != e0->targets)
			return cfg_err_at(
				ctx, engine_key(ctx, root, i, "targets"), path,
				"%d differs from engines[0] (%d); every engine needs the same number",
				e->targets, e0->targets);
		snprintf(path, sizeof(path), "engines[%u].nr_xs_helpers", i);
		if (e->nr_xs_helpers != e0->nr_xs_helpers)
			return cfg_err_at(
				ctx, engine_key(ctx, root, i, "nr_xs_helpers"), path,
				"%d differs from engines[0] (%d); every engine needs the same number",
				e->nr_xs_helpers, e0->nr_xs_helpers);
		snprintf(path, sizeof(path), "engines[%u].storage[0].class", i);
		if (e->storage[0].class != e0->storage[0].class)
			return cfg_err_at(
				ctx, tier_key(ctx, root, i, 0, "class"), path,
				"%s differs from engines[0] (%s); every engine needs the same SCM class",
				config_class_name(e->storage[0].class),
				config_class_name(e0->storage[0].class));
		snprintf(path, sizeof(path), "engines[%u].storage[0].scm_hugepages_disabled", i);
		if (e->storage[0].scm_hugepages_disabled != e0->storage[0].scm_hugepages_disabled)
			return cfg_err_at(
				ctx, tier_key(ctx, root, i, 0, "scm_hugepages_disabled"), path,
				"differs from engines[0]; every engine needs the same setting");
		snprintf(path, sizeof(path), "engines[%u].storage", i);
		if (nr_bdevs(e) != nr_bdevs(e0))
			return cfg_err_at(
				ctx, engine_key(ctx, root, i, "storage"), path,
				"%u block devices, engines[0] has %u; every engine needs the same number",
				nr_bdevs(e), nr_bdevs(e0));
	}
	for (i = 1; i < cfg->nr_engines; i++) {
		const struct config_engine *e = &cfg->engines[i];

		for (j = 0; j < i; j++) {
			const struct config_engine *o = &cfg->engines[j];

			snprintf(path, sizeof(path), "engines[%u].fabric_iface_port", i);
			if (str_eq(e->fabric_iface, o->fabric_iface) && e->fabric_iface_port != 0 &&
			    e->fabric_iface_port == o->fabric_iface_port)
				return cfg_err_at(
					ctx, engine_key(ctx, root, i, "fabric_iface_port"), path,
					"%s port %d is already used by engines[%u]; engines sharing an interface need different ports",
					e->fabric_iface, e->fabric_iface_port, j);
			snprintf(path, sizeof(path), "engines[%u].log_file", i);
			if (str_eq(e->log_file, o->log_file))
				return cfg_err_at(ctx, engine_key(ctx, root, i, "log_file"), path,
						  "\"%s\" is already used by engines[%u]",
						  e->log_file, j);
			snprintf(path, sizeof(path), "engines[%u].storage[0].scm_mount", i);
			if (str_eq(e->storage[0].scm_mount, o->storage[0].scm_mount))
				return cfg_err_at(ctx, tier_key(ctx, root, i, 0, "scm_mount"), path,
						  "\"%s\" is already used by engines[%u]",
						  e->storage[0].scm_mount, j);
		}
	}
	return 0;
}

static bool
has_nvme(const struct config_server *cfg)
{
	unsigned int i;
	unsigned int t;

	for (i = 0; i < cfg->nr_engines; i++)
		for (t = 0; t < cfg->engines[i].nr_storage; t++)
			if (cfg->engines[i].storage[t].class == CONFIG_CLASS_NVME)
				return true;
	return false;
}

static int
server_check(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj)
{
	struct config_server *cfg = obj;
	unsigned int i;
	int rc;

	(void)where;
	if (cfg->disable_hugepages && has_nvme(cfg))
		return key_err(ctx, node, "disable_hugepages",
			       "hugepages cannot be disabled with class nvme storage");
	if (cfg->disable_hugepages && cfg->nr_hugepages != 0)
		return key_err(ctx, node, "disable_hugepages",
			       "cannot be given together with nr_hugepages");
	rc = replicas_check(ctx, node, cfg);
	if (rc == 0)
		rc = engines_inherit(ctx, node, cfg);
	for (i = 0; rc == 0 && i < cfg->nr_engines; i++)
		rc = roles_check(ctx, node, cfg, i);
	if (rc == 0 && cfg->nr_engines > 1)
		rc = engines_check(ctx, node, cfg);
	if (rc == 0)
		rc = devices_check(ctx, node, cfg, true);
	if (rc == 0)
		rc = devices_check(ctx, node, cfg, false);
	return rc;
}

/* Entry points */

static const struct cfg_kind server_kind = {
	.map = &server_map,
	.size = sizeof(struct config_server),
	.path_off = offsetof(struct config_server, path),
	.hosts_off = offsetof(struct config_server, replicas),
};

void
config_server_free(struct config_server *cfg)
{
	cfg_kind_free(&server_kind, cfg);
}

int
config_server_parse(const char *name, const void *buf, size_t len, struct config_server **out,
		    char *err, size_t err_len)
{
	return cfg_kind_parse(&server_kind, name, buf, len, (void **)out, err, err_len);
}

int
config_server_load(const char *path, struct config_server **out, char *err, size_t err_len)
{
	return cfg_kind_load(&server_kind, path, (void **)out, err, err_len);
}

/* The engine's environment */

struct env_builder {
	struct config_strlist list;
	unsigned int cap;
};

static int env_add(struct env_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
env_add(struct env_builder *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (b->list.nr == b->cap) {
		unsigned int cap = b->cap == 0 ? 16 : b->cap * 2;
		char **v = d_reallocarray(b->list.str, cap, sizeof(*v));

		if (v == NULL)
			return -DER_NOMEM;
		b->list.str = v;
		b->cap = cap;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = d_malloc((size_t)n + 1);
	if (s == NULL)
		return -DER_NOMEM;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->list.str[b->list.nr++] = s;
	return 0;
}

/* Is the variable of "K=V" @var already in the first @nr entries? */
static bool
env_has(const struct config_strlist *l, unsigned int nr, const char *var)
{
	size_t klen = strcspn(var, "=");
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (strncmp(l->str[i], var, klen + 1) == 0)
			return true;
	return false;
}

int
config_engine_env(const struct config_server *cfg, unsigned int idx, struct config_strlist *out)
{
	struct env_builder b = { { NULL, 0 }, 0 };
	const struct config_engine *e;
	unsigned int nr_keys;
	unsigned int i;
	int rc = 0;

	if (cfg == NULL || idx >= cfg->nr_engines)
		return -DER_INVAL;
	e = &cfg->engines[idx];
	if (e->provider != NULL)
		rc = env_add(&b, "D_PROVIDER=%s", e->provider);
	if (rc == 0 && e->fabric_iface != NULL)
		rc = env_add(&b, "D_INTERFACE=%s", e->fabric_iface);
	if (rc == 0 && e->fabric_iface_port != 0)
		rc = env_add(&b, "D_PORT=%d", e->fabric_iface_port);
	if (rc == 0 && e->crt_timeout != 0)
		rc = env_add(&b, "CRT_TIMEOUT=%d", e->crt_timeout);
	if (rc == 0 && e->disable_srx)
		rc = env_add(&b, "FI_OFI_RXM_USE_SRX=0");
	if (rc == 0 && e->fabric_auth_key != NULL)
		rc = env_add(&b, "D_PROVIDER_AUTH_KEY=%s", e->fabric_auth_key);
	if (rc == 0 && e->log_mask != NULL)
		rc = env_add(&b, "D_LOG_MASK=%s", e->log_mask);
	if (rc == 0 && e->log_file != NULL)
		rc = env_add(&b, "D_LOG_FILE=%s", e->log_file);
	if (rc == 0 && e->nr_storage > 1)
		rc = env_add(&b, "VOS_BDEV_CLASS=%s",
			     e->storage[1].class == CONFIG_CLASS_NVME ? "NVME" : "AIO");
	nr_keys = b.list.nr;
	for (i = 0; rc == 0 && i < e->env_vars.nr; i++)
		if (!env_has(&b.list, nr_keys, e->env_vars.str[i]))
			rc = env_add(&b, "%s", e->env_vars.str[i]);
	if (rc != 0) {
		config_strlist_fini(&b.list);
		return rc;
	}
	*out = b.list;
	return 0;
}
