/* SPDX-License-Identifier: Apache-2.0 */
/*
 * obj_bench - libdaos object I/O through a running system, like DAOS's daos_perf:
 *
 *   obj_bench --pool LABEL [--mib N] [--ops N] [--rounds N] [--quick]
 *             [--ref-bulk MB/s] [--ref-vos MB/s] [--ref-rpc-qd16 ops/s]
 *
 * One client process, written against the public headers only (daos.h). Each of
 * --rounds rounds (default 3) creates a container, measures with an SX object (every
 * target) and destroys it (so rounds do not fill the pool); each figure printed is the
 * median of the rounds, with their range:
 *   - 1 MiB updates and fetches (array values), 1 and 8 in flight: MB/s;
 *   - 4 KiB updates and fetches (array values), 1 and 16 in flight: ops/s;
 *   - 4 KiB updates and fetches, 16 in flight, on an S1 object (one target): ops/s;
 * with events on one event queue for depths above 1. Given the figures rpc_bench and
 * vos_bench measured in the same run (--ref-*), it prints the ratios the targets
 * are about: 1 MiB update against the lower of rpc_bench's bulk pull and vos_bench's
 * 1 MiB write; 4 KiB updates at depth 16 against rpc_bench's small-RPC rate at depth 16.
 * rpc_bench serves from one context: the like-for-like figure is the S1 object's, whose
 * updates one target's xstream serves. The SX figure is printed beside it; where the
 * client and the engine's targets outnumber the cores (two targets and a client on two
 * cores), the targets' threads take turns on a core and it falls behind.
 * The benchmark asserts nothing: it prints (exit status 1 only when I/O fails).
 */
#include <daos.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 16

static const char *pool_label;
static long mib = 1024;
static long small_ops = 20000;
static int rounds = 3;
static double ref_bulk;
static double ref_vos;
static double ref_rpc16;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define CHECK(what, rc)                                                                      \
	do {                                                                                 \
		if ((rc) != 0) {                                                             \
			fprintf(stderr, "obj_bench: %s: %s (%d)\n", what, d_errstr(rc), rc); \
			exit(1);                                                             \
		}                                                                            \
	} while (0)

/* One I/O slot: its event, dkey, iod, sgl and buffer. */
struct slot {
	daos_event_t ev;
	uint64_t dkey_val;
	daos_key_t dkey;
	daos_iod_t iod;
	daos_recx_t recx;
	d_sg_list_t sgl;
	d_iov_t iov;
	char *buf;
	bool busy;
};

static struct slot slots[MAX_DEPTH];
static daos_handle_t eqh;
static daos_handle_t oh;

static void
slot_setup(struct slot *s, size_t size, uint64_t dkey)
{
	s->dkey_val = dkey;
	d_iov_set(&s->dkey, &s->dkey_val, sizeof(s->dkey_val));
	d_iov_set(&s->iod.iod_name, "data", 4);
	s->iod.iod_type = DAOS_IOD_ARRAY;
	s->iod.iod_size = 1;
	s->iod.iod_nr = 1;
	s->recx.rx_idx = 0;
	s->recx.rx_nr = size;
	s->iod.iod_recxs = &s->recx;
	d_iov_set(&s->iov, s->buf, size);
	s->sgl.sg_nr = 1;
	s->sgl.sg_iovs = &s->iov;
}

/* Wait for one event of the queue to complete; return its slot. */
static struct slot *
reap_one(void)
{
	daos_event_t *evp[1];
	int rc;

	do {
		rc = daos_eq_poll(eqh, 0, DAOS_EQ_WAIT, 1, evp);
	} while (rc == 0);
	if (rc < 0)
		CHECK("daos_eq_poll", rc);
	CHECK("async I/O", evp[0]->ev_error);
	return (struct slot *)((char *)evp[0] - offsetof(struct slot, ev));
}

/* @nr operations of @size bytes, @depth in flight; returns seconds. */
static double
run(bool fetch, size_t size, long nr, int depth, uint64_t keys)
{
	double t0 = now_s();
	long issued = 0;
	long done = 0;
	int i;
	int rc;

	for (i = 0; i < depth; i++)
		slots[i].busy = false;
	while (done < nr) {
		struct slot *s = NULL;

		if (issued < nr) {
			for (i = 0; i < depth; i++)
				if (!slots[i].busy) {
					s = &slots[i];
					break;
				}
		}
		if (s == NULL) {
			s = reap_one();
			s->busy = false;
			done++;
			continue;
		}
		slot_setup(s, size, (uint64_t)(issued % (long)keys));
		if (depth == 1) {
			rc = fetch ? daos_obj_fetch(oh, DAOS_TX_NONE, 0, &s->dkey, 1, &s->iod,
						    &s->sgl, NULL, NULL)
				   : daos_obj_update(oh, DAOS_TX_NONE, 0, &s->dkey, 1, &s->iod,
						     &s->sgl, NULL);
			CHECK(fetch ? "daos_obj_fetch" : "daos_obj_update", rc);
			issued++;
			done++;
			continue;
		}
		rc = daos_event_init(&s->ev, eqh, NULL);
		CHECK("daos_event_init", rc);
		rc = fetch ? daos_obj_fetch(oh, DAOS_TX_NONE, 0, &s->dkey, 1, &s->iod, &s->sgl,
					    NULL, &s->ev)
			   : daos_obj_update(oh, DAOS_TX_NONE, 0, &s->dkey, 1, &s->iod, &s->sgl,
					     &s->ev);
		CHECK(fetch ? "daos_obj_fetch" : "daos_obj_update", rc);
		s->busy = true;
		issued++;
	}
	for (i = 0; i < depth; i++)
		if (depth > 1)
			daos_event_fini(&slots[i].ev);
	return now_s() - t0;
}

enum measure {
	UPD1,
	UPD8,
	FET1,
	FET8,
	S_UPD1,
	S_UPD16,
	S_FET1,
	S_FET16,
	T_UPD16,
	T_FET16,
	NR_MEASURES
};

static const struct {
	const char *name;
	bool big; /* 1 MiB (MB/s) or 4 KiB (op/s) */
	bool fetch;
	int depth;
	bool one_target; /* on the S1 object, else the SX one */
} measures[NR_MEASURES] = {
	[UPD1] = { "1 MiB update, 1 in flight", true, false, 1, false },
	[UPD8] = { "1 MiB update, 8 in flight", true, false, 8, false },
	[FET1] = { "1 MiB fetch, 1 in flight", true, true, 1, false },
	[FET8] = { "1 MiB fetch, 8 in flight", true, true, 8, false },
	[S_UPD1] = { "4 KiB update, 1 in flight", false, false, 1, false },
	[S_UPD16] = { "4 KiB update, 16 in flight", false, false, 16, false },
	[S_FET1] = { "4 KiB fetch, 1 in flight", false, true, 1, false },
	[S_FET16] = { "4 KiB fetch, 16 in flight", false, true, 16, false },
	[T_UPD16] = { "4 KiB update, 16 in flight, S1", false, false, 16, true },
	[T_FET16] = { "4 KiB fetch, 16 in flight, S1", false, true, 16, true },
};

#define MAX_ROUNDS 15

/* figures[m][r]: measure m of round r, in MB/s or op/s */
static double figures[NR_MEASURES][MAX_ROUNDS];

/* One round: a fresh container and object, every measure once, the container destroyed. */
static void
round_run(daos_handle_t poh, int r)
{
	daos_obj_id_t oid = { .lo = 1 };
	daos_obj_id_t oid1 = { .lo = 2 };
	daos_handle_t oh_sx;
	daos_handle_t oh_s1;
	char cont_label[64];
	daos_handle_t coh;
	uuid_t cuuid;
	int m;

	snprintf(cont_label, sizeof(cont_label), "obj_bench_%ld_%d", (long)getpid(), r);
	CHECK("daos_cont_create", daos_cont_create_with_label(poh, cont_label, NULL, &cuuid, NULL));
	CHECK("daos_cont_open", daos_cont_open(poh, cont_label, DAOS_COO_RW, &coh, NULL, NULL));
	CHECK("daos_obj_generate_oid",
	      daos_obj_generate_oid(coh, &oid, DAOS_OT_DKEY_UINT64, OC_SX, 0, 0));
	CHECK("daos_obj_generate_oid",
	      daos_obj_generate_oid(coh, &oid1, DAOS_OT_DKEY_UINT64, OC_S1, 0, 0));
	CHECK("daos_obj_open", daos_obj_open(coh, oid, DAOS_OO_RW, &oh_sx, NULL));
	CHECK("daos_obj_open", daos_obj_open(coh, oid1, DAOS_OO_RW, &oh_s1, NULL));
	/* 1 MiB values over 64 dkeys, 4 KiB ones over 1024: written first, so the fetches
	 * read real data */
	for (m = 0; m < NR_MEASURES; m++) {
		long nr = measures[m].big ? mib : small_ops;
		double secs;

		oh = measures[m].one_target ? oh_s1 : oh_sx;
		secs = run(measures[m].fetch, measures[m].big ? 1 << 20 : 4096, nr,
			   measures[m].depth, measures[m].big ? 64 : 1024);

		figures[m][r] = (double)nr / secs * (measures[m].big ? 1.048576 : 1.0);
	}
	CHECK("daos_obj_close", daos_obj_close(oh_sx, NULL));
	CHECK("daos_obj_close", daos_obj_close(oh_s1, NULL));
	CHECK("daos_cont_close", daos_cont_close(coh, NULL));
	CHECK("daos_cont_destroy", daos_cont_destroy(poh, cont_label, 1, NULL));
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of measure @m over the rounds (sorts its row). */
static double
median(enum measure m)
{
	qsort(figures[m], (size_t)rounds, sizeof(double), dbl_cmp);
	if (rounds % 2 == 1)
		return figures[m][rounds / 2];
	return (figures[m][rounds / 2 - 1] + figures[m][rounds / 2]) / 2;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "mib", required_argument, NULL, 'm' },
		{ "ops", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "quick", no_argument, NULL, 'q' },
		{ "ref-bulk", required_argument, NULL, 'b' },
		{ "ref-vos", required_argument, NULL, 'v' },
		{ "ref-rpc-qd16", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	double med[NR_MEASURES];
	daos_handle_t poh;
	int opt;
	int i;
	int m;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pool_label = optarg;
			break;
		case 'm':
			mib = strtol(optarg, NULL, 10);
			break;
		case 'o':
			small_ops = strtol(optarg, NULL, 10);
			break;
		case 'n':
			rounds = (int)strtol(optarg, NULL, 10);
			break;
		case 'q':
			mib = 128;
			small_ops = 2000;
			break;
		case 'b':
			ref_bulk = strtod(optarg, NULL);
			break;
		case 'v':
			ref_vos = strtod(optarg, NULL);
			break;
		case 'r':
			ref_rpc16 = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr,
				"usage: obj_bench --pool LABEL [--mib N] [--ops N] [--rounds N] "
				"[--quick] [--ref-bulk MB/s] [--ref-vos MB/s] [--ref-rpc-qd16 ops/s]\n");
			return 2;
		}
	}
	if (pool_label == NULL || mib < 16 || small_ops < 100 || rounds < 1 ||
	    rounds > MAX_ROUNDS) {
		fprintf(stderr,
			"obj_bench: --pool is required; --mib >= 16, --ops >= 100, "
			"--rounds 1 to %d\n",
			MAX_ROUNDS);
		return 2;
	}
	for (i = 0; i < MAX_DEPTH; i++) {
		slots[i].buf = malloc(1 << 20);
		if (slots[i].buf == NULL)
			return 1;
		memset(slots[i].buf, 'a' + i, 1 << 20);
	}
	CHECK("daos_init", daos_init());
	CHECK("daos_pool_connect",
	      daos_pool_connect(pool_label, NULL, DAOS_PC_RW, &poh, NULL, NULL));
	CHECK("daos_eq_create", daos_eq_create(&eqh));
	for (i = 0; i < rounds; i++)
		round_run(poh, i);

	printf("obj_bench: pool %s, object class SX (S1 where named), %ld x 1 MiB, %ld x 4 KiB per run; "
	       "median of %d rounds (range)\n",
	       pool_label, mib, small_ops, rounds);
	printf("%-36s %12s\n", "measure", "libdaos");
	for (m = 0; m < NR_MEASURES; m++) {
		med[m] = median((enum measure)m);
		printf("%-36s %7.0f %s  (%.0f-%.0f)\n", measures[m].name, med[m],
		       measures[m].big ? "MB/s" : "op/s", figures[m][0], figures[m][rounds - 1]);
	}
	if (ref_bulk > 0 && ref_vos > 0) {
		double lim = ref_bulk < ref_vos ? ref_bulk : ref_vos;

		printf("1 MiB update (8 in flight) vs min(rpc_bench bulk %.0f, vos_bench %.0f MB/s):"
		       " %.0f%% (target >= 70%%)\n",
		       ref_bulk, ref_vos, 100.0 * med[UPD8] / lim);
	}
	if (ref_rpc16 > 0) {
		printf("4 KiB update (16 in flight, S1) vs rpc_bench small RPCs at depth 16 "
		       "(%.0f op/s): %.0f%% (target >= 50%%)\n",
		       ref_rpc16, 100.0 * med[T_UPD16] / ref_rpc16);
		printf("4 KiB update (16 in flight, SX) vs the same: %.0f%%\n",
		       100.0 * med[S_UPD16] / ref_rpc16);
	}

	CHECK("daos_eq_destroy", daos_eq_destroy(eqh, 0));
	CHECK("daos_pool_disconnect", daos_pool_disconnect(poh, NULL));
	CHECK("daos_fini", daos_fini());
	for (i = 0; i < MAX_DEPTH; i++)
		free(slots[i].buf);
	return 0;
}
