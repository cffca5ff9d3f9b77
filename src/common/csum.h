/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/csum.h - the checksum of on-disk records and stored data: CRC32C through ISA-L
 * (SIMD, ~10 GB/s per core). Header-only; modules using it link ISA-L (isal_dep).
 */
#ifndef COMMON_CSUM_H
#define COMMON_CSUM_H

#include <isa-l/crc.h>
#include <stddef.h>
#include <stdint.h>

/* CRC32C of @len bytes at @buf, continuing from @crc (0 to start). */
static inline uint32_t
d_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	/* ISA-L takes an int length: feed it at most 1 GiB at a time. */
	while (len > 0) {
		size_t n = len < (1u << 30) ? len : (1u << 30);

		crc = crc32_iscsi((unsigned char *)(uintptr_t)p, (int)n, crc);
		p += n;
		len -= n;
	}
	return crc;
}

#endif /* COMMON_CSUM_H */
