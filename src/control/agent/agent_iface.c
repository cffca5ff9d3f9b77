/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_iface.c - which fabric interface a client should use.
 *
 * The set of interfaces comes from daos_agent.yml's fabric_ifaces (trusted as written,
 * as DAOS does) or from detection: getifaddrs() lists the interfaces that are up and
 * have an IP address; fi_getinfo() for the MS's provider lists its domains, each with a
 * source address, and an interface qualifies when one of its addresses is such a source
 * address (tcp and sockets name the domain after the interface, verbs after the HCA, so
 * the address is the one key that works for both). Loopback qualifies only when nothing
 * else does: a single-host setup then still works. The NUMA node is read from sysfs.
 *
 * Selection spreads clients over the interfaces of their NUMA node round-robin; a node
 * without interfaces borrows from all. A client that names its interface (D_INTERFACE)
 * gets that one or an error. Loop thread only (the round-robin state is unlocked).
 *
 * Engines on loopback: when every rank URI is a loopback address (127.0.0.0/8, ::1) the
 * engines can only be reached from their own host, over the loopback interface; offering
 * eth0 there (as detection would, since it prefers other interfaces) leaves the client
 * with an interface that cannot reach them. So the set also remembers the loopback
 * interface it saw (if it passed the include/exclude filters, or was configured), and
 * agent_iface_choose() offers it to such clients, unless they name an interface.
 */
#define D_LOGFAC DD_FAC(control)

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <rdma/fabric.h>
#include <rdma/fi_errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control/agent/agent_int.h"
#include "net/net.h"

void
agent_ifaces_fini(struct agent_ifaces *set)
{
	d_free(set->ifs);
	memset(set, 0, sizeof(*set));
}

static void
name_copy(char *dst, const char *src)
{
	snprintf(dst, AGENT_NAME_LEN, "%s", src != NULL ? src : "");
}

int
agent_ifaces_from_config(const struct config_agent *cfg, struct agent_ifaces *out)
{
	unsigned int nr = 0;
	unsigned int i;
	unsigned int j;

	memset(out, 0, sizeof(*out));
	out->configured = true;
	for (i = 0; i < cfg->nr_fabric_ifaces; i++)
		nr += cfg->fabric_ifaces[i].nr_devices;
	if (nr == 0)
		return 0;
	out->ifs = d_calloc(nr, sizeof(*out->ifs));
	if (out->ifs == NULL)
		return -DER_NOMEM;
	for (i = 0; i < cfg->nr_fabric_ifaces; i++) {
		const struct config_numa_fabric *nf = &cfg->fabric_ifaces[i];

		for (j = 0; j < nf->nr_devices; j++) {
			struct agent_fabric_if *fi = &out->ifs[out->nr++];

			name_copy(fi->name, nf->devices[j].iface);
			/* tcp and sockets name the domain after the interface */
			name_copy(fi->domain, nf->devices[j].domain != NULL ? nf->devices[j].domain
									    : nf->devices[j].iface);
			fi->numa_node = nf->numa_node;
			fi->loopback = strcmp(fi->name, "lo") == 0;
			if (fi->loopback && !out->has_lo) {
				out->lo = *fi;
				out->has_lo = true;
			}
		}
	}
	return 0;
}

static bool
list_has(const struct config_strlist *list, const char *name)
{
	unsigned int i;

	for (i = 0; list != NULL && i < list->nr; i++)
		if (strcmp(list->str[i], name) == 0)
			return true;
	return false;
}

static bool
filter_keeps(const char *name, const struct config_strlist *include,
	     const struct config_strlist *exclude)
{
	if (include != NULL && include->nr > 0 && !list_has(include, name))
		return false;
	return !list_has(exclude, name);
}

void
agent_ifaces_filter(struct agent_ifaces *set, const struct config_strlist *include,
		    const struct config_strlist *exclude)
{
	unsigned int i;
	unsigned int n = 0;

	for (i = 0; i < set->nr; i++)
		if (filter_keeps(set->ifs[i].name, include, exclude))
			set->ifs[n++] = set->ifs[i];
	set->nr = n;
	if (set->has_lo && !filter_keeps(set->lo.name, include, exclude))
		set->has_lo = false;
}

int
agent_iface_loopback(const struct agent_ifaces *set, const struct agent_fabric_if **out)
{
	if (!set->has_lo)
		return -DER_NONEXIST;
	*out = &set->lo;
	return 0;
}

int
agent_iface_choose(struct agent_ifaces *set, int numa_node, const char *want, bool on_lo,
		   const struct agent_fabric_if **out)
{
	/*
	 * Engines that listen on loopback only are reachable from this host only, and only
	 * through the loopback interface: offer that one, unless the client chose its own.
	 */
	if ((want == NULL || want[0] == '\0') && on_lo && agent_iface_loopback(set, out) == 0)
		return 0;
	return agent_iface_select(set, numa_node, want, out);
}

bool
agent_uri_is_loopback(const char *uri)
{
	const char *host = strstr(uri, "://");
	const char *end;
	char addr[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (host == NULL)
		return false;
	host += 3;
	if (host[0] == '[') {
		host++;
		end = strchr(host, ']');
		if (end == NULL)
			return false;
	} else {
		end = strchr(host, ':');
		if (end == NULL)
			end = host + strlen(host);
	}
	n = (size_t)(end - host);
	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, host, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

int
agent_iface_select(struct agent_ifaces *set, int numa_node, const char *want,
		   const struct agent_fabric_if **out)
{
	unsigned int on_node = 0;
	unsigned int pick;
	unsigned int slot;
	unsigned int i;

	if (set->nr == 0)
		return -DER_NONEXIST;
	if (want != NULL && want[0] != '\0') {
		for (i = 0; i < set->nr; i++) {
			if (strcmp(set->ifs[i].name, want) == 0) {
				*out = &set->ifs[i];
				return 0;
			}
		}
		return -DER_NONEXIST;
	}
	if (numa_node < 0 || numa_node >= AGENT_NUMA_MAX)
		numa_node = 0;
	for (i = 0; i < set->nr; i++)
		if (set->ifs[i].numa_node == numa_node)
			on_node++;
	slot = (unsigned int)numa_node;
	if (on_node == 0) {
		/* No interface on the client's node: spread it over all of them. */
		pick = set->next[slot]++ % set->nr;
		*out = &set->ifs[pick];
		return 0;
	}
	pick = set->next[slot]++ % on_node;
	for (i = 0; i < set->nr; i++) {
		if (set->ifs[i].numa_node != numa_node)
			continue;
		if (pick-- == 0)
			break;
	}
	*out = &set->ifs[i];
	return 0;
}

/* Read a small integer from a sysfs file; @dflt if absent or negative. */
static int
sysfs_int(const char *path, int dflt)
{
	FILE *f = fopen(path, "r");
	int v;

	if (f == NULL)
		return dflt;
	if (fscanf(f, "%d", &v) != 1 || v < 0)
		v = dflt;
	fclose(f);
	return v;
}

static int
iface_numa_node(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node", name);
	return sysfs_int(path, 0);
}

int
agent_numa_of_pid(pid_t pid)
{
	cpu_set_t set;
	char path[96];
	int cpu;
	int node;

	CPU_ZERO(&set);
	if (sched_getaffinity(pid, sizeof(set), &set) != 0)
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			break;
	if (cpu == CPU_SETSIZE)
		return 0;
	for (node = 0; node < AGENT_NUMA_MAX; node++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/node%d", cpu, node);
		if (access(path, F_OK) == 0)
			return node;
	}
	return 0;
}

static bool
addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a == NULL || b == NULL || a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr,
			      sizeof(struct in_addr)) == 0;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return false;
}

/* The domain of @provider that has @addr as a source address, or NULL. */
static const char *
domain_of_addr(struct fi_info *infos, const struct sockaddr *addr)
{
	struct fi_info *fi;

	for (fi = infos; fi != NULL; fi = fi->next)
		if (fi->src_addr != NULL && fi->domain_attr != NULL &&
		    addr_equal(fi->src_addr, addr))
			return fi->domain_attr->name;
	return NULL;
}

static int
fabric_infos(const char *provider, struct fi_info **out)
{
	char fi_prov[AGENT_NAME_LEN];
	struct fi_info *hints;
	int rc;

	rc = net_provider_to_fi(provider, fi_prov, sizeof(fi_prov));
	if (rc != 0) {
		D_ERROR("unknown fabric provider \"%s\" (expected e.g. ofi+tcp)", provider);
		return -DER_INVAL;
	}
	hints = fi_allocinfo();
	if (hints == NULL)
		return -DER_NOMEM;
	hints->ep_attr->type = FI_EP_RDM;
	hints->fabric_attr->prov_name = strdup(fi_prov);
	rc = fi_getinfo(FI_VERSION(1, 11), NULL, NULL, 0, hints, out);
	fi_freeinfo(hints);
	if (rc == -FI_ENODATA) {
		*out = NULL;
		return 0;
	}
	if (rc != 0) {
		D_ERROR("could not list the interfaces of provider %s: %s", provider,
			fi_strerror(-rc));
		return -DER_HG;
	}
	return 0;
}

static bool
set_has(const struct agent_ifaces *set, const char *name)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++)
		if (strcmp(set->ifs[i].name, name) == 0)
			return true;
	return false;
}

int
agent_ifaces_detect(const char *provider, const struct config_strlist *include,
		    const struct config_strlist *exclude, struct agent_ifaces *out)
{
	struct fi_info *infos = NULL;
	struct ifaddrs *ifa_list;
	struct ifaddrs *ifa;
	struct agent_ifaces set = { 0 };
	unsigned int cap = 0;
	unsigned int i;
	unsigned int nr_lo = 0;
	bool any = provider == NULL || provider[0] == '\0';
	int rc;

	if (!any) {
		rc = fabric_infos(provider, &infos);
		if (rc != 0)
			return rc;
	}
	if (getifaddrs(&ifa_list) != 0) {
		rc = -daos_errno2der(errno);
		D_ERROR("could not list network interfaces: " DF_RC, DP_RC(rc));
		goto out_free_infos;
	}
	for (ifa = ifa_list; ifa != NULL; ifa = ifa->ifa_next)
		cap++;
	set.ifs = d_calloc(cap + 1, sizeof(*set.ifs));
	if (set.ifs == NULL) {
		rc = -DER_NOMEM;
		goto out_free_ifa;
	}
	for (ifa = ifa_list; ifa != NULL; ifa = ifa->ifa_next) {
		struct agent_fabric_if *fi;
		const char *domain;

		if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP))
			continue;
		if (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6)
			continue;
		if (set_has(&set, ifa->ifa_name))
			continue;
		domain = any ? ifa->ifa_name : domain_of_addr(infos, ifa->ifa_addr);
		if (domain == NULL)
			continue;
		fi = &set.ifs[set.nr++];
		name_copy(fi->name, ifa->ifa_name);
		name_copy(fi->domain, domain);
		fi->loopback = (ifa->ifa_flags & IFF_LOOPBACK) != 0;
		fi->numa_node = iface_numa_node(ifa->ifa_name);
		if (fi->loopback)
			nr_lo++;
		if (fi->loopback && !set.has_lo) {
			/* Kept aside for clients of engines on loopback (agent_iface_loopback). */
			set.lo = *fi;
			set.has_lo = true;
		}
	}
	agent_ifaces_filter(&set, include, exclude);
	/* Loopback only if it is all there is (or the only one the filters kept). */
	if (nr_lo > 0 && !list_has(include, "lo")) {
		unsigned int n = 0;
		bool others = false;

		for (i = 0; i < set.nr; i++)
			others |= !set.ifs[i].loopback;
		for (i = 0; i < set.nr && others; i++)
			if (!set.ifs[i].loopback)
				set.ifs[n++] = set.ifs[i];
		if (others)
			set.nr = n;
	}
	name_copy(set.provider, provider);
	*out = set;
	rc = 0;
out_free_ifa:
	freeifaddrs(ifa_list);
out_free_infos:
	if (infos != NULL)
		fi_freeinfo(infos);
	return rc;
}
