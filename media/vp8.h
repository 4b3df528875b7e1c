/* VP8 RTP payload descriptor (RFC 7741 §4.2) and the key frame bit of the VP8 payload header
 * (§4.3). The router reads these to find key frames and temporal layers; it never decodes. */
#ifndef PL_VP8_H
#define PL_VP8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pl_vp8_desc {
	bool non_ref;    /* N: the frame is not used as a reference */
	bool start;      /* S: first packet of a partition */
	uint8_t part_id; /* PID: partition index, 0..7 */
	bool has_picture_id;
	bool picture_id_15; /* M: the picture id has 15 bits (else 7) */
	uint16_t picture_id;
	bool has_tl0picidx;
	uint8_t tl0picidx;
	bool has_tid;     /* T */
	uint8_t tid;      /* temporal layer, 0..3 */
	bool layer_sync;  /* Y */
	bool has_keyidx;  /* K */
	uint8_t keyidx;   /* 0..31 */
	size_t desc_len;  /* bytes of descriptor; the VP8 payload starts at payload + desc_len */
	bool frame_start; /* S=1 and PID=0: the VP8 payload header (§4.3) follows */
	bool keyframe;    /* frame_start and the payload header's P bit is 0 */
};

/* Parses the descriptor of one RTP payload. PL_ETRUNC when a field the flags announce, or the
 * first byte of VP8 data, is missing. out is undefined on failure. */
int pl_vp8_parse(const uint8_t *payload, size_t len, struct pl_vp8_desc *out);
/* True when the payload parses and starts a key frame. */
bool pl_vp8_is_keyframe(const uint8_t *payload, size_t len);

#endif
