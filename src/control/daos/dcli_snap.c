/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_snap.c - container snapshots: create-snap, list-snaps, destroy-snap. A snapshot is
 * an epoch (an HLC timestamp, so it also tells when it was taken) and an optional name.
 *
 * Names: DAOS's daos_cont_list_snap() writes each name into a buffer the caller gives,
 * DAOS_SNAPSHOT_MAX_LEN (128) bytes each; the CLI gives buffers of that size.
 */
#define D_LOGFAC DD_FAC(control)

#include <inttypes.h>

#include "control/daos/dcli_int.h"

/* DAOS_SNAPSHOT_MAX_LEN: the room for one snapshot name, NUL included. */
#define DCLI_SNAP_NAME_MAX DAOS_SNAPSHOT_MAX_LEN

int
dcli_cont_create_snap(struct cli_ctx *ctx, const struct cli_args *a)
{
	char name[DCLI_SNAP_NAME_MAX], ts[64];
	daos_handle_t poh, coh;
	daos_epoch_t epoch = 0;
	int rc;

	if (a->set[DCLI_OPT_SNAP] && strlen(a->val[DCLI_OPT_SNAP]) >= sizeof(name))
		return dcli_errf(ctx, 0, "snapshot name \"%.32s...\" is longer than %d",
				 a->val[DCLI_OPT_SNAP], DCLI_SNAP_NAME_MAX - 1);
	snprintf(name, sizeof(name), "%s", a->set[DCLI_OPT_SNAP] ? a->val[DCLI_OPT_SNAP] : "");
	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RW, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		return rc;
	rc = ctx->ops->cont_create_snap(coh, &epoch, a->set[DCLI_OPT_SNAP] ? name : NULL, NULL);
	dcli_cont_close(ctx, poh, coh);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to create a snapshot of container %s", a->pos[1]);
	dcli_hlc_str(epoch, ts, sizeof(ts));
	if (ctx->json)
		ctx->json_resp =
			json_pack("{s:I, s:s, s:s?}", "epoch", (json_int_t)epoch, "timestamp", ts,
				  "name", a->set[DCLI_OPT_SNAP] ? name : NULL);
	else
		fprintf(ctx->out, "snapshot/epoch 0x%" PRIx64 " has been created (timestamp: %s)\n",
			epoch, ts);
	return 0;
}

static void
snaps_free(struct dcli_snap *s, size_t nr)
{
	size_t i;

	for (i = 0; s != NULL && i < nr; i++)
		d_free(s[i].name);
	d_free(s);
}

/* Every snapshot of @coh, in a new array (snaps_free()). */
static int
snaps_get(struct cli_ctx *ctx, daos_handle_t coh, struct dcli_snap **out, size_t *nr_out)
{
	daos_anchor_t anchor = { 0 };
	struct dcli_snap *s = NULL;
	daos_epoch_t *epochs = NULL;
	char **names = NULL;
	int nr = 0, room, i, rc, tries;

	for (tries = 0; tries < 8; tries++) {
		memset(&anchor, 0, sizeof(anchor));
		nr = 0;
		rc = ctx->ops->cont_list_snap(coh, &nr, NULL, NULL, &anchor, NULL);
		if (rc != 0)
			return rc;
		room = nr + 1;
		epochs = d_calloc((size_t)room, sizeof(*epochs));
		names = d_calloc((size_t)room, sizeof(*names));
		s = d_calloc((size_t)room, sizeof(*s));
		rc = epochs && names && s ? 0 : -DER_NOMEM;
		for (i = 0; rc == 0 && i < room; i++) {
			names[i] = d_calloc(1, DCLI_SNAP_NAME_MAX);
			if (names[i] == NULL)
				rc = -DER_NOMEM;
		}
		if (rc == 0) {
			memset(&anchor, 0, sizeof(anchor));
			nr = room;
			rc = ctx->ops->cont_list_snap(coh, &nr, epochs, names, &anchor, NULL);
		}
		/* More snapshots than room: some were taken meanwhile; count again. */
		if (rc == 0 && nr > room)
			rc = -DER_TRUNC;
		for (i = 0; rc == 0 && i < nr; i++) {
			names[i][DCLI_SNAP_NAME_MAX - 1] = '\0';
			s[i].epoch = epochs[i];
			s[i].name = names[i];
			names[i] = NULL;
		}
		for (i = 0; names != NULL && i < room; i++)
			d_free(names[i]);
		d_free(names);
		d_free(epochs);
		if (rc != -DER_TRUNC)
			break;
		snaps_free(s, (size_t)room);
		s = NULL;
	}
	if (rc != 0) {
		snaps_free(s, (size_t)nr);
		return rc;
	}
	*out = s;
	*nr_out = (size_t)nr;
	return 0;
}

int
dcli_cont_list_snaps(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct dcli_snap *s = NULL;
	daos_handle_t poh, coh;
	size_t nr = 0;
	int rc;

	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RO, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		return rc;
	rc = snaps_get(ctx, coh, &s, &nr);
	dcli_cont_close(ctx, poh, coh);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to list the snapshots of container %s",
				 a->pos[1]);
	if (ctx->json)
		ctx->json_resp = dcli_json_snaps(s, nr);
	else
		dcli_print_snaps(ctx->out, s, nr);
	snaps_free(s, nr);
	return 0;
}

/* The epoch range destroy-snap names with --epc, --epcrange or --snap (looked up). */
static int
snap_range(struct cli_ctx *ctx, const struct cli_args *a, daos_handle_t coh,
	   daos_epoch_range_t *epr)
{
	const char *range = a->val[DCLI_OPT_EPC_RANGE];
	struct dcli_snap *s = NULL;
	char lo[32];
	const char *dash;
	size_t nr = 0, i;
	int rc;

	if (a->set[DCLI_OPT_EPC]) {
		if (dcli_epoch_parse(a->val[DCLI_OPT_EPC], &epr->epr_lo) != 0)
			return dcli_errf(ctx, 0, "invalid --epc \"%s\"", a->val[DCLI_OPT_EPC]);
		epr->epr_hi = epr->epr_lo;
		return 0;
	}
	if (a->set[DCLI_OPT_EPC_RANGE]) {
		dash = strchr(range, '-');
		if (dash == NULL || (size_t)(dash - range) >= sizeof(lo))
			return dcli_errf(ctx, 0, "invalid --epcrange \"%s\": expected a-b", range);
		memcpy(lo, range, (size_t)(dash - range));
		lo[dash - range] = '\0';
		if (dcli_epoch_parse(lo, &epr->epr_lo) != 0 ||
		    dcli_epoch_parse(dash + 1, &epr->epr_hi) != 0 || epr->epr_lo > epr->epr_hi)
			return dcli_errf(ctx, 0, "invalid --epcrange \"%s\": expected a-b, a <= b",
					 range);
		return 0;
	}
	rc = snaps_get(ctx, coh, &s, &nr);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to list the snapshots of container %s",
				 a->pos[1]);
	rc = -DER_NONEXIST;
	for (i = 0; i < nr && rc != 0; i++) {
		if (strcmp(s[i].name, a->val[DCLI_OPT_SNAP]) == 0) {
			epr->epr_lo = epr->epr_hi = s[i].epoch;
			rc = 0;
		}
	}
	snaps_free(s, nr);
	if (rc != 0)
		return dcli_errf(ctx, rc, "no snapshot named \"%s\" in container %s",
				 a->val[DCLI_OPT_SNAP], a->pos[1]);
	return 0;
}

int
dcli_cont_destroy_snap(struct cli_ctx *ctx, const struct cli_args *a)
{
	daos_epoch_range_t epr = { 0 };
	daos_handle_t poh, coh;
	int rc, given;

	given = a->set[DCLI_OPT_EPC] + a->set[DCLI_OPT_EPC_RANGE] + a->set[DCLI_OPT_SNAP];
	if (given != 1)
		return dcli_errf(ctx, 0, "exactly one of --epc, --epcrange and --snap is required");
	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RW, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		return rc;
	rc = snap_range(ctx, a, coh, &epr);
	if (rc == 0) {
		rc = ctx->ops->cont_destroy_snap(coh, epr, NULL);
		if (rc != 0)
			dcli_errf(ctx, rc, "failed to destroy snapshots of container %s",
				  a->pos[1]);
	}
	dcli_cont_close(ctx, poh, coh);
	if (rc != 0)
		return rc;
	if (ctx->json)
		ctx->json_resp = json_pack("{s:I, s:I}", "epoch_lo", (json_int_t)epr.epr_lo,
					   "epoch_hi", (json_int_t)epr.epr_hi);
	else if (epr.epr_lo == epr.epr_hi)
		fprintf(ctx->out, "snapshot/epoch 0x%" PRIx64 " has been destroyed\n", epr.epr_lo);
	else
		fprintf(ctx->out,
			"snapshots/epochs 0x%" PRIx64 "-0x%" PRIx64 " have been destroyed\n",
			epr.epr_lo, epr.epr_hi);
	return 0;
}
