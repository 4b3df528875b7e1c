/* RTCP FIR: RFC 5104 §4.3.1. */
#include "media/rtcp_fir.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

int pl_rtcp_fir_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_fir *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_FIR, &h, &p);
	if (rc < 0)
		return rc;
	const uint8_t *end = p + h.payload_len;
	if ((rc = pl_get_u32(&p, end, &out->sender_ssrc)) < 0 ||
	    (rc = pl_get_u32(&p, end, &out->media_ssrc)) < 0)
		return rc;
	/* §4.3.1.1: one or more 8-byte FCI entries; a partial entry is malformed. */
	size_t rest = (size_t)(end - p);
	if (rest == 0 || rest % 8)
		return rest == 0 ? PL_EINVAL : PL_ETRUNC;
	if (rest / 8 > PL_RTCP_FIR_MAX_ENTRIES)
		return PL_ELIMIT;
	out->n_entries = (uint8_t)(rest / 8);
	for (unsigned i = 0; i < out->n_entries; i++) {
		out->entries[i].ssrc = pl_read_u32(p);
		out->entries[i].seq_nr = p[4]; /* then 24 reserved bits, ignored on receive */
		p += 8;
	}
	return 0;
}

int pl_rtcp_fir_write(const struct pl_rtcp_fir *fir, uint8_t *out, size_t cap, size_t *out_len)
{
	if (fir->n_entries == 0 || fir->n_entries > PL_RTCP_FIR_MAX_ENTRIES)
		return PL_EINVAL;
	size_t n = 12 + 8 * (size_t)fir->n_entries;
	if (cap < n)
		return PL_ESPACE;
	memset(out, 0, n);
	pl_rtcp_hdr_put(out, PL_RTCP_PSFB_FIR, PL_RTCP_PT_PSFB, n);
	pl_put_u32(out + 4, fir->sender_ssrc);
	pl_put_u32(out + 8, fir->media_ssrc);
	for (unsigned i = 0; i < fir->n_entries; i++) {
		pl_put_u32(out + 12 + 8 * i, fir->entries[i].ssrc);
		out[16 + 8 * i] = fir->entries[i].seq_nr;
	}
	*out_len = n;
	return 0;
}
