/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_rpc.c - bodies of the fabric RPCs between engines (layouts in engine.h). The
 * decoders take bytes from the network: every length is checked (common/buf.h) and a
 * body that does not match gives -DER_PROTO.
 */
#include <gurt/common.h>

#include "common/buf.h"
#include "engine/engine.h"
#include "vos/vos.h"

#define QUERY_ENTRY_SIZE 32

size_t
engine_tgt_req_encode(const struct engine_tgt_req *req, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	buf_put_bytes_raw(&b, req->uuid, sizeof(uuid_t));
	buf_put_u64(&b, req->scm);
	buf_put_u64(&b, req->nvme);
	return b.err != 0 ? 0 : b.off;
}

int
engine_tgt_req_decode(const void *buf, size_t len, struct engine_tgt_req *out)
{
	struct buf b = BUF_INIT(buf, len);
	const void *uuid = buf_get_bytes_raw(&b, sizeof(uuid_t));

	out->scm = buf_get_u64(&b);
	out->nvme = buf_get_u64(&b);
	if (buf_finish(&b) != 0)
		return -DER_PROTO;
	memcpy(out->uuid, uuid, sizeof(uuid_t));
	return 0;
}

size_t
engine_tgt_create_reply_encode(uint32_t nr_targets, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);

	buf_put_u32(&b, nr_targets);
	return b.err != 0 ? 0 : b.off;
}

int
engine_tgt_create_reply_decode(const void *buf, size_t len, uint32_t *nr_targets)
{
	struct buf b = BUF_INIT(buf, len);

	*nr_targets = buf_get_u32(&b);
	if (buf_finish(&b) != 0 || *nr_targets == 0)
		return -DER_PROTO;
	return 0;
}

size_t
engine_tgt_query_reply_encode(const struct vos_pool_info *info, uint32_t nr, void *buf, size_t len)
{
	struct buf b = BUF_INIT(buf, len);
	uint32_t i;

	buf_put_u32(&b, nr);
	for (i = 0; i < nr; i++) {
		buf_put_u64(&b, info[i].mem_limit);
		buf_put_u64(&b, info[i].mem_used);
		buf_put_u64(&b, info[i].data_total);
		buf_put_u64(&b, info[i].data_free);
	}
	return b.err != 0 ? 0 : b.off;
}

int
engine_tgt_query_reply_decode(const void *buf, size_t len, struct vos_pool_info **info,
			      uint32_t *nr)
{
	struct buf b = BUF_INIT(buf, len);
	struct vos_pool_info *out;
	uint32_t n = buf_get_u32(&b);
	uint32_t i;

	*info = NULL;
	*nr = 0;
	if (b.err != 0 || n == 0 || buf_remaining(&b) != (size_t)n * QUERY_ENTRY_SIZE)
		return -DER_PROTO;
	out = d_calloc(n, sizeof(*out));
	if (out == NULL)
		return -DER_NOMEM;
	for (i = 0; i < n; i++) {
		out[i].mem_limit = buf_get_u64(&b);
		out[i].mem_used = buf_get_u64(&b);
		out[i].data_total = buf_get_u64(&b);
		out[i].data_free = buf_get_u64(&b);
	}
	if (buf_finish(&b) != 0) {
		d_free(out);
		return -DER_PROTO;
	}
	*info = out;
	*nr = n;
	return 0;
}
