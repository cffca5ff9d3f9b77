/* SPDX-License-Identifier: Apache-2.0 */
/*
 * security/security.h - access control lists, AUTH_SYS credentials and certificates.
 *
 * ACLs keep DAOS's layout (struct daos_acl: a header then variable-length struct
 * daos_ace entries, each padded to 8 bytes), so the libdaos daos_acl_* and daos_ace_*
 * functions are one-line wrappers of the sec_acl_* and sec_ace_* ones here. An ACL
 * built by these functions is always in display order (owner, named users, owner
 * group, named groups, everyone) with at most one entry per principal.
 *
 * Credentials: the agent resolves a local uid/gid into a struct sec_auth_sys, encodes it
 * as a token and signs the token with its key (RSA-PSS, SHA-512); servers verify the
 * signature with <client_cert_dir>/<origin>.crt. Without keys (allow_insecure) the
 * verifier is a plain SHA-512 digest of the token.
 *
 * Certificates: files made by utils/certs/gen_certificates.sh; loading checks their
 * modes as DAOS does and reports the file and the mode required.
 *
 * Every function returns 0 or a negative DER code and sets its out parameters only on
 * success. Input that comes from outside (strings, files, bytes) is never asserted on.
 * Nothing here keeps global state except the per-thread message of sec_last_error().
 * All functions are thread-safe.
 */
#ifndef SECURITY_SECURITY_H
#define SECURITY_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/buf.h"

/* --- ACL interface facts: DAOS's daos_security.h, our public header --- */

#include <daos_security.h>

/* --- ACEs --- */

/* A new ACE for @type (with @name for USER and GROUP; ignored otherwise), no access and
 * no permissions; GROUP and OWNER_GROUP get flag G. Free with sec_ace_free(). Returns 0,
 * -DER_INVAL (bad type or name) or -DER_NOMEM. */
int sec_ace_create(enum daos_acl_principal_type type, const char *name, struct daos_ace **out);
void sec_ace_free(struct daos_ace *ace);
/* Bytes @ace occupies in an ACL. */
size_t sec_ace_size(const struct daos_ace *ace);
/* Whether @ace is internally consistent (see acl.c for the rules). */
bool sec_ace_is_valid(const struct daos_ace *ace);
/* The principal as printed: the name, or OWNER@, GROUP@, EVERYONE@. */
const char *sec_ace_principal_str(const struct daos_ace *ace);
/* Whether @name is "name@" or "name@domain" with a non-empty name, within the limit. */
bool sec_principal_is_valid(const char *name);
/*
 * Parse "TYPE:FLAGS:PRINCIPAL:PERMS" into a new ACE (free with sec_ace_free()). Returns
 * 0, -DER_NOMEM, or -DER_INVAL for any malformed or inconsistent string.
 */
int sec_ace_from_str(const char *str, struct daos_ace **out);
/*
 * Print @ace in canonical form (access AUL, flags GPSF, perms rwcdtTaAo) into @buf.
 * Returns 0, -DER_INVAL (invalid ACE, or different perms per access type) or
 * -DER_TRUNC if @len is too small.
 */
int sec_ace_to_str(const struct daos_ace *ace, char *buf, size_t len);
/* The verbose form of an ACE string, e.g. "Allow:Group:GROUP@:Read,Write". Returns 0,
 * -DER_INVAL or -DER_TRUNC. */
int sec_ace_str_verbose(const char *ace_str, char *buf, size_t len);
/*
 * Parse a principal as named by delete-acl: "u:name@", "g:name@", "OWNER@", "GROUP@" or
 * "EVERYONE@". *name is NULL for the special ones, else allocated (caller d_free()s).
 */
int sec_principal_from_str(const char *str, enum daos_acl_principal_type *type, char **name);

/* --- ACLs --- */

/*
 * A new ACL holding copies of @aces, sorted into display order (free with
 * sec_acl_free()). Returns 0, -DER_NOMEM, or -DER_INVAL if an ACE is invalid, two name
 * the same principal, or the entries exceed DAOS_ACL_MAX_ACE_LEN.
 */
int sec_acl_create(struct daos_ace *const aces[], size_t nr, struct daos_acl **out);
int sec_acl_dup(const struct daos_acl *acl, struct daos_acl **out);
void sec_acl_free(struct daos_acl *acl);
/* Header plus entries, in bytes. */
size_t sec_acl_size(const struct daos_acl *acl);
/* The entry after @cur (NULL: the first), or NULL at the end. @acl must be valid. */
struct daos_ace *sec_acl_next_ace(const struct daos_acl *acl, const struct daos_ace *cur);
/* The entry of a principal (a pointer into @acl). 0, -DER_INVAL or -DER_NONEXIST. */
int sec_acl_get_ace(const struct daos_acl *acl, enum daos_acl_principal_type type, const char *name,
		    struct daos_ace **ace);
/*
 * Add a copy of @ace in display order, replacing the entry for the same principal.
 * *@acl is reallocated (the old one freed) on success only. 0, -DER_INVAL, -DER_NOMEM.
 */
int sec_acl_add_ace(struct daos_acl **acl, const struct daos_ace *ace);
/* Remove a principal's entry; *@acl is reallocated. 0, -DER_INVAL, -DER_NONEXIST, -DER_NOMEM. */
int sec_acl_remove_ace(struct daos_acl **acl, enum daos_acl_principal_type type, const char *name);
/*
 * Check version, size limit, every entry, order and uniqueness. 0, -DER_INVAL, or
 * -DER_NOMEM (the uniqueness check allocates).
 */
int sec_acl_validate(const struct daos_acl *acl);
/* sec_acl_validate() plus: every permission is valid for a pool (rwcdt). */
int sec_acl_pool_validate(const struct daos_acl *acl);
/* sec_acl_validate() plus: every permission is valid for a container (rwdtTaAo). */
int sec_acl_cont_validate(const struct daos_acl *acl);
/* Parse @nr ACE strings into a new ACL (duplicates are -DER_INVAL). */
int sec_acl_from_strs(const char *const *strs, size_t nr, struct daos_acl **out);
/*
 * The entries as strings, in ACL order; free with sec_acl_strs_free(). 0, -DER_INVAL if
 * @acl is not valid, or -DER_NOMEM; *strs and *nr are untouched on error.
 */
int sec_acl_to_strs(const struct daos_acl *acl, char ***strs, size_t *nr);
void sec_acl_strs_free(char **strs, size_t nr);
/*
 * Parse ACL file contents: one ACE per line, lines blank or starting (after blanks) with
 * '#' are skipped, leading and trailing blanks ignored. Later entries for a principal
 * already seen are -DER_INVAL, as are bad lines and a list over the size limit.
 */
int sec_acl_from_text(const char *text, size_t len, struct daos_acl **out);
/* sec_acl_from_text() on a file. -DER_NONEXIST if missing, -DER_INVAL if over 1 MiB. */
int sec_acl_from_file(const char *path, struct daos_acl **out);
/*
 * The get-acl display: "# Owner: <owner>", "# Owner Group: <group>" (each only if
 * non-NULL), "# Entries:", then one ACE per line ("#   None" if empty); @verbose adds
 * "# <verbose form>" before each. *out is allocated; the caller d_free()s it.
 */
int sec_acl_to_text(const struct daos_acl *acl, const char *owner, const char *group, bool verbose,
		    char **out);
/* DAOS's defaults: pool A::OWNER@:rw A:G:GROUP@:rw; container A::OWNER@:rwdtTaAo A:G:GROUP@:rwtT */
int sec_acl_default_pool(struct daos_acl **out);
int sec_acl_default_cont(struct daos_acl **out);

/*
 * Binary form for storage and the wire: u16 version, u16 reserved, u32 entry bytes,
 * then per entry u8 access, u8 type, u16 name bytes, u16 flags, u16 reserved, u64
 * allow, u64 audit, u64 alarm, name bytes (all little-endian: DAOS's memory layout on
 * x86). Encoding needs sec_acl_size() bytes. Decoding checks everything
 * (sec_acl_validate()) and returns 0, -DER_NOMEM or -DER_PROTO.
 */
int sec_acl_encode(const struct daos_acl *acl, struct buf *out);
int sec_acl_decode(const void *data, size_t len, struct daos_acl **out);

/* Who asks for access. */
struct sec_subject {
	const char *user;          /* "name@" */
	const char *group;         /* primary group, "name@" */
	const char *const *groups; /* supplementary groups */
	size_t nr_groups;
};

/*
 * The ALLOW permissions @acl grants @who on an object owned by @owner and @owner_group,
 * in DAOS's order: OWNER@ if @who is the owner and it has an entry; else its named user
 * entry; else the union of matching group entries (GROUP@ if in the owner group, named
 * groups); else EVERYONE@; else nothing. Returns 0 or -DER_INVAL.
 */
int sec_acl_get_perms(const struct daos_acl *acl, const char *owner, const char *owner_group,
		      const struct sec_subject *who, uint64_t *perms);

/* --- AUTH_SYS credentials --- */

#define SEC_AUTH_SYS 1 /* the only flavor */
#define SEC_ORIGIN_AGENT "agent"
/* Limits a decoder enforces on outside bytes. */
#define SEC_CRED_MAX_GROUPS 1024
#define SEC_CRED_MAX_VERIFIER 4096

/* The identity a token carries. Names end in '@'. */
struct sec_auth_sys {
	uint64_t stamp;    /* 0 */
	char *machinename; /* short host name */
	char *user;        /* "alice@" */
	char *group;       /* "users@" */
	char **groups;     /* supplementary groups */
	size_t nr_groups;
	char *secctx; /* security label, or NULL */
};

/* A credential: token bytes (flavor + encoded auth_sys), verifier, origin. */
struct sec_cred {
	uint8_t *token;
	size_t token_len;
	uint8_t *verifier;
	size_t verifier_len;
	char *origin; /* names <client_cert_dir>/<origin>.crt */
};

struct sec_key;  /* a private key */
struct sec_cert; /* an X.509 certificate */

/* An agent's client_user_map entry for a uid unknown to the host. */
struct sec_user_map_entry {
	const char *user;          /* "name@" */
	const char *group;         /* "name@" */
	const char *const *groups; /* "name@" each */
	size_t nr_groups;
};

/* Looks up @uid in the map (or its default entry); NULL if none. */
typedef const struct sec_user_map_entry *(*sec_user_map_fn)(void *arg, uint32_t uid);

/*
 * Resolve @uid/@gid with the host's user database (name, primary group, supplementary
 * groups, machinename from gethostname) into a new auth_sys. If the uid is unknown and
 * @map returns an entry, that entry is used. Returns 0, -DER_NOMEM or -DER_NONEXIST.
 */
int sec_auth_sys_resolve(uint32_t uid, uint32_t gid, sec_user_map_fn map, void *map_arg,
			 struct sec_auth_sys **out);
void sec_auth_sys_free(struct sec_auth_sys *sys);
/* Token bytes for @sys (u32 flavor, then the fields); *out allocated. */
int sec_token_encode(const struct sec_auth_sys *sys, uint8_t **out, size_t *len);
/* Decode token bytes into a new auth_sys. 0, -DER_NOMEM or -DER_PROTO. */
int sec_token_decode(const void *data, size_t len, struct sec_auth_sys **out);

/*
 * Make a credential for @sys: the verifier is an RSA-PSS/SHA-512 signature by @key, or,
 * with @key NULL (insecure), the SHA-512 digest of the token. Free with sec_cred_free().
 */
int sec_cred_make(const struct sec_auth_sys *sys, const struct sec_key *key, const char *origin,
		  struct sec_cred **out);
void sec_cred_free(struct sec_cred *cred);
/*
 * Check @cred's verifier with @cert (NULL: insecure digest check) and decode its token
 * into *out. Returns 0, -DER_NO_PERM (verifier does not match), -DER_PROTO (malformed),
 * -DER_NOMEM.
 */
int sec_cred_verify(const struct sec_cred *cred, const struct sec_cert *cert,
		    struct sec_auth_sys **out);
/*
 * sec_cred_verify() with <cert_dir>/<origin>.crt (or the digest if @cert_dir is NULL).
 * A missing or unreadable certificate is -DER_NO_CERT; a bad origin -DER_INVAL.
 */
int sec_cred_verify_dir(const struct sec_cred *cred, const char *cert_dir,
			struct sec_auth_sys **out);
/* Wire form: bytes token, bytes verifier, string origin. */
size_t sec_cred_encoded_size(const struct sec_cred *cred);
int sec_cred_encode(const struct sec_cred *cred, struct buf *out);
/* 0, -DER_NOMEM or -DER_PROTO (also for an empty token or origin). */
int sec_cred_decode(const void *data, size_t len, struct sec_cred **out);

/* --- certificates and keys --- */

/* The most permissive modes DAOS accepts. */
#define SEC_MODE_KEY 0400       /* server and agent keys */
#define SEC_MODE_KEY_ADMIN 0440 /* dmg's key */
#define SEC_MODE_CERT 0664      /* any certificate */
#define SEC_MODE_CERT_DIR 0750  /* client_cert_dir */

/*
 * Check that @path exists and has no mode bits beyond @max. -DER_NO_CERT if it cannot
 * be stat'ed, -DER_NO_PERM if too permissive (sec_last_error() names file and mode).
 */
int sec_file_check_mode(const char *path, unsigned int max);
/* A PEM certificate, mode at most SEC_MODE_CERT. -DER_NO_CERT, -DER_NO_PERM, -DER_BAD_CERT. */
int sec_cert_load(const char *path, struct sec_cert **out);
void sec_cert_free(struct sec_cert *cert);
/* A PEM private key, mode at most @max_mode. -DER_NO_CERT, -DER_NO_PERM, -DER_BAD_CERT. */
int sec_key_load(const char *path, unsigned int max_mode, struct sec_key **out);
void sec_key_free(struct sec_key *key);
/* The client certificate directory, mode at most SEC_MODE_CERT_DIR. */
int sec_cert_dir_check(const char *dir);
/* The certificate's CN (its role: "admin", "agent", "server") into @buf. 0,
 * -DER_BAD_CERT, -DER_TRUNC. */
int sec_cert_role(const struct sec_cert *cert, char *buf, size_t len);
/* Whether @cert is signed by @ca and currently valid. 0 or -DER_BAD_CERT. */
int sec_cert_verify(const struct sec_cert *cert, const struct sec_cert *ca);
/* Whether @key is the private half of @cert. 0 or -DER_BAD_CERT. */
int sec_key_matches_cert(const struct sec_key *key, const struct sec_cert *cert);
/* What the last failing call of this thread reported ("" if none). */
const char *sec_last_error(void);

#endif /* SECURITY_SECURITY_H */
