/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_engine.c - daos_server's engines: start them with DAOS's flags and environment,
 * watch them exit, and serve their dRPC calls (NotifyReady) on daos_server.sock.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <gurt/common.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control/server/server.h"
#include "mgmt.pb-c.h"
#include "security/security.h"

extern char **environ;

const char *
srv_engine_state_name(enum srv_engine_state st)
{
	switch (st) {
	case SRV_ENGINE_AWAIT_FORMAT:
		return "AwaitFormat";
	case SRV_ENGINE_STARTING:
		return "Starting";
	case SRV_ENGINE_READY:
		return "Ready";
	case SRV_ENGINE_JOINED:
		return "Joined";
	case SRV_ENGINE_STOPPING:
		return "Stopping";
	case SRV_ENGINE_STOPPED:
		return "Stopped";
	case SRV_ENGINE_ERRORED:
		return "Errored";
	}
	return "Unknown";
}

/* Read the superblock of engine @e: formatted or not. */
static void
engine_load_sb(struct srv_engine *e)
{
	char *path = storage_sb_path(e->srv->cfg, e->idx);
	char err[512] = "";
	int rc;

	if (path == NULL)
		return;
	rc = storage_sb_read(path, &e->sb, err, sizeof(err));
	e->formatted = rc == 0;
	e->has_rank = rc == 0 && e->sb.valid_rank;
	e->rank = e->sb.rank;
	if (rc != 0 && rc != -DER_NONEXIST)
		D_ERROR("engine %u: %s", e->idx, err);
	d_free(path);
}

int
srv_engines_init(struct server *srv)
{
	unsigned int i;

	srv->nr_engines = srv->cfg->nr_engines;
	if (srv->nr_engines == 0) {
		D_NOTE("no engines configured: daos_server serves storage and network scans only");
		return 0;
	}
	srv->engines = d_calloc(srv->nr_engines, sizeof(*srv->engines));
	if (srv->engines == NULL)
		return -DER_NOMEM;
	for (i = 0; i < srv->nr_engines; i++) {
		struct srv_engine *e = &srv->engines[i];

		e->srv = srv;
		e->idx = i;
		engine_load_sb(e);
		e->state = e->formatted ? SRV_ENGINE_STOPPED : SRV_ENGINE_AWAIT_FORMAT;
		if (!e->formatted)
			D_NOTE("engine %u: storage is not formatted (no superblock): waiting for "
			       "dmg storage format",
			       i);
	}
	return 0;
}

static void
on_engine_closed(uv_handle_t *h)
{
	struct srv_engine *e = h->data;

	e->running = false;
	if (e->srv->stopping && !srv_engines_running(e->srv))
		uv_stop(e->srv->loop);
}

static void
on_engine_exit(uv_process_t *p, int64_t status, int sig)
{
	struct srv_engine *e = p->data;

	if (e->stop_wanted) {
		e->state = SRV_ENGINE_STOPPED;
		snprintf(e->info, sizeof(e->info), "%s", "");
		D_INFO("engine %u (pid %d) stopped", e->idx, (int)e->pid);
	} else {
		e->state = SRV_ENGINE_ERRORED;
		if (sig != 0)
			snprintf(e->info, sizeof(e->info),
				 "DAOS engine %u exited unexpectedly: signal: %s", e->idx,
				 sig == SIGKILL ? "killed" : strsignal(sig));
		else
			snprintf(e->info, sizeof(e->info),
				 "DAOS engine %u exited unexpectedly: exit status %" PRId64, e->idx,
				 status);
		D_ERROR("%s", e->info);
	}
	e->pid = 0;
	srv_engine_exited(e);
	uv_close((uv_handle_t *)p, on_engine_closed);
}

/* argv and envp for engine @e; the strings are d_asprintf'ed into @strs. */
static int
engine_argv(struct srv_engine *e, struct config_strlist *strs, char ***argv_out, char ***envp_out)
{
	const struct config_server *cfg = e->srv->cfg;
	const struct config_engine *ce = &cfg->engines[e->idx];
	struct config_strlist env = { NULL, 0 };
	char **argv = d_calloc(32, sizeof(*argv));
	char **envp = NULL;
	unsigned int n = 0;
	unsigned int nenv = 0;
	unsigned int i;
	char *conf;
	int rc;

	if (argv == NULL)
		return -DER_NOMEM;
	conf = storage_bdev_conf_path(cfg, e->idx);
	rc = config_engine_env(cfg, e->idx, &env);
	if (rc != 0 || conf == NULL) {
		d_free(argv);
		d_free(conf);
		return rc != 0 ? rc : -DER_NOMEM;
	}
#define ARG(...)                                      \
	do {                                          \
		char *s_ = NULL;                      \
		if (d_asprintf(&s_, __VA_ARGS__) < 0) \
			rc = -DER_NOMEM;              \
		argv[n++] = s_;                       \
	} while (0)
	ARG("%s", e->srv->engine_bin);
	ARG("-t");
	ARG("%d", ce->targets);
	ARG("-x");
	ARG("%d", ce->nr_xs_helpers);
	ARG("-f");
	ARG("%d", ce->first_core);
	ARG("-g");
	ARG("%s", cfg->name);
	ARG("-d");
	ARG("%s", cfg->socket_dir);
	ARG("-s");
	ARG("%s", ce->storage[0].scm_mount);
	ARG("-n");
	ARG("%s", conf);
	ARG("-I");
	ARG("%u", e->idx);
	ARG("-T");
	ARG("%u", ce->nr_storage);
	if (ce->has_pinned_numa_node) {
		ARG("-p");
		ARG("%d", ce->pinned_numa_node);
	}
#undef ARG
	d_free(conf);
	/* The server's environment, with the engine's keys put in front (they win). */
	for (i = 0; environ[i] != NULL; i++)
		;
	envp = d_calloc(i + env.nr + 1, sizeof(*envp));
	if (envp == NULL)
		rc = -DER_NOMEM;
	for (i = 0; rc == 0 && i < env.nr; i++)
		envp[nenv++] = env.str[i];
	for (i = 0; rc == 0 && environ[i] != NULL; i++) {
		size_t klen = strcspn(environ[i], "=");
		unsigned int j;
		bool dup = false;

		for (j = 0; j < env.nr && !dup; j++)
			dup = strncmp(env.str[j], environ[i], klen + 1) == 0;
		if (!dup)
			envp[nenv++] = environ[i];
	}
	/* The strings we own: argv's and env's (environ's belong to the process). */
	*strs = env;
	*argv_out = argv;
	*envp_out = envp;
	return rc;
}

int
srv_engine_start(struct srv_engine *e)
{
	struct config_strlist strs = { NULL, 0 };
	uv_process_options_t opts = { 0 };
	uv_stdio_container_t stdio[3];
	char **argv = NULL;
	char **envp = NULL;
	unsigned int i;
	int rc;

	rc = engine_argv(e, &strs, &argv, &envp);
	if (rc == 0) {
		for (i = 0; i < 3; i++) {
			stdio[i].flags = UV_INHERIT_FD;
			stdio[i].data.fd = (int)i;
		}
		opts.file = argv[0];
		opts.args = argv;
		opts.env = envp;
		opts.exit_cb = on_engine_exit;
		opts.stdio = stdio;
		opts.stdio_count = 3;
		e->proc.data = e;
		rc = uv_spawn(e->srv->loop, &e->proc, &opts);
		if (rc != 0) {
			snprintf(e->info, sizeof(e->info), "cannot start %s: %s", argv[0],
				 uv_strerror(rc));
			D_ERROR("engine %u: %s", e->idx, e->info);
			e->state = SRV_ENGINE_ERRORED;
			rc = -DER_MISC;
		} else {
			e->running = true;
			e->stop_wanted = false;
			e->pid = e->proc.pid;
			e->state = SRV_ENGINE_STARTING;
			e->info[0] = '\0';
			D_INFO("engine %u: started %s (pid %d)", e->idx, argv[0], (int)e->pid);
		}
	}
	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		d_free(argv[i]);
	d_free(argv);
	d_free(envp);
	config_strlist_fini(&strs);
	return rc;
}

void
srv_engines_start(struct server *srv)
{
	unsigned int i;

	for (i = 0; i < srv->nr_engines; i++) {
		struct srv_engine *e = &srv->engines[i];

		if (!e->formatted)
			engine_load_sb(e);
		if (e->formatted && !e->running)
			srv_engine_start(e);
	}
}

void
srv_engine_stop(struct srv_engine *e, bool force)
{
	if (e->running && e->pid != 0) {
		e->stop_wanted = true;
		e->state = SRV_ENGINE_STOPPING;
		uv_process_kill(&e->proc, force ? SIGKILL : SIGTERM);
	}
}

void
srv_engines_stop(struct server *srv, bool force)
{
	unsigned int i;

	for (i = 0; i < srv->nr_engines; i++)
		srv_engine_stop(&srv->engines[i], force);
}

bool
srv_engines_running(const struct server *srv)
{
	unsigned int i;

	for (i = 0; i < srv->nr_engines; i++)
		if (srv->engines[i].running)
			return true;
	return false;
}

void
srv_engines_fini(struct server *srv)
{
	d_free(srv->engines);
	srv->engines = NULL;
	srv->nr_engines = 0;
}

/* --- dRPC from engines --- */

static void
h_notify_ready(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	struct server *srv = arg;
	Mgmt__NotifyReadyReq *in;
	struct srv_engine *e;

	in = mgmt__notify_ready_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	if (in->instance_idx >= srv->nr_engines ||
	    srv->engines[in->instance_idx].pid != (pid_t)ri->caller.pid) {
		D_ERROR("NotifyReady from pid %d claiming engine %u: not an engine we started",
			(int)ri->caller.pid, in->instance_idx);
		drpc_req_reply_status(req, -DER_NO_PERM, "not an engine this daos_server started");
		mgmt__notify_ready_req__free_unpacked(in, &proto_allocator);
		return;
	}
	e = &srv->engines[in->instance_idx];
	snprintf(e->uri, sizeof(e->uri), "%s", in->uri);
	snprintf(e->drpc_path, sizeof(e->drpc_path), "%s", in->drpc_listener_sock);
	e->nr_contexts = in->nr_contexts;
	e->incarnation = in->incarnation;
	e->state = SRV_ENGINE_READY;
	D_INFO("engine %u (pid %d) ready at %s, %u contexts", e->idx, (int)e->pid, e->uri,
	       e->nr_contexts);
	drpc_req_reply_status(req, 0, NULL);
	mgmt__notify_ready_req__free_unpacked(in, &proto_allocator);
	/* The engine serves its own socket from another thread: it can take SetRank now. */
	srv_engine_join(e);
}

static void h_validate_cred(struct drpc_req *req, void *arg);

int
srv_drpc_start(struct server *srv)
{
	int rc;

	snprintf(srv->drpc_path, sizeof(srv->drpc_path), "%s/%s", srv->cfg->socket_dir,
		 SERVER_SOCK_NAME);
	rc = drpc_server_start(srv->loop, srv->drpc_path, 0600, &srv->drpc);
	if (rc != 0) {
		fprintf(stderr, "daos_server: cannot listen on %s: " DF_RC "\n", srv->drpc_path,
			DP_RC(rc));
		return rc;
	}
	rc = drpc_server_register(srv->drpc, DRPC_MODULE_SRV, DRPC_METHOD_SRV_NOTIFY_READY,
				  h_notify_ready, srv);
	if (rc == 0)
		rc = drpc_server_register(srv->drpc, DRPC_MODULE_SEC,
					  DRPC_METHOD_SEC_VALIDATE_CREDS, h_validate_cred, srv);
	return rc;
}

void
srv_drpc_stop(struct server *srv)
{
	if (srv->drpc != NULL) {
		drpc_server_stop(srv->drpc);
		srv->drpc = NULL;
	}
}

/* --- dRPC to local engines --- */

int
srv_drpc_call(const char *path, int32_t method, const void *body, size_t len, uint8_t **reply,
	      size_t *reply_len)
{
	struct drpc_client *c;
	int status = 0;
	int rc;

	*reply = NULL;
	*reply_len = 0;
	rc = drpc_client_connect(path, &c);
	if (rc != 0)
		return rc;
	rc = drpc_client_call(c, DRPC_MODULE_MGMT, method, body, len, SRV_ENGINE_DRPC_TIMEOUT_MS,
			      &status, reply, reply_len);
	drpc_client_close(c);
	if (rc == 0 && status != DRPC__STATUS__SUCCESS) {
		d_free(*reply);
		*reply = NULL;
		rc = -DER_MISC;
	}
	return rc;
}

int
srv_engine_drpc(struct srv_engine *e, int32_t method, const void *body, size_t len, uint8_t **reply,
		size_t *reply_len)
{
	return srv_drpc_call(e->drpc_path, method, body, len, reply, reply_len);
}

int
srv_engine_decode(const uint8_t *reply, size_t len, Mgmt__PoolResp **pool, char *msg,
		  size_t msg_len)
{
	int rc;

	if (pool != NULL) {
		*pool = mgmt__pool_resp__unpack(&proto_allocator, len, reply);
		rc = *pool == NULL ? -DER_PROTO : (*pool)->status;
		if (*pool != NULL && msg != NULL)
			snprintf(msg, msg_len, "%s", (*pool)->message);
	} else {
		Mgmt__DaosResp *r = mgmt__daos_resp__unpack(&proto_allocator, len, reply);

		rc = r == NULL ? -DER_PROTO : r->status;
		if (r != NULL && msg != NULL)
			snprintf(msg, msg_len, "%s", r->message);
		if (r != NULL)
			mgmt__daos_resp__free_unpacked(r, &proto_allocator);
	}
	return rc;
}

int
srv_engine_call(struct srv_engine *e, int32_t method, const ProtobufCMessage *body,
		Mgmt__PoolResp **pool, char *msg, size_t msg_len)
{
	size_t len = body != NULL ? protobuf_c_message_get_packed_size(body) : 0;
	uint8_t *buf = NULL;
	uint8_t *reply;
	size_t reply_len;
	int rc;

	if (pool != NULL)
		*pool = NULL;
	if (len > 0) {
		buf = d_malloc(len);
		if (buf == NULL)
			return -DER_NOMEM;
		protobuf_c_message_pack(body, buf);
	}
	rc = srv_engine_drpc(e, method, buf, len, &reply, &reply_len);
	d_free(buf);
	if (rc == 0)
		rc = srv_engine_decode(reply, reply_len, pool, msg, msg_len);
	d_free(reply);
	if (rc != 0 && msg != NULL && msg[0] == '\0')
		snprintf(msg, msg_len, "engine %u: " DF_RC, e->idx, DP_RC(rc));
	return rc;
}

struct srv_engine *
srv_engine_of_rank(struct server *srv, d_rank_t rank)
{
	unsigned int i;

	for (i = 0; i < srv->nr_engines; i++)
		if (srv->engines[i].has_rank && srv->engines[i].rank == rank)
			return &srv->engines[i];
	return NULL;
}

/* --- credentials for engines --- */

static void
reply_cred(struct drpc_req *req, int status, const char *msg, uint8_t *token, size_t len)
{
	Mgmt__ValidateCredResp resp = MGMT__VALIDATE_CRED_RESP__INIT;

	resp.status = status;
	resp.message = (char *)(msg != NULL ? msg : "");
	resp.token.data = token;
	resp.token.len = len;
	drpc_req_reply_msg(req, &resp.base);
}

/*
 * ValidateCredentials: an engine asks whether a client's credential is genuine (signed
 * by the agent whose certificate is <client_cert_dir>/<origin>.crt, or in insecure mode
 * carrying the digest of its token) and gets the token back to decide access with.
 */
static void
h_validate_cred(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	struct server *srv = arg;
	Mgmt__ValidateCredReq *in;
	struct sec_cred *cred = NULL;
	struct sec_auth_sys *sys = NULL;
	uint8_t *token = NULL;
	size_t len = 0;
	char msg[256] = "";
	int rc;

	in = mgmt__validate_cred_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	rc = sec_cred_decode(in->cred.data, in->cred.len, &cred);
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "malformed credential");
	} else {
		rc = sec_cred_verify_dir(
			cred, srv->insecure ? NULL : srv->cfg->transport_config.client_cert_dir,
			&sys);
		if (rc == -DER_NO_CERT)
			snprintf(msg, sizeof(msg), "no certificate for origin \"%.64s\" in %.128s",
				 cred->origin, srv->cfg->transport_config.client_cert_dir);
		else if (rc == -DER_NO_PERM)
			snprintf(msg, sizeof(msg), "the credential's verifier does not match");
		else if (rc != 0)
			snprintf(msg, sizeof(msg), "credential refused");
	}
	if (rc == 0)
		rc = sec_token_encode(sys, &token, &len);
	if (rc != 0)
		D_ERROR("engine credential check: %s: " DF_RC, msg, DP_RC(rc));
	reply_cred(req, rc, msg, token, len);
	d_free(token);
	sec_auth_sys_free(sys);
	sec_cred_free(cred);
	mgmt__validate_cred_req__free_unpacked(in, &proto_allocator);
}
