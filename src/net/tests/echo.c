/* SPDX-License-Identifier: Apache-2.0 */
/*
 * echo.c - the echo service (opcodes in echo.h), one context, handlers only. Bulk
 * handlers allocate a buffer per RPC, pull and/or push, and reply when the transfers
 * end; SLEEP parks the RPC on a list answered from echo_timers().
 */
#define D_LOGFAC DD_FAC(tests)

#include "net/tests/echo.h"

#include <gurt/common.h>
#include <time.h>

#include "common/buf.h"

volatile int echo_stop;

struct bulk_job {
	struct net_bulk_desc src;
	struct net_bulk_desc dst;
	uint64_t len;
	uint8_t *data;
};

static void
echo_handler(struct net_rpc *rpc, void *arg)
{
	size_t len;
	const void *body = net_rpc_body(rpc, &len);

	(void)arg;
	net_rpc_reply(rpc, 0, body, len);
}

static void
job_end(struct net_rpc *rpc, struct bulk_job *job, int status, const void *body, size_t len)
{
	net_rpc_reply(rpc, status, body, len);
	d_free(job->data);
	d_free(job);
}

static void
bulk_pushed(struct net_rpc *rpc, int status, void *arg)
{
	job_end(rpc, arg, status, NULL, 0);
}

static void
bulk_pulled(struct net_rpc *rpc, int status, void *arg)
{
	struct bulk_job *job = arg;
	int rc;

	if (status != 0) {
		job_end(rpc, job, status, NULL, 0);
		return;
	}
	rc = net_bulk_transfer(rpc, NET_BULK_PUT, &job->dst, 0, job->data, job->len, bulk_pushed,
			       job);
	if (rc != 0)
		job_end(rpc, job, rc, NULL, 0);
}

/* Decode a job's body; NULL and *@rc set on failure. */
static struct bulk_job *
job_decode(struct net_rpc *rpc, uint32_t opc, int *rc)
{
	size_t len;
	const void *body = net_rpc_body(rpc, &len);
	struct buf in = BUF_INIT(body, len);
	struct bulk_job *job = d_calloc(1, sizeof(*job));
	uint8_t byte = 0;

	if (job == NULL) {
		*rc = -DER_NOMEM;
		return NULL;
	}
	if (opc == ECHO_OPC_BULK) {
		job->len = buf_get_u64(&in);
		net_bulk_desc_decode(&in, &job->src);
		net_bulk_desc_decode(&in, &job->dst);
	} else if (opc == ECHO_OPC_PULL || opc == ECHO_OPC_COPY) {
		net_bulk_desc_decode(&in, &job->src);
		job->len = buf_get_u64(&in);
	} else {
		net_bulk_desc_decode(&in, &job->dst);
		job->len = buf_get_u64(&in);
		byte = buf_get_u8(&in);
	}
	*rc = buf_finish(&in);
	if (*rc == 0 && (job->len == 0 || job->len > (1ULL << 32)))
		*rc = -DER_INVAL;
	if (*rc == 0) {
		job->data = d_malloc(job->len);
		if (job->data == NULL)
			*rc = -DER_NOMEM;
		else if (opc == ECHO_OPC_PUSH)
			memset(job->data, byte, job->len);
	}
	if (*rc != 0) {
		d_free(job);
		return NULL;
	}
	return job;
}

static void
pull_done(struct net_rpc *rpc, int status, void *arg)
{
	struct bulk_job *job = arg;
	uint8_t reply[8];
	struct buf out = BUF_INIT(reply, sizeof(reply));
	uint64_t sum = 0;
	uint64_t i;

	if (status == 0) {
		for (i = 0; i < job->len; i += 4096)
			sum += job->data[i];
	}
	buf_put_u64(&out, sum);
	job_end(rpc, job, status, reply, sizeof(reply));
}

static void
bulk_handler(struct net_rpc *rpc, void *arg)
{
	uint32_t opc = net_rpc_opcode(rpc);
	struct bulk_job *job;
	int rc;

	(void)arg;
	job = job_decode(rpc, opc, &rc);
	if (job == NULL) {
		net_rpc_reply(rpc, rc, NULL, 0);
		return;
	}
	if (opc == ECHO_OPC_BULK)
		rc = net_bulk_transfer(rpc, NET_BULK_GET, &job->src, 0, job->data, job->len,
				       bulk_pulled, job);
	else if (opc == ECHO_OPC_PULL)
		rc = net_bulk_transfer(rpc, NET_BULK_GET, &job->src, 0, job->data, job->len,
				       pull_done, job);
	else if (opc == ECHO_OPC_COPY) {
		pull_done(rpc, net_bulk_copy(rpc, NET_BULK_GET, &job->src, 0, job->data, job->len),
			  job);
		return;
	} else
		rc = net_bulk_transfer(rpc, NET_BULK_PUT, &job->dst, 0, job->data, job->len,
				       bulk_pushed, job);
	if (rc != 0)
		job_end(rpc, job, rc, NULL, 0);
}

struct sleeper {
	d_list_t link;
	struct net_rpc *rpc;
	uint64_t due_ms;
};

static D_LIST_HEAD(sleepers);

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_handler(struct net_rpc *rpc, void *arg)
{
	size_t len;
	const void *body = net_rpc_body(rpc, &len);
	struct buf in = BUF_INIT(body, len);
	uint32_t ms = buf_get_u32(&in);
	struct sleeper *s;

	(void)arg;
	if (buf_finish(&in) != 0) {
		net_rpc_reply(rpc, -DER_PROTO, NULL, 0);
		return;
	}
	s = d_calloc(1, sizeof(*s));
	if (s == NULL) {
		net_rpc_reply(rpc, -DER_NOMEM, NULL, 0);
		return;
	}
	s->rpc = rpc;
	s->due_ms = mono_ms() + ms;
	d_list_add_tail(&s->link, &sleepers);
}

void
echo_timers(void)
{
	struct sleeper *s;
	struct sleeper *tmp;
	uint64_t now = mono_ms();

	d_list_for_each_entry_safe(s, tmp, &sleepers, link) {
		if (s->due_ms <= now) {
			d_list_del(&s->link);
			net_rpc_reply(s->rpc, 0, NULL, 0);
			d_free(s);
		}
	}
}

/* A strict decoder, as every handler of outside bytes must be. */
static void
strict_handler(struct net_rpc *rpc, void *arg)
{
	size_t len;
	const void *body = net_rpc_body(rpc, &len);
	struct buf in = BUF_INIT(body, len);
	uint8_t reply[8];
	struct buf out = BUF_INIT(reply, sizeof(reply));
	uint64_t sum = 0;
	uint32_t n;
	uint32_t i;
	int rc;

	(void)arg;
	/* Bound the count by the bytes present before trusting it. */
	n = buf_get_u32_max(&in, (uint32_t)(buf_remaining(&in) / 8));
	for (i = 0; i < n; i++)
		sum += buf_get_u64(&in);
	rc = buf_finish(&in);
	if (rc != 0) {
		net_rpc_reply(rpc, rc, NULL, 0);
		return;
	}
	buf_put_u64(&out, sum);
	net_rpc_reply(rpc, 0, reply, sizeof(reply));
}

static void
exit_handler(struct net_rpc *rpc, void *arg)
{
	(void)arg;
	echo_stop = 1;
	net_rpc_reply(rpc, 0, NULL, 0);
}

static void
stats_handler(struct net_rpc *rpc, void *arg)
{
	uint8_t reply[8];
	struct buf out = BUF_INIT(reply, sizeof(reply));

	(void)arg;
	buf_put_u64(&out, net_ctx_local_bytes(net_rpc_ctx(rpc)));
	net_rpc_reply(rpc, 0, reply, sizeof(reply));
}

int
echo_register(struct net_ctx *ctx)
{
	int rc = 0;

	rc = rc ?: net_handler_register(ctx, ECHO_OPC_ECHO, "echo", echo_handler, NULL);
	rc = rc ?: net_handler_register(ctx, ECHO_OPC_BULK, "echo_bulk", bulk_handler, NULL);
	rc = rc ?: net_handler_register(ctx, ECHO_OPC_SLEEP, "sleep", sleep_handler, NULL);
	rc = rc ?: net_handler_register(ctx, ECHO_OPC_PULL, "pull", bulk_handler, NULL);
	rc = rc ?: net_handler_register(ctx, ECHO_OPC_PUSH, "push", bulk_handler, NULL);
	rc = rc ?: net_handler_register(ctx, ECHO_OPC_STRICT, "strict", strict_handler, NULL);
	rc = rc ?: net_handler_register(ctx, ECHO_OPC_EXIT, "exit", exit_handler, NULL);
	rc = rc ?: net_handler_register(ctx, ECHO_OPC_STATS, "stats", stats_handler, NULL);
	rc = rc ?: net_handler_register(ctx, ECHO_OPC_COPY, "copy", bulk_handler, NULL);
	return rc;
}

int
echo_serve(struct net_ctx *ctx)
{
	int rc;

	while (!echo_stop) {
		rc = net_progress(ctx, d_list_empty(&sleepers) ? 100 : 1);
		if (rc < 0)
			return rc;
		echo_timers();
	}
	/* Let the EXIT reply go out. */
	net_progress(ctx, 10);
	return 0;
}
