/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_prop.c - how `daos container get-prop` and `query` show container properties: the
 * display text and JSON of every kind of entry of the container property table. The table
 * and the parser of --properties, set-prop and get-prop lists are rpc/cont_prop.c, which
 * libdaos's daos_prop_from_str() parses with too; what only the CLI needs (ACL text,
 * OIDs, JSON) is here.
 */
#define D_LOGFAC DD_FAC(control)

#include <inttypes.h>

#include "control/daos/dcli_int.h"

/* ---- display ---- */

static char *
roots_str(const struct daos_prop_co_roots *roots)
{
	char buf[4 * 48] = "", oid[48];
	unsigned int i;
	size_t used = 0;

	for (i = 0; roots != NULL && i < ARRAY_SIZE(roots->cr_oids); i++) {
		if (daos_obj_id_is_nil(roots->cr_oids[i]))
			continue;
		dcli_oid_str(roots->cr_oids[i], oid, sizeof(oid));
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", used ? ", " : "",
					 oid);
	}
	return d_strdup(used ? buf : "not set");
}

char *
dcli_prop_entry_str(const struct daos_prop_entry *e)
{
	const struct cont_prop_def *d = cont_prop_by_type(e->dpe_type);
	struct daos_co_status st;
	struct pool_prop_val val;
	char buf[POOL_PROP_STR_MAX];
	char *s = NULL;

	if (d == NULL)
		return d_asprintf(&s, "0x%" PRIx64, e->dpe_val) < 0 ? NULL : s;
	if (e->dpe_flags & DAOS_PROP_ENTRY_NOT_SET)
		return d_strdup("not set");
	switch (d->kind) {
	case CONT_PROP_STRING:
		return d_strdup(e->dpe_str != NULL ? e->dpe_str : "not set");
	case CONT_PROP_ACL:
		if (e->dpe_val_ptr == NULL)
			return d_strdup("not set");
		if (dcli_acl_to_list(e->dpe_val_ptr, &s) != 0)
			return d_strdup("invalid ACL");
		return s;
	case CONT_PROP_STATUS:
		daos_prop_val_2_co_status(e->dpe_val, &st);
		if (st.dcs_status == DAOS_PROP_CO_HEALTHY)
			return d_strdup("HEALTHY");
		if (st.dcs_status == DAOS_PROP_CO_UNCLEAN)
			return d_strdup("UNCLEAN");
		return d_asprintf(&s, "unknown (%u)", st.dcs_status) < 0 ? NULL : s;
	case CONT_PROP_ROOTS:
		return roots_str(e->dpe_val_ptr);
	case CONT_PROP_BOOL:
		return d_strdup(e->dpe_val ? "true" : "false");
	case CONT_PROP_VALUE:
	default:
		break;
	}
	if (d->def.kind == POOL_PROP_KIND_LABEL)
		return d_strdup(e->dpe_str != NULL ? e->dpe_str : "not set");
	val.def = &d->def;
	val.num = e->dpe_val;
	if (pool_prop_val_display(&val, buf, sizeof(buf)) != 0)
		return NULL;
	if (d->show_num)
		return d_asprintf(&s, "%s (%" PRIu64 ")", buf, e->dpe_val) < 0 ? NULL : s;
	return d_strdup(buf);
}

json_t *
dcli_prop_entry_json(const struct daos_prop_entry *e)
{
	const struct cont_prop_def *d = cont_prop_by_type(e->dpe_type);
	json_t *j;
	char *s;

	if (d != NULL && d->kind == CONT_PROP_VALUE && !(e->dpe_flags & DAOS_PROP_ENTRY_NOT_SET) &&
	    (d->def.kind == POOL_PROP_KIND_NUM || d->def.kind == POOL_PROP_KIND_BYTES))
		return json_integer((json_int_t)e->dpe_val);
	s = dcli_prop_entry_str(e);
	if (s == NULL)
		return NULL;
	j = json_string(s);
	d_free(s);
	return j;
}
