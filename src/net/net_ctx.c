/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_ctx.c - a context: one libfabric RDM endpoint with its completion queue, address
 * vector and domain, and the progress loop that drives everything else in this module.
 *
 * Each context opens its own fabric and domain, so contexts share nothing and need no
 * locks (FI_THREAD_DOMAIN): an engine target or a client event queue owns one. The
 * endpoint keeps nr_recv receive buffers of NET_MSG_MAX bytes posted; a buffer that
 * carries a request becomes that request's RPC (no copy) and a fresh one is posted in
 * its place; it returns to the free list when the RPC ends.
 *
 * Progress: drain the completion queue, then expire requests and probe peers
 * (net_timers()). To wait, spin briefly (latency), then sleep on the CQ's wait fd after
 * fi_trywait() says nothing is pending, bounded by the next timer.
 *
 * Memory registration modes: if the provider wants virtual addresses in RMA
 * (FI_MR_VIRT_ADDR) descriptors carry the buffer's address, else 0 (offsets); keys are
 * the provider's (FI_MR_PROV_KEY) or a per-context counter; FI_MR_LOCAL makes bulk
 * transfers register their local buffer too.
 */
#define D_LOGFAC DD_FAC(net)

#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "net/net_int.h"

/*
 * How long an idle context spins (yielding) before it sleeps. A sleeping thread costs
 * whoever wakes it a cross-core wake-up, expensive on virtual machines (~8% of an
 * engine's time under 4 KiB updates went to waking a client that had slept); spinning
 * costs nothing another thread of the core wants, since each turn yields. Each turn also
 * looks at the watched fds, so work outside the context (a disk completion, a message
 * from another thread) ends the spin at once instead of waiting for it. Only a busy
 * context spins: one with requests waiting for replies, or that had work within the
 * last NET_SPIN_US; an idle one (a dfuse event queue polling in 10 ms slices) would
 * otherwise burn a tenth of a core doing nothing.
 */
#define NET_SPIN_US 1000
/* How long net_ctx_destroy() waits for sends in flight to complete. */
#define NET_CLOSE_DRAIN_MS 1000
#define CQ_BATCH 16

uint64_t
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int
net_fi2der(int fi_err)
{
	if (fi_err < 0)
		fi_err = -fi_err;
	switch (fi_err) {
	case 0:
		return 0;
	case FI_ENOMEM:
		return -DER_NOMEM;
	case FI_ECANCELED:
		return -DER_CANCELED;
	case FI_ETIMEDOUT:
		return -DER_TIMEDOUT;
	case FI_ECONNREFUSED:
	case FI_ECONNRESET:
	case FI_ECONNABORTED:
	case FI_ENOTCONN:
	case FI_EHOSTUNREACH:
	case FI_ENETUNREACH:
	case EPIPE:
	case FI_ESHUTDOWN:
	case FI_EADDRNOTAVAIL:
		return -DER_UNREACH;
	case FI_EINVAL:
		return -DER_INVAL;
	case FI_EAGAIN:
		return -DER_AGAIN;
	case FI_EADDRINUSE:
		return -DER_BUSY;
	default:
		return -DER_HG;
	}
}

static int cq_drain(struct net_ctx *ctx);

int
net_rbuf_post(struct net_ctx *ctx, struct net_rbuf *rbuf)
{
	ssize_t ret;
	int tries = 0;
	int rc = 0;

	rbuf->op.type = NET_OP_RECV;
	/* We never post more than the receive queue holds; -FI_EAGAIN is transient. */
	while ((ret = fi_recv(ctx->ep, rbuf->data, sizeof(rbuf->data), NULL, FI_ADDR_UNSPEC,
			      &rbuf->op)) == -FI_EAGAIN &&
	       ++tries < 1000)
		cq_drain(ctx);
	if (ret != 0)
		rc = net_fi2der((int)ret);
	if (rc != 0) {
		D_ERROR("could not post a receive buffer on %s: " DF_RC, ctx->uri, DP_RC(rc));
		d_list_add(&rbuf->link, &ctx->rbuf_free);
		return rc;
	}
	ctx->nr_posted++;
	return 0;
}

/* Keep nr_recv buffers posted, taking free ones first. */
static int
rbufs_refill(struct net_ctx *ctx)
{
	struct net_rbuf *rbuf;
	int rc;

	while (ctx->nr_posted < ctx->nr_recv && !ctx->closing) {
		rbuf = d_list_pop_entry(&ctx->rbuf_free, struct net_rbuf, link);
		if (rbuf == NULL) {
			rbuf = d_malloc(sizeof(*rbuf));
			if (rbuf == NULL)
				return -DER_NOMEM;
			D_INIT_LIST_HEAD(&rbuf->link);
			d_list_add(&rbuf->all_link, &ctx->rbuf_all);
		}
		rc = net_rbuf_post(ctx, rbuf);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* An RPC ended: its buffer goes back to the free list (or is posted again). */
void
net_rbuf_release(struct net_ctx *ctx, struct net_rbuf *rbuf)
{
	d_list_add(&rbuf->link, &ctx->rbuf_free);
	rbufs_refill(ctx);
}

static void
cq_error(struct net_ctx *ctx)
{
	struct fi_cq_err_entry err = { 0 };
	struct net_op *op;
	ssize_t rc;

	rc = fi_cq_readerr(ctx->cq, &err, 0);
	if (rc < 0) {
		if (rc != -FI_EAGAIN)
			D_ERROR("could not read an error completion on %s: %s", ctx->uri,
				fi_strerror((int)-rc));
		return;
	}
	op = err.op_context;
	if (op == NULL) {
		D_ERROR("error completion without a context on %s: %s", ctx->uri,
			fi_strerror(err.err));
		return;
	}
	switch (op->type) {
	case NET_OP_RECV: {
		struct net_rbuf *rbuf = container_of(op, struct net_rbuf, op);

		ctx->nr_posted--;
		if (err.err != FI_ECANCELED)
			D_WARN("receive failed on %s: %s", ctx->uri, fi_strerror(err.err));
		d_list_add(&rbuf->link, &ctx->rbuf_free);
		rbufs_refill(ctx);
		break;
	}
	case NET_OP_SEND_REQ:
	case NET_OP_SEND_BUF:
		ctx->nr_tx--;
		net_send_done(ctx, op, err.err);
		break;
	case NET_OP_RMA:
		ctx->nr_tx--;
		net_piece_done(ctx, container_of(op, struct net_piece, op), err.err);
		break;
	}
}

static void
cq_entry(struct net_ctx *ctx, const struct fi_cq_msg_entry *ent)
{
	struct net_op *op = ent->op_context;

	switch (op->type) {
	case NET_OP_RECV:
		ctx->nr_posted--;
		net_msg_dispatch(ctx, container_of(op, struct net_rbuf, op), ent->len);
		rbufs_refill(ctx);
		break;
	case NET_OP_SEND_REQ:
	case NET_OP_SEND_BUF:
		ctx->nr_tx--;
		net_send_done(ctx, op, 0);
		break;
	case NET_OP_RMA:
		ctx->nr_tx--;
		net_piece_done(ctx, container_of(op, struct net_piece, op), 0);
		break;
	}
}

static int
cq_drain(struct net_ctx *ctx)
{
	struct fi_cq_msg_entry ents[CQ_BATCH];
	int total = 0;
	ssize_t n;
	ssize_t i;

	for (;;) {
		n = fi_cq_read(ctx->cq, ents, CQ_BATCH);
		if (n == -FI_EAGAIN)
			break;
		if (n == -FI_EAVAIL) {
			cq_error(ctx);
			total++;
			continue;
		}
		if (n < 0) {
			D_ERROR("completion queue of %s failed: %s", ctx->uri,
				fi_strerror((int)-n));
			return net_fi2der((int)n);
		}
		for (i = 0; i < n; i++)
			cq_entry(ctx, &ents[i]);
		total += (int)n;
		if (n < CQ_BATCH)
			break;
	}
	return total;
}

static int
progress_once(struct net_ctx *ctx)
{
	uint64_t now;
	int n;

	if (!d_list_empty(&ctx->coal_peers))
		net_coal_flush(ctx);
	n = cq_drain(ctx);

	if (n < 0)
		return n;
	if (!d_list_empty(&ctx->local_done))
		n += net_local_done_run(ctx);
	now = net_now_ms();
	if (!d_list_empty(&ctx->busy_peers))
		net_sendq_flush(ctx, now);
	if (now >= ctx->next_check_ms)
		net_timers(ctx, now);
	return n;
}

/* True if a watched fd is readable now (the caller has work outside this context). */
static bool
watched_ready(struct net_ctx *ctx)
{
	struct pollfd pfd[NET_WATCH_FDS_MAX];
	unsigned int i;

	if (ctx->nr_watch == 0)
		return false;
	for (i = 0; i < ctx->nr_watch; i++)
		pfd[i] = (struct pollfd){ .fd = ctx->watch_fd[i], .events = POLLIN };
	return poll(pfd, ctx->nr_watch, 0) > 0;
}

/*
 * Sleep up to @wait_ms for the CQ or a watched fd; true if a watched fd is readable (the
 * caller has work outside this context).
 */
static bool
wait_idle(struct net_ctx *ctx, int64_t wait_ms)
{
	struct pollfd pfd[2 + NET_WATCH_FDS_MAX];
	unsigned int nr = 0;
	unsigned int i;

	for (i = 0; i < ctx->nr_watch; i++)
		pfd[nr++] = (struct pollfd){ .fd = ctx->watch_fd[i], .events = POLLIN };
	if (ctx->extra_fd >= 0)
		pfd[nr++] = (struct pollfd){ .fd = ctx->extra_fd, .events = POLLIN };
	if (ctx->wait_fd >= 0) {
		struct fid *fids[1] = { &ctx->cq->fid };

		/* Something is pending on the CQ already: do not sleep on its fd. */
		if (fi_trywait(ctx->fabric, fids, 1) != FI_SUCCESS)
			return poll(pfd, nr, 0) > 0;
		pfd[nr++] = (struct pollfd){ .fd = ctx->wait_fd, .events = POLLIN };
		poll(pfd, nr, (int)D_MAX(wait_ms, 1));
	} else {
		struct timespec ts = { 0, 50000 };

		if (nr > 0 && poll(pfd, nr, 0) > 0)
			return true;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < ctx->nr_watch + (ctx->extra_fd >= 0 ? 1u : 0u); i++)
		if (pfd[i].revents != 0)
			return true;
	return false;
}

int
net_progress_sleep(struct net_ctx *ctx, int timeout_ms, int fd)
{
	int rc;

	ctx->extra_fd = fd;
	ctx->no_spin = true;
	rc = net_progress(ctx, timeout_ms);
	ctx->no_spin = false;
	ctx->extra_fd = -1;
	return rc;
}

int
net_progress(struct net_ctx *ctx, int timeout_ms)
{
	uint64_t start = now_us();
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : start + (uint64_t)timeout_ms * 1000;
	int n;

	for (;;) {
		n = progress_once(ctx);
		if (n > 0)
			ctx->last_work_us = now_us();
		if (n != 0 || timeout_ms == 0)
			return n;
		/*
		 * Spin a little: a reply often arrives within microseconds. Yield while
		 * spinning: with more busy threads than cores (a client and an engine's
		 * targets on a laptop), a spinning thread would otherwise keep the one
		 * that has the work from running; alone on its core it costs nothing.
		 */
		if (!ctx->no_spin && now_us() - start < NET_SPIN_US &&
		    (ctx->nr_inflight > 0 || now_us() - ctx->last_work_us < NET_SPIN_US)) {
			/* Work outside this context (a disk completion, a posted message). */
			if (watched_ready(ctx))
				return 0;
			ctx->nr_spins++;
			sched_yield();
			continue;
		}
		uint64_t now = now_us();
		int64_t wait_ms;

		if (now >= end)
			return 0;
		wait_ms = (int64_t)((end - now) / 1000);
		if (ctx->next_check_ms != UINT64_MAX) {
			int64_t to_check = (int64_t)ctx->next_check_ms - (int64_t)net_now_ms();

			wait_ms = D_MIN(wait_ms, D_MAX(to_check, 0));
		}
		/* Queued sends are retried every millisecond. */
		wait_ms = D_MIN(wait_ms, d_list_empty(&ctx->busy_peers) ? 1000 : 1);
		if (wait_idle(ctx, wait_ms))
			return 0;
	}
}

int
net_ctx_watch_fd(struct net_ctx *ctx, int fd)
{
	if (ctx->nr_watch == NET_WATCH_FDS_MAX)
		return -DER_OVERFLOW;
	ctx->watch_fd[ctx->nr_watch++] = fd;
	return 0;
}

unsigned int
net_ctx_nr_inflight(const struct net_ctx *ctx)
{
	return ctx->nr_inflight;
}

const char *
net_ctx_uri(const struct net_ctx *ctx)
{
	return ctx->uri;
}

/* After the endpoint is closed no buffer is in libfabric's hands any more. */
static void
rbufs_free(struct net_ctx *ctx)
{
	struct net_rbuf *rbuf;

	while ((rbuf = d_list_pop_entry(&ctx->rbuf_all, struct net_rbuf, all_link)) != NULL)
		d_free(rbuf);
	D_INIT_LIST_HEAD(&ctx->rbuf_free);
}

/*
 * rxm sizes the queues of the connections under each endpoint from
 * FI_OFI_RXM_MSG_{TX,RX}_SIZE and preallocates bounce buffers for them: with the
 * provider's defaults an idle engine target costs ~70 MiB. 256 entries per connection
 * keep far more messages in flight than we ever have (our send queues absorb
 * -FI_EAGAIN) and bring that to a few MiB. The user's settings win.
 */
static pthread_once_t fi_env_once = PTHREAD_ONCE_INIT;

static void
fi_env_defaults(void)
{
	static const char *const vars[] = { "FI_OFI_RXM_MSG_TX_SIZE", "FI_OFI_RXM_MSG_RX_SIZE" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		if (getenv(vars[i]) != NULL)
			continue;
		setenv(vars[i], "256", 0);
		D_DEBUG(DB_NET, "%s=256 (our default)", vars[i]);
	}
}

static int
ctx_getinfo(struct net_ctx *ctx, const struct net_ctx_attr *attr, const char *host)
{
	struct fi_info *hints;
	char fi_prov[32];
	char service[16];
	int rc;

	rc = net_provider_to_fi(ctx->provider, fi_prov, sizeof(fi_prov));
	if (rc != 0) {
		D_ERROR("unknown fabric provider \"%s\" (expected e.g. ofi+tcp)", ctx->provider);
		return -DER_INVAL;
	}
	pthread_once(&fi_env_once, fi_env_defaults);
	hints = fi_allocinfo();
	if (hints == NULL)
		return -DER_NOMEM;
	hints->caps = FI_MSG | FI_RMA | FI_READ | FI_WRITE | FI_REMOTE_READ | FI_REMOTE_WRITE;
	hints->ep_attr->type = FI_EP_RDM;
	hints->fabric_attr->prov_name = strdup(fi_prov);
	hints->domain_attr->threading = FI_THREAD_DOMAIN;
	hints->domain_attr->av_type = FI_AV_TABLE;
	hints->domain_attr->mr_mode = FI_MR_VIRT_ADDR | FI_MR_PROV_KEY | FI_MR_ALLOCATED;
	hints->mode = FI_CONTEXT | FI_CONTEXT2;
	snprintf(service, sizeof(service), "%d", attr->port);
	rc = fi_getinfo(FI_VERSION(1, 11), host, attr->port > 0 ? service : NULL, FI_SOURCE, hints,
			&ctx->info);
	fi_freeinfo(hints);
	if (rc != 0) {
		D_ERROR("no fabric interface for provider %s (%s) at %s:%d: %s", ctx->provider,
			fi_prov, host, attr->port, fi_strerror(-rc));
		return rc == -FI_ENODATA ? -DER_INVAL : -DER_HG;
	}
	ctx->mr_virt_addr = (ctx->info->domain_attr->mr_mode & FI_MR_VIRT_ADDR) != 0;
	ctx->mr_prov_key = (ctx->info->domain_attr->mr_mode & FI_MR_PROV_KEY) != 0;
	ctx->mr_local = (ctx->info->domain_attr->mr_mode & FI_MR_LOCAL) != 0 ||
			(ctx->info->mode & FI_LOCAL_MR) != 0;
	ctx->inject_size = ctx->info->tx_attr->inject_size;
	return 0;
}

static int
ctx_open(struct net_ctx *ctx)
{
	struct fi_av_attr av_attr = { .type = FI_AV_TABLE };
	struct fi_cq_attr cq_attr = { .format = FI_CQ_FORMAT_MSG, .wait_obj = FI_WAIT_FD };
	size_t len = sizeof(ctx->addr);
	const char *step;
	int rc;

	step = "fi_fabric";
	rc = fi_fabric(ctx->info->fabric_attr, &ctx->fabric, NULL);
	if (rc != 0)
		goto out;
	step = "fi_domain";
	rc = fi_domain(ctx->fabric, ctx->info, &ctx->domain, NULL);
	if (rc != 0)
		goto out;
	step = "fi_av_open";
	rc = fi_av_open(ctx->domain, &av_attr, &ctx->av, NULL);
	if (rc != 0)
		goto out;
	step = "fi_cq_open";
	rc = fi_cq_open(ctx->domain, &cq_attr, &ctx->cq, NULL);
	if (rc != 0) {
		/* Some providers have no wait object: poll instead. */
		D_INFO("provider %s has no CQ wait fd (%s); polling", ctx->provider,
		       fi_strerror(-rc));
		cq_attr.wait_obj = FI_WAIT_NONE;
		rc = fi_cq_open(ctx->domain, &cq_attr, &ctx->cq, NULL);
		if (rc != 0)
			goto out;
	} else if (fi_control(&ctx->cq->fid, FI_GETWAIT, &ctx->wait_fd) != 0) {
		ctx->wait_fd = -1;
	}
	step = "fi_endpoint";
	rc = fi_endpoint(ctx->domain, ctx->info, &ctx->ep, NULL);
	if (rc != 0)
		goto out;
	step = "fi_ep_bind(av)";
	rc = fi_ep_bind(ctx->ep, &ctx->av->fid, 0);
	if (rc != 0)
		goto out;
	step = "fi_ep_bind(cq)";
	rc = fi_ep_bind(ctx->ep, &ctx->cq->fid, FI_TRANSMIT | FI_RECV);
	if (rc != 0)
		goto out;
	step = "fi_enable";
	rc = fi_enable(ctx->ep);
	if (rc != 0)
		goto out;
	step = "fi_getname";
	rc = fi_getname(&ctx->ep->fid, ctx->addr, &len);
	if (rc != 0)
		goto out;
	if (len > NET_ADDR_MAX) {
		rc = -FI_ETOOSMALL;
		goto out;
	}
	ctx->addr_len = (uint32_t)len;
	rc = net_addr_to_uri(ctx->provider, ctx->addr, ctx->addr_len, ctx->uri, sizeof(ctx->uri));
	if (rc != 0) {
		D_ERROR("provider %s gave an endpoint address we cannot name", ctx->provider);
		return rc;
	}
	return 0;
out:
	D_ERROR("%s failed for provider %s: %s", step, ctx->provider, fi_strerror(-rc));
	return net_fi2der(rc);
}

static void
ctx_close(struct net_ctx *ctx)
{
	if (ctx->ep != NULL)
		fi_close(&ctx->ep->fid);
	if (ctx->cq != NULL)
		fi_close(&ctx->cq->fid);
	if (ctx->av != NULL)
		fi_close(&ctx->av->fid);
	if (ctx->domain != NULL)
		fi_close(&ctx->domain->fid);
	if (ctx->fabric != NULL)
		fi_close(&ctx->fabric->fid);
	if (ctx->info != NULL)
		fi_freeinfo(ctx->info);
}

/*
 * Debian's libfabric links the PSM providers' libinfinipath, whose constructor installs
 * handlers for SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGINT and SIGTERM in every process
 * that loads libfabric. They print a backtrace, which dlopens libgcc_s and allocates:
 * after a crash inside malloc (an abort on a corrupted heap) the handler waits forever
 * for the lock the crashed thread holds, and the process hangs instead of dying (seen
 * in an engine, whose client then got DER_TIMEDOUT). Handlers that live in those
 * libraries are put back to the default, once; an application's own are left alone.
 */
static void
fabric_signals_restore(void)
{
	static const int sigs[] = { SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGINT, SIGTERM };
	struct sigaction sa;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		Dl_info dl;
		void *fn;

		if (sigaction(sigs[i], NULL, &sa) != 0)
			continue;
		fn = (sa.sa_flags & SA_SIGINFO) ? (void *)sa.sa_sigaction : (void *)sa.sa_handler;
		if (fn == (void *)SIG_DFL || fn == (void *)SIG_IGN || dladdr(fn, &dl) == 0 ||
		    dl.dli_fname == NULL ||
		    (strstr(dl.dli_fname, "libinfinipath") == NULL &&
		     strstr(dl.dli_fname, "libpsm") == NULL))
			continue;
		D_INFO("signal %d: removing the handler %s installed (it can hang a crashing "
		       "process)",
		       sigs[i], dl.dli_fname);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

static pthread_once_t fabric_signals_once = PTHREAD_ONCE_INIT;

void
net_fabric_signals_restore(void)
{
	pthread_once(&fabric_signals_once, fabric_signals_restore);
}

int
net_ctx_create(const struct net_ctx_attr *attr, struct net_ctx **out)
{
	struct net_ctx *ctx;
	const char *provider = attr->provider ? attr->provider : "ofi+tcp";
	const char *host = attr->host ? attr->host : "127.0.0.1";
	int rc;

	if (attr->port < 0 || attr->port > 65535 || strlen(provider) >= sizeof(ctx->provider))
		return -DER_INVAL;
	net_fabric_signals_restore();
	ctx = d_calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return -DER_NOMEM;
	/* "ofi+tcp;ofi_rxm" and "ofi+tcp" name the same thing; URIs use the short one. */
	snprintf(ctx->provider, sizeof(ctx->provider), "%s", provider);
	if (strcmp(provider, "ofi+tcp;ofi_rxm") == 0)
		snprintf(ctx->provider, sizeof(ctx->provider), "ofi+tcp");
	else if (strcmp(provider, "ofi+verbs") == 0)
		snprintf(ctx->provider, sizeof(ctx->provider), "ofi+verbs;ofi_rxm");
	ctx->wait_fd = -1;
	ctx->extra_fd = -1;
	ctx->nr_recv = attr->nr_recv ? attr->nr_recv : NET_NR_RECV_DEFAULT;
	ctx->probe_ms = attr->probe_ms ? attr->probe_ms : NET_PROBE_MS_DEFAULT;
	ctx->unreach_ms = attr->unreach_ms ? attr->unreach_ms : NET_UNREACH_MS_DEFAULT;
	D_INIT_LIST_HEAD(&ctx->busy_peers);
	D_INIT_LIST_HEAD(&ctx->coal_peers);
	D_INIT_LIST_HEAD(&ctx->coal_free);
	D_INIT_LIST_HEAD(&ctx->local_done);
	ctx->next_check_ms = UINT64_MAX;
	ctx->next_key = 1;
	D_INIT_LIST_HEAD(&ctx->rbuf_free);
	D_INIT_LIST_HEAD(&ctx->rbuf_all);
	snprintf(ctx->uri, sizeof(ctx->uri), "%s://%s:%d", ctx->provider, host, attr->port);

	rc = ctx_getinfo(ctx, attr, host);
	if (rc != 0)
		goto out_close;
	rc = ctx_open(ctx);
	if (rc != 0)
		goto out_close;
	rc = rbufs_refill(ctx);
	if (rc != 0)
		goto out_close;
	ctx->local_bulk = attr->local_bulk && net_local_allowed();
	D_INFO("context %s open (%s, wait fd %d%s)", ctx->uri, ctx->info->fabric_attr->prov_name,
	       ctx->wait_fd, ctx->local_bulk ? ", local bulk" : "");
	*out = ctx;
	return 0;

out_close:
	ctx->closing = true;
	ctx_close(ctx);
	rbufs_free(ctx);
	d_free(ctx);
	return rc;
}

void
net_ctx_destroy(struct net_ctx *ctx)
{
	if (ctx == NULL)
		return;
	uint64_t give_up = net_now_ms() + NET_CLOSE_DRAIN_MS;

	net_local_done_run(ctx); /* data already copied: let its handlers finish */
	net_coal_flush(ctx);     /* replies already made still go */
	ctx->closing = true;
	net_reqs_cancel(ctx);
	/*
	 * Sends and RMA in flight own buffers (requests, replies, transfers) freed by
	 * their completions, which stop coming once the endpoint is closed: collect
	 * them first, for a bounded time (a peer that stopped reading may hold them).
	 * Closing the endpoint then cancels the posted receives.
	 */
	while (ctx->nr_tx > 0 && net_now_ms() < give_up)
		cq_drain(ctx);
	if (ctx->nr_tx > 0)
		D_WARN("closing %s with %u operations still in flight", ctx->uri, ctx->nr_tx);
	ctx_close(ctx);
	net_peers_destroy(ctx);
	net_coal_fini(ctx);
	rbufs_free(ctx);
	d_free(ctx->handlers);
	d_free(ctx->slots);
	d_free(ctx->slot_gen);
	d_free(ctx->slot_free);
	d_free(ctx);
}
