/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage_conf.c - the bdev description file (daos_nvme.conf, format and parser in
 * bio.h) made from daos_server.yml at format and written atomically next to the
 * superblock. CONFIG_ROLE_* and BIO_ROLE_* have the same bits.
 */
#define D_LOGFAC DD_FAC(control)

#include <errno.h>
#include <fcntl.h>
#include <gurt/common.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "common/file.h"
#include "control/storage.h"

_Static_assert(CONFIG_ROLE_WAL == BIO_ROLE_WAL && CONFIG_ROLE_META == BIO_ROLE_META &&
		       CONFIG_ROLE_DATA == BIO_ROLE_DATA,
	       "config and bio role bits differ");

char *
storage_bdev_conf_path(const struct config_server *cfg, unsigned int idx)
{
	char *sb = storage_sb_path(cfg, idx);
	char *path = NULL;
	char *slash;

	if (sb == NULL)
		return NULL;
	slash = strrchr(sb, '/');
	*slash = '\0';
	d_asprintf(&path, "%s/%s", sb, STORAGE_BDEV_CONF);
	d_free(sb);
	return path;
}

int
storage_bdev_conf_make(const struct config_server *cfg, unsigned int idx, uint64_t scm_bytes,
		       struct bio_conf *conf)
{
	const struct config_engine *e = &cfg->engines[idx];
	struct bio_conf c = { NULL, 0 };
	unsigned int nr = e->nr_storage > 1 ? e->nr_storage - 1 : 1;
	unsigned int t;
	unsigned int d;
	int rc = 0;

	c.tiers = d_calloc(nr, sizeof(*c.tiers));
	if (c.tiers == NULL)
		return -DER_NOMEM;
	c.nr_tiers = nr;
	if (e->nr_storage <= 1) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", e->storage[0].scm_mount,
			 STORAGE_NO_BDEV_FILE);
		c.tiers[0] = (struct bio_conf_tier){
			.tier = 1, .class = BIO_CONF_FILE, .roles = BIO_ROLE_ALL, .size = scm_bytes
		};
		rc = bio_conf_tier_add_dev(&c.tiers[0], path);
	}
	for (t = 1; rc == 0 && t < e->nr_storage; t++) {
		const struct config_tier *ct = &e->storage[t];
		struct bio_conf_tier *bt = &c.tiers[t - 1];

		bt->tier = t;
		bt->class = ct->class == CONFIG_CLASS_FILE   ? BIO_CONF_FILE
			    : ct->class == CONFIG_CLASS_KDEV ? BIO_CONF_KDEV
							     : BIO_CONF_NVME;
		bt->roles = ct->roles != 0 ? ct->roles : (e->nr_storage == 2 ? CONFIG_ROLE_ALL : 0);
		if (bt->roles == 0 && t == 1)
			bt->roles = CONFIG_ROLE_WAL | CONFIG_ROLE_META;
		else if (bt->roles == 0)
			bt->roles = CONFIG_ROLE_DATA;
		bt->size = ct->class == CONFIG_CLASS_FILE ? ct->bdev_size * 1000000000ULL : 0;
		for (d = 0; rc == 0 && d < ct->bdev_list.nr; d++)
			rc = bio_conf_tier_add_dev(bt, ct->bdev_list.str[d]);
	}
	if (rc != 0) {
		bio_conf_fini(&c);
		return rc;
	}
	*conf = c;
	return 0;
}

int
storage_bdev_conf_write(const char *path, const struct bio_conf *conf)
{
	char *text = NULL;
	int rc;

	rc = bio_conf_encode(conf, &text);
	if (rc == 0)
		rc = d_file_write_atomic(path, text, strlen(text), 0644);
	d_free(text);
	return rc;
}
