/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net/net.h - the data-plane RPC layer on libfabric RDM endpoints.
 *
 * A context (struct net_ctx) is one endpoint with its own completion queue, address
 * vector and memory domain; it is used by one thread at a time and makes progress only
 * inside net_progress() (or the blocking net_call()). An engine target owns one
 * context, listening at fabric_iface_port + its tag; a client has one per event queue.
 *
 * Requests carry an opcode, a request id, a timeout and an inline body of at most
 * NET_BODY_MAX bytes; the reply carries the id, a status (0 or -DER_*) and a body.
 * Larger data moves by RMA: the client registers its buffer (net_bulk_register()),
 * puts the descriptor (struct net_bulk_desc) into the request body, and the server
 * pulls (NET_BULK_GET) or pushes (NET_BULK_PUT) with net_bulk_transfer().
 *
 * Failure: every request ends exactly once, through its callback, with the server's
 * reply or with -DER_TIMEDOUT (no reply within its timeout), -DER_UNREACH (the peer's
 * endpoint is gone: found promptly by probing peers that owe replies), -DER_CANCELED
 * (context destroyed) or -DER_PROTO (the reply was malformed). A server rejects a
 * malformed request with -DER_PROTO when it can tell who sent it and drops it when it
 * cannot; it never trusts a length or count it has not checked.
 *
 * Wire format (little-endian), one message per libfabric send, except that replies to
 * one peer made during one turn of progress travel together (NET_F_MORE):
 *   off  size  field
 *     0     4  magic "DNRP"
 *     4     2  version (NET_PROTO_VERSION); a mismatch is answered with -DER_PROTO
 *     6     2  flags: NET_F_REQUEST, NET_F_REPLY, NET_F_ONEWAY; a reply may add
 *              NET_F_MORE: another reply starts right after its body
 *     8     4  opcode
 *    12     4  body length
 *    16     8  request id
 *    24     4  request: timeout in ms; reply: status (0 or -DER_*)
 *    28     1  request: length of the sender's address (<= NET_ADDR_MAX); reply: 0
 *    29     3  reserved, zero
 *    32     -  request: the sender's endpoint address, then (NET_F_LOCAL) an 8-byte
 *              local-bulk token, then the body; reply: the body
 *
 * Provider names are DAOS's: "ofi+tcp" and "ofi+tcp;ofi_rxm" (RDM over TCP through
 * the rxm utility provider), "ofi+sockets", "ofi+verbs;ofi_rxm" and "ofi+udp;ofi_rxd"
 * (providers whose addresses are IP socket addresses). URIs look like "ofi+tcp://127.0.0.1:31416"
 * ("[::1]:31416" for IPv6).
 *
 * Local bulk: when both contexts set local_bulk, a requester proves to each server it
 * talks to that it runs on the server's host: it sends its pid and the address of some
 * of its memory (NET_OPC_LOCAL_HELLO), writes there the random challenge the server
 * returns followed by the server's address as it reaches it, and the server reads them
 * back with process_vm_readv() (NET_OPC_LOCAL_CONFIRM). The server refuses pids of its
 * own process and of any process not wholly of its own user (all four uids), allows one
 * try per challenge and no new challenge for a second after a failure. The server
 * then hands the requester a random token bound to that pid; requests carrying it
 * (NET_F_LOCAL) have their bulk transfers done by process_vm_readv/writev straight
 * between the two address spaces: one copy, no TCP. Anything else, or a failed copy,
 * falls back to RMA. Replies go to the requester's address, so whoever claims another's
 * address never sees the challenge or the token. A forked child shakes hands anew.
 * Known weakness (docs/design/net.md): a process of the server's user that can be made
 * to hold chosen bytes at a known address passes for the requester.
 *
 * Threads: nothing here takes a lock except the group map (net_group_*), which any
 * thread may read. Callbacks run inside net_progress() on the context's thread.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <gurt/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_PROTO_VERSION 2 /* 2: descriptors carry virtual addresses; local bulk */
#define NET_HDR_SIZE 32
#define NET_ADDR_MAX 64
/* Largest message: header, sender address and body (DAOS's RPC size, 20 KiB). */
#define NET_MSG_MAX 20480
/* Largest inline body of a request or reply. */
#define NET_BODY_MAX (NET_MSG_MAX - NET_HDR_SIZE - NET_ADDR_MAX)
/* Opcodes below this are the layer's own (probes, local bulk); users register from here up. */
#define NET_OPC_USER_MIN 16
/* Default request timeout (DAOS's CRT_TIMEOUT default is 60 s). */
#define NET_TIMEOUT_DEFAULT_MS 60000

/*
 * A buffer of NET_BODY_MAX bytes to encode a body in, from a small per-thread cache: a
 * 20 KiB malloc and free per RPC made glibc grow and trim its heap (brk) every time.
 * NULL when memory is short. Give it back with net_body_put() (NULL is ignored); it is
 * not a d_malloc() buffer.
 */
/*
 * Put back the default action of the crash signals whose handlers libfabric's PSM
 * libraries installed when loaded (they can hang a crashing process; see net_ctx.c).
 * net_ctx_create() does it; daemons that link libfabric without a context call it at
 * start. Handlers of the program itself are left alone.
 */
void net_fabric_signals_restore(void);

void *net_body_get(void);
void net_body_put(void *body);

struct net_ctx;
struct net_peer;
struct net_req;
struct net_rpc;
struct net_bulk;
struct net_group;

/* --- names and addresses --- */

/* A parsed URI: the libfabric provider, host and port. */
struct net_uri {
	char provider[32]; /* DAOS form, e.g. "ofi+tcp" */
	char host[64];     /* address literal, IPv6 without brackets */
	int port;          /* 1..65535 */
};

/*
 * Map a DAOS provider string onto libfabric's provider name: "ofi+tcp" and
 * "ofi+tcp;ofi_rxm" give "tcp;ofi_rxm". Writes at most @len bytes into @out.
 * Returns 0, or -DER_INVAL for a string that is not "ofi+<provider>[;<utility>]"
 * or names a provider we cannot drive as RDM.
 */
int net_provider_to_fi(const char *provider, char *out, size_t len);

/* Parse "ofi+tcp://127.0.0.1:31416". Returns 0 or -DER_INVAL; *@out set only on success. */
int net_uri_parse(const char *uri, struct net_uri *out);
/* Format @uri with @port_offset added to its port; -DER_OVERFLOW if @len is too small. */
int net_uri_format(const struct net_uri *uri, int port_offset, char *out, size_t len);

/* --- contexts --- */

struct net_ctx_attr {
	const char *provider; /* DAOS form; NULL means "ofi+tcp" */
	const char *host;     /* address to bind (an IP literal); NULL: 127.0.0.1 */
	int port;             /* port to listen on; 0: any free port (clients) */
	unsigned int nr_recv; /* receive buffers kept posted; 0: a default */
	uint32_t probe_ms;    /* how often to probe peers that owe replies; 0: 250 */
	uint32_t unreach_ms;  /* a peer refusing sends this long is gone; 0: 2000 */
	/*
	 * Move bulk data by memory copy between processes of one host (see "Local bulk"
	 * below); off when D_NET_LOCAL_BULK=0 is in the environment.
	 */
	bool local_bulk;
};

/*
 * Open a context: endpoint, completion queue, address vector and memory domain.
 * Returns 0, -DER_INVAL (bad attribute), -DER_NOMEM, or -DER_HG when libfabric
 * refuses (the message names the provider, address and libfabric's error), e.g. when
 * the port is taken.
 */
int net_ctx_create(const struct net_ctx_attr *attr, struct net_ctx **out);

/*
 * Close @ctx. Outstanding requests end with -DER_CANCELED (their callbacks run first);
 * RPCs being served are dropped without a reply. Bulk handles must be deregistered
 * before.
 */
void net_ctx_destroy(struct net_ctx *ctx);

/* The context's own URI, e.g. "ofi+tcp://127.0.0.1:40312". Lives as long as @ctx. */
const char *net_ctx_uri(const struct net_ctx *ctx);

/*
 * Make progress: process completions, run callbacks and handlers, expire requests and
 * probe silent peers. Waits up to @timeout_ms for something to happen (0: poll once,
 * negative: until at least one event). Returns the number of events processed, or a
 * negative DER code if the completion queue failed.
 */
int net_progress(struct net_ctx *ctx, int timeout_ms);
/*
 * net_progress() for a caller that expects a long wait and has other work coming on
 * @fd (-1: none): it sleeps at once instead of spinning first (on a machine with fewer
 * cores than busy threads a spinner takes the core the other side needs), and returns
 * as soon as @fd is readable (watched fds wake it too).
 */
int net_progress_sleep(struct net_ctx *ctx, int timeout_ms, int fd);

#define NET_WATCH_FDS_MAX 4

/*
 * Also wake up for @fd: while net_progress() waits, it returns (0 if nothing else
 * happened) as soon as @fd is readable, so one thread can serve the fabric and, say, an
 * io_uring eventfd or a message-queue eventfd. The caller drains @fd itself; it stays
 * open until the context is destroyed. Returns 0, or -DER_OVERFLOW past
 * NET_WATCH_FDS_MAX fds.
 */
int net_ctx_watch_fd(struct net_ctx *ctx, int fd);

/* Requests this context still waits for (sent, no reply or error yet). */
unsigned int net_ctx_nr_inflight(const struct net_ctx *ctx);

/* Bulk bytes this context moved by local copy (as a server), for tests and benchmarks. */
uint64_t net_ctx_local_bytes(const struct net_ctx *ctx);
/* Whether requests to @peer carry a local-bulk token (the handshake succeeded). */
bool net_peer_local(const struct net_peer *peer);

/* --- serving --- */

/*
 * A handler owns @rpc from the call on: it must end it with net_rpc_reply() (or
 * net_rpc_drop()) exactly once, now or later (after bulk transfers, say).
 */
typedef void (*net_handler_fn)(struct net_rpc *rpc, void *arg);

/*
 * Serve @opcode (>= NET_OPC_USER_MIN) on @ctx with @fn. @name is used in logs.
 * Returns 0, -DER_INVAL, -DER_EXIST if taken, or -DER_NOMEM.
 */
int net_handler_register(struct net_ctx *ctx, uint32_t opcode, const char *name, net_handler_fn fn,
			 void *arg);

/* The request body (valid until the RPC ends) and its length. */
const void *net_rpc_body(const struct net_rpc *rpc, size_t *len);
uint32_t net_rpc_opcode(const struct net_rpc *rpc);
struct net_ctx *net_rpc_ctx(const struct net_rpc *rpc);
/* The URI of the peer that sent @rpc (for logs). */
const char *net_rpc_peer_uri(const struct net_rpc *rpc);
/* Milliseconds left before the client gives up on this RPC (0 if already past). */
uint32_t net_rpc_time_left(const struct net_rpc *rpc);

/*
 * Send the reply (@status 0 or -DER_*, @len <= NET_BODY_MAX) and end @rpc. Returns 0,
 * or a negative code if the reply could not be queued (the RPC is ended anyway; the
 * client will time out). A oneway request is ended without sending anything.
 */
int net_rpc_reply(struct net_rpc *rpc, int status, const void *body, size_t len);
/* End @rpc without replying (the client times out). */
void net_rpc_drop(struct net_rpc *rpc);

/* --- requests --- */

/*
 * The peer at @uri as seen from @ctx, resolved once and cached; it lives as long as
 * @ctx. Returns 0, -DER_INVAL (bad URI or another provider), -DER_NOMEM or -DER_HG.
 */
int net_peer_get(struct net_ctx *ctx, const char *uri, struct net_peer **out);
const char *net_peer_uri(const struct net_peer *peer);

/*
 * Called once per request: @status is the server's status, or a local error (see the
 * top of this file); @body/@len is the reply body, valid only during the call.
 */
typedef void (*net_reply_fn)(void *arg, int status, const void *body, size_t len);

/*
 * Send @opcode with @body (@len <= NET_BODY_MAX, copied) to @peer. @timeout_ms 0 means
 * NET_TIMEOUT_DEFAULT_MS. @cb runs from net_progress() when the request ends, and not
 * before this function returns. Returns 0, or a negative code if nothing was sent
 * (-DER_OVERFLOW for a body too large, -DER_NOMEM, -DER_UNREACH): @cb is not called then.
 */
int net_req_send(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body,
		 size_t len, uint32_t timeout_ms, net_reply_fn cb, void *arg);

/*
 * Send @opcode with @body and no reply expected (no timeout, no callback). Returns 0 if
 * it was queued.
 */
int net_oneway_send(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body,
		    size_t len);

/*
 * Blocking request: send, progress @ctx until the reply, copy at most @reply_max bytes
 * of its body into @reply and its full length into *@reply_len (either may be NULL).
 * Returns the server's status or a local error as for net_reply_fn; -DER_TRUNC if the
 * reply did not fit (the first @reply_max bytes are copied).
 */
int net_call(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body,
	     size_t len, uint32_t timeout_ms, void *reply, size_t reply_max, size_t *reply_len);

/* --- bulk (RMA) --- */

enum net_bulk_access {
	NET_BULK_RO = 1, /* the server may read (pull) it */
	NET_BULK_WO = 2, /* the server may write (push) it */
	NET_BULK_RW = 3,
};

/* A registered buffer as it travels: 24 bytes on the wire (net_bulk_desc_encode()). */
struct net_bulk_desc {
	uint64_t addr; /* the owner's virtual address of byte 0 */
	uint64_t len;  /* bytes registered */
	uint64_t key;  /* the remote key */
};
#define NET_BULK_DESC_SIZE 24

/*
 * Register @len bytes at @buf on @ctx for remote access. The buffer must stay valid
 * until net_bulk_deregister(), which must come before the buffer is freed or reused.
 * Returns 0, -DER_INVAL, -DER_NOMEM or -DER_HG.
 */
int net_bulk_register(struct net_ctx *ctx, void *buf, size_t len, enum net_bulk_access access,
		      struct net_bulk **out);
void net_bulk_deregister(struct net_bulk *bulk);
void net_bulk_desc_get(const struct net_bulk *bulk, struct net_bulk_desc *out);

struct buf;
void net_bulk_desc_encode(struct buf *b, const struct net_bulk_desc *desc);
/* Decode a descriptor; failures are left in @b->err (-DER_PROTO). */
void net_bulk_desc_decode(struct buf *b, struct net_bulk_desc *desc);

enum net_bulk_op {
	NET_BULK_GET, /* remote -> local: pull the client's data */
	NET_BULK_PUT, /* local -> remote: push data to the client */
};

/* Called once when a transfer ends: 0, or the first error of its pieces. */
typedef void (*net_bulk_fn)(struct net_rpc *rpc, int status, void *arg);

/*
 * Move @len bytes between @local and the client's buffer @remote at @remote_off, for
 * @rpc (whose sender owns @remote). Large transfers are split and pipelined. @cb runs
 * from net_progress(), not before this returns; @rpc stays valid until then. Returns 0,
 * or -DER_INVAL (range outside @remote), -DER_NOMEM, -DER_HG: @cb is not called then.
 */
int net_bulk_transfer(struct net_rpc *rpc, enum net_bulk_op op, const struct net_bulk_desc *remote,
		      uint64_t remote_off, void *local, size_t len, net_bulk_fn cb, void *arg);

/*
 * The same move done at once by local copy, for a caller that wants the bytes in place
 * on return (to checksum them while they are in the cache): 0 when done;
 * -DER_NOTSUPPORTED when @rpc's sender is not proven local (use net_bulk_transfer());
 * -DER_INVAL for a range outside @remote; another error when the copy failed (then
 * net_bulk_transfer() still moves the bytes by RMA).
 */
int net_bulk_copy(struct net_rpc *rpc, enum net_bulk_op op, const struct net_bulk_desc *remote,
		  uint64_t remote_off, void *local, size_t len);

/* --- the group map: rank -> URI --- */

/*
 * A system's ranks and their base URIs (a rank's target t listens at port + t). Any
 * thread may read; updates replace the whole map under a lock and bump its version.
 */
int net_group_create(struct net_group **out);
void net_group_destroy(struct net_group *grp);

/*
 * Replace the map with @nr ranks and their base URIs, at @version, which must be newer
 * than the current one (else -DER_STALE; an equal version with the same content is
 * accepted). Returns 0, -DER_INVAL for a bad URI or duplicate rank, -DER_NOMEM.
 */
int net_group_update(struct net_group *grp, uint32_t version, const d_rank_t *ranks,
		     const char *const *uris, uint32_t nr);
uint32_t net_group_version(struct net_group *grp);
uint32_t net_group_size(struct net_group *grp);

/*
 * The URI of (@rank, @tag): the rank's base URI with @tag added to its port. Returns 0,
 * -DER_OOG if @rank is not in the map, -DER_OVERFLOW if @len is too small.
 */
int net_group_uri(struct net_group *grp, d_rank_t rank, uint32_t tag, char *out, size_t len);

/* The peer for (@rank, @tag) seen from @ctx. Errors as net_group_uri() and net_peer_get(). */
int net_group_peer(struct net_group *grp, struct net_ctx *ctx, d_rank_t rank, uint32_t tag,
		   struct net_peer **out);

/* --- messages, for tests and fuzzing --- */

enum net_msg_flags {
	NET_F_REQUEST = 1,
	NET_F_REPLY = 2,
	NET_F_ONEWAY = 4,
	NET_F_MORE = 8,   /* replies only: another message follows in the same send */
	NET_F_LOCAL = 16, /* requests only: a local-bulk token follows the address */
};

/* A decoded message header; pointers point into the message. */
struct net_msg {
	uint16_t version;
	uint16_t flags;
	uint32_t opcode;
	uint64_t id;
	int32_t status;      /* replies */
	uint32_t timeout_ms; /* requests */
	const void *addr;    /* requests: sender address */
	uint32_t addr_len;
	uint64_t token; /* NET_F_LOCAL requests: the sender's local-bulk token */
	const void *body;
	uint32_t body_len;
};

/*
 * Decode the message of @len bytes at @data. Returns 0 or -DER_PROTO (bad magic, flags,
 * version, lengths that disagree with @len, a reply carrying an address, ...). A reply
 * with NET_F_MORE may be followed by more bytes: the next message starts at
 * NET_HDR_SIZE + body_len. On
 * -DER_PROTO, *@out is filled (body NULL) when the header up to the sender's address
 * was well-formed, so the sender can be told; otherwise it is untouched.
 */
int net_msg_decode(const void *data, size_t len, struct net_msg *out);
/* Encode @msg into @out (room @len); returns the size, or -DER_OVERFLOW. */
int net_msg_encode(const struct net_msg *msg, void *out, size_t len);

/*
 * For tests: as net_req_send(), but @mangle may rewrite the encoded message (room for
 * NET_MSG_MAX bytes, *@len its size) before it is sent, to make it malformed.
 */
int net_req_send_mangled(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode,
			 const void *body, size_t len, uint32_t timeout_ms, net_reply_fn cb,
			 void *arg, void (*mangle)(uint8_t *msg, size_t *len));

#endif /* NET_NET_H */
