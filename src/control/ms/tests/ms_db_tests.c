/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_db_tests.c - the MS db beyond membership: pool records and label rules, system
 * properties and attributes, and the file: round trips through close and reopen, crash
 * leftovers, damaged files (each with its own message), failed saves, and allocation
 * failures while opening.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/ms/tests/ms_test.h"

static int
setup(void **state)
{
	return ms_test_setup(state, "ms_db");
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
add_member(struct env *e, int seed, const char *host)
{
	struct ms_join_req r = { .rank = CRT_NO_RANK, .nr_ctxs = 2 };
	struct ms_join_resp resp;
	char addr[64];
	char uri[64];
	char fd[64];

	r.uuid[0] = 0x20;
	r.uuid[15] = (unsigned char)seed;
	snprintf(addr, sizeof(addr), "%s:10001", host);
	snprintf(uri, sizeof(uri), "ofi+tcp://%s:31416", host);
	snprintf(fd, sizeof(fd), "/%s", host);
	r.addr = addr;
	r.uri = uri;
	r.fault_domain = fd;
	if (ms_join(e->db, &r, &resp, e->err, sizeof(e->err)) != 0)
		fail_msg("join: %s", e->err);
}

static void
pool_init(struct ms_pool *p, const char *label)
{
	memset(p, 0, sizeof(*p));
	uuid_generate(p->uuid);
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->state = MS_POOL_READY;
	p->nr_tiers = 2;
	p->tier_bytes[0] = 1 << 30;
	p->tier_bytes[1] = (uint64_t)10 << 30;
}

/* --- pools --- */

static void
label_rules(void **state)
{
	static const struct {
		const char *label;
		bool ok;
	} tab[] = {
		{ "tank", true },
		{ "a", true },
		{ "Pool_1.data-x:2", true },
		{ "", false },
		{ "has space", false },
		{ "slash/no", false },
		{ "ünï", false },
		{ "12345678-1234-1234-1234-123456789abc", false },
		{ "12345678-1234-1234-1234-123456789abcd", true },
	};
	char max[129];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tab); i++)
		if (ms_label_is_valid(tab[i].label) != tab[i].ok)
			fail_msg("label \"%s\": expected %s", tab[i].label,
				 tab[i].ok ? "valid" : "invalid");
	memset(max, 'x', sizeof(max));
	max[127] = '\0';
	assert_true(ms_label_is_valid(max));
	max[127] = 'x';
	max[128] = '\0';
	assert_false(ms_label_is_valid(max));
}

static void
pool_add_lookup_remove(void **state)
{
	struct env *e = *state;
	const struct ms_pool *list;
	const struct ms_pool *p;
	struct ms_pool a;
	struct ms_pool b;
	struct ms_pool c;
	d_rank_list_t *svc;
	char us[37];
	uint32_t nr;

	/* Measure from before the open, so closing shows that nothing leaked. */
	ms_close(e->db);
	TEST_ALLOC_MARK();
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	svc = d_rank_list_alloc(3);
	assert_non_null(svc);
	pool_init(&a, "tank");
	a.svc_ranks = svc;
	a.state = MS_POOL_CREATING;
	pool_init(&b, "alpha");
	pool_init(&c, "zeta");
	assert_int_equal(ms_pool_add(e->db, &a, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_pool_add(e->db, &b, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_pool_add(e->db, &c, e->err, sizeof(e->err)), 0);

	/* duplicates and bad labels */
	uuid_generate(c.uuid);
	assert_int_equal(ms_pool_add(e->db, &c, e->err, sizeof(e->err)), -DER_EXIST);
	assert_string_equal(e->err, "pool label zeta is already in use");
	snprintf(c.label, sizeof(c.label), "other");
	uuid_copy(c.uuid, a.uuid);
	assert_int_equal(ms_pool_add(e->db, &c, e->err, sizeof(e->err)), -DER_EXIST);
	assert_non_null(strstr(e->err, "already exists"));
	uuid_generate(c.uuid);
	snprintf(c.label, sizeof(c.label), "bad label");
	assert_int_equal(ms_pool_add(e->db, &c, e->err, sizeof(e->err)), -DER_INVAL);
	assert_non_null(strstr(e->err, "invalid pool label \"bad label\""));
	uuid_unparse(c.uuid, c.label);
	assert_int_equal(ms_pool_add(e->db, &c, e->err, sizeof(e->err)), -DER_INVAL);
	snprintf(c.label, sizeof(c.label), "fine");
	c.nr_tiers = 3;
	assert_int_equal(ms_pool_add(e->db, &c, e->err, sizeof(e->err)), -DER_INVAL);

	/* sorted by label */
	list = ms_pool_list(e->db, &nr);
	assert_int_equal(nr, 3);
	assert_string_equal(list[0].label, "alpha");
	assert_string_equal(list[1].label, "tank");
	assert_string_equal(list[2].label, "zeta");

	/* lookup by label or uuid */
	assert_int_equal(ms_pool_lookup(e->db, "tank", &p), 0);
	assert_int_equal(uuid_compare(p->uuid, a.uuid), 0);
	assert_int_equal(p->state, MS_POOL_CREATING);
	assert_int_equal(p->svc_ranks->rl_nr, 3);
	assert_ptr_not_equal(p->svc_ranks, svc);
	assert_int_equal(p->tgt_ranks->rl_nr, 0);
	assert_true(p->created > 0);
	uuid_unparse(b.uuid, us);
	assert_int_equal(ms_pool_lookup(e->db, us, &p), 0);
	assert_string_equal(p->label, "alpha");
	assert_int_equal(ms_pool_lookup(e->db, "nope", &p), -DER_NONEXIST);

	/* state and service ranks */
	assert_int_equal(ms_pool_set_state(e->db, a.uuid, MS_POOL_READY), 0);
	assert_int_equal(ms_pool_lookup(e->db, "tank", &p), 0);
	assert_int_equal(p->state, MS_POOL_READY);
	assert_int_equal(ms_pool_set_state(e->db, c.uuid, MS_POOL_READY), -DER_NONEXIST);
	d_rank_list_resize(svc, 1);
	assert_int_equal(ms_pool_set_svc_ranks(e->db, a.uuid, svc), 0);
	assert_int_equal(ms_pool_lookup(e->db, "tank", &p), 0);
	assert_int_equal(p->svc_ranks->rl_nr, 1);

	/* remove */
	assert_int_equal(ms_pool_remove(e->db, a.uuid), 0);
	assert_int_equal(ms_pool_remove(e->db, a.uuid), -DER_NONEXIST);
	assert_int_equal(ms_pool_lookup(e->db, "tank", &p), -DER_NONEXIST);
	list = ms_pool_list(e->db, &nr);
	assert_int_equal(nr, 2);
	assert_string_equal(list[1].label, "zeta");
	/* the label is free again */
	uuid_generate(a.uuid);
	assert_int_equal(ms_pool_add(e->db, &a, e->err, sizeof(e->err)), 0);

	assert_string_equal(ms_pool_state_name(MS_POOL_DESTROYING), "Destroying");
	assert_string_equal(ms_pool_state_name((enum ms_pool_state)9), "Unknown");
	d_rank_list_free(svc);
	ms_close(e->db);
	e->db = NULL;
	TEST_ALLOC_CHECK();
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
}

/* --- properties and attributes --- */

static void
props_and_attrs(void **state)
{
	struct env *e = *state;
	const char *k;
	const char *v;
	char *s;

	assert_int_equal(ms_prop_get(e->db, "self_heal", &s), 0);
	assert_string_equal(s, "exclude;pool_exclude;pool_rebuild");
	d_free(s);
	assert_int_equal(ms_prop_get(e->db, "daos_system", &s), 0);
	assert_string_equal(s, "daos_server");
	d_free(s);
	assert_int_equal(ms_prop_get(e->db, "daos_version", &s), 0);
	assert_true(strlen(s) > 0);
	d_free(s);
	assert_int_equal(ms_prop_get(e->db, "nope", &s), -DER_INVAL);

	assert_int_equal(
		ms_prop_set(e->db, "self_heal", "pool_rebuild;exclude", e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_self_heal(e->db), MS_SELF_HEAL_EXCLUDE | MS_SELF_HEAL_POOL_REBUILD);
	assert_int_equal(ms_prop_get(e->db, "self_heal", &s), 0);
	assert_string_equal(s, "exclude;pool_rebuild");
	d_free(s);
	assert_int_equal(ms_prop_set(e->db, "self_heal", "none", NULL, 0), 0);
	assert_int_equal(ms_self_heal(e->db), 0);
	assert_int_equal(ms_prop_set(e->db, "self_heal", "exclude;bogus", e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_non_null(strstr(e->err, "invalid self_heal value"));
	assert_int_equal(ms_self_heal(e->db), 0);
	assert_int_equal(ms_prop_set(e->db, "pool_scrub_mode", "timed", NULL, 0), 0);
	assert_int_equal(ms_prop_set(e->db, "pool_scrub_mode", "often", NULL, 0), -DER_INVAL);
	assert_int_equal(ms_prop_set(e->db, "pool_scrub_thresh", "12", NULL, 0), 0);
	assert_int_equal(ms_prop_set(e->db, "pool_scrub_thresh", "-1", NULL, 0), -DER_INVAL);
	assert_int_equal(ms_prop_set(e->db, "pool_scrub_thresh", "99999999999999999999", NULL, 0),
			 -DER_INVAL);
	assert_int_equal(ms_prop_get(e->db, "pool_scrub_thresh", &s), 0);
	assert_string_equal(s, "12");
	d_free(s);
	assert_int_equal(ms_prop_set(e->db, "daos_system", "x", e->err, sizeof(e->err)),
			 -DER_NO_PERM);
	assert_string_equal(e->err, "system property daos_system is read-only");
	assert_int_equal(ms_prop_set(e->db, "color", "x", NULL, 0), -DER_INVAL);

	assert_int_equal(ms_attr_set(e->db, "b", "2", NULL, 0), 0);
	assert_int_equal(ms_attr_set(e->db, "a", "1", NULL, 0), 0);
	assert_int_equal(ms_attr_set(e->db, "b", "two", NULL, 0), 0);
	assert_int_equal(ms_attr_set(e->db, "", "x", NULL, 0), -DER_INVAL);
	assert_int_equal(ms_attr_set(e->db, "c", "line\nbreak", NULL, 0), -DER_INVAL);
	assert_string_equal(ms_attr_get(e->db, "b"), "two");
	assert_null(ms_attr_get(e->db, "z"));
	assert_int_equal(ms_attr_count(e->db), 2);
	ms_attr_at(e->db, 0, &k, &v);
	assert_string_equal(k, "a");
	assert_string_equal(v, "1");
	assert_int_equal(ms_attr_del(e->db, "a"), 0);
	assert_int_equal(ms_attr_del(e->db, "a"), -DER_NONEXIST);
	assert_int_equal(ms_attr_count(e->db), 1);

	/* all of it survives a reopen */
	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_self_heal(e->db), 0);
	assert_int_equal(ms_prop_get(e->db, "pool_scrub_mode", &s), 0);
	assert_string_equal(s, "timed");
	d_free(s);
	assert_string_equal(ms_attr_get(e->db, "b"), "two");
}

/* --- persistence --- */

static void
round_trip(void **state)
{
	struct env *e = *state;
	struct ms_pool p;
	char *before;
	char *after;
	size_t l1;
	size_t l2;
	int i;

	for (i = 0; i < 5; i++)
		add_member(e, i + 1, i < 3 ? "node1" : "node2");
	assert_int_equal(ms_member_set_state(e->db, 4, MS_MEMBER_ERRORED,
					     "DAOS engine 1 exited unexpectedly: signal: killed",
					     NULL, 0),
			 0);
	assert_int_equal(ms_member_exclude(e->db, 2, NULL, 0), 0);
	pool_init(&p, "tank");
	assert_int_equal(ms_pool_add(e->db, &p, NULL, 0), 0);
	assert_int_equal(ms_attr_set(e->db, "owner", "ops team", NULL, 0), 0);
	assert_int_equal(ms_db_encode(e->db, &before, &l1), 0);

	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_db_encode(e->db, &after, &l2), 0);
	assert_string_equal(before, after);
	assert_int_equal(ms_next_rank(e->db), 5);
	assert_int_equal(ms_map_version(e->db), 7);
	assert_int_equal(ms_member_get(e->db, 4)->state, MS_MEMBER_ERRORED);
	assert_string_equal(ms_member_get(e->db, 4)->info,
			    "DAOS engine 1 exited unexpectedly: signal: killed");
	d_free(before);
	d_free(after);
	/* NextRank survives: the next engine gets 5 */
	add_member(e, 9, "node3");
	assert_non_null(ms_member_get(e->db, 5));

	/* another system's db is refused */
	ms_close(e->db);
	e->db = NULL;
	assert_int_equal(ms_open(e->dir, "other", &e->db, e->err, sizeof(e->err)), -DER_INVAL);
	assert_non_null(strstr(e->err, "belongs to system \"daos_server\", not \"other\""));
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
}

static void
leftover_tmp_is_ignored(void **state)
{
	struct env *e = *state;
	char *tmp = NULL;

	add_member(e, 1, "node1");
	ms_close(e->db);
	e->db = NULL;
	assert_true(d_asprintf(&tmp, "%s.tmp", e->path) > 0);
	write_file(tmp, "{\"version\": 1, \"system\": \"daos_ser");
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	assert_non_null(ms_member_get(e->db, 0));
	assert_int_equal(access(tmp, F_OK), -1);
	d_free(tmp);
}

static void
open_errors(void **state)
{
	struct env *e = *state;
	struct ms_db *db = NULL;
	char *sub = NULL;
	char *inner = NULL;

	assert_int_equal(ms_open("/nonexistent/ms", "daos_server", &db, e->err, sizeof(e->err)),
			 -DER_NONEXIST);
	assert_null(db);
	assert_int_equal(ms_open(e->path, "daos_server", &db, e->err, sizeof(e->err)), -DER_NOTDIR);
	assert_int_equal(ms_open(e->dir, "", &db, e->err, sizeof(e->err)), -DER_INVAL);
	/* the file is a directory */
	assert_true(d_asprintf(&sub, "%s/sub", e->dir) > 0);
	assert_true(d_asprintf(&inner, "%s/%s", sub, MS_DB_FILE) > 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(inner, 0700), 0);
	assert_int_equal(ms_open(sub, "daos_server", &db, e->err, sizeof(e->err)), -DER_INVAL);
	assert_non_null(strstr(e->err, "could not read"));
	assert_null(db);
	rmdir(inner);
	rmdir(sub);
	d_free(inner);
	d_free(sub);
}

/* A save that fails leaves the db as it was. */
static void
failed_save_is_undone(void **state)
{
	struct env *e = *state;
	struct ms_join_req r = {
		.rank = CRT_NO_RANK, .addr = "n:1", .uri = "ofi+tcp://n:2", .fault_domain = "/n"
	};
	struct ms_join_resp resp;
	struct ms_pool p;
	uint32_t nr;

	add_member(e, 1, "node1");
	pool_init(&p, "tank");
	assert_int_equal(ms_pool_add(e->db, &p, NULL, 0), 0);
	assert_int_equal(ms_attr_set(e->db, "k", "v", NULL, 0), 0);
	/* Take the directory away. */
	assert_int_equal(unlink(e->path), 0);
	assert_int_equal(rmdir(e->dir), 0);

	r.uuid[0] = 0x42;
	assert_int_equal(ms_join(e->db, &r, &resp, e->err, sizeof(e->err)), -DER_NONEXIST);
	ms_member_list(e->db, &nr);
	assert_int_equal(nr, 1);
	assert_int_equal(ms_next_rank(e->db), 1);
	assert_int_equal(ms_map_version(e->db), 1);
	assert_string_equal(ms_provider(e->db), "ofi+tcp");
	assert_int_equal(ms_member_exclude(e->db, 0, NULL, 0), -DER_NONEXIST);
	assert_int_equal(ms_member_get(e->db, 0)->state, MS_MEMBER_JOINED);
	assert_int_equal(ms_map_version(e->db), 1);
	assert_int_equal(ms_pool_remove(e->db, p.uuid), -DER_NONEXIST);
	ms_pool_list(e->db, &nr);
	assert_int_equal(nr, 1);
	assert_int_equal(ms_pool_set_state(e->db, p.uuid, MS_POOL_DESTROYING), -DER_NONEXIST);
	assert_int_equal(ms_pool_list(e->db, &nr)->state, MS_POOL_READY);
	assert_int_equal(ms_attr_del(e->db, "k"), -DER_NONEXIST);
	assert_int_equal(ms_attr_set(e->db, "k", "w", NULL, 0), -DER_NONEXIST);
	assert_int_equal(ms_attr_set(e->db, "k2", "w", NULL, 0), -DER_NONEXIST);
	assert_string_equal(ms_attr_get(e->db, "k"), "v");
	assert_int_equal(ms_attr_count(e->db), 1);
	assert_int_equal(ms_prop_set(e->db, "self_heal", "none", NULL, 0), -DER_NONEXIST);
	assert_int_equal(ms_self_heal(e->db), MS_SELF_HEAL_DEFAULT);
	assert_int_equal(ms_member_set_state(e->db, 0, MS_MEMBER_STOPPED, NULL, NULL, 0),
			 -DER_NONEXIST);
	assert_int_equal(ms_member_get(e->db, 0)->state, MS_MEMBER_JOINED);
	/* Put the directory back for teardown. */
	assert_int_equal(mkdir(e->dir, 0700), 0);
}

/* --- damaged files --- */

#define GOOD_MEMBER(rank, uuidc, state)                                                         \
	"{\"rank\":" #rank ",\"uuid\":\"" uuidc "1111111-2222-3333-4444-555555555555\","        \
	"\"addr\":\"h:10001\",\"uri\":\"ofi+tcp://h:1\",\"nr_ctxs\":1,\"fault_domain\":\"/h\"," \
	"\"state\":\"" state "\",\"info\":\"\",\"incarnation\":5,\"engine_idx\":0,"             \
	"\"hostname\":\"h\",\"last_update\":0}"
#define DOC(version, members, pools)                                            \
	"{\"version\":" #version ",\"system\":\"daos_server\",\"next_rank\":9," \
	"\"map_version\":3,\"provider\":\"ofi+tcp\",\"members\":[" members "]," \
	"\"pools\":[" pools "],\"properties\":{\"self_heal\":\"exclude\","      \
	"\"pool_scrub_mode\":\"off\",\"pool_scrub_thresh\":0},\"attributes\":{\"a\":\"b\"}}"
#define POOL(label, uuidc)                                                                    \
	"{\"uuid\":\"" uuidc "aaaaaaa-2222-3333-4444-555555555555\",\"label\":\"" label "\"," \
	"\"state\":\"Ready\",\"svc_ranks\":[0],\"tgt_ranks\":[0,1],\"tier_bytes\":[1,2],"     \
	"\"created\":1}"

static void
damaged_files(void **state)
{
	static const struct {
		const char *doc;
		int rc;
		const char *msg;
	} tab[] = {
		{ DOC(1, GOOD_MEMBER(0, "a", "Joined") "," GOOD_MEMBER(3, "b", "Stopped"),
		      POOL("tank", "a")),
		  0, "" },
		{ "{\"version\":1,\"system\":\"daos_ser", -DER_INVAL, "daos_system.db: line 1" },
		{ "", -DER_INVAL, "daos_system.db: line" },
		{ "[1,2]", -DER_INVAL, "daos_system.db: expected a JSON object" },
		{ DOC(1,
		      GOOD_MEMBER(0, "a", "Joined") "," GOOD_MEMBER(
			      1, "b", "Joined") "," GOOD_MEMBER(3, "c",
								"Joined") "," GOOD_MEMBER(3, "d",
											  "Joined"),
		      ""),
		  -DER_INVAL, "daos_system.db: members[3].rank: duplicate rank 3" },
		{ DOC(1, GOOD_MEMBER(0, "a", "Joined") "," GOOD_MEMBER(1, "a", "Joined"), ""),
		  -DER_INVAL, "daos_system.db: members[1].uuid: duplicate uuid (also rank 0)" },
		{ DOC(1, GOOD_MEMBER(0, "a", "Sleeping"), ""), -DER_INVAL,
		  "daos_system.db: members[0].state: unknown member state \"Sleeping\"" },
		{ DOC(1, GOOD_MEMBER(0, "a", "Unknown"), ""), -DER_INVAL,
		  "members[0].state: unknown member state \"Unknown\"" },
		{ DOC(1, GOOD_MEMBER("0", "a", "Joined"), ""), -DER_INVAL,
		  "daos_system.db: members[0].rank: expected an integer" },
		{ DOC(1, GOOD_MEMBER(-1, "a", "Joined"), ""), -DER_INVAL,
		  "members[0].rank: -1 is out of range" },
		{ DOC(1, GOOD_MEMBER(9, "a", "Joined"), ""), -DER_INVAL,
		  "members[0].rank: rank 9 is not below next_rank 9" },
		{ DOC(1, GOOD_MEMBER(0, "x", "Joined"), ""), -DER_INVAL,
		  "members[0].uuid: not a UUID" },
		{ DOC(1, "{\"rank\":0,\"colour\":1}", ""), -DER_INVAL,
		  "members[0]: unknown field \"colour\"" },
		{ DOC(1, "{\"rank\":0}", ""), -DER_INVAL, "members[0]: missing field uuid" },
		{ DOC(1, "7", ""), -DER_INVAL, "members[0]: expected an object" },
		{ DOC(2, "", ""), -DER_DF_INCOMPT,
		  "daos_system.db: version: 2 is newer than this daos_server understands (1)" },
		{ DOC(0, "", ""), -DER_INVAL, "version: 0 is not a valid version" },
		{ DOC(1, "", POOL("tank", "a") "," POOL("tank", "b")), -DER_INVAL,
		  "daos_system.db: pools[1].label: duplicate label tank" },
		{ DOC(1, "", POOL("tank", "a") "," POOL("pond", "a")), -DER_INVAL,
		  "pools[1].uuid: duplicate uuid (also pool tank)" },
		{ DOC(1, "", POOL("bad label", "a")), -DER_INVAL,
		  "pools[0].label: invalid pool label" },
		{ "{\"version\":1,\"version\":1}", -DER_INVAL, "duplicate object key" },
		{ "{\"version\":1,\"system\":\"daos_server\"}", -DER_INVAL,
		  "daos_system.db: missing field next_rank" },
		{ "{\"version\":1,\"colour\":1}", -DER_INVAL,
		  "daos_system.db: unknown field \"colour\"" },
		{ "{\"version\":\"1\"}", -DER_INVAL,
		  "daos_system.db: version: expected an integer" },
		{ DOC(1, "", "") "garbage", -DER_INVAL, "daos_system.db: line 1" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		struct ms_db *db = NULL;
		char err[512] = "";
		int rc;
		TEST_ALLOC_MARK();

		rc = ms_db_decode(tab[i].doc, strlen(tab[i].doc), "daos_server", &db, err,
				  sizeof(err));
		if (rc != tab[i].rc || strstr(err, tab[i].msg) == NULL)
			fail_msg("case %zu: rc %d (want %d), message \"%s\" (want \"%s\")", i, rc,
				 tab[i].rc, err, tab[i].msg);
		if (rc == 0)
			assert_non_null(db);
		else
			assert_null(db);
		ms_close(db);
		TEST_ALLOC_CHECK();
	}
}

/* Through ms_open the message names the file by its path. */
static void
damaged_file_on_disk(void **state)
{
	struct env *e = *state;
	struct ms_db *db = NULL;

	ms_close(e->db);
	e->db = NULL;
	write_file(
		e->path,
		DOC(1,
		    GOOD_MEMBER(0, "a", "Joined") "," GOOD_MEMBER(1, "b", "Joined") "," GOOD_MEMBER(
			    3, "c", "Joined") "," GOOD_MEMBER(3, "d", "Joined"),
		    ""));
	assert_int_equal(ms_open(e->dir, "daos_server", &db, e->err, sizeof(e->err)), -DER_INVAL);
	assert_null(db);
	assert_non_null(strstr(e->err, e->path));
	assert_non_null(strstr(e->err, "daos_system.db: members[3].rank: duplicate rank 3"));
	/* The damaged file is left alone for the admin. */
	assert_int_equal(access(e->path, F_OK), 0);
	write_file(e->path, DOC(1, GOOD_MEMBER(0, "a", "Joined"), ""));
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
}

static void
open_alloc_failures(void **state)
{
	struct env *e = *state;
	struct ms_pool p;
	uint64_t k;
	int i;

	for (i = 0; i < 4; i++)
		add_member(e, i + 1, "node1");
	pool_init(&p, "tank");
	assert_int_equal(ms_pool_add(e->db, &p, NULL, 0), 0);
	assert_int_equal(ms_attr_set(e->db, "k", "v", NULL, 0), 0);
	ms_close(e->db);
	e->db = NULL;
	for (k = 1;; k++) {
		struct ms_db *db = NULL;
		int rc;
		TEST_ALLOC_MARK();

		d_alloc_fail_nth(k);
		rc = ms_open(e->dir, "daos_server", &db, e->err, sizeof(e->err));
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			e->db = db;
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		assert_null(db);
		TEST_ALLOC_CHECK();
	}
	assert_true(k > 5);
	/* pool add and attribute set under failures leave things as they were */
	pool_init(&p, "pond");
	for (k = 1;; k++) {
		uint32_t nr;
		int rc;

		d_alloc_fail_nth(k);
		rc = ms_pool_add(e->db, &p, NULL, 0);
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		ms_pool_list(e->db, &nr);
		assert_int_equal(nr, 1);
	}
	for (k = 1;; k++) {
		int rc;

		d_alloc_fail_nth(k);
		rc = ms_attr_set(e->db, "new", "value", NULL, 0);
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		assert_null(ms_attr_get(e->db, "new"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_rules),
		cmocka_unit_test_setup_teardown(pool_add_lookup_remove, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(props_and_attrs, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(round_trip, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(leftover_tmp_is_ignored, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(open_errors, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(failed_save_is_undone, setup, ms_test_teardown),
		cmocka_unit_test(damaged_files),
		cmocka_unit_test_setup_teardown(damaged_file_on_disk, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(open_alloc_failures, setup, ms_test_teardown),
	};

	return cmocka_run_group_tests_name("ms_db", tests, NULL, NULL);
}
