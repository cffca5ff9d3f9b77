/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il.h - the pure parts of the interception libraries (libioil, libpil4dfs): the table
 * from file descriptors to intercepted files, lexical path handling under mount points,
 * and the rules that decide which opens may bypass the kernel. Nothing here calls libc
 * functions the libraries intercept, libdaos or libdfs, so the unit tests
 * (src/il/tests/) link it alone. The design is in docs/design/il.md; il_int.h has the
 * rest of the libraries' internals.
 */
#ifndef IL_IL_H
#define IL_IL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* ---- the fd table ---- */

/*
 * One open file description the libraries serve: what a kernel "struct file" is to the
 * kernel. Every fd that refers to it (after dup, dup2, F_DUPFD) holds one reference, as
 * does a call in progress. The table never looks inside beyond @ref; il_int.h gives the
 * rest of its meaning.
 */
struct il_file {
	int ref;              /* references: fds in the table plus calls in progress (atomic) */
	pthread_mutex_t lock; /* offset and the flags below */
	void *obj;            /* the DFS object (dfs_obj_t *), released by the table's ops */
	void *mnt;            /* the struct il_mount it belongs to */
	char *path;           /* absolute kernel path (pil4dfs), NULL if unknown */
	int64_t offset;       /* file offset while bypassing; the kernel's is stale then */
	int flags;            /* open(2) flags of the open that made it */
	bool fake;            /* no kernel file behind the fd: the fd is a /dev/null placeholder */
	bool bypass;          /* data goes through libdfs; false: every call goes to the kernel */
	bool dir;             /* a directory (kernel fd, remembered for *at() calls) */
	bool shared;          /* another process shares the kernel offset: it is the one */
};

/* What the table does to a file whose last reference goes. */
struct il_file_ops {
	void (*release)(struct il_file *file); /* frees everything, @file included */
};

/* Fds are grouped in chunks allocated on first use, so a table of 1M fds costs little. */
#define IL_FD_CHUNK 1024

struct il_fd_slot {
	struct il_file *file; /* NULL: the fd is not ours */
	bool cloexec;         /* what the program asked (FD_CLOEXEC), for fake fds */
};

struct il_fdtable {
	pthread_mutex_t lock;          /* chunks, slots and nr_used */
	struct il_fd_slot **chunks;    /* nr_chunks pointers, each NULL or IL_FD_CHUNK slots */
	int nr_chunks;                 /* fds below nr_chunks * IL_FD_CHUNK can be recorded */
	int nr_used;                   /* fds recorded (read without the lock for a fast exit) */
	const struct il_file_ops *ops; /* what a last put does */
};

/* Set up @t for fds 0 .. @max_fd - 1. Returns 0 or -DER_NOMEM. */
int il_fdtable_init(struct il_fdtable *t, int max_fd, const struct il_file_ops *ops);
/* Drop every fd's reference and free the table. */
void il_fdtable_fini(struct il_fdtable *t);
/*
 * Record @fd as referring to @file (taking a reference), replacing what was there (whose
 * reference is dropped). Returns 0, -DER_INVAL for an fd out of range, or -DER_NOMEM.
 */
int il_fdtable_set(struct il_fdtable *t, int fd, struct il_file *file, bool cloexec);
/* The file of @fd with a reference for the caller, or NULL. *@cloexec if not NULL. */
struct il_file *il_fdtable_get(struct il_fdtable *t, int fd, bool *cloexec);
/* Set the program's FD_CLOEXEC of @fd; -DER_NONEXIST if @fd is not recorded. */
int il_fdtable_set_cloexec(struct il_fdtable *t, int fd, bool cloexec);
/* Forget @fd; its reference moves to *@out (NULL if @fd was not recorded). */
void il_fdtable_clear(struct il_fdtable *t, int fd, struct il_file **out);
/* Whether any fd is recorded: a racy hint for the fast path of every call. */
bool il_fdtable_is_empty(struct il_fdtable *t);
/*
 * Call @fn for each recorded fd, under the table's lock (@fn must not use the table).
 * Used at fork and exec, when the program is about to lose the libraries' state.
 */
void il_fdtable_for_each(struct il_fdtable *t, void (*fn)(int fd, struct il_fd_slot *s, void *arg),
			 void *arg);
/* Take a reference on @file. */
void il_file_get(struct il_file *file);
/* Drop a reference; the last one calls the table's release. */
void il_file_put(struct il_fdtable *t, struct il_file *file);

/* ---- paths ---- */

/*
 * Make @path absolute against @base (the current directory or a directory fd's path;
 * ignored if @path is absolute) and remove ".", ".." and repeated slashes lexically, as
 * the kernel would if no component were a symbolic link. "/.." is "/". Writes at most
 * @len bytes into @out. Returns 0, -DER_INVAL (empty path, relative @base) or
 * -DER_TRUNC if the result does not fit.
 */
int il_path_normalize(const char *base, const char *path, char *out, size_t len);
/*
 * Whether absolute normalised @path is @mnt (normalised, @mnt_len bytes) or below it.
 * *@rel then points into @path at the rest: "" for the mount point, else "/a/b".
 */
bool il_path_is_under(const char *mnt, size_t mnt_len, const char *path, const char **rel);
/*
 * Split @rel ("" or "/a/b", as il_path_is_under() gives) into its parent ("/a", "/" for
 * "/b") in @parent (@len bytes) and *@name ("b", pointing into @rel). Returns 0,
 * -DER_INVAL for "" (the mount point has no name) or -DER_TRUNC.
 */
int il_path_split(const char *rel, char *parent, size_t len, const char **name);
/*
 * Parse one line of /proc/self/mounts in place: *@dir is the mount point with the
 * kernel's octal escapes (\040 ...) undone, *@type the file system type. Returns 0 or
 * -DER_INVAL for a line with fewer than three fields.
 */
int il_mounts_parse_line(char *line, char **dir, char **type);
/* Whether a /proc/self/mounts type is dfuse's ("fuse.daos"). */
bool il_mount_type_is_dfuse(const char *type);

/* ---- rules ---- */

/*
 * Whether an open with @flags may have its data served by libdfs. O_APPEND, O_PATH,
 * O_TMPFILE and O_DIRECTORY opens stay with the kernel (appends must be atomic against
 * other writers; the rest carry no data).
 */
bool il_open_can_bypass(int flags);
/* The flags of dfs_open() for an open(2) with @flags (access mode, O_CREAT, O_EXCL, O_TRUNC). */
int il_open_dfs_flags(int flags);
/* The permission bits of a file created with @mode under @mask, with S_IFREG. */
mode_t il_create_mode(mode_t mode, mode_t mask);
/* Whether an fd opened with @flags may be read (@write false) or written. */
bool il_access_allows(int flags, bool write);

/*
 * What utimensat(2) sets for @ts (NULL: both now): set[0] for the access time, set[1]
 * for the modification time, each in @out, UTIME_NOW taking @now and UTIME_OMIT leaving
 * it unset. Returns 0 or -EINVAL for a tv_nsec out of range.
 */
int il_utimens_resolve(const struct timespec ts[2], const struct timespec *now,
		       struct timespec out[2], bool set[2]);

/* Who calls: effective ids and supplementary groups (getgroups()). */
struct il_cred {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	int nr_groups;
};

/*
 * Whether the kernel lets @c chown a file owned by @owner:@group to @uid:@gid (-1:
 * unchanged): root may do anything; the owner may set the owner it already is and any
 * group it belongs to; nobody else may set either.
 */
bool il_chown_is_allowed(const struct il_cred *c, uid_t owner, gid_t group, uid_t uid, gid_t gid);

/*
 * Whether libpil4dfs serves xattr @name itself: names of the "user." namespace no longer
 * than XATTR_NAME_MAX. Others (security., trusted., system. with its ACLs) carry kernel
 * rules and go to the kernel.
 */
bool il_xattr_name_is_served(const char *name);

struct statfs;
struct statvfs;
/* statvfs(3) from statfs(2), as glibc converts (f_favail = f_ffree, f_flag without ST_VALID). */
void il_statfs_to_statvfs(const struct statfs *sf, struct statvfs *sv);

/* D_IL_REPORT: off, summary at exit, or also every N calls. */
struct il_report_cfg {
	bool on;        /* print a summary at exit */
	uint64_t every; /* and one every @every intercepted calls; 0: never */
};

/*
 * Parse D_IL_REPORT: unset, "", "false", "no", "off" are off; "0", "true", "yes", "on"
 * a summary at exit; N > 0 also a line every N intercepted calls; anything else off.
 */
struct il_report_cfg il_report_parse(const char *s);
/* Parse a boolean variable such as D_IL_COMPATIBLE: "1", "true", "yes", "on" are true. */
bool il_env_is_true(const char *s);

#endif /* IL_IL_H */
