#include "media/rtp_history.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/error.h"

struct slot {
	bool used;
	uint16_t seq;
	uint16_t len; /* ≤ PL_RTP_HISTORY_MAX_PACKET */
	int64_t received_us;
};

struct pl_rtp_history {
	size_t
	    slots; /* power of two dividing 65536, so seq % slots is continuous across the wrap */
	size_t max_packet;
	struct slot *meta; /* slots entries */
	uint8_t *data;     /* slots * max_packet bytes; slot i at i * max_packet */
};

struct pl_rtp_history *pl_rtp_history_new(size_t slots, size_t max_packet)
{
	if (slots == 0 || slots > PL_RTP_HISTORY_MAX_SLOTS || max_packet == 0 ||
	    max_packet > PL_RTP_HISTORY_MAX_PACKET)
		return NULL;
	size_t n = 1;
	while (n < slots)
		n <<= 1;
	struct pl_rtp_history *h = pl_xcalloc(1, sizeof *h);
	h->slots = n;
	h->max_packet = max_packet;
	h->meta = pl_xcalloc(n, sizeof *h->meta);
	h->data = pl_xmalloc(n * max_packet); /* ≤ 2^15 * 2^16: fits size_t */
	return h;
}

void pl_rtp_history_free(struct pl_rtp_history *h)
{
	if (!h)
		return;
	free(h->meta);
	free(h->data);
	free(h);
}

size_t pl_rtp_history_slots(const struct pl_rtp_history *h)
{
	return h->slots;
}

int pl_rtp_history_put(struct pl_rtp_history *h, const uint8_t *pkt, size_t len, uint16_t seq,
                       int64_t now_us)
{
	if (!pkt || len == 0 || len > h->max_packet)
		return PL_ELIMIT;
	size_t i = seq & (h->slots - 1);
	struct slot *s = &h->meta[i];
	/* The slot's packet is newer when it is ahead of seq in the 16-bit sense: keep it. */
	uint16_t ahead = (uint16_t)(s->seq - seq);
	if (s->used && ahead != 0 && ahead < 0x8000)
		return PL_EEXIST;
	memcpy(h->data + i * h->max_packet, pkt, len);
	s->used = true;
	s->seq = seq;
	s->len = (uint16_t)len;
	s->received_us = now_us;
	return 0;
}

int pl_rtp_history_get(const struct pl_rtp_history *h, uint16_t seq, const uint8_t **pkt,
                       size_t *len, int64_t *received_us)
{
	size_t i = seq & (h->slots - 1);
	const struct slot *s = &h->meta[i];
	if (!s->used || s->seq != seq)
		return PL_ENOTFOUND;
	*pkt = h->data + i * h->max_packet;
	*len = s->len;
	if (received_us)
		*received_us = s->received_us;
	return 0;
}

size_t pl_rtp_history_expire(struct pl_rtp_history *h, int64_t now_us, int64_t max_age_us)
{
	size_t n = 0;
	for (size_t i = 0; i < h->slots; i++) {
		struct slot *s = &h->meta[i];
		/* Compare ages, not sums, so extreme times cannot overflow. */
		if (s->used && s->received_us < now_us &&
		    (uint64_t)now_us - (uint64_t)s->received_us > (uint64_t)max_age_us) {
			s->used = false;
			n++;
		}
	}
	return n;
}

void pl_rtp_history_clear(struct pl_rtp_history *h)
{
	memset(h->meta, 0, h->slots * sizeof *h->meta);
}
