/* RFC 9628 §4.2 (VP9 payload descriptor):
 *   I|P|L|F|B|E|V|Z                  (required)
 *   M|PICTURE ID[,EXTENDED PID]      (if I)
 *   TID(3)|U|SID(3)|D                (if L)
 *   TL0PICIDX                        (if L and F=0, non-flexible mode)
 *   P_DIFF(7)|N                      (if F and P, up to 3 times, N=1: another follows)
 *   scalability structure            (if V, §4.2.1):
 *     N_S(3)|Y|G|-|-|-
 *     (N_S+1) x WIDTH(16) HEIGHT(16)  (if Y)
 *     N_G                             (if G)
 *     N_G x { TID(3)|U|R(2)|-|-, R x P_DIFF(8) } */
#include "media/vp9.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"

static int parse_ss(const uint8_t **p, const uint8_t *end, struct pl_vp9_desc *out)
{
	uint8_t b;
	if (pl_get_u8(p, end, &b))
		return PL_ETRUNC;
	out->has_ss = true;
	out->ss_spatial_layers = (uint8_t)((b >> 5) + 1);
	out->ss_has_resolution = (b & 0x10) != 0;
	if (out->ss_has_resolution)
		for (unsigned i = 0; i < out->ss_spatial_layers; i++)
			if (pl_get_u16(p, end, &out->ss_width[i]) ||
			    pl_get_u16(p, end, &out->ss_height[i]))
				return PL_ETRUNC;
	if (b & 0x08) { /* G: picture group description; N_G ≤ 255, each entry bounded below */
		if (pl_get_u8(p, end, &out->ss_n_g))
			return PL_ETRUNC;
		for (unsigned g = 0; g < out->ss_n_g; g++) {
			uint8_t e;
			if (pl_get_u8(p, end, &e) || pl_skip(p, end, (e >> 2) & 0x03))
				return PL_ETRUNC;
		}
	}
	return 0;
}

int pl_vp9_parse(const uint8_t *payload, size_t len, struct pl_vp9_desc *out)
{
	if (!payload)
		return PL_EINVAL;
	const uint8_t *p = payload, *end = payload + len;
	uint8_t b0;
	memset(out, 0, sizeof *out);
	if (pl_get_u8(&p, end, &b0))
		return PL_ETRUNC;
	bool i = b0 & 0x80, l = b0 & 0x20, v = b0 & 0x02;
	out->inter_pic = (b0 & 0x40) != 0;
	out->flexible = (b0 & 0x10) != 0;
	out->begin = (b0 & 0x08) != 0;
	out->end = (b0 & 0x04) != 0;
	out->not_ref_up = (b0 & 0x01) != 0;
	if (i) {
		uint8_t hi, lo;
		if (pl_get_u8(&p, end, &hi))
			return PL_ETRUNC;
		out->has_picture_id = true;
		if (hi & 0x80) {
			if (pl_get_u8(&p, end, &lo))
				return PL_ETRUNC;
			out->picture_id_15 = true;
			out->picture_id = (uint16_t)((hi & 0x7F) << 8 | lo);
		} else {
			out->picture_id = hi;
		}
	}
	if (l) {
		uint8_t li;
		if (pl_get_u8(&p, end, &li))
			return PL_ETRUNC;
		out->has_layer = true;
		out->tid = li >> 5;
		out->switch_up = (li & 0x10) != 0;
		out->sid = (li >> 1) & 0x07;
		out->inter_layer = (li & 0x01) != 0;
		if (!out->flexible) {
			if (pl_get_u8(&p, end, &out->tl0picidx))
				return PL_ETRUNC;
			out->has_tl0picidx = true;
		}
	}
	if (out->flexible && out->inter_pic) {
		for (;;) {
			uint8_t d;
			if (pl_get_u8(&p, end, &d))
				return PL_ETRUNC;
			out->pdiff[out->n_pdiff++] = d >> 1;
			if (!(d & 0x01))
				break;
			if (out->n_pdiff == 3)
				return PL_EINVAL; /* N=1 on the third: at most 3 references */
		}
	}
	if (v) {
		int rc = parse_ss(&p, end, out);
		if (rc)
			return rc;
	}
	out->desc_len = (size_t)(p - payload);
	out->keyframe = out->begin && !out->inter_pic && out->sid == 0;
	return 0;
}

bool pl_vp9_is_keyframe(const uint8_t *payload, size_t len)
{
	struct pl_vp9_desc d;
	return pl_vp9_parse(payload, len, &d) == 0 && d.keyframe;
}
