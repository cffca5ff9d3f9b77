/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cred_fuzz.c - libFuzzer target for the credential decoders: the input is decoded as a
 * credential (and its token) and as a bare token. Each must give 0 or an error code,
 * never a crash or a leak; decode(encode(x)) == x for both; and the insecure check of a
 * decoded credential either passes or says -DER_NO_PERM.
 */
#define D_LOGFAC DD_FAC(tests)

#include <gurt/common.h>

#include "security/security.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_token(const struct sec_auth_sys *sys, const uint8_t *data, size_t size)
{
	uint8_t *token;
	size_t len;

	if (sec_token_encode(sys, &token, &len) != 0)
		return;
	/* The encoding is canonical, so it gives back the very bytes. */
	D_ASSERT(len == size && memcmp(token, data, len) == 0);
	d_free(token);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sec_auth_sys *sys;
	struct sec_cred *cred;
	int rc;

	rc = sec_cred_decode(data, size, &cred);
	D_ASSERT(rc == 0 || rc == -DER_PROTO || rc == -DER_NOMEM);
	if (rc == 0) {
		size_t len = sec_cred_encoded_size(cred);
		uint8_t *wire = d_malloc(len);

		if (wire != NULL) {
			struct buf out = BUF_INIT(wire, len);

			D_ASSERT(sec_cred_encode(cred, &out) == 0 && out.off == len);
			D_ASSERT(len == size && memcmp(wire, data, len) == 0);
			d_free(wire);
		}
		rc = sec_cred_verify(cred, NULL, &sys);
		D_ASSERT(rc == 0 || rc == -DER_NO_PERM || rc == -DER_PROTO || rc == -DER_NOMEM);
		if (rc == 0)
			sec_auth_sys_free(sys);
		sec_cred_free(cred);
	}

	rc = sec_token_decode(data, size, &sys);
	D_ASSERT(rc == 0 || rc == -DER_PROTO || rc == -DER_NOMEM);
	if (rc == 0) {
		check_token(sys, data, size);
		sec_auth_sys_free(sys);
	}
	return 0;
}
