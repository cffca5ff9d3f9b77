/* SPDX-License-Identifier: Apache-2.0 */
/* vos_test.h - helpers shared by the VOS tests: pools on temporary devices, short I/O calls. */
#ifndef VOS_TEST_H
#define VOS_TEST_H

#include <stdio.h>
#include <unistd.h>

#include "common/test.h"
#include "vos/vos.h"

/* A pool on one device file under a temporary directory (or volatile when !durable). */
struct tpool {
	char *dir;
	char path[512];
	struct bio_dev *dev;
	struct bio_ioq *ioq;
	struct vos_pool_attr attr;
	struct vos_pool *pool;
	struct vos_cont *cont;
	uuid_t cuuid;
};

static inline void
tpool_attr(struct tpool *tp, uint64_t wal, uint64_t meta, uint64_t data)
{
	memset(&tp->attr, 0, sizeof(tp->attr));
	uuid_generate(tp->attr.uuid);
	tp->attr.target = 0;
	tp->attr.wal_dev = tp->dev;
	tp->attr.meta_dev = tp->dev;
	tp->attr.data_dev = data ? tp->dev : NULL;
	tp->attr.wal_size = wal;
	tp->attr.meta_size = meta;
	tp->attr.data_size = data;
	tp->attr.ioq = tp->ioq;
}

/* Open the pool and its container (creating both when @create). */
static inline void
tpool_open(struct tpool *tp, bool create)
{
	assert_int_equal(vos_pool_open(&tp->attr, &tp->pool), 0);
	if (create)
		assert_int_equal(vos_cont_create_sync(tp->pool, tp->cuuid), 0);
	assert_int_equal(vos_cont_open(tp->pool, tp->cuuid, &tp->cont), 0);
}

static inline void
tpool_close(struct tpool *tp)
{
	vos_cont_close(tp->cont);
	assert_int_equal(vos_pool_close(tp->pool), 0);
	tp->pool = NULL;
	tp->cont = NULL;
}

/* A durable pool on a fresh device file of @dev_size bytes. */
static inline void
tpool_setup(struct tpool *tp, uint64_t dev_size, uint64_t wal, uint64_t meta, uint64_t data)
{
	memset(tp, 0, sizeof(*tp));
	tp->dir = test_tmpdir("vos");
	assert_non_null(tp->dir);
	snprintf(tp->path, sizeof(tp->path), "%s/bdev", tp->dir);
	assert_int_equal(bio_ioq_create(64, &tp->ioq), 0);
	if (dev_size > 0) {
		assert_int_equal(bio_dev_open(tp->path, dev_size, BIO_DEV_CREATE, &tp->dev), 0);
		assert_int_equal(bio_dev_format(tp->dev), 0);
	}
	tpool_attr(tp, wal, meta, data);
	uuid_generate(tp->cuuid);
	assert_int_equal(vos_pool_create(&tp->attr), 0);
	tpool_open(tp, true);
}

static inline void
tpool_teardown(struct tpool *tp)
{
	if (tp->pool != NULL)
		tpool_close(tp);
	if (tp->dev != NULL)
		bio_dev_close(tp->dev);
	bio_ioq_destroy(tp->ioq);
	unlink(tp->path);
	rmdir(tp->dir);
	d_free(tp->dir);
}

static inline struct vos_oid
toid(uint64_t lo, unsigned int type)
{
	struct vos_oid oid = { .lo = lo, .hi = (uint64_t)type << 56, .shard = 0 };

	return oid;
}

/* Update one single value. */
static inline int
t_put(struct vos_cont *cont, struct vos_oid oid, uint64_t epoch, uint64_t flags, const char *dkey,
      const char *akey, const void *val, size_t len)
{
	d_iov_t dk;
	d_iov_t v;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
	struct vos_iod iod = { .type = VOS_IOD_SINGLE, .size = len, .flags = flags };

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.name, (void *)akey, strlen(akey));
	d_iov_set(&v, (void *)val, len);
	return vos_obj_update_sync(cont, &oid, epoch, flags, &dk, 1, &iod, &sgl);
}

/* Fetch one single value into @buf (@len room); *@got is its size (0: none). */
static inline int
t_get(struct vos_cont *cont, struct vos_oid oid, uint64_t epoch, uint64_t flags, const char *dkey,
      const char *akey, void *buf, size_t len, uint64_t *got)
{
	d_iov_t dk;
	d_iov_t v;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
	struct vos_iod iod = { .type = VOS_IOD_SINGLE, .size = 0, .flags = flags };
	int rc;

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.name, (void *)akey, strlen(akey));
	d_iov_set(&v, buf, len);
	rc = vos_obj_fetch_sync(cont, &oid, epoch, flags, &dk, 1, &iod, &sgl, NULL);
	*got = iod.size;
	return rc;
}

/* Write records [idx, idx + nr) of size @rsize of array akey @akey. */
static inline int
t_write(struct vos_cont *cont, struct vos_oid oid, uint64_t epoch, const void *dkey,
	size_t dkey_len, const char *akey, uint64_t idx, uint64_t nr, uint64_t rsize,
	const void *data)
{
	d_iov_t dk;
	d_iov_t v;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
	struct vos_recx rx = { idx, nr };
	struct vos_iod iod = { .type = VOS_IOD_ARRAY, .size = rsize, .nr = 1, .recxs = &rx };

	d_iov_set(&dk, (void *)dkey, dkey_len);
	d_iov_set(&iod.name, (void *)akey, strlen(akey));
	d_iov_set(&v, (void *)data, nr * rsize);
	return vos_obj_update_sync(cont, &oid, epoch, 0, &dk, 1, &iod, &sgl);
}

/* Read records [idx, idx + nr) into @buf; holes are left as they were. */
static inline int
t_read(struct vos_cont *cont, struct vos_oid oid, uint64_t epoch, const void *dkey, size_t dkey_len,
       const char *akey, uint64_t idx, uint64_t nr, uint64_t rsize, void *buf, struct vos_iom *iom)
{
	d_iov_t dk;
	d_iov_t v;
	d_sg_list_t sgl = { .sg_nr = 1, .sg_iovs = &v };
	struct vos_recx rx = { idx, nr };
	struct vos_iod iod = { .type = VOS_IOD_ARRAY, .size = rsize, .nr = 1, .recxs = &rx };

	d_iov_set(&dk, (void *)dkey, dkey_len);
	d_iov_set(&iod.name, (void *)akey, strlen(akey));
	d_iov_set(&v, buf, nr * rsize);
	return vos_obj_fetch_sync(cont, &oid, epoch, 0, &dk, 1, &iod, &sgl, iom);
}

#endif /* VOS_TEST_H */
