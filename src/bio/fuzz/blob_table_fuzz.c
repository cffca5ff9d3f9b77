/* SPDX-License-Identifier: Apache-2.0 */
/*
 * blob_table_fuzz.c - libFuzzer target for the blob table codec (bio_table_decode), which
 * reads a device's first megabyte: anything there must yield an error code, never a
 * crash. A copy that decodes must encode back to the bytes it came from (those before
 * the checksum's end; the rest of a copy is not read) and decode again to the same table.
 * The corpus (corpus_table/) holds tables written with bio_table_encode(): valid ones
 * (valid_*) and ones broken in one way each (checksum, version, overlap, duplicate id,
 * role, count, truncation).
 */
#include <gurt/common.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bio/bio_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bio_table t = { 0 };
	struct bio_table again = { 0 };
	uint8_t *bytes;
	size_t len;

	if (bio_table_decode(data, size, &t) != 0)
		return 0;
	len = bio_table_encoded_len(&t);
	if (len > size)
		abort();
	bytes = malloc(len);
	if (bytes == NULL)
		abort();
	if (bio_table_encode(&t, bytes, len) != 0 || memcmp(bytes, data, len) != 0)
		abort();
	if (bio_table_decode(bytes, len, &again) != 0 || again.gen != t.gen ||
	    again.nr_entries != t.nr_entries ||
	    memcmp(again.entries, t.entries, t.nr_entries * sizeof(t.entries[0])) != 0)
		abort();
	free(bytes);
	bio_table_fini(&again);
	bio_table_fini(&t);
	return 0;
}
