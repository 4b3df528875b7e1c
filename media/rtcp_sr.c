/* RTCP SR: RFC 3550 §6.4.1. */
#include "media/rtcp_sr.h"

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

#define SR_FIXED_LEN 28 /* header + SSRC + 20-byte sender info */

int pl_rtcp_sr_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_sr *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_SR, -1, &h, &p);
	if (rc < 0)
		return rc;
	const uint8_t *end = p + h.payload_len;
	uint32_t ntp_hi, ntp_lo;
	if ((rc = pl_get_u32(&p, end, &out->sender_ssrc)) < 0 ||
	    (rc = pl_get_u32(&p, end, &ntp_hi)) < 0 || (rc = pl_get_u32(&p, end, &ntp_lo)) < 0 ||
	    (rc = pl_get_u32(&p, end, &out->rtp_ts)) < 0 ||
	    (rc = pl_get_u32(&p, end, &out->packet_count)) < 0 ||
	    (rc = pl_get_u32(&p, end, &out->octet_count)) < 0)
		return rc;
	out->ntp = (uint64_t)ntp_hi << 32 | ntp_lo;
	out->n_blocks = h.count;
	for (unsigned i = 0; i < h.count; i++)
		if ((rc = pl_rtcp_report_block_get(&p, end, &out->blocks[i])) < 0)
			return rc;
	return 0;
}

int pl_rtcp_sr_write(const struct pl_rtcp_sr *sr, uint8_t *out, size_t cap, size_t *out_len)
{
	if (sr->n_blocks > PL_RTCP_MAX_REPORT_BLOCKS)
		return PL_EINVAL;
	size_t n = SR_FIXED_LEN + (size_t)sr->n_blocks * PL_RTCP_REPORT_BLOCK_LEN;
	if (cap < n)
		return PL_ESPACE;
	pl_rtcp_hdr_put(out, sr->n_blocks, PL_RTCP_PT_SR, n);
	pl_put_u32(out + 4, sr->sender_ssrc);
	pl_put_u32(out + 8, (uint32_t)(sr->ntp >> 32));
	pl_put_u32(out + 12, (uint32_t)sr->ntp);
	pl_put_u32(out + 16, sr->rtp_ts);
	pl_put_u32(out + 20, sr->packet_count);
	pl_put_u32(out + 24, sr->octet_count);
	for (unsigned i = 0; i < sr->n_blocks; i++)
		pl_rtcp_report_block_put(out + SR_FIXED_LEN + i * PL_RTCP_REPORT_BLOCK_LEN,
		                         &sr->blocks[i]);
	*out_len = n;
	return 0;
}

/* Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
#define NTP_UNIX_OFFSET 2208988800ull

uint64_t pl_ntp_from_unix_us(int64_t unix_us)
{
	int64_t sec = unix_us / 1000000, us = unix_us % 1000000;
	if (us < 0) {
		us += 1000000;
		sec -= 1;
	}
	/* The seconds field wraps every 2^32 s (NTP eras); RFC 3550 only needs it modulo 2^32. */
	uint32_t ntp_sec = (uint32_t)((uint64_t)sec + NTP_UNIX_OFFSET);
	/* fraction = us / 10^6 * 2^32, exact to within one unit */
	uint32_t frac = (uint32_t)(((uint64_t)us << 32) / 1000000);
	return (uint64_t)ntp_sec << 32 | frac;
}

uint32_t pl_ntp_middle32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}
