/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pil4dfs_main.c - what libpil4dfs adds to the data path of il_io.c: calls on paths
 * under dfuse mounts served by libdfs without the kernel (docs/design/il.md).
 *
 * Mounts: at the first intercepted call, /proc/self/mounts gives the fuse.daos mount
 * points; the interception ioctl on each root gives its pool, container and flags. Paths
 * are served only under mounts whose kernel caching is off (DFUSE_IL_CACHING clear):
 * otherwise the kernel's dentry and attribute caches would disagree with what we change.
 *
 * Paths: made absolute against the cached current directory (or a directory fd's path)
 * and normalised lexically. A path with a ".." component, a symbolic link met on the way
 * (libdfs would follow absolute targets inside the container) or any error that is not
 * a plain answer (ENOENT, EEXIST, ...) sends the call to the kernel, which is always
 * right. Regular files opened here get a fake fd: a CLOEXEC copy of /dev/null at a high
 * number, recorded in the fd table; directories get a kernel fd (so getdents, fchdir and
 * everything else work) with their DFS object beside it for fstat and listings.
 * D_IL_COMPATIBLE=1 opens files through the kernel too (as libioil does).
 */
#define D_LOGFAC DD_FAC(il)
#undef _FILE_OFFSET_BITS

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "dfs/dfs_ext.h"
#include "il/il_int.h"

/* ---- mounts, cwd, placeholders ---- */

static void
pil_cwd_refresh(void)
{
	il_state.cwd_ok =
		getcwd(il_state.cwd, sizeof(il_state.cwd)) != NULL && il_state.cwd[0] == '/';
}

static void
pil_mount_probe(const char *dir)
{
	struct dfuse_il_reply il;
	struct il_mount *m = NULL;
	struct statfs sf;
	struct stat st;
	int fd;

	fd = il_real.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	memset(&il, 0, sizeof(il));
	if (il_real.fstat(fd, &st) == 0 && il_real.ioctl(fd, DFUSE_IOCTL_IL, &il) == 0 &&
	    il.version == DFUSE_IOCTL_VERSION)
		m = il_mount_add(&il, st.st_dev, dir);
	/* The parts of statfs dfuse does not give (type, fsid, mount flags), for il_mount_statfs.
	 */
	if (m != NULL && !m->has_kfs && il_real.fstatfs(fd, &sf) == 0) {
		m->kfs = sf;
		m->has_kfs = true;
	}
	il_real.close(fd);
}

static void
pil_init(void)
{
	char *buf = NULL, *line, *save = NULL, *dir, *type;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	pil_cwd_refresh();
	fd = il_real.open("/proc/self/mounts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb = d_realloc(buf, cap + 65536);

			if (nb == NULL)
				goto out;
			buf = nb;
			cap += 65536;
		}
		n = il_real.read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (buf == NULL)
		goto out;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (il_mounts_parse_line(line, &dir, &type) == 0 && il_mount_type_is_dfuse(type))
			pil_mount_probe(dir);
	}
out:
	d_free(buf);
	il_real.close(fd);
}

static int
pil_placeholder(void)
{
	struct rlimit rl;
	int base = 1024, fd;

	if (il_state.dev_null < 0) {
		il_state.dev_null = il_real.open("/dev/null", O_RDWR | O_CLOEXEC);
		if (il_state.dev_null < 0)
			return -errno;
	}
	/* High numbers keep placeholders out of select()'s way and out of sight. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		base = (int)(rl.rlim_cur / 2);
	fd = il_real.fcntl(il_state.dev_null, F_DUPFD_CLOEXEC, base);
	if (fd < 0)
		fd = il_real.fcntl(il_state.dev_null, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/* ---- resolving paths ---- */

/* What a path call works on: the entry @name of @parent (NULL: the root) of @mnt. */
struct pil_target {
	struct il_mount *mnt;
	dfs_t *dfs;
	dfs_obj_t *parent; /* NULL: the container's root */
	const char *name;  /* NULL: the mount point itself */
	char abs[PATH_MAX];
	char dir[PATH_MAX];
};

/* Errors that are an answer; others send the call to the kernel. */
static int
answer(int rc)
{
	switch (rc) {
	case ENOENT:
	case EEXIST:
	case ENOTDIR:
	case EISDIR:
	case ENOTEMPTY:
	case EACCES:
	case EPERM:
	case ENAMETOOLONG:
	case ELOOP:
	case EROFS:
		return -rc;
	default:
		return IL_KERNEL;
	}
}

static bool
has_dotdot(const char *p)
{
	const char *s = p;

	while ((s = strstr(s, "..")) != NULL) {
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return true;
		s += 2;
	}
	return false;
}

/*
 * A directory whose user.daos attribute links another container (dfuse_ns.c follows it):
 * what lies under it is not in this container, the kernel path handles it.
 */
static bool
is_entry_point(dfs_obj_t *dir)
{
	char value[8];

	return dfs_obj_uns(dir, value, sizeof(value)) != ENODATA;
}

/* Open directory @dir ("/" or "/a/b") of the container, refusing symbolic links. */
static int
walk_dir(dfs_t *dfs, const char *dir, dfs_obj_t **out)
{
	dfs_obj_t *cur = NULL, *next;
	char name[NAME_MAX + 1];
	const char *s = dir, *e;
	mode_t mode;
	int rc;

	while (*s != '\0') {
		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		e = strchrnul(s, '/');
		if ((size_t)(e - s) > NAME_MAX) {
			rc = ENAMETOOLONG;
			goto out_err;
		}
		memcpy(name, s, (size_t)(e - s));
		name[e - s] = '\0';
		rc = dfs_lookup_rel(dfs, cur, name, O_RDONLY, &next, &mode, NULL);
		if (rc != 0) {
			rc = answer(rc);
			goto out_err;
		}
		if (cur != NULL)
			dfs_release(cur);
		cur = next;
		if (S_ISLNK(mode)) {
			rc = IL_KERNEL;
			goto out_err;
		}
		if (!S_ISDIR(mode)) {
			rc = -ENOTDIR;
			goto out_err;
		}
		/* A UNS entry point: dfuse serves another container there. */
		if (is_entry_point(cur)) {
			rc = IL_KERNEL;
			goto out_err;
		}
		s = e;
	}
	*out = cur;
	return 0;
out_err:
	if (cur != NULL)
		dfs_release(cur);
	return rc;
}

/*
 * Resolve @path (relative to @dirfd) for a path call. Returns 0 with @t filled (release
 * with target_put()), IL_KERNEL to pass the call through, or -errno.
 */
static int
target_get(int dirfd, const char *path, struct pil_target *t)
{
	const char *base = NULL, *rel;
	struct il_file *df = NULL;
	struct il_mount *m;
	int rc;

	memset(t, 0, sizeof(*t));
	if (path == NULL || path[0] == '\0' || has_dotdot(path) || il_state.disabled)
		return IL_KERNEL;
	if (path[0] != '/') {
		if (dirfd == AT_FDCWD) {
			if (!il_state.cwd_ok)
				return IL_KERNEL;
			base = il_state.cwd;
		} else {
			df = il_get(dirfd);
			if (df == NULL || !df->dir || df->path == NULL) {
				if (df != NULL)
					il_put(df);
				return IL_KERNEL;
			}
			base = df->path;
		}
	}
	/* A rename made here may replace df->path (pil_follow_rename): read it locked. */
	if (df != NULL)
		pthread_mutex_lock(&df->lock);
	rc = il_path_normalize(base, path, t->abs, sizeof(t->abs));
	if (df != NULL) {
		pthread_mutex_unlock(&df->lock);
		il_put(df);
	}
	if (rc != 0)
		return IL_KERNEL;
	for (m = __atomic_load_n(&il_state.mounts, __ATOMIC_ACQUIRE); m != NULL; m = m->next) {
		if (m->paths && il_path_is_under(m->path, m->path_len, t->abs, &rel))
			break;
	}
	if (m == NULL)
		return IL_KERNEL;
	if (il_mount_dfs(m, &t->dfs) != 0)
		return IL_KERNEL;
	t->mnt = m;
	if (rel[0] == '\0')
		return 0;
	if (il_path_split(rel, t->dir, sizeof(t->dir), &t->name) != 0)
		return IL_KERNEL;
	return walk_dir(t->dfs, t->dir, &t->parent);
}

static void
target_put(struct pil_target *t)
{
	if (t->parent != NULL)
		dfs_release(t->parent);
	t->parent = NULL;
}

/* Open the target itself (not following a symbolic link); 0 or a positive errno. */
static int
target_obj(struct pil_target *t, dfs_obj_t **obj, mode_t *mode)
{
	int rc;

	if (t->name == NULL)
		return dfs_lookup(t->dfs, "/", O_RDONLY, obj, mode, NULL);
	rc = dfs_lookup_rel(t->dfs, t->parent, t->name, O_RDONLY, obj, mode, NULL);
	/* An entry point stands for another container's root: EXDEV sends it to dfuse. */
	if (rc == 0 && is_entry_point(*obj)) {
		dfs_release(*obj);
		*obj = NULL;
		rc = EXDEV;
	}
	return rc;
}

/* Stat the target (a symbolic link itself); 0, IL_KERNEL or -errno. */
static int
target_stat(struct pil_target *t, struct stat *st)
{
	dfs_obj_t *obj;
	int rc;

	if (t->name == NULL) {
		rc = dfs_stat(t->dfs, t->parent, t->name, st);
	} else {
		/* One round trip, as dfs_stat's, that also tells an entry point. */
		rc = dfs_lookup_rel(t->dfs, t->parent, t->name, O_RDONLY, &obj, NULL, st);
		if (rc == 0) {
			if (S_ISDIR(st->st_mode) && is_entry_point(obj))
				rc = EXDEV;
			dfs_release(obj);
		}
	}
	if (rc != 0)
		return answer(rc);
	st->st_dev = t->mnt->dev;
	return 0;
}

/* ---- open ---- */

/* A directory: kernel fd, with its path and DFS object recorded. */
static int
open_dir(struct pil_target *t, int dirfd, const char *path, int flags, mode_t mode)
{
	struct il_file *f;
	dfs_obj_t *obj = NULL;
	mode_t m;
	int fd, rc, saved;

	fd = il_real.openat(dirfd, path, flags, mode);
	if (fd < 0)
		return -errno;
	saved = errno;
	rc = target_obj(t, &obj, &m);
	if (rc != 0 || !S_ISDIR(m)) {
		if (rc == 0)
			dfs_release(obj);
		goto out;
	}
	f = il_file_create(t->mnt, obj, flags, t->abs);
	if (f == NULL) {
		dfs_release(obj);
		goto out;
	}
	f->dir = true;
	f->bypass = false;
	il_fd_set(fd, f, (flags & O_CLOEXEC) != 0);
	il_put(f);
out:
	errno = saved;
	return fd;
}

static int
pil_open(int dirfd, const char *path, int flags, mode_t mode)
{
	struct pil_target t;
	struct il_file *f;
	dfs_obj_t *obj = NULL;
	mode_t m;
	int rc, fd;

	rc = target_get(dirfd, path, &t);
	if (rc != 0)
		return rc;
	if (t.name == NULL || (flags & O_DIRECTORY)) {
		rc = (flags & (O_CREAT | O_PATH)) ? IL_KERNEL
						  : open_dir(&t, dirfd, path, flags, mode);
		goto out;
	}
	if (!il_open_can_bypass(flags) || il_state.compatible) {
		rc = IL_KERNEL;
		goto out;
	}
	rc = dfs_open(t.dfs, t.parent, t.name,
		      (flags & O_CREAT) ? il_create_mode(mode, il_state.umask) : 0,
		      il_open_dfs_flags(flags), 0, 0, NULL, &obj);
	if (rc != 0) {
		rc = answer(rc);
		goto out;
	}
	if (dfs_get_mode(obj, &m) != 0 || !S_ISREG(m)) {
		dfs_release(obj);
		rc = S_ISDIR(m) && !(flags & O_CREAT) && (flags & O_ACCMODE) == O_RDONLY
			     ? open_dir(&t, dirfd, path, flags, mode)
			     : IL_KERNEL;
		goto out;
	}
	f = il_file_create(t.mnt, obj, flags, t.abs);
	if (f == NULL) {
		dfs_release(obj);
		rc = IL_KERNEL;
		goto out;
	}
	f->fake = true;
	fd = pil_placeholder();
	if (fd < 0 || il_fd_set(fd, f, (flags & O_CLOEXEC) != 0) != 0) {
		/* The file exists now (O_CREAT): the kernel opens it without creating it. */
		if (fd >= 0)
			il_real.close(fd);
		il_put(f);
		rc = IL_KERNEL;
		goto out;
	}
	il_put(f);
	il_count(IL_C_open);
	rc = fd;
out:
	target_put(&t);
	return rc;
}

const struct il_lib_desc il_lib = {
	.name = "libpil4dfs",
	.paths = true,
	.init = pil_init,
	.open = pil_open,
	.cwd_changed = pil_cwd_refresh,
};

/* ---- the path calls ---- */

static int
ret_int(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/* The result of a path call: 0, -errno, or IL_KERNEL (then the real call is made). */
static int
do_stat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct pil_target t;
	int rc;

	if (!il_enter())
		return IL_KERNEL;
	rc = target_get(dirfd, path, &t);
	if (rc == 0) {
		rc = target_stat(&t, st);
		if (rc == 0 && S_ISLNK(st->st_mode) && !(flags & AT_SYMLINK_NOFOLLOW))
			rc = IL_KERNEL;
		if (rc != IL_KERNEL)
			il_count(IL_C_stat);
		target_put(&t);
	}
	il_leave();
	return rc;
}

static int
stat_at(int dirfd, const char *path, struct stat *st, int flags)
{
	int rc;

	il_ready();
	if ((flags & AT_EMPTY_PATH) && path != NULL && path[0] == '\0')
		return dirfd == AT_FDCWD ? il_real.fstatat(dirfd, path, st, flags)
					 : fstat(dirfd, st);
	rc = do_stat(dirfd, path, st, flags);
	if (rc == IL_KERNEL)
		return il_real.fstatat(dirfd, path, st, flags);
	return ret_int(rc);
}

int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

D_EXPORT int
stat(const char *path, struct stat *st)
{
	return stat_at(AT_FDCWD, path, st, 0);
}

D_EXPORT int
stat64(const char *path, struct stat64 *st)
{
	return stat_at(AT_FDCWD, path, (struct stat *)st, 0);
}

D_EXPORT int
lstat(const char *path, struct stat *st)
{
	return stat_at(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

D_EXPORT int
lstat64(const char *path, struct stat64 *st)
{
	return stat_at(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
}

D_EXPORT int
fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return stat_at(dirfd, path, st, flags);
}

D_EXPORT int
fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return stat_at(dirfd, path, (struct stat *)st, flags);
}

D_EXPORT int
__xstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return stat_at(AT_FDCWD, path, st, 0);
}

D_EXPORT int
__xstat64(int ver, const char *path, struct stat64 *st)
{
	(void)ver;
	return stat_at(AT_FDCWD, path, (struct stat *)st, 0);
}

D_EXPORT int
__lxstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return stat_at(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

D_EXPORT int
__lxstat64(int ver, const char *path, struct stat64 *st)
{
	(void)ver;
	return stat_at(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
}

D_EXPORT int
__fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	(void)ver;
	return stat_at(dirfd, path, st, flags);
}

D_EXPORT int
__fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
	(void)ver;
	return stat_at(dirfd, path, (struct stat *)st, flags);
}

static void
statx_of(const struct stat *st, struct statx *sx)
{
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS;
	sx->stx_blksize = (uint32_t)st->st_blksize;
	sx->stx_nlink = (uint32_t)st->st_nlink;
	sx->stx_uid = st->st_uid;
	sx->stx_gid = st->st_gid;
	sx->stx_mode = (uint16_t)st->st_mode;
	sx->stx_ino = st->st_ino;
	sx->stx_size = (uint64_t)st->st_size;
	sx->stx_blocks = (uint64_t)st->st_blocks;
	sx->stx_atime.tv_sec = st->st_atim.tv_sec;
	sx->stx_atime.tv_nsec = (uint32_t)st->st_atim.tv_nsec;
	sx->stx_mtime.tv_sec = st->st_mtim.tv_sec;
	sx->stx_mtime.tv_nsec = (uint32_t)st->st_mtim.tv_nsec;
	sx->stx_ctime.tv_sec = st->st_ctim.tv_sec;
	sx->stx_ctime.tv_nsec = (uint32_t)st->st_ctim.tv_nsec;
	sx->stx_dev_major = major(st->st_dev);
	sx->stx_dev_minor = minor(st->st_dev);
}

D_EXPORT int
statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx)
{
	struct stat st;
	int rc;

	il_ready();
	if ((flags & AT_EMPTY_PATH) && path[0] == '\0') {
		struct il_file *f = il_get(dirfd);
		bool ours = f != NULL && f->obj != NULL;

		if (f != NULL)
			il_put(f);
		if (!ours || fstat(dirfd, &st) != 0)
			return il_real.statx(dirfd, path, flags, mask, sx);
		statx_of(&st, sx);
		return 0;
	}
	rc = do_stat(dirfd, path, &st, flags);
	if (rc == IL_KERNEL)
		return il_real.statx(dirfd, path, flags, mask, sx);
	if (rc == 0)
		statx_of(&st, sx);
	return ret_int(rc);
}

/* Begin a path call: 0 with @t, or IL_KERNEL (not entered or not ours) or -errno. */
static int
path_begin(int dirfd, const char *path, struct pil_target *t)
{
	int rc;

	il_ready();
	if (!il_enter())
		return IL_KERNEL;
	rc = target_get(dirfd, path, t);
	if (rc != 0)
		il_leave();
	return rc;
}

/* End a path call begun with path_begin(), counting it as @c if it was served. */
static int
path_end_as(struct pil_target *t, int rc, enum il_counter c)
{
	target_put(t);
	if (rc != IL_KERNEL)
		il_count(c);
	il_leave();
	return rc;
}

static int
path_end(struct pil_target *t, int rc)
{
	return path_end_as(t, rc, IL_C_meta);
}

static int
do_access(int dirfd, const char *path, int mask, int flags)
{
	struct pil_target t;
	struct stat st;
	int rc;

	/* Effective-id checks and the root's special rules: the kernel's. */
	if ((flags & AT_EACCESS) || geteuid() == 0)
		return IL_KERNEL;
	rc = path_begin(dirfd, path, &t);
	if (rc != 0)
		return rc;
	rc = target_stat(&t, &st);
	if (rc == 0 && S_ISLNK(st.st_mode) && !(flags & AT_SYMLINK_NOFOLLOW))
		rc = IL_KERNEL;
	if (rc == 0 && mask != F_OK && t.name != NULL)
		rc = dfs_access(t.dfs, t.parent, t.name, mask) == 0 ? 0 : IL_KERNEL;
	return path_end(&t, rc);
}

D_EXPORT int
access(const char *path, int mask)
{
	int rc = do_access(AT_FDCWD, path, mask, 0);

	return rc == IL_KERNEL ? il_real.access(path, mask) : ret_int(rc);
}

D_EXPORT int
faccessat(int dirfd, const char *path, int mask, int flags)
{
	int rc = do_access(dirfd, path, mask, flags);

	return rc == IL_KERNEL ? il_real.faccessat(dirfd, path, mask, flags) : ret_int(rc);
}

static int
do_mkdir(int dirfd, const char *path, mode_t mode)
{
	struct pil_target t;
	int rc;

	rc = path_begin(dirfd, path, &t);
	if (rc != 0)
		return rc;
	if (t.name == NULL)
		rc = -EEXIST;
	else
		rc = dfs_mkdir(t.dfs, t.parent, t.name, mode & ~il_state.umask & 07777, 0);
	if (rc > 0)
		rc = answer(rc);
	return path_end(&t, rc);
}

D_EXPORT int
mkdir(const char *path, mode_t mode)
{
	int rc = do_mkdir(AT_FDCWD, path, mode);

	return rc == IL_KERNEL ? il_real.mkdir(path, mode) : ret_int(rc);
}

D_EXPORT int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	int rc = do_mkdir(dirfd, path, mode);

	return rc == IL_KERNEL ? il_real.mkdirat(dirfd, path, mode) : ret_int(rc);
}

/* Files picked from the fd table, each once and with a reference. */
struct pil_files {
	struct il_file **files;
	int nr;
	int cap;
};

static void
pil_files_add(struct pil_files *l, struct il_file *f)
{
	struct il_file **nf;
	int i;

	for (i = 0; i < l->nr; i++) {
		if (l->files[i] == f)
			return; /* fds made by dup share one file */
	}
	if (l->nr == l->cap) {
		nf = d_realloc(l->files, (size_t)(l->cap * 2 + 8) * sizeof(*nf));
		if (nf == NULL)
			return;
		l->files = nf;
		l->cap = l->cap * 2 + 8;
	}
	il_file_get(f);
	l->files[l->nr++] = f;
}

static void
pil_files_put(struct pil_files *l)
{
	int i;

	for (i = 0; i < l->nr; i++)
		il_put(l->files[i]);
	d_free(l->files);
}

/* This process's files on one object (pil_open_here). */
struct pil_same {
	struct il_mount *mnt;
	daos_obj_id_t oid;
	struct pil_files l;
};

static void
same_cb(int fd, struct il_fd_slot *s, void *arg)
{
	struct pil_same *m = arg;
	struct il_file *f = s->file;
	daos_obj_id_t oid;

	(void)fd;
	if (f->dir || f->mnt != m->mnt || f->obj == NULL || dfs_obj2id(f->obj, &oid) != 0 ||
	    oid.hi != m->oid.hi || oid.lo != m->oid.lo)
		return;
	pil_files_add(&m->l, f);
}

/*
 * Is regular file @obj of @t's mount open in this process? Its files served by libdfs
 * alone (fake fds) are first handed to the kernel, so that dfuse, which keeps an unlinked
 * or replaced file's object until the kernel closes it, knows they are open: then the
 * removal must go through dfuse (true). 0 with *@open_here, or -errno if a hand-over
 * failed.
 */
static int
pil_open_here(struct pil_target *t, dfs_obj_t *obj, bool *open_here)
{
	struct pil_same m = { .mnt = t->mnt };
	int i, rc = 0;

	*open_here = false;
	if (il_state.fds.nr_used == 0 || dfs_obj2id(obj, &m.oid) != 0)
		return 0;
	il_fdtable_for_each(&il_state.fds, same_cb, &m);
	for (i = 0; i < m.l.nr && rc == 0; i++) {
		if (m.l.files[i]->fake)
			rc = il_kernelize(m.l.files[i], false);
	}
	*open_here = m.l.nr > 0;
	pil_files_put(&m.l);
	return rc > 0 ? -rc : rc;
}

static int
do_unlink(int dirfd, const char *path, bool dir)
{
	struct pil_target t;
	bool open_here = false;
	dfs_obj_t *obj;
	mode_t mode;
	int rc;

	rc = path_begin(dirfd, path, &t);
	if (rc != 0)
		return rc;
	if (t.name == NULL) {
		rc = IL_KERNEL;
		goto out;
	}
	rc = target_obj(&t, &obj, &mode);
	if (rc != 0) {
		rc = answer(rc);
		goto out;
	}
	if (dir && !S_ISDIR(mode))
		rc = -ENOTDIR;
	else if (!dir && S_ISDIR(mode))
		rc = -EISDIR;
	else if (S_ISREG(mode))
		rc = pil_open_here(&t, obj, &open_here);
	dfs_release(obj);
	if (rc == 0 && open_here)
		rc = IL_KERNEL; /* dfuse keeps the data of open files until their last close */
	else if (rc == 0)
		rc = dfs_remove(t.dfs, t.parent, t.name, false, NULL);
	if (rc > 0)
		rc = answer(rc);
out:
	return path_end(&t, rc);
}

D_EXPORT int
unlink(const char *path)
{
	int rc = do_unlink(AT_FDCWD, path, false);

	return rc == IL_KERNEL ? il_real.unlink(path) : ret_int(rc);
}

D_EXPORT int
rmdir(const char *path)
{
	int rc = do_unlink(AT_FDCWD, path, true);

	return rc == IL_KERNEL ? il_real.rmdir(path) : ret_int(rc);
}

D_EXPORT int
unlinkat(int dirfd, const char *path, int flags)
{
	int rc = do_unlink(dirfd, path, (flags & AT_REMOVEDIR) != 0);

	return rc == IL_KERNEL ? il_real.unlinkat(dirfd, path, flags) : ret_int(rc);
}

/* Files open at or below a renamed path, each with a reference (pil_follow_rename). */
struct pil_moved {
	struct il_mount *mnt;
	const char *from; /* the old absolute path */
	size_t from_len;
	struct pil_files l;
};

static void
moved_cb(int fd, struct il_fd_slot *s, void *arg)
{
	struct pil_moved *m = arg;
	struct il_file *f = s->file;

	(void)fd;
	if (f->path == NULL || f->mnt != m->mnt || strncmp(f->path, m->from, m->from_len) != 0 ||
	    (f->path[m->from_len] != '\0' && f->path[m->from_len] != '/'))
		return;
	pil_files_add(&m->l, f);
}

/*
 * After a rename to @b made here, the files of @m (open at or below the old path) follow
 * it: their recorded path (for promotion and *at() calls) and, for the renamed entry
 * itself, the parent and name in its DFS object, where libdfs finds its attributes
 * (stat, size). Without this, fstat of a fake fd whose file was renamed answered from
 * /dev/null. Drops the references of @m.
 */
static void
pil_follow_rename(struct pil_moved *m, struct pil_target *b)
{
	dfs_obj_t *moved = NULL;
	int i;

	/* The entry at its new place: the moved objects take its parent. */
	if (m->l.nr > 0 && dfs_lookup_rel(b->dfs, b->parent, b->name, O_RDONLY | O_NOFOLLOW, &moved,
					  NULL, NULL) != 0)
		moved = NULL;
	for (i = 0; i < m->l.nr; i++) {
		struct il_file *f = m->l.files[i];
		const char *rest = f->path + m->from_len;
		size_t len = strlen(b->abs) + strlen(rest) + 1;
		char *np = d_malloc(len);

		pthread_mutex_lock(&f->lock);
		/* Without memory the path becomes unknown rather than wrong. */
		if (np != NULL)
			snprintf(np, len, "%s%s", b->abs, rest);
		if (*rest == '\0' && moved != NULL && f->obj != NULL)
			dfs_update_parent(f->obj, moved, b->name);
		d_free(f->path);
		f->path = np;
		pthread_mutex_unlock(&f->lock);
	}
	if (moved != NULL)
		dfs_release(moved);
	pil_files_put(&m->l);
}

/*
 * Renames that replace nothing, within one mount. A replaced object may still be open
 * somewhere (dfuse frees it only when the kernel is done with it): those go to dfuse.
 */
static int
do_rename(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	struct pil_moved m = { 0 };
	struct pil_target a, b;
	struct stat st;
	int i, rc;

	rc = path_begin(olddirfd, oldpath, &a);
	if (rc != 0)
		return rc;
	rc = target_get(newdirfd, newpath, &b);
	if (rc != 0) {
		if (rc != IL_KERNEL)
			rc = IL_KERNEL;
		return path_end(&a, rc);
	}
	if (a.mnt != b.mnt || a.name == NULL || b.name == NULL) {
		rc = IL_KERNEL;
		goto out;
	}
	rc = target_stat(&b, &st);
	if (rc != -ENOENT) {
		dfs_obj_t *obj;
		bool open_here;

		/* dfuse replaces it; this process's libdfs-only fds on it must be its. */
		if (rc == 0 && S_ISREG(st.st_mode) && target_obj(&b, &obj, NULL) == 0) {
			rc = pil_open_here(&b, obj, &open_here);
			dfs_release(obj);
			if (rc != 0)
				goto out;
		}
		rc = IL_KERNEL;
		goto out;
	}
	/*
	 * What this process has open through the kernel at or below the old path must be
	 * renamed by dfuse, whose inode would otherwise keep the old name (its setattr and
	 * getattr failing with ENOENT). Other processes' opens are not known here.
	 */
	m.mnt = a.mnt;
	m.from = a.abs;
	m.from_len = strlen(a.abs);
	il_fdtable_for_each(&il_state.fds, moved_cb, &m);
	for (i = 0; i < m.l.nr; i++) {
		if (!m.l.files[i]->fake) {
			pil_files_put(&m.l);
			rc = IL_KERNEL;
			goto out;
		}
	}
	rc = dfs_move(a.dfs, a.parent, a.name, b.parent, b.name, NULL);
	if (rc == 0)
		pil_follow_rename(&m, &b);
	else
		pil_files_put(&m.l);
	if (rc > 0)
		rc = answer(rc);
out:
	target_put(&b);
	return path_end(&a, rc);
}

D_EXPORT int
rename(const char *oldpath, const char *newpath)
{
	int rc = do_rename(AT_FDCWD, oldpath, AT_FDCWD, newpath);

	return rc == IL_KERNEL ? il_real.rename(oldpath, newpath) : ret_int(rc);
}

D_EXPORT int
renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	int rc = do_rename(olddirfd, oldpath, newdirfd, newpath);

	return rc == IL_KERNEL ? il_real.renameat(olddirfd, oldpath, newdirfd, newpath)
			       : ret_int(rc);
}

D_EXPORT int
renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
	int rc = flags == 0 ? do_rename(olddirfd, oldpath, newdirfd, newpath) : IL_KERNEL;

	return rc == IL_KERNEL ? il_real.renameat2(olddirfd, oldpath, newdirfd, newpath, flags)
			       : ret_int(rc);
}

static int
do_truncate(const char *path, off_t len)
{
	struct pil_target t;
	dfs_obj_t *obj;
	mode_t m;
	int rc;

	if (len < 0)
		return IL_KERNEL;
	rc = path_begin(AT_FDCWD, path, &t);
	if (rc != 0)
		return rc;
	if (t.name == NULL) {
		rc = -EISDIR;
		goto out;
	}
	rc = dfs_open(t.dfs, t.parent, t.name, 0, O_WRONLY, 0, 0, NULL, &obj);
	if (rc != 0) {
		rc = answer(rc);
		goto out;
	}
	if (dfs_get_mode(obj, &m) != 0 || !S_ISREG(m))
		rc = S_ISDIR(m) ? -EISDIR : IL_KERNEL;
	else
		rc = dfs_punch(t.dfs, obj, (daos_off_t)len, DFS_MAX_FSIZE) == 0 ? 0 : IL_KERNEL;
	dfs_release(obj);
out:
	return path_end(&t, rc);
}

D_EXPORT int
truncate(const char *path, off_t len)
{
	int rc = do_truncate(path, len);

	return rc == IL_KERNEL ? il_real.truncate(path, len) : ret_int(rc);
}

D_EXPORT int
truncate64(const char *path, off64_t len)
{
	int rc = do_truncate(path, (off_t)len);

	return rc == IL_KERNEL ? il_real.truncate(path, (off_t)len) : ret_int(rc);
}

static int
do_chmod(int dirfd, const char *path, mode_t mode, int flags)
{
	struct pil_target t;
	struct stat st;
	int rc;

	if (flags != 0)
		return IL_KERNEL;
	rc = path_begin(dirfd, path, &t);
	if (rc != 0)
		return rc;
	rc = target_stat(&t, &st);
	if (rc == 0 && (S_ISLNK(st.st_mode) || t.name == NULL))
		rc = IL_KERNEL;
	if (rc == 0)
		rc = dfs_chmod(t.dfs, t.parent, t.name, mode & 07777) == 0 ? 0 : IL_KERNEL;
	return path_end(&t, rc);
}

D_EXPORT int
chmod(const char *path, mode_t mode)
{
	int rc = do_chmod(AT_FDCWD, path, mode, 0);

	return rc == IL_KERNEL ? il_real.chmod(path, mode) : ret_int(rc);
}

D_EXPORT int
fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	int rc = do_chmod(dirfd, path, mode, flags);

	return rc == IL_KERNEL ? il_real.fchmodat(dirfd, path, mode, flags) : ret_int(rc);
}

/* ---- times and owners ---- */

/*
 * A path call on the target's own object (not following a final link): @fn on it gives
 * 0, a count, -errno or IL_KERNEL, and the call is counted as @c if served.
 */
static int
path_obj_call(int dirfd, const char *path, enum il_counter c,
	      int (*fn)(struct il_mount *, dfs_obj_t *, mode_t, const void *), const void *arg)
{
	struct pil_target t;
	dfs_obj_t *obj;
	mode_t m;
	int rc;

	rc = path_begin(dirfd, path, &t);
	if (rc != 0)
		return rc;
	rc = target_obj(&t, &obj, &m);
	if (rc != 0)
		return path_end_as(&t, answer(rc), c);
	rc = fn(t.mnt, obj, m, arg);
	dfs_release(obj);
	return path_end_as(&t, rc, c);
}

struct pil_utimens {
	const struct timespec *ts;
	int flags;
};

static int
utimens_cb(struct il_mount *mnt, dfs_obj_t *obj, mode_t mode, const void *arg)
{
	const struct pil_utimens *u = arg;

	/* A link's own times are DFS's too; what it points to is for the kernel to find. */
	if (S_ISLNK(mode) && !(u->flags & AT_SYMLINK_NOFOLLOW))
		return IL_KERNEL;
	return il_obj_utimens(mnt, obj, u->ts);
}

static int
do_utimens(int dirfd, const char *path, const struct timespec ts[2], int flags)
{
	struct pil_utimens u = { .ts = ts, .flags = flags };

	il_ready();
	if (flags & ~AT_SYMLINK_NOFOLLOW)
		return IL_KERNEL;
	return path_obj_call(dirfd, path, IL_C_meta, utimens_cb, &u);
}

/*
 * glibc declares @path nonnull, but the kernel takes NULL: the fd itself (as futimens).
 * The compiler may assume the declaration and drop a plain test, so the pointer goes
 * through an empty asm it cannot see into.
 */
static bool
nonnull_arg_is_null(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	__asm__ volatile("" : "+r"(v));
	return v == 0;
}

D_EXPORT int
utimensat(int dirfd, const char *path, const struct timespec ts[2], int flags)
{
	int rc;

	if (nonnull_arg_is_null(path) && flags == 0)
		return futimens(dirfd, ts);
	rc = do_utimens(dirfd, path, ts, flags);
	return rc == IL_KERNEL ? il_real.utimensat(dirfd, path, ts, flags) : ret_int(rc);
}

D_EXPORT int
utimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	int rc = IL_KERNEL, i;

	il_ready();
	for (i = 0; tv != NULL && i < 2; i++) {
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = (long)tv[i].tv_usec * 1000;
	}
	/* Microseconds out of range are the kernel's EINVAL. */
	if (tv == NULL || (tv[0].tv_usec >= 0 && tv[0].tv_usec < 1000000 && tv[1].tv_usec >= 0 &&
			   tv[1].tv_usec < 1000000))
		rc = do_utimens(AT_FDCWD, path, tv != NULL ? ts : NULL, 0);
	return rc == IL_KERNEL ? il_real.utimes(path, tv) : ret_int(rc);
}

/*
 * Owners change only on --multi-user mounts (otherwise dfuse allows no change but to
 * its own user, which is not known here) and under the kernel's rules. A set-id file
 * loses its set-id bits in a chown: the kernel does that part, so such files are its.
 */
static int
do_chown(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	struct pil_target t;
	struct il_cred c;
	gid_t groups[64];
	struct stat st;
	int rc;

	il_ready();
	if (flags & ~AT_SYMLINK_NOFOLLOW)
		return IL_KERNEL;
	rc = path_begin(dirfd, path, &t);
	if (rc != 0)
		return rc;
	if (!(t.mnt->flags & DFUSE_IL_MULTI_USER) || (t.mnt->flags & DFUSE_IL_READ_ONLY)) {
		rc = IL_KERNEL;
		goto out;
	}
	rc = target_stat(&t, &st);
	if (rc != 0)
		goto out;
	if ((S_ISLNK(st.st_mode) && !(flags & AT_SYMLINK_NOFOLLOW)) ||
	    (!S_ISDIR(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)))) {
		rc = IL_KERNEL;
		goto out;
	}
	c.uid = geteuid();
	c.gid = getegid();
	c.groups = groups;
	c.nr_groups = c.uid == 0 ? 0 : getgroups((int)ARRAY_SIZE(groups), groups);
	if (c.nr_groups < 0)
		rc = IL_KERNEL;
	else if (!il_chown_is_allowed(&c, st.st_uid, st.st_gid, uid, gid))
		rc = -EPERM;
	else
		rc = dfs_chown(t.dfs, t.parent, t.name, uid, gid, O_NOFOLLOW) == 0 ? 0 : IL_KERNEL;
out:
	return path_end(&t, rc);
}

D_EXPORT int
chown(const char *path, uid_t uid, gid_t gid)
{
	int rc = do_chown(AT_FDCWD, path, uid, gid, 0);

	return rc == IL_KERNEL ? il_real.chown(path, uid, gid) : ret_int(rc);
}

D_EXPORT int
lchown(const char *path, uid_t uid, gid_t gid)
{
	int rc = do_chown(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);

	return rc == IL_KERNEL ? il_real.lchown(path, uid, gid) : ret_int(rc);
}

D_EXPORT int
fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	int rc = do_chown(dirfd, path, uid, gid, flags);

	return rc == IL_KERNEL ? il_real.fchownat(dirfd, path, uid, gid, flags) : ret_int(rc);
}

/* ---- file systems ---- */

/* statfs of a path under a mount: the pool's space (il_mount_statfs). */
static int
do_statfs(const char *path, struct statfs *sf)
{
	struct pil_target t;
	struct stat st;
	int rc;

	rc = path_begin(AT_FDCWD, path, &t);
	if (rc != 0)
		return rc;
	/* The path must lead somewhere (ENOENT otherwise); following a link is the kernel's. */
	rc = target_stat(&t, &st);
	if (rc == 0 && S_ISLNK(st.st_mode))
		rc = IL_KERNEL;
	if (rc == 0 && il_mount_statfs(t.mnt, sf) != 0)
		rc = IL_KERNEL;
	return path_end_as(&t, rc, IL_C_statfs);
}

D_EXPORT int
statfs(const char *path, struct statfs *buf)
{
	int rc = do_statfs(path, buf);

	return rc == IL_KERNEL ? il_real.statfs(path, buf) : ret_int(rc);
}

D_EXPORT int
statfs64(const char *path, struct statfs64 *buf)
{
	return statfs(path, (struct statfs *)buf);
}

/* glibc's statvfs calls the kernel's statfs itself: converted from ours. */
D_EXPORT int
statvfs(const char *path, struct statvfs *buf)
{
	struct statfs sf;
	int rc = do_statfs(path, &sf);

	if (rc == IL_KERNEL)
		return il_real.statvfs(path, buf);
	if (rc == 0)
		il_statfs_to_statvfs(&sf, buf);
	return ret_int(rc);
}

D_EXPORT int
statvfs64(const char *path, struct statvfs64 *buf)
{
	return statvfs(path, (struct statvfs *)buf);
}

/* ---- extended attributes ---- */

enum pil_xop {
	PIL_XGET,
	PIL_XSET,
	PIL_XLIST,
	PIL_XREMOVE,
};

/* One xattr call. */
struct pil_xattr {
	enum pil_xop op;
	const char *name; /* NULL for PIL_XLIST */
	void *value;      /* get and list: filled; set: read */
	size_t size;      /* bytes at value; 0 asks get and list for the size */
	int flags;        /* set: XATTR_CREATE or XATTR_REPLACE */
};

/*
 * @x on @obj (of type @mode) of @mnt: bytes (get, list), 0, -errno or IL_KERNEL. The
 * kernel's checks come first: user. xattrs live on regular files and directories only,
 * and need read (get) or write (set, remove) permission; the caller's class decides it
 * when it is root or the owner, the kernel otherwise (groups).
 */
static int
xattr_obj(struct il_mount *mnt, dfs_obj_t *obj, mode_t mode, const struct pil_xattr *x)
{
	daos_size_t len = x->size;
	uid_t uid = geteuid();
	struct stat st;
	int rc;

	if (x->op != PIL_XLIST) {
		if (!il_xattr_name_is_served(x->name) || (!S_ISREG(mode) && !S_ISDIR(mode)))
			return IL_KERNEL;
		if (x->op != PIL_XGET && (mnt->flags & DFUSE_IL_READ_ONLY))
			return IL_KERNEL;
		if (uid != 0 && (dfs_ostat(mnt->dfs, obj, &st) != 0 || st.st_uid != uid))
			return IL_KERNEL;
		if (uid != 0 && !(st.st_mode & (x->op == PIL_XGET ? S_IRUSR : S_IWUSR)))
			return -EACCES;
	}
	switch (x->op) {
	case PIL_XGET:
		rc = dfs_getxattr(mnt->dfs, obj, x->name, x->size > 0 ? x->value : NULL, &len);
		break;
	case PIL_XLIST:
		rc = dfs_listxattr(mnt->dfs, obj, x->size > 0 ? x->value : NULL, &len);
		break;
	case PIL_XSET:
		/* Empty and oversized values: the kernel's and dfuse's answers. */
		if (x->size == 0 || x->size > XATTR_SIZE_MAX)
			return IL_KERNEL;
		rc = dfs_setxattr(mnt->dfs, obj, x->name, x->value, x->size, x->flags);
		len = 0;
		break;
	default:
		rc = dfs_removexattr(mnt->dfs, obj, x->name);
		len = 0;
		break;
	}
	if (rc == ENODATA || rc == ERANGE)
		return -rc;
	return rc != 0 ? answer(rc) : (int)len;
}

/* @x on a path: links are the kernel's (the user. namespace has no xattrs on links). */
static int
xattr_cb(struct il_mount *mnt, dfs_obj_t *obj, mode_t mode, const void *arg)
{
	return S_ISLNK(mode) ? IL_KERNEL : xattr_obj(mnt, obj, mode, arg);
}

static int
do_xattr(const char *path, const struct pil_xattr *x)
{
	return path_obj_call(AT_FDCWD, path, IL_C_xattr, xattr_cb, x);
}

static int
xattr_fake(struct il_mount *mnt, dfs_obj_t *obj, const void *arg)
{
	return xattr_obj(mnt, obj, S_IFREG, arg);
}

/*
 * The path calls, each for its plain and l* name (links are the kernel's either way):
 * @real points at the libc function to call when the kernel is to answer.
 */
static ssize_t
xattr_get(ssize_t (**real)(const char *, const char *, void *, size_t), const char *path,
	  const char *name, void *value, size_t size)
{
	struct pil_xattr x = { .op = PIL_XGET, .name = name, .value = value, .size = size };
	int rc = do_xattr(path, &x);

	return rc == IL_KERNEL ? (*real)(path, name, value, size) : ret_int(rc);
}

static int
xattr_set(int (**real)(const char *, const char *, const void *, size_t, int), const char *path,
	  const char *name, const void *value, size_t size, int flags)
{
	struct pil_xattr x = {
		.op = PIL_XSET, .name = name, .value = (void *)value, .size = size, .flags = flags
	};
	int rc = do_xattr(path, &x);

	return rc == IL_KERNEL ? (*real)(path, name, value, size, flags) : ret_int(rc);
}

static ssize_t
xattr_list(ssize_t (**real)(const char *, char *, size_t), const char *path, char *list,
	   size_t size)
{
	struct pil_xattr x = { .op = PIL_XLIST, .value = list, .size = size };
	int rc = do_xattr(path, &x);

	return rc == IL_KERNEL ? (*real)(path, list, size) : ret_int(rc);
}

static int
xattr_remove(int (**real)(const char *, const char *), const char *path, const char *name)
{
	struct pil_xattr x = { .op = PIL_XREMOVE, .name = name };
	int rc = do_xattr(path, &x);

	return rc == IL_KERNEL ? (*real)(path, name) : ret_int(rc);
}

D_EXPORT ssize_t
getxattr(const char *path, const char *name, void *value, size_t size)
{
	return xattr_get(&il_real.getxattr, path, name, value, size);
}

D_EXPORT ssize_t
lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	return xattr_get(&il_real.lgetxattr, path, name, value, size);
}

D_EXPORT int
setxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
	return xattr_set(&il_real.setxattr, path, name, value, size, flags);
}

D_EXPORT int
lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
	return xattr_set(&il_real.lsetxattr, path, name, value, size, flags);
}

D_EXPORT ssize_t
listxattr(const char *path, char *list, size_t size)
{
	return xattr_list(&il_real.listxattr, path, list, size);
}

D_EXPORT ssize_t
llistxattr(const char *path, char *list, size_t size)
{
	return xattr_list(&il_real.llistxattr, path, list, size);
}

D_EXPORT int
removexattr(const char *path, const char *name)
{
	return xattr_remove(&il_real.removexattr, path, name);
}

D_EXPORT int
lremovexattr(const char *path, const char *name)
{
	return xattr_remove(&il_real.lremovexattr, path, name);
}

/* The f* calls: fake fds through libdfs, the rest through the kernel. */
D_EXPORT ssize_t
fgetxattr(int fd, const char *name, void *value, size_t size)
{
	struct pil_xattr x = { .op = PIL_XGET, .name = name, .value = value, .size = size };
	int rc = il_fake_call(fd, IL_C_xattr, xattr_fake, &x);

	return rc == IL_KERNEL ? il_real.fgetxattr(fd, name, value, size) : ret_int(rc);
}

D_EXPORT int
fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)
{
	struct pil_xattr x = {
		.op = PIL_XSET, .name = name, .value = (void *)value, .size = size, .flags = flags
	};
	int rc = il_fake_call(fd, IL_C_xattr, xattr_fake, &x);

	return rc == IL_KERNEL ? il_real.fsetxattr(fd, name, value, size, flags) : ret_int(rc);
}

D_EXPORT ssize_t
flistxattr(int fd, char *list, size_t size)
{
	struct pil_xattr x = { .op = PIL_XLIST, .value = list, .size = size };
	int rc = il_fake_call(fd, IL_C_xattr, xattr_fake, &x);

	return rc == IL_KERNEL ? il_real.flistxattr(fd, list, size) : ret_int(rc);
}

D_EXPORT int
fremovexattr(int fd, const char *name)
{
	struct pil_xattr x = { .op = PIL_XREMOVE, .name = name };
	int rc = il_fake_call(fd, IL_C_xattr, xattr_fake, &x);

	return rc == IL_KERNEL ? il_real.fremovexattr(fd, name) : ret_int(rc);
}

static int
do_symlink(const char *target, int dirfd, const char *path)
{
	struct pil_target t;
	dfs_obj_t *obj;
	int rc;

	if (target == NULL)
		return IL_KERNEL;
	rc = path_begin(dirfd, path, &t);
	if (rc != 0)
		return rc;
	if (t.name == NULL) {
		rc = -EEXIST;
		goto out;
	}
	rc = dfs_open(t.dfs, t.parent, t.name, S_IFLNK | 0777, O_CREAT | O_EXCL | O_RDWR, 0, 0,
		      target, &obj);
	if (rc == 0)
		dfs_release(obj);
	else
		rc = answer(rc);
out:
	return path_end(&t, rc);
}

D_EXPORT int
symlink(const char *target, const char *path)
{
	int rc = do_symlink(target, AT_FDCWD, path);

	return rc == IL_KERNEL ? il_real.symlink(target, path) : ret_int(rc);
}

D_EXPORT int
symlinkat(const char *target, int dirfd, const char *path)
{
	int rc = do_symlink(target, dirfd, path);

	return rc == IL_KERNEL ? il_real.symlinkat(target, dirfd, path) : ret_int(rc);
}

struct pil_readlink {
	char *buf;
	size_t len;
};

static int
readlink_cb(struct il_mount *mnt, dfs_obj_t *obj, mode_t mode, const void *arg)
{
	const struct pil_readlink *r = arg;
	daos_size_t size = PATH_MAX + 1;
	char *tmp;
	int rc;

	(void)mnt;
	if (!S_ISLNK(mode))
		return -EINVAL;
	tmp = d_calloc(1, (size_t)size);
	if (tmp == NULL)
		return IL_KERNEL;
	if (dfs_get_symlink_value(obj, tmp, &size) != 0 || size == 0) {
		rc = IL_KERNEL;
	} else {
		size--; /* without the NUL */
		if (size > r->len)
			size = r->len;
		memcpy(r->buf, tmp, (size_t)size);
		rc = (int)size;
	}
	d_free(tmp);
	return rc;
}

static ssize_t
do_readlink(int dirfd, const char *path, char *buf, size_t len)
{
	struct pil_readlink r = { .buf = buf, .len = len };

	return path_obj_call(dirfd, path, IL_C_meta, readlink_cb, &r);
}

D_EXPORT ssize_t
readlink(const char *path, char *buf, size_t len)
{
	ssize_t rc = do_readlink(AT_FDCWD, path, buf, len);

	return rc == IL_KERNEL ? il_real.readlink(path, buf, len) : ret_int((int)rc);
}

D_EXPORT ssize_t
readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t rc = do_readlink(dirfd, path, buf, len);

	return rc == IL_KERNEL ? il_real.readlinkat(dirfd, path, buf, len) : ret_int((int)rc);
}

D_EXPORT int
chdir(const char *path)
{
	int rc;

	il_ready();
	rc = il_real.chdir(path);
	if (rc == 0 && il_enter()) {
		pil_cwd_refresh();
		il_leave();
	}
	return rc;
}

D_EXPORT mode_t
umask(mode_t mask)
{
	mode_t old;

	il_ready();
	old = il_real.umask(mask);
	il_state.umask = mask & 0777;
	return old;
}

/* ---- directory streams ---- */

/*
 * Our DIR. Its first word can never be glibc's (whose DIR starts with a valid fd): the
 * low half of the magic is a negative int.
 */
#define PIL_DIR_MAGIC 0x50494c44ffff0001ULL
#define PIL_DIR_BATCH 64

struct pil_dir {
	uint64_t magic;                    /* PIL_DIR_MAGIC */
	struct il_mount *mnt;              /* the mount */
	dfs_obj_t *obj;                    /* the directory */
	char *path;                        /* its absolute path */
	int fd;                            /* kernel fd for dirfd(), -1 until asked */
	daos_anchor_t anchor;              /* where dfs_readdirplus goes on */
	struct dirent ents[PIL_DIR_BATCH]; /* the current batch */
	struct stat sts[PIL_DIR_BATCH];
	uint32_t nr;       /* entries in the batch */
	uint32_t next;     /* next entry of the batch to return */
	long pos;          /* entries returned so far ("." and ".." count) */
	struct dirent dot; /* "." or ".." as returned */
};

static bool
is_ours(DIR *d)
{
	return d != NULL && ((struct pil_dir *)(void *)d)->magic == PIL_DIR_MAGIC;
}

static DIR *
dir_create(struct il_mount *mnt, dfs_obj_t *obj, const char *path, int fd)
{
	struct pil_dir *d = d_calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->path = path != NULL ? d_strdup(path) : NULL;
	d->magic = PIL_DIR_MAGIC;
	d->mnt = mnt;
	d->obj = obj;
	d->fd = fd;
	return (DIR *)(void *)d;
}

D_EXPORT DIR *
opendir(const char *path)
{
	struct pil_target t;
	dfs_obj_t *obj = NULL;
	DIR *d = NULL;
	mode_t m;
	int rc;

	rc = path_begin(AT_FDCWD, path, &t);
	if (rc == IL_KERNEL)
		return il_real.opendir(path);
	if (rc != 0) {
		errno = -rc;
		return NULL;
	}
	rc = target_obj(&t, &obj, &m);
	rc = rc != 0 ? answer(rc) : S_ISDIR(m) ? 0 : S_ISLNK(m) ? IL_KERNEL : -ENOTDIR;
	if (rc == 0) {
		d = dir_create(t.mnt, obj, t.abs, -1);
		if (d == NULL)
			rc = IL_KERNEL;
	}
	if (rc != 0 && obj != NULL)
		dfs_release(obj);
	path_end(&t, rc);
	if (rc == IL_KERNEL)
		return il_real.opendir(path);
	if (rc != 0)
		errno = -rc;
	return d;
}

D_EXPORT DIR *
fdopendir(int fd)
{
	struct il_file *f;
	dfs_obj_t *obj;
	DIR *d = NULL;

	il_ready();
	if (il_fdtable_is_empty(&il_state.fds) || !il_enter())
		return il_real.fdopendir(fd);
	f = il_get(fd);
	if (f != NULL && f->dir && f->obj != NULL &&
	    dfs_dup(il_file_mount(f)->dfs, f->obj, O_RDONLY, &obj) == 0) {
		d = dir_create(il_file_mount(f), obj, f->path, fd);
		if (d == NULL)
			dfs_release(obj);
	}
	if (f != NULL)
		il_put(f);
	il_leave();
	return d != NULL ? d : il_real.fdopendir(fd);
}

static struct dirent *
dir_next(struct pil_dir *d)
{
	struct dirent *e;
	int rc;

	if (d->pos < 2) {
		memset(&d->dot, 0, sizeof(d->dot));
		snprintf(d->dot.d_name, sizeof(d->dot.d_name), "%s", d->pos == 0 ? "." : "..");
		d->dot.d_ino = 1;
		d->dot.d_type = DT_DIR;
		d->dot.d_off = ++d->pos;
		return &d->dot;
	}
	while (d->next >= d->nr) {
		if (daos_anchor_is_eof(&d->anchor))
			return NULL;
		d->nr = PIL_DIR_BATCH;
		d->next = 0;
		rc = dfs_readdirplus(d->mnt->dfs, d->obj, &d->anchor, &d->nr, d->ents, d->sts);
		if (rc != 0) {
			d->nr = 0;
			errno = rc;
			return NULL;
		}
	}
	e = &d->ents[d->next];
	e->d_ino = d->sts[d->next].st_ino;
	e->d_type = IFTODT(d->sts[d->next].st_mode);
	e->d_reclen = sizeof(*e);
	e->d_off = ++d->pos;
	d->next++;
	il_count(IL_C_dir);
	return e;
}

D_EXPORT struct dirent *
readdir(DIR *dir)
{
	struct dirent *e;

	il_ready();
	if (!is_ours(dir))
		return il_real.readdir(dir);
	il_enter();
	e = dir_next((struct pil_dir *)(void *)dir);
	il_leave();
	return e;
}

D_EXPORT struct dirent64 *
readdir64(DIR *dir)
{
	il_ready();
	if (!is_ours(dir))
		return il_real.readdir64(dir);
	/* LP64: struct dirent and struct dirent64 are one layout. */
	return (struct dirent64 *)(void *)readdir(dir);
}

/* Deprecated, still called by old programs. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
D_EXPORT int
readdir_r(DIR *dir, struct dirent *ent, struct dirent **res)
{
	struct dirent *e;

	il_ready();
	if (!is_ours(dir))
		return il_real.readdir_r(dir, ent, res);
	errno = 0;
	e = readdir(dir);
	if (e == NULL) {
		*res = NULL;
		return errno;
	}
	memcpy(ent, e, sizeof(*ent));
	*res = ent;
	return 0;
}

D_EXPORT int
readdir64_r(DIR *dir, struct dirent64 *ent, struct dirent64 **res)
{
	return readdir_r(dir, (struct dirent *)(void *)ent, (struct dirent **)(void *)res);
}
#pragma GCC diagnostic pop

D_EXPORT void
rewinddir(DIR *dir)
{
	struct pil_dir *d = (struct pil_dir *)(void *)dir;

	il_ready();
	if (!is_ours(dir)) {
		il_real.rewinddir(dir);
		return;
	}
	memset(&d->anchor, 0, sizeof(d->anchor));
	d->nr = d->next = 0;
	d->pos = 0;
}

D_EXPORT long
telldir(DIR *dir)
{
	il_ready();
	if (!is_ours(dir))
		return il_real.telldir(dir);
	return ((struct pil_dir *)(void *)dir)->pos;
}

D_EXPORT void
seekdir(DIR *dir, long pos)
{
	il_ready();
	if (!is_ours(dir)) {
		il_real.seekdir(dir, pos);
		return;
	}
	/* Listings have no stable positions: start again and skip. */
	rewinddir(dir);
	while (((struct pil_dir *)(void *)dir)->pos < pos && readdir(dir) != NULL)
		;
}

D_EXPORT int
dirfd(DIR *dir)
{
	struct pil_dir *d = (struct pil_dir *)(void *)dir;
	struct il_file *f;
	dfs_obj_t *obj;

	il_ready();
	if (!is_ours(dir))
		return il_real.dirfd(dir);
	if (d->fd >= 0 || d->path == NULL)
		return d->fd;
	d->fd = il_real.open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0 || !il_enter())
		return d->fd;
	if (dfs_dup(d->mnt->dfs, d->obj, O_RDONLY, &obj) == 0) {
		f = il_file_create(d->mnt, obj, O_RDONLY | O_DIRECTORY, d->path);
		if (f != NULL) {
			f->dir = true;
			f->bypass = false;
			il_fd_set(d->fd, f, true);
			il_put(f);
		} else {
			dfs_release(obj);
		}
	}
	il_leave();
	return d->fd;
}

D_EXPORT int
closedir(DIR *dir)
{
	struct pil_dir *d = (struct pil_dir *)(void *)dir;

	il_ready();
	if (!is_ours(dir))
		return il_real.closedir(dir);
	if (d->fd >= 0)
		close(d->fd);
	if (!il_state.disabled)
		dfs_release(d->obj);
	d_free(d->path);
	d->magic = 0;
	d_free(d);
	return 0;
}
