/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_unit_tests.c - the daos CLI without libdaos: the command tree and its flags, the
 * display of every kind of container property, the printers against the layouts of the
 * reference and seed 003, the ACL text, attribute lists, OIDs and epochs. Each test checks
 * that it freed what it took. The property parser is tested in src/rpc/tests.
 */
#include "common/test.h"
#include "common/uns.h"
#include "control/daos/dcli_int.h"
#include "control/tests/cli_test.h"

static int
parse(const char *line, struct cli_args *a, const struct cli_cmd **cmd, char *err, size_t len)
{
	return cli_test_parse(&dcli_cli, line, a, cmd, err, len);
}

/* The command shapes of seed 003 and the reference, with DAOS's aliases. */
static void
args_ok(void **state)
{
	static const struct {
		const char *line;
		int (*run)(struct cli_ctx *ctx, const struct cli_args *a);
	} cmds[] = {
		{ "daos pool query hacc", dcli_pool_query },
		{ "daos pool autotest tank", dcli_pool_autotest },
		{ "daos pool list-containers tank", dcli_pool_list_cont },
		{ "daos pool list-cont tank", dcli_pool_list_cont },
		{ "daos pool list tank", dcli_pool_list_cont },
		{ "daos cont list tank", dcli_pool_list_cont },
		{ "daos container ls tank", dcli_pool_list_cont },
		{ "daos container get-prop tank c", dcli_cont_get_prop },
		{ "daos cont getprop tank c label,status", dcli_cont_get_prop },
		{ "daos cont set-prop tank c status:HEALTHY", dcli_cont_set_prop },
		{ "daos cont update-acl -e A::pkcoff@:rw tank c", dcli_cont_update_acl },
		{ "daos cont replace -f acl.txt tank c", dcli_cont_overwrite_acl },
		{ "daos cont chown -u bob@ tank c", dcli_cont_set_owner },
		{ "daos cont snap -s s1 tank c", dcli_cont_create_snap },
		{ "daos cont list-snap tank c", dcli_cont_list_snaps },
		{ "daos cont lsattr -V tank c", dcli_cont_list_attrs },
		{ "daos pool getattr tank", dcli_pool_get_attr },
		{ "daos obj query tank c 1.2", dcli_obj_query },
		{ "daos version", dcli_version },
	};
	const struct cli_cmd *cmd;
	struct cli_args a;
	char err[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (parse(cmds[i].line, &a, &cmd, err, sizeof(err)) != 0)
			fail_msg("%s: %s", cmds[i].line, err);
		if (cmd->run != cmds[i].run)
			fail_msg("%s: wrong command %s", cmds[i].line, cmd->name);
	}

	/* seed 003's advanced create, flags before and after the arguments */
	assert_int_equal(parse("daos container create --type=POSIX --chunk-size=2097152 "
			       "--properties=rd_fac:3,ec_cell_sz:131072,cksum:crc32,srv_cksum:on "
			       "--file-oclass=EC_16P3GX pool1 cont1 --dir-oclass=RP_4G1 -j",
			       &a, &cmd, err, sizeof(err)),
			 0);
	assert_ptr_equal(cmd->run, dcli_cont_create);
	assert_string_equal(a.val[DCLI_OPT_TYPE], "POSIX");
	assert_string_equal(a.val[DCLI_OPT_CHUNK_SIZE], "2097152");
	assert_string_equal(a.val[DCLI_OPT_PROPERTIES],
			    "rd_fac:3,ec_cell_sz:131072,cksum:crc32,srv_cksum:on");
	assert_string_equal(a.val[DCLI_OPT_FILE_OCLASS], "EC_16P3GX");
	assert_string_equal(a.val[DCLI_OPT_DIR_OCLASS], "RP_4G1");
	assert_true(a.set[DCLI_OPT_JSON]);
	assert_int_equal(a.nr_pos, 2);
	assert_string_equal(a.pos[0], "pool1");
	assert_string_equal(a.pos[1], "cont1");

	/* one letter, three meanings: -f per command */
	assert_int_equal(parse("daos cont create -f SX p", &a, &cmd, err, sizeof(err)), 0);
	assert_string_equal(a.val[DCLI_OPT_FILE_OCLASS], "SX");
	assert_int_equal(parse("daos cont destroy -f p c", &a, &cmd, err, sizeof(err)), 0);
	assert_true(a.set[DCLI_OPT_FORCE]);
	assert_int_equal(parse("daos cont update-acl -f x.acl p c", &a, &cmd, err, sizeof(err)), 0);
	assert_string_equal(a.val[DCLI_OPT_ACL_FILE], "x.acl");
	assert_int_equal(parse("daos cont create -A x.acl -t hdf5 p", &a, &cmd, err, sizeof(err)),
			 0);
	assert_string_equal(a.val[DCLI_OPT_CREATE_ACL_FILE], "x.acl");
	assert_int_equal(parse("daos -G other pool query -te p", &a, &cmd, err, sizeof(err)), 0);
	assert_string_equal(a.val[DCLI_OPT_SYS_NAME], "other");
	assert_true(a.set[DCLI_OPT_HEALTH_ONLY] && a.set[DCLI_OPT_SHOW_ENABLED]);
	assert_int_equal(parse("daos cont destroy-snap --epcrange 0x10-0x20 p c", &a, &cmd, err,
			       sizeof(err)),
			 0);
	assert_string_equal(a.val[DCLI_OPT_EPC_RANGE], "0x10-0x20");
	assert_int_equal(parse("daos cont --help", &a, &cmd, err, sizeof(err)), 0);
	assert_true(a.set[DCLI_OPT_HELP]);
}

static void
args_bad(void **state)
{
	static const struct cli_test_bad bad[] = {
		{ "daos",
		  "Please specify one command of: container, pool, filesystem, object, version" },
		{ "daos cont frob", "Unknown command `frob'" },
		{ "daos cont create", "the required argument `<pool> [<label>]' was not provided" },
		{ "daos cont query p", "the required argument `<pool> <container>'" },
		{ "daos cont query p c d", "unexpected argument `d'" },
		{ "daos cont create --chunk-size",
		  "expected argument for flag `-z, --chunk-size'" },
		{ "daos cont destroy --entry x p c", "unknown flag `entry'" },
		{ "daos pool query -z p", "unknown flag `z'" },
		{ "daos cont destroy --force=yes p c", "does not take a value" },
	};

	(void)state;
	cli_test_refused(&dcli_cli, bad, ARRAY_SIZE(bad));
}

/* The help of a command lists its own flags after the global ones. */
static void
help_text(void **state)
{
	const struct cli_cmd *cmd;
	struct cli_args a;
	char err[256], *out = NULL;

	(void)state;
	assert_int_equal(parse("daos pool list-cont -h", &a, &cmd, err, sizeof(err)), 0);
	TEST_CAPTURE(out, cli_cmd_help(&dcli_cli, f, cmd, "daos pool list-containers"));
	assert_non_null(strstr(out, "Usage:\n  daos pool list-containers [OPTIONS] <pool>\n"));
	assert_non_null(strstr(out, "Command Options:\n  -v, --verbose "));
	free(out);
	assert_int_equal(parse("daos pool", &a, &cmd, err, sizeof(err)), -DER_INVAL);
	assert_int_equal(parse("daos pool --help", &a, &cmd, err, sizeof(err)), 0);
	TEST_CAPTURE(out, cli_cmd_help(&dcli_cli, f, cmd, "daos pool"));
	assert_non_null(
		strstr(out, "  list-containers (list-cont, list) List containers in a pool"));
	assert_non_null(strstr(out, "  list-attrs (list-attr, lsattr) "));
	free(out);
}

/* ---- properties (parsing: src/rpc/tests/cont_prop_tests.c) ---- */

/* A container's properties as libdaos returns them: one entry of every type. */
static void
full_props(daos_prop_t *p, struct daos_prop_co_roots *roots)
{
	struct daos_acl *acl = NULL;
	char err[128];
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < cont_prop_count(); i++) {
		const struct cont_prop_def *d = cont_prop_at(i);
		uint64_t v = 0;

		switch (d->type) {
		case DAOS_PROP_CO_LABEL:
			assert_int_equal(cont_props_add_str(p, d->type, "posix-ec16p2gx-crc32"), 0);
			continue;
		case DAOS_PROP_CO_OWNER:
			assert_int_equal(cont_props_add_str(p, d->type, "alice@"), 0);
			continue;
		case DAOS_PROP_CO_OWNER_GROUP:
			assert_int_equal(cont_props_add_str(p, d->type, "users@"), 0);
			continue;
		case DAOS_PROP_CO_ACL:
			assert_int_equal(
				dcli_acl_from_entry("A::OWNER@:rwdtTaAo", &acl, err, sizeof(err)),
				0);
			assert_int_equal(cont_props_add_acl(p, acl), 0);
			continue;
		case DAOS_PROP_CO_LAYOUT_TYPE:
			v = DAOS_PROP_CO_LAYOUT_POSIX;
			break;
		case DAOS_PROP_CO_LAYOUT_VER:
			v = 1;
			break;
		case DAOS_PROP_CO_CSUM:
			v = DAOS_PROP_CO_CSUM_CRC32;
			break;
		case DAOS_PROP_CO_CSUM_CHUNK_SIZE:
			v = 32768;
			break;
		case DAOS_PROP_CO_REDUN_FAC:
			v = 2;
			break;
		case DAOS_PROP_CO_REDUN_LVL:
			v = DAOS_PROP_CO_REDUN_NODE;
			break;
		case DAOS_PROP_CO_DEDUP_THRESHOLD:
			v = 4096;
			break;
		case DAOS_PROP_CO_STATUS:
			v = DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_UNCLEAN, 0, 7);
			break;
		case DAOS_PROP_CO_EC_CELL_SZ:
			v = 131072;
			break;
		case DAOS_PROP_CO_EC_PDA:
			v = 1;
			break;
		case DAOS_PROP_CO_RP_PDA:
			v = 4294967295u;
			break;
		case DAOS_PROP_CO_GLOBAL_VERSION:
			v = 3;
			break;
		case DAOS_PROP_CO_OBJ_VERSION:
			v = 2;
			break;
		case DAOS_PROP_CO_PERF_DOMAIN:
			v = DAOS_PROP_PERF_DOMAIN_ROOT;
			break;
		case DAOS_PROP_CO_ALLOCED_OID:
			v = 1024;
			break;
		default:
			break;
		}
		assert_int_equal(cont_props_add_num(p, d->type, v), 0);
		if (d->type == DAOS_PROP_CO_ROOTS)
			p->dpp_entries[p->dpp_nr - 1].dpe_val_ptr = roots;
	}
	/* a type the table does not know is not shown */
	assert_int_equal(cont_props_add_num(p, DAOS_PROP_CO_MAX + 7, 1), 0);
}

/* get-prop's table (reference §4.7): the width of seed 003, sorted by key, ACL last. */
static void
print_props(void **state)
{
	static const char want[] =
		"Properties for container posix-ec16p2gx-crc32\n"
		"Name                                             Value\n"
		"----                                             -----\n"
		"Highest Allocated OID (alloc_oid)                1024\n"
		"Checksum (cksum)                                 crc32\n"
		"Checksum Chunk Size (cksum_size)                 32 KiB\n"
		"Compression (compression)                        off\n"
		"Deduplication (dedup)                            off\n"
		"Dedupe Threshold (dedup_threshold)               4.0 KiB\n"
		"EC Cell Size (ec_cell_sz)                        128 KiB\n"
		"Performance domain affinity level of EC (ec_pda) 1\n"
		"Encryption (encryption)                          off\n"
		"Global Version (global_version)                  3\n"
		"Group (group)                                    users@\n"
		"Label (label)                                    posix-ec16p2gx-crc32\n"
		"Layout Type (layout_type)                        POSIX\n"
		"Layout Version (layout_version)                  1\n"
		"Max Snapshot (max_snapshot)                      0\n"
		"Object Version (obj_version)                     2\n"
		"Owner (owner)                                    alice@\n"
		"Performance domain level (perf_domain)           root (255)\n"
		"Redundancy Factor (0-4) (rd_fac)                 2\n"
		"Redundancy Level (rank=1, node=2) (rd_lvl)       node\n"
		"Root OIDs (root_oids)                            1.0, 1.1\n"
		"Performance domain affinity level of RP (rp_pda) 4294967295\n"
		"Scrubber Disabled (scrub_disabled)               false\n"
		"Server Checksumming (srv_cksum)                  off\n"
		"Health (status)                                  UNCLEAN\n"
		"Access Control List (acl)                        A::OWNER@:rwdtTaAo\n";
	struct daos_prop_co_roots roots = { .cr_oids = { { 0, 1 }, { 1, 1 } } };
	daos_prop_t p;
	char *out = NULL, *s;
	json_t *j;

	(void)state;
	TEST_ALLOC_MARK();
	full_props(&p, &roots);
	TEST_CAPTURE(out, dcli_print_cont_props(f, "posix-ec16p2gx-crc32", &p));
	assert_string_equal(out, want);
	free(out);

	j = dcli_json_cont_props(&p);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), DAOS_PROP_CO_NUM);
	s = json_dumps(json_array_get(j, 1), JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(
		s, "{\"name\":\"cksum\",\"description\":\"Checksum\",\"value\":\"crc32\"}");
	free(s);
	s = json_dumps(json_array_get(j, 0), JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"name\":\"alloc_oid\",\"description\":\"Highest Allocated OID\","
			       "\"value\":1024}");
	free(s);
	json_decref(j);

	/* an entry without a value */
	p.dpp_entries[0].dpe_flags |= DAOS_PROP_ENTRY_NOT_SET;
	s = dcli_prop_entry_str(&p.dpp_entries[0]);
	assert_string_equal(s, "not set");
	d_free(s);
	cont_props_fini(&p);
	TEST_ALLOC_CHECK();
}

/* ---- other printers ---- */

/* seed 003's `daos pool query hacc`, as the current layout (reference §4.8) prints it. */
static void
print_pool_query(void **state)
{
	static const char want[] =
		"Pool 050b20a3-3fcc-499b-a6cf-07d4b80b04fd, ntarget=4096, disabled=0, leader=2, "
		"version=131, state=Ready\n"
		"Pool health info:\n"
		"- Rebuild done, 4 objs, 0 recs\n"
		"Pool space info:\n"
		"- Target count:640\n"
		"- Storage tier 0 (SCM):\n"
		"  Total size: 6.0 TB\n"
		"  Free: 4.4 TB, min:6.5 GB, max:7.0 GB, mean:6.9 GB\n"
		"- Storage tier 1 (NVMe):\n"
		"  Total size: 200 TB\n"
		"  Free: 194 TB, min:244 GB, max:308 GB, mean:303 GB\n";
	struct cli_pool_info p = {
		.uuid = "050b20a3-3fcc-499b-a6cf-07d4b80b04fd",
		.label = "hacc",
		.state = "Ready",
		.total_targets = 4096,
		.active_targets = 640,
		.leader = 2,
		.version = 131,
		.disabled_ranks = "[]",
		.has_rebuild = true,
		.rebuild_state = "done",
		.rebuild_objects = 4,
		.tiers = { { "SCM", 6000000000000ull, 4400000000000ull, 6500000000ull,
			     7000000000ull, 6900000000ull },
			   { "NVMe", 200000000000000ull, 194000000000000ull, 244000000000ull,
			     308000000000ull, 303000000000ull } },
		.nr_tiers = 2,
	};
	char *out = NULL;
	json_t *j;

	(void)state;
	TEST_CAPTURE(out, cli_print_pool_query(f, &p, false, false));
	assert_string_equal(out, want);
	free(out);

	p.disabled_targets = 8;
	p.state = "TargetsExcluded";
	p.enabled_ranks = "0-6";
	p.disabled_ranks = "[7]";
	p.dead_ranks = "3";
	p.rebuild_state = "busy";
	p.rebuild_objects = 75;
	p.rebuild_records = 9722;
	TEST_CAPTURE(out, cli_print_pool_query(f, &p, true, true));
	assert_string_equal(out, "Pool 050b20a3-3fcc-499b-a6cf-07d4b80b04fd, ntarget=4096, "
				 "disabled=8, leader=2, version=131, state=TargetsExcluded\n"
				 "Pool health info:\n"
				 "- Enabled ranks: 0-6\n"
				 "- Disabled ranks: 7\n"
				 "- Dead ranks: 3\n"
				 "- Rebuild busy, 75 objs, 9722 recs\n");
	free(out);
	j = cli_json_pool_info(&p);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "disabled_ranks")), "7");
	assert_int_equal(json_integer_value(json_object_get(j, "total_targets")), 4096);
	json_decref(j);
}

static void
print_conts(void **state)
{
	static const struct dcli_cont_row rows[] = {
		{ "results", "7b0c2d4e-1111-2222-3333-4444555541ae", "POSIX" },
		{ "", "00000000-1111-2222-3333-444455556666", "unknown" },
	};
	struct dcli_cont_report r = {
		.pool_uuid = "050b20a3-3fcc-499b-a6cf-07d4b80b04fd",
		.cont_uuid = "7b0c2d4e-1111-2222-3333-4444555541ae",
		.label = "results",
		.type = "POSIX",
		.rd_fac = 1,
		.nhandles = 2,
		.nsnapshots = 1,
		.lsnapshot = 0x1234,
		.otime = 0,
		.mtime = 0,
	};
	char *out = NULL;

	(void)state;
	TEST_CAPTURE(out, dcli_print_cont_create(f, rows[0].uuid, "results", "POSIX", NULL));
	assert_string_equal(out, "Successfully created container "
				 "7b0c2d4e-1111-2222-3333-4444555541ae type POSIX\n"
				 "  Container UUID : 7b0c2d4e-1111-2222-3333-4444555541ae\n"
				 "  Container Label: results\n"
				 "  Container Type : POSIX\n");
	free(out);
	TEST_CAPTURE(out, dcli_print_cont_list(f, "tank", rows, 2, false));
	assert_string_equal(out, "Containers in pool tank:\n"
				 "  Label   UUID\n"
				 "  -----   ----\n"
				 "  results 7b0c2d4e-1111-2222-3333-4444555541ae\n"
				 "          00000000-1111-2222-3333-444455556666\n");
	free(out);
	TEST_CAPTURE(out, dcli_print_cont_list(f, "tank", rows, 2, true));
	assert_non_null(strstr(out, "  Label   UUID                                 Layout\n"));
	assert_non_null(strstr(out, "  results 7b0c2d4e-1111-2222-3333-4444555541ae POSIX\n"));
	free(out);
	TEST_CAPTURE(out, dcli_print_cont_list(f, "tank", rows, 0, false));
	assert_string_equal(out, "No containers.\n");
	free(out);
	TEST_CAPTURE(out, dcli_print_cont_query(f, &r));
	assert_string_equal(out,
			    "  Container UUID             : 7b0c2d4e-1111-2222-3333-4444555541ae\n"
			    "  Container Label            : results\n"
			    "  Container Type             : POSIX\n"
			    "  Pool UUID                  : 050b20a3-3fcc-499b-a6cf-07d4b80b04fd\n"
			    "  Container redundancy factor: 1\n"
			    "  Number of open handles     : 2\n"
			    "  Latest open time           : 0x0 (2021-01-01 00:00:00)\n"
			    "  Latest close/modify time   : 0x0 (2021-01-01 00:00:00)\n"
			    "  Number of snapshots        : 1\n"
			    "  Latest Persistent Snapshot : 0x1234\n");
	free(out);
}

static void
print_attrs_snaps_obj(void **state)
{
	char n1[] = "a", v1[] = "one", n2[] = "longer.name", v2[] = "t\001o";
	struct dcli_attr at[] = { { n1, v1, 3 }, { n2, v2, 3 } };
	char s1[] = "", s2[] = "before-upgrade";
	struct dcli_snap snaps[] = { { 0, s1 }, { 0x10000000000ull, s2 } };
	struct daos_oclass_attr oa = { .ca_resil = DAOS_RES_REPL, .ca_grp_nr = 2, .u.rp.r_num = 2 };
	d_rank_list_t *ranks = d_rank_list_alloc(3);
	struct dcli_obj_report r = {
		.oid = { .lo = 7, .hi = 5 },
		.version = 2,
		.oclass = "RP_2G2",
		.nr_grp = 2,
		.grp_size = 2,
		.attr = &oa,
	};
	char *out = NULL, *s;
	json_t *j;

	(void)state;
	TEST_CAPTURE(out, dcli_print_attrs(f, "container", "c1", at, 2, true));
	assert_string_equal(out, "Attributes for container c1:\n"
				 "Name        Value\n"
				 "----        -----\n"
				 "a           one\n"
				 "longer.name t.o\n");
	free(out);
	TEST_CAPTURE(out, dcli_print_attrs(f, "pool", "tank", at, 2, false));
	assert_string_equal(out, "Attributes for pool tank:\n"
				 "Name\n"
				 "----\n"
				 "a\n"
				 "longer.name\n");
	free(out);
	TEST_CAPTURE(out, dcli_print_attrs(f, "pool", "tank", at, 0, false));
	assert_string_equal(out, "Attributes for pool tank:\n  No attributes found.\n");
	free(out);
	j = dcli_json_attrs(at, 1, true);
	s = json_dumps(j, JSON_COMPACT);
	assert_string_equal(s, "[{\"name\":\"a\",\"value\":\"one\"}]");
	free(s);
	json_decref(j);

	TEST_CAPTURE(out, dcli_print_snaps(f, snaps, 2));
	assert_string_equal(out, "Container's snapshots :\n"
				 "Epoch         Timestamp           Name\n"
				 "-----         ---------           ----\n"
				 "0x0           2021-01-01 00:00:00\n"
				 "0x10000000000 2021-01-01 00:01:08 before-upgrade\n");
	free(out);
	TEST_CAPTURE(out, dcli_print_snaps(f, snaps, 0));
	assert_string_equal(out, "No snapshots.\n");
	free(out);

	ranks->rl_ranks[0] = 3;
	ranks->rl_ranks[1] = 1;
	ranks->rl_ranks[2] = 2;
	TEST_CAPTURE(out, dcli_print_obj_query(f, &r));
	assert_string_equal(out, "oid: 5.7 ver 2 grp_nr: 2\n"
				 "  Object Class: RP_2G2\n"
				 "  Redundancy  : 2 replicas\n"
				 "  Group size  : 2\n"
				 "  Ranks       : not available\n");
	free(out);
	r.ranks = ranks;
	TEST_CAPTURE(out, dcli_print_obj_query(f, &r));
	assert_non_null(strstr(out, "  Ranks       : [1-3]\n"));
	free(out);
	j = dcli_json_obj_query(&r);
	assert_int_equal(json_array_size(json_object_get(j, "ranks")), 3);
	json_decref(j);
	d_rank_list_free(ranks);
}

/* ---- ACL, attributes, OIDs ---- */

static void
acl_text(void **state)
{
	struct daos_acl *acl = NULL, *one = NULL;
	static const char text[] = "# shared with the team\nA::OWNER@:rwdtTaAo\nA:G:GROUP@:rwtT\n"
				   "  A::pkcoff@:r\n\n";
	char err[256], *s = NULL, path[] = "/tmp/dcli_acl.XXXXXX";
	int fd, type;
	json_t *j;

	(void)state;
	TEST_ALLOC_MARK();
	/* seed 003's entries */
	assert_int_equal(dcli_acl_from_entry("A::pkcoff@:rw", &one, err, sizeof(err)), 0);
	dcli_acl_free(one);
	assert_int_equal(dcli_acl_from_entry("A:G:users@:rwta", &one, err, sizeof(err)), 0);
	dcli_acl_free(one);
	assert_int_equal(dcli_acl_from_entry("A::bob@:rc", &one, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "permissions must be among rwdtTaAo for a container"));
	assert_int_equal(dcli_acl_from_entry("bob@:rw", &one, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "invalid ACE \"bob@:rw\""));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(dcli_acl_from_file(path, &acl, err, sizeof(err)), 0);
	assert_int_equal(dcli_acl_to_list(acl, &s), 0);
	assert_string_equal(s, "A::OWNER@:rwdtTaAo, A::pkcoff@:r, A:G:GROUP@:rwtT");
	d_free(s);
	assert_int_equal(dcli_acl_to_text(acl, "alice@", "users@", false, &s), 0);
	assert_string_equal(s, "# Owner: alice@\n# Owner Group: users@\n# Entries:\n"
			       "A::OWNER@:rwdtTaAo\nA::pkcoff@:r\nA:G:GROUP@:rwtT\n");
	d_free(s);
	assert_int_equal(dcli_acl_to_text(acl, NULL, NULL, true, &s), 0);
	assert_non_null(strstr(s, "# Allow::OWNER@:"));
	d_free(s);
	j = dcli_acl_to_json(acl, "alice@", "users@");
	assert_int_equal(json_array_size(json_object_get(j, "entries")), 3);
	assert_string_equal(json_string_value(json_object_get(j, "owner_user")), "alice@");
	json_decref(j);
	assert_true(dcli_acl_size(acl) > 8);
	dcli_acl_free(acl);
	assert_int_equal(dcli_acl_to_text(NULL, NULL, NULL, false, &s), 0);
	assert_string_equal(s, "# Entries:\n#   None\n");
	d_free(s);
	unlink(path);
	assert_int_equal(dcli_acl_from_file(path, &acl, err, sizeof(err)), -DER_NONEXIST);
	assert_non_null(strstr(err, "cannot read ACL file"));

	assert_int_equal(dcli_acl_principal_parse("u:pkcoff@", &type, &s, err, sizeof(err)), 0);
	assert_int_equal(type, DAOS_ACL_USER);
	assert_string_equal(s, "pkcoff@");
	d_free(s);
	assert_int_equal(dcli_acl_principal_parse("EVERYONE@", &type, &s, err, sizeof(err)), 0);
	assert_int_equal(type, DAOS_ACL_EVERYONE);
	assert_null(s);
	assert_int_equal(dcli_acl_principal_parse("pkcoff", &type, &s, err, sizeof(err)),
			 -DER_INVAL);
	assert_true(dcli_principal_is_valid("bob@"));
	assert_false(dcli_principal_is_valid("bob"));
	TEST_ALLOC_CHECK();
}

static void
attrs_split(void **state)
{
	struct dcli_attr *a = NULL;
	size_t nr = 0;
	char err[256];

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(dcli_attrs_split("a:b,c:d:e,f:", true, &a, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(a[0].name, "a");
	assert_string_equal(a[0].value, "b");
	assert_string_equal(a[1].name, "c");
	assert_string_equal(a[1].value, "d:e");
	assert_int_equal(a[1].len, 3);
	assert_string_equal(a[2].value, "");
	dcli_attrs_free(a, nr);
	assert_int_equal(dcli_attrs_split("x,y", false, &a, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 2);
	assert_null(a[1].value);
	dcli_attrs_free(a, nr);
	assert_int_equal(dcli_attrs_split("a:b,c", true, &a, &nr, err, sizeof(err)), -DER_INVAL);
	assert_string_equal(err, "invalid attribute \"c\": expected name:value");
	assert_int_equal(dcli_attrs_split("x,,y", false, &a, &nr, err, sizeof(err)), -DER_INVAL);
	assert_int_equal(dcli_attrs_split(":v", true, &a, &nr, err, sizeof(err)), -DER_INVAL);
	assert_int_equal(dcli_attrs_split("", false, &a, &nr, err, sizeof(err)), -DER_INVAL);
	TEST_ALLOC_CHECK();
}

static void
oids_epochs(void **state)
{
	daos_obj_id_t oid;
	uint64_t e;
	char buf[64];

	(void)state;
	assert_int_equal(dcli_oid_parse("281479271677952.17", &oid), 0);
	assert_int_equal(oid.hi, 281479271677952ull);
	assert_int_equal(oid.lo, 17);
	dcli_oid_str(oid, buf, sizeof(buf));
	assert_string_equal(buf, "281479271677952.17");
	assert_int_equal(dcli_oid_parse("1", &oid), -DER_INVAL);
	assert_int_equal(dcli_oid_parse("1.x", &oid), -DER_INVAL);
	assert_int_equal(dcli_oid_parse(".1", &oid), -DER_INVAL);
	assert_int_equal(dcli_oid_parse("18446744073709551616.1", &oid), -DER_INVAL);
	assert_int_equal(dcli_epoch_parse("0x1A2b", &e), 0);
	assert_int_equal(e, 0x1a2b);
	assert_int_equal(dcli_epoch_parse("42", &e), 0);
	assert_int_equal(e, 42);
	assert_int_equal(dcli_epoch_parse("0x", &e), -DER_INVAL);
	assert_int_equal(dcli_epoch_parse("0x12345678901234567", &e), -DER_INVAL);
	assert_int_equal(dcli_epoch_parse("-1", &e), -DER_INVAL);
	dcli_hlc_str(d_sec2hlc(86400), buf, sizeof(buf));
	assert_string_equal(buf, "2021-01-02 00:00:00");
}

/* `daos fs` flags (seed 003's forms), daos:// paths and check flags. */
/* UNS attribute values, and --path standing for <pool> <container>. */
static void
uns_args(void **state)
{
	char pool[64], cont[64], type[16], err[256];
	const struct cli_cmd *cmd;
	struct cli_args a;

	(void)state;
	assert_int_equal(uns_parse("DAOS.POSIX://p1/c1", type, sizeof(type), pool, sizeof(pool),
				   cont, sizeof(cont)),
			 0);
	assert_string_equal(type, "POSIX");
	assert_string_equal(pool, "p1");
	assert_string_equal(cont, "c1");
	assert_int_equal(uns_parse("DAOS.HDF5://p/c/sub/dir?x=1", type, sizeof(type), pool,
				   sizeof(pool), cont, sizeof(cont)),
			 0);
	assert_string_equal(type, "HDF5");
	assert_string_equal(cont, "c");
	assert_int_equal(uns_parse("DAOS.POSIX://p2/c2?oclass=S1", type, sizeof(type), pool,
				   sizeof(pool), cont, sizeof(cont)),
			 0);
	assert_string_equal(cont, "c2");
	assert_int_equal(uns_parse("POSIX://p/c", type, sizeof(type), pool, sizeof(pool), cont,
				   sizeof(cont)),
			 -DER_INVAL);
	assert_int_equal(uns_parse("DAOS.://p/c", type, sizeof(type), pool, sizeof(pool), cont,
				   sizeof(cont)),
			 -DER_INVAL);
	assert_int_equal(uns_parse("DAOS.POSIX://p", type, sizeof(type), pool, sizeof(pool), cont,
				   sizeof(cont)),
			 -DER_INVAL);
	assert_int_equal(uns_parse("DAOS.POSIX:///c", type, sizeof(type), pool, sizeof(pool), cont,
				   sizeof(cont)),
			 -DER_INVAL);
	assert_int_equal(uns_parse("DAOS.POSIX://p/", type, sizeof(type), pool, sizeof(pool), cont,
				   sizeof(cont)),
			 -DER_INVAL);
	assert_int_equal(
		uns_parse("DAOS.POSIX://p/c", type, sizeof(type), pool, 1, cont, sizeof(cont)),
		-DER_INVAL);

	/* --path lowers the arguments a container command needs by two */
	assert_int_equal(parse("daos cont query --path /x", &a, &cmd, err, sizeof(err)), 0);
	assert_int_equal(a.nr_pos, 0);
	assert_int_equal(parse("daos cont get-prop -p /x label", &a, &cmd, err, sizeof(err)), 0);
	assert_int_equal(a.nr_pos, 1);
	assert_int_equal(parse("daos cont query", &a, &cmd, err, sizeof(err)), -DER_INVAL);
	assert_int_equal(parse("daos cont create --path /x", &a, &cmd, err, sizeof(err)), 0);
	assert_int_equal(parse("daos cont create", &a, &cmd, err, sizeof(err)), -DER_INVAL);
	/* pool commands take no --path */
	assert_int_equal(parse("daos pool query --path /x", &a, &cmd, err, sizeof(err)),
			 -DER_INVAL);
}

static void
fs_args(void **state)
{
	char pool[64], cont[64], path[256], err[256];
	const struct cli_cmd *cmd;
	struct cli_args a;
	uint64_t flags;

	(void)state;
	assert_int_equal(parse("daos fs set-attr --path=/tmp/p/c/dir --oclass=EC_16P3G32", &a, &cmd,
			       err, sizeof(err)),
			 0);
	assert_ptr_equal(cmd->run, dcli_fs_set_attr);
	assert_string_equal(a.val[DCLI_OPT_PATH], "/tmp/p/c/dir");
	assert_string_equal(a.val[DCLI_OPT_OCLASS], "EC_16P3G32");
	assert_int_equal(
		parse("daos fs check --flags=evict pool1 cont1", &a, &cmd, err, sizeof(err)), 0);
	assert_ptr_equal(cmd->run, dcli_fs_check);
	assert_string_equal(a.val[DCLI_OPT_CHECK_FLAGS], "evict");
	assert_int_equal(
		parse("daos filesystem copy -s /tmp/x -d daos://p/c/y", &a, &cmd, err, sizeof(err)),
		0);
	assert_string_equal(a.val[DCLI_OPT_DST], "daos://p/c/y");
	assert_int_equal(parse("daos fs get-attr p c -H /d -I /mnt", &a, &cmd, err, sizeof(err)),
			 0);
	assert_string_equal(a.val[DCLI_OPT_DFS_PREFIX], "/mnt");
	assert_int_equal(parse("daos cont check p c", &a, &cmd, err, sizeof(err)), 0);
	assert_ptr_equal(cmd->run, dcli_cont_check);
	assert_int_equal(parse("daos fs check p c --frob", &a, &cmd, err, sizeof(err)), -DER_INVAL);
	assert_int_equal(parse("daos fs copy p", &a, &cmd, err, sizeof(err)), -DER_INVAL);

	assert_int_equal(dcli_daos_path_parse("daos://p1/c1/a/b", pool, sizeof(pool), cont,
					      sizeof(cont), path, sizeof(path)),
			 1);
	assert_string_equal(pool, "p1");
	assert_string_equal(cont, "c1");
	assert_string_equal(path, "/a/b");
	assert_int_equal(dcli_daos_path_parse("daos://p1/c1", pool, sizeof(pool), cont,
					      sizeof(cont), path, sizeof(path)),
			 1);
	assert_string_equal(path, "/");
	assert_int_equal(dcli_daos_path_parse("daos://p1/c1/", pool, sizeof(pool), cont,
					      sizeof(cont), path, sizeof(path)),
			 1);
	assert_string_equal(path, "/");
	assert_int_equal(dcli_daos_path_parse("/tmp/daos://x", pool, sizeof(pool), cont,
					      sizeof(cont), path, sizeof(path)),
			 0);
	assert_int_equal(dcli_daos_path_parse("daos://", pool, sizeof(pool), cont, sizeof(cont),
					      path, sizeof(path)),
			 -DER_INVAL);
	assert_int_equal(dcli_daos_path_parse("daos://p1", pool, sizeof(pool), cont, sizeof(cont),
					      path, sizeof(path)),
			 -DER_INVAL);
	assert_int_equal(dcli_daos_path_parse("daos://p1/", pool, sizeof(pool), cont, sizeof(cont),
					      path, sizeof(path)),
			 -DER_INVAL);
	assert_int_equal(dcli_daos_path_parse("daos:///c1", pool, sizeof(pool), cont, sizeof(cont),
					      path, sizeof(path)),
			 -DER_INVAL);
	assert_int_equal(dcli_daos_path_parse("daos://p1//x", pool, sizeof(pool), cont,
					      sizeof(cont), path, sizeof(path)),
			 -DER_INVAL);

	assert_int_equal(dcli_check_flags_parse("print,relink,EVICT", &flags, err, sizeof(err)), 0);
	assert_int_equal(flags, DFS_CHECK_PRINT | DFS_CHECK_RELINK | DFS_CHECK_EVICT_ALL);
	assert_int_equal(dcli_check_flags_parse("", &flags, err, sizeof(err)), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(dcli_check_flags_parse("remove,relink", &flags, err, sizeof(err)),
			 -DER_INVAL);
	assert_non_null(strstr(err, "remove and relink may not be used together"));
	assert_int_equal(dcli_check_flags_parse("print,frob", &flags, err, sizeof(err)),
			 -DER_INVAL);
	assert_non_null(strstr(err, "unknown check flag \"frob\""));
	assert_int_equal(dcli_check_flags_parse("print,,x", &flags, err, sizeof(err)), -DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(args_ok),
		cmocka_unit_test(args_bad),
		cmocka_unit_test(help_text),
		cmocka_unit_test(print_props),
		cmocka_unit_test(print_pool_query),
		cmocka_unit_test(print_conts),
		cmocka_unit_test(print_attrs_snaps_obj),
		cmocka_unit_test(acl_text),
		cmocka_unit_test(attrs_split),
		cmocka_unit_test(oids_epochs),
		cmocka_unit_test(uns_args),
		cmocka_unit_test(fs_args),
	};

	return cmocka_run_group_tests_name("dcli_unit", tests, NULL, NULL);
}
