/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake_server.h - a DAOS system in the test process, for libdaos tests: a fake
 * daos_agent (dRPC on a temporary socket, $DAOS_AGENT_DRPC_DIR pointed at it) and a fake
 * engine (rank 0, FAKE_NR_TGTS targets, on 127.0.0.1) serving the pool, container and
 * object RPCs from an in-memory table with the rpc/rpc.h codecs. Each runs in a thread.
 *
 * Known to the agent: pool "pool1" (FAKE_POOL_UUID); anything else is -DER_NONEXIST.
 * The object store keeps single values and arrays as one byte string per akey (array
 * extents are stored at rx_idx * size), per (oid, shard, dkey).
 */
#ifndef CLIENT_TESTS_FAKE_SERVER_H
#define CLIENT_TESTS_FAKE_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_NR_TGTS 2
#define FAKE_POOL_LABEL "pool1"
#define FAKE_POOL_UUID "6b1c7f36-6f6c-4f0a-9a39-8e3a2f4f2d01"

/* Start both; sets DAOS_AGENT_DRPC_DIR. 0 or a negative DER code. */
int fake_start(void);
void fake_stop(void);
/* Stop answering object RPCs (requests then time out), or answer again. */
void fake_set_silent(bool silent);
/* RPCs served so far, per opcode (e.g. RPC_OBJ_UPDATE), and how many came with bulk. */
uint32_t fake_count(uint32_t opc);
uint32_t fake_bulk_count(void);
/* The notifications the agent received (NOTIFY_POOL_CONNECT / DISCONNECT). */
uint32_t fake_notify_count(int32_t method);

#endif
