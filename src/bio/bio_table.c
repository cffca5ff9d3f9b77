/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_table.c - the blob table of a device: which extents belong to which blob, kept
 * twice on the device so that an update torn by a crash leaves the previous table.
 *
 * The first BIO_BLOB_ALIGN (1 MiB) bytes of a device hold two copies of the table, copy
 * 0 at offset 0 and copy 1 at 512 KiB. A copy (little-endian, written with common/buf.h):
 *
 *   offset      size    meaning
 *   0           8       magic 0x544f4942534f4144 ("DAOSBIOT" as bytes)
 *   8           4       format version: 1 (0 is invalid; higher: -DER_DF_INCOMPT)
 *   12          4       nr: number of entries, at most 13106 (what fits in a copy)
 *   16          8       generation, >= 1: of two valid copies the higher is current
 *   24          40*nr   entries, by increasing offset, extents disjoint, ids unique:
 *     +0        16      pool uuid
 *     +16       4       target index
 *     +20       4       role: 1 WAL, 2 meta, 4 data
 *     +24       8       device offset: a multiple of 1 MiB, at least 1 MiB
 *     +32       8       size in bytes: a non-zero multiple of 1 MiB
 *   24+40*nr    4       CRC-32C (Castagnoli) of bytes [0, 24+40*nr)
 *   28+40*nr    -       unused to the end of the copy; not read
 *
 * An update writes the whole new table, with generation + 1, over the copy that does
 * NOT hold the current generation, then fdatasyncs. Until the sync returns, the
 * current copy is untouched, so a crash leaves either the old table (the new copy torn,
 * its checksum wrong, or its write lost) or the new one. Loading takes the valid copy
 * with the higher generation and warns about an invalid one; a device with no valid
 * copy is refused with -DER_DF_INVAL naming it; a copy of a newer format version makes
 * the device -DER_DF_INCOMPT even if the other copy is valid, since falling back to it
 * would undo what a newer engine wrote. Formatting writes an empty table to both
 * copies, with generations above the old ones, so a crash mid-format leaves the old
 * table or the empty one.
 *
 * Space after the table area is handed out first-fit in BIO_BLOB_ALIGN units, each blob
 * one contiguous extent. The in-memory table is the current copy, entries sorted by
 * offset, so first-fit is one pass over the gaps. A failed update leaves the in-memory
 * table as it was (the change is undone), and the on-disk current copy is untouched.
 *
 * Threads: everything here belongs to the device's owner thread. Handles of open blobs
 * hold copies of their extent, so I/O on them from other threads never reads the table.
 */
#define D_LOGFAC DD_FAC(bio)

#include <isa-l/crc.h>
#include <pthread.h>

#include "bio/bio_int.h"
#include "common/buf.h"
#include "common/sort.h"

/* --- the codec --- */

static uint32_t
table_crc(const void *data, size_t len)
{
	/* ISA-L leaves out the final inversion of the standard CRC-32C. */
	return ~crc32_iscsi((unsigned char *)(uintptr_t)data, (int)len, 0xffffffffu);
}

static int
id_cmp(const struct bio_blob_id *a, const struct bio_blob_id *b)
{
	int rc = memcmp(a->pool, b->pool, sizeof(uuid_t));

	if (rc != 0)
		return rc;
	if (a->target != b->target)
		return a->target < b->target ? -1 : 1;
	if (a->role != b->role)
		return a->role < b->role ? -1 : 1;
	return 0;
}

static int
entry_id_cmp(const void *a, const void *b)
{
	return id_cmp(&((const struct bio_table_entry *)a)->id,
		      &((const struct bio_table_entry *)b)->id);
}

static bool
role_is_valid(uint32_t role)
{
	return role == BIO_ROLE_WAL || role == BIO_ROLE_META || role == BIO_ROLE_DATA;
}

/* Entries in offset order, extents aligned, disjoint and after the table area. */
static bool
entries_are_valid(const struct bio_table_entry *e, uint32_t nr, const char **why)
{
	uint64_t end = BIO_BLOB_ALIGN;
	uint32_t i;

	for (i = 0; i < nr; i++) {
		if (!role_is_valid(e[i].id.role)) {
			*why = "an entry with an unknown role";
			return false;
		}
		if (e[i].off % BIO_BLOB_ALIGN != 0 || e[i].size % BIO_BLOB_ALIGN != 0 ||
		    e[i].size == 0) {
			*why = "an extent not aligned to 1 MiB";
			return false;
		}
		if (e[i].off < end || e[i].size > UINT64_MAX - e[i].off) {
			*why = "extents overlapping or out of order";
			return false;
		}
		end = e[i].off + e[i].size;
	}
	return true;
}

/* No two entries name the same blob: sort a copy by id, compare neighbours. */
static int
ids_are_unique(const struct bio_table_entry *e, uint32_t nr, bool *unique)
{
	struct bio_table_entry *sorted;
	uint32_t i;

	*unique = true;
	if (nr < 2)
		return 0;
	sorted = d_calloc(nr, sizeof(*sorted));
	if (sorted == NULL)
		return -DER_NOMEM;
	memcpy(sorted, e, nr * sizeof(*sorted));
	d_sort(sorted, nr, sizeof(*sorted), entry_id_cmp);
	for (i = 1; i < nr && *unique; i++)
		*unique = id_cmp(&sorted[i - 1].id, &sorted[i].id) != 0;
	d_free(sorted);
	return 0;
}

/* Like bio_table_decode(), with a reason for -DER_DF_INVAL in *@why. */
static int
table_decode(const void *data, size_t len, struct bio_table *t, const char **why)
{
	struct buf in = BUF_INIT(data, len);
	struct bio_table_entry *entries;
	const void *pool;
	uint64_t magic;
	uint64_t gen;
	uint32_t version;
	uint32_t nr;
	uint32_t crc;
	uint32_t i;
	bool unique;
	int rc;

	magic = buf_get_u64(&in);
	version = buf_get_u32(&in);
	nr = buf_get_u32(&in);
	gen = buf_get_u64(&in);
	if (in.err != 0 || magic != BIO_TABLE_MAGIC) {
		*why = "no table magic (never formatted?)";
		return -DER_DF_INVAL;
	}
	/* A newer layout may differ from here on, so the version comes before the rest. */
	if (version > BIO_TABLE_VERSION) {
		*why = "a newer format version";
		return -DER_DF_INCOMPT;
	}
	if (version == 0 || nr > BIO_TABLE_MAX_BLOBS || gen == 0 ||
	    buf_remaining(&in) < (size_t)nr * BIO_TABLE_ENTRY_SIZE + BIO_TABLE_CSUM_SIZE) {
		*why = "a bad header";
		return -DER_DF_INVAL;
	}
	crc = table_crc(data, BIO_TABLE_HDR_SIZE + (size_t)nr * BIO_TABLE_ENTRY_SIZE);

	entries = d_calloc(nr ? nr : 1, sizeof(*entries));
	if (entries == NULL)
		return -DER_NOMEM;
	for (i = 0; i < nr; i++) {
		pool = buf_get_bytes_raw(&in, sizeof(uuid_t));
		if (pool != NULL)
			memcpy(entries[i].id.pool, pool, sizeof(uuid_t));
		entries[i].id.target = buf_get_u32(&in);
		entries[i].id.role = buf_get_u32(&in);
		entries[i].off = buf_get_u64(&in);
		entries[i].size = buf_get_u64(&in);
	}
	if (buf_get_u32(&in) != crc) {
		*why = "a checksum mismatch (torn or corrupt)";
		rc = -DER_DF_INVAL;
		goto out_free_entries;
	}
	if (!entries_are_valid(entries, nr, why)) {
		rc = -DER_DF_INVAL;
		goto out_free_entries;
	}
	rc = ids_are_unique(entries, nr, &unique);
	if (rc != 0)
		goto out_free_entries;
	if (!unique) {
		*why = "two entries naming the same blob";
		rc = -DER_DF_INVAL;
		goto out_free_entries;
	}

	t->gen = gen;
	t->nr_entries = nr;
	t->cap = nr ? nr : 1;
	t->entries = entries;
	return 0;

out_free_entries:
	d_free(entries);
	return rc;
}

int
bio_table_decode(const void *data, size_t len, struct bio_table *t)
{
	const char *why;

	return table_decode(data, len, t, &why);
}

size_t
bio_table_encoded_len(const struct bio_table *t)
{
	return BIO_TABLE_HDR_SIZE + (size_t)t->nr_entries * BIO_TABLE_ENTRY_SIZE +
	       BIO_TABLE_CSUM_SIZE;
}

int
bio_table_encode(const struct bio_table *t, void *data, size_t len)
{
	struct buf out = BUF_INIT(data, len);
	const struct bio_table_entry *e;
	uint32_t i;

	buf_put_u64(&out, BIO_TABLE_MAGIC);
	buf_put_u32(&out, BIO_TABLE_VERSION);
	buf_put_u32(&out, t->nr_entries);
	buf_put_u64(&out, t->gen);
	for (i = 0; i < t->nr_entries; i++) {
		e = &t->entries[i];
		buf_put_bytes_raw(&out, e->id.pool, sizeof(uuid_t));
		buf_put_u32(&out, e->id.target);
		buf_put_u32(&out, e->id.role);
		buf_put_u64(&out, e->off);
		buf_put_u64(&out, e->size);
	}
	if (out.err == 0)
		buf_put_u32(&out, table_crc(data, out.off));
	return out.err;
}

void
bio_table_fini(struct bio_table *t)
{
	d_free(t->entries);
	memset(t, 0, sizeof(*t));
}

/* --- reading and writing copies --- */

static uint64_t
copy_offset(unsigned int slot)
{
	return (uint64_t)slot * BIO_TABLE_COPY_SIZE;
}

/* Read and decode both copies. rc[i] is the result for copy i; why[i] explains it. */
static int
table_read_copies(struct bio_dev *dev, struct bio_table copies[2], int rc[2], const char *why[2])
{
	void *buf;
	unsigned int slot;
	int ret = 0;

	buf = bio_buf_alloc(BIO_TABLE_COPY_SIZE);
	if (buf == NULL)
		return -DER_NOMEM;
	for (slot = 0; slot < 2; slot++) {
		ret = bio_dev_pread(dev, copy_offset(slot), buf, BIO_TABLE_COPY_SIZE);
		if (ret != 0)
			break;
		rc[slot] = table_decode(buf, BIO_TABLE_COPY_SIZE, &copies[slot], &why[slot]);
		if (rc[slot] == -DER_NOMEM) {
			ret = -DER_NOMEM;
			break;
		}
	}
	if (ret != 0) {
		for (slot = 0; slot < 2; slot++)
			if (rc[slot] == 0)
				bio_table_fini(&copies[slot]);
	}
	bio_buf_free(buf);
	return ret;
}

/* Write @t as copy @slot and make it durable. */
static int
table_write_copy(struct bio_dev *dev, const struct bio_table *t, unsigned int slot)
{
	size_t len = D_ALIGNUP(bio_table_encoded_len(t), (size_t)BIO_BLOCK_SIZE);
	void *buf;
	int rc;

	D_ASSERT(len <= BIO_TABLE_COPY_SIZE);
	buf = bio_buf_alloc(len);
	if (buf == NULL)
		return -DER_NOMEM;
	memset(buf, 0, len);
	rc = bio_table_encode(t, buf, len);
	D_ASSERT(rc == 0);
	rc = bio_dev_pwrite(dev, copy_offset(slot), buf, len);
	if (rc == 0)
		rc = bio_dev_sync(dev);
	bio_buf_free(buf);
	return rc;
}

/*
 * Make the in-memory table (already changed) the device's current table: write it with
 * the next generation over the older copy. On failure the generation is left as it was
 * and the caller undoes its change.
 */
static int
table_commit(struct bio_dev *dev)
{
	unsigned int slot = 1 - dev->slot;
	int rc;

	dev->table.gen++;
	rc = table_write_copy(dev, &dev->table, slot);
	if (rc != 0) {
		dev->table.gen--;
		D_ERROR("could not update the blob table of %s: " DF_RC, dev->path, DP_RC(rc));
		return rc;
	}
	dev->slot = slot;
	return 0;
}

/* The end of the space blobs may use: the device size rounded down to BIO_BLOB_ALIGN. */
static uint64_t
dev_space_end(const struct bio_dev *dev)
{
	return dev->size / BIO_BLOB_ALIGN * BIO_BLOB_ALIGN;
}

static int
dev_format_locked(struct bio_dev *dev)
{
	struct bio_table copies[2] = { 0 };
	struct bio_table empty = { 0 };
	const char *why[2];
	int rc[2] = { -DER_DF_INVAL, -DER_DF_INVAL };
	uint64_t gen = 0;
	unsigned int first;
	unsigned int slot;
	int ret;

	if (!d_list_empty(&dev->blobs))
		return -DER_BUSY;
	if (dev->size < BIO_BLOB_ALIGN) {
		D_ERROR("%s is too small for a blob table: " DF_U64 " bytes", dev->path, dev->size);
		return -DER_NOSPACE;
	}

	/* New generations above the old ones, so a crash leaves the old table or none. */
	ret = table_read_copies(dev, copies, rc, why);
	if (ret != 0)
		return ret;
	first = 0;
	for (slot = 0; slot < 2; slot++) {
		if (rc[slot] != 0)
			continue;
		if (copies[slot].gen >= gen) {
			gen = copies[slot].gen;
			first = 1 - slot;
		}
		bio_table_fini(&copies[slot]);
	}
	if (gen > UINT64_MAX - 2) {
		D_ERROR("blob table generation of %s is exhausted", dev->path);
		return -DER_DF_INVAL;
	}

	for (slot = 0; slot < 2; slot++) {
		empty.gen = gen + 1 + slot;
		ret = table_write_copy(dev, &empty, slot == 0 ? first : 1 - first);
		if (ret != 0) {
			D_ERROR("could not format %s: " DF_RC, dev->path, DP_RC(ret));
			dev->loaded = false;
			return ret;
		}
	}
	bio_table_fini(&dev->table);
	dev->table.gen = gen + 2;
	dev->slot = 1 - first;
	dev->loaded = true;
	return 0;
}

static int
dev_load_locked(struct bio_dev *dev)
{
	struct bio_table copies[2] = { 0 };
	const char *why[2] = { "not been read", "not been read" };
	int rc[2] = { -DER_DF_INVAL, -DER_DF_INVAL };
	uint64_t end = dev_space_end(dev);
	unsigned int slot;
	unsigned int best;
	struct bio_table_entry *last;
	int ret;

	if (!d_list_empty(&dev->blobs))
		return -DER_BUSY;
	if (dev->size < BIO_BLOB_ALIGN) {
		D_ERROR("%s is too small to hold a blob table: " DF_U64 " bytes", dev->path,
			dev->size);
		return -DER_DF_INVAL;
	}
	ret = table_read_copies(dev, copies, rc, why);
	if (ret != 0)
		return ret;

	for (slot = 0; slot < 2; slot++) {
		if (rc[slot] != 0 || copies[slot].nr_entries == 0)
			continue;
		/* A device that shrank (a truncated file, another disk) loses its tail. */
		last = &copies[slot].entries[copies[slot].nr_entries - 1];
		if (last->off + last->size > end) {
			why[slot] = "a blob beyond the end of the device";
			rc[slot] = -DER_DF_INVAL;
			bio_table_fini(&copies[slot]);
		}
	}

	if (rc[0] == -DER_DF_INCOMPT || rc[1] == -DER_DF_INCOMPT) {
		D_ERROR("the blob table of %s has a newer format version than %u", dev->path,
			BIO_TABLE_VERSION);
		ret = -DER_DF_INCOMPT;
		goto out_fini;
	}
	if (rc[0] != 0 && rc[1] != 0) {
		D_ERROR("no valid blob table on %s: copy 0 has %s; copy 1 has %s", dev->path,
			why[0], why[1]);
		ret = -DER_DF_INVAL;
		goto out_fini;
	}
	if (rc[0] != 0 || rc[1] != 0) {
		best = rc[0] == 0 ? 0 : 1;
		D_WARN("copy %u of the blob table of %s has %s: using copy %u, generation " DF_U64,
		       1 - best, dev->path, why[1 - best], best, copies[best].gen);
	} else {
		best = copies[1].gen > copies[0].gen ? 1 : 0;
	}

	bio_table_fini(&dev->table);
	dev->table = copies[best];
	memset(&copies[best], 0, sizeof(copies[best]));
	rc[best] = -DER_DF_INVAL;
	dev->slot = best;
	dev->loaded = true;
	D_DEBUG(DB_IO, "loaded the blob table of %s: generation " DF_U64 ", %u blobs", dev->path,
		dev->table.gen, dev->table.nr_entries);
	ret = 0;

out_fini:
	for (slot = 0; slot < 2; slot++)
		if (rc[slot] == 0)
			bio_table_fini(&copies[slot]);
	return ret;
}

/* --- blobs --- */

/* The index of @id in the table, or -1. */
static int
table_find(const struct bio_dev *dev, const struct bio_blob_id *id)
{
	uint32_t i;

	for (i = 0; i < dev->table.nr_entries; i++)
		if (id_cmp(&dev->table.entries[i].id, id) == 0)
			return (int)i;
	return -1;
}

static bool
blob_is_open(const struct bio_dev *dev, const struct bio_blob_id *id)
{
	struct bio_blob *blob;

	d_list_for_each_entry(blob, &dev->blobs, link)
		if (id_cmp(&blob->id, id) == 0)
			return true;
	return false;
}

static void
table_insert(struct bio_table *t, uint32_t idx, const struct bio_table_entry *e)
{
	D_ASSERT(t->nr_entries < t->cap && idx <= t->nr_entries);
	memmove(&t->entries[idx + 1], &t->entries[idx],
		(t->nr_entries - idx) * sizeof(t->entries[0]));
	t->entries[idx] = *e;
	t->nr_entries++;
}

static void
table_remove(struct bio_table *t, uint32_t idx)
{
	D_ASSERT(idx < t->nr_entries);
	memmove(&t->entries[idx], &t->entries[idx + 1],
		(t->nr_entries - idx - 1) * sizeof(t->entries[0]));
	t->nr_entries--;
}

/* Room for one more entry in memory. */
static int
table_reserve(struct bio_table *t)
{
	struct bio_table_entry *grown;
	uint32_t cap;

	if (t->nr_entries < t->cap)
		return 0;
	cap = t->cap < 16 ? 16 : t->cap * 2;
	if (cap > BIO_TABLE_MAX_BLOBS)
		cap = BIO_TABLE_MAX_BLOBS;
	grown = d_reallocarray(t->entries, cap, sizeof(*grown));
	if (grown == NULL)
		return -DER_NOMEM;
	t->entries = grown;
	t->cap = cap;
	return 0;
}

/* First fit: the index to insert at and the offset of the lowest gap of @size bytes. */
static bool
table_first_fit(const struct bio_dev *dev, uint64_t size, uint32_t *idx, uint64_t *off)
{
	const struct bio_table *t = &dev->table;
	uint64_t prev_end = BIO_BLOB_ALIGN;
	uint64_t end = dev_space_end(dev);
	uint32_t i;

	for (i = 0; i < t->nr_entries; i++) {
		if (t->entries[i].off - prev_end >= size)
			break;
		prev_end = t->entries[i].off + t->entries[i].size;
	}
	if (i == t->nr_entries && (prev_end > end || end - prev_end < size))
		return false;
	*idx = i;
	*off = prev_end;
	return true;
}

static int
dev_check_loaded(const struct bio_dev *dev)
{
	if (dev->loaded)
		return 0;
	D_ERROR("the blob table of %s is not loaded (format or load the device first)", dev->path);
	return -DER_UNINIT;
}

static int
blob_create_locked(struct bio_dev *dev, const struct bio_blob_id *id, uint64_t size, uint64_t *off,
		   uint64_t *len)
{
	struct bio_table_entry e;
	uint32_t idx;
	int rc;

	rc = dev_check_loaded(dev);
	if (rc != 0)
		return rc;
	if (size == 0 || !role_is_valid(id->role))
		return -DER_INVAL;
	if (size > UINT64_MAX - BIO_BLOB_ALIGN)
		return -DER_NOSPACE;
	size = D_ALIGNUP(size, (uint64_t)BIO_BLOB_ALIGN);
	if (table_find(dev, id) >= 0)
		return -DER_EXIST;
	if (dev->table.nr_entries >= BIO_TABLE_MAX_BLOBS) {
		D_ERROR("the blob table of %s is full: %u blobs", dev->path, dev->table.nr_entries);
		return -DER_NOSPACE;
	}
	e.id = *id;
	e.size = size;
	if (!table_first_fit(dev, size, &idx, &e.off)) {
		D_DEBUG(DB_IO, "no free extent of " DF_U64 " bytes on %s", size, dev->path);
		return -DER_NOSPACE;
	}
	rc = table_reserve(&dev->table);
	if (rc != 0)
		return rc;

	table_insert(&dev->table, idx, &e);
	rc = table_commit(dev);
	if (rc != 0) {
		table_remove(&dev->table, idx);
		return rc;
	}
	D_DEBUG(DB_IO, "created a blob of " DF_U64 " bytes at " DF_U64 " of %s", size, e.off,
		dev->path);
	*off = e.off;
	*len = size;
	return 0;
}

static int
blob_destroy_locked(struct bio_dev *dev, const struct bio_blob_id *id)
{
	struct bio_table_entry e;
	int idx;
	int rc;

	rc = dev_check_loaded(dev);
	if (rc != 0)
		return rc;
	idx = table_find(dev, id);
	if (idx < 0)
		return -DER_NONEXIST;
	if (blob_is_open(dev, id))
		return -DER_BUSY;

	e = dev->table.entries[idx];
	table_remove(&dev->table, (uint32_t)idx);
	rc = table_commit(dev);
	if (rc != 0)
		table_insert(&dev->table, (uint32_t)idx, &e);
	return rc;
}

static int
blob_open_locked(struct bio_dev *dev, const struct bio_blob_id *id, struct bio_blob **out)
{
	struct bio_blob *blob;
	int idx;
	int rc;

	rc = dev_check_loaded(dev);
	if (rc != 0)
		return rc;
	idx = table_find(dev, id);
	if (idx < 0)
		return -DER_NONEXIST;
	blob = d_calloc(1, sizeof(*blob));
	if (blob == NULL)
		return -DER_NOMEM;
	blob->dev = dev;
	blob->id = *id;
	blob->off = dev->table.entries[idx].off;
	blob->size = dev->table.entries[idx].size;
	d_list_add_tail(&blob->link, &dev->blobs);
	*out = blob;
	return 0;
}

void
bio_blob_close(struct bio_blob *blob)
{
	struct bio_dev *dev;

	if (blob == NULL)
		return;
	dev = blob->dev;
	pthread_mutex_lock(&dev->lock);
	d_list_unlink(&blob->link);
	pthread_mutex_unlock(&dev->lock);
	d_free(blob);
}

uint64_t
bio_blob_size(const struct bio_blob *blob)
{
	return blob->size;
}

static int
blob_iterate_locked(struct bio_dev *dev,
		    int (*fn)(const struct bio_blob_id *id, uint64_t size, void *arg), void *arg)
{
	uint32_t i;
	int rc;

	rc = dev_check_loaded(dev);
	if (rc != 0)
		return rc;
	for (i = 0; i < dev->table.nr_entries; i++) {
		rc = fn(&dev->table.entries[i].id, dev->table.entries[i].size, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static uint64_t
dev_free_locked(const struct bio_dev *dev)
{
	uint64_t end = dev_space_end(dev);
	uint64_t used = 0;
	uint32_t i;

	if (!dev->loaded || end < BIO_BLOB_ALIGN)
		return 0;
	for (i = 0; i < dev->table.nr_entries; i++)
		used += dev->table.entries[i].size;
	return end - BIO_BLOB_ALIGN - used;
}

/* --- the public table calls: one at a time per device (dev->lock) --- */

int
bio_dev_format(struct bio_dev *dev)
{
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = dev_format_locked(dev);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

int
bio_dev_load(struct bio_dev *dev)
{
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = dev_load_locked(dev);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

int
bio_blob_create(struct bio_dev *dev, const struct bio_blob_id *id, uint64_t size)
{
	uint64_t off = 0;
	uint64_t len = 0;
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = blob_create_locked(dev, id, size, &off, &len);
	pthread_mutex_unlock(&dev->lock);
	if (rc != 0)
		return rc;
	/*
	 * Outside the lock (other targets create their blobs meanwhile): on memory, the
	 * blob's pages are allocated now (see bio_dev_mem_reserve). A WAL in a file is
	 * written with zeros once: the file was fallocated, so its extents are "unwritten",
	 * and until each is written over, every fdatasync of a batch also commits the file
	 * system's journal (ext4 here: 4.7k synced 4 KiB writes/s on unwritten extents,
	 * 7.1k on written ones).
	 */
	rc = bio_dev_mem_reserve(dev, off, len);
	if (rc == 0 && id->role == BIO_ROLE_WAL)
		rc = bio_dev_zero_fill(dev, off, len);
	if (rc != 0) {
		pthread_mutex_lock(&dev->lock);
		blob_destroy_locked(dev, id);
		pthread_mutex_unlock(&dev->lock);
	}
	return rc;
}

int
bio_blob_destroy(struct bio_dev *dev, const struct bio_blob_id *id)
{
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = blob_destroy_locked(dev, id);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

int
bio_blob_open(struct bio_dev *dev, const struct bio_blob_id *id, struct bio_blob **out)
{
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = blob_open_locked(dev, id, out);
	pthread_mutex_unlock(&dev->lock);
	if (rc == 0 && bio_dev_mem_reserve(dev, (*out)->off, (*out)->size) != 0)
		D_WARN("%s: the pages of a blob of " DF_U64 " bytes at " DF_U64
		       " could not all be allocated: writes there fail until space is freed",
		       dev->path, (*out)->size, (*out)->off);
	return rc;
}

int
bio_blob_iterate(struct bio_dev *dev,
		 int (*fn)(const struct bio_blob_id *id, uint64_t size, void *arg), void *arg)
{
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = blob_iterate_locked(dev, fn, arg);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

uint64_t
bio_dev_free(const struct bio_dev *dev)
{
	struct bio_dev *d = (struct bio_dev *)dev;
	uint64_t n;

	pthread_mutex_lock(&d->lock);
	n = dev_free_locked(dev);
	pthread_mutex_unlock(&d->lock);
	return n;
}
