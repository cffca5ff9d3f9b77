/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_cache.c - the attach info cache.
 *
 * libdaos asks for attach info at every daos_init(); the answer (rank URIs, provider,
 * MS ranks) changes only when the system does, so the agent keeps the MS's last answer
 * per system name and the interfaces it detected. A request for a system name not seen
 * yet reaches the MS; an entry older than cache_expiration minutes is fetched again;
 * SIGUSR2 flushes everything. disable_caching, or DAOS_AGENT_DISABLE_CACHE=true in the
 * agent's environment, turns the cache off: every request then reaches the MS and the
 * interfaces are detected again each time.
 *
 * The cache holds packed GetAttachInfoResp bytes as the MS sent them; the client's
 * interface is filled in per request (agent_attach_reply()). Loop thread only.
 */
#define D_LOGFAC DD_FAC(control)

#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "control/agent/agent_int.h"

uint64_t
agent_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool
agent_cache_env_disabled(void)
{
	const char *v = getenv("DAOS_AGENT_DISABLE_CACHE");

	/* Go's strconv.ParseBool spellings, which DAOS's agent accepts. */
	return v != NULL && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
			     strcmp(v, "t") == 0 || strcmp(v, "T") == 0);
}

int
agent_cache_init(struct agent_cache *cache, const struct config_agent *cfg)
{
	memset(cache, 0, sizeof(*cache));
	cache->disabled = cfg->disable_caching || agent_cache_env_disabled();
	cache->expire_ns = (uint64_t)cfg->cache_expiration * 60ull * 1000000000ull;
	return 0;
}

static void
entry_fini(struct agent_cache_entry *e)
{
	d_free(e->system);
	d_free(e->body);
}

void
agent_cache_flush(struct agent_cache *cache)
{
	unsigned int i;

	for (i = 0; i < cache->nr; i++)
		entry_fini(&cache->entries[i]);
	d_free(cache->entries);
	cache->entries = NULL;
	cache->nr = 0;
	if (cache->has_ifaces)
		agent_ifaces_fini(&cache->ifaces);
	cache->has_ifaces = false;
}

void
agent_cache_fini(struct agent_cache *cache)
{
	agent_cache_flush(cache);
}

static struct agent_cache_entry *
entry_find(struct agent_cache *cache, const char *system)
{
	unsigned int i;

	for (i = 0; i < cache->nr; i++)
		if (strcmp(cache->entries[i].system, system) == 0)
			return &cache->entries[i];
	return NULL;
}

int
agent_cache_lookup(struct agent_cache *cache, const char *system, uint64_t now_ns,
		   const uint8_t **body, size_t *len)
{
	struct agent_cache_entry *e;

	if (cache->disabled)
		return -DER_NONEXIST;
	e = entry_find(cache, system);
	if (e == NULL)
		return -DER_NONEXIST;
	if (cache->expire_ns != 0 && now_ns - e->fetched_ns >= cache->expire_ns) {
		D_INFO("attach info of system %s expired, asking the MS again", system);
		return -DER_NONEXIST;
	}
	*body = e->body;
	*len = e->len;
	return 0;
}

int
agent_cache_store(struct agent_cache *cache, const char *system, const void *body, size_t len,
		  uint64_t now_ns)
{
	struct agent_cache_entry *e;
	struct agent_cache_entry *grown;
	uint8_t *copy;

	if (cache->disabled)
		return 0;
	copy = d_malloc(len > 0 ? len : 1);
	if (copy == NULL)
		return -DER_NOMEM;
	memcpy(copy, body, len);
	e = entry_find(cache, system);
	if (e == NULL) {
		grown = d_realloc(cache->entries, (cache->nr + 1) * sizeof(*grown));
		if (grown == NULL)
			goto out_nomem;
		cache->entries = grown;
		e = &cache->entries[cache->nr];
		memset(e, 0, sizeof(*e));
		e->system = d_strdup(system);
		if (e->system == NULL)
			goto out_nomem;
		cache->nr++;
	}
	d_free(e->body);
	e->body = copy;
	e->len = len;
	e->fetched_ns = now_ns;
	return 0;

out_nomem:
	d_free(copy);
	return -DER_NOMEM;
}
