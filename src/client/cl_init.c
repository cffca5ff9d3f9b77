/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_init.c - daos_init/daos_fini, the agent, and network contexts.
 *
 * daos_init() is reference counted; the first call opens ONE dRPC connection to the
 * local daos_agent ($DAOS_AGENT_DRPC_DIR/daos_agent.sock, default /var/run/daos_agent/)
 * and keeps it until the last daos_fini(). Every later question to the agent (pool
 * lookup, credentials, connect notifications) goes over it, one at a time (agent_lock:
 * the dRPC client is single-threaded). The attach info gives the rank -> URI map (a
 * net_group), the provider, an interface hint and CRT_TIMEOUT, the timeout of every
 * request we send.
 *
 * Contexts: an EQ has its own (cl_event.c); blocking calls use the calling thread's
 * private context, made on first use and destroyed when the thread exits or at the
 * last daos_fini(), whichever comes first (cl_g.thread_ctxs, under cl_g.lock; a
 * context remembers the init generation it belongs to, so a thread that survives a
 * daos_fini()/daos_init() pair gets a new one).
 *
 * Environment, as in DAOS: DAOS_AGENT_DRPC_DIR, DAOS_SYSTEM (default system name),
 * CRT_TIMEOUT (seconds, overrides the agent's), D_PROVIDER and D_INTERFACE (override
 * the agent's hint), DAOS_JOBID (the job id the agent records with pool connections).
 */
#define D_LOGFAC DD_FAC(client)

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client_int.h"
#include "mgmt.pb-c.h"
#include "proto/proto.h"

#define AGENT_DIR_DEFAULT "/var/run/daos_agent"
#define AGENT_TIMEOUT_MS 30000

struct cl_global cl_g = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.agent_lock = PTHREAD_MUTEX_INITIALIZER,
};

static pthread_key_t ctx_key;
static pthread_once_t ctx_key_once = PTHREAD_ONCE_INIT;
static __thread struct cl_ctx *tl_ctx;

int
cl_check_init(void)
{
	int ref;

	pthread_mutex_lock(&cl_g.lock);
	ref = cl_g.refcount;
	pthread_mutex_unlock(&cl_g.lock);
	return ref > 0 ? 0 : -DER_UNINIT;
}

/* ---- contexts ---- */

int
cl_ctx_create(struct cl_ctx **out)
{
	struct net_ctx_attr attr = {
		.provider = cl_g.provider,
		.host = cl_g.host,
		.port = 0,
		.local_bulk = true, /* with engines on this host: one copy, no TCP */
	};
	struct cl_ctx *ctx;
	int rc;

	ctx = d_calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return -DER_NOMEM;
	D_INIT_LIST_HEAD(&ctx->link);
	rc = net_ctx_create(&attr, &ctx->net);
	if (rc != 0) {
		D_ERROR("could not open a network context (%s on %s): " DF_RC, cl_g.provider,
			cl_g.host, DP_RC(rc));
		d_free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

void
cl_ctx_destroy(struct cl_ctx *ctx)
{
	net_ctx_destroy(ctx->net);
	d_free(ctx);
}

/* A thread ends: its context goes, unless daos_fini() took it already. */
static void
thread_ctx_release(void *arg)
{
	struct cl_ctx *ctx = arg;
	bool mine = false;

	pthread_mutex_lock(&cl_g.lock);
	if (cl_g.refcount > 0 && ctx->gen == cl_g.gen) {
		d_list_del_init(&ctx->link);
		mine = true;
	}
	pthread_mutex_unlock(&cl_g.lock);
	if (mine)
		cl_ctx_destroy(ctx);
}

static void
ctx_key_create(void)
{
	pthread_key_create(&ctx_key, thread_ctx_release);
}

int
cl_thread_ctx(struct cl_ctx **out)
{
	struct cl_ctx *ctx;
	uint64_t gen;
	int rc;

	pthread_mutex_lock(&cl_g.lock);
	gen = cl_g.gen;
	rc = cl_g.refcount > 0 ? 0 : -DER_UNINIT;
	pthread_mutex_unlock(&cl_g.lock);
	if (rc != 0)
		return rc;
	if (tl_ctx != NULL && tl_ctx->gen == gen) {
		*out = tl_ctx;
		return 0;
	}
	rc = cl_ctx_create(&ctx);
	if (rc != 0)
		return rc;
	ctx->gen = gen;
	pthread_once(&ctx_key_once, ctx_key_create);
	pthread_mutex_lock(&cl_g.lock);
	d_list_add(&ctx->link, &cl_g.thread_ctxs);
	pthread_mutex_unlock(&cl_g.lock);
	pthread_setspecific(ctx_key, ctx);
	tl_ctx = ctx;
	*out = ctx;
	return 0;
}

/* ---- the agent ---- */

int
cl_agent_call(int32_t module, int32_t method, const void *body, size_t len, int *status,
	      uint8_t **reply, size_t *reply_len)
{
	int rc;

	pthread_mutex_lock(&cl_g.agent_lock);
	if (cl_g.agent == NULL) {
		rc = drpc_client_connect(cl_g.agent_path, &cl_g.agent);
		if (rc != 0) {
			D_ERROR("could not reach daos_agent at %s: " DF_RC, cl_g.agent_path,
				DP_RC(rc));
			pthread_mutex_unlock(&cl_g.agent_lock);
			return -DER_AGENT_COMM;
		}
	}
	rc = drpc_client_call(cl_g.agent, module, method, body, len, AGENT_TIMEOUT_MS, status,
			      reply, reply_len);
	if (rc != 0) {
		D_ERROR("daos_agent at %s did not answer %s: " DF_RC, cl_g.agent_path,
			drpc_method_name(method), DP_RC(rc));
		/* the connection is in an unknown state: the next call reconnects */
		drpc_client_close(cl_g.agent);
		cl_g.agent = NULL;
		rc = -DER_AGENT_COMM;
	}
	pthread_mutex_unlock(&cl_g.agent_lock);
	return rc;
}

/* The address of @name's first IPv4 address into cl_g.host; false if none. */
static bool
host_from_iface(const char *name)
{
	struct ifaddrs *ifa;
	struct ifaddrs *i;
	bool found = false;

	if (name == NULL || name[0] == '\0' || getifaddrs(&ifa) != 0)
		return false;
	for (i = ifa; i != NULL && !found; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, name) != 0)
			continue;
		found = inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
				  cl_g.host, sizeof(cl_g.host)) != NULL;
	}
	freeifaddrs(ifa);
	return found;
}

/* The local address the kernel would use to reach @uri: what engines can answer to. */
static bool
host_from_route(const char *uri)
{
	struct net_uri u;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char port[16];
	bool ok = false;
	int fd;

	if (net_uri_parse(uri, &u) != 0)
		return false;
	snprintf(port, sizeof(port), "%d", u.port);
	if (getaddrinfo(u.host, port, &hints, &ai) != 0)
		return false;
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			ok = inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, cl_g.host,
				       sizeof(cl_g.host)) != NULL;
		else if (ss.ss_family == AF_INET6)
			ok = inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
				       cl_g.host, sizeof(cl_g.host)) != NULL;
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return ok;
}

static void
ranks_free(void)
{
	uint32_t i;

	for (i = 0; i < cl_g.nr_ranks; i++)
		d_free(cl_g.ranks[i].dru_uri);
	d_free(cl_g.ranks);
	cl_g.ranks = NULL;
	cl_g.nr_ranks = 0;
}

/* Ask the agent for the attach info and set up cl_g from it. */
static int
attach_info_get(void)
{
	Mgmt__GetAttachInfoReq req = MGMT__GET_ATTACH_INFO_REQ__INIT;
	Mgmt__GetAttachInfoResp *resp;
	const char **uris = NULL;
	d_rank_t *ranks = NULL;
	const char *env;
	uint8_t body[512];
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	size_t len;
	size_t i;
	int status;
	int rc;

	req.system = cl_g.system;
	req.all_ranks = true;
	len = mgmt__get_attach_info_req__get_packed_size(&req);
	if (len > sizeof(body))
		return -DER_INVAL;
	mgmt__get_attach_info_req__pack(&req, body);
	rc = cl_agent_call(DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_GET_ATTACH_INFO, body, len, &status,
			   &reply, &reply_len);
	if (rc != 0)
		return rc;
	if (status != DRPC__STATUS__SUCCESS) {
		D_ERROR("daos_agent at %s refused GetAttachInfo (drpc status %d)", cl_g.agent_path,
			status);
		d_free(reply);
		return -DER_AGENT_COMM;
	}
	resp = mgmt__get_attach_info_resp__unpack(&proto_allocator, reply_len, reply);
	d_free(reply);
	if (resp == NULL) {
		D_ERROR("malformed GetAttachInfo reply from daos_agent at %s", cl_g.agent_path);
		return -DER_PROTO;
	}
	if (resp->status != 0) {
		rc = resp->status;
		D_ERROR("daos_agent could not get the attach info of system \"%s\": %s: " DF_RC,
			cl_g.system, resp->message, DP_RC(rc));
		goto out_resp;
	}
	if (resp->n_rank_uris == 0) {
		D_ERROR("the attach info of system \"%s\" lists no rank", cl_g.system);
		rc = -DER_NO_SERVICE;
		goto out_resp;
	}
	if (resp->system != NULL && resp->system[0] != '\0')
		snprintf(cl_g.system, sizeof(cl_g.system), "%s", resp->system);
	if (resp->client_net_hint != NULL) {
		Mgmt__ClientNetHint *h = resp->client_net_hint;

		if (h->provider != NULL && h->provider[0] != '\0')
			snprintf(cl_g.provider, sizeof(cl_g.provider), "%s", h->provider);
		if (h->interface != NULL)
			snprintf(cl_g.iface, sizeof(cl_g.iface), "%s", h->interface);
		if (h->crt_timeout > 0)
			cl_g.timeout_ms = h->crt_timeout * 1000;
	}
	env = getenv("D_PROVIDER");
	if (env != NULL && env[0] != '\0')
		snprintf(cl_g.provider, sizeof(cl_g.provider), "%s", env);
	env = getenv("D_INTERFACE");
	if (env != NULL && env[0] != '\0')
		snprintf(cl_g.iface, sizeof(cl_g.iface), "%s", env);
	env = getenv("CRT_TIMEOUT");
	if (env != NULL && strtoul(env, NULL, 10) > 0)
		cl_g.timeout_ms = (uint32_t)strtoul(env, NULL, 10) * 1000;

	ranks = d_calloc(resp->n_rank_uris, sizeof(*ranks));
	uris = d_calloc(resp->n_rank_uris, sizeof(*uris));
	cl_g.ranks = d_calloc(resp->n_rank_uris, sizeof(*cl_g.ranks));
	if (ranks == NULL || uris == NULL || cl_g.ranks == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	for (i = 0; i < resp->n_rank_uris; i++) {
		ranks[i] = resp->rank_uris[i]->rank;
		uris[i] = resp->rank_uris[i]->uri;
		cl_g.ranks[i].dru_rank = ranks[i];
		cl_g.ranks[i].dru_uri = d_strdup(uris[i]);
		if (cl_g.ranks[i].dru_uri == NULL) {
			rc = -DER_NOMEM;
			goto out_free;
		}
		cl_g.nr_ranks++;
	}
	rc = net_group_create(&cl_g.grp);
	if (rc != 0)
		goto out_free;
	rc = net_group_update(cl_g.grp, resp->map_version > 0 ? resp->map_version : 1, ranks, uris,
			      (uint32_t)resp->n_rank_uris);
	if (rc != 0) {
		D_ERROR("bad rank URIs in the attach info of system \"%s\": " DF_RC, cl_g.system,
			DP_RC(rc));
		net_group_destroy(cl_g.grp);
		cl_g.grp = NULL;
		goto out_free;
	}
	if (!host_from_iface(cl_g.iface) && !host_from_route(uris[0]))
		snprintf(cl_g.host, sizeof(cl_g.host), "127.0.0.1");
	D_INFO("attached to system %s: %zu ranks, %s on %s, timeout %u ms", cl_g.system,
	       resp->n_rank_uris, cl_g.provider, cl_g.host, cl_g.timeout_ms);
out_free:
	if (rc != 0)
		ranks_free();
	d_free(ranks);
	d_free(uris);
out_resp:
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	return rc;
}

static void
globals_reset(void)
{
	const char *env;
	char host[128] = "";

	env = getenv("DAOS_AGENT_DRPC_DIR");
	snprintf(cl_g.agent_path, sizeof(cl_g.agent_path), "%s/daos_agent.sock",
		 env != NULL && env[0] != '\0' ? env : AGENT_DIR_DEFAULT);
	env = getenv("DAOS_SYSTEM");
	snprintf(cl_g.system, sizeof(cl_g.system), "%s", env != NULL ? env : "");
	snprintf(cl_g.provider, sizeof(cl_g.provider), "ofi+tcp");
	cl_g.iface[0] = '\0';
	cl_g.host[0] = '\0';
	cl_g.timeout_ms = NET_TIMEOUT_DEFAULT_MS;
	env = getenv("DAOS_JOBID");
	if (env != NULL && env[0] != '\0') {
		snprintf(cl_g.jobid, sizeof(cl_g.jobid), "%s", env);
	} else {
		gethostname(host, sizeof(host) - 1);
		snprintf(cl_g.jobid, sizeof(cl_g.jobid), "%s:%d", host, (int)getpid());
	}
	D_INIT_LIST_HEAD(&cl_g.thread_ctxs);
}

static void
teardown(void)
{
	struct cl_ctx *ctx;
	struct cl_ctx *tmp;

	cl_eq_fini_noeq();
	d_list_for_each_entry_safe(ctx, tmp, &cl_g.thread_ctxs, link) {
		d_list_del_init(&ctx->link);
		cl_ctx_destroy(ctx);
	}
	cl_hdl_fini();
	if (cl_g.grp != NULL)
		net_group_destroy(cl_g.grp);
	cl_g.grp = NULL;
	ranks_free();
	pthread_mutex_lock(&cl_g.agent_lock);
	if (cl_g.agent != NULL)
		drpc_client_close(cl_g.agent);
	cl_g.agent = NULL;
	pthread_mutex_unlock(&cl_g.agent_lock);
}

D_EXPORT int
daos_init(void)
{
	int rc;

	pthread_mutex_lock(&cl_g.lock);
	if (cl_g.refcount > 0) {
		cl_g.refcount++;
		pthread_mutex_unlock(&cl_g.lock);
		return 0;
	}
	d_log_init();
	globals_reset();
	rc = cl_hdl_init();
	if (rc != 0)
		goto out_log;
	pthread_mutex_lock(&cl_g.agent_lock);
	rc = drpc_client_connect(cl_g.agent_path, &cl_g.agent);
	pthread_mutex_unlock(&cl_g.agent_lock);
	if (rc != 0) {
		D_ERROR("could not connect to daos_agent at %s (is daos_agent running? "
			"DAOS_AGENT_DRPC_DIR names its directory): " DF_RC,
			cl_g.agent_path, DP_RC(rc));
		rc = -DER_AGENT_COMM;
		goto out_teardown;
	}
	rc = attach_info_get();
	if (rc != 0)
		goto out_teardown;
	rc = cl_eq_init_noeq();
	if (rc != 0)
		goto out_teardown;
	cl_g.gen++;
	cl_g.refcount = 1;
	pthread_mutex_unlock(&cl_g.lock);
	return 0;

out_teardown:
	teardown();
out_log:
	d_log_fini();
	pthread_mutex_unlock(&cl_g.lock);
	return rc;
}

D_EXPORT int
daos_fini(void)
{
	pthread_mutex_lock(&cl_g.lock);
	if (cl_g.refcount == 0) {
		pthread_mutex_unlock(&cl_g.lock);
		return -DER_UNINIT;
	}
	if (--cl_g.refcount > 0) {
		pthread_mutex_unlock(&cl_g.lock);
		return 0;
	}
	teardown();
	d_log_fini();
	pthread_mutex_unlock(&cl_g.lock);
	return 0;
}

D_EXPORT int
daos_reinit(void)
{
	int rc;

	/* After fork(): the parent's connections and contexts are not ours to use. */
	pthread_mutex_lock(&cl_g.lock);
	if (cl_g.refcount == 0) {
		pthread_mutex_unlock(&cl_g.lock);
		return -DER_UNINIT;
	}
	cl_g.refcount = 1;
	pthread_mutex_unlock(&cl_g.lock);
	tl_ctx = NULL;
	rc = daos_fini();
	if (rc != 0)
		return rc;
	return daos_init();
}

D_EXPORT int
daos_mgmt_get_sys_info(const char *sys, struct daos_sys_info **info)
{
	struct daos_sys_info *si;
	uint32_t i;
	int rc;

	if (info == NULL)
		return -DER_INVAL;
	rc = cl_check_init();
	if (rc != 0)
		return rc;
	if (sys != NULL && sys[0] != '\0' && strcmp(sys, cl_g.system) != 0)
		return -DER_NONEXIST;
	si = d_calloc(1, sizeof(*si));
	if (si == NULL)
		return -DER_NOMEM;
	snprintf(si->dsi_system_name, sizeof(si->dsi_system_name), "%.*s",
		 (int)sizeof(si->dsi_system_name) - 1, cl_g.system);
	snprintf(si->dsi_fabric_provider, sizeof(si->dsi_fabric_provider), "%s", cl_g.provider);
	si->dsi_ranks = d_calloc(cl_g.nr_ranks + 1, sizeof(*si->dsi_ranks));
	if (si->dsi_ranks == NULL) {
		d_free(si);
		return -DER_NOMEM;
	}
	for (i = 0; i < cl_g.nr_ranks; i++) {
		si->dsi_ranks[i].dru_rank = cl_g.ranks[i].dru_rank;
		si->dsi_ranks[i].dru_uri = d_strdup(cl_g.ranks[i].dru_uri);
		if (si->dsi_ranks[i].dru_uri == NULL) {
			si->dsi_nr_ranks = i;
			daos_mgmt_put_sys_info(si);
			return -DER_NOMEM;
		}
	}
	si->dsi_nr_ranks = cl_g.nr_ranks;
	*info = si;
	return 0;
}

D_EXPORT void
daos_mgmt_put_sys_info(struct daos_sys_info *info)
{
	uint32_t i;

	if (info == NULL)
		return;
	for (i = 0; i < info->dsi_nr_ranks; i++)
		d_free(info->dsi_ranks[i].dru_uri);
	d_free(info->dsi_ranks);
	d_free(info);
}
