/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto_wire.c - the pure parts of the wire, shared by both transports and the fuzzers:
 * the method and role tables, the protobuf-c allocator, control frames and dRPC chunks.
 *
 * Control frame: offset 0, 4 bytes, big-endian payload length (at most CTL_FRAME_MAX);
 * offset 4, the serialized CtlRequest or CtlResponse.
 *
 * dRPC chunk (every packet carries one; all fields big-endian):
 *   offset 0  u32 magic DRPC_CHUNK_MAGIC
 *   offset 4  u32 chunk index, from 0
 *   offset 8  u32 number of chunks in the message (1 to DRPC_MAX_CHUNKS)
 *   offset 12 u32 length of the whole message
 *   offset 16 payload, DRPC_MAX_PACKET - 16 bytes in every chunk but the last
 * Nothing here keeps state between calls except the assembler the caller owns.
 */
#define D_LOGFAC DD_FAC(control)

#include <arpa/inet.h>
#include <string.h>

#include "proto/proto.h"

static void *
pa_alloc(void *data, size_t size)
{
	(void)data;
	return d_malloc(size == 0 ? 1 : size);
}

static void
pa_free(void *data, void *ptr)
{
	(void)data;
	d_free(ptr);
}

ProtobufCAllocator proto_allocator = {
	.alloc = pa_alloc,
	.free = pa_free,
	.allocator_data = NULL,
};

struct drpc_name {
	int32_t num;
	const char *name;
};

/* Names without their DRPC_MODULE_ / DRPC_METHOD_ prefix. */
#define DRPC_MODULE_NAME(id, n) { .num = n, .name = &(#id)[sizeof("DRPC_MODULE_") - 1] },
#define DRPC_METHOD_NAME(id, n) { .num = n, .name = &(#id)[sizeof("DRPC_METHOD_") - 1] },
static const struct drpc_name drpc_modules[] = { DRPC_MODULE_TABLE(DRPC_MODULE_NAME) };
static const struct drpc_name drpc_methods[] = { DRPC_METHOD_TABLE(DRPC_METHOD_NAME) };

static const char *
drpc_name_find(const struct drpc_name *tab, size_t nr, int32_t num)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (tab[i].num == num)
			return tab[i].name;
	return "?";
}

const char *
drpc_module_name(int32_t module)
{
	return drpc_name_find(drpc_modules, sizeof(drpc_modules) / sizeof(drpc_modules[0]), module);
}

const char *
drpc_method_name(int32_t method)
{
	return drpc_name_find(drpc_methods, sizeof(drpc_methods) / sizeof(drpc_methods[0]), method);
}

struct ctl_method_desc {
	uint32_t method;
	unsigned int roles;
	const char *name;
};

#define CTL_METHOD_DESC(id, num, r, str) { .method = num, .roles = (r), .name = str },
static const struct ctl_method_desc ctl_methods[] = { CTL_METHOD_TABLE(CTL_METHOD_DESC) };

static const struct ctl_method_desc *
ctl_method_find(uint32_t method)
{
	size_t i;

	for (i = 0; i < sizeof(ctl_methods) / sizeof(ctl_methods[0]); i++)
		if (ctl_methods[i].method == method)
			return &ctl_methods[i];
	return NULL;
}

const char *
ctl_method_name(uint32_t method)
{
	const struct ctl_method_desc *d = ctl_method_find(method);

	return d == NULL ? "unknown" : d->name;
}

const char *
ctl_role_name(enum ctl_role role)
{
	switch (role) {
	case CTL_ROLE_NONE:
		return "none";
	case CTL_ROLE_ADMIN:
		return "admin";
	case CTL_ROLE_AGENT:
		return "agent";
	case CTL_ROLE_SERVER:
		return "server";
	default:
		return "unknown";
	}
}

enum ctl_role
ctl_role_from_cn(const char *cn)
{
	if (strcmp(cn, "admin") == 0)
		return CTL_ROLE_ADMIN;
	if (strcmp(cn, "agent") == 0)
		return CTL_ROLE_AGENT;
	if (strcmp(cn, "server") == 0)
		return CTL_ROLE_SERVER;
	return CTL_ROLE_UNKNOWN;
}

bool
ctl_method_allowed(uint32_t method, enum ctl_role role)
{
	const struct ctl_method_desc *d = ctl_method_find(method);

	if (d == NULL || role == CTL_ROLE_NONE || role == CTL_ROLE_UNKNOWN)
		return false;
	return (d->roles & (unsigned int)role) != 0;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

int
ctl_frame_decode(const void *buf, size_t buf_len, const uint8_t **payload, size_t *len,
		 size_t *consumed)
{
	const uint8_t *p = buf;
	uint32_t n;

	if (buf_len < CTL_FRAME_HDR)
		return -DER_AGAIN;
	n = get_be32(p);
	if (n > CTL_FRAME_MAX)
		return -DER_PROTO;
	if (buf_len - CTL_FRAME_HDR < n)
		return -DER_AGAIN;
	*payload = p + CTL_FRAME_HDR;
	*len = n;
	*consumed = CTL_FRAME_HDR + (size_t)n;
	return 0;
}

int
ctl_frame_encode(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf;

	if (n > CTL_FRAME_MAX)
		return -DER_PROTO;
	buf = d_malloc(CTL_FRAME_HDR + n);
	if (buf == NULL)
		return -DER_NOMEM;
	put_be32(buf, (uint32_t)n);
	protobuf_c_message_pack(msg, buf + CTL_FRAME_HDR);
	*out = buf;
	*out_len = CTL_FRAME_HDR + n;
	return 0;
}

int
ctl_request_decode(const void *buf, size_t len, Ctl__CtlRequest **out)
{
	Ctl__CtlRequest *req = ctl__ctl_request__unpack(&proto_allocator, len, buf);

	/* protobuf-c reports no reason; a failed allocation also looks like bad input */
	if (req == NULL)
		return -DER_PROTO;
	*out = req;
	return 0;
}

int
ctl_response_decode(const void *buf, size_t len, Ctl__CtlResponse **out)
{
	Ctl__CtlResponse *resp = ctl__ctl_response__unpack(&proto_allocator, len, buf);

	if (resp == NULL)
		return -DER_PROTO;
	*out = resp;
	return 0;
}

#define DRPC_CHUNK_PAYLOAD (DRPC_MAX_PACKET - DRPC_CHUNK_HDR)

uint32_t
drpc_chunk_count(size_t len)
{
	if (len == 0)
		return 1;
	return (uint32_t)((len + DRPC_CHUNK_PAYLOAD - 1) / DRPC_CHUNK_PAYLOAD);
}

size_t
drpc_chunk_encode(const void *msg, size_t len, uint32_t idx, uint8_t *pkt)
{
	size_t off = (size_t)idx * DRPC_CHUNK_PAYLOAD;
	size_t n = len - off < DRPC_CHUNK_PAYLOAD ? len - off : DRPC_CHUNK_PAYLOAD;

	put_be32(pkt, DRPC_CHUNK_MAGIC);
	put_be32(pkt + 4, idx);
	put_be32(pkt + 8, drpc_chunk_count(len));
	put_be32(pkt + 12, (uint32_t)len);
	if (n > 0)
		memcpy(pkt + DRPC_CHUNK_HDR, (const uint8_t *)msg + off, n);
	return DRPC_CHUNK_HDR + n;
}

void
drpc_assembler_fini(struct drpc_assembler *as)
{
	d_free(as->buf);
	memset(as, 0, sizeof(*as));
}

int
drpc_assembler_feed(struct drpc_assembler *as, const void *pkt, size_t len, uint8_t **msg,
		    size_t *msg_len)
{
	const uint8_t *p = pkt;
	uint32_t idx, total, mlen;
	size_t n;

	if (len < DRPC_CHUNK_HDR || len > DRPC_MAX_PACKET || get_be32(p) != DRPC_CHUNK_MAGIC)
		goto bad;
	idx = get_be32(p + 4);
	total = get_be32(p + 8);
	mlen = get_be32(p + 12);
	n = len - DRPC_CHUNK_HDR;
	if (total == 0 || total > DRPC_MAX_CHUNKS || total != drpc_chunk_count(mlen))
		goto bad;
	if (idx != as->next || (as->total != 0 && (total != as->total || mlen != as->msg_len)))
		goto bad;
	/* Every chunk but the last is full; the last carries exactly what remains. */
	if (n != (idx + 1 < total ? DRPC_CHUNK_PAYLOAD : mlen - (size_t)idx * DRPC_CHUNK_PAYLOAD))
		goto bad;
	if (as->total == 0) {
		as->buf = d_malloc(mlen == 0 ? 1 : mlen);
		if (as->buf == NULL)
			return -DER_NOMEM;
		as->total = total;
		as->msg_len = mlen;
	}
	if (n > 0)
		memcpy(as->buf + as->len, p + DRPC_CHUNK_HDR, n);
	as->len += n;
	as->next++;
	if (as->next < as->total)
		return 0;
	*msg = as->buf;
	*msg_len = as->len;
	as->buf = NULL;
	drpc_assembler_fini(as);
	return 1;
bad:
	drpc_assembler_fini(as);
	return -DER_PROTO;
}
