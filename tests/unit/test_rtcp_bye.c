/* RTCP BYE (RFC 3550 §6.6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_bye.h"

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
    0x82, 203,  0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x02, 5,    'b',  'y',  'e',  '!',  '!',  0,    0,
};

static void test_bye(void **state)
{
	(void)state;
	struct pl_rtcp_bye bye;
	assert_int_equal(pl_rtcp_bye_parse(fixture, sizeof fixture, &bye), 0);
	assert_int_equal(bye.n_ssrcs, 2);
	assert_int_equal(bye.ssrcs[0], 1);
	assert_int_equal(bye.ssrcs[1], 2);
	assert_int_equal(bye.reason_len, 5);
	assert_memory_equal(bye.reason, "bye!!", 5);
	ASSERT_TRUNCATIONS_FAIL(fixture, pl_rtcp_bye_parse, &bye);
	uint8_t out[sizeof fixture];
	size_t n;
	assert_int_equal(pl_rtcp_bye_write(&bye, out, sizeof out, &n), 0);
	assert_memory_equal(out, fixture, sizeof fixture);
	assert_int_equal(pl_rtcp_bye_write(&bye, out, sizeof out - 1, &n), PL_ESPACE);
	/* without a reason */
	bye.reason_len = 0;
	assert_int_equal(pl_rtcp_bye_write(&bye, out, sizeof out, &n), 0);
	assert_int_equal(n, 12);
	assert_int_equal(pl_rtcp_bye_parse(out, n, &bye), 0);
	assert_null(bye.reason);
	/* reason length past the end */
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof b);
	b[12] = 9;
	assert_int_equal(pl_rtcp_bye_parse(b, sizeof b, &bye), PL_ETRUNC);
	/* SC claims more SSRCs than present */
	memcpy(b, fixture, sizeof b);
	b[0] = 0x9f;
	assert_int_equal(pl_rtcp_bye_parse(b, sizeof b, &bye), PL_ETRUNC);
	bye.n_ssrcs = 32;
	assert_int_equal(pl_rtcp_bye_write(&bye, out, sizeof out, &n), PL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_bye)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
