/* Transport-wide CC feedback parse/write (draft-holmer-rmcat-transport-wide-cc-extensions-01). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_twcc.h"

/* Hand-built from §3.1: base 0xFF80 (wraps), status count 245, ref time 258, fb count 7.
 * chunk 0x00DD: the draft's run-length example, 221 not received;
 * chunk 0x9F1C: the draft's one-bit vector example, 0 1 1 1 1 1 0 0 0 1 1 1 0 0;
 * chunk 0xE418: two-bit vector 10 01 00 00 01 10 00 (large, small, -, -, small, large, -);
 * chunk 0x2003: run of 3 "small delta". Deltas: 8 x 4, -4 (large), 200, 0, 1000 (large),
 * 255, 1, 2; then 3 bytes of zero padding. */
static const uint8_t fixture[] = {
    0x8f, 205,  0x00, 11, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xff, 0x80, 0x00, 245,
    0x00, 0x01, 0x02, 7,  0x00, 0xdd, 0x9f, 0x1c, 0xe4, 0x18, 0x20, 0x03, 4,    4,    4,    4,
    4,    4,    4,    4,  0xff, 0xfc, 200,  0,    0x03, 0xe8, 255,  1,    2,    0,    0,    0,
};
static const uint16_t fx_off[] = {222, 223, 224, 225, 226, 230, 231, 232,
                                  235, 236, 239, 240, 242, 243, 244};
static const int32_t fx_delta[] = {4, 4, 4, 4, 4, 4, 4, 4, -4, 200, 0, 1000, 255, 1, 2};

static struct pl_rtcp_twcc fb, fb2;

static void test_fixture_decodes(void **state)
{
	(void)state;
	assert_int_equal(pl_rtcp_twcc_parse(fixture, sizeof fixture, &fb), 0);
	assert_int_equal(fb.sender_ssrc, 0x11223344);
	assert_int_equal(fb.media_ssrc, 0x55667788);
	assert_int_equal(fb.base_seq, 0xff80);
	assert_int_equal(fb.status_count, 245);
	assert_int_equal(fb.ref_time, 258);
	assert_int_equal(fb.fb_count, 7);
	assert_int_equal(fb.n_recv, 15);
	int64_t t = 258 * 64000;
	for (size_t i = 0; i < 15; i++) {
		assert_int_equal(fb.recv[i].seq, (uint16_t)(0xff80 + fx_off[i]));
		assert_int_equal(fb.recv[i].delta, fx_delta[i]);
		t += fx_delta[i] * 250;
		assert_int_equal(fb.recv[i].recv_us, t);
	}
	/* the seq wrapped: 0xff80 + 222 = 0x005e */
	assert_int_equal(fb.recv[0].seq, 0x005e);
	assert_int_equal(fb.recv[8].status, PL_TWCC_LARGE_DELTA);
	assert_int_equal(fb.recv[9].status, PL_TWCC_SMALL_DELTA);
}

static void test_negative_ref_time(void **state)
{
	(void)state;
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[16] = b[17] = b[18] = 0xff; /* -1 * 64 ms */
	assert_int_equal(pl_rtcp_twcc_parse(b, sizeof b, &fb), 0);
	assert_int_equal(fb.ref_time, -1);
	assert_int_equal(fb.recv[0].recv_us, -64000 + 1000);
}

static void test_every_truncation_fails(void **state)
{
	(void)state;
	for (size_t n = 0; n < sizeof fixture; n++) {
		uint8_t *b = malloc(n ? n : 1); /* exact size: ASan catches any over-read */
		memcpy(b, fixture, n);
		assert_true(pl_rtcp_twcc_parse(b, n, &fb) < 0);
		free(b);
	}
}

static void test_lying_length_fails(void **state)
{
	(void)state;
	/* Declares fewer words than the content needs (the deltas end at byte 45). */
	for (unsigned words = 0; words < 11; words++) {
		size_t n = (words + 1) * 4;
		uint8_t *b = malloc(n);
		memcpy(b, fixture, n);
		b[3] = (uint8_t)words;
		assert_true(pl_rtcp_twcc_parse(b, n, &fb) < 0);
		free(b);
	}
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[3] = 12; /* one word more than present */
	assert_int_equal(pl_rtcp_twcc_parse(b, sizeof b, &fb), PL_ETRUNC);
}

static void test_reserved_symbol_and_wrong_type(void **state)
{
	(void)state;
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[20] = 0x60; /* run-length chunk with symbol 11 */
	assert_int_equal(pl_rtcp_twcc_parse(b, sizeof b, &fb), PL_EINVAL);
	memcpy(b, fixture, sizeof b);
	b[0] = 0x81; /* FMT 1 is a NACK */
	assert_int_equal(pl_rtcp_twcc_parse(b, sizeof b, &fb), PL_EPROTO);
}

static void test_roundtrip_fixture(void **state)
{
	(void)state;
	uint8_t out[PL_TWCC_MAX_LEN];
	size_t n = 0;
	assert_int_equal(pl_rtcp_twcc_parse(fixture, sizeof fixture, &fb), 0);
	assert_int_equal(pl_rtcp_twcc_write(&fb, out, sizeof out, &n), 0);
	assert_int_equal(n % 4, 0);
	assert_int_equal(pl_rtcp_twcc_parse(out, n, &fb2), 0);
	assert_int_equal(fb2.base_seq, fb.base_seq);
	assert_int_equal(fb2.status_count, fb.status_count);
	assert_int_equal(fb2.ref_time, fb.ref_time);
	assert_int_equal(fb2.fb_count, fb.fb_count);
	assert_int_equal(fb2.n_recv, fb.n_recv);
	for (size_t i = 0; i < fb.n_recv; i++) {
		assert_int_equal(fb2.recv[i].seq, fb.recv[i].seq);
		assert_int_equal(fb2.recv[i].delta, fb.recv[i].delta);
		assert_int_equal(fb2.recv[i].recv_us, fb.recv[i].recv_us);
	}
	/* every cap below the size is refused */
	for (size_t c = 0; c < n; c++)
		assert_int_equal(pl_rtcp_twcc_write(&fb, out, c, &n), PL_ESPACE);
}

/* The writer's chunk choice, checked byte for byte. */
static void test_writer_chunks_exact(void **state)
{
	(void)state;
	memset(&fb, 0, sizeof fb);
	fb.base_seq = 10;
	fb.status_count = 20;
	fb.ref_time = -2;
	/* offsets 0-9 received (delta 2), 10-14 lost, 15-17 received (deltas 1, 300, 1), 18-19
	 * lost. */
	for (int i = 0; i < 10; i++) {
		fb.recv[fb.n_recv].seq = (uint16_t)(10 + i);
		fb.recv[fb.n_recv++].delta = 2;
	}
	int32_t d[3] = {1, 300, 1};
	for (int i = 0; i < 3; i++) {
		fb.recv[fb.n_recv].seq = (uint16_t)(25 + i);
		fb.recv[fb.n_recv++].delta = d[i];
	}
	uint8_t out[64];
	size_t n;
	assert_int_equal(pl_rtcp_twcc_write(&fb, out, sizeof out, &n), 0);
	/* symbols: 1 x10, 0 x5, 1, 2, 1, 0, 0. A one-bit vector still accepts the 0s after ten
	 * 1s, so the first 14 (1 x10, 0 x4) become one-bit vector 0xbff0; the last 6 (0 1 2 1 0 0)
	 * end as two-bit vector 00 01 10 01 00 00 = 0xc640, its 7th slot unused. */
	static const uint8_t expect[] = {
	    0x8f, 205,  0,    9,    0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 20,   0xff, 0xff, 0xfe, 0,
	    0xbf, 0xf0, 0xc6, 0x40, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  1, 0x01, 0x2c, 1,    0,    0,
	};
	assert_int_equal(n, sizeof expect);
	assert_memory_equal(out, expect, sizeof expect);
	assert_int_equal(pl_rtcp_twcc_parse(out, n, &fb2), 0);
	assert_int_equal(fb2.n_recv, 13);
	assert_int_equal(fb2.recv[11].delta, 300);
	assert_int_equal(fb2.recv[12].seq, 27);
}

static void test_writer_long_runs(void **state)
{
	(void)state;
	/* 20000 statuses: 1 received, 19998 lost, 1 received (large negative delta).
	 * Needs run-length chunks capped at 8191. */
	memset(&fb, 0, sizeof fb);
	fb.base_seq = 65000;
	fb.status_count = 20000;
	fb.recv[0].seq = 65000;
	fb.recv[0].delta = 5;
	fb.recv[1].seq = (uint16_t)(65000 + 19999);
	fb.recv[1].delta = -32768;
	fb.n_recv = 2;
	uint8_t out[64];
	size_t n;
	assert_int_equal(pl_rtcp_twcc_write(&fb, out, sizeof out, &n), 0);
	assert_int_equal(pl_rtcp_twcc_parse(out, n, &fb2), 0);
	assert_int_equal(fb2.status_count, 20000);
	assert_int_equal(fb2.n_recv, 2);
	assert_int_equal(fb2.recv[1].seq, (uint16_t)(65000 + 19999));
	assert_int_equal(fb2.recv[1].delta, -32768);
	assert_int_equal(fb2.recv[1].status, PL_TWCC_LARGE_DELTA);
}

static void test_writer_rejects_bad_lists(void **state)
{
	(void)state;
	uint8_t out[256];
	size_t n;
	memset(&fb, 0, sizeof fb);
	fb.status_count = 4;
	fb.n_recv = 2;
	fb.recv[0].seq = 2;
	fb.recv[1].seq = 1; /* out of order */
	assert_int_equal(pl_rtcp_twcc_write(&fb, out, sizeof out, &n), PL_EINVAL);
	fb.recv[1].seq = 4; /* outside status count */
	assert_int_equal(pl_rtcp_twcc_write(&fb, out, sizeof out, &n), PL_EINVAL);
	fb.recv[1].seq = 3;
	fb.recv[1].delta = 40000; /* does not fit 16 bits */
	assert_int_equal(pl_rtcp_twcc_write(&fb, out, sizeof out, &n), PL_EINVAL);
}

static void test_parse_received_limit(void **state)
{
	(void)state;
	/* status count 1600, run-length chunks of small deltas, 1600 delta bytes: more received
	 * packets than PL_TWCC_MAX_RECV. */
	size_t n = 20 + 2 + 1600 + 2;
	uint8_t *b = calloc(1, n);
	b[0] = 0x8f;
	b[1] = 205;
	b[2] = (uint8_t)((n / 4 - 1) >> 8);
	b[3] = (uint8_t)(n / 4 - 1);
	b[14] = 1600 >> 8;
	b[15] = 1600 & 0xff;
	b[20] = 0x20 | (1600 >> 8);
	b[21] = 1600 & 0xff;
	assert_int_equal(pl_rtcp_twcc_parse(b, n, &fb), PL_ELIMIT);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture_decodes),
	    cmocka_unit_test(test_negative_ref_time),
	    cmocka_unit_test(test_every_truncation_fails),
	    cmocka_unit_test(test_lying_length_fails),
	    cmocka_unit_test(test_reserved_symbol_and_wrong_type),
	    cmocka_unit_test(test_roundtrip_fixture),
	    cmocka_unit_test(test_writer_chunks_exact),
	    cmocka_unit_test(test_writer_long_runs),
	    cmocka_unit_test(test_writer_rejects_bad_lists),
	    cmocka_unit_test(test_parse_received_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
