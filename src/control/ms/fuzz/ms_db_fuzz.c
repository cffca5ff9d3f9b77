/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_db_fuzz.c - libFuzzer target for the loader of daos_system.db: any bytes must either
 * decode into a db, or be refused with a message naming the file. A decoded db must
 * encode, and its encoding must decode and encode again to the same text. The seed
 * corpus (corpus/) holds valid documents and broken variants.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "control/ms/ms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_db *db = NULL;
	struct ms_db *db2 = NULL;
	char *s1 = NULL;
	char *s2 = NULL;
	size_t l1;
	size_t l2;
	char err[512];
	int rc;

	err[0] = '\0';
	rc = ms_db_decode(data, size, NULL, &db, err, sizeof(err));
	if (rc != 0) {
		assert(db == NULL);
		assert(strncmp(err, MS_DB_FILE ": ", strlen(MS_DB_FILE) + 2) == 0);
		return 0;
	}
	rc = ms_db_encode(db, &s1, &l1);
	assert(rc == 0);
	rc = ms_db_decode(s1, l1, ms_system_name(db), &db2, err, sizeof(err));
	assert(rc == 0);
	rc = ms_db_encode(db2, &s2, &l2);
	assert(rc == 0);
	assert(l1 == l2 && memcmp(s1, s2, l1) == 0);
	d_free(s1);
	d_free(s2);
	ms_close(db2);
	ms_close(db);
	return 0;
}
