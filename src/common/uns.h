/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uns.h - the text of DAOS's unified namespace: a link's user.daos attribute,
 * "DAOS.<TYPE>://<pool>/<container>[/<path>][?<options>]", and the "<pool>/<container>"
 * pair it shares with daos:// paths. Read by dfuse (--path, entry points) and the daos
 * CLI; the value comes from any file system, so nothing is trusted.
 */
#ifndef COMMON_UNS_H
#define COMMON_UNS_H

#include <stddef.h>

/* The attribute that holds a link. */
#define UNS_XATTR "user.daos"

/*
 * "<pool>/<container>" at @p into @pool and @cont, the container ending at any character
 * of @stops or at the end (*@rest points there). 0, or -DER_INVAL if either is empty or
 * does not fit.
 */
int uns_pool_cont_split(const char *p, const char *stops, char *pool, size_t pool_len, char *cont,
			size_t cont_len, const char **rest);

/*
 * A link's value into @type ("POSIX", "HDF5", ...), @pool and @cont (each NUL-terminated,
 * never empty); what follows the container (a path, options) is ignored, as later DAOS
 * versions append them. 0, or -DER_INVAL if @value is not one or a part does not fit.
 */
int uns_parse(const char *value, char *type, size_t type_len, char *pool, size_t pool_len,
	      char *cont, size_t cont_len);

#endif /* COMMON_UNS_H */
