/* RTCP common header and compound-packet iterator (RFC 3550 §6.4, §6.1; RFC 5506 reduced-size
 * RTCP is allowed, so a compound need not start with SR/RR). Pure parsing: every length field is
 * checked against the bytes actually present. Views point into the caller's buffer. */
#ifndef PL_RTCP_H
#define PL_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Packet types (RFC 3550 §12.1, RFC 4585 §6.1). */
enum {
	PL_RTCP_PT_SR = 200,
	PL_RTCP_PT_RR = 201,
	PL_RTCP_PT_SDES = 202,
	PL_RTCP_PT_BYE = 203,
	PL_RTCP_PT_APP = 204,
	PL_RTCP_PT_RTPFB = 205,
	PL_RTCP_PT_PSFB = 206,
};

/* Feedback message types in the FMT (count) field. */
enum {
	PL_RTCP_RTPFB_NACK = 1,  /* RFC 4585 §6.2.1 */
	PL_RTCP_RTPFB_TWCC = 15, /* draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1 */
	PL_RTCP_PSFB_PLI = 1,    /* RFC 4585 §6.3.1 */
	PL_RTCP_PSFB_FIR = 4,    /* RFC 5104 §4.3.1 */
	PL_RTCP_PSFB_AFB = 15,   /* RFC 4585 §6.4; REMB uses it with the "REMB" identifier */
};

#define PL_RTCP_HDR_LEN 4
/* More packets than this in one compound is hostile: a browser sends a handful. */
#define PL_RTCP_MAX_PACKETS 64

struct pl_rtcp_hdr {
	uint8_t version;    /* always 2 after a successful parse */
	bool padding;       /* P bit */
	uint8_t count;      /* RC / SC / FMT, 5 bits */
	uint8_t pt;         /* packet type */
	uint16_t length;    /* raw field: packet length in 32-bit words minus one */
	size_t packet_len;  /* (length + 1) * 4 bytes, header and padding included */
	size_t payload_len; /* bytes after the 4-byte header, padding excluded */
};

/* Parses the common header of the RTCP packet at pkt (len bytes available). Checks V=2, that the
 * declared length fits in len, and that padding (if P) is non-zero and within the packet.
 * On success *payload points just after the header (payload_len bytes, padding excluded). */
int pl_rtcp_hdr_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_hdr *hdr,
                      const uint8_t **payload);

/* Same, and additionally requires pt (and fmt when fmt >= 0) to match. Used by every type parser.
 */
int pl_rtcp_hdr_expect(const uint8_t *pkt, size_t len, uint8_t pt, int fmt, struct pl_rtcp_hdr *hdr,
                       const uint8_t **payload);

/* Writes a 4-byte header for a packet of packet_len bytes (a multiple of 4, at most 262144) with
 * no padding. Unchecked: the caller sized the buffer. */
void pl_rtcp_hdr_put(uint8_t *out, uint8_t count, uint8_t pt, size_t packet_len);

struct pl_rtcp_iter {
	const uint8_t *pos;
	const uint8_t *end;
	unsigned n; /* packets returned so far */
	int err;    /* sticky error, 0 while fine */
};

void pl_rtcp_iter_init(struct pl_rtcp_iter *it, const uint8_t *buf, size_t len);

/* Returns 1 and the next packet (header parsed; pkt and pkt_len cover the whole packet with its
 * header and padding), 0 at the clean end of the compound, or a negative PL_E* code for a
 * malformed compound (then every later call returns the same code): version != 2, a length past
 * the end, trailing bytes shorter than a header, bad padding, more than PL_RTCP_MAX_PACKETS. */
int pl_rtcp_iter_next(struct pl_rtcp_iter *it, struct pl_rtcp_hdr *hdr, const uint8_t **pkt,
                      size_t *pkt_len);

/* True if the first bytes look like RTCP rather than RTP (RFC 5761 §4: PT 192..223 in byte 1). */
bool pl_rtcp_is_rtcp(const uint8_t *buf, size_t len);

#endif
