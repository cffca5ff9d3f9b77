/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_array.c - the array API (daos_array.h): a one-dimensional array of fixed-size cells
 * over an object of type DAOS_OT_ARRAY, _ARRAY_ATTR or _ARRAY_BYTE.
 *
 * Layout, DAOS's. Cell i lives in chunk c = i / chunk_size, under the integer dkey c + 1
 * (8 bytes, native order: the dkey kind of array types is uint64), akey "0", as record
 * i % chunk_size of an array value whose record size is the cell size. Chunks go to
 * different shards, so one call's chunks are written in parallel. Dkey 0 is never
 * data: a DAOS_OT_ARRAY keeps its sizes there, as the single value under akey
 * "daos_array_metadata":
 *
 *   offset  size  meaning
 *   0       8     magic 0xdaca55a9daca55a9
 *   8       8     cell size (bytes)
 *   16      8     chunk size (cells)
 *
 * little-endian. daos_array_create writes it with DAOS_COND_DKEY_INSERT (-DER_EXIST if
 * there), daos_array_open reads it (-DER_NONEXIST if absent). ARRAY_ATTR and ARRAY_BYTE
 * objects have no metadata: the caller gives the sizes to open_with_attr (local).
 *
 * Sizes. The size is one past the highest cell present: the greatest dkey (a
 * DAOS_GET_MAX dkey query), then the greatest extent of its akey. Extent punches can
 * leave the greatest dkey with no extent; then, and only then, the dkeys are listed and
 * the next lower ones asked in turn. set_size shrinks by punching the extents beyond
 * the new end in its chunk and every dkey above it; it grows by writing one zero cell at
 * size - 1. Either way it then asks the size again, and if the cell at size - 1 was a hole
 * (a shrink into a hole), writes that zero cell too, so that get_size reports exactly
 * what was set. stat's st_max_epoch is daos_obj_query_max_epoch's: the newest update or
 * punch any shard applied.
 *
 * Holes. A read leaves the caller's bytes of a hole as the object fetch does (DAOS:
 * untouched), except for DAOS_OT_ARRAY_BYTE, whose holes read as zeros (the read buffers
 * are zeroed first), as DFS needs. arr_nr_read counts the cells of each chunk's part up
 * to its highest cell present; arr_nr_short_read the cells asked beyond that; a short
 * read is possible when it is not 0 (compare with daos_array_get_size()).
 *
 * Execution. Every call that needs the engine is one operation (struct cl_op) whose
 * steps are object calls run as its sub-operations (cl_op_sub): reads, writes and
 * punches run up to ARRAY_WINDOW chunk calls at a time; get_size, set_size and stat are
 * small state machines. So with an event they complete through it, never blocking the
 * caller; without one the calling thread waits, as for any call.
 */
#define D_LOGFAC DD_FAC(client)

#include <stdlib.h>

#include "client/client_int.h"
#include "common/sort.h"

#define ARRAY_MAGIC 0xdaca55a9daca55a9ULL
#define ARRAY_AKEY "0"
#define ARRAY_META_AKEY "daos_array_metadata"
#define ARRAY_META_LEN 24
#define ARRAY_IO_RECX_MAX 256        /* extents per chunk call: a request body is 20 KiB */
#define ARRAY_IO_IOV_MAX 256         /* buffer pieces per chunk call (bulk segments) */
#define ARRAY_WINDOW 64              /* chunk calls of one read/write/punch in flight */
#define ARRAY_ENUM_NR 128            /* dkeys per listing call */
#define ARRAY_GLOB_MAGIC 0x41525231u /* "ARR1" */

struct cl_array {
	struct cl_hlink hl;
	daos_handle_t oh; /* the object; closed with the last reference */
	daos_obj_id_t oid;
	unsigned int mode;
	daos_size_t cell;  /* bytes */
	daos_size_t chunk; /* cells; daos_array_update_chunk_size() may change it */
};

static void
array_free(struct cl_hlink *hl)
{
	struct cl_array *arr = container_of(hl, struct cl_array, hl);

	if (daos_handle_is_valid(arr->oh))
		daos_obj_close(arr->oh, NULL);
	d_free(arr);
}

static struct cl_array *
array_lookup(daos_handle_t h)
{
	struct cl_hlink *hl = cl_hdl_lookup(h, DAOS_HTYPE_ARRAY);

	return hl == NULL ? NULL : container_of(hl, struct cl_array, hl);
}

static void
array_put(struct cl_array *arr)
{
	cl_hlink_put(&arr->hl);
}

/* A handle in *@h for the open object @obj, which it takes over in every case. */
static int
array_hdl_new(daos_handle_t obj, daos_obj_id_t oid, unsigned int mode, daos_size_t cell,
	      daos_size_t chunk, daos_handle_t *h)
{
	struct cl_array *arr;
	int rc;

	arr = d_calloc(1, sizeof(*arr));
	if (arr == NULL) {
		daos_obj_close(obj, NULL);
		return -DER_NOMEM;
	}
	cl_hlink_init(&arr->hl, DAOS_HTYPE_ARRAY, array_free);
	arr->oh = obj;
	arr->oid = oid;
	arr->mode = mode;
	arr->cell = cell;
	arr->chunk = chunk;
	rc = cl_hdl_insert(&arr->hl, h);
	array_put(arr);
	return rc;
}

static bool
otype_is_array(enum daos_otype_t type)
{
	return type == DAOS_OT_ARRAY || type == DAOS_OT_ARRAY_ATTR || type == DAOS_OT_ARRAY_BYTE;
}

static void
put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- create and open: one object call on dkey 0 ---- */

struct arr_meta_op {
	struct cl_op op;
	struct cl_op *child; /* the object call, until started */
	daos_handle_t obj;   /* ours until a handle takes it over */
	daos_obj_id_t oid;
	unsigned int mode;
	daos_size_t cell;
	daos_size_t chunk;
	bool create;
	daos_handle_t *oh;      /* the caller's */
	daos_size_t *cell_out;  /* open: the caller's */
	daos_size_t *chunk_out; /* open: the caller's */
	uint64_t dkey_val;      /* 0 */
	daos_key_t dkey;
	daos_iod_t iod;
	d_iov_t iov;
	d_sg_list_t sgl;
	uint8_t meta[ARRAY_META_LEN];
};

static int
meta_start(struct cl_op *op)
{
	struct arr_meta_op *m = container_of(op, struct arr_meta_op, op);
	struct cl_op *child = m->child;

	m->child = NULL;
	cl_op_sub(op, child, 0);
	return 0;
}

static void
meta_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	(void)idx;
	(void)body;
	(void)len;
	op->rc = status;
}

static int
meta_done(struct cl_op *op)
{
	struct arr_meta_op *m = container_of(op, struct arr_meta_op, op);
	daos_size_t cell = m->cell;
	daos_size_t chunk = m->chunk;
	daos_handle_t obj = m->obj;
	int rc;

	if (op->rc != 0)
		return op->rc;
	if (!m->create) {
		if (m->iod.iod_size == 0)
			return -DER_NONEXIST;
		cell = get_le64(m->meta + 8);
		chunk = get_le64(m->meta + 16);
		if (m->iod.iod_size != ARRAY_META_LEN || get_le64(m->meta) != ARRAY_MAGIC ||
		    cell == 0 || chunk == 0) {
			D_ERROR("array " DF_U64 "." DF_U64 ": metadata of " DF_U64
				" bytes is not an array's",
				m->oid.hi, m->oid.lo, m->iod.iod_size);
			return -DER_INVAL;
		}
	}
	m->obj = DAOS_HDL_INVAL;
	rc = array_hdl_new(obj, m->oid, m->mode, cell, chunk, m->oh);
	if (rc == 0 && !m->create) {
		*m->cell_out = cell;
		*m->chunk_out = chunk;
	}
	return rc;
}

static void
meta_fini(struct cl_op *op)
{
	struct arr_meta_op *m = container_of(op, struct arr_meta_op, op);

	if (m->child != NULL)
		m->child->ops->fini(m->child);
	if (daos_handle_is_valid(m->obj))
		daos_obj_close(m->obj, NULL);
	d_free(m);
}

static const struct cl_op_ops meta_ops = {
	.start = meta_start,
	.reply = meta_reply,
	.done = meta_done,
	.fini = meta_fini,
};

static int
meta_run(bool create, daos_handle_t coh, daos_obj_id_t oid, daos_handle_t th, unsigned int mode,
	 daos_size_t cell, daos_size_t chunk, daos_size_t *cell_out, daos_size_t *chunk_out,
	 daos_handle_t *oh, daos_event_t *ev)
{
	struct arr_meta_op *m;
	int rc;

	if (oh == NULL || daos_obj_id2type(oid) != DAOS_OT_ARRAY) {
		if (oh != NULL)
			D_ERROR("object " DF_U64 "." DF_U64 " is of type %d: %s needs an array "
				"with attributes (DAOS_OT_ARRAY)",
				oid.hi, oid.lo, daos_obj_id2type(oid), create ? "create" : "open");
		return -DER_INVAL;
	}
	m = d_calloc(1, sizeof(*m));
	if (m == NULL)
		return -DER_NOMEM;
	rc = daos_obj_open(coh, oid, mode, &m->obj, NULL);
	if (rc != 0) {
		d_free(m);
		return rc;
	}
	m->oid = oid;
	m->mode = mode;
	m->cell = cell;
	m->chunk = chunk;
	m->create = create;
	m->oh = oh;
	m->cell_out = cell_out;
	m->chunk_out = chunk_out;
	d_iov_set(&m->dkey, &m->dkey_val, sizeof(m->dkey_val));
	d_iov_set(&m->iod.iod_name, ARRAY_META_AKEY, sizeof(ARRAY_META_AKEY) - 1);
	m->iod.iod_type = DAOS_IOD_SINGLE;
	m->iod.iod_nr = 1;
	d_iov_set(&m->iov, m->meta, sizeof(m->meta));
	m->sgl.sg_nr = 1;
	m->sgl.sg_iovs = &m->iov;
	if (create) {
		put_le64(m->meta, ARRAY_MAGIC);
		put_le64(m->meta + 8, cell);
		put_le64(m->meta + 16, chunk);
		m->iod.iod_size = ARRAY_META_LEN;
		rc = cl_obj_update_op(m->obj, th, DAOS_COND_DKEY_INSERT, &m->dkey, 1, &m->iod,
				      &m->sgl, &m->child);
	} else {
		m->iod.iod_size = DAOS_REC_ANY;
		rc = cl_obj_fetch_op(m->obj, th, 0, &m->dkey, 1, &m->iod, &m->sgl, NULL, &m->child);
	}
	if (rc != 0) {
		meta_fini(&m->op);
		return rc;
	}
	return cl_op_run(&m->op, &meta_ops, ev);
}

D_EXPORT int
daos_array_create(daos_handle_t coh, daos_obj_id_t oid, daos_handle_t th, daos_size_t cell_size,
		  daos_size_t chunk_size, daos_handle_t *oh, daos_event_t *ev)
{
	if (cell_size == 0 || chunk_size == 0)
		return -DER_INVAL;
	return meta_run(true, coh, oid, th, DAOS_OO_RW, cell_size, chunk_size, NULL, NULL, oh, ev);
}

D_EXPORT int
daos_array_open(daos_handle_t coh, daos_obj_id_t oid, daos_handle_t th, unsigned int mode,
		daos_size_t *cell_size, daos_size_t *chunk_size, daos_handle_t *oh,
		daos_event_t *ev)
{
	if (cell_size == NULL || chunk_size == NULL)
		return -DER_INVAL;
	return meta_run(false, coh, oid, th, mode, 0, 0, cell_size, chunk_size, oh, ev);
}

D_EXPORT int
daos_array_open_with_attr(daos_handle_t coh, daos_obj_id_t oid, daos_handle_t th, unsigned int mode,
			  daos_size_t cell_size, daos_size_t chunk_size, daos_handle_t *oh,
			  daos_event_t *ev)
{
	enum daos_otype_t type = daos_obj_id2type(oid);
	daos_handle_t obj;
	int rc;

	(void)th;
	if (oh == NULL || cell_size == 0 || chunk_size == 0)
		return -DER_INVAL;
	if (type != DAOS_OT_ARRAY_ATTR && type != DAOS_OT_ARRAY_BYTE) {
		D_ERROR("object " DF_U64 "." DF_U64 " is of type %d: open_with_attr needs "
			"DAOS_OT_ARRAY_ATTR or DAOS_OT_ARRAY_BYTE",
			oid.hi, oid.lo, type);
		return -DER_INVAL;
	}
	rc = daos_obj_open(coh, oid, mode, &obj, NULL);
	if (rc == 0)
		rc = array_hdl_new(obj, oid, mode, cell_size, chunk_size, oh);
	return rc != 0 ? rc : cl_op_local(ev, 0);
}

D_EXPORT int
daos_array_close(daos_handle_t oh, daos_event_t *ev)
{
	struct cl_array *arr = array_lookup(oh);

	if (arr == NULL)
		return -DER_NO_HDL;
	cl_hdl_remove(&arr->hl);
	array_put(arr);
	return cl_op_local(ev, 0);
}

D_EXPORT int
daos_array_destroy(daos_handle_t oh, daos_handle_t th, daos_event_t *ev)
{
	struct cl_array *arr = array_lookup(oh);
	int rc;

	if (arr == NULL)
		return -DER_NO_HDL;
	/* the object call holds the object: our reference can go now */
	rc = daos_obj_punch(arr->oh, th, 0, ev);
	array_put(arr);
	return rc;
}

D_EXPORT int
daos_array_get_attr(daos_handle_t oh, daos_size_t *chunk_size, daos_size_t *cell_size)
{
	struct cl_array *arr;

	if (chunk_size == NULL || cell_size == NULL)
		return -DER_INVAL;
	arr = array_lookup(oh);
	if (arr == NULL)
		return -DER_NO_HDL;
	*chunk_size = arr->chunk;
	*cell_size = arr->cell;
	array_put(arr);
	return 0;
}

D_EXPORT int
daos_array_update_chunk_size(daos_handle_t oh, daos_size_t chunk_size)
{
	struct cl_array *arr;

	if (chunk_size == 0)
		return -DER_INVAL;
	arr = array_lookup(oh);
	if (arr == NULL)
		return -DER_NO_HDL;
	/* calls already made keep the size they started with */
	arr->chunk = chunk_size;
	array_put(arr);
	return 0;
}

/*
 * Sharing. The global form, ours (little-endian):
 *   offset  size  meaning
 *   0       4     magic "ARR1"
 *   4       4     open mode
 *   8       16    oid (lo, hi)
 *   24      8     cell size
 *   32      8     chunk size
 * global2local opens the object again in the given container; nothing travels.
 */
#define ARRAY_GLOB_LEN 40

D_EXPORT int
daos_array_local2global(daos_handle_t oh, d_iov_t *glob)
{
	struct cl_array *arr;
	uint8_t *p;

	if (glob == NULL)
		return -DER_INVAL;
	arr = array_lookup(oh);
	if (arr == NULL)
		return -DER_NO_HDL;
	if (glob->iov_buf == NULL) {
		glob->iov_buf_len = ARRAY_GLOB_LEN;
		glob->iov_len = ARRAY_GLOB_LEN;
		array_put(arr);
		return 0;
	}
	if (glob->iov_buf_len < ARRAY_GLOB_LEN) {
		glob->iov_buf_len = ARRAY_GLOB_LEN;
		array_put(arr);
		return -DER_TRUNC;
	}
	p = glob->iov_buf;
	put_le64(p, (uint64_t)arr->mode << 32 | ARRAY_GLOB_MAGIC);
	put_le64(p + 8, arr->oid.lo);
	put_le64(p + 16, arr->oid.hi);
	put_le64(p + 24, arr->cell);
	put_le64(p + 32, arr->chunk);
	glob->iov_len = ARRAY_GLOB_LEN;
	array_put(arr);
	return 0;
}

D_EXPORT int
daos_array_global2local(daos_handle_t coh, d_iov_t glob, unsigned int mode, daos_handle_t *oh)
{
	const uint8_t *p = glob.iov_buf;
	daos_obj_id_t oid;
	daos_size_t cell;
	daos_size_t chunk;
	daos_handle_t obj;
	uint64_t head;
	int rc;

	if (oh == NULL || p == NULL || glob.iov_len != ARRAY_GLOB_LEN)
		return -DER_INVAL;
	head = get_le64(p);
	oid.lo = get_le64(p + 8);
	oid.hi = get_le64(p + 16);
	cell = get_le64(p + 24);
	chunk = get_le64(p + 32);
	if ((uint32_t)head != ARRAY_GLOB_MAGIC || cell == 0 || chunk == 0 ||
	    !otype_is_array(daos_obj_id2type(oid)))
		return -DER_INVAL;
	if (mode == 0)
		mode = (unsigned int)(head >> 32);
	rc = daos_obj_open(coh, oid, mode, &obj, NULL);
	if (rc != 0)
		return rc;
	return array_hdl_new(obj, oid, mode, cell, chunk, oh);
}

/* ---- read, write, punch: the ranges cut at chunk boundaries, one object call per run ---- */

/* One object call: cells of one chunk, as extents of akey "0" under its dkey. */
struct arr_io {
	uint64_t dkey_val; /* chunk + 1 */
	daos_key_t dkey;
	daos_iod_t iod;
	d_sg_list_t sgl;
	uint32_t first_recx; /* in the op's recxs */
	uint32_t first_iov;  /* in the op's iovs */
	uint64_t bytes;      /* the cells' bytes */
};

struct arr_io_op {
	struct cl_op op;
	struct cl_array *arr; /* reference */
	daos_handle_t th;
	enum { IO_READ, IO_WRITE, IO_PUNCH } kind;
	daos_size_t cell;
	daos_array_iod_t *uiod; /* the caller's: arr_nr_read/short_read on a read */
	struct arr_io *ios;
	uint32_t nr_ios;
	uint32_t next_io; /* the next to start */
	daos_recx_t *recxs;
	uint32_t nr_recxs;
	d_iov_t *iovs; /* pieces of the caller's buffers */
	uint32_t nr_iovs;
	uint64_t nr_read;  /* cells */
	uint64_t nr_short; /* cells */
	/* building: where the caller's sgl is read next */
	const d_sg_list_t *usgl;
	uint32_t u_iov;
	uint64_t u_off;
};

/*
 * Room for element @nr in @p, an array of *@cap elements of @size: @p itself, or @p
 * moved to a larger allocation (*@cap updated), or NULL (@p untouched) if memory ran out.
 */
static void *
grow(void *p, uint32_t *cap, uint32_t nr, size_t size)
{
	void *n;
	uint32_t c;

	if (nr < *cap)
		return p;
	if (*cap > UINT32_MAX / 2)
		return NULL;
	c = *cap == 0 ? 16 : *cap * 2;
	n = d_realloc(p, (size_t)c * size);
	if (n != NULL)
		*cap = c;
	return n;
}

/* Buffer bytes of the caller's iov @i: data for a write, room for a read. */
static uint64_t
uiov_len(const struct arr_io_op *a, uint32_t i)
{
	const d_iov_t *iov = &a->usgl->sg_iovs[i];

	return a->kind == IO_WRITE ? iov->iov_len : iov->iov_buf_len;
}

/*
 * Take up to @want bytes (whole cells) of the caller's sgl into the current call, in at
 * most @room pieces. Returns the bytes taken, a multiple of the cell size (0: a cell
 * would need more pieces than @room), or a negative code.
 */
static int64_t
sgl_take(struct arr_io_op *a, uint64_t want, uint32_t room, uint32_t *iovs_cap)
{
	uint32_t i = a->u_iov;
	uint64_t off = a->u_off;
	uint64_t can = 0;
	d_iov_t *iovs;
	uint64_t left;
	uint32_t n;

	/* how much @room pieces reach */
	for (n = 0; n < room && can < want && i < a->usgl->sg_nr; n++, i++, off = 0)
		can += D_MIN(uiov_len(a, i) - off, want - can);
	can -= can % a->cell;
	for (left = can; left > 0;) {
		uint64_t n_bytes;

		while (uiov_len(a, a->u_iov) == a->u_off) {
			a->u_iov++;
			a->u_off = 0;
		}
		n_bytes = D_MIN(uiov_len(a, a->u_iov) - a->u_off, left);
		iovs = grow(a->iovs, iovs_cap, a->nr_iovs, sizeof(*a->iovs));
		if (iovs == NULL)
			return -DER_NOMEM;
		a->iovs = iovs;
		d_iov_set(&a->iovs[a->nr_iovs++],
			  (uint8_t *)a->usgl->sg_iovs[a->u_iov].iov_buf + a->u_off, n_bytes);
		a->u_off += n_bytes;
		left -= n_bytes;
	}
	return (int64_t)can;
}

/* Cut the ranges of @uiod into chunk calls. */
static int
io_build(struct arr_io_op *a, const daos_array_iod_t *uiod, daos_size_t chunk)
{
	uint32_t ios_cap = 0;
	uint32_t recxs_cap = 0;
	uint32_t iovs_cap = 0;
	struct arr_io *io = NULL;
	struct arr_io *ios;
	daos_recx_t *recxs;
	daos_size_t r;
	uint32_t i;

	for (r = 0; r < uiod->arr_nr; r++) {
		uint64_t idx = uiod->arr_rgs[r].rg_idx;
		uint64_t left = uiod->arr_rgs[r].rg_len;

		while (left > 0) {
			uint64_t c = idx / chunk;
			uint64_t off = idx % chunk;
			uint64_t n = D_MIN(left, chunk - off);
			uint64_t taken = n;

			if (io == NULL || io->dkey_val != c + 1 ||
			    a->nr_recxs - io->first_recx == ARRAY_IO_RECX_MAX ||
			    a->nr_iovs - io->first_iov == ARRAY_IO_IOV_MAX) {
				ios = grow(a->ios, &ios_cap, a->nr_ios, sizeof(*a->ios));
				if (ios == NULL)
					return -DER_NOMEM;
				a->ios = ios;
				io = &a->ios[a->nr_ios++];
				memset(io, 0, sizeof(*io));
				io->dkey_val = c + 1;
				io->first_recx = a->nr_recxs;
				io->first_iov = a->nr_iovs;
			}
			if (a->kind != IO_PUNCH) {
				int64_t got = sgl_take(
					a, n * a->cell,
					ARRAY_IO_IOV_MAX - (a->nr_iovs - io->first_iov), &iovs_cap);

				if (got < 0)
					return (int)got;
				if (got == 0) {
					if (a->nr_recxs == io->first_recx) {
						D_ERROR("one cell of " DF_U64 " bytes spans more "
							"than %d buffers",
							a->cell, ARRAY_IO_IOV_MAX);
						return -DER_INVAL;
					}
					io = NULL; /* a new call for the rest */
					continue;
				}
				taken = (uint64_t)got / a->cell;
				io->bytes += (uint64_t)got;
			}
			if (a->nr_recxs > io->first_recx &&
			    a->recxs[a->nr_recxs - 1].rx_idx + a->recxs[a->nr_recxs - 1].rx_nr ==
				    off) {
				a->recxs[a->nr_recxs - 1].rx_nr += taken;
			} else {
				recxs = grow(a->recxs, &recxs_cap, a->nr_recxs, sizeof(*a->recxs));
				if (recxs == NULL)
					return -DER_NOMEM;
				a->recxs = recxs;
				a->recxs[a->nr_recxs].rx_idx = off;
				a->recxs[a->nr_recxs].rx_nr = taken;
				a->nr_recxs++;
			}
			idx += taken;
			left -= taken;
		}
	}
	/* the pools have stopped moving: point the calls into them */
	for (i = 0; i < a->nr_ios; i++) {
		struct arr_io *x = &a->ios[i];
		uint32_t end_recx = i + 1 < a->nr_ios ? x[1].first_recx : a->nr_recxs;
		uint32_t end_iov = i + 1 < a->nr_ios ? x[1].first_iov : a->nr_iovs;

		d_iov_set(&x->dkey, &x->dkey_val, sizeof(x->dkey_val));
		d_iov_set(&x->iod.iod_name, ARRAY_AKEY, 1);
		x->iod.iod_type = DAOS_IOD_ARRAY;
		x->iod.iod_size = a->kind == IO_PUNCH ? 0 : a->cell; /* 0: punch the extents */
		x->iod.iod_nr = end_recx - x->first_recx;
		x->iod.iod_recxs = &a->recxs[x->first_recx];
		x->sgl.sg_nr = end_iov - x->first_iov;
		x->sgl.sg_iovs = x->sgl.sg_nr > 0 ? &a->iovs[x->first_iov] : NULL;
	}
	return 0;
}

/* Start the next window of chunk calls. */
static int
io_launch(struct arr_io_op *a)
{
	uint32_t n;
	int rc;

	for (n = 0; n < ARRAY_WINDOW && a->next_io < a->nr_ios; n++) {
		struct arr_io *io = &a->ios[a->next_io];
		struct cl_op *child;

		if (a->kind == IO_READ)
			rc = cl_obj_fetch_op(a->arr->oh, a->th, 0, &io->dkey, 1, &io->iod, &io->sgl,
					     NULL, &child);
		else
			rc = cl_obj_update_op(a->arr->oh, a->th, 0, &io->dkey, 1, &io->iod,
					      io->sgl.sg_nr > 0 ? &io->sgl : NULL, &child);
		if (rc != 0)
			return rc;
		cl_op_sub(&a->op, child, a->next_io++);
	}
	return 0;
}

static int
io_start(struct cl_op *op)
{
	return io_launch(container_of(op, struct arr_io_op, op));
}

static void
io_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct arr_io_op *a = container_of(op, struct arr_io_op, op);
	struct arr_io *io = &a->ios[idx];
	uint64_t got = 0;
	uint32_t i;

	(void)body;
	(void)len;
	if (status != 0) {
		if (op->rc == 0)
			op->rc = status;
		return;
	}
	if (a->kind != IO_READ)
		return;
	/* the fetch set each piece's iov_len: the bytes up to the highest cell present */
	for (i = 0; i < io->sgl.sg_nr; i++)
		got += io->sgl.sg_iovs[i].iov_len;
	got = D_MIN(got, io->bytes);
	a->nr_read += got / a->cell;
	a->nr_short += (io->bytes - got) / a->cell;
}

static int
io_done(struct cl_op *op)
{
	struct arr_io_op *a = container_of(op, struct arr_io_op, op);
	int rc;

	if (op->rc != 0)
		return op->rc;
	if (a->next_io < a->nr_ios) {
		rc = io_launch(a);
		if (rc == 0)
			return 1;
		/* report once what did start has ended */
		op->rc = rc;
		return op->nr_inflight == 0 ? rc : 1;
	}
	if (a->kind == IO_READ) {
		a->uiod->arr_nr_read = a->nr_read;
		a->uiod->arr_nr_short_read = a->nr_short;
	}
	return 0;
}

static void
io_fini(struct cl_op *op)
{
	struct arr_io_op *a = container_of(op, struct arr_io_op, op);

	array_put(a->arr);
	d_free(a->ios);
	d_free(a->recxs);
	d_free(a->iovs);
	d_free(a);
}

static const struct cl_op_ops io_ops = {
	.start = io_start,
	.reply = io_reply,
	.done = io_done,
	.fini = io_fini,
};

static int
io_run(daos_handle_t oh, daos_handle_t th, int kind, daos_array_iod_t *iod, d_sg_list_t *sgl,
       daos_event_t *ev)
{
	struct arr_io_op *a;
	uint64_t cells = 0;
	uint64_t room = 0;
	daos_size_t chunk;
	daos_size_t r;
	uint32_t i;
	int rc;

	if (iod == NULL || (iod->arr_nr > 0 && iod->arr_rgs == NULL))
		return -DER_INVAL;
	if (kind != IO_PUNCH && (sgl == NULL || (sgl->sg_nr > 0 && sgl->sg_iovs == NULL)))
		return -DER_INVAL;
	a = d_calloc(1, sizeof(*a));
	if (a == NULL)
		return -DER_NOMEM;
	a->kind = kind;
	a->th = th;
	a->uiod = iod;
	a->usgl = sgl;
	a->arr = array_lookup(oh);
	if (a->arr == NULL) {
		d_free(a);
		return -DER_NO_HDL;
	}
	a->cell = a->arr->cell;
	chunk = a->arr->chunk;
	for (r = 0; r < iod->arr_nr; r++) {
		const daos_range_t *rg = &iod->arr_rgs[r];

		if (rg->rg_idx + rg->rg_len < rg->rg_idx || cells + rg->rg_len < cells) {
			rc = -DER_INVAL;
			goto out_free;
		}
		cells += rg->rg_len;
	}
	if (kind != IO_PUNCH) {
		for (i = 0; i < sgl->sg_nr; i++)
			room += uiov_len(a, i);
		if (cells > UINT64_MAX / a->cell || room != cells * a->cell) {
			D_ERROR("array %s of " DF_U64 " cells of " DF_U64 " bytes with " DF_U64
				" bytes of buffers",
				kind == IO_READ ? "read" : "write", cells, a->cell, room);
			rc = -DER_INVAL;
			goto out_free;
		}
	}
	rc = io_build(a, iod, chunk);
	if (rc != 0)
		goto out_free;
	if (kind == IO_READ && daos_obj_id2type(a->arr->oid) == DAOS_OT_ARRAY_BYTE) {
		/* byte arrays read holes as zeros: the fetch writes only what is there */
		for (i = 0; i < a->nr_iovs; i++)
			memset(a->iovs[i].iov_buf, 0, a->iovs[i].iov_buf_len);
	}
	return cl_op_run(&a->op, &io_ops, ev);
out_free:
	io_fini(&a->op);
	return rc;
}

D_EXPORT int
daos_array_read(daos_handle_t oh, daos_handle_t th, daos_array_iod_t *iod, d_sg_list_t *sgl,
		daos_event_t *ev)
{
	return io_run(oh, th, IO_READ, iod, sgl, ev);
}

D_EXPORT int
daos_array_write(daos_handle_t oh, daos_handle_t th, daos_array_iod_t *iod, d_sg_list_t *sgl,
		 daos_event_t *ev)
{
	return io_run(oh, th, IO_WRITE, iod, sgl, ev);
}

D_EXPORT int
daos_array_punch(daos_handle_t oh, daos_handle_t th, daos_array_iod_t *iod, daos_event_t *ev)
{
	return io_run(oh, th, IO_PUNCH, iod, NULL, ev);
}

/* ---- listing the dkeys (the slow path of get_size, and set_size's shrink) ---- */

/* Collects the chunk dkeys in (lo, hi) of an array, ARRAY_ENUM_NR per listing call. */
struct arr_enum {
	daos_anchor_t anchor;
	uint32_t nr;
	daos_key_desc_t kds[ARRAY_ENUM_NR];
	uint8_t buf[ARRAY_ENUM_NR * 16];
	d_iov_t iov;
	d_sg_list_t sgl;
	uint64_t lo;
	uint64_t hi;
	uint64_t *vals;
	uint32_t nr_vals;
	uint32_t cap;
};

static void
enum_init(struct arr_enum *en, uint64_t lo, uint64_t hi)
{
	memset(&en->anchor, 0, sizeof(en->anchor));
	en->lo = lo;
	en->hi = hi;
	en->nr_vals = 0;
}

/* Start the next listing call as sub-operation @idx of @op. */
static int
enum_next(struct cl_op *op, struct arr_enum *en, struct cl_array *arr, daos_handle_t th,
	  uint32_t idx)
{
	struct cl_op *child;
	int rc;

	en->nr = ARRAY_ENUM_NR;
	d_iov_set(&en->iov, en->buf, sizeof(en->buf));
	en->sgl.sg_nr = 1;
	en->sgl.sg_nr_out = 0;
	en->sgl.sg_iovs = &en->iov;
	rc = cl_obj_list_dkey_op(arr->oh, th, &en->nr, en->kds, &en->sgl, &en->anchor, &child);
	if (rc == 0)
		cl_op_sub(op, child, idx);
	return rc;
}

/* Keep the dkeys of the listing call that ended. */
static int
enum_collect(struct arr_enum *en)
{
	uint64_t off = 0;
	uint64_t *vals;
	uint32_t i;

	for (i = 0; i < en->nr; i++) {
		uint64_t v;

		if (off + en->kds[i].kd_key_len > sizeof(en->buf))
			return -DER_PROTO;
		if (en->kds[i].kd_key_len == sizeof(v)) {
			memcpy(&v, en->buf + off, sizeof(v));
			if (v > en->lo && v < en->hi) {
				vals = grow(en->vals, &en->cap, en->nr_vals, sizeof(v));
				if (vals == NULL)
					return -DER_NOMEM;
				en->vals = vals;
				en->vals[en->nr_vals++] = v;
			}
		}
		off += en->kds[i].kd_key_len;
	}
	return 0;
}

static int
cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* ---- get_size ---- */

enum {
	SZ_DKEY, /* the greatest dkey */
	SZ_RECX, /* the greatest extent under dkey_val */
	SZ_ENUM, /* it had none: list the dkeys below it */
	SZ_SCAN, /* ask them in turn, greatest first */
};

struct arr_size_op {
	struct cl_op op;
	struct cl_array *arr; /* reference */
	daos_handle_t th;
	daos_size_t chunk;
	daos_size_t *out;
	int state;
	int child_rc;
	uint64_t dkey_val;
	daos_key_t dkey;
	daos_key_t akey;
	daos_recx_t recx;
	uint32_t next_cand;
	struct arr_enum en;
};

static int
size_query(struct arr_size_op *s, uint64_t flags)
{
	struct cl_op *child;
	int rc;

	d_iov_set(&s->dkey, &s->dkey_val, sizeof(s->dkey_val));
	d_iov_set(&s->akey, ARRAY_AKEY, 1);
	rc = cl_obj_query_key_op(s->arr->oh, s->th, DAOS_GET_MAX | flags, &s->dkey, &s->akey,
				 &s->recx, &child);
	if (rc == 0)
		cl_op_sub(&s->op, child, 0);
	return rc;
}

static int
size_start(struct cl_op *op)
{
	struct arr_size_op *s = container_of(op, struct arr_size_op, op);

	s->state = SZ_DKEY;
	return size_query(s, DAOS_GET_DKEY);
}

static void
size_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct arr_size_op *s = container_of(op, struct arr_size_op, op);

	(void)idx;
	(void)body;
	(void)len;
	s->child_rc = status;
}

/* The size if chunk dkey @dkey_val's greatest extent is @recx. */
static daos_size_t
size_of(struct arr_size_op *s)
{
	return (s->dkey_val - 1) * s->chunk + s->recx.rx_idx + s->recx.rx_nr;
}

static int
size_done(struct cl_op *op)
{
	struct arr_size_op *s = container_of(op, struct arr_size_op, op);
	int rc = s->child_rc;

	if (rc != 0 && rc != -DER_NONEXIST)
		return rc;
	switch (s->state) {
	case SZ_DKEY:
		/* nothing, or only the metadata of dkey 0 */
		if (rc == -DER_NONEXIST || s->dkey_val == 0) {
			*s->out = 0;
			return 0;
		}
		s->state = SZ_RECX;
		rc = size_query(s, DAOS_GET_RECX);
		break;
	case SZ_RECX:
		if (rc == 0) {
			*s->out = size_of(s);
			return 0;
		}
		/* its extents were punched: look below it */
		enum_init(&s->en, 0, s->dkey_val);
		s->state = SZ_ENUM;
		rc = enum_next(op, &s->en, s->arr, s->th, 0);
		break;
	case SZ_ENUM:
		rc = enum_collect(&s->en);
		if (rc != 0)
			return rc;
		if (!daos_anchor_is_eof(&s->en.anchor)) {
			rc = enum_next(op, &s->en, s->arr, s->th, 0);
			break;
		}
		d_sort(s->en.vals, s->en.nr_vals, sizeof(*s->en.vals), cmp_desc);
		s->next_cand = 0;
		s->state = SZ_SCAN;
		rc = -DER_NONEXIST;
		/* fallthrough */
	case SZ_SCAN:
		if (rc == 0) {
			*s->out = size_of(s);
			return 0;
		}
		if (s->next_cand == s->en.nr_vals) {
			*s->out = 0;
			return 0;
		}
		s->dkey_val = s->en.vals[s->next_cand++];
		rc = size_query(s, DAOS_GET_RECX);
		break;
	default:
		return -DER_PROTO;
	}
	return rc != 0 ? rc : 1;
}

static void
size_fini(struct cl_op *op)
{
	struct arr_size_op *s = container_of(op, struct arr_size_op, op);

	array_put(s->arr);
	d_free(s->en.vals);
	d_free(s);
}

static const struct cl_op_ops size_ops = {
	.start = size_start,
	.reply = size_reply,
	.done = size_done,
	.fini = size_fini,
};

/* A get_size operation of @arr (a reference is taken) writing into *@out. */
static int
size_op_new(struct cl_array *arr, daos_handle_t th, daos_size_t *out, struct cl_op **op)
{
	struct arr_size_op *s;

	s = d_calloc(1, sizeof(*s));
	if (s == NULL)
		return -DER_NOMEM;
	cl_hlink_get(&arr->hl);
	s->arr = arr;
	s->th = th;
	s->chunk = arr->chunk;
	s->out = out;
	s->op.ops = &size_ops;
	*op = &s->op;
	return 0;
}

D_EXPORT int
daos_array_get_size(daos_handle_t oh, daos_handle_t th, daos_size_t *size, daos_event_t *ev)
{
	struct cl_array *arr;
	struct cl_op *op;
	int rc;

	if (size == NULL)
		return -DER_INVAL;
	arr = array_lookup(oh);
	if (arr == NULL)
		return -DER_NO_HDL;
	rc = size_op_new(arr, th, size, &op);
	array_put(arr);
	return rc != 0 ? rc : cl_op_run(op, op->ops, ev);
}

/* ---- set_size and stat: get_size, then what it says ---- */

enum {
	SS_SIZE,  /* the size now */
	SS_TRIM,  /* punch the extents past the end in its chunk */
	SS_ENUM,  /* list the dkeys above it */
	SS_PUNCH, /* punch them, a batch at a time */
	SS_SIZE2, /* the size after the shrink */
	SS_GROW,  /* write a zero cell at size - 1 */
	SS_EPOCH, /* stat: the newest epoch of the object */
};

#define ARRAY_PUNCH_BATCH 256

struct arr_set_op {
	struct cl_op op;
	struct cl_array *arr; /* reference */
	daos_handle_t th;
	daos_size_t cell;
	daos_size_t chunk;
	daos_size_t size; /* set_size: the size wanted */
	daos_size_t cur;
	daos_array_stbuf_t *stbuf; /* stat: the caller's */
	int state;
	int child_rc;
	uint64_t keep; /* chunk dkeys above it go */
	uint32_t next_punch;
	daos_key_t dkeys[ARRAY_PUNCH_BATCH];
	/* trim and grow */
	uint64_t dkey_val;
	daos_key_t dkey;
	daos_iod_t iod;
	daos_recx_t recx;
	d_iov_t iov;
	d_sg_list_t sgl;
	uint8_t *zero; /* one zero cell */
	struct arr_enum en;
};

static void
set_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	struct arr_set_op *s = container_of(op, struct arr_set_op, op);

	(void)idx;
	(void)body;
	(void)len;
	s->child_rc = status;
}

static int
set_get_size(struct arr_set_op *s)
{
	struct cl_op *child;
	int rc;

	rc = size_op_new(s->arr, s->th, &s->cur, &child);
	if (rc == 0)
		cl_op_sub(&s->op, child, 0);
	return rc;
}

static int
set_start(struct cl_op *op)
{
	struct arr_set_op *s = container_of(op, struct arr_set_op, op);

	return set_get_size(s);
}

/* An update of cells [@off, @off + @nr) of chunk dkey @dkey_val: zeros, or a punch. */
static int
set_update(struct arr_set_op *s, uint64_t dkey_val, uint64_t off, uint64_t nr, bool punch)
{
	struct cl_op *child;
	int rc;

	s->dkey_val = dkey_val;
	d_iov_set(&s->dkey, &s->dkey_val, sizeof(s->dkey_val));
	memset(&s->iod, 0, sizeof(s->iod));
	d_iov_set(&s->iod.iod_name, ARRAY_AKEY, 1);
	s->iod.iod_type = DAOS_IOD_ARRAY;
	s->iod.iod_size = punch ? 0 : s->cell;
	s->iod.iod_nr = 1;
	s->iod.iod_recxs = &s->recx;
	s->recx.rx_idx = off;
	s->recx.rx_nr = nr;
	if (!punch) {
		if (s->zero == NULL)
			s->zero = d_calloc(1, s->cell);
		if (s->zero == NULL)
			return -DER_NOMEM;
		d_iov_set(&s->iov, s->zero, s->cell);
		s->sgl.sg_nr = 1;
		s->sgl.sg_iovs = &s->iov;
	}
	rc = cl_obj_update_op(s->arr->oh, s->th, 0, &s->dkey, 1, &s->iod, punch ? NULL : &s->sgl,
			      &child);
	if (rc == 0)
		cl_op_sub(&s->op, child, 0);
	return rc;
}

static int
set_grow(struct arr_set_op *s)
{
	uint64_t last = s->size - 1;

	s->state = SS_GROW;
	return set_update(s, last / s->chunk + 1, last % s->chunk, 1, false);
}

/* Punch the next batch of listed dkeys; 0 with nothing started when none is left. */
static int
set_punch_next(struct arr_set_op *s)
{
	struct cl_op *child;
	uint32_t n = 0;
	int rc;

	while (n < ARRAY_PUNCH_BATCH && s->next_punch < s->en.nr_vals) {
		d_iov_set(&s->dkeys[n++], &s->en.vals[s->next_punch++], sizeof(uint64_t));
	}
	if (n == 0)
		return 0;
	rc = cl_obj_punch_op(s->arr->oh, s->th, 0, n, s->dkeys, &child);
	if (rc == 0)
		cl_op_sub(&s->op, child, 0);
	return rc;
}

static int
set_done(struct cl_op *op)
{
	struct arr_set_op *s = container_of(op, struct arr_set_op, op);
	int rc = s->child_rc;

	if (rc != 0)
		return rc;
	switch (s->state) {
	case SS_SIZE:
		if (s->stbuf != NULL) {
			struct cl_op *child;

			s->stbuf->st_size = s->cur;
			s->state = SS_EPOCH;
			rc = cl_obj_query_max_epoch_op(s->arr->oh, s->th, &s->stbuf->st_max_epoch,
						       &child);
			if (rc == 0)
				cl_op_sub(&s->op, child, 0);
			break;
		}
		if (s->cur == s->size)
			return 0;
		if (s->cur < s->size) {
			rc = set_grow(s);
			break;
		}
		/* shrink: keep the chunk of cell size - 1 (none for 0), trim it past the end */
		s->keep = s->size == 0 ? 0 : (s->size - 1) / s->chunk + 1;
		if (s->size % s->chunk != 0) {
			s->state = SS_TRIM;
			rc = set_update(s, s->keep, s->size % s->chunk,
					s->chunk - s->size % s->chunk, true);
			break;
		}
		/* fallthrough */
	case SS_TRIM:
		enum_init(&s->en, s->keep, UINT64_MAX);
		s->state = SS_ENUM;
		rc = enum_next(op, &s->en, s->arr, s->th, 0);
		break;
	case SS_ENUM:
		rc = enum_collect(&s->en);
		if (rc != 0)
			return rc;
		if (!daos_anchor_is_eof(&s->en.anchor)) {
			rc = enum_next(op, &s->en, s->arr, s->th, 0);
			break;
		}
		s->state = SS_PUNCH;
		s->next_punch = 0;
		/* fallthrough */
	case SS_PUNCH:
		if (s->next_punch < s->en.nr_vals) {
			rc = set_punch_next(s);
			break;
		}
		s->state = SS_SIZE2;
		rc = set_get_size(s);
		break;
	case SS_SIZE2:
		/* the new last cell was a hole: make the size visible */
		if (s->cur < s->size) {
			rc = set_grow(s);
			break;
		}
		if (s->cur != s->size) {
			D_ERROR("array " DF_U64 "." DF_U64 " has size " DF_U64
				" after a shrink to " DF_U64 ": a concurrent write?",
				s->arr->oid.hi, s->arr->oid.lo, s->cur, s->size);
			return -DER_BUSY;
		}
		return 0;
	case SS_GROW:
	case SS_EPOCH:
		return 0;
	default:
		return -DER_PROTO;
	}
	return rc != 0 ? rc : 1;
}

static void
set_fini(struct cl_op *op)
{
	struct arr_set_op *s = container_of(op, struct arr_set_op, op);

	array_put(s->arr);
	d_free(s->en.vals);
	d_free(s->zero);
	d_free(s);
}

static const struct cl_op_ops set_ops = {
	.start = set_start,
	.reply = set_reply,
	.done = set_done,
	.fini = set_fini,
};

static int
set_run(daos_handle_t oh, daos_handle_t th, daos_size_t size, daos_array_stbuf_t *stbuf,
	daos_event_t *ev)
{
	struct arr_set_op *s;

	s = d_calloc(1, sizeof(*s));
	if (s == NULL)
		return -DER_NOMEM;
	s->arr = array_lookup(oh);
	if (s->arr == NULL) {
		d_free(s);
		return -DER_NO_HDL;
	}
	s->th = th;
	s->cell = s->arr->cell;
	s->chunk = s->arr->chunk;
	s->size = size;
	s->stbuf = stbuf;
	s->state = SS_SIZE;
	return cl_op_run(&s->op, &set_ops, ev);
}

D_EXPORT int
daos_array_set_size(daos_handle_t oh, daos_handle_t th, daos_size_t size, daos_event_t *ev)
{
	return set_run(oh, th, size, NULL, ev);
}

D_EXPORT int
daos_array_stat(daos_handle_t oh, daos_handle_t th, daos_array_stbuf_t *stbuf, daos_event_t *ev)
{
	if (stbuf == NULL)
		return -DER_INVAL;
	return set_run(oh, th, 0, stbuf, ev);
}
