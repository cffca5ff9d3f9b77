/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_main.c - the daos_agent command line: options, configuration, logging, and the
 * subcommands (start, version, net-scan, dump-attachinfo). Wires modules only; the
 * daemon is agent.c.
 *
 *   daos_agent [start] [-o FILE] [-d DIR] [-l FILE] [-i] [-j] [-s]
 *   daos_agent version
 *   daos_agent net-scan [-p PROVIDER]
 *   daos_agent dump-attachinfo
 *
 * Command-line values override daos_agent.yml. A missing file at the default path
 * means "all defaults" (as a fresh install without a config works on localhost); a
 * missing file named with -o is an error.
 */
#define D_LOGFAC DD_FAC(control)

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control/agent/agent_int.h"
#include "mgmt.pb-c.h"
#include "net/net.h"

#define DEFAULT_CONFIG "/etc/daos/daos_agent.yml"

struct opts {
	const char *config_path; /* -o */
	const char *runtime_dir; /* -d */
	const char *log_file;    /* -l */
	const char *provider;    /* net-scan -p */
	bool insecure;           /* -i */
	bool json_logging;       /* -j */
	bool debug;              /* -s */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage:\n"
		"  daos_agent [OPTIONS] [command]\n\n"
		"Application Options:\n"
		"  -o, --config-path=  Path to agent configuration file (default %s)\n"
		"  -d, --runtime_dir=  Path to agent communications socket\n"
		"  -l, --logfile=      Full path and filename for daos agent log file\n"
		"  -i, --insecure      Allow insecure connections\n"
		"  -j, --json-logging  Enable JSON-formatted log output\n"
		"  -s, --debug         Enable debug output\n"
		"  -h, --help          Show this help message\n\n"
		"Available commands:\n"
		"  start            Start daos_agent daemon (default)\n"
		"  version          Print daos_agent version\n"
		"  net-scan         Perform local network fabric scan (-p PROVIDER)\n"
		"  dump-attachinfo  Dump system attachinfo\n",
		DEFAULT_CONFIG);
}

static int
config_load(const struct opts *o, struct config_agent **out)
{
	char err[512] = "";
	const char *path = o->config_path != NULL ? o->config_path : DEFAULT_CONFIG;
	struct config_agent *cfg;
	int rc;

	rc = config_agent_load(path, &cfg, err, sizeof(err));
	if (rc == -DER_NONEXIST && o->config_path == NULL) {
		D_NOTE("%s not found, using defaults", path);
		rc = config_agent_parse("defaults", "", 0, &cfg, err, sizeof(err));
	}
	if (rc != 0) {
		if (rc == -DER_NONEXIST || rc == -DER_IO)
			fprintf(stderr, "daos_agent: could not read config file %s: %s\n", path,
				d_errdesc(rc));
		else
			fprintf(stderr, "daos_agent: invalid config file: %s\n",
				err[0] != '\0' ? err : d_errdesc(rc));
		return rc;
	}
	/* Flags override the file. */
	if (o->runtime_dir != NULL) {
		d_free(cfg->runtime_dir);
		cfg->runtime_dir = d_strdup(o->runtime_dir);
	}
	if (o->log_file != NULL) {
		d_free(cfg->log_file);
		cfg->log_file = d_strdup(o->log_file);
	}
	if ((o->runtime_dir != NULL && cfg->runtime_dir == NULL) ||
	    (o->log_file != NULL && cfg->log_file == NULL)) {
		config_agent_free(cfg);
		return -DER_NOMEM;
	}
	if (o->insecure)
		cfg->transport_config.allow_insecure = true;
	*out = cfg;
	return 0;
}

/* control_log_mask onto gurt priorities; DISABLED keeps only fatal messages. */
static const char *
log_mask_of(enum config_log_level level)
{
	switch (level) {
	case CONFIG_LOG_DISABLED:
		return "FATAL";
	case CONFIG_LOG_TRACE:
	case CONFIG_LOG_DEBUG:
		return "DEBUG";
	case CONFIG_LOG_NOTICE:
		return "NOTE";
	case CONFIG_LOG_ERROR:
		return "ERR";
	case CONFIG_LOG_INFO:
	default:
		return "INFO";
	}
}

static int
log_setup(const struct opts *o, const struct config_agent *cfg)
{
	int rc;

	rc = d_log_setmasks(o->debug ? "DEBUG" : log_mask_of(cfg->control_log_mask));
	if (rc != 0)
		return rc;
	/* D_LOG_MASK in the environment refines the configured level (per facility). */
	if (getenv("D_LOG_MASK") != NULL)
		d_log_setmasks(getenv("D_LOG_MASK"));
	if (cfg->log_file != NULL) {
		rc = d_log_set_file(cfg->log_file, false);
		if (rc != 0) {
			fprintf(stderr, "daos_agent: could not open log file %s: %s\n",
				cfg->log_file, d_errdesc(rc));
			return rc;
		}
	}
	if (o->json_logging)
		D_NOTE("JSON logging is not supported; logging as text");
	return 0;
}

static int
cmd_start(const struct opts *o)
{
	struct config_agent *cfg;
	int rc;

	rc = config_load(o, &cfg);
	if (rc != 0)
		return rc;
	rc = log_setup(o, cfg);
	if (rc == 0)
		rc = agent_run(cfg);
	config_agent_free(cfg);
	return rc;
}

static const char *const scan_providers[] = {
	"ofi+tcp", "ofi+tcp;ofi_rxm", "ofi+sockets", "ofi+verbs;ofi_rxm", "ofi+udp;ofi_rxd",
};

static void
scan_print(const char *provider, const struct agent_ifaces *set)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++)
		printf("    %-8d %-20s %-16s %s\n", set->ifs[i].numa_node, provider,
		       set->ifs[i].name, set->ifs[i].domain);
}

static int
cmd_net_scan(const struct opts *o)
{
	char host[256] = "localhost";
	bool all = o->provider == NULL || strcmp(o->provider, "all") == 0;
	struct agent_ifaces set;
	unsigned int found = 0;
	size_t i;
	int rc;

	gethostname(host, sizeof(host) - 1);
	printf("---------\n%s\n---------\n\n", host);
	printf("    %-8s %-20s %-16s %s\n", "NUMA", "Provider", "Interface", "Domain");
	printf("    %-8s %-20s %-16s %s\n", "----", "--------", "---------", "------");
	for (i = 0; i < (all ? ARRAY_SIZE(scan_providers) : 1); i++) {
		const char *prov = all ? scan_providers[i] : o->provider;

		rc = agent_ifaces_detect(prov, NULL, NULL, &set);
		if (rc == -DER_INVAL && !all) {
			fprintf(stderr, "daos_agent: unknown provider %s\n", prov);
			return rc;
		}
		if (rc != 0)
			continue;
		found += set.nr;
		scan_print(prov, &set);
		agent_ifaces_fini(&set);
	}
	if (found == 0)
		printf("    (no fabric interfaces found)\n");
	return 0;
}

static void
attach_print(const Mgmt__GetAttachInfoResp *r)
{
	const Mgmt__ClientNetHint *h = r->client_net_hint;
	size_t i;

	printf("sys: %s\n", r->system);
	printf("map_version: %u\n", r->map_version);
	printf("ms_ranks:");
	for (i = 0; i < r->n_ms_ranks; i++)
		printf(" %u", r->ms_ranks[i]);
	printf("\nclient_net_hint:\n");
	if (h != NULL) {
		printf("  provider: %s\n  interface: %s\n  domain: %s\n", h->provider, h->interface,
		       h->domain);
		printf("  crt_timeout: %u\n  net_dev_class: %s\n", h->crt_timeout,
		       h->net_dev_class);
		for (i = 0; i < h->n_env_vars; i++)
			printf("  env_var: %s\n", h->env_vars[i]);
	}
	printf("rank_uris:\n");
	for (i = 0; i < r->n_rank_uris; i++)
		printf("- rank: %u\n  uri: %s\n", r->rank_uris[i]->rank, r->rank_uris[i]->uri);
}

static int
cmd_dump_attachinfo(const struct opts *o)
{
	struct ctl_tls_config tls;
	struct config_agent *cfg;
	struct agent_ifaces set = { 0 };
	const struct agent_fabric_if *fi;
	struct agent_fabric_if none = { 0 };
	Mgmt__GetAttachInfoResp *resp;
	uint8_t *body = NULL;
	uint8_t *out = NULL;
	size_t len = 0;
	size_t out_len = 0;
	char err[1200] = "";
	char prov[AGENT_NAME_LEN] = "";
	bool on_lo = false;
	int rc;

	rc = config_load(o, &cfg);
	if (rc != 0)
		return rc;
	tls.ca_file = cfg->transport_config.ca_cert;
	tls.cert_file = cfg->transport_config.cert;
	tls.key_file = cfg->transport_config.key;
	rc = agent_ms_attach_info(&cfg->servers, cfg->transport_config.allow_insecure ? NULL : &tls,
				  cfg->name, &body, &len, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "daos_agent: %s\n", err);
		goto out_cfg;
	}
	if (agent_attach_peek(body, len, prov, sizeof(prov), &on_lo) != 0)
		prov[0] = '\0';
	/* What the agent would hand a client on NUMA node 0. */
	if (cfg->nr_fabric_ifaces > 0)
		rc = agent_ifaces_from_config(cfg, &set);
	else
		rc = agent_ifaces_detect(prov, &cfg->include_fabric_ifaces,
					 &cfg->exclude_fabric_ifaces, &set);
	if (rc != 0 || agent_iface_choose(&set, 0, NULL, on_lo, &fi) != 0)
		fi = &none;
	rc = agent_attach_reply(body, len, fi, &out, &out_len);
	if (rc != 0)
		goto out_set;
	resp = mgmt__get_attach_info_resp__unpack(&proto_allocator, out_len, out);
	if (resp == NULL) {
		rc = -DER_PROTO;
		goto out_set;
	}
	attach_print(resp);
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
out_set:
	agent_ifaces_fini(&set);
	d_free(out);
	d_free(body);
out_cfg:
	config_agent_free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config-path", required_argument, NULL, 'o' },
		{ "runtime_dir", required_argument, NULL, 'd' },
		{ "logfile", required_argument, NULL, 'l' },
		{ "insecure", no_argument, NULL, 'i' },
		{ "json-logging", no_argument, NULL, 'j' },
		{ "debug", no_argument, NULL, 's' },
		{ "provider", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	const char *cmd = "start";
	int c;
	int rc;

	while ((c = getopt_long(argc, argv, "o:d:l:ijsp:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.config_path = optarg;
			break;
		case 'd':
			o.runtime_dir = optarg;
			break;
		case 'l':
			o.log_file = optarg;
			break;
		case 'i':
			o.insecure = true;
			break;
		case 'j':
			o.json_logging = true;
			break;
		case 's':
			o.debug = true;
			break;
		case 'p':
			o.provider = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "daos_agent: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if (strcmp(cmd, "version") == 0) {
		printf("daos_agent version %s\n", DAOS_VERSION);
		return 0;
	}

	rc = d_log_init();
	if (rc != 0 && rc != -DER_IO)
		fprintf(stderr, "daos_agent: ignoring bad log settings in the environment\n");
	net_fabric_signals_restore(); /* a crash must end the process, never hang it */
	if (strcmp(cmd, "start") == 0) {
		rc = cmd_start(&o);
	} else if (strcmp(cmd, "net-scan") == 0) {
		rc = cmd_net_scan(&o);
	} else if (strcmp(cmd, "dump-attachinfo") == 0) {
		rc = cmd_dump_attachinfo(&o);
	} else {
		fprintf(stderr, "daos_agent: unknown command %s\n", cmd);
		usage(stderr);
		rc = -DER_INVAL;
	}
	d_log_fini();
	return rc == 0 ? 0 : 1;
}
