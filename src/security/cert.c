/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cert.c - certificates and keys from utils/certs/gen_certificates.sh: loading with
 * DAOS's file mode checks, the role (CN) of a certificate, chain and key checks, and
 * the per-thread error message.
 *
 * A file is too permissive when it has any mode bit its ceiling lacks: keys of servers
 * and agents at most 0400, dmg's at most 0440, certificates 0664, the client
 * certificate directory 0750. Such a file is refused with -DER_NO_PERM and a message
 * naming it and the mode required, which daemons print at start-up. Which role may call
 * which method is the transport's business; this file only says what the role is.
 */
#define D_LOGFAC DD_FAC(security)

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "security/security_int.h"

static __thread char last_error[512];

void
sec_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	D_INFO("%s\n", last_error);
}

const char *
sec_last_error(void)
{
	return last_error;
}

static int
check_mode(const char *path, unsigned int max, bool want_dir)
{
	struct stat st;
	unsigned int mode;

	if (path == NULL)
		return -DER_INVAL;
	if (stat(path, &st) != 0) {
		sec_set_error("could not access %s: %s", path, strerror(errno));
		return -DER_NO_CERT;
	}
	if (want_dir != !!S_ISDIR(st.st_mode)) {
		sec_set_error("%s is not a %s", path, want_dir ? "directory" : "regular file");
		return -DER_NO_CERT;
	}
	mode = st.st_mode & 07777;
	if (mode & ~max) {
		sec_set_error("%s has permissions %04o but must have at most %04o", path, mode,
			      max);
		return -DER_NO_PERM;
	}
	return 0;
}

int
sec_file_check_mode(const char *path, unsigned int max)
{
	return check_mode(path, max, false);
}

int
sec_cert_dir_check(const char *dir)
{
	return check_mode(dir, SEC_MODE_CERT_DIR, true);
}

/* Check @path's mode against @max_mode and open it; @what names it in errors. */
static int
pem_open(const char *path, unsigned int max_mode, const char *what, FILE **f)
{
	int rc = sec_file_check_mode(path, max_mode);

	if (rc != 0)
		return rc;
	*f = fopen(path, "r");
	if (*f == NULL) {
		sec_set_error("could not open %s %s: %s", what, path, strerror(errno));
		return -DER_NO_CERT;
	}
	return 0;
}

int
sec_cert_load(const char *path, struct sec_cert **out)
{
	struct sec_cert *cert;
	FILE *f;
	int rc;

	rc = pem_open(path, SEC_MODE_CERT, "certificate", &f);
	if (rc != 0)
		return rc;
	cert = d_calloc(1, sizeof(*cert));
	if (cert == NULL) {
		rc = -DER_NOMEM;
		goto out_close;
	}
	cert->x509 = PEM_read_X509(f, NULL, NULL, NULL);
	if (cert->x509 == NULL) {
		ERR_clear_error();
		sec_set_error("%s holds no PEM certificate", path);
		d_free(cert);
		rc = -DER_BAD_CERT;
		goto out_close;
	}
	*out = cert;
out_close:
	fclose(f);
	return rc;
}

void
sec_cert_free(struct sec_cert *cert)
{
	if (cert == NULL)
		return;
	X509_free(cert->x509);
	d_free(cert);
}

int
sec_key_load(const char *path, unsigned int max_mode, struct sec_key **out)
{
	struct sec_key *key;
	FILE *f;
	int rc;

	rc = pem_open(path, max_mode, "key", &f);
	if (rc != 0)
		return rc;
	key = d_calloc(1, sizeof(*key));
	if (key == NULL) {
		rc = -DER_NOMEM;
		goto out_close;
	}
	key->pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (key->pkey == NULL) {
		ERR_clear_error();
		sec_set_error("%s holds no unencrypted PEM private key", path);
		d_free(key);
		rc = -DER_BAD_CERT;
		goto out_close;
	}
	*out = key;
out_close:
	fclose(f);
	return rc;
}

void
sec_key_free(struct sec_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	d_free(key);
}

int
sec_cert_role(const struct sec_cert *cert, char *buf, size_t len)
{
	const X509_NAME *name;
	const ASN1_STRING *cn;
	const unsigned char *data;
	int idx;
	int n;

	if (cert == NULL || buf == NULL)
		return -DER_INVAL;
	name = X509_get_subject_name(cert->x509);
	idx = name != NULL ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	if (idx < 0)
		return -DER_BAD_CERT;
	cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
	if (cn == NULL)
		return -DER_BAD_CERT;
	data = ASN1_STRING_get0_data(cn);
	n = ASN1_STRING_length(cn);
	if (n <= 0 || memchr(data, '\0', n) != NULL)
		return -DER_BAD_CERT;
	if ((size_t)n >= len)
		return -DER_TRUNC;
	memcpy(buf, data, n);
	buf[n] = '\0';
	return 0;
}

int
sec_cert_verify(const struct sec_cert *cert, const struct sec_cert *ca)
{
	X509_STORE_CTX *ctx = NULL;
	X509_STORE *store;
	int rc = -DER_BAD_CERT;

	if (cert == NULL || ca == NULL)
		return -DER_INVAL;
	store = X509_STORE_new();
	if (store == NULL)
		return -DER_NOMEM;
	if (X509_STORE_add_cert(store, ca->x509) != 1)
		goto out_free_store;
	ctx = X509_STORE_CTX_new();
	if (ctx == NULL) {
		rc = -DER_NOMEM;
		goto out_free_store;
	}
	if (X509_STORE_CTX_init(ctx, store, cert->x509, NULL) != 1)
		goto out_free_ctx;
	if (X509_verify_cert(ctx) == 1)
		rc = 0;
	else
		sec_set_error("certificate not signed by the CA: %s",
			      X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out_free_ctx:
	X509_STORE_CTX_free(ctx);
out_free_store:
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

int
sec_key_matches_cert(const struct sec_key *key, const struct sec_cert *cert)
{
	int rc;

	if (key == NULL || cert == NULL)
		return -DER_INVAL;
	rc = X509_check_private_key(cert->x509, key->pkey) == 1 ? 0 : -DER_BAD_CERT;
	ERR_clear_error();
	return rc;
}
