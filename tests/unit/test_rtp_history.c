/* NACK retransmission history: store/fetch by sequence number, overwrite when the ring turns,
 * late packets that would evict newer ones, wrap-around, size limits, expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtp_history.h"

/* A packet whose bytes identify its seq, so a wrong slot shows up as wrong contents. */
static size_t make_pkt(uint8_t *b, uint16_t seq, size_t len)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seq * 7 + i);
	return len;
}

static void expect(const struct pl_rtp_history *h, uint16_t seq, size_t len, int64_t when)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	int64_t at = -1;
	uint8_t want[1500];
	assert_int_equal(pl_rtp_history_get(h, seq, &p, &n, &at), 0);
	assert_int_equal(n, len);
	assert_int_equal(at, when);
	make_pkt(want, seq, len);
	assert_memory_equal(p, want, len);
}

static void test_limits(void **state)
{
	(void)state;
	assert_null(pl_rtp_history_new(0, 1500));
	assert_null(pl_rtp_history_new(512, 0));
	assert_null(pl_rtp_history_new(PL_RTP_HISTORY_MAX_SLOTS + 1, 1500));
	assert_null(pl_rtp_history_new(16, PL_RTP_HISTORY_MAX_PACKET + 1));
	struct pl_rtp_history *h = pl_rtp_history_new(500, 100);
	assert_non_null(h);
	assert_int_equal(pl_rtp_history_slots(h), 512); /* rounded up to a power of two */
	uint8_t b[101];
	make_pkt(b, 1, sizeof b);
	assert_int_equal(pl_rtp_history_put(h, b, 101, 1, 0), PL_ELIMIT); /* above max_packet */
	assert_int_equal(pl_rtp_history_put(h, b, 0, 1, 0), PL_ELIMIT);
	assert_int_equal(pl_rtp_history_put(h, NULL, 10, 1, 0), PL_ELIMIT);
	const uint8_t *p;
	size_t n;
	assert_int_equal(pl_rtp_history_get(h, 1, &p, &n, NULL), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_history_put(h, b, 100, 1, 5), 0); /* exactly max_packet */
	expect(h, 1, 100, 5);
	pl_rtp_history_free(h);
	pl_rtp_history_free(NULL);
}

static void test_store_overwrite(void **state)
{
	(void)state;
	struct pl_rtp_history *h = pl_rtp_history_new(8, 1500);
	uint8_t b[1500];
	const uint8_t *p;
	size_t n;
	for (uint16_t s = 100; s < 108; s++)
		assert_int_equal(pl_rtp_history_put(h, b, make_pkt(b, s, 50u + s), s, s * 10), 0);
	for (uint16_t s = 100; s < 108; s++)
		expect(h, s, 50u + s, s * 10);
	assert_int_equal(pl_rtp_history_get(h, 99, &p, &n, NULL), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_history_get(h, 108, &p, &n, NULL), PL_ENOTFOUND);
	/* 108 takes 100's slot: 100 is gone, 101 stays. */
	assert_int_equal(pl_rtp_history_put(h, b, make_pkt(b, 108, 20), 108, 2000), 0);
	assert_int_equal(pl_rtp_history_get(h, 100, &p, &n, NULL), PL_ENOTFOUND);
	expect(h, 108, 20, 2000);
	expect(h, 101, 151, 1010);
	/* A late 100 must not evict the newer 108 from the slot they share. */
	assert_int_equal(pl_rtp_history_put(h, b, make_pkt(b, 100, 30), 100, 2001), PL_EEXIST);
	expect(h, 108, 20, 2000);
	/* Storing the same seq again (a retransmission) replaces it. */
	assert_int_equal(pl_rtp_history_put(h, b, make_pkt(b, 108, 25), 108, 2002), 0);
	expect(h, 108, 25, 2002);
	/* A gap: 120 lands in slot 0 (old 104): 104 is gone, lookups of skipped seqs fail. */
	assert_int_equal(pl_rtp_history_put(h, b, make_pkt(b, 120, 10), 120, 3000), 0);
	assert_int_equal(pl_rtp_history_get(h, 104, &p, &n, NULL), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_history_get(h, 112, &p, &n, NULL), PL_ENOTFOUND);
	expect(h, 120, 10, 3000);
	pl_rtp_history_clear(h);
	assert_int_equal(pl_rtp_history_get(h, 120, &p, &n, NULL), PL_ENOTFOUND);
	pl_rtp_history_free(h);
}

static void test_wraparound(void **state)
{
	(void)state;
	struct pl_rtp_history *h = pl_rtp_history_new(16, 200);
	uint8_t b[200];
	const uint8_t *p;
	size_t n;
	/* 65530 .. 65535, 0 .. 9: sixteen consecutive packets fill sixteen distinct slots. */
	for (uint32_t i = 0; i < 16; i++) {
		uint16_t s = (uint16_t)(65530 + i);
		assert_int_equal(pl_rtp_history_put(h, b, make_pkt(b, s, 40 + i), s, i), 0);
	}
	for (uint32_t i = 0; i < 16; i++)
		expect(h, (uint16_t)(65530 + i), 40 + i, i);
	/* 10 replaces 65530 (same slot); 65530 is older across the wrap, so a late copy of it is
	 * refused rather than evicting 10. */
	assert_int_equal(pl_rtp_history_put(h, b, make_pkt(b, 10, 5), 10, 100), 0);
	assert_int_equal(pl_rtp_history_get(h, 65530, &p, &n, NULL), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_history_put(h, b, make_pkt(b, 65530, 5), 65530, 101), PL_EEXIST);
	expect(h, 10, 5, 100);
	expect(h, 65531, 41, 1);
	pl_rtp_history_free(h);
}

static void test_expire(void **state)
{
	(void)state;
	struct pl_rtp_history *h = pl_rtp_history_new(32, 100);
	uint8_t b[100];
	const uint8_t *p;
	size_t n;
	for (uint16_t s = 0; s < 10; s++) /* one packet every 100 ms */
		pl_rtp_history_put(h, b, make_pkt(b, s, 10), s, (int64_t)s * 100000);
	/* At 1 s with a 500 ms limit, packets from before 500 ms go: 0..4. */
	assert_int_equal(pl_rtp_history_expire(h, 1000000, 500000), 5);
	for (uint16_t s = 0; s < 5; s++)
		assert_int_equal(pl_rtp_history_get(h, s, &p, &n, NULL), PL_ENOTFOUND);
	for (uint16_t s = 5; s < 10; s++)
		expect(h, s, 10, (int64_t)s * 100000);
	assert_int_equal(pl_rtp_history_expire(h, 1000000, 500000), 0);
	/* Extreme times neither overflow nor expire packets from the "future". */
	assert_int_equal(pl_rtp_history_expire(h, INT64_MIN, 0), 0);
	assert_int_equal(pl_rtp_history_expire(h, INT64_MAX, INT64_MAX), 0);
	assert_int_equal(pl_rtp_history_expire(h, INT64_MAX, 0), 5);
	pl_rtp_history_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_store_overwrite),
	    cmocka_unit_test(test_wraparound),
	    cmocka_unit_test(test_expire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
