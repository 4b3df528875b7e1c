/* RTCP Full Intra Request (RFC 5104 §4.3.1): PSFB, FMT 4; FCI entries of SSRC + command seq nr. */
#ifndef PL_RTCP_FIR_H
#define PL_RTCP_FIR_H

#include <stddef.h>
#include <stdint.h>

#define PL_RTCP_FIR_MAX_ENTRIES 16 /* an SFU asks one sender about a few streams at once */

struct pl_rtcp_fir_entry {
	uint32_t ssrc;  /* the media sender asked for a decoder refresh */
	uint8_t seq_nr; /* command sequence number: +1 per new request, same on repeats */
};

struct pl_rtcp_fir {
	uint32_t sender_ssrc;
	uint32_t media_ssrc; /* §4.3.1.2: SHALL be 0 (the targets are in the FCI) */
	uint8_t n_entries;
	struct pl_rtcp_fir_entry entries[PL_RTCP_FIR_MAX_ENTRIES];
};

/* PL_EINVAL if there is no FCI entry, PL_ELIMIT beyond PL_RTCP_FIR_MAX_ENTRIES. */
int pl_rtcp_fir_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_fir *out);
int pl_rtcp_fir_write(const struct pl_rtcp_fir *fir, uint8_t *out, size_t cap, size_t *out_len);

#endif
