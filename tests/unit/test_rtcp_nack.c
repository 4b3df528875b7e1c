/* RTCP generic NACK (RFC 4585 §6.2.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_nack.h"

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

/* Two FCIs: PID 100 BLP 0x8005 (101, 103, 116 lost), PID 65535 BLP 0x0001 (0 lost). */
static const uint8_t fixture[] = {
    0x81, 205,  0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x02, 0x00, 100,  0x80, 0x05, 0xff, 0xff, 0x00, 0x01,
};

static struct pl_rtcp_nack nack, nack2;

static void test_fixture(void **state)
{
	(void)state;
	assert_int_equal(pl_rtcp_nack_parse(fixture, sizeof fixture, &nack), 0);
	assert_int_equal(nack.sender_ssrc, 1);
	assert_int_equal(nack.media_ssrc, 2);
	static const uint16_t expect[] = {100, 101, 103, 116, 65535, 0};
	assert_int_equal(nack.n_seqs, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(nack.seqs[i], expect[i]);
	ASSERT_TRUNCATIONS_FAIL(fixture, pl_rtcp_nack_parse, &nack);
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[3] = 2; /* no FCI */
	assert_int_equal(pl_rtcp_nack_parse(b, 12, &nack), PL_EINVAL);
	b[3] = 5; /* lies: one word past the end */
	assert_int_equal(pl_rtcp_nack_parse(b, sizeof b, &nack), PL_ETRUNC);
	memcpy(b, fixture, sizeof b);
	b[0] = 0x8f; /* TWCC, not NACK */
	assert_int_equal(pl_rtcp_nack_parse(b, sizeof b, &nack), PL_EPROTO);
}

static void test_write_compresses(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t n;
	memset(&nack, 0, sizeof nack);
	nack.sender_ssrc = 1;
	nack.media_ssrc = 2;
	uint16_t seqs[] = {100, 101, 103, 116, 65535, 0};
	memcpy(nack.seqs, seqs, sizeof seqs);
	nack.n_seqs = 6;
	assert_int_equal(pl_rtcp_nack_write(&nack, out, sizeof out, &n), 0);
	assert_int_equal(n, sizeof fixture);
	assert_memory_equal(out, fixture, sizeof fixture);
	for (size_t c = 0; c < n; c++)
		assert_int_equal(pl_rtcp_nack_write(&nack, out, c, &n), PL_ESPACE);
}

static void test_write_wraparound(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t n;
	memset(&nack, 0, sizeof nack);
	/* 65530..65535, 0..10: PID 65530 covers up to 65530+16 = 10 (wrapped) in one FCI */
	for (int i = 0; i < 17; i++)
		nack.seqs[nack.n_seqs++] = (uint16_t)(65530 + i);
	nack.seqs[nack.n_seqs++] = 11;    /* 17 after the PID: a new FCI */
	nack.seqs[nack.n_seqs++] = 65531; /* duplicate inside the first: a new FCI is fine */
	assert_int_equal(pl_rtcp_nack_write(&nack, out, sizeof out, &n), 0);
	assert_int_equal(n, 12 + 4 * 3);
	assert_int_equal(out[12] << 8 | out[13], 65530);
	assert_int_equal(out[14] << 8 | out[15], 0xffff);
	assert_int_equal(out[16] << 8 | out[17], 11);
	assert_int_equal(out[18] << 8 | out[19], 0);
	assert_int_equal(pl_rtcp_nack_parse(out, n, &nack2), 0);
	assert_int_equal(nack2.n_seqs, 19);
	for (size_t i = 0; i < 19; i++)
		assert_int_equal(nack2.seqs[i], nack.seqs[i]);
	/* an exact duplicate of the PID is dropped */
	nack.n_seqs = 2;
	nack.seqs[0] = nack.seqs[1] = 7;
	assert_int_equal(pl_rtcp_nack_write(&nack, out, sizeof out, &n), 0);
	assert_int_equal(n, 16);
	nack.n_seqs = 0;
	assert_int_equal(pl_rtcp_nack_write(&nack, out, sizeof out, &n), PL_EINVAL);
}

static void test_seq_limit(void **state)
{
	(void)state;
	/* 61 FCIs with all BLP bits: 61 * 17 = 1037 > PL_RTCP_NACK_MAX_SEQS */
	size_t n = 12 + 61 * 4;
	uint8_t *b = calloc(1, n);
	b[0] = 0x81;
	b[1] = 205;
	b[3] = (uint8_t)(n / 4 - 1);
	for (int i = 0; i < 61; i++) {
		b[12 + 4 * i] = (uint8_t)i;
		b[14 + 4 * i] = b[15 + 4 * i] = 0xff;
	}
	assert_int_equal(pl_rtcp_nack_parse(b, n, &nack), PL_ELIMIT);
	b[3] = (uint8_t)((12 + 60 * 4) / 4 - 1); /* 60 FCIs: 1020 seqs fit */
	assert_int_equal(pl_rtcp_nack_parse(b, 12 + 60 * 4, &nack), 0);
	assert_int_equal(nack.n_seqs, 1020);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),          cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_write_compresses), cmocka_unit_test(test_write_wraparound),
	    cmocka_unit_test(test_seq_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
