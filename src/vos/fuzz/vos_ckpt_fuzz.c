/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_ckpt_fuzz.c - libFuzzer target for the checkpoint image decoder (a chunk payload
 * after its checksum passed): each input is decoded into a fresh volatile pool, which
 * must reject what is malformed and never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vos/vos_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bio_ioq *ioq;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vos_pool_attr attr = { 0 };
	struct vos_ckpt_cursor *cur;
	struct vos_pool *pool;

	if (ioq == NULL && bio_ioq_create(8, &ioq) != 0)
		abort();
	attr.ioq = ioq;
	attr.mem_limit = 64 * 1024 * 1024;
	if (vos_pool_open(&attr, &pool) != 0)
		abort();
	cur = vos_ckpt_cursor_create();
	if (cur == NULL)
		abort();
	pool->replaying = true;
	vos_ckpt_decode(pool, cur, data, size);
	pool->replaying = false;
	vos_ckpt_cursor_destroy(cur);
	vos_pool_close(pool);
	return 0;
}
