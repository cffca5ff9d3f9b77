/* SPDX-License-Identifier: Apache-2.0 */
/*
 * echo_server.c - a process serving the echo service, for the two-process net tests
 * and rpc_bench:
 *
 *   net_echo_server [PROVIDER [HOST [PORT]]]
 *
 * prints "READY <uri>" on stdout once it listens, then serves until ECHO_OPC_EXIT,
 * SIGTERM or SIGINT. Exit status 0, or 1 with a message on stderr.
 *
 *   net_echo_server --signals
 *
 * prints how many of SIGSEGV, SIGABRT, SIGBUS and SIGILL have a handler before and after
 * a context is created ("SIGNALS <before> <after>"): libfabric's PSM libraries install
 * handlers when loaded, and net_ctx_create() must have removed them.
 */
#define D_LOGFAC DD_FAC(tests)

#include <gurt/common.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "net/tests/echo.h"

static void
on_signal(int sig)
{
	(void)sig;
	echo_stop = 1;
}

static int
crash_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGABRT, SIGBUS, SIGILL };
	struct sigaction sa;
	unsigned int i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler != SIG_DFL)
			n++;
	return n;
}

static int
signals_check(void)
{
	struct net_ctx_attr attr = { .provider = "ofi+tcp", .host = "127.0.0.1" };
	struct net_ctx *ctx;
	int before = crash_handlers();

	if (net_ctx_create(&attr, &ctx) != 0)
		return 1;
	printf("SIGNALS %d %d\n", before, crash_handlers());
	net_ctx_destroy(ctx);
	return 0;
}

int
main(int argc, char **argv)
{
	struct net_ctx_attr attr = {
		.provider = argc > 1 ? argv[1] : "ofi+tcp",
		.host = argc > 2 ? argv[2] : "127.0.0.1",
		.local_bulk = true, /* used only by clients that ask (D_NET_LOCAL_BULK=0: off) */
	};
	struct net_ctx *ctx;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--signals") == 0)
		return signals_check();
	if (argc > 3) {
		char *end;
		long port = strtol(argv[3], &end, 10);

		if (*end != '\0' || port < 0 || port > 65535) {
			fprintf(stderr, "net_echo_server: bad port \"%s\"\n", argv[3]);
			return 1;
		}
		attr.port = (int)port;
	}
	d_log_init();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	rc = net_ctx_create(&attr, &ctx);
	if (rc != 0) {
		fprintf(stderr, "net_echo_server: cannot listen: " DF_RC "\n", DP_RC(rc));
		return 1;
	}
	rc = echo_register(ctx);
	if (rc == 0) {
		printf("READY %s\n", net_ctx_uri(ctx));
		fflush(stdout);
		rc = echo_serve(ctx);
	}
	net_ctx_destroy(ctx);
	d_log_fini();
	if (rc != 0) {
		fprintf(stderr, "net_echo_server: " DF_RC "\n", DP_RC(rc));
		return 1;
	}
	return 0;
}
