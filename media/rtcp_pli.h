/* RTCP Picture Loss Indication (RFC 4585 §6.3.1): PSFB, FMT 1, no FCI. */
#ifndef PL_RTCP_PLI_H
#define PL_RTCP_PLI_H

#include <stddef.h>
#include <stdint.h>

#define PL_RTCP_PLI_LEN 12

struct pl_rtcp_pli {
	uint32_t sender_ssrc;
	uint32_t media_ssrc;
};

int pl_rtcp_pli_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_pli *out);
int pl_rtcp_pli_write(const struct pl_rtcp_pli *pli, uint8_t *out, size_t cap, size_t *out_len);

#endif
