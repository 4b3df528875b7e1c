/* Transport-wide CC feedback: draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1. */
#include "media/rtcp_twcc.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

#define RUN_MAX 0x1fff /* 13-bit run length (§3.1.3) */

static int32_t sign_extend24(uint32_t v)
{
	return (v & 0x800000) ? (int32_t)v - 0x1000000 : (int32_t)v;
}

int pl_rtcp_twcc_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_twcc *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_RTPFB, PL_RTCP_RTPFB_TWCC, &h, &p);
	if (rc < 0)
		return rc;
	const uint8_t *end = p + h.payload_len;
	uint32_t ref;
	if ((rc = pl_get_u32(&p, end, &out->sender_ssrc)) < 0 ||
	    (rc = pl_get_u32(&p, end, &out->media_ssrc)) < 0 ||
	    (rc = pl_get_u16(&p, end, &out->base_seq)) < 0 ||
	    (rc = pl_get_u16(&p, end, &out->status_count)) < 0 ||
	    (rc = pl_get_u24(&p, end, &ref)) < 0 || (rc = pl_get_u8(&p, end, &out->fb_count)) < 0)
		return rc;
	out->ref_time = sign_extend24(ref);
	out->n_recv = 0;

	/* Pass 1: the chunks. Record each received packet's seq and symbol; the deltas follow
	 * after the last chunk. The loop ends after status_count symbols (a 16-bit count) and each
	 * chunk consumes 2 bytes, so it is bounded by the packet length too. */
	uint32_t done = 0;
	while (done < out->status_count) {
		uint16_t c;
		if ((rc = pl_get_u16(&p, end, &c)) < 0)
			return rc;
		uint8_t sym[14];
		uint32_t n;
		if (!(c & 0x8000)) {
			/* §3.1.3 run length chunk */
			uint8_t s = (c >> 13) & 3;
			uint32_t run = c & RUN_MAX;
			if (s == 3)
				return PL_EINVAL;
			if (run > out->status_count - done)
				run = out->status_count - done;
			if (s == PL_TWCC_NOT_RECEIVED) {
				done += run; /* O(1) for long loss runs */
				continue;
			}
			for (uint32_t i = 0; i < run; i++) {
				if (out->n_recv >= PL_TWCC_MAX_RECV)
					return PL_ELIMIT;
				out->recv[out->n_recv].seq = (uint16_t)(out->base_seq + done + i);
				out->recv[out->n_recv++].status = s;
			}
			done += run;
			continue;
		}
		if (!(c & 0x4000)) {
			/* §3.1.4 status vector, one-bit symbols: 0 not received, 1 small delta */
			n = 14;
			for (unsigned i = 0; i < 14; i++)
				sym[i] = (c >> (13 - i)) & 1;
		} else {
			/* §3.1.4 status vector, two-bit symbols */
			n = 7;
			for (unsigned i = 0; i < 7; i++)
				sym[i] = (c >> (12 - 2 * i)) & 3;
		}
		if (n > out->status_count - done)
			n = out->status_count - done;
		for (uint32_t i = 0; i < n; i++) {
			if (sym[i] == 3)
				return PL_EINVAL;
			if (sym[i] == PL_TWCC_NOT_RECEIVED)
				continue;
			if (out->n_recv >= PL_TWCC_MAX_RECV)
				return PL_ELIMIT;
			out->recv[out->n_recv].seq = (uint16_t)(out->base_seq + done + i);
			out->recv[out->n_recv++].status = sym[i];
		}
		done += n;
	}

	/* Pass 2: §3.1.5 recv deltas, 250 us ticks; small = u8, large = s16. */
	int64_t t_us = (int64_t)out->ref_time * PL_TWCC_REF_UNIT_US;
	for (size_t i = 0; i < out->n_recv; i++) {
		struct pl_twcc_recv *r = &out->recv[i];
		if (r->status == PL_TWCC_SMALL_DELTA) {
			uint8_t d;
			if ((rc = pl_get_u8(&p, end, &d)) < 0)
				return rc;
			r->delta = d;
		} else {
			uint16_t d;
			if ((rc = pl_get_u16(&p, end, &d)) < 0)
				return rc;
			r->delta = (int16_t)d;
		}
		t_us += (int64_t)r->delta * PL_TWCC_TICK_US;
		r->recv_us = t_us;
	}
	/* Whatever follows is zero padding (§3.1): ignored. */
	return 0;
}

/* ---- builder ---- */

void pl_twcc_builder_init(struct pl_twcc_builder *b, size_t max_len)
{
	b->max_len = max_len > PL_TWCC_MAX_LEN ? PL_TWCC_MAX_LEN : max_len;
	b->status_count = 0;
	b->n_chunks = 0;
	b->n_delta_bytes = 0;
	b->pend_n = 0;
	b->pend_all_same = true;
	b->pend_has_large = false;
}

static uint16_t chunk_two_bit(const uint8_t *sym, size_t n)
{
	uint16_t c = 0xc000;
	for (size_t i = 0; i < n && i < 7; i++)
		c |= (uint16_t)(sym[i] << (12 - 2 * i));
	return c;
}

static uint16_t chunk_one_bit(const uint8_t *sym, size_t n)
{
	uint16_t c = 0x8000;
	for (size_t i = 0; i < n && i < 14; i++)
		c |= (uint16_t)((sym[i] & 1) << (13 - i));
	return c;
}

static uint16_t chunk_run(uint8_t sym, size_t n)
{
	return (uint16_t)(sym << 13 | (n & RUN_MAX));
}

static bool pend_can_add(const struct pl_twcc_builder *b, uint8_t s)
{
	if (b->pend_n < 7)
		return true; /* a two-bit vector holds any 7 symbols */
	if (b->pend_n < 14 && !b->pend_has_large && s != PL_TWCC_LARGE_DELTA)
		return true; /* a one-bit vector holds 14 lost/small symbols */
	return b->pend_all_same && s == b->pend[0] && b->pend_n < RUN_MAX;
}

static void pend_recompute(struct pl_twcc_builder *b)
{
	b->pend_all_same = true;
	b->pend_has_large = false;
	for (size_t i = 0; i < b->pend_n; i++) {
		if (b->pend[i] != b->pend[0])
			b->pend_all_same = false;
		if (b->pend[i] == PL_TWCC_LARGE_DELTA)
			b->pend_has_large = true;
	}
}

/* Packs some pending symbols into one chunk so that the next symbol can be added. */
static void pend_emit(struct pl_twcc_builder *b)
{
	if (b->pend_all_same) {
		b->chunks[b->n_chunks++] = chunk_run(b->pend[0], b->pend_n);
		b->pend_n = 0;
	} else if (b->pend_n == 14) {
		b->chunks[b->n_chunks++] = chunk_one_bit(b->pend, 14);
		b->pend_n = 0;
	} else {
		/* 7..13 mixed symbols: the first 7 go out as a two-bit vector */
		b->chunks[b->n_chunks++] = chunk_two_bit(b->pend, 7);
		memmove(b->pend, b->pend + 7, b->pend_n - 7);
		b->pend_n -= 7;
	}
	pend_recompute(b);
}

static void pend_add(struct pl_twcc_builder *b, uint8_t s)
{
	if (!pend_can_add(b, s))
		pend_emit(b);
	if (b->pend_n < 14)
		b->pend[b->pend_n] = s;
	if (b->pend_n > 0 && s != b->pend[0])
		b->pend_all_same = false;
	if (s == PL_TWCC_LARGE_DELTA)
		b->pend_has_large = true;
	b->pend_n++;
}

size_t pl_twcc_builder_size(const struct pl_twcc_builder *b)
{
	size_t n = PL_TWCC_FIXED_LEN + 2 * (b->n_chunks + (b->pend_n > 0)) + b->n_delta_bytes;
	return (n + 3) / 4 * 4;
}

int pl_twcc_builder_add(struct pl_twcc_builder *b, bool received, int32_t delta)
{
	uint8_t s = PL_TWCC_NOT_RECEIVED;
	if (received) {
		if (delta < INT16_MIN || delta > INT16_MAX)
			return PL_EINVAL;
		s = (delta >= 0 && delta <= 255) ? PL_TWCC_SMALL_DELTA : PL_TWCC_LARGE_DELTA;
	}
	if (b->status_count >= UINT16_MAX)
		return PL_ELIMIT;
	/* Trial add; roll back if the packet would outgrow max_len. Each step adds at most one
	 * chunk and two delta bytes, and the previous state fit, so the arrays cannot overflow. */
	struct pl_twcc_builder_pend {
		uint8_t pend[14];
		size_t pend_n, n_chunks, n_delta_bytes;
		bool all_same, has_large;
	} save;
	memcpy(save.pend, b->pend, sizeof save.pend);
	save.pend_n = b->pend_n;
	save.n_chunks = b->n_chunks;
	save.n_delta_bytes = b->n_delta_bytes;
	save.all_same = b->pend_all_same;
	save.has_large = b->pend_has_large;

	pend_add(b, s);
	if (s == PL_TWCC_SMALL_DELTA) {
		b->deltas[b->n_delta_bytes++] = (uint8_t)delta;
	} else if (s == PL_TWCC_LARGE_DELTA) {
		pl_put_u16(b->deltas + b->n_delta_bytes, (uint16_t)(int16_t)delta);
		b->n_delta_bytes += 2;
	}
	if (pl_twcc_builder_size(b) > b->max_len) {
		memcpy(b->pend, save.pend, sizeof save.pend);
		b->pend_n = save.pend_n;
		b->n_chunks = save.n_chunks;
		b->n_delta_bytes = save.n_delta_bytes;
		b->pend_all_same = save.all_same;
		b->pend_has_large = save.has_large;
		return PL_ESPACE;
	}
	b->status_count++;
	return 0;
}

int pl_twcc_builder_finish(struct pl_twcc_builder *b, uint32_t sender_ssrc, uint32_t media_ssrc,
                           uint16_t base_seq, int32_t ref_time, uint8_t fb_count, uint8_t *out,
                           size_t cap, size_t *out_len)
{
	size_t n = pl_twcc_builder_size(b);
	if (cap < n)
		return PL_ESPACE;
	/* Pack the remaining symbols into one last chunk (they always fit one, see pend_can_add):
	 * unused trailing slots are 0 and ignored by the receiver thanks to the status count. */
	size_t n_chunks = b->n_chunks;
	if (b->pend_n > 0) {
		uint16_t c;
		if (b->pend_all_same)
			c = chunk_run(b->pend[0], b->pend_n);
		else if (b->pend_n <= 7)
			c = chunk_two_bit(b->pend, b->pend_n);
		else
			c = chunk_one_bit(b->pend, b->pend_n);
		b->chunks[n_chunks++] = c;
	}
	memset(out, 0, n);
	/* Zero padding without the P bit, as the draft's figure shows; receivers ignore bytes
	 * after the last delta. */
	pl_rtcp_hdr_put(out, PL_RTCP_RTPFB_TWCC, PL_RTCP_PT_RTPFB, n);
	pl_put_u32(out + 4, sender_ssrc);
	pl_put_u32(out + 8, media_ssrc);
	pl_put_u16(out + 12, base_seq);
	pl_put_u16(out + 14, (uint16_t)b->status_count);
	pl_put_u24(out + 16, (uint32_t)ref_time & 0xffffff);
	out[19] = fb_count;
	uint8_t *w = out + PL_TWCC_FIXED_LEN;
	for (size_t i = 0; i < n_chunks; i++, w += 2)
		pl_put_u16(w, b->chunks[i]);
	memcpy(w, b->deltas, b->n_delta_bytes);
	*out_len = n;
	return 0;
}

int pl_rtcp_twcc_write(const struct pl_rtcp_twcc *fb, uint8_t *out, size_t cap, size_t *out_len)
{
	if (fb->n_recv > PL_TWCC_MAX_RECV || fb->ref_time < -0x800000 || fb->ref_time > 0x7fffff)
		return PL_EINVAL;
	struct pl_twcc_builder b;
	pl_twcc_builder_init(&b, cap);
	size_t r = 0;
	int rc;
	for (uint32_t off = 0; off < fb->status_count; off++) {
		bool got = r < fb->n_recv && (uint16_t)(fb->recv[r].seq - fb->base_seq) == off;
		if ((rc = pl_twcc_builder_add(&b, got, got ? fb->recv[r].delta : 0)) < 0)
			return rc;
		if (got)
			r++;
	}
	if (r != fb->n_recv)
		return PL_EINVAL; /* out of order, duplicate or outside the status count */
	return pl_twcc_builder_finish(&b, fb->sender_ssrc, fb->media_ssrc, fb->base_seq,
	                              fb->ref_time, fb->fb_count, out, cap, out_len);
}
