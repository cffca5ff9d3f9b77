/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_hdl.c - the handle table: what a daos_handle_t names.
 *
 * A cookie is (sequence << 4) | type, DAOS's layout: the low four bits say what kind of
 * object it is (DAOS_HTYPE_*), so a pool handle passed where a container handle is
 * expected is refused (-DER_NO_HDL) without a lookup. Sequences only grow, so a stale
 * handle never names a newer object. Objects are refcounted: the table holds one
 * reference while the handle is open, each lookup takes one more, and the object is
 * freed at the last put, wherever that happens (a reply callback may hold the last).
 *
 * One mutex guards the table; it is held only for the bucket walk.
 */
#define D_LOGFAC DD_FAC(client)

#include "client/client_int.h"

#define HDL_BUCKETS 1024

static struct {
	pthread_mutex_t lock;
	d_list_t *buckets;
	uint64_t next; /* the next sequence */
	uint32_t count;
} tbl = { .lock = PTHREAD_MUTEX_INITIALIZER };

void
cl_hlink_init(struct cl_hlink *hl, int type, void (*free_fn)(struct cl_hlink *hl))
{
	D_INIT_LIST_HEAD(&hl->link);
	hl->cookie = 0;
	hl->ref = 1;
	hl->type = type;
	hl->free = free_fn;
}

int
cl_hdl_init(void)
{
	uint32_t i;

	pthread_mutex_lock(&tbl.lock);
	tbl.buckets = d_calloc(HDL_BUCKETS, sizeof(*tbl.buckets));
	if (tbl.buckets == NULL) {
		pthread_mutex_unlock(&tbl.lock);
		return -DER_NOMEM;
	}
	for (i = 0; i < HDL_BUCKETS; i++)
		D_INIT_LIST_HEAD(&tbl.buckets[i]);
	if (tbl.next == 0)
		tbl.next = 1;
	tbl.count = 0;
	pthread_mutex_unlock(&tbl.lock);
	return 0;
}

/* Handles left open at daos_fini() are forgotten (their memory stays with their users). */
void
cl_hdl_fini(void)
{
	uint32_t i;

	pthread_mutex_lock(&tbl.lock);
	for (i = 0; tbl.buckets != NULL && i < HDL_BUCKETS; i++) {
		while (!d_list_empty(&tbl.buckets[i])) {
			struct cl_hlink *hl =
				d_list_entry(tbl.buckets[i].next, struct cl_hlink, link);

			d_list_del_init(&hl->link);
			hl->cookie = 0;
		}
	}
	if (tbl.count > 0)
		D_WARN("%u handles still open at daos_fini", tbl.count);
	d_free(tbl.buckets);
	tbl.buckets = NULL;
	tbl.count = 0;
	pthread_mutex_unlock(&tbl.lock);
}

int
cl_hdl_insert(struct cl_hlink *hl, daos_handle_t *h)
{
	uint64_t seq;

	pthread_mutex_lock(&tbl.lock);
	if (tbl.buckets == NULL) {
		pthread_mutex_unlock(&tbl.lock);
		return -DER_UNINIT;
	}
	seq = tbl.next++;
	hl->cookie = (seq << 4) | (uint64_t)hl->type;
	__atomic_add_fetch(&hl->ref, 1, __ATOMIC_RELAXED);
	d_list_add(&hl->link, &tbl.buckets[seq % HDL_BUCKETS]);
	tbl.count++;
	h->cookie = hl->cookie;
	pthread_mutex_unlock(&tbl.lock);
	return 0;
}

struct cl_hlink *
cl_hdl_lookup(daos_handle_t h, int type)
{
	struct cl_hlink *hl;
	struct cl_hlink *found = NULL;

	if (h.cookie == 0 || (int)(h.cookie & 0xf) != type)
		return NULL;
	pthread_mutex_lock(&tbl.lock);
	if (tbl.buckets != NULL) {
		d_list_for_each_entry(hl, &tbl.buckets[(h.cookie >> 4) % HDL_BUCKETS], link) {
			if (hl->cookie == h.cookie) {
				__atomic_add_fetch(&hl->ref, 1, __ATOMIC_RELAXED);
				found = hl;
				break;
			}
		}
	}
	pthread_mutex_unlock(&tbl.lock);
	return found;
}

void
cl_hdl_remove(struct cl_hlink *hl)
{
	bool removed = false;

	pthread_mutex_lock(&tbl.lock);
	if (hl->cookie != 0) {
		d_list_del_init(&hl->link);
		hl->cookie = 0;
		tbl.count--;
		removed = true;
	}
	pthread_mutex_unlock(&tbl.lock);
	if (removed)
		cl_hlink_put(hl);
}

void
cl_hlink_get(struct cl_hlink *hl)
{
	__atomic_add_fetch(&hl->ref, 1, __ATOMIC_RELAXED);
}

void
cl_hlink_put(struct cl_hlink *hl)
{
	if (__atomic_sub_fetch(&hl->ref, 1, __ATOMIC_ACQ_REL) == 0)
		hl->free(hl);
}

uint32_t
cl_hdl_count(void)
{
	uint32_t n;

	pthread_mutex_lock(&tbl.lock);
	n = tbl.count;
	pthread_mutex_unlock(&tbl.lock);
	return n;
}
