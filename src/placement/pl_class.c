/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pl_class.c - object classes and object IDs: DAOS's class table, names and ids,
 * fitting X classes to a pool, automatic class selection, and the DAOS bits of an OID.
 *
 * A class id is (redundancy method << 24) | group count. The table lists DAOS 2.6's
 * classes in its order (names_list prints them so); an id that is not in the table is
 * still a class when its method is one of the table's and its count is 1 .. 65534: X
 * classes resolve to such ids, and DAOS names them after the method ("RP_2G7").
 * RP_XSF is the exception: its id (80) is below every method's, and an OID of it stores
 * method 0 and count 80, as DAOS does.
 *
 * What the method means (replicas, or k + p) is a second small table, by method.
 * Selection and fitting follow DAOS 2.6's dc_set_oclass() and daos_oclass_fit_max(),
 * including the reserve: min(30% of the targets / group size, rf) groups are left for
 * rebuild so that a failure does not force two members of a group into one domain.
 */
#define D_LOGFAC DD_FAC(placement)

#include <gurt/common.h>
#include <string.h>

#include "placement/placement.h"

struct oclass {
	const char *name;
	daos_oclass_id_t id;
};

#define PL_OCLASS_ROW(name, redun, grp, listed) \
	{ (listed) ? #name : NULL, OBJ_CLASS_DEF(redun, grp) },

/* DAOS's table, in its order; rows with a NULL name are ids without a table row. */
/* One list per line: clang-format would run the macro calls together. */
/* clang-format off */
static const struct oclass oclass_table[] = {
	PL_OCLASS_LIST_RP(PL_OCLASS_ROW)
	{ "RP_XSF", OC_RP_XSF },
	PL_OCLASS_LIST_EC(PL_OCLASS_ROW)
};
/* clang-format on */

#define OCLASS_TABLE_NR (sizeof(oclass_table) / sizeof(oclass_table[0]))

/* What each redundancy method means. */
struct redun {
	uint32_t redun;
	enum daos_obj_resil resil;
	uint32_t rp_nr; /* replicas; 0 for EC */
	uint32_t k;
	uint32_t p;
};

static const struct redun redun_table[] = {
	{ OR_RP_1, DAOS_RES_REPL, 1, 0, 0 },   { OR_RP_2, DAOS_RES_REPL, 2, 0, 0 },
	{ OR_RP_3, DAOS_RES_REPL, 3, 0, 0 },   { OR_RP_4, DAOS_RES_REPL, 4, 0, 0 },
	{ OR_RP_5, DAOS_RES_REPL, 5, 0, 0 },   { OR_RP_6, DAOS_RES_REPL, 6, 0, 0 },
	{ OR_RP_8, DAOS_RES_REPL, 8, 0, 0 },   { OR_RP_12, DAOS_RES_REPL, 12, 0, 0 },
	{ OR_RP_16, DAOS_RES_REPL, 16, 0, 0 }, { OR_RP_24, DAOS_RES_REPL, 24, 0, 0 },
	{ OR_RP_32, DAOS_RES_REPL, 32, 0, 0 }, { OR_RP_48, DAOS_RES_REPL, 48, 0, 0 },
	{ OR_RP_64, DAOS_RES_REPL, 64, 0, 0 }, { OR_RP_128, DAOS_RES_REPL, 128, 0, 0 },
	{ OR_RS_2P1, DAOS_RES_EC, 0, 2, 1 },   { OR_RS_2P2, DAOS_RES_EC, 0, 2, 2 },
	{ OR_RS_4P1, DAOS_RES_EC, 0, 4, 1 },   { OR_RS_4P2, DAOS_RES_EC, 0, 4, 2 },
	{ OR_RS_8P1, DAOS_RES_EC, 0, 8, 1 },   { OR_RS_8P2, DAOS_RES_EC, 0, 8, 2 },
	{ OR_RS_16P1, DAOS_RES_EC, 0, 16, 1 }, { OR_RS_16P2, DAOS_RES_EC, 0, 16, 2 },
	{ OR_RS_4P3, DAOS_RES_EC, 0, 4, 3 },   { OR_RS_8P3, DAOS_RES_EC, 0, 8, 3 },
	{ OR_RS_16P3, DAOS_RES_EC, 0, 16, 3 },
};

#define REDUN_TABLE_NR (sizeof(redun_table) / sizeof(redun_table[0]))

static const struct redun *
redun_find(uint32_t redun)
{
	size_t i;

	for (i = 0; i < REDUN_TABLE_NR; i++)
		if (redun_table[i].redun == redun)
			return &redun_table[i];
	return NULL;
}

/* The first listed row with method @redun: the one DAOS names resolved ids after. */
static const struct oclass *
oclass_first_of(uint32_t redun)
{
	size_t i;

	for (i = 0; i < OCLASS_TABLE_NR; i++)
		if (oclass_table[i].name != NULL && oclass_table[i].id != OC_RP_XSF &&
		    oclass_table[i].id >> OC_REDUN_SHIFT == redun)
			return &oclass_table[i];
	return NULL;
}

/*
 * The row naming @id and its group count: an exact listed row, else the first row of
 * its method with the count taken from the id. NULL if @id is no class.
 */
static const struct oclass *
oclass_find(daos_oclass_id_t id, uint32_t *grp_nr)
{
	const struct oclass *oc;
	uint32_t nr;
	size_t i;

	if (id == OC_UNKNOWN)
		return NULL;
	for (i = 0; i < OCLASS_TABLE_NR; i++) {
		if (oclass_table[i].name != NULL && oclass_table[i].id == id) {
			*grp_nr = id == OC_RP_XSF ? 1 : id & MAX_NUM_GROUPS;
			return &oclass_table[i];
		}
	}
	if (id < (OR_RP_1 << OC_REDUN_SHIFT))
		return NULL;
	/* The byte between method and count is always 0 in an id. */
	if ((id >> 16) & 0xff)
		return NULL;
	nr = id & MAX_NUM_GROUPS;
	if (nr == 0)
		return NULL;
	oc = oclass_first_of(id >> OC_REDUN_SHIFT);
	if (oc == NULL)
		return NULL;
	*grp_nr = nr;
	return oc;
}

int
pl_oclass_name2id(const char *name)
{
	size_t i;

	if (name == NULL || strnlen(name, MAX_OBJ_CLASS_NAME_LEN + 1) > MAX_OBJ_CLASS_NAME_LEN)
		return OC_UNKNOWN;
	for (i = 0; i < OCLASS_TABLE_NR; i++)
		if (oclass_table[i].name != NULL && strcmp(oclass_table[i].name, name) == 0)
			return (int)oclass_table[i].id;
	return OC_UNKNOWN;
}

int
pl_oclass_id2name(daos_oclass_id_t id, char *buf, size_t len)
{
	const struct oclass *oc;
	uint32_t grp_nr;
	size_t pfx;
	int n;

	if (buf == NULL || len == 0)
		return -DER_INVAL;
	oc = oclass_find(id, &grp_nr);
	if (oc == NULL) {
		if (len > strlen("UNKNOWN"))
			memcpy(buf, "UNKNOWN", sizeof("UNKNOWN"));
		else
			buf[0] = '\0';
		return -DER_NONEXIST;
	}
	if (oc->id == id) {
		n = snprintf(buf, len, "%s", oc->name);
	} else if (oc->name[0] == 'S') {
		n = snprintf(buf, len, "S%u", grp_nr);
	} else {
		/* "RP_2G1" -> "RP_2G<n>": keep the name up to its 'G'. */
		pfx = (size_t)(strchr(oc->name, 'G') - oc->name) + 1;
		n = snprintf(buf, len, "%.*s%u", (int)pfx, oc->name, grp_nr);
	}
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -DER_INVAL;
	}
	return 0;
}

ssize_t
pl_oclass_names_list(size_t size, char *buf)
{
	size_t len = 0;
	size_t n;
	size_t i;

	if (size == 0 || buf == NULL)
		return -DER_INVAL;
	buf[0] = '\0';
	for (i = 0; i < OCLASS_TABLE_NR; i++) {
		if (oclass_table[i].name == NULL)
			continue;
		n = strlen(oclass_table[i].name);
		/* DAOS's rule: the text so far plus this name and ", " must stay below size. */
		if (len + n + 2 >= size)
			return -DER_OVERFLOW;
		memcpy(buf + len, oclass_table[i].name, n);
		memcpy(buf + len + n, ", ", 3);
		len += n + 2;
	}
	return (ssize_t)len;
}

int
pl_oclass_nr(void)
{
	size_t i;
	int nr = 0;

	for (i = 0; i < OCLASS_TABLE_NR; i++)
		nr += oclass_table[i].name != NULL;
	return nr;
}

int
pl_oclass_attr_get(daos_oclass_id_t id, struct pl_oclass_attr *attr)
{
	const struct oclass *oc;
	const struct redun *rd;
	uint32_t grp_nr;

	oc = oclass_find(id, &grp_nr);
	if (oc == NULL)
		return -DER_NONEXIST;
	memset(attr, 0, sizeof(*attr));
	attr->grp_nr = grp_nr;
	if (oc->id == OC_RP_XSF) {
		attr->resil = DAOS_RES_REPL;
		attr->rp_nr = PL_REPL_ALL;
		attr->grp_size = PL_REPL_ALL;
		attr->resil_degree = UINT32_MAX;
		return 0;
	}
	rd = redun_find(oc->id >> OC_REDUN_SHIFT);
	D_ASSERT(rd != NULL);
	attr->resil = rd->resil;
	if (rd->resil == DAOS_RES_REPL) {
		attr->rp_nr = rd->rp_nr;
		attr->grp_size = rd->rp_nr;
		attr->resil_degree = rd->rp_nr - 1;
	} else {
		attr->ec_k = rd->k;
		attr->ec_p = rd->p;
		attr->grp_size = rd->k + rd->p;
		attr->resil_degree = rd->p;
	}
	return 0;
}

/* Groups left for rebuild when a class takes "as many as fit" (DAOS 2.6). */
static uint32_t
reserve_grp(uint32_t nr_targets, uint32_t grp_size, uint32_t rf)
{
	uint32_t by_share = nr_targets * 3 / 10 / grp_size;

	return by_share < rf ? by_share : rf;
}

/* The most groups of @grp_size that fit, less the reserve, at least 1. */
static uint32_t
max_grp(uint32_t nr_targets, uint32_t grp_size, uint32_t rf)
{
	uint32_t nr = nr_targets / grp_size;
	uint32_t reserve = reserve_grp(nr_targets, grp_size, rf);

	if (nr > reserve)
		nr -= reserve;
	if (nr == 0)
		nr = 1;
	/* Keep MAX_NUM_GROUPS meaning X. */
	if (nr >= MAX_NUM_GROUPS)
		nr = MAX_NUM_GROUPS - 1;
	return nr;
}

int
pl_oclass_fit(daos_oclass_id_t id, uint32_t nr_domains, uint32_t nr_targets, uint32_t rf,
	      daos_oclass_id_t *out)
{
	struct pl_oclass_attr attr;
	uint32_t grp_nr;
	int rc;

	if (nr_domains == 0 || nr_targets == 0)
		return -DER_INVAL;
	rc = pl_oclass_attr_get(id, &attr);
	if (rc != 0)
		return -DER_INVAL;
	/* RP_XSF replicates on every domain; its id is what the OID stores. */
	if (id == OC_RP_XSF) {
		*out = id;
		return 0;
	}
	grp_nr = attr.grp_nr;
	if (grp_nr == MAX_NUM_GROUPS)
		grp_nr = max_grp(nr_targets, attr.grp_size, rf);
	if (attr.grp_size > nr_domains) {
		D_ERROR("class %#x: group size %u exceeds %u fault domains: " DF_RC, id,
			attr.grp_size, nr_domains, DP_RC(-DER_INVAL));
		return -DER_INVAL;
	}
	if ((uint64_t)grp_nr * attr.grp_size > nr_targets) {
		D_ERROR("class %#x: %u groups of %u exceed %u targets: " DF_RC, id, grp_nr,
			attr.grp_size, nr_targets, DP_RC(-DER_INVAL));
		return -DER_INVAL;
	}
	*out = (id & ~(daos_oclass_id_t)MAX_NUM_GROUPS) | grp_nr;
	return 0;
}

bool
pl_otype_is_array(enum daos_otype_t type)
{
	return type == DAOS_OT_ARRAY || type == DAOS_OT_ARRAY_ATTR || type == DAOS_OT_ARRAY_BYTE;
}

bool
pl_otype_is_kv(enum daos_otype_t type)
{
	return type == DAOS_OT_KV_HASHED || type == DAOS_OT_KV_UINT64 || type == DAOS_OT_KV_LEXICAL;
}

bool
pl_otype_dkey_is_uint64(enum daos_otype_t type)
{
	switch (type) {
	case DAOS_OT_MULTI_UINT64:
	case DAOS_OT_DKEY_UINT64:
	case DAOS_OT_KV_UINT64:
	case DAOS_OT_ARRAY:
	case DAOS_OT_ARRAY_ATTR:
	case DAOS_OT_ARRAY_BYTE:
		return true;
	default:
		return false;
	}
}

/* EC for arrays: the widest k with parity @p that fits @nr_domains (DAOS's steps). */
static uint32_t
select_ec(uint32_t p, uint32_t nr_domains, uint32_t *grp_size)
{
	static const uint32_t ks[] = { 16, 8, 4 };
	static const uint32_t redun_p1[] = { OR_RS_16P1, OR_RS_8P1, OR_RS_4P1 };
	static const uint32_t redun_p2[] = { OR_RS_16P2, OR_RS_8P2, OR_RS_4P2 };
	size_t i;

	for (i = 0; i < 3; i++) {
		/* k + 2p domains: 16P1 needs 18, 8P1 10, 4P1 6; 16P2 20, 8P2 12, 4P2 8. */
		if (nr_domains >= ks[i] + 2 * p) {
			*grp_size = ks[i] + p;
			return p == 1 ? redun_p1[i] : redun_p2[i];
		}
	}
	*grp_size = 2 + p;
	return p == 1 ? OR_RS_2P1 : OR_RS_2P2;
}

int
pl_oclass_select(uint32_t rf, uint32_t nr_domains, uint32_t nr_targets, enum daos_otype_t type,
		 daos_oclass_hints_t hints, daos_oclass_id_t *out)
{
	uint32_t rdd = hints & DAOS_OCH_RDD_MASK;
	uint32_t shd = hints & DAOS_OCH_SHD_MASK;
	bool want_ec = rdd == DAOS_OCH_RDD_EC || (rdd == 0 && pl_otype_is_array(type));
	uint32_t grp_size;
	uint32_t redun;
	uint32_t grp_nr;

	if (nr_domains == 0 || nr_targets == 0)
		return -DER_INVAL;
	switch (rf) {
	case 1:
		if (want_ec && nr_domains >= 3) {
			redun = select_ec(1, nr_domains, &grp_size);
		} else {
			redun = OR_RP_2;
			grp_size = 2;
		}
		break;
	case 2:
		if (want_ec && nr_domains >= 4) {
			redun = select_ec(2, nr_domains, &grp_size);
		} else {
			redun = OR_RP_3;
			grp_size = 3;
		}
		break;
	case 3:
		redun = OR_RP_4;
		grp_size = 4;
		break;
	case 4:
		redun = OR_RP_5;
		grp_size = 5;
		break;
	default: /* rf 0, and DAOS treats unknown factors the same */
		if (rdd == DAOS_OCH_RDD_RP && nr_domains >= 2) {
			redun = OR_RP_2;
			grp_size = 2;
		} else if (rdd == DAOS_OCH_RDD_EC) {
			redun = select_ec(1, nr_domains, &grp_size);
		} else {
			redun = OR_RP_1;
			grp_size = 1;
		}
		break;
	}
	if (grp_size > nr_domains) {
		D_ERROR("rf %u: group size %u exceeds %u fault domains: " DF_RC, rf, grp_size,
			nr_domains, DP_RC(-DER_INVAL));
		return -DER_INVAL;
	}

	switch (shd) {
	case 0:
	case DAOS_OCH_SHD_DEF:
		grp_nr = pl_otype_is_array(type) || pl_otype_is_kv(type) ? MAX_NUM_GROUPS : 1;
		break;
	case DAOS_OCH_SHD_MAX:
		grp_nr = MAX_NUM_GROUPS;
		break;
	case DAOS_OCH_SHD_TINY:
		grp_nr = 1;
		break;
	case DAOS_OCH_SHD_REG:
		grp_nr = nr_targets * 25 / 100 > 128 ? nr_targets * 25 / 100 : 128;
		break;
	case DAOS_OCH_SHD_HI:
		grp_nr = nr_targets * 50 / 100 > 256 ? nr_targets * 50 / 100 : 256;
		break;
	case DAOS_OCH_SHD_EXT:
		grp_nr = nr_targets * 80 / 100 > 1024 ? nr_targets * 80 / 100 : 1024;
		break;
	default:
		D_ERROR("invalid sharding hint %#x: " DF_RC, shd, DP_RC(-DER_INVAL));
		return -DER_INVAL;
	}
	if (grp_nr == MAX_NUM_GROUPS || (uint64_t)grp_nr * grp_size > nr_targets)
		grp_nr = max_grp(nr_targets, grp_size, rf);
	*out = OBJ_CLASS_DEF(redun, grp_nr);
	return 0;
}

void
pl_oid_set(daos_obj_id_t *oid, enum daos_otype_t type, uint32_t redun, uint32_t grp_nr)
{
	uint64_t hdr;

	hdr = (uint64_t)type << OID_FMT_TYPE_SHIFT;
	hdr |= ((uint64_t)redun & OID_FMT_CLASS_MAX) << OID_FMT_CLASS_SHIFT;
	hdr |= ((uint64_t)grp_nr & OID_FMT_META_MAX) << OID_FMT_META_SHIFT;
	oid->hi = (oid->hi & ((1ULL << OID_FMT_INTR_BITS) - 1)) | hdr;
}

int
pl_oid_generate(daos_obj_id_t *oid, enum daos_otype_t type, daos_oclass_id_t cid,
		daos_oclass_hints_t hints, uint32_t rf, uint32_t nr_domains, uint32_t nr_targets)
{
	struct pl_oclass_attr attr;
	daos_oclass_id_t id;
	int rc;

	if (oid == NULL || (uint32_t)type > DAOS_OT_MAX)
		return -DER_INVAL;
	if (cid == OC_UNKNOWN) {
		rc = pl_oclass_select(rf, nr_domains, nr_targets, type, hints, &id);
	} else {
		rc = pl_oclass_attr_get(cid, &attr);
		if (rc != 0)
			return -DER_INVAL;
		/* The container's redundancy factor is a floor for every object in it. */
		if (attr.resil_degree < rf) {
			D_ERROR("class %#x tolerates %u failures, container rf is %u: " DF_RC, cid,
				attr.resil_degree, rf, DP_RC(-DER_INVAL));
			return -DER_INVAL;
		}
		rc = pl_oclass_fit(cid, nr_domains, nr_targets, rf, &id);
	}
	if (rc != 0)
		return rc;
	/* Ids below OR_RP_1's (RP_XSF) are stored whole in the count field, method 0. */
	if (id < (OR_RP_1 << OC_REDUN_SHIFT))
		pl_oid_set(oid, type, 0, id);
	else
		pl_oid_set(oid, type, id >> OC_REDUN_SHIFT, id & MAX_NUM_GROUPS);
	return 0;
}
