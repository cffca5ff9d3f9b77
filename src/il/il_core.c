/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il_core.c - the engine room of libioil and libpil4dfs (docs/design/il.md).
 *
 * Both libraries are LD_PRELOADed and define libc's names (read, open, ...); each of
 * those wrappers (il_io.c, pil_path.c) asks this file whether the fd or path is one the
 * library serves and otherwise calls the real function, found with dlsym(RTLD_NEXT).
 *
 * A file is served when the kernel fd is on a dfuse mount whose data the kernel does
 * not cache (the DFUSE_IL_CACHING flag of the interception ioctl is clear): then the
 * kernel holds no pages that a write through libdfs could leave stale, nor dirty ones a
 * read through libdfs would miss, and data through either path is the same data. With
 * caching on, every call goes to the kernel (counted as "not bypassed"). The kernel fd
 * stays open behind every served fd, so whatever the library does not handle works
 * through dfuse; the library keeps the offset itself and writes it back to the kernel
 * fd before passing a call through (il_kernelize) and at fork and exec. libpil4dfs also
 * has "fake" fds: a copy of /dev/null stands for a file opened through libdfs alone;
 * anything it cannot serve first reopens the file through the kernel at the same number.
 *
 * Errors: any failure of libdfs stops the bypass of that file (the kernel fd takes
 * over at the right offset) and the call is redone through the kernel. A fake file that
 * cannot be handed to the kernel (its path renamed or unlinked by someone else) makes
 * the call fail with that errno rather than reach the /dev/null placeholder; in a
 * forked child its fds become O_PATH fds that fail every call. Nothing here asserts on
 * what libc, the kernel or DAOS return.
 *
 * Threads: il_state.lock guards the mount list and DAOS setup; the fd table has its own
 * lock; each file's lock guards its offset and flags. Order: file, then table, then
 * state. Calls made by libdaos from inside the library go straight to libc (il_enter).
 *
 * Fork: libdaos handles do not survive fork, so the child marks the library disabled,
 * gives fake fds kernel files and sets kernel offsets, and never calls DAOS again.
 */
#define D_LOGFAC DD_FAC(il)

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "dfuse/dfuse_statfs.h"
#include "il/il_int.h"

struct il_real il_real;
struct il_state il_state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.dev_null = -1,
};

static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int report_fd = -1;
static __thread int il_depth __attribute__((tls_model("initial-exec")));

/* ---- real functions ---- */

#define IL_RESOLVE(fn) (il_real.fn = (__typeof__(il_real.fn))dlsym(RTLD_NEXT, #fn))

static void
il_resolve(void)
{
	IL_RESOLVE(open);
	IL_RESOLVE(openat);
	IL_RESOLVE(close);
	IL_RESOLVE(read);
	IL_RESOLVE(write);
	IL_RESOLVE(pread);
	IL_RESOLVE(pwrite);
	IL_RESOLVE(readv);
	IL_RESOLVE(writev);
	IL_RESOLVE(preadv);
	IL_RESOLVE(pwritev);
	IL_RESOLVE(preadv2);
	IL_RESOLVE(pwritev2);
	IL_RESOLVE(lseek);
	IL_RESOLVE(fsync);
	IL_RESOLVE(fdatasync);
	IL_RESOLVE(dup);
	IL_RESOLVE(dup2);
	IL_RESOLVE(dup3);
	IL_RESOLVE(fcntl);
	IL_RESOLVE(ioctl);
	IL_RESOLVE(ftruncate);
	IL_RESOLVE(fstat);
	IL_RESOLVE(fstatat);
	IL_RESOLVE(statx);
	IL_RESOLVE(fchmod);
	IL_RESOLVE(futimens);
	IL_RESOLVE(mmap);
	IL_RESOLVE(fdopen);
	IL_RESOLVE(copy_file_range);
	IL_RESOLVE(sendfile);
	IL_RESOLVE(splice);
	IL_RESOLVE(close_range);
	IL_RESOLVE(closefrom);
	IL_RESOLVE(posix_fadvise);
	IL_RESOLVE(fallocate);
	IL_RESOLVE(flock);
	IL_RESOLVE(fchown);
	IL_RESOLVE(fstatfs);
	IL_RESOLVE(fstatvfs);
	IL_RESOLVE(fchdir);
	IL_RESOLVE(execve);
	IL_RESOLVE(execvp);
	IL_RESOLVE(execvpe);
	IL_RESOLVE(fexecve);
	IL_RESOLVE(posix_spawn);
	IL_RESOLVE(posix_spawnp);
	IL_RESOLVE(system);
	IL_RESOLVE(popen);
	IL_RESOLVE(fork);
	IL_RESOLVE(stat);
	IL_RESOLVE(lstat);
	IL_RESOLVE(__xstat);
	IL_RESOLVE(__lxstat);
	IL_RESOLVE(__fxstat);
	IL_RESOLVE(__fxstatat);
	IL_RESOLVE(access);
	IL_RESOLVE(faccessat);
	IL_RESOLVE(mkdir);
	IL_RESOLVE(mkdirat);
	IL_RESOLVE(rmdir);
	IL_RESOLVE(unlink);
	IL_RESOLVE(unlinkat);
	IL_RESOLVE(rename);
	IL_RESOLVE(renameat);
	IL_RESOLVE(renameat2);
	IL_RESOLVE(truncate);
	IL_RESOLVE(chmod);
	IL_RESOLVE(fchmodat);
	IL_RESOLVE(utimensat);
	IL_RESOLVE(utimes);
	IL_RESOLVE(chown);
	IL_RESOLVE(lchown);
	IL_RESOLVE(fchownat);
	IL_RESOLVE(statfs);
	IL_RESOLVE(statvfs);
	IL_RESOLVE(getxattr);
	IL_RESOLVE(lgetxattr);
	IL_RESOLVE(fgetxattr);
	IL_RESOLVE(setxattr);
	IL_RESOLVE(lsetxattr);
	IL_RESOLVE(fsetxattr);
	IL_RESOLVE(listxattr);
	IL_RESOLVE(llistxattr);
	IL_RESOLVE(flistxattr);
	IL_RESOLVE(removexattr);
	IL_RESOLVE(lremovexattr);
	IL_RESOLVE(fremovexattr);
	IL_RESOLVE(symlink);
	IL_RESOLVE(symlinkat);
	IL_RESOLVE(readlink);
	IL_RESOLVE(readlinkat);
	IL_RESOLVE(chdir);
	IL_RESOLVE(umask);
	IL_RESOLVE(opendir);
	IL_RESOLVE(fdopendir);
	IL_RESOLVE(readdir);
	IL_RESOLVE(readdir64);
	IL_RESOLVE(readdir_r);
	IL_RESOLVE(closedir);
	IL_RESOLVE(rewinddir);
	IL_RESOLVE(telldir);
	IL_RESOLVE(seekdir);
	IL_RESOLVE(dirfd);
}

/* ---- files ---- */

static void
file_release(struct il_file *file)
{
	/* After fork the child may not touch libdaos: the object is leaked there. */
	if (file->obj != NULL && !il_state.disabled)
		dfs_release(file->obj);
	d_free(file->path);
	pthread_mutex_destroy(&file->lock);
	d_free(file);
}

static const struct il_file_ops file_ops = {
	.release = file_release,
};

struct il_file *
il_file_create(struct il_mount *mnt, dfs_obj_t *obj, int flags, const char *path)
{
	struct il_file *file = d_calloc(1, sizeof(*file));

	if (file == NULL)
		return NULL;
	if (path != NULL) {
		file->path = d_strdup(path);
		if (file->path == NULL) {
			d_free(file);
			return NULL;
		}
	}
	pthread_mutex_init(&file->lock, NULL);
	file->ref = 1;
	file->obj = obj;
	file->mnt = mnt;
	file->flags = flags;
	file->bypass = obj != NULL;
	return file;
}

struct il_mount *
il_file_mount(struct il_file *file)
{
	return file->mnt;
}

struct il_file *
il_get(int fd)
{
	return il_fdtable_get(&il_state.fds, fd, NULL);
}

void
il_put(struct il_file *file)
{
	il_file_put(&il_state.fds, file);
}

int
il_fd_set(int fd, struct il_file *file, bool cloexec)
{
	return il_fdtable_set(&il_state.fds, fd, file, cloexec) == 0 ? 0 : ENOMEM;
}

void
il_fd_clear(int fd)
{
	struct il_file *old;

	il_fdtable_clear(&il_state.fds, fd, &old);
	if (old != NULL)
		il_put(old);
}

int
il_errno(int rc)
{
	if (rc < 0)
		rc = -rc;
	return rc >= 1000 ? daos_der2errno(rc) : rc;
}

/* ---- set-up, re-entrancy, reports ---- */

static void il_atfork_prepare(void);
static void il_atfork_parent(void);
static void il_atfork_child(void);

static void
il_init(void)
{
	struct rlimit rl;
	int max = 1024 * 1024;
	mode_t m;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < (rlim_t)max)
		max = (int)rl.rlim_max;
	if (il_fdtable_init(&il_state.fds, max, &file_ops) != 0) {
		il_state.disabled = true;
		return;
	}
	il_state.compatible = il_env_is_true(getenv("D_IL_COMPATIBLE"));
	il_state.report = il_report_parse(getenv("D_IL_REPORT"));
	/* Programs close stderr before exit (coreutils do): keep our own copy. */
	if (il_state.report.on)
		report_fd = il_real.fcntl(2, F_DUPFD_CLOEXEC, 10);
	m = il_real.umask(022);
	il_real.umask(m);
	il_state.umask = m;
	pthread_atfork(il_atfork_prepare, il_atfork_parent, il_atfork_child);
	if (il_lib.init != NULL)
		il_lib.init();
}

void
il_ready(void)
{
	pthread_once(&resolve_once, il_resolve);
}

bool
il_enter(void)
{
	pthread_once(&resolve_once, il_resolve);
	if (il_depth > 0)
		return false;
	il_depth++;
	pthread_once(&init_once, il_init);
	if (il_state.disabled) {
		il_depth--;
		return false;
	}
	return true;
}

void
il_leave(void)
{
	il_depth--;
}

static void
il_report_print(bool final)
{
	static const char *const names[] = {
#define IL_X(id, name) name,
		IL_COUNTERS(IL_X)
#undef IL_X
	};
	unsigned long long c[IL_C_NR];
	char buf[1024];
	size_t o;
	int i, n;

	for (i = 0; i < IL_C_NR; i++)
		c[i] = __atomic_load_n(&il_state.counters[i], __ATOMIC_RELAXED);
	n = snprintf(
		buf, sizeof(buf),
		"[%s] performed %llu reads and %llu writes from %llu files (%llu bytes read, %llu written)\n",
		il_lib.name, c[IL_C_read], c[IL_C_write], c[IL_C_open],
		(unsigned long long)__atomic_load_n(&il_state.bytes_read, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&il_state.bytes_written, __ATOMIC_RELAXED));
	o = n > 0 ? (size_t)n : 0;
	if (final && o < sizeof(buf)) {
		n = snprintf(buf + o, sizeof(buf) - o, "[%s] intercepted calls:", il_lib.name);
		o += n > 0 ? (size_t)n : 0;
		for (i = 0; i < IL_C_NR && o < sizeof(buf); i++) {
			n = snprintf(buf + o, sizeof(buf) - o, " %s %llu", names[i], c[i]);
			o += n > 0 ? (size_t)n : 0;
		}
		if (o < sizeof(buf) - 1)
			buf[o++] = '\n';
	}
	if (o > sizeof(buf))
		o = sizeof(buf);
	if (il_real.write != NULL)
		(void)!il_real.write(report_fd >= 0 ? report_fd : 2, buf, o);
}

void
il_count(enum il_counter c)
{
	uint64_t n;

	__atomic_add_fetch(&il_state.counters[c], 1, __ATOMIC_RELAXED);
	n = __atomic_add_fetch(&il_state.nr_calls, 1, __ATOMIC_RELAXED);
	if (il_state.report.on && il_state.report.every > 0 && n % il_state.report.every == 0)
		il_report_print(false);
}

/* ---- mounts and DAOS ---- */

static bool
neg_dev_has(dev_t dev)
{
	unsigned int i, n;

	n = __atomic_load_n(&il_state.nr_neg_dev, __ATOMIC_ACQUIRE);
	if (n > ARRAY_SIZE(il_state.neg_dev))
		n = ARRAY_SIZE(il_state.neg_dev);
	for (i = 0; i < n; i++) {
		if (il_state.neg_dev[i] == dev)
			return true;
	}
	return false;
}

static void
neg_dev_add(dev_t dev)
{
	pthread_mutex_lock(&il_state.lock);
	il_state.neg_dev[il_state.nr_neg_dev % ARRAY_SIZE(il_state.neg_dev)] = dev;
	__atomic_store_n(&il_state.nr_neg_dev, il_state.nr_neg_dev + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&il_state.lock);
}

/* A mount whose kernel caching forbids bypassing, known by its st_dev. */
static bool
dev_is_cached_mount(dev_t dev)
{
	struct il_mount *m;

	for (m = __atomic_load_n(&il_state.mounts, __ATOMIC_ACQUIRE); m != NULL; m = m->next) {
		if (m->dev == dev && (m->flags & DFUSE_IL_CACHING))
			return true;
	}
	return false;
}

/* The mount of a reply, added to the list if new. */
static struct il_mount *
mount_get(const struct dfuse_il_reply *il, dev_t dev)
{
	struct il_mount *m;

	pthread_mutex_lock(&il_state.lock);
	for (m = il_state.mounts; m != NULL; m = m->next) {
		if (m->mount_id == il->mount_id && memcmp(m->cont, il->cont_uuid, 16) == 0 &&
		    memcmp(m->pool, il->pool_uuid, 16) == 0)
			goto out;
	}
	m = d_calloc(1, sizeof(*m));
	if (m == NULL)
		goto out;
	m->mount_id = il->mount_id;
	memcpy(m->pool, il->pool_uuid, 16);
	memcpy(m->cont, il->cont_uuid, 16);
	m->flags = il->flags;
	m->dev = dev;
	m->next = il_state.mounts;
	__atomic_store_n(&il_state.mounts, m, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&il_state.lock);
	return m;
}

struct il_mount *
il_mount_add(const struct dfuse_il_reply *il, dev_t dev, const char *path)
{
	struct il_mount *m = mount_get(il, dev);

	if (m == NULL || m->path != NULL)
		return m;
	m->path = d_strdup(path);
	if (m->path != NULL) {
		m->path_len = strlen(path);
		m->paths = !(il->flags & DFUSE_IL_CACHING);
	}
	return m;
}

int
il_mount_dfs(struct il_mount *mnt, dfs_t **dfs)
{
	char pool[40], cont[40];
	int rc;

	if (__atomic_load_n(&mnt->dfs, __ATOMIC_ACQUIRE) != NULL) {
		*dfs = mnt->dfs;
		return 0;
	}
	pthread_mutex_lock(&il_state.lock);
	if (mnt->dfs != NULL) {
		rc = 0;
		goto out;
	}
	if (mnt->connect_rc != 0 || il_state.daos_failed) {
		rc = mnt->connect_rc != 0 ? mnt->connect_rc : EIO;
		goto out;
	}
	if (!il_state.daos_ready) {
		rc = dfs_init();
		if (rc != 0) {
			il_state.daos_failed = true;
			rc = il_errno(rc);
			goto out;
		}
		il_state.daos_ready = true;
	}
	uuid_unparse(mnt->pool, pool);
	uuid_unparse(mnt->cont, cont);
	rc = dfs_connect(pool, mnt->sys[0] != '\0' ? mnt->sys : NULL, cont,
			 (mnt->flags & DFUSE_IL_READ_ONLY) ? O_RDONLY : O_RDWR, NULL, &mnt->dfs);
	if (rc != 0) {
		rc = il_errno(rc);
		mnt->connect_rc = rc;
		mnt->dfs = NULL;
		D_WARN("could not connect to container %s of pool %s: %s", cont, pool,
		       strerror(rc));
	}
out:
	if (rc == 0)
		*dfs = mnt->dfs;
	pthread_mutex_unlock(&il_state.lock);
	return rc;
}

void
il_attach_fd(int fd, int flags, const char *path)
{
	struct dfuse_il_reply il;
	struct dfuse_obj_reply *obj = NULL;
	struct il_mount *mnt;
	struct il_file *file;
	struct stat st;
	dfs_obj_t *o = NULL;
	d_iov_t iov;
	dfs_t *dfs;
	int rc;

	if (!il_open_can_bypass(flags))
		return;
	if (il_real.fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (neg_dev_has(st.st_dev))
		return;
	if (dev_is_cached_mount(st.st_dev)) {
		il_count(IL_C_nobypass);
		return;
	}
	memset(&il, 0, sizeof(il));
	if (il_real.ioctl(fd, DFUSE_IOCTL_IL, &il) != 0 || il.version != DFUSE_IOCTL_VERSION) {
		/* Not dfuse (or one we do not speak to): never ask this file system again. */
		if (errno == ENOTTY || errno == ENOSYS || errno == EINVAL || errno == 0 ||
		    il.version != DFUSE_IOCTL_VERSION)
			neg_dev_add(st.st_dev);
		return;
	}
	mnt = mount_get(&il, st.st_dev);
	if (mnt == NULL)
		return;
	if (il.flags & DFUSE_IL_CACHING) {
		il_count(IL_C_nobypass);
		return;
	}
	if (il_mount_dfs(mnt, &dfs) != 0)
		goto out_nobypass;
	obj = d_calloc(1, sizeof(*obj));
	if (obj == NULL)
		goto out_nobypass;
	if (il_real.ioctl(fd, DFUSE_IOCTL_OBJ, obj) != 0 || obj->version != DFUSE_IOCTL_VERSION ||
	    obj->len > sizeof(obj->glob))
		goto out_nobypass;
	d_iov_set(&iov, obj->glob, obj->len);
	rc = dfs_obj_global2local(dfs, 0, iov, &o);
	if (rc != 0)
		goto out_nobypass;
	file = il_file_create(mnt, o, flags, path);
	if (file == NULL) {
		dfs_release(o);
		goto out_nobypass;
	}
	/* A fresh open starts at 0, but an fd of an earlier open may be reused by dup. */
	file->offset = il_real.lseek(fd, 0, SEEK_CUR);
	if (file->offset < 0)
		file->offset = 0;
	if (il_fd_set(fd, file, (flags & O_CLOEXEC) != 0) == 0)
		il_count(IL_C_open);
	il_put(file);
	d_free(obj);
	return;

out_nobypass:
	d_free(obj);
	il_count(IL_C_nobypass);
}

/* ---- data ---- */

/* Build an sgl over @iov (at most @cap entries in @iovs). Returns the byte total. */
static size_t
sgl_of(const struct iovec *iov, int nr, d_iov_t *iovs, d_sg_list_t *sgl)
{
	size_t total = 0;
	int i;

	for (i = 0; i < nr; i++) {
		d_iov_set(&iovs[i], iov[i].iov_base, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	sgl->sg_nr = (uint32_t)nr;
	sgl->sg_nr_out = 0;
	sgl->sg_iovs = iovs;
	return total;
}

/* Called with file->lock held. */
static int kernelize_locked(struct il_file *file, int fd, bool stop);

/*
 * Read or write @file through libdfs, with file->lock held. Returns bytes, or -errno
 * for an error the kernel would give too; *@kernel is set when the call is to be
 * redone through the kernel (the bypass has been stopped).
 */
static ssize_t
file_io(struct il_file *file, bool wr, const struct iovec *iov, int nr, off_t off, bool *kernel)
{
	d_iov_t stack_iovs[8], *iovs = stack_iovs;
	struct il_mount *mnt = file->mnt;
	d_sg_list_t sgl;
	daos_size_t got = 0;
	int64_t pos;
	size_t total;
	ssize_t ret;
	int rc;

	*kernel = false;
	if (!file->bypass || il_state.disabled || mnt->dfs == NULL || (off < 0 && file->shared)) {
		*kernel = true;
		return 0;
	}
	if (!il_access_allows(file->flags, wr))
		return -EBADF;
	if (nr < 0 || nr > IOV_MAX)
		return -EINVAL;
	if (nr > (int)ARRAY_SIZE(stack_iovs)) {
		iovs = d_calloc((size_t)nr, sizeof(*iovs));
		if (iovs == NULL)
			return -ENOMEM;
	}
	pos = off >= 0 ? off : file->offset;
	total = sgl_of(iov, nr, iovs, &sgl);
	if (total == 0) {
		ret = 0;
		goto out;
	}
	if (wr) {
		rc = dfs_write(mnt->dfs, file->obj, &sgl, (daos_off_t)pos, NULL);
		got = total;
	} else {
		rc = dfs_read(mnt->dfs, file->obj, &sgl, (daos_off_t)pos, &got, NULL);
	}
	if (rc != 0) {
		D_DEBUG(DB_IO, "%s through libdfs failed (%d), back to the kernel",
			wr ? "write" : "read", rc);
		il_count(IL_C_fallback);
		*kernel = true;
		ret = 0;
		goto out;
	}
	if (off < 0)
		file->offset = pos + (int64_t)got;
	__atomic_add_fetch(wr ? &il_state.bytes_written : &il_state.bytes_read, got,
			   __ATOMIC_RELAXED);
	ret = (ssize_t)got;
out:
	if (iovs != stack_iovs)
		d_free(iovs);
	return ret;
}

/* The first fd recorded for @file (any of them reaches the same kernel description). */
struct fd_find {
	struct il_file *file;
	int fd;
};

static void
fd_find_cb(int fd, struct il_fd_slot *s, void *arg)
{
	struct fd_find *f = arg;

	if (f->fd < 0 && s->file == f->file)
		f->fd = fd;
}

static int
fd_of(struct il_file *file)
{
	struct fd_find f = { .file = file, .fd = -1 };

	il_fdtable_for_each(&il_state.fds, fd_find_cb, &f);
	return f.fd;
}

struct install {
	struct il_file *file;
	int kfd;
	int rc;
};

static void
install_cb(int fd, struct il_fd_slot *s, void *arg)
{
	struct install *p = arg;

	if (s->file != p->file)
		return;
	if (il_real.dup3(p->kfd, fd, s->cloexec ? O_CLOEXEC : 0) < 0)
		p->rc = errno;
}

/* Put kernel fd @kfd at every fd that refers to @file; 0 or errno. Closes @kfd. */
static int
install(struct il_file *file, int kfd, bool table_locked)
{
	struct install p = { .file = file, .kfd = kfd, .rc = 0 };
	int i, j;

	if (!table_locked) {
		il_fdtable_for_each(&il_state.fds, install_cb, &p);
	} else {
		for (i = 0; i < il_state.fds.nr_chunks; i++) {
			if (il_state.fds.chunks[i] == NULL)
				continue;
			for (j = 0; j < IL_FD_CHUNK; j++)
				install_cb(i * IL_FD_CHUNK + j, &il_state.fds.chunks[i][j], &p);
		}
	}
	il_real.close(kfd);
	return p.rc;
}

/*
 * Give fake @file a kernel file at every fd that refers to it. Returns 0 or errno: the
 * file's path no longer leading to a file (renamed or unlinked by someone else) is
 * ESTALE, as NFS says of a handle whose file is gone.
 */
static int
promote(struct il_file *file, bool table_locked)
{
	int flags, kfd, rc;

	if (file->path == NULL)
		return ESTALE;
	flags = (file->flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY)) | O_CLOEXEC;
	kfd = il_real.open(file->path, flags);
	if (kfd < 0)
		return errno == ENOENT || errno == ENOTDIR ? ESTALE : errno;
	if (il_real.lseek(kfd, (off_t)file->offset, SEEK_SET) < 0) {
		rc = errno;
		il_real.close(kfd);
		return rc;
	}
	rc = install(file, kfd, table_locked);
	if (rc == 0)
		file->fake = false;
	return rc;
}

/*
 * In a forked child, where the library no longer serves anything, a fake file that could
 * not be promoted gets an O_PATH fd at its numbers: every call on it then fails (EBADF)
 * instead of reading and writing /dev/null.
 */
static void
bury(struct il_file *file)
{
	int kfd = il_real.open("/dev/null", O_PATH | O_CLOEXEC);

	if (kfd >= 0)
		install(file, kfd, true);
}

static int
kernelize_locked(struct il_file *file, int fd, bool stop)
{
	int rc = 0;

	if (file->fake) {
		rc = promote(file, false);
		if (rc != 0)
			return rc;
	} else if (file->bypass && !file->shared) {
		if (fd < 0)
			fd = fd_of(file);
		if (fd >= 0)
			il_real.lseek(fd, (off_t)file->offset, SEEK_SET);
	}
	if (stop)
		file->bypass = false;
	return 0;
}

int
il_kernelize(struct il_file *file, bool stop)
{
	int rc;

	pthread_mutex_lock(&file->lock);
	rc = kernelize_locked(file, -1, stop);
	pthread_mutex_unlock(&file->lock);
	return rc;
}

void
il_resync(struct il_file *file, int fd)
{
	off_t off;

	pthread_mutex_lock(&file->lock);
	if (file->bypass && !file->shared) {
		off = il_real.lseek(fd, 0, SEEK_CUR);
		if (off >= 0)
			file->offset = off;
	}
	pthread_mutex_unlock(&file->lock);
}

/* A read or (@write) write of @file at @off (-1: its offset), or IL_KERNEL. */
static ssize_t
file_rw(struct il_file *file, bool write, const struct iovec *iov, int nr, off_t off)
{
	bool kernel;
	ssize_t rc;

	pthread_mutex_lock(&file->lock);
	rc = file_io(file, write, iov, nr, off, &kernel);
	if (kernel && rc == 0 && file->bypass && !(off < 0 && file->shared))
		rc = -kernelize_locked(file, -1, true);
	pthread_mutex_unlock(&file->lock);
	if (kernel && rc == 0)
		return IL_KERNEL;
	if (rc >= 0)
		il_count(write ? IL_C_write : IL_C_read);
	return rc;
}

ssize_t
il_file_read(struct il_file *file, const struct iovec *iov, int nr, off_t off)
{
	return file_rw(file, false, iov, nr, off);
}

ssize_t
il_file_write(struct il_file *file, const struct iovec *iov, int nr, off_t off)
{
	return file_rw(file, true, iov, nr, off);
}

off_t
il_file_lseek(struct il_file *file, off_t off, int whence)
{
	struct il_mount *mnt = file->mnt;
	daos_size_t size;
	int64_t pos;
	off_t rc;

	pthread_mutex_lock(&file->lock);
	if (!file->bypass || il_state.disabled || file->shared) {
		rc = IL_KERNEL;
		goto out;
	}
	switch (whence) {
	case SEEK_SET:
		pos = off;
		break;
	case SEEK_CUR:
		pos = file->offset + off;
		break;
	case SEEK_END:
		if (dfs_get_size(mnt->dfs, file->obj, &size) != 0) {
			rc = kernelize_locked(file, -1, true);
			rc = rc == 0 ? IL_KERNEL : -rc;
			goto out;
		}
		pos = (int64_t)size + off;
		break;
	default:
		/* SEEK_DATA, SEEK_HOLE: the kernel knows; the caller resyncs. */
		rc = kernelize_locked(file, -1, false);
		rc = rc == 0 ? IL_KERNEL : -rc;
		goto out;
	}
	if (pos < 0) {
		rc = -EINVAL;
		goto out;
	}
	file->offset = pos;
	rc = pos;
	il_count(IL_C_seek);
out:
	pthread_mutex_unlock(&file->lock);
	return rc;
}

int
il_file_stat(struct il_file *file, struct stat *st)
{
	struct il_mount *mnt = file->mnt;
	int rc;

	if (mnt->dfs == NULL || file->obj == NULL)
		return EBADF;
	rc = dfs_ostat(mnt->dfs, file->obj, st);
	if (rc == 0)
		st->st_dev = mnt->dev;
	return rc;
}

int
il_mount_statfs(struct il_mount *mnt, struct statfs *sf)
{
	daos_pool_info_t info = { .pi_bits = DPI_SPACE };
	struct statvfs sv;
	daos_handle_t poh;
	dfs_t *dfs;
	int rc;

	if (!mnt->has_kfs)
		return ENOTSUP;
	rc = il_mount_dfs(mnt, &dfs);
	if (rc != 0)
		return rc;
	rc = dfs_pool_get(dfs, &poh);
	if (rc != 0)
		return rc;
	rc = daos_pool_query(poh, NULL, &info, NULL, NULL);
	dfs_pool_put(dfs, poh);
	if (rc != 0)
		return il_errno(rc);
	dfuse_statvfs_fill(&info, &sv);
	/* What the kernel makes of dfuse's answer (FUSE's statfs reply has no fsid or flags). */
	*sf = mnt->kfs;
	sf->f_bsize = (__fsword_t)sv.f_bsize;
	sf->f_frsize = (__fsword_t)sv.f_frsize;
	sf->f_blocks = sv.f_blocks;
	sf->f_bfree = sv.f_bfree;
	sf->f_bavail = sv.f_bavail;
	sf->f_files = sv.f_files;
	sf->f_ffree = sv.f_ffree;
	sf->f_namelen = (__fsword_t)sv.f_namemax;
	return 0;
}

int
il_obj_utimens(struct il_mount *mnt, dfs_obj_t *obj, const struct timespec ts[2])
{
	struct timespec now, out[2];
	struct stat st;
	uid_t uid = geteuid();
	bool set[2];
	int flags;

	if (mnt->flags & DFUSE_IL_READ_ONLY)
		return IL_KERNEL;
	clock_gettime(CLOCK_REALTIME, &now);
	if (il_utimens_resolve(ts, &now, out, set) != 0)
		return -EINVAL;
	if (!set[0] && !set[1])
		return 0;
	if (dfs_ostat(mnt->dfs, obj, &st) != 0 || (uid != 0 && uid != st.st_uid))
		return IL_KERNEL;
	st.st_atim = out[0];
	st.st_mtim = out[1];
	flags = (set[0] ? DFS_SET_ATTR_ATIME : 0) | (set[1] ? DFS_SET_ATTR_MTIME : 0);
	return dfs_osetattr(mnt->dfs, obj, &st, flags) == 0 ? 0 : IL_KERNEL;
}

/* ---- exec and fork ---- */

struct file_ref {
	int fd;
	bool cloexec;
	struct il_file *file;
};

struct collect {
	struct file_ref *refs;
	int nr;
	int cap;
};

static void
collect_cb(int fd, struct il_fd_slot *s, void *arg)
{
	struct collect *c = arg;

	if (c->nr >= c->cap)
		return;
	il_file_get(s->file);
	c->refs[c->nr].fd = fd;
	c->refs[c->nr].cloexec = s->cloexec;
	c->refs[c->nr].file = s->file;
	c->nr++;
}

int
il_prepare_exec(void)
{
	struct collect c = { 0 };
	int i, rc = 0;

	if (il_fdtable_is_empty(&il_state.fds))
		return 0;
	c.cap = __atomic_load_n(&il_state.fds.nr_used, __ATOMIC_RELAXED) + 64;
	c.refs = d_calloc((size_t)c.cap, sizeof(*c.refs));
	if (c.refs == NULL)
		return ENOMEM;
	il_fdtable_for_each(&il_state.fds, collect_cb, &c);
	for (i = 0; i < c.nr; i++) {
		struct il_file *f = c.refs[i].file;
		int err = 0;

		pthread_mutex_lock(&f->lock);
		/* The new program would find the fd closed: refuse to start it instead. */
		if (f->fake && !c.refs[i].cloexec)
			err = promote(f, false);
		else if (!f->fake && f->bypass && !f->shared)
			il_real.lseek(c.refs[i].fd, (off_t)f->offset, SEEK_SET);
		pthread_mutex_unlock(&f->lock);
		if (rc == 0)
			rc = err;
		il_put(f);
	}
	d_free(c.refs);
	return rc;
}

/*
 * The child shares the kernel file descriptions of the parent's files (fake ones get a
 * kernel file first), so from now on their offsets live in the kernel: ours is written there, and
 * both sides move it through the kernel (positioned I/O still bypasses it in the parent). File
 * locks are not taken here (their order is before the table's); a call racing with
 * fork may leave its offset update to the parent only.
 */
static void
il_atfork_prepare(void)
{
	int i, j;

	pthread_mutex_lock(&il_state.lock);
	if (il_state.fds.chunks == NULL)
		return;
	pthread_mutex_lock(&il_state.fds.lock);
	for (i = 0; i < il_state.fds.nr_chunks; i++) {
		if (il_state.fds.chunks[i] == NULL)
			continue;
		for (j = 0; j < IL_FD_CHUNK; j++) {
			struct il_file *f = il_state.fds.chunks[i][j].file;

			if (f == NULL || !f->bypass || f->shared)
				continue;
			/* A fake fd becomes a kernel file the child can share (promote seeks). */
			if (f->fake) {
				if (promote(f, true) != 0)
					continue;
			} else {
				il_real.lseek(i * IL_FD_CHUNK + j, (off_t)f->offset, SEEK_SET);
			}
			f->shared = true;
		}
	}
}

static void
il_atfork_parent(void)
{
	if (il_state.fds.chunks != NULL)
		pthread_mutex_unlock(&il_state.fds.lock);
	pthread_mutex_unlock(&il_state.lock);
}

static void
il_atfork_child(void)
{
	int i, j;

	pthread_mutex_init(&il_state.lock, NULL);
	il_state.disabled = true;
	if (il_state.fds.chunks == NULL)
		return;
	pthread_mutex_init(&il_state.fds.lock, NULL);
	/* One thread now: walk the table without its lock. */
	for (i = 0; i < il_state.fds.nr_chunks; i++) {
		if (il_state.fds.chunks[i] == NULL)
			continue;
		for (j = 0; j < IL_FD_CHUNK; j++) {
			struct il_file *f = il_state.fds.chunks[i][j].file;

			if (f == NULL)
				continue;
			pthread_mutex_init(&f->lock, NULL);
			/* The parent wrote kernel offsets in il_atfork_prepare(). */
			if (f->fake && promote(f, true) != 0)
				bury(f);
			f->bypass = false;
		}
	}
}

__attribute__((destructor)) static void
il_fini(void)
{
	struct il_mount *m;

	if (il_state.report.on)
		il_report_print(true);
	if (il_state.disabled || !il_state.daos_ready)
		return;
	il_depth++;
	il_fdtable_fini(&il_state.fds);
	for (m = il_state.mounts; m != NULL; m = m->next) {
		if (m->dfs != NULL)
			dfs_disconnect(m->dfs);
		m->dfs = NULL;
	}
	dfs_fini();
	il_state.disabled = true;
}
