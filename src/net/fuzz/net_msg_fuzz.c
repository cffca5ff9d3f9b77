/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_msg_fuzz.c - libFuzzer target for what src/net decodes from the network: the
 * message header (net_msg_decode), bulk descriptors and URIs. A message that decodes
 * must encode back to the same bytes.
 */
#include <gurt/common.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_msg msg;
	struct net_bulk_desc desc;
	struct net_uri uri;
	struct buf b;
	uint8_t *again;
	char *str;
	int len;

	if (net_msg_decode(data, size, &msg) == 0) {
		again = malloc(size ? size : 1);
		if (again == NULL)
			return 0;
		len = net_msg_encode(&msg, again, size);
		if (len != (int)size || memcmp(again, data, size) != 0)
			abort();
		free(again);
	}

	buf_init(&b, data, size);
	while (buf_remaining(&b) > 0 && b.err == 0)
		net_bulk_desc_decode(&b, &desc);

	str = malloc(size + 1);
	if (str == NULL)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	if (net_uri_parse(str, &uri) == 0) {
		char out[160];

		if (net_uri_format(&uri, 0, out, sizeof(out)) != 0)
			abort();
	}
	free(str);
	return 0;
}
