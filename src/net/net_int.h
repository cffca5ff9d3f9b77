/* SPDX-License-Identifier: Apache-2.0 */
/* net_int.h - private to src/net: the context, peers, requests, RPCs and buffers. */
#ifndef NET_INT_H
#define NET_INT_H

#include <gurt/common.h>
#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#include "common/buf.h"
#include "net/net.h"

#define NET_MAGIC 0x50524e44u /* "DNRP" read little-endian */
#define NET_OPC_PROBE 1
#define NET_OPC_LOCAL_HELLO 2   /* {u32 pid, u64 addr} -> {16-byte challenge} */
#define NET_OPC_LOCAL_CONFIRM 3 /* {} -> {u64 token} */
#define NET_LOCAL_PROOF 16      /* the challenge; the proof adds the server's address */
#define NET_LOCAL_TIMEOUT_MS 10000
#define NET_LOCAL_RETRY_MS 1000 /* a peer whose proof failed waits this long */
#define NET_NR_RECV_DEFAULT 32
#define NET_PROBE_MS_DEFAULT 250
#define NET_UNREACH_MS_DEFAULT 2000
#define NET_PEER_BUCKETS 256
/*
 * Bulk transfers are cut into pieces, all posted at once. Reads are requests the
 * remote side answers, so several smaller ones in flight beat one large one (rpc_bench
 * on tcp: 1 MiB pulls at 57% of fi_pingpong in one piece, ~140% in 256 KiB ones);
 * writes stream, and larger pieces cost less.
 */
#define NET_BULK_PIECE_GET (1u << 18)
#define NET_BULK_PIECE_PUT (1u << 20)
#define NET_URI_MAX 128

/* What a completion's op_context points at: the first member of its owner. */
enum net_op_type {
	NET_OP_RECV,     /* struct net_rbuf */
	NET_OP_SEND_REQ, /* struct net_req */
	NET_OP_SEND_BUF, /* struct net_sbuf: replies, oneways, probes */
	NET_OP_RMA,      /* struct net_piece */
};

struct net_op {
	struct fi_context2 fi_ctx; /* first: providers in FI_CONTEXT mode use it */
	enum net_op_type type;
	d_list_t qlink; /* in its peer's sendq while waiting to be posted */
};

struct net_peer {
	struct net_peer *hnext;     /* hash chain in ctx->peers[] */
	fi_addr_t fi_addr;          /* in ctx->av */
	uint8_t addr[NET_ADDR_MAX]; /* raw endpoint address (a sockaddr) */
	uint32_t addr_len;
	char uri[NET_URI_MAX];
	d_list_t reqs;           /* requests waiting for its replies, oldest first */
	d_list_t sendq;          /* ops libfabric refused with -FI_EAGAIN, in order */
	d_list_t busy_link;      /* in ctx->busy_peers while sendq is not empty */
	uint64_t stuck_since_ms; /* when the head of sendq was first refused */
	uint64_t last_probe_ms;  /* when we last probed it */
	bool probing;            /* a probe is on its way */
	struct net_sbuf *coal;   /* replies waiting for the end of this turn, or NULL */
	uint32_t coal_last;      /* offset of the last of them in coal->data */
	d_list_t coal_link;      /* in ctx->coal_peers while coal is not NULL */
	struct net_ctx *ctx;

	/* Local bulk, as the requester (net_local.c). */
	enum {
		NET_LOCAL_UNKNOWN, /* not tried yet */
		NET_LOCAL_PENDING, /* handshake under way */
		NET_LOCAL_ON,      /* requests carry local_token */
		NET_LOCAL_OFF,     /* the server refused or cannot */
	} local_state;
	uint64_t local_token;
	int32_t local_owner; /* getpid() at the handshake: a forked child shakes hands again */
	/* Where the proof is written: the server's challenge, then its address. */
	uint8_t local_proof[NET_LOCAL_PROOF + NET_ADDR_MAX];

	/* Local bulk, as the server: the challenge given and the pid it was given to ... */
	uint8_t srv_challenge[NET_LOCAL_PROOF];
	uint64_t srv_challenge_addr;
	int32_t srv_challenge_pid; /* 0: no challenge outstanding */
	uint64_t srv_refused_ms;   /* when a proof last failed: no new challenge before long */
	/* ... and, once proven, the token and the pid it stands for (0: none). */
	uint64_t srv_token;
	int32_t srv_pid;
};

struct net_req {
	struct net_op op;   /* NET_OP_SEND_REQ: completion of the send */
	d_list_t peer_link; /* in peer->reqs while waiting */
	uint64_t id;
	struct net_ctx *ctx;
	struct net_peer *peer;
	uint64_t sent_ms;
	uint64_t deadline_ms;
	net_reply_fn cb;
	void *arg;
	int refs; /* 1 for the send in flight, 1 until the request ends */
	bool ended;
	uint32_t len;   /* message bytes in data[] */
	uint8_t data[]; /* the message as sent */
};

/* A message we send whose completion only frees it. */
struct net_sbuf {
	struct net_op op;      /* NET_OP_SEND_BUF */
	struct net_peer *peer; /* for probes: whom it tests */
	bool probe;
	bool coal; /* NET_MSG_MAX bytes of data: recycled through ctx->coal_free */
	uint32_t len;
	uint8_t data[];
};

struct net_rpc {
	struct net_ctx *ctx;
	struct net_peer *peer; /* the sender */
	struct net_msg msg;    /* decoded header; body points into the rbuf */
	uint64_t recv_ms;
	int nr_xfers;      /* bulk transfers still running */
	int32_t local_pid; /* the requester's pid when it proved to be local, else 0 */
	bool ended;        /* replied or dropped; freed when nr_xfers is 0 */
};

/* A receive buffer; while it holds a request being served, it is that request's RPC. */
struct net_rbuf {
	struct net_op op;  /* NET_OP_RECV */
	d_list_t link;     /* in ctx->rbuf_free while unused */
	d_list_t all_link; /* in ctx->rbuf_all, for freeing at close */
	struct net_rpc rpc;
	uint8_t data[NET_MSG_MAX];
};

struct net_xfer;

struct net_piece {
	struct net_op op; /* NET_OP_RMA */
	struct net_xfer *xfer;
	void *local; /* this piece of the local buffer */
	size_t len;
	uint64_t raddr; /* remote address (or offset) */
};

struct net_xfer {
	struct net_rpc *rpc;
	enum net_bulk_op kind; /* GET: fi_read, PUT: fi_write */
	uint64_t key;          /* the remote key */
	net_bulk_fn cb;
	void *arg;
	int status;              /* first error of a piece */
	uint32_t nr_pending;     /* pieces posted and not completed */
	struct fid_mr *local_mr; /* when the domain needs local registration */
	d_list_t done_link;      /* in ctx->local_done: copied locally, callback due */
	uint32_t nr_pieces;
	struct net_piece pieces[];
};

struct net_bulk {
	struct net_ctx *ctx;
	struct fid_mr *mr;
	struct net_bulk_desc desc;
};

struct net_handler {
	uint32_t opcode;
	const char *name;
	net_handler_fn fn;
	void *arg;
};

struct net_ctx {
	struct fi_info *info;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_av *av;
	struct fid_cq *cq;
	struct fid_ep *ep;
	int wait_fd;                     /* the CQ's wait fd, or -1: poll instead */
	int watch_fd[NET_WATCH_FDS_MAX]; /* more fds that end a wait (net_ctx_watch_fd) */
	unsigned int nr_watch;
	char provider[32]; /* DAOS form */
	char uri[NET_URI_MAX];
	uint8_t addr[NET_ADDR_MAX]; /* our own endpoint address, sent in requests */
	uint32_t addr_len;
	bool mr_virt_addr; /* remote addresses are virtual addresses */
	bool mr_prov_key;  /* the provider chooses keys */
	bool mr_local;     /* local buffers of RMA need registration */
	uint64_t next_key; /* for requested keys when !mr_prov_key */
	size_t inject_size;
	uint32_t probe_ms;
	uint32_t unreach_ms; /* a peer refusing sends this long is unreachable */
	d_list_t busy_peers; /* peers with a non-empty sendq */
	d_list_t coal_peers; /* peers with replies waiting for net_coal_flush() */
	d_list_t coal_free;  /* spare coalescing buffers (struct net_sbuf, by op.qlink) */
	unsigned int nr_coal_free;
	unsigned int nr_tx; /* sends and RMA posted, completion not yet read */

	struct net_handler *handlers; /* sorted by opcode */
	uint32_t nr_handlers;

	struct net_peer *peers[NET_PEER_BUCKETS];

	/* Outstanding requests by id: id = generation << 32 | slot. */
	struct net_req **slots;
	uint32_t *slot_gen;
	uint32_t nr_slots;
	uint32_t *slot_free; /* stack of free slot numbers */
	uint32_t nr_slot_free;
	uint32_t nr_inflight;

	d_list_t rbuf_free;   /* receive buffers not posted */
	d_list_t rbuf_all;    /* every receive buffer */
	unsigned int nr_recv; /* how many to keep posted */
	unsigned int nr_posted;
	uint64_t next_check_ms; /* next timeout/probe scan */
	uint64_t last_work_us;  /* when progress last found something to do */
	uint64_t nr_spins;      /* yields while spinning (tests check who spins) */
	int extra_fd;           /* during net_progress_sleep(): its fd, else -1 */
	bool no_spin;           /* during net_progress_sleep() */
	bool local_bulk;        /* serve and use local bulk (net_local.c) */
	d_list_t local_done;    /* transfers done by local copy, callbacks due */
	uint64_t local_bytes;   /* bytes moved by local copy */
	bool closing;
};

uint64_t net_now_ms(void);
int net_fi2der(int fi_err);

/* net_ctx.c */
int net_rbuf_post(struct net_ctx *ctx, struct net_rbuf *rbuf);
void net_rbuf_release(struct net_ctx *ctx, struct net_rbuf *rbuf);

/* net_sendq.c */
int net_op_submit(struct net_ctx *ctx, struct net_peer *peer, struct net_op *op);
void net_sendq_flush(struct net_ctx *ctx, uint64_t now);
void net_sendq_fail(struct net_ctx *ctx, struct net_peer *peer, int status);

/* net_rpc.c */
int net_peer_from_addr(struct net_ctx *ctx, const void *addr, uint32_t len, struct net_peer **out);
/* Whether URIs of @provider reach @ctx's endpoints ("ofi+tcp;ofi_rxm" is "ofi+tcp"). */
bool net_provider_matches(const struct net_ctx *ctx, const char *provider);
void net_peers_destroy(struct net_ctx *ctx);
void net_msg_dispatch(struct net_ctx *ctx, struct net_rbuf *rbuf, size_t len);
/* Send the replies coalesced for each peer during this turn (start of every progress). */
void net_coal_flush(struct net_ctx *ctx);
/* Free the spare coalescing buffers (context teardown). */
void net_coal_fini(struct net_ctx *ctx);
void net_send_done(struct net_ctx *ctx, struct net_op *op, int err);
void net_peer_unreachable(struct net_ctx *ctx, struct net_peer *peer);
void net_timers(struct net_ctx *ctx, uint64_t now);
void net_reqs_cancel(struct net_ctx *ctx);
void net_rpc_put(struct net_rpc *rpc);

/* net_bulk.c */
void net_piece_done(struct net_ctx *ctx, struct net_piece *piece, int err);
/* Run the callbacks of transfers done by local copy; returns how many ran. */
int net_local_done_run(struct net_ctx *ctx);

/* net_local.c */
/* Whether local bulk stays on for a context asking for it (D_NET_LOCAL_BULK). */
bool net_local_allowed(void);
/* Requester: start the handshake with @peer if it was never tried. */
void net_local_start(struct net_ctx *ctx, struct net_peer *peer);
/* Requester: the token for requests to @peer, if it has one (false: send none). */
bool net_local_token(struct net_peer *peer, uint64_t *token);
/* Requester: @peer failed; try again after it comes back. */
void net_local_reset(struct net_peer *peer);
/* Server: answer a NET_OPC_LOCAL_* request; false if @rpc is not one of them. */
bool net_local_serve(struct net_ctx *ctx, struct net_rpc *rpc);
/*
 * Server: whether local bulk may serve process @pid (@who names it in logs): not this
 * process nor one of its threads, and a process whose four uids are all our euid.
 */
bool net_local_pid_acceptable(pid_t pid, const char *who);
/*
 * Server: copy @len bytes between @local and the requester's @raddr for @rpc by
 * process_vm_readv/writev. Returns 0, or a negative errno: the caller falls back to RMA.
 */
int net_local_copy(struct net_rpc *rpc, enum net_bulk_op op, uint64_t raddr, void *local,
		   size_t len);

/* net_wire.c */
int net_addr_to_uri(const char *provider, const void *addr, uint32_t len, char *out,
		    size_t out_len);
int net_uri_to_addr(const struct net_uri *uri, void *addr, uint32_t *len);

#endif /* NET_INT_H */
