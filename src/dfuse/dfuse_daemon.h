/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_daemon.h - private to src/dfuse: the state of a running dfuse, shared by main
 * (dfuse_main.c), the FUSE operations (dfuse_ops.c) and the I/O path with its event
 * queues (dfuse_io.c). Needs libfuse3 and libdfs, unlike dfuse_int.h.
 */
#ifndef DFUSE_DAEMON_H
#define DFUSE_DAEMON_H

#define FUSE_USE_VERSION 314

#include <daos.h>
#include <daos_fs.h>
#include <fuse_lowlevel.h>
#include <stdatomic.h>
#include <uuid/uuid.h>

#include "dfuse/dfuse_int.h"

/* One event queue and the thread that progresses it and completes its requests. */
struct dfuse_eq {
	daos_handle_t eqh;
	pthread_t thread;
	atomic_bool started;  /* cleared to make the thread drain and stop */
	pthread_mutex_t lock; /* guards nr_inflight */
	pthread_cond_t cond;  /* signalled when nr_inflight leaves 0, and on stop */
	int nr_inflight;      /* launched on eqh and not yet reaped; under lock */
	int helping;          /* FUSE workers polling eqh themselves (the thread waits); lock */
};

/* What an inode is (dfuse_inode.kind). */
enum dfuse_ie_kind {
	DFUSE_IE_DFS = 0, /* an entry of a container: obj is its dfs_obj_t, ns its dfuse_cont */
	DFUSE_IE_POOL,    /* a pool's directory of containers: ns is its dfuse_pool, no obj */
	DFUSE_IE_SYSTEM,  /* the system's directory of pools (a system mount's root) */
};

/* What the mount serves at its root (node 1). */
enum dfuse_mount_kind {
	DFUSE_MOUNT_CONT,   /* one container: --pool P --cont C */
	DFUSE_MOUNT_POOL,   /* MNT/CONT for every container of one pool: --pool P */
	DFUSE_MOUNT_SYSTEM, /* MNT/POOL/CONT: neither */
};

/*
 * A connected pool and the containers opened in it. Once opened, both stay until the
 * mount ends (so an inode's ns pointer never dangles); the lists are under info->ns_lock.
 */
struct dfuse_pool {
	d_list_t link; /* in info->pools */
	daos_handle_t poh;
	uuid_t uuid;
	char *name;             /* as the user named it (label or UUID) */
	d_list_t conts;         /* struct dfuse_cont */
	struct dfuse_inode *ie; /* its directory (DFUSE_IE_POOL), one reference; or NULL */
};

struct dfuse_cont {
	d_list_t link; /* in dp->conts */
	struct dfuse_pool *dp;
	daos_handle_t coh;
	dfs_t *dfs;
	uuid_t uuid;
	char label[DAOS_PROP_LABEL_MAX_LEN + 1]; /* "" if it has none */
	struct dfuse_cache cache;                /* from its attributes */
	struct dfuse_inode *root;                /* its root directory, one reference */
	uint64_t ino_salt; /* XORed into st_ino: the mount's n-th container, (n % 128) << 56 */
};

/* The daemon; read-only once the FUSE session runs, except where noted. */
struct dfuse_info {
	const struct dfuse_opts *opts;
	char *mountpoint; /* absolute */
	enum dfuse_mount_kind kind;
	pthread_mutex_t ns_lock; /* pools, their containers; held while one is opened */
	d_list_t pools;          /* struct dfuse_pool */
	unsigned int nr_conts;   /* containers opened so far (under ns_lock) */
	struct timespec started; /* times of the directories dfuse makes up */
	uint64_t mount_id;
	/* Caching of what is not in a container (a pool mount's root) and the kernel-wide
	 * choices; the container's own in a container mount.
	 */
	struct dfuse_cache cache;
	bool read_only;
	bool multi_user;
	bool wb_cache;
	uid_t uid; /* of the daemon: owner of everything when not --multi-user */
	gid_t gid;
	struct dfuse_itable itable;
	struct fuse_session *se;
	struct dfuse_eq *eqs;
	int nr_eqs;
	atomic_uint eq_next;           /* round robin over eqs */
	atomic_bool readahead_pending; /* INIT answered, readahead to raise (dfuse_main.c) */
	atomic_long nr_files;          /* open file handles */
	atomic_long nr_dirs;           /* open directory handles */
	atomic_int nr_evicting;        /* eviction threads running (dfuse_ops.c) */
	atomic_bool chunk_reads;       /* readahead stayed at 128 KiB: read 1 MiB chunks */
	atomic_int nr_chunks;          /* chunks in memory (dfuse_io.c) */
	atomic_bool stopping;
};

/* An open file or directory (fi->fh). */
struct dfuse_fh {
	struct dfuse_inode *ie; /* holds one reference */
	dfs_obj_t *obj;         /* our own handle (dfs_dup), for data and readdir */
	int flags;              /* open(2) flags */
	bool counted;           /* in info->nr_files or nr_dirs */
	bool cached;            /* the kernel caches its data (not direct I/O) */
	/* directories: the listing, one reader at a time (under lock) */
	pthread_mutex_t lock;
	daos_anchor_t anchor;
	off_t next_off;      /* offset of the first entry not yet returned */
	struct dirent *ents; /* names read from DFS, not yet returned */
	char **vnames;       /* a made-up directory: its names when opened */
	uint32_t nr_ents;
	uint32_t ent_idx;
	bool eof;
};

/* The FUSE operations. */
extern const struct fuse_lowlevel_ops dfuse_ops;

/* ---- pools and containers (dfuse_ns.c) ---- */

/* The container of a container entry's inode, else NULL (a made-up directory). */
static inline struct dfuse_cont *
dfuse_ie_cont(const struct dfuse_inode *ie)
{
	return ie->kind == DFUSE_IE_DFS ? ie->ns : NULL;
}

/* The cache settings of what @ie belongs to. */
static inline const struct dfuse_cache *
dfuse_ie_cache(const struct dfuse_info *info, const struct dfuse_inode *ie)
{
	const struct dfuse_cont *dc = dfuse_ie_cont(ie);

	return dc != NULL ? &dc->cache : &info->cache;
}

/*
 * Set up the inode table and what the options ask to serve: connect to the pool and open
 * the container (a container mount, whose root becomes node 1), or make up node 1 as the
 * pool's or the system's directory. 0, or a positive errno with the reason in @err.
 */
int dfuse_ns_start(struct dfuse_info *info, char *err, size_t errlen);
/* Unmount, close and disconnect everything, after the inode table is gone. */
void dfuse_ns_stop(struct dfuse_info *info);
/*
 * Lookup of @name in made-up directory @dir: the container (pool directory) or the pool
 * (system directory) of that label or UUID, opened if not yet. Returns 0 with *out
 * holding one new reference and *st its attributes, or a positive errno: ENOENT if there
 * is no such thing, ENOTSUP for a container that is not POSIX.
 */
int dfuse_ns_lookup(struct dfuse_info *info, struct dfuse_inode *dir, const char *name,
		    struct dfuse_inode **out, struct stat *st);
/* The attributes of made-up directory @ie. */
void dfuse_ns_stat(struct dfuse_info *info, struct dfuse_inode *ie, struct stat *st);
/*
 * The names in made-up directory @dir, as a NULL-terminated array (d_free each name and
 * the array): the containers of the pool (by label, else UUID), or the pools this mount
 * has connected to. 0 or a positive errno.
 */
int dfuse_ns_list(struct dfuse_info *info, struct dfuse_inode *dir, char ***names);
/*
 * UNS entry points: directory @obj of container @from, whose user.daos attribute names a
 * container ("DAOS.POSIX://POOL/CONT"), stands for that container's root. 0 with *out (a
 * kernel reference on the root) and its attributes in *st; ENODATA if @obj is no entry
 * point; another errno (with a message in @err, empty when the same link failed less
 * than 5 s ago and is not tried again yet) if the link cannot be followed.
 */
/*
 * The st_ino the kernel is told for @ie: a container's objects keep libdfs's number (from
 * the object id) XOR the container's salt, so that two containers of one mount do not
 * show the same number (tar and cp take equal numbers for hard links; 128 containers
 * apart they may again); the directories dfuse makes up have bit 63 set. The salt follows
 * the order containers are entered: only the first container's numbers (a container
 * mount's own) are the same after a remount.
 */
void dfuse_st_ino(struct dfuse_inode *ie, struct stat *st);
int dfuse_ns_entry_point(struct dfuse_info *info, struct dfuse_cont *from, dfs_obj_t *obj,
			 struct dfuse_inode **out, struct stat *st, char *err, size_t errlen);
/* Free a list of dfuse_ns_list(). */
void dfuse_ns_list_free(char **names);
/* How many pools and containers the mount has open. */
void dfuse_ns_count(struct dfuse_info *info, uint64_t *pools, uint64_t *conts);

/* The inode table's release callback: dfs_release(), and the punch of an orphan's object. */
void dfuse_release_obj(struct dfuse_inode *ie);

/* Start and stop the event queues and their threads (dfuse_io.c). */
int dfuse_eqs_start(struct dfuse_info *info, int nr_eqs);
/*
 * Called by a FUSE worker after each request it processed: if that request launched I/O
 * on an idle event queue, complete it from here while no other request waits on
 * @fuse_fd (see dfuse_io.c).
 */
void dfuse_io_help(int fuse_fd);
/* True on a FUSE worker thread (dfuse_main.c). */
bool dfuse_is_worker(void);
void dfuse_eqs_stop(struct dfuse_info *info);

/* read and write through DFS, completed by an EQ thread when there is one (dfuse_io.c). */
void dfuse_io_read(fuse_req_t req, struct dfuse_info *info, struct dfuse_fh *fh, size_t size,
		   off_t off);
void dfuse_io_write(fuse_req_t req, struct dfuse_info *info, struct dfuse_fh *fh, const char *buf,
		    size_t size, off_t off);

/*
 * Forget the read chunks of @ie (dfuse_io.c): its data changed (a write, a truncation) or
 * a handle on it closed. Chunks being loaded go once their readers are answered.
 */
void dfuse_chunks_drop(struct dfuse_inode *ie);
/* Free what dfuse_chunks_drop() left of @ie's chunk list when the inode goes. */
void dfuse_chunks_fini(struct dfuse_inode *ie);

/* Monotonic seconds. */
double dfuse_now(void);
/*
 * From a FUSE callback: if @data lies in the buffer the calling worker received its
 * request in, hand that buffer (to free() once done) to the caller and let the worker
 * receive its next request elsewhere; else NULL (copy @data before returning).
 */
void *dfuse_request_buf_take(const void *data);
/* Give back a buffer from dfuse_request_buf_take() once its data are no longer needed. */
void dfuse_request_buf_give(void *mem);
/* Free the spare buffers; once no write is in flight any more (the EQs stopped). */
void dfuse_request_bufs_fini(void);

#endif /* DFUSE_DAEMON_H */
