/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_pool_prop.c - what dmg pool get-prop/set-prop and the ACL commands change in a pool
 * record: its properties, its label (the "label" property), its ACL and its owner.
 *
 * Properties are (name, value) text pairs in their wire form, sorted by name. The db
 * knows no property: daos_server checks each value with the pool property table
 * (control/dmg/pool_prop.h), which lives above this library, before it calls us; here
 * only the form is checked, as the file format needs. The label is the record's label
 * field, never a property, so that lookups and the label order have one source.
 *
 * The ACL is kept as canonical ACE strings in DAOS's display order, as security's
 * sec_acl_to_strs() prints them. Every change goes through security's struct daos_acl:
 * parse the strings, edit (sec_acl_add_ace, sec_acl_remove_ace), validate for a pool,
 * print back. So the stored list is always one that sec_acl_from_strs() and
 * sec_acl_pool_validate() accept, whoever wrote it.
 *
 * Every setter follows ms_int.h's pattern: build the new value aside, swap it in, save,
 * and swap back on failure.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <stdio.h>

#include "control/ms/ms_int.h"

/* --- properties --- */

bool
ms_pool_prop_is_valid(const char *key, const char *value, char *err, size_t err_len)
{
	size_t len;
	size_t i;

	if (key == NULL || value == NULL) {
		ms_errf(err, err_len, "pool property without a name or a value");
		return false;
	}
	len = strnlen(key, MS_POOL_PROP_KEY_MAX + 1);
	for (i = 0; i < len; i++)
		if (!(key[i] >= 'a' && key[i] <= 'z') && !(key[i] >= '0' && key[i] <= '9') &&
		    key[i] != '_')
			break;
	if (len == 0 || len > MS_POOL_PROP_KEY_MAX || i < len) {
		/* Echo only text: the name may be any bytes. */
		if (ms_text_is_valid(key, MS_ATTR_KEY_MAX))
			ms_errf(err, err_len,
				"invalid pool property name \"%.64s\": 1-%d characters of a-z 0-9 _",
				key, MS_POOL_PROP_KEY_MAX);
		else
			ms_errf(err, err_len,
				"invalid pool property name: 1-%d characters of a-z 0-9 _",
				MS_POOL_PROP_KEY_MAX);
		return false;
	}
	if (value[0] == '\0' || !ms_text_is_valid(value, MS_POOL_PROP_VALUE_MAX)) {
		ms_errf(err, err_len, "pool property %s: value must be 1-%d printable characters",
			key, MS_POOL_PROP_VALUE_MAX);
		return false;
	}
	return true;
}

static int
cmp_prop(const void *a, const void *b)
{
	return strcmp(((const struct ms_pool_prop *)a)->key, ((const struct ms_pool_prop *)b)->key);
}

void
ms_pool_props_sort(struct ms_pool_prop *props, uint32_t nr)
{
	if (nr > 1)
		qsort(props, nr, sizeof(*props), cmp_prop);
}

void
ms_pool_props_free(struct ms_pool_prop *props, uint32_t nr)
{
	uint32_t i;

	for (i = 0; props != NULL && i < nr; i++) {
		d_free(props[i].key);
		d_free(props[i].value);
	}
	d_free(props);
}

/* The index of the first property of @p whose name is not below @key. */
static uint32_t
prop_pos(const struct ms_pool *p, const char *key)
{
	uint32_t lo = 0;
	uint32_t hi = p->nr_props;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (strcmp(p->props[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
save(struct ms_db *db, char *err, size_t err_len)
{
	int rc = ms_db_save(db);

	if (rc != 0)
		ms_errf(err, err_len, "could not save the system database: " DF_RC, DP_RC(rc));
	return rc;
}

static struct ms_pool *
pool_get(const struct ms_db *db, const uuid_t uuid, char *err, size_t err_len)
{
	struct ms_pool *p = ms_pool_find(db, uuid);
	char us[37];

	if (p == NULL) {
		uuid_unparse_lower(uuid, us);
		ms_errf(err, err_len, "pool %s not found", us);
	}
	return p;
}

static int
cmp_pool_label(const void *a, const void *b)
{
	return strcmp(((const struct ms_pool *)a)->label, ((const struct ms_pool *)b)->label);
}

/* set-prop label:<new>: move the record to its new place in the label order. */
static int
pool_rename(struct ms_db *db, struct ms_pool *p, const char *label, char *err, size_t err_len)
{
	const struct ms_pool *other;
	char old[MS_LABEL_MAX + 1];
	uuid_t uuid;
	int rc;

	if (!ms_label_is_valid(label)) {
		ms_errf(err, err_len,
			"invalid pool label \"%.*s\": 1-127 characters of A-Z a-z 0-9 : . _ -, not a UUID",
			(int)strnlen(label, MS_LABEL_MAX), label);
		return -DER_INVAL;
	}
	if (strcmp(p->label, label) == 0)
		return 0;
	if (ms_pool_lookup(db, label, &other) == 0) {
		ms_errf(err, err_len, "pool label %s is already in use", label);
		return -DER_EXIST;
	}
	/* Labels are unique, so sorting gives one order; pools are few, qsort is enough. */
	uuid_copy(uuid, p->uuid);
	memcpy(old, p->label, sizeof(old));
	snprintf(p->label, sizeof(p->label), "%s", label);
	qsort(db->pools, db->nr_pools, sizeof(*db->pools), cmp_pool_label);
	rc = save(db, err, err_len);
	if (rc != 0) {
		p = ms_pool_find(db, uuid);
		memcpy(p->label, old, sizeof(old));
		qsort(db->pools, db->nr_pools, sizeof(*db->pools), cmp_pool_label);
		return rc;
	}
	D_INFO("system %s: pool %s renamed to %s", db->system, old, label);
	return 0;
}

int
ms_pool_prop_set(struct ms_db *db, const uuid_t uuid, const char *key, const char *value, char *err,
		 size_t err_len)
{
	struct ms_pool *p = pool_get(db, uuid, err, err_len);
	struct ms_pool_prop *arr;
	char msg[256];
	char *k = NULL;
	char *v;
	char *old;
	uint32_t pos;
	int rc;

	if (p == NULL)
		return -DER_NONEXIST;
	if (strcmp(key, "label") == 0)
		return pool_rename(db, p, value, err, err_len);
	if (!ms_pool_prop_is_valid(key, value, msg, sizeof(msg))) {
		ms_errf(err, err_len, "pool %s: %s", p->label, msg);
		return -DER_INVAL;
	}
	pos = prop_pos(p, key);
	if (pos >= p->nr_props || strcmp(p->props[pos].key, key) != 0) {
		if (p->nr_props >= MS_POOL_PROPS_MAX) {
			ms_errf(err, err_len, "pool %s: too many properties (at most %d)", p->label,
				MS_POOL_PROPS_MAX);
			return -DER_INVAL;
		}
		pos = UINT32_MAX; /* a new one */
	}
	v = d_strdup(value);
	if (v == NULL)
		return -DER_NOMEM;
	if (pos != UINT32_MAX) {
		old = p->props[pos].value;
		p->props[pos].value = v;
		rc = save(db, err, err_len);
		if (rc != 0) {
			p->props[pos].value = old;
			d_free(v);
			return rc;
		}
		d_free(old);
		return 0;
	}
	k = d_strdup(key);
	if (k == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	/* Room first; a larger array is harmless if what follows fails. */
	arr = d_reallocarray(p->props, p->nr_props + 1, sizeof(*p->props));
	if (arr == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	p->props = arr;
	pos = prop_pos(p, key);
	memmove(&p->props[pos + 1], &p->props[pos], (p->nr_props - pos) * sizeof(*p->props));
	p->props[pos].key = k;
	p->props[pos].value = v;
	p->nr_props++;
	rc = save(db, err, err_len);
	if (rc == 0)
		return 0;
	p->nr_props--;
	memmove(&p->props[pos], &p->props[pos + 1], (p->nr_props - pos) * sizeof(*p->props));
out_free:
	d_free(k);
	d_free(v);
	return rc;
}

const char *
ms_pool_prop_get(const struct ms_db *db, const uuid_t uuid, const char *key)
{
	const struct ms_pool *p = ms_pool_find(db, uuid);
	uint32_t pos;

	if (p == NULL)
		return NULL;
	if (strcmp(key, "label") == 0)
		return p->label;
	pos = prop_pos(p, key);
	if (pos < p->nr_props && strcmp(p->props[pos].key, key) == 0)
		return p->props[pos].value;
	return NULL;
}

/* --- ACLs --- */

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

int
ms_acl_parse(const char *const *strs, uint32_t nr, struct daos_acl **out, uint32_t *bad, char *err,
	     size_t err_len)
{
	struct daos_ace **aces;
	struct daos_acl *acl = NULL;
	char who[DAOS_ACL_MAX_PRINCIPAL_BUF_LEN + 2];
	uint32_t i;
	uint32_t j;
	int rc = 0;

	*bad = UINT32_MAX;
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
	for (i = 0; i < nr && rc == 0; i++) {
		rc = ace_parse(strs[i], &aces[i], err, err_len);
		if (rc == -DER_INVAL)
			*bad = i;
	}
	for (i = 0; i < nr && rc == 0; i++) {
		for (j = 0; j < i && rc == 0; j++) {
			if (same_principal(aces[i], aces[j])) {
				principal_name(aces[i], who, sizeof(who));
				ms_errf(err, err_len, "duplicate ACE for principal %s", who);
				*bad = i;
				rc = -DER_INVAL;
			}
		}
	}
	if (rc == 0) {
		/* What is left for sec_acl_create() to refuse is the size of the whole. */
		rc = sec_acl_create(aces, nr, &acl);
		if (rc == -DER_INVAL)
			ms_errf(err, err_len, "ACL too large: its entries exceed %d bytes",
				DAOS_ACL_MAX_ACE_LEN);
	}
	if (rc == 0) {
		rc = sec_acl_pool_validate(acl);
		if (rc == -DER_INVAL)
			ms_errf(err, err_len, "not a valid pool ACL");
		if (rc != 0)
			sec_acl_free(acl);
	}
	for (i = 0; i < nr; i++)
		sec_ace_free(aces[i]);
	d_free(aces);
	if (rc == 0)
		*out = acl;
	return rc;
}

/* sec_acl_to_strs() with the db's count type. */
int
ms_acl_strs(const struct daos_acl *acl, char ***strs, uint32_t *nr)
{
	size_t n;
	int rc;

	rc = sec_acl_to_strs(acl, strs, &n);
	if (rc == 0)
		*nr = (uint32_t)n;
	return rc;
}

void
ms_acl_strs_free(char **strs, uint32_t nr)
{
	uint32_t i;

	for (i = 0; strs != NULL && i < nr; i++)
		d_free(strs[i]);
	d_free(strs);
}

int
ms_pool_acl_get(const struct ms_db *db, const uuid_t uuid, const char *const **strs, uint32_t *nr)
{
	const struct ms_pool *p = ms_pool_find(db, uuid);

	if (p == NULL)
		return -DER_NONEXIST;
	*strs = (const char *const *)p->acl;
	*nr = p->nr_acl;
	return 0;
}

/* Make @acl the ACL of @p, saved; or leave @p as it was. */
static int
acl_replace(struct ms_db *db, struct ms_pool *p, const struct daos_acl *acl, char *err,
	    size_t err_len)
{
	char **old = p->acl;
	uint32_t old_nr = p->nr_acl;
	char **strs;
	uint32_t nr;
	int rc;

	rc = ms_acl_strs(acl, &strs, &nr);
	if (rc != 0)
		return rc;
	p->acl = strs;
	p->nr_acl = nr;
	rc = save(db, err, err_len);
	if (rc != 0) {
		p->acl = old;
		p->nr_acl = old_nr;
		ms_acl_strs_free(strs, nr);
		return rc;
	}
	ms_acl_strs_free(old, old_nr);
	return 0;
}

/* The ACL of @p as a struct daos_acl (sec_acl_free() it). */
static int
pool_acl(const struct ms_pool *p, struct daos_acl **out)
{
	uint32_t bad;

	/* The stored list was checked when it came in; only memory can fail here. */
	return ms_acl_parse((const char *const *)p->acl, p->nr_acl, out, &bad, NULL, 0);
}

int
ms_acl_check(const char *const *strs, uint32_t nr, char *err, size_t err_len)
{
	struct daos_acl *acl = NULL;
	uint32_t bad;
	int rc;

	rc = ms_acl_parse(strs, nr, &acl, &bad, err, err_len);
	if (rc == 0 && sec_acl_pool_validate(acl) != 0) {
		ms_errf(err, err_len, "not a valid pool ACL");
		rc = -DER_INVAL;
	}
	sec_acl_free(acl);
	return rc;
}

int
ms_pool_acl_overwrite(struct ms_db *db, const uuid_t uuid, const char *const *strs, uint32_t nr,
		      char *err, size_t err_len)
{
	struct ms_pool *p = pool_get(db, uuid, err, err_len);
	struct daos_acl *acl;
	char msg[384];
	uint32_t bad;
	int rc;

	if (p == NULL)
		return -DER_NONEXIST;
	rc = ms_acl_parse(strs, nr, &acl, &bad, msg, sizeof(msg));
	if (rc == -DER_INVAL)
		ms_errf(err, err_len, "pool %s: %s", p->label, msg);
	if (rc != 0)
		return rc;
	rc = acl_replace(db, p, acl, err, err_len);
	sec_acl_free(acl);
	return rc;
}

int
ms_pool_acl_update(struct ms_db *db, const uuid_t uuid, const char *const *strs, uint32_t nr,
		   char *err, size_t err_len)
{
	struct ms_pool *p = pool_get(db, uuid, err, err_len);
	struct daos_acl *upd = NULL;
	struct daos_acl *acl = NULL;
	struct daos_ace *ace = NULL;
	char msg[384];
	uint32_t bad;
	int rc;

	if (p == NULL)
		return -DER_NONEXIST;
	if (nr == 0) {
		ms_errf(err, err_len, "pool %s: no ACE to add", p->label);
		return -DER_INVAL;
	}
	rc = ms_acl_parse(strs, nr, &upd, &bad, msg, sizeof(msg));
	if (rc == -DER_INVAL)
		ms_errf(err, err_len, "pool %s: %s", p->label, msg);
	if (rc != 0)
		return rc;
	rc = pool_acl(p, &acl);
	while (rc == 0 && (ace = sec_acl_next_ace(upd, ace)) != NULL) {
		/* Replaces the principal's entry if any; refuses only a list too large. */
		rc = sec_acl_add_ace(&acl, ace);
		if (rc == -DER_INVAL)
			ms_errf(err, err_len, "pool %s: ACL too large: its entries exceed %d bytes",
				p->label, DAOS_ACL_MAX_ACE_LEN);
	}
	if (rc == 0) {
		rc = sec_acl_pool_validate(acl);
		if (rc == -DER_INVAL)
			ms_errf(err, err_len, "pool %s: not a valid pool ACL", p->label);
	}
	if (rc == 0)
		rc = acl_replace(db, p, acl, err, err_len);
	sec_acl_free(acl);
	sec_acl_free(upd);
	return rc;
}

int
ms_pool_acl_delete(struct ms_db *db, const uuid_t uuid, const char *principal, char *err,
		   size_t err_len)
{
	struct ms_pool *p = pool_get(db, uuid, err, err_len);
	enum daos_acl_principal_type type;
	struct daos_acl *acl = NULL;
	char *name = NULL;
	int rc;

	if (p == NULL)
		return -DER_NONEXIST;
	rc = sec_principal_from_str(principal, &type, &name);
	if (rc == -DER_INVAL)
		ms_errf(err, err_len,
			"invalid principal \"%.*s\": u:name@, g:name@, OWNER@, GROUP@ or EVERYONE@",
			(int)strnlen(principal, DAOS_ACL_MAX_PRINCIPAL_LEN), principal);
	if (rc != 0)
		return rc;
	rc = pool_acl(p, &acl);
	if (rc == 0) {
		rc = sec_acl_remove_ace(&acl, type, name);
		if (rc == -DER_NONEXIST)
			ms_errf(err, err_len, "pool %s: no ACE for principal %s", p->label,
				principal);
	}
	if (rc == 0)
		rc = acl_replace(db, p, acl, err, err_len);
	sec_acl_free(acl);
	d_free(name);
	return rc;
}

/* --- owner --- */

int
ms_pool_set_owner(struct ms_db *db, const uuid_t uuid, const char *user, const char *group,
		  char *err, size_t err_len)
{
	struct ms_pool *p = pool_get(db, uuid, err, err_len);
	char old_user[MS_NAME_MAX];
	char old_group[MS_NAME_MAX];
	int rc;

	if (p == NULL)
		return -DER_NONEXIST;
	if ((user != NULL && !sec_principal_is_valid(user)) ||
	    (group != NULL && !sec_principal_is_valid(group))) {
		ms_errf(err, err_len, "pool %s: invalid owner \"%.64s\": expected name@", p->label,
			user != NULL && !sec_principal_is_valid(user) ? user : group);
		return -DER_INVAL;
	}
	memcpy(old_user, p->owner, sizeof(old_user));
	memcpy(old_group, p->group, sizeof(old_group));
	if (user != NULL)
		snprintf(p->owner, sizeof(p->owner), "%s", user);
	if (group != NULL)
		snprintf(p->group, sizeof(p->group), "%s", group);
	rc = save(db, err, err_len);
	if (rc != 0) {
		memcpy(p->owner, old_user, sizeof(old_user));
		memcpy(p->group, old_group, sizeof(old_group));
	}
	return rc;
}
