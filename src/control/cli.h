/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/cli.h - what the two command-line tools, dmg and daos, share: the command tree
 * and its go-flags-like parser, the help text, number parsing, text tables, rank sets,
 * the `pool query` text (both tools print it) and the `-j` JSON envelope.
 *
 * A tool describes itself with a struct cli_spec: its option table (indexed by its own
 * option ids, an enum the tool generates from an X-macro), the options every command
 * accepts and the root of its command tree. The tree is data: a node names its
 * subcommands, or the function that runs it, the options it accepts and its positional
 * arguments. Each tool defines its own struct cli_ctx (the session a run function gets);
 * the parser never looks inside it.
 *
 * Nothing here prints except the printers, which write to the FILE * they are given.
 * No global state; every function is thread-safe.
 */
#ifndef CONTROL_CLI_H
#define CONTROL_CLI_H

#include <gurt/common.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The most options a tool may have, and positional arguments a command may take. */
#define CLI_OPT_MAX 96
#define CLI_POS_MAX 8

/* One option. */
struct cli_opt {
	char short_name;  /* 0: long form only */
	const char *name; /* long form, without "--" */
	bool has_arg;     /* takes a value */
	const char *help;
};

/* What the command line said. Strings point into argv. */
struct cli_args {
	bool set[CLI_OPT_MAX];        /* the option was given */
	const char *val[CLI_OPT_MAX]; /* its value (last one wins) */
	const char *pos[CLI_POS_MAX];
	unsigned int nr_pos;
};

/* The session of one run, defined by each tool (dmg_int.h, daos/dcli_int.h). */
struct cli_ctx;

/* A node of the command tree: subcommands, or a run function. */
struct cli_cmd {
	const char *name;
	const char *aliases; /* other names, blank-separated ("list-cont list"); NULL: none */
	const char *help;
	const int *opts;            /* option ids it accepts, -1 terminated; NULL: none */
	const struct cli_cmd *subs; /* NULL-name terminated */
	const char *pos_name;       /* "<pool>" for help and errors; NULL: no arguments */
	unsigned int nr_pos_min;    /* required positional arguments */
	unsigned int nr_pos_max;    /* allowed positional arguments */
	bool needs_conn;            /* talks to DAOS (dmg: loads the config; daos: daos_init) */
	/*
	 * Leading positional arguments the spec's path option may stand for: the parser
	 * requires that many fewer when it is given (daos: 2, --path names <pool>
	 * <container> and dcli_run puts them in front; 1, create, whose --path's dfuse mount
	 * names the pool). 0: the command takes no such option.
	 */
	unsigned int nr_pos_path;
	int (*run)(struct cli_ctx *ctx, const struct cli_args *args);
};

/* A tool. */
struct cli_spec {
	const char *prog;           /* "dmg", "daos" */
	const struct cli_opt *opts; /* indexed by option id */
	unsigned int nr_opts;       /* <= CLI_OPT_MAX */
	const int *global_opts;     /* accepted by every command, -1 terminated */
	int help_opt;               /* the id of -h/--help */
	int path_opt;               /* the option of commands with nr_pos_path (daos --path) */
	const struct cli_cmd *root;
};

/*
 * Parse @argc/@argv (argv[0] is the program) against @spec. Options may come before or
 * after the subcommand names; "--name=value", "--name value", "-xVALUE", "-x VALUE" and
 * clustered short flags work; "--" ends the options; a command's own options are matched
 * before the global ones (so one letter can mean two things). On success *cmd is the
 * command to run, its path ("dmg pool create") in @path, and @args holds what was given;
 * a help request returns 0 with args->set[spec->help_opt]. Returns -DER_INVAL with one
 * line in @err naming the problem (unknown command or flag, missing value, missing or
 * extra argument); *cmd is then NULL, or the command reached when only a required
 * argument or subcommand is missing.
 */
int cli_args_parse(const struct cli_spec *spec, int argc, char **argv, struct cli_args *args,
		   const struct cli_cmd **cmd, char *path, size_t path_len, char *err,
		   size_t err_len);

/* Write the usage text of @cmd (reached by @path) to @f. */
void cli_cmd_help(const struct cli_spec *spec, FILE *f, const struct cli_cmd *cmd,
		  const char *path);

/* Write a one-line message into @err (@len bytes); nothing if @err is NULL. */
void cli_set_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parse an unsigned decimal into *out (at most @max). 0 or -DER_INVAL. */
int cli_uint_parse(const char *str, uint64_t max, uint64_t *out);

/* ---- tables (cli_print.c) ---- */

/* A table: a header row and body rows; columns padded to the widest cell, one space apart,
 * dashes under each header as long as the header, no trailing blanks. */
struct cli_table {
	unsigned int nr_cols;
	unsigned int nr_rows; /* including the header */
	char **cells;         /* nr_rows * nr_cols strings */
	int rc;               /* -DER_NOMEM if a row could not be added */
};
void cli_table_init(struct cli_table *t, unsigned int nr_cols, const char *const *hdr);
/* Add a row of nr_cols strings (copied; NULL prints as ""). */
void cli_table_row(struct cli_table *t, ...);
void cli_table_print(FILE *f, const struct cli_table *t, const char *indent);
void cli_table_fini(struct cli_table *t);

/* ---- rank sets (cli_print.c) ---- */

/*
 * A rank set as DAOS's tools print it: one rank bare ("3"), more in brackets ("[0-3]",
 * "[0,2,5-6]"), "" for none. With @bare, never brackets ("0-3,5"), as pool query shows
 * enabled and disabled ranks. A new string for d_free(), or NULL when out of memory.
 */
char *cli_ranks_str(const d_rank_list_t *rl, bool bare);
/* The same for a rank set in text ("[0-3]" or "0-3"); other text is copied as it is. */
char *cli_ranks_text(const char *in, bool bare);

/* ---- pool query (cli_print.c) ---- */

/* One storage tier of a pool, in bytes. */
struct cli_pool_tier {
	const char *media; /* "SCM", "NVME" */
	uint64_t total;
	uint64_t free;
	uint64_t min; /* free space of the emptiest and fullest target, and the mean */
	uint64_t max;
	uint64_t mean;
};

/* What `pool query` shows, whichever tool asked (dmg: the MS; daos: libdaos). */
struct cli_pool_info {
	const char *uuid;
	const char *label;
	const char *state; /* "Ready", "TargetsExcluded", ... */
	uint32_t total_targets;
	uint32_t active_targets;
	uint32_t disabled_targets;
	uint32_t leader;
	uint32_t version;
	uint32_t pool_layout_ver;    /* with upgrade_layout_ver: "layout out of date" */
	uint32_t upgrade_layout_ver; /* 0: unknown */
	const char *enabled_ranks;   /* rank sets in text; NULL: not asked for */
	const char *disabled_ranks;
	const char *dead_ranks;
	bool has_rebuild;          /* false: "No rebuild status available." */
	const char *rebuild_state; /* "idle", "busy", "done", ... */
	int32_t rebuild_status;    /* 0 or a -DER_* code */
	uint64_t rebuild_objects;
	uint64_t rebuild_records;
	struct cli_pool_tier tiers[2];
	unsigned int nr_tiers;
};

/*
 * The text of `pool query` (reference §4.8): the header line, health (enabled ranks only
 * with @show_enabled) and, unless @health_only, space per tier. Sizes are base 10.
 */
void cli_print_pool_query(FILE *f, const struct cli_pool_info *p, bool show_enabled,
			  bool health_only);
/* The same as a JSON object (the field names of dmg's PoolInfo); NULL if out of memory. */
json_t *cli_json_pool_info(const struct cli_pool_info *p);

/* ---- JSON (cli_print.c) ---- */

/*
 * Print the envelope of `-j` output, as dmg and daos do: {"response": @resp or null,
 * "error": @err or null, "status": @status}, indented by two. @resp is borrowed.
 */
void cli_json_envelope(FILE *f, json_t *resp, const char *err, int status);

#endif /* CONTROL_CLI_H */
