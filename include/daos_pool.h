/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_pool.h - pool connections: connect by label or UUID, query space, rebuild
 * state and targets, user attributes, container listing, handle sharing.
 */
#ifndef DAOS_POOL_H
#define DAOS_POOL_H

/* The library's symbol; the name is the API's. */
#define daos_pool_connect daos_pool_connect2

#include <daos_event.h>
#include <daos_prop.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	DAOS_TP_UNKNOWN,
	DAOS_TP_HDD,
	DAOS_TP_SSD,
	DAOS_TP_PM,
	DAOS_TP_VM,
} daos_target_type_t;

typedef enum {
	DAOS_TS_UNKNOWN,
	DAOS_TS_DOWN_OUT, /* out, rebuilt */
	DAOS_TS_DOWN,     /* out, maybe rebuilding */
	DAOS_TS_UP,       /* coming in */
	DAOS_TS_UP_IN,    /* in */
	DAOS_TS_NEW,      /* added, not yet in */
	DAOS_TS_DRAIN,    /* being drained */
} daos_target_state_t;

typedef struct {
	int foo; /* placeholder, as in DAOS */
} daos_target_perf_t;

/* Storage tiers, the index of the space arrays below. */
enum daos_media_type_t { DAOS_MEDIA_SCM = 0, DAOS_MEDIA_NVME, DAOS_MEDIA_MAX };

/* Bytes per tier. */
struct daos_space {
	uint64_t s_total[DAOS_MEDIA_MAX];
	uint64_t s_free[DAOS_MEDIA_MAX];
};

typedef struct {
	daos_target_type_t ta_type;
	daos_target_state_t ta_state;
	daos_target_perf_t ta_perf;
	struct daos_space ta_space;
} daos_target_info_t;

/* Space of the pool's live targets: the sum, and free space per target. */
struct daos_pool_space {
	struct daos_space ps_space;
	uint64_t ps_free_min[DAOS_MEDIA_MAX];
	uint64_t ps_free_max[DAOS_MEDIA_MAX];
	uint64_t ps_free_mean[DAOS_MEDIA_MAX];
	uint32_t ps_ntargets;
	uint32_t ps_padding;
};

enum daos_rebuild_state_t {
	DRS_IN_PROGRESS = 0,
	DRS_NOT_STARTED = 1,
	DRS_COMPLETED = 2,
};

/* The current or last rebuild. */
struct daos_rebuild_status {
	uint32_t rs_version; /* pool map version rebuilt for */
	uint32_t rs_seconds;
	int32_t rs_errno;
	union {
		int32_t rs_state; /* enum daos_rebuild_state_t */
		int32_t rs_done;
	};
	int32_t rs_padding32;
	int32_t rs_fail_rank;
	uint64_t rs_toberb_obj_nr; /* objects to rebuild */
	uint64_t rs_obj_nr;        /* objects rebuilt */
	uint64_t rs_rec_nr;        /* records rebuilt */
	uint64_t rs_size;          /* bytes */
};

/*
 * pi_bits: what daos_pool_query() fills beyond the basic fields, and which engines
 * it lists in ranks (by default those with some target disabled).
 */
enum daos_pool_info_bit {
	DPI_SPACE = 1ULL << 0,
	DPI_REBUILD_STATUS = 1ULL << 1,
	DPI_ENGINES_ENABLED = 1ULL << 2,
	DPI_ENGINES_DISABLED = 1ULL << 3,
	DPI_ENGINES_DEAD = 1ULL << 4,
	DPI_ALL = -1,
};

typedef struct {
	uuid_t pi_uuid;
	uint32_t pi_ntargets;
	uint32_t pi_nnodes;
	uint32_t pi_ndisabled; /* targets */
	uint32_t pi_map_ver;
	uint32_t pi_leader; /* rank of the service leader */
	uint64_t pi_bits;   /* enum daos_pool_info_bit */
	struct daos_pool_space pi_space;
	struct daos_rebuild_status pi_rebuild_st;
} daos_pool_info_t;

/* One container of daos_pool_list_cont(). */
struct daos_pool_cont_info {
	uuid_t pci_uuid;
	char pci_label[DAOS_PROP_LABEL_MAX_LEN + 1];
};

#define DAOS_SYS_NAME_MAX_LEN 127

/*
 * Connect to @pool (label or UUID string) in system @sys (NULL: the default) with
 * one DAOS_PC_* @flags. @info is optional; its pi_bits say what to fill.
 */
int daos_pool_connect(const char *pool, const char *sys, unsigned int flags, daos_handle_t *poh,
		      daos_pool_info_t *info, daos_event_t *ev);

/* Disconnect; the connection's container handles go with it. */
int daos_pool_disconnect(daos_handle_t poh, daos_event_t *ev);

/*
 * Serialise @poh for other processes. With glob->iov_buf NULL, only sets
 * glob->iov_buf_len to the room needed. No network traffic.
 */
int daos_pool_local2global(daos_handle_t poh, d_iov_t *glob);
/* A local handle from what daos_pool_local2global() produced. */
int daos_pool_global2local(d_iov_t glob, daos_handle_t *poh);

/*
 * Query the pool: engine ranks in *ranks (a new list, free with d_rank_list_free()),
 * information in @info, properties in @pool_prop (all of them if its dpp_entries is
 * NULL; free with daos_prop_free()). Each is optional.
 */
int daos_pool_query(daos_handle_t poh, d_rank_list_t **ranks, daos_pool_info_t *info,
		    daos_prop_t *pool_prop, daos_event_t *ev);

/* State and space of target @tgt of engine @rank. */
int daos_pool_query_target(daos_handle_t poh, uint32_t tgt, d_rank_t rank, daos_target_info_t *info,
			   daos_event_t *ev);

/*
 * User attributes. list_attr writes the NUL-terminated names into @buffer (may be
 * NULL) and sets *size to their total length without the NULs; get_attr truncates
 * values to sizes[i] and returns the real sizes there.
 */
int daos_pool_list_attr(daos_handle_t poh, char *buffer, size_t *size, daos_event_t *ev);
int daos_pool_get_attr(daos_handle_t poh, int n, char const *const names[], void *const buffers[],
		       size_t sizes[], daos_event_t *ev);
int daos_pool_set_attr(daos_handle_t poh, int n, char const *const names[],
		       void const *const values[], size_t const sizes[], daos_event_t *ev);
int daos_pool_del_attr(daos_handle_t poh, int n, char const *const names[], daos_event_t *ev);

/*
 * List up to *ncont containers into @cbuf (NULL: only count); *ncont becomes the
 * number in the pool. -DER_TRUNC if @cbuf is too small.
 */
int daos_pool_list_cont(daos_handle_t poh, daos_size_t *ncont, struct daos_pool_cont_info *cbuf,
			daos_event_t *ev);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_POOL_H */
