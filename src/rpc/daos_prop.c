/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_prop.c - daos_prop_t, the property list of daos_prop.h: allocation, entries by
 * type, strings and pointers owned by the list, copies and merges, and lists parsed from
 * DAOS's property strings (daos_prop_from_str(), on the container property table of
 * cont_prop.c, which the daos CLI parses with too). Shared by libdaos (exported as
 * DAOS's API) and the engine (the services store and send them).
 *
 * Ownership: a list owns its entries' strings (dpe_str) and pointers (dpe_val_ptr);
 * daos_prop_free() releases them by type. Pointer types: pool and container ACLs (a
 * struct daos_acl of header + dal_len bytes), the container roots (struct
 * daos_prop_co_roots) and the pool service ranks (d_rank_list_t).
 */
#define D_LOGFAC DD_FAC(rpc)

#include <daos_prop.h>
#include <daos_security.h>
#include <gurt/common.h>
#include <stdint.h>
#include <string.h>

#include "rpc/cont_prop.h"

D_EXPORT bool
daos_prop_has_str(struct daos_prop_entry *entry)
{
	switch (entry->dpe_type) {
	case DAOS_PROP_PO_LABEL:
	case DAOS_PROP_PO_OWNER:
	case DAOS_PROP_PO_OWNER_GROUP:
	case DAOS_PROP_PO_POLICY:
	case DAOS_PROP_CO_LABEL:
	case DAOS_PROP_CO_OWNER:
	case DAOS_PROP_CO_OWNER_GROUP:
		return true;
	default:
		return false;
	}
}

D_EXPORT bool
daos_prop_has_ptr(struct daos_prop_entry *entry)
{
	switch (entry->dpe_type) {
	case DAOS_PROP_PO_ACL:
	case DAOS_PROP_CO_ACL:
	case DAOS_PROP_CO_ROOTS:
	case DAOS_PROP_PO_SVC_LIST:
		return true;
	default:
		return false;
	}
}

D_EXPORT daos_prop_t *
daos_prop_alloc(uint32_t entries_nr)
{
	daos_prop_t *prop;

	if (entries_nr > DAOS_PROP_ENTRIES_MAX_NR) {
		D_ERROR("%u properties asked, at most %u", entries_nr, DAOS_PROP_ENTRIES_MAX_NR);
		return NULL;
	}
	prop = d_calloc(1, sizeof(*prop));
	if (prop == NULL)
		return NULL;
	if (entries_nr > 0) {
		prop->dpp_entries = d_calloc(entries_nr, sizeof(*prop->dpp_entries));
		if (prop->dpp_entries == NULL) {
			d_free(prop);
			return NULL;
		}
	}
	prop->dpp_nr = entries_nr;
	return prop;
}

static void
entry_release(struct daos_prop_entry *e)
{
	if (daos_prop_has_str(e)) {
		d_free(e->dpe_str);
		e->dpe_str = NULL;
	} else if (e->dpe_type == DAOS_PROP_PO_SVC_LIST) {
		d_rank_list_free(e->dpe_val_ptr);
		e->dpe_val_ptr = NULL;
	} else if (daos_prop_has_ptr(e)) {
		d_free(e->dpe_val_ptr);
		e->dpe_val_ptr = NULL;
	}
}

D_EXPORT void
daos_prop_fini(daos_prop_t *prop)
{
	uint32_t i;

	if (prop == NULL)
		return;
	for (i = 0; prop->dpp_entries != NULL && i < prop->dpp_nr; i++)
		entry_release(&prop->dpp_entries[i]);
	d_free(prop->dpp_entries);
	prop->dpp_entries = NULL;
	prop->dpp_nr = 0;
}

D_EXPORT void
daos_prop_free(daos_prop_t *prop)
{
	if (prop == NULL)
		return;
	daos_prop_fini(prop);
	d_free(prop);
}

D_EXPORT struct daos_prop_entry *
daos_prop_entry_get(daos_prop_t *prop, uint32_t type)
{
	uint32_t i;

	if (prop == NULL || prop->dpp_entries == NULL)
		return NULL;
	for (i = 0; i < prop->dpp_nr; i++)
		if (prop->dpp_entries[i].dpe_type == type)
			return &prop->dpp_entries[i];
	return NULL;
}

D_EXPORT int
daos_prop_entry_set_str(struct daos_prop_entry *entry, const char *str, daos_size_t len)
{
	char *copy;

	if (entry == NULL || str == NULL || len == 0 || !daos_prop_has_str(entry))
		return -DER_INVAL;
	len = strnlen(str, len);
	copy = d_malloc(len + 1);
	if (copy == NULL)
		return -DER_NOMEM;
	memcpy(copy, str, len);
	copy[len] = '\0';
	d_free(entry->dpe_str);
	entry->dpe_str = copy;
	entry->dpe_flags &= ~DAOS_PROP_ENTRY_NOT_SET;
	return 0;
}

D_EXPORT int
daos_prop_set_str(daos_prop_t *prop, uint32_t type, const char *str, daos_size_t len)
{
	return daos_prop_entry_set_str(daos_prop_entry_get(prop, type), str, len);
}

D_EXPORT int
daos_prop_entry_set_ptr(struct daos_prop_entry *entry, const void *ptr, daos_size_t size)
{
	void *copy;

	if (entry == NULL || ptr == NULL || size == 0 || !daos_prop_has_ptr(entry) ||
	    entry->dpe_type == DAOS_PROP_PO_SVC_LIST)
		return -DER_INVAL;
	copy = d_malloc(size);
	if (copy == NULL)
		return -DER_NOMEM;
	memcpy(copy, ptr, size);
	d_free(entry->dpe_val_ptr);
	entry->dpe_val_ptr = copy;
	entry->dpe_flags &= ~DAOS_PROP_ENTRY_NOT_SET;
	return 0;
}

D_EXPORT int
daos_prop_set_ptr(daos_prop_t *prop, uint32_t type, const void *ptr, daos_size_t size)
{
	return daos_prop_entry_set_ptr(daos_prop_entry_get(prop, type), ptr, size);
}

/* The bytes behind a pointer entry (0: none or unknown). */
static size_t
ptr_size(const struct daos_prop_entry *e)
{
	const struct daos_acl *acl = e->dpe_val_ptr;

	if (e->dpe_val_ptr == NULL)
		return 0;
	switch (e->dpe_type) {
	case DAOS_PROP_PO_ACL:
	case DAOS_PROP_CO_ACL:
		return sizeof(*acl) + acl->dal_len;
	case DAOS_PROP_CO_ROOTS:
		return sizeof(struct daos_prop_co_roots);
	default:
		return 0;
	}
}

D_EXPORT int
daos_prop_entry_dup_ptr(struct daos_prop_entry *entry_dst, struct daos_prop_entry *entry_src,
			daos_size_t len)
{
	if (entry_dst == NULL || entry_src == NULL || entry_src->dpe_val_ptr == NULL)
		return -DER_INVAL;
	return daos_prop_entry_set_ptr(entry_dst, entry_src->dpe_val_ptr, len);
}

D_EXPORT int
daos_prop_entry_cmp_acl(struct daos_prop_entry *entry1, struct daos_prop_entry *entry2)
{
	size_t s1 = ptr_size(entry1);
	size_t s2 = ptr_size(entry2);

	if (s1 != s2 || s1 == 0)
		return -DER_MISMATCH;
	return memcmp(entry1->dpe_val_ptr, entry2->dpe_val_ptr, s1) == 0 ? 0 : -DER_MISMATCH;
}

D_EXPORT int
daos_prop_entry_dup_co_roots(struct daos_prop_entry *dst, struct daos_prop_entry *src)
{
	return daos_prop_entry_dup_ptr(dst, src, sizeof(struct daos_prop_co_roots));
}

/* Copy @src's value into @dst (same type; @dst holds nothing yet). */
static int
entry_copy(struct daos_prop_entry *dst, const struct daos_prop_entry *src)
{
	dst->dpe_type = src->dpe_type;
	dst->dpe_flags = src->dpe_flags;
	if (src->dpe_flags & DAOS_PROP_ENTRY_NOT_SET)
		return 0;
	if (daos_prop_has_str(dst)) {
		if (src->dpe_str == NULL)
			return 0;
		dst->dpe_str = d_strndup(src->dpe_str, DAOS_PROP_MAX_LABEL_BUF_LEN * 8);
		return dst->dpe_str == NULL ? -DER_NOMEM : 0;
	}
	if (dst->dpe_type == DAOS_PROP_PO_SVC_LIST) {
		dst->dpe_val_ptr = NULL;
		if (src->dpe_val_ptr == NULL)
			return 0;
		return d_rank_list_dup((d_rank_list_t **)&dst->dpe_val_ptr, src->dpe_val_ptr);
	}
	if (daos_prop_has_ptr(dst)) {
		size_t size = ptr_size(src);

		dst->dpe_val_ptr = NULL;
		if (size == 0)
			return 0;
		dst->dpe_val_ptr = d_malloc(size);
		if (dst->dpe_val_ptr == NULL)
			return -DER_NOMEM;
		memcpy(dst->dpe_val_ptr, src->dpe_val_ptr, size);
		return 0;
	}
	dst->dpe_val = src->dpe_val;
	return 0;
}

D_EXPORT int
daos_prop_merge2(daos_prop_t *old_prop, daos_prop_t *new_prop, daos_prop_t **out_prop)
{
	uint32_t nr = 0;
	uint32_t i;
	uint32_t n = 0;
	daos_prop_t *out;
	int rc;

	if (out_prop == NULL)
		return -DER_INVAL;
	for (i = 0; old_prop != NULL && i < old_prop->dpp_nr; i++)
		if (daos_prop_entry_get(new_prop, old_prop->dpp_entries[i].dpe_type) == NULL)
			nr++;
	nr += new_prop != NULL ? new_prop->dpp_nr : 0;
	out = daos_prop_alloc(nr);
	if (out == NULL)
		return nr > DAOS_PROP_ENTRIES_MAX_NR ? -DER_INVAL : -DER_NOMEM;
	for (i = 0; old_prop != NULL && i < old_prop->dpp_nr; i++) {
		if (daos_prop_entry_get(new_prop, old_prop->dpp_entries[i].dpe_type) != NULL)
			continue;
		rc = entry_copy(&out->dpp_entries[n++], &old_prop->dpp_entries[i]);
		if (rc != 0)
			goto fail;
	}
	for (i = 0; new_prop != NULL && i < new_prop->dpp_nr; i++) {
		rc = entry_copy(&out->dpp_entries[n++], &new_prop->dpp_entries[i]);
		if (rc != 0)
			goto fail;
	}
	*out_prop = out;
	return 0;
fail:
	out->dpp_nr = n;
	daos_prop_free(out);
	return rc;
}

D_EXPORT daos_prop_t *
daos_prop_merge(daos_prop_t *old_prop, daos_prop_t *new_prop)
{
	daos_prop_t *out = NULL;

	return daos_prop_merge2(old_prop, new_prop, &out) == 0 ? out : NULL;
}

D_EXPORT int
daos_prop_from_str(const char *str, daos_size_t len, daos_prop_t **prop)
{
	daos_prop_t *out;
	char err[256] = "";
	int rc;

	if (str == NULL || prop == NULL) {
		D_ERROR("could not parse container properties: %s is NULL",
			str == NULL ? "the string" : "the result pointer");
		return -DER_INVAL;
	}
	/* Entries, labels and the list all come from d_calloc: daos_prop_free() frees it. */
	out = d_calloc(1, sizeof(*out));
	if (out == NULL)
		return -DER_NOMEM;
	rc = cont_props_parse_str(str, len > SIZE_MAX ? SIZE_MAX : (size_t)len, out, err,
				  sizeof(err));
	if (rc != 0) {
		/* DAOS answers any string it cannot use with one code, unknown keys included. */
		if (rc != -DER_NOMEM)
			rc = -DER_INVAL;
		D_ERROR("could not parse container properties%s%s: " DF_RC, err[0] ? ": " : "", err,
			DP_RC(rc));
		cont_props_fini(out);
		d_free(out);
		return rc;
	}
	*prop = out;
	return 0;
}
