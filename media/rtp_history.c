#include "media/rtp_history.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/bytes.h"
#include "media/error.h"

/* A record in the ring: seq (2 bytes), len (2 bytes, 0 marks the wrap to offset 0), the packet.
 * Fewer than PL_RTP_HISTORY_RECORD bytes before the end of the ring also mean "wrap". */
#define REC PL_RTP_HISTORY_RECORD

/* len 0: empty. A non-empty entry's record is intact in the ring at off: evicting a record
 * empties the entry that points to it, and a record no entry points to is dead. */
struct entry {
	int64_t at; /* arrival, us */
	uint32_t off;
	uint16_t seq;
	uint16_t len;
};

struct pl_rtp_history {
	struct pl_rtp_history_limits lim;
	struct entry *idx;
	size_t slots; /* a power of two dividing 65536, so seq % slots is continuous across wrap */
	uint8_t *ring;
	size_t cap;  /* ring bytes */
	size_t tail; /* the oldest record */
	size_t head; /* where the next record goes */
	size_t fill; /* bytes from tail to head, counting the unused end before a wrap */
};

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

struct pl_rtp_history *pl_rtp_history_new(const struct pl_rtp_history_limits *lim)
{
	if (!lim || lim->keep_us <= 0 || lim->min_slots == 0 || lim->min_slots > lim->max_slots ||
	    lim->max_slots > PL_RTP_HISTORY_MAX_SLOTS || lim->min_bytes <= REC ||
	    lim->min_bytes > lim->max_bytes || lim->max_bytes > PL_RTP_HISTORY_MAX_BYTES)
		return NULL;
	struct pl_rtp_history *h = pl_xcalloc(1, sizeof *h);
	h->lim = *lim;
	h->lim.min_slots = pow2_at_least(lim->min_slots);
	h->lim.max_slots = pow2_at_least(lim->max_slots);
	h->slots = h->lim.min_slots;
	h->idx = pl_xcalloc(h->slots, sizeof *h->idx);
	h->cap = lim->min_bytes;
	h->ring = pl_xmalloc(h->cap);
	return h;
}

void pl_rtp_history_free(struct pl_rtp_history *h)
{
	if (!h)
		return;
	free(h->idx);
	free(h->ring);
	free(h);
}

size_t pl_rtp_history_bytes(const struct pl_rtp_history *h)
{
	return sizeof *h + h->slots * sizeof *h->idx + h->cap;
}

size_t pl_rtp_history_slots(const struct pl_rtp_history *h)
{
	return h->slots;
}

size_t pl_rtp_history_ring_bytes(const struct pl_rtp_history *h)
{
	return h->cap;
}

/* Ages, not sums, so extreme times cannot overflow; a time "in the future" has age 0. */
static uint64_t age(int64_t now, int64_t at)
{
	return now > at ? (uint64_t)now - (uint64_t)at : 0;
}

static bool young(const struct pl_rtp_history *h, const struct entry *e, int64_t now)
{
	return age(now, e->at) < (uint64_t)h->lim.keep_us;
}

static bool seq_newer(uint16_t a, uint16_t b)
{
	return a != b && (uint16_t)(a - b) < 0x8000;
}

/* The size of the record at off, its seq in *seq; 0 at a wrap point. */
static size_t record_at(const struct pl_rtp_history *h, size_t off, uint16_t *seq)
{
	if (h->cap - off < REC)
		return 0;
	uint16_t len = pl_read_u16(h->ring + off + 2);
	if (len == 0)
		return 0;
	*seq = pl_read_u16(h->ring + off);
	return REC + (size_t)len;
}

/* The index entry that points to the record at off, NULL for a dead record. */
static struct entry *owner(struct pl_rtp_history *h, size_t off, uint16_t seq)
{
	struct entry *e = &h->idx[seq & (h->slots - 1)];
	return e->len && e->seq == seq && e->off == off ? e : NULL;
}

/* Walks the records from the oldest: with ring NULL, returns the bytes of those younger than
 * keep_us; else copies them to ring (cap bytes) from offset 0, points their entries there,
 * empties the entries of older ones, and returns the bytes copied. */
static size_t move_young(struct pl_rtp_history *h, int64_t now, uint8_t *ring, size_t cap)
{
	size_t off = h->tail, left = h->fill, out = 0;
	while (left) {
		uint16_t seq;
		size_t n = record_at(h, off, &seq);
		if (!n) {
			left -= h->cap - off;
			off = 0;
			continue;
		}
		struct entry *e = owner(h, off, seq);
		if (e && young(h, e, now) && out + n <= cap) {
			if (ring) {
				memcpy(ring + out, h->ring + off, n);
				e->off = (uint32_t)out;
			}
			out += n;
		} else if (e && ring) {
			e->len = 0;
		}
		off += n;
		left -= n;
	}
	return out;
}

/* Moves the records younger than keep_us into a new ring, dropping dead records and older
 * packets. The new ring is as large when that frees room for twice need (the ring was full of
 * dead records: duplicates, or packets whose index entry was taken), else half as large again,
 * at least enough for need more, at most max_bytes. */
static void grow_ring(struct pl_rtp_history *h, size_t need, int64_t now)
{
	size_t live = move_young(h, now, NULL, SIZE_MAX), cap = h->cap;
	if (live + 2 * need > h->cap) {
		cap += h->cap / 2;
		if (cap < live + need)
			cap = live + need;
		if (cap > h->lim.max_bytes)
			cap = h->lim.max_bytes;
	}
	uint8_t *ring = pl_xmalloc(cap);
	size_t out = move_young(h, now, ring, cap);
	free(h->ring);
	h->ring = ring;
	h->cap = cap;
	h->tail = 0;
	h->head = out;
	h->fill = out;
}

/* Doubles the index: entries distinct modulo slots stay distinct modulo 2 slots. */
static void grow_index(struct pl_rtp_history *h)
{
	size_t slots = h->slots * 2;
	struct entry *idx = pl_xcalloc(slots, sizeof *idx);
	for (size_t i = 0; i < h->slots; i++)
		if (h->idx[i].len)
			idx[h->idx[i].seq & (slots - 1)] = h->idx[i];
	free(h->idx);
	h->idx = idx;
	h->slots = slots;
}

/* Room for need contiguous bytes (need <= max_bytes): returns their offset, after evicting the
 * oldest records, or growing the ring when one of them is younger than keep_us. */
static size_t reserve(struct pl_rtp_history *h, size_t need, int64_t now)
{
	if (need > h->cap)
		grow_ring(h, need, now);
	for (;;) {
		if (h->fill == 0)
			h->head = h->tail = 0;
		size_t free_bytes = h->cap - h->fill, room = h->cap - h->head;
		if (need <= room && need <= free_bytes) {
			size_t off = h->head;
			h->head += need;
			h->fill += need;
			return off;
		}
		if (need > room && room + need <= free_bytes) {
			/* Too little room before the end: skip it. Only reached when the live
			 * records do not wrap, so [0, need) lies before the tail. */
			if (room >= REC)
				pl_put_u16(h->ring + h->head + 2, 0);
			h->fill += room + need;
			h->head = need;
			return 0;
		}
		uint16_t seq;
		size_t n = record_at(h, h->tail, &seq);
		if (!n) {
			h->fill -= h->cap - h->tail;
			h->tail = 0;
			continue;
		}
		struct entry *e = owner(h, h->tail, seq);
		if (e && young(h, e, now) && h->cap < h->lim.max_bytes) {
			grow_ring(h, need, now);
			continue;
		}
		if (e)
			e->len = 0;
		h->tail += n;
		h->fill -= n;
	}
}

int pl_rtp_history_put(struct pl_rtp_history *h, const uint8_t *pkt, size_t len, uint16_t seq,
                       int64_t now_us)
{
	if (!pkt || len == 0 || len > PL_RTP_HISTORY_MAX_PACKET || len + REC > h->lim.max_bytes)
		return PL_ELIMIT;
	struct entry *e = &h->idx[seq & (h->slots - 1)];
	while (e->len && e->seq != seq && young(h, e, now_us)) {
		if (h->slots < h->lim.max_slots) {
			grow_index(h);
			e = &h->idx[seq & (h->slots - 1)];
		} else if (seq_newer(e->seq, seq)) {
			return PL_EEXIST;
		} else {
			break;
		}
	}
	/* What the entry held (older, expired, or an earlier copy of seq) is dropped first, so
	 * that making room never grows the ring to keep it. */
	e->len = 0;
	size_t off = reserve(h, REC + len, now_us);
	pl_put_u16(h->ring + off, seq);
	pl_put_u16(h->ring + off + 2, (uint16_t)len);
	memcpy(h->ring + off + REC, pkt, len);
	*e = (struct entry){.at = now_us, .off = (uint32_t)off, .seq = seq, .len = (uint16_t)len};
	return 0;
}

int pl_rtp_history_get(const struct pl_rtp_history *h, uint16_t seq, int64_t now_us,
                       const uint8_t **pkt, size_t *len, int64_t *received_us)
{
	const struct entry *e = &h->idx[seq & (h->slots - 1)];
	if (!e->len || e->seq != seq || age(now_us, e->at) > (uint64_t)h->lim.keep_us)
		return PL_ENOTFOUND;
	*pkt = h->ring + e->off + REC;
	*len = e->len;
	if (received_us)
		*received_us = e->at;
	return 0;
}

void pl_rtp_history_clear(struct pl_rtp_history *h)
{
	memset(h->idx, 0, h->slots * sizeof *h->idx);
	h->head = h->tail = h->fill = 0;
}
