/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_int.h - the pieces of daos_agent (see README.md): fabric interfaces, the attach
 * info cache, the MS calls, the clients' pool handles, credentials and the daemon.
 * Private to this directory.
 *
 * Everything here runs on the agent's one libuv loop thread, except the agent_ms_*() calls
 * to the MS, which block and run on a libuv worker thread (or in a CLI subcommand); they
 * touch only their arguments.
 */
#ifndef CONTROL_AGENT_AGENT_INT_H
#define CONTROL_AGENT_AGENT_INT_H

#include <gurt/common.h>
#include <gurt/list.h>
#include <stdbool.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "control/config.h"
#include "proto/proto.h"
#include "security/security.h"

#ifndef DAOS_VERSION
#define DAOS_VERSION "0.0.0"
#endif

#define AGENT_SOCK_NAME "daos_agent.sock"
#define AGENT_NUMA_MAX 64     /* NUMA nodes the round-robin tracks */
#define AGENT_NAME_LEN 64     /* interface and domain names */
#define AGENT_LEADER_HOPS 3   /* leader hints followed per access point */
#define AGENT_CONNECT_MS 5000 /* connecting to one access point */
#define AGENT_CALL_MS 30000   /* one GetAttachInfo call */

/* ---- fabric interfaces (agent_iface.c) ---- */

/* One interface a client may use. */
struct agent_fabric_if {
	char name[AGENT_NAME_LEN];   /* network interface, e.g. eth0 */
	char domain[AGENT_NAME_LEN]; /* libfabric domain (tcp: the interface; verbs: mlx5_0) */
	int numa_node;               /* 0 when unknown */
	bool loopback;
};

/* The interfaces the agent offers, and where its round-robin stands per NUMA node. */
struct agent_ifaces {
	struct agent_fabric_if *ifs; /* d_calloc'ed array */
	unsigned int nr;
	unsigned int next[AGENT_NUMA_MAX]; /* round-robin position per NUMA node */
	char provider[AGENT_NAME_LEN];     /* what they were found for; "" for configured ones */
	bool configured;                   /* from fabric_ifaces, not detected */
	struct agent_fabric_if lo;         /* the loopback interface, valid when has_lo */
	bool has_lo;                       /* seen (even if left out of ifs) and not filtered */
};

/* The fabric_ifaces of @cfg as a set (nr may be 0). 0 or -DER_NOMEM. */
int agent_ifaces_from_config(const struct config_agent *cfg, struct agent_ifaces *out);
/*
 * Detect the interfaces of this host usable with @provider (DAOS form; NULL or "" for
 * any): getifaddrs() for interfaces that are up with an address, then fi_getinfo() to find
 * the provider's domain on each (matched by address). Loopback is kept only when nothing
 * else qualifies. Applies @include / @exclude (either may be NULL). 0 (possibly with nr
 * 0), -DER_INVAL for an unknown provider, -DER_NOMEM, or a DER code from getifaddrs.
 */
int agent_ifaces_detect(const char *provider, const struct config_strlist *include,
			const struct config_strlist *exclude, struct agent_ifaces *out);
/* Keep only the interfaces named in @include (if non-empty) and not in @exclude. */
void agent_ifaces_filter(struct agent_ifaces *set, const struct config_strlist *include,
			 const struct config_strlist *exclude);
/*
 * Pick the interface for a client on @numa_node: @want if given (-DER_NONEXIST if the set
 * does not have it), else the next one of that node round-robin, else (no interface on
 * that node) the next one of all. -DER_NONEXIST for an empty set. *out points into @set.
 */
int agent_iface_select(struct agent_ifaces *set, int numa_node, const char *want,
		       const struct agent_fabric_if **out);
/*
 * The interface for a client of engines that listen on loopback only: the set's loopback
 * interface (detected, even when other interfaces hid it from selection, or configured in
 * fabric_ifaces), unless the filters drop it. -DER_NONEXIST if there is none.
 */
int agent_iface_loopback(const struct agent_ifaces *set, const struct agent_fabric_if **out);
/* Whether fabric URI @uri ("ofi+tcp://127.0.0.1:31416", "...//[::1]:1") is a loopback address. */
bool agent_uri_is_loopback(const char *uri);
/*
 * The interface to offer a client: @want if named (as agent_iface_select), else the
 * loopback interface if @on_lo (every engine listens on loopback) and the set has one,
 * else agent_iface_select()'s round-robin choice for @numa_node. Same returns.
 */
int agent_iface_choose(struct agent_ifaces *set, int numa_node, const char *want, bool on_lo,
		       const struct agent_fabric_if **out);
void agent_ifaces_fini(struct agent_ifaces *set);
/* The NUMA node a process runs on (its first allowed CPU's); 0 if unknown. */
int agent_numa_of_pid(pid_t pid);

/* ---- attach info cache (agent_cache.c) ---- */

/* One system's answer from the MS: a packed, successful GetAttachInfoResp. */
struct agent_cache_entry {
	char *system;
	uint8_t *body;
	size_t len;
	uint64_t fetched_ns; /* CLOCK_MONOTONIC */
};

struct agent_cache {
	bool disabled;      /* disable_caching or DAOS_AGENT_DISABLE_CACHE=true */
	uint64_t expire_ns; /* cache_expiration; 0: never */
	struct agent_cache_entry *entries;
	unsigned int nr;
	struct agent_ifaces ifaces; /* the interfaces offered, valid when has_ifaces */
	bool has_ifaces;
};

/* Set up from the configuration and the environment. 0 or -DER_INVAL (bad variable). */
int agent_cache_init(struct agent_cache *cache, const struct config_agent *cfg);
void agent_cache_fini(struct agent_cache *cache);
/*
 * The cached answer for @system at time @now_ns: 0 with *body (owned by the cache, valid
 * until the next store or flush), -DER_NONEXIST if absent, expired or caching is off.
 */
int agent_cache_lookup(struct agent_cache *cache, const char *system, uint64_t now_ns,
		       const uint8_t **body, size_t *len);
/* Remember a copy of @body for @system (nothing when disabled). 0 or -DER_NOMEM. */
int agent_cache_store(struct agent_cache *cache, const char *system, const void *body, size_t len,
		      uint64_t now_ns);
/* Forget all answers and interfaces (SIGUSR2). */
void agent_cache_flush(struct agent_cache *cache);
/* Whether the environment switch DAOS_AGENT_DISABLE_CACHE is set to a true value. */
bool agent_cache_env_disabled(void);
uint64_t agent_now_ns(void);

/* ---- the MS (agent_ms.c) ---- */

/*
 * Ask the MS for @system's attach info: try @servers ("host:port") in order, following
 * leader hints, over TLS if @tls is non-NULL. On success *body (d_free) holds the packed
 * GetAttachInfoResp, whose status is 0. On failure returns the DER code (the MS's
 * status, or -DER_UNREACH when no access point answered) and writes a message into @err
 * that names the access points tried. Blocks up to the timeouts above per server.
 */
int agent_ms_attach_info(const struct config_strlist *servers, const struct ctl_tls_config *tls,
			 const char *system, uint8_t **body, size_t *len, char *err,
			 size_t err_len);

/*
 * Build the dRPC reply to a client from the MS's answer @ms (packed GetAttachInfoResp)
 * with the client net hint's interface and domain set to @fi's. *out is d_free'd by the
 * caller. 0, -DER_PROTO (bad @ms) or -DER_NOMEM.
 */
int agent_attach_reply(const void *ms, size_t ms_len, const struct agent_fabric_if *fi,
		       uint8_t **out, size_t *out_len);
/*
 * What the MS's answer @ms (packed GetAttachInfoResp) tells about a client's interface:
 * its provider into @provider ("" if none) and in *on_lo whether every rank URI is a
 * loopback address (false without URIs). 0 or -DER_PROTO.
 */
int agent_attach_peek(const void *ms, size_t ms_len, char *provider, size_t provider_len,
		      bool *on_lo);
/* A GetAttachInfoResp carrying only @status and @message. */
int agent_attach_error(int status, const char *message, uint8_t **out, size_t *out_len);

/*
 * One control call to the MS: try @servers ("host:port") in order, following leader
 * hints, over TLS if @tls is non-NULL. 0 when an MS answered: *reply (ctl_reply_fini)
 * holds its answer, whatever its status, and @from the address that gave it; else
 * -DER_UNREACH (or -DER_NOMEM) with @err naming every access point tried and why.
 * Blocks like agent_ms_attach_info().
 */
int agent_ms_call(const struct config_strlist *servers, const struct ctl_tls_config *tls,
		  uint32_t method, const ProtobufCMessage *body, struct ctl_reply *reply,
		  char *from, size_t from_len, char *err, size_t err_len);
/*
 * PoolFind @id (label or uuid) in @system ("" for the MS's): *out (d_free) holds the
 * packed PoolFindResp for the client, the MS's answer or one whose status and message
 * say why there is none (-DER_UNREACH naming the access points tried, -DER_PROTO). 0, or
 * -DER_NOMEM and nothing in *out. Never cached. Blocks.
 */
int agent_ms_pool_find(const struct config_strlist *servers, const struct ctl_tls_config *tls,
		       const char *id, const char *system, uint8_t **out, size_t *out_len);

/* ---- pool handles of the clients (agent_handles.c) ---- */

/* Most handles one client connection may register. */
#define AGENT_CONN_HANDLES_MAX 4096

struct agent_handle {
	uuid_t pool;
	uuid_t hdl;
};

/* One client connection that has pool handles open. */
struct agent_client {
	d_list_t link;             /* in agent_handles.clients */
	uint64_t conn_id;          /* drpc_req_info.conn_id */
	pid_t pid;                 /* SO_PEERCRED at registration, for logs */
	struct agent_handle *hdls; /* d_realloc'ed; arrival order, by pool once detached */
	unsigned int nr;
	unsigned int cap;
};

/* The clients that have handles open. */
struct agent_handles {
	d_list_t clients; /* struct agent_client */
	unsigned int nr_clients;
};

void agent_handles_init(struct agent_handles *set);
/* Forget every client and handle (nothing is evicted). */
void agent_handles_fini(struct agent_handles *set);
/*
 * Connection @conn_id (of process @pid) opened handle @hdl of @pool. Registering a pair
 * again is a no-op. 0, -DER_NOMEM, or -DER_OVERFLOW past AGENT_CONN_HANDLES_MAX; the set
 * is unchanged on error.
 */
int agent_handles_add(struct agent_handles *set, uint64_t conn_id, pid_t pid, const uuid_t pool,
		      const uuid_t hdl);
/* Connection @conn_id closed @hdl of @pool: 0, or -DER_NONEXIST if it was not registered. */
int agent_handles_remove(struct agent_handles *set, uint64_t conn_id, const uuid_t pool,
			 const uuid_t hdl);
/* How many handles @conn_id has registered. */
unsigned int agent_handles_count(struct agent_handles *set, uint64_t conn_id);
/*
 * Connection @conn_id is gone: take its client out of @set with its handles sorted by
 * pool (runs of one pool: agent_client_pool_run()), or NULL if it had none. The caller
 * owns the client and frees it with agent_client_free(). Does not allocate.
 */
struct agent_client *agent_handles_detach(struct agent_handles *set, uint64_t conn_id);
/* agent_handles_detach() of any client (the agent stops), or NULL when none is left. */
struct agent_client *agent_handles_pop(struct agent_handles *set);
/* The number of handles from @start on (< client->nr) that belong to the pool of @start. */
unsigned int agent_client_pool_run(const struct agent_client *client, unsigned int start);
void agent_client_free(struct agent_client *client);

/*
 * PoolEvict the @nr handles @hdls, all of one pool, on behalf of the agent of host
 * @machine (the MS passes them to the pool service in PoolIdReq.handles). 0, the MS's
 * status, -DER_UNREACH or -DER_NOMEM, with @err saying why on failure. Blocks.
 */
int agent_ms_pool_evict(const struct config_strlist *servers, const struct ctl_tls_config *tls,
			const struct agent_handle *hdls, unsigned int nr, const char *machine,
			char *err, size_t err_len);

/* ---- credentials (agent_creds.c) ---- */

/*
 * The encoded credential (sec_cred_encode) for @uid/@gid, signed with @key, or with the
 * insecure digest if @key is NULL. Names come from the host, else client_user_map. On
 * failure @err names the problem. *out is d_free'd by the caller.
 */
int agent_creds_make(const struct config_agent *cfg, const struct sec_key *key, uint32_t uid,
		     uint32_t gid, uint8_t **out, size_t *out_len, char *err, size_t err_len);

/* ---- the daemon (agent.c) ---- */

/* Run the daemon until SIGINT/SIGTERM. Returns 0 or a DER code (the reason is logged
 * and printed). */
int agent_run(struct config_agent *cfg);

#endif /* CONTROL_AGENT_AGENT_INT_H */
