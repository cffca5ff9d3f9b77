/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_prop_fuzz.c - the property list, property value and size parsers on any bytes:
 * the input is split as "k:v,k:v" and every pair parsed for create and for set-prop; a
 * value that parses must print and parse back to the same value. The whole input is also
 * tried as a size and as a label.
 */
#include <gurt/common.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/pool_prop.h"

static int
one_pair(const char *key, const char *value, void *arg)
{
	struct pool_prop_val v, back;
	char wire[POOL_PROP_STR_MAX], disp[POOL_PROP_STR_MAX], err[256];
	bool create;

	(void)arg;
	for (create = false;; create = true) {
		if (pool_prop_parse(key, value, create, &v, err, sizeof(err)) == 0) {
			if (pool_prop_val_to_str(&v, wire, sizeof(wire)) == 0 &&
			    pool_prop_parse(key, wire, true, &back, err, sizeof(err)) == 0 &&
			    back.num != v.num)
				abort();
			pool_prop_val_display(&v, disp, sizeof(disp));
			pool_prop_value_display(key, value, disp, sizeof(disp));
		}
		if (create)
			break;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char err[256], buf[64];
	uint64_t v;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	pool_prop_list_walk(s, one_pair, NULL, err, sizeof(err));
	if (pool_prop_size_parse(s, &v) == 0) {
		pool_prop_bytes_str(v, buf, sizeof(buf));
		pool_prop_ibytes_str(v, buf, sizeof(buf));
	}
	pool_prop_label_is_valid(s, err, sizeof(err));
	free(s);
	return 0;
}
