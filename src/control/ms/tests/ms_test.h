/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_test.h - the fixture of the MS unit tests: an MS database open in a fresh
 * temporary directory (ms_test_setup), closed and removed afterwards (ms_test_teardown).
 * Each test binary includes it once.
 */
#ifndef CONTROL_MS_TESTS_MS_TEST_H
#define CONTROL_MS_TESTS_MS_TEST_H

#include <unistd.h>

#include "common/test.h"
#include "control/ms/ms.h"

struct env {
	char *dir;
	char *path; /* <dir>/daos_system.db */
	struct ms_db *db;
	char err[512];
};

static int
ms_test_setup(void **state, const char *name)
{
	struct env *e = d_calloc(1, sizeof(*e));

	assert_non_null(e);
	e->dir = test_tmpdir(name);
	assert_non_null(e->dir);
	assert_true(d_asprintf(&e->path, "%s/%s", e->dir, MS_DB_FILE) > 0);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	*state = e;
	return 0;
}

static int
ms_test_teardown(void **state)
{
	struct env *e = *state;
	char *tmp = NULL;

	ms_close(e->db);
	unlink(e->path);
	assert_true(d_asprintf(&tmp, "%s.tmp", e->path) > 0);
	unlink(tmp);
	d_free(tmp);
	rmdir(e->dir);
	d_free(e->path);
	d_free(e->dir);
	d_free(e);
	return 0;
}

#endif /* CONTROL_MS_TESTS_MS_TEST_H */
