/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_autotest.c - `daos pool autotest <pool>`: a smoke test of a pool with DAOS's steps
 * (reference §8.9). Each step prints one line, "Step Operation Status Time(sec) Comment",
 * with PASS, FAIL or SKIP; a failed step sends the run to the teardown steps that undo
 * what was set up so far (after a failed data step the container is still closed and the
 * containers destroyed), and the run ends with "All steps passed." or "Some steps failed.".
 *
 * Data steps write values under numbered dkeys of one object and read them back, checking
 * every byte against a pattern derived from the key. The layout steps (10, 11) and the
 * value steps stop at --deadline-limit seconds each (default 150); a step cut short says
 * so in its comment and still passes. The containers that need more fault domains than the
 * pool has nodes (rd_fac 1 and 2) are skipped, as DAOS skips them.
 */
#define D_LOGFAC DD_FAC(control)

#include <inttypes.h>
#include <time.h>
#include <unistd.h>

#include "control/daos/dcli_int.h"

#define AT_DEADLINE_DEFAULT 150
#define AT_STATUS_PASS 0
#define AT_STATUS_SKIP 1

struct at_run {
	struct cli_ctx *ctx;
	const struct dcli_ops *ops;
	bool color;        /* stdout is a terminal */
	bool failed;       /* some step failed */
	int first_rc;      /* the first failure's code */
	double deadline;   /* seconds per time-bound step */
	json_t *steps;     /* -j: the steps */
	daos_handle_t poh; /* pool */
	daos_handle_t coh; /* main container */
	uint64_t next_lo;  /* OIDs of this run */
	uint32_t nr_nodes; /* fault domains, for the RF containers */
	char cont[3][37];  /* main, rd_fac 1, rd_fac 2 container UUIDs ("" if none) */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Report one step: @rc 0 passed, AT_STATUS_SKIP skipped, < 0 failed. */
static void at_step(struct at_run *t, int step, const char *op, int rc, double t0, const char *fmt,
		    ...) __attribute__((format(printf, 6, 7)));

static void
at_step(struct at_run *t, int step, const char *op, int rc, double t0, const char *fmt, ...)
{
	const char *status = rc == 0 ? "PASS" : rc == AT_STATUS_SKIP ? "SKIP" : "FAIL";
	const char *color = rc == 0 ? "\033[32m" : rc == AT_STATUS_SKIP ? "\033[33m" : "\033[31m";
	double secs = t0 > 0 ? now() - t0 : 0;
	char comment[256] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(comment, sizeof(comment), fmt, ap);
	va_end(ap);
	if (rc < 0 && comment[0] == '\0')
		snprintf(comment, sizeof(comment), "%s(%d)", d_errstr(rc), rc);
	if (rc < 0 && !t->failed) {
		t->failed = true;
		t->first_rc = rc;
	}
	if (t->steps != NULL) {
		json_array_append_new(t->steps, json_pack("{s:i, s:s, s:s, s:f, s:s}", "step", step,
							  "operation", op, "status", status, "time",
							  secs, "comment", comment));
		return;
	}
	fprintf(t->ctx->out, "%4d  %-28s %s%-6s%s %9.3f  %s\n", step, op, t->color ? color : "",
		status, t->color ? "\033[0m" : "", secs, comment);
	fflush(t->ctx->out);
}

/* A step without a comment. */
static void
at_done(struct at_run *t, int step, const char *op, int rc, double t0)
{
	at_step(t, step, op, rc, t0, "%s", "");
}

/* A new OID of class @cid in @coh (0: picked from the container's redundancy). */
static int
at_oid(struct at_run *t, daos_handle_t coh, daos_oclass_id_t cid, daos_obj_id_t *oid)
{
	oid->hi = 0;
	oid->lo = ++t->next_lo;
	return t->ops->obj_generate_oid(coh, oid, DAOS_OT_MULTI_HASHED, cid,
					cid == 0 ? DAOS_OCH_RDD_DEF | DAOS_OCH_SHD_DEF : 0, 0);
}

/* Steps 10 and 11: compute @nr layouts (generate the OID, open, close) of class @cid. */
static int
at_layouts(struct at_run *t, int step, const char *op, daos_oclass_id_t cid, uint64_t nr)
{
	double t0 = now();
	daos_obj_id_t oid;
	daos_handle_t oh;
	uint64_t i;
	int rc = 0;

	for (i = 0; i < nr && rc == 0; i++) {
		if (now() - t0 > t->deadline)
			break;
		rc = at_oid(t, t->coh, cid, &oid);
		if (rc == 0)
			rc = t->ops->obj_open(t->coh, oid, DAOS_OO_RO, &oh, NULL);
		if (rc == 0)
			rc = t->ops->obj_close(oh, NULL);
	}
	if (rc != 0)
		at_step(t, step, op, rc, t0, "%s(%d) at layout %" PRIu64, d_errstr(rc), rc, i);
	else if (i < nr)
		at_step(t, step, op, 0, t0, "%" PRIu64 " layouts before the deadline", i);
	else
		at_done(t, step, op, 0, t0);
	return rc;
}

/* The bytes of value @i: a pattern no two keys share at the same offset. */
static void
at_fill(char *buf, size_t size, uint64_t i)
{
	size_t k;

	for (k = 0; k < size; k++)
		buf[k] = (char)((i * 131 + k * 7) & 0xff);
}

/*
 * Write (@update) or read back and check @nr values of @size bytes under dkeys 0..nr-1 of
 * @oid. *done: how many before the deadline.
 */
static int
at_values(struct at_run *t, daos_handle_t coh, daos_obj_id_t oid, size_t size, uint64_t nr,
	  bool update, uint64_t *done, double t0)
{
	char dkey_buf[32], akey_buf[] = "autotest", *buf, *want;
	daos_key_t dkey;
	daos_iod_t iod = { 0 };
	d_sg_list_t sgl = { 0 };
	d_iov_t iov;
	daos_handle_t oh;
	uint64_t i;
	int rc;

	buf = d_calloc(1, size);
	want = d_calloc(1, size);
	if (buf == NULL || want == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	rc = t->ops->obj_open(coh, oid, DAOS_OO_RW, &oh, NULL);
	if (rc != 0)
		goto out;
	d_iov_set(&iod.iod_name, akey_buf, strlen(akey_buf));
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_nr = 1;
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	for (i = 0; i < nr; i++) {
		if (now() - t0 > t->deadline)
			break;
		snprintf(dkey_buf, sizeof(dkey_buf), "dkey_%" PRIu64, i);
		d_iov_set(&dkey, dkey_buf, strlen(dkey_buf));
		at_fill(want, size, i);
		d_iov_set(&iov, update ? want : buf, size);
		iod.iod_size = update ? size : DAOS_REC_ANY;
		if (update) {
			rc = t->ops->obj_update(oh, DAOS_TX_NONE, 0, &dkey, 1, &iod, &sgl, NULL);
		} else {
			memset(buf, 0, size);
			rc = t->ops->obj_fetch(oh, DAOS_TX_NONE, 0, &dkey, 1, &iod, &sgl, NULL,
					       NULL);
			if (rc == 0 && (iod.iod_size != size || memcmp(buf, want, size) != 0))
				rc = -DER_MISMATCH;
		}
		if (rc != 0)
			break;
	}
	*done = i;
	t->ops->obj_close(oh, NULL);
out:
	d_free(want);
	d_free(buf);
	return rc;
}

/* A write step and its read-back step (not run if the write failed). */
static int
at_io_steps(struct at_run *t, daos_handle_t coh, int step, const char *wop, const char *rop,
	    size_t size, uint64_t nr, daos_obj_id_t *oid)
{
	uint64_t wrote = 0, read = 0;
	double t0 = now();
	int rc;

	rc = at_oid(t, coh, 0, oid);
	if (rc == 0)
		rc = at_values(t, coh, *oid, size, nr, true, &wrote, t0);
	if (rc != 0) {
		at_step(t, step, wop, rc, t0, "%s(%d) after %" PRIu64 " values", d_errstr(rc), rc,
			wrote);
		return rc;
	}
	at_step(t, step, wop, 0, t0, "%" PRIu64 " values", wrote);
	t0 = now();
	rc = at_values(t, coh, *oid, size, wrote, false, &read, t0);
	if (rc != 0)
		at_step(t, step + 1, rop, rc, t0, "%s(%d) after %" PRIu64 " values", d_errstr(rc),
			rc, read);
	else
		at_step(t, step + 1, rop, 0, t0, "%" PRIu64 " values", read);
	return rc;
}

static int
at_punch(struct at_run *t, int step, daos_obj_id_t oid)
{
	double t0 = now();
	daos_handle_t oh;
	int rc;

	rc = t->ops->obj_open(t->coh, oid, DAOS_OO_RW, &oh, NULL);
	if (rc == 0) {
		rc = t->ops->obj_punch(oh, DAOS_TX_NONE, 0, NULL);
		t->ops->obj_close(oh, NULL);
	}
	at_done(t, step, "Punching object", rc, t0);
	return rc;
}

/* Steps 40-43: write and read in a container of @rf, if the pool has the fault domains. */
static int
at_rf_steps(struct at_run *t, int step, unsigned int rf, const char *uuid)
{
	char wop[64], rop[64];
	daos_obj_id_t oid;
	daos_handle_t coh;
	double t0 = now();
	int rc;

	snprintf(wop, sizeof(wop), "Inserting into RF%u cont", rf);
	snprintf(rop, sizeof(rop), "Reading from RF%u cont", rf);
	if (uuid[0] == '\0') {
		at_step(t, step, wop, AT_STATUS_SKIP, 0, "needs %u fault domains, pool has %u",
			rf + 1, t->nr_nodes);
		at_done(t, step + 1, rop, AT_STATUS_SKIP, 0);
		return 0;
	}
	rc = t->ops->cont_open(t->poh, uuid, DAOS_COO_RW, &coh, NULL, NULL);
	if (rc != 0) {
		at_step(t, step, wop, rc, t0, "cannot open: %s(%d)", d_errstr(rc), rc);
		return rc;
	}
	rc = at_io_steps(t, coh, step, wop, rop, 4096, 1000, &oid);
	t->ops->cont_close(coh, NULL);
	return rc;
}

/* Step 2: the main container, and the RF ones when the pool has the fault domains. */
static int
at_create(struct at_run *t)
{
	double t0 = now();
	daos_prop_t props = { 0 };
	unsigned int rf;
	uuid_t uuid;
	int rc;

	rc = t->ops->cont_create(t->poh, &uuid, NULL, NULL);
	if (rc != 0) {
		at_done(t, 2, "Creating containers", rc, t0);
		return rc;
	}
	uuid_unparse_lower(uuid, t->cont[0]);
	for (rf = 1; rf <= 2 && rc == 0; rf++) {
		if (t->nr_nodes < rf + 1)
			continue;
		rc = cont_props_add_num(&props, DAOS_PROP_CO_REDUN_FAC, rf);
		if (rc == 0)
			rc = t->ops->cont_create(t->poh, &uuid, &props, NULL);
		if (rc == 0)
			uuid_unparse_lower(uuid, t->cont[rf]);
		cont_props_fini(&props);
	}
	at_step(t, 2, "Creating containers", rc, t0, "uuid = %s", t->cont[0]);
	return rc;
}

static void
at_destroy(struct at_run *t)
{
	double t0 = now();
	unsigned int i;
	int rc = 0, r;

	for (i = 0; i < ARRAY_SIZE(t->cont); i++) {
		if (t->cont[i][0] == '\0')
			continue;
		r = t->ops->cont_destroy(t->poh, t->cont[i], 1, NULL);
		if (rc == 0)
			rc = r;
	}
	at_done(t, 97, "Destroying containers", rc, t0);
}

int
dcli_pool_autotest(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct at_run t = { .ctx = ctx, .ops = ctx->ops, .deadline = AT_DEADLINE_DEFAULT };
	daos_pool_info_t info = { 0 };
	daos_obj_id_t oid;
	uint64_t v;
	double t0;
	int rc;

	if (a->set[DCLI_OPT_DEADLINE]) {
		if (cli_uint_parse(a->val[DCLI_OPT_DEADLINE], 1000000, &v) != 0 || v == 0)
			return dcli_errf(ctx, 0,
					 "invalid --deadline-limit \"%s\": expected seconds",
					 a->val[DCLI_OPT_DEADLINE]);
		t.deadline = (double)v;
	}
	t.color = !ctx->json && isatty(fileno(ctx->out));
	if (ctx->json) {
		t.steps = json_array();
		if (t.steps == NULL)
			return dcli_errf(ctx, -DER_NOMEM, "pool autotest failed");
	} else {
		fprintf(ctx->out, "Step  %-28s Status %9s  Comment\n", "Operation", "Time(sec)");
	}

	t0 = now();
	rc = t.ops->init();
	at_done(&t, 0, "Initializing DAOS", rc, t0);
	if (rc != 0)
		goto out;
	t0 = now();
	rc = t.ops->pool_connect(a->pos[0], ctx->sys, DAOS_PC_RW, &t.poh, &info, NULL);
	at_step(&t, 1, "Connecting to pool", rc, t0, "%s", a->pos[0]);
	if (rc != 0)
		goto out_fini;
	t.nr_nodes = info.pi_nnodes;
	rc = at_create(&t);
	if (rc != 0)
		goto out_destroy;
	t0 = now();
	rc = t.ops->cont_open(t.poh, t.cont[0], DAOS_COO_RW, &t.coh, NULL, NULL);
	at_done(&t, 3, "Opening container", rc, t0);
	if (rc != 0)
		goto out_destroy;

	/* A failed step ends the data steps: the run goes on with the teardown. */
	rc = at_layouts(&t, 10, "Generating 1M S1 layouts", OC_S1, 1000000);
	if (rc == 0)
		rc = at_layouts(&t, 11, "Generating 10K SX layouts", OC_SX, 10000);
	if (rc == 0)
		rc = at_io_steps(&t, t.coh, 20, "Inserting 128B values", "Reading 128B values", 128,
				 10000, &oid);
	if (rc == 0)
		rc = at_punch(&t, 23, oid);
	if (rc == 0)
		rc = at_io_steps(&t, t.coh, 24, "Inserting 4KB values", "Reading 4KB values", 4096,
				 5000, &oid);
	if (rc == 0)
		rc = at_punch(&t, 27, oid);
	if (rc == 0 && a->set[DCLI_OPT_SKIP_BIG]) {
		at_step(&t, 28, "Inserting 1MB values", AT_STATUS_SKIP, 0, "--skip-big");
		at_step(&t, 29, "Reading 1MB values", AT_STATUS_SKIP, 0, "--skip-big");
		at_step(&t, 31, "Punching object", AT_STATUS_SKIP, 0, "--skip-big");
	} else if (rc == 0) {
		rc = at_io_steps(&t, t.coh, 28, "Inserting 1MB values", "Reading 1MB values",
				 1 << 20, 64, &oid);
		if (rc == 0)
			rc = at_punch(&t, 31, oid);
	}
	if (rc == 0)
		rc = at_rf_steps(&t, 40, 1, t.cont[1]);
	if (rc == 0)
		rc = at_rf_steps(&t, 42, 2, t.cont[2]);

	t0 = now();
	rc = t.ops->cont_close(t.coh, NULL);
	at_done(&t, 96, "Closing containers", rc, t0);
out_destroy:
	at_destroy(&t);
	t0 = now();
	rc = t.ops->pool_disconnect(t.poh, NULL);
	at_done(&t, 98, "Disconnecting from pool", rc, t0);
out_fini:
	t0 = now();
	rc = t.ops->fini();
	at_done(&t, 99, "Tearing down DAOS", rc, t0);
out:
	if (t.steps != NULL)
		ctx->json_resp = json_pack("{s:o, s:b}", "steps", t.steps, "passed", !t.failed);
	else
		fprintf(ctx->out, "\n%s\n", t.failed ? "Some steps failed." : "All steps passed.");
	if (t.failed)
		return dcli_errf(ctx, t.first_rc, "pool autotest of %s failed", a->pos[0]);
	return 0;
}
