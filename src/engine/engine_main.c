/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_main.c - daos_engine: flags and environment, xstreams, signals (see engine.h).
 *
 * daos_server runs us as DAOS runs its engine: flags -t targets, -x helpers, -f first
 * core, -g system, -d socket dir, -s scm mount, -n bdev description, -I engine index,
 * -T tiers, -p NUMA node; environment D_PROVIDER, D_INTERFACE, D_PORT, CRT_TIMEOUT,
 * D_LOG_FILE, D_LOG_MASK. Flags DAOS has that mean nothing here (-r, -H, -b, -S, -C)
 * are accepted and noted once. Targets are pinned to first_core + 1 + t (the system
 * xstream to first_core) when the process may run on those cores; with more targets
 * than that (DAOS_TARGET_OVERSUBSCRIBE's case, a laptop) see target_cpu().
 */
#define D_LOGFAC DD_FAC(engine)

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <gurt/common.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"

#define ENGINE_IOQ_DEPTH 256
/* The system xstream's queue serves the pool services' stores. */
#define ENGINE_SYS_IOQ_DEPTH 64

struct engine engine;

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: daos_engine [options]\n"
		"  -t, --targets=N        I/O targets (service threads), default 1\n"
		"  -x, --xshelpernr=N     helper threads, default 0\n"
		"  -f, --firstcore=N      first core to pin to, default 0\n"
		"  -g, --group=NAME       system name, default daos_server\n"
		"  -d, --storage=DIR      dRPC socket directory, default /var/run/daos_server\n"
		"  -s, --storage_path=DIR scm mount point, default /mnt/daos\n"
		"  -n, --nvme=FILE        bdev description file\n"
		"  -I, --instance_idx=N   engine index in daos_server.yml\n"
		"  -T, --storage_tiers=N  number of storage tiers\n"
		"  -p, --pinned_numa_node=N  NUMA node\n"
		"  -m, --modules=LIST     modules to load (all are built in)\n"
		"  -h, --help             this help\n"
		"Environment: D_PROVIDER, D_INTERFACE, D_PORT, CRT_TIMEOUT, D_LOG_FILE, D_LOG_MASK\n");
}

static int
parse_uint(const char *opt, const char *val, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (*val == '\0' || *end != '\0' || errno != 0 || v > max || val[0] == '-') {
		fprintf(stderr, "daos_engine: %s: expected an integer from 0 to %u, got \"%s\"\n",
			opt, max, val);
		return -DER_INVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

int
engine_parse_args(int argc, char **argv, struct engine_args *a)
{
	static const struct option opts[] = {
		{ "targets", required_argument, NULL, 't' },
		{ "xshelpernr", required_argument, NULL, 'x' },
		{ "firstcore", required_argument, NULL, 'f' },
		{ "group", required_argument, NULL, 'g' },
		{ "storage", required_argument, NULL, 'd' },
		{ "socket_dir", required_argument, NULL, 'd' },
		{ "storage_path", required_argument, NULL, 's' },
		{ "nvme", required_argument, NULL, 'n' },
		{ "instance_idx", required_argument, NULL, 'I' },
		{ "storage_tiers", required_argument, NULL, 'T' },
		{ "pinned_numa_node", required_argument, NULL, 'p' },
		{ "modules", required_argument, NULL, 'm' },
		{ "mem_size", required_argument, NULL, 'r' },
		{ "hugepage_size", required_argument, NULL, 'H' },
		{ "bypass_health_chk", no_argument, NULL, 'b' },
		{ "nr_sec_ctx", required_argument, NULL, 'S' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int v;
	int c;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	a->nr_targets = 1;
	a->numa_node = -1;
	a->system = "daos_server";
	a->socket_dir = "/var/run/daos_server";
	a->scm_mount = "/mnt/daos";
	optind = 1;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, ":t:x:f:g:d:s:n:I:T:p:m:r:H:bS:Ch", opts,
					   NULL)) != -1) {
		switch (c) {
		case 't':
			rc = parse_uint("-t", optarg, 1024, &a->nr_targets);
			if (rc == 0 && a->nr_targets == 0) {
				fprintf(stderr,
					"daos_engine: -t: an engine needs at least 1 target\n");
				rc = -DER_INVAL;
			}
			break;
		case 'x':
			rc = parse_uint("-x", optarg, 1024, &a->nr_helpers);
			break;
		case 'f':
			rc = parse_uint("-f", optarg, 65535, &v);
			a->first_core = (int)v;
			break;
		case 'g':
			a->system = optarg;
			break;
		case 'd':
			a->socket_dir = optarg;
			break;
		case 's':
			a->scm_mount = optarg;
			break;
		case 'n':
			a->nvme_conf = optarg;
			break;
		case 'I':
			rc = parse_uint("-I", optarg, 1024, &a->idx);
			break;
		case 'T':
			rc = parse_uint("-T", optarg, 8, &a->nr_tiers);
			break;
		case 'p':
			rc = parse_uint("-p", optarg, 1024, &v);
			a->numa_node = (int)v;
			break;
		case 'm':
			a->modules = optarg;
			break;
		case 'r':
		case 'H':
		case 'b':
		case 'S':
		case 'C':
			D_NOTE("daos_engine: option -%c has no effect here (no SPDK, hugepages or "
			       "checker mode)",
			       c);
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "daos_engine: option %s needs a value\n", argv[optind - 1]);
			rc = -DER_INVAL;
			break;
		default:
			fprintf(stderr, "daos_engine: unknown option %s\n", argv[optind - 1]);
			rc = -DER_INVAL;
			break;
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "daos_engine: unexpected argument \"%s\"\n", argv[optind]);
		rc = -DER_INVAL;
	}
	if (rc != 0)
		usage(stderr);
	return rc;
}

/* The first IPv4 address of interface @iface, into @out. */
static int
iface_addr(const char *iface, char *out, size_t len)
{
	struct ifaddrs *ifa;
	struct ifaddrs *i;
	int rc = -DER_NONEXIST;

	if (getifaddrs(&ifa) != 0)
		return -daos_errno2der(errno);
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, iface) != 0)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, out,
			  (socklen_t)len);
		rc = 0;
		break;
	}
	freeifaddrs(ifa);
	return rc;
}

int
engine_parse_env(struct engine_args *a)
{
	const char *v;
	unsigned int u;
	char fi[64];
	int rc;

	v = getenv("D_PROVIDER");
	snprintf(a->provider, sizeof(a->provider), "%s", v != NULL && *v ? v : "ofi+tcp");
	if (net_provider_to_fi(a->provider, fi, sizeof(fi)) != 0) {
		fprintf(stderr, "daos_engine: D_PROVIDER=%s: not a provider this engine can use\n",
			a->provider);
		return -DER_INVAL;
	}
	v = getenv("D_INTERFACE");
	snprintf(a->iface, sizeof(a->iface), "%s", v != NULL && *v ? v : "lo");
	rc = iface_addr(a->iface, a->host, sizeof(a->host));
	if (rc != 0) {
		fprintf(stderr,
			"daos_engine: D_INTERFACE=%s: no such interface with an IPv4 "
			"address\n",
			a->iface);
		return -DER_INVAL;
	}
	a->port = ENGINE_DEFAULT_PORT;
	v = getenv("D_PORT");
	if (v != NULL && *v != '\0') {
		if (parse_uint("D_PORT", v, 65535, &u) != 0)
			return -DER_INVAL;
		a->port = (int)u;
	}
	if (a->port == 0 || a->port + (int)a->nr_targets > 65535) {
		fprintf(stderr,
			"daos_engine: D_PORT=%d: the port and the %u above it must be valid "
			"ports\n",
			a->port, a->nr_targets);
		return -DER_INVAL;
	}
	a->crt_timeout = 60;
	v = getenv("CRT_TIMEOUT");
	if (v != NULL && *v != '\0' && parse_uint("CRT_TIMEOUT", v, 3600, &a->crt_timeout) != 0)
		return -DER_INVAL;
	return 0;
}

/* --- xstreams --- */

static int
sys_init(struct eng_xs *xs, void *arg)
{
	struct engine *eng = arg;
	int rc;

	eng->sys = xs;
	snprintf(eng->uri, sizeof(eng->uri), "%s", net_ctx_uri(eng_xs_net(xs)));
	rc = engine_obj_register(eng);
	if (rc == 0)
		rc = engine_drpc_start(eng);
	return rc;
}

static void
sys_fini(struct eng_xs *xs, void *arg)
{
	(void)xs;
	engine_drpc_stop(arg);
}

/* A target serves the object RPCs from before NotifyReady on. */
static int
tgt_init(struct eng_xs *xs, void *arg)
{
	return engine_obj_tgt_start(arg, xs);
}

static void
tgt_fini(struct eng_xs *xs, void *arg)
{
	(void)arg;
	engine_obj_tgt_stop(xs);
}

/*
 * The core for target @t of @nr: first_core + 1 + t when all targets have their own core
 * among those the process may use. Otherwise (a laptop) the targets are spread round
 * robin over every usable core, those after first_core first, then first_core and the
 * ones before it: with local bulk (net.h) a client of the same host hardly uses its core
 * while large transfers run, so a target there doubles what the engine can copy and
 * check (1 MiB updates at depth 8 on two cores: 2.5-2.9 GB/s with both targets on core 1,
 * 4.4-4.7 GB/s spread), and 4 KiB updates at depth 16 were no slower in interleaved
 * runs. The system xstream stays on first_core. -1 (not pinned) with no usable core.
 */
static int
target_cpu(int first_core, unsigned int t, unsigned int nr)
{
	static atomic_bool noted;
	cpu_set_t allowed;
	int cores[CPU_SETSIZE];
	int nr_after = 0;
	int nr_cores;
	int c;

	if (first_core < 0 || sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return first_core < 0 ? -1 : first_core + 1 + (int)t;
	for (c = first_core + 1; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			cores[nr_after++] = c;
	if ((unsigned int)nr_after >= nr)
		return cores[t];
	nr_cores = nr_after;
	for (c = 0; c <= first_core && c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			cores[nr_cores++] = c;
	if (!atomic_exchange(&noted, true))
		D_NOTE("%u targets, %d usable cores after first_core %d: the targets are spread "
		       "over all %d usable cores",
		       nr, nr_after, first_core, nr_cores);
	return nr_cores > 0 ? cores[t % (unsigned int)nr_cores] : -1;
}

static int
start_xstreams(struct engine *eng)
{
	struct engine_args *a = &eng->args;
	struct net_ctx_attr net = { .provider = a->provider, .host = a->host, .local_bulk = true };
	struct eng_xs_attr attr = { 0 };
	struct eng_xs *sys;
	unsigned int t;
	int rc;

	eng->tgts = d_calloc(a->nr_targets, sizeof(*eng->tgts));
	if (eng->tgts == NULL)
		return -DER_NOMEM;
	net.port = a->port;
	attr = (struct eng_xs_attr){ .idx = 0,
				     .cpu = a->first_core,
				     .net = &net,
				     .uv = true,
				     .ioq_depth = ENGINE_SYS_IOQ_DEPTH,
				     .init = sys_init,
				     .fini = sys_fini,
				     .arg = eng };
	rc = eng_xs_start(&attr, &sys);
	if (rc != 0) {
		fprintf(stderr,
			"daos_engine: cannot start the system xstream on %s:%d (%s): " DF_RC "\n",
			a->host, a->port, a->provider, DP_RC(rc));
		return rc;
	}
	for (t = 0; t < a->nr_targets; t++) {
		net.port = a->port + 1 + (int)t;
		attr = (struct eng_xs_attr){ .idx = t + 1,
					     .cpu = target_cpu(a->first_core, t, a->nr_targets),
					     .net = &net,
					     .ioq_depth = ENGINE_IOQ_DEPTH,
					     .init = tgt_init,
					     .fini = tgt_fini,
					     .arg = eng };
		rc = eng_xs_start(&attr, &eng->tgts[t]);
		if (rc != 0) {
			fprintf(stderr, "daos_engine: cannot start target %u on %s:%d: " DF_RC "\n",
				t, a->host, net.port, DP_RC(rc));
			return rc;
		}
	}
	return 0;
}

static void
stop_xstreams(struct engine *eng)
{
	unsigned int t;

	if (eng->tgts != NULL) {
		for (t = 0; t < eng->args.nr_targets; t++)
			eng_xs_stop(eng->tgts[t]);
		d_free(eng->tgts);
		eng->tgts = NULL;
	}
	eng_xs_stop(eng->sys);
	eng->sys = NULL;
}

int
main(int argc, char **argv)
{
	struct engine *eng = &engine;
	struct timespec now;
	sigset_t set;
	int sig;
	int rc;

	/* An engine does not outlive its daos_server (a SIGKILLed server leaves none behind). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	rc = engine_parse_args(argc, argv, &eng->args);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	rc = engine_parse_env(&eng->args);
	if (rc != 0)
		return 2;
	rc = d_log_init();
	if (rc != 0) {
		fprintf(stderr, "daos_engine: cannot open the log: " DF_RC "\n", DP_RC(rc));
		return 1;
	}
	rc = net_group_create(&eng->group);
	if (rc != 0)
		return 1;
	clock_gettime(CLOCK_REALTIME, &now);
	eng->incarnation = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;

	/* Signals are taken by this thread only (sigwait below): block them everywhere. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = engine_storage_open(eng);
	if (rc == 0)
		rc = start_xstreams(eng);
	if (rc == 0)
		rc = engine_pool_open_all(eng);
	if (rc == 0)
		rc = engine_psvc_open_all(eng);
	if (rc == 0)
		rc = engine_notify_ready(eng);
	if (rc == 0) {
		D_INFO("engine %u: %u targets serving at %s, waiting for a rank", eng->args.idx,
		       eng->args.nr_targets, eng->uri);
		while (sigwait(&set, &sig) != 0)
			;
		D_INFO("engine %u: signal %d: shutting down", eng->args.idx, sig);
	}
	engine_psvc_close_all(eng);
	engine_pool_close_all(eng);
	stop_xstreams(eng);
	engine_storage_close(eng);
	net_group_destroy(eng->group);
	d_log_fini();
	return rc == 0 ? 0 : 1;
}
