/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_wal_fuzz.c - libFuzzer target for the WAL record decoder (what replay trusts
 * after a batch checksum passes): input = u16 record type, then the body. Each input is
 * applied to a fresh volatile pool holding the container 00..0f (the uuid the seed
 * corpus uses), which must reject what is malformed and never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vos/vos_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bio_ioq *ioq;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vos_pool_attr attr = { 0 };
	struct vos_pool *pool;
	uuid_t cont;
	uint16_t type;
	int i;

	if (size < 2)
		return 0;
	if (ioq == NULL && bio_ioq_create(8, &ioq) != 0)
		abort();
	attr.ioq = ioq;
	attr.mem_limit = 64 * 1024 * 1024;
	if (vos_pool_open(&attr, &pool) != 0)
		abort();
	for (i = 0; i < 16; i++)
		cont[i] = (uint8_t)i;
	if (vos_cont_apply_create(pool, cont) != 0)
		abort();
	pool->replaying = true;
	memcpy(&type, data, sizeof(type));
	vos_rec_apply(pool, type, data + 2, size - 2);
	pool->replaying = false;
	vos_pool_close(pool);
	return 0;
}
