/* RTCP SR (RFC 3550 §6.4.1) and NTP conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_sr.h"

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

/* SR from SSRC 0x01020304 with one report block about 0x0a0b0c0d. */
static const uint8_t fixture[] = {
    0x81, 200,  0x00, 0x0c, 0x01, 0x02, 0x03, 0x04, /* V=2 RC=1, length 12 */
    0xe8, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, /* NTP 0xe8000000.80000000 */
    0x00, 0x01, 0x00, 0x00,                         /* RTP ts 65536 */
    0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x10, 0x00, /* 100 packets, 4096 octets */
    0x0a, 0x0b, 0x0c, 0x0d, 0x40, 0xff, 0xff, 0xfe, /* fraction 64, lost -2 */
    0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x20, /* ext seq 65541, jitter 32 */
    0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 0x80, 0x00, /* LSR, DLSR 1.5 s */
};

static struct pl_rtcp_sr sr, sr2;

static void test_fixture(void **state)
{
	(void)state;
	assert_int_equal(pl_rtcp_sr_parse(fixture, sizeof fixture, &sr), 0);
	assert_int_equal(sr.sender_ssrc, 0x01020304);
	assert_true(sr.ntp == 0xe800000080000000ull);
	assert_int_equal(sr.rtp_ts, 65536);
	assert_int_equal(sr.packet_count, 100);
	assert_int_equal(sr.octet_count, 4096);
	assert_int_equal(sr.n_blocks, 1);
	assert_int_equal(sr.blocks[0].ssrc, 0x0a0b0c0d);
	assert_int_equal(sr.blocks[0].fraction_lost, 64);
	assert_int_equal(sr.blocks[0].cumulative_lost, -2);
	assert_int_equal(sr.blocks[0].ext_highest_seq, 65541);
	assert_int_equal(sr.blocks[0].jitter, 32);
	assert_int_equal(sr.blocks[0].lsr, 0x12345678);
	assert_int_equal(sr.blocks[0].dlsr, 0x18000);
	ASSERT_TRUNCATIONS_FAIL(fixture, pl_rtcp_sr_parse, &sr);
}

static void test_roundtrip_and_space(void **state)
{
	(void)state;
	uint8_t out[sizeof fixture];
	size_t n;
	assert_int_equal(pl_rtcp_sr_parse(fixture, sizeof fixture, &sr), 0);
	assert_int_equal(pl_rtcp_sr_write(&sr, out, sizeof out, &n), 0);
	assert_int_equal(n, sizeof fixture);
	assert_memory_equal(out, fixture, sizeof fixture);
	for (size_t c = 0; c < sizeof fixture; c++)
		assert_int_equal(pl_rtcp_sr_write(&sr, out, c, &n), PL_ESPACE);
	sr.n_blocks = 32;
	assert_int_equal(pl_rtcp_sr_write(&sr, out, sizeof out, &n), PL_EINVAL);
	/* 31 blocks round trip; the lost count clamps to 24 bits */
	static uint8_t big[28 + 31 * 24];
	memset(&sr, 0, sizeof sr);
	sr.n_blocks = 31;
	for (int i = 0; i < 31; i++) {
		sr.blocks[i].ssrc = (uint32_t)i;
		sr.blocks[i].cumulative_lost = i == 3 ? 0x7fffffff : -i;
	}
	assert_int_equal(pl_rtcp_sr_write(&sr, big, sizeof big, &n), 0);
	assert_int_equal(pl_rtcp_sr_parse(big, n, &sr2), 0);
	assert_int_equal(sr2.n_blocks, 31);
	assert_int_equal(sr2.blocks[30].ssrc, 30);
	assert_int_equal(sr2.blocks[30].cumulative_lost, -30);
	assert_int_equal(sr2.blocks[3].cumulative_lost, 0x7fffff);
}

static void test_lying_length_and_type(void **state)
{
	(void)state;
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[0] = 0x82; /* claims 2 blocks */
	assert_int_equal(pl_rtcp_sr_parse(b, sizeof b, &sr), PL_ETRUNC);
	memcpy(b, fixture, sizeof b);
	b[3] = 6; /* length shorter than the block */
	assert_int_equal(pl_rtcp_sr_parse(b, sizeof b, &sr), PL_ETRUNC);
	memcpy(b, fixture, sizeof b);
	b[1] = 201;
	assert_int_equal(pl_rtcp_sr_parse(b, sizeof b, &sr), PL_EPROTO);
}

static void test_ntp(void **state)
{
	(void)state;
	/* 1970-01-01 is NTP second 2208988800 */
	assert_true(pl_ntp_from_unix_us(0) == (uint64_t)2208988800u << 32);
	/* +1.5 s: fraction 0x80000000 */
	assert_true(pl_ntp_from_unix_us(1500000) == ((uint64_t)2208988801u << 32 | 0x80000000u));
	/* 2024-01-01T00:00:00Z = unix 1704067200 -> NTP 3913056000 */
	assert_true(pl_ntp_from_unix_us(1704067200000000LL) == (uint64_t)3913056000u << 32);
	/* -0.25 s before the epoch */
	assert_true(pl_ntp_from_unix_us(-250000) == ((uint64_t)2208988799u << 32 | 0xc0000000u));
	assert_int_equal(pl_ntp_middle32(0x0011223344556677ull), 0x22334455);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),
	    cmocka_unit_test(test_roundtrip_and_space),
	    cmocka_unit_test(test_lying_length_and_type),
	    cmocka_unit_test(test_ntp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
