/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_sendq.c - posting operations to a peer without ever blocking on it.
 *
 * libfabric answers -FI_EAGAIN when it cannot take an operation now: its queues are
 * full, or (rxm over tcp) the connection to the peer is not up. The second case lasts
 * forever when the peer is gone, since rxm retries the connection on every progress
 * and never reports the refusal. So an operation refused with -FI_EAGAIN waits on its
 * peer's sendq, in order, and every progress call tries the heads again. A peer whose
 * head has been refused for unreach_ms, while we kept making progress, is declared
 * unreachable: its queued operations and the requests waiting on it fail with
 * -DER_UNREACH. A later operation to it starts afresh (rxm reconnects if it can).
 */
#define D_LOGFAC DD_FAC(net)

#include "net/net_int.h"

static ssize_t
op_post(struct net_ctx *ctx, struct net_peer *peer, struct net_op *op)
{
	switch (op->type) {
	case NET_OP_SEND_REQ: {
		struct net_req *req = container_of(op, struct net_req, op);

		return fi_send(ctx->ep, req->data, req->len, NULL, peer->fi_addr, op);
	}
	case NET_OP_SEND_BUF: {
		struct net_sbuf *sbuf = container_of(op, struct net_sbuf, op);

		return fi_send(ctx->ep, sbuf->data, sbuf->len, NULL, peer->fi_addr, op);
	}
	case NET_OP_RMA: {
		struct net_piece *piece = container_of(op, struct net_piece, op);
		struct net_xfer *xfer = piece->xfer;
		void *desc = xfer->local_mr ? fi_mr_desc(xfer->local_mr) : NULL;

		if (xfer->kind == NET_BULK_GET)
			return fi_read(ctx->ep, piece->local, piece->len, desc, peer->fi_addr,
				       piece->raddr, xfer->key, op);
		return fi_write(ctx->ep, piece->local, piece->len, desc, peer->fi_addr,
				piece->raddr, xfer->key, op);
	}
	case NET_OP_RECV:
		break;
	}
	D_ASSERTF(0, "op type %d cannot be submitted to a peer", op->type);
	return -FI_EINVAL;
}

static void
enqueue(struct net_ctx *ctx, struct net_peer *peer, struct net_op *op)
{
	if (d_list_empty(&peer->sendq)) {
		peer->stuck_since_ms = net_now_ms();
		d_list_add_tail(&peer->busy_link, &ctx->busy_peers);
	}
	d_list_add_tail(&op->qlink, &peer->sendq);
}

/*
 * Post @op to @peer now, or queue it behind the peer's earlier ones. Returns 0 if it
 * was posted or queued (its completion will come through the CQ or through
 * net_sendq_fail()), or a negative code if libfabric refused it for good.
 */
int
net_op_submit(struct net_ctx *ctx, struct net_peer *peer, struct net_op *op)
{
	ssize_t rc;

	D_INIT_LIST_HEAD(&op->qlink);
	if (!d_list_empty(&peer->sendq)) {
		enqueue(ctx, peer, op);
		return 0;
	}
	rc = op_post(ctx, peer, op);
	if (rc == 0) {
		ctx->nr_tx++;
		return 0;
	}
	if (rc == -FI_EAGAIN) {
		enqueue(ctx, peer, op);
		return 0;
	}
	D_DEBUG(DB_NET, "post to %s failed: %s", peer->uri, fi_strerror((int)-rc));
	return net_fi2der((int)rc);
}

/* Hand @op back to its owner as failed, as its completion would have. */
static void
op_fail(struct net_ctx *ctx, struct net_op *op, int fi_err)
{
	switch (op->type) {
	case NET_OP_SEND_REQ:
	case NET_OP_SEND_BUF:
		net_send_done(ctx, op, fi_err);
		break;
	case NET_OP_RMA:
		net_piece_done(ctx, container_of(op, struct net_piece, op), fi_err);
		break;
	case NET_OP_RECV:
		break;
	}
}

/* Fail everything queued for @peer; @status is a DER code, mapped for the owners. */
void
net_sendq_fail(struct net_ctx *ctx, struct net_peer *peer, int status)
{
	struct net_op *op;
	int fi_err = status == -DER_CANCELED ? FI_ECANCELED : FI_ECONNREFUSED;

	if (d_list_empty(&peer->sendq))
		return;
	d_list_del_init(&peer->busy_link);
	while ((op = d_list_pop_entry(&peer->sendq, struct net_op, qlink)) != NULL)
		op_fail(ctx, op, fi_err);
}

void
net_sendq_flush(struct net_ctx *ctx, uint64_t now)
{
	struct net_peer *peer;
	struct net_peer *tmp;
	struct net_op *op;
	ssize_t rc;

	d_list_for_each_entry_safe(peer, tmp, &ctx->busy_peers, busy_link) {
		while (!d_list_empty(&peer->sendq)) {
			op = d_list_first_entry(&peer->sendq, struct net_op, qlink);
			rc = op_post(ctx, peer, op);
			if (rc == -FI_EAGAIN)
				break;
			d_list_del_init(&op->qlink);
			peer->stuck_since_ms = now;
			if (rc == 0)
				ctx->nr_tx++;
			else
				op_fail(ctx, op, (int)-rc);
		}
		if (d_list_empty(&peer->sendq)) {
			d_list_del_init(&peer->busy_link);
		} else if (now - peer->stuck_since_ms >= ctx->unreach_ms) {
			D_INFO("peer %s refused operations for %u ms: unreachable", peer->uri,
			       ctx->unreach_ms);
			net_peer_unreachable(ctx, peer);
		}
	}
}
