/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client/client_int.h - private to libdaos (src/client). The public API is include/ (daos*.h);
 * the design is in README.md and docs/design/client.md.
 *
 * Pieces:
 *   cl_init.c    daos_init/fini, the agent connection (dRPC), attach info, network
 *                contexts (one per EQ, one private per thread for blocking calls)
 *   cl_hdl.c     the handle table: daos_handle_t cookies -> refcounted objects
 *   cl_event.c   events and event queues; struct cl_op, the asynchronous operation
 *   cl_pool.c    pools; cl_cont.c containers; cl_obj.c objects; cl_tx.c transactions
 *   cl_kv.c      flat KV (daos_kv.h); cl_array.c arrays (daos_array.h), both made of
 *                object calls run as sub-operations (cl_op_sub)
 *   cl_misc.c    ACL wrappers, class names, rank lists, system info
 *
 * Locks, outermost first: cl_g.lock (init/fini, the list of thread contexts), an EQ's
 * lock (its network context, its events and every operation running on it), the agent
 * lock (the one dRPC connection), the handle table lock (innermost, held briefly), a
 * pool's map lock.
 */
#ifndef CLIENT_CLIENT_INT_H
#define CLIENT_CLIENT_INT_H

#include <daos.h>
#include <gurt/common.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "net/net.h"
#include "placement/placement.h"
#include "pool/pool_map.h"
#include "rpc/rpc.h"

/* ---- handles (cl_hdl.c) ---- */

/* Embedded in every object a daos_handle_t names. */
struct cl_hlink {
	d_list_t link;   /* in its table bucket; table lock */
	uint64_t cookie; /* (sequence << 4) | type; 0 while not in the table */
	uint32_t ref;    /* atomic; the table holds one while the handle is open */
	int type;        /* DAOS_HTYPE_* */
	void (*free)(struct cl_hlink *hl); /* called at the last put */
};

void cl_hlink_init(struct cl_hlink *hl, int type, void (*free_fn)(struct cl_hlink *hl));
/* Enter @hl in the table (which takes a reference) and name it in *@h. */
int cl_hdl_insert(struct cl_hlink *hl, daos_handle_t *h);
/* A reference on the object @h names if it is of @type, else NULL. */
struct cl_hlink *cl_hdl_lookup(daos_handle_t h, int type);
/* Take @hl out of the table and drop the table's reference (once; later calls no-op). */
void cl_hdl_remove(struct cl_hlink *hl);
void cl_hlink_get(struct cl_hlink *hl);
void cl_hlink_put(struct cl_hlink *hl);
int cl_hdl_init(void);
void cl_hdl_fini(void);
/* Handles still in the table (for tests). */
uint32_t cl_hdl_count(void);

/* ---- the library (cl_init.c) ---- */

/* A network context and the thread or EQ it serves. */
struct cl_ctx {
	struct net_ctx *net;
	d_list_t link; /* thread contexts: in cl_g.thread_ctxs, cl_g.lock */
	uint64_t gen;  /* cl_g.gen it was made in */
};

struct cl_eq;

struct cl_global {
	pthread_mutex_t lock;
	int refcount;               /* daos_init() calls not yet undone */
	uint64_t gen;               /* bumped by every first daos_init() */
	pthread_mutex_t agent_lock; /* the dRPC connection is single-threaded */
	struct drpc_client *agent;  /* kept from daos_init() to daos_fini() */
	char agent_path[PATH_MAX];  /* $DAOS_AGENT_DRPC_DIR/daos_agent.sock */
	char system[DAOS_SYS_NAME_MAX_LEN + 1];
	char provider[64];           /* DAOS form, "ofi+tcp" */
	char iface[64];              /* the agent's interface hint */
	char host[64];               /* the address our contexts bind */
	uint32_t timeout_ms;         /* every request's (CRT_TIMEOUT) */
	struct net_group *grp;       /* rank -> URI */
	uint32_t nr_ranks;           /* as given by the attach info */
	struct daos_rank_uri *ranks; /* their URIs, for daos_mgmt_get_sys_info() */
	d_list_t thread_ctxs;        /* struct cl_ctx of threads, lock */
	struct cl_eq *noeq;          /* runs events initialised without an EQ */
	char jobid[256];             /* DAOS_JOBID or host:pid */
};

extern struct cl_global cl_g;

/* 0 if daos_init() has been called, else -DER_UNINIT. */
int cl_check_init(void);
int cl_ctx_create(struct cl_ctx **out);
void cl_ctx_destroy(struct cl_ctx *ctx);
/* The calling thread's private context, made on first use. */
int cl_thread_ctx(struct cl_ctx **out);

/*
 * Call the agent: (@module, @method) with @body. On 0, *@reply/@reply_len hold the
 * reply body (d_free) and *@status the dRPC status. -DER_AGENT_COMM if the agent did not
 * answer.
 */
int cl_agent_call(int32_t module, int32_t method, const void *body, size_t len, int *status,
		  uint8_t **reply, size_t *reply_len);

/* ---- events and operations (cl_event.c) ---- */

struct cl_op;

/*
 * What an operation does. start() sends its first requests (cl_op_send()); reply() sees
 * each request end (body valid only during the call); when none is left, done() returns
 * 1 if it sent more, else the operation's result; fini() frees it. start() may return
 * an error (nothing in flight) to end the operation at once.
 */
struct cl_op_ops {
	int (*start)(struct cl_op *op);
	void (*reply)(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len);
	int (*done)(struct cl_op *op);
	void (*fini)(struct cl_op *op);
};

/* An operation in flight; embedded first in each call's own state. */
struct cl_op {
	const struct cl_op_ops *ops;
	struct cl_ctx *ctx;   /* where its requests go */
	daos_event_t *ev;     /* completes with it (NULL for a sub-operation) */
	uint32_t nr_inflight; /* requests and sub-operations started, not ended */
	uint32_t nr_started;  /* requests and sub-operations ever started */
	int rc;               /* a result the op may keep between replies */
	struct cl_op *parent; /* a sub-operation's: it ends as one of parent's requests */
	uint32_t idx;         /* a sub-operation's @idx for parent's reply() */
	bool busy;            /* inside start() or done(): ends of sub-operations wait */
};

/*
 * Run @op to completion for @ev: NULL blocks on the thread's context and returns the
 * result; otherwise returns 0 once launched (-DER_* if @ev cannot be launched: then
 * @op is freed and @ev untouched) and the result arrives in ev->ev_error. @op is freed
 * through its fini() in every case.
 */
int cl_op_run(struct cl_op *op, const struct cl_op_ops *ops, daos_event_t *ev);
/* Send a request of @op to (@rank, @tag); @idx is given back to reply(). */
int cl_op_send(struct cl_op *op, d_rank_t rank, uint32_t tag, uint32_t opc, const void *body,
	       size_t len, uint32_t idx);
/*
 * Run @child, a prepared operation (child->ops set, e.g. by cl_obj_update_op()), as part
 * of @parent, from @parent's start() or done() only: it shares @parent's context and,
 * when it ends, @parent's reply() sees (@idx, its result, NULL, 0) as if a request had
 * ended. It may end before this returns (an error found at its start); @parent's done()
 * still runs only once nothing of it is in flight. @child is freed through its fini().
 */
void cl_op_sub(struct cl_op *parent, struct cl_op *child, uint32_t idx);
/* Exported for libdfs, as DAOS's libdaos does (not in the public headers). */
int daos_event_launch(daos_event_t *ev);
void daos_event_complete(daos_event_t *ev, int rc);
/* An operation with no network part: run @fn(@arg) now and complete @ev with its result. */
int cl_op_local(daos_event_t *ev, int rc);

int cl_eq_init_noeq(void);
void cl_eq_fini_noeq(void);

/* ---- pools (cl_pool.c) ---- */

struct cl_pool {
	struct cl_hlink hl;
	uuid_t uuid;
	uuid_t hdl;     /* this connection's handle uuid */
	uint64_t flags; /* DAOS_PC_* */
	char label[DAOS_PROP_LABEL_MAX_LEN + 1];
	uint32_t nr_svc;
	d_rank_t *svc;   /* pool service ranks */
	uint32_t leader; /* index in svc of the rank that answered last; map_lock */
	bool slave;      /* from global2local: disconnect is local */
	pthread_rwlock_t map_lock;
	struct pool_map *map; /* map_lock */
	struct pl_map pl;     /* placement's view of map; map_lock */
	struct pl_rank *pl_ranks;
	struct pl_target *pl_tgts;
};

struct cl_pool *cl_pool_lookup(daos_handle_t poh);
static inline void
cl_pool_put(struct cl_pool *pool)
{
	cl_hlink_put(&pool->hl);
}
/* Build pool->pl from pool->map (map_lock held for writing). */
int cl_pool_pl_build(struct cl_pool *pool);

/*
 * A call to the pool service: body kept to be resent to the next service rank on
 * -DER_UNREACH, -DER_TIMEDOUT or -DER_NOTLEADER. decode() sees the final answer.
 */
struct cl_psvc {
	struct cl_op op;
	struct cl_pool *pool; /* reference; NULL for connect, which sets svc itself */
	const d_rank_t *svc;
	uint32_t nr_svc;
	uint32_t first; /* index of the first rank tried */
	uint32_t tries;
	bool retry;
	uint32_t opc;
	uint8_t *body;
	size_t len;
	int (*decode)(struct cl_psvc *ps, int status, const void *body, size_t len);
	void (*free)(struct cl_psvc *ps); /* the call's own parts; may be NULL */
};

/* Run @ps (allocated by the caller, body set) for @ev; @ps is freed in every case. */
int cl_psvc_run(struct cl_psvc *ps, daos_event_t *ev);
/* A zeroed psvc call of @size bytes (embedding struct cl_psvc first) on @pool, whose
 * reference it takes over, with a NET_BODY_MAX body buffer. */
void *cl_psvc_alloc(size_t size, struct cl_pool *pool, uint32_t opc);
/* Free a psvc call that was never run. */
void cl_psvc_free(struct cl_psvc *ps);

/* Copy the service's @got into the caller's @prop (see daos_pool_query()). */
int cl_prop_fill(daos_prop_t *prop, daos_prop_t *got);
/* The types to ask for: @prop's, or all of (@min, @max) if it lists none; NULL if none. */
daos_prop_t *cl_prop_wanted(const daos_prop_t *prop, uint32_t min, uint32_t max);

/* An attribute call (RPC_ATTR_*) with pool header or container header @hdr. */
int cl_attr_run(struct cl_pool *pool, const void *hdr, bool cont, uint32_t op, int n,
		char const *const names[], void const *const values[], void *const buffers[],
		size_t sizes[], char *list, size_t *list_size, daos_event_t *ev);

/* ---- containers (cl_cont.c) ---- */

struct cl_cont {
	struct cl_hlink hl;
	struct cl_pool *pool; /* reference */
	uuid_t uuid;
	uuid_t hdl;
	uint64_t flags; /* DAOS_COO_* */
	uint32_t rf;    /* DAOS_PROP_CO_REDUN_FAC */
	bool slave;     /* from global2local */
};

struct cl_cont *cl_cont_lookup(daos_handle_t coh);
static inline void
cl_cont_put(struct cl_cont *cont)
{
	cl_hlink_put(&cont->hl);
}

/* 1 if @acl (a struct daos_acl) is well-formed (cl_acl.c). */
int cl_acl_is_valid(const void *acl);

/* ---- transactions (cl_tx.c) ---- */

struct cl_tx;
struct cl_obj;

/*
 * The epoch to read or (@write) write at through @th (0: now), and whether it is
 * read-only. -DER_NO_HDL for a bad @th; DAOS_TX_NONE gives epoch 0. A write through a
 * transaction that keeps its writes until commit gives a reference on it in *@rec
 * (NULL otherwise; @rec may be NULL for reads).
 */
int cl_tx_epoch(daos_handle_t th, bool write, uint64_t *epoch, bool *rdonly, struct cl_tx **rec);
void cl_tx_put(struct cl_tx *tx);
/* Whether @tx was opened with DAOS_TF_ZERO_COPY (the caller's buffers last till commit). */
bool cl_tx_zero_copy(const struct cl_tx *tx);

/*
 * An update or punch kept by a transaction until commit: the call's arguments, copied
 * (data too, unless DAOS_TF_ZERO_COPY). Made and run by cl_obj.c, kept by cl_tx.c.
 */
struct cl_tx_rec {
	d_list_t link;      /* in its transaction's list, in call order */
	struct cl_obj *obj; /* reference */
	uint8_t punch;      /* 0: an update; else RPC_PUNCH_* */
	uint64_t flags;
	bool has_dkey;
	daos_key_t dkey;
	unsigned int nr; /* iods (update) or keys (punch) */
	daos_iod_t *iods;
	d_sg_list_t *sgls;
	uint64_t *bytes; /* per iod */
	daos_key_t *keys;
	bool own_data; /* the sgls' buffers are ours */
};

/* Keep @r in @tx (which takes it), or -DER_NO_PERM once @tx has committed. */
int cl_tx_add(struct cl_tx *tx, struct cl_tx_rec *r);
/* The operation that applies @r (not yet run), in *@out; @r must outlive it. */
int cl_tx_rec_op(struct cl_tx_rec *r, struct cl_op **out);
void cl_tx_rec_free(struct cl_tx_rec *r);

/* ---- objects (cl_obj.c) ---- */

/* Which shard of @layout holds @dkey of an object of type @type. */
uint32_t cl_obj_dkey_shard(const struct pl_layout *layout, enum daos_otype_t type,
			   const daos_key_t *dkey);

/*
 * The object calls as operations not yet run, for the calls made of several object calls
 * (cl_kv.c, cl_array.c). Each checks its arguments as the daos_obj_* call of the same
 * name does and returns 0 with *@out ready for cl_op_sub() (or cl_op_run(*out,
 * (*out)->ops, ev)), or an error with nothing to free. What the pointers name must stay
 * valid until the operation ends.
 */
int cl_obj_update_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		     unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, struct cl_op **out);
int cl_obj_fetch_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
		    unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, daos_iom_t *ioms,
		    struct cl_op **out);
/* daos_obj_query_max_epoch: the newest epoch any shard of the object applied (0: none). */
int cl_obj_query_max_epoch_op(daos_handle_t oh, daos_handle_t th, daos_epoch_t *epoch,
			      struct cl_op **out);
/* daos_obj_punch (@dkeys NULL, @nr 0) or daos_obj_punch_dkeys. */
int cl_obj_punch_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, unsigned int nr,
		    daos_key_t *dkeys, struct cl_op **out);
int cl_obj_list_dkey_op(daos_handle_t oh, daos_handle_t th, uint32_t *nr, daos_key_desc_t *kds,
			d_sg_list_t *sgl, daos_anchor_t *anchor, struct cl_op **out);
int cl_obj_query_key_op(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
			daos_key_t *akey, daos_recx_t *recx, struct cl_op **out);
/* The bytes an iod moves: size for a single value, size x records for an array. */
int cl_iod_bytes(const daos_iod_t *iod, uint64_t *out);

/* The opaque anchor of a shard kept in a daos_anchor_t. */
static inline bool
cl_shard_anchor_is_eof(const uint8_t *a)
{
	uint32_t flags;

	/* struct vos_anchor: type u16, shard u16, flags u32 (VOS_ANCHOR_EOF = 1) */
	memcpy(&flags, a + 4, sizeof(flags));
	return (flags & 1u) != 0;
}

#endif /* CLIENT_CLIENT_INT_H */
