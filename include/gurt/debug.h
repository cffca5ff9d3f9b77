/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gurt/debug.h - logging and assertions.
 *
 * Every message has a facility (the subsystem that logs it, named by DD_SUBSYS) and a
 * priority (DEBUG ... EMERG). A source file names its facility before including any
 * header:
 *
 *	#define D_LOGFAC DD_FAC(vos)
 *
 * and logs with D_ERROR(), D_WARN(), D_NOTE(), D_INFO(), or D_DEBUG(DB_IO, ...) for
 * debug messages, which also carry a stream bit (DD_MASK). A message is formatted only
 * when it will be written: the check is one array load.
 *
 * Settings (environment, read by d_log_init(); daemons map their log_file/log_mask
 * config keys onto the same calls):
 *   D_LOG_FILE             file to write to (default: stderr)
 *   D_LOG_FILE_APPEND_PID  if set, ".<pid>" is appended to the file name
 *   D_LOG_TRUNCATE         if set, the file is truncated when opened
 *   D_LOG_SIZE             rotate to <file>.old past this many bytes (default 1 GiB)
 *   D_LOG_MASK             "ERR" or "DEBUG,MEM=ERR,VOS=INFO": a default priority, then
 *                          per-facility overrides (names case-insensitive)
 *   DD_SUBSYS              "vos,object" or "all": facilities the default priority of
 *                          D_LOG_MASK applies to; the others stay at ERR
 *   DD_MASK                "io,md" or "all" or "daos_default": debug streams printed
 *                          by D_DEBUG (default: all)
 *   DD_STDERR              priority from which messages are also copied to stderr when
 *                          logging to a file (default: CRIT)
 * Priority names: DEBUG/DBUG, INFO, NOTE, WARN, ERROR/ERR, CRIT, ALRT, FATAL/EMRG, EMIT.
 *
 * Thread safety: all calls may be made from any thread. A message is written with one
 * write(2) to a file opened O_APPEND, so lines of different threads never interleave.
 * d_log() does not use stdio and takes no lock unless the file must be rotated.
 */
#ifndef GURT_DEBUG_H
#define GURT_DEBUG_H

#include <daos_errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Facilities: (identifier, printed name). DAOS's DD_SUBSYS names first, then the
 * transport's, then ours. The printed name is what DD_SUBSYS and D_LOG_MASK accept.
 */
#define D_FOREACH_LOG_FAC(X)      \
	X(misc, "misc")           \
	X(mem, "mem")             \
	X(common, "common")       \
	X(tree, "tree")           \
	X(vos, "vos")             \
	X(client, "client")       \
	X(server, "server")       \
	X(rdb, "rdb")             \
	X(pool, "pool")           \
	X(container, "container") \
	X(object, "object")       \
	X(placement, "placement") \
	X(rebuild, "rebuild")     \
	X(tier, "tier")           \
	X(mgmt, "mgmt")           \
	X(bio, "bio")             \
	X(tests, "tests")         \
	X(dtx, "dtx")             \
	X(csum, "csum")           \
	X(rpc, "rpc")             \
	X(bulk, "bulk")           \
	X(corpc, "corpc")         \
	X(grp, "grp")             \
	X(lm, "lm")               \
	X(hg, "hg")               \
	X(st, "st")               \
	X(iv, "iv")               \
	X(net, "net")             \
	X(engine, "engine")       \
	X(control, "control")     \
	X(config, "config")       \
	X(security, "security")   \
	X(dfs, "dfs")             \
	X(dfuse, "dfuse")         \
	X(il, "il")

#define D_DEFINE_FAC(id, name) DD_FAC_##id,
enum d_log_fac { D_FOREACH_LOG_FAC(D_DEFINE_FAC) DD_FAC_NR };
#undef D_DEFINE_FAC

/* The facility of the enclosing source file: #define D_LOGFAC DD_FAC(vos) */
#define DD_FAC(id) DD_FAC_##id

#ifndef D_LOGFAC
#define D_LOGFAC DD_FAC(misc)
#endif

/* Priorities, lowest first. DLOG_NONE as a facility's priority silences it. */
enum d_log_prio {
	DLOG_DBG = 0,
	DLOG_INFO,
	DLOG_NOTE,
	DLOG_WARN,
	DLOG_ERR,
	DLOG_CRIT,
	DLOG_ALERT,
	DLOG_EMERG,
	DLOG_EMIT, /* always written unless the facility is silenced */
	DLOG_NONE,
};

/* Debug streams (DD_MASK): (bit, name). */
#define D_FOREACH_DB_STREAM(X)       \
	X(DB_ANY, 0, "any")          \
	X(DB_TRACE, 1, "trace")      \
	X(DB_MEM, 2, "mem")          \
	X(DB_NET, 3, "net")          \
	X(DB_IO, 4, "io")            \
	X(DB_MD, 5, "md")            \
	X(DB_PL, 6, "pl")            \
	X(DB_MGMT, 7, "mgmt")        \
	X(DB_EPC, 8, "epc")          \
	X(DB_DF, 9, "df")            \
	X(DB_REBUILD, 10, "rebuild") \
	X(DB_SEC, 11, "sec")         \
	X(DB_CSUM, 12, "csum")       \
	X(DB_DSMS, 13, "dsms")       \
	X(DB_TEST, 14, "test")

#define D_DEFINE_DB(id, bit, name) id = (1u << (bit)),
enum d_log_stream { D_FOREACH_DB_STREAM(D_DEFINE_DB) };
#undef D_DEFINE_DB

#define DB_ALL 0xffffffffu
/* The "daos_default" group of DD_MASK. */
#define DB_DEFAULT \
	(DB_IO | DB_MD | DB_PL | DB_MGMT | DB_EPC | DB_DF | DB_REBUILD | DB_SEC | DB_CSUM)

/* Per-facility lowest priority written; read by the macros below. Do not write. */
extern volatile uint8_t d_log_fac_prio[DD_FAC_NR];
/* Debug streams enabled (DD_MASK). */
extern volatile uint32_t d_log_dbg_mask;

/*
 * Set up logging from the environment (see the top of this file). Reference counted:
 * each call needs a d_log_fini(). Returns 0, or -DER_INVAL if a variable cannot be
 * parsed (the message names it; defaults are kept for that variable), or -DER_IO if
 * the log file cannot be opened (logging falls back to stderr).
 */
int d_log_init(void);
void d_log_fini(void);

/*
 * Apply a D_LOG_MASK-style string ("DEBUG,VOS=ERR"). Returns 0, or -DER_INVAL naming
 * the bad word on stderr; nothing is changed then.
 */
int d_log_setmasks(const char *masks);

/* Apply DD_SUBSYS-style (names or "all") and DD_MASK-style strings; 0 or -DER_INVAL. */
int d_log_set_subsys(const char *subsys);
int d_log_set_dbgmask(const char *streams);

/*
 * Write to @path from now on (NULL: stderr). @truncate empties it first. Returns 0 or
 * -DER_IO (logging stays where it was).
 */
int d_log_set_file(const char *path, bool truncate);

/* Parse a priority name ("ERR", "debug", ...). Returns the priority or -DER_INVAL. */
int d_log_str2prio(const char *name);
/* The 4-letter name of @prio ("ERR ", "DBUG"), trailing spaces trimmed. */
const char *d_log_prio2str(int prio);
/* The facility named @name (case-insensitive), or -DER_NONEXIST. */
int d_log_str2fac(const char *name);
const char *d_log_fac2str(int fac);

/* Write one message; use the macros, which test the masks first. */
void d_log_write(int fac, int prio, const char *file, int line, const char *func, const char *fmt,
		 ...) __attribute__((format(printf, 6, 7)));

static inline bool
d_log_enabled(int fac, int prio)
{
	return prio >= d_log_fac_prio[fac];
}

static inline bool
d_log_dbg_enabled(int fac, uint32_t stream)
{
	return d_log_fac_prio[fac] == DLOG_DBG && (d_log_dbg_mask & stream) != 0;
}

#define D_LOG_AT(prio, fmt, ...)                                                         \
	do {                                                                             \
		if (d_log_enabled(D_LOGFAC, (prio)))                                     \
			d_log_write(D_LOGFAC, (prio), __FILE__, __LINE__, __func__, fmt, \
				    ##__VA_ARGS__);                                      \
	} while (0)

#define D_DEBUG(stream, fmt, ...)                                                          \
	do {                                                                               \
		if (__builtin_expect(d_log_dbg_enabled(D_LOGFAC, (stream)), 0))            \
			d_log_write(D_LOGFAC, DLOG_DBG, __FILE__, __LINE__, __func__, fmt, \
				    ##__VA_ARGS__);                                        \
	} while (0)

#define D_INFO(fmt, ...) D_LOG_AT(DLOG_INFO, fmt, ##__VA_ARGS__)
#define D_NOTE(fmt, ...) D_LOG_AT(DLOG_NOTE, fmt, ##__VA_ARGS__)
#define D_WARN(fmt, ...) D_LOG_AT(DLOG_WARN, fmt, ##__VA_ARGS__)
#define D_ERROR(fmt, ...) D_LOG_AT(DLOG_ERR, fmt, ##__VA_ARGS__)
#define D_CRIT(fmt, ...) D_LOG_AT(DLOG_CRIT, fmt, ##__VA_ARGS__)
#define D_ALERT(fmt, ...) D_LOG_AT(DLOG_ALERT, fmt, ##__VA_ARGS__)
#define D_FATAL(fmt, ...) D_LOG_AT(DLOG_EMERG, fmt, ##__VA_ARGS__)
#define D_EMIT(fmt, ...) D_LOG_AT(DLOG_EMIT, fmt, ##__VA_ARGS__)

/* True when D_DEBUG(stream, ...) would write, to guard costly argument preparation. */
#define D_LOG_ENABLED(stream) d_log_dbg_enabled(D_LOGFAC, (stream))

/* Print to stderr directly, for use before logging is set up or after it is torn down. */
#define D_PRINT_ERR(fmt, ...) \
	fprintf(stderr, "%s:%d %s() " fmt, __FILE__, __LINE__, __func__, ##__VA_ARGS__)
#define D_PRINT(fmt, ...) fprintf(stdout, fmt, ##__VA_ARGS__)

/*
 * Assertions guard our own invariants in every build: on failure the expression,
 * file:line and a backtrace are logged and written to stderr, then the process aborts.
 * Untrusted input must never reach one.
 */
void d_assert_fail(const char *expr, const char *file, int line, const char *func, const char *fmt,
		   ...) __attribute__((noreturn, format(printf, 5, 6)));

#define D_ASSERT(e)                                                           \
	do {                                                                  \
		if (__builtin_expect(!(e), 0))                                \
			d_assert_fail(#e, __FILE__, __LINE__, __func__, " "); \
	} while (0)

#define D_ASSERTF(e, fmt, ...)                                                               \
	do {                                                                                 \
		if (__builtin_expect(!(e), 0))                                               \
			d_assert_fail(#e, __FILE__, __LINE__, __func__, fmt, ##__VA_ARGS__); \
	} while (0)

#define D_CASSERT(cond, ...) _Static_assert(cond, #cond ": " __VA_ARGS__)

#define DF_U64 "%" PRIu64
#define DF_X64 "%" PRIx64

/*
 * UUIDs in messages: DF_UUID prints the first 8 characters (as DAOS logs do), DF_UUIDF
 * the whole UUID; both take DP_UUID(u). The string is in a small per-thread ring, valid
 * for the few next calls.
 */
#define DF_UUID "%.8s"
#define DF_UUIDF "%s"
#define DP_UUID(u) d_uuid_str((const unsigned char *)(u))
const char *d_uuid_str(const unsigned char *uuid);

#ifdef __cplusplus
}
#endif

#endif /* GURT_DEBUG_H */
