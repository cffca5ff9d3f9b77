/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine/pool_sizes.h - the blob sizes of a pool shard on one target, from the pool's
 * SCM and NVMe shares per target. The engine creates shards with them; daos_server uses
 * them to check that a pool fits before asking the engines (the WAL and meta blobs
 * share the devices with the data when one tier carries every role).
 *
 *   WAL:  a quarter of the SCM share, 16 MiB to 1 GiB
 *   meta: two checkpoint slots, each the whole index plus VOS's margin (1/16 + 1 MiB)
 *   data: the NVMe share
 * Blobs are rounded up to BIO_BLOB_ALIGN on the device.
 */
#ifndef ENGINE_POOL_SIZES_H
#define ENGINE_POOL_SIZES_H

#include <stdint.h>

#include "bio/bio.h"

#define POOL_SHARD_MiB (1ULL << 20)

static inline uint64_t
pool_shard_wal_size(uint64_t scm)
{
	uint64_t wal = scm / 4;

	if (wal < 16 * POOL_SHARD_MiB)
		wal = 16 * POOL_SHARD_MiB;
	if (wal > 1024 * POOL_SHARD_MiB)
		wal = 1024 * POOL_SHARD_MiB;
	return wal;
}

static inline uint64_t
pool_shard_meta_size(uint64_t scm)
{
	return 2 * ((scm + POOL_SHARD_MiB) * 16 / 15 + POOL_SHARD_MiB);
}

static inline uint64_t
pool_shard_blob_round(uint64_t size)
{
	return (size + BIO_BLOB_ALIGN - 1) / BIO_BLOB_ALIGN * BIO_BLOB_ALIGN;
}

/* Device bytes of one target's WAL and meta blobs. */
static inline uint64_t
pool_shard_md_bytes(uint64_t scm)
{
	return pool_shard_blob_round(pool_shard_wal_size(scm)) +
	       pool_shard_blob_round(pool_shard_meta_size(scm));
}

#endif /* ENGINE_POOL_SIZES_H */
