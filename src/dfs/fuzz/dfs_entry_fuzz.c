/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_entry_fuzz.c - libFuzzer target for dfs_entry_decode(), which reads inodes from
 * storage other clients wrote: any input must be refused or decoded, never crash, and a
 * decoded inode must encode back to the same bytes (the codec has one representation).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfs/dfs_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t again[DFS_INODE_SIZE];
	struct dfs_entry e;

	if (dfs_entry_decode(data, size, &e) != 0)
		return 0;
	dfs_entry_encode(&e, again);
	if (size != DFS_INODE_SIZE || memcmp(again, data, size) != 0)
		abort();
	return 0;
}
