/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rank_fuzz.c - libFuzzer target for the rank-set parser (d_rank_list_parse() and
 * d_rank_range_list_parse()). Any input must give 0 or an error code, never a crash or
 * a leak. What parses must be canonical (sorted, no duplicates, ranges merged) and must
 * survive printing: parse(to_str(x)) == x and to_str(parse(to_str(x))) == to_str(x).
 * The list and range forms of one input must agree whenever both succeed.
 */
#define D_LOGFAC DD_FAC(tests)

#include "common/common_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse the string form of a list back and check it is the same list and string. */
static void
check_list_round_trip(d_rank_list_t *list)
{
	d_rank_list_t *again;
	char *str;
	char *str2;
	uint32_t i;

	for (i = 1; i < list->rl_nr; i++)
		D_ASSERT(list->rl_ranks[i - 1] < list->rl_ranks[i]);
	if (d_rank_list_to_str(list, &str) != 0)
		return; /* out of memory */
	if (d_rank_list_parse(str, strlen(str), &again) == 0) {
		D_ASSERT(again->rl_nr == list->rl_nr);
		for (i = 0; i < list->rl_nr; i++)
			D_ASSERT(again->rl_ranks[i] == list->rl_ranks[i]);
		if (d_rank_list_to_str(again, &str2) == 0) {
			D_ASSERT(strcmp(str, str2) == 0);
			d_free(str2);
		}
		d_rank_list_free(again);
	}
	d_free(str);
}

static void
check_ranges(d_rank_range_list_t *ranges, d_rank_list_t *list)
{
	d_rank_range_list_t *again;
	d_rank_range_list_t *from_list;
	char *str;
	uint32_t i;

	for (i = 0; i < ranges->rrl_nr; i++) {
		D_ASSERT(ranges->rrl_ranges[i].lo <= ranges->rrl_ranges[i].hi);
		/* Merged: a gap of at least one rank between neighbours. */
		if (i > 0)
			D_ASSERT(ranges->rrl_ranges[i - 1].hi + 1 < ranges->rrl_ranges[i].lo);
	}
	if (d_rank_range_list_str(ranges, &str) == 0) {
		if (d_rank_range_list_parse(str, strlen(str), &again) == 0) {
			D_ASSERT(again->rrl_nr == ranges->rrl_nr);
			for (i = 0; i < ranges->rrl_nr; i++) {
				D_ASSERT(again->rrl_ranges[i].lo == ranges->rrl_ranges[i].lo);
				D_ASSERT(again->rrl_ranges[i].hi == ranges->rrl_ranges[i].hi);
			}
			d_rank_range_list_free(again);
		}
		d_free(str);
	}
	if (list == NULL)
		return;
	from_list = d_rank_range_list_create_from_ranks(list);
	if (from_list == NULL)
		return;
	D_ASSERT(from_list->rrl_nr == ranges->rrl_nr);
	for (i = 0; i < ranges->rrl_nr; i++) {
		D_ASSERT(from_list->rrl_ranges[i].lo == ranges->rrl_ranges[i].lo);
		D_ASSERT(from_list->rrl_ranges[i].hi == ranges->rrl_ranges[i].hi);
	}
	d_rank_range_list_free(from_list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *str = (const char *)data;
	d_rank_range_list_t *ranges = NULL;
	d_rank_list_t *list = NULL;
	int rc_list;
	int rc_ranges;

	rc_list = d_rank_list_parse(str, size, &list);
	D_ASSERT(rc_list == 0 || rc_list == -DER_INVAL || rc_list == -DER_NOMEM);
	if (rc_list == 0)
		check_list_round_trip(list);

	rc_ranges = d_rank_range_list_parse(str, size, &ranges);
	D_ASSERT(rc_ranges == 0 || rc_ranges == -DER_INVAL || rc_ranges == -DER_NOMEM);
	/* Only the size limit separates the two: a list that parses has valid ranges. */
	if (rc_list == 0)
		D_ASSERT(rc_ranges != -DER_INVAL);
	if (rc_ranges == 0)
		check_ranges(ranges, list);

	d_rank_range_list_free(ranges);
	d_rank_list_free(list);
	return 0;
}
