/* SPDX-License-Identifier: Apache-2.0 */
/*
 * il_io.c - the libc functions on file descriptors that libioil and libpil4dfs both
 * define: open (which finds dfuse files), close, the read/write family, lseek, dup and
 * fcntl, and the calls that must see the kernel's view (mmap, fdopen, copy_file_range,
 * exec, ...), which first make it right (il_kernelize) and then pass through.
 *
 * Each wrapper costs a process without dfuse files one relaxed load (the fd table is
 * empty) before calling libc. The 64-bit names are the same functions on LP64
 * (open64 == open); the fortified ones (__read_chk, __open_2) are what programs built
 * with _FORTIFY_SOURCE call, and glibc's own versions would not come back to us.
 */
#define D_LOGFAC DD_FAC(il)
/*
 * Both the plain and the 64-bit names are defined here, so the headers must not rename
 * the plain ones to the 64-bit ones (LP64 only: the two are one ABI).
 */
#undef _FILE_OFFSET_BITS

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "il/il_int.h"

extern void __chk_fail(void) __attribute__((noreturn));

/* glibc's entry points that its headers declare only for some builds. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t len, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t len, off64_t off, size_t buflen);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int flock(int fd, int op);

/* The file of @fd if the library serves it, with the library entered; NULL: use libc. */
static struct il_file *
served(int fd)
{
	struct il_file *f;

	il_ready();
	if (il_fdtable_is_empty(&il_state.fds))
		return NULL;
	if (!il_enter())
		return NULL;
	f = il_get(fd);
	if (f == NULL)
		il_leave();
	return f;
}

static void
done(struct il_file *f)
{
	il_put(f);
	il_leave();
}

static ssize_t
ret_ssize(ssize_t rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

/*
 * Hand @f to the kernel before a call made through it (il_kernelize). Returns 0, or the
 * errno (also set in errno) with which the call must fail: the fd would otherwise reach
 * the /dev/null placeholder of a fake file and read or write nothing.
 */
static int
handover(struct il_file *f, bool stop)
{
	int rc = il_kernelize(f, stop);

	if (rc != 0)
		errno = rc;
	return rc;
}

/* ---- open and close ---- */

static int
do_open(int dirfd, const char *path, int flags, mode_t mode)
{
	int saved = errno;
	int fd;

	if (!il_enter())
		return il_real.openat(dirfd, path, flags, mode);
	if (il_lib.open != NULL) {
		fd = il_lib.open(dirfd, path, flags, mode);
		if (fd != IL_KERNEL) {
			il_leave();
			return (int)ret_ssize(fd);
		}
	}
	fd = il_real.openat(dirfd, path, flags, mode);
	if (fd >= 0) {
		saved = errno;
		il_attach_fd(fd, flags, NULL);
		errno = saved;
	}
	il_leave();
	return fd;
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, mode)                                   \
	do {                                                     \
		if ((flags) & (O_CREAT | __O_TMPFILE)) {         \
			va_list ap;                              \
			va_start(ap, flags);                     \
			mode = (mode_t)va_arg(ap, unsigned int); \
			va_end(ap);                              \
		}                                                \
	} while (0)

D_EXPORT int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	il_ready();
	OPEN_MODE(flags, mode);
	return do_open(AT_FDCWD, path, flags, mode);
}

D_EXPORT int
open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	il_ready();
	OPEN_MODE(flags, mode);
	return do_open(AT_FDCWD, path, flags, mode);
}

D_EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	il_ready();
	OPEN_MODE(flags, mode);
	return do_open(dirfd, path, flags, mode);
}

D_EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	il_ready();
	OPEN_MODE(flags, mode);
	return do_open(dirfd, path, flags, mode);
}

D_EXPORT int
__open_2(const char *path, int flags)
{
	il_ready();
	return do_open(AT_FDCWD, path, flags, 0);
}

D_EXPORT int
__open64_2(const char *path, int flags)
{
	il_ready();
	return do_open(AT_FDCWD, path, flags, 0);
}

D_EXPORT int
__openat_2(int dirfd, const char *path, int flags)
{
	il_ready();
	return do_open(dirfd, path, flags, 0);
}

D_EXPORT int
__openat64_2(int dirfd, const char *path, int flags)
{
	il_ready();
	return do_open(dirfd, path, flags, 0);
}

D_EXPORT int
creat(const char *path, mode_t mode)
{
	il_ready();
	return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

D_EXPORT int
creat64(const char *path, mode_t mode)
{
	il_ready();
	return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

D_EXPORT int
close(int fd)
{
	il_ready();
	if (!il_fdtable_is_empty(&il_state.fds) && il_enter()) {
		il_fd_clear(fd);
		il_leave();
	}
	return il_real.close(fd);
}

D_EXPORT int
close_range(unsigned int first, unsigned int last, int flags)
{
	unsigned int fd;

	il_ready();
	if (!(flags & CLOSE_RANGE_CLOEXEC) && !il_fdtable_is_empty(&il_state.fds) && il_enter()) {
		for (fd = first;
		     fd <= last && fd < (unsigned int)il_state.fds.nr_chunks * IL_FD_CHUNK; fd++)
			il_fd_clear((int)fd);
		il_leave();
	}
	return il_real.close_range(first, last, flags);
}

D_EXPORT void
closefrom(int lowfd)
{
	int fd;

	il_ready();
	if (!il_fdtable_is_empty(&il_state.fds) && il_enter()) {
		for (fd = lowfd < 0 ? 0 : lowfd; fd < il_state.fds.nr_chunks * IL_FD_CHUNK; fd++)
			il_fd_clear(fd);
		il_leave();
	}
	il_real.closefrom(lowfd);
}

/* ---- data ---- */

static ssize_t
io_iov(int fd, bool wr, const struct iovec *iov, int nr, off_t off, bool *handled)
{
	struct il_file *f = served(fd);
	ssize_t rc;

	*handled = false;
	if (f == NULL)
		return 0;
	rc = wr ? il_file_write(f, iov, nr, off) : il_file_read(f, iov, nr, off);
	done(f);
	if (rc == IL_KERNEL)
		return 0;
	*handled = true;
	return ret_ssize(rc);
}

static ssize_t
io_buf(int fd, bool wr, const void *buf, size_t len, off_t off, bool *handled)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	return io_iov(fd, wr, &iov, 1, off, handled);
}

D_EXPORT ssize_t
read(int fd, void *buf, size_t len)
{
	bool handled;
	ssize_t rc = io_buf(fd, false, buf, len, -1, &handled);

	return handled ? rc : il_real.read(fd, buf, len);
}

D_EXPORT ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return read(fd, buf, len);
}

D_EXPORT ssize_t
write(int fd, const void *buf, size_t len)
{
	bool handled;
	ssize_t rc = io_buf(fd, true, buf, len, -1, &handled);

	return handled ? rc : il_real.write(fd, buf, len);
}

static ssize_t
do_pread(int fd, void *buf, size_t len, off_t off)
{
	bool handled;
	ssize_t rc;

	if (off < 0) {
		il_ready();
		return il_real.pread(fd, buf, len, off);
	}
	rc = io_buf(fd, false, buf, len, off, &handled);
	return handled ? rc : il_real.pread(fd, buf, len, off);
}

static ssize_t
do_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	bool handled;
	ssize_t rc;

	if (off < 0) {
		il_ready();
		return il_real.pwrite(fd, buf, len, off);
	}
	rc = io_buf(fd, true, buf, len, off, &handled);
	return handled ? rc : il_real.pwrite(fd, buf, len, off);
}

D_EXPORT ssize_t
pread(int fd, void *buf, size_t len, off_t off)
{
	return do_pread(fd, buf, len, off);
}

D_EXPORT ssize_t
pread64(int fd, void *buf, size_t len, off_t off)
{
	return do_pread(fd, buf, len, off);
}

D_EXPORT ssize_t
__pread_chk(int fd, void *buf, size_t len, off_t off, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return do_pread(fd, buf, len, off);
}

D_EXPORT ssize_t
__pread64_chk(int fd, void *buf, size_t len, off64_t off, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return do_pread(fd, buf, len, off);
}

D_EXPORT ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return do_pwrite(fd, buf, len, off);
}

D_EXPORT ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return do_pwrite(fd, buf, len, off);
}

D_EXPORT ssize_t
readv(int fd, const struct iovec *iov, int nr)
{
	bool handled;
	ssize_t rc = io_iov(fd, false, iov, nr, -1, &handled);

	return handled ? rc : il_real.readv(fd, iov, nr);
}

D_EXPORT ssize_t
writev(int fd, const struct iovec *iov, int nr)
{
	bool handled;
	ssize_t rc = io_iov(fd, true, iov, nr, -1, &handled);

	return handled ? rc : il_real.writev(fd, iov, nr);
}

static ssize_t
do_preadv(int fd, const struct iovec *iov, int nr, off_t off)
{
	bool handled;
	ssize_t rc;

	if (off < 0) {
		il_ready();
		return il_real.preadv(fd, iov, nr, off);
	}
	rc = io_iov(fd, false, iov, nr, off, &handled);
	return handled ? rc : il_real.preadv(fd, iov, nr, off);
}

static ssize_t
do_pwritev(int fd, const struct iovec *iov, int nr, off_t off)
{
	bool handled;
	ssize_t rc;

	if (off < 0) {
		il_ready();
		return il_real.pwritev(fd, iov, nr, off);
	}
	rc = io_iov(fd, true, iov, nr, off, &handled);
	return handled ? rc : il_real.pwritev(fd, iov, nr, off);
}

D_EXPORT ssize_t
preadv(int fd, const struct iovec *iov, int nr, off_t off)
{
	return do_preadv(fd, iov, nr, off);
}

D_EXPORT ssize_t
preadv64(int fd, const struct iovec *iov, int nr, off_t off)
{
	return do_preadv(fd, iov, nr, off);
}

D_EXPORT ssize_t
pwritev(int fd, const struct iovec *iov, int nr, off_t off)
{
	return do_pwritev(fd, iov, nr, off);
}

D_EXPORT ssize_t
pwritev64(int fd, const struct iovec *iov, int nr, off_t off)
{
	return do_pwritev(fd, iov, nr, off);
}

/* With flags (RWF_*) the kernel must see the call; -1 offsets mean "the file offset". */
static ssize_t
do_rwv2(int fd, bool wr, const struct iovec *iov, int nr, off_t off, int flags)
{
	struct il_file *f;
	bool handled;
	ssize_t rc;

	if (flags == 0) {
		rc = io_iov(fd, wr, iov, nr, off < 0 ? -1 : off, &handled);
		if (handled)
			return rc;
	} else if ((f = served(fd)) != NULL) {
		rc = handover(f, true);
		done(f);
		if (rc != 0)
			return ret_ssize(-rc);
	}
	return wr ? il_real.pwritev2(fd, iov, nr, off, flags)
		  : il_real.preadv2(fd, iov, nr, off, flags);
}

D_EXPORT ssize_t
preadv2(int fd, const struct iovec *iov, int nr, off_t off, int flags)
{
	return do_rwv2(fd, false, iov, nr, off, flags);
}

D_EXPORT ssize_t
preadv64v2(int fd, const struct iovec *iov, int nr, off_t off, int flags)
{
	return do_rwv2(fd, false, iov, nr, off, flags);
}

D_EXPORT ssize_t
pwritev2(int fd, const struct iovec *iov, int nr, off_t off, int flags)
{
	return do_rwv2(fd, true, iov, nr, off, flags);
}

D_EXPORT ssize_t
pwritev64v2(int fd, const struct iovec *iov, int nr, off_t off, int flags)
{
	return do_rwv2(fd, true, iov, nr, off, flags);
}

static off_t
do_lseek(int fd, off_t off, int whence)
{
	struct il_file *f = served(fd);
	off_t rc;

	if (f == NULL)
		return il_real.lseek(fd, off, whence);
	rc = il_file_lseek(f, off, whence);
	if (rc == IL_KERNEL) {
		rc = il_real.lseek(fd, off, whence);
		if (rc >= 0)
			il_resync(f, fd);
		done(f);
		return rc;
	}
	done(f);
	return ret_ssize(rc);
}

D_EXPORT off_t
lseek(int fd, off_t off, int whence)
{
	return do_lseek(fd, off, whence);
}

D_EXPORT off_t
lseek64(int fd, off_t off, int whence)
{
	return do_lseek(fd, off, whence);
}

/* Fake files: DAOS updates are durable when they return; others ask dfuse too. */
static int
do_sync(int fd, bool data)
{
	struct il_file *f = served(fd);
	bool fake;

	if (f != NULL) {
		fake = f->fake;
		done(f);
		if (fake)
			return 0;
	}
	return data ? il_real.fdatasync(fd) : il_real.fsync(fd);
}

D_EXPORT int
fsync(int fd)
{
	return do_sync(fd, false);
}

D_EXPORT int
fdatasync(int fd)
{
	return do_sync(fd, true);
}

/* ---- descriptors ---- */

/*
 * Record @nfd, a new copy of a descriptor of @f. A fake file's copy that cannot be
 * recorded would be a bare /dev/null placeholder: it is closed and the call fails
 * (*@err = ENOMEM); a kernel file just stops being bypassed. Returns @nfd or -1.
 */
static int
dup_record(struct il_file *f, int nfd, bool cloexec, int *err)
{
	if (nfd < 0 || il_fd_set(nfd, f, cloexec) == 0)
		return nfd;
	if (f->fake) {
		il_real.close(nfd);
		*err = ENOMEM;
		return -1;
	}
	il_kernelize(f, true);
	il_fd_clear(nfd);
	return nfd;
}

D_EXPORT int
dup(int fd)
{
	struct il_file *f = served(fd);
	int nfd, saved;

	if (f == NULL)
		return il_real.dup(fd);
	/* A placeholder stays CLOEXEC in the kernel; the program's flag is kept apart. */
	nfd = f->fake ? il_real.fcntl(fd, F_DUPFD_CLOEXEC, 0) : il_real.dup(fd);
	saved = errno;
	nfd = dup_record(f, nfd, false, &saved);
	done(f);
	errno = saved;
	return nfd;
}

static int
do_dup3(int oldfd, int newfd, int flags, bool is_dup2)
{
	struct il_file *f;
	int rc, saved;

	il_ready();
	if (il_fdtable_is_empty(&il_state.fds) || !il_enter())
		return is_dup2 ? il_real.dup2(oldfd, newfd) : il_real.dup3(oldfd, newfd, flags);
	f = il_get(oldfd);
	if (f != NULL && f->fake && oldfd != newfd)
		rc = il_real.dup3(oldfd, newfd, O_CLOEXEC);
	else
		rc = is_dup2 ? il_real.dup2(oldfd, newfd) : il_real.dup3(oldfd, newfd, flags);
	saved = errno;
	if (rc >= 0 && oldfd != newfd) {
		if (f != NULL)
			rc = dup_record(f, rc, (flags & O_CLOEXEC) != 0, &saved);
		else
			il_fd_clear(newfd);
	}
	if (f != NULL)
		il_put(f);
	il_leave();
	errno = saved;
	return rc;
}

D_EXPORT int
dup2(int oldfd, int newfd)
{
	return do_dup3(oldfd, newfd, 0, true);
}

D_EXPORT int
dup3(int oldfd, int newfd, int flags)
{
	return do_dup3(oldfd, newfd, flags, false);
}

static int
do_fcntl(int fd, int cmd, void *arg)
{
	struct il_file *f = served(fd);
	bool cloexec = false;
	int rc, saved;

	if (f == NULL)
		return il_real.fcntl(fd, cmd, arg);
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		rc = il_real.fcntl(fd, f->fake ? F_DUPFD_CLOEXEC : cmd, arg);
		saved = errno;
		rc = dup_record(f, rc, cmd == F_DUPFD_CLOEXEC, &saved);
		errno = saved;
		break;
	case F_GETFD:
		if (!f->fake) {
			rc = il_real.fcntl(fd, cmd, arg);
			break;
		}
		il_put(il_fdtable_get(&il_state.fds, fd, &cloexec));
		rc = cloexec ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		il_fdtable_set_cloexec(&il_state.fds, fd, ((uintptr_t)arg & FD_CLOEXEC) != 0);
		rc = f->fake ? 0 : il_real.fcntl(fd, cmd, arg);
		break;
	case F_GETFL:
		if (f->fake)
			rc = f->flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME);
		else
			rc = il_real.fcntl(fd, cmd, arg);
		break;
	case F_SETFL:
		/* Appends must be the kernel's; others change nothing we do. */
		if (((uintptr_t)arg & O_APPEND) || !f->fake)
			rc = handover(f, ((uintptr_t)arg & O_APPEND) != 0) != 0 ? -1 : 0;
		else
			rc = 0;
		if (rc == 0)
			rc = il_real.fcntl(fd, cmd, arg);
		break;
	default:
		/* Locks, leases, seals, pipe sizes: the kernel's business. */
		rc = handover(f, false) != 0 ? -1 : il_real.fcntl(fd, cmd, arg);
		break;
	}
	done(f);
	return rc;
}

D_EXPORT int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	il_ready();
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

D_EXPORT int
fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	il_ready();
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

D_EXPORT int
ioctl(int fd, unsigned long req, ...)
{
	struct il_file *f;
	va_list ap;
	void *arg;
	int rc = 0;

	il_ready();
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	f = served(fd);
	if (f != NULL) {
		/* A fake fd's close-on-exec flag is the table's, as for F_SETFD. */
		if (f->fake && (req == FIOCLEX || req == FIONCLEX)) {
			il_fdtable_set_cloexec(&il_state.fds, fd, req == FIOCLEX);
			done(f);
			return 0;
		}
		if (f->fake)
			rc = handover(f, false);
		done(f);
	}
	return rc != 0 ? -1 : il_real.ioctl(fd, req, arg);
}

/* ---- calls that need the kernel's view of the file ---- */

/*
 * Kernel offset and kernel file right for a call passed through; @stop ends the bypass.
 * *@out is the file with a reference (NULL if not served). Returns 0 or -1 (errno set:
 * the call is to fail, *@out is NULL).
 */
static int
kernel_view(int fd, bool stop, struct il_file **out)
{
	struct il_file *f = served(fd);

	*out = NULL;
	if (f == NULL)
		return 0;
	if (handover(f, stop) != 0) {
		done(f);
		return -1;
	}
	il_leave();
	*out = f;
	return 0;
}

/* After the call: take the offset back, drop the reference. */
static void
kernel_done(struct il_file *f, int fd)
{
	int saved = errno;

	if (f == NULL)
		return;
	il_resync(f, fd);
	il_put(f);
	errno = saved;
}

/* kernel_view() of both fds of a copy between files; -1 (errno set) if either fails. */
static int
kernel_view2(int in, int out, struct il_file **fi, struct il_file **fo)
{
	il_ready();
	if (kernel_view(in, false, fi) != 0)
		return -1;
	if (kernel_view(out, false, fo) != 0) {
		kernel_done(*fi, in);
		return -1;
	}
	return 0;
}

static void *
do_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct il_file *f;

	il_ready();
	if (flags & MAP_ANONYMOUS)
		return il_real.mmap(addr, len, prot, flags, fd, off);
	/* Pages of the mapping live in the kernel's cache: stop bypassing this file. */
	if (kernel_view(fd, true, &f) != 0)
		return MAP_FAILED;
	if (f != NULL)
		il_put(f);
	return il_real.mmap(addr, len, prot, flags, fd, off);
}

D_EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return do_mmap(addr, len, prot, flags, fd, off);
}

D_EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return do_mmap(addr, len, prot, flags, fd, off);
}

D_EXPORT FILE *
fdopen(int fd, const char *mode)
{
	struct il_file *f = served(fd);

	/* stdio reads and writes with glibc's internal calls, which we never see. */
	if (f != NULL) {
		if (handover(f, true) != 0) {
			done(f);
			return NULL;
		}
		il_put(f);
		il_fd_clear(fd);
		il_leave();
	}
	return il_real.fdopen(fd, mode);
}

D_EXPORT ssize_t
copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t len, unsigned int flags)
{
	struct il_file *fi, *fo;
	ssize_t rc;

	if (kernel_view2(in, out, &fi, &fo) != 0)
		return -1;
	rc = il_real.copy_file_range(in, in_off, out, out_off, len, flags);
	kernel_done(fi, in);
	kernel_done(fo, out);
	return rc;
}

static ssize_t
do_sendfile(int out, int in, off_t *off, size_t len)
{
	struct il_file *fi, *fo;
	ssize_t rc;

	if (kernel_view2(in, out, &fi, &fo) != 0)
		return -1;
	rc = il_real.sendfile(out, in, off, len);
	kernel_done(fi, in);
	kernel_done(fo, out);
	return rc;
}

D_EXPORT ssize_t
sendfile(int out, int in, off_t *off, size_t len)
{
	return do_sendfile(out, in, off, len);
}

D_EXPORT ssize_t
sendfile64(int out, int in, off_t *off, size_t len)
{
	return do_sendfile(out, in, off, len);
}

D_EXPORT ssize_t
splice(int in, off_t *in_off, int out, off_t *out_off, size_t len, unsigned int flags)
{
	struct il_file *fi, *fo;
	ssize_t rc;

	if (kernel_view2(in, out, &fi, &fo) != 0)
		return -1;
	rc = il_real.splice(in, in_off, out, out_off, len, flags);
	kernel_done(fi, in);
	kernel_done(fo, out);
	return rc;
}

/*
 * Calls with no data or offset of their own: a fake file gets a kernel file first.
 * Returns 0 or the errno (also in errno) the call is to fail with.
 */
static int
kernel_first(int fd)
{
	struct il_file *f = served(fd);
	int rc = 0;

	if (f != NULL) {
		if (f->fake)
			rc = handover(f, false);
		done(f);
		if (rc != 0)
			errno = rc;
	}
	return rc;
}

D_EXPORT int
fallocate(int fd, int mode, off_t off, off_t len)
{
	return kernel_first(fd) != 0 ? -1 : il_real.fallocate(fd, mode, off, len);
}

D_EXPORT int
fallocate64(int fd, int mode, off_t off, off_t len)
{
	return kernel_first(fd) != 0 ? -1 : il_real.fallocate(fd, mode, off, len);
}

/* posix_fadvise returns its error instead of setting errno. */
D_EXPORT int
posix_fadvise(int fd, off_t off, off_t len, int advice)
{
	int rc = kernel_first(fd);

	return rc != 0 ? rc : il_real.posix_fadvise(fd, off, len, advice);
}

D_EXPORT int
posix_fadvise64(int fd, off_t off, off_t len, int advice)
{
	int rc = kernel_first(fd);

	return rc != 0 ? rc : il_real.posix_fadvise(fd, off, len, advice);
}

D_EXPORT int
flock(int fd, int op)
{
	return kernel_first(fd) != 0 ? -1 : il_real.flock(fd, op);
}

D_EXPORT int
fchown(int fd, uid_t uid, gid_t gid)
{
	return kernel_first(fd) != 0 ? -1 : il_real.fchown(fd, uid, gid);
}

/*
 * The file system of a fake file, from its pool as dfuse reports it (@sf), or through
 * the kernel. Returns 0, or -1 with errno set.
 */
static int
do_fstatfs(int fd, struct statfs *sf)
{
	struct il_file *f = served(fd);
	int rc = IL_KERNEL;

	if (f != NULL) {
		if (f->fake && il_mount_statfs(il_file_mount(f), sf) == 0) {
			il_count(IL_C_statfs);
			rc = 0;
		} else if (f->fake) {
			rc = handover(f, false) != 0 ? -1 : IL_KERNEL;
		}
		done(f);
	}
	return rc == IL_KERNEL ? il_real.fstatfs(fd, sf) : rc;
}

D_EXPORT int
fstatfs(int fd, struct statfs *buf)
{
	il_ready();
	return do_fstatfs(fd, buf);
}

D_EXPORT int
fstatfs64(int fd, struct statfs64 *buf)
{
	il_ready();
	return do_fstatfs(fd, (struct statfs *)buf);
}

/* glibc's fstatvfs calls the kernel itself: a fake file's is converted from our fstatfs. */
static int
do_fstatvfs(int fd, struct statvfs *sv)
{
	struct il_file *f = served(fd);
	struct statfs sf;
	bool fake = f != NULL && f->fake;

	if (f != NULL)
		done(f);
	if (!fake)
		return il_real.fstatvfs(fd, sv);
	if (do_fstatfs(fd, &sf) != 0)
		return -1;
	il_statfs_to_statvfs(&sf, sv);
	return 0;
}

D_EXPORT int
fstatvfs(int fd, struct statvfs *buf)
{
	il_ready();
	return do_fstatvfs(fd, buf);
}

D_EXPORT int
fstatvfs64(int fd, struct statvfs64 *buf)
{
	il_ready();
	return do_fstatvfs(fd, (struct statvfs *)buf);
}

D_EXPORT int
fchdir(int fd)
{
	int rc;

	if (kernel_first(fd) != 0)
		return -1;
	rc = il_real.fchdir(fd);
	if (rc == 0 && il_lib.cwd_changed != NULL && il_enter()) {
		il_lib.cwd_changed();
		il_leave();
	}
	return rc;
}

/* ---- fstat and friends: libdfs for fake files (and all of libpil4dfs's) ---- */

static int
do_fstat(int fd, struct stat *st)
{
	struct il_file *f = served(fd);
	int rc;

	if (f == NULL)
		return il_real.fstat(fd, st);
	if (f->fake || (il_lib.paths && f->obj != NULL && !il_state.disabled)) {
		rc = il_file_stat(f, st);
		if (rc == 0) {
			il_count(IL_C_stat);
			done(f);
			return 0;
		}
		if (handover(f, false) != 0) {
			done(f);
			return -1;
		}
	}
	done(f);
	return il_real.fstat(fd, st);
}

D_EXPORT int
fstat(int fd, struct stat *st)
{
	il_ready();
	return do_fstat(fd, st);
}

D_EXPORT int
fstat64(int fd, struct stat64 *st)
{
	il_ready();
	return do_fstat(fd, (struct stat *)st);
}

D_EXPORT int
__fxstat(int ver, int fd, struct stat *st)
{
	(void)ver;
	il_ready();
	return do_fstat(fd, st);
}

D_EXPORT int
__fxstat64(int ver, int fd, struct stat64 *st)
{
	(void)ver;
	il_ready();
	return do_fstat(fd, (struct stat *)st);
}

static int
do_ftruncate(int fd, off_t len)
{
	struct il_file *f = served(fd);
	struct il_mount *mnt;
	int rc;

	if (f == NULL)
		return il_real.ftruncate(fd, len);
	/*
	 * Through libdfs for every file we serve, not only ours: after a rename made
	 * through libdfs, dfuse's object for a kernel fd still has the old name, and its
	 * setattr of the size fails with ENOENT.
	 */
	if (len >= 0 && il_access_allows(f->flags, true)) {
		mnt = il_file_mount(f);
		rc = dfs_punch(mnt->dfs, f->obj, (daos_off_t)len, DFS_MAX_FSIZE);
		if (rc == 0) {
			il_count(IL_C_meta);
			done(f);
			return 0;
		}
	}
	rc = f->fake ? handover(f, false) : 0;
	done(f);
	return rc != 0 ? -1 : il_real.ftruncate(fd, len);
}

D_EXPORT int
ftruncate(int fd, off_t len)
{
	il_ready();
	return do_ftruncate(fd, len);
}

D_EXPORT int
ftruncate64(int fd, off_t len)
{
	il_ready();
	return do_ftruncate(fd, len);
}

int
il_fake_call(int fd, enum il_counter c, int (*fn)(struct il_mount *, dfs_obj_t *, const void *),
	     const void *arg)
{
	struct il_file *f = served(fd);
	int rc = IL_KERNEL;

	if (f == NULL)
		return IL_KERNEL;
	if (f->fake) {
		rc = fn(il_file_mount(f), f->obj, arg);
		if (rc != IL_KERNEL)
			il_count(c);
		else if (handover(f, false) != 0)
			rc = -errno;
	}
	done(f);
	return rc;
}

static int
chmod_obj(struct il_mount *mnt, dfs_obj_t *obj, const void *arg)
{
	struct stat st = { .st_mode = *(const mode_t *)arg };

	return dfs_osetattr(mnt->dfs, obj, &st, DFS_SET_ATTR_MODE) == 0 ? 0 : IL_KERNEL;
}

static int
utimens_obj(struct il_mount *mnt, dfs_obj_t *obj, const void *arg)
{
	return il_obj_utimens(mnt, obj, arg);
}

D_EXPORT int
fchmod(int fd, mode_t mode)
{
	int rc;

	il_ready();
	rc = il_fake_call(fd, IL_C_meta, chmod_obj, &mode);
	return rc != IL_KERNEL ? (int)ret_ssize(rc) : il_real.fchmod(fd, mode);
}

D_EXPORT int
futimens(int fd, const struct timespec ts[2])
{
	int rc;

	il_ready();
	rc = il_fake_call(fd, IL_C_meta, utimens_obj, ts);
	return rc != IL_KERNEL ? (int)ret_ssize(rc) : il_real.futimens(fd, ts);
}

/* ---- exec and process creation ---- */

/*
 * Before a new program starts: 0, or the errno (also in errno) the call is to fail with
 * because an fd it would inherit cannot be handed to the kernel.
 */
static int
before_exec(void)
{
	int rc = 0;

	il_ready();
	if (!il_fdtable_is_empty(&il_state.fds) && il_enter()) {
		rc = il_prepare_exec();
		il_leave();
		if (rc != 0)
			errno = rc;
	}
	return rc;
}

D_EXPORT int
execve(const char *path, char *const argv[], char *const envp[])
{
	return before_exec() != 0 ? -1 : il_real.execve(path, argv, envp);
}

D_EXPORT int
execv(const char *path, char *const argv[])
{
	return before_exec() != 0 ? -1 : il_real.execve(path, argv, environ);
}

D_EXPORT int
execvp(const char *file, char *const argv[])
{
	return before_exec() != 0 ? -1 : il_real.execvp(file, argv);
}

D_EXPORT int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	return before_exec() != 0 ? -1 : il_real.execvpe(file, argv, envp);
}

D_EXPORT int
fexecve(int fd, char *const argv[], char *const envp[])
{
	return before_exec() != 0 ? -1 : il_real.fexecve(fd, argv, envp);
}

/* The arguments of execl and friends as an array (NULL-terminated); NULL on ENOMEM. */
static char **
collect_args(const char *arg0, va_list ap, char ***envp)
{
	va_list aq;
	char **argv;
	size_t n = 1, i;

	va_copy(aq, ap);
	while (va_arg(aq, char *) != NULL)
		n++;
	va_end(aq);
	argv = d_calloc(n + 1, sizeof(*argv));
	if (argv == NULL)
		return NULL;
	argv[0] = (char *)arg0;
	for (i = 1; i < n; i++)
		argv[i] = va_arg(ap, char *);
	(void)va_arg(ap, char *);
	if (envp != NULL)
		*envp = va_arg(ap, char **);
	return argv;
}

D_EXPORT int
execl(const char *path, const char *arg, ...)
{
	va_list ap;
	char **argv;

	va_start(ap, arg);
	argv = collect_args(arg, ap, NULL);
	va_end(ap);
	if (argv == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (before_exec() == 0)
		il_real.execve(path, argv, environ);
	d_free(argv);
	return -1;
}

D_EXPORT int
execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	char **argv;

	va_start(ap, arg);
	argv = collect_args(arg, ap, NULL);
	va_end(ap);
	if (argv == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (before_exec() == 0)
		il_real.execvp(file, argv);
	d_free(argv);
	return -1;
}

D_EXPORT int
execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char **argv, **envp = NULL;

	va_start(ap, arg);
	argv = collect_args(arg, ap, &envp);
	va_end(ap);
	if (argv == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (before_exec() == 0)
		il_real.execve(path, argv, envp);
	d_free(argv);
	return -1;
}

D_EXPORT int
posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
	    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int rc = before_exec();

	return rc != 0 ? rc : il_real.posix_spawn(pid, path, fa, attr, argv, envp);
}

D_EXPORT int
posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
	     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int rc = before_exec();

	return rc != 0 ? rc : il_real.posix_spawnp(pid, file, fa, attr, argv, envp);
}

D_EXPORT int
system(const char *cmd)
{
	return before_exec() != 0 ? -1 : il_real.system(cmd);
}

D_EXPORT FILE *
popen(const char *cmd, const char *mode)
{
	return before_exec() != 0 ? NULL : il_real.popen(cmd, mode);
}

/* vfork's child would share our tables with the parent: a real fork runs the handlers. */
D_EXPORT pid_t
vfork(void)
{
	il_ready();
	return il_real.fork();
}
