/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_acl.c - the daos CLI's ACL text, over security/'s sec_acl_* functions (ACE strings,
 * ACL files, DAOS's flat ACL layout, the get-acl display). The one file of the CLI that
 * includes security/security.h instead of daos.h: both define struct daos_acl with
 * DAOS's layout, so pointers pass between the two sides unchanged.
 */
#define D_LOGFAC DD_FAC(control)

#include "control/daos/dcli_acl.h"

#include <gurt/common.h>
#include <stdio.h>
#include <string.h>

#include "control/cli.h"
#include "security/security.h"

int
dcli_acl_from_entry(const char *entry, struct daos_acl **out, char *err, size_t err_len)
{
	struct daos_acl *acl = NULL;
	int rc;

	rc = sec_acl_from_strs(&entry, 1, &acl);
	if (rc == -DER_NOMEM)
		return rc;
	if (rc != 0) {
		cli_set_err(err, err_len,
			    "invalid ACE \"%s\": expected TYPE:FLAGS:PRINCIPAL:PERMISSIONS", entry);
		return -DER_INVAL;
	}
	if (sec_acl_cont_validate(acl) != 0) {
		cli_set_err(
			err, err_len,
			"invalid ACE \"%s\": permissions must be among rwdtTaAo for a container",
			entry);
		sec_acl_free(acl);
		return -DER_INVAL;
	}
	*out = acl;
	return 0;
}

int
dcli_acl_from_file(const char *path, struct daos_acl **out, char *err, size_t err_len)
{
	struct daos_acl *acl = NULL;
	int rc;

	rc = sec_acl_from_file(path, &acl);
	if (rc == -DER_NONEXIST) {
		cli_set_err(err, err_len, "cannot read ACL file %s", path);
		return rc;
	}
	if (rc == -DER_NOMEM)
		return rc;
	if (rc != 0) {
		cli_set_err(
			err, err_len,
			"invalid ACL file %s: expected one ACE (TYPE:FLAGS:PRINCIPAL:PERMISSIONS) a line, one per principal",
			path);
		return -DER_INVAL;
	}
	if (sec_acl_cont_validate(acl) != 0) {
		cli_set_err(
			err, err_len,
			"invalid ACL file %s: permissions must be among rwdtTaAo for a container",
			path);
		sec_acl_free(acl);
		return -DER_INVAL;
	}
	*out = acl;
	return 0;
}

void
dcli_acl_free(struct daos_acl *acl)
{
	sec_acl_free(acl);
}

size_t
dcli_acl_size(const struct daos_acl *acl)
{
	return sec_acl_size(acl);
}

int
dcli_acl_to_text(const struct daos_acl *acl, const char *owner, const char *group, bool verbose,
		 char **out)
{
	struct daos_acl *empty = NULL;
	int rc;

	if (acl == NULL) {
		rc = sec_acl_create(NULL, 0, &empty);
		if (rc != 0)
			return rc;
		acl = empty;
	}
	rc = sec_acl_to_text(acl, owner, group, verbose, out);
	sec_acl_free(empty);
	return rc;
}

int
dcli_acl_to_list(const struct daos_acl *acl, char **out)
{
	char **strs = NULL;
	size_t nr = 0, len = 1, i;
	char *s;
	int rc;

	rc = sec_acl_to_strs(acl, &strs, &nr);
	if (rc != 0)
		return rc;
	for (i = 0; i < nr; i++)
		len += strlen(strs[i]) + 2;
	s = d_calloc(1, len);
	if (s == NULL) {
		sec_acl_strs_free(strs, nr);
		return -DER_NOMEM;
	}
	for (i = 0; i < nr; i++) {
		if (i > 0)
			memcpy(s + strlen(s), ", ", 3);
		memcpy(s + strlen(s), strs[i], strlen(strs[i]) + 1);
	}
	sec_acl_strs_free(strs, nr);
	*out = s;
	return 0;
}

json_t *
dcli_acl_to_json(const struct daos_acl *acl, const char *owner, const char *group)
{
	char **strs = NULL;
	size_t nr = 0, i;
	json_t *entries;

	entries = json_array();
	if (entries == NULL)
		return NULL;
	if (acl != NULL && sec_acl_to_strs(acl, &strs, &nr) != 0) {
		json_decref(entries);
		return NULL;
	}
	for (i = 0; i < nr; i++)
		json_array_append_new(entries, json_string(strs[i]));
	sec_acl_strs_free(strs, nr);
	return json_pack("{s:o, s:s?, s:s?}", "entries", entries, "owner_user", owner,
			 "owner_group", group);
}

int
dcli_acl_principal_parse(const char *str, int *type, char **name, char *err, size_t err_len)
{
	enum daos_acl_principal_type t;
	char *n = NULL;
	int rc;

	rc = sec_principal_from_str(str, &t, &n);
	if (rc == -DER_NOMEM)
		return rc;
	if (rc != 0) {
		cli_set_err(
			err, err_len,
			"invalid principal \"%s\": expected u:name@, g:name@, OWNER@, GROUP@ or EVERYONE@",
			str);
		return -DER_INVAL;
	}
	*type = (int)t;
	*name = n;
	return 0;
}

bool
dcli_principal_is_valid(const char *name)
{
	return sec_principal_is_valid(name);
}
