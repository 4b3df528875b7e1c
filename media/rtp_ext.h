/* RTP header extension elements (RFC 8285): one-byte (profile 0xBEDE, §4.2) and two-byte
 * (profile 0x100X, §4.3) forms; lookup, iteration, in-place id renumbering, and value helpers
 * for the extensions Plenum uses. Views point into the packet buffer. */
#ifndef PL_RTP_EXT_H
#define PL_RTP_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/rtp.h"

#define PL_RTP_EXT_PROFILE_ONE_BYTE 0xBEDE
#define PL_RTP_EXT_PROFILE_TWO_BYTE 0x1000 /* the low 4 bits are application bits */

#define PL_EXT_URI_MID           "urn:ietf:params:rtp-hdrext:sdes:mid"
#define PL_EXT_URI_RID           "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define PL_EXT_URI_REPAIRED_RID  "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
#define PL_EXT_URI_ABS_SEND_TIME "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define PL_EXT_URI_TWCC          "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define PL_EXT_URI_AUDIO_LEVEL   "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

/* The extensions Plenum understands. */
enum pl_rtp_ext_type {
	PL_EXT_UNKNOWN = 0,
	PL_EXT_AUDIO_LEVEL,   /* RFC 6464 */
	PL_EXT_ABS_SEND_TIME, /* webrtc.org abs-send-time */
	PL_EXT_TWCC,          /* draft-holmer-rmcat-transport-wide-cc-extensions-01 */
	PL_EXT_MID,           /* RFC 8843 §15 */
	PL_EXT_RID,           /* RFC 8852 §3.1 */
	PL_EXT_REPAIRED_RID,  /* RFC 8852 §3.2 */
	PL_EXT_TYPE_COUNT,
};

/* The server-chosen ids: every publisher's ids are remapped to these (pl_rtp_ext_remap) and every
 * subscriber is offered these. All fit the one-byte form (1..14). */
enum pl_ext_id {
	PL_EXT_ID_AUDIO_LEVEL = 1,
	PL_EXT_ID_ABS_SEND_TIME = 2,
	PL_EXT_ID_TWCC = 3,
	PL_EXT_ID_MID = 4,
	PL_EXT_ID_RID = 10,
	PL_EXT_ID_REPAIRED_RID = 11,
};

/* URI (exact, as in a=extmap) to type; PL_EXT_UNKNOWN for NULL or anything else. */
enum pl_rtp_ext_type pl_rtp_ext_uri_to_type(const char *uri);
/* Type to URI; NULL for PL_EXT_UNKNOWN or out of range. */
const char *pl_rtp_ext_type_uri(enum pl_rtp_ext_type type);
/* Type to the server-chosen id (enum pl_ext_id); 0 for PL_EXT_UNKNOWN or out of range. */
uint8_t pl_rtp_ext_type_id(enum pl_rtp_ext_type type);

/* One element: id 1..14 (one-byte) or 1..255 (two-byte); data views len bytes of value. */
struct pl_rtp_ext_elem {
	uint8_t id;
	const uint8_t *data;
	size_t len;
};

struct pl_rtp_ext_iter {
	const uint8_t *p, *end;
	bool two_byte;
};

/* Starts iterating the elements of r. A packet without an extension, or with a profile that is
 * neither RFC 8285 form, iterates nothing. */
void pl_rtp_ext_iter_init(struct pl_rtp_ext_iter *it, const struct pl_rtp *r);
/* 0 and the next element in out; PL_ENOTFOUND at the end (also at a one-byte id 15, which ends
 * processing per §4.2); PL_ETRUNC when an element runs past the extension block (the iterator
 * then stays at the end). Padding bytes (id 0) are skipped. */
int pl_rtp_ext_next(struct pl_rtp_ext_iter *it, struct pl_rtp_ext_elem *out);

/* Finds the first element with id; data and len view its value. PL_ENOTFOUND when absent (or id
 * is 0), PL_ETRUNC when a malformed element comes before it. */
int pl_rtp_ext_find(const struct pl_rtp *r, uint8_t id, const uint8_t **data, size_t *len);

/* Renumbers every element in place: its id becomes map[id]; map[id] == 0 turns the element
 * (header and value) into padding bytes, which receivers skip. r must come from pl_rtp_parse of
 * this very buf. Checks first, then writes: on any error buf is unchanged. PL_EINVAL when a
 * one-byte element would need an id above 14, PL_ETRUNC on a malformed element, PL_EUNSUPPORTED
 * for a profile that is not RFC 8285. A packet without extension is left alone (0). */
int pl_rtp_ext_remap(uint8_t *buf, const struct pl_rtp *r, const uint8_t map[256]);

/* Overwrites the 2-byte value of element id in place (transport-wide-cc sequence). PL_ENOTFOUND
 * when absent, PL_EINVAL when its value is not 2 bytes. Same precondition on r as remap. */
int pl_rtp_ext_set_u16(uint8_t *buf, const struct pl_rtp *r, uint8_t id, uint16_t v);

/* Value helpers: (data, len) as returned by find/next. */

/* 16-bit big-endian value (transport-wide-cc sequence number). PL_EINVAL unless len == 2. */
int pl_rtp_ext_get_u16(const uint8_t *data, size_t len, uint16_t *v);

/* mid (RFC 8843 §15), rid and repaired-rid (RFC 8852 §3): 1..255 bytes of visible ASCII
 * (0x21..0x7E); rid is further restricted to alphanumerics, '-' and '_' (RFC 8851 §10) by
 * pl_rtp_ext_get_rid. Copies into out (NUL-terminated). PL_EINVAL on an empty value or a
 * forbidden byte, PL_ESPACE when cap < len + 1. */
int pl_rtp_ext_get_mid(const uint8_t *data, size_t len, char *out, size_t cap);
int pl_rtp_ext_get_rid(const uint8_t *data, size_t len, char *out, size_t cap);

/* abs-send-time: 24-bit 6.18 fixed point seconds. PL_EINVAL unless len == 3. */
int pl_rtp_ext_get_abs_send_time(const uint8_t *data, size_t len, uint32_t *v);
/* The 24-bit abs-send-time value for a time in microseconds (wraps every 64 s). */
uint32_t pl_rtp_ext_abs_send_time_from_us(int64_t us);

/* RFC 6464 §3: V flag (voice activity) and level 0..127 in -dBov (127 = silence). PL_EINVAL
 * unless len == 1. */
int pl_rtp_ext_get_audio_level(const uint8_t *data, size_t len, bool *voice, uint8_t *level_dbov);

#endif
