/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_storage.c - the storage calls of the control API, answered by each host for
 * itself: StorageScan (configured tiers and what sysfs shows) and StorageFormat
 * (format every engine's tiers, write superblocks, then start the engines).
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <gurt/common.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "control/server/server.h"
#include "mgmt.pb-c.h"

static const char *const role_names[] = { "wal", "meta", "data" };

void
srv_storage_scan(struct server *srv, struct ctl_req *req)
{
	const struct config_server *cfg = srv->cfg;
	Mgmt__StorageScanResp resp = MGMT__STORAGE_SCAN_RESP__INIT;
	Mgmt__TierState **tiers = NULL;
	Mgmt__TierState *tier_buf = NULL;
	Mgmt__HostDevice **devs = NULL;
	Mgmt__HostDevice *dev_buf = NULL;
	struct storage_engine_state *st = NULL;
	struct storage_device *hd = NULL;
	const char *roles[3];
	unsigned int nr_hd = 0;
	unsigned int nr_tiers = 0;
	unsigned int n = 0;
	unsigned int i;
	unsigned int t;
	int rc = 0;

	st = d_calloc(cfg->nr_engines + 1, sizeof(*st));
	for (i = 0; st != NULL && rc == 0 && i < cfg->nr_engines; i++) {
		rc = storage_scan_engine(cfg, i, &st[i]);
		if (rc == 0)
			nr_tiers += st[i].nr_tiers;
	}
	if (st == NULL)
		rc = -DER_NOMEM;
	if (rc == 0)
		rc = storage_scan_host(NULL, &hd, &nr_hd);
	if (rc == 0) {
		tiers = d_calloc(nr_tiers + 1, sizeof(*tiers));
		tier_buf = d_calloc(nr_tiers + 1, sizeof(*tier_buf));
		devs = d_calloc(nr_hd + 1, sizeof(*devs));
		dev_buf = d_calloc(nr_hd + 1, sizeof(*dev_buf));
		if (tiers == NULL || tier_buf == NULL || devs == NULL || dev_buf == NULL)
			rc = -DER_NOMEM;
	}
	for (i = 0; rc == 0 && i < cfg->nr_engines; i++) {
		for (t = 0; t < st[i].nr_tiers; t++) {
			const struct storage_tier_state *ts = &st[i].tiers[t];
			const struct config_tier *ct = &cfg->engines[i].storage[t];
			Mgmt__TierState *m = &tier_buf[n];
			unsigned int r;
			unsigned int nr = 0;

			mgmt__tier_state__init(m);
			m->engine_idx = i;
			m->tier = t;
			m->class_ = (char *)config_class_name(ts->class);
			m->path = ts->path != NULL ? ts->path : (char *)"";
			if (t > 0) {
				m->devices = ct->bdev_list.str;
				m->n_devices = ct->bdev_list.nr;
				m->device_bytes = ts->dev_sizes;
				m->n_device_bytes = ts->dev_sizes != NULL ? ts->nr_devs : 0;
			}
			m->socket = cfg->engines[i].has_pinned_numa_node
					    ? cfg->engines[i].pinned_numa_node
					    : -1;
			m->total_bytes = ts->size;
			m->free_bytes = ts->free;
			m->formatted = ts->ready && st[i].formatted;
			m->tmpfs = ts->tmpfs;
			for (r = 0; t > 0 && r < 3; r++)
				if (ct->roles & (1u << r))
					roles[nr++] = role_names[r];
			/* Roles point at static strings: copy the pointers per tier. */
			if (nr > 0) {
				m->roles = d_calloc(nr, sizeof(char *));
				if (m->roles == NULL) {
					rc = -DER_NOMEM;
					break;
				}
				memcpy(m->roles, roles, nr * sizeof(char *));
				m->n_roles = nr;
			}
			m->has_rank = st[i].formatted && st[i].sb.valid_rank;
			m->rank = st[i].sb.rank;
			tiers[n++] = m;
		}
	}
	for (i = 0; rc == 0 && i < nr_hd; i++) {
		Mgmt__HostDevice *m = &dev_buf[i];

		mgmt__host_device__init(m);
		m->name = hd[i].name;
		m->model = hd[i].model;
		m->serial = hd[i].serial;
		m->pci_addr = hd[i].pci_addr;
		m->size = hd[i].size;
		m->pmem = hd[i].pmem;
		m->socket = -1;
		m->fw_rev = (char *)"";
		devs[i] = m;
	}
	resp.status = rc;
	resp.host = srv->hostname;
	if (rc == 0) {
		resp.tiers = tiers;
		resp.n_tiers = n;
		resp.devices = devs;
		resp.n_devices = nr_hd;
		storage_meminfo(&resp.mem_total, &resp.mem_avail);
	}
	srv_reply_packed(req, rc, rc == 0 ? NULL : "storage scan failed", &resp.base);
	for (i = 0; i < n; i++)
		d_free(tier_buf[i].roles);
	d_free(tiers);
	d_free(tier_buf);
	d_free(devs);
	d_free(dev_buf);
	d_free(hd);
	for (i = 0; st != NULL && i < cfg->nr_engines; i++)
		storage_engine_state_fini(&st[i]);
	d_free(st);
}

void
srv_storage_format(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	const struct config_server *cfg = srv->cfg;
	Mgmt__StorageFormatResp resp = MGMT__STORAGE_FORMAT_RESP__INIT;
	Mgmt__StorageFormatReq *in;
	Mgmt__DeviceResult *scm = NULL;
	Mgmt__DeviceResult **scm_p = NULL;
	Mgmt__DeviceResult *bdev = NULL;
	Mgmt__DeviceResult **bdev_p = NULL;
	char(*msgs)[512] = NULL;
	const char *errmsg = "out of memory";
	unsigned int nr_bdev = 0;
	unsigned int nb = 0;
	unsigned int i;
	int rc = 0;

	in = mgmt__storage_format_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "StorageFormat: malformed request", NULL, NULL, 0);
		return;
	}
	if (srv_engines_running(srv)) {
		mgmt__storage_format_req__free_unpacked(in, &proto_allocator);
		ctl_req_reply(req, -DER_BUSY,
			      "engines are running: stop them first (dmg system stop)", NULL, NULL,
			      0);
		return;
	}
	for (i = 0; i < cfg->nr_engines; i++)
		nr_bdev += cfg->engines[i].nr_storage > 1 ? cfg->engines[i].nr_storage - 1 : 0;
	scm = d_calloc(cfg->nr_engines + 1, sizeof(*scm));
	scm_p = d_calloc(cfg->nr_engines + 1, sizeof(*scm_p));
	bdev = d_calloc(nr_bdev + 1, sizeof(*bdev));
	bdev_p = d_calloc(nr_bdev + 1, sizeof(*bdev_p));
	msgs = d_calloc(cfg->nr_engines + 1, sizeof(*msgs));
	if (scm == NULL || scm_p == NULL || bdev == NULL || bdev_p == NULL || msgs == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < cfg->nr_engines; i++) {
		const struct config_engine *ce = &cfg->engines[i];
		unsigned int t;
		int erc;

		erc = storage_format_engine(cfg, i, in->force, msgs[i], sizeof(msgs[i]));
		if (erc != 0)
			D_ERROR("engine %u: format failed: %s", i, msgs[i]);
		mgmt__device_result__init(&scm[i]);
		scm[i].device = ce->storage[0].scm_mount;
		scm[i].status = erc;
		scm[i].message = msgs[i];
		scm[i].engine_idx = i;
		scm_p[i] = &scm[i];
		for (t = 1; t < ce->nr_storage; t++) {
			Mgmt__DeviceResult *b = &bdev[nb];

			mgmt__device_result__init(b);
			b->device = ce->storage[t].bdev_list.nr > 0
					    ? ce->storage[t].bdev_list.str[0]
					    : (char *)"";
			b->status = erc;
			b->message = msgs[i];
			b->engine_idx = i;
			b->roles = (char *)"";
			bdev_p[nb++] = b;
		}
		if (erc != 0 && rc == 0) {
			rc = erc;
			errmsg = msgs[i];
		}
	}
	resp.scm = scm_p;
	resp.n_scm = cfg->nr_engines;
	resp.bdev = bdev_p;
	resp.n_bdev = nb;
out:
	resp.status = rc;
	resp.host = srv->hostname;
	srv_reply_packed(req, rc, rc == 0 ? NULL : errmsg, &resp.base);
	mgmt__storage_format_req__free_unpacked(in, &proto_allocator);
	d_free(scm);
	d_free(scm_p);
	d_free(bdev);
	d_free(bdev_p);
	d_free(msgs);
	/* Formatted engines start now, as after a restart with superblocks. */
	srv_engines_start(srv);
}

/*
 * Forget this host's storage configuration (dmg system erase, after the MS forgot the
 * system): superblocks and bdev descriptions go, the RAM tier's tmpfs is unmounted (its
 * contents with it), the device file of an engine without a bdev tier is removed. The
 * engines must be stopped. Afterwards they wait for a format again.
 */
int
srv_storage_erase_local(struct server *srv, char *err, size_t err_len)
{
	unsigned int i;

	for (i = 0; i < srv->nr_engines; i++) {
		if (srv->engines[i].running) {
			snprintf(err, err_len, "engine %u is running: dmg system stop first", i);
			return -DER_BUSY;
		}
	}
	srv_ms_fini(srv);
	for (i = 0; i < srv->nr_engines; i++) {
		const struct config_engine *ce = &srv->cfg->engines[i];
		struct srv_engine *e = &srv->engines[i];
		char *sb = storage_sb_path(srv->cfg, i);
		char *conf = storage_bdev_conf_path(srv->cfg, i);
		char path[PATH_MAX];
		struct statfs st;

		if (sb != NULL)
			unlink(sb);
		if (conf != NULL)
			unlink(conf);
		d_free(sb);
		d_free(conf);
		snprintf(path, sizeof(path), "%s/%s", ce->storage[0].scm_mount,
			 STORAGE_NO_BDEV_FILE);
		unlink(path);
		if (statfs(ce->storage[0].scm_mount, &st) == 0 && st.f_type == 0x01021994 &&
		    umount(ce->storage[0].scm_mount) != 0)
			D_WARN("%s: cannot unmount: %s", ce->storage[0].scm_mount, strerror(errno));
		e->formatted = false;
		e->has_rank = false;
		e->state = SRV_ENGINE_AWAIT_FORMAT;
		memset(&e->sb, 0, sizeof(e->sb));
	}
	/* The MS database of a replica without a RAM tier to take it along */
	{
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/daos_system.db", srv->ms_dir);
		unlink(path);
	}
	D_NOTE("storage erased: format required (dmg storage format)");
	return 0;
}

void
srv_storage_erase(struct server *srv, struct ctl_req *req)
{
	char err[512] = "";
	int rc = srv_storage_erase_local(srv, err, sizeof(err));

	ctl_req_reply(req, rc, rc != 0 ? err : NULL, NULL, NULL, 0);
}
