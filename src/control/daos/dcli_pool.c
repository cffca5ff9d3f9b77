/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_pool.c - `daos pool` (the user's view; administration is dmg's): query, container
 * listing (also `daos container list`), user attributes. autotest is in dcli_autotest.c.
 *
 * A command connects, calls libdaos, disconnects, and prints; the connection never
 * outlives the command. Pool state is not in daos_pool_info_t: as DAOS's daos does, a pool
 * with disabled targets is shown as TargetsExcluded, else Ready.
 */
#define D_LOGFAC DD_FAC(control)

#include <inttypes.h>

#include "control/daos/dcli_int.h"

/* Ranks of one kind (DPI_ENGINES_*) as text for the report; *out NULL if none asked. */
static int
query_ranks(struct cli_ctx *ctx, daos_handle_t poh, uint64_t bit, char **out)
{
	daos_pool_info_t info = { .pi_bits = bit };
	d_rank_list_t *ranks = NULL;
	int rc;

	rc = ctx->ops->pool_query(poh, &ranks, &info, NULL, NULL);
	if (rc != 0)
		return rc;
	*out = cli_ranks_str(ranks, true);
	d_rank_list_free(ranks);
	return *out != NULL ? 0 : -DER_NOMEM;
}

/* daos_pool_info_t, as the report shared with dmg wants it. */
static void
pool_info_fill(const daos_pool_info_t *pi, const char *uuid, struct cli_pool_info *p)
{
	static const char *const media[] = { "SCM", "NVMe" };
	const struct daos_rebuild_status *rs = &pi->pi_rebuild_st;
	unsigned int i;

	p->uuid = uuid;
	p->state = pi->pi_ndisabled > 0 ? "TargetsExcluded" : "Ready";
	p->total_targets = pi->pi_ntargets;
	p->active_targets = pi->pi_space.ps_ntargets;
	p->disabled_targets = pi->pi_ndisabled;
	p->leader = pi->pi_leader;
	p->version = pi->pi_map_ver;
	p->has_rebuild = (pi->pi_bits & DPI_REBUILD_STATUS) != 0;
	/* DAOS's reading: no rebuild ever (version 0) is idle, whatever the state says */
	if (rs->rs_version == 0)
		p->rebuild_state = "idle";
	else if (rs->rs_state == DRS_COMPLETED)
		p->rebuild_state = "done";
	else
		p->rebuild_state = "busy";
	p->rebuild_status = rs->rs_errno > 0 ? -rs->rs_errno : rs->rs_errno;
	p->rebuild_objects = rs->rs_obj_nr;
	p->rebuild_records = rs->rs_rec_nr;
	if (!(pi->pi_bits & DPI_SPACE))
		return;
	for (i = 0; i < DAOS_MEDIA_MAX && i < ARRAY_SIZE(p->tiers); i++) {
		p->tiers[i] = (struct cli_pool_tier){
			.media = media[i],
			.total = pi->pi_space.ps_space.s_total[i],
			.free = pi->pi_space.ps_space.s_free[i],
			.min = pi->pi_space.ps_free_min[i],
			.max = pi->pi_space.ps_free_max[i],
			.mean = pi->pi_space.ps_free_mean[i],
		};
	}
	p->nr_tiers = i;
}

int
dcli_pool_query(struct cli_ctx *ctx, const struct cli_args *a)
{
	bool health_only = a->set[DCLI_OPT_HEALTH_ONLY];
	bool show_enabled = a->set[DCLI_OPT_SHOW_ENABLED];
	const char *pool = a->pos[0];
	daos_pool_info_t pi = { 0 };
	struct cli_pool_info p = { 0 };
	char *enabled = NULL, *disabled = NULL, *dead = NULL;
	d_rank_list_t *ranks = NULL;
	daos_handle_t poh;
	char uuid[37];
	int rc;

	rc = dcli_pool_connect(ctx, pool, DAOS_PC_RO, &poh, NULL);
	if (rc != 0)
		return rc;
	pi.pi_bits = DPI_REBUILD_STATUS | DPI_ENGINES_DISABLED | (health_only ? 0 : DPI_SPACE);
	rc = ctx->ops->pool_query(poh, &ranks, &pi, NULL, NULL);
	if (rc == 0) {
		disabled = cli_ranks_str(ranks, true);
		rc = disabled != NULL ? 0 : -DER_NOMEM;
	}
	/* One list of ranks per query: the enabled and dead ones take a query each. */
	if (rc == 0 && show_enabled)
		rc = query_ranks(ctx, poh, DPI_ENGINES_ENABLED, &enabled);
	if (rc == 0 && health_only)
		rc = query_ranks(ctx, poh, DPI_ENGINES_DEAD, &dead);
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to query pool %s", pool);
		goto out;
	}
	uuid_unparse_lower(pi.pi_uuid, uuid);
	pool_info_fill(&pi, uuid, &p);
	p.label = pool;
	p.enabled_ranks = enabled;
	p.disabled_ranks = disabled;
	p.dead_ranks = dead;
	if (ctx->json)
		ctx->json_resp = cli_json_pool_info(&p);
	else
		cli_print_pool_query(ctx->out, &p, show_enabled, health_only);
out:
	d_free(enabled);
	d_free(disabled);
	d_free(dead);
	d_rank_list_free(ranks);
	ctx->ops->pool_disconnect(poh, NULL);
	return rc;
}

/* The containers of @poh into a new array (d_free) of *nr. */
static int
list_cont(struct cli_ctx *ctx, daos_handle_t poh, struct daos_pool_cont_info **out, daos_size_t *nr)
{
	struct daos_pool_cont_info *conts = NULL;
	daos_size_t n = 0;
	int rc, tries;

	/* The count may grow between the two calls: -DER_TRUNC says so, ask again. */
	for (tries = 0; tries < 8; tries++) {
		rc = ctx->ops->pool_list_cont(poh, &n, NULL, NULL);
		if (rc != 0)
			return rc;
		d_free(conts);
		conts = d_calloc(n + 1, sizeof(*conts));
		if (conts == NULL)
			return -DER_NOMEM;
		rc = ctx->ops->pool_list_cont(poh, &n, conts, NULL);
		if (rc != -DER_TRUNC)
			break;
	}
	if (rc != 0) {
		d_free(conts);
		return rc;
	}
	*out = conts;
	*nr = n;
	return 0;
}

/* The layout type of container @uuid, for `list -v`; "unknown" if it cannot be read. */
static const char *
cont_layout(struct cli_ctx *ctx, daos_handle_t poh, const char *uuid)
{
	const char *name = "unknown";
	struct daos_prop_entry entry = { .dpe_type = DAOS_PROP_CO_LAYOUT_TYPE };
	daos_prop_t prop = { .dpp_nr = 1, .dpp_entries = &entry };
	daos_handle_t coh;

	if (ctx->ops->cont_open(poh, uuid, DAOS_COO_RO, &coh, NULL, NULL) != 0)
		return name;
	if (ctx->ops->cont_query(coh, NULL, &prop, NULL) == 0)
		name = cont_layout_name(entry.dpe_val);
	ctx->ops->cont_close(coh, NULL);
	return name;
}

/* `daos pool list-containers` and `daos container list`. */
int
dcli_pool_list_cont(struct cli_ctx *ctx, const struct cli_args *a)
{
	bool verbose = a->set[DCLI_OPT_VERBOSE];
	struct daos_pool_cont_info *conts = NULL;
	struct dcli_cont_row *rows = NULL;
	char(*uuids)[37] = NULL;
	daos_handle_t poh;
	daos_size_t nr = 0, i;
	int rc;

	rc = dcli_pool_connect(ctx, a->pos[0], DAOS_PC_RO, &poh, NULL);
	if (rc != 0)
		return rc;
	rc = list_cont(ctx, poh, &conts, &nr);
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to list containers of pool %s", a->pos[0]);
		goto out;
	}
	rows = d_calloc(nr + 1, sizeof(*rows));
	uuids = d_calloc(nr + 1, sizeof(*uuids));
	if (rows == NULL || uuids == NULL) {
		rc = dcli_errf(ctx, -DER_NOMEM, "failed to list containers");
		goto out;
	}
	for (i = 0; i < nr; i++) {
		uuid_unparse_lower(conts[i].pci_uuid, uuids[i]);
		rows[i].uuid = uuids[i];
		rows[i].label = conts[i].pci_label;
		rows[i].layout = verbose ? cont_layout(ctx, poh, uuids[i]) : NULL;
	}
	if (ctx->json)
		ctx->json_resp = dcli_json_cont_list(rows, nr, verbose);
	else
		dcli_print_cont_list(ctx->out, a->pos[0], rows, nr, verbose);
out:
	d_free(uuids);
	d_free(rows);
	d_free(conts);
	ctx->ops->pool_disconnect(poh, NULL);
	return rc;
}

/* ---- attributes ---- */

/* Connect (read-only for reading) and run one attribute command. */
static int
pool_attr_cmd(struct cli_ctx *ctx, const struct cli_args *a, enum dcli_attr_op op)
{
	const struct dcli_attr_ops aops = {
		.list = ctx->ops->pool_list_attr,
		.get = ctx->ops->pool_get_attr,
		.set = ctx->ops->pool_set_attr,
		.del = ctx->ops->pool_del_attr,
	};
	bool change = op == DCLI_ATTR_SET || op == DCLI_ATTR_DEL;
	daos_handle_t poh;
	int rc;

	rc = dcli_pool_connect(ctx, a->pos[0], change ? DAOS_PC_RW : DAOS_PC_RO, &poh, NULL);
	if (rc != 0)
		return rc;
	rc = dcli_attr_run(ctx, &aops, poh, "pool", a->pos[0], op, a->pos[1]);
	ctx->ops->pool_disconnect(poh, NULL);
	return rc;
}

int
dcli_pool_list_attrs(struct cli_ctx *ctx, const struct cli_args *a)
{
	return pool_attr_cmd(ctx, a,
			     a->set[DCLI_OPT_VERBOSE_V] ? DCLI_ATTR_LIST_VALUES : DCLI_ATTR_LIST);
}

int
dcli_pool_get_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	return pool_attr_cmd(ctx, a, DCLI_ATTR_GET);
}

int
dcli_pool_set_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	return pool_attr_cmd(ctx, a, DCLI_ATTR_SET);
}

int
dcli_pool_del_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	return pool_attr_cmd(ctx, a, DCLI_ATTR_DEL);
}
