/* SPDX-License-Identifier: Apache-2.0 */
/*
 * echo.h - the echo service of the net tests and rpc_bench: opcodes and body layouts.
 * Bodies are encoded with common/buf.h.
 */
#ifndef NET_TESTS_ECHO_H
#define NET_TESTS_ECHO_H

#include "net/net.h"

enum echo_opc {
	ECHO_OPC_ECHO = NET_OPC_USER_MIN, /* body comes back as the reply body */
	ECHO_OPC_BULK,   /* {u64 len, desc src, desc dst}: pull src, push it to dst */
	ECHO_OPC_SLEEP,  /* {u32 ms}: reply after ms */
	ECHO_OPC_PULL,   /* {desc src, u64 len}: pull len bytes; reply {u64 sum} */
	ECHO_OPC_PUSH,   /* {desc dst, u64 len, u8 byte}: fill dst with byte */
	ECHO_OPC_STRICT, /* {u32 n, n * u64}: reply {u64 sum}; anything else -DER_PROTO */
	ECHO_OPC_EXIT,   /* stop serving */
	ECHO_OPC_STATS,  /* {} -> {u64 bytes moved by local bulk} */
	ECHO_OPC_COPY,   /* as ECHO_OPC_PULL, by net_bulk_copy(): its status is the reply's */
};

/* Serve the echo opcodes on @ctx until ECHO_OPC_EXIT or a signal; returns 0 or an error. */
int echo_serve(struct net_ctx *ctx);
int echo_register(struct net_ctx *ctx);
/* Non-zero once ECHO_OPC_EXIT was received. */
extern volatile int echo_stop;
/* Run the deferred replies of ECHO_OPC_SLEEP that are due. */
void echo_timers(void);

#endif
