/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_config_gen.c - `dmg config generate`: a daos_server.yml for this host's hardware.
 * Detection (dmg_hw_detect) reads cores, NUMA nodes and memory from sysconf, /sys and
 * /proc, network interfaces from getifaddrs() and /sys/class/net, NVMe controllers from
 * /sys/class/nvme and PMem namespaces from /dev. The decisions (dmg_config_gen_yaml) are
 * a pure function of that description, so tests can feed it any machine:
 *
 * - one engine per NUMA node (or --num-engines), each with an interface on its node
 *   (any interface if the node has none, as on single-socket machines and containers);
 * - targets = the engine's cores minus a quarter for helpers and one for the system thread;
 * - SCM: PMem namespaces, or tmpfs with -t (MD-on-SSD, which needs -m for control metadata);
 * - at least --min-ssds NVMe controllers on the engine's node (0: no NVMe tier).
 *
 * The output is checked with config_server_parse() before it is printed: a generated file
 * that daos_server would refuse is a bug here, reported as such.
 */
#define D_LOGFAC DD_FAC(control)

#include <dirent.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control/dmg/dmg_int.h"

static int
read_int_file(const char *path, int dflt)
{
	FILE *f = fopen(path, "r");
	long v;

	if (f == NULL)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1)
		v = dflt;
	fclose(f);
	return (int)v;
}

static void
read_str_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) != NULL) {
		n = strlen(buf);
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
			buf[--n] = '\0';
	}
	fclose(f);
}

void
dmg_hw_detect(struct dmg_hw *hw)
{
	struct ifaddrs *ifa = NULL, *i;
	struct dirent *de;
	char path[512], buf[128];
	unsigned long long kb;
	DIR *d;
	FILE *f;
	long n;

	memset(hw, 0, sizeof(*hw));
	n = sysconf(_SC_NPROCESSORS_ONLN);
	hw->nr_cores = n > 0 ? (unsigned int)n : 1;

	d = opendir("/sys/devices/system/node");
	if (d != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, "node", 4) == 0 && de->d_name[4] >= '0' &&
			    de->d_name[4] <= '9')
				hw->nr_numa++;
		closedir(d);
	}
	if (hw->nr_numa == 0)
		hw->nr_numa = 1;

	f = fopen("/proc/meminfo", "r");
	if (f != NULL) {
		while (fgets(buf, sizeof(buf), f) != NULL)
			if (sscanf(buf, "MemTotal: %llu kB", &kb) == 1)
				hw->mem_bytes = (uint64_t)kb * 1024;
		fclose(f);
	}

	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i != NULL; i = i->ifa_next) {
			struct dmg_hw_iface *hi;
			unsigned int k;
			bool dup = false;

			if ((i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP) ||
			    hw->nr_ifaces >= ARRAY_SIZE(hw->ifaces))
				continue;
			for (k = 0; k < hw->nr_ifaces; k++)
				if (strcmp(hw->ifaces[k].name, i->ifa_name) == 0)
					dup = true;
			if (dup)
				continue;
			hi = &hw->ifaces[hw->nr_ifaces++];
			snprintf(hi->name, sizeof(hi->name), "%s", i->ifa_name);
			snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node",
				 hi->name);
			hi->numa = read_int_file(path, 0);
			if (hi->numa < 0)
				hi->numa = 0;
			snprintf(path, sizeof(path), "/sys/class/net/%s/type", hi->name);
			hi->infiniband = read_int_file(path, 1) == 32; /* ARPHRD_INFINIBAND */
		}
		freeifaddrs(ifa);
	}

	d = opendir("/sys/class/nvme");
	if (d != NULL) {
		while ((de = readdir(d)) != NULL && hw->nr_nvme < ARRAY_SIZE(hw->nvme)) {
			struct dmg_hw_nvme *nv;

			if (de->d_name[0] == '.')
				continue;
			nv = &hw->nvme[hw->nr_nvme];
			snprintf(path, sizeof(path), "/sys/class/nvme/%s/address", de->d_name);
			read_str_file(path, nv->pci, sizeof(nv->pci));
			if (nv->pci[0] == '\0')
				continue;
			snprintf(path, sizeof(path), "/sys/class/nvme/%s/device/numa_node",
				 de->d_name);
			nv->numa = read_int_file(path, 0);
			if (nv->numa < 0)
				nv->numa = 0;
			hw->nr_nvme++;
		}
		closedir(d);
	}

	d = opendir("/dev");
	if (d != NULL) {
		while ((de = readdir(d)) != NULL && hw->nr_pmem < ARRAY_SIZE(hw->pmem))
			if (strncmp(de->d_name, "pmem", 4) == 0 && strchr(de->d_name, '.') == NULL)
				snprintf(hw->pmem[hw->nr_pmem++], sizeof(hw->pmem[0]), "/dev/%.24s",
					 de->d_name);
		closedir(d);
	}
}

/* A growing output string. */
struct out_buf {
	char *s;
	size_t len;
	size_t cap;
	int rc;
};

static void outf(struct out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
outf(struct out_buf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->rc != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->rc = -DER_INVAL;
		return;
	}
	if (o->len + (size_t)n + 1 > o->cap) {
		size_t cap = (o->len + (size_t)n + 1) * 2;
		char *s = d_realloc(o->s, cap);

		if (s == NULL) {
			o->rc = -DER_NOMEM;
			return;
		}
		o->s = s;
		o->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

/* Pick an interface for @numa: on that node and of the wanted class if possible. */
static int
pick_iface(const struct dmg_hw *hw, int numa, int want_ib, const bool *used)
{
	unsigned int k, pass;

	/* pass 0: same node and class; 1: same class; 2: anything unused */
	for (pass = 0; pass < 3; pass++) {
		for (k = 0; k < hw->nr_ifaces; k++) {
			const struct dmg_hw_iface *fi = &hw->ifaces[k];

			if (used[k])
				continue;
			if (pass < 2 && want_ib >= 0 && fi->infiniband != (want_ib == 1))
				continue;
			if (pass == 0 && fi->numa != numa)
				continue;
			return (int)k;
		}
	}
	return -1;
}

int
dmg_config_gen_yaml(struct cli_ctx *ctx, const struct dmg_hw *hw, const struct cli_args *a,
		    char **out)
{
	struct out_buf o = { 0 };
	struct config_server *check = NULL;
	const char *aps =
		a->val[DMG_OPT_ACCESS_POINTS] ? a->val[DMG_OPT_ACCESS_POINTS] : "localhost";
	const char *net = a->val[DMG_OPT_NET_CLASS] ? a->val[DMG_OPT_NET_CLASS] : "best-available";
	const char *md = a->val[DMG_OPT_CTL_METADATA];
	bool tmpfs = a->set[DMG_OPT_TMPFS_SCM];
	bool used[ARRAY_SIZE(hw->ifaces)] = { 0 };
	uint64_t engines = hw->nr_numa, min_ssds = 1;
	unsigned int e, k, cores, helpers, targets;
	int want_ib, idx[64], rc;
	bool any_ib = false;
	char err[256], ap[256];
	const char *p;

	if (a->val[DMG_OPT_NUM_ENGINES] != NULL &&
	    (cli_uint_parse(a->val[DMG_OPT_NUM_ENGINES], 64, &engines) != 0 || engines == 0)) {
		dmg_errf(ctx, "invalid --num-engines \"%s\": expected 1-64",
			 a->val[DMG_OPT_NUM_ENGINES]);
		return -DER_INVAL;
	}
	if (a->val[DMG_OPT_MIN_SSDS] != NULL &&
	    cli_uint_parse(a->val[DMG_OPT_MIN_SSDS], 64, &min_ssds) != 0) {
		dmg_errf(ctx, "invalid --min-ssds \"%s\": expected 0-64", a->val[DMG_OPT_MIN_SSDS]);
		return -DER_INVAL;
	}
	for (k = 0; k < hw->nr_ifaces; k++)
		any_ib |= hw->ifaces[k].infiniband;
	if (strcmp(net, "ethernet") == 0) {
		want_ib = 0;
	} else if (strcmp(net, "infiniband") == 0) {
		want_ib = 1;
	} else if (strcmp(net, "best-available") == 0) {
		want_ib = any_ib ? 1 : -1;
	} else {
		dmg_errf(ctx,
			 "invalid --net-class \"%s\": expected best-available, ethernet or "
			 "infiniband",
			 net);
		return -DER_INVAL;
	}
	if (md != NULL && !tmpfs) {
		dmg_errf(ctx, "--control-metadata-path requires --use-tmpfs-scm (MD-on-SSD)");
		return -DER_INVAL;
	}
	if (tmpfs && md == NULL && min_ssds > 0) {
		dmg_errf(ctx, "MD-on-SSD (--use-tmpfs-scm with SSDs) needs "
			      "--control-metadata-path");
		return -DER_INVAL;
	}
	if (!tmpfs && hw->nr_pmem < engines) {
		dmg_errf(ctx,
			 "%u PMem namespace(s) found, %" PRIu64 " engine(s) need one each: "
			 "use --use-tmpfs-scm for a RAM-based SCM tier",
			 hw->nr_pmem, engines);
		return -DER_INVAL;
	}
	for (e = 0; e < engines; e++) {
		idx[e] = pick_iface(hw, (int)(e % hw->nr_numa), want_ib, used);
		if (idx[e] < 0) {
			dmg_errf(ctx,
				 "%" PRIu64 " engine(s) need one %s network interface each; "
				 "%u usable found",
				 engines,
				 want_ib == 1   ? "infiniband"
				 : want_ib == 0 ? "ethernet"
						: "",
				 hw->nr_ifaces);
			return -DER_INVAL;
		}
		used[idx[e]] = true;
	}
	if (min_ssds > 0) {
		for (e = 0; e < engines; e++) {
			unsigned int nr = 0;

			for (k = 0; k < hw->nr_nvme; k++)
				nr += hw->nvme[k].numa % (int)engines == (int)e;
			if (nr < min_ssds) {
				dmg_errf(ctx,
					 "engine %u has %u NVMe SSD(s) on NUMA node %u, "
					 "--min-ssds is %" PRIu64 " (use --min-ssds=0 for none)",
					 e, nr, e, min_ssds);
				return -DER_INVAL;
			}
		}
	}

	cores = hw->nr_cores / (unsigned int)engines;
	helpers = cores >= 8 ? cores / 4 : 0;
	targets = cores > helpers + 1 ? cores - helpers - 1 : 1;

	outf(&o, "# Generated by dmg config generate from the hardware of this host.\n");
	outf(&o, "name: daos_server\nport: %d\n", CONFIG_DEFAULT_PORT);
	outf(&o, "mgmt_svc_replicas: [");
	for (p = aps; *p != '\0';) {
		size_t n = strcspn(p, ",");

		snprintf(ap, sizeof(ap), "%.*s", (int)D_MIN(n, sizeof(ap) - 1), p);
		outf(&o, "%s'%s'", p == aps ? "" : ", ", ap);
		p += n;
		if (*p == ',')
			p++;
	}
	outf(&o, "]\n");
	outf(&o, "provider: %s\n",
	     (want_ib == 1 || (want_ib < 0 && hw->ifaces[idx[0]].infiniband)) ? "ofi+verbs;ofi_rxm"
									      : "ofi+tcp");
	outf(&o, "control_log_file: /tmp/daos_server.log\n");
	outf(&o, "transport_config:\n  allow_insecure: false\n");
	if (md != NULL)
		outf(&o, "control_metadata:\n  path: %s\n", md);
	outf(&o, "engines:\n");
	for (e = 0; e < engines; e++) {
		const struct dmg_hw_iface *fi = &hw->ifaces[idx[e]];

		outf(&o, "-\n  targets: %u\n  nr_xs_helpers: %u\n  first_core: %u\n", targets,
		     helpers, e * cores);
		outf(&o, "  fabric_iface: %s\n  fabric_iface_port: %u\n", fi->name,
		     31316 + e * 100);
		outf(&o, "  log_file: /tmp/daos_engine.%u.log\n", e);
		outf(&o, "  storage:\n");
		if (tmpfs)
			outf(&o, "  -\n    class: ram\n    scm_mount: /mnt/daos%u\n", e);
		else
			outf(&o,
			     "  -\n    class: dcpm\n    scm_list: [%s]\n    scm_mount: /mnt/daos%u\n",
			     hw->pmem[e], e);
		if (min_ssds > 0) {
			bool first = true;

			outf(&o, "  -\n    class: nvme\n    bdev_list: [");
			for (k = 0; k < hw->nr_nvme; k++) {
				if (hw->nvme[k].numa % (int)engines != (int)e)
					continue;
				outf(&o, "%s'%s'", first ? "" : ", ", hw->nvme[k].pci);
				first = false;
			}
			outf(&o, "]\n");
		}
	}
	if (o.rc != 0) {
		d_free(o.s);
		dmg_errf(ctx, "out of memory");
		return o.rc;
	}
	rc = config_server_parse("generated daos_server.yml", o.s, o.len, &check, err, sizeof(err));
	if (rc != 0) {
		dmg_errf(ctx, "internal error: the generated configuration does not load: %s", err);
		d_free(o.s);
		return rc;
	}
	config_server_free(check);
	*out = o.s;
	return 0;
}

int
dmg_config_generate(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct dmg_hw hw;
	char *yaml = NULL;
	int rc;

	if (!a->set[DMG_OPT_ACCESS_POINTS]) {
		dmg_errf(ctx, "the required flag `-a, --access-points' was not specified");
		return -DER_INVAL;
	}
	dmg_hw_detect(&hw);
	rc = dmg_config_gen_yaml(ctx, &hw, a, &yaml);
	if (rc != 0)
		return rc;
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s}", "config", yaml);
	else
		fputs(yaml, ctx->out);
	d_free(yaml);
	return 0;
}
