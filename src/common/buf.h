/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/buf.h - bounded encoding and decoding of wire and on-disk bytes.
 *
 * A struct buf is a window on caller memory with a cursor. Encoders append at the
 * cursor; decoders consume from it. Every operation checks the bytes left first, and
 * the first failure is sticky: it sets buf->err (-DER_OVERFLOW when encoding past the
 * end, -DER_PROTO when decoding past it or reading an invalid value) and every later
 * operation does nothing. So a decoder reads all its fields and checks once:
 *
 *	struct buf in = BUF_INIT(bytes, len);
 *	id = buf_get_u64(&in);
 *	name = buf_get_str(&in, &name_len);
 *	if (buf_finish(&in) != 0)	-> -DER_PROTO: truncated, overlong or trailing bytes
 *
 * Integers are little-endian and fixed-width. Byte strings are a u32 length then the
 * bytes; strings are byte strings whose last byte is NUL, with no NUL before it, so a
 * decoded string can be used in place. Pointers returned by decoders point into the
 * buffer and live as long as it does. Nothing here allocates or logs.
 */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <daos_errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	uint8_t *data; /* the window; const for decoding, cast away by BUF_INIT */
	size_t len;    /* its size in bytes */
	size_t off;    /* the cursor */
	int err;       /* 0, or the first error: sticky */
};

#define BUF_INIT(ptr, size)                                                            \
	{                                                                              \
		.data = (uint8_t *)(uintptr_t)(ptr), .len = (size), .off = 0, .err = 0 \
	}

static inline void
buf_init(struct buf *b, const void *data, size_t len)
{
	b->data = (uint8_t *)(uintptr_t)data;
	b->len = len;
	b->off = 0;
	b->err = 0;
}

static inline size_t
buf_remaining(const struct buf *b)
{
	return b->err != 0 ? 0 : b->len - b->off;
}

/* Mark @b failed with @err (if it has not failed already). */
static inline void
buf_fail(struct buf *b, int err)
{
	if (b->err == 0)
		b->err = err;
}

/* Room for @n more bytes at the cursor, or NULL after failing @b with @err. */
static inline uint8_t *
buf_take(struct buf *b, size_t n, int err)
{
	uint8_t *p;

	if (b->err != 0)
		return NULL;
	if (n > b->len - b->off) {
		b->err = err;
		return NULL;
	}
	p = b->data + b->off;
	b->off += n;
	return p;
}

/* Decoding is complete: 0 if nothing failed and every byte was consumed. */
static inline int
buf_finish(const struct buf *b)
{
	if (b->err != 0)
		return b->err;
	return b->off == b->len ? 0 : -DER_PROTO;
}

/* --- encoding --- */

static inline void
buf_put_bytes_raw(struct buf *b, const void *src, size_t n)
{
	uint8_t *p = buf_take(b, n, -DER_OVERFLOW);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

static inline void
buf_put_u8(struct buf *b, uint8_t v)
{
	buf_put_bytes_raw(b, &v, 1);
}

static inline void
buf_put_u16(struct buf *b, uint16_t v)
{
	uint8_t le[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	buf_put_bytes_raw(b, le, sizeof(le));
}

static inline void
buf_put_u32(struct buf *b, uint32_t v)
{
	uint8_t le[4];
	int i;

	for (i = 0; i < 4; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	buf_put_bytes_raw(b, le, sizeof(le));
}

static inline void
buf_put_u64(struct buf *b, uint64_t v)
{
	uint8_t le[8];
	int i;

	for (i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	buf_put_bytes_raw(b, le, sizeof(le));
}

static inline void
buf_put_i32(struct buf *b, int32_t v)
{
	buf_put_u32(b, (uint32_t)v);
}

/* A u32 length, then @n bytes. */
static inline void
buf_put_bytes(struct buf *b, const void *src, size_t n)
{
	if (n > UINT32_MAX) {
		buf_fail(b, -DER_OVERFLOW);
		return;
	}
	buf_put_u32(b, (uint32_t)n);
	buf_put_bytes_raw(b, src, n);
}

/* A string with its NUL; NULL is encoded as length 0 and decodes as NULL. */
static inline void
buf_put_str(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_put_u32(b, 0);
	else
		buf_put_bytes(b, s, strlen(s) + 1);
}

/* --- decoding --- */

static inline const void *
buf_get_bytes_raw(struct buf *b, size_t n)
{
	return buf_take(b, n, -DER_PROTO);
}

static inline uint8_t
buf_get_u8(struct buf *b)
{
	const uint8_t *p = buf_get_bytes_raw(b, 1);

	return p ? p[0] : 0;
}

static inline uint16_t
buf_get_u16(struct buf *b)
{
	const uint8_t *p = buf_get_bytes_raw(b, 2);

	return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

static inline uint32_t
buf_get_u32(struct buf *b)
{
	const uint8_t *p = buf_get_bytes_raw(b, 4);
	uint32_t v = 0;
	int i;

	if (p == NULL)
		return 0;
	for (i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint64_t
buf_get_u64(struct buf *b)
{
	const uint8_t *p = buf_get_bytes_raw(b, 8);
	uint64_t v = 0;
	int i;

	if (p == NULL)
		return 0;
	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline int32_t
buf_get_i32(struct buf *b)
{
	return (int32_t)buf_get_u32(b);
}

/* A length-prefixed byte string: its bytes (in the buffer) and *@len. */
static inline const void *
buf_get_bytes(struct buf *b, size_t *len)
{
	uint32_t n = buf_get_u32(b);
	const void *p = buf_get_bytes_raw(b, n);

	*len = p ? n : 0;
	return p;
}

/*
 * A string encoded by buf_put_str(): NULL for the empty encoding (check b->err to tell
 * it from a failure). A string without its terminating NUL, or with a NUL inside, fails
 * with -DER_PROTO.
 */
static inline const char *
buf_get_str(struct buf *b, size_t *len)
{
	size_t n;
	const char *s = buf_get_bytes(b, &n);

	if (len != NULL)
		*len = 0;
	if (s == NULL || n == 0)
		return NULL;
	if (s[n - 1] != '\0' || memchr(s, '\0', n - 1) != NULL) {
		buf_fail(b, -DER_PROTO);
		return NULL;
	}
	if (len != NULL)
		*len = n - 1;
	return s;
}

/* A value that must be one of [0, @max]: larger ones fail @b with -DER_PROTO. */
static inline uint32_t
buf_get_u32_max(struct buf *b, uint32_t max)
{
	uint32_t v = buf_get_u32(b);

	if (v > max) {
		buf_fail(b, -DER_PROTO);
		return 0;
	}
	return v;
}

#endif /* COMMON_BUF_H */
