/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errno.c - names, descriptions and errno mapping of the DER_* codes. Everything is
 * generated from the one table in daos_errno.h; lookups are a switch the compiler turns
 * into a jump table, so printing an error costs nothing worth caching.
 */
#define D_LOGFAC DD_FAC(common)

#include "common/common_int.h"

#define ERR_NAME_CASE(name, value, errnum, text)                                                   \
	case value:                                                                                \
		return #name;
#define ERR_DESC_CASE(name, value, errnum, text)                                                   \
	case value:                                                                                \
		return text;
#define ERR_ERRNO_CASE(name, value, errnum, text)                                                  \
	case value:                                                                                \
		return errnum;

D_EXPORT const char *
d_errstr(int rc)
{
	if (rc < 0)
		rc = -rc;
	switch (rc) {
	case 0:
		return "DER_SUCCESS";
	D_FOREACH_GURT_ERR(ERR_NAME_CASE)
	D_FOREACH_DAOS_ERR(ERR_NAME_CASE)
	default:
		return "DER_UNKNOWN";
	}
}

D_EXPORT const char *
d_errdesc(int rc)
{
	if (rc < 0)
		rc = -rc;
	switch (rc) {
	case 0:
		return "success";
	D_FOREACH_GURT_ERR(ERR_DESC_CASE)
	D_FOREACH_DAOS_ERR(ERR_DESC_CASE)
	default:
		return "unknown error code";
	}
}

D_EXPORT int
daos_der2errno(int rc)
{
	if (rc < 0)
		rc = -rc;
	/* Below the DER range the value already is an errno (POSIX layers pass them). */
	if (rc < DER_ERR_GURT_BASE)
		return rc;
	switch (rc) {
	D_FOREACH_GURT_ERR(ERR_ERRNO_CASE)
	D_FOREACH_DAOS_ERR(ERR_ERRNO_CASE)
	default:
		return EIO;
	}
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
