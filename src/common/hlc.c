/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hlc.c - the hybrid logical clock and the HLC tracker (gurt/hlc.h).
 *
 * The clock is one 64-bit word, hlc_last: the last timestamp handed out. A new one is
 * the largest of the physical time (its logical bits zero), hlc_last + 1 and, for a
 * received message, the message's timestamp + 1. That is the usual HLC rule written
 * as one max: while physical time leads, timestamps are physical; when it stalls or a
 * faster node's message has pushed the clock ahead, the logical counter counts on.
 * hlc_last is replaced by compare-and-swap, so threads never wait on each other and
 * every timestamp is unique and larger than all earlier ones in the process. A
 * counter overflowing its 18 bits carries into the physical part, which only makes
 * the clock run a little ahead.
 *
 * Physical time is CLOCK_REALTIME: HLC timestamps are compared between nodes, which
 * only a shared wall clock (NTP) makes meaningful. A clock set before 2021 reads as 0;
 * the logical counter keeps timestamps increasing regardless.
 *
 * Epsilon and the tracker are single words read and written atomically.
 */
#define D_LOGFAC DD_FAC(common)

#include <time.h>

#include "common/common_int.h"

static uint64_t hlc_last;
static uint64_t hlc_epsilon = 1ULL * NSEC_PER_SEC * D_HLC_NSEC;
static uint64_t hlct_highest;

/* The physical part of a timestamp for now. */
static uint64_t
hlc_physical_now(void)
{
	struct timespec now;
	uint64_t nsec;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec < (time_t)D_HLC_START_SEC)
		return 0;
	nsec = (uint64_t)(now.tv_sec - (time_t)D_HLC_START_SEC) * NSEC_PER_SEC +
	       (uint64_t)now.tv_nsec;
	return (nsec * D_HLC_NSEC) & ~D_HLC_MASK;
}

/* Move the clock to max(@physical, last + 1, @floor) and return the new value. */
static uint64_t
hlc_advance(uint64_t physical, uint64_t floor)
{
	uint64_t last = __atomic_load_n(&hlc_last, __ATOMIC_RELAXED);
	uint64_t next;

	do {
		next = D_MAX(physical, last + 1);
		next = D_MAX(next, floor);
	} while (!__atomic_compare_exchange_n(&hlc_last, &last, next, true, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return next;
}

D_EXPORT uint64_t
d_hlc_get(void)
{
	return hlc_advance(hlc_physical_now(), 0);
}

D_EXPORT int
d_hlc_get_msg(uint64_t msg, uint64_t *hlc_out, uint64_t *offset)
{
	uint64_t physical = hlc_physical_now();
	uint64_t msg_physical = msg & ~D_HLC_MASK;
	uint64_t ahead = msg_physical > physical ? msg_physical - physical : 0;
	uint64_t next;

	if (offset != NULL)
		*offset = ahead;
	if (ahead > __atomic_load_n(&hlc_epsilon, __ATOMIC_RELAXED)) {
		D_DEBUG(DB_TRACE,
			"message HLC " DF_X64 " is " DF_U64 " ns ahead of the local clock", msg,
			d_hlc2nsec(ahead));
		return -DER_HLC_SYNC;
	}
	/* msg < UINT64_MAX here: such a message would be far more than epsilon ahead. */
	next = hlc_advance(physical, msg + 1);
	if (hlc_out != NULL)
		*hlc_out = next;
	return 0;
}

D_EXPORT uint64_t
d_hlc2nsec(uint64_t hlc)
{
	return hlc / D_HLC_NSEC;
}

D_EXPORT uint64_t
d_nsec2hlc(uint64_t nsec)
{
	return nsec * D_HLC_NSEC;
}

D_EXPORT uint64_t
d_hlc2unixnsec(uint64_t hlc)
{
	return hlc / D_HLC_NSEC + D_HLC_START_SEC * NSEC_PER_SEC;
}

D_EXPORT uint64_t
d_unixnsec2hlc(uint64_t unixnsec)
{
	uint64_t start = D_HLC_START_SEC * NSEC_PER_SEC;

	if (unixnsec < start || unixnsec - start > UINT64_MAX / D_HLC_NSEC)
		return 0;
	return (unixnsec - start) * D_HLC_NSEC;
}

D_EXPORT int
d_hlc2timespec(uint64_t hlc, struct timespec *ts)
{
	uint64_t nsec = d_hlc2nsec(hlc);

	if (ts == NULL)
		return -DER_INVAL;
	ts->tv_sec = (time_t)(nsec / NSEC_PER_SEC + D_HLC_START_SEC);
	ts->tv_nsec = (long)(nsec % NSEC_PER_SEC);
	return 0;
}

D_EXPORT int
d_timespec2hlc(struct timespec ts, uint64_t *hlc)
{
	uint64_t secs;
	uint64_t nsec;

	if (hlc == NULL || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC ||
	    ts.tv_sec < (time_t)D_HLC_START_SEC)
		return -DER_INVAL;
	secs = (uint64_t)ts.tv_sec - D_HLC_START_SEC;
	nsec = (uint64_t)ts.tv_nsec;
	if (secs > (UINT64_MAX / D_HLC_NSEC - nsec) / NSEC_PER_SEC)
		return -DER_INVAL;
	*hlc = d_nsec2hlc(secs * NSEC_PER_SEC + nsec);
	return 0;
}

D_EXPORT void
d_hlc_epsilon_set(uint64_t epsilon)
{
	/* Round up to the physical resolution, saturating. */
	if (epsilon > UINT64_MAX - D_HLC_MASK)
		epsilon = ~D_HLC_MASK;
	else
		epsilon = (epsilon + D_HLC_MASK) & ~D_HLC_MASK;
	__atomic_store_n(&hlc_epsilon, epsilon, __ATOMIC_RELAXED);
	D_INFO("maximum clock offset set to " DF_U64 " ns", d_hlc2nsec(epsilon));
}

D_EXPORT uint64_t
d_hlc_epsilon_get(void)
{
	return __atomic_load_n(&hlc_epsilon, __ATOMIC_RELAXED);
}

D_EXPORT uint64_t
d_hlc_epsilon_get_bound(uint64_t hlc)
{
	return (hlc + d_hlc_epsilon_get()) | D_HLC_MASK;
}

D_EXPORT uint64_t
d_hlc_age2sec(uint64_t hlc)
{
	uint64_t physical = hlc_physical_now();

	if (physical <= hlc)
		return 0;
	return d_hlc2sec(physical - hlc);
}

D_EXPORT uint64_t
d_hlct_get(void)
{
	return __atomic_load_n(&hlct_highest, __ATOMIC_ACQUIRE);
}

D_EXPORT void
d_hlct_sync(uint64_t msg)
{
	uint64_t seen = __atomic_load_n(&hlct_highest, __ATOMIC_RELAXED);

	while (seen < msg && !__atomic_compare_exchange_n(&hlct_highest, &seen, msg, true,
							  __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
}
