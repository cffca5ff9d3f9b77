/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_map_fuzz.c - libFuzzer target for pool_map_decode(), which reads maps from the
 * network and the pool service's storage: anything must yield an error code, never a
 * crash or a leak. Each input is decoded as it is and again with its last four bytes
 * replaced by the right CRC, so the fuzzer reaches the checks behind the CRC. A map that
 * decodes must encode back to the same bytes (the encoding is canonical), decode again,
 * copy, and stay decodable after every state change the map accepts.
 * The corpus (corpus_map/) holds maps written with pool_map_encode() (valid_*), one with
 * a bad CRC and one cut short.
 */
#include <gurt/common.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/csum.h"
#include "pool/pool_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless @map encodes to exactly @len bytes equal to @data. */
static void
check_encoding(const struct pool_map *map, const uint8_t *data, size_t len)
{
	uint8_t *bytes;

	if (pool_map_encoded_size(map) != len)
		abort();
	bytes = malloc(len);
	if (bytes == NULL || pool_map_encode(map, bytes, len) != 0 || memcmp(bytes, data, len) != 0)
		abort();
	free(bytes);
}

/* Every allowed change keeps the map well-formed. */
static void
check_changes(const struct pool_map *map)
{
	static const enum pool_comp_state states[] = {
		POOL_COMP_NEW,  POOL_COMP_UP,      POOL_COMP_UPIN,
		POOL_COMP_DOWN, POOL_COMP_DOWNOUT, POOL_COMP_DRAIN,
	};
	struct pool_map *copy;
	struct pool_map *again;
	uint8_t *bytes;
	size_t len;
	size_t i;

	if (pool_map_dup(map, &copy) != 0)
		abort();
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		uint32_t version = copy->version;
		int rc;

		rc = pool_map_set_target_state(copy, copy->ranks[0].rank, 0, states[i]);
		if (rc != 0 && (rc != -DER_INVAL && rc != -DER_OVERFLOW))
			abort();
		if (copy->version != version && (rc != 0 || copy->version != version + 1))
			abort();
		rc = pool_map_set_rank_state(copy, copy->ranks[copy->nr_ranks - 1].rank, states[i]);
		if (rc != 0 && (rc != -DER_INVAL && rc != -DER_OVERFLOW))
			abort();
	}
	len = pool_map_encoded_size(copy);
	bytes = malloc(len);
	if (bytes == NULL || pool_map_encode(copy, bytes, len) != 0 ||
	    pool_map_decode(bytes, len, &again) != 0)
		abort();
	check_encoding(again, bytes, len);
	free(bytes);
	pool_map_free(again);
	pool_map_free(copy);
}

static void
try_decode(const uint8_t *data, size_t size)
{
	struct pool_map *map;
	struct pool_map *copy;
	d_rank_list_t *up;
	d_rank_list_t *down;
	uint32_t total;
	uint32_t enabled;
	uint32_t disabled;

	if (pool_map_decode(data, size, &map) != 0)
		return;
	check_encoding(map, data, size);
	if (pool_map_dup(map, &copy) != 0)
		abort();
	check_encoding(copy, data, size);
	pool_map_free(copy);

	pool_map_counts(map, &total, &enabled, &disabled);
	if (total != map->nr_targets || enabled + disabled != total)
		abort();
	if (pool_map_ranks(map, false, &up) != 0 || pool_map_ranks(map, true, &down) != 0 ||
	    up->rl_nr + down->rl_nr != map->nr_ranks)
		abort();
	d_rank_list_free(up);
	d_rank_list_free(down);
	if (pool_map_find_target(map, map->nr_targets - 1, NULL) == NULL ||
	    pool_map_find_rank(map, map->ranks[0].rank) != &map->ranks[0])
		abort();
	check_changes(map);
	pool_map_free(map);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	uint32_t crc;
	int i;

	try_decode(data, size);
	if (size < 4)
		return 0;
	fixed = malloc(size);
	if (fixed == NULL)
		abort();
	memcpy(fixed, data, size);
	crc = d_crc32c(0, fixed, size - 4);
	for (i = 0; i < 4; i++)
		fixed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
	try_decode(fixed, size);
	free(fixed);
	return 0;
}
