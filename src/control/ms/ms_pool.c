/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_pool.c - pool records, system properties and system attributes of the MS.
 *
 * Pools live in one array sorted by label (dmg pool list's order), attributes in one
 * array sorted by key; both are small (tens to thousands), so lookups by uuid scan and
 * inserts move the tail. Labels and uuids are unique (checked on add, rename and at
 * load). A record holds what DAOS's MS keeps of a pool (uuid, label, service ranks,
 * state) and its targets' ranks and sizes; properties, the ACL and the owner are the pool
 * service's (engine/engine_psvc.c).
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "common/sort.h"
#include "control/ms/ms_int.h"

static const char *const pool_state_names[] = {
#define MS_POOL_NAME(name, val, text) [val] = text,
	MS_POOL_STATES(MS_POOL_NAME)
#undef MS_POOL_NAME
};

const char *
ms_pool_state_name(enum ms_pool_state state)
{
	if ((unsigned int)state >= ARRAY_SIZE(pool_state_names))
		return "Unknown";
	return pool_state_names[state];
}

int
ms_pool_state_parse(const char *name, enum ms_pool_state *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pool_state_names); i++) {
		if (strcasecmp(pool_state_names[i], name) == 0) {
			*out = (enum ms_pool_state)i;
			return 0;
		}
	}
	return -DER_INVAL;
}

bool
ms_is_uuid(const char *s)
{
	uuid_t u;

	return strlen(s) == 36 && uuid_parse(s, u) == 0;
}

bool
ms_label_is_valid(const char *label)
{
	size_t len = strnlen(label, MS_LABEL_MAX + 1);
	size_t i;

	if (len == 0 || len > MS_LABEL_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (!isalnum(c) && c != ':' && c != '.' && c != '_' && c != '-')
			return false;
	}
	return !ms_is_uuid(label);
}

struct ms_pool *
ms_pool_find(const struct ms_db *db, const uuid_t uuid)
{
	uint32_t i;

	for (i = 0; i < db->nr_pools; i++)
		if (uuid_compare(db->pools[i].uuid, uuid) == 0)
			return &db->pools[i];
	return NULL;
}

/* The index of the first pool whose label is not below @label. */
static uint32_t
pool_label_pos(const struct ms_db *db, const char *label)
{
	uint32_t lo = 0;
	uint32_t hi = db->nr_pools;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (strcmp(db->pools[mid].label, label) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
ms_pool_fini(struct ms_pool *p)
{
	d_rank_list_free(p->svc_ranks);
	d_rank_list_free(p->tgt_ranks);
	p->svc_ranks = NULL;
	p->tgt_ranks = NULL;
}

static int
ranks_dup(const d_rank_list_t *src, d_rank_list_t **out)
{
	if (src == NULL) {
		*out = d_rank_list_alloc(0);
		return *out == NULL ? -DER_NOMEM : 0;
	}
	return d_rank_list_dup(out, src);
}

static bool
tiers_are_valid(const struct ms_pool *p)
{
	uint32_t i;

	for (i = 0; i < p->nr_tiers && i < MS_TIERS_MAX; i++)
		if (p->tier_bytes[i] > INT64_MAX)
			return false;
	return true;
}

int
ms_pool_add(struct ms_db *db, const struct ms_pool *pool, char *err, size_t err_len)
{
	struct ms_pool p = *pool;
	char us[37];
	uint32_t pos;
	int rc;

	p.svc_ranks = NULL;
	p.tgt_ranks = NULL;
	uuid_unparse_lower(pool->uuid, us);
	if (!ms_label_is_valid(pool->label)) {
		ms_errf(err, err_len,
			"invalid pool label \"%.*s\": 1-127 characters of A-Z a-z 0-9 : . _ -, not a UUID",
			(int)strnlen(pool->label, MS_LABEL_MAX), pool->label);
		return -DER_INVAL;
	}
	/* Integers are kept below 2^63 and text printable, as the file format needs. */
	if (uuid_is_null(pool->uuid) || pool->nr_tiers > MS_TIERS_MAX ||
	    (unsigned int)pool->state > MS_POOL_UNKNOWN || pool->created > INT64_MAX ||
	    !tiers_are_valid(pool)) {
		ms_errf(err, err_len, "pool %s: invalid record (uuid, state or tiers)",
			pool->label);
		return -DER_INVAL;
	}
	if (ms_pool_find(db, pool->uuid) != NULL) {
		ms_errf(err, err_len, "pool %s already exists", us);
		return -DER_EXIST;
	}
	pos = pool_label_pos(db, pool->label);
	if (pos < db->nr_pools && strcmp(db->pools[pos].label, pool->label) == 0) {
		ms_errf(err, err_len, "pool label %s is already in use", pool->label);
		return -DER_EXIST;
	}
	rc = ms_reserve((void **)&db->pools, &db->cap_pools, db->nr_pools + 1, sizeof(*db->pools));
	if (rc != 0)
		return rc;
	rc = ranks_dup(pool->svc_ranks, &p.svc_ranks);
	if (rc != 0)
		goto out_fini;
	rc = ranks_dup(pool->tgt_ranks, &p.tgt_ranks);
	if (rc != 0)
		goto out_fini;
	if (p.created == 0)
		p.created = (uint64_t)time(NULL);

	memmove(&db->pools[pos + 1], &db->pools[pos], (db->nr_pools - pos) * sizeof(*db->pools));
	db->pools[pos] = p;
	db->nr_pools++;
	rc = ms_db_save(db);
	if (rc == 0) {
		D_INFO("system %s: pool %s (%s) added", db->system, p.label, us);
		return 0;
	}
	db->nr_pools--;
	memmove(&db->pools[pos], &db->pools[pos + 1], (db->nr_pools - pos) * sizeof(*db->pools));
out_fini:
	ms_pool_fini(&p);
	return rc;
}

int
ms_pool_lookup(const struct ms_db *db, const char *id, const struct ms_pool **out)
{
	struct ms_pool *p = NULL;
	uuid_t u;

	if (ms_is_uuid(id)) {
		uuid_parse(id, u);
		p = ms_pool_find(db, u);
	} else {
		uint32_t pos = pool_label_pos(db, id);

		if (pos < db->nr_pools && strcmp(db->pools[pos].label, id) == 0)
			p = &db->pools[pos];
	}
	if (p == NULL)
		return -DER_NONEXIST;
	*out = p;
	return 0;
}

int
ms_pool_resolve(const struct ms_db *db, const char *id, const struct ms_pool **out, char *err,
		size_t err_len)
{
	const struct ms_pool *p;

	if (id == NULL || id[0] == '\0') {
		ms_errf(err, err_len, "no pool label or uuid given");
		return -DER_INVAL;
	}
	if (ms_pool_lookup(db, id, &p) != 0) {
		ms_errf(err, err_len, "no pool \"%.128s\" in system %s", id, db->system);
		return -DER_NONEXIST;
	}
	/* A pool half created or half destroyed cannot be connected to: it is not there. */
	if (p->state != MS_POOL_READY) {
		ms_errf(err, err_len, "pool %s is not ready to be used: its state is %s", p->label,
			ms_pool_state_name(p->state));
		return -DER_NONEXIST;
	}
	*out = p;
	return 0;
}

int
ms_pool_set_state(struct ms_db *db, const uuid_t uuid, enum ms_pool_state state)
{
	struct ms_pool *p = ms_pool_find(db, uuid);
	enum ms_pool_state old;
	int rc;

	if (p == NULL)
		return -DER_NONEXIST;
	if ((unsigned int)state > MS_POOL_UNKNOWN)
		return -DER_INVAL;
	old = p->state;
	p->state = state;
	rc = ms_db_save(db);
	if (rc != 0)
		p->state = old;
	return rc;
}

int
ms_pool_set_svc_ranks(struct ms_db *db, const uuid_t uuid, const d_rank_list_t *ranks)
{
	struct ms_pool *p = ms_pool_find(db, uuid);
	d_rank_list_t *old;
	d_rank_list_t *nl;
	int rc;

	if (p == NULL)
		return -DER_NONEXIST;
	rc = ranks_dup(ranks, &nl);
	if (rc != 0)
		return rc;
	old = p->svc_ranks;
	p->svc_ranks = nl;
	rc = ms_db_save(db);
	if (rc != 0) {
		p->svc_ranks = old;
		d_rank_list_free(nl);
		return rc;
	}
	d_rank_list_free(old);
	return 0;
}

static int
cmp_pool_label(const void *a, const void *b)
{
	return strcmp(((const struct ms_pool *)a)->label, ((const struct ms_pool *)b)->label);
}

int
ms_pool_set_label(struct ms_db *db, const uuid_t uuid, const char *label, char *err, size_t err_len)
{
	struct ms_pool *p = ms_pool_find(db, uuid);
	const struct ms_pool *other;
	char old[MS_LABEL_MAX + 1];
	char us[37];
	uuid_t id;
	int rc;

	if (p == NULL) {
		uuid_unparse_lower(uuid, us);
		ms_errf(err, err_len, "pool %s not found", us);
		return -DER_NONEXIST;
	}
	if (!ms_label_is_valid(label)) {
		ms_errf(err, err_len,
			"invalid pool label \"%.*s\": 1-127 characters of A-Z a-z 0-9 : . _ -, not a UUID",
			(int)strnlen(label, MS_LABEL_MAX), label);
		return -DER_INVAL;
	}
	if (strcmp(p->label, label) == 0)
		return 0;
	if (ms_pool_lookup(db, label, &other) == 0) {
		ms_errf(err, err_len, "pool label %s is already in use", label);
		return -DER_EXIST;
	}
	/*
	 * Labels are unique, so sorting gives one order; pools are few, qsort is enough. The
	 * sort moves records, @uuid among them if the caller passed a record's own: keep a copy.
	 */
	uuid_copy(id, p->uuid);
	memcpy(old, p->label, sizeof(old));
	snprintf(p->label, sizeof(p->label), "%s", label);
	d_sort(db->pools, db->nr_pools, sizeof(*db->pools), cmp_pool_label);
	rc = ms_db_save(db);
	if (rc != 0) {
		ms_errf(err, err_len, "could not save the system database: " DF_RC, DP_RC(rc));
		p = ms_pool_find(db, id);
		memcpy(p->label, old, sizeof(old));
		d_sort(db->pools, db->nr_pools, sizeof(*db->pools), cmp_pool_label);
		return rc;
	}
	D_INFO("system %s: pool %s renamed to %s", db->system, old, label);
	return 0;
}

int
ms_pool_remove(struct ms_db *db, const uuid_t uuid)
{
	struct ms_pool *p = ms_pool_find(db, uuid);
	struct ms_pool old;
	uint32_t pos;
	int rc;

	if (p == NULL)
		return -DER_NONEXIST;
	pos = (uint32_t)(p - db->pools);
	old = *p;
	db->nr_pools--;
	memmove(&db->pools[pos], &db->pools[pos + 1], (db->nr_pools - pos) * sizeof(*db->pools));
	rc = ms_db_save(db);
	if (rc != 0) {
		/* The array keeps its capacity, so putting the pool back cannot fail. */
		memmove(&db->pools[pos + 1], &db->pools[pos],
			(db->nr_pools - pos) * sizeof(*db->pools));
		db->pools[pos] = old;
		db->nr_pools++;
		return rc;
	}
	D_INFO("system %s: pool %s removed", db->system, old.label);
	ms_pool_fini(&old);
	return 0;
}

const struct ms_pool *
ms_pool_list(const struct ms_db *db, uint32_t *nr)
{
	*nr = db->nr_pools;
	return db->pools;
}

void
ms_pools_attrs_free(struct ms_db *db)
{
	uint32_t i;

	for (i = 0; i < db->nr_pools; i++)
		ms_pool_fini(&db->pools[i]);
	d_free(db->pools);
	db->pools = NULL;
	db->nr_pools = 0;
	db->cap_pools = 0;
	for (i = 0; i < db->nr_attrs; i++) {
		d_free(db->attrs[i].key);
		d_free(db->attrs[i].value);
	}
	d_free(db->attrs);
	db->attrs = NULL;
	db->nr_attrs = 0;
	db->cap_attrs = 0;
}

/* --- system properties --- */

const char *const ms_prop_keys[] = {
	"daos_system", "daos_version", "pool_scrub_mode", "pool_scrub_thresh", "self_heal", NULL,
};

static const char *const scrub_names[] = {
	[MS_SCRUB_OFF] = "off",
	[MS_SCRUB_LAZY] = "lazy",
	[MS_SCRUB_TIMED] = "timed",
};

const char *
ms_scrub_mode_name(enum ms_scrub_mode mode)
{
	return (unsigned int)mode < ARRAY_SIZE(scrub_names) ? scrub_names[mode] : "off";
}

int
ms_scrub_mode_parse(const char *name, enum ms_scrub_mode *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scrub_names); i++) {
		if (strcasecmp(scrub_names[i], name) == 0) {
			*out = (enum ms_scrub_mode)i;
			return 0;
		}
	}
	return -DER_INVAL;
}

static const struct {
	uint32_t flag;
	const char *name;
} self_heal_names[] = {
	{ MS_SELF_HEAL_EXCLUDE, "exclude" },
	{ MS_SELF_HEAL_POOL_EXCLUDE, "pool_exclude" },
	{ MS_SELF_HEAL_POOL_REBUILD, "pool_rebuild" },
};

void
ms_self_heal_str(uint32_t flags, char *buf, size_t len)
{
	size_t off = 0;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(self_heal_names); i++) {
		if (!(flags & self_heal_names[i].flag))
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? ";" : "",
				self_heal_names[i].name);
		if (off >= len)
			return;
	}
	if (off == 0)
		snprintf(buf, len, "none");
}

int
ms_self_heal_parse(const char *s, uint32_t *flags)
{
	uint32_t f = 0;
	const char *p = s;

	if (strcmp(s, "none") == 0) {
		*flags = 0;
		return 0;
	}
	for (;;) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		bool found = false;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(self_heal_names); i++) {
			if (strlen(self_heal_names[i].name) == n &&
			    strncmp(self_heal_names[i].name, p, n) == 0) {
				f |= self_heal_names[i].flag;
				found = true;
			}
		}
		if (!found)
			return -DER_INVAL;
		if (end == NULL)
			break;
		p = end + 1;
	}
	*flags = f;
	return 0;
}

void
ms_props_reset(struct ms_db *db)
{
	db->self_heal = MS_SELF_HEAL_DEFAULT;
	db->scrub_mode = MS_SCRUB_OFF;
	db->scrub_thresh = 0;
}

uint32_t
ms_self_heal(const struct ms_db *db)
{
	return db->self_heal;
}

int
ms_prop_set(struct ms_db *db, const char *key, const char *value, char *err, size_t err_len)
{
	uint32_t old_heal = db->self_heal;
	enum ms_scrub_mode old_mode = db->scrub_mode;
	uint64_t old_thresh = db->scrub_thresh;
	int rc;

	if (strcmp(key, "daos_system") == 0 || strcmp(key, "daos_version") == 0) {
		ms_errf(err, err_len, "system property %s is read-only", key);
		return -DER_NO_PERM;
	}
	if (strcmp(key, "self_heal") == 0) {
		if (ms_self_heal_parse(value, &db->self_heal) != 0) {
			ms_errf(err, err_len,
				"invalid self_heal value \"%.64s\": flags exclude;pool_exclude;pool_rebuild or none",
				value);
			return -DER_INVAL;
		}
	} else if (strcmp(key, "pool_scrub_mode") == 0) {
		if (ms_scrub_mode_parse(value, &db->scrub_mode) != 0) {
			ms_errf(err, err_len,
				"invalid pool_scrub_mode value \"%.64s\": off, lazy or timed",
				value);
			return -DER_INVAL;
		}
	} else if (strcmp(key, "pool_scrub_thresh") == 0) {
		char *end;

		errno = 0;
		if (!isdigit((unsigned char)value[0]) ||
		    (db->scrub_thresh = strtoull(value, &end, 10), errno != 0) || *end != '\0' ||
		    db->scrub_thresh > INT64_MAX) {
			db->scrub_thresh = old_thresh;
			ms_errf(err, err_len, "invalid pool_scrub_thresh value \"%.64s\"", value);
			return -DER_INVAL;
		}
	} else {
		ms_errf(err, err_len, "unknown system property \"%.64s\"", key);
		return -DER_INVAL;
	}
	rc = ms_db_save(db);
	if (rc != 0) {
		db->self_heal = old_heal;
		db->scrub_mode = old_mode;
		db->scrub_thresh = old_thresh;
	}
	return rc;
}

int
ms_prop_get(const struct ms_db *db, const char *key, char **out)
{
	char buf[64];
	int rc;

	if (strcmp(key, "daos_system") == 0)
		rc = d_asprintf(out, "%s", db->system);
	else if (strcmp(key, "daos_version") == 0)
		rc = d_asprintf(out, "%s", DAOS_VERSION);
	else if (strcmp(key, "pool_scrub_mode") == 0)
		rc = d_asprintf(out, "%s", ms_scrub_mode_name(db->scrub_mode));
	else if (strcmp(key, "pool_scrub_thresh") == 0)
		rc = d_asprintf(out, "%" PRIu64, db->scrub_thresh);
	else if (strcmp(key, "self_heal") == 0) {
		ms_self_heal_str(db->self_heal, buf, sizeof(buf));
		rc = d_asprintf(out, "%s", buf);
	} else
		return -DER_INVAL;
	return rc < 0 ? rc : 0;
}

/* --- system attributes --- */

static uint32_t
attr_pos(const struct ms_db *db, const char *key)
{
	uint32_t lo = 0;
	uint32_t hi = db->nr_attrs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (strcmp(db->attrs[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
ms_attr_set(struct ms_db *db, const char *key, const char *value, char *err, size_t err_len)
{
	uint32_t pos;
	char *v;
	char *k = NULL;
	char *old;
	int rc;

	if (key[0] == '\0' || !ms_text_is_valid(key, MS_ATTR_KEY_MAX)) {
		ms_errf(err, err_len, "invalid attribute name: 1-%d printable characters",
			MS_ATTR_KEY_MAX);
		return -DER_INVAL;
	}
	if (!ms_text_is_valid(value, MS_ATTR_VALUE_MAX)) {
		ms_errf(err, err_len, "attribute %s: value too long or not text (max %d bytes)",
			key, MS_ATTR_VALUE_MAX);
		return -DER_INVAL;
	}
	v = d_strdup(value);
	if (v == NULL)
		return -DER_NOMEM;
	pos = attr_pos(db, key);
	if (pos < db->nr_attrs && strcmp(db->attrs[pos].key, key) == 0) {
		old = db->attrs[pos].value;
		db->attrs[pos].value = v;
		rc = ms_db_save(db);
		if (rc != 0) {
			db->attrs[pos].value = old;
			d_free(v);
			return rc;
		}
		d_free(old);
		return 0;
	}
	rc = ms_reserve((void **)&db->attrs, &db->cap_attrs, db->nr_attrs + 1, sizeof(*db->attrs));
	if (rc != 0)
		goto out_free;
	k = d_strdup(key);
	if (k == NULL) {
		rc = -DER_NOMEM;
		goto out_free;
	}
	memmove(&db->attrs[pos + 1], &db->attrs[pos], (db->nr_attrs - pos) * sizeof(*db->attrs));
	db->attrs[pos].key = k;
	db->attrs[pos].value = v;
	db->nr_attrs++;
	rc = ms_db_save(db);
	if (rc == 0)
		return 0;
	db->nr_attrs--;
	memmove(&db->attrs[pos], &db->attrs[pos + 1], (db->nr_attrs - pos) * sizeof(*db->attrs));
out_free:
	d_free(k);
	d_free(v);
	return rc;
}

const char *
ms_attr_get(const struct ms_db *db, const char *key)
{
	uint32_t pos = attr_pos(db, key);

	if (pos < db->nr_attrs && strcmp(db->attrs[pos].key, key) == 0)
		return db->attrs[pos].value;
	return NULL;
}

int
ms_attr_del(struct ms_db *db, const char *key)
{
	uint32_t pos = attr_pos(db, key);
	struct ms_attr old;
	int rc;

	if (pos >= db->nr_attrs || strcmp(db->attrs[pos].key, key) != 0)
		return -DER_NONEXIST;
	old = db->attrs[pos];
	db->nr_attrs--;
	memmove(&db->attrs[pos], &db->attrs[pos + 1], (db->nr_attrs - pos) * sizeof(*db->attrs));
	rc = ms_db_save(db);
	if (rc != 0) {
		memmove(&db->attrs[pos + 1], &db->attrs[pos],
			(db->nr_attrs - pos) * sizeof(*db->attrs));
		db->attrs[pos] = old;
		db->nr_attrs++;
		return rc;
	}
	d_free(old.key);
	d_free(old.value);
	return 0;
}

uint32_t
ms_attr_count(const struct ms_db *db)
{
	return db->nr_attrs;
}

void
ms_attr_at(const struct ms_db *db, uint32_t idx, const char **key, const char **value)
{
	D_ASSERT(idx < db->nr_attrs);
	*key = db->attrs[idx].key;
	*value = db->attrs[idx].value;
}
