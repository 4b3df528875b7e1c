/* RTCP BYE (RFC 3550 §6.6). */
#ifndef PL_RTCP_BYE_H
#define PL_RTCP_BYE_H

#include <stddef.h>
#include <stdint.h>

#define PL_RTCP_BYE_MAX_SSRCS 31 /* the 5-bit SC field */

struct pl_rtcp_bye {
	uint8_t n_ssrcs;
	uint32_t ssrcs[PL_RTCP_BYE_MAX_SSRCS];
	const uint8_t *reason; /* view into the packet (not NUL-terminated), or NULL */
	uint8_t reason_len;
};

int pl_rtcp_bye_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_bye *out);
/* n_ssrcs <= 31; a reason (reason_len > 0) is written after the SSRCs and padded to 4. */
int pl_rtcp_bye_write(const struct pl_rtcp_bye *bye, uint8_t *out, size_t cap, size_t *out_len);

#endif
