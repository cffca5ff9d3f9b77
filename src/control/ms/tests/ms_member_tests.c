/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_member_tests.c - membership of the MS db: state names and the transition table,
 * rank assignment over joins and rejoins, every refusal, the group map and its
 * versions, queries, exclude / clear-exclude / erase, and allocation failures.
 * Each test opens a db in a fresh temporary directory, so every change is saved.
 */
#include <stdio.h>
#include <unistd.h>

#include "control/ms/tests/ms_test.h"

static int
setup(void **state)
{
	return ms_test_setup(state, "ms_member");
}

/* A join request of engine @idx on host @host; uuid derived from @seed. */
static struct ms_join_req
req_of(int seed, const char *host, uint32_t idx)
{
	static char addrs[16][64];
	static char uris[16][64];
	static char fds[16][64];
	static int slot;
	struct ms_join_req r = { 0 };
	int s = slot++ % 16;

	r.rank = CRT_NO_RANK;
	memset(r.uuid, 0, sizeof(r.uuid));
	r.uuid[0] = 0x10;
	r.uuid[15] = (unsigned char)seed;
	r.uuid[14] = (unsigned char)(seed >> 8);
	snprintf(addrs[s], sizeof(addrs[s]), "%s:10001", host);
	snprintf(uris[s], sizeof(uris[s]), "ofi+tcp://%s:%u", host, 31416 + idx * 100);
	snprintf(fds[s], sizeof(fds[s]), "/%s", host);
	r.addr = addrs[s];
	r.uri = uris[s];
	r.fault_domain = fds[s];
	r.nr_ctxs = 4;
	r.engine_idx = idx;
	return r;
}

static d_rank_t
join_ok(struct env *e, struct ms_join_req *r)
{
	struct ms_join_resp resp;
	int rc;

	rc = ms_join(e->db, r, &resp, e->err, sizeof(e->err));
	if (rc != 0)
		fail_msg("join failed: %d: %s", rc, e->err);
	return resp.rank;
}

/* Join and expect a refusal with @rc and @msg in the message; nothing changes. */
static void
join_refused(struct env *e, struct ms_join_req *r, int rc, const char *msg)
{
	struct ms_join_resp resp = { .rank = 77 };
	uint32_t ver = ms_map_version(e->db);
	d_rank_t next = ms_next_rank(e->db);
	uint32_t nr;
	uint32_t nr2;

	ms_member_list(e->db, &nr);
	e->err[0] = '\0';
	assert_int_equal(ms_join(e->db, r, &resp, e->err, sizeof(e->err)), rc);
	if (strstr(e->err, msg) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", msg, e->err);
	assert_int_equal(resp.rank, 77);
	assert_int_equal(ms_map_version(e->db), ver);
	assert_int_equal(ms_next_rank(e->db), next);
	ms_member_list(e->db, &nr2);
	assert_int_equal(nr, nr2);
}

/* --- states --- */

static void
state_names_round_trip(void **state)
{
	static const struct {
		enum ms_member_state st;
		unsigned int bit;
		const char *name;
	} tab[] = {
		{ MS_MEMBER_AWAIT_FORMAT, 0x1, "AwaitFormat" },
		{ MS_MEMBER_STARTING, 0x2, "Starting" },
		{ MS_MEMBER_READY, 0x4, "Ready" },
		{ MS_MEMBER_JOINED, 0x8, "Joined" },
		{ MS_MEMBER_STOPPING, 0x10, "Stopping" },
		{ MS_MEMBER_STOPPED, 0x20, "Stopped" },
		{ MS_MEMBER_EXCLUDED, 0x40, "Excluded" },
		{ MS_MEMBER_ERRORED, 0x80, "Errored" },
		{ MS_MEMBER_UNRESPONSIVE, 0x100, "Unresponsive" },
		{ MS_MEMBER_ADMIN_EXCLUDED, 0x200, "AdminExcluded" },
		{ MS_MEMBER_CHECKER_STARTED, 0x400, "CheckerStarted" },
	};
	enum ms_member_state st;
	uint32_t mask;
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		assert_int_equal(tab[i].st, tab[i].bit);
		assert_string_equal(ms_member_state_name(tab[i].st), tab[i].name);
		assert_int_equal(ms_member_state_parse(tab[i].name, &st), 0);
		assert_int_equal(st, tab[i].st);
	}
	assert_string_equal(ms_member_state_name(MS_MEMBER_UNKNOWN), "Unknown");
	assert_string_equal(ms_member_state_name((enum ms_member_state)0x3), "Unknown");
	assert_int_equal(ms_member_state_parse("joined", &st), 0);
	assert_int_equal(st, MS_MEMBER_JOINED);
	assert_int_equal(ms_member_state_parse("Unknown", &st), -DER_INVAL);
	assert_int_equal(ms_member_state_parse("Bogus", &st), -DER_INVAL);

	assert_int_equal(
		ms_member_states_parse("Joined, excluded,AdminExcluded", &mask, err, sizeof(err)),
		0);
	assert_int_equal(mask, 0x8 | 0x40 | 0x200);
	assert_int_equal(ms_member_states_parse("Joined,Bogus", &mask, err, sizeof(err)),
			 -DER_INVAL);
	assert_non_null(strstr(err, "\"Bogus\""));
	assert_int_equal(ms_member_states_parse("Joined,,Ready", &mask, err, sizeof(err)),
			 -DER_INVAL);
	assert_int_equal(ms_member_states_parse("", &mask, err, sizeof(err)), -DER_INVAL);
}

/* Columns and rows in this order; 1 = illegal (reference §1.5). */
static const enum ms_member_state all_states[] = {
	MS_MEMBER_UNKNOWN,      MS_MEMBER_AWAIT_FORMAT,   MS_MEMBER_STARTING,
	MS_MEMBER_READY,        MS_MEMBER_JOINED,         MS_MEMBER_STOPPING,
	MS_MEMBER_STOPPED,      MS_MEMBER_EXCLUDED,       MS_MEMBER_ERRORED,
	MS_MEMBER_UNRESPONSIVE, MS_MEMBER_ADMIN_EXCLUDED, MS_MEMBER_CHECKER_STARTED,
};

static const char illegal[12][12] = {
	/*             Unk Awt Sta Rdy Joi Sto Std Exc Err Unr Adm Chk */
	/* Unknown  */ { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
	/* AwaitFmt */ { 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 },
	/* Starting */ { 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 },
	/* Ready    */ { 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 },
	/* Joined   */ { 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* Stopping */ { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* Stopped  */ { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* Excluded */ { 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0 },
	/* Errored  */ { 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0 },
	/* Unresp.  */ { 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0 },
	/* AdminExc */ { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1 },
	/* Checker  */ { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
};

static void
transition_table(void **state)
{
	size_t i;
	size_t j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(all_states); i++)
		for (j = 0; j < ARRAY_SIZE(all_states); j++)
			if (ms_member_transition_is_illegal(all_states[i], all_states[j]) !=
			    (bool)illegal[i][j])
				fail_msg("%s -> %s: expected %s",
					 ms_member_state_name(all_states[i]),
					 ms_member_state_name(all_states[j]),
					 illegal[i][j] ? "illegal" : "legal");
}

/* A one-member db whose member is in @st (no directory: nothing saved). */
static struct ms_db *
db_with_state(enum ms_member_state st)
{
	static const char fmt[] =
		"{\"version\":1,\"system\":\"daos_server\",\"next_rank\":1,\"map_version\":1,"
		"\"provider\":\"ofi+tcp\",\"members\":[{\"rank\":0,"
		"\"uuid\":\"11111111-2222-3333-4444-555555555555\",\"addr\":\"h:10001\","
		"\"uri\":\"ofi+tcp://h:1\",\"nr_ctxs\":1,\"fault_domain\":\"/h\",\"state\":\"%s\","
		"\"info\":\"\",\"incarnation\":5,\"engine_idx\":0,\"hostname\":\"h\","
		"\"last_update\":0}],\"pools\":[],\"properties\":{\"self_heal\":\"exclude\","
		"\"pool_scrub_mode\":\"off\",\"pool_scrub_thresh\":0},\"attributes\":{}}";
	struct ms_db *db = NULL;
	char buf[1024];
	char err[256];
	int n;

	n = snprintf(buf, sizeof(buf), fmt, ms_member_state_name(st));
	if (ms_db_decode(buf, (size_t)n, "daos_server", &db, err, sizeof(err)) != 0)
		fail_msg("decode: %s", err);
	return db;
}

/* The db enforces the same table, with its own error. */
static void
set_state_follows_table(void **state)
{
	size_t i;
	size_t j;

	(void)state;
	for (i = 1; i < ARRAY_SIZE(all_states); i++) {
		for (j = 0; j < ARRAY_SIZE(all_states); j++) {
			struct ms_db *db = db_with_state(all_states[i]);
			char err[256] = "";
			int want = illegal[i][j] ? -DER_NO_PERM : 0;
			int rc;

			if (all_states[j] == MS_MEMBER_UNKNOWN)
				want = -DER_INVAL;
			rc = ms_member_set_state(db, 0, all_states[j], "why", err, sizeof(err));
			if (rc != want)
				fail_msg("%s -> %s: rc %d, want %d (%s)",
					 ms_member_state_name(all_states[i]),
					 ms_member_state_name(all_states[j]), rc, want, err);
			if (want == -DER_NO_PERM) {
				assert_non_null(
					strstr(err, "illegal member state update for rank 0"));
				assert_int_equal(ms_member_get(db, 0)->state, all_states[i]);
			} else if (want == 0) {
				assert_int_equal(ms_member_get(db, 0)->state, all_states[j]);
				assert_string_equal(ms_member_get(db, 0)->info, "why");
			}
			ms_close(db);
		}
	}
}

/* --- joins --- */

static void
ranks_follow_join_order(void **state)
{
	struct env *e = *state;
	struct ms_join_req a = req_of(1, "node1", 0);
	struct ms_join_req b = req_of(2, "node1", 1);
	struct ms_join_req c = req_of(3, "node2", 0);
	struct ms_join_resp resp;
	const struct ms_member *m;

	assert_int_equal(ms_next_rank(e->db), 0);
	assert_int_equal(ms_map_version(e->db), 0);
	assert_int_equal(ms_join(e->db, &a, &resp, e->err, sizeof(e->err)), 0);
	assert_int_equal(resp.rank, 0);
	assert_true(resp.is_new);
	assert_int_equal(resp.map_version, 1);
	assert_int_equal(resp.incarnation, 1);
	assert_string_equal(ms_provider(e->db), "ofi+tcp");
	assert_int_equal(join_ok(e, &b), 1);
	assert_int_equal(join_ok(e, &c), 2);
	assert_int_equal(ms_map_version(e->db), 3);
	assert_int_equal(ms_next_rank(e->db), 3);

	m = ms_member_get(e->db, 1);
	assert_non_null(m);
	assert_int_equal(m->state, MS_MEMBER_JOINED);
	assert_string_equal(m->addr, "node1:10001");
	assert_string_equal(m->hostname, "node1");
	assert_string_equal(m->fault_domain, "/node1");
	assert_int_equal(m->engine_idx, 1);
	assert_int_equal(m->nr_ctxs, 4);
	assert_ptr_equal(ms_member_find_uuid(e->db, b.uuid), m);

	/* Rejoin with the superblock's rank: same rank, new incarnation, map changes. */
	b.rank = 1;
	assert_int_equal(ms_join(e->db, &b, &resp, e->err, sizeof(e->err)), 0);
	assert_int_equal(resp.rank, 1);
	assert_false(resp.is_new);
	assert_int_equal(resp.incarnation, 2);
	assert_int_equal(resp.map_version, 4);

	/* A retried join of the same incarnation changes nothing in the map. */
	b.incarnation = 2;
	assert_int_equal(ms_join(e->db, &b, &resp, e->err, sizeof(e->err)), 0);
	assert_int_equal(resp.map_version, 4);

	/* A stopped rank rejoins with its rank; a new engine gets 3, never a freed rank. */
	assert_int_equal(ms_member_set_state(e->db, 0, MS_MEMBER_STOPPED, NULL, NULL, 0), 0);
	a.rank = 0;
	assert_int_equal(join_ok(e, &a), 0);
	{
		struct ms_join_req d = req_of(4, "node2", 1);

		assert_int_equal(join_ok(e, &d), 3);
	}
	/* A known uuid without a rank (superblock lost it) rejoins as its rank. */
	c.incarnation = 9;
	assert_int_equal(join_ok(e, &c), 2);
	assert_int_equal(ms_member_get(e->db, 2)->incarnation, 9);
	assert_int_equal(ms_next_rank(e->db), 4);
}

static void
join_refusals(void **state)
{
	struct env *e = *state;
	struct ms_join_req a = req_of(1, "node1", 0);
	struct ms_join_req b = req_of(2, "node2", 0);
	struct ms_join_req r;

	join_ok(e, &a);
	join_ok(e, &b);

	/* rank/uuid mismatch, both ways */
	r = req_of(9, "node2", 0);
	r.rank = 1;
	join_refused(e, &r, -DER_INVAL, "does not match rank 1");
	r = b;
	r.rank = 0;
	join_refused(e, &r, -DER_INVAL, "does not match rank 0");
	r = b;
	r.rank = 5;
	join_refused(e, &r, -DER_INVAL, "rank 5 does not match uuid");
	/* a rank the system never gave */
	r = req_of(10, "node3", 0);
	r.rank = 5;
	join_refused(e, &r, -DER_NONEXIST, "rank 5 is not a member of system daos_server");

	/* control address changed */
	r = b;
	r.rank = 1;
	r.addr = "node7:10001";
	join_refused(e, &r, -DER_INVAL,
		     "rank 1: control addr changed from node2:10001 to node7:10001");

	/* fault domain depth, for new and old members */
	r = req_of(11, "node3", 0);
	r.fault_domain = "/rack1/node3";
	join_refused(e, &r, -DER_INVAL, "has 2 levels, but the system's members have 1");
	r = b;
	r.rank = 1;
	r.fault_domain = "/";
	join_refused(e, &r, -DER_INVAL, "has 0 levels");

	/* provider */
	r = req_of(12, "node3", 0);
	r.uri = "ofi+verbs;ofi_rxm://10.0.0.3:31416";
	join_refused(e, &r, -DER_INVAL,
		     "engine provider ofi+verbs;ofi_rxm differs from the system provider ofi+tcp");
	r = req_of(12, "node3", 0);
	r.provider = "ofi+sockets";
	join_refused(e, &r, -DER_INVAL, "differs from the system provider");

	/* stale incarnation */
	r = b;
	r.rank = 1;
	r.incarnation = 10;
	join_ok(e, &r);
	r.incarnation = 9;
	join_refused(e, &r, -DER_STALE, "stale join");

	/* AdminExcluded */
	assert_int_equal(ms_member_exclude(e->db, 1, e->err, sizeof(e->err)), 0);
	r.incarnation = 11;
	join_refused(e, &r, -DER_EXCLUDED, "rank 1 is administratively excluded");

	/* malformed requests */
	r = req_of(13, "node3", 0);
	memset(r.uuid, 0, sizeof(r.uuid));
	join_refused(e, &r, -DER_INVAL, "without an engine uuid");
	r = req_of(13, "node3", 0);
	r.addr = "";
	join_refused(e, &r, -DER_INVAL, "control address");
	r = req_of(13, "node3", 0);
	r.uri = "10.0.0.1:1";
	join_refused(e, &r, -DER_INVAL, "does not name a provider");
	r = req_of(13, "node3", 0);
	r.fault_domain = "node3";
	join_refused(e, &r, -DER_INVAL, "fault domain");
	r = req_of(13, "node3", 0);
	r.uri = "ofi+tcp://bad\nuri";
	join_refused(e, &r, -DER_INVAL, "fabric URI");
}

static void
join_replace(void **state)
{
	struct env *e = *state;
	struct ms_join_req a = req_of(1, "node1", 0);
	struct ms_join_req b = req_of(2, "node2", 0);
	struct ms_join_req n;
	struct ms_join_resp resp;

	join_ok(e, &a);
	join_ok(e, &b);
	/* Replacing a Joined rank is refused. */
	n = req_of(20, "node2", 0);
	n.rank = 1;
	n.replace = true;
	join_refused(e, &n, -DER_BUSY, "rank 1 is Joined: only an Excluded rank can be replaced");
	/* Without --replace a new uuid is a mismatch. */
	assert_int_equal(ms_member_swim_dead(e->db, 1, 0, e->err, sizeof(e->err)), 0);
	n.replace = false;
	join_refused(e, &n, -DER_INVAL, "does not match rank 1");
	/* With it the new hardware takes the rank over. */
	n.replace = true;
	assert_int_equal(ms_join(e->db, &n, &resp, e->err, sizeof(e->err)), 0);
	assert_int_equal(resp.rank, 1);
	assert_false(resp.is_new);
	assert_null(ms_member_find_uuid(e->db, b.uuid));
	assert_int_equal(ms_member_find_uuid(e->db, n.uuid)->rank, 1);
	assert_int_equal(ms_next_rank(e->db), 2);

	/* Without a rank: the Excluded member of the same address and engine index. */
	assert_int_equal(ms_member_swim_dead(e->db, 0, 0, e->err, sizeof(e->err)), 0);
	n = req_of(21, "node1", 0);
	n.replace = true;
	assert_int_equal(ms_join(e->db, &n, &resp, e->err, sizeof(e->err)), 0);
	assert_int_equal(resp.rank, 0);
	/* Nothing to replace there. */
	n = req_of(22, "node9", 0);
	n.replace = true;
	join_refused(e, &n, -DER_NONEXIST,
		     "no excluded rank to replace for engine 0 at node9:10001");
	/* AdminExcluded cannot be replaced. */
	assert_int_equal(ms_member_exclude(e->db, 1, NULL, 0), 0);
	n = req_of(23, "node2", 0);
	n.replace = true;
	join_refused(e, &n, -DER_EXCLUDED, "administratively excluded");
	n.rank = 1;
	join_refused(e, &n, -DER_EXCLUDED, "administratively excluded");
}

/* Errored, Unresponsive and Excluded members come back by joining. */
static void
join_brings_back(void **state)
{
	struct env *e = *state;
	struct ms_join_req a = req_of(1, "node1", 0);
	static const enum ms_member_state from[] = {
		MS_MEMBER_ERRORED,
		MS_MEMBER_UNRESPONSIVE,
		MS_MEMBER_EXCLUDED,
		MS_MEMBER_STOPPED,
	};
	size_t i;

	join_ok(e, &a);
	a.rank = 0;
	for (i = 0; i < ARRAY_SIZE(from); i++) {
		assert_int_equal(
			ms_member_set_state(e->db, 0, from[i], "gone", e->err, sizeof(e->err)), 0);
		assert_int_equal(join_ok(e, &a), 0);
		assert_int_equal(ms_member_get(e->db, 0)->state, MS_MEMBER_JOINED);
		assert_string_equal(ms_member_get(e->db, 0)->info, "");
	}
}

/* --- group map --- */

static void
group_map_versions(void **state)
{
	struct env *e = *state;
	struct ms_join_req a = req_of(1, "node1", 0);
	struct ms_join_req b = req_of(2, "node2", 0);
	struct ms_map_entry *map;
	uint32_t nr;
	uint32_t ver;

	assert_int_equal(ms_group_map(e->db, &map, &nr, &ver), 0);
	assert_null(map);
	assert_int_equal(nr, 0);
	assert_int_equal(ver, 0);
	join_ok(e, &a);
	join_ok(e, &b);
	/* From here the member array has its room: no allocation may stay behind. */
	TEST_ALLOC_MARK();
	assert_int_equal(ms_group_map(e->db, &map, &nr, &ver), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(ver, 2);
	assert_int_equal(map[1].rank, 1);
	assert_string_equal(map[1].uri, "ofi+tcp://node2:31416");
	assert_int_equal(map[1].incarnation, 1);
	assert_int_equal(map[1].nr_ctxs, 4);
	d_free(map);

	/* Leaving the map: Errored (engine exit) */
	assert_int_equal(ms_member_set_state(e->db, 1, MS_MEMBER_ERRORED,
					     "DAOS engine 1 exited unexpectedly: signal: killed",
					     e->err, sizeof(e->err)),
			 0);
	assert_string_equal(ms_member_get(e->db, 1)->info,
			    "DAOS engine 1 exited unexpectedly: signal: killed");
	assert_int_equal(ms_map_version(e->db), 3);
	assert_int_equal(ms_group_map(e->db, &map, &nr, NULL), 0);
	assert_int_equal(nr, 1);
	assert_int_equal(map[0].rank, 0);
	d_free(map);
	/* A change outside the map does not bump it; an exclusion always does. */
	assert_int_equal(ms_member_set_state(e->db, 1, MS_MEMBER_STOPPED, NULL, NULL, 0), 0);
	assert_int_equal(ms_map_version(e->db), 3);
	assert_int_equal(ms_member_exclude(e->db, 1, NULL, 0), 0);
	assert_int_equal(ms_map_version(e->db), 4);
	assert_int_equal(ms_member_exclude(e->db, 1, NULL, 0), 0); /* already: no-op */
	assert_int_equal(ms_map_version(e->db), 4);
	assert_int_equal(ms_member_clear_exclude(e->db, 1, NULL, 0), 0);
	assert_int_equal(ms_map_version(e->db), 4);
	/* URI change on rejoin */
	b.rank = 1;
	b.uri = "ofi+tcp://node2:40000";
	join_ok(e, &b);
	assert_int_equal(ms_map_version(e->db), 5);
	assert_int_equal(ms_group_map(e->db, &map, &nr, &ver), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(map[1].uri, "ofi+tcp://node2:40000");
	d_free(map);
	/* Excluding a Joined rank */
	assert_int_equal(ms_member_exclude(e->db, 0, NULL, 0), 0);
	assert_int_equal(ms_map_version(e->db), 6);
	TEST_ALLOC_CHECK();
}

/* --- queries --- */

static void
query_filters(void **state)
{
	struct env *e = *state;
	struct ms_query_result res;
	struct ms_filter f;
	int i;

	for (i = 0; i < 4; i++) {
		struct ms_join_req r = req_of(i + 1, i < 2 ? "node1" : "node2", (uint32_t)(i % 2));

		join_ok(e, &r);
	}
	assert_int_equal(ms_member_set_state(e->db, 2, MS_MEMBER_STOPPED, NULL, NULL, 0), 0);
	assert_int_equal(ms_member_exclude(e->db, 3, NULL, 0), 0);
	TEST_ALLOC_MARK();

	assert_int_equal(ms_query(e->db, NULL, &res, e->err, sizeof(e->err)), 0);
	assert_int_equal(res.nr_members, 4);
	assert_null(res.absent_ranks);
	ms_query_result_fini(&res);

	memset(&f, 0, sizeof(f));
	f.ranks = "0-1,3,7-8";
	assert_int_equal(ms_query(e->db, &f, &res, e->err, sizeof(e->err)), 0);
	assert_int_equal(res.nr_members, 3);
	assert_int_equal(res.members[2].rank, 3);
	assert_string_equal(res.absent_ranks, "[7-8]");
	assert_null(res.absent_hosts);
	ms_query_result_fini(&res);

	memset(&f, 0, sizeof(f));
	f.hosts = "node2,node9";
	assert_int_equal(ms_query(e->db, &f, &res, e->err, sizeof(e->err)), 0);
	assert_int_equal(res.nr_members, 2);
	assert_int_equal(res.members[0].rank, 2);
	assert_string_equal(res.absent_hosts, "node9");
	ms_query_result_fini(&res);

	memset(&f, 0, sizeof(f));
	f.not_ok = true;
	assert_int_equal(ms_query(e->db, &f, &res, e->err, sizeof(e->err)), 0);
	assert_int_equal(res.nr_members, 2);
	assert_int_equal(res.members[0].state, MS_MEMBER_STOPPED);
	assert_int_equal(res.members[1].state, MS_MEMBER_ADMIN_EXCLUDED);
	ms_query_result_fini(&res);

	memset(&f, 0, sizeof(f));
	f.with_states = "Joined,AdminExcluded";
	f.ranks = "1-3";
	assert_int_equal(ms_query(e->db, &f, &res, e->err, sizeof(e->err)), 0);
	assert_int_equal(res.nr_members, 2);
	assert_int_equal(res.members[0].rank, 1);
	assert_int_equal(res.members[1].rank, 3);
	ms_query_result_fini(&res);

	/* Refusals leave *out alone. */
	memset(&res, 0, sizeof(res));
	f.with_states = "Joined,Nope";
	assert_int_equal(ms_query(e->db, &f, &res, e->err, sizeof(e->err)), -DER_INVAL);
	assert_non_null(strstr(e->err, "invalid member state \"Nope\""));
	assert_null(res.members);
	memset(&f, 0, sizeof(f));
	f.ranks = "3-1";
	assert_int_equal(ms_query(e->db, &f, &res, e->err, sizeof(e->err)), -DER_INVAL);
	assert_non_null(strstr(e->err, "invalid rank set"));
	f.hosts = "node1";
	f.ranks = "1";
	assert_int_equal(ms_query(e->db, &f, &res, e->err, sizeof(e->err)), -DER_INVAL);
	assert_non_null(strstr(e->err, "mutually exclusive"));
	TEST_ALLOC_CHECK();
}

/* --- system operations --- */

static void
exclude_clear_erase(void **state)
{
	struct env *e = *state;
	struct ms_join_req a = req_of(1, "node1", 0);
	struct ms_join_req b = req_of(2, "node2", 0);
	struct ms_pool p = { 0 };
	uint32_t nr;
	uint32_t ver;

	join_ok(e, &a);
	join_ok(e, &b);
	assert_int_equal(ms_member_exclude(e->db, 9, e->err, sizeof(e->err)), -DER_NONEXIST);
	assert_int_equal(ms_member_clear_exclude(e->db, 9, e->err, sizeof(e->err)), -DER_NONEXIST);
	/* clear-exclude of a rank that is not AdminExcluded does nothing */
	assert_int_equal(ms_member_clear_exclude(e->db, 0, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_member_get(e->db, 0)->state, MS_MEMBER_JOINED);

	assert_int_equal(ms_member_exclude(e->db, 1, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_member_get(e->db, 1)->state, MS_MEMBER_ADMIN_EXCLUDED);
	/* no state update leaves AdminExcluded */
	assert_int_equal(
		ms_member_set_state(e->db, 1, MS_MEMBER_STOPPED, NULL, e->err, sizeof(e->err)),
		-DER_NO_PERM);
	assert_non_null(strstr(e->err, "AdminExcluded -> Stopped"));
	assert_int_equal(ms_member_clear_exclude(e->db, 1, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_member_get(e->db, 1)->state, MS_MEMBER_EXCLUDED);

	/* SWIM: stale events ignored, Ready cannot be excluded */
	a.rank = 0;
	a.incarnation = 50;
	join_ok(e, &a);
	assert_int_equal(ms_member_swim_dead(e->db, 0, 49, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_member_get(e->db, 0)->state, MS_MEMBER_JOINED);
	assert_int_equal(ms_member_swim_dead(e->db, 0, 50, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_member_get(e->db, 0)->state, MS_MEMBER_EXCLUDED);
	join_ok(e, &a); /* same incarnation rejoins */
	assert_int_equal(ms_member_set_state(e->db, 0, MS_MEMBER_STOPPING, NULL, NULL, 0), 0);
	assert_int_equal(ms_member_set_state(e->db, 0, MS_MEMBER_READY, NULL, NULL, 0), 0);
	assert_int_equal(ms_member_swim_dead(e->db, 0, 0, e->err, sizeof(e->err)), -DER_NO_PERM);

	/* erase refuses while an engine runs */
	assert_int_equal(ms_erase(e->db, e->err, sizeof(e->err)), -DER_BUSY);
	assert_non_null(strstr(e->err, "rank 0 is Ready"));
	assert_int_equal(ms_member_set_state(e->db, 0, MS_MEMBER_STOPPED, NULL, NULL, 0), 0);
	uuid_generate(p.uuid);
	snprintf(p.label, sizeof(p.label), "tank");
	assert_int_equal(ms_pool_add(e->db, &p, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_attr_set(e->db, "k", "v", NULL, 0), 0);
	assert_int_equal(ms_prop_set(e->db, "self_heal", "none", NULL, 0), 0);
	ver = ms_map_version(e->db);
	assert_int_equal(ms_erase(e->db, e->err, sizeof(e->err)), 0);
	ms_member_list(e->db, &nr);
	assert_int_equal(nr, 0);
	ms_pool_list(e->db, &nr);
	assert_int_equal(nr, 0);
	assert_int_equal(ms_attr_count(e->db), 0);
	assert_int_equal(ms_self_heal(e->db), MS_SELF_HEAL_DEFAULT);
	assert_true(ms_map_version(e->db) > ver);
	assert_string_equal(ms_provider(e->db), "");
	/* ranks start over */
	b = req_of(5, "node5", 0);
	b.uri = "ofi+verbs://10.0.0.5:1";
	assert_int_equal(join_ok(e, &b), 0);
	assert_string_equal(ms_provider(e->db), "ofi+verbs");
}

/* --- allocation failures: each one leaves the db as it was --- */

static void
join_alloc_failures(void **state)
{
	struct env *e = *state;
	uint64_t k;
	int i;

	for (i = 0; i < 10; i++) {
		struct ms_join_req r = req_of(i + 1, "node1", (uint32_t)i);

		join_ok(e, &r);
	}
	for (k = 1;; k++) {
		struct ms_join_req r = req_of(100, "node2", 0);
		struct ms_join_resp resp;
		uint32_t ver = ms_map_version(e->db);
		uint32_t nr;
		int rc;
		TEST_ALLOC_MARK();

		d_alloc_fail_nth(k);
		rc = ms_join(e->db, &r, &resp, e->err, sizeof(e->err));
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			assert_int_equal(resp.rank, 10);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		assert_int_equal(ms_map_version(e->db), ver);
		assert_int_equal(ms_next_rank(e->db), 10);
		ms_member_list(e->db, &nr);
		assert_int_equal(nr, 10);
		TEST_ALLOC_CHECK();
	}
	assert_true(k > 1);
	for (k = 1;; k++) {
		struct ms_query_result res;
		struct ms_filter f = { .ranks = "0-3,20", .with_states = "Joined" };
		int rc;
		TEST_ALLOC_MARK();

		d_alloc_fail_nth(k);
		rc = ms_query(e->db, &f, &res, e->err, sizeof(e->err));
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			ms_query_result_fini(&res);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		TEST_ALLOC_CHECK();
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_names_round_trip),
		cmocka_unit_test(transition_table),
		cmocka_unit_test(set_state_follows_table),
		cmocka_unit_test_setup_teardown(ranks_follow_join_order, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(join_refusals, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(join_replace, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(join_brings_back, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(group_map_versions, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(query_filters, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(exclude_clear_erase, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(join_alloc_failures, setup, ms_test_teardown),
	};

	return cmocka_run_group_tests_name("ms_member", tests, NULL, NULL);
}
