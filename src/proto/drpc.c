/* SPDX-License-Identifier: Apache-2.0 */
/*
 * drpc.c - dRPC over UNIX SOCK_SEQPACKET: a server on a libuv loop and a blocking client.
 *
 * Every packet carries one chunk (header in proto_wire.c); a message is a serialized
 * Drpc__Call or Drpc__Response split into chunks of at most DRPC_MAX_PACKET bytes. The
 * server reassembles chunks per connection, decodes the Call and dispatches it on
 * (module, method) to a registered handler, which answers with drpc_req_reply() now or
 * later. Unknown module or method and undecodable calls are answered with DAOS's
 * statuses; a packet that is not a valid chunk closes the connection. Handlers see the
 * caller's SO_PEERCRED and a connection id; a close hook tells the owner when a client
 * connection ends (the daos_agent forgets, and evicts, what that client registered).
 * Output packets queue per connection and go out when the socket is writable. Loop
 * thread only; no locks. Connections are refcounted like ctl_server.c.
 */
#define D_LOGFAC DD_FAC(control)

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mgmt.pb-c.h"
#include "proto/proto_int.h"

struct drpc_handler_ent {
	d_list_t link; /* in server->handlers */
	int32_t module;
	int32_t method;
	drpc_handler_t handler;
	void *arg;
};

struct drpc_server {
	uv_loop_t *loop;
	uv_poll_t listen_poll; /* on lfd */
	int lfd;
	char *path;                   /* socket file, unlinked at stop */
	d_list_t handlers;            /* struct drpc_handler_ent */
	d_list_t conns;               /* struct drpc_conn.link */
	int nr_handles;               /* open uv handles */
	uint64_t next_id;             /* id of the next connection */
	drpc_close_hook_t close_hook; /* may be NULL */
	void *close_arg;
	bool stopping;
};

struct drpc_pkt {
	d_list_t link; /* in conn->outq */
	size_t len;
	uint8_t data[];
};

struct drpc_conn {
	d_list_t link;           /* in server->conns while open */
	struct drpc_server *srv; /* valid while !closed */
	uint64_t id;             /* drpc_req_info.conn_id */
	uv_poll_t poll;
	int fd;
	bool closed;
	int events;
	int refs; /* 1 while open + 1 per pending request */
	struct drpc_caller caller;
	struct drpc_assembler as; /* chunks of the call being received */
	d_list_t outq;            /* struct drpc_pkt to send */
	uint8_t *pkt;             /* receive buffer, DRPC_MAX_PACKET */
};

struct drpc_req {
	struct drpc_conn *conn;
	Drpc__Call *call;
	struct drpc_req_info info;
};

static void dconn_poll_cb(uv_poll_t *h, int status, int events);

static void
dserver_put_handle(struct drpc_server *srv)
{
	struct drpc_handler_ent *ent;

	if (--srv->nr_handles > 0 || !srv->stopping)
		return;
	while ((ent = d_list_pop_entry(&srv->handlers, struct drpc_handler_ent, link)) != NULL)
		d_free(ent);
	d_free(srv->path);
	d_free(srv);
}

static void
dconn_put(struct drpc_conn *conn)
{
	struct drpc_pkt *pkt;

	if (--conn->refs > 0)
		return;
	while ((pkt = d_list_pop_entry(&conn->outq, struct drpc_pkt, link)) != NULL)
		d_free(pkt);
	drpc_assembler_fini(&conn->as);
	d_free(conn->pkt);
	d_free(conn);
}

static void
dconn_closed_cb(uv_handle_t *h)
{
	struct drpc_conn *conn = h->data;

	close(conn->fd);
	dserver_put_handle(conn->srv);
	conn->srv = NULL;
	dconn_put(conn);
}

static void
dconn_close(struct drpc_conn *conn, const char *why)
{
	if (conn->closed)
		return;
	if (why != NULL)
		D_WARN("closing dRPC connection from pid %d: %s", (int)conn->caller.pid, why);
	conn->closed = true;
	d_list_del_init(&conn->link);
	uv_poll_stop(&conn->poll);
	uv_close((uv_handle_t *)&conn->poll, dconn_closed_cb);
	if (!conn->srv->stopping && conn->srv->close_hook != NULL)
		conn->srv->close_hook(conn->id, &conn->caller, conn->srv->close_arg);
}

static void
dconn_update(struct drpc_conn *conn)
{
	int events = UV_READABLE;

	if (conn->closed)
		return;
	if (!d_list_empty(&conn->outq))
		events |= UV_WRITABLE;
	if (events != conn->events) {
		conn->events = events;
		uv_poll_start(&conn->poll, events, dconn_poll_cb);
	}
}

static int
dconn_flush(struct drpc_conn *conn)
{
	struct drpc_pkt *pkt;
	ssize_t n;

	while (!d_list_empty(&conn->outq)) {
		pkt = d_list_first_entry(&conn->outq, struct drpc_pkt, link);
		n = send(conn->fd, pkt->data, pkt->len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 0;
		if (n < 0)
			return -DER_HG;
		d_list_del(&pkt->link);
		d_free(pkt);
	}
	return 0;
}

static void
dconn_send(struct drpc_conn *conn, int64_t seq, int status, const void *body, size_t len)
{
	Drpc__Response resp = DRPC__RESPONSE__INIT;
	struct drpc_pkt *pkt;
	uint8_t *msg;
	size_t mlen;
	uint32_t i, nr;
	int rc = 0;

	resp.sequence = seq;
	resp.status = status;
	resp.body.data = (uint8_t *)body;
	resp.body.len = len;
	mlen = drpc__response__get_packed_size(&resp);
	nr = drpc_chunk_count(mlen);
	if (nr > DRPC_MAX_CHUNKS) {
		D_ERROR("dRPC response of %zu bytes is too large", mlen);
		resp.status = DRPC__STATUS__FAILED_MARSHAL;
		resp.body.len = 0;
		mlen = drpc__response__get_packed_size(&resp);
		nr = 1;
	}
	msg = d_malloc(mlen == 0 ? 1 : mlen);
	if (msg == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	drpc__response__pack(&resp, msg);
	for (i = 0; i < nr; i++) {
		size_t rest = mlen - (size_t)i * (DRPC_MAX_PACKET - DRPC_CHUNK_HDR);

		if (rest > DRPC_MAX_PACKET - DRPC_CHUNK_HDR)
			rest = DRPC_MAX_PACKET - DRPC_CHUNK_HDR;
		pkt = d_malloc(sizeof(*pkt) + DRPC_CHUNK_HDR + rest);
		if (pkt == NULL) {
			rc = -DER_NOMEM;
			goto out;
		}
		pkt->len = drpc_chunk_encode(msg, mlen, i, pkt->data);
		d_list_add_tail(&pkt->link, &conn->outq);
	}
	rc = dconn_flush(conn);
out:
	d_free(msg);
	if (rc != 0) {
		D_ERROR("cannot send dRPC response: " DF_RC, DP_RC(rc));
		dconn_close(conn, NULL);
		return;
	}
	dconn_update(conn);
}

const struct drpc_req_info *
drpc_req_info(const struct drpc_req *req)
{
	return &req->info;
}

void
drpc_req_reply(struct drpc_req *req, int status, const void *body, size_t len)
{
	struct drpc_conn *conn = req->conn;

	if (!conn->closed)
		dconn_send(conn, req->info.sequence, status, body, len);
	drpc__call__free_unpacked(req->call, &proto_allocator);
	d_free(req);
	dconn_put(conn);
}

void
drpc_req_reply_msg(struct drpc_req *req, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = d_malloc(len + 1);

	if (buf == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_MARSHAL, NULL, 0);
		return;
	}
	protobuf_c_message_pack(msg, buf);
	drpc_req_reply(req, DRPC__STATUS__SUCCESS, buf, len);
	d_free(buf);
}

void
drpc_req_reply_status(struct drpc_req *req, int status, const char *text)
{
	Mgmt__DaosResp resp = MGMT__DAOS_RESP__INIT;

	resp.status = status;
	resp.message = (char *)(text != NULL ? text : "");
	drpc_req_reply_msg(req, &resp.base);
}

static struct drpc_handler_ent *
handler_find(struct drpc_server *srv, int32_t module, int32_t method, bool *module_known)
{
	struct drpc_handler_ent *ent;

	*module_known = false;
	d_list_for_each_entry(ent, &srv->handlers, link) {
		if (ent->module != module)
			continue;
		*module_known = true;
		if (ent->method == method)
			return ent;
	}
	return NULL;
}

static void
dconn_dispatch(struct drpc_conn *conn, const uint8_t *msg, size_t len)
{
	struct drpc_handler_ent *ent;
	struct drpc_req *req;
	Drpc__Call *call;
	bool known;

	call = drpc__call__unpack(&proto_allocator, len, msg);
	if (call == NULL) {
		D_ERROR("undecodable dRPC call from pid %d", (int)conn->caller.pid);
		dconn_send(conn, 0, DRPC__STATUS__FAILED_UNMARSHAL_CALL, NULL, 0);
		return;
	}
	ent = handler_find(conn->srv, call->module, call->method, &known);
	if (ent == NULL) {
		D_ERROR("no dRPC handler for module %d (%s) method %d (%s)", call->module,
			drpc_module_name(call->module), call->method,
			drpc_method_name(call->method));
		dconn_send(conn, call->sequence,
			   known ? DRPC__STATUS__UNKNOWN_METHOD : DRPC__STATUS__UNKNOWN_MODULE,
			   NULL, 0);
		drpc__call__free_unpacked(call, &proto_allocator);
		return;
	}
	req = d_calloc(1, sizeof(*req));
	if (req == NULL) {
		dconn_send(conn, call->sequence, DRPC__STATUS__FAILURE, NULL, 0);
		drpc__call__free_unpacked(call, &proto_allocator);
		return;
	}
	req->conn = conn;
	conn->refs++;
	req->call = call;
	req->info.module = call->module;
	req->info.method = call->method;
	req->info.sequence = call->sequence;
	req->info.body = call->body.data;
	req->info.len = call->body.len;
	req->info.caller = conn->caller;
	req->info.conn_id = conn->id;
	ent->handler(req, ent->arg);
}

static void
dconn_poll_cb(uv_poll_t *h, int status, int events)
{
	struct drpc_conn *conn = h->data;
	uint8_t *msg;
	size_t mlen;
	ssize_t n;
	int rc;

	(void)events;
	if (status < 0) {
		dconn_close(conn, uv_strerror(status));
		return;
	}
	conn->refs++;
	if (dconn_flush(conn) != 0) {
		dconn_close(conn, "send failed");
		goto out;
	}
	while (!conn->closed) {
		struct iovec iov = { .iov_base = conn->pkt, .iov_len = DRPC_MAX_PACKET };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		n = recvmsg(conn->fd, &mh, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n <= 0) {
			dconn_close(conn, NULL);
			break;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			dconn_close(conn, "packet larger than 128 KiB");
			break;
		}
		rc = drpc_assembler_feed(&conn->as, conn->pkt, n, &msg, &mlen);
		if (rc == 0)
			continue;
		if (rc < 0) {
			char why[64];

			snprintf(why, sizeof(why), "bad chunk: %s", d_errdesc(rc));
			dconn_close(conn, why);
			break;
		}
		dconn_dispatch(conn, msg, mlen);
		d_free(msg);
	}
out:
	dconn_update(conn);
	dconn_put(conn);
}

static void
dlisten_cb(uv_poll_t *h, int status, int events)
{
	struct drpc_server *srv = h->data;
	struct drpc_conn *conn;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd;

	(void)events;
	if (status < 0)
		return;
	fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
		D_ERROR("cannot read dRPC peer credentials: %d", errno);
		goto out_close;
	}
	conn = d_calloc(1, sizeof(*conn));
	if (conn == NULL)
		goto out_close;
	conn->pkt = d_malloc(DRPC_MAX_PACKET);
	if (conn->pkt == NULL || uv_poll_init(srv->loop, &conn->poll, fd) != 0) {
		d_free(conn->pkt);
		d_free(conn);
		goto out_close;
	}
	conn->fd = fd;
	conn->srv = srv;
	conn->id = ++srv->next_id;
	conn->refs = 1;
	conn->caller.uid = cred.uid;
	conn->caller.gid = cred.gid;
	conn->caller.pid = cred.pid;
	D_INIT_LIST_HEAD(&conn->outq);
	conn->poll.data = conn;
	srv->nr_handles++;
	d_list_add_tail(&conn->link, &srv->conns);
	conn->events = UV_READABLE;
	uv_poll_start(&conn->poll, UV_READABLE, dconn_poll_cb);
	return;
out_close:
	close(fd);
}

int
drpc_server_start(uv_loop_t *loop, const char *path, mode_t mode, struct drpc_server **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct drpc_server *srv;
	int rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -DER_INVAL;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	srv = d_calloc(1, sizeof(*srv));
	if (srv == NULL)
		return -DER_NOMEM;
	srv->loop = loop;
	D_INIT_LIST_HEAD(&srv->handlers);
	D_INIT_LIST_HEAD(&srv->conns);
	srv->path = d_strdup(path);
	if (srv->path == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	srv->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0) {
		rc = -daos_errno2der(errno);
		goto out_free;
	}
	/* A socket file left by a dead server would make bind fail. */
	if (unlink(path) != 0 && errno != ENOENT) {
		rc = -daos_errno2der(errno);
		goto out_close;
	}
	if (bind(srv->lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || chmod(path, mode) != 0 ||
	    listen(srv->lfd, 64) != 0) {
		rc = -daos_errno2der(errno);
		goto out_close;
	}
	if (uv_poll_init(loop, &srv->listen_poll, srv->lfd) != 0) {
		rc = -DER_INVAL;
		goto out_close;
	}
	srv->listen_poll.data = srv;
	srv->nr_handles = 1;
	uv_poll_start(&srv->listen_poll, UV_READABLE, dlisten_cb);
	D_INFO("dRPC server listening on %s", path);
	*out = srv;
	return 0;
out_close:
	D_ERROR("cannot listen on dRPC socket %s: " DF_RC, path, DP_RC(rc));
	close(srv->lfd);
out_free:
	d_free(srv->path);
	d_free(srv);
	return rc;
}

int
drpc_server_register(struct drpc_server *srv, int32_t module, int32_t method,
		     drpc_handler_t handler, void *arg)
{
	struct drpc_handler_ent *ent;
	bool known;

	if (handler_find(srv, module, method, &known) != NULL)
		return -DER_EXIST;
	ent = d_calloc(1, sizeof(*ent));
	if (ent == NULL)
		return -DER_NOMEM;
	ent->module = module;
	ent->method = method;
	ent->handler = handler;
	ent->arg = arg;
	d_list_add_tail(&ent->link, &srv->handlers);
	return 0;
}

void
drpc_server_set_close_hook(struct drpc_server *srv, drpc_close_hook_t hook, void *arg)
{
	srv->close_hook = hook;
	srv->close_arg = arg;
}

static void
dlisten_closed_cb(uv_handle_t *h)
{
	struct drpc_server *srv = h->data;

	close(srv->lfd);
	dserver_put_handle(srv);
}

void
drpc_server_stop(struct drpc_server *srv)
{
	struct drpc_conn *conn;
	struct drpc_conn *tmp;

	srv->stopping = true;
	unlink(srv->path);
	d_list_for_each_entry_safe(conn, tmp, &srv->conns, link)
		dconn_close(conn, NULL);
	uv_poll_stop(&srv->listen_poll);
	uv_close((uv_handle_t *)&srv->listen_poll, dlisten_closed_cb);
}

/* ---- client ---- */

struct drpc_client {
	int fd;
	int64_t seq;
	uint8_t *pkt; /* DRPC_MAX_PACKET bytes */
};

int
drpc_client_connect(const char *path, struct drpc_client **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct drpc_client *c;
	int rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -DER_INVAL;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	c = d_calloc(1, sizeof(*c));
	if (c == NULL)
		return -DER_NOMEM;
	c->pkt = d_malloc(DRPC_MAX_PACKET);
	if (c->pkt == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		rc = -daos_errno2der(errno);
		goto out_free;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		rc = errno == ENOENT ? -DER_NONEXIST : -DER_UNREACH;
		D_ERROR("cannot connect to dRPC socket %s: " DF_RC, path, DP_RC(rc));
		close(c->fd);
		goto out_free;
	}
	*out = c;
	return 0;
out_free:
	d_free(c->pkt);
	d_free(c);
	return rc;
}

void
drpc_client_close(struct drpc_client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	d_free(c->pkt);
	d_free(c);
}

static int
client_send(struct drpc_client *c, const uint8_t *msg, size_t len, int64_t deadline)
{
	uint32_t i, nr = drpc_chunk_count(len);
	size_t plen;
	ssize_t n;
	int rc;

	if (nr > DRPC_MAX_CHUNKS)
		return -DER_INVAL;
	for (i = 0; i < nr; i++) {
		plen = drpc_chunk_encode(msg, len, i, c->pkt);
		for (;;) {
			n = send(c->fd, c->pkt, plen, MSG_NOSIGNAL);
			if (n >= 0)
				break;
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				return -DER_HG;
			rc = proto_io_wait(c->fd, PROTO_WANT_WRITE, deadline);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int
client_recv(struct drpc_client *c, int64_t deadline, uint8_t **msg, size_t *mlen)
{
	struct drpc_assembler as = { 0 };
	ssize_t n;
	int rc;

	for (;;) {
		n = recv(c->fd, c->pkt, DRPC_MAX_PACKET, MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			rc = proto_io_wait(c->fd, PROTO_WANT_READ, deadline);
			if (rc != 0)
				goto out;
			continue;
		}
		if (n <= 0) {
			rc = -DER_HG;
			goto out;
		}
		if ((size_t)n > DRPC_MAX_PACKET) {
			rc = -DER_PROTO;
			goto out;
		}
		rc = drpc_assembler_feed(&as, c->pkt, n, msg, mlen);
		if (rc == 1)
			return 0;
		if (rc < 0)
			goto out;
	}
out:
	drpc_assembler_fini(&as);
	return rc;
}

int
drpc_client_call(struct drpc_client *c, int32_t module, int32_t method, const void *body,
		 size_t len, int timeout_ms, int *status, uint8_t **reply, size_t *reply_len)
{
	Drpc__Call call = DRPC__CALL__INIT;
	int64_t deadline = proto_now_ms() + timeout_ms;
	Drpc__Response *resp = NULL;
	uint8_t *msg;
	size_t mlen;
	int rc;

	call.module = module;
	call.method = method;
	call.sequence = ++c->seq;
	call.body.data = (uint8_t *)body;
	call.body.len = len;
	mlen = drpc__call__get_packed_size(&call);
	msg = d_malloc(mlen == 0 ? 1 : mlen);
	if (msg == NULL)
		return -DER_NOMEM;
	drpc__call__pack(&call, msg);
	rc = client_send(c, msg, mlen, deadline);
	d_free(msg);
	msg = NULL;
	if (rc != 0)
		goto out;
	rc = client_recv(c, deadline, &msg, &mlen);
	if (rc != 0)
		goto out;
	resp = drpc__response__unpack(&proto_allocator, mlen, msg);
	if (resp == NULL) {
		rc = -DER_PROTO;
		goto out;
	}
	/* An undecodable call cannot tell us its sequence; the server answers 0. */
	if (resp->sequence != call.sequence &&
	    !(resp->sequence == 0 && resp->status == DRPC__STATUS__FAILED_UNMARSHAL_CALL)) {
		rc = -DER_PROTO;
		goto out;
	}
	*reply = d_malloc(resp->body.len == 0 ? 1 : resp->body.len);
	if (*reply == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	if (resp->body.len > 0)
		memcpy(*reply, resp->body.data, resp->body.len);
	*reply_len = resp->body.len;
	*status = resp->status;
out:
	if (resp != NULL)
		drpc__response__free_unpacked(resp, &proto_allocator);
	d_free(msg);
	if (rc != 0)
		D_ERROR("dRPC call %s/%s failed: " DF_RC, drpc_module_name(module),
			drpc_method_name(method), DP_RC(rc));
	return rc;
}
