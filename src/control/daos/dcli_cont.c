/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_cont.c - `daos container`: create, destroy, query, properties, ACL, owner, user
 * attributes. Snapshots are in dcli_snap.c.
 *
 * create: the flags become one property list (--properties, the layout type of --type,
 * --acl-file, --user, --group) handed to libdaos. A POSIX container is more than a
 * container with layout type POSIX: libdfs writes its superblock and root directory, and
 * keeps the chunk size and object classes in the superblock (no DAOS_PROP_CO_* property
 * holds them). So --type POSIX goes through ops->posix_cont_create (dfs_cont_create), and
 * a build without libdfs refuses it rather than make a container dfuse cannot mount.
 *
 * Each command connects and opens what it needs for the call and closes it before
 * returning: read-only for queries, read-write for changes.
 */
#define D_LOGFAC DD_FAC(control)

#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>

#include "control/daos/dcli_int.h"

/* ---- create ---- */

/* An object class flag (--oclass and friends) into *id; 0 if the flag was not given. */
static int
oclass_arg(struct cli_ctx *ctx, const struct cli_args *a, int opt, daos_oclass_id_t *id)
{
	int cid;

	*id = 0;
	if (!a->set[opt])
		return 0;
	cid = ctx->ops->oclass_name2id(a->val[opt]);
	if (cid <= 0)
		return dcli_errf(ctx, 0, "unknown object class \"%s\" for --%s", a->val[opt],
				 dcli_opts[opt].name);
	*id = (daos_oclass_id_t)cid;
	return 0;
}

/* "name" or "name@" into "name@", as DAOS takes owner principals. */
static int
principal_arg(struct cli_ctx *ctx, const char *flag, const char *val, char *buf, size_t len)
{
	size_t n = strlen(val);

	snprintf(buf, len, "%s%s", val, n > 0 && val[n - 1] == '@' ? "" : "@");
	if (!dcli_principal_is_valid(buf))
		return dcli_errf(ctx, 0, "invalid %s \"%s\": expected name@ or name@domain", flag,
				 val);
	return 0;
}

/* The POSIX-only flags, checked; *posix says whether the container is POSIX. */
static int
posix_args(struct cli_ctx *ctx, const struct cli_args *a, uint64_t type,
	   struct dcli_posix_attr *attr)
{
	static const int posix_only[] = { DCLI_OPT_CHUNK_SIZE, DCLI_OPT_OCLASS, DCLI_OPT_DIR_OCLASS,
					  DCLI_OPT_FILE_OCLASS };
	unsigned int i;
	int rc;

	if (type != DAOS_PROP_CO_LAYOUT_POSIX) {
		for (i = 0; i < ARRAY_SIZE(posix_only); i++)
			if (a->set[posix_only[i]])
				return dcli_errf(ctx, 0, "--%s applies only to POSIX containers",
						 dcli_opts[posix_only[i]].name);
		return 0;
	}
	if (a->set[DCLI_OPT_CHUNK_SIZE] &&
	    (pool_prop_size_parse(a->val[DCLI_OPT_CHUNK_SIZE], &attr->chunk_size) != 0 ||
	     attr->chunk_size == 0))
		return dcli_errf(ctx, 0, "invalid --chunk-size \"%s\": expected bytes, e.g. 1MiB",
				 a->val[DCLI_OPT_CHUNK_SIZE]);
	rc = oclass_arg(ctx, a, DCLI_OPT_OCLASS, &attr->oclass);
	if (rc == 0)
		rc = oclass_arg(ctx, a, DCLI_OPT_DIR_OCLASS, &attr->dir_oclass);
	if (rc == 0)
		rc = oclass_arg(ctx, a, DCLI_OPT_FILE_OCLASS, &attr->file_oclass);
	return rc;
}

/* Everything but POSIX attributes, as one property list; *label is where the label is. */
static int
create_props(struct cli_ctx *ctx, const struct cli_args *a, uint64_t type, daos_prop_t *props,
	     const char **label)
{
	struct daos_prop_entry *e;
	struct daos_acl *acl = NULL;
	char err[512], who[DAOS_ATTR_NAME_MAX + 2];
	int rc;

	*label = a->nr_pos > 1 ? a->pos[1] : a->val[DCLI_OPT_LABEL];
	if (a->nr_pos > 1 && a->set[DCLI_OPT_LABEL])
		return dcli_errf(ctx, 0,
				 "the label is given twice: as an argument and with --label");
	if (a->set[DCLI_OPT_PROPERTIES]) {
		rc = cont_props_parse(a->val[DCLI_OPT_PROPERTIES], CONT_PROP_USE_CREATE, props, err,
				      sizeof(err));
		if (rc != 0)
			return dcli_errf(ctx, rc == -DER_NOMEM ? rc : 0, "%s", err);
	}
	/* A label in --properties is the label; libdaos takes it as an argument. */
	e = cont_props_find(props, DAOS_PROP_CO_LABEL);
	if (e != NULL && *label != NULL)
		return dcli_errf(ctx, 0,
				 "the label is given twice: as an argument and in --properties");
	if (e != NULL)
		*label = e->dpe_str;
	if (*label != NULL && !pool_prop_label_is_valid(*label, err, sizeof(err)))
		return dcli_errf(ctx, 0, "%s", err);
	if (type != DAOS_PROP_CO_LAYOUT_UNKNOWN) {
		rc = cont_props_add_num(props, DAOS_PROP_CO_LAYOUT_TYPE, type);
		if (rc != 0)
			return dcli_errf(ctx, rc, "failed to create container");
	}
	if (a->set[DCLI_OPT_CREATE_ACL_FILE]) {
		rc = dcli_acl_from_file(a->val[DCLI_OPT_CREATE_ACL_FILE], &acl, err, sizeof(err));
		if (rc != 0)
			return dcli_errf(ctx, rc == -DER_NOMEM ? rc : 0, "%s", err);
		rc = cont_props_add_acl(props, acl);
		if (rc != 0) {
			dcli_acl_free(acl);
			return dcli_errf(ctx, rc, "failed to create container");
		}
	}
	if (a->set[DCLI_OPT_USER]) {
		rc = principal_arg(ctx, "--user", a->val[DCLI_OPT_USER], who, sizeof(who));
		if (rc == 0)
			rc = cont_props_add_str(props, DAOS_PROP_CO_OWNER, who);
		if (rc != 0)
			return rc;
	}
	if (a->set[DCLI_OPT_GROUP]) {
		rc = principal_arg(ctx, "--group", a->val[DCLI_OPT_GROUP], who, sizeof(who));
		if (rc == 0)
			rc = cont_props_add_str(props, DAOS_PROP_CO_OWNER_GROUP, who);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The list without its label entry (libdaos takes the label apart). */
static void
props_drop_label(daos_prop_t *props)
{
	struct daos_prop_entry *e = cont_props_find(props, DAOS_PROP_CO_LABEL);

	if (e == NULL)
		return;
	d_free(e->dpe_str);
	*e = props->dpp_entries[--props->dpp_nr];
}

int
dcli_cont_create(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *path = a->set[DCLI_OPT_UNS_PATH] ? a->val[DCLI_OPT_UNS_PATH] : NULL;
	struct dcli_posix_attr pattr = { 0 };
	daos_pool_info_t pinfo = { 0 };
	daos_prop_t props = { 0 };
	const char *label = NULL;
	const char *pool = a->nr_pos > 0 ? a->pos[0] : NULL;
	char path_pool[DAOS_PROP_LABEL_MAX_LEN + 1];
	char *label_copy = NULL;
	uint64_t type = DAOS_PROP_CO_LAYOUT_UNKNOWN;
	daos_handle_t poh;
	uuid_t uuid;
	char uuid_str[37];
	char puuid[37];
	int rc;

	if (a->set[DCLI_OPT_TYPE] && cont_layout_parse(a->val[DCLI_OPT_TYPE], &type) != 0)
		return dcli_errf(
			ctx, 0,
			"invalid container type \"%s\": expected POSIX, HDF5, PYTHON, SPARK, DATABASE, ROOT, SEISMIC or METEO",
			a->val[DCLI_OPT_TYPE]);
	if (path != NULL) {
		/* A link is a directory: POSIX unless told otherwise (HDF5: a file). */
		if (!a->set[DCLI_OPT_TYPE])
			type = DAOS_PROP_CO_LAYOUT_POSIX;
		rc = dcli_uns_check_type(ctx, type);
		if (rc == 0 && pool == NULL)
			rc = dcli_uns_pool_of(ctx, path, path_pool, sizeof(path_pool));
		if (rc != 0)
			return rc;
		if (pool == NULL)
			pool = path_pool;
	} else if (pool == NULL) {
		return dcli_errf(ctx, 0,
				 "the required argument `<pool> [<label>]' was not provided");
	}
	rc = posix_args(ctx, a, type, &pattr);
	if (rc != 0)
		return rc;
	rc = create_props(ctx, a, type, &props, &label);
	if (rc != 0)
		goto out_props;
	if (label != NULL) {
		label_copy = d_strdup(label);
		if (label_copy == NULL) {
			rc = dcli_errf(ctx, -DER_NOMEM, "failed to create container");
			goto out_props;
		}
	}
	props_drop_label(&props);
	if (type == DAOS_PROP_CO_LAYOUT_POSIX && ctx->ops->posix_cont_create == NULL) {
		/* The call point of dfs_cont_create(): ops->posix_cont_create. Without libdfs
		 * there is no POSIX namespace to create, and a bare container typed POSIX would
		 * only fail later, at mount. */
		rc = dcli_errf(
			ctx, -DER_NOSYS,
			"failed to create container: POSIX containers need libdfs (dfs_cont_create), which this build does not have");
		goto out_props;
	}
	rc = dcli_pool_connect(ctx, pool, DAOS_PC_RW, &poh, &pinfo);
	if (rc != 0)
		goto out_props;
	if (type == DAOS_PROP_CO_LAYOUT_POSIX)
		rc = ctx->ops->posix_cont_create(poh, label_copy, &pattr, &props, &uuid);
	else if (label_copy != NULL)
		rc = ctx->ops->cont_create_with_label(poh, label_copy, &props, &uuid, NULL);
	else
		rc = ctx->ops->cont_create(poh, &uuid, &props, NULL);
	if (rc != 0) {
		ctx->ops->pool_disconnect(poh, NULL);
		dcli_errf(ctx, rc, "failed to create container");
		goto out_props;
	}
	uuid_unparse_lower(uuid, uuid_str);
	uuid_unparse_lower(pinfo.pi_uuid, puuid);
	if (path != NULL) {
		rc = dcli_uns_make(ctx, path, type, puuid, uuid_str);
		/* No link, no container: as if the command had not run. */
		if (rc != 0 && ctx->ops->cont_destroy(poh, uuid_str, 1, NULL) != 0)
			fprintf(ctx->out, "container %s was created but not linked; destroy it\n",
				uuid_str);
	}
	ctx->ops->pool_disconnect(poh, NULL);
	if (rc != 0)
		goto out_props;
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s, s:s?, s:s, s:s?}", "container_uuid", uuid_str,
					   "container_label", label_copy, "container_type",
					   cont_layout_name(type), "path", path);
	else
		dcli_print_cont_create(ctx->out, uuid_str, label_copy, cont_layout_name(type),
				       path);
out_props:
	d_free(label_copy);
	cont_props_fini(&props);
	return rc;
}

int
dcli_cont_destroy(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *path = a->set[DCLI_OPT_UNS_PATH] ? a->val[DCLI_OPT_UNS_PATH] : NULL;
	daos_handle_t poh;
	int rc;

	/* --path destroys what a link names, never the container a directory is in. */
	if (path != NULL && !ctx->path_is_link)
		return dcli_errf(ctx, 0,
				 "%s is inside container %s, not a link to it: give the link or "
				 "<pool> <container>",
				 path, a->pos[1]);
	rc = dcli_pool_connect(ctx, a->pos[0], DAOS_PC_RW, &poh, NULL);
	if (rc != 0)
		return rc;
	/*
	 * Through a link, always forced, as DAOS's duns_destroy_path does: reading the link
	 * inside a dfuse mount makes that dfuse open the container.
	 */
	rc = ctx->ops->cont_destroy(poh, a->pos[1], a->set[DCLI_OPT_FORCE] || path != NULL, NULL);
	ctx->ops->pool_disconnect(poh, NULL);
	if (rc == -DER_BUSY)
		return dcli_errf(
			ctx, rc,
			"failed to destroy container %s: it is open (a dfuse mount serving "
			"it holds it open); --force destroys it anyway",
			a->pos[1]);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to destroy container %s", a->pos[1]);
	if (path != NULL) {
		rc = ctx->ops->uns_unlink(path);
		if (rc != 0)
			return dcli_errf(ctx, rc,
					 "destroyed container %s, but could not remove its link %s",
					 a->pos[1], path);
	}
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s}", "container", a->pos[1]);
	else
		fprintf(ctx->out, "Successfully destroyed container %s\n", a->pos[1]);
	return 0;
}

/* ---- query and properties ---- */

/* Every property of the open container, in a list libdaos allocated (ops->prop_free). */
static int
query_props(struct cli_ctx *ctx, daos_handle_t coh, daos_cont_info_t *info, daos_prop_t **out)
{
	daos_prop_t *prop;
	int rc;

	prop = ctx->ops->prop_alloc(0);
	if (prop == NULL)
		return -DER_NOMEM;
	rc = ctx->ops->cont_query(coh, info, prop, NULL);
	if (rc != 0) {
		ctx->ops->prop_free(prop);
		return rc;
	}
	*out = prop;
	return 0;
}

static uint64_t
prop_num(const daos_prop_t *prop, uint32_t type, uint64_t dflt)
{
	struct daos_prop_entry *e = cont_props_find(prop, type);

	return e != NULL && !(e->dpe_flags & DAOS_PROP_ENTRY_NOT_SET) ? e->dpe_val : dflt;
}

int
dcli_cont_query(struct cli_ctx *ctx, const struct cli_args *a)
{
	daos_pool_info_t pinfo = { 0 };
	daos_cont_info_t info = { 0 };
	struct dcli_cont_report r = { 0 };
	struct daos_prop_entry *e;
	daos_prop_t *prop = NULL;
	daos_handle_t poh, coh;
	char puuid[37], cuuid[37];
	int rc;

	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RO, &poh, &coh, &pinfo,
			    NULL);
	if (rc != 0)
		return rc;
	rc = query_props(ctx, coh, &info, &prop);
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to query container %s", a->pos[1]);
		goto out;
	}
	uuid_unparse_lower(pinfo.pi_uuid, puuid);
	uuid_unparse_lower(info.ci_uuid, cuuid);
	e = cont_props_find(prop, DAOS_PROP_CO_LABEL);
	r.pool_uuid = puuid;
	r.cont_uuid = cuuid;
	r.label = e != NULL && e->dpe_str != NULL ? e->dpe_str : DAOS_PROP_CO_LABEL_DEFAULT;
	r.type = cont_layout_name(prop_num(prop, DAOS_PROP_CO_LAYOUT_TYPE, 0));
	r.rd_fac = prop_num(prop, DAOS_PROP_CO_REDUN_FAC, 0);
	r.nhandles = info.ci_nhandles;
	r.nsnapshots = info.ci_nsnapshots;
	r.lsnapshot = info.ci_lsnapshot;
	r.otime = info.ci_md_otime;
	r.mtime = info.ci_md_mtime;
	if (ctx->json)
		ctx->json_resp = dcli_json_cont_query(&r);
	else
		dcli_print_cont_query(ctx->out, &r);
out:
	if (prop != NULL)
		ctx->ops->prop_free(prop);
	dcli_cont_close(ctx, poh, coh);
	return rc;
}

/* The entries of @prop whose types are in @names, as a list sharing @prop's values: free
 * only its array. */
static int
props_pick(const daos_prop_t *prop, const daos_prop_t *names, daos_prop_t *out)
{
	uint32_t i;

	out->dpp_nr = 0;
	out->dpp_entries = d_calloc(prop->dpp_nr + 1, sizeof(*out->dpp_entries));
	if (out->dpp_entries == NULL)
		return -DER_NOMEM;
	for (i = 0; i < prop->dpp_nr; i++)
		if (cont_props_find(names, prop->dpp_entries[i].dpe_type) != NULL)
			out->dpp_entries[out->dpp_nr++] = prop->dpp_entries[i];
	return 0;
}

int
dcli_cont_get_prop(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *names = a->nr_pos > 2 ? a->pos[2] : a->val[DCLI_OPT_PROPERTIES];
	daos_prop_t want = { 0 }, picked = { 0 };
	daos_prop_t *prop = NULL;
	daos_handle_t poh, coh;
	char err[512];
	int rc;

	if (names != NULL) {
		rc = cont_props_parse_names(names, &want, err, sizeof(err));
		if (rc != 0) {
			dcli_errf(ctx, rc == -DER_NOMEM ? rc : 0, "%s", err);
			goto out_want;
		}
	}
	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RO, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		goto out_want;
	rc = query_props(ctx, coh, NULL, &prop);
	if (rc == 0 && names != NULL)
		rc = props_pick(prop, &want, &picked);
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to get properties of container %s", a->pos[1]);
		goto out;
	}
	if (ctx->json)
		ctx->json_resp = dcli_json_cont_props(names != NULL ? &picked : prop);
	else
		dcli_print_cont_props(ctx->out, a->pos[1], names != NULL ? &picked : prop);
out:
	d_free(picked.dpp_entries);
	if (prop != NULL)
		ctx->ops->prop_free(prop);
	dcli_cont_close(ctx, poh, coh);
out_want:
	cont_props_fini(&want);
	return rc;
}

int
dcli_cont_set_prop(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *list = a->nr_pos > 2 ? a->pos[2] : a->val[DCLI_OPT_PROPERTIES];
	daos_prop_t props = { 0 };
	daos_handle_t poh, coh;
	char err[512];
	int rc;

	if (list == NULL)
		return dcli_errf(ctx, 0, "no properties given: expected key:value[,key:value]");
	rc = cont_props_parse(list, CONT_PROP_USE_SET, &props, err, sizeof(err));
	if (rc != 0) {
		dcli_errf(ctx, rc == -DER_NOMEM ? rc : 0, "%s", err);
		goto out_props;
	}
	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RW, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		goto out_props;
	rc = ctx->ops->cont_set_prop(coh, &props, NULL);
	dcli_cont_close(ctx, poh, coh);
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to set properties on container %s", a->pos[1]);
		goto out_props;
	}
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s}", "container", a->pos[1]);
	else
		fprintf(ctx->out, "Properties were successfully set\n");
out_props:
	cont_props_fini(&props);
	return rc;
}

/* ---- ACL ---- */

/* The ACL with its owner and group, as get-acl prints it (text or JSON). */
static int
acl_report(struct cli_ctx *ctx, daos_handle_t coh, bool verbose, const char *outfile, bool force)
{
	struct daos_prop_entry *acl, *owner, *group;
	daos_prop_t *prop = NULL;
	char *text = NULL;
	int rc, fd;

	rc = ctx->ops->cont_get_acl(coh, &prop, NULL);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to get the ACL");
	acl = cont_props_find(prop, DAOS_PROP_CO_ACL);
	owner = cont_props_find(prop, DAOS_PROP_CO_OWNER);
	group = cont_props_find(prop, DAOS_PROP_CO_OWNER_GROUP);
	if (ctx->json && outfile == NULL) {
		ctx->json_resp = dcli_acl_to_json(acl ? acl->dpe_val_ptr : NULL,
						  owner ? owner->dpe_str : NULL,
						  group ? group->dpe_str : NULL);
		goto out;
	}
	rc = dcli_acl_to_text(acl ? acl->dpe_val_ptr : NULL, owner ? owner->dpe_str : NULL,
			      group ? group->dpe_str : NULL, verbose, &text);
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to print the ACL");
		goto out;
	}
	if (outfile == NULL) {
		fputs(text, ctx->out);
		goto out;
	}
	fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | (force ? 0 : O_EXCL), 0644);
	if (fd < 0) {
		rc = -daos_errno2der(errno);
		dcli_errf(ctx, errno == EEXIST ? 0 : rc, "%s %s%s",
			  errno == EEXIST ? "file already exists:" : "cannot write ACL file",
			  outfile, errno == EEXIST ? " (use --force to overwrite it)" : "");
		goto out;
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		rc = dcli_errf(ctx, -DER_IO, "cannot write ACL file %s", outfile);
		close(fd);
		goto out;
	}
	close(fd);
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s}", "outfile", outfile);
	else
		fprintf(ctx->out, "Wrote ACL to output file: %s\n", outfile);
out:
	d_free(text);
	ctx->ops->prop_free(prop);
	return rc;
}

int
dcli_cont_get_acl(struct cli_ctx *ctx, const struct cli_args *a)
{
	daos_handle_t poh, coh;
	int rc;

	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RO, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		return rc;
	rc = acl_report(ctx, coh, a->set[DCLI_OPT_VERBOSE_V], a->val[DCLI_OPT_OUTFILE],
			a->set[DCLI_OPT_FORCE]);
	dcli_cont_close(ctx, poh, coh);
	return rc;
}

/* update-acl and overwrite-acl: an ACL from -e or -f, sent, then the result shown. */
static int
acl_change(struct cli_ctx *ctx, const struct cli_args *a, bool overwrite)
{
	struct daos_acl *acl = NULL;
	daos_handle_t poh, coh;
	char err[512];
	int rc;

	if (a->set[DCLI_OPT_ENTRY] == a->set[DCLI_OPT_ACL_FILE])
		return dcli_errf(ctx, 0,
				 overwrite ? "--acl-file is required"
					   : "one of --entry and --acl-file is required");
	if (a->set[DCLI_OPT_ENTRY])
		rc = dcli_acl_from_entry(a->val[DCLI_OPT_ENTRY], &acl, err, sizeof(err));
	else
		rc = dcli_acl_from_file(a->val[DCLI_OPT_ACL_FILE], &acl, err, sizeof(err));
	if (rc != 0)
		return dcli_errf(ctx, rc == -DER_NOMEM ? rc : 0, "%s", err);
	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RW, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		goto out_acl;
	if (overwrite)
		rc = ctx->ops->cont_overwrite_acl(coh, acl, NULL);
	else
		rc = ctx->ops->cont_update_acl(coh, acl, NULL);
	if (rc != 0)
		dcli_errf(ctx, rc, "failed to %s the ACL of container %s",
			  overwrite ? "overwrite" : "update", a->pos[1]);
	else
		rc = acl_report(ctx, coh, false, NULL, false);
	dcli_cont_close(ctx, poh, coh);
out_acl:
	dcli_acl_free(acl);
	return rc;
}

int
dcli_cont_update_acl(struct cli_ctx *ctx, const struct cli_args *a)
{
	return acl_change(ctx, a, false);
}

int
dcli_cont_overwrite_acl(struct cli_ctx *ctx, const struct cli_args *a)
{
	return acl_change(ctx, a, true);
}

int
dcli_cont_delete_acl(struct cli_ctx *ctx, const struct cli_args *a)
{
	daos_handle_t poh, coh;
	char err[512], *name = NULL;
	int type, rc;

	if (!a->set[DCLI_OPT_PRINCIPAL])
		return dcli_errf(ctx, 0, "--principal is required");
	rc = dcli_acl_principal_parse(a->val[DCLI_OPT_PRINCIPAL], &type, &name, err, sizeof(err));
	if (rc != 0)
		return dcli_errf(ctx, rc == -DER_NOMEM ? rc : 0, "%s", err);
	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RW, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		goto out;
	rc = ctx->ops->cont_delete_acl(coh, (enum daos_acl_principal_type)type, name, NULL);
	if (rc != 0)
		dcli_errf(ctx, rc, "failed to delete %s from the ACL of container %s",
			  a->val[DCLI_OPT_PRINCIPAL], a->pos[1]);
	else
		rc = acl_report(ctx, coh, false, NULL, false);
	dcli_cont_close(ctx, poh, coh);
out:
	d_free(name);
	return rc;
}

int
dcli_cont_set_owner(struct cli_ctx *ctx, const struct cli_args *a)
{
	char user[DAOS_ATTR_NAME_MAX + 2], group[DAOS_ATTR_NAME_MAX + 2];
	daos_handle_t poh, coh;
	int rc = 0;

	if (!a->set[DCLI_OPT_USER] && !a->set[DCLI_OPT_GROUP])
		return dcli_errf(ctx, 0, "at least one of --user and --group is required");
	if (a->set[DCLI_OPT_USER])
		rc = principal_arg(ctx, "--user", a->val[DCLI_OPT_USER], user, sizeof(user));
	if (rc == 0 && a->set[DCLI_OPT_GROUP])
		rc = principal_arg(ctx, "--group", a->val[DCLI_OPT_GROUP], group, sizeof(group));
	if (rc != 0)
		return rc;
	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO, DAOS_COO_RW, &poh, &coh, NULL,
			    NULL);
	if (rc != 0)
		return rc;
	rc = ctx->ops->cont_set_owner(coh, a->set[DCLI_OPT_USER] ? user : NULL,
				      a->set[DCLI_OPT_GROUP] ? group : NULL, NULL);
	dcli_cont_close(ctx, poh, coh);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to set the owner of container %s", a->pos[1]);
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s}", "container", a->pos[1]);
	else
		fprintf(ctx->out, "Successfully set owner for container %s\n", a->pos[1]);
	return 0;
}

/* ---- attributes ---- */

/* Open (read-only for reading) and run one attribute command. */
static int
cont_attr_cmd(struct cli_ctx *ctx, const struct cli_args *a, enum dcli_attr_op op)
{
	const struct dcli_attr_ops aops = {
		.list = ctx->ops->cont_list_attr,
		.get = ctx->ops->cont_get_attr,
		.set = ctx->ops->cont_set_attr,
		.del = ctx->ops->cont_del_attr,
	};
	bool change = op == DCLI_ATTR_SET || op == DCLI_ATTR_DEL;
	daos_handle_t poh, coh;
	int rc;

	rc = dcli_cont_open(ctx, a->pos[0], a->pos[1], DAOS_PC_RO,
			    change ? DAOS_COO_RW : DAOS_COO_RO, &poh, &coh, NULL, NULL);
	if (rc != 0)
		return rc;
	rc = dcli_attr_run(ctx, &aops, coh, "container", a->pos[1], op, a->pos[2]);
	dcli_cont_close(ctx, poh, coh);
	return rc;
}

int
dcli_cont_list_attrs(struct cli_ctx *ctx, const struct cli_args *a)
{
	return cont_attr_cmd(ctx, a,
			     a->set[DCLI_OPT_VERBOSE_V] ? DCLI_ATTR_LIST_VALUES : DCLI_ATTR_LIST);
}

int
dcli_cont_get_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	return cont_attr_cmd(ctx, a, DCLI_ATTR_GET);
}

int
dcli_cont_set_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	return cont_attr_cmd(ctx, a, DCLI_ATTR_SET);
}

int
dcli_cont_del_attr(struct cli_ctx *ctx, const struct cli_args *a)
{
	return cont_attr_cmd(ctx, a, DCLI_ATTR_DEL);
}
