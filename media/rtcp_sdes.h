/* RTCP SDES (RFC 3550 §6.5). Plenum only ever sends one chunk with a CNAME (RFC 7022 random
 * CNAME, never personal data); on receive it validates the structure and skips it, keeping at
 * most the first chunk's CNAME as a view. */
#ifndef PL_RTCP_SDES_H
#define PL_RTCP_SDES_H

#include <stddef.h>
#include <stdint.h>

#define PL_RTCP_SDES_CNAME    1 /* item type, RFC 3550 §6.5.1 */
#define PL_RTCP_SDES_MAX_TEXT 255

struct pl_rtcp_sdes {
	uint8_t n_chunks;     /* SC field */
	uint32_t ssrc;        /* first chunk's SSRC (0 if n_chunks == 0) */
	const uint8_t *cname; /* view into the packet, first chunk's CNAME, or NULL */
	size_t cname_len;
};

/* Validates every chunk and item against the packet bounds. */
int pl_rtcp_sdes_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_sdes *out);
/* Writes one chunk: sdes->ssrc with a CNAME item (cname_len 1..255, else PL_EINVAL). */
int pl_rtcp_sdes_write(const struct pl_rtcp_sdes *sdes, uint8_t *out, size_t cap, size_t *out_len);

#endif
