/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_opts.c - the pure decisions of dfuse: the command line (DAOS's flags, positional
 * MOUNTPOINT [POOL [CONT]], -o lists as mount(8) passes them), the thread layout, durations
 * and the cache timeouts that container attributes set. Nothing here touches DAOS, FUSE
 * or the file system, so every rule is a unit test (tests/dfuse_opts_tests.c). Errors are
 * a reason for the user in a caller buffer; main() prints "ERROR: dfuse: <reason>".
 */
#define D_LOGFAC DD_FAC(dfuse)

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfuse/dfuse_int.h"

const char dfuse_usage[] =
	"Usage: dfuse [OPTIONS] [MOUNTPOINT [POOL [CONTAINER]]]\n"
	"\n"
	"Mount the POSIX container CONTAINER of pool POOL at MOUNTPOINT. Without a\n"
	"container, MOUNTPOINT/CONT is container CONT (label or UUID) of POOL; without a\n"
	"pool either, MOUNTPOINT/POOL/CONT.\n"
	"\n"
	"  -m, --mountpoint=PATH    where to mount\n"
	"  -p, --pool=POOL          pool label or UUID\n"
	"  -c, --cont=CONT          container label or UUID (also --container)\n"
	"      --path=PATH          read pool and container from the user.daos attribute of\n"
	"                           PATH (DAOS.POSIX://POOL/CONT); mounts there unless -m\n"
	"      --sys-name=NAME      DAOS system name\n"
	"  -t, --thread-count=N     threads in all, event queue threads included\n"
	"                           (default: one per core, at most 16)\n"
	"      --eq-count=N         event queues for asynchronous I/O (default 1)\n"
	"  -f, --foreground         stay in the foreground\n"
	"  -S, --singlethread       serve FUSE requests from one thread\n"
	"      --disable-caching    no kernel caching at all (coherent between nodes)\n"
	"      --disable-wb-cache   no kernel write-back cache\n"
	"      --enable-wb-cache    kernel write-back cache (the default with caching)\n"
	"      --multi-user         allow other users; new entries owned by their creator\n"
	"      --read-only          mount read-only\n"
	"      --enable-local-flock flock and fcntl locks held by this node's kernel\n"
	"                           (always the case here; accepted for DAOS's scripts)\n"
	"  -o OPT[,OPT...]          pool=, container=, and the flags above as -o words;\n"
	"                           other options are handed to FUSE (e.g. allow_other)\n"
	"  -h, --help               this text\n"
	"  -v, --version            print the version\n";

enum {
	OPT_PATH = 256,
	OPT_SYS_NAME,
	OPT_EQ_COUNT,
	OPT_DISABLE_CACHING,
	OPT_DISABLE_WB,
	OPT_ENABLE_WB,
	OPT_MULTI_USER,
	OPT_READ_ONLY,
	OPT_LOCAL_FLOCK,
};

static const struct option long_opts[] = {
	{ "mountpoint", required_argument, NULL, 'm' },
	{ "pool", required_argument, NULL, 'p' },
	{ "cont", required_argument, NULL, 'c' },
	{ "container", required_argument, NULL, 'c' },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "sys-name", required_argument, NULL, OPT_SYS_NAME },
	{ "thread-count", required_argument, NULL, 't' },
	{ "eq-count", required_argument, NULL, OPT_EQ_COUNT },
	{ "foreground", no_argument, NULL, 'f' },
	{ "singlethread", no_argument, NULL, 'S' },
	{ "disable-caching", no_argument, NULL, OPT_DISABLE_CACHING },
	{ "disable-wb-cache", no_argument, NULL, OPT_DISABLE_WB },
	{ "enable-wb-cache", no_argument, NULL, OPT_ENABLE_WB },
	{ "multi-user", no_argument, NULL, OPT_MULTI_USER },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "enable-local-flock", no_argument, NULL, OPT_LOCAL_FLOCK },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -DER_INVAL;
}

/* A count of at least @min: the whole string a decimal number. */
static int
parse_count(const char *s, int min, int *out)
{
	char *end;
	long v;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -DER_INVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > 1024)
		return -DER_INVAL;
	*out = (int)v;
	return 0;
}

/* Replace *@slot with a copy of @value; a second value for one setting is an error. */
static int
set_once(char **slot, const char *value, const char *what, char *err, size_t errlen)
{
	if (*slot != NULL)
		return fail(err, errlen, "%s given twice ('%s' and '%s')", what, *slot, value);
	if (value[0] == '\0')
		return fail(err, errlen, "%s is empty", what);
	*slot = d_strdup(value);
	if (*slot == NULL)
		return fail(err, errlen, "out of memory");
	return 0;
}

static int
append_fuse_opt(struct dfuse_opts *o, const char *word, size_t len, char *err, size_t errlen)
{
	size_t old = o->fuse_opts != NULL ? strlen(o->fuse_opts) : 0;
	char *n;

	n = d_realloc(o->fuse_opts, old + len + 2);
	if (n == NULL)
		return fail(err, errlen, "out of memory");
	if (old != 0)
		n[old++] = ',';
	memcpy(n + old, word, len);
	n[old + len] = '\0';
	o->fuse_opts = n;
	return 0;
}

/* One word of an -o list: ours (pool=, container=, the flags) or handed to FUSE. */
static int
parse_o_word(struct dfuse_opts *o, const char *w, size_t len, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} flags[] = {
		{ "foreground", offsetof(struct dfuse_opts, foreground) },
		{ "singlethread", offsetof(struct dfuse_opts, singlethread) },
		{ "disable-caching", offsetof(struct dfuse_opts, disable_caching) },
		{ "disable-wb-cache", offsetof(struct dfuse_opts, disable_wb_cache) },
		{ "enable-wb-cache", offsetof(struct dfuse_opts, enable_wb_cache) },
		{ "multi-user", offsetof(struct dfuse_opts, multi_user) },
		{ "read-only", offsetof(struct dfuse_opts, read_only) },
		{ "ro", offsetof(struct dfuse_opts, read_only) },
		{ "enable-local-flock", offsetof(struct dfuse_opts, local_flock) },
	};
	char word[256];
	const char *eq, *val;
	size_t i;

	if (len == 0)
		return 0;
	if (len >= sizeof(word))
		return fail(err, errlen, "mount option too long: '%.40s...'", w);
	memcpy(word, w, len);
	word[len] = '\0';
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		if (strcmp(word, flags[i].name) == 0) {
			*(bool *)((char *)o + flags[i].off) = true;
			return 0;
		}
	}
	if (strcmp(word, "rw") == 0)
		return 0;
	eq = strchr(word, '=');
	if (eq == NULL)
		return append_fuse_opt(o, w, len, err, errlen);
	val = eq + 1;
	if (strncmp(word, "pool=", 5) == 0)
		return set_once(&o->pool, val, "pool", err, errlen);
	if (strncmp(word, "container=", 10) == 0 || strncmp(word, "cont=", 5) == 0)
		return set_once(&o->cont, val, "container", err, errlen);
	if (strncmp(word, "sys-name=", 9) == 0)
		return set_once(&o->sys_name, val, "sys-name", err, errlen);
	if (strncmp(word, "thread-count=", 13) == 0) {
		if (parse_count(val, 1, &o->thread_count) != 0)
			return fail(err, errlen,
				    "invalid thread-count '%s': expected a number from 1 to 1024",
				    val);
		return 0;
	}
	if (strncmp(word, "eq-count=", 9) == 0) {
		if (parse_count(val, 1, &o->eq_count) != 0)
			return fail(err, errlen,
				    "invalid eq-count '%s': expected a number from 1 to 1024", val);
		return 0;
	}
	return append_fuse_opt(o, w, len, err, errlen);
}

static int
parse_o_list(struct dfuse_opts *o, const char *list, char *err, size_t errlen)
{
	const char *p = list;
	int rc;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);

		rc = parse_o_word(o, p, len, err, errlen);
		if (rc != 0 || comma == NULL)
			return rc;
		p = comma + 1;
	}
}

int
dfuse_opts_parse(int argc, char **argv, struct dfuse_opts *o, char *err, size_t errlen)
{
	int nr_pos, c, rc;

	memset(o, 0, sizeof(*o));
	err[0] = '\0';
	/* optind 0 makes glibc start over, so the tests can parse many command lines. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:p:c:t:fSo:hv", long_opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'm':
			rc = set_once(&o->mountpoint, optarg, "mount point", err, errlen);
			break;
		case 'p':
			rc = set_once(&o->pool, optarg, "pool", err, errlen);
			break;
		case 'c':
			rc = set_once(&o->cont, optarg, "container", err, errlen);
			break;
		case OPT_PATH:
			rc = set_once(&o->path, optarg, "--path", err, errlen);
			break;
		case OPT_SYS_NAME:
			rc = set_once(&o->sys_name, optarg, "--sys-name", err, errlen);
			break;
		case 't':
			if (parse_count(optarg, 1, &o->thread_count) != 0)
				rc = fail(
					err, errlen,
					"invalid --thread-count '%s': expected a number from 1 to 1024",
					optarg);
			break;
		case OPT_EQ_COUNT:
			if (parse_count(optarg, 1, &o->eq_count) != 0)
				rc = fail(
					err, errlen,
					"invalid --eq-count '%s': expected a number from 1 to 1024",
					optarg);
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'S':
			o->singlethread = true;
			break;
		case 'o':
			rc = parse_o_list(o, optarg, err, errlen);
			break;
		case OPT_DISABLE_CACHING:
			o->disable_caching = true;
			break;
		case OPT_DISABLE_WB:
			o->disable_wb_cache = true;
			break;
		case OPT_ENABLE_WB:
			o->enable_wb_cache = true;
			break;
		case OPT_MULTI_USER:
			o->multi_user = true;
			break;
		case OPT_READ_ONLY:
			o->read_only = true;
			break;
		case OPT_LOCAL_FLOCK:
			o->local_flock = true;
			break;
		case 'h':
			o->help = true;
			break;
		case 'v':
			o->version = true;
			break;
		case ':':
			rc = fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			break;
		default:
			if (optopt != 0 && optopt < 256)
				rc = fail(err, errlen, "unknown option '-%c' (see dfuse --help)",
					  optopt);
			else
				rc = fail(err, errlen, "unknown option '%s' (see dfuse --help)",
					  argv[optind - 1]);
			break;
		}
		if (rc != 0)
			return rc;
	}
	if (o->help || o->version)
		return 0;

	nr_pos = argc - optind;
	if (nr_pos > 3)
		return fail(err, errlen, "expected MOUNTPOINT [POOL [CONTAINER]], got %d arguments",
			    nr_pos);
	if (nr_pos >= 1) {
		rc = set_once(&o->mountpoint, argv[optind], "mount point", err, errlen);
		if (rc != 0)
			return rc;
	}
	if (nr_pos >= 2) {
		rc = set_once(&o->pool, argv[optind + 1], "pool", err, errlen);
		if (rc == 0 && nr_pos == 3)
			rc = set_once(&o->cont, argv[optind + 2], "container", err, errlen);
		if (rc != 0)
			return rc;
	}

	if (o->mountpoint == NULL && o->path != NULL) {
		o->mountpoint = d_strdup(o->path);
		if (o->mountpoint == NULL)
			return fail(err, errlen, "out of memory");
	}
	if (o->mountpoint == NULL)
		return fail(err, errlen,
			    "no mount point given (dfuse -m MOUNTPOINT --pool POOL --cont CONT)");
	if (o->path != NULL && (o->pool != NULL || o->cont != NULL))
		return fail(
			err, errlen,
			"--path names the pool and container itself; do not also give --pool or --cont");
	/* No container: a pool mount; no pool either: a system mount. */
	if (o->path == NULL && o->pool == NULL && o->cont != NULL)
		return fail(err, errlen, "no pool given for container %s (--pool POOL)", o->cont);
	if (o->disable_wb_cache && o->enable_wb_cache)
		return fail(err, errlen,
			    "--enable-wb-cache and --disable-wb-cache contradict each other");
	if (o->disable_caching && o->enable_wb_cache)
		return fail(err, errlen,
			    "--enable-wb-cache needs caching, which --disable-caching turns off");
	return 0;
}

void
dfuse_opts_fini(struct dfuse_opts *o)
{
	d_free(o->mountpoint);
	d_free(o->pool);
	d_free(o->cont);
	d_free(o->path);
	d_free(o->sys_name);
	d_free(o->fuse_opts);
	memset(o, 0, sizeof(*o));
}

int
dfuse_uns_parse(const char *value, char **pool, char **cont)
{
	char type[16], po[128], co[128]; /* labels: 127 characters at most */

	/* dfuse mounts POSIX containers only. */
	if (uns_parse(value, type, sizeof(type), po, sizeof(po), co, sizeof(co)) != 0 ||
	    strcmp(type, "POSIX") != 0)
		return -DER_INVAL;
	*pool = d_strdup(po);
	*cont = d_strdup(co);
	if (*pool == NULL || *cont == NULL) {
		d_free(*pool);
		d_free(*cont);
		return -DER_NOMEM;
	}
	return 0;
}

int
dfuse_threads_resolve(int thread_count, int eq_count, int nr_cpus, int *fuse_threads, int *nr_eqs,
		      char *err, size_t errlen)
{
	int eqs = eq_count > 0 ? eq_count : 1;
	int total;

	if (thread_count > 0) {
		if (thread_count <= eqs)
			return fail(
				err, errlen,
				"--thread-count (%d) must be larger than --eq-count (%d): each event queue takes one of the threads",
				thread_count, eqs);
		total = thread_count;
	} else {
		total = D_MIN(D_MAX(nr_cpus, 1), DFUSE_MAX_DEFAULT_THREADS);
		/* On a small machine the default still leaves one thread for FUSE. */
		if (total <= eqs)
			total = eqs + 1;
	}
	*fuse_threads = total - eqs;
	*nr_eqs = eqs;
	return 0;
}

/* ---- durations and cache attributes ---- */

#define DFUSE_ATTR_NAME(id, name) [id] = name,
const char *const dfuse_cache_attr_names[DFUSE_NR_CACHE_ATTRS] = { DFUSE_CACHE_ATTRS(
	DFUSE_ATTR_NAME) };
#undef DFUSE_ATTR_NAME

int
dfuse_duration_parse(const char *s, double *secs)
{
	char *end;
	double v, mult = 1;

	if (s == NULL || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -DER_INVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -DER_INVAL;
	if (*end != '\0') {
		switch (tolower((unsigned char)*end)) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		default:
			return -DER_INVAL;
		}
		if (end[1] != '\0')
			return -DER_INVAL;
	}
	/* A year is far beyond any timeout the kernel keeps meaningfully. */
	if (v * mult > 366.0 * 86400)
		return -DER_INVAL;
	*secs = v * mult;
	return 0;
}

void
dfuse_cache_defaults(struct dfuse_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->attr_time = 1;
	c->dentry_time = 1;
	c->dentry_dir_time = 5;
	c->ndentry_time = 5;
	c->data_mode = DFUSE_DATA_TIMED;
	c->data_time = 600;
}

void
dfuse_cache_disabled(struct dfuse_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->data_mode = DFUSE_DATA_OFF;
}

static bool
word_is(const char *v, const char *a, const char *b)
{
	return strcasecmp(v, a) == 0 || strcasecmp(v, b) == 0;
}

int
dfuse_cache_resolve(const char *const values[DFUSE_NR_CACHE_ATTRS], struct dfuse_cache *c,
		    char *err, size_t errlen)
{
	double *times[] = {
		[DFUSE_ATTR_TIME] = &c->attr_time,
		[DFUSE_DENTRY_TIME] = &c->dentry_time,
		[DFUSE_DENTRY_DIR_TIME] = &c->dentry_dir_time,
		[DFUSE_NDENTRY_TIME] = &c->ndentry_time,
	};
	const char *v;
	bool any = false;
	int i;

	for (i = 0; i < DFUSE_NR_CACHE_ATTRS; i++)
		any |= values[i] != NULL;
	if (!any) {
		dfuse_cache_defaults(c);
		return 0;
	}
	/* Once the container says anything about caching, what it leaves unsaid is off. */
	dfuse_cache_disabled(c);
	for (i = DFUSE_ATTR_TIME; i <= DFUSE_NDENTRY_TIME; i++) {
		if (values[i] != NULL && dfuse_duration_parse(values[i], times[i]) != 0)
			return fail(
				err, errlen,
				"container attribute %s has value '%s': expected a duration such as 5, 30s, 10m or 1h",
				dfuse_cache_attr_names[i], values[i]);
	}
	v = values[DFUSE_DATA_CACHE];
	if (v != NULL) {
		if (word_is(v, "on", "true")) {
			c->data_mode = DFUSE_DATA_ON;
		} else if (word_is(v, "off", "false")) {
			c->data_mode = DFUSE_DATA_OFF;
		} else if (strcasecmp(v, "otoc") == 0) {
			c->data_mode = DFUSE_DATA_OTOC;
		} else if (dfuse_duration_parse(v, &c->data_time) == 0) {
			c->data_mode = c->data_time > 0 ? DFUSE_DATA_TIMED : DFUSE_DATA_OFF;
		} else {
			return fail(
				err, errlen,
				"container attribute %s has value '%s': expected on, off, otoc or a duration",
				dfuse_cache_attr_names[DFUSE_DATA_CACHE], v);
		}
	}
	v = values[DFUSE_DIRECT_IO_DISABLE];
	if (v != NULL) {
		if (word_is(v, "on", "true"))
			c->direct_io_disable = true;
		else if (!word_is(v, "off", "false"))
			return fail(err, errlen,
				    "container attribute %s has value '%s': expected on or off",
				    dfuse_cache_attr_names[DFUSE_DIRECT_IO_DISABLE], v);
	}
	return 0;
}

/* Does mountinfo path @field (up to a space) spell @path once \ooo escapes are undone? */
static bool
mountinfo_path_is(const char *field, const char *path)
{
	const char *f = field;
	const char *p = path;

	while (*f != '\0' && *f != ' ' && *f != '\n') {
		int c = (unsigned char)*f;

		if (c == '\\' && f[1] >= '0' && f[1] <= '3' && f[2] >= '0' && f[2] <= '7' &&
		    f[3] >= '0' && f[3] <= '7') {
			c = (f[1] - '0') * 64 + (f[2] - '0') * 8 + (f[3] - '0');
			f += 4;
		} else {
			f++;
		}
		if (*p == '\0' || (unsigned char)*p != c)
			return false;
		p++;
	}
	return *p == '\0';
}

int
dfuse_mountinfo_dev(const char *mountinfo, const char *mountpoint, unsigned int *major,
		    unsigned int *minor)
{
	const char *line = mountinfo;
	int found = -DER_NONEXIST;

	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ...": the last match is the newest. */
	while (line != NULL && *line != '\0') {
		const char *next = strchr(line, '\n');
		const char *f = line;
		unsigned int ma, mi;
		int i;

		for (i = 0; i < 4 && f != NULL; i++) {
			if (i == 2 && sscanf(f, "%u:%u", &ma, &mi) != 2)
				break;
			f = strchr(f, ' ');
			if (f != NULL)
				f++;
		}
		if (i == 4 && f != NULL && (next == NULL || f < next) &&
		    mountinfo_path_is(f, mountpoint)) {
			*major = ma;
			*minor = mi;
			found = 0;
		}
		line = next != NULL ? next + 1 : NULL;
	}
	return found;
}
