/* RTP header and extension parsing (RFC 3550 §5.1, RFC 8285), in-place rewriting, VP8 key frame
 * detection (RFC 7741) and RFC 7983 demultiplexing. Truncations are parsed from exact-size heap
 * copies so ASan catches any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/demux.h"
#include "media/error.h"
#include "media/rtp.h"

/* V=2, X=1, CC=1, M=1, PT=96, seq 0x1234, ts 0x01020304, SSRC 0xdeadbeef, one CSRC,
 * one-byte extensions: id 3 (2 bytes, TWCC seq 0x0102), id 4 (1 byte "0"), padding;
 * payload 4 bytes, no RTP padding. */
static const uint8_t pkt1[] = {
    0x91, 0xE0, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef, /* header */
    0x11, 0x22, 0x33, 0x44,                                                 /* CSRC */
    0xBE, 0xDE, 0x00, 0x02,                                                 /* ext hdr */
    0x31, 0x01, 0x02, 0x40, '0',  0x00, 0x00, 0x00,                         /* elements */
    0xAA, 0xBB, 0xCC, 0xDD,                                                 /* payload */
};

/* Two-byte extension profile and 3 bytes of RTP padding. */
static const uint8_t pkt2[] = {
    0xB0, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, /* P=1 X=1 */
    0x10, 0x00, 0x00, 0x01,                                                 /* 0x1000, 1 word */
    0x05, 0x02, 0x55, 0x66,                                                 /* id 5 len 2 */
    0x01, 0x02, 0x00, 0x00, 0x03,                                           /* payload + pad */
};

static int parse_copy(const uint8_t *src, size_t len, struct pl_rtp *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, src, len);
	int rc = pl_rtp_parse(copy, len, out);
	/* Views point into the copy: only compare fields afterwards. */
	free(copy);
	return rc;
}

static void test_parse(void **state)
{
	(void)state;
	struct pl_rtp r;
	assert_int_equal(pl_rtp_parse(pkt1, sizeof pkt1, &r), 0);
	assert_int_equal(r.pt, 96);
	assert_int_equal(r.marker, 1);
	assert_int_equal(r.seq, 0x1234);
	assert_int_equal(r.ts, 0x01020304);
	assert_int_equal(r.ssrc, 0xdeadbeef);
	assert_int_equal(r.csrc_count, 1);
	assert_int_equal(r.ext_profile, 0xBEDE);
	assert_int_equal(r.ext_len, 8);
	assert_int_equal(r.header_len, 28);
	assert_int_equal(r.payload_len, 4);
	assert_int_equal(r.payload[0], 0xAA);
	const uint8_t *v;
	size_t n;
	assert_int_equal(pl_rtp_ext_find(&r, 3, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0] << 8 | v[1], 0x0102);
	assert_int_equal(pl_rtp_ext_find(&r, 4, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0], '0');
	assert_int_equal(pl_rtp_ext_find(&r, 7, &v, &n), PL_ENOTFOUND);

	assert_int_equal(pl_rtp_parse(pkt2, sizeof pkt2, &r), 0);
	assert_int_equal(r.pad_len, 3);
	assert_int_equal(r.payload_len, 2);
	assert_int_equal(pl_rtp_ext_find(&r, 5, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0], 0x55);
}

static void test_truncations(void **state)
{
	(void)state;
	struct pl_rtp r;
	/* Every prefix shorter than the header, CSRCs and extension is an error. */
	for (size_t len = 0; len < 28; len++)
		assert_int_not_equal(parse_copy(pkt1, len, &r), 0);
	for (size_t len = 28; len <= sizeof pkt1; len++)
		assert_int_equal(parse_copy(pkt1, len, &r), 0);
	/* With padding, cutting the packet makes the padding count lie. */
	for (size_t len = 0; len < 20; len++)
		assert_int_not_equal(parse_copy(pkt2, len, &r), 0);
	uint8_t bad[sizeof pkt2];
	memcpy(bad, pkt2, sizeof bad);
	bad[sizeof bad - 1] = 9; /* padding longer than the payload */
	assert_int_equal(parse_copy(bad, sizeof bad, &r), PL_EINVAL);
	bad[sizeof bad - 1] = 0; /* padding count 0 is invalid */
	assert_int_equal(parse_copy(bad, sizeof bad, &r), PL_EINVAL);
	memcpy(bad, pkt1, 12);
	bad[0] = 0x8F; /* 15 CSRCs past the end */
	assert_int_equal(parse_copy(bad, 16, &r), PL_ETRUNC);
	uint8_t ext[sizeof pkt1];
	memcpy(ext, pkt1, sizeof ext);
	ext[19] = 0xFF; /* extension length past the end */
	assert_int_equal(parse_copy(ext, sizeof ext, &r), PL_ETRUNC);
	uint8_t v1[sizeof pkt1];
	memcpy(v1, pkt1, sizeof v1);
	v1[0] = 0x51; /* version 1 */
	assert_int_equal(parse_copy(v1, sizeof v1, &r), PL_EINVAL);
	/* An extension element whose length runs past the extension block. */
	memcpy(ext, pkt1, sizeof ext);
	ext[20] = 0x3F; /* id 3, 16 bytes */
	assert_int_equal(pl_rtp_parse(ext, sizeof ext, &r), 0);
	const uint8_t *v;
	size_t n;
	assert_int_equal(pl_rtp_ext_find(&r, 4, &v, &n), PL_ETRUNC);
}

static void test_setters(void **state)
{
	(void)state;
	uint8_t b[sizeof pkt1];
	memcpy(b, pkt1, sizeof b);
	pl_rtp_set_seq(b, 0xFFFF);
	pl_rtp_set_ts(b, 0xFFFFFFFE);
	pl_rtp_set_ssrc(b, 0x01020304);
	pl_rtp_set_pt(b, 111);
	struct pl_rtp r;
	assert_int_equal(pl_rtp_parse(b, sizeof b, &r), 0);
	assert_int_equal(r.seq, 0xFFFF);
	assert_int_equal(r.ts, 0xFFFFFFFE);
	assert_int_equal(r.ssrc, 0x01020304);
	assert_int_equal(r.pt, 111);
	assert_int_equal(r.marker, 1); /* the marker bit survives a PT rewrite */
}

static void test_vp8(void **state)
{
	(void)state;
	/* S=1 PID=0, no X; payload header P=0: key frame. */
	const uint8_t key[] = {0x10, 0x00, 0x9d, 0x01, 0x2a};
	assert_true(pl_vp8_is_keyframe(key, sizeof key));
	const uint8_t delta[] = {0x10, 0x01};
	assert_false(pl_vp8_is_keyframe(delta, sizeof delta));
	const uint8_t cont[] = {0x00, 0x00}; /* S=0: not a frame start */
	assert_false(pl_vp8_is_keyframe(cont, sizeof cont));
	/* X=1, I=1 with 15-bit picture id, L=1, T=1: four descriptor bytes then P=0. */
	const uint8_t ext[] = {0x90, 0xE0, 0x80 | 0x12, 0x34, 0x05, 0x40, 0x00};
	assert_true(pl_vp8_is_keyframe(ext, sizeof ext));
	for (size_t n = 0; n < sizeof ext; n++)
		assert_false(pl_vp8_is_keyframe(ext, n)); /* truncated descriptors */
	const uint8_t pid7[] = {0x90, 0x80, 0x12, 0x01};
	assert_false(pl_vp8_is_keyframe(pid7, sizeof pid7));
}

static void test_vp9_h264(void **state)
{
	(void)state;
	/* VP9: I=1 (15-bit picture id), B=1, P=0, L=1 with spatial id 0. */
	const uint8_t vp9_key[] = {0xA8 | 0x80, 0x81, 0x23, 0x00, 0x00};
	assert_true(pl_vp9_is_keyframe(vp9_key, sizeof vp9_key));
	const uint8_t vp9_inter[] = {0xC8, 0x05}; /* P=1 */
	assert_false(pl_vp9_is_keyframe(vp9_inter, sizeof vp9_inter));
	const uint8_t vp9_sl1[] = {0x28, 0x02}; /* L=1, spatial id 1 */
	assert_false(pl_vp9_is_keyframe(vp9_sl1, sizeof vp9_sl1));
	for (size_t n = 0; n < 4; n++)
		assert_false(pl_vp9_is_keyframe(vp9_key, n));
	/* H.264: IDR single NAL, non-IDR, STAP-A with SPS, FU-A start of IDR, lying STAP-A. */
	const uint8_t idr[] = {0x65, 0x88};
	const uint8_t p_slice[] = {0x41, 0x9a};
	const uint8_t stap[] = {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce};
	const uint8_t fu_start[] = {0x7c, 0x85, 0x88};
	const uint8_t fu_mid[] = {0x7c, 0x05, 0x88};
	const uint8_t stap_lie[] = {0x78, 0x00, 0x40, 0x67};
	assert_true(pl_h264_is_keyframe(idr, sizeof idr));
	assert_false(pl_h264_is_keyframe(p_slice, sizeof p_slice));
	assert_true(pl_h264_is_keyframe(stap, sizeof stap));
	assert_true(pl_h264_is_keyframe(fu_start, sizeof fu_start));
	assert_false(pl_h264_is_keyframe(fu_mid, sizeof fu_mid));
	assert_false(pl_h264_is_keyframe(stap_lie, sizeof stap_lie));
	assert_false(pl_h264_is_keyframe(stap, 0));
}

static void test_demux(void **state)
{
	(void)state;
	const uint8_t stun[] = {0x00, 0x01}, dtls[] = {22, 0xfe}, junk[] = {100, 0};
	assert_int_equal(pl_demux(stun, 2), PL_PKT_STUN);
	assert_int_equal(pl_demux(dtls, 2), PL_PKT_DTLS);
	assert_int_equal(pl_demux(junk, 2), PL_PKT_UNKNOWN);
	assert_int_equal(pl_demux(pkt1, sizeof pkt1), PL_PKT_RTP);
	for (int pt = 200; pt <= 206; pt++) {
		const uint8_t rtcp[] = {0x80, (uint8_t)pt};
		assert_int_equal(pl_demux(rtcp, 2), PL_PKT_RTCP);
	}
	/* RTP payload type 72 with the marker bit looks like 200 on the wire: RFC 5761 §4 keeps
	 * 64-95 free for this reason; 96 with marker (0xE0) stays RTP. */
	const uint8_t rtp96m[] = {0x80, 0xE0};
	assert_int_equal(pl_demux(rtp96m, 2), PL_PKT_RTP);
	assert_int_equal(pl_demux(pkt1, 0), PL_PKT_UNKNOWN);
	assert_int_equal(pl_demux(pkt1, 1), PL_PKT_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_setters),  cmocka_unit_test(test_vp8),
	    cmocka_unit_test(test_vp9_h264), cmocka_unit_test(test_demux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
