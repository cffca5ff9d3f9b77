/* SPDX-License-Identifier: Apache-2.0 */
/*
 * drpc_fuzz.c - libFuzzer target for dRPC chunks and envelopes. The input is a sequence
 * of packets, each a 2-byte big-endian length then that many bytes, fed to a chunk
 * assembler as the server does; a completed message (and the raw input) is decoded as a
 * Call and a Response, and what decodes must survive chunking and reassembly unchanged.
 */
#define D_LOGFAC DD_FAC(tests)

#include <string.h>

#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Chunk @msg and reassemble it: the result must be identical. */
static void
check_chunks(const uint8_t *msg, size_t len)
{
	struct drpc_assembler as = { 0 };
	uint32_t i, nr = drpc_chunk_count(len);
	uint8_t *pkt = d_malloc(DRPC_MAX_PACKET);
	uint8_t *out = NULL;
	size_t out_len = 0;
	int rc = 0;

	if (pkt == NULL)
		return;
	for (i = 0; i < nr; i++) {
		rc = drpc_assembler_feed(&as, pkt, drpc_chunk_encode(msg, len, i, pkt), &out,
					 &out_len);
		D_ASSERT(rc == (i + 1 == nr ? 1 : 0) || rc == -DER_NOMEM);
	}
	if (rc == 1) {
		D_ASSERT(out_len == len && (len == 0 || memcmp(out, msg, len) == 0));
		d_free(out);
	}
	drpc_assembler_fini(&as);
	d_free(pkt);
}

static void
check_message(const uint8_t *msg, size_t len)
{
	Drpc__Call *call;
	Drpc__Response *resp;

	call = drpc__call__unpack(&proto_allocator, len, msg);
	if (call != NULL) {
		(void)drpc_module_name(call->module);
		(void)drpc_method_name(call->method);
		drpc__call__free_unpacked(call, &proto_allocator);
	}
	resp = drpc__response__unpack(&proto_allocator, len, msg);
	if (resp != NULL)
		drpc__response__free_unpacked(resp, &proto_allocator);
	check_chunks(msg, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drpc_assembler as = { 0 };
	uint8_t *msg;
	size_t off = 0;
	size_t mlen;
	size_t n;
	int rc;

	while (size - off >= 2) {
		n = ((size_t)data[off] << 8) | data[off + 1];
		off += 2;
		if (n > size - off)
			n = size - off;
		rc = drpc_assembler_feed(&as, data + off, n, &msg, &mlen);
		D_ASSERT(rc == 0 || rc == 1 || rc == -DER_PROTO || rc == -DER_NOMEM);
		if (rc == 1) {
			check_message(msg, mlen);
			d_free(msg);
		}
		off += n;
	}
	drpc_assembler_fini(&as);
	if (size < DRPC_MAX_PACKET)
		check_message(data, size);
	return 0;
}
