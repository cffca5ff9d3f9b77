/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_rpc.c - requests and replies on a context: peers, the table of outstanding
 * requests, dispatch of received messages to handlers, timeouts and peer probing.
 *
 * Requests: a request is found by its id, whose low 32 bits index ctx->slots and whose
 * high bits are the slot's generation, so a late reply to a reused slot is told apart.
 * A request holds two references: one for its send (dropped at the send completion)
 * and one until it ends (reply, error, timeout or cancel); its callback runs exactly
 * once, when it ends.
 *
 * Peers: every peer is keyed by its raw endpoint address. A request carries its
 * sender's address, so a server learns whom to answer without a handshake.
 *
 * Dead peers: libfabric's RDM endpoints report no disconnection, and a request whose
 * send completed may wait for a reply that never comes. So when a peer has owed a
 * reply for longer than probe_ms, net_timers() sends it a probe (a oneway message of
 * the layer's own); when the connection is gone, the probe's send fails and every
 * request waiting on that peer ends with -DER_UNREACH at once, well within its timeout.
 */
#define D_LOGFAC DD_FAC(net)

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "net/net_int.h"

/* --- peers --- */

static uint32_t
addr_hash(const void *addr, uint32_t len)
{
	const uint8_t *p = addr;
	uint32_t h = 2166136261u;
	uint32_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % NET_PEER_BUCKETS;
}

int
net_peer_from_addr(struct net_ctx *ctx, const void *addr, uint32_t len, struct net_peer **out)
{
	uint32_t bucket = addr_hash(addr, len);
	struct net_peer *peer;
	int rc;

	for (peer = ctx->peers[bucket]; peer != NULL; peer = peer->hnext) {
		if (peer->addr_len == len && memcmp(peer->addr, addr, len) == 0) {
			*out = peer;
			return 0;
		}
	}
	if (len > NET_ADDR_MAX)
		return -DER_INVAL;
	peer = d_calloc(1, sizeof(*peer));
	if (peer == NULL)
		return -DER_NOMEM;
	memcpy(peer->addr, addr, len);
	peer->addr_len = len;
	peer->ctx = ctx;
	D_INIT_LIST_HEAD(&peer->reqs);
	D_INIT_LIST_HEAD(&peer->sendq);
	D_INIT_LIST_HEAD(&peer->busy_link);
	D_INIT_LIST_HEAD(&peer->coal_link);
	rc = net_addr_to_uri(ctx->provider, addr, len, peer->uri, sizeof(peer->uri));
	if (rc != 0) {
		d_free(peer);
		return -DER_PROTO;
	}
	rc = fi_av_insert(ctx->av, addr, 1, &peer->fi_addr, 0, NULL);
	if (rc != 1) {
		D_ERROR("could not add peer %s to the address vector of %s: %s", peer->uri,
			ctx->uri, fi_strerror(rc < 0 ? -rc : FI_EINVAL));
		d_free(peer);
		return -DER_HG;
	}
	peer->hnext = ctx->peers[bucket];
	ctx->peers[bucket] = peer;
	*out = peer;
	return 0;
}

bool
net_provider_matches(const struct net_ctx *ctx, const char *provider)
{
	return strcmp(provider, ctx->provider) == 0 ||
	       (strcmp(provider, "ofi+tcp;ofi_rxm") == 0 && strcmp(ctx->provider, "ofi+tcp") == 0);
}

int
net_peer_get(struct net_ctx *ctx, const char *uri, struct net_peer **out)
{
	struct net_uri u;
	uint8_t addr[NET_ADDR_MAX];
	uint32_t len;
	int rc;

	rc = net_uri_parse(uri, &u);
	if (rc != 0) {
		D_ERROR("bad fabric URI \"%s\"", uri);
		return rc;
	}
	if (!net_provider_matches(ctx, u.provider)) {
		D_ERROR("URI %s uses another provider than context %s", uri, ctx->uri);
		return -DER_INVAL;
	}
	rc = net_uri_to_addr(&u, addr, &len);
	if (rc != 0) {
		D_ERROR("URI %s: host must be an IPv4 or IPv6 address", uri);
		return rc;
	}
	return net_peer_from_addr(ctx, addr, len, out);
}

const char *
net_peer_uri(const struct net_peer *peer)
{
	return peer->uri;
}

const char *
net_rpc_peer_uri(const struct net_rpc *rpc)
{
	return rpc->peer != NULL ? rpc->peer->uri : "?";
}

void
net_peers_destroy(struct net_ctx *ctx)
{
	struct net_peer *peer;
	int i;

	for (i = 0; i < NET_PEER_BUCKETS; i++) {
		while ((peer = ctx->peers[i]) != NULL) {
			ctx->peers[i] = peer->hnext;
			d_free(peer->coal);
			d_free(peer);
		}
	}
}

/* --- handlers --- */

static struct net_handler *
handler_find(struct net_ctx *ctx, uint32_t opcode)
{
	uint32_t lo = 0;
	uint32_t hi = ctx->nr_handlers;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ctx->handlers[mid].opcode == opcode)
			return &ctx->handlers[mid];
		if (ctx->handlers[mid].opcode < opcode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
net_handler_register(struct net_ctx *ctx, uint32_t opcode, const char *name, net_handler_fn fn,
		     void *arg)
{
	struct net_handler *h;
	uint32_t i;

	if (opcode < NET_OPC_USER_MIN || fn == NULL || name == NULL)
		return -DER_INVAL;
	if (handler_find(ctx, opcode) != NULL)
		return -DER_EXIST;
	h = d_reallocarray(ctx->handlers, ctx->nr_handlers + 1, sizeof(*h));
	if (h == NULL)
		return -DER_NOMEM;
	ctx->handlers = h;
	for (i = ctx->nr_handlers; i > 0 && h[i - 1].opcode > opcode; i--)
		h[i] = h[i - 1];
	h[i] = (struct net_handler){ .opcode = opcode, .name = name, .fn = fn, .arg = arg };
	ctx->nr_handlers++;
	return 0;
}

/* --- sending --- */

/*
 * Every field of a send buffer's header is set here, whichever way it was allocated: a
 * plain buffer whose uninitialised `coal` read as true went to the coalescing spares and
 * later took a NET_MSG_MAX-byte batch of replies (heap corruption in engines that probed
 * a slow peer, then replied).
 */
static void
sbuf_init(struct net_sbuf *sbuf, struct net_peer *peer, bool probe, bool coal)
{
	memset(sbuf, 0, sizeof(*sbuf));
	sbuf->op.type = NET_OP_SEND_BUF;
	D_INIT_LIST_HEAD(&sbuf->op.qlink);
	sbuf->peer = peer;
	sbuf->probe = probe;
	sbuf->coal = coal;
}

/*
 * Send a message that needs no completion handling besides freeing: replies, oneways,
 * probes. Small ones are injected (libfabric copies them) when nothing is queued for
 * the peer; others are copied into a buffer freed at completion. Returns 0 or a
 * negative code.
 */
static int
sbuf_send(struct net_ctx *ctx, struct net_peer *peer, const struct net_msg *msg, bool probe)
{
	size_t len = NET_HDR_SIZE + msg->addr_len + msg->body_len;
	struct net_sbuf *sbuf;
	uint8_t small[256];
	ssize_t ret;
	int rc;

	if (!probe && len <= ctx->inject_size && len <= sizeof(small) &&
	    d_list_empty(&peer->sendq)) {
		rc = net_msg_encode(msg, small, sizeof(small));
		if (rc < 0)
			return rc;
		ret = fi_inject(ctx->ep, small, (size_t)rc, peer->fi_addr);
		if (ret != -FI_EAGAIN)
			return ret == 0 ? 0 : net_fi2der((int)ret);
		/* Refused for now: queue a copy like any other message. */
	}
	sbuf = d_malloc(sizeof(*sbuf) + len);
	if (sbuf == NULL)
		return -DER_NOMEM;
	sbuf_init(sbuf, peer, probe, false);
	rc = net_msg_encode(msg, sbuf->data, len);
	if (rc < 0) {
		d_free(sbuf);
		return rc;
	}
	sbuf->len = (uint32_t)rc;
	rc = net_op_submit(ctx, peer, &sbuf->op);
	if (rc != 0)
		d_free(sbuf);
	return rc;
}

/* --- body buffers --- */

/*
 * One spare per thread, freed by a key destructor when the thread exits. Plain malloc:
 * a cached buffer is not a leak, so it stays out of the d_malloc live counts.
 */
static __thread void *body_spare;
static pthread_key_t body_key;
static pthread_once_t body_once = PTHREAD_ONCE_INIT;
static bool body_key_ok;

static void
body_key_make(void)
{
	body_key_ok = pthread_key_create(&body_key, free) == 0;
}

void *
net_body_get(void)
{
	void *body = body_spare;

	if (body == NULL)
		return malloc(NET_BODY_MAX);
	body_spare = NULL;
	pthread_setspecific(body_key, NULL);
	return body;
}

void
net_body_put(void *body)
{
	if (body == NULL)
		return;
	pthread_once(&body_once, body_key_make);
	if (body_spare != NULL || !body_key_ok || pthread_setspecific(body_key, body) != 0) {
		free(body);
		return;
	}
	body_spare = body;
}

/* --- coalesced replies --- */

/*
 * Replies to one peer made during one turn of progress (an engine target answers a
 * batch of requests from one poll of its disk queue) travel in one send: each but the
 * last carries NET_F_MORE. One system call and one receive instead of one per reply,
 * on both sides. net_coal_flush() sends them at the start of every net_progress(), so
 * a reply waits at most until its thread next looks at the network.
 */
#define NET_COAL_SPARES 8

/* Keep @sbuf for the next coalescing (a few spares), or free it. */
static void
coal_put(struct net_ctx *ctx, struct net_sbuf *sbuf)
{
	if (!sbuf->coal || ctx->closing || ctx->nr_coal_free >= NET_COAL_SPARES) {
		d_free(sbuf);
		return;
	}
	d_list_add(&sbuf->op.qlink, &ctx->coal_free);
	ctx->nr_coal_free++;
}

static struct net_sbuf *
coal_get(struct net_ctx *ctx, struct net_peer *peer)
{
	struct net_sbuf *sbuf;

	sbuf = d_list_pop_entry(&ctx->coal_free, struct net_sbuf, op.qlink);
	if (sbuf != NULL)
		ctx->nr_coal_free--;
	else
		sbuf = d_malloc(sizeof(*sbuf) + NET_MSG_MAX);
	if (sbuf == NULL)
		return NULL;
	sbuf_init(sbuf, peer, false, true);
	return sbuf;
}

void
net_coal_fini(struct net_ctx *ctx)
{
	struct net_sbuf *sbuf;

	while ((sbuf = d_list_pop_entry(&ctx->coal_free, struct net_sbuf, op.qlink)) != NULL)
		d_free(sbuf);
	ctx->nr_coal_free = 0;
}

/* Send what @peer has waiting (a lone small reply is injected). */
static void
coal_flush_peer(struct net_ctx *ctx, struct net_peer *peer)
{
	struct net_sbuf *sbuf = peer->coal;
	ssize_t ret;
	int rc;

	peer->coal = NULL;
	d_list_del_init(&peer->coal_link);
	if (sbuf->len <= ctx->inject_size && d_list_empty(&peer->sendq)) {
		ret = fi_inject(ctx->ep, sbuf->data, sbuf->len, peer->fi_addr);
		if (ret == 0) {
			coal_put(ctx, sbuf);
			return;
		}
		if (ret != -FI_EAGAIN) {
			D_ERROR("could not send replies to %s: %s", peer->uri,
				fi_strerror((int)-ret));
			coal_put(ctx, sbuf);
			return;
		}
	}
	rc = net_op_submit(ctx, peer, &sbuf->op);
	if (rc != 0) {
		D_ERROR("could not send replies to %s: " DF_RC, peer->uri, DP_RC(rc));
		coal_put(ctx, sbuf);
	}
}

void
net_coal_flush(struct net_ctx *ctx)
{
	struct net_peer *peer;

	while (!d_list_empty(&ctx->coal_peers)) {
		peer = d_list_first_entry(&ctx->coal_peers, struct net_peer, coal_link);
		coal_flush_peer(ctx, peer); /* unlinks it */
	}
}

/* Add reply @msg to @peer's coalesced replies; sends the older ones first if it is full. */
static int
coal_add(struct net_ctx *ctx, struct net_peer *peer, const struct net_msg *msg)
{
	size_t need = NET_HDR_SIZE + msg->body_len;
	struct net_sbuf *sbuf = peer->coal;
	int rc;

	if (sbuf != NULL && sbuf->len + need > NET_MSG_MAX) {
		coal_flush_peer(ctx, peer);
		sbuf = NULL;
	}
	if (sbuf == NULL) {
		sbuf = coal_get(ctx, peer);
		if (sbuf == NULL)
			return -DER_NOMEM;
	}
	rc = net_msg_encode(msg, sbuf->data + sbuf->len, NET_MSG_MAX - sbuf->len);
	if (rc < 0) {
		if (peer->coal == NULL)
			coal_put(ctx, sbuf);
		return rc;
	}
	if (peer->coal == NULL) {
		peer->coal = sbuf;
		d_list_add_tail(&peer->coal_link, &ctx->coal_peers);
	} else {
		/* the previous reply is no longer the last: flags (u16 LE) at offset 6 */
		sbuf->data[peer->coal_last + 6] |= NET_F_MORE;
	}
	peer->coal_last = sbuf->len;
	sbuf->len += (uint32_t)rc;
	return 0;
}

/* --- requests --- */

static int
slots_grow(struct net_ctx *ctx)
{
	uint32_t nr = ctx->nr_slots ? ctx->nr_slots * 2 : 64;
	struct net_req **slots;
	uint32_t *gen;
	uint32_t *free_stack;
	uint32_t i;

	slots = d_reallocarray(ctx->slots, nr, sizeof(*slots));
	if (slots == NULL)
		return -DER_NOMEM;
	ctx->slots = slots;
	gen = d_reallocarray(ctx->slot_gen, nr, sizeof(*gen));
	if (gen == NULL)
		return -DER_NOMEM;
	ctx->slot_gen = gen;
	free_stack = d_reallocarray(ctx->slot_free, nr, sizeof(*free_stack));
	if (free_stack == NULL)
		return -DER_NOMEM;
	ctx->slot_free = free_stack;
	/* Push the new slots so the lowest comes out first. */
	for (i = nr; i > ctx->nr_slots; i--) {
		slots[i - 1] = NULL;
		gen[i - 1] = 0;
		free_stack[ctx->nr_slot_free++] = i - 1;
	}
	ctx->nr_slots = nr;
	return 0;
}

static struct net_req *
req_lookup(struct net_ctx *ctx, uint64_t id)
{
	uint32_t slot = (uint32_t)id;
	struct net_req *req;

	if (slot >= ctx->nr_slots)
		return NULL;
	req = ctx->slots[slot];
	return req != NULL && req->id == id ? req : NULL;
}

static void
req_put(struct net_req *req)
{
	D_ASSERT(req->refs > 0);
	if (--req->refs == 0)
		d_free(req);
}

/* End @req once: unhook it, run its callback, drop the "until ended" reference. */
static void
req_end(struct net_req *req, int status, const void *body, size_t len)
{
	struct net_ctx *ctx = req->ctx;
	uint32_t slot = (uint32_t)req->id;

	if (req->ended)
		return;
	req->ended = true;
	ctx->slots[slot] = NULL;
	ctx->slot_gen[slot]++;
	ctx->slot_free[ctx->nr_slot_free++] = slot;
	ctx->nr_inflight--;
	d_list_del_init(&req->peer_link);
	req->cb(req->arg, status, body, len);
	req_put(req);
}

/* Fail every request waiting on @peer. */
static void
peer_fail(struct net_ctx *ctx, struct net_peer *peer, int status)
{
	struct net_req *req;

	while (!d_list_empty(&peer->reqs)) {
		req = d_list_first_entry(&peer->reqs, struct net_req, peer_link);
		D_DEBUG(DB_NET, "request %#" PRIx64 " to %s fails: " DF_RC, req->id, peer->uri,
			DP_RC(status));
		req_end(req, status, NULL, 0);
	}
	net_local_reset(peer);
	(void)ctx;
}

static void
timers_arm(struct net_ctx *ctx, uint64_t when)
{
	if (when < ctx->next_check_ms)
		ctx->next_check_ms = when;
}

static int req_send(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body,
		    size_t len, uint32_t timeout_ms, net_reply_fn cb, void *arg,
		    void (*mangle)(uint8_t *msg, size_t *len));

int
net_req_send(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body,
	     size_t len, uint32_t timeout_ms, net_reply_fn cb, void *arg)
{
	return req_send(ctx, peer, opcode, body, len, timeout_ms, cb, arg, NULL);
}

int
net_req_send_mangled(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body,
		     size_t len, uint32_t timeout_ms, net_reply_fn cb, void *arg,
		     void (*mangle)(uint8_t *msg, size_t *len))
{
	return req_send(ctx, peer, opcode, body, len, timeout_ms, cb, arg, mangle);
}

static int
req_send(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body, size_t len,
	 uint32_t timeout_ms, net_reply_fn cb, void *arg, void (*mangle)(uint8_t *msg, size_t *len))
{
	struct net_msg msg = { 0 };
	struct net_req *req;
	uint32_t slot;
	uint64_t now;
	size_t size;
	int rc;

	if (len > NET_BODY_MAX)
		return -DER_OVERFLOW;
	if (cb == NULL || ctx->closing)
		return -DER_INVAL;
	if (ctx->local_bulk && peer->local_state == NET_LOCAL_UNKNOWN && opcode >= NET_OPC_USER_MIN)
		net_local_start(ctx, peer);
	if (ctx->nr_slot_free == 0) {
		rc = slots_grow(ctx);
		if (rc != 0)
			return rc;
	}
	size = NET_HDR_SIZE + ctx->addr_len + len;
	if (ctx->local_bulk && net_local_token(peer, &msg.token)) {
		msg.flags = NET_F_LOCAL;
		size += sizeof(msg.token);
	}
	req = d_malloc(sizeof(*req) + (mangle ? NET_MSG_MAX : size));
	if (req == NULL)
		return -DER_NOMEM;
	slot = ctx->slot_free[--ctx->nr_slot_free];
	now = net_now_ms();
	req->op.type = NET_OP_SEND_REQ;
	req->id = ((uint64_t)ctx->slot_gen[slot] << 32) | slot;
	req->ctx = ctx;
	req->peer = peer;
	req->sent_ms = now;
	req->deadline_ms = now + (timeout_ms ? timeout_ms : NET_TIMEOUT_DEFAULT_MS);
	req->cb = cb;
	req->arg = arg;
	req->refs = 2;
	req->ended = false;

	msg.version = NET_PROTO_VERSION;
	msg.flags |= NET_F_REQUEST;
	msg.opcode = opcode;
	msg.id = req->id;
	msg.timeout_ms = (uint32_t)(req->deadline_ms - now);
	msg.addr = ctx->addr;
	msg.addr_len = ctx->addr_len;
	msg.body = body;
	msg.body_len = (uint32_t)len;
	rc = net_msg_encode(&msg, req->data, size);
	D_ASSERT(rc == (int)size);
	if (mangle != NULL) {
		mangle(req->data, &size);
		D_ASSERT(size <= NET_MSG_MAX);
	}
	req->len = (uint32_t)size;

	rc = net_op_submit(ctx, peer, &req->op);
	if (rc != 0) {
		ctx->slot_free[ctx->nr_slot_free++] = slot;
		d_free(req);
		return rc;
	}
	ctx->slots[slot] = req;
	ctx->nr_inflight++;
	d_list_add_tail(&req->peer_link, &peer->reqs);
	timers_arm(ctx, D_MIN(req->deadline_ms, now + ctx->probe_ms));
	return 0;
}

int
net_oneway_send(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body,
		size_t len)
{
	struct net_msg msg = {
		.version = NET_PROTO_VERSION,
		.flags = NET_F_ONEWAY,
		.opcode = opcode,
		.addr = ctx->addr,
		.addr_len = ctx->addr_len,
		.body = body,
		.body_len = (uint32_t)len,
	};

	if (len > NET_BODY_MAX)
		return -DER_OVERFLOW;
	return sbuf_send(ctx, peer, &msg, false);
}

struct call_state {
	bool done;
	int status;
	void *reply;
	size_t reply_max;
	size_t *reply_len;
};

static void
call_done(void *arg, int status, const void *body, size_t len)
{
	struct call_state *cs = arg;

	cs->done = true;
	cs->status = status;
	if (cs->reply_len != NULL)
		*cs->reply_len = len;
	if (cs->reply != NULL && len > 0)
		memcpy(cs->reply, body, D_MIN(len, cs->reply_max));
	if (len > cs->reply_max && cs->status == 0)
		cs->status = -DER_TRUNC;
}

int
net_call(struct net_ctx *ctx, struct net_peer *peer, uint32_t opcode, const void *body, size_t len,
	 uint32_t timeout_ms, void *reply, size_t reply_max, size_t *reply_len)
{
	struct call_state cs = { .reply = reply,
				 .reply_max = reply ? reply_max : 0,
				 .reply_len = reply_len };
	int rc;

	rc = net_req_send(ctx, peer, opcode, body, len, timeout_ms, call_done, &cs);
	if (rc != 0)
		return rc;
	while (!cs.done) {
		rc = net_progress(ctx, 100);
		if (rc < 0)
			return rc;
	}
	return cs.status;
}

/* A send completed (@err 0) or failed (@err a positive libfabric error). */
void
net_send_done(struct net_ctx *ctx, struct net_op *op, int err)
{
	if (op->type == NET_OP_SEND_REQ) {
		struct net_req *req = container_of(op, struct net_req, op);

		if (err != 0 && !req->ended) {
			int rc = net_fi2der(err);

			D_DEBUG(DB_NET, "request to %s not sent: %s", req->peer->uri,
				fi_strerror(err));
			/* The connection is gone: everything waiting on it fails now. */
			if (rc == -DER_UNREACH)
				net_peer_unreachable(ctx, req->peer);
			else
				req_end(req, rc, NULL, 0);
		}
		req_put(req);
		return;
	}

	struct net_sbuf *sbuf = container_of(op, struct net_sbuf, op);

	if (sbuf->probe) {
		sbuf->peer->probing = false;
		if (err != 0) {
			D_INFO("peer %s is unreachable (%s): failing its requests", sbuf->peer->uri,
			       fi_strerror(err));
			net_peer_unreachable(ctx, sbuf->peer);
		}
	} else if (err != 0) {
		D_DEBUG(DB_NET, "reply or oneway to %s not sent: %s", sbuf->peer->uri,
			fi_strerror(err));
	}
	coal_put(ctx, sbuf);
}

static void
peer_probe(struct net_ctx *ctx, struct net_peer *peer, uint64_t now)
{
	struct net_msg msg = {
		.version = NET_PROTO_VERSION,
		.flags = NET_F_ONEWAY,
		.opcode = NET_OPC_PROBE,
		.addr = ctx->addr,
		.addr_len = ctx->addr_len,
	};
	int rc;

	peer->last_probe_ms = now;
	rc = sbuf_send(ctx, peer, &msg, true);
	if (rc == 0)
		peer->probing = true;
	else if (rc == -DER_UNREACH)
		net_peer_unreachable(ctx, peer);
}

void
net_peer_unreachable(struct net_ctx *ctx, struct net_peer *peer)
{
	/* Queued operations first: a failing queued request ends once, here. */
	net_sendq_fail(ctx, peer, -DER_UNREACH);
	peer_fail(ctx, peer, -DER_UNREACH);
}

/*
 * Expire requests past their deadline and probe peers that have owed a reply for a
 * probe interval. Requests to one peer are in send order, so each peer's list is
 * scanned only while it finds something to do.
 */
void
net_timers(struct net_ctx *ctx, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct net_peer *peer;
	struct net_req *req;
	struct net_req *tmp;
	int i;

	for (i = 0; i < NET_PEER_BUCKETS; i++) {
		for (peer = ctx->peers[i]; peer != NULL; peer = peer->hnext) {
			if (d_list_empty(&peer->reqs))
				continue;
			d_list_for_each_entry_safe(req, tmp, &peer->reqs, peer_link) {
				if (req->deadline_ms <= now) {
					D_DEBUG(DB_NET, "request %#" PRIx64 " to %s timed out",
						req->id, peer->uri);
					req_end(req, -DER_TIMEDOUT, NULL, 0);
				} else {
					next = D_MIN(next, req->deadline_ms);
				}
			}
			if (d_list_empty(&peer->reqs))
				continue;
			req = d_list_first_entry(&peer->reqs, struct net_req, peer_link);
			if (!peer->probing && now - req->sent_ms >= ctx->probe_ms &&
			    now - peer->last_probe_ms >= ctx->probe_ms)
				peer_probe(ctx, peer, now);
			if (!d_list_empty(&peer->reqs))
				next = D_MIN(next, now + ctx->probe_ms);
		}
	}
	ctx->next_check_ms = next;
}

void
net_reqs_cancel(struct net_ctx *ctx)
{
	struct net_peer *peer;
	int i;

	for (i = 0; i < NET_PEER_BUCKETS; i++) {
		for (peer = ctx->peers[i]; peer != NULL; peer = peer->hnext) {
			net_sendq_fail(ctx, peer, -DER_CANCELED);
			peer_fail(ctx, peer, -DER_CANCELED);
		}
	}
}

/* --- serving --- */

const void *
net_rpc_body(const struct net_rpc *rpc, size_t *len)
{
	if (len != NULL)
		*len = rpc->msg.body_len;
	return rpc->msg.body;
}

uint32_t
net_rpc_opcode(const struct net_rpc *rpc)
{
	return rpc->msg.opcode;
}

struct net_ctx *
net_rpc_ctx(const struct net_rpc *rpc)
{
	return rpc->ctx;
}

uint32_t
net_rpc_time_left(const struct net_rpc *rpc)
{
	uint64_t end = rpc->recv_ms + rpc->msg.timeout_ms;
	uint64_t now = net_now_ms();

	return now >= end ? 0 : (uint32_t)(end - now);
}

/* Free the RPC's buffer once it has ended and no transfer still uses it. */
void
net_rpc_put(struct net_rpc *rpc)
{
	if (!rpc->ended || rpc->nr_xfers > 0)
		return;
	net_rbuf_release(rpc->ctx, container_of(rpc, struct net_rbuf, rpc));
}

static int
reply_send(struct net_ctx *ctx, struct net_peer *peer, uint64_t id, uint32_t opcode, int status,
	   const void *body, size_t len)
{
	struct net_msg msg = {
		.version = NET_PROTO_VERSION,
		.flags = NET_F_REPLY,
		.opcode = opcode,
		.id = id,
		.status = status,
		.body = body,
		.body_len = (uint32_t)len,
	};

	if (ctx->closing)
		return sbuf_send(ctx, peer, &msg, false);
	return coal_add(ctx, peer, &msg);
}

int
net_rpc_reply(struct net_rpc *rpc, int status, const void *body, size_t len)
{
	int rc = 0;

	D_ASSERT(!rpc->ended);
	if (status > 0)
		status = -DER_INVAL;
	if (len > NET_BODY_MAX) {
		D_ERROR("reply to opcode %u too large (%zu bytes)", rpc->msg.opcode, len);
		status = -DER_OVERFLOW;
		len = 0;
	}
	if (!(rpc->msg.flags & NET_F_ONEWAY) && !rpc->ctx->closing)
		rc = reply_send(rpc->ctx, rpc->peer, rpc->msg.id, rpc->msg.opcode, status, body,
				len);
	rpc->ended = true;
	net_rpc_put(rpc);
	return rc;
}

void
net_rpc_drop(struct net_rpc *rpc)
{
	D_ASSERT(!rpc->ended);
	rpc->ended = true;
	net_rpc_put(rpc);
}

static void
request_dispatch(struct net_ctx *ctx, struct net_rbuf *rbuf, struct net_peer *peer)
{
	struct net_rpc *rpc = &rbuf->rpc;
	struct net_handler *h;

	if (rpc->msg.opcode == NET_OPC_PROBE) {
		d_list_add(&rbuf->link, &ctx->rbuf_free);
		return;
	}
	rpc->ctx = ctx;
	rpc->peer = peer;
	rpc->recv_ms = net_now_ms();
	rpc->nr_xfers = 0;
	rpc->ended = false;
	rpc->local_pid = 0;
	if (rpc->msg.opcode < NET_OPC_USER_MIN && net_local_serve(ctx, rpc))
		return;
	if ((rpc->msg.flags & NET_F_LOCAL) && peer->srv_token != 0 &&
	    rpc->msg.token == peer->srv_token)
		rpc->local_pid = peer->srv_pid;
	h = handler_find(ctx, rpc->msg.opcode);
	if (h == NULL) {
		D_DEBUG(DB_NET, "no handler for opcode %u from %s", rpc->msg.opcode, peer->uri);
		net_rpc_reply(rpc, -DER_UNREG, NULL, 0);
		return;
	}
	h->fn(rpc, h->arg);
}

/* End the request that reply @msg answers, if any is waiting. */
static void
reply_dispatch(struct net_ctx *ctx, const struct net_msg *msg)
{
	struct net_req *req = req_lookup(ctx, msg->id);

	if (req == NULL)
		D_DEBUG(DB_NET, "reply %#" PRIx64 " on %s matches no request", msg->id, ctx->uri);
	else
		req_end(req, msg->status, msg->body, msg->body_len);
}

void
net_msg_dispatch(struct net_ctx *ctx, struct net_rbuf *rbuf, size_t len)
{
	struct net_msg *msg = &rbuf->rpc.msg;
	const uint8_t *data = rbuf->data;
	struct net_peer *peer;
	struct net_req *req;
	int decode_rc;
	int rc;

	for (;;) {
		memset(msg, 0, sizeof(*msg));
		decode_rc = net_msg_decode(data, len, msg);
		if (decode_rc != 0 || msg->flags != (NET_F_REPLY | NET_F_MORE))
			break;
		/* a coalesced reply; the next message starts after its body */
		reply_dispatch(ctx, msg);
		data += NET_HDR_SIZE + msg->body_len;
		len -= NET_HDR_SIZE + msg->body_len;
	}
	if (decode_rc != 0 && msg->addr_len == 0) {
		/* Nobody to answer: a reply or garbage. */
		if (msg->flags == NET_F_REPLY && (req = req_lookup(ctx, msg->id)) != NULL)
			req_end(req, -DER_PROTO, NULL, 0);
		else
			D_WARN("dropped a malformed message of %zu bytes on %s", len, ctx->uri);
		d_list_add(&rbuf->link, &ctx->rbuf_free);
		return;
	}
	if (msg->flags == NET_F_REPLY) {
		reply_dispatch(ctx, msg);
		d_list_add(&rbuf->link, &ctx->rbuf_free);
		return;
	}
	rc = net_peer_from_addr(ctx, msg->addr, msg->addr_len, &peer);
	if (rc != 0) {
		D_WARN("dropped a request from an unusable address on %s: " DF_RC, ctx->uri,
		       DP_RC(rc));
		d_list_add(&rbuf->link, &ctx->rbuf_free);
		return;
	}
	if (decode_rc != 0) {
		D_WARN("malformed request (opcode %u, version %u) from %s", msg->opcode,
		       msg->version, peer->uri);
		if (!(msg->flags & NET_F_ONEWAY))
			reply_send(ctx, peer, msg->id, msg->opcode, -DER_PROTO, NULL, 0);
		d_list_add(&rbuf->link, &ctx->rbuf_free);
		return;
	}
	request_dispatch(ctx, rbuf, peer);
}
