/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errno.c - names, descriptions and errno mapping of the DER_* codes. Everything is
 * generated from the one table in daos_errno.h into two arrays indexed by code, one per
 * range, so printing an error costs an index and a bounds check.
 */
#define D_LOGFAC DD_FAC(common)

#include "common/common_int.h"

struct der_info {
	const char *name;
	const char *desc;
	int errnum;
};

/* Indexed by code - DER_ERR_*_BASE; both ranges are dense, as DAOS's are. */
static const struct der_info gurt_errs[] = {
#define GURT_ROW(name, value, errnum, text) [value - DER_ERR_GURT_BASE] = { #name, text, errnum },
	D_FOREACH_GURT_ERR(GURT_ROW)
#undef GURT_ROW
};

static const struct der_info daos_errs[] = {
#define DAOS_ROW(name, value, errnum, text) [value - DER_ERR_DAOS_BASE] = { #name, text, errnum },
	D_FOREACH_DAOS_ERR(DAOS_ROW)
#undef DAOS_ROW
};

/* The row of @rc (either sign), or NULL for 0 and codes outside the table. */
static const struct der_info *
der_lookup(int rc)
{
	const struct der_info *row = NULL;

	if (rc < 0)
		rc = -rc;
	if (rc > DER_ERR_GURT_BASE && rc - DER_ERR_GURT_BASE < (int)ARRAY_SIZE(gurt_errs))
		row = &gurt_errs[rc - DER_ERR_GURT_BASE];
	else if (rc > DER_ERR_DAOS_BASE && rc - DER_ERR_DAOS_BASE < (int)ARRAY_SIZE(daos_errs))
		row = &daos_errs[rc - DER_ERR_DAOS_BASE];
	return row != NULL && row->name != NULL ? row : NULL;
}

D_EXPORT const char *
d_errstr(int rc)
{
	const struct der_info *row = der_lookup(rc);

	if (rc == 0)
		return "DER_SUCCESS";
	return row != NULL ? row->name : "DER_UNKNOWN";
}

D_EXPORT const char *
d_errdesc(int rc)
{
	const struct der_info *row = der_lookup(rc);

	if (rc == 0)
		return "success";
	return row != NULL ? row->desc : "unknown error code";
}

D_EXPORT int
daos_der2errno(int rc)
{
	const struct der_info *row;

	if (rc < 0)
		rc = -rc;
	/* Below the DER range the value already is an errno (POSIX layers pass them). */
	if (rc < DER_ERR_GURT_BASE)
		return rc;
	row = der_lookup(rc);
	return row != NULL ? row->errnum : EIO;
}

D_EXPORT int
daos_errno2der(int err)
{
	if (err < 0)
		err = -err;
	/*
	 * Several DER codes share an errno; this picks the one a caller most likely
	 * means, so the reverse mapping is written out rather than generated.
	 */
	switch (err) {
	case 0:
		return DER_SUCCESS;
	case EPERM:
	case EACCES:
		return DER_NO_PERM;
	case ENOMEM:
		return DER_NOMEM;
	case EDQUOT:
	case ENOSPC:
		return DER_NOSPACE;
	case EEXIST:
		return DER_EXIST;
	case ENOENT:
		return DER_NONEXIST;
	case ECANCELED:
		return DER_CANCELED;
	case EBUSY:
		return DER_BUSY;
	case EOVERFLOW:
		return DER_OVERFLOW;
	case EBADF:
		return DER_NO_HDL;
	case ENOSYS:
		return DER_NOSYS;
	case ETIMEDOUT:
		return DER_TIMEDOUT;
	case EWOULDBLOCK:
		return DER_AGAIN;
	case EINTR:
		return DER_AGAIN;
	case EALREADY:
		return DER_ALREADY;
	case EPROTO:
		return DER_PROTO;
	case ENOTDIR:
		return DER_NOTDIR;
	case EHOSTUNREACH:
	case ECONNREFUSED:
	case ECONNRESET:
	case ENOTCONN:
	case EPIPE:
		return DER_UNREACH;
	case ESTALE:
		return DER_STALE;
	case EROFS:
		return DER_EP_RO;
	case E2BIG:
		return DER_KEY2BIG;
	case EOPNOTSUPP:
		return DER_NOTSUPPORTED;
	case EINPROGRESS:
		return DER_INPROGRESS;
	case ESHUTDOWN:
		return DER_SHUTDOWN;
	case EINVAL:
	case ENAMETOOLONG:
	case EDOM:
		return DER_INVAL;
	case EIO:
	case ENXIO:
	case ENODEV:
		return DER_IO;
	default:
		return DER_MISC;
	}
}
