/* RTP header (RFC 3550 §5.1) and header extension elements (RFC 8285), parsed as views into the
 * caller's buffer; in-place setters for the fields an SFU rewrites. */
#ifndef PL_RTP_H
#define PL_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pl_rtp {
	uint8_t padding, extension, csrc_count, marker, pt;
	uint16_t seq;
	uint32_t ts, ssrc;
	uint16_t ext_profile; /* 0xBEDE one-byte, 0x100X two-byte */
	const uint8_t *ext;   /* extension elements, after the 4-byte extension header */
	size_t ext_len;       /* bytes */
	const uint8_t *payload;
	size_t payload_len; /* without padding */
	uint8_t pad_len;
	size_t header_len;
};

/* Fails (PL_ETRUNC / PL_EINVAL) on version != 2 or any length that points past the end. */
int pl_rtp_parse(const uint8_t *buf, size_t len, struct pl_rtp *out);
/* Finds extension element id; data and len view its value. PL_ENOTFOUND when absent. */
int pl_rtp_ext_find(const struct pl_rtp *r, uint8_t id, const uint8_t **data, size_t *len);

static inline void pl_rtp_set_seq(uint8_t *buf, uint16_t seq)
{
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
}

static inline void pl_rtp_set_ts(uint8_t *buf, uint32_t ts)
{
	buf[4] = (uint8_t)(ts >> 24);
	buf[5] = (uint8_t)(ts >> 16);
	buf[6] = (uint8_t)(ts >> 8);
	buf[7] = (uint8_t)ts;
}

static inline void pl_rtp_set_ssrc(uint8_t *buf, uint32_t ssrc)
{
	buf[8] = (uint8_t)(ssrc >> 24);
	buf[9] = (uint8_t)(ssrc >> 16);
	buf[10] = (uint8_t)(ssrc >> 8);
	buf[11] = (uint8_t)ssrc;
}

static inline void pl_rtp_set_pt(uint8_t *buf, uint8_t pt)
{
	buf[1] = (uint8_t)((buf[1] & 0x80) | (pt & 0x7F));
}

/* RFC 7741 §4.2-4.3: true when a VP8 payload starts a key frame (S=1, PID=0, P=0). */
bool pl_vp8_is_keyframe(const uint8_t *payload, size_t len);
/* RFC 9628 §4.2: the first packet of a VP9 key frame (B=1, P=0, spatial layer 0). */
bool pl_vp9_is_keyframe(const uint8_t *payload, size_t len);
/* RFC 6184 §5.6-5.8: a single NAL, STAP-A or FU-A start carrying an IDR slice or SPS. */
bool pl_h264_is_keyframe(const uint8_t *payload, size_t len);

#endif
