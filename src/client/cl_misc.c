/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_misc.c - the local parts of the API that need no handle: rank list parsing.
 */
#define D_LOGFAC DD_FAC(client)

#include <stdio.h>

#include "client/client_int.h"

/* "0:1:2" with @sep ":" into a new list; NULL on a bad rank or no memory. */
D_EXPORT d_rank_list_t *
daos_rank_list_parse(const char *str, const char *sep)
{
	d_rank_list_t *list;
	char *copy;
	char *p;
	char *end;

	if (str == NULL || sep == NULL || sep[0] == '\0')
		return NULL;
	list = d_rank_list_alloc(0);
	copy = d_strdup(str);
	if (list == NULL || copy == NULL)
		goto out_fail;
	for (p = copy; *p != '\0';) {
		unsigned long r;
		size_t n = strcspn(p, sep);

		if (n == 0) {
			p++;
			continue;
		}
		r = strtoul(p, &end, 10);
		if (end != p + n || r >= CRT_NO_RANK || d_rank_list_append(list, (d_rank_t)r) != 0)
			goto out_fail;
		p += n;
	}
	d_free(copy);
	return list;

out_fail:
	d_free(copy);
	d_rank_list_free(list);
	return NULL;
}

D_EXPORT int
daos_version_get(int *major, int *minor, int *fix)
{
	if (major == NULL || minor == NULL || fix == NULL)
		return -DER_INVAL;
	*major = DAOS_API_VERSION_MAJOR;
	*minor = DAOS_API_VERSION_MINOR;
	*fix = DAOS_API_VERSION_FIX;
	return 0;
}
