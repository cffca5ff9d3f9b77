/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_echo_tests.c - the RPC layer between two real processes on 127.0.0.1: this test
 * (client) and net_echo_server (path in $NET_ECHO_SERVER), over ofi+tcp.
 *
 * Echo of every size from 0 B to 64 MiB across the inline/bulk threshold with the data
 * verified; 1,000 concurrent RPCs; a server killed mid-RPC fails the request promptly;
 * malformed messages get -DER_PROTO (or are dropped) while the server keeps serving.
 */
#define D_LOGFAC DD_FAC(tests)

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/test.h"
#include "net/net_int.h"
#include "net/tests/echo.h"

struct server {
	pid_t pid;
	char uri[128];
};

static struct server srv;
static struct net_ctx *ctx;
static struct net_peer *peer;

/* Start net_echo_server and read "READY <uri>" from its stdout. */
static int
server_start(struct server *s)
{
	const char *path = getenv("NET_ECHO_SERVER");
	int fds[2];
	FILE *f;
	char line[256];

	if (path == NULL) {
		fprintf(stderr, "NET_ECHO_SERVER is not set\n");
		return -1;
	}
	if (pipe(fds) != 0)
		return -1;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		/* a test that dies (a sanitizer's halt) takes its server with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(path, path, "ofi+tcp", "127.0.0.1", "0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "READY %127s", s->uri) != 1) {
		fprintf(stderr, "echo server did not start\n");
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static void
server_kill(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

static int
setup(void **state)
{
	struct net_ctx_attr attr = { .provider = "ofi+tcp", .host = "127.0.0.1" };

	(void)state;
	if (server_start(&srv) != 0)
		return -1;
	if (net_ctx_create(&attr, &ctx) != 0)
		return -1;
	return net_peer_get(ctx, srv.uri, &peer);
}

static int
teardown(void **state)
{
	(void)state;
	if (srv.pid > 0) {
		net_call(ctx, peer, ECHO_OPC_EXIT, NULL, 0, 5000, NULL, 0, NULL);
		waitpid(srv.pid, NULL, 0);
	}
	net_ctx_destroy(ctx);
	return 0;
}

static void
fill(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

/* Echo @len bytes: inline when they fit in a message, else by bulk pull then push. */
static void
echo_with(struct net_ctx *c, struct net_peer *pr, size_t len)
{
	uint8_t *src = d_malloc(len ? len : 1);
	uint8_t *dst = d_calloc(1, len ? len : 1);
	size_t got = 0;
	int rc;

	assert_non_null(src);
	assert_non_null(dst);
	fill(src, len, (uint32_t)len);
	if (len <= NET_BODY_MAX) {
		rc = net_call(c, pr, ECHO_OPC_ECHO, src, len, 10000, dst, len, &got);
		assert_int_equal(rc, 0);
		assert_int_equal(got, len);
	} else {
		struct net_bulk *bs;
		struct net_bulk *bd;
		struct net_bulk_desc ds;
		struct net_bulk_desc dd;
		uint8_t body[64];
		struct buf out = BUF_INIT(body, sizeof(body));

		assert_int_equal(net_bulk_register(c, src, len, NET_BULK_RO, &bs), 0);
		assert_int_equal(net_bulk_register(c, dst, len, NET_BULK_WO, &bd), 0);
		net_bulk_desc_get(bs, &ds);
		net_bulk_desc_get(bd, &dd);
		buf_put_u64(&out, len);
		net_bulk_desc_encode(&out, &ds);
		net_bulk_desc_encode(&out, &dd);
		assert_int_equal(out.err, 0);
		rc = net_call(c, pr, ECHO_OPC_BULK, body, out.off, 30000, NULL, 0, NULL);
		assert_int_equal(rc, 0);
		net_bulk_deregister(bs);
		net_bulk_deregister(bd);
	}
	assert_memory_equal(src, dst, len);
	d_free(src);
	d_free(dst);
}

static void
echo_one(size_t len)
{
	echo_with(ctx, peer, len);
}

static void
echo_sizes(void **state)
{
	static const size_t sizes[] = {
		0,
		1,
		64,
		1000,
		4095,
		4096,
		8192,
		NET_BODY_MAX - 1,
		NET_BODY_MAX,
		NET_BODY_MAX + 1,
		32768,
		65536,
		1 << 20,
		(1 << 20) + 7,
		3 << 20,
		16 << 20,
		64 << 20,
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		echo_one(sizes[i]);
}

struct many {
	int done;
	int errors;
};

struct one {
	struct many *m;
	uint32_t value;
};

static void
many_done(void *arg, int status, const void *body, size_t len)
{
	struct one *o = arg;
	uint32_t v;

	if (status != 0 || len != sizeof(v)) {
		o->m->errors++;
	} else {
		memcpy(&v, body, sizeof(v));
		if (v != o->value)
			o->m->errors++;
	}
	o->m->done++;
}

/* 1,000 requests in flight at once; each reply matches its own request. */
static void
concurrent_1000(void **state)
{
	enum { NR = 1000 };
	struct one *ones = d_calloc(NR, sizeof(*ones));
	struct many m = { 0 };
	int i;

	(void)state;
	assert_non_null(ones);
	for (i = 0; i < NR; i++) {
		ones[i].m = &m;
		ones[i].value = (uint32_t)i * 7919u;
		assert_int_equal(net_req_send(ctx, peer, ECHO_OPC_ECHO, &ones[i].value,
					      sizeof(ones[i].value), 20000, many_done, &ones[i]),
				 0);
	}
	assert_true(net_ctx_nr_inflight(ctx) > 0);
	while (m.done < NR)
		assert_true(net_progress(ctx, 1000) >= 0);
	assert_int_equal(m.errors, 0);
	assert_int_equal(net_ctx_nr_inflight(ctx), 0);
	d_free(ones);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct pending {
	bool done;
	int status;
	uint64_t at_ms;
};

static void
pending_done(void *arg, int status, const void *body, size_t len)
{
	struct pending *p = arg;

	(void)body;
	(void)len;
	p->done = true;
	p->status = status;
	p->at_ms = mono_ms();
}

/* A server killed mid-RPC: the client hears it long before the 10 s timeout. */
static void
server_killed_mid_rpc(void **state)
{
	struct server victim = { 0 };
	struct net_peer *vp;
	struct pending p = { 0 };
	uint8_t body[4];
	struct buf out = BUF_INIT(body, sizeof(body));
	uint64_t start;

	(void)state;
	assert_int_equal(server_start(&victim), 0);
	assert_int_equal(net_peer_get(ctx, victim.uri, &vp), 0);
	/* A request the server holds for 30 s; ours times out after 10 s. */
	buf_put_u32(&out, 30000);
	assert_int_equal(
		net_req_send(ctx, vp, ECHO_OPC_SLEEP, body, sizeof(body), 10000, pending_done, &p),
		0);
	start = mono_ms();
	while (mono_ms() - start < 300)
		net_progress(ctx, 10);
	assert_false(p.done);
	server_kill(&victim);
	start = mono_ms();
	while (!p.done && mono_ms() - start < 15000)
		net_progress(ctx, 100);
	assert_true(p.done);
	assert_int_equal(p.status, -DER_UNREACH);
	print_message("killed server noticed after %llu ms (timeout 10000 ms)\n",
		      (unsigned long long)(p.at_ms - start));
	assert_true(p.at_ms - start < 5000);
	/* The other server is unaffected. */
	echo_one(100);
}

/* A request that never gets a reply times out with -DER_TIMEDOUT. */
static void
timeout(void **state)
{
	struct pending p = { 0 };
	uint8_t body[4];
	struct buf out = BUF_INIT(body, sizeof(body));
	uint64_t start = mono_ms();

	(void)state;
	buf_put_u32(&out, 3000);
	assert_int_equal(
		net_req_send(ctx, peer, ECHO_OPC_SLEEP, body, sizeof(body), 500, pending_done, &p),
		0);
	while (!p.done)
		net_progress(ctx, 100);
	assert_int_equal(p.status, -DER_TIMEDOUT);
	assert_true(p.at_ms - start >= 500);
	assert_true(p.at_ms - start < 2500);
}

/* --- malformed messages --- */

static void
mangle_truncate(uint8_t *msg, size_t *len)
{
	(void)msg;
	*len -= 5; /* the header still claims the full body */
}

static void
mangle_version(uint8_t *msg, size_t *len)
{
	(void)len;
	msg[4] = 99;
}

static void
mangle_body_len(uint8_t *msg, size_t *len)
{
	(void)len;
	msg[12] += 16;
}

static void
mangle_flags(uint8_t *msg, size_t *len)
{
	(void)len;
	msg[6] = 0x70;
}

static void
mangle_magic(uint8_t *msg, size_t *len)
{
	(void)len;
	msg[0] ^= 0xff;
}

static void
mangle_garbage(uint8_t *msg, size_t *len)
{
	size_t i;

	for (i = 0; i < *len; i++)
		msg[i] = (uint8_t)(i * 37 + 11);
}

static void
mangle_short(uint8_t *msg, size_t *len)
{
	(void)msg;
	*len = 7;
}

static int
send_mangled(uint32_t opc, const void *body, size_t len, uint32_t timeout_ms,
	     void (*mangle)(uint8_t *, size_t *))
{
	struct pending p = { 0 };

	assert_int_equal(net_req_send_mangled(ctx, peer, opc, body, len, timeout_ms, pending_done,
					      &p, mangle),
			 0);
	while (!p.done)
		net_progress(ctx, 100);
	return p.status;
}

static void
malformed_rejected(void **state)
{
	uint8_t body[64];
	struct buf out = BUF_INIT(body, sizeof(body));
	int i;

	(void)state;
	buf_put_u32(&out, 3);
	for (i = 0; i < 3; i++)
		buf_put_u64(&out, (uint64_t)i + 1);

	/* Header intact, so the server can answer: -DER_PROTO. */
	assert_int_equal(send_mangled(ECHO_OPC_STRICT, body, out.off, 5000, mangle_truncate),
			 -DER_PROTO);
	assert_int_equal(send_mangled(ECHO_OPC_STRICT, body, out.off, 5000, mangle_version),
			 -DER_PROTO);
	assert_int_equal(send_mangled(ECHO_OPC_STRICT, body, out.off, 5000, mangle_body_len),
			 -DER_PROTO);
	/* Well-formed message, body the handler's decoder refuses. */
	assert_int_equal(send_mangled(ECHO_OPC_STRICT, body, out.off - 3, 5000, NULL), -DER_PROTO);
	body[0] = 200; /* a count larger than the bytes present */
	assert_int_equal(send_mangled(ECHO_OPC_STRICT, body, out.off, 5000, NULL), -DER_PROTO);
	body[0] = 3;
	assert_int_equal(send_mangled(ECHO_OPC_STRICT, body, out.off, 5000, NULL), 0);
	/* An opcode nobody serves. */
	assert_int_equal(send_mangled(999, body, 4, 5000, NULL), -DER_UNREG);
	/* Nobody to answer: dropped, the request times out. */
	assert_int_equal(send_mangled(ECHO_OPC_ECHO, body, 16, 300, mangle_flags), -DER_TIMEDOUT);
	assert_int_equal(send_mangled(ECHO_OPC_ECHO, body, 16, 300, mangle_magic), -DER_TIMEDOUT);
	assert_int_equal(send_mangled(ECHO_OPC_ECHO, body, 16, 300, mangle_garbage), -DER_TIMEDOUT);
	assert_int_equal(send_mangled(ECHO_OPC_ECHO, body, 16, 300, mangle_short), -DER_TIMEDOUT);
	/* And the server still serves everyone. */
	echo_one(1000);
	echo_one(1 << 20);
}

/* --- local bulk --- */

static uint64_t
server_local_bytes(struct net_ctx *c, struct net_peer *pr)
{
	uint8_t reply[8];
	struct buf in = BUF_INIT(reply, sizeof(reply));
	size_t got = 0;

	assert_int_equal(net_call(c, pr, ECHO_OPC_STATS, NULL, 0, 5000, reply, sizeof(reply), &got),
			 0);
	assert_int_equal(got, 8);
	return buf_get_u64(&in);
}

/* A context asking for local bulk, its peer for @uri, and the handshake's outcome. */
static bool
local_ctx(const char *uri, struct net_ctx **c, struct net_peer **pr)
{
	struct net_ctx_attr attr = { .provider = "ofi+tcp",
				     .host = "127.0.0.1",
				     .local_bulk = true };
	uint64_t give_up = mono_ms() + 5000;

	assert_int_equal(net_ctx_create(&attr, c), 0);
	assert_int_equal(net_peer_get(*c, uri, pr), 0);
	echo_with(*c, *pr, 10); /* the first request starts the handshake */
	while ((*pr)->local_state == NET_LOCAL_PENDING && mono_ms() < give_up)
		net_progress(*c, 10);
	assert_int_not_equal((*pr)->local_state, NET_LOCAL_PENDING);
	return net_peer_local(*pr);
}

/*
 * Two processes of one host: the handshake succeeds and bulk data moves by memory copy
 * (the server counts the bytes), every size right, pulls and pushes, at offsets.
 */
static void
local_bulk(void **state)
{
	static const size_t sizes[] = { NET_BODY_MAX + 1, 1 << 20, (1 << 20) + 4093, 64 << 20 };
	struct net_ctx *lc;
	struct net_peer *lp;
	uint64_t before;
	uint64_t moved = 0;
	size_t i;

	(void)state;
	assert_true(local_ctx(srv.uri, &lc, &lp));
	before = server_local_bytes(lc, lp);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		echo_with(lc, lp, sizes[i]);
		moved += 2 * sizes[i]; /* pulled, then pushed back */
	}
	assert_int_equal(server_local_bytes(lc, lp) - before, moved);
	/* A context that did not ask still goes by RMA, at the same time. */
	before = server_local_bytes(lc, lp);
	echo_one(1 << 20);
	assert_int_equal(server_local_bytes(lc, lp), before);
	net_ctx_destroy(lc);
}

/* Pull @len bytes of a @size-byte buffer of 7s with ECHO_OPC_COPY; its status. */
static int
copy_with(struct net_ctx *c, struct net_peer *pr, size_t size, uint64_t len)
{
	uint8_t *src = d_malloc(size);
	uint8_t body[64];
	uint8_t reply[8];
	struct buf out = BUF_INIT(body, sizeof(body));
	struct buf in = BUF_INIT(reply, sizeof(reply));
	struct net_bulk_desc d;
	struct net_bulk *b;
	size_t got = 0;
	int rc;

	assert_non_null(src);
	memset(src, 7, size);
	assert_int_equal(net_bulk_register(c, src, size, NET_BULK_RO, &b), 0);
	net_bulk_desc_get(b, &d);
	net_bulk_desc_encode(&out, &d);
	buf_put_u64(&out, len);
	rc = net_call(c, pr, ECHO_OPC_COPY, body, out.off, 10000, reply, sizeof(reply), &got);
	if (rc == 0) {
		/* the server sums one byte per 4 KiB */
		assert_int_equal(got, 8);
		assert_int_equal(buf_get_u64(&in), 7 * ((len + 4095) / 4096));
	}
	net_bulk_deregister(b);
	d_free(src);
	return rc;
}

/*
 * net_bulk_copy(): the bytes are in place when it returns, for a local requester only
 * (-DER_NOTSUPPORTED otherwise: the caller uses RMA), within the descriptor's range.
 */
static void
local_bulk_copy(void **state)
{
	struct net_ctx *lc;
	struct net_peer *lp;
	uint64_t before;

	(void)state;
	assert_true(local_ctx(srv.uri, &lc, &lp));
	before = server_local_bytes(lc, lp);
	assert_int_equal(copy_with(lc, lp, 3 << 20, 3 << 20), 0);
	assert_int_equal(copy_with(lc, lp, 100000, 99999), 0);
	assert_int_equal(server_local_bytes(lc, lp) - before, (3 << 20) + 99999);
	assert_int_equal(copy_with(lc, lp, 4096, 4097), -DER_INVAL);
	assert_int_equal(copy_with(ctx, peer, 1 << 20, 1 << 20), -DER_NOTSUPPORTED);
	net_ctx_destroy(lc);
}

/* D_NET_LOCAL_BULK=0 turns it off on either side: RMA, nothing copied locally. */
static void
local_bulk_off(void **state)
{
	struct server off = { 0 };
	struct net_ctx *lc;
	struct net_peer *lp;
	uint64_t before;

	(void)state;
	/* The requester's side. */
	setenv("D_NET_LOCAL_BULK", "0", 1);
	assert_false(local_ctx(srv.uri, &lc, &lp));
	unsetenv("D_NET_LOCAL_BULK");
	assert_int_equal(lp->local_state, NET_LOCAL_UNKNOWN); /* never tried */
	before = server_local_bytes(lc, lp);
	echo_with(lc, lp, 3 << 20);
	assert_int_equal(server_local_bytes(lc, lp), before);
	net_ctx_destroy(lc);

	/* The server's side: it refuses the handshake (-DER_UNREG), for good. */
	setenv("D_NET_LOCAL_BULK", "0", 1);
	assert_int_equal(server_start(&off), 0);
	unsetenv("D_NET_LOCAL_BULK");
	assert_false(local_ctx(off.uri, &lc, &lp));
	assert_int_equal(lp->local_state, NET_LOCAL_OFF);
	echo_with(lc, lp, 3 << 20);
	assert_int_equal(server_local_bytes(lc, lp), 0);
	net_call(lc, lp, ECHO_OPC_EXIT, NULL, 0, 5000, NULL, 0, NULL);
	waitpid(off.pid, NULL, 0);
	net_ctx_destroy(lc);
}

static uint64_t forged_token;

/* Add a NET_F_LOCAL token to a request, as a client that guessed one would. */
static void
mangle_token(uint8_t *msg, size_t *len)
{
	size_t at = NET_HDR_SIZE + msg[28];

	memmove(msg + at + 8, msg + at, *len - at);
	memcpy(msg + at, &forged_token, 8);
	msg[6] |= NET_F_LOCAL;
	*len += 8;
}

static uint8_t proof[NET_LOCAL_PROOF + NET_ADDR_MAX];

/* A hand-made HELLO naming @pid and the address of proof[]; the challenge into @chal. */
static int
hello(pid_t pid, uint8_t *chal)
{
	uint8_t body[12];
	struct buf out = BUF_INIT(body, sizeof(body));
	size_t got = 0;
	int rc;

	buf_put_u32(&out, (uint32_t)pid);
	buf_put_u64(&out, (uint64_t)(uintptr_t)proof);
	rc = net_call(ctx, peer, NET_OPC_LOCAL_HELLO, body, out.off, 5000, chal, NET_LOCAL_PROOF,
		      &got);
	if (rc == 0)
		assert_int_equal(got, NET_LOCAL_PROOF);
	return rc;
}

/* Write the proof: @chal, then the address of @server (NULL: some other server's). */
static void
proof_write(const uint8_t *chal, const struct net_peer *server)
{
	memcpy(proof, chal, NET_LOCAL_PROOF);
	if (server != NULL) {
		memcpy(proof + NET_LOCAL_PROOF, server->addr, server->addr_len);
	} else {
		memcpy(proof + NET_LOCAL_PROOF, peer->addr, peer->addr_len);
		proof[NET_LOCAL_PROOF + 3] ^= 1; /* another port */
	}
}

static int
confirm(uint64_t *token)
{
	uint8_t reply[8];
	size_t got = 0;
	int rc;

	rc = net_call(ctx, peer, NET_OPC_LOCAL_CONFIRM, NULL, 0, 5000, reply, sizeof(reply), &got);
	if (rc == 0 && token != NULL) {
		assert_int_equal(got, 8);
		memcpy(token, reply, 8);
	}
	return rc;
}

struct tid_thread {
	pid_t tid;
	int gate[2]; /* the thread stays alive until a byte arrives here */
	int ready[2];
};

static void *
thread_tid(void *arg)
{
	struct tid_thread *t = arg;
	char c = 'x';

	t->tid = gettid();
	if (write(t->ready[1], &c, 1) != 1 || read(t->gate[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

/* A child that takes uids @r, @e, @s (when not -1) and waits to be killed. */
static pid_t
child_as(uid_t r, uid_t e, uid_t s)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (r != (uid_t)-1 && setresuid(r, e, s) != 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(p[0], &c, 1), 1); /* its uids are set */
	close(p[0]);
	close(p[1]);
	return pid;
}

/* Whether the server would serve a child of uids @r, @e, @s (the child ended after). */
static bool
child_acceptable(uid_t r, uid_t e, uid_t s, const char *who)
{
	pid_t pid = child_as(r, e, s);
	bool ok = net_local_pid_acceptable(pid, who);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return ok;
}

/*
 * Whom the server serves: another process of its user; not itself nor one of its
 * threads (the challenge sits in its memory), not a process gone, not a process any of
 * whose uids is another user's (as root: children that drop some or all uids; as
 * another user: init).
 */
static void
local_pid_checks(void **state)
{
	struct tid_thread t = { 0 };
	struct stat st;
	pthread_t th;
	char c = 'x';
	pid_t pid;

	(void)state;
	assert_false(net_local_pid_acceptable(getpid(), "self"));
	assert_int_equal(pipe(t.gate), 0);
	assert_int_equal(pipe(t.ready), 0);
	assert_int_equal(pthread_create(&th, NULL, thread_tid, &t), 0);
	assert_int_equal(read(t.ready[0], &c, 1), 1);
	assert_true(t.tid != getpid());
	assert_false(net_local_pid_acceptable(t.tid, "a thread of ours"));
	assert_int_equal(write(t.gate[1], &c, 1), 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	close(t.gate[0]);
	close(t.gate[1]);
	close(t.ready[0]);
	close(t.ready[1]);
	assert_true(child_acceptable((uid_t)-1, (uid_t)-1, (uid_t)-1, "a child"));
	pid = child_as((uid_t)-1, (uid_t)-1, (uid_t)-1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_false(net_local_pid_acceptable(pid, "a child gone"));
	if (geteuid() == 0) {
		assert_false(child_acceptable(65534, 65534, 65534, "nobody"));
		/* only the saved uid, or only the real uid, differs */
		assert_false(child_acceptable(0, 0, 65534, "saved uid nobody"));
		assert_false(child_acceptable(65534, 0, 0, "real uid nobody"));
	} else if (stat("/proc/1", &st) == 0 && st.st_uid != geteuid()) {
		assert_false(net_local_pid_acceptable(1, "init"));
	}
}

/*
 * Nobody gets local bulk without the proof: a pid that is not the requester's, no
 * challenge, a malformed hello, a guessed token. The server keeps serving by RMA.
 */
static void
local_bulk_forged(void **state)
{
	uint8_t body[12];
	struct buf out = BUF_INIT(body, sizeof(body));
	uint8_t challenge[NET_LOCAL_PROOF];
	uint64_t before;
	pid_t other;
	uint64_t token = 0;
	uint8_t bulk_body[64];
	struct buf bout = BUF_INIT(bulk_body, sizeof(bulk_body));
	uint8_t *src = d_malloc(1 << 20);
	struct net_bulk *bs;
	struct net_bulk_desc ds;

	(void)state;
	/* A CONFIRM with no challenge outstanding. */
	assert_int_equal(net_call(ctx, peer, NET_OPC_LOCAL_CONFIRM, NULL, 0, 5000, NULL, 0, NULL),
			 -DER_PROTO);
	/* A hello naming pid 0, or cut short. */
	buf_put_u32(&out, 0);
	buf_put_u64(&out, (uint64_t)(uintptr_t)proof);
	assert_int_equal(
		net_call(ctx, peer, NET_OPC_LOCAL_HELLO, body, out.off, 5000, NULL, 0, NULL),
		-DER_PROTO);
	assert_int_equal(net_call(ctx, peer, NET_OPC_LOCAL_HELLO, body, 6, 5000, NULL, 0, NULL),
			 -DER_PROTO);

	/* The server's own pid, where the challenge sits: refused whatever the address. */
	assert_int_equal(hello(srv.pid, challenge), 0);
	assert_int_equal(confirm(NULL), -DER_NO_PERM);
	/* After a refusal, no new challenge for a while. */
	assert_int_equal(hello(getpid(), challenge), -DER_AGAIN);
	usleep((NET_LOCAL_RETRY_MS + 100) * 1000);

	/* Claiming another process's pid: the proof is in our memory, not in its. */
	other = fork();
	assert_true(other >= 0);
	if (other == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(hello(other, challenge), 0);
	proof_write(challenge, peer);
	assert_int_equal(confirm(NULL), -DER_NO_PERM);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	/* One try per challenge: confirming again is refused even with the right bytes. */
	assert_int_equal(confirm(NULL), -DER_PROTO);
	usleep((NET_LOCAL_RETRY_MS + 100) * 1000);

	/* A challenge relayed to us: our proof names another server, so it fails. */
	assert_int_equal(hello(getpid(), challenge), 0);
	proof_write(challenge, NULL);
	assert_int_equal(confirm(NULL), -DER_NO_PERM);
	usleep((NET_LOCAL_RETRY_MS + 100) * 1000);

	/* The real thing, by hand: challenge and this server's address: a token. */
	assert_int_equal(hello(getpid(), challenge), 0);
	proof_write(challenge, peer);
	assert_int_equal(confirm(&token), 0);
	assert_int_not_equal(token, 0);

	/* A request with a made-up token: served, by RMA. */
	assert_non_null(src);
	memset(src, 5, 1 << 20);
	assert_int_equal(net_bulk_register(ctx, src, 1 << 20, NET_BULK_RO, &bs), 0);
	net_bulk_desc_get(bs, &ds);
	net_bulk_desc_encode(&bout, &ds);
	buf_put_u64(&bout, 1 << 20);
	before = server_local_bytes(ctx, peer);
	forged_token = 0x1234567887654321ULL;
	assert_int_equal(send_mangled(ECHO_OPC_PULL, bulk_body, bout.off, 5000, mangle_token), 0);
	assert_int_equal(server_local_bytes(ctx, peer), before);
	net_bulk_deregister(bs);
	d_free(src);
	echo_one(1 << 20);
}

/* Nobody listens there: the request fails as unreachable, well before its timeout. */
static void
nobody_listening(void **state)
{
	struct net_peer *p;
	struct pending pd = { 0 };
	uint64_t start = mono_ms();

	(void)state;
	/* Port 1 on loopback: nothing listens there without root. */
	assert_int_equal(net_peer_get(ctx, "ofi+tcp://127.0.0.1:1", &p), 0);
	assert_int_equal(net_req_send(ctx, p, ECHO_OPC_ECHO, "x", 1, 20000, pending_done, &pd), 0);
	while (!pd.done)
		net_progress(ctx, 100);
	assert_int_equal(pd.status, -DER_UNREACH);
	assert_true(pd.at_ms - start < 10000);
	echo_one(10);
}

/* Destroying a context ends its requests with -DER_CANCELED, callbacks included. */
static void
destroy_cancels(void **state)
{
	struct net_ctx_attr attr = { .provider = "ofi+tcp", .host = "127.0.0.1" };
	struct net_ctx *c2;
	struct net_peer *p2;
	struct pending pd[3] = { { 0 } };
	uint8_t body[4];
	struct buf out = BUF_INIT(body, sizeof(body));
	int i;

	(void)state;
	buf_put_u32(&out, 2000);
	assert_int_equal(net_ctx_create(&attr, &c2), 0);
	assert_int_equal(net_peer_get(c2, srv.uri, &p2), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(net_req_send(c2, p2, ECHO_OPC_SLEEP, body, sizeof(body), 20000,
					      pending_done, &pd[i]),
				 0);
	net_progress(c2, 50);
	net_ctx_destroy(c2);
	for (i = 0; i < 3; i++) {
		assert_true(pd[i].done);
		assert_int_equal(pd[i].status, -DER_CANCELED);
	}
	echo_one(10);
}

/* A watched fd ends a wait promptly; while it stays quiet the wait runs its course. */
static void
watch_fd(void **state)
{
	struct net_ctx_attr attr = { .provider = "ofi+tcp", .host = "127.0.0.1" };
	struct net_ctx *c2;
	uint64_t one = 1;
	uint64_t start;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int i;

	(void)state;
	assert_true(efd >= 0);
	assert_int_equal(net_ctx_create(&attr, &c2), 0);
	assert_int_equal(net_ctx_watch_fd(c2, efd), 0);
	start = mono_ms();
	assert_int_equal(net_progress(c2, 200), 0);
	assert_true(mono_ms() - start >= 190);

	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
	start = mono_ms();
	assert_int_equal(net_progress(c2, 10000), 0);
	assert_true(mono_ms() - start < 1000);
	assert_int_equal(read(efd, &one, sizeof(one)), sizeof(one));

	for (i = 1; i < NET_WATCH_FDS_MAX; i++)
		assert_int_equal(net_ctx_watch_fd(c2, efd), 0);
	assert_int_equal(net_ctx_watch_fd(c2, efd), -DER_OVERFLOW);
	net_ctx_destroy(c2);
	close(efd);
}

static void
bad_arguments(void **state)
{
	struct net_peer *p;
	struct net_bulk *b;
	static uint8_t big[NET_BODY_MAX + 1];
	int x;

	(void)state;
	assert_int_equal(net_peer_get(ctx, "ofi+tcp://127.0.0.1", &p), -DER_INVAL);
	assert_int_equal(net_peer_get(ctx, "ofi+sockets://127.0.0.1:1000", &p), -DER_INVAL);
	assert_int_equal(net_peer_get(ctx, "ofi+tcp://host.example:1000", &p), -DER_INVAL);
	assert_int_equal(
		net_req_send(ctx, peer, ECHO_OPC_ECHO, big, sizeof(big), 0, pending_done, NULL),
		-DER_OVERFLOW);
	assert_int_equal(net_bulk_register(ctx, &x, 0, NET_BULK_RO, &b), -DER_INVAL);
	assert_int_equal(net_handler_register(ctx, 3, "low", NULL, NULL), -DER_INVAL);
}

/* (rank, tag) resolves to the same peer as the target's URI does, or says what is wrong. */
static void
group_peers(void **state)
{
	const d_rank_t ranks[] = { 0, 1, 2 };
	const char *uris[] = { "ofi+tcp://127.0.0.1:40100", "ofi+tcp://host.example:40100",
			       "ofi+sockets://127.0.0.1:40100" };
	struct net_group *grp;
	struct net_peer *a;
	struct net_peer *b;

	(void)state;
	assert_int_equal(net_group_create(&grp), 0);
	assert_int_equal(net_group_update(grp, 1, ranks, uris, 3), 0);
	assert_int_equal(net_group_peer(grp, ctx, 0, 0, &a), 0);
	assert_int_equal(net_peer_get(ctx, "ofi+tcp://127.0.0.1:40100", &b), 0);
	assert_ptr_equal(a, b);
	assert_string_equal(net_peer_uri(a), "ofi+tcp://127.0.0.1:40100");
	assert_int_equal(net_group_peer(grp, ctx, 0, 3, &a), 0);
	assert_int_equal(net_peer_get(ctx, "ofi+tcp://127.0.0.1:40103", &b), 0);
	assert_ptr_equal(a, b);
	assert_string_equal(net_peer_uri(a), "ofi+tcp://127.0.0.1:40103");
	assert_int_equal(net_group_peer(grp, ctx, 0, 65536, &a), -DER_INVAL);
	assert_int_equal(net_group_peer(grp, ctx, 0, 65535, &a), -DER_INVAL); /* port > 65535 */
	assert_int_equal(net_group_peer(grp, ctx, 1, 0, &a), -DER_INVAL);     /* not an IP */
	assert_int_equal(net_group_peer(grp, ctx, 2, 0, &a), -DER_INVAL);     /* provider */
	assert_int_equal(net_group_peer(grp, ctx, 9, 0, &a), -DER_OOG);
	net_group_destroy(grp);
}

/*
 * Only a busy context spins before it sleeps: one with a request in flight does; an idle
 * one (no request, no work for longer than the spin) sleeps at once, so a dfuse event
 * queue polling in slices costs nothing.
 */
static void
spin_only_when_busy(void **state)
{
	struct net_ctx_attr attr = { .provider = "ofi+tcp", .host = "127.0.0.1" };
	struct net_ctx *idle;
	struct pending p = { 0 };
	uint8_t body[4];
	struct buf out = BUF_INIT(body, sizeof(body));
	uint64_t before;

	(void)state;
	assert_int_equal(net_ctx_create(&attr, &idle), 0);
	assert_int_equal(net_progress(idle, 20), 0);
	assert_int_equal(idle->nr_spins, 0);
	net_ctx_destroy(idle);

	/* a request the server answers only after 200 ms */
	buf_put_u32(&out, 200);
	assert_int_equal(
		net_req_send(ctx, peer, ECHO_OPC_SLEEP, body, sizeof(body), 5000, pending_done, &p),
		0);
	before = ctx->nr_spins;
	while (!p.done)
		net_progress(ctx, 50);
	assert_int_equal(p.status, 0);
	assert_true(ctx->nr_spins > before);
	/* idle again for longer than the spin: the next wait sleeps without spinning */
	usleep(20000);
	before = ctx->nr_spins;
	assert_int_equal(net_progress(ctx, 20), 0);
	assert_int_equal(ctx->nr_spins, before);
}

/*
 * A context that probed a slow peer, then replies to requests of its own: the probes'
 * send buffers must not come back as the NET_MSG_MAX-byte buffers replies are batched in
 * (an uninitialised flag once sent them there, and an engine's pool service corrupted
 * its heap after a slow pool create). The sanitizer tree sees any overflow at once.
 */
static void
probe_then_replies(void **state)
{
	struct net_ctx_attr attr = { .provider = "ofi+tcp", .host = "127.0.0.1", .probe_ms = 20 };
	struct net_ctx *c;
	struct net_peer *to_srv;
	struct net_peer *self;
	struct net_sbuf *sbuf;
	struct pending p = { 0 };
	uint8_t body[4];
	struct buf out = BUF_INIT(body, sizeof(body));
	int i;

	(void)state;
	assert_int_equal(net_ctx_create(&attr, &c), 0);
	assert_int_equal(echo_register(c), 0);
	assert_int_equal(net_peer_get(c, srv.uri, &to_srv), 0);
	assert_int_equal(net_peer_get(c, net_ctx_uri(c), &self), 0);
	/* 300 ms of silence from the server: about a dozen probes */
	buf_put_u32(&out, 300);
	assert_int_equal(
		net_req_send(c, to_srv, ECHO_OPC_SLEEP, body, sizeof(body), 5000, pending_done, &p),
		0);
	while (!p.done)
		net_progress(c, 50);
	assert_int_equal(p.status, 0);
	d_list_for_each_entry(sbuf, &c->coal_free, op.qlink) {
		assert_true(sbuf->coal);
		assert_true(malloc_usable_size(sbuf) >= sizeof(*sbuf) + NET_MSG_MAX);
	}
	/* replies of the largest size to itself, each batched in a recycled buffer */
	for (i = 0; i < 20; i++)
		echo_with(c, self, NET_BODY_MAX);
	net_ctx_destroy(c);
}

/*
 * A process using the fabric dies on a crash rather than hanging in a backtrace handler
 * that libfabric's PSM libraries install when loaded (net_ctx_create() removes them).
 * Checked in a fresh process: the echo server's --signals mode.
 */
static void
crash_handlers_default(void **state)
{
	char cmd[600];
	char line[128];
	int before = -1;
	int after = -1;
	FILE *f;

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s --signals", getenv("NET_ECHO_SERVER"));
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(pclose(f), 0);
	assert_int_equal(sscanf(line, "SIGNALS %d %d", &before, &after), 2);
	print_message("crash handlers before and after the first context: %d, %d\n", before, after);
	assert_int_equal(after, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(echo_sizes),
		cmocka_unit_test(concurrent_1000),
		cmocka_unit_test(timeout),
		cmocka_unit_test(malformed_rejected),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(nobody_listening),
		cmocka_unit_test(destroy_cancels),
		cmocka_unit_test(server_killed_mid_rpc),
		cmocka_unit_test(watch_fd),
		cmocka_unit_test(group_peers),
		cmocka_unit_test(spin_only_when_busy),
		cmocka_unit_test(probe_then_replies),
		cmocka_unit_test(crash_handlers_default),
		cmocka_unit_test(local_bulk),
		cmocka_unit_test(local_bulk_copy),
		cmocka_unit_test(local_pid_checks),
		cmocka_unit_test(local_bulk_off),
		cmocka_unit_test(local_bulk_forged),
	};

	int rc;

	signal(SIGPIPE, SIG_IGN);
	d_log_init();
	rc = cmocka_run_group_tests_name("net_echo", tests, setup, teardown);
	d_log_fini();
	return rc;
}
