/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_acl.c - the check daos_server makes of a pool ACL before it hands it to the pool
 * service (dmg pool create --acl-file and the ACL commands). The db keeps no ACL: the
 * pool service in the engines does (engine/engine_psvc.c). The check is security's
 * (sec_ace_from_str, sec_acl_create, sec_acl_pool_validate); what is added here is a
 * message naming the entry at fault, as dmg shows it.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <stdio.h>

#include "control/ms/ms_int.h"
#include "security/security.h"

/* ACEs per pool ACL: what DAOS's 64 KiB of entries can hold at the smallest entry size. */
#define MS_POOL_ACES_MAX (DAOS_ACL_MAX_ACE_LEN / sizeof(struct daos_ace))

/* The principal of @ace as delete-acl names it: OWNER@, u:bob@, GROUP@, g:proj@. */
static void
principal_name(const struct daos_ace *ace, char *buf, size_t len)
{
	const char *prefix = "";

	if (ace->dae_principal_type == DAOS_ACL_USER)
		prefix = "u:";
	else if (ace->dae_principal_type == DAOS_ACL_GROUP)
		prefix = "g:";
	snprintf(buf, len, "%s%s", prefix, sec_ace_principal_str(ace));
}

static bool
same_principal(const struct daos_ace *a, const struct daos_ace *b)
{
	if (a->dae_principal_type != b->dae_principal_type)
		return false;
	if (a->dae_principal_type != DAOS_ACL_USER && a->dae_principal_type != DAOS_ACL_GROUP)
		return true;
	return strcmp(a->dae_principal, b->dae_principal) == 0;
}

/* Parse ACE @str for a pool ACL: 0, -DER_NOMEM, or -DER_INVAL with the reason. */
static int
ace_parse(const char *str, struct daos_ace **out, char *err, size_t err_len)
{
	struct daos_ace *ace;
	uint64_t perms;
	int rc;

	if (str == NULL || !ms_text_is_valid(str, DAOS_ACL_MAX_ACE_STR_LEN)) {
		ms_errf(err, err_len, "invalid ACE: not printable text of at most %d characters",
			DAOS_ACL_MAX_ACE_STR_LEN);
		return -DER_INVAL;
	}
	rc = sec_ace_from_str(str, &ace);
	if (rc == -DER_INVAL)
		ms_errf(err, err_len, "invalid ACE \"%s\"", str);
	if (rc != 0)
		return rc;
	/* sec_acl_pool_validate() checks this for the whole list; here we name the entry. */
	perms = ace->dae_allow_perms | ace->dae_audit_perms | ace->dae_alarm_perms;
	if ((perms & ~(uint64_t)DAOS_ACL_PERM_POOL_ALL) != 0) {
		ms_errf(err, err_len, "invalid ACE \"%s\": a pool takes only permissions r w c d t",
			str);
		sec_ace_free(ace);
		return -DER_INVAL;
	}
	*out = ace;
	return 0;
}

/* Whether @nr ACEs with distinct principals make a pool ACL: the size of the whole. */
static int
acl_build(struct daos_ace **aces, uint32_t nr, char *err, size_t err_len)
{
	struct daos_acl *acl = NULL;
	int rc;

	rc = sec_acl_create(aces, nr, &acl);
	if (rc == -DER_INVAL)
		ms_errf(err, err_len, "ACL too large: its entries exceed %d bytes",
			DAOS_ACL_MAX_ACE_LEN);
	if (rc != 0)
		return rc;
	rc = sec_acl_pool_validate(acl);
	if (rc == -DER_INVAL)
		ms_errf(err, err_len, "not a valid pool ACL");
	sec_acl_free(acl);
	return rc;
}

int
ms_acl_check(const char *const *strs, uint32_t nr, char *err, size_t err_len)
{
	char who[DAOS_ACL_MAX_PRINCIPAL_BUF_LEN + 2];
	struct daos_ace **aces;
	uint32_t i;
	uint32_t j;
	int rc = 0;

	if (nr > 0 && strs == NULL) {
		ms_errf(err, err_len, "%u ACEs announced, none given", nr);
		return -DER_INVAL;
	}
	if (nr > MS_POOL_ACES_MAX) {
		ms_errf(err, err_len, "%u ACEs, at most %zu", nr, (size_t)MS_POOL_ACES_MAX);
		return -DER_INVAL;
	}
	aces = d_calloc(nr == 0 ? 1 : nr, sizeof(*aces));
	if (aces == NULL)
		return -DER_NOMEM;
	for (i = 0; i < nr && rc == 0; i++)
		rc = ace_parse(strs[i], &aces[i], err, err_len);
	for (i = 0; i < nr && rc == 0; i++) {
		for (j = 0; j < i && rc == 0; j++) {
			if (same_principal(aces[i], aces[j])) {
				principal_name(aces[i], who, sizeof(who));
				ms_errf(err, err_len, "duplicate ACE for principal %s", who);
				rc = -DER_INVAL;
			}
		}
	}
	if (rc == 0)
		rc = acl_build(aces, nr, err, err_len);
	for (i = 0; i < nr; i++)
		sec_ace_free(aces[i]);
	d_free(aces);
	return rc;
}
