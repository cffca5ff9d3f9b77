/* SPDX-License-Identifier: Apache-2.0 */
/*
 * headers_compile.c - <daos.h> alone compiles, and what programs written for DAOS
 * rely on has DAOS's values and sizes. Built with -std=gnu99 and as C++; running it
 * only proves it linked.
 */
#include <daos.h>

#ifdef __cplusplus
#define STATIC_ASSERT static_assert
#else
#define STATIC_ASSERT _Static_assert
#endif

/* Sizes and layouts applications embed or ship between processes. */
STATIC_ASSERT(sizeof(daos_handle_t) == 8, "daos_handle_t");
STATIC_ASSERT(sizeof(daos_obj_id_t) == 16, "daos_obj_id_t");
STATIC_ASSERT(DAOS_ANCHOR_BUF_MAX == 104, "DAOS_ANCHOR_BUF_MAX");
STATIC_ASSERT(sizeof(daos_anchor_t) == 120, "daos_anchor_t");
STATIC_ASSERT(sizeof(daos_event_t) == 176, "daos_event_t");
STATIC_ASSERT(sizeof(daos_recx_t) == 16, "daos_recx_t");
STATIC_ASSERT(sizeof(daos_key_desc_t) == 16, "daos_key_desc_t");
STATIC_ASSERT(sizeof(struct daos_prop_entry) == 16, "daos_prop_entry");
STATIC_ASSERT(sizeof(daos_prop_t) == 16, "daos_prop_t");

STATIC_ASSERT(DAOS_PC_RO == 1 && DAOS_PC_RW == 2 && DAOS_PC_EX == 4, "DAOS_PC_*");
STATIC_ASSERT(DAOS_COO_RO == 1 && DAOS_COO_RW == 2 && DAOS_COO_FORCE == 8, "DAOS_COO_*");
STATIC_ASSERT(DAOS_OO_RO == 2 && DAOS_OO_RW == 4 && DAOS_OO_EXCL == 8, "DAOS_OO_*");
STATIC_ASSERT(DAOS_COND_PUNCH == 1 && DAOS_COND_DKEY_INSERT == 2 && DAOS_COND_DKEY_UPDATE == 4 &&
		      DAOS_COND_DKEY_FETCH == 8 && DAOS_COND_AKEY_INSERT == 16 &&
		      DAOS_COND_AKEY_UPDATE == 32 && DAOS_COND_AKEY_FETCH == 64 &&
		      DAOS_COND_PER_AKEY == 128,
	      "DAOS_COND_*");
STATIC_ASSERT(DAOS_REC_ANY == 0, "DAOS_REC_ANY");
STATIC_ASSERT(DAOS_IOD_SINGLE == 1 && DAOS_IOD_ARRAY == 2, "daos_iod_type_t");
STATIC_ASSERT(DAOS_GET_MAX == 1 && DAOS_GET_DKEY == 4 && DAOS_GET_RECX == 16, "DAOS_GET_*");
STATIC_ASSERT(DAOS_EQ_WAIT == -1 && DAOS_EQ_NOWAIT == 0, "DAOS_EQ_*");
STATIC_ASSERT(DAOS_TF_RDONLY == 1 && DAOS_TF_ZERO_COPY == 2, "DAOS_TF_*");

STATIC_ASSERT(DAOS_OT_MULTI_HASHED == 0 && DAOS_OT_DKEY_UINT64 == 2 && DAOS_OT_KV_HASHED == 8 &&
		      DAOS_OT_ARRAY == 11 && DAOS_OT_ARRAY_ATTR == 12 && DAOS_OT_ARRAY_BYTE == 13 &&
		      DAOS_OT_MAX == 14,
	      "enum daos_otype_t");
STATIC_ASSERT(OID_FMT_TYPE_SHIFT == 56 && OID_FMT_CLASS_SHIFT == 48 && OID_FMT_META_SHIFT == 32,
	      "OID layout");

STATIC_ASSERT(OC_UNKNOWN == 0 && OR_RP_2 == 8 && OR_RS_2P1 == 32, "enum daos_obj_redun");
STATIC_ASSERT(OC_S1 == ((1 << 24) | 1) && OC_SX == ((1 << 24) | 65535), "OC_S*");
STATIC_ASSERT(OC_RP_2G1 == ((8 << 24) | 1) && OC_RP_3GX == ((9 << 24) | 65535), "OC_RP_*");
STATIC_ASSERT(OC_EC_2P1G1 == ((32 << 24) | 1) && OC_EC_16P2GX == ((39 << 24) | 65535), "OC_EC_*");
STATIC_ASSERT(OC_TINY == 51 && OC_RP_XSF == 80 && OC_EC_TINY == 100, "OC_* sized by DAOS");

STATIC_ASSERT(DAOS_PROP_PO_LABEL == 1 && DAOS_PROP_PO_ACL == 2 && DAOS_PROP_PO_SVC_LIST == 8 &&
		      DAOS_PROP_PO_REDUN_FAC == 11 && DAOS_PROP_PO_SVC_REDUN_FAC == 19 &&
		      DAOS_PROP_PO_REINT_MODE == 25,
	      "DAOS_PROP_PO_*");
STATIC_ASSERT(DAOS_PROP_CO_MIN == 0x1000 && DAOS_PROP_CO_LABEL == 0x1001 &&
		      DAOS_PROP_CO_LAYOUT_TYPE == 0x1002 && DAOS_PROP_CO_CSUM == 0x1004 &&
		      DAOS_PROP_CO_REDUN_FAC == 0x1007 && DAOS_PROP_CO_ACL == 0x100a &&
		      DAOS_PROP_CO_ROOTS == 0x1011 && DAOS_PROP_CO_EC_CELL_SZ == 0x1014,
	      "DAOS_PROP_CO_*");
STATIC_ASSERT(DAOS_PROP_CO_LAYOUT_POSIX == 1 && DAOS_PROP_CO_LAYOUT_HDF5 == 2,
	      "DAOS_PROP_CO_LAYOUT_*");
STATIC_ASSERT(DAOS_PROP_LABEL_MAX_LEN == 127, "DAOS_PROP_LABEL_MAX_LEN");
STATIC_ASSERT(DAOS_MEDIA_SCM == 0 && DAOS_MEDIA_NVME == 1, "DAOS_MEDIA_*");
STATIC_ASSERT(DAOS_HTYPE_POOL == 3 && DAOS_HTYPE_CO == 5 && DAOS_HTYPE_OBJ == 7, "HTYPE");
STATIC_ASSERT(DAOS_ACL_OWNER == 0 && DAOS_ACL_EVERYONE == 4, "daos_acl_principal_type");

/*
 * The calls IOR's and fio's DAOS engines make, in their order. Never called: the
 * library comes later, so this only has to compile.
 */
int headers_ior_fio_shape(const char *pool, const char *cont);

int
headers_ior_fio_shape(const char *pool, const char *cont)
{
	daos_handle_t poh, coh, oh, eqh;
	daos_pool_info_t pinfo;
	daos_cont_info_t cinfo;
	daos_obj_id_t oid = { 0, 0 };
	daos_event_t ev, *evp;
	daos_range_t rg;
	daos_array_iod_t iod;
	d_sg_list_t sgl;
	d_iov_t iov;
	daos_anchor_t anchor = DAOS_ANCHOR_INIT;
	char buf[64];
	bool done;
	int rc;

	rc = daos_init();
	if (rc != 0 && rc != -DER_ALREADY)
		return rc;
	memset(&pinfo, 0, sizeof(pinfo));
	pinfo.pi_bits = DPI_SPACE;
	rc = daos_pool_connect(pool, NULL, DAOS_PC_RW, &poh, &pinfo, NULL);
	if (rc != 0)
		return rc;
	rc = daos_cont_open(poh, cont, DAOS_COO_RW, &coh, &cinfo, NULL);
	if (rc != 0)
		return rc;
	oid.lo = 1;
	rc = daos_obj_generate_oid(coh, &oid, DAOS_OT_ARRAY_BYTE, OC_SX, 0, 0);
	if (rc != 0)
		return rc;
	rc = daos_array_open_with_attr(coh, oid, DAOS_TX_NONE, DAOS_OO_RW, 1, 1048576, &oh, NULL);
	if (rc != 0)
		return rc;
	rc = daos_eq_create(&eqh);
	if (rc != 0)
		return rc;
	rc = daos_event_init(&ev, eqh, NULL);
	if (rc != 0)
		return rc;

	rg.rg_idx = 0;
	rg.rg_len = sizeof(buf);
	iod.arr_nr = 1;
	iod.arr_rgs = &rg;
	d_iov_set(&iov, buf, sizeof(buf));
	sgl.sg_nr = 1;
	sgl.sg_nr_out = 0;
	sgl.sg_iovs = &iov;
	rc = daos_array_write(oh, DAOS_TX_NONE, &iod, &sgl, &ev);
	if (rc != 0)
		return rc;
	rc = daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp);
	if (rc < 0)
		return rc;
	rc = daos_event_test(&ev, DAOS_EQ_NOWAIT, &done);
	if (rc != 0 || ev.ev_error != 0)
		return rc != 0 ? rc : ev.ev_error;
	(void)daos_anchor_is_eof(&anchor);
	(void)daos_handle_is_valid(oh);

	daos_event_fini(&ev);
	daos_eq_destroy(eqh, 0);
	daos_array_close(oh, NULL);
	daos_cont_close(coh, NULL);
	daos_pool_disconnect(poh, NULL);
	return daos_fini();
}

int
main(void)
{
	return 0;
}
