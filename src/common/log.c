/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - the logger behind D_ERROR() and friends (interface and settings: gurt/debug.h).
 *
 * State: d_log_fac_prio[] is what the macros read, one byte per facility, recomputed
 * from the settings below whenever one changes:
 *   default_prio    the first word of D_LOG_MASK
 *   fac_override[]  "FAC=PRIO" words of D_LOG_MASK (OVERRIDE_UNSET when absent)
 *   fac_in_subsys[] DD_SUBSYS; an unlisted facility logs at max(default_prio, ERR)
 * Writers read the settings without locks (bytes and words are written atomically);
 * changes are serialised by log_lock, as are opening and rotating the file.
 *
 * Output: one line per message, built in a stack buffer and written with one write(2)
 * to a file opened O_APPEND, so concurrent lines never interleave:
 *   2026/11/21-11:12:33.123456 host[pid/tid] vos       ERR  src/vos/vos_io.c:12 f() text
 * Messages longer than LINE_MAX_LEN are cut and marked with "...".
 */
#define D_LOGFAC DD_FAC(common)

#include <ctype.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/common_int.h"

#define LINE_MAX_LEN 4096
#define OVERRIDE_UNSET 0xff
#define DEFAULT_LOG_SIZE (1ULL << 30)

D_EXPORT volatile uint8_t d_log_fac_prio[DD_FAC_NR] = {
#define FAC_DEFAULT(id, name) [DD_FAC_##id] = DLOG_ERR,
	D_FOREACH_LOG_FAC(FAC_DEFAULT)
#undef FAC_DEFAULT
};
D_EXPORT volatile uint32_t d_log_dbg_mask = DB_ALL;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_refcount;
static int default_prio = DLOG_ERR;
static uint8_t fac_override[DD_FAC_NR];
static bool fac_in_subsys[DD_FAC_NR];
static volatile int log_fd = STDERR_FILENO;
static char *log_path;
static uint64_t log_size_max = DEFAULT_LOG_SIZE;
static uint64_t log_bytes;
static volatile int stderr_prio = DLOG_CRIT;
static char host_name[64] = "localhost";
static bool settings_ready;

static const char *const fac_names[DD_FAC_NR] = {
#define FAC_NAME(id, name) [DD_FAC_##id] = name,
	D_FOREACH_LOG_FAC(FAC_NAME)
#undef FAC_NAME
};

static const struct {
	const char *name;
	int prio;
} prio_names[] = {
	{ "DEBUG", DLOG_DBG },   { "DBUG", DLOG_DBG },   { "INFO", DLOG_INFO },
	{ "NOTE", DLOG_NOTE },   { "WARN", DLOG_WARN },  { "ERROR", DLOG_ERR },
	{ "ERR", DLOG_ERR },     { "CRIT", DLOG_CRIT },  { "ALRT", DLOG_ALERT },
	{ "FATAL", DLOG_EMERG }, { "EMRG", DLOG_EMERG }, { "EMIT", DLOG_EMIT },
};

static const char *const prio_short[] = {
	[DLOG_DBG] = "DBUG",   [DLOG_INFO] = "INFO",  [DLOG_NOTE] = "NOTE",
	[DLOG_WARN] = "WARN",  [DLOG_ERR] = "ERR",    [DLOG_CRIT] = "CRIT",
	[DLOG_ALERT] = "ALRT", [DLOG_EMERG] = "EMRG", [DLOG_EMIT] = "EMIT",
};

static void
settings_init_locked(void)
{
	int i;

	if (settings_ready)
		return;
	for (i = 0; i < DD_FAC_NR; i++) {
		fac_override[i] = OVERRIDE_UNSET;
		fac_in_subsys[i] = true;
	}
	settings_ready = true;
}

static void
prio_recompute_locked(void)
{
	int unlisted = D_MAX(default_prio, DLOG_ERR);
	int i;

	for (i = 0; i < DD_FAC_NR; i++) {
		if (fac_override[i] != OVERRIDE_UNSET)
			d_log_fac_prio[i] = fac_override[i];
		else
			d_log_fac_prio[i] = fac_in_subsys[i] ? default_prio : unlisted;
	}
}

/* Compare @word of @len bytes with @name, ignoring case. */
static bool
word_is(const char *word, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(word, name, len) == 0;
}

static int
prio_parse(const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prio_names); i++)
		if (word_is(word, len, prio_names[i].name))
			return prio_names[i].prio;
	return -DER_INVAL;
}

static int
fac_parse(const char *word, size_t len)
{
	int i;

	for (i = 0; i < DD_FAC_NR; i++)
		if (word_is(word, len, fac_names[i]))
			return i;
	return -DER_NONEXIST;
}

D_EXPORT int
d_log_str2prio(const char *name)
{
	return prio_parse(name, strlen(name));
}

D_EXPORT const char *
d_log_prio2str(int prio)
{
	if (prio < DLOG_DBG || prio > DLOG_EMIT)
		return "NONE";
	return prio_short[prio];
}

D_EXPORT int
d_log_str2fac(const char *name)
{
	return fac_parse(name, strlen(name));
}

D_EXPORT const char *
d_log_fac2str(int fac)
{
	if (fac < 0 || fac >= DD_FAC_NR)
		return "unknown";
	return fac_names[fac];
}

/* Split @s at commas; calls @fn for each non-empty word. Stops at the first error. */
static int
words_each(const char *s, int (*fn)(const char *word, size_t len, void *arg), void *arg)
{
	while (*s != '\0') {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		int rc;

		/* Tolerate spaces around words: "DEBUG, VOS=ERR". */
		while (len > 0 && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		if (len > 0) {
			rc = fn(s, len, arg);
			if (rc != 0)
				return rc;
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
	return 0;
}

struct mask_parse {
	int default_prio;
	uint8_t override[DD_FAC_NR];
};

static int
mask_word(const char *word, size_t len, void *arg)
{
	struct mask_parse *mp = arg;
	const char *eq = memchr(word, '=', len);
	int fac;
	int prio;

	if (eq == NULL) {
		prio = prio_parse(word, len);
		if (prio < 0)
			goto out_bad;
		mp->default_prio = prio;
		return 0;
	}
	fac = fac_parse(word, (size_t)(eq - word));
	prio = prio_parse(eq + 1, len - (size_t)(eq - word) - 1);
	if (fac < 0 || prio < 0)
		goto out_bad;
	mp->override[fac] = (uint8_t)prio;
	return 0;

out_bad:
	D_PRINT_ERR("log mask: cannot parse \"%.*s\" (expected PRIORITY or FACILITY=PRIORITY)\n",
		    (int)len, word);
	return -DER_INVAL;
}

D_EXPORT int
d_log_setmasks(const char *masks)
{
	struct mask_parse mp;
	int rc;

	if (masks == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&log_lock);
	settings_init_locked();
	mp.default_prio = default_prio;
	memset(mp.override, OVERRIDE_UNSET, sizeof(mp.override));
	rc = words_each(masks, mask_word, &mp);
	if (rc == 0) {
		default_prio = mp.default_prio;
		memcpy(fac_override, mp.override, sizeof(fac_override));
		prio_recompute_locked();
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
}

static int
subsys_word(const char *word, size_t len, void *arg)
{
	bool *in = arg;
	int fac;

	if (word_is(word, len, "all")) {
		for (fac = 0; fac < DD_FAC_NR; fac++)
			in[fac] = true;
		return 0;
	}
	fac = fac_parse(word, len);
	if (fac < 0) {
		D_PRINT_ERR("DD_SUBSYS: unknown subsystem \"%.*s\"\n", (int)len, word);
		return -DER_INVAL;
	}
	in[fac] = true;
	return 0;
}

D_EXPORT int
d_log_set_subsys(const char *subsys)
{
	bool in[DD_FAC_NR] = { false };
	int rc;

	if (subsys == NULL)
		return -DER_INVAL;
	rc = words_each(subsys, subsys_word, in);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&log_lock);
	settings_init_locked();
	memcpy(fac_in_subsys, in, sizeof(in));
	prio_recompute_locked();
	pthread_mutex_unlock(&log_lock);
	return 0;
}

static const struct {
	const char *name;
	uint32_t bits;
} stream_names[] = {
#define STREAM_NAME(id, bit, name) { name, id },
	D_FOREACH_DB_STREAM(STREAM_NAME)
#undef STREAM_NAME
		{ "all", DB_ALL },
	{ "daos_default", DB_DEFAULT },
};

static int
stream_word(const char *word, size_t len, void *arg)
{
	uint32_t *mask = arg;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stream_names); i++) {
		if (word_is(word, len, stream_names[i].name)) {
			*mask |= stream_names[i].bits;
			return 0;
		}
	}
	D_PRINT_ERR("DD_MASK: unknown debug stream \"%.*s\"\n", (int)len, word);
	return -DER_INVAL;
}

D_EXPORT int
d_log_set_dbgmask(const char *streams)
{
	uint32_t mask = 0;
	int rc;

	if (streams == NULL)
		return -DER_INVAL;
	rc = words_each(streams, stream_word, &mask);
	if (rc != 0)
		return rc;
	/* Every debug message is at least in the "any" stream. */
	d_log_dbg_mask = mask | DB_ANY;
	return 0;
}

static int
file_open(const char *path, bool truncate)
{
	int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);

	return open(path, flags, 0644);
}

D_EXPORT int
d_log_set_file(const char *path, bool truncate)
{
	int fd = STDERR_FILENO;
	int old;
	char *copy = NULL;
	struct stat st;

	if (path != NULL) {
		copy = d_strdup(path);
		if (copy == NULL)
			return -DER_NOMEM;
		fd = file_open(path, truncate);
		if (fd < 0) {
			D_PRINT_ERR("could not open log file %s: %s\n", path, strerror(errno));
			d_free(copy);
			return -DER_IO;
		}
	}
	pthread_mutex_lock(&log_lock);
	old = log_fd;
	log_fd = fd;
	d_free(log_path);
	log_path = copy;
	log_bytes = (fd != STDERR_FILENO && fstat(fd, &st) == 0) ? (uint64_t)st.st_size : 0;
	pthread_mutex_unlock(&log_lock);
	/* A writer may still hold the old descriptor for one write; keep stderr open. */
	if (old != STDERR_FILENO)
		close(old);
	return 0;
}

/* Move the full file aside to <path>.old and start a new one. */
static void
file_rotate(void)
{
	char old_name[PATH_MAX];
	int fd;
	int prev;

	pthread_mutex_lock(&log_lock);
	if (log_path == NULL || log_bytes < log_size_max) {
		pthread_mutex_unlock(&log_lock);
		return;
	}
	snprintf(old_name, sizeof(old_name), "%s.old", log_path);
	rename(log_path, old_name);
	fd = file_open(log_path, true);
	if (fd >= 0) {
		prev = log_fd;
		log_fd = fd;
		close(prev);
	}
	log_bytes = 0;
	pthread_mutex_unlock(&log_lock);
}

static bool
env_is_set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

D_EXPORT int
d_log_init(void)
{
	const char *v;
	int rc = 0;
	int err;

	pthread_mutex_lock(&log_lock);
	settings_init_locked();
	if (log_refcount++ > 0) {
		pthread_mutex_unlock(&log_lock);
		return 0;
	}
	gethostname(host_name, sizeof(host_name) - 1);
	host_name[sizeof(host_name) - 1] = '\0';
	/* Only the short host name, as in the daemons' other messages. */
	host_name[strcspn(host_name, ".")] = '\0';
	pthread_mutex_unlock(&log_lock);

	v = getenv("D_LOG_SIZE");
	if (v != NULL) {
		char *end;
		unsigned long long size = strtoull(v, &end, 0);

		if (end == v || *end != '\0' || size < 4096) {
			D_PRINT_ERR("D_LOG_SIZE: expected a byte count >= 4096, got \"%s\"\n", v);
			rc = -DER_INVAL;
		} else {
			log_size_max = size;
		}
	}
	v = getenv("D_LOG_FILE");
	if (v != NULL && *v != '\0') {
		char path[PATH_MAX];

		if (env_is_set("D_LOG_FILE_APPEND_PID"))
			snprintf(path, sizeof(path), "%s.%d", v, (int)getpid());
		else
			snprintf(path, sizeof(path), "%s", v);
		err = d_log_set_file(path, env_is_set("D_LOG_TRUNCATE"));
		if (err != 0)
			rc = err;
	}
	v = getenv("DD_STDERR");
	if (v != NULL && *v != '\0') {
		int prio = d_log_str2prio(v);

		if (prio < 0) {
			D_PRINT_ERR("DD_STDERR: unknown priority \"%s\"\n", v);
			rc = -DER_INVAL;
		} else {
			stderr_prio = prio;
		}
	}
	v = getenv("DD_SUBSYS");
	if (v != NULL && *v != '\0') {
		err = d_log_set_subsys(v);
		if (err != 0)
			rc = err;
	}
	v = getenv("DD_MASK");
	if (v != NULL && *v != '\0') {
		err = d_log_set_dbgmask(v);
		if (err != 0)
			rc = err;
	}
	v = getenv("D_LOG_MASK");
	if (v != NULL && *v != '\0') {
		err = d_log_setmasks(v);
		if (err != 0)
			rc = err;
	}
	return rc;
}

D_EXPORT void
d_log_fini(void)
{
	bool last;

	pthread_mutex_lock(&log_lock);
	D_ASSERT(log_refcount > 0);
	last = --log_refcount == 0;
	pthread_mutex_unlock(&log_lock);
	if (last)
		d_log_set_file(NULL, false);
}

/* Drop the build directory's "../" so lines show src/<module>/<file>.c. */
static const char *
file_short(const char *file)
{
	while (file[0] == '.' && file[1] == '.' && file[2] == '/')
		file += 3;
	return file;
}

static __thread time_t tls_sec = -1;
static __thread char tls_stamp[32];

static size_t
stamp_format(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != tls_sec) {
		struct tm tm;

		localtime_r(&ts.tv_sec, &tm);
		strftime(tls_stamp, sizeof(tls_stamp), "%Y/%m/%d-%H:%M:%S", &tm);
		tls_sec = ts.tv_sec;
	}
	return (size_t)snprintf(buf, len, "%s.%06ld", tls_stamp, ts.tv_nsec / 1000);
}

D_EXPORT void
d_log_write(int fac, int prio, const char *file, int line, const char *func, const char *fmt, ...)
{
	char buf[LINE_MAX_LEN];
	size_t off;
	int n;
	va_list ap;
	int saved_errno = errno;
	int fd;

	off = stamp_format(buf, sizeof(buf));
	n = snprintf(buf + off, sizeof(buf) - off, " %s[%d/%d] %-9s %-4s %s:%d %s() ", host_name,
		     (int)getpid(), (int)gettid(), d_log_fac2str(fac), d_log_prio2str(prio),
		     file_short(file), line, func);
	off += n > 0 ? (size_t)n : 0;
	if (off < sizeof(buf)) {
		va_start(ap, fmt);
		n = vsnprintf(buf + off, sizeof(buf) - off, fmt, ap);
		va_end(ap);
		off += n > 0 ? (size_t)n : 0;
	}
	if (off >= sizeof(buf) - 1) {
		memcpy(buf + sizeof(buf) - 5, "...\n", 4);
		off = sizeof(buf) - 1;
	} else if (off == 0 || buf[off - 1] != '\n') {
		buf[off++] = '\n';
	}
	fd = log_fd;
	if (write(fd, buf, off) < 0 && fd != STDERR_FILENO)
		(void)!write(STDERR_FILENO, buf, off);
	if (fd != STDERR_FILENO) {
		if (prio >= stderr_prio)
			(void)!write(STDERR_FILENO, buf, off);
		if (__atomic_add_fetch(&log_bytes, off, __ATOMIC_RELAXED) >= log_size_max)
			file_rotate();
	}
	errno = saved_errno;
}

D_EXPORT void
d_assert_fail(const char *expr, const char *file, int line, const char *func, const char *fmt, ...)
{
	char msg[512];
	void *frames[64];
	int nr;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d_log_write(DD_FAC(misc), DLOG_EMERG, file, line, func, "assertion '%s' failed:%s", expr,
		    msg);
	if (log_fd != STDERR_FILENO)
		fprintf(stderr, "%s:%d %s(): assertion '%s' failed:%s\n", file_short(file), line,
			func, expr, msg);
	nr = backtrace(frames, ARRAY_SIZE(frames));
	backtrace_symbols_fd(frames, nr, STDERR_FILENO);
	if (log_fd != STDERR_FILENO)
		backtrace_symbols_fd(frames, nr, log_fd);
	abort();
}

D_EXPORT const char *
d_uuid_str(const unsigned char *uuid)
{
	static __thread char ring[4][37];
	static __thread unsigned int next;
	static const char hex[] = "0123456789abcdef";
	char *out = ring[next++ % 4];
	int i;
	int o = 0;

	if (uuid == NULL)
		return "(null)";
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[uuid[i] >> 4];
		out[o++] = hex[uuid[i] & 15];
	}
	out[o] = '\0';
	return out;
}
