/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_types.h - types every part of the DAOS API shares: handles, epochs, object
 * IDs, enumeration anchors, events, container information. Buffers, scatter/gather
 * lists and rank lists are gurt's (<gurt/types.h>).
 */
#ifndef DAOS_TYPES_H
#define DAOS_TYPES_H

#include <daos_errno.h>
#include <gurt/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest system name, without the NUL. */
#define DAOS_SYS_NAME_MAX 15
/* Longest string in struct daos_sys_info, without the NUL. */
#define DAOS_SYS_INFO_STRING_MAX 63

typedef uint64_t daos_size_t;
typedef uint64_t daos_off_t;

/* Room for a SHA-256 digest. */
#define DAOS_HKEY_MAX 32

typedef enum {
	DAOS_ANCHOR_TYPE_ZERO = 0,
	DAOS_ANCHOR_TYPE_HKEY = 1,
	DAOS_ANCHOR_TYPE_KEY = 2,
	DAOS_ANCHOR_TYPE_EOF = 3,
} daos_anchor_type_t;

/*
 * Where an enumeration stands. Zero it (DAOS_ANCHOR_INIT, daos_anchor_init()) before
 * the first call and leave it alone between calls; only da_type is for the caller.
 */
#define DAOS_ANCHOR_BUF_MAX 104
typedef struct {
	uint16_t da_type;        /* daos_anchor_type_t */
	uint16_t da_shard;       /* library's */
	uint32_t da_flags;       /* library's */
	uint64_t da_sub_anchors; /* library's: per-shard positions of EC objects */
	uint8_t da_buf[DAOS_ANCHOR_BUF_MAX];
} daos_anchor_t;

#define DAOS_ANCHOR_INIT                                                        \
	{                                                                       \
		.da_type = DAOS_ANCHOR_TYPE_ZERO, .da_shard = 0, .da_flags = 0, \
		.da_sub_anchors = 0, .da_buf = {                                \
			0                                                       \
		}                                                               \
	}

/* A handle on an open pool, container, object, transaction or event queue. */
typedef struct {
	uint64_t cookie;
} daos_handle_t;

#ifdef __cplusplus
#define DAOS_HDL_INVAL (daos_handle_t{ 0 })
#else
#define DAOS_HDL_INVAL ((daos_handle_t){ 0 })
#endif
#define DAOS_TX_NONE DAOS_HDL_INVAL

static inline bool
daos_handle_is_inval(daos_handle_t hdl)
{
	return hdl.cookie == 0;
}

static inline bool
daos_handle_is_valid(daos_handle_t hdl)
{
	return !daos_handle_is_inval(hdl);
}

/* Pool connect modes; exactly one of them. */
#define DAOS_PC_RO (1U << 0)
#define DAOS_PC_RW (1U << 1)
#define DAOS_PC_EX (1U << 2)

#define DAOS_PC_NBITS 3
#define DAOS_PC_MASK ((1U << DAOS_PC_NBITS) - 1)

typedef uint64_t daos_epoch_t;

/* Epochs lo..hi, both included. */
typedef struct {
	daos_epoch_t epr_lo;
	daos_epoch_t epr_hi;
} daos_epoch_range_t;

#define DAOS_EPOCH_MAX (~0ULL)

/* What daos_cont_open() and daos_cont_query() report. Times are HLC stamps. */
typedef struct {
	uuid_t ci_uuid;
	daos_epoch_t ci_lsnapshot; /* latest snapshot */
	uint32_t ci_nhandles;      /* open handles */
	uint32_t ci_nsnapshots;
	uint64_t ci_md_otime; /* last open */
	uint64_t ci_md_mtime; /* last close or change */
} daos_cont_info_t;

/* A dkey or an akey. */
typedef d_iov_t daos_key_t;

/*
 * An event: the completion of one non-blocking call. ev_error holds its result once
 * the event has completed; the rest belongs to the library.
 */
typedef struct daos_event {
	int ev_error;
	struct {
		uint64_t space[20];
	} ev_private;
	uint64_t ev_debug;
} daos_event_t;

/* Timeouts of daos_eq_poll() and daos_event_test(), besides microseconds. */
#define DAOS_EQ_WAIT -1
#define DAOS_EQ_NOWAIT 0

typedef enum {
	DAOS_EQR_COMPLETED = (1),
	DAOS_EQR_WAITING = (1 << 1),
	DAOS_EQR_ALL = (DAOS_EQR_COMPLETED | DAOS_EQR_WAITING),
} daos_eq_query_t;

typedef enum {
	DAOS_EVS_READY,
	DAOS_EVS_RUNNING,
	DAOS_EVS_COMPLETED,
	DAOS_EVS_ABORTED,
} daos_ev_status_t;

/* Targets of a pool, as (rank, target index) pairs. */
struct d_tgt_list {
	d_rank_t *tl_ranks;
	int32_t *tl_tgts;
	uint32_t tl_nr;
};

struct daos_eq;

/* Handle types, kept in the low 4 bits of a cookie. */
enum {
	DAOS_HTYPE_EQ = 1,
	DAOS_HTYPE_POOL = 3,
	DAOS_HTYPE_CO = 5,
	DAOS_HTYPE_OBJ = 7,
	DAOS_HTYPE_ARRAY = 9,
	DAOS_HTYPE_TX = 11,
	DAOS_HTYPE_KV = 13,
};

/*
 * An object ID. The top 32 bits of hi are DAOS's (type, class, groups: see
 * daos_obj.h); the other 96 are the caller's and unique in a container.
 */
typedef struct {
	uint64_t lo;
	uint64_t hi;
} daos_obj_id_t;

/* An engine and the URI clients reach it at. */
struct daos_rank_uri {
	uint32_t dru_rank;
	char *dru_uri;
};

/* What the agent tells clients about their system. */
struct daos_sys_info {
	char dsi_system_name[DAOS_SYS_INFO_STRING_MAX + 1];
	char dsi_fabric_provider[DAOS_SYS_INFO_STRING_MAX + 1];
	uint32_t dsi_nr_ranks;
	struct daos_rank_uri *dsi_ranks;
};

/* Longest pool or container attribute name. */
#define DAOS_ATTR_NAME_MAX 511

#ifdef __cplusplus
}
#endif

#endif /* DAOS_TYPES_H */
