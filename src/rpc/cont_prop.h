/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpc/cont_prop.h - the container property table and the parser of property strings:
 * every key of `daos container create --properties`, `get-prop` and `set-prop`, with
 * DAOS's names, descriptions and DAOS_PROP_CO_* types, and the lists those strings
 * become. The daos CLI and libdaos (daos_prop_from_str()) both parse with it, so the two
 * syntaxes accept the same keys and values:
 *
 *	daos container create --properties label:c1,cksum:crc32	(',' between pairs)
 *	daos_prop_from_str("label:c1;cksum:crc32;", len, &prop)	(';', one may end it)
 *
 * A row holds a struct pool_prop_def (rpc/pool_prop.h), so values of the common kinds
 * (labels, choices, numbers, byte sizes) parse with the pool table's rules; the kinds only
 * containers have (health, ACL, owner, root objects) are parsed or refused here. Display
 * (get-prop's table, ACL text, OIDs) is the CLI's (control/daos/dcli_prop.c).
 *
 * Lists built here are daos_prop_t whose entries, strings and ACLs come from d_calloc
 * (gurt), so that a program without libdaos (the CLI's tests) can build and free them:
 * cont_props_fini() frees them, and so does daos_prop_free() for a list whose daos_prop_t
 * itself was d_calloc'd. Keys and values are untrusted: errors are a code and one line in
 * @err naming the property. No global state: thread-safe.
 */
#ifndef RPC_CONT_PROP_H
#define RPC_CONT_PROP_H

#include <daos_prop.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/pool_prop.h"

struct daos_acl; /* daos_security.h; security/security.h defines it too */

/* How a container property's value is held and shown, beyond def's value rules. */
enum cont_prop_kind {
	CONT_PROP_VALUE,  /* a number or label parsed and shown by the pool_prop rules in def */
	CONT_PROP_STRING, /* a principal (owner, group) */
	CONT_PROP_ACL,    /* struct daos_acl *, shown as its entries */
	CONT_PROP_STATUS, /* HEALTHY/UNCLEAN; only "healthy" may be set */
	CONT_PROP_ROOTS,  /* struct daos_prop_co_roots * */
	CONT_PROP_BOOL,   /* false/true */
};

/* One container property: DAOS's key, description and type, and its value's rules. */
struct cont_prop_def {
	struct pool_prop_def def; /* key, description, legal values, access, value rules */
	uint32_t type;            /* DAOS_PROP_CO_* */
	enum cont_prop_kind kind;
	bool show_num; /* choices shown as "name (number)" */
};

/* Number of keys in the table, and the @i-th (NULL past the end), in display order. */
unsigned int cont_prop_count(void);
const struct cont_prop_def *cont_prop_at(unsigned int i);
/* By key (or a deprecated alias: rf, rf_lvl); NULL if unknown. */
const struct cont_prop_def *cont_prop_lookup(const char *key);
/* By DAOS_PROP_CO_* type; NULL if not in the table. */
const struct cont_prop_def *cont_prop_by_type(uint32_t type);

/* Container types, DAOS_PROP_CO_LAYOUT_*: the name shown and parsed ("POSIX"). */
const char *cont_layout_name(uint64_t type);
/* "POSIX", "posix", "DB" (for DATABASE), ... into *type. 0 or -DER_INVAL. */
int cont_layout_parse(const char *name, uint64_t *type);

/*
 * Entries appended to @props, a list built here or zeroed by the caller. Each returns 0
 * or -DER_NOMEM (the list is then unchanged). _add_str copies @str; _add_acl hands @acl,
 * one d_calloc'd block (as sec_acl_* and daos_acl_* make), over to the list.
 */
int cont_props_add_num(daos_prop_t *props, uint32_t type, uint64_t val);
int cont_props_add_str(daos_prop_t *props, uint32_t type, const char *str);
int cont_props_add_acl(daos_prop_t *props, struct daos_acl *acl);
/* The entry of @type in @props, or NULL. */
struct daos_prop_entry *cont_props_find(const daos_prop_t *props, uint32_t type);
/* Free what @props' entries own, and the entries; @props is left empty, not freed. */
void cont_props_fini(daos_prop_t *props);

/* Which keys a list may set. */
enum cont_prop_use {
	CONT_PROP_USE_SET,    /* set-prop: read-write keys */
	CONT_PROP_USE_CREATE, /* container create: read-write and create-only keys */
	CONT_PROP_USE_API,    /* daos_prop_from_str(): as CREATE, and layout_type, which the
			       * CLI takes from --type */
};

/*
 * Parse "key:val[,key:val]" (--properties, set-prop; NUL-terminated) into entries
 * appended to @props, for @use. Returns 0; -DER_NONEXIST for an unknown key; -DER_INVAL
 * for a key given twice, a bad value, a key that may not be set for @use, or a malformed
 * list; -DER_NOMEM. On error @err (may be NULL) holds one line naming the property and
 * @props what was added before: free it with cont_props_fini() either way.
 */
int cont_props_parse(const char *str, enum cont_prop_use use, daos_prop_t *props, char *err,
		     size_t err_len);

/*
 * Parse DAOS's property string, "key:val[;key:val][;]", from the first @len bytes of @str
 * (untrusted; a NUL before @len ends them), for CONT_PROP_USE_API. Same results as
 * cont_props_parse(); no bytes, or an empty pair before the last ';', is -DER_INVAL.
 */
int cont_props_parse_str(const char *str, size_t len, daos_prop_t *props, char *err,
			 size_t err_len);

/* Parse "key[,key]" (get-prop) into entries of those types, valued 0. Same errors. */
int cont_props_parse_names(const char *str, daos_prop_t *props, char *err, size_t err_len);

#endif /* RPC_CONT_PROP_H */
