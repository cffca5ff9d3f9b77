/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpc_bench - the data-plane RPC layer against libfabric's own fi_pingpong, measured
 * in the same run, with the same provider, on loopback:
 *
 *   rpc_bench [--provider ofi+tcp] [--iters N] [--mib N] [--quick]
 *
 * Two processes: this one (client) and a child it starts (server, busy-polling like
 * fi_pingpong does). Figures:
 *   - small RPC round trip (64-byte echo, one at a time), mean and p99;
 *   - 1 MiB bulk bandwidth, server pulling (update path) and pushing (fetch path), one
 *     transfer at a time and 8 in flight;
 * each printed beside fi_pingpong's 64-byte round trip (2 x its usec/xfer) and its
 * 1 MiB bandwidth, with the ratio. Then the same 1 MiB transfers, 8 in flight, by local
 * bulk (net.h: one process_vm_readv/writev, what clients on an engine's host use),
 * beside memcpy of 1 MiB buffers in one thread. The benchmark asserts nothing: it prints.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <getopt.h>
#include <gurt/common.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "net/tests/echo.h"

static const char *provider = "ofi+tcp";
static long iters = 20000;
static long mib = 2048;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The server: busy-poll the echo service until told to exit. */
static int
serve(void)
{
	struct net_ctx_attr attr = { .provider = provider,
				     .host = "127.0.0.1",
				     .local_bulk = true };
	struct net_ctx *ctx;
	int rc;

	rc = net_ctx_create(&attr, &ctx);
	if (rc != 0)
		return 1;
	rc = echo_register(ctx);
	if (rc != 0)
		return 1;
	printf("READY %s\n", net_ctx_uri(ctx));
	fflush(stdout);
	while (!echo_stop) {
		if (net_progress(ctx, 0) < 0)
			break;
		echo_timers();
	}
	net_progress(ctx, 10);
	net_ctx_destroy(ctx);
	return 0;
}

static pid_t
server_spawn(const char *self, char *uri, size_t len)
{
	int fds[2];
	pid_t pid;
	FILE *f;
	char line[256];

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(self, self, "--server", "--provider", provider, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "READY %127s", uri) != 1) {
		if (f)
			fclose(f);
		return -1;
	}
	(void)len;
	fclose(f);
	return pid;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Mean and p99 round trip of 64-byte echoes, in microseconds. */
static int
bench_latency(struct net_ctx *ctx, struct net_peer *peer, double *mean, double *p99)
{
	uint8_t body[64] = { 1 };
	uint8_t reply[64];
	double *lat = d_calloc((size_t)iters, sizeof(*lat));
	double total = 0;
	long i;
	int rc;

	if (lat == NULL)
		return -DER_NOMEM;
	for (i = 0; i < iters / 10; i++) { /* warm up */
		rc = net_call(ctx, peer, ECHO_OPC_ECHO, body, sizeof(body), 5000, reply,
			      sizeof(reply), NULL);
		if (rc != 0)
			goto out;
	}
	for (i = 0; i < iters; i++) {
		double t = now_s();

		rc = net_call(ctx, peer, ECHO_OPC_ECHO, body, sizeof(body), 5000, reply,
			      sizeof(reply), NULL);
		if (rc != 0)
			goto out;
		lat[i] = (now_s() - t) * 1e6;
		total += lat[i];
	}
	qsort(lat, (size_t)iters, sizeof(*lat), cmp_double);
	*mean = total / (double)iters;
	*p99 = lat[(size_t)((double)iters * 0.99)];
out:
	d_free(lat);
	return rc;
}

struct bw_state {
	int inflight;
	int errors;
};

static void bw_done(void *arg, int status, const void *body, size_t len);

/* Rate of 64-byte echoes with @depth in flight, in RPCs per second. */
static int
bench_rate(struct net_ctx *ctx, struct net_peer *peer, int depth, double *ops)
{
	uint8_t body[64] = { 1 };
	struct bw_state st = { 0 };
	long sent = 0;
	double t0 = now_s();
	int rc;

	while (sent < iters || st.inflight > 0) {
		while (sent < iters && st.inflight < depth) {
			rc = net_req_send(ctx, peer, ECHO_OPC_ECHO, body, sizeof(body), 5000,
					  bw_done, &st);
			if (rc != 0)
				return rc;
			st.inflight++;
			sent++;
		}
		if (net_progress(ctx, 0) < 0)
			return -DER_HG;
	}
	*ops = (double)iters / (now_s() - t0);
	return st.errors ? -DER_IO : 0;
}

static void
bw_done(void *arg, int status, const void *body, size_t len)
{
	struct bw_state *s = arg;

	(void)body;
	(void)len;
	s->inflight--;
	if (status != 0)
		s->errors++;
}

/* MB/s (10^6 bytes) moving 1 MiB per request, @depth requests in flight. */
static int
bench_bulk(struct net_ctx *ctx, struct net_peer *peer, uint32_t opc, int depth, double *mbs)
{
	const size_t size = 1 << 20;
	struct bw_state st = { 0 };
	uint8_t *bufs[8];
	struct net_bulk *bulks[8];
	long total = mib;
	long sent = 0;
	double t0;
	int i;
	int rc = 0;

	for (i = 0; i < depth; i++) {
		bufs[i] = d_malloc(size);
		if (bufs[i] == NULL)
			return -DER_NOMEM;
		memset(bufs[i], i + 1, size);
		rc = net_bulk_register(ctx, bufs[i], size, NET_BULK_RW, &bulks[i]);
		if (rc != 0)
			return rc;
	}
	t0 = now_s();
	while (sent < total || st.inflight > 0) {
		while (sent < total && st.inflight < depth) {
			uint8_t body[64];
			struct buf out = BUF_INIT(body, sizeof(body));
			struct net_bulk_desc desc;

			net_bulk_desc_get(bulks[sent % depth], &desc);
			net_bulk_desc_encode(&out, &desc);
			buf_put_u64(&out, size);
			if (opc == ECHO_OPC_PUSH)
				buf_put_u8(&out, 7);
			rc = net_req_send(ctx, peer, opc, body, out.off, 30000, bw_done, &st);
			if (rc != 0)
				return rc;
			st.inflight++;
			sent++;
		}
		if (net_progress(ctx, 0) < 0)
			return -DER_HG;
	}
	*mbs = (double)total * (double)size / (now_s() - t0) / 1e6;
	for (i = 0; i < depth; i++) {
		net_bulk_deregister(bulks[i]);
		d_free(bufs[i]);
	}
	return st.errors ? -DER_IO : 0;
}

/* memcpy of 1 MiB buffers through rings of 64 MiB (out of the caches), in MB/s. */
static double
bench_memcpy(void)
{
	const size_t size = 1 << 20;
	const size_t ring = 64;
	char *src = d_malloc(size * ring);
	char *dst = d_malloc(size * ring);
	double t0;
	double mbs = 0;
	long i;

	if (src != NULL && dst != NULL) {
		memset(src, 3, size * ring);
		memset(dst, 0, size * ring);
		t0 = now_s();
		for (i = 0; i < mib; i++)
			memcpy(dst + (size_t)(i % ring) * size,
			       src + (size_t)((i * 7) % ring) * size, size);
		mbs = (double)mib * (double)size / (now_s() - t0) / 1e6;
	}
	d_free(src);
	d_free(dst);
	return mbs;
}

/*
 * A context that uses local bulk with the server at @uri, once the handshake is done.
 * Returns 0, or -DER_NOSYS if the server did not accept it (printed by the caller).
 */
static int
local_open(const char *uri, struct net_ctx **ctxp, struct net_peer **peerp)
{
	struct net_ctx_attr attr = { .provider = provider,
				     .host = "127.0.0.1",
				     .local_bulk = true };
	double give_up = now_s() + 5;
	char reply[8];
	int rc;

	rc = net_ctx_create(&attr, ctxp);
	if (rc != 0)
		return rc;
	rc = net_peer_get(*ctxp, uri, peerp);
	if (rc == 0)
		rc = net_call(*ctxp, *peerp, ECHO_OPC_ECHO, "x", 1, 5000, reply, sizeof(reply),
			      NULL);
	while (rc == 0 && !net_peer_local(*peerp) && now_s() < give_up)
		net_progress(*ctxp, 1);
	if (rc == 0 && !net_peer_local(*peerp))
		rc = -DER_NOSYS;
	if (rc != 0) {
		net_ctx_destroy(*ctxp);
		*ctxp = NULL;
	}
	return rc;
}

/*
 * Run fi_pingpong server and client with @size bytes; parse the client's line
 * "bytes #sent #ack total time MB/sec usec/xfer Mxfers/sec".
 */
static int
pingpong(const char *fi_prov, const char *size, long n, double *usec, double *mbs)
{
	char cmd[512];
	char line[512];
	FILE *f;
	pid_t srv;
	int port = 20000 + (int)(getpid() % 20000);
	int found = 0;

	srv = fork();
	if (srv == 0) {
		char ports[16];
		char iters_s[32];
		int null = open("/dev/null", O_WRONLY);

		snprintf(ports, sizeof(ports), "%d", port);
		snprintf(iters_s, sizeof(iters_s), "%ld", n);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execlp("timeout", "timeout", "120", "fi_pingpong", "-p", fi_prov, "-e", "rdm", "-B",
		       ports, "-I", iters_s, "-S", size, (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	snprintf(cmd, sizeof(cmd),
		 "timeout 120 fi_pingpong -p '%s' -e rdm -P %d -I %ld -S %s 127.0.0.1 2>&1",
		 fi_prov, port, n, size);
	f = popen(cmd, "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			char b[32];
			char s[32];
			char a[32];
			char t[32];
			char tm[32];

			if (sscanf(line, "%31s %31s %31s %31s %31s %lf %lf", b, s, a, t, tm, mbs,
				   usec) == 7 &&
			    b[0] >= '0' && b[0] <= '9')
				found = 1;
		}
		pclose(f);
	}
	kill(srv, SIGTERM);
	waitpid(srv, NULL, 0);
	return found ? 0 : -1;
}

/* A positive number, or -1 (refused by the range check that follows). */
static long
arg_long(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return end == s || *end != '\0' || v <= 0 ? -1 : v;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "provider", required_argument, NULL, 'p' },
		{ "iters", required_argument, NULL, 'i' },
		{ "mib", required_argument, NULL, 'm' },
		{ "quick", no_argument, NULL, 'q' },
		{ "server", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct net_ctx_attr attr = { .host = "127.0.0.1" };
	bool server = false;
	char uri[128];
	char fi_prov[32];
	struct net_ctx *ctx;
	struct net_peer *peer;
	double lat_mean = 0, lat_p99 = 0, pull1 = 0, pull8 = 0, push1 = 0, push8 = 0, rate16 = 0;
	double pp_lat = 0, pp_lat_mbs = 0, pp_bw_usec = 0, pp_bw = 0;
	double lpull8 = 0, lpush8 = 0, copy = 0;
	struct net_ctx *lctx = NULL;
	struct net_peer *lpeer = NULL;
	int lrc = 0;
	pid_t srv;
	int c;
	int rc;

	while ((c = getopt_long(argc, argv, "p:i:m:qs", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			provider = optarg;
			break;
		case 'i':
			iters = arg_long(optarg);
			break;
		case 'm':
			mib = arg_long(optarg);
			break;
		case 'q':
			iters = 2000;
			mib = 256;
			break;
		case 's':
			server = true;
			break;
		default:
			fprintf(stderr, "usage: rpc_bench [--provider P] [--iters N] [--mib N] "
					"[--quick]\n");
			return 2;
		}
	}
	if (iters < 100 || mib < 8) {
		fprintf(stderr, "rpc_bench: --iters must be >= 100 and --mib >= 8\n");
		return 2;
	}
	if (server)
		return serve();
	if (net_provider_to_fi(provider, fi_prov, sizeof(fi_prov)) != 0) {
		fprintf(stderr, "rpc_bench: unknown provider %s\n", provider);
		return 2;
	}
	attr.provider = provider;
	srv = server_spawn("/proc/self/exe", uri, sizeof(uri));
	if (srv < 0) {
		fprintf(stderr, "rpc_bench: server did not start\n");
		return 1;
	}
	rc = net_ctx_create(&attr, &ctx);
	if (rc == 0)
		rc = net_peer_get(ctx, uri, &peer);
	if (rc == 0)
		rc = bench_latency(ctx, peer, &lat_mean, &lat_p99);
	if (rc == 0)
		rc = bench_rate(ctx, peer, 16, &rate16);
	if (rc == 0)
		rc = bench_bulk(ctx, peer, ECHO_OPC_PULL, 1, &pull1);
	if (rc == 0)
		rc = bench_bulk(ctx, peer, ECHO_OPC_PULL, 8, &pull8);
	if (rc == 0)
		rc = bench_bulk(ctx, peer, ECHO_OPC_PUSH, 1, &push1);
	if (rc == 0)
		rc = bench_bulk(ctx, peer, ECHO_OPC_PUSH, 8, &push8);
	if (rc == 0) {
		lrc = local_open(uri, &lctx, &lpeer);
		if (lrc == 0)
			lrc = bench_bulk(lctx, lpeer, ECHO_OPC_PULL, 8, &lpull8);
		if (lrc == 0)
			lrc = bench_bulk(lctx, lpeer, ECHO_OPC_PUSH, 8, &lpush8);
		net_ctx_destroy(lctx);
		copy = bench_memcpy();
	}
	if (rc == 0)
		net_call(ctx, peer, ECHO_OPC_EXIT, NULL, 0, 5000, NULL, 0, NULL);
	waitpid(srv, NULL, 0);
	net_ctx_destroy(ctx);
	if (rc != 0) {
		fprintf(stderr, "rpc_bench: " DF_RC "\n", DP_RC(rc));
		return 1;
	}
	if (pingpong(fi_prov, "64", iters, &pp_lat, &pp_lat_mbs) != 0 ||
	    pingpong(fi_prov, "1048576", mib / 2, &pp_bw_usec, &pp_bw) != 0) {
		fprintf(stderr, "rpc_bench: fi_pingpong failed (package libfabric-bin)\n");
		return 1;
	}
	/* fi_pingpong's usec/xfer is one way; a round trip is two transfers. */
	pp_lat *= 2;
	printf("rpc_bench: provider %s (libfabric %s), loopback, %ld RPCs, %ld MiB per bulk run\n",
	       provider, fi_prov, iters, mib);
	printf("%-34s %12s %12s %8s\n", "measure", "ours", "fi_pingpong", "ratio");
	printf("%-34s %10.2f us %10.2f us %7.2fx\n", "64 B round trip (mean)", lat_mean, pp_lat,
	       lat_mean / pp_lat);
	printf("%-34s %10.2f us %12s %8s\n", "64 B round trip (p99)", lat_p99, "-", "-");
	printf("%-34s %8.0f op/s %12s %8s\n", "64 B RPCs, 16 in flight", rate16, "-", "-");
	printf("%-34s %8.0f MB/s %7.0f MB/s %7.0f%%\n", "1 MiB bulk pull, 1 in flight", pull1,
	       pp_bw, 100 * pull1 / pp_bw);
	printf("%-34s %8.0f MB/s %7.0f MB/s %7.0f%%\n", "1 MiB bulk pull, 8 in flight", pull8,
	       pp_bw, 100 * pull8 / pp_bw);
	printf("%-34s %8.0f MB/s %7.0f MB/s %7.0f%%\n", "1 MiB bulk push, 1 in flight", push1,
	       pp_bw, 100 * push1 / pp_bw);
	printf("%-34s %8.0f MB/s %7.0f MB/s %7.0f%%\n", "1 MiB bulk push, 8 in flight", push8,
	       pp_bw, 100 * push8 / pp_bw);
	if (lrc == 0) {
		printf("%-34s %8.0f MB/s %7.0f MB/s %7.0f%%  (memcpy)\n",
		       "1 MiB local pull, 8 in flight", lpull8, copy, 100 * lpull8 / copy);
		printf("%-34s %8.0f MB/s %7.0f MB/s %7.0f%%  (memcpy)\n",
		       "1 MiB local push, 8 in flight", lpush8, copy, 100 * lpush8 / copy);
	} else {
		printf("local bulk: not available here (" DF_RC "): see net.h\n", DP_RC(lrc));
	}
	printf("targets: round trip <= 1.5x fi_pingpong; bulk >= 75%% of fi_pingpong\n");
	return 0;
}
