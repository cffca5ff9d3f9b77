/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uns.c - parsing of unified namespace links (uns.h).
 */
#include "common/uns.h"

#include <gurt/common.h>
#include <string.h>

D_EXPORT int
uns_pool_cont_split(const char *p, const char *stops, char *pool, size_t pool_len, char *cont,
		    size_t cont_len, const char **rest)
{
	const char *slash = strchr(p, '/');
	size_t n;

	if (slash == NULL || slash == p || (size_t)(slash - p) >= pool_len)
		return -DER_INVAL;
	memcpy(pool, p, (size_t)(slash - p));
	pool[slash - p] = '\0';
	p = slash + 1;
	n = strcspn(p, stops);
	if (n == 0 || n >= cont_len)
		return -DER_INVAL;
	memcpy(cont, p, n);
	cont[n] = '\0';
	*rest = p + n;
	return 0;
}

D_EXPORT int
uns_parse(const char *value, char *type, size_t type_len, char *pool, size_t pool_len, char *cont,
	  size_t cont_len)
{
	static const char prefix[] = "DAOS.";
	const char *t, *p, *rest;
	size_t n;

	if (value == NULL || strncmp(value, prefix, sizeof(prefix) - 1) != 0)
		return -DER_INVAL;
	t = value + sizeof(prefix) - 1;
	p = strstr(t, "://");
	n = p == NULL ? 0 : (size_t)(p - t);
	if (n == 0 || n >= type_len)
		return -DER_INVAL;
	memcpy(type, t, n);
	type[n] = '\0';
	return uns_pool_cont_split(p + 3, "/?", pool, pool_len, cont, cont_len, &rest);
}
