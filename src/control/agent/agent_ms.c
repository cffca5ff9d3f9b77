/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_ms.c - asking the Management Service for attach info, pools and evictions, and
 * shaping the attach info answer for a client.
 *
 * The access points are tried in the order written. A replica that is not the leader
 * answers -DER_NOTLEADER with a hint; the hint is followed (a few hops at most, so two
 * confused replicas cannot bounce us forever) before the next access point is tried.
 * Any other answer from an MS, good or bad, ends the search: it is the system's word.
 * When nobody answers, the error message lists every access point tried with what went
 * wrong there, because "unreachable" alone sends the admin hunting.
 *
 * The agent always asks for all ranks and passes them all on (DAOS's agent does too);
 * the client's all_ranks flag is accepted and ignored.
 *
 * The same search serves PoolFind (a client's pool lookup, never cached: pools come and
 * go under the same label) and PoolEvict (the handles a dead client left behind).
 */
#define D_LOGFAC DD_FAC(control)

#include <stdio.h>
#include <string.h>

#include "control/agent/agent_int.h"
#include "mgmt.pb-c.h"

/* Split "host:port" or "[v6]:port" into @host and @port. 0 or -DER_INVAL. */
static int
hostport_split(const char *addr, char *host, size_t host_len, uint16_t *port)
{
	const char *colon;
	const char *h = addr;
	size_t n;
	long p;
	char *end;

	colon = strrchr(addr, ':');
	if (colon == NULL)
		return -DER_INVAL;
	n = (size_t)(colon - addr);
	if (addr[0] == '[' && n >= 2 && addr[n - 1] == ']') {
		h = addr + 1;
		n -= 2;
	}
	if (n == 0 || n >= host_len)
		return -DER_INVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p <= 0 || p > 65535)
		return -DER_INVAL;
	*port = (uint16_t)p;
	return 0;
}

/* Append ", addr (why)" to @err. */
static void
err_add(char *err, size_t err_len, const char *addr, const char *why)
{
	size_t used = strnlen(err, err_len);

	if (used + 1 >= err_len)
		return;
	snprintf(err + used, err_len - used, "%s%s (%s)", used > 0 ? ", " : "", addr, why);
}

/*
 * One call to @addr. Returns 0 with the reply in @reply (any status), or a transport
 * error with its reason appended to @tried.
 */
static int
call_one(const char *addr, const struct ctl_tls_config *tls, uint32_t method, const uint8_t *req,
	 size_t req_len, struct ctl_reply *reply, char *tried, size_t tried_len)
{
	struct ctl_client *client;
	char host[256];
	uint16_t port;
	int rc;

	rc = hostport_split(addr, host, sizeof(host), &port);
	if (rc != 0) {
		err_add(tried, tried_len, addr, "not host:port");
		return rc;
	}
	rc = ctl_client_connect(host, port, tls, DAOS_VERSION, AGENT_CONNECT_MS, &client);
	if (rc != 0) {
		D_INFO("could not reach access point %s: " DF_RC, addr, DP_RC(rc));
		err_add(tried, tried_len, addr, d_errdesc(rc));
		return rc;
	}
	rc = ctl_client_call(client, method, req, req_len, AGENT_CALL_MS, reply);
	ctl_client_close(client);
	if (rc != 0) {
		D_INFO("%s to %s failed: " DF_RC, ctl_method_name(method), addr, DP_RC(rc));
		err_add(tried, tried_len, addr, d_errdesc(rc));
	}
	return rc;
}

int
agent_ms_call(const struct config_strlist *servers, const struct ctl_tls_config *tls,
	      uint32_t method, const ProtobufCMessage *body, struct ctl_reply *reply, char *from,
	      size_t from_len, char *err, size_t err_len)
{
	struct ctl_reply r = { 0 };
	char tried[1024] = "";
	char addr[300];
	uint8_t *packed;
	size_t packed_len;
	unsigned int i;
	unsigned int hop;
	int rc;

	packed_len = protobuf_c_message_get_packed_size(body);
	packed = d_malloc(packed_len + 1);
	if (packed == NULL) {
		snprintf(err, err_len, "out of memory");
		return -DER_NOMEM;
	}
	protobuf_c_message_pack(body, packed);

	for (i = 0; i < servers->nr; i++) {
		snprintf(addr, sizeof(addr), "%s", servers->str[i]);
		for (hop = 0; hop <= AGENT_LEADER_HOPS; hop++) {
			rc = call_one(addr, tls, method, packed, packed_len, &r, tried,
				      sizeof(tried));
			if (rc != 0)
				break;
			if (r.status != -DER_NOTLEADER || r.leader_hint == NULL ||
			    r.leader_hint[0] == '\0')
				goto out_answered;
			D_INFO("%s is not the MS leader, trying %s", addr, r.leader_hint);
			err_add(tried, sizeof(tried), addr, "not the leader");
			snprintf(addr, sizeof(addr), "%s", r.leader_hint);
			ctl_reply_fini(&r);
			memset(&r, 0, sizeof(r));
		}
	}
	snprintf(err, err_len, "no management service replica answered; tried %s",
		 servers->nr > 0 ? tried : "no access points");
	d_free(packed);
	return -DER_UNREACH;

out_answered:
	d_free(packed);
	snprintf(from, from_len, "%s", addr);
	*reply = r;
	return 0;
}

int
agent_ms_attach_info(const struct config_strlist *servers, const struct ctl_tls_config *tls,
		     const char *system, uint8_t **body, size_t *len, char *err, size_t err_len)
{
	Mgmt__GetAttachInfoReq req = MGMT__GET_ATTACH_INFO_REQ__INIT;
	Mgmt__GetAttachInfoResp *resp;
	struct ctl_reply reply = { 0 };
	char addr[300];
	int rc;

	req.system = (char *)system;
	req.all_ranks = true;
	rc = agent_ms_call(servers, tls, CTL_GET_ATTACH_INFO, &req.base, &reply, addr, sizeof(addr),
			   err, err_len);
	if (rc != 0)
		return rc;
	if (reply.status != 0) {
		rc = reply.status;
		snprintf(err, err_len, "management service at %s refused GetAttachInfo: %s", addr,
			 reply.message[0] != '\0' ? reply.message : d_errdesc(rc));
		goto out_free_reply;
	}
	resp = mgmt__get_attach_info_resp__unpack(&proto_allocator, reply.len, reply.body);
	if (resp == NULL) {
		rc = -DER_PROTO;
		snprintf(err, err_len, "management service at %s sent malformed attach info", addr);
		goto out_free_reply;
	}
	rc = resp->status;
	if (rc != 0)
		snprintf(err, err_len, "management service at %s: %s", addr,
			 resp->message[0] != '\0' ? resp->message : d_errdesc(rc));
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	if (rc != 0)
		goto out_free_reply;
	/* Hand over the body as it came: it decoded, so it is safe to cache. */
	*body = reply.body;
	*len = reply.len;
	reply.body = NULL;
	reply.len = 0;
out_free_reply:
	ctl_reply_fini(&reply);
	return rc;
}

int
agent_ms_pool_find(const struct config_strlist *servers, const struct ctl_tls_config *tls,
		   const char *id, const char *system, uint8_t **out, size_t *out_len)
{
	Mgmt__PoolFindReq req = MGMT__POOL_FIND_REQ__INIT;
	Mgmt__PoolFindResp mine = MGMT__POOL_FIND_RESP__INIT;
	Mgmt__PoolFindResp *resp = NULL;
	struct ctl_reply reply = { 0 };
	char err[1024] = "";
	char addr[300];
	uint8_t *buf;
	size_t len;
	int rc;

	req.id = (char *)id;
	req.system = (char *)system;
	rc = agent_ms_call(servers, tls, CTL_POOL_FIND, &req.base, &reply, addr, sizeof(addr), err,
			   sizeof(err));
	if (rc == 0 && reply.len > 0) {
		resp = mgmt__pool_find_resp__unpack(&proto_allocator, reply.len, reply.body);
		if (resp == NULL) {
			rc = -DER_PROTO;
			snprintf(err, sizeof(err),
				 "management service at %s sent a malformed PoolFind answer", addr);
		}
	}
	if (rc == 0 && resp == NULL) {
		/* Refused before the MS looked (version, role, not ready): its word is all. */
		rc = reply.status != 0 ? reply.status : -DER_PROTO;
		snprintf(err, sizeof(err), "management service at %s refused PoolFind: %s", addr,
			 reply.message[0] != '\0' ? reply.message : d_errdesc(rc));
	}
	if (rc != 0) {
		mine.status = rc;
		mine.message = err;
		resp = &mine;
	}
	/* From here on rc is ours: whether the client gets an answer at all. */
	len = mgmt__pool_find_resp__get_packed_size(resp);
	buf = d_malloc(len + 1);
	if (buf != NULL) {
		mgmt__pool_find_resp__pack(resp, buf);
		*out = buf;
		*out_len = len;
	}
	if (resp != &mine)
		mgmt__pool_find_resp__free_unpacked(resp, &proto_allocator);
	ctl_reply_fini(&reply);
	return buf != NULL ? 0 : -DER_NOMEM;
}

int
agent_ms_pool_evict(const struct config_strlist *servers, const struct ctl_tls_config *tls,
		    const struct agent_handle *hdls, unsigned int nr, const char *machine,
		    char *err, size_t err_len)
{
	Mgmt__PoolIdReq req = MGMT__POOL_ID_REQ__INIT;
	struct ctl_reply reply = { 0 };
	char(*strs)[37];
	char **ptrs;
	char id[37];
	char addr[300];
	unsigned int i;
	int rc;

	strs = d_calloc(nr + 1, sizeof(*strs));
	ptrs = d_calloc(nr + 1, sizeof(*ptrs));
	if (strs == NULL || ptrs == NULL) {
		snprintf(err, err_len, "out of memory");
		rc = -DER_NOMEM;
		goto out_free;
	}
	for (i = 0; i < nr; i++) {
		uuid_unparse_lower(hdls[i].hdl, strs[i]);
		ptrs[i] = strs[i];
	}
	uuid_unparse_lower(hdls[0].pool, id);
	req.id = id;
	req.handles = ptrs;
	req.n_handles = nr;
	req.machine = (char *)machine;
	rc = agent_ms_call(servers, tls, CTL_POOL_EVICT, &req.base, &reply, addr, sizeof(addr), err,
			   err_len);
	if (rc != 0)
		goto out_free;
	rc = reply.status;
	if (rc != 0)
		snprintf(err, err_len, "management service at %s refused PoolEvict: %s", addr,
			 reply.message[0] != '\0' ? reply.message : d_errdesc(rc));
	ctl_reply_fini(&reply);
out_free:
	d_free(strs);
	d_free(ptrs);
	return rc;
}

static int
resp_pack(Mgmt__GetAttachInfoResp *resp, uint8_t **out, size_t *out_len)
{
	size_t len = mgmt__get_attach_info_resp__get_packed_size(resp);
	uint8_t *buf = d_malloc(len + 1);

	if (buf == NULL)
		return -DER_NOMEM;
	mgmt__get_attach_info_resp__pack(resp, buf);
	*out = buf;
	*out_len = len;
	return 0;
}

int
agent_attach_reply(const void *ms, size_t ms_len, const struct agent_fabric_if *fi, uint8_t **out,
		   size_t *out_len)
{
	Mgmt__GetAttachInfoResp *resp;
	Mgmt__ClientNetHint hint = MGMT__CLIENT_NET_HINT__INIT;
	Mgmt__ClientNetHint *orig;
	int rc;

	resp = mgmt__get_attach_info_resp__unpack(&proto_allocator, ms_len, ms);
	if (resp == NULL)
		return -DER_PROTO;
	/* Our hint replaces the MS's for the packing only; the MS's is freed with resp. */
	orig = resp->client_net_hint;
	if (orig != NULL)
		hint = *orig;
	hint.interface = (char *)fi->name;
	hint.domain = (char *)fi->domain;
	resp->client_net_hint = &hint;
	rc = resp_pack(resp, out, out_len);
	resp->client_net_hint = orig;
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	return rc;
}

int
agent_attach_peek(const void *ms, size_t ms_len, char *provider, size_t provider_len, bool *on_lo)
{
	Mgmt__GetAttachInfoResp *resp;
	size_t i;

	resp = mgmt__get_attach_info_resp__unpack(&proto_allocator, ms_len, ms);
	if (resp == NULL)
		return -DER_PROTO;
	snprintf(provider, provider_len, "%s",
		 resp->client_net_hint != NULL ? resp->client_net_hint->provider : "");
	*on_lo = resp->n_rank_uris > 0;
	for (i = 0; i < resp->n_rank_uris && *on_lo; i++)
		*on_lo = agent_uri_is_loopback(resp->rank_uris[i]->uri);
	mgmt__get_attach_info_resp__free_unpacked(resp, &proto_allocator);
	return 0;
}

int
agent_attach_error(int status, const char *message, uint8_t **out, size_t *out_len)
{
	Mgmt__GetAttachInfoResp resp = MGMT__GET_ATTACH_INFO_RESP__INIT;

	resp.status = status;
	resp.message = (char *)message;
	return resp_pack(&resp, out, out_len);
}
