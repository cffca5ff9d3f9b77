/* SPDX-License-Identifier: Apache-2.0 */
/*
 * superblock_fuzz.c - libFuzzer target for the engine superblock parser: any bytes must
 * either parse into fields that pass the parser's own rules or be refused with a message.
 * The seed corpus (sb_corpus/) holds a valid superblock and broken variants.
 */
#define D_LOGFAC DD_FAC(control)

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "control/storage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct storage_sb sb;
	char err[256];

	err[0] = '\0';
	if (storage_sb_parse((const char *)data, size, &sb, err, sizeof(err)) == 0) {
		assert(strlen(sb.uuid) == 36);
		assert(sb.system[0] != '\0' && memchr(sb.system, '\0', sizeof(sb.system)));
		assert(sb.fault_domain[0] == '/');
		assert(memchr(sb.uri, '\0', sizeof(sb.uri)) != NULL);
	} else {
		assert(err[0] != '\0');
	}
	return 0;
}
