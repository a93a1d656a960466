// SPDX-License-Identifier: GPL-2.0
/*
 * lib/ht-clock in system mode, against the real clocks of this machine: a
 * guest clock with a known offset from the host's is learnt from events
 * bracketed between polls, every conversion is within the half-width the
 * clock reports, a jump of the offset (a paused VM) starts it again, and
 * forged timestamps do no harm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "ht-clock.h"
#include "ht-region.h"

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One poll: the guest emits (guest ts = host now - @off), the collector sees it. */
static void poll_one(struct ht_clock *ck, int64_t off, uint64_t *truth, uint64_t *conv)
{
	uint64_t g;

	ht_clock_round(ck);
	usleep(200);
	*truth = host_ns();
	g = *truth - off;
	usleep(100); /* published, then seen a little later */
	ht_clock_observe(ck, HT_CLOCK_MONO, g);
	*conv = ht_clock_to_mono(ck, HT_CLOCK_MONO, g);
}

/* @truth is known within @margin ns (the test's own reading of the clocks). */
static void assert_within(const struct ht_clock *ck, int i, uint64_t truth, uint64_t conv,
			  int64_t margin)
{
	const struct ht_guest_clock *g = &ck->guest[i];
	int64_t err = (int64_t)(conv - truth);
	int64_t half = (g->hi - g->lo) / 2 + 1 + margin;

	assert_true(g->valid);
	if (!(err <= half && err >= -half))
		print_error("err %lld half %lld\n", (long long)err, (long long)half);
	assert_true(err <= half && err >= -half);
	assert_true((double)(half - margin) <= g->max_half_ns + 1);
}

static void learns_offset(void **state)
{
	const int64_t off = 7000000000LL - 123457; /* host - guest */
	struct ht_clock ck;
	uint64_t truth, conv;
	int i;

	ht_clock_init(&ck);
	ht_clock_system(&ck);
	for (i = 0; i < 50; i++) {
		poll_one(&ck, off, &truth, &conv);
		assert_within(&ck, HT_CLOCK_MONO, truth, conv, 0);
	}
	assert_int_equal(ck.guest[HT_CLOCK_MONO].events, 50);
	assert_int_equal(ck.guest[HT_CLOCK_MONO].resets, 0);
	/* each bracket is ~300 us wide plus scheduling: the intersection is no wider */
	assert_true(ck.guest[HT_CLOCK_MONO].hi - ck.guest[HT_CLOCK_MONO].lo < 50000000);
	ht_clock_report(&ck);
}

static void offset_jump(void **state)
{
	int64_t off = 1000000000LL;
	struct ht_clock ck;
	uint64_t truth, conv;
	int i;

	ht_clock_init(&ck);
	ht_clock_system(&ck);
	for (i = 0; i < 10; i++)
		poll_one(&ck, off, &truth, &conv);
	off += 1000000000LL; /* the VM was paused for 1 s: its clock lags */
	for (i = 0; i < 10; i++) {
		poll_one(&ck, off, &truth, &conv);
		assert_within(&ck, HT_CLOCK_MONO, truth, conv, 0);
	}
	assert_int_equal(ck.guest[HT_CLOCK_MONO].resets, 1);
	assert_int_equal(ck.guest[HT_CLOCK_MONO].events, 10);
}

static void guest_tsc(void **state)
{
#if defined(__x86_64__) || defined(__i386__)
	const uint64_t k = 987654321012ULL; /* guest TSC = host TSC - k */
	struct ht_clock ck;
	uint64_t before, after, conv, tsc;
	int i;

	ht_clock_init(&ck);
	if (!ck.tsc_ok)
		skip();
	ht_clock_system(&ck);
	for (i = 0; i < 30; i++) {
		ht_clock_round(&ck);
		usleep(200);
		before = host_ns();
		tsc = __rdtsc() - k;
		after = host_ns();
		ht_clock_observe(&ck, HT_CLOCK_TSC, tsc);
		conv = ht_clock_to_mono(&ck, HT_CLOCK_TSC, tsc);
		/* read between two clock_gettime; the TSC map's slope: 1 us more */
		assert_within(&ck, HT_CLOCK_TSC, before + (after - before) / 2, conv,
			      (after - before) / 2 + 1000);
	}
	assert_int_equal(ck.guest[HT_CLOCK_TSC].resets, 0);
#else
	skip();
#endif
}

static void forged(void **state)
{
	static const uint64_t ts[] = { 0, UINT64_MAX, 1ULL << 63, 12345, UINT64_MAX - 1, 0 };
	struct ht_clock ck;
	unsigned int i;

	ht_clock_init(&ck);
	ht_clock_system(&ck);
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		ht_clock_round(&ck);
		ht_clock_observe(&ck, i & 1 ? HT_CLOCK_TSC : 77, ts[i]);
		ht_clock_to_mono(&ck, i & 1 ? HT_CLOCK_TSC : 77, ts[i]);
		ht_clock_to_mono(&ck, HT_CLOCK_MONO, ts[i] ^ 0x5555);
	}
	assert_true(ck.guest[0].resets + ck.guest[1].resets > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(learns_offset),
		cmocka_unit_test(offset_jump),
		cmocka_unit_test(guest_tsc),
		cmocka_unit_test(forged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
