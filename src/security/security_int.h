/* SPDX-License-Identifier: Apache-2.0 */
/*
 * security/security_int.h - private to src/security: the OpenSSL-backed key and
 * certificate types and the per-thread error message.
 */
#ifndef SECURITY_SECURITY_INT_H
#define SECURITY_SECURITY_INT_H

#include <gurt/common.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "security/security.h"

struct sec_key {
	EVP_PKEY *pkey; /* owned */
};

struct sec_cert {
	X509 *x509; /* owned */
};

/* Record the message sec_last_error() returns, and log it. */
void sec_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SECURITY_SECURITY_INT_H */
