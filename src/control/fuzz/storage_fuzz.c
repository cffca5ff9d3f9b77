/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage_fuzz.c - libFuzzer target for what daos_server and daos_engine read back from
 * storage: the engine superblock and the bdev description file (daos_nvme.conf). Any
 * bytes must either parse into values that pass the parser's own rules or be refused
 * with a message. The seed corpus (storage_corpus/) holds valid files and broken ones.
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
	struct bio_conf conf;
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

	err[0] = '\0';
	if (bio_conf_parse((const char *)data, size, &conf, err, sizeof(err)) == 0) {
		unsigned int i;
		unsigned int roles = 0;

		assert(conf.nr_tiers > 0);
		for (i = 0; i < conf.nr_tiers; i++) {
			assert(conf.tiers[i].nr_devices > 0);
			assert(conf.tiers[i].devices[0][0] == '/');
			roles |= conf.tiers[i].roles;
		}
		assert(roles == BIO_ROLE_ALL);
		bio_conf_fini(&conf);
	} else {
		assert(err[0] != '\0');
	}
	return 0;
}
