/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_handles.c - the pool handles each client connection has open, as libdaos tells
 * the agent (NotifyPoolConnect / NotifyPoolDisconnect on the dRPC connection it keeps
 * from daos_init to daos_fini).
 *
 * Why per connection: a process that dies (killed, crashed, exit without daos_fini)
 * cannot disconnect its handles, but the kernel closes its socket, and the dRPC server
 * tells us (drpc_server_set_close_hook). The connection is the one identity that ends
 * exactly when the process does; a pid may be reused, and a process may hold several
 * connections (each is tracked on its own).
 *
 * A client with handles is one struct agent_client on a list; its handles are an array
 * in arrival order. Clients are as many as processes using DAOS on the host and hold few
 * handles each, so lists and linear scans are enough; a connection may register at most
 * AGENT_CONN_HANDLES_MAX handles, so that a local user cannot grow the agent without
 * bound. Loop thread only; no locks.
 */
#define D_LOGFAC DD_FAC(control)

#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "control/agent/agent_int.h"

void
agent_handles_init(struct agent_handles *set)
{
	D_INIT_LIST_HEAD(&set->clients);
	set->nr_clients = 0;
}

void
agent_client_free(struct agent_client *client)
{
	if (client == NULL)
		return;
	d_free(client->hdls);
	d_free(client);
}

void
agent_handles_fini(struct agent_handles *set)
{
	struct agent_client *c;

	while ((c = d_list_pop_entry(&set->clients, struct agent_client, link)) != NULL)
		agent_client_free(c);
	set->nr_clients = 0;
}

static struct agent_client *
client_find(struct agent_handles *set, uint64_t conn_id)
{
	struct agent_client *c;

	d_list_for_each_entry(c, &set->clients, link)
		if (c->conn_id == conn_id)
			return c;
	return NULL;
}

static int
hdl_find(const struct agent_client *c, const uuid_t pool, const uuid_t hdl)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		if (uuid_compare(c->hdls[i].hdl, hdl) == 0 &&
		    uuid_compare(c->hdls[i].pool, pool) == 0)
			return (int)i;
	return -1;
}

int
agent_handles_add(struct agent_handles *set, uint64_t conn_id, pid_t pid, const uuid_t pool,
		  const uuid_t hdl)
{
	struct agent_client *c = client_find(set, conn_id);
	struct agent_handle *hdls;
	bool is_new = c == NULL;
	unsigned int cap;

	if (c != NULL && hdl_find(c, pool, hdl) >= 0)
		return 0; /* a repeated notification: registered once */
	if (c != NULL && c->nr >= AGENT_CONN_HANDLES_MAX)
		return -DER_OVERFLOW;
	if (is_new) {
		c = d_calloc(1, sizeof(*c));
		if (c == NULL)
			return -DER_NOMEM;
		c->conn_id = conn_id;
		c->pid = pid;
	}
	if (c->nr == c->cap) {
		cap = c->cap == 0 ? 4 : c->cap * 2;
		hdls = d_realloc(c->hdls, (size_t)cap * sizeof(*hdls));
		if (hdls == NULL) {
			if (is_new)
				agent_client_free(c);
			return -DER_NOMEM;
		}
		c->hdls = hdls;
		c->cap = cap;
	}
	uuid_copy(c->hdls[c->nr].pool, pool);
	uuid_copy(c->hdls[c->nr].hdl, hdl);
	c->nr++;
	if (is_new) {
		d_list_add_tail(&c->link, &set->clients);
		set->nr_clients++;
	}
	return 0;
}

static void
client_unlink(struct agent_handles *set, struct agent_client *c)
{
	d_list_del_init(&c->link);
	set->nr_clients--;
}

int
agent_handles_remove(struct agent_handles *set, uint64_t conn_id, const uuid_t pool,
		     const uuid_t hdl)
{
	struct agent_client *c = client_find(set, conn_id);
	int i;

	if (c == NULL)
		return -DER_NONEXIST;
	i = hdl_find(c, pool, hdl);
	if (i < 0)
		return -DER_NONEXIST;
	/* Keep arrival order: evictions then go out in the order handles were opened. */
	memmove(&c->hdls[i], &c->hdls[i + 1], (c->nr - (unsigned int)i - 1) * sizeof(*c->hdls));
	c->nr--;
	if (c->nr == 0) {
		client_unlink(set, c);
		agent_client_free(c);
	}
	return 0;
}

unsigned int
agent_handles_count(struct agent_handles *set, uint64_t conn_id)
{
	struct agent_client *c = client_find(set, conn_id);

	return c != NULL ? c->nr : 0;
}

static int
cmp_pool(const void *a, const void *b)
{
	const struct agent_handle *x = a;
	const struct agent_handle *y = b;
	int rc = uuid_compare(x->pool, y->pool);

	/* qsort is not stable: the handle breaks ties, so the order is fixed. */
	return rc != 0 ? rc : uuid_compare(x->hdl, y->hdl);
}

struct agent_client *
agent_handles_detach(struct agent_handles *set, uint64_t conn_id)
{
	struct agent_client *c = client_find(set, conn_id);

	if (c == NULL)
		return NULL;
	client_unlink(set, c);
	d_sort(c->hdls, c->nr, sizeof(*c->hdls), cmp_pool);
	return c;
}

struct agent_client *
agent_handles_pop(struct agent_handles *set)
{
	struct agent_client *c;

	if (d_list_empty(&set->clients))
		return NULL;
	c = d_list_first_entry(&set->clients, struct agent_client, link);
	return agent_handles_detach(set, c->conn_id);
}

unsigned int
agent_client_pool_run(const struct agent_client *client, unsigned int start)
{
	unsigned int end = start;

	while (end < client->nr &&
	       uuid_compare(client->hdls[end].pool, client->hdls[start].pool) == 0)
		end++;
	return end - start;
}
