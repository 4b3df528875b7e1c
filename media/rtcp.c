/* RTCP common header and compound iterator: RFC 3550 §6.4 (header), §6.1 (compound), RFC 5506. */
#include "media/rtcp.h"

#include "media/bytes.h"
#include "media/error.h"

int pl_rtcp_hdr_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_hdr *hdr,
                      const uint8_t **payload)
{
	if (!pkt || len < PL_RTCP_HDR_LEN)
		return PL_ETRUNC;
	hdr->version = pkt[0] >> 6;
	hdr->padding = (pkt[0] >> 5) & 1;
	hdr->count = pkt[0] & 0x1f;
	hdr->pt = pkt[1];
	hdr->length = pl_read_u16(pkt + 2);
	if (hdr->version != 2)
		return PL_EINVAL;
	/* RFC 3550 §6.4.1: length is in 32-bit words minus one, header included. */
	hdr->packet_len = ((size_t)hdr->length + 1) * 4;
	if (hdr->packet_len > len)
		return PL_ETRUNC;
	size_t pad = 0;
	if (hdr->padding) {
		/* RFC 3550 §6.4.1: the last octet counts the padding octets, itself included. */
		pad = pkt[hdr->packet_len - 1];
		if (pad == 0 || pad > hdr->packet_len - PL_RTCP_HDR_LEN)
			return PL_EINVAL;
	}
	hdr->payload_len = hdr->packet_len - PL_RTCP_HDR_LEN - pad;
	if (payload)
		*payload = pkt + PL_RTCP_HDR_LEN;
	return 0;
}

int pl_rtcp_hdr_expect(const uint8_t *pkt, size_t len, uint8_t pt, int fmt, struct pl_rtcp_hdr *hdr,
                       const uint8_t **payload)
{
	int rc = pl_rtcp_hdr_parse(pkt, len, hdr, payload);
	if (rc < 0)
		return rc;
	if (hdr->pt != pt || (fmt >= 0 && hdr->count != fmt))
		return PL_EPROTO;
	return 0;
}

void pl_rtcp_hdr_put(uint8_t *out, uint8_t count, uint8_t pt, size_t packet_len)
{
	out[0] = (uint8_t)(2u << 6 | (count & 0x1f));
	out[1] = pt;
	pl_put_u16(out + 2, (uint16_t)(packet_len / 4 - 1));
}

void pl_rtcp_iter_init(struct pl_rtcp_iter *it, const uint8_t *buf, size_t len)
{
	it->pos = buf;
	it->end = buf ? buf + len : buf;
	it->n = 0;
	it->err = 0;
}

int pl_rtcp_iter_next(struct pl_rtcp_iter *it, struct pl_rtcp_hdr *hdr, const uint8_t **pkt,
                      size_t *pkt_len)
{
	if (it->err)
		return it->err;
	if (it->pos == it->end)
		return 0;
	if (it->n >= PL_RTCP_MAX_PACKETS) {
		it->err = PL_ELIMIT;
		return it->err;
	}
	/* Each packet is at least 4 bytes, so the cursor always advances: no loop on length 0. */
	int rc = pl_rtcp_hdr_parse(it->pos, (size_t)(it->end - it->pos), hdr, NULL);
	if (rc < 0) {
		it->err = rc;
		return rc;
	}
	*pkt = it->pos;
	*pkt_len = hdr->packet_len;
	it->pos += hdr->packet_len;
	it->n++;
	return 1;
}

bool pl_rtcp_is_rtcp(const uint8_t *buf, size_t len)
{
	if (!buf || len < PL_RTCP_HDR_LEN || (buf[0] >> 6) != 2)
		return false;
	return buf[1] >= 192 && buf[1] <= 223;
}
