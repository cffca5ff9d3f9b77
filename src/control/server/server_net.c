/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_net.c - NetworkScan (dmg network scan): which fabric providers this host can
 * use on which interfaces, per NUMA node, as libfabric reports them (the domain of a tcp
 * or sockets endpoint is its interface), with the host's NUMA and core counts.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <dirent.h>
#include <gurt/common.h>
#include <net/if.h>
#include <rdma/fabric.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control/server/server.h"
#include "mgmt.pb-c.h"
#include "net/net.h"

/* What "all" scans: the providers this implementation drives. */
static const char *const all_providers[] = { "ofi+tcp", "ofi+tcp;ofi_rxm", "ofi+sockets" };

#define MAX_IFACES 256

static unsigned int
sysfs_uint(const char *path, unsigned int dflt)
{
	FILE *f = fopen(path, "r");
	int v;

	if (f == NULL)
		return dflt;
	if (fscanf(f, "%d", &v) != 1 || v < 0)
		v = (int)dflt;
	fclose(f);
	return (unsigned int)v;
}

static const char *
dev_class(const char *iface)
{
	char path[300];

	snprintf(path, sizeof(path), "/sys/class/net/%s/type", iface);
	switch (sysfs_uint(path, 1)) {
	case 772:
		return "loopback";
	case 32:
		return "infiniband";
	default:
		return "ether";
	}
}

static unsigned int
numa_count(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *de;
	unsigned int n = 0;

	if (d == NULL)
		return 1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "node", 4) == 0 && de->d_name[4] >= '0' &&
		    de->d_name[4] <= '9')
			n++;
	closedir(d);
	return n > 0 ? n : 1;
}

void
srv_network_scan(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__NetworkScanResp resp = MGMT__NETWORK_SCAN_RESP__INIT;
	Mgmt__FabricInterface *fi = NULL;
	Mgmt__FabricInterface **fip = NULL;
	Mgmt__NetworkScanReq *in;
	char(*names)[IF_NAMESIZE + 1] = NULL;
	char(*provs)[64] = NULL;
	const char *one[1];
	const char *const *provlist;
	unsigned int nprov;
	unsigned int n = 0;
	unsigned int p;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	in = mgmt__network_scan_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "NetworkScan: malformed request", NULL, NULL, 0);
		return;
	}
	if (strcmp(in->provider, "all") == 0) {
		provlist = all_providers;
		nprov = ARRAY_SIZE(all_providers);
	} else {
		one[0] = in->provider[0] != '\0'      ? in->provider
			 : srv->cfg->provider != NULL ? srv->cfg->provider
						      : "ofi+tcp";
		provlist = one;
		nprov = 1;
	}
	fi = d_calloc(MAX_IFACES, sizeof(*fi));
	fip = d_calloc(MAX_IFACES, sizeof(*fip));
	names = d_calloc(MAX_IFACES, sizeof(*names));
	provs = d_calloc(MAX_IFACES, sizeof(*provs));
	if (fi == NULL || fip == NULL || names == NULL || provs == NULL) {
		ctl_req_reply(req, -DER_NOMEM, "out of memory", NULL, NULL, 0);
		goto out;
	}
	for (p = 0; p < nprov; p++) {
		struct fi_info *hints = fi_allocinfo();
		struct fi_info *info = NULL;
		struct fi_info *i;
		char fiprov[64];

		if (hints == NULL || net_provider_to_fi(provlist[p], fiprov, sizeof(fiprov)) != 0) {
			fi_freeinfo(hints);
			continue;
		}
		hints->ep_attr->type = FI_EP_RDM;
		hints->fabric_attr->prov_name = strdup(fiprov);
		if (fi_getinfo(FI_VERSION(1, 11), NULL, NULL, 0, hints, &info) == 0) {
			for (i = info; i != NULL && n < MAX_IFACES; i = i->next) {
				const char *dom = i->domain_attr->name;
				unsigned int k;
				bool dup = false;
				char path[300];

				if (dom == NULL || if_nametoindex(dom) == 0)
					continue;
				for (k = 0; k < n && !dup; k++)
					dup = strcmp(names[k], dom) == 0 &&
					      strcmp(provs[k], provlist[p]) == 0;
				if (dup)
					continue;
				snprintf(names[n], sizeof(names[n]), "%s", dom);
				snprintf(provs[n], sizeof(provs[n]), "%s", provlist[p]);
				mgmt__fabric_interface__init(&fi[n]);
				fi[n].provider = provs[n];
				fi[n].device = names[n];
				snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node",
					 dom);
				fi[n].numa_node = sysfs_uint(path, 0);
				if (fi[n].numa_node > 1024)
					fi[n].numa_node = 0;
				fi[n].net_dev_class = (char *)dev_class(dom);
				fi[n].priority = n;
				fip[n] = &fi[n];
				n++;
			}
			fi_freeinfo(info);
		}
		fi_freeinfo(hints);
	}
	resp.host = srv->hostname;
	resp.interfaces = fip;
	resp.n_interfaces = n;
	resp.numa_count = numa_count();
	resp.nr_cores = ncpu > 0 ? (uint32_t)ncpu : 1;
	resp.cores_per_numa = resp.nr_cores / resp.numa_count;
	srv_reply_packed(req, 0, NULL, &resp.base);
out:
	d_free(fi);
	d_free(fip);
	d_free(names);
	d_free(provs);
	mgmt__network_scan_req__free_unpacked(in, &proto_allocator);
}
