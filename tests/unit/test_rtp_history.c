/* NACK retransmission history (media/rtp_history.c): limits, sequence number wrap-around, growth
 * only when a packet younger than keep_us would be lost, expiry by time, overwriting at the
 * limits, late and duplicate packets, oversized packets, and a randomised comparison with a
 * plain array of the last packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtp_history.h"

#define REC PL_RTP_HISTORY_RECORD

static struct pl_rtp_history *make(int64_t keep_us, size_t min_slots, size_t max_slots,
                                   size_t min_bytes, size_t max_bytes)
{
	struct pl_rtp_history_limits lim = {.keep_us = keep_us,
	                                    .min_slots = min_slots,
	                                    .max_slots = max_slots,
	                                    .min_bytes = min_bytes,
	                                    .max_bytes = max_bytes};
	return pl_rtp_history_new(&lim);
}

/* A packet whose bytes identify seq and a version, so a wrong record shows as wrong contents. */
static void fill_pkt(uint8_t *b, uint16_t seq, unsigned version, size_t len)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seq * 7u + version * 13u + i);
}

static int put(struct pl_rtp_history *h, uint16_t seq, unsigned version, size_t len, int64_t now)
{
	static uint8_t b[100000];
	assert_true(len <= sizeof b);
	fill_pkt(b, seq, version, len);
	return pl_rtp_history_put(h, b, len, seq, now);
}

static void expect(const struct pl_rtp_history *h, uint16_t seq, unsigned version, size_t len,
                   int64_t when, int64_t now)
{
	static uint8_t want[PL_RTP_HISTORY_MAX_PACKET];
	const uint8_t *p = NULL;
	size_t n = 0;
	int64_t at = -1;
	assert_int_equal(pl_rtp_history_get(h, seq, now, &p, &n, &at), 0);
	assert_int_equal(n, len);
	assert_int_equal(at, when);
	fill_pkt(want, seq, version, len);
	assert_memory_equal(p, want, len);
}

static bool found(const struct pl_rtp_history *h, uint16_t seq, int64_t now)
{
	const uint8_t *p;
	size_t n;
	return pl_rtp_history_get(h, seq, now, &p, &n, NULL) == 0;
}

static void test_limits(void **state)
{
	(void)state;
	assert_null(pl_rtp_history_new(NULL));
	assert_null(make(0, 16, 16, 1024, 1024));       /* keep_us */
	assert_null(make(1000, 0, 16, 1024, 1024));     /* no slots */
	assert_null(make(1000, 32, 16, 1024, 1024));    /* min above max */
	assert_null(make(1000, 16, 65536, 1024, 1024)); /* beyond half the sequence space */
	assert_null(make(1000, 16, 16, REC, 1024));     /* not even a 1-byte packet */
	assert_null(make(1000, 16, 16, 2048, 1024));
	assert_null(make(1000, 16, 16, 1024, PL_RTP_HISTORY_MAX_BYTES + 1));
	struct pl_rtp_history *h = make(1000000, 10, 100, 1000, 1000);
	assert_non_null(h);
	assert_int_equal(pl_rtp_history_slots(h), 16); /* rounded up to a power of two */
	assert_int_equal(pl_rtp_history_ring_bytes(h), 1000);
	assert_true(pl_rtp_history_bytes(h) >= 1000 + 16 * 8);
	assert_true(pl_rtp_history_bytes(h) < 1000 + 16 * 32 + 256);
	uint8_t b[8] = {0};
	assert_int_equal(pl_rtp_history_put(h, b, 0, 1, 0), PL_ELIMIT);
	assert_int_equal(pl_rtp_history_put(h, NULL, 8, 1, 0), PL_ELIMIT);
	assert_false(found(h, 1, 0));
	pl_rtp_history_free(h);
	pl_rtp_history_free(NULL);
}

/* A packet larger than the ring grows it (up to max_bytes); one that cannot fit max_bytes with
 * its record header is refused without touching what is stored. */
static void test_oversized(void **state)
{
	(void)state;
	struct pl_rtp_history *h = make(1000000, 16, 16, 512, 4096);
	assert_int_equal(put(h, 1, 0, 100, 0), 0);
	assert_int_equal(put(h, 2, 0, 4096 - REC + 1, 0), PL_ELIMIT);
	assert_int_equal(put(h, 3, 0, 100000, 0), PL_ELIMIT);
	assert_false(found(h, 2, 0));
	expect(h, 1, 0, 100, 0, 0);
	assert_int_equal(pl_rtp_history_ring_bytes(h), 512);
	assert_int_equal(put(h, 4, 0, 1000, 1), 0); /* bigger than the ring: grows */
	assert_true(pl_rtp_history_ring_bytes(h) >= 1000 + REC);
	expect(h, 1, 0, 100, 0, 1);
	expect(h, 4, 0, 1000, 1, 1);
	assert_int_equal(put(h, 5, 0, 4096 - REC, 2), 0); /* exactly the limit: fits, alone */
	assert_int_equal(pl_rtp_history_ring_bytes(h), 4096);
	expect(h, 5, 0, 4096 - REC, 2, 2);
	assert_false(found(h, 1, 2));
	assert_false(found(h, 4, 2));
	pl_rtp_history_free(h);

	/* The largest packet RTP allows, in a ring that allows it. */
	h = make(1000000, 16, 16, 1024, 1 << 20);
	assert_int_equal(put(h, 9, 0, PL_RTP_HISTORY_MAX_PACKET, 0), 0);
	expect(h, 9, 0, PL_RTP_HISTORY_MAX_PACKET, 0, 0);
	assert_int_equal(put(h, 10, 0, PL_RTP_HISTORY_MAX_PACKET + 1, 0), PL_ELIMIT);
	pl_rtp_history_free(h);
}

/* Sequence numbers 65500 .. 65535, 0 .. 99 are one stream: stored and found across the wrap,
 * with the index at its limit so every entry is used twice. */
static void test_wraparound(void **state)
{
	(void)state;
	struct pl_rtp_history *h = make(1000000, 32, 32, 8192, 8192);
	for (uint32_t i = 0; i < 136; i++) {
		uint16_t s = (uint16_t)(65500 + i);
		assert_int_equal(put(h, s, 0, 40 + i % 7, i), 0);
		/* The last 32 are all there, with the right contents. */
		for (uint32_t k = i >= 31 ? i - 31 : 0; k <= i; k++)
			expect(h, (uint16_t)(65500 + k), 0, 40 + k % 7, k, i);
	}
	assert_false(found(h, (uint16_t)(65500 + 103), 200)); /* shares an entry with 99 */
	/* A late 65535 would take 95's entry (both younger than keep_us): refused, 95 intact. */
	assert_int_equal(put(h, 65535, 1, 10, 200), PL_EEXIST);
	assert_false(found(h, 65535, 200));
	expect(h, 95, 0, 40 + 131 % 7, 131, 200);
	assert_int_equal(pl_rtp_history_slots(h), 32);
	pl_rtp_history_free(h);
}

/* A stream that fits in the initial ring and index never grows them, however long it runs;
 * a faster stream grows them just enough to keep a second, then stops growing. */
static void test_growth_only_when_needed(void **state)
{
	(void)state;
	struct pl_rtp_history *h = make(1000000, 16, 1024, 16384, 1 << 20);
	size_t bytes = pl_rtp_history_bytes(h);
	int64_t now = 0;
	uint16_t seq = 100;
	/* 10 packets of 1,200 bytes a second for 100 s: 12 KB a second, 16 KiB of ring. */
	for (int i = 0; i < 1000; i++, seq++, now += 100000) {
		assert_int_equal(put(h, seq, 0, 1200, now), 0);
		for (int k = 0; k < 10 && k <= i; k++) /* the last second */
			expect(h, (uint16_t)(seq - k), 0, 1200, now - k * 100000, now);
	}
	assert_int_equal(pl_rtp_history_bytes(h), bytes);
	assert_int_equal(pl_rtp_history_slots(h), 16);
	/* 200 packets a second (5 ms apart) for 10 s: 240 KB a second. */
	size_t peak = 0;
	for (int i = 0; i < 2000; i++, seq++, now += 5000) {
		assert_int_equal(put(h, seq, 0, 1200, now), 0);
		for (int k = 0; k < 200 && k <= i; k += 13)
			expect(h, (uint16_t)(seq - k), 0, 1200, now - k * 5000, now);
		if (i == 999)
			peak = pl_rtp_history_bytes(h);
	}
	assert_int_equal(pl_rtp_history_bytes(h), peak); /* stopped growing after the first 5 s */
	assert_true(pl_rtp_history_slots(h) == 256);     /* 200 a second */
	assert_true(pl_rtp_history_ring_bytes(h) >= 200 * (1200 + REC));
	assert_true(pl_rtp_history_ring_bytes(h) <= 2 * 200 * (1200 + REC));
	pl_rtp_history_free(h);
}

/* A packet is found while it is at most keep_us old, then not, although still stored. */
static void test_expiry(void **state)
{
	(void)state;
	struct pl_rtp_history *h = make(500000, 64, 64, 65536, 65536);
	for (uint16_t s = 0; s < 10; s++) /* one packet every 100 ms */
		assert_int_equal(put(h, s, 0, 10, (int64_t)s * 100000), 0);
	int64_t now = 1000000;
	for (uint16_t s = 0; s < 5; s++)
		assert_false(found(h, s, now));
	for (uint16_t s = 5; s < 10; s++)
		expect(h, s, 0, 10, (int64_t)s * 100000, now);
	expect(h, 5, 0, 10, 500000, 1000000); /* exactly keep_us old */
	assert_false(found(h, 5, 1000001));
	/* Extreme clocks neither overflow nor lose packets from "the future". */
	expect(h, 9, 0, 10, 900000, INT64_MIN);
	assert_false(found(h, 9, INT64_MAX));
	pl_rtp_history_clear(h);
	assert_false(found(h, 9, 900000));
	assert_int_equal(put(h, 9, 1, 20, 900000), 0);
	expect(h, 9, 1, 20, 900000, 900000);
	pl_rtp_history_free(h);
}

/* At the limits the oldest packets are overwritten even when younger than keep_us: by ring
 * bytes (oldest first), and by index entry (the newer sequence number wins). */
static void test_overwrite(void **state)
{
	(void)state;
	/* Ring of 10 records of 96 + 4 bytes. */
	struct pl_rtp_history *h = make(1000000, 64, 64, 1000, 1000);
	for (uint16_t s = 0; s < 25; s++) {
		assert_int_equal(put(h, s, 0, 96, s), 0);
		for (uint16_t k = 0; k <= s; k++)
			assert_int_equal(found(h, k, s), k + 10 > s); /* exactly the newest 10 */
	}
	assert_int_equal(pl_rtp_history_ring_bytes(h), 1000);
	/* Records of other sizes reuse the ring without damaging their neighbours: the end of
	 * the ring is skipped when a record does not fit there. */
	for (uint16_t s = 25; s < 400; s++) {
		size_t len = 1 + (s * 37u) % 300;
		assert_int_equal(put(h, s, 0, len, s), 0);
		expect(h, s, 0, len, s, s);
		if (s > 25)
			expect(h, (uint16_t)(s - 1), 0, 1 + ((s - 1) * 37u) % 300, s - 1, s);
	}
	pl_rtp_history_free(h);

	/* Index of 8 entries at its limit: 8 takes 0's entry, 0 is gone, 1 stays. */
	h = make(1000000, 8, 8, 65536, 65536);
	for (uint16_t s = 0; s < 9; s++)
		assert_int_equal(put(h, s, 0, 50, s), 0);
	assert_false(found(h, 0, 9));
	expect(h, 8, 0, 50, 8, 9);
	expect(h, 1, 0, 50, 1, 9);
	pl_rtp_history_free(h);
}

/* A late packet is stored when there is room and never damages newer ones; a duplicate (or a
 * restarted source reusing the number) replaces the stored packet, and its old copy's bytes
 * are reclaimed without growing the ring. */
static void test_late_and_duplicate(void **state)
{
	(void)state;
	struct pl_rtp_history *h = make(1000000, 16, 64, 4096, 1 << 20);
	for (uint16_t s = 100; s < 110; s++)
		if (s != 104)
			assert_int_equal(put(h, s, 0, 200, s), 0);
	assert_int_equal(put(h, 104, 0, 150, 200), 0); /* late */
	expect(h, 104, 0, 150, 200, 200);
	for (uint16_t s = 100; s < 110; s++)
		if (s != 104)
			expect(h, s, 0, 200, s, 200);
	/* Very late: 16 behind shares an entry with 100 + 16 + ...: the index doubles rather
	 * than lose either. */
	assert_int_equal(put(h, 116, 0, 30, 201), 0);
	assert_int_equal(put(h, 84, 0, 30, 202), 0);
	assert_int_equal(pl_rtp_history_slots(h), 64);
	expect(h, 84, 0, 30, 202, 202);
	expect(h, 116, 0, 30, 201, 202);
	expect(h, 100, 0, 200, 100, 202);
	/* At max_slots a late packet that would evict a newer, young one is refused. */
	assert_int_equal(put(h, 52, 0, 30, 203), PL_EEXIST);
	expect(h, 116, 0, 30, 201, 203);
	assert_false(found(h, 52, 203));

	/* Duplicates: 1,000 copies of one packet, all younger than keep_us, do not grow a ring
	 * that holds a few: the dead copies are dropped instead. */
	size_t ring = pl_rtp_history_ring_bytes(h);
	for (unsigned v = 1; v <= 1000; v++) {
		assert_int_equal(put(h, 105, v, 300, 300 + v), 0);
		expect(h, 105, v, 300, 300 + v, 300 + v);
	}
	assert_int_equal(pl_rtp_history_ring_bytes(h), ring);
	expect(h, 116, 0, 30, 201, 1300); /* 300 KB of duplicates later: still there */
	pl_rtp_history_free(h);
}

/* ---- randomised comparison with a reference ------------------------------------------------- */

#define REF_N 8192

struct ref {
	uint16_t seq;
	unsigned version;
	size_t len;
	int64_t at;
};

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* The newest copy of seq put in the reference (the last REF_N puts), or NULL when there is none
 * or it is more than keep_us old at now. */
static const struct ref *ref_find(const struct ref *r, size_t n, uint16_t seq, int64_t now,
                                  int64_t keep)
{
	size_t lo = n > REF_N ? n - REF_N : 0;
	for (size_t i = n; i-- > lo;) {
		if (now - r[i % REF_N].at > keep)
			return NULL; /* arrival times only grow */
		if (r[i % REF_N].seq == seq)
			return &r[i % REF_N];
	}
	return NULL;
}

/* One run: a stream with gaps, reordering, late and duplicate packets, size and rate changes.
 * Whatever the history returns must be the newest copy put under that number, at most keep_us
 * old. With roomy limits (tight == false) every packet put at most keep_us ago must be found,
 * and nothing is refused. */
static void model_run(uint64_t seed, bool tight)
{
	const int64_t keep = 300000;
	struct pl_rtp_history *h =
	    tight ? make(keep, 4, 64, 600, 20000) : make(keep, 4, 32768, 600, 8 << 20);
	struct ref *r = calloc(REF_N, sizeof *r);
	size_t n = 0;
	rng = seed;
	int64_t now = rnd(1000000);
	uint16_t next = (uint16_t)rnd(65536);
	for (int step = 0; step < 6000; step++) {
		/* Mostly in order; sometimes a gap, a late packet, a duplicate. */
		uint32_t what = rnd(100);
		uint16_t seq;
		if (what < 80)
			seq = next++;
		else if (what < 85)
			seq = next += (uint16_t)(1 + rnd(50));
		else if (what < 95)
			seq = (uint16_t)(next - 1 - rnd(what < 93 ? 20 : 3000));
		else
			seq = (uint16_t)(next - 1);
		size_t len = rnd(10) == 0 ? 1 + rnd(3000) : 900 + rnd(400);
		unsigned version = (unsigned)step;
		int rc = put(h, seq, version, len, now);
		if (tight)
			assert_true(rc == 0 || rc == PL_EEXIST);
		else
			assert_int_equal(rc, 0);
		if (rc == 0)
			r[n++ % REF_N] = (struct ref){seq, version, len, now};
		/* Bursts and pauses: the rate changes by a factor of 100. */
		now += step % 1000 < 100 ? rnd(200) : rnd(20000);
		/* Check the stored numbers around the newest, and a few random ones. */
		for (int k = 0; k < 40; k++) {
			uint16_t q = k < 30 ? (uint16_t)(next - k) : (uint16_t)rnd(65536);
			const struct ref *e = ref_find(r, n, q, now, keep);
			if (found(h, q, now)) {
				assert_non_null(e);
				expect(h, q, e->version, e->len, e->at, now);
			} else if (!tight) {
				assert_null(e);
			}
		}
	}
	assert_true(pl_rtp_history_ring_bytes(h) <= (tight ? 20000u : 8u << 20));
	free(r);
	pl_rtp_history_free(h);
}

static void test_model(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 12; seed++) {
		model_run(seed * 0x9E3779B97F4A7C15ull, false);
		model_run(seed * 0x9E3779B97F4A7C15ull, true);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_oversized),
	    cmocka_unit_test(test_wraparound),
	    cmocka_unit_test(test_growth_only_when_needed),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_overwrite),
	    cmocka_unit_test(test_late_and_duplicate),
	    cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
