/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_prop_fuzz.c - the daos CLI's parsers of command-line text on any bytes: container
 * property lists (for create and for set-prop; every entry that parses must print), name
 * lists, attribute lists, OIDs, epochs, container types, ACE strings, UNS attribute
 * values (user.daos) and daos:// paths. Nothing may
 * crash or leak; an OID or epoch that parses must print back to a string that parses to it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/uns.h"
#include "control/daos/dcli_int.h"

static void
props_try(const char *s, enum cont_prop_use use)
{
	daos_prop_t props = { 0 };
	char err[512];
	uint32_t i;

	if (cont_props_parse(s, use, &props, err, sizeof(err)) == 0)
		for (i = 0; i < props.dpp_nr; i++)
			d_free(dcli_prop_entry_str(&props.dpp_entries[i]));
	cont_props_fini(&props);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[512], buf[64];
	char pool[DAOS_PROP_LABEL_MAX_LEN + 1], cont[DAOS_PROP_LABEL_MAX_LEN + 1], path[256];
	char type[32];
	struct dcli_attr *attrs = NULL;
	struct daos_acl *acl = NULL;
	daos_prop_t names = { 0 };
	daos_obj_id_t oid, back;
	uint64_t v, w;
	size_t nr = 0;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	props_try(s, CONT_PROP_USE_CREATE);
	props_try(s, CONT_PROP_USE_SET);
	cont_props_parse_names(s, &names, err, sizeof(err));
	cont_props_fini(&names);
	if (dcli_attrs_split(s, true, &attrs, &nr, err, sizeof(err)) == 0)
		dcli_attrs_free(attrs, nr);
	if (dcli_attrs_split(s, false, &attrs, &nr, err, sizeof(err)) == 0)
		dcli_attrs_free(attrs, nr);
	if (dcli_oid_parse(s, &oid) == 0) {
		dcli_oid_str(oid, buf, sizeof(buf));
		if (dcli_oid_parse(buf, &back) != 0 || back.hi != oid.hi || back.lo != oid.lo)
			abort();
	}
	if (dcli_epoch_parse(s, &v) == 0) {
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
		if (dcli_epoch_parse(buf, &w) != 0 || w != v)
			abort();
	}
	cont_layout_parse(s, &v);
	if (dcli_acl_from_entry(s, &acl, err, sizeof(err)) == 0)
		dcli_acl_free(acl);
	/* A UNS link's user.daos value (read from any file system) and daos:// paths. */
	if (uns_parse(s, type, sizeof(type), pool, sizeof(pool), cont, sizeof(cont)) == 0 &&
	    (type[0] == '\0' || pool[0] == '\0' || cont[0] == '\0' || strchr(pool, '/') != NULL))
		abort();
	dcli_daos_path_parse(s, pool, sizeof(pool), cont, sizeof(cont), path, sizeof(path));
	free(s);
	return 0;
}
