/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_int.h - private to src/dfuse: the daemon's options, the cache settings, the inode
 * table, and the state the FUSE operations share. The pure parts (dfuse_opts.c,
 * dfuse_itable.c) need neither libfuse nor libdaos, so the unit tests link them alone.
 *
 * Locking: struct dfuse_itable has one mutex over both hash chains and every inode's
 * reference count; an inode's other fields are set before it is published and then change
 * only under its own mutex (ie->lock). struct dfuse_info is read-only once the session
 * runs.
 */
#ifndef DFUSE_INT_H
#define DFUSE_INT_H

#include <daos_types.h>
#include <gurt/common.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/uns.h"

/* ---- options (dfuse_opts.c) ---- */

/* Most FUSE threads the default picks (as DAOS: one per core, at most 16). */
#define DFUSE_MAX_DEFAULT_THREADS 16

/* What the command line says; strings are owned (dfuse_opts_fini frees them). */
struct dfuse_opts {
	char *mountpoint; /* -m, positional, --path or -o fsname */
	char *pool;       /* -p, positional or -o pool=; NULL: a system mount */
	char *cont;       /* -c, positional or -o container=; NULL: a pool mount */
	char *path;       /* --path: a directory whose user.daos xattr names pool and container */
	char *sys_name;   /* --sys-name */
	char *fuse_opts;  /* -o options handed to the kernel, comma-separated, or NULL */
	int thread_count; /* --thread-count; 0: default */
	int eq_count;     /* --eq-count; 0: default */
	bool foreground;
	bool singlethread;
	bool disable_caching;
	bool disable_wb_cache;
	bool enable_wb_cache;
	bool multi_user;
	bool read_only;
	bool local_flock; /* --enable-local-flock: what we do anyway */
	bool help;
	bool version;
};

/*
 * Parse the command line. Returns 0, or -DER_INVAL with a one-line reason in @err (what
 * the user typed wrong; main prints it as "ERROR: dfuse: <err>"). @o is filled even on
 * error, so call dfuse_opts_fini() in both cases. Does not touch the file system.
 */
int dfuse_opts_parse(int argc, char **argv, struct dfuse_opts *o, char *err, size_t errlen);
void dfuse_opts_fini(struct dfuse_opts *o);
/* The usage text (dfuse --help). */
extern const char dfuse_usage[];

/*
 * Parse a UNS attribute value "DAOS.POSIX://<pool>/<cont>" (as on a --path directory).
 * Sets *pool and *cont (d_free them) and returns 0, or -DER_INVAL if it is not one.
 */
int dfuse_uns_parse(const char *value, char **pool, char **cont);

/*
 * Thread layout: @thread_count and @eq_count as given (0: default) on a machine of
 * @nr_cpus usable cores. Sets *fuse_threads (threads serving FUSE requests) and *nr_eqs
 * (event queues, each with its own progress thread). -DER_INVAL with a reason in @err if
 * the numbers cannot work.
 */
int dfuse_threads_resolve(int thread_count, int eq_count, int nr_cpus, int *fuse_threads,
			  int *nr_eqs, char *err, size_t errlen);

/*
 * The device number (major:minor) of the file system mounted last on @mountpoint, from
 * the text of /proc/self/mountinfo (octal escapes in paths understood). 0, or -DER_NONEXIST
 * if nothing is mounted there.
 */
int dfuse_mountinfo_dev(const char *mountinfo, const char *mountpoint, unsigned int *major,
			unsigned int *minor);

/* ---- cache settings (dfuse_opts.c) ---- */

/* Data caching modes (container attribute dfuse-data-cache). */
enum dfuse_data_cache {
	DFUSE_DATA_OFF,   /* no page cache: direct I/O */
	DFUSE_DATA_OTOC,  /* page cache from open to close only */
	DFUSE_DATA_TIMED, /* page cache kept across opens for data_time seconds */
	DFUSE_DATA_ON,    /* page cache kept until the kernel drops it */
};

/* Timeouts in seconds handed to the kernel. */
struct dfuse_cache {
	double attr_time;       /* dfuse-attr-time */
	double dentry_time;     /* dfuse-dentry-time */
	double dentry_dir_time; /* dfuse-dentry-dir-time */
	double ndentry_time;    /* dfuse-ndentry-time: negative entries */
	enum dfuse_data_cache data_mode;
	double data_time;       /* DFUSE_DATA_TIMED: seconds */
	bool direct_io_disable; /* dfuse-direct-io-disable: O_DIRECT goes through the cache */
};

/* The container attributes read, in the order dfuse_cache_resolve() expects. */
#define DFUSE_CACHE_ATTRS(X)                              \
	X(DFUSE_ATTR_TIME, "dfuse-attr-time")             \
	X(DFUSE_DENTRY_TIME, "dfuse-dentry-time")         \
	X(DFUSE_DENTRY_DIR_TIME, "dfuse-dentry-dir-time") \
	X(DFUSE_NDENTRY_TIME, "dfuse-ndentry-time")       \
	X(DFUSE_DATA_CACHE, "dfuse-data-cache")           \
	X(DFUSE_DIRECT_IO_DISABLE, "dfuse-direct-io-disable")
#define DFUSE_ATTR_ENUM(id, name) id,
enum dfuse_cache_attr { DFUSE_CACHE_ATTRS(DFUSE_ATTR_ENUM) DFUSE_NR_CACHE_ATTRS };
#undef DFUSE_ATTR_ENUM
/* The attribute names, indexed by enum dfuse_cache_attr. */
extern const char *const dfuse_cache_attr_names[DFUSE_NR_CACHE_ATTRS];

/* DAOS's timeouts when no attribute is set. */
void dfuse_cache_defaults(struct dfuse_cache *c);
/* Everything off (--disable-caching). */
void dfuse_cache_disabled(struct dfuse_cache *c);
/*
 * The settings from the attribute values @values (indexed by enum dfuse_cache_attr, NULL
 * where unset): none set gives the defaults; once any is set the unset ones are 0 (off),
 * as in DAOS. -DER_INVAL with the attribute and value named in @err if a value does not
 * parse.
 */
int dfuse_cache_resolve(const char *const values[DFUSE_NR_CACHE_ATTRS], struct dfuse_cache *c,
			char *err, size_t errlen);
/*
 * A duration: seconds, or a number with suffix s, m, h or d ("30", "5s", "10m", "1h").
 * 0 or -DER_INVAL.
 */
int dfuse_duration_parse(const char *s, double *secs);

/* ---- inode table (dfuse_itable.c) ---- */

/*
 * One entry the kernel knows (or an internal user holds). FUSE node ids are ours: the
 * root is 1 and every new inode takes the next number, never reused in a session, so a
 * late request for a forgotten node cannot reach another object.
 */
struct dfuse_inode {
	d_list_t oid_link; /* table chain by (ns, oid), under the table lock */
	d_list_t ino_link; /* table chain by ino, under the table lock */
	void *ns;          /* what @oid is unique in (its container); part of the key */
	daos_obj_id_t oid; /* the DFS object; the table key with @ns */
	uint64_t ino;      /* FUSE node id */
	uint64_t ref;      /* kernel lookups + internal references, under the table lock */
	mode_t mode;       /* type bits; fixed */
	uint8_t kind;      /* the daemon's (DFUSE_IE_*), set before the inode is shared */
	void *obj;         /* the dfs_obj_t, owned (or NULL); its parent/name change under lock */
	pthread_mutex_t lock;
	double cache_stamp; /* when the page cache of this file was last filled (monotonic) */
	/* under lock: */
	struct stat st; /* the attributes last seen, if have_st: answers once the entry is gone */
	bool have_st;
	bool orphan;  /* unlinked (or replaced) while the kernel knew it: punch on release */
	void *chunks; /* dfuse_io.c's read chunks of this file, or NULL */
};

struct dfuse_itable {
	pthread_mutex_t lock;
	d_list_t *by_oid;
	d_list_t *by_ino;
	size_t nr_buckets;
	uint64_t nr_inodes;
	uint64_t next_ino;
	void (*release)(struct dfuse_inode *ie); /* frees ie->obj when the last reference goes */
};

/* Set up an empty table with @nr_buckets chains (rounded up to a power of two). */
int dfuse_itable_init(struct dfuse_itable *t, size_t nr_buckets,
		      void (*release)(struct dfuse_inode *ie));
/* Drop every inode, whatever its references (at the end of the session). */
void dfuse_itable_fini(struct dfuse_itable *t);
/*
 * Add object @obj of @oid in namespace @ns (type @mode), or find the inode already holding
 * (@ns, @oid). Either way the inode gains one reference and is returned in *out. *existed
 * tells which: if true, @obj still belongs to the caller (who may refresh the inode from
 * it and release it); if false, the table owns @obj (NULL is allowed). @root adds it as
 * node 1. -DER_NOMEM.
 */
int dfuse_itable_add(struct dfuse_itable *t, void *ns, daos_obj_id_t oid, void *obj, mode_t mode,
		     bool root, struct dfuse_inode **out, bool *existed);
/* The inode of node @ino with one more reference, or NULL. */
struct dfuse_inode *dfuse_itable_get(struct dfuse_itable *t, uint64_t ino);
/* The inode of (@ns, @oid) with one more reference, or NULL. */
struct dfuse_inode *dfuse_itable_find(struct dfuse_itable *t, const void *ns, daos_obj_id_t oid);
/* Drop @n references of node @ino (FUSE forget); unknown nodes are ignored. */
void dfuse_itable_forget(struct dfuse_itable *t, uint64_t ino, uint64_t n);
/* Drop one reference of @ie; the last one unlinks it and releases its object. */
void dfuse_itable_put(struct dfuse_itable *t, struct dfuse_inode *ie);
/* Number of inodes in the table. */
uint64_t dfuse_itable_count(struct dfuse_itable *t);

#endif /* DFUSE_INT_H */
