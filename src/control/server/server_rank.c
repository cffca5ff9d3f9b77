/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_rank.c - asynchronous pool calls to the engine of a rank, wherever it runs.
 *
 * A local engine is called over dRPC from a libuv worker thread; another host's engine
 * through its daos_server (EngineForward, itself served from a worker thread there).
 * Either way the loop never waits: the callback runs on the loop thread with the
 * engine's answer decoded as a PoolResp (a DaosResp has the same first two fields, so
 * calls answered with a bare status decode too).
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <gurt/common.h>
#include <stdio.h>
#include <string.h>

#include "control/server/server.h"
#include "mgmt.pb-c.h"

struct rank_call {
	uv_work_t work;
	struct server *srv;
	d_rank_t rank;
	int32_t method;
	char path[PATH_MAX]; /* local: the engine's dRPC socket */
	uint8_t *body;
	size_t len;
	uint8_t *reply;
	size_t reply_len;
	int rc;
	srv_rank_cb cb;
	void *arg;
	struct ctl_req *fwd; /* serving an EngineForward: answer it */
};

static void
call_free(struct rank_call *c)
{
	d_free(c->body);
	d_free(c->reply);
	d_free(c);
}

/* Deliver an engine's reply body (or a transport error) to the caller. */
static void
deliver(struct rank_call *c, int rc, const uint8_t *reply, size_t len)
{
	Mgmt__PoolResp *resp = NULL;
	char msg[512] = "";

	if (rc == 0) {
		resp = mgmt__pool_resp__unpack(&proto_allocator, len, reply);
		if (resp == NULL) {
			rc = -DER_PROTO;
			snprintf(msg, sizeof(msg), "rank %u answered with a malformed message",
				 c->rank);
		} else {
			rc = resp->status;
			snprintf(msg, sizeof(msg), "%s", resp->message);
		}
	} else {
		snprintf(msg, sizeof(msg), "the engine of rank %u did not answer: " DF_RC, c->rank,
			 DP_RC(rc));
	}
	c->cb(c->srv, rc, resp, msg, c->arg);
	if (resp != NULL)
		mgmt__pool_resp__free_unpacked(resp, &proto_allocator);
}

static void
local_work(uv_work_t *w)
{
	struct rank_call *c = w->data;

	c->rc = srv_drpc_call(c->path, c->method, c->body, c->len, &c->reply, &c->reply_len);
}

static void
local_done(uv_work_t *w, int status)
{
	struct rank_call *c = w->data;
	int rc = status != 0 ? -DER_CANCELED : c->rc;

	if (c->fwd != NULL) {
		Mgmt__EngineForwardResp resp = MGMT__ENGINE_FORWARD_RESP__INIT;

		resp.status = rc;
		resp.body.data = c->reply;
		resp.body.len = c->reply_len;
		srv_reply_packed(c->fwd, rc, rc != 0 ? "the engine did not answer" : NULL,
				 &resp.base);
	} else {
		deliver(c, rc, c->reply, c->reply_len);
	}
	call_free(c);
}

static int
local_start(struct server *srv, struct srv_engine *e, struct rank_call *c)
{
	snprintf(c->path, sizeof(c->path), "%s", e->drpc_path);
	c->work.data = c;
	if (uv_queue_work(srv->loop, &c->work, local_work, local_done) != 0)
		return -DER_MISC;
	return 0;
}

static void
forward_done(struct server *srv, int rc, const struct ctl_reply *reply, void *arg)
{
	struct rank_call *c = arg;
	Mgmt__EngineForwardResp *fr = NULL;

	(void)srv;
	if (rc == 0 && reply->status != 0) {
		Mgmt__PoolResp resp = MGMT__POOL_RESP__INIT;

		resp.status = reply->status;
		resp.message = (char *)reply->message;
		c->cb(c->srv, reply->status, &resp, reply->message, c->arg);
		call_free(c);
		return;
	}
	if (rc == 0) {
		fr = mgmt__engine_forward_resp__unpack(&proto_allocator, reply->len, reply->body);
		rc = fr == NULL ? -DER_PROTO : fr->status;
	}
	if (rc == 0) {
		deliver(c, 0, fr->body.data, fr->body.len);
	} else {
		char msg[512];

		snprintf(msg, sizeof(msg), "the server of rank %u cannot be reached: " DF_RC,
			 c->rank, DP_RC(rc));
		c->cb(c->srv, rc, NULL, msg, c->arg);
	}
	if (fr != NULL)
		mgmt__engine_forward_resp__free_unpacked(fr, &proto_allocator);
	call_free(c);
}

int
srv_rank_call(struct server *srv, d_rank_t rank, int32_t method, const ProtobufCMessage *body,
	      srv_rank_cb cb, void *arg)
{
	struct srv_engine *e = srv_engine_of_rank(srv, rank);
	struct rank_call *c = d_calloc(1, sizeof(*c));
	const struct ms_member *m;
	int rc;

	if (c == NULL)
		return -DER_NOMEM;
	c->srv = srv;
	c->rank = rank;
	c->method = method;
	c->cb = cb;
	c->arg = arg;
	c->len = protobuf_c_message_get_packed_size(body);
	c->body = d_malloc(c->len + 1);
	if (c->body == NULL) {
		d_free(c);
		return -DER_NOMEM;
	}
	protobuf_c_message_pack(body, c->body);
	if (e != NULL) {
		if (e->state != SRV_ENGINE_JOINED) {
			call_free(c);
			return -DER_UNREACH;
		}
		rc = local_start(srv, e, c);
	} else {
		Mgmt__EngineForwardReq fwd = MGMT__ENGINE_FORWARD_REQ__INIT;

		m = srv->ms != NULL ? ms_member_get(srv->ms, rank) : NULL;
		if (m == NULL || m->state != MS_MEMBER_JOINED) {
			call_free(c);
			return -DER_UNREACH;
		}
		fwd.rank = rank;
		fwd.method = method;
		fwd.body.data = c->body;
		fwd.body.len = c->len;
		rc = srv_peer_call(srv, m->addr, CTL_ENGINE_FORWARD, &fwd.base, forward_done, c);
	}
	if (rc != 0)
		call_free(c);
	return rc;
}

/* EngineForward: the MS runs a pool call on one of our engines. */
void
srv_engine_forward(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__EngineForwardReq *in;
	struct srv_engine *e;
	struct rank_call *c = NULL;
	char msg[128];

	in = mgmt__engine_forward_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "EngineForward: malformed request", NULL, NULL, 0);
		return;
	}
	e = srv_engine_of_rank(srv, in->rank);
	if (!srv_pool_method_is_valid(in->method)) {
		ctl_req_reply(req, -DER_INVAL, "EngineForward: not a pool method", NULL, NULL, 0);
	} else if (e == NULL || e->state != SRV_ENGINE_JOINED) {
		snprintf(msg, sizeof(msg), "rank %u is not a running engine of this server",
			 in->rank);
		ctl_req_reply(req, -DER_UNREACH, msg, NULL, NULL, 0);
	} else if ((c = d_calloc(1, sizeof(*c))) == NULL ||
		   (c->body = d_malloc(in->body.len + 1)) == NULL) {
		d_free(c);
		ctl_req_reply(req, -DER_NOMEM, "out of memory", NULL, NULL, 0);
	} else {
		memcpy(c->body, in->body.data, in->body.len);
		c->len = in->body.len;
		c->srv = srv;
		c->rank = in->rank;
		c->method = in->method;
		c->fwd = req;
		if (local_start(srv, e, c) != 0) {
			call_free(c);
			ctl_req_reply(req, -DER_MISC, "cannot queue the engine call", NULL, NULL,
				      0);
		}
	}
	mgmt__engine_forward_req__free_unpacked(in, &proto_allocator);
}
