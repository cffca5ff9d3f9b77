/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_cont.h - containers: create, open by label or UUID, query, properties and ACL,
 * user attributes, OID allocation, snapshots, handle sharing.
 */
#ifndef DAOS_CONT_H
#define DAOS_CONT_H

/* The library's symbols; the names are the API's. */
#define daos_cont_open daos_cont_open2
#define daos_cont_destroy daos_cont_destroy2

#include <daos_event.h>
#include <daos_prop.h>
#include <daos_security.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open modes: one of RO, RW, EX, plus options. */
#define DAOS_COO_RO (1U << 0)
#define DAOS_COO_RW (1U << 1)
#define DAOS_COO_EX (1U << 2)
#define DAOS_COO_FORCE (1U << 3)      /* open even if more failures than rd_fac */
#define DAOS_COO_RO_MDSTATS (1U << 4) /* do not update the open/modify times */
#define DAOS_COO_EVICT (1U << 5)      /* evict this user's other handles */
#define DAOS_COO_EVICT_ALL (1U << 6)  /* evict all other handles */

/* Serialise @coh for other processes; see daos_pool_local2global(). */
int daos_cont_local2global(daos_handle_t coh, d_iov_t *glob);
int daos_cont_global2local(daos_handle_t poh, d_iov_t glob, daos_handle_t *coh);

/* Create a container; its UUID in *uuid if not NULL. @cont_prop is optional. */
int daos_cont_create(daos_handle_t poh, uuid_t *uuid, daos_prop_t *cont_prop, daos_event_t *ev);
/* Create a container named @label (which @cont_prop must not also set). */
int daos_cont_create_with_label(daos_handle_t poh, const char *label, daos_prop_t *cont_prop,
				uuid_t *uuid, daos_event_t *ev);

/*
 * Open @cont (label or UUID string) with DAOS_COO_* @flags; @info optional.
 * -DER_NONEXIST if absent, -DER_RF if more targets failed than rd_fac allows.
 */
int daos_cont_open(daos_handle_t poh, const char *cont, unsigned int flags, daos_handle_t *coh,
		   daos_cont_info_t *info, daos_event_t *ev);
int daos_cont_close(daos_handle_t coh, daos_event_t *ev);
/* Destroy @cont; -DER_BUSY while it is open, unless @force. */
int daos_cont_destroy(daos_handle_t poh, const char *cont, int force, daos_event_t *ev);

/* Information and/or properties (all if cont_prop->dpp_entries is NULL). */
int daos_cont_query(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t *cont_prop,
		    daos_event_t *ev);
/* A new list with the ACL, owner and owner group; free with daos_prop_free(). */
int daos_cont_get_acl(daos_handle_t coh, daos_prop_t **acl_prop, daos_event_t *ev);
int daos_cont_set_prop(daos_handle_t coh, daos_prop_t *prop, daos_event_t *ev);
/* Set the status property back to healthy. */
int daos_cont_status_clear(daos_handle_t coh, daos_event_t *ev);
int daos_cont_overwrite_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev);
int daos_cont_update_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev);
int daos_cont_delete_acl(daos_handle_t coh, enum daos_acl_principal_type type, d_string_t name,
			 daos_event_t *ev);
/* New owner @user and/or @group (NULL: unchanged). */
int daos_cont_set_owner(daos_handle_t coh, d_string_t user, d_string_t group, daos_event_t *ev);

/* User attributes, as for pools. */
int daos_cont_list_attr(daos_handle_t coh, char *buffer, size_t *size, daos_event_t *ev);
int daos_cont_get_attr(daos_handle_t coh, int n, char const *const names[], void *const buffers[],
		       size_t sizes[], daos_event_t *ev);
int daos_cont_set_attr(daos_handle_t coh, int n, char const *const names[],
		       void const *const values[], size_t const sizes[], daos_event_t *ev);
int daos_cont_del_attr(daos_handle_t coh, int n, char const *const names[], daos_event_t *ev);

/* Reserve @num_oids unique 64-bit ids, the first in *oid. */
int daos_cont_alloc_oids(daos_handle_t coh, daos_size_t num_oids, uint64_t *oid, daos_event_t *ev);

/* Aggregate, or roll back to, @epoch. */
int daos_cont_aggregate(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev);
int daos_cont_rollback(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev);
/* Wait until *epoch has been aggregated past. */
int daos_cont_subscribe(daos_handle_t coh, daos_epoch_t *epoch, daos_event_t *ev);

/* Room for a snapshot name, its NUL included. */
#define DAOS_SNAPSHOT_MAX_LEN 128

enum daos_snapshot_opts {
	DAOS_SNAP_OPT_CR = (1 << 0),  /* create a snapshot */
	DAOS_SNAP_OPT_OIT = (1 << 1), /* with an object ID table */
};

/* Snapshot now, its epoch in *epoch, named @name (may be NULL). */
int daos_cont_create_snap(daos_handle_t coh, daos_epoch_t *epoch, char *name, daos_event_t *ev);
int daos_cont_create_snap_opt(daos_handle_t coh, daos_epoch_t *epoch, char *name,
			      enum daos_snapshot_opts opts, daos_event_t *ev);
/*
 * List up to *nr snapshots into @epochs and @names (each may be NULL); *nr becomes
 * the count. Resume with @anchor.
 */
int daos_cont_list_snap(daos_handle_t coh, int *nr, daos_epoch_t *epochs, char **names,
			daos_anchor_t *anchor, daos_event_t *ev);
/* Destroy the snapshots in @epr. */
int daos_cont_destroy_snap(daos_handle_t coh, daos_epoch_range_t epr, daos_event_t *ev);
int daos_cont_snap_oit_create(daos_handle_t coh, daos_epoch_t epoch, char *name, daos_event_t *ev);
int daos_cont_snap_oit_destroy(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_CONT_H */
