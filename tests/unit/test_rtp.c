/* RFC 3550 §5.1 header parsing and in-place setters, RFC 7983 demultiplexing. Every prefix of
 * each fixture is parsed from an exact-size heap copy so ASan catches a read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/demux.h"
#include "media/error.h"
#include "media/rtp.h"

/* V=2 P=0 X=0 CC=0, M=0 PT=111, seq 0xFFFF, ts 0xFFFFFFFF, SSRC 0x11223344, 3 bytes payload. */
static const uint8_t plain[] = {0x80, 0x6F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                0x11, 0x22, 0x33, 0x44, 0x01, 0x02, 0x03};

/* V=2 P=1 X=1 CC=2, M=1 PT=96, seq 0x0102, ts 0x0A0B0C0D, SSRC 0xCAFEBABE, two CSRCs,
 * extension profile 0xBEDE with 1 word, 2 bytes payload, 4 bytes padding (count 4). */
static const uint8_t full[] = {
    0xB2, 0xE0, 0x01, 0x02, 0x0A, 0x0B, 0x0C, 0x0D, 0xCA, 0xFE, 0xBA, 0xBE, /* fixed */
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,                         /* CSRCs */
    0xBE, 0xDE, 0x00, 0x01, 0x10, 0x7F, 0x00, 0x00,                         /* ext */
    0xAA, 0xBB,                                                             /* payload */
    0x00, 0x00, 0x00, 0x04,                                                 /* padding */
};

static int parse_copy(const uint8_t *src, size_t len, struct pl_rtp *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, src, len);
	int rc = pl_rtp_parse(copy, len, out);
	free(copy); /* views dangle now: callers compare only scalar fields */
	return rc;
}

static void test_parse_plain(void **state)
{
	(void)state;
	struct pl_rtp r;
	assert_int_equal(pl_rtp_parse(plain, sizeof plain, &r), 0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.padding, 0);
	assert_int_equal(r.extension, 0);
	assert_int_equal(r.csrc_count, 0);
	assert_int_equal(r.marker, 0);
	assert_int_equal(r.pt, 111);
	assert_int_equal(r.seq, 0xFFFF);
	assert_int_equal(r.ts, 0xFFFFFFFFu);
	assert_int_equal(r.ssrc, 0x11223344);
	assert_null(r.ext);
	assert_int_equal(r.ext_len, 0);
	assert_int_equal(r.header_len, 12);
	assert_ptr_equal(r.payload, plain + 12);
	assert_int_equal(r.payload_len, 3);
	assert_int_equal(r.pad_len, 0);
	/* A header with no payload at all is a valid (if odd) packet. */
	assert_int_equal(pl_rtp_parse(plain, 12, &r), 0);
	assert_int_equal(r.payload_len, 0);
}

static void test_parse_full(void **state)
{
	(void)state;
	struct pl_rtp r;
	assert_int_equal(pl_rtp_parse(full, sizeof full, &r), 0);
	assert_int_equal(r.padding, 1);
	assert_int_equal(r.extension, 1);
	assert_int_equal(r.csrc_count, 2);
	assert_int_equal(r.marker, 1);
	assert_int_equal(r.pt, 96);
	assert_int_equal(r.seq, 0x0102);
	assert_int_equal(r.ts, 0x0A0B0C0D);
	assert_int_equal(r.ssrc, 0xCAFEBABEu);
	assert_int_equal(r.ext_profile, 0xBEDE);
	assert_ptr_equal(r.ext, full + 24);
	assert_int_equal(r.ext_len, 4);
	assert_int_equal(r.header_len, 28);
	assert_ptr_equal(r.payload, full + 28);
	assert_int_equal(r.payload_len, 2);
	assert_int_equal(r.pad_len, 4);
}

static void test_truncated_every_length(void **state)
{
	(void)state;
	struct pl_rtp r;
	for (size_t len = 0; len < 12; len++)
		assert_int_equal(parse_copy(plain, len, &r), PL_ETRUNC);
	for (size_t len = 12; len <= sizeof plain; len++)
		assert_int_equal(parse_copy(plain, len, &r), 0);
	/* full: below 28 bytes the CSRCs or the extension are cut (ETRUNC); from 28 on the last
	 * byte is read as the padding count, which is only right at the full length. */
	for (size_t len = 0; len < 28; len++)
		assert_int_equal(parse_copy(full, len, &r), PL_ETRUNC);
	for (size_t len = 28; len < sizeof full; len++) {
		int rc = parse_copy(full, len, &r);
		/* Cut at 31 the count byte is 0x00 (invalid); cut at 28 there is nothing to count.
		 */
		assert_int_equal(rc, PL_EINVAL);
	}
	assert_int_equal(parse_copy(full, sizeof full, &r), 0);
}

static void test_lying_lengths(void **state)
{
	(void)state;
	struct pl_rtp r;
	uint8_t b[sizeof full];

	/* Padding count larger than everything after the header. */
	memcpy(b, full, sizeof b);
	b[sizeof b - 1] = 7; /* 6 bytes after the header */
	assert_int_equal(parse_copy(b, sizeof b, &r), PL_EINVAL);
	b[sizeof b - 1] = 6; /* exactly all of it: empty payload */
	assert_int_equal(parse_copy(b, sizeof b, &r), 0);
	assert_int_equal(r.payload_len, 0);
	b[sizeof b - 1] = 0xFF;
	assert_int_equal(parse_copy(b, sizeof b, &r), PL_EINVAL);
	b[sizeof b - 1] = 0; /* a count of 0 cannot include itself */
	assert_int_equal(parse_copy(b, sizeof b, &r), PL_EINVAL);

	/* CSRC count past the end: 15 CSRCs need 60 bytes. */
	memcpy(b, full, sizeof b);
	b[0] = 0x8F;
	assert_int_equal(parse_copy(b, sizeof b, &r), PL_ETRUNC);
	uint8_t big[12 + 60];
	memset(big, 0, sizeof big);
	big[0] = 0x8F;
	assert_int_equal(parse_copy(big, sizeof big, &r), 0);
	assert_int_equal(r.header_len, 72);
	assert_int_equal(parse_copy(big, sizeof big - 1, &r), PL_ETRUNC);

	/* Extension length past the end, then at the exact end. */
	memcpy(b, full, sizeof b);
	b[22] = 0xFF;
	b[23] = 0xFF; /* 65535 words */
	assert_int_equal(parse_copy(b, sizeof b, &r), PL_ETRUNC);
	b[0] = 0x92; /* no padding; 32 bytes leave 8 after the extension header */
	b[22] = 0x00;
	b[23] = 0x02; /* 8 bytes: exactly to the end */
	assert_int_equal(parse_copy(b, 32, &r), 0);
	assert_int_equal(r.ext_len, 8);
	assert_int_equal(r.payload_len, 0);
	b[23] = 0x03;
	assert_int_equal(parse_copy(b, 32, &r), PL_ETRUNC);

	/* Versions 0, 1 and 3. */
	memcpy(b, plain, sizeof plain);
	for (uint8_t v = 0; v < 4; v++) {
		b[0] = (uint8_t)(v << 6);
		assert_int_equal(parse_copy(b, sizeof plain, &r), v == 2 ? 0 : PL_EINVAL);
	}
	assert_int_equal(pl_rtp_parse(NULL, 0, &r), PL_EINVAL);
}

static void test_setters(void **state)
{
	(void)state;
	uint8_t b[sizeof full];
	memcpy(b, full, sizeof b);
	pl_rtp_set_seq(b, 0xFFFE);
	pl_rtp_set_ts(b, 0x80000001);
	pl_rtp_set_ssrc(b, 0x01020304);
	pl_rtp_set_pt(b, 0xFF); /* only 7 bits are written */
	struct pl_rtp r;
	assert_int_equal(pl_rtp_parse(b, sizeof b, &r), 0);
	assert_int_equal(r.seq, 0xFFFE);
	assert_int_equal(r.ts, 0x80000001u);
	assert_int_equal(r.ssrc, 0x01020304);
	assert_int_equal(r.pt, 127);
	assert_int_equal(r.marker, 1); /* kept by set_pt */
	pl_rtp_set_marker(b, false);
	assert_int_equal(b[1], 0x7F);
	pl_rtp_set_pt(b, 100);
	pl_rtp_set_marker(b, true);
	assert_int_equal(b[1], 0x80 | 100);
	/* Nothing beyond the fixed header moved. */
	assert_memory_equal(b + 12, full + 12, sizeof full - 12);
	assert_int_equal(b[0], full[0]);
}

static void test_demux(void **state)
{
	(void)state;
	uint8_t b[2] = {0, 0};
	for (int v = 0; v < 256; v++) {
		b[0] = (uint8_t)v;
		b[1] = 96;
		enum pl_pkt_kind want = PL_PKT_UNKNOWN;
		if (v <= 3)
			want = PL_PKT_STUN;
		else if (v >= 20 && v <= 63)
			want = PL_PKT_DTLS;
		else if (v >= 128 && v <= 191)
			want = PL_PKT_RTP;
		assert_int_equal(pl_demux(b, 2), want);
	}
	b[0] = 0x80;
	for (int pt = 192; pt <= 223; pt++) { /* RTCP packet types (SR 200 ... XR 207, ...) */
		b[1] = (uint8_t)pt;
		assert_int_equal(pl_demux(b, 2), PL_PKT_RTCP);
	}
	b[1] = 0xE0; /* PT 96 with the marker bit */
	assert_int_equal(pl_demux(b, 2), PL_PKT_RTP);
	b[1] = 0x7F; /* PT 127 without */
	assert_int_equal(pl_demux(b, 2), PL_PKT_RTP);
	b[1] = 0xE0;
	assert_int_equal(pl_demux(b, 1), PL_PKT_UNKNOWN); /* too short to tell RTP from RTCP */
	assert_int_equal(pl_demux(b, 0), PL_PKT_UNKNOWN);
	assert_int_equal(pl_demux(NULL, 0), PL_PKT_UNKNOWN);
	b[0] = 0x00;
	assert_int_equal(pl_demux(b, 1), PL_PKT_STUN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_plain),
	    cmocka_unit_test(test_parse_full),
	    cmocka_unit_test(test_truncated_every_length),
	    cmocka_unit_test(test_lying_lengths),
	    cmocka_unit_test(test_setters),
	    cmocka_unit_test(test_demux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
