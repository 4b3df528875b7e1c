/* Per-consumer sequence number / timestamp rewriting: continuity across source switches,
 * 16-bit seq and 32-bit ts wrap-around, reordering, duplicates, too-old packets, restarts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/seq_rewrite.h"

#define VIDEO 90000
#define AUDIO 48000

struct out {
	uint16_t seq;
	uint32_t ts;
};

static struct out map_ok(struct pl_seq_rewrite *r, uint32_t ssrc, uint16_t seq, uint32_t ts,
                         uint32_t rate, int64_t now)
{
	struct out o = {0, 0};
	assert_int_equal(pl_seq_rewrite_apply(r, ssrc, seq, ts, rate, now, &o.seq, &o.ts), 0);
	return o;
}

static int map_rc(struct pl_seq_rewrite *r, uint32_t ssrc, uint16_t seq, uint32_t ts, int64_t now)
{
	uint16_t s = 0x5555;
	uint32_t t = 0x55555555;
	int rc = pl_seq_rewrite_apply(r, ssrc, seq, ts, VIDEO, now, &s, &t);
	if (rc) { /* outputs untouched on refusal */
		assert_int_equal(s, 0x5555);
		assert_int_equal(t, 0x55555555);
	}
	return rc;
}

static void test_first_and_in_order(void **state)
{
	(void)state;
	struct pl_seq_rewrite r;
	pl_seq_rewrite_init(&r, 1000, 500000);
	struct out o = map_ok(&r, 0xA, 40000, 7777, VIDEO, 0);
	assert_int_equal(o.seq, 1000);
	assert_int_equal(o.ts, 500000);
	for (int i = 1; i < 100; i++) {
		o = map_ok(&r, 0xA, (uint16_t)(40000 + i), 7777 + 3000u * i, VIDEO, i * 33333);
		assert_int_equal(o.seq, 1000 + i);
		assert_int_equal(o.ts, 500000 + 3000u * i);
	}
	/* A gap (loss) keeps the offset: the subscriber sees the same gap and NACKs it. */
	o = map_ok(&r, 0xA, 40200, 7777 + 3000u * 200, VIDEO, 200 * 33333);
	assert_int_equal(o.seq, 1200);
	assert_int_equal(o.ts, 500000 + 3000u * 200);
}

static void test_wraparound(void **state)
{
	(void)state;
	struct pl_seq_rewrite r;
	/* Input and output both wrap, at different packets. */
	pl_seq_rewrite_init(&r, 65530, 0xFFFFFF00u);
	struct out o;
	for (uint32_t i = 0; i < 20; i++) {
		o = map_ok(&r, 1, (uint16_t)(65520 + i), 0xFFFFF000u + 960 * i, AUDIO,
		           (int64_t)i * 20000);
		assert_int_equal(o.seq, (uint16_t)(65530 + i));
		assert_int_equal(o.ts, (uint32_t)(0xFFFFFF00u + 960 * i));
	}
	/* After both wraps: input 65539 -> 3, output 65549 -> 13; ts wrapped too. */
	assert_int_equal(o.seq, 13);
	assert_true(o.ts < 0x10000);
	/* A late packet from before the input wrap still maps by offset. */
	o = map_ok(&r, 1, 65525, 0xFFFFF000u + 960 * 5, AUDIO, 400000);
	assert_int_equal(o.seq, 65535);
	assert_int_equal(o.ts, 0xFFFFFF00u + 960 * 5);
}

static void test_reorder_and_duplicates(void **state)
{
	(void)state;
	struct pl_seq_rewrite r;
	pl_seq_rewrite_init(&r, 10, 1000);
	map_ok(&r, 7, 500, 90000, VIDEO, 0);
	map_ok(&r, 7, 502, 93000, VIDEO, 2);
	struct out o = map_ok(&r, 7, 501, 90000, VIDEO, 3); /* late */
	assert_int_equal(o.seq, 11);
	assert_int_equal(o.ts, 1000);
	o = map_ok(&r, 7, 502, 93000, VIDEO, 4); /* duplicate of the highest */
	assert_int_equal(o.seq, 12);
	assert_int_equal(o.ts, 4000);
	o = map_ok(&r, 7, 500, 90000, VIDEO, 5); /* duplicate of the first */
	assert_int_equal(o.seq, 10);
	/* Late packets do not move the continuation point: after a switch, output continues
	 * after 12 (the highest), not after the late 11. */
	map_ok(&r, 7, 501, 90000, VIDEO, 6);
	o = map_ok(&r, 8, 9, 1, VIDEO, 6);
	assert_int_equal(o.seq, 13);
}

static void test_source_switch(void **state)
{
	(void)state;
	struct pl_seq_rewrite r;
	pl_seq_rewrite_init(&r, 100, 10000);
	struct out o;
	for (int i = 0; i < 10; i++)
		o = map_ok(&r, 0xAAAA, (uint16_t)(5 + i), 123456 + 3000u * i, VIDEO, i * 33333);
	assert_int_equal(o.seq, 109);
	assert_int_equal(o.ts, 10000 + 27000);
	/* New source (producer replaced) 0.5 s after the last packet, with unrelated numbers. */
	int64_t t0 = 9 * 33333;
	o = map_ok(&r, 0xBBBB, 60000, 4000000000u, VIDEO, t0 + 500000);
	assert_int_equal(o.seq, 110);
	assert_int_equal(o.ts, 10000 + 27000 + 45000); /* 0.5 s at 90 kHz */
	o = map_ok(&r, 0xBBBB, 60001, 4000003000u, VIDEO, t0 + 533333);
	assert_int_equal(o.seq, 111);
	assert_int_equal(o.ts, 10000 + 27000 + 45000 + 3000);
	/* A packet of the new source from before its first one would reuse output 109: refused. */
	assert_int_equal(map_rc(&r, 0xBBBB, 59999, 3999997000u, t0 + 540000), PL_EINVAL);
	/* Switch at the same instant: the timestamp still moves forward by 1. */
	o = map_ok(&r, 0xCCCC, 1, 1, VIDEO, t0 + 533333);
	assert_int_equal(o.seq, 112);
	assert_int_equal(o.ts, 10000 + 27000 + 45000 + 3000 + 1);
	/* Clock going backwards is treated as no elapsed time. */
	o = map_ok(&r, 0xDDDD, 1, 1, VIDEO, 0);
	assert_int_equal(o.seq, 113);
	assert_int_equal(o.ts, 10000 + 27000 + 45000 + 3000 + 2);
	/* The elapsed time is scaled with the new source's clock rate (48 kHz, 20 ms = 960). */
	o = map_ok(&r, 0xEEEE, 1, 1, AUDIO, 20000);
	assert_int_equal(o.ts, 10000 + 27000 + 45000 + 3000 + 2 + 960);
	/* Back to an earlier source (simulcast layer switch back): continues, no collision. */
	o = map_ok(&r, 0xAAAA, 20, 999, VIDEO, 20000);
	assert_int_equal(o.seq, 115);
	/* A very long pause does not overflow: 10^6 s at 90 kHz, modulo 2^32. */
	uint32_t before = o.ts;
	o = map_ok(&r, 0xBBBB, 7, 7, VIDEO, 20000 + 1000000LL * 1000000);
	assert_int_equal(o.ts, (uint32_t)(before + (uint32_t)(90000ULL * 1000000)));
}

static void test_too_old_and_restart(void **state)
{
	(void)state;
	struct pl_seq_rewrite r;
	pl_seq_rewrite_init(&r, 0, 0);
	/* Run the source 40000 packets, past the late window and half the sequence space. */
	struct out o;
	for (uint32_t i = 0; i <= 40000; i += 100)
		o = map_ok(&r, 1, (uint16_t)i, i * 10, VIDEO, i);
	assert_int_equal(o.seq, 40000);
	/* PL_SEQ_REWRITE_MAX_LATE behind still maps; one more is refused, and so is 2^15. */
	o = map_ok(&r, 1, 40000 - PL_SEQ_REWRITE_MAX_LATE, 0, VIDEO, 40001);
	assert_int_equal(o.seq, 40000 - PL_SEQ_REWRITE_MAX_LATE);
	assert_int_equal(map_rc(&r, 1, 40000 - PL_SEQ_REWRITE_MAX_LATE - 1, 0, 40002), PL_EINVAL);
	assert_int_equal(map_rc(&r, 1, 40000 - 32768, 0, 40002), PL_EINVAL);
	assert_int_equal(r.misses, 2);
	map_ok(&r, 1, 40000, 400000, VIDEO, 40002); /* a duplicate maps and clears the misses */
	assert_int_equal(r.misses, 0);
	/* A sender that reset its sequence numbers (same SSRC, 30000 behind): refused until the
	 * resync limit, then taken as a restart that continues the output. */
	for (int i = 0; i < PL_SEQ_REWRITE_RESYNC; i++)
		assert_int_equal(map_rc(&r, 1, (uint16_t)(10000 + i), 5, 40003), PL_EINVAL);
	o = map_ok(&r, 1, 10000 + PL_SEQ_REWRITE_RESYNC, 5, VIDEO, 40004);
	assert_int_equal(o.seq, 40001);
	o = map_ok(&r, 1, 10001 + PL_SEQ_REWRITE_RESYNC, 3005, VIDEO, 40005);
	assert_int_equal(o.seq, 40002);
	/* A mappable packet resets the miss count. */
	assert_int_equal(map_rc(&r, 1, 100, 5, 40006), PL_EINVAL);
	assert_int_equal(r.misses, 1);
	map_ok(&r, 1, 10002 + PL_SEQ_REWRITE_RESYNC, 6005, VIDEO, 40007);
	assert_int_equal(r.misses, 0);
	/* A forward jump below 2^15 is a loss: the same gap in the output; what was current before
	 * the jump is then too old. */
	uint16_t base = 10002 + PL_SEQ_REWRITE_RESYNC;
	o = map_ok(&r, 1, (uint16_t)(base + 32767), 0, VIDEO, 40008);
	assert_int_equal(o.seq, (uint16_t)(40003 + 32767));
	assert_int_equal(map_rc(&r, 1, base, 0, 40009), PL_EINVAL);
	/* Clock rate 0 is refused. */
	uint16_t s;
	uint32_t t;
	assert_int_equal(pl_seq_rewrite_apply(&r, 1, 1, 1, 0, 1, &s, &t), PL_EINVAL);
}

static void test_fresh_source_refuses_older(void **state)
{
	(void)state;
	struct pl_seq_rewrite r;
	pl_seq_rewrite_init(&r, 50, 50);
	map_ok(&r, 3, 1000, 0, VIDEO, 0);
	/* Nothing of this source was passed yet: any earlier packet is refused. */
	assert_int_equal(map_rc(&r, 3, 999, 0, 1), PL_EINVAL);
	map_ok(&r, 3, 1005, 0, VIDEO, 2);
	struct out o = map_ok(&r, 3, 1001, 0, VIDEO, 3);
	assert_int_equal(o.seq, 51);
	assert_int_equal(map_rc(&r, 3, 999, 0, 4), PL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_and_in_order),
	    cmocka_unit_test(test_wraparound),
	    cmocka_unit_test(test_reorder_and_duplicates),
	    cmocka_unit_test(test_source_switch),
	    cmocka_unit_test(test_too_old_and_restart),
	    cmocka_unit_test(test_fresh_source_refuses_older),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
