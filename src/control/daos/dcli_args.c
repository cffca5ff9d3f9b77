/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_args.c - the daos CLI's options and command tree (reference §4), as data for the
 * parser shared with dmg (control/cli_args.c). Names, aliases, flags and positional
 * arguments are DAOS's; a command's flags are listed with it.
 */
#define D_LOGFAC DD_FAC(control)

#include "control/daos/dcli_int.h"

#define DCLI_OPT_ROW(id, s, l, v, h) [DCLI_OPT_##id] = { s, l, v, h },
const struct cli_opt dcli_opts[DCLI_OPT_NR] = { DCLI_OPT_TABLE(DCLI_OPT_ROW) };

/* Accepted by every command. */
static const int global_opts[] = { DCLI_OPT_HELP, DCLI_OPT_JSON, DCLI_OPT_DEBUG, DCLI_OPT_SYS_NAME,
				   -1 };

static const int pool_query_opts[] = { DCLI_OPT_SHOW_ENABLED, DCLI_OPT_HEALTH_ONLY, -1 };
static const int verbose_opts[] = { DCLI_OPT_VERBOSE, -1 };
static const int verbose_v_opts[] = { DCLI_OPT_VERBOSE_V, -1 };
static const int autotest_opts[] = { DCLI_OPT_SKIP_BIG, DCLI_OPT_DEADLINE, -1 };
static const int cont_create_opts[] = {
	DCLI_OPT_TYPE,   DCLI_OPT_LABEL,      DCLI_OPT_PROPERTIES,  DCLI_OPT_CHUNK_SIZE,
	DCLI_OPT_OCLASS, DCLI_OPT_DIR_OCLASS, DCLI_OPT_FILE_OCLASS, DCLI_OPT_CREATE_ACL_FILE,
	DCLI_OPT_USER,   DCLI_OPT_GROUP,      DCLI_OPT_UNS_PATH,    -1,
};
static const int uns_path_opts[] = { DCLI_OPT_UNS_PATH, -1 };
static const int force_opts[] = { DCLI_OPT_FORCE, -1 };
static const int props_opts[] = { DCLI_OPT_PROPERTIES, -1 };
static const int get_acl_opts[] = { DCLI_OPT_OUTFILE, DCLI_OPT_FORCE, DCLI_OPT_VERBOSE_V, -1 };
static const int update_acl_opts[] = { DCLI_OPT_ENTRY, DCLI_OPT_ACL_FILE, -1 };
static const int overwrite_acl_opts[] = { DCLI_OPT_ACL_FILE, -1 };
static const int delete_acl_opts[] = { DCLI_OPT_PRINCIPAL, -1 };
static const int set_owner_opts[] = { DCLI_OPT_USER, DCLI_OPT_GROUP, -1 };
static const int create_snap_opts[] = { DCLI_OPT_SNAP, -1 };
static const int destroy_snap_opts[] = { DCLI_OPT_EPC, DCLI_OPT_EPC_RANGE, DCLI_OPT_SNAP, -1 };
static const int fs_copy_opts[] = { DCLI_OPT_SRC, DCLI_OPT_DST, -1 };
static const int fs_set_attr_opts[] = { DCLI_OPT_PATH,       DCLI_OPT_DFS_PATH, DCLI_OPT_DFS_PREFIX,
					DCLI_OPT_CHUNK_SIZE, DCLI_OPT_OCLASS,   -1 };
static const int fs_where_opts[] = { DCLI_OPT_PATH, DCLI_OPT_DFS_PATH, DCLI_OPT_DFS_PREFIX, -1 };
static const int fs_chmod_opts[] = { DCLI_OPT_PATH, DCLI_OPT_DFS_PATH, DCLI_OPT_DFS_PREFIX,
				     DCLI_OPT_MODE, -1 };
static const int fs_check_opts[] = { DCLI_OPT_CHECK_FLAGS, DCLI_OPT_DIR_NAME, -1 };
static const int fs_scan_opts[] = { DCLI_OPT_DIR_NAME, -1 };
static const int fs_fix_entry_opts[] = { DCLI_OPT_PATH,           DCLI_OPT_DFS_PATH,
					 DCLI_OPT_DFS_PREFIX,     DCLI_OPT_FIX_TYPE,
					 DCLI_OPT_FIX_CHUNK_SIZE, -1 };
static const int fs_fix_sb_opts[] = { DCLI_OPT_CONS_MODE,
				      DCLI_OPT_CHUNK_SIZE,
				      DCLI_OPT_OCLASS,
				      DCLI_OPT_SB_DIR_OCLASS,
				      DCLI_OPT_SB_FILE_OCLASS,
				      DCLI_OPT_HINTS,
				      -1 };
static const int cont_check_opts[] = { DCLI_OPT_EPC, -1 };

/* name, aliases, help, options, argument names, min and max arguments, needs DAOS, run */
#define LEAF(n, al, h, o, pn, pmin, pmax, c, fn)                                   \
	{                                                                          \
		.name = n, .aliases = al, .help = h, .opts = o, .pos_name = pn,    \
		.nr_pos_min = pmin, .nr_pos_max = pmax, .needs_conn = c, .run = fn \
	}
/* A container command whose <pool> <container> --path may name instead. */
#define LEAF_P(n, al, h, o, pn, pmin, pmax, c, fn)                                  \
	{                                                                           \
		.name = n, .aliases = al, .help = h, .opts = o, .pos_name = pn,     \
		.nr_pos_min = pmin, .nr_pos_max = pmax, .needs_conn = c, .run = fn, \
		.nr_pos_path = 2                                                    \
	}
#define NODE(n, al, h, s)                                      \
	{                                                      \
		.name = n, .aliases = al, .help = h, .subs = s \
	}
#define POOL "<pool>"
#define CONT "<pool> <container>"
#define WHERE "[<pool> <container>]"

static const struct cli_cmd pool_cmds[] = {
	LEAF("query", NULL, "Query a DAOS pool", pool_query_opts, POOL, 1, 1, true,
	     dcli_pool_query),
	LEAF("list-containers", "list-cont list", "List containers in a pool", verbose_opts, POOL,
	     1, 1, true, dcli_pool_list_cont),
	LEAF("list-attrs", "list-attr lsattr", "List pool user-defined attributes", verbose_v_opts,
	     POOL, 1, 1, true, dcli_pool_list_attrs),
	LEAF("get-attr", "getattr", "Get pool user-defined attributes", NULL,
	     POOL " [<name>[,<name>...]]", 1, 2, true, dcli_pool_get_attr),
	LEAF("set-attr", "setattr", "Set pool user-defined attributes", NULL,
	     POOL " <name>:<value>[,<name>:<value>...]", 2, 2, true, dcli_pool_set_attr),
	LEAF("del-attr", "delattr", "Delete pool user-defined attributes", NULL,
	     POOL " <name>[,<name>...]", 2, 2, true, dcli_pool_del_attr),
	/* autotest starts libdaos itself: it is its step 0 */
	LEAF("autotest", NULL, "Verify setup with smoke tests", autotest_opts, POOL, 1, 1, false,
	     dcli_pool_autotest),
	{ NULL },
};

static const struct cli_cmd cont_cmds[] = {
	/* --path may name the pool too (its dfuse mount's): see dcli_cont_create */
	{ .name = "create",
	  .help = "Create a container",
	  .opts = cont_create_opts,
	  .pos_name = POOL " [<label>]",
	  .nr_pos_min = 1,
	  .nr_pos_max = 2,
	  .needs_conn = true,
	  .run = dcli_cont_create,
	  .nr_pos_path = 1 },
	LEAF("link", NULL, "Link a container to a path (UNS)", uns_path_opts, CONT, 2, 2, true,
	     dcli_cont_link),
	LEAF_P("destroy", NULL, "Destroy a container", force_opts, CONT, 2, 2, true,
	       dcli_cont_destroy),
	LEAF("list", "ls", "List containers", verbose_opts, POOL, 1, 1, true, dcli_pool_list_cont),
	LEAF_P("query", NULL, "Query a container", NULL, CONT, 2, 2, true, dcli_cont_query),
	LEAF_P("get-prop", "getprop", "Get container properties", props_opts,
	       CONT " [<name>[,<name>...]]", 2, 3, true, dcli_cont_get_prop),
	LEAF_P("set-prop", "setprop", "Set container properties", props_opts,
	       CONT " <key>:<value>[,<key>:<value>...]", 2, 3, true, dcli_cont_set_prop),
	LEAF_P("get-acl", NULL, "Get a container's ACL", get_acl_opts, CONT, 2, 2, true,
	       dcli_cont_get_acl),
	LEAF_P("update-acl", NULL, "Add or update entries in a container's ACL", update_acl_opts,
	       CONT, 2, 2, true, dcli_cont_update_acl),
	LEAF_P("overwrite-acl", "replace", "Replace a container's ACL", overwrite_acl_opts, CONT, 2,
	       2, true, dcli_cont_overwrite_acl),
	LEAF_P("delete-acl", NULL, "Delete an entry from a container's ACL", delete_acl_opts, CONT,
	       2, 2, true, dcli_cont_delete_acl),
	LEAF_P("set-owner", "chown", "Change the owner of a container", set_owner_opts, CONT, 2, 2,
	       true, dcli_cont_set_owner),
	LEAF_P("create-snap", "snap", "Create a container snapshot", create_snap_opts, CONT, 2, 2,
	       true, dcli_cont_create_snap),
	LEAF_P("list-snaps", "list-snap", "List container snapshots", NULL, CONT, 2, 2, true,
	       dcli_cont_list_snaps),
	LEAF_P("destroy-snap", NULL, "Destroy container snapshots", destroy_snap_opts, CONT, 2, 2,
	       true, dcli_cont_destroy_snap),
	LEAF_P("list-attrs", "list-attr lsattr", "List container user-defined attributes",
	       verbose_v_opts, CONT, 2, 2, true, dcli_cont_list_attrs),
	LEAF_P("get-attr", "getattr", "Get container user-defined attributes", NULL,
	       CONT " [<name>[,<name>...]]", 2, 3, true, dcli_cont_get_attr),
	LEAF_P("set-attr", "setattr", "Set container user-defined attributes", NULL,
	       CONT " <name>:<value>[,<name>:<value>...]", 3, 3, true, dcli_cont_set_attr),
	LEAF_P("del-attr", "delattr", "Delete container user-defined attributes", NULL,
	       CONT " <name>[,<name>...]", 3, 3, true, dcli_cont_del_attr),
	LEAF_P("check", NULL, "Check the objects of a container", cont_check_opts, CONT, 2, 2, true,
	       dcli_cont_check),
	{ NULL },
};

static const struct cli_cmd fs_cmds[] = {
	LEAF("copy", NULL, "Copy between POSIX and a DAOS container", fs_copy_opts, NULL, 0, 0,
	     true, dcli_fs_copy),
	LEAF("set-attr", NULL, "Set a directory's object class or chunk size for new entries",
	     fs_set_attr_opts, WHERE, 0, 2, true, dcli_fs_set_attr),
	LEAF("get-attr", NULL, "Show the object class and chunk size of a file or directory",
	     fs_where_opts, WHERE, 0, 2, true, dcli_fs_get_attr),
	LEAF("reset-attr", NULL, "Clear a directory's object class and chunk size", fs_where_opts,
	     WHERE, 0, 2, true, dcli_fs_reset_attr),
	LEAF("reset-chunk-size", NULL, "Clear a directory's chunk size", fs_where_opts, WHERE, 0, 2,
	     true, dcli_fs_reset_chunk_size),
	LEAF("reset-oclass", NULL, "Clear a directory's object class", fs_where_opts, WHERE, 0, 2,
	     true, dcli_fs_reset_oclass),
	LEAF("check", NULL, "Check a POSIX container for leaked objects", fs_check_opts, CONT, 2, 2,
	     true, dcli_fs_check),
	LEAF("scan", NULL, "Show namespace statistics of a POSIX container", fs_scan_opts, CONT, 2,
	     2, true, dcli_fs_scan),
	LEAF("chmod", NULL, "Change the mode bits of an entry", fs_chmod_opts, WHERE, 0, 2, true,
	     dcli_fs_chmod),
	LEAF("query", NULL, "Show what dfuse serves at a path", NULL, "<dfuse path>", 1, 1, false,
	     dcli_fs_query),
	LEAF("evict", NULL, "Make dfuse's kernel caches of a path ask DAOS again", NULL,
	     "<dfuse path>", 1, 1, false, dcli_fs_evict),
	LEAF("fix-entry", NULL, "Fix an entry whose type or chunk size was corrupted",
	     fs_fix_entry_opts, WHERE, 0, 2, true, dcli_fs_fix_entry),
	LEAF("fix-sb", NULL, "Recreate the DFS superblock of a POSIX container", fs_fix_sb_opts,
	     CONT, 2, 2, true, dcli_fs_fix_sb),
	LEAF("fix-root", NULL, "Relink the root directory of a POSIX container", NULL, CONT, 2, 2,
	     true, dcli_fs_fix_root),
	{ NULL },
};

static const struct cli_cmd obj_cmds[] = {
	LEAF("query", NULL, "Query an object's layout", NULL, CONT " <oid hi.lo>", 3, 3, true,
	     dcli_obj_query),
	{ NULL },
};

static const struct cli_cmd root_cmds[] = {
	NODE("container", "cont", "Perform tasks related to DAOS containers", cont_cmds),
	NODE("pool", NULL, "Perform tasks related to DAOS pools", pool_cmds),
	NODE("filesystem", "fs", "Perform tasks related to POSIX containers", fs_cmds),
	NODE("object", "obj", "Perform tasks related to DAOS objects", obj_cmds),
	LEAF("version", NULL, "Print daos version", NULL, NULL, 0, 0, false, dcli_version),
	{ NULL },
};

static const struct cli_cmd dcli_root = {
	.name = "daos",
	.help = "Command to manage DAOS pools, containers and objects",
	.subs = root_cmds,
};

_Static_assert(DCLI_OPT_NR <= CLI_OPT_MAX, "daos has more options than struct cli_args holds");

const struct cli_spec dcli_cli = {
	.prog = "daos",
	.opts = dcli_opts,
	.nr_opts = DCLI_OPT_NR,
	.global_opts = global_opts,
	.help_opt = DCLI_OPT_HELP,
	.path_opt = DCLI_OPT_UNS_PATH,
	.root = &dcli_root,
};
