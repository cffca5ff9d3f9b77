/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_ms.c - the Management Service in daos_server, when this host is the first of
 * mgmt_svc_replicas (a single replica for now): engines join it (ranks in join order,
 * kept in their superblocks), it pushes the rank -> URI map to the engines, and it serves
 * the system calls of the control API (query, leader query, stop, start, exclude,
 * clear-exclude, erase) and GetAttachInfo and PoolFind for agents.
 *
 * The database (src/control/ms) lives in <control_metadata.path>/daos_control/control_raft
 * or, without control metadata, in <first engine's scm_mount>/control_raft, as DAOS
 * keeps it; it is opened once that directory can exist (after the format).
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <arpa/inet.h>
#include <errno.h>
#include <gurt/common.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/server/server.h"
#include "mgmt.pb-c.h"

/* Whether @host names this machine (an address of one of its interfaces, or its name). */
static bool
host_is_local(const char *host)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	struct addrinfo *ai;
	struct ifaddrs *ifa = NULL;
	bool local = false;

	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	if (getifaddrs(&ifa) != 0) {
		freeaddrinfo(res);
		return false;
	}
	for (ai = res; ai != NULL && !local; ai = ai->ai_next) {
		struct ifaddrs *i;

		for (i = ifa; i != NULL && !local; i = i->ifa_next) {
			if (i->ifa_addr == NULL || i->ifa_addr->sa_family != ai->ai_family)
				continue;
			if (ai->ai_family == AF_INET)
				local = ((struct sockaddr_in *)(void *)ai->ai_addr)
						->sin_addr.s_addr ==
					((struct sockaddr_in *)(void *)i->ifa_addr)
						->sin_addr.s_addr;
			else if (ai->ai_family == AF_INET6)
				local = memcmp(&((struct sockaddr_in6 *)(void *)ai->ai_addr)
							->sin6_addr,
					       &((struct sockaddr_in6 *)(void *)i->ifa_addr)
							->sin6_addr,
					       sizeof(struct in6_addr)) == 0;
		}
	}
	freeifaddrs(ifa);
	freeaddrinfo(res);
	return local;
}

/* Split "host:port" into @host and *port. */
static void
split_hostport(const char *hp, char *host, size_t len, int *port)
{
	const char *colon = strrchr(hp, ':');

	snprintf(host, len, "%.*s", colon != NULL ? (int)(colon - hp) : (int)strlen(hp), hp);
	*port = colon != NULL ? (int)strtol(colon + 1, NULL, 10) : 0;
}

int
srv_ms_init(struct server *srv)
{
	const struct config_server *cfg = srv->cfg;
	char host[256];
	int port;

	split_hostport(cfg->replicas.str[0], host, sizeof(host), &port);
	srv->ms_local = port == cfg->port && host_is_local(host);
	/* Our control address as members record it: the replica entry when it is us. */
	if (srv->ms_local)
		snprintf(srv->ctl_addr, sizeof(srv->ctl_addr), "%s", cfg->replicas.str[0]);
	else
		snprintf(srv->ctl_addr, sizeof(srv->ctl_addr), "%s:%d", srv->hostname, cfg->port);
	if (cfg->control_metadata.path != NULL)
		snprintf(srv->ms_dir, sizeof(srv->ms_dir), "%s/daos_control/control_raft",
			 cfg->control_metadata.path);
	else if (cfg->nr_engines > 0)
		snprintf(srv->ms_dir, sizeof(srv->ms_dir), "%s/control_raft",
			 cfg->engines[0].storage[0].scm_mount);
	else
		snprintf(srv->ms_dir, sizeof(srv->ms_dir), "%s/control_raft", cfg->socket_dir);
	if (srv->ms_local)
		D_INFO("this host is the management service replica (%s); database in %s",
		       cfg->replicas.str[0], srv->ms_dir);
	else
		D_INFO("management service replica: %s", cfg->replicas.str[0]);
	return 0;
}

/* Open the database if we are the replica and its directory can exist. */
static int
ms_ready(struct server *srv, char *err, size_t err_len)
{
	char parent[sizeof(srv->ms_dir)];
	char *slash;
	int rc;

	if (srv->ms != NULL)
		return 0;
	if (!srv->ms_local) {
		snprintf(err, err_len, "this host is not a management service replica; ask %s",
			 srv->cfg->replicas.str[0]);
		return -DER_NOTREPLICA;
	}
	snprintf(parent, sizeof(parent), "%s", srv->ms_dir);
	slash = strrchr(parent, '/');
	*slash = '\0';
	/* Its home is the first engine's storage: usable once that is formatted. */
	if ((srv->nr_engines > 0 && !srv->engines[0].formatted) || access(parent, W_OK) != 0) {
		snprintf(err, err_len,
			 "the management service is not started: storage is not "
			 "formatted (dmg storage format)");
		return -DER_UNINIT;
	}
	if (mkdir(srv->ms_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, err_len, "%.400s: %s", srv->ms_dir, strerror(errno));
		return -daos_errno2der(errno);
	}
	rc = ms_open(srv->ms_dir, srv->cfg->name, &srv->ms, err, err_len);
	if (rc == 0)
		D_INFO("management service database open in %s (map version %u)", srv->ms_dir,
		       ms_map_version(srv->ms));
	return rc;
}

void
srv_ms_fini(struct server *srv)
{
	if (srv->ms != NULL) {
		ms_close(srv->ms);
		srv->ms = NULL;
	}
}

/* A DaosResp-answered call on local engine @e. */
static int
engine_call(struct srv_engine *e, int32_t method, const ProtobufCMessage *body, char *msg,
	    size_t msg_len)
{
	return srv_engine_call(e, method, body, NULL, msg, msg_len);
}

/* The group map as protobuf entries (they point into @map). */
struct rank_uris {
	struct ms_map_entry *map;
	Mgmt__RankUri *ru;
	Mgmt__RankUri **rup;
	uint32_t nr;
	uint32_t version;
};

static int
rank_uris_get(struct server *srv, struct rank_uris *x)
{
	uint32_t i;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = ms_group_map(srv->ms, &x->map, &x->nr, &x->version);
	if (rc != 0)
		return rc;
	x->ru = d_calloc(x->nr + 1, sizeof(*x->ru));
	x->rup = d_calloc(x->nr + 1, sizeof(*x->rup));
	if (x->ru == NULL || x->rup == NULL) {
		x->nr = 0;
		return -DER_NOMEM;
	}
	for (i = 0; i < x->nr; i++) {
		mgmt__rank_uri__init(&x->ru[i]);
		x->ru[i].rank = x->map[i].rank;
		x->ru[i].uri = x->map[i].uri;
		x->ru[i].incarnation = x->map[i].incarnation;
		x->ru[i].nr_contexts = x->map[i].nr_ctxs;
		x->rup[i] = &x->ru[i];
	}
	return 0;
}

static void
rank_uris_fini(struct rank_uris *x)
{
	d_free(x->ru);
	d_free(x->rup);
	d_free(x->map);
}

/* Push the group map to every local engine that has a rank, and to the other servers. */
static void
group_update(struct server *srv)
{
	Mgmt__GroupUpdateReq req = MGMT__GROUP_UPDATE_REQ__INIT;
	struct rank_uris x;
	unsigned int i;

	if (srv->ms == NULL)
		return;
	if (rank_uris_get(srv, &x) != 0)
		goto out;
	req.map_version = x.version;
	req.engines = x.rup;
	req.n_engines = x.nr;
	for (i = 0; i < srv->nr_engines; i++) {
		struct srv_engine *e = &srv->engines[i];
		int rc;

		if (e->state != SRV_ENGINE_JOINED)
			continue;
		rc = engine_call(e, DRPC_METHOD_MGMT_GROUP_UPDATE, &req.base, NULL, 0);
		if (rc != 0)
			D_ERROR("engine %u: group map version %u not taken: " DF_RC, e->idx,
				x.version, DP_RC(rc));
	}
	/* Every other server with Joined members gets it once. */
	{
		const struct ms_member *m;
		uint32_t nm = 0;
		uint32_t j;
		uint32_t k;

		m = ms_member_list(srv->ms, &nm);
		for (j = 0; j < nm; j++) {
			bool seen = false;

			if (m[j].state != MS_MEMBER_JOINED || strcmp(m[j].addr, srv->ctl_addr) == 0)
				continue;
			for (k = 0; k < j && !seen; k++)
				seen = m[k].state == MS_MEMBER_JOINED &&
				       strcmp(m[k].addr, m[j].addr) == 0;
			if (!seen)
				srv_peer_call(srv, m[j].addr, CTL_GROUP_UPDATE, &req.base, NULL,
					      NULL);
		}
	}
out:
	rank_uris_fini(&x);
}

/* Record the outcome of a join in the engine's superblock. */
static void
sb_update(struct srv_engine *e, d_rank_t rank, uint64_t incarnation)
{
	char *path = storage_sb_path(e->srv->cfg, e->idx);

	if (path == NULL)
		return;
	e->sb.rank = rank;
	e->sb.valid_rank = true;
	e->sb.incarnation = incarnation;
	snprintf(e->sb.uri, sizeof(e->sb.uri), "%s", e->uri);
	if (storage_sb_write(path, &e->sb) != 0)
		D_ERROR("engine %u: rank %u not recorded in %s", e->idx, rank, path);
	d_free(path);
}

/* The MS answered a join of local engine @e: record the rank and give it to the engine. */
static void
join_finish(struct srv_engine *e, d_rank_t rank, uint32_t map_version, uint64_t incarnation,
	    bool is_new)
{
	Mgmt__SetRankReq sr = MGMT__SET_RANK_REQ__INIT;
	char err[512] = "";
	int rc;

	e->rank = rank;
	e->has_rank = true;
	sb_update(e, rank, incarnation);
	sr.rank = rank;
	sr.map_version = map_version;
	rc = engine_call(e, DRPC_METHOD_MGMT_SET_RANK, &sr.base, err, sizeof(err));
	if (rc == 0)
		rc = engine_call(e, DRPC_METHOD_MGMT_SET_UP, NULL, err, sizeof(err));
	if (rc != 0) {
		D_ERROR("engine %u: rank %u not taken: " DF_RC " %s", e->idx, rank, DP_RC(rc), err);
		e->state = SRV_ENGINE_ERRORED;
		snprintf(e->info, sizeof(e->info), "engine did not take its rank");
		return;
	}
	e->state = SRV_ENGINE_JOINED;
	D_INFO("engine %u joined as rank %u (%s, map version %u)", e->idx, rank,
	       is_new ? "new" : "rejoined", map_version);
}

struct remote_join {
	unsigned int idx;
	uint64_t incarnation; /* of the engine process that asked */
};

#define JOIN_RETRY_MS 1000
#define JOIN_RETRIES 300

static void
join_retry_cb(uv_timer_t *t)
{
	struct srv_engine *e = t->data;

	if (e->state == SRV_ENGINE_READY && !e->srv->stopping)
		srv_engine_join(e);
}

/*
 * The MS is not up yet (its host not formatted, or not started): try again in a second,
 * for a while, as DAOS's servers keep trying to join.
 */
static bool
join_retry(struct srv_engine *e, int rc)
{
	if (rc != -DER_UNINIT && rc != -DER_UNREACH && rc != -DER_TIMEDOUT && rc != -DER_HG)
		return false;
	if (e->join_tries++ >= JOIN_RETRIES || e->srv->stopping)
		return false;
	if (!e->join_timer_init) {
		uv_timer_init(e->srv->loop, &e->join_timer);
		e->join_timer.data = e;
		e->join_timer_init = true;
	}
	uv_timer_start(&e->join_timer, join_retry_cb, JOIN_RETRY_MS, 0);
	return true;
}

void
srv_join_timers_stop(struct server *srv)
{
	unsigned int i;

	for (i = 0; i < srv->nr_engines; i++)
		if (srv->engines[i].join_timer_init) {
			uv_timer_stop(&srv->engines[i].join_timer);
			uv_close((uv_handle_t *)&srv->engines[i].join_timer, NULL);
			srv->engines[i].join_timer_init = false;
		}
}

static void
remote_join_done(struct server *srv, int rc, const struct ctl_reply *reply, void *arg)
{
	struct remote_join *rj = arg;
	struct srv_engine *e = &srv->engines[rj->idx];
	Mgmt__JoinResp *resp = NULL;

	/* The engine may have died or restarted while we waited. */
	if (e->state != SRV_ENGINE_READY || e->incarnation != rj->incarnation) {
		d_free(rj);
		return;
	}
	if (rc == 0 && reply->status != 0) {
		rc = reply->status;
		snprintf(e->info, sizeof(e->info), "join refused: %.200s", reply->message);
	} else if (rc == 0) {
		resp = mgmt__join_resp__unpack(&proto_allocator, reply->len, reply->body);
		if (resp == NULL)
			rc = -DER_PROTO;
	} else {
		snprintf(e->info, sizeof(e->info),
			 "cannot reach the management service at %.100s: " DF_RC,
			 srv->cfg->replicas.str[0], DP_RC(rc));
	}
	if (rc != 0 && join_retry(e, rc)) {
		D_INFO("engine %u: %s; trying again", e->idx, e->info);
	} else if (rc != 0) {
		e->state = SRV_ENGINE_ERRORED;
		D_ERROR("engine %u: %s", e->idx, e->info);
	} else {
		e->join_tries = 0;
		join_finish(e, resp->rank, resp->map_version, e->incarnation, false);
	}
	if (resp != NULL)
		mgmt__join_resp__free_unpacked(resp, &proto_allocator);
	d_free(rj);
}

static void
remote_join(struct srv_engine *e, const uuid_t uuid)
{
	struct server *srv = e->srv;
	Mgmt__JoinReq jr = MGMT__JOIN_REQ__INIT;
	struct remote_join *rj = d_calloc(1, sizeof(*rj));
	char uuid_str[37];
	int rc;

	if (rj == NULL)
		return;
	rj->idx = e->idx;
	rj->incarnation = e->incarnation;
	uuid_unparse_lower(uuid, uuid_str);
	jr.system = srv->cfg->name;
	jr.uuid = uuid_str;
	jr.rank = e->sb.rank;
	jr.has_rank = e->sb.valid_rank;
	jr.uri = e->uri;
	jr.control_addr = srv->ctl_addr;
	jr.fault_domain = e->sb.fault_domain;
	jr.incarnation = e->incarnation;
	jr.nr_contexts = e->nr_contexts;
	jr.engine_idx = e->idx;
	jr.provider = srv->cfg->provider != NULL ? srv->cfg->provider : (char *)"";
	jr.hostname = srv->hostname;
	rc = srv_peer_call(srv, srv->cfg->replicas.str[0], CTL_JOIN, &jr.base, remote_join_done,
			   rj);
	if (rc != 0) {
		d_free(rj);
		e->state = SRV_ENGINE_ERRORED;
		snprintf(e->info, sizeof(e->info), "cannot ask the management service to join");
	}
}

void
srv_engine_join(struct srv_engine *e)
{
	struct server *srv = e->srv;
	struct ms_join_req jr = { 0 };
	struct ms_join_resp resp;
	char err[512] = "";
	int rc;

	if (uuid_parse(e->sb.uuid, jr.uuid) != 0) {
		D_ERROR("engine %u: superblock uuid \"%s\" is not a UUID", e->idx, e->sb.uuid);
		return;
	}
	if (!srv->ms_local) {
		remote_join(e, jr.uuid);
		return;
	}
	rc = ms_ready(srv, err, sizeof(err));
	if (rc != 0) {
		snprintf(e->info, sizeof(e->info), "cannot join: %.200s", err);
		D_ERROR("engine %u: %s", e->idx, e->info);
		return;
	}
	jr.rank = e->sb.valid_rank ? e->sb.rank : CRT_NO_RANK;
	jr.addr = srv->ctl_addr;
	jr.uri = e->uri;
	jr.nr_ctxs = e->nr_contexts;
	jr.fault_domain = e->sb.fault_domain;
	jr.hostname = srv->hostname;
	jr.incarnation = e->incarnation;
	jr.engine_idx = e->idx;
	rc = ms_join(srv->ms, &jr, &resp, err, sizeof(err));
	if (rc != 0) {
		e->state = SRV_ENGINE_ERRORED;
		snprintf(e->info, sizeof(e->info), "join refused: %.200s", err);
		D_ERROR("engine %u: %s", e->idx, e->info);
		return;
	}
	join_finish(e, resp.rank, resp.map_version, resp.incarnation, resp.is_new);
	if (e->state == SRV_ENGINE_JOINED)
		group_update(srv);
	else
		ms_member_set_state(srv->ms, resp.rank, MS_MEMBER_ERRORED, e->info, NULL, 0);
}

static void
event_done(struct server *srv, int rc, const struct ctl_reply *reply, void *arg)
{
	(void)srv;
	(void)arg;
	if (rc == 0 && reply->status != 0)
		D_ERROR("the management service refused an engine event: %s", reply->message);
}

void
srv_engine_exited(struct srv_engine *e)
{
	struct server *srv = e->srv;

	if (!e->has_rank)
		return;
	if (!srv->ms_local) {
		Mgmt__ClusterEventReq ev = MGMT__CLUSTER_EVENT_REQ__INIT;

		if (srv->stopping)
			return;
		ev.rank = e->rank;
		ev.state = (char *)(e->state == SRV_ENGINE_STOPPED ? "Stopped" : "Errored");
		ev.info = e->info;
		ev.incarnation = e->incarnation;
		ev.control_addr = srv->ctl_addr;
		srv_peer_call(srv, srv->cfg->replicas.str[0], CTL_CLUSTER_EVENT, &ev.base,
			      event_done, NULL);
		return;
	}
	if (srv->ms == NULL)
		return;
	ms_member_set_state(srv->ms, e->rank,
			    e->state == SRV_ENGINE_STOPPED ? MS_MEMBER_STOPPED : MS_MEMBER_ERRORED,
			    e->info, NULL, 0);
	if (!srv->stopping)
		group_update(srv);
}

/* --- calls from other servers --- */

/* Join from another server: the member's control address is the caller's IP and port. */
static void
h_join(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__JoinResp resp = MGMT__JOIN_RESP__INIT;
	struct ms_join_resp jresp;
	struct ms_join_req jr = { 0 };
	Mgmt__JoinReq *in;
	char addr[300];
	char err[512] = "";
	const char *port;
	const char *colon;
	int rc;

	in = mgmt__join_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "Join: malformed request", NULL, NULL, 0);
		return;
	}
	colon = strrchr(ri->peer, ':');
	port = strrchr(in->control_addr, ':');
	snprintf(addr, sizeof(addr), "%.*s:%.8s",
		 colon != NULL ? (int)(colon - ri->peer) : (int)strlen(ri->peer), ri->peer,
		 port != NULL ? port + 1 : "10001");
	if (strcmp(in->system, srv->cfg->name) != 0) {
		snprintf(err, sizeof(err), "system \"%.64s\" is not this system (\"%.64s\")",
			 in->system, srv->cfg->name);
		rc = -DER_INVAL;
	} else if (uuid_parse(in->uuid, jr.uuid) != 0) {
		snprintf(err, sizeof(err), "\"%.64s\" is not an engine UUID", in->uuid);
		rc = -DER_INVAL;
	} else {
		jr.rank = in->has_rank ? in->rank : CRT_NO_RANK;
		jr.addr = addr;
		jr.uri = in->uri;
		jr.provider = in->provider[0] != '\0' ? in->provider : NULL;
		jr.nr_ctxs = in->nr_contexts;
		jr.fault_domain = in->fault_domain;
		jr.hostname = in->hostname;
		jr.incarnation = in->incarnation;
		jr.engine_idx = in->engine_idx;
		jr.replace = in->replace;
		rc = ms_join(srv->ms, &jr, &jresp, err, sizeof(err));
	}
	resp.status = rc;
	resp.message = err;
	if (rc == 0) {
		resp.rank = jresp.rank;
		resp.map_version = jresp.map_version;
		resp.state = (char *)"Joined";
		resp.fault_domain = in->fault_domain;
		D_INFO("rank %u joined from %s", jresp.rank, addr);
	}
	srv_reply_packed(req, rc, rc != 0 ? err : NULL, &resp.base);
	mgmt__join_req__free_unpacked(in, &proto_allocator);
	if (rc == 0)
		group_update(srv);
}

static void
h_cluster_event(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__ClusterEventReq *in;
	enum ms_member_state st;
	char err[512] = "";
	int rc;

	in = mgmt__cluster_event_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "ClusterEvent: malformed request", NULL, NULL, 0);
		return;
	}
	rc = ms_member_state_parse(in->state, &st);
	if (rc != 0)
		snprintf(err, sizeof(err), "unknown member state \"%.32s\"", in->state);
	else
		rc = ms_member_set_state(srv->ms, in->rank, st, in->info, err, sizeof(err));
	ctl_req_reply(req, rc, rc != 0 ? err : NULL, NULL, NULL, 0);
	mgmt__cluster_event_req__free_unpacked(in, &proto_allocator);
	if (rc == 0)
		group_update(srv);
}

/* The MS pushes a group map: hand it to our engines. */
static void
h_group_update(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__GroupUpdateReq *in;
	unsigned int i;
	int rc = 0;

	in = mgmt__group_update_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "GroupUpdate: malformed request", NULL, NULL, 0);
		return;
	}
	for (i = 0; i < srv->nr_engines; i++) {
		struct srv_engine *e = &srv->engines[i];
		int erc;

		if (e->state != SRV_ENGINE_JOINED)
			continue;
		erc = engine_call(e, DRPC_METHOD_MGMT_GROUP_UPDATE, &in->base, NULL, 0);
		if (erc != 0 && rc == 0)
			rc = erc;
	}
	ctl_req_reply(req, rc, rc != 0 ? "an engine did not take the group map" : NULL, NULL, NULL,
		      0);
	mgmt__group_update_req__free_unpacked(in, &proto_allocator);
}

/* --- control API --- */

static void
system_query(struct server *srv, struct ctl_req *req, const char *err)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__SystemQueryResp resp = MGMT__SYSTEM_QUERY_RESP__INIT;
	Mgmt__SystemQueryReq *in;
	struct ms_query_result res = { 0 };
	struct ms_filter f = { 0 };
	Mgmt__Member *m = NULL;
	Mgmt__Member **mp = NULL;
	char(*uuids)[37] = NULL;
	char(*times)[32] = NULL;
	char msg[512] = "";
	uint32_t i;
	int rc;

	(void)err;
	in = mgmt__system_query_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "SystemQuery: malformed request", NULL, NULL, 0);
		return;
	}
	f.ranks = in->ranks[0] != '\0' ? in->ranks : NULL;
	f.hosts = in->hosts[0] != '\0' ? in->hosts : NULL;
	f.not_ok = in->not_ok;
	f.with_states = in->with_states[0] != '\0' ? in->with_states : NULL;
	rc = ms_query(srv->ms, &f, &res, msg, sizeof(msg));
	if (rc == 0) {
		m = d_calloc(res.nr_members + 1, sizeof(*m));
		mp = d_calloc(res.nr_members + 1, sizeof(*mp));
		uuids = d_calloc(res.nr_members + 1, sizeof(*uuids));
		times = d_calloc(res.nr_members + 1, sizeof(*times));
		if (m == NULL || mp == NULL || uuids == NULL || times == NULL)
			rc = -DER_NOMEM;
	}
	for (i = 0; rc == 0 && i < res.nr_members; i++) {
		const struct ms_member *mm = &res.members[i];
		time_t t = (time_t)mm->last_update;
		struct tm tm;

		mgmt__member__init(&m[i]);
		m[i].rank = mm->rank;
		uuid_unparse_lower(mm->uuid, uuids[i]);
		m[i].uuid = uuids[i];
		m[i].addr = (char *)mm->addr;
		m[i].fabric_uri = (char *)mm->uri;
		m[i].fault_domain = (char *)mm->fault_domain;
		m[i].state = (char *)ms_member_state_name(mm->state);
		m[i].info = (char *)mm->info;
		m[i].incarnation = mm->incarnation;
		m[i].fabric_contexts = mm->nr_ctxs;
		gmtime_r(&t, &tm);
		strftime(times[i], sizeof(times[i]), "%Y-%m-%dT%H:%M:%SZ", &tm);
		m[i].last_update = times[i];
		m[i].engine_idx = mm->engine_idx;
		m[i].hostname = (char *)mm->hostname;
		mp[i] = &m[i];
	}
	resp.status = rc;
	resp.message = msg;
	if (rc == 0) {
		resp.members = mp;
		resp.n_members = res.nr_members;
		resp.absent_ranks = res.absent_ranks != NULL ? res.absent_ranks : (char *)"";
		resp.absent_hosts = res.absent_hosts != NULL ? res.absent_hosts : (char *)"";
		resp.map_version = ms_map_version(srv->ms);
	}
	srv_reply_packed(req, rc, rc == 0 ? NULL : msg, &resp.base);
	d_free(m);
	d_free(mp);
	d_free(uuids);
	d_free(times);
	ms_query_result_fini(&res);
	mgmt__system_query_req__free_unpacked(in, &proto_allocator);
}

static void
leader_query(struct server *srv, struct ctl_req *req)
{
	Mgmt__LeaderQueryResp resp = MGMT__LEADER_QUERY_RESP__INIT;

	resp.current_leader = srv->cfg->replicas.str[0];
	resp.replicas = srv->cfg->replicas.str;
	resp.n_replicas = srv->cfg->replicas.nr;
	srv_reply_packed(req, 0, NULL, &resp.base);
}

static void
attach_info(struct server *srv, struct ctl_req *req)
{
	Mgmt__GetAttachInfoResp resp = MGMT__GET_ATTACH_INFO_RESP__INIT;
	Mgmt__ClientNetHint hint = MGMT__CLIENT_NET_HINT__INIT;
	uint32_t ms_ranks[8];
	uint32_t nr_ms = 0;
	struct rank_uris x;
	unsigned int i;
	int rc;

	rc = rank_uris_get(srv, &x);
	/* The MS ranks: the engines of this host, the replica */
	for (i = 0; i < srv->nr_engines && nr_ms < ARRAY_SIZE(ms_ranks); i++)
		if (srv->engines[i].has_rank)
			ms_ranks[nr_ms++] = srv->engines[i].rank;
	hint.provider = srv->cfg->provider != NULL ? srv->cfg->provider : (char *)"ofi+tcp";
	hint.interface = (char *)"";
	hint.domain = (char *)"";
	hint.net_dev_class = (char *)"";
	hint.crt_timeout = (uint32_t)srv->cfg->crt_timeout;
	hint.env_vars = srv->cfg->client_env_vars.str;
	hint.n_env_vars = srv->cfg->client_env_vars.nr;
	resp.status = rc;
	resp.rank_uris = x.rup;
	resp.n_rank_uris = rc == 0 ? x.nr : 0;
	resp.ms_ranks = ms_ranks;
	resp.n_ms_ranks = nr_ms;
	resp.client_net_hint = &hint;
	resp.map_version = x.version;
	resp.system = srv->cfg->name;
	srv_reply_packed(req, rc, rc == 0 ? NULL : "cannot read the group map", &resp.base);
	rank_uris_fini(&x);
}

/* One rank's outcome of a system start/stop/exclude/clear-exclude. */
struct rank_res {
	d_rank_t rank;
	bool errored;
	char action[32];
	char addr[300];
	char msg[256];
	char state[32];
};

/* A system command over ranks of several hosts: answered when every host has. */
struct ranks_op {
	struct server *srv;
	struct ctl_req *req;
	uint32_t method;
	struct rank_res *res;
	unsigned int nr;
	unsigned int cap;
	unsigned int pending;
	char *absent;
};

static struct rank_res *
op_add(struct ranks_op *op)
{
	if (op->nr == op->cap) {
		unsigned int cap = op->cap == 0 ? 8 : op->cap * 2;
		struct rank_res *n = d_reallocarray(op->res, cap, sizeof(*n));

		if (n == NULL)
			return NULL;
		op->res = n;
		op->cap = cap;
	}
	memset(&op->res[op->nr], 0, sizeof(op->res[0]));
	return &op->res[op->nr++];
}

static void
op_finish(struct ranks_op *op)
{
	Mgmt__SystemRanksResp resp = MGMT__SYSTEM_RANKS_RESP__INIT;
	Mgmt__RankResult *rr = d_calloc(op->nr + 1, sizeof(*rr));
	Mgmt__RankResult **rrp = d_calloc(op->nr + 1, sizeof(*rrp));
	unsigned int i;
	int rc = 0;

	if (rr == NULL || rrp == NULL)
		rc = -DER_NOMEM;
	for (i = 0; rc == 0 && i < op->nr; i++) {
		struct rank_res *r = &op->res[i];

		mgmt__rank_result__init(&rr[i]);
		rr[i].rank = r->rank;
		rr[i].action = r->action;
		rr[i].errored = r->errored;
		rr[i].message = r->msg;
		rr[i].addr = r->addr;
		rr[i].state = r->state;
		rrp[i] = &rr[i];
	}
	resp.status = rc;
	if (rc == 0) {
		resp.results = rrp;
		resp.n_results = op->nr;
		resp.absent_ranks = op->absent != NULL ? op->absent : (char *)"";
	}
	srv_reply_packed(op->req, rc, rc != 0 ? "out of memory" : NULL, &resp.base);
	d_free(rr);
	d_free(rrp);
	d_free(op->res);
	d_free(op->absent);
	d_free(op);
}

static const char *
op_action(uint32_t method)
{
	switch (method) {
	case CTL_SYSTEM_STOP:
	case CTL_STOP_RANKS:
		return "stop";
	case CTL_SYSTEM_START:
	case CTL_START_RANKS:
		return "start";
	case CTL_SYSTEM_EXCLUDE:
		return "exclude";
	default:
		return "clear-exclude";
	}
}

/* Start or stop local engine @e; its result in @r. */
static void
local_start_stop(struct srv_engine *e, bool stop, bool force, struct rank_res *r)
{
	int erc = 0;

	r->rank = e->rank;
	snprintf(r->action, sizeof(r->action), "%s", stop ? "stop" : "start");
	snprintf(r->addr, sizeof(r->addr), "%s", e->srv->ctl_addr);
	if (stop && e->running) {
		if (!force)
			engine_call(e, DRPC_METHOD_MGMT_PREP_SHUTDOWN, NULL, NULL, 0);
		srv_engine_stop(e, force);
	} else if (!stop && !e->running) {
		erc = srv_engine_start(e);
		if (erc != 0)
			snprintf(r->msg, sizeof(r->msg), "%s", e->info);
	}
	r->errored = erc != 0;
	snprintf(r->state, sizeof(r->state), "%s", srv_engine_state_name(e->state));
}

static void
remote_ranks_done(struct server *srv, int rc, const struct ctl_reply *reply, void *arg)
{
	struct ranks_op *op = arg;
	Mgmt__SystemRanksResp *resp = NULL;
	size_t i;

	(void)srv;
	if (rc == 0 && reply->status == 0)
		resp = mgmt__system_ranks_resp__unpack(&proto_allocator, reply->len, reply->body);
	for (i = 0; resp != NULL && i < resp->n_results; i++) {
		const Mgmt__RankResult *x = resp->results[i];
		struct rank_res *r = op_add(op);

		if (r == NULL)
			break;
		r->rank = x->rank;
		r->errored = x->errored;
		snprintf(r->action, sizeof(r->action), "%s", x->action);
		snprintf(r->addr, sizeof(r->addr), "%s", x->addr);
		snprintf(r->msg, sizeof(r->msg), "%s", x->message);
		snprintf(r->state, sizeof(r->state), "%s", x->state);
	}
	if (resp == NULL) {
		struct rank_res *r = op_add(op);

		if (r != NULL) {
			r->errored = true;
			snprintf(r->action, sizeof(r->action), "%s", op_action(op->method));
			snprintf(r->msg, sizeof(r->msg), "%s",
				 rc != 0 ? "the server of this rank cannot be reached"
					 : reply->message);
		}
	} else {
		mgmt__system_ranks_resp__free_unpacked(resp, &proto_allocator);
	}
	if (--op->pending == 0)
		op_finish(op);
}

/* dmg system start/stop/exclude/clear-exclude, on the MS: every rank asked for, any host. */
static void
system_ranks(struct server *srv, struct ctl_req *req, uint32_t method)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	struct ms_query_result res = { 0 };
	struct ms_filter f = { 0 };
	Mgmt__SystemRanksReq *in;
	struct ranks_op *op;
	char err[512] = "";
	uint32_t i;
	uint32_t j;
	int rc;

	in = mgmt__system_ranks_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "malformed request", NULL, NULL, 0);
		return;
	}
	op = d_calloc(1, sizeof(*op));
	if (op == NULL) {
		ctl_req_reply(req, -DER_NOMEM, "out of memory", NULL, NULL, 0);
		mgmt__system_ranks_req__free_unpacked(in, &proto_allocator);
		return;
	}
	op->srv = srv;
	op->req = req;
	op->method = method;
	op->pending = 1; /* this function's own share */
	f.ranks = in->ranks[0] != '\0' ? in->ranks : NULL;
	f.hosts = in->hosts[0] != '\0' ? in->hosts : NULL;
	rc = ms_query(srv->ms, &f, &res, err, sizeof(err));
	if (rc != 0) {
		ctl_req_reply(req, rc, err, NULL, NULL, 0);
		d_free(op);
		mgmt__system_ranks_req__free_unpacked(in, &proto_allocator);
		return;
	}
	if (res.absent_ranks != NULL)
		op->absent = d_strdup(res.absent_ranks);
	for (i = 0; i < res.nr_members; i++) {
		const struct ms_member *m = &res.members[i];
		struct rank_res *r;
		bool done_before = false;

		if (method == CTL_SYSTEM_EXCLUDE || method == CTL_SYSTEM_CLEAR_EXCLUDE) {
			const struct ms_member *now;

			r = op_add(op);
			if (r == NULL)
				break;
			r->rank = m->rank;
			snprintf(r->action, sizeof(r->action), "%s", op_action(method));
			snprintf(r->addr, sizeof(r->addr), "%s", m->addr);
			rc = method == CTL_SYSTEM_EXCLUDE
				     ? ms_member_exclude(srv->ms, m->rank, r->msg, sizeof(r->msg))
				     : ms_member_clear_exclude(srv->ms, m->rank, r->msg,
							       sizeof(r->msg));
			r->errored = rc != 0;
			if (rc == 0 && method == CTL_SYSTEM_EXCLUDE) {
				/* Pools see the rank as gone: their maps mark it DOWN. */
				d_rank_list_t one = { .rl_ranks = (d_rank_t *)&m->rank,
						      .rl_nr = 1 };

				srv_pool_exclude_ranks(srv, &one);
			}
			now = ms_member_get(srv->ms, m->rank);
			snprintf(
				r->state, sizeof(r->state), "%s",
				ms_member_state_name(now != NULL ? now->state : MS_MEMBER_UNKNOWN));
			continue;
		}
		if (strcmp(m->addr, srv->ctl_addr) == 0) {
			struct srv_engine *e = srv_engine_of_rank(srv, m->rank);

			r = op_add(op);
			if (r == NULL)
				break;
			if (e == NULL) {
				r->rank = m->rank;
				r->errored = true;
				snprintf(r->action, sizeof(r->action), "%s", op_action(method));
				snprintf(r->msg, sizeof(r->msg),
					 "no engine of this server has the rank");
			} else {
				local_start_stop(e, method == CTL_SYSTEM_STOP, in->force, r);
			}
			continue;
		}
		/* Another host: one call per server, with all its ranks. */
		for (j = 0; j < i && !done_before; j++)
			done_before = strcmp(res.members[j].addr, m->addr) == 0;
		if (!done_before) {
			Mgmt__RanksOpReq oreq = MGMT__RANKS_OP_REQ__INIT;
			d_rank_list_t *rl = d_rank_list_alloc(0);
			char *rs = NULL;

			for (j = i; rl != NULL && j < res.nr_members; j++)
				if (strcmp(res.members[j].addr, m->addr) == 0)
					d_rank_list_append(rl, res.members[j].rank);
			if (rl != NULL)
				d_rank_list_to_str(rl, &rs);
			oreq.ranks = rs != NULL ? rs : (char *)"";
			oreq.force = in->force;
			op->pending++;
			if (rs == NULL || srv_peer_call(srv, m->addr,
							method == CTL_SYSTEM_STOP ? CTL_STOP_RANKS
										  : CTL_START_RANKS,
							&oreq.base, remote_ranks_done, op) != 0) {
				op->pending--;
				r = op_add(op);
				if (r != NULL) {
					r->rank = m->rank;
					r->errored = true;
					snprintf(r->action, sizeof(r->action), "%s",
						 op_action(method));
					snprintf(r->msg, sizeof(r->msg), "cannot call %.200s",
						 m->addr);
				}
			}
			d_free(rs);
			d_rank_list_free(rl);
		}
	}
	if (method == CTL_SYSTEM_EXCLUDE)
		group_update(srv);
	ms_query_result_fini(&res);
	mgmt__system_ranks_req__free_unpacked(in, &proto_allocator);
	if (--op->pending == 0)
		op_finish(op);
}

/* StartRanks/StopRanks from the MS: our engines of those ranks. */
static void
h_ranks_op(struct server *srv, struct ctl_req *req, bool stop)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	Mgmt__RanksOpReq *in;
	d_rank_list_t *ranks = NULL;
	struct ranks_op *op;
	unsigned int k;

	in = mgmt__ranks_op_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		ctl_req_reply(req, -DER_PROTO, "malformed request", NULL, NULL, 0);
		return;
	}
	op = d_calloc(1, sizeof(*op));
	if (op == NULL || d_rank_list_parse(in->ranks, strlen(in->ranks), &ranks) != 0) {
		ctl_req_reply(req, op == NULL ? -DER_NOMEM : -DER_INVAL, "bad rank set", NULL, NULL,
			      0);
		d_free(op);
		mgmt__ranks_op_req__free_unpacked(in, &proto_allocator);
		return;
	}
	op->srv = srv;
	op->req = req;
	op->method = stop ? CTL_STOP_RANKS : CTL_START_RANKS;
	for (k = 0; k < srv->nr_engines; k++) {
		struct srv_engine *e = &srv->engines[k];
		struct rank_res *r;

		if (!e->has_rank || !d_rank_in_rank_list(ranks, e->rank))
			continue;
		r = op_add(op);
		if (r == NULL)
			break;
		local_start_stop(e, stop, in->force, r);
	}
	d_rank_list_free(ranks);
	mgmt__ranks_op_req__free_unpacked(in, &proto_allocator);
	op_finish(op);
}

/*
 * dmg system erase: the MS forgets members, pools and properties (refused while an
 * engine runs), then every server of the system unconfigures its storage; all wait for
 * a format.
 */
static void
system_erase(struct server *srv, struct ctl_req *req)
{
	Mgmt__SystemRanksResp resp = MGMT__SYSTEM_RANKS_RESP__INIT;
	Mgmt__SystemRanksReq empty = MGMT__SYSTEM_RANKS_REQ__INIT;
	const struct ms_member *m;
	char(*addrs)[MS_ADDR_MAX] = NULL;
	char err[512] = "";
	uint32_t nm = 0;
	uint32_t na = 0;
	uint32_t i;
	uint32_t j;
	int rc;

	m = ms_member_list(srv->ms, &nm);
	addrs = d_calloc(nm + 1, sizeof(*addrs));
	if (addrs == NULL) {
		ctl_req_reply(req, -DER_NOMEM, "out of memory", NULL, NULL, 0);
		return;
	}
	for (i = 0; i < nm; i++) {
		bool seen = strcmp(m[i].addr, srv->ctl_addr) == 0;

		for (j = 0; j < na && !seen; j++)
			seen = strcmp(addrs[j], m[i].addr) == 0;
		if (!seen)
			snprintf(addrs[na++], sizeof(addrs[0]), "%s", m[i].addr);
	}
	rc = ms_erase(srv->ms, err, sizeof(err));
	if (rc == 0) {
		(void)empty;
		for (j = 0; j < na; j++)
			srv_peer_call(srv, addrs[j], CTL_STORAGE_ERASE, &empty.base, NULL, NULL);
		rc = srv_storage_erase_local(srv, err, sizeof(err));
	}
	d_free(addrs);
	resp.status = rc;
	srv_reply_packed(req, rc, rc != 0 ? err : NULL, &resp.base);
}

bool
srv_ms_handle(struct server *srv, struct ctl_req *req)
{
	const struct ctl_req_info *ri = ctl_req_info(req);
	char err[512] = "";
	int rc;

	switch (ri->method) {
	case CTL_SYSTEM_QUERY:
	case CTL_SYSTEM_LEADER_QUERY:
	case CTL_GET_ATTACH_INFO:
	case CTL_SYSTEM_STOP:
	case CTL_SYSTEM_START:
	case CTL_SYSTEM_EXCLUDE:
	case CTL_SYSTEM_CLEAR_EXCLUDE:
	case CTL_SYSTEM_ERASE:
	case CTL_POOL_CREATE:
	case CTL_POOL_LIST:
	case CTL_POOL_QUERY:
	case CTL_POOL_DESTROY:
	case CTL_POOL_GET_PROP:
	case CTL_POOL_SET_PROP:
	case CTL_POOL_GET_ACL:
	case CTL_POOL_OVERWRITE_ACL:
	case CTL_POOL_UPDATE_ACL:
	case CTL_POOL_DELETE_ACL:
	case CTL_POOL_EVICT:
	case CTL_POOL_FIND:
	case CTL_JOIN:
	case CTL_CLUSTER_EVENT:
		break;
	case CTL_GROUP_UPDATE:
		h_group_update(srv, req);
		return true;
	case CTL_ENGINE_FORWARD:
		srv_engine_forward(srv, req);
		return true;
	case CTL_START_RANKS:
	case CTL_STOP_RANKS:
		h_ranks_op(srv, req, ri->method == CTL_STOP_RANKS);
		return true;
	default:
		return false;
	}
	if (ri->method == CTL_SYSTEM_LEADER_QUERY) {
		leader_query(srv, req);
		return true;
	}
	rc = ms_ready(srv, err, sizeof(err));
	if (rc == -DER_NOTREPLICA) {
		ctl_req_reply(req, -DER_NOTREPLICA, err, srv->cfg->replicas.str[0], NULL, 0);
		return true;
	}
	if (rc != 0) {
		ctl_req_reply(req, rc, err, NULL, NULL, 0);
		return true;
	}
	switch (ri->method) {
	case CTL_SYSTEM_QUERY:
		system_query(srv, req, err);
		break;
	case CTL_GET_ATTACH_INFO:
		attach_info(srv, req);
		break;
	case CTL_JOIN:
		h_join(srv, req);
		break;
	case CTL_SYSTEM_ERASE:
		system_erase(srv, req);
		break;
	case CTL_CLUSTER_EVENT:
		h_cluster_event(srv, req);
		break;
	case CTL_POOL_CREATE:
		srv_pool_create(srv, req);
		break;
	case CTL_POOL_LIST:
		srv_pool_list(srv, req);
		break;
	case CTL_POOL_QUERY:
		srv_pool_query(srv, req);
		break;
	case CTL_POOL_DESTROY:
		srv_pool_destroy(srv, req);
		break;
	case CTL_POOL_FIND:
		srv_pool_find(srv, req);
		break;
	case CTL_POOL_GET_PROP:
	case CTL_POOL_SET_PROP:
	case CTL_POOL_GET_ACL:
	case CTL_POOL_OVERWRITE_ACL:
	case CTL_POOL_UPDATE_ACL:
	case CTL_POOL_DELETE_ACL:
	case CTL_POOL_EVICT:
		srv_pool_attrs(srv, req);
		break;
	default:
		system_ranks(srv, req, ri->method);
		break;
	}
	return true;
}
