/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine/engine.h - the daos_engine process: its settings (command line and environment,
 * as daos_server passes them), its xstreams, and its link to daos_server over dRPC.
 *
 * Start-up: parse flags and environment; open the system xstream (fabric tag 0, libuv
 * loop with the engine's dRPC server at <socket_dir>/daos_engine_<pid>.sock) and one
 * xstream per target (fabric tag 1..N, an I/O queue each); tell daos_server we are ready
 * (NotifyReady: URI, contexts, socket, incarnation); then serve until SIGINT/SIGTERM.
 * daos_server answers with SetRank, SetUp and GroupUpdate calls on our socket.
 *
 * Threads: the main thread only starts, waits for a signal and stops; everything else
 * runs in xstreams. Engine-wide state below is written by the system xstream only.
 */
#ifndef ENGINE_ENGINE_H
#define ENGINE_ENGINE_H

#include <gurt/types.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "bio/bio.h"
#include "engine/xstream.h"
#include "net/net.h"
#include "proto/proto.h"

#define ENGINE_DEFAULT_PORT 31416
#define ENGINE_SOCK_PREFIX "daos_engine_"
#define ENGINE_SERVER_SOCK "daos_server.sock"

struct engine_args {
	unsigned int nr_targets; /* -t */
	unsigned int nr_helpers; /* -x */
	int first_core;          /* -f */
	int numa_node;           /* -p, -1: none */
	unsigned int idx;        /* -I engine index */
	unsigned int nr_tiers;   /* -T */
	const char *system;      /* -g */
	const char *socket_dir;  /* -d */
	const char *scm_mount;   /* -s */
	const char *nvme_conf;   /* -n */
	const char *modules;     /* -m */
	/* from the environment */
	char provider[64];        /* D_PROVIDER */
	char iface[64];           /* D_INTERFACE */
	char host[64];            /* the interface's IPv4 address */
	int port;                 /* D_PORT: tag 0; target t at port + t */
	unsigned int crt_timeout; /* CRT_TIMEOUT, seconds */
};

/* The devices of the bdev description file, opened at start (engine_pool.c). */
struct engine_storage {
	struct bio_conf conf;
	struct bio_dev **devs[8]; /* per tier of @conf, its devices */
	bool ready;               /* a bdev description was given and opened */
};

struct engine {
	struct engine_args args;
	struct engine_storage storage;
	struct eng_xs *sys;
	struct eng_xs **tgts;
	struct net_group *group;
	struct drpc_server *drpc;
	char drpc_path[PATH_MAX];
	char uri[128];
	uint64_t incarnation;
	d_rank_t rank;
	bool has_rank;
	bool set_up;
	bool shutting_down;
};

/* The process's engine (one per process). */
extern struct engine engine;

/* Parse the command line; 0 or -DER_INVAL with a message printed (usage on -h: 1). */
int engine_parse_args(int argc, char **argv, struct engine_args *args);
/* Read D_PROVIDER, D_INTERFACE, D_PORT, CRT_TIMEOUT; resolve the interface's address. */
int engine_parse_env(struct engine_args *args);

/* Start the dRPC server on the system xstream and register the handlers (sys xstream). */
int engine_drpc_start(struct engine *eng);
void engine_drpc_stop(struct engine *eng);
/* Tell daos_server we are up (blocking dRPC call; main thread). */
int engine_notify_ready(struct engine *eng);

/*
 * Fabric opcodes between engines (system xstreams, tag 0): the pool service asks each
 * rank of a pool to create, destroy or query its shards. Request body: the pool uuid (16
 * bytes), SCM and NVMe bytes for the rank (u64 each; zero but for create). Replies:
 * create: the rank's target count (u32); query: the count, then per target its index
 * bytes allowed and used, data bytes total and free (u64 each); destroy: empty.
 */
#define ENGINE_OPC_POOL_TGT_CREATE 0x1001
#define ENGINE_OPC_POOL_TGT_DESTROY 0x1002
#define ENGINE_OPC_POOL_TGT_QUERY 0x1003
#define ENGINE_POOL_RPC_TIMEOUT_MS 30000

struct vos_pool_info;

struct engine_tgt_req {
	uuid_t uuid;
	uint64_t scm;
	uint64_t nvme;
};

/* engine_rpc.c: the bodies above. Encoders return the length (0: no room). */
size_t engine_tgt_req_encode(const struct engine_tgt_req *req, void *buf, size_t len);
int engine_tgt_req_decode(const void *buf, size_t len, struct engine_tgt_req *out);
size_t engine_tgt_create_reply_encode(uint32_t nr_targets, void *buf, size_t len);
int engine_tgt_create_reply_decode(const void *buf, size_t len, uint32_t *nr_targets);
size_t engine_tgt_query_reply_encode(const struct vos_pool_info *info, uint32_t nr, void *buf,
				     size_t len);
/* Decode a query reply: *@info gets a d_calloc'd array of *@nr entries. */
int engine_tgt_query_reply_decode(const void *buf, size_t len, struct vos_pool_info **info,
				  uint32_t *nr);

/*
 * Ask daos_server whether a client's credential (security's wire form) is genuine, on
 * a libuv worker (system xstream only). @cb runs on the system xstream with 0 and the
 * token it carries (security's token bytes, valid during the call) or an error
 * (-DER_NO_PERM... as daos_server says; transport errors). 0, or nothing was started.
 */
typedef void (*engine_cred_cb)(void *arg, int rc, const void *token, size_t len);
int engine_cred_validate(struct engine *eng, const void *cred, size_t len, engine_cred_cb cb,
			 void *arg);

/* engine_pool.c: devices and pool shards */
int engine_storage_open(struct engine *eng);
void engine_storage_close(struct engine *eng);
/* The device target @tgt uses for @role (BIO_ROLE_*), or NULL. */
struct bio_dev *engine_role_dev(struct engine *eng, unsigned int role, unsigned int tgt);
/*
 * This engine's shards of pool @uuid on every target (system xstream). @cb runs on the
 * system xstream when all targets are done, with the first error (a failed create
 * leaves nothing it made behind) and, for a query, each target's figures. Create takes
 * the rank's @scm and @nvme bytes and divides them among the targets. A non-zero
 * return means nothing was started and @cb will not run.
 */
typedef void (*engine_shards_cb)(void *arg, int rc, const struct vos_pool_info *info,
				 unsigned int nr);
int engine_shards_create(struct engine *eng, const uuid_t uuid, uint64_t scm, uint64_t nvme,
			 engine_shards_cb cb, void *arg);
int engine_shards_destroy(struct engine *eng, const uuid_t uuid, engine_shards_cb cb, void *arg);
int engine_shards_query(struct engine *eng, const uuid_t uuid, engine_shards_cb cb, void *arg);
/* The pools that have a meta blob of target id @target on @dev (NULL: none), in a new
 * array *@uuids (d_free) of *@nr. 0 or -DER_NOMEM / the device's error. */
int engine_meta_blobs(struct bio_dev *dev, uint32_t target, uuid_t **uuids, unsigned int *nr);
/* Serve the ENGINE_OPC_POOL_TGT_* RPCs (system xstream). */
int engine_pool_register(struct engine *eng);
/* Open every shard found on the devices (main thread, after the xstreams start). */
int engine_pool_open_all(struct engine *eng);
void engine_pool_close_all(struct engine *eng);

/* The VOS pool of @pool's shard on target @tgt, or NULL (on that target's thread only). */
struct vos_pool *engine_shard_pool(unsigned int tgt, const uuid_t pool);

/*
 * engine_obj.c, engine_hdl.c: the object data path on the targets (design:
 * docs/design/engine-io.md). Each target serves RPC_OBJ_* on its own context; it learns
 * container handles from the pool service (RPC_HDL_LOOKUP to the request's svc_rank,
 * tag 0) and caches them until revoked; it creates a pool's VOS container on the first
 * update that names it.
 *
 * engine_obj_tgt_start() runs on a target's thread (its xstream init): it sets up the
 * target's caches and registers the handlers. engine_obj_tgt_stop() runs on the same
 * thread from its fini, after the shards were closed: requests still waiting for the
 * pool service are dropped without an answer.
 */
int engine_obj_tgt_start(struct engine *eng, struct eng_xs *xs);
void engine_obj_tgt_stop(struct eng_xs *xs);
/* Serve RPC_HDL_REVOKE and RPC_CONT_TGT_DESTROY on the system xstream's context. */
int engine_obj_register(struct engine *eng);
/* On a target's thread, before the shard of @pool closes: drop its handles and containers. */
void engine_obj_shard_closing(const uuid_t pool);

struct rpc_revoke_ent;

/* Called on the system xstream once every target has done its part: 0 or the first error. */
typedef void (*engine_tgts_cb)(void *arg, int rc);

/*
 * Revoke container handles on every target of this engine (system xstream only): per
 * entry of @ents (RPC_REVOKE_*), a pool handle (every container handle opened through
 * it), a container handle, or a container (all its handles), all in pool @pool. Requests
 * already past their handle check finish; later ones, and waiting updates that resume,
 * get -DER_NO_HDL until the pool service grants the handle again. @ents is copied. @cb
 * runs once every target has applied the revoke. A non-zero return (-DER_NOMEM,
 * -DER_INVAL) means nothing was started and @cb will not run.
 */
int engine_hdl_revoke(struct engine *eng, const uuid_t pool, const struct rpc_revoke_ent *ents,
		      uint32_t nr, engine_tgts_cb cb, void *arg);

/*
 * Destroy container @cont of pool @pool on every target of this engine (system xstream
 * only): its cached handles go, its VOS container is closed and destroyed (durably
 * before @cb runs; a target without it counts as done). Returns as engine_hdl_revoke().
 */
int engine_cont_tgt_destroy(struct engine *eng, const uuid_t pool, const uuid_t cont,
			    engine_tgts_cb cb, void *arg);

/*
 * engine_psvc.c: the pool service of the pools whose service rank we are: its dRPC
 * handlers (pool create, destroy, query, properties, ACL, exclude, evict), and its
 * stores opened at start and closed at stop (both from the main thread).
 */
int engine_psvc_register(struct engine *eng);
int engine_psvc_open_all(struct engine *eng);
void engine_psvc_close_all(struct engine *eng);

#endif /* ENGINE_ENGINE_H */
