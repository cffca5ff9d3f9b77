/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_statfs.h - what statfs(2) on a dfuse mount reports: the space of the pool, in
 * 4 KiB blocks, and object counts DFS does not keep (reported as plenty). dfuse answers
 * FUSE's statfs with it, and libpil4dfs answers statfs(2) without the kernel with it, so
 * the two agree.
 */
#ifndef DFUSE_DFUSE_STATFS_H
#define DFUSE_DFUSE_STATFS_H

#include <daos.h>
#include <daos_fs.h>
#include <string.h>
#include <sys/statvfs.h>

#define DFUSE_STATFS_BSIZE 4096
#define DFUSE_STATFS_FILES (1ULL << 32)

/* Fill @sv from the space of @info (queried with DPI_SPACE). */
static inline void
dfuse_statvfs_fill(const daos_pool_info_t *info, struct statvfs *sv)
{
	uint64_t total = info->pi_space.ps_space.s_total[DAOS_MEDIA_SCM] +
			 info->pi_space.ps_space.s_total[DAOS_MEDIA_NVME];
	uint64_t avail = info->pi_space.ps_space.s_free[DAOS_MEDIA_SCM] +
			 info->pi_space.ps_space.s_free[DAOS_MEDIA_NVME];

	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = DFUSE_STATFS_BSIZE;
	sv->f_frsize = DFUSE_STATFS_BSIZE;
	sv->f_blocks = total / DFUSE_STATFS_BSIZE;
	sv->f_bfree = avail / DFUSE_STATFS_BSIZE;
	sv->f_bavail = avail / DFUSE_STATFS_BSIZE;
	sv->f_files = DFUSE_STATFS_FILES;
	sv->f_ffree = DFUSE_STATFS_FILES;
	sv->f_favail = DFUSE_STATFS_FILES;
	sv->f_namemax = DFS_MAX_NAME;
	sv->f_fsid = DAOS_SUPER_MAGIC;
}

#endif /* DFUSE_DFUSE_STATFS_H */
