/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfuse_itable.c - the inode table: every object the kernel holds a lookup on, found by
 * FUSE node id (requests) or by DAOS object id (lookups, renames), in two chained hash
 * tables under one mutex.
 *
 * References: each lookup reply the kernel receives counts one (FUSE's nlookup, undone by
 * forget), and each operation in progress holds one for its duration, so an inode is
 * freed only when the kernel has forgotten it and nobody is using it. One object id of
 * one container (the key is the pair: a pool or system mount serves several containers)
 * maps to one inode whatever path led to it, which is what lets a rename made elsewhere be
 * picked up: the next lookup refreshes the inode's parent and name (dfuse_ops.c).
 *
 * The table knows nothing of DFS: the object is a void pointer the release callback frees
 * with the inode it belongs to, so tests/dfuse_itable_tests.c runs without libdfs.
 */
#define D_LOGFAC DD_FAC(dfuse)

#include "dfuse/dfuse_int.h"

static size_t
oid_bucket(const struct dfuse_itable *t, const void *ns, daos_obj_id_t oid)
{
	uint64_t h = oid.hi * 0x9E3779B97F4A7C15ULL ^ oid.lo * 0xC2B2AE3D27D4EB4FULL ^
		     (uint64_t)(uintptr_t)ns * 0x165667B19E3779F9ULL;

	h ^= h >> 29;
	return (size_t)(h & (t->nr_buckets - 1));
}

static size_t
ino_bucket(const struct dfuse_itable *t, uint64_t ino)
{
	uint64_t h = ino * 0x9E3779B97F4A7C15ULL;

	return (size_t)((h >> 17) & (t->nr_buckets - 1));
}

int
dfuse_itable_init(struct dfuse_itable *t, size_t nr_buckets,
		  void (*release)(struct dfuse_inode *ie))
{
	size_t n = 1, i;

	while (n < nr_buckets)
		n <<= 1;
	memset(t, 0, sizeof(*t));
	t->by_oid = d_calloc(n, sizeof(*t->by_oid));
	t->by_ino = d_calloc(n, sizeof(*t->by_ino));
	if (t->by_oid == NULL || t->by_ino == NULL) {
		d_free(t->by_oid);
		d_free(t->by_ino);
		return -DER_NOMEM;
	}
	for (i = 0; i < n; i++) {
		D_INIT_LIST_HEAD(&t->by_oid[i]);
		D_INIT_LIST_HEAD(&t->by_ino[i]);
	}
	t->nr_buckets = n;
	t->next_ino = 2; /* 1 is the root (FUSE_ROOT_ID) */
	t->release = release;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

static void
inode_free(struct dfuse_itable *t, struct dfuse_inode *ie)
{
	if (t->release != NULL)
		t->release(ie);
	pthread_mutex_destroy(&ie->lock);
	d_free(ie);
}

void
dfuse_itable_fini(struct dfuse_itable *t)
{
	size_t i;

	for (i = 0; i < t->nr_buckets; i++) {
		struct dfuse_inode *ie, *tmp;

		d_list_for_each_entry_safe(ie, tmp, &t->by_ino[i], ino_link) {
			d_list_del(&ie->ino_link);
			d_list_del(&ie->oid_link);
			inode_free(t, ie);
		}
	}
	d_free(t->by_oid);
	d_free(t->by_ino);
	pthread_mutex_destroy(&t->lock);
	memset(t, 0, sizeof(*t));
}

static struct dfuse_inode *
find_oid_locked(struct dfuse_itable *t, const void *ns, daos_obj_id_t oid)
{
	struct dfuse_inode *ie;

	d_list_for_each_entry(ie, &t->by_oid[oid_bucket(t, ns, oid)], oid_link) {
		if (ie->ns == ns && ie->oid.hi == oid.hi && ie->oid.lo == oid.lo)
			return ie;
	}
	return NULL;
}

static struct dfuse_inode *
find_ino_locked(struct dfuse_itable *t, uint64_t ino)
{
	struct dfuse_inode *ie;

	d_list_for_each_entry(ie, &t->by_ino[ino_bucket(t, ino)], ino_link) {
		if (ie->ino == ino)
			return ie;
	}
	return NULL;
}

int
dfuse_itable_add(struct dfuse_itable *t, void *ns, daos_obj_id_t oid, void *obj, mode_t mode,
		 bool root, struct dfuse_inode **out, bool *existed)
{
	struct dfuse_inode *ie, *fresh;

	/* Allocate outside the lock; most lookups of a busy tree find the inode anyway. */
	fresh = d_calloc(1, sizeof(*fresh));
	if (fresh == NULL)
		return -DER_NOMEM;
	pthread_mutex_lock(&t->lock);
	ie = find_oid_locked(t, ns, oid);
	if (ie != NULL) {
		ie->ref++;
		pthread_mutex_unlock(&t->lock);
		d_free(fresh);
		*out = ie;
		*existed = true;
		return 0;
	}
	ie = fresh;
	ie->ns = ns;
	ie->oid = oid;
	ie->mode = mode;
	ie->obj = obj;
	ie->ref = 1;
	ie->ino = root ? 1 : t->next_ino++;
	pthread_mutex_init(&ie->lock, NULL);
	d_list_add(&ie->oid_link, &t->by_oid[oid_bucket(t, ns, oid)]);
	d_list_add(&ie->ino_link, &t->by_ino[ino_bucket(t, ie->ino)]);
	t->nr_inodes++;
	pthread_mutex_unlock(&t->lock);
	*out = ie;
	*existed = false;
	return 0;
}

struct dfuse_inode *
dfuse_itable_get(struct dfuse_itable *t, uint64_t ino)
{
	struct dfuse_inode *ie;

	pthread_mutex_lock(&t->lock);
	ie = find_ino_locked(t, ino);
	if (ie != NULL)
		ie->ref++;
	pthread_mutex_unlock(&t->lock);
	return ie;
}

struct dfuse_inode *
dfuse_itable_find(struct dfuse_itable *t, const void *ns, daos_obj_id_t oid)
{
	struct dfuse_inode *ie;

	pthread_mutex_lock(&t->lock);
	ie = find_oid_locked(t, ns, oid);
	if (ie != NULL)
		ie->ref++;
	pthread_mutex_unlock(&t->lock);
	return ie;
}

/* Drop @n references of @ie (table locked); returns it if it must be freed, unlinked. */
static struct dfuse_inode *
drop_locked(struct dfuse_itable *t, struct dfuse_inode *ie, uint64_t n)
{
	/* A kernel that forgets more than it looked up is a bug there; do not underflow. */
	ie->ref = ie->ref > n ? ie->ref - n : 0;
	if (ie->ref != 0)
		return NULL;
	d_list_del(&ie->oid_link);
	d_list_del(&ie->ino_link);
	t->nr_inodes--;
	return ie;
}

void
dfuse_itable_forget(struct dfuse_itable *t, uint64_t ino, uint64_t n)
{
	struct dfuse_inode *ie, *dead = NULL;

	pthread_mutex_lock(&t->lock);
	ie = find_ino_locked(t, ino);
	if (ie != NULL)
		dead = drop_locked(t, ie, n);
	pthread_mutex_unlock(&t->lock);
	if (dead != NULL)
		inode_free(t, dead);
}

void
dfuse_itable_put(struct dfuse_itable *t, struct dfuse_inode *ie)
{
	struct dfuse_inode *dead;

	pthread_mutex_lock(&t->lock);
	dead = drop_locked(t, ie, 1);
	pthread_mutex_unlock(&t->lock);
	if (dead != NULL)
		inode_free(t, dead);
}

uint64_t
dfuse_itable_count(struct dfuse_itable *t)
{
	uint64_t n;

	pthread_mutex_lock(&t->lock);
	n = t->nr_inodes;
	pthread_mutex_unlock(&t->lock);
	return n;
}
