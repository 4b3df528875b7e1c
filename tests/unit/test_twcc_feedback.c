/* Transport-wide CC feedback generator: what it writes is decoded by our parser and must give
 * back the recorded arrival times (within one 250 us tick), losses and sequence numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_twcc.h"
#include "media/twcc_feedback.h"

static struct pl_rtcp_twcc fb;

static int write_parse(struct pl_twcc_feedback *g, size_t cap)
{
	uint8_t out[1500];
	size_t n = 0;
	int rc = pl_twcc_feedback_write(g, 0x1111, 0x2222, out, cap, &n);
	if (rc < 0)
		return rc;
	assert_true(n <= cap && n <= PL_TWCC_FEEDBACK_MAX_LEN);
	assert_int_equal(n % 4, 0);
	assert_int_equal(pl_rtcp_twcc_parse(out, n, &fb), 0);
	assert_int_equal(fb.sender_ssrc, 0x1111);
	assert_int_equal(fb.media_ssrc, 0x2222);
	return 0;
}

static void assert_time(int64_t recv_us, int64_t arrival_us)
{
	assert_true(recv_us <= arrival_us && arrival_us - recv_us < 250);
}

static void test_empty_is_notfound(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	uint8_t out[100];
	size_t n;
	assert_int_equal(pl_twcc_feedback_write(g, 1, 2, out, sizeof out, &n), PL_ENOTFOUND);
	pl_twcc_feedback_free(g);
	pl_twcc_feedback_free(NULL);
}

static void test_simple_in_order(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	int64_t t[10];
	for (int i = 0; i < 10; i++) {
		t[i] = 1000000 + i * 1000 + (i * 37) % 250; /* sub-tick offsets */
		assert_int_equal(pl_twcc_feedback_record(g, (uint16_t)(100 + i), t[i]), 0);
	}
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.base_seq, 100);
	assert_int_equal(fb.status_count, 10);
	assert_int_equal(fb.fb_count, 0);
	assert_int_equal(fb.ref_time, 1000000 / 64000); /* 15 */
	assert_int_equal(fb.n_recv, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(fb.recv[i].seq, 100 + i);
		assert_time(fb.recv[i].recv_us, t[i]);
	}
	assert_int_equal(write_parse(g, 1500), PL_ENOTFOUND);
	/* the next feedback continues the sequence and the count */
	assert_int_equal(pl_twcc_feedback_record(g, 110, 1020000), 0);
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.base_seq, 110);
	assert_int_equal(fb.fb_count, 1);
	/* a late duplicate of a reported packet is refused */
	assert_int_equal(pl_twcc_feedback_record(g, 105, 1030000), PL_ESTATE);
	assert_int_equal(write_parse(g, 1500), PL_ENOTFOUND);
	pl_twcc_feedback_free(g);
}

static void test_losses_and_gap_continuity(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	uint16_t seqs[] = {0, 1, 3, 6};
	for (int i = 0; i < 4; i++)
		assert_int_equal(pl_twcc_feedback_record(g, seqs[i], 5000 + i * 500), 0);
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.base_seq, 0);
	assert_int_equal(fb.status_count, 7);
	assert_int_equal(fb.n_recv, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(fb.recv[i].seq, seqs[i]);
	/* 7 and 8 never arrive: the next feedback starts at 7 and reports them lost */
	assert_int_equal(pl_twcc_feedback_record(g, 9, 9000), 0);
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.base_seq, 7);
	assert_int_equal(fb.status_count, 3);
	assert_int_equal(fb.n_recv, 1);
	assert_int_equal(fb.recv[0].seq, 9);
	pl_twcc_feedback_free(g);
}

static void test_reordering_negative_delta(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	/* 11 arrives before 10: 10 is the first in seq order, 11's delta is negative */
	assert_int_equal(pl_twcc_feedback_record(g, 11, 700000), 0);
	assert_int_equal(pl_twcc_feedback_record(g, 10, 705000), 0);
	assert_int_equal(pl_twcc_feedback_record(g, 12, 706000), 0);
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.base_seq, 10);
	assert_int_equal(fb.status_count, 3);
	assert_int_equal(fb.n_recv, 3);
	assert_time(fb.recv[0].recv_us, 705000);
	assert_time(fb.recv[1].recv_us, 700000);
	assert_time(fb.recv[2].recv_us, 706000);
	assert_int_equal(fb.recv[1].status, PL_TWCC_LARGE_DELTA);
	assert_int_equal(fb.recv[1].delta, -20);
	/* a duplicate keeps the first arrival */
	assert_int_equal(pl_twcc_feedback_record(g, 13, 710000), 0);
	assert_int_equal(pl_twcc_feedback_record(g, 13, 790000), 0);
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.n_recv, 1);
	assert_time(fb.recv[0].recv_us, 710000);
	pl_twcc_feedback_free(g);
}

static void test_seq_wraparound(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	for (int i = 0; i < 12; i++)
		assert_int_equal(
		    pl_twcc_feedback_record(g, (uint16_t)(65530 + i), 64000 * 3 + i * 100), 0);
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.base_seq, 65530);
	assert_int_equal(fb.status_count, 12);
	assert_int_equal(fb.n_recv, 12);
	assert_int_equal(fb.recv[5].seq, 65535);
	assert_int_equal(fb.recv[6].seq, 0);
	assert_int_equal(fb.recv[11].seq, 5);
	assert_time(fb.recv[11].recv_us, 64000 * 3 + 1100);
	pl_twcc_feedback_free(g);
}

static void test_large_delta_and_split_on_huge_gap(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	assert_int_equal(pl_twcc_feedback_record(g, 1, 1000000), 0);
	assert_int_equal(pl_twcc_feedback_record(g, 2, 1100000), 0);  /* +100 ms: 400 ticks */
	assert_int_equal(pl_twcc_feedback_record(g, 3, 11100000), 0); /* +10 s: beyond int16 */
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.status_count, 2);
	assert_int_equal(fb.recv[1].status, PL_TWCC_LARGE_DELTA);
	assert_int_equal(fb.recv[1].delta, 400);
	assert_time(fb.recv[1].recv_us, 1100000);
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.base_seq, 3);
	assert_int_equal(fb.ref_time, 11100000 / 64000);
	assert_time(fb.recv[0].recv_us, 11100000);
	pl_twcc_feedback_free(g);
}

/* Deterministic PRNG for the randomized runs (no clock, no rand() state). */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Records a pattern with losses, reordering and jumps, then drains it with small caps: every
 * seq is described exactly once, in order, with the right status and time, each packet fits. */
static void drain_and_check(size_t cap, uint32_t seed, int npkts)
{
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	int64_t *arr = malloc(sizeof(int64_t) * (size_t)npkts);
	uint32_t s = seed;
	int64_t now = 50000000;
	uint16_t base = (uint16_t)(65535 - npkts / 2); /* wraps half-way */
	for (int i = 0; i < npkts; i++) {
		uint32_t r = lcg(&s) % 100;
		now += (int64_t)(lcg(&s) % 3000);
		if (r < 3)
			now += 150000;                /* occasional 150 ms stall: large deltas */
		arr[i] = (r >= 90) ? INT64_MIN : now; /* 10 % loss */
	}
	/* record in a shuffled-within-3 order to create reordering */
	for (int i = 0; i < npkts; i += 3) {
		for (int k = 2; k >= 0; k--)
			if (i + k < npkts && arr[i + k] != INT64_MIN)
				assert_int_equal(pl_twcc_feedback_record(
				                     g, (uint16_t)(base + i + k), arr[i + k]),
				                 0);
	}
	uint16_t expect_seq = base;
	int idx = 0; /* index of the next seq to be described */
	while (arr[idx] == INT64_MIN)
		idx++, expect_seq++; /* the generator starts at the first recorded seq */
	int last_received = npkts - 1;
	while (arr[last_received] == INT64_MIN)
		last_received--;
	int feedbacks = 0;
	while (write_parse(g, cap) == 0) {
		feedbacks++;
		assert_int_equal(fb.base_seq, expect_seq);
		size_t r = 0;
		for (unsigned off = 0; off < fb.status_count; off++, idx++) {
			uint16_t seq = (uint16_t)(fb.base_seq + off);
			if (arr[idx] == INT64_MIN) {
				assert_true(r == fb.n_recv || fb.recv[r].seq != seq);
				continue;
			}
			assert_true(r < fb.n_recv);
			assert_int_equal(fb.recv[r].seq, seq);
			assert_time(fb.recv[r].recv_us, arr[idx]);
			r++;
		}
		assert_int_equal(r, fb.n_recv);
		assert_true(fb.n_recv > 0);
		expect_seq = (uint16_t)(expect_seq + fb.status_count);
	}
	assert_int_equal(idx, last_received + 1);
	assert_true(feedbacks >= 1);
	if (cap < 200)
		assert_true(feedbacks > 3);
	free(arr);
	pl_twcc_feedback_free(g);
}

static void test_split_across_cap(void **state)
{
	(void)state;
	drain_and_check(64, 1, 600);
	drain_and_check(100, 2, 1000);
	drain_and_check(1500, 3, 3000); /* limited to 1200 bytes per feedback */
	drain_and_check(333, 4, 4000);
}

static void test_cap_too_small(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	assert_int_equal(pl_twcc_feedback_record(g, 7, 1000), 0);
	uint8_t out[24];
	size_t n;
	assert_int_equal(pl_twcc_feedback_write(g, 1, 2, out, 20, &n), PL_ESPACE);
	assert_int_equal(pl_twcc_feedback_write(g, 1, 2, out, 24, &n), 0);
	assert_int_equal(n, 24);
	pl_twcc_feedback_free(g);
}

static void test_window_overflow(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	assert_int_equal(pl_twcc_feedback_record(g, 0, 1000), 0);
	assert_int_equal(pl_twcc_feedback_record(g, 5000, 2000), 0);
	/* far behind the newest: outside the window */
	assert_int_equal(pl_twcc_feedback_record(g, 1, 3000), PL_ELIMIT);
	assert_int_equal(write_parse(g, 1500), 0);
	assert_int_equal(fb.base_seq, 5000 - PL_TWCC_FEEDBACK_WINDOW + 1);
	assert_int_equal(fb.status_count, PL_TWCC_FEEDBACK_WINDOW);
	assert_int_equal(fb.n_recv, 1);
	assert_int_equal(fb.recv[0].seq, 5000);
	pl_twcc_feedback_free(g);
}

static void test_fb_count_and_ref_time_wrap(void **state)
{
	(void)state;
	struct pl_twcc_feedback *g = pl_twcc_feedback_new();
	/* 2^24 * 64 ms + 5 * 64 ms: the 24-bit reference time wraps to 5 */
	int64_t t0 = ((int64_t)1 << 24) * 64000 + 5 * 64000 + 10;
	for (int i = 0; i < 260; i++) {
		assert_int_equal(pl_twcc_feedback_record(g, (uint16_t)i, t0 + i * 1000), 0);
		assert_int_equal(write_parse(g, 1500), 0);
		assert_int_equal(fb.fb_count, (uint8_t)i);
	}
	assert_int_equal(fb.ref_time, (int32_t)(((t0 + 259 * 1000) / 64000) & 0xffffff));
	pl_twcc_feedback_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_is_notfound),
	    cmocka_unit_test(test_simple_in_order),
	    cmocka_unit_test(test_losses_and_gap_continuity),
	    cmocka_unit_test(test_reordering_negative_delta),
	    cmocka_unit_test(test_seq_wraparound),
	    cmocka_unit_test(test_large_delta_and_split_on_huge_gap),
	    cmocka_unit_test(test_split_across_cap),
	    cmocka_unit_test(test_cap_too_small),
	    cmocka_unit_test(test_window_overflow),
	    cmocka_unit_test(test_fb_count_and_ref_time_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
