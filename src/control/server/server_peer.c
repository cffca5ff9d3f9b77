/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_peer.c - daos_server calling other daos_servers over the control API: a
 * server that is not the MS replica joins its engines through the replica and reports
 * their exits to it (ClusterEvent); the replica pushes the group map to every server
 * (GroupUpdate), which hands it to its engines.
 *
 * The control client blocks, so each call runs on libuv's worker pool and its outcome
 * comes back to the loop thread through the callback. Calls use the server's own
 * certificate (role "server") unless the server is insecure.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <gurt/common.h>
#include <stdio.h>
#include <string.h>

#include "control/server/server.h"
#include "mgmt.pb-c.h"

#define PEER_TIMEOUT_MS 30000

struct peer_call {
	uv_work_t work;
	struct server *srv;
	char host[256];
	uint16_t port;
	uint32_t method;
	uint8_t *body;
	size_t len;
	struct ctl_tls_config tls;
	bool secure;
	int rc;
	struct ctl_reply reply;
	srv_peer_cb cb;
	void *arg;
};

static void
peer_work(uv_work_t *w)
{
	struct peer_call *pc = w->data;
	struct ctl_client *c;

	pc->rc = ctl_client_connect(pc->host, pc->port, pc->secure ? &pc->tls : NULL, DAOS_VERSION,
				    5000, &c);
	if (pc->rc != 0)
		return;
	pc->rc = ctl_client_call(c, pc->method, pc->body, pc->len, PEER_TIMEOUT_MS, &pc->reply);
	ctl_client_close(c);
}

static void
peer_done(uv_work_t *w, int status)
{
	struct peer_call *pc = w->data;

	if (status != 0 && pc->rc == 0)
		pc->rc = -DER_CANCELED;
	if (pc->rc != 0)
		D_ERROR("%s to %s:%u failed: " DF_RC, ctl_method_name(pc->method), pc->host,
			pc->port, DP_RC(pc->rc));
	if (pc->cb != NULL)
		pc->cb(pc->srv, pc->rc, pc->rc == 0 ? &pc->reply : NULL, pc->arg);
	if (pc->rc == 0)
		ctl_reply_fini(&pc->reply);
	d_free(pc->body);
	d_free(pc);
}

int
srv_peer_call(struct server *srv, const char *addr, uint32_t method, const ProtobufCMessage *body,
	      srv_peer_cb cb, void *arg)
{
	struct peer_call *pc = d_calloc(1, sizeof(*pc));
	const char *colon = strrchr(addr, ':');
	int rc;

	if (pc == NULL)
		return -DER_NOMEM;
	if (colon == NULL) {
		d_free(pc);
		return -DER_INVAL;
	}
	snprintf(pc->host, sizeof(pc->host), "%.*s", (int)(colon - addr), addr);
	pc->port = (uint16_t)strtoul(colon + 1, NULL, 10);
	pc->srv = srv;
	pc->method = method;
	pc->cb = cb;
	pc->arg = arg;
	pc->secure = !srv->insecure;
	pc->tls = (struct ctl_tls_config){ .ca_file = srv->cfg->transport_config.ca_cert,
					   .cert_file = srv->cfg->transport_config.cert,
					   .key_file = srv->cfg->transport_config.key };
	pc->len = protobuf_c_message_get_packed_size(body);
	pc->body = d_malloc(pc->len + 1);
	if (pc->body == NULL) {
		d_free(pc);
		return -DER_NOMEM;
	}
	protobuf_c_message_pack(body, pc->body);
	pc->work.data = pc;
	rc = uv_queue_work(srv->loop, &pc->work, peer_work, peer_done);
	if (rc != 0) {
		d_free(pc->body);
		d_free(pc);
		return -DER_MISC;
	}
	return 0;
}
