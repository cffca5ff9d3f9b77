/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine/pool_sizes.h - limits of pool shards and pool service stores, shared by the
 * engine and daos_server (which checks that a pool fits before asking the engines). The
 * blob sizes themselves follow vos/vos_sizes.h.
 */
#ifndef ENGINE_POOL_SIZES_H
#define ENGINE_POOL_SIZES_H

#include "vos/vos_sizes.h"

#define POOL_SHARD_MiB VOS_SIZE_MiB
/* The least SCM (index memory) a shard may have. */
#define POOL_SHARD_SCM_MIN (16 * POOL_SHARD_MiB)
/* Index memory of a pool service's store (rsvc/rdb.h) on its rank. */
#define POOL_SVC_DB_SIZE (8 * POOL_SHARD_MiB)

#endif /* ENGINE_POOL_SIZES_H */
