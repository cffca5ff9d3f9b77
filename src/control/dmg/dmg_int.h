/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/dmg/dmg_int.h - private to dmg: the option and command tables, the session,
 * the transport to daos_server, the text printers and the JSON converter. The parser and
 * the tables of text are control/cli.h's, shared with daos.
 *
 * A command runs in four steps: cli_args_parse(&dmg_cli, ...) turns argv into a struct
 * cli_args and the struct cli_cmd to run; the command's run function builds a mgmt.proto
 * request and sends it with dmg_ms_call() (the MS leader) or dmg_fanout() (every host); a
 * printer writes the decoded response as text (printers are pure: a response in, text
 * out), or, with -j, dmg_json_from_pb() turns it into the "response" of the JSON envelope.
 */
#ifndef CONTROL_DMG_DMG_INT_H
#define CONTROL_DMG_DMG_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "control/cli.h"
#include "control/config.h"
#include "mgmt.pb-c.h"
#include "proto/proto.h"
#include "rpc/pool_prop.h"

/* ---- options: id, short letter (0: none), long name, takes a value, help ---- */

#define DMG_OPT_TABLE(X)                                                                          \
	X(HELP, 'h', "help", false, "Show this help message")                                     \
	X(CONFIG, 'o', "config-path", true, "Client config file path")                            \
	X(HOSTLIST, 'l', "host-list", true,                                                       \
	  "A comma separated list of addresses <ipv4addr/hostname>")                              \
	X(INSECURE, 'i', "insecure", false, "Have dmg attempt to connect without certificates")   \
	X(DEBUG, 'd', "debug", false, "Enable debug output")                                      \
	X(JSON, 'j', "json", false, "Enable JSON output")                                         \
	X(LOGFILE, 0, "log-file", true, "Copy command output to this file")                       \
	X(VERBOSE, 'v', "verbose", false, "Show more detail")                                     \
	X(NVME_HEALTH, 'n', "nvme-health", false, "Display NVMe device health statistics")        \
	X(FORCE, 'f', "force", false, "Do not ask; proceed even if destructive")                  \
	X(REPLACE, 0, "replace", false, "Reuse the rank of an excluded engine on new hardware")   \
	X(PROVIDER, 'p', "provider", true, "Filter by fabric provider (\"all\" for every one)")   \
	X(RANKS, 'r', "ranks", true, "Rank set, e.g. 0,5-10")                                     \
	X(RANK_HOSTS, 0, "rank-hosts", true, "Host set whose ranks are selected")                 \
	X(NOT_OK, 0, "not-ok", false, "Show only ranks not in the Joined state")                  \
	X(WITH_STATES, 0, "with-states", true, "Show only ranks in these states (a,b)")           \
	X(IGNORE_EXCL, 0, "ignore-admin-excluded", false, "Skip administratively excluded ranks") \
	X(SIZE, 'z', "size", true, "Total pool size (bytes with suffix, or N% of free space)")    \
	X(TIER_RATIO, 't', "tier-ratio", true, "SCM,NVMe ratio in percent (default 6,94)")        \
	X(NRANKS, 'k', "nranks", true, "Number of ranks to use")                                  \
	X(SCM_SIZE, 's', "scm-size", true, "Per-engine SCM allocation")                           \
	X(NVME_SIZE, 'n', "nvme-size", true, "Per-engine NVMe allocation")                        \
	X(NSVC, 'v', "nsvc", true, "Number of pool service replicas")                             \
	X(USER, 'u', "user", true, "Pool owner principal (name@)")                                \
	X(GROUP, 'g', "group", true, "Pool owner group principal (name@)")                        \
	X(ACL_FILE, 'a', "acl-file", true, "Access Control List file path")                       \
	X(PROPERTIES, 'P', "properties", true, "Pool properties (key:val[,key:val...])")          \
	X(NO_QUERY, 'n', "no-query", false, "Do not query each pool for its usage")               \
	X(RECURSIVE, 'r', "recursive", false, "Remove containers too")                            \
	X(HEALTH_ONLY, 't', "health-only", false, "Only show pool health, not space")             \
	X(SHOW_ENABLED, 'e', "show-enabled", false, "Show the enabled ranks")                     \
	X(OUTFILE, 'O', "outfile", true, "Write the ACL to this file")                            \
	X(ENTRY, 'e', "entry", true, "A single ACE (TYPE:FLAGS:PRINCIPAL:PERMS)")                 \
	X(PRINCIPAL, 'p', "principal", true, "u:name@, g:name@, OWNER@, GROUP@ or EVERYONE@")     \
	X(DOWN_REPLICAS, 'N', "down-replicas", false, "Show unresponsive replicas")               \
	X(ACCESS_POINTS, 'a', "access-points", true, "Comma separated MS replica addresses")      \
	X(NUM_ENGINES, 'e', "num-engines", true,                                                  \
	  "Number of engine sections (default: NUMA nodes)")                                      \
	X(MIN_SSDS, 's', "min-ssds", true, "Minimum NVMe SSDs per engine (default 1)")            \
	X(NET_CLASS, 'c', "net-class", true, "best-available, ethernet or infiniband")            \
	X(TMPFS_SCM, 't', "use-tmpfs-scm", false, "Use tmpfs for SCM (MD-on-SSD)")                \
	X(CTL_METADATA, 'm', "control-metadata-path", true,                                       \
	  "Control metadata directory (MD-on-SSD)")

#define DMG_OPT_ENUM(id, s, l, v, h) DMG_OPT_##id,
enum dmg_opt { DMG_OPT_TABLE(DMG_OPT_ENUM) DMG_OPT_NR };

extern const struct cli_opt dmg_opts[DMG_OPT_NR];

/* dmg's options and command tree, for cli_args_parse() and cli_cmd_help(). */
extern const struct cli_spec dmg_cli;

/* ---- the session ---- */

/* dmg's struct cli_ctx: what every run function gets. */
struct cli_ctx {
	FILE *out;      /* command output (stdout, or a tee with --log-file) */
	bool json;      /* -j: collect the response, print the envelope */
	bool debug;     /* -d */
	int timeout_ms; /* per call */
	int port;       /* the config's port, for hosts given without one */
	char **hosts;   /* "host:port", in order */
	unsigned int nr_hosts;
	struct ctl_tls_config tls; /* used unless insecure */
	bool insecure;             /* plain TCP */
	const char *version;       /* sent with every call */
	json_t *json_resp;         /* -j: the response (owned) */
	char errmsg[1024];         /* the message of a failed command */
};

/* Record a failure message in @ctx (printed by main as "ERROR: dmg: ..."). */
void dmg_errf(struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- transport (dmg_conn.c) ---- */

/*
 * Call the management service: try each host of @ctx in order until one answers, follow
 * -DER_NOTLEADER leader hints (a few hops at most). On success *resp holds the decoded body
 * (free with protobuf_c_message_free_unpacked(resp, &proto_allocator)); a non-zero status
 * from the server, in the reply or in the body's "status" field, is returned with the
 * server's message in ctx->errmsg. Transport failures name each host tried.
 */
int dmg_ms_call(struct cli_ctx *ctx, uint32_t method, const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *desc, ProtobufCMessage **resp);

/* One host's answer to a fanned-out call. */
struct dmg_host_reply {
	char *host;             /* "host:port" */
	int rc;                 /* 0 or the error */
	char *error;            /* message when rc != 0 (d_strdup) */
	ProtobufCMessage *resp; /* decoded body when rc == 0 */
};

/*
 * Call @method on every host of @ctx in parallel. *out holds one reply per host, in
 * host order (free with dmg_host_replies_free()). Returns 0 (per-host errors are in the
 * replies) or -DER_NOMEM.
 */
int dmg_fanout(struct cli_ctx *ctx, uint32_t method, const ProtobufCMessage *req,
	       const ProtobufCMessageDescriptor *desc, struct dmg_host_reply **out);
void dmg_host_replies_free(struct dmg_host_reply *r, unsigned int nr);

/* ---- text helpers (dmg_print.c; tables and rank sets are in control/cli.h) ---- */

/*
 * Compress "host:port" strings into DAOS's host set form ("node[1-4]", "10.8.1.[20-21]"),
 * dropping ":@default_port". *out is d_free()d by the caller. 0 or -DER_NOMEM.
 */
int dmg_hostset_str(char *const *hosts, unsigned int nr, int default_port, char **out);

/* ---- printers (dmg_print.c): pure functions, response in, text out ---- */

void dmg_print_pool_create_intro(FILE *f, const Mgmt__PoolCreateReq *req);
void dmg_print_pool_create(FILE *f, const Mgmt__PoolCreateResp *resp);
void dmg_print_pool_list(FILE *f, const Mgmt__ListPoolsResp *resp, bool verbose, bool no_query);
void dmg_print_pool_query(FILE *f, const Mgmt__PoolInfo *info, bool show_enabled, bool health_only);
void dmg_print_pool_props(FILE *f, const char *pool, const Mgmt__PoolResp *resp);
void dmg_print_system_query(FILE *f, const Mgmt__SystemQueryResp *resp, bool verbose);
void dmg_print_rank_results(FILE *f, const Mgmt__SystemRanksResp *resp);
void dmg_print_leader(FILE *f, const Mgmt__LeaderQueryResp *resp, bool down_replicas);
/* Host-level printers get the replies of dmg_fanout() and the default port. */
void dmg_print_host_errors(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port);
void dmg_print_storage_scan(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port,
			    bool verbose, bool nvme_health);
void dmg_print_storage_format(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port,
			      bool verbose);
void dmg_print_storage_usage(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port);
void dmg_print_network_scan(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port,
			    const char *provider);

/* ---- JSON (dmg_json.c) ---- */

/* A JSON object with the fields of @msg (snake_case names); NULL if out of memory. */
json_t *dmg_json_from_pb(const ProtobufCMessage *msg);

/* ---- commands ---- */

int dmg_storage_scan(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_storage_format(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_storage_usage(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_network_scan(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_system_query(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_system_stop(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_system_start(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_system_exclude(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_system_clear_exclude(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_system_erase(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_system_leader_query(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_create(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_list(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_query(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_destroy(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_get_prop(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_set_prop(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_get_acl(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_update_acl(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_overwrite_acl(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_delete_acl(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_pool_evict(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_config_generate(struct cli_ctx *ctx, const struct cli_args *a);
int dmg_version(struct cli_ctx *ctx, const struct cli_args *a);

/*
 * Build a PoolCreateReq from the create flags and @label (client-side checks of reference
 * §3.4: one sizing style, label rules, sizes, ranks, properties). On failure the reason is
 * in ctx->errmsg. Free with dmg_pool_create_req_fini().
 */
int dmg_pool_create_req(struct cli_ctx *ctx, const struct cli_args *a, Mgmt__PoolCreateReq *req);
void dmg_pool_create_req_fini(Mgmt__PoolCreateReq *req);

/*
 * config generate's engine of decisions, apart from hardware detection so tests can feed
 * it any machine. Writes a daos_server.yml to *out (d_free). -DER_INVAL with ctx->errmsg
 * when the hardware does not meet the requirements.
 */
struct dmg_hw_iface {
	char name[64];
	int numa;
	bool infiniband;
};
struct dmg_hw_nvme {
	char pci[32];
	int numa;
};
struct dmg_hw {
	unsigned int nr_cores;
	unsigned int nr_numa;
	uint64_t mem_bytes;
	struct dmg_hw_iface ifaces[32];
	unsigned int nr_ifaces;
	struct dmg_hw_nvme nvme[64];
	unsigned int nr_nvme;
	char pmem[8][32]; /* /dev/pmemN */
	unsigned int nr_pmem;
};
void dmg_hw_detect(struct dmg_hw *hw);
int dmg_config_gen_yaml(struct cli_ctx *ctx, const struct dmg_hw *hw, const struct cli_args *a,
			char **out);

#endif /* CONTROL_DMG_DMG_INT_H */
