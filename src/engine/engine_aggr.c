/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_aggr.c - background aggregation on each target: the versions of a container's
 * values that nobody can read any more (overwritten or punched, and older than every
 * snapshot that could see them) are merged away and their space given back, as DAOS's
 * aggregation service does (docs/design/engine-io.md).
 *
 * Every AGGR_PERIOD_MS a target looks for a container written since it last finished
 * with it. For that container it asks the pool service for its snapshots
 * (RPC_CONT_TGT_SNAPS), then runs vos_aggregate() in steps of AGGR_BUDGET entries, a
 * timer tick apart so that I/O goes on between steps, up to a bound of "now" (when the
 * snapshots were asked) less AGGR_MARGIN_SEC. A snapshot taken after the question has a
 * later epoch than the bound, so nothing it can read is merged away; the margin also
 * covers clocks of the service and the target that differ a little. A container is
 * clean again once a pass ends and its last write is below the bound.
 *
 * Everything runs on the target's thread; steps look their container up again (it may
 * have been destroyed or closed meanwhile). Errors are logged and the container is
 * tried again at a later period: aggregation never fails an I/O.
 */
#define D_LOGFAC DD_FAC(object)

#include <gurt/common.h>
#include <gurt/hlc.h>

#include "engine/engine_tgt.h"

#define AGGR_PERIOD_MS 2000
#define AGGR_STEP_MS 1
#define AGGR_MARGIN_SEC 5
#define AGGR_BUDGET 512

struct tgt_aggr {
	struct eng_tgt *tgt;
	struct eng_timer *timer; /* the next tick or step; NULL while a query runs */
	bool querying;           /* a snapshot query is in flight */
	uuid_t pool;             /* the container being aggregated */
	uuid_t cont;
	uint64_t bound;
	uint64_t *snaps;
	uint32_t nr_snaps;
	uint64_t nr_passes; /* ids queries, to drop stale answers */
};

static void aggr_tick(void *arg);
static void aggr_step(void *arg);

void
tgt_cont_used(struct tgt_cont *c, const struct tgt_req *req)
{
	c->svc_rank = req->hdr->svc_rank;
	if (req->write) {
		c->dirty = true;
		c->last_write = d_hlc_get();
	}
}

static void
aggr_arm(struct tgt_aggr *a, uint64_t delay_ms, eng_fn fn)
{
	int rc;

	rc = eng_timer_add(a->tgt->xs, delay_ms, fn, a, &a->timer);
	if (rc != 0) {
		/* without a timer aggregation stops here; I/O is unaffected */
		D_ERROR("target %u: aggregation stops: " DF_RC, a->tgt->idx, DP_RC(rc));
		a->timer = NULL;
	}
}

/* The first container written since aggregation last finished with it, or NULL. */
static struct tgt_cont *
aggr_pick(struct eng_tgt *tgt)
{
	struct tgt_cont *c;
	unsigned int b;

	for (b = 0; b < TGT_HASH_BUCKETS; b++)
		d_list_for_each_entry(c, &tgt->conts[b], link)
			if (c->dirty)
				return c;
	return NULL;
}

struct aggr_query {
	struct tgt_aggr *a;
	uint64_t id;
};

static void
aggr_snaps_done(void *arg, int status, const void *body, size_t len)
{
	struct aggr_query *q = arg;
	struct tgt_aggr *a = q->a;
	struct eng_tgt *tgt = a->tgt;
	uint64_t *snaps = NULL;
	uint32_t nr = 0;
	int rc = status;

	if (tgt->stopped || q->id != a->nr_passes) {
		/* stopped meanwhile: tgt_aggr_stop left the state to us */
		if (tgt->stopped)
			d_free(a);
		goto out;
	}
	a->querying = false;
	if (rc == 0)
		rc = rpc_snaps_decode(body, len, &snaps, &nr);
	if (rc != 0) {
		struct tgt_cont *c = tgt_cont_find(tgt, a->pool, a->cont);

		if (rc == -DER_NONEXIST && c != NULL)
			c->dirty = false; /* being destroyed: nothing to merge */
		else
			D_INFO("target %u: container " DF_UUID ": no snapshot list, not aggregated "
			       "now: " DF_RC,
			       tgt->idx, DP_UUID(a->cont), DP_RC(rc));
		aggr_arm(a, AGGR_PERIOD_MS, aggr_tick);
		goto out;
	}
	d_free(a->snaps);
	a->snaps = snaps;
	a->nr_snaps = nr;
	aggr_arm(a, 0, aggr_step);
out:
	d_free(q);
	tgt_put(tgt);
}

/* Ask the pool service for @c's snapshots; aggregation of @c goes on when it answers. */
static int
aggr_query(struct tgt_aggr *a, struct tgt_cont *c)
{
	struct eng_tgt *tgt = a->tgt;
	struct net_ctx *ctx = eng_xs_net(tgt->xs);
	struct aggr_query *q;
	struct net_peer *peer;
	uint8_t body[64];
	size_t len;
	int rc;

	rc = net_group_peer(tgt->eng->group, ctx, c->svc_rank, 0, &peer);
	if (rc != 0)
		return rc;
	q = d_calloc(1, sizeof(*q));
	if (q == NULL)
		return -DER_NOMEM;
	uuid_copy(a->pool, c->pool);
	uuid_copy(a->cont, c->cont);
	a->bound = d_hlc_get() - d_nsec2hlc((uint64_t)AGGR_MARGIN_SEC * NSEC_PER_SEC);
	q->a = a;
	q->id = ++a->nr_passes;
	len = rpc_cont_id_encode(c->pool, c->cont, body, sizeof(body));
	rc = net_req_send(ctx, peer, RPC_CONT_TGT_SNAPS, body, len,
			  tgt->eng->args.crt_timeout * 1000, aggr_snaps_done, q);
	if (rc != 0) {
		d_free(q);
		return rc;
	}
	a->querying = true;
	tgt->nr_active++;
	return 0;
}

static void
aggr_tick(void *arg)
{
	struct tgt_aggr *a = arg;
	struct tgt_cont *c;
	int rc;

	a->timer = NULL;
	c = aggr_pick(a->tgt);
	if (c == NULL) {
		aggr_arm(a, AGGR_PERIOD_MS, aggr_tick);
		return;
	}
	rc = aggr_query(a, c);
	if (rc != 0) {
		D_INFO("target %u: container " DF_UUID ": cannot ask for its snapshots: " DF_RC,
		       a->tgt->idx, DP_UUID(c->cont), DP_RC(rc));
		aggr_arm(a, AGGR_PERIOD_MS, aggr_tick);
	}
}

static void
aggr_step(void *arg)
{
	struct tgt_aggr *a = arg;
	struct eng_tgt *tgt = a->tgt;
	struct tgt_cont *c;
	int rc;

	a->timer = NULL;
	c = tgt_cont_find(tgt, a->pool, a->cont);
	if (c == NULL) {
		/* destroyed or closed meanwhile */
		aggr_arm(a, AGGR_STEP_MS, aggr_tick);
		return;
	}
	rc = vos_aggregate(c->vc, a->bound, a->snaps, a->nr_snaps, AGGR_BUDGET);
	if (rc == 1) {
		aggr_arm(a, AGGR_STEP_MS, aggr_step);
		return;
	}
	if (rc != 0) {
		D_ERROR("target %u: aggregation of container " DF_UUID " failed: " DF_RC, tgt->idx,
			DP_UUID(a->cont), DP_RC(rc));
		aggr_arm(a, AGGR_PERIOD_MS, aggr_tick);
		return;
	}
	/* Writes newer than the bound wait for a later pass. */
	if (c->last_write < a->bound)
		c->dirty = false;
	/* The next written container now; if there is none, the tick waits a period. */
	aggr_arm(a, c->dirty ? AGGR_PERIOD_MS : AGGR_STEP_MS, aggr_tick);
}

int
tgt_aggr_start(struct eng_tgt *tgt)
{
	struct tgt_aggr *a = d_calloc(1, sizeof(*a));

	if (a == NULL)
		return -DER_NOMEM;
	a->tgt = tgt;
	tgt->aggr = a;
	aggr_arm(a, AGGR_PERIOD_MS, aggr_tick);
	return 0;
}

void
tgt_aggr_stop(struct eng_tgt *tgt)
{
	struct tgt_aggr *a = tgt->aggr;

	if (a == NULL)
		return;
	tgt->aggr = NULL;
	if (a->timer != NULL)
		eng_timer_cancel(tgt->xs, a->timer);
	d_free(a->snaps);
	a->snaps = NULL;
	/* a query in flight frees the state when it ends (tgt->stopped) */
	if (!a->querying)
		d_free(a);
}
