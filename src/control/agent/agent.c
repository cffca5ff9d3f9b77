/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent.c - the daos_agent daemon: one libuv loop serving libdaos on a UNIX socket.
 *
 * Design. The agent is the client host's trusted party. It answers local processes over
 * dRPC on <runtime_dir>/daos_agent.sock (mode 0666, any local user):
 *
 *   MGMT/GET_ATTACH_INFO (206): body GetAttachInfoReq (mgmt.proto; empty means "the
 *     configured system"). Reply: drpc status SUCCESS and a GetAttachInfoResp whose
 *     status is 0 and which holds the MS's rank URIs, MS ranks and client net hint, the
 *     hint's interface/domain chosen here for the caller's NUMA node (the loopback
 *     interface when every engine listens on a loopback address); or whose status is a
 *     DER code and message says why (e.g. the access points tried when no MS answered).
 *   MGMT/POOL_FIND (260): body PoolFindReq {id: label or uuid, system}. Reply: SUCCESS
 *     and a PoolFindResp: the MS's uuid, label and service ranks of a Ready pool, or a
 *     status (-DER_NONEXIST for unknown and not-Ready pools) and message. Never cached:
 *     a label may name another pool after a destroy and create.
 *   SEC_AGENT/REQUEST_CREDS (101): no body. Reply: drpc status SUCCESS and the
 *     credential in sec_cred_encode() form; or drpc status FAILURE and a mgmt.DaosResp
 *     {status, message}. (We reuse DaosResp rather than a new message so that libdaos,
 *     which sits below the control module, needs only proto/ and security/ to decode it.)
 *   MGMT/NOTIFY_POOL_CONNECT, NOTIFY_POOL_DISCONNECT (235, 236): body PoolMonitorReq.
 *     Reply: SUCCESS and a DaosResp {status, message}. The agent remembers, per dRPC
 *     connection, the (pool, handle) pairs connected (agent_handles.c). When a connection
 *     closes with pairs left (its process died), or its process sends NOTIFY_EXIT (233,
 *     any body, DaosResp reply), the agent asks the MS to PoolEvict exactly those
 *     handles, one call per pool. When the agent stops (SIGINT/SIGTERM) it evicts all
 *     handles still registered, as DAOS's agent does, unless disable_auto_evict.
 *
 * The MS is asked over the control transport, which blocks, so MS calls run on libuv's
 * worker pool (uv_queue_work): for attach info every client asking for the same system
 * meanwhile waits on one fetch (struct fetch); a PoolFind is one job per request (struct
 * find_job); a closed connection's evictions are one job (struct evict_job). All state is
 * touched on the loop thread only; a worker sees just its job and the read-only config.
 *
 * Signals: SIGINT/SIGTERM stop the loop (the socket is removed), SIGUSR2 flushes the
 * caches, SIGPIPE is ignored. Once the socket listens, the agent tells systemd READY=1
 * (common/notify.h; nothing happens outside systemd).
 */
#define D_LOGFAC DD_FAC(control)

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/notify.h"
#include "control/agent/agent_int.h"
#include "mgmt.pb-c.h"

struct agent {
	uv_loop_t loop;
	uv_signal_t sig_int;
	uv_signal_t sig_term;
	uv_signal_t sig_usr2;
	struct drpc_server *drpc;
	struct config_agent *cfg;  /* read-only once the loop runs */
	struct ctl_tls_config tls; /* paths from cfg */
	bool secure;               /* !allow_insecure: TLS and signed credentials */
	struct sec_key *key;       /* agent key (secure mode) */
	struct agent_cache cache;  /* loop thread */
	d_list_t fetches;          /* struct fetch in flight, loop thread */
	struct agent_handles hdls; /* clients' open pool handles, loop thread */
	bool stopping;
	char sock_path[PATH_MAX];
	char hostname[256]; /* PoolEvict's machine */
};

/* One question to the MS, and the clients waiting for its answer. */
struct fetch {
	d_list_t link; /* in agent->fetches */
	uv_work_t work;
	struct agent *agent;
	char *system;
	d_list_t waiters; /* struct waiter */
	int rc;           /* result, written by the worker */
	uint8_t *body;
	size_t len;
	char err[1024];
};

struct waiter {
	d_list_t link;
	struct drpc_req *req;
	int numa_node;
	char *iface; /* asked for by the client, or NULL */
};

static void
reply_attach_error(struct drpc_req *req, int status, const char *msg)
{
	uint8_t *body = NULL;
	size_t len = 0;

	if (agent_attach_error(status, msg, &body, &len) != 0) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_MARSHAL, NULL, 0);
		return;
	}
	drpc_req_reply(req, DRPC__STATUS__SUCCESS, body, len);
	d_free(body);
}

/* (Re)build the interface set for @provider. */
static int
ifaces_load(struct agent *agent, const char *provider)
{
	struct agent_cache *cache = &agent->cache;
	struct config_agent *cfg = agent->cfg;
	int rc;

	if (cache->has_ifaces)
		agent_ifaces_fini(&cache->ifaces);
	cache->has_ifaces = false;
	if (cfg->nr_fabric_ifaces > 0)
		rc = agent_ifaces_from_config(cfg, &cache->ifaces);
	else
		rc = agent_ifaces_detect(provider, &cfg->include_fabric_ifaces,
					 &cfg->exclude_fabric_ifaces, &cache->ifaces);
	if (rc != 0)
		return rc;
	cache->has_ifaces = true;
	D_INFO("%u fabric interface(s) for provider %s", cache->ifaces.nr, provider);
	return 0;
}

/* Answer one client from the MS's answer @body. */
static void
attach_serve(struct agent *agent, struct drpc_req *req, const uint8_t *body, size_t len,
	     int numa_node, const char *want)
{
	struct agent_cache *cache = &agent->cache;
	const struct agent_fabric_if *fi = NULL;
	char provider[AGENT_NAME_LEN];
	char msg[256];
	uint8_t *out = NULL;
	size_t out_len = 0;
	bool on_lo = false;
	int rc;

	rc = agent_attach_peek(body, len, provider, sizeof(provider), &on_lo);
	if (rc != 0) {
		reply_attach_error(req, rc, "malformed attach info from the management service");
		return;
	}
	/* Detect again when caching is off, or the MS changed provider. */
	if (!cache->has_ifaces || cache->disabled ||
	    (!cache->ifaces.configured && strcmp(cache->ifaces.provider, provider) != 0)) {
		rc = ifaces_load(agent, provider);
		if (rc != 0) {
			snprintf(msg, sizeof(msg), "could not list fabric interfaces for %s: %s",
				 provider, d_errdesc(rc));
			reply_attach_error(req, rc, msg);
			return;
		}
	}
	rc = agent_iface_choose(&cache->ifaces, numa_node, want, on_lo, &fi);
	if (rc == -DER_NONEXIST && want != NULL && !cache->ifaces.configured) {
		/* A client asks for an interface we did not see: it may have come up since. */
		rc = ifaces_load(agent, provider);
		if (rc == 0)
			rc = agent_iface_choose(&cache->ifaces, numa_node, want, on_lo, &fi);
	}
	if (rc != 0) {
		if (want != NULL)
			snprintf(msg, sizeof(msg),
				 "fabric interface %s is not usable with provider %s on this host",
				 want, provider);
		else
			snprintf(msg, sizeof(msg),
				 "no fabric interface for provider %s on this host", provider);
		D_ERROR("%s", msg);
		reply_attach_error(req, rc, msg);
		return;
	}
	rc = agent_attach_reply(body, len, fi, &out, &out_len);
	if (rc != 0) {
		reply_attach_error(req, rc, "could not build the attach info reply");
		return;
	}
	D_DEBUG(DB_MGMT, "attach info for pid %d: %s/%s on NUMA node %d",
		(int)drpc_req_info(req)->caller.pid, fi->name, fi->domain, numa_node);
	drpc_req_reply(req, DRPC__STATUS__SUCCESS, out, out_len);
	d_free(out);
}

static void
fetch_work(uv_work_t *work)
{
	struct fetch *f = container_of(work, struct fetch, work);
	struct agent *agent = f->agent;

	f->rc = agent_ms_attach_info(&agent->cfg->servers, agent->secure ? &agent->tls : NULL,
				     f->system, &f->body, &f->len, f->err, sizeof(f->err));
}

static void
fetch_done(uv_work_t *work, int status)
{
	struct fetch *f = container_of(work, struct fetch, work);
	struct agent *agent = f->agent;
	struct waiter *w;

	(void)status;
	d_list_del(&f->link);
	if (f->rc == 0) {
		if (agent_cache_store(&agent->cache, f->system, f->body, f->len, agent_now_ns()) !=
		    0)
			D_WARN("could not cache attach info of system %s", f->system);
	} else {
		D_ERROR("GetAttachInfo for system %s failed: %s", f->system, f->err);
	}
	while ((w = d_list_pop_entry(&f->waiters, struct waiter, link)) != NULL) {
		if (f->rc == 0)
			attach_serve(agent, w->req, f->body, f->len, w->numa_node, w->iface);
		else
			reply_attach_error(w->req, f->rc, f->err);
		d_free(w->iface);
		d_free(w);
	}
	d_free(f->body);
	d_free(f->system);
	d_free(f);
}

static struct fetch *
fetch_find(struct agent *agent, const char *system)
{
	struct fetch *f;

	d_list_for_each_entry(f, &agent->fetches, link)
		if (strcmp(f->system, system) == 0)
			return f;
	return NULL;
}

static int
fetch_start(struct agent *agent, const char *system, struct fetch **out)
{
	struct fetch *f;
	int rc;

	f = d_calloc(1, sizeof(*f));
	if (f == NULL)
		return -DER_NOMEM;
	f->system = d_strdup(system);
	if (f->system == NULL) {
		d_free(f);
		return -DER_NOMEM;
	}
	f->agent = agent;
	D_INIT_LIST_HEAD(&f->waiters);
	rc = uv_queue_work(&agent->loop, &f->work, fetch_work, fetch_done);
	if (rc != 0) {
		D_ERROR("could not start a GetAttachInfo request: %s", uv_strerror(rc));
		d_free(f->system);
		d_free(f);
		return -DER_MISC;
	}
	d_list_add_tail(&f->link, &agent->fetches);
	*out = f;
	return 0;
}

static void
handle_attach_info(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *info = drpc_req_info(req);
	struct agent *agent = arg;
	Mgmt__GetAttachInfoReq *in;
	const uint8_t *body;
	const char *system;
	struct waiter *w;
	struct fetch *f;
	size_t len;
	int numa_node;
	int rc;

	in = mgmt__get_attach_info_req__unpack(&proto_allocator, info->len, info->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	system = in->system[0] != '\0' ? in->system : agent->cfg->name;
	numa_node = agent_numa_of_pid(info->caller.pid);
	rc = agent_cache_lookup(&agent->cache, system, agent_now_ns(), &body, &len);
	if (rc == 0) {
		D_DEBUG(DB_MGMT, "attach info of system %s from the cache", system);
		attach_serve(agent, req, body, len, numa_node,
			     in->interface[0] != '\0' ? in->interface : NULL);
		goto out_free_in;
	}
	w = d_calloc(1, sizeof(*w));
	if (w == NULL)
		goto out_nomem;
	if (in->interface[0] != '\0') {
		w->iface = d_strdup(in->interface);
		if (w->iface == NULL) {
			d_free(w);
			goto out_nomem;
		}
	}
	w->req = req;
	w->numa_node = numa_node;
	f = fetch_find(agent, system);
	if (f == NULL) {
		rc = fetch_start(agent, system, &f);
		if (rc != 0) {
			d_free(w->iface);
			d_free(w);
			reply_attach_error(req, rc, "could not ask the management service");
			goto out_free_in;
		}
	}
	d_list_add_tail(&w->link, &f->waiters);
	goto out_free_in;

out_nomem:
	reply_attach_error(req, -DER_NOMEM, "out of memory");
out_free_in:
	mgmt__get_attach_info_req__free_unpacked(in, &proto_allocator);
}

static void
reply_daos_resp(struct drpc_req *req, int drpc_status, int status, const char *msg)
{
	Mgmt__DaosResp resp = MGMT__DAOS_RESP__INIT;
	uint8_t buf[1024];
	size_t len;

	resp.status = status;
	resp.message = (char *)msg;
	len = mgmt__daos_resp__get_packed_size(&resp);
	if (len > sizeof(buf)) {
		resp.message = (char *)"";
		len = mgmt__daos_resp__get_packed_size(&resp);
	}
	mgmt__daos_resp__pack(&resp, buf);
	drpc_req_reply(req, drpc_status, buf, len);
}

static void
handle_request_creds(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *info = drpc_req_info(req);
	struct agent *agent = arg;
	uint8_t *cred = NULL;
	size_t len = 0;
	char err[512] = "";
	int rc;

	rc = agent_creds_make(agent->cfg, agent->key, info->caller.uid, info->caller.gid, &cred,
			      &len, err, sizeof(err));
	if (rc != 0) {
		D_ERROR("credential request from pid %d: %s", (int)info->caller.pid, err);
		reply_daos_resp(req, DRPC__STATUS__FAILURE, rc, err);
		return;
	}
	drpc_req_reply(req, DRPC__STATUS__SUCCESS, cred, len);
	d_free(cred);
}

/* ---- PoolFind: one MS call per request, never cached ---- */

struct find_job {
	uv_work_t work;
	struct agent *agent;
	struct drpc_req *req;
	char *id;
	char *system;
	int rc;       /* 0 or -DER_NOMEM, from the worker */
	uint8_t *out; /* packed PoolFindResp, from the worker */
	size_t out_len;
};

static void
find_job_free(struct find_job *job)
{
	d_free(job->id);
	d_free(job->system);
	d_free(job->out);
	d_free(job);
}

static void
find_work(uv_work_t *work)
{
	struct find_job *job = container_of(work, struct find_job, work);
	struct agent *agent = job->agent;

	job->rc = agent_ms_pool_find(&agent->cfg->servers, agent->secure ? &agent->tls : NULL,
				     job->id, job->system, &job->out, &job->out_len);
}

/* Answer a PoolFind without asking the MS (bad request, no memory). */
static void
reply_find_error(struct drpc_req *req, int status, const char *msg)
{
	Mgmt__PoolFindResp resp = MGMT__POOL_FIND_RESP__INIT;

	resp.status = status;
	resp.message = (char *)msg;
	drpc_req_reply_msg(req, &resp.base);
}

static void
find_done(uv_work_t *work, int status)
{
	struct find_job *job = container_of(work, struct find_job, work);
	Mgmt__PoolFindResp *resp;

	(void)status;
	if (job->rc != 0) {
		reply_find_error(job->req, job->rc, "out of memory");
		find_job_free(job);
		return;
	}
	/* Say in our log why a client was not told where its pool is. */
	resp = mgmt__pool_find_resp__unpack(&proto_allocator, job->out_len, job->out);
	if (resp != NULL && resp->status != 0)
		D_INFO("PoolFind \"%s\" for pid %d: %s", job->id,
		       (int)drpc_req_info(job->req)->caller.pid, resp->message);
	else if (resp != NULL)
		D_DEBUG(DB_MGMT, "PoolFind \"%s\" for pid %d: %s", job->id,
			(int)drpc_req_info(job->req)->caller.pid, resp->uuid);
	if (resp != NULL)
		mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	drpc_req_reply(job->req, DRPC__STATUS__SUCCESS, job->out, job->out_len);
	find_job_free(job);
}

static void
handle_pool_find(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *info = drpc_req_info(req);
	struct agent *agent = arg;
	Mgmt__PoolFindReq *in;
	struct find_job *job;
	int rc;

	in = mgmt__pool_find_req__unpack(&proto_allocator, info->len, info->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	if (in->id[0] == '\0') {
		reply_find_error(req, -DER_INVAL, "PoolFind: no pool label or uuid given");
		goto out_free_in;
	}
	job = d_calloc(1, sizeof(*job));
	if (job == NULL)
		goto out_nomem;
	job->agent = agent;
	job->req = req;
	job->id = d_strdup(in->id);
	job->system = d_strdup(in->system[0] != '\0' ? in->system : agent->cfg->name);
	if (job->id == NULL || job->system == NULL) {
		find_job_free(job);
		goto out_nomem;
	}
	rc = uv_queue_work(&agent->loop, &job->work, find_work, find_done);
	if (rc != 0) {
		D_ERROR("could not start a PoolFind request: %s", uv_strerror(rc));
		find_job_free(job);
		reply_find_error(req, -DER_MISC, "could not ask the management service");
	}
	goto out_free_in;

out_nomem:
	reply_find_error(req, -DER_NOMEM, "out of memory");
out_free_in:
	mgmt__pool_find_req__free_unpacked(in, &proto_allocator);
}

/* ---- pool handles: registered per connection, evicted when it closes with some left ---- */

struct evict_job {
	uv_work_t work;
	struct agent *agent;
	struct agent_client *client; /* detached: owned by the job */
	unsigned int nr_failed;      /* from the worker */
};

static void
evict_work(uv_work_t *work)
{
	struct evict_job *job = container_of(work, struct evict_job, work);
	struct agent *agent = job->agent;
	struct agent_client *c = job->client;
	unsigned int start;
	unsigned int n;
	char err[1024];
	char pool[37];
	int rc;

	for (start = 0; start < c->nr; start += n) {
		n = agent_client_pool_run(c, start);
		uuid_unparse_lower(c->hdls[start].pool, pool);
		err[0] = '\0';
		rc = agent_ms_pool_evict(&agent->cfg->servers, agent->secure ? &agent->tls : NULL,
					 &c->hdls[start], n, agent->hostname, err, sizeof(err));
		if (rc == 0) {
			D_NOTE("pool %s: %u handle(s) of pid %d evicted", pool, n, (int)c->pid);
		} else if (rc == -DER_NONEXIST) {
			/* Destroyed meanwhile: nothing is left to evict. */
			D_INFO("pool %s: %u handle(s) of pid %d not evicted, the pool is gone: %s",
			       pool, n, (int)c->pid, err);
		} else {
			D_ERROR("pool %s: could not evict %u handle(s) of pid %d: %s", pool, n,
				(int)c->pid, err);
			job->nr_failed += n;
		}
	}
}

static void
evict_done(uv_work_t *work, int status)
{
	struct evict_job *job = container_of(work, struct evict_job, work);

	(void)status;
	if (job->nr_failed > 0)
		D_WARN("%u handle(s) of pid %d stay open in their pools until the pool service "
		       "drops them (dmg pool evict removes them)",
		       job->nr_failed, (int)job->client->pid);
	agent_client_free(job->client);
	d_free(job);
}

/* Evict the handles of client @c (detached from agent->hdls, freed here). */
static void
evict_client(struct agent *agent, struct agent_client *c, const char *why)
{
	struct evict_job *job;
	int rc;

	D_NOTE("pid %d %s with %u pool handle(s) still connected: evicting them", (int)c->pid, why,
	       c->nr);
	job = d_calloc(1, sizeof(*job));
	if (job == NULL) {
		D_ERROR("could not evict %u handle(s) of pid %d: out of memory", c->nr,
			(int)c->pid);
		agent_client_free(c);
		return;
	}
	job->agent = agent;
	job->client = c;
	rc = uv_queue_work(&agent->loop, &job->work, evict_work, evict_done);
	if (rc != 0) {
		D_ERROR("could not evict %u handle(s) of pid %d: %s", c->nr, (int)c->pid,
			uv_strerror(rc));
		agent_client_free(c);
		d_free(job);
	}
}

/* Connection @conn_id is gone (or its process said it exits): evict what it left open. */
static void
evict_leftovers(struct agent *agent, uint64_t conn_id, const char *why)
{
	struct agent_client *c = agent_handles_detach(&agent->hdls, conn_id);

	if (c != NULL)
		evict_client(agent, c, why);
}

static void
on_conn_close(uint64_t conn_id, const struct drpc_caller *caller, void *arg)
{
	(void)caller;
	evict_leftovers(arg, conn_id, "went away");
}

/* Decode a PoolMonitorReq's two uuids; 0, or -DER_INVAL with @msg naming the bad one. */
static int
monitor_uuids(const Mgmt__PoolMonitorReq *in, uuid_t pool, uuid_t hdl, char *msg, size_t len)
{
	if (strlen(in->pool_uuid) != 36 || uuid_parse(in->pool_uuid, pool) != 0) {
		snprintf(msg, len, "invalid pool uuid \"%.64s\"", in->pool_uuid);
		return -DER_INVAL;
	}
	if (strlen(in->pool_handle_uuid) != 36 || uuid_parse(in->pool_handle_uuid, hdl) != 0) {
		snprintf(msg, len, "invalid pool handle uuid \"%.64s\"", in->pool_handle_uuid);
		return -DER_INVAL;
	}
	return 0;
}

static void
handle_pool_notify(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *info = drpc_req_info(req);
	bool connect = info->method == DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT;
	struct agent *agent = arg;
	Mgmt__PoolMonitorReq *in;
	uuid_t pool;
	uuid_t hdl;
	char msg[256] = "";
	int rc;

	in = mgmt__pool_monitor_req__unpack(&proto_allocator, info->len, info->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	rc = monitor_uuids(in, pool, hdl, msg, sizeof(msg));
	if (rc == 0 && connect) {
		rc = agent_handles_add(&agent->hdls, info->conn_id, info->caller.pid, pool, hdl);
		if (rc == -DER_OVERFLOW)
			snprintf(msg, sizeof(msg),
				 "more than %u pool handles registered on one connection",
				 AGENT_CONN_HANDLES_MAX);
		else if (rc != 0)
			snprintf(msg, sizeof(msg), "could not register pool handle %s: %s",
				 in->pool_handle_uuid, d_errdesc(rc));
	} else if (rc == 0) {
		rc = agent_handles_remove(&agent->hdls, info->conn_id, pool, hdl);
		if (rc != 0)
			snprintf(msg, sizeof(msg),
				 "pool handle %s of pool %s is not registered on this connection",
				 in->pool_handle_uuid, in->pool_uuid);
	}
	/* The client hears why; a log at INFO is enough (any local user can send these). */
	if (rc != 0)
		D_INFO("NotifyPool%s from pid %d (job %.64s): %s",
		       connect ? "Connect" : "Disconnect", (int)info->caller.pid, in->jobid, msg);
	else
		D_DEBUG(DB_MGMT, "pid %d (job %s) %s handle %s of pool %s; %u registered",
			(int)info->caller.pid, in->jobid, connect ? "opened" : "closed",
			in->pool_handle_uuid, in->pool_uuid,
			agent_handles_count(&agent->hdls, info->conn_id));
	drpc_req_reply_status(req, rc, rc != 0 ? msg : NULL);
	mgmt__pool_monitor_req__free_unpacked(in, &proto_allocator);
}

/* NotifyExit: the process leaves (daos_fini); what it did not disconnect goes now. */
static void
handle_notify_exit(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *info = drpc_req_info(req);

	evict_leftovers(arg, info->conn_id, "exits");
	drpc_req_reply_status(req, 0, NULL);
}

static void
agent_stop(struct agent *agent)
{
	if (agent->stopping)
		return;
	agent->stopping = true;
	if (agent->drpc != NULL)
		drpc_server_stop(agent->drpc);
	agent->drpc = NULL;
	uv_close((uv_handle_t *)&agent->sig_int, NULL);
	uv_close((uv_handle_t *)&agent->sig_term, NULL);
	uv_close((uv_handle_t *)&agent->sig_usr2, NULL);
}

static void
on_signal(uv_signal_t *sig, int signum)
{
	struct agent *agent = sig->data;

	if (signum == SIGUSR2) {
		D_NOTE("SIGUSR2: flushing the attach info and interface caches");
		agent_cache_flush(&agent->cache);
		return;
	}
	D_NOTE("%s received, stopping", strsignal(signum));
	/*
	 * As DAOS's agent: nobody will watch these processes any more, so their handles go
	 * now, unless disable_auto_evict. The loop runs until the evictions are done.
	 */
	if (!agent->cfg->disable_auto_evict) {
		struct agent_client *c;

		while ((c = agent_handles_pop(&agent->hdls)) != NULL)
			evict_client(agent, c, "outlives the agent");
	}
	agent_stop(agent);
}

/* mkdir -p @path (mode 0755). Returns 0 or the errno of the first failing step. */
static int
mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	struct stat st;
	size_t i;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return ENAMETOOLONG;
	for (i = 1; tmp[i] != '\0'; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return errno;
		tmp[i] = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return errno;
	if (stat(tmp, &st) != 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	return 0;
}

static int
register_all(struct agent *agent)
{
	static const struct {
		int32_t module;
		int32_t method;
		drpc_handler_t handler;
	} table[] = {
		{ DRPC_MODULE_SEC_AGENT, DRPC_METHOD_SEC_AGENT_REQUEST_CREDS,
		  handle_request_creds },
		{ DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_GET_ATTACH_INFO, handle_attach_info },
		{ DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_POOL_FIND, handle_pool_find },
		{ DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, handle_pool_notify },
		{ DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_NOTIFY_POOL_DISCONNECT, handle_pool_notify },
		{ DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_NOTIFY_EXIT, handle_notify_exit },
	};
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(table); i++) {
		rc = drpc_server_register(agent->drpc, table[i].module, table[i].method,
					  table[i].handler, agent);
		if (rc != 0)
			return rc;
	}
	drpc_server_set_close_hook(agent->drpc, on_conn_close, agent);
	return 0;
}

static int
signals_start(struct agent *agent)
{
	uv_signal_t *sigs[] = { &agent->sig_int, &agent->sig_term, &agent->sig_usr2 };
	int nums[] = { SIGINT, SIGTERM, SIGUSR2 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		uv_signal_init(&agent->loop, sigs[i]);
		sigs[i]->data = agent;
	}
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		if (uv_signal_start(sigs[i], on_signal, nums[i]) != 0)
			return -DER_MISC;
	}
	return 0;
}

static void
close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

int
agent_run(struct config_agent *cfg)
{
	struct agent *agent;
	struct config_transport *tc = &cfg->transport_config;
	int rc;

	agent = d_calloc(1, sizeof(*agent));
	if (agent == NULL)
		return -DER_NOMEM;
	agent->cfg = cfg;
	agent->secure = !tc->allow_insecure;
	D_INIT_LIST_HEAD(&agent->fetches);
	agent_handles_init(&agent->hdls);
	if (gethostname(agent->hostname, sizeof(agent->hostname) - 1) != 0)
		snprintf(agent->hostname, sizeof(agent->hostname), "unknown");
	rc = agent_cache_init(&agent->cache, cfg);
	if (rc != 0)
		goto out_free;
	if (agent->cache.disabled)
		D_NOTE("attach info caching is disabled");

	if (agent->secure) {
		rc = sec_key_load(tc->key, SEC_MODE_KEY, &agent->key);
		if (rc != 0) {
			fprintf(stderr, "daos_agent: could not load the agent key %s: %s\n",
				tc->key, sec_last_error()[0] ? sec_last_error() : d_errdesc(rc));
			D_ERROR("could not load the agent key %s: " DF_RC, tc->key, DP_RC(rc));
			goto out_cache;
		}
		agent->tls.ca_file = tc->ca_cert;
		agent->tls.cert_file = tc->cert;
		agent->tls.key_file = tc->key;
	} else {
		/* Said once, loudly: this is what insecure mode gives away. */
		D_WARN("insecure mode (allow_insecure): credentials are not signed; any local "
		       "user can claim any identity to the DAOS servers");
		fprintf(stderr, "daos_agent: WARNING: insecure mode: credentials are not signed; "
				"any local user can claim any identity\n");
	}

	rc = mkdir_p(cfg->runtime_dir);
	if (rc != 0) {
		fprintf(stderr, "daos_agent: could not create runtime_dir %s: %s\n",
			cfg->runtime_dir, strerror(rc));
		D_ERROR("could not create runtime_dir %s: %s", cfg->runtime_dir, strerror(rc));
		rc = -daos_errno2der(rc);
		goto out_key;
	}
	if (snprintf(agent->sock_path, sizeof(agent->sock_path), "%s/%s", cfg->runtime_dir,
		     AGENT_SOCK_NAME) >= (int)sizeof(agent->sock_path)) {
		fprintf(stderr, "daos_agent: runtime_dir %s: path too long\n", cfg->runtime_dir);
		rc = -DER_INVAL;
		goto out_key;
	}

	rc = uv_loop_init(&agent->loop);
	if (rc != 0) {
		rc = -DER_MISC;
		goto out_key;
	}
	signal(SIGPIPE, SIG_IGN);
	rc = signals_start(agent);
	if (rc != 0)
		goto out_loop;
	rc = drpc_server_start(&agent->loop, agent->sock_path, 0666, &agent->drpc);
	if (rc != 0) {
		fprintf(stderr, "daos_agent: could not listen on %s: %s\n", agent->sock_path,
			d_errdesc(rc));
		D_ERROR("could not listen on %s: " DF_RC, agent->sock_path, DP_RC(rc));
		goto out_loop;
	}
	rc = register_all(agent);
	if (rc != 0)
		goto out_loop;

	D_NOTE("daos_agent %s listening on %s (system %s, %u access point(s), %s)", DAOS_VERSION,
	       agent->sock_path, cfg->name, cfg->servers.nr, agent->secure ? "TLS" : "insecure");
	printf("daos_agent version %s listening on %s\n", DAOS_VERSION, agent->sock_path);
	fflush(stdout);
	/* Our unit is Type=notify, as DAOS's: systemd starts dependents only after this. */
	rc = d_sd_notify("READY=1");
	if (rc != 0)
		D_WARN("could not notify systemd of readiness ($NOTIFY_SOCKET): " DF_RC, DP_RC(rc));
	uv_run(&agent->loop, UV_RUN_DEFAULT);
	rc = 0;
	D_NOTE("daos_agent stopped");

out_loop:
	agent_stop(agent);
	uv_walk(&agent->loop, close_walk, NULL);
	uv_run(&agent->loop, UV_RUN_DEFAULT);
	uv_loop_close(&agent->loop);
out_key:
	sec_key_free(agent->key);
out_cache:
	/* Left only with disable_auto_evict: they stay open in their pools. */
	agent_handles_fini(&agent->hdls);
	agent_cache_fini(&agent->cache);
out_free:
	d_free(agent);
	return rc;
}
