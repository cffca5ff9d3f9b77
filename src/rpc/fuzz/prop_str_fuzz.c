/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prop_str_fuzz.c - libFuzzer target for daos_prop_from_str(), which parses an
 * application's bytes: the input as it is (no NUL after it), then its first half. A
 * string that parses must print back (key:value;... in the table's wire form) to a string
 * that parses to the same entries; every list is freed with daos_prop_free().
 */
#define D_LOGFAC DD_FAC(tests)

#include <gurt/common.h>
#include <stdio.h>
#include <string.h>

#include "rpc/cont_prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Append "key:value;" for @e to @buf (at @used); false if it does not fit. */
static bool
entry_print(const struct daos_prop_entry *e, char *buf, size_t len, size_t *used)
{
	const struct cont_prop_def *d = cont_prop_by_type(e->dpe_type);
	struct pool_prop_val val = { .num = e->dpe_val };
	char value[POOL_PROP_STR_MAX];
	int n;

	D_ASSERT(d != NULL);
	val.def = &d->def;
	if (d->def.kind == POOL_PROP_KIND_LABEL)
		snprintf(value, sizeof(value), "%s", e->dpe_str);
	else if (d->kind == CONT_PROP_STATUS)
		snprintf(value, sizeof(value), "healthy");
	else if (d->type == DAOS_PROP_CO_LAYOUT_TYPE)
		snprintf(value, sizeof(value), "%s", cont_layout_name(e->dpe_val));
	else if (pool_prop_val_to_str(&val, value, sizeof(value)) != 0)
		return false;
	n = snprintf(buf + *used, len - *used, "%s:%s;", d->def.key, value);
	if (n < 0 || (size_t)n >= len - *used)
		return false;
	*used += (size_t)n;
	return true;
}

static void
parse_and_print(const char *str, size_t len)
{
	static char text[DAOS_PROP_CO_NUM * (POOL_PROP_STR_MAX + 32)];
	daos_prop_t *prop = NULL, *again = NULL;
	size_t used = 0;
	uint32_t i;

	if (daos_prop_from_str(str, len, &prop) != 0)
		return;
	D_ASSERT(prop->dpp_nr > 0 && prop->dpp_nr <= DAOS_PROP_CO_NUM);
	for (i = 0; i < prop->dpp_nr; i++)
		D_ASSERT(entry_print(&prop->dpp_entries[i], text, sizeof(text), &used));
	D_ASSERT(daos_prop_from_str(text, used, &again) == 0);
	D_ASSERT(again->dpp_nr == prop->dpp_nr);
	for (i = 0; i < prop->dpp_nr; i++) {
		const struct daos_prop_entry *a = &prop->dpp_entries[i];
		const struct daos_prop_entry *b = &again->dpp_entries[i];

		D_ASSERT(a->dpe_type == b->dpe_type);
		if (a->dpe_type == DAOS_PROP_CO_LABEL)
			D_ASSERT(strcmp(a->dpe_str, b->dpe_str) == 0);
		else
			D_ASSERT(a->dpe_val == b->dpe_val);
	}
	daos_prop_free(again);
	daos_prop_free(prop);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_and_print((const char *)data, size);
	parse_and_print((const char *)data, size / 2);
	return 0;
}
