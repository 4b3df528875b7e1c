/* RTCP common header and compound iterator (RFC 3550 §6.4, §6.1, RFC 5506). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/rtcp.h"

/* RR (empty) + SDES-ish 8 bytes + PLI, with the last padded by 4 bytes (P bit). */
static const uint8_t compound[] = {
    0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,                         /* RR, 0 blocks */
    0x81, 202, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,                         /* 8 bytes */
    0xa1, 206, 0x00, 0x03, 0,    0,    0,    3,    0, 0, 0, 4, 0, 0, 0, 4, /* PLI + 4 pad */
};

static void test_iterates_compound(void **state)
{
	(void)state;
	struct pl_rtcp_iter it;
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	size_t n;
	pl_rtcp_iter_init(&it, compound, sizeof compound);
	assert_int_equal(pl_rtcp_iter_next(&it, &h, &p, &n), 1);
	assert_int_equal(h.pt, PL_RTCP_PT_RR);
	assert_int_equal(h.count, 0);
	assert_int_equal(n, 8);
	assert_ptr_equal(p, compound);
	assert_int_equal(pl_rtcp_iter_next(&it, &h, &p, &n), 1);
	assert_int_equal(h.pt, PL_RTCP_PT_SDES);
	assert_int_equal(h.count, 1);
	assert_ptr_equal(p, compound + 8);
	assert_int_equal(pl_rtcp_iter_next(&it, &h, &p, &n), 1);
	assert_int_equal(h.pt, PL_RTCP_PT_PSFB);
	assert_int_equal(h.count, PL_RTCP_PSFB_PLI);
	assert_true(h.padding);
	assert_int_equal(h.packet_len, 16);
	assert_int_equal(h.payload_len, 8);
	assert_int_equal(pl_rtcp_iter_next(&it, &h, &p, &n), 0);
	assert_int_equal(pl_rtcp_iter_next(&it, &h, &p, &n), 0);
}

static int iterate_all(const uint8_t *buf, size_t len)
{
	struct pl_rtcp_iter it;
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	size_t n;
	int rc, count = 0;
	pl_rtcp_iter_init(&it, buf, len);
	while ((rc = pl_rtcp_iter_next(&it, &h, &p, &n)) == 1) {
		assert_true(p >= buf && p + n <= buf + len);
		count++;
	}
	return rc < 0 ? rc : count;
}

static void test_truncations(void **state)
{
	(void)state;
	/* cuts on packet boundaries are valid compounds; all others are errors */
	for (size_t n = 0; n <= sizeof compound; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, compound, n);
		int rc = iterate_all(b, n);
		if (n == 0)
			assert_int_equal(rc, 0);
		else if (n == 8)
			assert_int_equal(rc, 1);
		else if (n == 16)
			assert_int_equal(rc, 2);
		else if (n == sizeof compound)
			assert_int_equal(rc, 3);
		else
			assert_true(rc < 0);
		free(b);
	}
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t b[sizeof compound];
	memcpy(b, compound, sizeof b);
	b[8] = 0x41; /* version 1 */
	assert_int_equal(iterate_all(b, sizeof b), PL_EINVAL);
	memcpy(b, compound, sizeof b);
	b[11] = 0x40; /* length past the end */
	assert_int_equal(iterate_all(b, sizeof b), PL_ETRUNC);
	memcpy(b, compound, sizeof b);
	b[3] = 0xff;
	b[2] = 0xff; /* 65535 words */
	assert_int_equal(iterate_all(b, sizeof b), PL_ETRUNC);
	memcpy(b, compound, sizeof b);
	b[sizeof b - 1] = 0; /* padding count 0 */
	assert_int_equal(iterate_all(b, sizeof b), PL_EINVAL);
	b[sizeof b - 1] = 13; /* padding longer than the payload (12) */
	assert_int_equal(iterate_all(b, sizeof b), PL_EINVAL);
	b[sizeof b - 1] = 12; /* exactly the payload: allowed, payload 0 */
	assert_int_equal(iterate_all(b, sizeof b), 3);
	/* the error is sticky */
	struct pl_rtcp_iter it;
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	size_t n;
	uint8_t bad[4] = {0x00, 200, 0, 0};
	pl_rtcp_iter_init(&it, bad, sizeof bad);
	assert_int_equal(pl_rtcp_iter_next(&it, &h, &p, &n), PL_EINVAL);
	assert_int_equal(pl_rtcp_iter_next(&it, &h, &p, &n), PL_EINVAL);
}

static void test_zero_length_packets_and_limit(void **state)
{
	(void)state;
	/* length 0 (4-byte packets) always advances; more than 64 is refused */
	uint8_t b[4 * (PL_RTCP_MAX_PACKETS + 1)];
	for (size_t i = 0; i < sizeof b; i += 4) {
		b[i] = 0x80;
		b[i + 1] = 203;
		b[i + 2] = 0;
		b[i + 3] = 0;
	}
	assert_int_equal(iterate_all(b, 4 * PL_RTCP_MAX_PACKETS), PL_RTCP_MAX_PACKETS);
	assert_int_equal(iterate_all(b, sizeof b), PL_ELIMIT);
}

static void test_hdr_expect_and_is_rtcp(void **state)
{
	(void)state;
	struct pl_rtcp_hdr h;
	const uint8_t *payload;
	assert_int_equal(pl_rtcp_hdr_expect(compound + 16, 16, PL_RTCP_PT_PSFB, 1, &h, &payload),
	                 0);
	assert_ptr_equal(payload, compound + 20);
	assert_int_equal(pl_rtcp_hdr_expect(compound + 16, 16, PL_RTCP_PT_PSFB, 4, &h, &payload),
	                 PL_EPROTO);
	assert_int_equal(pl_rtcp_hdr_expect(compound, 8, PL_RTCP_PT_SR, -1, &h, &payload),
	                 PL_EPROTO);
	assert_true(pl_rtcp_is_rtcp(compound, sizeof compound));
	uint8_t rtp[12] = {0x80, 96};
	assert_false(pl_rtcp_is_rtcp(rtp, sizeof rtp));
	assert_false(pl_rtcp_is_rtcp(compound, 3));
	uint8_t out[4];
	pl_rtcp_hdr_put(out, 15, 205, 48);
	assert_int_equal(out[0], 0x8f);
	assert_int_equal(out[1], 205);
	assert_int_equal(out[3], 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_iterates_compound),
	    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_zero_length_packets_and_limit),
	    cmocka_unit_test(test_hdr_expect_and_is_rtcp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
