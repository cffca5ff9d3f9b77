/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_array.h - a one-dimensional array of fixed-size cells over an object. Cells
 * are grouped in chunks of chunk_size cells, one integer dkey per chunk, so that
 * consecutive chunks land on different targets.
 */
#ifndef DAOS_ARRAY_H
#define DAOS_ARRAY_H

#include <daos_event.h>
#include <daos_obj.h>
#include <daos_obj_class.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* rg_len cells from rg_idx. */
typedef struct {
	daos_off_t rg_idx;
	daos_size_t rg_len;
} daos_range_t;

/*
 * The ranges of one read, write or punch. After a read, arr_nr_read is the cells
 * read and arr_nr_short_read, if not 0, means the read may have passed the end
 * (compare with daos_array_get_size()).
 */
typedef struct {
	daos_size_t arr_nr;
	daos_range_t *arr_rgs;
	daos_size_t arr_nr_short_read;
	daos_size_t arr_nr_read;
} daos_array_iod_t;

typedef struct {
	daos_size_t st_size;       /* cells */
	daos_epoch_t st_max_epoch; /* last change */
} daos_array_stbuf_t;

/*
 * daos_obj_generate_oid() for an array: DAOS_OT_ARRAY if the object keeps its cell
 * and chunk sizes (@add_attr), else DAOS_OT_ARRAY_ATTR.
 */
static inline int
daos_array_generate_oid(daos_handle_t coh, daos_obj_id_t *oid, bool add_attr, daos_oclass_id_t cid,
			daos_oclass_hints_t hints, uint32_t args)
{
	enum daos_otype_t type = add_attr ? DAOS_OT_ARRAY : DAOS_OT_ARRAY_ATTR;

	return daos_obj_generate_oid(coh, oid, type, cid, hints, args);
}

/* Create a DAOS_OT_ARRAY object, storing its sizes in it. -DER_EXIST if it exists. */
int daos_array_create(daos_handle_t coh, daos_obj_id_t oid, daos_handle_t th, daos_size_t cell_size,
		      daos_size_t chunk_size, daos_handle_t *oh, daos_event_t *ev);
/* Open a created array, reading its sizes. */
int daos_array_open(daos_handle_t coh, daos_obj_id_t oid, daos_handle_t th, unsigned int mode,
		    daos_size_t *cell_size, daos_size_t *chunk_size, daos_handle_t *oh,
		    daos_event_t *ev);
/*
 * Open a DAOS_OT_ARRAY_ATTR or _BYTE array with sizes the caller keeps. Local; the
 * same sizes must be used every time.
 */
int daos_array_open_with_attr(daos_handle_t coh, daos_obj_id_t oid, daos_handle_t th,
			      unsigned int mode, daos_size_t cell_size, daos_size_t chunk_size,
			      daos_handle_t *oh, daos_event_t *ev);
/* Handle sharing; @mode 0 keeps the original open mode. */
int daos_array_local2global(daos_handle_t oh, d_iov_t *glob);
int daos_array_global2local(daos_handle_t coh, d_iov_t glob, unsigned int mode, daos_handle_t *oh);
int daos_array_close(daos_handle_t oh, daos_event_t *ev);

/* Read or write the ranges of @iod from or into @sgl, whose total size must match. */
int daos_array_read(daos_handle_t oh, daos_handle_t th, daos_array_iod_t *iod, d_sg_list_t *sgl,
		    daos_event_t *ev);
int daos_array_write(daos_handle_t oh, daos_handle_t th, daos_array_iod_t *iod, d_sg_list_t *sgl,
		     daos_event_t *ev);

/* The size in cells: one past the highest cell written. */
int daos_array_get_size(daos_handle_t oh, daos_handle_t th, daos_size_t *size, daos_event_t *ev);
int daos_array_stat(daos_handle_t oh, daos_handle_t th, daos_array_stbuf_t *stbuf,
		    daos_event_t *ev);
/* Shrink (punching what lies beyond) or grow (writing the last cell) to @size cells. */
int daos_array_set_size(daos_handle_t oh, daos_handle_t th, daos_size_t size, daos_event_t *ev);
/* Punch everything, sizes included; the handle must still be closed. */
int daos_array_destroy(daos_handle_t oh, daos_handle_t th, daos_event_t *ev);
/* Punch the ranges of @iod. */
int daos_array_punch(daos_handle_t oh, daos_handle_t th, daos_array_iod_t *iod, daos_event_t *ev);
int daos_array_get_attr(daos_handle_t oh, daos_size_t *chunk_size, daos_size_t *cell_size);
int daos_array_update_chunk_size(daos_handle_t oh, daos_size_t chunk_size);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_ARRAY_H */
