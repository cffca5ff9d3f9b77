/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_server.c - the control server on a libuv loop (daos_server's listener).
 *
 * Each connection is a nonblocking socket watched with a uv_poll_t; TLS handshakes,
 * reads and writes are driven by SSL_ERROR_WANT_READ/WRITE. Input accumulates in a
 * buffer until a whole frame is there (at most CTL_FRAME_MAX); output is a buffer flushed
 * whenever the socket is writable. A decoded request is checked (version, then the
 * caller's role against ctl_method_allowed() when TLS is on) and handed to the handler
 * as a struct ctl_req, which the handler answers with ctl_req_reply() now or later.
 *
 * Lifetime: a connection holds one reference while open and one per unanswered request,
 * so a late reply to a closed connection finds it and is dropped. Malformed input closes
 * only that connection. Everything runs on the loop thread; there are no locks.
 */
#define D_LOGFAC DD_FAC(control)

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/proto_int.h"

#define CTL_READ_CHUNK (64u << 10)

struct ctl_server {
	uv_loop_t *loop;       /* the owner's loop */
	uv_poll_t listen_poll; /* on lfd */
	int lfd;               /* listening socket */
	uint16_t port;         /* bound port */
	SSL_CTX *ctx;          /* NULL when insecure */
	char *version;         /* ours, compared with each request's */
	ctl_handler_t handler; /* for authorised requests */
	void *arg;             /* handler's */
	d_list_t conns;        /* struct ctl_conn.link */
	int nr_handles;        /* open uv handles; freed at 0 once stopping */
	bool stopping;         /* ctl_server_stop() called */
};

struct ctl_conn {
	d_list_t link;          /* in server->conns while open */
	struct ctl_server *srv; /* valid while !closed */
	uv_poll_t poll;         /* on io.fd */
	struct proto_io io;     /* socket and TLS */
	bool handshaking;       /* TLS handshake not done */
	bool closed;            /* close started; replies dropped */
	int want;               /* PROTO_WANT_* the TLS layer waits for */
	int events;             /* current poll events */
	enum ctl_role role;     /* from the peer certificate */
	int refs;               /* 1 while open + 1 per pending request */
	uint8_t *in;            /* received bytes */
	size_t in_len;          /* bytes in @in */
	size_t in_cap;          /* its size */
	uint8_t *out;           /* bytes to send */
	size_t out_off;         /* already sent */
	size_t out_len;         /* bytes in @out */
	size_t out_cap;         /* its size */
	uint8_t drain[4096];    /* for input discarded at close */
};

struct ctl_req {
	struct ctl_conn *conn; /* holds a reference */
	Ctl__CtlRequest *msg;  /* decoded request */
	struct ctl_req_info info;
};

static void conn_close(struct ctl_conn *conn, const char *why);
static void conn_update(struct ctl_conn *conn);
static void conn_poll_cb(uv_poll_t *h, int status, int events);

static void
server_put_handle(struct ctl_server *srv)
{
	srv->nr_handles--;
	if (srv->stopping && srv->nr_handles == 0) {
		if (srv->ctx != NULL)
			SSL_CTX_free(srv->ctx);
		d_free(srv->version);
		d_free(srv);
	}
}

static void
conn_put(struct ctl_conn *conn)
{
	D_ASSERT(conn->refs > 0);
	if (--conn->refs > 0)
		return;
	if (conn->io.ssl != NULL)
		SSL_free(conn->io.ssl);
	d_free(conn->in);
	d_free(conn->out);
	d_free(conn);
}

static void
conn_closed_cb(uv_handle_t *h)
{
	struct ctl_conn *conn = h->data;
	struct ctl_server *srv = conn->srv;

	close(conn->io.fd);
	conn->srv = NULL;
	server_put_handle(srv);
	conn_put(conn);
}

static void
conn_close(struct ctl_conn *conn, const char *why)
{
	if (conn->closed)
		return;
	if (why != NULL)
		D_WARN("closing control connection from %s: %s", conn->io.peer, why);
	conn->closed = true;
	/*
	 * Send our FIN after any TLS alert and read what the peer already sent: closing
	 * with unread input would reset the connection, and a reset can overtake the
	 * alert that tells the peer why.
	 */
	if (conn->io.ssl != NULL && !conn->handshaking)
		SSL_shutdown(conn->io.ssl);
	shutdown(conn->io.fd, SHUT_WR);
	while (recv(conn->io.fd, conn->drain, sizeof(conn->drain), MSG_DONTWAIT) > 0)
		;
	d_list_del_init(&conn->link);
	uv_poll_stop(&conn->poll);
	uv_close((uv_handle_t *)&conn->poll, conn_closed_cb);
}

/* Append @len bytes to the output buffer. */
static int
out_append(struct ctl_conn *conn, const uint8_t *buf, size_t len)
{
	size_t need = conn->out_len + len;
	uint8_t *p;

	if (need > conn->out_cap) {
		p = d_realloc(conn->out, need);
		if (p == NULL)
			return -DER_NOMEM;
		conn->out = p;
		conn->out_cap = need;
	}
	memcpy(conn->out + conn->out_len, buf, len);
	conn->out_len = need;
	return 0;
}

/* Send what we can; 0 or an error that must close the connection. */
static int
conn_flush(struct ctl_conn *conn)
{
	ssize_t n;
	int want = 0;

	while (conn->out_off < conn->out_len) {
		n = proto_io_write(&conn->io, conn->out + conn->out_off,
				   conn->out_len - conn->out_off, &want);
		if (n == -DER_AGAIN) {
			conn->want |= want;
			return 0;
		}
		if (n < 0)
			return (int)n;
		conn->out_off += n;
	}
	conn->out_off = 0;
	conn->out_len = 0;
	return 0;
}

static void
send_response(struct ctl_conn *conn, uint64_t seq, int status, const char *message,
	      const char *leader_hint, const void *body, size_t len)
{
	Ctl__CtlResponse resp = CTL__CTL_RESPONSE__INIT;
	uint8_t *frame;
	size_t frame_len;
	int rc;

	resp.seq = seq;
	resp.status = status;
	resp.message = (char *)(message ? message : "");
	resp.leader_hint = (char *)(leader_hint ? leader_hint : "");
	resp.body.data = (uint8_t *)body;
	resp.body.len = len;
	rc = ctl_frame_encode(&resp.base, &frame, &frame_len);
	if (rc == 0) {
		rc = out_append(conn, frame, frame_len);
		d_free(frame);
	}
	if (rc == 0)
		rc = conn_flush(conn);
	if (rc != 0) {
		D_ERROR("cannot send reply to %s: " DF_RC, conn->io.peer, DP_RC(rc));
		conn_close(conn, NULL);
		return;
	}
	conn_update(conn);
}

const struct ctl_req_info *
ctl_req_info(const struct ctl_req *req)
{
	return &req->info;
}

void
ctl_req_reply(struct ctl_req *req, int status, const char *message, const char *leader_hint,
	      const void *body, size_t len)
{
	struct ctl_conn *conn = req->conn;

	if (!conn->closed)
		send_response(conn, req->msg->seq, status, message, leader_hint, body, len);
	else
		D_DEBUG(DB_MGMT, "dropping %s reply: connection from %s closed",
			ctl_method_name(req->info.method), conn->io.peer);
	ctl__ctl_request__free_unpacked(req->msg, &proto_allocator);
	d_free(req);
	conn_put(conn);
}

/* Handle one frame's payload; returns an error only for malformed input. */
static int
conn_dispatch(struct ctl_conn *conn, const uint8_t *payload, size_t len)
{
	struct ctl_server *srv = conn->srv;
	Ctl__CtlRequest *msg;
	struct ctl_req *req;
	int rc;

	rc = ctl_request_decode(payload, len, &msg);
	if (rc != 0)
		return rc;
	if (strcmp(msg->version, srv->version) != 0) {
		char msgbuf[256];

		snprintf(msgbuf, sizeof(msgbuf),
			 "control version mismatch: client %.100s, server %.100s", msg->version,
			 srv->version);
		D_ERROR("rejecting request from %s: %s", conn->io.peer, msgbuf);
		send_response(conn, msg->seq, -DER_CONTROL_INCOMPAT, msgbuf, NULL, NULL, 0);
		goto out_free;
	}
	if (srv->ctx != NULL && !ctl_method_allowed(msg->method, conn->role)) {
		char msgbuf[256];

		snprintf(msgbuf, sizeof(msgbuf), "method %s (%u) not allowed for role %s",
			 ctl_method_name(msg->method), msg->method, ctl_role_name(conn->role));
		D_ERROR("rejecting request from %s: %s", conn->io.peer, msgbuf);
		send_response(conn, msg->seq, -DER_NO_PERM, msgbuf, NULL, NULL, 0);
		goto out_free;
	}
	req = d_calloc(1, sizeof(*req));
	if (req == NULL) {
		send_response(conn, msg->seq, -DER_NOMEM, "out of memory", NULL, NULL, 0);
		goto out_free;
	}
	req->conn = conn;
	conn->refs++;
	req->msg = msg;
	req->info.method = msg->method;
	req->info.body = msg->body.data;
	req->info.len = msg->body.len;
	req->info.role = conn->role;
	req->info.peer = conn->io.peer;
	srv->handler(req, srv->arg);
	return 0;
out_free:
	ctl__ctl_request__free_unpacked(msg, &proto_allocator);
	return 0;
}

static int
conn_handshake_done(struct ctl_conn *conn)
{
	X509 *cert = SSL_get_peer_certificate(conn->io.ssl);
	char cn[64] = "";

	conn->handshaking = false;
	if (cert == NULL)
		return -DER_NO_PERM; /* SSL_VERIFY_FAIL_IF_NO_PEER_CERT makes this unreachable */
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn)) <
	    0)
		cn[0] = '\0';
	X509_free(cert);
	conn->role = ctl_role_from_cn(cn);
	D_DEBUG(DB_SEC, "control connection from %s: CN '%s', role %s", conn->io.peer, cn,
		ctl_role_name(conn->role));
	return 0;
}

/* Read what is there and dispatch every complete frame. */
static int
conn_read(struct ctl_conn *conn)
{
	const uint8_t *payload;
	size_t consumed;
	size_t off;
	size_t len;
	ssize_t n;
	uint8_t *p;
	int want = 0;
	int rc;

	for (;;) {
		if (conn->in_cap - conn->in_len < CTL_READ_CHUNK) {
			p = d_realloc(conn->in, conn->in_cap + CTL_READ_CHUNK);
			if (p == NULL)
				return -DER_NOMEM;
			conn->in = p;
			conn->in_cap += CTL_READ_CHUNK;
		}
		n = proto_io_read(&conn->io, conn->in + conn->in_len, conn->in_cap - conn->in_len,
				  &want);
		if (n == -DER_AGAIN) {
			conn->want |= want;
			return 0;
		}
		if (n == 0)
			return -DER_HG;
		if (n < 0)
			return (int)n;
		conn->in_len += n;
		off = 0;
		while (!conn->closed) {
			rc = ctl_frame_decode(conn->in + off, conn->in_len - off, &payload, &len,
					      &consumed);
			if (rc == -DER_AGAIN)
				break;
			if (rc != 0)
				return rc;
			rc = conn_dispatch(conn, payload, len);
			if (rc != 0)
				return rc;
			off += consumed;
		}
		if (conn->closed)
			return 0;
		memmove(conn->in, conn->in + off, conn->in_len - off);
		conn->in_len -= off;
		/* Keep a big idle buffer from lingering after a large request. */
		if (conn->in_len == 0 && conn->in_cap > 4 * CTL_READ_CHUNK) {
			d_free(conn->in);
			conn->in = NULL;
			conn->in_cap = 0;
		}
	}
}

static void
conn_update(struct ctl_conn *conn)
{
	int events = UV_READABLE;

	if (conn->closed)
		return;
	if (conn->out_len > conn->out_off || (conn->want & PROTO_WANT_WRITE))
		events |= UV_WRITABLE;
	if (events != conn->events) {
		conn->events = events;
		uv_poll_start(&conn->poll, events, conn_poll_cb);
	}
}

static void
conn_poll_cb(uv_poll_t *h, int status, int events)
{
	struct ctl_conn *conn = h->data;
	int want = 0;
	int rc;

	(void)events;
	if (status < 0) {
		conn_close(conn, uv_strerror(status));
		return;
	}
	conn->want = 0;
	conn->refs++; /* a handler may close us */
	if (conn->handshaking) {
		rc = proto_io_handshake(&conn->io, true, &want);
		if (rc == -DER_AGAIN) {
			conn->want = want;
			goto out;
		}
		if (rc == 0)
			rc = conn_handshake_done(conn);
		if (rc != 0) {
			conn_close(conn, "tls handshake failed");
			goto out;
		}
	}
	rc = conn_flush(conn);
	if (rc == 0 && !conn->closed)
		rc = conn_read(conn);
	if (rc == -DER_HG && conn->in_len == 0) {
		conn_close(conn, NULL); /* a clean hang-up between requests */
		goto out;
	}
	if (rc != 0) {
		char why[128];

		snprintf(why, sizeof(why), "%s", d_errdesc(rc));
		conn_close(conn, why);
		goto out;
	}
out:
	conn_update(conn);
	conn_put(conn);
}

static void
listen_cb(uv_poll_t *h, int status, int events)
{
	struct ctl_server *srv = h->data;
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	struct ctl_conn *conn;
	int one = 1;
	int fd;

	(void)events;
	if (status < 0)
		return;
	fd = accept4(srv->lfd, (struct sockaddr *)&ss, &slen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn = d_calloc(1, sizeof(*conn));
	if (conn == NULL)
		goto out_close;
	conn->io.fd = fd;
	conn->srv = srv;
	conn->refs = 1;
	proto_addr_str((struct sockaddr *)&ss, conn->io.peer, sizeof(conn->io.peer));
	if (srv->ctx != NULL) {
		conn->io.ssl = SSL_new(srv->ctx);
		if (conn->io.ssl == NULL)
			goto out_free;
		SSL_set_fd(conn->io.ssl, fd);
		conn->handshaking = true;
	}
	if (uv_poll_init(srv->loop, &conn->poll, fd) != 0)
		goto out_free;
	conn->poll.data = conn;
	srv->nr_handles++;
	d_list_add_tail(&conn->link, &srv->conns);
	conn->events = UV_READABLE;
	uv_poll_start(&conn->poll, UV_READABLE, conn_poll_cb);
	D_DEBUG(DB_MGMT, "control connection from %s", conn->io.peer);
	return;
out_free:
	if (conn->io.ssl != NULL)
		SSL_free(conn->io.ssl);
	d_free(conn);
out_close:
	close(fd);
}

int
ctl_server_start(uv_loop_t *loop, const char *host, uint16_t port, const struct ctl_tls_config *tls,
		 const char *version, ctl_handler_t handler, void *arg, struct ctl_server **out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	struct addrinfo *res = NULL;
	struct ctl_server *srv;
	char serv[16];
	int one = 1;
	int rc;

	srv = d_calloc(1, sizeof(*srv));
	if (srv == NULL)
		return -DER_NOMEM;
	srv->lfd = -1;
	srv->loop = loop;
	srv->handler = handler;
	srv->arg = arg;
	D_INIT_LIST_HEAD(&srv->conns);
	srv->version = d_strdup(version);
	if (srv->version == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	if (tls != NULL) {
		rc = proto_tls_ctx_create(tls, true, &srv->ctx);
		if (rc != 0)
			goto out_free;
	}
	snprintf(serv, sizeof(serv), "%u", port);
	if (getaddrinfo(host, serv, &hints, &res) != 0) {
		D_ERROR("cannot resolve control listen address %s", host ? host : "*");
		rc = -DER_INVAL;
		goto out_free;
	}
	srv->lfd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0) {
		rc = -daos_errno2der(errno);
		goto out_free;
	}
	setsockopt(srv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(srv->lfd, res->ai_addr, res->ai_addrlen) != 0 || listen(srv->lfd, 128) != 0 ||
	    getsockname(srv->lfd, (struct sockaddr *)&ss, &slen) != 0) {
		rc = -daos_errno2der(errno);
		D_ERROR("cannot listen on %s:%u: " DF_RC, host ? host : "*", port, DP_RC(rc));
		goto out_free;
	}
	srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						   : ((struct sockaddr_in *)&ss)->sin_port);
	rc = uv_poll_init(loop, &srv->listen_poll, srv->lfd);
	if (rc != 0) {
		rc = -DER_INVAL;
		goto out_free;
	}
	srv->listen_poll.data = srv;
	srv->nr_handles = 1;
	uv_poll_start(&srv->listen_poll, UV_READABLE, listen_cb);
	freeaddrinfo(res);
	D_INFO("control server listening on port %u (%s)", srv->port, tls ? "tls" : "insecure");
	*out = srv;
	return 0;
out_free:
	if (res != NULL)
		freeaddrinfo(res);
	if (srv->lfd >= 0)
		close(srv->lfd);
	if (srv->ctx != NULL)
		SSL_CTX_free(srv->ctx);
	d_free(srv->version);
	d_free(srv);
	return rc;
}

uint16_t
ctl_server_port(const struct ctl_server *srv)
{
	return srv->port;
}

static void
listen_closed_cb(uv_handle_t *h)
{
	struct ctl_server *srv = h->data;

	close(srv->lfd);
	server_put_handle(srv);
}

void
ctl_server_stop(struct ctl_server *srv)
{
	struct ctl_conn *conn;
	struct ctl_conn *tmp;

	srv->stopping = true;
	d_list_for_each_entry_safe(conn, tmp, &srv->conns, link)
		conn_close(conn, NULL);
	uv_poll_stop(&srv->listen_poll);
	uv_close((uv_handle_t *)&srv->listen_poll, listen_closed_cb);
}
