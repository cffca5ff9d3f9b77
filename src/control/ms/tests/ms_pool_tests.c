/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_pool_tests.c - a pool record beyond add/lookup/remove (ms_db_tests.c): renames with
 * their refusals, PoolFind's resolution (Ready pools only, each refusal's message), the
 * ACL check daos_server makes before the pool service gets an ACL, the record's fields in
 * the file, files of the previous version (with owner, group, properties and ACL) loading
 * and losing those fields at the next save, failed saves undone and allocation failures.
 */
#include <ctype.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/ms/tests/ms_test.h"

static int
setup(void **state)
{
	return ms_test_setup(state, "ms_pool");
}

static void
pool_init(struct ms_pool *p, const char *label)
{
	memset(p, 0, sizeof(*p));
	uuid_generate(p->uuid);
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->state = MS_POOL_READY;
}

static const struct ms_pool *
pool_of(struct env *e, const char *id)
{
	const struct ms_pool *p = NULL;

	assert_int_equal(ms_pool_lookup(e->db, id, &p), 0);
	return p;
}

/* The whole file as a string (d_free() it). */
static char *
file_text(struct env *e)
{
	char *buf;
	FILE *f;
	long n;

	f = fopen(e->path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = d_calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* --- labels --- */

static void
set_label(void **state)
{
	struct env *e = *state;
	const struct ms_pool *list;
	struct ms_pool a;
	struct ms_pool b;
	uuid_t none;
	uint32_t nr;

	pool_init(&a, "tank");
	pool_init(&b, "pond");
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	assert_int_equal(ms_pool_add(e->db, &b, NULL, 0), 0);

	assert_int_equal(ms_pool_set_label(e->db, a.uuid, "aquarium", e->err, sizeof(e->err)), 0);
	list = ms_pool_list(e->db, &nr);
	assert_int_equal(nr, 2);
	assert_string_equal(list[0].label, "aquarium");
	assert_int_equal(uuid_compare(list[0].uuid, a.uuid), 0);
	assert_string_equal(list[1].label, "pond");
	assert_int_equal(ms_pool_lookup(e->db, "tank", &list), -DER_NONEXIST);
	assert_string_equal(pool_of(e, "aquarium")->label, "aquarium");

	/* taken, invalid, a UUID, empty, the same, unknown pool */
	assert_int_equal(ms_pool_set_label(e->db, a.uuid, "pond", e->err, sizeof(e->err)),
			 -DER_EXIST);
	assert_string_equal(e->err, "pool label pond is already in use");
	assert_int_equal(ms_pool_set_label(e->db, a.uuid, "two words", e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_non_null(strstr(e->err, "invalid pool label \"two words\""));
	assert_int_equal(
		ms_pool_set_label(e->db, a.uuid, "12345678-1234-1234-1234-123456789abc", NULL, 0),
		-DER_INVAL);
	assert_int_equal(ms_pool_set_label(e->db, a.uuid, "", NULL, 0), -DER_INVAL);
	assert_int_equal(ms_pool_set_label(e->db, a.uuid, "aquarium", NULL, 0), 0);
	assert_string_equal(ms_pool_list(e->db, &nr)[0].label, "aquarium");
	uuid_generate(none);
	assert_int_equal(ms_pool_set_label(e->db, none, "reef", e->err, sizeof(e->err)),
			 -DER_NONEXIST);
	assert_non_null(strstr(e->err, "not found"));
	assert_int_equal(ms_pool_lookup(e->db, "reef", &list), -DER_NONEXIST);

	/* a record's own uuid may be passed, though the rename moves the record */
	list = pool_of(e, "pond");
	assert_int_equal(ms_pool_set_label(e->db, list->uuid, "abyss", NULL, 0), 0);
	list = ms_pool_list(e->db, &nr);
	assert_string_equal(list[0].label, "abyss");
	assert_int_equal(uuid_compare(list[0].uuid, b.uuid), 0);
	assert_string_equal(list[1].label, "aquarium");

	/* the new label survives a reopen, in its place */
	assert_int_equal(ms_pool_set_label(e->db, b.uuid, "zoo", NULL, 0), 0);
	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	list = ms_pool_list(e->db, &nr);
	assert_string_equal(list[0].label, "aquarium");
	assert_string_equal(list[1].label, "zoo");
	assert_int_equal(uuid_compare(list[1].uuid, b.uuid), 0);
}

/* --- PoolFind: only Ready pools are found, by label or uuid --- */

static void
resolve(void **state)
{
	struct env *e = *state;
	const struct ms_pool *p = NULL;
	struct ms_pool a;
	struct ms_pool b;
	char id[37];
	char upper[37];
	size_t i;

	pool_init(&a, "tank");
	pool_init(&b, "pond");
	b.state = MS_POOL_CREATING;
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	assert_int_equal(ms_pool_add(e->db, &b, NULL, 0), 0);

	TEST_ALLOC_MARK();
	/* by label, by uuid, by uuid in capitals */
	assert_int_equal(ms_pool_resolve(e->db, "tank", &p, e->err, sizeof(e->err)), 0);
	assert_int_equal(uuid_compare(p->uuid, a.uuid), 0);
	uuid_unparse_lower(a.uuid, id);
	p = NULL;
	assert_int_equal(ms_pool_resolve(e->db, id, &p, e->err, sizeof(e->err)), 0);
	assert_string_equal(p->label, "tank");
	for (i = 0; i < sizeof(id); i++)
		upper[i] = (char)toupper((unsigned char)id[i]);
	p = NULL;
	assert_int_equal(ms_pool_resolve(e->db, upper, &p, NULL, 0), 0);
	assert_string_equal(p->label, "tank");

	/* unknown, empty: *out untouched */
	p = NULL;
	assert_int_equal(ms_pool_resolve(e->db, "reef", &p, e->err, sizeof(e->err)), -DER_NONEXIST);
	assert_string_equal(e->err, "no pool \"reef\" in system daos_server");
	assert_null(p);
	uuid_generate(b.uuid);
	uuid_unparse_lower(b.uuid, id);
	assert_int_equal(ms_pool_resolve(e->db, id, &p, NULL, 0), -DER_NONEXIST);
	assert_int_equal(ms_pool_resolve(e->db, "", &p, e->err, sizeof(e->err)), -DER_INVAL);
	assert_string_equal(e->err, "no pool label or uuid given");
	assert_null(p);

	/* Creating, then Destroying: not found, and the message says why */
	assert_int_equal(ms_pool_resolve(e->db, "pond", &p, e->err, sizeof(e->err)), -DER_NONEXIST);
	assert_string_equal(e->err, "pool pond is not ready to be used: its state is Creating");
	assert_null(p);
	TEST_ALLOC_CHECK();
	assert_int_equal(ms_pool_set_state(e->db, a.uuid, MS_POOL_DESTROYING), 0);
	assert_int_equal(ms_pool_resolve(e->db, "tank", &p, e->err, sizeof(e->err)), -DER_NONEXIST);
	assert_string_equal(e->err, "pool tank is not ready to be used: its state is Destroying");
	/* destroyed, then created again under the same label: the new uuid is found */
	assert_int_equal(ms_pool_remove(e->db, a.uuid), 0);
	pool_init(&b, "tank");
	assert_int_equal(ms_pool_add(e->db, &b, NULL, 0), 0);
	assert_int_equal(ms_pool_resolve(e->db, "tank", &p, NULL, 0), 0);
	assert_int_equal(uuid_compare(p->uuid, b.uuid), 0);
	assert_int_equal(uuid_compare(p->uuid, a.uuid) != 0, 1);
}

/* --- the ACL check --- */

static void
acl_check(void **state)
{
	static const struct {
		const char *const strs[4];
		uint32_t nr;
		const char *msg; /* "": accepted */
	} tab[] = {
		{ { "A::EVERYONE@:r", "A:G:proj@:ct", "A::OWNER@:wr", "A::bob@:" }, 4, "" },
		{ { "A::OWNER@:rw", "A:G:GROUP@:rw" }, 2, "" },
		/* a user and a group of one name are two principals */
		{ { "A::bob@:r", "A:G:bob@:w" }, 2, "" },
		{ { NULL }, 0, "" },
		{ { "A::OWNER@:rw", "A:G:GROUP@:rw", "A::bob" }, 3, "invalid ACE \"A::bob\"" },
		{ { "A::bob@:rA" },
		  1,
		  "invalid ACE \"A::bob@:rA\": a pool takes only permissions r w c d t" },
		{ { "A::bob@:r", "A::carol@:r", "A::bob@:w" },
		  3,
		  "duplicate ACE for principal u:bob@" },
		{ { "A:G:proj@:r", "A:G:proj@:w" }, 2, "duplicate ACE for principal g:proj@" },
		{ { "A::bob@:r\n" }, 1, "invalid ACE: not printable text" },
	};
	char err[512];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		TEST_ALLOC_MARK();

		err[0] = '\0';
		rc = ms_acl_check(tab[i].strs, tab[i].nr, err, sizeof(err));
		if ((rc == 0) != (tab[i].msg[0] == '\0') || strstr(err, tab[i].msg) == NULL)
			fail_msg("case %zu: rc %d, message \"%s\" (want \"%s\")", i, rc, err,
				 tab[i].msg);
		if (rc != 0)
			assert_int_equal(rc, -DER_INVAL);
		TEST_ALLOC_CHECK();
	}
	assert_int_equal(ms_acl_check(NULL, 2, err, sizeof(err)), -DER_INVAL);
	assert_string_equal(err, "2 ACEs announced, none given");
	assert_int_equal(ms_acl_check(NULL, 0, NULL, 0), 0);
}

static void
acl_check_size_limit(void **state)
{
	const char **strs;
	char(*names)[300];
	char err[512];
	size_t n = 400; /* 400 entries with 200-character names: over 64 KiB */
	size_t i;

	(void)state;
	strs = d_calloc(n, sizeof(*strs));
	names = d_calloc(n, sizeof(*names));
	assert_non_null(strs);
	assert_non_null(names);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "A::u%03zu%0196d@:r", i, 0);
		strs[i] = names[i];
	}
	assert_int_equal(ms_acl_check(strs, (uint32_t)n, err, sizeof(err)), -DER_INVAL);
	assert_string_equal(err, "ACL too large: its entries exceed 65536 bytes");
	assert_int_equal(ms_acl_check(strs, 100, err, sizeof(err)), 0);
	assert_int_equal(ms_acl_check(strs, 2000000, err, sizeof(err)), -DER_INVAL);
	assert_string_equal(err, "2000000 ACEs, at most 2048");
	d_free(names);
	d_free(strs);
}

/* --- the file --- */

/* A pool is written with exactly the fields DAOS's MS keeps, and reads back the same. */
static void
round_trip(void **state)
{
	static const char *const gone[] = { "\"owner\"", "\"group\"", "\"acl\"" };
	struct env *e = *state;
	d_rank_list_t *ranks;
	struct ms_pool a;
	char *before;
	char *after;
	size_t l1;
	size_t l2;
	size_t i;

	ranks = d_rank_list_alloc(2);
	assert_non_null(ranks);
	ranks->rl_ranks[1] = 1;
	pool_init(&a, "tank");
	a.svc_ranks = ranks;
	a.tgt_ranks = ranks;
	a.nr_tiers = 2;
	a.tier_bytes[0] = 1 << 30;
	a.tier_bytes[1] = (uint64_t)10 << 30;
	a.created = 1700000001;
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	d_rank_list_free(ranks);
	assert_int_equal(ms_db_encode(e->db, &before, &l1), 0);
	assert_non_null(strstr(before, "\"label\": \"tank\""));
	assert_non_null(strstr(before, "\"created\": 1700000001\n  }"));
	for (i = 0; i < ARRAY_SIZE(gone); i++)
		if (strstr(before, gone[i]) != NULL)
			fail_msg("%s written: %s", gone[i], before);

	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_db_encode(e->db, &after, &l2), 0);
	assert_string_equal(before, after);
	assert_int_equal(pool_of(e, "tank")->tgt_ranks->rl_nr, 2);
	assert_int_equal(pool_of(e, "tank")->tier_bytes[1], (uint64_t)10 << 30);
	d_free(before);
	d_free(after);
}

#define DOC(pools)                                                                        \
	"{\"version\":1,\"system\":\"daos_server\",\"next_rank\":1,\"map_version\":0,"    \
	"\"provider\":\"\",\"members\":[],\"pools\":[" pools "],\"properties\":{"         \
	"\"self_heal\":\"exclude\",\"pool_scrub_mode\":\"off\",\"pool_scrub_thresh\":0}," \
	"\"attributes\":{}}"
#define POOL(label, uuidc, extra)                                                             \
	"{\"uuid\":\"" uuidc "aaaaaaa-2222-3333-4444-555555555555\",\"label\":\"" label "\"," \
	"\"state\":\"Ready\",\"svc_ranks\":[0],\"tgt_ranks\":[0],\"tier_bytes\":[1,2],"       \
	"\"created\":1" extra "}"
/* What the previous version wrote in a pool after "created". */
#define OLD_FIELDS                                                                     \
	",\"owner\":\"alice@\",\"group\":\"users@\",\"properties\":{\"rd_fac\":\"1\"," \
	"\"reclaim\":\"lazy\"},\"acl\":[\"A::OWNER@:rw\",\"A::bob@:r\",\"A:G:GROUP@:rw\"]"

/*
 * A file of the previous version, whose pools carry owner, group, properties and an ACL,
 * loads; the next save drops those fields. Their content does not matter, as a field
 * that is ignored is not checked.
 */
static void
old_fields_load_and_go(void **state)
{
	static const char *const gone[] = { "\"owner\"", "\"group\"", "\"acl\"",
					    "rd_fac",    "alice@",    "A::bob@" };
	struct env *e = *state;
	const struct ms_pool *p;
	char *text;
	size_t i;

	ms_close(e->db);
	e->db = NULL;
	write_file(e->path, DOC(POOL("tank", "a", OLD_FIELDS) "," POOL(
				    "pond", "b",
				    ",\"owner\":\"u@\",\"group\":\"g@\",\"properties\":{},"
				    "\"acl\":[]")));
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	p = pool_of(e, "tank");
	assert_int_equal(p->state, MS_POOL_READY);
	assert_int_equal(p->tier_bytes[1], 2);
	assert_non_null(pool_of(e, "pond"));
	/* the file is rewritten only by a change */
	text = file_text(e);
	assert_non_null(strstr(text, "\"owner\""));
	d_free(text);

	assert_int_equal(ms_pool_set_state(e->db, p->uuid, MS_POOL_DESTROYING), 0);
	text = file_text(e);
	for (i = 0; i < ARRAY_SIZE(gone); i++)
		if (strstr(text, gone[i]) != NULL)
			fail_msg("%s kept: %s", gone[i], text);
	assert_non_null(strstr(text, "\"label\": \"pond\""));
	d_free(text);
	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	assert_int_equal(pool_of(e, "tank")->state, MS_POOL_DESTROYING);
}

static void
damaged_fields(void **state)
{
	static const struct {
		const char *doc;
		const char *msg; /* "": accepted */
	} tab[] = {
		{ DOC(POOL("tank", "a", "")), "" },
		{ DOC(POOL("tank", "a", OLD_FIELDS)), "" },
		/* the previous version refused these; now nothing reads them */
		{ DOC(POOL("tank", "a", ",\"acl\":[\"A::bob\"]")), "" },
		{ DOC(POOL("tank", "a", ",\"acl\":\"A::OWNER@:rw\"")), "" },
		{ DOC(POOL("tank", "a", ",\"properties\":{\"label\":\"tank\"}")), "" },
		{ DOC(POOL("tank", "a", ",\"properties\":[1]")), "" },
		{ DOC(POOL("tank", "a", ",\"owner\":7,\"group\":null")), "" },
		/* only one of each, as for every field */
		{ DOC(POOL("tank", "a", ",\"acl\":[],\"acl\":[]")), "duplicate object key" },
		{ DOC(POOL("tank", "a", ",\"colour\":1")),
		  "daos_system.db: pools[0]: unknown field \"colour\"" },
		{ DOC("{\"uuid\":\"aaaaaaaa-2222-3333-4444-555555555555\",\"label\":\"tank\","
		      "\"state\":\"Ready\",\"svc_ranks\":[0],\"tgt_ranks\":[0],\"tier_bytes\":[],"
		      "\"owner\":\"u@\",\"group\":\"g@\"}"),
		  "daos_system.db: pools[0]: missing field created" },
		{ DOC(POOL("tank", "a", "") "," POOL("tank", "b", OLD_FIELDS)),
		  "daos_system.db: pools[1].label: duplicate label tank" },
	};
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		struct ms_db *db = NULL;
		char err[512] = "";
		TEST_ALLOC_MARK();

		rc = ms_db_decode(tab[i].doc, strlen(tab[i].doc), "daos_server", &db, err,
				  sizeof(err));
		if ((rc == 0) != (tab[i].msg[0] == '\0') || strstr(err, tab[i].msg) == NULL)
			fail_msg("case %zu: rc %d, message \"%s\" (want \"%s\")", i, rc, err,
				 tab[i].msg);
		if (rc != 0) {
			assert_int_equal(rc, -DER_INVAL);
			assert_null(db);
		}
		ms_close(db);
		TEST_ALLOC_CHECK();
	}
}

/* --- failures --- */

/* A rename that cannot be saved leaves the label and the order as they were. */
static void
failed_save_is_undone(void **state)
{
	struct env *e = *state;
	const struct ms_pool *list;
	struct ms_pool a;
	struct ms_pool b;
	uint32_t nr;

	pool_init(&a, "tank");
	pool_init(&b, "pond");
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	assert_int_equal(ms_pool_add(e->db, &b, NULL, 0), 0);
	/* Take the directory away. */
	assert_int_equal(unlink(e->path), 0);
	assert_int_equal(rmdir(e->dir), 0);

	assert_int_equal(ms_pool_set_label(e->db, a.uuid, "aaa", e->err, sizeof(e->err)),
			 -DER_NONEXIST);
	assert_non_null(strstr(e->err, "could not save the system database"));
	list = ms_pool_list(e->db, &nr);
	assert_int_equal(nr, 2);
	assert_string_equal(list[0].label, "pond");
	assert_string_equal(list[1].label, "tank");
	assert_int_equal(uuid_compare(list[1].uuid, a.uuid), 0);
	assert_int_equal(ms_pool_lookup(e->db, "aaa", &list), -DER_NONEXIST);
	/* Put the directory back for teardown. */
	assert_int_equal(mkdir(e->dir, 0700), 0);
}

/* Run @op with the k-th allocation failing, for every k, until it succeeds; each failure
 * must be -DER_NOMEM and leave the db's encoding as it was, and nothing may leak. */
#define ALLOC_WALK(e, op)                                                          \
	do {                                                                       \
		uint64_t k_;                                                       \
		for (k_ = 1;; k_++) {                                              \
			char *before_;                                             \
			char *after_;                                              \
			size_t l_;                                                 \
			int rc_;                                                   \
			assert_int_equal(ms_db_encode((e)->db, &before_, &l_), 0); \
			TEST_ALLOC_MARK();                                         \
			d_alloc_fail_nth(k_);                                      \
			rc_ = (op);                                                \
			if (d_alloc_fail_pending() != 0) {                         \
				d_alloc_fail_nth(0);                               \
				assert_int_equal(rc_, 0);                          \
				d_free(before_);                                   \
				break;                                             \
			}                                                          \
			assert_int_equal(rc_, -DER_NOMEM);                         \
			TEST_ALLOC_CHECK();                                        \
			assert_int_equal(ms_db_encode((e)->db, &after_, &l_), 0);  \
			assert_string_equal(before_, after_);                      \
			d_free(before_);                                           \
			d_free(after_);                                            \
		}                                                                  \
	} while (0)

static void
alloc_failures(void **state)
{
	struct env *e = *state;
	const char *const acl[] = { "A::bob@:rw", "A:G:proj@:r", "A::OWNER@:rw" };
	struct ms_pool first;
	struct ms_pool a;
	uint32_t nr;

	/*
	 * The pool array keeps its new room when what follows fails (it is owned and freed
	 * with the db): start with a pool, so that the walks see no growth from nothing.
	 */
	pool_init(&first, "first");
	assert_int_equal(ms_pool_add(e->db, &first, NULL, 0), 0);
	pool_init(&a, "tank");
	ALLOC_WALK(e, ms_pool_add(e->db, &a, NULL, 0));
	ALLOC_WALK(e, ms_pool_set_label(e->db, a.uuid, "aquarium", NULL, 0));
	ALLOC_WALK(e, ms_acl_check(acl, ARRAY_SIZE(acl), NULL, 0));
	assert_string_equal(ms_pool_list(e->db, &nr)[0].label, "aquarium");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(set_label, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(resolve, setup, ms_test_teardown),
		cmocka_unit_test(acl_check),
		cmocka_unit_test(acl_check_size_limit),
		cmocka_unit_test_setup_teardown(round_trip, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(old_fields_load_and_go, setup, ms_test_teardown),
		cmocka_unit_test(damaged_fields),
		cmocka_unit_test_setup_teardown(failed_save_is_undone, setup, ms_test_teardown),
		cmocka_unit_test_setup_teardown(alloc_failures, setup, ms_test_teardown),
	};

	return cmocka_run_group_tests_name("ms_pool", tests, NULL, NULL);
}
