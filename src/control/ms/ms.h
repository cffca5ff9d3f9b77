/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/ms/ms.h - the Management Service (MS) system database: members and their
 * ranks, the group map, pool records, system properties and attributes, kept in memory
 * and saved whole to <dir>/daos_system.db (JSON) after every change.
 *
 * Threads: none. daos_server runs one libuv loop and calls every function here from it;
 * there are no locks. A db must never be touched from two threads.
 *
 * Errors: 0 or -DER_*. Functions taking (err, err_len) also write a one-line message
 * there on failure (DAOS-like wording: "rank 3 is administratively excluded"); @err may
 * be NULL. A change that cannot be saved is undone: on any error the db is as before.
 *
 * Ownership: pointers returned by getters (members, pools, attribute values) belong to
 * the db and stay valid until its next change; what a function allocates for its caller
 * is said at the function. Strings passed in are copied.
 *
 * Blocking: every change writes and fsyncs the file (a few milliseconds).
 */
#ifndef CONTROL_MS_H
#define CONTROL_MS_H

#include <gurt/common.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uuid/uuid.h>

struct ms_db;

#define MS_DB_FILE "daos_system.db"
/* The format this code writes; a file with a newer version is refused. */
#define MS_DB_VERSION 1

#define MS_ADDR_MAX 256  /* control address "host:port", with its NUL */
#define MS_URI_MAX 256   /* fabric URI */
#define MS_FD_MAX 256    /* fault domain "/rack/host" */
#define MS_INFO_MAX 256  /* state reason */
#define MS_HOST_MAX 256  /* hostname */
#define MS_PROV_MAX 64   /* fabric provider "ofi+tcp" */
#define MS_LABEL_MAX 127 /* pool label, characters */
#define MS_TIERS_MAX 2   /* storage tiers of a pool: SCM (or metadata), NVMe */
#define MS_ATTR_KEY_MAX 255
#define MS_ATTR_VALUE_MAX 4096

/* --- member states: DAOS's names and bits --- */

#define MS_MEMBER_STATES(X)                                 \
	X(MS_MEMBER_AWAIT_FORMAT, 0x1, "AwaitFormat")       \
	X(MS_MEMBER_STARTING, 0x2, "Starting")              \
	X(MS_MEMBER_READY, 0x4, "Ready")                    \
	X(MS_MEMBER_JOINED, 0x8, "Joined")                  \
	X(MS_MEMBER_STOPPING, 0x10, "Stopping")             \
	X(MS_MEMBER_STOPPED, 0x20, "Stopped")               \
	X(MS_MEMBER_EXCLUDED, 0x40, "Excluded")             \
	X(MS_MEMBER_ERRORED, 0x80, "Errored")               \
	X(MS_MEMBER_UNRESPONSIVE, 0x100, "Unresponsive")    \
	X(MS_MEMBER_ADMIN_EXCLUDED, 0x200, "AdminExcluded") \
	X(MS_MEMBER_CHECKER_STARTED, 0x400, "CheckerStarted")

enum ms_member_state {
	MS_MEMBER_UNKNOWN = 0,
#define MS_STATE_ENUM(name, bit, text) name = bit,
	MS_MEMBER_STATES(MS_STATE_ENUM)
#undef MS_STATE_ENUM
};

/* Every state bit: what "no filter" means in a mask. */
#define MS_MEMBER_ALL_STATES 0x7ffu

/* "Joined", "AdminExcluded", ...; "Unknown" for 0 or anything else. Never NULL. */
const char *ms_member_state_name(enum ms_member_state state);
/* The state named @name (case-insensitive). 0 or -DER_INVAL (also for "Unknown"). */
int ms_member_state_parse(const char *name, enum ms_member_state *out);
/*
 * The mask of the states in @list, names separated by commas ("Joined,Excluded"), as
 * dmg system query --with-states takes them. 0 or -DER_INVAL with the bad name in @err.
 */
int ms_member_states_parse(const char *list, uint32_t *mask, char *err, size_t err_len);
/*
 * DAOS's isTransitionIllegal: whether a member in @from may not be moved to @to by a
 * state update. Leaving Unknown, entering Unknown and leaving AdminExcluded (except by
 * clear-exclude) are illegal; staying in a state is legal. Joining is not a state update:
 * ms_join() brings back Excluded, Errored, Unresponsive and Stopped members.
 */
bool ms_member_transition_is_illegal(enum ms_member_state from, enum ms_member_state to);

/* --- members --- */

/* One engine of the system. */
struct ms_member {
	d_rank_t rank;                /* assigned at first join, never reused */
	uuid_t uuid;                  /* engine uuid, from its superblock */
	char addr[MS_ADDR_MAX];       /* control address of its daos_server */
	char uri[MS_URI_MAX];         /* primary fabric URI */
	uint32_t nr_ctxs;             /* fabric contexts */
	char fault_domain[MS_FD_MAX]; /* "/host" or from fault_path */
	enum ms_member_state state;   /* never MS_MEMBER_UNKNOWN */
	char info[MS_INFO_MAX];       /* reason of the last state change, may be "" */
	uint64_t incarnation;         /* grows with each start of the engine */
	uint32_t engine_idx;          /* index in its daos_server.yml engines: */
	char hostname[MS_HOST_MAX];   /* host of its daos_server */
	uint64_t last_update;         /* seconds since the epoch */
};

/* The member of rank @rank, or NULL. */
const struct ms_member *ms_member_get(const struct ms_db *db, d_rank_t rank);
/* The member with engine uuid @uuid, or NULL. */
const struct ms_member *ms_member_find_uuid(const struct ms_db *db, const uuid_t uuid);
/* All members in increasing rank order; their number in *nr. */
const struct ms_member *ms_member_list(const struct ms_db *db, uint32_t *nr);

/* A Join request: what an engine's daos_server sends when the engine is ready. */
struct ms_join_req {
	d_rank_t rank;            /* from the superblock, or CRT_NO_RANK for a new engine */
	uuid_t uuid;              /* engine uuid */
	const char *addr;         /* control address "host:port" */
	const char *uri;          /* primary fabric URI "ofi+tcp://10.0.0.1:31416" */
	const char *provider;     /* NULL: the URI's scheme ("ofi+tcp") */
	uint32_t nr_ctxs;         /* fabric contexts */
	const char *fault_domain; /* "/host" */
	const char *hostname;     /* may be NULL: the host of @addr */
	uint64_t incarnation;     /* 0: the MS counts (previous + 1) */
	uint32_t engine_idx;      /* index in its daos_server.yml */
	bool replace;             /* dmg storage format --replace: take over an Excluded rank */
};

struct ms_join_resp {
	d_rank_t rank;        /* the member's rank */
	uint32_t map_version; /* group map version after the join */
	uint64_t incarnation; /* the member's incarnation */
	bool is_new;          /* a rank was assigned (not a rejoin or a replacement) */
};

/*
 * Join or rejoin an engine; on success it is Joined. A new engine (rank CRT_NO_RANK and
 * a uuid the db does not know) gets rank 0 if it is the first, else the next value of
 * NextRank, so ranks follow join order and are never reused. A rejoin must bring the
 * rank's uuid. Refusals (the db unchanged, the reason in @err):
 *   -DER_INVAL     rank/uuid mismatch, control address changed, fault domain with a
 *                  number of levels other than the other members', provider other than the
 *                  system's, a missing or too long field
 *   -DER_EXCLUDED  the rank is AdminExcluded (dmg system clear-exclude first)
 *   -DER_NONEXIST  a rank the db does not know; --replace with nothing to replace
 *   -DER_STALE     an incarnation older than the one recorded
 * With @replace a new uuid takes over an Excluded (not AdminExcluded) rank: the one given,
 * or else the Excluded member at the same control address with the same engine index.
 */
int ms_join(struct ms_db *db, const struct ms_join_req *req, struct ms_join_resp *resp, char *err,
	    size_t err_len);

/*
 * Move member @rank to @state with reason @info (may be NULL: "") following the
 * transition rules. -DER_NONEXIST (no such rank), -DER_INVAL (Unknown target) or
 * -DER_NO_PERM with "illegal member state update for rank 2: Excluded -> Ready".
 * Engine exits: ms_member_set_state(db, 1, MS_MEMBER_ERRORED,
 * "DAOS engine 1 exited unexpectedly: signal: killed", ...).
 */
int ms_member_set_state(struct ms_db *db, d_rank_t rank, enum ms_member_state state,
			const char *info, char *err, size_t err_len);
/* dmg system exclude: member @rank becomes AdminExcluded (from any state). */
int ms_member_exclude(struct ms_db *db, d_rank_t rank, char *err, size_t err_len);
/*
 * dmg system clear-exclude: an AdminExcluded member becomes Excluded, so it may rejoin.
 * A member in another state is left alone (0).
 */
int ms_member_clear_exclude(struct ms_db *db, d_rank_t rank, char *err, size_t err_len);
/*
 * SWIM declared @rank dead: it becomes Excluded, unless @incarnation (0: any) is older
 * than the member's (a stale event: 0, nothing done) or the transition is illegal.
 */
int ms_member_swim_dead(struct ms_db *db, d_rank_t rank, uint64_t incarnation, char *err,
			size_t err_len);
/*
 * dmg system erase: forget every member, pool, property and attribute and reset NextRank;
 * the group map version still grows. -DER_BUSY with the rank in @err while a member is
 * running (Starting, Ready, Joined, Stopping or CheckerStarted).
 */
int ms_erase(struct ms_db *db, char *err, size_t err_len);

/* --- group map: what engines and agents use to reach ranks --- */

struct ms_map_entry {
	d_rank_t rank;
	uint64_t incarnation;
	uint32_t nr_ctxs;
	char uri[MS_URI_MAX];
};

/*
 * The Joined members in rank order, in *out (a new array, d_free() it; NULL if *nr is 0),
 * and the map version in *version (may be NULL). The version grows whenever this list
 * changes. 0 or -DER_NOMEM.
 */
int ms_group_map(const struct ms_db *db, struct ms_map_entry **out, uint32_t *nr,
		 uint32_t *version);
uint32_t ms_map_version(const struct ms_db *db);
/* The rank the next new engine will get. */
d_rank_t ms_next_rank(const struct ms_db *db);
const char *ms_system_name(const struct ms_db *db);
/* The system fabric provider, set by the first join; "" before. */
const char *ms_provider(const struct ms_db *db);

/* --- queries (dmg system query and the ranks/hosts of system commands) --- */

struct ms_filter {
	const char *ranks;       /* rank set "0-3,7" ("[0-3,7]"); NULL: all */
	const char *hosts;       /* hostnames "node1,node2" (ranges expanded by the caller) */
	bool not_ok;             /* only members not Joined */
	const char *with_states; /* "Joined,Excluded"; NULL: all */
};

struct ms_query_result {
	struct ms_member *members; /* copies, rank order; d_free()d by ms_query_result_fini() */
	uint32_t nr_members;
	char *absent_ranks; /* "[4-5]": asked for and unknown; NULL if none */
	char *absent_hosts; /* "node9,node10"; NULL if none */
};

/*
 * Members matching every given criterion of @f (NULL: all members). Ranks and hosts
 * together are refused, as by dmg. 0, -DER_INVAL (a malformed rank set or state name,
 * message in @err) or -DER_NOMEM; *out is filled only on success.
 */
int ms_query(const struct ms_db *db, const struct ms_filter *f, struct ms_query_result *out,
	     char *err, size_t err_len);
void ms_query_result_fini(struct ms_query_result *res);

/* --- pools --- */

#define MS_POOL_STATES(X)                      \
	X(MS_POOL_CREATING, 0, "Creating")     \
	X(MS_POOL_READY, 1, "Ready")           \
	X(MS_POOL_DESTROYING, 2, "Destroying") \
	X(MS_POOL_UNKNOWN, 3, "Unknown")

enum ms_pool_state {
#define MS_POOL_ENUM(name, val, text) name = val,
	MS_POOL_STATES(MS_POOL_ENUM)
#undef MS_POOL_ENUM
};

const char *ms_pool_state_name(enum ms_pool_state state);
int ms_pool_state_parse(const char *name, enum ms_pool_state *out);

/*
 * A pool property in its wire form (mgmt.proto PoolProperty text, what the pool property
 * table's pool_prop_val_to_str() writes): "rd_fac" = "1", "self_heal" = "exclude;rebuild".
 * The db keeps no properties: daos_server uses this pair to hand a pool's to the engine.
 */
struct ms_pool_prop {
	char *key;
	char *value;
};

/*
 * A pool record: what DAOS's MS keeps of a pool (uuid, label, service ranks, state), and
 * where and how large its targets are. Properties, the ACL and the owner live in the
 * pool's service in the engines (engine/engine_psvc.c). In the db the rank lists are owned
 * by the db; ms_pool_add() copies the caller's.
 */
struct ms_pool {
	uuid_t uuid;
	char label[MS_LABEL_MAX + 1];
	enum ms_pool_state state;
	d_rank_list_t *svc_ranks;          /* pool service replicas; owned by the db */
	d_rank_list_t *tgt_ranks;          /* ranks holding its targets; owned by the db */
	uint32_t nr_tiers;                 /* <= MS_TIERS_MAX */
	uint64_t tier_bytes[MS_TIERS_MAX]; /* bytes per rank in each tier */
	uint64_t created;                  /* seconds since the epoch */
};

/*
 * DAOS's label rule: 1 to 127 characters of [A-Za-z0-9:._-], and not a UUID.
 */
bool ms_label_is_valid(const char *label);
/*
 * Add a copy of @pool (its rank lists copied; created 0 means now). -DER_INVAL (bad
 * label, null uuid, bad state, too many tiers), -DER_EXIST (label or uuid taken),
 * -DER_NOMEM.
 */
int ms_pool_add(struct ms_db *db, const struct ms_pool *pool, char *err, size_t err_len);
/*
 * Check @nr ACE strings ("A::OWNER@:rw") as a pool ACL: each a valid ACE with pool
 * permissions only (r w c d t), one per principal, all within DAOS's 64 KiB. 0, -DER_NOMEM
 * or -DER_INVAL with the entry at fault named in @err ('invalid ACE "A::bob"'). The db
 * keeps no ACL: daos_server checks what it passes on to the pool service.
 */
int ms_acl_check(const char *const *strs, uint32_t nr, char *err, size_t err_len);
/* The pool whose label or uuid (text) is @id: 0 or -DER_NONEXIST. */
int ms_pool_lookup(const struct ms_db *db, const char *id, const struct ms_pool **out);
/*
 * PoolFind (a client about to connect, through its agent): the pool named @id (label or
 * uuid text) if it is Ready. -DER_INVAL for an empty @id; -DER_NONEXIST for an unknown
 * pool and for one that is Creating, Destroying or Unknown, with @err saying which ("pool
 * tank is not ready to be used: its state is Destroying"). *out as ms_pool_lookup's.
 */
int ms_pool_resolve(const struct ms_db *db, const char *id, const struct ms_pool **out, char *err,
		    size_t err_len);
int ms_pool_set_state(struct ms_db *db, const uuid_t uuid, enum ms_pool_state state);
/* Replace the service ranks of a pool (after a PS replica change). */
int ms_pool_set_svc_ranks(struct ms_db *db, const uuid_t uuid, const d_rank_list_t *ranks);
/*
 * Rename pool @uuid to @label (dmg pool set-prop label:<new>, once the pool service took
 * it). The label must obey ms_label_is_valid() (-DER_INVAL) and be free (-DER_EXIST; the
 * pool's own label is a no-op). -DER_NONEXIST for an unknown pool. The record moves to its
 * new place in ms_pool_list()'s order.
 */
int ms_pool_set_label(struct ms_db *db, const uuid_t uuid, const char *label, char *err,
		      size_t err_len);
int ms_pool_remove(struct ms_db *db, const uuid_t uuid);
/* All pools sorted by label; their number in *nr. */
const struct ms_pool *ms_pool_list(const struct ms_db *db, uint32_t *nr);

/* --- system properties (dmg system get-prop / set-prop) --- */

#define MS_SELF_HEAL_EXCLUDE 0x1
#define MS_SELF_HEAL_POOL_EXCLUDE 0x2
#define MS_SELF_HEAL_POOL_REBUILD 0x4
#define MS_SELF_HEAL_DEFAULT 0x7

/*
 * Set property @key: self_heal ("exclude;pool_exclude;pool_rebuild", any subset, or
 * "none"), pool_scrub_mode (off, lazy, timed), pool_scrub_thresh (integer). daos_version
 * and daos_system are read-only (-DER_NO_PERM); unknown keys and bad values -DER_INVAL.
 */
int ms_prop_set(struct ms_db *db, const char *key, const char *value, char *err, size_t err_len);
/* The value of @key as text in *out (d_free() it). 0, -DER_INVAL (unknown), -DER_NOMEM. */
int ms_prop_get(const struct ms_db *db, const char *key, char **out);
/* The self_heal flags (MS_SELF_HEAL_*). */
uint32_t ms_self_heal(const struct ms_db *db);
/* The property keys in display order, NULL-terminated. */
extern const char *const ms_prop_keys[];

/* --- system attributes: free-form key/value (dmg system set-attr / get-attr) --- */

/* Set @key (1-255 printable characters) to @value (<= 4096 bytes). */
int ms_attr_set(struct ms_db *db, const char *key, const char *value, char *err, size_t err_len);
/* The value of @key (the db's), or NULL. */
const char *ms_attr_get(const struct ms_db *db, const char *key);
/* 0 or -DER_NONEXIST. */
int ms_attr_del(struct ms_db *db, const char *key);
/* Attribute @idx (< ms_attr_count()) in key order. */
uint32_t ms_attr_count(const struct ms_db *db);
void ms_attr_at(const struct ms_db *db, uint32_t idx, const char **key, const char **value);

/* --- the database as a whole --- */

/*
 * Open the database of system @system in directory @dir (which must exist), creating
 * an empty one if there is no MS_DB_FILE. A leftover temporary file of an interrupted
 * save is removed. A damaged file is refused with -DER_INVAL (-DER_DF_INCOMPT for a newer
 * version) and a message naming the file and the field ("daos_system.db:
 * members[2].rank: duplicate rank 3"); I/O errors give the -DER_* of errno. On success
 * *out is to be closed with ms_close().
 */
int ms_open(const char *dir, const char *system, struct ms_db **out, char *err, size_t err_len);
/* Free @db (may be NULL). Everything was saved already. */
void ms_close(struct ms_db *db);

/*
 * Decode a db from @len untrusted bytes without a directory (nothing is ever saved):
 * for tests, fuzzing and tools. @system NULL accepts any system name. Same errors as
 * ms_open(); the message starts with "daos_system.db: ".
 */
int ms_db_decode(const void *buf, size_t len, const char *system, struct ms_db **out, char *err,
		 size_t err_len);
/* The JSON document of @db in *out (a NUL-terminated string, d_free() it), its length in *len. */
int ms_db_encode(const struct ms_db *db, char **out, size_t *len);

#endif /* CONTROL_MS_H */
