/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cred.c - AUTH_SYS credentials: resolving a local identity, the token, signing and
 * verifying it.
 *
 * The agent resolves the peer's uid/gid (sec_auth_sys_resolve()), encodes the identity
 * as a token and signs it with its key: RSA-PSS over SHA-512 (sec_cred_make()). The
 * server checks the verifier with the certificate named by the credential's origin
 * (sec_cred_verify_dir()) and only then trusts the token's names. Insecure mode has no
 * keys: the verifier is the SHA-512 digest of the token, which proves nothing about who
 * made it (DAOS's allow_insecure).
 *
 * Token layout (buf.h, little-endian):
 *	u32 flavor (SEC_AUTH_SYS), u64 stamp, str machinename, str user, str group,
 *	u32 nr_groups, str group x nr_groups, str secctx (may be empty)
 * Credential layout: bytes token, bytes verifier, str origin.
 *
 * Signatures are made with the longest salt and checked with the salt length read
 * from the signature, so verifiers made by other PSS implementations also check.
 */
#define D_LOGFAC DD_FAC(security)

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>
#include <pwd.h>
#include <unistd.h>

#include "security/security_int.h"

#define SEC_NAME_MAX 1024

/* --- identity --- */

void
sec_auth_sys_free(struct sec_auth_sys *sys)
{
	size_t i;

	if (sys == NULL)
		return;
	d_free(sys->machinename);
	d_free(sys->user);
	d_free(sys->group);
	for (i = 0; i < sys->nr_groups; i++)
		d_free(sys->groups[i]);
	d_free(sys->groups);
	d_free(sys->secctx);
	d_free(sys);
}

static int
host_short_name(char **out)
{
	char host[HOST_NAME_MAX + 1] = { 0 };
	char *dot;

	if (gethostname(host, sizeof(host) - 1) != 0)
		return -daos_errno2der(errno);
	dot = strchr(host, '.');
	if (dot != NULL)
		*dot = '\0';
	*out = d_strdup(host);
	return *out == NULL ? -DER_NOMEM : 0;
}

static char *
principal_of(const char *name)
{
	char *p = NULL;

	if (d_asprintf(&p, "%s@", name) < 0)
		return NULL;
	return p;
}

/* The name of @gid as "name@" in *out; -DER_NONEXIST if the host does not know it. */
static int
gid_principal(gid_t gid, char **out)
{
	struct group grp;
	struct group *res = NULL;
	size_t len = 4096;
	char *tmp;
	int rc;

	for (;;) {
		tmp = d_malloc(len);
		if (tmp == NULL)
			return -DER_NOMEM;
		rc = getgrgid_r(gid, &grp, tmp, len, &res);
		if (rc != ERANGE || len >= (1 << 20))
			break;
		d_free(tmp);
		len *= 2;
	}
	if (rc != 0 || res == NULL) {
		d_free(tmp);
		return rc != 0 && rc != ENOENT ? -daos_errno2der(rc) : -DER_NONEXIST;
	}
	*out = principal_of(grp.gr_name);
	d_free(tmp);
	return *out == NULL ? -DER_NOMEM : 0;
}

/* Supplementary groups of @user (primary @gid excluded), unknown gids skipped. */
static int
supplementary_groups(const char *user, gid_t gid, struct sec_auth_sys *sys)
{
	gid_t *gids = NULL;
	int ngroups = 32;
	int i;
	int rc;

	for (;;) {
		gid_t *g = d_reallocarray(gids, ngroups, sizeof(*gids));
		int n = ngroups;

		if (g == NULL) {
			d_free(gids);
			return -DER_NOMEM;
		}
		gids = g;
		if (getgrouplist(user, gid, gids, &n) >= 0) {
			ngroups = n;
			break;
		}
		if (n <= ngroups || n > 65536) {
			d_free(gids);
			return -DER_MISC;
		}
		ngroups = n;
	}
	sys->groups = d_calloc(ngroups + 1, sizeof(*sys->groups));
	if (sys->groups == NULL) {
		rc = -DER_NOMEM;
		goto out_free_gids;
	}
	rc = 0;
	for (i = 0; i < ngroups; i++) {
		char *name;
		int r;

		if (gids[i] == gid)
			continue;
		r = gid_principal(gids[i], &name);
		if (r == -DER_NONEXIST)
			continue;
		if (r != 0) {
			rc = r;
			break;
		}
		sys->groups[sys->nr_groups++] = name;
	}
out_free_gids:
	d_free(gids);
	return rc;
}

static int
from_map(const struct sec_user_map_entry *e, struct sec_auth_sys *sys)
{
	size_t i;

	if (e->user == NULL || e->group == NULL || (e->nr_groups > 0 && e->groups == NULL))
		return -DER_INVAL;
	sys->user = d_strdup(e->user);
	sys->group = d_strdup(e->group);
	sys->groups = d_calloc(e->nr_groups + 1, sizeof(*sys->groups));
	if (sys->user == NULL || sys->group == NULL || sys->groups == NULL)
		return -DER_NOMEM;
	for (i = 0; i < e->nr_groups; i++) {
		sys->groups[i] = d_strdup(e->groups[i]);
		if (sys->groups[i] == NULL)
			return -DER_NOMEM;
		sys->nr_groups++;
	}
	return 0;
}

int
sec_auth_sys_resolve(uint32_t uid, uint32_t gid, sec_user_map_fn map, void *map_arg,
		     struct sec_auth_sys **out)
{
	const struct sec_user_map_entry *entry;
	struct sec_auth_sys *sys;
	struct passwd pw;
	struct passwd *res = NULL;
	size_t len = 4096;
	char *tmp;
	int rc;

	sys = d_calloc(1, sizeof(*sys));
	if (sys == NULL)
		return -DER_NOMEM;
	rc = host_short_name(&sys->machinename);
	if (rc != 0)
		goto out_free_sys;
	for (;;) {
		tmp = d_malloc(len);
		if (tmp == NULL) {
			rc = -DER_NOMEM;
			goto out_free_sys;
		}
		rc = getpwuid_r(uid, &pw, tmp, len, &res);
		if (rc != ERANGE || len >= (1 << 20))
			break;
		d_free(tmp);
		len *= 2;
	}
	if (rc != 0 || res == NULL) {
		d_free(tmp);
		/* Unknown here (a container, say): the agent's client_user_map decides. */
		entry = map != NULL ? map(map_arg, uid) : NULL;
		if (entry == NULL) {
			sec_set_error("uid %u is unknown and has no client_user_map entry", uid);
			rc = -DER_NONEXIST;
			goto out_free_sys;
		}
		rc = from_map(entry, sys);
		if (rc != 0)
			goto out_free_sys;
		*out = sys;
		return 0;
	}
	sys->user = principal_of(pw.pw_name);
	if (sys->user == NULL) {
		rc = -DER_NOMEM;
		goto out_free_tmp;
	}
	rc = gid_principal(gid, &sys->group);
	if (rc != 0) {
		sec_set_error("gid %u of uid %u is unknown", gid, uid);
		goto out_free_tmp;
	}
	rc = supplementary_groups(pw.pw_name, gid, sys);
	if (rc != 0)
		goto out_free_tmp;
	d_free(tmp);
	*out = sys;
	return 0;

out_free_tmp:
	d_free(tmp);
out_free_sys:
	sec_auth_sys_free(sys);
	return rc;
}

/* --- token --- */

static void
token_put(struct buf *b, const struct sec_auth_sys *sys)
{
	size_t i;

	buf_put_u32(b, SEC_AUTH_SYS);
	buf_put_u64(b, sys->stamp);
	buf_put_str(b, sys->machinename);
	buf_put_str(b, sys->user);
	buf_put_str(b, sys->group);
	buf_put_u32(b, sys->nr_groups);
	for (i = 0; i < sys->nr_groups; i++)
		buf_put_str(b, sys->groups[i]);
	buf_put_str(b, sys->secctx);
}

int
sec_token_encode(const struct sec_auth_sys *sys, uint8_t **out, size_t *len)
{
	struct buf b;
	uint8_t *data;
	size_t size;
	size_t i;

	if (sys == NULL || sys->user == NULL || sys->group == NULL ||
	    sys->nr_groups > SEC_CRED_MAX_GROUPS || (sys->nr_groups > 0 && sys->groups == NULL))
		return -DER_INVAL;
	for (i = 0; i < sys->nr_groups; i++)
		if (sys->groups[i] == NULL)
			return -DER_INVAL;
	/* Count the bytes, then encode into exactly that many. */
	size = 4 + 8 + 4 + 4 + 4 + 4 + 4;
	size += (sys->machinename ? strlen(sys->machinename) + 1 : 0) + strlen(sys->user) + 1 +
		strlen(sys->group) + 1 + (sys->secctx ? strlen(sys->secctx) + 1 : 0);
	for (i = 0; i < sys->nr_groups; i++)
		size += 4 + strlen(sys->groups[i]) + 1;
	data = d_malloc(size);
	if (data == NULL)
		return -DER_NOMEM;
	buf_init(&b, data, size);
	token_put(&b, sys);
	if (buf_finish(&b) != 0) {
		d_free(data);
		return -DER_INVAL;
	}
	*out = data;
	*len = size;
	return 0;
}

static int
dup_str(const char *s, char **out)
{
	if (s == NULL) {
		*out = NULL;
		return 0;
	}
	*out = d_strdup(s);
	return *out == NULL ? -DER_NOMEM : 0;
}

int
sec_token_decode(const void *data, size_t len, struct sec_auth_sys **out)
{
	struct buf in = BUF_INIT(data, len);
	struct sec_auth_sys *sys;
	const char *mach;
	const char *user;
	const char *group;
	const char *secctx;
	uint32_t nr;
	uint32_t i;
	int rc = 0;

	if (data == NULL && len > 0)
		return -DER_PROTO;
	if (buf_get_u32(&in) != SEC_AUTH_SYS)
		return -DER_PROTO;
	sys = d_calloc(1, sizeof(*sys));
	if (sys == NULL)
		return -DER_NOMEM;
	sys->stamp = buf_get_u64(&in);
	mach = buf_get_str(&in, NULL);
	user = buf_get_str(&in, NULL);
	group = buf_get_str(&in, NULL);
	nr = buf_get_u32_max(&in, SEC_CRED_MAX_GROUPS);
	/* Each group takes at least 4 bytes: size by the bytes present. */
	if (in.err != 0 || user == NULL || group == NULL || nr > buf_remaining(&in) / 4) {
		rc = -DER_PROTO;
		goto out_free_sys;
	}
	sys->groups = d_calloc(nr + 1, sizeof(*sys->groups));
	if (sys->groups == NULL) {
		rc = -DER_NOMEM;
		goto out_free_sys;
	}
	for (i = 0; i < nr && rc == 0; i++) {
		const char *g = buf_get_str(&in, NULL);

		if (g == NULL) {
			rc = -DER_PROTO;
			break;
		}
		rc = dup_str(g, &sys->groups[i]);
		if (rc == 0)
			sys->nr_groups++;
	}
	if (rc != 0)
		goto out_free_sys;
	secctx = buf_get_str(&in, NULL);
	if (buf_finish(&in) != 0) {
		rc = -DER_PROTO;
		goto out_free_sys;
	}
	rc = dup_str(mach, &sys->machinename);
	if (rc == 0)
		rc = dup_str(user, &sys->user);
	if (rc == 0)
		rc = dup_str(group, &sys->group);
	if (rc == 0)
		rc = dup_str(secctx, &sys->secctx);
	if (rc != 0)
		goto out_free_sys;
	*out = sys;
	return 0;

out_free_sys:
	sec_auth_sys_free(sys);
	return rc;
}

/* --- verifiers --- */

static int
digest(const uint8_t *data, size_t len, uint8_t *md, size_t *md_len)
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha512(), NULL) != 1)
		return -DER_MISC;
	*md_len = n;
	return 0;
}

static int
sign(EVP_PKEY *pkey, const uint8_t *data, size_t len, uint8_t **sig, size_t *sig_len)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	uint8_t *out = NULL;
	size_t n = 0;
	int rc = -DER_MISC;

	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -DER_NOMEM;
	if (EVP_DigestSignInit(ctx, &pctx, EVP_sha512(), NULL, pkey) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_MAX) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, data, len) != 1) {
		sec_set_error("could not sign: the key is not an RSA key usable with PSS");
		goto out_free_ctx;
	}
	out = d_malloc(n);
	if (out == NULL) {
		rc = -DER_NOMEM;
		goto out_free_ctx;
	}
	if (EVP_DigestSign(ctx, out, &n, data, len) != 1) {
		d_free(out);
		goto out_free_ctx;
	}
	*sig = out;
	*sig_len = n;
	rc = 0;
out_free_ctx:
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int
verify_sig(EVP_PKEY *pkey, const uint8_t *data, size_t len, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	int rc = -DER_NO_PERM;

	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -DER_NOMEM;
	if (EVP_DigestVerifyInit(ctx, &pctx, EVP_sha512(), NULL, pkey) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1 &&
	    EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* --- credentials --- */

void
sec_cred_free(struct sec_cred *cred)
{
	if (cred == NULL)
		return;
	d_free(cred->token);
	d_free(cred->verifier);
	d_free(cred->origin);
	d_free(cred);
}

int
sec_cred_make(const struct sec_auth_sys *sys, const struct sec_key *key, const char *origin,
	      struct sec_cred **out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	struct sec_cred *cred;
	size_t md_len;
	int rc;

	if (origin == NULL || out == NULL)
		return -DER_INVAL;
	cred = d_calloc(1, sizeof(*cred));
	if (cred == NULL)
		return -DER_NOMEM;
	cred->origin = d_strdup(origin);
	if (cred->origin == NULL) {
		rc = -DER_NOMEM;
		goto out_free_cred;
	}
	rc = sec_token_encode(sys, &cred->token, &cred->token_len);
	if (rc != 0)
		goto out_free_cred;
	if (key != NULL) {
		rc = sign(key->pkey, cred->token, cred->token_len, &cred->verifier,
			  &cred->verifier_len);
	} else {
		rc = digest(cred->token, cred->token_len, md, &md_len);
		if (rc == 0) {
			cred->verifier = d_malloc(md_len);
			rc = cred->verifier == NULL ? -DER_NOMEM : 0;
		}
		if (rc == 0) {
			memcpy(cred->verifier, md, md_len);
			cred->verifier_len = md_len;
		}
	}
	if (rc != 0)
		goto out_free_cred;
	*out = cred;
	return 0;

out_free_cred:
	sec_cred_free(cred);
	return rc;
}

int
sec_cred_verify(const struct sec_cred *cred, const struct sec_cert *cert, struct sec_auth_sys **out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	EVP_PKEY *pkey;
	size_t md_len;
	int rc;

	if (cred == NULL || cred->token == NULL || out == NULL)
		return -DER_INVAL;
	if (cert != NULL) {
		pkey = X509_get0_pubkey(cert->x509);
		if (pkey == NULL)
			return -DER_BAD_CERT;
		rc = verify_sig(pkey, cred->token, cred->token_len, cred->verifier,
				cred->verifier_len);
	} else {
		rc = digest(cred->token, cred->token_len, md, &md_len);
		if (rc == 0 && (cred->verifier_len != md_len ||
				CRYPTO_memcmp(md, cred->verifier, md_len) != 0))
			rc = -DER_NO_PERM;
	}
	if (rc != 0) {
		if (rc == -DER_NO_PERM)
			sec_set_error("credential from origin '%s' has a bad verifier",
				      cred->origin ? cred->origin : "");
		return rc;
	}
	return sec_token_decode(cred->token, cred->token_len, out);
}

static bool
origin_is_valid(const char *origin)
{
	size_t len;

	if (origin == NULL)
		return false;
	len = strnlen(origin, NAME_MAX + 1);
	return len > 0 && len <= NAME_MAX - 4 && strchr(origin, '/') == NULL &&
	       strcmp(origin, ".") != 0 && strcmp(origin, "..") != 0;
}

int
sec_cred_verify_dir(const struct sec_cred *cred, const char *cert_dir, struct sec_auth_sys **out)
{
	struct sec_cert *cert;
	char *path = NULL;
	int rc;

	if (cred == NULL || out == NULL)
		return -DER_INVAL;
	if (cert_dir == NULL)
		return sec_cred_verify(cred, NULL, out);
	if (!origin_is_valid(cred->origin))
		return -DER_INVAL;
	if (d_asprintf(&path, "%s/%s.crt", cert_dir, cred->origin) < 0)
		return -DER_NOMEM;
	rc = sec_cert_load(path, &cert);
	d_free(path);
	if (rc != 0)
		return rc == -DER_NOMEM ? rc : -DER_NO_CERT;
	rc = sec_cred_verify(cred, cert, out);
	sec_cert_free(cert);
	return rc;
}

size_t
sec_cred_encoded_size(const struct sec_cred *cred)
{
	return 4 + cred->token_len + 4 + cred->verifier_len + 4 +
	       (cred->origin ? strlen(cred->origin) + 1 : 0);
}

int
sec_cred_encode(const struct sec_cred *cred, struct buf *out)
{
	if (cred == NULL || cred->token == NULL || cred->origin == NULL)
		return -DER_INVAL;
	buf_put_bytes(out, cred->token, cred->token_len);
	buf_put_bytes(out, cred->verifier, cred->verifier_len);
	buf_put_str(out, cred->origin);
	return out->err;
}

int
sec_cred_decode(const void *data, size_t len, struct sec_cred **out)
{
	struct buf in = BUF_INIT(data, len);
	struct sec_cred *cred;
	const void *token;
	const void *verifier;
	const char *origin;
	size_t token_len;
	size_t verifier_len;
	int rc;

	if (data == NULL && len > 0)
		return -DER_PROTO;
	token = buf_get_bytes(&in, &token_len);
	verifier = buf_get_bytes(&in, &verifier_len);
	origin = buf_get_str(&in, NULL);
	if (buf_finish(&in) != 0 || token_len == 0 || origin == NULL ||
	    verifier_len > SEC_CRED_MAX_VERIFIER)
		return -DER_PROTO;
	cred = d_calloc(1, sizeof(*cred));
	if (cred == NULL)
		return -DER_NOMEM;
	cred->token = d_malloc(token_len);
	cred->verifier = d_malloc(verifier_len > 0 ? verifier_len : 1);
	cred->origin = d_strdup(origin);
	if (cred->token == NULL || cred->verifier == NULL || cred->origin == NULL) {
		rc = -DER_NOMEM;
		goto out_free_cred;
	}
	memcpy(cred->token, token, token_len);
	cred->token_len = token_len;
	if (verifier_len > 0)
		memcpy(cred->verifier, verifier, verifier_len);
	cred->verifier_len = verifier_len;
	*out = cred;
	return 0;

out_free_cred:
	sec_cred_free(cred);
	return rc;
}
