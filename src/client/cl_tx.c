/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_tx.c - transactions (daos_tx_*), for what one client can give without distributed
 * transactions on the engines.
 *
 * A transaction handle names a container and an epoch. daos_tx_open() gives a
 * transaction whose updates and punches are kept here (cl_tx_rec: the arguments copied,
 * data too unless DAOS_TF_ZERO_COPY) and sent only at daos_tx_commit(), one after the
 * other in call order. So nobody sees them before the commit, an abort (or a close
 * without commit, or a restart) drops them, and reads through the transaction read
 * the latest committed state, as DAOS's do (a transaction does not read its own
 * writes). What this does not give, and DAOS's DTX does: a commit that fails part way
 * (an engine down, a condition not met) leaves the writes before the failing one
 * applied, and readers may see a commit half done while it runs; conflicting
 * transactions are not detected (no -DER_TX_RESTART). daos_tx_open_snap() gives a
 * read-only transaction reading at the snapshot's epoch.
 */
#define D_LOGFAC DD_FAC(client)

#include "client/client_int.h"

struct cl_tx {
	struct cl_hlink hl;
	struct cl_cont *cont; /* reference */
	uint64_t epoch;       /* 0: now */
	uint64_t flags;       /* DAOS_TF_* */
	pthread_mutex_t lock; /* recs, committed */
	d_list_t recs;        /* struct cl_tx_rec, in call order */
	bool committed;
};

static void
tx_drop(struct cl_tx *tx)
{
	struct cl_tx_rec *r, *tmp;

	pthread_mutex_lock(&tx->lock);
	d_list_for_each_entry_safe(r, tmp, &tx->recs, link) {
		d_list_del(&r->link);
		cl_tx_rec_free(r);
	}
	pthread_mutex_unlock(&tx->lock);
}

static void
tx_free(struct cl_hlink *hl)
{
	struct cl_tx *tx = container_of(hl, struct cl_tx, hl);

	tx_drop(tx);
	pthread_mutex_destroy(&tx->lock);
	cl_cont_put(tx->cont);
	d_free(tx);
}

static struct cl_tx *
tx_lookup(daos_handle_t th)
{
	struct cl_hlink *hl = cl_hdl_lookup(th, DAOS_HTYPE_TX);

	return hl == NULL ? NULL : container_of(hl, struct cl_tx, hl);
}

void
cl_tx_put(struct cl_tx *tx)
{
	cl_hlink_put(&tx->hl);
}

bool
cl_tx_zero_copy(const struct cl_tx *tx)
{
	return (tx->flags & DAOS_TF_ZERO_COPY) != 0;
}

int
cl_tx_epoch(daos_handle_t th, bool write, uint64_t *epoch, bool *rdonly, struct cl_tx **rec)
{
	struct cl_tx *tx;

	*epoch = 0;
	*rdonly = false;
	if (rec != NULL)
		*rec = NULL;
	if (daos_handle_is_inval(th))
		return 0;
	tx = tx_lookup(th);
	if (tx == NULL)
		return -DER_NO_HDL;
	*epoch = tx->epoch;
	*rdonly = (tx->flags & DAOS_TF_RDONLY) != 0;
	if (write && rec != NULL && !*rdonly && tx->epoch == 0) {
		*rec = tx; /* the caller's reference now */
		return 0;
	}
	cl_hlink_put(&tx->hl);
	return 0;
}

int
cl_tx_add(struct cl_tx *tx, struct cl_tx_rec *r)
{
	int rc = 0;

	pthread_mutex_lock(&tx->lock);
	if (tx->committed) {
		D_ERROR("write through a transaction already committed");
		rc = -DER_NO_PERM;
	} else {
		d_list_add_tail(&r->link, &tx->recs);
	}
	pthread_mutex_unlock(&tx->lock);
	return rc;
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
	pthread_mutex_init(&tx->lock, NULL);
	D_INIT_LIST_HEAD(&tx->recs);
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

/* A commit: the kept writes, sent one after the other (each may depend on the last). */
struct commit_op {
	struct cl_op op;
	struct cl_tx *tx; /* reference */
	d_list_t recs;    /* taken from the transaction */
	struct cl_tx_rec *next;
};

static int
commit_start(struct cl_op *op)
{
	(void)op;
	return 0; /* done() sends the first */
}

static void
commit_reply(struct cl_op *op, uint32_t idx, int status, const void *body, size_t len)
{
	(void)idx;
	(void)body;
	(void)len;
	if (status != 0 && op->rc == 0)
		op->rc = status;
}

static int
commit_done(struct cl_op *op)
{
	struct commit_op *c = container_of(op, struct commit_op, op);
	struct cl_tx_rec *r;
	struct cl_op *child;
	int rc;

	if (op->rc != 0 || d_list_empty(&c->recs))
		return op->rc;
	r = d_list_entry(c->recs.next, struct cl_tx_rec, link);
	d_list_del(&r->link);
	c->next = r; /* freed once its operation is over */
	rc = cl_tx_rec_op(r, &child);
	if (rc != 0)
		return rc;
	cl_op_sub(op, child, 0);
	return 1;
}

static void
commit_fini(struct cl_op *op)
{
	struct commit_op *c = container_of(op, struct commit_op, op);
	struct cl_tx_rec *r, *tmp;

	d_list_for_each_entry_safe(r, tmp, &c->recs, link) {
		d_list_del(&r->link);
		cl_tx_rec_free(r);
	}
	cl_tx_rec_free(c->next);
	cl_hlink_put(&c->tx->hl);
	d_free(c);
}

static const struct cl_op_ops commit_ops = {
	.start = commit_start,
	.reply = commit_reply,
	.done = commit_done,
	.fini = commit_fini,
};

D_EXPORT int
daos_tx_commit(daos_handle_t th, daos_event_t *ev)
{
	struct cl_tx *tx = tx_lookup(th);
	struct commit_op *c;

	if (tx == NULL)
		return -DER_NO_HDL;
	c = d_calloc(1, sizeof(*c));
	if (c == NULL) {
		cl_hlink_put(&tx->hl);
		return -DER_NOMEM;
	}
	c->tx = tx;
	D_INIT_LIST_HEAD(&c->recs);
	pthread_mutex_lock(&tx->lock);
	if (tx->committed) {
		pthread_mutex_unlock(&tx->lock);
		commit_fini(&c->op);
		return -DER_ALREADY;
	}
	tx->committed = true;
	d_list_splice_init(&tx->recs, &c->recs);
	pthread_mutex_unlock(&tx->lock);
	return cl_op_run(&c->op, &commit_ops, ev);
}

D_EXPORT int
daos_tx_abort(daos_handle_t th, daos_event_t *ev)
{
	struct cl_tx *tx = tx_lookup(th);
	int rc = 0;

	if (tx == NULL)
		return -DER_NO_HDL;
	pthread_mutex_lock(&tx->lock);
	if (tx->committed)
		rc = -DER_NO_PERM; /* too late */
	pthread_mutex_unlock(&tx->lock);
	if (rc == 0)
		tx_drop(tx);
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
	tx_drop(tx);
	pthread_mutex_lock(&tx->lock);
	tx->committed = false;
	pthread_mutex_unlock(&tx->lock);
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
