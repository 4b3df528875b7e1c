/* RTP fixed header (RFC 3550 §5.1), RFC 8285 extension lookup, the in-place setters, VP8 key frame
 * detection (RFC 7741 §4.2/§4.3) and RFC 7983 demultiplexing, over byte fixtures. Every truncated
 * input is an exact-size heap copy so that ASan reports any read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/demux.h"
#include "media/error.h"
#include "media/rtp.h"
#include "media/rtp_ext.h"
#include "media/vp8.h"

/* V=2 P=0 X=0 CC=0, M=0 PT=111, seq 0x0102, ts 0x03040506, ssrc 0x0708090A, 4 payload bytes. */
static const uint8_t plain[] = {0x80, 0x6F, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                0x07, 0x08, 0x09, 0x0A, 0xCA, 0xFE, 0xBA, 0xBE};

/* V=2 P=1 X=1 CC=2, M=1 PT=96, seq 0x1234, ts 0xDEADBEEF, ssrc 0x11223344, CSRCs
 * 0xAAAAAAAA 0xBBBBBBBB, one-byte extension (0xBEDE, 2 words): id 1 len 1 = AB, id 3 len 2 =
 * 01 02, 3 padding bytes; payload 11 22 33 44 55; RTP padding 00 00 03. */
static const uint8_t full_one[] = {
    0xB2, 0xE0, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x11, 0x22, 0x33, 0x44, /* fixed */
    0xAA, 0xAA, 0xAA, 0xAA, 0xBB, 0xBB, 0xBB, 0xBB,                         /* CSRC */
    0xBE, 0xDE, 0x00, 0x02, 0x10, 0xAB, 0x31, 0x01, 0x02, 0x00, 0x00, 0x00, /* ext */
    0x11, 0x22, 0x33, 0x44, 0x55,                                           /* payload */
    0x00, 0x00, 0x03,                                                       /* padding */
};

/* V=2 X=1, PT=111, seq 0xFFFF, ts 1, ssrc 2, two-byte extension (0x1000, 2 words): id 5 len 0,
 * id 200 len 3 = C1 C2 C3, 1 padding byte; payload "hi". */
static const uint8_t full_two[] = {
    0x90, 0x6F, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x10,
    0x00, 0x00, 0x02, 0x05, 0x00, 0xC8, 0x03, 0xC1, 0xC2, 0xC3, 0x00, 'h',  'i',
};

static uint8_t *dup_exact(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	assert_non_null(p);
	if (len)
		memcpy(p, src, len);
	return p;
}

static void test_plain(void **state)
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
	assert_int_equal(r.seq, 0x0102);
	assert_int_equal(r.ts, 0x03040506u);
	assert_int_equal(r.ssrc, 0x0708090Au);
	assert_null(r.ext);
	assert_int_equal(r.ext_len, 0);
	assert_int_equal(r.header_len, 12);
	assert_ptr_equal(r.payload, plain + 12);
	assert_int_equal(r.payload_len, 4);
	assert_int_equal(r.pad_len, 0);
}

static void test_csrc_one_byte_ext_padding(void **state)
{
	(void)state;
	struct pl_rtp r;
	assert_int_equal(pl_rtp_parse(full_one, sizeof full_one, &r), 0);
	assert_int_equal(r.padding, 1);
	assert_int_equal(r.extension, 1);
	assert_int_equal(r.csrc_count, 2);
	assert_int_equal(r.marker, 1);
	assert_int_equal(r.pt, 96);
	assert_int_equal(r.seq, 0x1234);
	assert_int_equal(r.ts, 0xDEADBEEFu);
	assert_int_equal(r.ssrc, 0x11223344u);
	assert_int_equal(r.ext_profile, 0xBEDE);
	assert_ptr_equal(r.ext, full_one + 24);
	assert_int_equal(r.ext_len, 8);
	assert_int_equal(r.header_len, 32);
	assert_ptr_equal(r.payload, full_one + 32);
	assert_int_equal(r.payload_len, 5);
	assert_memory_equal(r.payload, "\x11\x22\x33\x44\x55", 5);
	assert_int_equal(r.pad_len, 3);
}

static void test_two_byte_ext(void **state)
{
	(void)state;
	struct pl_rtp r;
	assert_int_equal(pl_rtp_parse(full_two, sizeof full_two, &r), 0);
	assert_int_equal(r.ext_profile, 0x1000);
	assert_int_equal(r.ext_len, 8);
	assert_int_equal(r.header_len, 24);
	assert_int_equal(r.payload_len, 2);
	assert_memory_equal(r.payload, "hi", 2);
	assert_int_equal(r.seq, 0xFFFF);
}

/* Every prefix shorter than the header fails; a longer prefix may parse (the rest is payload)
 * but then every view lies inside the prefix. The copies have the exact size for ASan. */
static void check_truncations(const uint8_t *pkt, size_t full, size_t header_len)
{
	for (size_t len = 0; len < full; len++) {
		uint8_t *c = dup_exact(pkt, len);
		struct pl_rtp r;
		int rc = pl_rtp_parse(c, len, &r);
		if (len < header_len) {
			assert_true(rc == PL_ETRUNC || rc == PL_EINVAL);
		} else if (rc == 0) {
			assert_int_equal(r.header_len, header_len);
			assert_int_equal(r.header_len + r.payload_len + r.pad_len, len);
			assert_true(r.payload >= c && r.payload + r.payload_len <= c + len);
		} else {
			assert_int_equal(rc, PL_EINVAL); /* only the padding count can be wrong */
		}
		free(c);
	}
}

static void test_truncations(void **state)
{
	(void)state;
	check_truncations(plain, sizeof plain, 12);
	check_truncations(full_one, sizeof full_one, 32);
	check_truncations(full_two, sizeof full_two, 24);
	/* Without padding, every prefix past the header is a shorter payload. */
	for (size_t len = 12; len < sizeof plain; len++) {
		uint8_t *c = dup_exact(plain, len);
		struct pl_rtp r;
		assert_int_equal(pl_rtp_parse(c, len, &r), 0);
		assert_int_equal(r.payload_len, len - 12);
		free(c);
	}
	/* Within the header: the exact error. */
	for (size_t len = 0; len < 12; len++) {
		uint8_t *c = dup_exact(full_one, len);
		struct pl_rtp r;
		assert_int_equal(pl_rtp_parse(c, len, &r), PL_ETRUNC);
		free(c);
	}
	for (size_t len = 12; len < 32; len++) {
		uint8_t *c = dup_exact(full_one, len);
		struct pl_rtp r;
		assert_int_equal(pl_rtp_parse(c, len, &r), PL_ETRUNC);
		free(c);
	}
}

static void test_bad_version_and_null(void **state)
{
	(void)state;
	struct pl_rtp r;
	uint8_t c[sizeof plain];
	memcpy(c, plain, sizeof c);
	for (uint8_t v = 0; v < 4; v++) {
		c[0] = (uint8_t)(v << 6);
		assert_int_equal(pl_rtp_parse(c, sizeof c, &r), v == 2 ? 0 : PL_EINVAL);
	}
	assert_int_equal(pl_rtp_parse(NULL, 12, &r), PL_EINVAL);
}

static void test_padding_lies(void **state)
{
	(void)state;
	struct pl_rtp r;
	/* P=1, 4 payload bytes, padding count 5: more than follows the header. */
	uint8_t *c = dup_exact(plain, sizeof plain);
	c[0] |= 0x20;
	c[15] = 5;
	assert_int_equal(pl_rtp_parse(c, sizeof plain, &r), PL_EINVAL);
	/* count 4: the whole payload is padding. */
	c[15] = 4;
	assert_int_equal(pl_rtp_parse(c, sizeof plain, &r), 0);
	assert_int_equal(r.payload_len, 0);
	assert_int_equal(r.pad_len, 4);
	/* count 0 is not allowed (§5.1: it counts itself). */
	c[15] = 0;
	assert_int_equal(pl_rtp_parse(c, sizeof plain, &r), PL_EINVAL);
	/* count 255 */
	c[15] = 255;
	assert_int_equal(pl_rtp_parse(c, sizeof plain, &r), PL_EINVAL);
	free(c);
	/* P=1 with nothing after the header. */
	c = dup_exact(plain, 12);
	c[0] |= 0x20;
	assert_int_equal(pl_rtp_parse(c, 12, &r), PL_EINVAL);
	free(c);
	/* Padding may not reach back into the extension: full_one has 8 bytes after the header. */
	c = dup_exact(full_one, sizeof full_one);
	c[sizeof full_one - 1] = 9;
	assert_int_equal(pl_rtp_parse(c, sizeof full_one, &r), PL_EINVAL);
	c[sizeof full_one - 1] = 8;
	assert_int_equal(pl_rtp_parse(c, sizeof full_one, &r), 0);
	assert_int_equal(r.payload_len, 0);
	free(c);
}

static void test_csrc_past_end(void **state)
{
	(void)state;
	struct pl_rtp r;
	/* CC=15 needs 60 bytes of CSRCs; only 4 follow. */
	for (uint8_t cc = 1; cc <= 15; cc++) {
		uint8_t *c = dup_exact(plain, sizeof plain);
		c[0] = (uint8_t)(0x80 | cc);
		assert_int_equal(pl_rtp_parse(c, sizeof plain, &r), cc == 1 ? 0 : PL_ETRUNC);
		if (cc == 1) {
			assert_int_equal(r.header_len, 16);
			assert_int_equal(r.payload_len, 0);
		}
		free(c);
	}
}

static void test_ext_length_past_end(void **state)
{
	(void)state;
	struct pl_rtp r;
	uint8_t *c = dup_exact(full_two, sizeof full_two);
	/* 2 words fit with 2 bytes to spare; 3 words need 12 bytes, 10 are there. */
	c[15] = 3;
	assert_int_equal(pl_rtp_parse(c, sizeof full_two, &r), PL_ETRUNC);
	c[14] = 0xFF;
	c[15] = 0xFF; /* 262140 bytes announced */
	assert_int_equal(pl_rtp_parse(c, sizeof full_two, &r), PL_ETRUNC);
	c[14] = 0;
	c[15] = 0; /* an empty extension block is fine */
	assert_int_equal(pl_rtp_parse(c, sizeof full_two, &r), 0);
	assert_int_equal(r.ext_len, 0);
	assert_int_equal(r.header_len, 16);
	free(c);
	/* X=1 but the 4-byte extension header itself is cut. */
	for (size_t len = 12; len < 16; len++) {
		c = dup_exact(full_two, len);
		assert_int_equal(pl_rtp_parse(c, len, &r), PL_ETRUNC);
		free(c);
	}
}

static void test_ext_find(void **state)
{
	(void)state;
	struct pl_rtp r;
	const uint8_t *d;
	size_t n;
	assert_int_equal(pl_rtp_parse(full_one, sizeof full_one, &r), 0);
	assert_int_equal(pl_rtp_ext_find(&r, 1, &d, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0], 0xAB);
	assert_ptr_equal(d, full_one + 25);
	assert_int_equal(pl_rtp_ext_find(&r, 3, &d, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d[0], 0x01);
	assert_int_equal(d[1], 0x02);
	assert_int_equal(pl_rtp_ext_find(&r, 2, &d, &n), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_ext_find(&r, 0, &d, &n), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_ext_find(&r, 14, &d, &n), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_ext_find(&r, 15, &d, &n), PL_ENOTFOUND);

	assert_int_equal(pl_rtp_parse(full_two, sizeof full_two, &r), 0);
	assert_int_equal(pl_rtp_ext_find(&r, 5, &d, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pl_rtp_ext_find(&r, 200, &d, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(d, "\xC1\xC2\xC3", 3);
	assert_int_equal(pl_rtp_ext_find(&r, 201, &d, &n), PL_ENOTFOUND);

	/* No extension at all. */
	assert_int_equal(pl_rtp_parse(plain, sizeof plain, &r), 0);
	assert_int_equal(pl_rtp_ext_find(&r, 1, &d, &n), PL_ENOTFOUND);
}

static void test_ext_find_malformed(void **state)
{
	(void)state;
	struct pl_rtp r;
	const uint8_t *d;
	size_t n;
	/* One-byte element id 2 announces 16 bytes in an 8-byte block: before id 3 is reached. */
	uint8_t *c = dup_exact(full_one, sizeof full_one);
	c[24] = 0x2F;
	assert_int_equal(pl_rtp_parse(c, sizeof full_one, &r), 0);
	assert_int_equal(pl_rtp_ext_find(&r, 3, &d, &n), PL_ETRUNC);
	/* id 15 ends processing (RFC 8285 §4.2): nothing after it is found. */
	c[24] = 0xF0;
	assert_int_equal(pl_rtp_parse(c, sizeof full_one, &r), 0);
	assert_int_equal(pl_rtp_ext_find(&r, 3, &d, &n), PL_ENOTFOUND);
	free(c);
	/* Two-byte element length past the block. */
	c = dup_exact(full_two, sizeof full_two);
	c[19] = 7;
	assert_int_equal(pl_rtp_parse(c, sizeof full_two, &r), 0);
	assert_int_equal(pl_rtp_ext_find(&r, 200, &d, &n), PL_ETRUNC);
	assert_int_equal(pl_rtp_ext_find(&r, 5, &d, &n), 0);
	free(c);
	/* An unknown profile iterates nothing. */
	c = dup_exact(full_one, sizeof full_one);
	c[20] = 0x12;
	c[21] = 0x34;
	assert_int_equal(pl_rtp_parse(c, sizeof full_one, &r), 0);
	assert_int_equal(pl_rtp_ext_find(&r, 1, &d, &n), PL_ENOTFOUND);
	free(c);
}

static void test_setters(void **state)
{
	(void)state;
	uint8_t c[sizeof full_one];
	memcpy(c, full_one, sizeof c);
	struct pl_rtp r;
	pl_rtp_set_seq(c, 0xFEDC);
	pl_rtp_set_ts(c, 0x01020304u);
	pl_rtp_set_ssrc(c, 0xCAFEBABEu);
	pl_rtp_set_pt(c, 0xFF); /* only 7 bits are taken; the marker stays */
	assert_int_equal(pl_rtp_parse(c, sizeof c, &r), 0);
	assert_int_equal(r.seq, 0xFEDC);
	assert_int_equal(r.ts, 0x01020304u);
	assert_int_equal(r.ssrc, 0xCAFEBABEu);
	assert_int_equal(r.pt, 127);
	assert_int_equal(r.marker, 1);
	pl_rtp_set_marker(c, false);
	assert_int_equal(pl_rtp_parse(c, sizeof c, &r), 0);
	assert_int_equal(r.marker, 0);
	assert_int_equal(r.pt, 127);
	pl_rtp_set_pt(c, 8);
	pl_rtp_set_marker(c, true);
	assert_int_equal(c[1], 0x88);
	/* Nothing else moved: first byte, CSRCs, extension, payload, padding. */
	assert_int_equal(c[0], full_one[0]);
	assert_memory_equal(c + 12, full_one + 12, sizeof full_one - 12);
}

/* VP8 payload descriptors (RFC 7741 §4.2). The byte after the descriptor is the VP8 payload
 * header; its low bit P is 0 for a key frame (§4.3). */
static bool vp8_key(const uint8_t *p, size_t len)
{
	uint8_t *c = dup_exact(p, len);
	bool k = pl_vp8_is_keyframe(c, len);
	free(c);
	return k;
}

static void test_vp8_keyframes(void **state)
{
	(void)state;
	struct pl_vp8_desc d;
	/* S=1 PID=0, no X. */
	static const uint8_t k_min[] = {0x10, 0x9C};
	static const uint8_t inter_min[] = {0x10, 0x9D};
	assert_true(vp8_key(k_min, sizeof k_min));
	assert_false(vp8_key(inter_min, sizeof inter_min));
	assert_int_equal(pl_vp8_parse(k_min, sizeof k_min, &d), 0);
	assert_int_equal(d.desc_len, 1);
	assert_false(d.has_picture_id);

	/* X, I with a 7-bit picture id 0x55. */
	static const uint8_t k_pid7[] = {0x90, 0x80, 0x55, 0x00};
	assert_int_equal(pl_vp8_parse(k_pid7, sizeof k_pid7, &d), 0);
	assert_true(d.has_picture_id);
	assert_false(d.picture_id_15);
	assert_int_equal(d.picture_id, 0x55);
	assert_int_equal(d.desc_len, 3);
	assert_true(d.keyframe);

	/* X, I (15-bit 0x1234), L (tl0 7), T/K (tid 2, Y, keyidx 5): 6 descriptor bytes. */
	static const uint8_t k_all[] = {0x90, 0xF0, 0x92, 0x34, 0x07, 0xA5, 0x10};
	assert_int_equal(pl_vp8_parse(k_all, sizeof k_all, &d), 0);
	assert_true(d.picture_id_15);
	assert_int_equal(d.picture_id, 0x1234);
	assert_true(d.has_tl0picidx);
	assert_int_equal(d.tl0picidx, 7);
	assert_true(d.has_tid);
	assert_int_equal(d.tid, 2);
	assert_true(d.layer_sync);
	assert_true(d.has_keyidx);
	assert_int_equal(d.keyidx, 5);
	assert_int_equal(d.desc_len, 6);
	assert_true(d.keyframe);
	static const uint8_t i_all[] = {0x90, 0xF0, 0x92, 0x34, 0x07, 0xA5, 0x11};
	assert_false(vp8_key(i_all, sizeof i_all));

	/* Only K set: the T/K byte is still there. */
	static const uint8_t k_konly[] = {0x90, 0x10, 0x1F, 0x00};
	assert_int_equal(pl_vp8_parse(k_konly, sizeof k_konly, &d), 0);
	assert_false(d.has_tid);
	assert_int_equal(d.keyidx, 31);
	assert_true(d.keyframe);

	/* Not a frame start: S=0, or S=1 with PID 1, even with a P=0 byte after. */
	static const uint8_t cont[] = {0x80, 0x80, 0x55, 0x00};
	static const uint8_t pid1[] = {0x11, 0x00};
	assert_false(vp8_key(cont, sizeof cont));
	assert_false(vp8_key(pid1, sizeof pid1));
	assert_int_equal(pl_vp8_parse(pid1, sizeof pid1, &d), 0);
	assert_int_equal(d.part_id, 1);
	assert_false(d.frame_start);

	/* Every truncation of the full descriptor fails (the VP8 byte is required). */
	for (size_t len = 0; len < sizeof k_all; len++) {
		uint8_t *c = dup_exact(k_all, len);
		assert_int_equal(pl_vp8_parse(c, len, &d), PL_ETRUNC);
		assert_false(pl_vp8_is_keyframe(c, len));
		free(c);
	}
	assert_false(pl_vp8_is_keyframe(NULL, 0));
}

static void test_demux(void **state)
{
	(void)state;
	uint8_t b[2] = {0, 0};
	/* RFC 7983 §7 ranges by first byte. */
	for (unsigned v = 0; v < 256; v++) {
		b[0] = (uint8_t)v;
		b[1] = 96;
		enum pl_pkt_kind k = pl_demux(b, 2);
		if (v <= 3)
			assert_int_equal(k, PL_PKT_STUN);
		else if (v >= 20 && v <= 63)
			assert_int_equal(k, PL_PKT_DTLS);
		else if (v >= 128 && v <= 191)
			assert_int_equal(k, PL_PKT_RTP);
		else
			assert_int_equal(k, PL_PKT_UNKNOWN);
	}
	/* RTCP 200..206 and the full RFC 5761 range 192..223; RTP with M=1 and PT 0..63 / 96..127
	 * has a second byte of 128..191 / 224..255 and stays RTP. */
	b[0] = 0x80;
	for (unsigned v = 0; v < 256; v++) {
		b[1] = (uint8_t)v;
		bool rtcp = v >= 192 && v <= 223;
		/* Without the marker bit, PT 64..95 are also taken as RTCP (never used for RTP). */
		bool rtcp_nomarker = v >= 64 && v <= 95;
		assert_int_equal(pl_demux(b, 2),
		                 (rtcp || rtcp_nomarker) ? PL_PKT_RTCP : PL_PKT_RTP);
	}
	for (unsigned pt = 200; pt <= 206; pt++) {
		b[1] = (uint8_t)pt;
		assert_int_equal(pl_demux(b, 2), PL_PKT_RTCP);
	}
	/* Marker aliasing: M=1 PT=72 is byte 200, indistinguishable from SR; M=1 PT=96 is 224. */
	b[1] = 0x80 | 72;
	assert_int_equal(pl_demux(b, 2), PL_PKT_RTCP);
	b[1] = 0x80 | 96;
	assert_int_equal(pl_demux(b, 2), PL_PKT_RTP);
	b[1] = 0x80 | 111;
	assert_int_equal(pl_demux(b, 2), PL_PKT_RTP);
	/* The fixtures. */
	assert_int_equal(pl_demux(plain, sizeof plain), PL_PKT_RTP);
	assert_int_equal(pl_demux(full_one, sizeof full_one), PL_PKT_RTP);
	/* Short and empty datagrams. */
	uint8_t *one = dup_exact(plain, 1);
	assert_int_equal(pl_demux(one, 1), PL_PKT_UNKNOWN); /* RTP/RTCP needs 2 bytes */
	free(one);
	uint8_t stun = 0x00, dtls = 22;
	assert_int_equal(pl_demux(&stun, 1), PL_PKT_STUN);
	assert_int_equal(pl_demux(&dtls, 1), PL_PKT_DTLS);
	assert_int_equal(pl_demux(&stun, 0), PL_PKT_UNKNOWN);
	assert_int_equal(pl_demux(NULL, 5), PL_PKT_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_csrc_one_byte_ext_padding),
	    cmocka_unit_test(test_two_byte_ext),
	    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_bad_version_and_null),
	    cmocka_unit_test(test_padding_lies),
	    cmocka_unit_test(test_csrc_past_end),
	    cmocka_unit_test(test_ext_length_past_end),
	    cmocka_unit_test(test_ext_find),
	    cmocka_unit_test(test_ext_find_malformed),
	    cmocka_unit_test(test_setters),
	    cmocka_unit_test(test_vp8_keyframes),
	    cmocka_unit_test(test_demux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
