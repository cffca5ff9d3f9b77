/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_security.h - access control lists of pools and containers. An ACL is a
 * packed, variable-length list of entries (ACEs), each naming a principal and the
 * permissions it is allowed, audited or alarmed on. The ACL and ACE functions are
 * local; the library allocates what they return and the matching _free() releases it.
 */
#ifndef DAOS_SECURITY_H
#define DAOS_SECURITY_H

#include <daos_types.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DAOS_ACL_VERSION 1
/* Longest principal "name@domain", without the NUL. */
#define DAOS_ACL_MAX_PRINCIPAL_LEN (255)
#define DAOS_ACL_MAX_PRINCIPAL_BUF_LEN (DAOS_ACL_MAX_PRINCIPAL_LEN + 1)
#define DAOS_ACL_PRINCIPAL_OWNER "OWNER@"
#define DAOS_ACL_PRINCIPAL_OWNER_GRP "GROUP@"
#define DAOS_ACL_PRINCIPAL_EVERYONE "EVERYONE@"
/* Largest dal_len: the bytes of all entries of one ACL. */
#define DAOS_ACL_MAX_ACE_LEN (65536)
/* Longest ACE string "<access>:<flags>:<principal>:<perms>". */
#define DAOS_ACL_MAX_ACE_STR_LEN (DAOS_ACL_MAX_PRINCIPAL_LEN + 64)

/* Whom an entry is about, in the order entries are kept. */
enum daos_acl_principal_type {
	DAOS_ACL_OWNER,
	DAOS_ACL_USER,
	DAOS_ACL_OWNER_GROUP,
	DAOS_ACL_GROUP,
	DAOS_ACL_EVERYONE,
	NUM_DAOS_ACL_TYPES
};

enum daos_acl_access_type {
	DAOS_ACL_ACCESS_ALLOW = (1U << 0),
	DAOS_ACL_ACCESS_AUDIT = (1U << 1),
	DAOS_ACL_ACCESS_ALARM = (1U << 2),
};

#define DAOS_ACL_ACCESS_ALL (DAOS_ACL_ACCESS_ALLOW | DAOS_ACL_ACCESS_AUDIT | DAOS_ACL_ACCESS_ALARM)

enum daos_acl_flags {
	DAOS_ACL_FLAG_GROUP = (1U << 0),
	DAOS_ACL_FLAG_POOL_INHERIT = (1U << 1),
	DAOS_ACL_FLAG_ACCESS_FAIL = (1U << 2),
	DAOS_ACL_FLAG_ACCESS_SUCCESS = (1U << 3),
};

#define DAOS_ACL_FLAG_ALL                                                               \
	(DAOS_ACL_FLAG_GROUP | DAOS_ACL_FLAG_POOL_INHERIT | DAOS_ACL_FLAG_ACCESS_FAIL | \
	 DAOS_ACL_FLAG_ACCESS_SUCCESS)

/* Permission bits of dae_*_perms. */
#define DAOS_ACL_PERM_READ (1U << 0)
#define DAOS_ACL_PERM_WRITE (1U << 1)
#define DAOS_ACL_PERM_CREATE_CONT (1U << 2)
#define DAOS_ACL_PERM_DEL_CONT (1U << 3)
#define DAOS_ACL_PERM_GET_PROP (1U << 4)
#define DAOS_ACL_PERM_SET_PROP (1U << 5)
#define DAOS_ACL_PERM_GET_ACL (1U << 6)
#define DAOS_ACL_PERM_SET_ACL (1U << 7)
#define DAOS_ACL_PERM_SET_OWNER (1U << 8)

#define DAOS_ACL_PERM_POOL_ALL                                               \
	(DAOS_ACL_PERM_READ | DAOS_ACL_PERM_GET_PROP | DAOS_ACL_PERM_WRITE | \
	 DAOS_ACL_PERM_CREATE_CONT | DAOS_ACL_PERM_DEL_CONT)
#define DAOS_ACL_PERM_CONT_ALL                                                     \
	(DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE | DAOS_ACL_PERM_DEL_CONT |       \
	 DAOS_ACL_PERM_GET_PROP | DAOS_ACL_PERM_SET_PROP | DAOS_ACL_PERM_GET_ACL | \
	 DAOS_ACL_PERM_SET_ACL | DAOS_ACL_PERM_SET_OWNER)
#define DAOS_ACL_PERM_ALL (DAOS_ACL_PERM_POOL_ALL | DAOS_ACL_PERM_CONT_ALL)

/* One entry; dae_principal ("name@domain", NUL-padded) only for users and groups. */
struct daos_ace {
	uint8_t dae_access_types;   /* enum daos_acl_access_type bits */
	uint8_t dae_principal_type; /* enum daos_acl_principal_type */
	uint16_t dae_principal_len;
	uint16_t dae_access_flags; /* enum daos_acl_flags bits */
	uint16_t dae_reserv;
	uint64_t dae_allow_perms;
	uint64_t dae_audit_perms;
	uint64_t dae_alarm_perms;
	char dae_principal[];
};

/* dal_len bytes of entries follow the header. */
struct daos_acl {
	uint16_t dal_ver;
	uint16_t dal_reserv;
	uint32_t dal_len;
	uint8_t dal_ace[];
};

/* A new ACL holding copies of @num_aces entries; NULL on failure. */
struct daos_acl *daos_acl_create(struct daos_ace *aces[], uint16_t num_aces);
struct daos_acl *daos_acl_dup(struct daos_acl *acl);
void daos_acl_free(struct daos_acl *acl);
/* The entry after @current_ace (the first if NULL); NULL at the end. */
struct daos_ace *daos_acl_get_next_ace(struct daos_acl *acl, struct daos_ace *current_ace);
/* The entry of a principal (@principal NULL for owner, owner group, everyone). */
int daos_acl_get_ace_for_principal(struct daos_acl *acl, enum daos_acl_principal_type type,
				   const char *principal, struct daos_ace **ace);
/* Add or replace an entry, in order; *acl may be reallocated. */
int daos_acl_add_ace(struct daos_acl **acl, struct daos_ace *new_ace);
/* Remove an entry; *acl is reallocated. -DER_NONEXIST if absent. */
int daos_acl_remove_ace(struct daos_acl **acl, enum daos_acl_principal_type type,
			const char *principal_name);
/* A new entry, no permissions yet. */
struct daos_ace *daos_ace_create(enum daos_acl_principal_type type, const char *principal_name);
void daos_ace_free(struct daos_ace *ace);
/* Bytes of @ace, or -DER_INVAL. */
ssize_t daos_ace_get_size(struct daos_ace *ace);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_SECURITY_H */
