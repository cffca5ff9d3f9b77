/* SPDX-License-Identifier: Apache-2.0 */
/*
 * acl.c - access control entries and lists: strings, files, binary form, evaluation.
 *
 * An ACL is DAOS's flat layout: struct daos_acl, then entries back to back, each a
 * struct daos_ace followed by its principal name padded with NULs to 8 bytes (no name
 * for OWNER@, GROUP@, EVERYONE@). Lists are never edited in place: every change
 * gathers pointers to the entries, edits that array and builds a new list with
 * acl_build(), which sorts into display order (owner, users, owner group, groups,
 * everyone; stable within a type) and enforces one entry per principal and the 64 KiB
 * limit. So every list this file hands out passes sec_acl_validate().
 *
 * An entry is valid when: its type is known; a named type has a valid "name@[domain]"
 * padded exactly to the next multiple of 8 and a special type has no name; flag G is
 * set exactly for GROUP and OWNER_GROUP; it has at least one access type and no unknown
 * access, flag or permission bits; an access type it lacks has no permissions; audit
 * and alarm (U, L) come with S or F and S or F only with audit or alarm.
 *
 * Strings, files and bytes come from users and the network: nothing here asserts on
 * them; they give -DER_INVAL (strings, files) or -DER_PROTO (bytes).
 */
#define D_LOGFAC DD_FAC(security)

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "security/security_int.h"

#define ACE_NAME_MAX_PADDED D_ALIGNUP(DAOS_ACL_MAX_PRINCIPAL_BUF_LEN, 8)
/* More entries than this cannot fit in DAOS_ACL_MAX_ACE_LEN. */
#define ACL_MAX_ENTRIES (DAOS_ACL_MAX_ACE_LEN / sizeof(struct daos_ace))
#define ACL_FILE_MAX (1024 * 1024)

/* Letters in canonical order with their bits. */
struct letter {
	char c;
	uint64_t bit;
	const char *verbose;
};

static const struct letter access_letters[] = {
	{ 'A', DAOS_ACL_ACCESS_ALLOW, "Allow" },
	{ 'U', DAOS_ACL_ACCESS_AUDIT, "Audit" },
	{ 'L', DAOS_ACL_ACCESS_ALARM, "Alarm" },
};

static const struct letter flag_letters[] = {
	{ 'G', DAOS_ACL_FLAG_GROUP, "Group" },
	{ 'P', DAOS_ACL_FLAG_POOL_INHERIT, "Pool-Inherit" },
	{ 'S', DAOS_ACL_FLAG_ACCESS_SUCCESS, "Access-Success" },
	{ 'F', DAOS_ACL_FLAG_ACCESS_FAIL, "Access-Failure" },
};

static const struct letter perm_letters[] = {
	{ 'r', DAOS_ACL_PERM_READ, "Read" },
	{ 'w', DAOS_ACL_PERM_WRITE, "Write" },
	{ 'c', DAOS_ACL_PERM_CREATE_CONT, "Create-Container" },
	{ 'd', DAOS_ACL_PERM_DEL_CONT, "Delete-Container" },
	{ 't', DAOS_ACL_PERM_GET_PROP, "Get-Prop" },
	{ 'T', DAOS_ACL_PERM_SET_PROP, "Set-Prop" },
	{ 'a', DAOS_ACL_PERM_GET_ACL, "Get-ACL" },
	{ 'A', DAOS_ACL_PERM_SET_ACL, "Set-ACL" },
	{ 'o', DAOS_ACL_PERM_SET_OWNER, "Set-Owner" },
};

/* The bits of the letters in @s[0..len), or -1 if one is unknown. */
static int64_t
letters_parse(const struct letter *tab, size_t nr, const char *s, size_t len)
{
	uint64_t bits = 0;
	size_t i;
	size_t j;

	for (i = 0; i < len; i++) {
		for (j = 0; j < nr; j++)
			if (tab[j].c == s[i])
				break;
		if (j == nr)
			return -1;
		bits |= tab[j].bit;
	}
	return (int64_t)bits;
}

/* A growing string with a sticky error, for printing. */
struct sbuf {
	char *s;
	size_t len;
	size_t cap;
	int err;
};

static void __attribute__((format(printf, 2, 3))) sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *s;
	int n;

	if (sb->err != 0)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->s == NULL ? NULL : sb->s + sb->len,
			      sb->s == NULL ? 0 : sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->err = -DER_INVAL;
			return;
		}
		if (sb->s != NULL && (size_t)n < sb->cap - sb->len) {
			sb->len += n;
			return;
		}
		cap = D_MAX(sb->cap * 2, sb->len + n + 64);
		s = d_realloc(sb->s, cap);
		if (s == NULL) {
			sb->err = -DER_NOMEM;
			return;
		}
		sb->s = s;
		sb->cap = cap;
	}
}

static void
sbuf_letters(struct sbuf *sb, const struct letter *tab, size_t nr, uint64_t bits, bool verbose)
{
	bool first = true;
	size_t i;

	for (i = 0; i < nr; i++) {
		if (!(bits & tab[i].bit))
			continue;
		if (verbose)
			sbuf_printf(sb, "%s%s", first ? "" : ",", tab[i].verbose);
		else
			sbuf_printf(sb, "%c", tab[i].c);
		first = false;
	}
}

/* --- entries --- */

static bool
type_is_named(unsigned int type)
{
	return type == DAOS_ACL_USER || type == DAOS_ACL_GROUP;
}

static bool
type_is_group(unsigned int type)
{
	return type == DAOS_ACL_GROUP || type == DAOS_ACL_OWNER_GROUP;
}

bool
sec_principal_is_valid(const char *name)
{
	const char *at;
	size_t len;

	if (name == NULL)
		return false;
	len = strnlen(name, DAOS_ACL_MAX_PRINCIPAL_BUF_LEN);
	if (len == 0 || len > DAOS_ACL_MAX_PRINCIPAL_LEN)
		return false;
	at = strchr(name, '@');
	/* A non-empty name, one '@', and no separator that would break the string form. */
	if (at == NULL || at == name || strchr(at + 1, '@') != NULL)
		return false;
	return strchr(name, ':') == NULL && strpbrk(name, " \t\r\n") == NULL;
}

static size_t
name_padded_len(const char *name)
{
	return D_ALIGNUP(strlen(name) + 1, 8);
}

size_t
sec_ace_size(const struct daos_ace *ace)
{
	return sizeof(*ace) + ace->dae_principal_len;
}

int
sec_ace_create(enum daos_acl_principal_type type, const char *name, struct daos_ace **out)
{
	struct daos_ace *ace;
	size_t name_len = 0;

	if ((unsigned int)type >= NUM_DAOS_ACL_TYPES)
		return -DER_INVAL;
	if (type_is_named(type)) {
		if (!sec_principal_is_valid(name))
			return -DER_INVAL;
		name_len = name_padded_len(name);
	}
	ace = d_calloc(1, sizeof(*ace) + name_len);
	if (ace == NULL)
		return -DER_NOMEM;
	ace->dae_principal_type = type;
	ace->dae_principal_len = name_len;
	if (type_is_group(type))
		ace->dae_access_flags = DAOS_ACL_FLAG_GROUP;
	if (name_len > 0)
		memcpy(ace->dae_principal, name, strlen(name));
	*out = ace;
	return 0;
}

void
sec_ace_free(struct daos_ace *ace)
{
	d_free(ace);
}

static bool
name_is_valid(const struct daos_ace *ace)
{
	size_t len = ace->dae_principal_len;
	size_t slen;
	size_t i;

	if (!type_is_named(ace->dae_principal_type))
		return len == 0;
	if (len == 0 || len % 8 != 0 || len > ACE_NAME_MAX_PADDED)
		return false;
	slen = strnlen(ace->dae_principal, len);
	if (slen == len || D_ALIGNUP(slen + 1, 8) != len)
		return false;
	/* Padding is zero, so equal entries are equal bytes. */
	for (i = slen; i < len; i++)
		if (ace->dae_principal[i] != '\0')
			return false;
	return sec_principal_is_valid(ace->dae_principal);
}

bool
sec_ace_is_valid(const struct daos_ace *ace)
{
	uint8_t access;
	uint16_t flags;
	bool has_audit;
	bool has_audit_flag;

	if (ace == NULL || ace->dae_principal_type >= NUM_DAOS_ACL_TYPES || ace->dae_reserv != 0)
		return false;
	if (!name_is_valid(ace))
		return false;
	access = ace->dae_access_types;
	flags = ace->dae_access_flags;
	if (access == 0 || (access & ~DAOS_ACL_ACCESS_ALL) || (flags & ~DAOS_ACL_FLAG_ALL))
		return false;
	if (type_is_group(ace->dae_principal_type) != !!(flags & DAOS_ACL_FLAG_GROUP))
		return false;
	if ((ace->dae_allow_perms | ace->dae_audit_perms | ace->dae_alarm_perms) &
	    ~(uint64_t)DAOS_ACL_PERM_ALL)
		return false;
	if ((!(access & DAOS_ACL_ACCESS_ALLOW) && ace->dae_allow_perms != 0) ||
	    (!(access & DAOS_ACL_ACCESS_AUDIT) && ace->dae_audit_perms != 0) ||
	    (!(access & DAOS_ACL_ACCESS_ALARM) && ace->dae_alarm_perms != 0))
		return false;
	has_audit = access & (DAOS_ACL_ACCESS_AUDIT | DAOS_ACL_ACCESS_ALARM);
	has_audit_flag = flags & (DAOS_ACL_FLAG_ACCESS_SUCCESS | DAOS_ACL_FLAG_ACCESS_FAIL);
	return has_audit == has_audit_flag;
}

const char *
sec_ace_principal_str(const struct daos_ace *ace)
{
	switch (ace->dae_principal_type) {
	case DAOS_ACL_OWNER:
		return DAOS_ACL_PRINCIPAL_OWNER;
	case DAOS_ACL_OWNER_GROUP:
		return DAOS_ACL_PRINCIPAL_OWNER_GRP;
	case DAOS_ACL_EVERYONE:
		return DAOS_ACL_PRINCIPAL_EVERYONE;
	default:
		return ace->dae_principal;
	}
}

int
sec_ace_from_str(const char *str, struct daos_ace **out)
{
	const char *field[4];
	size_t flen[4];
	enum daos_acl_principal_type type;
	char name[DAOS_ACL_MAX_PRINCIPAL_BUF_LEN];
	struct daos_ace *ace;
	const char *p;
	int64_t access;
	int64_t flags;
	int64_t perms;
	int i;
	int rc;

	if (str == NULL || strnlen(str, DAOS_ACL_MAX_ACE_STR_LEN + 1) > DAOS_ACL_MAX_ACE_STR_LEN)
		return -DER_INVAL;
	p = str;
	for (i = 0; i < 4; i++) {
		const char *end = strchr(p, ':');

		if (i < 3 && end == NULL)
			return -DER_INVAL;
		if (i == 3) {
			if (end != NULL)
				return -DER_INVAL;
			end = p + strlen(p);
		}
		field[i] = p;
		flen[i] = end - p;
		p = end + 1;
	}

	access = letters_parse(access_letters, ARRAY_SIZE(access_letters), field[0], flen[0]);
	flags = letters_parse(flag_letters, ARRAY_SIZE(flag_letters), field[1], flen[1]);
	perms = letters_parse(perm_letters, ARRAY_SIZE(perm_letters), field[3], flen[3]);
	if (access <= 0 || flags < 0 || perms < 0 || flen[2] == 0 || flen[2] >= sizeof(name))
		return -DER_INVAL;
	memcpy(name, field[2], flen[2]);
	name[flen[2]] = '\0';

	if (strcmp(name, DAOS_ACL_PRINCIPAL_OWNER) == 0)
		type = DAOS_ACL_OWNER;
	else if (strcmp(name, DAOS_ACL_PRINCIPAL_OWNER_GRP) == 0)
		type = DAOS_ACL_OWNER_GROUP;
	else if (strcmp(name, DAOS_ACL_PRINCIPAL_EVERYONE) == 0)
		type = DAOS_ACL_EVERYONE;
	else if (flags & DAOS_ACL_FLAG_GROUP)
		type = DAOS_ACL_GROUP;
	else
		type = DAOS_ACL_USER;
	/* The G flag must agree with the principal: GROUP@ needs it, OWNER@ refuses it. */
	if (type_is_group(type) != !!(flags & DAOS_ACL_FLAG_GROUP))
		return -DER_INVAL;

	rc = sec_ace_create(type, name, &ace);
	if (rc != 0)
		return rc;
	ace->dae_access_types = access;
	ace->dae_access_flags = flags;
	if (access & DAOS_ACL_ACCESS_ALLOW)
		ace->dae_allow_perms = perms;
	if (access & DAOS_ACL_ACCESS_AUDIT)
		ace->dae_audit_perms = perms;
	if (access & DAOS_ACL_ACCESS_ALARM)
		ace->dae_alarm_perms = perms;
	if (!sec_ace_is_valid(ace)) {
		sec_ace_free(ace);
		return -DER_INVAL;
	}
	*out = ace;
	return 0;
}

/* The one permission set of @ace, or -DER_INVAL if its access types differ. */
static int
ace_perms(const struct daos_ace *ace, uint64_t *perms)
{
	uint64_t p[3] = { ace->dae_allow_perms, ace->dae_audit_perms, ace->dae_alarm_perms };
	bool have = false;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 3; i++) {
		if (!(ace->dae_access_types & (1U << i)))
			continue;
		if (have && p[i] != v)
			return -DER_INVAL;
		v = p[i];
		have = true;
	}
	*perms = v;
	return 0;
}

static int
ace_print(const struct daos_ace *ace, struct sbuf *sb, bool verbose)
{
	uint64_t perms;
	int rc;

	if (!sec_ace_is_valid(ace))
		return -DER_INVAL;
	rc = ace_perms(ace, &perms);
	if (rc != 0)
		return rc;
	sbuf_letters(sb, access_letters, ARRAY_SIZE(access_letters), ace->dae_access_types,
		     verbose);
	sbuf_printf(sb, ":");
	sbuf_letters(sb, flag_letters, ARRAY_SIZE(flag_letters), ace->dae_access_flags, verbose);
	sbuf_printf(sb, ":%s:", sec_ace_principal_str(ace));
	sbuf_letters(sb, perm_letters, ARRAY_SIZE(perm_letters), perms, verbose);
	return sb->err;
}

static int
sbuf_to_buf(struct sbuf *sb, int rc, char *buf, size_t len)
{
	if (rc == 0 && sb->len + 1 > len)
		rc = -DER_TRUNC;
	if (rc == 0)
		memcpy(buf, sb->s, sb->len + 1);
	d_free(sb->s);
	return rc;
}

int
sec_ace_to_str(const struct daos_ace *ace, char *buf, size_t len)
{
	struct sbuf sb = { 0 };

	if (ace == NULL || buf == NULL)
		return -DER_INVAL;
	return sbuf_to_buf(&sb, ace_print(ace, &sb, false), buf, len);
}

int
sec_ace_str_verbose(const char *ace_str, char *buf, size_t len)
{
	struct sbuf sb = { 0 };
	struct daos_ace *ace;
	int rc;

	if (buf == NULL)
		return -DER_INVAL;
	rc = sec_ace_from_str(ace_str, &ace);
	if (rc != 0)
		return rc;
	rc = ace_print(ace, &sb, true);
	sec_ace_free(ace);
	return sbuf_to_buf(&sb, rc, buf, len);
}

int
sec_principal_from_str(const char *str, enum daos_acl_principal_type *type, char **name)
{
	enum daos_acl_principal_type t;
	char *copy = NULL;

	if (str == NULL || type == NULL || name == NULL)
		return -DER_INVAL;
	if (strcmp(str, DAOS_ACL_PRINCIPAL_OWNER) == 0) {
		t = DAOS_ACL_OWNER;
	} else if (strcmp(str, DAOS_ACL_PRINCIPAL_OWNER_GRP) == 0) {
		t = DAOS_ACL_OWNER_GROUP;
	} else if (strcmp(str, DAOS_ACL_PRINCIPAL_EVERYONE) == 0) {
		t = DAOS_ACL_EVERYONE;
	} else if ((str[0] == 'u' || str[0] == 'g') && str[1] == ':') {
		t = str[0] == 'u' ? DAOS_ACL_USER : DAOS_ACL_GROUP;
		if (!sec_principal_is_valid(str + 2))
			return -DER_INVAL;
		copy = d_strdup(str + 2);
		if (copy == NULL)
			return -DER_NOMEM;
	} else {
		return -DER_INVAL;
	}
	*type = t;
	*name = copy;
	return 0;
}

/* --- lists --- */

size_t
sec_acl_size(const struct daos_acl *acl)
{
	return sizeof(*acl) + acl->dal_len;
}

void
sec_acl_free(struct daos_acl *acl)
{
	d_free(acl);
}

struct daos_ace *
sec_acl_next_ace(const struct daos_acl *acl, const struct daos_ace *cur)
{
	const uint8_t *next;

	if (acl == NULL || acl->dal_len == 0)
		return NULL;
	if (cur == NULL)
		return (struct daos_ace *)acl->dal_ace;
	next = (const uint8_t *)cur + sec_ace_size(cur);
	if (next >= acl->dal_ace + acl->dal_len)
		return NULL;
	return (struct daos_ace *)next;
}

static bool
ace_same_principal(const struct daos_ace *a, const struct daos_ace *b)
{
	if (a->dae_principal_type != b->dae_principal_type)
		return false;
	return !type_is_named(a->dae_principal_type) ||
	       strcmp(a->dae_principal, b->dae_principal) == 0;
}

/*
 * Build a list from @nr entries: sort @aces (in place, stably) by type, refuse
 * invalid entries, duplicates and oversize lists, then copy.
 */
static int
acl_build(const struct daos_ace **aces, size_t nr, struct daos_acl **out)
{
	struct daos_acl *acl;
	size_t total = 0;
	uint8_t *p;
	size_t i;
	size_t j;

	if (nr > ACL_MAX_ENTRIES)
		return -DER_INVAL;
	for (i = 0; i < nr; i++) {
		if (!sec_ace_is_valid(aces[i]))
			return -DER_INVAL;
		total += sec_ace_size(aces[i]);
	}
	if (total > DAOS_ACL_MAX_ACE_LEN)
		return -DER_INVAL;
	/* Insertion sort: lists are short and the order within a type must stay. */
	for (i = 1; i < nr; i++) {
		const struct daos_ace *a = aces[i];

		for (j = i; j > 0 && aces[j - 1]->dae_principal_type > a->dae_principal_type; j--)
			aces[j] = aces[j - 1];
		aces[j] = a;
	}
	for (i = 1; i < nr; i++)
		for (j = i; j > 0 && aces[j - 1]->dae_principal_type == aces[i]->dae_principal_type;
		     j--)
			if (ace_same_principal(aces[j - 1], aces[i]))
				return -DER_INVAL;

	acl = d_calloc(1, sizeof(*acl) + total);
	if (acl == NULL)
		return -DER_NOMEM;
	acl->dal_ver = DAOS_ACL_VERSION;
	acl->dal_len = total;
	p = acl->dal_ace;
	for (i = 0; i < nr; i++) {
		memcpy(p, aces[i], sec_ace_size(aces[i]));
		p += sec_ace_size(aces[i]);
	}
	*out = acl;
	return 0;
}

int
sec_acl_create(struct daos_ace *const aces[], size_t nr, struct daos_acl **out)
{
	const struct daos_ace **arr;
	size_t i;
	int rc;

	if ((nr > 0 && aces == NULL) || out == NULL)
		return -DER_INVAL;
	if (nr > ACL_MAX_ENTRIES)
		return -DER_INVAL;
	arr = d_calloc(nr + 1, sizeof(*arr));
	if (arr == NULL)
		return -DER_NOMEM;
	for (i = 0; i < nr; i++) {
		if (aces[i] == NULL) {
			rc = -DER_INVAL;
			goto out_free_arr;
		}
		arr[i] = aces[i];
	}
	rc = acl_build(arr, nr, out);
out_free_arr:
	d_free(arr);
	return rc;
}

int
sec_acl_dup(const struct daos_acl *acl, struct daos_acl **out)
{
	struct daos_acl *copy;

	if (acl == NULL || out == NULL)
		return -DER_INVAL;
	copy = d_calloc(1, sec_acl_size(acl));
	if (copy == NULL)
		return -DER_NOMEM;
	memcpy(copy, acl, sec_acl_size(acl));
	*out = copy;
	return 0;
}

/* Pointers to the entries of a valid @acl, with room for one more; *nr of them. */
static int
acl_entries(const struct daos_acl *acl, const struct daos_ace ***arr, size_t *nr)
{
	const struct daos_ace **a;
	struct daos_ace *ace = NULL;
	size_t n = 0;

	while ((ace = sec_acl_next_ace(acl, ace)) != NULL)
		n++;
	a = d_calloc(n + 1, sizeof(*a));
	if (a == NULL)
		return -DER_NOMEM;
	n = 0;
	while ((ace = sec_acl_next_ace(acl, ace)) != NULL)
		a[n++] = ace;
	*arr = a;
	*nr = n;
	return 0;
}

int
sec_acl_get_ace(const struct daos_acl *acl, enum daos_acl_principal_type type, const char *name,
		struct daos_ace **ace)
{
	struct daos_ace *cur = NULL;

	if (acl == NULL || ace == NULL || (unsigned int)type >= NUM_DAOS_ACL_TYPES)
		return -DER_INVAL;
	if (type_is_named(type) && !sec_principal_is_valid(name))
		return -DER_INVAL;
	while ((cur = sec_acl_next_ace(acl, cur)) != NULL) {
		if (cur->dae_principal_type != type)
			continue;
		if (!type_is_named(type) || strcmp(cur->dae_principal, name) == 0) {
			*ace = cur;
			return 0;
		}
	}
	return -DER_NONEXIST;
}

int
sec_acl_add_ace(struct daos_acl **acl, const struct daos_ace *ace)
{
	const struct daos_ace **arr;
	struct daos_acl *result;
	size_t nr;
	size_t i;
	int rc;

	if (acl == NULL || *acl == NULL || ace == NULL || !sec_ace_is_valid(ace))
		return -DER_INVAL;
	rc = acl_entries(*acl, &arr, &nr);
	if (rc != 0)
		return rc;
	for (i = 0; i < nr; i++)
		if (ace_same_principal(arr[i], ace))
			break;
	arr[i] = ace;
	if (i == nr)
		nr++;
	rc = acl_build(arr, nr, &result);
	d_free(arr);
	if (rc != 0)
		return rc;
	sec_acl_free(*acl);
	*acl = result;
	return 0;
}

int
sec_acl_remove_ace(struct daos_acl **acl, enum daos_acl_principal_type type, const char *name)
{
	const struct daos_ace **arr;
	struct daos_acl *result;
	struct daos_ace *found;
	size_t nr;
	size_t i;
	size_t j;
	int rc;

	if (acl == NULL || *acl == NULL)
		return -DER_INVAL;
	rc = sec_acl_get_ace(*acl, type, name, &found);
	if (rc != 0)
		return rc;
	rc = acl_entries(*acl, &arr, &nr);
	if (rc != 0)
		return rc;
	for (i = 0, j = 0; i < nr; i++)
		if (arr[i] != found)
			arr[j++] = arr[i];
	rc = acl_build(arr, j, &result);
	d_free(arr);
	if (rc != 0)
		return rc;
	sec_acl_free(*acl);
	*acl = result;
	return 0;
}

/* Walk @len bytes of entries at @p: each fits, is valid, in order and unique. */
static int
entries_validate(const uint8_t *p, size_t len, uint64_t allowed_perms)
{
	const struct daos_ace *prev = NULL;
	const struct daos_ace *ace;
	size_t off = 0;
	size_t size;

	while (off < len) {
		if (len - off < sizeof(struct daos_ace))
			return -DER_INVAL;
		ace = (const struct daos_ace *)(p + off);
		size = sec_ace_size(ace);
		if (size > len - off || !sec_ace_is_valid(ace))
			return -DER_INVAL;
		if ((ace->dae_allow_perms | ace->dae_audit_perms | ace->dae_alarm_perms) &
		    ~allowed_perms)
			return -DER_INVAL;
		if (prev != NULL && prev->dae_principal_type > ace->dae_principal_type)
			return -DER_INVAL;
		off += size;
		prev = ace;
	}
	return 0;
}

static int
acl_validate_perms(const struct daos_acl *acl, uint64_t allowed_perms)
{
	const struct daos_ace **arr;
	size_t nr;
	size_t i;
	size_t j;
	int rc;

	if (acl == NULL || acl->dal_ver != DAOS_ACL_VERSION || acl->dal_reserv != 0 ||
	    acl->dal_len > DAOS_ACL_MAX_ACE_LEN)
		return -DER_INVAL;
	rc = entries_validate(acl->dal_ace, acl->dal_len, allowed_perms);
	if (rc != 0)
		return rc;
	rc = acl_entries(acl, &arr, &nr);
	if (rc != 0)
		return rc;
	/* Sorted by type, so duplicates are neighbours within their type's run. */
	for (i = 1; i < nr && rc == 0; i++)
		for (j = i; j > 0 && arr[j - 1]->dae_principal_type == arr[i]->dae_principal_type;
		     j--)
			if (ace_same_principal(arr[j - 1], arr[i]))
				rc = -DER_INVAL;
	d_free(arr);
	return rc;
}

int
sec_acl_validate(const struct daos_acl *acl)
{
	return acl_validate_perms(acl, DAOS_ACL_PERM_ALL);
}

int
sec_acl_pool_validate(const struct daos_acl *acl)
{
	return acl_validate_perms(acl, DAOS_ACL_PERM_POOL_ALL);
}

int
sec_acl_cont_validate(const struct daos_acl *acl)
{
	return acl_validate_perms(acl, DAOS_ACL_PERM_CONT_ALL);
}

/* --- strings and files --- */

/* Entries parsed one by one; freed together. */
struct ace_list {
	struct daos_ace **aces;
	size_t nr;
	size_t cap;
};

static int
ace_list_add_str(struct ace_list *l, const char *str)
{
	struct daos_ace **aces;
	struct daos_ace *ace;
	size_t cap;
	int rc;

	if (l->nr >= ACL_MAX_ENTRIES)
		return -DER_INVAL;
	rc = sec_ace_from_str(str, &ace);
	if (rc != 0)
		return rc;
	if (l->nr == l->cap) {
		cap = D_MAX(l->cap * 2, 8);
		aces = d_reallocarray(l->aces, cap, sizeof(*aces));
		if (aces == NULL) {
			sec_ace_free(ace);
			return -DER_NOMEM;
		}
		l->aces = aces;
		l->cap = cap;
	}
	l->aces[l->nr++] = ace;
	return 0;
}

static void
ace_list_fini(struct ace_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		sec_ace_free(l->aces[i]);
	d_free(l->aces);
}

int
sec_acl_from_strs(const char *const *strs, size_t nr, struct daos_acl **out)
{
	struct ace_list l = { 0 };
	size_t i;
	int rc = 0;

	if ((nr > 0 && strs == NULL) || out == NULL)
		return -DER_INVAL;
	for (i = 0; i < nr && rc == 0; i++)
		rc = ace_list_add_str(&l, strs[i]);
	if (rc == 0)
		rc = sec_acl_create(l.aces, l.nr, out);
	ace_list_fini(&l);
	return rc;
}

void
sec_acl_strs_free(char **strs, size_t nr)
{
	size_t i;

	if (strs == NULL)
		return;
	for (i = 0; i < nr; i++)
		d_free(strs[i]);
	d_free(strs);
}

int
sec_acl_to_strs(const struct daos_acl *acl, char ***strs, size_t *nr)
{
	const struct daos_ace **arr;
	char **res;
	size_t n;
	size_t i;
	int rc;

	if (acl == NULL || strs == NULL || nr == NULL)
		return -DER_INVAL;
	/* Validation allocates: pass its -DER_NOMEM on, not only -DER_INVAL. */
	rc = sec_acl_validate(acl);
	if (rc != 0)
		return rc;
	rc = acl_entries(acl, &arr, &n);
	if (rc != 0)
		return rc;
	res = d_calloc(n + 1, sizeof(*res));
	if (res == NULL) {
		rc = -DER_NOMEM;
		goto out_free_arr;
	}
	for (i = 0; i < n; i++) {
		struct sbuf sb = { 0 };

		rc = ace_print(arr[i], &sb, false);
		if (rc != 0) {
			d_free(sb.s);
			sec_acl_strs_free(res, i);
			goto out_free_arr;
		}
		res[i] = sb.s;
	}
	*strs = res;
	*nr = n;
out_free_arr:
	d_free(arr);
	return rc;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int
sec_acl_from_text(const char *text, size_t len, struct daos_acl **out)
{
	char line[DAOS_ACL_MAX_ACE_STR_LEN + 1];
	struct ace_list l = { 0 };
	size_t pos = 0;
	int rc = 0;

	if ((len > 0 && text == NULL) || out == NULL)
		return -DER_INVAL;
	while (pos < len && rc == 0) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;

		pos += n + (nl != NULL);
		while (n > 0 && is_blank(*start)) {
			start++;
			n--;
		}
		while (n > 0 && is_blank(start[n - 1]))
			n--;
		if (n == 0 || start[0] == '#')
			continue;
		if (n >= sizeof(line) || memchr(start, '\0', n) != NULL) {
			rc = -DER_INVAL;
			break;
		}
		memcpy(line, start, n);
		line[n] = '\0';
		rc = ace_list_add_str(&l, line);
	}
	if (rc == 0)
		rc = sec_acl_create(l.aces, l.nr, out);
	ace_list_fini(&l);
	return rc;
}

int
sec_acl_from_file(const char *path, struct daos_acl **out)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd;
	int rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? -DER_NONEXIST : -daos_errno2der(errno);
		sec_set_error("could not open ACL file %s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > ACL_FILE_MAX) {
		sec_set_error("ACL file %s is not a regular file of at most %d bytes", path,
			      ACL_FILE_MAX);
		rc = -DER_INVAL;
		goto out_close;
	}
	text = d_malloc(st.st_size + 1);
	if (text == NULL) {
		rc = -DER_NOMEM;
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	rc = sec_acl_from_text(text, got, out);
	if (rc == -DER_INVAL)
		sec_set_error("ACL file %s holds an invalid or duplicate entry", path);
	d_free(text);
out_close:
	close(fd);
	return rc;
}

int
sec_acl_to_text(const struct daos_acl *acl, const char *owner, const char *group, bool verbose,
		char **out)
{
	struct daos_ace *ace = NULL;
	struct sbuf sb = { 0 };
	int rc = 0;

	if (acl == NULL || out == NULL || sec_acl_validate(acl) != 0)
		return -DER_INVAL;
	if (owner != NULL)
		sbuf_printf(&sb, "# Owner: %s\n", owner);
	if (group != NULL)
		sbuf_printf(&sb, "# Owner Group: %s\n", group);
	sbuf_printf(&sb, "# Entries:\n");
	if (acl->dal_len == 0)
		sbuf_printf(&sb, "#   None\n");
	while (rc == 0 && (ace = sec_acl_next_ace(acl, ace)) != NULL) {
		if (verbose) {
			sbuf_printf(&sb, "# ");
			rc = ace_print(ace, &sb, true);
			sbuf_printf(&sb, "\n");
		}
		if (rc == 0)
			rc = ace_print(ace, &sb, false);
		sbuf_printf(&sb, "\n");
	}
	if (rc == 0)
		rc = sb.err;
	if (rc != 0) {
		d_free(sb.s);
		return rc;
	}
	*out = sb.s;
	return 0;
}

int
sec_acl_default_pool(struct daos_acl **out)
{
	static const char *const strs[] = { "A::OWNER@:rw", "A:G:GROUP@:rw" };

	return sec_acl_from_strs(strs, ARRAY_SIZE(strs), out);
}

int
sec_acl_default_cont(struct daos_acl **out)
{
	static const char *const strs[] = { "A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT" };

	return sec_acl_from_strs(strs, ARRAY_SIZE(strs), out);
}

/* --- binary form --- */

int
sec_acl_encode(const struct daos_acl *acl, struct buf *out)
{
	struct daos_ace *ace = NULL;

	if (acl == NULL || sec_acl_validate(acl) != 0)
		return -DER_INVAL;
	buf_put_u16(out, acl->dal_ver);
	buf_put_u16(out, acl->dal_reserv);
	buf_put_u32(out, acl->dal_len);
	while ((ace = sec_acl_next_ace(acl, ace)) != NULL) {
		buf_put_u8(out, ace->dae_access_types);
		buf_put_u8(out, ace->dae_principal_type);
		buf_put_u16(out, ace->dae_principal_len);
		buf_put_u16(out, ace->dae_access_flags);
		buf_put_u16(out, ace->dae_reserv);
		buf_put_u64(out, ace->dae_allow_perms);
		buf_put_u64(out, ace->dae_audit_perms);
		buf_put_u64(out, ace->dae_alarm_perms);
		buf_put_bytes_raw(out, ace->dae_principal, ace->dae_principal_len);
	}
	return out->err;
}

int
sec_acl_decode(const void *data, size_t len, struct daos_acl **out)
{
	struct buf in = BUF_INIT(data, len);
	struct daos_acl *acl;
	uint16_t ver;
	uint16_t reserv;
	uint32_t dal_len;
	uint8_t *p;
	int rc;

	ver = buf_get_u16(&in);
	reserv = buf_get_u16(&in);
	dal_len = buf_get_u32(&in);
	/* Size by the bytes present, not by the claim. */
	if (in.err != 0 || ver != DAOS_ACL_VERSION || dal_len > DAOS_ACL_MAX_ACE_LEN ||
	    dal_len != buf_remaining(&in))
		return -DER_PROTO;
	acl = d_calloc(1, sizeof(*acl) + dal_len);
	if (acl == NULL)
		return -DER_NOMEM;
	acl->dal_ver = ver;
	acl->dal_reserv = reserv;
	acl->dal_len = dal_len;
	p = acl->dal_ace;
	while (buf_remaining(&in) > 0) {
		struct daos_ace *ace = (struct daos_ace *)p;
		const void *name;

		if (buf_remaining(&in) < sizeof(*ace)) {
			rc = -DER_PROTO;
			goto out_free_acl;
		}
		ace->dae_access_types = buf_get_u8(&in);
		ace->dae_principal_type = buf_get_u8(&in);
		ace->dae_principal_len = buf_get_u16(&in);
		ace->dae_access_flags = buf_get_u16(&in);
		ace->dae_reserv = buf_get_u16(&in);
		ace->dae_allow_perms = buf_get_u64(&in);
		ace->dae_audit_perms = buf_get_u64(&in);
		ace->dae_alarm_perms = buf_get_u64(&in);
		/* Checked before the copy: the next entry must stay 8-byte aligned. */
		if (ace->dae_principal_len % 8 != 0 ||
		    ace->dae_principal_len > ACE_NAME_MAX_PADDED) {
			rc = -DER_PROTO;
			goto out_free_acl;
		}
		name = buf_get_bytes_raw(&in, ace->dae_principal_len);
		if (name == NULL) {
			rc = -DER_PROTO;
			goto out_free_acl;
		}
		memcpy(ace->dae_principal, name, ace->dae_principal_len);
		p += sec_ace_size(ace);
	}
	if (buf_finish(&in) != 0 || sec_acl_validate(acl) != 0) {
		rc = -DER_PROTO;
		goto out_free_acl;
	}
	*out = acl;
	return 0;

out_free_acl:
	sec_acl_free(acl);
	return rc;
}

/* --- evaluation --- */

static bool
subject_in_group(const struct sec_subject *who, const char *group)
{
	size_t i;

	if (who->group != NULL && strcmp(who->group, group) == 0)
		return true;
	for (i = 0; i < who->nr_groups; i++)
		if (who->groups[i] != NULL && strcmp(who->groups[i], group) == 0)
			return true;
	return false;
}

int
sec_acl_get_perms(const struct daos_acl *acl, const char *owner, const char *owner_group,
		  const struct sec_subject *who, uint64_t *perms)
{
	struct daos_ace *ace;
	uint64_t groups = 0;
	bool group_match = false;

	if (acl == NULL || who == NULL || who->user == NULL || perms == NULL ||
	    (who->nr_groups > 0 && who->groups == NULL) || sec_acl_validate(acl) != 0)
		return -DER_INVAL;

	/* 1: the owner's entry alone, if the requester owns the object and it exists. */
	if (owner != NULL && strcmp(owner, who->user) == 0 &&
	    sec_acl_get_ace(acl, DAOS_ACL_OWNER, NULL, &ace) == 0) {
		*perms = ace->dae_allow_perms;
		return 0;
	}
	/* 2: a named user entry alone; an empty one denies even if a group would allow. */
	if (sec_principal_is_valid(who->user) &&
	    sec_acl_get_ace(acl, DAOS_ACL_USER, who->user, &ace) == 0) {
		*perms = ace->dae_allow_perms;
		return 0;
	}
	/* 3: the union of every matching group entry, owner group included. */
	ace = NULL;
	while ((ace = sec_acl_next_ace(acl, ace)) != NULL) {
		bool match = false;

		if (ace->dae_principal_type == DAOS_ACL_OWNER_GROUP)
			match = owner_group != NULL && subject_in_group(who, owner_group);
		else if (ace->dae_principal_type == DAOS_ACL_GROUP)
			match = subject_in_group(who, ace->dae_principal);
		if (match) {
			groups |= ace->dae_allow_perms;
			group_match = true;
		}
	}
	if (group_match) {
		*perms = groups;
		return 0;
	}
	/* 4: everyone; 5: nothing. */
	if (sec_acl_get_ace(acl, DAOS_ACL_EVERYONE, NULL, &ace) == 0)
		*perms = ace->dae_allow_perms;
	else
		*perms = 0;
	return 0;
}
