/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cont_prop_tests.c - the container property table and the one parser of container
 * property strings: the CLI's "k:v,k:v" lists (every kind of value, DAOS's aliases, the
 * errors naming the property) and daos_prop_from_str()'s "k:v;k:v;" strings (several
 * keys, the final ';', @len shorter than the string, bytes with no NUL, every class of
 * error with its log line, allocation failures), and daos_prop_merge2()/daos_prop_merge()
 * (overrides, extra entries, deep copies). Each test checks that it freed what it took.
 */
#define D_LOGFAC DD_FAC(tests)

#include <daos_security.h>
#include <stdio.h>

#include "common/test.h"
#include "rpc/cont_prop.h"

/* ---- the CLI's lists ---- */

static struct daos_prop_entry *
find(daos_prop_t *p, uint32_t type)
{
	struct daos_prop_entry *e = cont_props_find(p, type);

	assert_non_null(e);
	return e;
}

/* seed 003's --properties, and every other settable key with DAOS's value names. */
static void
props_create(void **state)
{
	daos_prop_t p = { 0 };
	struct daos_co_status st;
	char err[256];

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(cont_props_parse("rd_fac:3,ec_cell_sz:131072,cksum:crc32,srv_cksum:on",
					  CONT_PROP_USE_CREATE, &p, err, sizeof(err)),
			 0);
	assert_int_equal(p.dpp_nr, 4);
	assert_int_equal(find(&p, DAOS_PROP_CO_REDUN_FAC)->dpe_val, 3);
	assert_int_equal(find(&p, DAOS_PROP_CO_EC_CELL_SZ)->dpe_val, 131072);
	assert_int_equal(find(&p, DAOS_PROP_CO_CSUM)->dpe_val, DAOS_PROP_CO_CSUM_CRC32);
	assert_int_equal(find(&p, DAOS_PROP_CO_CSUM_SERVER_VERIFY)->dpe_val,
			 DAOS_PROP_CO_CSUM_SV_ON);
	cont_props_fini(&p);

	assert_int_equal(
		cont_props_parse("label:results,rd_lvl:rank,cksum_size:64KiB,dedup:hash,"
				 "dedup_threshold:8k,compression:lz4,"
				 "encryption:aes-gcm256,ec_pda:2,rp_pda:3,perf_domain:root",
				 CONT_PROP_USE_CREATE, &p, err, sizeof(err)),
		0);
	assert_string_equal(find(&p, DAOS_PROP_CO_LABEL)->dpe_str, "results");
	assert_int_equal(find(&p, DAOS_PROP_CO_REDUN_LVL)->dpe_val, DAOS_PROP_CO_REDUN_RANK);
	assert_int_equal(find(&p, DAOS_PROP_CO_CSUM_CHUNK_SIZE)->dpe_val, 65536);
	assert_int_equal(find(&p, DAOS_PROP_CO_DEDUP)->dpe_val, DAOS_PROP_CO_DEDUP_HASH);
	assert_int_equal(find(&p, DAOS_PROP_CO_DEDUP_THRESHOLD)->dpe_val, 8000);
	assert_int_equal(find(&p, DAOS_PROP_CO_COMPRESS)->dpe_val, DAOS_PROP_CO_COMPRESS_LZ4);
	assert_int_equal(find(&p, DAOS_PROP_CO_ENCRYPT)->dpe_val, DAOS_PROP_CO_ENCRYPT_AES_GCM256);
	assert_int_equal(find(&p, DAOS_PROP_CO_EC_PDA)->dpe_val, 2);
	assert_int_equal(find(&p, DAOS_PROP_CO_RP_PDA)->dpe_val, 3);
	assert_int_equal(find(&p, DAOS_PROP_CO_PERF_DOMAIN)->dpe_val, DAOS_PROP_PERF_DOMAIN_ROOT);
	cont_props_fini(&p);

	/* DAOS's deprecated aliases, numbers for choices, case-insensitive names */
	assert_int_equal(cont_props_parse("rf:2,rf_lvl:1,CKSUM:SHA256", CONT_PROP_USE_CREATE, &p,
					  err, sizeof(err)),
			 -DER_NONEXIST);
	cont_props_fini(&p);
	assert_int_equal(cont_props_parse("rf:2,rf_lvl:1,cksum:SHA256", CONT_PROP_USE_CREATE, &p,
					  err, sizeof(err)),
			 0);
	assert_int_equal(find(&p, DAOS_PROP_CO_REDUN_FAC)->dpe_val, 2);
	assert_int_equal(find(&p, DAOS_PROP_CO_REDUN_LVL)->dpe_val, 1);
	assert_int_equal(find(&p, DAOS_PROP_CO_CSUM)->dpe_val, DAOS_PROP_CO_CSUM_SHA256);
	cont_props_fini(&p);

	/* set-prop: the label, and status:HEALTHY as seed 003 types it */
	assert_int_equal(cont_props_parse("status:HEALTHY,label:renamed", CONT_PROP_USE_SET, &p,
					  err, sizeof(err)),
			 0);
	daos_prop_val_2_co_status(find(&p, DAOS_PROP_CO_STATUS)->dpe_val, &st);
	assert_int_equal(st.dcs_status, DAOS_PROP_CO_HEALTHY);
	assert_int_equal(st.dcs_flags, DAOS_PROP_CO_CLEAR);
	assert_string_equal(find(&p, DAOS_PROP_CO_LABEL)->dpe_str, "renamed");
	cont_props_fini(&p);
	TEST_ALLOC_CHECK();
}

/* Every refusal names the property and what it expected. */
static void
props_errors(void **state)
{
	static const struct {
		const char *str;
		enum cont_prop_use use;
		int rc;
		const char *msg;
	} bad[] = {
		{ "rd_fac:5", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "invalid value \"5\" for property rd_fac: expected 0-4" },
		{ "cksum:md5", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "invalid value \"md5\" for property cksum" },
		{ "ec_cell_sz:1000", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "for property ec_cell_sz: expected 4KiB-1MiB" },
		{ "ec_cell_sz:4100", CONT_PROP_USE_CREATE, -DER_INVAL, "a multiple of 32" },
		{ "rd_lvl:3", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "for property rd_lvl: expected rank, node, 1, 2" },
		{ "frob:1", CONT_PROP_USE_CREATE, -DER_NONEXIST,
		  "unknown container property \"frob\"" },
		{ "layout_type:POSIX", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "property layout_type cannot be set this way: set with --type at create" },
		{ "alloc_oid:7", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "property alloc_oid is read-only" },
		{ "acl:A::bob@:r", CONT_PROP_USE_CREATE, -DER_INVAL, "set with the ACL commands" },
		{ "owner:bob@", CONT_PROP_USE_SET, -DER_INVAL, "set with set-owner" },
		{ "rd_fac:1", CONT_PROP_USE_SET, -DER_INVAL,
		  "property rd_fac can only be set at container create" },
		{ "status:UNCLEAN", CONT_PROP_USE_SET, -DER_INVAL,
		  "invalid value \"UNCLEAN\" for property status: expected healthy" },
		{ "label:a b", CONT_PROP_USE_CREATE, -DER_INVAL, "invalid label \"a b\"" },
		{ "label:12345678-1234-1234-1234-123456789abc", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "may not be a UUID" },
		{ "rd_fac:1,rf:2", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "property rd_fac given twice" },
		{ "rd_fac", CONT_PROP_USE_CREATE, -DER_INVAL,
		  "invalid property \"rd_fac\": expected key:value" },
		{ "", CONT_PROP_USE_CREATE, -DER_INVAL, "empty property list" },
	};
	daos_prop_t p = { 0 };
	char err[256];
	unsigned int i;

	(void)state;
	TEST_ALLOC_MARK();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(cont_props_parse(bad[i].str, bad[i].use, &p, err, sizeof(err)),
				 bad[i].rc);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("\"%s\": got \"%s\"", bad[i].str, err);
		cont_props_fini(&p);
	}
	assert_int_equal(cont_props_parse_names("label,status,rf", &p, err, sizeof(err)), 0);
	assert_int_equal(p.dpp_nr, 3);
	assert_non_null(cont_props_find(&p, DAOS_PROP_CO_REDUN_FAC));
	cont_props_fini(&p);
	assert_int_equal(cont_props_parse_names("label,,status", &p, err, sizeof(err)), -DER_INVAL);
	cont_props_fini(&p);
	assert_int_equal(cont_props_parse_names("nope", &p, err, sizeof(err)), -DER_NONEXIST);
	assert_non_null(strstr(err, "unknown container property \"nope\""));
	cont_props_fini(&p);
	TEST_ALLOC_CHECK();
}

/* The table is DAOS's: every key once, every type once, descriptions as DAOS shows them. */
static void
props_table(void **state)
{
	unsigned int i, j;
	uint64_t t;

	(void)state;
	assert_int_equal(cont_prop_count(), DAOS_PROP_CO_NUM);
	for (i = 0; i < cont_prop_count(); i++) {
		const struct cont_prop_def *d = cont_prop_at(i);

		assert_ptr_equal(cont_prop_lookup(d->def.key), d);
		assert_ptr_equal(cont_prop_by_type(d->type), d);
		/* the width of get-prop's table is that of seed 003 */
		assert_true(strlen(d->def.desc) + strlen(d->def.key) + 3 <= 48);
		for (j = 0; j < i; j++)
			assert_int_not_equal(cont_prop_at(j)->type, d->type);
	}
	assert_null(cont_prop_at(cont_prop_count()));
	assert_string_equal(cont_prop_lookup("status")->def.desc, "Health");
	assert_string_equal(cont_prop_lookup("rd_lvl")->def.desc,
			    "Redundancy Level (rank=1, node=2)");
	assert_int_equal(cont_layout_parse("posix", &t), 0);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_POSIX);
	assert_int_equal(cont_layout_parse("DB", &t), 0);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_DATABASE);
	assert_int_equal(cont_layout_parse("FDB", &t), 0);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_METEO);
	assert_int_equal(cont_layout_parse("RNTuple", &t), 0);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_ROOT);
	assert_int_equal(cont_layout_parse("ext4", &t), -DER_INVAL);
	assert_string_equal(cont_layout_name(DAOS_PROP_CO_LAYOUT_HDF5), "HDF5");
	assert_string_equal(cont_layout_name(99), "unknown");
}

/* ---- daos_prop_from_str() ---- */

static void
check_entry_num(daos_prop_t *p, uint32_t type, uint64_t want)
{
	struct daos_prop_entry *e = daos_prop_entry_get(p, type);

	assert_non_null(e);
	assert_int_equal(e->dpe_val, want);
}

/* Several keys, with and without the final ';', as HDF5's DAOS connector passes them. */
static void
from_str_good(void **state)
{
	static const char five[] = "label:h5cont;cksum:crc64;cksum_size:16KiB;srv_cksum:on;rf:1;";
	daos_prop_t *p = NULL;

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(daos_prop_from_str(five, strlen(five), &p), 0);
	assert_int_equal(p->dpp_nr, 5);
	assert_string_equal(daos_prop_entry_get(p, DAOS_PROP_CO_LABEL)->dpe_str, "h5cont");
	check_entry_num(p, DAOS_PROP_CO_CSUM, DAOS_PROP_CO_CSUM_CRC64);
	check_entry_num(p, DAOS_PROP_CO_CSUM_CHUNK_SIZE, 16384);
	check_entry_num(p, DAOS_PROP_CO_CSUM_SERVER_VERIFY, DAOS_PROP_CO_CSUM_SV_ON);
	check_entry_num(p, DAOS_PROP_CO_REDUN_FAC, 1);
	/* the list is libdaos's: daos_prop_free() frees all of it */
	daos_prop_free(p);
	p = NULL;

	/* no final ';'; the terminating NUL counted in @len */
	assert_int_equal(daos_prop_from_str("dedup:hash;dedup_threshold:64k", 31, &p), 0);
	assert_int_equal(p->dpp_nr, 2);
	check_entry_num(p, DAOS_PROP_CO_DEDUP, DAOS_PROP_CO_DEDUP_HASH);
	check_entry_num(p, DAOS_PROP_CO_DEDUP_THRESHOLD, 64000);
	daos_prop_free(p);
	p = NULL;

	/* every other key a container may be created with */
	assert_int_equal(daos_prop_from_str(
				 "compression:lz4;encryption:aes-xts256;rd_lvl:1;ec_cell_sz:64KiB;"
				 "ec_pda:2;rp_pda:3;perf_domain:group;status:healthy",
				 SIZE_MAX, &p),
			 0);
	assert_int_equal(p->dpp_nr, 8);
	check_entry_num(p, DAOS_PROP_CO_COMPRESS, DAOS_PROP_CO_COMPRESS_LZ4);
	check_entry_num(p, DAOS_PROP_CO_ENCRYPT, DAOS_PROP_CO_ENCRYPT_AES_XTS256);
	check_entry_num(p, DAOS_PROP_CO_REDUN_LVL, DAOS_PROP_CO_REDUN_RANK);
	check_entry_num(p, DAOS_PROP_CO_EC_CELL_SZ, 65536);
	check_entry_num(p, DAOS_PROP_CO_EC_PDA, 2);
	check_entry_num(p, DAOS_PROP_CO_RP_PDA, 3);
	check_entry_num(p, DAOS_PROP_CO_PERF_DOMAIN, DAOS_PROP_PERF_DOMAIN_GROUP);
	check_entry_num(p, DAOS_PROP_CO_STATUS,
			DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_HEALTHY, DAOS_PROP_CO_CLEAR, 0));
	daos_prop_free(p);
	p = NULL;

	/* layout_type, which the CLI takes from --type: by name, by --type's aliases, by number */
	assert_int_equal(daos_prop_from_str("layout_type:hdf5", 16, &p), 0);
	check_entry_num(p, DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_HDF5);
	daos_prop_free(p);
	assert_int_equal(daos_prop_from_str("layout_type:DB;", 15, &p), 0);
	check_entry_num(p, DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_DATABASE);
	daos_prop_free(p);
	assert_int_equal(daos_prop_from_str("layout_type:1", 13, &p), 0);
	check_entry_num(p, DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_POSIX);
	daos_prop_free(p);
	TEST_ALLOC_CHECK();
}

/* Only the first @len bytes count, and they need no NUL after them. */
static void
from_str_len(void **state)
{
	/* no NUL anywhere: ASan reports a read past the array */
	static const char bytes[] = { 'r', 'd', '_', 'f', 'a', 'c', ':', '2', ';',
				      'l', 'a', 'b', 'e', 'l', ':', 'a', 'b', 'c' };
	static const char s[] = "label:abcdef;cksum:crc32;";
	daos_prop_t *p = NULL;

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(daos_prop_from_str(bytes, sizeof(bytes), &p), 0);
	assert_int_equal(p->dpp_nr, 2);
	check_entry_num(p, DAOS_PROP_CO_REDUN_FAC, 2);
	assert_string_equal(daos_prop_entry_get(p, DAOS_PROP_CO_LABEL)->dpe_str, "abc");
	daos_prop_free(p);

	/* cut after the first pair, after its ';', inside its value */
	assert_int_equal(daos_prop_from_str(s, 12, &p), 0);
	assert_int_equal(p->dpp_nr, 1);
	assert_string_equal(daos_prop_entry_get(p, DAOS_PROP_CO_LABEL)->dpe_str, "abcdef");
	daos_prop_free(p);
	assert_int_equal(daos_prop_from_str(s, 13, &p), 0);
	assert_int_equal(p->dpp_nr, 1);
	daos_prop_free(p);
	assert_int_equal(daos_prop_from_str(s, 8, &p), 0);
	assert_string_equal(daos_prop_entry_get(p, DAOS_PROP_CO_LABEL)->dpe_str, "ab");
	daos_prop_free(p);
	/* into the second pair: "cksum:c" is not a checksum */
	p = NULL;
	assert_int_equal(daos_prop_from_str(s, 20, &p), -DER_INVAL);
	assert_null(p);
	/* a NUL before @len ends the string */
	assert_int_equal(daos_prop_from_str("rd_fac:1\0garbage", 16, &p), 0);
	assert_int_equal(p->dpp_nr, 1);
	daos_prop_free(p);
	TEST_ALLOC_CHECK();
}

/* Read the log file at @path into a new string for free(). */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	assert_non_null(f);
	buf = calloc(1, 1 << 16);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * Every kind of bad string is -DER_INVAL, leaves *prop alone, frees what it built, and
 * logs one error line naming what was wrong.
 */
static void
from_str_errors(void **state)
{
	static const struct {
		const char *str;
		size_t len; /* bytes given, with the NUL where there is one before the end */
		const char *logged;
	} bad[] = {
		{ "", 1, "empty property list" },
		{ ";", 1, "empty property list" },
		{ "label:a", 0, "empty property list" },
		{ "\0label:a", 8, "empty property list" },
		{ "nosuch:1", 8, "unknown container property \"nosuch\"" },
		{ "label:a;frob:2;", 15, "unknown container property \"frob\"" },
		{ "cksum:md5", 9, "invalid value \"md5\" for property cksum" },
		{ "rd_fac:5", 8, "invalid value \"5\" for property rd_fac: expected 0-4" },
		{ "ec_cell_sz:4100", 15, "invalid value \"4100\" for property ec_cell_sz" },
		{ "cksum_size:big", 14, "invalid value \"big\" for property cksum_size" },
		{ "label:not a label", 17, "invalid label \"not a label\"" },
		{ "label:", 6, "invalid label \"\"" },
		{ "status:unclean", 14, "invalid value \"unclean\" for property status" },
		{ "layout_type:ext4", 16, "invalid value \"ext4\" for property layout_type" },
		{ "label", 5, "invalid property \"label\": expected key:value" },
		{ ":x", 2, "invalid property \":x\": expected key:value" },
		{ "label:a;;cksum:crc32", 20, "invalid property \"\": expected key:value" },
		{ "label:b;;", 9, "invalid property \"\": expected key:value" },
		{ "rd_fac:1;rf:2", 13, "property rd_fac given twice" },
		{ "alloc_oid:7", 11, "property alloc_oid is read-only" },
		{ "owner:bob@", 10, "property owner cannot be set this way: set with set-owner" },
		{ "acl:A::bob@:r", 13, "property acl cannot be set this way" },
	};
	char *path = test_tmpdir("cont_prop_tests");
	char log[4200], long_pair[600], *text;
	daos_prop_t *sentinel = (daos_prop_t *)&bad, *p;
	unsigned int i;

	(void)state;
	assert_non_null(path);
	snprintf(log, sizeof(log), "%s/log", path);
	setenv("D_LOG_FILE", log, 1);
	assert_int_equal(d_log_init(), 0);

	TEST_ALLOC_MARK();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = sentinel;
		if (daos_prop_from_str(bad[i].str, bad[i].len, &p) != -DER_INVAL)
			fail_msg("\"%s\" (%zu bytes) was not refused", bad[i].str, bad[i].len);
		assert_ptr_equal(p, sentinel);
	}
	/* a pair too long to be a property, however long the string */
	memset(long_pair, 'a', sizeof(long_pair));
	memcpy(long_pair, "label:", 6);
	p = sentinel;
	assert_int_equal(daos_prop_from_str(long_pair, sizeof(long_pair), &p), -DER_INVAL);
	assert_ptr_equal(p, sentinel);
	/* NULL arguments */
	assert_int_equal(daos_prop_from_str(NULL, 10, &p), -DER_INVAL);
	assert_int_equal(daos_prop_from_str("label:a", 7, NULL), -DER_INVAL);
	assert_ptr_equal(p, sentinel);
	TEST_ALLOC_CHECK();

	d_log_fini();
	unsetenv("D_LOG_FILE");
	text = slurp(log);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (strstr(text, bad[i].logged) == NULL)
			fail_msg("no error logged for \"%s\": wanted \"%s\"", bad[i].str,
				 bad[i].logged);
	assert_non_null(strstr(text, "property \"label:aaaaaaaa"));
	assert_non_null(strstr(text, "is too long"));
	assert_non_null(strstr(text, "the string is NULL"));
	assert_non_null(strstr(text, "the result pointer is NULL"));
	assert_non_null(strstr(text, "DER_INVAL"));
	free(text);
	unlink(log);
	rmdir(path);
	d_free(path);
}

/* Both syntaxes are one parser: the same pairs give the same entries. */
static void
from_str_matches_cli(void **state)
{
	static const char cli[] = "label:same,cksum:sha1,rd_lvl:node,dedup_threshold:1MiB";
	static const char api[] = "label:same;cksum:sha1;rd_lvl:node;dedup_threshold:1MiB;";
	daos_prop_t ours = { 0 };
	daos_prop_t *theirs = NULL;
	char err[256];
	uint32_t i;

	(void)state;
	TEST_ALLOC_MARK();
	assert_int_equal(cont_props_parse(cli, CONT_PROP_USE_CREATE, &ours, err, sizeof(err)), 0);
	assert_int_equal(daos_prop_from_str(api, strlen(api), &theirs), 0);
	assert_int_equal(ours.dpp_nr, theirs->dpp_nr);
	for (i = 0; i < ours.dpp_nr; i++) {
		struct daos_prop_entry *a = &ours.dpp_entries[i], *b = &theirs->dpp_entries[i];

		assert_int_equal(a->dpe_type, b->dpe_type);
		if (a->dpe_type == DAOS_PROP_CO_LABEL)
			assert_string_equal(a->dpe_str, b->dpe_str);
		else
			assert_int_equal(a->dpe_val, b->dpe_val);
	}
	cont_props_fini(&ours);
	daos_prop_free(theirs);
	TEST_ALLOC_CHECK();
}

/* Out of memory at every allocation in turn: -DER_NOMEM, nothing kept, *prop alone. */
static void
from_str_nomem(void **state)
{
	static const char s[] = "label:mem;cksum:crc16;rd_fac:2;";
	daos_prop_t *sentinel = (daos_prop_t *)&s, *p;
	uint64_t k, pending, live;
	int rc;

	(void)state;
	for (k = 1;; k++) {
		live = d_alloc_nr_live();
		p = sentinel;
		d_alloc_fail_nth(k);
		rc = daos_prop_from_str(s, sizeof(s), &p);
		pending = d_alloc_fail_pending();
		d_alloc_fail_nth(0);
		if (pending != 0 || rc == 0)
			break;
		assert_int_equal(rc, -DER_NOMEM);
		assert_ptr_equal(p, sentinel);
		assert_int_equal(d_alloc_nr_live(), live);
	}
	assert_int_equal(rc, 0);
	assert_true(k > 3);
	assert_int_equal(p->dpp_nr, 3);
	daos_prop_free(p);
	assert_int_equal(d_alloc_nr_live(), live);
}

/* ---- daos_prop_merge2(), daos_prop_merge() ---- */

/* A list with a label, a number and an ACL, as daos_cont_query() returns them. */
static daos_prop_t *
old_list(void)
{
	uint8_t acl[sizeof(struct daos_acl) + 8];
	struct daos_acl hdr = { .dal_ver = 1, .dal_len = 8 };
	daos_prop_t *p = daos_prop_alloc(3);
	int i;

	assert_non_null(p);
	memcpy(acl, &hdr, sizeof(hdr));
	for (i = 0; i < 8; i++)
		acl[sizeof(hdr) + i] = (uint8_t)(i + 1);
	p->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
	assert_int_equal(daos_prop_set_str(p, DAOS_PROP_CO_LABEL, "old", 3), 0);
	p->dpp_entries[1].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	p->dpp_entries[1].dpe_val = 1;
	p->dpp_entries[2].dpe_type = DAOS_PROP_CO_ACL;
	assert_int_equal(daos_prop_set_ptr(p, DAOS_PROP_CO_ACL, &acl, sizeof(acl)), 0);
	return p;
}

/* New entries override old ones of their type, the rest of both is kept, all copied. */
static void
merge_overrides_and_copies(void **state)
{
	daos_prop_t *old, *new, *m = NULL;
	struct daos_prop_entry *e;
	struct daos_acl *acl;

	(void)state;
	TEST_ALLOC_MARK();
	old = old_list();
	assert_int_equal(daos_prop_from_str("label:new;cksum:crc32;", 22, &new), 0);
	assert_int_equal(daos_prop_merge2(old, new, &m), 0);
	assert_int_equal(m->dpp_nr, 4);
	e = daos_prop_entry_get(m, DAOS_PROP_CO_LABEL);
	assert_string_equal(e->dpe_str, "new");
	assert_ptr_not_equal(e->dpe_str, daos_prop_entry_get(new, DAOS_PROP_CO_LABEL)->dpe_str);
	check_entry_num(m, DAOS_PROP_CO_REDUN_FAC, 1);
	check_entry_num(m, DAOS_PROP_CO_CSUM, DAOS_PROP_CO_CSUM_CRC32);
	e = daos_prop_entry_get(m, DAOS_PROP_CO_ACL);
	assert_non_null(e);
	assert_ptr_not_equal(e->dpe_val_ptr,
			     daos_prop_entry_get(old, DAOS_PROP_CO_ACL)->dpe_val_ptr);
	assert_int_equal(daos_prop_entry_cmp_acl(e, daos_prop_entry_get(old, DAOS_PROP_CO_ACL)), 0);
	/* the copy outlives both sources */
	daos_prop_free(old);
	daos_prop_free(new);
	acl = daos_prop_entry_get(m, DAOS_PROP_CO_ACL)->dpe_val_ptr;
	assert_int_equal(acl->dal_len, 8);
	assert_int_equal(((uint8_t *)(acl + 1))[7], 8);
	assert_string_equal(daos_prop_entry_get(m, DAOS_PROP_CO_LABEL)->dpe_str, "new");
	daos_prop_free(m);

	/* daos_prop_merge(): a parsed string and the layout an application adds to it */
	assert_int_equal(daos_prop_from_str("rd_fac:2;layout_type:POSIX", 26, &old), 0);
	new = daos_prop_alloc(1);
	assert_non_null(new);
	new->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	new->dpp_entries[0].dpe_val = DAOS_PROP_CO_LAYOUT_HDF5;
	m = daos_prop_merge(old, new);
	assert_non_null(m);
	assert_int_equal(m->dpp_nr, 2);
	check_entry_num(m, DAOS_PROP_CO_REDUN_FAC, 2);
	check_entry_num(m, DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_HDF5);
	daos_prop_free(m);
	daos_prop_free(old);
	daos_prop_free(new);
	TEST_ALLOC_CHECK();
}

/* Either side may be NULL or empty; no result pointer is -DER_INVAL. */
static void
merge_edges(void **state)
{
	daos_prop_t *old, *empty, *m = NULL;

	(void)state;
	TEST_ALLOC_MARK();
	old = old_list();
	empty = daos_prop_alloc(0);
	assert_non_null(empty);
	assert_int_equal(daos_prop_merge2(old, NULL, &m), 0);
	assert_int_equal(m->dpp_nr, 3);
	assert_string_equal(daos_prop_entry_get(m, DAOS_PROP_CO_LABEL)->dpe_str, "old");
	daos_prop_free(m);
	assert_int_equal(daos_prop_merge2(NULL, old, &m), 0);
	assert_int_equal(m->dpp_nr, 3);
	daos_prop_free(m);
	assert_int_equal(daos_prop_merge2(empty, old, &m), 0);
	assert_int_equal(m->dpp_nr, 3);
	daos_prop_free(m);
	assert_int_equal(daos_prop_merge2(NULL, NULL, &m), 0);
	assert_int_equal(m->dpp_nr, 0);
	daos_prop_free(m);
	assert_int_equal(daos_prop_merge2(old, old, NULL), -DER_INVAL);
	daos_prop_free(old);
	daos_prop_free(empty);
	TEST_ALLOC_CHECK();
}

/* Out of memory at every allocation of a merge: -DER_NOMEM and nothing kept. */
static void
merge_nomem(void **state)
{
	daos_prop_t *old, *new, *m;
	uint64_t k, pending, live;
	int rc;

	(void)state;
	old = old_list();
	assert_int_equal(daos_prop_from_str("label:new;cksum:crc32", 21, &new), 0);
	for (k = 1;; k++) {
		live = d_alloc_nr_live();
		m = NULL;
		d_alloc_fail_nth(k);
		rc = daos_prop_merge2(old, new, &m);
		pending = d_alloc_fail_pending();
		d_alloc_fail_nth(0);
		if (pending != 0 || rc == 0)
			break;
		assert_int_equal(rc, -DER_NOMEM);
		assert_null(m);
		assert_int_equal(d_alloc_nr_live(), live);
	}
	assert_int_equal(rc, 0);
	assert_true(k > 3);
	assert_int_equal(m->dpp_nr, 4);
	daos_prop_free(m);
	daos_prop_free(old);
	daos_prop_free(new);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(props_create),
		cmocka_unit_test(props_errors),
		cmocka_unit_test(props_table),
		cmocka_unit_test(from_str_good),
		cmocka_unit_test(from_str_len),
		cmocka_unit_test(from_str_errors),
		cmocka_unit_test(from_str_matches_cli),
		cmocka_unit_test(from_str_nomem),
		cmocka_unit_test(merge_overrides_and_copies),
		cmocka_unit_test(merge_edges),
		cmocka_unit_test(merge_nomem),
	};

	return cmocka_run_group_tests_name("cont_prop", tests, NULL, NULL);
}
