/* RTCP SDES: RFC 3550 §6.5. */
#include "media/rtcp_sdes.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

int pl_rtcp_sdes_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_sdes *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_SDES, -1, &h, &p);
	if (rc < 0)
		return rc;
	const uint8_t *start = p, *end = p + h.payload_len;
	out->n_chunks = h.count;
	out->ssrc = 0;
	out->cname = NULL;
	out->cname_len = 0;
	for (unsigned c = 0; c < h.count; c++) {
		uint32_t ssrc;
		if ((rc = pl_get_u32(&p, end, &ssrc)) < 0)
			return rc;
		if (c == 0)
			out->ssrc = ssrc;
		/* Items until the null (END) item; each item is at least 2 bytes, so this loop is
		 * bounded by the packet length. */
		for (;;) {
			uint8_t type, ilen;
			if ((rc = pl_get_u8(&p, end, &type)) < 0)
				return rc;
			if (type == 0)
				break;
			if ((rc = pl_get_u8(&p, end, &ilen)) < 0)
				return rc;
			const uint8_t *text = p;
			if ((rc = pl_skip(&p, end, ilen)) < 0)
				return rc;
			if (c == 0 && type == PL_RTCP_SDES_CNAME && !out->cname) {
				out->cname = text;
				out->cname_len = ilen;
			}
		}
		/* §6.5: the chunk is padded with nulls to the next 32-bit boundary. */
		size_t off = (size_t)(p - start);
		if ((rc = pl_skip(&p, end, (4 - off % 4) % 4)) < 0)
			return rc;
	}
	return 0;
}

int pl_rtcp_sdes_write(const struct pl_rtcp_sdes *sdes, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!sdes->cname || sdes->cname_len == 0 || sdes->cname_len > PL_RTCP_SDES_MAX_TEXT)
		return PL_EINVAL;
	/* header + SSRC + type + len + text + END, padded to 4 (at least one null octet) */
	size_t body = 4 + 2 + sdes->cname_len + 1;
	size_t n = 4 + (body + 3) / 4 * 4;
	if (cap < n)
		return PL_ESPACE;
	memset(out, 0, n);
	pl_rtcp_hdr_put(out, 1, PL_RTCP_PT_SDES, n);
	pl_put_u32(out + 4, sdes->ssrc);
	out[8] = PL_RTCP_SDES_CNAME;
	out[9] = (uint8_t)sdes->cname_len;
	memcpy(out + 10, sdes->cname, sdes->cname_len);
	*out_len = n;
	return 0;
}
