/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_member.c - system membership: member states and their transition rules, rank
 * assignment on join, exclusion, erase, the group map and queries.
 *
 * Members live in one array in increasing rank order. A new rank is always the largest
 * so far (NextRank only grows), so joins append and the order holds without sorting.
 *
 * Group map: the Joined members' (rank, uri, incarnation, contexts). Its version grows
 * whenever one of those tuples appears, disappears or changes, and on every exclusion
 * (which pools must hear of even when the rank was already out of the map).
 *
 * Rules follow DAOS's membership (reference §1.5): see ms_join() in ms.h. Joining is not
 * a state update: it is the way back for Excluded, Errored, Unresponsive and Stopped
 * members, which the transition table keeps away from Joined otherwise.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <strings.h>
#include <time.h>

#include "control/ms/ms_int.h"

struct state_name {
	enum ms_member_state state;
	const char *name;
};

static const struct state_name state_names[] = {
#define MS_STATE_NAME(name, bit, text) { name, text },
	MS_MEMBER_STATES(MS_STATE_NAME)
#undef MS_STATE_NAME
};

const char *
ms_member_state_name(enum ms_member_state state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(state_names); i++)
		if (state_names[i].state == state)
			return state_names[i].name;
	return "Unknown";
}

int
ms_member_state_parse(const char *name, enum ms_member_state *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(state_names); i++) {
		if (strcasecmp(state_names[i].name, name) == 0) {
			*out = state_names[i].state;
			return 0;
		}
	}
	return -DER_INVAL;
}

int
ms_member_states_parse(const char *list, uint32_t *mask, char *err, size_t err_len)
{
	uint32_t m = 0;
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		enum ms_member_state st;
		char name[32];

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof(name)) {
			ms_errf(err, err_len, "invalid member state \"%.*s\"", (int)D_MIN(len, 64),
				p);
			return -DER_INVAL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (ms_member_state_parse(name, &st) != 0) {
			ms_errf(err, err_len, "invalid member state \"%s\"", name);
			return -DER_INVAL;
		}
		m |= st;
		if (end == NULL)
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}

bool
ms_member_transition_is_illegal(enum ms_member_state from, enum ms_member_state to)
{
	if (from == MS_MEMBER_UNKNOWN || to == MS_MEMBER_UNKNOWN)
		return true;
	if (from == to)
		return false;
	switch (from) {
	case MS_MEMBER_ADMIN_EXCLUDED:
		/* Only clear-exclude, which is not a state update, lets a rank out. */
		return true;
	case MS_MEMBER_AWAIT_FORMAT:
	case MS_MEMBER_STARTING:
	case MS_MEMBER_READY:
		return to == MS_MEMBER_EXCLUDED;
	case MS_MEMBER_JOINED:
		return to == MS_MEMBER_READY;
	case MS_MEMBER_ERRORED:
	case MS_MEMBER_UNRESPONSIVE:
		return to == MS_MEMBER_READY || to == MS_MEMBER_JOINED || to == MS_MEMBER_STOPPING;
	case MS_MEMBER_EXCLUDED:
		/* An excluded engine must restart and rejoin. */
		return !(to == MS_MEMBER_JOINED || to == MS_MEMBER_ADMIN_EXCLUDED ||
			 to == MS_MEMBER_AWAIT_FORMAT || to == MS_MEMBER_CHECKER_STARTED);
	default:
		return false;
	}
}

static struct ms_member *
member_by_rank(const struct ms_db *db, d_rank_t rank)
{
	uint32_t lo = 0;
	uint32_t hi = db->nr_members;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (db->members[mid].rank == rank)
			return &db->members[mid];
		if (db->members[mid].rank < rank)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ms_member *
ms_member_get(const struct ms_db *db, d_rank_t rank)
{
	return member_by_rank(db, rank);
}

const struct ms_member *
ms_member_find_uuid(const struct ms_db *db, const uuid_t uuid)
{
	uint32_t i;

	for (i = 0; i < db->nr_members; i++)
		if (uuid_compare(db->members[i].uuid, uuid) == 0)
			return &db->members[i];
	return NULL;
}

const struct ms_member *
ms_member_list(const struct ms_db *db, uint32_t *nr)
{
	*nr = db->nr_members;
	return db->members;
}

uint32_t
ms_map_version(const struct ms_db *db)
{
	return db->map_version;
}

d_rank_t
ms_next_rank(const struct ms_db *db)
{
	/* The first engine of an empty system takes rank 0 (see ms_join). */
	if (db->nr_members == 0 && db->next_rank == 1)
		return 0;
	return db->next_rank;
}

const char *
ms_system_name(const struct ms_db *db)
{
	return db->system;
}

const char *
ms_provider(const struct ms_db *db)
{
	return db->provider;
}

static bool
in_map(const struct ms_member *m)
{
	return m != NULL && m->state == MS_MEMBER_JOINED;
}

/* Whether replacing @a by @b (either may be NULL) changes the group map. */
static bool
map_differs(const struct ms_member *a, const struct ms_member *b)
{
	if (in_map(a) != in_map(b))
		return true;
	if (!in_map(a))
		return false;
	return a->rank != b->rank || a->incarnation != b->incarnation || a->nr_ctxs != b->nr_ctxs ||
	       strcmp(a->uri, b->uri) != 0;
}

static bool
copy_field(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size);

	if (len == size)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

/* Write member @m over the db's member at @slot, bump the map if needed, save; undo on error. */
static int
member_commit(struct ms_db *db, struct ms_member *slot, const struct ms_member *m, bool bump)
{
	struct ms_member old = *slot;
	uint32_t old_ver = db->map_version;
	int rc;

	if (bump || map_differs(&old, m))
		db->map_version++;
	*slot = *m;
	rc = ms_db_save(db);
	if (rc != 0) {
		*slot = old;
		db->map_version = old_ver;
	}
	return rc;
}

static int
fd_depth_check(const struct ms_db *db, const char *fd, d_rank_t self, char *err, size_t err_len)
{
	int depth = ms_fd_depth(fd);
	uint32_t i;

	for (i = 0; i < db->nr_members; i++) {
		int other;

		if (db->members[i].rank == self)
			continue;
		other = ms_fd_depth(db->members[i].fault_domain);
		if (other != depth) {
			ms_errf(err, err_len,
				"fault domain \"%s\" has %d levels, but the system's members have %d (rank %u: \"%s\")",
				fd, depth, other, db->members[i].rank, db->members[i].fault_domain);
			return -DER_INVAL;
		}
		/* All members have the same depth (checked at each join and at load). */
		break;
	}
	return 0;
}

/* The host part of a control address: "node1:10001" -> "node1", "[::1]:10001" -> "::1". */
static void
addr_host(const char *addr, char *out, size_t len)
{
	const char *end;

	if (addr[0] == '[' && (end = strchr(addr, ']')) != NULL) {
		snprintf(out, len, "%.*s", (int)(end - addr - 1), addr + 1);
		return;
	}
	end = strrchr(addr, ':');
	if (end == NULL || strchr(addr, ':') != end)
		snprintf(out, len, "%s", addr);
	else
		snprintf(out, len, "%.*s", (int)(end - addr), addr);
}

/* Check and copy the request's fields into @m. */
static int
join_fill(const struct ms_join_req *req, struct ms_member *m, char *prov, char *err, size_t err_len)
{
	const char *scheme;

	if (uuid_is_null(req->uuid)) {
		ms_errf(err, err_len, "join request without an engine uuid");
		return -DER_INVAL;
	}
	if (req->addr == NULL || req->addr[0] == '\0' ||
	    !ms_text_is_valid(req->addr, MS_ADDR_MAX - 1)) {
		ms_errf(err, err_len, "join request without a valid control address");
		return -DER_INVAL;
	}
	if (req->uri == NULL || req->uri[0] == '\0' ||
	    !ms_text_is_valid(req->uri, MS_URI_MAX - 1)) {
		ms_errf(err, err_len, "join request without a valid fabric URI");
		return -DER_INVAL;
	}
	if (req->fault_domain == NULL || req->fault_domain[0] != '/' ||
	    !ms_text_is_valid(req->fault_domain, MS_FD_MAX - 1)) {
		ms_errf(err, err_len, "join request without a valid fault domain (\"/host\")");
		return -DER_INVAL;
	}
	if (req->incarnation > INT64_MAX) {
		ms_errf(err, err_len, "join request with an out-of-range incarnation");
		return -DER_INVAL;
	}
	if (req->hostname != NULL && !ms_text_is_valid(req->hostname, MS_HOST_MAX - 1)) {
		ms_errf(err, err_len, "join request with an invalid hostname");
		return -DER_INVAL;
	}
	if (req->provider != NULL && req->provider[0] != '\0') {
		if (!ms_text_is_valid(req->provider, MS_PROV_MAX - 1)) {
			ms_errf(err, err_len, "join request with an invalid provider");
			return -DER_INVAL;
		}
		snprintf(prov, MS_PROV_MAX, "%s", req->provider);
	} else {
		scheme = strstr(req->uri, "://");
		if (scheme == NULL || scheme == req->uri || scheme - req->uri >= MS_PROV_MAX) {
			ms_errf(err, err_len, "fabric URI \"%s\" does not name a provider",
				req->uri);
			return -DER_INVAL;
		}
		snprintf(prov, MS_PROV_MAX, "%.*s", (int)(scheme - req->uri), req->uri);
	}
	uuid_copy(m->uuid, req->uuid);
	copy_field(m->addr, sizeof(m->addr), req->addr);
	copy_field(m->uri, sizeof(m->uri), req->uri);
	copy_field(m->fault_domain, sizeof(m->fault_domain), req->fault_domain);
	if (req->hostname != NULL && req->hostname[0] != '\0')
		copy_field(m->hostname, sizeof(m->hostname), req->hostname);
	else
		addr_host(req->addr, m->hostname, sizeof(m->hostname));
	m->nr_ctxs = req->nr_ctxs;
	m->engine_idx = req->engine_idx;
	m->state = MS_MEMBER_JOINED;
	m->info[0] = '\0';
	m->last_update = (uint64_t)time(NULL);
	return 0;
}

/* The member that a --replace join without a rank takes over, or NULL. */
static struct ms_member *
replace_target(struct ms_db *db, const struct ms_join_req *req)
{
	struct ms_member *admin = NULL;
	uint32_t i;

	for (i = 0; i < db->nr_members; i++) {
		struct ms_member *m = &db->members[i];

		if (strcmp(m->addr, req->addr) != 0 || m->engine_idx != req->engine_idx)
			continue;
		if (m->state == MS_MEMBER_EXCLUDED)
			return m;
		if (m->state == MS_MEMBER_ADMIN_EXCLUDED)
			admin = m;
	}
	return admin;
}

/* Join a new member: rank 0 for the very first, NextRank afterwards. */
static int
join_new(struct ms_db *db, struct ms_member *m, const char *prov, struct ms_join_resp *resp)
{
	d_rank_t old_next = db->next_rank;
	uint32_t old_ver = db->map_version;
	char old_prov[MS_PROV_MAX];
	int rc;

	rc = ms_reserve((void **)&db->members, &db->cap_members, db->nr_members + 1,
			sizeof(*db->members));
	if (rc != 0)
		return rc;
	m->rank = ms_next_rank(db);
	if (m->rank == CRT_NO_RANK - 1)
		return -DER_OVERFLOW;
	if (m->incarnation == 0)
		m->incarnation = 1;
	memcpy(old_prov, db->provider, sizeof(old_prov));
	snprintf(db->provider, sizeof(db->provider), "%s", prov);
	db->next_rank = m->rank + 1;
	db->map_version++;
	db->members[db->nr_members++] = *m;
	rc = ms_db_save(db);
	if (rc != 0) {
		db->nr_members--;
		db->next_rank = old_next;
		db->map_version = old_ver;
		memcpy(db->provider, old_prov, sizeof(old_prov));
		return rc;
	}
	D_INFO("system %s: new member rank %u (%s, %s)", db->system, m->rank, m->addr, m->uri);
	resp->is_new = true;
	return 0;
}

int
ms_join(struct ms_db *db, const struct ms_join_req *req, struct ms_join_resp *resp, char *err,
	size_t err_len)
{
	struct ms_member m = { 0 };
	struct ms_member *by_uuid;
	struct ms_member *target = NULL;
	struct ms_join_resp r = { 0 };
	char prov[MS_PROV_MAX];
	char us[37];
	char them[37];
	bool replacing = false;
	int rc;

	rc = join_fill(req, &m, prov, err, err_len);
	if (rc != 0)
		return rc;
	uuid_unparse_lower(req->uuid, us);
	by_uuid = (struct ms_member *)ms_member_find_uuid(db, req->uuid);

	if (req->rank == CRT_NO_RANK) {
		if (by_uuid != NULL) {
			target = by_uuid; /* the superblock lost its rank, the db did not */
		} else if (req->replace) {
			target = replace_target(db, req);
			if (target == NULL) {
				ms_errf(err, err_len,
					"no excluded rank to replace for engine %u at %s",
					req->engine_idx, req->addr);
				return -DER_NONEXIST;
			}
			replacing = true;
		}
	} else {
		target = member_by_rank(db, req->rank);
		if (target == NULL && by_uuid != NULL) {
			ms_errf(err, err_len, "rank %u does not match uuid %s (which is rank %u)",
				req->rank, us, by_uuid->rank);
			return -DER_INVAL;
		}
		if (target == NULL) {
			ms_errf(err, err_len, "rank %u is not a member of system %s", req->rank,
				db->system);
			return -DER_NONEXIST;
		}
		if (uuid_compare(target->uuid, req->uuid) != 0) {
			uuid_unparse_lower(target->uuid, them);
			if (!req->replace || by_uuid != NULL) {
				ms_errf(err, err_len, "uuid %s does not match rank %u (uuid %s)",
					us, req->rank, them);
				return -DER_INVAL;
			}
			replacing = true;
		}
	}

	if (target != NULL && target->state == MS_MEMBER_ADMIN_EXCLUDED) {
		ms_errf(err, err_len,
			"rank %u is administratively excluded: run dmg system clear-exclude first",
			target->rank);
		return -DER_EXCLUDED;
	}
	if (replacing && target->state != MS_MEMBER_EXCLUDED) {
		ms_errf(err, err_len, "rank %u is %s: only an Excluded rank can be replaced",
			target->rank, ms_member_state_name(target->state));
		return -DER_BUSY;
	}
	if (target != NULL && !replacing && strcmp(target->addr, m.addr) != 0) {
		ms_errf(err, err_len, "rank %u: control addr changed from %s to %s", target->rank,
			target->addr, m.addr);
		return -DER_INVAL;
	}
	rc = fd_depth_check(db, m.fault_domain, target ? target->rank : CRT_NO_RANK, err, err_len);
	if (rc != 0)
		return rc;
	if (db->provider[0] != '\0' && strcmp(db->provider, prov) != 0) {
		ms_errf(err, err_len, "engine provider %s differs from the system provider %s",
			prov, db->provider);
		return -DER_INVAL;
	}

	m.incarnation = req->incarnation;
	if (target == NULL) {
		rc = join_new(db, &m, prov, &r);
		if (rc != 0)
			return rc;
	} else {
		if (!replacing && req->incarnation != 0 && req->incarnation < target->incarnation) {
			ms_errf(err, err_len,
				"rank %u: stale join, incarnation %" PRIu64
				" is older than %" PRIu64,
				target->rank, req->incarnation, target->incarnation);
			return -DER_STALE;
		}
		if (m.incarnation == 0)
			m.incarnation = target->incarnation + 1;
		m.rank = target->rank;
		rc = member_commit(db, target, &m, false);
		if (rc != 0)
			return rc;
		D_INFO("system %s: rank %u %s (%s, %s)", db->system, m.rank,
		       replacing ? "replaced" : "rejoined", m.addr, m.uri);
	}
	r.rank = m.rank;
	r.incarnation = m.incarnation;
	r.map_version = db->map_version;
	*resp = r;
	return 0;
}

static int
set_state(struct ms_db *db, d_rank_t rank, enum ms_member_state state, const char *info, bool check,
	  bool bump, char *err, size_t err_len)
{
	struct ms_member *slot = member_by_rank(db, rank);
	struct ms_member m;
	size_t i;

	if (slot == NULL) {
		ms_errf(err, err_len, "rank %u is not a member of system %s", rank, db->system);
		return -DER_NONEXIST;
	}
	if (strcmp(ms_member_state_name(state), "Unknown") == 0) {
		ms_errf(err, err_len, "rank %u: invalid member state %#x", rank,
			(unsigned int)state);
		return -DER_INVAL;
	}
	if (check && ms_member_transition_is_illegal(slot->state, state)) {
		ms_errf(err, err_len, "illegal member state update for rank %u: %s -> %s", rank,
			ms_member_state_name(slot->state), ms_member_state_name(state));
		return -DER_NO_PERM;
	}
	m = *slot;
	m.state = state;
	/* Reasons come from engines and exit statuses: keep them printable for the file. */
	for (i = 0; info != NULL && info[i] != '\0' && i < sizeof(m.info) - 1; i++)
		m.info[i] = (info[i] < 0x20 || info[i] > 0x7e) ? '?' : info[i];
	m.info[i] = '\0';
	m.last_update = (uint64_t)time(NULL);
	return member_commit(db, slot, &m, bump);
}

int
ms_member_set_state(struct ms_db *db, d_rank_t rank, enum ms_member_state state, const char *info,
		    char *err, size_t err_len)
{
	return set_state(db, rank, state, info, true, false, err, err_len);
}

int
ms_member_exclude(struct ms_db *db, d_rank_t rank, char *err, size_t err_len)
{
	const struct ms_member *m = member_by_rank(db, rank);

	if (m != NULL && m->state == MS_MEMBER_ADMIN_EXCLUDED)
		return 0;
	return set_state(db, rank, MS_MEMBER_ADMIN_EXCLUDED, "system exclude", true, true, err,
			 err_len);
}

int
ms_member_clear_exclude(struct ms_db *db, d_rank_t rank, char *err, size_t err_len)
{
	const struct ms_member *m = member_by_rank(db, rank);

	if (m == NULL) {
		ms_errf(err, err_len, "rank %u is not a member of system %s", rank, db->system);
		return -DER_NONEXIST;
	}
	if (m->state != MS_MEMBER_ADMIN_EXCLUDED)
		return 0;
	/* The one way out of AdminExcluded: bypasses the transition table. */
	return set_state(db, rank, MS_MEMBER_EXCLUDED, "system clear-exclude", false, false, err,
			 err_len);
}

int
ms_member_swim_dead(struct ms_db *db, d_rank_t rank, uint64_t incarnation, char *err,
		    size_t err_len)
{
	const struct ms_member *m = member_by_rank(db, rank);

	if (m == NULL) {
		ms_errf(err, err_len, "rank %u is not a member of system %s", rank, db->system);
		return -DER_NONEXIST;
	}
	if (incarnation != 0 && incarnation < m->incarnation) {
		D_INFO("rank %u: ignoring a stale SWIM death of incarnation %" PRIu64, rank,
		       incarnation);
		return 0;
	}
	return set_state(db, rank, MS_MEMBER_EXCLUDED, "SWIM: rank declared dead", true, true, err,
			 err_len);
}

int
ms_erase(struct ms_db *db, char *err, size_t err_len)
{
	const uint32_t running = MS_MEMBER_STARTING | MS_MEMBER_READY | MS_MEMBER_JOINED |
				 MS_MEMBER_STOPPING | MS_MEMBER_CHECKER_STARTED;
	struct ms_db empty;
	uint32_t i;
	int rc;

	for (i = 0; i < db->nr_members; i++) {
		if (db->members[i].state & running) {
			ms_errf(err, err_len, "rank %u is %s: stop the system before erasing it",
				db->members[i].rank, ms_member_state_name(db->members[i].state));
			return -DER_BUSY;
		}
	}
	/* Save the empty db first; only then drop the old contents. */
	memset(&empty, 0, sizeof(empty));
	empty.dir = db->dir;
	empty.system = db->system;
	empty.next_rank = 1;
	empty.map_version = db->map_version + 1;
	ms_props_reset(&empty);
	rc = ms_db_save(&empty);
	if (rc != 0) {
		ms_errf(err, err_len, "could not save the erased system database: " DF_RC,
			DP_RC(rc));
		return rc;
	}
	ms_pools_attrs_free(db);
	d_free(db->members);
	*db = empty;
	D_INFO("system %s erased", db->system);
	return 0;
}

int
ms_group_map(const struct ms_db *db, struct ms_map_entry **out, uint32_t *nr, uint32_t *version)
{
	struct ms_map_entry *e = NULL;
	uint32_t n = 0;
	uint32_t i;

	for (i = 0; i < db->nr_members; i++)
		n += in_map(&db->members[i]);
	if (n > 0) {
		e = d_calloc(n, sizeof(*e));
		if (e == NULL)
			return -DER_NOMEM;
	}
	n = 0;
	for (i = 0; i < db->nr_members; i++) {
		const struct ms_member *m = &db->members[i];

		if (!in_map(m))
			continue;
		e[n].rank = m->rank;
		e[n].incarnation = m->incarnation;
		e[n].nr_ctxs = m->nr_ctxs;
		memcpy(e[n].uri, m->uri, sizeof(e[n].uri));
		n++;
	}
	*out = e;
	*nr = n;
	if (version != NULL)
		*version = db->map_version;
	return 0;
}

/* --- queries --- */

/* Whether @name is one of the comma-separated @hosts. */
static bool
host_in(const char *hosts, const char *name)
{
	size_t len = strlen(name);
	const char *p = hosts;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && strncasecmp(p, name, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

static bool
member_on_host(const struct ms_member *m, const char *host, size_t len)
{
	char ah[MS_ADDR_MAX];

	if (strlen(m->hostname) == len && strncasecmp(m->hostname, host, len) == 0)
		return true;
	addr_host(m->addr, ah, sizeof(ah));
	return strlen(ah) == len && strncasecmp(ah, host, len) == 0;
}

static bool
member_host_match(const struct ms_member *m, const char *hosts)
{
	char ah[MS_ADDR_MAX];

	if (host_in(hosts, m->hostname))
		return true;
	addr_host(m->addr, ah, sizeof(ah));
	return host_in(hosts, ah);
}

/* The hosts of @hosts on which no member runs, comma-separated, or NULL. */
static int
absent_hosts(const struct ms_db *db, const char *hosts, char **out)
{
	const char *p = hosts;
	char *res = NULL;
	size_t res_len = 0;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		bool found = false;
		uint32_t i;

		for (i = 0; i < db->nr_members && !found; i++)
			found = member_on_host(&db->members[i], p, n);
		if (!found && n > 0) {
			char *tmp = d_realloc(res, res_len + n + 2);

			if (tmp == NULL) {
				d_free(res);
				return -DER_NOMEM;
			}
			res = tmp;
			if (res_len > 0)
				res[res_len++] = ',';
			memcpy(res + res_len, p, n);
			res_len += n;
			res[res_len] = '\0';
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	*out = res;
	return 0;
}

int
ms_query(const struct ms_db *db, const struct ms_filter *f, struct ms_query_result *out, char *err,
	 size_t err_len)
{
	struct ms_query_result r = { 0 };
	d_rank_list_t *ranks = NULL;
	d_rank_list_t *absent = NULL;
	uint32_t mask = MS_MEMBER_ALL_STATES;
	uint32_t i;
	int rc;

	if (f != NULL && f->ranks != NULL && f->hosts != NULL) {
		ms_errf(err, err_len, "ranks and hosts filters are mutually exclusive");
		return -DER_INVAL;
	}
	if (f != NULL && f->with_states != NULL) {
		rc = ms_member_states_parse(f->with_states, &mask, err, err_len);
		if (rc != 0)
			return rc;
	}
	if (f != NULL && f->not_ok)
		mask &= ~(uint32_t)MS_MEMBER_JOINED;
	if (f != NULL && f->ranks != NULL) {
		rc = d_rank_list_parse(f->ranks, strlen(f->ranks), &ranks);
		if (rc == -DER_INVAL)
			ms_errf(err, err_len, "invalid rank set \"%.64s\"", f->ranks);
		if (rc != 0)
			return rc;
		absent = d_rank_list_alloc(0);
		if (absent == NULL) {
			rc = -DER_NOMEM;
			goto out;
		}
		for (i = 0; i < ranks->rl_nr; i++) {
			if (member_by_rank(db, ranks->rl_ranks[i]) != NULL)
				continue;
			rc = d_rank_list_append(absent, ranks->rl_ranks[i]);
			if (rc != 0)
				goto out;
		}
		if (absent->rl_nr > 0) {
			rc = d_rank_list_to_str(absent, &r.absent_ranks);
			if (rc != 0)
				goto out;
		}
	}
	if (f != NULL && f->hosts != NULL) {
		rc = absent_hosts(db, f->hosts, &r.absent_hosts);
		if (rc != 0)
			goto out;
	}
	if (db->nr_members > 0) {
		r.members = d_calloc(db->nr_members, sizeof(*r.members));
		if (r.members == NULL) {
			rc = -DER_NOMEM;
			goto out;
		}
	}
	for (i = 0; i < db->nr_members; i++) {
		const struct ms_member *m = &db->members[i];

		if (!(m->state & mask))
			continue;
		if (ranks != NULL && !d_rank_in_rank_list(ranks, m->rank))
			continue;
		if (f != NULL && f->hosts != NULL && !member_host_match(m, f->hosts))
			continue;
		r.members[r.nr_members++] = *m;
	}
	*out = r;
	rc = 0;
	r.members = NULL;
	r.absent_ranks = NULL;
	r.absent_hosts = NULL;
out:
	ms_query_result_fini(&r);
	d_rank_list_free(absent);
	d_rank_list_free(ranks);
	return rc;
}

void
ms_query_result_fini(struct ms_query_result *res)
{
	d_free(res->members);
	d_free(res->absent_ranks);
	d_free(res->absent_hosts);
	memset(res, 0, sizeof(*res));
}
