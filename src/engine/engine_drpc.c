/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_drpc.c - the engine's side of dRPC with daos_server: NotifyReady (we call),
 * and the management calls daos_server makes on our socket (SetRank, SetUp,
 * GroupUpdate, PrepShutdown, PingRank). Handlers run on the system xstream's libuv
 * loop. Bodies are mgmt.proto messages; a body that does not decode is answered with
 * FAILED_UNMARSHAL_PAYLOAD, an invalid value with a DaosResp status.
 */
#define D_LOGFAC DD_FAC(engine)

#include <gurt/common.h>
#include <stdio.h>
#include <unistd.h>

#include "engine/engine.h"
#include "mgmt.pb-c.h"

#define NOTIFY_TIMEOUT_MS 30000

static void
print_started(struct engine *eng)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	/* DAOS's start-up line: daos_server and the admin guide's readers look for it. */
	printf("DAOS I/O Engine (v%s) process %d started on rank %u with %u target, %u helper "
	       "XS, firstcore %d, host %s.\n",
	       DAOS_VERSION, (int)getpid(), eng->rank, eng->args.nr_targets, eng->args.nr_helpers,
	       eng->args.first_core, host);
	fflush(stdout);
}

static void
h_set_rank(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	struct engine *eng = arg;
	Mgmt__SetRankReq *in;

	in = mgmt__set_rank_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	if (in->rank == CRT_NO_RANK) {
		drpc_req_reply_status(req, -DER_INVAL, "SetRank: not a rank");
	} else if (eng->has_rank && eng->rank != in->rank) {
		char msg[128];

		snprintf(msg, sizeof(msg), "SetRank: this engine is rank %u already, not %u",
			 eng->rank, in->rank);
		drpc_req_reply_status(req, -DER_INVAL, msg);
	} else {
		bool first = !eng->has_rank;

		eng->rank = in->rank;
		eng->has_rank = true;
		D_INFO("engine %u: rank %u (map version %u)", eng->args.idx, in->rank,
		       in->map_version);
		if (first)
			print_started(eng);
		drpc_req_reply_status(req, 0, NULL);
	}
	mgmt__set_rank_req__free_unpacked(in, &proto_allocator);
}

static void
h_set_up(struct drpc_req *req, void *arg)
{
	struct engine *eng = arg;

	if (!eng->has_rank) {
		drpc_req_reply_status(req, -DER_UNINIT, "SetUp: no rank yet");
		return;
	}
	eng->set_up = true;
	drpc_req_reply_status(req, 0, NULL);
}

static void
h_group_update(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *ri = drpc_req_info(req);
	struct engine *eng = arg;
	Mgmt__GroupUpdateReq *in;
	d_rank_t *ranks = NULL;
	const char **uris = NULL;
	size_t i;
	int rc;

	in = mgmt__group_update_req__unpack(&proto_allocator, ri->len, ri->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	if (in->n_engines > 0) {
		ranks = d_calloc(in->n_engines, sizeof(*ranks));
		uris = d_calloc(in->n_engines, sizeof(*uris));
	}
	if (in->n_engines > 0 && (ranks == NULL || uris == NULL)) {
		rc = -DER_NOMEM;
	} else {
		for (i = 0; i < in->n_engines; i++) {
			ranks[i] = in->engines[i]->rank;
			uris[i] = in->engines[i]->uri;
		}
		rc = net_group_update(eng->group, in->map_version, ranks, uris,
				      (uint32_t)in->n_engines);
	}
	if (rc == 0)
		D_INFO("engine %u: group map version %u, %zu ranks", eng->args.idx, in->map_version,
		       in->n_engines);
	else
		D_ERROR("engine %u: group map version %u refused: " DF_RC, eng->args.idx,
			in->map_version, DP_RC(rc));
	drpc_req_reply_status(req, rc, rc == 0 ? NULL : "GroupUpdate refused");
	d_free(ranks);
	d_free(uris);
	mgmt__group_update_req__free_unpacked(in, &proto_allocator);
}

static void
h_prep_shutdown(struct drpc_req *req, void *arg)
{
	struct engine *eng = arg;

	eng->shutting_down = true;
	D_INFO("engine %u: preparing to shut down", eng->args.idx);
	drpc_req_reply_status(req, 0, NULL);
}

static void
h_ping(struct drpc_req *req, void *arg)
{
	(void)arg;
	drpc_req_reply_status(req, 0, NULL);
}

int
engine_drpc_start(struct engine *eng)
{
	static const struct {
		int32_t method;
		drpc_handler_t fn;
	} handlers[] = {
		{ DRPC_METHOD_MGMT_SET_RANK, h_set_rank },
		{ DRPC_METHOD_MGMT_SET_UP, h_set_up },
		{ DRPC_METHOD_MGMT_GROUP_UPDATE, h_group_update },
		{ DRPC_METHOD_MGMT_PREP_SHUTDOWN, h_prep_shutdown },
		{ DRPC_METHOD_MGMT_PING_RANK, h_ping },
	};
	unsigned int i;
	int rc;

	snprintf(eng->drpc_path, sizeof(eng->drpc_path), "%s/%s%d.sock", eng->args.socket_dir,
		 ENGINE_SOCK_PREFIX, (int)getpid());
	rc = drpc_server_start(eng_xs_uv(eng->sys), eng->drpc_path, 0600, &eng->drpc);
	if (rc != 0) {
		fprintf(stderr, "daos_engine: cannot listen on %s: " DF_RC "\n", eng->drpc_path,
			DP_RC(rc));
		return rc;
	}
	for (i = 0; i < ARRAY_SIZE(handlers); i++) {
		rc = drpc_server_register(eng->drpc, DRPC_MODULE_MGMT, handlers[i].method,
					  handlers[i].fn, eng);
		if (rc != 0)
			break;
	}
	if (rc == 0)
		rc = engine_pool_register(eng);
	if (rc == 0)
		rc = engine_psvc_register(eng);
	if (rc != 0)
		engine_drpc_stop(eng);
	return rc;
}

void
engine_drpc_stop(struct engine *eng)
{
	if (eng->drpc != NULL) {
		drpc_server_stop(eng->drpc);
		eng->drpc = NULL;
		/* Let libuv run the close callbacks before the loop is closed. */
		uv_run(eng_xs_uv(eng->sys), UV_RUN_NOWAIT);
	}
}

int
engine_notify_ready(struct engine *eng)
{
	Mgmt__NotifyReadyReq req = MGMT__NOTIFY_READY_REQ__INIT;
	struct drpc_client *client;
	char path[PATH_MAX];
	uint8_t *body;
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	size_t len;
	int status = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", eng->args.socket_dir, ENGINE_SERVER_SOCK);
	req.uri = eng->uri;
	req.nr_contexts = eng->args.nr_targets + 1;
	req.drpc_listener_sock = eng->drpc_path;
	req.instance_idx = eng->args.idx;
	req.nr_targets = eng->args.nr_targets;
	req.incarnation = eng->incarnation;
	req.pid = (uint32_t)getpid();
	len = mgmt__notify_ready_req__get_packed_size(&req);
	body = d_malloc(len);
	if (body == NULL)
		return -DER_NOMEM;
	mgmt__notify_ready_req__pack(&req, body);

	rc = drpc_client_connect(path, &client);
	if (rc != 0) {
		fprintf(stderr, "daos_engine: cannot reach daos_server at %s: " DF_RC "\n", path,
			DP_RC(rc));
		d_free(body);
		return rc;
	}
	rc = drpc_client_call(client, DRPC_MODULE_SRV, DRPC_METHOD_SRV_NOTIFY_READY, body, len,
			      NOTIFY_TIMEOUT_MS, &status, &reply, &reply_len);
	drpc_client_close(client);
	d_free(body);
	if (rc == 0 && status != DRPC__STATUS__SUCCESS)
		rc = -DER_MISC;
	if (rc == 0 && reply_len > 0) {
		Mgmt__DaosResp *resp = mgmt__daos_resp__unpack(&proto_allocator, reply_len, reply);

		if (resp == NULL) {
			rc = -DER_PROTO;
		} else {
			rc = resp->status;
			if (rc != 0)
				fprintf(stderr, "daos_engine: daos_server refused us: %s\n",
					resp->message);
			mgmt__daos_resp__free_unpacked(resp, &proto_allocator);
		}
	}
	d_free(reply);
	if (rc != 0)
		fprintf(stderr, "daos_engine: NotifyReady to %s failed: " DF_RC "\n", path,
			DP_RC(rc));
	return rc;
}

/* --- credentials: daos_server says whether a client's credential is genuine --- */

#define VALIDATE_TIMEOUT_MS 10000

struct cred_call {
	uv_work_t work;
	char path[PATH_MAX];
	uint8_t *cred;
	size_t len;
	engine_cred_cb cb;
	void *arg;
	int rc;
	uint8_t *token;
	size_t token_len;
};

/* On a libuv worker thread: one blocking dRPC call on a connection of its own. */
static void
cred_work(uv_work_t *work)
{
	struct cred_call *c = work->data;
	Mgmt__ValidateCredReq req = MGMT__VALIDATE_CRED_REQ__INIT;
	Mgmt__ValidateCredResp *resp;
	struct drpc_client *client;
	uint8_t *body;
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	size_t len;
	int status = 0;

	req.cred.data = c->cred;
	req.cred.len = c->len;
	len = mgmt__validate_cred_req__get_packed_size(&req);
	body = d_malloc(len);
	if (body == NULL) {
		c->rc = -DER_NOMEM;
		return;
	}
	mgmt__validate_cred_req__pack(&req, body);
	c->rc = drpc_client_connect(c->path, &client);
	if (c->rc == 0) {
		c->rc = drpc_client_call(client, DRPC_MODULE_SEC, DRPC_METHOD_SEC_VALIDATE_CREDS,
					 body, len, VALIDATE_TIMEOUT_MS, &status, &reply,
					 &reply_len);
		drpc_client_close(client);
	}
	d_free(body);
	if (c->rc == 0 && status != DRPC__STATUS__SUCCESS)
		c->rc = -DER_MISC;
	if (c->rc == 0) {
		resp = mgmt__validate_cred_resp__unpack(&proto_allocator, reply_len, reply);
		if (resp == NULL) {
			c->rc = -DER_PROTO;
		} else {
			c->rc = resp->status;
			if (c->rc != 0)
				D_ERROR("daos_server refused a credential: %s", resp->message);
			else if (resp->token.len == 0)
				c->rc = -DER_PROTO;
			if (c->rc == 0) {
				c->token = d_malloc(resp->token.len);
				if (c->token == NULL)
					c->rc = -DER_NOMEM;
				else
					memcpy(c->token, resp->token.data, resp->token.len);
				c->token_len = resp->token.len;
			}
			mgmt__validate_cred_resp__free_unpacked(resp, &proto_allocator);
		}
	} else {
		D_ERROR("ValidateCredentials at %s failed: " DF_RC, c->path, DP_RC(c->rc));
	}
	d_free(reply);
}

/* Back on the system xstream. */
static void
cred_done(uv_work_t *work, int status)
{
	struct cred_call *c = work->data;

	if (status != 0 && c->rc == 0)
		c->rc = -DER_CANCELED;
	c->cb(c->arg, c->rc, c->rc == 0 ? c->token : NULL, c->rc == 0 ? c->token_len : 0);
	d_free(c->token);
	d_free(c->cred);
	d_free(c);
}

int
engine_cred_validate(struct engine *eng, const void *cred, size_t len, engine_cred_cb cb, void *arg)
{
	struct cred_call *c = d_calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return -DER_NOMEM;
	c->cred = d_malloc(len > 0 ? len : 1);
	if (c->cred == NULL) {
		d_free(c);
		return -DER_NOMEM;
	}
	memcpy(c->cred, cred, len);
	c->len = len;
	c->cb = cb;
	c->arg = arg;
	c->work.data = c;
	snprintf(c->path, sizeof(c->path), "%s/%s", eng->args.socket_dir, ENGINE_SERVER_SOCK);
	rc = uv_queue_work(eng_xs_uv(eng->sys), &c->work, cred_work, cred_done);
	if (rc != 0) {
		d_free(c->cred);
		d_free(c);
		return -DER_MISC;
	}
	return 0;
}
