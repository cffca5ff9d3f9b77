/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/ms/ms_int.h - private to src/control/ms: the database struct and the helpers
 * its files share.
 *
 * Every change follows one pattern, so that a failed save leaves the db as it was:
 * reserve array room first (the only allocation that undo could need), keep a copy of
 * what will change, change it, ms_db_save(), and on failure put the copy back.
 */
#ifndef CONTROL_MS_INT_H
#define CONTROL_MS_INT_H

#include "control/ms/ms.h"
#include "security/security.h"

/* ACEs per pool ACL: what DAOS's 64 KiB of entries can hold at the smallest entry size. */
#define MS_POOL_ACES_MAX (DAOS_ACL_MAX_ACE_LEN / sizeof(struct daos_ace))

/* A system attribute. */
struct ms_attr {
	char *key;   /* d_alloc'd */
	char *value; /* d_alloc'd */
};

enum ms_scrub_mode {
	MS_SCRUB_OFF,
	MS_SCRUB_LAZY,
	MS_SCRUB_TIMED,
};

struct ms_db {
	char *dir;                  /* where MS_DB_FILE lives; NULL: never saved */
	char *system;               /* system name */
	uint32_t map_version;       /* group map version */
	d_rank_t next_rank;         /* NextRank: the rank of the next new engine (see ms_join) */
	char provider[MS_PROV_MAX]; /* system fabric provider, "" until the first join */

	struct ms_member *members; /* increasing rank */
	uint32_t nr_members;
	uint32_t cap_members;

	struct ms_pool *pools; /* increasing label (strcmp) */
	uint32_t nr_pools;
	uint32_t cap_pools;

	uint32_t self_heal;            /* MS_SELF_HEAL_* */
	enum ms_scrub_mode scrub_mode; /* pool_scrub_mode */
	uint64_t scrub_thresh;         /* pool_scrub_thresh */

	struct ms_attr *attrs; /* increasing key (strcmp) */
	uint32_t nr_attrs;
	uint32_t cap_attrs;
};

void ms_errf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Make room for @need elements of @size bytes in *@arr of capacity *@cap. */
int ms_reserve(void **arr, uint32_t *cap, uint32_t need, size_t size);
/* Write the whole db to its file atomically; 0 at once for a db without a directory. */
int ms_db_save(struct ms_db *db);
/* Reset properties to their defaults. */
void ms_props_reset(struct ms_db *db);
/* Free the pools and attributes and their arrays (erase, close). */
void ms_pools_attrs_free(struct ms_db *db);
/* The pool of uuid @uuid, or NULL. */
struct ms_pool *ms_pool_find(const struct ms_db *db, const uuid_t uuid);
/* Free what a pool record owns (rank lists, properties, ACL); the record stays. */
void ms_pool_fini(struct ms_pool *p);
/*
 * Whether (@key, @value) has the form of a pool property (struct ms_pool_prop). If not,
 * @err gets the reason ('invalid pool property name "Rd Fac"').
 */
bool ms_pool_prop_is_valid(const char *key, const char *value, char *err, size_t err_len);
/* Sort @nr properties by name. */
void ms_pool_props_sort(struct ms_pool_prop *props, uint32_t nr);
/* Free @nr properties and their array (may be NULL). */
void ms_pool_props_free(struct ms_pool_prop *props, uint32_t nr);
/*
 * Parse @nr ACE strings into a pool ACL in *out (sec_acl_free() it). 0, -DER_NOMEM, or
 * -DER_INVAL with the reason in @err and in *bad the index of the entry at fault
 * (UINT32_MAX when the list as a whole is: too large).
 */
int ms_acl_parse(const char *const *strs, uint32_t nr, struct daos_acl **out, uint32_t *bad,
		 char *err, size_t err_len);
/*
 * The entries of @acl as canonical strings in *strs, their number in *nr. 0, -DER_INVAL
 * or -DER_NOMEM (sec_acl_to_strs()).
 */
int ms_acl_strs(const struct daos_acl *acl, char ***strs, uint32_t *nr);
/* Free what ms_acl_strs() made (@strs may be NULL). */
void ms_acl_strs_free(char **strs, uint32_t nr);
/* Fault domain levels: "/" 0, "/host" 1, "/rack/host" 2. */
int ms_fd_depth(const char *fd);
/* Whether @s is a well-formed UUID string. */
bool ms_is_uuid(const char *s);
/* Whether @s, of at most @max bytes, is printable text. */
bool ms_text_is_valid(const char *s, size_t max);
const char *ms_scrub_mode_name(enum ms_scrub_mode mode);
int ms_scrub_mode_parse(const char *name, enum ms_scrub_mode *out);
/* self_heal flags as text, into @buf of at least 64 bytes. */
void ms_self_heal_str(uint32_t flags, char *buf, size_t len);
int ms_self_heal_parse(const char *s, uint32_t *flags);

#endif /* CONTROL_MS_INT_H */
