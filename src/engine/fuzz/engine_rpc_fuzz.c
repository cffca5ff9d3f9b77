/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_rpc_fuzz.c - libFuzzer target for the decoders of the fabric RPC bodies
 * between engines (engine_rpc.c): the first byte picks the decoder, the rest is the
 * body. Anything must give an error code, never a crash or a leak; what decodes must
 * encode back to the same bytes.
 */
#include <gurt/common.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "vos/vos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[NET_BODY_MAX];
	struct engine_tgt_req req;
	struct vos_pool_info *info;
	uint32_t nr;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (engine_tgt_req_decode(data + 1, size - 1, &req) == 0 &&
		    (engine_tgt_req_encode(&req, out, sizeof(out)) != size - 1 ||
		     memcmp(out, data + 1, size - 1) != 0))
			abort();
		break;
	case 1:
		if (engine_tgt_create_reply_decode(data + 1, size - 1, &nr) == 0 &&
		    engine_tgt_create_reply_encode(nr, out, sizeof(out)) != size - 1)
			abort();
		break;
	default:
		if (engine_tgt_query_reply_decode(data + 1, size - 1, &info, &nr) == 0) {
			size_t len = engine_tgt_query_reply_encode(info, nr, out, sizeof(out));

			if (len != size - 1 || memcmp(out, data + 1, len) != 0)
				abort();
			d_free(info);
		}
		break;
	}
	return 0;
}
