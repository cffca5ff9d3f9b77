/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iov.c - helpers for d_iov_t and d_sg_list_t (declared in gurt/types.h). DAOS has
 * them as inline functions in its gurt/common.h; here they are ordinary exported
 * functions, which callers cannot tell apart, so that gurt/types.h needs neither the
 * allocator nor the logger.
 *
 * d_iov_set_safe() checks a buffer against the calling thread's stack, whose bounds
 * are read once per thread with pthread_getattr_np() and kept in thread-local storage.
 * If they cannot be read the check passes: it is a debugging aid, not a guarantee.
 */
#define D_LOGFAC DD_FAC(common)

#include <pthread.h>

#include "common/common_int.h"

static __thread uintptr_t stack_lo;
static __thread uintptr_t stack_hi;
static __thread bool stack_known;

static bool
is_on_own_stack(const void *buf)
{
	uintptr_t addr = (uintptr_t)buf;

	if (!stack_known) {
		pthread_attr_t attr;
		void *base;
		size_t size;

		if (pthread_getattr_np(pthread_self(), &attr) == 0) {
			if (pthread_attr_getstack(&attr, &base, &size) == 0) {
				stack_lo = (uintptr_t)base;
				stack_hi = stack_lo + size;
			}
			pthread_attr_destroy(&attr);
		}
		stack_known = true;
	}
	return addr >= stack_lo && addr < stack_hi;
}

D_EXPORT void
d_iov_set_safe(d_iov_t *iov, void *buf, size_t size)
{
	D_ASSERTF(!is_on_own_stack(buf), "buffer %p is on the stack", buf);
	d_iov_set(iov, buf, size);
}

D_EXPORT int
d_sgl_init(d_sg_list_t *sgl, unsigned int nr)
{
	sgl->sg_nr_out = 0;
	sgl->sg_nr = 0;
	sgl->sg_iovs = NULL;
	if (nr == 0)
		return 0;
	sgl->sg_iovs = d_calloc(nr, sizeof(*sgl->sg_iovs));
	if (sgl->sg_iovs == NULL)
		return -DER_NOMEM;
	sgl->sg_nr = nr;
	return 0;
}

D_EXPORT void
d_sgl_fini(d_sg_list_t *sgl, bool free_iovs)
{
	uint32_t i;

	if (sgl == NULL)
		return;
	if (sgl->sg_iovs != NULL && free_iovs) {
		for (i = 0; i < sgl->sg_nr; i++) {
			d_free(sgl->sg_iovs[i].iov_buf);
			sgl->sg_iovs[i].iov_buf = NULL;
		}
	}
	d_free(sgl->sg_iovs);
	sgl->sg_iovs = NULL;
	sgl->sg_nr = 0;
	sgl->sg_nr_out = 0;
}

D_EXPORT size_t
d_sgl_buf_size(d_sg_list_t *sgl)
{
	size_t size = 0;
	uint32_t i;

	if (sgl->sg_iovs == NULL)
		return 0;
	for (i = 0; i < sgl->sg_nr; i++)
		size += sgl->sg_iovs[i].iov_buf_len;
	return size;
}

D_EXPORT void
d_sgl_buf_copy(d_sg_list_t *dst_sgl, d_sg_list_t *src_sgl)
{
	uint32_t i;

	D_ASSERT(dst_sgl->sg_nr >= src_sgl->sg_nr);
	for (i = 0; i < src_sgl->sg_nr; i++) {
		d_iov_t *dst = &dst_sgl->sg_iovs[i];
		const d_iov_t *src = &src_sgl->sg_iovs[i];

		D_ASSERT(dst->iov_buf_len >= src->iov_buf_len);
		if (src->iov_buf_len != 0)
			memcpy(dst->iov_buf, src->iov_buf, src->iov_buf_len);
		dst->iov_len = src->iov_len;
		dst->iov_buf_len = src->iov_buf_len;
	}
}
