/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_tx.c - transactions, as far as they go without distributed transactions.
 *
 * A transaction handle names a container and an epoch. daos_tx_open() gives epoch 0:
 * updates through it are applied at once, at the target's clock, as with DAOS_TX_NONE
 * (for objects of one redundancy group this is what DAOS's single-group transactions
 * amount to when nothing conflicts); commit then has nothing left to do. Abort cannot
 * undo what was applied: it says so (-DER_NOTSUPPORTED) if the transaction wrote
 * anything. daos_tx_open_snap() gives a read-only transaction reading at the
 * snapshot's epoch.
 */
#define D_LOGFAC DD_FAC(client)

#include "client/client_int.h"

struct cl_tx {
	struct cl_hlink hl;
	struct cl_cont *cont; /* reference */
	uint64_t epoch;       /* 0: now */
	uint64_t flags;       /* DAOS_TF_* */
	uint32_t nr_writes;   /* atomic */
};

static void
tx_free(struct cl_hlink *hl)
{
	struct cl_tx *tx = container_of(hl, struct cl_tx, hl);

	cl_cont_put(tx->cont);
	d_free(tx);
}

static struct cl_tx *
tx_lookup(daos_handle_t th)
{
	struct cl_hlink *hl = cl_hdl_lookup(th, DAOS_HTYPE_TX);

	return hl == NULL ? NULL : container_of(hl, struct cl_tx, hl);
}

int
cl_tx_epoch(daos_handle_t th, bool write, uint64_t *epoch, bool *rdonly)
{
	struct cl_tx *tx;

	*epoch = 0;
	*rdonly = false;
	if (daos_handle_is_inval(th))
		return 0;
	tx = tx_lookup(th);
	if (tx == NULL)
		return -DER_NO_HDL;
	*epoch = tx->epoch;
	*rdonly = (tx->flags & DAOS_TF_RDONLY) != 0;
	if (write)
		__atomic_add_fetch(&tx->nr_writes, 1, __ATOMIC_RELAXED);
	cl_hlink_put(&tx->hl);
	return 0;
}

static int
tx_open(daos_handle_t coh, uint64_t epoch, uint64_t flags, daos_handle_t *th, daos_event_t *ev)
{
	struct cl_cont *cont;
	struct cl_tx *tx;
	int rc;

	if (th == NULL)
		return -DER_INVAL;
	cont = cl_cont_lookup(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	tx = d_calloc(1, sizeof(*tx));
	if (tx == NULL) {
		cl_cont_put(cont);
		return -DER_NOMEM;
	}
	cl_hlink_init(&tx->hl, DAOS_HTYPE_TX, tx_free);
	tx->cont = cont;
	tx->epoch = epoch;
	tx->flags = flags;
	rc = cl_hdl_insert(&tx->hl, th);
	cl_hlink_put(&tx->hl);
	return rc != 0 ? rc : cl_op_local(ev, 0);
}

D_EXPORT int
daos_tx_open(daos_handle_t coh, daos_handle_t *th, uint64_t flags, daos_event_t *ev)
{
	if (flags & ~(uint64_t)(DAOS_TF_RDONLY | DAOS_TF_ZERO_COPY))
		return -DER_INVAL;
	return tx_open(coh, 0, flags, th, ev);
}

D_EXPORT int
daos_tx_open_snap(daos_handle_t coh, daos_epoch_t epoch, daos_handle_t *th, daos_event_t *ev)
{
	if (epoch == 0 || epoch == DAOS_EPOCH_MAX)
		return -DER_INVAL;
	return tx_open(coh, epoch, DAOS_TF_RDONLY, th, ev);
}

D_EXPORT int
daos_tx_commit(daos_handle_t th, daos_event_t *ev)
{
	struct cl_tx *tx = tx_lookup(th);

	if (tx == NULL)
		return -DER_NO_HDL;
	cl_hlink_put(&tx->hl);
	return cl_op_local(ev, 0);
}

D_EXPORT int
daos_tx_abort(daos_handle_t th, daos_event_t *ev)
{
	struct cl_tx *tx = tx_lookup(th);
	int rc = 0;

	if (tx == NULL)
		return -DER_NO_HDL;
	if (!(tx->flags & DAOS_TF_RDONLY) && __atomic_load_n(&tx->nr_writes, __ATOMIC_RELAXED)) {
		D_ERROR("transaction abort after updates: updates are applied at once, not undone");
		rc = -DER_NOTSUPPORTED;
	}
	cl_hlink_put(&tx->hl);
	return cl_op_local(ev, rc);
}

D_EXPORT int
daos_tx_close(daos_handle_t th, daos_event_t *ev)
{
	struct cl_tx *tx = tx_lookup(th);

	if (tx == NULL)
		return -DER_NO_HDL;
	cl_hdl_remove(&tx->hl);
	cl_hlink_put(&tx->hl);
	return cl_op_local(ev, 0);
}

D_EXPORT int
daos_tx_restart(daos_handle_t th, daos_event_t *ev)
{
	struct cl_tx *tx = tx_lookup(th);

	if (tx == NULL)
		return -DER_NO_HDL;
	__atomic_store_n(&tx->nr_writes, 0, __ATOMIC_RELAXED);
	cl_hlink_put(&tx->hl);
	return cl_op_local(ev, 0);
}

D_EXPORT int
daos_tx_hdl2epoch(daos_handle_t th, daos_epoch_t *epoch)
{
	struct cl_tx *tx;
	int rc = 0;

	if (epoch == NULL)
		return -DER_INVAL;
	tx = tx_lookup(th);
	if (tx == NULL)
		return -DER_NO_HDL;
	if (tx->epoch == 0)
		rc = -DER_UNINIT;
	else
		*epoch = tx->epoch;
	cl_hlink_put(&tx->hl);
	return rc;
}
