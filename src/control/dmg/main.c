/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - dmg, the DAOS admin CLI: parse the command line, load daos_control.yml, pick
 * the hosts and the TLS identity, run the command, print its output or the JSON envelope,
 * and exit non-zero on any error ("ERROR: dmg: <what failed>" on stderr). See README.md.
 */
#define D_LOGFAC DD_FAC(control)

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/dmg/dmg_int.h"
#include "security/security.h"

#define DMG_DEFAULT_CONFIG "/etc/daos/daos_control.yml"
#define DMG_USER_CONFIG ".daos_control.yml"
#define DMG_TIMEOUT_MS (120 * 1000)

/* -o, else ~/.daos_control.yml if present, else the system file; a missing default file
 * means DAOS's defaults (localhost:10001). */
static int
config_load(struct cli_ctx *ctx, const struct cli_args *a, struct config_control **cfg)
{
	const char *home = getenv("HOME");
	char path[4096], err[512];
	int rc;

	if (a->val[DMG_OPT_CONFIG] != NULL) {
		snprintf(path, sizeof(path), "%s", a->val[DMG_OPT_CONFIG]);
	} else {
		snprintf(path, sizeof(path), "%s/%s", home ? home : "", DMG_USER_CONFIG);
		if (home == NULL || access(path, F_OK) != 0)
			snprintf(path, sizeof(path), "%s", DMG_DEFAULT_CONFIG);
	}
	rc = config_control_load(path, cfg, err, sizeof(err));
	if (rc == -DER_NONEXIST && a->val[DMG_OPT_CONFIG] == NULL)
		rc = config_control_parse("defaults", "{}", 2, cfg, err, sizeof(err));
	if (rc == -DER_NONEXIST)
		dmg_errf(ctx, "config file %s not found", path);
	else if (rc != 0)
		dmg_errf(ctx, "%s", err);
	return rc;
}

static int
hosts_setup(struct cli_ctx *ctx, const struct cli_args *a, struct config_control *cfg,
	    struct config_strlist *list)
{
	char err[512];
	char *one[1];
	struct config_strlist in;
	int rc;

	ctx->port = cfg->port;
	if (a->val[DMG_OPT_HOSTLIST] == NULL) {
		ctx->hosts = cfg->hosts.str;
		ctx->nr_hosts = cfg->hosts.nr;
		return 0;
	}
	one[0] = (char *)a->val[DMG_OPT_HOSTLIST];
	in.str = one;
	in.nr = 1;
	rc = config_hostlist_expand(&in, cfg->port, list, err, sizeof(err));
	if (rc != 0) {
		dmg_errf(ctx, "invalid host list \"%s\": %s", a->val[DMG_OPT_HOSTLIST], err);
		return rc;
	}
	if (list->nr == 0) {
		dmg_errf(ctx, "empty host list");
		return -DER_INVAL;
	}
	ctx->hosts = list->str;
	ctx->nr_hosts = list->nr;
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli_ctx ctx = { 0 };
	struct cli_args args;
	const struct cli_cmd *cmd = NULL;
	struct config_control *cfg = NULL;
	struct config_strlist list = { 0 };
	char path[128], err[512];
	char *outbuf = NULL;
	size_t outlen = 0;
	int rc;

	d_log_init();
	ctx.version = DAOS_VERSION;
	ctx.timeout_ms = DMG_TIMEOUT_MS;
	ctx.port = CONFIG_DEFAULT_PORT;

	rc = cli_args_parse(&dmg_cli, argc, argv, &args, &cmd, path, sizeof(path), err,
			    sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "ERROR: dmg: %s\n", err);
		if (cmd != NULL && cmd->subs == NULL)
			fprintf(stderr, "Run '%s --help' for usage\n", path);
		goto out;
	}
	/* The libraries' error logs are for -d; dmg reports errors itself. */
	if (!args.set[DMG_OPT_DEBUG] && getenv("D_LOG_MASK") == NULL)
		d_log_setmasks("FATAL");
	if (args.set[DMG_OPT_HELP]) {
		cli_cmd_help(&dmg_cli, stdout, cmd, path);
		goto out;
	}
	ctx.json = args.set[DMG_OPT_JSON];
	ctx.debug = args.set[DMG_OPT_DEBUG];
	/* Output is collected and written at the end: once to stdout, once to --log-file. */
	ctx.out = open_memstream(&outbuf, &outlen);
	if (ctx.out == NULL) {
		fprintf(stderr, "ERROR: dmg: out of memory\n");
		rc = -DER_NOMEM;
		goto out;
	}
	if (cmd->needs_conn) {
		rc = config_load(&ctx, &args, &cfg);
		if (rc == 0)
			rc = hosts_setup(&ctx, &args, cfg, &list);
		if (rc != 0)
			goto out_print;
		ctx.insecure = cfg->transport_config.allow_insecure || args.set[DMG_OPT_INSECURE];
		ctx.tls.ca_file = cfg->transport_config.ca_cert;
		ctx.tls.cert_file = cfg->transport_config.cert;
		ctx.tls.key_file = cfg->transport_config.key;
		/* DAOS's rule: the admin key readable by its owner and group at most. */
		if (!ctx.insecure && ctx.tls.key_file != NULL &&
		    sec_file_check_mode(ctx.tls.key_file, SEC_MODE_KEY_ADMIN) != 0) {
			dmg_errf(&ctx, "%s", sec_last_error());
			rc = -DER_NO_PERM;
			goto out_print;
		}
		if (ctx.debug)
			fprintf(stderr, "DEBUG: config %s, %u host(s), %s\n", cfg->path,
				ctx.nr_hosts, ctx.insecure ? "insecure" : "TLS");
	}
	rc = cmd->run(&ctx, &args);
	if (rc != 0 && ctx.errmsg[0] == '\0')
		dmg_errf(&ctx, "%s: " DF_RC, path, DP_RC(rc));

out_print:
	fclose(ctx.out);
	if (ctx.json) {
		FILE *mem;

		free(outbuf);
		outbuf = NULL;
		outlen = 0;
		mem = open_memstream(&outbuf, &outlen);
		if (mem != NULL) {
			cli_json_envelope(mem, ctx.json_resp, rc != 0 ? ctx.errmsg : NULL, rc);
			fclose(mem);
		}
	}
	if (outbuf != NULL) {
		fwrite(outbuf, 1, outlen, stdout);
		if (args.val[DMG_OPT_LOGFILE] != NULL) {
			FILE *lf = fopen(args.val[DMG_OPT_LOGFILE], "a");

			if (lf != NULL) {
				fwrite(outbuf, 1, outlen, lf);
				fclose(lf);
			} else {
				fprintf(stderr, "ERROR: dmg: cannot open log file %s\n",
					args.val[DMG_OPT_LOGFILE]);
			}
		}
	}
	fflush(stdout);
	if (rc != 0 && !ctx.json)
		fprintf(stderr, "ERROR: dmg: %s\n", ctx.errmsg);
	free(outbuf);
	json_decref(ctx.json_resp);
	config_strlist_fini(&list);
	config_control_free(cfg);
out:
	d_log_fini();
	return rc == 0 ? 0 : 1;
}
