/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il_pure.c - the parts of the interception libraries that need neither libc's real
 * functions nor DAOS: the fd table, lexical paths under mount points, and the bypass
 * rules (il.h). The libraries and the unit tests link the same object.
 *
 * The fd table is a two-level array indexed by fd, so a lookup is two loads under one
 * mutex; il_fdtable_is_empty() lets every intercepted call of a process that has no
 * dfuse file skip even the mutex. Files are reference counted: an fd holds one, a call
 * in progress another, so close() in one thread never frees a file another thread reads.
 */
#define D_LOGFAC DD_FAC(il)

#include <errno.h>
#include <fcntl.h>
#include <gurt/common.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>

#include "il/il.h"

/* ---- fd table ---- */

int
il_fdtable_init(struct il_fdtable *t, int max_fd, const struct il_file_ops *ops)
{
	memset(t, 0, sizeof(*t));
	if (max_fd <= 0)
		max_fd = IL_FD_CHUNK;
	t->nr_chunks = (max_fd + IL_FD_CHUNK - 1) / IL_FD_CHUNK;
	t->chunks = d_calloc(t->nr_chunks, sizeof(*t->chunks));
	if (t->chunks == NULL)
		return -DER_NOMEM;
	t->ops = ops;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

void
il_fdtable_fini(struct il_fdtable *t)
{
	int i, j;

	if (t->chunks == NULL)
		return;
	for (i = 0; i < t->nr_chunks; i++) {
		if (t->chunks[i] == NULL)
			continue;
		for (j = 0; j < IL_FD_CHUNK; j++) {
			if (t->chunks[i][j].file != NULL)
				il_file_put(t, t->chunks[i][j].file);
		}
		d_free(t->chunks[i]);
	}
	d_free(t->chunks);
	t->chunks = NULL;
	t->nr_used = 0;
	pthread_mutex_destroy(&t->lock);
}

void
il_file_get(struct il_file *file)
{
	__atomic_add_fetch(&file->ref, 1, __ATOMIC_RELAXED);
}

void
il_file_put(struct il_fdtable *t, struct il_file *file)
{
	if (__atomic_sub_fetch(&file->ref, 1, __ATOMIC_ACQ_REL) == 0)
		t->ops->release(file);
}

static struct il_fd_slot *
slot_of(struct il_fdtable *t, int fd, bool create)
{
	int c = fd / IL_FD_CHUNK;

	if (fd < 0 || c >= t->nr_chunks)
		return NULL;
	if (t->chunks[c] == NULL) {
		if (!create)
			return NULL;
		t->chunks[c] = d_calloc(IL_FD_CHUNK, sizeof(struct il_fd_slot));
		if (t->chunks[c] == NULL)
			return NULL;
	}
	return &t->chunks[c][fd % IL_FD_CHUNK];
}

int
il_fdtable_set(struct il_fdtable *t, int fd, struct il_file *file, bool cloexec)
{
	struct il_fd_slot *s;
	struct il_file *old;

	if (fd < 0 || fd / IL_FD_CHUNK >= t->nr_chunks)
		return -DER_INVAL;
	pthread_mutex_lock(&t->lock);
	s = slot_of(t, fd, true);
	if (s == NULL) {
		pthread_mutex_unlock(&t->lock);
		return -DER_NOMEM;
	}
	old = s->file;
	il_file_get(file);
	s->file = file;
	s->cloexec = cloexec;
	if (old == NULL)
		__atomic_add_fetch(&t->nr_used, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&t->lock);
	if (old != NULL)
		il_file_put(t, old);
	return 0;
}

struct il_file *
il_fdtable_get(struct il_fdtable *t, int fd, bool *cloexec)
{
	struct il_fd_slot *s;
	struct il_file *file = NULL;

	if (il_fdtable_is_empty(t))
		return NULL;
	pthread_mutex_lock(&t->lock);
	s = slot_of(t, fd, false);
	if (s != NULL && s->file != NULL) {
		file = s->file;
		il_file_get(file);
		if (cloexec != NULL)
			*cloexec = s->cloexec;
	}
	pthread_mutex_unlock(&t->lock);
	return file;
}

int
il_fdtable_set_cloexec(struct il_fdtable *t, int fd, bool cloexec)
{
	struct il_fd_slot *s;
	int rc = -DER_NONEXIST;

	pthread_mutex_lock(&t->lock);
	s = slot_of(t, fd, false);
	if (s != NULL && s->file != NULL) {
		s->cloexec = cloexec;
		rc = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

void
il_fdtable_clear(struct il_fdtable *t, int fd, struct il_file **out)
{
	struct il_fd_slot *s;

	*out = NULL;
	if (il_fdtable_is_empty(t))
		return;
	pthread_mutex_lock(&t->lock);
	s = slot_of(t, fd, false);
	if (s != NULL && s->file != NULL) {
		*out = s->file;
		s->file = NULL;
		s->cloexec = false;
		__atomic_sub_fetch(&t->nr_used, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&t->lock);
}

bool
il_fdtable_is_empty(struct il_fdtable *t)
{
	return __atomic_load_n(&t->nr_used, __ATOMIC_RELAXED) == 0;
}

void
il_fdtable_for_each(struct il_fdtable *t, void (*fn)(int fd, struct il_fd_slot *s, void *arg),
		    void *arg)
{
	int i, j;

	if (t->chunks == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nr_chunks; i++) {
		if (t->chunks[i] == NULL)
			continue;
		for (j = 0; j < IL_FD_CHUNK; j++) {
			if (t->chunks[i][j].file != NULL)
				fn(i * IL_FD_CHUNK + j, &t->chunks[i][j], arg);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

/* ---- paths ---- */

int
il_path_normalize(const char *base, const char *path, char *out, size_t len)
{
	const char *parts[2];
	size_t o = 0;
	int p;

	if (path == NULL || path[0] == '\0' || len < 2)
		return -DER_INVAL;
	if (path[0] != '/' && (base == NULL || base[0] != '/'))
		return -DER_INVAL;
	parts[0] = path[0] == '/' ? "" : base;
	parts[1] = path;
	out[o++] = '/';
	for (p = 0; p < 2; p++) {
		const char *s = parts[p];

		while (*s != '\0') {
			const char *e;
			size_t n;

			while (*s == '/')
				s++;
			if (*s == '\0')
				break;
			e = s;
			while (*e != '\0' && *e != '/')
				e++;
			n = e - s;
			if (n == 1 && s[0] == '.') {
				/* nothing */
			} else if (n == 2 && s[0] == '.' && s[1] == '.') {
				/* Back to the previous slash; "/.." stays "/". */
				while (o > 1 && out[o - 1] != '/')
					o--;
				if (o > 1)
					o--;
			} else {
				if (o > 1) {
					if (o + 1 >= len)
						return -DER_TRUNC;
					out[o++] = '/';
				}
				if (o + n >= len)
					return -DER_TRUNC;
				memcpy(out + o, s, n);
				o += n;
			}
			s = e;
		}
	}
	out[o] = '\0';
	return 0;
}

bool
il_path_is_under(const char *mnt, size_t mnt_len, const char *path, const char **rel)
{
	/* The root as a mount point: everything is under it. */
	if (mnt_len == 1 && mnt[0] == '/') {
		*rel = path[1] == '\0' ? path + 1 : path;
		return true;
	}
	if (strncmp(mnt, path, mnt_len) != 0)
		return false;
	if (path[mnt_len] != '\0' && path[mnt_len] != '/')
		return false;
	*rel = path + mnt_len;
	return true;
}

int
il_path_split(const char *rel, char *parent, size_t len, const char **name)
{
	const char *slash;
	size_t n;

	if (rel[0] != '/' || rel[1] == '\0')
		return -DER_INVAL;
	slash = strrchr(rel, '/');
	n = slash == rel ? 1 : (size_t)(slash - rel);
	if (n + 1 > len)
		return -DER_TRUNC;
	memcpy(parent, rel, n);
	parent[n] = '\0';
	*name = slash + 1;
	return 0;
}

/* Undo the kernel's \ooo escapes (space, tab, newline, backslash) in place. */
static void
mounts_unescape(char *s)
{
	char *w = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/* The next space-separated field of *@s, NUL-terminated in place; NULL at the end. */
static char *
next_field(char **s)
{
	char *p = *s, *f;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n')
		return NULL;
	f = p;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*s = p;
	return f;
}

int
il_mounts_parse_line(char *line, char **dir, char **type)
{
	char *s = line;
	char *src, *d, *t;

	src = next_field(&s);
	d = src != NULL ? next_field(&s) : NULL;
	t = d != NULL ? next_field(&s) : NULL;
	if (t == NULL)
		return -DER_INVAL;
	mounts_unescape(d);
	*dir = d;
	*type = t;
	return 0;
}

bool
il_mount_type_is_dfuse(const char *type)
{
	return strcmp(type, "fuse.daos") == 0;
}

/* ---- rules ---- */

bool
il_open_can_bypass(int flags)
{
	if (flags & (O_APPEND | O_PATH | O_DIRECTORY))
		return false;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return false;
	return (flags & O_ACCMODE) != (O_WRONLY | O_RDWR);
}

int
il_open_dfs_flags(int flags)
{
	return flags & (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC);
}

mode_t
il_create_mode(mode_t mode, mode_t mask)
{
	return S_IFREG | (mode & ~mask & 07777);
}

bool
il_access_allows(int flags, bool write)
{
	int acc = flags & O_ACCMODE;

	return write ? acc == O_WRONLY || acc == O_RDWR : acc == O_RDONLY || acc == O_RDWR;
}

bool
il_env_is_true(const char *s)
{
	if (s == NULL)
		return false;
	return strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
	       strcasecmp(s, "on") == 0;
}

struct il_report_cfg
il_report_parse(const char *s)
{
	struct il_report_cfg cfg = { .on = false, .every = 0 };
	char *end;
	unsigned long long n;

	if (s == NULL || s[0] == '\0')
		return cfg;
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0) {
		cfg.on = true;
		return cfg;
	}
	if (s[0] < '0' || s[0] > '9')
		return cfg;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return cfg;
	cfg.on = true;
	cfg.every = n;
	return cfg;
}

/* ---- attributes ---- */

int
il_utimens_resolve(const struct timespec ts[2], const struct timespec *now, struct timespec out[2],
		   bool set[2])
{
	int i;

	for (i = 0; i < 2; i++) {
		set[i] = true;
		if (ts == NULL || ts[i].tv_nsec == UTIME_NOW) {
			out[i] = *now;
		} else if (ts[i].tv_nsec == UTIME_OMIT) {
			set[i] = false;
		} else if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L) {
			return -EINVAL;
		} else {
			out[i] = ts[i];
		}
	}
	return 0;
}

static bool
cred_has_group(const struct il_cred *c, gid_t gid)
{
	int i;

	if (gid == c->gid)
		return true;
	for (i = 0; i < c->nr_groups; i++) {
		if (c->groups[i] == gid)
			return true;
	}
	return false;
}

bool
il_chown_is_allowed(const struct il_cred *c, uid_t owner, gid_t group, uid_t uid, gid_t gid)
{
	if (c->uid == 0)
		return true;
	if (uid != (uid_t)-1 && (c->uid != owner || uid != owner))
		return false;
	if (gid != (gid_t)-1 && (c->uid != owner || (gid != group && !cred_has_group(c, gid))))
		return false;
	return true;
}

bool
il_xattr_name_is_served(const char *name)
{
	size_t n;

	if (name == NULL || strncmp(name, "user.", 5) != 0)
		return false;
	n = strnlen(name, XATTR_NAME_MAX + 1);
	return n > 5 && n <= XATTR_NAME_MAX;
}

/* statfs(2) f_flags bit saying the flags are filled (linux/statfs.h; not in glibc's headers). */
#define IL_ST_VALID 0x0020

void
il_statfs_to_statvfs(const struct statfs *sf, struct statvfs *sv)
{
	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = (unsigned long)sf->f_bsize;
	sv->f_frsize = (unsigned long)(sf->f_frsize != 0 ? sf->f_frsize : sf->f_bsize);
	sv->f_blocks = sf->f_blocks;
	sv->f_bfree = sf->f_bfree;
	sv->f_bavail = sf->f_bavail;
	sv->f_files = sf->f_files;
	sv->f_ffree = sf->f_ffree;
	sv->f_favail = sf->f_ffree;
	sv->f_fsid = (unsigned int)sf->f_fsid.__val[0];
	sv->f_namemax = (unsigned long)sf->f_namelen;
	sv->f_flag = (unsigned long)sf->f_flags & ~(unsigned long)IL_ST_VALID;
}
