/* Codec payload descriptors the router reads (never decodes): VP8 (RFC 7741 §4.2), VP9
 * (RFC 9628 §4.2 incl. the scalability structure), H.264 (RFC 6184 single NAL, STAP-A, FU-A).
 * Every fixture is also parsed at every shorter length from an exact-size heap copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/h264.h"
#include "media/vp8.h"
#include "media/vp9.h"

enum codec { VP8, VP9, H264 };

static int parse_copy(enum codec c, const uint8_t *src, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	memcpy(b, src, len);
	int rc;
	struct pl_vp8_desc d8;
	struct pl_vp9_desc d9;
	struct pl_h264_info h;
	switch (c) {
	case VP8:
		rc = pl_vp8_parse(b, len, &d8);
		break;
	case VP9:
		rc = pl_vp9_parse(b, len, &d9);
		break;
	default:
		rc = pl_h264_parse(b, len, &h);
		break;
	}
	free(b);
	return rc;
}

/* ---- VP8 ---- */

/* X S PID=0 | I L T K | M pid 0x1234 | TL0PICIDX 0x56 | TID=2 Y=1 KEYIDX=5 | P=0 payload */
static const uint8_t vp8_full[] = {0x90, 0xF0, 0x92, 0x34, 0x56, 0xA5, 0x50, 0x01, 0x2A};

static void test_vp8(void **state)
{
	(void)state;
	struct pl_vp8_desc d;
	assert_int_equal(pl_vp8_parse(vp8_full, sizeof vp8_full, &d), 0);
	assert_true(d.start);
	assert_int_equal(d.part_id, 0);
	assert_false(d.non_ref);
	assert_true(d.has_picture_id);
	assert_true(d.picture_id_15);
	assert_int_equal(d.picture_id, 0x1234);
	assert_true(d.has_tl0picidx);
	assert_int_equal(d.tl0picidx, 0x56);
	assert_true(d.has_tid);
	assert_int_equal(d.tid, 2);
	assert_true(d.layer_sync);
	assert_true(d.has_keyidx);
	assert_int_equal(d.keyidx, 5);
	assert_int_equal(d.desc_len, 6);
	assert_true(d.frame_start);
	assert_true(d.keyframe);
	assert_true(pl_vp8_is_keyframe(vp8_full, sizeof vp8_full));
	/* Every prefix up to and including the descriptor lacks a field or the first data byte. */
	for (size_t n = 0; n <= 6; n++) {
		assert_int_equal(parse_copy(VP8, vp8_full, n), PL_ETRUNC);
		assert_false(pl_vp8_is_keyframe(vp8_full, n));
	}
	for (size_t n = 7; n <= sizeof vp8_full; n++)
		assert_int_equal(parse_copy(VP8, vp8_full, n), 0);

	/* Minimal key frame: S=1 PID=0, no X, P=0. */
	const uint8_t key[] = {0x10, 0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A};
	assert_int_equal(pl_vp8_parse(key, sizeof key, &d), 0);
	assert_int_equal(d.desc_len, 1);
	assert_false(d.has_picture_id);
	assert_true(d.keyframe);
	/* 7-bit picture id, S=0 (continuation): no payload header, never a key frame. */
	const uint8_t cont[] = {0x80, 0x80, 0x7F, 0x00};
	assert_int_equal(pl_vp8_parse(cont, sizeof cont, &d), 0);
	assert_false(d.picture_id_15);
	assert_int_equal(d.picture_id, 0x7F);
	assert_int_equal(d.desc_len, 3);
	assert_false(d.frame_start);
	assert_false(d.keyframe);
	/* K without T: KEYIDX only, TID not present. */
	const uint8_t konly[] = {0x90, 0x10, 0xDF, 0x00};
	assert_int_equal(pl_vp8_parse(konly, sizeof konly, &d), 0);
	assert_false(d.has_tid);
	assert_true(d.has_keyidx);
	assert_int_equal(d.keyidx, 31);
	assert_true(d.keyframe);
	/* T without K, inter frame (P=1), N set. */
	const uint8_t tonly[] = {0xB0, 0x20, 0x40, 0x01};
	assert_int_equal(pl_vp8_parse(tonly, sizeof tonly, &d), 0);
	assert_true(d.non_ref);
	assert_int_equal(d.tid, 1);
	assert_false(d.layer_sync);
	assert_false(d.has_keyidx);
	assert_false(d.keyframe);
	/* S=1 but partition 1: not a frame start even with a 0 P bit. */
	const uint8_t part1[] = {0x11, 0x00};
	assert_int_equal(pl_vp8_parse(part1, sizeof part1, &d), 0);
	assert_false(d.frame_start);
	assert_false(d.keyframe);
	assert_int_equal(pl_vp8_parse(NULL, 0, &d), PL_EINVAL);
}

/* ---- VP9 ---- */

/* Non-flexible key frame with a scalability structure:
 *   I P=0 L F=0 B E V Z=0 = 0xAE | M pid 0x0102 | TID0 U0 SID0 D0 | TL0PICIDX 7 |
 *   N_S=2 Y G = 0x58 | 320x180 640x360 1280x720 | N_G=2 | {TID0 R=1, 1} {TID1 U R=2, 1, 2} |
 *   2 bytes of VP9 data */
static const uint8_t vp9_ss[] = {
    0xAE, 0x81, 0x02, 0x00, 0x07, 0x58, 0x01, 0x40, 0x00, 0xB4, 0x02, 0x80, 0x01,
    0x68, 0x05, 0x00, 0x02, 0xD0, 0x02, 0x04, 0x01, 0x38, 0x01, 0x02, 0x82, 0x49,
};

static void test_vp9(void **state)
{
	(void)state;
	struct pl_vp9_desc d;
	assert_int_equal(pl_vp9_parse(vp9_ss, sizeof vp9_ss, &d), 0);
	assert_true(d.begin);
	assert_true(d.end);
	assert_false(d.inter_pic);
	assert_false(d.flexible);
	assert_true(d.picture_id_15);
	assert_int_equal(d.picture_id, 0x0102);
	assert_true(d.has_layer);
	assert_int_equal(d.sid, 0);
	assert_true(d.has_tl0picidx);
	assert_int_equal(d.tl0picidx, 7);
	assert_true(d.has_ss);
	assert_int_equal(d.ss_spatial_layers, 3);
	assert_true(d.ss_has_resolution);
	assert_int_equal(d.ss_width[0], 320);
	assert_int_equal(d.ss_height[0], 180);
	assert_int_equal(d.ss_width[2], 1280);
	assert_int_equal(d.ss_height[2], 720);
	assert_int_equal(d.ss_n_g, 2);
	assert_int_equal(d.desc_len, 24);
	assert_true(d.keyframe);
	for (size_t n = 0; n < 24; n++) {
		assert_int_equal(parse_copy(VP9, vp9_ss, n), PL_ETRUNC);
		assert_false(pl_vp9_is_keyframe(vp9_ss, n));
	}
	for (size_t n = 24; n <= sizeof vp9_ss; n++)
		assert_int_equal(parse_copy(VP9, vp9_ss, n), 0);

	/* Flexible mode inter frame: I P L F B, 7-bit pid 5, TID2 U SID1 D, P_DIFF 1 (N), 2. */
	const uint8_t flex[] = {0xF8, 0x05, 0x53, 0x03, 0x04, 0xAA};
	assert_int_equal(pl_vp9_parse(flex, sizeof flex, &d), 0);
	assert_true(d.flexible);
	assert_int_equal(d.picture_id, 5);
	assert_int_equal(d.tid, 2);
	assert_true(d.switch_up);
	assert_int_equal(d.sid, 1);
	assert_true(d.inter_layer);
	assert_false(d.has_tl0picidx);
	assert_int_equal(d.n_pdiff, 2);
	assert_int_equal(d.pdiff[0], 1);
	assert_int_equal(d.pdiff[1], 2);
	assert_int_equal(d.desc_len, 5);
	assert_false(d.keyframe);
	for (size_t n = 0; n < 5; n++)
		assert_int_equal(parse_copy(VP9, flex, n), PL_ETRUNC);

	/* Three P_DIFFs are the maximum; N=1 on the third is refused. */
	const uint8_t three[] = {0xD0, 0x01, 0x03, 0x03, 0x02};
	assert_int_equal(pl_vp9_parse(three, sizeof three, &d), 0);
	assert_int_equal(d.n_pdiff, 3);
	const uint8_t four[] = {0xD0, 0x01, 0x03, 0x03, 0x03, 0x02};
	assert_int_equal(pl_vp9_parse(four, sizeof four, &d), PL_EINVAL);

	/* Spatial layer 1 of a key picture is not where a receiver can start. */
	const uint8_t sl1[] = {0x2C, 0x02, 0x00};
	assert_int_equal(pl_vp9_parse(sl1, sizeof sl1, &d), 0);
	assert_int_equal(d.sid, 1);
	assert_false(d.keyframe);
	const uint8_t sl0[] = {0x2C, 0x00, 0x00};
	assert_true(pl_vp9_is_keyframe(sl0, sizeof sl0));
	/* Minimal descriptors: B alone is a key frame start; with P it is not; without B neither.
	 */
	const uint8_t b_only[] = {0x08}, b_p[] = {0x48}, e_only[] = {0x04};
	assert_true(pl_vp9_is_keyframe(b_only, 1));
	assert_false(pl_vp9_is_keyframe(b_p, 1));
	assert_false(pl_vp9_is_keyframe(e_only, 1));

	/* SS without resolutions or picture group. */
	const uint8_t ss_min[] = {0x0A, 0x00};
	assert_int_equal(pl_vp9_parse(ss_min, sizeof ss_min, &d), 0);
	assert_int_equal(d.ss_spatial_layers, 1);
	assert_false(d.ss_has_resolution);
	assert_int_equal(d.desc_len, 2);
	/* Lying SS: a group entry announcing 3 P_DIFFs with 2 present; N_G 255 with none. */
	const uint8_t ss_lie[] = {0x0A, 0x08, 0x01, 0x0C, 0x01, 0x02};
	assert_int_equal(pl_vp9_parse(ss_lie, sizeof ss_lie, &d), PL_ETRUNC);
	const uint8_t ss_ng[] = {0x0A, 0x08, 0xFF, 0x00};
	assert_int_equal(pl_vp9_parse(ss_ng, sizeof ss_ng, &d), PL_ETRUNC);
	/* 8 spatial layers with resolutions need 32 bytes. */
	uint8_t ss8[2 + 32];
	memset(ss8, 0, sizeof ss8);
	ss8[0] = 0x0A;
	ss8[1] = 0xF0; /* N_S=7, Y */
	assert_int_equal(pl_vp9_parse(ss8, sizeof ss8, &d), 0);
	assert_int_equal(d.ss_spatial_layers, 8);
	assert_int_equal(parse_copy(VP9, ss8, sizeof ss8 - 1), PL_ETRUNC);
	assert_int_equal(pl_vp9_parse(NULL, 0, &d), PL_EINVAL);
}

/* ---- H.264 ---- */

/* STAP-A: SPS (4 bytes), PPS (2), IDR (2). */
static const uint8_t stap[] = {0x78, 0x00, 0x04, 0x67, 0x42, 0xC0, 0x1F, 0x00,
                               0x02, 0x68, 0xCE, 0x00, 0x02, 0x65, 0x88};

static void test_h264(void **state)
{
	(void)state;
	struct pl_h264_info h;
	assert_int_equal(pl_h264_parse(stap, sizeof stap, &h), 0);
	assert_int_equal(h.pkt_type, PL_H264_NAL_STAP_A);
	assert_int_equal(h.nal_count, 3);
	assert_true(h.has_sps);
	assert_true(h.has_pps);
	assert_true(h.has_idr);
	assert_true(h.keyframe);
	/* Prefixes: unit boundaries (7, 11) parse with fewer units; the rest are cut. */
	for (size_t n = 0; n < sizeof stap; n++) {
		int want = PL_ETRUNC;
		if (n == 1)
			want = PL_EINVAL; /* a STAP-A without any unit */
		else if (n == 7 || n == 11)
			want = 0;
		assert_int_equal(parse_copy(H264, stap, n), want);
	}
	assert_int_equal(pl_h264_parse(stap, 7, &h), 0);
	assert_int_equal(h.nal_count, 1);
	assert_true(h.keyframe); /* the SPS alone */
	assert_int_equal(pl_h264_parse(stap, 11, &h), 0);
	assert_false(h.has_idr);

	const uint8_t idr[] = {0x65, 0x88, 0x84}, p_slice[] = {0x41, 0x9A};
	const uint8_t sps[] = {0x67, 0x42, 0xC0, 0x1F}, pps[] = {0x68, 0xCE, 0x3C, 0x80};
	assert_int_equal(pl_h264_parse(idr, sizeof idr, &h), 0);
	assert_int_equal(h.pkt_type, PL_H264_NAL_IDR);
	assert_int_equal(h.nal_count, 1);
	assert_true(h.keyframe);
	assert_false(pl_h264_is_keyframe(p_slice, sizeof p_slice));
	assert_true(pl_h264_is_keyframe(sps, sizeof sps));
	assert_int_equal(pl_h264_parse(pps, sizeof pps, &h), 0);
	assert_true(h.has_pps);
	assert_false(h.keyframe);
	const uint8_t fbit[] = {0xE5, 0x00}; /* F=1: still recognised, forwarding is not our call */
	assert_true(pl_h264_is_keyframe(fbit, sizeof fbit));

	/* FU-A: start, middle and end of an IDR; S and E together are invalid (§5.8). */
	const uint8_t fu_s[] = {0x7C, 0x85, 0x88}, fu_m[] = {0x7C, 0x05, 0x88};
	const uint8_t fu_e[] = {0x7C, 0x45, 0x88}, fu_se[] = {0x7C, 0xC5, 0x88};
	assert_int_equal(pl_h264_parse(fu_s, sizeof fu_s, &h), 0);
	assert_int_equal(h.pkt_type, PL_H264_NAL_FU_A);
	assert_true(h.fu_start);
	assert_false(h.fu_end);
	assert_int_equal(h.fu_type, 5);
	assert_true(h.keyframe);
	assert_int_equal(pl_h264_parse(fu_m, sizeof fu_m, &h), 0);
	assert_false(h.keyframe);
	assert_int_equal(pl_h264_parse(fu_e, sizeof fu_e, &h), 0);
	assert_true(h.fu_end);
	assert_false(h.keyframe);
	assert_int_equal(pl_h264_parse(fu_se, sizeof fu_se, &h), PL_EINVAL);
	assert_int_equal(parse_copy(H264, fu_s, 1), PL_ETRUNC);

	/* Lying and empty STAP-A units. */
	const uint8_t lie[] = {0x78, 0x00, 0x40, 0x67}, zero[] = {0x78, 0x00, 0x00, 0x67};
	const uint8_t odd[] = {0x78, 0x00, 0x01, 0x65, 0x00}; /* a trailing half size field */
	assert_int_equal(pl_h264_parse(lie, sizeof lie, &h), PL_ETRUNC);
	assert_int_equal(pl_h264_parse(zero, sizeof zero, &h), PL_EINVAL);
	assert_int_equal(pl_h264_parse(odd, sizeof odd, &h), PL_ETRUNC);
	assert_false(pl_h264_is_keyframe(odd, sizeof odd));

	/* Types outside packetization modes 0/1. */
	const uint8_t types[] = {0, 25, 26, 27, 29, 30, 31};
	const int want[] = {PL_EINVAL,       PL_EUNSUPPORTED, PL_EUNSUPPORTED, PL_EUNSUPPORTED,
	                    PL_EUNSUPPORTED, PL_EUNSUPPORTED, PL_EUNSUPPORTED};
	for (size_t i = 0; i < sizeof types; i++) {
		const uint8_t b[] = {(uint8_t)(0x60 | types[i]), 0x00, 0x02, 0x65, 0x88};
		assert_int_equal(pl_h264_parse(b, sizeof b, &h), want[i]);
	}
	assert_int_equal(pl_h264_parse(NULL, 0, &h), PL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vp8),
	    cmocka_unit_test(test_vp9),
	    cmocka_unit_test(test_h264),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
