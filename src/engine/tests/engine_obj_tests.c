/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_obj_tests.c - the target data path in one process: a system xstream and two
 * targets with fabric contexts on 127.0.0.1, a pool shard per target on a device file,
 * a group map whose rank 0 is this "engine" and rank 1 a fake pool service (its own
 * xstream, answering RPC_HDL_LOOKUP from a table of handles). A client context drives
 * the object RPCs with the rpc.h codecs: values of 1 B .. 4 MiB inline and by bulk,
 * overwrites, holes, -DER_REC2BIG, punches, enumeration of 10k dkeys, query key,
 * conditions, handle rights and caching, revoke, container destroy, malformed bodies.
 */
#define D_LOGFAC DD_FAC(tests)

#include <gurt/hlc.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/buf.h"
#include "common/test.h"
#include "engine/engine.h"
#include "rpc/rpc.h"
#include "vos/vos.h"

#define NR_TGTS 2
#define MiB (1ULL << 20)
#define SVC_RANK 1
#define TIMEOUT_MS 20000

/* daos_engine's global, which engine_pool.c uses. */
struct engine engine;

/* A handle the fake pool service knows. */
struct ps_hdl {
	uuid_t coh;
	uuid_t cont;
	uuid_t poh;
	uint64_t caps;
	atomic_bool revoked;
};

enum { H_RW, H_RO, H_RW2, H_RW3, H_SLOW, H_CONT2, NR_HDLS };

static struct {
	char *dir;
	char conf[512];
	char dev[512];
	int base_port;
	int ps_port;
	struct eng_xs *ps;
	struct net_ctx *client;
	struct net_peer *tgt[NR_TGTS];
	struct net_peer *sys;
	uuid_t pool;
	uuid_t cont;
	uuid_t cont2;
	uuid_t poh;
	uuid_t poh2;
	struct ps_hdl hdls[NR_HDLS];
	atomic_uint lookups;
	atomic_uint ps_delay_ms;
	sem_t sem;
	int rc;
	uint64_t alloc_mark;
} h;

/* --- the fake pool service --- */

struct ps_later {
	struct net_rpc *rpc;
	int status;
	struct rpc_hdl_info info;
};

static void
ps_answer(void *arg)
{
	struct ps_later *pl = arg;
	uint8_t body[128];
	size_t len = 0;

	if (pl->status == 0)
		len = rpc_hdl_info_encode(&pl->info, body, sizeof(body));
	net_rpc_reply(pl->rpc, pl->status, body, len);
	d_free(pl);
}

static void
ps_lookup(struct net_rpc *rpc, void *arg)
{
	struct ps_later *pl = d_calloc(1, sizeof(*pl));
	const void *body;
	size_t len;
	unsigned int i;

	(void)arg;
	assert_non_null(pl);
	atomic_fetch_add(&h.lookups, 1);
	pl->rpc = rpc;
	body = net_rpc_body(rpc, &len);
	pl->status = rpc_hdl_info_decode(body, len, &pl->info);
	if (pl->status == 0) {
		pl->status = -DER_NO_HDL;
		for (i = 0; i < NR_HDLS; i++) {
			struct ps_hdl *ph = &h.hdls[i];

			if (uuid_compare(ph->coh, pl->info.coh) != 0 ||
			    uuid_compare(ph->cont, pl->info.cont) != 0 ||
			    uuid_compare(h.pool, pl->info.pool) != 0 || atomic_load(&ph->revoked))
				continue;
			pl->status = 0;
			uuid_copy(pl->info.poh, ph->poh);
			pl->info.caps = ph->caps;
			pl->info.flags = 0;
		}
	}
	if (atomic_load(&h.ps_delay_ms) > 0)
		assert_int_equal(eng_timer_add(eng_xs_self(), atomic_load(&h.ps_delay_ms),
					       ps_answer, pl, NULL),
				 0);
	else
		ps_answer(pl);
}

static int
ps_init(struct eng_xs *xs, void *arg)
{
	(void)arg;
	return net_handler_register(eng_xs_net(xs), RPC_HDL_LOOKUP, "fake_lookup", ps_lookup, NULL);
}

/* --- the engine in this process --- */

static int
sys_init(struct eng_xs *xs, void *arg)
{
	struct engine *eng = arg;

	eng->sys = xs;
	return engine_obj_register(eng);
}

static int
tgt_init(struct eng_xs *xs, void *arg)
{
	return engine_obj_tgt_start(arg, xs);
}

static void
tgt_fini(struct eng_xs *xs, void *arg)
{
	(void)arg;
	engine_obj_tgt_stop(xs);
}

static void
shards_done(void *arg, int rc, const struct vos_pool_info *info, unsigned int nr)
{
	(void)arg;
	(void)info;
	(void)nr;
	h.rc = rc;
	sem_post(&h.sem);
}

static void
shards_create(void *arg)
{
	(void)arg;
	h.rc = engine_shards_create(&engine, h.pool, NR_TGTS * 32 * MiB, NR_TGTS * 96 * MiB,
				    shards_done, NULL);
	if (h.rc != 0)
		sem_post(&h.sem);
}

static void
make_storage(void)
{
	struct bio_conf conf = { NULL, 0 };
	struct bio_conf_tier tier = { .tier = 1, .class = BIO_CONF_FILE, .roles = BIO_ROLE_ALL };
	struct bio_dev *dev;
	char *text;
	FILE *f;

	snprintf(h.dev, sizeof(h.dev), "%s/bdev0", h.dir);
	assert_int_equal(bio_dev_open(h.dev, 512 * MiB, BIO_DEV_CREATE, &dev), 0);
	assert_int_equal(bio_dev_format(dev), 0);
	bio_dev_close(dev);
	tier.size = 512 * MiB;
	assert_int_equal(bio_conf_tier_add_dev(&tier, h.dev), 0);
	conf.tiers = &tier;
	conf.nr_tiers = 1;
	assert_int_equal(bio_conf_encode(&conf, &text), 0);
	snprintf(h.conf, sizeof(h.conf), "%s/daos_nvme.conf", h.dir);
	f = fopen(h.conf, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	d_free(text);
	d_free(tier.devices[0]);
	d_free(tier.devices);
}

static void
hdl_add(int i, const uuid_t cont, const uuid_t poh, uint64_t caps)
{
	uuid_generate(h.hdls[i].coh);
	uuid_copy(h.hdls[i].cont, cont);
	uuid_copy(h.hdls[i].poh, poh);
	h.hdls[i].caps = caps;
}

static int
setup(void **state)
{
	struct net_ctx_attr net = { .host = "127.0.0.1" };
	struct net_ctx_attr cnet = { .host = "127.0.0.1" };
	struct eng_xs_attr attr;
	char uris[2][128];
	const char *uri_list[2] = { uris[0], uris[1] };
	d_rank_t ranks[2] = { 0, SVC_RANK };
	char uri[128];
	unsigned int t;

	(void)state;
	assert_int_equal(d_log_init(), 0);
	h.alloc_mark = d_alloc_nr_live();
	sem_init(&h.sem, 0, 0);
	h.dir = test_tmpdir("engobj");
	assert_non_null(h.dir);
	make_storage();
	uuid_generate(h.pool);
	uuid_generate(h.cont);
	uuid_generate(h.cont2);
	uuid_generate(h.poh);
	uuid_generate(h.poh2);
	hdl_add(H_RW, h.cont, h.poh, RPC_CAP_READ | RPC_CAP_WRITE);
	hdl_add(H_RO, h.cont, h.poh, RPC_CAP_READ);
	hdl_add(H_RW2, h.cont, h.poh, RPC_CAP_READ | RPC_CAP_WRITE);
	hdl_add(H_RW3, h.cont, h.poh2, RPC_CAP_READ | RPC_CAP_WRITE);
	hdl_add(H_SLOW, h.cont, h.poh, RPC_CAP_READ | RPC_CAP_WRITE);
	hdl_add(H_CONT2, h.cont2, h.poh, RPC_CAP_READ | RPC_CAP_WRITE);

	engine.args.nr_targets = NR_TGTS;
	engine.args.nvme_conf = h.conf;
	engine.args.crt_timeout = 10;
	assert_int_equal(engine_storage_open(&engine), 0);
	assert_int_equal(net_group_create(&engine.group), 0);

	h.base_port = test_free_ports(NR_TGTS + 1);
	h.ps_port = test_free_ports(1);
	snprintf(uris[0], sizeof(uris[0]), "ofi+tcp://127.0.0.1:%d", h.base_port);
	snprintf(uris[1], sizeof(uris[1]), "ofi+tcp://127.0.0.1:%d", h.ps_port);
	assert_int_equal(net_group_update(engine.group, 1, ranks, uri_list, 2), 0);

	net.port = h.ps_port;
	attr = (struct eng_xs_attr){ .idx = 100, .cpu = -1, .net = &net, .init = ps_init };
	assert_int_equal(eng_xs_start(&attr, &h.ps), 0);

	net.port = h.base_port;
	attr = (struct eng_xs_attr){
		.idx = 0, .cpu = -1, .net = &net, .init = sys_init, .arg = &engine
	};
	assert_int_equal(eng_xs_start(&attr, &engine.sys), 0);
	engine.tgts = d_calloc(NR_TGTS, sizeof(*engine.tgts));
	assert_non_null(engine.tgts);
	for (t = 0; t < NR_TGTS; t++) {
		net.port = h.base_port + 1 + (int)t;
		attr = (struct eng_xs_attr){ .idx = t + 1,
					     .cpu = -1,
					     .net = &net,
					     .ioq_depth = 256,
					     .init = tgt_init,
					     .fini = tgt_fini,
					     .arg = &engine };
		assert_int_equal(eng_xs_start(&attr, &engine.tgts[t]), 0);
	}
	assert_int_equal(eng_xs_exec(engine.sys, shards_create, NULL), 0);
	while (sem_wait(&h.sem) != 0)
		;
	assert_int_equal(h.rc, 0);

	assert_int_equal(net_ctx_create(&cnet, &h.client), 0);
	for (t = 0; t < NR_TGTS; t++) {
		snprintf(uri, sizeof(uri), "ofi+tcp://127.0.0.1:%d", h.base_port + 1 + (int)t);
		assert_int_equal(net_peer_get(h.client, uri, &h.tgt[t]), 0);
	}
	assert_int_equal(net_peer_get(h.client, uris[0], &h.sys), 0);
	return 0;
}

static int
teardown(void **state)
{
	unsigned int t;

	(void)state;
	net_ctx_destroy(h.client);
	engine_pool_close_all(&engine);
	for (t = 0; t < NR_TGTS; t++)
		eng_xs_stop(engine.tgts[t]);
	d_free(engine.tgts);
	engine.tgts = NULL;
	eng_xs_stop(engine.sys);
	eng_xs_stop(h.ps);
	engine_storage_close(&engine);
	net_group_destroy(engine.group);
	unlink(h.dev);
	unlink(h.conf);
	rmdir(h.dir);
	d_free(h.dir);
	sem_destroy(&h.sem);
	/* Everything the engine and the tests allocated is back. */
	assert_int_equal(d_alloc_nr_live(), h.alloc_mark);
	d_log_fini();
	return 0;
}

/* --- the client side --- */

static daos_obj_id_t
oid_make(uint64_t lo, unsigned int type)
{
	daos_obj_id_t oid = { .lo = lo, .hi = (uint64_t)type << 56 };

	return oid;
}

static void
hdr_init(struct rpc_obj_hdr *hd, int hdl, daos_obj_id_t oid, const void *dkey, size_t dkey_len)
{
	memset(hd, 0, sizeof(*hd));
	uuid_copy(hd->pool, h.pool);
	uuid_copy(hd->cont, h.hdls[hdl].cont);
	uuid_copy(hd->coh, h.hdls[hdl].coh);
	hd->svc_rank = SVC_RANK;
	hd->oid = oid;
	d_iov_set(&hd->dkey, (void *)dkey, dkey_len);
}

static void
iod_single(struct rpc_iod *iod, const char *akey, uint64_t size)
{
	memset(iod, 0, sizeof(*iod));
	d_iov_set(&iod->name, (void *)akey, strlen(akey));
	iod->type = DAOS_IOD_SINGLE;
	iod->size = size;
}

static void
iod_array(struct rpc_iod *iod, const char *akey, uint64_t rsize, uint32_t nr, daos_recx_t *recxs)
{
	memset(iod, 0, sizeof(*iod));
	d_iov_set(&iod->name, (void *)akey, strlen(akey));
	iod->type = DAOS_IOD_ARRAY;
	iod->size = rsize;
	iod->nr = nr;
	iod->recxs = recxs;
}

/*
 * Register @len bytes at @buf as @nr_segs segments (fewer if @len is shorter; the last
 * takes the rest). Returns the number of segments.
 */
static uint32_t
segs_make(void *buf, size_t len, uint32_t nr_segs, enum net_bulk_access access,
	  struct net_bulk **bulks, struct rpc_bulk_seg *segs)
{
	size_t part;
	size_t off = 0;
	uint32_t s;

	nr_segs = D_MAX(1, D_MIN(nr_segs, len));
	part = len / nr_segs;

	for (s = 0; s < nr_segs; s++) {
		size_t n = s == nr_segs - 1 ? len - off : part;

		assert_int_equal(
			net_bulk_register(h.client, (uint8_t *)buf + off, n, access, &bulks[s]), 0);
		net_bulk_desc_get(bulks[s], &segs[s].desc);
		segs[s].len = n;
		off += n;
	}
	return nr_segs;
}

static void
segs_free(struct net_bulk **bulks, uint32_t nr)
{
	uint32_t s;

	for (s = 0; s < nr; s++)
		net_bulk_deregister(bulks[s]);
}

/* An update of @len bytes at @data, inline (@nr_segs 0) or by bulk. */
static int
t_update(int tgt, struct rpc_obj_hdr *hd, uint32_t nr, struct rpc_iod *iods, const void *data,
	 size_t len, uint32_t nr_segs, uint64_t *epoch)
{
	static uint8_t body[NET_BODY_MAX];
	struct rpc_obj_rw_in in = { .hdr = *hd, .nr = nr, .iods = iods };
	struct net_bulk *bulks[4];
	struct rpc_bulk_seg segs[4];
	uint8_t reply[16];
	size_t rlen = 0;
	size_t blen;
	int rc;

	if (nr_segs > 0) {
		nr_segs = segs_make((void *)data, len, nr_segs, NET_BULK_RO, bulks, segs);
		in.data.kind = RPC_DATA_BULK;
		in.data.nr_segs = nr_segs;
		in.data.segs = segs;
	} else if (len > 0) {
		in.data.kind = RPC_DATA_INLINE;
		d_iov_set(&in.data.inl, (void *)data, len);
	}
	blen = rpc_obj_update_in_encode(&in, body, sizeof(body));
	assert_true(blen > 0);
	rc = net_call(h.client, h.tgt[tgt], RPC_OBJ_UPDATE, body, blen, TIMEOUT_MS, reply,
		      sizeof(reply), &rlen);
	if (nr_segs > 0)
		segs_free(bulks, nr_segs);
	if (rc == 0) {
		struct buf b = BUF_INIT(reply, rlen);
		uint64_t e = buf_get_u64(&b);

		assert_int_equal(buf_finish(&b), 0);
		assert_true(e > 0);
		if (epoch != NULL)
			*epoch = e;
	}
	return rc;
}

static int
t_put(int tgt, int hdl, daos_obj_id_t oid, const char *dkey, const char *akey, const void *val,
      size_t len, uint64_t flags)
{
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;

	hdr_init(&hd, hdl, oid, dkey, strlen(dkey));
	hd.flags = flags;
	iod_single(&iod, akey, len);
	return t_update(tgt, &hd, 1, &iod, val, len, len > 8192 ? 2 : 0, NULL);
}

enum { F_INLINE, F_BULK, F_NONE };

/* A fetch and what came back; data lands in @buf as libdaos would put it there. */
struct tfetch {
	uint32_t nr;
	struct rpc_iod *iods;
	uint64_t *caps;
	bool want_maps;
	int kind;
	uint32_t nr_segs; /* bulk */
	uint8_t *buf;     /* sum of caps */
	struct rpc_obj_fetch_out out;
	bool has_out;
	uint8_t reply[NET_BODY_MAX];
};

/* Copy an inline answer into @f->buf: all of each iod's bytes, or only the mapped ones. */
static void
inline_apply(struct tfetch *f)
{
	const uint8_t *src = f->out.inl.iov_buf;
	uint64_t base = 0;
	uint64_t in_off = 0;
	uint32_t i;

	for (i = 0; i < f->nr; i++) {
		const struct rpc_iod *iod = &f->iods[i];
		uint64_t rsize = f->out.sizes[i];
		uint64_t dst = 0;
		uint32_t r;

		if (f->out.maps == NULL || iod->type == DAOS_IOD_SINGLE) {
			memcpy(f->buf + base, src + in_off, f->out.data_lens[i]);
		} else {
			const struct rpc_iom *m = &f->out.maps[i];

			assert_int_equal(m->nr_recxs, m->nr);
			for (r = 0; r < iod->nr; r++) {
				const daos_recx_t *rx = &iod->recxs[r];
				uint32_t e;

				for (e = 0; e < m->nr_recxs; e++) {
					const daos_recx_t *x = &m->recxs[e];
					uint64_t lo = D_MAX(x->rx_idx, rx->rx_idx);
					uint64_t hi =
						D_MIN(x->rx_idx + x->rx_nr, rx->rx_idx + rx->rx_nr);

					if (lo >= hi)
						continue;
					memcpy(f->buf + base + dst + (lo - rx->rx_idx) * rsize,
					       src + in_off + dst + (lo - rx->rx_idx) * rsize,
					       (hi - lo) * rsize);
				}
				dst += rx->rx_nr * rsize;
			}
		}
		in_off += f->out.data_lens[i];
		base += f->caps[i];
	}
	assert_int_equal(in_off, f->out.inl.iov_len);
}

static int
t_fetch(int tgt, struct rpc_obj_hdr *hd, struct tfetch *f)
{
	static uint8_t body[NET_BODY_MAX];
	struct rpc_obj_rw_in in = {
		.hdr = *hd, .nr = f->nr, .iods = f->iods, .caps = f->caps, .want_maps = f->want_maps
	};
	struct net_bulk *bulks[4];
	struct rpc_bulk_seg segs[4];
	uint64_t total = 0;
	size_t rlen = 0;
	size_t blen;
	uint32_t i;
	int rc;

	for (i = 0; i < f->nr; i++)
		total += f->caps[i];
	if (f->kind == F_BULK) {
		in.data.kind = RPC_DATA_BULK;
		in.data.nr_segs = segs_make(f->buf, total, f->nr_segs, NET_BULK_WO, bulks, segs);
		in.data.segs = segs;
	} else if (f->kind == F_INLINE) {
		in.data.kind = RPC_DATA_INLINE;
	}
	blen = rpc_obj_fetch_in_encode(&in, body, sizeof(body));
	assert_true(blen > 0);
	rc = net_call(h.client, h.tgt[tgt], RPC_OBJ_FETCH, body, blen, TIMEOUT_MS, f->reply,
		      sizeof(f->reply), &rlen);
	if (f->kind == F_BULK)
		segs_free(bulks, in.data.nr_segs);
	f->has_out = false;
	if (rc == 0 || rc == -DER_REC2BIG) {
		assert_int_equal(rpc_obj_fetch_out_decode(f->reply, rlen, &f->out), 0);
		assert_int_equal(f->out.nr, f->nr);
		f->has_out = true;
		if (rc == 0 && f->kind == F_INLINE)
			inline_apply(f);
		if (f->kind != F_INLINE)
			assert_int_equal(f->out.inl.iov_len, 0);
	}
	return rc;
}

static void
tfetch_fini(struct tfetch *f)
{
	if (f->has_out)
		rpc_obj_fetch_out_fini(&f->out);
	f->has_out = false;
}

/* Fetch single value @akey into @buf (room @cap); *@size is its size. */
static int
t_get(int tgt, int hdl, daos_obj_id_t oid, const char *dkey, const char *akey, void *buf,
      uint64_t cap, int kind, uint64_t *size)
{
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;
	struct tfetch *f = d_calloc(1, sizeof(*f));
	int rc;

	assert_non_null(f);
	hdr_init(&hd, hdl, oid, dkey, strlen(dkey));
	iod_single(&iod, akey, 0);
	f->nr = 1;
	f->iods = &iod;
	f->caps = &cap;
	f->kind = kind;
	f->nr_segs = 2;
	f->buf = buf;
	rc = t_fetch(tgt, &hd, f);
	if (f->has_out) {
		*size = f->out.sizes[0];
		if (rc == 0)
			assert_int_equal(f->out.data_lens[0],
					 kind == F_NONE || cap == 0 ? 0 : *size);
	}
	tfetch_fini(f);
	d_free(f);
	return rc;
}

static void
fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed * 13 + (i >> 8));
}

/* --- tests --- */

/* Single values of 1 B .. 4 MiB, written and read inline and by bulk, on both targets. */
static void
single_values(void **state)
{
	static const size_t sizes[] = { 1, 100, 4095, 4096, 4097, 8000, 65536, MiB, 4 * MiB };
	uint8_t *val = d_malloc(4 * MiB);
	uint8_t *got = d_malloc(4 * MiB + 64);
	daos_obj_id_t oid = oid_make(1, 0);
	unsigned int i;

	(void)state;
	assert_non_null(val);
	assert_non_null(got);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t len = sizes[i];
		int tgt = i % NR_TGTS;
		char akey[32];
		uint64_t size = 0;

		snprintf(akey, sizeof(akey), "sv%zu", len);
		fill(val, len, i);
		assert_int_equal(t_put(tgt, H_RW, oid, "dkey", akey, val, len, 0), 0);
		/* bulk, with room to spare */
		memset(got, 0, len + 64);
		assert_int_equal(t_get(tgt, H_RW, oid, "dkey", akey, got, len + 64, F_BULK, &size),
				 0);
		assert_int_equal(size, len);
		assert_memory_equal(got, val, len);
		assert_int_equal(got[len], 0);
		/* inline when it fits a reply */
		if (len <= 8000) {
			memset(got, 0, len);
			assert_int_equal(
				t_get(tgt, H_RW, oid, "dkey", akey, got, len, F_INLINE, &size), 0);
			assert_int_equal(size, len);
			assert_memory_equal(got, val, len);
		}
		/* the other target never saw it */
		assert_int_equal(t_get((tgt + 1) % NR_TGTS, H_RW, oid, "dkey", akey, got, len,
				       F_BULK, &size),
				 0);
		assert_int_equal(size, 0);
	}
	d_free(val);
	d_free(got);
}

/* Arrays of 1 B .. 4 MiB in one or several extents, inline and by bulk. */
static void
arrays(void **state)
{
	static const uint64_t lens[] = { 1, 777, 4096, 100000, MiB, 4 * MiB };
	uint8_t *val = d_malloc(4 * MiB);
	uint8_t *got = d_malloc(4 * MiB);
	daos_obj_id_t oid = oid_make(2, 0);
	struct tfetch *f = d_calloc(1, sizeof(*f));
	unsigned int i;

	(void)state;
	assert_non_null(val);
	assert_non_null(got);
	assert_non_null(f);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		uint64_t len = lens[i];
		uint64_t rsize = len % 8 == 0 ? 8 : 1;
		uint64_t nrec = len / rsize;
		/* two extents with a gap between them in the index, contiguous in the data */
		daos_recx_t recxs[2] = { { 10, nrec / 2 }, { 10 + nrec, nrec - nrec / 2 } };
		uint32_t nr_recxs = nrec > 1 ? 2 : 1;
		struct rpc_obj_hdr hd;
		struct rpc_iod iod;
		uint64_t cap = len;
		int tgt = i % NR_TGTS;

		if (nr_recxs == 1)
			recxs[0].rx_nr = 1;
		fill(val, len, i + 100);
		hdr_init(&hd, H_RW, oid, "adkey", 5);
		iod_array(&iod, "arr", rsize, nr_recxs, recxs);
		assert_int_equal(t_update(tgt, &hd, 1, &iod, val, len, len > 8000 ? 3 : 0, NULL),
				 0);
		memset(f, 0, sizeof(*f));
		f->nr = 1;
		f->iods = &iod;
		f->caps = &cap;
		f->kind = F_BULK;
		f->nr_segs = 3;
		f->buf = got;
		f->want_maps = true;
		memset(got, 0, len);
		assert_int_equal(t_fetch(tgt, &hd, f), 0);
		assert_int_equal(f->out.sizes[0], rsize);
		assert_int_equal(f->out.data_lens[0], len);
		assert_int_equal(f->out.maps[0].nr, nr_recxs);
		assert_memory_equal(got, val, len);
		tfetch_fini(f);
		if (len <= 8000) {
			f->kind = F_INLINE;
			f->want_maps = false;
			memset(got, 0, len);
			assert_int_equal(t_fetch(tgt, &hd, f), 0);
			assert_memory_equal(got, val, len);
			tfetch_fini(f);
		}
		/* record size asked as 0 (any): the same answer */
		iod.size = 0;
		f->kind = F_BULK;
		memset(got, 0, len);
		assert_int_equal(t_fetch(tgt, &hd, f), 0);
		assert_int_equal(f->out.sizes[0], rsize);
		assert_memory_equal(got, val, len);
		tfetch_fini(f);
	}
	d_free(f);
	d_free(val);
	d_free(got);
}

/* The latest write wins, for values and for the overlapping part of extents. */
static void
overwrites(void **state)
{
	daos_obj_id_t oid = oid_make(3, 0);
	uint8_t buf[64];
	uint8_t arr[100];
	uint8_t patch[10];
	uint8_t got[100];
	daos_recx_t all = { 0, 100 };
	daos_recx_t mid = { 45, 10 };
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;
	uint64_t cap = sizeof(got);
	uint64_t e1;
	uint64_t e2;
	uint64_t size;
	struct tfetch *f = d_calloc(1, sizeof(*f));

	(void)state;
	assert_non_null(f);
	assert_int_equal(t_put(0, H_RW, oid, "d", "a", "first value", 11, 0), 0);
	assert_int_equal(t_put(0, H_RW, oid, "d", "a", "second", 6, 0), 0);
	assert_int_equal(t_get(0, H_RW, oid, "d", "a", buf, sizeof(buf), F_INLINE, &size), 0);
	assert_int_equal(size, 6);
	assert_memory_equal(buf, "second", 6);

	memset(arr, 'a', sizeof(arr));
	memset(patch, 'b', sizeof(patch));
	hdr_init(&hd, H_RW, oid, "d", 1);
	iod_array(&iod, "arr", 1, 1, &all);
	assert_int_equal(t_update(0, &hd, 1, &iod, arr, sizeof(arr), 0, &e1), 0);
	iod_array(&iod, "arr", 1, 1, &mid);
	assert_int_equal(t_update(0, &hd, 1, &iod, patch, sizeof(patch), 1, &e2), 0);
	assert_true(e2 > e1);
	iod_array(&iod, "arr", 1, 1, &all);
	f->nr = 1;
	f->iods = &iod;
	f->caps = &cap;
	f->kind = F_INLINE;
	f->buf = got;
	assert_int_equal(t_fetch(0, &hd, f), 0);
	memset(arr + 45, 'b', 10);
	assert_memory_equal(got, arr, sizeof(arr));
	tfetch_fini(f);
	/* at the first epoch, the first version */
	hd.epoch = e1;
	assert_int_equal(t_fetch(0, &hd, f), 0);
	memset(arr + 45, 'a', 10);
	assert_memory_equal(got, arr, sizeof(arr));
	tfetch_fini(f);
	d_free(f);
}

/* Holes are never written into the client's buffers, by bulk or inline. */
static void
holes(void **state)
{
	daos_obj_id_t oid = oid_make(4, 0);
	daos_recx_t w1 = { 0, 10 };
	daos_recx_t w2 = { 20, 10 };
	daos_recx_t whole = { 0, 40 };
	uint8_t data[10];
	uint8_t got[40];
	uint64_t cap = sizeof(got);
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;
	struct tfetch *f = d_calloc(1, sizeof(*f));
	int kind;
	unsigned int i;

	(void)state;
	assert_non_null(f);
	hdr_init(&hd, H_RW, oid, "d", 1);
	memset(data, 'x', sizeof(data));
	iod_array(&iod, "arr", 1, 1, &w1);
	assert_int_equal(t_update(1, &hd, 1, &iod, data, sizeof(data), 0, NULL), 0);
	memset(data, 'y', sizeof(data));
	iod_array(&iod, "arr", 1, 1, &w2);
	assert_int_equal(t_update(1, &hd, 1, &iod, data, sizeof(data), 1, NULL), 0);

	iod_array(&iod, "arr", 1, 1, &whole);
	for (kind = F_INLINE; kind <= F_BULK; kind++) {
		memset(f, 0, sizeof(*f));
		f->nr = 1;
		f->iods = &iod;
		f->caps = &cap;
		f->kind = kind;
		f->nr_segs = 2;
		f->buf = got;
		memset(got, '#', sizeof(got));
		assert_int_equal(t_fetch(1, &hd, f), 0);
		assert_int_equal(f->out.data_lens[0], 30);
		/* an inline answer with holes carries the maps unasked */
		if (kind == F_INLINE) {
			assert_non_null(f->out.maps);
			assert_int_equal(f->out.maps[0].nr, 2);
			assert_int_equal(f->out.maps[0].hi.rx_idx, 20);
		}
		for (i = 0; i < 40; i++)
			assert_int_equal(got[i], i < 10 ? 'x' : i < 20 ? '#' : i < 30 ? 'y' : '#');
		tfetch_fini(f);
	}
	/* a punched extent is a hole too */
	iod_array(&iod, "arr", 0, 1, &w1);
	assert_int_equal(t_update(1, &hd, 1, &iod, NULL, 0, 0, NULL), 0);
	iod_array(&iod, "arr", 1, 1, &whole);
	f->kind = F_BULK;
	memset(got, '#', sizeof(got));
	assert_int_equal(t_fetch(1, &hd, f), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(got[i], i >= 20 && i < 30 ? 'y' : '#');
	tfetch_fini(f);
	d_free(f);
}

/* 300 one-record extents with holes between: maps beyond a guess, and beyond a reply. */
static void
fragments(void **state)
{
	enum { NR = 300 };
	daos_obj_id_t oid = oid_make(15, 0);
	daos_recx_t *recxs = d_calloc(NR, sizeof(*recxs));
	daos_recx_t whole = { 0, 2 * NR };
	uint8_t data[NR];
	uint8_t got[2 * NR];
	uint64_t cap = sizeof(got);
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;
	struct tfetch *f = d_calloc(1, sizeof(*f));
	unsigned int i;

	(void)state;
	assert_non_null(recxs);
	assert_non_null(f);
	for (i = 0; i < NR; i++) {
		recxs[i].rx_idx = 2 * i;
		recxs[i].rx_nr = 1;
		data[i] = (uint8_t)(i + 1);
	}
	hdr_init(&hd, H_RW, oid, "d", 1);
	iod_array(&iod, "frag", 1, NR, recxs);
	assert_int_equal(t_update(0, &hd, 1, &iod, data, sizeof(data), 0, NULL), 0);

	iod_array(&iod, "frag", 1, 1, &whole);
	f->nr = 1;
	f->iods = &iod;
	f->caps = &cap;
	f->kind = F_BULK;
	f->nr_segs = 3;
	f->buf = got;
	f->want_maps = true;
	memset(got, '#', sizeof(got));
	assert_int_equal(t_fetch(0, &hd, f), 0);
	assert_int_equal(f->out.data_lens[0], 2 * NR - 1);
	assert_int_equal(f->out.maps[0].nr, NR);
	assert_int_equal(f->out.maps[0].nr_recxs, RPC_IOM_MAX);
	assert_int_equal(f->out.maps[0].hi.rx_idx, 2 * NR - 2);
	for (i = 0; i < 2 * NR; i++)
		assert_int_equal(got[i], i % 2 == 0 ? (uint8_t)(i / 2 + 1) : '#');
	tfetch_fini(f);
	/* inline cannot say where all the holes are */
	f->kind = F_INLINE;
	f->want_maps = false;
	assert_int_equal(t_fetch(0, &hd, f), -DER_OVERFLOW);
	d_free(f);
	d_free(recxs);
}

/* A buffer too small: -DER_REC2BIG with every size needed; cap 0 asks only the size. */
static void
rec2big(void **state)
{
	daos_obj_id_t oid = oid_make(5, 0);
	uint8_t val[1000];
	uint8_t got[1000];
	struct rpc_obj_hdr hd;
	struct rpc_iod iods[2];
	uint64_t caps[2];
	uint64_t size;
	struct tfetch *f = d_calloc(1, sizeof(*f));

	(void)state;
	assert_non_null(f);
	fill(val, sizeof(val), 5);
	assert_int_equal(t_put(0, H_RW, oid, "d", "big", val, 1000, 0), 0);
	assert_int_equal(t_put(0, H_RW, oid, "d", "small", val, 10, 0), 0);
	assert_int_equal(t_get(0, H_RW, oid, "d", "big", got, 999, F_BULK, &size), -DER_REC2BIG);
	assert_int_equal(size, 1000);
	assert_int_equal(t_get(0, H_RW, oid, "d", "big", got, 0, F_INLINE, &size), 0);
	assert_int_equal(size, 1000);
	assert_int_equal(t_get(0, H_RW, oid, "d", "big", got, 1000, F_NONE, &size), 0);
	assert_int_equal(size, 1000);
	/* a cap far beyond RPC_IO_MAX is fine when the value is small */
	assert_int_equal(t_get(0, H_RW, oid, "d", "big", got, 1ULL << 40, F_INLINE, &size), 0);
	assert_int_equal(size, 1000);
	assert_memory_equal(got, val, 1000);

	/* both sizes reported, whichever was too big */
	hdr_init(&hd, H_RW, oid, "d", 1);
	iod_single(&iods[0], "small", 0);
	iod_single(&iods[1], "big", 0);
	caps[0] = 10;
	caps[1] = 500;
	f->nr = 2;
	f->iods = iods;
	f->caps = caps;
	f->kind = F_BULK;
	f->buf = got;
	assert_int_equal(t_fetch(0, &hd, f), -DER_REC2BIG);
	assert_int_equal(f->out.sizes[0], 10);
	assert_int_equal(f->out.sizes[1], 1000);
	tfetch_fini(f);
	d_free(f);
}

static int
t_punch(int tgt, int hdl, daos_obj_id_t oid, const char *dkey, uint8_t kind, const char *akey,
	uint64_t flags)
{
	uint8_t body[512];
	uint8_t reply[8];
	struct rpc_obj_punch_in in = { .kind = kind };
	d_iov_t ak;
	size_t blen;

	hdr_init(&in.hdr, hdl, oid, dkey, dkey ? strlen(dkey) : 0);
	in.hdr.flags = flags;
	if (akey != NULL) {
		d_iov_set(&ak, (void *)akey, strlen(akey));
		in.nr = 1;
		in.akeys = &ak;
	}
	blen = rpc_obj_punch_in_encode(&in, body, sizeof(body));
	assert_true(blen > 0);
	return net_call(h.client, h.tgt[tgt], RPC_OBJ_PUNCH, body, blen, TIMEOUT_MS, reply,
			sizeof(reply), NULL);
}

static void
punches(void **state)
{
	daos_obj_id_t oid = oid_make(6, 0);
	uint8_t got[16];
	uint64_t size;

	(void)state;
	assert_int_equal(t_put(1, H_RW, oid, "d1", "a1", "v11", 3, 0), 0);
	assert_int_equal(t_put(1, H_RW, oid, "d1", "a2", "v12", 3, 0), 0);
	assert_int_equal(t_put(1, H_RW, oid, "d2", "a1", "v21", 3, 0), 0);
	assert_int_equal(t_punch(1, H_RW, oid, "d1", RPC_PUNCH_AKEYS, "a1", 0), 0);
	assert_int_equal(t_get(1, H_RW, oid, "d1", "a1", got, 16, F_INLINE, &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(t_get(1, H_RW, oid, "d1", "a2", got, 16, F_INLINE, &size), 0);
	assert_int_equal(size, 3);
	assert_int_equal(t_punch(1, H_RW, oid, "d1", RPC_PUNCH_DKEY, NULL, 0), 0);
	assert_int_equal(t_get(1, H_RW, oid, "d1", "a2", got, 16, F_INLINE, &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(t_get(1, H_RW, oid, "d2", "a1", got, 16, F_INLINE, &size), 0);
	assert_int_equal(size, 3);
	assert_int_equal(t_punch(1, H_RW, oid, NULL, RPC_PUNCH_OBJ, NULL, 0), 0);
	assert_int_equal(t_get(1, H_RW, oid, "d2", "a1", got, 16, F_INLINE, &size), 0);
	assert_int_equal(size, 0);
	/* a conditional punch of what is not there */
	assert_int_equal(t_punch(1, H_RW, oid, "d2", RPC_PUNCH_DKEY, NULL, DAOS_COND_PUNCH),
			 -DER_NONEXIST);
	/* a punch needs the right to write */
	assert_int_equal(t_punch(1, H_RO, oid, "d2", RPC_PUNCH_DKEY, NULL, 0), -DER_NO_PERM);
}

/* --- enumeration --- */

/* One enumeration call; the reply stays in @reply (of *@rlen bytes). */
static int
t_enum(int tgt, int hdl, daos_obj_id_t oid, const char *dkey, uint8_t kind, const char *akey,
       uint8_t *anchor, uint32_t nr, uint32_t room, uint8_t *reply, size_t *rlen)
{
	uint8_t body[512];
	struct rpc_obj_enum_in in = { .kind = kind, .nr = nr, .room = room };
	size_t blen;

	hdr_init(&in.hdr, hdl, oid, dkey, dkey ? strlen(dkey) : 0);
	if (akey != NULL)
		d_iov_set(&in.akey, (void *)akey, strlen(akey));
	memcpy(in.anchor, anchor, RPC_ANCHOR_SIZE);
	blen = rpc_obj_enum_in_encode(&in, body, sizeof(body));
	assert_true(blen > 0);
	return net_call(h.client, h.tgt[tgt], RPC_OBJ_ENUM, body, blen, TIMEOUT_MS, reply,
			NET_BODY_MAX, rlen);
}

static bool
anchor_eof(const uint8_t *anchor)
{
	struct vos_anchor a;

	memcpy(&a, anchor, sizeof(a));
	return vos_anchor_is_eof(&a);
}

struct window {
	unsigned int inflight;
	unsigned int done;
	int rc;
};

static void
window_done(void *arg, int status, const void *body, size_t len)
{
	struct window *w = arg;

	(void)body;
	(void)len;
	w->inflight--;
	w->done++;
	if (status != 0 && w->rc == 0)
		w->rc = status;
}

/* 10k dkeys, written 64 at a time, listed in batches until EOF: each exactly once. */
static void
enum_dkeys(void **state)
{
	enum { NR_KEYS = 10000 };
	daos_obj_id_t oid = oid_make(7, 0);
	uint8_t *seen = d_calloc(NR_KEYS, 1);
	uint8_t *reply = d_malloc(NET_BODY_MAX);
	static uint8_t body[NET_BODY_MAX];
	uint8_t anchor[RPC_ANCHOR_SIZE] = { 0 };
	struct window w = { 0 };
	unsigned int total = 0;
	unsigned int calls = 0;
	unsigned int i;

	(void)state;
	assert_non_null(seen);
	assert_non_null(reply);
	for (i = 0; i < NR_KEYS; i++) {
		struct rpc_obj_rw_in in = { .nr = 1 };
		struct rpc_iod iod;
		char dkey[32];
		size_t blen;

		snprintf(dkey, sizeof(dkey), "key-%05u", i);
		hdr_init(&in.hdr, H_RW, oid, dkey, strlen(dkey));
		iod_single(&iod, "a", 4);
		in.iods = &iod;
		in.data.kind = RPC_DATA_INLINE;
		d_iov_set(&in.data.inl, &i, 4);
		blen = rpc_obj_update_in_encode(&in, body, sizeof(body));
		assert_int_equal(net_req_send(h.client, h.tgt[0], RPC_OBJ_UPDATE, body, blen,
					      TIMEOUT_MS, window_done, &w),
				 0);
		w.inflight++;
		while (w.inflight >= 64)
			assert_true(net_progress(h.client, 100) >= 0);
	}
	while (w.inflight > 0)
		assert_true(net_progress(h.client, 100) >= 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.done, NR_KEYS);

	while (!anchor_eof(anchor)) {
		size_t rlen = 0;
		struct buf b;
		uint32_t n;

		assert_int_equal(t_enum(0, H_RW, oid, NULL, RPC_ENUM_DKEY, NULL, anchor, 5000,
					1 << 20, reply, &rlen),
				 0);
		calls++;
		buf_init(&b, reply, rlen);
		memcpy(anchor, buf_get_bytes_raw(&b, RPC_ANCHOR_SIZE), RPC_ANCHOR_SIZE);
		n = buf_get_u32(&b);
		for (i = 0; i < n; i++) {
			size_t klen;
			const char *k = buf_get_bytes(&b, &klen);
			unsigned int idx;

			assert_non_null(k);
			assert_int_equal(klen, 9);
			assert_int_equal(sscanf(k, "key-%05u", &idx), 1);
			assert_true(idx < NR_KEYS);
			assert_int_equal(seen[idx], 0);
			seen[idx] = 1;
		}
		assert_int_equal(buf_finish(&b), 0);
		total += n;
		assert_true(calls < 100);
	}
	assert_int_equal(total, NR_KEYS);
	/* one reply body cannot hold 10k keys: it took several calls */
	assert_true(calls > 2);

	/* no room for a 9-byte key: -DER_KEY2BIG says 9 */
	memset(anchor, 0, sizeof(anchor));
	{
		size_t rlen = 0;
		struct buf b;

		assert_int_equal(t_enum(0, H_RW, oid, NULL, RPC_ENUM_DKEY, NULL, anchor, 10, 5,
					reply, &rlen),
				 -DER_KEY2BIG);
		buf_init(&b, reply, rlen);
		assert_int_equal(buf_get_u32(&b), 9);
		assert_int_equal(buf_finish(&b), 0);
	}
	/* a target without the container: an empty list at EOF */
	{
		size_t rlen = 0;
		struct buf b;

		assert_int_equal(t_enum(1, H_CONT2, oid, NULL, RPC_ENUM_DKEY, NULL, anchor, 10, 100,
					reply, &rlen),
				 0);
		buf_init(&b, reply, rlen);
		assert_true(anchor_eof(buf_get_bytes_raw(&b, RPC_ANCHOR_SIZE)));
		assert_int_equal(buf_get_u32(&b), 0);
	}
	d_free(seen);
	d_free(reply);
}

/* Every object of the container on a target, 3 per call until EOF; punched ones drop out. */
static void
enum_objects(void **state)
{
	enum { NR_OBJS = 10, BASE = 500 };
	uint8_t anchor[RPC_ANCHOR_SIZE] = { 0 };
	uint8_t *reply = d_malloc(NET_BODY_MAX);
	unsigned int seen[NR_OBJS] = { 0 };
	unsigned int calls = 0;
	unsigned int i;

	(void)state;
	assert_non_null(reply);
	for (i = 0; i < NR_OBJS; i++)
		assert_int_equal(t_put(0, H_RW, oid_make(BASE + i, 0), "d", "a", "v", 1, 0), 0);
	assert_int_equal(t_punch(0, H_RW, oid_make(BASE + 3, 0), NULL, RPC_PUNCH_OBJ, NULL, 0), 0);
	while (!anchor_eof(anchor)) {
		struct rpc_obj_list_out out;
		size_t rlen = 0;

		assert_int_equal(t_enum(0, H_RO, oid_make(0, 0), NULL, RPC_ENUM_OBJ, NULL, anchor,
					3, 0, reply, &rlen),
				 0);
		assert_int_equal(rpc_obj_list_out_decode(reply, rlen, &out), 0);
		assert_true(out.nr <= 3);
		for (i = 0; i < out.nr; i++) {
			uint64_t lo = out.ids[i].oid.lo;

			if (lo >= BASE && lo < BASE + NR_OBJS && out.ids[i].oid.hi == 0)
				seen[lo - BASE]++;
		}
		memcpy(anchor, out.anchor, RPC_ANCHOR_SIZE);
		rpc_obj_list_out_fini(&out);
		assert_true(++calls < 1000);
	}
	for (i = 0; i < NR_OBJS; i++)
		assert_int_equal(seen[i], i == 3 ? 0 : 1);
	/* a target without the container: nothing, at EOF */
	{
		struct rpc_obj_list_out out;
		size_t rlen = 0;

		memset(anchor, 0, sizeof(anchor));
		assert_int_equal(t_enum(1, H_CONT2, oid_make(0, 0), NULL, RPC_ENUM_OBJ, NULL,
					anchor, 10, 0, reply, &rlen),
				 0);
		assert_int_equal(rpc_obj_list_out_decode(reply, rlen, &out), 0);
		assert_int_equal(out.nr, 0);
		assert_true(anchor_eof(out.anchor));
	}
	d_free(reply);
}

/* Akeys of a dkey, and the extents of an array (adjacent ones merged). */
static void
enum_akeys_recxs(void **state)
{
	daos_obj_id_t oid = oid_make(8, 0);
	uint8_t *reply = d_malloc(NET_BODY_MAX);
	uint8_t anchor[RPC_ANCHOR_SIZE] = { 0 };
	daos_recx_t recxs[3] = { { 0, 10 }, { 20, 10 }, { 30, 5 } };
	uint8_t data[25];
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;
	unsigned int seen = 0;
	size_t rlen;
	struct buf b;
	uint32_t n;
	uint32_t i;

	(void)state;
	assert_non_null(reply);
	for (i = 0; i < 5; i++) {
		char akey[8];

		snprintf(akey, sizeof(akey), "ak%u", i);
		assert_int_equal(t_put(0, H_RW, oid, "dk", akey, "v", 1, 0), 0);
	}
	assert_int_equal(
		t_enum(0, H_RW, oid, "dk", RPC_ENUM_AKEY, NULL, anchor, 100, 1000, reply, &rlen),
		0);
	buf_init(&b, reply, rlen);
	buf_get_bytes_raw(&b, RPC_ANCHOR_SIZE);
	n = buf_get_u32(&b);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++) {
		size_t klen;
		const char *k = buf_get_bytes(&b, &klen);

		assert_int_equal(klen, 3);
		seen |= 1u << (k[2] - '0');
	}
	assert_int_equal(seen, 0x1f);

	memset(data, 'r', sizeof(data));
	hdr_init(&hd, H_RW, oid, "dk", 2);
	iod_array(&iod, "arr", 1, 3, recxs);
	assert_int_equal(t_update(0, &hd, 1, &iod, data, sizeof(data), 0, NULL), 0);
	assert_int_equal(
		t_enum(0, H_RW, oid, "dk", RPC_ENUM_RECX, "arr", anchor, 100, 0, reply, &rlen), 0);
	buf_init(&b, reply, rlen);
	assert_true(anchor_eof(buf_get_bytes_raw(&b, RPC_ANCHOR_SIZE)));
	assert_int_equal(buf_get_u32(&b), 2);
	assert_int_equal(buf_get_u64(&b), 1);
	assert_int_equal(buf_get_u64(&b), 0);
	assert_int_equal(buf_get_u64(&b), 10);
	assert_true(buf_get_u64(&b) > 0); /* the epoch it was written at */
	assert_int_equal(buf_get_u64(&b), 20);
	assert_int_equal(buf_get_u64(&b), 15);
	assert_true(buf_get_u64(&b) > 0);
	assert_int_equal(buf_finish(&b), 0);

	/* highest first */
	memset(anchor, 0, sizeof(anchor));
	assert_int_equal(
		t_enum(0, H_RW, oid, "dk", RPC_ENUM_RECX_DESC, "arr", anchor, 100, 0, reply, &rlen),
		0);
	buf_init(&b, reply, rlen);
	assert_true(anchor_eof(buf_get_bytes_raw(&b, RPC_ANCHOR_SIZE)));
	assert_int_equal(buf_get_u32(&b), 2);
	assert_int_equal(buf_get_u64(&b), 1);
	assert_int_equal(buf_get_u64(&b), 20);
	assert_int_equal(buf_get_u64(&b), 15);
	assert_true(buf_get_u64(&b) > 0);
	assert_int_equal(buf_get_u64(&b), 0);
	assert_int_equal(buf_get_u64(&b), 10);
	assert_true(buf_get_u64(&b) > 0);
	assert_int_equal(buf_finish(&b), 0);

	/* a damaged anchor is refused or ignored, never trusted */
	memset(anchor, 0xff, sizeof(anchor));
	anchor[4] = 0; /* not at EOF */
	assert_int_equal(
		t_enum(0, H_RW, oid, "dk", RPC_ENUM_AKEY, NULL, anchor, 100, 1000, reply, &rlen),
		0);
	/*
	 * An anchor claiming a whole 200-byte lexical key (it holds 80) whose first bytes
	 * match a real key: compared as an 80-byte prefix, not read past its end.
	 */
	{
		daos_obj_id_t lex = oid_make(16, 7); /* DAOS_OT_MULTI_LEXICAL */
		char longkey[201];
		struct buf ab;

		memset(longkey, 'k', 200);
		longkey[200] = '\0';
		assert_int_equal(t_put(0, H_RW, lex, "dk", longkey, "v", 1, 0), 0);
		memset(anchor, 0, sizeof(anchor));
		buf_init(&ab, anchor + 8, RPC_ANCHOR_SIZE - 8);
		buf_put_u8(&ab, 1); /* started */
		buf_put_u8(&ab, 0); /* not truncated */
		buf_put_u16(&ab, 0);
		buf_put_u32(&ab, 200);
		buf_put_u64(&ab, 0x6b6b6b6b6b6b6b6bull); /* the prefix of "kkkkkkkk" */
		memset(anchor + 8 + 16, 'k', RPC_ANCHOR_SIZE - 8 - 16);
		assert_int_equal(t_enum(0, H_RW, lex, "dk", RPC_ENUM_AKEY, NULL, anchor, 100, 1000,
					reply, &rlen),
				 0);
	}
	d_free(reply);
}

static int
t_query(int tgt, int hdl, daos_obj_id_t oid, const void *dkey, size_t dkey_len, uint32_t qflags,
	const char *akey, uint8_t *reply, size_t *rlen)
{
	uint8_t body[512];
	struct rpc_obj_query_in in = { .qflags = qflags };
	size_t blen;

	hdr_init(&in.hdr, hdl, oid, dkey, dkey_len);
	if (akey != NULL)
		d_iov_set(&in.akey, (void *)akey, strlen(akey));
	blen = rpc_obj_query_in_encode(&in, body, sizeof(body));
	assert_true(blen > 0);
	return net_call(h.client, h.tgt[tgt], RPC_OBJ_QUERY_KEY, body, blen, TIMEOUT_MS, reply,
			NET_BODY_MAX, rlen);
}

/* Max and min integer dkey; max extent of an array under it. */
static void
query_key(void **state)
{
	static const uint64_t keys[] = { 17, 5, 1000, 3, 99 };
	daos_obj_id_t oid = oid_make(9, 4); /* DAOS_OT_MULTI_UINT64: integer dkeys and akeys */
	uint8_t *reply = d_malloc(NET_BODY_MAX);
	uint64_t akey_nr = 7;
	daos_recx_t recxs[2] = { { 5, 5 }, { 100, 10 } };
	uint8_t data[15] = { 0 };
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;
	size_t rlen;
	size_t len;
	const void *p;
	uint64_t v;
	struct buf b;
	unsigned int i;

	(void)state;
	assert_non_null(reply);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		hdr_init(&hd, H_RW, oid, &keys[i], 8);
		memset(&iod, 0, sizeof(iod));
		d_iov_set(&iod.name, &akey_nr, 8);
		iod.type = DAOS_IOD_ARRAY;
		iod.size = 1;
		iod.nr = 2;
		iod.recxs = recxs;
		assert_int_equal(t_update(1, &hd, 1, &iod, data, sizeof(data), 0, NULL), 0);
	}
	assert_int_equal(
		t_query(1, H_RW, oid, NULL, 0, DAOS_GET_DKEY | DAOS_GET_MAX, NULL, reply, &rlen),
		0);
	buf_init(&b, reply, rlen);
	p = buf_get_bytes(&b, &len);
	assert_int_equal(len, 8);
	memcpy(&v, p, 8);
	assert_int_equal(v, 1000);
	assert_int_equal(
		t_query(1, H_RW, oid, NULL, 0, DAOS_GET_DKEY | DAOS_GET_MIN, NULL, reply, &rlen),
		0);
	buf_init(&b, reply, rlen);
	p = buf_get_bytes(&b, &len);
	memcpy(&v, p, 8);
	assert_int_equal(v, 3);
	/* the highest extent of the array under dkey 17 */
	{
		uint8_t body[512];
		struct rpc_obj_query_in in = { .qflags = DAOS_GET_RECX | DAOS_GET_MAX };
		size_t blen;

		hdr_init(&in.hdr, H_RW, oid, &keys[0], 8);
		d_iov_set(&in.akey, &akey_nr, 8);
		blen = rpc_obj_query_in_encode(&in, body, sizeof(body));
		assert_int_equal(net_call(h.client, h.tgt[1], RPC_OBJ_QUERY_KEY, body, blen,
					  TIMEOUT_MS, reply, NET_BODY_MAX, &rlen),
				 0);
		buf_init(&b, reply, rlen);
		buf_get_bytes(&b, &len);
		buf_get_bytes(&b, &len);
		assert_int_equal(buf_get_u64(&b), 100);
		assert_int_equal(buf_get_u64(&b), 10);
		assert_int_equal(buf_finish(&b), 0);
	}
	/* a target without the container: nothing there */
	assert_int_equal(
		t_query(1, H_CONT2, oid, NULL, 0, DAOS_GET_DKEY | DAOS_GET_MAX, NULL, reply, &rlen),
		-DER_NONEXIST);
	d_free(reply);
}

/* DAOS_COND_*: insert and update of keys, and a conditional fetch. */
static void
conditions(void **state)
{
	daos_obj_id_t oid = oid_make(10, 0);
	uint8_t got[8];
	uint64_t size;
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;
	uint64_t cap = sizeof(got);
	struct tfetch *f = d_calloc(1, sizeof(*f));

	(void)state;
	assert_non_null(f);
	assert_int_equal(t_put(0, H_RW, oid, "d", "a", "1", 1, DAOS_COND_DKEY_UPDATE),
			 -DER_NONEXIST);
	assert_int_equal(t_put(0, H_RW, oid, "d", "a", "1", 1, DAOS_COND_DKEY_INSERT), 0);
	assert_int_equal(t_put(0, H_RW, oid, "d", "a", "2", 1, DAOS_COND_DKEY_INSERT), -DER_EXIST);
	assert_int_equal(t_put(0, H_RW, oid, "d", "a", "2", 1, DAOS_COND_AKEY_INSERT), -DER_EXIST);
	assert_int_equal(t_put(0, H_RW, oid, "d", "b", "3", 1, DAOS_COND_AKEY_UPDATE),
			 -DER_NONEXIST);
	assert_int_equal(t_put(0, H_RW, oid, "d", "a", "4", 1, DAOS_COND_AKEY_UPDATE), 0);
	assert_int_equal(t_get(0, H_RW, oid, "d", "a", got, 8, F_INLINE, &size), 0);
	assert_int_equal(size, 1);
	assert_int_equal(got[0], '4');

	hdr_init(&hd, H_RW, oid, "nodkey", 6);
	hd.flags = DAOS_COND_DKEY_FETCH;
	iod_single(&iod, "a", 0);
	f->nr = 1;
	f->iods = &iod;
	f->caps = &cap;
	f->kind = F_INLINE;
	f->buf = got;
	assert_int_equal(t_fetch(0, &hd, f), -DER_NONEXIST);
	/* the same on a target without the container */
	hdr_init(&hd, H_CONT2, oid, "nodkey", 6);
	hd.flags = DAOS_COND_DKEY_FETCH;
	assert_int_equal(t_fetch(1, &hd, f), -DER_NONEXIST);
	d_free(f);
}

/* Rights, unknown handles and pools, caching, and requests parked on one lookup. */
static void
handles(void **state)
{
	daos_obj_id_t oid = oid_make(11, 0);
	uint8_t got[8];
	uint64_t size;
	unsigned int before;
	struct rpc_obj_hdr hd;
	struct rpc_iod iod;
	struct window w = { 0 };
	static uint8_t body[NET_BODY_MAX];
	uint64_t cap = sizeof(got);
	unsigned int i;

	(void)state;
	assert_int_equal(t_put(0, H_RW, oid, "d", "a", "rw", 2, 0), 0);
	assert_int_equal(t_put(0, H_RO, oid, "d", "a", "ro", 2, 0), -DER_NO_PERM);
	assert_int_equal(t_get(0, H_RO, oid, "d", "a", got, 8, F_INLINE, &size), 0);
	assert_int_equal(size, 2);

	/* cached: no more lookups */
	before = atomic_load(&h.lookups);
	for (i = 0; i < 10; i++) {
		assert_int_equal(t_get(0, H_RW, oid, "d", "a", got, 8, F_INLINE, &size), 0);
		assert_int_equal(t_get(0, H_RO, oid, "d", "a", got, 8, F_INLINE, &size), 0);
	}
	assert_int_equal(atomic_load(&h.lookups), before);

	/* a handle the pool service does not know, asked each time (refusals are not kept) */
	hdr_init(&hd, H_RW, oid, "d", 1);
	uuid_generate(hd.coh);
	iod_single(&iod, "a", 2);
	assert_int_equal(t_update(0, &hd, 1, &iod, "xx", 2, 0, NULL), -DER_NO_HDL);
	assert_int_equal(t_update(0, &hd, 1, &iod, "xx", 2, 0, NULL), -DER_NO_HDL);
	assert_int_equal(atomic_load(&h.lookups), before + 2);
	/* a known handle named with another container */
	hdr_init(&hd, H_RW, oid, "d", 1);
	uuid_copy(hd.cont, h.cont2);
	assert_int_equal(t_update(1, &hd, 1, &iod, "xx", 2, 0, NULL), -DER_NO_HDL);
	/* a pool this engine has no shard of: no lookup at all */
	before = atomic_load(&h.lookups);
	hdr_init(&hd, H_RW, oid, "d", 1);
	uuid_generate(hd.pool);
	assert_int_equal(t_update(0, &hd, 1, &iod, "xx", 2, 0, NULL), -DER_NO_HDL);
	assert_int_equal(atomic_load(&h.lookups), before);

	/* 16 fetches with a new handle while the pool service is slow: one lookup */
	atomic_store(&h.ps_delay_ms, 200);
	before = atomic_load(&h.lookups);
	for (i = 0; i < 16; i++) {
		struct rpc_obj_rw_in in = { .nr = 1, .iods = &iod, .caps = &cap };
		size_t blen;

		hdr_init(&in.hdr, H_SLOW, oid, "d", 1);
		iod_single(&iod, "a", 0);
		in.data.kind = RPC_DATA_INLINE;
		blen = rpc_obj_fetch_in_encode(&in, body, sizeof(body));
		assert_int_equal(net_req_send(h.client, h.tgt[0], RPC_OBJ_FETCH, body, blen,
					      TIMEOUT_MS, window_done, &w),
				 0);
		w.inflight++;
	}
	while (w.inflight > 0)
		assert_true(net_progress(h.client, 100) >= 0);
	atomic_store(&h.ps_delay_ms, 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(atomic_load(&h.lookups), before + 1);
}

static int
t_revoke(uint8_t kind, const uuid_t uuid)
{
	struct rpc_revoke_ent ent = { .kind = kind };
	struct rpc_hdl_revoke_in in = { .nr = 1, .ents = &ent };
	uint8_t body[128];
	size_t blen;

	uuid_copy(in.pool, h.pool);
	uuid_copy(ent.uuid, uuid);
	blen = rpc_hdl_revoke_in_encode(&in, body, sizeof(body));
	assert_true(blen > 0);
	return net_call(h.client, h.sys, RPC_HDL_REVOKE, body, blen, TIMEOUT_MS, NULL, 0, NULL);
}

/* Revoked handles are asked for again; the pool service then refuses them. */
static void
revokes(void **state)
{
	daos_obj_id_t oid = oid_make(12, 0);
	unsigned int before;
	uint8_t got[8];
	uint64_t size;
	int t;

	(void)state;
	for (t = 0; t < NR_TGTS; t++) {
		assert_int_equal(t_put(t, H_RW2, oid, "d", "a", "v", 1, 0), 0);
		assert_int_equal(t_put(t, H_RW3, oid, "d", "a", "w", 1, 0), 0);
	}
	/* revoke a container handle: refused everywhere afterwards */
	atomic_store(&h.hdls[H_RW2].revoked, true);
	assert_int_equal(t_revoke(RPC_REVOKE_COH, h.hdls[H_RW2].coh), 0);
	before = atomic_load(&h.lookups);
	for (t = 0; t < NR_TGTS; t++) {
		assert_int_equal(t_put(t, H_RW2, oid, "d", "a", "v", 1, 0), -DER_NO_HDL);
		assert_int_equal(t_get(t, H_RW2, oid, "d", "a", got, 8, F_INLINE, &size),
				 -DER_NO_HDL);
	}
	assert_int_equal(atomic_load(&h.lookups), before + 2 * NR_TGTS);
	/* revoking a pool handle takes the container handles opened through it */
	before = atomic_load(&h.lookups);
	assert_int_equal(t_revoke(RPC_REVOKE_POH, h.poh2), 0);
	for (t = 0; t < NR_TGTS; t++)
		assert_int_equal(t_get(t, H_RW3, oid, "d", "a", got, 8, F_INLINE, &size), 0);
	assert_int_equal(atomic_load(&h.lookups), before + NR_TGTS);
	/* H_RW, opened through the other pool handle, is still cached */
	before = atomic_load(&h.lookups);
	assert_int_equal(t_get(0, H_RW, oid, "d", "a", got, 8, F_INLINE, &size), 0);
	assert_int_equal(atomic_load(&h.lookups), before);
}

static int
t_cont_destroy(const uuid_t cont)
{
	uint8_t body[32];

	memcpy(body, h.pool, 16);
	memcpy(body + 16, cont, 16);
	return net_call(h.client, h.sys, RPC_CONT_TGT_DESTROY, body, sizeof(body), TIMEOUT_MS, NULL,
			0, NULL);
}

/* After a container destroy its data is gone on every target; an update makes it again. */
static void
cont_destroy(void **state)
{
	daos_obj_id_t oid = oid_make(13, 0);
	uint8_t got[8];
	uint64_t size;
	int t;

	(void)state;
	for (t = 0; t < NR_TGTS; t++)
		assert_int_equal(t_put(t, H_CONT2, oid, "d", "a", "gone", 4, 0), 0);
	assert_int_equal(t_cont_destroy(h.cont2), 0);
	for (t = 0; t < NR_TGTS; t++) {
		assert_int_equal(t_get(t, H_CONT2, oid, "d", "a", got, 8, F_INLINE, &size), 0);
		assert_int_equal(size, 0);
	}
	/* twice is fine, and so is a container never seen */
	assert_int_equal(t_cont_destroy(h.cont2), 0);
	assert_int_equal(t_put(1, H_CONT2, oid, "d", "a", "back", 4, 0), 0);
	assert_int_equal(t_get(1, H_CONT2, oid, "d", "a", got, 8, F_INLINE, &size), 0);
	assert_int_equal(size, 4);
	assert_memory_equal(got, "back", 4);
	assert_int_equal(t_cont_destroy(h.cont2), 0);
	/* the main container was left alone */
	assert_int_equal(t_get(0, H_RW, oid_make(3, 0), "d", "a", got, 8, F_INLINE, &size), 0);
	assert_int_equal(size, 6);
}

/* Bodies that do not decode, or do not add up, get -DER_PROTO. */
static void
malformed(void **state)
{
	static const uint32_t opcs[] = { RPC_OBJ_UPDATE, RPC_OBJ_FETCH, RPC_OBJ_PUNCH, RPC_OBJ_ENUM,
					 RPC_OBJ_QUERY_KEY };
	static uint8_t body[NET_BODY_MAX];
	uint8_t junk[100];
	struct rpc_obj_rw_in in = { .nr = 1 };
	struct rpc_iod iod;
	size_t blen;
	unsigned int i;

	(void)state;
	fill(junk, sizeof(junk), 3);
	for (i = 0; i < ARRAY_SIZE(opcs); i++) {
		assert_int_equal(net_call(h.client, h.tgt[0], opcs[i], junk, sizeof(junk),
					  TIMEOUT_MS, NULL, 0, NULL),
				 -DER_PROTO);
		assert_int_equal(
			net_call(h.client, h.tgt[1], opcs[i], NULL, 0, TIMEOUT_MS, NULL, 0, NULL),
			-DER_PROTO);
	}
	assert_int_equal(
		net_call(h.client, h.sys, RPC_HDL_REVOKE, junk, 7, TIMEOUT_MS, NULL, 0, NULL),
		-DER_PROTO);
	assert_int_equal(net_call(h.client, h.sys, RPC_CONT_TGT_DESTROY, junk, 31, TIMEOUT_MS, NULL,
				  0, NULL),
			 -DER_PROTO);
	/* well-formed, but the data is not the iods' bytes */
	hdr_init(&in.hdr, H_RW, oid_make(14, 0), "d", 1);
	iod_single(&iod, "a", 10);
	in.iods = &iod;
	in.data.kind = RPC_DATA_INLINE;
	d_iov_set(&in.data.inl, junk, 9);
	blen = rpc_obj_update_in_encode(&in, body, sizeof(body));
	assert_int_equal(
		net_call(h.client, h.tgt[0], RPC_OBJ_UPDATE, body, blen, TIMEOUT_MS, NULL, 0, NULL),
		-DER_PROTO);
	/* an array whose records cannot fit any request */
	{
		daos_recx_t rx = { 0, UINT64_MAX / 2 };

		iod_array(&iod, "arr", 4, 1, &rx);
		d_iov_set(&in.data.inl, junk, 8);
		blen = rpc_obj_update_in_encode(&in, body, sizeof(body));
		assert_int_equal(net_call(h.client, h.tgt[0], RPC_OBJ_UPDATE, body, blen,
					  TIMEOUT_MS, NULL, 0, NULL),
				 -DER_OVERFLOW);
	}
	/* a fetch claiming more room than its buffers have */
	{
		struct rpc_obj_rw_in fin = { .nr = 1 };
		struct net_bulk *bulk;
		struct rpc_bulk_seg seg;
		uint64_t cap = 1000;

		hdr_init(&fin.hdr, H_RW, oid_make(14, 0), "d", 1);
		iod_single(&iod, "a", 0);
		fin.iods = &iod;
		fin.caps = &cap;
		assert_int_equal(net_bulk_register(h.client, junk, 10, NET_BULK_WO, &bulk), 0);
		net_bulk_desc_get(bulk, &seg.desc);
		seg.len = 10;
		fin.data.kind = RPC_DATA_BULK;
		fin.data.nr_segs = 1;
		fin.data.segs = &seg;
		blen = rpc_obj_fetch_in_encode(&fin, body, sizeof(body));
		assert_int_equal(net_call(h.client, h.tgt[0], RPC_OBJ_FETCH, body, blen, TIMEOUT_MS,
					  NULL, 0, NULL),
				 -DER_PROTO);
		net_bulk_deregister(bulk);
	}
	/* the target still serves */
	assert_int_equal(t_put(0, H_RW, oid_make(14, 0), "d", "a", "ok", 2, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_values),    cmocka_unit_test(arrays),
		cmocka_unit_test(overwrites),       cmocka_unit_test(holes),
		cmocka_unit_test(fragments),        cmocka_unit_test(rec2big),
		cmocka_unit_test(punches),          cmocka_unit_test(enum_dkeys),
		cmocka_unit_test(enum_akeys_recxs), cmocka_unit_test(enum_objects),
		cmocka_unit_test(query_key),        cmocka_unit_test(conditions),
		cmocka_unit_test(handles),          cmocka_unit_test(revokes),
		cmocka_unit_test(cont_destroy),     cmocka_unit_test(malformed),
	};

	return cmocka_run_group_tests_name("engine_obj", tests, setup, teardown);
}
