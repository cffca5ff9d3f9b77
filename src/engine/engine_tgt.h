/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine/engine_tgt.h - private to the target data path (engine_obj.c, engine_hdl.c):
 * the state of one target and the requests it serves. Design: docs/design/engine-io.md.
 *
 * Everything here belongs to one target xstream and is touched only by its thread: no
 * locks. A request keeps no pointer into these tables while it waits (for the pool
 * service, a bulk transfer or VOS): it looks its handle and container up again when it
 * resumes, so a revoke, a container destroy or a shard closing meanwhile is seen.
 */
#ifndef ENGINE_ENGINE_TGT_H
#define ENGINE_ENGINE_TGT_H

#include <gurt/list.h>
#include <stdbool.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "engine/engine.h"
#include "rpc/rpc.h"
#include "vos/vos.h"

#define TGT_HASH_BUCKETS 64

struct tgt_aggr;

/* The state of one target; freed at stop once no request or lookup still needs it. */
struct eng_tgt {
	struct engine *eng;
	struct eng_xs *xs;
	unsigned int idx;                 /* target index (fabric tag - 1) */
	d_list_t hdls[TGT_HASH_BUCKETS];  /* struct tgt_hdl, by coh */
	d_list_t conts[TGT_HASH_BUCKETS]; /* struct tgt_cont, by container uuid */
	unsigned int nr_active;           /* requests and lookups not yet ended */
	uint64_t nr_lookups;              /* handle lookups sent (ids them too) */
	bool stopped;                     /* the xstream is stopping: free when idle */
	struct tgt_aggr *aggr;            /* background aggregation (engine_aggr.c) */
	d_list_t zc_reqs;                 /* updates pulling into VOS room (engine_obj.c) */
	struct eng_timer *zc_timer;       /* watches them while the list is not empty */
	bool closing;                     /* pool @closing_pool is closing: refuse its I/O */
	uuid_t closing_pool;
};

/* An open VOS container of a target. */
struct tgt_cont {
	d_list_t link; /* tgt->conts[bucket of cont] */
	uuid_t pool;
	uuid_t cont;
	struct vos_cont *vc;
	uint32_t svc_rank;   /* the pool service, as the last request named it */
	bool dirty;          /* written since aggregation last finished with it */
	uint64_t last_write; /* HLC of the last write request */
};

struct tgt_req;

/* Continue @req once its handle has been checked: @rc 0 or the error to answer with. */
typedef void (*tgt_resume_fn)(struct tgt_req *req, int rc);

/*
 * A request being served by a target. Embedded first in each opcode's own struct; the
 * body it was decoded from lives as long as @rpc.
 */
struct tgt_req {
	d_list_t link; /* on its handle's parked list while the lookup runs */
	struct eng_tgt *tgt;
	struct net_rpc *rpc;
	const struct rpc_obj_hdr *hdr; /* in the opcode's decoded input */
	bool write;                    /* needs RPC_CAP_WRITE (else RPC_CAP_READ) */
	tgt_resume_fn resume;
	void (*free)(struct tgt_req *req); /* frees the opcode's struct */
};

/* --- engine_hdl.c --- */

/* The target state of the calling thread (NULL outside started targets). */
struct eng_tgt *tgt_self(void);

/*
 * Take @req (hdr, write, resume and free set) into @tgt's accounting and check its
 * handle: req->resume runs now if the handle is cached (or the request is refused), or
 * later, once the pool service has answered. Either way it runs exactly once.
 */
void tgt_req_start(struct eng_tgt *tgt, struct tgt_req *req);

/* One request or lookup of @tgt ended: free @tgt if it stopped and that was the last. */
void tgt_put(struct eng_tgt *tgt);

/* Answer @req (@status, @body of @len bytes) and free it. */
void tgt_req_end(struct tgt_req *req, int status, const void *body, size_t len);

/*
 * Whether @hdr's handle is (still) cached on @tgt with the rights @write needs: 0,
 * -DER_NO_HDL or -DER_NO_PERM. Requests that waited call it again before changing state.
 */
int tgt_hdl_recheck(struct eng_tgt *tgt, const struct rpc_obj_hdr *hdr, bool write);

/*
 * The open VOS container @req addresses on its target. With @create, a container this
 * target does not have yet is created (its creation is durable no later than any update
 * logged after it). Returns 0, -DER_NO_HDL (no shard of the pool here), -DER_NONEXIST
 * (no such container and !@create), or VOS's error. *@out stays valid only until the
 * caller next waits. A write request marks the container for aggregation.
 */
int tgt_cont_get(struct tgt_req *req, bool create, struct vos_cont **out);
/* The open container (@pool, @cont) of @tgt, or NULL. */
struct tgt_cont *tgt_cont_find(struct eng_tgt *tgt, const uuid_t pool, const uuid_t cont);

/* --- engine_aggr.c --- */

/* Note that @req used @c: where its pool service is, and whether it wrote. */
void tgt_cont_used(struct tgt_cont *c, const struct tgt_req *req);
/* Start and stop the background aggregation of @tgt's containers. */
int tgt_aggr_start(struct eng_tgt *tgt);
void tgt_aggr_stop(struct eng_tgt *tgt);

/* Whether this target holds a shard of @pool. */
bool tgt_has_shard(struct eng_tgt *tgt, const uuid_t pool);

/* --- engine_obj.c --- */

/* Serve RPC_OBJ_* on @tgt's fabric context. */
int tgt_obj_register(struct eng_tgt *tgt);
/* Free the calling target's cached bulk buffers; later ones are freed, not kept. */
void tgt_obj_bufs_flush(void);
/*
 * Before pool @pool (or only its container @cont, if not NULL) goes: wait, running the
 * target's network, until no update transfers into its room any more, for at most
 * @max_ms. Then, with @orphan, release the room of those left (their transfers are
 * answered with an error when they end; logged). True if none was left.
 */
/* Stop the timer that watches for slow update transfers (target stop). */
void tgt_zc_watch_stop(struct eng_tgt *tgt);
#define ZC_DRAIN_MS 10000 /* live transfers end in ms, those to a dead client in ~2 s */
bool tgt_zc_drain(struct eng_tgt *tgt, const uuid_t pool, const uuid_t cont, uint64_t max_ms,
		  bool orphan);

#endif /* ENGINE_ENGINE_TGT_H */
