/* SPDX-License-Identifier: Apache-2.0 */
/*
 * null_fuse - a FUSE file system with nothing behind it, to measure what the kernel's
 * FUSE path alone costs on this machine (the physical limit dfuse works under):
 *
 *   null_fuse MOUNTPOINT [THREADS]      (stays in the foreground; SIGTERM unmounts)
 *
 * Its root holds regular files that exist only as names and sizes. Files are opened with
 * direct I/O, as dfuse --disable-caching opens them, so every read and write is one
 * request through /dev/fuse: a write's data arrive in our receive buffer (the kernel's
 * copy, as for dfuse) and are dropped; a read is answered from a buffer in which each
 * 1 MiB block carries what fs_bench writes into it (its index in the first 8 bytes, a
 * letter in the last), so fs_bench's read check passes without any data being kept.
 * The same worker loop shape as dfuse (fuse_session_loop_mt, THREADS workers, default 2).
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK (1024 * 1024)
#define MAX_FILES 64
#define NAME_MAX_LEN 255

struct nfile {
	char name[NAME_MAX_LEN + 1];
	off_t size;
	bool used;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct nfile files[MAX_FILES]; /* node id = index + 2 */

static struct nfile *
by_ino(fuse_ino_t ino)
{
	if (ino < 2 || ino >= MAX_FILES + 2 || !files[ino - 2].used)
		return NULL;
	return &files[ino - 2];
}

static int
by_name(const char *name)
{
	int i;

	for (i = 0; i < MAX_FILES; i++)
		if (files[i].used && strcmp(files[i].name, name) == 0)
			return i;
	return -1;
}

static void
fill_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = files[ino - 2].size;
	}
}

static void
reply_entry(fuse_req_t req, int i)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.ino = (fuse_ino_t)i + 2;
	fill_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void
op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	conn->want &= ~FUSE_CAP_ASYNC_DIO;
}

static void
op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	int i;

	pthread_mutex_lock(&lock);
	i = parent == FUSE_ROOT_ID ? by_name(name) : -1;
	if (i < 0) {
		pthread_mutex_unlock(&lock);
		fuse_reply_err(req, ENOENT);
		return;
	}
	reply_entry(req, i);
	pthread_mutex_unlock(&lock);
}

/* Answer with the attributes of @ino, after setting its size to @size (if >= 0). */
static void
reply_attr(fuse_req_t req, fuse_ino_t ino, off_t size)
{
	struct nfile *f;
	struct stat st;

	pthread_mutex_lock(&lock);
	f = by_ino(ino);
	if (ino != FUSE_ROOT_ID && f == NULL) {
		pthread_mutex_unlock(&lock);
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (f != NULL && size >= 0)
		f->size = size;
	fill_stat(ino, &st);
	pthread_mutex_unlock(&lock);
	fuse_reply_attr(req, &st, 0);
}

static void
op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	reply_attr(req, ino, -1);
}

static void
op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	(void)fi;
	reply_attr(req, ino, (to_set & FUSE_SET_ATTR_SIZE) ? attr->st_size : -1);
}

static void
op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	  struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	int i;

	(void)mode;
	if (parent != FUSE_ROOT_ID || strlen(name) > NAME_MAX_LEN) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	pthread_mutex_lock(&lock);
	i = by_name(name);
	if (i < 0) {
		for (i = 0; i < MAX_FILES && files[i].used; i++)
			;
		if (i == MAX_FILES) {
			pthread_mutex_unlock(&lock);
			fuse_reply_err(req, ENOSPC);
			return;
		}
		files[i].used = true;
		snprintf(files[i].name, sizeof(files[i].name), "%s", name);
	}
	if (fi->flags & O_TRUNC)
		files[i].size = 0;
	memset(&e, 0, sizeof(e));
	e.ino = (fuse_ino_t)i + 2;
	fill_stat(e.ino, &e.attr);
	pthread_mutex_unlock(&lock);
	fi->direct_io = 1;
	fuse_reply_create(req, &e, fi);
}

static void
op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	pthread_mutex_lock(&lock);
	if (by_ino(ino) != NULL && (fi->flags & O_TRUNC))
		by_ino(ino)->size = 0;
	pthread_mutex_unlock(&lock);
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

static void
op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	 struct fuse_file_info *fi)
{
	struct nfile *f;

	(void)buf;
	(void)fi;
	pthread_mutex_lock(&lock);
	f = by_ino(ino);
	if (f != NULL && off + (off_t)size > f->size)
		f->size = off + (off_t)size;
	pthread_mutex_unlock(&lock);
	fuse_reply_write(req, size);
}

/* What fs_bench wrote into block @i: its index first, a letter last. */
static void
stamp(char *buf, size_t size, off_t off)
{
	off_t b;

	for (b = off / BLOCK; b * BLOCK < off + (off_t)size; b++) {
		uint64_t idx = (uint64_t)b;
		off_t first = b * BLOCK, last = first + BLOCK - 1;
		char letter = (char)('a' + (idx % 26));

		if (first >= off && first + 8 <= off + (off_t)size)
			memcpy(buf + (first - off), &idx, sizeof(idx));
		if (last >= off && last < off + (off_t)size)
			buf[last - off] = letter;
	}
}

static __thread char *rbuf;

static void
op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct nfile *f;
	off_t fsize;

	(void)fi;
	pthread_mutex_lock(&lock);
	f = by_ino(ino);
	fsize = f != NULL ? f->size : 0;
	pthread_mutex_unlock(&lock);
	if (off >= fsize) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (off + (off_t)size > fsize)
		size = (size_t)(fsize - off);
	if (size > BLOCK * 4)
		size = BLOCK * 4;
	if (rbuf == NULL) {
		rbuf = calloc(1, BLOCK * 4);
		if (rbuf == NULL) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	stamp(rbuf, size, off);
	fuse_reply_buf(req, rbuf, size);
}

static void
op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	int i;

	pthread_mutex_lock(&lock);
	i = parent == FUSE_ROOT_ID ? by_name(name) : -1;
	if (i >= 0)
		files[i].used = false;
	pthread_mutex_unlock(&lock);
	fuse_reply_err(req, i >= 0 ? 0 : ENOENT);
}

static void
op_ok(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void
op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)datasync;
	op_ok(req, ino, fi);
}

static const struct fuse_lowlevel_ops ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.create = op_create,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_ok,
	.release = op_ok,
	.fsync = op_fsync,
	.unlink = op_unlink,
};

int
main(int argc, char **argv)
{
	char *fargv[] = { "null_fuse", "-o", "fsname=null_fuse,subtype=null", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	struct fuse_loop_config *cfg;
	struct fuse_session *se;
	int threads = 2;
	int rc;

	if (argc == 3) {
		char *end;
		long v = strtol(argv[2], &end, 10);

		threads = *end == '\0' && v >= 1 && v <= 64 ? (int)v : 0;
	}
	if (argc < 2 || argc > 3 || threads < 1) {
		fprintf(stderr, "usage: null_fuse MOUNTPOINT [THREADS]\n");
		return 2;
	}
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (se == NULL)
		return 1;
	if (fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, argv[1]) != 0) {
		fuse_session_destroy(se);
		return 1;
	}
	cfg = fuse_loop_cfg_create();
	if (cfg == NULL) {
		rc = 1;
	} else {
		fuse_loop_cfg_set_max_threads(cfg, (unsigned int)threads);
		fuse_loop_cfg_set_idle_threads(cfg, (unsigned int)threads);
		rc = fuse_session_loop_mt(se, cfg) != 0;
		fuse_loop_cfg_destroy(cfg);
	}
	fuse_session_unmount(se);
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
	return rc;
}
