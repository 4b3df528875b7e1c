/* RTCP generic NACK: RFC 4585 §6.2.1. */
#include "media/rtcp_nack.h"

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

int pl_rtcp_nack_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_nack *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_RTPFB, PL_RTCP_RTPFB_NACK, &h, &p);
	if (rc < 0)
		return rc;
	const uint8_t *end = p + h.payload_len;
	if ((rc = pl_get_u32(&p, end, &out->sender_ssrc)) < 0 ||
	    (rc = pl_get_u32(&p, end, &out->media_ssrc)) < 0)
		return rc;
	size_t rest = (size_t)(end - p);
	if (rest == 0) /* §6.2.1: at least one FCI */
		return PL_EINVAL;
	if (rest % 4)
		return PL_ETRUNC;
	out->n_seqs = 0;
	for (; p < end; p += 4) {
		uint16_t pid = pl_read_u16(p), blp = pl_read_u16(p + 2);
		if (out->n_seqs >= PL_RTCP_NACK_MAX_SEQS)
			return PL_ELIMIT;
		out->seqs[out->n_seqs++] = pid;
		/* BLP bit i (LSB = 0) reports seq PID + i + 1 lost, modulo 2^16. */
		for (unsigned i = 0; i < 16; i++) {
			if (!(blp & (1u << i)))
				continue;
			if (out->n_seqs >= PL_RTCP_NACK_MAX_SEQS)
				return PL_ELIMIT;
			out->seqs[out->n_seqs++] = (uint16_t)(pid + i + 1);
		}
	}
	return 0;
}

int pl_rtcp_nack_write(const struct pl_rtcp_nack *nack, uint8_t *out, size_t cap, size_t *out_len)
{
	if (nack->n_seqs == 0 || nack->n_seqs > PL_RTCP_NACK_MAX_SEQS)
		return PL_EINVAL;
	size_t n = 12;
	uint16_t pid = 0, blp = 0;
	int have = 0;
	for (size_t i = 0; i <= nack->n_seqs; i++) {
		if (i < nack->n_seqs && have) {
			uint16_t d = (uint16_t)(nack->seqs[i] - pid);
			if (d == 0)
				continue; /* duplicate of the PID */
			if (d <= 16) {
				blp |= (uint16_t)(1u << (d - 1));
				continue;
			}
		}
		if (have) {
			if (cap < n + 4)
				return PL_ESPACE;
			pl_put_u16(out + n, pid);
			pl_put_u16(out + n + 2, blp);
			n += 4;
		}
		if (i < nack->n_seqs) {
			pid = nack->seqs[i];
			blp = 0;
			have = 1;
		}
	}
	if (cap < n)
		return PL_ESPACE;
	pl_rtcp_hdr_put(out, PL_RTCP_RTPFB_NACK, PL_RTCP_PT_RTPFB, n);
	pl_put_u32(out + 4, nack->sender_ssrc);
	pl_put_u32(out + 8, nack->media_ssrc);
	*out_len = n;
	return 0;
}
