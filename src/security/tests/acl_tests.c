/* SPDX-License-Identifier: Apache-2.0 */
/*
 * acl_tests.c - ACE strings, ACL editing, files, display order, limits, binary form and
 * the evaluation order (owner, named user, groups, everyone).
 */
#include <stdio.h>
#include <unistd.h>

#include "common/test.h"
#include "security/security.h"

static void
ace_round_trips(void **state)
{
	static const char *const good[] = {
		"A::OWNER@:rwdtTaAo",
		"A:G:GROUP@:rwtT",
		"A::bob@:r",
		"A:G:proj@:ct",
		"A::EVERYONE@:r",
		"A::mallory@:",
		"A::alice@example.com:rw",
		"AUL:SF:carol@:rw",
		"U:S:dave@:r",
		"L:F:EVERYONE@:t",
		"A:GP:admins@:rwcdt",
		"A:P:OWNER@:rwcdtTaAo",
		"A::EVERYONE@:",
	};
	char buf[DAOS_ACL_MAX_ACE_STR_LEN + 1];
	struct daos_ace *ace;
	size_t i;
	TEST_ALLOC_MARK();

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(sec_ace_from_str(good[i], &ace), 0);
		assert_true(sec_ace_is_valid(ace));
		assert_int_equal(sec_ace_to_str(ace, buf, sizeof(buf)), 0);
		assert_string_equal(buf, good[i]);
		sec_ace_free(ace);
	}
	TEST_ALLOC_CHECK();
}

/* Letters in any order and repeated come back canonical. */
static void
ace_canonical_order(void **state)
{
	char buf[64];
	struct daos_ace *ace;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_ace_from_str("LUA:FSG:team@:oAaTtdcwrr", &ace), 0);
	assert_int_equal(ace->dae_principal_type, DAOS_ACL_GROUP);
	assert_int_equal(sec_ace_to_str(ace, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "AUL:GSF:team@:rwcdtTaAo");
	assert_int_equal(sec_ace_to_str(ace, buf, 5), -DER_TRUNC);
	/* Different permissions per access type have no string form. */
	ace->dae_audit_perms = DAOS_ACL_PERM_READ;
	assert_int_equal(sec_ace_to_str(ace, buf, sizeof(buf)), -DER_INVAL);
	sec_ace_free(ace);
	TEST_ALLOC_CHECK();
}

static void
ace_invalid_strings(void **state)
{
	char long_name[DAOS_ACL_MAX_PRINCIPAL_LEN + 16];
	char long_ace[sizeof(long_name) + 16];
	static const char *const bad[] = {
		"",
		"A",
		"A::OWNER@",
		"A::OWNER@:r:",
		":::r",
		"::OWNER@:r",
		"X::OWNER@:r",
		"a::OWNER@:r",
		"A:X:OWNER@:r",
		"A::OWNER@:x",
		"A::OWNER@:R",
		"A:G:OWNER@:r",
		"A::GROUP@:r",
		"A:G:EVERYONE@:r",
		"A:::r",
		"A::bob:r",
		"A::@:r",
		"A::@domain:r",
		"A::bob@@x:r",
		"A::bo b@:r",
		"U::bob@:r",
		"A:S:bob@:r",
		"A:F:bob@:r",
		"L::EVERYONE@:r",
		"A::owner@ :r",
		"A::OWNER@:r w",
	};
	struct daos_ace *ace = NULL;
	size_t i;
	TEST_ALLOC_MARK();

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (sec_ace_from_str(bad[i], &ace) != -DER_INVAL)
			fail_msg("'%s' was not rejected", bad[i]);
		assert_null(ace);
	}
	assert_int_equal(sec_ace_from_str(NULL, &ace), -DER_INVAL);
	/* A principal over 255 characters. */
	memset(long_name, 'x', sizeof(long_name) - 2);
	long_name[sizeof(long_name) - 2] = '@';
	long_name[sizeof(long_name) - 1] = '\0';
	snprintf(long_ace, sizeof(long_ace), "A::%s:r", long_name);
	assert_int_equal(sec_ace_from_str(long_ace, &ace), -DER_INVAL);
	/* Exactly 255 is fine. */
	snprintf(long_ace, sizeof(long_ace), "A::%s:r", long_name + (sizeof(long_name) - 256));
	assert_int_equal(sec_ace_from_str(long_ace, &ace), 0);
	assert_int_equal(ace->dae_principal_len, 256);
	sec_ace_free(ace);
	TEST_ALLOC_CHECK();
}

static void
ace_verbose(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(sec_ace_str_verbose("A:G:GROUP@:rwtT", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Allow:Group:GROUP@:Read,Write,Get-Prop,Set-Prop");
	assert_int_equal(sec_ace_str_verbose("AU:PS:bob@:cdaAo", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Allow,Audit:Pool-Inherit,Access-Success:bob@:"
				 "Create-Container,Delete-Container,Get-ACL,Set-ACL,Set-Owner");
	assert_int_equal(sec_ace_str_verbose("L:F:EVERYONE@:", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Alarm:Access-Failure:EVERYONE@:");
	assert_int_equal(sec_ace_str_verbose("A::bob:r", buf, sizeof(buf)), -DER_INVAL);
	assert_int_equal(sec_ace_str_verbose("A::bob@:r", buf, 4), -DER_TRUNC);
}

static void
principal_strings(void **state)
{
	enum daos_acl_principal_type type;
	char *name;

	(void)state;
	assert_int_equal(sec_principal_from_str("u:bob@", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_USER);
	assert_string_equal(name, "bob@");
	d_free(name);
	assert_int_equal(sec_principal_from_str("g:proj@", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_GROUP);
	d_free(name);
	assert_int_equal(sec_principal_from_str("GROUP@", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_OWNER_GROUP);
	assert_null(name);
	assert_int_equal(sec_principal_from_str("EVERYONE@", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_EVERYONE);
	assert_int_equal(sec_principal_from_str("bob@", &type, &name), -DER_INVAL);
	assert_int_equal(sec_principal_from_str("x:bob@", &type, &name), -DER_INVAL);
	assert_int_equal(sec_principal_from_str("u:bob", &type, &name), -DER_INVAL);
}

static char *
acl_str(struct daos_acl *acl)
{
	char *text = NULL;

	assert_int_equal(sec_acl_to_text(acl, NULL, NULL, false, &text), 0);
	return text;
}

static void
acl_display_order_and_edit(void **state)
{
	static const char *const strs[] = {
		"A::EVERYONE@:r", "A:G:zeta@:r",        "A:G:GROUP@:rw", "A::bob@:rw",
		"A:G:alpha@:t",   "A::OWNER@:rwdtTaAo", "A::amy@:",
	};
	struct daos_acl *acl;
	struct daos_ace *ace;
	char **out;
	size_t nr;
	char *text;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_acl_from_strs(strs, ARRAY_SIZE(strs), &acl), 0);
	assert_int_equal(sec_acl_validate(acl), 0);
	assert_int_equal(sec_acl_to_strs(acl, &out, &nr), 0);
	assert_int_equal(nr, 7);
	assert_string_equal(out[0], "A::OWNER@:rwdtTaAo");
	assert_string_equal(out[1], "A::bob@:rw");
	assert_string_equal(out[2], "A::amy@:");
	assert_string_equal(out[3], "A:G:GROUP@:rw");
	assert_string_equal(out[4], "A:G:zeta@:r");
	assert_string_equal(out[5], "A:G:alpha@:t");
	assert_string_equal(out[6], "A::EVERYONE@:r");
	sec_acl_strs_free(out, nr);

	/* Update replaces the principal's entry in place; a new one goes in its class. */
	assert_int_equal(sec_ace_from_str("A::bob@:r", &ace), 0);
	assert_int_equal(sec_acl_add_ace(&acl, ace), 0);
	sec_ace_free(ace);
	assert_int_equal(sec_ace_from_str("A::carl@:t", &ace), 0);
	assert_int_equal(sec_acl_add_ace(&acl, ace), 0);
	sec_ace_free(ace);
	text = acl_str(acl);
	assert_string_equal(text, "# Entries:\nA::OWNER@:rwdtTaAo\nA::bob@:r\nA::amy@:\n"
				  "A::carl@:t\nA:G:GROUP@:rw\nA:G:zeta@:r\nA:G:alpha@:t\n"
				  "A::EVERYONE@:r\n");
	d_free(text);

	/* Delete by principal; a user and a group of the same name are different. */
	assert_int_equal(sec_acl_remove_ace(&acl, DAOS_ACL_GROUP, "bob@"), -DER_NONEXIST);
	assert_int_equal(sec_acl_remove_ace(&acl, DAOS_ACL_USER, "bob@"), 0);
	assert_int_equal(sec_acl_remove_ace(&acl, DAOS_ACL_OWNER_GROUP, NULL), 0);
	assert_int_equal(sec_acl_remove_ace(&acl, DAOS_ACL_EVERYONE, NULL), 0);
	assert_int_equal(sec_acl_remove_ace(&acl, DAOS_ACL_EVERYONE, NULL), -DER_NONEXIST);
	assert_int_equal(sec_acl_remove_ace(&acl, DAOS_ACL_USER, "bob"), -DER_INVAL);
	assert_int_equal(sec_acl_get_ace(acl, DAOS_ACL_GROUP, "zeta@", &ace), 0);
	assert_int_equal(ace->dae_allow_perms, DAOS_ACL_PERM_READ);
	text = acl_str(acl);
	assert_string_equal(text, "# Entries:\nA::OWNER@:rwdtTaAo\nA::amy@:\nA::carl@:t\n"
				  "A:G:zeta@:r\nA:G:alpha@:t\n");
	d_free(text);
	sec_acl_free(acl);

	/* Duplicates in one list are refused. */
	{
		static const char *const dup[] = { "A::bob@:r", "A::bob@:w" };

		assert_int_equal(sec_acl_from_strs(dup, 2, &acl), -DER_INVAL);
	}
	TEST_ALLOC_CHECK();
}

static void
acl_text_display(void **state)
{
	struct daos_acl *acl;
	char *text;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_acl_from_strs(NULL, 0, &acl), 0);
	assert_int_equal(sec_acl_to_text(acl, "alice@", "users@", false, &text), 0);
	assert_string_equal(text, "# Owner: alice@\n# Owner Group: users@\n# Entries:\n#   None\n");
	d_free(text);
	sec_acl_free(acl);
	assert_int_equal(sec_acl_default_pool(&acl), 0);
	assert_int_equal(sec_acl_to_text(acl, "alice@", "users@", true, &text), 0);
	assert_string_equal(text, "# Owner: alice@\n# Owner Group: users@\n# Entries:\n"
				  "# Allow::OWNER@:Read,Write\nA::OWNER@:rw\n"
				  "# Allow:Group:GROUP@:Read,Write\nA:G:GROUP@:rw\n");
	d_free(text);
	assert_int_equal(sec_acl_pool_validate(acl), 0);
	sec_acl_free(acl);
	TEST_ALLOC_CHECK();
}

static void
acl_file_parsing(void **state)
{
	static const char text[] = "# An ACL file\n"
				   "\n"
				   "   # indented comment\n"
				   "A::OWNER@:rw\r\n"
				   "\tA:G:GROUP@:r   \n"
				   "A::EVERYONE@:t";
	static const char bad[] = "A::OWNER@:rw\nnot an ace\n";
	static const char dup[] = "A::bob@:rw\nA::bob@:r\n";
	struct daos_acl *acl;
	char *dir;
	char *path;
	char **strs;
	size_t nr;
	FILE *f;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_acl_from_text(text, sizeof(text) - 1, &acl), 0);
	assert_int_equal(sec_acl_to_strs(acl, &strs, &nr), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(strs[1], "A:G:GROUP@:r");
	sec_acl_strs_free(strs, nr);
	sec_acl_free(acl);
	assert_int_equal(sec_acl_from_text(bad, sizeof(bad) - 1, &acl), -DER_INVAL);
	assert_int_equal(sec_acl_from_text(dup, sizeof(dup) - 1, &acl), -DER_INVAL);
	assert_int_equal(sec_acl_from_text("", 0, &acl), 0);
	assert_int_equal(acl->dal_len, 0);
	sec_acl_free(acl);

	dir = test_tmpdir("acl");
	assert_non_null(dir);
	assert_true(d_asprintf(&path, "%s/acl.txt", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(sec_acl_from_file(path, &acl), 0);
	assert_int_equal(sec_acl_cont_validate(acl), 0);
	sec_acl_free(acl);
	unlink(path);
	assert_int_equal(sec_acl_from_file(path, &acl), -DER_NONEXIST);
	rmdir(dir);
	d_free(path);
	d_free(dir);
	TEST_ALLOC_CHECK();
}

static void
acl_size_limit(void **state)
{
	char name[300];
	char ace[400];
	struct daos_acl *acl;
	struct daos_ace *e;
	int i;
	int rc = 0;
	TEST_ALLOC_MARK();

	(void)state;
	/* Entries of 32 + 256 bytes: 227 fit in 64 KiB, the 228th does not. */
	assert_int_equal(sec_acl_from_strs(NULL, 0, &acl), 0);
	for (i = 0; rc == 0; i++) {
		snprintf(name, sizeof(name), "%0250d@", i);
		snprintf(ace, sizeof(ace), "A::%s:r", name);
		assert_int_equal(sec_ace_from_str(ace, &e), 0);
		rc = sec_acl_add_ace(&acl, e);
		sec_ace_free(e);
	}
	assert_int_equal(rc, -DER_INVAL);
	assert_int_equal(i - 1, DAOS_ACL_MAX_ACE_LEN / (32 + 256));
	assert_true(acl->dal_len <= DAOS_ACL_MAX_ACE_LEN);
	assert_int_equal(sec_acl_validate(acl), 0);
	sec_acl_free(acl);
	TEST_ALLOC_CHECK();
}

static void
acl_validate_resource(void **state)
{
	static const char *const pool[] = { "A::OWNER@:rwcdt" };
	static const char *const cont[] = { "A::OWNER@:rwdtTaAo" };
	static const char *const pool_bad[] = { "A::OWNER@:rT" };
	static const char *const cont_bad[] = { "A::bob@:c" };
	struct daos_acl *acl;

	(void)state;
	assert_int_equal(sec_acl_from_strs(pool, 1, &acl), 0);
	assert_int_equal(sec_acl_pool_validate(acl), 0);
	assert_int_equal(sec_acl_cont_validate(acl), -DER_INVAL);
	sec_acl_free(acl);
	assert_int_equal(sec_acl_from_strs(cont, 1, &acl), 0);
	assert_int_equal(sec_acl_cont_validate(acl), 0);
	assert_int_equal(sec_acl_pool_validate(acl), -DER_INVAL);
	sec_acl_free(acl);
	assert_int_equal(sec_acl_from_strs(pool_bad, 1, &acl), 0);
	assert_int_equal(sec_acl_pool_validate(acl), -DER_INVAL);
	sec_acl_free(acl);
	assert_int_equal(sec_acl_from_strs(cont_bad, 1, &acl), 0);
	assert_int_equal(sec_acl_cont_validate(acl), -DER_INVAL);
	sec_acl_free(acl);
	assert_int_equal(sec_acl_default_cont(&acl), 0);
	assert_int_equal(sec_acl_cont_validate(acl), 0);
	sec_acl_free(acl);
}

static void
acl_binary_round_trip(void **state)
{
	static const char *const strs[] = { "A::OWNER@:rwdtTaAo", "A::bob@:r", "A:G:GROUP@:rw",
					    "AU:GS:proj@:t", "A::EVERYONE@:" };
	struct daos_acl *acl;
	struct daos_acl *again;
	uint8_t wire[1024];
	struct buf out = BUF_INIT(wire, sizeof(wire));
	struct buf small = BUF_INIT(wire, 10);
	size_t len;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_acl_from_strs(strs, ARRAY_SIZE(strs), &acl), 0);
	assert_int_equal(sec_acl_encode(acl, &out), 0);
	len = out.off;
	assert_int_equal(len, sec_acl_size(acl));
	/* On a little-endian host the wire form is the memory layout. */
	assert_memory_equal(wire, acl, len);
	assert_int_equal(sec_acl_decode(wire, len, &again), 0);
	assert_int_equal(sec_acl_size(again), len);
	assert_memory_equal(again, acl, len);
	sec_acl_free(again);
	assert_int_equal(sec_acl_encode(acl, &small), -DER_OVERFLOW);

	/* Cut short, trailing bytes, bad version, claimed length, bad entry. */
	assert_int_equal(sec_acl_decode(wire, len - 1, &again), -DER_PROTO);
	assert_int_equal(sec_acl_decode(wire, 4, &again), -DER_PROTO);
	wire[len] = 0;
	assert_int_equal(sec_acl_decode(wire, len + 1, &again), -DER_PROTO);
	wire[0] = 2;
	assert_int_equal(sec_acl_decode(wire, len, &again), -DER_PROTO);
	wire[0] = 1;
	wire[8 + 1] = NUM_DAOS_ACL_TYPES;
	assert_int_equal(sec_acl_decode(wire, len, &again), -DER_PROTO);
	sec_acl_free(acl);
	TEST_ALLOC_CHECK();
}

/* Evaluation: the checks of DAOS's order. */
static void
acl_evaluation(void **state)
{
	static const char *const strs[] = {
		"A::OWNER@:rwdtTaAo", "A::bob@:r",  "A::mallory@:",   "A:G:GROUP@:rwt",
		"A:G:proj@:c",        "A:G:ops@:d", "A::EVERYONE@:t",
	};
	static const char *const proj_ops[] = { "proj@", "ops@" };
	static const char *const proj[] = { "proj@" };
	struct sec_subject who = { 0 };
	struct daos_acl *acl;
	uint64_t perms;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_acl_from_strs(strs, ARRAY_SIZE(strs), &acl), 0);

	/* The owner gets the owner entry only, even in matching groups. */
	who.user = "alice@";
	who.group = "users@";
	who.groups = proj;
	who.nr_groups = 1;
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
	assert_int_equal(perms, DAOS_ACL_PERM_CONT_ALL);

	/* A named user entry wins over the groups the user is in. */
	who.user = "bob@";
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
	assert_int_equal(perms, DAOS_ACL_PERM_READ);

	/* An empty user entry denies, whatever the groups allow. */
	who.user = "mallory@";
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
	assert_int_equal(perms, 0);

	/* Groups: the union of owner group and supplementary groups. */
	who.user = "carol@";
	who.groups = proj_ops;
	who.nr_groups = 2;
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
	assert_int_equal(perms, DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE | DAOS_ACL_PERM_GET_PROP |
					DAOS_ACL_PERM_CREATE_CONT | DAOS_ACL_PERM_DEL_CONT);
	/* GROUP@ also matches through a supplementary group. */
	who.group = "other@";
	who.groups = (const char *const[]){ "users@" };
	who.nr_groups = 1;
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
	assert_int_equal(perms, DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE | DAOS_ACL_PERM_GET_PROP);

	/* No user or group match: everyone. */
	who.user = "dan@";
	who.group = "other@";
	who.nr_groups = 0;
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
	assert_int_equal(perms, DAOS_ACL_PERM_GET_PROP);

	/* Without EVERYONE@: nothing. */
	assert_int_equal(sec_acl_remove_ace(&acl, DAOS_ACL_EVERYONE, NULL), 0);
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
	assert_int_equal(perms, 0);

	/* The owner without an OWNER@ entry falls through to the groups. */
	assert_int_equal(sec_acl_remove_ace(&acl, DAOS_ACL_OWNER, NULL), 0);
	who.user = "alice@";
	who.group = "users@";
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
	assert_int_equal(perms, DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE | DAOS_ACL_PERM_GET_PROP);

	/* A group with an empty entry cannot deny: the union still allows. */
	{
		struct daos_ace *ace;

		assert_int_equal(sec_ace_from_str("A:G:ops@:", &ace), 0);
		assert_int_equal(sec_acl_add_ace(&acl, ace), 0);
		sec_ace_free(ace);
		who.user = "erin@";
		who.group = "ops@";
		who.groups = proj;
		who.nr_groups = 1;
		assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", &who, &perms), 0);
		assert_int_equal(perms, DAOS_ACL_PERM_CREATE_CONT);
	}
	assert_int_equal(sec_acl_get_perms(acl, "alice@", "users@", NULL, &perms), -DER_INVAL);
	sec_acl_free(acl);
	TEST_ALLOC_CHECK();
}

static void
acl_alloc_failures(void **state)
{
	static const char *const strs[] = { "A::OWNER@:rw", "A::bob@:r", "A:G:GROUP@:rw" };
	struct daos_acl *acl = NULL;
	uint64_t nth;
	int rc;
	TEST_ALLOC_MARK();

	(void)state;
	for (nth = 1;; nth++) {
		d_alloc_fail_nth(nth);
		rc = sec_acl_from_strs(strs, ARRAY_SIZE(strs), &acl);
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		TEST_ALLOC_CHECK();
	}
	sec_acl_free(acl);
	TEST_ALLOC_CHECK();
}

/* Printing an ACL reports each failed allocation as -DER_NOMEM, never as a bad ACL. */
static void
acl_to_strs_alloc_failures(void **state)
{
	static const char *const strs[] = { "A::OWNER@:rw", "A::bob@:r", "A:G:GROUP@:rw" };
	struct daos_acl *acl = NULL;
	char **out = NULL;
	size_t nr = 0;
	uint64_t live;
	uint64_t nth;
	int rc;
	TEST_ALLOC_MARK();

	(void)state;
	assert_int_equal(sec_acl_from_strs(strs, ARRAY_SIZE(strs), &acl), 0);
	live = d_alloc_nr_live();
	for (nth = 1;; nth++) {
		d_alloc_fail_nth(nth);
		rc = sec_acl_to_strs(acl, &out, &nr);
		if (d_alloc_fail_pending() != 0) {
			d_alloc_fail_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -DER_NOMEM);
		assert_null(out);
		assert_int_equal(d_alloc_nr_live(), live);
	}
	/* validation, entry array, result array, one string per entry */
	assert_true(nth > 3);
	assert_int_equal(nr, ARRAY_SIZE(strs));
	assert_string_equal(out[1], "A::bob@:r");
	sec_acl_strs_free(out, nr);
	sec_acl_free(acl);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ace_round_trips),
		cmocka_unit_test(ace_canonical_order),
		cmocka_unit_test(ace_invalid_strings),
		cmocka_unit_test(ace_verbose),
		cmocka_unit_test(principal_strings),
		cmocka_unit_test(acl_display_order_and_edit),
		cmocka_unit_test(acl_text_display),
		cmocka_unit_test(acl_file_parsing),
		cmocka_unit_test(acl_size_limit),
		cmocka_unit_test(acl_validate_resource),
		cmocka_unit_test(acl_binary_round_trip),
		cmocka_unit_test(acl_evaluation),
		cmocka_unit_test(acl_alloc_failures),
		cmocka_unit_test(acl_to_strs_alloc_failures),
	};

	return cmocka_run_group_tests_name("security_acl", tests, NULL, NULL);
}
