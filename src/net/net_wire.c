/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_wire.c - names and bytes: DAOS provider strings, URIs, endpoint addresses and the
 * message header (layout in net.h). Everything here is a pure function of its input,
 * so it is unit-tested and fuzzed without a fabric.
 */
#define D_LOGFAC DD_FAC(net)

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "net/net_int.h"

/* DAOS provider names (after "ofi+") and the libfabric provider that drives them as RDM. */
static const struct {
	const char *daos;
	const char *fi;
} providers[] = {
	{ "tcp", "tcp;ofi_rxm" },     { "tcp;ofi_rxm", "tcp;ofi_rxm" },
	{ "sockets", "sockets" },     { "verbs;ofi_rxm", "verbs;ofi_rxm" },
	{ "verbs", "verbs;ofi_rxm" }, { "udp;ofi_rxd", "udp;ofi_rxd" },
	/*
	 * Not "shm": its endpoint names are strings, not socket addresses, so they have
	 * no host:port URI that DAOS's group map could carry.
	 */
};

int
net_provider_to_fi(const char *provider, char *out, size_t len)
{
	size_t i;

	if (provider == NULL || strncmp(provider, "ofi+", 4) != 0)
		return -DER_INVAL;
	for (i = 0; i < ARRAY_SIZE(providers); i++) {
		if (strcmp(provider + 4, providers[i].daos) == 0) {
			size_t n = strlen(providers[i].fi);

			if (n >= len)
				return -DER_OVERFLOW;
			memcpy(out, providers[i].fi, n + 1);
			return 0;
		}
	}
	return -DER_INVAL;
}

/* Copy @n bytes of @src into @dst of room @room as a string; false if it does not fit. */
static bool
copy_str(char *dst, size_t room, const char *src, size_t n)
{
	if (n >= room)
		return false;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return true;
}

int
net_uri_parse(const char *uri, struct net_uri *out)
{
	struct net_uri u;
	const char *sep;
	const char *host;
	const char *colon;
	const char *port;
	char fi[32];
	char *end;
	long p;

	if (uri == NULL)
		return -DER_INVAL;
	sep = strstr(uri, "://");
	if (sep == NULL || !copy_str(u.provider, sizeof(u.provider), uri, (size_t)(sep - uri)))
		return -DER_INVAL;
	if (net_provider_to_fi(u.provider, fi, sizeof(fi)) != 0)
		return -DER_INVAL;
	host = sep + 3;
	if (*host == '[') {
		const char *close = strchr(host, ']');

		if (close == NULL || close[1] != ':')
			return -DER_INVAL;
		if (!copy_str(u.host, sizeof(u.host), host + 1, (size_t)(close - host - 1)))
			return -DER_INVAL;
		port = close + 2;
	} else {
		colon = strrchr(host, ':');
		if (colon == NULL || memchr(host, ':', (size_t)(colon - host)) != NULL)
			return -DER_INVAL;
		if (!copy_str(u.host, sizeof(u.host), host, (size_t)(colon - host)))
			return -DER_INVAL;
		port = colon + 1;
	}
	if (u.host[0] == '\0' || !isdigit((unsigned char)*port))
		return -DER_INVAL;
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno != 0 || *end != '\0' || p < 1 || p > 65535)
		return -DER_INVAL;
	u.port = (int)p;
	*out = u;
	return 0;
}

int
net_uri_format(const struct net_uri *uri, int port_offset, char *out, size_t len)
{
	int port = uri->port + port_offset;
	bool v6 = strchr(uri->host, ':') != NULL;
	int n;

	if (port < 1 || port > 65535)
		return -DER_INVAL;
	n = snprintf(out, len, v6 ? "%s://[%s]:%d" : "%s://%s:%d", uri->provider, uri->host, port);
	if (n < 0 || (size_t)n >= len)
		return -DER_OVERFLOW;
	return 0;
}

int
net_uri_to_addr(const struct net_uri *uri, void *addr, uint32_t *len)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	/* Zeroed whole, so the bytes equal what the peer's fi_getname() reports. */
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, uri->host, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)uri->port);
		memcpy(addr, &sin, sizeof(sin));
		*len = sizeof(sin);
		return 0;
	}
	if (inet_pton(AF_INET6, uri->host, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)uri->port);
		memcpy(addr, &sin6, sizeof(sin6));
		*len = sizeof(sin6);
		return 0;
	}
	return -DER_INVAL;
}

int
net_addr_to_uri(const char *provider, const void *addr, uint32_t len, char *out, size_t out_len)
{
	struct net_uri u;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	sa_family_t family;

	if (len < sizeof(family) || strlen(provider) >= sizeof(u.provider))
		return -DER_INVAL;
	memcpy(u.provider, provider, strlen(provider) + 1);
	memcpy(&family, addr, sizeof(family));
	if (family == AF_INET && len == sizeof(sin)) {
		memcpy(&sin, addr, sizeof(sin));
		inet_ntop(AF_INET, &sin.sin_addr, u.host, sizeof(u.host));
		u.port = ntohs(sin.sin_port);
	} else if (family == AF_INET6 && len == sizeof(sin6)) {
		memcpy(&sin6, addr, sizeof(sin6));
		inet_ntop(AF_INET6, &sin6.sin6_addr, u.host, sizeof(u.host));
		u.port = ntohs(sin6.sin6_port);
	} else {
		return -DER_INVAL;
	}
	if (u.port == 0)
		return -DER_INVAL;
	return net_uri_format(&u, 0, out, out_len);
}

int
net_msg_encode(const struct net_msg *msg, void *out, size_t len)
{
	struct buf b = BUF_INIT(out, len);
	bool request = (msg->flags & (NET_F_REQUEST | NET_F_ONEWAY)) != 0;

	if (msg->addr_len > NET_ADDR_MAX || (!request && msg->addr_len != 0))
		return -DER_INVAL;
	buf_put_u32(&b, NET_MAGIC);
	buf_put_u16(&b, msg->version);
	buf_put_u16(&b, msg->flags);
	buf_put_u32(&b, msg->opcode);
	buf_put_u32(&b, msg->body_len);
	buf_put_u64(&b, msg->id);
	buf_put_u32(&b, request ? msg->timeout_ms : (uint32_t)msg->status);
	buf_put_u8(&b, (uint8_t)msg->addr_len);
	buf_put_u8(&b, 0);
	buf_put_u16(&b, 0);
	buf_put_bytes_raw(&b, msg->addr, msg->addr_len);
	if (msg->flags & NET_F_LOCAL)
		buf_put_u64(&b, msg->token);
	buf_put_bytes_raw(&b, msg->body, msg->body_len);
	if (b.err != 0)
		return b.err;
	return (int)b.off;
}

int
net_msg_decode(const void *data, size_t len, struct net_msg *out)
{
	struct buf b = BUF_INIT(data, len);
	struct net_msg m = { 0 };
	uint32_t word;
	bool request;
	int rc = 0;

	if (buf_get_u32(&b) != NET_MAGIC)
		return -DER_PROTO;
	m.version = buf_get_u16(&b);
	m.flags = buf_get_u16(&b);
	m.opcode = buf_get_u32(&b);
	m.body_len = buf_get_u32(&b);
	m.id = buf_get_u64(&b);
	word = buf_get_u32(&b);
	m.addr_len = buf_get_u8(&b);
	if (buf_get_u8(&b) != 0 || buf_get_u16(&b) != 0)
		return -DER_PROTO;
	/* Exactly one kind: a request (optionally oneway) or a reply. */
	switch (m.flags) {
	case NET_F_REQUEST:
	case NET_F_ONEWAY:
	case NET_F_REQUEST | NET_F_ONEWAY:
	case NET_F_REQUEST | NET_F_LOCAL:
		request = true;
		m.timeout_ms = word;
		break;
	case NET_F_REPLY:
	case NET_F_REPLY | NET_F_MORE:
		request = false;
		m.status = (int32_t)word;
		break;
	default:
		return -DER_PROTO;
	}
	if (b.err != 0 || m.addr_len > NET_ADDR_MAX || (!request && m.addr_len != 0))
		return -DER_PROTO;
	m.addr = buf_get_bytes_raw(&b, m.addr_len);
	if (m.flags & NET_F_LOCAL)
		m.token = buf_get_u64(&b);
	if (b.err != 0)
		return -DER_PROTO;
	/* From here on the sender is known, so even a failure can be answered. */
	if (m.version != NET_PROTO_VERSION)
		rc = -DER_PROTO;
	if ((m.flags & NET_F_MORE) ? m.body_len > buf_remaining(&b)
				   : m.body_len != buf_remaining(&b))
		rc = -DER_PROTO;
	else
		m.body = buf_get_bytes_raw(&b, m.body_len);
	/* A reply's status must be 0 or a negative code. */
	if (!request && m.status > 0)
		rc = -DER_PROTO;
	*out = m;
	return rc;
}
