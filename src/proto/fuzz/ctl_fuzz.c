/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_fuzz.c - libFuzzer target for control frames and envelopes: split the input into
 * frames as the server does, decode each payload as a CtlRequest and a CtlResponse, and
 * check that what decodes survives encode + decode unchanged. Never a crash or a leak.
 */
#define D_LOGFAC DD_FAC(tests)

#include <string.h>

#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_request(const uint8_t *buf, size_t len)
{
	Ctl__CtlRequest *req;
	Ctl__CtlRequest *again;
	const uint8_t *payload;
	uint8_t *frame;
	size_t frame_len, plen, consumed;

	if (ctl_request_decode(buf, len, &req) != 0)
		return;
	(void)ctl_method_name(req->method);
	if (ctl_frame_encode(&req->base, &frame, &frame_len) == 0) {
		D_ASSERT(ctl_frame_decode(frame, frame_len, &payload, &plen, &consumed) == 0);
		D_ASSERT(consumed == frame_len);
		if (ctl_request_decode(payload, plen, &again) == 0) {
			D_ASSERT(again->method == req->method && again->seq == req->seq);
			D_ASSERT(strcmp(again->version, req->version) == 0);
			D_ASSERT(again->body.len == req->body.len);
			D_ASSERT(req->body.len == 0 ||
				 memcmp(again->body.data, req->body.data, req->body.len) == 0);
			ctl__ctl_request__free_unpacked(again, &proto_allocator);
		}
		d_free(frame);
	}
	ctl__ctl_request__free_unpacked(req, &proto_allocator);
}

static void
check_response(const uint8_t *buf, size_t len)
{
	Ctl__CtlResponse *resp;
	Ctl__CtlResponse *again;
	const uint8_t *payload;
	uint8_t *frame;
	size_t frame_len, plen, consumed;

	if (ctl_response_decode(buf, len, &resp) != 0)
		return;
	if (ctl_frame_encode(&resp->base, &frame, &frame_len) == 0) {
		D_ASSERT(ctl_frame_decode(frame, frame_len, &payload, &plen, &consumed) == 0);
		if (ctl_response_decode(payload, plen, &again) == 0) {
			D_ASSERT(again->seq == resp->seq && again->status == resp->status);
			D_ASSERT(strcmp(again->message, resp->message) == 0);
			D_ASSERT(strcmp(again->leader_hint, resp->leader_hint) == 0);
			D_ASSERT(again->body.len == resp->body.len);
			ctl__ctl_response__free_unpacked(again, &proto_allocator);
		}
		d_free(frame);
	}
	ctl__ctl_response__free_unpacked(resp, &proto_allocator);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *payload;
	size_t off = 0;
	size_t len;
	size_t consumed;
	int rc;

	for (;;) {
		rc = ctl_frame_decode(data + off, size - off, &payload, &len, &consumed);
		D_ASSERT(rc == 0 || rc == -DER_AGAIN || rc == -DER_PROTO);
		if (rc != 0)
			break;
		check_request(payload, len);
		check_response(payload, len);
		off += consumed;
	}
	/* The whole input as one unframed payload, too. */
	check_request(data, size);
	check_response(data, size);
	return 0;
}
