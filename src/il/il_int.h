/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il_int.h - internals shared by the files of libioil and libpil4dfs: the real libc
 * functions, the DAOS side (mounts, files), the counters of D_IL_REPORT, and the data
 * path both libraries serve. il_core.c has the design comment; docs/design/il.md the
 * whole story.
 */
#ifndef IL_IL_INT_H
#define IL_IL_INT_H

#include <daos_fs.h>
#include <dirent.h>
#include <gurt/common.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <uuid/uuid.h>

#include "dfuse/dfuse_ioctl.h"
#include "il/il.h"

/* The real libc functions, resolved with dlsym(RTLD_NEXT) before any use. */
struct il_real {
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*close)(int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*pread)(int, void *, size_t, off_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*preadv)(int, const struct iovec *, int, off_t);
	ssize_t (*pwritev)(int, const struct iovec *, int, off_t);
	ssize_t (*preadv2)(int, const struct iovec *, int, off_t, int);
	ssize_t (*pwritev2)(int, const struct iovec *, int, off_t, int);
	off_t (*lseek)(int, off_t, int);
	int (*fsync)(int);
	int (*fdatasync)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	int (*ftruncate)(int, off_t);
	int (*fstat)(int, struct stat *);
	int (*fstatat)(int, const char *, struct stat *, int);
	int (*statx)(int, const char *, int, unsigned int, struct statx *);
	int (*fchmod)(int, mode_t);
	int (*futimens)(int, const struct timespec *);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	FILE *(*fdopen)(int, const char *);
	ssize_t (*copy_file_range)(int, off_t *, int, off_t *, size_t, unsigned int);
	ssize_t (*sendfile)(int, int, off_t *, size_t);
	ssize_t (*splice)(int, off_t *, int, off_t *, size_t, unsigned int);
	int (*close_range)(unsigned int, unsigned int, int);
	void (*closefrom)(int);
	int (*posix_fadvise)(int, off_t, off_t, int);
	int (*fallocate)(int, int, off_t, off_t);
	int (*flock)(int, int);
	int (*fchown)(int, uid_t, gid_t);
	int (*fstatfs)(int, struct statfs *);
	int (*fstatvfs)(int, struct statvfs *);
	int (*fchdir)(int);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvp)(const char *, char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*posix_spawn)(pid_t *, const char *, const void *, const void *, char *const[],
			   char *const[]);
	int (*posix_spawnp)(pid_t *, const char *, const void *, const void *, char *const[],
			    char *const[]);
	int (*system)(const char *);
	FILE *(*popen)(const char *, const char *);
	pid_t (*fork)(void);
	/* libpil4dfs: path calls */
	int (*stat)(const char *, struct stat *);
	int (*lstat)(const char *, struct stat *);
	int (*__xstat)(int, const char *, struct stat *);
	int (*__lxstat)(int, const char *, struct stat *);
	int (*__fxstat)(int, int, struct stat *);
	int (*__fxstatat)(int, int, const char *, struct stat *, int);
	int (*access)(const char *, int);
	int (*faccessat)(int, const char *, int, int);
	int (*mkdir)(const char *, mode_t);
	int (*mkdirat)(int, const char *, mode_t);
	int (*rmdir)(const char *);
	int (*unlink)(const char *);
	int (*unlinkat)(int, const char *, int);
	int (*rename)(const char *, const char *);
	int (*renameat)(int, const char *, int, const char *);
	int (*renameat2)(int, const char *, int, const char *, unsigned int);
	int (*truncate)(const char *, off_t);
	int (*chmod)(const char *, mode_t);
	int (*fchmodat)(int, const char *, mode_t, int);
	int (*utimensat)(int, const char *, const struct timespec *, int);
	int (*utimes)(const char *, const struct timeval *);
	int (*chown)(const char *, uid_t, gid_t);
	int (*lchown)(const char *, uid_t, gid_t);
	int (*fchownat)(int, const char *, uid_t, gid_t, int);
	int (*statfs)(const char *, struct statfs *);
	int (*statvfs)(const char *, struct statvfs *);
	ssize_t (*getxattr)(const char *, const char *, void *, size_t);
	ssize_t (*lgetxattr)(const char *, const char *, void *, size_t);
	ssize_t (*fgetxattr)(int, const char *, void *, size_t);
	int (*setxattr)(const char *, const char *, const void *, size_t, int);
	int (*lsetxattr)(const char *, const char *, const void *, size_t, int);
	int (*fsetxattr)(int, const char *, const void *, size_t, int);
	ssize_t (*listxattr)(const char *, char *, size_t);
	ssize_t (*llistxattr)(const char *, char *, size_t);
	ssize_t (*flistxattr)(int, char *, size_t);
	int (*removexattr)(const char *, const char *);
	int (*lremovexattr)(const char *, const char *);
	int (*fremovexattr)(int, const char *);
	int (*symlink)(const char *, const char *);
	int (*symlinkat)(const char *, int, const char *);
	ssize_t (*readlink)(const char *, char *, size_t);
	ssize_t (*readlinkat)(int, const char *, char *, size_t);
	int (*chdir)(const char *);
	mode_t (*umask)(mode_t);
	DIR *(*opendir)(const char *);
	DIR *(*fdopendir)(int);
	struct dirent *(*readdir)(DIR *);
	struct dirent64 *(*readdir64)(DIR *);
	int (*readdir_r)(DIR *, struct dirent *, struct dirent **);
	int (*closedir)(DIR *);
	void (*rewinddir)(DIR *);
	long (*telldir)(DIR *);
	void (*seekdir)(DIR *, long);
	int (*dirfd)(DIR *);
};

extern struct il_real il_real;

/* What each library is: its name in reports, and the hooks libpil4dfs adds. */
struct il_lib_desc {
	const char *name;   /* "libioil" or "libpil4dfs" */
	bool paths;         /* serve path calls (libpil4dfs) */
	void (*init)(void); /* at the first intercepted call, NULL for none */
	/*
	 * open(2) of @path relative to @dirfd through the library: an fd, -errno, or
	 * IL_KERNEL to open through the kernel (then il_attach_fd()). NULL: always the kernel.
	 */
	int (*open)(int dirfd, const char *path, int flags, mode_t mode);
	void (*cwd_changed)(void); /* after a successful chdir/fchdir, NULL for none */
};

/* Defined once per library (ioil_main.c, pil4dfs_main.c). */
extern const struct il_lib_desc il_lib;

/* The counters of D_IL_REPORT, one per intercepted kind of call. */
#define IL_COUNTERS(X)          \
	X(open, "open")         \
	X(read, "read")         \
	X(write, "write")       \
	X(seek, "seek")         \
	X(stat, "stat")         \
	X(meta, "metadata")     \
	X(dir, "readdir")       \
	X(statfs, "statfs")     \
	X(xattr, "xattr")       \
	X(fallback, "fallback") \
	X(nobypass, "not bypassed")

enum il_counter {
#define IL_X(id, name) IL_C_##id,
	IL_COUNTERS(IL_X)
#undef IL_X
		IL_C_NR
};

/* One dfuse mount (or a container mounted for a mount point seen in /proc/self/mounts). */
struct il_mount {
	struct il_mount *next;         /* il_state.mounts, under il_state.lock */
	uint64_t mount_id;             /* dfuse's, 0 until known */
	uint8_t pool[16];              /* pool uuid */
	uint8_t cont[16];              /* container uuid */
	char sys[DFUSE_IOCTL_SYS_MAX]; /* DAOS system, "" for the default */
	uint32_t flags;                /* DFUSE_IL_* */
	dev_t dev;                     /* st_dev of the kernel mount */
	char *path;                    /* mount point, NULL if not known (libioil) */
	size_t path_len;               /* strlen(path) */
	bool paths;                    /* libpil4dfs serves paths under it */
	dfs_t *dfs;        /* the container mounted in this process; NULL until needed */
	int connect_rc;    /* positive errno if connecting failed: do not try again */
	bool has_kfs;      /* kfs is known (libpil4dfs, at discovery) */
	struct statfs kfs; /* the kernel's statfs of the mount point: type, fsid, flags */
};

/* Process-wide state. Set up at the first intercepted call; see il_core.c. */
struct il_state {
	pthread_mutex_t lock;        /* mounts, negative dev cache, DAOS initialisation */
	struct il_fdtable fds;       /* fds served by the library */
	struct il_mount *mounts;     /* list of mounts met so far */
	dev_t neg_dev[16];           /* st_dev values known not to be dfuse (a ring) */
	unsigned int nr_neg_dev;     /* entries written into neg_dev (mod 16) */
	bool daos_ready;             /* dfs_init() succeeded */
	bool daos_failed;            /* dfs_init() failed: never bypass */
	bool disabled;               /* after fork (child) or a fatal error: kernel only */
	bool compatible;             /* D_IL_COMPATIBLE */
	struct il_report_cfg report; /* D_IL_REPORT */
	uint64_t counters[IL_C_NR];  /* atomic */
	uint64_t bytes_read;         /* through libdfs, atomic */
	uint64_t bytes_written;      /* through libdfs, atomic */
	uint64_t nr_calls;           /* intercepted calls, atomic (for report.every) */
	mode_t umask;                /* the process umask, tracked through umask() */
	char cwd[PATH_MAX];          /* current directory, refreshed on chdir/fchdir */
	bool cwd_ok;                 /* cwd is valid */
	int dev_null;                /* the fd placeholders are copies of, -1 if none */
};

extern struct il_state il_state;

/*
 * Re-entrancy: libdaos itself calls open/read/write/...; those calls, and any call made
 * while the library is busy in the same thread, go straight to libc.
 */
bool il_enter(void);
void il_leave(void);

/* Count one intercepted call of kind @c (and print a line if D_IL_REPORT asks). */
void il_count(enum il_counter c);

/* ---- files ---- */

/*
 * After a kernel open of @fd with @flags succeeded: if it is a dfuse file this library
 * may bypass, record it. @path is the absolute path if known (NULL otherwise).
 */
void il_attach_fd(int fd, int flags, const char *path);
/* The file of @fd if this library serves it (a reference to drop with il_put()), or NULL. */
struct il_file *il_get(int fd);
void il_put(struct il_file *file);
/*
 * Make the kernel's view of @file right again before a call the library passes through:
 * a fake file gets a kernel fd (for every fd that refers to it), a bypassed one has its
 * kernel offset set to ours. With @stop the library stops bypassing the file for good.
 * Returns 0 or a positive errno for a fake file that cannot be reopened (ESTALE when its
 * path no longer leads to a file): the call must then fail with it, since the fd still
 * holds the /dev/null placeholder.
 */
int il_kernelize(struct il_file *file, bool stop);
/* After a passed-through call that moved the kernel offset, take it back. */
void il_resync(struct il_file *file, int fd);
/*
 * Before exec/posix_spawn/system: kernel offsets right, fake fds without CLOEXEC real.
 * Returns 0 or the errno of a fake fd the new program would inherit but that could not
 * be given a kernel file (the exec is then to fail with it).
 */
int il_prepare_exec(void);

/* What the data path returns when the call is to be made through the kernel instead. */
#define IL_KERNEL (-100000)

/*
 * Data path through libdfs; return bytes, -errno, or IL_KERNEL when the caller is to
 * make the call through the kernel (its offset is then right). @off < 0: at and moving
 * the file offset.
 */
ssize_t il_file_read(struct il_file *file, const struct iovec *iov, int nr, off_t off);
ssize_t il_file_write(struct il_file *file, const struct iovec *iov, int nr, off_t off);
off_t il_file_lseek(struct il_file *file, off_t off, int whence);
/* The stat of @file from DFS, with the kernel mount's st_dev. Positive errno on error. */
int il_file_stat(struct il_file *file, struct stat *st);
/*
 * statfs(2) of @mnt as the kernel would give it for the dfuse mount: the space of the
 * pool (as dfuse computes it, dfuse/dfuse_statfs.h) with the type, fsid and flags the
 * kernel reported at discovery. 0, or a positive errno (then ask the kernel).
 */
int il_mount_statfs(struct il_mount *mnt, struct statfs *sf);
/*
 * futimens/utimensat on @obj of @mnt through libdfs (@ts as utimensat takes it, NULL:
 * both now). Returns 0, -EINVAL, or IL_KERNEL for what the kernel is to decide: a
 * caller neither root nor the owner (the rules for others depend on their groups), a
 * read-only mount, a libdfs error.
 */
int il_obj_utimens(struct il_mount *mnt, dfs_obj_t *obj, const struct timespec ts[2]);

/* The mount of @file (struct il_mount *). */
struct il_mount *il_file_mount(struct il_file *file);
/* The DFS mount of @mnt, connecting on first use. Positive errno on failure. */
int il_mount_dfs(struct il_mount *mnt, dfs_t **dfs);
/* A new file (one reference) for @obj of @mnt; NULL on ENOMEM. Takes @obj. */
struct il_file *il_file_create(struct il_mount *mnt, dfs_obj_t *obj, int flags, const char *path);
/* Record @fd for @file (the table takes its own reference). 0 or positive errno. */
int il_fd_set(int fd, struct il_file *file, bool cloexec);
/* Forget @fd: drops the table's reference. */
void il_fd_clear(int fd);

/*
 * A call on fd @fd that libdfs serves for a fake file: @fn with @arg on its object gives
 * 0 (or a count), -errno, or IL_KERNEL; the call is counted as @c. Returns what @fn
 * gave, -errno if the kernel is needed but the file cannot be handed over, or IL_KERNEL
 * to make the call through the kernel (not a fake file, or one now handed over).
 */
int il_fake_call(int fd, enum il_counter c, int (*fn)(struct il_mount *, dfs_obj_t *, const void *),
		 const void *arg);

/* Make sure il_real is resolved (every wrapper calls it before using il_real). */
void il_ready(void);
/* Add a mount libpil4dfs found in /proc/self/mounts (the IL reply of its root). */
struct il_mount *il_mount_add(const struct dfuse_il_reply *il, dev_t dev, const char *path);

/* Positive errno from a libdfs/libdaos call: errno values pass, DER codes convert. */
int il_errno(int rc);

#endif /* IL_IL_INT_H */
