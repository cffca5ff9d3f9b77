/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_print.c - text and JSON output that dmg and daos share: tables, rank sets, the
 * `pool query` report and the -j envelope. Printers are pure: values in, text out to the
 * FILE * they are given, so tests compare them with the layouts of the reference.
 */
#define D_LOGFAC DD_FAC(control)

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "control/cli.h"
#include "rpc/pool_prop.h"

/* ---- tables ---- */

void
cli_table_init(struct cli_table *t, unsigned int nr_cols, const char *const *hdr)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->nr_cols = nr_cols;
	t->cells = d_calloc(nr_cols, sizeof(char *));
	if (t->cells == NULL) {
		t->rc = -DER_NOMEM;
		return;
	}
	t->nr_rows = 1;
	for (i = 0; i < nr_cols; i++) {
		t->cells[i] = d_strdup(hdr[i]);
		if (t->cells[i] == NULL)
			t->rc = -DER_NOMEM;
	}
}

void
cli_table_row(struct cli_table *t, ...)
{
	char **cells;
	unsigned int i;
	va_list ap;

	if (t->rc != 0)
		return;
	cells = d_reallocarray(t->cells, (size_t)(t->nr_rows + 1) * t->nr_cols, sizeof(char *));
	if (cells == NULL) {
		t->rc = -DER_NOMEM;
		return;
	}
	t->cells = cells;
	va_start(ap, t);
	for (i = 0; i < t->nr_cols; i++) {
		const char *s = va_arg(ap, const char *);

		cells[t->nr_rows * t->nr_cols + i] = d_strdup(s ? s : "");
		if (cells[t->nr_rows * t->nr_cols + i] == NULL)
			t->rc = -DER_NOMEM;
	}
	va_end(ap);
	t->nr_rows++;
}

void
cli_table_print(FILE *f, const struct cli_table *t, const char *indent)
{
	size_t width[32] = { 0 };
	unsigned int r, c;

	if (t->rc != 0 || t->nr_cols > ARRAY_SIZE(width)) {
		fprintf(f, "%s(out of memory)\n", indent);
		return;
	}
	for (r = 0; r < t->nr_rows; r++)
		for (c = 0; c < t->nr_cols; c++)
			width[c] = D_MAX(width[c], strlen(t->cells[r * t->nr_cols + c]));
	for (r = 0; r < t->nr_rows + 1; r++) {
		unsigned int row = r == 0 ? 0 : r - 1; /* line 1 is the dashes */

		fputs(indent, f);
		for (c = 0; c < t->nr_cols; c++) {
			const char *s = t->cells[row * t->nr_cols + c];
			bool last = true;
			size_t n = strlen(s), k;

			/* no trailing blanks: pad only if something follows on this line */
			for (k = c + 1; k < t->nr_cols && r != 1; k++)
				if (t->cells[row * t->nr_cols + k][0] != '\0')
					last = false;
			if (r == 1)
				last = c + 1 == t->nr_cols;

			if (r == 1) {
				size_t hl = strlen(t->cells[c]);

				for (k = 0; k < hl; k++)
					fputc('-', f);
				n = hl;
			} else {
				fputs(s, f);
			}
			if (!last)
				fprintf(f, "%*s", (int)(width[c] - n + 1), "");
		}
		fputc('\n', f);
	}
}

void
cli_table_fini(struct cli_table *t)
{
	unsigned int i;

	if (t->cells != NULL)
		for (i = 0; i < t->nr_rows * t->nr_cols; i++)
			d_free(t->cells[i]);
	d_free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* ---- rank sets ---- */

char *
cli_ranks_str(const d_rank_list_t *rl, bool bare)
{
	char *s = NULL;
	size_t n;

	/* gurt's form is always bracketed, "[]" for none: DAOS's C side prints it so. */
	if (d_rank_list_to_str((d_rank_list_t *)rl, &s) != 0)
		return NULL;
	n = strlen(s);
	if (bare || strpbrk(s, ",-") == NULL) {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	return s;
}

char *
cli_ranks_text(const char *in, bool bare)
{
	d_rank_list_t *rl = NULL;
	char *s;

	if (in != NULL && d_rank_list_parse(in, strlen(in), &rl) == 0)
		s = cli_ranks_str(rl, bare);
	else
		s = d_strdup(in != NULL ? in : "");
	d_rank_list_free(rl);
	return s;
}

/* ---- pool query ---- */

/* "- <what> ranks: 0-3" when the set is known and not empty. */
static void
ranks_line(FILE *f, const char *what, const char *ranks, bool even_empty)
{
	char *r;

	if (ranks == NULL)
		return;
	/* These are bare ranges in DAOS ("0-6"), unlike the other rank sets. */
	r = cli_ranks_text(ranks, true);
	if (r == NULL || *r != '\0' || even_empty)
		fprintf(f, "- %s ranks: %s\n", what, r ? r : "?");
	d_free(r);
}

void
cli_print_pool_query(FILE *f, const struct cli_pool_info *p, bool show_enabled, bool health_only)
{
	char a[32], b[32], c[32], d[32];
	unsigned int i;

	fprintf(f, "Pool %s, ntarget=%u, disabled=%u, leader=%u, version=%u, state=%s\n", p->uuid,
		p->total_targets, p->disabled_targets, p->leader, p->version, p->state);
	if (p->upgrade_layout_ver > p->pool_layout_ver)
		fprintf(f,
			"Pool layout out of date (%u < %u) -- see `dmg pool upgrade` for details.\n",
			p->pool_layout_ver, p->upgrade_layout_ver);
	fprintf(f, "Pool health info:\n");
	if (show_enabled)
		ranks_line(f, "Enabled", p->enabled_ranks, true);
	ranks_line(f, "Disabled", p->disabled_ranks, false);
	ranks_line(f, "Dead", p->dead_ranks, false);
	if (!p->has_rebuild)
		fprintf(f, "No rebuild status available.\n");
	else if (p->rebuild_status != 0)
		fprintf(f, "- Rebuild failed (state=%s, status=%d)\n", p->rebuild_state,
			p->rebuild_status);
	else
		fprintf(f, "- Rebuild %s, %" PRIu64 " objs, %" PRIu64 " recs\n", p->rebuild_state,
			p->rebuild_objects, p->rebuild_records);
	if (health_only)
		return;
	fprintf(f, "Pool space info:\n- Target count:%u\n", p->active_targets);
	for (i = 0; i < p->nr_tiers && i < ARRAY_SIZE(p->tiers); i++) {
		const struct cli_pool_tier *u = &p->tiers[i];

		fprintf(f, "- Storage tier %u (%s):\n", i, u->media);
		pool_prop_bytes_str(u->total, a, sizeof(a));
		fprintf(f, "  Total size: %s\n", a);
		pool_prop_bytes_str(u->free, a, sizeof(a));
		pool_prop_bytes_str(u->min, b, sizeof(b));
		pool_prop_bytes_str(u->max, c, sizeof(c));
		pool_prop_bytes_str(u->mean, d, sizeof(d));
		fprintf(f, "  Free: %s, min:%s, max:%s, mean:%s\n", a, b, c, d);
	}
}

/* A rank set as JSON: the bare text, or null if not asked for. */
static json_t *
ranks_json(const char *ranks)
{
	json_t *j;
	char *r;

	if (ranks == NULL)
		return json_null();
	r = cli_ranks_text(ranks, true);
	j = r ? json_string(r) : NULL;
	d_free(r);
	return j;
}

json_t *
cli_json_pool_info(const struct cli_pool_info *p)
{
	json_t *tiers, *rebuild, *o;
	unsigned int i;

	tiers = json_array();
	if (tiers == NULL)
		return NULL;
	for (i = 0; i < p->nr_tiers && i < ARRAY_SIZE(p->tiers); i++) {
		const struct cli_pool_tier *u = &p->tiers[i];

		json_array_append_new(
			tiers, json_pack("{s:I, s:I, s:I, s:I, s:I, s:s}", "total",
					 (json_int_t)u->total, "free", (json_int_t)u->free, "min",
					 (json_int_t)u->min, "max", (json_int_t)u->max, "mean",
					 (json_int_t)u->mean, "media_type", u->media));
	}
	if (p->has_rebuild)
		rebuild =
			json_pack("{s:i, s:s, s:I, s:I}", "status", (int)p->rebuild_status, "state",
				  p->rebuild_state, "objects", (json_int_t)p->rebuild_objects,
				  "records", (json_int_t)p->rebuild_records);
	else
		rebuild = json_null();
	o = json_pack("{s:s, s:s?, s:s, s:i, s:i, s:i, s:i, s:i, s:o?, s:o, s:o?, s:o?, s:o?}",
		      "uuid", p->uuid, "label", p->label, "state", p->state, "total_targets",
		      (int)p->total_targets, "active_targets", (int)p->active_targets,
		      "disabled_targets", (int)p->disabled_targets, "svc_ldr", (int)p->leader,
		      "version", (int)p->version, "rebuild", rebuild, "tier_stats", tiers,
		      "enabled_ranks", ranks_json(p->enabled_ranks), "disabled_ranks",
		      ranks_json(p->disabled_ranks), "dead_ranks", ranks_json(p->dead_ranks));
	return o;
}

/* ---- JSON envelope ---- */

void
cli_json_envelope(FILE *f, json_t *resp, const char *err, int status)
{
	json_t *env;
	char *s;

	env = json_pack("{s:O, s:o, s:i}", "response", resp ? resp : json_null(), "error",
			err != NULL ? json_string(err) : json_null(), "status", status);
	if (env == NULL)
		return;
	s = json_dumps(env, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s != NULL) {
		fprintf(f, "%s\n", s);
		free(s);
	}
	json_decref(env);
}
