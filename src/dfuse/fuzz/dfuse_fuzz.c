/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_fuzz.c - dfuse's parsers of bytes it did not write, on any input: a UNS link's
 * user.daos value (any client may set one on a directory dfuse then enters), the
 * container attributes that set its caching (dfuse-*-time, dfuse-data-cache, ...), the
 * text of /proc/self/mountinfo, and command lines (the input split at blanks). Nothing may
 * crash or leak; a UNS value that parses gives a non-empty pool and container.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfuse/dfuse_int.h"

#define MAX_ARGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *values[DFUSE_NR_CACHE_ATTRS] = { NULL };
	char *s = malloc(size + 1), *words, *argv[MAX_ARGS + 1], *save = NULL, *w;
	char *pool = NULL, *cont = NULL, err[256];
	struct dfuse_cache c;
	struct dfuse_opts o;
	unsigned int major, minor;
	double secs;
	int argc = 0, i;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (dfuse_uns_parse(s, &pool, &cont) == 0) {
		if (pool == NULL || cont == NULL || pool[0] == '\0' || cont[0] == '\0')
			abort();
		d_free(pool);
		d_free(cont);
	}
	dfuse_duration_parse(s, &secs);
	for (i = 0; i < DFUSE_NR_CACHE_ATTRS; i++) {
		values[i] = s;
		dfuse_cache_resolve(values, &c, err, sizeof(err));
		values[i] = NULL;
	}
	dfuse_mountinfo_dev(s, "/mnt/dfuse", &major, &minor);

	words = strdup(s);
	if (words != NULL) {
		argv[argc++] = "dfuse";
		for (w = strtok_r(words, " \t\n", &save); w != NULL && argc < MAX_ARGS;
		     w = strtok_r(NULL, " \t\n", &save))
			argv[argc++] = w;
		argv[argc] = NULL;
		/* @o is filled even on error: fini in both cases, as main does. */
		dfuse_opts_parse(argc, argv, &o, err, sizeof(err));
		dfuse_opts_fini(&o);
		free(words);
	}
	free(s);
	return 0;
}
