/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_main.c - dfuse, the FUSE daemon that mounts a POSIX container (or every container
 * of a pool, or of the system: dfuse_ns.c).
 *
 * Life of a mount: parse the command line (dfuse_opts.c) and check what can be checked
 * without DAOS (the mount point, /dev/fuse, fusermount3); fork unless --foreground; the
 * child connects to the pool, opens and mounts the container, reads the cache attributes,
 * starts the event queues and mounts FUSE; only then does it tell the parent, which exits
 * 0. Any failure before that is printed on the parent's stderr ("ERROR: dfuse: ...") and
 * the parent exits 1, so "dfuse ... && use the mount" is safe. The daemon ends when the
 * mount goes away (fusermount3 -u, umount) or on SIGTERM/SIGINT/SIGHUP (which unmount),
 * tearing everything down in reverse and exiting 0.
 *
 * Threads: the FUSE worker threads (libfuse's pool, --thread-count minus --eq-count of
 * them), one progress thread per event queue (dfuse_io.c), and this main thread waiting
 * for the session to end.
 */
#define D_LOGFAC DD_FAC(dfuse)

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "dfuse/dfuse_daemon.h"

static void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("ERROR: dfuse: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static int
nr_cpus(void)
{
	cpu_set_t set;

	/* Bound to a subset (taskset, numactl): one thread per allowed core. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* Is @name an executable in PATH with the setuid bit (what unprivileged FUSE needs)? */
static bool
have_setuid_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	struct stat st;

	if (path == NULL)
		path = "/usr/bin:/bin";
	while (*path != '\0') {
		size_t len = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, name);
		if (stat(buf, &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0)
			return true;
		path += len;
		if (*path == ':')
			path++;
	}
	return false;
}

/* What needs no DAOS: the mount point, /dev/fuse, and fusermount3 when not root. */
static int
check_local(struct dfuse_info *info, struct dfuse_opts *o)
{
	char buf[PATH_MAX];
	struct stat st;

	if (realpath(o->mountpoint, buf) == NULL || stat(buf, &st) != 0) {
		errorf("mount point %s: %s", o->mountpoint, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		errorf("mount point %s is not a directory", o->mountpoint);
		return -1;
	}
	info->mountpoint = d_strdup(buf);
	if (info->mountpoint == NULL) {
		errorf("out of memory");
		return -1;
	}
	if (access("/dev/fuse", F_OK) != 0) {
		errorf("/dev/fuse is missing: load the fuse kernel module (modprobe fuse), or give the container --device /dev/fuse");
		return -1;
	}
	if (geteuid() == 0) {
		if (access("/dev/fuse", R_OK | W_OK) != 0) {
			errorf("cannot open /dev/fuse: %s", strerror(errno));
			return -1;
		}
	} else if (!have_setuid_program("fusermount3")) {
		/* Unprivileged mounts go through fusermount3, which mounts as root. */
		errorf("not running as root and no setuid-root fusermount3 in PATH: install fuse3 (it provides fusermount3) or run as root");
		return -1;
	} else if (access("/dev/fuse", R_OK | W_OK) != 0) {
		/* libfuse opens /dev/fuse itself and hands the fd to fusermount3. */
		errorf("cannot open /dev/fuse as this user (%s): it must be mode 0666, as Debian's udev rules make it (chmod 666 /dev/fuse), or run as root",
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* --path: the pool and container in the directory's user.daos attribute. */
static int
read_uns_path(struct dfuse_opts *o)
{
	char value[512];
	ssize_t len;

	len = getxattr(o->path, UNS_XATTR, value, sizeof(value) - 1);
	if (len < 0) {
		if (errno == ENODATA || errno == ENOTSUP)
			errorf("--path %s names no container (it has no user.daos attribute)",
			       o->path);
		else
			errorf("--path %s: %s", o->path, strerror(errno));
		return -1;
	}
	value[len] = '\0';
	if (dfuse_uns_parse(value, &o->pool, &o->cont) != 0) {
		errorf("--path %s: user.daos attribute '%s' is not DAOS.POSIX://POOL/CONT", o->path,
		       value);
		return -1;
	}
	return 0;
}

/* Connect, open, mount DFS: what the options ask the mount to serve. */
static int
daos_start(struct dfuse_info *info)
{
	char err[512];
	int rc;

	rc = daos_init();
	if (rc != 0) {
		errorf("could not initialise DAOS: %s(%d): %s", DP_RC(rc));
		return -1;
	}
	if (dfuse_ns_start(info, err, sizeof(err)) != 0) {
		errorf("%s", err);
		return -1;
	}
	return 0;
}

static void
daos_stop(struct dfuse_info *info)
{
	if (info->itable.by_oid != NULL)
		dfuse_itable_fini(&info->itable);
	if (info->pools.next != NULL)
		dfuse_ns_stop(info);
	daos_fini();
}

/* The FUSE session, mounted. Mount options as DAOS's dfuse sets them. */
static int
fuse_start(struct dfuse_info *info, const struct dfuse_opts *o)
{
	char *mopts = NULL;
	char *argv[] = { "dfuse", "-o", NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);

	if (d_asprintf(&mopts, "fsname=dfuse,subtype=daos,default_permissions%s%s%s%s",
		       o->multi_user ? ",allow_other" : "", o->read_only ? ",ro" : "",
		       o->fuse_opts != NULL ? "," : "",
		       o->fuse_opts != NULL ? o->fuse_opts : "") < 0) {
		errorf("out of memory");
		return -1;
	}
	argv[2] = mopts;
	info->se = fuse_session_new(&args, &dfuse_ops, sizeof(dfuse_ops), info);
	fuse_opt_free_args(&args);
	d_free(mopts);
	if (info->se == NULL) {
		errorf("could not start a FUSE session (bad -o option?)");
		return -1;
	}
	if (fuse_session_mount(info->se, info->mountpoint) != 0) {
		errorf("could not mount FUSE at %s (see the fuse message above)", info->mountpoint);
		fuse_session_destroy(info->se);
		info->se = NULL;
		return -1;
	}
	return 0;
}

/*
 * Kernel readahead: the kernel caps a FUSE mount's readahead at 128 KiB when it mounts it,
 * so sequential reads of cached files arrive as 128 KiB requests, one or two in flight
 * (a 1 GiB file read at 0.3-0.65 GB/s on a memory engine where uncached reads ran at 1.5;
 * 1.3-1.6 GB/s with 1-4 MiB). Only the mount's backing device setting in sysfs raises
 * it, which needs root; otherwise say so and go on. The kernel applies the limit again
 * when it takes our INIT reply, so this runs after that reply (worker_main).
 */
#define DFUSE_READAHEAD_KB 4096

static char *
read_text_file(const char *path)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = d_realloc(buf, cap + 16384);

			if (nb == NULL) {
				d_free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap += 16384;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	return buf;
}

static void
set_readahead(struct dfuse_info *info)
{
	const char *env = getenv("DFUSE_READAHEAD_KB");
	char path[128], val[16], *end;
	unsigned int ma, mi;
	long kb = DFUSE_READAHEAD_KB;
	char *text;
	int fd, len, rc;

	if (info->opts->disable_caching)
		return;
	if (env != NULL) {
		kb = strtol(env, &end, 10);
		if (*env == '\0' || *end != '\0' || kb < 0 || kb > 1048576) {
			D_WARN("DFUSE_READAHEAD_KB=%s is not a number of KiB from 0 to 1048576: "
			       "using %d",
			       env, DFUSE_READAHEAD_KB);
			kb = DFUSE_READAHEAD_KB;
		}
	}
	if (kb == 0) {
		D_NOTE("readahead left at the kernel's default on %s (DFUSE_READAHEAD_KB=0): "
		       "cached files are read in 1 MiB chunks",
		       info->mountpoint);
		atomic_store(&info->chunk_reads, true);
		return;
	}
	text = read_text_file("/proc/self/mountinfo");
	rc = text != NULL ? dfuse_mountinfo_dev(text, info->mountpoint, &ma, &mi) : -DER_NOMEM;
	d_free(text);
	if (rc != 0) {
		D_NOTE("readahead left at the kernel's default: the mount on %s not found in "
		       "/proc/self/mountinfo; cached files are read in 1 MiB chunks",
		       info->mountpoint);
		atomic_store(&info->chunk_reads, true);
		return;
	}
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", ma, mi);
	len = snprintf(val, sizeof(val), "%ld\n", kb);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, (size_t)len) != len) {
		D_NOTE("readahead left at the kernel's default (128 KiB) on %s: cannot write "
		       "%s: %s; cached files are read in 1 MiB chunks instead",
		       info->mountpoint, path, strerror(errno));
		atomic_store(&info->chunk_reads, true);
	} else {
		D_INFO("readahead of %s set to %ld KiB (%s)", info->mountpoint, kb, path);
	}
	if (fd >= 0)
		close(fd);
}

/* The session signals end; what fuse_set_signal_handlers() would do, made reliable. */
static struct fuse_session *signal_se;

static void
on_exit_signal(int sig)
{
	(void)sig;
	if (signal_se != NULL)
		fuse_session_exit(signal_se);
}

/*
 * Every thread but this one must keep SIGTERM, SIGINT and SIGHUP blocked: libfuse wakes
 * its main loop only when the handler interrupts this thread. So they are blocked before
 * DAOS starts its threads (which inherit the mask) and unblocked here alone, with our
 * handler installed outright: libfuse would keep a handler a library set before it (one
 * of ours exits with status 1).
 */
static void
block_exit_signals(bool block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static void
install_exit_signals(struct fuse_session *se)
{
	struct sigaction sa = { .sa_handler = on_exit_signal };

	signal_se = se;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	block_exit_signals(false);
}

/*
 * The FUSE workers: our own loop around fuse_session_receive_buf/process_buf instead of
 * fuse_session_loop_mt, so that a write may keep the buffer its request arrived in (the
 * data go to DAOS from there, and the worker reads its next request into a new one)
 * instead of copying each MiB before the callback returns.
 *
 * Exit: unmounting fails every worker's read with ENODEV (libfuse then marks the session
 * exited); a signal interrupts this thread alone (the others block them), which then
 * cancels the others. A worker is cancellable only inside its read.
 */
struct worker {
	pthread_t thread;
	struct dfuse_info *info;
	struct fuse_session *se;
	struct fuse_buf fbuf;
	int error;
};

static __thread struct fuse_buf *worker_fbuf;

/*
 * Receive buffers given back by completed writes, for the workers' next receives: a
 * fresh 1 MiB buffer per request costs the kernel a page fault per page while it copies
 * the request in. They are libfuse's own (its size, its malloc).
 */
#define REQ_BUF_SPARES 8
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static void *spares[REQ_BUF_SPARES];
static int nr_spares;

void
dfuse_request_buf_give(void *mem)
{
	pthread_mutex_lock(&spare_lock);
	if (nr_spares < REQ_BUF_SPARES) {
		spares[nr_spares++] = mem;
		mem = NULL;
	}
	pthread_mutex_unlock(&spare_lock);
	free(mem);
}

static void *
spare_get(void)
{
	void *mem = NULL;

	pthread_mutex_lock(&spare_lock);
	if (nr_spares > 0)
		mem = spares[--nr_spares];
	pthread_mutex_unlock(&spare_lock);
	return mem;
}

void
dfuse_request_bufs_fini(void)
{
	pthread_mutex_lock(&spare_lock);
	while (nr_spares > 0)
		free(spares[--nr_spares]);
	pthread_mutex_unlock(&spare_lock);
}

bool
dfuse_is_worker(void)
{
	return worker_fbuf != NULL;
}

void *
dfuse_request_buf_take(const void *data)
{
	struct fuse_buf *fb = worker_fbuf;
	void *mem;

	/* libfuse up to 3.16 allocates receive buffers with malloc (free() releases them). */
	if (FUSE_MAJOR_VERSION != 3 || FUSE_MINOR_VERSION > 16)
		return NULL;
	if (fb == NULL || fb->mem == NULL || (fb->flags & FUSE_BUF_IS_FD) ||
	    (const char *)data < (const char *)fb->mem ||
	    (const char *)data >= (const char *)fb->mem + fb->size)
		return NULL;
	mem = fb->mem;
	fb->mem = NULL; /* the next receive allocates another */
	return mem;
}

static void
worker_cleanup(void *arg)
{
	struct worker *w = arg;

	free(w->fbuf.mem);
	w->fbuf.mem = NULL;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int rc;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	worker_fbuf = &w->fbuf;
	pthread_cleanup_push(worker_cleanup, w);
	while (!fuse_session_exited(w->se)) {
		if (w->fbuf.mem == NULL)
			w->fbuf.mem = spare_get();
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		rc = fuse_session_receive_buf(w->se, &w->fbuf);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		if (rc == -EINTR)
			continue;
		if (rc <= 0) {
			if (rc < 0 && rc != -ENODEV)
				w->error = rc;
			fuse_session_exit(w->se);
			break;
		}
		fuse_session_process_buf(w->se, &w->fbuf);
		dfuse_io_help(fuse_session_fd(w->se));
		/* The INIT reply is in: the kernel has set its readahead limit. */
		if (atomic_load_explicit(&w->info->readahead_pending, memory_order_relaxed) &&
		    atomic_exchange(&w->info->readahead_pending, false))
			set_readahead(w->info);
	}
	worker_fbuf = NULL;
	pthread_cleanup_pop(1);
	return NULL;
}

static int
fuse_run(struct dfuse_info *info, const struct dfuse_opts *o, int fuse_threads)
{
	struct worker *ws;
	int nr = 1;
	int rc = 0;
	int i;

	if (o->singlethread)
		fuse_threads = 1;
	ws = d_calloc((size_t)fuse_threads, sizeof(*ws));
	if (ws == NULL)
		return -ENOMEM;
	for (i = 0; i < fuse_threads; i++) {
		ws[i].info = info;
		ws[i].se = info->se;
	}
	/* ws[0] is this thread: the one signals interrupt */
	for (i = 1; i < fuse_threads; i++) {
		rc = pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]);
		if (rc != 0) {
			D_ERROR("cannot start FUSE worker %d: %s", i, strerror(rc));
			fuse_session_exit(info->se);
			rc = -rc;
			break;
		}
		nr++;
	}
	if (rc == 0)
		worker_main(&ws[0]);
	for (i = 1; i < nr; i++) {
		pthread_cancel(ws[i].thread);
		pthread_join(ws[i].thread, NULL);
	}
	for (i = 0; i < nr && rc == 0; i++)
		rc = ws[i].error;
	d_free(ws);
	fuse_session_reset(info->se);
	return rc;
}

static void
fuse_stop(struct dfuse_info *info)
{
	int i;

	if (info->se == NULL)
		return;
	/*
	 * Evictions use the session. One may wait on write-backs nobody serves any more:
	 * unmounting ends those waits; a session still in use is left, not freed.
	 */
	if (atomic_load(&info->nr_evicting) > 0) {
		fuse_session_unmount(info->se);
		for (i = 0; i < 500 && atomic_load(&info->nr_evicting) > 0; i++)
			usleep(10 * 1000);
		if (atomic_load(&info->nr_evicting) > 0) {
			D_ERROR("evictions still running at exit: FUSE session left as is");
			info->se = NULL;
			return;
		}
	}
	fuse_session_unmount(info->se);
	fuse_session_destroy(info->se);
	info->se = NULL;
}

/*
 * Fork; the parent waits for the child's verdict on @pipefd and exits with it. Returns in
 * the child only, with the write end of the pipe in *@notify_fd.
 */
static void
daemonise(int *notify_fd)
{
	int fds[2];
	pid_t pid;
	char ok;
	int status;

	if (pipe(fds) != 0) {
		errorf("pipe: %s", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		errorf("fork: %s", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &ok, 1) == 1 && ok == 0)
			exit(0);
		/* The child printed why on our stderr and exits non-zero. */
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status))
			exit(WEXITSTATUS(status));
		exit(1);
	}
	close(fds[0]);
	setsid();
	*notify_fd = fds[1];
}

/* The mount works: release the parent, leave the terminal. */
static void
detach(int notify_fd)
{
	char ok = 0;
	int fd;

	if (notify_fd < 0)
		return;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (chdir("/") != 0)
		D_WARN("could not chdir to /");
	if (write(notify_fd, &ok, 1) != 1)
		D_WARN("could not notify the parent");
	close(notify_fd);
}

int
main(int argc, char **argv)
{
	struct dfuse_info info = { 0 };
	struct dfuse_opts o;
	char err[512];
	int fuse_threads, nr_eqs;
	int notify_fd = -1;
	int rc;

	rc = dfuse_opts_parse(argc, argv, &o, err, sizeof(err));
	if (rc != 0) {
		errorf("%s", err);
		dfuse_opts_fini(&o);
		return 1;
	}
	if (o.help || o.version) {
		if (o.help)
			fputs(dfuse_usage, stdout);
		else
			printf("dfuse version %s (libfuse %d)\n", DAOS_VERSION, fuse_version());
		dfuse_opts_fini(&o);
		return 0;
	}
	rc = dfuse_threads_resolve(o.thread_count, o.eq_count, nr_cpus(), &fuse_threads, &nr_eqs,
				   err, sizeof(err));
	if (rc != 0) {
		errorf("%s", err);
		dfuse_opts_fini(&o);
		return 1;
	}
	if ((o.path != NULL && read_uns_path(&o) != 0) || check_local(&info, &o) != 0) {
		d_free(info.mountpoint);
		dfuse_opts_fini(&o);
		return 1;
	}
	info.opts = &o;
	info.read_only = o.read_only;
	info.multi_user = o.multi_user;
	info.uid = geteuid();
	info.gid = getegid();
	if (getrandom(&info.mount_id, sizeof(info.mount_id), 0) != sizeof(info.mount_id))
		info.mount_id = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);

	/* Fork before DAOS starts its threads and network. */
	if (!o.foreground)
		daemonise(&notify_fd);
	block_exit_signals(true);
	d_log_init();

	rc = -1;
	if (daos_start(&info) != 0)
		goto out;
	info.wb_cache = !o.disable_wb_cache && info.cache.data_mode != DFUSE_DATA_OFF;
	if (dfuse_eqs_start(&info, nr_eqs) != 0) {
		errorf("could not start %d event queues", nr_eqs);
		goto out;
	}
	if (fuse_start(&info, &o) != 0)
		goto out_eqs;
	if (info.kind == DFUSE_MOUNT_CONT)
		D_NOTE("dfuse mounted container %s of pool %s at %s", o.cont, o.pool,
		       info.mountpoint);
	else if (info.kind == DFUSE_MOUNT_POOL)
		D_NOTE("dfuse mounted the containers of pool %s at %s (MOUNTPOINT/CONTAINER)",
		       o.pool, info.mountpoint);
	else
		D_NOTE("dfuse mounted the pools of the system at %s (MOUNTPOINT/POOL/CONTAINER)",
		       info.mountpoint);
	D_NOTE("dfuse: %d FUSE threads, %d event queues", o.singlethread ? 1 : fuse_threads,
	       nr_eqs);
	detach(notify_fd);
	notify_fd = -1;
	install_exit_signals(info.se);

	rc = fuse_run(&info, &o, fuse_threads);
	/* From here a signal must not reach the session being torn down. */
	block_exit_signals(true);
	signal_se = NULL;
	if (rc != 0)
		D_ERROR("FUSE session ended with %d", rc);
	rc = 0;
	fuse_stop(&info);
out_eqs:
	fuse_stop(&info);
	dfuse_eqs_stop(&info);
	/* after the EQ threads: writes still in flight gave their buffers back */
	dfuse_request_bufs_fini();
out:
	daos_stop(&info);
	d_free(info.mountpoint);
	dfuse_opts_fini(&o);
	d_log_fini();
	return rc == 0 ? 0 : 1;
}
