/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gurt/hlc.h - the hybrid logical clock (HLC) that stamps every DAOS epoch.
 *
 * An HLC timestamp is a uint64_t: the physical time since 2021-01-01 00:00:00 UTC in
 * units of 1/16 ns (D_HLC_NSEC per ns), whose low 18 bits (D_HLC_MASK) are replaced by a
 * logical counter. The physical part has a resolution of 2^18 / 16 ns (about 16 us) and
 * lasts until 2057. Timestamps of one process are strictly increasing across all its
 * threads; a message's timestamp, passed to d_hlc_get_msg() on receipt, moves the local
 * clock past it, so causally later events get larger timestamps on every node.
 *
 * Epsilon is the largest offset believed possible between the physical clocks of two
 * nodes (default 1 s). A message stamped more than epsilon ahead of the local physical
 * clock is refused with -DER_HLC_SYNC.
 *
 * The tracker (d_hlct_*) is a separate value for clients: the highest HLC seen from
 * servers, without any local clock.
 *
 * Threads: every function may be called from any thread; none takes a lock.
 */
#ifndef GURT_HLC_H
#define GURT_HLC_H

#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef NSEC_PER_SEC
#define NSEC_PER_SEC 1000000000
#endif
#ifndef NSEC_PER_MSEC
#define NSEC_PER_MSEC 1000000
#endif
#ifndef NSEC_PER_USEC
#define NSEC_PER_USEC 1000
#endif

/* HLC units per nanosecond. */
#define D_HLC_NSEC 16ULL
/* The Unix time, in seconds, of HLC 0: 2021-01-01 00:00:00 UTC. */
#define D_HLC_START_SEC 1609459200ULL
/* The logical counter: the low 18 bits. */
#define D_HLC_MASK 0x3FFFFULL

/* A new timestamp, larger than every one this process returned before. */
uint64_t d_hlc_get(void);

/*
 * Merge @msg, the timestamp of a received message, into the clock. *@offset (if not
 * NULL) gets how far @msg's physical part is ahead of the local physical clock (0 if
 * not ahead). If that exceeds epsilon, returns -DER_HLC_SYNC and the clock is
 * unchanged; otherwise returns 0 with *@hlc_out (if not NULL) a new timestamp larger
 * than @msg and than every earlier one.
 */
int d_hlc_get_msg(uint64_t msg, uint64_t *hlc_out, uint64_t *offset);

/* Durations: an HLC difference to nanoseconds and back (no epoch shift). */
uint64_t d_hlc2nsec(uint64_t hlc);
uint64_t d_nsec2hlc(uint64_t nsec);

static inline uint64_t
d_hlc2usec(uint64_t hlc)
{
	return d_hlc2nsec(hlc) / NSEC_PER_USEC;
}

static inline uint64_t
d_hlc2msec(uint64_t hlc)
{
	return d_hlc2nsec(hlc) / NSEC_PER_MSEC;
}

static inline uint64_t
d_hlc2sec(uint64_t hlc)
{
	return d_hlc2nsec(hlc) / NSEC_PER_SEC;
}

static inline uint64_t
d_usec2hlc(uint64_t usec)
{
	return d_nsec2hlc(usec * NSEC_PER_USEC);
}

static inline uint64_t
d_msec2hlc(uint64_t msec)
{
	return d_nsec2hlc(msec * NSEC_PER_MSEC);
}

static inline uint64_t
d_sec2hlc(uint64_t sec)
{
	return d_nsec2hlc(sec * NSEC_PER_SEC);
}

/* Points in time: an HLC timestamp as Unix nanoseconds. */
uint64_t d_hlc2unixnsec(uint64_t hlc);
/*
 * Unix nanoseconds as an HLC timestamp (logical bits as they fall); 0 if the time is
 * before 2021 or past the HLC range.
 */
uint64_t d_unixnsec2hlc(uint64_t unixnsec);
/* @hlc as a Unix (CLOCK_REALTIME) timespec. 0, or -DER_INVAL if @ts is NULL. */
int d_hlc2timespec(uint64_t hlc, struct timespec *ts);
/*
 * A Unix timespec as an HLC timestamp. 0, or -DER_INVAL if @hlc is NULL, @ts is not
 * normalised, or it lies outside the HLC range.
 */
int d_timespec2hlc(struct timespec ts, uint64_t *hlc);

/* Set epsilon, an HLC duration, rounded up to the physical resolution. */
void d_hlc_epsilon_set(uint64_t epsilon);
uint64_t d_hlc_epsilon_get(void);
/*
 * The largest timestamp an event could carry that happened (by outside communication)
 * before the event stamped @hlc: @hlc plus epsilon, logical bits all set.
 */
uint64_t d_hlc_epsilon_get_bound(uint64_t hlc);
/* Seconds from @hlc to the local physical clock now; 0 if @hlc is not in the past. */
uint64_t d_hlc_age2sec(uint64_t hlc);

/* The tracker: the highest timestamp passed to d_hlct_sync() so far (0 at first). */
uint64_t d_hlct_get(void);
void d_hlct_sync(uint64_t msg);

#ifdef __cplusplus
}
#endif

#endif /* GURT_HLC_H */
