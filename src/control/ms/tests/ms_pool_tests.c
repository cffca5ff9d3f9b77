/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_pool_tests.c - what dmg pool get-prop/set-prop and the ACL commands keep in a pool
 * record: properties (form checks, order, replace), renames through the label property,
 * the default ACL and overwrite/update/delete with DAOS's semantics and refusals, owners,
 * the file (round trip, files without the new fields, damaged fields each with its
 * message), failed saves undone and allocation failures.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/test.h"
#include "control/ms/ms.h"

struct env {
	char *dir;
	char *path; /* <dir>/daos_system.db */
	struct ms_db *db;
	char err[512];
};

static int
setup(void **state)
{
	struct env *e = d_calloc(1, sizeof(*e));

	assert_non_null(e);
	e->dir = test_tmpdir("ms_pool");
	assert_non_null(e->dir);
	assert_true(d_asprintf(&e->path, "%s/%s", e->dir, MS_DB_FILE) > 0);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;
	char *tmp = NULL;

	ms_close(e->db);
	unlink(e->path);
	assert_true(d_asprintf(&tmp, "%s.tmp", e->path) > 0);
	unlink(tmp);
	d_free(tmp);
	rmdir(e->dir);
	d_free(e->path);
	d_free(e->dir);
	d_free(e);
	return 0;
}

static void
pool_init(struct ms_pool *p, const char *label)
{
	memset(p, 0, sizeof(*p));
	uuid_generate(p->uuid);
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->state = MS_POOL_READY;
	snprintf(p->owner, sizeof(p->owner), "alice@");
	snprintf(p->group, sizeof(p->group), "users@");
}

static const struct ms_pool *
pool_of(struct env *e, const char *id)
{
	const struct ms_pool *p = NULL;

	assert_int_equal(ms_pool_lookup(e->db, id, &p), 0);
	return p;
}

/* The pool's ACL joined by spaces, for compact comparisons. */
static const char *
acl_str(struct env *e, const uuid_t uuid)
{
	static char buf[1024];
	const char *const *strs;
	size_t off = 0;
	uint32_t nr;
	uint32_t i;

	assert_int_equal(ms_pool_acl_get(e->db, uuid, &strs, &nr), 0);
	buf[0] = '\0';
	for (i = 0; i < nr; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? " " : "", strs[i]);
	return buf;
}

/* --- properties --- */

static void
props_set_get_iterate(void **state)
{
	struct env *e = *state;
	struct ms_pool_prop props[] = {
		{ "self_heal", "exclude;rebuild" },
		{ "ec_cell_sz", "131072" },
		{ "rd_fac", "1" },
	};
	const struct ms_pool *p;
	struct ms_pool a;
	char key[16];
	uuid_t none;
	int i;

	pool_init(&a, "tank");
	a.props = props;
	a.nr_props = ARRAY_SIZE(props);
	assert_int_equal(ms_pool_add(e->db, &a, e->err, sizeof(e->err)), 0);
	p = pool_of(e, "tank");
	/* copies, by name */
	assert_int_equal(p->nr_props, 3);
	assert_ptr_not_equal(p->props, props);
	assert_string_equal(p->props[0].key, "ec_cell_sz");
	assert_string_equal(p->props[1].key, "rd_fac");
	assert_string_equal(p->props[2].key, "self_heal");
	assert_string_equal(p->props[2].value, "exclude;rebuild");
	assert_string_equal(ms_pool_prop_get(e->db, a.uuid, "rd_fac"), "1");
	assert_string_equal(ms_pool_prop_get(e->db, a.uuid, "label"), "tank");
	assert_null(ms_pool_prop_get(e->db, a.uuid, "reclaim"));
	uuid_generate(none);
	assert_null(ms_pool_prop_get(e->db, none, "rd_fac"));

	/* replace one, add one in its place */
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "rd_fac", "2", e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "reclaim", "time", e->err, sizeof(e->err)),
			 0);
	p = pool_of(e, "tank");
	assert_int_equal(p->nr_props, 4);
	assert_string_equal(p->props[1].key, "rd_fac");
	assert_string_equal(p->props[1].value, "2");
	assert_string_equal(p->props[2].key, "reclaim");
	assert_string_equal(ms_pool_prop_get(e->db, a.uuid, "reclaim"), "time");

	/* form checks */
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "Rd Fac", "1", e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_string_equal(e->err,
			    "pool tank: invalid pool property name \"Rd Fac\": 1-63 characters "
			    "of a-z 0-9 _");
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "", "1", e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "rd_fac", "", e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_string_equal(e->err, "pool tank: pool property rd_fac: value must be 1-255 "
				    "printable characters");
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "rd_fac", "1\n2", e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_int_equal(ms_pool_prop_set(e->db, none, "rd_fac", "1", e->err, sizeof(e->err)),
			 -DER_NONEXIST);
	assert_non_null(strstr(e->err, "not found"));
	assert_string_equal(ms_pool_prop_get(e->db, a.uuid, "rd_fac"), "2");

	/* at most MS_POOL_PROPS_MAX */
	for (i = 0; pool_of(e, "tank")->nr_props < MS_POOL_PROPS_MAX; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(ms_pool_prop_set(e->db, a.uuid, key, "v", NULL, 0), 0);
	}
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "one_more", "v", e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_string_equal(e->err, "pool tank: too many properties (at most 64)");
	/* replacing is still fine */
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "k0", "w", NULL, 0), 0);

	/* ms_pool_add refuses label, duplicates and bad pairs */
	pool_init(&a, "pond");
	props[0].key = "label";
	a.props = props;
	a.nr_props = ARRAY_SIZE(props);
	assert_int_equal(ms_pool_add(e->db, &a, e->err, sizeof(e->err)), -DER_INVAL);
	assert_string_equal(e->err, "pool pond: property label is the record's label, not a "
				    "property");
	props[0].key = "rd_fac";
	assert_int_equal(ms_pool_add(e->db, &a, e->err, sizeof(e->err)), -DER_INVAL);
	assert_string_equal(e->err, "pool pond: duplicate property rd_fac");
	props[0].key = "ok";
	props[0].value = "";
	assert_int_equal(ms_pool_add(e->db, &a, e->err, sizeof(e->err)), -DER_INVAL);
	a.nr_props = MS_POOL_PROPS_MAX + 1;
	assert_int_equal(ms_pool_add(e->db, &a, e->err, sizeof(e->err)), -DER_INVAL);
	assert_string_equal(e->err, "pool pond: 65 properties, at most 64");
	a.props = NULL;
	a.nr_props = 1;
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), -DER_INVAL);
	a.nr_props = 0;
	a.nr_acl = 2;
	assert_int_equal(ms_pool_add(e->db, &a, e->err, sizeof(e->err)), -DER_INVAL);
	assert_string_equal(e->err, "pool pond: 2 ACEs announced, none given");
	assert_int_equal(ms_pool_lookup(e->db, "pond", &p), -DER_NONEXIST);
}

static void
label_rename(void **state)
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

	assert_int_equal(
		ms_pool_prop_set(e->db, a.uuid, "label", "aquarium", e->err, sizeof(e->err)), 0);
	list = ms_pool_list(e->db, &nr);
	assert_int_equal(nr, 2);
	assert_string_equal(list[0].label, "aquarium");
	assert_int_equal(uuid_compare(list[0].uuid, a.uuid), 0);
	assert_string_equal(list[1].label, "pond");
	assert_int_equal(ms_pool_lookup(e->db, "tank", &list), -DER_NONEXIST);
	assert_string_equal(ms_pool_prop_get(e->db, a.uuid, "label"), "aquarium");
	/* the label is not kept as a property */
	assert_int_equal(pool_of(e, "aquarium")->nr_props, 0);

	/* taken, invalid, a UUID, the same */
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "label", "pond", e->err, sizeof(e->err)),
			 -DER_EXIST);
	assert_string_equal(e->err, "pool label pond is already in use");
	assert_int_equal(
		ms_pool_prop_set(e->db, a.uuid, "label", "two words", e->err, sizeof(e->err)),
		-DER_INVAL);
	assert_non_null(strstr(e->err, "invalid pool label \"two words\""));
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "label",
					  "12345678-1234-1234-1234-123456789abc", NULL, 0),
			 -DER_INVAL);
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "label", "", NULL, 0), -DER_INVAL);
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "label", "aquarium", NULL, 0), 0);
	assert_string_equal(ms_pool_list(e->db, &nr)[0].label, "aquarium");

	/* the new label survives a reopen, in its place */
	assert_int_equal(ms_pool_prop_set(e->db, b.uuid, "label", "zoo", NULL, 0), 0);
	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	list = ms_pool_list(e->db, &nr);
	assert_string_equal(list[0].label, "aquarium");
	assert_string_equal(list[1].label, "zoo");
	assert_int_equal(uuid_compare(list[1].uuid, b.uuid), 0);
}

/* --- ACLs --- */

static void
acl_default_and_given(void **state)
{
	struct env *e = *state;
	char *given[] = { "A::EVERYONE@:r", "A:G:proj@:ct", "A::OWNER@:wr", "A::bob@:" };
	char *bad[] = { "A::OWNER@:rw", "A:G:GROUP@:rw", "A::bob" };
	const char *const *strs;
	struct ms_pool a;
	struct ms_pool b;
	uint32_t nr;

	/* none given: DAOS's default pool ACL */
	pool_init(&a, "tank");
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	assert_string_equal(acl_str(e, a.uuid), "A::OWNER@:rw A:G:GROUP@:rw");
	assert_int_equal(ms_pool_acl_get(e->db, a.uuid, &strs, &nr), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(pool_of(e, "tank")->nr_acl, 2);

	/* given: display order, canonical permission letters */
	pool_init(&b, "pond");
	b.acl = given;
	b.nr_acl = ARRAY_SIZE(given);
	assert_int_equal(ms_pool_add(e->db, &b, e->err, sizeof(e->err)), 0);
	assert_string_equal(acl_str(e, b.uuid),
			    "A::OWNER@:rw A::bob@: A:G:proj@:ct A::EVERYONE@:r");

	pool_init(&b, "reef");
	b.acl = bad;
	b.nr_acl = ARRAY_SIZE(bad);
	assert_int_equal(ms_pool_add(e->db, &b, e->err, sizeof(e->err)), -DER_INVAL);
	assert_string_equal(e->err, "pool reef: invalid ACE \"A::bob\"");
	assert_int_equal(ms_pool_acl_get(e->db, b.uuid, &strs, &nr), -DER_NONEXIST);
}

static void
acl_edit(void **state)
{
	struct env *e = *state;
	const char *const acl1[] = { "A::bob@:r", "A:G:GROUP@:rw", "A::OWNER@:rw" };
	const char *const upd[] = { "A::bob@:rw", "A::EVERYONE@:t", "A:G:proj@:c" };
	const char *const bad_ace[] = { "A::bob@:r", "A::carol" };
	const char *const cont_perm[] = { "A::bob@:rA" };
	const char *const dup[] = { "A::bob@:r", "A::carol@:r", "A::bob@:w" };
	const char *const group_not_user[] = { "A::bob@:r", "A:G:bob@:w" };
	const char *const not_text[] = { "A::bob@:r\n" };
	struct ms_pool a;
	uuid_t none;

	pool_init(&a, "tank");
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	uuid_generate(none);

	/* overwrite */
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, acl1, ARRAY_SIZE(acl1), e->err,
					       sizeof(e->err)),
			 0);
	assert_string_equal(acl_str(e, a.uuid), "A::OWNER@:rw A::bob@:r A:G:GROUP@:rw");
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, bad_ace, ARRAY_SIZE(bad_ace), e->err,
					       sizeof(e->err)),
			 -DER_INVAL);
	assert_string_equal(e->err, "pool tank: invalid ACE \"A::carol\"");
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, cont_perm, 1, e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_string_equal(e->err, "pool tank: invalid ACE \"A::bob@:rA\": a pool takes only "
				    "permissions r w c d t");
	assert_int_equal(
		ms_pool_acl_overwrite(e->db, a.uuid, dup, ARRAY_SIZE(dup), e->err, sizeof(e->err)),
		-DER_INVAL);
	assert_string_equal(e->err, "pool tank: duplicate ACE for principal u:bob@");
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, not_text, 1, e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_non_null(strstr(e->err, "not printable text"));
	assert_int_equal(ms_pool_acl_overwrite(e->db, none, acl1, 1, e->err, sizeof(e->err)),
			 -DER_NONEXIST);
	/* a user and a group of one name are two principals */
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, group_not_user, 2, NULL, 0), 0);
	assert_string_equal(acl_str(e, a.uuid), "A::bob@:r A:G:bob@:w");
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, acl1, ARRAY_SIZE(acl1), NULL, 0), 0);

	/* update: add or replace per principal */
	assert_int_equal(
		ms_pool_acl_update(e->db, a.uuid, upd, ARRAY_SIZE(upd), e->err, sizeof(e->err)), 0);
	assert_string_equal(acl_str(e, a.uuid),
			    "A::OWNER@:rw A::bob@:rw A:G:GROUP@:rw A:G:proj@:c A::EVERYONE@:t");
	assert_int_equal(
		ms_pool_acl_update(e->db, a.uuid, dup, ARRAY_SIZE(dup), e->err, sizeof(e->err)),
		-DER_INVAL);
	assert_string_equal(e->err, "pool tank: duplicate ACE for principal u:bob@");
	assert_int_equal(ms_pool_acl_update(e->db, a.uuid, cont_perm, 1, NULL, 0), -DER_INVAL);
	assert_int_equal(ms_pool_acl_update(e->db, a.uuid, upd, 0, e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_string_equal(e->err, "pool tank: no ACE to add");
	assert_int_equal(ms_pool_acl_update(e->db, none, upd, 1, NULL, 0), -DER_NONEXIST);
	assert_string_equal(acl_str(e, a.uuid),
			    "A::OWNER@:rw A::bob@:rw A:G:GROUP@:rw A:G:proj@:c A::EVERYONE@:t");

	/* delete */
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "u:bob@", e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "EVERYONE@", NULL, 0), 0);
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "g:proj@", NULL, 0), 0);
	assert_string_equal(acl_str(e, a.uuid), "A::OWNER@:rw A:G:GROUP@:rw");
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "u:bob@", e->err, sizeof(e->err)),
			 -DER_NONEXIST);
	assert_string_equal(e->err, "pool tank: no ACE for principal u:bob@");
	/* a group entry is not a user entry */
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "u:GROUP@", NULL, 0), -DER_NONEXIST);
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "bob@", e->err, sizeof(e->err)),
			 -DER_INVAL);
	assert_string_equal(e->err, "invalid principal \"bob@\": u:name@, g:name@, OWNER@, "
				    "GROUP@ or EVERYONE@");
	assert_int_equal(ms_pool_acl_delete(e->db, none, "OWNER@", NULL, 0), -DER_NONEXIST);
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "OWNER@", NULL, 0), 0);
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "GROUP@", NULL, 0), 0);
	/* an empty ACL is kept as empty, not turned back into the default */
	assert_string_equal(acl_str(e, a.uuid), "");
	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	assert_string_equal(acl_str(e, a.uuid), "");
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, NULL, 0, NULL, 0), 0);
}

static void
acl_size_limit(void **state)
{
	struct env *e = *state;
	const char **strs;
	char(*names)[300];
	struct ms_pool a;
	size_t n = 400; /* 400 entries with 200-character names: over 64 KiB */
	size_t i;

	pool_init(&a, "tank");
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	strs = d_calloc(n, sizeof(*strs));
	names = d_calloc(n, sizeof(*names));
	assert_non_null(strs);
	assert_non_null(names);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "A::u%03zu%0196d@:r", i, 0);
		strs[i] = names[i];
	}
	assert_int_equal(
		ms_pool_acl_overwrite(e->db, a.uuid, strs, (uint32_t)n, e->err, sizeof(e->err)),
		-DER_INVAL);
	assert_string_equal(e->err, "pool tank: ACL too large: its entries exceed 65536 bytes");
	/* the same through update, a little at a time */
	for (i = 0; i + 100 <= n; i += 100) {
		int rc = ms_pool_acl_update(e->db, a.uuid, strs + i, 100, e->err, sizeof(e->err));

		if (rc != 0) {
			assert_int_equal(rc, -DER_INVAL);
			assert_non_null(strstr(e->err, "ACL too large"));
			break;
		}
	}
	assert_true(i + 100 <= n);
	assert_int_equal(
		ms_pool_acl_overwrite(e->db, a.uuid, strs, 2000000, e->err, sizeof(e->err)),
		-DER_INVAL);
	assert_string_equal(e->err, "pool tank: 2000000 ACEs, at most 2048");
	d_free(names);
	d_free(strs);
}

static void
owner(void **state)
{
	struct env *e = *state;
	const struct ms_pool *p;
	struct ms_pool a;

	pool_init(&a, "tank");
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	assert_int_equal(ms_pool_set_owner(e->db, a.uuid, "bob@", NULL, e->err, sizeof(e->err)), 0);
	p = pool_of(e, "tank");
	assert_string_equal(p->owner, "bob@");
	assert_string_equal(p->group, "users@");
	assert_int_equal(ms_pool_set_owner(e->db, a.uuid, NULL, "proj@", NULL, 0), 0);
	assert_string_equal(pool_of(e, "tank")->group, "proj@");
	assert_int_equal(
		ms_pool_set_owner(e->db, a.uuid, "carol@", "bad group", e->err, sizeof(e->err)),
		-DER_INVAL);
	assert_string_equal(e->err, "pool tank: invalid owner \"bad group\": expected name@");
	assert_int_equal(ms_pool_set_owner(e->db, a.uuid, "carol", NULL, NULL, 0), -DER_INVAL);
	p = pool_of(e, "tank");
	assert_string_equal(p->owner, "bob@");
	assert_string_equal(p->group, "proj@");
	uuid_generate(a.uuid);
	assert_int_equal(ms_pool_set_owner(e->db, a.uuid, "x@", NULL, NULL, 0), -DER_NONEXIST);
}

/* --- the file --- */

static void
round_trip(void **state)
{
	struct env *e = *state;
	struct ms_pool_prop props[] = { { "rd_fac", "1" }, { "ec_cell_sz", "131072" } };
	char *acl[] = { "A::bob@:r", "A::OWNER@:rw" };
	struct ms_pool a;
	char *before;
	char *after;
	size_t l1;
	size_t l2;

	pool_init(&a, "tank");
	a.props = props;
	a.nr_props = ARRAY_SIZE(props);
	a.acl = acl;
	a.nr_acl = ARRAY_SIZE(acl);
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	pool_init(&a, "pond");
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, NULL, 0, NULL, 0), 0);
	assert_int_equal(ms_db_encode(e->db, &before, &l1), 0);
	assert_non_null(strstr(before, "\"properties\": {\n    \"ec_cell_sz\": \"131072\""));
	assert_non_null(strstr(before, "\"acl\": [\n    \"A::OWNER@:rw\",\n    \"A::bob@:r\""));
	assert_non_null(strstr(before, "\"acl\": []"));

	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	assert_int_equal(ms_db_encode(e->db, &after, &l2), 0);
	assert_string_equal(before, after);
	assert_string_equal(pool_of(e, "tank")->props[1].value, "1");
	assert_string_equal(acl_str(e, pool_of(e, "tank")->uuid), "A::OWNER@:rw A::bob@:r");
	assert_string_equal(acl_str(e, a.uuid), "");
	d_free(before);
	d_free(after);
}

#define DOC(pools)                                                                        \
	"{\"version\":1,\"system\":\"daos_server\",\"next_rank\":1,\"map_version\":0,"    \
	"\"provider\":\"\",\"members\":[],\"pools\":[" pools "],\"properties\":{"         \
	"\"self_heal\":\"exclude\",\"pool_scrub_mode\":\"off\",\"pool_scrub_thresh\":0}," \
	"\"attributes\":{}}"
#define POOL(extra)                                                                     \
	"{\"uuid\":\"aaaaaaaa-2222-3333-4444-555555555555\",\"label\":\"tank\","        \
	"\"state\":\"Ready\",\"svc_ranks\":[0],\"tgt_ranks\":[0],\"tier_bytes\":[1,2]," \
	"\"owner\":\"u@\",\"group\":\"g@\",\"created\":1" extra "}"

/* A file written before pools had properties and ACLs still loads. */
static void
file_without_new_fields(void **state)
{
	struct env *e = *state;
	const struct ms_pool *p;
	FILE *f;

	ms_close(e->db);
	e->db = NULL;
	f = fopen(e->path, "w");
	assert_non_null(f);
	assert_true(fputs(DOC(POOL("")), f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	p = pool_of(e, "tank");
	assert_int_equal(p->nr_props, 0);
	assert_string_equal(acl_str(e, p->uuid), "A::OWNER@:rw A:G:GROUP@:rw");
	/* the next save writes both fields */
	assert_int_equal(ms_pool_prop_set(e->db, p->uuid, "rd_fac", "0", NULL, 0), 0);
	ms_close(e->db);
	assert_int_equal(ms_open(e->dir, "daos_server", &e->db, e->err, sizeof(e->err)), 0);
	p = pool_of(e, "tank");
	assert_string_equal(ms_pool_prop_get(e->db, p->uuid, "rd_fac"), "0");
	assert_string_equal(acl_str(e, p->uuid), "A::OWNER@:rw A:G:GROUP@:rw");
}

static void
damaged_fields(void **state)
{
	static const struct {
		const char *doc;
		const char *msg;
	} tab[] = {
		{ DOC(POOL(",\"properties\":{\"rd_fac\":\"1\"},\"acl\":[\"A::OWNER@:rw\"]")), "" },
		{ DOC(POOL(",\"acl\":[\"A::OWNER@:rw\",\"A:G:GROUP@:rw\",\"A::bob\"]")),
		  "daos_system.db: pools[0].acl[2]: invalid ACE \"A::bob\"" },
		{ DOC(POOL(",\"acl\":\"A::OWNER@:rw\"")),
		  "daos_system.db: pools[0].acl: expected an array of ACE strings" },
		{ DOC(POOL(",\"acl\":[\"A::OWNER@:rw\",7]")),
		  "daos_system.db: pools[0].acl[1]: expected a string" },
		{ DOC(POOL(",\"acl\":[\"A::bob@:r\",\"A::bob@:rw\"]")),
		  "daos_system.db: pools[0].acl[1]: duplicate ACE for principal u:bob@" },
		{ DOC(POOL(",\"acl\":[\"A::bob@:rT\"]")),
		  "daos_system.db: pools[0].acl[0]: invalid ACE \"A::bob@:rT\": a pool takes "
		  "only permissions r w c d t" },
		{ DOC(POOL(",\"acl\":[\"A::bob@:r\\t\"]")),
		  "daos_system.db: pools[0].acl[0]: invalid ACE: not printable text" },
		{ DOC(POOL(",\"properties\":[\"rd_fac\",\"1\"]")),
		  "daos_system.db: pools[0].properties: expected an object" },
		{ DOC(POOL(",\"properties\":{\"rd_fac\":1}")),
		  "daos_system.db: pools[0].properties: rd_fac: expected a string" },
		{ DOC(POOL(",\"properties\":{\"label\":\"tank\"}")),
		  "daos_system.db: pools[0].properties: label: not a property, the pool's label "
		  "field is" },
		{ DOC(POOL(",\"properties\":{\"Rd Fac\":\"1\"}")),
		  "daos_system.db: pools[0].properties: invalid pool property name \"Rd Fac\"" },
		{ DOC(POOL(",\"properties\":{\"rd_fac\":\"\"}")),
		  "daos_system.db: pools[0].properties: pool property rd_fac: value must be "
		  "1-255 printable characters" },
		{ DOC(POOL(",\"properties\":{\"rd_fac\":\"1\",\"rd_fac\":\"2\"}")),
		  "duplicate object key" },
		{ DOC(POOL(",\"colour\":1")),
		  "daos_system.db: pools[0]: unknown field \"colour\"" },
	};
	char *many;
	size_t off;
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

	/* one property too many */
	many = d_calloc(1, 8192);
	assert_non_null(many);
	off = (size_t)snprintf(many, 8192, "%s",
			       "{\"version\":1,\"system\":\"s\",\"next_rank\":1,"
			       "\"map_version\":0,\"provider\":\"\","
			       "\"members\":[],\"pools\":[" POOL(",\"properties\":{"));
	/* POOL() closed the pool object: reopen the properties before the final "}" */
	off -= 1;
	for (i = 0; i <= MS_POOL_PROPS_MAX; i++)
		off += (size_t)snprintf(many + off, 8192 - off, "%s\"k%zu\":\"v\"", i ? "," : "",
					i);
	snprintf(many + off, 8192 - off,
		 "}}],\"properties\":{\"self_heal\":\"exclude\",\"pool_scrub_mode\":\"off\","
		 "\"pool_scrub_thresh\":0},\"attributes\":{}}");
	{
		struct ms_db *db = NULL;
		char err[512] = "";

		rc = ms_db_decode(many, strlen(many), NULL, &db, err, sizeof(err));
		assert_int_equal(rc, -DER_INVAL);
		assert_string_equal(err,
				    "daos_system.db: pools[0].properties: more than 64 properties");
	}
	d_free(many);
}

/* --- failures --- */

/* A save that fails leaves the pool as it was. */
static void
failed_save_is_undone(void **state)
{
	struct env *e = *state;
	const char *const upd[] = { "A::bob@:r" };
	const struct ms_pool *list;
	struct ms_pool a;
	struct ms_pool b;
	uint32_t nr;

	pool_init(&a, "tank");
	pool_init(&b, "pond");
	assert_int_equal(ms_pool_add(e->db, &a, NULL, 0), 0);
	assert_int_equal(ms_pool_add(e->db, &b, NULL, 0), 0);
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "rd_fac", "1", NULL, 0), 0);
	/* Take the directory away. */
	assert_int_equal(unlink(e->path), 0);
	assert_int_equal(rmdir(e->dir), 0);

	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "rd_fac", "2", e->err, sizeof(e->err)),
			 -DER_NONEXIST);
	assert_non_null(strstr(e->err, "could not save the system database"));
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "reclaim", "time", NULL, 0),
			 -DER_NONEXIST);
	assert_int_equal(pool_of(e, "tank")->nr_props, 1);
	assert_string_equal(ms_pool_prop_get(e->db, a.uuid, "rd_fac"), "1");
	assert_int_equal(ms_pool_prop_set(e->db, a.uuid, "label", "aaa", NULL, 0), -DER_NONEXIST);
	list = ms_pool_list(e->db, &nr);
	assert_string_equal(list[0].label, "pond");
	assert_string_equal(list[1].label, "tank");
	assert_int_equal(uuid_compare(list[1].uuid, a.uuid), 0);
	assert_int_equal(ms_pool_acl_overwrite(e->db, a.uuid, upd, 1, NULL, 0), -DER_NONEXIST);
	assert_int_equal(ms_pool_acl_update(e->db, a.uuid, upd, 1, NULL, 0), -DER_NONEXIST);
	assert_int_equal(ms_pool_acl_delete(e->db, a.uuid, "OWNER@", NULL, 0), -DER_NONEXIST);
	assert_string_equal(acl_str(e, a.uuid), "A::OWNER@:rw A:G:GROUP@:rw");
	assert_int_equal(ms_pool_set_owner(e->db, a.uuid, "bob@", "bob@", NULL, 0), -DER_NONEXIST);
	assert_string_equal(pool_of(e, "tank")->owner, "alice@");
	assert_string_equal(pool_of(e, "tank")->group, "users@");
	/* Put the directory back for teardown. */
	assert_int_equal(mkdir(e->dir, 0700), 0);
}

/* Run @op with the k-th allocation failing, for every k, until it succeeds; each failure
 * must be -DER_NOMEM and leave the pool's encoding as it was, and nothing may leak. */
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
	struct ms_pool_prop props[] = { { "rd_fac", "1" }, { "ec_cell_sz", "131072" } };
	struct ms_pool_prop space = { "space_rb", "5" };
	char *acl[] = { "A::bob@:r", "A::OWNER@:rw" };
	const char *const upd[] = { "A::bob@:rw", "A:G:proj@:r" };
	struct ms_pool first;
	struct ms_pool a;
	struct ms_pool b;

	/*
	 * Arrays that grow keep their new room when what follows fails (it is owned and
	 * freed with the db): start with a pool, and a pool with a property, so that the
	 * walks see no growth from nothing.
	 */
	pool_init(&first, "first");
	assert_int_equal(ms_pool_add(e->db, &first, NULL, 0), 0);
	pool_init(&a, "tank");
	a.props = &space;
	a.nr_props = 1;
	pool_init(&b, "pond");
	b.props = props;
	b.nr_props = ARRAY_SIZE(props);
	b.acl = acl;
	b.nr_acl = ARRAY_SIZE(acl);
	ALLOC_WALK(e, ms_pool_add(e->db, &a, NULL, 0));
	ALLOC_WALK(e, ms_pool_add(e->db, &b, NULL, 0));
	ALLOC_WALK(e, ms_pool_prop_set(e->db, a.uuid, "reclaim", "lazy", NULL, 0));
	ALLOC_WALK(e, ms_pool_prop_set(e->db, a.uuid, "reclaim", "time", NULL, 0));
	ALLOC_WALK(e, ms_pool_prop_set(e->db, a.uuid, "label", "aquarium", NULL, 0));
	ALLOC_WALK(e, ms_pool_acl_overwrite(e->db, a.uuid, upd, 1, NULL, 0));
	ALLOC_WALK(e, ms_pool_acl_update(e->db, a.uuid, upd, 2, NULL, 0));
	ALLOC_WALK(e, ms_pool_acl_delete(e->db, a.uuid, "u:bob@", NULL, 0));
	ALLOC_WALK(e, ms_pool_set_owner(e->db, a.uuid, "bob@", NULL, NULL, 0));
	assert_string_equal(acl_str(e, a.uuid), "A:G:proj@:r");
	assert_string_equal(ms_pool_prop_get(e->db, a.uuid, "label"), "aquarium");
	assert_string_equal(ms_pool_prop_get(e->db, b.uuid, "rd_fac"), "1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(props_set_get_iterate, setup, teardown),
		cmocka_unit_test_setup_teardown(label_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(acl_default_and_given, setup, teardown),
		cmocka_unit_test_setup_teardown(acl_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(acl_size_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(owner, setup, teardown),
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(file_without_new_fields, setup, teardown),
		cmocka_unit_test(damaged_fields),
		cmocka_unit_test_setup_teardown(failed_save_is_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(alloc_failures, setup, teardown),
	};

	return cmocka_run_group_tests_name("ms_pool", tests, NULL, NULL);
}
