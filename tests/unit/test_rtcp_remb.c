/* REMB (draft-alvestrand-rmcat-remb-03 §2.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_remb.h"

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

/* 1 Mbit/s = 250000 << 2 (mantissa 0x3d090), two SSRCs. */
static const uint8_t fixture[] = {
    0x8f, 206, 0x00, 0x06, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 'R',  'E',
    'M',  'B', 0x02, 0x0b, 0xd0, 0x90, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0b,
};

static struct pl_rtcp_remb remb, remb2;

static void test_fixture(void **state)
{
	(void)state;
	assert_int_equal(pl_rtcp_remb_parse(fixture, sizeof fixture, &remb), 0);
	assert_int_equal(remb.sender_ssrc, 7);
	assert_true(remb.bitrate_bps == 1000000);
	assert_int_equal(remb.n_ssrcs, 2);
	assert_int_equal(remb.ssrcs[0], 10);
	assert_int_equal(remb.ssrcs[1], 11);
	ASSERT_TRUNCATIONS_FAIL(fixture, pl_rtcp_remb_parse, &remb);
	uint8_t out[sizeof fixture];
	size_t n;
	assert_int_equal(pl_rtcp_remb_write(&remb, out, sizeof out, &n), 0);
	assert_memory_equal(out, fixture, sizeof fixture);
	assert_int_equal(pl_rtcp_remb_write(&remb, out, sizeof out - 1, &n), PL_ESPACE);
}

static void test_exp_mantissa(void **state)
{
	(void)state;
	uint8_t e;
	uint32_t m;
	pl_rtcp_remb_encode_bitrate(1000000, &e, &m);
	assert_int_equal(e, 2);
	assert_int_equal(m, 250000);
	pl_rtcp_remb_encode_bitrate(2500000, &e, &m);
	assert_int_equal(e, 4);
	assert_int_equal(m, 156250);
	pl_rtcp_remb_encode_bitrate(30000000, &e, &m);
	assert_int_equal(e, 7);
	assert_int_equal(m, 234375);
	pl_rtcp_remb_encode_bitrate(262143, &e, &m);
	assert_int_equal(e, 0);
	assert_int_equal(m, 262143);
	pl_rtcp_remb_encode_bitrate(262144, &e, &m);
	assert_int_equal(e, 1);
	assert_int_equal(m, 131072);
	/* write/parse: exact for these, rounded down otherwise */
	static const uint64_t rates[] = {1000000, 2500000, 30000000, 0, 1000001, UINT64_MAX};
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		uint8_t out[64];
		size_t n;
		memset(&remb, 0, sizeof remb);
		remb.bitrate_bps = rates[i];
		assert_int_equal(pl_rtcp_remb_write(&remb, out, sizeof out, &n), 0);
		assert_int_equal(pl_rtcp_remb_parse(out, n, &remb2), 0);
		assert_true(remb2.bitrate_bps <= rates[i]);
		assert_true(rates[i] - remb2.bitrate_bps <= rates[i] / 131072);
		if (i < 4)
			assert_true(remb2.bitrate_bps == rates[i]);
	}
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[12] = 'X'; /* another AFB */
	assert_int_equal(pl_rtcp_remb_parse(b, sizeof b, &remb), PL_EUNSUPPORTED);
	memcpy(b, fixture, sizeof b);
	b[16] = 3; /* claims 3 SSRCs, has 2 */
	assert_int_equal(pl_rtcp_remb_parse(b, sizeof b, &remb), PL_ETRUNC);
	b[16] = 200; /* beyond the bound */
	assert_int_equal(pl_rtcp_remb_parse(b, sizeof b, &remb), PL_ELIMIT);
	memcpy(b, fixture, sizeof b);
	b[17] = 0xff; /* exp 63 with a mantissa that overflows 64 bits */
	assert_int_equal(pl_rtcp_remb_parse(b, sizeof b, &remb), PL_EINVAL);
	memcpy(b, fixture, sizeof b);
	b[0] = 0x81; /* PLI FMT */
	assert_int_equal(pl_rtcp_remb_parse(b, sizeof b, &remb), PL_EPROTO);
	memset(&remb, 0, sizeof remb);
	remb.n_ssrcs = PL_RTCP_REMB_MAX_SSRCS + 1;
	size_t n;
	assert_int_equal(pl_rtcp_remb_write(&remb, b, sizeof b, &n), PL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),
	    cmocka_unit_test(test_exp_mantissa),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
