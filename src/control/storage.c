/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage.c - scanning and formatting the storage of daos_server's engines, and their
 * superblocks (interface and rules in storage.h).
 *
 * Superblock format: lines of "key: value", in any order, every key once:
 *   version (integer), uuid (36 characters), system (<= 15 characters), rank (integer),
 *   valid_rank (true/false), uri (text, may be empty), host_fault_domain (text starting
 *   with /), incarnation (integer), engine_idx (integer).
 * Lines starting with '#' and blank lines are ignored. It is written whole to a temporary
 * file and renamed over the old one, so a crash leaves the old or the new, never a mix.
 */
#define D_LOGFAC DD_FAC(control)

#include "control/storage.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gurt/common.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "bio/bio.h"
#include "common/file.h"

#define TMPFS_MAGIC_NR 0x01021994
#define GiB ((uint64_t)1 << 30)
#define GB ((uint64_t)1000000000)
/* Room left in a tmpfs beyond the engine's device file (superblock, logs). */
#define TMPFS_SLACK ((uint64_t)64 << 20)

static void errf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* --- superblocks --- */

static bool
parse_u64(const char *v, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*v))
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool
text_ok(const char *v, size_t max)
{
	const char *p;

	if (strlen(v) >= max)
		return false;
	for (p = v; *p != '\0'; p++)
		if (!isprint((unsigned char)*p))
			return false;
	return true;
}

int
storage_sb_parse(const char *buf, size_t len, struct storage_sb *sb, char *err, size_t err_len)
{
	enum { K_VERSION, K_UUID, K_SYSTEM, K_RANK, K_VALID, K_URI, K_FD, K_INC, K_IDX, K_NR };
	static const char *const keys[K_NR] = {
		"version",           "uuid",        "system",    "rank", "valid_rank", "uri",
		"host_fault_domain", "incarnation", "engine_idx"
	};
	bool seen[K_NR] = { false };
	struct storage_sb s;
	size_t off = 0;
	int lineno = 0;
	int k;

	memset(&s, 0, sizeof(s));
	while (off < len) {
		char line[512];
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		char *colon;
		char *val;
		uint64_t u;

		lineno++;
		if (n >= sizeof(line) || memchr(buf + off, '\0', n) != NULL) {
			errf(err, err_len, "line %d: too long or not text", lineno);
			return -DER_INVAL;
		}
		memcpy(line, buf + off, n);
		line[n] = '\0';
		off += n + (nl ? 1 : 0);
		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		if (colon == NULL) {
			errf(err, err_len, "line %d: expected \"key: value\"", lineno);
			return -DER_INVAL;
		}
		*colon = '\0';
		val = colon + 1;
		while (*val == ' ')
			val++;
		for (k = 0; k < K_NR && strcmp(line, keys[k]) != 0; k++)
			;
		if (k == K_NR) {
			errf(err, err_len, "line %d: unknown key \"%.64s\"", lineno, line);
			return -DER_INVAL;
		}
		if (seen[k]) {
			errf(err, err_len, "line %d: %s: given twice", lineno, keys[k]);
			return -DER_INVAL;
		}
		seen[k] = true;
		switch (k) {
		case K_VERSION:
		case K_RANK:
		case K_INC:
		case K_IDX:
			if (!parse_u64(val, &u) || (k != K_INC && u > UINT32_MAX)) {
				errf(err, err_len,
				     "line %d: %s: expected an integer, got \"%.64s\"", lineno,
				     keys[k], val);
				return -DER_INVAL;
			}
			if (k == K_VERSION)
				s.version = (uint32_t)u;
			else if (k == K_RANK)
				s.rank = (uint32_t)u;
			else if (k == K_INC)
				s.incarnation = u;
			else
				s.engine_idx = (uint32_t)u;
			break;
		case K_UUID: {
			uuid_t tmp;

			if (strlen(val) != 36 || uuid_parse(val, tmp) != 0) {
				errf(err, err_len, "line %d: uuid: not a UUID: \"%.64s\"", lineno,
				     val);
				return -DER_INVAL;
			}
			memcpy(s.uuid, val, 37);
			break;
		}
		case K_SYSTEM:
			if (*val == '\0' || !text_ok(val, sizeof(s.system))) {
				errf(err, err_len,
				     "line %d: system: expected a name of 1 to %zu "
				     "characters",
				     lineno, sizeof(s.system) - 1);
				return -DER_INVAL;
			}
			memcpy(s.system, val, strlen(val) + 1);
			break;
		case K_VALID:
			if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0) {
				errf(err, err_len, "line %d: valid_rank: expected true or false",
				     lineno);
				return -DER_INVAL;
			}
			s.valid_rank = val[0] == 't';
			break;
		case K_URI:
			if (!text_ok(val, sizeof(s.uri))) {
				errf(err, err_len, "line %d: uri: too long or not text", lineno);
				return -DER_INVAL;
			}
			memcpy(s.uri, val, strlen(val) + 1);
			break;
		case K_FD:
			if (val[0] != '/' || !text_ok(val, sizeof(s.fault_domain))) {
				errf(err, err_len,
				     "line %d: host_fault_domain: expected a path "
				     "starting with /",
				     lineno);
				return -DER_INVAL;
			}
			memcpy(s.fault_domain, val, strlen(val) + 1);
			break;
		}
	}
	for (k = 0; k < K_NR; k++) {
		if (!seen[k]) {
			errf(err, err_len, "missing key %s", keys[k]);
			return -DER_INVAL;
		}
	}
	if (s.version > STORAGE_SB_VERSION) {
		errf(err, err_len, "version %u is newer than this daos_server understands (%d)",
		     s.version, STORAGE_SB_VERSION);
		return -DER_DF_INCOMPT;
	}
	*sb = s;
	return 0;
}

int
storage_sb_write(const char *path, const struct storage_sb *sb)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "# DAOS engine superblock: written by daos_server, do not edit\n"
		     "version: %u\nuuid: %s\nsystem: %s\nrank: %u\nvalid_rank: %s\nuri: %s\n"
		     "host_fault_domain: %s\nincarnation: %" PRIu64 "\nengine_idx: %u\n",
		     sb->version, sb->uuid, sb->system, sb->rank, sb->valid_rank ? "true" : "false",
		     sb->uri, sb->fault_domain, sb->incarnation, sb->engine_idx);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -DER_OVERFLOW;
	return d_file_write_atomic(path, buf, (size_t)n, 0644);
}

int
storage_sb_read(const char *path, struct storage_sb *sb, char *err, size_t err_len)
{
	char buf[4096];
	ssize_t n;
	int fd;
	int rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -daos_errno2der(errno);
		if (rc != -DER_NONEXIST)
			errf(err, err_len, "%s: %s", path, strerror(errno));
		return rc;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		errf(err, err_len, "%s: %s", path, strerror(errno));
		return -DER_IO;
	}
	if ((size_t)n == sizeof(buf)) {
		errf(err, err_len, "%s: larger than a superblock can be", path);
		return -DER_INVAL;
	}
	rc = storage_sb_parse(buf, (size_t)n, sb, err, err_len);
	if (rc != 0 && err != NULL && err_len > 0) {
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", err);
		errf(err, err_len, "superblock %s: %s", path, inner);
	}
	return rc;
}

static bool
md_on_ssd(const struct config_server *cfg, const struct config_engine *e)
{
	return e->md_on_ssd && cfg->control_metadata.path != NULL;
}

char *
storage_sb_path(const struct config_server *cfg, unsigned int idx)
{
	const struct config_engine *e = &cfg->engines[idx];
	char *path = NULL;

	if (md_on_ssd(cfg, e))
		d_asprintf(&path, "%s/daos_control/engine%u/%s", cfg->control_metadata.path, idx,
			   STORAGE_SB_NAME);
	else
		d_asprintf(&path, "%s/%s", e->storage[0].scm_mount, STORAGE_SB_NAME);
	return path;
}

/* --- scan --- */

static bool
is_tmpfs(const char *path)
{
	struct statfs st;
	struct stat here, up;
	char parent[PATH_MAX];

	if (statfs(path, &st) != 0 || st.f_type != TMPFS_MAGIC_NR)
		return false;
	/*
	 * A tmpfs mounted at @path, not a directory that happens to live on one (/dev/shm,
	 * a /tmp on tmpfs): a mount point is on another device than its parent.
	 */
	if ((size_t)snprintf(parent, sizeof(parent), "%s/..", path) >= sizeof(parent) ||
	    stat(path, &here) != 0 || stat(parent, &up) != 0)
		return false;
	return here.st_dev != up.st_dev || here.st_ino == up.st_ino;
}

static uint64_t
fs_free(const char *path)
{
	struct statvfs st;

	if (statvfs(path, &st) != 0)
		return 0;
	return (uint64_t)st.f_bavail * st.f_frsize;
}

/* Open a bdev of a tier: 0 and the device, or a negative code. */
static int
bdev_open(const struct config_tier *t, const char *path, bool create, struct bio_dev **out)
{
	if (t->class == CONFIG_CLASS_KDEV)
		return bio_dev_open(path, 0, BIO_DEV_KDEV, out);
	return bio_dev_open(path, t->bdev_size * GB, create ? BIO_DEV_CREATE : 0, out);
}

int
storage_scan_engine(const struct config_server *cfg, unsigned int idx,
		    struct storage_engine_state *out)
{
	const struct config_engine *e;
	struct storage_engine_state st;
	char *sb_path;
	unsigned int i;
	int rc;

	if (idx >= cfg->nr_engines)
		return -DER_INVAL;
	e = &cfg->engines[idx];
	memset(&st, 0, sizeof(st));
	st.idx = idx;
	st.tiers = d_calloc(e->nr_storage, sizeof(*st.tiers));
	if (st.tiers == NULL)
		return -DER_NOMEM;
	st.nr_tiers = e->nr_storage;
	for (i = 0; i < e->nr_storage; i++) {
		const struct config_tier *t = &e->storage[i];
		struct storage_tier_state *ts = &st.tiers[i];
		struct stat sbuf;

		ts->class = t->class;
		if (t->class == CONFIG_CLASS_RAM || t->class == CONFIG_CLASS_DCPM) {
			ts->path = d_strdup(t->scm_mount);
			ts->size = t->scm_size * GiB;
			ts->ready = stat(t->scm_mount, &sbuf) == 0 && S_ISDIR(sbuf.st_mode);
			ts->tmpfs = ts->ready && is_tmpfs(t->scm_mount);
			ts->free = ts->ready ? fs_free(t->scm_mount) : 0;
		} else {
			unsigned int d;

			ts->nr_devs = t->bdev_list.nr;
			ts->path = t->bdev_list.nr > 0 ? d_strdup(t->bdev_list.str[0]) : NULL;
			ts->dev_sizes = d_calloc(t->bdev_list.nr + 1, sizeof(*ts->dev_sizes));
			if (ts->dev_sizes == NULL) {
				storage_engine_state_fini(&st);
				return -DER_NOMEM;
			}
			ts->ready = t->bdev_list.nr > 0 && t->class != CONFIG_CLASS_NVME;
			for (d = 0; d < t->bdev_list.nr && t->class != CONFIG_CLASS_NVME; d++) {
				struct bio_dev *dev;
				int orc;

				orc = bdev_open(t, t->bdev_list.str[d], false, &dev);
				if (orc != 0) {
					/* An emulated device not created yet: its size to be */
					if (orc == -DER_NONEXIST && t->class == CONFIG_CLASS_FILE)
						ts->dev_sizes[d] = t->bdev_size * GB;
					ts->size += ts->dev_sizes[d];
					ts->ready = false;
					continue;
				}
				ts->dev_sizes[d] = bio_dev_size(dev);
				ts->size += ts->dev_sizes[d];
				if (bio_dev_load(dev) == 0)
					ts->free += bio_dev_free(dev);
				else
					ts->ready = false;
				bio_dev_close(dev);
			}
		}
		if (ts->path == NULL && (t->scm_mount != NULL || t->bdev_list.nr > 0)) {
			storage_engine_state_fini(&st);
			return -DER_NOMEM;
		}
	}
	sb_path = storage_sb_path(cfg, idx);
	if (sb_path == NULL) {
		storage_engine_state_fini(&st);
		return -DER_NOMEM;
	}
	rc = storage_sb_read(sb_path, &st.sb, NULL, 0);
	st.formatted = rc == 0;
	if (rc != 0 && rc != -DER_NONEXIST)
		D_WARN("engine %u: superblock %s cannot be read: " DF_RC, idx, sb_path, DP_RC(rc));
	d_free(sb_path);
	*out = st;
	return 0;
}

void
storage_engine_state_fini(struct storage_engine_state *st)
{
	unsigned int i;

	for (i = 0; i < st->nr_tiers; i++) {
		d_free(st->tiers[i].path);
		d_free(st->tiers[i].dev_sizes);
	}
	d_free(st->tiers);
	st->tiers = NULL;
	st->nr_tiers = 0;
}

/* Read a one-line sysfs attribute into @buf, trimmed; "" if absent. */
static void
sysfs_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	n = strlen(buf);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
}

int
storage_scan_host(const char *sysfs_root, struct storage_device **out, unsigned int *nr)
{
	struct storage_device *devs = NULL;
	unsigned int count = 0;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/block", sysfs_root ? sysfs_root : "/sys");
	dir = opendir(path);
	if (dir == NULL) {
		*out = NULL;
		*nr = 0;
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		struct storage_device d;
		char buf[128];
		bool nvme = strncmp(de->d_name, "nvme", 4) == 0;
		bool pmem = strncmp(de->d_name, "pmem", 4) == 0;
		struct storage_device *n;

		if (!nvme && !pmem)
			continue;
		memset(&d, 0, sizeof(d));
		snprintf(d.name, sizeof(d.name), "%.63s", de->d_name);
		d.pmem = pmem;
		snprintf(path, sizeof(path), "%s/block/%s/size", sysfs_root ? sysfs_root : "/sys",
			 d.name);
		sysfs_read(path, buf, sizeof(buf));
		d.size = strtoull(buf, NULL, 10) * 512;
		if (nvme) {
			char ctrl[64];

			/* nvme0n1 belongs to controller nvme0. */
			snprintf(ctrl, sizeof(ctrl), "%.63s", d.name);
			ctrl[strcspn(ctrl + 4, "n") + 4] = '\0';
			snprintf(path, sizeof(path), "%s/class/nvme/%s/model",
				 sysfs_root ? sysfs_root : "/sys", ctrl);
			sysfs_read(path, d.model, sizeof(d.model));
			snprintf(path, sizeof(path), "%s/class/nvme/%s/serial",
				 sysfs_root ? sysfs_root : "/sys", ctrl);
			sysfs_read(path, d.serial, sizeof(d.serial));
			snprintf(path, sizeof(path), "%s/class/nvme/%s/address",
				 sysfs_root ? sysfs_root : "/sys", ctrl);
			sysfs_read(path, d.pci_addr, sizeof(d.pci_addr));
		}
		n = d_reallocarray(devs, count + 1, sizeof(*devs));
		if (n == NULL) {
			closedir(dir);
			d_free(devs);
			return -DER_NOMEM;
		}
		devs = n;
		devs[count++] = d;
	}
	closedir(dir);
	*out = devs;
	*nr = count;
	return 0;
}

/* --- format --- */

static int
mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -DER_INVAL;
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) != 0 && errno != EEXIST)
			return -daos_errno2der(errno);
		*p = '/';
	}
	if (mkdir(tmp, mode) != 0 && errno != EEXIST)
		return -daos_errno2der(errno);
	return 0;
}

void
storage_meminfo(uint64_t *total, uint64_t *avail)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	uint64_t v;

	*total = 0;
	*avail = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "MemTotal: %" SCNu64 " kB", &v) == 1)
			*total = v * 1024;
		else if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &v) == 1)
			*avail = v * 1024;
	}
	fclose(f);
}

/* The tmpfs size for scm_size 0: what the host can spare, as DAOS computes it. */
static uint64_t
auto_scm_size(const struct config_server *cfg)
{
	uint64_t total;
	uint64_t avail;

	storage_meminfo(&total, &avail);
	if (avail <= (uint64_t)cfg->system_ram_reserved * GiB)
		return 0;
	return (avail - (uint64_t)cfg->system_ram_reserved * GiB) / cfg->nr_engines / GiB * GiB;
}

static int
format_scm(const struct config_server *cfg, const struct config_tier *t, uint64_t *size, char *err,
	   size_t err_len)
{
	static bool told_not_root;
	uint64_t bytes = t->scm_size * GiB;
	int rc;

	if (t->class == CONFIG_CLASS_DCPM) {
		errf(err, err_len,
		     "class dcpm (%s): persistent memory is not supported; use "
		     "class ram",
		     t->scm_mount);
		return -DER_NOTSUPPORTED;
	}
	if (bytes == 0) {
		bytes = auto_scm_size(cfg);
		if (bytes < 4 * GiB) {
			errf(err, err_len,
			     "%s: scm_size 0 (automatic) leaves less than 4 GiB after "
			     "system_ram_reserved (%d GiB): set scm_size",
			     t->scm_mount, cfg->system_ram_reserved);
			return -DER_NOSPACE;
		}
	}
	rc = mkdir_p(t->scm_mount, 0755);
	if (rc != 0) {
		errf(err, err_len, "%s: cannot create the directory: " DF_RC, t->scm_mount,
		     DP_RC(rc));
		return rc;
	}
	*size = bytes;
	if (geteuid() != 0) {
		if (!told_not_root)
			D_NOTE("not running as root: %s is a plain directory, not a tmpfs of %" PRIu64
			       " GiB; data is kept on the file system holding it",
			       t->scm_mount, bytes / GiB);
		told_not_root = true;
		return 0;
	}
	if (is_tmpfs(t->scm_mount) && umount(t->scm_mount) != 0) {
		errf(err, err_len, "%s: cannot unmount the old tmpfs: %s", t->scm_mount,
		     strerror(errno));
		return -DER_BUSY;
	}
	{
		char opts[96];
		bool huge = !t->scm_hugepages_disabled;

		/*
		 * scm_hugepages_disabled: false asks for huge pages (huge=always): fewer TLB
		 * misses when network transfers land in the pool (+8-13% copy speed here).
		 * A kernel without transparent huge pages for tmpfs refuses the option
		 * (EINVAL): mount a plain one and say so.
		 */
		snprintf(opts, sizeof(opts), "size=%" PRIu64 ",mode=0755%s", bytes + TMPFS_SLACK,
			 huge ? ",huge=always" : "");
		rc = mount("tmpfs", t->scm_mount, "tmpfs", MS_NOATIME, opts);
		if (rc != 0 && huge && errno == EINVAL) {
			D_WARN("%s: this kernel has no huge pages for tmpfs; mounting without "
			       "them (scm_hugepages_disabled: false is ignored)",
			       t->scm_mount);
			huge = false;
			snprintf(opts, sizeof(opts), "size=%" PRIu64 ",mode=0755",
				 bytes + TMPFS_SLACK);
			rc = mount("tmpfs", t->scm_mount, "tmpfs", MS_NOATIME, opts);
		}
		if (rc != 0) {
			errf(err, err_len, "%s: cannot mount a tmpfs: %s", t->scm_mount,
			     strerror(errno));
			return -daos_errno2der(errno);
		}
		D_INFO("mounted a tmpfs of %" PRIu64 " GiB at %s%s", bytes / GiB, t->scm_mount,
		       huge ? " (huge pages)" : "");
	}
	return 0;
}

static int
format_bdev(const struct config_tier *t, char *err, size_t err_len)
{
	unsigned int d;
	int rc;

	if (t->class == CONFIG_CLASS_NVME) {
		errf(err, err_len,
		     "class nvme (%s): NVMe is driven through the kernel here: use "
		     "class kdev with the namespace's block device (e.g. /dev/nvme0n1)",
		     t->bdev_list.nr ? t->bdev_list.str[0] : "?");
		return -DER_NOTSUPPORTED;
	}
	for (d = 0; d < t->bdev_list.nr; d++) {
		const char *path = t->bdev_list.str[d];
		struct bio_dev *dev;

		if (t->class == CONFIG_CLASS_FILE) {
			char dir[PATH_MAX];
			char *slash;

			snprintf(dir, sizeof(dir), "%s", path);
			slash = strrchr(dir, '/');
			if (slash != NULL && slash != dir) {
				*slash = '\0';
				mkdir_p(dir, 0755);
			}
		}
		rc = bdev_open(t, path, true, &dev);
		if (rc != 0) {
			errf(err, err_len, "%s: cannot open or create the device: " DF_RC, path,
			     DP_RC(rc));
			return rc;
		}
		rc = bio_dev_format(dev);
		bio_dev_close(dev);
		if (rc != 0) {
			errf(err, err_len, "%s: cannot format: " DF_RC, path, DP_RC(rc));
			return rc;
		}
	}
	return 0;
}

static int
fault_domain(const struct config_server *cfg, char *out, size_t len)
{
	char host[256];

	if (cfg->fault_path != NULL) {
		snprintf(out, len, "%s", cfg->fault_path);
		return 0;
	}
	if (gethostname(host, sizeof(host)) != 0)
		return -DER_MISC;
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	if (len < 2)
		return -DER_INVAL;
	out[0] = '/';
	snprintf(out + 1, len - 1, "%.*s", (int)(len - 2), host);
	return 0;
}

static int
write_bdev_conf(const struct config_server *cfg, unsigned int idx, uint64_t scm_bytes, char *err,
		size_t err_len)
{
	struct bio_conf conf;
	char *path = storage_bdev_conf_path(cfg, idx);
	int rc;

	if (path == NULL)
		return -DER_NOMEM;
	rc = storage_bdev_conf_make(cfg, idx, scm_bytes, &conf);
	if (rc == 0) {
		rc = storage_bdev_conf_write(path, &conf);
		bio_conf_fini(&conf);
	}
	if (rc != 0)
		errf(err, err_len, "%s: cannot write the bdev description: " DF_RC, path,
		     DP_RC(rc));
	d_free(path);
	return rc;
}

int
storage_format_engine(const struct config_server *cfg, unsigned int idx, bool force, char *err,
		      size_t err_len)
{
	const struct config_engine *e;
	struct storage_sb sb;
	uint64_t scm_bytes = 0;
	bool has_bdev = false;
	char *sb_path;
	uuid_t uuid;
	unsigned int i;
	int rc;

	if (idx >= cfg->nr_engines || cfg->engines[idx].nr_storage == 0) {
		errf(err, err_len, "engine %u has no storage configured", idx);
		return -DER_INVAL;
	}
	e = &cfg->engines[idx];
	sb_path = storage_sb_path(cfg, idx);
	if (sb_path == NULL)
		return -DER_NOMEM;
	rc = storage_sb_read(sb_path, &sb, NULL, 0);
	if (rc == 0 && !force) {
		errf(err, err_len, "engine %u is already formatted (%s); use --force to erase it",
		     idx, sb_path);
		rc = -DER_EXIST;
		goto out;
	}
	rc = format_scm(cfg, &e->storage[0], &scm_bytes, err, err_len);
	if (rc != 0)
		goto out;
	for (i = 1; i < e->nr_storage; i++) {
		rc = format_bdev(&e->storage[i], err, err_len);
		if (rc != 0)
			goto out;
		has_bdev = true;
	}
	if (!has_bdev) {
		/* No bdev tier: the engine's blobs go into a device file in scm_mount. */
		char path[PATH_MAX];
		struct bio_dev *dev;

		snprintf(path, sizeof(path), "%s/%s", e->storage[0].scm_mount,
			 STORAGE_NO_BDEV_FILE);
		unlink(path);
		rc = bio_dev_open(path, scm_bytes, BIO_DEV_CREATE, &dev);
		if (rc == 0) {
			rc = bio_dev_format(dev);
			bio_dev_close(dev);
		}
		if (rc != 0) {
			errf(err, err_len,
			     "%s: cannot create the engine's device file of %" PRIu64
			     " bytes: " DF_RC,
			     path, scm_bytes, DP_RC(rc));
			goto out;
		}
	}
	if (md_on_ssd(cfg, e)) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/daos_control/engine%u", cfg->control_metadata.path,
			 idx);
		rc = mkdir_p(dir, 0755);
		if (rc != 0) {
			errf(err, err_len, "%s: cannot create: " DF_RC, dir, DP_RC(rc));
			goto out;
		}
	}
	rc = write_bdev_conf(cfg, idx, scm_bytes, err, err_len);
	if (rc != 0)
		goto out;
	memset(&sb, 0, sizeof(sb));
	sb.version = STORAGE_SB_VERSION;
	uuid_generate(uuid);
	uuid_unparse_lower(uuid, sb.uuid);
	snprintf(sb.system, sizeof(sb.system), "%s", cfg->name);
	sb.engine_idx = idx;
	rc = fault_domain(cfg, sb.fault_domain, sizeof(sb.fault_domain));
	if (rc == 0)
		rc = storage_sb_write(sb_path, &sb);
	if (rc != 0) {
		errf(err, err_len, "%s: cannot write the superblock: " DF_RC, sb_path, DP_RC(rc));
		goto out;
	}
	D_INFO("engine %u formatted (superblock %s)", idx, sb_path);
out:
	d_free(sb_path);
	return rc;
}
