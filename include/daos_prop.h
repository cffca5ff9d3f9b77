/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_prop.h - pool and container properties: their numbers, their values, and
 * daos_prop_t, the list of (type, value) entries that create, query and set-prop
 * calls take. A list from daos_prop_alloc() or a query is freed with daos_prop_free().
 */
#ifndef DAOS_PROP_H
#define DAOS_PROP_H

#include <ctype.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pool properties; valid types lie strictly between MIN and MAX. */
enum daos_pool_props {
	DAOS_PROP_PO_MIN = 0,
	DAOS_PROP_PO_LABEL,             /* string, "" by default */
	DAOS_PROP_PO_ACL,               /* struct daos_acl * */
	DAOS_PROP_PO_SPACE_RB,          /* % of each target kept for rebuild */
	DAOS_PROP_PO_SELF_HEAL,         /* DAOS_SELF_HEAL_* bits */
	DAOS_PROP_PO_RECLAIM,           /* DAOS_RECLAIM_* */
	DAOS_PROP_PO_OWNER,             /* "user@[domain]" */
	DAOS_PROP_PO_OWNER_GROUP,       /* "group@[domain]" */
	DAOS_PROP_PO_SVC_LIST,          /* d_rank_list_t * of service replicas */
	DAOS_PROP_PO_EC_CELL_SZ,        /* bytes */
	DAOS_PROP_PO_POLICY,            /* media policy string */
	DAOS_PROP_PO_REDUN_FAC,         /* 0..DAOS_PROP_PO_REDUN_FAC_MAX */
	DAOS_PROP_PO_EC_PDA,            /* performance domain affinity, EC objects */
	DAOS_PROP_PO_RP_PDA,            /* same, replicated objects */
	DAOS_PROP_PO_GLOBAL_VERSION,    /* layout version of the pool's metadata */
	DAOS_PROP_PO_UPGRADE_STATUS,    /* DAOS_UPGRADE_STATUS_* */
	DAOS_PROP_PO_SCRUB_MODE,        /* DAOS_SCRUB_MODE_* */
	DAOS_PROP_PO_SCRUB_FREQ,        /* seconds */
	DAOS_PROP_PO_SCRUB_THRESH,      /* checksum errors before eviction; 0 = never */
	DAOS_PROP_PO_SVC_REDUN_FAC,     /* pool service redundancy factor */
	DAOS_PROP_PO_OBJ_VERSION,       /* object layout version */
	DAOS_PROP_PO_PERF_DOMAIN,       /* performance domain level */
	DAOS_PROP_PO_CHECKPOINT_MODE,   /* DAOS_CHECKPOINT_* (MD-on-SSD) */
	DAOS_PROP_PO_CHECKPOINT_FREQ,   /* seconds */
	DAOS_PROP_PO_CHECKPOINT_THRESH, /* % of WAL used */
	DAOS_PROP_PO_REINT_MODE,        /* DAOS_REINT_MODE_* */
	DAOS_PROP_PO_MAX,
};

#define DAOS_PROP_PO_EC_CELL_SZ_MIN (1UL << 10)
#define DAOS_PROP_PO_EC_CELL_SZ_MAX (1UL << 30)

#define DAOS_PROP_PO_REDUN_FAC_MAX 4
#define DAOS_PROP_PO_REDUN_FAC_DEFAULT 0

static inline bool
daos_rf_is_valid(unsigned long long rf)
{
	return rf <= DAOS_PROP_PO_REDUN_FAC_MAX;
}

#define DAOS_PROP_PDA_MAX ((uint32_t)-1)
/* Replicas of a group in one performance domain, as far as it has targets. */
#define DAOS_PROP_PO_RP_PDA_DEFAULT DAOS_PROP_PDA_MAX
/* EC shards spread over performance domains. */
#define DAOS_PROP_PO_EC_PDA_DEFAULT ((uint32_t)1)

enum {
	DAOS_UPGRADE_STATUS_NOT_STARTED = 0,
	DAOS_UPGRADE_STATUS_IN_PROGRESS = 1,
	DAOS_UPGRADE_STATUS_COMPLETED = 2,
	DAOS_UPGRADE_STATUS_FAILED = 3,
};

#define DAOS_PROP_PO_SVC_REDUN_FAC_MAX 4
#define DAOS_PROP_PO_SVC_REDUN_FAC_DEFAULT 2

static inline bool
daos_svc_rf_is_valid(uint64_t svc_rf)
{
	return svc_rf <= DAOS_PROP_PO_SVC_REDUN_FAC_MAX;
}

/* Performance domain levels (the pool map's component types). */
enum {
	DAOS_PROP_PERF_DOMAIN_ROOT = 255,
	DAOS_PROP_PERF_DOMAIN_GROUP = 3,
};

#define DAOS_PROP_PO_PERF_DOMAIN_DEFAULT DAOS_PROP_PERF_DOMAIN_ROOT
#define DAOS_PROP_CO_PERF_DOMAIN_DEFAULT DAOS_PROP_PERF_DOMAIN_ROOT

#define DAOS_PROP_PO_NUM (DAOS_PROP_PO_MAX - DAOS_PROP_PO_MIN - 1)

/* Space reclaim (aggregation) strategies. */
enum {
	DAOS_RECLAIM_DISABLED = 0,
	DAOS_RECLAIM_LAZY,
	DAOS_RECLAIM_SNAPSHOT,
	DAOS_RECLAIM_BATCH,
	DAOS_RECLAIM_TIME,
};

enum {
	DAOS_REINT_MODE_DATA_SYNC = 0,
	DAOS_REINT_MODE_NO_DATA_SYNC = 1,
};

#define DAOS_PROP_PO_REINT_MODE_DEFAULT DAOS_REINT_MODE_DATA_SYNC

/* Checksum scrubbing schedules. */
enum {
	DAOS_SCRUB_MODE_OFF = 0,
	DAOS_SCRUB_MODE_LAZY = 1,
	DAOS_SCRUB_MODE_TIMED = 2,
	DAOS_SCRUB_MODE_INVALID = 3,
};

#define DAOS_PROP_PO_SCRUB_MODE_DEFAULT DAOS_SCRUB_MODE_OFF
#define DAOS_PROP_PO_SCRUB_FREQ_DEFAULT 604800 /* a week */
#define DAOS_PROP_PO_SCRUB_THRESH_DEFAULT 0

/* Checkpoint strategies (MD-on-SSD). */
enum {
	DAOS_CHECKPOINT_DISABLED = 0,
	DAOS_CHECKPOINT_TIMED,
	DAOS_CHECKPOINT_LAZY,
};

#define DAOS_PROP_PO_CHECKPOINT_MODE_DEFAULT DAOS_CHECKPOINT_TIMED
#define DAOS_PROP_PO_CHECKPOINT_FREQ_DEFAULT 5     /* seconds */
#define DAOS_PROP_PO_CHECKPOINT_FREQ_MIN 1         /* seconds */
#define DAOS_PROP_PO_CHECKPOINT_FREQ_MAX (1 << 20) /* seconds */
#define DAOS_PROP_PO_CHECKPOINT_THRESH_DEFAULT 50  /* % of the WAL */
#define DAOS_PROP_PO_CHECKPOINT_THRESH_MAX 75
#define DAOS_PROP_PO_CHECKPOINT_THRESH_MIN 10

/* Self-healing bits. */
#define DAOS_SELF_HEAL_AUTO_EXCLUDE (1U << 0)
#define DAOS_SELF_HEAL_AUTO_REBUILD (1U << 1)

/* Container properties; valid types lie strictly between MIN and MAX. */
enum daos_cont_props {
	DAOS_PROP_CO_MIN = 0x1000,
	DAOS_PROP_CO_LABEL,              /* string */
	DAOS_PROP_CO_LAYOUT_TYPE,        /* DAOS_PROP_CO_LAYOUT_* */
	DAOS_PROP_CO_LAYOUT_VER,         /* the middleware's own version */
	DAOS_PROP_CO_CSUM,               /* DAOS_PROP_CO_CSUM_* */
	DAOS_PROP_CO_CSUM_CHUNK_SIZE,    /* bytes */
	DAOS_PROP_CO_CSUM_SERVER_VERIFY, /* DAOS_PROP_CO_CSUM_SV_* */
	DAOS_PROP_CO_REDUN_FAC,          /* DAOS_PROP_CO_REDUN_RF* */
	DAOS_PROP_CO_REDUN_LVL,          /* fault domain level for placement */
	DAOS_PROP_CO_SNAPSHOT_MAX,       /* snapshots kept */
	DAOS_PROP_CO_ACL,                /* struct daos_acl * */
	DAOS_PROP_CO_COMPRESS,           /* DAOS_PROP_CO_COMPRESS_* */
	DAOS_PROP_CO_ENCRYPT,            /* DAOS_PROP_CO_ENCRYPT_* */
	DAOS_PROP_CO_OWNER,              /* "user@[domain]" */
	DAOS_PROP_CO_OWNER_GROUP,        /* "group@[domain]" */
	DAOS_PROP_CO_DEDUP,              /* DAOS_PROP_CO_DEDUP_* */
	DAOS_PROP_CO_DEDUP_THRESHOLD,    /* bytes */
	DAOS_PROP_CO_ROOTS,              /* struct daos_prop_co_roots * */
	DAOS_PROP_CO_STATUS,             /* DAOS_PROP_CO_STATUS_VAL() */
	DAOS_PROP_CO_ALLOCED_OID,        /* first OID to allocate */
	DAOS_PROP_CO_EC_CELL_SZ,         /* overrides the pool's */
	DAOS_PROP_CO_EC_PDA,
	DAOS_PROP_CO_RP_PDA,
	DAOS_PROP_CO_GLOBAL_VERSION,    /* immutable */
	DAOS_PROP_CO_SCRUBBER_DISABLED, /* overrides the pool's scrubbing */
	DAOS_PROP_CO_OBJ_VERSION,       /* immutable */
	DAOS_PROP_CO_PERF_DOMAIN,       /* inherited from the pool */
	DAOS_PROP_CO_MAX,
};

/* Well-known objects of a container (DFS keeps its superblock and root here). */
struct daos_prop_co_roots {
	daos_obj_id_t cr_oids[4];
};

#define DAOS_PROP_CO_NUM (DAOS_PROP_CO_MAX - DAOS_PROP_CO_MIN - 1)

typedef uint16_t daos_cont_layout_t;

enum {
	DAOS_PROP_CO_LAYOUT_UNKNOWN,
	DAOS_PROP_CO_LAYOUT_UNKOWN = DAOS_PROP_CO_LAYOUT_UNKNOWN,
	DAOS_PROP_CO_LAYOUT_POSIX,
	DAOS_PROP_CO_LAYOUT_HDF5,
	DAOS_PROP_CO_LAYOUT_PYTHON,
	DAOS_PROP_CO_LAYOUT_SPARK,
	DAOS_PROP_CO_LAYOUT_DATABASE,
	DAOS_PROP_CO_LAYOUT_ROOT,
	DAOS_PROP_CO_LAYOUT_SEISMIC,
	DAOS_PROP_CO_LAYOUT_METEO,
	DAOS_PROP_CO_LAYOUT_MAX
};

enum {
	DAOS_PROP_CO_CSUM_OFF,
	DAOS_PROP_CO_CSUM_CRC16,
	DAOS_PROP_CO_CSUM_CRC32,
	DAOS_PROP_CO_CSUM_CRC64,
	DAOS_PROP_CO_CSUM_SHA1,
	DAOS_PROP_CO_CSUM_SHA256,
	DAOS_PROP_CO_CSUM_SHA512,
	DAOS_PROP_CO_CSUM_ADLER32
};

enum { DAOS_PROP_CO_CSUM_SV_OFF, DAOS_PROP_CO_CSUM_SV_ON };

enum { DAOS_PROP_CO_DEDUP_OFF, DAOS_PROP_CO_DEDUP_MEMCMP, DAOS_PROP_CO_DEDUP_HASH };

enum {
	DAOS_PROP_CO_COMPRESS_OFF,
	DAOS_PROP_CO_COMPRESS_LZ4,
	DAOS_PROP_CO_COMPRESS_DEFLATE,
	DAOS_PROP_CO_COMPRESS_DEFLATE1,
	DAOS_PROP_CO_COMPRESS_DEFLATE2,
	DAOS_PROP_CO_COMPRESS_DEFLATE3,
	DAOS_PROP_CO_COMPRESS_DEFLATE4,
};

enum {
	DAOS_PROP_CO_ENCRYPT_OFF,
	DAOS_PROP_CO_ENCRYPT_AES_XTS128,
	DAOS_PROP_CO_ENCRYPT_AES_XTS256,
	DAOS_PROP_CO_ENCRYPT_AES_CBC128,
	DAOS_PROP_CO_ENCRYPT_AES_CBC192,
	DAOS_PROP_CO_ENCRYPT_AES_CBC256,
	DAOS_PROP_CO_ENCRYPT_AES_GCM128,
	DAOS_PROP_CO_ENCRYPT_AES_GCM256
};

enum {
	DAOS_PROP_CO_REDUN_RF0,
	DAOS_PROP_CO_REDUN_RF1,
	DAOS_PROP_CO_REDUN_RF2,
	DAOS_PROP_CO_REDUN_RF3,
	DAOS_PROP_CO_REDUN_RF4,
};

/* Fault domain levels: 1 is the engine (rank), 2 the node, up to 254 the admin's. */
enum {
	DAOS_PROP_CO_REDUN_MIN = 1,
	DAOS_PROP_CO_REDUN_RANK = 1,
	DAOS_PROP_CO_REDUN_NODE = 2,
	DAOS_PROP_CO_REDUN_MAX = 254,
};

#define DAOS_PROP_CO_REDUN_DEFAULT DAOS_PROP_CO_REDUN_NODE

/* Container health: UNCLEAN once more targets failed than rd_fac allows. */
enum {
	DAOS_PROP_CO_HEALTHY,
	DAOS_PROP_CO_UNCLEAN,
};

/* dcs_flags: clear the UNCLEAN status. */
#define DAOS_PROP_CO_CLEAR (0x1)

struct daos_co_status {
	uint16_t dcs_status; /* DAOS_PROP_CO_HEALTHY or _UNCLEAN */
	uint16_t dcs_flags;
	uint32_t dcs_pm_ver; /* pool map version the status was set at */
};

/* The 64-bit value of DAOS_PROP_CO_STATUS: flags, status, pool map version. */
#define DAOS_PROP_CO_STATUS_VAL(status, flag, pm_ver) \
	((((uint64_t)(flag)) << 48) | (((uint64_t)(status)&0xFFFF) << 32) | ((uint64_t)(pm_ver)))

static inline uint64_t
daos_prop_co_status_2_val(struct daos_co_status *co_status)
{
	return DAOS_PROP_CO_STATUS_VAL(co_status->dcs_status, co_status->dcs_flags,
				       co_status->dcs_pm_ver);
}

static inline void
daos_prop_val_2_co_status(uint64_t val, struct daos_co_status *co_status)
{
	co_status->dcs_flags = (uint16_t)(val >> 48);
	co_status->dcs_status = (uint16_t)((val >> 32) & 0xFFFF);
	co_status->dcs_pm_ver = (uint32_t)(val & 0xFFFFFFFF);
}

/* dpe_flags: the entry carries no value. */
enum {
	DAOS_PROP_ENTRY_NOT_SET = (1 << 0),
};

/* One property: a number, a string or a pointer, by type. */
struct daos_prop_entry {
	uint32_t dpe_type; /* enum daos_pool_props or daos_cont_props */
	uint16_t dpe_flags;
	uint16_t dpe_reserv;
	union {
		uint64_t dpe_val;
		d_string_t dpe_str;
		void *dpe_val_ptr;
	};
};

#define DAOS_PROP_ENTRIES_MAX_NR (128)

/* Longest label, without the NUL, and the buffer that holds one. */
#define DAOS_PROP_LABEL_MAX_LEN (127)
#define DAOS_PROP_MAX_LABEL_BUF_LEN (DAOS_PROP_LABEL_MAX_LEN + 1)

#define DAOS_PROP_CO_LABEL_DEFAULT "container_label_not_set"
#define DAOS_PROP_PO_LABEL_DEFAULT "pool_label_not_set"

/*
 * Whether @label can name a pool or container: 1 to DAOS_PROP_LABEL_MAX_LEN characters
 * among letters, digits, ':', '.', '-' and '_', and not shaped like a UUID.
 */
static inline bool
daos_label_is_valid(const char *label)
{
	size_t len;
	size_t i;
	bool has_dash = false;

	if (label == NULL)
		return false;
	len = strnlen(label, DAOS_PROP_LABEL_MAX_LEN + 1);
	if (len == 0 || len > DAOS_PROP_LABEL_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (c == '-')
			has_dash = true;
		else if (!isalnum(c) && c != '.' && c != '_' && c != ':')
			return false;
	}
	if (!has_dash || len != 36)
		return true;
	/* 8-4-4-4-12 hex digits would be read as a UUID. */
	for (i = 0; i < 36; i++) {
		bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash_here ? label[i] != '-' : !isxdigit((unsigned char)label[i]))
			return true;
	}
	return false;
}

#define DAOS_PROP_POLICYSTR_MAX_LEN (127)
#define DAOS_PROP_POLICYSTR_DEFAULT "type=io_size"

/* A performance domain name follows the rules of labels. */
static inline bool
daos_perf_domain_is_valid(const char *perf_domain)
{
	return daos_label_is_valid(perf_domain);
}

/* A list of properties. */
typedef struct {
	uint32_t dpp_nr;
	uint32_t dpp_reserv;
	struct daos_prop_entry *dpp_entries;
} daos_prop_t;

/* A list of @entries_nr zeroed entries; NULL on failure. Free with daos_prop_free(). */
daos_prop_t *daos_prop_alloc(uint32_t entries_nr);
/* Free the entries of @prop and the values they own, not @prop itself. */
void daos_prop_fini(daos_prop_t *prop);
/* daos_prop_fini() and free @prop. */
void daos_prop_free(daos_prop_t *prop);
/*
 * Parse container properties, "name:value;name:value;" (the names and values of `daos
 * container create --properties`, and layout_type; a final ';' is optional), from the
 * first @len bytes of @str (a NUL before @len ends them) into a new list in *@prop, to be
 * freed with daos_prop_free(). Returns 0, -DER_NOMEM, or -DER_INVAL (logged, naming the
 * entry) for a NULL argument, no entries, an unknown name, a bad value, a name given
 * twice or one that cannot be set at create. *@prop is untouched on error.
 */
int daos_prop_from_str(const char *str, daos_size_t len, daos_prop_t **prop);
/*
 * A new list in *@out_prop: @old_prop's entries whose type @new_prop lacks, then copies
 * of all of @new_prop's; values (strings, ACLs, ...) are copied. Either list may be NULL.
 */
int daos_prop_merge2(daos_prop_t *old_prop, daos_prop_t *new_prop, daos_prop_t **out_prop);
/* As daos_prop_merge2(), returning the list or NULL. */
daos_prop_t *daos_prop_merge(daos_prop_t *old_prop, daos_prop_t *new_prop);
/* The entry of @type in @prop, or NULL. */
struct daos_prop_entry *daos_prop_entry_get(daos_prop_t *prop, uint32_t type);
/* Copy @len bytes of @str into the string entry of @type. */
int daos_prop_set_str(daos_prop_t *prop, uint32_t type, const char *str, daos_size_t len);
int daos_prop_entry_set_str(struct daos_prop_entry *entry, const char *str, daos_size_t len);
/* Copy @size bytes at @ptr into the pointer entry of @type. */
int daos_prop_set_ptr(daos_prop_t *prop, uint32_t type, const void *ptr, daos_size_t size);
int daos_prop_entry_set_ptr(struct daos_prop_entry *entry, const void *ptr, daos_size_t size);
/* Copy @len bytes of @entry_src's pointer value into @entry_dst. */
int daos_prop_entry_dup_ptr(struct daos_prop_entry *entry_dst, struct daos_prop_entry *entry_src,
			    size_t len);
/* 0 if both ACL entries hold the same ACL, -DER_MISMATCH if not. */
int daos_prop_entry_cmp_acl(struct daos_prop_entry *entry1, struct daos_prop_entry *entry2);
/* Copy the container roots of @src into @dst. */
int daos_prop_entry_dup_co_roots(struct daos_prop_entry *dst, struct daos_prop_entry *src);
/* Whether the entry's type holds a string, a pointer. */
bool daos_prop_has_str(struct daos_prop_entry *entry);
bool daos_prop_has_ptr(struct daos_prop_entry *entry);

static inline bool
daos_prop_is_set(struct daos_prop_entry *entry)
{
	return !(entry->dpe_flags & DAOS_PROP_ENTRY_NOT_SET);
}

#ifdef __cplusplus
}
#endif

#endif /* DAOS_PROP_H */
