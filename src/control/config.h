/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/config.h - loading daos_server.yml, daos_agent.yml and daos_control.yml.
 *
 * The three files are DAOS's, key for key (docs/config.md lists them): a config written for
 * DAOS loads here unchanged. Loading is strict, as in DAOS: unknown keys, duplicate keys,
 * values of the wrong type and configurations that break a rule are errors. Valid DAOS keys
 * that this implementation does not act on (SPDK, hugepages, VMD, hot-plug, NUMA pinning...)
 * are accepted, checked for type, stored, and noted once per key and process in the log
 * (D_NOTE) as not supported.
 *
 * Errors. Every function that takes @err and @err_len writes one line there on failure
 * (truncated to fit, always terminated when @err_len > 0), naming the file as it was passed
 * in, the line, and the path of the key:
 *
 *	daos_server.yml:23: engines[0].targets: expected an integer, got "x"
 *	daos_server.yml:4:7: YAML syntax error: mapping values are not allowed in this context
 *
 * @err may be NULL; the message is then logged with D_ERROR instead. Return codes: 0;
 * -DER_INVAL for a file that is not a valid configuration; -DER_NOMEM; -DER_NONEXIST if the
 * file does not exist and -DER_IO if it cannot be read otherwise. *out is set only on success.
 *
 * Values. A key given with an empty value ("key:" or "key: ~") is treated as absent. Every
 * absent key gets DAOS's default, so callers never test for "unset" except where a field says
 * so (has_* flags, NULL strings). Strings and arrays belong to the config and are freed by
 * its free function. Sizes keep DAOS's units (scm_size GiB, bdev_size GB); durations are
 * nanoseconds.
 *
 * Threads: loading touches no global state except the set of keys already noted, which is
 * locked; a loaded config is read-only and may be shared by threads.
 */
#ifndef CONTROL_CONFIG_H
#define CONTROL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_DEFAULT_PORT 10001
#define CONFIG_SYS_NAME_MAX 15 /* DAOS_SYS_NAME_MAX */
#define CONFIG_HOSTS_MAX 16384 /* most hosts a host list may expand to */

/* An array of strings owned by the config. */
struct config_strlist {
	char **str;
	unsigned int nr;
};

/* control_log_mask of daos_server and daos_agent. */
enum config_log_level {
	CONFIG_LOG_DISABLED,
	CONFIG_LOG_TRACE,
	CONFIG_LOG_DEBUG,
	CONFIG_LOG_INFO,
	CONFIG_LOG_NOTICE,
	CONFIG_LOG_ERROR,
};

/* transport_config: the TLS identity; defaults differ per file (server/agent/admin). */
struct config_transport {
	bool allow_insecure;   /* no TLS and no certificate checks (tests only) */
	char *client_cert_dir; /* server: agent certificates; NULL in agent and dmg */
	char *ca_cert;         /* /etc/daos/certs/daosCA.crt */
	char *cert;            /* /etc/daos/certs/{server,agent,admin}.crt */
	char *key;             /* /etc/daos/certs/{server,agent,admin}.key */
};

/* storage[].class */
enum config_class {
	CONFIG_CLASS_NONE,
	CONFIG_CLASS_DCPM, /* PMem namespace, DAX file system (not supported here) */
	CONFIG_CLASS_RAM,  /* tmpfs at scm_mount */
	CONFIG_CLASS_NVME, /* NVMe SSDs by PCI address */
	CONFIG_CLASS_FILE, /* regular files of bdev_size GB */
	CONFIG_CLASS_KDEV, /* kernel block devices */
};

/* storage[].bdev_roles bits */
#define CONFIG_ROLE_WAL 0x1u
#define CONFIG_ROLE_META 0x2u
#define CONFIG_ROLE_DATA 0x4u
#define CONFIG_ROLE_ALL (CONFIG_ROLE_WAL | CONFIG_ROLE_META | CONFIG_ROLE_DATA)

/* One storage tier of an engine: the first is SCM-class (ram, dcpm), later ones bdev-class. */
struct config_tier {
	enum config_class class;
	char *scm_mount;                 /* ram, dcpm: mount point, unique per engine */
	struct config_strlist scm_list;  /* dcpm: exactly one PMem device */
	uint64_t scm_size;               /* ram: tmpfs size in GiB; 0 = size automatically */
	bool scm_hugepages_disabled;     /* ram: default true */
	struct config_strlist bdev_list; /* nvme/file/kdev: PCI addresses, files, devices */
	uint64_t bdev_size;              /* file: size of each file in GB */
	char *bdev_busid_range;          /* nvme: "0x80-0x8f" or "128-143" as written */
	uint8_t busid_min;               /* ... parsed; both 0 when unset */
	uint8_t busid_max;
	unsigned int bdev_roles; /* CONFIG_ROLE_* as written */
	unsigned int roles;      /* effective roles, after implicit assignment */
	int bdev_number;         /* undocumented DAOS device count field */
};

/* engines[].acceleration */
enum config_accel {
	CONFIG_ACCEL_NONE,
	CONFIG_ACCEL_SPDK,
	CONFIG_ACCEL_DML,
};
#define CONFIG_ACCEL_OPT_MOVE 0x1u
#define CONFIG_ACCEL_OPT_CRC 0x2u

/* engines[].bdev_auto_faulty: when to evict an NVMe device. */
struct config_auto_faulty {
	bool enable;            /* default true */
	uint32_t max_io_errs;   /* default 10 */
	uint32_t max_csum_errs; /* default UINT32_MAX */
};

/* engines[].spdk_iobuf: SPDK buffer pool sizes. */
struct config_spdk_iobuf {
	uint64_t small_pool_count; /* default 8192 */
	uint64_t large_pool_count; /* default 1024 */
};

/* engines[].acceleration */
struct config_acceleration {
	enum config_accel engine; /* default none */
	unsigned int options;     /* CONFIG_ACCEL_OPT_* */
};

/* engines[].spdk_rpc_server */
struct config_spdk_rpc {
	bool enable;
	char *sock_addr;
};

/* One entry of engines: */
struct config_engine {
	int targets;          /* I/O service threads (required, > 0) */
	int nr_xs_helpers;    /* offload helper threads */
	int first_core;       /* first core of the service threads */
	int pinned_numa_node; /* valid when has_pinned_numa_node */
	bool has_pinned_numa_node;
	bool bypass_health_chk;
	char *fabric_iface;    /* network interface (required) */
	int fabric_iface_port; /* 0: the server chooses */
	char *provider;        /* effective: the engine's or the global */
	int crt_timeout;       /* effective, seconds; 0 = transport default */
	bool disable_srx;      /* effective */
	char *fabric_auth_key; /* effective; NULL if none */
	int *secondary_provider_endpoints;
	unsigned int nr_secondary_provider_endpoints;
	char *log_mask;                         /* D_LOG_MASK syntax, default "ERR" */
	char *log_file;                         /* NULL: engine logs go to the control log */
	struct config_strlist env_vars;         /* KEY=VALUE */
	struct config_strlist env_pass_through; /* names of daos_server variables */
	struct config_tier *storage;            /* first tier SCM-class */
	unsigned int nr_storage;
	bool md_on_ssd; /* ram + bdev tiers with roles */
	struct config_auto_faulty bdev_auto_faulty;
	struct config_spdk_iobuf spdk_iobuf;
	struct config_acceleration acceleration;
	struct config_spdk_rpc spdk_rpc_server;
	/* Which fabric keys the engine set itself (the others come from the global ones). */
	bool has_crt_timeout;
	bool has_disable_srx;
};

/* control_metadata: where control-plane metadata lives in MD-on-SSD mode. */
struct config_control_metadata {
	char *path;   /* directory; required by MD-on-SSD */
	char *device; /* partition to format and mount at path */
	bool allow_spdk_conf_override;
};

/* support_config */
struct config_support {
	char *file_transfer_exec; /* copy tool for dmg support collect-log */
};

/* A loaded daos_server.yml. */
struct config_server {
	char *path;                              /* the file, as passed to the loader */
	char *name;                              /* system name, default "daos_server" */
	struct config_strlist mgmt_svc_replicas; /* as written (or from access_points) */
	struct config_strlist replicas;          /* expanded, "host:port", never empty */
	int port;                                /* control port, default 10001 */
	char *control_iface;                     /* NULL: listen on every interface */
	struct config_transport transport_config;
	struct config_control_metadata control_metadata;
	char *fault_path; /* NULL: "/<hostname>" */
	char *fault_cb;   /* executable printing the fault path */
	char *provider;   /* fabric provider, required with engines */
	int crt_timeout;  /* seconds; 0 = transport default */
	bool disable_srx;
	char *fabric_auth_key;
	uint8_t core_dump_filter; /* default 0x13 */
	struct config_strlist bdev_exclude;
	struct config_strlist bdev_include;
	bool disable_vfio;
	bool disable_vmd; /* also set by the older enable_vmd */
	bool disable_hotplug;
	bool hyperthreads;
	char *socket_dir; /* default /var/run/daos_server */
	int nr_hugepages; /* 0: automatic */
	bool disable_hugepages;
	bool allow_numa_imbalance;
	bool allow_thp;
	char *kernel_config_path;
	int system_ram_reserved;                /* GiB, default 64 */
	enum config_log_level control_log_mask; /* default INFO */
	char *control_log_file;                 /* NULL: stderr */
	bool control_log_json;
	char *helper_log_file;
	char *firmware_helper_log_file;
	int telemetry_port; /* 0: no metrics endpoint */
	bool disable_engine_auto_restart;
	int engine_auto_restart_min_delay;     /* seconds, default 300 */
	struct config_strlist client_env_vars; /* KEY=VALUE for clients */
	struct config_support support_config;
	bool recreate_superblocks;     /* older key, ignored */
	struct config_engine *engines; /* none: discovery ("listening") mode */
	unsigned int nr_engines;
};

/* daos_agent.yml fabric_ifaces[].devices[] */
struct config_fabric_dev {
	char *iface;  /* required */
	char *domain; /* required for verbs, e.g. mlx5_0 */
};

/* daos_agent.yml fabric_ifaces[] */
struct config_numa_fabric {
	int numa_node;
	struct config_fabric_dev *devices;
	unsigned int nr_devices;
};

/* daos_agent.yml credential_config.client_user_map entry (sorted by uid, default last). */
struct config_user {
	uint32_t uid;    /* meaningless for the default entry */
	bool is_default; /* the "default" key: used for uids not in the map */
	char *user;
	char *group;
	struct config_strlist groups;
};

/* daos_agent.yml credential_config */
struct config_credential {
	struct config_user *client_user_map; /* sorted by uid, the default entry last */
	unsigned int nr_users;
	uint64_t cache_expiration_ns; /* 0: signed credentials are not cached */
};

/* A loaded daos_agent.yml. */
struct config_agent {
	char *path;
	char *name;                             /* default "daos_server" */
	struct config_strlist access_points;    /* as written, default [localhost] */
	struct config_strlist servers;          /* expanded access points, "host:port" */
	int port;                               /* default 10001 */
	char *runtime_dir;                      /* default /var/run/daos_agent */
	char *log_file;                         /* NULL: stderr */
	enum config_log_level control_log_mask; /* default INFO */
	struct config_transport transport_config;
	struct config_credential credential_config;
	bool disable_caching;
	int cache_expiration; /* minutes; 0: never refresh */
	bool disable_auto_evict;
	bool enable_evict_on_start;
	struct config_strlist exclude_fabric_ifaces;
	struct config_strlist include_fabric_ifaces;
	struct config_numa_fabric *fabric_ifaces; /* none: detect */
	unsigned int nr_fabric_ifaces;
	int telemetry_port; /* 0: no client metrics endpoint */
	bool telemetry_enabled;
	uint64_t telemetry_retain_ns;
	char *telemetry_enabled_procs; /* regular expression */
	char *telemetry_disabled_procs;
};

/* A loaded daos_control.yml (dmg). */
struct config_control {
	char *path;
	char *name;                     /* default "daos_server" */
	int port;                       /* default 10001 */
	struct config_strlist hostlist; /* as written, default [localhost] */
	struct config_strlist hosts;    /* expanded, "host:port" */
	struct config_transport transport_config;
};

/*
 * Load the configuration in the file at @path. See the top of this file for @err, the
 * return codes and defaults. On success *out is to be freed with the matching free function.
 * Blocks on reading the file; nothing else.
 */
int config_server_load(const char *path, struct config_server **out, char *err, size_t err_len);
int config_agent_load(const char *path, struct config_agent **out, char *err, size_t err_len);
int config_control_load(const char *path, struct config_control **out, char *err, size_t err_len);

/*
 * Parse @len bytes at @buf (untrusted: any bytes are safe) as if they were the file @name,
 * which is used only in messages. As the loaders otherwise; never -DER_NONEXIST or -DER_IO.
 */
int config_server_parse(const char *name, const void *buf, size_t len, struct config_server **out,
			char *err, size_t err_len);
int config_agent_parse(const char *name, const void *buf, size_t len, struct config_agent **out,
		       char *err, size_t err_len);
int config_control_parse(const char *name, const void *buf, size_t len, struct config_control **out,
			 char *err, size_t err_len);

/* Free a loaded configuration and everything it holds; NULL is allowed. */
void config_server_free(struct config_server *cfg);
void config_agent_free(struct config_agent *cfg);
void config_control_free(struct config_control *cfg);

/*
 * Expand host list entries as dmg and DAOS do: each entry is one or more comma-separated
 * hosts, each with optional slurm-style ranges and an optional port ("node[1-4,7]",
 * "node[01-10]:10002", "a,b"). Hosts without a port get @default_port. On success @out holds
 * "host:port" strings in the order written (free with config_strlist_fini()); a list longer
 * than CONFIG_HOSTS_MAX is an error. Returns 0, -DER_INVAL (message in @err) or -DER_NOMEM.
 */
int config_hostlist_expand(const struct config_strlist *in, int default_port,
			   struct config_strlist *out, char *err, size_t err_len);

/* Free the strings of @list and reset it to empty. */
void config_strlist_fini(struct config_strlist *list);

/*
 * The environment of engine @idx, as daos_server passes it (DAOS's mapping of keys onto
 * D_PROVIDER, D_INTERFACE, D_PORT, CRT_TIMEOUT, FI_OFI_RXM_USE_SRX, D_PROVIDER_AUTH_KEY,
 * D_LOG_MASK, D_LOG_FILE, VOS_BDEV_CLASS), followed by its env_vars; where env_vars sets a
 * variable a key also sets, the key wins. @out holds "KEY=VALUE" strings; free with
 * config_strlist_fini(). Returns 0, -DER_INVAL for a bad @idx, or -DER_NOMEM.
 */
int config_engine_env(const struct config_server *cfg, unsigned int idx,
		      struct config_strlist *out);

/*
 * The entry of client_user_map for @uid: its own, else the "default" one, else NULL. The
 * result points into @cfg.
 */
const struct config_user *config_agent_user_lookup(const struct config_agent *cfg, uint32_t uid);

/* The name of @level ("INFO") and of @class ("ram"), for messages. */
const char *config_log_level_name(enum config_log_level level);
const char *config_class_name(enum config_class class);

#endif /* CONTROL_CONFIG_H */
