/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_entry_fuzz.c - libFuzzer target for dfs_entry_decode(), which reads inodes from
 * storage other clients wrote: any input must be refused or decoded, never crash, and a
 * decoded inode must encode back to the same bytes (the codec has one representation).
 * Also for dfs_entry_fix_type(), which repairs such bytes (fix-entry): an inode it
 * repairs must decode, with the type of the object it names. The input's first
 * DFS_INODE_SIZE bytes are the inode, the next two the symlink target's length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfs/dfs_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The repair leaves bytes that decode, or refuses and leaves them alone. */
static void
fix_check(const uint8_t *data, size_t size)
{
	uint8_t buf[DFS_INODE_SIZE], before[DFS_INODE_SIZE];
	struct dfs_entry e;
	uint64_t slen = 0;
	mode_t mode;

	if (size < DFS_INODE_SIZE)
		return;
	memcpy(buf, data, sizeof(buf));
	memcpy(before, buf, sizeof(buf));
	if (size >= DFS_INODE_SIZE + 2)
		slen = (uint64_t)data[DFS_INODE_SIZE] | (uint64_t)data[DFS_INODE_SIZE + 1] << 8;
	if (dfs_entry_fix_type(buf, slen, 1 << 20, &mode) != 0) {
		if (memcmp(buf, before, sizeof(buf)) != 0)
			abort();
		return;
	}
	if (dfs_entry_decode(buf, sizeof(buf), &e) != 0 || e.mode != mode ||
	    !dfs_entry_type_matches(e.mode, e.oid))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t again[DFS_INODE_SIZE];
	struct dfs_entry e;

	fix_check(data, size);
	if (dfs_entry_decode(data, size, &e) != 0)
		return 0;
	dfs_entry_encode(&e, again);
	if (size != DFS_INODE_SIZE || memcmp(again, data, size) != 0)
		abort();
	return 0;
}
