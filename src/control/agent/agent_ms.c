/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_ms.c - asking the Management Service for attach info, and shaping the answer
 * for a client.
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
call_one(const char *addr, const struct ctl_tls_config *tls, const uint8_t *req, size_t req_len,
	 struct ctl_reply *reply, char *tried, size_t tried_len)
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
	rc = ctl_client_call(client, CTL_GET_ATTACH_INFO, req, req_len, AGENT_CALL_MS, reply);
	ctl_client_close(client);
	if (rc != 0) {
		D_INFO("GetAttachInfo to %s failed: " DF_RC, addr, DP_RC(rc));
		err_add(tried, tried_len, addr, d_errdesc(rc));
	}
	return rc;
}

int
agent_ms_attach_info(const struct config_strlist *servers, const struct ctl_tls_config *tls,
		     const char *system, uint8_t **body, size_t *len, char *err, size_t err_len)
{
	Mgmt__GetAttachInfoReq req = MGMT__GET_ATTACH_INFO_REQ__INIT;
	Mgmt__GetAttachInfoResp *resp;
	struct ctl_reply reply = { 0 };
	char tried[1024] = "";
	char addr[300];
	uint8_t *packed;
	size_t packed_len;
	unsigned int i;
	unsigned int hop;
	int rc = -DER_UNREACH;

	req.system = (char *)system;
	req.all_ranks = true;
	packed_len = mgmt__get_attach_info_req__get_packed_size(&req);
	packed = d_malloc(packed_len + 1);
	if (packed == NULL)
		return -DER_NOMEM;
	mgmt__get_attach_info_req__pack(&req, packed);

	for (i = 0; i < servers->nr; i++) {
		snprintf(addr, sizeof(addr), "%s", servers->str[i]);
		for (hop = 0; hop <= AGENT_LEADER_HOPS; hop++) {
			rc = call_one(addr, tls, packed, packed_len, &reply, tried, sizeof(tried));
			if (rc != 0)
				break;
			if (reply.status != -DER_NOTLEADER || reply.leader_hint == NULL ||
			    reply.leader_hint[0] == '\0')
				goto out_answered;
			D_INFO("%s is not the MS leader, trying %s", addr, reply.leader_hint);
			err_add(tried, sizeof(tried), addr, "not the leader");
			snprintf(addr, sizeof(addr), "%s", reply.leader_hint);
			ctl_reply_fini(&reply);
			memset(&reply, 0, sizeof(reply));
			rc = -DER_NOTLEADER;
		}
	}
	snprintf(err, err_len, "no management service replica answered; tried %s",
		 servers->nr > 0 ? tried : "no access points");
	rc = -DER_UNREACH;
	goto out_free_req;

out_answered:
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
out_free_req:
	d_free(packed);
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
agent_attach_error(int status, const char *message, uint8_t **out, size_t *out_len)
{
	Mgmt__GetAttachInfoResp resp = MGMT__GET_ATTACH_INFO_RESP__INIT;

	resp.status = status;
	resp.message = (char *)message;
	return resp_pack(&resp, out, out_len);
}
