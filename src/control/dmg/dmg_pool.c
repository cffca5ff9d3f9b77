/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_pool.c - the pool commands. pool create does the client-side checks of DAOS's dmg
 * (reference §3.4) before anything is sent: exactly one sizing style, --size N% without
 * --nranks or --tier-ratio, --nranks xor --ranks, the label rules, no label in -P, sizes
 * and rank sets that parse, properties that validate (pool_prop.c), an ACL file that
 * parses and holds only pool permissions. Everything else is the MS's to refuse.
 */
#define D_LOGFAC DD_FAC(control)

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/dmg/dmg_int.h"
#include "security/security.h"

#define DMG_NSVC_MAX 13 /* most pool service replicas DAOS allows */

/* A property list being turned into PoolProperty messages. */
struct prop_acc {
	struct cli_ctx *ctx;
	bool create;
	Mgmt__PoolProperty **props;
	size_t nr;
	bool has_label;
	char err[256];
};

static int
prop_add(const char *key, const char *value, void *arg)
{
	struct prop_acc *acc = arg;
	struct pool_prop_val val;
	char wire[POOL_PROP_STR_MAX];
	Mgmt__PoolProperty *p, **np;
	int rc;

	rc = pool_prop_parse(key, value, acc->create, &val, acc->err, sizeof(acc->err));
	if (rc != 0) {
		dmg_errf(acc->ctx, "%s", acc->err);
		return -DER_INVAL;
	}
	if (strcmp(val.def->key, "label") == 0)
		acc->has_label = true;
	rc = pool_prop_val_to_str(&val, wire, sizeof(wire));
	if (rc != 0) {
		dmg_errf(acc->ctx, "property %s: value too long", key);
		return rc;
	}
	np = d_reallocarray(acc->props, acc->nr + 1, sizeof(*np));
	if (np == NULL)
		return -DER_NOMEM;
	acc->props = np;
	p = d_calloc(1, sizeof(*p));
	if (p == NULL)
		return -DER_NOMEM;
	mgmt__pool_property__init(p);
	p->name = d_strdup(val.def->key);
	p->value = d_strdup(wire);
	acc->props[acc->nr++] = p;
	if (p->name == NULL || p->value == NULL)
		return -DER_NOMEM;
	return 0;
}

static void
props_free(Mgmt__PoolProperty **props, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		d_free(props[i]->name);
		d_free(props[i]->value);
		d_free(props[i]);
	}
	d_free(props);
}

static int
props_parse(struct cli_ctx *ctx, const char *str, bool create, struct prop_acc *acc)
{
	int rc;

	memset(acc, 0, sizeof(*acc));
	acc->ctx = ctx;
	acc->create = create;
	rc = pool_prop_list_walk(str, prop_add, acc, acc->err, sizeof(acc->err));
	if (rc != 0) {
		if (ctx->errmsg[0] == '\0')
			dmg_errf(ctx, "%s", rc == -DER_NOMEM ? "out of memory" : acc->err);
		props_free(acc->props, acc->nr);
		acc->props = NULL;
		acc->nr = 0;
	}
	return rc;
}

/* An ACL from a file, as ACE strings in *strs (sec_acl_strs_free()). */
static int
acl_file_strs(struct cli_ctx *ctx, const char *path, char ***strs, size_t *nr)
{
	struct daos_acl *acl = NULL;
	int rc;

	rc = sec_acl_from_file(path, &acl);
	if (rc == -DER_NONEXIST) {
		dmg_errf(ctx, "ACL file %s: no such file", path);
		return rc;
	}
	if (rc != 0) {
		dmg_errf(ctx, "ACL file %s is not a valid ACL: %s", path,
			 sec_last_error() && *sec_last_error() ? sec_last_error() : d_errdesc(rc));
		return rc;
	}
	rc = sec_acl_pool_validate(acl);
	if (rc != 0) {
		dmg_errf(ctx, "ACL file %s: permissions not valid for a pool (allowed: rwcdt)",
			 path);
		goto out_free;
	}
	rc = sec_acl_to_strs(acl, strs, nr);
	if (rc != 0)
		dmg_errf(ctx, "ACL file %s: " DF_RC, path, DP_RC(rc));
out_free:
	sec_acl_free(acl);
	return rc;
}

/* "name" -> "name@"; NULL: the caller's user or group. */
static char *
principal(const char *given, bool group)
{
	char *out = NULL;

	if (given != NULL) {
		size_t n = strlen(given);

		if (n > 0 && given[n - 1] == '@')
			return d_strdup(given);
		d_asprintf(&out, "%s@", given);
		return out;
	}
	if (group) {
		struct group *g = getgrgid(getgid());

		if (g != NULL)
			d_asprintf(&out, "%s@", g->gr_name);
	} else {
		struct passwd *pw = getpwuid(getuid());

		if (pw != NULL)
			d_asprintf(&out, "%s@", pw->pw_name);
	}
	return out;
}

/* --tier-ratio "6,94" or "6" (the rest goes to NVMe). */
static int
tier_ratio_parse(struct cli_ctx *ctx, const char *str, double *r)
{
	char *end;
	double a, b;

	errno = 0;
	a = strtod(str, &end);
	if (errno == 0 && end != str && *end == '\0') {
		b = 100.0 - a;
	} else if (errno == 0 && end != str && *end == ',') {
		const char *s2 = end + 1;

		b = strtod(s2, &end);
		if (errno != 0 || end == s2 || *end != '\0')
			goto out_bad;
	} else {
		goto out_bad;
	}
	if (a < 0 || b < 0 || a > 100 || b > 100 || a + b < 99.99 || a + b > 100.01)
		goto out_bad;
	r[0] = a;
	r[1] = b;
	return 0;
out_bad:
	dmg_errf(ctx,
		 "invalid --tier-ratio \"%s\": expected two percentages adding up to 100 "
		 "(e.g. 6,94) or one",
		 str);
	return -DER_INVAL;
}

/* Strings of a request built here: ours, or protobuf-c's shared empty string. */
static void
str_free(char *s)
{
	if (s != protobuf_c_empty_string)
		d_free(s);
}

void
dmg_pool_create_req_fini(Mgmt__PoolCreateReq *req)
{
	str_free(req->label);
	str_free(req->user);
	str_free(req->group);
	str_free(req->ranks);
	d_free(req->tier_ratio);
	d_free(req->tier_bytes);
	sec_acl_strs_free(req->acl, req->n_acl);
	props_free(req->properties, req->n_properties);
	mgmt__pool_create_req__init(req);
}

static int
parse_size_flag(struct cli_ctx *ctx, const struct cli_args *a, int id, uint64_t *out)
{
	if (pool_prop_size_parse(a->val[id], out) != 0) {
		dmg_errf(ctx, "invalid --%s \"%s\": expected a size such as 10G, 1.5TB or 512MiB",
			 dmg_opts[id].name, a->val[id]);
		return -DER_INVAL;
	}
	return 0;
}

int
dmg_pool_create_req(struct cli_ctx *ctx, const struct cli_args *a, Mgmt__PoolCreateReq *req)
{
	const char *label = a->pos[0];
	const char *size = a->val[DMG_OPT_SIZE];
	bool manual = a->set[DMG_OPT_SCM_SIZE] || a->set[DMG_OPT_NVME_SIZE];
	char err[256];
	uint64_t v;
	int rc = -DER_INVAL;

	mgmt__pool_create_req__init(req);
	if (!pool_prop_label_is_valid(label, err, sizeof(err))) {
		dmg_errf(ctx, "%s", err);
		return -DER_INVAL;
	}
	/* sizing: exactly one style */
	if (size != NULL && manual) {
		dmg_errf(ctx, "--size may not be mixed with --scm-size or --nvme-size");
		return -DER_INVAL;
	}
	if (size == NULL && !manual) {
		dmg_errf(ctx, "either --size or --scm-size must be supplied");
		return -DER_INVAL;
	}
	if (a->set[DMG_OPT_NVME_SIZE] && !a->set[DMG_OPT_SCM_SIZE]) {
		dmg_errf(ctx, "--nvme-size requires --scm-size");
		return -DER_INVAL;
	}
	if (manual && a->set[DMG_OPT_TIER_RATIO]) {
		dmg_errf(ctx, "--tier-ratio may only be used with --size");
		return -DER_INVAL;
	}
	if (a->set[DMG_OPT_NRANKS] && a->set[DMG_OPT_RANKS]) {
		dmg_errf(ctx, "--nranks and --ranks may not be used together");
		return -DER_INVAL;
	}

	req->label = d_strdup(label);
	if (req->label == NULL)
		goto out_nomem;
	if (size != NULL && size[0] != '\0' && size[strlen(size) - 1] == '%') {
		char num[16];
		size_t n = strlen(size) - 1;

		if (a->set[DMG_OPT_NRANKS] || a->set[DMG_OPT_TIER_RATIO]) {
			dmg_errf(ctx, "--size as a percentage may not be used with --nranks or "
				      "--tier-ratio");
			goto out_fini;
		}
		if (n == 0 || n >= sizeof(num))
			goto out_bad_pct;
		memcpy(num, size, n);
		num[n] = '\0';
		if (cli_uint_parse(num, 100, &v) != 0 || v == 0)
			goto out_bad_pct;
		req->size_percent = (uint32_t)v;
	} else if (size != NULL) {
		double r[2] = { 6, 94 };

		rc = parse_size_flag(ctx, a, DMG_OPT_SIZE, &req->total_bytes);
		if (rc != 0)
			goto out_fini;
		if (req->total_bytes == 0) {
			dmg_errf(ctx, "invalid --size \"%s\": a pool needs some space", size);
			rc = -DER_INVAL;
			goto out_fini;
		}
		if (a->val[DMG_OPT_TIER_RATIO] != NULL) {
			rc = tier_ratio_parse(ctx, a->val[DMG_OPT_TIER_RATIO], r);
			if (rc != 0)
				goto out_fini;
		}
		req->tier_ratio = d_calloc(2, sizeof(double));
		if (req->tier_ratio == NULL)
			goto out_nomem;
		req->tier_ratio[0] = r[0];
		req->tier_ratio[1] = r[1];
		req->n_tier_ratio = 2;
	} else {
		uint64_t scm = 0, nvme = 0;

		rc = parse_size_flag(ctx, a, DMG_OPT_SCM_SIZE, &scm);
		if (rc == 0 && a->set[DMG_OPT_NVME_SIZE])
			rc = parse_size_flag(ctx, a, DMG_OPT_NVME_SIZE, &nvme);
		if (rc != 0)
			goto out_fini;
		if (scm == 0) {
			dmg_errf(ctx, "invalid --scm-size \"%s\": a pool needs some SCM",
				 a->val[DMG_OPT_SCM_SIZE]);
			rc = -DER_INVAL;
			goto out_fini;
		}
		req->tier_bytes = d_calloc(2, sizeof(uint64_t));
		if (req->tier_bytes == NULL)
			goto out_nomem;
		req->tier_bytes[0] = scm;
		req->tier_bytes[1] = nvme;
		req->n_tier_bytes = 2;
	}

	rc = -DER_INVAL;
	if (a->set[DMG_OPT_NRANKS]) {
		if (cli_uint_parse(a->val[DMG_OPT_NRANKS], UINT32_MAX, &v) != 0 || v == 0) {
			dmg_errf(ctx, "invalid --nranks \"%s\": expected a number of ranks",
				 a->val[DMG_OPT_NRANKS]);
			goto out_fini;
		}
		req->num_ranks = (uint32_t)v;
	}
	if (a->set[DMG_OPT_RANKS]) {
		d_rank_list_t *rl = NULL;

		if (d_rank_list_parse(a->val[DMG_OPT_RANKS], strlen(a->val[DMG_OPT_RANKS]), &rl) !=
			    0 ||
		    rl->rl_nr == 0) {
			d_rank_list_free(rl);
			dmg_errf(ctx, "invalid rank list \"%s\": expected ranks such as 0,5-10",
				 a->val[DMG_OPT_RANKS]);
			goto out_fini;
		}
		d_rank_list_free(rl);
		req->ranks = d_strdup(a->val[DMG_OPT_RANKS]);
		if (req->ranks == NULL)
			goto out_nomem;
	}
	if (a->set[DMG_OPT_NSVC]) {
		if (cli_uint_parse(a->val[DMG_OPT_NSVC], DMG_NSVC_MAX, &v) != 0 || v == 0) {
			dmg_errf(ctx, "invalid --nsvc \"%s\": expected 1-%d", a->val[DMG_OPT_NSVC],
				 DMG_NSVC_MAX);
			goto out_fini;
		}
		req->num_svc_reps = (uint32_t)v;
	}
	req->user = principal(a->val[DMG_OPT_USER], false);
	req->group = principal(a->val[DMG_OPT_GROUP], true);
	if ((a->set[DMG_OPT_USER] && req->user == NULL) ||
	    (a->set[DMG_OPT_GROUP] && req->group == NULL))
		goto out_nomem;
	if (a->set[DMG_OPT_USER] && !sec_principal_is_valid(req->user)) {
		dmg_errf(ctx, "invalid --user \"%s\"", a->val[DMG_OPT_USER]);
		goto out_fini;
	}
	if (a->set[DMG_OPT_GROUP] && !sec_principal_is_valid(req->group)) {
		dmg_errf(ctx, "invalid --group \"%s\"", a->val[DMG_OPT_GROUP]);
		goto out_fini;
	}
	if (a->set[DMG_OPT_ACL_FILE]) {
		rc = acl_file_strs(ctx, a->val[DMG_OPT_ACL_FILE], &req->acl, &req->n_acl);
		if (rc != 0)
			goto out_fini;
	}
	if (a->set[DMG_OPT_PROPERTIES]) {
		struct prop_acc acc;

		rc = props_parse(ctx, a->val[DMG_OPT_PROPERTIES], true, &acc);
		if (rc != 0)
			goto out_fini;
		req->properties = acc.props;
		req->n_properties = acc.nr;
		if (acc.has_label) {
			dmg_errf(ctx, "the pool label is the positional argument: it may not also "
				      "be given with --properties");
			rc = -DER_INVAL;
			goto out_fini;
		}
	}
	return 0;

out_bad_pct:
	dmg_errf(ctx, "invalid --size \"%s\": a percentage must be 1%%-100%%", size);
	rc = -DER_INVAL;
	goto out_fini;
out_nomem:
	dmg_errf(ctx, "out of memory");
	rc = -DER_NOMEM;
out_fini:
	dmg_pool_create_req_fini(req);
	return rc;
}

static int
ms_call(struct cli_ctx *ctx, uint32_t method, const ProtobufCMessage *req,
	const ProtobufCMessageDescriptor *desc, ProtobufCMessage **resp)
{
	int rc = dmg_ms_call(ctx, method, req, desc, resp);

	if (rc == 0 && ctx->json)
		ctx->json_resp = dmg_json_from_pb(*resp);
	return rc;
}

int
dmg_pool_create(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__PoolCreateReq req;
	Mgmt__PoolCreateResp *resp;
	int rc;

	rc = dmg_pool_create_req(ctx, a, &req);
	if (rc != 0)
		return rc;
	if (!ctx->json)
		dmg_print_pool_create_intro(ctx->out, &req);
	rc = ms_call(ctx, CTL_POOL_CREATE, &req.base, &mgmt__pool_create_resp__descriptor,
		     (ProtobufCMessage **)&resp);
	dmg_pool_create_req_fini(&req);
	if (rc != 0)
		return rc;
	if (!ctx->json)
		dmg_print_pool_create(ctx->out, resp);
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return 0;
}

int
dmg_pool_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__ListPoolsReq req = MGMT__LIST_POOLS_REQ__INIT;
	Mgmt__ListPoolsResp *resp;
	int rc;

	req.no_query = a->set[DMG_OPT_NO_QUERY];
	rc = ms_call(ctx, CTL_POOL_LIST, &req.base, &mgmt__list_pools_resp__descriptor,
		     (ProtobufCMessage **)&resp);
	if (rc != 0)
		return rc;
	if (!ctx->json)
		dmg_print_pool_list(ctx->out, resp, a->set[DMG_OPT_VERBOSE],
				    a->set[DMG_OPT_NO_QUERY]);
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return 0;
}

/* Send a PoolIdReq; *resp is the PoolResp. */
static int
pool_call(struct cli_ctx *ctx, uint32_t method, Mgmt__PoolIdReq *req, Mgmt__PoolResp **resp)
{
	return ms_call(ctx, method, &req->base, &mgmt__pool_resp__descriptor,
		       (ProtobufCMessage **)resp);
}

static void
pool_req_init(Mgmt__PoolIdReq *req, const struct cli_args *a)
{
	mgmt__pool_id_req__init(req);
	req->id = (char *)a->pos[0];
}

int
dmg_pool_query(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__PoolIdReq req;
	Mgmt__PoolResp *resp;
	int rc;

	pool_req_init(&req, a);
	req.health_only = a->set[DMG_OPT_HEALTH_ONLY];
	rc = pool_call(ctx, CTL_POOL_QUERY, &req, &resp);
	if (rc != 0)
		return rc;
	if (!ctx->json) {
		if (resp->info != NULL)
			dmg_print_pool_query(ctx->out, resp->info, a->set[DMG_OPT_SHOW_ENABLED],
					     a->set[DMG_OPT_HEALTH_ONLY]);
		else
			fprintf(ctx->out, "No pool information returned\n");
	}
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return 0;
}

static int
pool_simple(struct cli_ctx *ctx, const struct cli_args *a, uint32_t method, const char *done)
{
	Mgmt__PoolIdReq req;
	Mgmt__PoolResp *resp;
	int rc;

	pool_req_init(&req, a);
	req.force = a->set[DMG_OPT_FORCE];
	req.recursive = a->set[DMG_OPT_RECURSIVE];
	rc = pool_call(ctx, method, &req, &resp);
	if (rc != 0)
		return rc;
	if (!ctx->json)
		fprintf(ctx->out, "%s\n", done);
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return 0;
}

int
dmg_pool_destroy(struct cli_ctx *ctx, const struct cli_args *a)
{
	return pool_simple(ctx, a, CTL_POOL_DESTROY, "Pool-destroy command succeeded");
}

int
dmg_pool_evict(struct cli_ctx *ctx, const struct cli_args *a)
{
	return pool_simple(ctx, a, CTL_POOL_EVICT, "Pool-evict command succeeded");
}

int
dmg_pool_get_prop(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__PoolIdReq req;
	Mgmt__PoolResp *resp;
	Mgmt__PoolProperty *props = NULL, **pp = NULL;
	char names[1024];
	size_t nr = 0;
	int rc;

	pool_req_init(&req, a);
	if (a->nr_pos > 1) {
		char *p, *save = NULL;

		snprintf(names, sizeof(names), "%s", a->pos[1]);
		props = d_calloc(strlen(names) / 2 + 1, sizeof(*props));
		pp = d_calloc(strlen(names) / 2 + 1, sizeof(*pp));
		if (props == NULL || pp == NULL) {
			rc = -DER_NOMEM;
			goto out_free;
		}
		for (p = strtok_r(names, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
			const struct pool_prop_def *def = pool_prop_lookup(p);

			if (def == NULL) {
				dmg_errf(ctx, "unknown pool property \"%s\"", p);
				rc = -DER_INVAL;
				goto out_free;
			}
			mgmt__pool_property__init(&props[nr]);
			props[nr].name = (char *)def->key;
			props[nr].value = "";
			pp[nr] = &props[nr];
			nr++;
		}
		req.properties = pp;
		req.n_properties = nr;
	}
	rc = pool_call(ctx, CTL_POOL_GET_PROP, &req, &resp);
	if (rc != 0)
		goto out_free;
	if (!ctx->json)
		dmg_print_pool_props(ctx->out, a->pos[0], resp);
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
out_free:
	d_free(props);
	d_free(pp);
	return rc;
}

int
dmg_pool_set_prop(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__PoolIdReq req;
	Mgmt__PoolResp *resp;
	struct prop_acc acc;
	int rc;

	pool_req_init(&req, a);
	rc = props_parse(ctx, a->pos[1], false, &acc);
	if (rc != 0)
		return rc;
	req.properties = acc.props;
	req.n_properties = acc.nr;
	rc = pool_call(ctx, CTL_POOL_SET_PROP, &req, &resp);
	props_free(acc.props, acc.nr);
	if (rc != 0)
		return rc;
	if (!ctx->json)
		fprintf(ctx->out, "pool set-prop succeeded\n");
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return 0;
}

/* The ACL of a PoolResp as get-acl prints it. */
static int
acl_text(struct cli_ctx *ctx, const Mgmt__PoolResp *resp, bool verbose, char **out)
{
	struct daos_acl *acl = NULL;
	int rc;

	rc = sec_acl_from_strs((const char *const *)resp->acl, resp->n_acl, &acl);
	if (rc != 0) {
		dmg_errf(ctx, "the server sent an invalid ACL: " DF_RC, DP_RC(rc));
		return rc;
	}
	rc = sec_acl_to_text(acl, *resp->owner_user ? resp->owner_user : NULL,
			     *resp->owner_group ? resp->owner_group : NULL, verbose, out);
	sec_acl_free(acl);
	if (rc != 0)
		dmg_errf(ctx, "ACL display: " DF_RC, DP_RC(rc));
	return rc;
}

static int
acl_show(struct cli_ctx *ctx, const Mgmt__PoolResp *resp, bool verbose)
{
	char *text = NULL;
	int rc;

	if (ctx->json)
		return 0;
	rc = acl_text(ctx, resp, verbose, &text);
	if (rc == 0)
		fputs(text, ctx->out);
	d_free(text);
	return rc;
}

int
dmg_pool_get_acl(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *outfile = a->val[DMG_OPT_OUTFILE];
	Mgmt__PoolIdReq req;
	Mgmt__PoolResp *resp;
	struct stat st;
	char *text = NULL;
	FILE *f;
	int rc;

	if (outfile != NULL && !a->set[DMG_OPT_FORCE] && stat(outfile, &st) == 0) {
		dmg_errf(ctx, "file %s already exists (use --force to overwrite it)", outfile);
		return -DER_EXIST;
	}
	pool_req_init(&req, a);
	rc = pool_call(ctx, CTL_POOL_GET_ACL, &req, &resp);
	if (rc != 0)
		return rc;
	if (outfile == NULL) {
		rc = acl_show(ctx, resp, a->set[DMG_OPT_VERBOSE]);
		goto out_resp;
	}
	rc = acl_text(ctx, resp, a->set[DMG_OPT_VERBOSE], &text);
	if (rc != 0)
		goto out_resp;
	f = fopen(outfile, "w");
	if (f == NULL || fputs(text, f) < 0) {
		rc = -daos_errno2der(errno);
		dmg_errf(ctx, "cannot write %s: %s", outfile, strerror(errno));
		if (f != NULL)
			fclose(f);
		goto out_text;
	}
	if (fclose(f) != 0) {
		rc = -daos_errno2der(errno);
		dmg_errf(ctx, "cannot write %s: %s", outfile, strerror(errno));
		goto out_text;
	}
	if (!ctx->json)
		fprintf(ctx->out, "Wrote ACL to output file: %s\n", outfile);
out_text:
	d_free(text);
out_resp:
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return rc;
}

static int
acl_send(struct cli_ctx *ctx, const struct cli_args *a, uint32_t method, char **strs, size_t nr)
{
	Mgmt__PoolIdReq req;
	Mgmt__PoolResp *resp;
	int rc;

	pool_req_init(&req, a);
	req.acl = strs;
	req.n_acl = nr;
	if (a->val[DMG_OPT_PRINCIPAL] != NULL)
		req.principal = (char *)a->val[DMG_OPT_PRINCIPAL];
	rc = pool_call(ctx, method, &req, &resp);
	if (rc != 0)
		return rc;
	rc = acl_show(ctx, resp, false);
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return rc;
}

int
dmg_pool_update_acl(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct daos_ace *ace = NULL;
	char **strs = NULL;
	size_t nr = 0;
	char buf[DAOS_ACL_MAX_ACE_STR_LEN + 1], *one[1];
	int rc;

	if (a->set[DMG_OPT_ACL_FILE] == a->set[DMG_OPT_ENTRY]) {
		dmg_errf(ctx, "exactly one of --acl-file and --entry is required");
		return -DER_INVAL;
	}
	if (a->set[DMG_OPT_ACL_FILE]) {
		rc = acl_file_strs(ctx, a->val[DMG_OPT_ACL_FILE], &strs, &nr);
		if (rc != 0)
			return rc;
		rc = acl_send(ctx, a, CTL_POOL_UPDATE_ACL, strs, nr);
		sec_acl_strs_free(strs, nr);
		return rc;
	}
	rc = sec_ace_from_str(a->val[DMG_OPT_ENTRY], &ace);
	if (rc == 0)
		rc = sec_ace_to_str(ace, buf, sizeof(buf));
	sec_ace_free(ace);
	if (rc != 0) {
		dmg_errf(ctx,
			 "invalid ACE \"%s\": expected TYPE:FLAGS:PRINCIPAL:PERMS, e.g. "
			 "A::user@:rw",
			 a->val[DMG_OPT_ENTRY]);
		return -DER_INVAL;
	}
	one[0] = buf;
	return acl_send(ctx, a, CTL_POOL_UPDATE_ACL, one, 1);
}

int
dmg_pool_overwrite_acl(struct cli_ctx *ctx, const struct cli_args *a)
{
	char **strs = NULL;
	size_t nr = 0;
	int rc;

	if (!a->set[DMG_OPT_ACL_FILE]) {
		dmg_errf(ctx, "the required flag `-a, --acl-file' was not specified");
		return -DER_INVAL;
	}
	rc = acl_file_strs(ctx, a->val[DMG_OPT_ACL_FILE], &strs, &nr);
	if (rc != 0)
		return rc;
	rc = acl_send(ctx, a, CTL_POOL_OVERWRITE_ACL, strs, nr);
	sec_acl_strs_free(strs, nr);
	return rc;
}

int
dmg_pool_delete_acl(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum daos_acl_principal_type type;
	char *name = NULL;
	int rc;

	if (!a->set[DMG_OPT_PRINCIPAL]) {
		dmg_errf(ctx, "the required flag `-p, --principal' was not specified");
		return -DER_INVAL;
	}
	rc = sec_principal_from_str(a->val[DMG_OPT_PRINCIPAL], &type, &name);
	d_free(name);
	if (rc != 0) {
		dmg_errf(ctx,
			 "invalid principal \"%s\": expected u:name@, g:name@, OWNER@, "
			 "GROUP@ or EVERYONE@",
			 a->val[DMG_OPT_PRINCIPAL]);
		return -DER_INVAL;
	}
	return acl_send(ctx, a, CTL_POOL_DELETE_ACL, NULL, 0);
}
