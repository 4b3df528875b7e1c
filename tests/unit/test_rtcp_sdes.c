/* RTCP SDES (RFC 3550 §6.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp_sdes.h"

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

/* Two chunks: SSRC 1 with NAME "ab" then CNAME "xyz" (END + pad), SSRC 2 with only END. */
static const uint8_t fixture[] = {
    0x82, 202, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 2,    2,    'a',  'b',  1,    3,
    'x',  'y', 'z',  0,    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
};

static void test_sdes_parse(void **state)
{
	(void)state;
	struct pl_rtcp_sdes s;
	uint8_t b[sizeof fixture];
	memcpy(b, fixture, sizeof fixture);
	assert_int_equal(pl_rtcp_sdes_parse(b, sizeof b, &s), 0);
	assert_int_equal(s.n_chunks, 2);
	assert_int_equal(s.ssrc, 1);
	assert_int_equal(s.cname_len, 3);
	assert_memory_equal(s.cname, "xyz", 3);
	for (size_t n = 0; n < sizeof b; n++) {
		uint8_t *t = malloc(n ? n : 1);
		memcpy(t, b, n);
		assert_true(pl_rtcp_sdes_parse(t, n, &s) < 0);
		free(t);
	}
	/* an item length past the end */
	b[13] = 200;
	assert_true(pl_rtcp_sdes_parse(b, sizeof b, &s) < 0);
	/* declared chunk count larger than present */
	memcpy(b, fixture, sizeof fixture);
	b[0] = 0x85;
	assert_int_equal(pl_rtcp_sdes_parse(b, sizeof b, &s), PL_ETRUNC);
}

static void test_sdes_write(void **state)
{
	(void)state;
	struct pl_rtcp_sdes s = {
	    .ssrc = 0x01020304, .cname = (const uint8_t *)"abcd", .cname_len = 4};
	uint8_t out[64];
	size_t n;
	assert_int_equal(pl_rtcp_sdes_write(&s, out, sizeof out, &n), 0);
	static const uint8_t expect[] = {0x81, 202, 0,   3,   1,   2,   3, 4,
	                                 1,    4,   'a', 'b', 'c', 'd', 0, 0};
	assert_int_equal(n, sizeof expect);
	assert_memory_equal(out, expect, sizeof expect);
	struct pl_rtcp_sdes p;
	assert_int_equal(pl_rtcp_sdes_parse(out, n, &p), 0);
	assert_int_equal(p.ssrc, 0x01020304);
	assert_int_equal(p.cname_len, 4);
	ASSERT_TRUNCATIONS_FAIL(expect, pl_rtcp_sdes_parse, &p);
	/* 2-byte CNAME: 4+2+2 = 8, END needs one more byte: pads to 12 */
	s.cname_len = 2;
	assert_int_equal(pl_rtcp_sdes_write(&s, out, sizeof out, &n), 0);
	assert_int_equal(n, 16);
	assert_int_equal(out[12], 0);
	assert_int_equal(pl_rtcp_sdes_write(&s, out, 15, &n), PL_ESPACE);
	s.cname_len = 0;
	assert_int_equal(pl_rtcp_sdes_write(&s, out, sizeof out, &n), PL_EINVAL);
	s.cname_len = 256;
	assert_int_equal(pl_rtcp_sdes_write(&s, out, sizeof out, &n), PL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sdes_parse),
	    cmocka_unit_test(test_sdes_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
