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
/* Free what a pool record owns (its rank lists); the record stays. */
void ms_pool_fini(struct ms_pool *p);
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
