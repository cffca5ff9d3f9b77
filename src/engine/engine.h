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
/* Answer a dRPC call with a DaosResp carrying @status and @msg (may be NULL). */
void engine_reply_status(struct drpc_req *req, int status, const char *msg);
/* Tell daos_server we are up (blocking dRPC call; main thread). */
int engine_notify_ready(struct engine *eng);

/* engine_pool.c: devices and pool shards */
int engine_storage_open(struct engine *eng);
void engine_storage_close(struct engine *eng);
/* Register the pool dRPC handlers (system xstream, with the dRPC server). */
int engine_pool_register(struct engine *eng);
/* Open every shard found on the devices (main thread, after the xstreams start). */
int engine_pool_open_all(struct engine *eng);
void engine_pool_close_all(struct engine *eng);

#endif /* ENGINE_ENGINE_H */
