/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_print.c - the daos CLI's output: one text printer and one JSON builder per report,
 * shaped as DAOS's daos prints them (reference §4.6-4.8), plus the small formats they
 * share (HLC times, OIDs, epochs). Printers are pure: values in, text out, so tests
 * compare them with the reference layouts without a DAOS system.
 */
#define D_LOGFAC DD_FAC(control)

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include "common/sort.h"
#include "control/daos/dcli_int.h"

void
dcli_hlc_str(uint64_t hlc, char *buf, size_t len)
{
	time_t sec = (time_t)(d_hlc2unixnsec(hlc) / NSEC_PER_SEC);
	struct tm tm;

	if (localtime_r(&sec, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "?");
}

void
dcli_oid_str(daos_obj_id_t oid, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ".%" PRIu64, oid.hi, oid.lo);
}

int
dcli_oid_parse(const char *str, daos_obj_id_t *oid)
{
	const char *dot;
	char hi[32];
	daos_obj_id_t o;

	if (str == NULL)
		return -DER_INVAL;
	dot = strchr(str, '.');
	if (dot == NULL || (size_t)(dot - str) >= sizeof(hi))
		return -DER_INVAL;
	memcpy(hi, str, (size_t)(dot - str));
	hi[dot - str] = '\0';
	if (cli_uint_parse(hi, UINT64_MAX, &o.hi) != 0 ||
	    cli_uint_parse(dot + 1, UINT64_MAX, &o.lo) != 0)
		return -DER_INVAL;
	*oid = o;
	return 0;
}

int
dcli_epoch_parse(const char *str, uint64_t *epoch)
{
	uint64_t v = 0;
	const char *p;

	if (str == NULL || *str == '\0')
		return -DER_INVAL;
	if (str[0] != '0' || (str[1] != 'x' && str[1] != 'X'))
		return cli_uint_parse(str, UINT64_MAX, epoch);
	if (str[2] == '\0' || strlen(str + 2) > 16)
		return -DER_INVAL;
	for (p = str + 2; *p != '\0'; p++) {
		if (!isxdigit((unsigned char)*p))
			return -DER_INVAL;
		v = v * 16 + (uint64_t)(isdigit((unsigned char)*p)
						? *p - '0'
						: tolower((unsigned char)*p) - 'a' + 10);
	}
	*epoch = v;
	return 0;
}

/* ---- container properties ---- */

/* Display order: by key, the ACL last (its value is the longest). */
static int
entry_cmp(const void *a, const void *b)
{
	const struct daos_prop_entry *x = *(const struct daos_prop_entry *const *)a;
	const struct daos_prop_entry *y = *(const struct daos_prop_entry *const *)b;
	const struct cont_prop_def *dx = cont_prop_by_type(x->dpe_type);
	const struct cont_prop_def *dy = cont_prop_by_type(y->dpe_type);

	if ((dx->kind == CONT_PROP_ACL) != (dy->kind == CONT_PROP_ACL))
		return dx->kind == CONT_PROP_ACL ? 1 : -1;
	return strcmp(dx->def.key, dy->def.key);
}

/* The entries of @prop that the table knows, sorted; *nr of them. NULL if none or no memory. */
static const struct daos_prop_entry **
props_sorted(const daos_prop_t *prop, size_t *nr)
{
	const struct daos_prop_entry **v;
	uint32_t i;
	size_t n = 0;

	*nr = 0;
	if (prop->dpp_nr == 0)
		return NULL;
	v = d_calloc(prop->dpp_nr, sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0; i < prop->dpp_nr; i++)
		if (cont_prop_by_type(prop->dpp_entries[i].dpe_type) != NULL)
			v[n++] = &prop->dpp_entries[i];
	d_sort(v, n, sizeof(*v), entry_cmp);
	*nr = n;
	return v;
}

void
dcli_print_cont_props(FILE *f, const char *cont, const daos_prop_t *prop)
{
	static const char *const hdr[] = { "Name", "Value" };
	const struct daos_prop_entry **v;
	struct cli_table t;
	size_t nr, i;

	v = props_sorted(prop, &nr);
	fprintf(f, "Properties for container %s\n", cont);
	cli_table_init(&t, 2, hdr);
	for (i = 0; i < nr; i++) {
		const struct cont_prop_def *d = cont_prop_by_type(v[i]->dpe_type);
		char name[160], *val = dcli_prop_entry_str(v[i]);

		snprintf(name, sizeof(name), "%s (%s)", d->def.desc, d->def.key);
		cli_table_row(&t, name, val != NULL ? val : "?");
		d_free(val);
	}
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
	d_free(v);
}

json_t *
dcli_json_cont_props(const daos_prop_t *prop)
{
	const struct daos_prop_entry **v;
	json_t *arr = json_array();
	size_t nr, i;

	if (arr == NULL)
		return NULL;
	v = props_sorted(prop, &nr);
	for (i = 0; i < nr; i++) {
		const struct cont_prop_def *d = cont_prop_by_type(v[i]->dpe_type);

		json_array_append_new(arr, json_pack("{s:s, s:s, s:o?}", "name", d->def.key,
						     "description", d->def.desc, "value",
						     dcli_prop_entry_json(v[i])));
	}
	d_free(v);
	return arr;
}

/* ---- containers ---- */

void
dcli_print_cont_create(FILE *f, const char *uuid, const char *label, const char *type,
		       const char *path)
{
	fprintf(f, "Successfully created container %s type %s\n", uuid, type);
	fprintf(f, "  Container UUID : %s\n", uuid);
	if (label != NULL)
		fprintf(f, "  Container Label: %s\n", label);
	fprintf(f, "  Container Type : %s\n", type);
	if (path != NULL)
		fprintf(f, "  Container Path : %s\n", path);
}

void
dcli_print_cont_list(FILE *f, const char *pool, const struct dcli_cont_row *rows, size_t nr,
		     bool verbose)
{
	static const char *const hdr[] = { "Label", "UUID", "Layout" };
	struct cli_table t;
	size_t i;

	if (nr == 0) {
		fprintf(f, "No containers.\n");
		return;
	}
	fprintf(f, "Containers in pool %s:\n", pool);
	cli_table_init(&t, verbose ? 3 : 2, hdr);
	for (i = 0; i < nr; i++)
		cli_table_row(&t, rows[i].label, rows[i].uuid, rows[i].layout);
	cli_table_print(f, &t, "  ");
	cli_table_fini(&t);
}

json_t *
dcli_json_cont_list(const struct dcli_cont_row *rows, size_t nr, bool verbose)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < nr; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?}", "uuid", rows[i].uuid,
						     "label", rows[i].label, "layout",
						     verbose ? rows[i].layout : NULL));
	return arr;
}

void
dcli_print_cont_query(FILE *f, const struct dcli_cont_report *r)
{
	char otime[64], mtime[64];

	dcli_hlc_str(r->otime, otime, sizeof(otime));
	dcli_hlc_str(r->mtime, mtime, sizeof(mtime));
	/* DAOS pads the names to the longest, "Container redundancy factor". */
	fprintf(f, "  Container UUID             : %s\n", r->cont_uuid);
	fprintf(f, "  Container Label            : %s\n", r->label);
	fprintf(f, "  Container Type             : %s\n", r->type);
	fprintf(f, "  Pool UUID                  : %s\n", r->pool_uuid);
	fprintf(f, "  Container redundancy factor: %" PRIu64 "\n", r->rd_fac);
	fprintf(f, "  Number of open handles     : %u\n", r->nhandles);
	fprintf(f, "  Latest open time           : 0x%" PRIx64 " (%s)\n", r->otime, otime);
	fprintf(f, "  Latest close/modify time   : 0x%" PRIx64 " (%s)\n", r->mtime, mtime);
	fprintf(f, "  Number of snapshots        : %u\n", r->nsnapshots);
	if (r->lsnapshot != 0)
		fprintf(f, "  Latest Persistent Snapshot : 0x%" PRIx64 "\n", r->lsnapshot);
}

json_t *
dcli_json_cont_query(const struct dcli_cont_report *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:i, s:i, s:I, s:I, s:I}", "pool_uuid",
			 r->pool_uuid, "container_uuid", r->cont_uuid, "container_label", r->label,
			 "container_type", r->type, "redundancy_factor", (json_int_t)r->rd_fac,
			 "num_handles", (int)r->nhandles, "num_snapshots", (int)r->nsnapshots,
			 "latest_snapshot", (json_int_t)r->lsnapshot, "open_time",
			 (json_int_t)r->otime, "close_modify_time", (json_int_t)r->mtime);
}

/* ---- attributes ---- */

/* A value as text: printable bytes as they are, others as '.', at most the value's length. */
static char *
attr_value_str(const struct dcli_attr *a)
{
	char *s = d_calloc(1, a->len + 1);
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < a->len; i++)
		s[i] = isprint((unsigned char)a->value[i]) ? a->value[i] : '.';
	return s;
}

void
dcli_print_attrs(FILE *f, const char *what, const char *id, const struct dcli_attr *a, size_t nr,
		 bool values)
{
	static const char *const hdr[] = { "Name", "Value" };
	struct cli_table t;
	size_t i;

	fprintf(f, "Attributes for %s %s:\n", what, id);
	if (nr == 0) {
		fprintf(f, "  No attributes found.\n");
		return;
	}
	cli_table_init(&t, values ? 2 : 1, hdr);
	for (i = 0; i < nr; i++) {
		char *v = values ? attr_value_str(&a[i]) : NULL;

		cli_table_row(&t, a[i].name, v);
		d_free(v);
	}
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
}

json_t *
dcli_json_attrs(const struct dcli_attr *a, size_t nr, bool values)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < nr; i++) {
		json_t *v = NULL;

		if (values)
			v = json_stringn(a[i].value, a[i].len);
		json_array_append_new(arr, json_pack("{s:s, s:o?}", "name", a[i].name, "value", v));
	}
	return arr;
}

/* ---- snapshots ---- */

void
dcli_print_snaps(FILE *f, const struct dcli_snap *s, size_t nr)
{
	static const char *const hdr[] = { "Epoch", "Timestamp", "Name" };
	struct cli_table t;
	size_t i;

	if (nr == 0) {
		fprintf(f, "No snapshots.\n");
		return;
	}
	fprintf(f, "Container's snapshots :\n");
	cli_table_init(&t, 3, hdr);
	for (i = 0; i < nr; i++) {
		char epoch[24], ts[64];

		snprintf(epoch, sizeof(epoch), "0x%" PRIx64, s[i].epoch);
		dcli_hlc_str(s[i].epoch, ts, sizeof(ts));
		cli_table_row(&t, epoch, ts, s[i].name);
	}
	cli_table_print(f, &t, "");
	cli_table_fini(&t);
}

json_t *
dcli_json_snaps(const struct dcli_snap *s, size_t nr)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < nr; i++) {
		char ts[64];

		dcli_hlc_str(s[i].epoch, ts, sizeof(ts));
		json_array_append_new(arr,
				      json_pack("{s:I, s:s, s:s}", "epoch", (json_int_t)s[i].epoch,
						"timestamp", ts, "name", s[i].name));
	}
	return arr;
}

/* ---- objects ---- */

static void
oclass_redundancy(const struct daos_oclass_attr *attr, char *buf, size_t len)
{
	if (attr == NULL)
		snprintf(buf, len, "unknown");
	else if (attr->ca_resil == DAOS_RES_EC)
		snprintf(buf, len, "EC %u+%u, cell %u bytes", attr->u.ec.e_k, attr->u.ec.e_p,
			 attr->u.ec.e_len);
	else if (attr->u.rp.r_num <= 1)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%u replicas", attr->u.rp.r_num);
}

void
dcli_print_obj_query(FILE *f, const struct dcli_obj_report *r)
{
	char oid[48], red[64], *ranks;

	dcli_oid_str(r->oid, oid, sizeof(oid));
	oclass_redundancy(r->attr, red, sizeof(red));
	fprintf(f, "oid: %s ver %" PRIu64 " grp_nr: %u\n", oid, r->version, r->nr_grp);
	fprintf(f, "  Object Class: %s\n", r->oclass);
	fprintf(f, "  Redundancy  : %s\n", red);
	fprintf(f, "  Group size  : %u\n", r->grp_size);
	if (r->ranks == NULL) {
		fprintf(f, "  Ranks       : not available\n");
		return;
	}
	ranks = cli_ranks_str(r->ranks, false);
	fprintf(f, "  Ranks       : %s\n", ranks != NULL ? ranks : "?");
	d_free(ranks);
}

json_t *
dcli_json_obj_query(const struct dcli_obj_report *r)
{
	char oid[48], red[64];
	json_t *ranks = NULL;
	uint32_t i;

	dcli_oid_str(r->oid, oid, sizeof(oid));
	oclass_redundancy(r->attr, red, sizeof(red));
	if (r->ranks != NULL) {
		ranks = json_array();
		for (i = 0; ranks != NULL && i < r->ranks->rl_nr; i++)
			json_array_append_new(ranks, json_integer(r->ranks->rl_ranks[i]));
	}
	return json_pack("{s:s, s:I, s:s, s:s, s:i, s:i, s:o?}", "oid", oid, "version",
			 (json_int_t)r->version, "class", r->oclass, "redundancy", red, "grp_nr",
			 (int)r->nr_grp, "grp_size", (int)r->grp_size, "ranks", ranks);
}
