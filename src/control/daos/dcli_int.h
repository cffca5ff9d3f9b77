/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/daos/dcli_int.h - private to the `daos` user CLI: options, command tree, the
 * session, the table of libdaos calls, container property display, printers, commands.
 *
 * Names start with dcli_ because daos_ is libdaos's public namespace.
 *
 * A command runs as: dcli_run() parses argv with cli_args_parse(&dcli_cli, ...), calls
 * ops->init() for commands that talk to DAOS, runs the command, which calls libdaos only
 * through ctx->ops (struct dcli_ops: libdaos itself in the binary, a fake in the tests)
 * and prints text to ctx->out or, with -j, leaves a JSON response in ctx->json_resp;
 * dcli_run() then prints the envelope or the error line
 *	ERROR: daos: <what failed>: DER_NONEXIST(-1005): entity does not exist
 * and returns the exit code (1 on any error, as DAOS's daos does).
 *
 * This header includes <daos.h>. ACL text comes from security/ through dcli_acl.h, in a
 * file of its own, because security/security.h defines the same ACL types as daos.h.
 */
#ifndef CONTROL_DAOS_DCLI_INT_H
#define CONTROL_DAOS_DCLI_INT_H

#include <daos.h>
#include <daos_fs.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "control/cli.h"
#include "control/daos/dcli_acl.h"
#include "rpc/cont_prop.h"

/* ---- options: id, short letter (0: none), long name, takes a value, help ---- */

#define DCLI_OPT_TABLE(X)                                                                        \
	X(HELP, 'h', "help", false, "Show this help message")                                    \
	X(JSON, 'j', "json", false, "Enable JSON output")                                        \
	X(DEBUG, 0, "debug", false, "Enable debug output")                                       \
	X(SYS_NAME, 'G', "sys-name", true, "DAOS system name")                                   \
	X(VERBOSE, 'v', "verbose", false, "Show more detail")                                    \
	X(VERBOSE_V, 'V', "verbose", false, "Show values or verbose descriptions")               \
	X(SHOW_ENABLED, 'e', "show-enabled", false, "Show the ranks that are enabled")           \
	X(HEALTH_ONLY, 't', "health-only", false, "Only show pool health, not space")            \
	X(SKIP_BIG, 'S', "skip-big", false, "Skip the steps with big values")                    \
	X(DEADLINE, 'D', "deadline-limit", true, "Seconds the time-bound steps may take")        \
	X(TYPE, 't', "type", true, "Container type (POSIX, HDF5, PYTHON, SPARK, DATABASE, ...)") \
	X(LABEL, 'l', "label", true, "Container label (deprecated: give it as an argument)")     \
	X(PROPERTIES, 0, "properties", true, "Container properties (key:val[,key:val...])")      \
	X(CHUNK_SIZE, 'z', "chunk-size", true, "POSIX: file chunk size (bytes, or with suffix)") \
	X(OCLASS, 'o', "oclass", true, "POSIX: default object class")                            \
	X(DIR_OCLASS, 'd', "dir-oclass", true, "POSIX: object class of directories")             \
	X(FILE_OCLASS, 'f', "file-oclass", true, "POSIX: object class of files")                 \
	X(CREATE_ACL_FILE, 'A', "acl-file", true, "Access Control List file path")               \
	X(ACL_FILE, 'f', "acl-file", true, "Access Control List file path")                      \
	X(USER, 'u', "user", true, "Owner user (name@)")                                         \
	X(GROUP, 'g', "group", true, "Owner group (name@)")                                      \
	X(FORCE, 'f', "force", false, "Destroy with open handles; overwrite the output file")    \
	X(OUTFILE, 'O', "outfile", true, "Write the ACL to this file")                           \
	X(ENTRY, 'e', "entry", true, "A single ACE (TYPE:FLAGS:PRINCIPAL:PERMS)")                \
	X(PRINCIPAL, 'P', "principal", true, "u:name@, g:name@, OWNER@, GROUP@ or EVERYONE@")    \
	X(SNAP, 's', "snap", true, "Snapshot name")                                              \
	X(EPC, 'e', "epc", true, "Snapshot epoch")                                               \
	X(EPC_RANGE, 'r', "epcrange", true, "Range of snapshot epochs, a-b")                     \
	X(SRC, 's', "src", true, "Source: a POSIX path or daos://<pool>/<cont>[/<path>]")        \
	X(DST, 'd', "dst", true, "Destination: a POSIX path or daos://<pool>/<cont>[/<path>]")   \
	X(PATH, 0, "path", true, "A path in a dfuse mount")                                      \
	X(UNS_PATH, 'p', "path", true,                                                           \
	  "A UNS link to the container (its user.daos attribute), or a path in a dfuse mount")   \
	X(DFS_PATH, 'H', "dfs-path", true, "Path in the container (with <pool> <container>)")    \
	X(DFS_PREFIX, 'I', "dfs-prefix", true, "Mount prefix to strip from --dfs-path")          \
	X(CHECK_FLAGS, 'f', "flags", true, "print,remove,relink,verify,evict")                   \
	X(DIR_NAME, 'n', "dir-name", true, "Name of the directory (lost+found, or to scan)")     \
	X(MODE, 'm', "mode", true, "Mode bits, in octal")                                        \
	X(FIX_TYPE, 't', "type", false, "Set the entry's type from the object it names")         \
	X(FIX_CHUNK_SIZE, 'z', "chunk-size", true, "The chunk size the file was written with")   \
	X(CONS_MODE, 'M', "mode", true, "DFS consistency mode: relaxed or balanced")             \
	X(SB_DIR_OCLASS, 'D', "dir-oclass", true, "POSIX: object class of directories")          \
	X(SB_FILE_OCLASS, 'F', "file-oclass", true, "POSIX: object class of files")              \
	X(HINTS, 'H', "hints", true, "POSIX: object class hints (file:max,dir:single)")

#define DCLI_OPT_ENUM(id, s, l, v, h) DCLI_OPT_##id,
enum dcli_opt { DCLI_OPT_TABLE(DCLI_OPT_ENUM) DCLI_OPT_NR };

extern const struct cli_opt dcli_opts[DCLI_OPT_NR];
/* daos's options and command tree, for cli_args_parse() and cli_cmd_help(). */
extern const struct cli_spec dcli_cli;

/* ---- libdaos, as a table: the binary points it at libdaos, tests at a fake ---- */

/* What `daos container create --type POSIX` hands to libdfs (dfs_attr_t's fields). */
struct dcli_posix_attr {
	uint64_t chunk_size;          /* 0: DFS's default (1 MiB) */
	daos_oclass_id_t oclass;      /* 0: chosen from the container's rd_fac */
	daos_oclass_id_t dir_oclass;  /* 0: oclass */
	daos_oclass_id_t file_oclass; /* 0: oclass */
};

/* A dfuse mount's answer about a path in it (ops->dfuse_path_info). */
struct dcli_dfuse_info {
	char pool[37];  /* UUID */
	char cont[37];  /* UUID */
	char sys[64];   /* "" for the default */
	char mnt[4096]; /* the mount point */
	char rel[4096]; /* the path in the container ("/a/b") */
	int pid;        /* of the dfuse daemon */
};

/*
 * Every libdaos call the CLI makes, with libdaos's signatures (the members are named after
 * the functions without "daos_"). All are required except posix_cont_create: NULL means
 * this build cannot create POSIX containers (see dcli_libdaos.c).
 */
struct dcli_ops {
	int (*init)(void);
	int (*fini)(void);

	int (*pool_connect)(const char *pool, const char *sys, unsigned int flags,
			    daos_handle_t *poh, daos_pool_info_t *info, daos_event_t *ev);
	int (*pool_disconnect)(daos_handle_t poh, daos_event_t *ev);
	int (*pool_query)(daos_handle_t poh, d_rank_list_t **ranks, daos_pool_info_t *info,
			  daos_prop_t *pool_prop, daos_event_t *ev);
	int (*pool_list_cont)(daos_handle_t poh, daos_size_t *ncont,
			      struct daos_pool_cont_info *cbuf, daos_event_t *ev);
	int (*pool_list_attr)(daos_handle_t poh, char *buffer, size_t *size, daos_event_t *ev);
	int (*pool_get_attr)(daos_handle_t poh, int n, char const *const names[],
			     void *const buffers[], size_t sizes[], daos_event_t *ev);
	int (*pool_set_attr)(daos_handle_t poh, int n, char const *const names[],
			     void const *const values[], size_t const sizes[], daos_event_t *ev);
	int (*pool_del_attr)(daos_handle_t poh, int n, char const *const names[], daos_event_t *ev);

	int (*cont_create)(daos_handle_t poh, uuid_t *uuid, daos_prop_t *cont_prop,
			   daos_event_t *ev);
	int (*cont_create_with_label)(daos_handle_t poh, const char *label, daos_prop_t *cont_prop,
				      uuid_t *uuid, daos_event_t *ev);
	int (*cont_open)(daos_handle_t poh, const char *cont, unsigned int flags,
			 daos_handle_t *coh, daos_cont_info_t *info, daos_event_t *ev);
	int (*cont_close)(daos_handle_t coh, daos_event_t *ev);
	int (*cont_destroy)(daos_handle_t poh, const char *cont, int force, daos_event_t *ev);
	int (*cont_query)(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t *cont_prop,
			  daos_event_t *ev);
	int (*cont_get_acl)(daos_handle_t coh, daos_prop_t **acl_prop, daos_event_t *ev);
	int (*cont_set_prop)(daos_handle_t coh, daos_prop_t *prop, daos_event_t *ev);
	int (*cont_overwrite_acl)(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev);
	int (*cont_update_acl)(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev);
	int (*cont_delete_acl)(daos_handle_t coh, enum daos_acl_principal_type type,
			       d_string_t name, daos_event_t *ev);
	int (*cont_set_owner)(daos_handle_t coh, d_string_t user, d_string_t group,
			      daos_event_t *ev);
	int (*cont_list_attr)(daos_handle_t coh, char *buffer, size_t *size, daos_event_t *ev);
	int (*cont_get_attr)(daos_handle_t coh, int n, char const *const names[],
			     void *const buffers[], size_t sizes[], daos_event_t *ev);
	int (*cont_set_attr)(daos_handle_t coh, int n, char const *const names[],
			     void const *const values[], size_t const sizes[], daos_event_t *ev);
	int (*cont_del_attr)(daos_handle_t coh, int n, char const *const names[], daos_event_t *ev);
	int (*cont_create_snap)(daos_handle_t coh, daos_epoch_t *epoch, char *name,
				daos_event_t *ev);
	int (*cont_list_snap)(daos_handle_t coh, int *nr, daos_epoch_t *epochs, char **names,
			      daos_anchor_t *anchor, daos_event_t *ev);
	int (*cont_destroy_snap)(daos_handle_t coh, daos_epoch_range_t epr, daos_event_t *ev);

	daos_prop_t *(*prop_alloc)(uint32_t entries_nr);
	void (*prop_free)(daos_prop_t *prop);

	int (*oclass_name2id)(const char *name);
	int (*oclass_id2name)(daos_oclass_id_t oc_id, char *name);

	int (*obj_generate_oid)(daos_handle_t coh, daos_obj_id_t *oid, enum daos_otype_t type,
				daos_oclass_id_t cid, daos_oclass_hints_t hints, uint32_t args);
	int (*obj_open)(daos_handle_t coh, daos_obj_id_t oid, unsigned int mode, daos_handle_t *oh,
			daos_event_t *ev);
	int (*obj_close)(daos_handle_t oh, daos_event_t *ev);
	int (*obj_punch)(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_event_t *ev);
	int (*obj_query)(daos_handle_t oh, struct daos_obj_attr *oa, d_rank_list_t *ranks,
			 daos_event_t *ev);
	int (*obj_query_class)(daos_handle_t coh, daos_oclass_id_t cid,
			       struct daos_oclass_attr *attr, daos_event_t *ev);
	int (*obj_fetch)(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
			 unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, daos_iom_t *ioms,
			 daos_event_t *ev);
	int (*obj_update)(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey,
			  unsigned int nr, daos_iod_t *iods, d_sg_list_t *sgls, daos_event_t *ev);

	/*
	 * libdfs, with its signatures (positive errno results), for `daos filesystem`. The
	 * binary always has them; NULL in a test's table means "not available".
	 */
	int (*dfs_mount)(daos_handle_t poh, daos_handle_t coh, int flags, dfs_t **dfs);
	int (*dfs_umount)(dfs_t *dfs);
	int (*dfs_lookup)(dfs_t *dfs, const char *path, int flags, dfs_obj_t **obj, mode_t *mode,
			  struct stat *stbuf);
	int (*dfs_release)(dfs_obj_t *obj);
	int (*dfs_open)(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode, int flags,
			daos_oclass_id_t cid, daos_size_t chunk_size, const char *value,
			dfs_obj_t **obj);
	int (*dfs_read)(dfs_t *dfs, dfs_obj_t *obj, d_sg_list_t *sgl, daos_off_t off,
			daos_size_t *read_size, daos_event_t *ev);
	int (*dfs_write)(dfs_t *dfs, dfs_obj_t *obj, d_sg_list_t *sgl, daos_off_t off,
			 daos_event_t *ev);
	int (*dfs_readdir)(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr,
			   struct dirent *dirs);
	int (*dfs_get_symlink_value)(dfs_obj_t *obj, char *buf, daos_size_t *size);
	int (*dfs_obj_get_info)(dfs_t *dfs, dfs_obj_t *obj, dfs_obj_info_t *info);
	int (*dfs_obj_set_oclass)(dfs_t *dfs, dfs_obj_t *obj, int flags, daos_oclass_id_t cid);
	int (*dfs_obj_set_chunk_size)(dfs_t *dfs, dfs_obj_t *obj, int flags, daos_size_t csize);
	int (*dfs_chmod)(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode);
	int (*dfs_cont_check_report)(daos_handle_t poh, const char *cont, uint64_t flags,
				     const char *name, dfs_report_fn fn, void *arg,
				     dfs_check_result_t *res);
	int (*dfs_cont_scan_report)(daos_handle_t poh, const char *cont, uint64_t flags,
				    const char *subdir, dfs_report_fn fn, void *arg,
				    dfs_scan_result_t *res);
	/* The repairs of fs fix-entry, fix-sb, fix-root; dfs_stat shows fix-entry's result. */
	int (*dfs_stat)(dfs_t *dfs, dfs_obj_t *parent, const char *name, struct stat *stbuf);
	int (*dfs_obj_fix_type)(dfs_t *dfs, dfs_obj_t *parent, const char *name);
	int (*dfs_file_update_chunk_size)(dfs_t *dfs, dfs_obj_t *obj, daos_size_t csize);
	int (*dfs_recreate_sb)(daos_handle_t coh, dfs_attr_t *attr);
	int (*dfs_relink_root)(daos_handle_t coh);
	/*
	 * What dfuse says about @path (a file or directory in a dfuse mount): its pool and
	 * container UUIDs, the system name ("" for the default), the mount point and the
	 * dfuse pid (dfuse_ioctl.h). -DER_INVAL if @path is not in a dfuse mount.
	 */
	int (*dfuse_path_info)(const char *path, struct dcli_dfuse_info *info);
	/*
	 * ioctl @cmd (DFUSE_IOCTL_COUNT, DFUSE_IOCTL_EVICT) on @path of a dfuse mount into
	 * @reply (the command's reply struct, its version checked). 0, or -DER_INVAL if
	 * @path is not on dfuse, or another DER code.
	 */
	int (*dfuse_path_ioctl)(const char *path, unsigned long cmd, void *reply);
	/*
	 * UNS links (dcli_uns.c has the real ones). uns_get: the user.daos attribute of
	 * @path, NUL-terminated into @buf; -DER_NONEXIST if it has none. uns_link: create
	 * @path (a directory if @dir, else an empty file), which must not exist, with
	 * user.daos = @value; nothing is left on failure. uns_unlink: remove @path.
	 */
	int (*uns_get)(const char *path, char *buf, size_t len);
	int (*uns_link)(const char *path, bool dir, const char *value);
	int (*uns_unlink)(const char *path);

	/*
	 * Create a POSIX container: the DFS namespace (superblock, root directory) in a new
	 * container with @props, the layout type set to POSIX, named @label (may be NULL).
	 * libdfs's dfs_cont_create_with_label(). NULL: not available in this build.
	 */
	int (*posix_cont_create)(daos_handle_t poh, const char *label,
				 const struct dcli_posix_attr *attr, daos_prop_t *props,
				 uuid_t *uuid);
};

/* The libdaos calls of the daos binary (dcli_libdaos.c, built only with libdaos). */
extern const struct dcli_ops dcli_libdaos_ops;

/* ---- the session ---- */

/* daos's struct cli_ctx: what every run function gets. */
struct cli_ctx {
	const struct dcli_ops *ops; /* libdaos */
	FILE *out;                  /* command output */
	bool json;                  /* -j: leave the response in json_resp, print nothing */
	bool debug;                 /* --debug */
	const char *sys;            /* -G: the system name, NULL: the default */
	json_t *json_resp;          /* -j: the response (owned) */
	int err_rc;                 /* the code printed after errmsg; 0: none */
	char errmsg[1024];          /* what failed, printed as "ERROR: daos: ..." */
	/* --path named <pool> <container> (dcli_run) as a UNS link; false: a path inside a
	 * container's dfuse mount, or no --path */
	bool path_is_link;
	char path_pool[DAOS_PROP_LABEL_MAX_LEN + 1];
	char path_cont[DAOS_PROP_LABEL_MAX_LEN + 1];
};

/*
 * Record what failed. With @rc non-zero the error line ends with the code and its text
 * (": DER_NONEXIST(-1005): entity does not exist"); 0 is for messages complete without
 * one (bad arguments). Returns @rc, or -DER_INVAL if @rc is 0, for `return dcli_errf()`.
 */
int dcli_errf(struct cli_ctx *ctx, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Run the daos tool: parse @argv, initialise libdaos through @ops for commands that need
 * it, run, write output to @out and the error line to @err. Returns the exit code.
 */
int dcli_run(const struct dcli_ops *ops, int argc, char **argv, FILE *out, FILE *err);

/* Connect to @pool with DAOS_PC_* @flags; @info optional. The message names the pool. */
int dcli_pool_connect(struct cli_ctx *ctx, const char *pool, unsigned int flags, daos_handle_t *poh,
		      daos_pool_info_t *info);
/*
 * Connect to @pool (@pool_flags) and open @cont (DAOS_COO_* @cont_flags); @pinfo, @cinfo
 * optional. On failure nothing stays open. Close both with dcli_cont_close().
 */
int dcli_cont_open(struct cli_ctx *ctx, const char *pool, const char *cont, unsigned int pool_flags,
		   unsigned int cont_flags, daos_handle_t *poh, daos_handle_t *coh,
		   daos_pool_info_t *pinfo, daos_cont_info_t *cinfo);
void dcli_cont_close(struct cli_ctx *ctx, daos_handle_t poh, daos_handle_t coh);

/* ---- container properties (dcli_prop.c) ----
 *
 * The table, the lists and their parsers are rpc/cont_prop.h's (cont_prop_*, cont_props_*,
 * shared with libdaos). Lists the CLI builds (create, set-prop, get-prop's query list) are
 * freed with cont_props_fini(); lists libdaos returns with ops->prop_free().
 */

/* The display text of @e ("128 KiB", "HEALTHY", "A::OWNER@:rwdtTaAo, ..."); "not set" if
 * the entry carries no value. A new string for d_free(), NULL if out of memory. */
char *dcli_prop_entry_str(const struct daos_prop_entry *e);
/* The same as JSON: a number for numeric values, else the display text. */
json_t *dcli_prop_entry_json(const struct daos_prop_entry *e);

/* ---- printers and JSON (dcli_print.c): pure, values in, text out ---- */

/* "2024-03-01 10:20:30", local time, of an HLC timestamp. */
void dcli_hlc_str(uint64_t hlc, char *buf, size_t len);
/* An OID as DAOS prints it, "<hi>.<lo>" in decimal; and back (0 or -DER_INVAL). */
void dcli_oid_str(daos_obj_id_t oid, char *buf, size_t len);
int dcli_oid_parse(const char *str, daos_obj_id_t *oid);
/* An epoch: decimal or 0x-hex. 0 or -DER_INVAL. */
int dcli_epoch_parse(const char *str, uint64_t *epoch);

/* "Properties for container X", then a Name/Value table: "<desc> (<key>)" rows sorted by
 * key, the ACL last; entries of types outside the table are skipped. */
void dcli_print_cont_props(FILE *f, const char *cont, const daos_prop_t *prop);
json_t *dcli_json_cont_props(const daos_prop_t *prop);

/* @path: the UNS link made with it, or NULL. */
void dcli_print_cont_create(FILE *f, const char *uuid, const char *label, const char *type,
			    const char *path);

/* One container of a listing: label (may be ""), UUID string, layout (only with -v). */
struct dcli_cont_row {
	const char *label;
	const char *uuid;
	const char *layout;
};
void dcli_print_cont_list(FILE *f, const char *pool, const struct dcli_cont_row *rows, size_t nr,
			  bool verbose);
json_t *dcli_json_cont_list(const struct dcli_cont_row *rows, size_t nr, bool verbose);

/* What `daos container query` shows. */
struct dcli_cont_report {
	const char *pool_uuid;
	const char *cont_uuid;
	const char *label;
	const char *type;
	uint64_t rd_fac;
	uint32_t nhandles;
	uint32_t nsnapshots;
	uint64_t lsnapshot; /* 0: none */
	uint64_t otime;     /* HLC */
	uint64_t mtime;     /* HLC */
};
void dcli_print_cont_query(FILE *f, const struct dcli_cont_report *r);
json_t *dcli_json_cont_query(const struct dcli_cont_report *r);

/* One user attribute; value NULL when only names were listed. */
struct dcli_attr {
	char *name;
	char *value;
	size_t len;
};
/* "Attributes for <what> <id>:", then a Name (and Value) table, or "  No attributes." */
void dcli_print_attrs(FILE *f, const char *what, const char *id, const struct dcli_attr *a,
		      size_t nr, bool values);
json_t *dcli_json_attrs(const struct dcli_attr *a, size_t nr, bool values);

/* One snapshot. */
struct dcli_snap {
	uint64_t epoch;
	char *name; /* "" if unnamed */
};
void dcli_print_snaps(FILE *f, const struct dcli_snap *s, size_t nr);
json_t *dcli_json_snaps(const struct dcli_snap *s, size_t nr);

/* What `daos object query` shows. */
struct dcli_obj_report {
	daos_obj_id_t oid;
	uint64_t version;    /* the container's object layout version */
	const char *oclass;  /* "RP_2G1" */
	unsigned int nr_grp; /* redundancy groups */
	unsigned int grp_size;
	const struct daos_oclass_attr *attr; /* NULL if libdaos could not say */
	const d_rank_list_t *ranks;          /* NULL if libdaos could not say */
};
void dcli_print_obj_query(FILE *f, const struct dcli_obj_report *r);
json_t *dcli_json_obj_query(const struct dcli_obj_report *r);

/* ---- shared by the pool and container attribute commands (dcli_attr.c) ---- */

/* The attribute calls of a pool or a container handle. */
struct dcli_attr_ops {
	int (*list)(daos_handle_t h, char *buffer, size_t *size, daos_event_t *ev);
	int (*get)(daos_handle_t h, int n, char const *const names[], void *const buffers[],
		   size_t sizes[], daos_event_t *ev);
	int (*set)(daos_handle_t h, int n, char const *const names[], void const *const values[],
		   size_t const sizes[], daos_event_t *ev);
	int (*del)(daos_handle_t h, int n, char const *const names[], daos_event_t *ev);
};
void dcli_attrs_free(struct dcli_attr *a, size_t nr);
/*
 * Split "k:v[,k:v]" (set-attr) or "k[,k]" (get-attr, del-attr; @with_values false) into a
 * new array. Names may not be empty; values may hold ':'. 0, -DER_INVAL (message in @err),
 * -DER_NOMEM.
 */
int dcli_attrs_split(const char *str, bool with_values, struct dcli_attr **out, size_t *nr,
		     char *err, size_t err_len);
enum dcli_attr_op {
	DCLI_ATTR_LIST,        /* names */
	DCLI_ATTR_LIST_VALUES, /* names and values (list-attrs -V) */
	DCLI_ATTR_GET,         /* values of the names in the argument, all if NULL */
	DCLI_ATTR_SET,         /* "name:value[,name:value]" */
	DCLI_ATTR_DEL,         /* "name[,name]" */
};
/* One attribute command on an open handle; @what "pool"/"container", @id its name. */
int dcli_attr_run(struct cli_ctx *ctx, const struct dcli_attr_ops *ops, daos_handle_t h,
		  const char *what, const char *id, enum dcli_attr_op op, const char *arg);

/* ---- commands ---- */

int dcli_pool_query(struct cli_ctx *ctx, const struct cli_args *a);
/* Also `daos container list`. */
int dcli_pool_list_cont(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_pool_list_attrs(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_pool_get_attr(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_pool_set_attr(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_pool_del_attr(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_pool_autotest(struct cli_ctx *ctx, const struct cli_args *a);

int dcli_cont_create(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_destroy(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_query(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_get_prop(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_set_prop(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_get_acl(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_update_acl(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_overwrite_acl(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_delete_acl(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_set_owner(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_create_snap(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_list_snaps(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_destroy_snap(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_list_attrs(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_get_attr(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_set_attr(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_del_attr(struct cli_ctx *ctx, const struct cli_args *a);

int dcli_obj_query(struct cli_ctx *ctx, const struct cli_args *a);

/* `daos filesystem` (dcli_fs.c, dcli_fs_copy.c) and `daos container check`. */
int dcli_fs_copy(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_set_attr(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_get_attr(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_reset_attr(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_reset_chunk_size(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_reset_oclass(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_check(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_scan(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_chmod(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_query(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_evict(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_fix_entry(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_fix_sb(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_fs_fix_root(struct cli_ctx *ctx, const struct cli_args *a);
int dcli_cont_check(struct cli_ctx *ctx, const struct cli_args *a);

/* ---- the unified namespace (dcli_uns.c) ---- */

#define DCLI_UNS_MAX 1024

/* The real file system calls behind ops->uns_*. */
int dcli_uns_get(const char *path, char *buf, size_t len);
int dcli_uns_link(const char *path, bool dir, const char *value);
int dcli_uns_unlink(const char *path);
/*
 * The pool and container --path names: its user.daos link, else the dfuse mount it is in.
 * *is_link: a link (dfuse answers user.daos on the root of a container it reached by one).
 */
int dcli_uns_resolve(struct cli_ctx *ctx, const char *path, char *pool, size_t pool_len, char *cont,
		     size_t cont_len, bool *is_link);
/* 0 if --path can link containers of @type (POSIX, HDF5), else the error recorded. */
int dcli_uns_check_type(struct cli_ctx *ctx, uint64_t type);
/* The pool of the dfuse mount holding @path's parent: create --path without a pool. */
int dcli_uns_pool_of(struct cli_ctx *ctx, const char *path, char *pool, size_t pool_len);
/* Link container @cont_uuid of @pool_uuid, of @type, at @path. */
int dcli_uns_make(struct cli_ctx *ctx, const char *path, uint64_t type, const char *pool_uuid,
		  const char *cont_uuid);
int dcli_cont_link(struct cli_ctx *ctx, const struct cli_args *a);

/*
 * "daos://<pool>/<cont>[/<path>]" into its parts (copied into the buffers; *path "/"
 * when absent). Returns 1 if @str is such a path, 0 if it is not a daos:// path at all
 * (a POSIX path), -DER_INVAL if it starts with daos:// but is malformed.
 */
int dcli_daos_path_parse(const char *str, char *pool, size_t pool_len, char *cont, size_t cont_len,
			 char *path, size_t path_len);
/* "print,relink,evict" into DFS_CHECK_* flags; -DER_INVAL (message in @err) otherwise. */
int dcli_check_flags_parse(const char *str, uint64_t *flags, char *err, size_t err_len);
int dcli_version(struct cli_ctx *ctx, const struct cli_args *a);

#endif /* CONTROL_DAOS_DCLI_INT_H */
