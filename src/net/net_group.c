/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_group.c - the group map: each rank's base URI, versioned. The map is replaced
 * whole on update (rare: ranks join, the management service pushes a new map) under a
 * mutex; readers copy what they need under the same mutex, briefly. A rank's target t
 * listens at its base port + t, so (rank, tag) resolves without per-target entries.
 */
#define D_LOGFAC DD_FAC(grp)

#include <arpa/inet.h>
#include <pthread.h>

#include "common/sort.h"
#include "net/net_int.h"

struct group_entry {
	d_rank_t rank;
	struct net_uri uri;
	/* the base URI as an endpoint address (0 bytes: not an IP literal) */
	uint8_t addr[NET_ADDR_MAX];
	uint32_t addr_len;
};

struct net_group {
	pthread_mutex_t lock;
	uint32_t version;
	uint32_t nr;
	struct group_entry *entries; /* sorted by rank */
};

int
net_group_create(struct net_group **out)
{
	struct net_group *grp = d_calloc(1, sizeof(*grp));

	if (grp == NULL)
		return -DER_NOMEM;
	pthread_mutex_init(&grp->lock, NULL);
	*out = grp;
	return 0;
}

void
net_group_destroy(struct net_group *grp)
{
	if (grp == NULL)
		return;
	pthread_mutex_destroy(&grp->lock);
	d_free(grp->entries);
	d_free(grp);
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct group_entry *x = a;
	const struct group_entry *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static bool
entries_equal(const struct group_entry *a, const struct group_entry *b, uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < nr; i++) {
		if (a[i].rank != b[i].rank || a[i].uri.port != b[i].uri.port ||
		    strcmp(a[i].uri.host, b[i].uri.host) != 0 ||
		    strcmp(a[i].uri.provider, b[i].uri.provider) != 0)
			return false;
	}
	return true;
}

int
net_group_update(struct net_group *grp, uint32_t version, const d_rank_t *ranks,
		 const char *const *uris, uint32_t nr)
{
	struct group_entry *entries;
	uint32_t i;
	int rc = 0;

	entries = d_calloc(nr ? nr : 1, sizeof(*entries));
	if (entries == NULL)
		return -DER_NOMEM;
	for (i = 0; i < nr; i++) {
		entries[i].rank = ranks[i];
		if (net_uri_parse(uris[i], &entries[i].uri) != 0) {
			D_ERROR("group map v%u: rank %u has a bad URI \"%s\"", version, ranks[i],
				uris[i]);
			rc = -DER_INVAL;
			goto out_free;
		}
		if (net_uri_to_addr(&entries[i].uri, entries[i].addr, &entries[i].addr_len) != 0)
			entries[i].addr_len = 0;
	}
	d_sort(entries, nr, sizeof(*entries), entry_cmp);
	for (i = 1; i < nr; i++) {
		if (entries[i].rank == entries[i - 1].rank) {
			D_ERROR("group map v%u: rank %u appears twice", version, entries[i].rank);
			rc = -DER_INVAL;
			goto out_free;
		}
	}
	pthread_mutex_lock(&grp->lock);
	if (version < grp->version ||
	    (version == grp->version && grp->entries != NULL &&
	     !(nr == grp->nr && entries_equal(entries, grp->entries, nr)))) {
		rc = -DER_STALE;
	} else {
		d_free(grp->entries);
		grp->entries = entries;
		grp->nr = nr;
		grp->version = version;
		entries = NULL;
	}
	pthread_mutex_unlock(&grp->lock);
out_free:
	d_free(entries);
	return rc;
}

uint32_t
net_group_version(struct net_group *grp)
{
	uint32_t v;

	pthread_mutex_lock(&grp->lock);
	v = grp->version;
	pthread_mutex_unlock(&grp->lock);
	return v;
}

uint32_t
net_group_size(struct net_group *grp)
{
	uint32_t nr;

	pthread_mutex_lock(&grp->lock);
	nr = grp->nr;
	pthread_mutex_unlock(&grp->lock);
	return nr;
}

int
net_group_uri(struct net_group *grp, d_rank_t rank, uint32_t tag, char *out, size_t len)
{
	struct group_entry key = { .rank = rank };
	struct group_entry *e;
	struct net_uri uri;

	pthread_mutex_lock(&grp->lock);
	e = grp->nr ? bsearch(&key, grp->entries, grp->nr, sizeof(key), entry_cmp) : NULL;
	if (e != NULL)
		uri = e->uri;
	pthread_mutex_unlock(&grp->lock);
	if (e == NULL)
		return -DER_OOG;
	if (tag > 65535)
		return -DER_INVAL;
	return net_uri_format(&uri, (int)tag, out, len);
}

/*
 * Every request of a client resolves (rank, tag) to a peer: from the address kept with
 * the map entry, with the target's port put in, without formatting and parsing a URI
 * each time (that was ~3% of a client's time under 4 KiB updates).
 */
int
net_group_peer(struct net_group *grp, struct net_ctx *ctx, d_rank_t rank, uint32_t tag,
	       struct net_peer **out)
{
	struct group_entry key = { .rank = rank };
	struct group_entry *e;
	struct group_entry copy;
	char uri[NET_URI_MAX];
	uint16_t port;
	int rc;

	pthread_mutex_lock(&grp->lock);
	e = grp->nr ? bsearch(&key, grp->entries, grp->nr, sizeof(key), entry_cmp) : NULL;
	if (e != NULL)
		copy = *e;
	pthread_mutex_unlock(&grp->lock);
	if (e == NULL)
		return -DER_OOG;
	if (tag > 65535 || copy.uri.port + (int)tag > 65535)
		return -DER_INVAL;
	if (copy.addr_len == 0 || !net_provider_matches(ctx, copy.uri.provider)) {
		/* not an IP literal or another provider: the URI path says what is wrong */
		rc = net_uri_format(&copy.uri, (int)tag, uri, sizeof(uri));
		return rc != 0 ? rc : net_peer_get(ctx, uri, out);
	}
	/* sin_port and sin6_port are both at offset 2, in network order */
	port = htons((uint16_t)(copy.uri.port + (int)tag));
	memcpy(copy.addr + 2, &port, sizeof(port));
	return net_peer_from_addr(ctx, copy.addr, copy.addr_len, out);
}
