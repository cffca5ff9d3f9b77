/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fault_client - a libdaos client for the fault tests (tests/system/test_client_faults.py):
 * it does what an application does and says, on stdout, how far it got, so that the
 * test can kill an engine or the client itself at the right moment.
 *
 *   fault_client io POOL CONT     update and fetch 64 KiB values (blocking, and through
 *                                 an event queue), printing "running" after the first
 *                                 round; on the first error prints "error <rc> <name>"
 *                                 and exits 2.
 *   fault_client hold POOL CONT   connect, open the container read-write, write one
 *                                 value, print "holding" and wait to be killed.
 *
 * Only public headers, like the other programs here.
 */
#include <daos.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VALUE_SIZE (64 * 1024)

static daos_handle_t poh, coh, oh, eqh;

static int
fail(const char *what, int rc)
{
	printf("error %d %s (%s)\n", rc, d_errstr(rc), what);
	fflush(stdout);
	return 2;
}

static void
io_args(daos_key_t *dkey, char *dkey_buf, size_t dkey_len, uint64_t i, daos_iod_t *iod,
	d_sg_list_t *sgl, d_iov_t *iov, void *buf)
{
	snprintf(dkey_buf, dkey_len, "d%llu", (unsigned long long)(i % 512));
	d_iov_set(dkey, dkey_buf, strlen(dkey_buf));
	memset(iod, 0, sizeof(*iod));
	d_iov_set(&iod->iod_name, "a", 1);
	iod->iod_type = DAOS_IOD_SINGLE;
	iod->iod_nr = 1;
	iod->iod_size = VALUE_SIZE;
	d_iov_set(iov, buf, VALUE_SIZE);
	sgl->sg_nr = 1;
	sgl->sg_iovs = iov;
}

/* One asynchronous update, reaped through the event queue. */
static int
update_async(uint64_t i, char *buf)
{
	daos_event_t ev, *evp;
	char dkey_buf[32];
	daos_key_t dkey;
	daos_iod_t iod;
	d_sg_list_t sgl;
	d_iov_t iov;
	int rc;
	int n;

	io_args(&dkey, dkey_buf, sizeof(dkey_buf), i, &iod, &sgl, &iov, buf);
	rc = daos_event_init(&ev, eqh, NULL);
	if (rc != 0)
		return rc;
	rc = daos_obj_update(oh, DAOS_TX_NONE, 0, &dkey, 1, &iod, &sgl, &ev);
	if (rc == 0) {
		/* wait as an application does: in slices, for as long as it takes */
		do
			n = daos_eq_poll(eqh, 1, 1000 * 1000, 1, &evp);
		while (n == 0);
		rc = n < 0 ? n : ev.ev_error;
	}
	daos_event_fini(&ev);
	return rc;
}

static int
do_io(void)
{
	char *buf = malloc(VALUE_SIZE);
	char *back = malloc(VALUE_SIZE);
	uint64_t i;
	int rc;

	if (buf == NULL || back == NULL)
		return fail("malloc", -DER_NOMEM);
	for (i = 0;; i++) {
		char dkey_buf[32];
		daos_key_t dkey;
		daos_iod_t iod;
		d_sg_list_t sgl;
		d_iov_t iov;

		memset(buf, (int)(i & 0xff), VALUE_SIZE);
		rc = (i % 2) ? update_async(i, buf) : 0;
		if (rc != 0)
			return fail("asynchronous update", rc);
		io_args(&dkey, dkey_buf, sizeof(dkey_buf), i, &iod, &sgl, &iov, buf);
		rc = daos_obj_update(oh, DAOS_TX_NONE, 0, &dkey, 1, &iod, &sgl, NULL);
		if (rc != 0)
			return fail("update", rc);
		io_args(&dkey, dkey_buf, sizeof(dkey_buf), i, &iod, &sgl, &iov, back);
		rc = daos_obj_fetch(oh, DAOS_TX_NONE, 0, &dkey, 1, &iod, &sgl, NULL, NULL);
		if (rc != 0)
			return fail("fetch", rc);
		if (memcmp(buf, back, VALUE_SIZE) != 0)
			return fail("fetch returned other bytes", -DER_IO);
		if (i == 0) {
			printf("running\n");
			fflush(stdout);
		}
	}
}

int
main(int argc, char **argv)
{
	daos_obj_id_t oid = { .lo = 7 };
	char one = 'x';
	daos_key_t dkey;
	daos_iod_t iod;
	d_sg_list_t sgl;
	d_iov_t iov;
	int rc;

	if (argc != 4 || (strcmp(argv[1], "io") != 0 && strcmp(argv[1], "hold") != 0)) {
		fprintf(stderr, "usage: %s io|hold POOL CONT\n", argv[0]);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = daos_init();
	if (rc != 0)
		return fail("daos_init", rc);
	rc = daos_pool_connect(argv[2], NULL, DAOS_PC_RW, &poh, NULL, NULL);
	if (rc != 0)
		return fail("pool connect", rc);
	rc = daos_cont_open(poh, argv[3], DAOS_COO_RW, &coh, NULL, NULL);
	if (rc != 0)
		return fail("container open", rc);
	rc = daos_eq_create(&eqh);
	if (rc != 0)
		return fail("eq create", rc);
	rc = daos_obj_generate_oid(coh, &oid, DAOS_OT_MULTI_HASHED, OC_SX, 0, 0);
	if (rc == 0)
		rc = daos_obj_open(coh, oid, DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		return fail("object open", rc);
	if (strcmp(argv[1], "io") == 0)
		return do_io();

	d_iov_set(&dkey, "held", 4);
	memset(&iod, 0, sizeof(iod));
	d_iov_set(&iod.iod_name, "a", 1);
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_nr = 1;
	iod.iod_size = 1;
	d_iov_set(&iov, &one, 1);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	rc = daos_obj_update(oh, DAOS_TX_NONE, 0, &dkey, 1, &iod, &sgl, NULL);
	if (rc != 0)
		return fail("update", rc);
	printf("holding\n");
	fflush(stdout);
	for (;;)
		pause();
}
