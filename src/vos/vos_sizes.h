/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos/vos_sizes.h - the blob sizes of a VOS pool from the index memory it may use: the
 * engine sizes pool shards with them, rsvc its stores, and daos_server checks with them
 * that a pool fits before asking the engines (the WAL and meta blobs share the devices
 * with the data when one tier carries every role).
 *
 *   WAL:  a quarter of the index memory, 16 MiB to 1 GiB
 *   meta: two checkpoint slots, each the whole index plus VOS's margin (1/16 + 1 MiB)
 *   data: the caller's choice (the NVMe share of a shard)
 * Blobs are rounded up to BIO_BLOB_ALIGN on the device.
 */
#ifndef VOS_VOS_SIZES_H
#define VOS_VOS_SIZES_H

#include <stdint.h>

#include "bio/bio.h"

#define VOS_SIZE_MiB (1ULL << 20)

static inline uint64_t
vos_pool_wal_size(uint64_t mem)
{
	uint64_t wal = mem / 4;

	if (wal < 16 * VOS_SIZE_MiB)
		wal = 16 * VOS_SIZE_MiB;
	if (wal > 1024 * VOS_SIZE_MiB)
		wal = 1024 * VOS_SIZE_MiB;
	return wal;
}

static inline uint64_t
vos_pool_meta_size(uint64_t mem)
{
	return 2 * ((mem + VOS_SIZE_MiB) * 16 / 15 + VOS_SIZE_MiB);
}

static inline uint64_t
vos_blob_round(uint64_t size)
{
	return (size + BIO_BLOB_ALIGN - 1) / BIO_BLOB_ALIGN * BIO_BLOB_ALIGN;
}

/* Device bytes of a pool's WAL and meta blobs. */
static inline uint64_t
vos_pool_md_bytes(uint64_t mem)
{
	return vos_blob_round(vos_pool_wal_size(mem)) + vos_blob_round(vos_pool_meta_size(mem));
}

#endif /* VOS_VOS_SIZES_H */
