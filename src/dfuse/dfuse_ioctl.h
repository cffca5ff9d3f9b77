/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_ioctl.h - what an interception library (libioil, libpil4dfs) asks dfuse about an
 * open file descriptor, so that it can reach the same object through libdaos/libdfs and
 * bypass the kernel. The layout is ours (not DAOS's); docs/design/dfuse.md describes it.
 *
 * Protocol, on any fd of a file or directory under a dfuse mount:
 *   1. ioctl(fd, DFUSE_IOCTL_IL, &il): fails with ENOTTY (or ENOSYS) if the fd is not a
 *      dfuse one. Check il.version == DFUSE_IOCTL_VERSION before trusting anything else;
 *      dfuse fills version first and a caller that does not know it must not go on.
 *   2. Connect to pool il.pool_uuid and open container il.cont_uuid (system name from
 *      DFUSE_IOCTL_MOUNT, "" meaning the default), then dfs_mount() it. One mount per
 *      (il.mount_id, pool, container) is enough for every fd of that dfuse mount.
 *   3. ioctl(fd, DFUSE_IOCTL_OBJ, &obj) and dfs_obj_global2local(dfs, 0, {obj.glob,
 *      obj.len}) give a DFS object for the file (the serialisation of
 *      dfs_obj_local2global(), access mode of the fd's open).
 * All replies are fixed-size structs; the ioctl numbers encode their sizes (_IOR), as the
 * kernel requires of FUSE ioctls. Integers are in the host's byte order.
 *
 * Versioning: a change to any struct here bumps DFUSE_IOCTL_VERSION; new calls take new
 * numbers. Flags may gain bits without a version change; unknown bits are to be ignored.
 */
#ifndef DFUSE_IOCTL_H
#define DFUSE_IOCTL_H

#include <stdint.h>
#include <sys/ioctl.h>

#define DFUSE_IOCTL_TYPE 0xA3
#define DFUSE_IOCTL_VERSION 1

/* il.flags */
#define DFUSE_IL_CACHING (1u << 0)    /* the kernel caches file data: bypass with care */
#define DFUSE_IL_READ_ONLY (1u << 1)  /* the mount is read-only */
#define DFUSE_IL_MULTI_USER (1u << 2) /* --multi-user */

/* DFUSE_IOCTL_IL: which object, of which container, of which dfuse mount. 64 bytes. */
struct dfuse_il_reply {
	uint32_t version; /* DFUSE_IOCTL_VERSION */
	uint32_t flags;   /* DFUSE_IL_* */
	uint64_t oid_hi;  /* DAOS object id of the file (or directory) */
	uint64_t oid_lo;
	uint8_t pool_uuid[16]; /* the pool, as uuid_t */
	uint8_t cont_uuid[16]; /* the container, as uuid_t */
	uint64_t mount_id;     /* random, fixed for the life of one dfuse mount */
};

/* Largest object blob DFUSE_IOCTL_OBJ returns (a header and the entry name). */
#define DFUSE_IOCTL_OBJ_MAX 1024

/* DFUSE_IOCTL_OBJ: dfs_obj_local2global() of the fd's object. */
struct dfuse_obj_reply {
	uint32_t version; /* DFUSE_IOCTL_VERSION */
	uint32_t len;     /* bytes used in glob */
	uint8_t glob[DFUSE_IOCTL_OBJ_MAX];
};

/* Longest mount point path DFUSE_IOCTL_MOUNT returns, NUL included. */
#define DFUSE_IOCTL_PATH_MAX 4096
#define DFUSE_IOCTL_SYS_MAX 64

/* DFUSE_IOCTL_MOUNT: the dfuse daemon and where it is mounted. */
struct dfuse_mount_reply {
	uint32_t version;                   /* DFUSE_IOCTL_VERSION */
	int32_t pid;                        /* the dfuse process */
	uint64_t mount_id;                  /* as in struct dfuse_il_reply */
	char sys_name[DFUSE_IOCTL_SYS_MAX]; /* DAOS system name, "" for the default */
	char path[DFUSE_IOCTL_PATH_MAX];    /* absolute mount point, NUL-terminated */
};

/* DFUSE_IOCTL_COUNT: what the dfuse daemon holds (daos filesystem query). 48 bytes. */
struct dfuse_count_reply {
	uint32_t version; /* DFUSE_IOCTL_VERSION */
	uint32_t pad;
	uint64_t inodes;     /* entries the kernel (or a request) holds */
	uint64_t files;      /* open file handles */
	uint64_t dirs;       /* open directory handles */
	uint64_t pools;      /* pools connected */
	uint64_t containers; /* containers open */
};

/*
 * DFUSE_IOCTL_EVICT: drop the kernel's cached data and attributes of the fd's inode (daos
 * filesystem evict); the next access asks dfuse, which asks DAOS. Works on any file or
 * directory of the mount.
 */
struct dfuse_evict_reply {
	uint32_t version; /* DFUSE_IOCTL_VERSION */
	uint32_t pad;
	uint64_t ino; /* the inode evicted (FUSE node id) */
};

#define DFUSE_IOCTL_IL _IOR(DFUSE_IOCTL_TYPE, 1, struct dfuse_il_reply)
#define DFUSE_IOCTL_OBJ _IOR(DFUSE_IOCTL_TYPE, 2, struct dfuse_obj_reply)
#define DFUSE_IOCTL_MOUNT _IOR(DFUSE_IOCTL_TYPE, 3, struct dfuse_mount_reply)
#define DFUSE_IOCTL_COUNT _IOR(DFUSE_IOCTL_TYPE, 4, struct dfuse_count_reply)
#define DFUSE_IOCTL_EVICT _IOR(DFUSE_IOCTL_TYPE, 5, struct dfuse_evict_reply)

#endif /* DFUSE_IOCTL_H */
