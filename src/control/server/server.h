/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/server/server.h - daos_server: one libuv loop that serves the control API
 * (TCP or mutual TLS on `port`), a dRPC socket for its engines
 * (<socket_dir>/daos_server.sock), formats storage, and starts and watches one
 * daos_engine per `engines:` entry.
 *
 * Start-up: load daos_server.yml (flags override it), write the active-config copy,
 * create socket_dir, listen. Engines whose storage has a superblock start at once;
 * otherwise the server waits in maintenance mode until `dmg storage format`. An engine
 * that exits is reported with its exit status and is not restarted by itself.
 *
 * Threads: everything runs on the loop thread.
 */
#ifndef CONTROL_SERVER_SERVER_H
#define CONTROL_SERVER_SERVER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "control/config.h"
#include "control/ms/ms.h"
#include "control/storage.h"
#include "mgmt.pb-c.h"
#include "proto/proto.h"

#define SERVER_SOCK_NAME "daos_server.sock"
#define SERVER_ACTIVE_CONFIG ".daos_server.active.yml"

/* Where an engine is in its life, as the member states DAOS shows. */
enum srv_engine_state {
	SRV_ENGINE_AWAIT_FORMAT,
	SRV_ENGINE_STARTING, /* process started, not yet ready */
	SRV_ENGINE_READY,    /* NotifyReady received */
	SRV_ENGINE_JOINED,   /* rank set */
	SRV_ENGINE_STOPPING,
	SRV_ENGINE_STOPPED,
	SRV_ENGINE_ERRORED, /* exited unexpectedly; @info says how */
};

struct srv_engine {
	struct server *srv;
	unsigned int idx;
	enum srv_engine_state state;
	char info[256];
	uv_process_t proc;
	bool running;     /* @proc is alive (its close is pending otherwise) */
	bool stop_wanted; /* we asked it to stop */
	pid_t pid;
	char uri[128];
	char drpc_path[512];
	uint32_t nr_contexts;
	uint64_t incarnation;
	struct storage_sb sb;
	bool formatted;
	d_rank_t rank; /* valid when has_rank: from the superblock or the join */
	bool has_rank;
	uv_timer_t join_timer; /* retries a join the MS could not take yet */
	bool join_timer_init;
	unsigned int join_tries;
};

struct ms_db;

struct server {
	uv_loop_t *loop;
	struct config_server *cfg;
	const char *engine_bin;
	bool insecure;
	char hostname[256];
	struct ctl_server *ctl;
	struct drpc_server *drpc;
	char drpc_path[512];
	struct srv_engine *engines;
	unsigned int nr_engines;
	/* management service (server_ms.c) */
	bool ms_local;      /* this host is the (first) MS replica */
	char ctl_addr[300]; /* our control address as members record it */
	char ms_dir[PATH_MAX];
	struct ms_db *ms; /* open once storage is formatted */
	d_list_t creates; /* pool creates waiting for their pool service (server_pool.c) */
	uv_signal_t sigint;
	uv_signal_t sigterm;
	bool stopping;
};

/* server_engine.c */
int srv_engines_init(struct server *srv);
/* Start every formatted engine that is not running. */
void srv_engines_start(struct server *srv);
/* Stop every running engine (SIGTERM, or SIGKILL with @force). */
void srv_engines_stop(struct server *srv, bool force);
bool srv_engines_running(const struct server *srv);
void srv_engines_fini(struct server *srv);
int srv_engine_start(struct srv_engine *e);
/* The local engine that has @rank, or NULL. */
struct srv_engine *srv_engine_of_rank(struct server *srv, d_rank_t rank);

#define SRV_ENGINE_DRPC_TIMEOUT_MS 60000
/*
 * Run MGMT @method with @len bytes of @body on the engine listening at @path: its raw
 * reply body in *@reply (d_free). 0, a transport error, or -DER_MISC if the engine
 * refused the call. Blocking; any thread.
 */
int srv_drpc_call(const char *path, int32_t method, const void *body, size_t len, uint8_t **reply,
		  size_t *reply_len);
/* srv_drpc_call() on local engine @e. */
int srv_engine_drpc(struct srv_engine *e, int32_t method, const void *body, size_t len,
		    uint8_t **reply, size_t *reply_len);
/*
 * Decode an engine's reply: a PoolResp into *@pool when @pool is not NULL, else a
 * DaosResp. Returns its status (or -DER_PROTO); its message in @msg.
 */
int srv_engine_decode(const uint8_t *reply, size_t len, Mgmt__PoolResp **pool, char *msg,
		      size_t msg_len);
/* srv_engine_drpc() with a message body (may be NULL) and the reply decoded. */
int srv_engine_call(struct srv_engine *e, int32_t method, const ProtobufCMessage *body,
		    Mgmt__PoolResp **pool, char *msg, size_t msg_len);
void srv_engine_stop(struct srv_engine *e, bool force);
int srv_drpc_start(struct server *srv);
void srv_drpc_stop(struct server *srv);
const char *srv_engine_state_name(enum srv_engine_state st);

/* server_peer.c: calls to other daos_servers, off the loop thread */
typedef void (*srv_peer_cb)(struct server *srv, int rc, const struct ctl_reply *reply, void *arg);
/* Call @method with @body at @addr ("host:port"); @cb runs on the loop thread. */
int srv_peer_call(struct server *srv, const char *addr, uint32_t method,
		  const ProtobufCMessage *body, srv_peer_cb cb, void *arg);

/* server_ms.c: the management service */
int srv_ms_init(struct server *srv);
void srv_ms_fini(struct server *srv);
/* Serve @req if it is an MS method; false if it is not one. */
bool srv_ms_handle(struct server *srv, struct ctl_req *req);
/* A local engine is ready: join it (rank, superblock, SetRank, SetUp, group map). */
void srv_engine_join(struct srv_engine *e);
/* Stop the join retry timers (shutdown). */
void srv_join_timers_stop(struct server *srv);
/* A local engine exited: record its state in the MS. */
void srv_engine_exited(struct srv_engine *e);

/* server_rank.c: pool calls to the engine of any rank, never blocking the loop */
/*
 * @resp is the engine's answer (NULL when none came: @rc says why); @msg explains a
 * non-zero @rc. Both live during the call only.
 */
typedef void (*srv_rank_cb)(struct server *srv, int rc, Mgmt__PoolResp *resp, const char *msg,
			    void *arg);
/*
 * Call pool @method with @body on the engine of @rank (ours over dRPC, another host's
 * through its server). 0: @cb will run on the loop thread; -DER_UNREACH (the rank is
 * not running), -DER_NOMEM or -DER_MISC: nothing was sent and @cb will not run.
 */
int srv_rank_call(struct server *srv, d_rank_t rank, int32_t method, const ProtobufCMessage *body,
		  srv_rank_cb cb, void *arg);
/* EngineForward from the MS: a pool call for one of our engines */
void srv_engine_forward(struct server *srv, struct ctl_req *req);

/* server_pool.c: pool calls (the MS is open) */
/* Whether @method is a pool dRPC method that EngineForward may carry. */
bool srv_pool_method_is_valid(int32_t method);
/* The ranks @ranks leave every pool that has them (system exclude). */
void srv_pool_exclude_ranks(struct server *srv, const d_rank_list_t *ranks);
void srv_pool_create(struct server *srv, struct ctl_req *req);
void srv_pool_list(struct server *srv, struct ctl_req *req);
void srv_pool_query(struct server *srv, struct ctl_req *req);
void srv_pool_destroy(struct server *srv, struct ctl_req *req);
/* get-prop, set-prop, the ACL calls and evict */
void srv_pool_attrs(struct server *srv, struct ctl_req *req);
/* PoolFind: a Ready pool's uuid, label and service ranks from the MS's record */
void srv_pool_find(struct server *srv, struct ctl_req *req);
/* Pool handles one PoolEvict may name (an agent sends one call per pool and client). */
#define SRV_EVICT_HANDLES_MAX 65536

/* server_storage.c: control API handlers */
void srv_storage_scan(struct server *srv, struct ctl_req *req);
void srv_storage_format(struct server *srv, struct ctl_req *req);
/* Unconfigure this host's storage (system erase); engines must be stopped. */
int srv_storage_erase_local(struct server *srv, char *err, size_t err_len);
void srv_storage_erase(struct server *srv, struct ctl_req *req);
/* server_net.c */
void srv_network_scan(struct server *srv, struct ctl_req *req);

/* server_main.c */
void srv_reply_packed(struct ctl_req *req, int status, const char *msg,
		      const ProtobufCMessage *body);

#endif /* CONTROL_SERVER_SERVER_H */
