/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/storage.h - what daos_server does to storage: scan, format, superblocks.
 *
 * Per engine of daos_server.yml: the first tier (class ram) is a tmpfs of scm_size GiB at
 * scm_mount when we are root, or a plain directory there otherwise (said once in the
 * log: data then lives on whatever file system holds it); later tiers are bdev files
 * (class file, bdev_size GB each, created and given a blob table), kernel block devices
 * (class kdev, given a blob table) or NVMe (not driven: refused at format with a
 * message). With no bdev tier, the engine's blobs live in a device file under scm_mount
 * (NO_BDEV_FILE), sized to scm_size.
 *
 * The superblock (a small YAML file, DAOS's fields) marks an engine formatted and keeps
 * its rank across restarts. It lives in scm_mount, or under control_metadata.path in
 * MD-on-SSD mode (DAOS's places). Its parser takes untrusted bytes: it is strict and
 * fuzzed.
 *
 * All functions run in daos_server's thread; they block (format may take seconds).
 * Errors: 0 or -DER_*, with a message in @err naming the path and the cause.
 */
#ifndef CONTROL_STORAGE_H
#define CONTROL_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bio/bio.h"
#include "control/config.h"

#define STORAGE_SB_NAME "superblock"
#define STORAGE_BDEV_CONF BIO_CONF_NAME
#define STORAGE_NO_BDEV_FILE "daos_vos.bdev"
#define STORAGE_SB_VERSION 0

/* An engine's superblock. */
struct storage_sb {
	uint32_t version;
	char uuid[37];   /* engine uuid, text form */
	char system[16]; /* system name */
	uint32_t rank;   /* valid when valid_rank */
	bool valid_rank;
	char uri[128];          /* primary fabric URI, may be empty */
	char fault_domain[256]; /* "/host" */
	uint64_t incarnation;
	uint32_t engine_idx;
};

/*
 * Parse a superblock from @len bytes. Returns 0, or -DER_INVAL with a message in @err
 * ("line 3: rank: expected an integer, got "x""). Unknown keys are errors.
 */
int storage_sb_parse(const char *buf, size_t len, struct storage_sb *sb, char *err, size_t err_len);
/* Write @sb atomically (temporary file, fsync, rename, fsync of the directory). */
int storage_sb_write(const char *path, const struct storage_sb *sb);
/* Read the superblock at @path; -DER_NONEXIST if there is none. */
int storage_sb_read(const char *path, struct storage_sb *sb, char *err, size_t err_len);

/* Where engine @idx keeps its superblock (caller frees). */
char *storage_sb_path(const struct config_server *cfg, unsigned int idx);

/*
 * The bdev description file (bio.h: daos_nvme.conf, next to the superblock). A bdev tier
 * without roles carries all three when it is the only one (metadata is durable on the
 * devices, unlike DAOS's PMem-less RAM tier), else wal+meta on the first and data on the
 * others; with no bdev tier, the device file in scm_mount carries them.
 */
/* Where engine @idx keeps its bdev description file (caller frees). */
char *storage_bdev_conf_path(const struct config_server *cfg, unsigned int idx);
/*
 * What engine @idx's file says after a format (@scm_bytes: the scm tier's size, for the
 * device file when there is no bdev tier). 0 or -DER_NOMEM.
 */
int storage_bdev_conf_make(const struct config_server *cfg, unsigned int idx, uint64_t scm_bytes,
			   struct bio_conf *conf);
/* Write @conf to @path atomically. */
int storage_bdev_conf_write(const char *path, const struct bio_conf *conf);

/* --- scan --- */

struct storage_tier_state {
	enum config_class class;
	char *path; /* scm_mount, or the first bdev path */
	unsigned int nr_devs;
	/*
	 * Bytes of each of the nr_devs bdevs (NULL when nr_devs is 0): a file's size when it
	 * exists, else bdev_size (what a format creates); a kernel device's size; 0 for nvme
	 * and for a device that cannot be opened.
	 */
	uint64_t *dev_sizes;
	uint64_t size; /* bytes: scm_size, or the sum of dev_sizes */
	uint64_t free; /* bytes free (scm: file system; bdev: blob table), 0 if unknown */
	bool ready;    /* formatted: mounted / devices present with a blob table */
	bool tmpfs;    /* ram: a tmpfs is mounted there */
};

struct storage_engine_state {
	unsigned int idx;
	bool formatted; /* the superblock exists */
	struct storage_sb sb;
	struct storage_tier_state *tiers;
	unsigned int nr_tiers;
};

/* What the configured storage of engine @idx looks like now. */
int storage_scan_engine(const struct config_server *cfg, unsigned int idx,
			struct storage_engine_state *out);
void storage_engine_state_fini(struct storage_engine_state *st);

/* Devices found on the host that could be configured (sysfs), for `storage scan`. */
struct storage_device {
	char name[64]; /* "nvme0n1", "pmem0" */
	char model[64];
	char serial[64];
	char pci_addr[32]; /* NVMe controllers */
	uint64_t size;
	bool pmem;
};

/* Scan /sys for NVMe namespaces and PMem devices; *out is d_malloc'ed. */
int storage_scan_host(const char *sysfs_root, struct storage_device **out, unsigned int *nr);

/* Bytes of RAM on the host and available now (/proc/meminfo; 0 if unknown). */
void storage_meminfo(uint64_t *total, uint64_t *avail);

/* --- format --- */

/*
 * Format engine @idx: prepare its tiers and write a superblock with a new uuid (no rank
 * yet). An engine already formatted is refused with -DER_EXIST unless @force, which
 * destroys what it held. Returns 0, -DER_EXIST, -DER_NOTSUPPORTED (class dcpm or nvme
 * without a kernel driver path), -DER_NOSPACE, -DER_NO_PERM, -DER_IO.
 */
int storage_format_engine(const struct config_server *cfg, unsigned int idx, bool force, char *err,
			  size_t err_len);

#endif /* CONTROL_STORAGE_H */
