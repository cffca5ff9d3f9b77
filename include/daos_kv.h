/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_kv.h - a flat key-value store over an object of type DAOS_OT_KV_*: each key
 * is a dkey holding one single value.
 */
#ifndef DAOS_KV_H
#define DAOS_KV_H

#include <daos_event.h>
#include <daos_obj.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Conditions of put, get and remove. */
#define DAOS_COND_KEY_INSERT DAOS_COND_DKEY_INSERT /* key must not exist */
#define DAOS_COND_KEY_UPDATE DAOS_COND_DKEY_UPDATE /* key must exist */
#define DAOS_COND_KEY_GET DAOS_COND_DKEY_FETCH     /* key must exist */
#define DAOS_COND_KEY_REMOVE DAOS_COND_PUNCH       /* key must exist */

/* Open the KV object @oid with DAOS_OO_* @mode. Local. */
int daos_kv_open(daos_handle_t coh, daos_obj_id_t oid, unsigned int mode, daos_handle_t *oh,
		 daos_event_t *ev);
int daos_kv_close(daos_handle_t oh, daos_event_t *ev);
/* Remove every key; the handle must still be closed. */
int daos_kv_destroy(daos_handle_t oh, daos_handle_t th, daos_event_t *ev);

/* Set @key to the @size bytes at @buf. */
int daos_kv_put(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *key,
		daos_size_t size, const void *buf, daos_event_t *ev);
/*
 * Read @key into @buf of *size bytes (DAOS_REC_ANY or NULL @buf: only the size);
 * *size becomes the value's size.
 */
int daos_kv_get(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *key,
		daos_size_t *size, void *buf, daos_event_t *ev);
int daos_kv_remove(daos_handle_t oh, daos_handle_t th, uint64_t flags, const char *key,
		   daos_event_t *ev);
/* Enumerate keys, as daos_obj_list_dkey(). */
int daos_kv_list(daos_handle_t oh, daos_handle_t th, uint32_t *nr, daos_key_desc_t *kds,
		 d_sg_list_t *sgl, daos_anchor_t *anchor, daos_event_t *ev);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_KV_H */
