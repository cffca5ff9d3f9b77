/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto_io.c - byte I/O on a socket that may carry TLS, shared by the control client and
 * server: nonblocking reads and writes that report what the socket must wait for, TLS
 * contexts from the caller's PEM files, and OpenSSL errors turned into DER codes (a
 * certificate refusal is -DER_NO_PERM, anything else from TLS -DER_PROTO). Sockets are
 * nonblocking; a blocking caller waits with proto_io_wait(). No state lives here.
 */
#define D_LOGFAC DD_FAC(control)

#include <errno.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "proto/proto_int.h"

int64_t
proto_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
proto_io_wait(int fd, int want, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd };
	int64_t left;
	int rc;

	pfd.events = (want & PROTO_WANT_WRITE) ? POLLOUT : POLLIN;
	for (;;) {
		left = deadline - proto_now_ms();
		if (left <= 0)
			return -DER_TIMEDOUT;
		rc = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -daos_errno2der(errno);
	}
}

/* Log the OpenSSL error queue as one line and classify its first entry. */
int
proto_tls_error(const char *what, const char *peer)
{
	unsigned long err = ERR_peek_error();
	char buf[256] = "no detail";
	int rc = -DER_PROTO;

	if (err != 0)
		ERR_error_string_n(err, buf, sizeof(buf));
	if (ERR_GET_LIB(err) == ERR_LIB_SSL) {
		switch (ERR_GET_REASON(err)) {
		case SSL_R_CERTIFICATE_VERIFY_FAILED:
		case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
		case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
		case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
		case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
		case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
		case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
		case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
			rc = -DER_NO_PERM;
			break;
		default:
			break;
		}
	}
	D_ERROR("tls %s with %s failed: %s: " DF_RC, what, peer, buf, DP_RC(rc));
	ERR_clear_error();
	return rc;
}

static int
tls_result(SSL *ssl, int n, int *want, const char *what, const char *peer)
{
	switch (SSL_get_error(ssl, n)) {
	case SSL_ERROR_WANT_READ:
		*want = PROTO_WANT_READ;
		return -DER_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		*want = PROTO_WANT_WRITE;
		return -DER_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() != 0)
			return proto_tls_error(what, peer);
		/* EOF without close_notify: the peer went away */
		return errno == 0 ? 0 : -DER_HG;
	default:
		return proto_tls_error(what, peer);
	}
}

ssize_t
proto_io_read(struct proto_io *io, void *buf, size_t len, int *want)
{
	ssize_t n;

	if (io->ssl != NULL) {
		ERR_clear_error();
		errno = 0;
		n = SSL_read(io->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
		if (n > 0)
			return n;
		return tls_result(io->ssl, (int)n, want, "read", io->peer);
	}
	n = recv(io->fd, buf, len, 0);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		*want = PROTO_WANT_READ;
		return -DER_AGAIN;
	}
	return -DER_HG;
}

ssize_t
proto_io_write(struct proto_io *io, const void *buf, size_t len, int *want)
{
	ssize_t n;

	if (io->ssl != NULL) {
		ERR_clear_error();
		errno = 0;
		n = SSL_write(io->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
		if (n > 0)
			return n;
		n = tls_result(io->ssl, (int)n, want, "write", io->peer);
		return n == 0 ? -DER_HG : n;
	}
	n = send(io->fd, buf, len, MSG_NOSIGNAL);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		*want = PROTO_WANT_WRITE;
		return -DER_AGAIN;
	}
	return -DER_HG;
}

int
proto_io_handshake(struct proto_io *io, bool server, int *want)
{
	int n;

	ERR_clear_error();
	errno = 0;
	n = server ? SSL_accept(io->ssl) : SSL_connect(io->ssl);
	if (n == 1)
		return 0;
	n = tls_result(io->ssl, n, want, "handshake", io->peer);
	return n == 0 ? -DER_HG : n;
}

int
proto_tls_ctx_create(const struct ctl_tls_config *tls, bool server, SSL_CTX **out)
{
	SSL_CTX *ctx;
	int rc = -DER_INVAL;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL)
		return -DER_NOMEM;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* A peer that hangs up without close_notify has simply gone: plain EOF. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (tls->ca_file == NULL || SSL_CTX_load_verify_locations(ctx, tls->ca_file, NULL) != 1) {
		D_ERROR("cannot load CA certificate %s", tls->ca_file ? tls->ca_file : "(none)");
		goto out_free;
	}
	if (tls->cert_file != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx, tls->cert_file) != 1) {
			D_ERROR("cannot load certificate %s", tls->cert_file);
			goto out_free;
		}
		if (tls->key_file == NULL ||
		    SSL_CTX_use_PrivateKey_file(ctx, tls->key_file, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			D_ERROR("cannot load private key %s for %s",
				tls->key_file ? tls->key_file : "(none)", tls->cert_file);
			goto out_free;
		}
	} else if (server) {
		D_ERROR("a TLS server needs a certificate");
		goto out_free;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
			   NULL);
	*out = ctx;
	ERR_clear_error();
	return 0;
out_free:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return rc;
}
