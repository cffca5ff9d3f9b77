/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_wire_tests.c - the fabric-free parts of src/net: provider names, URIs, the
 * message header codec, bulk descriptors, the group map, body buffers and common/buf.h.
 */
#define D_LOGFAC DD_FAC(tests)

#include <pthread.h>
#include <string.h>

#include "common/buf.h"
#include "common/test.h"
#include "net/net.h"

static void
providers(void **state)
{
	char fi[32];

	(void)state;
	assert_int_equal(net_provider_to_fi("ofi+tcp", fi, sizeof(fi)), 0);
	assert_string_equal(fi, "tcp;ofi_rxm");
	assert_int_equal(net_provider_to_fi("ofi+tcp;ofi_rxm", fi, sizeof(fi)), 0);
	assert_string_equal(fi, "tcp;ofi_rxm");
	assert_int_equal(net_provider_to_fi("ofi+sockets", fi, sizeof(fi)), 0);
	assert_string_equal(fi, "sockets");
	assert_int_equal(net_provider_to_fi("ofi+verbs;ofi_rxm", fi, sizeof(fi)), 0);
	assert_int_equal(net_provider_to_fi("ofi+udp;ofi_rxd", fi, sizeof(fi)), 0);
	assert_int_equal(net_provider_to_fi("tcp", fi, sizeof(fi)), -DER_INVAL);
	assert_int_equal(net_provider_to_fi("ucx+rc_x", fi, sizeof(fi)), -DER_INVAL);
	assert_int_equal(net_provider_to_fi("ofi+nosuch", fi, sizeof(fi)), -DER_INVAL);
	assert_int_equal(net_provider_to_fi("ofi+shm", fi, sizeof(fi)), -DER_INVAL);
	assert_int_equal(net_provider_to_fi(NULL, fi, sizeof(fi)), -DER_INVAL);
	assert_int_equal(net_provider_to_fi("ofi+tcp", fi, 4), -DER_OVERFLOW);
}

static void
uris(void **state)
{
	struct net_uri u;
	char out[128];

	(void)state;
	assert_int_equal(net_uri_parse("ofi+tcp://127.0.0.1:31416", &u), 0);
	assert_string_equal(u.provider, "ofi+tcp");
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 31416);
	assert_int_equal(net_uri_format(&u, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "ofi+tcp://127.0.0.1:31419");
	assert_int_equal(net_uri_parse("ofi+tcp;ofi_rxm://10.0.0.1:1", &u), 0);
	assert_string_equal(u.provider, "ofi+tcp;ofi_rxm");
	assert_int_equal(net_uri_parse("ofi+sockets://[::1]:20000", &u), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(net_uri_format(&u, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "ofi+sockets://[::1]:20000");
	assert_int_equal(net_uri_format(&u, 0, out, 10), -DER_OVERFLOW);

	assert_int_equal(net_uri_parse("ofi+tcp://127.0.0.1", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("ofi+tcp://127.0.0.1:0", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("ofi+tcp://127.0.0.1:65536", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("ofi+tcp://127.0.0.1:12x", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("ofi+tcp://:12", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("ofi+tcp://::1:12", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("ofi+tcp://[::1:12", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("127.0.0.1:12", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("bogus://127.0.0.1:12", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse("ofi+tcp://127.0.0.1:-5", &u), -DER_INVAL);
	assert_int_equal(net_uri_parse(NULL, &u), -DER_INVAL);
}

static void
msg_round_trip(void **state)
{
	uint8_t wire[256];
	uint8_t addr[16] = { 2, 0, 1, 2, 127, 0, 0, 1 };
	struct net_msg m = {
		.version = NET_PROTO_VERSION,
		.flags = NET_F_REQUEST,
		.opcode = 77,
		.id = 0x1122334455667788ULL,
		.timeout_ms = 1234,
		.addr = addr,
		.addr_len = sizeof(addr),
		.body = "hello",
		.body_len = 5,
	};
	struct net_msg d;
	int len;

	(void)state;
	len = net_msg_encode(&m, wire, sizeof(wire));
	assert_int_equal(len, NET_HDR_SIZE + 16 + 5);
	/* The header layout documented in net.h. */
	assert_memory_equal(wire, "DNRP", 4);
	assert_int_equal(wire[4], NET_PROTO_VERSION);
	assert_int_equal(wire[8], 77);
	assert_int_equal(wire[12], 5);
	assert_int_equal(wire[16], 0x88);
	assert_int_equal(wire[28], 16);
	assert_int_equal(net_msg_decode(wire, (size_t)len, &d), 0);
	assert_int_equal(d.opcode, 77);
	assert_int_equal(d.id, m.id);
	assert_int_equal(d.timeout_ms, 1234);
	assert_int_equal(d.addr_len, 16);
	assert_memory_equal(d.addr, addr, 16);
	assert_int_equal(d.body_len, 5);
	assert_memory_equal(d.body, "hello", 5);
	assert_int_equal(d.token, 0);

	/* A local-bulk token travels between the address and the body. */
	m.flags = NET_F_REQUEST | NET_F_LOCAL;
	m.token = 0xa1b2c3d4e5f60718ULL;
	len = net_msg_encode(&m, wire, sizeof(wire));
	assert_int_equal(len, NET_HDR_SIZE + 16 + 8 + 5);
	assert_int_equal(wire[NET_HDR_SIZE + 16], 0x18);
	assert_int_equal(net_msg_decode(wire, (size_t)len, &d), 0);
	assert_int_equal(d.token, m.token);
	assert_int_equal(d.body_len, 5);
	assert_memory_equal(d.body, "hello", 5);
	/* Only on two-way requests. */
	wire[6] = NET_F_ONEWAY | NET_F_LOCAL;
	assert_int_equal(net_msg_decode(wire, (size_t)len, &d), -DER_PROTO);
	wire[6] = NET_F_REPLY | NET_F_LOCAL;
	assert_int_equal(net_msg_decode(wire, (size_t)len, &d), -DER_PROTO);

	m.flags = NET_F_REPLY;
	m.addr_len = 0;
	m.status = -DER_NONEXIST;
	len = net_msg_encode(&m, wire, sizeof(wire));
	assert_int_equal(net_msg_decode(wire, (size_t)len, &d), 0);
	assert_int_equal(d.status, -DER_NONEXIST);
	assert_int_equal(net_msg_encode(&m, wire, 20), -DER_OVERFLOW);
	/* A reply may not carry an address. */
	m.addr_len = 16;
	assert_int_equal(net_msg_encode(&m, wire, sizeof(wire)), -DER_INVAL);
}

static void
msg_rejects(void **state)
{
	uint8_t wire[256];
	uint8_t bad[256];
	uint8_t addr[16] = { 2 };
	struct net_msg m = {
		.version = NET_PROTO_VERSION,
		.flags = NET_F_REQUEST,
		.opcode = 16,
		.addr = addr,
		.addr_len = 16,
		.body = "abcdefgh",
		.body_len = 8,
	};
	struct net_msg d;
	int len;
	size_t cut;

	(void)state;
	len = net_msg_encode(&m, wire, sizeof(wire));
	assert_true(len > 0);
	/* Every truncation is refused. */
	for (cut = 0; cut < (size_t)len; cut++)
		assert_int_equal(net_msg_decode(wire, cut, &d), -DER_PROTO);
	/* Trailing bytes. */
	assert_int_equal(net_msg_decode(wire, (size_t)len + 1, &d), -DER_PROTO);
	memcpy(bad, wire, (size_t)len);
	bad[0] = 'X';
	assert_int_equal(net_msg_decode(bad, (size_t)len, &d), -DER_PROTO);
	memcpy(bad, wire, (size_t)len);
	bad[6] = 3; /* request and reply at once */
	assert_int_equal(net_msg_decode(bad, (size_t)len, &d), -DER_PROTO);
	memcpy(bad, wire, (size_t)len);
	bad[28] = 65; /* address longer than NET_ADDR_MAX */
	assert_int_equal(net_msg_decode(bad, (size_t)len, &d), -DER_PROTO);
	memcpy(bad, wire, (size_t)len);
	bad[29] = 1; /* reserved byte */
	assert_int_equal(net_msg_decode(bad, (size_t)len, &d), -DER_PROTO);
	/* Version mismatch: refused, but the sender is known so it can be told. */
	memcpy(bad, wire, (size_t)len);
	bad[4] = 9;
	memset(&d, 0, sizeof(d));
	assert_int_equal(net_msg_decode(bad, (size_t)len, &d), -DER_PROTO);
	assert_int_equal(d.version, 9);
	assert_int_equal(d.addr_len, 16);
	/* A reply with a positive status. */
	m.flags = NET_F_REPLY;
	m.addr_len = 0;
	m.status = 5;
	len = net_msg_encode(&m, wire, sizeof(wire));
	assert_int_equal(net_msg_decode(wire, (size_t)len, &d), -DER_PROTO);
}

/* Coalesced replies: NET_F_MORE lets bytes follow a reply's body, and only a reply's. */
static void
msg_more(void **state)
{
	uint8_t wire[256];
	struct net_msg m = {
		.version = NET_PROTO_VERSION,
		.flags = NET_F_REPLY | NET_F_MORE,
		.id = 7,
		.body = "abc",
		.body_len = 3,
	};
	struct net_msg d;
	int len;
	int len2;

	(void)state;
	len = net_msg_encode(&m, wire, sizeof(wire));
	assert_int_equal(len, NET_HDR_SIZE + 3);
	m.flags = NET_F_REPLY;
	m.id = 8;
	m.body = "defgh";
	m.body_len = 5;
	len2 = net_msg_encode(&m, wire + len, sizeof(wire) - (size_t)len);
	assert_true(len2 > 0);
	/* the first decodes with the second behind it; the second alone */
	assert_int_equal(net_msg_decode(wire, (size_t)(len + len2), &d), 0);
	assert_int_equal(d.flags, NET_F_REPLY | NET_F_MORE);
	assert_int_equal(d.id, 7);
	assert_int_equal(d.body_len, 3);
	assert_memory_equal(d.body, "abc", 3);
	assert_int_equal(net_msg_decode(wire + len, (size_t)len2, &d), 0);
	assert_int_equal(d.id, 8);
	assert_memory_equal(d.body, "defgh", 5);
	/* a MORE reply whose body runs past the bytes is refused */
	assert_int_equal(net_msg_decode(wire, (size_t)len - 1, &d), -DER_PROTO);
	/* without MORE, trailing bytes are refused */
	wire[6] = NET_F_REPLY;
	assert_int_equal(net_msg_decode(wire, (size_t)(len + len2), &d), -DER_PROTO);
	/* MORE on a request is refused */
	wire[6] = NET_F_REQUEST | NET_F_MORE;
	assert_int_equal(net_msg_decode(wire, (size_t)len, &d), -DER_PROTO);
}

static void
bulk_desc(void **state)
{
	uint8_t wire[NET_BULK_DESC_SIZE];
	struct buf out = BUF_INIT(wire, sizeof(wire));
	struct net_bulk_desc in = { .addr = 0x7f0000001000ULL, .len = 1 << 20, .key = 42 };
	struct net_bulk_desc d;
	struct buf b;

	(void)state;
	net_bulk_desc_encode(&out, &in);
	assert_int_equal(out.err, 0);
	assert_int_equal(out.off, NET_BULK_DESC_SIZE);
	buf_init(&b, wire, sizeof(wire));
	net_bulk_desc_decode(&b, &d);
	assert_int_equal(buf_finish(&b), 0);
	assert_memory_equal(&d, &in, sizeof(d));
	/* A range that wraps around is refused. */
	in.addr = UINT64_MAX - 10;
	buf_init(&out, wire, sizeof(wire));
	net_bulk_desc_encode(&out, &in);
	buf_init(&b, wire, sizeof(wire));
	net_bulk_desc_decode(&b, &d);
	assert_int_equal(buf_finish(&b), -DER_PROTO);
	buf_init(&b, wire, sizeof(wire) - 1);
	net_bulk_desc_decode(&b, &d);
	assert_int_equal(buf_finish(&b), -DER_PROTO);
}

static void
group_map(void **state)
{
	TEST_ALLOC_MARK();
	struct net_group *grp;
	const d_rank_t ranks[] = { 2, 0, 1 };
	const char *uris[] = { "ofi+tcp://10.0.0.3:31416", "ofi+tcp://10.0.0.1:31416",
			       "ofi+tcp://10.0.0.2:31416" };
	const char *bad[] = { "ofi+tcp://10.0.0.3:31416", "nonsense", "x" };
	const d_rank_t dup[] = { 1, 1 };
	char out[128];

	(void)state;
	assert_int_equal(net_group_create(&grp), 0);
	assert_int_equal(net_group_uri(grp, 0, 0, out, sizeof(out)), -DER_OOG);
	assert_int_equal(net_group_update(grp, 1, ranks, uris, 3), 0);
	assert_int_equal(net_group_size(grp), 3);
	assert_int_equal(net_group_version(grp), 1);
	assert_int_equal(net_group_uri(grp, 0, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "ofi+tcp://10.0.0.1:31416");
	assert_int_equal(net_group_uri(grp, 2, 5, out, sizeof(out)), 0);
	assert_string_equal(out, "ofi+tcp://10.0.0.3:31421");
	assert_int_equal(net_group_uri(grp, 7, 0, out, sizeof(out)), -DER_OOG);
	/* Same version, same content: accepted; older or different: stale. */
	assert_int_equal(net_group_update(grp, 1, ranks, uris, 3), 0);
	assert_int_equal(net_group_update(grp, 1, ranks, uris, 2), -DER_STALE);
	assert_int_equal(net_group_update(grp, 0, ranks, uris, 3), -DER_STALE);
	assert_int_equal(net_group_update(grp, 2, ranks, bad, 3), -DER_INVAL);
	assert_int_equal(net_group_update(grp, 2, dup, uris, 2), -DER_INVAL);
	assert_int_equal(net_group_update(grp, 2, ranks, uris, 1), 0);
	assert_int_equal(net_group_size(grp), 1);
	assert_int_equal(net_group_uri(grp, 0, 0, out, sizeof(out)), -DER_OOG);
	net_group_destroy(grp);
	TEST_ALLOC_CHECK();
}

static void
buf_codec(void **state)
{
	uint8_t wire[64];
	struct buf b = BUF_INIT(wire, sizeof(wire));
	size_t len;
	const char *s;

	(void)state;
	buf_put_u8(&b, 0xab);
	buf_put_u16(&b, 0x1234);
	buf_put_u32(&b, 0xdeadbeef);
	buf_put_u64(&b, 0x0102030405060708ULL);
	buf_put_str(&b, "pool");
	buf_put_str(&b, NULL);
	assert_int_equal(b.err, 0);
	buf_init(&b, wire, b.off);
	assert_int_equal(buf_get_u8(&b), 0xab);
	assert_int_equal(buf_get_u16(&b), 0x1234);
	assert_int_equal(buf_get_u32(&b), 0xdeadbeef);
	assert_int_equal(buf_get_u64(&b), 0x0102030405060708ULL);
	s = buf_get_str(&b, &len);
	assert_string_equal(s, "pool");
	assert_int_equal(len, 4);
	assert_null(buf_get_str(&b, &len));
	assert_int_equal(buf_finish(&b), 0);
	/* Reading past the end sticks at -DER_PROTO; writing past it at -DER_OVERFLOW. */
	assert_int_equal(buf_get_u32(&b), 0);
	assert_int_equal(buf_finish(&b), -DER_PROTO);
	buf_init(&b, wire, 3);
	buf_put_u32(&b, 1);
	assert_int_equal(b.err, -DER_OVERFLOW);
	/* A string without its NUL, or with one inside. */
	buf_init(&b, wire, sizeof(wire));
	buf_put_bytes(&b, "abc", 3);
	buf_init(&b, wire, 7);
	assert_null(buf_get_str(&b, NULL));
	assert_int_equal(buf_finish(&b), -DER_PROTO);
	buf_init(&b, wire, sizeof(wire));
	buf_put_bytes(&b, "a\0c", 4);
	buf_init(&b, wire, 8);
	assert_null(buf_get_str(&b, NULL));
	assert_int_equal(b.err, -DER_PROTO);
	/* A count bounded by the bytes present. */
	buf_init(&b, wire, sizeof(wire));
	buf_put_u32(&b, 1000);
	buf_init(&b, wire, 4);
	assert_int_equal(buf_get_u32_max(&b, 10), 0);
	assert_int_equal(b.err, -DER_PROTO);
}

/* Body buffers: a thread keeps one spare (reused), a second is freed; another thread
 * gets its own, and its spare goes when it exits (ASan sees any leak). */
static void *
body_thread(void *arg)
{
	void *b = net_body_get();

	(void)arg;
	assert_non_null(b);
	memset(b, 1, NET_BODY_MAX);
	net_body_put(b);
	return NULL;
}

static void
body_cache(void **state)
{
	pthread_t th;
	void *a;
	void *b;

	(void)state;
	a = net_body_get();
	b = net_body_get();
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	memset(a, 0, NET_BODY_MAX);
	memset(b, 0, NET_BODY_MAX);
	net_body_put(a);
	net_body_put(b); /* the spare is taken: freed */
	assert_ptr_equal(net_body_get(), a);
	net_body_put(a);
	net_body_put(NULL);
	assert_int_equal(pthread_create(&th, NULL, body_thread, NULL), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_ptr_equal(net_body_get(), a); /* the other thread's spare was its own */
	net_body_put(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(providers),      cmocka_unit_test(uris),
		cmocka_unit_test(msg_round_trip), cmocka_unit_test(msg_rejects),
		cmocka_unit_test(msg_more),       cmocka_unit_test(bulk_desc),
		cmocka_unit_test(group_map),      cmocka_unit_test(buf_codec),
		cmocka_unit_test(body_cache),
	};

	return cmocka_run_group_tests_name("net_wire", tests, NULL, NULL);
}
