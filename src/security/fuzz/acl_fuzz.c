/* SPDX-License-Identifier: Apache-2.0 */
/*
 * acl_fuzz.c - libFuzzer target for the ACL decoders: the input is parsed as one ACE
 * string, as ACL file contents and as the binary form. Each must give 0 or an error
 * code, never a crash or a leak. What parses must survive printing and encoding:
 * ACE from_str(to_str(x)) == x, and for lists decode(encode(x)) == x byte for byte.
 */
#define D_LOGFAC DD_FAC(tests)

#include <gurt/common.h>

#include "security/security.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_acl(const struct daos_acl *acl)
{
	struct daos_acl *again;
	struct daos_ace *ace = NULL;
	size_t len = sec_acl_size(acl);
	uint8_t *wire;
	struct buf out;
	char str[DAOS_ACL_MAX_ACE_STR_LEN + 1];
	char *text;

	D_ASSERT(sec_acl_validate(acl) == 0);
	wire = d_malloc(len);
	if (wire == NULL)
		return;
	buf_init(&out, wire, len);
	D_ASSERT(sec_acl_encode(acl, &out) == 0 && out.off == len);
	if (sec_acl_decode(wire, len, &again) == 0) {
		D_ASSERT(sec_acl_size(again) == len && memcmp(again, acl, len) == 0);
		sec_acl_free(again);
	}
	d_free(wire);
	/* Entries from strings print back to strings that parse to the same entry. */
	while ((ace = sec_acl_next_ace(acl, ace)) != NULL) {
		struct daos_ace *copy;

		if (sec_ace_to_str(ace, str, sizeof(str)) != 0)
			continue; /* differing perms per access type: no string form */
		if (sec_ace_from_str(str, &copy) == 0) {
			D_ASSERT(sec_ace_size(copy) == sec_ace_size(ace));
			D_ASSERT(memcmp(copy, ace, sec_ace_size(ace)) == 0);
			sec_ace_free(copy);
		}
	}
	if (sec_acl_to_text(acl, "owner@", "group@", true, &text) == 0)
		d_free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daos_acl *acl;
	struct daos_ace *ace;
	char *str;
	int rc;

	str = d_strndup((const char *)data, size);
	if (str != NULL) {
		rc = sec_ace_from_str(str, &ace);
		D_ASSERT(rc == 0 || rc == -DER_INVAL || rc == -DER_NOMEM);
		if (rc == 0) {
			char out[DAOS_ACL_MAX_ACE_STR_LEN + 1];
			struct daos_ace *again;

			D_ASSERT(sec_ace_is_valid(ace));
			D_ASSERT(sec_ace_to_str(ace, out, sizeof(out)) == 0);
			if (sec_ace_from_str(out, &again) == 0) {
				D_ASSERT(memcmp(again, ace, sec_ace_size(ace)) == 0);
				sec_ace_free(again);
			}
			sec_ace_free(ace);
		}
		d_free(str);
	}

	rc = sec_acl_from_text((const char *)data, size, &acl);
	D_ASSERT(rc == 0 || rc == -DER_INVAL || rc == -DER_NOMEM);
	if (rc == 0) {
		check_acl(acl);
		sec_acl_free(acl);
	}

	rc = sec_acl_decode(data, size, &acl);
	D_ASSERT(rc == 0 || rc == -DER_PROTO || rc == -DER_NOMEM);
	if (rc == 0) {
		check_acl(acl);
		sec_acl_free(acl);
	}
	return 0;
}
