/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_client.c - the blocking control client used by dmg, the agent and servers talking
 * to the MS. One call at a time per client: send a framed CtlRequest, wait for the
 * CtlResponse with the same sequence number. The socket is nonblocking underneath so
 * every wait has a deadline. Following the leader hint is the caller's job.
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

struct ctl_client {
	struct proto_io io; /* the connection */
	SSL_CTX *ctx;       /* NULL when insecure */
	char *version;      /* sent with every request */
	uint64_t seq;       /* of the last request */
};

void
proto_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	char serv[16] = "?";

	getnameinfo(sa,
		    sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					      : sizeof(struct sockaddr_in),
		    host, sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(buf, len, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

static int
tcp_connect(const struct addrinfo *ai, int64_t deadline, int *out)
{
	socklen_t slen = sizeof(int);
	int one = 1;
	int err = 0;
	int fd;
	int rc;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -daos_errno2der(errno);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			rc = -DER_UNREACH;
			goto out_close;
		}
		rc = proto_io_wait(fd, PROTO_WANT_WRITE, deadline);
		if (rc != 0)
			goto out_close;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &slen) != 0 || err != 0) {
			rc = -DER_UNREACH;
			goto out_close;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*out = fd;
	return 0;
out_close:
	close(fd);
	return rc;
}

static int
client_handshake(struct ctl_client *c, int64_t deadline)
{
	int want = 0;
	int rc;

	for (;;) {
		rc = proto_io_handshake(&c->io, false, &want);
		if (rc != -DER_AGAIN)
			return rc;
		rc = proto_io_wait(c->io.fd, want, deadline);
		if (rc != 0)
			return rc;
	}
}

int
ctl_client_connect(const char *host, uint16_t port, const struct ctl_tls_config *tls,
		   const char *version, int timeout_ms, struct ctl_client **out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
	int64_t deadline = proto_now_ms() + timeout_ms;
	struct addrinfo *res = NULL;
	struct addrinfo *ai;
	struct ctl_client *c;
	char serv[16];
	int rc;

	c = d_calloc(1, sizeof(*c));
	if (c == NULL)
		return -DER_NOMEM;
	c->io.fd = -1;
	c->version = d_strdup(version);
	if (c->version == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	if (tls != NULL) {
		rc = proto_tls_ctx_create(tls, false, &c->ctx);
		if (rc != 0)
			goto out_free;
	}
	snprintf(serv, sizeof(serv), "%u", port);
	if (getaddrinfo(host, serv, &hints, &res) != 0) {
		D_ERROR("cannot resolve control address %s:%u", host, port);
		rc = -DER_UNREACH;
		goto out_free;
	}
	rc = -DER_UNREACH;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		rc = tcp_connect(ai, deadline, &c->io.fd);
		if (rc == 0) {
			proto_addr_str(ai->ai_addr, c->io.peer, sizeof(c->io.peer));
			break;
		}
	}
	freeaddrinfo(res);
	if (rc != 0) {
		D_ERROR("cannot connect to %s:%u: " DF_RC, host, port, DP_RC(rc));
		goto out_free;
	}
	if (c->ctx != NULL) {
		c->io.ssl = SSL_new(c->ctx);
		if (c->io.ssl == NULL) {
			rc = -DER_NOMEM;
			goto out_free;
		}
		SSL_set_fd(c->io.ssl, c->io.fd);
		rc = client_handshake(c, deadline);
		if (rc != 0)
			goto out_free;
	}
	*out = c;
	return 0;
out_free:
	ctl_client_close(c);
	return rc;
}

void
ctl_client_close(struct ctl_client *c)
{
	if (c == NULL)
		return;
	if (c->io.ssl != NULL) {
		/* best effort: the socket is nonblocking and we do not wait for the answer */
		SSL_shutdown(c->io.ssl);
		SSL_free(c->io.ssl);
	}
	if (c->ctx != NULL)
		SSL_CTX_free(c->ctx);
	if (c->io.fd >= 0)
		close(c->io.fd);
	d_free(c->version);
	d_free(c);
}

void
ctl_reply_fini(struct ctl_reply *reply)
{
	d_free(reply->message);
	d_free(reply->leader_hint);
	d_free(reply->body);
	memset(reply, 0, sizeof(*reply));
}

static int
io_full(struct ctl_client *c, bool writing, uint8_t *buf, size_t len, int64_t deadline)
{
	size_t done = 0;
	ssize_t n;
	int want = 0;
	int rc;

	while (done < len) {
		if (writing)
			n = proto_io_write(&c->io, buf + done, len - done, &want);
		else
			n = proto_io_read(&c->io, buf + done, len - done, &want);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n == 0)
			return -DER_HG; /* EOF */
		if (n != -DER_AGAIN)
			return (int)n;
		rc = proto_io_wait(c->io.fd, want, deadline);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
reply_fill(struct ctl_reply *reply, const Ctl__CtlResponse *resp)
{
	reply->status = resp->status;
	reply->message = d_strdup(resp->message ? resp->message : "");
	reply->leader_hint = d_strdup(resp->leader_hint ? resp->leader_hint : "");
	reply->body = d_malloc(resp->body.len == 0 ? 1 : resp->body.len);
	if (reply->message == NULL || reply->leader_hint == NULL || reply->body == NULL) {
		ctl_reply_fini(reply);
		return -DER_NOMEM;
	}
	if (resp->body.len > 0)
		memcpy(reply->body, resp->body.data, resp->body.len);
	reply->len = resp->body.len;
	return 0;
}

int
ctl_client_call(struct ctl_client *c, uint32_t method, const void *body, size_t len, int timeout_ms,
		struct ctl_reply *reply)
{
	Ctl__CtlRequest req = CTL__CTL_REQUEST__INIT;
	int64_t deadline = proto_now_ms() + timeout_ms;
	Ctl__CtlResponse *resp = NULL;
	const uint8_t *payload;
	uint8_t hdr[CTL_FRAME_HDR];
	uint8_t *frame = NULL;
	size_t frame_len;
	size_t consumed;
	size_t n;
	int rc;

	memset(reply, 0, sizeof(*reply));
	req.method = method;
	req.seq = ++c->seq;
	req.version = c->version;
	req.body.data = (uint8_t *)body;
	req.body.len = len;
	rc = ctl_frame_encode(&req.base, &frame, &frame_len);
	if (rc != 0)
		return rc;
	rc = io_full(c, true, frame, frame_len, deadline);
	d_free(frame);
	frame = NULL;
	if (rc != 0)
		goto out;
	rc = io_full(c, false, hdr, sizeof(hdr), deadline);
	if (rc != 0)
		goto out;
	n = ((size_t)hdr[0] << 24) | ((size_t)hdr[1] << 16) | ((size_t)hdr[2] << 8) | hdr[3];
	if (n > CTL_FRAME_MAX) {
		rc = -DER_PROTO;
		goto out;
	}
	frame = d_malloc(CTL_FRAME_HDR + n);
	if (frame == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	memcpy(frame, hdr, sizeof(hdr));
	rc = io_full(c, false, frame + CTL_FRAME_HDR, n, deadline);
	if (rc != 0)
		goto out;
	rc = ctl_frame_decode(frame, CTL_FRAME_HDR + n, &payload, &n, &consumed);
	if (rc != 0)
		goto out;
	rc = ctl_response_decode(payload, n, &resp);
	if (rc != 0)
		goto out;
	if (resp->seq != req.seq) {
		D_ERROR("reply from %s has sequence %llu, expected %llu", c->io.peer,
			(unsigned long long)resp->seq, (unsigned long long)req.seq);
		rc = -DER_PROTO;
		goto out;
	}
	rc = reply_fill(reply, resp);
out:
	if (resp != NULL)
		ctl__ctl_response__free_unpacked(resp, &proto_allocator);
	d_free(frame);
	if (rc != 0)
		D_ERROR("%s call to %s failed: " DF_RC, ctl_method_name(method), c->io.peer,
			DP_RC(rc));
	return rc;
}
