/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_conn.c - how dmg reaches daos_server. Two patterns, as in DAOS:
 *
 * - MS requests go to the hosts of the host list in order until one answers; a replica
 *   that is not the leader answers -DER_NOTLEADER with the leader's address, which is
 *   followed (at most DMG_HINT_HOPS times, so two confused replicas cannot loop us).
 * - Host requests (storage scan/format, network scan) go to every host at once, one
 *   thread per host (a blocking ctl client each), and every host's answer is kept.
 *
 * A reply is an error when its envelope status or the body's own "status" field is
 * non-zero; the message says which method failed and why, and -DER_NO_PERM is always
 * spelled "permission denied".
 */
#define D_LOGFAC DD_FAC(control)

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "control/dmg/dmg_int.h"

#define DMG_HINT_HOPS 4
#define DMG_CONNECT_TIMEOUT_MS 5000

void
dmg_errf(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
}

/* Split "host:port" (the last ':'; "[v6]:port" too) into @host and *port. */
static int
host_split(const char *addr, int default_port, char *host, size_t len, uint16_t *port)
{
	const char *colon = strrchr(addr, ':');
	uint64_t p = (uint64_t)default_port;
	size_t n = colon ? (size_t)(colon - addr) : strlen(addr);

	if (colon != NULL && cli_uint_parse(colon + 1, 65535, &p) != 0)
		return -DER_INVAL;
	if (n > 0 && addr[0] == '[' && addr[n - 1] == ']') {
		addr++;
		n -= 2;
	}
	if (n == 0 || n >= len)
		return -DER_INVAL;
	memcpy(host, addr, n);
	host[n] = '\0';
	*port = (uint16_t)p;
	return 0;
}

/* The int32 "status" and string "message" fields every mgmt response has. */
static int32_t
body_status(const ProtobufCMessage *msg, const char **message)
{
	const ProtobufCFieldDescriptor *fs, *fm;

	fs = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "status");
	fm = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "message");
	*message = fm ? *(const char *const *)((const char *)msg + fm->offset) : NULL;
	if (fs == NULL || fs->type != PROTOBUF_C_TYPE_INT32)
		return 0;
	return *(const int32_t *)((const char *)msg + fs->offset);
}

/* One call to one host. On failure @err gets the reason, prefixed by nothing. */
struct one_call {
	const char *addr;
	int port;
	const struct ctl_tls_config *tls;
	const char *version;
	int timeout_ms;
	uint32_t method;
	const uint8_t *body;
	size_t len;
	const ProtobufCMessageDescriptor *desc;
	/* out */
	int rc;
	bool transport_err;     /* could not talk to the host at all */
	char leader[256];       /* -DER_NOTLEADER: the hint */
	ProtobufCMessage *resp; /* decoded body */
	char err[512];
};

static void
call_errmsg(struct one_call *c, int rc, const char *server_msg)
{
	const char *method = ctl_method_name(c->method);

	if (rc == -DER_NO_PERM)
		snprintf(c->err, sizeof(c->err), "%s: permission denied%s%s", method,
			 server_msg && *server_msg ? ": " : "", server_msg ? server_msg : "");
	else if (server_msg != NULL && *server_msg != '\0')
		snprintf(c->err, sizeof(c->err), "%s failed: %s: " DF_RC, method, server_msg,
			 DP_RC(rc));
	else
		snprintf(c->err, sizeof(c->err), "%s failed: " DF_RC, method, DP_RC(rc));
}

static void
one_call_run(struct one_call *c)
{
	struct ctl_client *client;
	struct ctl_reply reply = { 0 };
	const char *msg = NULL;
	char host[256];
	uint16_t port;
	int32_t st;
	int rc;

	c->rc = 0;
	c->transport_err = false;
	c->leader[0] = '\0';
	c->resp = NULL;
	rc = host_split(c->addr, c->port, host, sizeof(host), &port);
	if (rc != 0) {
		c->rc = rc;
		c->transport_err = true;
		snprintf(c->err, sizeof(c->err), "%s: invalid address", c->addr);
		return;
	}
	rc = ctl_client_connect(host, port, c->tls, c->version, DMG_CONNECT_TIMEOUT_MS, &client);
	if (rc != 0) {
		c->rc = rc;
		c->transport_err = true;
		if (rc == -DER_NO_PERM)
			snprintf(c->err, sizeof(c->err),
				 "%s: permission denied: the server refused dmg's certificate",
				 c->addr);
		else
			snprintf(c->err, sizeof(c->err), "%s: cannot connect: " DF_RC, c->addr,
				 DP_RC(rc));
		return;
	}
	rc = ctl_client_call(client, c->method, c->body, c->len, c->timeout_ms, &reply);
	ctl_client_close(client);
	if (rc != 0) {
		c->rc = rc;
		c->transport_err = rc != -DER_NO_PERM;
		if (rc == -DER_NO_PERM)
			call_errmsg(c, rc, NULL);
		else
			snprintf(c->err, sizeof(c->err), "%s: %s: " DF_RC, c->addr,
				 ctl_method_name(c->method), DP_RC(rc));
		return;
	}
	if (reply.status != 0) {
		c->rc = reply.status;
		if (reply.status == -DER_NOTLEADER && reply.leader_hint != NULL)
			snprintf(c->leader, sizeof(c->leader), "%s", reply.leader_hint);
		call_errmsg(c, reply.status, reply.message);
		goto out_reply;
	}
	c->resp = protobuf_c_message_unpack(c->desc, &proto_allocator, reply.len, reply.body);
	if (c->resp == NULL) {
		c->rc = -DER_PROTO;
		snprintf(c->err, sizeof(c->err), "%s: %s: undecodable reply: " DF_RC, c->addr,
			 ctl_method_name(c->method), DP_RC(-DER_PROTO));
		goto out_reply;
	}
	st = body_status(c->resp, &msg);
	if (st != 0) {
		c->rc = st > 0 ? -st : st;
		call_errmsg(c, c->rc, msg);
	}
out_reply:
	ctl_reply_fini(&reply);
}

static int
pack_req(const ProtobufCMessage *req, uint8_t **buf, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(req);

	*buf = d_malloc(n ? n : 1);
	if (*buf == NULL)
		return -DER_NOMEM;
	*len = protobuf_c_message_pack(req, *buf);
	return 0;
}

static const struct ctl_tls_config *
ctx_tls(struct cli_ctx *ctx)
{
	return ctx->insecure ? NULL : &ctx->tls;
}

int
dmg_ms_call(struct cli_ctx *ctx, uint32_t method, const ProtobufCMessage *req,
	    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **resp)
{
	struct one_call c = { 0 };
	char tried[768] = "";
	size_t used = 0;
	unsigned int i, hops = 0;
	uint8_t *body;
	size_t len;
	int rc;

	rc = pack_req(req, &body, &len);
	if (rc != 0)
		return rc;
	c.port = ctx->port;
	c.tls = ctx_tls(ctx);
	c.version = ctx->version;
	c.timeout_ms = ctx->timeout_ms;
	c.method = method;
	c.body = body;
	c.len = len;
	c.desc = desc;

	rc = -DER_UNREACH;
	for (i = 0; i < ctx->nr_hosts; i++) {
		char addr[256];

		snprintf(addr, sizeof(addr), "%s", ctx->hosts[i]);
		c.addr = addr;
		one_call_run(&c);
		while (c.rc == -DER_NOTLEADER && c.leader[0] != '\0' && hops < DMG_HINT_HOPS) {
			if (ctx->debug)
				fprintf(stderr, "DEBUG: %s is not the MS leader, trying %s\n", addr,
					c.leader);
			snprintf(addr, sizeof(addr), "%s", c.leader);
			hops++;
			one_call_run(&c);
		}
		if (!c.transport_err)
			break;
		if (used < sizeof(tried))
			used += (size_t)snprintf(tried + used, sizeof(tried) - used, "%s%s",
						 used ? "; " : "", c.err);
	}
	d_free(body);
	if (i == ctx->nr_hosts) {
		dmg_errf(ctx, "no host of the host list answered: %s", tried[0] ? tried : "none");
		return rc;
	}
	if (c.rc != 0) {
		if (c.resp != NULL)
			protobuf_c_message_free_unpacked(c.resp, &proto_allocator);
		dmg_errf(ctx, "%s", c.err);
		return c.rc;
	}
	*resp = c.resp;
	return 0;
}

static void *
fanout_thread(void *arg)
{
	one_call_run(arg);
	return NULL;
}

/* At most this many calls at once. */
#define DMG_FANOUT_MAX 64

int
dmg_fanout(struct cli_ctx *ctx, uint32_t method, const ProtobufCMessage *req,
	   const ProtobufCMessageDescriptor *desc, struct dmg_host_reply **out)
{
	struct dmg_host_reply *r;
	struct one_call *calls;
	pthread_t th[DMG_FANOUT_MAX];
	bool started[DMG_FANOUT_MAX];
	unsigned int i, j, base;
	uint8_t *body;
	size_t len;
	int rc;

	rc = pack_req(req, &body, &len);
	if (rc != 0)
		return rc;
	calls = d_calloc(ctx->nr_hosts, sizeof(*calls));
	r = d_calloc(ctx->nr_hosts, sizeof(*r));
	if (calls == NULL || r == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	for (i = 0; i < ctx->nr_hosts; i++) {
		calls[i].addr = ctx->hosts[i];
		calls[i].port = ctx->port;
		calls[i].tls = ctx_tls(ctx);
		calls[i].version = ctx->version;
		calls[i].timeout_ms = ctx->timeout_ms;
		calls[i].method = method;
		calls[i].body = body;
		calls[i].len = len;
		calls[i].desc = desc;
	}
	for (base = 0; base < ctx->nr_hosts; base += DMG_FANOUT_MAX) {
		unsigned int n = D_MIN(ctx->nr_hosts - base, DMG_FANOUT_MAX);

		for (j = 0; j < n; j++) {
			started[j] =
				pthread_create(&th[j], NULL, fanout_thread, &calls[base + j]) == 0;
			if (!started[j]) /* no thread: do it here */
				one_call_run(&calls[base + j]);
		}
		for (j = 0; j < n; j++)
			if (started[j])
				pthread_join(th[j], NULL);
	}
	for (i = 0; i < ctx->nr_hosts; i++) {
		r[i].host = d_strdup(ctx->hosts[i]);
		r[i].rc = calls[i].rc;
		r[i].resp = calls[i].resp;
		if (calls[i].rc != 0) {
			/* the message names the host; body-level errors too */
			if (strncmp(calls[i].err, ctx->hosts[i], strlen(ctx->hosts[i])) == 0)
				r[i].error = d_strdup(calls[i].err);
			else
				d_asprintf(&r[i].error, "%s: %s", ctx->hosts[i], calls[i].err);
		}
	}
	*out = r;
	r = NULL;
out_free:
	d_free(r);
	d_free(calls);
	d_free(body);
	return rc;
}

void
dmg_host_replies_free(struct dmg_host_reply *r, unsigned int nr)
{
	unsigned int i;

	if (r == NULL)
		return;
	for (i = 0; i < nr; i++) {
		d_free(r[i].host);
		d_free(r[i].error);
		if (r[i].resp != NULL)
			protobuf_c_message_free_unpacked(r[i].resp, &proto_allocator);
	}
	d_free(r);
}
