/* RTCP PLI (RFC 4585 §6.3.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_pli.h"

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

static const uint8_t fixture[] = {0x81, 206,  0x00, 0x02, 0x00, 0x00,
                                  0x00, 0x01, 0x12, 0x34, 0x56, 0x78};

static void test_pli(void **state)
{
	(void)state;
	struct pl_rtcp_pli pli;
	assert_int_equal(pl_rtcp_pli_parse(fixture, sizeof fixture, &pli), 0);
	assert_int_equal(pli.sender_ssrc, 1);
	assert_int_equal(pli.media_ssrc, 0x12345678);
	ASSERT_TRUNCATIONS_FAIL(fixture, pl_rtcp_pli_parse, &pli);
	uint8_t out[12];
	size_t n;
	assert_int_equal(pl_rtcp_pli_write(&pli, out, sizeof out, &n), 0);
	assert_int_equal(n, 12);
	assert_memory_equal(out, fixture, sizeof fixture);
	assert_int_equal(pl_rtcp_pli_write(&pli, out, 11, &n), PL_ESPACE);
	uint8_t b[12];
	memcpy(b, fixture, sizeof b);
	b[3] = 1; /* lying: only the sender SSRC */
	assert_int_equal(pl_rtcp_pli_parse(b, sizeof b, &pli), PL_ETRUNC);
	memcpy(b, fixture, sizeof b);
	b[0] = 0x84; /* FIR */
	assert_int_equal(pl_rtcp_pli_parse(b, sizeof b, &pli), PL_EPROTO);
	b[0] = 0x81;
	b[1] = 205; /* RTPFB */
	assert_int_equal(pl_rtcp_pli_parse(b, sizeof b, &pli), PL_EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_pli)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
