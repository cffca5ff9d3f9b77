/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_db.c - the MS database as a whole: open, close, and its file <dir>/daos_system.db.
 *
 * The file is one JSON document, rewritten whole after every change: written to
 * daos_system.db.tmp, fsynced, renamed over daos_system.db, and the directory fsynced,
 * so a crash leaves the old or the new document, never a mix; a leftover .tmp is the
 * trace of an interrupted save and is removed at open. A system has at most a few
 * thousand members and pools, so a save is some hundreds of kilobytes at worst.
 *
 * Format (version 1; every field required unless marked optional, no others allowed):
 *
 *   version      integer   MS_DB_VERSION; a newer one is refused (-DER_DF_INCOMPT)
 *   system       string    system name; must be the caller's
 *   next_rank    integer   NextRank: the rank of the next new engine (1 in a fresh db)
 *   map_version  integer   group map version
 *   provider     string    system fabric provider, "" before the first join
 *   members      array     of {rank, uuid, addr, uri, nr_ctxs, fault_domain, state,
 *                          info, incarnation, engine_idx, hostname, last_update}
 *   pools        array     of {uuid, label, state, svc_ranks, tgt_ranks, tier_bytes,
 *                          created}
 *   properties   object    {self_heal, pool_scrub_mode, pool_scrub_thresh}
 *   attributes   object    name -> string value
 *
 * Earlier files of version 1 also kept a pool's owner, group, properties and ACL (fields
 * "owner", "group", "properties", "acl"), which now live in the pool service. The loader
 * accepts these four fields in a pool whatever they hold and ignores them; the next save
 * drops them. An earlier daos_server refuses a file without "owner" (a missing field),
 * so the version stays 1.
 *
 * States are written by name ("Joined", "Ready"). Integers are 0 to 2^63 - 1 (JSON
 * numbers as jansson reads them). The file is outside input: the loader checks every
 * field and the invariants across them (unique ranks below next_rank, unique uuids and
 * labels, one fault-domain depth) and names the first bad one; it never asserts.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/sort.h"
#include "control/ms/ms_int.h"

/* Refuse files beyond this size rather than read them into memory. */
#define MS_DB_SIZE_MAX (256u << 20)

void
ms_errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

int
ms_reserve(void **arr, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap < 8 ? 8 : *cap * 2;
	if (ncap < need)
		ncap = need;
	p = d_reallocarray(*arr, ncap, size);
	if (p == NULL)
		return -DER_NOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int
ms_fd_depth(const char *fd)
{
	int depth = 0;
	const char *p;

	for (p = fd; *p != '\0'; p++)
		if (*p != '/' && (p == fd || p[-1] == '/'))
			depth++;
	return depth;
}

bool
ms_text_is_valid(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max || (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	}
	return true;
}

/* --- encoding --- */

/* Add @v (may be NULL after a failed allocation) to @o under @key; consumes @v. */
static int
put(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		return -DER_NOMEM;
	return 0;
}

static json_t *
json_u64(uint64_t v)
{
	/* Inputs are checked to fit; clamp rather than write a negative number. */
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *
json_uuid(const uuid_t u)
{
	char s[37];

	uuid_unparse_lower(u, s);
	return json_string(s);
}

static json_t *
json_ranks(const d_rank_list_t *rl)
{
	json_t *a = json_array();
	uint32_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; rl != NULL && i < rl->rl_nr; i++) {
		if (json_array_append_new(a, json_integer(rl->rl_ranks[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
member_encode(const struct ms_member *m)
{
	json_t *o = json_object();
	int rc = 0;

	if (o == NULL)
		return NULL;
	rc = rc ?: put(o, "rank", json_integer(m->rank));
	rc = rc ?: put(o, "uuid", json_uuid(m->uuid));
	rc = rc ?: put(o, "addr", json_string(m->addr));
	rc = rc ?: put(o, "uri", json_string(m->uri));
	rc = rc ?: put(o, "nr_ctxs", json_integer(m->nr_ctxs));
	rc = rc ?: put(o, "fault_domain", json_string(m->fault_domain));
	rc = rc ?: put(o, "state", json_string(ms_member_state_name(m->state)));
	rc = rc ?: put(o, "info", json_string(m->info));
	rc = rc ?: put(o, "incarnation", json_u64(m->incarnation));
	rc = rc ?: put(o, "engine_idx", json_integer(m->engine_idx));
	rc = rc ?: put(o, "hostname", json_string(m->hostname));
	rc = rc ?: put(o, "last_update", json_u64(m->last_update));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
append(json_t *a, json_t *v)
{
	if (v == NULL || json_array_append_new(a, v) != 0)
		return -DER_NOMEM;
	return 0;
}

static json_t *
pool_encode(const struct ms_pool *p)
{
	json_t *o = json_object();
	json_t *tiers;
	uint32_t i;
	int rc = 0;

	if (o == NULL)
		return NULL;
	/* o owns the tier array from the start, so every error path frees it. */
	tiers = json_array();
	rc = put(o, "tier_bytes", tiers);
	for (i = 0; i < p->nr_tiers && rc == 0; i++)
		rc = append(tiers, json_u64(p->tier_bytes[i]));
	rc = rc ?: put(o, "uuid", json_uuid(p->uuid));
	rc = rc ?: put(o, "label", json_string(p->label));
	rc = rc ?: put(o, "state", json_string(ms_pool_state_name(p->state)));
	rc = rc ?: put(o, "svc_ranks", json_ranks(p->svc_ranks));
	rc = rc ?: put(o, "tgt_ranks", json_ranks(p->tgt_ranks));
	rc = rc ?: put(o, "created", json_u64(p->created));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
ms_db_encode(const struct ms_db *db, char **out, size_t *len)
{
	json_t *root = json_object();
	json_t *members = json_array();
	json_t *pools = json_array();
	json_t *props = json_object();
	json_t *attrs = json_object();
	char heal[64];
	char *s;
	uint32_t i;
	int rc = 0;

	if (root == NULL || members == NULL || pools == NULL || props == NULL || attrs == NULL)
		rc = -DER_NOMEM;
	for (i = 0; i < db->nr_members && rc == 0; i++)
		rc = append(members, member_encode(&db->members[i]));
	for (i = 0; i < db->nr_pools && rc == 0; i++)
		rc = append(pools, pool_encode(&db->pools[i]));
	for (i = 0; i < db->nr_attrs && rc == 0; i++)
		rc = put(attrs, db->attrs[i].key, json_string(db->attrs[i].value));
	ms_self_heal_str(db->self_heal, heal, sizeof(heal));
	rc = rc ?: put(props, "self_heal", json_string(heal));
	rc = rc ?: put(props, "pool_scrub_mode", json_string(ms_scrub_mode_name(db->scrub_mode)));
	rc = rc ?: put(props, "pool_scrub_thresh", json_u64(db->scrub_thresh));
	rc = rc ?: put(root, "version", json_integer(MS_DB_VERSION));
	rc = rc ?: put(root, "system", json_string(db->system));
	rc = rc ?: put(root, "next_rank", json_integer(db->next_rank));
	rc = rc ?: put(root, "map_version", json_integer(db->map_version));
	rc = rc ?: put(root, "provider", json_string(db->provider));
	/* From here on root owns each container, whether or not put() succeeds. */
	rc = rc ?: put(root, "members", json_incref(members));
	rc = rc ?: put(root, "pools", json_incref(pools));
	rc = rc ?: put(root, "properties", json_incref(props));
	rc = rc ?: put(root, "attributes", json_incref(attrs));
	json_decref(members);
	json_decref(pools);
	json_decref(props);
	json_decref(attrs);
	if (rc == 0) {
		s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		if (s == NULL) {
			rc = -DER_NOMEM;
		} else {
			/* Hand the caller our allocator's memory, as the header promises. */
			*len = strlen(s);
			*out = d_strndup(s, *len);
			free(s);
			if (*out == NULL)
				rc = -DER_NOMEM;
		}
	}
	json_decref(root);
	return rc;
}

static char *
db_path(const char *dir, const char *suffix)
{
	char *p = NULL;

	if (d_asprintf(&p, "%s/%s%s", dir, MS_DB_FILE, suffix) < 0)
		return NULL;
	return p;
}

int
ms_db_save(struct ms_db *db)
{
	char *path = NULL;
	char *doc = NULL;
	char *text = NULL;
	size_t len;
	int rc;

	if (db->dir == NULL)
		return 0;
	rc = ms_db_encode(db, &doc, &len);
	if (rc != 0)
		goto out;
	path = db_path(db->dir, "");
	text = d_malloc(len + 1);
	if (path == NULL || text == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	memcpy(text, doc, len);
	text[len] = '\n';
	rc = d_file_write_atomic(path, text, len + 1, 0600);
out:
	if (rc != 0)
		D_ERROR("could not save the system database in %s: " DF_RC, db->dir, DP_RC(rc));
	d_free(doc);
	d_free(text);
	d_free(path);
	return rc;
}

/* --- decoding: untrusted bytes --- */

struct dec {
	const char *name; /* file name for messages */
	char *err;
	size_t err_len;
};

static int bad(struct dec *d, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report "<file>: <path>: <message>" (no path at the top) and return -DER_INVAL. */
static int
bad(struct dec *d, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path[0] == '\0')
		ms_errf(d->err, d->err_len, "%s: %s", d->name, msg);
	else
		ms_errf(d->err, d->err_len, "%s: %s: %s", d->name, path, msg);
	return -DER_INVAL;
}

static int bad_field(struct dec *d, const char *path, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same for field @key of the object at @path: "members[2].rank: ...". */
static int
bad_field(struct dec *d, const char *path, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ms_errf(d->err, d->err_len, "%s: %s%s%s: %s", d->name, path, path[0] ? "." : "", key, msg);
	return -DER_INVAL;
}

/* Refuse keys of @o that are not in @keys (NULL-terminated). */
static int
check_keys(struct dec *d, const char *path, json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
	{
		size_t i;

		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], k) == 0)
				break;
		if (keys[i] == NULL)
			return bad(d, path, "unknown field \"%.64s\"", k);
	}
	return 0;
}

static int
get_field(struct dec *d, const char *path, json_t *o, const char *key, json_t **out)
{
	*out = json_object_get(o, key);
	if (*out == NULL)
		return bad(d, path, "missing field %s", key);
	return 0;
}

static int
get_u64(struct dec *d, const char *path, json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	json_t *v;
	int rc;

	rc = get_field(d, path, o, key, &v);
	if (rc != 0)
		return rc;
	if (!json_is_integer(v))
		return bad_field(d, path, key, "expected an integer");
	if (json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
		return bad_field(d, path, key,
				 "%" JSON_INTEGER_FORMAT " is out of range (0-%" PRIu64 ")",
				 json_integer_value(v), max);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
get_u32(struct dec *d, const char *path, json_t *o, const char *key, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc;

	rc = get_u64(d, path, o, key, max, &v);
	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

/* A printable-ASCII string of fewer than @size bytes into @buf (@buf may be NULL). */
static int
get_str(struct dec *d, const char *path, json_t *o, const char *key, char *buf, size_t size,
	const char **out)
{
	const char *s;
	json_t *v;
	int rc;

	rc = get_field(d, path, o, key, &v);
	if (rc != 0)
		return rc;
	if (!json_is_string(v))
		return bad_field(d, path, key, "expected a string");
	s = json_string_value(v);
	if (json_string_length(v) >= size)
		return bad_field(d, path, key, "longer than %zu characters", size - 1);
	if (!ms_text_is_valid(s, size - 1))
		return bad_field(d, path, key, "not printable text");
	if (buf != NULL)
		memcpy(buf, s, json_string_length(v) + 1);
	if (out != NULL)
		*out = s;
	return 0;
}

static int
get_uuid(struct dec *d, const char *path, json_t *o, const char *key, uuid_t out)
{
	char s[37];
	int rc;

	rc = get_str(d, path, o, key, s, sizeof(s), NULL);
	if (rc != 0)
		return rc;
	if (!ms_is_uuid(s) || uuid_parse(s, out) != 0 || uuid_is_null(out))
		return bad_field(d, path, key, "not a UUID: \"%s\"", s);
	return 0;
}

static int
get_ranks(struct dec *d, const char *path, json_t *o, const char *key, d_rank_list_t **out)
{
	d_rank_list_t *rl;
	json_t *a;
	json_t *v;
	size_t i;
	int rc;

	rc = get_field(d, path, o, key, &a);
	if (rc != 0)
		return rc;
	if (!json_is_array(a))
		return bad_field(d, path, key, "expected an array of ranks");
	if (json_array_size(a) > D_RANK_LIST_PARSE_MAX)
		return bad_field(d, path, key, "too many ranks");
	rl = d_rank_list_alloc((uint32_t)json_array_size(a));
	if (rl == NULL)
		return -DER_NOMEM;
	json_array_foreach(a, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) >= CRT_NO_RANK) {
			d_rank_list_free(rl);
			return bad(d, path, "%s[%zu]: expected a rank", key, i);
		}
		rl->rl_ranks[i] = (d_rank_t)json_integer_value(v);
	}
	*out = rl;
	return 0;
}

static const char *const member_keys[] = {
	"rank", "uuid",        "addr",       "uri",      "nr_ctxs",     "fault_domain", "state",
	"info", "incarnation", "engine_idx", "hostname", "last_update", NULL,
};

static int
member_decode(struct dec *d, const char *path, json_t *o, struct ms_member *m)
{
	const char *state;
	int rc;

	if (!json_is_object(o))
		return bad(d, path, "expected an object");
	rc = check_keys(d, path, o, member_keys);
	rc = rc ?: get_u32(d, path, o, "rank", CRT_NO_RANK - 1, &m->rank);
	rc = rc ?: get_uuid(d, path, o, "uuid", m->uuid);
	rc = rc ?: get_str(d, path, o, "addr", m->addr, sizeof(m->addr), NULL);
	rc = rc ?: get_str(d, path, o, "uri", m->uri, sizeof(m->uri), NULL);
	rc = rc ?: get_u32(d, path, o, "nr_ctxs", UINT32_MAX, &m->nr_ctxs);
	rc = rc
		     ?: get_str(d, path, o, "fault_domain", m->fault_domain,
				sizeof(m->fault_domain), NULL);
	rc = rc ?: get_str(d, path, o, "state", NULL, 32, &state);
	rc = rc ?: get_str(d, path, o, "info", m->info, sizeof(m->info), NULL);
	rc = rc ?: get_u64(d, path, o, "incarnation", INT64_MAX, &m->incarnation);
	rc = rc ?: get_u32(d, path, o, "engine_idx", UINT32_MAX, &m->engine_idx);
	rc = rc ?: get_str(d, path, o, "hostname", m->hostname, sizeof(m->hostname), NULL);
	rc = rc ?: get_u64(d, path, o, "last_update", INT64_MAX, &m->last_update);
	if (rc != 0)
		return rc;
	if (ms_member_state_parse(state, &m->state) != 0 ||
	    strcmp(ms_member_state_name(m->state), state) != 0)
		return bad_field(d, path, "state", "unknown member state \"%s\"", state);
	if (m->addr[0] == '\0')
		return bad_field(d, path, "addr", "empty");
	if (m->fault_domain[0] != '/')
		return bad_field(d, path, "fault_domain", "\"%s\" does not start with /",
				 m->fault_domain);
	return 0;
}

/* The last four are fields of earlier files (see the format above): accepted, ignored. */
static const char *const pool_keys[] = {
	"uuid",    "label", "state", "svc_ranks",  "tgt_ranks", "tier_bytes",
	"created", "owner", "group", "properties", "acl",       NULL,
};

static int
pool_decode(struct dec *d, const char *path, json_t *o, struct ms_pool *p)
{
	const char *state;
	json_t *tiers;
	json_t *v;
	size_t i;
	int rc;

	if (!json_is_object(o))
		return bad(d, path, "expected an object");
	rc = check_keys(d, path, o, pool_keys);
	rc = rc ?: get_uuid(d, path, o, "uuid", p->uuid);
	rc = rc ?: get_str(d, path, o, "label", p->label, sizeof(p->label), NULL);
	rc = rc ?: get_str(d, path, o, "state", NULL, 32, &state);
	rc = rc ?: get_u64(d, path, o, "created", INT64_MAX, &p->created);
	rc = rc ?: get_field(d, path, o, "tier_bytes", &tiers);
	if (rc != 0)
		return rc;
	if (!ms_label_is_valid(p->label))
		return bad_field(d, path, "label", "invalid pool label \"%s\"", p->label);
	if (ms_pool_state_parse(state, &p->state) != 0 ||
	    strcmp(ms_pool_state_name(p->state), state) != 0)
		return bad_field(d, path, "state", "unknown pool state \"%s\"", state);
	if (!json_is_array(tiers) || json_array_size(tiers) > MS_TIERS_MAX)
		return bad_field(d, path, "tier_bytes", "expected an array of at most %d integers",
				 MS_TIERS_MAX);
	json_array_foreach(tiers, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return bad_field(d, path, "tier_bytes", "[%zu]: expected a byte count", i);
		p->tier_bytes[i] = (uint64_t)json_integer_value(v);
	}
	p->nr_tiers = (uint32_t)json_array_size(tiers);
	/* Allocations last: before them nothing needs freeing on error; after them the
	 * caller frees the half-decoded pool. */
	rc = get_ranks(d, path, o, "svc_ranks", &p->svc_ranks);
	return rc ?: get_ranks(d, path, o, "tgt_ranks", &p->tgt_ranks);
}

static int
cmp_member(const void *a, const void *b)
{
	const struct ms_member *x = a;
	const struct ms_member *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static int
cmp_pool(const void *a, const void *b)
{
	return strcmp(((const struct ms_pool *)a)->label, ((const struct ms_pool *)b)->label);
}

static int
cmp_attr(const void *a, const void *b)
{
	return strcmp(((const struct ms_attr *)a)->key, ((const struct ms_attr *)b)->key);
}

static int
members_decode(struct dec *d, json_t *a, struct ms_db *db)
{
	char path[48];
	json_t *v;
	size_t i;
	uint32_t j;
	int rc;

	if (!json_is_array(a))
		return bad(d, "members", "expected an array");
	if (json_array_size(a) > (size_t)db->next_rank)
		return bad(d, "members", "%zu members but next_rank is %u", json_array_size(a),
			   db->next_rank);
	if (json_array_size(a) > 0) {
		db->members = d_calloc(json_array_size(a), sizeof(*db->members));
		if (db->members == NULL)
			return -DER_NOMEM;
		db->cap_members = (uint32_t)json_array_size(a);
	}
	json_array_foreach(a, i, v)
	{
		struct ms_member *m = &db->members[i];

		snprintf(path, sizeof(path), "members[%zu]", i);
		rc = member_decode(d, path, v, m);
		if (rc != 0)
			return rc;
		for (j = 0; j < i; j++) {
			if (db->members[j].rank == m->rank) {
				snprintf(path, sizeof(path), "members[%zu].rank", i);
				return bad(d, path, "duplicate rank %u", m->rank);
			}
			if (uuid_compare(db->members[j].uuid, m->uuid) == 0) {
				snprintf(path, sizeof(path), "members[%zu].uuid", i);
				return bad(d, path, "duplicate uuid (also rank %u)",
					   db->members[j].rank);
			}
		}
		if (m->rank >= db->next_rank) {
			snprintf(path, sizeof(path), "members[%zu].rank", i);
			return bad(d, path, "rank %u is not below next_rank %u", m->rank,
				   db->next_rank);
		}
		if (i > 0 &&
		    ms_fd_depth(m->fault_domain) != ms_fd_depth(db->members[0].fault_domain)) {
			snprintf(path, sizeof(path), "members[%zu].fault_domain", i);
			return bad(d, path, "\"%s\" has %d levels, members[0] has %d",
				   m->fault_domain, ms_fd_depth(m->fault_domain),
				   ms_fd_depth(db->members[0].fault_domain));
		}
		db->nr_members++;
	}
	d_sort(db->members, db->nr_members, sizeof(*db->members), cmp_member);
	return 0;
}

static int
pools_decode(struct dec *d, json_t *a, struct ms_db *db)
{
	char path[48];
	json_t *v;
	size_t i;
	uint32_t j;
	int rc;

	if (!json_is_array(a))
		return bad(d, "pools", "expected an array");
	if (json_array_size(a) > UINT32_MAX / 2)
		return bad(d, "pools", "too many pools");
	if (json_array_size(a) > 0) {
		db->pools = d_calloc(json_array_size(a), sizeof(*db->pools));
		if (db->pools == NULL)
			return -DER_NOMEM;
		db->cap_pools = (uint32_t)json_array_size(a);
	}
	json_array_foreach(a, i, v)
	{
		struct ms_pool *p = &db->pools[i];

		snprintf(path, sizeof(path), "pools[%zu]", i);
		rc = pool_decode(d, path, v, p);
		/* Counted even when half-decoded, so that its rank lists are freed. */
		db->nr_pools++;
		if (rc != 0)
			return rc;
		for (j = 0; j < i; j++) {
			if (strcmp(db->pools[j].label, p->label) == 0) {
				snprintf(path, sizeof(path), "pools[%zu].label", i);
				return bad(d, path, "duplicate label %s", p->label);
			}
			if (uuid_compare(db->pools[j].uuid, p->uuid) == 0) {
				snprintf(path, sizeof(path), "pools[%zu].uuid", i);
				return bad(d, path, "duplicate uuid (also pool %s)",
					   db->pools[j].label);
			}
		}
	}
	d_sort(db->pools, db->nr_pools, sizeof(*db->pools), cmp_pool);
	return 0;
}

static const char *const prop_keys[] = {
	"self_heal",
	"pool_scrub_mode",
	"pool_scrub_thresh",
	NULL,
};

static int
props_decode(struct dec *d, json_t *o, struct ms_db *db)
{
	const char *heal;
	const char *mode;
	int rc;

	if (!json_is_object(o))
		return bad(d, "properties", "expected an object");
	rc = check_keys(d, "properties", o, prop_keys);
	rc = rc ?: get_str(d, "properties", o, "self_heal", NULL, 64, &heal);
	rc = rc ?: get_str(d, "properties", o, "pool_scrub_mode", NULL, 16, &mode);
	rc = rc ?: get_u64(d, "properties", o, "pool_scrub_thresh", INT64_MAX, &db->scrub_thresh);
	if (rc != 0)
		return rc;
	if (ms_self_heal_parse(heal, &db->self_heal) != 0)
		return bad_field(d, "properties", "self_heal", "invalid value \"%s\"", heal);
	if (ms_scrub_mode_parse(mode, &db->scrub_mode) != 0)
		return bad_field(d, "properties", "pool_scrub_mode", "invalid value \"%s\"", mode);
	return 0;
}

static int
attrs_decode(struct dec *d, json_t *o, struct ms_db *db)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return bad(d, "attributes", "expected an object");
	if (json_object_size(o) > 0) {
		db->attrs = d_calloc(json_object_size(o), sizeof(*db->attrs));
		if (db->attrs == NULL)
			return -DER_NOMEM;
		db->cap_attrs = (uint32_t)json_object_size(o);
	}
	json_object_foreach(o, k, v)
	{
		struct ms_attr *a = &db->attrs[db->nr_attrs];

		if (k[0] == '\0' || !ms_text_is_valid(k, MS_ATTR_KEY_MAX))
			return bad(d, "attributes", "invalid attribute name \"%.64s\"", k);
		if (!json_is_string(v) || json_string_length(v) > MS_ATTR_VALUE_MAX ||
		    !ms_text_is_valid(json_string_value(v), MS_ATTR_VALUE_MAX))
			return bad_field(d, "attributes", k, "expected a string of printable text");
		a->key = d_strdup(k);
		a->value = d_strdup(json_string_value(v));
		db->nr_attrs++;
		if (a->key == NULL || a->value == NULL)
			return -DER_NOMEM;
	}
	d_sort(db->attrs, db->nr_attrs, sizeof(*db->attrs), cmp_attr);
	return 0;
}

static const char *const top_keys[] = {
	"version", "system", "next_rank",  "map_version", "provider",
	"members", "pools",  "properties", "attributes",  NULL,
};

static int
root_decode(struct dec *d, json_t *root, const char *system, struct ms_db *db)
{
	const char *sys;
	json_t *v;
	uint64_t version;
	int rc;

	if (!json_is_object(root))
		return bad(d, "", "expected a JSON object");
	rc = get_u64(d, "", root, "version", INT64_MAX, &version);
	if (rc != 0)
		return rc;
	if (version > MS_DB_VERSION) {
		ms_errf(d->err, d->err_len,
			"%s: version: %" PRIu64 " is newer than this daos_server understands (%d)",
			d->name, version, MS_DB_VERSION);
		return -DER_DF_INCOMPT;
	}
	if (version < 1)
		return bad(d, "version", "%" PRIu64 " is not a valid version", version);
	rc = check_keys(d, "", root, top_keys);
	rc = rc ?: get_str(d, "", root, "system", NULL, 256, &sys);
	if (rc != 0)
		return rc;
	if (sys[0] == '\0')
		return bad(d, "system", "empty system name");
	if (system != NULL && strcmp(sys, system) != 0)
		return bad(d, "system", "the database belongs to system \"%s\", not \"%s\"", sys,
			   system);
	db->system = d_strdup(sys);
	if (db->system == NULL)
		return -DER_NOMEM;
	rc = get_u32(d, "", root, "next_rank", CRT_NO_RANK - 1, &db->next_rank);
	rc = rc ?: get_u32(d, "", root, "map_version", UINT32_MAX - 1, &db->map_version);
	rc = rc ?: get_str(d, "", root, "provider", db->provider, sizeof(db->provider), NULL);
	if (rc != 0)
		return rc;
	if (db->next_rank == 0)
		return bad(d, "next_rank", "must be at least 1");
	rc = get_field(d, "", root, "members", &v);
	rc = rc ?: members_decode(d, v, db);
	rc = rc ?: get_field(d, "", root, "pools", &v);
	rc = rc ?: pools_decode(d, v, db);
	rc = rc ?: get_field(d, "", root, "properties", &v);
	rc = rc ?: props_decode(d, v, db);
	rc = rc ?: get_field(d, "", root, "attributes", &v);
	rc = rc ?: attrs_decode(d, v, db);
	return rc;
}

static void
db_free(struct ms_db *db)
{
	ms_pools_attrs_free(db);
	d_free(db->members);
	d_free(db->system);
	d_free(db->dir);
	d_free(db);
}

static int
db_decode(const void *buf, size_t len, const char *system, const char *name, struct ms_db **out,
	  char *err, size_t err_len)
{
	struct dec d = { .name = name, .err = err, .err_len = err_len };
	struct ms_db *db;
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		ms_errf(err, err_len, "%s: line %d column %d: %s", name, jerr.line, jerr.column,
			jerr.text);
		return -DER_INVAL;
	}
	db = d_calloc(1, sizeof(*db));
	if (db == NULL) {
		json_decref(root);
		return -DER_NOMEM;
	}
	rc = root_decode(&d, root, system, db);
	json_decref(root);
	if (rc != 0) {
		if (rc == -DER_NOMEM)
			ms_errf(err, err_len, "%s: out of memory", name);
		db_free(db);
		return rc;
	}
	*out = db;
	return 0;
}

int
ms_db_decode(const void *buf, size_t len, const char *system, struct ms_db **out, char *err,
	     size_t err_len)
{
	return db_decode(buf, len, system, MS_DB_FILE, out, err, err_len);
}

/* Read all of @path into *buf (NUL-terminated). -DER_NONEXIST if there is no file. */
static int
read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	char *b;
	size_t off = 0;
	int fd;
	int rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -DER_NONEXIST : -daos_errno2der(errno);
	if (fstat(fd, &st) != 0) {
		rc = -daos_errno2der(errno);
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MS_DB_SIZE_MAX) {
		rc = -DER_INVAL;
		goto out_close;
	}
	b = d_malloc((size_t)st.st_size + 1);
	if (b == NULL) {
		rc = -DER_NOMEM;
		goto out_close;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, b + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -daos_errno2der(errno) : -DER_IO;
			d_free(b);
			goto out_close;
		}
		off += (size_t)n;
	}
	b[off] = '\0';
	*buf = b;
	*len = off;
out_close:
	close(fd);
	return rc;
}

int
ms_open(const char *dir, const char *system, struct ms_db **out, char *err, size_t err_len)
{
	struct ms_db *db = NULL;
	struct stat st;
	char *path = NULL;
	char *tmp = NULL;
	char *buf = NULL;
	size_t len = 0;
	char local[512];
	int rc;

	/* Keep a message for the log even when the caller wants none. */
	if (err == NULL || err_len == 0) {
		err = local;
		err_len = sizeof(local);
	}
	err[0] = '\0';
	if (system == NULL || system[0] == '\0' || !ms_text_is_valid(system, 255)) {
		ms_errf(err, err_len, "invalid system name");
		return -DER_INVAL;
	}
	if (stat(dir, &st) != 0) {
		rc = errno == ENOENT ? -DER_NONEXIST : -daos_errno2der(errno);
		ms_errf(err, err_len, "%s: %s", dir, strerror(errno));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		ms_errf(err, err_len, "%s: not a directory", dir);
		return -DER_NOTDIR;
	}
	path = db_path(dir, "");
	tmp = db_path(dir, ".tmp");
	if (path == NULL || tmp == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	/* An interrupted save: daos_system.db is still the previous, complete document. */
	if (unlink(tmp) == 0)
		D_INFO("removed %s, left by an interrupted save", tmp);

	rc = read_file(path, &buf, &len);
	if (rc == -DER_NONEXIST) {
		db = d_calloc(1, sizeof(*db));
		if (db == NULL) {
			rc = -DER_NOMEM;
			goto out;
		}
		db->system = d_strdup(system);
		db->dir = d_strdup(dir);
		db->next_rank = 1;
		ms_props_reset(db);
		rc = db->system == NULL || db->dir == NULL ? -DER_NOMEM : ms_db_save(db);
		if (rc != 0) {
			ms_errf(err, err_len, "%s: could not create: " DF_RC, path, DP_RC(rc));
			goto out;
		}
		D_INFO("created the system database %s for system %s", path, system);
	} else if (rc != 0) {
		ms_errf(err, err_len, "%s: could not read: " DF_RC, path, DP_RC(rc));
		goto out;
	} else {
		rc = db_decode(buf, len, system, path, &db, err, err_len);
		if (rc != 0)
			goto out;
		db->dir = d_strdup(dir);
		if (db->dir == NULL) {
			rc = -DER_NOMEM;
			goto out;
		}
	}
	*out = db;
	db = NULL;
out:
	if (rc != 0) {
		if (rc == -DER_NOMEM && err[0] == '\0')
			ms_errf(err, err_len, "%s: out of memory", dir);
		D_ERROR("could not open the system database in %s: %s", dir, err);
		if (db != NULL)
			db_free(db);
	}
	d_free(buf);
	d_free(path);
	d_free(tmp);
	return rc;
}

void
ms_close(struct ms_db *db)
{
	if (db != NULL)
		db_free(db);
}
