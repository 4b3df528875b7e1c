/* VP9 RTP payload descriptor (RFC 9628 §4.2), including the scalability structure (§4.2.1),
 * read to find key frames and layer indices. Never decodes the VP9 bitstream. */
#ifndef PL_VP9_H
#define PL_VP9_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The scalability structure describes at most 8 spatial layers (N_S is 3 bits). */
#define PL_VP9_MAX_SPATIAL 8

struct pl_vp9_desc {
	bool inter_pic;  /* P: inter-picture predicted (not usable as a key frame) */
	bool flexible;   /* F */
	bool begin;      /* B: first packet of a layer frame */
	bool end;        /* E: last packet of a layer frame */
	bool not_ref_up; /* Z: not a reference for upper spatial layers */
	bool has_picture_id;
	bool picture_id_15; /* M */
	uint16_t picture_id;
	bool has_layer;     /* L: the layer indices below were present (else all 0) */
	uint8_t tid;        /* temporal layer id, 0..7 */
	bool switch_up;     /* U */
	uint8_t sid;        /* spatial layer id, 0..7 */
	bool inter_layer;   /* D: depends on the spatial layer below */
	bool has_tl0picidx; /* non-flexible mode with L */
	uint8_t tl0picidx;
	uint8_t n_pdiff; /* flexible mode with P: reference differences, 0..3 */
	uint8_t pdiff[3];
	bool has_ss;               /* V: a scalability structure was present */
	uint8_t ss_spatial_layers; /* N_S + 1 */
	bool ss_has_resolution;    /* Y */
	uint16_t ss_width[PL_VP9_MAX_SPATIAL], ss_height[PL_VP9_MAX_SPATIAL];
	uint8_t ss_n_g;  /* pictures in the picture group (G), 0 when absent */
	size_t desc_len; /* bytes of descriptor; VP9 data starts at payload + desc_len */
	bool keyframe;   /* B && !P && SID == 0: the first packet of a key frame */
};

/* Parses the descriptor. PL_ETRUNC when a field the flags announce is missing (also inside the
 * scalability structure), PL_EINVAL when a fourth P_DIFF is announced. out is undefined on
 * failure. */
int pl_vp9_parse(const uint8_t *payload, size_t len, struct pl_vp9_desc *out);
/* True when the payload parses and is the first packet of a key frame (spatial layer 0). */
bool pl_vp9_is_keyframe(const uint8_t *payload, size_t len);

#endif
