/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto/proto_int.h - private to src/proto: socket I/O with optional TLS (proto_io.c).
 */
#ifndef PROTO_PROTO_INT_H
#define PROTO_PROTO_INT_H

#include <openssl/ssl.h>

#include "proto/proto.h"

#define PROTO_WANT_READ 1
#define PROTO_WANT_WRITE 2

/* One socket, with TLS when @ssl is set. */
struct proto_io {
	int fd;        /* nonblocking socket */
	SSL *ssl;      /* NULL: plain TCP */
	char peer[64]; /* "addr:port", for logs */
};

int64_t proto_now_ms(void);
/* Wait until @fd is ready for @want (PROTO_WANT_*) or @deadline (ms, monotonic). */
int proto_io_wait(int fd, int want, int64_t deadline);
/* >0 bytes moved, 0 on EOF (read only), -DER_AGAIN with *want set, or an error. */
ssize_t proto_io_read(struct proto_io *io, void *buf, size_t len, int *want);
ssize_t proto_io_write(struct proto_io *io, const void *buf, size_t len, int *want);
/* One step of the TLS handshake: 0 when done, -DER_AGAIN with *want, or an error. */
int proto_io_handshake(struct proto_io *io, bool server, int *want);
int proto_tls_error(const char *what, const char *peer);
int proto_tls_ctx_create(const struct ctl_tls_config *tls, bool server, SSL_CTX **out);
/* "addr:port" of @sa into @buf. */
void proto_addr_str(const struct sockaddr *sa, char *buf, size_t len);

#endif /* PROTO_PROTO_INT_H */
