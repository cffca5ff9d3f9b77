/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpc_fuzz.c - libFuzzer target for the data-plane RPC bodies (proto/rpc.h): the first
 * byte picks a decoder, the rest is the body. Whatever decodes must encode again to a
 * body that decodes to the same thing (checked on the fixed-size parts).
 */
#define D_LOGFAC DD_FAC(tests)

#include <gurt/common.h>
#include <string.h>

#include "common/buf.h"
#include "rpc/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[NET_MSG_MAX];

static void
fuzz_rw(const uint8_t *p, size_t n, bool fetch)
{
	struct rpc_obj_rw_in in;
	struct rpc_obj_rw_in again;
	size_t len;

	if (rpc_obj_rw_in_decode(p, n, fetch, &in) != 0)
		return;
	len = fetch ? rpc_obj_fetch_in_encode(&in, out, sizeof(out))
		    : rpc_obj_update_in_encode(&in, out, sizeof(out));
	D_ASSERT(len == n);
	D_ASSERT(rpc_obj_rw_in_decode(out, len, fetch, &again) == 0);
	D_ASSERT(again.nr == in.nr && again.data.kind == in.data.kind);
	rpc_obj_rw_in_fini(&again);
	rpc_obj_rw_in_fini(&in);
}

static void
fuzz_ps(uint8_t which, const uint8_t *p, size_t n)
{
	struct rpc_pool_connect_in ci;
	struct rpc_pool_query_in qi;
	struct rpc_pool_query_out qo;
	struct rpc_cont_open_in oi;
	struct rpc_cont_open_out oo;
	struct rpc_cont_set_prop_in si;
	struct rpc_cont_create_in cc;
	struct rpc_cont_destroy_in cd;
	struct rpc_cont_snap_in sn;
	struct rpc_hdl_revoke_in rv;
	struct rpc_hdl_info hi;
	struct rpc_attr_in ai;
	struct rpc_cont_hdr ch;
	struct rpc_cont_entry *ents;
	uint64_t *epochs;
	uuid_t pu, cu;
	uint32_t nr;

	switch (which % 16) {
	case 0:
		if (rpc_pool_connect_in_decode(p, n, &ci) == 0)
			D_ASSERT(rpc_pool_connect_in_encode(&ci, out, sizeof(out)) == n);
		break;
	case 1:
		if (rpc_pool_query_in_decode(p, n, &qi) == 0)
			rpc_pool_query_in_fini(&qi);
		break;
	case 2:
		if (rpc_pool_query_out_decode(p, n, &qo) == 0) {
			D_ASSERT(rpc_pool_query_out_encode(&qo, out, sizeof(out)) == n);
			rpc_pool_query_out_fini(&qo);
		}
		break;
	case 3:
		if (rpc_cont_open_in_decode(p, n, &oi) == 0)
			rpc_cont_prop_fini(&oi.prop);
		break;
	case 4:
		if (rpc_cont_open_out_decode(p, n, &oo) == 0)
			rpc_cont_prop_fini(&oo.prop);
		break;
	case 5:
		if (rpc_cont_set_prop_in_decode(p, n, &si) == 0)
			rpc_cont_prop_fini(&si.prop);
		break;
	case 6:
		if (rpc_cont_create_in_decode(p, n, &cc) == 0)
			rpc_cont_prop_fini(&cc.prop);
		break;
	case 7:
		if (rpc_cont_destroy_in_decode(p, n, &cd) == 0)
			D_ASSERT(rpc_cont_destroy_in_encode(&cd, out, sizeof(out)) == n);
		break;
	case 8:
		(void)rpc_cont_snap_in_decode(p, n, &sn);
		break;
	case 9:
		if (rpc_hdl_revoke_in_decode(p, n, &rv) == 0) {
			D_ASSERT(rpc_hdl_revoke_in_encode(&rv, out, sizeof(out)) == n);
			rpc_hdl_revoke_in_fini(&rv);
		}
		break;
	case 10:
		(void)rpc_hdl_info_decode(p, n, &hi);
		break;
	case 11:
		if (rpc_attr_in_decode(p, n, &ch, true, &ai) == 0)
			rpc_attr_in_fini(&ai);
		break;
	case 12:
		if (rpc_cont_list_decode(p, n, &ents, &nr) == 0)
			d_free(ents);
		break;
	case 14:
		if (rpc_cont_id_decode(p, n, pu, cu) == 0)
			D_ASSERT(rpc_cont_id_encode(pu, cu, out, sizeof(out)) == n);
		break;
	case 15:
		if (rpc_snaps_decode(p, n, &epochs, &nr) == 0) {
			D_ASSERT(rpc_snaps_encode(epochs, nr, out, sizeof(out)) == n);
			d_free(epochs);
		}
		break;
	default:
		if (rpc_attr_in_decode(p, n, &ch.pool, false, &ai) == 0)
			rpc_attr_in_fini(&ai);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_obj_fetch_out fo;
	struct rpc_obj_punch_in pi;
	struct rpc_obj_enum_in ei;
	struct rpc_obj_query_in qk;
	struct rpc_obj_list_out lo;

	if (size < 1)
		return 0;
	/* 6 and 7 select the pool service bodies; 8 came later, so it is not 6 */
	switch (data[0] % 9) {
	case 0:
		fuzz_rw(data + 1, size - 1, false);
		break;
	case 1:
		fuzz_rw(data + 1, size - 1, true);
		break;
	case 2:
		if (rpc_obj_fetch_out_decode(data + 1, size - 1, &fo) == 0)
			rpc_obj_fetch_out_fini(&fo);
		break;
	case 3:
		if (rpc_obj_punch_in_decode(data + 1, size - 1, &pi) == 0) {
			D_ASSERT(rpc_obj_punch_in_encode(&pi, out, sizeof(out)) == size - 1);
			rpc_obj_punch_in_fini(&pi);
		}
		break;
	case 4:
		if (rpc_obj_enum_in_decode(data + 1, size - 1, &ei) == 0)
			D_ASSERT(rpc_obj_enum_in_encode(&ei, out, sizeof(out)) == size - 1);
		break;
	case 5:
		if (rpc_obj_query_in_decode(data + 1, size - 1, &qk) == 0)
			D_ASSERT(rpc_obj_query_in_encode(&qk, out, sizeof(out)) == size - 1);
		break;
	case 8:
		if (rpc_obj_list_out_decode(data + 1, size - 1, &lo) == 0) {
			D_ASSERT(rpc_obj_list_out_encode(&lo, out, sizeof(out)) == size - 1);
			rpc_obj_list_out_fini(&lo);
		}
		break;
	default:
		fuzz_ps(size > 1 ? data[1] : 0, data + (size > 1 ? 2 : 1),
			size - (size > 1 ? 2 : 1));
	}
	return 0;
}
