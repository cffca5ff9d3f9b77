/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_errno.h - DAOS error codes (DER_*).
 *
 * Names and numbers are DAOS's, so programs written for DAOS compare and print them
 * unchanged. Functions return them negated (-DER_NONEXIST). The errno column is what
 * POSIX callers (libdfs, dfuse, the interception libraries) see; the text is ours.
 *
 * One table names every code: it expands into the enum below and, in libgurt, into
 * d_errstr(), d_errdesc(), daos_der2errno() and daos_errno2der().
 */
#ifndef DAOS_ERRNO_H
#define DAOS_ERRNO_H

#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Codes of the transport and common layer (GURT/CaRT), base 1000. */
#define D_FOREACH_GURT_ERR(X)                                                               \
	X(DER_NO_PERM, 1001, EPERM, "operation not permitted")                              \
	X(DER_NO_HDL, 1002, ENOENT, "invalid handle")                                       \
	X(DER_INVAL, 1003, EINVAL, "invalid argument")                                      \
	X(DER_EXIST, 1004, EEXIST, "entity already exists")                                 \
	X(DER_NONEXIST, 1005, ENOENT, "entity does not exist")                              \
	X(DER_UNREACH, 1006, EHOSTUNREACH, "peer is unreachable")                           \
	X(DER_NOSPACE, 1007, ENOSPC, "no space left on storage target")                     \
	X(DER_ALREADY, 1008, EALREADY, "operation already performed")                       \
	X(DER_NOMEM, 1009, ENOMEM, "out of memory")                                         \
	X(DER_NOSYS, 1010, ENOSYS, "function not implemented")                              \
	X(DER_TIMEDOUT, 1011, ETIMEDOUT, "timed out")                                       \
	X(DER_BUSY, 1012, EBUSY, "device or resource busy")                                 \
	X(DER_AGAIN, 1013, EAGAIN, "resource temporarily unavailable, try again")           \
	X(DER_PROTO, 1014, EPROTO, "malformed or incompatible message")                     \
	X(DER_UNINIT, 1015, EINVAL, "not initialized")                                      \
	X(DER_TRUNC, 1016, EOVERFLOW, "buffer too short")                                   \
	X(DER_OVERFLOW, 1017, EOVERFLOW, "value too large for the buffer or type")          \
	X(DER_CANCELED, 1018, ECANCELED, "operation canceled")                              \
	X(DER_OOG, 1019, EIO, "rank is not a member of the group")                          \
	X(DER_HG, 1020, EIO, "transport layer error")                                       \
	X(DER_UNREG, 1021, EOPNOTSUPP, "RPC or protocol version not registered")            \
	X(DER_ADDRSTR_GEN, 1022, EIO, "could not generate an address string")               \
	X(DER_PMIX, 1023, EIO, "process manager (PMIx) error")                              \
	X(DER_IVCB_FORWARD, 1024, EIO, "value not held here, forward the request")          \
	X(DER_MISC, 1025, EIO, "miscellaneous error")                                       \
	X(DER_BADPATH, 1026, ENOENT, "bad path name")                                       \
	X(DER_NOTDIR, 1027, ENOTDIR, "not a directory")                                     \
	X(DER_CORPC_INCOMPLETE, 1028, EIO, "collective RPC did not reach every member")     \
	X(DER_NO_RAS_RANK, 1029, EIO, "no rank subscribed to RAS events")                   \
	X(DER_NOTATTACH, 1030, EINVAL, "not attached to the service group")                 \
	X(DER_MISMATCH, 1031, EINVAL, "version mismatch")                                   \
	X(DER_EXCLUDED, 1032, EIO, "rank has been excluded from the system")                \
	X(DER_NOREPLY, 1033, EIO, "RPC handler sent no reply")                              \
	X(DER_DOS, 1034, EIO, "request refused to protect the service")                     \
	X(DER_BAD_TARGET, 1035, EIO, "request sent to the wrong target")                    \
	X(DER_GRPVER, 1036, EIO, "group version mismatch")                                  \
	X(DER_HLC_SYNC, 1037, EIO, "clock skew between nodes is too large")                 \
	X(DER_NO_SHMEM, 1038, ENOMEM, "not enough shared memory")                           \
	X(DER_ADD_METRIC_FAILED, 1039, EIO, "could not add the metric")                     \
	X(DER_DURATION_MISMATCH, 1040, EINVAL, "duration ended without a start")            \
	X(DER_OP_NOT_PERMITTED, 1041, EPERM, "operation not permitted on this metric type") \
	X(DER_EXCEEDS_PATH_LEN, 1042, ENAMETOOLONG, "metric path too long")                 \
	X(DER_METRIC_NOT_FOUND, 1043, ENOENT, "metric not found")                           \
	X(DER_SHMEM_PERMS, 1044, EACCES, "shared memory belongs to another user or group")  \
	X(DER_HG_FATAL, 1045, EIO, "fatal transport error")                                 \
	X(DER_QUOTA_LIMIT, 1046, EDQUOT, "quota limit reached")

/* Codes of the storage layer, base 2000. */
#define D_FOREACH_DAOS_ERR(X)                                                               \
	X(DER_IO, 2001, EIO, "input/output error")                                          \
	X(DER_FREE_MEM, 2002, EIO, "could not free memory")                                 \
	X(DER_ENOENT, 2003, ENOENT, "entry not found")                                      \
	X(DER_NOTYPE, 2004, EINVAL, "unknown object type")                                  \
	X(DER_NOSCHEMA, 2005, EINVAL, "unknown object schema")                              \
	X(DER_NOLOCAL, 2006, ENODATA, "object is not local")                                \
	X(DER_STALE, 2007, ESTALE, "stale pool map version")                                \
	X(DER_NOTLEADER, 2008, EIO, "not the service leader")                               \
	X(DER_TGT_CREATE, 2009, EIO, "could not create the target")                         \
	X(DER_EP_RO, 2010, EROFS, "epoch is read-only")                                     \
	X(DER_EP_OLD, 2011, EIO, "epoch is too old, its data was aggregated")               \
	X(DER_KEY2BIG, 2012, E2BIG, "key is too large")                                     \
	X(DER_REC2BIG, 2013, E2BIG, "record is too large")                                  \
	X(DER_IO_INVAL, 2014, EINVAL, "I/O buffers do not match the extents")               \
	X(DER_EQ_BUSY, 2015, EBUSY, "event queue is busy")                                  \
	X(DER_DOMAIN, 2016, EDOM, "component belongs to another domain")                    \
	X(DER_SHUTDOWN, 2017, ESHUTDOWN, "service is shutting down")                        \
	X(DER_INPROGRESS, 2018, EINPROGRESS, "operation is in progress")                    \
	X(DER_NOTAPPLICABLE, 2019, EINVAL, "operation does not apply")                      \
	X(DER_NOTREPLICA, 2020, EIO, "not a service replica")                               \
	X(DER_CSUM, 2021, EIO, "checksum mismatch")                                         \
	X(DER_DF_INVAL, 2022, EINVAL, "unsupported durable format")                         \
	X(DER_DF_INCOMPT, 2023, EINVAL, "incompatible durable format version")              \
	X(DER_REC_SIZE, 2024, EINVAL, "record size does not match")                         \
	X(DER_TX_RESTART, 2025, EAGAIN, "transaction must restart")                         \
	X(DER_DATA_LOSS, 2026, EIO, "data lost or unrecoverable")                           \
	X(DER_OP_CANCELED, 2027, ECANCELED, "operation was stopped")                        \
	X(DER_TX_BUSY, 2028, EBUSY, "transaction is not yet committed")                     \
	X(DER_AGENT_INCOMPAT, 2029, EPROTO, "daos_agent is incompatible with this libdaos") \
	X(DER_NEED_TX, 2030, EINVAL, "operation needs a distributed transaction")           \
	X(DER_RF, 2031, EIO, "failures exceed the redundancy factor")                       \
	X(DER_FETCH_AGAIN, 2032, EAGAIN, "fetch must be retried")                           \
	X(DER_TX_UNCERTAIN, 2033, EIO, "transaction outcome is uncertain")                  \
	X(DER_AGENT_COMM, 2034, EIO, "could not talk to daos_agent")                        \
	X(DER_ID_MISMATCH, 2035, EINVAL, "identifier does not match")                       \
	X(DER_TGT_RETRY, 2036, EAGAIN, "retry on another target")                           \
	X(DER_NOTSUPPORTED, 2037, EOPNOTSUPP, "operation not supported")                    \
	X(DER_CONTROL_INCOMPAT, 2038, EPROTO, "control-plane components are incompatible")  \
	X(DER_NO_SERVICE, 2039, EIO, "no service is available")                             \
	X(DER_TX_ID_REUSED, 2040, EIO, "transaction identifier may be reused")              \
	X(DER_UPDATE_AGAIN, 2041, EAGAIN, "update must be retried")                         \
	X(DER_NVME_IO, 2042, EIO, "NVMe I/O error")                                         \
	X(DER_NO_CERT, 2043, EACCES, "could not access the certificate")                    \
	X(DER_BAD_CERT, 2044, EACCES, "invalid X.509 certificate")                          \
	X(DER_VOS_PARTIAL_UPDATE, 2045, EINVAL,                                             \
	  "partial overwrite of an array value in one epoch")                               \
	X(DER_CHKPT_BUSY, 2046, EBUSY, "page is read-only during a checkpoint")             \
	X(DER_DIV_BY_ZERO, 2047, EINVAL, "division by zero")                                \
	X(DER_OVERLOAD_RETRY, 2048, EAGAIN, "service is overloaded, retry later")           \
	X(DER_NOT_RESUME, 2049, EINVAL, "cannot resume the former check instance")          \
	X(DER_CONT_NONEXIST, 2050, ENOENT, "container does not exist")                      \
	X(DER_CONT_DESTROYING, 2051, EBUSY, "container is being destroyed")                 \
	X(DER_IGNORE, 2052, EIO, "item should be ignored")

#define DER_ERR_GURT_BASE 1000
#define DER_ERR_DAOS_BASE 2000

#define D_DEFINE_ERRNO(name, value, errnum, text) name = value,

/* The DAOS error codes; functions return them negated. */
enum daos_errno {
	DER_SUCCESS = 0,
	D_FOREACH_GURT_ERR(D_DEFINE_ERRNO) D_FOREACH_DAOS_ERR(D_DEFINE_ERRNO)
	/* Returned by d_errstr() and friends for a number outside the table. */
	DER_UNKNOWN = 501000,
};

#undef D_DEFINE_ERRNO

/* Older name of DER_EXCLUDED. */
#define DER_EVICTED DER_EXCLUDED

/*
 * The name of @rc ("DER_NONEXIST"); @rc may be negated. Never NULL: an unknown code
 * gives "DER_UNKNOWN". The string is static.
 */
const char *d_errstr(int rc);

/* A one-line description of @rc, lower case ("entity does not exist"). Never NULL. */
const char *d_errdesc(int rc);

/*
 * The errno value for -DER_* code @rc (negative or positive); 0 for 0. A code outside
 * the table maps to EIO. A plain errno value in @rc (below 1000) is passed through.
 */
int daos_der2errno(int rc);

/* The DER code for errno value @err, positive (DER_NOMEM for ENOMEM); DER_MISC if none. */
int daos_errno2der(int err);

/* Printing a code: D_ERROR("x failed: " DF_RC, DP_RC(rc)) -> DER_NONEXIST(-1005): '...' */
#define DF_RC "%s(%d): '%s'"
#define DP_RC(rc) d_errstr(rc), (int)(rc), d_errdesc(rc)

#ifdef __cplusplus
}
#endif

#endif /* DAOS_ERRNO_H */
