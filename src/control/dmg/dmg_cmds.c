/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_cmds.c - the host-level commands (storage scan/format/query usage, network scan) and
 * the system commands. Each builds its request from the parsed flags, checks what can be
 * checked here (rank sets, exclusive flags), sends it and hands the answer to its printer
 * or, with -j, to the JSON converter. Pool commands are in dmg_pool.c.
 */
#define D_LOGFAC DD_FAC(control)

#include <string.h>

#include "control/dmg/dmg_int.h"

/* The JSON response of a fanned-out call: the hosts' answers and the hosts' errors. */
static json_t *
fanout_json(const struct dmg_host_reply *r, unsigned int nr)
{
	json_t *obj = json_object(), *hosts = json_array(), *errs = json_array();
	unsigned int i;

	if (obj == NULL || hosts == NULL || errs == NULL) {
		json_decref(obj);
		json_decref(hosts);
		json_decref(errs);
		return NULL;
	}
	for (i = 0; i < nr; i++) {
		json_t *e = json_object();

		if (e == NULL)
			continue;
		json_object_set_new(e, "host", json_string(r[i].host));
		if (r[i].rc == 0 && r[i].resp != NULL) {
			json_object_set_new(e, "response", dmg_json_from_pb(r[i].resp));
			json_array_append_new(hosts, e);
		} else {
			json_object_set_new(e, "error", json_string(r[i].error ? r[i].error : ""));
			json_object_set_new(e, "status", json_integer(r[i].rc));
			json_array_append_new(errs, e);
		}
	}
	json_object_set_new(obj, "hosts", hosts);
	json_object_set_new(obj, "host_errors", errs);
	return obj;
}

/* After a fan-out: the command fails if any host did, naming the first that did. */
static int
fanout_status(struct cli_ctx *ctx, const struct dmg_host_reply *r, unsigned int nr)
{
	unsigned int i, bad = 0, first = 0;

	for (i = 0; i < nr; i++) {
		if (r[i].rc != 0) {
			if (bad == 0)
				first = i;
			bad++;
		}
	}
	if (bad == 0)
		return 0;
	dmg_errf(ctx, "%u of %u host%s failed: %s", bad, nr, nr == 1 ? "" : "s",
		 r[first].error ? r[first].error : r[first].host);
	return r[first].rc;
}

static int
run_fanout(struct cli_ctx *ctx, uint32_t method, const ProtobufCMessage *req,
	   const ProtobufCMessageDescriptor *desc, struct dmg_host_reply **r)
{
	int rc = dmg_fanout(ctx, method, req, desc, r);

	if (rc != 0)
		dmg_errf(ctx, "%s: " DF_RC, ctl_method_name(method), DP_RC(rc));
	return rc;
}

int
dmg_storage_scan(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__StorageScanReq req = MGMT__STORAGE_SCAN_REQ__INIT;
	struct dmg_host_reply *r;
	int rc;

	req.nvme_health = a->set[DMG_OPT_NVME_HEALTH];
	rc = run_fanout(ctx, CTL_STORAGE_SCAN, &req.base, &mgmt__storage_scan_resp__descriptor, &r);
	if (rc != 0)
		return rc;
	if (ctx->json)
		ctx->json_resp = fanout_json(r, ctx->nr_hosts);
	else
		dmg_print_storage_scan(ctx->out, r, ctx->nr_hosts, ctx->port,
				       a->set[DMG_OPT_VERBOSE], a->set[DMG_OPT_NVME_HEALTH]);
	rc = fanout_status(ctx, r, ctx->nr_hosts);
	dmg_host_replies_free(r, ctx->nr_hosts);
	return rc;
}

int
dmg_storage_format(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__StorageFormatReq req = MGMT__STORAGE_FORMAT_REQ__INIT;
	struct dmg_host_reply *r;
	int rc;

	req.force = a->set[DMG_OPT_FORCE];
	req.replace = a->set[DMG_OPT_REPLACE];
	rc = run_fanout(ctx, CTL_STORAGE_FORMAT, &req.base, &mgmt__storage_format_resp__descriptor,
			&r);
	if (rc != 0)
		return rc;
	if (ctx->json)
		ctx->json_resp = fanout_json(r, ctx->nr_hosts);
	else
		dmg_print_storage_format(ctx->out, r, ctx->nr_hosts, ctx->port,
					 a->set[DMG_OPT_VERBOSE]);
	rc = fanout_status(ctx, r, ctx->nr_hosts);
	dmg_host_replies_free(r, ctx->nr_hosts);
	return rc;
}

int
dmg_storage_usage(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__StorageScanReq req = MGMT__STORAGE_SCAN_REQ__INIT;
	struct dmg_host_reply *r;
	int rc;

	(void)a;
	req.usage = true;
	rc = run_fanout(ctx, CTL_STORAGE_SCAN, &req.base, &mgmt__storage_scan_resp__descriptor, &r);
	if (rc != 0)
		return rc;
	if (ctx->json)
		ctx->json_resp = fanout_json(r, ctx->nr_hosts);
	else
		dmg_print_storage_usage(ctx->out, r, ctx->nr_hosts, ctx->port);
	rc = fanout_status(ctx, r, ctx->nr_hosts);
	dmg_host_replies_free(r, ctx->nr_hosts);
	return rc;
}

int
dmg_network_scan(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__NetworkScanReq req = MGMT__NETWORK_SCAN_REQ__INIT;
	struct dmg_host_reply *r;
	int rc;

	if (a->val[DMG_OPT_PROVIDER] != NULL)
		req.provider = (char *)a->val[DMG_OPT_PROVIDER];
	rc = run_fanout(ctx, CTL_NETWORK_SCAN, &req.base, &mgmt__network_scan_resp__descriptor, &r);
	if (rc != 0)
		return rc;
	if (ctx->json)
		ctx->json_resp = fanout_json(r, ctx->nr_hosts);
	else
		dmg_print_network_scan(ctx->out, r, ctx->nr_hosts, ctx->port,
				       a->val[DMG_OPT_PROVIDER]);
	rc = fanout_status(ctx, r, ctx->nr_hosts);
	dmg_host_replies_free(r, ctx->nr_hosts);
	return rc;
}

/* --ranks must be a rank set; sent on as the user wrote it once it parses. */
static int
ranks_check(struct cli_ctx *ctx, const char *ranks)
{
	d_rank_list_t *rl = NULL;
	int rc;

	if (ranks == NULL)
		return 0;
	rc = d_rank_list_parse(ranks, strlen(ranks), &rl);
	d_rank_list_free(rl);
	if (rc == -DER_INVAL)
		dmg_errf(ctx, "invalid rank list \"%s\": expected ranks such as 0,5-10", ranks);
	else if (rc != 0)
		dmg_errf(ctx, "rank list: " DF_RC, DP_RC(rc));
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
dmg_system_query(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__SystemQueryReq req = MGMT__SYSTEM_QUERY_REQ__INIT;
	Mgmt__SystemQueryResp *resp;
	int rc;

	rc = ranks_check(ctx, a->val[DMG_OPT_RANKS]);
	if (rc != 0)
		return rc;
	if (a->val[DMG_OPT_RANKS] != NULL)
		req.ranks = (char *)a->val[DMG_OPT_RANKS];
	if (a->val[DMG_OPT_RANK_HOSTS] != NULL)
		req.hosts = (char *)a->val[DMG_OPT_RANK_HOSTS];
	if (a->val[DMG_OPT_WITH_STATES] != NULL)
		req.with_states = (char *)a->val[DMG_OPT_WITH_STATES];
	req.not_ok = a->set[DMG_OPT_NOT_OK];
	rc = ms_call(ctx, CTL_SYSTEM_QUERY, &req.base, &mgmt__system_query_resp__descriptor,
		     (ProtobufCMessage **)&resp);
	if (rc != 0)
		return rc;
	if (!ctx->json) {
		dmg_print_system_query(ctx->out, resp, a->set[DMG_OPT_VERBOSE]);
		if (*resp->absent_hosts != '\0')
			fprintf(stderr, "Unknown hosts: %s\n", resp->absent_hosts);
	}
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return 0;
}

/* start, stop, exclude, clear-exclude, erase: a rank selection in, rank results out. */
static int
system_ranks(struct cli_ctx *ctx, const struct cli_args *a, uint32_t method, bool need_sel,
	     bool updated_line)
{
	Mgmt__SystemRanksReq req = MGMT__SYSTEM_RANKS_REQ__INIT;
	Mgmt__SystemRanksResp *resp;
	unsigned int i;
	int rc;

	if (need_sel && (a->set[DMG_OPT_RANKS] == a->set[DMG_OPT_RANK_HOSTS])) {
		dmg_errf(ctx, "exactly one of --ranks and --rank-hosts is required");
		return -DER_INVAL;
	}
	rc = ranks_check(ctx, a->val[DMG_OPT_RANKS]);
	if (rc != 0)
		return rc;
	if (a->val[DMG_OPT_RANKS] != NULL)
		req.ranks = (char *)a->val[DMG_OPT_RANKS];
	if (a->val[DMG_OPT_RANK_HOSTS] != NULL)
		req.hosts = (char *)a->val[DMG_OPT_RANK_HOSTS];
	req.force = a->set[DMG_OPT_FORCE];
	req.ignore_admin_excluded = a->set[DMG_OPT_IGNORE_EXCL];
	rc = ms_call(ctx, method, &req.base, &mgmt__system_ranks_resp__descriptor,
		     (ProtobufCMessage **)&resp);
	if (rc != 0)
		return rc;
	if (!ctx->json && updated_line) {
		d_rank_list_t *rl = d_rank_list_alloc(0);
		char *s = NULL;

		for (i = 0; rl != NULL && i < resp->n_results; i++)
			if (!resp->results[i]->errored)
				d_rank_list_append(rl, resp->results[i]->rank);
		if (rl != NULL)
			s = cli_ranks_str(rl, false);
		fprintf(ctx->out, "updated ranks: %s\n", s ? s : "?");
		d_free(s);
		d_rank_list_free(rl);
	} else if (!ctx->json && resp->n_results > 0) {
		dmg_print_rank_results(ctx->out, resp);
	}
	if (!ctx->json && *resp->absent_ranks != '\0') {
		d_rank_list_t *rl = NULL;
		char *s;

		/* DAOS: "Unknown 3 ranks: 7-9", the set bare here */
		if (d_rank_list_parse(resp->absent_ranks, strlen(resp->absent_ranks), &rl) == 0 &&
		    (s = cli_ranks_str(rl, true)) != NULL) {
			fprintf(stderr, "Unknown %u rank%s: %s\n", rl->rl_nr,
				rl->rl_nr == 1 ? "" : "s", s);
			d_free(s);
		} else {
			fprintf(stderr, "Unknown ranks: %s\n", resp->absent_ranks);
		}
		d_rank_list_free(rl);
	}
	if (!ctx->json && *resp->absent_hosts != '\0')
		fprintf(stderr, "Unknown hosts: %s\n", resp->absent_hosts);
	for (i = 0; i < resp->n_results; i++) {
		if (resp->results[i]->errored) {
			dmg_errf(ctx, "%s failed on rank %u: %s", ctl_method_name(method),
				 resp->results[i]->rank, resp->results[i]->message);
			rc = -DER_MISC;
			break;
		}
	}
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return rc;
}

int
dmg_system_stop(struct cli_ctx *ctx, const struct cli_args *a)
{
	return system_ranks(ctx, a, CTL_SYSTEM_STOP, false, false);
}

int
dmg_system_start(struct cli_ctx *ctx, const struct cli_args *a)
{
	return system_ranks(ctx, a, CTL_SYSTEM_START, false, false);
}

int
dmg_system_exclude(struct cli_ctx *ctx, const struct cli_args *a)
{
	return system_ranks(ctx, a, CTL_SYSTEM_EXCLUDE, true, true);
}

int
dmg_system_clear_exclude(struct cli_ctx *ctx, const struct cli_args *a)
{
	return system_ranks(ctx, a, CTL_SYSTEM_CLEAR_EXCLUDE, true, true);
}

int
dmg_system_erase(struct cli_ctx *ctx, const struct cli_args *a)
{
	return system_ranks(ctx, a, CTL_SYSTEM_ERASE, false, false);
}

int
dmg_system_leader_query(struct cli_ctx *ctx, const struct cli_args *a)
{
	Mgmt__LeaderQueryReq req = MGMT__LEADER_QUERY_REQ__INIT;
	Mgmt__LeaderQueryResp *resp;
	int rc;

	rc = ms_call(ctx, CTL_SYSTEM_LEADER_QUERY, &req.base, &mgmt__leader_query_resp__descriptor,
		     (ProtobufCMessage **)&resp);
	if (rc != 0)
		return rc;
	if (!ctx->json)
		dmg_print_leader(ctx->out, resp, a->set[DMG_OPT_DOWN_REPLICAS]);
	protobuf_c_message_free_unpacked(&resp->base, &proto_allocator);
	return 0;
}

int
dmg_version(struct cli_ctx *ctx, const struct cli_args *a)
{
	(void)a;
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s}", "version", ctx->version);
	else
		fprintf(ctx->out, "dmg version %s\n", ctx->version);
	return 0;
}
