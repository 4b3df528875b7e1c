/* RTCP RR (RFC 3550 §6.4.2) and receive statistics (Appendix A.1, A.3, A.8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_rr.h"

/* Every prefix shorter than the packet fails, parsed from an exact-size heap copy (ASan). */
#define ASSERT_TRUNCATIONS_FAIL(fx, parse, outp)                                                   \
	do {                                                                                       \
		for (size_t n_ = 0; n_ < sizeof(fx); n_++) {                                       \
			uint8_t *b_ = malloc(n_ ? n_ : 1);                                         \
			memcpy(b_, fx, n_);                                                        \
			assert_true(parse(b_, n_, outp) < 0);                                      \
			free(b_);                                                                  \
		}                                                                                  \
	} while (0)

static const uint8_t fixture[] = {
    0x81, 201,  0x00, 0x07, 0xde, 0xad, 0xbe, 0xef, 0x0a, 0x0b, 0x0c, 0x0d, 0x19, 0x80, 0x00, 0x00,
    0x00, 0x02, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static struct pl_rtcp_rr rr;

static void test_fixture_and_roundtrip(void **state)
{
	(void)state;
	assert_int_equal(pl_rtcp_rr_parse(fixture, sizeof fixture, &rr), 0);
	assert_int_equal(rr.sender_ssrc, 0xdeadbeef);
	assert_int_equal(rr.n_blocks, 1);
	assert_int_equal(rr.blocks[0].fraction_lost, 0x19);
	assert_int_equal(rr.blocks[0].cumulative_lost, -0x800000);
	assert_int_equal(rr.blocks[0].ext_highest_seq, 0x2ffff);
	assert_int_equal(rr.blocks[0].jitter, 256);
	ASSERT_TRUNCATIONS_FAIL(fixture, pl_rtcp_rr_parse, &rr);
	uint8_t out[sizeof fixture];
	size_t n;
	assert_int_equal(pl_rtcp_rr_write(&rr, out, sizeof out, &n), 0);
	assert_memory_equal(out, fixture, sizeof fixture);
	assert_int_equal(pl_rtcp_rr_write(&rr, out, sizeof out - 1, &n), PL_ESPACE);
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[0] = 0x9f; /* 31 blocks claimed */
	assert_int_equal(pl_rtcp_rr_parse(b, sizeof b, &rr), PL_ETRUNC);
}

static void test_rx_stats_loss_and_wrap(void **state)
{
	(void)state;
	struct pl_rtp_rx_stats s;
	struct pl_rtcp_report_block rb;
	pl_rtp_rx_stats_init(&s);
	assert_int_equal(pl_rtp_rx_stats_report_block(&s, 1, 0, 0, 0, &rb), PL_ESTATE);
	/* seqs 65530..65535, 0..9 with 2 and 5 lost: expected 16, received 14 */
	for (int i = 0; i < 16; i++) {
		uint16_t seq = (uint16_t)(65530 + i);
		if (seq == 2 || seq == 5)
			continue;
		assert_int_equal(pl_rtp_rx_stats_update(&s, seq, 1000u * (uint32_t)i, 90000,
		                                        1000000 + i * 11111),
		                 0);
	}
	assert_int_equal(pl_rtp_rx_stats_report_block(&s, 0x55, 0, 0, 0, &rb), 0);
	assert_int_equal(rb.ssrc, 0x55);
	assert_int_equal(rb.ext_highest_seq, 0x10009);
	assert_int_equal(rb.cumulative_lost, 2);
	assert_int_equal(rb.fraction_lost, 2 * 256 / 16); /* 32 */
	assert_int_equal(rb.lsr, 0);
	assert_int_equal(rb.dlsr, 0);
	/* next interval: 10 more, none lost; the late 5 arrives (duplicate-ish reorder) */
	for (int i = 10; i < 20; i++)
		assert_int_equal(pl_rtp_rx_stats_update(&s, (uint16_t)i,
		                                        16000u + 1000u * (uint32_t)i, 90000,
		                                        2000000 + i * 11111),
		                 0);
	assert_int_equal(pl_rtp_rx_stats_update(&s, 5, 0, 90000, 2300000), 0);
	assert_int_equal(pl_rtp_rx_stats_report_block(&s, 0x55, 0xabcd0000, 5000000, 6500000, &rb),
	                 0);
	assert_int_equal(rb.cumulative_lost, 1);
	assert_int_equal(rb.fraction_lost, 0); /* more received than expected in the interval */
	assert_int_equal(rb.lsr, 0xabcd0000);
	assert_int_equal(rb.dlsr, 98304); /* 1.5 s * 65536 */
}

static void test_rx_stats_jitter(void **state)
{
	(void)state;
	struct pl_rtp_rx_stats s;
	struct pl_rtcp_report_block rb;
	pl_rtp_rx_stats_init(&s);
	/* 8 kHz, 20 ms packets (160 units): perfectly paced -> jitter 0 */
	for (int i = 0; i < 50; i++)
		pl_rtp_rx_stats_update(&s, (uint16_t)i, 160u * (uint32_t)i, 8000, 20000LL * i);
	pl_rtp_rx_stats_report_block(&s, 1, 0, 0, 0, &rb);
	assert_int_equal(rb.jitter, 0);
	/* every other packet 5 ms late (40 units at 8 kHz): |D| = 40, J converges towards 40 */
	for (int i = 50; i < 400; i++)
		pl_rtp_rx_stats_update(&s, (uint16_t)i, 160u * (uint32_t)i, 8000,
		                       20000LL * i + ((i & 1) ? 5000 : 0));
	pl_rtp_rx_stats_report_block(&s, 1, 0, 0, 0, &rb);
	assert_in_range(rb.jitter, 36, 40);
}

static void test_rx_stats_restart_and_clamp(void **state)
{
	(void)state;
	struct pl_rtp_rx_stats s;
	struct pl_rtcp_report_block rb;
	pl_rtp_rx_stats_init(&s);
	pl_rtp_rx_stats_update(&s, 100, 0, 90000, 0);
	/* a jump of 20000 is refused once, accepted as a restart when sequential */
	assert_int_equal(pl_rtp_rx_stats_update(&s, 20100, 0, 90000, 1), PL_EINVAL);
	assert_int_equal(pl_rtp_rx_stats_update(&s, 20101, 0, 90000, 2), 0);
	pl_rtp_rx_stats_report_block(&s, 1, 0, 0, 0, &rb);
	assert_int_equal(rb.ext_highest_seq, 20101);
	assert_int_equal(rb.cumulative_lost, 0);
	/* lost beyond 24 bits clamps: base 0, jump in steps of 2999 (all allowed), 1 received */
	pl_rtp_rx_stats_init(&s);
	uint16_t seq = 0;
	pl_rtp_rx_stats_update(&s, seq, 0, 90000, 0);
	for (int i = 0; i < 3000; i++) {
		seq = (uint16_t)(seq + 2999);
		pl_rtp_rx_stats_update(&s, seq, 0, 90000, 0);
	}
	/* expected ~ 9 million, received 3001: lost ~ 8.99 M > 0x7fffff */
	pl_rtp_rx_stats_report_block(&s, 1, 0, 0, 0, &rb);
	assert_int_equal(rb.cumulative_lost, 0x7fffff);
	assert_int_equal(rb.fraction_lost, 255);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture_and_roundtrip),
	    cmocka_unit_test(test_rx_stats_loss_and_wrap),
	    cmocka_unit_test(test_rx_stats_jitter),
	    cmocka_unit_test(test_rx_stats_restart_and_clamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
