/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_test.c - the helpers of api_test.h, linked into every conformance program: the
 * pool connection and container made once per program, OIDs, byte patterns that
 * reveal a misplaced or stale byte, and single-value and array I/O in one call.
 *
 * Only <daos.h> and the C library are used, as an application would.
 */
#include "api_test.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct api_ctx api;

static unsigned int label_seq;

void
api_label(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "api_%s_%d_%u", tag, (int)getpid(), label_seq++);
}

void *
api_alloc(size_t len)
{
	void *p = malloc(len == 0 ? 1 : len);

	if (p == NULL)
		fail_msg("out of memory allocating %zu bytes", len);
	return p;
}

int
api_group_setup(void **state)
{
	const char *nt = getenv("DAOS_API_NTARGETS");
	int rc;

	(void)state;
	api.pool = getenv("DAOS_POOL");
	if (api.pool == NULL || api.pool[0] == '\0') {
		print_error("DAOS_POOL is not set: it names the pool to test in\n");
		return -1;
	}
	api.ntargets = nt != NULL ? (uint32_t)strtoul(nt, NULL, 10) : 0;
	api.next_lo = 1;

	rc = daos_init();
	if (rc != 0) {
		print_error("daos_init: " DF_RC "\n", DP_RC(rc));
		return -1;
	}
	rc = daos_pool_connect(api.pool, NULL, DAOS_PC_RW, &api.poh, NULL, NULL);
	if (rc != 0) {
		print_error("daos_pool_connect(%s): " DF_RC "\n", api.pool, DP_RC(rc));
		goto out_fini;
	}
	api_label(api.cont, sizeof(api.cont), "cont");
	rc = daos_cont_create_with_label(api.poh, api.cont, NULL, NULL, NULL);
	if (rc != 0) {
		print_error("daos_cont_create_with_label(%s): " DF_RC "\n", api.cont, DP_RC(rc));
		goto out_disconnect;
	}
	rc = daos_cont_open(api.poh, api.cont, DAOS_COO_RW, &api.coh, NULL, NULL);
	if (rc != 0) {
		print_error("daos_cont_open(%s): " DF_RC "\n", api.cont, DP_RC(rc));
		goto out_destroy;
	}
	api.up = true;
	return 0;

out_destroy:
	daos_cont_destroy(api.poh, api.cont, 1, NULL);
out_disconnect:
	daos_pool_disconnect(api.poh, NULL);
out_fini:
	daos_fini();
	return -1;
}

int
api_group_teardown(void **state)
{
	int failed = 0;
	int rc;

	(void)state;
	/* cmocka tears a group down even when its setup failed, which undid itself. */
	if (!api.up)
		return 0;
	api.up = false;
	rc = daos_cont_close(api.coh, NULL);
	if (rc != 0) {
		print_error("daos_cont_close: " DF_RC "\n", DP_RC(rc));
		failed = 1;
	}
	rc = daos_cont_destroy(api.poh, api.cont, 0, NULL);
	if (rc != 0) {
		print_error("daos_cont_destroy(%s): " DF_RC "\n", api.cont, DP_RC(rc));
		failed = 1;
	}
	rc = daos_pool_disconnect(api.poh, NULL);
	if (rc != 0) {
		print_error("daos_pool_disconnect: " DF_RC "\n", DP_RC(rc));
		failed = 1;
	}
	rc = daos_fini();
	if (rc != 0) {
		print_error("daos_fini: " DF_RC "\n", DP_RC(rc));
		failed = 1;
	}
	return failed ? -1 : 0;
}

daos_obj_id_t
api_oid(enum daos_otype_t type, daos_oclass_id_t cid)
{
	daos_obj_id_t oid = { .lo = api.next_lo++, .hi = 0 };

	assert_success(daos_obj_generate_oid(api.coh, &oid, type, cid, 0, 0));
	return oid;
}

daos_handle_t
api_obj_open(daos_obj_id_t oid)
{
	daos_handle_t oh = DAOS_HDL_INVAL;

	assert_success(daos_obj_open(api.coh, oid, DAOS_OO_RW, &oh, NULL));
	return oh;
}

/* One byte of the pattern of @seed at @off: a multiplicative hash, so that a shifted or
 * repeated block never matches. */
static unsigned char
pattern_byte(uint32_t seed, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed << 32 | seed);

	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ULL;
	return (unsigned char)(x >> 56);
}

void
api_fill(void *buf, size_t len, uint32_t seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern_byte(seed, i);
}

void
api_check_fill(const void *buf, size_t len, uint32_t seed, size_t pattern_off)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char want = pattern_byte(seed, pattern_off + i);

		if (p[i] != want)
			fail_msg("byte %zu of %zu is 0x%02x, expected 0x%02x (seed %u)", i, len,
				 p[i], want, seed);
	}
}

void
api_check_byte(const void *buf, size_t len, unsigned char byte)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != byte)
			fail_msg("byte %zu of %zu is 0x%02x, expected 0x%02x", i, len, p[i], byte);
}

size_t
api_sgl_data_len(const d_sg_list_t *sgl)
{
	size_t len = 0;
	uint32_t i;

	for (i = 0; i < sgl->sg_nr_out && i < sgl->sg_nr; i++)
		len += sgl->sg_iovs[i].iov_len;
	return len;
}

int
api_sv_put(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *dkey, const char *akey,
	   const void *buf, size_t len)
{
	daos_key_t dk;
	daos_iod_t iod = { 0 };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_size = len;
	iod.iod_nr = 1;
	d_iov_set(&iov, (void *)buf, len);
	return daos_obj_update(oh, th, flags, &dk, 1, &iod, &sgl, NULL);
}

int
api_sv_get(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *dkey, const char *akey,
	   void *buf, size_t buf_len, daos_size_t *size, size_t *data_len)
{
	daos_key_t dk;
	daos_iod_t iod = { 0 };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };
	int rc;

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_size = *size;
	iod.iod_nr = 1;
	d_iov_set(&iov, buf, buf_len);
	rc = daos_obj_fetch(oh, th, flags, &dk, 1, &iod, buf == NULL ? NULL : &sgl, NULL, NULL);
	*size = iod.iod_size;
	if (data_len != NULL)
		*data_len = buf == NULL ? 0 : api_sgl_data_len(&sgl);
	return rc;
}

void
api_sv_expect(daos_handle_t oh, daos_handle_t th, const char *dkey, const char *akey,
	      const void *expect, size_t len)
{
	size_t room = len + 64;
	unsigned char *buf = api_alloc(room);
	daos_size_t size = DAOS_REC_ANY;
	size_t data_len = 0;

	memset(buf, 0xA5, room);
	assert_success(api_sv_get(oh, th, 0, dkey, akey, buf, room, &size, &data_len));
	if (size != len || data_len != len)
		fail_msg("%s/%s: size %" PRIu64 ", %zu bytes returned; expected %zu", dkey, akey,
			 (uint64_t)size, data_len, len);
	assert_memory_equal(buf, expect, len);
	/* Nothing written past the value. */
	api_check_byte(buf + len, room - len, 0xA5);
	free(buf);
}

void
api_sv_expect_none(daos_handle_t oh, daos_handle_t th, const char *dkey, const char *akey)
{
	unsigned char buf[64];
	daos_size_t size = DAOS_REC_ANY;
	size_t data_len = 1;

	memset(buf, 0xA5, sizeof(buf));
	assert_success(api_sv_get(oh, th, 0, dkey, akey, buf, sizeof(buf), &size, &data_len));
	if (size != 0 || data_len != 0)
		fail_msg("%s/%s: size %" PRIu64 " and %zu bytes returned; expected nothing", dkey,
			 akey, (uint64_t)size, data_len);
	api_check_byte(buf, sizeof(buf), 0xA5);
}

int
api_ar_put(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *dkey, const char *akey,
	   daos_size_t rsize, uint64_t idx, uint64_t nr, const void *buf)
{
	daos_key_t dk;
	daos_recx_t recx = { .rx_idx = idx, .rx_nr = nr };
	daos_iod_t iod = { 0 };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = rsize;
	iod.iod_nr = 1;
	iod.iod_recxs = &recx;
	d_iov_set(&iov, (void *)buf, rsize * nr);
	return daos_obj_update(oh, th, flags, &dk, 1, &iod, &sgl, NULL);
}

int
api_ar_get(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *dkey, const char *akey,
	   daos_size_t rsize, uint64_t idx, uint64_t nr, void *buf, daos_iom_t *iom)
{
	daos_key_t dk;
	daos_recx_t recx = { .rx_idx = idx, .rx_nr = nr };
	daos_iod_t iod = { 0 };
	d_iov_t iov;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &iov };

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = rsize;
	iod.iod_nr = 1;
	iod.iod_recxs = &recx;
	d_iov_set(&iov, buf, rsize * nr);
	return daos_obj_fetch(oh, th, flags, &dk, 1, &iod, &sgl, iom, NULL);
}
