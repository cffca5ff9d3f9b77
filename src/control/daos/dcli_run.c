/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_run.c - one run of the daos CLI: parse the command line, start libdaos for the
 * commands that need it, run the command, print its JSON envelope or error line, and give
 * the exit code. Also the connect/open helpers every command uses, so that failures read
 * the same everywhere ("failed to connect to pool tank: DER_NONEXIST(-1005): ...").
 *
 * Output is written as commands produce it (autotest reports step by step); with -j the
 * commands print nothing and the envelope is written at the end.
 */
#define D_LOGFAC DD_FAC(control)

#include <stdarg.h>
#include <stdlib.h>

#include "control/daos/dcli_int.h"

int
dcli_errf(struct cli_ctx *ctx, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	ctx->err_rc = rc;
	return rc != 0 ? rc : -DER_INVAL;
}

int
dcli_pool_connect(struct cli_ctx *ctx, const char *pool, unsigned int flags, daos_handle_t *poh,
		  daos_pool_info_t *info)
{
	int rc;

	rc = ctx->ops->pool_connect(pool, ctx->sys, flags, poh, info, NULL);
	if (rc != 0)
		return dcli_errf(ctx, rc, "failed to connect to pool %s", pool);
	return 0;
}

int
dcli_cont_open(struct cli_ctx *ctx, const char *pool, const char *cont, unsigned int pool_flags,
	       unsigned int cont_flags, daos_handle_t *poh, daos_handle_t *coh,
	       daos_pool_info_t *pinfo, daos_cont_info_t *cinfo)
{
	int rc;

	rc = dcli_pool_connect(ctx, pool, pool_flags, poh, pinfo);
	if (rc != 0)
		return rc;
	rc = ctx->ops->cont_open(*poh, cont, cont_flags, coh, cinfo, NULL);
	if (rc != 0) {
		dcli_errf(ctx, rc, "failed to open container %s", cont);
		ctx->ops->pool_disconnect(*poh, NULL);
		return rc;
	}
	return 0;
}

void
dcli_cont_close(struct cli_ctx *ctx, daos_handle_t poh, daos_handle_t coh)
{
	ctx->ops->cont_close(coh, NULL);
	ctx->ops->pool_disconnect(poh, NULL);
}

int
dcli_version(struct cli_ctx *ctx, const struct cli_args *a)
{
	(void)a;
	if (ctx->json)
		ctx->json_resp = json_pack("{s:s}", "version", DAOS_VERSION);
	else
		fprintf(ctx->out, "daos version %s\n", DAOS_VERSION);
	return 0;
}

/* "ERROR: daos: <what>[: DER_X(-N): <text>]" as DAOS's daos prints it. */
static void
error_line(FILE *err, const struct cli_ctx *ctx, char *buf, size_t len)
{
	if (ctx->err_rc != 0)
		snprintf(buf, len, "%s: %s(%d): %s", ctx->errmsg, d_errstr(ctx->err_rc),
			 ctx->err_rc, d_errdesc(ctx->err_rc));
	else
		snprintf(buf, len, "%s", ctx->errmsg);
	if (err != NULL)
		fprintf(err, "ERROR: daos: %s\n", buf);
}

int
dcli_run(const struct dcli_ops *ops, int argc, char **argv, FILE *out, FILE *err)
{
	struct cli_ctx ctx = { .ops = ops, .out = out };
	const struct cli_cmd *cmd = NULL;
	struct cli_args args;
	char path[128], msg[1024 + 256];
	bool inited = false;
	int rc;

	rc = cli_args_parse(&dcli_cli, argc, argv, &args, &cmd, path, sizeof(path), ctx.errmsg,
			    sizeof(ctx.errmsg));
	if (rc != 0) {
		fprintf(err, "ERROR: daos: %s\n", ctx.errmsg);
		if (cmd != NULL && cmd->subs == NULL)
			fprintf(err, "Run '%s --help' for usage\n", path);
		return 1;
	}
	if (args.set[DCLI_OPT_HELP]) {
		cli_cmd_help(&dcli_cli, out, cmd, path);
		return 0;
	}
	ctx.json = args.set[DCLI_OPT_JSON];
	ctx.debug = args.set[DCLI_OPT_DEBUG];
	ctx.sys = args.val[DCLI_OPT_SYS_NAME];
	/* libdaos's error logs are for --debug; the CLI reports errors itself. */
	if (!ctx.debug && getenv("D_LOG_MASK") == NULL)
		d_log_setmasks("FATAL");
	if (cmd->needs_conn) {
		rc = ops->init();
		if (rc != 0) {
			dcli_errf(&ctx, rc, "failed to initialize daos");
			goto out;
		}
		inited = true;
	}
	if (cmd->nr_pos_path == 2 && args.set[DCLI_OPT_UNS_PATH]) {
		/* --path names <pool> <container>: the other arguments follow them. */
		if (args.nr_pos + 2 > cmd->nr_pos_max) {
			rc = dcli_errf(&ctx, 0,
				       "--path names the pool and the container: give only the "
				       "other arguments");
			goto out;
		}
		rc = dcli_uns_resolve(&ctx, args.val[DCLI_OPT_UNS_PATH], ctx.path_pool,
				      sizeof(ctx.path_pool), ctx.path_cont, sizeof(ctx.path_cont),
				      &ctx.path_is_link);
		if (rc != 0)
			goto out;
		memmove(&args.pos[cmd->nr_pos_path], &args.pos[0],
			args.nr_pos * sizeof(args.pos[0]));
		args.pos[0] = ctx.path_pool;
		args.pos[1] = ctx.path_cont;
		args.nr_pos += cmd->nr_pos_path;
	}
	rc = cmd->run(&ctx, &args);
	if (rc != 0 && ctx.errmsg[0] == '\0')
		dcli_errf(&ctx, rc, "%s failed", path);
out:
	if (inited)
		ops->fini();
	if (rc != 0)
		error_line(ctx.json ? NULL : err, &ctx, msg, sizeof(msg));
	if (ctx.json)
		cli_json_envelope(out, ctx.json_resp, rc != 0 ? msg : NULL, rc);
	fflush(out);
	json_decref(ctx.json_resp);
	return rc == 0 ? 0 : 1;
}
