/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_tests.c - the config loaders: every shipped config and example loads; the YAML
 * blocks of the seed guides load or fail as their fixture says; malformed configs fail
 * with their exact message and never crash; defaults are DAOS's; allocation failures leak
 * nothing; unsupported keys are noted once.
 *
 *   config_tests <source root> <directory of this file>
 *
 * The directories utils/config, utils/config/examples and tests/seeds are listed at run
 * time, so a new example or fixture is tested without touching this file.
 */
#define D_LOGFAC DD_FAC(tests)

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/test.h"
#include "control/config.h"

static const char *src_root;  /* argv[1] */
static const char *tests_dir; /* argv[2] */

enum kind {
	KIND_SERVER,
	KIND_AGENT,
	KIND_CONTROL,
};

/* Load @path (or parse @text when @path is NULL) as @kind; the config is freed at once. */
static int
try_load(enum kind kind, const char *path, const char *text, char *err, size_t err_len)
{
	const char *name = path != NULL ? path : "bad.yml";
	size_t len = text != NULL ? strlen(text) : 0;
	int rc;

	switch (kind) {
	case KIND_SERVER: {
		struct config_server *cfg = (void *)&kind; /* must stay untouched on error */

		rc = path != NULL ? config_server_load(path, &cfg, err, err_len)
				  : config_server_parse(name, text, len, &cfg, err, err_len);
		if (rc == 0)
			config_server_free(cfg);
		else
			assert_ptr_equal(cfg, (void *)&kind);
		break;
	}
	case KIND_AGENT: {
		struct config_agent *cfg = (void *)&kind;

		rc = path != NULL ? config_agent_load(path, &cfg, err, err_len)
				  : config_agent_parse(name, text, len, &cfg, err, err_len);
		if (rc == 0)
			config_agent_free(cfg);
		else
			assert_ptr_equal(cfg, (void *)&kind);
		break;
	}
	default: {
		struct config_control *cfg = (void *)&kind;

		rc = path != NULL ? config_control_load(path, &cfg, err, err_len)
				  : config_control_parse(name, text, len, &cfg, err, err_len);
		if (rc == 0)
			config_control_free(cfg);
		else
			assert_ptr_equal(cfg, (void *)&kind);
		break;
	}
	}
	return rc;
}

/* The files of @dir ending in ".yml", sorted; returns how many (at most @max). */
static int
list_yml(const char *dir, char names[][256], int max)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int nr = 0;
	int i;
	int j;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL && nr < max) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".yml") == 0 && len < 256)
			snprintf(names[nr++], 256, "%s", de->d_name);
	}
	closedir(d);
	for (i = 1; i < nr; i++) {
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char tmp[256];

			memcpy(tmp, names[j], 256);
			memcpy(names[j], names[j - 1], 256);
			memcpy(names[j - 1], tmp, 256);
		}
	}
	return nr;
}

/* The loader of a file, from its name: *server*, *agent* or *control*. */
static enum kind
kind_of(const char *name)
{
	if (strstr(name, "agent") != NULL)
		return KIND_AGENT;
	if (strstr(name, "control") != NULL)
		return KIND_CONTROL;
	if (strstr(name, "server") == NULL)
		fail_msg("%s: name it *server*, *agent* or *control* so the test knows its loader",
			 name);
	return KIND_SERVER;
}

static int
load_dir(const char *dir)
{
	char names[64][256];
	char path[1024];
	char err[1024];
	int nr = list_yml(dir, names, 64);
	int i;

	for (i = 0; i < nr; i++) {
		int rc;

		snprintf(path, sizeof(path), "%.700s/%.255s", dir, names[i]);
		rc = try_load(kind_of(names[i]), path, NULL, err, sizeof(err));
		if (rc != 0)
			fail_msg("%s did not load: %s", path, err);
	}
	return nr;
}

/* The shipped reference configs and every example load as they are. */
static void
shipped_configs_load(void **state)
{
	TEST_ALLOC_MARK();
	char dir[1024];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/utils/config", src_root);
	assert_true(load_dir(dir) >= 3);
	snprintf(dir, sizeof(dir), "%s/utils/config/examples", src_root);
	assert_true(load_dir(dir) >= 5);
	TEST_ALLOC_CHECK();
}

/* Each seed fixture's first line says "# expect: ok" or "# expect-error: <message>". */
static void
seed_configs(void **state)
{
	TEST_ALLOC_MARK();
	char names[64][256];
	char dir[1024];
	char path[1024];
	char err[1024];
	char want[1600];
	int nr;
	int nr_ok = 0;
	int i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/seeds", tests_dir);
	nr = list_yml(dir, names, 64);
	assert_true(nr >= 10);
	for (i = 0; i < nr; i++) {
		char line[512] = "";
		FILE *f;
		int rc;

		snprintf(path, sizeof(path), "%.700s/%.255s", dir, names[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof(line), f));
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		rc = try_load(kind_of(names[i]), path, NULL, err, sizeof(err));
		if (strcmp(line, "# expect: ok") == 0) {
			if (rc != 0)
				fail_msg("%s did not load: %s", path, err);
			nr_ok++;
			continue;
		}
		assert_int_equal(strncmp(line, "# expect-error: ", 16), 0);
		snprintf(want, sizeof(want), "%.1000s:%.500s", path, line + 16);
		assert_int_equal(rc, -DER_INVAL);
		assert_string_equal(err, want);
	}
	assert_true(nr_ok >= 8);
	TEST_ALLOC_CHECK();
}

struct bad_case {
	enum kind kind;
	const char *text;
	const char *err;
};

/* Malformed configs and the exact message each one gets. */
static const struct bad_case bad_cases[] = {
	{ /* syntax tab */
	  KIND_SERVER,
	  "name: daos_server\n"
	  "port:\t10001\n"
	  "\tprovider: x\n",
	  "bad.yml:3:1: YAML syntax error: found a tab character that violates indentation (while scanning a plain scalar at line 2)" },
	{ /* syntax colon */
	  KIND_SERVER,
	  "name: daos_server\n"
	  "provider: ofi+tcp\n"
	  "  port: 10001\n",
	  "bad.yml:3:7: YAML syntax error: mapping values are not allowed in this context" },
	{ /* syntax unclosed */
	  KIND_SERVER,
	  "access_points: ['a', 'b'\n"
	  "port: 1\n",
	  "bad.yml:2:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1)" },
	{ /* unknown key */
	  KIND_SERVER,
	  "name: daos_server\n"
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  targest: 4\n",
	  "bad.yml:9: engines[0].targest: unknown key (did you mean \"targets\"?)" },
	{ /* unknown top */
	  KIND_SERVER, "nmae: daos_server\n",
	  "bad.yml:1: nmae: unknown key (did you mean \"name\"?)" },
	{ /* unknown nohint */
	  KIND_SERVER, "frobnicate: 1\n", "bad.yml:1: frobnicate: unknown key" },
	{ /* dup key */
	  KIND_SERVER,
	  "port: 10001\n"
	  "name: x\n"
	  "port: 10002\n",
	  "bad.yml:3: port: duplicate key (first given on line 1)" },
	{ /* type int */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: x\n"
	  "  fabric_iface: lo\n",
	  "bad.yml:3: engines[0].targets: expected an integer, got \"x\"" },
	{ /* type quoted int */
	  KIND_SERVER, "port: \"10001\"\n",
	  "bad.yml:1: port: expected an integer, got the string \"10001\" (remove the quotes)" },
	{ /* type bool */
	  KIND_SERVER, "disable_srx: maybe\n",
	  "bad.yml:1: disable_srx: expected true or false, got \"maybe\"" },
	{ /* targets zero */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 0\n",
	  "bad.yml:3: engines[0].targets: must be at least 1, got 0" },
	{ /* targets neg */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: -4\n",
	  "bad.yml:3: engines[0].targets: must be at least 1, got -4" },
	{ /* targets missing */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /m\n",
	  "bad.yml:3: engines[0].targets: required (the number of I/O targets of this engine, e.g. 16)" },
	{ /* ap and replicas */
	  KIND_SERVER,
	  "mgmt_svc_replicas: [a]\n"
	  "access_points: [a]\n",
	  "bad.yml:2: access_points: cannot be given together with mgmt_svc_replicas (line 1)" },
	{ /* dup replicas */
	  KIND_SERVER,
	  "mgmt_svc_replicas: ['a', 'b:10001', 'a']\n"
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n",
	  "bad.yml:1: mgmt_svc_replicas: \"a:10001\" is listed more than once" },
	{ /* missing provider */
	  KIND_SERVER,
	  "name: daos_server\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n",
	  "bad.yml:2: provider: required when engines are defined (run \"daos_server network scan\" to list providers)" },
	{ /* bad log mask */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  log_mask: LOUD\n",
	  "bad.yml:8: engines[0].log_mask: unknown log level \"LOUD\" (expected DEBUG, INFO, NOTE, WARN, ERR, CRIT, ALRT, EMRG or EMIT, optionally per subsystem as in DEBUG,MEM=ERR)" },
	{ /* bad log subsys */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  log_mask: ERR,nosuch=DEBUG\n",
	  "bad.yml:8: engines[0].log_mask: unknown subsystem \"nosuch\" in \"ERR,nosuch=DEBUG\"" },
	{ /* bad control log mask */
	  KIND_SERVER, "control_log_mask: VERBOSE\n",
	  "bad.yml:1: control_log_mask: unknown value \"VERBOSE\" (expected DISABLED, TRACE, DEBUG, INFO, NOTICE or ERROR)" },
	{ /* bad class */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 1\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: pmem\n",
	  "bad.yml:6: engines[0].storage[0].class: unknown value \"pmem\" (expected dcpm, ram, nvme, file or kdev)" },
	{ /* missing scm mount */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 1\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_size: 4\n",
	  "bad.yml:6: engines[0].storage[0].scm_mount: required with class ram" },
	{ /* first tier bdev */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 1\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: file\n"
	  "    bdev_list: [/f]\n"
	  "    bdev_size: 1\n",
	  "bad.yml:6: engines[0].storage[0].class: the first tier must be class ram or dcpm, got file" },
	{ /* file no size */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  - class: file\n"
	  "    bdev_list: [/f]\n",
	  "bad.yml:8: engines[0].storage[1].bdev_size: required with class file (size of each file in GB)" },
	{ /* roles no path */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  - class: file\n"
	  "    bdev_list: [/f]\n"
	  "    bdev_size: 1\n"
	  "    bdev_roles: [wal, meta, data]\n",
	  "bad.yml:11: engines[0].storage[1].bdev_roles: bdev roles (MD-on-SSD) need control_metadata.path" },
	{ /* roles bad name */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "control_metadata:\n"
	  "  path: /p\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  - class: nvme\n"
	  "    bdev_list: ['0000:01:00.0']\n"
	  "    bdev_roles: [wal, journal]\n",
	  "bad.yml:12: engines[0].storage[1].bdev_roles[1]: unknown value \"journal\" (expected wal, meta or data)" },
	{ /* roles wal data */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "control_metadata:\n"
	  "  path: /p\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  - class: nvme\n"
	  "    bdev_list: ['0000:01:00.0']\n"
	  "    bdev_roles: [wal, data]\n"
	  "  - class: nvme\n"
	  "    bdev_list: ['0000:02:00.0']\n"
	  "    bdev_roles: [meta]\n",
	  "bad.yml:12: engines[0].storage[1].bdev_roles: wal and data may share a tier only together with meta" },
	{ /* roles partial */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "control_metadata:\n"
	  "  path: /p\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  - class: nvme\n"
	  "    bdev_list: ['0000:01:00.0']\n"
	  "    bdev_roles: [wal]\n"
	  "  - class: nvme\n"
	  "    bdev_list: ['0000:02:00.0']\n",
	  "bad.yml:13: engines[0].storage[2].bdev_roles: missing: give roles to every bdev tier of the engine or to none" },
	{ /* roles twice */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "control_metadata:\n"
	  "  path: /p\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  - class: nvme\n"
	  "    bdev_list: ['0000:01:00.0']\n"
	  "    bdev_roles: [wal, meta]\n"
	  "  - class: nvme\n"
	  "    bdev_list: ['0000:02:00.0']\n"
	  "    bdev_roles: [meta, data]\n",
	  "bad.yml:12: engines[0].storage[1].bdev_roles: role meta is on 2 tiers; each of wal, meta and data must be on exactly one" },
	{ /* path no bdev */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "control_metadata:\n"
	  "  path: /p\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n",
	  "bad.yml:3: control_metadata.path: needs bdev tiers with roles on class ram (MD-on-SSD), but engines[0] has no bdev tier" },
	{ /* fault excl */
	  KIND_SERVER,
	  "fault_path: /rack1/h1\n"
	  "fault_cb: /bin/fd\n",
	  "bad.yml:2: fault_cb: cannot be given together with fault_path (line 1)" },
	{ /* bad env */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  env_vars:\n"
	  "  - GOOD=1\n"
	  "  - BAD\n",
	  "bad.yml:10: engines[0].env_vars[1]: expected KEY=VALUE, got \"BAD\"" },
	{ /* bad ddsubsys */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  env_vars:\n"
	  "  - DD_SUBSYS=vos,frob\n",
	  "bad.yml:9: engines[0].env_vars[0]: unknown subsystem \"frob\" in DD_SUBSYS" },
	{ /* dup scm mount */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n",
	  "bad.yml:12: engines[1].storage[0].scm_mount: \"/mnt/d0\" is already used by engines[0]" },
	{ /* dup bdev */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 1\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - {class: ram, scm_mount: /a}\n"
	  "  - {class: file, bdev_list: [/f0], bdev_size: 1}\n"
	  "- targets: 1\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - {class: ram, scm_mount: /b}\n"
	  "  - {class: file, bdev_list: [/f0], bdev_size: 1}\n",
	  "bad.yml:12: engines[1].storage[1].bdev_list: \"/f0\" is already used by engines[0].storage[1]" },
	{ /* diff targets */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "- targets: 8\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d1\n",
	  "bad.yml:8: engines[1].targets: 8 differs from engines[0] (4); every engine needs the same number" },
	{ /* dup port */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 1\n"
	  "  fabric_iface: eth0\n"
	  "  fabric_iface_port: 31416\n"
	  "  storage: [{class: ram, scm_mount: /a}]\n"
	  "- targets: 1\n"
	  "  fabric_iface: eth0\n"
	  "  fabric_iface_port: 31416\n"
	  "  storage: [{class: ram, scm_mount: /b}]\n",
	  "bad.yml:9: engines[1].fabric_iface_port: eth0 port 31416 is already used by engines[0]; engines sharing an interface need different ports" },
	{ /* list for map */
	  KIND_SERVER,
	  "transport_config:\n"
	  "- allow_insecure: true\n",
	  "bad.yml:2: transport_config: expected a map, got a list" },
	{ /* map for list */
	  KIND_SERVER,
	  "engines:\n"
	  "  targets: 1\n",
	  "bad.yml:2: engines: expected a list, got a map" },
	{ /* scalar for list */
	  KIND_SERVER, "mgmt_svc_replicas: node1\n",
	  "bad.yml:1: mgmt_svc_replicas: expected a list, got \"node1\"" },
	{ /* enable hotplug */
	  KIND_SERVER, "enable_hotplug: true\n",
	  "bad.yml:1: enable_hotplug: no longer supported: NVMe hot-plug is on by default, use \"disable_hotplug: true\" to turn it off" },
	{ /* vmd both */
	  KIND_SERVER,
	  "disable_vmd: true\n"
	  "enable_vmd: true\n",
	  "bad.yml:2: enable_vmd: cannot be given together with disable_vmd (line 1)" },
	{ /* first core numa */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  first_core: 2\n"
	  "  pinned_numa_node: 0\n",
	  "bad.yml:9: engines[0].pinned_numa_node: cannot be given together with a non-zero first_core" },
	{ /* port range */
	  KIND_SERVER, "port: 70000\n", "bad.yml:1: port: must be between 1 and 65535, got 70000" },
	{ /* bad name */
	  KIND_SERVER, "name: a_very_long_system_name\n",
	  "bad.yml:1: name: the system name may have at most 15 characters, got 23" },
	{ /* legacy engine key */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  scm_class: dcpm\n",
	  "bad.yml:8: engines[0].scm_class: replaced by \"class\" in a tier of \"storage:\" in DAOS 2.0 (see the examples)" },
	{ /* bad hostlist */
	  KIND_SERVER, "mgmt_svc_replicas: ['node[3-1]']\n",
	  "bad.yml:1: mgmt_svc_replicas[0]: invalid range \"[3-1]\" in \"node[3-1]\"" },
	{ /* second doc */
	  KIND_SERVER,
	  "name: a\n"
	  "---\n"
	  "name: b\n",
	  "bad.yml:2:1: a second YAML document is not allowed in a config file" },
	{ /* top list */
	  KIND_SERVER,
	  "- a\n"
	  "- b\n",
	  "bad.yml:1: expected a map, got a list" },
	{ /* provider differs */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  provider: ofi+verbs\n",
	  "bad.yml:8: engines[0].provider: \"ofi+verbs\" differs from the global provider \"ofi+tcp\"; one provider serves all engines" },
	{ /* scm on bdev */
	  KIND_SERVER,
	  "provider: ofi+tcp\n"
	  "engines:\n"
	  "- targets: 4\n"
	  "  fabric_iface: lo\n"
	  "  storage:\n"
	  "  - class: ram\n"
	  "    scm_mount: /mnt/d0\n"
	  "  - class: nvme\n"
	  "    bdev_list: ['0000:01:00.0']\n"
	  "    scm_mount: /x\n",
	  "bad.yml:10: engines[0].storage[1].scm_mount: not valid with class nvme" },
	{ /* nul */
	  KIND_SERVER, "name: \"a\\0b\"\n", "bad.yml:1: name: value contains a NUL character" },
	{ /* merge */
	  KIND_SERVER,
	  "engines:\n"
	  "- <<: {targets: 1}\n",
	  "bad.yml:2: engines[0]: YAML merge keys (<<) are not supported" },
	{ /* bad duration */
	  KIND_AGENT,
	  "credential_config:\n"
	  "  cache_expiration: 1 minute\n",
	  "bad.yml:2: credential_config.cache_expiration: expected a duration such as \"30s\", \"5m\" or \"1h30m\", got \"1 minute\"" },
	{ /* excl ifaces */
	  KIND_AGENT,
	  "include_fabric_ifaces: [ib0]\n"
	  "exclude_fabric_ifaces: [ib1]\n",
	  "bad.yml:2: exclude_fabric_ifaces: cannot be given together with include_fabric_ifaces (line 1)" },
	{ /* telemetry procs */
	  KIND_AGENT,
	  "telemetry_port: 9192\n"
	  "telemetry_enabled_procs: '^ior$'\n"
	  "telemetry_disabled_procs: '^daos$'\n",
	  "bad.yml:3: telemetry_disabled_procs: cannot be given together with telemetry_enabled_procs (line 2)" },
	{ /* telemetry no port */
	  KIND_AGENT, "telemetry_enabled: true\n",
	  "bad.yml:1: telemetry_enabled: requires telemetry_port" },
	{ /* retain bad */
	  KIND_AGENT,
	  "telemetry_port: 9192\n"
	  "telemetry_retain: 5\n",
	  "bad.yml:2: telemetry_retain: expected a duration such as \"30s\", \"5m\" or \"1h30m\", got \"5\"" },
	{ /* user map dup */
	  KIND_AGENT,
	  "credential_config:\n"
	  "  client_user_map:\n"
	  "    1000: {user: a}\n"
	  "    0x3e8: {user: b}\n",
	  "bad.yml:4: credential_config.client_user_map: uid 1000 is given more than once" },
	{ /* user map key */
	  KIND_AGENT,
	  "credential_config:\n"
	  "  client_user_map:\n"
	  "    alice: {user: a}\n",
	  "bad.yml:3: credential_config.client_user_map: expected an integer, got \"alice\"" },
	{ /* mgmt in agent */
	  KIND_AGENT, "mgmt_svc_replicas: [a]\n",
	  "bad.yml:1: mgmt_svc_replicas: not a daos_agent.yml key: the agent takes the MS replica list as access_points" },
	{ /* bad range */
	  KIND_CONTROL, "hostlist: ['node[1-', 'b']\n",
	  "bad.yml:1: hostlist[0]: unbalanced brackets in \"node[1-\"" },
	{ /* too many */
	  KIND_CONTROL, "hostlist: ['n[1-99999]']\n",
	  "bad.yml:1: hostlist[0]: host list expands to more than 16384 hosts" },
	{ /* bad port */
	  KIND_CONTROL, "hostlist: ['node1:0']\n",
	  "bad.yml:1: hostlist[0]: invalid port in \"node1:0\" (expected 1 to 65535)" },
};

static void
malformed_configs(void **state)
{
	TEST_ALLOC_MARK();
	char err[1024];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		int rc = try_load(bad_cases[i].kind, NULL, bad_cases[i].text, err, sizeof(err));

		if (rc != -DER_INVAL || strcmp(err, bad_cases[i].err) != 0)
			fail_msg("case %zu: rc %d\n got:  %s\n want: %s", i, rc, err,
				 bad_cases[i].err);
	}
	TEST_ALLOC_CHECK();
}

/* Bytes that are not a config at all: errors with a position, never a crash. */
static void
garbage_is_refused(void **state)
{
	static const struct {
		const char *text;
		size_t len;
	} junk[] = {
		{ "\xff\xfe\x00\x01", 4 },
		{ "name: \xc3\x28\n", 9 },
		{ "{{{{{{{{", 8 },
		{ "]", 1 },
		{ "key: *nosuchanchor\n", 19 },
		{ "a: &x [*x]\n", 11 },
		{ "port: 99999999999999999999999\n", 30 },
		{ "engines: [[[[]]]]\n", 18 },
		{ "\0\0\0", 3 },
	};
	TEST_ALLOC_MARK();
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(junk); i++) {
		struct config_server *srv = NULL;
		struct config_agent *agent = NULL;

		assert_int_equal(config_server_parse("junk.yml", junk[i].text, junk[i].len, &srv,
						     err, sizeof(err)),
				 -DER_INVAL);
		assert_null(srv);
		assert_int_equal(strncmp(err, "junk.yml:", 9), 0);
		assert_int_equal(config_agent_parse("junk.yml", junk[i].text, junk[i].len, &agent,
						    err, sizeof(err)),
				 -DER_INVAL);
		assert_null(agent);
	}
	TEST_ALLOC_CHECK();
}

/*
 * Aliases may repeat a subtree many times: 200 engines of 100 tiers of 100 devices from a
 * file of a few KiB. The walker's budget stops it with an error instead of a long stall.
 */
static void
alias_bomb_is_bounded(void **state)
{
	TEST_ALLOC_MARK();
	struct config_server *srv = NULL;
	char err[512];
	char *text;
	char *p;
	int i;

	(void)state;
	text = d_calloc(1, 16384);
	assert_non_null(text);
	p = text;
	p += snprintf(p, 512,
		      "provider: ofi+tcp\nengines:\n- &e\n  targets: 1\n  fabric_iface: lo\n"
		      "  storage:\n  - {class: ram, scm_mount: /m}\n"
		      "  - &t\n    class: file\n    bdev_size: 1\n    bdev_list: &b [");
	for (i = 0; i < 100; i++)
		p += snprintf(p, 8, "%s/f", i == 0 ? "" : ", ");
	p += snprintf(p, 8, "]\n");
	for (i = 1; i < 100; i++)
		p += snprintf(p, 16, "  - *t\n");
	for (i = 1; i < 200; i++)
		p += snprintf(p, 16, "- *e\n");
	assert_int_equal(
		config_server_parse("bomb.yml", text, strlen(text), &srv, err, sizeof(err)),
		-DER_INVAL);
	assert_null(srv);
	assert_non_null(strstr(err, "too many values (aliases expand to more than"));
	d_free(text);
	TEST_ALLOC_CHECK();
}

/* Aliases within reason are YAML, and DAOS's loader takes them: so do we. */
static void
aliases_are_followed(void **state)
{
	static const char text[] = "provider: ofi+tcp\n"
				   "engines:\n"
				   "- targets: 2\n"
				   "  fabric_iface: lo\n"
				   "  env_vars: &env [CRT_TIMEOUT=30, FI_UNIVERSE_SIZE=2048]\n"
				   "  storage: [{class: ram, scm_mount: /m0}]\n"
				   "- targets: 2\n"
				   "  fabric_iface: lo\n"
				   "  fabric_iface_port: 31516\n"
				   "  env_vars: *env\n"
				   "  storage: [{class: ram, scm_mount: /m1}]\n";
	TEST_ALLOC_MARK();
	struct config_server *srv = NULL;
	char err[512];

	(void)state;
	assert_int_equal(config_server_parse("a.yml", text, strlen(text), &srv, err, sizeof(err)),
			 0);
	assert_int_equal(srv->engines[1].env_vars.nr, 2);
	assert_string_equal(srv->engines[1].env_vars.str[1], "FI_UNIVERSE_SIZE=2048");
	config_server_free(srv);
	TEST_ALLOC_CHECK();
}

/* An empty file gives every documented default. */
static void
server_defaults(void **state)
{
	static const char empty_values[] = "name:\nport: ~\nengines:\ncontrol_log_file: null\n"
					   "servers:\n" /* DAOS 1.x key: allowed when empty */
					   "enable_hotplug: false\n"; /* DAOS 2.6 key: ignored */
	TEST_ALLOC_MARK();
	struct config_server *cfg = NULL;
	char err[512];

	(void)state;
	assert_int_equal(config_server_parse("empty.yml", "", 0, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->path, "empty.yml");
	assert_string_equal(cfg->name, "daos_server");
	assert_int_equal(cfg->port, 10001);
	assert_int_equal(cfg->mgmt_svc_replicas.nr, 1);
	assert_string_equal(cfg->mgmt_svc_replicas.str[0], "localhost");
	assert_int_equal(cfg->replicas.nr, 1);
	assert_string_equal(cfg->replicas.str[0], "localhost:10001");
	assert_string_equal(cfg->socket_dir, "/var/run/daos_server");
	assert_false(cfg->transport_config.allow_insecure);
	assert_string_equal(cfg->transport_config.client_cert_dir, "/etc/daos/certs/clients");
	assert_string_equal(cfg->transport_config.ca_cert, "/etc/daos/certs/daosCA.crt");
	assert_string_equal(cfg->transport_config.cert, "/etc/daos/certs/server.crt");
	assert_string_equal(cfg->transport_config.key, "/etc/daos/certs/server.key");
	assert_int_equal(cfg->control_log_mask, CONFIG_LOG_INFO);
	assert_string_equal(config_log_level_name(cfg->control_log_mask), "INFO");
	assert_null(cfg->control_log_file);
	assert_int_equal(cfg->system_ram_reserved, 64);
	assert_int_equal(cfg->core_dump_filter, 0x13);
	assert_int_equal(cfg->engine_auto_restart_min_delay, 300);
	assert_int_equal(cfg->telemetry_port, 0);
	assert_null(cfg->provider);
	assert_null(cfg->fault_path);
	assert_null(cfg->control_metadata.path);
	assert_false(cfg->disable_vmd);
	assert_int_equal(cfg->nr_engines, 0);
	config_server_free(cfg);

	/* A key with an empty value is a key left out. */
	assert_int_equal(config_server_parse("e.yml", empty_values, strlen(empty_values), &cfg, err,
					     sizeof(err)),
			 0);
	assert_string_equal(cfg->name, "daos_server");
	assert_int_equal(cfg->port, 10001);
	config_server_free(cfg);
	TEST_ALLOC_CHECK();
}

/* Per-engine and per-tier defaults, inheritance of fabric keys, the engine environment. */
static void
engine_defaults_and_env(void **state)
{
	static const char text[] = "provider: ofi+tcp\n"
				   "crt_timeout: 60\n"
				   "port: 10002\n"
				   "mgmt_svc_replicas: ['h[1-3]']\n"
				   "engines:\n"
				   "- targets: 4\n"
				   "  fabric_iface: eth0\n"
				   "  fabric_iface_port: 20000\n"
				   "  env_vars: [CRT_TIMEOUT=5, MY_VAR=x]\n"
				   "  storage:\n"
				   "  - class: ram\n"
				   "    scm_mount: /mnt/d\n"
				   "  - class: nvme\n"
				   "    bdev_list: ['0000:01:00.0']\n";
	TEST_ALLOC_MARK();
	struct config_server *cfg = NULL;
	struct config_strlist env;
	struct config_engine *e;
	char err[512];

	(void)state;
	assert_int_equal(config_server_parse("t.yml", text, strlen(text), &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg->replicas.nr, 3);
	assert_string_equal(cfg->replicas.str[2], "h3:10002");
	e = &cfg->engines[0];
	assert_string_equal(e->provider, "ofi+tcp");
	assert_int_equal(e->crt_timeout, 60);
	assert_false(e->has_crt_timeout);
	assert_string_equal(e->log_mask, "ERR");
	assert_null(e->log_file);
	assert_int_equal(e->nr_xs_helpers, 0);
	assert_int_equal(e->first_core, 0);
	assert_false(e->has_pinned_numa_node);
	assert_true(e->bdev_auto_faulty.enable);
	assert_int_equal(e->bdev_auto_faulty.max_io_errs, 10);
	assert_int_equal(e->bdev_auto_faulty.max_csum_errs, UINT32_MAX);
	assert_int_equal(e->spdk_iobuf.small_pool_count, 8192);
	assert_int_equal(e->spdk_iobuf.large_pool_count, 1024);
	assert_int_equal(e->acceleration.engine, CONFIG_ACCEL_NONE);
	assert_false(e->spdk_rpc_server.enable);
	assert_int_equal(e->nr_storage, 2);
	assert_int_equal(e->storage[0].class, CONFIG_CLASS_RAM);
	assert_string_equal(config_class_name(e->storage[1].class), "nvme");
	assert_int_equal(e->storage[0].scm_size, 0);
	assert_true(e->storage[0].scm_hugepages_disabled);
	/* no roles and no control_metadata: not MD-on-SSD */
	assert_int_equal(e->storage[1].roles, 0);
	assert_false(e->md_on_ssd);

	assert_int_equal(config_engine_env(cfg, 1, &env), -DER_INVAL);
	assert_int_equal(config_engine_env(cfg, 0, &env), 0);
	assert_int_equal(env.nr, 7);
	assert_string_equal(env.str[0], "D_PROVIDER=ofi+tcp");
	assert_string_equal(env.str[1], "D_INTERFACE=eth0");
	assert_string_equal(env.str[2], "D_PORT=20000");
	assert_string_equal(env.str[3], "CRT_TIMEOUT=60"); /* the key wins over env_vars */
	assert_string_equal(env.str[4], "D_LOG_MASK=ERR");
	assert_string_equal(env.str[5], "VOS_BDEV_CLASS=NVME");
	assert_string_equal(env.str[6], "MY_VAR=x");
	config_strlist_fini(&env);
	assert_int_equal(env.nr, 0);
	config_server_free(cfg);
	TEST_ALLOC_CHECK();
}

/* Roles: implicit with control_metadata.path (1, 2, 3 tiers), explicit as written. */
static void
md_on_ssd_roles(void **state)
{
	static const char head[] = "provider: ofi+tcp\n"
				   "control_metadata:\n"
				   "  path: /var/lib/daos\n"
				   "engines:\n"
				   "- targets: 1\n"
				   "  fabric_iface: lo\n"
				   "  storage:\n"
				   "  - {class: ram, scm_mount: /m}\n";
	static const char *const tiers[] = {
		"  - {class: nvme, bdev_list: ['0000:01:00.0']}\n",
		"  - {class: nvme, bdev_list: ['0000:02:00.0']}\n",
		"  - {class: nvme, bdev_list: ['0000:03:00.0']}\n",
	};
	static const unsigned int want[3][3] = {
		{ CONFIG_ROLE_ALL },
		{ CONFIG_ROLE_WAL, CONFIG_ROLE_META | CONFIG_ROLE_DATA },
		{ CONFIG_ROLE_WAL, CONFIG_ROLE_META, CONFIG_ROLE_DATA },
	};
	TEST_ALLOC_MARK();
	struct config_server *cfg = NULL;
	char text[1024];
	char err[512];
	int nr;
	int t;

	(void)state;
	for (nr = 1; nr <= 3; nr++) {
		snprintf(text, sizeof(text), "%s", head);
		for (t = 0; t < nr; t++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s", tiers[t]);
		assert_int_equal(
			config_server_parse("r.yml", text, strlen(text), &cfg, err, sizeof(err)),
			0);
		assert_true(cfg->engines[0].md_on_ssd);
		for (t = 0; t < nr; t++) {
			assert_int_equal(cfg->engines[0].storage[t + 1].bdev_roles, 0);
			assert_int_equal(cfg->engines[0].storage[t + 1].roles, want[nr - 1][t]);
		}
		config_server_free(cfg);
	}
	snprintf(text, sizeof(text), "%s%s%s", head,
		 "  - {class: file, bdev_list: [/w], bdev_size: 1, bdev_roles: [wal, meta]}\n",
		 "  - {class: file, bdev_list: [/d], bdev_size: 8, bdev_roles: [data]}\n");
	assert_int_equal(config_server_parse("r.yml", text, strlen(text), &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg->engines[0].storage[1].roles, CONFIG_ROLE_WAL | CONFIG_ROLE_META);
	assert_int_equal(cfg->engines[0].storage[2].roles, CONFIG_ROLE_DATA);
	assert_true(cfg->engines[0].md_on_ssd);
	config_server_free(cfg);
	TEST_ALLOC_CHECK();
}

static void
agent_defaults_and_values(void **state)
{
	static const char text[] = "access_points: ['ms[1-3]:10005']\n"
				   "control_log_mask: debug\n"
				   "cache_expiration: 5\n"
				   "telemetry_port: 9192\n"
				   "telemetry_retain: 1h30m\n"
				   "credential_config:\n"
				   "  cache_expiration: 1.5s\n"
				   "  client_user_map:\n"
				   "    default: {user: nobody, group: nogroup}\n"
				   "    2000: {user: bob}\n"
				   "    1000:\n"
				   "      user: alice\n"
				   "      group: users\n"
				   "      groups: [a, b]\n";
	TEST_ALLOC_MARK();
	const struct config_user *u;
	struct config_agent *cfg = NULL;
	char err[512];

	(void)state;
	assert_int_equal(config_agent_parse("a.yml", "", 0, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->name, "daos_server");
	assert_int_equal(cfg->port, 10001);
	assert_string_equal(cfg->access_points.str[0], "localhost");
	assert_string_equal(cfg->servers.str[0], "localhost:10001");
	assert_string_equal(cfg->runtime_dir, "/var/run/daos_agent");
	assert_null(cfg->log_file);
	assert_int_equal(cfg->control_log_mask, CONFIG_LOG_INFO);
	assert_string_equal(cfg->transport_config.cert, "/etc/daos/certs/agent.crt");
	assert_string_equal(cfg->transport_config.key, "/etc/daos/certs/agent.key");
	assert_null(cfg->transport_config.client_cert_dir);
	assert_int_equal(cfg->credential_config.cache_expiration_ns, 0);
	assert_null(config_agent_user_lookup(cfg, 0));
	config_agent_free(cfg);

	assert_int_equal(config_agent_parse("a.yml", text, strlen(text), &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg->servers.nr, 3);
	assert_string_equal(cfg->servers.str[1], "ms2:10005");
	assert_int_equal(cfg->control_log_mask, CONFIG_LOG_DEBUG);
	assert_int_equal(cfg->cache_expiration, 5);
	assert_int_equal(cfg->telemetry_retain_ns, 5400ULL * 1000000000ULL);
	assert_int_equal(cfg->credential_config.cache_expiration_ns, 1500000000ULL);
	assert_int_equal(cfg->credential_config.nr_users, 3);
	u = config_agent_user_lookup(cfg, 1000);
	assert_non_null(u);
	assert_string_equal(u->user, "alice");
	assert_int_equal(u->groups.nr, 2);
	u = config_agent_user_lookup(cfg, 2000);
	assert_string_equal(u->user, "bob");
	assert_null(u->group);
	u = config_agent_user_lookup(cfg, 3000);
	assert_true(u->is_default);
	assert_string_equal(u->user, "nobody");
	config_agent_free(cfg);
	TEST_ALLOC_CHECK();
}

static void
control_defaults_and_hosts(void **state)
{
	static const char text[] = "port: 10010\n"
				   "hostlist: ['foo-1[28-30],bar[8-10]', 'x:7']\n";
	TEST_ALLOC_MARK();
	struct config_control *cfg = NULL;
	char err[512];

	(void)state;
	assert_int_equal(config_control_parse("c.yml", "", 0, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->name, "daos_server");
	assert_int_equal(cfg->port, 10001);
	assert_int_equal(cfg->hosts.nr, 1);
	assert_string_equal(cfg->hosts.str[0], "localhost:10001");
	assert_string_equal(cfg->transport_config.cert, "/etc/daos/certs/admin.crt");
	assert_string_equal(cfg->transport_config.ca_cert, "/etc/daos/certs/daosCA.crt");
	config_control_free(cfg);

	assert_int_equal(config_control_parse("c.yml", text, strlen(text), &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg->hosts.nr, 7);
	assert_string_equal(cfg->hosts.str[0], "foo-128:10010");
	assert_string_equal(cfg->hosts.str[3], "bar8:10010");
	assert_string_equal(cfg->hosts.str[6], "x:7");
	config_control_free(cfg);
	TEST_ALLOC_CHECK();
}

static void
hostlist_expand(void **state)
{
	static const struct {
		const char *in;
		int nr;
		const char *first;
		const char *last;
	} ok[] = {
		{ "node1", 1, "node1:10001", "node1:10001" },
		{ "node[1-8]", 8, "node1:10001", "node8:10001" },
		{ "node[01-10]:2000", 10, "node01:2000", "node10:2000" },
		{ "n[1,3,5-6]", 4, "n1:10001", "n6:10001" },
		{ "r[1-2]-n[1-3]", 6, "r1-n1:10001", "r2-n3:10001" },
		{ "a,b:5,c", 3, "a:10001", "c:10001" },
		{ "10.0.0.1:10002", 1, "10.0.0.1:10002", "10.0.0.1:10002" },
		{ "x[9-11]y", 3, "x9y:10001", "x11y:10001" },
		{ "n[1,05-07]", 4, "n1:10001", "n07:10001" },
		{ "n[08-12]", 5, "n08:10001", "n12:10001" },
	};
	static const struct {
		const char *in;
		const char *err;
	} bad[] = {
		{ "", "empty host name" },
		{ "a,", "empty host name after ','" },
		{ "n[2-1]", "invalid range \"[2-1]\" in \"n[2-1]\"" },
		{ "n[]", "invalid range \"[]\" in \"n[]\"" },
		{ "n[1-2", "unbalanced brackets in \"n[1-2\"" },
		{ "n]", "unbalanced brackets in \"n]\"" },
		{ "n[a]", "invalid range \"[a]\" in \"n[a]\"" },
		{ "h:x", "invalid port in \"h:x\" (expected 1 to 65535)" },
		{ "h:65536", "invalid port in \"h:65536\" (expected 1 to 65535)" },
		{ ":1", "missing host name in \":1\"" },
		{ "::1", "IPv6 addresses are not supported in \"::1\"" },
		{ "a b", "invalid character ' ' in host \"a b\"" },
		{ "n[1-20000]", "host list expands to more than 16384 hosts" },
		{ "n[1-200]m[1-200]", "host list expands to more than 16384 hosts" },
	};
	TEST_ALLOC_MARK();
	struct config_strlist out;
	struct config_strlist in;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		char *s = (char *)ok[i].in;

		in.str = &s;
		in.nr = 1;
		assert_int_equal(config_hostlist_expand(&in, 10001, &out, err, sizeof(err)), 0);
		assert_int_equal(out.nr, ok[i].nr);
		assert_string_equal(out.str[0], ok[i].first);
		assert_string_equal(out.str[out.nr - 1], ok[i].last);
		config_strlist_fini(&out);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *s = (char *)bad[i].in;

		in.str = &s;
		in.nr = 1;
		out.nr = 12345;
		assert_int_equal(config_hostlist_expand(&in, 10001, &out, err, sizeof(err)),
				 -DER_INVAL);
		assert_int_equal(out.nr, 12345);
		assert_string_equal(err, bad[i].err);
	}
	TEST_ALLOC_CHECK();
}

/* Scalars as DAOS's YAML 1.1 loader reads them. */
static void
scalar_syntax(void **state)
{
	static const struct {
		const char *text;
		uint8_t filter;
		int telemetry_port;
		bool disable_srx;
	} ok[] = {
		{ "core_dump_filter: 0x33\n", 0x33, 0, false },
		{ "core_dump_filter: 0o17\n", 017, 0, false },
		{ "core_dump_filter: 017\n", 017, 0, false },
		{ "core_dump_filter: 0b101\n", 5, 0, false },
		{ "telemetry_port: 9_191\n", 0x13, 9191, false },
		{ "telemetry_port: +9191\ndisable_srx: yes\n", 0x13, 9191, true },
		{ "disable_srx: On\n", 0x13, 0, true },
		{ "disable_srx: TRUE\n", 0x13, 0, true },
		{ "disable_srx: n\n", 0x13, 0, false },
	};
	static const char *const durations[][2] = {
		{ "0", "0" },
		{ "300ms", "300000000" },
		{ "1h2m3s", "3723000000000" },
		{ "1.5m", "90000000000" },
		{ "2us", "2000" },
		{ "10ns", "10" },
	};
	static const char *const bad_durations[] = { "", "1", "-1s", "1x", "s", "1.s5", "1m s" };
	TEST_ALLOC_MARK();
	struct config_server *cfg = NULL;
	struct config_agent *agent = NULL;
	char text[128];
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(config_server_parse("s.yml", ok[i].text, strlen(ok[i].text), &cfg,
						     err, sizeof(err)),
				 0);
		assert_int_equal(cfg->core_dump_filter, ok[i].filter);
		assert_int_equal(cfg->telemetry_port, ok[i].telemetry_port);
		assert_int_equal(cfg->disable_srx, ok[i].disable_srx);
		config_server_free(cfg);
	}
	for (i = 0; i < ARRAY_SIZE(durations); i++) {
		snprintf(text, sizeof(text), "credential_config: {cache_expiration: '%s'}\n",
			 durations[i][0]);
		assert_int_equal(
			config_agent_parse("a.yml", text, strlen(text), &agent, err, sizeof(err)),
			0);
		assert_int_equal(agent->credential_config.cache_expiration_ns,
				 strtoull(durations[i][1], NULL, 10));
		config_agent_free(agent);
	}
	for (i = 0; i < ARRAY_SIZE(bad_durations); i++) {
		snprintf(text, sizeof(text), "credential_config: {cache_expiration: '%s'}\n",
			 bad_durations[i]);
		assert_int_equal(
			config_agent_parse("a.yml", text, strlen(text), &agent, err, sizeof(err)),
			-DER_INVAL);
	}
	/* 0x13 is the default; 08 is not octal */
	assert_int_equal(
		config_server_parse("s.yml", "core_dump_filter: 08\n", 21, &cfg, err, sizeof(err)),
		-DER_INVAL);
	assert_string_equal(err, "s.yml:1: core_dump_filter: expected an integer, got \"08\"");
	TEST_ALLOC_CHECK();
}

static void
file_errors(void **state)
{
	TEST_ALLOC_MARK();
	struct config_server *cfg = NULL;
	char *dir = test_tmpdir("config_tests");
	char path[1024];
	char err[512];
	char tiny[16];
	FILE *f;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/missing.yml", dir);
	assert_int_equal(config_server_load(path, &cfg, err, sizeof(err)), -DER_NONEXIST);
	assert_null(cfg);
	assert_int_equal(strncmp(err, "cannot read ", 12), 0);
	assert_non_null(strstr(err, "missing.yml: No such file or directory"));

	assert_int_equal(config_agent_load(dir, (struct config_agent **)&cfg, err, sizeof(err)),
			 -DER_IO);
	assert_non_null(strstr(err, ": Is a directory"));

	snprintf(path, sizeof(path), "%s/daos_server.yml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("name: daos_server\nport: many\n", f);
	fclose(f);
	snprintf(tiny, sizeof(tiny), "untouched");
	assert_int_equal(config_server_load(path, &cfg, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "/daos_server.yml:2: port: expected an integer, got \"many\""));
	/* A short buffer gets a cut, terminated message; no buffer at all logs it instead. */
	assert_int_equal(config_server_load(path, &cfg, tiny, sizeof(tiny)), -DER_INVAL);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(config_server_load(path, &cfg, NULL, 0), -DER_INVAL);
	assert_null(cfg);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("name: mine\n", f);
	fclose(f);
	assert_int_equal(config_server_load(path, &cfg, NULL, 0), 0);
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->name, "mine");
	config_server_free(cfg);
	unlink(path);
	rmdir(dir);
	d_free(dir);
	TEST_ALLOC_CHECK();
}

/* Read a whole file of the examples into a new string. */
static char *
read_example(const char *name, size_t *len)
{
	char path[1024];
	struct stat st;
	char *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/utils/config/examples/%s", src_root, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = d_calloc(1, (size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

/*
 * Fail the 1st, 2nd, ... allocation of a load in turn until one completes: each must fail
 * with -DER_NOMEM, leave *out alone and free everything.
 */
static void
alloc_failure_walk(void **state)
{
	static const char agent_text[] = "access_points: ['ms[1-3]']\n"
					 "log_file: /tmp/a.log\n"
					 "credential_config:\n"
					 "  client_user_map:\n"
					 "    1000: {user: a, group: b, groups: [c, d]}\n"
					 "    default: {user: n}\n"
					 "fabric_ifaces:\n"
					 "- numa_node: 0\n"
					 "  devices: [{iface: ib0, domain: mlx5_0}]\n"
					 "exclude_fabric_ifaces: [eth9]\n";
	static const char control_text[] = "hostlist: ['n[1-4]', 'm']\n";
	static const char *const examples[] = { "daos_server_mdonssd.yml", "daos_server_tcp.yml",
						"daos_server_local_mdonssd.yml" };
	TEST_ALLOC_MARK();
	struct config_strlist env;
	char err[512];
	size_t len;
	size_t i;
	uint64_t k;
	int rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(examples) + 2; i++) {
		char *text = NULL;
		int nr_fail = 0;

		uint64_t live;

		if (i < ARRAY_SIZE(examples))
			text = read_example(examples[i], &len);
		live = d_alloc_nr_live();
		for (k = 1;; k++) {
			d_alloc_fail_nth(k);
			if (i < ARRAY_SIZE(examples)) {
				struct config_server *cfg = NULL;

				rc = config_server_parse("s.yml", text, len, &cfg, err,
							 sizeof(err));
				if (rc != 0) {
					assert_null(cfg);
				} else {
					rc = config_engine_env(cfg, cfg->nr_engines - 1, &env);
					if (rc == 0)
						config_strlist_fini(&env);
					config_server_free(cfg);
				}
			} else if (i == ARRAY_SIZE(examples)) {
				struct config_agent *cfg = NULL;

				rc = config_agent_parse("a.yml", agent_text, strlen(agent_text),
							&cfg, err, sizeof(err));
				if (rc == 0)
					config_agent_free(cfg);
			} else {
				struct config_control *cfg = NULL;

				rc = config_control_parse("c.yml", control_text,
							  strlen(control_text), &cfg, err,
							  sizeof(err));
				if (rc == 0)
					config_control_free(cfg);
			}
			if (d_alloc_fail_pending() != 0)
				break; /* the Nth allocation was never reached: done */
			if (rc != -DER_NOMEM)
				fail_msg("example %zu, allocation %" PRIu64 ": rc %d (%s)", i, k,
					 rc, err);
			nr_fail++;
			if (d_alloc_nr_live() != live)
				fail_msg("example %zu, allocation %" PRIu64 ": %" PRIu64
					 " blocks leaked",
					 i, k, d_alloc_nr_live() - live);
		}
		d_alloc_fail_nth(0);
		if (rc != 0 || nr_fail < 10)
			fail_msg("example %zu: rc %d after %d failures (%s)", i, rc, nr_fail, err);
		d_free(text);
		TEST_ALLOC_CHECK();
	}
}

/* Count the lines of @text holding @what. */
static int
count_of(const char *text, const char *what)
{
	int n = 0;

	for (; (text = strstr(text, what)) != NULL; text++)
		n++;
	return n;
}

/* An unsupported key is accepted, and noted once per process however often it is given. */
static void
unsupported_noted_once(void **state)
{
	static const char text[] = "allow_thp: true\n"
				   "kernel_config_path: /boot/config\n"
				   "provider: ofi+tcp\n"
				   "engines:\n"
				   "- targets: 1\n"
				   "  fabric_iface: lo\n"
				   "  bypass_health_chk: true\n"
				   "  storage: [{class: ram, scm_mount: /a}]\n"
				   "- targets: 1\n"
				   "  fabric_iface: lo\n"
				   "  fabric_iface_port: 2000\n"
				   "  bypass_health_chk: true\n"
				   "  storage: [{class: ram, scm_mount: /b}]\n";
	TEST_ALLOC_MARK();
	struct config_server *cfg = NULL;
	char *dir = test_tmpdir("config_notes");
	char path[1024];
	static char log[65536];
	char err[512];
	FILE *f;
	size_t n;
	int i;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/notes.log", dir);
	assert_int_equal(d_log_setmasks("ERR,config=NOTE"), 0);
	assert_int_equal(d_log_set_file(path, true), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(
			config_server_parse("n.yml", text, strlen(text), &cfg, err, sizeof(err)),
			0);
		assert_true(cfg->allow_thp);
		assert_true(cfg->engines[1].bypass_health_chk);
		config_server_free(cfg);
	}
	assert_int_equal(d_log_set_file(NULL, false), 0);
	assert_int_equal(d_log_setmasks("ERR"), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	fclose(f);
	log[n] = '\0';
	assert_int_equal(count_of(log, "allow_thp: accepted but not supported"), 1);
	assert_int_equal(
		count_of(
			log,
			"n.yml:1: allow_thp: accepted but not supported by this implementation; ignored"),
		1);
	assert_int_equal(count_of(log, "n.yml:2: kernel_config_path: accepted but not supported"),
			 1);
	assert_int_equal(
		count_of(log, "n.yml:7: engines[0].bypass_health_chk: accepted but not supported"),
		1);
	assert_int_equal(count_of(log, "bypass_health_chk"), 1);
	unlink(path);
	rmdir(dir);
	d_free(dir);
	TEST_ALLOC_CHECK();
}

/* Set (or with @set false, unset) the variable of a "NAME=value" entry. */
static void
env_apply(const char *entry, bool set)
{
	const char *eq = strchr(entry, '=');
	char name[128];

	assert_non_null(eq);
	assert_true((size_t)(eq - entry) < sizeof(name));
	memcpy(name, entry, (size_t)(eq - entry));
	name[eq - entry] = '\0';
	if (set)
		assert_int_equal(setenv(name, eq + 1, 1), 0);
	else
		unsetenv(name);
}

/*
 * The engine's log_mask and log_file, through the environment the server hands the
 * engine, are what d_log_init() applies: the whole chain, not just the strings.
 */
static void
engine_log_settings_apply(void **state)
{
	char *dir = test_tmpdir("config_log");
	char yaml[1024];
	char logf[512];
	char err[512];
	struct config_server *cfg = NULL;
	struct config_strlist env = { 0 };
	unsigned int i;

	(void)state;
	assert_non_null(dir);
	snprintf(logf, sizeof(logf), "%s/engine.log", dir);
	snprintf(yaml, sizeof(yaml),
		 "provider: ofi+tcp\n"
		 "engines:\n"
		 "- targets: 1\n"
		 "  fabric_iface: lo\n"
		 "  log_mask: DEBUG,MEM=ERR\n"
		 "  log_file: %s\n"
		 "  env_vars: [DD_SUBSYS=vos, DD_MASK=io]\n"
		 "  storage:\n"
		 "  - class: ram\n"
		 "    scm_mount: /mnt/daos0\n",
		 logf);
	assert_int_equal(config_server_parse("log.yml", yaml, strlen(yaml), &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(config_engine_env(cfg, 0, &env), 0);
	for (i = 0; i < env.nr; i++)
		env_apply(env.str[i], true);
	assert_int_equal(d_log_init(), 0);
	/* DEBUG for the listed subsystem, ERR for the others, MEM pinned to ERR. */
	assert_int_equal(d_log_fac_prio[DD_FAC(vos)], DLOG_DBG);
	assert_int_equal(d_log_fac_prio[DD_FAC(object)], DLOG_ERR);
	assert_int_equal(d_log_fac_prio[DD_FAC(mem)], DLOG_ERR);
	assert_true(d_log_dbg_enabled(DD_FAC(vos), DB_IO));
	assert_false(d_log_dbg_enabled(DD_FAC(vos), DB_MD));
	d_log_write(DD_FAC(vos), DLOG_DBG, __FILE__, __LINE__, __func__, "engine-log-probe");
	d_log_fini();
	for (i = 0; i < env.nr; i++)
		env_apply(env.str[i], false);
	assert_int_equal(access(logf, R_OK), 0);
	{
		FILE *f = fopen(logf, "r");
		char line[512];
		bool found = false;

		assert_non_null(f);
		while (fgets(line, sizeof(line), f) != NULL)
			found |= strstr(line, "engine-log-probe") != NULL;
		fclose(f);
		assert_true(found);
	}
	d_log_setmasks("ERR");
	d_log_set_subsys("all");
	d_log_set_dbgmask("all");
	config_strlist_fini(&env);
	config_server_free(cfg);
	unlink(logf);
	rmdir(dir);
	d_free(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_configs_load),
		cmocka_unit_test(seed_configs),
		cmocka_unit_test(malformed_configs),
		cmocka_unit_test(garbage_is_refused),
		cmocka_unit_test(alias_bomb_is_bounded),
		cmocka_unit_test(aliases_are_followed),
		cmocka_unit_test(server_defaults),
		cmocka_unit_test(engine_defaults_and_env),
		cmocka_unit_test(md_on_ssd_roles),
		cmocka_unit_test(agent_defaults_and_values),
		cmocka_unit_test(control_defaults_and_hosts),
		cmocka_unit_test(hostlist_expand),
		cmocka_unit_test(scalar_syntax),
		cmocka_unit_test(file_errors),
		cmocka_unit_test(alloc_failure_walk),
		cmocka_unit_test(unsupported_noted_once),
		cmocka_unit_test(engine_log_settings_apply),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s <source root> <src/control/tests>\n", argv[0]);
		return 2;
	}
	src_root = argv[1];
	tests_dir = argv[2];
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
