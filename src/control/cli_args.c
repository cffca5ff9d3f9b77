/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_args.c - the argument parser and help text of dmg and daos. A tool's command tree
 * and options are data (struct cli_spec); this file walks argv against them as go-flags
 * does for DAOS's tools: options before or after the subcommand names, global options at
 * every level, "--name=value", "--name value", "-xVALUE", "-x VALUE", clustered short
 * flags, and "--" to end the options. Errors name the offending word; nothing is printed
 * here but the help text.
 */
#define D_LOGFAC DD_FAC(control)

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "control/cli.h"

void
cli_set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* The option of @cmd (or a global one) named @name (long) or @c (short). The command's
 * own options first: "-v" is --nsvc in dmg pool create and --verbose elsewhere. */
static int
opt_find(const struct cli_spec *spec, const struct cli_cmd *cmd, const char *name, size_t name_len,
	 char c)
{
	const int path_list[] = { cmd->nr_pos_path > 0 ? spec->path_opt : -1, -1 };
	const int *lists[] = { cmd->opts, path_list, spec->global_opts };
	unsigned int l;
	const int *p;

	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		for (p = lists[l]; p != NULL && *p >= 0; p++) {
			const struct cli_opt *o = &spec->opts[*p];

			if (name != NULL && strlen(o->name) == name_len &&
			    strncmp(o->name, name, name_len) == 0)
				return *p;
			if (name == NULL && c != 0 && o->short_name == c)
				return *p;
		}
	}
	return -1;
}

static bool
cmd_is_named(const struct cli_cmd *s, const char *name)
{
	size_t len = strlen(name);
	const char *a;

	if (strcmp(s->name, name) == 0)
		return true;
	for (a = s->aliases; a != NULL && *a != '\0'; a += strspn(a, " ")) {
		size_t n = strcspn(a, " ");

		if (n == len && strncmp(a, name, n) == 0)
			return true;
		a += n;
	}
	return false;
}

static const struct cli_cmd *
sub_find(const struct cli_cmd *cmd, const char *name)
{
	const struct cli_cmd *s;

	for (s = cmd->subs; s != NULL && s->name != NULL; s++)
		if (cmd_is_named(s, name))
			return s;
	return NULL;
}

static void
sub_names(const struct cli_cmd *cmd, char *buf, size_t len)
{
	const struct cli_cmd *s;
	size_t used = 0;

	buf[0] = '\0';
	for (s = cmd->subs; s != NULL && s->name != NULL; s++) {
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", s->name);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

static void
opt_label(const struct cli_opt *o, char *buf, size_t len)
{
	if (o->short_name != 0)
		snprintf(buf, len, "-%c, --%s", o->short_name, o->name);
	else
		snprintf(buf, len, "--%s", o->name);
}

/* Take the value of option @id: the rest of the word (@rest, may be NULL) or the next one. */
static int
opt_value(const struct cli_spec *spec, int id, const char *rest, int argc, char **argv, int *i,
	  struct cli_args *args, char *err, size_t err_len)
{
	char label[64];

	if (rest != NULL) {
		args->val[id] = rest;
		return 0;
	}
	if (*i + 1 < argc) {
		args->val[id] = argv[++*i];
		return 0;
	}
	opt_label(&spec->opts[id], label, sizeof(label));
	cli_set_err(err, err_len, "expected argument for flag `%s'", label);
	return -DER_INVAL;
}

int
cli_args_parse(const struct cli_spec *spec, int argc, char **argv, struct cli_args *args,
	       const struct cli_cmd **cmd_out, char *path, size_t path_len, char *err,
	       size_t err_len)
{
	const struct cli_cmd *cmd = spec->root;
	char names[512];
	bool opts_done = false;
	unsigned int min;
	size_t used;
	int i, id, rc;

	memset(args, 0, sizeof(*args));
	*cmd_out = NULL;
	used = (size_t)snprintf(path, path_len, "%s", spec->prog);
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!opts_done && strcmp(w, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (!opts_done && w[0] == '-' && w[1] == '-') {
			const char *eq = strchr(w + 2, '=');
			size_t n = eq ? (size_t)(eq - (w + 2)) : strlen(w + 2);

			id = opt_find(spec, cmd, w + 2, n, 0);
			if (id < 0) {
				cli_set_err(err, err_len, "unknown flag `%.*s'", (int)n, w + 2);
				goto out_err;
			}
			args->set[id] = true;
			if (!spec->opts[id].has_arg) {
				if (eq != NULL) {
					cli_set_err(err, err_len,
						    "flag `--%s' does not take a value",
						    spec->opts[id].name);
					goto out_err;
				}
				continue;
			}
			rc = opt_value(spec, id, eq ? eq + 1 : NULL, argc, argv, &i, args, err,
				       err_len);
			if (rc != 0)
				goto out_err;
			continue;
		}
		if (!opts_done && w[0] == '-' && w[1] != '\0') {
			const char *c;

			for (c = w + 1; *c != '\0'; c++) {
				id = opt_find(spec, cmd, NULL, 0, *c);
				if (id < 0) {
					cli_set_err(err, err_len, "unknown flag `%c'", *c);
					goto out_err;
				}
				args->set[id] = true;
				if (!spec->opts[id].has_arg)
					continue;
				rc = opt_value(spec, id, c[1] ? c + 1 : NULL, argc, argv, &i, args,
					       err, err_len);
				if (rc != 0)
					goto out_err;
				break;
			}
			continue;
		}
		if (cmd->subs != NULL) {
			const struct cli_cmd *sub = sub_find(cmd, w);

			if (sub == NULL) {
				sub_names(cmd, names, sizeof(names));
				cli_set_err(
					err, err_len,
					"Unknown command `%s'. Please specify one command of: %s",
					w, names);
				goto out_err;
			}
			cmd = sub;
			if (used < path_len)
				used += (size_t)snprintf(path + used, path_len - used, " %s",
							 sub->name);
			continue;
		}
		if (args->nr_pos >= cmd->nr_pos_max || args->nr_pos >= CLI_POS_MAX) {
			cli_set_err(err, err_len, "unexpected argument `%s' for `%s'", w, path);
			goto out_err;
		}
		args->pos[args->nr_pos++] = w;
	}

	*cmd_out = cmd;
	if (args->set[spec->help_opt])
		return 0;
	if (cmd->subs != NULL) {
		sub_names(cmd, names, sizeof(names));
		cli_set_err(err, err_len, "Please specify one command of: %s", names);
		return -DER_INVAL;
	}
	min = cmd->nr_pos_min;
	/* The path names the first arguments (the tool puts them in front). */
	if (cmd->nr_pos_path > 0 && args->set[spec->path_opt])
		min = min > cmd->nr_pos_path ? min - cmd->nr_pos_path : 0;
	if (args->nr_pos < min) {
		cli_set_err(err, err_len, "the required argument `%s' was not provided",
			    cmd->pos_name ? cmd->pos_name : "?");
		return -DER_INVAL;
	}
	return 0;

out_err:
	return -DER_INVAL;
}

/* "list-containers (list-cont, list)" */
static void
cmd_label(const struct cli_cmd *s, char *buf, size_t len)
{
	const char *a = s->aliases, *sep = " (";
	size_t used;

	used = (size_t)snprintf(buf, len, "%s", s->name);
	while (a != NULL && *a != '\0' && used < len) {
		size_t n = strcspn(a, " ");

		used += (size_t)snprintf(buf + used, len - used, "%s%.*s", sep, (int)n, a);
		sep = ", ";
		a += n;
		a += strspn(a, " ");
	}
	if (s->aliases != NULL && used < len)
		snprintf(buf + used, len - used, ")");
}

void
cli_cmd_help(const struct cli_spec *spec, FILE *f, const struct cli_cmd *cmd, const char *path)
{
	const struct cli_cmd *s;
	int path_list[] = { cmd->nr_pos_path > 0 ? spec->path_opt : -1, -1 };
	const int *lists[] = { spec->global_opts, cmd->opts, path_list };
	const char *titles[] = { "Application Options", "Command Options", "Command Options" };
	char label[96];
	unsigned int l;
	const int *p;

	/* A command that lists the path option itself shows it once. */
	for (p = cmd->opts; p != NULL && *p >= 0 && path_list[0] >= 0; p++)
		if (*p == path_list[0])
			path_list[0] = -1;

	fprintf(f, "Usage:\n  %s [OPTIONS]%s%s%s\n\n%s\n", path, cmd->subs ? " <command>" : "",
		cmd->pos_name ? " " : "", cmd->pos_name ? cmd->pos_name : "", cmd->help);
	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		if (lists[l] == NULL || lists[l][0] < 0)
			continue;
		/* The path option joins the command's own. */
		if (l != 2 || cmd->opts == NULL || cmd->opts[0] < 0)
			fprintf(f, "\n%s:\n", titles[l]);
		for (p = lists[l]; *p >= 0; p++) {
			const struct cli_opt *o = &spec->opts[*p];

			if (o->short_name != 0)
				snprintf(label, sizeof(label), "-%c, --%s%s", o->short_name,
					 o->name, o->has_arg ? "=" : "");
			else
				snprintf(label, sizeof(label), "    --%s%s", o->name,
					 o->has_arg ? "=" : "");
			fprintf(f, "  %-32s %s\n", label, o->help);
		}
	}
	if (cmd->subs != NULL) {
		fprintf(f, "\nAvailable commands:\n");
		for (s = cmd->subs; s->name != NULL; s++) {
			cmd_label(s, label, sizeof(label));
			fprintf(f, "  %-20s %s\n", label, s->help);
		}
	}
}

int
cli_uint_parse(const char *str, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = str;

	if (p == NULL || *p == '\0')
		return -DER_INVAL;
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) || v > (UINT64_MAX - 9) / 10)
			return -DER_INVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > max)
		return -DER_INVAL;
	*out = v;
	return 0;
}
