/* RTCP FIR (RFC 5104 §4.3.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_fir.h"

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
    0x84, 206,  0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xaa, 0xbb,
    0xcc, 0xdd, 0x05, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0xff, 0x00, 0x00, 0x00,
};

static struct pl_rtcp_fir fir;

static void test_fir(void **state)
{
	(void)state;
	assert_int_equal(pl_rtcp_fir_parse(fixture, sizeof fixture, &fir), 0);
	assert_int_equal(fir.sender_ssrc, 1);
	assert_int_equal(fir.media_ssrc, 0);
	assert_int_equal(fir.n_entries, 2);
	assert_int_equal(fir.entries[0].ssrc, 0xaabbccdd);
	assert_int_equal(fir.entries[0].seq_nr, 5);
	assert_int_equal(fir.entries[1].ssrc, 0x11223344);
	assert_int_equal(fir.entries[1].seq_nr, 255);
	ASSERT_TRUNCATIONS_FAIL(fixture, pl_rtcp_fir_parse, &fir);
	uint8_t out[sizeof fixture];
	size_t n;
	assert_int_equal(pl_rtcp_fir_write(&fir, out, sizeof out, &n), 0);
	assert_memory_equal(out, fixture, sizeof fixture);
	assert_int_equal(pl_rtcp_fir_write(&fir, out, sizeof out - 1, &n), PL_ESPACE);
}

static void test_fir_malformed(void **state)
{
	(void)state;
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[3] = 2; /* no FCI */
	assert_int_equal(pl_rtcp_fir_parse(b, sizeof b, &fir), PL_EINVAL);
	b[3] = 3; /* half an FCI */
	assert_int_equal(pl_rtcp_fir_parse(b, sizeof b, &fir), PL_ETRUNC);
	/* more entries than the bound */
	size_t n = 12 + 8 * (PL_RTCP_FIR_MAX_ENTRIES + 1);
	uint8_t *big = calloc(1, n);
	memcpy(big, fixture, 12);
	big[3] = (uint8_t)(n / 4 - 1);
	assert_int_equal(pl_rtcp_fir_parse(big, n, &fir), PL_ELIMIT);
	free(big);
	memset(&fir, 0, sizeof fir);
	size_t w;
	assert_int_equal(pl_rtcp_fir_write(&fir, b, sizeof b, &w), PL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fir),
	    cmocka_unit_test(test_fir_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
