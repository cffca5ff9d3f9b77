/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_api.h - transactions and the enumeration anchor helpers.
 *
 * A transaction groups updates of one container: they become visible together at
 * commit. -DER_TX_RESTART from an operation or the commit asks the caller to call
 * daos_tx_restart() and redo the transaction's operations.
 */
#ifndef DAOS_API_H
#define DAOS_API_H

#include <daos_event.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* daos_tx_open() flags. */
enum {
	DAOS_TF_RDONLY = (1 << 0),
	/* Do not copy value buffers: they must stay unchanged until the commit ends. */
	DAOS_TF_ZERO_COPY = (1 << 1),
};

/* Parse ranks separated by @sep ("0:1:2") into a new list (d_rank_list_free()). */
d_rank_list_t *daos_rank_list_parse(const char *str, const char *sep);

int daos_tx_open(daos_handle_t coh, daos_handle_t *th, uint64_t flags, daos_event_t *ev);
int daos_tx_commit(daos_handle_t th, daos_event_t *ev);
/* A read-only transaction reading the snapshot at @epoch. */
int daos_tx_open_snap(daos_handle_t coh, daos_epoch_t epoch, daos_handle_t *th, daos_event_t *ev);
int daos_tx_abort(daos_handle_t th, daos_event_t *ev);
/* Free the handle. Local. */
int daos_tx_close(daos_handle_t th, daos_event_t *ev);
/* Drop the transaction's operations so that the caller can redo them. Local. */
int daos_tx_restart(daos_handle_t th, daos_event_t *ev);
/* The transaction's epoch (for tests); -DER_UNINIT before it has one. */
int daos_tx_hdl2epoch(daos_handle_t th, daos_epoch_t *epoch);

/* Make @anchor start an enumeration; @opts is reserved. */
static inline int
daos_anchor_init(daos_anchor_t *anchor, unsigned int opts)
{
	(void)opts;
	memset(anchor, 0, sizeof(*anchor));
	return 0;
}

static inline void
daos_anchor_fini(daos_anchor_t *anchor)
{
	(void)anchor;
}

/* Whether the enumeration @anchor belongs to has ended. */
static inline bool
daos_anchor_is_eof(daos_anchor_t *anchor)
{
	return anchor->da_type == DAOS_ANCHOR_TYPE_EOF;
}

#ifdef __cplusplus
}
#endif

#endif /* DAOS_API_H */
