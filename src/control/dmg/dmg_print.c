/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_print.c - dmg's text output: host sets and one printer per response, shaped
 * as DAOS's dmg prints them (reference §3.6-3.10). Printers are pure: they read a decoded
 * response and write text to a FILE *, so tests compare them with expected text.
 *
 * Host-level output groups hosts that gave the same answer: each host's answer is first
 * rendered to a string, hosts with equal strings are merged into one host set
 * ("node[1-4]"). Sizes are base 10 ("1.0 TB") except where DAOS shows base 2.
 */
#define D_LOGFAC DD_FAC(control)

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "common/sort.h"
#include "control/dmg/dmg_int.h"

/* ---- host sets ---- */

struct hs_entry {
	char prefix[256]; /* name up to its trailing digits */
	char suffix[16];  /* ":port" when not the default */
	int width;        /* digits when zero-padded, else 0 */
	long num;         /* trailing number; -1 if none */
};

static int
hs_cmp(const void *a, const void *b)
{
	const struct hs_entry *x = a, *y = b;
	int c = strcmp(x->prefix, y->prefix);

	if (c == 0)
		c = strcmp(x->suffix, y->suffix);
	if (c == 0)
		c = x->width - y->width;
	if (c == 0)
		c = (x->num > y->num) - (x->num < y->num);
	return c;
}

static bool
hs_same_group(const struct hs_entry *x, const struct hs_entry *y)
{
	return x->num >= 0 && y->num >= 0 && strcmp(x->prefix, y->prefix) == 0 &&
	       strcmp(x->suffix, y->suffix) == 0 && x->width == y->width;
}

int
dmg_hostset_str(char *const *hosts, unsigned int nr, int default_port, char **out)
{
	struct hs_entry *e;
	char *buf = NULL;
	size_t cap = 64, used = 0;
	unsigned int i, j, k;
	int rc = -DER_NOMEM;

	e = d_calloc(nr ? nr : 1, sizeof(*e));
	buf = d_malloc(cap);
	if (e == NULL || buf == NULL)
		goto out_free;
	buf[0] = '\0';
	for (i = 0; i < nr; i++) {
		const char *h = hosts[i];
		const char *colon = strrchr(h, ':');
		size_t n = colon ? (size_t)(colon - h) : strlen(h);
		size_t d = n;

		if (colon != NULL && strtol(colon + 1, NULL, 10) != default_port)
			snprintf(e[i].suffix, sizeof(e[i].suffix), "%s", colon);
		if (n >= sizeof(e[i].prefix))
			n = sizeof(e[i].prefix) - 1;
		d = n;
		while (d > 0 && isdigit((unsigned char)h[d - 1]) && n - d < 9)
			d--;
		memcpy(e[i].prefix, h, d);
		e[i].prefix[d] = '\0';
		e[i].num = -1;
		if (d < n) {
			e[i].num = strtol(h + d, NULL, 10);
			if (h[d] == '0' && n - d > 1)
				e[i].width = (int)(n - d);
		}
	}
	d_sort(e, nr, sizeof(*e), hs_cmp);
	for (i = 0; i < nr; i = j) {
		char part[512];
		size_t pl = 0;

		for (j = i + 1; j < nr && hs_same_group(&e[i], &e[j]); j++)
			;
		if (e[i].num < 0) {
			pl = (size_t)snprintf(part, sizeof(part), "%s%s", e[i].prefix, e[i].suffix);
		} else if (j == i + 1) {
			pl = (size_t)snprintf(part, sizeof(part), "%s%0*ld%s", e[i].prefix,
					      e[i].width, e[i].num, e[i].suffix);
		} else {
			pl = (size_t)snprintf(part, sizeof(part), "%s[", e[i].prefix);
			for (k = i; k < j;) {
				unsigned int m = k;

				while (m + 1 < j && e[m + 1].num <= e[m].num + 1)
					m++;
				if (pl < sizeof(part))
					pl += (size_t)snprintf(part + pl, sizeof(part) - pl,
							       "%s%0*ld", k > i ? "," : "",
							       e[k].width, e[k].num);
				if (m > k && pl < sizeof(part))
					pl += (size_t)snprintf(part + pl, sizeof(part) - pl,
							       "-%0*ld", e[m].width, e[m].num);
				k = m + 1;
			}
			if (pl < sizeof(part))
				pl += (size_t)snprintf(part + pl, sizeof(part) - pl, "]%s",
						       e[i].suffix);
		}
		pl = D_MIN(pl, sizeof(part) - 1);
		if (used + pl + 2 > cap) {
			char *nb;

			cap = (used + pl + 2) * 2;
			nb = d_realloc(buf, cap);
			if (nb == NULL)
				goto out_free;
			buf = nb;
		}
		if (used > 0)
			buf[used++] = ',';
		memcpy(buf + used, part, pl);
		used += pl;
		buf[used] = '\0';
	}
	*out = buf;
	buf = NULL;
	rc = 0;
out_free:
	d_free(buf);
	d_free(e);
	return rc;
}

/* ---- grouping of per-host text ---- */

struct host_group {
	char *text;   /* the rendered answer */
	char **hosts; /* members, pointing into the replies */
	unsigned int nr;
	char *hostset; /* compressed */
};

/* Group the hosts of @r with rc == 0 by the text @render gives them. */
static int
group_hosts(const struct dmg_host_reply *r, unsigned int nr, int port,
	    void (*render)(FILE *f, const ProtobufCMessage *resp, const void *arg), const void *arg,
	    struct host_group **out, unsigned int *nr_out)
{
	struct host_group *g;
	unsigned int i, j, ng = 0;

	g = d_calloc(nr ? nr : 1, sizeof(*g));
	if (g == NULL)
		return -DER_NOMEM;
	for (i = 0; i < nr; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		if (r[i].rc != 0 || r[i].resp == NULL)
			continue;
		f = open_memstream(&text, &len);
		if (f == NULL)
			continue;
		render(f, r[i].resp, arg);
		fclose(f);
		for (j = 0; j < ng; j++)
			if (strcmp(g[j].text, text) == 0)
				break;
		if (j == ng) {
			g[ng].text = text;
			g[ng].hosts = d_calloc(nr, sizeof(char *));
			ng++;
		} else {
			free(text); /* open_memstream memory comes from malloc */
		}
		if (g[j].hosts != NULL)
			g[j].hosts[g[j].nr++] = r[i].host;
	}
	for (j = 0; j < ng; j++)
		if (g[j].hosts != NULL)
			dmg_hostset_str(g[j].hosts, g[j].nr, port, &g[j].hostset);
	*out = g;
	*nr_out = ng;
	return 0;
}

static void
groups_free(struct host_group *g, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		free(g[i].text);
		d_free(g[i].hosts);
		d_free(g[i].hostset);
	}
	d_free(g);
}

static void
banner(FILE *f, const char *title)
{
	size_t n = strlen(title), i;

	for (i = 0; i < n; i++)
		fputc('-', f);
	fprintf(f, "\n%s\n", title);
	for (i = 0; i < n; i++)
		fputc('-', f);
	fputc('\n', f);
}

/* The error part of a host error: what follows "host: ". */
static const char *
host_err_text(const struct dmg_host_reply *r)
{
	size_t n = strlen(r->host);

	if (r->error == NULL)
		return d_errdesc(r->rc);
	if (strncmp(r->error, r->host, n) == 0 && r->error[n] == ':' && r->error[n + 1] == ' ')
		return r->error + n + 2;
	return r->error;
}

void
dmg_print_host_errors(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port)
{
	static const char *const hdr[] = { "Hosts", "Error" };
	struct cli_table t;
	bool *done;
	char **hosts;
	unsigned int i, j, n;

	for (i = 0; i < nr && r[i].rc == 0; i++)
		;
	if (i == nr)
		return;
	done = d_calloc(nr, sizeof(*done));
	hosts = d_calloc(nr, sizeof(*hosts));
	if (done == NULL || hosts == NULL)
		goto out_free;
	cli_table_init(&t, 2, hdr);
	for (i = 0; i < nr; i++) {
		char *hs = NULL;

		if (r[i].rc == 0 || done[i])
			continue;
		n = 0;
		for (j = i; j < nr; j++) {
			if (r[j].rc != 0 && !done[j] &&
			    strcmp(host_err_text(&r[i]), host_err_text(&r[j])) == 0) {
				hosts[n++] = r[j].host;
				done[j] = true;
			}
		}
		dmg_hostset_str(hosts, n, port, &hs);
		cli_table_row(&t, hs ? hs : r[i].host, host_err_text(&r[i]));
		d_free(hs);
	}
	fprintf(f, "Errors:\n");
	cli_table_print(f, &t, "  ");
	fputc('\n', f);
	cli_table_fini(&t);
out_free:
	d_free(done);
	d_free(hosts);
}

/* ---- storage scan ---- */

struct scan_args {
	bool verbose;
	bool nvme_health;
};

/*
 * What DAOS reports for storage it emulates: a RAM tier is an SCM namespace (its mount,
 * scm_size) when the host has no PMem; each bdev of a file tier is an NVMe controller
 * (its path, as bdev_list names it, and its size).
 */
static bool
tier_is_ram_scm(const Mgmt__TierState *t)
{
	return t->tier == 0 && strcmp(t->class_, "ram") == 0;
}

static bool
tier_is_file(const Mgmt__TierState *t)
{
	return strcmp(t->class_, "file") == 0;
}

/* Bytes of bdev @d of @t; older servers sent only the tier's total. */
static uint64_t
tier_dev_bytes(const Mgmt__TierState *t, size_t d)
{
	if (d < t->n_device_bytes)
		return t->device_bytes[d];
	return t->n_devices > 0 ? t->total_bytes / t->n_devices : 0;
}

static bool
scan_has_pmem(const Mgmt__StorageScanResp *s)
{
	unsigned int i;

	for (i = 0; i < s->n_devices; i++)
		if (s->devices[i]->pmem)
			return true;
	return false;
}

static void
scan_totals(const Mgmt__StorageScanResp *s, char *scm, size_t scm_len, char *nvme, size_t nvme_len)
{
	uint64_t scm_bytes = 0, nvme_bytes = 0;
	unsigned int nr_scm = 0, nr_nvme = 0, i;
	bool pmem = scan_has_pmem(s);
	size_t d;
	char b[32];

	for (i = 0; i < s->n_devices; i++) {
		if (s->devices[i]->pmem) {
			scm_bytes += s->devices[i]->size;
			nr_scm++;
		} else {
			nvme_bytes += s->devices[i]->size;
			nr_nvme++;
		}
	}
	for (i = 0; i < s->n_tiers; i++) {
		const Mgmt__TierState *t = s->tiers[i];

		if (!pmem && tier_is_ram_scm(t)) {
			scm_bytes += t->total_bytes;
			nr_scm++;
		} else if (tier_is_file(t)) {
			for (d = 0; d < t->n_devices; d++)
				nvme_bytes += tier_dev_bytes(t, d);
			nr_nvme += (unsigned int)t->n_devices;
		}
	}
	pool_prop_bytes_str(scm_bytes, b, sizeof(b));
	snprintf(scm, scm_len, "%s (%u namespace%s)", b, nr_scm, nr_scm == 1 ? "" : "s");
	pool_prop_bytes_str(nvme_bytes, b, sizeof(b));
	snprintf(nvme, nvme_len, "%s (%u controller%s)", b, nr_nvme, nr_nvme == 1 ? "" : "s");
}

static void
render_scan_summary(FILE *f, const ProtobufCMessage *m, const void *arg)
{
	const Mgmt__StorageScanResp *s = (const Mgmt__StorageScanResp *)m;
	char scm[64], nvme[64];

	(void)arg;
	scan_totals(s, scm, sizeof(scm), nvme, sizeof(nvme));
	fprintf(f, "%s\t%s", scm, nvme);
}

static void
render_scan_verbose(FILE *f, const ProtobufCMessage *m, const void *arg)
{
	static const char *const scm_hdr[] = { "SCM Namespace", "Socket", "Capacity" };
	static const char *const nvme_hdr[] = { "NVMe PCI", "Model", "FW Revision", "Socket",
						"Capacity" };
	const Mgmt__StorageScanResp *s = (const Mgmt__StorageScanResp *)m;
	const struct scan_args *sa = arg;
	bool pmem = scan_has_pmem(s);
	struct cli_table t;
	unsigned int i;
	size_t j;
	char cap[32], sock[16];

	cli_table_init(&t, 3, scm_hdr);
	for (i = 0; i < s->n_devices; i++) {
		const Mgmt__HostDevice *d = s->devices[i];

		if (!d->pmem)
			continue;
		pool_prop_bytes_str(d->size, cap, sizeof(cap));
		snprintf(sock, sizeof(sock), "%d", d->socket);
		cli_table_row(&t, d->name, sock, cap);
	}
	for (i = 0; !pmem && i < s->n_tiers; i++) {
		const Mgmt__TierState *ts = s->tiers[i];

		if (!tier_is_ram_scm(ts))
			continue;
		pool_prop_bytes_str(ts->total_bytes, cap, sizeof(cap));
		snprintf(sock, sizeof(sock), "%d", ts->socket);
		cli_table_row(&t, ts->path, sock, cap);
	}
	if (t.nr_rows > 1)
		cli_table_print(f, &t, "");
	else
		fprintf(f, "\tNo SCM devices found\n");
	cli_table_fini(&t);
	fputc('\n', f);

	cli_table_init(&t, 5, nvme_hdr);
	for (i = 0; i < s->n_devices; i++) {
		const Mgmt__HostDevice *d = s->devices[i];

		if (d->pmem)
			continue;
		pool_prop_bytes_str(d->size, cap, sizeof(cap));
		snprintf(sock, sizeof(sock), "%d", d->socket);
		cli_table_row(&t, *d->pci_addr ? d->pci_addr : d->name, d->model, d->fw_rev, sock,
			      cap);
	}
	for (i = 0; i < s->n_tiers; i++) {
		const Mgmt__TierState *ts = s->tiers[i];

		if (!tier_is_file(ts))
			continue;
		snprintf(sock, sizeof(sock), "%d", ts->socket);
		for (j = 0; j < ts->n_devices; j++) {
			pool_prop_bytes_str(tier_dev_bytes(ts, j), cap, sizeof(cap));
			cli_table_row(&t, ts->devices[j], "", "", sock, cap);
		}
	}
	if (t.nr_rows > 1)
		cli_table_print(f, &t, "");
	else
		fprintf(f, "\tNo NVMe devices found\n");
	cli_table_fini(&t);

	if (!sa->nvme_health)
		return;
	for (i = 0; i < s->n_devices; i++) {
		const Mgmt__HostDevice *d = s->devices[i];

		if (d->pmem)
			continue;
		pool_prop_bytes_str(d->size, cap, sizeof(cap));
		fprintf(f, "\nPCI:%s Model:%s FW:%s Socket:%d Capacity:%s\n", d->pci_addr, d->model,
			d->fw_rev, d->socket, cap);
		fprintf(f, "  Health Stats:\n");
		if (d->health_known)
			fprintf(f, "    Temperature:%dC\n", d->temp_c);
		else
			fprintf(f, "    Temperature:unknown\n");
	}
}

void
dmg_print_storage_scan(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port,
		       bool verbose, bool nvme_health)
{
	static const char *const hdr[] = { "Hosts", "SCM Total", "NVMe Total" };
	struct scan_args sa = { verbose, nvme_health };
	struct host_group *g;
	struct cli_table t;
	unsigned int ng, i;

	dmg_print_host_errors(f, r, nr, port);
	if (group_hosts(r, nr, port,
			(verbose || nvme_health) ? render_scan_verbose : render_scan_summary, &sa,
			&g, &ng) != 0)
		return;
	if (verbose || nvme_health) {
		for (i = 0; i < ng; i++) {
			banner(f, g[i].hostset ? g[i].hostset : "?");
			fputs(g[i].text, f);
			fputc('\n', f);
		}
	} else if (ng > 0) {
		cli_table_init(&t, 3, hdr);
		for (i = 0; i < ng; i++) {
			char *tab = strchr(g[i].text, '\t');

			if (tab == NULL)
				continue;
			*tab = '\0';
			cli_table_row(&t, g[i].hostset, g[i].text, tab + 1);
		}
		cli_table_print(f, &t, "");
		cli_table_fini(&t);
	}
	groups_free(g, ng);
}

/* ---- storage format ---- */

static void
render_format_summary(FILE *f, const ProtobufCMessage *m, const void *arg)
{
	const Mgmt__StorageFormatResp *s = (const Mgmt__StorageFormatResp *)m;
	unsigned int i, scm = 0, bdev = 0;

	(void)arg;
	for (i = 0; i < s->n_scm; i++)
		scm += s->scm[i]->status == 0;
	for (i = 0; i < s->n_bdev; i++)
		bdev += s->bdev[i]->status == 0;
	fprintf(f, "%u\t%u", scm, bdev);
}

static void
render_format_verbose(FILE *f, const ProtobufCMessage *m, const void *arg)
{
	static const char *const scm_hdr[] = { "SCM Mount", "Format Result" };
	static const char *const nvme_hdr[] = { "NVMe PCI", "Format Result", "Role(s)" };
	const Mgmt__StorageFormatResp *s = (const Mgmt__StorageFormatResp *)m;
	struct cli_table t;
	unsigned int i;

	(void)arg;
	cli_table_init(&t, 2, scm_hdr);
	for (i = 0; i < s->n_scm; i++)
		cli_table_row(&t, s->scm[i]->device,
			      s->scm[i]->status == 0 ? "CTL_SUCCESS" : "CTL_ERR_SCM");
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
	fputc('\n', f);
	if (s->n_bdev == 0) {
		fprintf(f, "\tNo NVMe devices were formatted\n");
		return;
	}
	cli_table_init(&t, 3, nvme_hdr);
	for (i = 0; i < s->n_bdev; i++)
		cli_table_row(&t, s->bdev[i]->device,
			      s->bdev[i]->status == 0 ? "CTL_SUCCESS" : "CTL_ERR_NVME",
			      *s->bdev[i]->roles ? s->bdev[i]->roles : "NA");
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
}

void
dmg_print_storage_format(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port,
			 bool verbose)
{
	static const char *const hdr[] = { "Hosts", "SCM Devices", "NVMe Devices" };
	struct host_group *g;
	struct cli_table t;
	unsigned int ng, i, j;

	dmg_print_host_errors(f, r, nr, port);
	/* Per-device failures, one line each, before the summary. */
	for (i = 0; i < nr; i++) {
		const Mgmt__StorageFormatResp *s = (const Mgmt__StorageFormatResp *)r[i].resp;

		if (r[i].rc != 0 || s == NULL)
			continue;
		for (j = 0; j < s->n_scm; j++)
			if (s->scm[j]->status != 0)
				fprintf(f, "%s: SCM format of %s failed: %s\n", r[i].host,
					s->scm[j]->device, s->scm[j]->message);
		for (j = 0; j < s->n_bdev; j++)
			if (s->bdev[j]->status != 0)
				fprintf(f, "%s: NVMe format of %s failed: %s\n", r[i].host,
					s->bdev[j]->device, s->bdev[j]->message);
	}
	if (verbose) {
		if (group_hosts(r, nr, port, render_format_verbose, NULL, &g, &ng) != 0)
			return;
		for (i = 0; i < ng; i++) {
			banner(f, g[i].hostset ? g[i].hostset : "?");
			fputs(g[i].text, f);
			fputc('\n', f);
		}
		groups_free(g, ng);
	}
	if (group_hosts(r, nr, port, render_format_summary, NULL, &g, &ng) != 0)
		return;
	if (ng > 0) {
		fprintf(f, "Format Summary:\n");
		cli_table_init(&t, 3, hdr);
		for (i = 0; i < ng; i++) {
			char *tab = strchr(g[i].text, '\t');

			if (tab == NULL)
				continue;
			*tab = '\0';
			cli_table_row(&t, g[i].hostset, g[i].text, tab + 1);
		}
		cli_table_print(f, &t, "  ");
		cli_table_fini(&t);
	}
	groups_free(g, ng);
}

/* ---- storage query usage ---- */

static void
pct_str(uint64_t used, uint64_t total, char *buf, size_t len)
{
	if (total == 0)
		snprintf(buf, len, "0 %%");
	else
		snprintf(buf, len, "%" PRIu64 " %%", (used * 100 + total / 2) / total);
}

void
dmg_print_storage_usage(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port)
{
	static const char *const hdr[] = { "Hosts",      "SCM-Total", "SCM-Free", "SCM-Used",
					   "NVMe-Total", "NVMe-Free", "NVMe-Used" };
	struct cli_table t;
	unsigned int i, j;

	dmg_print_host_errors(f, r, nr, port);
	cli_table_init(&t, 7, hdr);
	for (i = 0; i < nr; i++) {
		const Mgmt__StorageScanResp *s = (const Mgmt__StorageScanResp *)r[i].resp;
		uint64_t st = 0, sf = 0, nt = 0, nf = 0;
		char a[32], b[32], c[32], d[32], e[32], g[32];
		char *hs = NULL;

		if (r[i].rc != 0 || s == NULL)
			continue;
		for (j = 0; j < s->n_tiers; j++) {
			if (s->tiers[j]->tier == 0) {
				st += s->tiers[j]->total_bytes;
				sf += s->tiers[j]->free_bytes;
			} else {
				nt += s->tiers[j]->total_bytes;
				nf += s->tiers[j]->free_bytes;
			}
		}
		pool_prop_bytes_str(st, a, sizeof(a));
		pool_prop_bytes_str(sf, b, sizeof(b));
		pct_str(st - D_MIN(sf, st), st, c, sizeof(c));
		pool_prop_bytes_str(nt, d, sizeof(d));
		pool_prop_bytes_str(nf, e, sizeof(e));
		pct_str(nt - D_MIN(nf, nt), nt, g, sizeof(g));
		dmg_hostset_str(&r[i].host, 1, port, &hs);
		cli_table_row(&t, hs ? hs : r[i].host, a, b, c, d, e, g);
		d_free(hs);
	}
	if (t.nr_rows > 1)
		cli_table_print(f, &t, "");
	cli_table_fini(&t);
}

/* ---- network scan ---- */

static void
render_net(FILE *f, const ProtobufCMessage *m, const void *arg)
{
	static const char *const hdr[] = { "Provider", "Interfaces" };
	const Mgmt__NetworkScanResp *s = (const Mgmt__NetworkScanResp *)m;
	const char *prov = arg;
	unsigned int numa, i, j, max_numa = 0;

	for (i = 0; i < s->n_interfaces; i++)
		max_numa = D_MAX(max_numa, s->interfaces[i]->numa_node);
	for (numa = 0; numa <= max_numa; numa++) {
		struct cli_table t;
		bool any = false;

		cli_table_init(&t, 2, hdr);
		/* one row per provider: its interfaces on this NUMA node, in order */
		for (i = 0; i < s->n_interfaces; i++) {
			const Mgmt__FabricInterface *fi = s->interfaces[i];
			char list[512] = "";
			size_t used = 0;
			bool seen = false;

			if (fi->numa_node != numa)
				continue;
			if (prov != NULL && *prov && strcmp(prov, "all") != 0 &&
			    strcmp(prov, fi->provider) != 0)
				continue;
			for (j = 0; j < i; j++)
				if (s->interfaces[j]->numa_node == numa &&
				    strcmp(s->interfaces[j]->provider, fi->provider) == 0)
					seen = true;
			if (seen)
				continue;
			for (j = i; j < s->n_interfaces; j++)
				if (s->interfaces[j]->numa_node == numa &&
				    strcmp(s->interfaces[j]->provider, fi->provider) == 0 &&
				    used < sizeof(list))
					used += (size_t)snprintf(list + used, sizeof(list) - used,
								 "%s%s", used ? ", " : "",
								 s->interfaces[j]->device);
			cli_table_row(&t, fi->provider, list);
			any = true;
		}
		if (any) {
			fprintf(f, "\n    NUMA Socket %u\n\n", numa);
			cli_table_print(f, &t, "        ");
		}
		cli_table_fini(&t);
	}
}

void
dmg_print_network_scan(FILE *f, const struct dmg_host_reply *r, unsigned int nr, int port,
		       const char *provider)
{
	struct host_group *g;
	unsigned int ng, i;

	dmg_print_host_errors(f, r, nr, port);
	if (group_hosts(r, nr, port, render_net, provider, &g, &ng) != 0)
		return;
	for (i = 0; i < ng; i++) {
		banner(f, g[i].hostset ? g[i].hostset : "?");
		fputs(g[i].text, f);
		fputc('\n', f);
	}
	groups_free(g, ng);
}

/* ---- pools ---- */

static unsigned int
ranks_count(const char *in)
{
	d_rank_list_t *rl = NULL;
	unsigned int n = 0;

	if (in != NULL && d_rank_list_parse(in, strlen(in), &rl) == 0)
		n = rl->rl_nr;
	d_rank_list_free(rl);
	return n;
}

void
dmg_print_pool_create_intro(FILE *f, const Mgmt__PoolCreateReq *req)
{
	char b[32], c[32];

	if (req->size_percent > 0) {
		fprintf(f, "Creating DAOS pool with %u%% of all storage\n", req->size_percent);
	} else if (req->total_bytes > 0) {
		pool_prop_bytes_str(req->total_bytes, b, sizeof(b));
		fprintf(f,
			"Creating DAOS pool with automatic storage allocation: %s total, %.2f%% "
			"storage tier ratio\n",
			b, req->n_tier_ratio > 0 ? req->tier_ratio[0] : 6.0);
	} else if (req->n_tier_bytes > 0) {
		pool_prop_bytes_str(req->tier_bytes[0], b, sizeof(b));
		pool_prop_bytes_str(req->n_tier_bytes > 1 ? req->tier_bytes[1] : 0, c, sizeof(c));
		fprintf(f,
			"Creating DAOS pool with manual per-engine storage allocation: %s SCM, "
			"%s NVMe\n",
			b, c);
	}
}

void
dmg_print_pool_create(FILE *f, const Mgmt__PoolCreateResp *resp)
{
	static const char *const tier_names[] = { "Storage tier 0 (SCM) ",
						  "Storage tier 1 (NVMe)" };
	unsigned int nranks = ranks_count(resp->tgt_ranks), i, n;
	uint64_t total = 0;
	char title[256], b[32], c[32], *svc, *tgt;
	size_t used;

	for (i = 0; i < resp->n_tier_bytes; i++)
		total += resp->tier_bytes[i] * nranks;
	/* a tier of zero bytes is not a tier */
	n = resp->n_tier_bytes;
	while (n > 1 && resp->tier_bytes[n - 1] == 0)
		n--;
	used = (size_t)snprintf(title, sizeof(title), "Pool created with ");
	for (i = 0; i < n && used < sizeof(title); i++)
		used += (size_t)snprintf(
			title + used, sizeof(title) - used, "%s%.2f%%", i ? "," : "",
			total ? (double)resp->tier_bytes[i] * nranks * 100 / total : 100.0);
	if (used < sizeof(title))
		snprintf(title + used, sizeof(title) - used, " storage tier ratio");
	fprintf(f, "%s\n", title);
	for (i = 0; i < strlen(title); i++)
		fputc('-', f);
	fputc('\n', f);
	svc = cli_ranks_text(resp->svc_reps, false);
	tgt = cli_ranks_text(resp->tgt_ranks, false);
	fprintf(f, "  UUID                 : %s\n", resp->uuid);
	fprintf(f, "  Service Leader       : %u\n", resp->svc_ldr);
	fprintf(f, "  Service Ranks        : %s\n", svc ? svc : "?");
	fprintf(f, "  Storage Ranks        : %s\n", tgt ? tgt : "?");
	d_free(svc);
	d_free(tgt);
	pool_prop_bytes_str(total, b, sizeof(b));
	fprintf(f, "  Total Size           : %s\n", b);
	for (i = 0; i < n && i < ARRAY_SIZE(tier_names); i++) {
		pool_prop_bytes_str(resp->tier_bytes[i] * nranks, b, sizeof(b));
		pool_prop_bytes_str(resp->tier_bytes[i], c, sizeof(c));
		fprintf(f, "  %s: %s (%s / rank)\n", tier_names[i], b, c);
	}
	fputc('\n', f);
}

/* The tier shown in the short pool list: NVMe (tier 1) if the pool has one, else SCM. */
static const Mgmt__StorageUsage *
list_tier(const Mgmt__PoolInfo *p, unsigned int idx)
{
	if (idx < p->n_tier_stats)
		return p->tier_stats[idx];
	return NULL;
}

static void
usage_cols(const Mgmt__PoolInfo *p, const Mgmt__StorageUsage *u, char *size, char *used, char *imb,
	   size_t len)
{
	uint64_t per_tgt;

	if (u == NULL) {
		snprintf(size, len, "0 B");
		snprintf(used, len, "0%%");
		snprintf(imb, len, "0%%");
		return;
	}
	pool_prop_bytes_str(u->total, size, len);
	snprintf(used, len, "%" PRIu64 "%%",
		 u->total ? (u->total - D_MIN(u->free, u->total)) * 100 / u->total : 0);
	per_tgt = p->active_targets ? u->total / p->active_targets : 0;
	snprintf(imb, len, "%" PRIu64 "%%",
		 per_tgt ? (u->max - D_MIN(u->min, u->max)) * 100 / per_tgt : 0);
}

static void
upgrade_str(const Mgmt__PoolInfo *p, char *buf, size_t len)
{
	if (p->upgrade_layout_ver > p->pool_layout_ver)
		snprintf(buf, len, "%u->%u", p->pool_layout_ver, p->upgrade_layout_ver);
	else
		snprintf(buf, len, "None");
}

void
dmg_print_pool_list(FILE *f, const Mgmt__ListPoolsResp *resp, bool verbose, bool no_query)
{
	static const char *const hdr[] = { "Pool",      "Size",     "State",         "Used",
					   "Imbalance", "Disabled", "UpgradeNeeded?" };
	static const char *const nq_hdr[] = { "Pool", "State" };
	static const char *const v_hdr[] = {
		"Label",    "UUID",           "State",         "SvcReps",   "SCM Size",
		"SCM Used", "SCM Imbalance",  "NVME Size",     "NVME Used", "NVME Imbalance",
		"Disabled", "UpgradeNeeded?", "Rebuild State",
	};
	struct cli_table t;
	bool upgrade = false;
	unsigned int i;

	for (i = 0; i < resp->n_pools; i++)
		if (*resp->pools[i]->query_error != '\0')
			fprintf(f, "Query on pool \"%s\" unsuccessful, error: \"%s\"\n",
				*resp->pools[i]->label ? resp->pools[i]->label
						       : resp->pools[i]->uuid,
				resp->pools[i]->query_error);
	if (resp->n_pools == 0) {
		fprintf(f, "No pools in system\n");
		return;
	}
	for (i = 0; i < resp->n_pools; i++)
		if (resp->pools[i]->upgrade_layout_ver > resp->pools[i]->pool_layout_ver)
			upgrade = true;

	if (no_query)
		cli_table_init(&t, 2, nq_hdr);
	else if (verbose)
		cli_table_init(&t, 13, v_hdr);
	else
		cli_table_init(&t, upgrade ? 7 : 6, hdr);
	for (i = 0; i < resp->n_pools; i++) {
		const Mgmt__PoolInfo *p = resp->pools[i];
		const char *label = *p->label ? p->label : "-";
		char s0[32], u0[32], i0[32], s1[32], u1[32], i1[32], dis[32], up[32], *svc;

		if (no_query) {
			cli_table_row(&t, label, p->state);
			continue;
		}
		snprintf(dis, sizeof(dis), "%u/%u", p->disabled_targets, p->total_targets);
		upgrade_str(p, up, sizeof(up));
		if (verbose) {
			usage_cols(p, list_tier(p, 0), s0, u0, i0, sizeof(s0));
			usage_cols(p, list_tier(p, 1), s1, u1, i1, sizeof(s1));
			svc = cli_ranks_text(p->svc_reps, false);
			cli_table_row(&t, label, p->uuid, p->state, svc ? svc : "?", s0, u0, i0, s1,
				      u1, i1, dis, up, p->rebuild ? p->rebuild->state : "idle");
			d_free(svc);
			continue;
		}
		usage_cols(p, list_tier(p, p->n_tier_stats > 1 ? 1 : 0), s1, u1, i1, sizeof(s1));
		cli_table_row(&t, label, s1, p->state, u1, i1, dis, up);
	}
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
	fputc('\n', f);
}

void
dmg_print_pool_query(FILE *f, const Mgmt__PoolInfo *p, bool show_enabled, bool health_only)
{
	static const char *const tier_names[] = { "SCM", "NVME" };
	struct cli_pool_info info = {
		.uuid = p->uuid,
		.label = p->label,
		.state = p->state,
		.total_targets = p->total_targets,
		.active_targets = p->active_targets,
		.disabled_targets = p->disabled_targets,
		.leader = p->svc_ldr,
		.version = p->version,
		.pool_layout_ver = p->pool_layout_ver,
		.upgrade_layout_ver = p->upgrade_layout_ver,
		.enabled_ranks = p->enabled_ranks,
		.disabled_ranks = p->disabled_ranks,
		.has_rebuild = p->rebuild != NULL,
	};
	unsigned int i;

	if (p->rebuild != NULL) {
		info.rebuild_state = p->rebuild->state;
		info.rebuild_status = p->rebuild->status;
		info.rebuild_objects = p->rebuild->objects;
		info.rebuild_records = p->rebuild->records;
	}
	for (i = 0; i < p->n_tier_stats && i < ARRAY_SIZE(info.tiers); i++) {
		const Mgmt__StorageUsage *u = p->tier_stats[i];

		info.tiers[i] = (struct cli_pool_tier){
			.media = *u->media_type ? u->media_type : tier_names[i],
			.total = u->total,
			.free = u->free,
			.min = u->min,
			.max = u->max,
			.mean = u->mean,
		};
	}
	info.nr_tiers = i;
	cli_print_pool_query(f, &info, show_enabled, health_only);
}

void
dmg_print_pool_props(FILE *f, const char *pool, const Mgmt__PoolResp *resp)
{
	static const char *const hdr[] = { "Name", "Value" };
	struct cli_table t;
	unsigned int i;

	fprintf(f, "Pool %s properties:\n", pool);
	cli_table_init(&t, 2, hdr);
	for (i = 0; i < resp->n_properties; i++) {
		const Mgmt__PoolProperty *p = resp->properties[i];
		const struct pool_prop_def *def = pool_prop_lookup(p->name);
		char name[160], val[POOL_PROP_STR_MAX];

		if (def != NULL)
			snprintf(name, sizeof(name), "%s (%s)", def->desc, def->key);
		else
			snprintf(name, sizeof(name), "%s", p->name);
		if (*p->value == '\0')
			snprintf(val, sizeof(val), "not set");
		else if (pool_prop_value_display(p->name, p->value, val, sizeof(val)) != 0)
			snprintf(val, sizeof(val), "%s", p->value);
		cli_table_row(&t, name, val);
	}
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
}

/* ---- system ---- */

static int
member_cmp(const void *a, const void *b)
{
	const Mgmt__Member *x = *(Mgmt__Member *const *)a, *y = *(Mgmt__Member *const *)b;

	return (x->rank > y->rank) - (x->rank < y->rank);
}

void
dmg_print_system_query(FILE *f, const Mgmt__SystemQueryResp *resp, bool verbose)
{
	static const char *const hdr[] = { "Rank", "State" };
	static const char *const v_hdr[] = { "Rank",         "UUID",  "Control Address",
					     "Fault Domain", "State", "Reason" };
	Mgmt__Member **m;
	struct cli_table t;
	unsigned int i, j;
	bool *done;

	m = d_calloc(resp->n_members ? resp->n_members : 1, sizeof(*m));
	done = d_calloc(resp->n_members ? resp->n_members : 1, sizeof(*done));
	if (m == NULL || done == NULL)
		goto out_free;
	if (resp->n_members == 0 && *resp->absent_ranks == '\0') {
		fprintf(f, "No system members\n");
		goto out_free;
	}
	memcpy(m, resp->members, resp->n_members * sizeof(*m));
	d_sort(m, resp->n_members, sizeof(*m), member_cmp);
	if (verbose) {
		cli_table_init(&t, 6, v_hdr);
		for (i = 0; i < resp->n_members; i++) {
			char rank[16];

			snprintf(rank, sizeof(rank), "%u", m[i]->rank);
			cli_table_row(&t, rank, m[i]->uuid, m[i]->addr, m[i]->fault_domain,
				      m[i]->state, m[i]->info);
		}
	} else {
		cli_table_init(&t, 2, hdr);
		for (i = 0; i < resp->n_members; i++) {
			d_rank_list_t *rl;
			char *s;

			if (done[i])
				continue;
			rl = d_rank_list_alloc(0);
			for (j = i; j < resp->n_members && rl != NULL; j++) {
				if (!done[j] && strcmp(m[j]->state, m[i]->state) == 0) {
					d_rank_list_append(rl, m[j]->rank);
					done[j] = true;
				}
			}
			s = cli_ranks_str(rl, false);
			cli_table_row(&t, s ? s : "?", m[i]->state);
			d_free(s);
			d_rank_list_free(rl);
		}
	}
	if (*resp->absent_ranks != '\0') {
		char *r = cli_ranks_text(resp->absent_ranks, false);

		if (verbose)
			cli_table_row(&t, r ? r : "?", "", "", "", "Unknown Rank", "");
		else
			cli_table_row(&t, r ? r : "?", "Unknown Rank");
		d_free(r);
	}
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
	if (*resp->self_heal_disabled != '\0')
		fprintf(f, "\nSystem property self_heal flag(s) disabled: %s\n",
			resp->self_heal_disabled);
out_free:
	d_free(m);
	d_free(done);
}

void
dmg_print_rank_results(FILE *f, const Mgmt__SystemRanksResp *resp)
{
	static const char *const hdr[] = { "Rank", "Operation", "Result" };
	struct cli_table t;
	unsigned int i, j;
	bool *done;

	if (resp->n_results == 0) {
		fprintf(f, "No results returned\n");
		return;
	}
	done = d_calloc(resp->n_results, sizeof(*done));
	if (done == NULL)
		return;
	cli_table_init(&t, 3, hdr);
	for (i = 0; i < resp->n_results; i++) {
		const Mgmt__RankResult *a = resp->results[i];
		const char *res_a = a->errored ? a->message : "OK";
		d_rank_list_t *rl;
		char *s;

		if (done[i])
			continue;
		rl = d_rank_list_alloc(0);
		for (j = i; j < resp->n_results && rl != NULL; j++) {
			const Mgmt__RankResult *b = resp->results[j];
			const char *res_b = b->errored ? b->message : "OK";

			if (!done[j] && strcmp(a->action, b->action) == 0 &&
			    strcmp(res_a, res_b) == 0) {
				d_rank_list_append(rl, b->rank);
				done[j] = true;
			}
		}
		s = cli_ranks_str(rl, false);
		cli_table_row(&t, s ? s : "?", a->action, res_a);
		d_free(s);
		d_rank_list_free(rl);
	}
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
	d_free(done);
}

static void
str_join(char *const *s, size_t n, char *buf, size_t len)
{
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", s[i]);
}

void
dmg_print_leader(FILE *f, const Mgmt__LeaderQueryResp *resp, bool down_replicas)
{
	char buf[1024];

	str_join(resp->replicas, resp->n_replicas, buf, sizeof(buf));
	fprintf(f, "Current Leader: %s\n", *resp->current_leader ? resp->current_leader : "N/A");
	fprintf(f, "Replica Set: %s\n", buf);
	if (down_replicas || resp->n_down_replicas > 0) {
		str_join(resp->down_replicas, resp->n_down_replicas, buf, sizeof(buf));
		fprintf(f, "Unresponsive Replicas: %s\n", resp->n_down_replicas ? buf : "N/A");
	}
}
