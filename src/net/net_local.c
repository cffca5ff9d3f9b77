/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_local.c - local bulk: data moved by one memory copy between a client and a server
 * on the same host (process_vm_readv/writev) instead of RMA over the provider.
 *
 * The handshake and what it proves are described in net.h ("Local bulk"). Requester
 * side: the first request to a peer starts it; requests sent before it ends simply go
 * without a token. Server side: each peer (a requester's endpoint address) holds at most
 * one outstanding challenge and one proven token; a request whose token matches has its
 * transfers copied locally (net_bulk_transfer()), any other goes by RMA.
 */
#define D_LOGFAC DD_FAC(net)

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/net_int.h"

/* Our pid, refreshed in a forked child: its tokens are its parent's, not its own. */
static int32_t local_pid;
static pthread_once_t local_once = PTHREAD_ONCE_INIT;

static void
local_after_fork(void)
{
	local_pid = (int32_t)getpid();
}

static void
local_init(void)
{
	local_pid = (int32_t)getpid();
	pthread_atfork(NULL, NULL, local_after_fork);
}

bool
net_local_allowed(void)
{
	const char *v = getenv("D_NET_LOCAL_BULK");

	pthread_once(&local_once, local_init);
	return v == NULL || strcmp(v, "0") != 0;
}

uint64_t
net_ctx_local_bytes(const struct net_ctx *ctx)
{
	return ctx->local_bytes;
}

bool
net_peer_local(const struct net_peer *peer)
{
	return peer->local_state == NET_LOCAL_ON;
}

static int
random_fill(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

/* --- requester --- */

/* A failed handshake: try again later if the peer may just have been away. */
static void
handshake_failed(struct net_peer *peer, const char *step, int status)
{
	bool retry = status == -DER_UNREACH || status == -DER_TIMEDOUT || status == -DER_CANCELED;

	D_DEBUG(DB_NET, "no local bulk with %s (%s): " DF_RC, peer->uri, step, DP_RC(status));
	peer->local_state = retry ? NET_LOCAL_UNKNOWN : NET_LOCAL_OFF;
}

static void
confirm_done(void *arg, int status, const void *body, size_t len)
{
	struct net_peer *peer = arg;
	struct buf b = BUF_INIT((void *)body, len);
	uint64_t token;

	memset(peer->local_proof, 0, sizeof(peer->local_proof));
	if (status != 0 || len != sizeof(token)) {
		handshake_failed(peer, "confirm", status != 0 ? status : -DER_PROTO);
		return;
	}
	token = buf_get_u64(&b);
	if (token == 0) {
		handshake_failed(peer, "confirm", -DER_PROTO);
		return;
	}
	peer->local_token = token;
	peer->local_owner = local_pid;
	peer->local_state = NET_LOCAL_ON;
	D_DEBUG(DB_NET, "bulk with %s by local copy", peer->uri);
}

static void
hello_done(void *arg, int status, const void *body, size_t len)
{
	struct net_peer *peer = arg;
	int rc;

	if (status != 0 || len != NET_LOCAL_PROOF) {
		handshake_failed(peer, "hello", status != 0 ? status : -DER_PROTO);
		return;
	}
	/*
	 * The proof, read back by the server from our memory: its challenge and its
	 * address as we reach it, so a challenge relayed to us by another server proves
	 * nothing to the one that made it.
	 */
	memcpy(peer->local_proof, body, NET_LOCAL_PROOF);
	memcpy(peer->local_proof + NET_LOCAL_PROOF, peer->addr, peer->addr_len);
	rc = net_req_send(peer->ctx, peer, NET_OPC_LOCAL_CONFIRM, NULL, 0, NET_LOCAL_TIMEOUT_MS,
			  confirm_done, peer);
	if (rc != 0)
		handshake_failed(peer, "confirm", rc);
}

void
net_local_start(struct net_ctx *ctx, struct net_peer *peer)
{
	uint8_t body[12];
	struct buf b = BUF_INIT(body, sizeof(body));
	int rc;

	/* The token travels after our address; it must fit in the address's room. */
	if (ctx->addr_len + sizeof(uint64_t) > NET_ADDR_MAX) {
		peer->local_state = NET_LOCAL_OFF;
		return;
	}
	peer->local_state = NET_LOCAL_PENDING;
	buf_put_u32(&b, (uint32_t)local_pid);
	buf_put_u64(&b, (uint64_t)(uintptr_t)peer->local_proof);
	D_ASSERT(b.err == 0);
	rc = net_req_send(ctx, peer, NET_OPC_LOCAL_HELLO, body, b.off, NET_LOCAL_TIMEOUT_MS,
			  hello_done, peer);
	if (rc != 0)
		handshake_failed(peer, "hello", rc);
}

bool
net_local_token(struct net_peer *peer, uint64_t *token)
{
	if (peer->local_state != NET_LOCAL_ON)
		return false;
	if (peer->local_owner != local_pid) {
		/* A forked child: shake hands again as itself. */
		net_local_reset(peer);
		return false;
	}
	*token = peer->local_token;
	return true;
}

void
net_local_reset(struct net_peer *peer)
{
	/* A server that restarted forgot our token; one still pending ends on its own. */
	if (peer->local_state == NET_LOCAL_ON) {
		peer->local_state = NET_LOCAL_UNKNOWN;
		peer->local_token = 0;
	}
}

/* --- server --- */

static void
serve_hello(struct net_rpc *rpc)
{
	struct net_peer *peer = rpc->peer;
	struct buf b = BUF_INIT((void *)rpc->msg.body, rpc->msg.body_len);
	uint32_t pid = buf_get_u32(&b);
	uint64_t addr = buf_get_u64(&b);
	int rc;

	if (b.err != 0 || buf_remaining(&b) != 0 || pid == 0 || pid > INT32_MAX) {
		net_rpc_reply(rpc, -DER_PROTO, NULL, 0);
		return;
	}
	/* A failed proof from this address: no new challenge for a while (no guessing). */
	if (peer->srv_refused_ms != 0 && net_now_ms() - peer->srv_refused_ms < NET_LOCAL_RETRY_MS) {
		net_rpc_reply(rpc, -DER_AGAIN, NULL, 0);
		return;
	}
	rc = random_fill(peer->srv_challenge, NET_LOCAL_PROOF);
	if (rc != 0) {
		D_ERROR("no random bytes for a local-bulk challenge: %s", strerror(-rc));
		net_rpc_reply(rpc, -DER_MISC, NULL, 0);
		return;
	}
	peer->srv_challenge_pid = (int32_t)pid;
	peer->srv_challenge_addr = addr;
	net_rpc_reply(rpc, 0, peer->srv_challenge, NET_LOCAL_PROOF);
}

/*
 * Whether the server may copy to and from @pid: not a thread of its own (whose memory
 * holds the challenge), and a process of the server's own user through and through
 * (real, effective, saved and filesystem uids): a server with CAP_SYS_PTRACE must not
 * reach into other users' processes on their word, and without it the kernel refuses
 * them anyway (also after a setuid exec).
 */
bool
net_local_pid_acceptable(pid_t pid, const char *who)
{
	char path[64];
	char line[256];
	FILE *f;
	long tgid = -1;
	unsigned long uid[4];
	int nr_uid = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		D_DEBUG(DB_NET, "%s (pid %d): %s", who, (int)pid, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Tgid:", 5) == 0)
			tgid = strtol(line + 5, NULL, 10);
		else if (strncmp(line, "Uid:", 4) == 0)
			nr_uid = sscanf(line + 4, "%lu %lu %lu %lu", &uid[0], &uid[1], &uid[2],
					&uid[3]);
	}
	fclose(f);
	if (tgid < 0 || tgid == (long)getpid()) {
		D_DEBUG(DB_NET, "%s names pid %d: refused", who, (int)pid);
		return false;
	}
	for (int i = 0; i < 4; i++) {
		if (nr_uid != 4 || uid[i] != (unsigned long)geteuid()) {
			D_DEBUG(DB_NET, "%s (pid %d) is another user's: no local bulk", who,
				(int)pid);
			return false;
		}
	}
	return true;
}

static void
serve_confirm(struct net_rpc *rpc)
{
	struct net_ctx *ctx = rpc->ctx;
	struct net_peer *peer = rpc->peer;
	size_t want = NET_LOCAL_PROOF + ctx->addr_len;
	uint8_t seen[NET_LOCAL_PROOF + NET_ADDR_MAX];
	struct iovec l = { .iov_base = seen, .iov_len = want };
	struct iovec r = { .iov_base = (void *)(uintptr_t)peer->srv_challenge_addr,
			   .iov_len = want };
	pid_t pid = peer->srv_challenge_pid;
	uint8_t body[8];
	struct buf b = BUF_INIT(body, sizeof(body));
	uint64_t token = 0;
	ssize_t n;
	int rc;

	/* One try per challenge. */
	peer->srv_challenge_pid = 0;
	if (pid == 0 || rpc->msg.body_len != 0) {
		net_rpc_reply(rpc, -DER_PROTO, NULL, 0);
		return;
	}
	if (!net_local_pid_acceptable(pid, peer->uri)) {
		peer->srv_refused_ms = net_now_ms();
		net_rpc_reply(rpc, -DER_NO_PERM, NULL, 0);
		return;
	}
	n = process_vm_readv(pid, &l, 1, &r, 1, 0);
	/* The challenge, then our own address: a relayed challenge does not match. */
	if (n != (ssize_t)want || memcmp(seen, peer->srv_challenge, NET_LOCAL_PROOF) != 0 ||
	    memcmp(seen + NET_LOCAL_PROOF, ctx->addr, ctx->addr_len) != 0) {
		/* EPERM: not ours to read; ESRCH: not on this host; else no proof there. */
		D_DEBUG(DB_NET, "%s (pid %d) is not proven local: %s", peer->uri, (int)pid,
			n < 0 ? strerror(errno) : "no proof at that address");
		peer->srv_refused_ms = net_now_ms();
		net_rpc_reply(rpc, -DER_NO_PERM, NULL, 0);
		return;
	}
	while (token == 0) {
		rc = random_fill(&token, sizeof(token));
		if (rc != 0) {
			net_rpc_reply(rpc, -DER_MISC, NULL, 0);
			return;
		}
	}
	peer->srv_token = token;
	peer->srv_pid = pid;
	D_DEBUG(DB_NET, "%s is pid %d on this host: bulk by local copy", peer->uri, (int)pid);
	buf_put_u64(&b, token);
	net_rpc_reply(rpc, 0, body, b.off);
}

bool
net_local_serve(struct net_ctx *ctx, struct net_rpc *rpc)
{
	if (!ctx->local_bulk || (rpc->msg.flags & NET_F_ONEWAY))
		return false;
	switch (rpc->msg.opcode) {
	case NET_OPC_LOCAL_HELLO:
		serve_hello(rpc);
		return true;
	case NET_OPC_LOCAL_CONFIRM:
		serve_confirm(rpc);
		return true;
	default:
		return false;
	}
}

int
net_local_copy(struct net_rpc *rpc, enum net_bulk_op op, uint64_t raddr, void *local, size_t len)
{
	struct net_peer *peer = rpc->peer;
	size_t done = 0;

	while (done < len) {
		struct iovec l = { .iov_base = (char *)local + done, .iov_len = len - done };
		struct iovec r = { .iov_base = (void *)(uintptr_t)(raddr + done),
				   .iov_len = len - done };
		ssize_t n;

		if (op == NET_BULK_GET)
			n = process_vm_readv(rpc->local_pid, &l, 1, &r, 1, 0);
		else
			n = process_vm_writev(rpc->local_pid, &l, 1, &r, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EFAULT;

			D_DEBUG(DB_NET, "local %s of %zu bytes from pid %d failed: %s",
				op == NET_BULK_GET ? "read" : "write", len, (int)rpc->local_pid,
				strerror(err));
			/* The process is gone or changed hands: forget its token. */
			if ((err == ESRCH || err == EPERM) && peer->srv_pid == rpc->local_pid) {
				peer->srv_token = 0;
				peer->srv_pid = 0;
			}
			return -err;
		}
		done += (size_t)n;
	}
	rpc->ctx->local_bytes += len;
	return 0;
}
