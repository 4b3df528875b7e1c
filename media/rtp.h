/* RTP fixed header (RFC 3550 §5.1), parsed as a view into the caller's buffer, and in-place
 * setters for the fields an SFU rewrites per consumer. Header extension elements (RFC 8285) are in
 * media/rtp_ext.h; codec payload descriptors in media/vp8.h, media/vp9.h and media/h264.h. */
#ifndef PL_RTP_H
#define PL_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Smallest RTP packet: the 12-byte fixed header (RFC 3550 §5.1). */
#define PL_RTP_HEADER_MIN 12

/* A parsed RTP packet. Pointers view the buffer given to pl_rtp_parse (not owned, valid as long
 * as that buffer is). */
struct pl_rtp {
	uint8_t version; /* always 2 after a successful parse */
	uint8_t padding, extension, csrc_count, marker, pt;
	uint16_t seq;
	uint32_t ts, ssrc;
	uint16_t ext_profile; /* 0xBEDE one-byte, 0x100X two-byte (RFC 8285 §4.2, §4.3) */
	const uint8_t *ext;   /* extension data after the 4-byte extension header, NULL if none */
	size_t ext_len;       /* bytes of extension data (4 * the header's length in words) */
	const uint8_t *payload;
	size_t payload_len; /* bytes, without the RTP padding */
	uint8_t pad_len;    /* bytes of RTP padding at the end (count byte included), 0 if none */
	size_t header_len;  /* fixed header + CSRCs + extension: offset of the payload */
};

/* Parses buf[0..len). Never trusts a length: fails with PL_ETRUNC when the CSRC list or the
 * extension announces more bytes than there are, PL_EINVAL when the version is not 2 or the
 * padding count is 0 or larger than what follows the header. out is undefined on failure. */
int pl_rtp_parse(const uint8_t *buf, size_t len, struct pl_rtp *out);

/* In-place setters. buf must hold at least PL_RTP_HEADER_MIN bytes (e.g. a parsed packet). */
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

/* Keeps the marker bit. */
static inline void pl_rtp_set_pt(uint8_t *buf, uint8_t pt)
{
	buf[1] = (uint8_t)((buf[1] & 0x80) | (pt & 0x7F));
}

/* Keeps the payload type. */
static inline void pl_rtp_set_marker(uint8_t *buf, bool marker)
{
	buf[1] = (uint8_t)((buf[1] & 0x7F) | (marker ? 0x80 : 0));
}

/* Compatibility: router.c and fuzz_media_rtp.c reach the extension lookup and the key frame
 * detectors through this header. New code includes media/rtp_ext.h and the codec headers. */
int pl_rtp_ext_find(const struct pl_rtp *r, uint8_t id, const uint8_t **data, size_t *len);
#include "media/h264.h"
#include "media/vp8.h"
#include "media/vp9.h"

#endif
