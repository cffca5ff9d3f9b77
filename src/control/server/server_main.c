/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_main.c - daos_server's command line, start-up and the control API dispatch
 * (design in server.h).
 *
 *   daos_server start [-o FILE] [-p PORT] [-i] [-d SOCKET_DIR] [--auto-format]
 *   daos_server version
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gurt/common.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/server/server.h"
#include "net/net.h"
#include "security/security.h"

#define DEFAULT_CONFIG "/etc/daos/daos_server.yml"

void
srv_reply_packed(struct ctl_req *req, int status, const char *msg, const ProtobufCMessage *body)
{
	size_t len = body != NULL ? protobuf_c_message_get_packed_size(body) : 0;
	uint8_t *buf = NULL;

	if (len > 0) {
		buf = d_malloc(len);
		if (buf == NULL) {
			ctl_req_reply(req, -DER_NOMEM, "out of memory", NULL, NULL, 0);
			return;
		}
		protobuf_c_message_pack(body, buf);
	}
	ctl_req_reply(req, status, msg, NULL, buf, len);
	d_free(buf);
}

static void
on_ctl_request(struct ctl_req *req, void *arg)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	struct server *srv = arg;

	D_DEBUG(DB_ANY, "%s from %s", ctl_method_name(ri->method), ri->peer);
	if (srv_ms_handle(srv, req))
		return;
	switch (ri->method) {
	case CTL_STORAGE_SCAN:
		srv_storage_scan(srv, req);
		break;
	case CTL_STORAGE_FORMAT:
		srv_storage_format(srv, req);
		break;
	case CTL_STORAGE_ERASE:
		srv_storage_erase(srv, req);
		break;
	case CTL_NETWORK_SCAN:
		srv_network_scan(srv, req);
		break;
	default: {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s is not served by this daos_server yet",
			 ctl_method_name(ri->method));
		ctl_req_reply(req, -DER_NOSYS, msg, NULL, NULL, 0);
		break;
	}
	}
}

/* --- start-up --- */

static void
usage(FILE *f)
{
	fprintf(f, "Usage: daos_server <command> [options]\n"
		   "Commands:\n"
		   "  start      start the server (the default)\n"
		   "  version    print the version\n"
		   "Options of start:\n"
		   "  -o, --config=FILE      daos_server.yml (default " DEFAULT_CONFIG ")\n"
		   "  -p, --port=PORT        control port (overrides port)\n"
		   "  -i, --insecure         no certificates (overrides transport_config)\n"
		   "  -d, --socket_dir=DIR   dRPC socket directory (overrides socket_dir)\n"
		   "      --auto-format      format unformatted storage at start\n"
		   "  -h, --help             this help\n");
}

struct args {
	const char *config;
	int port;
	bool insecure;
	const char *socket_dir;
	bool auto_format;
};

static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'o' },
		{ "port", required_argument, NULL, 'p' },
		{ "insecure", no_argument, NULL, 'i' },
		{ "socket_dir", required_argument, NULL, 'd' },
		{ "auto-format", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->config = DEFAULT_CONFIG;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:p:id:h", opts, NULL)) != -1) {
		char *end;
		long v;

		switch (c) {
		case 'o':
			a->config = optarg;
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 || v <= 0 || v > 65535) {
				fprintf(stderr,
					"daos_server: --port: expected a port number, got "
					"\"%s\"\n",
					optarg);
				return -DER_INVAL;
			}
			a->port = (int)v;
			break;
		case 'i':
			a->insecure = true;
			break;
		case 'd':
			a->socket_dir = optarg;
			break;
		case 'A':
			a->auto_format = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "daos_server: option %s needs a value\n", argv[optind - 1]);
			return -DER_INVAL;
		default:
			fprintf(stderr, "daos_server: unknown option %s\n", argv[optind - 1]);
			usage(stderr);
			return -DER_INVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "daos_server: unexpected argument \"%s\"\n", argv[optind]);
		return -DER_INVAL;
	}
	return 0;
}

/* mkdir -p @path; a message naming it on failure. */
static int
make_dir(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "daos_server: cannot create %s: %s\n", tmp,
				strerror(errno));
			return -daos_errno2der(errno);
		}
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

/* Copy the config file as loaded to <socket_dir>/.daos_server.active.yml. */
static void
write_active_config(const struct server *srv)
{
	char path[PATH_MAX];
	char buf[65536];
	FILE *in;
	FILE *out;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", srv->cfg->socket_dir, SERVER_ACTIVE_CONFIG);
	in = fopen(srv->cfg->path, "r");
	out = fopen(path, "w");
	if (in == NULL || out == NULL) {
		D_WARN("cannot write the active config copy %s: %s", path, strerror(errno));
	} else {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
	}
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
}

/* daos_engine next to daos_server (installed or build tree), else from PATH. */
static const char *
find_engine(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("DAOS_ENGINE_BIN");
	ssize_t n;

	if (env != NULL && *env != '\0')
		return env;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n > 0) {
		char dir[PATH_MAX - 64];

		path[n] = '\0';
		snprintf(dir, sizeof(dir), "%s", dirname(path));
		snprintf(path, sizeof(path), "%s/daos_engine", dir);
		if (access(path, X_OK) == 0)
			return path;
		/* The build tree: src/control/server/daos_server, src/engine/daos_engine */
		snprintf(path, sizeof(path), "%s/../../engine/daos_engine", dir);
		if (access(path, X_OK) == 0)
			return path;
	}
	return "daos_engine";
}

static void
on_closed(uv_handle_t *h)
{
	(void)h;
}

static void
on_signal(uv_signal_t *h, int sig)
{
	struct server *srv = h->data;

	D_NOTE("daos_server: signal %d: stopping", sig);
	if (srv->stopping)
		return;
	srv->stopping = true;
	if (srv->ctl != NULL) {
		ctl_server_stop(srv->ctl);
		srv->ctl = NULL;
	}
	srv_drpc_stop(srv);
	srv_join_timers_stop(srv);
	uv_close((uv_handle_t *)&srv->sigint, on_closed);
	uv_close((uv_handle_t *)&srv->sigterm, on_closed);
	srv_engines_stop(srv, false);
}

/* Map control_log_mask/control_log_file onto the log settings, unless the environment has them. */
static void
log_setup(const struct config_server *cfg)
{
	if (cfg->control_log_file != NULL)
		setenv("D_LOG_FILE", cfg->control_log_file, 0);
	setenv("D_LOG_MASK", config_log_level_name(cfg->control_log_mask), 0);
}

static int
server_run(struct server *srv, const struct args *a)
{
	struct ctl_tls_config tls;
	const char *host;
	int rc;

	/*
	 * Listen first: a second daos_server on the same config fails here, before it
	 * touches the storage, the MS database or the dRPC socket of the running one.
	 */
	tls = (struct ctl_tls_config){ .ca_file = srv->cfg->transport_config.ca_cert,
				       .cert_file = srv->cfg->transport_config.cert,
				       .key_file = srv->cfg->transport_config.key };
	if (!srv->insecure && tls.key_file != NULL &&
	    sec_file_check_mode(tls.key_file, SEC_MODE_KEY) != 0) {
		fprintf(stderr, "daos_server: %s\n", sec_last_error());
		return -DER_NO_PERM;
	}
	host = srv->cfg->control_iface != NULL ? srv->cfg->control_iface : "0.0.0.0";
	rc = ctl_server_start(srv->loop, host, (uint16_t)srv->cfg->port,
			      srv->insecure ? NULL : &tls, DAOS_VERSION, on_ctl_request, srv,
			      &srv->ctl);
	if (rc != 0) {
		fprintf(stderr,
			"daos_server: cannot listen on %s:%d: " DF_RC
			" (is another daos_server using this port?)\n",
			host, srv->cfg->port, DP_RC(rc));
		return rc;
	}
	if (srv->cfg->nr_engines > 0 && a->auto_format) {
		char err[512];
		unsigned int i;

		for (i = 0; i < srv->cfg->nr_engines; i++) {
			rc = storage_format_engine(srv->cfg, i, false, err, sizeof(err));
			if (rc != 0 && rc != -DER_EXIST) {
				fprintf(stderr, "daos_server: --auto-format: %s\n", err);
				return rc;
			}
		}
	}
	rc = srv_engines_init(srv);
	if (rc == 0)
		rc = srv_ms_init(srv);
	if (rc != 0)
		return rc;
	rc = srv_drpc_start(srv);
	if (rc != 0)
		return rc;
	if (srv->insecure)
		D_NOTE("daos_server: insecure mode: no certificates, any client may call any "
		       "method");
	printf("DAOS Control Server v%s (pid %d) listening on %s:%d\n", DAOS_VERSION, (int)getpid(),
	       host, srv->cfg->port);
	fflush(stdout);
	srv_engines_start(srv);
	uv_signal_init(srv->loop, &srv->sigint);
	uv_signal_init(srv->loop, &srv->sigterm);
	srv->sigint.data = srv;
	srv->sigterm.data = srv;
	uv_signal_start(&srv->sigint, on_signal, SIGINT);
	uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
	uv_run(srv->loop, UV_RUN_DEFAULT);
	/* Let the close callbacks run. */
	uv_run(srv->loop, UV_RUN_NOWAIT);
	return 0;
}

int
main(int argc, char **argv)
{
	struct server srv = { 0 };
	struct args a;
	char err[1024];
	int rc;

	if (argc > 1 && strcmp(argv[1], "version") == 0) {
		printf("daos_server version %s\n", DAOS_VERSION);
		return 0;
	}
	if (argc > 1 && argv[1][0] != '-') {
		if (strcmp(argv[1], "start") != 0) {
			fprintf(stderr, "daos_server: unknown command \"%s\"\n", argv[1]);
			usage(stderr);
			return 2;
		}
		argc--;
		argv++;
	}
	rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	rc = config_server_load(a.config, &srv.cfg, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "daos_server: %s\n", err);
		return 1;
	}
	if (a.port != 0)
		srv.cfg->port = a.port;
	if (a.socket_dir != NULL) {
		d_free(srv.cfg->socket_dir);
		srv.cfg->socket_dir = d_strdup(a.socket_dir);
	}
	srv.insecure = a.insecure || srv.cfg->transport_config.allow_insecure;
	log_setup(srv.cfg);
	d_log_init();
	net_fabric_signals_restore(); /* a crash must end the process, never hang it */
	signal(SIGPIPE, SIG_IGN);
	if (gethostname(srv.hostname, sizeof(srv.hostname)) != 0)
		snprintf(srv.hostname, sizeof(srv.hostname), "localhost");
	srv.hostname[strcspn(srv.hostname, ".")] = '\0';
	srv.engine_bin = find_engine();
	srv.loop = uv_default_loop();
	D_INIT_LIST_HEAD(&srv.creates);
	rc = make_dir(srv.cfg->socket_dir);
	if (rc == 0) {
		write_active_config(&srv);
		rc = server_run(&srv, &a);
	}
	if (srv.ctl != NULL)
		ctl_server_stop(srv.ctl);
	srv_drpc_stop(&srv);
	uv_run(srv.loop, UV_RUN_NOWAIT);
	srv_engines_fini(&srv);
	srv_ms_fini(&srv);
	config_server_free(srv.cfg);
	d_log_fini();
	return rc == 0 ? 0 : 1;
}
