/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake_server.c - the fake agent and engine of fake_server.h. Test code: simple over
 * fast, one lock around the tables, no persistence.
 */
#define D_LOGFAC DD_FAC(tests)

#include "client/tests/fake_server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "common/buf.h"
#include "mgmt.pb-c.h"
#include "net/net.h"
#include "pool/pool_map.h"
#include "proto/proto.h"
#include "rpc/rpc.h"

#define MAX_CONTS 16
#define MAX_RECS 4096
#define MAX_ATTRS 64

struct cont {
	bool used;
	uuid_t uuid;
	char label[DAOS_PROP_LABEL_MAX_LEN + 1];
};

struct rec {
	bool used;
	daos_obj_id_t oid;
	uint32_t shard;
	uint8_t dkey[64];
	size_t dkey_len;
	uint8_t akey[64];
	size_t akey_len;
	uint64_t size; /* single value size or record size */
	uint8_t *data;
	size_t len;
	bool array;       /* an array value: present says which records are there */
	uint8_t *present; /* arrays: one byte per record of data (len / size) */
};

struct attr {
	bool used;
	char name[64];
	uint8_t value[256];
	size_t len;
};

static struct {
	pthread_mutex_t lock;
	uint64_t last_write; /* HLC of the last update or punch (max epoch queries) */
	/* agent */
	uv_loop_t loop;
	uv_async_t stop;
	struct drpc_server *drpc;
	pthread_t agent_thread;
	char dir[256];
	uint32_t notify_connect;
	uint32_t notify_disconnect;
	/* engine */
	struct net_ctx *ctx[FAKE_NR_TGTS + 1];
	char uri[128];
	pthread_t engine_thread;
	volatile bool engine_stop;
	volatile bool silent;
	struct pool_map *map;
	struct cont conts[MAX_CONTS];
	struct rec recs[MAX_RECS];
	struct attr attrs[MAX_ATTRS];
	uint32_t counts[0x400];
	uint32_t bulks;
} fk = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* ---- agent ---- */

static void
agent_attach(struct drpc_req *req, void *arg)
{
	Mgmt__GetAttachInfoResp resp = MGMT__GET_ATTACH_INFO_RESP__INIT;
	Mgmt__ClientNetHint hint = MGMT__CLIENT_NET_HINT__INIT;
	Mgmt__RankUri ru = MGMT__RANK_URI__INIT;
	Mgmt__RankUri *rus[1] = { &ru };

	(void)arg;
	ru.rank = 0;
	ru.uri = fk.uri;
	ru.nr_contexts = FAKE_NR_TGTS + 1;
	hint.provider = "ofi+tcp";
	hint.interface = "lo";
	hint.crt_timeout = 2;
	resp.rank_uris = rus;
	resp.n_rank_uris = 1;
	resp.client_net_hint = &hint;
	resp.map_version = 1;
	resp.system = "daos_server";
	drpc_req_reply_msg(req, &resp.base);
}

static void
agent_creds(struct drpc_req *req, void *arg)
{
	static const uint8_t cred[] = "fake-credential";

	(void)arg;
	drpc_req_reply(req, DRPC__STATUS__SUCCESS, cred, sizeof(cred));
}

static void
agent_find(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *info = drpc_req_info(req);
	Mgmt__PoolFindResp resp = MGMT__POOL_FIND_RESP__INIT;
	Mgmt__PoolFindReq *in;
	uint32_t svc[1] = { 0 };

	(void)arg;
	in = mgmt__pool_find_req__unpack(&proto_allocator, info->len, info->body);
	if (in == NULL) {
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	if (strcmp(in->id, FAKE_POOL_LABEL) == 0 || strcmp(in->id, FAKE_POOL_UUID) == 0) {
		resp.uuid = FAKE_POOL_UUID;
		resp.label = FAKE_POOL_LABEL;
		resp.svc_ranks = svc;
		resp.n_svc_ranks = 1;
	} else {
		resp.status = -DER_NONEXIST;
		resp.message = "no such pool";
	}
	drpc_req_reply_msg(req, &resp.base);
	mgmt__pool_find_req__free_unpacked(in, &proto_allocator);
}

static void
agent_notify(struct drpc_req *req, void *arg)
{
	const struct drpc_req_info *info = drpc_req_info(req);
	Mgmt__PoolMonitorReq *in;
	uuid_t u;

	(void)arg;
	in = mgmt__pool_monitor_req__unpack(&proto_allocator, info->len, info->body);
	if (in == NULL || uuid_parse(in->pool_uuid, u) != 0) {
		if (in != NULL)
			mgmt__pool_monitor_req__free_unpacked(in, &proto_allocator);
		drpc_req_reply(req, DRPC__STATUS__FAILED_UNMARSHAL_PAYLOAD, NULL, 0);
		return;
	}
	mgmt__pool_monitor_req__free_unpacked(in, &proto_allocator);
	pthread_mutex_lock(&fk.lock);
	if (info->method == DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT)
		fk.notify_connect++;
	else
		fk.notify_disconnect++;
	pthread_mutex_unlock(&fk.lock);
	drpc_req_reply_status(req, 0, NULL);
}

static void
agent_stop_cb(uv_async_t *a)
{
	drpc_server_stop(fk.drpc);
	uv_close((uv_handle_t *)a, NULL);
}

static void *
agent_main(void *arg)
{
	(void)arg;
	uv_run(&fk.loop, UV_RUN_DEFAULT);
	return NULL;
}

/* ---- engine ---- */

static void
reply_status(struct net_rpc *rpc, int status)
{
	net_rpc_reply(rpc, status, NULL, 0);
}

static void
count(uint32_t opc)
{
	pthread_mutex_lock(&fk.lock);
	fk.counts[opc & 0x3ff]++;
	pthread_mutex_unlock(&fk.lock);
}

static void
reply_query(struct net_rpc *rpc)
{
	struct rpc_pool_query_out out = { 0 };
	uint8_t *body = d_malloc(NET_BODY_MAX);
	uint8_t map[4096];
	size_t mlen = pool_map_encoded_size(fk.map);
	d_rank_t r0 = 0;
	size_t len;

	pool_map_encode(fk.map, map, sizeof(map));
	uuid_parse(FAKE_POOL_UUID, out.info.pi_uuid);
	out.info.pi_ntargets = FAKE_NR_TGTS;
	out.info.pi_nnodes = 1;
	out.info.pi_map_ver = fk.map->version;
	d_iov_set(&out.map, map, mlen);
	out.nr_enabled = 1;
	out.enabled = &r0;
	len = rpc_pool_query_out_encode(&out, body, NET_BODY_MAX);
	net_rpc_reply(rpc, len == 0 ? -DER_PROTO : 0, body, len);
	d_free(body);
}

static struct cont *
cont_find(const char *id)
{
	uuid_t u;
	int i;
	bool is_uuid = uuid_parse(id, u) == 0;

	for (i = 0; i < MAX_CONTS; i++) {
		struct cont *c = &fk.conts[i];

		if (!c->used)
			continue;
		if (is_uuid ? uuid_compare(u, c->uuid) == 0 : strcmp(id, c->label) == 0)
			return c;
	}
	return NULL;
}

static void
h_pool(struct net_rpc *rpc, void *arg)
{
	uint32_t opc = net_rpc_opcode(rpc);
	size_t len;
	const void *body = net_rpc_body(rpc, &len);

	(void)arg;
	count(opc);
	switch (opc) {
	case RPC_POOL_CONNECT: {
		struct rpc_pool_connect_in in;

		if (rpc_pool_connect_in_decode(body, len, &in) != 0)
			return reply_status(rpc, -DER_PROTO);
		reply_query(rpc);
		break;
	}
	case RPC_POOL_QUERY: {
		struct rpc_pool_query_in in;

		if (rpc_pool_query_in_decode(body, len, &in) != 0)
			return reply_status(rpc, -DER_PROTO);
		rpc_pool_query_in_fini(&in);
		reply_query(rpc);
		break;
	}
	case RPC_POOL_LIST_CONT: {
		struct rpc_cont_entry ents[MAX_CONTS];
		uint8_t out[8192];
		uint32_t n = 0;
		int i;

		pthread_mutex_lock(&fk.lock);
		for (i = 0; i < MAX_CONTS; i++) {
			if (!fk.conts[i].used)
				continue;
			uuid_copy(ents[n].uuid, fk.conts[i].uuid);
			memcpy(ents[n].label, fk.conts[i].label, sizeof(ents[n].label));
			n++;
		}
		pthread_mutex_unlock(&fk.lock);
		len = rpc_cont_list_encode(ents, n, out, sizeof(out));
		net_rpc_reply(rpc, 0, out, len);
		break;
	}
	default:
		reply_status(rpc, 0);
	}
}

static void
h_cont(struct net_rpc *rpc, void *arg)
{
	uint32_t opc = net_rpc_opcode(rpc);
	size_t len;
	const void *body = net_rpc_body(rpc, &len);
	int rc = 0;
	int i;

	(void)arg;
	count(opc);
	pthread_mutex_lock(&fk.lock);
	switch (opc) {
	case RPC_CONT_CREATE: {
		struct rpc_cont_create_in in;
		struct daos_prop_entry *e;

		if (rpc_cont_create_in_decode(body, len, &in) != 0) {
			rc = -DER_PROTO;
			break;
		}
		e = in.prop ? daos_prop_entry_get(in.prop, DAOS_PROP_CO_LABEL) : NULL;
		if (e != NULL && cont_find(e->dpe_str) != NULL) {
			rc = -DER_EXIST;
		} else {
			for (i = 0; i < MAX_CONTS && fk.conts[i].used; i++)
				;
			fk.conts[i].used = true;
			uuid_copy(fk.conts[i].uuid, in.hdr.cont);
			snprintf(fk.conts[i].label, sizeof(fk.conts[i].label), "%s",
				 e ? e->dpe_str : "");
		}
		rpc_cont_prop_fini(&in.prop);
		break;
	}
	case RPC_CONT_DESTROY: {
		struct rpc_cont_destroy_in in;
		struct cont *c;

		if (rpc_cont_destroy_in_decode(body, len, &in) != 0) {
			rc = -DER_PROTO;
			break;
		}
		c = cont_find(in.id);
		if (c == NULL)
			rc = -DER_NONEXIST;
		else
			c->used = false;
		break;
	}
	case RPC_CONT_OPEN:
	case RPC_CONT_QUERY: {
		struct rpc_cont_open_out out = { 0 };
		struct cont *c = NULL;
		uint8_t reply[4096];
		size_t rlen;

		if (opc == RPC_CONT_OPEN) {
			struct rpc_cont_open_in in;

			if (rpc_cont_open_in_decode(body, len, &in) != 0) {
				rc = -DER_PROTO;
				break;
			}
			rpc_cont_prop_fini(&in.prop);
			c = cont_find(in.id);
		} else {
			struct rpc_cont_query_in in;
			char id[40];

			if (rpc_cont_query_in_decode(body, len, &in) != 0) {
				rc = -DER_PROTO;
				break;
			}
			rpc_cont_prop_fini(&in.prop);
			uuid_unparse(in.hdr.cont, id);
			c = cont_find(id);
		}
		if (c == NULL) {
			rc = -DER_NONEXIST;
			break;
		}
		uuid_copy(out.cont, c->uuid);
		out.info.nr_handles = 1;
		out.prop = daos_prop_alloc(2);
		out.prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_REDUN_FAC;
		out.prop->dpp_entries[0].dpe_val = 0;
		out.prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_LABEL;
		daos_prop_entry_set_str(&out.prop->dpp_entries[1], c->label, strlen(c->label));
		rlen = rpc_cont_open_out_encode(&out, reply, sizeof(reply));
		daos_prop_free(out.prop);
		pthread_mutex_unlock(&fk.lock);
		net_rpc_reply(rpc, 0, reply, rlen);
		return;
	}
	case RPC_CONT_ATTR:
	case RPC_POOL_ATTR: {
		struct rpc_cont_hdr ch;
		struct rpc_attr_in in;
		uint8_t reply[8192];
		struct buf b = BUF_INIT(reply, sizeof(reply));
		uint32_t k;
		int j;

		if (rpc_attr_in_decode(body, len, &ch, opc == RPC_CONT_ATTR, &in) != 0) {
			rc = -DER_PROTO;
			break;
		}
		if (in.op == RPC_ATTR_LIST) {
			uint32_t n = 0;

			for (j = 0; j < MAX_ATTRS; j++)
				n += fk.attrs[j].used;
			buf_put_u32(&b, n);
			for (j = 0; j < MAX_ATTRS; j++)
				if (fk.attrs[j].used)
					buf_put_str(&b, fk.attrs[j].name);
		}
		for (k = 0; k < in.nr; k++) {
			struct attr *a = NULL;
			const char *name = in.names[k].iov_buf;

			for (j = 0; j < MAX_ATTRS; j++)
				if (fk.attrs[j].used && strcmp(fk.attrs[j].name, name) == 0)
					a = &fk.attrs[j];
			if (in.op == RPC_ATTR_SET) {
				for (j = 0; a == NULL && j < MAX_ATTRS; j++)
					if (!fk.attrs[j].used)
						a = &fk.attrs[j];
				a->used = true;
				snprintf(a->name, sizeof(a->name), "%s", name);
				a->len = in.values[k].iov_len;
				memcpy(a->value, in.values[k].iov_buf, a->len);
			} else if (in.op == RPC_ATTR_GET) {
				if (a == NULL) {
					buf_put_u32(&b, 0xffffffffu);
					rc = -DER_NONEXIST;
				} else {
					buf_put_bytes(&b, a->value, a->len);
				}
			} else if (in.op == RPC_ATTR_DEL && a != NULL) {
				a->used = false;
			}
		}
		rpc_attr_in_fini(&in);
		pthread_mutex_unlock(&fk.lock);
		/* as rpc.h says: a missing attribute fails the call */
		net_rpc_reply(rpc, rc, reply, rc == 0 ? b.off : 0);
		return;
	}
	default:
		break;
	}
	pthread_mutex_unlock(&fk.lock);
	reply_status(rpc, rc);
}

static struct rec *
rec_find(const struct rpc_obj_hdr *h, const d_iov_t *akey, bool create)
{
	struct rec *free_rec = NULL;
	int i;

	for (i = 0; i < MAX_RECS; i++) {
		struct rec *r = &fk.recs[i];

		if (!r->used) {
			if (free_rec == NULL)
				free_rec = r;
			continue;
		}
		if (r->oid.lo == h->oid.lo && r->oid.hi == h->oid.hi && r->shard == h->shard &&
		    r->dkey_len == h->dkey.iov_len &&
		    !memcmp(r->dkey, h->dkey.iov_buf, r->dkey_len) &&
		    r->akey_len == akey->iov_len && !memcmp(r->akey, akey->iov_buf, r->akey_len))
			return r;
	}
	if (!create || free_rec == NULL)
		return NULL;
	memset(free_rec, 0, sizeof(*free_rec));
	free_rec->used = true;
	free_rec->oid = h->oid;
	free_rec->shard = h->shard;
	free_rec->dkey_len = h->dkey.iov_len;
	memcpy(free_rec->dkey, h->dkey.iov_buf, h->dkey.iov_len);
	free_rec->akey_len = akey->iov_len;
	memcpy(free_rec->akey, akey->iov_buf, akey->iov_len);
	return free_rec;
}

static bool
rec_is_of(const struct rec *r, const struct rpc_obj_hdr *h)
{
	return r->used && r->oid.lo == h->oid.lo && r->oid.hi == h->oid.hi && r->shard == h->shard;
}

static bool
rec_has_dkey(const struct rec *r, const d_iov_t *dkey)
{
	return r->dkey_len == dkey->iov_len && !memcmp(r->dkey, dkey->iov_buf, r->dkey_len);
}

/* Whether @dkey of the object shard of @h holds anything (lock held). */
static bool
dkey_exists(const struct rpc_obj_hdr *h, const d_iov_t *dkey)
{
	int i;

	for (i = 0; i < MAX_RECS; i++)
		if (rec_is_of(&fk.recs[i], h) && rec_has_dkey(&fk.recs[i], dkey))
			return true;
	return false;
}

/* The conditions of an update or fetch (@fetch) on the iods of @in (lock held). */
static int
cond_check(const struct rpc_obj_rw_in *in, bool fetch)
{
	uint64_t f = in->hdr.flags;
	bool dk = dkey_exists(&in->hdr, &in->hdr.dkey);
	uint32_t i;

	if ((f & DAOS_COND_DKEY_INSERT) && dk)
		return -DER_EXIST;
	if ((f & (DAOS_COND_DKEY_UPDATE | DAOS_COND_DKEY_FETCH)) && !dk)
		return -DER_NONEXIST;
	for (i = 0; i < in->nr; i++) {
		uint64_t af = (f & DAOS_COND_PER_AKEY) ? in->iods[i].flags : f;
		bool ak = rec_find(&in->hdr, &in->iods[i].name, false) != NULL;

		if (!fetch && (af & DAOS_COND_AKEY_INSERT) && ak)
			return -DER_EXIST;
		if ((af & (DAOS_COND_AKEY_UPDATE | DAOS_COND_AKEY_FETCH)) && !ak)
			return -DER_NONEXIST;
	}
	return 0;
}

/* Make room in array @rec for records below @end (lock held). */
static void
rec_extend(struct rec *rec, uint64_t size, uint64_t end)
{
	size_t old = rec->size == 0 ? 0 : rec->len / rec->size;

	if (end <= old)
		return;
	rec->data = d_realloc(rec->data, end * size);
	memset(rec->data + old * size, 0, (end - old) * size);
	rec->present = d_realloc(rec->present, end);
	memset(rec->present + old, 0, end - old);
	rec->len = end * size;
}

/*
 * Store the iods' values from @data (the concatenation), after the conditions. An array
 * iod of size 0 punches its extents; the akey stays, as in VOS.
 */
static int
update_apply(const struct rpc_obj_rw_in *in, const uint8_t *data)
{
	uint32_t i;
	uint32_t r;
	int rc;

	pthread_mutex_lock(&fk.lock);
	rc = cond_check(in, false);
	for (i = 0; rc == 0 && i < in->nr; i++) {
		const struct rpc_iod *iod = &in->iods[i];
		struct rec *rec = rec_find(&in->hdr, &iod->name, iod->size != 0);

		if (rec == NULL)
			continue; /* a punch of extents never written */
		if (iod->type == DAOS_IOD_SINGLE) {
			rec->size = iod->size;
			d_free(rec->data);
			rec->data = d_malloc(iod->size + 1);
			memcpy(rec->data, data, iod->size);
			rec->len = iod->size;
			data += iod->size;
			continue;
		}
		if (iod->size == 0) {
			for (r = 0; rec->array && r < iod->nr; r++) {
				uint64_t k;

				for (k = iod->recxs[r].rx_idx;
				     k < iod->recxs[r].rx_idx + iod->recxs[r].rx_nr &&
				     k < rec->len / rec->size;
				     k++)
					rec->present[k] = 0;
			}
			continue;
		}
		rec->array = true;
		rec->size = iod->size;
		for (r = 0; r < iod->nr; r++) {
			size_t n = iod->recxs[r].rx_nr * iod->size;

			rec_extend(rec, iod->size, iod->recxs[r].rx_idx + iod->recxs[r].rx_nr);
			memcpy(rec->data + iod->recxs[r].rx_idx * iod->size, data, n);
			memset(rec->present + iod->recxs[r].rx_idx, 1, iod->recxs[r].rx_nr);
			data += n;
		}
	}
	pthread_mutex_unlock(&fk.lock);
	return rc;
}

struct bulk_io {
	struct rpc_obj_rw_in in;
	uint8_t *buf;
	uint32_t pending;
	int rc;
	bool fetch;
	uint8_t reply[4096];
	size_t reply_len;
};

static void
bulk_done(struct net_rpc *rpc, int status, void *arg)
{
	struct bulk_io *io = arg;

	if (status != 0)
		io->rc = status;
	if (--io->pending > 0)
		return;
	if (io->rc == 0 && !io->fetch)
		io->rc = update_apply(&io->in, io->buf);
	if (io->fetch)
		net_rpc_reply(rpc, io->rc, io->reply, io->rc == 0 ? io->reply_len : 0);
	else
		net_rpc_reply(rpc, io->rc, NULL, 0);
	rpc_obj_rw_in_fini(&io->in);
	d_free(io->buf);
	d_free(io);
}

/* Move @total bytes between io->buf and the request's segments. */
static int
bulk_start(struct net_rpc *rpc, struct bulk_io *io, uint64_t total)
{
	uint64_t off = 0;
	uint32_t s;
	int rc;

	io->pending = 1;
	for (s = 0; s < io->in.data.nr_segs && off < total; s++) {
		uint64_t n = D_MIN(io->in.data.segs[s].len, total - off);

		io->pending++;
		rc = net_bulk_transfer(rpc, io->fetch ? NET_BULK_PUT : NET_BULK_GET,
				       &io->in.data.segs[s].desc, 0, io->buf + off, n, bulk_done,
				       io);
		if (rc != 0) {
			io->pending--;
			io->rc = rc;
			break;
		}
		off += n;
	}
	bulk_done(rpc, 0, io);
	return 0;
}

static uint64_t
iod_bytes(const struct rpc_iod *iod)
{
	uint64_t n = 0;
	uint32_t r;

	if (iod->type == DAOS_IOD_SINGLE)
		return iod->size;
	for (r = 0; r < iod->nr; r++)
		n += iod->recxs[r].rx_nr * iod->size;
	return n;
}

static void
h_update(struct net_rpc *rpc, size_t len, const void *body)
{
	struct bulk_io *io = d_calloc(1, sizeof(*io));
	uint64_t total = 0;
	uint32_t i;
	int rc;

	if (rpc_obj_rw_in_decode(body, len, false, &io->in) != 0) {
		d_free(io);
		return reply_status(rpc, -DER_PROTO);
	}
	for (i = 0; i < io->in.nr; i++)
		total += iod_bytes(&io->in.iods[i]);
	if (io->in.data.kind != RPC_DATA_BULK) {
		if (io->in.data.inl.iov_len != total) {
			rpc_obj_rw_in_fini(&io->in);
			d_free(io);
			return reply_status(rpc, -DER_PROTO);
		}
		rc = update_apply(&io->in, io->in.data.inl.iov_buf);
		rpc_obj_rw_in_fini(&io->in);
		d_free(io);
		return reply_status(rpc, rc);
	}
	pthread_mutex_lock(&fk.lock);
	fk.bulks++;
	pthread_mutex_unlock(&fk.lock);
	io->buf = d_malloc(total + 1);
	bulk_start(rpc, io, total);
}

static void
h_fetch(struct net_rpc *rpc, size_t len, const void *body)
{
	struct bulk_io *io = d_calloc(1, sizeof(*io));
	struct rpc_obj_fetch_out out = { 0 };
	uint64_t sizes[64] = { 0 };
	uint64_t lens[64] = { 0 };
	uint64_t room_off = 0;
	uint64_t room = 0;
	bool big = false;
	uint32_t i;
	int rc;

	if (rpc_obj_rw_in_decode(body, len, true, &io->in) != 0 || io->in.nr > 64) {
		d_free(io);
		return reply_status(rpc, -DER_PROTO);
	}
	io->fetch = true;
	for (i = 0; i < io->in.nr; i++)
		room += io->in.caps[i];
	io->buf = d_calloc(1, room + 1);
	pthread_mutex_lock(&fk.lock);
	rc = cond_check(&io->in, true);
	if (rc != 0) {
		pthread_mutex_unlock(&fk.lock);
		reply_status(rpc, rc);
		goto out;
	}
	for (i = 0; i < io->in.nr; i++) {
		const struct rpc_iod *iod = &io->in.iods[i];
		struct rec *rec = rec_find(&io->in.hdr, &iod->name, false);
		uint64_t here = room_off;
		uint64_t want;

		room_off += io->in.caps[i];
		if (rec == NULL)
			continue;
		sizes[i] = rec->size;
		if (iod->type == DAOS_IOD_SINGLE) {
			want = rec->len;
			if (want > io->in.caps[i]) {
				big = true;
				continue;
			}
			memcpy(io->buf + here, rec->data, want);
		} else {
			uint64_t nrec = rec->array ? rec->len / rec->size : 0;
			uint64_t o = 0;
			uint32_t r;

			/* present records only; the bytes end after the last present one */
			want = 0;
			for (r = 0; r < iod->nr; r++) {
				uint64_t k;

				for (k = iod->recxs[r].rx_idx;
				     k < iod->recxs[r].rx_idx + iod->recxs[r].rx_nr; k++) {
					if (k < nrec && rec->present[k] &&
					    o + rec->size <= io->in.caps[i]) {
						memcpy(io->buf + here + o,
						       rec->data + k * rec->size, rec->size);
						want = o + rec->size;
					}
					o += rec->size;
				}
			}
		}
		lens[i] = want;
	}
	pthread_mutex_unlock(&fk.lock);
	out.nr = io->in.nr;
	out.sizes = sizes;
	out.data_lens = lens;
	if (big) {
		io->reply_len = rpc_obj_fetch_out_encode(&out, io->reply, sizeof(io->reply));
		net_rpc_reply(rpc, -DER_REC2BIG, io->reply, io->reply_len);
		goto out;
	}
	if (io->in.data.kind == RPC_DATA_BULK) {
		/* compact per-iod room is what we filled: push it all */
		pthread_mutex_lock(&fk.lock);
		fk.bulks++;
		pthread_mutex_unlock(&fk.lock);
		io->reply_len = rpc_obj_fetch_out_encode(&out, io->reply, sizeof(io->reply));
		bulk_start(rpc, io, room_off);
		return;
	} else {
		uint8_t *reply = d_malloc(NET_BODY_MAX);
		uint8_t *inl = d_malloc(NET_BODY_MAX);
		uint64_t o = 0;
		uint64_t r_off = 0;
		size_t rlen;

		for (i = 0; i < io->in.nr; i++) {
			memcpy(inl + o, io->buf + r_off, lens[i]);
			o += lens[i];
			r_off += io->in.caps[i];
		}
		d_iov_set(&out.inl, inl, o);
		rlen = rpc_obj_fetch_out_encode(&out, reply, NET_BODY_MAX);
		net_rpc_reply(rpc, 0, reply, rlen);
		d_free(reply);
		d_free(inl);
	}
out:
	rpc_obj_rw_in_fini(&io->in);
	d_free(io->buf);
	d_free(io);
}

static void
h_enum(struct net_rpc *rpc, size_t len, const void *body)
{
	struct rpc_obj_enum_in in;
	uint8_t *reply = d_malloc(NET_BODY_MAX);
	struct buf b = BUF_INIT(reply, NET_BODY_MAX);
	uint8_t anchor[RPC_ANCHOR_SIZE] = { 0 };
	uint32_t pos;
	uint32_t seen = 0;
	uint32_t n = 0;
	uint32_t used = 0;
	size_t count_at;
	int i;

	if (rpc_obj_enum_in_decode(body, len, &in) != 0) {
		d_free(reply);
		return reply_status(rpc, -DER_PROTO);
	}
	memcpy(&pos, in.anchor + 8, 4);
	buf_put_bytes_raw(&b, anchor, RPC_ANCHOR_SIZE);
	count_at = b.off;
	buf_put_u32(&b, 0);
	pthread_mutex_lock(&fk.lock);
	/* records in table order; dkeys: each distinct dkey once */
	for (i = 0; i < MAX_RECS; i++) {
		struct rec *r = &fk.recs[i];
		int j;
		bool dup = false;

		if (!r->used || r->oid.lo != in.hdr.oid.lo || r->oid.hi != in.hdr.oid.hi ||
		    r->shard != in.hdr.shard)
			continue;
		if (in.kind == RPC_ENUM_DKEY) {
			for (j = 0; j < i && !dup; j++)
				dup = fk.recs[j].used && fk.recs[j].shard == r->shard &&
				      fk.recs[j].oid.lo == r->oid.lo &&
				      fk.recs[j].oid.hi == r->oid.hi &&
				      fk.recs[j].dkey_len == r->dkey_len &&
				      !memcmp(fk.recs[j].dkey, r->dkey, r->dkey_len);
		} else if (r->dkey_len != in.hdr.dkey.iov_len ||
			   memcmp(r->dkey, in.hdr.dkey.iov_buf, r->dkey_len)) {
			continue;
		}
		if (dup)
			continue;
		if (seen++ < pos)
			continue;
		if (n == in.nr)
			break;
		if (in.kind == RPC_ENUM_DKEY) {
			if (used + r->dkey_len > in.room)
				break;
			buf_put_bytes(&b, r->dkey, r->dkey_len);
			used += r->dkey_len;
		} else {
			if (used + r->akey_len > in.room)
				break;
			buf_put_bytes(&b, r->akey, r->akey_len);
			used += r->akey_len;
		}
		n++;
	}
	pthread_mutex_unlock(&fk.lock);
	pos += n;
	memcpy(reply + 8, &pos, 4);
	if (i == MAX_RECS) {
		uint32_t eof = 1;

		memcpy(reply + 4, &eof, 4);
	}
	memcpy(reply + count_at, &n, 4);
	net_rpc_reply(rpc, 0, reply, b.off);
	d_free(reply);
}

static void
h_punch(struct net_rpc *rpc, size_t len, const void *body)
{
	struct rpc_obj_punch_in in;
	int i;

	if (rpc_obj_punch_in_decode(body, len, &in) != 0)
		return reply_status(rpc, -DER_PROTO);
	pthread_mutex_lock(&fk.lock);
	if ((in.hdr.flags & DAOS_COND_PUNCH) && in.kind == RPC_PUNCH_DKEY &&
	    !dkey_exists(&in.hdr, &in.hdr.dkey)) {
		pthread_mutex_unlock(&fk.lock);
		rpc_obj_punch_in_fini(&in);
		return reply_status(rpc, -DER_NONEXIST);
	}
	for (i = 0; i < MAX_RECS; i++) {
		struct rec *r = &fk.recs[i];

		if (!r->used || r->oid.lo != in.hdr.oid.lo || r->oid.hi != in.hdr.oid.hi ||
		    r->shard != in.hdr.shard)
			continue;
		if (in.kind != RPC_PUNCH_OBJ && (r->dkey_len != in.hdr.dkey.iov_len ||
						 memcmp(r->dkey, in.hdr.dkey.iov_buf, r->dkey_len)))
			continue;
		if (in.kind == RPC_PUNCH_AKEYS) {
			uint32_t k;
			bool match = false;

			for (k = 0; k < in.nr; k++)
				match |= in.akeys[k].iov_len == r->akey_len &&
					 !memcmp(in.akeys[k].iov_buf, r->akey, r->akey_len);
			if (!match)
				continue;
		}
		d_free(r->data);
		d_free(r->present);
		memset(r, 0, sizeof(*r));
	}
	pthread_mutex_unlock(&fk.lock);
	rpc_obj_punch_in_fini(&in);
	reply_status(rpc, 0);
}

/* -1, 0 or 1 as dkey @a is below, equal to or above @b: integers if both are 8 bytes. */
static int
key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c;

	if (alen == 8 && blen == 8) {
		uint64_t x;
		uint64_t y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x < y ? -1 : x > y;
	}
	c = memcmp(a, b, D_MIN(alen, blen));
	return c != 0 ? c : alen < blen ? -1 : alen > blen;
}

/*
 * Query key, as VOS answers it: the greatest or least dkey (any record makes it exist,
 * even an array whose extents are all punched), akey, and/or run of present records.
 */
static void
h_query(struct net_rpc *rpc, size_t len, const void *body)
{
	struct rpc_obj_query_in in;
	bool max;
	const struct rec *d = NULL;
	const struct rec *a = NULL;
	uint8_t reply[256 + 2 * 64];
	struct buf b = BUF_INIT(reply, sizeof(reply));
	daos_recx_t recx = { 0 };
	int i;

	if (rpc_obj_query_in_decode(body, len, &in) != 0)
		return reply_status(rpc, -DER_PROTO);
	if (in.qflags == RPC_QUERY_MAX_EPOCH) {
		/* not per object here: the newest write of all is an upper bound */
		buf_put_u64(&b, __atomic_load_n(&fk.last_write, __ATOMIC_RELAXED));
		net_rpc_reply(rpc, 0, reply, b.off);
		return;
	}
	max = (in.qflags & DAOS_GET_MAX) != 0;
	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < MAX_RECS; i++) {
		const struct rec *r = &fk.recs[i];

		if (!rec_is_of(r, &in.hdr))
			continue;
		if (in.qflags & DAOS_GET_DKEY) {
			int c = d == NULL ? 1 : key_cmp(r->dkey, r->dkey_len, d->dkey, d->dkey_len);

			if (d == NULL || (max ? c > 0 : c < 0))
				d = r;
		} else if (rec_has_dkey(r, &in.hdr.dkey)) {
			d = r;
		}
	}
	for (i = 0; d != NULL && i < MAX_RECS; i++) {
		const struct rec *r = &fk.recs[i];

		if (!rec_is_of(r, &in.hdr) || r->dkey_len != d->dkey_len ||
		    memcmp(r->dkey, d->dkey, d->dkey_len))
			continue;
		if (in.qflags & DAOS_GET_AKEY) {
			int c = a == NULL ? 1 : key_cmp(r->akey, r->akey_len, a->akey, a->akey_len);

			if (a == NULL || (max ? c > 0 : c < 0))
				a = r;
		} else if (r->akey_len == in.akey.iov_len &&
			   !memcmp(r->akey, in.akey.iov_buf, r->akey_len)) {
			a = r;
		}
	}
	if (d == NULL || ((in.qflags & (DAOS_GET_AKEY | DAOS_GET_RECX)) && a == NULL))
		goto out_none;
	if (in.qflags & DAOS_GET_RECX) {
		int64_t nrec = a->array ? (int64_t)(a->len / a->size) : 0;
		int64_t k = max ? nrec - 1 : 0;
		int64_t step = max ? -1 : 1;

		while (k >= 0 && k < nrec && !a->present[k])
			k += step;
		if (k < 0 || k >= nrec)
			goto out_none;
		recx.rx_idx = (uint64_t)k;
		recx.rx_nr = 0;
		while (k >= 0 && k < nrec && a->present[k]) {
			recx.rx_nr++;
			if (max)
				recx.rx_idx = (uint64_t)k;
			k += step;
		}
	}
	buf_put_bytes(&b, d->dkey, d->dkey_len);
	buf_put_bytes(&b, a != NULL ? a->akey : in.akey.iov_buf,
		      a != NULL ? a->akey_len : in.akey.iov_len);
	buf_put_u64(&b, recx.rx_idx);
	buf_put_u64(&b, recx.rx_nr);
	pthread_mutex_unlock(&fk.lock);
	net_rpc_reply(rpc, 0, reply, b.off);
	return;
out_none:
	pthread_mutex_unlock(&fk.lock);
	reply_status(rpc, -DER_NONEXIST);
}

static void
h_obj(struct net_rpc *rpc, void *arg)
{
	uint32_t opc = net_rpc_opcode(rpc);
	size_t len;
	const void *body = net_rpc_body(rpc, &len);

	(void)arg;
	if (fk.silent) {
		net_rpc_drop(rpc);
		return;
	}
	count(opc);
	switch (opc) {
	case RPC_OBJ_UPDATE:
		__atomic_store_n(&fk.last_write, d_hlc_get(), __ATOMIC_RELAXED);
		return h_update(rpc, len, body);
	case RPC_OBJ_FETCH:
		return h_fetch(rpc, len, body);
	case RPC_OBJ_ENUM:
		return h_enum(rpc, len, body);
	case RPC_OBJ_PUNCH:
		__atomic_store_n(&fk.last_write, d_hlc_get(), __ATOMIC_RELAXED);
		return h_punch(rpc, len, body);
	case RPC_OBJ_QUERY_KEY:
		return h_query(rpc, len, body);
	default:
		reply_status(rpc, -DER_NOTSUPPORTED);
	}
}

static void *
engine_main(void *arg)
{
	int i;

	(void)arg;
	while (!fk.engine_stop)
		for (i = 0; i <= FAKE_NR_TGTS; i++)
			net_progress(fk.ctx[i], 1);
	return NULL;
}

static int
engine_start(void)
{
	static const uint32_t pool_opcs[] = { RPC_POOL_CONNECT, RPC_POOL_DISCONNECT, RPC_POOL_QUERY,
					      RPC_POOL_LIST_CONT };
	static const uint32_t cont_opcs[] = { RPC_POOL_ATTR,     RPC_CONT_CREATE, RPC_CONT_DESTROY,
					      RPC_CONT_OPEN,     RPC_CONT_CLOSE,  RPC_CONT_QUERY,
					      RPC_CONT_SET_PROP, RPC_CONT_ATTR,   RPC_CONT_SNAP,
					      RPC_CONT_OID_ALLOC };
	static const uint32_t obj_opcs[] = { RPC_OBJ_UPDATE, RPC_OBJ_FETCH, RPC_OBJ_PUNCH,
					     RPC_OBJ_ENUM, RPC_OBJ_QUERY_KEY };
	d_rank_t rank = 0;
	uint32_t nr_tgts = FAKE_NR_TGTS;
	int base;
	int i;
	size_t k;
	int rc;

	for (base = 21000 + (getpid() % 200) * 20; base < 60000; base += 7) {
		for (i = 0; i <= FAKE_NR_TGTS; i++) {
			struct net_ctx_attr attr = { .provider = "ofi+tcp", .port = base + i };

			if (net_ctx_create(&attr, &fk.ctx[i]) != 0)
				break;
		}
		if (i > FAKE_NR_TGTS)
			break;
		while (i-- > 0)
			net_ctx_destroy(fk.ctx[i]);
	}
	snprintf(fk.uri, sizeof(fk.uri), "%s", net_ctx_uri(fk.ctx[0]));
	for (k = 0; k < ARRAY_SIZE(pool_opcs); k++)
		net_handler_register(fk.ctx[0], pool_opcs[k], "pool", h_pool, NULL);
	for (k = 0; k < ARRAY_SIZE(cont_opcs); k++)
		net_handler_register(fk.ctx[0], cont_opcs[k], "cont", h_cont, NULL);
	for (i = 1; i <= FAKE_NR_TGTS; i++)
		for (k = 0; k < ARRAY_SIZE(obj_opcs); k++)
			net_handler_register(fk.ctx[i], obj_opcs[k], "obj", h_obj, NULL);
	rc = pool_map_create(1, &rank, &nr_tgts, &fk.map);
	if (rc != 0)
		return rc;
	fk.engine_stop = false;
	return pthread_create(&fk.engine_thread, NULL, engine_main, NULL) == 0 ? 0 : -DER_MISC;
}

int
fake_start(void)
{
	char path[300];
	int rc;

	memset(fk.recs, 0, sizeof(fk.recs));
	memset(fk.conts, 0, sizeof(fk.conts));
	rc = engine_start();
	if (rc != 0)
		return rc;
	snprintf(fk.dir, sizeof(fk.dir), "/tmp/daos_client_test.XXXXXX");
	if (mkdtemp(fk.dir) == NULL)
		return -DER_MISC;
	snprintf(path, sizeof(path), "%s/daos_agent.sock", fk.dir);
	setenv("DAOS_AGENT_DRPC_DIR", fk.dir, 1);
	uv_loop_init(&fk.loop);
	uv_async_init(&fk.loop, &fk.stop, agent_stop_cb);
	rc = drpc_server_start(&fk.loop, path, 0600, &fk.drpc);
	if (rc != 0)
		return rc;
	drpc_server_register(fk.drpc, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_GET_ATTACH_INFO,
			     agent_attach, NULL);
	drpc_server_register(fk.drpc, DRPC_MODULE_SEC_AGENT, DRPC_METHOD_SEC_AGENT_REQUEST_CREDS,
			     agent_creds, NULL);
	drpc_server_register(fk.drpc, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_POOL_FIND, agent_find,
			     NULL);
	drpc_server_register(fk.drpc, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT,
			     agent_notify, NULL);
	drpc_server_register(fk.drpc, DRPC_MODULE_MGMT, DRPC_METHOD_MGMT_NOTIFY_POOL_DISCONNECT,
			     agent_notify, NULL);
	return pthread_create(&fk.agent_thread, NULL, agent_main, NULL) == 0 ? 0 : -DER_MISC;
}

void
fake_stop(void)
{
	int i;

	uv_async_send(&fk.stop);
	pthread_join(fk.agent_thread, NULL);
	uv_loop_close(&fk.loop);
	rmdir(fk.dir);
	fk.engine_stop = true;
	pthread_join(fk.engine_thread, NULL);
	for (i = 0; i <= FAKE_NR_TGTS; i++)
		net_ctx_destroy(fk.ctx[i]);
	for (i = 0; i < MAX_RECS; i++) {
		d_free(fk.recs[i].data);
		d_free(fk.recs[i].present);
	}
	memset(fk.recs, 0, sizeof(fk.recs));
	pool_map_free(fk.map);
	fk.map = NULL;
}

void
fake_set_silent(bool silent)
{
	fk.silent = silent;
}

uint32_t
fake_count(uint32_t opc)
{
	uint32_t n;

	pthread_mutex_lock(&fk.lock);
	n = fk.counts[opc & 0x3ff];
	pthread_mutex_unlock(&fk.lock);
	return n;
}

uint32_t
fake_bulk_count(void)
{
	uint32_t n;

	pthread_mutex_lock(&fk.lock);
	n = fk.bulks;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

uint32_t
fake_notify_count(int32_t method)
{
	uint32_t n;

	pthread_mutex_lock(&fk.lock);
	n = method == DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT ? fk.notify_connect
							   : fk.notify_disconnect;
	pthread_mutex_unlock(&fk.lock);
	return n;
}
