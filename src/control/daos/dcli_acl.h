/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/daos/dcli_acl.h - the ACL text of the daos CLI (ACE strings, ACL files, the
 * get-acl display) on top of security/'s sec_acl_* functions.
 *
 * This header names struct daos_acl without defining it: daos.h and security/security.h
 * both define it (same layout, DAOS's), and no file may include both. Files of the CLI
 * include daos.h; dcli_acl.c alone includes security.h and converts. Every function
 * returns 0 or a negative DER code; on error a one-line message is in @err and out
 * parameters are untouched. ACLs returned here are freed with dcli_acl_free().
 */
#ifndef CONTROL_DAOS_DCLI_ACL_H
#define CONTROL_DAOS_DCLI_ACL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct daos_acl;

/* A one-entry ACL from an ACE string, its permissions checked for a container. */
int dcli_acl_from_entry(const char *entry, struct daos_acl **out, char *err, size_t err_len);
/*
 * The ACL in the file at @path (one ACE a line, '#' comments), checked for a container.
 * -DER_NONEXIST if the file cannot be read, -DER_INVAL if an entry is bad.
 */
int dcli_acl_from_file(const char *path, struct daos_acl **out, char *err, size_t err_len);
void dcli_acl_free(struct daos_acl *acl);
/* Bytes of @acl (header and entries), to copy it. */
size_t dcli_acl_size(const struct daos_acl *acl);

/*
 * get-acl's text: "# Owner: <owner>", "# Owner Group: <group>" (each if not NULL),
 * "# Entries:", one ACE a line ("#   None" if @acl is NULL or empty); @verbose adds each
 * entry's long form as a comment. *out is d_free()d by the caller. -DER_INVAL if @acl is
 * not a valid ACL.
 */
int dcli_acl_to_text(const struct daos_acl *acl, const char *owner, const char *group, bool verbose,
		     char **out);
/* The entries joined by ", " ("A::OWNER@:rwdtTaAo, A:G:GROUP@:rwtT"), as get-prop shows. */
int dcli_acl_to_list(const struct daos_acl *acl, char **out);
/* {"owner_user": ..., "owner_group": ..., "entries": [...]}; NULL if out of memory or bad. */
json_t *dcli_acl_to_json(const struct daos_acl *acl, const char *owner, const char *group);

/*
 * delete-acl's principal: "u:name@", "g:name@", "OWNER@", "GROUP@", "EVERYONE@". *type is
 * an enum daos_acl_principal_type; *name is NULL for the special ones, else d_free()d by
 * the caller.
 */
int dcli_acl_principal_parse(const char *str, int *type, char **name, char *err, size_t err_len);
/* Whether @name is a principal "name@" or "name@domain". */
bool dcli_principal_is_valid(const char *name);

#endif /* CONTROL_DAOS_DCLI_ACL_H */
