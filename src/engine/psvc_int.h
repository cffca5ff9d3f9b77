/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine/psvc_int.h - what the pool service's files share (engine_psvc.c: the service,
 * its store and the dRPC calls from daos_server; engine_pconn.c: pool handles and the
 * fabric calls of libdaos; engine_csvc.c: the container service). Everything here runs
 * on the system xstream.
 */
#ifndef ENGINE_PSVC_INT_H
#define ENGINE_PSVC_INT_H

#include <gurt/list.h>
#include <stdbool.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "engine/engine.h"

struct rdb;
struct rdb_tx;
struct pool_map;
struct drpc_req;
struct net_rpc;
struct sec_auth_sys;
struct vos_pool_info;
struct daos_acl;

/* A pool handle (libdaos's connection), kept in the store as "phdl/<uuid>". */
struct ps_hdl {
	d_list_t link;
	uuid_t uuid;
	uint64_t flags;           /* DAOS_PC_* */
	uint64_t perms;           /* DAOS_ACL_PERM_* the pool ACL grants */
	struct sec_auth_sys *who; /* the identity its credential carried */
	uint8_t *token;           /* that identity as security's token bytes */
	size_t token_len;
};

/* A container handle, kept as "chdl/<uuid>". */
struct cs_hdl {
	d_list_t link;
	uuid_t uuid;
	uuid_t cont;
	uuid_t poh;
	uint64_t flags; /* DAOS_COO_* */
	uint64_t perms; /* DAOS_ACL_PERM_* the container ACL grants */
};

struct psvc {
	d_list_t link;
	uuid_t uuid;
	struct rdb *db;
	struct pool_map *map;
	bool busy;      /* create or destroy in flight */
	d_list_t hdls;  /* struct ps_hdl */
	d_list_t chdls; /* struct cs_hdl */
};

struct psvc *psvc_find(const uuid_t uuid);

/* A NUL-terminated string value of the store, or NULL. d_free() it. */
char *db_get_str(struct rdb *db, const char *key);
/* The pool ACL (the default one if none is stored). */
int db_get_acl(struct rdb *db, struct daos_acl **acl);

/* --- asking the ranks of a pool (engine_psvc.c) --- */

struct psop;
typedef void (*psop_fn)(struct psop *op);

/* One call per rank; @done runs when all have answered. */
struct psop {
	struct engine *eng;
	struct psvc *ps;
	struct drpc_req *req; /* the dRPC call being served, or NULL */
	struct net_rpc *rpc;  /* the fabric call being served, or NULL */
	void *priv;           /* the caller's */
	uuid_t uuid;
	uint32_t opc;
	uint64_t scm;
	uint64_t nvme;
	uint32_t nr;
	d_rank_t *ranks;
	int *rcs;
	uint32_t *nr_targets;
	struct vos_pool_info **info;
	uint32_t left;
	psop_fn done;
	/* create */
	void *create;
	bool undoing;
	int err;
	char msg[512];
};

struct psop *psop_new(struct engine *eng, struct drpc_req *req, const uuid_t uuid, uint32_t nr);
void psop_free(struct psop *op);
/* A psop over the ranks of @ps's map that are not DOWN. */
struct psop *psop_for_map(struct engine *eng, struct drpc_req *req, struct psvc *ps);
/* Ask every rank of op->ranks for @opc (ENGINE_OPC_POOL_TGT_*); op->done when all did. */
void psop_start(struct psop *op, uint32_t opc, psop_fn done);
/* The first failed rank, @tolerated (a -DER_* code, or 0) aside: its index, or op->nr. */
uint32_t psop_failed(const struct psop *op, int tolerated);
/*
 * What a query tolerates: a rank no longer in the group was excluded, and the pool map
 * marks it DOWN once the exclusion reaches the service; it just has no space to count.
 */
#define PSOP_QUERY_TOLERATED (-DER_OOG)

/* Space of a query psop per tier (0: SCM, the index; 1: NVMe, the data blobs). */
struct ps_space {
	uint64_t total[2];
	uint64_t free[2];
	uint64_t min[2];
	uint64_t max[2];
	uint64_t mean[2];
	uint32_t nr_targets;
};
void psop_space(const struct psop *op, struct ps_space *sp);

/* --- handles (engine_pconn.c) --- */

/* Load the handles of @ps from its store (at start). */
int ps_hdls_load(struct psvc *ps);
void ps_hdls_free(struct psvc *ps);
struct ps_hdl *ps_hdl_find(struct psvc *ps, const uuid_t uuid);
struct cs_hdl *cs_hdl_find(struct psvc *ps, const uuid_t uuid);
/* Queue the removal of @h and its container handles in @tx (NULL: none); free them from
 * memory when @apply. */
int ps_hdl_del(struct psvc *ps, struct rdb_tx *tx, struct ps_hdl *h, bool apply);

/*
 * Tell every rank of @ps's map that is not DOWN (RPC_HDL_REVOKE: @nr entries of
 * @kinds/@uuids) and call @cb(@arg) when all have answered or failed (failures are
 * logged: a rank that cannot be told has lost its caches or will time out).
 */
int ps_revoke(struct engine *eng, struct psvc *ps, uint32_t nr, const uint8_t *kinds,
	      const uuid_t *uuids, void (*cb)(void *arg), void *arg);
/* Send @opc with @body to every rank of @ps's map that is not DOWN, as ps_revoke. */
int ps_bcast(struct engine *eng, struct psvc *ps, uint32_t opc, const void *body, size_t len,
	     void (*cb)(void *arg), void *arg);

/* Evict handles of @ps: those named in @uuids (@nr), or all if @nr is 0; @cb(@arg, rc,
 * count evicted) when the store and the targets are done. */
int ps_evict(struct engine *eng, struct psvc *ps, const uuid_t *uuids, uint32_t nr,
	     void (*cb)(void *arg, int rc, uint32_t count), void *arg);

/* Register the fabric handlers of the pool and container services. */
int ps_register_fabric(struct engine *eng);
int cs_register_fabric(struct engine *eng);

/* For the container service: the pool handle named by a request, checked. */
struct ps_hdl *ps_hdl_check(struct psvc *ps, const uuid_t poh);

struct rpc_attr_in;
/* Serve an attribute call on keys "<prefix><name>" (reads need @may_read, changes
 * @may_write: else -DER_NO_PERM); answers @rpc. */
void ps_attr_serve(struct net_rpc *rpc, struct psvc *ps, const char *prefix,
		   const struct rpc_attr_in *in, bool may_read, bool may_write);

/* Reply to @rpc and no body (logging a failed reply). */
void ps_reply(struct net_rpc *rpc, int rc);

#endif /* ENGINE_PSVC_INT_H */
