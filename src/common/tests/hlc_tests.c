/* SPDX-License-Identifier: Apache-2.0 */
/* hlc_tests.c - the hybrid logical clock: monotonicity, conversions, skew, tracker. */
#define D_LOGFAC DD_FAC(tests)

#include <pthread.h>

#include "common/test.h"

#define NR_STAMPS 200000

static uint64_t
unix_now_nsec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Strictly increasing in one thread, and close to the wall clock. */
static void
monotonic_one_thread(void **state)
{
	uint64_t before = unix_now_nsec();
	uint64_t prev = d_hlc_get();
	uint64_t after;
	int i;

	(void)state;
	for (i = 0; i < NR_STAMPS; i++) {
		uint64_t now = d_hlc_get();

		assert_true(now > prev);
		prev = now;
	}
	after = unix_now_nsec();
	/* Logical ticks may run the clock a little ahead of physical time, never behind. */
	assert_true(d_hlc2unixnsec(prev) + NSEC_PER_SEC / 1000 >= before);
	assert_true(d_hlc2unixnsec(prev) <= after + NSEC_PER_SEC);
}

struct stamper {
	pthread_t thread;
	uint64_t *stamps;
	int errors;
};

static void *
stamper_run(void *arg)
{
	struct stamper *s = arg;
	int i;

	for (i = 0; i < NR_STAMPS; i++) {
		s->stamps[i] = d_hlc_get();
		if (i > 0 && s->stamps[i] <= s->stamps[i - 1])
			s->errors++;
	}
	return NULL;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Two threads: each sees increasing stamps, and no stamp is handed out twice. */
static void
monotonic_two_threads(void **state)
{
	TEST_ALLOC_MARK();
	struct stamper s[2];
	uint64_t *all;
	int i;

	(void)state;
	all = d_calloc(2 * NR_STAMPS, sizeof(*all));
	assert_non_null(all);
	for (i = 0; i < 2; i++) {
		s[i].stamps = all + i * NR_STAMPS;
		s[i].errors = 0;
		assert_int_equal(pthread_create(&s[i].thread, NULL, stamper_run, &s[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(s[i].thread, NULL), 0);
		assert_int_equal(s[i].errors, 0);
	}
	qsort(all, 2 * NR_STAMPS, sizeof(*all), u64_cmp);
	for (i = 1; i < 2 * NR_STAMPS; i++)
		assert_true(all[i] > all[i - 1]);
	d_free(all);
	TEST_ALLOC_CHECK();
}

static void
conversions(void **state)
{
	uint64_t start = D_HLC_START_SEC * NSEC_PER_SEC;
	uint64_t hlc = d_hlc_get() & ~0xFULL; /* whole nanoseconds */
	struct timespec ts;
	struct timespec ts2;
	uint64_t back;

	(void)state;
	/* Durations. */
	assert_int_equal(d_sec2hlc(1), 16000000000ULL);
	assert_int_equal(d_hlc2sec(d_sec2hlc(7)), 7);
	assert_int_equal(d_hlc2msec(d_msec2hlc(1234)), 1234);
	assert_int_equal(d_hlc2usec(d_usec2hlc(98765)), 98765);
	assert_int_equal(d_hlc2nsec(d_nsec2hlc(42)), 42);
	assert_int_equal(d_hlc2nsec(31), 1);

	/* Points in time. */
	assert_int_equal(d_hlc2unixnsec(0), start);
	assert_int_equal(d_unixnsec2hlc(start + NSEC_PER_SEC), 16000000000ULL);
	assert_int_equal(d_unixnsec2hlc(start - 1), 0);
	assert_int_equal(d_unixnsec2hlc(0), 0);
	assert_int_equal(d_unixnsec2hlc(UINT64_MAX), 0);
	assert_int_equal(d_unixnsec2hlc(d_hlc2unixnsec(hlc)), hlc);

	assert_int_equal(d_hlc2timespec(hlc, &ts), 0);
	assert_true(ts.tv_sec > (time_t)D_HLC_START_SEC);
	assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < NSEC_PER_SEC);
	assert_int_equal(d_timespec2hlc(ts, &back), 0);
	assert_int_equal(back, hlc);
	assert_int_equal(d_hlc2timespec(back, &ts2), 0);
	assert_int_equal(ts2.tv_sec, ts.tv_sec);
	assert_int_equal(ts2.tv_nsec, ts.tv_nsec);
	assert_int_equal(d_hlc2timespec(hlc, NULL), -DER_INVAL);

	ts.tv_sec = (time_t)D_HLC_START_SEC + 1;
	ts.tv_nsec = 5;
	assert_int_equal(d_timespec2hlc(ts, &back), 0);
	assert_int_equal(back, 16000000080ULL);
	assert_int_equal(d_timespec2hlc(ts, NULL), -DER_INVAL);
	ts.tv_nsec = NSEC_PER_SEC;
	assert_int_equal(d_timespec2hlc(ts, &back), -DER_INVAL);
	ts.tv_nsec = -1;
	assert_int_equal(d_timespec2hlc(ts, &back), -DER_INVAL);
	ts.tv_sec = (time_t)D_HLC_START_SEC - 1;
	ts.tv_nsec = 0;
	assert_int_equal(d_timespec2hlc(ts, &back), -DER_INVAL);
	ts.tv_sec = (time_t)D_HLC_START_SEC + 100LL * 365 * 24 * 3600; /* past 2057 */
	assert_int_equal(d_timespec2hlc(ts, &back), -DER_INVAL);
}

static void
epsilon(void **state)
{
	(void)state;
	assert_int_equal(d_hlc_epsilon_get(), d_sec2hlc(1));
	d_hlc_epsilon_set(1);
	assert_int_equal(d_hlc_epsilon_get(), D_HLC_MASK + 1);
	d_hlc_epsilon_set(0);
	assert_int_equal(d_hlc_epsilon_get(), 0);
	d_hlc_epsilon_set(UINT64_MAX);
	assert_int_equal(d_hlc_epsilon_get(), ~D_HLC_MASK);
	d_hlc_epsilon_set(d_msec2hlc(500));
	assert_int_equal(d_hlc_epsilon_get() & D_HLC_MASK, 0);
	assert_true(d_hlc_epsilon_get() >= d_msec2hlc(500));
	assert_true(d_hlc_epsilon_get() < d_msec2hlc(500) + D_HLC_MASK + 1);
	assert_int_equal(d_hlc_epsilon_get_bound(0x100000),
			 (0x100000 + d_hlc_epsilon_get()) | D_HLC_MASK);
	d_hlc_epsilon_set(d_sec2hlc(1));
}

/* A message more than epsilon ahead is refused; others push the clock past them. */
static void
message_skew(void **state)
{
	uint64_t now;
	uint64_t msg;
	uint64_t out = 0;
	uint64_t offset = 0;

	(void)state;
	d_hlc_epsilon_set(d_sec2hlc(1));

	now = d_hlc_get();
	msg = now + d_sec2hlc(3);
	assert_int_equal(d_hlc_get_msg(msg, &out, &offset), -DER_HLC_SYNC);
	assert_int_equal(out, 0);
	assert_true(offset > d_sec2hlc(2));
	assert_true(d_hlc_get() < msg);

	/* 200 ms ahead: accepted; every later stamp is past the message. */
	msg = d_hlc_get() + d_msec2hlc(200);
	assert_int_equal(d_hlc_get_msg(msg, &out, &offset), 0);
	assert_true(out > msg);
	/* At most 200 ms, plus the logical ticks @msg was built on. */
	assert_true(offset > 0 && offset <= d_msec2hlc(200) + D_HLC_MASK);
	assert_true(d_hlc_get() > out);

	/* A message from the past: no offset, and the clock still moves forward. */
	now = d_hlc_get();
	assert_int_equal(d_hlc_get_msg(now - d_sec2hlc(10), &out, &offset), 0);
	assert_int_equal(offset, 0);
	assert_true(out > now);
	assert_int_equal(d_hlc_get_msg(now, NULL, NULL), 0);
	assert_true(d_hlc_get() > now);

	/* A smaller epsilon refuses what a larger one let through. */
	d_hlc_epsilon_set(d_msec2hlc(10));
	msg = d_hlc_get() + d_sec2hlc(1);
	assert_int_equal(d_hlc_get_msg(msg, NULL, NULL), -DER_HLC_SYNC);
	d_hlc_epsilon_set(d_sec2hlc(1));
}

static void
age(void **state)
{
	uint64_t age_sec;

	(void)state;
	/* Earlier tests may have run the clock up to ~200 ms ahead of physical time. */
	age_sec = d_hlc_age2sec(d_hlc_get() - d_sec2hlc(5));
	assert_true(age_sec >= 4 && age_sec <= 6);
	assert_int_equal(d_hlc_age2sec(d_hlc_get() + d_sec2hlc(5)), 0);
}

static void
tracker(void **state)
{
	(void)state;
	assert_int_equal(d_hlct_get(), 0);
	d_hlct_sync(100);
	assert_int_equal(d_hlct_get(), 100);
	d_hlct_sync(50);
	assert_int_equal(d_hlct_get(), 100);
	d_hlct_sync(200);
	assert_int_equal(d_hlct_get(), 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(monotonic_one_thread),
		cmocka_unit_test(monotonic_two_threads),
		cmocka_unit_test(conversions),
		cmocka_unit_test(epsilon),
		cmocka_unit_test(message_skew),
		cmocka_unit_test(age),
		cmocka_unit_test(tracker),
	};

	return cmocka_run_group_tests_name("hlc", tests, NULL, NULL);
}
