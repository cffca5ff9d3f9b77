/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_creds.c - AUTH_SYS credentials for the process at the other end of the socket.
 *
 * Nothing in the request is trusted: the identity is the kernel's (SO_PEERCRED, handed
 * over by the dRPC server). The uid and gid are resolved with the host's user database;
 * a uid the host does not know (a process in a container) takes its names from
 * credential_config.client_user_map, its own entry or the "default" one. The map is
 * written as plain names ("alice"); principals carry a trailing '@', added here.
 *
 * The token is signed with the agent key (the key of transport_config, which is also
 * its TLS identity) or, in insecure mode, carries only a digest: the server then cannot
 * tell who made it. credential_config.cache_expiration (signed credential cache) is not
 * implemented: signing costs about a millisecond and is done for every request.
 */
#define D_LOGFAC DD_FAC(security)

#include <stdio.h>
#include <string.h>

#include "control/agent/agent_int.h"

/* A client_user_map entry with principals ("name@"), built per lookup. */
struct map_state {
	const struct config_agent *cfg;
	struct sec_user_map_entry entry;
	char *user;
	char *group;
	char **groups;
	size_t nr_groups;
	int rc;
};

static char *
principal(const char *name)
{
	size_t n = strlen(name);
	char *p = NULL;

	if (n > 0 && name[n - 1] == '@')
		return d_strdup(name);
	if (d_asprintf(&p, "%s@", name) < 0)
		return NULL;
	return p;
}

static void
map_state_fini(struct map_state *ms)
{
	size_t i;

	d_free(ms->user);
	d_free(ms->group);
	for (i = 0; i < ms->nr_groups; i++)
		d_free(ms->groups[i]);
	d_free(ms->groups);
}

static const struct sec_user_map_entry *
user_map(void *arg, uint32_t uid)
{
	struct map_state *ms = arg;
	const struct config_user *u = config_agent_user_lookup(ms->cfg, uid);
	unsigned int i;

	if (u == NULL || u->user == NULL)
		return NULL;
	ms->user = principal(u->user);
	/* A map entry without a group gets the user's name, as a user private group. */
	ms->group = principal(u->group != NULL ? u->group : u->user);
	ms->groups = d_calloc(u->groups.nr + 1, sizeof(*ms->groups));
	if (ms->user == NULL || ms->group == NULL || ms->groups == NULL) {
		ms->rc = -DER_NOMEM;
		return NULL;
	}
	for (i = 0; i < u->groups.nr; i++) {
		ms->groups[i] = principal(u->groups.str[i]);
		if (ms->groups[i] == NULL) {
			ms->rc = -DER_NOMEM;
			return NULL;
		}
		ms->nr_groups++;
	}
	ms->entry.user = ms->user;
	ms->entry.group = ms->group;
	ms->entry.groups = (const char *const *)ms->groups;
	ms->entry.nr_groups = ms->nr_groups;
	D_INFO("uid %u is unknown to this host; using client_user_map: %s", uid, ms->user);
	return &ms->entry;
}

int
agent_creds_make(const struct config_agent *cfg, const struct sec_key *key, uint32_t uid,
		 uint32_t gid, uint8_t **out, size_t *out_len, char *err, size_t err_len)
{
	struct map_state ms = { .cfg = cfg };
	struct sec_auth_sys *sys;
	struct sec_cred *cred;
	struct buf b;
	uint8_t *data;
	size_t len;
	int rc;

	rc = sec_auth_sys_resolve(uid, gid, user_map, &ms, &sys);
	if (rc != 0) {
		if (ms.rc != 0)
			rc = ms.rc;
		snprintf(err, err_len, "could not resolve uid %u gid %u: %s", uid, gid,
			 sec_last_error()[0] != '\0' ? sec_last_error() : d_errdesc(rc));
		goto out_map;
	}
	rc = sec_cred_make(sys, key, SEC_ORIGIN_AGENT, &cred);
	if (rc != 0) {
		snprintf(err, err_len, "could not make a credential for %s: %s", sys->user,
			 d_errdesc(rc));
		goto out_sys;
	}
	len = sec_cred_encoded_size(cred);
	data = d_malloc(len + 1);
	if (data == NULL) {
		rc = -DER_NOMEM;
		snprintf(err, err_len, "out of memory");
		goto out_cred;
	}
	buf_init(&b, data, len);
	rc = sec_cred_encode(cred, &b);
	if (rc != 0) {
		d_free(data);
		snprintf(err, err_len, "could not encode the credential: %s", d_errdesc(rc));
		goto out_cred;
	}
	D_DEBUG(DB_SEC, "credential for uid %u gid %u: %s %s", uid, gid, sys->user, sys->group);
	*out = data;
	*out_len = b.off;
out_cred:
	sec_cred_free(cred);
out_sys:
	sec_auth_sys_free(sys);
out_map:
	map_state_fini(&ms);
	return rc;
}
