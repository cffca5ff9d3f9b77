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
};

/* The daemon; read-only once the FUSE session runs, except where noted. */
struct dfuse_info {
	const struct dfuse_opts *opts;
	char *mountpoint; /* absolute */
	daos_handle_t poh;
	daos_handle_t coh;
	dfs_t *dfs;
	uuid_t pool_uuid;
	uuid_t cont_uuid;
	uint64_t mount_id;
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
	atomic_uint eq_next; /* round robin over eqs */
	atomic_bool stopping;
};

/* An open file or directory (fi->fh). */
struct dfuse_fh {
	struct dfuse_inode *ie; /* holds one reference */
	dfs_obj_t *obj;         /* our own handle (dfs_dup), for data and readdir */
	int flags;              /* open(2) flags */
	/* directories: the listing, one reader at a time (under lock) */
	pthread_mutex_t lock;
	daos_anchor_t anchor;
	off_t next_off;      /* offset of the first entry not yet returned */
	struct dirent *ents; /* names read from DFS, not yet returned */
	uint32_t nr_ents;
	uint32_t ent_idx;
	bool eof;
};

/* The FUSE operations. */
extern const struct fuse_lowlevel_ops dfuse_ops;

/* The inode table's release callback: dfs_release(). */
void dfuse_release_obj(void *obj);

/* Start and stop the event queues and their threads (dfuse_io.c). */
int dfuse_eqs_start(struct dfuse_info *info, int nr_eqs);
void dfuse_eqs_stop(struct dfuse_info *info);

/* read and write through DFS, completed by an EQ thread when there is one (dfuse_io.c). */
void dfuse_io_read(fuse_req_t req, struct dfuse_info *info, struct dfuse_fh *fh, size_t size,
		   off_t off);
void dfuse_io_write(fuse_req_t req, struct dfuse_info *info, struct dfuse_fh *fh, const char *buf,
		    size_t size, off_t off);

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
