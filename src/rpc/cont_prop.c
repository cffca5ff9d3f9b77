/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cont_prop.c - the container property table (reference §5.3) and the parser of container
 * property strings, shared by the daos CLI (--properties, get-prop, set-prop) and libdaos
 * (daos_prop_from_str() in daos_prop.c). Each key is one row of CONT_PROP_TABLE, with
 * DAOS's name, description and DAOS_PROP_CO_* type; its value rules are a struct
 * pool_prop_def, so labels, choices, numbers and sizes parse by pool_prop.c's rules.
 *
 * A string is split into pairs by pool_prop_pairs_walk() (',' for the CLI, ';' for
 * daos_prop_from_str()); each pair is looked up, checked against what the caller may set
 * (enum cont_prop_use) and parsed into an entry appended to the caller's daos_prop_t.
 * Strings are untrusted: every failure is an error code and one line naming the pair.
 *
 * The longest name, "Performance domain affinity level of EC (ec_pda)", sets the width of
 * get-prop's table as in DAOS's output (seed 003): descriptions stay that short.
 */
#define D_LOGFAC DD_FAC(rpc)

#include "rpc/cont_prop.h"

#include <gurt/common.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct pool_prop_choice layout_choices[] = {
	{ "unknown", DAOS_PROP_CO_LAYOUT_UNKNOWN }, { "POSIX", DAOS_PROP_CO_LAYOUT_POSIX },
	{ "HDF5", DAOS_PROP_CO_LAYOUT_HDF5 },       { "PYTHON", DAOS_PROP_CO_LAYOUT_PYTHON },
	{ "SPARK", DAOS_PROP_CO_LAYOUT_SPARK },     { "DATABASE", DAOS_PROP_CO_LAYOUT_DATABASE },
	{ "ROOT", DAOS_PROP_CO_LAYOUT_ROOT },       { "SEISMIC", DAOS_PROP_CO_LAYOUT_SEISMIC },
	{ "METEO", DAOS_PROP_CO_LAYOUT_METEO },     { NULL, 0 },
};

/* Other names `--type` accepts (DAOS's): the format a middleware calls its layout. */
static const struct pool_prop_choice layout_aliases[] = {
	{ "DB", DAOS_PROP_CO_LAYOUT_DATABASE },
	{ "RNTuple", DAOS_PROP_CO_LAYOUT_ROOT },
	{ "DSG", DAOS_PROP_CO_LAYOUT_SEISMIC },
	{ "FDB", DAOS_PROP_CO_LAYOUT_METEO },
	{ NULL, 0 },
};

static const struct pool_prop_choice cksum_choices[] = {
	{ "off", DAOS_PROP_CO_CSUM_OFF },
	{ "crc16", DAOS_PROP_CO_CSUM_CRC16 },
	{ "crc32", DAOS_PROP_CO_CSUM_CRC32 },
	{ "crc64", DAOS_PROP_CO_CSUM_CRC64 },
	{ "sha1", DAOS_PROP_CO_CSUM_SHA1 },
	{ "sha256", DAOS_PROP_CO_CSUM_SHA256 },
	{ "sha512", DAOS_PROP_CO_CSUM_SHA512 },
	{ "adler32", DAOS_PROP_CO_CSUM_ADLER32 },
	{ NULL, 0 },
};

static const struct pool_prop_choice onoff_choices[] = {
	{ "off", DAOS_PROP_CO_CSUM_SV_OFF },
	{ "on", DAOS_PROP_CO_CSUM_SV_ON },
	{ NULL, 0 },
};

static const struct pool_prop_choice dedup_choices[] = {
	{ "off", DAOS_PROP_CO_DEDUP_OFF },
	{ "memcmp", DAOS_PROP_CO_DEDUP_MEMCMP },
	{ "hash", DAOS_PROP_CO_DEDUP_HASH },
	{ NULL, 0 },
};

static const struct pool_prop_choice compress_choices[] = {
	{ "off", DAOS_PROP_CO_COMPRESS_OFF },
	{ "lz4", DAOS_PROP_CO_COMPRESS_LZ4 },
	{ "deflate", DAOS_PROP_CO_COMPRESS_DEFLATE },
	{ "deflate1", DAOS_PROP_CO_COMPRESS_DEFLATE1 },
	{ "deflate2", DAOS_PROP_CO_COMPRESS_DEFLATE2 },
	{ "deflate3", DAOS_PROP_CO_COMPRESS_DEFLATE3 },
	{ "deflate4", DAOS_PROP_CO_COMPRESS_DEFLATE4 },
	{ NULL, 0 },
};

static const struct pool_prop_choice encrypt_choices[] = {
	{ "off", DAOS_PROP_CO_ENCRYPT_OFF },
	{ "aes-xts128", DAOS_PROP_CO_ENCRYPT_AES_XTS128 },
	{ "aes-xts256", DAOS_PROP_CO_ENCRYPT_AES_XTS256 },
	{ "aes-cbc128", DAOS_PROP_CO_ENCRYPT_AES_CBC128 },
	{ "aes-cbc192", DAOS_PROP_CO_ENCRYPT_AES_CBC192 },
	{ "aes-cbc256", DAOS_PROP_CO_ENCRYPT_AES_CBC256 },
	{ "aes-gcm128", DAOS_PROP_CO_ENCRYPT_AES_GCM128 },
	{ "aes-gcm256", DAOS_PROP_CO_ENCRYPT_AES_GCM256 },
	{ NULL, 0 },
};

static const struct pool_prop_choice rd_lvl_choices[] = {
	{ "rank", DAOS_PROP_CO_REDUN_RANK },
	{ "node", DAOS_PROP_CO_REDUN_NODE },
	{ NULL, 0 },
};

static const struct pool_prop_choice perf_domain_choices[] = {
	{ "root", DAOS_PROP_PERF_DOMAIN_ROOT },
	{ "group", DAOS_PROP_PERF_DOMAIN_GROUP },
	{ NULL, 0 },
};

#define KIB 1024ull
#define MIB (1024ull * 1024)

/* key, description, legal values (or how else it is set), DAOS_PROP_CO_<type>, kind, value
 * kind (pool_prop's), access, choices, min, max, shown with its number */
#define CONT_PROP_TABLE(X)                                                                         \
	X("label", "Label", "1-127 characters of [A-Za-z0-9:._-], not a UUID", LABEL, VALUE,       \
	  LABEL, RW, NULL, 0, 0, false)                                                            \
	X("layout_type", "Layout Type", "set with --type at create", LAYOUT_TYPE, VALUE, CHOICE,   \
	  RO, layout_choices, 0, 0, false)                                                         \
	X("layout_version", "Layout Version", "read-only", LAYOUT_VER, VALUE, NUM, RO, NULL, 0,    \
	  UINT64_MAX, false)                                                                       \
	X("cksum", "Checksum", "off, adler32, crc16, crc32, crc64, sha1, sha256, sha512", CSUM,    \
	  VALUE, CHOICE, CREATE_ONLY, cksum_choices, 0, 0, false)                                  \
	X("cksum_size", "Checksum Chunk Size", "bytes", CSUM_CHUNK_SIZE, VALUE, BYTES,             \
	  CREATE_ONLY, NULL, 1, UINT32_MAX, false)                                                 \
	X("srv_cksum", "Server Checksumming", "on, off", CSUM_SERVER_VERIFY, VALUE, CHOICE,        \
	  CREATE_ONLY, onoff_choices, 0, 0, false)                                                 \
	X("rd_fac", "Redundancy Factor (0-4)", "0-4", REDUN_FAC, VALUE, NUM, CREATE_ONLY, NULL, 0, \
	  4, false)                                                                                \
	X("rd_lvl", "Redundancy Level (rank=1, node=2)", "rank, node, 1, 2", REDUN_LVL, VALUE,     \
	  CHOICE, CREATE_ONLY, rd_lvl_choices, 0, 0, false)                                        \
	X("max_snapshot", "Max Snapshot", "read-only", SNAPSHOT_MAX, VALUE, NUM, RO, NULL, 0,      \
	  UINT64_MAX, false)                                                                       \
	X("compression", "Compression", "off, lz4, deflate, deflate1-deflate4", COMPRESS, VALUE,   \
	  CHOICE, CREATE_ONLY, compress_choices, 0, 0, false)                                      \
	X("encryption", "Encryption",                                                              \
	  "off, aes-xts128, aes-xts256, aes-cbc128, aes-cbc192, aes-cbc256, aes-gcm128, "          \
	  "aes-gcm256",                                                                            \
	  ENCRYPT, VALUE, CHOICE, CREATE_ONLY, encrypt_choices, 0, 0, false)                       \
	X("owner", "Owner", "set with set-owner", OWNER, STRING, LABEL, RO, NULL, 0, 0, false)     \
	X("group", "Group", "set with set-owner", OWNER_GROUP, STRING, LABEL, RO, NULL, 0, 0,      \
	  false)                                                                                   \
	X("dedup", "Deduplication", "off, memcmp, hash", DEDUP, VALUE, CHOICE, CREATE_ONLY,        \
	  dedup_choices, 0, 0, false)                                                              \
	X("dedup_threshold", "Dedupe Threshold", "bytes", DEDUP_THRESHOLD, VALUE, BYTES,           \
	  CREATE_ONLY, NULL, 0, UINT64_MAX, false)                                                 \
	X("root_oids", "Root OIDs", "read-only", ROOTS, ROOTS, NUM, RO, NULL, 0, 0, false)         \
	X("status", "Health", "healthy", STATUS, STATUS, CHOICE, RW, NULL, 0, 0, false)            \
	X("alloc_oid", "Highest Allocated OID", "read-only", ALLOCED_OID, VALUE, NUM, RO, NULL, 0, \
	  UINT64_MAX, false)                                                                       \
	X("ec_cell_sz", "EC Cell Size", "4KiB-1MiB, a multiple of 32", EC_CELL_SZ, VALUE, BYTES,   \
	  CREATE_ONLY, NULL, 4 * KIB, MIB, false)                                                  \
	X("ec_pda", "Performance domain affinity level of EC", "1-4294967295", EC_PDA, VALUE, NUM, \
	  CREATE_ONLY, NULL, 1, UINT32_MAX, false)                                                 \
	X("rp_pda", "Performance domain affinity level of RP", "1-4294967295", RP_PDA, VALUE, NUM, \
	  CREATE_ONLY, NULL, 1, UINT32_MAX, false)                                                 \
	X("global_version", "Global Version", "read-only", GLOBAL_VERSION, VALUE, NUM, RO, NULL,   \
	  0, UINT64_MAX, false)                                                                    \
	X("scrub_disabled", "Scrubber Disabled", "read-only", SCRUBBER_DISABLED, BOOL, NUM, RO,    \
	  NULL, 0, 0, false)                                                                       \
	X("obj_version", "Object Version", "read-only", OBJ_VERSION, VALUE, NUM, RO, NULL, 0,      \
	  UINT64_MAX, false)                                                                       \
	X("perf_domain", "Performance domain level", "root, group", PERF_DOMAIN, VALUE, CHOICE,    \
	  CREATE_ONLY, perf_domain_choices, 0, 0, true)                                            \
	X("acl", "Access Control List", "set with the ACL commands", ACL, ACL, NUM, RO, NULL, 0,   \
	  0, false)

#define CONT_PROP_ROW(k, d, l, t, kd, vk, acc, ch, mn, mx, sn) \
	{ .def = { .key = k,                                   \
		   .desc = d,                                  \
		   .legal = l,                                 \
		   .kind = POOL_PROP_KIND_##vk,                \
		   .access = POOL_PROP_##acc,                  \
		   .choices = ch,                              \
		   .min = mn,                                  \
		   .max = mx },                                \
	  .type = DAOS_PROP_CO_##t,                            \
	  .kind = CONT_PROP_##kd,                              \
	  .show_num = sn },

static const struct cont_prop_def cont_props[] = { CONT_PROP_TABLE(CONT_PROP_ROW) };

unsigned int
cont_prop_count(void)
{
	return ARRAY_SIZE(cont_props);
}

const struct cont_prop_def *
cont_prop_at(unsigned int i)
{
	return i < ARRAY_SIZE(cont_props) ? &cont_props[i] : NULL;
}

const struct cont_prop_def *
cont_prop_lookup(const char *key)
{
	unsigned int i;

	if (key == NULL)
		return NULL;
	/* DAOS's deprecated aliases */
	if (strcmp(key, "rf") == 0)
		key = "rd_fac";
	else if (strcmp(key, "rf_lvl") == 0)
		key = "rd_lvl";
	for (i = 0; i < ARRAY_SIZE(cont_props); i++)
		if (strcmp(cont_props[i].def.key, key) == 0)
			return &cont_props[i];
	return NULL;
}

const struct cont_prop_def *
cont_prop_by_type(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cont_props); i++)
		if (cont_props[i].type == type)
			return &cont_props[i];
	return NULL;
}

static const char *
choice_name(const struct pool_prop_choice *ch, uint64_t value)
{
	for (; ch != NULL && ch->name != NULL; ch++)
		if (ch->value == value)
			return ch->name;
	return NULL;
}

static int
choice_value(const struct pool_prop_choice *ch, const char *name, uint64_t *value)
{
	for (; ch->name != NULL; ch++) {
		if (strcasecmp(ch->name, name) == 0) {
			*value = ch->value;
			return 0;
		}
	}
	return -DER_INVAL;
}

const char *
cont_layout_name(uint64_t type)
{
	const char *name = choice_name(layout_choices, type);

	return name != NULL ? name : "unknown";
}

int
cont_layout_parse(const char *name, uint64_t *type)
{
	if (name == NULL)
		return -DER_INVAL;
	if (choice_value(layout_choices, name, type) == 0)
		return 0;
	return choice_value(layout_aliases, name, type);
}

/* ---- lists ---- */

static struct daos_prop_entry *
props_grow(daos_prop_t *props, uint32_t type)
{
	struct daos_prop_entry *e;

	e = d_reallocarray(props->dpp_entries, props->dpp_nr + 1, sizeof(*e));
	if (e == NULL)
		return NULL;
	props->dpp_entries = e;
	e = &e[props->dpp_nr++];
	memset(e, 0, sizeof(*e));
	e->dpe_type = type;
	return e;
}

int
cont_props_add_num(daos_prop_t *props, uint32_t type, uint64_t val)
{
	struct daos_prop_entry *e = props_grow(props, type);

	if (e == NULL)
		return -DER_NOMEM;
	e->dpe_val = val;
	return 0;
}

int
cont_props_add_str(daos_prop_t *props, uint32_t type, const char *str)
{
	char *s = d_strdup(str);
	struct daos_prop_entry *e;

	if (s == NULL)
		return -DER_NOMEM;
	e = props_grow(props, type);
	if (e == NULL) {
		d_free(s);
		return -DER_NOMEM;
	}
	e->dpe_str = s;
	return 0;
}

int
cont_props_add_acl(daos_prop_t *props, struct daos_acl *acl)
{
	struct daos_prop_entry *e = props_grow(props, DAOS_PROP_CO_ACL);

	if (e == NULL)
		return -DER_NOMEM;
	e->dpe_val_ptr = acl;
	return 0;
}

struct daos_prop_entry *
cont_props_find(const daos_prop_t *props, uint32_t type)
{
	uint32_t i;

	for (i = 0; i < props->dpp_nr; i++)
		if (props->dpp_entries[i].dpe_type == type)
			return &props->dpp_entries[i];
	return NULL;
}

/* What daos_prop_free() would free, so that either may free a list built here; pointers
 * other than ACLs (root objects) are never built here and stay the caller's. */
void
cont_props_fini(daos_prop_t *props)
{
	uint32_t i;

	for (i = 0; i < props->dpp_nr; i++) {
		struct daos_prop_entry *e = &props->dpp_entries[i];
		const struct cont_prop_def *d = cont_prop_by_type(e->dpe_type);

		if (d == NULL)
			continue;
		if (d->kind == CONT_PROP_ACL)
			d_free(e->dpe_val_ptr);
		else if (d->kind == CONT_PROP_STRING || d->def.kind == POOL_PROP_KIND_LABEL)
			d_free(e->dpe_str);
	}
	d_free(props->dpp_entries);
	memset(props, 0, sizeof(*props));
}

/* ---- parsing ---- */

struct parse_arg {
	daos_prop_t *props;
	enum cont_prop_use use;
	bool names_only; /* get-prop: keys without values */
	char *err;
	size_t err_len;
};

/* Whether @d may be set for @use, with the reason in @err if not. */
static int
prop_access_check(const struct cont_prop_def *d, enum cont_prop_use use, char *err, size_t err_len)
{
	/* The API has no --type: its callers name the layout like any other property. */
	if (use == CONT_PROP_USE_API && d->type == DAOS_PROP_CO_LAYOUT_TYPE)
		return 0;
	if (d->def.access == POOL_PROP_RO) {
		if (strcmp(d->def.legal, "read-only") == 0)
			pool_prop_errf(err, err_len, "property %s is read-only", d->def.key);
		else
			pool_prop_errf(err, err_len, "property %s cannot be set this way: %s",
				       d->def.key, d->def.legal);
		return -DER_INVAL;
	}
	if (d->def.access == POOL_PROP_CREATE_ONLY && use == CONT_PROP_USE_SET) {
		pool_prop_errf(err, err_len, "property %s can only be set at container create",
			       d->def.key);
		return -DER_INVAL;
	}
	return 0;
}

static int
prop_add_parsed(const struct cont_prop_def *d, const char *value, daos_prop_t *props, char *err,
		size_t err_len)
{
	struct pool_prop_val val;
	uint64_t v;
	int rc;

	if (d->kind == CONT_PROP_STATUS) {
		/* Only an admin's "make it healthy again" can be set: DAOS marks it CLEAR so
		 * that the server stamps the current pool map version. */
		if (strcasecmp(value, "healthy") != 0) {
			pool_prop_errf(err, err_len,
				       "invalid value \"%s\" for property status: expected healthy",
				       value);
			return -DER_INVAL;
		}
		return cont_props_add_num(
			props, d->type,
			DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_HEALTHY, DAOS_PROP_CO_CLEAR, 0));
	}
	if (d->type == DAOS_PROP_CO_LAYOUT_TYPE) {
		/* Only the API sets it this way: by the names --type takes, or by number. */
		if (cont_layout_parse(value, &v) != 0 && (pool_prop_num_parse(value, &v) != 0 ||
							  choice_name(layout_choices, v) == NULL)) {
			pool_prop_errf(
				err, err_len,
				"invalid value \"%s\" for property layout_type: expected a container type (POSIX, HDF5, PYTHON, SPARK, DATABASE, ROOT, SEISMIC, METEO)",
				value);
			return -DER_INVAL;
		}
		return cont_props_add_num(props, d->type, v);
	}
	rc = pool_prop_def_parse(&d->def, value, &val, err, err_len);
	/* A choice may also be given by its number, as DAOS accepts rd_lvl:1. */
	if (rc != 0 && d->def.kind == POOL_PROP_KIND_CHOICE &&
	    pool_prop_num_parse(value, &v) == 0 && choice_name(d->def.choices, v) != NULL) {
		val.num = v;
		rc = 0;
	}
	if (rc != 0)
		return rc;
	if (d->def.kind == POOL_PROP_KIND_LABEL)
		return cont_props_add_str(props, d->type, val.str);
	return cont_props_add_num(props, d->type, val.num);
}

static int
parse_one(const char *key, const char *value, void *arg)
{
	struct parse_arg *pa = arg;
	const struct cont_prop_def *d = cont_prop_lookup(key);
	int rc;

	if (d == NULL) {
		pool_prop_errf(pa->err, pa->err_len, "unknown container property \"%s\"", key);
		return -DER_NONEXIST;
	}
	if (cont_props_find(pa->props, d->type) != NULL) {
		pool_prop_errf(pa->err, pa->err_len, "property %s given twice", d->def.key);
		return -DER_INVAL;
	}
	if (pa->names_only)
		return cont_props_add_num(pa->props, d->type, 0);
	rc = prop_access_check(d, pa->use, pa->err, pa->err_len);
	if (rc != 0)
		return rc;
	return prop_add_parsed(d, value, pa->props, pa->err, pa->err_len);
}

int
cont_props_parse(const char *str, enum cont_prop_use use, daos_prop_t *props, char *err,
		 size_t err_len)
{
	struct parse_arg pa = { .props = props, .use = use, .err = err, .err_len = err_len };

	return pool_prop_list_walk(str, parse_one, &pa, err, err_len);
}

int
cont_props_parse_str(const char *str, size_t len, daos_prop_t *props, char *err, size_t err_len)
{
	struct parse_arg pa = {
		.props = props, .use = CONT_PROP_USE_API, .err = err, .err_len = err_len
	};

	/* DAOS's strings end each pair with ';': one at the end ends nothing more. */
	len = str != NULL ? strnlen(str, len) : 0;
	if (len > 0 && str[len - 1] == ';')
		len--;
	return pool_prop_pairs_walk(str, len, ';', parse_one, &pa, err, err_len);
}

int
cont_props_parse_names(const char *str, daos_prop_t *props, char *err, size_t err_len)
{
	struct parse_arg pa = {
		.props = props, .names_only = true, .err = err, .err_len = err_len
	};
	char key[POOL_PROP_STR_MAX];
	const char *p = str;
	int rc;

	if (str == NULL || *str == '\0') {
		pool_prop_errf(err, err_len, "empty property list: expected name[,name]");
		return -DER_INVAL;
	}
	while (1) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(key)) {
			pool_prop_errf(err, err_len, "invalid property name list \"%s\"", str);
			return -DER_INVAL;
		}
		memcpy(key, p, n);
		key[n] = '\0';
		rc = parse_one(key, NULL, &pa);
		if (rc != 0)
			return rc;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}
