/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_test.h - what the libdaos conformance programs share. They drive libdaos only
 * through <daos.h>, as an application would: nothing here or in the programs includes
 * a header from src/.
 *
 * Every program connects to the pool named by DAOS_POOL, creates a container of its own
 * (api_group_setup) and destroys it at the end (api_group_teardown). DAOS_API_NTARGETS,
 * if set, is the number of targets the pool has; checks that depend on it are skipped
 * without it. tests/api/README.md says how to run the programs.
 *
 * The checks follow DAOS's documented semantics (daos_obj.h and friends): a program
 * written for DAOS must see the same results here.
 */
#ifndef API_TEST_H
#define API_TEST_H

#include <daos.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

/* The handles and names every test of a program uses. */
struct api_ctx {
	daos_handle_t poh; /* connection to DAOS_POOL, read-write */
	daos_handle_t coh; /* the program's container, read-write */
	const char *pool;  /* label (or UUID) of the pool */
	char cont[64];     /* label of the program's container */
	uint32_t ntargets; /* DAOS_API_NTARGETS; 0 if not given */
	uint64_t next_lo;  /* low OID bits of the next api_oid() */
	bool up;           /* setup succeeded: teardown has something to undo */
};

extern struct api_ctx api;

/* cmocka group setup and teardown: daos_init, connect, create and open a container. */
int api_group_setup(void **state);
int api_group_teardown(void **state);

/* Compare DER codes, naming both on a mismatch. */
#define assert_rc_equal(rc, expected)                                                              \
	do {                                                                                       \
		int rc_ = (rc);                                                                    \
		int exp_ = (expected);                                                             \
		if (rc_ != exp_)                                                                   \
			fail_msg("%s returned %s (%d), expected %s (%d)", #rc, d_errstr(rc_), rc_, \
				 d_errstr(exp_), exp_);                                            \
	} while (0)

#define assert_success(rc) assert_rc_equal(rc, 0)

/* A new label "api_<tag>_<pid>_<n>" in @buf. */
void api_label(char *buf, size_t len, const char *tag);

/* malloc() that fails the test instead of returning NULL. */
void *api_alloc(size_t len);

/* A fresh OID in the program's container of @type and class @cid (asserts success). */
daos_obj_id_t api_oid(enum daos_otype_t type, daos_oclass_id_t cid);
/* Open @oid read-write in the program's container (asserts success). */
daos_handle_t api_obj_open(daos_obj_id_t oid);

/* Fill @len bytes with the pattern of @seed: each byte depends on seed and offset. */
void api_fill(void *buf, size_t len, uint32_t seed);
/* Fail the test at the first byte of @buf that is not the pattern of @seed. */
void api_check_fill(const void *buf, size_t len, uint32_t seed, size_t pattern_off);
/* Fail the test unless all @len bytes of @buf are @byte. */
void api_check_byte(const void *buf, size_t len, unsigned char byte);

/* Bytes the first sg_nr_out iovs of @sgl hold: what a fetch returned. */
size_t api_sgl_data_len(const d_sg_list_t *sgl);

/*
 * A single value @len bytes at @buf under (@dkey, @akey), with conditional @flags.
 * Returns the call's result.
 */
int api_sv_put(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *dkey,
	       const char *akey, const void *buf, size_t len);
/*
 * Fetch the single value under (@dkey, @akey) into @buf (@buf_len bytes; NULL: size
 * only). iod_size is *size on entry (DAOS_REC_ANY to learn it) and is returned there;
 * *data_len, if not NULL, is what the sgl holds after the call.
 */
int api_sv_get(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *dkey,
	       const char *akey, void *buf, size_t buf_len, daos_size_t *size, size_t *data_len);
/* The single value under (@dkey, @akey) must be exactly the @len bytes at @expect. */
void api_sv_expect(daos_handle_t oh, daos_handle_t th, const char *dkey, const char *akey,
		   const void *expect, size_t len);
/* Nothing must be under (@dkey, @akey): size 0 and no data. */
void api_sv_expect_none(daos_handle_t oh, daos_handle_t th, const char *dkey, const char *akey);

/* Write @nr records of @rsize bytes at index @idx of the array akey (@dkey, @akey). */
int api_ar_put(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *dkey,
	       const char *akey, daos_size_t rsize, uint64_t idx, uint64_t nr, const void *buf);
/* Read them into @buf (nr * rsize bytes); @iom may be NULL. */
int api_ar_get(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *dkey,
	       const char *akey, daos_size_t rsize, uint64_t idx, uint64_t nr, void *buf,
	       daos_iom_t *iom);

#endif /* API_TEST_H */
