/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_acl.c - the ACL and ACE functions of daos_security.h: one-line wrappers of
 * security's sec_acl_* and sec_ace_*, which keep DAOS's layout.
 */
#define D_LOGFAC DD_FAC(client)

#include <daos_security.h>
#include <gurt/common.h>

#include "client/client_int.h"
#include "security/security.h"

/* For cl_cont.c, which sees the public type: 1 if @acl is a well-formed ACL. */
int
cl_acl_is_valid(const void *acl)
{
	return acl != NULL && sec_acl_validate(acl) == 0;
}

D_EXPORT struct daos_acl *
daos_acl_create(struct daos_ace *aces[], uint16_t num_aces)
{
	struct daos_acl *acl = NULL;

	if (num_aces > 0 && aces == NULL)
		return NULL;
	return sec_acl_create(aces, num_aces, &acl) == 0 ? acl : NULL;
}

D_EXPORT struct daos_acl *
daos_acl_dup(struct daos_acl *acl)
{
	struct daos_acl *dup = NULL;

	if (acl == NULL)
		return NULL;
	return sec_acl_dup(acl, &dup) == 0 ? dup : NULL;
}

D_EXPORT void
daos_acl_free(struct daos_acl *acl)
{
	sec_acl_free(acl);
}

D_EXPORT struct daos_ace *
daos_acl_get_next_ace(struct daos_acl *acl, struct daos_ace *current_ace)
{
	return acl == NULL ? NULL : sec_acl_next_ace(acl, current_ace);
}

D_EXPORT int
daos_acl_get_ace_for_principal(struct daos_acl *acl, enum daos_acl_principal_type type,
			       const char *principal, struct daos_ace **ace)
{
	if (acl == NULL || ace == NULL)
		return -DER_INVAL;
	return sec_acl_get_ace(acl, type, principal, ace);
}

D_EXPORT int
daos_acl_add_ace(struct daos_acl **acl, struct daos_ace *new_ace)
{
	if (acl == NULL || *acl == NULL || new_ace == NULL)
		return -DER_INVAL;
	return sec_acl_add_ace(acl, new_ace);
}

D_EXPORT int
daos_acl_remove_ace(struct daos_acl **acl, enum daos_acl_principal_type type,
		    const char *principal_name)
{
	if (acl == NULL || *acl == NULL)
		return -DER_INVAL;
	return sec_acl_remove_ace(acl, type, principal_name);
}

D_EXPORT struct daos_ace *
daos_ace_create(enum daos_acl_principal_type type, const char *principal_name)
{
	struct daos_ace *ace = NULL;

	return sec_ace_create(type, principal_name, &ace) == 0 ? ace : NULL;
}

D_EXPORT void
daos_ace_free(struct daos_ace *ace)
{
	sec_ace_free(ace);
}

D_EXPORT ssize_t
daos_ace_get_size(struct daos_ace *ace)
{
	if (ace == NULL || !sec_ace_is_valid(ace))
		return -DER_INVAL;
	return (ssize_t)sec_ace_size(ace);
}
