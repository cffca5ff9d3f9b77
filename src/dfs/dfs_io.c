/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_io.c - file data: dfs_read/write (and the x variants over several ranges), sizes
 * and punches. A file is a DAOS_OT_ARRAY_BYTE array (cell 1 byte, chunk_size cells per
 * dkey) opened locally with daos_array_open_with_attr; the object itself comes into
 * being at the first write.
 *
 * Reads: libdaos reports a possible short read (arr_nr_short_read != 0) without knowing
 * where the file ends; then the file size decides how many bytes count. With an event
 * that is done in the event's completion callback, which libdaos runs without holding
 * anything a blocking call needs. The ranges and the callback state live in a struct
 * io_ctx freed by that callback, since libdaos reads the ranges while the I/O runs.
 */
#define D_LOGFAC DD_FAC(dfs)

#include <errno.h>
#include <string.h>

#include "dfs/dfs_int.h"

/* One read or write in flight: what must outlive the call when it has an event. */
struct io_ctx {
	daos_array_iod_t iod;
	daos_range_t rg;   /* the one range of dfs_read/dfs_write */
	daos_range_t *rgs; /* copies of dfs_readx/writex ranges, or &rg */
	daos_handle_t oh;
	daos_size_t *read_size; /* reads: where the result goes */
	daos_size_t asked;      /* reads: bytes asked */
	bool orphan;            /* its launch failed (io_run) */
};

static int
file_check(dfs_t *dfs, dfs_obj_t *obj)
{
	if (dfs == NULL || obj == NULL)
		return EINVAL;
	if (S_ISDIR(obj->mode))
		return EISDIR;
	if (!S_ISREG(obj->mode))
		return EINVAL;
	return 0;
}

static size_t
sgl_len(const d_sg_list_t *sgl)
{
	size_t len = 0;
	uint32_t i;

	for (i = 0; i < sgl->sg_nr; i++)
		len += sgl->sg_iovs[i].iov_len;
	return len;
}

/* The bytes of a read that count, from what libdaos said and (if needed) the size. */
static int
read_result(struct io_ctx *c, daos_size_t *out)
{
	daos_size_t size;
	daos_off_t start;
	uint64_t i;
	daos_size_t n = 0;
	int rc;

	if (c->iod.arr_nr_short_read == 0) {
		*out = c->asked;
		return 0;
	}
	rc = daos_array_get_size(c->oh, DAOS_TX_NONE, &size, NULL);
	if (rc != 0)
		return rc;
	/* Bytes of the ranges below the end of the file, ranges taken in order. */
	for (i = 0; i < c->iod.arr_nr; i++) {
		start = c->rgs[i].rg_idx;
		if (start >= size)
			continue;
		n += size - start < c->rgs[i].rg_len ? size - start : c->rgs[i].rg_len;
	}
	*out = n;
	return 0;
}

static void
io_ctx_free(struct io_ctx *c)
{
	if (c->rgs != &c->rg)
		d_free(c->rgs);
	d_free(c);
}

static int
read_comp_cb(void *arg, daos_event_t *ev, int rc)
{
	struct io_ctx *c = arg;
	daos_size_t n = 0;

	(void)ev;
	if (c->orphan) {
		/* its own launch failed: this completion is another operation's */
		io_ctx_free(c);
		return 0;
	}
	if (rc == 0)
		rc = read_result(c, &n);
	if (rc == 0)
		*c->read_size = n;
	io_ctx_free(c);
	return rc != 0 ? daos_der2errno(rc) : 0;
}

static int
write_comp_cb(void *arg, daos_event_t *ev, int rc)
{
	struct io_ctx *c = arg;
	bool orphan = c->orphan;

	(void)ev;
	io_ctx_free(c);
	return rc != 0 && !orphan ? daos_der2errno(rc) : 0;
}

int
dfs_ev_done(daos_event_t *ev)
{
	int rc;

	if (ev == NULL)
		return 0;
	rc = daos_event_launch(ev);
	if (rc != 0)
		return dfs_err(rc);
	daos_event_complete(ev, 0);
	return 0;
}

/* Run a read or write of @c; frees @c. */
static int
io_run(struct io_ctx *c, d_sg_list_t *sgl, bool is_read, daos_event_t *ev)
{
	daos_size_t n = 0;
	int rc;

	if (ev != NULL) {
		rc = daos_event_register_comp_cb(ev, is_read ? read_comp_cb : write_comp_cb, c);
		if (rc != 0) {
			io_ctx_free(c);
			return dfs_err(rc);
		}
		if (is_read)
			rc = daos_array_read(c->oh, DAOS_TX_NONE, &c->iod, sgl, ev);
		else
			rc = daos_array_write(c->oh, DAOS_TX_NONE, &c->iod, sgl, ev);
		/*
		 * A launched operation completes through the event (and frees @c). One
		 * that was not leaves the callback registered on @ev: @c stays, marked,
		 * for that callback to free at the event's next completion.
		 */
		if (rc != 0)
			c->orphan = true;
		return dfs_err(rc);
	}
	if (is_read)
		rc = daos_array_read(c->oh, DAOS_TX_NONE, &c->iod, sgl, NULL);
	else
		rc = daos_array_write(c->oh, DAOS_TX_NONE, &c->iod, sgl, NULL);
	if (rc == 0 && is_read) {
		rc = read_result(c, &n);
		if (rc == 0)
			*c->read_size = n;
	}
	io_ctx_free(c);
	return dfs_err(rc);
}

static struct io_ctx *
io_ctx_one(dfs_obj_t *obj, daos_off_t off, daos_size_t len)
{
	struct io_ctx *c = d_calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->oh = obj->oh;
	c->rg.rg_idx = off;
	c->rg.rg_len = len;
	c->rgs = &c->rg;
	c->iod.arr_nr = 1;
	c->iod.arr_rgs = c->rgs;
	c->asked = len;
	return c;
}

D_EXPORT int
dfs_read(dfs_t *dfs, dfs_obj_t *obj, d_sg_list_t *sgl, daos_off_t off, daos_size_t *read_size,
	 daos_event_t *ev)
{
	struct io_ctx *c;
	size_t len;
	int rc;

	rc = file_check(dfs, obj);
	if (rc != 0)
		return rc;
	if (sgl == NULL || read_size == NULL)
		return EINVAL;
	if ((obj->flags & O_ACCMODE) == O_WRONLY)
		return EBADF;
	len = sgl_len(sgl);
	if (len == 0) {
		*read_size = 0;
		return dfs_ev_done(ev);
	}
	c = io_ctx_one(obj, off, len);
	if (c == NULL)
		return ENOMEM;
	c->read_size = read_size;
	return io_run(c, sgl, true, ev);
}

D_EXPORT int
dfs_write(dfs_t *dfs, dfs_obj_t *obj, d_sg_list_t *sgl, daos_off_t off, daos_event_t *ev)
{
	struct io_ctx *c;
	daos_size_t size;
	size_t len;
	int rc;

	rc = file_check(dfs, obj);
	if (rc != 0)
		return rc;
	if (sgl == NULL)
		return EINVAL;
	if (dfs->amode != O_RDWR || (obj->flags & O_ACCMODE) == O_RDONLY)
		return EBADF;
	len = sgl_len(sgl);
	if (len == 0)
		return dfs_ev_done(ev);
	if (obj->flags & O_APPEND) {
		/* At the end as it is now: not atomic against other writers (docs/design). */
		rc = daos_array_get_size(obj->oh, DAOS_TX_NONE, &size, NULL);
		if (rc != 0)
			return dfs_err(rc);
		off = size;
	}
	c = io_ctx_one(obj, off, len);
	if (c == NULL)
		return ENOMEM;
	return io_run(c, sgl, false, ev);
}

/* An io_ctx over a copy of @iod's ranges (the caller's may go before the I/O ends). */
static int
io_ctx_x(dfs_obj_t *obj, dfs_iod_t *iod, d_sg_list_t *sgl, struct io_ctx **out)
{
	struct io_ctx *c;
	daos_size_t total = 0;
	uint64_t i;

	if (iod == NULL || sgl == NULL || iod->iod_nr == 0 || iod->iod_rgs == NULL)
		return EINVAL;
	for (i = 0; i < iod->iod_nr; i++)
		total += iod->iod_rgs[i].rg_len;
	if (total != sgl_len(sgl))
		return EINVAL;
	c = d_calloc(1, sizeof(*c));
	if (c == NULL)
		return ENOMEM;
	c->rgs = d_calloc(iod->iod_nr, sizeof(*c->rgs));
	if (c->rgs == NULL) {
		d_free(c);
		return ENOMEM;
	}
	memcpy(c->rgs, iod->iod_rgs, iod->iod_nr * sizeof(*c->rgs));
	c->oh = obj->oh;
	c->iod.arr_nr = iod->iod_nr;
	c->iod.arr_rgs = c->rgs;
	c->asked = total;
	*out = c;
	return 0;
}

D_EXPORT int
dfs_readx(dfs_t *dfs, dfs_obj_t *obj, dfs_iod_t *iod, d_sg_list_t *sgl, daos_size_t *read_size,
	  daos_event_t *ev)
{
	struct io_ctx *c;
	int rc;

	rc = file_check(dfs, obj);
	if (rc != 0)
		return rc;
	if (read_size == NULL)
		return EINVAL;
	if ((obj->flags & O_ACCMODE) == O_WRONLY)
		return EBADF;
	rc = io_ctx_x(obj, iod, sgl, &c);
	if (rc != 0)
		return rc;
	c->read_size = read_size;
	return io_run(c, sgl, true, ev);
}

D_EXPORT int
dfs_writex(dfs_t *dfs, dfs_obj_t *obj, dfs_iod_t *iod, d_sg_list_t *sgl, daos_event_t *ev)
{
	struct io_ctx *c;
	int rc;

	rc = file_check(dfs, obj);
	if (rc != 0)
		return rc;
	if (dfs->amode != O_RDWR || (obj->flags & O_ACCMODE) == O_RDONLY)
		return EBADF;
	rc = io_ctx_x(obj, iod, sgl, &c);
	if (rc != 0)
		return rc;
	return io_run(c, sgl, false, ev);
}

D_EXPORT int
dfs_get_size(dfs_t *dfs, dfs_obj_t *obj, daos_size_t *size)
{
	int rc;

	rc = file_check(dfs, obj);
	if (rc != 0)
		return rc;
	if (size == NULL)
		return EINVAL;
	return dfs_err(daos_array_get_size(obj->oh, DAOS_TX_NONE, size, NULL));
}

D_EXPORT int
dfs_get_size_by_oid(dfs_t *dfs, daos_obj_id_t oid, daos_size_t chunk_size, daos_size_t *size)
{
	daos_handle_t oh;
	int rc;

	if (dfs == NULL || size == NULL || daos_obj_id2type(oid) != DAOS_OT_ARRAY_BYTE)
		return EINVAL;
	rc = daos_array_open_with_attr(dfs->coh, oid, DAOS_TX_NONE, DAOS_OO_RO, 1,
				       chunk_size != 0 ? chunk_size : dfs->attr.da_chunk_size, &oh,
				       NULL);
	if (rc != 0)
		return dfs_err(rc);
	rc = daos_array_get_size(oh, DAOS_TX_NONE, size, NULL);
	daos_array_close(oh, NULL);
	return dfs_err(rc);
}

D_EXPORT int
dfs_punch(dfs_t *dfs, dfs_obj_t *obj, daos_off_t offset, daos_size_t len)
{
	daos_array_iod_t iod;
	daos_range_t rg;
	daos_size_t size;
	int rc;

	rc = file_check(dfs, obj);
	if (rc != 0)
		return rc;
	if (dfs->amode != O_RDWR || (obj->flags & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (len == DFS_MAX_FSIZE)
		return dfs_err(daos_array_set_size(obj->oh, DAOS_TX_NONE, offset, NULL));
	if (len == 0)
		return 0;
	rc = daos_array_get_size(obj->oh, DAOS_TX_NONE, &size, NULL);
	if (rc != 0)
		return dfs_err(rc);
	/* A hole at or past the end changes nothing, except growing the file to @offset. */
	if (offset >= size)
		return dfs_err(daos_array_set_size(obj->oh, DAOS_TX_NONE, offset, NULL));
	/* A hole up to or past the end is a truncation. */
	if (offset + len >= size)
		return dfs_err(daos_array_set_size(obj->oh, DAOS_TX_NONE, offset, NULL));
	rg.rg_idx = offset;
	rg.rg_len = len;
	iod.arr_nr = 1;
	iod.arr_rgs = &rg;
	iod.arr_nr_read = 0;
	iod.arr_nr_short_read = 0;
	return dfs_err(daos_array_punch(obj->oh, DAOS_TX_NONE, &iod, NULL));
}
