/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gurt/types.h - the value types of the gurt interface: ranks and rank lists, iovs,
 * scatter/gather lists, strings.
 */
#ifndef GURT_TYPES_H
#define GURT_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A rank: an engine's number in its system. */
typedef uint32_t d_rank_t;
#define CRT_NO_RANK ((d_rank_t)-1)

typedef struct {
	d_rank_t *rl_ranks; /* the ranks */
	uint32_t rl_nr;     /* how many */
} d_rank_list_t;

typedef char *d_string_t;
typedef const char *d_const_string_t;

/* A buffer: iov_buf_len bytes of room, iov_len of them holding data. */
typedef struct {
	void *iov_buf;
	size_t iov_buf_len;
	size_t iov_len;
} d_iov_t;

/* A scatter/gather list: sg_nr iovs; sg_nr_out of them filled by a fetch. */
typedef struct {
	uint32_t sg_nr;
	uint32_t sg_nr_out;
	d_iov_t *sg_iovs;
} d_sg_list_t;

/* Point @iov at @buf of @size bytes, all of them data. */
static inline void
d_iov_set(d_iov_t *iov, void *buf, size_t size)
{
	iov->iov_buf = buf;
	iov->iov_len = size;
	iov->iov_buf_len = size;
}

#ifdef __cplusplus
}
#endif

#endif /* GURT_TYPES_H */
