/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_bulk.c - memory registration and RMA transfers.
 *
 * The client registers a buffer and sends its descriptor {addr, len, key} inside a
 * request body; the server moves the data with fi_read (GET, pull) or fi_write (PUT,
 * push) against the requester's endpoint. A transfer is cut into pieces posted together (see
 * net_int.h for the sizes), so a large one keeps the link busy; its callback runs once all pieces
 * have completed, with the first error if any. The RPC stays alive meanwhile (rpc->nr_xfers), even
 * if the handler has already replied or dropped it.
 *
 * For a requester proven to run on this host (net_local.c), the transfer is one
 * process_vm_readv/writev instead, done at once; its callback still runs from the next
 * net_progress(), as an RMA's would. If the copy fails, the transfer goes by RMA.
 */
#define D_LOGFAC DD_FAC(bulk)

#include "net/net_int.h"

int
net_bulk_register(struct net_ctx *ctx, void *buf, size_t len, enum net_bulk_access access,
		  struct net_bulk **out)
{
	struct net_bulk *bulk;
	uint64_t flags = 0;
	int rc;

	if (buf == NULL || len == 0 || (access & NET_BULK_RW) == 0)
		return -DER_INVAL;
	if (access & NET_BULK_RO)
		flags |= FI_REMOTE_READ;
	if (access & NET_BULK_WO)
		flags |= FI_REMOTE_WRITE;
	/* Local access too, for providers that need registered local RMA buffers. */
	flags |= FI_READ | FI_WRITE;
	bulk = d_calloc(1, sizeof(*bulk));
	if (bulk == NULL)
		return -DER_NOMEM;
	rc = fi_mr_reg(ctx->domain, buf, len, flags, 0, ctx->mr_prov_key ? 0 : ctx->next_key++, 0,
		       &bulk->mr, NULL);
	if (rc != 0) {
		D_ERROR("could not register %zu bytes on %s: %s", len, ctx->uri, fi_strerror(-rc));
		d_free(bulk);
		return net_fi2der(rc);
	}
	bulk->ctx = ctx;
	/*
	 * Always the virtual address: local bulk copies from it; RMA in offset mode
	 * (!mr_virt_addr, as tcp) leaves it out of remote addresses.
	 */
	bulk->desc.addr = (uint64_t)(uintptr_t)buf;
	bulk->desc.len = len;
	bulk->desc.key = fi_mr_key(bulk->mr);
	*out = bulk;
	return 0;
}

void
net_bulk_deregister(struct net_bulk *bulk)
{
	if (bulk == NULL)
		return;
	fi_close(&bulk->mr->fid);
	d_free(bulk);
}

void
net_bulk_desc_get(const struct net_bulk *bulk, struct net_bulk_desc *out)
{
	*out = bulk->desc;
}

void
net_bulk_desc_encode(struct buf *b, const struct net_bulk_desc *desc)
{
	buf_put_u64(b, desc->addr);
	buf_put_u64(b, desc->len);
	buf_put_u64(b, desc->key);
}

void
net_bulk_desc_decode(struct buf *b, struct net_bulk_desc *desc)
{
	desc->addr = buf_get_u64(b);
	desc->len = buf_get_u64(b);
	desc->key = buf_get_u64(b);
	/* The range must not wrap: the server computes addr + offset from it. */
	if (desc->len > UINT64_MAX - desc->addr)
		buf_fail(b, -DER_PROTO);
}

static void
xfer_finish(struct net_xfer *xfer)
{
	struct net_rpc *rpc = xfer->rpc;

	if (xfer->local_mr != NULL)
		fi_close(&xfer->local_mr->fid);
	/*
	 * The transfer's hold on the RPC lasts through the callback, which may reply
	 * (ending the RPC) or start another transfer; only then is it dropped, once.
	 */
	xfer->cb(rpc, xfer->status, xfer->arg);
	d_free(xfer);
	rpc->nr_xfers--;
	net_rpc_put(rpc);
}

void
net_piece_done(struct net_ctx *ctx, struct net_piece *piece, int err)
{
	struct net_xfer *xfer = piece->xfer;

	if (err != 0 && xfer->status == 0) {
		xfer->status = net_fi2der(err);
		D_DEBUG(DB_NET, "bulk transfer piece failed on %s: %s", ctx->uri, fi_strerror(err));
	}
	D_ASSERT(xfer->nr_pending > 0);
	if (--xfer->nr_pending == 0)
		xfer_finish(xfer);
}

int
net_local_done_run(struct net_ctx *ctx)
{
	struct net_xfer *xfer;
	int n = 0;

	while ((xfer = d_list_pop_entry(&ctx->local_done, struct net_xfer, done_link)) != NULL) {
		xfer_finish(xfer);
		n++;
	}
	return n;
}

/* Copy locally if @rpc's requester is proven local; false: use RMA. */
static bool
transfer_local(struct net_rpc *rpc, enum net_bulk_op op, uint64_t raddr, void *local, size_t len,
	       net_bulk_fn cb, void *arg)
{
	struct net_xfer *xfer;

	/* Closing: the callbacks of local copies would never run. */
	if (rpc->local_pid == 0 || rpc->ctx->closing)
		return false;
	xfer = d_calloc(1, sizeof(*xfer));
	if (xfer == NULL)
		return false;
	if (net_local_copy(rpc, op, raddr, local, len) != 0) {
		d_free(xfer);
		return false;
	}
	xfer->rpc = rpc;
	xfer->kind = op;
	xfer->cb = cb;
	xfer->arg = arg;
	rpc->nr_xfers++;
	d_list_add_tail(&xfer->done_link, &rpc->ctx->local_done);
	return true;
}

/* Whether [@off, @off + @len) is a non-empty range inside @remote. */
static bool
range_ok(const struct net_bulk_desc *remote, uint64_t off, size_t len)
{
	return len > 0 && off <= remote->len && len <= remote->len - off;
}

int
net_bulk_copy(struct net_rpc *rpc, enum net_bulk_op op, const struct net_bulk_desc *remote,
	      uint64_t remote_off, void *local, size_t len)
{
	int rc;

	if (!range_ok(remote, remote_off, len))
		return -DER_INVAL;
	if (rpc->local_pid == 0)
		return -DER_NOTSUPPORTED;
	rc = net_local_copy(rpc, op, remote->addr + remote_off, local, len);
	return rc == 0 ? 0 : daos_errno2der(-rc);
}

int
net_bulk_transfer(struct net_rpc *rpc, enum net_bulk_op op, const struct net_bulk_desc *remote,
		  uint64_t remote_off, void *local, size_t len, net_bulk_fn cb, void *arg)
{
	struct net_ctx *ctx = rpc->ctx;
	struct net_xfer *xfer;
	size_t piece_len;
	uint32_t nr;
	uint32_t i;
	int rc;

	if (cb == NULL || !range_ok(remote, remote_off, len))
		return -DER_INVAL;
	if (transfer_local(rpc, op, remote->addr + remote_off, local, len, cb, arg))
		return 0;
	piece_len = op == NET_BULK_GET ? NET_BULK_PIECE_GET : NET_BULK_PIECE_PUT;
	nr = (uint32_t)((len + piece_len - 1) / piece_len);
	xfer = d_calloc(1, sizeof(*xfer) + nr * sizeof(xfer->pieces[0]));
	if (xfer == NULL)
		return -DER_NOMEM;
	xfer->rpc = rpc;
	xfer->kind = op;
	xfer->key = remote->key;
	xfer->cb = cb;
	xfer->arg = arg;
	xfer->nr_pieces = nr;
	if (ctx->mr_local) {
		rc = fi_mr_reg(ctx->domain, local, len, op == NET_BULK_GET ? FI_READ : FI_WRITE, 0,
			       ctx->mr_prov_key ? 0 : ctx->next_key++, 0, &xfer->local_mr, NULL);
		if (rc != 0) {
			d_free(xfer);
			return net_fi2der(rc);
		}
	}
	rpc->nr_xfers++;
	/* Hold the transfer open while posting, so early completions cannot finish it. */
	xfer->nr_pending = 1;
	for (i = 0; i < nr; i++) {
		struct net_piece *piece = &xfer->pieces[i];
		size_t off = (size_t)i * piece_len;

		piece->op.type = NET_OP_RMA;
		piece->xfer = xfer;
		piece->local = (char *)local + off;
		piece->len = D_MIN(piece_len, len - off);
		piece->raddr = (ctx->mr_virt_addr ? remote->addr : 0) + remote_off + off;
		rc = net_op_submit(ctx, rpc->peer, &piece->op);
		if (rc != 0) {
			D_ERROR("could not post a bulk %s of %zu bytes on %s: " DF_RC,
				op == NET_BULK_GET ? "read" : "write", piece->len, ctx->uri,
				DP_RC(rc));
			if (xfer->status == 0)
				xfer->status = rc;
			break;
		}
		xfer->nr_pending++;
	}
	if (i == 0) {
		/* Nothing posted: fail synchronously, without the callback. */
		rc = xfer->status;
		if (xfer->local_mr != NULL)
			fi_close(&xfer->local_mr->fid);
		rpc->nr_xfers--;
		d_free(xfer);
		return rc;
	}
	/* Drop the posting hold; completions already read may finish it here. */
	if (--xfer->nr_pending == 0)
		xfer_finish(xfer);
	return 0;
}
